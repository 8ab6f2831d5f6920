"""metaseal wrapper matrix: meson-python, dynamic metadata."""
