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
                                            # (area = "Kent", region = "North West" or nation =
                                            #  "Wales" reads one area or totals its areas; UK if none)

Every uncertainty sample is crossed with every lever setting; replicate r of sample i uses the
same seed for every lever setting (paired). Runs go through the executor (local processes, or a
Dask cluster with `--cluster`), batched so dispatch stays small next to the work, and land in the
results database as an experiment whose "scenarios" are the design points: interrupted sweeps
resume, and results do not depend on the engine or the number of workers. Each run also keeps its
yearly UK totals of every metric, from which the UK outcomes are read (`sweep_reading.py`): an
outcome added to the file later needs no run.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import re
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.calibration import FitTask, simulate_targets
from twin.targets import yearly_sums
from twin.config_checks import with_seed
from twin.errors import DatabaseFailed, ScenarioError
from twin.scenario import STEPS_PER_YEAR, Scenario, lever_entry_name, load_scenario
from twin.sensitivity import Uncertain, apply_values
from twin.parameters import as_sampled
from twin.sweep_experiment import (
    base_scenario, check_lever_names, check_lever_tables, check_levers, check_outcomes, check_reps_and_seed,
    check_run_count, check_sampler, check_tables, check_uncertainties, outcome_direction_warnings, policy_scenarios,
    read_experiment_file,
)
from twin.run_reuse import reusable_runs, run_key, stored_outcome
from twin.executor import crashed_run, store_salvaged


@dataclass(frozen=True)
class SweepTask:
    point: int
    replicate: int
    seed: int
    scenario_id: int
    fit: FitTask


def load_experiment(path: str | Path, seed: int | None = None) -> dict:
    """An experiment file read and checked, every mistake reported (naming the file and the entry) before
    any run starts: its name, base scenario, replications, seed, sampler, uncertainties, levers (each with
    the values to try), outcomes, which way each outcome is better, and warnings of values beyond their
    plausible ranges. Each step is in `sweep_experiment`. `seed` (`--seed`) replaces the file's root seed."""
    from twin.register_sources import table_digest

    table_digest.cache_clear()  # a register's table is read afresh for each sweep (edited since: another)
    path = Path(path)
    data = with_seed(read_experiment_file(path), "experiment", seed)
    table = check_tables(path, data)
    base = base_scenario(path, table)
    check_reps_and_seed(path, table)
    sampler = check_sampler(path, data)
    running = policy_scenarios(path, data, base)  # the base, or each policy scenario file
    uncertain = check_uncertainties(path, data, base, running)
    levers = check_levers(path, data, uncertain)
    check_lever_tables(path, levers, uncertain)
    warnings = check_lever_names(path, base, running, uncertain, levers)
    outcomes, lower_is_better = check_outcomes(path, data, base.years, running, uncertain, levers)
    warnings += outcome_direction_warnings(path, data)
    whole = int(base.years)
    if base.years > whole and any("years" not in entry for entry in data.get("outcome", [])):
        warnings.append(f"{path}: [[outcome]] without 'years' are read over years 1-{whole}, whole years: the last "
                        f"{base.years - whole:g} year of the {base.years:g}-year horizon is in none of them")
    config = {"name": table.get("name", path.stem), "base": base, "reps": int(table.get("reps", 1)),
              "seed": int(table.get("seed", 1)), "sampler": sampler, "uncertain": uncertain, "levers": levers,
              "warnings": warnings, "outcomes": outcomes, "path": str(path), "lower_is_better": lower_is_better}
    check_run_count(path, config)
    points = check_design(config)
    # the design's own values beyond their ranges are said above, of the [[lever]] that gives them: not again
    # of each policy (`_lever_range_warnings`; a policy's other settings beyond theirs are said of it)
    said_of = sorted({m.group(1).rsplit(".", 1)[-1] for w in config["warnings"]  # (a table's: lever.funding.<setting>)
                      if (m := re.search(r"\[\[lever\]\] ([\w.]+): .* goes beyond its plausible", w))})
    again = re.compile(r"\b(" + "|".join(map(re.escape, said_of)) + r") = .* is beyond its plausible range") \
        if said_of else None
    from twin.sweep_notes import policy_warnings

    config["warnings"] += [w for w in policy_warnings(config, points)
                           if w not in config["warnings"] and not (again and again.search(w))]
    return config


