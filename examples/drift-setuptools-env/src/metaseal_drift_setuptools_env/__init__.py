"""metaseal drift case: setup.py computes install_requires from the environment."""
