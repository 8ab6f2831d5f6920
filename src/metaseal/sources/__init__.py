"""Readers: what the user names (files, directories, ``installed:NAME``, ``pyproject.toml``)
becomes engine records. Every read is bounded and strict; nothing is extracted or executed."""
