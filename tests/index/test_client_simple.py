"""Reading project pages: PEP 691 JSON, PEP 503 HTML, find-links pages, and garbage."""

from __future__ import annotations

import json

import pytest

from metaseal.errors import NetworkError
from metaseal.index.simple import ACCEPT, IndexFile, ProjectPage, parse_project_page

PAGE = "https://example.org/simple/demo-pkg/"
JSON = "application/vnd.pypi.simple.v1+json"
SHA = "a" * 64


def _json(files: list[dict[str, object]], version: str = "1.1") -> bytes:
    return json.dumps(
        {"meta": {"api-version": version}, "name": "demo-pkg", "files": files}
    ).encode()


def test_accept_prefers_json_then_versioned_html_then_text_html() -> None:
    assert ACCEPT == (
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
        "text/html;q=0.01"
    )


def test_json_page() -> None:
    body = _json(
        [
            {
                "filename": "demo_pkg-1.0-py3-none-any.whl",
                "url": "../../files/demo_pkg-1.0-py3-none-any.whl",
                "hashes": {"SHA256": SHA.upper()},
                "requires-python": ">=3.9",
                "core-metadata": {"sha256": "b" * 64},
                "dist-info-metadata": {"sha256": "c" * 64},
                "size": 1234,
                "yanked": False,
            },
            {
                "filename": "demo-pkg-1.0.tar.gz",
                "url": "https://files.example.org/demo-pkg-1.0.tar.gz",
                "hashes": {},
                "yanked": "broken build",
            },
        ]
    )
    page = parse_project_page(body, JSON, PAGE, "Demo_Pkg")
    assert page == ProjectPage(
        "demo-pkg",
        PAGE,
        (
            IndexFile(
                "demo_pkg-1.0-py3-none-any.whl",
                "https://example.org/files/demo_pkg-1.0-py3-none-any.whl",
                {"sha256": SHA},
                {"sha256": "b" * 64},  # PEP 714: core-metadata wins over the old name
                requires_python=">=3.9",
                size=1234,
            ),
            IndexFile(
                "demo-pkg-1.0.tar.gz",
                "https://files.example.org/demo-pkg-1.0.tar.gz",
                {},
                None,
                yanked=True,
            ),
        ),
    )
    assert page.versions() == ["1.0"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"dist-info-metadata": True}, {}),
        ({"dist-info-metadata": {"sha256": SHA}}, {"sha256": SHA}),
        ({"core-metadata": False, "dist-info-metadata": True}, None),
        ({"core-metadata": True}, {}),
        ({}, None),
    ],
)
def test_json_sidecar_spellings(entry: dict[str, object], expected: object) -> None:
    files = [{"filename": "demo_pkg-1.0-py3-none-any.whl", "url": "x.whl", "hashes": {}, **entry}]
    page = parse_project_page(_json(files), JSON, PAGE, "demo-pkg")
    assert page.files[0].metadata == expected


def test_json_api_version_2_is_refused() -> None:
    with pytest.raises(NetworkError, match=r"API version 2\.0, and metaseal reads version 1\.x"):
        parse_project_page(_json([], "2.0"), JSON, PAGE, "demo-pkg")


