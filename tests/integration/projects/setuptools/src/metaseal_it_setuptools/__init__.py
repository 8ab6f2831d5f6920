"""Metaseal_IT.Setuptools: a fixture project for metaseal's integration tests."""

__version__ = "1.2.3"
