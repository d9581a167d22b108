"""What is said of scenarios before any run: the remarks `twin run` and `twin compare` print, and
`twin fit`, `twin calibrate`, `twin sensitivity` and `twin screen` print too, since they run the
same scenarios: levers that would start after the run's last step, parameters and lever settings
beyond their plausible ranges and the other remarks of `scenario_warnings` (a spin-up rounded to
whole steps, area levers everywhere by default, budgets that start at once or are out of reach,
settings a lever does not use), named groups missing from the register (an error), and a register
that looks like part of the picture or gives no county lines (`register_warnings`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from twin.geography import load_geography
from twin.interventions import Lever
from twin.register import load_register
from twin.scenario import STEPS_PER_YEAR, Scenario, file_setting, national_scale_warnings

if TYPE_CHECKING:
    from twin.model import TwinModel


def preflight_warnings(scenarios: list, years: float | None = None, step: str | None = None,
                       check_registers: bool = True, varied: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The remarks on `scenarios` as run over `years` (their own when None) in steps of `step`, each
    once (a base scenario's or areas file's remark that its children share is said once), without a
    closing full stop. `check_registers` false leaves out the registers' remarks (a command whose run
    says them itself). `varied`: parameters the command sets itself (calibrated, or sampled in a
    sensitivity design, lever settings such as `lever_type.funding.max_growth_share_per_year` among
    them), whose values in the scenario file are not run and are not remarked on: a remark naming a
    varied lever setting is left out (it holds for the file's value only)."""
    import re

    from twin.scenario_levers import check_lever_targets
    from twin.runner import check_named_groups
    from twin.scenario import STEPS_PER_YEAR

    said: list[str] = []
    registers_seen = set()
    for scenario in scenarios:
        if varied:
            scenario = replace(scenario, parameters={k: v for k, v in scenario.parameters.items() if k not in varied})
        horizon = replace(scenario, years=years if years is not None else scenario.years, step=step or scenario.step)
        found = levers_after_horizon(check_lever_targets(scenario), horizon.n_steps, STEPS_PER_YEAR[horizon.step])
        found += scenario_warnings(horizon)
        if check_registers:
            found += check_named_groups(scenario)  # (raises on a group the register lacks)
            seen = (scenario.register, scenario.register_table, scenario.areas_file, scenario.complete_register)
            if scenario.register and seen not in registers_seen:
                registers_seen.add(seen)
                found += scenario_register_warnings(scenario)
        said += [warning for warning in found if warning not in said]
    settings = {name.rsplit(".", 1)[-1] for name in varied if "." in name}  # `lever_type.<type>.<setting>`
    if settings:
        named = re.compile(r"\b(" + "|".join(map(re.escape, sorted(settings))) + r")\b")
        said = [warning for warning in said if not named.search(warning)]
    from twin.parameter_rules import SHARE_SETS

    for label, names in SHARE_SETS.items():  # a drawn share is not the share run: its set is rescaled
        drawn = [name for name in names if name in varied]
        if drawn:
            said.append(f"{', '.join(drawn)} {'is' if len(drawn) == 1 else 'are'} drawn, and the {label} shares "
                        f"({', '.join(names)}) are rescaled to sum to 1 in each run: the share run is the value "
                        f"drawn over the set's sum, and the set's other shares move with it (the tables give "
                        f"the values drawn)")
    return said


def scenario_warnings(scenario: Scenario) -> list[str]:
    """What a scenario sets that is allowed but worth a remark: lever settings and parameters beyond
    their plausible ranges, a group selection that cannot hold a group, share sets that do not sum
    to 1, parameters a user's register leaves unused (printed before a run, kept in run.json)."""
    from twin.group_selection import selection_warnings
    from twin.geography import areas_warnings
    from twin.scenario_levers import settings_beyond_plausible
    from twin.parameter_rules import consistency_warnings
    from twin.register import unused_with_register

    geography = load_geography(scenario.areas_file)
    areas = (areas_warnings(geography, scenario.areas_file, scaled=scenario.national_scale != 1.0)
             if scenario.areas_file else [])
    unused = (unused_with_register(scenario.parameters, f"{scenario.path}: [parameters]")
              if scenario.register and not scenario.complete_register else None)
    params = scenario.build_parameters()
    more_people_than_live_there(scenario, params, float(geography.population.sum()))
    return (areas + national_scale_warnings(scenario) + settings_beyond_plausible(scenario)
            + selection_warnings(scenario) + budgets_at_once(scenario) + budget_out_of_reach(scenario, params)
            + idle_settings(scenario) + everywhere_by_default(scenario) + spin_up_rounded_away(scenario)
            + ([unused] if unused else []) + [_in_setting_file(scenario, w) for w in consistency_warnings(params, "@")])


