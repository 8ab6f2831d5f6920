"""``installed:NAME``: the metadata of a distribution installed in this or another interpreter;
``installed:`` (no name): every distribution of that environment, read by one subprocess.

The lookup always runs in a fresh interpreter (this one's executable by default) with the
working directory removed from ``sys.path``, so a ``*.dist-info`` lying in the current directory
is never mistaken for an installed distribution, whatever way metaseal was started.
"""

from __future__ import annotations

import sys

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.formats import MAX_METADATA_BYTES
from metaseal.errors import ArtifactError
from metaseal.sources._common import checked, wheel_tags

_TIMEOUT = 60.0  # seconds the interpreter has to answer
_INSTALLED = "installed:"


#: Run by the interpreter (stdlib only, Python 3.8+); prints one JSON line with base64 METADATA
#: (or PKG-INFO) and WHEEL bytes. ``Distribution._path`` (the raw bytes on disk rather than
#: ``read_text()``'s decoded copy) is read here and nowhere else; ``test_installed`` fails if a
#: Python version stops providing it.
_INSTALLED_SCRIPT = """\
import base64, json, pathlib, sys
from importlib import metadata
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]  # what is installed, not what is in the working directory
name, limit = sys.argv[1], int(sys.argv[2])
try:
    dist = metadata.distribution(name)
except (metadata.PackageNotFoundError, ValueError):
    print(json.dumps({"found": False}))
    raise SystemExit
base = getattr(dist, "_path", None)
def raw(filename):
    if isinstance(base, pathlib.Path):
        if not (base / filename).is_file():
            return None
        with (base / filename).open("rb") as handle:
            return base64.b64encode(handle.read(limit)).decode()
    text = dist.read_text(filename)
    return None if text is None else base64.b64encode(text.encode("utf-8")).decode()
meta = raw("METADATA")
meta = raw("PKG-INFO") if meta is None else meta
print(json.dumps({"found": True, "metadata": meta, "wheel": raw("WHEEL"),
                  "dir": base.name if isinstance(base, pathlib.Path) else None}))
"""


#: Run by the interpreter for ``installed:`` (stdlib only, Python 3.8+): one JSON line per
#: distribution importlib.metadata finds on ``sys.path``, the first of each name only (the one
#: ``import`` and ``installed:NAME`` see), with the same keys as :data:`_INSTALLED_SCRIPT`.
_ENVIRONMENT_SCRIPT = """\
import base64, json, pathlib, re, sys
from importlib import metadata
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]
limit = int(sys.argv[1])
seen = set()
for dist in metadata.distributions():
    base = getattr(dist, "_path", None)
    if not isinstance(base, pathlib.Path):
        continue
    def raw(filename):
        if not (base / filename).is_file():
            return None
        with (base / filename).open("rb") as handle:
            return base64.b64encode(handle.read(limit)).decode()
    try:
        name = dist.metadata["Name"]
    except Exception:
        name = None
    if not isinstance(name, str) or not name.strip():
        name = base.name.split("-")[0]
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        continue
    seen.add(key)
    meta = raw("METADATA")
    meta = raw("PKG-INFO") if meta is None else meta
    print(json.dumps({"name": name, "metadata": meta, "wheel": raw("WHEEL"), "dir": base.name}))
"""


