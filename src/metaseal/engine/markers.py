"""Environment markers compared by meaning, not text (pure).

Two layers, cheapest first:

1. :func:`canonical_marker` rewrites a marker into one spelling: atoms with the variable on the
   left, ``python_version`` comparisons rewritten as the equivalent ``python_full_version`` ones
   (uv-build writes those), version literals canonicalized, ``and``/``or`` operands flattened,
   de-duplicated and sorted, redundant parentheses dropped. Equal strings mean equal markers.
2. :func:`markers_equivalent` decides the remaining cases by evaluating both markers in every
   environment that can tell them apart: for each variable they use, the literal values they
   compare against plus values on either side of each version boundary.

Only :mod:`packaging.markers` is used to parse and evaluate; nothing is glued from strings that
is not parsed back by it.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Union

from packaging.utils import canonicalize_version
from packaging.version import Version

if TYPE_CHECKING:
    from packaging.markers import Marker

__all__ = [
    "canonical_marker",
    "marker_nodes",
    "marker_variables",
    "markers_equivalent",
    "mentions_extra",
    "split_extra",
]

#: Variables whose values compare as PEP 440 versions.
_VERSION_VARIABLES = frozenset({"python_version", "python_full_version", "implementation_version"})
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!=", "===": "==="}
#: Above this many environments, equivalence is not attempted (reported as different).
MAX_ENVIRONMENTS = 50_000
_OTHER = "metaseal-other-value"


def marker_nodes(marker: Marker) -> list[Any]:
    """packaging's parsed form of a marker: a list of ``(lhs, op, rhs)`` tuples of its
    ``Variable``/``Op``/``Value`` nodes, ``"and"``/``"or"`` strings and nested lists.

    The one place metaseal reads the private ``Marker._markers``; a test fails at once if a
    packaging release changes its shape, and this raises instead of misreading it.
    """
    nodes = getattr(marker, "_markers", None)
    if not isinstance(nodes, list):
        raise TypeError(
            "this version of packaging does not expose a parsed marker as `Marker._markers`; "
            "metaseal needs a packaging version it was tested with (see its requirements)"
        )
    return nodes


def _kind(node: Any) -> str:
    return type(node).__name__


def _atom(node: tuple[Any, Any, Any]) -> tuple[str, str, str, bool]:
    """(variable, op, value, variable_on_left) for one comparison, variable first."""
    lhs, op, rhs = node
    if _kind(lhs) == "Variable":
        return lhs.value, op.value, rhs.value, True
    if _kind(rhs) == "Variable" and op.value in _FLIP:
        return rhs.value, _FLIP[op.value], lhs.value, True
    return rhs.value, op.value, lhs.value, False  # `"x" in var`: keep the order


def _version_text(value: str) -> str:
    wildcard = value.endswith(".*")
    core = value[:-2] if wildcard else value
    try:
        text = canonicalize_version(Version(core))
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return value
    return f"{text}.*" if wildcard else text


def _next_minor(value: str) -> str | None:
    try:
        release = Version(value).release
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return None
    if len(release) != 2:
        return None
    return f"{release[0]}.{release[1] + 1}"


def _rewrite_python_version(op: str, value: str) -> tuple[str, str, str] | None:
    """``python_version OP X.Y`` as the equivalent ``python_full_version`` comparison.

    Only for ``X.Y`` (or ``X``): ``python_version`` is never more precise, so a bound with a
    micro version means something else than the same ``python_full_version`` bound.
    """
    try:
        if len(Version(value).release) > 2:
            return None
    except ValueError:  # InvalidVersion (a wildcard is handled below), or too many digits
        if not value.endswith(".*"):
            return None
    if op in (">=", "<"):
        return "python_full_version", op, value
    if op in ("==", "!=") and not value.endswith(".*") and _next_minor(value):
        return "python_full_version", op, f"{value}.*"
    bumped = _next_minor(value)
    if bumped is not None and op == ">":
        return "python_full_version", ">=", bumped
    if bumped is not None and op == "<=":
        return "python_full_version", "<", bumped
    return None


def _canonical_atom(node: tuple[Any, Any, Any]) -> str:
    variable, op, value, var_left = _atom(node)
    if not var_left:
        return f'"{value}" {op} {variable}'
    if variable == "python_version":
        rewritten = _rewrite_python_version(op, value)
        if rewritten is not None:
            variable, op, value = rewritten
    if variable in _VERSION_VARIABLES and op not in ("===", "in", "not in"):
        value = _version_text(value)
    return f'{variable} {op} "{value}"'


#: A canonical expression: an atom's text, or (operator, operands) with operands flattened.
_Node = Union[str, tuple[str, frozenset[Any]]]


def _combine(op: str, operands: list[_Node]) -> _Node:
    flat: set[_Node] = set()
    for operand in operands:
        if isinstance(operand, tuple) and operand[0] == op:
            flat.update(operand[1])
        else:
            flat.add(operand)
    if len(flat) == 1:
        return next(iter(flat))
    return (op, frozenset(flat))


def _tree(nodes: list[Any]) -> _Node:
    """packaging's flat ``[x, "and", y, "or", z]`` lists as an or-of-ands tree."""
    disjuncts: list[list[_Node]] = [[]]
    for node in nodes:
        if node == "or":
            disjuncts.append([])
        elif node != "and":
            disjuncts[-1].append(_tree(node) if isinstance(node, list) else _canonical_atom(node))
    return _combine("or", [_combine("and", conjunct) for conjunct in disjuncts])


def _render(node: _Node, parent: str = "") -> str:
    if isinstance(node, str):
        return node
    op, operands = node
    text = f" {op} ".join(sorted(_render(operand, op) for operand in operands))
    return f"({text})" if parent == "and" and op == "or" else text


