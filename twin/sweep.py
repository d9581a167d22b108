"""Batch experiment sweeps: uncertainties x lever settings x replications, declared in a file.

An experiment file (`experiments/*.toml`) declares, in the exploratory-modelling vocabulary:

    [experiment]
    name = "chb_design"
    base = "../scenarios/chb_pilot.toml"     # the scenario every run starts from
    years = 5
    reps = 2                                # replications per design point (paired seeds)
    seed = 1

    [sampler]
    kind = "lhs"                            # lhs | sobol | montecarlo | factorial
    size = 16                               # samples of the uncertainties (a power of 2 for sobol)

    [[uncertainty]]                         # a parameter and its range
    name = "recruitment_fill_rate_per_month"
    low = 0.05
    high = 0.3

    [[lever]]                               # a lever setting and the values to try (full factorial)
    name = "lever.chb.hold_years"           # lever.<lever name>.<setting>, or a parameter name
    values = [0, 2, 4]                      # (lever.<lever name> with tables sets several at once;
                                            #  name = "scenario" with scenario files compares scenarios,
                                            #  each run as its file says: the base then sets only years;
                                            #  they share step, start, spin-up, areas and scale)

    [[outcome]]                             # how outcomes are read (as calibration targets are)
    name = "harm_gbp_a_year_y1_5"
    metric = "harm_gbp_total"
    years = [1, 5]
    aggregation = "annual_sum"              # the mean of the years' totals (undiscounted)
    better = "lower"                        # lower | higher: which way is better (for regret)

Every uncertainty sample is crossed with every lever setting; replicate r of sample i uses the
same seed for every lever setting (paired). Runs go through the executor (local processes, or a
Dask cluster with `--cluster`), batched so dispatch stays small next to the work, and land in the
results database as an experiment whose "scenarios" are the design points: interrupted sweeps
resume, and results do not depend on the engine or the number of workers. Each run also keeps its
yearly UK totals of every metric, from which the UK outcomes are read (`sweep_reading.py`): an
outcome added to the file later needs no run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.calibration import FitTask, simulate_targets
from twin.targets import Target, check_aggregation, yearly_sums
from twin.errors import ScenarioError, area_hint, did_you_mean, shown
from twin.geography import canonical_name
from twin.scenario import STEPS_PER_YEAR, Scenario, check_keys, load_scenario, nearby_file, read_toml
from twin.sensitivity import Uncertain, apply_values
from twin.parameters import as_sampled

SAMPLERS = ("lhs", "sobol", "montecarlo", "factorial")
BETTER = ("lower", "higher")  # an outcome's better direction, for regret
EXPERIMENT_KEYS = ("name", "base", "years", "reps", "seed")


@dataclass(frozen=True)
class SweepTask:
    point: int
    replicate: int
    seed: int
    scenario_id: int
    fit: FitTask


#: the columns every sweep's results hold beside its uncertainties, levers and outcomes
RESULT_COLUMNS = ("run_id", "point", "position", "sample", "policy", "scenario", "replicate", "seed", "status",
                  "setup_s", "run_s", "error")


def load_experiment(path: str | Path) -> dict:
    from twin.results import METRIC_NAMES

    path = Path(path)
    data = read_toml(path, "experiment file")
    if not data:
        raise ScenarioError(f"{path}: the file is empty (an experiment file has at least an [experiment] table "
                            f"naming its base scenario; see experiments/chb_design.toml)")
    table = data.get("experiment", {})
    check_keys(path, "", data, ("experiment", "sampler", "uncertainty", "lever", "outcome"))
    for key, kind in (("experiment", "table"), ("sampler", "table"), ("uncertainty", "list"), ("lever", "list"),
                      ("outcome", "list")):
        value = data.get(key, {} if kind == "table" else [])
        if kind == "table" and not isinstance(value, dict):
            raise ScenarioError(f"{path}: '{key}' must be a table ([{key}])")
        if kind == "list" and not (isinstance(value, list) and all(isinstance(e, dict) for e in value)):
            raise ScenarioError(f"{path}: '{key}' must be a list of tables ([[{key}]], with double brackets)")
    check_keys(path, "experiment", table, EXPERIMENT_KEYS)
    where = f"{path}: [experiment]"
    if "base" not in table:
        raise ScenarioError(f"{where}: missing key 'base' (the scenario every run starts from)")
    from twin import config_checks as checks

    base_file = checks.check_input_file(path, "experiment", "base", table["base"], "scenario file")
    checks.check_name(path, "experiment", table.get("name", path.stem))
    base = load_scenario(base_file)
    years = checks.check_years(path, "experiment", table.get("years", base.years))
    base = replace(base, years=years)
    try:
        base.n_steps  # noqa: B018 (raises when the horizon is shorter than one step)
    except ScenarioError as exc:
        raise ScenarioError(f"{where} years = {years:g}: {str(exc).split(': ', 1)[-1]}") from None
    checks.check_whole_number(path, "experiment", "reps", table.get("reps", 1), 1, checks.MAX_REPS)
    checks.check_seed(path, "experiment", table.get("seed", 1))
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
                                f"got {shown(value)}")
    if sampler["kind"] == "sobol" and sampler.get("size", 8) & (sampler.get("size", 8) - 1):
        raise ScenarioError(f"{path}: [sampler] size: a sobol sample needs a power of 2, got {sampler['size']}")
    from twin.errors import ParameterError
    from twin.parameters import parameter_range

    # The scenarios that will run: the base, or each policy scenario when policies are scenario files.
    running = [base]
    for position, entry in enumerate(data.get("lever", []), start=1):
        values = entry.get("values") if isinstance(entry, dict) and entry.get("name") == "scenario" else None
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):  # else: refused below
            for value in values:
                file = path.parent / value
                if not file.is_file():
                    raise ScenarioError(f"{path}: [[lever]] #{position} (scenario): values: file '{value}' not found next to "
                                        f"the experiment{nearby_file(file, relative_to=path.parent)} (paths are relative to the "
                                        f"experiment's own folder, {path.parent.resolve()})")
            running = [load_scenario((path.parent / v).resolve()) for v in values]
            _check_base_used(path, base)
            from twin.ensemble import check_comparable  # policies compared: same timing, areas and scale

            check_comparable([replace(s, years=base.years) for s in running], base.years)
    uncertain = []
    for position, entry in enumerate(data.get("uncertainty", []), start=1):
        if "name" not in entry:
            raise ScenarioError(f"{path}: [[uncertainty]] #{position}: missing key 'name' (the parameter to vary)")
        check_keys(path, f"[[uncertainty]] #{position}", entry, ("name", "low", "high"))
        try:
            for scenario in running:  # a lever uncertainty must act in every scenario that runs
                in_scenario = scenario is not base and str(entry["name"]).startswith("lever.")  # a lever of that file
                where_u = f"{path}: [[uncertainty]] #{position}" + (f" (in {Path(scenario.path).name})"
                                                                    if in_scenario else "")
                found = Uncertain(*parameter_range(entry, where_u, scenario.levers))
            uncertain.append(found)
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
        if uncertain[-1].name in [u.name for u in uncertain[:-1]]:
            raise ScenarioError(f"{path}: [[uncertainty]] #{position}: {uncertain[-1].name!r} is already an uncertainty")
    levers = []
    for position, entry in enumerate(data.get("lever", []), start=1):
        check_keys(path, f"[[lever]] #{position}", entry, ("name", "values"))
        if "name" not in entry or not isinstance(entry.get("values"), list) or not entry["values"]:
            raise ScenarioError(f"{path}: [[lever]] #{position}: expected a name and a non-empty list of values")
        if not isinstance(entry["name"], str):
            raise ScenarioError(f"{path}: [[lever]] #{position}: name: expected a lever setting or parameter name in "
                                f"quotes, got {shown(entry['name'])}")
        group = entry["name"].startswith("lever.") and entry["name"].count(".") == 1
        for value in entry["values"]:
            expected = (dict if group else str if entry["name"] == "scenario" else (int, float))
            if isinstance(value, bool) or not isinstance(value, expected):
                words = ("tables of lever settings" if group else "scenario file names" if entry["name"] == "scenario"
                         else "numbers")
                raise ScenarioError(f"{path}: [[lever]] #{position} ({entry['name']}): values must be {words}, "
                                    f"got {shown(value)}")
        values = [json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in entry["values"]]
        if entry["name"] == "scenario":  # policies that are whole scenarios, by file
            values = [str((path.parent / v).resolve()) for v in values]
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
    for name, values in levers:  # a lever's table of settings must not set what another entry varies
        if name.startswith("lever.") and name.count(".") == 1:
            keys = set().union(*(json.loads(v).keys() for v in values))
            for other in [u.name for u in uncertain] + [n for n, _ in levers]:
                if other.startswith(name + ".") and other[len(name) + 1:] in keys:
                    kind = "[[uncertainty]]" if other in [u.name for u in uncertain] else "[[lever]]"
                    raise ScenarioError(f"{path}: [[lever]] {name!r} sets '{other[len(name) + 1:]}', which the "
                                        f"{kind} {other!r} also sets; set it in one place")
    from twin.parameters import Parameters

    from twin.parameters import beyond_plausible, lever_setting

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
            raise ScenarioError(f"{path}: unknown parameter {name!r}{did_you_mean(name, defaults.as_dict())}")
        if name.startswith("lever."):
            for scenario_path, scenario_levers in scenarios:
                lever_names = [l.get("name", l.get("type")) for l in scenario_levers]
                if name.split(".")[1] not in lever_names:
                    raise ScenarioError(f"{path}: [[lever]] #{position} {name!r}: {Path(scenario_path).name} has no lever named "
                                        f"{name.split('.')[1]!r}{did_you_mean(name.split('.')[1], lever_names)}")
                if name.count(".") == 2:
                    try:
                        lever_setting(name, scenario_levers, f"{path}: [[lever]] #{position}")
                    except ParameterError as exc:
                        raise ScenarioError(str(exc)) from None
        ranges = {name: [v for v in values if isinstance(v, (int, float))]}
        if name.count(".") == 1:  # a table of settings per value: each numeric setting on its own
            ranges = {}
            for settings in (json.loads(v) for v in values):
                for key, number in settings.items():
                    if isinstance(number, (int, float)) and not isinstance(number, bool):
                        ranges.setdefault(f"{name}.{key}", []).append(number)
        for quantity, numbers in ranges.items():
            warning = beyond_plausible(quantity, min(numbers), max(numbers), every_lever) if numbers else None
            if warning:
                warnings.append(f"{path}: [[lever]] {warning}")
    outcomes, lower_is_better = [], {}
    from twin.targets import AGGREGATIONS
    from twin.geography import load_geography

    areas = load_geography(running[0].areas_file).area_names  # the policy files' areas when they are files

    for position, entry in enumerate(data.get("outcome", []), start=1):
        where_outcome = f"{path}: [[outcome]] #{position}"
        check_keys(path, f"[[outcome]] #{position}", entry,
                   ("name", "metric", "years", "aggregation", "area", "ratio_of", "better"))
        if "name" not in entry:
            raise ScenarioError(f"{where_outcome}: missing key 'name'")
        if entry["name"] in [o.name for o in outcomes]:
            raise ScenarioError(f"{where_outcome}: name {entry['name']!r} is already used by another outcome")
        taken = {*RESULT_COLUMNS, *(u.name for u in uncertain), *(name for name, _ in levers)}
        if entry["name"] in taken:
            raise ScenarioError(f"{where_outcome}: name {entry['name']!r} is already a column of the sweep's results "
                                f"(a design column, an uncertainty or a lever); give the outcome its own name")
        if entry.get("better", "lower") not in BETTER:
            raise ScenarioError(f"{where_outcome}: better: expected one of {', '.join(BETTER)}, got "
                                f"{entry.get('better')!r}{did_you_mean(str(entry.get('better')), BETTER)}")
        lower_is_better[entry["name"]] = entry.get("better", "lower") == "lower"
        area = entry.get("area", "UK")
        found = canonical_name(str(area), ["UK", *areas])  # the total or an area, in any case, as spelt there
        if found is None:
            raise ScenarioError(f"{where_outcome}: area: unknown area {area!r}{area_hint(str(area), areas)}")
        area = entry["area"] = found
        if "metric" not in entry:
            raise ScenarioError(f"{where_outcome}: missing key 'metric'")
        for key in ("metric", "ratio_of"):
            if (key == "metric" or key in entry) and entry.get(key) not in METRIC_NAMES:
                raise ScenarioError(f"{where_outcome}: unknown {key} {entry.get(key)!r}"
                                    f"{did_you_mean(str(entry.get(key)), METRIC_NAMES)}")
        aggregation = entry.get("aggregation", "annual_sum")
        if aggregation not in AGGREGATIONS:
            raise ScenarioError(f"{where_outcome}: aggregation: expected one of {', '.join(AGGREGATIONS)}, "
                                f"got {shown(aggregation)}{did_you_mean(str(aggregation), AGGREGATIONS)}")
        check_aggregation(where_outcome, entry["metric"], aggregation)
        if (aggregation == "ratio") != ("ratio_of" in entry):
            raise ScenarioError(f"{where_outcome}: aggregation 'ratio' goes with ratio_of, and only with it")
        span = entry.get("years", [1, int(years)])
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(y, int) for y in span)
                and 1 <= span[0] <= span[1] <= years):
            raise ScenarioError(f"{where_outcome}: years: expected [first, last] with 1 <= first <= last <= {years:g} "
                                f"(the experiment's horizon), got {shown(span)}")
        outcomes.append(Target(entry["name"], 0.0, 1.0, "", entry["metric"], tuple(entry.get("years", [1, int(years)])),
                               entry.get("aggregation", "annual_sum"), entry.get("area", "UK"), entry.get("ratio_of")))
    if not outcomes:
        raise ScenarioError(f"{path}: no [[outcome]] entries")
    config = {"name": table.get("name", path.stem), "base": base, "reps": int(table.get("reps", 1)),
            "seed": int(table.get("seed", 1)), "sampler": sampler, "uncertain": uncertain, "levers": levers,
            "warnings": warnings,
            "outcomes": outcomes, "path": str(path), "lower_is_better": lower_is_better}
    points = (int(sampler.get("levels", 3)) ** len(uncertain) if sampler["kind"] == "factorial"
              else int(sampler.get("size", 8))) if uncertain else 1
    policies = math.prod(len(values) for _, values in levers)
    checks.check_design_size(path, points * policies * config["reps"],
                             f"{points:,} points x {policies:,} policies x {config['reps']:,} reps")
    check_design(config)
    return config


def check_design(config: dict) -> None:
    """Build every design point's parameters and levers once, so that a misspelt lever setting or
    an out-of-range value is reported before any run starts (not as a failure of every run)."""
    from twin.geography import load_geography
    from twin.interventions import check_lever_targets
    from twin.runner import check_named_groups

    points = design(config)
    geographies = {}
    names = [c for c in points.columns if c not in ("sample", "policy")]
    from twin.errors import UserError

    for row in points.to_dict(orient="records"):
        try:
            scenario = point_scenario(config["base"], row, names)
            scenario.build_parameters()
            if scenario.areas_file not in geographies:
                geographies[scenario.areas_file] = load_geography(scenario.areas_file)
            check_lever_targets(scenario, geographies[scenario.areas_file])
            check_named_groups(scenario)
        except (UserError, ValueError, TypeError) as exc:
            setting = ", ".join(f"[[lever]] #{k} {n} = {row[n]}" for k, (n, _) in enumerate(config["levers"], start=1)
                                ) or "the base scenario's settings"
            raise ScenarioError(f"{config['path']}: the design point with {setting} is not a valid scenario: {exc}") from None


def design(config: dict) -> pd.DataFrame:
    """The design points: uncertainty samples crossed with lever settings (one row each)."""
    from scipy.stats import qmc

    uncertain, sampler = config["uncertain"], config["sampler"]
    size, seed = int(sampler.get("size", 8)), config["seed"]
    if uncertain:
        d = len(uncertain)
        kind = sampler["kind"]
        if kind == "lhs":
            unit = qmc.LatinHypercube(d=d, seed=seed).random(size)
        elif kind == "sobol":
            unit = qmc.Sobol(d=d, scramble=True, seed=seed).random(size)
        elif kind == "montecarlo":
            unit = np.random.default_rng(seed).random((size, d))
        else:
            levels = int(sampler.get("levels", 3))
            unit = np.array(list(itertools.product(np.linspace(0, 1, levels), repeat=d)))
        lows = np.array([u.low for u in uncertain])
        highs = np.array([u.high for u in uncertain])
        samples = pd.DataFrame(lows + unit * (highs - lows), columns=[u.name for u in uncertain])
        for u in uncertain:  # as the runs take them (whole-number parameters rounded): analysed as run
            samples[u.name] = [as_sampled(u.name, v) for v in samples[u.name]]
    else:
        samples = pd.DataFrame(index=[0])
    samples.insert(0, "sample", np.arange(len(samples)))
    settings = [dict(zip([n for n, _ in config["levers"]], values))
                for values in itertools.product(*[v for _, v in config["levers"]])] or [{}]
    rows = [{**s, "policy": k, **policy} for s in samples.to_dict(orient="records")
            for k, policy in enumerate(settings)]
    return pd.DataFrame(rows)


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


def point_scenario(base: Scenario, row: dict, names: list[str]) -> Scenario:
    """The base scenario with a design point's values: parameters, lever settings, and whole
    groups of lever settings (`lever.<name>` with a table value, e.g. a budget split)."""
    groups = [n for n in names if n.startswith("lever.") and n.count(".") == 1]
    scalars = [n for n in names if n not in groups and n != "scenario"]
    if "scenario" in names:  # a policy that is a whole scenario file (its levers and overrides)
        chosen = load_scenario(row["scenario"])
        base = replace(chosen, years=base.years, parameters={**chosen.parameters})
    scenario = apply_values(base, [Uncertain(n, 0.0, 1.0) for n in scalars],
                            np.array([row[n] for n in scalars], dtype=float))
    if groups:
        levers = [dict(l) for l in scenario.levers]
        for name in groups:
            settings = json.loads(row[name])
            for lever in levers:
                if lever.get("name", lever.get("type")) == name.split(".")[1]:
                    lever.update(settings)
        scenario = replace(scenario, levers=levers)
    return scenario


def sweep_spec(config: dict, points: pd.DataFrame, info: dict) -> tuple[dict, str]:
    """The sweep's specification and its hash (which identifies it in the database)."""
    if "scenario" in points:  # policies that are scenario files: identified by content, not path
        points = points.assign(scenario=[load_scenario(p).spec_hash() for p in points["scenario"]])
    # Not the number of replicates: replicate r's seed does not depend on it (`replicate_seeds`), so
    # asking for more runs only the new ones, and fewer reads the first ones (`sweep_results`).
    spec = {"experiment": config["name"], "base": config["base"].spec_hash(), "points": points.round(12).to_dict("list"),
            "seed": config["seed"], "outcomes": [o.__dict__ for o in config["outcomes"]], "code": info["code_hash"]}
    # Nor the UK outcomes: each run keeps its yearly UK totals (`run_series`), from which they are read
    # (`sweep_results`), so adding or changing one reuses the runs; an area's outcome needs the runs.
    identity = {**spec, "outcomes": [o.__dict__ for o in config["outcomes"] if o.area != "UK"]}
    return spec, hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:32]


