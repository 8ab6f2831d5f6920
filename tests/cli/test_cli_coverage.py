"""A release where nothing (or less than it seems) was compared says so on its release line:
one file alone, or sdists below Metadata 2.2, which promise nothing about their wheels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from factories import make_sdist, make_wheel, metadata_bytes
from metaseal.cli import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def meta(version: str = "2.4", *extra: tuple[str, str]) -> bytes:
    fields = [("Metadata-Version", version), ("Name", "demo"), ("Version", "1.0"), *extra]
    return metadata_bytes(fields, body="Text.\n")


def check(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[str]]:
    code = main(["check", *map(str, argv)])
    return code, capsys.readouterr().out.split("\n")


def test_one_wheel_says_nothing_was_compared(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_wheel(tmp_path, "demo", "1.0", meta())
    code, lines = check(capsys, tmp_path)
    assert code == 0
    assert lines[:2] == [
        "demo 1.0: 1 file, PASSED",
        (
            "  (1 file: nothing to compare it with; checked: filename, metadata validity, "
            "import names)"
        ),
    ]


def test_one_file_against_pyproject_is_a_comparison(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_wheel(tmp_path, "demo", "1.0", meta())
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1.0"\n')
    code, lines = check(capsys, tmp_path, tmp_path / "pyproject.toml")
    assert code == 0, lines
    assert "nothing to compare" not in "\n".join(lines)


def test_unsealed_sdist_says_the_wheels_were_compared_with_each_other_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The wheel disagrees with the sdist, but a 2.1 sdist promises nothing: no error, and the
    # release line must not let that pass for a comparison.
    make_sdist(tmp_path, "demo", "1.0", meta("2.1", ("Requires-Dist", "attrs")))
    make_wheel(tmp_path, "demo", "1.0", meta("2.1"))
    make_wheel(tmp_path, "demo", "1.0", meta("2.1"), tag="cp312-cp312-win_amd64")
    code, lines = check(capsys, tmp_path)
    assert code == 0
    assert lines[0].startswith("demo 1.0: 3 files, PASSED (")
    assert lines[1] == (
        "  (the sdist is Metadata 2.1: it promises nothing, wheels compared with nothing but "
        "each other)"
    )


def test_unsealed_sdist_and_one_wheel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    make_sdist(tmp_path, "demo", "1.0", meta("1.2"))
    make_wheel(tmp_path, "demo", "1.0", meta("2.1"))
    _, lines = check(capsys, tmp_path)
    assert lines[1] == (
        "  (the sdist is Metadata 1.2: it promises nothing, the wheel compared with nothing)"
    )


def test_sealed_release_has_no_note(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    make_sdist(tmp_path, "demo", "1.0", meta())
    make_wheel(tmp_path, "demo", "1.0", meta())
    _, lines = check(capsys, tmp_path)
    assert lines[1].startswith("  PASSED  ")
