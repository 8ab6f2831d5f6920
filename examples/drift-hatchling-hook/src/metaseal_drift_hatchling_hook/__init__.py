"""metaseal drift case: a hatchling metadata hook computes the dependencies."""
