"""Check ahead: the seal check's imports, made while the inner backend builds.

Checking a freshly built sdist (or a wheel built from a source tree) against ``[project]`` needs
the engine, pyproject-metadata and packaging: 20-25 ms of imports per build on the benchmark
machine, 5-15% of a fast build, paid while a second CPU waits idle. So, on Linux with two or
more usable CPUs, a hook process that has only one thread forks a *checker* before it imports
the inner backend (:func:`start`). The checker imports what the check needs while the inner
backend imports and builds, then waits. Once the file is staged, the hook process sends it the
job (:meth:`Checker.judge`) and the checker runs the same check, in its own copy of the same
process state, on the same staged file.

Only one answer is taken from the checker: "clean", the file is kept and nothing is printed.
Anything else (a finding, a warning, an error, a crash, no answer) and the hook process runs
the check itself, so every report, refusal and exit code comes from the hook process exactly
as without a checker. The checker writes nowhere: its standard output and error are
``/dev/null``, it reads only what the check reads, it gets SIGKILL as soon as its answer is not
needed (a memo hit, a failed build; :meth:`Checker.close`), and SIGALRM ends it after
:data:`LIFETIME` seconds whatever happens. The hook process always reaps it before returning,
so no process outlives the hook.

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

#: Seconds after which a checker ends itself (SIGALRM), answered or not.
LIFETIME = 300

#: The largest job sent (a job is a few paths; a pipe holds 64 KiB).
_MAX_JOB = 60_000


class Checker:
    """A forked checker: :meth:`judge` a staged file once, or :meth:`close` it unused."""

    __slots__ = ("_job", "_pid", "_reply")

    def __init__(self, pid: int, job: int, reply: int) -> None:
        self._pid, self._job, self._reply = pid, job, reply

    def judge(self, job: bytes) -> bytes | None:
        """Send ``job`` and wait for the checker's answer: ``None`` when it gave none (it
        raised, crashed or was ended). The checker is gone afterwards."""
        chunks: list[bytes] = []
        try:
            if len(job) <= _MAX_JOB:  # one write that fits a pipe's buffer: it cannot block
                os.write(self._job, len(job).to_bytes(4, "big") + job)
                while chunk := os.read(self._reply, 65536):  # until the checker exits
                    chunks.append(chunk)
        except OSError:  # the checker is gone (EPIPE): no answer
            chunks.clear()
        finally:
            self.close()
        return b"".join(chunks) or None

    def close(self) -> None:
        """End the checker (SIGKILL: it holds nothing to clean up) and reap it."""
        if self._pid <= 0:
            return
        pid, self._pid = self._pid, 0
        gc.unfreeze()
        for fd in (self._job, self._reply):
            os.close(fd)
        with suppress(OSError):  # already exited
            os.kill(pid, 9)  # SIGKILL, without importing signal
        while True:
            try:
                os.waitpid(pid, 0)
            except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
                continue
            except ChildProcessError:  # reaped elsewhere (an in-process caller's own handler)
                pass
            break


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
    gc.freeze()  # the objects so far: no collection in this process copies their pages now
    try:
        pid = os.fork()
    except OSError:  # EAGAIN, ENOMEM: check here
        gc.unfreeze()
        for fd in (job_in, job_out, reply_in, reply_out):
            os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the checker (its coverage is not collected)
        _checker(job_in, job_out, reply_in, reply_out, warm, check)
    os.close(job_in)
    os.close(reply_out)
    return Checker(pid, job_out, reply_in)


def _checker(  # pragma: no cover - runs in the forked checker only
    job_in: int,
    job_out: int,
    reply_in: int,
    reply_out: int,
    warm: Callable[[], object],
    check: Callable[[bytes], bytes],
) -> NoReturn:
    """The checker's whole life; it ends in :func:`os._exit`, so nothing of the hook process
    (``finally`` blocks, atexit handlers, buffered output) runs or is flushed twice."""
    try:
        import signal

        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # not a handler inherited from the caller
        signal.alarm(LIFETIME)
        os.close(job_out)
        os.close(reply_in)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = open(null, "w", encoding="utf-8")  # noqa: SIM115, PTH123
        warm()
        job = _message(job_in)
        if job is not None:
            data = memoryview(check(job))
            while data:
                data = data[os.write(reply_out, data) :]
    except BaseException:  # no answer means: the hook process checks
        pass
    finally:
        os._exit(0)


def _message(fd: int) -> bytes | None:  # pragma: no cover - runs in the forked checker only
    """One length-prefixed job, or ``None`` when the hook process closed the pipe first."""
    data = b""
    while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
        if len(data) >= 4 and int.from_bytes(data[:4], "big") > _MAX_JOB:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        data += chunk
    return data[4:]
