#!/usr/bin/env python3
"""How fast metaseal answers ``prepare_metadata_for_build_wheel``, called the way pip calls it.

    python benchmarks/bench_prepare.py                # 21 rounds, every backend
    python benchmarks/bench_prepare.py --rounds 41 --backends hatchling,uv-build
    python benchmarks/bench_prepare.py --build-rounds 5   # also time python -m build

Setup (kept in ``benchmarks/.work/``, rebuilt with ``--fresh``): a venv made with uv holding
every inner backend, pyproject-hooks, build, and metaseal installed from this checkout. For each
backend a small static project (``build-backend = "metaseal"``, ``[tool.metaseal] backend =
<inner>``) is packed into a sealed sdist *through metaseal*, then unpacked.

Measured in that unpacked sdist, as pip does it (``pyproject_hooks``, one fresh subprocess per
hook call, no build isolation, backends preinstalled), round-robin so drift hits all equally:

- ``inner``: the inner backend's own ``prepare_metadata_for_build_wheel``;
- ``metaseal``: ``build-backend = "metaseal"`` (its PKG-INFO fast path);
- ``floor``: a standard-library-only backend whose hook copies PKG-INFO (the least any
  backend can do through pyproject-hooks).

The report gives medians and the ratios metaseal/inner and metaseal/floor from the same run.
With ``--build-rounds N``, ``python -m build --no-isolation`` (sdist, then the wheel from it)
is also timed through metaseal and through the bare backend; with ``--real`` as well, on real
projects' sdists from PyPI (pinned by sha256 in the test corpus), wrapped the way a project
adopts metaseal. The imports a first build needs are then timed from nothing as well: metaseal's
hook path, the libraries the check is built on, and metaseal's engine on top of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
VENV = WORK / "venv"
PYTHON = VENV / "bin" / "python"

#: name: (requirements, PEP 517 backend, module layout); layout ``example`` copies the project
#: ``examples/<name>/`` (compiled extensions: their prepare hook is timed, not their build).
BACKENDS: dict[str, tuple[str, str, str]] = {
    "setuptools": ("setuptools", "setuptools.build_meta", "src"),
    "hatchling": ("hatchling", "hatchling.build", "src"),
    "flit-core": ("flit-core", "flit_core.buildapi", "flat"),
    "pdm-backend": ("pdm-backend", "pdm.backend", "src"),
    "poetry-core": ("poetry-core", "poetry.core.masonry.api", "src"),
    "uv-build": ("uv-build", "uv_build", "src"),
    "meson-python": ("meson-python==0.22.1 meson==1.12.1 ninja==1.13.2", "mesonpy", "example"),
    "scikit-build-core": ("scikit-build-core==1.1.2", "scikit_build_core.build", "example"),
    "maturin": ("maturin==1.16.0", "maturin", "example"),
}
#: The pure-Python backends whose whole build ``--build-rounds`` times.
BUILT = ("setuptools", "hatchling", "flit-core", "pdm-backend", "poetry-core", "uv-build")
TOOLS = ("pyproject-hooks", "build")
#: The verdict memo of the timed builds (emptied at the start of every run).
MEMO = WORK / "memo"
#: ``--real``: one real project per backend, from the wrapped-corpus test's pinned sdists
#: (``tests/integration/realworld/corpus.toml``): name, version, and what its build needs.
REAL: dict[str, tuple[str, str, str]] = {
    "pluggy": ("1.6.0", "setuptools.build_meta", "setuptools setuptools-scm"),
    "attrs": ("25.3.0", "hatchling.build", "hatchling hatch-vcs hatch-fancy-pypi-readme"),
    "packaging": ("25.0", "flit_core.buildapi", "flit-core"),
    "findpython": ("0.6.1", "pdm.backend", "pdm-backend"),
    "rich": ("13.7.1", "poetry.core.masonry.api", "poetry-core"),
    "wws-api": ("0.2.0", "uv_build", "uv-build"),
}

PYPROJECT = """\
[build-system]
requires = ["metaseal", "{requirement}"]
build-backend = "metaseal"

[project]
name = "bench-{slug}"
version = "1.2.3"
description = "A benchmark project."
readme = "README.md"
requires-python = ">=3.9"
license = "MIT"
authors = [{{ name = "Bench" }}]
classifiers = ["Programming Language :: Python :: 3"]
dependencies = ["attrs>=22", "tomli>=1.1; python_version < '3.11'"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.urls]
Source = "https://example.org/bench"

