"""``installed:NAME``: the metadata of a distribution installed in this or another interpreter.

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


def read_installed(spec: str, name: str, python: str | None) -> Artifact:
    if not name.strip():
        raise ArtifactError(spec, "names no distribution; write `installed:NAME`.")
    found = _installed_in(spec, name, python or sys.executable)
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


def _installed_in(spec: str, name: str, python: str) -> _Found:
    import base64
    import json
    import subprocess

    command = [python, "-c", _INSTALLED_SCRIPT, name, str(MAX_METADATA_BYTES + 1)]
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, timeout=_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        message = f"`{python}` did not answer within {_TIMEOUT:g} s; check that it runs."
        raise ArtifactError(spec, message) from exc
    except OSError as exc:
        message = f"cannot run `{python}` ({exc.strerror}); name a Python 3.8+ interpreter."
        raise ArtifactError(spec, message) from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-300:] or "no output"
        raise ArtifactError(
            spec,
            f"`{python}` failed looking up `{name}` ({detail}); name a working Python 3.8+ "
            "interpreter.",
        )
    try:
        report = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
        if not report["found"]:
            raise _not_installed(spec, name, python)
        values = [report[key] for key in ("metadata", "dir", "wheel")]
        if not all(value is None or isinstance(value, str) for value in values):
            raise TypeError(f"unexpected values {values!r}")  # noqa: TRY301
        meta, directory, wheel = values
        decode = base64.b64decode
        return (
            (None if meta is None else decode(meta, validate=True)),
            directory,
            (None if wheel is None else decode(wheel, validate=True)),
        )
    except (ValueError, LookupError, TypeError) as exc:
        raise ArtifactError(
            spec,
            f"`{python}` could not report on `{name}` ({exc}); name a working Python 3.8+ "
            "interpreter.",
        ) from exc
