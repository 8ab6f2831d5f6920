"""Generate the reference pages from the code's own tables (pure; every function returns Markdown).

Two ways into the docs, both checked by ``tests/unit/test_docs.py``:

- ``docs/_ext/metaseal_docs.py`` (a small Sphinx extension) calls :data:`GENERATORS` while the
  site builds, so the settings, CLI, environment-variable, exit-code and JSON-report pages are
  made from :mod:`metaseal.backend.settings`, :func:`metaseal.cli.build_parser`,
  :data:`EXIT_CODES` and ``docs/reference/report-schema.json`` every time and cannot drift;
- ``python docs/_ext/metaseal_reference.py`` rewrites the committed ``docs/reference/rules.md``;
  a test fails when it differs from what the rule, field and quirk tables say.

The Markdown uses MyST directives (``program``/``option``, ``confval``, ``envvar``) so other pages
can link to every option, setting and variable, and a broken link fails the build.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metaseal.backend.settings import (
    CONF_PREFIX,
    ENV_PREFIX,
    Source,
    options,
)
from metaseal.cli import EXIT_CODES, build_parser
from metaseal.engine.fields import FIELDS
from metaseal.engine.quirks import QUIRKS
from metaseal.engine.rules import RULES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    #: Subcommands ``cli.main`` dispatches itself, by parent prog: ``(name, parser, help)``.
    _Extra = Mapping[str, list[tuple[str, argparse.ArgumentParser, str]]]

__all__ = [
    "BACKEND_ENV_VARS",
    "GENERATORS",
    "NETWORK_ENV_VARS",
    "cli_option_strings",
    "render_cli_reference",
    "render_environment_reference",
    "render_exit_codes",
    "render_report_schema",
    "render_rules_reference",
    "render_settings_reference",
]

#: Width of the ``usage:`` lines in the CLI reference (fixed, so the page does not depend on
#: the terminal the docs are built in).
_USAGE_WIDTH = 88

#: Variables metaseal does not own but the index client honours (``metaseal check --index``,
#: ``--find-links``, ``metaseal scan``), with what each one does there.
#: Variables metaseal does not own but the build backend honours, with what each does there.
BACKEND_ENV_VARS: tuple[tuple[str, str], ...] = (
    (
        "XDG_CACHE_HOME",
        (
            "Where {confval}`verdict-cache` keeps its entries when that setting is unset, on "
            "Linux and other POSIX systems: `$XDG_CACHE_HOME/metaseal/verdicts` (default "
            "`~/.cache/metaseal/verdicts`; macOS: `~/Library/Caches/metaseal/verdicts`)."
        ),
    ),
    (
        "LOCALAPPDATA",
        ("The same on Windows: `%LOCALAPPDATA%\\metaseal\\Cache\\verdicts`."),
    ),
    (
        "SOURCE_DATE_EPOCH",
        (
            "When {confval}`seal-old-sdists` rewrites an sdist, the gzip header's time (a rebuild "
            "then gives the same bytes); without it, the time the inner backend wrote there."
        ),
    ),
)

NETWORK_ENV_VARS: tuple[tuple[str, str], ...] = (
    (
        "HTTPS_PROXY",
        "Proxy URL for `https://` index and file URLs (lower-case `https_proxy` too).",
    ),
    ("HTTP_PROXY", "Proxy URL for `http://` URLs (lower-case `http_proxy` too)."),
    ("ALL_PROXY", "Proxy URL for any scheme without its own variable (`all_proxy` too)."),
    (
        "NO_PROXY",
        (
            "Comma-separated host names (and domain suffixes) reached directly, without a proxy "
            "(`no_proxy` too)."
        ),
    ),
    (
        "NETRC",
        (
            "Path of the netrc file with credentials per host (default: `~/.netrc`). Credentials "
            "are sent only to the host they are listed for."
        ),
    ),
    (
        "SSL_CERT_FILE",
        (
            "CA bundle used to verify HTTPS servers when `--cert` is not given (otherwise the "
            "system trust store)."
        ),
    ),
)


# --- small Markdown helpers ------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\*_<>\[\]])")


#: An option as typed in prose (``--index``, ``-q``): shown in a code span, so that Sphinx's
#: smartquotes cannot turn its ``--`` into an en dash.
_OPTION = re.compile(r"(?<![\w`-])(--?[A-Za-z][\w-]*)")


def _md(text: str) -> str:
    """Escape Markdown outside backtick code spans (help texts are plain prose); options
    written in the prose become code spans."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return text  # unbalanced backticks: leave as is
    for index in range(0, len(parts), 2):  # even parts are outside code spans
        pieces = _OPTION.split(parts[index])
        parts[index] = "".join(
            f"`{piece}`" if number % 2 else _MD_SPECIAL.sub(r"\\\1", piece)
            for number, piece in enumerate(pieces)
        )
    return "`".join(parts)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _code(text: str) -> str:
    """``text`` as one inline code span, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _directive(name: str, argument: str, body: list[str], **opts: str) -> list[str]:
    """A MyST fenced directive; ``opts`` become ``:key: value`` lines."""
    lines = [f"```{{{name}}} {argument}".rstrip()]
    lines += [f":{key.replace('_', '-')}: {value}" for key, value in opts.items()]
    if body:
        lines += ["", *body]
    lines.append("```")
    return lines


# --- settings ----------------------------------------------------------------------------------


def _env_name(key: str) -> str:
    return ENV_PREFIX + key.upper().replace("-", "_")


def _toml(value: object) -> str:
    """A TOML value for the simple kinds settings have (strings, booleans, string lists)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value)