[tool.metaseal]
backend = "{backend}"
{extra}"""

FLOOR = '''\
"""The floor: a stdlib-only backend whose prepare hook copies PKG-INFO."""
import os
import shutil


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with open("PKG-INFO", encoding="utf-8") as file:
        headers = dict(line.split(": ", 1) for line in file.read().split("\\n\\n")[0].splitlines()
                       if ": " in line and not line[0].isspace())
    name = headers["Name"].replace("-", "_").replace(".", "_").lower()
    dist_info = os.path.join(metadata_directory, f"{name}-{headers['Version']}.dist-info")
    os.makedirs(dist_info)
    shutil.copyfile("PKG-INFO", os.path.join(dist_info, "METADATA"))
    return os.path.basename(dist_info)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise NotImplementedError("the floor only prepares metadata")


def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError("the floor only prepares metadata")
'''


#: Written to ``.work/hooktimer/sitecustomize.py`` for ``--per-hook``: every pyproject-hooks hook
#: subprocess appends its hook name and lifetime (from site start-up to exit, in ms) to a log.
HOOK_TIMER = """\
import atexit, os, sys, time
_start = time.perf_counter()
_log = os.environ.get("BENCH_HOOK_LOG")
if _log and sys.argv[0].endswith("_in_process.py") and len(sys.argv) > 1:
    _hook = sys.argv[1]  # read now: setuptools rewrites sys.argv while it builds
    def _done():
        with open(_log, "a", encoding="utf-8") as file:
            file.write(f"{_hook} {1000 * (time.perf_counter() - _start):.2f}\\n")
    atexit.register(_done)
"""


def run(command: list[str], **kwargs: object) -> None:
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("METASEAL_", "PIP_"))}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    # Installers compile bytecode and frontends let hooks use it: a run without .pyc files
    # would time the compiler, not the hooks.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["CARGO_NET_OFFLINE"] = "true"  # maturin: the example has no crates to fetch
    env["METASEAL_VERDICT_CACHE"] = str(MEMO)
    # As in an activated venv: some backends (uv-build) run an executable found on PATH.
    env["PATH"] = os.pathsep.join([str(PYTHON.parent), env.get("PATH", "")])
    return env


def setup(python: str, names: list[str], fresh: bool) -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if fresh or not PYTHON.exists():
        shutil.rmtree(VENV, ignore_errors=True)
        run([uv, "venv", "--quiet", "--python", python, str(VENV)], env=environment())
        wanted = [req for n in BACKENDS for req in BACKENDS[n][0].split()] + list(TOOLS)
        run(
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--compile-bytecode",
                "--python",
                str(PYTHON),
                *wanted,
            ],
            env=environment(),
        )
    # Always reinstall metaseal from this checkout so the numbers describe the working tree.
    run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "--reinstall-package",
            "metaseal",
            "--python",
            str(PYTHON),
            str(ROOT),
        ],
        env=environment(),
    )
    floor = WORK / "floor"
    floor.mkdir(parents=True, exist_ok=True)
    (floor / "bench_floor.py").write_text(FLOOR, encoding="utf-8")
    for name in names:
        make_project(name)


def make_project(name: str) -> Path:
    requirement, backend, layout = BACKENDS[name]
    slug = name.replace("-", "")
    project = WORK / "projects" / name
    shutil.rmtree(project, ignore_errors=True)
    if layout == "example":
        shutil.copytree(ROOT / "examples" / name, project)
        # meson-python makes sdists with `meson dist`, which needs a Git checkout.
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
            run([*git, *args], cwd=project)
        return project
    package = project / ("src" if layout == "src" else "") / f"bench_{slug}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A benchmark package."""\n', encoding="utf-8")
    (project / "README.md").write_text("# bench\n\nA benchmark project.\n", encoding="utf-8")
    (project / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    extra = ""
    if name == "poetry-core":
        extra = f'\n[tool.poetry]\npackages = [{{ include = "bench_{slug}", from = "src" }}]\n'
    text = PYPROJECT.format(requirement=requirement, slug=slug, backend=backend, extra=extra)
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    return project


def hook(source: Path, backend: str, metadata_directory: str, *, floor: bool = False) -> float:
    """One prepare_metadata_for_build_wheel call through pyproject-hooks, in seconds."""
    script = (
        "import sys\nfrom pyproject_hooks import BuildBackendHookCaller as Caller\n"
        "from pyproject_hooks import quiet_subprocess_runner as quiet\n"
        "caller = Caller(sys.argv[1], sys.argv[2], runner=quiet)\n"
        "import time\nt = time.perf_counter()\n"
        "caller.prepare_metadata_for_build_wheel(sys.argv[3])\n"
        "print(time.perf_counter() - t)\n"
    )
    env = environment()
    if floor:
        env["PYTHONPATH"] = str(WORK / "floor")
    done = subprocess.run(
        [str(PYTHON), "-c", script, str(source), backend, metadata_directory],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{backend} prepare failed in {source}:\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1])


