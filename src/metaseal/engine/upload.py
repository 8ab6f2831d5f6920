"""Upload readiness: what PyPI would refuse today in one sdist's or wheel's metadata (pure).

packaging and twine accept files that PyPI's upload endpoint refuses, so a maintainer learns at
upload time, after tagging the release. The table of Metadata-Versions PyPI accepts changes
with Warehouse: it carries its date and source so it can be updated in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaseal.engine.fields import parse_requirement
from metaseal.engine.findings import Finding, Severity, Side

if TYPE_CHECKING:
    from metaseal.engine.artifact import Artifact

__all__ = ["AS_OF", "PYPI_ACCEPTS", "SOURCE", "upload_findings", "upload_problems"]

#: The Metadata-Versions PyPI accepts at upload, oldest first.
PYPI_ACCEPTS = ("1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5")
#: When :data:`PYPI_ACCEPTS` was last checked against :data:`SOURCE`.
AS_OF = "2026-08"
#: Where PyPI (Warehouse) decides what it accepts at upload.
SOURCE = "https://github.com/pypi/warehouse/blob/main/warehouse/forklift/metadata.py"

#: Longest Summary PyPI accepts.
MAX_SUMMARY = 512

#: One problem: (field, message, fix).
Problem = tuple[str, str, str]


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _metadata_version(version: str) -> list[Problem]:
    if version in PYPI_ACCEPTS:
        return []
    newer = (_version_tuple(version) or (0,)) > (_version_tuple(PYPI_ACCEPTS[-1]) or (0,))
    if newer:
        why = (
            f"PyPI refuses Metadata-Version {version} today: it accepts {PYPI_ACCEPTS[0]} to "
            f"{PYPI_ACCEPTS[-1]} (as of {AS_OF}, {SOURCE}). packaging and twine accept the "
            "file, so the refusal only comes at upload."
        )
        fix = (
            f"Pin the build backend to a version that writes Metadata-Version {PYPI_ACCEPTS[-1]}"
            " or earlier until PyPI accepts this one (then metaseal's table in "
            "`metaseal/engine/upload.py` needs updating)."
        )
    else:
        why = (
            f"PyPI refuses Metadata-Version {version!r}: it accepts only {', '.join(PYPI_ACCEPTS)}."
        )
        fix = "Rebuild the file with a current build backend."
    return [("Metadata-Version", why, fix)]


def _license(raw: dict[str, object], version: tuple[int, ...]) -> list[Problem]:
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    problems: list[Problem] = []
    expression = raw.get("license_expression")
    if isinstance(expression, str):
        try:
            canonical = str(canonicalize_license_expression(expression))
        except InvalidLicenseExpression as exc:
            problems.append(
                (
                    "License-Expression",
                    f"PyPI refuses the License-Expression {expression!r}: {exc}.",
                    (
                        "Write a valid SPDX expression (https://spdx.org/licenses/) in "
                        "`project.license`."
                    ),
                )
            )
        else:
            if canonical != expression:
                problems.append(
                    (
                        "License-Expression",
                        (
                            f"PyPI refuses the License-Expression {expression!r}: it is not in "
                            f"canonical form, which is {canonical!r}."
                        ),
                        f'Write `license = "{canonical}"` in `[project]`.',
                    )
                )
        if "license" in raw and version >= (2, 4):
            problems.append(
                (
                    "License",
                    (
                        "PyPI refuses a file with both License and License-Expression (PEP 639: "
                        "License must not be used with License-Expression)."
                    ),
                    (
                        "Drop the free-text license (`project.license.text`, a `license` "
                        "setting of the backend) and keep the SPDX expression."
                    ),
                )
            )
    return problems


def _header(raw_name: str) -> str:
    """A packaging raw field name (``requires_dist``) as the header (``Requires-Dist``)."""
    import packaging.metadata

    from metaseal.engine.fields import FIELDS_BY_HEADER

    mapping: dict[str, str] = getattr(packaging.metadata, "_RAW_TO_EMAIL_MAPPING", {})
    header = mapping.get(raw_name, raw_name)
    spec = FIELDS_BY_HEADER.get(header.lower())
    return spec.name if spec else header


def upload_problems(data: bytes) -> list[Problem]:
    """Every reason PyPI would refuse a file with this METADATA / PKG-INFO, as it reads it."""
    from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata, parse_email
    from packaging.version import Version

    raw, unparsed = parse_email(data)
    version = str(raw.get("metadata_version", "")).strip()
    problems = _metadata_version(version)
    problems += _license(dict(raw), _version_tuple(version) or (0,))
    try:
        if Version(str(raw.get("version", ""))).local is not None:
            problems.append(
                (
                    "Version",
                    f"PyPI refuses local versions (`+...`), as in {raw.get('version')!r}.",
                    "Build the release without a local version segment.",
                )
            )
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        pass  # packaging's own validation below names it
    for text in raw.get("requires_dist", []):
        requirement = parse_requirement(text)  # None: packaging's validation below names it
        if requirement is not None and requirement.url is not None:
            problems.append(
                (
                    "Requires-Dist",
                    f"PyPI refuses direct URL dependencies such as {text!r}.",
                    "Depend on a released name and version range instead.",
                )
            )
    summary = raw.get("summary")
    if isinstance(summary, str) and len(summary) > MAX_SUMMARY:
        problems.append(
            (
                "Summary",
                (
                    f"PyPI refuses a Summary longer than {MAX_SUMMARY} characters "
                    f"(this one has {len(summary)})."
                ),
                "Shorten `project.description`.",
            )
        )
    errors: list[InvalidMetadata] = [
        InvalidMetadata(name, f"unrecognized or malformed field {name!r}") for name in unparsed
    ]
    try:
        Metadata.from_raw(raw, validate=True)
    except ExceptionGroup as group:
        errors += [e for e in group.exceptions if isinstance(e, InvalidMetadata)]
    except RecursionError:
        errors.append(InvalidMetadata("metadata", "a value nests too deeply to be validated"))
    except (ValueError, TypeError, KeyError) as exc:  # pragma: no cover - packaging internals
        errors.append(InvalidMetadata("metadata", str(exc)))
    said = {field for field, _, _ in problems}
    for error in errors:
        field = _header(error.field)
        if field in said:
            continue  # already said, in plainer words
        problems.append(
            (
                field,
                f"PyPI refuses the file: {error}.",
                (
                    "Fix the field in the backend configuration (PyPI validates uploads with "
                    "packaging, as `metaseal check` does)."
                ),
            )
        )
    return problems


def upload_findings(artifact: Artifact, *, severity: Severity) -> list[Finding]:
    """The ``upload`` findings of one file, at ``severity`` (warning by default, error when
    the target is PyPI)."""
    found = []
    for field, message, hint in upload_problems(artifact.metadata):
        value = tuple(artifact.parsed.values(field))
        found.append(
            Finding(
                field=field,
                rule="upload",
                severity=severity,
                message=message,
                hint=hint,
                left=Side(artifact.label, value, value),
            )
        )
    return found
