"""metaseal wrapper matrix: flit-core, static metadata."""
