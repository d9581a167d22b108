"""An experiment file read and checked, one part at a time: the file and its tables, the base
scenario, the sampler, the policy scenarios (when the policies are scenario files), the
uncertainties, the levers and the outcomes. `sweep.load_experiment` calls these in turn, so that every
mistake is reported, naming the file and the entry, before any run starts.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

from twin import config_checks as checks
from twin.errors import ParameterError, ScenarioError, did_you_mean, shown, shown_whole
from twin.geography import load_geography
from twin.parameters import Parameters, beyond_plausible, lever_setting, parameter_range
from twin.scenario import (TOP_LEVEL_KEYS, Scenario, check_keys, lever_entry_name, load_scenario, nearby_file,
                           read_toml)
from twin.sensitivity import Uncertain
from twin.targets import Target, check_aggregation, check_aggregation_name

SAMPLERS = ("lhs", "sobol", "montecarlo", "factorial")
BETTER = ("lower", "higher")  # an outcome's better direction, for regret
#: metrics that are plainly harms, costs or criminal activity, so an outcome of one ranks lower as better
#: when it gives no `better`; any other (arrests, community_trust, ocgs_known, ...) must say which
LOWER_IS_PLAINLY_BETTER = frozenset({
    "net_social_cost_gbp", "ocgs_active", "ocgs_entered", "members_active", "members_leader",
    "members_core", "members_worker", "members_exploited", "members_children", "recruits", "recruits_children",
    "joiners", "reoffenders", "homicides", "homicides_direct", "serious_violence", "succession_violence", "drug_deaths",
    "fraud_offences", "slavery_victims", "immigration_arrivals", "firearms_supplied", "acquisitive_offences",
    "county_lines_active", "county_lines_opened", "ocg_revenue_gbp", "ocg_capital_gbp", "money_laundered_gbp",
    "enablers_active", "early_releases", "emergency_releases", "bail_releases", "court_backlog", "vulnerability",
    "drug_users_supplied"})


def lower_plainly_better(metric: str) -> bool:
    """Whether an outcome of `metric` alone may leave out `better` (lower is then better): harms and costs."""
    return metric in LOWER_IS_PLAINLY_BETTER or metric.startswith(("harm_gbp_", "response_cost_gbp", "lever_"))
EXPERIMENT_KEYS = ("name", "base", "years", "reps", "seed")
OUTCOME_KEYS = ("name", "metric", "years", "aggregation", "area", "region", "nation", "ratio_of", "better")

#: the columns every sweep's results hold beside its uncertainties, levers and outcomes
RESULT_COLUMNS = ("run_id", "point", "position", "sample", "policy", "scenario", "replicate", "seed", "status",
                  "setup_s", "run_s", "error")


def read_experiment_file(path: Path) -> dict:
    """The experiment file's contents, refused when it is empty."""
    data = read_toml(path, "experiment file")
    if not data:
        raise ScenarioError(f"{path}: the file is empty (an experiment file has at least an [experiment] table "
                            f"naming its base scenario; see experiments/chb_design.toml)")
    return data


def check_tables(path: Path, data: dict) -> dict:
    """Check that the file holds only the known tables, each a table ([name]) or a list of tables
    ([[name]]) as it should be; returns the [experiment] table."""
    table = data.get("experiment", {})
    check_keys(path, "", data, ("experiment", "sampler", "uncertainty", "lever", "outcome"))
    for key, kind in (("experiment", "table"), ("sampler", "table"), ("uncertainty", "list"), ("lever", "list"),
                      ("outcome", "list")):
        value = data.get(key, {} if kind == "table" else [])
        if kind == "table" and not isinstance(value, dict):
            raise ScenarioError(f"{path}: '{key}' must be a table ([{key}])")
        if kind == "list" and not (isinstance(value, list) and all(isinstance(e, dict) for e in value)):
            raise ScenarioError(f"{path}: '{key}' must be a list of tables ([[{key}]], with double brackets)")
    return table


