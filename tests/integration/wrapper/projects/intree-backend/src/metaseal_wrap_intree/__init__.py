"""metaseal wrapper matrix: built by an in-tree inner backend."""