def _kind_text(kind: str, choices: tuple[str, ...]) -> str:
    if kind == "choice":
        return " or ".join(f"`{json.dumps(choice)}`" for choice in choices)
    return {"str": "string", "bool": "boolean", "list": "list of strings"}[kind]


def _default_text(attr: str) -> str:
    opt = next(opt for name, _, opt in options() if name == attr)
    if opt.required:
        return "none: required"
    if opt.default is None or opt.default == "":
        return "unset"
    return f"`{_toml(opt.default)}`"


def _spellings(key: str, kind: str, example: object, sources: frozenset[Source]) -> list[str]:
    text_value = ",".join(example) if isinstance(example, (list, tuple)) else example
    if isinstance(text_value, bool):
        text_value = "true" if text_value else "false"
    rows = [_row("source", "how to set it"), _row("---", "---")]
    for source in Source:
        if source not in sources:
            rows.append(_row(source.value, "not allowed"))
        elif source is Source.PYPROJECT:
            rows.append(
                _row(source.value, f"`[tool.metaseal]` {_code(f'{key} = {_toml(example)}')}")
            )
        elif source is Source.CONFIG_SETTINGS:
            rows.append(_row(source.value, _code(f"-C{CONF_PREFIX}{key}={text_value}")))
        else:
            rows.append(_row(source.value, f"{{envvar}}`{_env_name(key)}` = `{text_value}`"))
    if kind == "list":
        rows += ["", "From config-settings and the environment a list is comma-separated."]
    elif kind == "bool":
        rows += [
            "",
            (
                "From config-settings and the environment: `1`/`0`, `true`/`false`, `yes`/`no`, "
                "`on`/`off`."
            ),
        ]
    return rows


def render_settings_reference() -> str:
    """Every setting of the wrapper backend, from :class:`metaseal.backend.settings.Settings`."""
    lines = [
        "# Settings",
        "",
        "Generated from the settings model (`metaseal.backend.settings.Settings`) when the docs",
        "are built.",
        "",
        "The wrapper build backend reads its settings from three sources; the first one that",
        "sets a key wins:",
        "",
        f"1. environment variables `{ENV_PREFIX}<KEY>` (upper case, `-` becomes `_`);",
        f"2. config-settings `{CONF_PREFIX}<key>` (`python -m build -C{CONF_PREFIX}mode=warn`,",
        f"   `pip wheel --config-settings {CONF_PREFIX}mode=warn`); every other config-setting",
        "   reaches the inner backend untouched;",
        "3. the `[tool.metaseal]` table of `pyproject.toml`.",
        "",
        "An unknown key in any source fails the build, naming the source and suggesting the",
        "closest known key. These settings belong to the build backend; the `metaseal` command",
        "line does not read them (see [the CLI reference](cli.md)).",
        "",
        "validate-pyproject checks `[tool.metaseal]` too: metaseal publishes a JSON schema",
        "of the table through the `validate_pyproject.tool_schema` entry point",
        "(`python -m metaseal.backend.schema` prints it).",
        "",
    ]
    for attr, key, opt in options():
        body = [_md(opt.doc), ""]
        if opt.required:
            body += ["Required.", ""]
        if opt.pattern:
            body += [f"Must match the regular expression {_code(opt.pattern)}.", ""]
        if opt.why_not:
            body += [f"Not every source may set it: {opt.why_not}.", ""]
        example = opt.example
        if example is None:
            example = opt.choices[-1] if opt.choices else (True if opt.kind == "bool" else "")
        body += _spellings(key, opt.kind, example, opt.sources)
        lines += _directive(
            "confval",
            key,
            body,
            type=_kind_text(opt.kind, opt.choices),
            default=_default_text(attr),
        )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- environment variables -----------------------------------------------------------------


