"""Lever effect sizes and costs drawn from their plausible ranges, one draw per replicate
(`twin compare --uncertain-levers`), so that a comparison's means average over what the levers'
assumptions leave uncertain, as `--posterior` averages over the calibrated parameters.

Which settings are drawn: those whose value is an assumption (its source says so), with a range,
that are not part of the policy's design. A policy's design (how many officers it surges, how many
places it builds, its budget and its split, the length and intensity of its phases) is what an
option is; its effect sizes and unit costs are what is uncertain about it (`DESIGN_SETTINGS`).
A scenario that sets a drawn setting itself keeps its value, as one that sets a calibrated
parameter keeps it under `--posterior` (`held_settings`).

Each setting is drawn from a triangular distribution over its plausible range, peaking at its
assumed value; the draw of replicate `rep` for setting `lever_type.setting` comes from a stream of
its own, `SeedSequence([LEVER_ENTROPY, root_seed, rep, crc32(key)])` (settings of two lever types
that are one quantity share one: `SHARED_DRAWS`). So every option that uses a lever type shares its
draws (paired: the clear phase of clear_hold_build and a clear lever alike), and a draw depends
neither on the number of replicates, nor on the scenarios compared, nor on the lever types there are.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import replace

import numpy as np

#: entropy that keeps the levers' draws apart from the replicates' seeds and the posterior's draws
LEVER_ENTROPY = 0x6C657672

#: settings that say what a policy is (its size, timing, targets, budget and split), not how well it
#: works or what a unit of it costs: kept at their values when the levers' assumptions are drawn
DESIGN_SETTINGS = {
    "clear": ("surge_investigators_per_area", "selection_priority"),
    "clear_hold_build": ("clear_years", "hold_years", "build_years", "clear_intensity", "hold_intensity",
                         "build_intensity"),
    "business_disruption": ("groups_per_area",),
    "tasking_priority": ("priority_weight",),
    "prison_places": ("extra_places",),
    "court_capacity": ("extra_trials_per_month",),
    "funding": ("budget_gbp_per_year", "share_forces", "share_rocu", "share_nca", "multi_year"),
    "soc_fund": ("reinvested_share",),
    "technology_investment": ("capital_gbp_per_year", "spend_years"),
}


#: the lever types a composite lever runs as its phases, at their defaults (`ClearHoldBuild.parts`)
PHASES = {"clear_hold_build": ("clear", "hold", "build")}


#: settings of several lever types that are one quantity in the model, drawn once under a shared name:
#: the SOC fund and the funding lever hire under one cap, the lowest stated (`levers_national`), and
#: train their recruits alike; drawn apart, an option with both would meet the lower of two draws
SHARED_DRAWS = {f"{kind}.{name}": f"hiring.{name}" for kind in ("funding", "soc_fund")
                for name in ("max_growth_share_per_year", "training_months")}


def drawn_settings(cls) -> list:
    """The settings of lever type `cls` drawn from their ranges: assumptions with a range, not its design."""
    design = DESIGN_SETTINGS.get(cls.type_name, ())
    return [p for p in cls.settings
            if p.source.lower().startswith("assumption") and p.name not in design and p.low < p.high]


def triangular(u: float, low: float, mode: float, high: float) -> float:
    """The `u` quantile of the triangular distribution on [low, high] peaking at `mode`."""
    peak = (mode - low) / (high - low)
    if u < peak:
        return low + math.sqrt(u * (high - low) * (mode - low))
    return high - math.sqrt((1.0 - u) * (high - low) * (high - mode))


def setting_draw(key: str, low: float, mode: float, high: float, root_seed: int, rep: int) -> float:
    """Replicate `rep`'s draw of setting `key` ('lever_type.setting') from its own stream (the shared
    quantity's, `SHARED_DRAWS`)."""
    sequence = np.random.SeedSequence([LEVER_ENTROPY, root_seed, rep, zlib.crc32(SHARED_DRAWS.get(key, key).encode())])
    return triangular(float(np.random.default_rng(sequence).random()), low, mode, high)


