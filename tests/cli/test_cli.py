"""`metaseal check` and `metaseal diff` on files written by the test factories: exit codes,
text and JSON output, release-level rules (filenames, dist-info, sidecars, PEP 794)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from factories import make_sdist, make_sidecar, make_wheel, metadata_bytes
from metaseal.cli import EXIT_CODES, main

BASE = [
    ("Metadata-Version", "2.4"),
    ("Name", "demo"),
    ("Version", "1.0"),
    ("Summary", "A demo"),
    ("Requires-Dist", "requests>=2"),
    ("Requires-Dist", 'tomli; python_version < "3.11"'),
]


def meta(
    *extra: tuple[str, str], base: list[tuple[str, str]] | None = None, drop: tuple[str, ...] = ()
) -> bytes:
    fields = [f for f in (base or BASE) if f[0] not in drop]
    return metadata_bytes([*fields, *extra], body="Long text.\n")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "check", "--format", "json", *argv)
    return code, json.loads(out)


def findings(doc: dict[str, Any], *severities: str) -> list[tuple[str, str]]:
    wanted = severities or ("error", "warning")
    return [
        (f["field"], f["rule"])
        for r in doc["releases"]
        for f in r["findings"]
        if f["severity"] in wanted
    ]


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    out.mkdir()
    make_sdist(out, "demo", "1.0", meta())
    make_wheel(out, "demo", "1.0", meta())
    make_wheel(out, "demo", "1.0", meta(), tag="cp312-cp312-manylinux_2_17_x86_64")
    return out


def test_consistent_release_passes(capsys: pytest.CaptureFixture[str], dist: Path) -> None:
    code, out, err = run(capsys, "check", str(dist))
    assert code == 0, out
    assert out.count("PASSED") == 4  # the release line and three files
    assert "FAILED" not in out
    assert err == ""


def test_added_requirement_fails_naming_both_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_sdist(tmp_path, "demo", "1.0", meta())
    make_wheel(tmp_path, "demo", "1.0", meta(("Requires-Dist", "numpy>=2")))
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 1
    assert "FAILED  demo-1.0-py3-none-any.whl" in out
    assert "PASSED  demo-1.0.tar.gz" in out
    assert (
        "error: Requires-Dist [static-field]  demo-1.0.tar.gz -> demo-1.0-py3-none-any.whl" in out
    )
    assert "+ numpy>=2" in out
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 1
    (finding,) = [f for f in doc["releases"][0]["findings"] if f["severity"] == "error"]
    assert finding["artifacts"] == ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    assert finding["added"] == ["numpy>=2"]
    assert finding["right"]["raw"][-1] == "numpy>=2"


def test_json_document_shape(capsys: pytest.CaptureFixture[str], dist: Path) -> None:
    code, doc = check_json(capsys, str(dist))
    assert code == 0
    assert doc["schema_version"] == 1
    assert doc["exit_code"] == 0
    assert doc["errors"] == []
    (release,) = doc["releases"]
    assert (release["name"], release["version"]) == ("demo", "1.0")
    kinds = sorted((a["label"], a["kind"], a["role"], a["status"]) for a in release["artifacts"])
    assert kinds == [
        ("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "wheel", "wheel", "PASSED"),
        ("demo-1.0-py3-none-any.whl", "wheel", "wheel", "PASSED"),
        ("demo-1.0.tar.gz", "sdist", "sdist", "PASSED"),
    ]


def test_strict_makes_warnings_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    make_sdist(tmp_path, "demo", "1.0", meta())
    newer = [("Metadata-Version", "2.5"), *BASE[1:]]
    make_wheel(tmp_path, "demo", "1.0", meta(base=newer))
    assert run(capsys, "check", str(tmp_path))[0] == 0
    code, out, _ = run(capsys, "check", "--strict", str(tmp_path))
    assert code == 1
    assert "warning: Metadata-Version [metadata-version]" in out


def test_cosmetic_is_hidden_unless_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_sdist(tmp_path, "demo", "1.0", meta())
    data = meta().replace(b'tomli; python_version < "3.11"', b"tomli ; python_version<'3.11'")
    make_wheel(tmp_path, "demo", "1.0", data.replace(b"\n", b"\r\n"))
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 0
    assert "cosmetic differences not shown" in out
    code, out, _ = run(capsys, "check", "--cosmetic", str(tmp_path))
    assert code == 0
    assert "cosmetic: Requires-Dist [cosmetic]" in out


def test_wheel_to_wheel_variation_is_info(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_wheel(tmp_path, "demo", "1.0", meta())
    make_wheel(tmp_path, "demo", "1.0", meta(("Requires-Dist", "pywin32")), tag="py3-none-win32")
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 0
    # py3-none-any also installs on Windows, where the win32 wheel adds pywin32: no marker can
    # say which of the two an installer picks there
    assert findings(doc, "info") == [
        ("Requires-Dist", "wheel-variation"),
        ("Requires-Dist", "inexpressible"),
    ]
    (variation,) = doc["releases"][0]["variation"]
    assert variation["present_in"] == ["demo-1.0-py3-none-win32.whl"]
    assert doc["releases"][0]["proposal"]["verified"] is False
    assert run(capsys, "check", "--strict", str(tmp_path))[0] == 1  # variation fails --strict


def test_filename_and_dist_info_mismatch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_wheel(
        tmp_path,
        "demo",
        "1.0",
        meta(),
        filename="demo-1.1-py3-none-any.whl",
        dist_info="other-1.0.dist-info",
    )
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 1
    assert findings(doc) == [("Version", "filename"), ("Name", "dist-info-name")]


def test_import_names_must_agree_across_the_release(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    v25 = [("Metadata-Version", "2.5"), *BASE[1:]]
    make_sdist(tmp_path, "demo", "1.0", meta(("Dynamic", "Import-Name"), base=v25))
    make_wheel(tmp_path, "demo", "1.0", meta(("Import-Name", "demo"), base=v25))
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 1
    assert findings(doc) == [("Import-Name", "import-names")]


def test_sidecar_next_to_its_wheel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", meta())
    make_sidecar(tmp_path, wheel.name, meta())
    assert check_json(capsys, str(tmp_path))[0] == 0
    make_sidecar(tmp_path, wheel.name, meta(("Requires-Dist", "numpy")))
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 1
    assert findings(doc) == [("Requires-Dist", "sidecar"), ("(file)", "sidecar-bytes")]


def test_sidecar_alone_stands_for_its_wheel(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_sdist(tmp_path, "demo", "1.0", meta())
    make_sidecar(tmp_path, "demo-1.0-py3-none-any.whl", meta(("Requires-Dist", "numpy")))
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 1
    assert findings(doc) == [("Requires-Dist", "static-field")]


def test_pyproject_joins_its_release(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\ndescription = "A demo"\n'
        'dependencies = ["requests>=2"]\n',
        encoding="utf-8",
    )
    dist = tmp_path / "dist"
    dist.mkdir()
    make_wheel(dist, "demo", "1.0", meta())
    code, doc = check_json(capsys, str(tmp_path / "pyproject.toml"), str(dist))
    assert code == 1
    assert findings(doc) == [
        ("Description", "pyproject-undeclared"),
        ("Requires-Dist", "pyproject-static"),
    ]
    assert doc["releases"][0]["checked_against"] == [str(tmp_path / "pyproject.toml")]


def test_pyproject_without_matching_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dist: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "other"\nversion = "1"\n', encoding="utf-8"
    )
    code, _out, err = run(capsys, "check", str(tmp_path / "pyproject.toml"), str(dist))
    assert code == 3
    assert "no file of that project" in err


def test_unreadable_input_exits_3_and_others_still_checked(
    capsys: pytest.CaptureFixture[str], dist: Path
) -> None:
    (dist / "broken-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 not a zip")
    code, out, err = run(capsys, "check", str(dist))
    assert code == 3
    assert "demo 1.0: 3 files, PASSED" in out
    assert "broken-1.0-py3-none-any.whl" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv", [[], ["diff", "a"], ["check", "--format", "xml", "x"], ["frobnicate"]]
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_exit_codes_are_documented() -> None:
    assert sorted(EXIT_CODES) == [0, 1, 2, 3, 4]
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"| {code} " in readme or f"| `{code}`" in readme


def test_diff_sdist_and_wheel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", meta())
    wheel = make_wheel(tmp_path, "demo", "1.0", meta(("Requires-Dist", "numpy")))
    code, out, _ = run(capsys, "diff", str(sdist), str(wheel))
    assert code == 1
    assert "1 difference" in out
    assert "+ numpy" in out
    # order of the arguments does not change which side makes the promise
    code, out, _ = run(capsys, "diff", "--format", "json", str(wheel), str(sdist))
    assert code == 1
    assert json.loads(out)["findings"][0]["left"]["artifact"] == "demo-1.0.tar.gz"


def test_diff_two_metadata_files_cosmetic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "METADATA").write_bytes(meta())
    (b / "METADATA").write_bytes(meta().replace(b"\n", b"\r\n") + b"\n\n")
    code, out, _ = run(capsys, "diff", str(a / "METADATA"), str(b / "METADATA"))
    assert code == 0
    assert "same meaning" in out
    code, out, _ = run(capsys, "diff", "--cosmetic", str(a / "METADATA"), str(b / "METADATA"))
    assert "cosmetic: Description" in out


def test_diff_two_pyprojects_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\nversion = "1"\n', encoding="utf-8")
    code, _, err = run(capsys, "diff", str(path), str(path))
    assert code == 2
    assert "pyproject.toml" in err


def test_installed_distribution_against_release(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import importlib.metadata as md

    dist = md.distribution("packaging")
    version = dist.version
    text = dist.read_text("METADATA")
    assert text is not None
    make_wheel(tmp_path, "packaging", version, text.encode())
    code, doc = check_json(capsys, "installed:packaging", str(tmp_path))
    assert code == 0, doc
    (release,) = doc["releases"]
    assert {a["kind"] for a in release["artifacts"]} == {"installed", "wheel"}


def test_console_script_entry_point_runs(tmp_path: Path, dist: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "metaseal", "check", str(dist)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PASSED" in proc.stdout


def test_options_between_sources(capsys: pytest.CaptureFixture[str], dist: Path) -> None:
    sources = sorted(str(p) for p in dist.iterdir())
    code, out, _ = run(capsys, "check", sources[0], "--format", "json", *sources[1:])
    assert code == 0
    assert len(json.loads(out)["releases"][0]["artifacts"]) == 3
    with pytest.raises(SystemExit) as info:
        main(["check", sources[0], "--bogus", sources[1]])
    assert info.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_sidecars_pair_with_the_file_beside_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for folder, extra in (("a", ()), ("b", (("Requires-Dist", "numpy"),))):
        (tmp_path / folder).mkdir()
        wheel = make_wheel(tmp_path / folder, "demo", "1.0", meta(*extra))
        make_sidecar(tmp_path / folder, wheel.name, meta(*extra))
    code, doc = check_json(capsys, str(tmp_path / "a"), str(tmp_path / "b"))
    # each sidecar matches its own wheel; the two wheels (same tags) differ: info only
    assert code == 0
    assert findings(doc) == []
    assert findings(doc, "info") == [
        ("Requires-Dist", "wheel-variation"),
        ("Requires-Dist", "inexpressible"),
    ]


def test_repaired_wheel_must_keep_the_metadata(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_wheel(tmp_path, "demo", "1.0", meta(), tag="cp312-cp312-linux_x86_64")
    repaired = meta(("Requires-Dist", "libfoo-bundled"))  # auditwheel must not do this
    make_wheel(tmp_path, "demo", "1.0", repaired, tag="cp312-cp312-manylinux_2_17_x86_64")
    code, doc = check_json(capsys, str(tmp_path))
    assert code == 0  # a warning: repair tools are not bound by PEP 643
    assert ("Requires-Dist", "repair") in findings(doc, "warning")
    (repair,) = [f for f in doc["releases"][0]["findings"] if f["rule"] == "repair"]
    assert repair["artifacts"] == [
        "demo-1.0-cp312-cp312-linux_x86_64.whl",
        "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
    ]
    assert run(capsys, "check", "--strict", str(tmp_path))[0] == 1


def test_upload_readiness_warns_by_default_and_fails_for_pypi(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    newer = meta(base=[("Metadata-Version", "2.6"), *BASE[1:]])
    make_sdist(out, "demo", "1.0", newer)
    make_wheel(out, "demo", "1.0", newer)
    code, text, _ = run(capsys, "check", str(out))
    assert code == 0, text
    assert "PyPI refuses Metadata-Version 2.6 today" in text
    code, doc = check_json(capsys, str(out))
    assert findings(doc) == [("Metadata-Version", "upload")] * 2
    assert {f["severity"] for r in doc["releases"] for f in r["findings"]} == {"warning"}
    code, text, _ = run(capsys, "check", "--target", "pypi", str(out))
    assert code == 1
    assert text.count("PyPI refuses Metadata-Version 2.6 today") == 2
    code, doc = check_json(capsys, "--target", "none", str(out))
    assert code == 0
    assert findings(doc) == []
