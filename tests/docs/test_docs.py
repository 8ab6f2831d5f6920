"""The reference docs cannot drift from the code.

- ``docs/reference/rules.md`` is committed: it must equal what the tables generate.
- The settings, CLI, environment-variable and exit-code pages are generated while the docs
  build; these tests walk the code independently of the generators and check that every
  setting, every option of every (sub)command and every environment variable the source reads
  is in the generated Markdown.
- The JSON report is described by ``docs/reference/report-schema.json``: real ``check`` and
  ``diff`` output must validate against it (it forbids undescribed keys), every part of it must
  be exercised, and the generated page must name every key.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import metaseal_reference
import pytest
from metaseal_reference import (
    GENERATORS,
    render_cli_reference,
    render_environment_reference,
    render_exit_codes,
    render_report_schema,
    render_rules_reference,
    render_settings_reference,
)

from factories import make_sdist, make_sidecar, make_wheel, metadata_bytes
from metaseal.backend.settings import ENV_PREFIX, Source, options
from metaseal.cli import EXIT_CODES, build_parser, main
from metaseal.engine.fields import FIELDS
from metaseal.engine.rules import RULES

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
PAGE = DOCS / "reference" / "rules.md"
SCHEMA_PATH = DOCS / "reference" / "report-schema.json"


def test_rules_reference_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_rules_reference(), (
        "docs/reference/rules.md is stale: run `python docs/_ext/metaseal_reference.py`"
    )


def test_every_rule_and_field_is_documented() -> None:
    text = render_rules_reference()
    for rule in RULES:
        assert f"`{rule}`" in text
    for field in FIELDS:
        assert f"`{field.name}`" in text


# --- settings and environment variables --------------------------------------------------------


def test_every_setting_is_in_the_settings_reference() -> None:
    text = render_settings_reference()
    keys = [key for _, key, _ in options()]
    assert keys, "the settings model has no settings?"
    for _, key, opt in options():
        assert f"```{{confval}} {key}\n" in text, key
        for source in Source:
            assert source.value in text
        if Source.PYPROJECT in opt.sources:
            assert f"`{key} = " in text, key
        if Source.CONFIG_SETTINGS in opt.sources:
            assert f"`-Cmetaseal.{key}=" in text, key


def test_every_backend_variable_is_in_the_environment_reference() -> None:
    text = render_environment_reference()
    for _, key, opt in options():
        if Source.ENV in opt.sources:
            name = ENV_PREFIX + key.upper().replace("-", "_")
            assert f"```{{envvar}} {name}\n" in text, name
    assert "```{envvar} METASEAL_ALLOW_BROKEN_SEAL\n" in text


_ENV_READ = re.compile(
    r"""(?:environ(?:\.get)?\s*[\[(]|getenv\s*\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)
_METASEAL_VAR = re.compile(r"""["'](METASEAL_[A-Z0-9_]+)["']""")


def _variables_in_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "metaseal").rglob("*.py"):
        if path.name == "_docs.py":
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(_ENV_READ.findall(text)) | set(_METASEAL_VAR.findall(text))
    # The prefix itself is not a variable.
    return {name for name in found if name != ENV_PREFIX}


def test_every_variable_the_source_reads_is_documented() -> None:
    text = render_environment_reference()
    documented = set(re.findall(r"```\{envvar\} (\S+)\n", text))
    missing = {name for name in _variables_in_source() if name.upper() not in documented}
    assert not missing, f"environment variables read in src/ but not documented: {missing}"


# --- the command line --------------------------------------------------------------------------


def _walk(parser: argparse.ArgumentParser, prog: str) -> list[tuple[str, argparse.Action]]:
    """Every action of every (sub)command, found without the generator's own walker."""
    found: list[tuple[str, argparse.Action]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _walk(sub, f"{prog} {name}")
        else:
            found.append((prog, action))
    return found


def _sections(text: str) -> dict[str, str]:
    """The CLI reference split by ``## `prog` `` headings."""
    parts = re.split(r"^## `([^`]+)`\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def _all_actions() -> list[tuple[str, argparse.Action]]:
    """Every action of ``build_parser()`` and of the commands ``cli.main`` dispatches before
    it (``metaseal scan report`` has a parser of its own)."""
    from metaseal.cli._scan import _report_parser

    return _walk(build_parser(), "metaseal") + _walk(_report_parser(), "metaseal scan report")


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    text = render_cli_reference()
    sections = _sections(text)
    actions = _all_actions()
    expected = {"metaseal", "metaseal check", "metaseal diff", "metaseal scan"}
    assert expected | {"metaseal scan report"} <= set(sections)
    assert {prog for prog, _ in actions} <= set(sections)
    checked = 0
    for prog, action in actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        names = action.option_strings or [str(action.metavar or action.dest)]
        options_here = re.findall(r"^```\{option\} (.+)$", sections[prog], flags=re.MULTILINE)
        signatures = " , ".join(options_here)
        for name in names:
            assert re.search(rf"(^|[ ,]){re.escape(name)}([ ,]|$)", signatures), (prog, name)
            checked += 1
    assert checked >= 10
    assert sorted(set(metaseal_reference.cli_option_strings())) == sorted(
        {
            (prog, name)
            for prog, action in actions
            if not isinstance(action, argparse._HelpAction) and action.help != argparse.SUPPRESS
            for name in (action.option_strings or [str(action.metavar or action.dest)])
        }
    )


def test_cli_reference_covers_a_nested_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="metaseal")
    commands = parser.add_subparsers(dest="command")
    scan = commands.add_parser("scan", help="scan many projects")
    scan.add_argument("--db", metavar="FILE", help="the database")
    nested = scan.add_subparsers(dest="sub")
    report = nested.add_parser("report", help="summarize a scan")
    report.add_argument("--format", choices=("md", "json", "csv"), default="md")
    report.add_argument("--hidden", help=argparse.SUPPRESS)
    text = render_cli_reference(parser)
    sections = _sections(text)
    assert "```{program} metaseal scan report\n" in sections["metaseal scan report"]
    assert "```{option} --format {md,json,csv}\n" in sections["metaseal scan report"]
    assert "Default: `md`." in sections["metaseal scan report"]
    assert "--hidden" not in text
    assert "[`metaseal scan report`](#cli-metaseal-scan-report)" in sections["metaseal scan"]


def test_options_in_the_cli_reference_prose_are_code() -> None:
    """Outside code, Sphinx's smartquotes would turn `--index` into an en dash: every option
    the prose of the generated page names is in a code span (directive lines and fenced blocks
    are code already)."""
    text = render_cli_reference()
    prose = []
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):  # a closing fence, a code block, or a directive (its body
            # is Markdown prose)
            fenced = line != "```" and not line.startswith(("```{option}", "```{program}"))
            continue
        if not fenced:
            prose.append(re.sub(r"``.*?``|`[^`]*`", "", line))
    bare = [line for line in prose if re.search(r"(?<![\w-])--?[a-z]", line)]
    assert not bare, bare
    assert "With `--index` or `--find-links`" in text


def test_docs_never_turn_double_hyphens_into_dashes_and_code_boxes_wrap() -> None:
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert 'smartquotes_action = "qe"' in conf  # quotes and ellipses, no dashes
    assert 'html_css_files = ["metaseal.css"]' in conf
    css = (DOCS / "_static" / "metaseal.css").read_text(encoding="utf-8")
    assert "white-space: pre-wrap" in css
    assert "overflow-x: auto" in css


def test_main_dispatches_no_other_command_itself() -> None:
    """``cli.main`` hands ``scan report`` to its own parser; the reference knows that one.
    Another command dispatched that way would be missing from it."""
    source = (ROOT / "src" / "metaseal" / "cli" / "__init__.py").read_text(encoding="utf-8")
    assert re.findall(r"argv\[:\d\] == (\[[^\]]*\])", source) == ['["scan", "report"]']


def test_exit_codes_page() -> None:
    from metaseal.cli._scan import SCAN_EXIT_CODES

    text = render_exit_codes()
    scan = text.split("## `metaseal scan`")[1]
    for code in EXIT_CODES:
        assert f"| `{code}` |" in text.split("## `metaseal scan`")[0]
    for code in SCAN_EXIT_CODES:
        assert f"| `{code}` |" in scan


def test_every_source_link_exists() -> None:
    """``{source}`path``` links point into this repository: the path must exist."""
    found = 0
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        for target in re.findall(
            r"\{source\}`([^`<]+?)(?:\s*<([^>]+)>)?`", page.read_text("utf-8")
        ):
            path = target[1] or target[0]
            assert (ROOT / path).exists(), f"{page.relative_to(ROOT)}: {path} does not exist"
            found += 1
    assert found > 10


def test_every_generator_is_used_by_a_page_and_every_page_names_a_generator() -> None:
    used: set[str] = set()
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        used |= set(re.findall(r"```\{metaseal-generated\}\s+([\w-]+)", page.read_text("utf-8")))
    assert used == set(GENERATORS)


# --- the JSON report ---------------------------------------------------------------------------


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


class _Validator:
    """Just enough JSON Schema (2020-12) for report-schema.json; unknown keywords are errors,
    so the schema cannot say something this validator silently ignores."""

    _ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})

    def __init__(self, schema: dict[str, Any]) -> None:
        self.root = schema
        self.used: set[str] = set()

    def errors(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        found: list[str] = []
        for key, rule in schema.items():
            if key in self._ANNOTATIONS or key == "required":
                continue
            check = getattr(self, "_" + key.lstrip("$"), None)
            if check is None:
                raise AssertionError(f"unsupported schema keyword {key!r} at {where}")
            found += check(value, rule, schema, where)
        return found

    def _ref(self, value: Any, rule: str, _: Any, where: str) -> list[str]:
        name = rule.removeprefix("#/$defs/")
        self.used.add(name)
        return self.errors(value, self.root["$defs"][name], where)

    def _anyOf(self, value: Any, rule: list[dict[str, Any]], _: Any, where: str) -> list[str]:
        attempts = [self._trial(value, option, where) for option in rule]
        if any(not errors for errors, _ in attempts):
            self.used |= next(used for errors, used in attempts if not errors)
            return []
        return [f"{where}: matches no alternative: {attempts}"]

    def _trial(self, value: Any, schema: dict[str, Any], where: str) -> tuple[list[str], set[str]]:
        saved, self.used = self.used, set()
        try:
            return self.errors(value, schema, where), self.used
        finally:
            self.used = saved

    def _type(self, value: Any, rule: str | list[str], _: Any, where: str) -> list[str]:
        kinds = [rule] if isinstance(rule, str) else rule
        for kind in kinds:
            if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
                return []
            if kind in _JSON_TYPES and isinstance(value, _JSON_TYPES[kind]):
                return []
        return [f"{where}: {value!r} is not {rule}"]

    def _const(self, value: Any, rule: Any, _: Any, where: str) -> list[str]:
        return [] if value == rule else [f"{where}: {value!r} != {rule!r}"]

    def _enum(self, value: Any, rule: list[Any], _: Any, where: str) -> list[str]:
        return [] if value in rule else [f"{where}: {value!r} not in {rule}"]

    def _minimum(self, value: Any, rule: int, _: Any, where: str) -> list[str]:
        return [] if value >= rule else [f"{where}: {value} < {rule}"]

    def _items(self, value: Any, rule: dict[str, Any], _: Any, where: str) -> list[str]:
        if not isinstance(value, list):
            return []
        return [e for i, item in enumerate(value) for e in self.errors(item, rule, f"{where}[{i}]")]

    def _properties(self, value: Any, rule: dict[str, Any], schema: Any, where: str) -> list[str]:
        if not isinstance(value, dict):
            return []
        found = [f"{where}: missing {k!r}" for k in schema.get("required", ()) if k not in value]
        for key, item in value.items():
            if key in rule:
                found += self.errors(item, rule[key], f"{where}.{key}")
        return found

    def _additionalProperties(
        self, value: Any, rule: bool | dict[str, Any], schema: Any, where: str
    ) -> list[str]:
        if not isinstance(value, dict):
            return []
        extra = [key for key in value if key not in schema.get("properties", {})]
        if rule is False:
            return [f"{where}: undocumented key {key!r}" for key in extra]
        if isinstance(rule, dict):
            return [e for key in extra for e in self.errors(value[key], rule, f"{where}.{key}")]
        return []


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def _meta(*extra: tuple[str, str]) -> bytes:
    base = [("Metadata-Version", "2.4"), ("Name", "demo"), ("Version", "1.0")]
    return metadata_bytes([*base, *extra])


@pytest.fixture
def outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Real ``check`` and ``diff`` JSON documents covering every part of the report: a
    wheelhouse with platform variation (a proposal and an inexpressible WOW64 case), a
    sidecar, a pyproject.toml, an unreadable file, and a diff with a finding."""
    dist = tmp_path / "dist"
    dist.mkdir()
    numpy, hotfix = ("Requires-Dist", "numpy"), ("Requires-Dist", "pyarrow-hotfix<1")
    make_sdist(dist, "demo", "1.0", _meta(("Dynamic", "Requires-Dist"), numpy))
    make_wheel(dist, "demo", "1.0", _meta(numpy), tag="cp311-cp311-win32")
    amd64 = make_wheel(dist, "demo", "1.0", _meta(numpy, hotfix), tag="cp311-cp311-win_amd64")
    make_wheel(dist, "demo", "1.0", _meta(numpy, hotfix), tag="cp311-cp311-manylinux_2_17_x86_64")
    make_sidecar(dist, amd64.name, _meta(numpy, ("Requires-Dist", "pyarrow-hotfix <1")))
    (dist / "broken-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\nversion = "1.0"\ndynamic = ["dependencies"]\n',
        encoding="utf-8",
    )
    documents = []
    for argv in (
        ["check", "--format", "json", str(pyproject), str(dist)],
        ["check", "--format", "json", str(tmp_path / "nothing-here")],
        ["diff", "--format", "json", str(dist / "demo-1.0.tar.gz"), str(amd64)],
    ):
        code = main(argv)
        document = json.loads(capsys.readouterr().out)
        assert document["exit_code"] == code
        documents.append(document)
    return documents


def test_real_reports_validate_against_the_schema(outputs: list[dict[str, Any]]) -> None:
    schema = _schema()
    validator = _Validator(schema)
    for document in outputs:
        assert validator.errors(document, schema) == []
    release = outputs[0]["releases"][0]
    assert release["proposal"] is not None and release["inexpressible"], "scenario drifted"
    assert release["checked_against"] and outputs[0]["errors"], "scenario drifted"
    assert validator.used == set(schema["$defs"]), "a part of the schema is never exercised"


def test_schema_rejects_an_undocumented_key(outputs: list[dict[str, Any]]) -> None:
    schema = _schema()
    document = outputs[0]
    document["releases"][0]["findings"][0]["surprise"] = True
    assert _Validator(schema).errors(document, schema) != []


def test_every_schema_key_is_described_and_on_the_page() -> None:
    schema = _schema()
    page = render_report_schema(schema)
    for name, node in schema["$defs"].items():
        assert node.get("description"), name
        assert f"## `{name}`" in page
        for key, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{key}"
            assert f"| `{key}`" in page, f"{name}.{key}"
