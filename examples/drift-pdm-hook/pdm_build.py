"""The pattern under test: a build hook that adds a runtime dependency to the wheel only."""

from __future__ import annotations

from typing import Any


def pdm_build_initialize(context: Any) -> None:
    if context.target == "wheel":
        metadata = context.config.metadata
        metadata["dependencies"] = [*metadata.get("dependencies", []), "attrs>=23"]
