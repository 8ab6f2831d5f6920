"""metaseal wrapper matrix: setuptools, static metadata."""
