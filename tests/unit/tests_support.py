"""Shared helpers for unit tests that need a real [project] table."""

from __future__ import annotations

import tempfile
from pathlib import Path

from metaseal.artifacts import Artifact, Kind, Role
from metaseal.compare import compare_pyproject
from metaseal.findings import Finding
from metaseal.pyproject import read_static_project


def flit_import_name_finding() -> Finding:
    """What flit-core 4 writes (an undeclared Import-Name) against a table without it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyproject.toml"
        path.write_text('[project]\nname = "demo"\nversion = "1.0"\n', encoding="utf-8")
        static = read_static_project(path)
    data = b"Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name: demo\n\n"
    artifact = Artifact(
        source="w",
        label="demo-1.0-py3-none-any.whl",
        kind=Kind.WHEEL,
        role=Role.WHEEL,
        metadata=data,
    )
    (finding,) = compare_pyproject(static, artifact)
    return finding
