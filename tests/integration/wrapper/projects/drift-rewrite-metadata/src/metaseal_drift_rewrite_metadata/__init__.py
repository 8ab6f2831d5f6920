"""metaseal drift case: the wheel's METADATA is rewritten after the build."""

__version__ = "1.0.0"
