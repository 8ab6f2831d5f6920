"""THE seal check of a built file (:func:`verify`), in the hook process or in a checker.

:func:`verify` decides from bytes when it can (:mod:`metaseal.backend._bytewise`), else reads
the inputs (:func:`findings_for`) and lets the engine's seal verdict judge; it refuses with
:class:`~metaseal.errors.SealBroken` or keeps the file and says what it printed. The checker
of :mod:`metaseal.backend._ahead` runs the same function: :func:`warm` is what it imports while
the inner backend builds, :func:`answer` what it sends back (the verdict and every message it
would have printed), and :func:`answered` reads that answer in the hook process.
"""

# pathlib is avoided where the hook path needs no engine (see _lifecycle).
# ruff: noqa: PTH113, PTH118, PTH119

from __future__ import annotations

import marshal
import os

from metaseal.backend._say import HATCH, describe_backend, shout
from metaseal.engine import formats
from metaseal.errors import ArtifactError, SealBroken

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, Literal, Protocol

    from metaseal.backend._ahead import Checker
    from metaseal.backend.settings import Settings
    from metaseal.engine.artifact import Artifact
    from metaseal.engine.findings import Finding

    Kind = Literal["sdist", "wheel", "editable"]

    class Session(Protocol):
        """What the check reads of :class:`metaseal.backend._lifecycle.Session`."""

        root: str
        pyproject: Mapping[str, Any]

        @property
        def settings(self) -> Settings: ...


__all__ = ["answer", "answered", "consult", "findings_for", "shadowed", "verify", "warm"]

#: The check's modules, and those it imports only when it runs (pyproject-metadata, e-mail
#: rendering), imported by :func:`warm`. The report too: leaving it out saves a clean verdict
#: about 3 ms of imports, but costs a verdict that warns more, after the build, and flit-core's
#: always warns (its undeclared Import-Name).
_WARM = (
    "metaseal.backend._bytewise",
    "metaseal.backend._staging",
    "metaseal.engine.seal",
    "metaseal.report.seal",
    "metaseal.sources.artifacts",
    "metaseal.sources.pyproject",
    "pyproject_metadata",
    "email.generator",
)


def warm() -> None:
    """What the checker imports while the inner backend builds: the check's modules, including
    those the check itself imports only when it runs."""
    import importlib

    for module in _WARM:
        importlib.import_module(module)


def answer(here: Session, job: bytes) -> bytes:
    """In the checker: run :func:`verify` on ``job`` (see :func:`consult`) and return the file's
    fate, printing nothing: what it said and every message it would have printed, in order.
    A refusal or an error raises, and so does a job from a hook process whose code differs from
    the checker's (:func:`_code_in_use`): the hook process then checks the file itself."""
    kind, path, prepared, fast_path, code = marshal.loads(job)
    if not _same_code(code, _code_in_use()):
        raise LookupError("the hook process would run other code than this checker")
    shouted: list[str] = []
    said = verify(here, kind, path, prepared, fast_path=fast_path, shout=shouted.append)
    if not _same_code(code, _code_in_use()):  # again, with what the check imported as it ran
        raise LookupError("the hook process would run other code than this checker")
    return marshal.dumps((said, shouted))


def consult(
    checker: Checker, kind: Kind, path: str, prepared: str | None, *, fast_path: bool = False
) -> tuple[str | None, list[str]] | None:
    """In the hook process: send the checker :func:`verify`'s arguments and the code the check
    would run here, and read its answer (:func:`answered`); ``None``: check here."""
    try:
        job = marshal.dumps((kind, path, prepared, fast_path, _code_in_use()))
    except Exception:
        checker.close()
        return None
    return answered(checker.judge(job))


#: The top-level packages whose code the check runs.
_CHECK_PACKAGES = frozenset({"email", "metaseal", "packaging", "pyproject_metadata", "tomli"})


def _code_in_use() -> tuple[list[str], list[str], dict[str, str]]:
    """What decides which code the check runs in this process: ``sys.path``, the import
    finders, and the file of every module of the check's packages already imported. The
    checker was forked before the inner backend was imported, and a backend may put its own
    copies first (poetry-core does with its vendored ``packaging``): the checker's verdict
    counts only when these agree, so a hook process never keeps a file on the word of code it
    would not have run itself."""
    import sys

    modules = {
        name: _location(module)
        for name, module in list(sys.modules.items())
        if name.partition(".")[0] in _CHECK_PACKAGES
    }
    finders = [f"{type(finder).__module__}.{type(finder).__qualname__}" for finder in sys.meta_path]
    return [str(entry) for entry in sys.path], finders, modules


