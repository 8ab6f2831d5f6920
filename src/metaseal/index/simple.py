"""Read a project page of a simple repository: PEP 691 JSON or PEP 503 HTML (pure, no I/O).

The JSON form must say ``meta.api-version`` 1.x. The HTML form is read with
:mod:`html.parser`: every ``<a href>`` (resolved against the page URL, or its ``<base href>``),
its ``#sha256=`` fragment, ``data-requires-python``, ``data-yanked`` and the PEP 658/714 sidecar
attribute (``data-core-metadata``, preferred, or the legacy ``data-dist-info-metadata``). A
find-links page is read by the same HTML parser. Only the wheels and sdists of the named project
whose filenames parse (:mod:`packaging.utils`) are kept; everything else on a page is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from metaseal.errors import NetworkError
from metaseal.index._netenv import strip_credentials

if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.utils import NormalizedName
    from packaging.version import Version

__all__ = [
    "ACCEPT",
    "IndexFile",
    "ProjectPage",
    "file_identity",
    "parse_project_page",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
#: What a project page is asked for: JSON first, then HTML (PEP 691's recommended header).
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
_JSON_TYPES = frozenset({JSON_TYPE, "application/vnd.pypi.simple.latest+json"})
_HTML_TYPES = frozenset(
    {"text/html", "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html"}
)


@dataclass(frozen=True)
class IndexFile:
    """One distribution file a page lists."""

    filename: str
    #: Absolute URL, fragment removed.
    url: str
    #: Hash name (lower case) -> hex digest, from JSON ``hashes`` or the URL fragment.
    hashes: Mapping[str, str]
    #: Hashes of the PEP 658 sidecar: ``{}`` when it exists without a hash, ``None`` when absent.
    metadata: Mapping[str, str] | None
    yanked: bool = False
    requires_python: str | None = None
    size: int | None = None
    #: ``user:password`` the link carried: taken out of :attr:`url` (which reaches messages and
    #: reports) and handed to the HTTP client for the link's host instead.
    credentials: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


@dataclass(frozen=True)
class ProjectPage:
    """The files of one project, as one page (or several, merged) lists them."""

    #: Normalized project name.
    name: str
    url: str
    #: Only this project's wheels and sdists whose filename parses.
    files: tuple[IndexFile, ...]

    def versions(self) -> list[str]:
        """Every version with at least one file, oldest first (by :class:`Version` order)."""
        found = {file_identity(f.filename)[1] for f in self.files}
        return [str(v) for v in sorted(found)]


def file_identity(filename: str) -> tuple[NormalizedName, Version]:
    """Name and version from a wheel or sdist filename (raises ``ValueError`` for others)."""
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
        return name, version
    return parse_sdist_filename(filename)


def _ours(filename: str, name: str) -> bool:
    if not filename.endswith((".whl", ".tar.gz", ".zip")) or filename.startswith("."):
        return False
    if any(char in filename for char in "/\\\x00"):
        return False  # the name becomes a file name on disk for downloads: no paths
    try:
        return file_identity(filename)[0] == name
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        return False


def _not_a_page(url: str, detail: str) -> NetworkError:
    return NetworkError(
        url,
        f"is not a PEP 503/691 page ({detail}); check that the URL names a package index (its "
        "`/simple/` root, for --index) or a find-links page of distribution links.",
    )


def parse_project_page(body: bytes, content_type: str, url: str, name: str) -> ProjectPage:
    """The files of project ``name`` that a page fetched from ``url`` lists.

    ``content_type`` (its parameters may follow) chooses JSON or HTML. A malformed page, or
    one of another content type, raises :class:`NetworkError`.
    """
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    normalized = canonicalize_name(name)
    if media in _JSON_TYPES:
        files = _json_files(body, url)
    elif media in _HTML_TYPES:
        files = _html_files(body, url, _charset(params))
    else:
        shown = f"content type `{media}`" if media else "no content type"
        raise _not_a_page(url, f"{shown}, not HTML or `{JSON_TYPE}`")
    seen: set[str] = set()
    kept = []
    for file in files:
        if file.filename not in seen and _ours(file.filename, normalized):
            seen.add(file.filename)
            kept.append(file)
    return ProjectPage(normalized, url, tuple(kept))


def _charset(params: str) -> str:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def _filename(url: str) -> str:
    return unquote(urlsplit(url).path.rpartition("/")[2])


def _split_url(page_url: str, href: str) -> tuple[str, dict[str, str], tuple[str, str] | None]:
    """Absolute URL without fragment and credentials, the ``#sha256=...`` style hash in the
    fragment, and the ``user:password`` the URL carried (never shown anywhere)."""
    try:
        absolute, fragment = urldefrag(urljoin(page_url, href.strip()))
        absolute, credentials = strip_credentials(absolute)
    except ValueError:  # an invalid IPv6 host: no URL at all (not one of our files)
        return "", {}, None
    hashes = {}
    algorithm, equals, digest = fragment.partition("=")
    if equals and algorithm and digest:
        hashes[algorithm.lower()] = digest.lower()
    return absolute, hashes, credentials


# -- PEP 691 JSON -----------------------------------------------------------------------------


def _json_files(body: bytes, url: str) -> list[IndexFile]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _not_a_page(url, f"malformed JSON: {exc}") from None
    meta = document.get("meta") if isinstance(document, dict) else None
    version = meta.get("api-version") if isinstance(meta, dict) else None
    if not isinstance(version, str) or not isinstance(document.get("files"), list):
        raise _not_a_page(url, "JSON without `meta.api-version` and `files`")
    if version.split(".")[0] != "1":
        raise NetworkError(
            url,
            f"speaks PEP 691 API version {version}, and metaseal reads version 1.x; upgrade "
            "metaseal, or ask the index for HTML.",
        )
    try:
        return [_json_file(entry, url) for entry in document["files"]]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise _not_a_page(url, f"a `files` entry is malformed: {exc}") from None


def _hashes(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"hashes must be an object, not {value!r}")
    return {str(k).lower(): str(v).lower() for k, v in value.items()}


def _json_sidecar(entry: Mapping[str, Any]) -> dict[str, str] | None:
    # PEP 714: `core-metadata` wins; `dist-info-metadata` is the PEP 658 original spelling.
    value = entry["core-metadata"] if "core-metadata" in entry else entry.get("dist-info-metadata")
    if value is None or value is False:
        return None
    return {} if value is True else _hashes(value)


def _json_file(entry: Any, page_url: str) -> IndexFile:
    filename, href = entry["filename"], entry["url"]
    if not isinstance(filename, str) or not isinstance(href, str):
        raise TypeError("`filename` and `url` must be strings")
    absolute, fragment, credentials = _split_url(page_url, href)
    requires = entry.get("requires-python")
    size = entry.get("size")
    return IndexFile(
        filename=filename,
        url=absolute,
        hashes={**fragment, **_hashes(entry.get("hashes", {}))},
        metadata=_json_sidecar(entry),
        yanked=entry.get("yanked", False) not in (False, None),
        requires_python=requires if isinstance(requires, str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        credentials=credentials,
    )


# -- PEP 503 HTML -----------------------------------------------------------------------------


class _Anchors(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = url
        self.based = False
        self.tags = 0
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        found = dict(attrs)
        if tag == "base" and not self.based and found.get("href"):
            self.base, self.based = urljoin(self.base, found["href"] or ""), True
        elif tag == "a" and found.get("href"):
            self.anchors.append(found)


def _html_sidecar(anchor: Mapping[str, str | None]) -> dict[str, str] | None:
    for attribute in ("data-core-metadata", "data-dist-info-metadata"):  # PEP 714 order
        if attribute in anchor:
            value = (anchor[attribute] or "").strip()
            if value.lower() == "true":
                return {}
            algorithm, equals, digest = value.partition("=")
            return {algorithm.lower(): digest.lower()} if equals and algorithm and digest else None
    return None


def _html_files(body: bytes, url: str, charset: str) -> list[IndexFile]:
    shown = charset if len(charset) <= 40 else f"{charset[:40]}..."
    try:
        text = body.decode(charset)
    # LookupError: unknown, or not a text encoding (base64); UnicodeError (punycode) and
    # UnicodeDecodeError are ValueErrors.
    except (ValueError, LookupError) as exc:
        raise _not_a_page(
            url, f"HTML that cannot be decoded as charset `{shown}`: {str(exc)[:200]}"
        ) from None
    if "\x00" in text:
        raise _not_a_page(url, "binary data where HTML was expected")
    parser = _Anchors(url)
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # Python 3.9's parser asserts on some junk
        raise _not_a_page(url, f"HTML the parser gives up on: {exc}") from None
    if not parser.tags:
        raise _not_a_page(url, "no HTML elements at all")
    files = []
    for anchor in parser.anchors:
        absolute, hashes, credentials = _split_url(parser.base, anchor["href"] or "")
        requires = anchor.get("data-requires-python")
        files.append(
            IndexFile(
                filename=_filename(absolute),
                url=absolute,
                hashes=hashes,
                metadata=_html_sidecar(anchor),
                yanked="data-yanked" in anchor,
                requires_python=requires.strip() or None if requires is not None else None,
                credentials=credentials,
            )
        )
    return files
