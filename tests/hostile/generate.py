"""Write metaseal's hostile corpus: small files that try to crash, hang, exhaust or fool the CLI.

Standard library only, deterministic (fixed timestamps, gzip mtime 0, no randomness) and fast.
Every case gets its own directory; the command runs with that directory as the working
directory, so arguments are relative paths. Large inputs are sparse files or compress well.

    python tests/hostile/generate.py OUTDIR     # writes OUTDIR/<case>/... and OUTDIR/cases.json

Each :class:`Case` carries the command (``check``, ``check --format json`` or ``diff A B``) and
the exit codes it may end with. Cases about a *wrong acceptance* allow exactly the code a correct
tool must give (1 for a finding, 3 for an unreadable or invalid input); cases about crashes and
resource use allow any verdict (0, 1 or 3) as long as the run is clean.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import struct
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Callable

__all__ = ["ANY", "BUILDERS", "SECRET", "Case", "generate"]

ANY = frozenset({0, 1, 3})  # any verdict, as long as the run is clean
FINDING = frozenset({1})
INVALID = frozenset({3})
PASSES = frozenset({0})
#: A `readme` or license file outside the project directory is never read (monorepos may name
#: `../README.md`, so it is a warning that leaves the key uncompared, not an error); what
#: matters is that nothing of the outside file is printed (each case plants a secret there).
OUTSIDE = frozenset({0, 1})

#: Planted in files outside the inputs; it must never reach the output.
SECRET = "METASEAL-HOSTILE-SECRET-7f3a"
#: Starts the line a newline in a path or name tries to forge.
FORGED = "FORGED-LINE"

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_TAR_MTIME = 315532800
_GIB = 1024**3


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile input and what the CLI must do with it."""

    name: str
    #: The defect class of the audit (issue 13): "1 recursion/memory", "6 wrong acceptance", ...
    kind: str
    #: Arguments after ``metaseal``, relative to the case directory.
    args: tuple[str, ...]
    #: The exit codes the run may end with.
    allowed: frozenset[int]
    #: A string every exit-3 message must contain (the file it is about).
    names: str
    #: Must not appear in the output (the content of a file outside the inputs).
    secret: str | None = None
    #: The case only means something for a user the kernel checks permissions for.
    needs_non_root: bool = False

    def as_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["allowed"] = sorted(self.allowed)
        return data


Builder = Callable[[Path], Case]
BUILDERS: dict[str, Builder] = {}


def _case(builder: Builder) -> Builder:
    BUILDERS[builder.__name__] = builder
    return builder


def _new(
    name: str,
    kind: str,
    args: list[str],
    allowed: frozenset[int],
    names: str | None = None,
    *,
    secret: str | None = None,
    needs_non_root: bool = False,
) -> Case:
    """A case; by default an exit-3 message must name the first source argument."""
    sources = [a for a in args[1:] if a != "--format" and a not in ("json", "text")]
    return Case(
        name=name,
        kind=kind,
        args=tuple(args),
        allowed=allowed,
        names=names if names is not None else sources[0],
        secret=secret,
        needs_non_root=needs_non_root,
    )


# -- writers -----------------------------------------------------------------------------------


def meta(
    name: str = "demo",
    version: str = "1.0",
    fields: list[tuple[str, str]] | None = None,
    *,
    metadata_version: str = "2.4",
    body: str | None = None,
) -> bytes:
    """A METADATA / PKG-INFO file: the three required fields, then ``fields`` in order."""
    head = [("Metadata-Version", metadata_version), ("Name", name), ("Version", version)]
    text = "".join(f"{k}: {v}\n" for k, v in [*head, *(fields or [])])
    if body is not None:
        text += "\n" + body
    return text.encode("utf-8")