def lever_draws(types: set[str], root_seed: int, rep: int) -> dict[str, float]:
    """Replicate `rep`'s draws of every drawn setting of the lever `types` (composite levers' phases
    included), as {'lever_type.setting': value}."""
    from twin.interventions import LEVER_TYPES

    draws = {}
    for kind in sorted(types):
        for p in drawn_settings(LEVER_TYPES[kind]):
            key = f"{kind}.{p.name}"
            draws[key] = setting_draw(key, float(p.low), float(p.value), float(p.high), root_seed, rep)
    return draws


def _entry_types(entry: dict) -> set[str]:
    """The lever types one [[levers]] entry runs: its own and its phases' (clear_hold_build's)."""
    from twin.interventions import LEVER_TYPES

    cls = LEVER_TYPES.get(entry.get("type"))
    return set() if cls is None else {cls.type_name, *PHASES.get(cls.type_name, ())}


def lever_types_run(scenario) -> set[str]:
    """The lever types a scenario runs: its entries' types and their phases'."""
    return set().union(*(_entry_types(entry) for entry in scenario.levers))


def with_drawn_levers(scenario, root_seed: int, rep: int):
    """`scenario` whose lever entries carry replicate `rep`'s draws (`_assumed`, read by
    `scenario_levers.build_levers`; part of the scenario's `spec_hash`)."""
    return replace(scenario, levers=[{**entry, "_assumed": lever_draws(_entry_types(entry), root_seed, rep)}
                                     for entry in scenario.levers])


def apply_assumed(lever, assumed: dict[str, float], entry: dict, phase: bool) -> None:
    """Set `lever`'s drawn settings to `assumed`'s values, except those its scenario's `entry` sets
    itself (a phase of a composite lever takes every one: its entry sets none of them)."""
    for p in drawn_settings(type(lever)):
        key = f"{lever.type_name}.{p.name}"
        if key in assumed and (phase or p.name not in entry):
            lever.values[p.name] = assumed[key]


def held_settings(scenarios) -> dict[str, list[str]]:
    """The drawn settings each scenario keeps its own values of: {scenario name: ['type.setting', ...]},
    those that every lever of the type in it sets itself (a composite lever's phases set none). Where
    only some do, the others run on the draw, and it counts as drawn."""
    from twin.interventions import LEVER_TYPES

    held = {}
    for scenario in scenarios:
        by_type: dict[str, list[set[str]]] = {}
        for entry in scenario.levers:
            cls = LEVER_TYPES.get(entry.get("type"))
            if cls is None:
                continue
            by_type.setdefault(cls.type_name, []).append({p.name for p in drawn_settings(cls) if p.name in entry})
            for phase in PHASES.get(cls.type_name, ()):
                by_type.setdefault(phase, []).append(set())
        own = sorted(f"{kind}.{name}" for kind, sets in by_type.items() for name in set.intersection(*sets))
        if own:
            held[scenario.name] = own
    return held


#: names a lever type's drawn setting as one uncertain quantity in a sensitivity analysis or a screening
#: (`lever_type.<type>.<setting>`): every lever of that type in the scenarios (composite levers' phases
#: included) takes the value, unless its entry sets the setting itself, as under `--uncertain-levers`
TYPE_PREFIX = "lever_type."


def types_run(levers: list[dict]) -> set[str]:
    """The lever types the [[levers]] entries `levers` run: their own and their phases'."""
    return set().union(*(_entry_types(entry) for entry in levers)) if levers else set()


