"""Where a built file waits before it is published, and what the inner backend may answer.

The inner backend builds into a private staging directory (named ``.metaseal-<pid>-*``) in
``metaseal-<uid>``, a directory of the system temp directory that only this user can use
(:func:`staging_root`; the temp directory itself when that cannot be had), never inside the
output directory, so a build killed half way leaves no unchecked ``*.whl`` there. Its answer
must be a plain file name with the hook's suffix, naming a regular file it wrote, whose name and
version match the metadata inside (:func:`accept`, :func:`check_identity`). Publishing is one
:func:`os.replace` into the output directory; across file systems the file is first copied into
a reserved ``.metaseal-<pid>-*.part`` file there (a name no ``*.whl`` / ``*.tar.gz`` glob picks
up), then renamed. SIGTERM and SIGINT during a build clean up before the process ends
(:func:`cleanup_on_signals`); what a SIGKILL leaves behind is removed by the next build once its
process is gone (:func:`remove_stale`), which looks only at the output directory and this user's
staging root, never at the whole temp directory.

Standard library only at import time, like the rest of :mod:`metaseal.backend`.
"""

# pathlib is avoided (see _lifecycle): paths are strings here.
# ruff: noqa: PTH102, PTH105, PTH107, PTH112, PTH117, PTH118, PTH119

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager, suppress

from metaseal.errors import ArtifactError, ConfigError, MetasealError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Literal

    Kind = Literal["sdist", "wheel", "editable"]

__all__ = [
    "Stage",
    "accept",
    "check_identity",
    "cleanup_on_signals",
    "open_stage",
    "remove_stale",
    "staging_root",
]

PREFIX = ".metaseal-"
SUFFIX = {"sdist": ".tar.gz", "wheel": ".whl", "editable": ".whl"}


def _owner_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def _owner(name: str) -> int | None:
    """The process id in a ``.metaseal-<pid>-*`` name, or ``None`` for any other name."""
    if not name.startswith(PREFIX):
        return None
    pid, dash, _ = name[len(PREFIX) :].partition("-")
    if not (dash and pid.isascii() and pid.isdigit() and len(pid) <= 10):
        return None
    # A process id fits in 31 bits; os.kill() overflows on a larger one (a planted name).
    return int(pid) if int(pid) < 2**31 else None


def remove_stale(directory: str | os.PathLike[str]) -> None:
    """Remove ``.metaseal-<pid>-*`` entries of ``directory`` whose process no longer runs."""
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        pid = _owner(entry.name)
        if pid is None or _owner_alive(pid):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with suppress(OSError):
                os.remove(entry.path)


def staging_root() -> str:
    """``<temp>/metaseal-<uid>``, created with mode 0700: the staging directories of this user's
    builds, so that looking for leftovers costs the same however full the temp directory is.
    The temp directory itself when that directory cannot be created, or is not a directory
    (a link planted there), belongs to another user, or is open to others."""
    import stat
    import tempfile

    base = tempfile.gettempdir()
    if os.name != "posix":
        return base
    root = os.path.join(base, f"metaseal-{os.getuid()}")
    try:
        os.mkdir(root, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return base
    try:
        info = os.lstat(root)
    except OSError:
        return base
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ):
        return base
    return root


class Stage:
    """A private staging directory plus the reserved ``.part`` file in the output directory."""

    def __init__(self, output: str) -> None:
        import tempfile

        self.output = output
        if not os.path.isdir(output):
            raise MetasealError(
                f"the output directory `{output}` does not exist or is not a directory; "
                "nothing was built. Create it (or point the frontend at another one)."
            )
        prefix = f"{PREFIX}{os.getpid()}-"
        root = staging_root()
        remove_stale(output)
        remove_stale(root)
        try:
            fd, part = tempfile.mkstemp(dir=output, prefix=prefix, suffix=".part")
        except OSError as exc:
            raise MetasealError(
                f"cannot write to the output directory `{output}` ({exc.strerror or exc}); "
                "nothing was built. Make it writable (or point the frontend at another one)."
            ) from None
        os.close(fd)
        self.part = part
        try:
            self.directory = tempfile.mkdtemp(prefix=prefix, dir=root)
        except OSError as exc:
            os.remove(self.part)
            raise MetasealError(
                f"cannot create a staging directory in `{root}` "
                f"({exc.strerror or exc}); nothing was built. Set TMPDIR to a writable "
                "directory."
            ) from None

    def publish(self, staged: str, basename: str) -> None:
        """Move ``staged`` to ``output/basename``: rename, or copy to ``.part`` then rename."""
        target = os.path.join(self.output, basename)
        try:
            try:
                os.replace(staged, target)
            except OSError:  # another file system (EXDEV), most likely
                shutil.copyfile(staged, self.part)
                os.replace(self.part, target)
        except OSError as exc:
            raise MetasealError(
                f"the checked `{basename}` could not be written to the output directory "
                f"`{self.output}` ({exc.strerror or exc}); nothing was published there. Free "
                "space or fix its permissions and build again."
            ) from None

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        with suppress(OSError):
            os.remove(self.part)


