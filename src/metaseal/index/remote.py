"""Read a release from a package index as :class:`Artifact` records, fetching as little as is safe.

Per wheel: its PEP 658 sidecar when the page advertises one (verified against the advertised
hash, and cached by it), else HTTP range requests for the zip's central directory and
``METADATA`` member (:mod:`metaseal.index._lazyzip`), else, only with ``allow_download``, the whole
file. Per sdist (only with ``sdists``): a full download, hash-verified, then the local sdist
reader, so every check of a local read applies. Nothing is ever built, unpacked or run. The
artifacts look exactly like a local read of the same files (kind, role, label, tags, filename
identity) except that ``source`` is the URL, and the ``.dist-info`` directory name is unknown
when the metadata came from a sidecar.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, TypeVar, Union

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from metaseal.engine.artifact import Artifact
from metaseal.engine.formats import MAX_METADATA_BYTES
from metaseal.errors import ArtifactError, MetasealError, NetworkError, UsageError
from metaseal.index._http import HttpError
from metaseal.index._lazyzip import LazyFile, RangeNotSupported
from metaseal.index._netenv import strip_credentials
from metaseal.index.simple import ACCEPT, IndexFile, ProjectPage, file_identity, parse_project_page
from metaseal.sources.artifacts import read_sdist, read_wheel, wheel_from_metadata

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from metaseal.index._cache import SidecarCache
    from metaseal.index._http import Client, Stats

__all__ = ["MAX_DOWNLOAD_BYTES", "Index", "select_versions"]

#: Largest file downloaded in full (sdists; wheels with ``allow_download``).
MAX_DOWNLOAD_BYTES = 2 * 1024**3
#: Hash algorithms metaseal verifies with, best first (``shake_*`` need a length: left out).
_ALGORITHMS = sorted(
    (a for a in hashlib.algorithms_guaranteed if not a.startswith("shake_")),
    key=lambda a: (a != "sha256", a in ("md5", "sha1"), a),
)
_T = TypeVar("_T")
_Result = Union[Artifact, MetasealError]


class FileProgress(Protocol):
    """What :meth:`Index.artifacts` reports to (:class:`metaseal.scan.progress.Progress` fits)."""

    total: int

    def advance(self, count: int = 1) -> None: ...


class Index:
    """An index (``/simple/`` root) and/or find-links pages, read through one :class:`Client`."""

    def __init__(
        self,
        client: Client,
        *,
        index_url: str | None = None,
        find_links: Sequence[str] = (),
        sdists: bool = False,
        allow_download: bool = False,
        cache: SidecarCache | None = None,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> None:
        if index_url is None and not find_links:
            raise UsageError(
                "name an index (`--index URL`) or a find-links page (`--find-links URL`)."
            )
        self._client = client
        self.index_url = None if index_url is None else self._register(index_url).rstrip("/") + "/"
        self.find_links = tuple(self._register(url) for url in find_links)
        self.sdists = sdists
        self.allow_download = allow_download
        #: Hosts that answered a range request with the whole file (downloads go there directly).
        self._no_ranges: set[str] = set()
        self.cache = cache
        self.max_download_bytes = max_download_bytes
        self._links: dict[str, tuple[bytes, str, str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Index(index_url={self.index_url!r}, find_links={self.find_links!r})"

    def _register(self, url: str) -> str:
        """``url`` without credentials; the client keeps them for the URL's host."""
        clean, credentials = strip_credentials(url)
        if credentials is not None:
            self._client.add_credentials(clean, *credentials)
        return clean

    @property
    def stats(self) -> Stats:
        return self._client.stats

    def project(self, name: str) -> ProjectPage:
        """The files of project ``name`` on the index and the find-links pages, merged."""
        normalized = canonicalize_name(name)
        settings = self._client.settings
        pages: list[ProjectPage] = []
        missing: NetworkError | None = None
        if self.index_url is not None:
            url = f"{self.index_url}{normalized}/"
            try:
                response = self._client.get(
                    url, headers={"Accept": ACCEPT}, max_bytes=settings.max_page_bytes
                )
            except HttpError as exc:
                if exc.status != 404:
                    raise
                missing = NetworkError(
                    url,
                    f"no project `{normalized}` on {self.index_url} (HTTP 404); check the "
                    "name's spelling, and that the project is published on this index.",
                )
            else:
                content_type = response.headers.get("Content-Type", "")
                pages.append(parse_project_page(response.body, content_type, response.url, name))
        for link in self.find_links:
            body, content_type, final = self._links_page(link)
            pages.append(parse_project_page(body, content_type, final, name))
        files: dict[str, IndexFile] = {}
        for page in pages:
            for file in page.files:
                if file.credentials is not None and file.filename not in files:
                    self._client.add_credentials(file.url, *file.credentials)
                files.setdefault(file.filename, file)
        if not files and missing is not None:
            raise missing
        where = pages[0].url if pages else (self.index_url or self.find_links[0])
        if not files:
            raise NetworkError(
                where,
                f"lists no wheel or sdist of project `{normalized}`; check the name's spelling, "
                "and that the project is published there.",
            )
        return ProjectPage(normalized, where, tuple(files.values()))

    def _links_page(self, url: str) -> tuple[bytes, str, str]:
        """A find-links page, fetched once per index (several projects may share it)."""
        with self._lock:
            found = self._links.get(url)
        if found is None:
            settings = self._client.settings
            response = self._client.get(url, max_bytes=settings.max_page_bytes)
            found = (response.body, response.headers.get("Content-Type", ""), response.url)
            with self._lock:
                self._links[url] = found
        return found

    def artifacts(
        self,
        page: ProjectPage,
        versions: Sequence[str],
        *,
        jobs: int = 1,
        progress: FileProgress | None = None,
    ) -> tuple[list[Artifact], list[MetasealError]]:
        """Every wheel (and, with ``sdists``, sdist) of ``versions`` as an :class:`Artifact`.

        Per-file failures come back as errors, each naming its URL; the artifacts are sorted by
        label, as a local read sorts them. ``progress`` (if any) has its ``total`` raised by the
        number of files to read and is advanced once per file read.
        """
        wanted = {Version(v) for v in versions}
        errors: list[MetasealError] = []
        chosen: list[IndexFile] = []
        for version in sorted(wanted):
            mine = [f for f in page.files if file_identity(f.filename)[1] == version]
            picked = [f for f in mine if f.is_wheel or self.sdists]
            if mine and not picked:
                errors.append(
                    ArtifactError(
                        page.url,
                        f"lists no wheel of `{page.name}` {version}, only sdists; pass "
                        "`--sdists` to download and check them.",
                    )
                )
            chosen += picked
        read = self._read
        if progress is not None:
            lock = threading.Lock()
            progress.total += len(chosen)

            def read(file: IndexFile) -> _Result:
                result = self._read(file)
                with lock:
                    progress.advance()
                return result

        results = _map(read, chosen, jobs)
        artifacts = [r for r in results if isinstance(r, Artifact)]
        errors += [r for r in results if isinstance(r, MetasealError)]
        artifacts.sort(key=lambda artifact: (artifact.label, artifact.source))
        return artifacts, errors

    def _read(self, file: IndexFile) -> _Result:
        try:
            return self._wheel(file) if file.is_wheel else self._sdist(file)
        except MetasealError as exc:
            return exc

    def _wheel(self, file: IndexFile) -> Artifact:
        if file.metadata is not None:
            return wheel_from_metadata(file.url, file.filename, self._sidecar(file, file.metadata))
        host = urllib.parse.urlsplit(file.url).netloc
        if host not in self._no_ranges:
            try:
                with LazyFile(self._client, file.url) as lazy:
                    return read_wheel(file.url, file.filename, lazy)
            except RangeNotSupported:
                if not self.allow_download:
                    raise
                # one refused range request per host is enough: download the rest at once
                self._no_ranges.add(host)
        return self._download(file, lambda path: read_wheel(file.url, file.filename, path))

    def _sdist(self, file: IndexFile) -> Artifact:
        return self._download(file, lambda path: read_sdist(file.url, path, file.filename))

    def _sidecar(self, file: IndexFile, hashes: Mapping[str, str]) -> bytes:
        sha256 = hashes.get("sha256")
        if self.cache is not None and sha256:
            cached = self.cache.get(sha256)
            if cached is not None:
                return cached
        url = f"{file.url}.metadata"
        body = self._client.get(url, max_bytes=MAX_METADATA_BYTES).body
        _verify(url, hashes, lambda digest: digest.update(body))
        if self.cache is not None and sha256:
            self.cache.put(sha256, body)
        return body

    def download(self, file: IndexFile, into: Path) -> Path:
        """Download ``file`` (hash-verified, size-bounded) to ``into/<filename>``."""
        target = into / file.filename

        def keep(path: Path) -> Path:
            shutil.copyfile(path, target)
            return target

        return self._download(file, keep)

    def _download(self, file: IndexFile, read: Callable[[Path], _T]) -> _T:
        limit = self.max_download_bytes
        if file.size is not None and file.size > limit:
            raise NetworkError(
                file.url,
                f"is {file.size:,} bytes, more than the {limit:,}-byte download limit; "
                "metaseal does not download it.",
            )
        with tempfile.TemporaryDirectory(prefix="metaseal-") as directory:
            # A short fixed name: the index's file name may be longer than the file system
            # allows (it is only the label, passed to the reader separately).
            suffix = next(s for s in (".whl", ".tar.gz", ".zip") if file.filename.endswith(s))
            path = Path(directory) / f"download{suffix}"
            with path.open("w+b") as out:
                self._client.get(file.url, max_bytes=limit, into=out)

            def update(digest: hashlib._Hash) -> None:
                with path.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)

            _verify(file.url, file.hashes, update)
            return read(path)


