"""``metaseal scan``: check many projects of an index into a resumable SQLite database."""
