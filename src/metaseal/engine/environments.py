"""The PEP 508 marker environments a wheel can be installed in, derived from its tags (pure).

A marker environment here is the dict of the eight variables wheel tags can tell apart (see
:data:`ENVIRONMENT_KEYS`). :func:`environments_for` lists every environment, out of a fixed,
documented table, in which an installer could pick a wheel with the given tags:

* **Interpreters** (:data:`SUPPORTED`, :data:`PYPY_SUPPORTED`): CPython 3.8-3.14, plus the
  free-threaded builds of 3.13 and 3.14 (``cp313t``; their marker environment is the same as the
  regular build's, which is exactly why a ``cp313t`` wheel cannot be told apart by markers), and
  PyPy 3.8-3.11 (ABI ``pypy3X_pp73``). Which interpreter/ABI pairs each build accepts is not
  written here: it comes from :func:`packaging.tags.cpython_tags`, :func:`~packaging.tags.
  generic_tags` and :func:`~packaging.tags.compatible_tags`, the functions installers use. So
  ``cp312-cp312`` is CPython 3.12 only, ``cp39-abi3`` is CPython 3.9 and later (not the
  free-threaded builds), ``py3-none`` is every CPython and PyPy, and ``py39-none`` is 3.9 *and
  later* (packaging accepts older ``pyXY`` tags on newer Pythons).
* **Full versions** (:data:`FULL_VERSIONS`): three points per minor version (``.0``, ``.1`` and a
  late bugfix release), so that a requirement's own ``python_full_version`` marker is evaluated
  on both sides of the usual boundaries.
* **Platforms** (:data:`PLATFORMS`): Linux on ten machines, macOS on ``x86_64`` and ``arm64``,
  Windows on ``AMD64``, ``x86`` and ``ARM64``. macOS tags are matched with
  :func:`packaging.tags.mac_platforms` (up to macOS 40); packaging offers no generator that does
  not depend on the running system for Linux and Windows, so their tags are listed here
  (``linux_*``, ``manylinux_2_*``, the legacy ``manylinux1/2010/2014`` aliases and
  ``musllinux_1_*``/``_2_*``; ``win32``, ``win_amd64``, ``win_arm64``). A 32-bit interpreter on
  a 64-bit system reports the system's machine: ``win32`` wheels are installable where
  ``platform_machine`` is ``AMD64`` (WOW64), ``i686`` wheels where it is ``x86_64``, ``armv7l``
  wheels where it is ``aarch64``.

Not modelled (a wheel tagged only for these gets no environment): other interpreters (GraalPy,
Pyston), iOS and Android tags, debug builds, and x86/x64 emulation on Windows on ARM.
"""

from __future__ import annotations

import fnmatch
import functools
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.tags import Tag, compatible_tags, cpython_tags, generic_tags, mac_platforms
from packaging.version import Version

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "ENVIRONMENT_KEYS",
    "FULL_VERSIONS",
    "PLATFORMS",
    "PYPY_SUPPORTED",
    "SUPPORTED",
    "Platform",
    "describe_wheels",
    "environments_for",
    "evaluation_environment",
    "machine_note",
    "platform_family",
]

#: The marker variables an environment sets, in this order.
ENVIRONMENT_KEYS: tuple[str, ...] = (
    "implementation_name",
    "platform_python_implementation",
    "python_version",
    "python_full_version",
    "sys_platform",
    "platform_system",
    "os_name",
    "platform_machine",
)

#: Full-version points per minor version: first release, first bugfix, a late bugfix.
FULL_VERSIONS: dict[str, tuple[str, ...]] = {
    "2.7": ("2.7.0", "2.7.1", "2.7.18"),
    "3.5": ("3.5.0", "3.5.1", "3.5.10"),
    "3.6": ("3.6.0", "3.6.1", "3.6.15"),
    "3.7": ("3.7.0", "3.7.1", "3.7.17"),
    "3.8": ("3.8.0", "3.8.1", "3.8.20"),
    "3.9": ("3.9.0", "3.9.1", "3.9.23"),
    "3.10": ("3.10.0", "3.10.1", "3.10.18"),
    "3.11": ("3.11.0", "3.11.1", "3.11.13"),
    "3.12": ("3.12.0", "3.12.1", "3.12.11"),
    "3.13": ("3.13.0", "3.13.1", "3.13.7"),
    "3.14": ("3.14.0", "3.14.1", "3.14.2"),
}
#: CPython minor versions considered by default.
SUPPORTED: tuple[str, ...] = tuple(FULL_VERSIONS)
#: PyPy language versions (all PyPy 7.3.x: ABI ``pypy3X_pp73``, and ``pypy_73`` for PyPy2.7).
PYPY_SUPPORTED: tuple[str, ...] = ("2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11")
#: CPython versions with a free-threaded build (ABI ``cp3Xt``).
_FREE_THREADED_FROM = (3, 13)
_PYPY_VERSION = "7.3.19"  # implementation_version for evaluation only
_PLACEHOLDER = "metaseal_platform"  # stands for "some concrete platform" in generated tags


