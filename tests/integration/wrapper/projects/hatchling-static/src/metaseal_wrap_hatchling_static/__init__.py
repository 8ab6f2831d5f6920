"""metaseal wrapper matrix: hatchling, static metadata."""