@contextmanager
def open_stage(output: str) -> Iterator[Stage]:
    """A :class:`Stage` removed on the way out, also on SIGTERM and SIGINT."""
    stage = Stage(output)
    try:
        with cleanup_on_signals():
            yield stage
    finally:
        stage.close()


class _Terminated(BaseException):
    """SIGTERM arrived: unwind (running ``finally`` clauses), then exit 128 + SIGTERM."""


@contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM unwinds like SIGINT does, then the process exits with
    status 128 + signal; handlers are put back afterwards. A signal the process was told to
    ignore stays ignored; only the main thread can install handlers (elsewhere: no change)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame: object) -> None:
        raise _Terminated(signum)

    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except _Terminated as exc:
        raise SystemExit(128 + int(exc.args[0])) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def accept(kind: Kind, staging: str, basename: object, who: str, hook: str) -> str:
    """The staged file the inner backend named, if its answer is acceptable at all."""
    suffix = SUFFIX[kind]
    told = f"the inner backend {who} returned {basename!r} from `{hook}`"
    after = "; nothing was written to the output directory. Fix the inner backend."
    if (
        not isinstance(basename, str)
        or basename in ("", ".", "..")
        or any(sep in basename for sep in ("/", "\\", "\x00", ":"))  # ":": a Windows drive
        or os.path.isabs(basename)
    ):
        raise ConfigError(
            "tool.metaseal.backend",
            f"{told}, which is not a plain file name in the directory it was given{after}",
        )
    if not basename.endswith(suffix) or basename == suffix:
        raise ConfigError(
            "tool.metaseal.backend", f"{told}, which does not end in `{suffix}`{after}"
        )
    staged = os.path.join(staging, basename)
    try:
        mode = os.lstat(staged).st_mode
    except OSError:
        raise ConfigError(
            "tool.metaseal.backend", f"{told} but wrote no such file{after}"
        ) from None
    import stat

    if not stat.S_ISREG(mode):
        raise ConfigError(
            "tool.metaseal.backend",
            f"{told}, which is not a regular file (a link or a directory){after}",
        )
    return staged


def check_identity(kind: Kind, path: str, name: str, version: str) -> None:
    """Raise :class:`ArtifactError` unless the file name says the ``name`` and ``version``
    its metadata says (normalized as the specifications normalize them)."""
    from metaseal.engine.formats import dist_info_name, escaped_name

    basename = os.path.basename(path)
    stem = basename[: -len(SUFFIX[kind])]
    cheap = dist_info_name(name, version)
    parts = stem.split("-")
    if kind == "sdist":
        said_name, _, said_version = stem.rpartition("-")
    elif len(parts) in (5, 6):
        said_name, said_version = parts[0], parts[1]
    else:
        said_name = said_version = ""
    said = f"{escaped_name(said_name)}-{said_version}.dist-info"
    if cheap is not None and said_name and said == cheap:
        return  # the common case, decided without importing packaging
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion, Version

    try:
        if kind == "sdist":
            file_name, file_version = parse_sdist_filename(basename)
        else:
            file_name, file_version, _, _ = parse_wheel_filename(basename)
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion) as exc:
        raise ArtifactError(
            basename,
            f"is not a valid {kind if kind == 'sdist' else 'wheel'} file name ({exc}); fix the "
            "inner backend.",
        ) from None
    try:
        same_version = Version(version) == file_version
    except (InvalidVersion, ValueError):
        same_version = False
    if canonicalize_name(name) != file_name or not same_version:
        raise ArtifactError(
            basename,
            f"the file name says `{file_name}` `{file_version}` but the metadata inside says "
            f"Name `{name}` Version `{version}`; fix the inner backend so the two agree.",
        )