def find_sweep(config: dict, store) -> int | None:
    """The database id of this sweep (same file, same code), if it has been run."""
    from twin.ensemble import provenance

    _, spec_hash = sweep_spec(config, design(config), provenance())
    return store.experiment_by_hash(spec_hash)


def run_sweep(config: dict, store, executor, progress: bool = True, chunk: int | None = None) -> dict:
    from twin.ensemble import provenance, replicate_seeds, warn_of_package_changes

    points = design(config)
    names = [c for c in points.columns if c not in ("sample", "policy")]
    info = provenance()
    spec, spec_hash = sweep_spec(config, points, info)
    scenarios = []
    for row in points.to_dict(orient="records"):
        scenario = replace(point_scenario(config["base"], row, names), name=f"point_{row['sample']}_{row['policy']}")
        scenarios.append(scenario)
    experiment_id = store.experiment(
        spec_hash, config["name"], {**spec, "path": config["path"]}, config["seed"], "sweep",
        [{"name": s.name, "spec_hash": s.spec_hash(), "resolved": {**s.to_dict(), "inputs": row}}
         for s, row in zip(scenarios, points.to_dict(orient="records"))], info)
    warn_of_package_changes(store, experiment_id, info["packages"])
    ids = store.scenario_ids(experiment_id)
    done = store.done_runs(experiment_id)
    seeds = {sample: replicate_seeds(config["seed"] * 1_000_003 + sample, config["reps"])
             for sample in points["sample"].unique()}
    # A sample's policies for one replicate run back to back: they share a spin-up in the worker
    # that runs them (`runner.build_model`). The order changes no result, only the work.
    sample_of = points["sample"].to_numpy()
    order = [(int(k), r) for sample in points["sample"].unique() for r in range(config["reps"])
             for k in np.flatnonzero(sample_of == sample)]
    tasks = [SweepTask(k, r, seeds[sample_of[k]][r], ids[k],
                       FitTask(scenarios[k], seeds[sample_of[k]][r], (), tuple(config["outcomes"])))
             for k, r in order if (ids[k], r) not in done]
    chunk = chunk or max(1, min(8, len(tasks) // (4 * max(getattr(executor, "workers", 1), 1)) or 1))
    start, write_s = time.perf_counter(), 0.0
    failed: list[tuple[str, int, str]] = []
    bar = None
    if progress and tasks:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), unit="run", desc="sweep", dynamic_ncols=True)
    try:
        for task, outcome in executor.run(_run_point, tasks, chunk=chunk):
            t0 = time.perf_counter()
            store.write_run(experiment_id, task.scenario_id, task.replicate, task.seed, outcome)
            write_s += time.perf_counter() - t0
            if outcome["status"] != "done":
                failed.append((task.fit.scenario.name, task.replicate, outcome["error"].splitlines()[0]))
            if bar:
                bar.update(1)
    finally:
        if bar:
            bar.close()
    return {"experiment_id": experiment_id, "ran": len(tasks), "reused": len(points) * config["reps"] - len(tasks),
            "points": len(points), "chunk": chunk,
            "wall_s": time.perf_counter() - start, "write_s": write_s, "failed": failed}


def _run_point(task: SweepTask) -> dict:
    import datetime
    import traceback

    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        timings: dict[str, float] = {}
        kept: list = []
        values = simulate_targets(task.fit, timings, kept)
        names, yearly = yearly_sums(kept[0], STEPS_PER_YEAR[task.fit.scenario.step])
        series = zlib.compress(json.dumps({"metrics": names, "yearly": yearly.tolist()}).encode())
        return {"status": "done", "started_at": started, **timings, "trajectories": [], "area_results": [],
                "summary": {k: float(v) for k, v in values.items()}, "series": series}
    except Exception as exc:
        return {"status": "failed", "started_at": started,
                "error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"}


def policy_files(config: dict) -> list[str]:
    """The scenario files an experiment's policies are (none when its policies are settings)."""
    return next((list(values) for name, values in config["levers"] if name == "scenario"), [])


def experiment_step(config: dict) -> str:
    """The step length of an experiment's runs: its base's, or, when the policies are scenario
    files, theirs (each runs as its file says, and they share their step: `ensemble.check_comparable`)."""
    files = policy_files(config)
    return load_scenario(files[0]).step if files else config["base"].step
