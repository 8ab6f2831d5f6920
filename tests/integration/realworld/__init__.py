"""Real-world corpus: real sdists wrapped in metaseal, real releases checked (issue 11)."""