def render_environment_reference() -> str:
    """Every environment variable metaseal reads, grouped by who reads it."""
    lines = [
        "# Environment variables",
        "",
        "Generated from the settings model (`metaseal.backend.settings`) and the index client's",
        "list",
        "(`metaseal_reference.NETWORK_ENV_VARS`) when the docs are built.",
        "",
        "## Read by the build backend",
        "",
        "Each {doc}`setting <settings>` can be set from the environment; the environment wins",
        "over config-settings and `pyproject.toml`. An unknown `METASEAL_*` variable fails the",
        "build (with a suggestion), so a typo cannot silently disable a check.",
        "",
    ]
    for _, key, opt in options():
        if Source.ENV not in opt.sources:
            continue
        body = [f"Sets {{confval}}`{key}`: {_md(opt.doc)}"]
        if opt.kind == "bool":
            body += ["", "Values: `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`."]
        elif opt.kind == "list":
            body += ["", "A comma-separated list."]
        elif opt.kind == "choice":
            body += ["", "Values: " + ", ".join(f"`{c}`" for c in opt.choices) + "."]
        lines += _directive("envvar", _env_name(key), body)
        lines.append("")
    for name, text in BACKEND_ENV_VARS:
        lines += _directive("envvar", name, [text])
        lines.append("")
    lines += [
        "## Read by the index client",
        "",
        "`metaseal check --index`/`--find-links` and `metaseal scan` use the usual networking",
        "variables, like pip does. Nothing else on the network side is configured through the",
        "environment; the command-line options are in the {doc}`CLI reference <cli>`.",
        "",
    ]
    for name, text in NETWORK_ENV_VARS:
        lines += _directive("envvar", name, [text])
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- exit codes ------------------------------------------------------------------------------


def render_exit_codes() -> str:
    """The exit codes of the ``metaseal`` commands, from :data:`metaseal.cli.EXIT_CODES` and
    :data:`metaseal.cli._scan.SCAN_EXIT_CODES`."""
    from metaseal.cli._scan import SCAN_EXIT_CODES

    lines = [
        "# Exit codes",
        "",
        "Generated from `metaseal.cli.EXIT_CODES` and `metaseal.cli._scan.SCAN_EXIT_CODES`",
        "when the docs are built.",
        "",
        "## `metaseal check` and `metaseal diff`",
        "",
        "The JSON report repeats the code as `exit_code`.",
        "",
        _row("code", "meaning"),
        _row("---", "---"),
    ]
    lines += [_row(f"`{code}`", _md(text)) for code, text in EXIT_CODES.items()]
    lines += [
        "",
        "An input that cannot be read (3) or fetched (4) decides the exit code even when the",
        "other inputs were checked; the report still lists every finding about those.",
        "",
        "## `metaseal scan`",
        "",
        _row("code", "meaning"),
        _row("---", "---"),
    ]
    lines += [_row(f"`{code}`", _md(text)) for code, text in SCAN_EXIT_CODES.items()]
    lines += [
        "",
        "`metaseal scan report` lists its own at the end of",
        "{ref}`its reference <cli-metaseal-scan-report>`.",
        "",
        "## The build backend",
        "",
        "The build backend does not exit: it raises, and the frontend (`python -m build`, pip,",
        "uv) reports the failure its own way, with metaseal's per-field report as the message.",
    ]
    return "\n".join(lines) + "\n"


# --- the command line ------------------------------------------------------------------------


def _subparser_actions(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction[Any]]:
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _dispatched() -> _Extra:
    """Commands ``cli.main`` hands to their own parser before ``build_parser()`` runs,
    by parent command: ``{prog: [(name, parser, one-line help)]}``."""
    from metaseal.cli._scan import _report_parser

    report = _report_parser()
    return {"metaseal scan": [("report", report, report.description or "")]}


def _children(
    parser: argparse.ArgumentParser, prog: str, extra: _Extra
) -> list[tuple[str, argparse.ArgumentParser, str]]:
    """``(name, parser, one-line help)`` of each subcommand of ``parser`` (aliases once)."""
    found: list[tuple[str, argparse.ArgumentParser, str]] = []
    seen: set[int] = set()
    for action in _subparser_actions(parser):
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if id(sub) not in seen:
                seen.add(id(sub))
                found.append((name, sub, helps.get(name, "")))
    return found + list(extra.get(prog, ()))


