"""Marker synthesis for variation proposals: the shortest marker that is true exactly on a
labelled set of environments (pure).

Shortest first: one variable (``sys_platform``, ``platform_machine``, ``python_version``
ranges, ``implementation_name``), then a conjunction or disjunction of two, then a split on one
variable with the rest solved recursively. Atoms are written only from table values (never
user text) and the result is parsed back by :class:`packaging.markers.Marker` by the caller.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from packaging.version import Version

from metaseal.engine.environments import ENVIRONMENT_KEYS

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["INDEX", "VARIABLES", "Env", "Formula", "Search", "Term"]

Env = tuple[str, ...]  # values in ENVIRONMENT_KEYS order
#: Discriminating variables, most preferred first.
VARIABLES = ("sys_platform", "platform_machine", "python_version", "implementation_name")
INDEX = {name: ENVIRONMENT_KEYS.index(name) for name in ENVIRONMENT_KEYS}


@dataclass(frozen=True)
class Term:
    """A marker formula: an atom's text, or ``and`` / ``or`` over flattened parts."""

    op: str
    text: str = ""
    parts: tuple[Term, ...] = ()
    atoms: int = 1

    def render(self, nested: bool = False) -> str:
        if self.op == "atom":
            return self.text
        text = f" {self.op} ".join(part.render(nested=True) for part in self.parts)
        return f"({text})" if nested else text


Formula = Union[bool, Term]
Labels = frozenset[tuple[Env, bool]]  # environments labelled "must be true here"


def _combine(op: str, items: Iterable[Formula]) -> Formula:
    absorbing = op == "or"  # True absorbs an `or`, False an `and`
    parts: list[Term] = []
    for item in items:
        if isinstance(item, bool):
            if item is absorbing:
                return absorbing
            continue
        parts.extend(item.parts if item.op == op else (item,))
    if not parts:
        return not absorbing
    if len(parts) == 1:
        return parts[0]
    return Term(op, "", tuple(parts), sum(part.atoms for part in parts))


def _atom(variable: str, op: str, value: str) -> Term:
    if variable not in VARIABLES or '"' in value or "\\" in value:
        raise ValueError(f"not a table value: {variable} {value!r}")
    return Term("atom", f'{variable} {op} "{value}"')


def _atoms(formula: Formula) -> int:
    return 0 if isinstance(formula, bool) else formula.atoms


def _ranges(variable: str, order: list[str], allowed: set[str]) -> Formula:
    terms: list[Formula] = []
    position = 0
    for inside, run in itertools.groupby(order, key=lambda value: value in allowed):
        values = list(run)
        low, high = position, position + len(values) - 1
        position += len(values)
        if not inside:
            continue
        bounds: list[Formula] = []
        if low > 0:
            bounds.append(_atom(variable, ">=", _boundary(order[low - 1], order[low])))
        if high < len(order) - 1:
            bounds.append(_atom(variable, "<", _boundary(order[high], order[high + 1])))
        if len(bounds) == 2 and low == high:
            bounds = [_atom(variable, "==", order[low])]
        terms.append(_combine("and", bounds))
    return _combine("or", terms)


def _boundary(below: str, above: str) -> str:
    """The version that splits ``below`` from ``above``: ``above`` itself, or only its major
    version when the two differ there (``python_version < "3"`` between 2.7 and 3.5: the
    table has no 3.0-3.4, and the major version is what such a release meant)."""
    major = Version(above).major
    return str(major) if Version(below).major < major else above


def _test(variable: str, allowed: set[str], seen: set[str]) -> Formula:
    """A formula true exactly on the ``allowed`` values among ``seen`` (shortest spelling)."""
    allowed = allowed & seen
    if allowed == seen or not allowed:
        return bool(allowed)
    order = sorted(seen, key=Version if variable == "python_version" else str)
    options = [
        _combine("or", [_atom(variable, "==", v) for v in order if v in allowed]),
        _combine("and", [_atom(variable, "!=", v) for v in order if v not in allowed]),
    ]
    if variable == "python_version":
        options.insert(0, _ranges(variable, order, allowed))
    return min(options, key=_atoms)


class Search:
    def __init__(self) -> None:
        self._memo: dict[tuple[Labels, tuple[str, ...]], Formula | None] = {}

    def solve(self, labels: Labels, variables: tuple[str, ...]) -> Formula | None:
        kinds = {label for _env, label in labels}
        if len(kinds) < 2:
            return kinds == {True}
        key = (labels, variables)
        if key not in self._memo:
            found = _single(labels, variables) or _pairs(labels, variables)
            found = found or self._split(labels, variables)
            self._memo[key] = min(found, key=_atoms) if found else None
        return self._memo[key]

    def _split(self, labels: Labels, variables: tuple[str, ...]) -> list[Formula]:
        out = []
        for variable in variables:
            index, rest = INDEX[variable], tuple(v for v in variables if v != variable)
            groups: dict[str, set[tuple[Env, bool]]] = {}
            for item in labels:
                groups.setdefault(item[0][index], set()).add(item)
            subs = {value: self.solve(frozenset(group), rest) for value, group in groups.items()}
            if len(groups) < 2 or any(sub is None for sub in subs.values()):
                continue
            by_sub: dict[str, tuple[Formula, set[str]]] = {}
            for value, sub in subs.items():
                assert sub is not None
                name = sub.render() if isinstance(sub, Term) else str(sub)
                by_sub.setdefault(name, (sub, set()))[1].add(value)
            terms = [
                _combine("and", [_test(variable, values, set(groups)), sub])
                for sub, values in by_sub.values()
            ]
            out.append(_combine("or", terms))
        return out


def _single(labels: Labels, variables: tuple[str, ...]) -> list[Formula]:
    out = []
    for variable in variables:
        by_value: dict[str, set[bool]] = {}
        for env, label in labels:
            by_value.setdefault(env[INDEX[variable]], set()).add(label)
        if all(len(kinds) == 1 for kinds in by_value.values()):
            allowed = {value for value, kinds in by_value.items() if True in kinds}
            out.append(_test(variable, allowed, set(by_value)))
    return out


def _pairs(labels: Labels, variables: tuple[str, ...]) -> list[Formula]:
    out: list[Formula] = []
    true = [env for env, label in labels if label]
    false = [env for env, label in labels if not label]
    for v1, v2 in itertools.combinations(variables, 2):
        i1, i2 = INDEX[v1], INDEX[v2]
        seen1, seen2 = {e[i1] for e, _ in labels}, {e[i2] for e, _ in labels}
        a1, a2 = {e[i1] for e in true}, {e[i2] for e in true}
        if not any(e[i1] in a1 and e[i2] in a2 for e in false):
            out.append(_combine("and", [_test(v1, a1, seen1), _test(v2, a2, seen2)]))
        pure1, pure2 = a1 - {e[i1] for e in false}, a2 - {e[i2] for e in false}
        if all(e[i1] in pure1 or e[i2] in pure2 for e in true):
            need1 = {e[i1] for e in true if e[i2] not in pure2}
            need2 = {e[i2] for e in true if e[i1] not in pure1}
            for p1, p2 in ((pure1, pure2), (need1, pure2), (pure1, need2)):
                out.append(_combine("or", [_test(v1, p1, seen1), _test(v2, p2, seen2)]))
    return out