def sealed_sdist(name: str) -> Path:
    """Build the project's sdist through metaseal and unpack it; return the unpacked tree."""
    project = WORK / "projects" / name
    dist = WORK / "dist" / name
    shutil.rmtree(dist, ignore_errors=True)
    script = (
        "import sys\nfrom pyproject_hooks import BuildBackendHookCaller\n"
        "c = BuildBackendHookCaller(sys.argv[1], 'metaseal')\n"
        "print(c.build_sdist(sys.argv[2]))\n"
    )
    dist.mkdir(parents=True)
    done = subprocess.run(
        [str(PYTHON), "-c", script, str(project), str(dist)],
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"metaseal could not build the {name} sdist:\n{done.stderr}")
    sdist = dist / done.stdout.strip().splitlines()[-1]
    target = WORK / "unpacked" / name
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        tar.extractall(target, filter="data")
    return target / top


def real_projects() -> list[tuple[str, Path, str]]:
    """``--real``: each project of :data:`REAL`, unpacked twice under ``.work/real``: as
    published (``<name>-bare``) and wrapped in metaseal; (label, wrapped tree, inner backend)."""
    sys.path.insert(0, str(ROOT / "tests"))
    # The corpus test's own steps: pinned download, unpacking, and the rewrite to metaseal.
    from integration.realworld._corpus import fetch_sdist, load_corpus, unpack, wrap

    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    needs = sorted({req for _, _, reqs in REAL.values() for req in reqs.split()})
    run([uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(PYTHON), *needs])
    corpus = {(p.name, p.version): p for p in load_corpus()}
    found = []
    for name, (version, inner, _) in REAL.items():
        sdist = fetch_sdist(corpus[(name, version)])
        base = WORK / "real" / name
        shutil.rmtree(base, ignore_errors=True)
        bare = unpack(sdist, base / "bare")
        wrapped = wrap(unpack(sdist, base / "wrapped"))
        bare.rename(wrapped.parent / f"{wrapped.name}-bare")  # where time_build looks for it
        found.append((f"{name} {version}", wrapped, inner))
    return found


def seal_state(tree: Path) -> str:
    header = (tree / "PKG-INFO").read_text(encoding="utf-8").split("\n\n")[0].splitlines()
    version = next(line.split(": ", 1)[1] for line in header if line.startswith("Metadata-Version"))
    dynamic = [line.split(": ", 1)[1] for line in header if line.lower().startswith("dynamic:")]
    return f"Metadata {version}" + (f", Dynamic: {', '.join(dynamic)}" if dynamic else ", sealed")