def check_design(config: dict) -> pd.DataFrame:
    """Build every design point's parameters and levers once, so that a misspelt lever setting or
    an out-of-range value is reported before any run starts (not as a failure of every run); returns
    the design's points (`design`)."""
    from twin.geography import load_geography
    from twin.scenario_levers import check_lever_targets
    from twin.runner import check_named_groups

    points = design(config)
    geographies = {}
    names = [c for c in points.columns if c not in ("sample", "policy")]
    from twin.errors import UserError
    from twin.register import synthetic_register

    # values valid one by one that a synthetic register cannot use together (a register of millions)
    # fail only as the model is built: a register is drawn for each set of values of the parameters
    # a draw reads (`_Reading`; a draw is a function of them alone), not for each design point
    drawn: dict[str | None, list[tuple[tuple[str, ...], tuple]]] = {}
    loaded = loaded_policies(points)
    for k, (name, _) in enumerate(config["levers"], start=1):  # a policy's own file wrong whatever the future
        for path, policy in loaded.items() if name == "scenario" else ():
            try:
                policy.build_parameters()
                if policy.areas_file not in geographies:
                    geographies[policy.areas_file] = load_geography(policy.areas_file)
                check_lever_targets(policy, geographies[policy.areas_file])
                check_named_groups(policy)
            except (UserError, ValueError, TypeError) as exc:
                raise ScenarioError(f"{config['path']}: the policy [[lever]] #{k} scenario = {path} is not a valid "
                                    f"scenario on its own (whatever the sampled future): {exc}") from None
    for row in points.to_dict(orient="records"):
        try:
            scenario = point_scenario(config["base"], row, names, loaded)
            params = scenario.build_parameters()
            if scenario.areas_file not in geographies:
                geographies[scenario.areas_file] = load_geography(scenario.areas_file)
            check_lever_targets(scenario, geographies[scenario.areas_file])
            check_named_groups(scenario)
            earlier = drawn.setdefault(scenario.areas_file, [])
            if (not scenario.register or scenario.complete_register) and not any(
                    tuple(getattr(params, n) for n in read) == values for read, values in earlier):
                reading = _Reading(params)
                synthetic_register(geographies[scenario.areas_file], reading, np.random.default_rng(0))
                read = tuple(sorted(reading.read)) if reading.read is not None else tuple(params.uk_values())
                earlier.append((read, tuple(getattr(params, n) for n in read)))
        except (UserError, ValueError, TypeError) as exc:
            setting = ", ".join(
                [f"[[lever]] #{k} {n} = {row[n]}" for k, (n, _) in enumerate(config["levers"], start=1)]
                + [f"[[uncertainty]] #{k} {u.name} = {row[u.name]:.6g} (sampled future {row['sample']})"
                   for k, u in enumerate(config["uncertain"], start=1)]) or "the base scenario's settings"
            raise ScenarioError(f"{config['path']}: the design point with {setting} is not a valid scenario: "
                                f"{exc}") from None
    return points


class _Reading:
    """Parameters that note the names read from them (`read`; None once a method is called, whose
    reads are not seen): a function of the parameters that reads only these gives the same result
    for any parameters with the same values of them."""

    def __init__(self, params):
        self._params, self.read = params, set()

    def __getattr__(self, name: str):
        value = getattr(self._params, name)
        if callable(value):
            self.read = None
        elif self.read is not None:
            self.read.add(name)
        return value

    def __getitem__(self, name: str):
        return self.__getattr__(name)


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


