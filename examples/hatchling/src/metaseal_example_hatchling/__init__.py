"""metaseal example: hatchling, dynamic metadata."""
