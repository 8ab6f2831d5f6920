"""metaseal example: flit-core, version and description from this module."""

__version__ = "2.1.0"