def split_extra(marker: Marker | None) -> tuple[str, str] | None:
    """``(extra, rest)`` for a marker that is ``extra == "x"`` joined by ``and`` to the rest
    (``rest`` canonical, ``""`` when there is none); ``None`` for any other shape."""
    if marker is None:
        return None
    tree = _tree(marker_nodes(marker))
    operands = [tree] if isinstance(tree, str) or tree[0] != "and" else list(tree[1])
    extras = [op for op in operands if isinstance(op, str) and op.startswith('extra == "')]
    if len(extras) != 1:
        return None
    rest = [op for op in operands if op != extras[0]]
    return extras[0][len('extra == "') : -1], _render(_combine("and", rest)) if rest else ""


def canonical_marker(marker: Marker) -> str:
    """One spelling for markers that are equal up to order, grouping, quoting and uv's rewrite."""
    return _render(_tree(marker_nodes(marker)))


def _walk_atoms(nodes: list[Any]) -> list[tuple[str, str, str, bool]]:
    atoms: list[tuple[str, str, str, bool]] = []
    for node in nodes:
        if isinstance(node, list):
            atoms.extend(_walk_atoms(node))
        elif isinstance(node, tuple):
            atoms.append(_atom(node))
    return atoms


def marker_variables(marker: Marker) -> frozenset[str]:
    """The environment variables a marker reads."""
    return frozenset(atom[0] for atom in _walk_atoms(marker_nodes(marker)))


def mentions_extra(marker: Marker | None) -> bool:
    """Whether the marker reads ``extra`` (so the requirement belongs to an optional extra)."""
    return marker is not None and "extra" in marker_variables(marker)


def _version_candidates(literals: set[str]) -> list[tuple[int, int, int]]:
    points: set[tuple[int, int, int]] = {(0, 0, 0), (99, 0, 0)}
    for literal in literals:
        text = literal[:-2] if literal.endswith(".*") else literal
        try:
            release = (*Version(text).release, 0, 0)
        except ValueError:  # InvalidVersion, or a number past the int digit limit
            continue
        major, minor, micro = release[0], release[1], release[2]
        points.update(
            {
                (major, minor, micro),
                (major, minor, micro + 1),
                (major, minor + 1, 0),
                (major + 1, 0, 0),
            }
        )
        if micro:
            points.add((major, minor, micro - 1))
        if minor:
            points.add((major, minor - 1, 99))
        if major:
            points.add((major - 1, 99, 0))
    return sorted(points)


#: The operating-system variables, which move together: ``(os_name, platform_system,
#: sys_platform)`` of the platforms Python runs on. uv-build writes ``sys_platform != 'win32'``
#: for ``platform_system != "Windows"``; over these platforms the two select the same ones.
_PLATFORM_VARIABLES = ("os_name", "platform_system", "sys_platform")
#: Only the three pairs uv-build rewrites are tied together; on other systems `sys_platform`
#: carries a version (`freebsd14`) or varies, so their values combine freely below.
_PLATFORMS = (
    ("posix", "Linux", "linux"),
    ("nt", "Windows", "win32"),
    ("posix", "Darwin", "darwin"),
)


def _platform_axis(literals: dict[str, set[str]]) -> list[tuple[tuple[str, str], ...]]:
    """Joint values of the OS variables: every known platform, plus every combination of the
    literals no known platform has (and of some other value), so nothing is assumed there."""
    triples = set(_PLATFORMS)
    unknown = []
    for index, variable in enumerate(_PLATFORM_VARIABLES):
        known = {platform[index] for platform in _PLATFORMS}
        unknown.append([*sorted(literals.get(variable, set()) - known), _OTHER])
    # Values no known platform has may come together in any way: nothing is assumed there.
    triples.update((a, b, c) for a, b, c in itertools.product(*unknown))
    return [tuple(zip(_PLATFORM_VARIABLES, triple)) for triple in sorted(triples)]


def _environments(markers: tuple[Marker, ...]) -> list[dict[str, str]] | None:
    literals: dict[str, set[str]] = {}
    for marker in markers:
        for variable, _op, value, _left in _walk_atoms(marker_nodes(marker)):
            literals.setdefault(variable, set()).add(value)
    axes: list[list[tuple[tuple[str, str], ...]]] = []
    if any(variable in literals for variable in _PLATFORM_VARIABLES):
        axes.append(_platform_axis(literals))
        for variable in _PLATFORM_VARIABLES:
            literals.pop(variable, None)
    python = literals.pop("python_version", set()) | literals.pop("python_full_version", set())
    if python:
        axes.append(
            [
                (("python_full_version", f"{a}.{b}.{c}"), ("python_version", f"{a}.{b}"))
                for a, b, c in _version_candidates(python)
            ]
        )
    for variable, values in sorted(literals.items()):
        if variable in _VERSION_VARIABLES:
            choices = [".".join(map(str, p)) for p in _version_candidates(values)]
        else:
            choices = [*sorted(values), _OTHER]
            if variable == "extra":
                choices.append("")
        axes.append([((variable, choice),) for choice in choices])
    count = 1
    for axis in axes:
        count *= len(axis)
    if count > MAX_ENVIRONMENTS:
        return None
    return [
        {key: value for pairs in combo for key, value in pairs}
        for combo in itertools.product(*axes)
    ]


def markers_equivalent(a: Marker | None, b: Marker | None) -> bool:
    """True when both markers select exactly the same environments (``None`` = always)."""
    if a is None or b is None:
        other = a if b is None else b
        if other is None:
            return True
        envs = _environments((other,))
        return envs is not None and all(other.evaluate(env) for env in envs)
    if canonical_marker(a) == canonical_marker(b):
        return True
    envs = _environments((a, b))
    return envs is not None and all(a.evaluate(env) == b.evaluate(env) for env in envs)
