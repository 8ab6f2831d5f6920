"""metaseal wrapper matrix: flit-core, version and description from the module."""

__version__ = "2.1.0"
