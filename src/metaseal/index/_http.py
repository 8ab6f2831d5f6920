"""HTTP for index checks: one thread-safe client over urllib3, with every limit enforced.

What :class:`Client` does for each ``get``: proxies from the environment (``HTTP_PROXY``,
``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, as :func:`urllib.request.getproxies` reads them),
credentials from the URL or from netrc (``NETRC`` or ``~/.netrc``) sent only to their host,
TLS verified against ``cert`` or the default store (which honours ``SSL_CERT_FILE``), bounded
redirects, timeouts on connect and on each read plus a deadline on the whole response, bounded
retries with exponential backoff (connect errors, timeouts, cut connections, 429 and 5xx;
``Retry-After`` honoured up to a cap), and a byte limit enforced while the body streams.
Failures raise :class:`~metaseal.errors.NetworkError`, one paragraph naming the URL; URLs in
messages never carry credentials. urllib3 is imported only when a client is made, so the CLI and
the build backend import without it.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, NamedTuple
from urllib.parse import urljoin, urlsplit

from metaseal import __version__
from metaseal.errors import NetworkError, UsageError
from metaseal.index._netenv import Credentials, Proxies, ssl_context, strip_credentials

if TYPE_CHECKING:
    from collections.abc import Mapping

    import urllib3
    from urllib3.response import BaseHTTPResponse

__all__ = ["Client", "HttpError", "HttpSettings", "Response", "Stats"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 256 * 1024
_OBJECT = re.compile(r"^(<[^>]*>|\w+\([^)]*\)): ")
_INSTALL = 'install it with `pip install "metaseal[index]"`'


@dataclass(frozen=True)
class HttpSettings:
    """How patient and how trusting the client is."""

    #: Seconds for a connect and for each read; also bounds each whole response (see min_rate).
    timeout: float = 30.0
    #: Retries after the first try, on connect errors, timeouts, cut connections, 429 and 5xx.
    retries: int = 3
    #: Seconds before the first retry, doubled for each further one.
    backoff: float = 0.5
    #: A CA bundle (like pip's ``--cert``); ``None``: the default store, or ``SSL_CERT_FILE``.
    cert: str | None = None
    #: Largest project page read.
    max_page_bytes: int = 64 * 1024 * 1024
    user_agent: str = f"metaseal/{__version__}"
    #: Longest ``Retry-After`` wait honoured, in seconds.
    max_retry_after: float = 30.0
    max_redirects: int = 10
    #: A response must arrive within ``timeout`` seconds plus one second per ``min_rate`` bytes,
    #: so a server trickling a byte at a time cannot hold a check forever.
    min_rate: int = 64 * 1024


class Response(NamedTuple):
    """A successful (2xx) answer: the final URL after redirects, and the body read in full."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


