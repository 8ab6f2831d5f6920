"""Colour for the text report: the one place that decides whether to use it, and how.

Colour is used on a terminal only, never in JSON or GitHub output. ``NO_COLOR`` (any non-empty
value, https://no-color.org) turns it off; ``FORCE_COLOR`` (any non-empty value) turns it on
even when the output is not a terminal (a CI log that renders colour). ``NO_COLOR`` wins.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

__all__ = ["colour", "use_colour"]

_CODES = {"PASSED": "32", "FAILED": "1;31", "error": "31", "warning": "33"}
#: The status words where the report puts them: a file's status at the start of its line, a
#: release's after its file count, a finding's severity at the start of its block.
_WORDS = re.compile(
    r"(?m)(?:^ *|(?<=[0-9] files, )|(?<=[0-9] file, ))(PASSED|FAILED)\b|^ *(error|warning)(?=: )"
)


def use_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether text written to ``stream`` gets colour (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def colour(text: str) -> str:
    """``text`` (an already escaped report) with its status words coloured."""

    def paint(match: re.Match[str]) -> str:
        group = 1 if match.group(1) else 2
        word = match.group(group)
        prefix = match.group(0)[: match.start(group) - match.start()]
        return f"{prefix}\x1b[{_CODES[word]}m{word}\x1b[0m"

    return _WORDS.sub(paint, text)