def _zipinfo(name: str, compress: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def write_zip(
    path: Path, members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(_zipinfo(name, compress), data)
    return path


def wheel(
    directory: Path,
    metadata: bytes,
    filename: str = "demo-1.0-py3-none-any.whl",
    dist_info: str = "demo-1.0.dist-info",
    compress: int = zipfile.ZIP_DEFLATED,
) -> Path:
    wheel_file = (
        b"Wheel-Version: 1.0\nGenerator: hostile\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    return write_zip(
        directory / filename,
        [
            (f"{dist_info}/METADATA", metadata),
            (f"{dist_info}/WHEEL", wheel_file),
            (f"{dist_info}/RECORD", b""),
        ],
        compress,
    )


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mtime = _TAR_MTIME
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info


def write_tar_gz(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for info, data in members:
            if info.isreg():
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    path.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return path


def sdist(
    directory: Path,
    pkg_info: bytes,
    filename: str = "demo-1.0.tar.gz",
    top: str = "demo-1.0",
    extra: list[tuple[tarfile.TarInfo, bytes]] | None = None,
) -> Path:
    members = [
        (member(f"{top}/PKG-INFO"), pkg_info),
        (member(f"{top}/pyproject.toml"), b'[project]\nname = "demo"\nversion = "1.0"\n'),
    ]
    return write_tar_gz(directory / filename, [*members, *(extra or [])])


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of ``size`` bytes that takes (almost) no disk space: ``head``, then a hole."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


def pyproject(directory: Path, project: str, tail: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(f'[project]\nname = "demo"\nversion = "1.0"\n{project}\n{tail}', "utf-8")
    return path


def outside_secret(d: Path) -> Path:
    """A file outside the project and outside ``dist/``, holding :data:`SECRET`."""
    (d / "outside").mkdir(exist_ok=True)
    path = d / "outside" / "secret.txt"
    path.write_text(f"{SECRET}\n", "utf-8")
    return path


def _pair(d: Path, pkg_info: bytes, metadata: bytes) -> None:
    sdist(d, pkg_info)
    wheel(d, metadata)


CHECK_PAIR = ["check", "demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
DIFF_PAIR = ["diff", "demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]


# -- baselines ---------------------------------------------------------------------------------


@_case
def baseline_pair(d: Path) -> Case:
    _pair(d, meta(), meta())
    return _new("baseline_pair", "0 baseline", CHECK_PAIR, PASSES)


@_case
def baseline_drift(d: Path) -> Case:
    _pair(d, meta(fields=[("Summary", "a")]), meta(fields=[("Summary", "b")]))
    return _new("baseline_drift", "0 baseline", ["check", "--format", "json", "."], FINDING)


# -- 1: recursion and unbounded memory ---------------------------------------------------------

_DEEP = 50_000


@_case
def nested_comment_author_email(d: Path) -> Case:
    value = "x " + "(" * _DEEP + "c" + ")" * _DEEP + " <a@example.org>"
    _pair(d, meta(fields=[("Author-email", value)]), meta(fields=[("Author-email", value)]))
    return _new("nested_comment_author_email", "1 recursion", CHECK_PAIR, ANY)


@_case
def nested_comment_unclosed_maintainer_email(d: Path) -> Case:
    value = "(" * _DEEP
    _pair(d, meta(fields=[("Maintainer-email", value)]), meta(fields=[("Maintainer-email", "m")]))
    return _new("nested_comment_unclosed_maintainer_email", "1 recursion", DIFF_PAIR, ANY)


@_case
def nested_comment_author_email_json(d: Path) -> Case:
    value = "(" * _DEEP + ")" * _DEEP + " a@example.org"
    _pair(
        d, meta(fields=[("Author-email", "a@example.org")]), meta(fields=[("Author-email", value)])
    )
    args = ["check", "--format", "json", "demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    return _new("nested_comment_author_email_json", "1 recursion", args, ANY)


@_case
def nested_quoted_route_author_email(d: Path) -> Case:
    value = "<" * _DEEP + "a@example.org" + ">" * _DEEP
    _pair(d, meta(fields=[("Author-email", value)]), meta(fields=[("Author-email", "b@x.org")]))
    return _new("nested_quoted_route_author_email", "1 recursion", CHECK_PAIR, ANY)


def _project_with_wheel(
    d: Path, project: str, tail: str = "", meta_fields: list[tuple[str, str]] | None = None
) -> None:
    pyproject(d / "proj", project, tail)
    (d / "dist").mkdir()
    wheel(d / "dist", meta(fields=meta_fields))


@_case
def pyproject_nested_arrays(d: Path) -> Case:
    _project_with_wheel(d, "dependencies = " + "[" * _DEEP + "]" * _DEEP)
    return _new(
        "pyproject_nested_arrays", "1 recursion", ["check", "proj/pyproject.toml", "dist"], ANY
    )


@_case
def pyproject_nested_inline_tables(d: Path) -> Case:
    _project_with_wheel(d, "", "[tool.x]\nv = " + "{a = " * _DEEP + "1" + "}" * _DEEP)
    return _new(
        "pyproject_nested_inline_tables",
        "1 recursion",
        ["check", "proj/pyproject.toml", "dist"],
        ANY,
    )


@_case
def pyproject_nested_arrays_unclosed(d: Path) -> Case:
    _project_with_wheel(d, "", "[tool.x]\nv = " + "[" * _DEEP)
    return _new(
        "pyproject_nested_arrays_unclosed",
        "1 recursion",
        ["check", "proj/pyproject.toml", "dist"],
        ANY,
    )


@_case
def pyproject_nested_arrays_diff(d: Path) -> Case:
    _project_with_wheel(d, "", "[tool.x]\nv = " + "[" * _DEEP + "]" * _DEEP)
    args = ["diff", "proj/pyproject.toml", "dist/demo-1.0-py3-none-any.whl"]
    return _new("pyproject_nested_arrays_diff", "1 recursion", args, ANY)


@_case
def pyproject_sparse_2gb(d: Path) -> Case:
    (d / "proj").mkdir()
    sparse(d / "proj" / "pyproject.toml", 2 * _GIB, b'[project]\nname = "demo"\nversion = "1.0"\n#')
    (d / "dist").mkdir()
    wheel(d / "dist", meta())
    return _new("pyproject_sparse_2gb", "1 memory", ["check", "proj/pyproject.toml", "dist"], ANY)


@_case
def readme_sparse_2gb(d: Path) -> Case:
    _project_with_wheel(d, 'readme = "README.md"')
    sparse(d / "proj" / "README.md", 2 * _GIB, b"# demo\n")
    return _new("readme_sparse_2gb", "1 memory", ["check", "proj/pyproject.toml", "dist"], ANY)


@_case
def readme_table_sparse_2gb(d: Path) -> Case:
    _project_with_wheel(d, 'readme = {file = "README.rst", content-type = "text/x-rst"}')
    sparse(d / "proj" / "README.rst", 2 * _GIB, b"demo\n====\n")
    args = ["diff", "proj/pyproject.toml", "dist/demo-1.0-py3-none-any.whl"]
    return _new("readme_table_sparse_2gb", "1 memory", args, ANY)


@_case
def license_file_sparse_2gb(d: Path) -> Case:
    _project_with_wheel(d, 'license = {file = "LICENSE"}', meta_fields=[("License", "MIT")])
    sparse(d / "proj" / "LICENSE", 2 * _GIB, b"MIT\n")
    return _new(
        "license_file_sparse_2gb", "1 memory", ["check", "proj/pyproject.toml", "dist"], ANY
    )


@_case
def metadata_file_sparse_2gb(d: Path) -> Case:
    sparse(d / "METADATA", 2 * _GIB, meta())
    return _new("metadata_file_sparse_2gb", "1 memory", ["check", "METADATA"], INVALID)


@_case
def marker_deep_parentheses(d: Path) -> Case:
    req = "foo; " + "(" * 5000 + 'python_version >= "3"' + ")" * 5000
    _pair(d, meta(fields=[("Requires-Dist", req)]), meta(fields=[("Requires-Dist", "foo")]))
    return _new("marker_deep_parentheses", "1 recursion", CHECK_PAIR, ANY)


# -- 2: super-linear work ----------------------------------------------------------------------

_MANY = 5000


@_case
def diff_many_requires_dist(d: Path) -> Case:
    a = [("Requires-Dist", f"alpha{i} >=1.{i}") for i in range(_MANY)]
    b = [("Requires-Dist", f"beta{i} >=2.{i}") for i in range(_MANY)]
    _pair(d, meta(fields=a), meta(fields=b))
    return _new("diff_many_requires_dist", "2 super-linear", DIFF_PAIR, FINDING)


@_case
def check_many_requires_dist(d: Path) -> Case:
    a = [("Requires-Dist", f"alpha{i}; extra == 'e{i}'") for i in range(_MANY)]
    b = [("Requires-Dist", f"alpha{i}; extra == 'f{i}'") for i in range(_MANY)]
    _pair(d, meta(fields=a), meta(fields=b))
    return _new("check_many_requires_dist", "2 super-linear", CHECK_PAIR, FINDING)


@_case
def diff_many_keywords(d: Path) -> Case:
    a = ",".join(f"kw{i}" for i in range(12 * _MANY))
    b = ",".join(f"other{i}" for i in range(12 * _MANY))
    _pair(d, meta(fields=[("Keywords", a)]), meta(fields=[("Keywords", b)]))
    return _new("diff_many_keywords", "2 super-linear", DIFF_PAIR, FINDING)


@_case
def diff_many_classifiers(d: Path) -> Case:
    a = [("Classifier", f"Topic :: A{i}") for i in range(_MANY)]
    b = [("Classifier", f"Topic :: B{i}") for i in reversed(range(_MANY))]
    _pair(d, meta(fields=a), meta(fields=b))
    return _new("diff_many_classifiers", "2 super-linear", DIFF_PAIR, FINDING)


@_case
def diff_many_extras(d: Path) -> Case:
    a = [("Provides-Extra", f"e{i}") for i in range(_MANY)]
    b = [("Provides-Extra", f"e{i}") for i in range(1, _MANY + 1)]
    _pair(d, meta(fields=a), meta(fields=b))
    return _new("diff_many_extras", "2 super-linear", DIFF_PAIR, FINDING)


@_case
def diff_long_description(d: Path) -> Case:
    a = "\n".join(f"line {i}" for i in range(50_000))
    b = "\n".join(f"line {i}" for i in reversed(range(50_000)))
    _pair(d, meta(body=a), meta(body=b))
    return _new("diff_long_description", "2 super-linear", DIFF_PAIR, FINDING)


@_case
def marker_thousands_of_or(d: Path) -> Case:
    terms = [f'python_full_version == "3.{i}.0"' for i in range(3000)]
    a = "foo; " + " or ".join(terms)
    b = "foo; " + " or ".join(reversed(terms))
    _pair(d, meta(fields=[("Requires-Dist", a)]), meta(fields=[("Requires-Dist", b)]))
    return _new("marker_thousands_of_or", "2 super-linear", CHECK_PAIR, ANY)


@_case
def marker_thousands_of_or_differs(d: Path) -> Case:
    terms = [f'python_full_version == "3.{i}.0"' for i in range(3000)]
    a = "foo; " + " or ".join(terms)
    b = "foo; " + " or ".join(terms[1:])
    _pair(d, meta(fields=[("Requires-Dist", a)]), meta(fields=[("Requires-Dist", b)]))
    return _new("marker_thousands_of_or_differs", "2 super-linear", DIFF_PAIR, FINDING)


@_case
def marker_cnf_blowup(d: Path) -> Case:
    clauses = [f'(sys_platform == "p{i}" or platform_machine == "m{i}")' for i in range(40)]
    a = "foo; " + " and ".join(clauses)
    b = "foo; " + " and ".join(reversed(clauses))
    _pair(d, meta(fields=[("Requires-Dist", a)]), meta(fields=[("Requires-Dist", b)]))
    return _new("marker_cnf_blowup", "2 super-linear", CHECK_PAIR, ANY)


@_case
def marker_thousands_of_and(d: Path) -> Case:
    terms = [f'platform_release != "r{i}"' for i in range(3000)]
    a = "foo; " + " and ".join(terms)
    b = "foo; " + " and ".join(reversed(terms))
    _pair(d, meta(fields=[("Requires-Dist", a)]), meta(fields=[("Requires-Dist", b)]))
    return _new("marker_thousands_of_and", "2 super-linear", CHECK_PAIR, ANY)


@_case
def wheelhouse_marker_variation(d: Path) -> Case:
    (d / "dist").mkdir()
    terms = " or ".join(f'python_full_version == "3.{i}.0"' for i in range(500))
    for i, plat in enumerate(["manylinux_2_17_x86_64", "win_amd64", "macosx_11_0_arm64", "win32"]):
        req = [("Requires-Dist", f"dep{j}; {terms}") for j in range(20 + i)]
        wheel(d / "dist", meta(fields=req), filename=f"demo-1.0-cp312-cp312-{plat}.whl")
    return _new("wheelhouse_marker_variation", "2 super-linear", ["check", "dist"], ANY)


@_case
def content_type_thousands_of_params(d: Path) -> Case:
    params = "; ".join(f"p{i}=v{i}" for i in range(_MANY))
    a = f"text/markdown; {params}; charset=UTF-8"
    b = f"text/markdown; charset=utf-8; {params}"
    _pair(
        d,
        meta(fields=[("Description-Content-Type", a)]),
        meta(fields=[("Description-Content-Type", b)]),
    )
    return _new("content_type_thousands_of_params", "2 super-linear", CHECK_PAIR, ANY)


@_case
def content_type_thousands_of_params_differs(d: Path) -> Case:
    params = "; ".join(f"p{i}=v{i}" for i in range(_MANY))
    a = f"text/markdown; {params}; variant=CommonMark"
    _pair(
        d,
        meta(fields=[("Description-Content-Type", a)]),
        meta(fields=[("Description-Content-Type", "text/markdown")]),
    )
    return _new("content_type_thousands_of_params_differs", "2 super-linear", DIFF_PAIR, FINDING)


def _tag_set(prefix: str, count: int) -> str:
    return ".".join(f"{prefix}{i}" for i in range(count))


@_case
def wheel_filename_compressed_tags(d: Path) -> Case:
    # 255 bytes is the file name limit: three compressed sets of 36 one-letter tags (46,656).
    py = abi = plat = ".".join("abcdefghijklmnopqrstuvwxyz0123456789")
    name = f"demo-1.0-{py}-{abi}-{plat}.whl"
    wheel(d, meta(), filename=name)
    wheel(d, meta(fields=[("Summary", "differs")]), filename="demo-1.0-py3-none-any.whl")
    return _new("wheel_filename_compressed_tags", "2 super-linear", ["check", "."], ANY, names=".")


@_case
def wheel_tag_lines_expand_to_millions(d: Path) -> Case:
    dist_info = d / "demo-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_bytes(meta())
    tag = f"{_tag_set('py', 300)}-{_tag_set('a', 300)}-{_tag_set('p', 300)}"
    (dist_info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n", "utf-8")
    return _new(
        "wheel_tag_lines_expand_to_millions", "2 super-linear", ["check", "demo-1.0.dist-info"], ANY
    )


@_case
def wheel_many_tag_lines(d: Path) -> Case:
    dist_info = d / "demo-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_bytes(meta())
    tag = f"{_tag_set('py', 40)}-{_tag_set('a', 40)}-{_tag_set('p', 40)}"
    lines = "".join(f"Tag: {tag}.x{i}\n" for i in range(2000))
    (dist_info / "WHEEL").write_text(f"Wheel-Version: 1.0\n{lines}", "utf-8")
    return _new("wheel_many_tag_lines", "2 super-linear", ["check", "demo-1.0.dist-info"], ANY)


@_case
def sdist_many_members(d: Path) -> Case:
    extra = [(member(f"demo-1.0/src/m{i}.py"), b"") for i in range(30_000)]
    sdist(d, meta(), extra=extra)
    return _new("sdist_many_members", "2 super-linear", ["check", "demo-1.0.tar.gz"], PASSES)


@_case
def sdist_many_escaping_members(d: Path) -> Case:
    extra = [(member(f"../evil{i}"), b"") for i in range(20_000)]
    sdist(d, meta(), extra=extra)
    return _new(
        "sdist_many_escaping_members", "2 super-linear", ["check", "demo-1.0.tar.gz"], INVALID
    )


@_case
def wheel_many_members(d: Path) -> Case:
    members = [(f"demo/m{i}.py", b"") for i in range(30_000)]
    members += [("demo-1.0.dist-info/METADATA", meta()), ("demo-1.0.dist-info/WHEEL", b"")]
    write_zip(d / "demo-1.0-py3-none-any.whl", members, zipfile.ZIP_STORED)
    return _new(
        "wheel_many_members", "2 super-linear", ["check", "demo-1.0-py3-none-any.whl"], PASSES
    )


@_case
def huge_summary_compressed(d: Path) -> Case:
    big = "x" * (15 * 1024 * 1024)
    _pair(d, meta(fields=[("Summary", big)]), meta(fields=[("Summary", big + "y")]))
    return _new("huge_summary_compressed", "2 super-linear", DIFF_PAIR, ANY)


@_case
def requires_python_many_specifiers(d: Path) -> Case:
    spec = ",".join(f"!=3.{i}.*" for i in range(_MANY))
    _pair(
        d,
        meta(fields=[("Requires-Python", spec)]),
        meta(fields=[("Requires-Python", ",".join(reversed(spec.split(","))))]),
    )
    return _new("requires_python_many_specifiers", "2 super-linear", CHECK_PAIR, ANY)


@_case
def version_huge_integer(d: Path) -> Case:
    version = "1." + "9" * 6000
    wheel(d, meta(version=version))
    sdist(d, meta(version=version))
    return _new("version_huge_integer", "2 super-linear", CHECK_PAIR, ANY)


# -- 6: wrong acceptances ----------------------------------------------------------------------


def _identical(d: Path, fields: list[tuple[str, str]], version: str = "2.2") -> None:
    data = meta(fields=fields, metadata_version=version)
    _pair(d, data, data)


@_case
def dynamic_name_identical(d: Path) -> Case:
    _identical(d, [("Dynamic", "Name")])
    return _new("dynamic_name_identical", "6 wrong acceptance", CHECK_PAIR, FINDING)


@_case
def dynamic_version_identical(d: Path) -> Case:
    _identical(d, [("Dynamic", "version")], "2.4")
    return _new("dynamic_version_identical", "6 wrong acceptance", CHECK_PAIR, FINDING)


@_case
def dynamic_metadata_version_identical(d: Path) -> Case:
    _identical(d, [("Dynamic", "Metadata-Version")])
    return _new("dynamic_metadata_version_identical", "6 wrong acceptance", CHECK_PAIR, FINDING)


@_case
def dynamic_name_identical_json(d: Path) -> Case:
    _identical(d, [("Dynamic", "Name")])
    args = ["check", "--format", "json", "demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    return _new("dynamic_name_identical_json", "6 wrong acceptance", args, FINDING)


@_case
def sdist_symlink_outside(d: Path) -> Case:
    sdist(d, meta(), extra=[(member("demo-1.0/data", tarfile.SYMTYPE, "/etc/passwd"), b"")])
    return _new(
        "sdist_symlink_outside", "6 wrong acceptance", ["check", "demo-1.0.tar.gz"], INVALID
    )


@_case
def sdist_symlink_relative_escape(d: Path) -> Case:
    link = member("demo-1.0/sub/up", tarfile.SYMTYPE, "../../../outside")
    sdist(d, meta(), extra=[(link, b"")])
    args = ["check", "demo-1.0.tar.gz"]
    return _new("sdist_symlink_relative_escape", "6 wrong acceptance", args, INVALID)


@_case
def sdist_hardlink_outside(d: Path) -> Case:
    sdist(d, meta(), extra=[(member("demo-1.0/h", tarfile.LNKTYPE, "../../etc/passwd"), b"")])
    return _new(
        "sdist_hardlink_outside", "6 wrong acceptance", ["check", "demo-1.0.tar.gz"], INVALID
    )


@_case
def sdist_top_dir_other_name(d: Path) -> Case:
    sdist(d, meta(), top="other-1.0")
    return _new(
        "sdist_top_dir_other_name", "6 wrong acceptance", ["check", "demo-1.0.tar.gz"], INVALID
    )


@_case
def sdist_top_dir_other_version(d: Path) -> Case:
    sdist(d, meta(), top="demo-2.0")
    return _new(
        "sdist_top_dir_other_version", "6 wrong acceptance", ["check", "demo-1.0.tar.gz"], INVALID
    )


@_case
def sdist_zip_top_dir_other_name(d: Path) -> Case:
    write_zip(d / "demo-1.0.zip", [("evil-1.0/PKG-INFO", meta())])
    return _new(
        "sdist_zip_top_dir_other_name", "6 wrong acceptance", ["check", "demo-1.0.zip"], INVALID
    )


@_case
def empty_metadata(d: Path) -> Case:
    wheel(d, b"")
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("empty_metadata", "6 wrong acceptance", args, INVALID)


@_case
def empty_pkg_info(d: Path) -> Case:
    sdist(d, b"")
    return _new("empty_pkg_info", "6 wrong acceptance", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def blank_metadata_pair(d: Path) -> Case:
    _pair(d, b"\n\n", b"\n\n")
    return _new("blank_metadata_pair", "6 wrong acceptance", CHECK_PAIR, INVALID)


@_case
def metadata_version_99(d: Path) -> Case:
    wheel(d, meta(metadata_version="99.0"))
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("metadata_version_99", "6 wrong acceptance", args, INVALID)


@_case
def metadata_version_99_pair(d: Path) -> Case:
    data = meta(metadata_version="99.0")
    _pair(d, data, data)
    return _new("metadata_version_99_pair", "6 wrong acceptance", CHECK_PAIR, INVALID)


@_case
def metadata_version_garbage(d: Path) -> Case:
    wheel(d, meta(metadata_version="two point four"))
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("metadata_version_garbage", "6 wrong acceptance", args, INVALID)


@_case
def metadata_version_missing(d: Path) -> Case:
    wheel(d, b"Name: demo\nVersion: 1.0\n")
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("metadata_version_missing", "6 wrong acceptance", args, INVALID)


def _gnu_sparse(name: str, data: bytes, hole: int) -> bytes:
    """A GNU sparse (type ``S``) member: ``hole`` NUL bytes, then ``data``."""
    info = tarfile.TarInfo(name)
    info.size = len(data)  # stored bytes
    info.mtime = _TAR_MTIME
    info.type = tarfile.GNUTYPE_SPARSE
    header = bytearray(info.tobuf(tarfile.GNU_FORMAT))
    header[345:500] = bytes(155)
    struct.pack_into("12s12s", header, 386, b"%011o" % hole, b"%011o" % len(data))
    header[483:495] = b"%011o\0" % (hole + len(data))
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header[:512])
    padding = bytes(-len(data) % 512)
    return bytes(header[:512]) + data + padding


@_case
def gnu_sparse_pkg_info(d: Path) -> Case:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as archive:
        info = member("demo-1.0/pyproject.toml")
        archive.addfile(info, io.BytesIO(b""))
    body = raw.getvalue().rstrip(b"\0")
    body += bytes(-len(body) % 512)
    body += _gnu_sparse("demo-1.0/PKG-INFO", meta(), 0) + bytes(1024)
    (d / "demo-1.0.tar.gz").write_bytes(gzip.compress(body, mtime=0))
    return _new("gnu_sparse_pkg_info", "6 wrong acceptance", ["check", "demo-1.0.tar.gz"], INVALID)


def declare_size(path: Path, name: str, size: int) -> None:
    """Patch the uncompressed size of ``name`` in its local header and central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, size)
    end = data.rindex(b"PK\x05\x06")
    (count,) = struct.unpack_from("<H", data, end + 10)
    (entry,) = struct.unpack_from("<I", data, end + 16)
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46 : entry + 46 + name_len] == name.encode():
            struct.pack_into("<I", data, entry + 24, size)
        entry += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


def _lying_wheel(d: Path, compress: int, delta: int) -> None:
    data = meta()
    path = wheel(d, data, compress=compress)
    declare_size(path, "demo-1.0.dist-info/METADATA", len(data) + delta)


@_case
def zip_size_lies_smaller_stored(d: Path) -> Case:
    _lying_wheel(d, zipfile.ZIP_STORED, -10)
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("zip_size_lies_smaller_stored", "6 wrong acceptance", args, INVALID)


@_case
def zip_size_lies_larger_stored(d: Path) -> Case:
    _lying_wheel(d, zipfile.ZIP_STORED, 1000)
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("zip_size_lies_larger_stored", "6 wrong acceptance", args, INVALID)


@_case
def zip_size_lies_smaller_deflated(d: Path) -> Case:
    _lying_wheel(d, zipfile.ZIP_DEFLATED, -10)
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("zip_size_lies_smaller_deflated", "6 wrong acceptance", args, INVALID)


@_case
def zip_size_lies_larger_deflated(d: Path) -> Case:
    _lying_wheel(d, zipfile.ZIP_DEFLATED, 1000)
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("zip_size_lies_larger_deflated", "6 wrong acceptance", args, INVALID)


@_case
def zip_sdist_size_lies(d: Path) -> Case:
    data = meta()
    path = write_zip(d / "demo-1.0.zip", [("demo-1.0/PKG-INFO", data)], zipfile.ZIP_STORED)
    declare_size(path, "demo-1.0/PKG-INFO", len(data) - 10)
    return _new("zip_sdist_size_lies", "6 wrong acceptance", ["check", "demo-1.0.zip"], INVALID)


@_case
def wheel_metadata_name_mismatch(d: Path) -> Case:
    wheel(d, meta(name="other"))
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("wheel_metadata_name_mismatch", "6 wrong acceptance", args, frozenset({1, 3}))


@_case
def pkg_info_nul_bytes(d: Path) -> Case:
    _pair(d, meta(fields=[("Summary", "a\0b")]), meta(fields=[("Summary", "a\0b")]))
    return _new("pkg_info_nul_bytes", "6 wrong acceptance", CHECK_PAIR, ANY)


# -- 7: reading outside what the user named; terminal safety -----------------------------------


@_case
def readme_etc_passwd(d: Path) -> Case:
    rel = "../" * 40 + "etc/passwd"
    readme = f'readme = {{file = "{rel}", content-type = "text/plain"}}'
    _project_with_wheel(d, readme, meta_fields=[("Description-Content-Type", "text/plain")])
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("readme_etc_passwd", "7 outside", args, OUTSIDE, secret="root:x:0:0")


@_case
def readme_outside_secret(d: Path) -> Case:
    outside_secret(d)
    _project_with_wheel(d, 'readme = {file = "../outside/secret.txt", content-type = "text/plain"}')
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("readme_outside_secret", "7 outside", args, OUTSIDE, secret=SECRET)


@_case
def readme_outside_secret_diff(d: Path) -> Case:
    outside_secret(d)
    _project_with_wheel(d, 'readme = {file = "../outside/secret.txt", content-type = "text/plain"}')
    args = ["diff", "proj/pyproject.toml", "dist/demo-1.0-py3-none-any.whl"]
    return _new("readme_outside_secret_diff", "7 outside", args, OUTSIDE, secret=SECRET)


@_case
def readme_outside_secret_json(d: Path) -> Case:
    outside_secret(d)
    _project_with_wheel(d, 'readme = {file = "../outside/secret.txt", content-type = "text/plain"}')
    args = ["check", "--format", "json", "proj/pyproject.toml", "dist"]
    return _new("readme_outside_secret_json", "7 outside", args, OUTSIDE, secret=SECRET)


@_case
def readme_absolute_path(d: Path) -> Case:
    secret = outside_secret(d)
    _project_with_wheel(d, f'readme = {{file = "{secret.resolve()}", content-type = "text/plain"}}')
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("readme_absolute_path", "7 outside", args, OUTSIDE, secret=SECRET)


@_case
def readme_symlink_to_outside(d: Path) -> Case:
    outside_secret(d)
    _project_with_wheel(d, 'readme = {file = "README.txt", content-type = "text/plain"}')
    (d / "proj" / "README.txt").symlink_to("../outside/secret.txt")
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("readme_symlink_to_outside", "7 outside", args, OUTSIDE, secret=SECRET)


@_case
def license_file_outside(d: Path) -> Case:
    outside_secret(d)
    _project_with_wheel(
        d, 'license = {file = "../outside/secret.txt"}', meta_fields=[("License", "MIT")]
    )
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("license_file_outside", "7 outside", args, OUTSIDE, secret=SECRET)


@_case
def sidecar_symlink_outside(d: Path) -> Case:
    (d / "outside").mkdir()
    (d / "outside" / "meta").write_bytes(meta(fields=[("Summary", SECRET)]))
    (d / "dist").mkdir()
    wheel(d / "dist", meta(fields=[("Summary", "inside")]))
    (d / "dist" / "demo-1.0-py3-none-any.whl.metadata").symlink_to("../outside/meta")
    return _new("sidecar_symlink_outside", "7 outside", ["check", "dist"], INVALID, secret=SECRET)


@_case
def sidecar_fifo(d: Path) -> Case:
    (d / "dist").mkdir()
    wheel(d / "dist", meta())
    os.mkfifo(d / "dist" / "demo-1.0-py3-none-any.whl.metadata")
    return _new("sidecar_fifo", "7 outside", ["check", "dist"], frozenset({0, 3}))


@_case
def sidecar_symlink_to_dev_zero(d: Path) -> Case:
    (d / "dist").mkdir()
    wheel(d / "dist", meta())
    (d / "dist" / "demo-1.0-py3-none-any.whl.metadata").symlink_to("/dev/zero")
    return _new(
        "sidecar_symlink_to_dev_zero", "7 outside", ["check", "dist"], INVALID, names="dist"
    )


_ESC = "\x1b[2J\x1b]0;owned\x07\x1b[31m"


@_case
def esc_in_summary_diff(d: Path) -> Case:
    _pair(d, meta(fields=[("Summary", f"hi{_ESC}")]), meta(fields=[("Summary", "hi")]))
    return _new("esc_in_summary_diff", "7 terminal", DIFF_PAIR, FINDING)


@_case
def esc_in_summary_check(d: Path) -> Case:
    _pair(d, meta(fields=[("Summary", f"hi{_ESC}")]), meta(fields=[("Summary", "hi")]))
    return _new("esc_in_summary_check", "7 terminal", CHECK_PAIR, FINDING)


@_case
def esc_in_requires_dist(d: Path) -> Case:
    a = [("Requires-Dist", f"foo; extra == 'x{_ESC}'")]
    _pair(d, meta(fields=a), meta(fields=[("Requires-Dist", "foo")]))
    return _new("esc_in_requires_dist", "7 terminal", CHECK_PAIR, frozenset({1, 3}))


@_case
def esc_in_name(d: Path) -> Case:
    wheel(d, meta(name=f"demo{_ESC}"))
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("esc_in_name", "7 terminal", args, frozenset({1, 3}))


@_case
def c1_csi_in_summary(d: Path) -> Case:
    _pair(d, meta(fields=[("Summary", "hi\x9b2J")]), meta(fields=[("Summary", "hi")]))
    return _new("c1_csi_in_summary", "7 terminal", DIFF_PAIR, FINDING)


@_case
def esc_in_description_body(d: Path) -> Case:
    _pair(d, meta(body=f"text{_ESC}\n"), meta(body="text\n"))
    return _new("esc_in_description_body", "7 terminal", CHECK_PAIR, FINDING)


@_case
def esc_in_directory_name(d: Path) -> Case:
    where = d / f"esc{_ESC}"
    where.mkdir()
    path = wheel(where, meta())
    path.write_bytes(path.read_bytes()[:-30])
    return _new(
        "esc_in_directory_name", "7 terminal", ["check", where.name], INVALID, names=path.name
    )


@_case
def esc_in_member_name(d: Path) -> Case:
    sdist(d, meta(), extra=[(member(f"../evil{_ESC}"), b"x")])
    return _new("esc_in_member_name", "7 terminal", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def esc_in_dist_info_name(d: Path) -> Case:
    write_zip(
        d / "demo-1.0-py3-none-any.whl",
        [("demo-1.0.dist-info/METADATA", meta()), (f"x{_ESC}.dist-info/METADATA", meta())],
    )
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("esc_in_dist_info_name", "7 terminal", args, INVALID)


@_case
def esc_in_pyproject_description(d: Path) -> Case:
    _project_with_wheel(
        d, 'description = "hi\\u001b[2J\\u001b[31m"', meta_fields=[("Summary", "hi")]
    )
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("esc_in_pyproject_description", "7 terminal", args, ANY)


@_case
def newline_in_directory_name(d: Path) -> Case:
    where = d / f"nl\n{FORGED} metaseal: all good"
    where.mkdir()
    path = wheel(where, meta())
    path.write_bytes(path.read_bytes()[:-30])
    return _new(
        "newline_in_directory_name", "7 terminal", ["check", where.name], INVALID, names=path.name
    )


@_case
def newline_in_member_name(d: Path) -> Case:
    sdist(d, meta(), extra=[(member(f"../x\n{FORGED} metaseal: all good"), b"x")])
    return _new("newline_in_member_name", "7 terminal", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def newline_in_top_level_entry(d: Path) -> Case:
    sdist(d, meta(), extra=[(member(f"\n{FORGED}/x"), b"x")])
    return _new("newline_in_top_level_entry", "7 terminal", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def newline_in_toml_error(d: Path) -> Case:
    _project_with_wheel(d, f'dependencies = ["foo\\n{FORGED} metaseal: all good"]')
    args = ["check", "proj/pyproject.toml", "dist"]
    return _new("newline_in_toml_error", "7 terminal", args, INVALID)


# -- 9: permissions ----------------------------------------------------------------------------


@_case
def permission_denied_file(d: Path) -> Case:
    path = wheel(d, meta())
    path.chmod(0)
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("permission_denied_file", "9 permission", args, INVALID, needs_non_root=True)


@_case
def permission_denied_directory(d: Path) -> Case:
    (d / "dist").mkdir()
    wheel(d / "dist", meta())
    (d / "dist").chmod(0o600)  # readable, not searchable
    return _new(
        "permission_denied_directory",
        "9 permission",
        ["check", "dist"],
        INVALID,
        needs_non_root=True,
    )


# -- malformed archives (exit 3 naming the file) -----------------------------------------------


@_case
def gzip_trailing_garbage(d: Path) -> Case:
    path = sdist(d, meta())
    path.write_bytes(path.read_bytes() + b"garbage")
    return _new("gzip_trailing_garbage", "3 malformed", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def tar_pax_huge_size(d: Path) -> Case:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = member("demo-1.0/PKG-INFO")
        info.pax_headers = {"size": str(10**30)}
        archive.addfile(info, io.BytesIO(b""))
    (d / "demo-1.0.tar.gz").write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return _new("tar_pax_huge_size", "3 malformed", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def tar_pax_long_name(d: Path) -> Case:
    sdist(d, meta(), extra=[(member("demo-1.0/" + "n" * 1_000_000), b"")])
    return _new("tar_pax_long_name", "3 malformed", ["check", "demo-1.0.tar.gz"], frozenset({0, 3}))


@_case
def wheel_sparse_2gb(d: Path) -> Case:
    sparse(d / "demo-1.0-py3-none-any.whl", 2 * _GIB, b"PK\x03\x04")
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("wheel_sparse_2gb", "3 malformed", args, INVALID)


@_case
def sdist_sparse_2gb(d: Path) -> Case:
    sparse(d / "demo-1.0.tar.gz", 2 * _GIB, b"\x1f\x8b\x08\x00")
    return _new("sdist_sparse_2gb", "3 malformed", ["check", "demo-1.0.tar.gz"], INVALID)


@_case
def metadata_bom(d: Path) -> Case:
    wheel(d, b"\xef\xbb\xbf" + meta())
    args = ["check", "demo-1.0-py3-none-any.whl"]
    return _new("metadata_bom", "3 malformed", args, ANY)


@_case
def metadata_lone_cr_lines(d: Path) -> Case:
    data = meta(fields=[("Summary", "a")]).replace(b"\n", b"\r")
    _pair(d, data, meta(fields=[("Summary", "a")]))
    return _new("metadata_lone_cr_lines", "3 malformed", CHECK_PAIR, ANY)


@_case
def metadata_header_without_colon(d: Path) -> Case:
    _pair(d, meta() + b"no colon here\nSummary: x\n", meta(fields=[("Summary", "x")]))
    return _new("metadata_header_without_colon", "3 malformed", CHECK_PAIR, ANY)


@_case
def metadata_surrogate_bytes(d: Path) -> Case:
    _pair(d, meta(fields=[("Summary", "a")]).replace(b"a\n", b"\xed\xa0\x80\n"), meta())
    return _new(
        "metadata_surrogate_bytes", "3 malformed", CHECK_PAIR, INVALID, names="demo-1.0.tar.gz"
    )


def generate(root: Path, names: list[str] | None = None) -> list[Case]:
    """Write the cases (all, or those named) under ``root``; return them in order."""
    cases = []
    for name in names or list(BUILDERS):
        directory = root / name
        directory.mkdir(parents=True)
        case = BUILDERS[name](directory)
        if case.name != name:
            raise AssertionError(f"builder {name} returned case {case.name}")
        cases.append(case)
    return cases


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: generate.py OUTDIR\n")
        return 2
    root = Path(argv[0])
    cases = generate(root)
    manifest = json.dumps([c.as_json() for c in cases], indent=1)
    (root / "cases.json").write_text(manifest + "\n", "utf-8")
    sys.stdout.write(f"{len(cases)} cases in {root}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
