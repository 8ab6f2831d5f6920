"""What the engine returns: frozen findings with severities; no I/O, no rendering."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Union

__all__ = [
    "Finding",
    "RawValue",
    "Severity",
    "Side",
]

#: A field's value as read: ``None`` when absent, a string for single-use fields, a tuple of
#: strings for multiple-use fields (in file order).
RawValue = Union[str, tuple[str, ...], None]


class Severity(str, enum.Enum):
    """How much a finding matters. Only ``error`` fails a check (``warning`` too with --strict)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    COSMETIC = "cosmetic"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def fails(self, *, strict: bool = False) -> bool:
        """Whether a finding of this severity fails a check: errors always, warnings when
        ``strict``; info and cosmetic never."""
        return self is Severity.ERROR or (strict and self is Severity.WARNING)


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1, Severity.COSMETIC: 0}


@dataclass(frozen=True)
class Side:
    """One side of a comparison: which artifact, and the value there (raw and normalized)."""

    artifact: str
    raw: RawValue
    normalized: RawValue


@dataclass(frozen=True)
class Finding:
    """One difference or problem, explained.

    ``field`` is the core metadata field (canonical spelling, e.g. ``Requires-Dist``), or a
    pseudo-field such as ``filename`` for identity checks. ``rule`` is a stable identifier from
    :data:`metaseal.engine.rules.RULES`. ``left`` is the side that makes the promise (sdist,
    pyproject, prepared metadata, the wheel a sidecar stands for); ``right`` the side that must
    keep it.
    ``added``/``removed`` list the values (as written) only on the right / only on the left,
    for multiple-use and comma-list fields; they are empty for other single-use fields.
    """

    field: str
    rule: str
    severity: Severity
    message: str
    hint: str
    left: Side | None = None
    right: Side | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def artifacts(self) -> tuple[str, ...]:
        return tuple(side.artifact for side in (self.left, self.right) if side is not None)
