"""metaseal example: setuptools, dynamic metadata."""

__version__ = "2.1.0"
