"""metaseal wrapper matrix: scikit-build-core, static metadata."""
