"""Is a new JSON Schema a compatible evolution of a published one?

A published `vN` may only gain optional properties. Anything else is breaking: a property removed or
renamed, its schema changed, a property newly required, a definition removed, the root changed.
"""

from __future__ import annotations

import json
from typing import Any


def breaking_changes(published: dict[str, Any], generated: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if published.get("$ref") != generated.get("$ref"):
        problems.append(f"root changed from {published.get('$ref')} to {generated.get('$ref')}")
    old_defs: dict[str, Any] = published.get("$defs", {})
    new_defs: dict[str, Any] = generated.get("$defs", {})
    for name, old in old_defs.items():
        new = new_defs.get(name)
        if new is None:
            problems.append(f"definition {name} removed")
            continue
        problems.extend(f"{name}: {problem}" for problem in _object_changes(old, new))
    return problems


def _object_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    problems: list[str] = []
    if not old_props and not new_props:
        if _canonical(old) != _canonical(new):
            problems.append(f"schema changed from {_canonical(old)} to {_canonical(new)}")
        return problems
    for prop, old_schema in old_props.items():
        if prop not in new_props:
            problems.append(f"property '{prop}' removed")
        elif _canonical(_without_docs(old_schema)) != _canonical(_without_docs(new_props[prop])):
            problems.append(f"property '{prop}' changed")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    problems.extend(f"property '{prop}' is now required" for prop in sorted(newly_required))
    return problems


def _without_docs(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_docs(v) for k, v in schema.items() if k not in ("title", "description")}
    if isinstance(schema, list):
        return [_without_docs(item) for item in schema]
    return schema


def _canonical(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True)
