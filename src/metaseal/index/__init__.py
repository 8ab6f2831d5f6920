"""Package indexes: PEP 503/691 pages, PEP 658/714 sidecars, HTTP range reads and downloads.

Needs the ``metaseal[index]`` extra (urllib3, platformdirs); nothing else in metaseal imports
this package except the commands that read an index.
"""
