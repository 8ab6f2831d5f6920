"""metaseal drift case: dependencies declared dynamic, computed in setup.py."""
