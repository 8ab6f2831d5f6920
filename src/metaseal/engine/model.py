"""Raw metadata bytes -> :class:`ParsedMetadata`: header values as written, in file order (pure).

The header block is read with the standard library's ``email`` parser under the ``compat32``
policy, the same grammar :func:`packaging.metadata.parse_email` uses, so that messages can show
values exactly as the file has them. :func:`packaging.metadata.parse_email` and
``Metadata.from_raw`` are then used for what they are best at: telling which values are
invalid for the file's own Metadata-Version (:attr:`ParsedMetadata.problems`).
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from metaseal.engine.fields import FIELDS
from metaseal.engine.quirks import is_placeholder, tolerated_problem
from metaseal.errors import plural

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ParsedMetadata", "parse_metadata"]


@dataclass(frozen=True)
class ParsedMetadata:
    """One metadata file. ``headers`` maps lower-cased header names to their values in order."""

    headers: Mapping[str, tuple[str, ...]]
    #: The message body (the Description since Metadata 2.1), ``None`` when empty.
    body: str | None
    #: The decoded file, kept for :attr:`problems`.
    text: str = field(repr=False, compare=False)

    @functools.cached_property
    def problems(self) -> tuple[str, ...]:
        """Problems packaging finds validating the file against its own Metadata-Version.

        Computed on first use: validation costs more than parsing and is needed once per file.
        """
        return _validate(self.text)

    def values(self, header: str) -> tuple[str, ...]:
        """Values of a header (case-insensitive); the body counts as ``Description``."""
        key = header.lower()
        found = self.headers.get(key, ())
        if key == "description" and self.body is not None:
            return (*found, self.body)
        return found

    @property
    def metadata_version(self) -> str | None:
        found = self.headers.get("metadata-version", ())
        return found[0].strip() if found else None

    @property
    def dynamic(self) -> frozenset[str]:
        """Dynamic field names, lower-cased (Dynamic is case-insensitive)."""
        return frozenset(v.strip().lower() for v in self.headers.get("dynamic", ()) if v.strip())


def _validate(text: str) -> tuple[str, ...]:
    from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata, parse_email

    raw, unparsed = parse_email(text)
    problems = [
        f"`{name}` could not be read as a valid value ({plural(len(values), 'value')})"
        for name, values in unparsed.items()
        if name in _KNOWN_HEADERS
    ]
    version = raw.get("metadata_version", "")
    if version not in ("1.0", "1.1", "1.2", "2.1", "2.2", ""):  # PEP 685, Metadata 2.3+
        problems.extend(
            f"Provides-Extra `{extra}` is not a normalized extra name, which Metadata {version} "
            "requires (PEP 685)"
            for extra in raw.get("provides_extra", [])
            if not _NORMALIZED_EXTRA.match(extra)
        )
    try:
        Metadata.from_raw(raw, validate=True)
    except ExceptionGroup as group:
        problems.extend(
            str(exc)
            for exc in group.exceptions
            if isinstance(exc, InvalidMetadata) and not tolerated_problem(exc.field, str(exc))
        )
    except RecursionError:
        problems.append(
            "a value nests parentheses too deeply to be validated (the parser's recursion "
            "limit); real metadata nests a few levels"
        )
    except (ValueError, TypeError, KeyError) as exc:  # pragma: no cover - packaging internals
        problems.append(str(exc))
    return tuple(problems)


def parse_metadata(data: bytes) -> ParsedMetadata:
    """Parse METADATA / PKG-INFO bytes (already checked to be UTF-8 by the readers)."""
    text = data.decode("utf-8")
    message = email.parser.Parser(policy=email.policy.compat32).parsestr(text)
    headers: dict[str, list[str]] = {}
    for name, value in message.items():
        key, text_value = name.lower(), str(value)
        if is_placeholder(key, text_value):
            continue  # quirk "unknown-placeholder": distutils wrote UNKNOWN for absent fields
        headers.setdefault(key, []).append(text_value)
    payload = message.get_payload()
    body = payload if isinstance(payload, str) and payload.strip() else None
    return ParsedMetadata(
        headers={key: tuple(values) for key, values in headers.items()},
        body=body,
        text=text,
    )


_NORMALIZED_EXTRA = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: Every core metadata field's header, lower-cased (from the field table).
_KNOWN_HEADERS = frozenset(spec.header for spec in FIELDS)
