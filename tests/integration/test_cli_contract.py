"""The CLI contract beyond the findings: usage errors and unreadable input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._cli import EXIT_INVALID_INPUT, EXIT_USAGE, metaseal

pytestmark = pytest.mark.integration


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    run = metaseal("check", "--format", "yaml", tmp_path)
    assert run.returncode == EXIT_USAGE, run


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    run = metaseal("check", "--no-such-option", tmp_path)
    assert run.returncode == EXIT_USAGE, run


def test_corrupt_wheel_is_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "broken-1.0-py3-none-any.whl"
    bad.write_bytes(b"this is not a zip file\n")

    text = metaseal("check", bad)
    assert text.returncode == EXIT_INVALID_INPUT, text
    assert bad.name in text.stdout + text.stderr, text

    run = metaseal("check", "--format", "json", bad)
    assert run.returncode == EXIT_INVALID_INPUT, run
    errors = run.json()["errors"]
    assert any(Path(e["path"]).name == bad.name and e["message"] for e in errors), run
