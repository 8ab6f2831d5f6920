"""Wheel-to-wheel variation in one release, and static PEP 508 marker proposals (pure; no I/O).

:func:`analyze` compares the wheels of one release field by field by meaning (the keys of
:mod:`metaseal.engine.fields`), reports each value that only some wheels carry, and, when
``Requires-Dist`` / ``Provides-Extra`` / ``Requires-Python`` vary, proposes one static list of
requirements whose markers select, in every environment each wheel installs in
(:func:`metaseal.engine.environments.environments_for`, narrowed by the wheel's own
Requires-Python), exactly the requirements that wheel declares. Every proposal is checked by
evaluating it, string for string as proposed, against each wheel's environments with ``extra``
unset and set to each extra any wheel provides.

A requirement's discriminating marker is searched shortest first: one variable (``sys_platform``,
``platform_machine``, ``python_version`` ranges, ``implementation_name``), then a conjunction or
disjunction of two, then a split on one variable with the rest solved recursively. The
requirement's own marker is kept and joined with ``and``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import Version

from metaseal.engine._markersearch import INDEX, VARIABLES, Env, Search, Term
from metaseal.engine.environments import (
    ENVIRONMENT_KEYS,
    describe_wheels,
    environments_for,
    evaluation_environment,
    machine_note,
)
from metaseal.engine.fields import (
    FIELDS,
    FIELDS_BY_HEADER,
    FieldSpec,
    items_of,
    parse_requirement,
    requirement_key,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.model import ParsedMetadata

__all__ = [
    "PROPOSABLE",
    "Inexpressible",
    "Proposal",
    "Variation",
    "VariationReport",
    "analyze",
]


@dataclass(frozen=True)
class Variation:
    """One value of a field that some wheels carry and others do not (compared by meaning)."""

    field: str
    value: str  # as written on the first wheel that has it
    present_in: tuple[str, ...]  # wheel labels
    absent_from: tuple[str, ...]
    #: A requirement whose own marker already excludes every environment of the wheels it is
    #: absent from: not real variation.
    no_op: bool
    pattern: str  # ``present_in`` by tag pattern, e.g. "every wheel except cp3*-win32"


@dataclass(frozen=True)
class Proposal:
    """One static requirement list for all wheels, and whether evaluation confirmed it."""

    requires_dist: tuple[str, ...]
    #: Every (wheel, environment, extra) selects exactly the wheel's own requirements, every
    #: wheel has an environment, and nothing is inexpressible (Requires-Python included).
    verified: bool
    environments_checked: int  # (wheel, environment) pairs evaluated, each with every extra
    #: The union of the wheels' extras (a static Provides-Extra cannot depend on the platform).
    provides_extra: tuple[str, ...] = ()
    #: The Requires-Python to write (``None``: none), when that field varies or is set.
    requires_python: str | None = None
    #: Entries of ``requires_dist`` that some evaluation contradicted (inexpressible ones too).
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inexpressible:
    """A value no marker can express: two wheels installable in one environment disagree."""

    field: str
    value: str
    reason: str
    environment: dict[str, str]


@dataclass(frozen=True)
class VariationReport:
    """What :func:`analyze` found for one release's wheels."""

    variation: tuple[Variation, ...]
    proposal: Proposal | None  # None when nothing expressible varies
    inexpressible: tuple[Inexpressible, ...]


_Env = Env
#: The fields a marker proposal can make static (lower-cased headers).
PROPOSABLE = frozenset({"requires-dist", "provides-extra", "requires-python"})


@dataclass(frozen=True)
class _Req:
    raw: str
    base: str  # requirement_key without the marker
    marker: Marker | None
    text: str  # the marker's text, the evaluation cache key
    valid: bool


def _req(raw: str) -> _Req:
    base = requirement_key(raw, marker=False)
    parsed_req = parse_requirement(raw)
    if parsed_req is None:
        return _Req(raw, base, None, "", valid=False)
    marker = parsed_req.marker
    return _Req(raw, base, marker, str(marker) if marker else "", valid=True)


def _admits(spec: str | None, env: _Env) -> bool:
    if spec is None:
        return True
    try:
        return SpecifierSet(spec).contains(env[INDEX["python_full_version"]], prereleases=True)
    except InvalidSpecifier:
        return True