def loaded_policies(points: pd.DataFrame) -> dict[str, Scenario]:
    """The policies that are scenario files, each loaded once (not once for each of its points)."""
    return {path: load_scenario(path) for path in dict.fromkeys(points["scenario"])} if "scenario" in points else {}


def point_scenario(base: Scenario, row: dict, names: list[str], loaded: dict[str, Scenario] | None = None) -> Scenario:
    """The base scenario with a design point's values: parameters, lever settings, and whole
    groups of lever settings (`lever.<name>` with a table value, e.g. a budget split); a policy's
    scenario file from `loaded` (`loaded_policies`) when there."""
    groups = [n for n in names if n.startswith("lever.") and n.count(".") == 1]
    scalars = [n for n in names if n not in groups and n != "scenario"]
    if "scenario" in names:  # a policy that is a whole scenario file (its levers and overrides)
        chosen = (loaded or {}).get(row["scenario"]) or load_scenario(row["scenario"])
        base = replace(chosen, years=base.years, parameters={**chosen.parameters})
    scenario = apply_values(base, [Uncertain(n, 0.0, 1.0) for n in scalars],
                            np.array([row[n] for n in scalars], dtype=float))
    if groups:
        levers = [dict(l) for l in scenario.levers]
        for name in groups:
            settings = json.loads(row[name])
            for lever in levers:
                if lever_entry_name(lever) == name.split(".")[1]:
                    lever.update(settings)
        scenario = replace(scenario, levers=levers)
    return scenario


