"""metaseal wrapper matrix: uv-build, static metadata."""