@dataclass(frozen=True)
class Platform:
    """One operating system and machine, as the marker variables report them."""

    sys_platform: str
    platform_system: str
    os_name: str
    platform_machine: str
    #: Every platform tag an installer on this platform accepts.
    accepts: frozenset[str] = field(repr=False)


#: Linux machine -> the tag architectures an interpreter there may use (32-bit on 64-bit).
_LINUX_MACHINES: dict[str, tuple[str, ...]] = {
    "x86_64": ("x86_64", "i686"),
    "i686": ("i686",),
    "aarch64": ("aarch64", "armv8l", "armv7l"),
    "armv8l": ("armv8l", "armv7l"),
    "armv7l": ("armv7l",),
    "ppc64le": ("ppc64le",),
    "ppc64": ("ppc64",),
    "s390x": ("s390x",),
    "riscv64": ("riscv64",),
    "loongarch64": ("loongarch64",),
}
_LEGACY_MANYLINUX: dict[str, tuple[str, ...]] = {
    "manylinux1": ("x86_64", "i686"),
    "manylinux2010": ("x86_64", "i686"),
    "manylinux2014": ("x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"),
}
_WINDOWS_MACHINES: dict[str, tuple[str, ...]] = {
    "AMD64": ("win_amd64", "win32"),
    "x86": ("win32",),
    "ARM64": ("win_arm64",),
}
_WINDOWS_FAMILY = {
    "win_amd64": ("win", "amd64"),
    "win32": ("win", "32"),
    "win_arm64": ("win", "arm64"),
}


def _linux_tags(arch: str) -> dict[str, tuple[str, str]]:
    """Every Linux platform tag for one architecture -> (family, architecture)."""
    tags = {f"linux_{arch}": ("linux", arch)}
    tags.update({f"manylinux_2_{minor}_{arch}": ("manylinux", arch) for minor in range(100)})
    for musl in (1, 2):
        tags.update({f"musllinux_{musl}_{m}_{arch}": ("musllinux", arch) for m in range(100)})
    for legacy, archs in _LEGACY_MANYLINUX.items():
        if arch in archs:
            tags[f"{legacy}_{arch}"] = ("manylinux", arch)
    return tags


_LINUX_FAMILY: dict[str, tuple[str, str]] = {
    tag: family
    for archs in _LINUX_MACHINES.values()
    for arch in archs
    for tag, family in _linux_tags(arch).items()
}


def _linux(machine: str) -> Platform:
    archs = _LINUX_MACHINES[machine]
    accepts = frozenset(tag for tag, (_f, arch) in _LINUX_FAMILY.items() if arch in archs)
    return Platform("linux", "Linux", "posix", machine, accepts)


def _darwin(machine: str) -> Platform:
    return Platform(
        "darwin", "Darwin", "posix", machine, frozenset(mac_platforms((40, 0), machine))
    )


def _windows(machine: str) -> Platform:
    return Platform("win32", "Windows", "nt", machine, frozenset(_WINDOWS_MACHINES[machine]))


#: The platforms a ``*-any`` wheel (or a ``py3-none-<platform>`` one) is considered on.
PLATFORMS: tuple[Platform, ...] = (
    *(_linux(machine) for machine in _LINUX_MACHINES),
    _darwin("x86_64"),
    _darwin("arm64"),
    *(_windows(machine) for machine in _WINDOWS_MACHINES),
)


@dataclass(frozen=True)
class _Build:
    implementation: str  # implementation_name
    python: str  # "3.12"
    #: Interpreter/ABI pairs it accepts, as tags on ``_PLACEHOLDER`` or ``any``.
    accepts: frozenset[Tag] = field(repr=False)


def _version_pair(python: str) -> tuple[int, int] | None:
    try:
        release = Version(python).release
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return None
    return (release[0], release[1]) if len(release) >= 2 else None


