"""metaseal wrapper matrix: uv-build, flat layout."""