def test_html_page() -> None:
    body = b"""<!DOCTYPE html><html><body>
    <a href="../../files/demo_pkg-1.0-py3-none-any.whl#sha256=AAAA"
       data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=bbbb"
       data-dist-info-metadata="sha256=cccc">demo_pkg-1.0-py3-none-any.whl</a>
    <a href="/files/demo_pkg-1.1-py3-none-any.whl" data-dist-info-metadata="true"
       data-yanked="">demo_pkg-1.1-py3-none-any.whl</a>
    <a href="https://cdn.example.org/p/demo-pkg-1.1.tar.gz#md5=1234">demo-pkg-1.1.tar.gz</a>
    <a href="/files/demo_pkg-2.0-py3-none-any.whl" data-dist-info-metadata="nonsense">x</a>
    </body></html>"""
    page = parse_project_page(body, "text/html; charset=utf-8", PAGE, "demo-pkg")
    assert page.files == (
        IndexFile(
            "demo_pkg-1.0-py3-none-any.whl",
            "https://example.org/files/demo_pkg-1.0-py3-none-any.whl",
            {"sha256": "aaaa"},
            {"sha256": "bbbb"},
            requires_python=">=3.8,<4",
        ),
        IndexFile(
            "demo_pkg-1.1-py3-none-any.whl",
            "https://example.org/files/demo_pkg-1.1-py3-none-any.whl",
            {},
            {},
            yanked=True,
        ),
        IndexFile(
            "demo-pkg-1.1.tar.gz",
            "https://cdn.example.org/p/demo-pkg-1.1.tar.gz",
            {"md5": "1234"},
            None,
        ),
        IndexFile(
            "demo_pkg-2.0-py3-none-any.whl",
            "https://example.org/files/demo_pkg-2.0-py3-none-any.whl",
            {},
            None,  # neither "true" nor "<hash>=<value>": no usable sidecar
        ),
    )
    assert page.versions() == ["1.0", "1.1", "2.0"]


def test_html_base_href_and_quoted_names() -> None:
    body = (
        b'<html><head><base href="https://mirror.example.net/pkgs/"></head><body>'
        b'<a href="demo%2Dpkg-1.0.tar.gz">demo-pkg-1.0.tar.gz</a></body></html>'
    )
    page = parse_project_page(body, "application/vnd.pypi.simple.v1+html", PAGE, "demo-pkg")
    assert [(f.filename, f.url) for f in page.files] == [
        ("demo-pkg-1.0.tar.gz", "https://mirror.example.net/pkgs/demo%2Dpkg-1.0.tar.gz")
    ]


def test_find_links_page_keeps_only_the_project_and_parseable_dists() -> None:
    links = [
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0-cp312-cp312-win_amd64.whl",
        "demo-pkg-1.0.zip",  # a legacy sdist
        "other-1.0-py3-none-any.whl",  # another project
        "demo_pkg-1.0-py3-none-any.whl.metadata",  # not a distribution
        "demo-pkg-1.0.tar.bz2",
        "demo_pkg-1.0.egg",
        "demo_pkg-notaversion-py3-none-any.whl",
        "demo_pkg-1.0-py3-none-any.whl",  # listed twice: kept once
        "..%2Fdemo-pkg-1.0.tar.gz",  # a path in the name
    ]
    body = "".join(f'<a href="{name}">{name}</a>\n' for name in links).encode()
    page = parse_project_page(body, "text/html", "http://h/links/", "DEMO.pkg")
    assert [f.filename for f in page.files] == [
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0-cp312-cp312-win_amd64.whl",
        "demo-pkg-1.0.zip",
    ]


def test_an_empty_project_page_is_a_page() -> None:
    page = parse_project_page(b"<!DOCTYPE html><html><body></body></html>", "text/html", PAGE, "x")
    assert page.files == ()
    assert page.versions() == []


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (b"{not json", JSON, "malformed JSON"),
        (b'{"files": []}', JSON, "without `meta.api-version`"),
        (b'{"meta": {"api-version": "1.0"}, "files": [{"url": "x"}]}', JSON, "malformed"),
        (b"just some words", "text/html", "no HTML elements"),
        (b"<<<\x00garbage\xff\xfe>>>", "text/html", "cannot be decoded"),
        (b"<a href=x>\x00</a>", "text/html", "binary data"),
        (b"<html></html>", "application/octet-stream", "content type `application/octet-stream`"),
        (b"<html></html>", "", "no content type"),
    ],
)
def test_garbage_is_not_a_page(body: bytes, content_type: str, detail: str) -> None:
    with pytest.raises(NetworkError) as caught:
        parse_project_page(body, content_type, PAGE, "demo-pkg")
    message = str(caught.value)
    assert message.startswith(f"{PAGE}: is not a PEP 503/691 page (")
    assert detail in message
    assert "\n" not in message
