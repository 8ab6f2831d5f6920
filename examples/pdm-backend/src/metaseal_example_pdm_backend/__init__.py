"""metaseal example: pdm-backend, dynamic metadata."""

__version__ = "2.1.0"
