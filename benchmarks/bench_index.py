"""Benchmark metaseal against a package index on 127.0.0.1 (``python benchmarks/bench_index.py``).

(a) One release of 70 wheels (plus its sdist), each a few MB of incompressible payload in
    hundreds of members, served by the static test index (``tests/index/servers.py``, in its
    own process). ``metaseal check --index`` reads it three ways: from PEP 658 sidecars, from
    HTTP range requests (the same index without sidecars), and, as the peer, by downloading
    every wheel (``--allow-download`` against a server that ignores ``Range``). Bytes are
    counted by the server (its access log), against the total size of the wheels.
(b) ``metaseal scan`` of 1,000 projects (each an sdist and two wheels with sidecars): projects
    per second, next to a floor measured in the same run (plain ``urllib`` fetching every
    project page and sidecar sequentially, no checks); then the same scan again on the finished
    database, which must send no request for a finished project.

Everything runs from this checkout (``src/`` first on ``PYTHONPATH``); scratch files go to a
temporary directory that is removed at the end. Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from factories import make_sdist, make_wheel, metadata_bytes  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

SERVER = ROOT / "tests" / "index" / "servers.py"
#: 70 tags, like a numpy release: 5 CPython versions x 14 platforms.
PLATFORMS = (
    "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_2_17_aarch64.manylinux2014_aarch64",
    "manylinux_2_28_x86_64",
    "manylinux_2_28_aarch64",
    "musllinux_1_2_x86_64",
    "musllinux_1_2_aarch64",
    "macosx_10_13_x86_64",
    "macosx_11_0_arm64",
    "macosx_14_0_x86_64",
    "macosx_14_0_arm64",
    "win_amd64",
    "win32",
    "win_arm64",
    "manylinux_2_17_ppc64le.manylinux2014_ppc64le",
)
PYTHONS = ("cp310", "cp311", "cp312", "cp313", "cp314")


def env() -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out.pop("VIRTUAL_ENV", None)
    return out


def fields(name: str, version: str, *extra: tuple[str, str]) -> bytes:
    return metadata_bytes(
        [
            ("Metadata-Version", "2.4"),
            ("Name", name),
            ("Version", version),
            ("Summary", f"{name}: a benchmark project"),
            ("Requires-Python", ">=3.10"),
            ("Requires-Dist", "packaging>=24"),
            ("Requires-Dist", "tomli>=1.1; python_version < '3.11'"),
            *extra,
        ]
    )


# --- (a) a 70-wheel release ------------------------------------------------------------------


def write_release(directory: Path, wheel_mb: float, members: int) -> int:
    """An sdist and 70 wheels of ``wheel_mb`` MB each; returns the wheels' total size."""
    rng = random.Random(70)
    meta = fields("bigrelease", "2.3.2")
    make_sdist(directory, "bigrelease", "2.3.2", meta)
    total = 0
    per_member = max(1, int(wheel_mb * 1024 * 1024 / members))
    for python in PYTHONS:
        for plat in PLATFORMS:
            payload = {
                f"bigrelease/_core/m{i:04d}.so": rng.randbytes(per_member) for i in range(members)
            }
            tag = f"{python}-{python}-{plat}"
            wheel = make_wheel(directory, "bigrelease", "2.3.2", meta, tag=tag, extra_files=payload)
            total += wheel.stat().st_size
    return total


@contextlib.contextmanager
def serving(root: Path, log: Path, *options: str) -> Iterator[str]:
    """The static test index over ``root`` in its own process; yields its base URL."""
    command = [sys.executable, str(SERVER), str(root), "--access-log", str(log), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env())
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise SystemExit(f"the test index did not start: {url!r}")
        yield url.rstrip("/")
    finally:
        process.terminate()
        process.wait(10)


def served(log: Path) -> tuple[int, int, int]:
    """(requests, bytes sent, bytes sent for .whl paths) from the server's access log."""
    requests = sent = wheel = 0
    if log.exists():
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            requests += 1
            sent += entry["bytes_sent"]
            wheel += entry["bytes_sent"] if entry["path"].endswith(".whl") else 0
    return requests, sent, wheel


def metaseal(*args: str, timeout: float = 600) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "metaseal", *args],
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        raise SystemExit(f"metaseal {' '.join(args[:3])} ... failed with {done.returncode}")
    return elapsed, done.returncode


