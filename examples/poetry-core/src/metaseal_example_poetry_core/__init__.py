"""metaseal example: poetry-core, dynamic metadata."""
