"""The engine: metadata records in, findings out. Pure: no file, network or process I/O.

Readers (:mod:`metaseal.sources`, :mod:`metaseal.index`) turn files into
:class:`~metaseal.engine.artifact.Artifact` records; the engine compares them under the rule
that binds them and returns frozen :class:`~metaseal.engine.findings.Finding` objects;
:mod:`metaseal.report` renders them. Importing this package imports nothing else: the build
backend loads the standard-library-only modules (``findings``, ``rules``, ``formats``) on its
hot path without paying for :mod:`packaging`.
"""
