"""A demo package."""
