"""Known historical quirks of real backends, in one named table (pure).

Each entry says what real tools wrote, why metaseal tolerates it, and where in the engine the
tolerance applies. ``tests/engine/test_compare.py::test_quirk`` is parametrized over
:data:`QUIRKS` and fails for an entry without a test, so an entry cannot exist without one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QUIRKS", "QUIRKS_BY_ID", "Quirk", "is_placeholder", "tolerated_problem"]


@dataclass(frozen=True)
class Quirk:
    id: str
    fields: tuple[str, ...]
    what: str
    why: str


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        id="unknown-placeholder",
        fields=(
            "Summary",
            "Home-page",
            "Author",
            "Author-email",
            "Maintainer",
            "Maintainer-email",
            "License",
            "Platform",
            "Download-URL",
            "Description",
        ),
        what="distutils and setuptools before 69 wrote the literal `UNKNOWN` for absent fields.",
        why="setuptools itself reads `UNKNOWN` back as absent; a rebuild with a newer setuptools "
        "drops the line, which changes no meaning. The value is read as absent.",
    ),
    Quirk(
        id="distutils-description-indent",
        fields=("Description",),
        what="distutils/setuptools fold a Description header with 8 spaces and no `|`, "
        "the spec with 7 spaces and `|`; since Metadata 2.1 most backends use the body.",
        why="All three spellings carry the same text; the Description is unfolded before "
        "comparison, so moving between them is cosmetic.",
    ),
    Quirk(
        id="pre-2.3-extra-spelling",
        fields=("Provides-Extra", "Requires-Dist"),
        what="Files before Metadata 2.3 may spell extras unnormalized (`Test_X`); 2.3 made "
        "writers normalize them (PEP 685).",
        why="PEP 685 compares extra names after normalization, so a 2.2 sdist with `Test_X` and "
        "a wheel with `test-x` agree; the spelling change is cosmetic.",
    ),
    Quirk(
        id="license-fields-before-2.4",
        fields=("License-File", "License-Expression"),
        what="setuptools < 77 and hatchling < 1.26 wrote License-File / License-Expression into "
        "Metadata 2.1-2.3 files, before Metadata 2.4 defined them.",
        why="Thousands of published files have them; packaging's version gate would flag every "
        "one. metaseal does not report that gate for these two fields (twine makes the same "
        "carve-out); the values are still compared.",
    ),
    Quirk(
        id="license-moved-to-expression",
        fields=("License", "License-Expression"),
        what="Before Metadata 2.4, backends wrote an SPDX `project.license` string as "
        "`License: MIT` (hatchling < 1.26 with Metadata 2.3); since, as "
        "`License-Expression: MIT`. A wheel built from such an sdist by a newer backend moves it.",
        why="The same expression in the other field is the same license; installers act on "
        "neither. The pair is cosmetic when the two expressions are equal once normalized, the "
        "wheel has no `License` and the sdist no `License-Expression`; any other change of "
        "either field is compared as usual.",
    ),
    Quirk(
        id="flit-undeclared-import-name",
        fields=("Import-Name",),
        what="flit-core 4 writes `Import-Name: <module>` even when `import-names` is neither set "
        "nor listed in `project.dynamic`.",
        why="The value is derived from the package itself and is the same in every file flit "
        "builds; against the static `[project]` table it is reported as a warning, not an "
        "error.",
    ),
)

QUIRKS += (
    Quirk(
        id="metadata-version-2.0",
        fields=("Metadata-Version",),
        what="bdist_wheel before 0.31 (2018) wrote `Metadata-Version: 2.0`, a version the "
        "specification never had (PEP 426, which would have made it, was withdrawn).",
        why="Thousands of old wheels carry it and their fields are those of 1.2 and 2.1; "
        "packaging refuses the version, which would make every such file a warning. metaseal "
        "reads the file as usual and does not report the version: it only says how old the "
        "tool was.",
    ),
)

QUIRKS_BY_ID = {quirk.id: quirk for quirk in QUIRKS}
_PLACEHOLDER_HEADERS = frozenset(f.lower() for f in QUIRKS_BY_ID["unknown-placeholder"].fields)
_LICENSE_FIELDS = frozenset(f.lower() for f in QUIRKS_BY_ID["license-fields-before-2.4"].fields)


def is_placeholder(header: str, value: str) -> bool:
    """Quirk ``unknown-placeholder``: ``UNKNOWN`` in these headers means absent."""
    return header in _PLACEHOLDER_HEADERS and value.strip() == "UNKNOWN"


def tolerated_problem(field: str, message: str) -> bool:
    """Quirks ``license-fields-before-2.4`` (the version gate for the license fields) and
    ``metadata-version-2.0`` (old bdist_wheel's version number)."""
    if field in ("metadata-version", "metadata_version") and "'2.0'" in message:
        return True
    return field in _LICENSE_FIELDS and "introduced in metadata version" in message.lower()