#: parameters that count people the run's areas hold (users, victims, suspects, prisoners)
PEOPLE_COUNTS = ("members_known_uk", "heroin_crack_users_uk", "cocaine_users_uk", "modern_slavery_victims_uk",
                 "soc_prisoners_initial", "soc_awaiting_trial_initial")


def more_people_than_live_there(scenario: Scenario, params, population: float) -> None:
    """Refuse a count of people above the `population` of the run's areas (80,000,000 heroin users in
    the UK): beyond a plausible range (a warning) it is impossible, and would run on regardless."""
    from twin.errors import ParameterError

    for name in PEOPLE_COUNTS:
        if name in params.overridden and params[name] > population:
            where = f"{file_setting(scenario, name, 'parameters')}: [parameters] {name}"
            scaled = f" (scaled to the areas: {params[name]:,.0f})" if params[name] != params.uk_value(name) else ""
            raise ParameterError(f"{where} = {params.uk_value(name):,.0f}{scaled} is more people than live in the "
                                 f"run's areas ({population:,.0f}); expected at most that, and plausibly "
                                 f"{params.spec(name).low:,.0f} to {params.spec(name).high:,.0f} for the UK")


def _in_setting_file(scenario: Scenario, warning: str) -> str:
    """A remark on a parameter names the file of the scenario's chain that sets it (a base's, perhaps)."""
    named = re.match(r"@: (\w+) = ", warning)
    path = file_setting(scenario, named.group(1), "parameters") if named else scenario.path
    return f"{path}: [parameters]{warning[1:]}"


def spin_up_rounded_away(scenario: Scenario) -> list[str]:
    """A spin-up under half a step: no spin-up step runs (the run reports from the register as given)."""
    steps = scenario.spin_up_years * STEPS_PER_YEAR[scenario.step]
    if scenario.spin_up_years > 0 and round(steps) == 0:
        return [f"{scenario.path}: spin_up_years = {scenario.spin_up_years:g} is under half a {scenario.step}ly step: "
                f"no spin-up step runs, and the run reports from the register's picture as given"]
    return []


def _years(value: float) -> str:
    return f"{value:.3g} year{'' if value == 1 else 's'}"


def levers_after_horizon(levers: list[Lever], n_steps: int, steps_per_year: int) -> list[str]:
    """Notes for levers that no step of the run would see active (they will have no effect): those
    starting after the run's last step, one per entry when none of its phases would act, else one
    per phase that would not; and those whose window, shorter than a step, falls between two steps'
    starts (`Lever.active` reads the year at a step's start)."""
    last = (n_steps - 1) / steps_per_year  # years from the start to the last step (`Lever.active`)
    starts = np.arange(n_steps) * (12.0 / steps_per_year) / 12.0 + 1e-9  # as `Lever.active` reads them
    entries: dict[str, list[Lever]] = {}
    for lever in levers:
        entries.setdefault(lever.entry, []).append(lever)
    notes = []
    horizon = f"the run's last step is {_years(last)} in ({n_steps / steps_per_year:.3g}-year run)"
    step = "month" if steps_per_year == 12 else "week" if steps_per_year == 52 else f"1/{steps_per_year} year"
    for entry, parts in entries.items():
        late = [lever for lever in parts if lever.start_year > last]
        between = [lever for lever in parts if lever.start_year <= last
                   and not ((lever.start_year <= starts) & (starts < lever.end_year)).any()]
        if late and len(late) == len(parts):
            notes.append(f"{entry} starts {_years(min(p.start_year for p in parts))} in, but {horizon}: it will "
                         f"have no effect")
            continue
        notes += [f"{lever.where} starts {_years(lever.start_year)} in, but {horizon}: that phase will have "
                  f"no effect" for lever in late]
        notes += [f"{lever.where} acts from {_years(lever.start_year)} to {_years(lever.end_year)} in, shorter than "
                  f"a step (a {step}) and between two steps' starts, which is when a lever is seen active: "
                  f"{'it' if len(parts) == 1 else 'that phase'} will have no effect (give it a step or more)"
                  for lever in between]
    return notes


