"""Rendering: findings and releases as text or JSON. Decides nothing; returns strings."""
