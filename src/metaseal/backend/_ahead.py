"""Check ahead: the seal check's imports, made while the inner backend builds.

Checking a freshly built sdist (or a wheel built from a source tree) against ``[project]`` needs
the engine, pyproject-metadata and packaging: 20-60 ms of imports per build on the benchmark
machine, 5-60% of a fast build, paid while a second CPU waits idle. So, on Linux with two or
more usable CPUs, a hook process that has only one thread forks a *checker* before it imports
the inner backend (:func:`start`). The checker imports what the check needs while the inner
backend imports and builds, then waits. Once the file is staged, the hook process sends it the
job (:meth:`Checker.judge`) and the checker runs the same check, in its own copy of the same
process state (as it was at the fork), on the same staged file.

Only one kind of answer is taken from the checker: the file is kept, with what the check said
and every message it would have printed (the hook process prints them, in order). A refusal,
an error, a crash or no answer at all, and the hook process runs the check itself, so every
refusal, error and exit code comes from the hook process exactly as without a checker; and the
checker answers only when the code it ran is the code the hook process would run (see
:mod:`metaseal.backend._verify`; when the inner backend loads its own copy of a library the
check uses while it is imported, as poetry-core does with ``packaging``, the hook process forks
another checker after that import). The checker writes no file but what Python's imports write
(``__pycache__``); its standard output and error are ``/dev/null``; it gets SIGKILL as soon as
its answer is not needed (a memo hit, a failed build; :meth:`Checker.close`); it ends if the
hook process ends while it waits for its job, and SIGALRM ends it :data:`LIFETIME` seconds
after the fork, whatever it is doing. The hook process reaps it before returning, so no process
outlives the hook.

The ``check-ahead`` setting (``METASEAL_CHECK_AHEAD=0``) turns it off: the check then runs after
the build, in the hook process, as on other platforms.

Standard library only, like the rest of the backend's hook path.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

__all__ = ["LIFETIME", "Checker", "start"]

#: Seconds a checker lives (SIGALRM ends it then, answered or not): a build that takes
#: longer is checked in the hook process, and nothing waits for a stuck checker for longer.
LIFETIME = 300

#: The largest job sent (a few paths and the files of the modules the check uses).
_MAX_JOB = 60_000

#: SIGKILL's number (POSIX), without importing :mod:`signal` on the hook path.
_SIGKILL = 9


class Checker:
    """A forked checker: :meth:`judge` a staged file once, or :meth:`close` it unused."""

    __slots__ = ("_ended", "_froze", "_job", "_pid", "_reply")

    def __init__(self, pid: int, job: int, reply: int, *, froze: bool) -> None:
        self._pid, self._job, self._reply, self._froze = pid, job, reply, froze
        #: The checker has exited (its end of the reply pipe closed): never signal its pid.
        self._ended = False

    def judge(self, job: bytes) -> bytes | None:
        """Send ``job`` and wait for the checker's answer: ``None`` when it gave none (it
        raised, crashed or had ended). The checker is gone afterwards."""
        chunks: list[bytes] = []
        try:
            if len(job) <= _MAX_JOB and self._alive():
                data = memoryview(len(job).to_bytes(4, "big") + job)
                while data:  # a pipe may hold less than the job: the checker reads it
                    data = data[os.write(self._job, data) :]
                while chunk := os.read(self._reply, 65536):  # until the checker exits
                    chunks.append(chunk)
                self._ended = True
        except OSError:  # the checker is gone (EPIPE): no answer
            chunks.clear()
        finally:
            self.close()
        return b"".join(chunks) or None

    def _alive(self) -> bool:
        """Whether the checker still runs (if it ended, it is reaped here): writing to the pipe
        of an ended checker would raise SIGPIPE, fatal where a host restored its default."""
        try:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            pid = self._pid
        if pid == 0:
            return True
        self._pid, self._ended = 0, True
        self._release()
        return False

    def close(self) -> None:
        """End the checker (SIGKILL: it holds nothing to clean up) and reap it."""
        if self._pid <= 0:
            return
        pid, self._pid = self._pid, 0
        self._release()
        if not self._ended:  # an ended checker's pid may already belong to another process
            with suppress(OSError):
                os.kill(pid, _SIGKILL)
        with suppress(ChildProcessError):  # reaped elsewhere (SIGCHLD ignored, a host's wait)
            os.waitpid(pid, 0)

    def _release(self) -> None:
        for fd in (self._job, self._reply):
            with suppress(OSError):
                os.close(fd)
        if self._froze:
            self._froze = False
            gc.unfreeze()


def start(warm: Callable[[], object], check: Callable[[bytes], bytes]) -> Checker | None:
    """Fork a checker that runs ``warm()`` at once, then ``check(job)`` on the job it is sent,
    and answers with what that returns (nothing if it raises). ``None`` (check in this
    process) off Linux, with one usable CPU, when this process has more than one thread (a
    fork could copy a lock another thread holds), or when the fork fails."""
    if sys.platform != "linux":
        return None
    try:
        threads = len(os.listdir("/proc/self/task"))  # noqa: PTH208
        if len(os.sched_getaffinity(0)) < 2 or threads != 1:
            return None
    except OSError:
        return None
    job_in, job_out = os.pipe()
    reply_in, reply_out = os.pipe()
    parent = os.getpid()
    # Objects older than the fork are left out of this process's collections while the
    # checker runs, so a collection does not copy every page they share with it; only if
    # nothing else froze objects (a host's own freeze is never undone here).
    froze = gc.get_freeze_count() == 0
    try:
        if froze:
            gc.freeze()
        pid = os.fork()
    except BaseException as exc:  # EAGAIN, ENOMEM, or an interrupt: check here, or unwind
        if froze:
            gc.unfreeze()
        for fd in (job_in, job_out, reply_in, reply_out):
            os.close(fd)
        if isinstance(exc, OSError):
            return None
        raise
    if pid == 0:  # pragma: no cover - the checker (its coverage is not collected)
        _checker(job_in, job_out, reply_in, reply_out, warm, check, parent)
    os.close(job_in)
    os.close(reply_out)
    return Checker(pid, job_out, reply_in, froze=froze)


def _checker(  # pragma: no cover - runs in the forked checker only
    job_in: int,
    job_out: int,
    reply_in: int,
    reply_out: int,
    warm: Callable[[], object],
    check: Callable[[bytes], bytes],
    parent: int,
) -> NoReturn:
    """The checker's whole life; it ends in :func:`os._exit`, so nothing of the hook process
    (``finally`` blocks, atexit handlers, buffered output) runs or is flushed twice."""
    try:
        import signal

        for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)  # not the handlers of the hook process
        signal.alarm(LIFETIME)
        os.close(job_out)
        os.close(reply_in)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = open(null, "w", encoding="utf-8")  # noqa: SIM115, PTH123
        warm()
        job = _message(job_in, parent)
        if job is not None:
            data = memoryview(check(job))
            while data:
                data = data[os.write(reply_out, data) :]
    except BaseException:  # no answer means: the hook process checks
        pass
    finally:
        os._exit(0)


def _message(fd: int, parent: int) -> bytes | None:  # pragma: no cover - in the checker only
    """One length-prefixed job, or ``None`` when the hook process closed the pipe or ended
    (checked every second: a process the hook process forked may hold the pipe open)."""
    import select

    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    data = b""
    while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
        if len(data) >= 4 and int.from_bytes(data[:4], "big") > _MAX_JOB:
            return None
        if not waiting.poll(1000):
            if os.getppid() != parent:
                return None
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        data += chunk
    return data[4:]