def read_environment(spec: str, python: str | None) -> tuple[list[Artifact], list[ArtifactError]]:
    """Every distribution installed in ``python``'s environment (default: this interpreter's),
    each as ``installed:NAME``; one subprocess for the whole environment."""
    import json

    interpreter = python or sys.executable
    command = [interpreter, "-c", _ENVIRONMENT_SCRIPT, str(MAX_METADATA_BYTES + 1)]
    stdout = _run(spec, command, interpreter, "listing its distributions", timeout=_TIMEOUT * 5)
    artifacts: list[Artifact] = []
    errors: list[ArtifactError] = []
    for line in stdout.decode("utf-8", "replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            report = json.loads(line)
            name = report["name"]
            if not isinstance(name, str):
                raise TypeError(f"unexpected name {name!r}")  # noqa: TRY301
            found = _decoded(report)
        except (ValueError, LookupError, TypeError) as exc:
            errors.append(
                ArtifactError(spec, f"`{interpreter}` reported something unreadable ({exc}).")
            )
            continue
        try:
            artifacts.append(_artifact(f"{_INSTALLED}{name}", name, found))
        except ArtifactError as exc:
            errors.append(exc)
    return artifacts, errors


def read_installed(spec: str, name: str, python: str | None) -> Artifact:
    if not name.strip():
        raise ArtifactError(
            spec,
            "names no distribution; write `installed:NAME` (`metaseal check installed:` "
            "checks every distribution of the environment).",
        )
    return _artifact(spec, name, _installed_in(spec, name, python or sys.executable))


def _artifact(spec: str, name: str, found: _Found) -> Artifact:
    metadata, directory, wheel = found
    if metadata is None:
        raise ArtifactError(spec, f"`{name}` is installed without `METADATA`; reinstall it.")
    data = checked(spec, "`METADATA`", metadata)
    dist_info = directory if directory and directory.endswith(".dist-info") else None
    tags = wheel_tags(spec, wheel)
    return Artifact(spec, spec, Kind.INSTALLED, Role.WHEEL, data, tags=tags, dist_info=dist_info)


def _not_installed(spec: str, name: str, interpreter: str) -> ArtifactError:
    return ArtifactError(
        spec,
        f"`{name}` is not installed in `{interpreter}`; install it there, or name the "
        "interpreter that has it (`python=` / `--python`).",
    )


#: What an installed distribution gives: METADATA bytes, its directory name, WHEEL bytes.
_Found = tuple["bytes | None", "str | None", "bytes | None"]


def _run(spec: str, command: list[str], python: str, doing: str, *, timeout: float) -> bytes:
    """The standard output of ``command`` (a script run by ``python``), or an error."""
    import subprocess

    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        message = f"`{python}` did not answer within {timeout:g} s; check that it runs."
        raise ArtifactError(spec, message) from exc
    except OSError as exc:
        message = f"cannot run `{python}` ({exc.strerror}); name a Python 3.8+ interpreter."
        raise ArtifactError(spec, message) from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-300:] or "no output"
        raise ArtifactError(
            spec,
            f"`{python}` failed {doing} ({detail}); name a working Python 3.8+ interpreter.",
        )
    return done.stdout


def _decoded(report: dict[str, object]) -> _Found:
    """METADATA bytes, directory name and WHEEL bytes of one JSON report line."""
    import base64

    values = [report[key] for key in ("metadata", "dir", "wheel")]
    if not all(value is None or isinstance(value, str) for value in values):
        raise TypeError(f"unexpected values {values!r}")
    meta, directory, wheel = (v if isinstance(v, str) else None for v in values)
    decode = base64.b64decode
    return (
        (None if meta is None else decode(meta, validate=True)),
        directory,
        (None if wheel is None else decode(wheel, validate=True)),
    )


def _installed_in(spec: str, name: str, python: str) -> _Found:
    import json

    command = [python, "-c", _INSTALLED_SCRIPT, name, str(MAX_METADATA_BYTES + 1)]
    stdout = _run(spec, command, python, f"looking up `{name}`", timeout=_TIMEOUT)
    try:
        report = json.loads(stdout.decode("utf-8").strip().splitlines()[-1])
        if not report["found"]:
            raise _not_installed(spec, name, python)
        return _decoded(report)
    except (ValueError, LookupError, TypeError) as exc:
        raise ArtifactError(
            spec,
            f"`{python}` could not report on `{name}` ({exc}); name a working Python 3.8+ "
            "interpreter.",
        ) from exc
