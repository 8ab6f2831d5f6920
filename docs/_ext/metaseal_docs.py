"""Sphinx extension: pages generated from metaseal's own code while the docs build.

A Markdown page asks for a generated part with an empty fenced directive::

    ```{metaseal-generated} cli
    ```

Before the page is parsed, the ``source-read`` handler replaces that block with the Markdown
``metaseal_reference.GENERATORS[name](*arguments)`` returns, so headings, ``option``/``confval``/
``envvar`` targets and links in it behave like hand-written ones. An unknown name, or a block
the handler could not replace (a typo in the syntax), is an error, so ``-W`` fails the build.

Arguments are words after the name; ``report-schema`` takes the path of a JSON schema
relative to the page, which is loaded here and passed on as a dict.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metaseal_reference import GENERATORS
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import metaseal

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_BLOCK = re.compile(
    r"^```\{metaseal-generated\}[ \t]+(?P<name>[\w-]+)(?P<args>[^\n]*)\n```[ \t]*$",
    re.MULTILINE,
)
_LOGGER = logging.getLogger(__name__)


def _generate(app: Sphinx, docname: str, name: str, args: list[str]) -> str:
    if name not in GENERATORS:
        known = ", ".join(sorted(GENERATORS))
        raise ExtensionError(f"{docname}: unknown metaseal-generated page {name!r} ({known})")
    if name == "report-schema":
        (relative,) = args
        path = Path(app.srcdir, docname).parent / relative
        app.env.note_dependency(str(path))
        schema = json.loads(path.read_text(encoding="utf-8"))
        return GENERATORS[name](schema, download=relative)
    return GENERATORS[name](*args)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    def replace(match: re.Match[str]) -> str:
        return _generate(app, docname, match["name"], match["args"].split())

    text, count = _BLOCK.subn(replace, source[0])
    if count:
        # The page is made from the code: re-read it whenever metaseal's source changes.
        for path in sorted(Path(metaseal.__file__).parent.rglob("*.py")):
            app.env.note_dependency(str(path))
    source[0] = text


class _Unreplaced(SphinxDirective):
    """Only reached when a block did not match the expected form: say so."""

    has_content = True
    optional_arguments = 10

    def run(self) -> list[Any]:
        _LOGGER.warning(
            "metaseal-generated block was not replaced; write it as an empty fenced block: "
            "```{metaseal-generated} NAME [ARGS]``` followed directly by ```",
            location=self.get_location(),
        )
        return []


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _source_read)
    app.add_directive("metaseal-generated", _Unreplaced)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