def time_build(
    project: Path,
    backend: str,
    *,
    memo: bool = True,
    ahead: bool = True,
    hooks: dict[str, float] | None = None,
) -> float:
    """One ``python -m build --no-isolation`` (sdist, then wheel from it), in seconds;
    ``memo=False`` gives metaseal an empty memo, as on the first build of a project state (the
    sdist is checked by the engine; the wheel hook finds the table the sdist hook parsed);
    ``ahead=False`` turns the forked checker off (``check-ahead``).
    With ``hooks``, each hook subprocess's lifetime is stored there (ms, by hook name)."""
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    bare = project.parent / f"{project.name}-bare"
    if backend != "metaseal" and not bare.exists():
        shutil.copytree(project, bare)
        (bare / "pyproject.toml").write_text(
            text.replace('build-backend = "metaseal"', f'build-backend = "{backend}"'), "utf-8"
        )
    source = bare if backend != "metaseal" else project
    env = environment()
    with tempfile.TemporaryDirectory() as out:
        if not memo:
            env["METASEAL_VERDICT_CACHE"] = str(Path(out, "empty-memo"))
        if not ahead:
            env["METASEAL_CHECK_AHEAD"] = "0"
        log = Path(out, "hooks.log")
        if hooks is not None:
            timer = WORK / "hooktimer"
            timer.mkdir(exist_ok=True)
            (timer / "sitecustomize.py").write_text(HOOK_TIMER, encoding="utf-8")
            env["PYTHONPATH"] = str(timer)
            env["BENCH_HOOK_LOG"] = str(log)
        start = time.perf_counter()
        subprocess.run(
            [
                str(PYTHON),
                "-m",
                "build",
                "--no-isolation",
                "--skip-dependency-check",
                "--outdir",
                out,
                str(source),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        took = time.perf_counter() - start
        if hooks is not None:
            for line in log.read_text(encoding="utf-8").splitlines():
                hook, ms = line.split()
                hooks[hook] = float(ms)
        return took


def time_builds(projects: list[tuple[str, Path, str]], rounds: int, hook_times: bool) -> None:
    """The build table (and with ``hook_times`` the hook table) of ``projects`` (label, wrapped
    tree, inner backend; the bare tree beside it): each variant ``rounds`` times, interleaved,
    after one warm-up round."""
    shutil.rmtree(MEMO, ignore_errors=True)
    print(
        f"\npython -m build --no-isolation (sdist + wheel), median of {rounds} "
        "after 1 warm-up round, s; overhead: the median of each round's difference to the "
        "bare build of that round; memo: sdist verdicts remembered (a rebuild with the same "
        "metadata inputs), first: an empty memo (a first build, the sdist is checked), "
        "serial: a first build with check-ahead off (the check after the inner build)"
    )
    print(
        f"{'project':<18} {'bare':>6} {'memo':>6} {'overhead':>9} {'ms':>5} "
        f"{'first':>8} {'overhead':>9} {'ms':>5} {'serial':>8} {'overhead':>9} {'ms':>5}"
    )
    per_hook: dict[tuple[str, str, str], list[float]] = {}
    for name, project, inner in projects:
        times: dict[str, list[float]] = {"bare": [], "memo": [], "off": [], "serial": []}
        for index in range(rounds + 1):
            lives: dict[str, dict[str, float]] = {k: {} for k in times}
            logs = lives if hook_times else dict.fromkeys(times)
            # The order rotates from round to round, so that no variant always runs
            # right after another one (warm file caches, CPU frequency).
            order = list(times)
            order = order[index % len(order) :] + order[: index % len(order)]
            this_round = {
                kind: time_build(
                    project,
                    inner if kind == "bare" else "metaseal",
                    memo=kind not in ("off", "serial"),
                    ahead=kind != "serial",
                    hooks=logs[kind],
                )
                for kind in order
            }
            if index:  # the first round warms the caches (and fills the memo)
                for kind, value in this_round.items():
                    times[kind].append(value)
                    for hook_name, ms in lives[kind].items():
                        per_hook.setdefault((name, hook_name, kind), []).append(ms)
        b, m, o, s = (statistics.median(times[k]) for k in ("bare", "memo", "off", "serial"))
        # Overheads are medians of each round's own difference to the bare build of the
        # same round: the machine's speed drifts over a run, and a pair measured seconds
        # apart shares the drift.
        dm, do, ds = (
            statistics.median(x - y for x, y in zip(times[k], times["bare"]))
            for k in ("memo", "off", "serial")
        )
        print(
            f"{name:<18} {b:6.3f} {m:6.3f} {100 * dm / b:8.1f}% {1000 * dm:5.0f} "
            f"{o:8.3f} {100 * do / b:8.1f}% {1000 * do:5.0f} "
            f"{s:8.3f} {100 * ds / b:8.1f}% {1000 * ds:5.0f}"
        )
    if per_hook:
        print("\neach hook subprocess inside those builds, median ms (site start-up to exit)")
        print(
            f"{'project':<18} {'hook':<12} {'bare':>6} {'memo':>6} {'+ms':>5} "
            f"{'first':>8} {'+ms':>5}"
        )
        for name, _, _ in projects:
            for hook_name in ("build_sdist", "build_wheel"):
                med = {
                    k: statistics.median(per_hook.get((name, hook_name, k), [0.0]))
                    for k in ("bare", "memo", "off")
                }
                print(
                    f"{name:<18} {hook_name:<12} {med['bare']:6.1f} {med['memo']:6.1f} "
                    f"{med['memo'] - med['bare']:5.1f} {med['off']:8.1f} "
                    f"{med['off'] - med['bare']:5.1f}"
                )


#: ``--build-rounds``: what a first build imports, each timed from nothing in a fresh
#: interpreter of the venv. Every hook first imports metaseal's hook path (HOOK_PATH), and the
#: first build reads ``pyproject.toml`` with tomllib; the check then needs the libraries it may
#: not re-implement (CHECK_LIBRARIES) and metaseal's engine on top (``warm``: what the forked
#: checker imports).
HOOK_PATH = (
    "import metaseal.backend, metaseal.backend._lifecycle, metaseal.backend._memo, "
    "metaseal.backend._staging, metaseal.sources.sdist_layout, metaseal._compat"
)
CHECK_LIBRARIES = (
    "import pyproject_metadata, packaging.requirements, packaging.licenses, email.parser, "
    "email.generator, email.policy"
)
IMPORTS = {
    "hook path + tomllib": ("", HOOK_PATH),
    "the check's libraries": (HOOK_PATH, CHECK_LIBRARIES),
    "metaseal's engine on top": (
        f"{HOOK_PATH}; {CHECK_LIBRARIES}",
        "from metaseal.backend._verify import warm; warm()",
    ),
    "the whole check (warm)": (HOOK_PATH, "from metaseal.backend._verify import warm; warm()"),
}


def time_imports(rounds: int) -> None:
    """Median ms of each of :data:`IMPORTS` over ``rounds`` fresh interpreters, interleaved."""
    samples: dict[str, list[float]] = {label: [] for label in IMPORTS}
    for _ in range(rounds):
        for label, (before, timed) in IMPORTS.items():
            script = (
                f"{before}\nimport time\nstart = time.perf_counter()\n{timed}\n"
                "print(1000 * (time.perf_counter() - start))\n"
            )
            done = subprocess.run(
                [str(PYTHON), "-c", script],
                env=environment(),
                capture_output=True,
                text=True,
                check=True,
            )
            samples[label].append(float(done.stdout.strip().splitlines()[-1]))
    print(f"\nimports from nothing, median of {rounds} fresh interpreters, ms")
    for label, values in samples.items():
        print(f"{label:<26} {statistics.median(values):6.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--build-rounds", type=int, default=0)
    parser.add_argument(
        "--per-hook",
        action="store_true",
        help="with --build-rounds: also time each hook subprocess (a sitecustomize.py logs it)",
    )
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--python", default=sys.executable, help="interpreter for the venv")
    parser.add_argument("--fresh", action="store_true", help="recreate the venv")
    parser.add_argument(
        "--real",
        action="store_true",
        help="with --build-rounds: also build real projects' sdists from PyPI (pinned)",
    )
    args = parser.parse_args()
    names = [n for n in args.backends.split(",") if n]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown:
        parser.error(f"unknown backend(s) {unknown}; known: {', '.join(BACKENDS)}")

    setup(args.python, names, args.fresh)
    trees = {name: sealed_sdist(name) for name in names}
    version = subprocess.run(
        [str(PYTHON), "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"Python {version}; {args.rounds} rounds after 2 warm-up rounds; times in ms\n")
    rows = []
    for name in names:
        tree, inner = trees[name], BACKENDS[name][1]
        backends = {"inner": inner, "metaseal": "metaseal", "floor": "bench_floor"}
        samples: dict[str, list[float]] = {kind: [] for kind in backends}
        for index in range(args.rounds + 2):
            for kind, backend in backends.items():
                with tempfile.TemporaryDirectory() as meta:
                    took = hook(tree, backend, meta, floor=kind == "floor")
                if index >= 2:  # the first two rounds warm the caches
                    samples[kind].append(took * 1000)
        med = {kind: statistics.median(values) for kind, values in samples.items()}
        rows.append((name, seal_state(tree), med))
    head = f"{'backend':<17} {'sdist PKG-INFO':<34} {'inner':>7} {'metaseal':>9} {'floor':>7}"
    print(head + f" {'ms/inner':>9} {'ms/floor':>9}")
    for name, state, med in rows:
        print(
            f"{name:<17} {state:<34} {med['inner']:7.1f} {med['metaseal']:9.1f} "
            f"{med['floor']:7.1f} {med['metaseal'] / med['inner']:9.2f} "
            f"{med['metaseal'] / med['floor']:9.2f}"
        )

    if args.build_rounds:
        built = [(n, WORK / "projects" / n, BACKENDS[n][1]) for n in names if n in BUILT]
        time_builds(
            built + (real_projects() if args.real else []), args.build_rounds, args.per_hook
        )
        time_imports(max(args.build_rounds, 9))
    return 0


if __name__ == "__main__":
    sys.exit(main())
