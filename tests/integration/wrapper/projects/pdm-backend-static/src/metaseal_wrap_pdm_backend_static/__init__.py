"""metaseal wrapper matrix: pdm-backend, static metadata."""