def base_scenario(path: Path, table: dict) -> Scenario:
    """The scenario every run starts from, at the experiment's horizon, after checking the [experiment]
    table's keys, name and years (a horizon of at least one step)."""
    if "kind" in table and "base" not in table:  # [experiment] kind = "entry": a validation experiment
        raise ScenarioError(f"{path}: [experiment] kind: the file looks like a validation experiment, which "
                            f"`twin validate` reads; a sweep's [experiment] names its base scenario (see "
                            f"experiments/chb_design.toml)")
    check_keys(path, "experiment", table, EXPERIMENT_KEYS)
    where = f"{path}: [experiment]"
    if "base" not in table:
        raise ScenarioError(f"{where}: missing key 'base' (the scenario every run starts from)")
    base_file = checks.check_input_file(path, "experiment", "base", table["base"], "scenario file")
    checks.check_name(path, "experiment", table.get("name", path.stem))
    base = load_scenario(base_file)
    years = checks.check_years(path, "experiment", table.get("years", base.years))
    base = replace(base, years=years)
    try:
        base.n_steps  # noqa: B018 (raises when the horizon is shorter than one step)
    except ScenarioError as exc:
        raise ScenarioError(f"{where} years = {years:g}: {str(exc).split(': ', 1)[-1]}") from None
    if years < 1:  # outcomes are read over whole years (its [[outcome]] years would ask for 1 <= first <= 0.05)
        from_base = "" if "years" in table else f" (the base scenario's {base_file.name}, not set here)"
        raise ScenarioError(f"{where} years = {years:g}{from_base}: a sweep reads its outcomes over whole years; "
                            f"expected at least 1")
    return base


def check_reps_and_seed(path: Path, table: dict) -> None:
    """Check the [experiment] table's replications per design point and root seed."""
    checks.check_whole_number(path, "experiment", "reps", table.get("reps", 1), 1, checks.MAX_REPS)
    checks.check_seed(path, "experiment", table.get("seed", 1))


def check_sampler(path: Path, data: dict) -> dict:
    """The [sampler] table (a Latin hypercube of 8 samples when there is none), checked: a known kind,
    `size` for the samplers that draw and `levels` for the factorial one, a power of 2 for sobol."""
    sampler = data.get("sampler", {"kind": "lhs", "size": 8})
    check_keys(path, "sampler", sampler, ("kind", "size", "levels"))
    if sampler.get("kind") not in SAMPLERS:
        raise ScenarioError(f"{path}: [sampler] kind: expected one of {', '.join(SAMPLERS)}, got "
                            f"{sampler.get('kind')!r}{did_you_mean(str(sampler.get('kind')), SAMPLERS)}")
    if "levels" in sampler and sampler["kind"] != "factorial":
        raise ScenarioError(f"{path}: [sampler] levels: only the factorial sampler takes levels (kind = "
                            f"{sampler['kind']!r} draws `size` samples); remove it or set kind = \"factorial\"")
    if "size" in sampler and sampler["kind"] == "factorial":
        raise ScenarioError(f"{path}: [sampler] size: the factorial sampler takes levels (per quantity), not a "
                            f"size; remove it or set kind = \"lhs\", \"sobol\" or \"montecarlo\"")
    for key in ("size", "levels"):
        value = sampler.get(key, 8 if key == "size" else 3)
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if key == "size" else 2):
            raise ScenarioError(f"{path}: [sampler] {key}: expected a whole number >= {1 if key == 'size' else 2}, "
                                f"got {shown_whole(value, 1 if key == 'size' else 2)}")
    if sampler["kind"] == "sobol" and sampler.get("size", 8) & (sampler.get("size", 8) - 1):
        raise ScenarioError(f"{path}: [sampler] size: a sobol sample needs a power of 2, got {sampler['size']}")
    return sampler


