"""What the environment says about reaching a host: proxies, credentials and trusted CAs.

Standard library only. Proxies come from :func:`urllib.request.getproxies` (``HTTP_PROXY``,
``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY`` and their lower-case spellings); credentials from
the URL (``https://user:password@host/``) or the netrc file (``NETRC``, else ``~/.netrc``), each
kept for its own scheme, host and port; the trust store is ``--cert`` or the default one, which
honours ``SSL_CERT_FILE``. Nothing here ever shows a password: reprs count, they do not list.
"""

from __future__ import annotations

import base64
import netrc
import os
import ssl
import threading
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

from metaseal.errors import UsageError

__all__ = ["Credentials", "Proxies", "ssl_context", "strip_credentials"]


def strip_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without ``user:password@``, and the (unquoted) credentials it carried."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, (unquote(parts.username or ""), unquote(parts.password or ""))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"


class Credentials:
    """HTTP basic credentials per origin: given ones first, then netrc (read once, lazily)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._given: dict[str, tuple[str, str]] = {}
        self._netrc: netrc.netrc | None = None
        self._netrc_read = False

    def __repr__(self) -> str:
        return f"Credentials({len(self._given)} given)"

    def add(self, url: str, username: str, password: str) -> None:
        """Use ``username``/``password`` for the scheme, host and port of ``url``."""
        with self._lock:
            self._given[_origin(url)] = (username, password)

    def header(self, url: str) -> str | None:
        """The ``Authorization`` value for ``url``, or ``None`` when there are no credentials."""
        with self._lock:
            found = self._given.get(_origin(url))
            if found is None and not self._netrc_read:
                self._netrc, self._netrc_read = _read_netrc(), True
            table = self._netrc
        host = urlsplit(url).hostname
        if found is None and table is not None and host:
            entry = table.authenticators(host)
            if entry is not None:
                found = (entry[0] or "", entry[2] or "")
        if found is None:
            return None
        return "Basic " + base64.b64encode(":".join(found).encode()).decode()


def _read_netrc() -> netrc.netrc | None:
    """The netrc file (``NETRC``, else ``~/.netrc``); ``None`` when absent or unreadable."""
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")  # noqa: PTH111, PTH118
    try:
        return netrc.netrc(path)
    except (OSError, netrc.NetrcParseError):
        return None


class Proxies:
    """The proxy settings of the environment when this object was made."""

    def __init__(self) -> None:
        self._proxies = {k: v for k, v in urllib.request.getproxies().items() if v}

    def for_url(self, url: str) -> str | None:
        """The proxy URL to reach ``url`` through, or ``None`` to go direct."""
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
        if proxy is None:
            return None
        host = parts.netloc.rpartition("@")[2]
        if "no" in self._proxies:
            bypass = urllib.request.proxy_bypass_environment(host, self._proxies)  # type: ignore[attr-defined]
        else:
            bypass = urllib.request.proxy_bypass(host)
        return None if bypass else proxy


def ssl_context(cert: str | None) -> ssl.SSLContext:
    """Verify against ``cert`` (a PEM bundle), or the default store (``SSL_CERT_FILE``)."""
    try:
        return ssl.create_default_context(cafile=cert)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            f"`--cert {cert}` cannot be used as a CA bundle ({exc}); name a PEM file of CA "
            "certificates."
        ) from None
