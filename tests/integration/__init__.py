"""Integration tests: real projects built by real backends, checked by the real CLI."""