def _same_code(
    theirs: tuple[list[str], list[str], dict[str, str]],
    ours: tuple[list[str], list[str], dict[str, str]],
) -> bool:
    """Whether the hook process (``theirs``) would run the checker's code (``ours``): the same
    finders, every module both imported from the same file, and each package only the checker
    imported found at the same place on the hook process's ``sys.path``."""
    (path, finders, modules), (our_path, our_finders, our_modules) = theirs, ours
    if finders[: len(our_finders)] != our_finders:  # finders appended later are asked later
        return False
    if any(modules[name] != file for name, file in our_modules.items() if name in modules):
        return False
    if path == our_path:
        return True
    # An in-tree backend's backend-path went first on sys.path after the fork.
    tops = [name for name in our_modules if "." not in name and name not in modules]
    return all(_found_on(path, name) == our_modules[name] for name in tops)


def shadowed(path: list[str]) -> bool:
    """In the hook process, once the inner backend's import changed ``sys.path`` (from
    ``path``, as the checker still has it): whether a library of the check that this process
    has loaded is not the one the checker finds (poetry-core's vendored ``packaging``). The
    checker's answer would not be taken then (:func:`answer`), so it is not waited for. Only
    the path finder is asked, with ``path`` given to it: unlike :func:`_found_on` in the
    checker, the hook process must not borrow its own ``sys.path`` (the inner backend may run
    threads by now), and an answer that is wrong here costs a second fork, never a verdict."""
    import sys
    from importlib.machinery import PathFinder

    try:
        for name in ("packaging", "pyproject_metadata", "tomli"):
            module = sys.modules.get(name)
            if module is not None and _origin(PathFinder.find_spec(name, path)) != _location(
                module
            ):
                return True
    except Exception:
        return True
    return False


def _location(module: object) -> str:
    """Where a module was loaded from: its file, or a namespace package's directories."""
    file = getattr(module, "__file__", None)
    return str(file) if file is not None else repr(list(getattr(module, "__path__", None) or []))


def _origin(spec: Any) -> str:
    """Where a module spec would load from, spelled as :func:`_location` spells it."""
    if spec is None:
        return "None"
    if spec.origin not in (None, "namespace"):
        return str(spec.origin)
    return repr(list(spec.submodule_search_locations or []))


def _found_on(path: list[str], name: str) -> str:
    """The file the hook process would import top-level module ``name`` from, given its
    ``sys.path`` (in the checker, a throwaway process: its own ``sys.path`` is borrowed)."""
    import sys

    saved = sys.path[:]
    sys.path[:] = path
    try:
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, None) if find is not None else None
            if spec is not None:
                return _origin(spec)
        return "None"
    finally:
        sys.path[:] = saved


def answered(data: bytes | None) -> tuple[str | None, list[str]] | None:
    """The checker's :func:`answer`, or ``None`` when there is none (check here)."""
    if not data:
        return None
    try:
        told = marshal.loads(data)
    except (EOFError, ValueError, TypeError):  # cut short: the checker ended while writing
        return None
    if type(told) is not tuple or len(told) != 2:
        return None
    said, shouted = told
    if not (said is None or isinstance(said, str)) or not isinstance(shouted, list):
        return None
    if not all(isinstance(message, str) for message in shouted):
        return None
    return said, shouted


def findings_for(
    here: Session,
    kind: Kind,
    built: Artifact,
    metadata_directory: str | None,
    *,
    fast_path: bool = False,
) -> list[Finding]:
    """Read the other inputs of one built file once and let the engine's seal verdict judge;
    ``metadata_directory`` is the prepared metadata that binds (``None``: none), and
    ``fast_path`` says it is metaseal's answer from PKG-INFO (METADATA only, no entry points)."""
    from pathlib import Path

    from metaseal.engine.seal import binds_project, check_built
    from metaseal.sources.artifacts import read_source
    from metaseal.sources.pyproject import static_project

    root = Path(here.root)
    pkg_info = root / "PKG-INFO"
    promise = read_source(str(pkg_info)) if kind != "sdist" and pkg_info.is_file() else None
    table = here.pyproject.get("project")
    project = None
    if isinstance(table, dict) and binds_project(kind, promise):
        project = static_project(here.pyproject, root / "pyproject.toml")
    dynamic = table.get("dynamic") if isinstance(table, dict) else None
    declared = (
        frozenset(k for k in dynamic if isinstance(k, str))
        if isinstance(dynamic, list)
        else frozenset()
    )
    prepared_dir = Path(metadata_directory) if metadata_directory else None
    prepared = entry_points = None
    if prepared_dir is not None and (prepared_dir / "METADATA").is_file():
        prepared = read_source(os.path.normpath(prepared_dir))
        # The inner backend prepared the .dist-info: its entry_points.txt binds the wheel too
        # (the fast path answers METADATA only: PKG-INFO has no entry points).
        if kind != "sdist" and not fast_path:
            from metaseal.backend._distinfo import entry_points_of

            entry_points = entry_points_of(prepared_dir, Path(built.source))
    return check_built(
        kind,
        built,
        promise=promise,
        project=project,
        prepared=prepared,
        allow_dynamic=here.settings.allow_dynamic,
        declared_dynamic=declared,
        entry_points=entry_points,
    )


