"""metaseal wrapper matrix: poetry-core, dynamic metadata."""
