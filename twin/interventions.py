"""Interventions (policy levers): the registry and the common lever mechanism.

A lever is declared in a scenario's `[[levers]]` array with a `type` and its settings. Each lever
class validates its settings, and each step of its time window writes to the model's
`Modifiers` (never to outputs). The lever catalogue is in `levers.py`.
"""

from __future__ import annotations

from typing import Any

from twin.errors import ScenarioError, did_you_mean

LEVER_TYPES: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator adding a lever class to the registry under its `type_name`."""
    LEVER_TYPES[cls.type_name] = cls
    return cls


def build_levers(scenario) -> list:
    """Lever objects for a scenario's [[levers]] entries, validated."""
    levers = []
    for position, entry in enumerate(scenario.levers, start=1):
        entry = dict(entry)
        source = entry.pop("_file", scenario.path)
        where = f"{source}: [[levers]] #{position}"
        kind = entry.pop("type", None)
        if kind is None:
            raise ScenarioError(f"{where}: missing key 'type' (expected one of: {', '.join(sorted(LEVER_TYPES)) or 'none yet'})")
        if kind not in LEVER_TYPES:
            raise ScenarioError(f"{where}: unknown lever type '{kind}'{did_you_mean(kind, LEVER_TYPES)} "
                                f"(expected one of: {', '.join(sorted(LEVER_TYPES)) or 'none yet'})")
        levers.append(LEVER_TYPES[kind].from_settings(entry, where))
    return levers


def lever_catalogue() -> list[dict[str, Any]]:
    return [cls.describe() for cls in LEVER_TYPES.values()]