@dataclass(frozen=True)
class _Wheel:
    artifact: Artifact
    meta: ParsedMetadata
    raw_envs: tuple[_Env, ...]  # from the tags
    envs: tuple[_Env, ...]  # those its own Requires-Python admits
    python: str | None
    requirements: tuple[_Req, ...]


def _wheel(artifact: Artifact) -> _Wheel:
    meta = artifact.parsed
    found = meta.values("requires-python")
    python = found[0].strip() if found else None
    raw = tuple(tuple(env.values()) for env in environments_for(artifact.tags))
    reqs = items_of(FIELDS_BY_HEADER["requires-dist"], meta.values("requires-dist"))
    envs = tuple(env for env in raw if _admits(python, env))
    return _Wheel(artifact, meta, raw, envs, python, tuple(_req(r) for r in reqs))


class _Evaluator:
    """Marker evaluation in table environments, cached by marker text."""

    def __init__(self, extras: tuple[str, ...]) -> None:
        self.extras = extras
        self._cache: dict[tuple[str, _Env, str], bool | None] = {}

    def applies(self, req: _Req, env: _Env, extra: str) -> bool | None:
        """Whether the requirement applies; ``None`` when its marker cannot be evaluated."""
        if req.marker is None:
            return True
        key = (req.text, env, extra)
        if key not in self._cache:
            environment = evaluation_environment(dict(zip(ENVIRONMENT_KEYS, env)), extra)
            try:
                self._cache[key] = req.marker.evaluate(environment)
            except (UndefinedComparison, UndefinedEnvironmentName, ValueError, TypeError):
                self._cache[key] = None
        return self._cache[key]

    def relevant(self, req: _Req, env: _Env) -> bool:
        return any(self.applies(req, env, extra) is not False for extra in self.extras)

    def selected(self, reqs: Iterable[_Req], env: _Env, extra: str) -> list[str] | None:
        chosen = []
        for req in reqs:
            applies = self.applies(req, env, extra)
            if applies is None:
                return None
            if applies:
                chosen.append(req.base)
        return sorted(chosen)


@dataclass(frozen=True)
class _Value:
    spec: FieldSpec
    raw: str
    key: str
    present: frozenset[int]


def _values(spec: FieldSpec, wheels: Sequence[_Wheel]) -> list[_Value]:
    found: list[tuple[str, str, set[int]]] = []
    for index, wheel in enumerate(wheels):
        for item in items_of(spec, wheel.meta.values(spec.header)):
            key = spec.key(item)
            match = next((f for f in found if f[1] == key), None)
            if match is None and spec.equivalent is not None:
                match = next((f for f in found if spec.equivalent(f[0], item)), None)
            if match is None:
                found.append((item, key, {index}))
            else:
                match[2].add(index)
    return [_Value(spec, raw, key, frozenset(present)) for raw, key, present in found]


# --- analysis -------------------------------------------------------------------------------


def _label(wheel: _Wheel) -> str:
    return wheel.artifact.label


def _overlap(a: _Wheel, b: _Wheel, env: _Env) -> str:
    """Why an installer in ``env`` could pick either wheel."""
    tags_a, tags_b = a.artifact.tags, b.artifact.tags
    if tags_a == tags_b:
        shown = ", ".join(sorted(map(str, tags_a)))
        return f"both carry the same tags ({shown}), so an installer may pick either"
    machine = env[INDEX["platform_machine"]]
    notes = sorted(n for t in tags_a | tags_b if (n := machine_note(t.platform, machine)))
    if notes:
        return f"{notes[0]}, so no marker tells the two wheels apart"
    return (
        "an installer in this environment may pick either wheel (their tags overlap, and what "
        "decides between them, such as the C library, the OS release, a free-threaded or "
        "32-bit build, is not a marker variable)"
    )


def _disagreement(
    owners: dict[_Env, dict[bool, int]],
    wheels: Sequence[_Wheel],
    field: str,
    claim: Callable[[_Wheel, _Wheel, _Env], tuple[str, str]],
) -> Inexpressible | None:
    """The first environment in which a wheel with the property and one without both install.

    ``claim(with, without, env)`` gives the value to report and what the first wheel does.
    """
    for env, owner in owners.items():
        if len(owner) == 2:
            a, b = wheels[owner[True]], wheels[owner[False]]
            value, does = claim(a, b, env)
            reason = f"`{_label(a)}` {does} and `{_label(b)}` does not, but {_overlap(a, b, env)}"
            return Inexpressible(field, value, reason, dict(zip(ENVIRONMENT_KEYS, env)))
    return None


