"""The pattern under test: a metadata hook computing the dependencies from the environment."""

from __future__ import annotations

import os
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


class DriftMetadataHook(MetadataHookInterface):
    def update(self, metadata: dict[str, Any]) -> None:
        extra = os.environ.get("DRIFT_REQUIRES", "")
        metadata["dependencies"] = [r for r in extra.split(",") if r]
