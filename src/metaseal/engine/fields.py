"""The per-field table: how each core metadata field is read, normalized and compared (pure).

:data:`FIELDS` is the single source of truth that the engine, the tests and the docs iterate.
A field's raw header values become *items* (one per header line, or the parts of a
comma-separated single-use field such as ``Keywords``), and each item gets a *key*: the
normalized spelling under which two files agree. Equal keys with different text are cosmetic.
"""

from __future__ import annotations

import collections
import contextlib
import email.message
import email.utils
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from metaseal.engine.markers import canonical_marker, markers_equivalent, mentions_extra

__all__ = [
    "FIELDS",
    "FIELDS_BY_HEADER",
    "FieldSpec",
    "compare_items",
    "is_extra_requirement",
    "items_of",
    "parse_addresses",
    "parse_requirement",
    "requirement_key",
]


def _collapse(value: str) -> str:
    """Runs of white space as one space, and one Unicode spelling of each character (NFC: a
    TOML file may spell `é` as `e` plus a combining accent, a backend's PKG-INFO as one)."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _strip(value: str) -> str:
    return value.strip()


def _name(value: str) -> str:
    return canonicalize_name(value.strip())


def _version(value: str) -> str:
    try:
        return str(Version(value.strip()))
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return value.strip()


def _specifier(spec: Specifier) -> str:
    text = spec.version
    if spec.operator in ("==", "!=", "<", ">", "<=", ">=") and not text.endswith(".*"):
        with contextlib.suppress(InvalidVersion):
            text = canonicalize_version(Version(text))
    return f"{spec.operator}{text}"


def _specifier_set(specifiers: SpecifierSet) -> str:
    return ",".join(sorted(_specifier(spec) for spec in specifiers))


def _requires_python(value: str) -> str:
    try:
        return _specifier_set(SpecifierSet(value.strip()))
    except InvalidSpecifier:
        return _collapse(value)


@functools.lru_cache(maxsize=8192)
def parse_requirement(value: str) -> Requirement | None:
    """The parsed dependency specifier, or ``None`` when it is not valid (or nests parentheses
    deeper than packaging's recursive parser can follow: then it is compared as text)."""
    try:
        return Requirement(value.strip())
    except (InvalidRequirement, RecursionError):
        return None


def is_extra_requirement(value: str) -> bool:
    """Whether a Requires-Dist entry belongs to an extra (its marker reads ``extra``)."""
    req = parse_requirement(value)
    return "extra" in value if req is None else mentions_extra(req.marker)


@functools.lru_cache(maxsize=8192)
def requirement_key(value: str, *, marker: bool = True) -> str:
    """Canonical text of a dependency specifier (names, extras, specifiers, marker)."""
    req = parse_requirement(value)
    if req is None:
        return _collapse(value)
    text: str = canonicalize_name(req.name)
    if req.extras:
        text += "[" + ",".join(sorted(canonicalize_name(e) for e in req.extras)) + "]"
    if req.url:
        text += f" @ {req.url}"
    text += _specifier_set(req.specifier)
    if marker and req.marker is not None:
        text += f" ; {canonical_marker(req.marker)}"
    return text


def _requirement_bucket(value: str) -> str:
    """Requirements whose markers may still mean the same share this key."""
    return requirement_key(value, marker=False)


def _requirements_equivalent(a: str, b: str) -> bool:
    """Same requirement with markers that select the same environments."""
    if requirement_key(a, marker=False) != requirement_key(b, marker=False):
        return False
    ra, rb = parse_requirement(a), parse_requirement(b)
    return ra is not None and rb is not None and markers_equivalent(ra.marker, rb.marker)


def _license_expression(value: str) -> str:
    try:
        return str(canonicalize_license_expression(value.strip()))
    except InvalidLicenseExpression:
        return _collapse(value)


_PUNCTUATION = re.compile(r"[\s!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]+")


def _project_url(value: str) -> str:
    label, _, url = value.partition(",")
    label = unicodedata.normalize("NFC", label)
    return f"{_PUNCTUATION.sub('', label).lower()}, {url.strip()}"


def _import_name(value: str) -> str:
    name, sep, flag = value.partition(";")
    return f"{name.strip()}; {flag.strip()}" if sep else name.strip()


def _content_type(value: str) -> str:
    message = email.message.Message()
    message["content-type"] = value.strip()
    media = message.get_content_type()
    charset = str(message.get_param("charset") or "UTF-8").upper()
    text = f"{media}; charset={charset}"
    if media == "text/markdown":
        text += f"; variant={str(message.get_param('variant') or 'GFM').lower()}"
    return text


_PIPE_FOLD = re.compile(r"\n {7}\|")
_EIGHT_FOLD = re.compile(r"\n {8}")


def _description(value: str) -> str:
    """Unfold the header forms (7 spaces + ``|``, or distutils' 8 spaces); LF; no trailing blank."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if _PIPE_FOLD.search(text):
        text = _PIPE_FOLD.sub("\n", text)
    elif "\n" in text and all(
        line.startswith(" " * 8) or not line.strip() for line in text.split("\n")[1:]
    ):
        text = _EIGHT_FOLD.sub("\n", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).rstrip()


def parse_addresses(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(name, address)`` pairs of RFC 822 address lists, as :mod:`email.utils` reads them.

    Comments nest, and the standard library parses them recursively: a value nested deeper
    than the recursion limit allows is taken as plain comma-separated text instead.
    """
    flat = [" ".join(v.split()) for v in values]
    try:
        return email.utils.getaddresses(flat)
    except RecursionError:
        return [("", part.strip()) for value in flat for part in value.split(",") if part.strip()]


def _addresses(values: tuple[str, ...]) -> list[str]:
    items = []
    for name, address in parse_addresses(values):
        if not (name or address):
            continue
        items.append(f"{_collapse(name)} <{address}>" if name else address)
    return items


def _comma_list(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _one_per_line(values: tuple[str, ...]) -> list[str]:
    return list(values)


@dataclass(frozen=True)
class FieldSpec:
    """How one core metadata field is read and compared."""

    #: Canonical header spelling, as in the core metadata specification.
    name: str
    #: Multiple-use field (one header line per value).
    multiple: bool
    #: The Metadata-Version that introduced the field.
    added: str
    #: ``[project]`` keys whose values end up in this field.
    pyproject: tuple[str, ...]
    #: Item key: two items with equal keys mean the same.
    key: Callable[[str], str]
    #: One line for the docs.
    doc: str
    #: Raw header values -> items (a comma list becomes several items).
    items: Callable[[tuple[str, ...]], list[str]] = _one_per_line
    #: Optional slower test for items whose keys differ but whose meaning may not.
    equivalent: Callable[[str, str], bool] | None = None
    #: Only items with equal buckets are given to :attr:`equivalent` (a cheap pre-filter).
    bucket: Callable[[str], str] | None = None

    @property
    def header(self) -> str:
        return self.name.lower()

    @property
    def listlike(self) -> bool:
        """Compared as a multiset of items (multiple-use, or a comma-separated list)."""
        return self.multiple or self.items is not _one_per_line


def _field(
    name: str,
    added: str,
    key: Callable[[str], str],
    doc: str,
    *,
    multiple: bool = False,
    pyproject: tuple[str, ...] = (),
    items: Callable[[tuple[str, ...]], list[str]] = _one_per_line,
    equivalent: Callable[[str, str], bool] | None = None,
    bucket: Callable[[str], str] | None = None,
) -> FieldSpec:
    return FieldSpec(name, multiple, added, pyproject, key, doc, items, equivalent, bucket)


FIELDS: tuple[FieldSpec, ...] = (
    _field("Metadata-Version", "1.0", _strip, "version of the metadata format"),
    _field("Name", "1.0", _name, "compared after PEP 503 normalization", pyproject=("name",)),
    _field(
        "Version",
        "1.0",
        _version,
        "PEP 440; `1.0` and `1.0.0` differ, `1.0-rc1` and `1.0rc1` do not",
        pyproject=("version",),
    ),
    _field(
        "Dynamic",
        "2.2",
        lambda v: v.strip().lower(),
        "field names, case-insensitive",
        multiple=True,
    ),
    _field("Platform", "1.0", _collapse, "free text", multiple=True),
    _field("Supported-Platform", "1.1", _collapse, "free text", multiple=True),
    _field("Summary", "1.0", _collapse, "whitespace runs collapsed", pyproject=("description",)),
    _field(
        "Description",
        "1.0",
        _description,
        "header folding, line endings and trailing blank lines normalized; header or body",
        pyproject=("readme",),
    ),
    _field(
        "Description-Content-Type",
        "2.1",
        _content_type,
        "media type with the defaults charset=UTF-8 and (markdown) variant=GFM",
        pyproject=("readme",),
    ),
    _field(
        "Keywords",
        "1.0",
        _collapse,
        "comma-separated list, compared as a set",
        pyproject=("keywords",),
        items=_comma_list,
    ),
    _field("Home-page", "1.0", _strip, "deprecated URL"),
    _field("Download-URL", "1.1", _strip, "deprecated URL"),
    _field("Author", "1.0", _collapse, "free text", pyproject=("authors",)),
    _field(
        "Author-email",
        "1.0",
        _strip,
        "RFC 822 address list, compared as a set",
        pyproject=("authors",),
        items=_addresses,
    ),
    _field("Maintainer", "1.2", _collapse, "free text", pyproject=("maintainers",)),
    _field(
        "Maintainer-email",
        "1.2",
        _strip,
        "RFC 822 address list, compared as a set",
        pyproject=("maintainers",),
        items=_addresses,
    ),
    _field(
        "License",
        "1.0",
        _collapse,
        "free text (deprecated by License-Expression)",
        pyproject=("license",),
    ),
    _field(
        "License-Expression",
        "2.4",
        _license_expression,
        "SPDX expression, compared case-normalized",
        pyproject=("license",),
    ),
    _field(
        "License-File",
        "2.4",
        _strip,
        "path of a license file",
        multiple=True,
        pyproject=("license-files",),
    ),
    _field(
        "Classifier",
        "1.1",
        _collapse,
        "trove classifier",
        multiple=True,
        pyproject=("classifiers",),
    ),
    _field(
        "Requires-Dist",
        "1.2",
        requirement_key,
        "dependency specifier, compared as a "
        "parsed requirement: names, extras, specifiers and markers by meaning",
        multiple=True,
        pyproject=("dependencies", "optional-dependencies"),
        equivalent=_requirements_equivalent,
        bucket=_requirement_bucket,
    ),
    _field(
        "Requires-Python",
        "1.2",
        _requires_python,
        "specifier set, order-insensitive",
        pyproject=("requires-python",),
    ),
    _field("Requires-External", "1.2", _collapse, "free-form system dependency", multiple=True),
    _field(
        "Project-URL",
        "1.2",
        _project_url,
        "`label, url`; labels compared as PEP 753 normalizes them",
        multiple=True,
        pyproject=("urls",),
    ),
    _field(
        "Provides-Extra",
        "2.1",
        _name,
        "extra name, compared after PEP 685 normalization",
        multiple=True,
        pyproject=("optional-dependencies",),
    ),
    _field("Provides-Dist", "1.2", requirement_key, "rarely used", multiple=True),
    _field("Obsoletes-Dist", "1.2", requirement_key, "rarely used", multiple=True),
    _field("Requires", "1.1", _collapse, "deprecated since 1.2", multiple=True),
    _field("Provides", "1.1", _collapse, "deprecated since 1.2", multiple=True),
    _field("Obsoletes", "1.1", _collapse, "deprecated since 1.2", multiple=True),
    _field(
        "Import-Name",
        "2.5",
        _import_name,
        "dotted name, optional `; private`; an empty value differs from an absent field",
        multiple=True,
        pyproject=("import-names",),
    ),
    _field(
        "Import-Namespace",
        "2.5",
        _import_name,
        "dotted name, optional `; private`",
        multiple=True,
        pyproject=("import-namespaces",),
    ),
)

FIELDS_BY_HEADER: dict[str, FieldSpec] = {spec.header: spec for spec in FIELDS}


def items_of(spec: FieldSpec, values: tuple[str, ...]) -> list[str]:
    """Raw header values of one file -> the field's items."""
    if spec.items is _one_per_line:
        return [v.strip() if spec.name != "Description" else v for v in values]
    return spec.items(values)


@dataclass(frozen=True)
class Delta:
    """How the right-hand items of a field differ from the left-hand ones."""

    #: Same items in the same order, letter for letter.
    identical: bool
    #: Same meaning: the item keys agree as multisets (or by the field's slower equivalence).
    equal: bool
    #: Raw items only on the right / only on the left.
    added: tuple[str, ...]
    removed: tuple[str, ...]
    #: The left items, in order, appear within the right items (append-only holds).
    left_kept_in_order: bool


def compare_items(spec: FieldSpec, left: list[str], right: list[str]) -> Delta:
    """Multiset comparison with the field's keys, then its slower equivalence for leftovers.

    Linear in the number of items (plus the equivalence test, which only runs between
    leftover items of the same bucket): hostile files with thousands of entries stay fast.
    """
    if left == right:
        return Delta(True, True, (), (), True)
    key = functools.lru_cache(maxsize=None)(spec.key)
    left_keys = [key(item) for item in left]
    right_keys = [key(item) for item in right]
    waiting: dict[str, collections.deque[int]] = {}
    for index, item_key in enumerate(right_keys):
        waiting.setdefault(item_key, collections.deque()).append(index)
    matched = [False] * len(right)
    leftover: list[str] = []
    for item, item_key in zip(left, left_keys):
        queue = waiting.get(item_key)
        if queue:
            matched[queue.popleft()] = True
        else:
            leftover.append(item)
    removed: list[str] = []
    if leftover and spec.equivalent is not None:
        bucket = spec.bucket or _no_bucket
        candidates: dict[str, list[int]] = {}
        for index, item in enumerate(right):
            if not matched[index]:
                candidates.setdefault(bucket(item), []).append(index)
        for item in leftover:
            group = candidates.get(bucket(item), [])
            found = next((i for i in group if spec.equivalent(item, right[i])), None)
            if found is None:
                removed.append(item)
            else:
                group.remove(found)
                matched[found] = True
    else:
        removed = leftover
    added = tuple(item for item, used in zip(right, matched) if not used)
    return Delta(
        False,
        not removed and not added,
        added,
        tuple(removed),
        _in_order(spec, left, right, left_keys, right_keys),
    )


def _no_bucket(_value: str) -> str:
    return ""


def _in_order(
    spec: FieldSpec, left: list[str], right: list[str], left_keys: list[str], right_keys: list[str]
) -> bool:
    """Whether the left items appear, in order, within the right items (append-only)."""
    position = 0
    for item, item_key in zip(left, left_keys):
        while position < len(right) and not (
            right_keys[position] == item_key
            or (
                spec.equivalent is not None
                and (spec.bucket is None or spec.bucket(item) == spec.bucket(right[position]))
                and spec.equivalent(item, right[position])
            )
        ):
            position += 1
        if position == len(right):
            return False
        position += 1
    return True
