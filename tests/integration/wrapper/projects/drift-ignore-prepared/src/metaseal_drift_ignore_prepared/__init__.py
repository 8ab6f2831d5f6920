"""metaseal drift case: build_wheel ignores the prepared metadata."""