def policy_scenarios(path: Path, data: dict, base: Scenario) -> list[Scenario]:
    """The scenarios that will run: the base, or each policy scenario when the policies are scenario
    files (a [[lever]] named "scenario"). Those files must exist, share their timing, areas and scale,
    and the base must then set nothing but the horizon."""
    running = [base]
    for position, entry in enumerate(data.get("lever", []), start=1):
        values = entry.get("values") if isinstance(entry, dict) and entry.get("name") == "scenario" else None
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):  # else: refused later
            for value in values:
                file = path.parent / value
                if not file.is_file():
                    raise ScenarioError(f"{path}: [[lever]] #{position} (scenario): values: file '{value}' not found "
                                        f"next to the experiment"
                                        f"{nearby_file(file, path.parent, written=value, top_keys=TOP_LEVEL_KEYS)} "
                                        f"(paths "
                                        f"are relative to the experiment's own folder, {path.parent.resolve()})")
            running = [load_scenario((path.parent / v).resolve()) for v in values]
            _check_base_used(path, base)
            from twin.ensemble import check_comparable  # policies compared: same timing, areas and scale

            check_comparable([replace(s, years=base.years) for s in running], base.years)
    return running


def _check_base_used(path: Path, base: Scenario) -> None:
    """With policies that are scenario files, each runs as its file says and the experiment's base
    sets only the horizon: a base that sets anything else would be silently ignored, so it is refused."""
    from twin.scenario import DEFAULTS

    ignored = [what for what, set_ in (
        ("parameters", bool(base.parameters)), ("levers", bool(base.levers)), ("a register", bool(base.register)),
        ("an areas file", bool(base.areas_file)),
        ("scale_national_quantities", base.scale_national_quantities is not False),
        ("step", base.step != DEFAULTS["step"]),
        ("start_date", base.start_date != DEFAULTS["start_date"]),
        ("spin_up_years", base.spin_up_years != DEFAULTS["spin_up_years"])) if set_]
    if ignored:
        raise ScenarioError(f"{path}: [experiment] base: {base.path} sets {', '.join(ignored)}, but the policies are "
                            f"scenario files, which run as their own files say (the base sets only their years); "
                            f"put what every policy shares in a scenario each of them builds on (base = in each "
                            f"policy file), or make the base a plain scenario such as scenarios/baseline.toml")


def not_a_parameter_hint(name: str, levers: list[dict]) -> str:
    """For a name that is no parameter: what it is when it is something else (a scenario file's key,
    a lever's setting named without its lever), as '; ...', else ''."""
    from twin.scenario import SCENARIO_KEYS

    if name in SCENARIO_KEYS:
        return (f"; {name!r} is a key of a scenario's [scenario] table, not a parameter, and the same in every run of "
                f"a sweep (set it in the base scenario; the horizon with [experiment] years)")
    owners = []
    for lever in levers:
        try:
            lever_setting(f"lever.{lever_entry_name(lever)}.{name}", [lever], "")
        except (ParameterError, KeyError):
            continue
        owners.append(f"lever.{lever_entry_name(lever)}.{name}")
    if owners:
        quoted = " or ".join(f'"{owner}"' for owner in dict.fromkeys(owners))
        return f"; it is a lever's setting: name = {quoted}"
    return ""


def check_uncertainties(path: Path, data: dict, base: Scenario, running: list[Scenario]) -> list[Uncertain]:
    """The [[uncertainty]] entries: each a known parameter or lever setting with its range (a lever
    setting must act in every scenario that runs), and each named once."""
    uncertain = []
    for position, entry in enumerate(data.get("uncertainty", []), start=1):
        check_keys(path, f"[[uncertainty]] #{position}", entry, ("name", "low", "high"))  # first: 'nmae' is a typo
        if "name" not in entry:
            raise ScenarioError(f"{path}: [[uncertainty]] #{position}: missing key 'name' (the parameter to vary)")
        try:
            for scenario in running:  # a lever uncertainty must act in every scenario that runs
                in_scenario = scenario is not base and str(entry["name"]).startswith("lever.")  # a lever of that file
                where = f"{path}: [[uncertainty]] #{position}" + (f" (in {Path(scenario.path).name})"
                                                                  if in_scenario else "")
                found = Uncertain(*parameter_range(entry, where, scenario.levers))
            uncertain.append(found)
        except ParameterError as exc:
            hint = not_a_parameter_hint(str(entry["name"]), base.levers) if "unknown parameter" in str(exc) else ""
            raise ScenarioError(str(exc).split("; did you mean")[0] + hint if hint else str(exc)) from None
        if uncertain[-1].name in [u.name for u in uncertain[:-1]]:
            raise ScenarioError(f"{path}: [[uncertainty]] #{position}: {uncertain[-1].name!r} is already an "
                                f"uncertainty")
    return uncertain


