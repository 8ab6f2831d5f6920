"""``metaseal audit NAME --index URL``: is a published sdist's promise honest?

Only the sdist is downloaded (hash-verified); its wheel is built here, in an isolated
environment per interpreter, and compared with the sdist's PKG-INFO (PEP 643/808) and with the
wheels the index serves (read from their PEP 658 sidecars or by range requests, never
installed). A local build that disagrees with the published wheels, or a Dynamic list that
does not cover what the wheels change, shows up as findings of one release.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.audit.envs import make_env
from metaseal.audit.runner import Audit, Step, as_built_by, caller_for, unpack
from metaseal.engine.release import check_releases
from metaseal.errors import ArtifactError, MetasealError
from metaseal.index.simple import file_identity
from metaseal.sources.artifacts import read_source

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from metaseal.engine.artifact import Artifact
    from metaseal.index.remote import Index

__all__ = ["audit_release"]


def audit_release(
    index: Index,
    name: str,
    spec: str | None,
    pythons: Sequence[str],
    environ: Mapping[str, str],
    *,
    jobs: int = 4,
) -> Audit:
    """Build the wheel of ``name`` (newest, or ``==V``) from its sdist on ``index`` and check it
    with the sdist and the published wheels."""
    import time

    from packaging.version import Version

    from metaseal.index.remote import select_versions

    page = index.project(name)
    versions = select_versions(page, spec)
    if not versions:
        raise ArtifactError(page.url, f"lists no release of `{name}` to audit.")
    version = versions[0]
    sdists = [
        f for f in page.files if not f.is_wheel and file_identity(f.filename)[1] == Version(version)
    ]
    if not sdists:
        raise ArtifactError(page.url, f"lists no sdist of `{name}` {version}; nothing to build.")
    published, errors = index.artifacts(page, [version], jobs=jobs)
    if errors:
        raise errors[0]
    steps: list[Step] = []
    built: list[Artifact] = []
    with tempfile.TemporaryDirectory(prefix="metaseal-audit-") as tmp:
        root = Path(tmp)
        start = time.monotonic()
        path = index.download(sdists[0], root)
        sdist = read_source(str(path))
        steps.append(Step("sdist from the index", "-", time.monotonic() - start, path.name))
        unpacked = unpack(path, root / "unpacked")
        for number, python in enumerate(pythons):
            start = time.monotonic()
            env = make_env(python, root / f"env-{number}", environ)
            try:
                caller = caller_for(unpacked, env, environ)
                env.install(caller.get_requires_for_build_wheel(), environ)
                out = root / f"wheel-{number}"
                out.mkdir()
                wheel = read_source(str(out / caller.build_wheel(str(out))))
            except Exception as exc:
                message = str(exc).strip() or type(exc).__name__
                steps.append(Step("wheel from the sdist", env.version, 0.0, error=message))
                continue
            steps.append(
                Step("wheel from the sdist", env.version, time.monotonic() - start, wheel.label)
            )
            local = as_built_by(wheel, env.version)
            built.append(
                local.__class__(**{**local.__dict__, "label": f"{local.label} (built here)"})
            )
    if not published and not built:
        raise MetasealError(f"nothing to compare for `{name}` {version}.")
    releases = check_releases([sdist, *built, *published])
    return Audit(tuple(steps), tuple(releases), ())