def bench_release(work: Path, wheel_mb: float, members: int, runs: int) -> None:
    root = work / "release"
    root.mkdir()
    start = time.perf_counter()
    total = write_release(root, wheel_mb, members)
    print(
        f"(a) one release: 70 wheels of {wheel_mb:g} MB ({members} members each, "
        f"{total / 1e6:,.0f} MB in all) + sdist; written in {time.perf_counter() - start:.1f} s;"
        f" median of {runs} runs"
    )
    modes = (
        ("sidecars (PEP 658)", (), ()),
        ("range requests (no sidecars)", ("--no-sidecars",), ()),
        ("peer: download every wheel", ("--no-sidecars", "--no-range"), ("--allow-download",)),
    )
    rows: list[tuple[str, int, int, int, float]] = []
    for title, server_options, cli_options in modes:
        times = []
        for run in range(runs):
            log = work / f"access-{len(rows)}-{run}.jsonl"
            with serving(root, log, *server_options) as url:
                elapsed, _ = metaseal(
                    "check", "--no-cache", "--jobs", "8", "--index", f"{url}/simple/",
                    *cli_options, "bigrelease",
                )  # fmt: skip
            times.append(elapsed)
            requests, sent, wheel_bytes = served(log)
        rows.append((title, requests, sent, wheel_bytes, sorted(times)[len(times) // 2]))
    peer_time = rows[-1][4]
    print(
        f"    {'how':<30} {'requests':>8} {'bytes':>13} {'of wheels':>10} {'wall s':>7} "
        f"{'vs download':>11}"
    )
    for title, requests, sent, _, wall in rows:
        print(
            f"    {title:<30} {requests:>8} {sent:>13,} {sent / total:>9.3%} {wall:>7.2f} "
            f"{wall / peer_time:>10.2f}x"
        )
    print("    (goal: bytes under 1% of the wheels' size with sidecars or range requests)")


# --- (b) a 1,000-project scan ----------------------------------------------------------------


def write_projects(directory: Path, count: int) -> list[str]:
    names = []
    for i in range(count):
        name = f"proj{i:04d}"
        names.append(name)
        meta = fields(name, "1.0")
        make_sdist(directory, name, "1.0", meta)
        make_wheel(directory, name, "1.0", meta, tag="py3-none-any")
        # every 20th project: a wheel that differs from the others (work for the engine)
        other = fields(name, "1.0", ("Requires-Dist", "pywin32>=306")) if i % 20 == 0 else meta
        make_wheel(directory, name, "1.0", other, tag="cp312-cp312-win_amd64")
    return names


def floor_fetch(url: str, names: list[str]) -> float:
    """Fetch every project page (PEP 691 JSON) and every sidecar it names; no checks."""
    start = time.perf_counter()
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    for name in names:
        request = urllib.request.Request(f"{url}/simple/{name}/", headers=accept)
        with urllib.request.urlopen(request) as response:
            page = json.load(response)
        for entry in page["files"]:
            if entry.get("core-metadata") and entry["filename"].endswith(".whl"):
                with urllib.request.urlopen(entry["url"] + ".metadata") as response:
                    response.read()
    return time.perf_counter() - start


def bench_scan(work: Path, count: int, jobs: int) -> None:
    root = work / "projects"
    root.mkdir()
    start = time.perf_counter()
    names = write_projects(root, count)
    listing = work / "projects.txt"
    listing.write_text("\n".join(names) + "\n")
    print(
        f"\n(b) scan of {count:,} projects (sdist + 2 wheels each, sidecars); written in "
        f"{time.perf_counter() - start:.1f} s"
    )
    db = work / "scan.sqlite3"
    log1, log2, log3 = (work / f"scan-{i}.jsonl" for i in (1, 2, 3))
    # one port for every run: a scan database belongs to one index URL
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    with serving(root, log1, "--port", port) as url:
        index = f"{url}/simple/"
        scan = ("scan", "--no-cache", "--index", index, "--db", str(db), "--projects", str(listing))
        first, _ = metaseal(*scan, "--jobs", str(jobs), "--no-progress")
    with serving(root, log2, "--port", port) as url:
        floor = floor_fetch(url, names)
    with serving(root, log3, "--port", port) as url:
        index = f"{url}/simple/"
        scan = ("scan", "--no-cache", "--index", index, "--db", str(db), "--projects", str(listing))
        again, _ = metaseal(*scan, "--jobs", str(jobs), "--no-progress")
    requests, _, _ = served(log1)
    floor_requests, _, _ = served(log2)
    resumed, _, _ = served(log3)
    print(f"    {'run':<44} {'requests':>8} {'wall s':>7} {'projects/s':>10} {'vs floor':>8}")
    print(
        f"    {'metaseal scan --jobs ' + str(jobs) + ' (fresh database)':<44} {requests:>8} "
        f"{first:>7.2f} {count / first:>10.0f} {first / floor:>7.2f}x"
    )
    print(
        f"    {'floor: urllib, pages + sidecars, sequential':<44} {floor_requests:>8} "
        f"{floor:>7.2f} {count / floor:>10.0f} {1:>7.2f}x"
    )
    print(f"    {'metaseal scan again (finished database)':<44} {resumed:>8} {again:>7.2f}")
    print("    (goals: at least 100 projects/s; no request for a finished project)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller release, 100 projects")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per mode in (a)")
    parser.add_argument("--jobs", type=int, default=8, help="metaseal scan --jobs")
    parser.add_argument("--dir", type=Path, help="scratch directory (default: system temp)")
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, ")
    print(f"{os.cpu_count()} CPUs\n")
    work = Path(tempfile.mkdtemp(prefix="metaseal-bench-index-", dir=args.dir))
    try:
        if args.quick:
            bench_release(work, 0.5, 50, 1)
            bench_scan(work, 100, args.jobs)
        else:
            bench_release(work, 4, 400, args.runs)
            bench_scan(work, 1000, args.jobs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
