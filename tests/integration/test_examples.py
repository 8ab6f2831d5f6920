"""Every project under ``examples/`` builds in the test suite, and ``docs/tutorial.md`` is true.

``test_example_builds`` is parametrized over ``examples/*/pyproject.toml``, so a new example is
picked up without touching this file. An example another test already builds is listed in
:data:`COVERED`, and the test checks that claim (the matrix really lists the directory, a drift
case really names it, the tutorial really runs it) instead of building it again; any other
example is built here with ``python -m build`` (the sdist, then the wheel from the sdist) and
must pass ``metaseal check --strict dist/ pyproject.toml``.

``test_tutorial`` runs what the tutorial shows. Each block the tutorial marks with a MyST comment
``% expected-output: <example>`` is a transcript: ``$ `` lines are commands, run in a fresh copy
of ``examples/<example>``; every other line (``...`` marks an elision) must appear in the real
output, in the same order, once absolute paths and runs of spaces are normalized.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from integration._build import run_captured
from integration._cli import EXIT_OK, metaseal

from .wrapper import test_drift as drift
from .wrapper import test_matrix as matrix
from .wrapper._frontends import (
    EXAMPLES,
    ROOT,
    TIMEOUT,
    copy_project,
    project_dir,
    run_frontend,
)

TUTORIAL = ROOT / "docs" / "tutorial.md"
#: The MyST comment that marks a verified transcript; the fenced block follows it.
MARK = re.compile(r"^% expected-output: (?P<example>\S+)\s*$")
ELISION = "..."

EXAMPLE_NAMES = sorted(path.parent.name for path in EXAMPLES.glob("*/pyproject.toml"))

#: Examples another test builds, and which one. ``test_example_builds`` checks every claim.
COVERED = {
    **dict.fromkeys(matrix.BACKENDS, "matrix"),
    "drift-hatchling-hook": "drift",
    "drift-pdm-hook": "drift",
    "drift-setuptools-env": "drift",
    "drift-setuptools-dynamic": "drift",
    "drift-setuptools-dynamic-empty": "drift",
    "drift-hatchling-hook-fixed": "tutorial",
}
#: Tutorial commands that must fail (by transcript and a substring of the command); every other
#: command of a transcript must succeed.
MUST_FAIL = {("drift-hatchling-hook", "pip wheel")}


@dataclass(frozen=True)
class Transcript:
    """One marked block of the tutorial."""

    example: str
    line: int
    lines: tuple[str, ...]

    @property
    def commands(self) -> list[str]:
        return [line[2:] for line in self.lines if line.startswith("$ ")]


def tutorial_transcripts() -> dict[str, Transcript]:
    """The marked blocks of ``docs/tutorial.md``, by example."""
    lines = TUTORIAL.read_text(encoding="utf-8").splitlines()
    found: dict[str, Transcript] = {}
    for number, line in enumerate(lines):
        mark = MARK.match(line)
        if mark is None:
            continue
        example = mark["example"]
        fence = lines[number + 1] if number + 1 < len(lines) else ""
        if not fence.startswith("```") or example in found:
            raise ValueError(f"{TUTORIAL}:{number + 1}: a mark needs its own fenced block next")
        end = lines.index(fence[: len(fence) - len(fence.lstrip("`"))], number + 2)
        found[example] = Transcript(example, number + 1, tuple(lines[number + 2 : end]))
    return found


TRANSCRIPTS = tutorial_transcripts()

_ABSOLUTE_PATH = re.compile(r"(?<![\w.~])/[^\s`'\"]*")


def normalize(line: str) -> str:
    """What may differ between two runs: absolute paths (temporary directories, the Python
    installation) and the amount of indentation or column padding.
    """
    return " ".join(_ABSOLUTE_PATH.sub("<path>", line).split())


def missing_lines(expected: tuple[str, ...], actual: str) -> list[str]:
    """The expected lines (blank and ``...`` ones aside) not found in ``actual`` in order."""
    lines = [normalize(line) for line in actual.splitlines()]
    position = 0
    missing = []
    for line in expected:
        wanted = normalize(line)
        if wanted in ("", ELISION):
            continue
        try:
            position = lines.index(wanted, position) + 1
        except ValueError:
            missing.append(line)
    return missing


def run_command(command: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run one tutorial command as a user would: ``VAR=value`` prefixes, then ``python``
    (this interpreter, with the frontend environment), ``metaseal`` (the CLI under test) or
    ``ls``.
    """
    words = shlex.split(command)
    assignments = {}
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        name, _, value = words.pop(0).partition("=")
        assignments[name] = value
    program, *args = words
    if program == "python":
        argv, environment = [sys.executable, *args], {**env, **assignments}
    elif program == "metaseal":
        argv = [sys.executable, "-m", "metaseal", *args]
        environment = {**os.environ, "NO_COLOR": "1", "PYTHONUTF8": "1", **assignments}
        environment.pop("FORCE_COLOR", None)
        if environment.get("PYTHONPATH"):  # a checkout's `src` (relative), wherever cwd is
            entries = environment["PYTHONPATH"].split(os.pathsep)
            environment["PYTHONPATH"] = os.pathsep.join(str(Path(e).resolve()) for e in entries)
    elif program == "ls":
        argv, environment = ["ls", *args], {**env, **assignments}
    else:
        pytest.fail(f"the tutorial runs `{program}`, which this test does not know how to run")
    process = run_captured(argv, cwd, environment, TIMEOUT)
    return process.returncode, process.stdout


