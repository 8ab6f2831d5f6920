"""The committed reference pages are exactly what the engine's tables generate."""

from __future__ import annotations

from pathlib import Path

from metaseal._docs import render_rules_reference
from metaseal.fields import FIELDS
from metaseal.rules import RULES

PAGE = Path(__file__).parents[2] / "docs" / "reference" / "rules.md"


def test_rules_reference_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_rules_reference(), (
        "docs/reference/rules.md is stale: run `python -m metaseal._docs`"
    )


def test_every_rule_and_field_is_documented() -> None:
    text = render_rules_reference()
    for rule in RULES:
        assert f"`{rule}`" in text
    for field in FIELDS:
        assert f"`{field.name}`" in text