def check_levers(path: Path, data: dict, uncertain: list[Uncertain]) -> list[tuple[str, list]]:
    """The [[lever]] entries as (name, values to try): each named once, with values of the right kind,
    none listed twice, and not also an uncertainty. A table of settings is kept as JSON; a
    scenario file as its full path."""
    levers = []
    for position, entry in enumerate(data.get("lever", []), start=1):
        values = _lever_values(path, position, entry)
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            raise ScenarioError(f"{path}: [[lever]] #{position} ({entry['name']}): values listed twice: "
                                f"{', '.join(repeated)} (each policy once)")
        if entry["name"] in [name for name, _ in levers]:
            raise ScenarioError(f"{path}: [[lever]] #{position}: {entry['name']!r} is already a lever "
                                f"(list all its values in one entry)")
        if entry["name"] in [u.name for u in uncertain]:
            raise ScenarioError(f"{path}: [[lever]] #{position}: {entry['name']!r} is also an [[uncertainty]]; "
                                f"a quantity is either sampled or set by policy, not both")
        levers.append((entry["name"], values))
    return levers


def _lever_values(path: Path, position: int, entry: dict) -> list:
    """One [[lever]] entry's values, checked to be of its kind: tables of settings for a whole lever
    (`lever.<name>`), scenario files for "scenario", numbers for a setting or a parameter."""
    check_keys(path, f"[[lever]] #{position}", entry, ("name", "values"))
    if "name" not in entry or not isinstance(entry.get("values"), list) or not entry["values"]:
        raise ScenarioError(f"{path}: [[lever]] #{position}: expected a name and a non-empty list of values")
    if not isinstance(entry["name"], str):
        raise ScenarioError(f"{path}: [[lever]] #{position}: name: expected a lever setting or parameter name in "
                            f"quotes, got {shown(entry['name'])}")
    group = entry["name"].startswith("lever.") and entry["name"].count(".") == 1
    _check_identity_kept(path, position, entry, group)
    for value in entry["values"]:
        expected = (dict if group else str if entry["name"] == "scenario" else (int, float))
        if isinstance(value, bool) or not isinstance(value, expected):
            words = ("tables of lever settings" if group else "scenario file names" if entry["name"] == "scenario"
                     else "numbers")
            files = isinstance(value, str) and value.endswith(".toml") and not group  # policies as scenario files
            raise ScenarioError(f"{path}: [[lever]] #{position} ({entry['name']}): values must be {words}, "
                                f"got {shown(value)}" + ("; policies given as scenario files are named "
                                                         "name = \"scenario\"" if files else ""))
    values = [json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in entry["values"]]
    if entry["name"] == "scenario":  # policies that are whole scenarios, by file
        values = [str((path.parent / v).resolve()) for v in values]
        names = [Path(v).name for v in values]
        shared = sorted({name for name in names if names.count(name) > 1})
        if shared and len(set(values)) == len(values):  # the same file twice is said above
            raise ScenarioError(f"{path}: [[lever]] #{position} (scenario): values: the files "
                                f"{', '.join(v for v in entry['values'] if Path(v).name in shared)} share a file name, "
                                f"which names a policy in the results; rename one")
    return values


#: what makes a scenario's lever the one it is: a sweep changes its settings, never these
LEVER_IDENTITY = ("type", "name")


