"""The hostile corpus (``generate.py``) through the real command line, one subprocess per case.

Each run is limited to 20 s and 1 GiB of address space. It must end with an allowed exit code
and no traceback; an exit-3 message names the file; nothing from a file outside the inputs is
printed; no terminal control sequence from the input reaches the output raw; no newline in an
input forges an output line; and the inputs are left as they were.

Cases marked ``xfail`` are known defects (issue 13); strict, so a fix must remove the mark.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hostile.generate import BUILDERS, FORGED, Case, generate

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0
MEMORY = 1024**3

#: Known defects, by case (none today): strict xfail, so a fix must remove its entry.
_KNOWN: dict[str, tuple[str, ...]] = {}
XFAIL = {name: f"issue 13: {defect}" for defect, names in _KNOWN.items() for name in names}


def _limit() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if importlib.util.find_spec("metaseal") is None:  # not installed: use the checkout
        path = env.get("PYTHONPATH")
        env["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + path if path else "")
    env["COLUMNS"] = "100"
    return env


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Case, Path]]]:
    root = tmp_path_factory.mktemp("hostile")
    cases = generate(root)
    yield {case.name: (case, root / case.name) for case in cases}
    for case in cases:  # undo the permission cases so pytest can clean up
        for path in (root / case.name).rglob("*"):
            if not path.is_symlink() and path.is_dir():
                path.chmod(0o755)


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
    }


def _params() -> list[object]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else [],
        )
        for name in BUILDERS
    ]


@pytest.mark.parametrize("name", _params())
def test_hostile_case(name: str, corpus: dict[str, tuple[Case, Path]]) -> None:
    case, directory = corpus[name]
    if case.needs_non_root and os.geteuid() == 0:
        pytest.skip("permissions do not apply to root")
    before = _snapshot(directory)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "metaseal", *case.args],
            cwd=directory,
            env=_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=TIMEOUT,
            preexec_fn=_limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`metaseal {' '.join(case.args)!r}` ran over {TIMEOUT:.0f} s")
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    both = out + err
    tail = "\n".join(both.splitlines()[-6:])
    assert "Traceback" not in both, tail
    assert proc.returncode in case.allowed, (
        f"exit {proc.returncode}, wanted {sorted(case.allowed)}\n{tail}"
    )
    if proc.returncode == 3:
        named = (case.names, json.dumps(case.names)[1:-1])
        assert any(n in both for n in named), f"exit-3 message does not name {case.names!r}\n{tail}"
    assert "\x1b" not in both, "raw ESC in the output"
    assert "\x9b" not in both, "raw C1 CSI in the output"
    assert not [line for line in both.splitlines() if line.startswith(FORGED)], "forged line"
    if case.secret:
        assert case.secret not in both, "content of a file outside the inputs was printed"
    assert _snapshot(directory) == before, "the run changed its inputs"
