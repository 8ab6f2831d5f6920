"""metaseal wrapper matrix: hatchling, dynamic metadata."""