def _check_identity_kept(path: Path, position: int, entry: dict, group: bool) -> None:
    """Refuse a [[lever]] entry that would change a lever's type or name (`lever.<name>.type`, or
    `type` in a table of settings): the sweep varies a scenario's lever, and another kind of lever
    is another policy, given as a scenario file."""
    parts = entry["name"].split(".") if entry["name"].startswith("lever.") else []
    keys = {key for value in entry["values"] if group and isinstance(value, dict) for key in value}
    changed = ([parts[2]] if len(parts) == 3 and parts[2] in LEVER_IDENTITY else
               [key for key in LEVER_IDENTITY if key in keys])
    if changed:
        raise ScenarioError(f"{path}: [[lever]] #{position} ({entry['name']}): a sweep varies the settings of the "
                            f"scenario's lever '{parts[1] if len(parts) > 1 else entry['name']}', not its "
                            f"{changed[0]}; to compare kinds of lever, write each policy as a scenario file and "
                            f"list the files under name = \"scenario\"")


def check_lever_tables(path: Path, levers: list[tuple[str, list]], uncertain: list[Uncertain]) -> None:
    """Check that no lever's table of settings sets what another entry (a lever or an uncertainty) varies."""
    for name, values in levers:
        if name.startswith("lever.") and name.count(".") == 1:
            keys = set().union(*(json.loads(v).keys() for v in values))
            for other in [u.name for u in uncertain] + [n for n, _ in levers]:
                if other.startswith(name + ".") and other[len(name) + 1:] in keys:
                    kind = "[[uncertainty]]" if other in [u.name for u in uncertain] else "[[lever]]"
                    raise ScenarioError(f"{path}: [[lever]] {name!r} sets '{other[len(name) + 1:]}', which the "
                                        f"{kind} {other!r} also sets; set it in one place")


def check_lever_names(path: Path, base: Scenario, running: list[Scenario], uncertain: list[Uncertain],
                      levers: list[tuple[str, list]]) -> list[str]:
    """Check that each lever names a known parameter, or a lever (and setting) of every scenario that
    runs; returns the warnings of uncertainties and lever values beyond their plausible ranges."""
    defaults = Parameters()
    # Levers act on the base scenario, or on every policy scenario when the policies are scenario files.
    scenarios = [(scenario.path, scenario.levers) for scenario in running]
    every_lever = base.levers + [lever for scenario in running if scenario is not base for lever in scenario.levers]
    warnings = [f"{path}: [[uncertainty]] {w}" for w in
                (beyond_plausible(u.name, u.low, u.high, every_lever) for u in uncertain) if w]
    for position, (name, values) in enumerate(levers, start=1):
        if name == "scenario":
            continue
        if not name.startswith("lever.") and name not in defaults:
            raise ScenarioError(f"{path}: [[lever]] #{position}: unknown parameter {name!r}"
                                f"{not_a_parameter_hint(name, every_lever) or did_you_mean(name, defaults.as_dict())}")
        if name.startswith("lever."):
            _check_lever_in_scenarios(path, position, name, scenarios)
        else:  # a parameter describes the world (it holds through the spin-up); policies are levers
            warnings.append(f"{path}: [[lever]] #{position} {name!r} is a model parameter, not a lever setting: "
                            f"each of its values is a world of its own (its own spin-up), which `twin analyse` "
                            f"ranks as it ranks policies; to see how the policies fare across it, make it an "
                            f"[[uncertainty]]")
        warnings += [f"{path}: [[lever]] {warning}" for warning in _lever_range_warnings(name, values, every_lever)]
    sampled = [(f"[[uncertainty]] {u.name!r}", u.name) for u in uncertain]
    sampled += [(f"[[lever]] {name!r}", name) for name, _ in levers
                if name != "scenario" and not name.startswith("lever.")]
    for scenario in running:  # a scenario's own value is replaced in its runs: said
        for what, name in sampled:
            if name in scenario.parameters:
                warnings.append(f"{path}: {what} replaces the {scenario.parameters[name]:g} that "
                                f"{Path(scenario.path).name} sets in its [parameters], in every run of it")
    return warnings


