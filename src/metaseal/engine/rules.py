"""Every rule metaseal applies, with its source and default severity (pure data).

Findings carry a rule ``id`` from :data:`RULES`; the docs and the tests iterate this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaseal.engine.findings import Severity
from metaseal.engine.formats import NEVER_DYNAMIC

__all__ = ["NEVER_DYNAMIC", "RULES", "Rule"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    source: str
    summary: str


_E, _W, _I, _C = Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.COSMETIC

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "static-field",
            _E,
            "PEP 643; core metadata spec, Dynamic",
            "A field the sdist does not list as Dynamic must be the same in every wheel built "
            "from it; absent and not Dynamic means it must stay absent.",
        ),
        Rule(
            "dynamic-append-only",
            _E,
            "PEP 808; core metadata 2.6",
            "A multiple-use field that a Metadata 2.6 sdist both sets and lists as Dynamic may "
            "only gain values in the wheel: the sdist's values must stay, unmodified, in order.",
        ),
        Rule(
            "dynamic-forbidden",
            _E,
            "core metadata spec, Dynamic",
            "Name, Version and Metadata-Version can never be Dynamic.",
        ),
        Rule(
            "newer-field",
            _W,
            "core metadata spec, version history",
            "The wheel has a field introduced after the sdist's Metadata-Version (the backend was "
            "probably upgraded between the two builds).",
        ),
        Rule(
            "metadata-version",
            _W,
            "core metadata spec (ambiguity A1)",
            "The files declare different Metadata-Versions.",
        ),
        Rule(
            "sealed-sdist",
            _I,
            "PEP 643",
            "The sdist is Metadata 2.2 and its wheel 2.1: 2.2 only adds Dynamic, so the files "
            "say the same (metaseal seals the sdists of backends that write 2.1).",
        ),
        Rule(
            "unsealed",
            _I,
            "PEP 643",
            "The sdist's Metadata-Version is below 2.2, so it promises nothing about its wheels.",
        ),
        Rule(
            "dynamic-in-wheel",
            _I,
            "core metadata spec, Dynamic",
            "Dynamic in a wheel is informational only.",
        ),
        Rule(
            "extension-field",
            _W,
            "core metadata spec",
            "A header that is not a core metadata field differs between the files.",
        ),
        Rule(
            "invalid-metadata",
            _W,
            "core metadata spec",
            "A value is not valid for the file's own Metadata-Version.",
        ),
        Rule(
            "cosmetic",
            _C,
            "core metadata spec; PEP 685; PEP 508",
            "The files say the same thing in different words (order, spacing, quoting, case, "
            "line endings). Never fails anything.",
        ),
        Rule(
            "prepared-metadata",
            _E,
            "PEP 517, build_wheel",
            "build_wheel must produce the same metadata as prepare_metadata_for_build_wheel.",
        ),
        Rule(
            "prepared-entry-points",
            _E,
            "PEP 517, build_wheel",
            "The wheel's `entry_points.txt` must declare the same entry points as the `.dist-info` "
            "prepare_metadata_for_build_wheel returned (compared by sections and entries; spacing, "
            "order and comments do not count).",
        ),
        Rule(
            "sidecar",
            _E,
            "PEP 658",
            "A `.metadata` file must hold the same metadata as the distribution it describes.",
        ),
        Rule(
            "sidecar-bytes",
            _W,
            "PEP 658",
            "A `.metadata` file should be byte-identical to the distribution's metadata file.",
        ),
        Rule(
            "identical",
            _E,
            "metaseal diff",
            "Two sources compared with no packaging rule between them must mean the same.",
        ),
        Rule(
            "pyproject-static",
            _E,
            "PEP 621; pyproject.toml spec",
            "A key written statically in [project] (and not listed in `dynamic`) is exactly what "
            "every file of the release must carry, compared by meaning. Keys installers act on "
            "(name, version, dependencies, optional-dependencies, requires-python, import names) "
            "are errors; descriptive keys a backend renders its own way (description, readme, "
            "license, authors, maintainers, keywords, classifiers, urls) are warnings.",
        ),
        Rule(
            "pyproject-append-only",
            _E,
            "PEP 808",
            "A [project] key that is both written and listed in `dynamic` may only gain entries.",
        ),
        Rule(
            "pyproject-undeclared",
            _E,
            "PEP 621; pyproject.toml spec",
            "A key neither written in [project] nor listed in `dynamic` must stay empty.",
        ),
        Rule(
            "pyproject-invalid",
            _W,
            "PEP 621; the inner backend decides",
            "The PEP 621 reader rejects a [project] key that the build backend may accept (for "
            "example an SPDX license next to `License ::` classifiers); that key is not compared. "
            "Information for a descriptive key (the backend decides), a warning for a key "
            "installers act on.",
        ),
        Rule(
            "duplicate-pkg-info",
            _W,
            "source distribution format spec",
            "The sdist holds its PKG-INFO twice (a backend kept the old one when rebuilding an "
            "sdist from an unpacked sdist). Byte-identical or same-meaning copies are "
            "information, copies that differ in descriptive fields a warning, copies that "
            "disagree on a field installers act on an error.",
        ),
        Rule(
            "filename",
            _E,
            "binary and source distribution format specs",
            "The Name and Version inside a file must match its filename.",
        ),
        Rule(
            "dist-info-name",
            _E,
            "binary distribution format spec",
            "A wheel's `.dist-info` directory is named after the wheel's name and version.",
        ),
        Rule(
            "import-names",
            _E,
            "PEP 794",
            "Import-Name and Import-Namespace must be the same in every file of a release, and "
            "no name may be in both.",
        ),
        Rule(
            "allow-dynamic",
            _E,
            "metaseal setting `allow-dynamic`",
            "The sdist lists a field as Dynamic that `tool.metaseal.allow-dynamic` does not allow.",
        ),
        Rule(
            "wheel-variation",
            _I,
            "core metadata spec (no rule binds wheel to wheel)",
            "Wheels of one release differ; lock-file tools that read one wheel will be wrong for "
            "the others.",
        ),
        Rule(
            "inexpressible",
            _I,
            "PEP 508; core metadata spec",
            "Two wheels an installer could both pick in one environment disagree, so no marker "
            "can express the difference.",
        ),
        Rule(
            "repair",
            _W,
            "core metadata spec, Dynamic (auditwheel note)",
            "A repaired wheel (auditwheel, delocate, delvewheel) has other metadata than the wheel "
            "it was made from; repair should not change metadata.",
        ),
        Rule(
            "upload",
            _W,
            "PyPI upload validation (warehouse/forklift/metadata.py); PEP 639",
            "What PyPI would refuse at upload today: a Metadata-Version newer than it accepts "
            "(see `metaseal.engine.upload.PYPI_ACCEPTS`), an invalid or non-canonical "
            "License-Expression, License next to License-Expression, local versions, direct URL "
            "dependencies, fields packaging rejects. An error with `metaseal check --target pypi`.",
        ),
        Rule("sdist-variation", _W, "core metadata spec", "Two sdists of one release differ."),
    )
}
