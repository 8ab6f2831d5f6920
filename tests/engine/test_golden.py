"""Golden, data-only cases: tests/cases/<case>/{PKG-INFO,METADATA,expected.json}.

Each case is what a real backend wrote (see its ``why``); ``metaseal diff PKG-INFO METADATA``
must give exactly the expected findings (field, rule, severity) and exit code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metaseal.cli import main

CASES = sorted(p for p in (Path(__file__).parents[1] / "cases").iterdir() if p.is_dir())


def test_there_are_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    code = main(["diff", "--format", "json", str(case / "PKG-INFO"), str(case / "METADATA")])
    document = json.loads(capsys.readouterr().out)
    found = [[f["field"], f["rule"], f["severity"]] for f in document["findings"]]
    assert (code, found) == (expected["exit"], expected["findings"]), expected["why"]