def _check_lever_in_scenarios(path: Path, position: int, name: str, scenarios: list[tuple[str, list]]) -> None:
    """Check that `lever.<name>` (or `lever.<name>.<setting>`) is a lever of each (path, levers) scenario,
    with that setting."""
    for scenario_path, scenario_levers in scenarios:
        lever_names = [lever_entry_name(lever) for lever in scenario_levers]
        if name.split(".")[1] not in lever_names:
            listed = (f" (its levers: {', '.join(lever_names)}; a lever without a `name` goes by its type)"
                      if lever_names else " (it has no levers)")
            raise ScenarioError(f"{path}: [[lever]] #{position} {name!r}: {Path(scenario_path).name} has no lever "
                                f"named {name.split('.')[1]!r}{did_you_mean(name.split('.')[1], lever_names)}{listed}")
        if name.count(".") == 2:
            try:
                lever_setting(name, scenario_levers, f"{path}: [[lever]] #{position}")
            except ParameterError as exc:
                raise ScenarioError(str(exc)) from None


def _lever_range_warnings(name: str, values: list, every_lever: list[dict]) -> list[str]:
    """Warnings of a lever's values beyond their plausible range: of the values, or of each numeric
    setting on its own when the values are tables of settings."""
    ranges = {name: [v for v in values if isinstance(v, (int, float))]}
    if name.count(".") == 1:  # a table of settings per value: each numeric setting on its own
        ranges = {}
        for settings in (json.loads(v) for v in values):
            for key, number in settings.items():
                if isinstance(number, (int, float)) and not isinstance(number, bool):
                    ranges.setdefault(f"{name}.{key}", []).append(number)
    warnings = []
    for quantity, numbers in ranges.items():
        warning = beyond_plausible(quantity, min(numbers), max(numbers), every_lever) if numbers else None
        if warning:
            warnings.append(warning)
    return warnings


def check_outcomes(path: Path, data: dict, years: float, running: list[Scenario], uncertain: list[Uncertain],
                   levers: list[tuple[str, list]]) -> tuple[list[Target], dict[str, bool]]:
    """The [[outcome]] entries as targets (at least one), and for each whether lower is better. An
    outcome's area is the UK or an area of the scenarios that run (the policy files' areas when the
    policies are files), as the areas file spells it, or it totals a region's or nation's areas
    (`region`, `nation`: as targets do, `targets.load_targets`)."""
    from twin.results import METRICS
    from twin.targets import target_area, target_groups

    geography = load_geography(running[0].areas_file)
    groups, per_area = target_groups(geography), {m.name: m.per_area for m in METRICS}
    outcomes, lower_is_better = [], {}
    for position, entry in enumerate(data.get("outcome", []), start=1):
        where = f"{path}: [[outcome]] #{position}"
        check_keys(path, f"[[outcome]] #{position}", entry, OUTCOME_KEYS)
        _check_outcome_name(where, entry, outcomes, uncertain, levers)
        if entry.get("better", "lower") not in BETTER:
            raise ScenarioError(f"{where}: better: expected one of {', '.join(BETTER)}, got "
                                f"{entry.get('better')!r}{did_you_mean(str(entry.get('better')), BETTER)}")
        lower_is_better[entry["name"]] = entry.get("better", "lower") == "lower"
        for key in ("area", "region", "nation"):
            if key in entry and not isinstance(entry[key], str):
                raise ScenarioError(f"{where}: {key}: expected a string in quotes, got {shown(entry[key])}")
        area, members = target_area(entry, where, geography.area_names, groups)
        _check_outcome_measure(where, entry, years)
        for key in ("metric", "ratio_of"):
            if area != "UK" and key in entry and not per_area[entry[key]]:
                raise ScenarioError(f"{where}: {key}: metric {entry[key]!r} is kept for the UK only, not per area; "
                                    f"expected no area, region or nation for it")
        if "better" not in entry and (entry.get("ratio_of") or not lower_plainly_better(str(entry.get("metric")))):
            measure = "a ratio" if entry.get("ratio_of") else repr(entry.get("metric"))
            raise ScenarioError(f"{where}: better: expected better = \"lower\" or \"higher\" for {measure}, where "
                                f"more may be better or worse (it may be left out only for a harm or cost, where lower "
                                f"is better)")
        outcomes.append(Target(entry["name"], 0.0, 1.0, "", entry["metric"], tuple(entry.get("years", [1, int(years)])),
                               entry.get("aggregation", "annual_sum"), area, entry.get("ratio_of"), areas=members))
    if not outcomes:
        raise ScenarioError(f"{path}: no [[outcome]] entries: expected at least one [[outcome]] table with a name "
                            f"and a metric (as named in trajectories.csv; docs/ODD.md lists them)")
    return outcomes, lower_is_better


