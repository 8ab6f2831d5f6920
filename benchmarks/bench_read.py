"""Benchmark metaseal's artifact readers (run: ``python benchmarks/bench_read.py [--quick]``).

(a) ``discover()`` over many small wheels, next to a naive floor (stdlib ``zipfile``: open the
    wheel, find ``*.dist-info/METADATA``, read it) and, when ``pkginfo`` is importable, the
    reading ``twine check`` does (``pkginfo.Wheel``), all measured in the same run.
(b) ``read_source()`` on a wheel with a ~1 GB payload against one with a 10 KB payload: the
    ratio should stay near 1, because only the zip central directory and ``METADATA`` are read.

The code measured is the checkout's (``src/`` goes first on ``sys.path``). Timings are medians;
every file is written to a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import importlib
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from factories import make_wheel, metadata_bytes  # noqa: E402
from metaseal.sources.artifacts import discover, read_source  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

_EPOCH = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def _metadata(name: str) -> bytes:
    """About 2 KB of realistic core metadata."""
    fields = [("Metadata-Version", "2.1"), ("Name", name), ("Version", "1.0")]
    fields += [("Summary", "A package that exists to be read by a benchmark.")]
    fields += [
        ("Classifier", f"Programming Language :: Python :: 3.{minor}") for minor in range(9, 14)
    ]
    fields += [("Requires-Dist", f"dependency-{n}>=1.{n}") for n in range(5)]
    fields += [("Requires-Dist", 'pytest>=8; extra == "test"'), ("Provides-Extra", "test")]
    return metadata_bytes(fields, "# Readme\n\n" + "Some words about the project. " * 40 + "\n")


def _median(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls, in seconds, after one untimed warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _floor(directory: Path) -> int:
    """The naive floor: list the wheels, open each with zipfile, read its METADATA."""
    total = 0
    for wheel in sorted(directory.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            member = next(
                n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            )
            total += len(archive.read(member))
    return total


def _discover(directory: Path, expected: int) -> None:
    artifacts, errors = discover([str(directory)])
    if errors or len(artifacts) != expected:
        raise SystemExit(f"discover() found {len(artifacts)} wheels and {len(errors)} errors")


def _payload_wheel(directory: Path, name: str, payload: int) -> Path:
    """A wheel whose one payload member is ``payload`` bytes, stored uncompressed."""
    chunk = os.urandom(_CHUNK)
    digest = hashlib.sha256()
    dist_info = f"{name}-1.0.dist-info"
    metadata = _metadata(name)
    wheel = b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    path = directory / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(f"{name}/payload.bin", _EPOCH)
        info.compress_type = zipfile.ZIP_STORED
        with archive.open(info, "w", force_zip64=True) as out:
            left = payload
            while left:
                piece = chunk[: min(left, _CHUNK)]
                out.write(piece)
                digest.update(piece)
                left -= len(piece)
        hashed = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
        record = f"{name}/payload.bin,sha256={hashed},{payload}\n"
        for member, data in [("METADATA", metadata), ("WHEEL", wheel)]:
            archive.writestr(f"{dist_info}/{member}", data, zipfile.ZIP_DEFLATED)
            hashed = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record += f"{dist_info}/{member},sha256={hashed},{len(data)}\n"
        record += f"{dist_info}/RECORD,,\n"
        archive.writestr(f"{dist_info}/RECORD", record, zipfile.ZIP_DEFLATED)
    return path


def _size(path: Path) -> str:
    """Apparent size and the bytes actually allocated on disk (a sparse file would show)."""
    info = path.stat()
    allocated = getattr(info, "st_blocks", 0) * 512 or info.st_size
    return f"{_human(info.st_size)} ({_human(allocated)} on disk)"


def _human(size: float) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1000:
            return f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.2f} GB"


def _check(*paths: Path) -> None:
    """The whole `metaseal check --format json`: read, group, every rule, render."""
    from metaseal.cli import main as cli_main

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["check", "--format", "json", *map(str, paths)])
    if code != 0:
        raise SystemExit(f"metaseal check exited {code} on the benchmark files")


def bench_many(directory: Path, count: int, runs: int) -> None:
    for index in range(count):
        name = f"pkg{index:04d}"
        modules = {
            f"{name}/{m}.py": f"VALUE = {index}\n".encode() * 50 for m in ("__init__", "a", "b")
        }
        make_wheel(directory, name, "1.0", _metadata(name), extra_files=modules)
    rows: list[tuple[str, float]] = [
        ("metaseal discover()", _median(lambda: _discover(directory, count), runs)),
        ("floor: zipfile open + read METADATA", _median(lambda: _floor(directory), runs)),
        ("metaseal check (read, rules, JSON report)", _median(lambda: _check(directory), runs)),
    ]
    try:
        pkginfo = importlib.import_module("pkginfo")
    except ImportError:
        rows.append(("pkginfo.Wheel (twine check): not installed", float("nan")))
    else:
        wheels = lambda: [pkginfo.Wheel(str(p)) for p in sorted(directory.glob("*.whl"))]  # noqa: E731
        rows.append(("pkginfo.Wheel (twine check)", _median(wheels, runs)))
    floor = rows[1][1]
    print(f"\n(a) {count:,} small wheels, median of {runs} runs")
    print(f"    {'reader':<42} {'total ms':>10} {'µs/wheel':>10} {'vs floor':>9}")
    for label, seconds in rows:
        print(
            f"    {label:<42} {seconds * 1e3:>10.1f} {seconds / count * 1e6:>10.1f}"
            f" {seconds / floor:>8.2f}x"
        )


def bench_payload(directory: Path, payload: int, runs: int) -> None:
    small = _payload_wheel(directory, "small", 10 * 1024)
    start = time.perf_counter()
    big = _payload_wheel(directory, "big", payload)
    written = time.perf_counter() - start
    try:
        rows = [
            (path, _size(path), _median(functools.partial(read_source, str(path)), runs))
            for path in (small, big)
        ]
        checks = [_median(functools.partial(_check, path), runs) for path in (small, big)]
    finally:
        big.unlink()
    print(
        f"\n(b) read_source() on one wheel, median of {runs} runs"
        f" (the big one took {written:.1f} s to write)"
    )
    print(f"    {'wheel':<28} {'ms':>8}   size")
    for path, size, seconds in rows:
        print(f"    {path.name:<28} {seconds * 1e3:>8.3f}   {size}")
    print(f"    {'ratio big / small':<28} {rows[1][2] / rows[0][2]:>8.2f}   (goal: about 1)")
    print(
        f"    metaseal check: {checks[0] * 1e3:.2f} ms (small) vs {checks[1] * 1e3:.2f} ms (big),"
        f" ratio {checks[1] / checks[0]:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100 wheels and a 100 MB payload")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--dir", type=Path, help="where to write the temporary files")
    args = parser.parse_args(argv)
    count, payload = (100, 100 * 10**6) if args.quick else (1000, 10**9)
    print(f"metaseal read benchmark: Python {platform.python_version()}, {platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="metaseal-bench-", dir=args.dir) as temp:
        many, single = Path(temp, "many"), Path(temp, "single")
        many.mkdir()
        single.mkdir()
        bench_many(many, count, args.runs)
        bench_payload(single, payload, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
