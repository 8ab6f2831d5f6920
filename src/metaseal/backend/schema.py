"""The JSON schema of ``[tool.metaseal]``, generated from the settings model
(:class:`metaseal.backend.settings.Settings`).

Published for validate-pyproject through the ``validate_pyproject.tool_schema`` entry point, so
a typo in ``[tool.metaseal]`` fails in pre-commit before any build runs.
``python -m metaseal.backend.schema`` prints it.
"""

from __future__ import annotations

from typing import Any

from metaseal.backend.settings import Source, options

__all__ = ["get_schema"]


def get_schema(tool_name: str = "metaseal") -> dict[str, Any]:
    """metaseal: seal sdist and wheel core metadata around the real build backend."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for _, key, opt in options():
        if Source.PYPROJECT not in opt.sources:
            continue
        prop: dict[str, Any] = {"description": opt.doc}
        if opt.kind == "bool":
            prop["type"] = "boolean"
        elif opt.kind == "list":
            prop.update(type="array", items={"type": "string", "minLength": 1})
        elif opt.kind == "choice":
            prop.update(type="string", enum=list(opt.choices))
        else:
            prop["type"] = "string"
        if opt.pattern:
            prop["pattern"] = opt.pattern
        if opt.example is not None:
            prop["examples"] = [opt.example]
        properties[key] = prop
        if opt.required:
            required.append(key)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/metaseal/metaseal/blob/main/src/metaseal/_schema.py",
        "title": f"[tool.{tool_name}]",
        "description": "Settings of the metaseal wrapper build backend.",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(get_schema(), indent=2) + "\n")
