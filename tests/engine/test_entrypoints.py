"""entry_points.txt compared by meaning (prepared .dist-info against the built wheel)."""

from __future__ import annotations

from metaseal.engine.entrypoints import compare_entry_points, parse_entry_points
from metaseal.engine.findings import Finding, Severity
from metaseal.engine.rules import RULES

BASE = b"[console_scripts]\ndemo = demo_pkg:main\n\n[demo.plugins]\na = demo_pkg.a:A [x,y]\n"


def _compare(left: bytes | None, right: bytes | None) -> list[Finding]:
    return compare_entry_points(left, right, left="prepared", right="wheel")


def test_spelling_order_and_comments_do_not_count() -> None:
    respelled = (
        b"; a comment\n[demo.plugins]\r\n  a=demo_pkg.a : A [ y , x ]\n# another\n\n"
        b"[console_scripts]\ndemo   =  demo_pkg:main\n"
    )
    assert _compare(BASE, respelled) == []
    assert _compare(None, b"") == []
    assert _compare(None, b"# nothing\n\n") == []


def test_changed_entry_is_an_error_naming_both_values() -> None:
    (finding,) = _compare(BASE, BASE.replace(b"demo_pkg:main", b"demo_pkg:cli"))
    assert finding.rule == "prepared-entry-points"
    assert finding.severity is Severity.ERROR is RULES[finding.rule].severity
    assert finding.field == "entry_points.txt"
    assert finding.removed == ("[console_scripts] demo = demo_pkg:main",)
    assert finding.added == ("[console_scripts] demo = demo_pkg:cli",)
    assert finding.artifacts == ("prepared", "wheel")


def test_missing_file_group_move_and_extras_count() -> None:
    (gone,) = _compare(BASE, None)
    assert len(gone.removed) == 2
    assert not gone.added
    moved = BASE.replace(b"[demo.plugins]", b"[other.plugins]")
    assert _compare(BASE, moved)[0].added == ("[other.plugins] a = demo_pkg.a:A [x,y]",)
    assert _compare(BASE, BASE.replace(b" [x,y]", b" [x]"))


def test_unreadable_lines_are_reported_not_dropped() -> None:
    entries, junk = parse_entry_points(b"orphan = x:y\n[g]\nno equals sign\nok = m:f\n")
    assert entries == frozenset({("g", "ok", "m:f")})
    assert junk == ("orphan = x:y", "no equals sign")
    (finding,) = _compare(b"[g]\nok = m:f\n", b"[g]\nok = m:f\nno equals sign\n")
    assert finding.added == ("no equals sign",)