def _walk(
    parser: argparse.ArgumentParser,
    prog: str,
    extra: _Extra | None = None,
    summary: str = "",
) -> Iterator[tuple[str, argparse.ArgumentParser, str]]:
    """``(prog, parser, one-line help)`` for ``parser`` and every subcommand below it."""
    extra = _dispatched() if extra is None else extra
    yield prog, parser, summary
    for name, sub, text in _children(parser, prog, extra):
        yield from _walk(sub, f"{prog} {name}", extra, text)


def _documented(action: argparse.Action) -> bool:
    return not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) and (
        action.help is not argparse.SUPPRESS
    )


def cli_option_strings(
    parser: argparse.ArgumentParser | None = None,
) -> list[tuple[str, str]]:
    """``(prog, option string or positional name)`` for every documented argument of every
    command; what the generated CLI reference must contain."""
    found: list[tuple[str, str]] = []
    extra: _Extra | None = {} if parser is not None else None
    for prog, sub, _ in _walk(parser or build_parser(), "metaseal", extra):
        for action in sub._actions:
            if _documented(action):
                found += [(prog, s) for s in action.option_strings or [_positional(action)]]
    return found


def _positional(action: argparse.Action) -> str:
    metavar = action.metavar
    if isinstance(metavar, tuple):
        return " ".join(metavar)
    return str(metavar or action.dest)


def _signature(action: argparse.Action) -> str:
    if not action.option_strings:
        return _positional(action)
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    metavar = action.metavar
    if metavar is None:
        metavar = (
            "{" + ",".join(map(str, action.choices)) + "}"
            if action.choices
            else action.dest.upper()
        )
    if isinstance(metavar, tuple):
        metavar = " ".join(metavar)
    return ", ".join(f"{option} {metavar}" for option in action.option_strings)


def _action_help(formatter: argparse.HelpFormatter, action: argparse.Action) -> str:
    text = formatter._expand_help(action) if action.help else ""
    notes = []
    if not action.option_strings and action.nargs in ("+", "*"):
        notes.append("One or more." if action.nargs == "+" else "Zero or more.")
    elif isinstance(action, argparse._AppendAction):
        notes.append("May be given several times.")
    default = action.default
    shown = default not in (None, False, [], (), argparse.SUPPRESS) and action.nargs != 0
    if shown and "default" not in text.lower():
        notes.append(f"Default: {_code(str(default))}.")
    if action.required and action.option_strings:
        notes.append("Required.")
    if "repeat" in text.lower():
        notes = [note for note in notes if note != "May be given several times."]
    text = _md(text[:1].upper() + text[1:]) if text else ""
    if text and not text.endswith((".", "?")):
        text += "."
    return " ".join([text, *notes]).strip()