def _verify(url: str, hashes: Mapping[str, str], feed: Callable[[hashlib._Hash], None]) -> None:
    """Check content against the best advertised hash metaseal knows (none known: unchecked)."""
    algorithm = next((a for a in _ALGORITHMS if a in hashes), None)
    if algorithm is None:
        return
    digest = hashlib.new(algorithm)
    feed(digest)
    actual, expected = digest.hexdigest(), hashes[algorithm].lower()
    if actual != expected:
        raise NetworkError(
            url,
            f"its {algorithm} digest is {actual}, but the index advertises {expected}; the file "
            "or the index page is stale, corrupt or tampered with, so metaseal does not use it. "
            "Try again later, or tell the index's maintainers.",
        )


def _map(function: Callable[[IndexFile], _T], items: Sequence[IndexFile], jobs: int) -> list[_T]:
    if jobs <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        return list(pool.map(function, items))


def select_versions(
    page: ProjectPage, spec: str | None, *, all_versions: bool = False
) -> list[str]:
    """Which versions of ``page`` to check.

    ``spec`` ``None``: the newest version that is not yanked (a version is yanked when all its
    files are), a final release if there is one, else a pre-release; when every version is
    yanked, the newest. ``"==V"``: the versions equal to ``V`` (normalized, ``1.0 == 1.0.0``);
    none raises :class:`ArtifactError` (exit 3) naming the newest ones there. ``all_versions``:
    every version, oldest first.
    """
    available = page.versions()
    if not available:
        raise NetworkError(page.url, f"lists no wheel or sdist of project `{page.name}`.")
    if all_versions:
        return available
    if spec is None:
        yanked = {
            v
            for v in available
            if all(f.yanked for f in page.files if file_identity(f.filename)[1] == Version(v))
        }
        candidates = [v for v in available if v not in yanked] or available
        finals = [v for v in candidates if not Version(v).is_prerelease]
        return [(finals or candidates)[-1]]
    text = spec.strip()
    try:
        if not text.startswith("==") or text.startswith("==="):
            raise InvalidVersion(text)
        target = Version(text[2:].strip())
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        raise UsageError(
            f"`{page.name}{spec}`: write NAME or NAME==VERSION (one exact version)."
        ) from None
    matches = [v for v in available if Version(v) == target]
    if not matches:
        newest = ", ".join(reversed(available[-5:]))
        raise ArtifactError(
            page.url,
            f"has no files of `{page.name}` {target}; the newest versions there are {newest}. "
            f"Name one of them (`{page.name}=={available[-1]}`), or leave the version out to "
            "check the newest.",
        )
    return matches
