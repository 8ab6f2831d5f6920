"""metaseal wrapper matrix: meson-python, static metadata."""
