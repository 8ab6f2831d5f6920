"""metaseal example: meson-python, dynamic metadata."""