class Stats:
    """Requests sent (every try counts) and body bytes received; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.bytes_received = 0

    def add(self, *, requests: int = 0, bytes_received: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.bytes_received += bytes_received

    def __repr__(self) -> str:
        return f"Stats(requests={self.requests}, bytes_received={self.bytes_received})"


class HttpError(NetworkError):
    """The server answered with a status metaseal cannot use; ``status`` is that HTTP status."""

    def __init__(self, url: str, status: int, message: str) -> None:
        super().__init__(url, message)
        self.status = status


class _Retry(Exception):
    """A failure worth another try; ``error`` is raised once the tries are used up."""

    def __init__(self, error: NetworkError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class Client:
    """GET over HTTP(S) with the limits of :class:`HttpSettings`; thread-safe."""

    def __init__(self, settings: HttpSettings | None = None, *, pool_size: int = 10) -> None:
        try:
            import urllib3
        except ImportError as exc:
            raise UsageError(
                f"checking an index needs urllib3, which is missing; {_INSTALL}."
            ) from exc
        self.settings = settings = settings or HttpSettings()
        self.stats = Stats()
        self._timeout = urllib3.Timeout(connect=settings.timeout, read=settings.timeout)
        self._context = ssl_context(settings.cert)
        self._pool_size = pool_size
        self._pool = urllib3.PoolManager(num_pools=20, maxsize=pool_size, ssl_context=self._context)
        self._proxies = Proxies()
        self._proxy_pools: dict[str, urllib3.ProxyManager] = {}
        self._credentials = Credentials()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Client({self.settings!r})"

    def add_credentials(self, url: str, username: str, password: str) -> None:
        """Send ``username``/``password`` (HTTP basic) to the scheme, host and port of ``url``."""
        self._credentials.add(url, username, password)

    def close(self) -> None:
        self._pool.clear()
        with self._lock:
            for pool in self._proxy_pools.values():
                pool.clear()

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int,
        byte_range: str | None = None,
        into: IO[bytes] | None = None,
    ) -> Response:
        """GET ``url``: the body in memory, or written to ``into`` (then ``body`` is ``b""``).

        With ``byte_range`` (``bytes=-65536``) the answer is 206, or 200 when the server
        ignores ranges: then the body is *not* read (the connection is dropped) and ``body`` is
        ``b""``. Raises :class:`NetworkError` for everything else.
        """
        url, credentials = strip_credentials(url)
        if credentials is not None:
            self.add_credentials(url, *credentials)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise NetworkError(
                url,
                "is not an http:// or https:// URL; name the index by its URL (to check files "
                "on disk, run `metaseal check DIRECTORY` instead).",
            )
        attempt = 0
        while True:
            if into is not None:
                into.seek(0)
                into.truncate()
            try:
                return self._follow(url, dict(headers or {}), max_bytes, byte_range, into)
            except _Retry as retry:
                if attempt >= self.settings.retries:
                    raise _tried(retry.error, attempt + 1) from None
                wait = self.settings.backoff * 2**attempt
                if retry.wait is not None:
                    wait = min(retry.wait, self.settings.max_retry_after)
                time.sleep(wait)
                attempt += 1

    def _follow(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        byte_range: str | None,
        into: IO[bytes] | None,
    ) -> Response:
        for _ in range(self.settings.max_redirects + 1):
            response = self._open(url, headers, byte_range, compressed=into is None)
            status = response.status
            if status in _REDIRECTS and response.headers.get("Location"):
                response.close()
                target, _ = strip_credentials(urljoin(url, response.headers["Location"]))
                url = target
                continue
            return self._finish(url, response, max_bytes, byte_range, into)
        raise NetworkError(
            url,
            f"redirects more than {self.settings.max_redirects} times; the server is "
            "misconfigured (a redirect loop). Check the URL.",
        )

    def _open(
        self, url: str, extra: Mapping[str, str], byte_range: str | None, *, compressed: bool
    ) -> BaseHTTPResponse:
        import urllib3.exceptions as errors

        headers = {"User-Agent": self.settings.user_agent, **extra}
        headers["Accept-Encoding"] = (
            "gzip, deflate" if compressed and not byte_range else "identity"
        )
        if byte_range is not None:
            headers["Range"] = byte_range
        authorization = self._credentials.header(url)
        if authorization is not None:
            headers["Authorization"] = authorization
        pool = self._pool_for(url)
        self.stats.add(requests=1)
        try:
            return pool.urlopen(
                "GET",
                url,
                headers=headers,
                retries=False,
                redirect=False,
                preload_content=False,
                timeout=self._timeout,
            )
        except errors.SSLError as exc:
            raise NetworkError(
                url,
                f"the TLS connection failed ({_reason(exc)}); if the index uses a private CA, "
                "pass its certificate bundle with `--cert PATH` (or set SSL_CERT_FILE).",
            ) from None
        except (errors.ProtocolError, errors.NewConnectionError, errors.ProxyError) as exc:
            # before TimeoutError: NewConnectionError is a ConnectTimeoutError in urllib3 2
            raise _Retry(
                NetworkError(
                    url,
                    f"cannot connect ({_reason(exc)}); check the URL, your network and the "
                    "proxy settings (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).",
                )
            ) from None
        except errors.TimeoutError as exc:
            raise _Retry(self._slow(url, exc)) from None
        except errors.HTTPError as exc:
            raise NetworkError(
                url, f"the request failed ({_reason(exc)}); check the URL."
            ) from None

    def _slow(self, url: str, exc: Exception | None = None) -> NetworkError:
        detail = f" ({_reason(exc)})" if exc is not None else ""
        return NetworkError(
            url,
            f"the server did not answer in time{detail}; the limit is --timeout "
            f"{self.settings.timeout:g} s per read, and a whole response may take that plus one "
            f"second per {self.settings.min_rate // 1024} KiB. Try again later, or raise "
            "--timeout.",
        )

    def _finish(
        self,
        url: str,
        response: BaseHTTPResponse,
        max_bytes: int,
        byte_range: str | None,
        into: IO[bytes] | None,
    ) -> Response:
        status = response.status
        if status == 200 and byte_range is not None:
            response.close()  # the whole file is coming: drop it unread
            return Response(url, status, response.headers, b"")
        if status not in (200, 203, 206):
            response.close()
            raise _status_error(url, status, response.headers.get("Retry-After"))
        return Response(url, status, response.headers, self._body(url, response, max_bytes, into))

    def _body(
        self, url: str, response: BaseHTTPResponse, max_bytes: int, into: IO[bytes] | None
    ) -> bytes:
        import urllib3.exceptions as errors

        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        declared = _content_length(response.headers.get("Content-Length"))
        if declared is not None and not encoded and declared > max_bytes:
            response.close()
            raise _oversized(url, max_bytes, declared)
        started = time.monotonic()
        chunks: list[bytes] = []
        received = 0
        try:
            while True:
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                received += len(chunk)
                self.stats.add(bytes_received=len(chunk))
                if received > max_bytes:
                    raise _oversized(url, max_bytes, None)
                allowed = (
                    self.settings.timeout + max(received, declared or 0) / self.settings.min_rate
                )
                if time.monotonic() - started > allowed:
                    raise _Retry(self._slow(url))
                if into is not None:
                    into.write(chunk)
                else:
                    chunks.append(chunk)
        except errors.TimeoutError as exc:
            raise _Retry(self._slow(url, exc)) from None
        except (errors.ProtocolError, errors.DecodeError, OSError) as exc:
            raise _Retry(_truncated(url, received, declared, exc)) from None
        finally:
            response.close()
        if declared is not None and not encoded and received != declared:
            raise _Retry(_truncated(url, received, declared, None))
        return b"".join(chunks)

    def _pool_for(self, url: str) -> urllib3.PoolManager:
        import urllib3

        proxy = self._proxies.for_url(url)
        if proxy is None:
            return self._pool
        with self._lock:
            pool = self._proxy_pools.get(proxy)
            if pool is None:
                clean, credentials = strip_credentials(proxy)
                headers = None
                if credentials is not None:
                    headers = urllib3.make_headers(proxy_basic_auth=":".join(credentials))
                pool = urllib3.ProxyManager(
                    clean,
                    num_pools=20,
                    maxsize=self._pool_size,
                    proxy_headers=headers,
                    ssl_context=self._context,
                )
                self._proxy_pools[proxy] = pool
            return pool


def _tried(error: NetworkError, tries: int) -> NetworkError:
    """``error``, saying how many tries were made (when more than one)."""
    if tries == 1:
        return error
    reason = f"{error.reason.rstrip('.')} ({tries} tries)."
    if isinstance(error, HttpError):
        return HttpError(error.url, error.status, reason)
    return NetworkError(error.url, reason)


def _reason(exc: BaseException) -> str:
    """The innermost useful words of a urllib3 error (no object reprs, no URLs with secrets)."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException) and reason is not exc:
        return _reason(reason)
    text = str(exc.args[-1] if exc.args else exc)
    text = _OBJECT.sub("", text)  # "HTTPConnection(host=..., port=...): " or "<... at 0x...>: "
    return text.strip() or type(exc).__name__


