"""metaseal example: scikit-build-core, dynamic metadata."""

__version__ = "2.1.0"
