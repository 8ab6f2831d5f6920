"""The index options of ``check`` and ``scan``, and the client and index they describe."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from metaseal.index._http import Client
    from metaseal.index.remote import Index

__all__ = ["add_network_options", "network_from_args", "require_index_extra", "requirement"]


def _count(minimum: float, kind: type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = minimum - 1
        if not minimum <= value < float("inf"):  # also refuses nan
            raise argparse.ArgumentTypeError(f"expected a number >= {minimum:g}, got {text!r}")
        return value

    return parse


def add_network_options(parser: argparse.ArgumentParser, *, about: str | None = None) -> None:
    """Options that read releases from an index: ``--index``, ``--find-links`` and how to fetch.

    ``about`` describes the option group in ``--help`` (what the sources mean with an index).
    """
    group = parser.add_argument_group("index options", about)
    group.add_argument("--index", metavar="URL", help="a PEP 503/691 index (its /simple/ root)")
    group.add_argument(
        "--find-links",
        metavar="URL",
        action="append",
        default=[],
        help="a page of links to distribution files (repeatable)",
    )
    group.add_argument(
        "--sdists", action="store_true", help="also download the sdists and check them"
    )
    group.add_argument(
        "--allow-download",
        action="store_true",
        help="download a wheel in full when the server ignores range requests",
    )
    group.add_argument(
        "--jobs",
        type=_count(1, int),
        default=4,
        metavar="N",
        help="files fetched at once (default: 4)",
    )
    group.add_argument(
        "--timeout",
        type=_count(0.001, float),
        default=30.0,
        metavar="S",
        help="seconds for a connect or a read (default: 30)",
    )
    group.add_argument(
        "--retries",
        type=_count(0, int),
        default=3,
        metavar="N",
        help="retries after errors, timeouts, 429 and 5xx (default: 3)",
    )
    group.add_argument(
        "--cert", metavar="PATH", help="CA bundle for TLS (default: system store, SSL_CERT_FILE)"
    )
    group.add_argument(
        "--cache-dir", metavar="DIR", help="sidecar cache (default: the user cache directory)"
    )
    group.add_argument("--no-cache", action="store_true", help="do not use the sidecar cache")


def require_index_extra(*, cache: bool, what: str = "checking an index") -> None:
    """Every missing dependency of the ``index`` extra, named at once, with the one install
    command; ``cache`` when the user cache directory (platformdirs) is needed too."""
    import importlib.util

    needed = {"urllib3": "", "platformdirs": " (for the user cache directory)"}
    if not cache:
        del needed["platformdirs"]
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if not missing:
        return
    names = " and ".join(f"{name}{needed[name]}" for name in missing)
    verb = "is" if len(missing) == 1 else "are"
    instead = (
        "; or pass `--cache-dir DIR` or `--no-cache` to do without platformdirs"
        if missing == ["platformdirs"]
        else ""
    )
    raise UsageError(
        f"{what} needs {names}, which {verb} missing; install "
        f'{"it" if len(missing) == 1 else "them"} with `pip install "metaseal[index]"`'
        f"{instead}."
    )


def network_from_args(args: argparse.Namespace) -> tuple[Client, Index]:
    """The client and index the options of :func:`add_network_options` describe."""
    require_index_extra(cache=not args.no_cache and not args.cache_dir)
    from metaseal.index._cache import SidecarCache, default_cache_dir
    from metaseal.index._http import Client, HttpSettings
    from metaseal.index.remote import Index

    settings = HttpSettings(timeout=args.timeout, retries=args.retries, cert=args.cert)
    cache = None
    if not args.no_cache:
        cache = SidecarCache(Path(args.cache_dir) if args.cache_dir else default_cache_dir())
    client = Client(settings, pool_size=max(10, args.jobs))
    try:
        index = Index(
            client,
            index_url=args.index,
            find_links=args.find_links,
            sdists=args.sdists,
            allow_download=args.allow_download,
            cache=cache,
        )
    except BaseException:
        client.close()
        raise
    return client, index


def requirement(source: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME==VERSION`` as (name, ``"==VERSION"`` or ``None``); else a usage error."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(source)
    except InvalidRequirement:
        requirement = None
    specifiers = list(requirement.specifier) if requirement else []
    if (
        requirement is None
        or requirement.extras
        or requirement.url
        or requirement.marker
        or len(specifiers) > 1
        or (specifiers and (specifiers[0].operator != "==" or "*" in specifiers[0].version))
    ):
        raise UsageError(
            f"`{source}` is not a project to check: with --index or --find-links, each SOURCE "
            "is a project name, optionally with one exact version (`NAME` or `NAME==VERSION`)."
        )
    return requirement.name, f"=={specifiers[0].version}" if specifiers else None