def _admission(a: _Wheel, b: _Wheel, env: _Env) -> tuple[str, str]:
    full = env[INDEX["python_full_version"]]
    return b.python or "", f"(Requires-Python {a.python or 'unset'}) admits Python {full}"


def _requirement(
    value: _Value, wheels: Sequence[_Wheel], ev: _Evaluator, search: Search
) -> tuple[str | None, Inexpressible | None]:
    """The proposed entry for one Requires-Dist value (``None``: leave it out)."""
    req = _req(value.raw)
    if len(value.present) == len(wheels) or not req.valid:
        problem = None
        if not req.valid and len(value.present) != len(wheels):
            reason = "it is not a valid requirement, so no marker can be added to it"
            problem = Inexpressible("Requires-Dist", value.raw, reason, {})
        return (str(Requirement(req.raw)) if req.valid else req.raw), problem
    owners: dict[_Env, dict[bool, int]] = {}
    for index, wheel in enumerate(wheels):
        for env in wheel.envs:
            if ev.relevant(req, env):
                owners.setdefault(env, {}).setdefault(index in value.present, index)
    # Where wheels disagree, the requirement is kept (installing too much beats too little);
    # where its own marker applies nowhere in the table, it is kept as written.
    labels = frozenset((env, True in owner) for env, owner in owners.items())
    formula = search.solve(labels, VARIABLES) if labels else True
    problem = _disagreement(
        owners, wheels, "Requires-Dist", lambda _a, _b, _env: (value.raw, "declares it")
    )
    if formula is False:
        return None, problem
    requirement = Requirement(req.raw)
    if isinstance(formula, Term):
        marker = Marker(formula.render())
        requirement.marker = marker if req.marker is None else marker & req.marker
    return str(requirement), problem


def _python_spec(wheels: Sequence[_Wheel]) -> str | None:
    """A specifier admitting exactly the table versions some wheel admits there."""
    verdicts: dict[Version, bool] = {}
    for wheel in wheels:
        for env in wheel.raw_envs:
            full = Version(env[INDEX["python_full_version"]])
            verdicts[full] = verdicts.get(full, False) or _admits(wheel.python, env)
    order = sorted(verdicts)
    admitted = [v for v in order if verdicts[v]]
    if not admitted:
        return None
    low, high = admitted[0], admitted[-1]
    clauses = [f">={canonicalize_version(low)}"] if order[0] < low else []
    above = [v for v in order if v > high]
    clauses += [f"<{canonicalize_version(above[0])}"] if above else []
    gaps = [v for v in order if low < v < high and not verdicts[v]]
    for minor in sorted({v.release[:2] for v in gaps}):
        series = [v for v in order if v.release[:2] == minor]
        if not any(verdicts[v] for v in series):
            clauses.append(f"!={minor[0]}.{minor[1]}.*")
        else:
            clauses.extend(f"!={v}" for v in gaps if v.release[:2] == minor)
    return ",".join(clauses) or None


def _requires_python(
    values: list[_Value], wheels: Sequence[_Wheel]
) -> tuple[str | None, bool, Inexpressible | None]:
    """The Requires-Python to propose, whether it admits what each wheel admits, a conflict."""
    if all(len(v.present) == len(wheels) for v in values):
        return (values[0].raw if values else None), True, None
    owners: dict[_Env, dict[bool, int]] = {}
    for index, wheel in enumerate(wheels):
        for env in wheel.raw_envs:
            owners.setdefault(env, {}).setdefault(_admits(wheel.python, env), index)
    problem = _disagreement(owners, wheels, "Requires-Python", _admission)
    spec = _python_spec(wheels)
    for candidate in [*(v.raw for v in sorted(values, key=lambda v: -len(v.present))), None, spec]:
        envs = ((w, env) for w in wheels for env in w.raw_envs)
        if all(_admits(candidate, env) == _admits(w.python, env) for w, env in envs):
            return candidate, problem is None, problem
    pairs = ((w, env) for w in wheels for env in w.raw_envs)
    wrong = next((p for p in pairs if _admits(spec, p[1]) != _admits(p[0].python, p[1])), None)
    if problem is None and wrong is not None:
        wheel, env = wrong
        reason = (
            f"`{_label(wheel)}` (Requires-Python {wheel.python}) excludes Python "
            f"{env[INDEX['python_full_version']]} here while other wheels admit it elsewhere, "
            "and Requires-Python cannot depend on the platform"
        )
        env_dict = dict(zip(ENVIRONMENT_KEYS, env))
        problem = Inexpressible("Requires-Python", wheel.python or "", reason, env_dict)
    return spec, False, problem


