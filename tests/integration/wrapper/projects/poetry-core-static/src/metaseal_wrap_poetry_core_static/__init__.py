"""metaseal wrapper matrix: poetry-core, static metadata."""