def verify(
    here: Session,
    kind: Kind,
    path: str,
    metadata_directory: str | None,
    *,
    fast_path: bool = False,
    shout: Callable[[str], None] = shout,
) -> str | None:
    """THE seal check: raise :class:`SealBroken`, or report and keep, as the settings say;
    ``metadata_directory`` is the prepared metadata that binds (``None``: none), ``fast_path``
    says it is metaseal's answer from PKG-INFO (no entry points).
    Return the warnings printed (with ``shout``) when the verdict kept the file ("" for
    none), ``None`` when it was kept only because of ``mode = "warn"`` or the escape hatch."""
    from metaseal.backend._bytewise import identical_to_pkg_info
    from metaseal.backend._staging import check_identity

    headers = identical_to_pkg_info(here.root, kind, path, metadata_directory, fast_path=fast_path)
    if headers is not None:
        try:
            check_identity(kind, path, _first(headers, "name"), _first(headers, "version"))
        except ArtifactError as exc:
            raise _not_published(here, path, exc) from None
        return ""
    from metaseal.engine.seal import Verdict
    from metaseal.sources.artifacts import read_source

    settings = here.settings
    # The built file itself must be readable and say what its name says, escape hatch or not:
    # the hatch publishes drifting metadata, never a file that is not a valid distribution.
    try:
        built = read_source(path)
        check_identity(
            kind,
            path,
            next(iter(built.parsed.values("name")), "").strip(),
            next(iter(built.parsed.values("version")), "").strip(),
        )
    except ArtifactError as exc:
        raise _not_published(here, path, exc) from None
    try:
        findings = findings_for(here, kind, built, metadata_directory, fast_path=fast_path)
    except ArtifactError as exc:
        if not settings.allow_broken_seal:
            raise
        name = os.path.basename(path)
        shout(f"metaseal: warning: {exc}; {HATCH} is set, so `{name}` was not checked.")
        return None
    if kind == "sdist":
        _warn_if_unsealed(here, built, shout)
    verdict = Verdict.of(findings, strict=settings.strict)
    blocking, warned = list(verdict.blocking), list(verdict.warned)
    if not blocking and not warned:
        return ""
    from metaseal.report.seal import render_refusal, render_warnings

    name, backend = built.label, describe_backend(settings)
    if not blocking:
        said = render_warnings(kind, name, backend, warned)
        shout(said)
        return said
    from_sdist = kind != "sdist" and os.path.isfile(os.path.join(here.root, "PKG-INFO"))
    has_project = isinstance(here.pyproject.get("project"), dict)
    if settings.mode == "error" and not settings.allow_broken_seal:
        report = render_refusal(
            kind,
            name,
            backend,
            blocking + warned,
            from_sdist=from_sdist,
            inner=settings.backend,
            has_project=has_project,
        )
        raise SealBroken(name, report)
    why = f"{HATCH} is set" if settings.allow_broken_seal else '`tool.metaseal.mode` is "warn"'
    shout(
        render_refusal(
            kind, name, backend, blocking + warned, from_sdist=from_sdist, kept_because=why
        )
    )
    return None


def _not_published(here: Session, path: str, exc: ArtifactError) -> ArtifactError:
    """``exc`` about a staged file, named by its file name (the staging path means nothing)."""
    backend = describe_backend(here.settings)
    name = os.path.basename(path)
    return ArtifactError(name, f"{exc.reason} It was built by {backend} and not published.")


def _first(headers: Mapping[str, list[str]], name: str) -> str:
    values = headers.get(name, [])
    return values[0] if values else ""


def _warn_if_unsealed(here: Session, sdist: Artifact, shout: Callable[[str], None]) -> None:
    version = sdist.parsed.metadata_version or "(missing)"
    if formats.is_sealed(version):
        return
    shout(
        f"metaseal: `{sdist.label}` says Metadata-Version {version}, below 2.2, so it cannot be "
        "sealed: wheels built from it promise nothing and are not checked against it. It was "
        f"built by {describe_backend(here.settings)}: upgrade to a version that writes "
        "Metadata-Version 2.2 or later."
    )