def _verify(
    entries: Sequence[str], wheels: Sequence[_Wheel], ev: _Evaluator
) -> tuple[bool, int, set[str]]:
    """Evaluate the proposal as written against every wheel's environments and extras."""
    proposal = [_req(entry) for entry in entries]
    checked, bad, ok = 0, set(), True
    for wheel in wheels:
        for env in wheel.envs:
            checked += 1
            for extra in ev.extras:
                want = ev.selected(wheel.requirements, env, extra)
                got = ev.selected(proposal, env, extra)
                if want is None or got is None or want != got:
                    ok = False
                    if want is None or got is None:
                        bad |= {r.base for r in proposal}
                    else:  # same names with other counts: blame them all
                        bad |= set(want) ^ set(got) or set(want)
    return ok, checked, bad


def _extras(wheels: Sequence[_Wheel]) -> tuple[str, ...]:
    spec = FIELDS_BY_HEADER["provides-extra"]
    names = {
        canonicalize_name(e) for w in wheels for e in items_of(spec, w.meta.values(spec.header))
    }
    return ("", *sorted(names))


def _no_op(value: _Value, wheels: Sequence[_Wheel], ev: _Evaluator) -> bool:
    if value.spec.header != "requires-dist":
        return False
    req = _req(value.raw)
    absent = [w for i, w in enumerate(wheels) if i not in value.present]
    return all(w.raw_envs for w in absent) and not any(
        ev.relevant(req, env) for w in absent for env in w.envs
    )


def _propose(
    values: list[_Value], wheels: Sequence[_Wheel], ev: _Evaluator
) -> tuple[Proposal, list[Inexpressible]]:
    search = Search()
    entries: list[str] = []
    problems: list[Inexpressible] = []
    flagged: list[str] = []
    for value in values:
        if value.spec.header != "requires-dist":
            continue
        entry, problem = _requirement(value, wheels, ev, search)
        if entry is not None:
            entries.append(entry)
        if problem is not None:
            problems.append(problem)
            flagged.extend([entry] if entry is not None else [])
    python, python_ok, python_problem = _requires_python(
        [v for v in values if v.spec.header == "requires-python"], wheels
    )
    problems.extend([python_problem] if python_problem else [])
    ok, checked, bad = _verify(entries, wheels, ev)
    extras = [v.raw for v in values if v.spec.header == "provides-extra"]
    unverified = tuple(e for e in entries if e in flagged or _req(e).base in bad)
    verified = ok and python_ok and not problems and all(w.raw_envs for w in wheels)
    proposal = Proposal(tuple(entries), verified, checked, tuple(extras), python, unverified)
    return proposal, problems


def _variation(
    value: _Value, wheels: Sequence[_Wheel], ev: _Evaluator, names: list[str]
) -> Variation:
    present = tuple(names[i] for i in sorted(value.present))
    absent = tuple(name for i, name in enumerate(names) if i not in value.present)
    pattern = describe_wheels([w.artifact.tags for w in wheels], value.present, names)
    return Variation(
        value.spec.name, value.raw, present, absent, _no_op(value, wheels, ev), pattern
    )


def analyze(wheels: Sequence[Artifact]) -> VariationReport:
    """Variation among the wheels of one release, a marker proposal, and inexpressible values."""
    if len({artifact.metadata for artifact in wheels}) < 2:
        # one wheel, or byte-identical METADATA (the usual release): nothing can vary, and
        # the environment tables below are the expensive part of a scan
        return VariationReport((), None, ())
    prepared = [_wheel(artifact) for artifact in wheels]
    values = [value for spec in FIELDS for value in _values(spec, prepared)]
    varying = [value for value in values if len(value.present) != len(prepared)]
    if len(prepared) < 2 or not varying:
        return VariationReport((), None, ())
    ev = _Evaluator(_extras(prepared))
    names = [_label(w) for w in prepared]
    variation = tuple(_variation(value, prepared, ev, names) for value in varying)
    if not any(v.field.lower() in PROPOSABLE and not v.no_op for v in variation):
        return VariationReport(variation, None, ())
    proposal, problems = _propose(values, prepared, ev)
    return VariationReport(variation, proposal, tuple(problems))
