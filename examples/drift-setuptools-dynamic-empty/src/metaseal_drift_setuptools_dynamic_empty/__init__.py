"""metaseal drift case: dynamic dependencies, empty when the sdist is built."""