@functools.lru_cache(maxsize=64)
def _builds(pythons: tuple[str, ...]) -> tuple[_Build, ...]:
    builds = []
    platforms = [_PLACEHOLDER]
    for given in pythons:
        pair = _version_pair(given)
        if pair is None:
            continue
        python, nodot = f"{pair[0]}.{pair[1]}", f"{pair[0]}{pair[1]}"
        generic = set(compatible_tags(pair, f"cp{nodot}", platforms))
        abis = [f"cp{nodot}"]
        if pair < (3, 8):  # pymalloc builds: cp37m; Python 2 also had wide-unicode cp27mu
            abis = [f"cp{nodot}m", f"cp{nodot}mu"] if pair[0] == 2 else [f"cp{nodot}m"]
        if pair >= _FREE_THREADED_FROM:
            abis.append(f"cp{nodot}t")
        for abi in abis:
            accepted = frozenset(cpython_tags(pair, [abi], platforms)) | generic
            builds.append(_Build("cpython", python, accepted))
        if python in PYPY_SUPPORTED:
            interpreter = f"pp{nodot}"
            abi = "pypy_73" if pair[0] == 2 else f"pypy{nodot}_pp73"
            accepted = frozenset(generic_tags(interpreter, [abi], platforms))
            accepted |= frozenset(compatible_tags(pair, interpreter, platforms))
            builds.append(_Build("pypy", python, accepted))
    return tuple(builds)


def _full_versions(python: str) -> tuple[str, ...]:
    return FULL_VERSIONS.get(python, (f"{python}.0",))


@functools.lru_cache(maxsize=1024)
def _platforms_accepting(platform: str) -> tuple[Platform, ...]:
    if platform == "any":
        return PLATFORMS
    return tuple(p for p in PLATFORMS if platform in p.accepts)


def _environment(build: _Build, full: str, platform: Platform) -> dict[str, str]:
    return {
        "implementation_name": build.implementation,
        "platform_python_implementation": "CPython"
        if build.implementation == "cpython"
        else "PyPy",
        "python_version": build.python,
        "python_full_version": full,
        "sys_platform": platform.sys_platform,
        "platform_system": platform.platform_system,
        "os_name": platform.os_name,
        "platform_machine": platform.platform_machine,
    }


def _build_platforms(build: _Build, tags: Iterable[Tag]) -> list[Platform]:
    found: dict[Platform, None] = {}
    for tag in tags:
        generic_platform = "any" if tag.platform == "any" else _PLACEHOLDER
        if Tag(tag.interpreter, tag.abi, generic_platform) in build.accepts:
            found.update(dict.fromkeys(_platforms_accepting(tag.platform)))
    return [p for p in PLATFORMS if p in found]  # table order


def environments_for(
    tags: frozenset[Tag], *, python_versions: Sequence[str] = SUPPORTED
) -> list[dict[str, str]]:
    """Every marker environment (of the fixed table) in which a wheel with ``tags`` installs.

    Ordered by implementation/version build, then platform table order, then full version;
    without duplicates (a free-threaded build adds no new environment).
    """
    seen: set[tuple[str, ...]] = set()
    result = []
    ordered = sorted(tags, key=str)
    for build in _builds(tuple(python_versions)):
        platforms = _build_platforms(build, ordered)
        for platform, full in itertools.product(platforms, _full_versions(build.python)):
            env = _environment(build, full, platform)
            key = tuple(env.values())
            if key not in seen:
                seen.add(key)
                result.append(env)
    return result


def evaluation_environment(env: Mapping[str, str], extra: str = "") -> dict[str, str]:
    """A complete environment for :meth:`packaging.markers.Marker.evaluate`.

    The variables tags cannot tell apart get fixed neutral values, so evaluation never falls
    back to the running interpreter's own values.
    """
    pypy = env.get("implementation_name") == "pypy"
    return {
        "implementation_version": _PYPY_VERSION if pypy else env["python_full_version"],
        "platform_release": "",
        "platform_version": "",
        **env,
        "extra": extra,
    }


def platform_family(platform: str) -> tuple[str, str] | None:
    """``(family, architecture)`` of a platform tag, e.g. ``("manylinux", "x86_64")``.

    Families: ``linux``, ``manylinux``, ``musllinux``, ``macosx`` (the architecture is the
    binary format, e.g. ``universal2``), ``win``; ``None`` for ``any`` and unknown tags.
    """
    if platform in _LINUX_FAMILY:
        return _LINUX_FAMILY[platform]
    if platform in _WINDOWS_FAMILY:
        return _WINDOWS_FAMILY[platform]
    parts = platform.split("_", 3)
    if len(parts) == 4 and parts[0] == "macosx" and parts[1].isdigit() and parts[2].isdigit():
        return ("macosx", parts[3])
    return None


_MACHINE_NOTES = {
    ("win", "32", "AMD64"): (
        '32-bit CPython on 64-bit Windows (WOW64) reports platform_machine "AMD64", exactly '
        "like 64-bit CPython"
    ),
    ("i686", "x86_64"): (
        '32-bit Python on a 64-bit Linux kernel reports platform_machine "x86_64", exactly '
        "like 64-bit Python"
    ),
    ("armv7l", "aarch64"): (
        '32-bit ARM Python on a 64-bit kernel reports platform_machine "aarch64", exactly like '
        "64-bit Python"
    ),
}


