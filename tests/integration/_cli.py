"""Run the metaseal CLI under test as a subprocess and read its JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Run", "bad_findings", "findings_for", "metaseal"]

#: Exit codes of the CLI contract.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3


@dataclass(frozen=True)
class Run:
    """One finished ``python -m metaseal`` process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"$ metaseal {' '.join(self.args)}\n-> exit {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )

    def json(self) -> dict[str, Any]:
        """The JSON report on stdout (fails with the whole run in the message if it is not)."""
        try:
            report = json.loads(self.stdout)
        except ValueError as error:
            raise AssertionError(f"stdout is not JSON ({error}):\n{self}") from None
        assert isinstance(report, dict), f"the JSON report is not an object:\n{self}"
        assert report.get("schema_version") == 1, f"unexpected schema_version:\n{self}"
        return report


def metaseal(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run ``python -m metaseal ARGS`` with the interpreter running the tests."""
    argv = tuple(str(arg) for arg in args)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUTF8": "1"}
    env.pop("FORCE_COLOR", None)
    process = subprocess.run(
        [sys.executable, "-m", "metaseal", *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        check=False,
    )
    return Run(argv, process.returncode, process.stdout, process.stderr)


def _findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [finding for release in report["releases"] for finding in release["findings"]]


def bad_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings with severity ``error`` or ``warning``."""
    return [f for f in _findings(report) if f["severity"] in ("error", "warning")]


def findings_for(report: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """Findings about ``field`` (compared case-insensitively)."""
    return [f for f in _findings(report) if str(f["field"]).lower() == field.lower()]
