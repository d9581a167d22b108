"""Levers as a scenario writes them: each `[[levers]]` entry with where it is written (its file and
number, as every message about a lever names it), built into `Lever` objects and validated (a known
type, names unique, national amounts scaled), their areas checked against the geography, and the
settings a scenario puts beyond their plausible ranges remarked on. The lever mechanism itself is in
`interventions.py`, the types in the `LEVER_MODULES` it lists.
"""

from __future__ import annotations

from twin.errors import ScenarioError, did_you_mean, shown
from twin.interventions import LEVER_TYPES, Lever
from twin.lever_uncertainty import apply_assumed
from twin.parameters import money_slip


def lever_entries(scenario):
    """Each [[levers]] entry of a scenario (without its `_file` and `_position`) with where it is
    written: its file and its number within that file (a base's levers numbered in the base, as
    written there, whatever `drop_levers` left out), as every message about a lever names it."""
    positions: dict[str, int] = {}
    for entry in scenario.levers:
        entry = dict(entry)
        source = entry.pop("_file", scenario.path)
        positions[source] = positions.get(source, 0) + 1
        yield f"{source}: [[levers]] #{entry.pop('_position', positions[source])}", entry


#: the units of the lever settings that are national amounts, scaled with the national quantities
#: (`scenario.national_scale`): yearly costs and budgets, places, cases a month; per-area settings are not
NATIONAL_SETTING_UNITS = ("GBP/year", "places", "cases/month")


def build_levers(scenario) -> list[Lever]:
    """Lever objects for a scenario's [[levers]] entries, validated (names unique), their national
    amounts (`NATIONAL_SETTING_UNITS`) scaled by the scenario's `national_scale`."""
    levers: list[Lever] = []
    names: dict[str, tuple[bool, str, str]] = {}  # lever name -> (a phase of a composite lever, where, entry's name)
    for where, entry in lever_entries(scenario):
        kind = entry.pop("type", None)
        if kind is None:
            raise ScenarioError(f"{where}: missing key 'type' (expected one of: {', '.join(sorted(LEVER_TYPES))})")
        if not isinstance(kind, str):
            raise ScenarioError(f"{where}: type: expected one lever type in quotes (one of: "
                                f"{', '.join(sorted(LEVER_TYPES))}), got {shown(kind)}")
        if kind not in LEVER_TYPES:
            raise ScenarioError(f"{where}: unknown lever type '{kind}'{did_you_mean(kind, LEVER_TYPES)} "
                                f"(expected one of: {', '.join(sorted(LEVER_TYPES))})")
        entry_name = entry.get("name", kind)
        assumed = entry.pop("_assumed", None)  # a replicate's draws of the levers' assumptions (`lever_uncertainty`)
        built = LEVER_TYPES[kind].from_settings(entry, f"{where} ({kind})")
        for lever in built.parts() if hasattr(built, "parts") else [built]:
            # errors name what the user wrote: the entry's type, and the phase of a composite lever
            phase = f", its {lever.type_name} phase" if lever is not built else ""
            lever.entry = f"{where} ({kind})"
            lever.where = f"{where} ({kind}{phase})"
            if lever.name in names:
                phase, first, first_entry = names[lever.name]
                phases = (" (a clear_hold_build lever names its phases <name>_clear, <name>_hold and <name>_build)"
                          if phase or lever is not built else "")
                in_base = first.split(": [[levers]]")[0] != where.split(": [[levers]]")[0]
                raise ScenarioError(f"{where}: lever name '{lever.name}' is used twice, first at {first}{phases}; "
                                    + (f"levers are added to the base's: to change the base's lever rather than add "
                                       f"another, list '{first_entry}' in drop_levers in [scenario] (drop_levers = "
                                       f"[\"{first_entry}\"]) and list the lever again here; to add one, give it its "
                                       f"own name" if in_base
                                       else "give each lever its own name"))
            names[lever.name] = (lever is not built, where, str(entry_name))
            if assumed:
                apply_assumed(lever, assumed, entry, phase=lever is not built)
            scale = getattr(scenario, "national_scale", 1.0)
            for setting in lever.settings if scale != 1.0 else ():
                if setting.unit in NATIONAL_SETTING_UNITS:
                    lever.values[setting.name] *= scale
            levers.append(lever)
    return levers


def check_lever_targets(scenario, geography=None) -> list[Lever]:
    """The scenario's levers, built, with their areas and regions checked against its geography
    (the model does this when it is built; commands that run many replications do it first, so a
    misspelt area is one error before any run, not a failure of every replication)."""
    from twin.geography import load_geography

    levers = build_levers(scenario)
    geography = geography or load_geography(scenario.areas_file)
    for lever in levers:
        lever.check_targets(geography)
    return levers


#: a lever at more than this many times its standard strength is worth a remark (the validation's
#: surge runs Clear at 5 times)
MAX_PLAUSIBLE_INTENSITY = 5.0


def settings_beyond_plausible(scenario) -> list[str]:
    """Warnings for lever settings a scenario sets beyond their plausible range (allowed: a
    scenario may explore; but a typo such as 50 for 5 years should not pass unremarked)."""
    warnings = []
    for entry_at, entry in lever_entries(scenario):
        kind = LEVER_TYPES.get(entry.get("type"))
        if kind is None:
            continue
        where = f"{entry_at} ({kind.type_name})"
        intensity = entry.get("intensity", 1.0)
        numeric = isinstance(intensity, (int, float)) and not isinstance(intensity, bool)
        if numeric and intensity > MAX_PLAUSIBLE_INTENSITY:
            warnings.append(f"{where}: intensity = {intensity:g} is beyond its plausible range, 0 to "
                            f"{MAX_PLAUSIBLE_INTENSITY:g} (it scales every effect and the cost)")
        for setting in kind.settings:
            value = entry.get(setting.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            if not setting.low <= value <= setting.high:
                warnings.append(f"{where}: {setting.name} = {value:g} is beyond its plausible range, "
                                f"{setting.low:g} to {setting.high:g}")
            elif slip := money_slip(setting.name, value, setting.unit, setting.value, setting.low, setting.high):
                warnings.append(f"{where}: {slip}")
    return warnings