def _example_builds_here(name: str, env: dict[str, str], tmp_path: Path) -> None:
    source = copy_project(EXAMPLES / name, tmp_path / name)
    run = run_frontend("build", source, tmp_path, env)
    assert run.returncode == 0, f"python -m build of examples/{name} failed:\n{run.output}"
    assert sorted(path.suffix for path in run.files) == [".gz", ".whl"], run.output
    check = metaseal("check", "--strict", run.outdir, source / "pyproject.toml")
    assert check.returncode == EXIT_OK, str(check)


def test_examples_are_found() -> None:
    """The glob sees the examples this module knows about (and quickstart, built here)."""
    assert set(COVERED) | {"quickstart"} <= set(EXAMPLE_NAMES)


@pytest.mark.integration
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_builds(name: str, env: dict[str, str], tmp_path: Path) -> None:
    """Each example is built by some test: a checked claim in :data:`COVERED`, or here."""
    claim = COVERED.get(name)
    where = EXAMPLES / name
    if claim == "matrix":
        # test_matrix builds it through every frontend, and checks it with --strict.
        assert where in matrix.LOCATIONS.values(), f"examples/{name} is not in the matrix"
    elif claim == "drift":
        # test_drift builds its sdist and rebuilds the wheel through every frontend.
        cases = (*drift.REJECTED, *drift.PASSING)
        assert any(case.project == name for case in cases), f"no drift case builds {name}"
        assert project_dir(name) == where
    elif claim == "tutorial":
        assert name in TRANSCRIPTS, f"docs/tutorial.md runs no transcript in examples/{name}"
    else:
        assert claim is None, f"unknown claim {claim!r}"
        _example_builds_here(name, env, tmp_path)


def test_tutorial_transcripts_are_examples() -> None:
    """Every transcript runs in an example and has at least one command."""
    assert TRANSCRIPTS, f"{TUTORIAL} marks no expected output"
    for transcript in TRANSCRIPTS.values():
        assert transcript.example in EXAMPLE_NAMES, transcript
        assert transcript.commands, transcript


def test_fixed_example_is_the_tutorial_edit() -> None:
    """The tutorial's fix deletes hatch_build.py and edits pyproject.toml; the result is
    examples/drift-hatchling-hook-fixed (its pyproject.toml is shown in full).
    """

    def files(name: str) -> set[str]:
        root = EXAMPLES / name
        return {
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    assert files("drift-hatchling-hook-fixed") == files("drift-hatchling-hook") - {"hatch_build.py"}
    text = TUTORIAL.read_text(encoding="utf-8")
    assert "../examples/drift-hatchling-hook-fixed/pyproject.toml" in text


@pytest.mark.integration
@pytest.mark.parametrize("example", sorted(TRANSCRIPTS))
def test_tutorial(example: str, env: dict[str, str], tmp_path: Path) -> None:
    """Run a transcript's commands in a fresh copy of the example; the output must show every
    line the tutorial shows, and only the commands the tutorial says fail may fail.
    """
    transcript = TRANSCRIPTS[example]
    project = copy_project(EXAMPLES / example, tmp_path / example)
    output = []
    for command in transcript.commands:
        code, text = run_command(command, project, env)
        output.append(f"$ {command}\n{text}")
        fails = any(e == example and part in command for e, part in MUST_FAIL)
        assert (code != 0) == fails, f"`{command}` exited {code}:\n{text}"
    actual = "".join(output)
    missing = missing_lines(transcript.lines, actual)
    assert not missing, (
        f"docs/tutorial.md:{transcript.line} shows lines the real output lacks:\n"
        + "\n".join(missing)
        + f"\n--- real output ---\n{actual}"
    )