def machine_note(platform: str, machine: str) -> str | None:
    """Why a wheel for ``platform`` installs where ``platform_machine`` is ``machine``, when
    that is not the platform's own machine (the WOW64 case and its Linux counterparts)."""
    family = platform_family(platform)
    if family is None:
        return None
    if family[0] == "win":
        return _MACHINE_NOTES.get((*family, machine))
    arch = "armv7l" if family[1] in ("armv7l", "armv8l") else family[1]
    return _MACHINE_NOTES.get((arch, machine))


def _interpreter_globs(interpreter: str) -> list[str]:
    letters = interpreter.rstrip("0123456789")
    digits = interpreter[len(letters) :]
    return [f"{letters}{digits[0]}*"] if len(digits) > 1 else []


def _platform_globs(platform: str) -> list[str]:
    family = platform_family(platform)
    if family is None:
        return []
    name, arch = family
    if name == "win":
        return ["win*"]
    if name == "macosx":
        return ["macosx_*", f"macosx_*_{arch}", f"*_{arch}"]
    if name == "linux":
        return ["*linux*", "linux_*", f"*_{arch}"]
    return ["*linux*", f"{name}*", f"{name}*_{arch}", f"*_{arch}"]


def _globs(tag: Tag) -> list[str]:
    """Glob patterns over ``interpreter-abi-platform`` that match ``tag``, general first."""
    interpreters = ["*", *_interpreter_globs(tag.interpreter), tag.interpreter]
    platforms = ["*", *_platform_globs(tag.platform), tag.platform]
    return [f"{i}-{a}-{p}" for i in interpreters for a in ("*", tag.abi) for p in platforms]


def _specificity(glob: str) -> tuple[int, int]:
    interpreter, abi, platform = glob.split("-")
    literal = (interpreter != "*") + 2 * (abi != "*") + (platform != "*")  # ABIs say little
    return (literal, len(glob))


def _shown(glob: str) -> str:
    interpreter, abi, platform = glob.split("-")
    if abi == "*" and platform == "*":
        return f"{interpreter} wheels"
    return f"{interpreter}-{platform}" if abi == "*" else glob


def _tags_text(tags: frozenset[Tag]) -> str:
    parts = [
        sorted({getattr(t, attr) for t in tags}) for attr in ("interpreter", "abi", "platform")
    ]
    return "-".join(".".join(part) for part in parts) if tags else "(no tags)"


def describe_wheels(
    tag_sets: Sequence[frozenset[Tag]], selected: Iterable[int], labels: Sequence[str] = ()
) -> str:
    """A compact description of the wheels at ``selected`` among ``tag_sets``, by tag pattern.

    For example "only *-win_amd64", "cp39 wheels only", "every wheel except cp3*-win32".
    When no one or two patterns fit, the wheels are listed (by ``labels`` when given).
    """
    chosen = frozenset(selected)
    rest = frozenset(range(len(tag_sets))) - chosen

    memo: dict[str, frozenset[int]] = {}

    def matching(glob: str) -> frozenset[int]:
        if glob not in memo:
            memo[glob] = frozenset(
                i
                for i, tags in enumerate(tag_sets)
                if any(fnmatch.fnmatchcase(str(t), glob) for t in tags)
            )
        return memo[glob]

    found: list[tuple[int, int, int, int, str]] = []
    for rank, group in enumerate((chosen, rest)):
        globs = sorted(
            {g for i in group for tag in tag_sets[i] for g in _globs(tag)},
            key=lambda g: (*_specificity(g), g),
        )
        fit: tuple[str, ...] | None = next(((g,) for g in globs if matching(g) == group), None)
        pairs = itertools.combinations(globs[:40], 2)
        fit = fit or next((p for p in pairs if matching(p[0]) | matching(p[1]) == group), None)
        if fit is not None:
            shown = " and ".join(_shown(g) for g in fit)
            if rank:
                text = f"every wheel except {shown}"
            else:
                single = len(fit) == 1 and fit[0].endswith("-*-*")
                text = f"{shown} only" if single else f"only {shown}"
            literal = sum(_specificity(g)[0] for g in fit)
            found.append((len(fit), literal, rank, len(shown), text))
    if found:
        return min(found)[-1]
    listed = list(labels) or [_tags_text(tags) for tags in tag_sets]
    if len(chosen) <= len(rest):
        return "only " + ", ".join(listed[i] for i in sorted(chosen))
    return "every wheel except " + ", ".join(listed[i] for i in sorted(rest))
