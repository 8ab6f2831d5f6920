"""metaseal drift case, fixed: the dependencies are written in [project]."""