def type_setting_range(entry: dict, where: str, levers: list[dict]) -> tuple[str, float, float]:
    """The name and range of a `lever_type.<type>.<setting>` entry: the setting's plausible range
    unless the entry gives `low` and `high`; the type must be one the scenarios run, and the setting
    one of its assumptions (its design and its sourced settings are not uncertain)."""
    from twin.errors import ParameterError, ScenarioError, did_you_mean, shown
    from twin.interventions import LEVER_TYPES

    name, types = str(entry.get("name")), sorted(types_run(levers))
    parts = name.split(".")
    if len(parts) != 3 or parts[1] not in types:
        hint = did_you_mean(parts[1], types) if len(parts) == 3 else ""
        raise ScenarioError(f"{where}: {name!r}: expected lever_type.<a lever type the compared scenarios run>."
                            f"<setting>{hint} (they run: {', '.join(types) or 'no levers'})")
    settings = {p.name: p for p in drawn_settings(LEVER_TYPES[parts[1]])}
    if parts[2] not in settings:
        raise ScenarioError(f"{where}: {name!r}: lever type {parts[1]} has no assumed setting {parts[2]!r}"
                            f"{did_you_mean(parts[2], settings)} (its assumptions: {', '.join(settings)}; its "
                            f"design and sourced settings are not uncertain)")
    bounds = []
    for key, default in (("low", settings[parts[2]].low), ("high", settings[parts[2]].high)):
        value = entry.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(f"{where}: {key}: expected a number, got {shown(value)}")
        try:  # each end a valid value of the setting, as a lever entry's would be
            settings[parts[2]].check(float(value), f"{where} {key}")
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
        bounds.append(float(value))
    if not bounds[0] < bounds[1]:
        unwritten = [f"{key}: the setting's plausible {key} end" for key in ("low", "high") if key not in entry]
        raise ScenarioError(f"{where}: {name!r}: expected low < high, got {bounds[0]:g} and {bounds[1]:g}"
                            + (f" ({unwritten[0]}, not written here)" if unwritten else ""))
    return name, bounds[0], bounds[1]


def type_settings(levers: list[dict], every: bool = False) -> list[tuple[str, float, float]]:
    """Every assumption of the lever types `levers` run, as (`lever_type.<type>.<setting>`, low, high) over
    its plausible range; a quantity several types share (`SHARED_DRAWS`) once, under its first type
    (under each type's name with `every`: the names a config may give)."""
    from twin.interventions import LEVER_TYPES

    found, shared = [], set()
    for kind in sorted(types_run(levers)):
        for p in drawn_settings(LEVER_TYPES[kind]):
            key = f"{kind}.{p.name}"
            if every or SHARED_DRAWS.get(key, key) not in shared:
                shared.add(SHARED_DRAWS.get(key, key))
                found.append((TYPE_PREFIX + key, float(p.low), float(p.high)))
    return found


def quantity(name: str) -> str:
    """The quantity a `lever_type.<type>.<setting>` factor sets: its key, or the shared one (`SHARED_DRAWS`)."""
    key = name[len(TYPE_PREFIX):]
    return SHARED_DRAWS.get(key, key)


def type_beyond_plausible(name: str, low: float, high: float) -> str | None:
    """A warning when a `lever_type` factor's range reaches beyond its setting's plausible range."""
    from twin.interventions import LEVER_TYPES

    _, kind, setting = name.split(".")
    spec = next((p for p in LEVER_TYPES[kind].settings if p.name == setting), None) if kind in LEVER_TYPES else None
    if spec is None or (low >= spec.low and high <= spec.high):
        return None
    return f"{name}: {low:g} to {high:g} goes beyond its plausible range, {spec.low:g} to {spec.high:g}"


def with_type_setting(levers: list[dict], name: str, value: float) -> None:
    """Set `name` (`lever_type.<type>.<setting>`) to `value` in the assumptions every entry of `levers`
    carries (`_assumed`, read by `scenario_levers.build_levers`), for each type sharing the quantity."""
    keys = [k for k, shared in SHARED_DRAWS.items() if shared == quantity(name)] or [name[len(TYPE_PREFIX):]]
    for entry in levers:
        entry["_assumed"] = {**entry.get("_assumed", {}), **{k: float(value) for k in keys}}