def _usage(parser: argparse.ArgumentParser, prog: str) -> str:
    formatter = argparse.HelpFormatter(prog, width=_USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _anchor(prog: str) -> str:
    return "cli-" + prog.replace(" ", "-")


def render_cli_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """Every command, argument and option of ``metaseal``, walked from the argparse parser."""
    root = parser or build_parser()
    extra: _Extra = {} if parser is not None else _dispatched()
    lines = [
        "# Command line",
        "",
        "Generated from `metaseal.cli.build_parser()` when the docs are built: every command",
        "and option below exists, and every one that exists is below. Every command also",
        "accepts `-h`/`--help`. {doc}`exit-codes` lists what `metaseal` exits with.",
        "",
    ]
    for prog, sub, summary in _walk(root, "metaseal", extra):
        formatter = argparse.HelpFormatter(prog, width=_USAGE_WIDTH)
        lines += [f"({_anchor(prog)})=", f"## `{prog}`", ""]
        description = sub.description or summary
        if description:
            lines += [_md(description), ""]
        lines += ["```text", _usage(sub, prog), "```", ""]
        lines += _directive("program", prog, [])
        lines.append("")
        for group in sub._action_groups:
            actions = [a for a in group._group_actions if _documented(a)]
            if not actions:
                continue
            if group not in sub._action_groups[:2]:  # positionals and options need no title
                title = _md((group.title or "").capitalize())
                about = f": {_md(group.description)}" if group.description else ""
                lines += [f"**{title}**{about}", ""]
            for action in actions:
                body = [_action_help(formatter, action)]
                lines += _directive("option", _signature(action), body)
                lines.append("")
        children = _children(sub, prog, extra)
        if children:
            lines += ["Commands:", ""]
            for name, _, text in children:
                child = f"{prog} {name}"
                lines.append(f"- [`{child}`](#{_anchor(child)}): {_md(text)}")
            lines.append("")
        if sub.epilog:
            lines += [_md(sub.epilog), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- the JSON report -------------------------------------------------------------------------


def _schema_type(schema: Mapping[str, Any]) -> str:
    """A short description of a JSON-schema node's type, with links to ``$defs`` sections."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[1]
        return f"[{name}](#report-{name})"
    if "anyOf" in schema:
        return " or ".join(_schema_type(option) for option in schema["anyOf"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return " or ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"array of {_schema_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        if isinstance(extra, dict):
            return f"object of {_schema_type(extra)}"
    return str(kind)


def render_report_schema(schema: Mapping[str, Any], *, download: str = "") -> str:
    """Every key of the JSON documents ``metaseal check``/``diff --format json`` print,
    from the JSON schema (``docs/reference/report-schema.json``)."""
    lines = [
        "# JSON report",
        "",
        "Generated from the JSON schema of the report when the docs are built; a test checks",
        "real `metaseal check --format json` and `metaseal diff --format json` output against",
        "that schema, and the schema forbids keys it does not describe.",
        "",
        _md(str(schema.get("description", ""))),
        "",
    ]
    if download:
        lines += [f"The schema itself: {{download}}`{Path(download).name} <{download}>`.", ""]
    for name, node in schema.get("$defs", {}).items():
        lines += [f"(report-{name})=", f"## `{name}`", ""]
        if node.get("description"):
            lines += [_md(str(node["description"])), ""]
        properties = node.get("properties", {})
        if not properties:
            lines += [f"Type: {_schema_type(node)}.", ""]
            continue
        required = set(node.get("required", ()))
        lines += [_row("key", "type", "meaning"), _row("---", "---", "---")]
        for key, prop in properties.items():
            optional = "" if key in required else " (optional)"
            lines.append(
                _row(
                    f"`{key}`{optional}",
                    _schema_type(prop),
                    _md(str(prop.get("description", ""))),
                )
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- rules, fields and quirks (a committed page) ---------------------------------------------


def render_rules_reference() -> str:
    lines = [
        "# Rules, fields and quirks",
        "",
        (
            "Generated by `python docs/_ext/metaseal_reference.py` from `metaseal.engine.rules`, "
            "`metaseal.engine.fields`, `metaseal.engine.quirks` and `metaseal.cli`; do not edit "
            "by hand."
        ),
        "",
        "## Rules",
        "",
        (
            "Every finding names one of these rules. Only `error` fails a check (`warning` too "
            "with `--strict`); `cosmetic` never fails anything."
        ),
        "",
        _row("rule", "severity", "source", "what it says"),
        _row("---", "---", "---", "---"),
    ]
    lines += [_row(f"`{r.id}`", r.severity.value, r.source, r.summary) for r in RULES.values()]
    lines += [
        "",
        "## Fields",
        "",
        (
            "How each core metadata field is compared. Values whose normalized form is equal are "
            "cosmetic differences."
        ),
        "",
        _row("field", "since", "multiple-use", "[project] keys", "compared as"),
        _row("---", "---", "---", "---", "---"),
    ]
    lines += [
        _row(
            f"`{f.name}`",
            f.added,
            "yes" if f.multiple else "no",
            ", ".join(f"`{k}`" for k in f.pyproject) or "-",
            f.doc,
        )
        for f in FIELDS
    ]
    lines += ["", "## Known quirks of real backends", ""]
    for quirk in QUIRKS:
        fields = ", ".join(f"`{f}`" for f in quirk.fields)
        lines += [f"### `{quirk.id}`", "", f"Fields: {fields}.", "", quirk.what, "", quirk.why, ""]
    lines += [
        "## Exit codes of `metaseal check` and `metaseal diff`",
        "",
        _row("code", "meaning"),
        _row("---", "---"),
    ]
    lines += [_row(str(code), text) for code, text in EXIT_CODES.items()]
    return "\n".join(lines) + "\n"


#: What the Sphinx extension may ask for: ``name -> function(*arguments) -> Markdown``.
GENERATORS: dict[str, Callable[..., str]] = {
    "settings": render_settings_reference,
    "environment": render_environment_reference,
    "exit-codes": render_exit_codes,
    "cli": render_cli_reference,
    "report-schema": render_report_schema,
}


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/reference/rules.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_rules_reference(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
