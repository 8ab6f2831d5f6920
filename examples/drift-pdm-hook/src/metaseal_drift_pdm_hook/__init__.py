"""metaseal drift case: a pdm-backend build hook adds a dependency to wheels."""