def _content_length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_error(url: str, status: int, retry_after: str | None) -> Exception:
    if status == 429 or status >= 500:
        what = "too many requests" if status == 429 else "a server error"
        return _Retry(
            HttpError(
                url,
                status,
                f"HTTP {status} ({what}); the server is failing or busy. Try again later.",
            ),
            _retry_after(retry_after),
        )
    if status in (401, 403):
        return HttpError(
            url,
            status,
            f"HTTP {status} (access denied); the index needs credentials metaseal did not have "
            "or that were refused. Put them in ~/.netrc (or the file NETRC names) or in the "
            "index URL (`https://USER:PASSWORD@host/simple/`).",
        )
    if status == 404:
        return HttpError(url, status, "HTTP 404 (not found); check the URL.")
    return HttpError(url, status, f"HTTP {status}; metaseal cannot use this answer. Check the URL.")


def _oversized(url: str, limit: int, declared: int | None) -> NetworkError:
    size = f" ({declared:,} bytes)" if declared is not None else ""
    return NetworkError(
        url,
        f"the response is larger than the {limit:,}-byte limit{size}, so metaseal stopped "
        "reading it; the server sent something other than an index page or distribution file "
        "of the expected size. Check the URL and the index.",
    )


def _truncated(
    url: str, received: int, declared: int | None, exc: Exception | None
) -> NetworkError:
    of = f" of {declared:,}" if declared is not None else ""
    detail = f" ({_reason(exc)})" if exc is not None else ""
    return NetworkError(
        url,
        f"the response was cut off after {received:,}{of} bytes{detail}; the connection broke "
        "or the server is faulty. Try again later.",
    )