def area_lever_types() -> tuple[str, ...]:
    """The lever types meant for chosen areas (the Clear-Hold-Build phases, the local programmes, and
    any such lever added): neither national nor worked `everywhere`."""
    from twin.interventions import LEVER_TYPES

    return tuple(name for name, kind in LEVER_TYPES.items() if not kind.national and not kind.everywhere)


def everywhere_by_default(scenario: Scenario) -> list[str]:
    """A lever meant for chosen areas (`area_lever_types`) whose entry names none of `areas`,
    `regions`, `nations` or `top_harm_areas`: it acts in every area, the default, at its cost per
    area; writing `areas = "all"` says that is meant and silences this."""
    from twin.interventions import TARGET_KEYS
    from twin.scenario_levers import lever_entries

    unchosen = []
    for where, entry in lever_entries(scenario):
        # (business disruption given groups works, and is costed, only in the areas holding them)
        chosen = any(key in entry for key in TARGET_KEYS) or (entry.get("type") == "business_disruption"
                                                               and "groups" in entry)
        if entry.get("type") in area_lever_types() and not chosen:
            unchosen.append((where, entry))
    count = load_geography(scenario.areas_file).n_areas if unchosen else 0
    warnings = []
    for where, entry in unchosen:
        warnings.append(f"{where} ({entry['type']}): names no areas, regions, nations or top_harm_areas, so it "
                        f"acts in every area ({count}), at its cost in each; write areas = \"all\" if that is "
                        f"meant, or name its areas")
    return warnings


def budgets_at_once(scenario: Scenario) -> list[str]:
    """Two `funding` levers acting at once: each states a SOC budget but hires against its own
    budget less the baseline's, so together they add as increments (2.0 and 1.0 over 0.86 make
    about 2.14 billion), which is neither budget."""
    from twin.scenario_levers import build_levers

    funding = [lever for lever in build_levers(scenario) if lever.type_name == "funding"]
    warnings = []
    for k, first in enumerate(funding):
        for second in funding[k + 1:]:
            if first.start_year < second.end_year and second.start_year < first.end_year:
                warnings.append(
                    f"{second.entry}: funding levers '{first.name}' and '{second.name}' act at once (both from "
                    f"start_year = {max(first.start_year, second.start_year):g}): each hires against its "
                    f"own budget less the baseline's, so their budgets add as increments over the baseline's, not as "
                    f"one budget; for one budget, give one funding lever")
    return warnings


#: lever settings that act only with another setting: (lever type, setting, whether it is idle given
#: the lever's entry, what it needs)
IDLE_SETTINGS = (
    ("funding", "yearly_bid_efficiency", lambda entry: entry.get("multi_year", 1) == 1,
     "it applies only to yearly bids (multi_year = 0), and this lever is a multi-year settlement"),
    ("clear", "selection_priority", lambda entry: "groups" not in entry,
     "it applies only to a `groups` selection, and this lever has none"),
)


def idle_settings(scenario: Scenario) -> list[str]:
    """Lever settings a scenario writes that the lever's other settings leave without effect."""
    from twin.scenario_levers import lever_entries

    return [f"{at} ({kind}): {name} = {entry[name]:g} has no effect: {needs}"
            for at, entry in lever_entries(scenario) for kind, name, idle, needs in IDLE_SETTINGS
            if entry.get("type") == kind and name in entry and isinstance(entry[name], (int, float)) and idle(entry)]


