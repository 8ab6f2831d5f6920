"""metaseal example: uv-build, flat layout."""
