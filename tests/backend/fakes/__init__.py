"""Fake inner build backends for the wrapper tests (copied whole into each test project)."""