def sweep_spec(config: dict, points: pd.DataFrame, info: dict) -> tuple[dict, str]:
    """The sweep's specification and its hash (which identifies it in the database)."""
    if "scenario" in points:  # policies that are scenario files: identified by content, not path
        hashes = {path: scenario.spec_hash() for path, scenario in loaded_policies(points).items()}
        points = points.assign(scenario=[hashes[p] for p in points["scenario"]])
    # Not the number of replicates: replicate r's seed does not depend on it (`replicate_seeds`), so
    # asking for more runs only the new ones, and fewer reads the first ones (`sweep_results`).
    with np.errstate(over="ignore"):  # (a value near the float limit rounds to inf: a warning in numpy's words)
        rounded = points.round(12).to_dict("list")
    spec = {"experiment": config["name"], "base": config["base"].spec_hash(), "points": rounded,
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


def sample_seeds(config: dict, sample: int) -> list[int]:
    """The replicates' seeds of a sampled future: its policies share them (paired)."""
    from twin.ensemble import replicate_seeds

    return replicate_seeds(config["seed"] * 1_000_003 + sample, config["reps"])


def sweep_plan(config: dict, store=None) -> dict:
    """What `twin sweep` would run, running and storing nothing: the futures, policies, design points
    and runs, and how many of those runs a stored sweep of the same file and code has finished."""
    from twin.ensemble import provenance

    points = design(config)
    info = provenance()
    _, spec_hash = sweep_spec(config, points, info)
    experiment_id = store.experiment_by_hash(spec_hash) if store is not None else None
    finished, done = 0, set()
    if experiment_id is not None:
        runs = store.runs_frame(experiment_id)
        runs = runs[(runs.status == "done") & (runs.replicate < config["reps"])]
        finished, done = len(runs), set(zip(runs.position, runs.replicate))
    kept = 0  # finished runs kept in files while the database was locked: stored by the next command
    if experiment_id is not None and store.kept_folder().is_dir():
        from twin.kept_runs import kept_files, read_kept

        experiment = store.experiment_key(experiment_id)
        position = {sid: k for k, (sid, _) in enumerate(experiment.scenarios)}
        for path in kept_files(store.kept_folder(), experiment):
            try:  # as `Store._keep` wrote it, and the next command will read it
                sid, replicate, _, outcome = read_kept(path, experiment)
            except (OSError, ValueError, TypeError, KeyError):
                continue  # not a kept run: the next command warns of it
            key = (position.get(sid), replicate)
            counted = (key[0] is not None and replicate < config["reps"] and key not in done
                       and outcome["status"] == "done")
            if counted:
                kept += 1
                done.add(key)  # (once)
    finished += kept
    copyable = 0  # runs of the same points, seeds and code in earlier sweeps (`run_reuse`)
    if store is not None and all(o.area == "UK" for o in config["outcomes"]):
        earlier = reusable_runs(store, -1 if experiment_id is None else experiment_id, info["code_hash"],
                                info["packages"])
        names, loaded = [c for c in points.columns if c not in ("sample", "policy")], loaded_policies(points)
        for k, row in enumerate(points.to_dict(orient="records")) if earlier else ():
            key = run_key(point_scenario(config["base"], row, names, loaded))
            seeds = sample_seeds(config, row["sample"])
            copyable += sum((key, seed) in earlier for r, seed in enumerate(seeds) if (k, r) not in done)
    return {"futures": int(points["sample"].nunique()), "policies": int(points["policy"].nunique()),
            "points": len(points), "reps": config["reps"], "runs": len(points) * config["reps"],
            "finished": finished, "kept": kept, "experiment_id": experiment_id, "copyable": copyable}


def run_sweep(config: dict, store, executor, progress: bool = True, chunk: int | None = None,
              shard: tuple[int, int] | None = None) -> dict:
    """Run the design's runs not yet stored (or copied from earlier sweeps), storing each as it finishes;
    with `shard` (I, N), only part I of N: every N-th (sampled future, replicate), whose policies share
    a spin-up, so N commands at once run each run once. The same runs and results whatever N. `executor`
    may be a function making one, called only when runs are left to do."""
    from twin.ensemble import provenance, warn_of_package_changes

    points = design(config)
    names = [c for c in points.columns if c not in ("sample", "policy")]
    info = provenance()
    spec, spec_hash = sweep_spec(config, points, info)
    records, loaded = points.to_dict(orient="records"), loaded_policies(points)
    scenarios: dict[int, Scenario] = {}

    def scenario(k: int) -> Scenario:  # a design point's scenario, built when needed (a stored sweep needs few)
        if k not in scenarios:
            row = records[k]
            scenarios[k] = replace(point_scenario(config["base"], row, names, loaded),
                                   name=f"point_{row['sample']}_{row['policy']}")
        return scenarios[k]

    # the points' scenarios are stored with a new experiment; one already stored keeps its own
    stored = store.experiment_by_hash(spec_hash) is not None
    experiment_id = store.experiment(
        spec_hash, config["name"], {**spec, "path": config["path"]}, config["seed"], "sweep",
        [] if stored else [{"name": scenario(k).name, "spec_hash": scenario(k).spec_hash(),
                            "resolved": {**scenario(k).to_dict(), "inputs": row, "run_key": run_key(scenario(k))}}
                           for k, row in enumerate(records)], info)
    warn_of_package_changes(store, experiment_id, info["packages"])
    ids = store.scenario_ids(experiment_id)
    done = store.done_runs(experiment_id)
    seeds = {sample: sample_seeds(config, sample) for sample in points["sample"].unique()}
    # A sample's policies for one replicate run back to back: they share a spin-up in the worker
    # that runs them (`runner.build_model`). The order changes no result, only the work.
    sample_of = points["sample"].to_numpy()
    groups = shard_groups(points, config["reps"], shard)
    order = [(int(k), r) for sample, r in groups for k in np.flatnonzero(sample_of == sample)]
    tasks = [SweepTask(k, r, seeds[sample_of[k]][r], ids[k],
                       FitTask(scenario(k), seeds[sample_of[k]][r], (), tuple(config["outcomes"])))
             for k, r in order if (ids[k], r) not in done]
    store.check_can_store(len(tasks))
    copied = 0
    if tasks and all(o.area == "UK" for o in config["outcomes"]):  # runs an earlier sweep made (`run_reuse`)
        earlier = reusable_runs(store, experiment_id, info["code_hash"], info["packages"])
        if earlier:
            left = []
            for task in tasks:
                source = earlier.get((run_key(task.fit.scenario), task.seed))
                if source is None:
                    left.append(task)
                else:  # (False: another command stored the run meanwhile, with the same results)
                    copied += store.write_run(experiment_id, task.scenario_id, task.replicate, task.seed,
                                              stored_outcome(store, source))
            tasks = left
    # batches of whole (sampled future, replicate) groups, which share a spin-up (`executor.batches`),
    # unless there are too few groups to keep the workers busy
    if not hasattr(executor, "run"):  # made when needed: a sweep whose runs are all stored compiles nothing
        executor = executor() if tasks else None
    workers = max(getattr(executor, "workers", 1), 1)
    group = lambda task: (sample_of[task.point], task.replicate)  # noqa: E731
    sizes = collections.Counter(group(task) for task in tasks)
    if not chunk:
        chunk = max(1, min(8, len(tasks) // (4 * workers)))
        chunk = max(chunk, max(sizes.values())) if len(sizes) >= 2 * workers else chunk
    start, write_s = time.perf_counter(), 0.0
    failed: list[tuple[str, int, str]] = []
    bar = None
    if progress and tasks:
        from twin.progress import progress_bar

        bar = progress_bar(len(tasks), "run", "sweep")
    try:
        for task, outcome in (executor.run(_run_point, tasks, chunk=chunk, crashed=crashed_run, group=group)
                              if executor else ()):
            t0 = time.perf_counter()
            store.write_run(experiment_id, task.scenario_id, task.replicate, task.seed, outcome)
            write_s += time.perf_counter() - t0
            if outcome["status"] != "done":
                failed.append((task.fit.scenario.name, task.replicate, outcome["error"].splitlines()[0]))
            if bar:
                bar.update(1)
    except (KeyboardInterrupt, DatabaseFailed) as stop:  # the runs finished in batches in flight are stored too
        store.stopping = True
        if executor:
            store_salvaged(executor, lambda task, outcome: store.write_run(
                experiment_id, task.scenario_id, task.replicate, task.seed, outcome))
        if isinstance(stop, DatabaseFailed):
            store.check_kept()  # with the count of runs kept (in files: the database failed)
        raise
    finally:
        if bar:
            bar.close()
    store.check_kept()  # runs the database would not take: said, and the command stops
    return {"experiment_id": experiment_id, "ran": len(tasks), "copied": copied,
            "reused": len(order) - len(tasks) - copied,  # (of this shard's, with --shard)
            "planned": len(order),  # the runs of this part (with --shard), or of the whole sweep
            "groups": int(points["sample"].nunique()) * config["reps"],  # (sampled future, replicate) pairs
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
        from twin.errors import UserError

        trace = "" if isinstance(exc, UserError) else f"\n{traceback.format_exc(limit=8)}"  # a bug's trace
        return {"status": "failed", "started_at": started, "error": f"{type(exc).__name__}: {exc}{trace}"}


def shard_groups(points: pd.DataFrame, reps: int, shard: tuple[int, int] | None = None) -> list[tuple]:
    """The design's (sampled future, replicate) groups, whose policies run back to back and share a
    spin-up; with `shard` (I, N), every N-th from the I-th: part I of N (`--shard`)."""
    groups = [(sample, r) for sample in points["sample"].unique() for r in range(reps)]
    return groups if shard is None else [group for g, group in enumerate(groups) if g % shard[1] == shard[0] - 1]


def policy_files(config: dict) -> list[str]:
    """The scenario files an experiment's policies are (none when its policies are settings)."""
    return next((list(values) for name, values in config["levers"] if name == "scenario"), [])


def experiment_step(config: dict) -> str:
    """The step length of an experiment's runs: its base's, or, when the policies are scenario
    files, theirs (each runs as its file says, and they share their step: `ensemble.check_comparable`)."""
    files = policy_files(config)
    return load_scenario(files[0]).step if files else config["base"].step