def budget_out_of_reach(scenario: Scenario, params=None) -> list[str]:
    """A funding lever whose budget the hiring cap keeps out of reach in every tier it funds until it
    ends (or the run does): any larger budget then gives the same run, which the user should know.
    Other levers hiring at the same time share the cap (`levers_national.InvestigatorPipeline`), those
    listed before it hiring first: then the budget may be out of reach below that threshold too,
    which is said without a figure."""
    from twin.scenario_levers import build_levers
    from twin.levers_national import InvestigatorPipeline
    from twin.parameters import budget_tier_shares

    params = params if params is not None else scenario.build_parameters()
    warnings, scale = [], scenario.national_scale  # figures as written
    b0, base = params.soc_budget_gbp_per_year, dict(zip(("forces", "rocu", "nca"), budget_tier_shares(params)))
    levers = build_levers(scenario)
    for position, lever in enumerate(levers):
        v, years = lever.values, min(lever.end_year, scenario.years) - lever.start_year
        if lever.type_name != "funding" or years <= 0 or lever.intensity <= 0:
            continue
        first = [other.name for other in levers[:position] if isinstance(other, InvestigatorPipeline)
                 and other.start_year < lever.start_year + years and lever.start_year < other.end_year]
        if first:  # they fill the shared cap first: how far this budget gets depends on what they hire
            warnings.append(f"{lever.entry}: {', '.join(first)}, listed before it and running at the same time, "
                            f"hire investigators first within the same hiring cap (max_growth_share_per_year), so "
                            f"its budget may not be reached; its spending is in the results (summary.csv's "
                            f"discounted_lever_cost_gbp_{lever.name})")
            continue
        growth = v["max_growth_share_per_year"] * years / lever.intensity  # in shares of each tier's baseline
        funded = [tier for tier in base if v[f"share_{tier}"] > 0]
        same_above = max(b0 * base[tier] * (1.0 + growth) / v[f"share_{tier}"] for tier in funded)
        if v["budget_gbp_per_year"] > same_above:
            # the funded tiers hire at the cap throughout; a tier given no share loses its budget at once
            reached = b0 * sum(base[t] * v["max_growth_share_per_year"] * years if t in funded else
                               -base[t] * lever.intensity for t in base)
            warnings.append(
                f"{lever.entry}: budget_gbp_per_year = £{v['budget_gbp_per_year'] / scale / 1e9:.3g}bn is not reached "
                f"by the lever's end (year {lever.start_year + years:g}): hiring is capped at "
                f"{v['max_growth_share_per_year']:.0%} of the baseline's investigators a year "
                f"(max_growth_share_per_year), so its spending reaches about £{abs(reached) / scale / 1e9:.2f}bn a "
                f"year {'above' if reached >= 0 else 'below'} the baseline's by then, and any budget above about "
                f"£{same_above / scale / 1e9:.2f}bn gives the same run")
    return warnings


def register_warnings(model: TwinModel) -> list[str]:
    """A user's register that looks like part of the picture (`register_checks.coverage_warning`),
    or, completed, one short in its own areas (`Completion.shortfall_warning`) or over the UK's groups; groups named by
    `ocg_id` that it places outside their lever's areas (`GroupSelection.named_warnings`)."""
    from twin.runner import _check_ids

    return (_register_warnings(model.register, model.register_completion, model.geography, model.params)
            + _check_ids(model.levers, model.register_given, None, model.geography))


def scenario_register_warnings(scenario: Scenario) -> list[str]:
    """`register_warnings` for a scenario's own register, before any run (completed with the
    synthetic register of seed 1: the counts it is checked by hardly vary with the seed)."""
    from twin.register import complete_register, synthetic_register
    from twin.streams import RandomStreams

    geography = load_geography(scenario.areas_file)
    register, params = load_register(scenario.register, geography, scenario.register_table), scenario.build_parameters()
    completion = None
    if scenario.complete_register:
        register, completion = complete_register(register, synthetic_register(geography, params,
                                                                               RandomStreams(1)["register"]))
    return _register_warnings(register, completion, geography, params)


def _register_warnings(register, completion, geography, params) -> list[str]:
    """The coverage or shortfall warning, and a register (as the run starts from it) without county
    lines: none open in such a run, since openings are scaled from the lines it starts with."""
    from twin.markets import HEROIN_CRACK
    from twin.register_checks import capital_warning, coverage_warning, excess_warning

    coverage = ([completion.shortfall_warning(),
                 excess_warning(register.area, register.known, params, register.size, completed=True)]
                if completion is not None else [coverage_warning(register.area, register.known, geography, params,
                                                                 register.size)])
    warnings = [w for w in (*coverage, capital_warning(register.capital_gbp, params.national_scale)) if w]
    can_run = geography.exporter[register.area] & register.markets[:, HEROIN_CRACK]
    if params.county_lines_initial > 0 and can_run.any() and not register.county_lines.sum():
        warnings.append(f"the register gives no county lines (no `county_lines` column, or 0 for every group), "
                        f"so none open during the run: openings are scaled from the lines a run starts with "
                        f"(docs/ODD.md, county lines); give the lines of its {int(can_run.sum()):,} heroin/crack "
                        f"group(s) in exporter areas (about {params.county_lines_initial:,.0f} in the UK)")
    return warnings