def outcome_direction_warnings(path: Path, data: dict) -> list[str]:
    """`better = "higher"` on a harm, cost or count of crime (not a ratio): allowed, and said, since
    `twin analyse` would then rank the option with the most of it as the most robust."""
    return [f"{path}: [[outcome]] #{position} ({entry.get('name')}): better = \"higher\" on {entry['metric']!r}, a "
            f"harm, cost or count of crime: the option with the most of it ranks best (lower is better for it)"
            for position, entry in enumerate(data.get("outcome", []), start=1)
            if entry.get("better") == "higher" and not entry.get("ratio_of")
            and lower_plainly_better(str(entry.get("metric")))]


def _check_outcome_name(where: str, entry: dict, outcomes: list[Target], uncertain: list[Uncertain],
                        levers: list[tuple[str, list]]) -> None:
    """Check that an outcome has a name of its own: not another outcome's, nor a column of the results."""
    if "name" not in entry:
        raise ScenarioError(f"{where}: missing key 'name'")
    if not isinstance(entry["name"], str) or not entry["name"].strip():  # a column of the results, a line's label
        raise ScenarioError(f"{where}: name: expected a name in quotes, got {shown(entry['name'])}")
    from twin.csv_input import formula_like

    if formula_like(entry["name"]):  # a column of sweep_results.csv
        raise ScenarioError(f"{where}: name: {formula_like(entry['name'])}")
    if entry["name"] in [o.name for o in outcomes]:
        raise ScenarioError(f"{where}: name {entry['name']!r} is already used by another outcome")
    taken = {*RESULT_COLUMNS, *(u.name for u in uncertain), *(name for name, _ in levers)}
    if entry["name"] in taken:
        raise ScenarioError(f"{where}: name {entry['name']!r} is already a column of the sweep's results "
                            f"(a design column, an uncertainty or a lever); give the outcome its own name")


def _check_outcome_measure(where: str, entry: dict, years: float) -> None:
    """Check how an outcome is measured: a known metric (and ratio_of), an aggregation that suits it,
    and years within the experiment's horizon."""
    from twin.results import METRIC_NAMES

    if "metric" not in entry:
        raise ScenarioError(f"{where}: missing key 'metric'")
    for key in ("metric", "ratio_of"):
        if (key == "metric" or key in entry) and entry.get(key) not in METRIC_NAMES:
            raise ScenarioError(f"{where}: unknown {key} {entry.get(key)!r}"
                                f"{did_you_mean(str(entry.get(key)), METRIC_NAMES)}")
    aggregation = entry.get("aggregation", "annual_sum")
    check_aggregation_name(where, aggregation)
    check_aggregation(where, entry["metric"], aggregation)
    if (aggregation == "ratio") != ("ratio_of" in entry):
        raise ScenarioError(f"{where}: aggregation 'ratio' goes with ratio_of, and only with it")
    span = entry.get("years", [1, int(years)])
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(y, int) for y in span)
            and 1 <= span[0] <= span[1] <= years):
        raise ScenarioError(f"{where}: years: expected [first, last] with 1 <= first <= last <= {years:g} "
                            f"(the experiment's horizon), got {shown(span)}")


def check_run_count(path: Path, config: dict) -> None:
    """Refuse a design of more runs than one command may plan (design points x policies x replications)."""
    sampler, uncertain = config["sampler"], config["uncertain"]
    points = (int(sampler.get("levels", 3)) ** len(uncertain) if sampler["kind"] == "factorial"
              else int(sampler.get("size", 8))) if uncertain else 1
    policies = math.prod(len(values) for _, values in config["levers"])
    checks.check_design_size(path, points * policies * config["reps"],
                             f"{points:,} points x {policies:,} policies x {config['reps']:,} reps")
