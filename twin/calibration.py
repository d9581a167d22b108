"""Calibration: replications evaluated against targets, a point fit and ABC-SMC.

`evaluate` runs replications of a scenario and reads each target off them (`targets.py` holds
the targets, the fit table and its report). `point_fit` adjusts named parameters (within their
priors) to minimise the squared standardised misfit, on common random numbers, caching every
evaluation in the results database so that an interrupted fit resumes where it stopped.
`abc_fit` runs ABC-SMC (pyabc) over the priors through the project's executor.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import ParameterError, ScenarioError, did_you_mean
from twin.parameter_rules import check_sampled_ranges
from twin.parameters import as_sampled, is_whole
from twin.scenario import STEPS_PER_YEAR, Scenario, check_keys, load_scenario, read_toml
from twin.targets import Target, fit_table, load_targets, misfit, target_groups, target_values

@dataclass(frozen=True)
class FitTask:
    scenario: Scenario
    seed: int
    overrides: tuple[tuple[str, float], ...]
    targets: tuple[Target, ...]


def simulate_targets(task: FitTask, timings: dict[str, float] | None = None, kept: list | None = None) -> dict[str, float]:
    """One replication with parameter overrides; its target values (runs in a worker). Set-up and
    run seconds go into `timings` when it is given, and the run's results into `kept`."""
    import time

    from twin.runner import build_model

    scenario = task.scenario
    if task.overrides:
        scenario = replace(scenario, parameters={**scenario.parameters,
                                                 **{k: as_sampled(k, v) for k, v in task.overrides}})
    start = time.perf_counter()
    model = build_model(scenario, task.seed)
    built = time.perf_counter()
    model.run()
    if timings is not None:
        timings.update(setup_s=built - start, run_s=time.perf_counter() - built)
    if kept is not None:
        kept.append(model.results)
    return target_values(model.results, list(task.targets), STEPS_PER_YEAR[scenario.step])


def evaluate(scenario: Scenario, targets: list[Target], seeds: list[int], overrides: dict[str, float],
             executor, keep=None, draws: list[dict[str, float]] | None = None) -> pd.DataFrame:
    """Target values for each seed: a frame with one row per replication. With `keep` (a
    `sensitivity.Checkpoint` keyed on what the values depend on, `fit_key`), each replication is
    kept as it finishes and those kept before are read back, not run again. `draws`: each seed's
    own parameters besides `overrides` (a posterior's draws, `posterior.scenario_draws`)."""
    names = [t.name for t in targets]
    rows = kept_values(keep, seeds, names) if keep is not None else {}
    own = draws or [{}] * len(seeds)
    tasks = [FitTask(scenario, seed, tuple(sorted({**overrides, **drawn}.items())), tuple(targets))
             for seed, drawn in zip(seeds, own) if seed not in rows]

    def save(task, result) -> None:
        rows[task.seed] = result
        if keep is not None:
            keep.save(str(task.seed), [result[name] for name in names])

    try:
        for task, result in executor.run(simulate_targets, tasks):
            save(task, result)
    except KeyboardInterrupt:
        if keep is not None:  # the runs local workers finished in batches still out are kept too
            from twin.executor import store_salvaged

            store_salvaged(executor, save)
        raise
    return pd.DataFrame([rows[s] for s in seeds])


#: where `twin fit` keeps the replications finished so far, in its output folder (keyed on `fit_key`)
FIT_CHECKPOINT = "fit_runs.jsonl"


def kept_values(keep, seeds: list[int], names: list[str]) -> dict[int, dict[str, float]]:
    """The target values `keep` (a `sensitivity.Checkpoint`) holds for `seeds`: a list of one number
    per target name, or nothing (a line edited by hand, or of another shape, is run again)."""
    rows = {}
    for seed in seeds:
        values = keep.done.get(str(seed))
        if (isinstance(values, list) and len(values) == len(names)
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)):
            rows[seed] = dict(zip(names, map(float, values)))
    return rows


# ---------------------------------------------------------------------------------- point fit


@dataclass(frozen=True)
class Prior:
    name: str
    low: float
    high: float
    scale: str = "linear"  # or "log"

    def to_value(self, unit: float) -> float:
        """The parameter value at `unit` (0 to 1) along the prior's range (whole-number parameters rounded)."""
        unit = float(np.clip(unit, 0.0, 1.0))
        if self.scale == "log":
            return as_sampled(self.name, np.exp(np.log(self.low) + unit * (np.log(self.high) - np.log(self.low))))
        return as_sampled(self.name, self.low + unit * (self.high - self.low))

    def random_variable(self):
        """The prior as a pyabc random variable: uniform on the range, or on its logarithm."""
        import pyabc

        if self.scale == "log":
            return pyabc.RV("loguniform", self.low, self.high)
        return pyabc.RV("uniform", self.low, self.high - self.low)

    def to_unit(self, value: float) -> float:
        if self.scale == "log":
            return float((np.log(value) - np.log(self.low)) / (np.log(self.high) - np.log(self.low)))
        return (value - self.low) / (self.high - self.low)


CONFIG_KEYS = ("scenario", "targets", "method", "reps", "years", "seed", "max_evaluations", "workers", "out",
               "population_size", "generations", "minimum_epsilon", "posterior_size", "acceptor")
PRIOR_KEYS = ("name", "low", "high", "scale")
METHODS = ("point", "abc")
# Whole-number settings: (default, minimum). A population of ABC-SMC needs at least two particles.
#: an ABC population below this many particles is warned of (`load_config`)
FEW_PARTICLES = 20
#: the [calibration] keys only ABC-SMC reads
ABC_KEYS = ("population_size", "generations", "minimum_epsilon", "posterior_size", "acceptor")
#: how ABC-SMC accepts a particle: within an epsilon of the targets (a Euclidean ball in tolerances,
#: shrunk each generation), or by a Gaussian kernel reading each tolerance as its observation's
#: standard deviation, with a temperature annealed down to 1 (pyabc's StochasticAcceptor)
ACCEPTORS = ("epsilon", "kernel")
COUNTS = {"reps": (4, 1), "max_evaluations": (60, 1), "workers": (None, 1), "population_size": (40, 2),
          "generations": (4, 1), "posterior_size": (200, 1)}


def load_config(path: str | Path, seed: int | None = None) -> dict:
    """The calibration config at `path`, checked; `seed` (`--seed`) replaces its seed."""
    from twin import config_checks as checks
    from twin.geography import load_geography
    from twin.parameters import parameter_range, table_rows

    path = Path(path)
    data = checks.with_seed(read_toml(path, "calibration config"), "calibration", seed)
    checks.check_tables(path, data, ("calibration",), ("parameter",))
    table = data.get("calibration", {})
    check_keys(path, "calibration", table, CONFIG_KEYS)
    method = table.get("method", "point")
    if method not in METHODS:
        raise ScenarioError(f"{path}: [calibration] method: expected \"point\" or \"abc\", got {method!r}"
                            f"{did_you_mean(str(method), METHODS)}")
    most = {"reps": checks.MAX_REPS, "max_evaluations": checks.MAX_DESIGN_RUNS, "population_size": 100_000,
            "generations": 1_000, "posterior_size": 1_000_000, "workers": 1_024}  # a shared file asks no more
    counts = {key: checks.check_whole_number(path, "calibration", key, table[key], minimum, most[key]) if key in table
              else default for key, (default, minimum) in COUNTS.items()}
    from twin.executor import usable_cores

    cores = usable_cores()
    crowded = []
    if counts["workers"] is not None and counts["workers"] > cores:  # a file written for a larger machine
        crowded = [f"{path}: [calibration] workers = {counts['workers']} is more than the {cores} cores this command "
                   f"may use: "
                   f"{cores} are used (--workers asks for more)"]
        counts["workers"] = cores
    years = checks.check_years(path, "calibration", table.get("years", 3))
    seed = checks.check_seed(path, "calibration", table.get("seed", 1))
    minimum_epsilon = checks.check_number(path, "calibration", "minimum_epsilon", table.get("minimum_epsilon", 1.0),
                                          0)
    acceptor = table.get("acceptor", "epsilon")
    if acceptor not in ACCEPTORS:
        raise ScenarioError(f"{path}: [calibration] acceptor: expected \"epsilon\" (within a shrinking distance of "
                            f"the targets; the default) or \"kernel\" (tolerances read as standard deviations), got "
                            f"{acceptor!r}{did_you_mean(str(acceptor), ACCEPTORS)}")
    if acceptor == "kernel" and minimum_epsilon < 1:
        raise ScenarioError(f"{path}: [calibration] minimum_epsilon: with acceptor = \"kernel\" it is the temperature "
                            f"the fit anneals down to, and 1 is the posterior itself (below 1 would sharpen the "
                            f"likelihood beyond the tolerances); expected 1 or more, got {minimum_epsilon:g}")
    out = checks.check_string(path, "calibration", "out", table.get("out", "results/calibration"),
                              "a folder name in quotes")
    scenario_file = checks.check_input_file(path, "calibration", "scenario",
                                            table.get("scenario", "../scenarios/baseline.toml"), "scenario file")
    targets_file = checks.check_input_file(path, "calibration", "targets", table.get("targets", "targets.toml"),
                                           "targets file")
    entries = data.get("parameter", [])
    checks.check_parameter_entries(path, entries, PRIOR_KEYS)
    priors = []
    for position, entry in enumerate(entries, start=1):
        where = f"{path}: [[parameter]] #{position}"
        try:
            name, low, high = parameter_range(entry, where)
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
        scale = entry.get("scale", "linear")
        if scale not in ("linear", "log"):
            raise ScenarioError(f"{where}: scale: expected \"linear\" or \"log\", got {scale!r}"
                                f"{did_you_mean(scale, ('linear', 'log')) if isinstance(scale, str) else ''}")
        if scale == "log" and low <= 0:  # the range may be the parameter table's, low never written
            if "low" in entry:
                raise ScenarioError(f"{where}: low: scale = \"log\" needs a range above 0, got low = {low:g}")
            raise ScenarioError(f"{where}: scale: scale = \"log\" needs a range above 0, and with no low given the "
                                f"range is the parameter table's plausible one, from {low:g}; give low > 0, or "
                                f"scale = \"linear\"")
        priors.append(Prior(name, low, high, scale))
    if not priors:
        raise ScenarioError(f"{path}: no [[parameter]] to calibrate: expected at least one [[parameter]] table with "
                            f"a name (from `twin params`) and, optionally, low and high")
    scenario = load_scenario(scenario_file)
    checks.check_horizon(path, "calibration", scenario, years)
    from twin.preflight import preflight_warnings  # what `twin run` says of it; the calibrated values aside

    scenario_remarks = preflight_warnings([scenario], years, varied={p.name for p in priors})
    try:
        check_sampled_ranges({p.name: (p.low, p.high) for p in priors}, f"{path}: [[parameter]]",
                             scenario.build_parameters())
    except ParameterError as exc:
        raise ScenarioError(str(exc)) from None
    geography = load_geography(scenario.areas_file)
    targets = load_targets(targets_file, geography.area_names, target_groups(geography))
    from twin.targets import areas_targets_warning

    rows = {row.name: row for row in table_rows()}
    warnings = [f"{path}: [[parameter]] {p.name}: prior {p.low:g} to {p.high:g} goes beyond the parameter table's "
                f"plausible range {rows[p.name].low:g} to {rows[p.name].high:g}"
                for p in priors if p.name in rows and (p.low < rows[p.name].low or p.high > rows[p.name].high)]
    # Targets read later than the calibration horizon cannot be fitted by these runs.
    fitted = [t for t in targets if t.years[1] <= years]
    if not fitted:
        raise ScenarioError(f"{path}: [calibration] years = {years:g} is shorter than every target's years "
                            f"(the earliest ends in year {min(t.years[1] for t in targets)})")
    if method == "abc" and counts["max_evaluations"] < counts["population_size"]:
        warnings.append(f"{path}: [calibration] max_evaluations = {counts['max_evaluations']:,} is less than "
                        f"population_size = {counts['population_size']:,}: pyabc checks that budget only between "
                        f"generations, so the first alone runs at least {counts['population_size']:,} simulations; "
                        f"for a shorter trial lower population_size too")
    if method == "abc" and counts["population_size"] < FEW_PARTICLES:
        warnings.append(f"{path}: [calibration] population_size = {counts['population_size']}: the posterior's 5% "
                        f"and 95% rest on so few particles that they are near the lowest and highest, and its "
                        f"correlations on as few points; use {FEW_PARTICLES * 2} or more (the default) for conclusions")
    idle = [key for key in ABC_KEYS if key in table] if method != "abc" else []
    if idle:  # read by ABC-SMC only: a point fit runs without them
        warnings.append(f"{path}: [calibration] {', '.join(idle)} appl{'ies' if len(idle) == 1 else 'y'} only to "
                        f"method = \"abc\" and {'is' if len(idle) == 1 else 'are'} not read by this point fit")
    if method == "abc":
        from twin.calibration_abc import ABCDistance

        try:
            ABCDistance(fitted)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: {exc} within the calibration's {years:g} years (of the targets in "
                                f"{targets_file}, those within the years all have by_construction = true): expected a "
                                f"target the parameters move, in [[target]] of the targets file, or [calibration] "
                                f"years reaching one, or method = \"point\"") from None
    return {
        "scenario": scenario, "scenario_file": str(scenario_file), "targets_file": str(targets_file),
        "warnings": (scenario_remarks + crowded + warnings
                     + [w for w in [areas_targets_warning(scenario, targets_file)] if w]),
        "targets": fitted, "targets_beyond_horizon": [t.name for t in targets if t.years[1] > years],
        "method": method, "years": years, "seed": seed, "priors": priors,
        "reps": counts["reps"], "max_evaluations": counts["max_evaluations"],
        "population_size": counts["population_size"], "generations": counts["generations"],
        "minimum_epsilon": minimum_epsilon, "posterior_size": counts["posterior_size"], "out": out,
        "acceptor": acceptor,
        "workers": counts["workers"],  # --workers overrides it; None: all cores
    }


def fit_key(scenario: Scenario, targets: list[Target], priors: list[Prior], **settings) -> str:
    """What a stored fit depends on: the model's code (`ensemble.code_hash`: a changed model starts
    a new fit rather than resuming one made on the old), the scenario, what each target asks (not
    its source text; its by-construction flag, which keeps it out of the ABC distance), the priors
    and the fit's settings. A resumed fit must match it."""
    from twin.ensemble import code_hash

    asks = [{k: getattr(t, k) for k in ("name", "value", "tolerance", "metric", "area", "years", "aggregation",
                                        "ratio_of", "by_construction")} for t in targets]
    spec = {"code": code_hash(), "scenario": scenario.spec_hash(), "targets": asks,
            "priors": [p.__dict__ for p in priors], **settings}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


#: the point fit's misfit at a point where a target has no value (finite, so that it is stored)
UNDEFINED_MISFIT = 1e12


def point_fit(config: dict, executor, store, progress=None) -> dict:
    """Minimise the misfit over the priors with Nelder-Mead on the unit cube, on fixed seeds.

    Every evaluation is stored in the results database (table `calibration_evaluations`) under
    the configuration's hash; a repeated or resumed fit reads them back instead of running again.
    """
    from scipy.optimize import minimize

    from twin.ensemble import replicate_seeds

    scenario = replace(config["scenario"], years=config["years"])
    targets, priors = config["targets"], config["priors"]
    seeds = replicate_seeds(config["seed"], config["reps"])
    key = point_fit_key(config)
    history: list[dict] = []
    computed_here: set = set()  # points this run computed (clipped or rounded points can come again)

    def objective(unit: np.ndarray) -> float:
        overrides = {p.name: p.to_value(u) for p, u in zip(priors, unit)}
        cached = store.cached_evaluation(key, overrides)
        point = store.parameters_key(overrides)  # the store's identity of a point (rounded as it stores it)
        stored = cached is not None and point not in computed_here  # from an earlier run of this fit
        if cached is None:
            computed_here.add(point)
            table = fit_table(targets, evaluate(scenario, targets, seeds, overrides, executor))
            # a target with no value here (a ratio over zero) counts as far off, not as left out:
            # leaving it out would score the point better for losing a target
            cached = misfit(table) if table["evaluated"].all() else UNDEFINED_MISFIT
            store.save_evaluation(key, overrides, cached)
        history.append({**overrides, "misfit": cached, "from_database": stored})
        if progress:
            progress(len(history), config["max_evaluations"], cached, stored)
        return cached

    start = _start_unit(config)
    result = minimize(objective, start, method="Nelder-Mead",
                      options={"maxfev": config["max_evaluations"], "xatol": 1e-3, "fatol": 1e-3,
                               "initial_simplex": _simplex(start, priors)})
    # the best point evaluated: Nelder-Mead's `x` leaves out the points of an iteration that
    # max_evaluations cut short, which can be better (the first of equal misfits is taken)
    best_entry = min(history, key=lambda entry: entry["misfit"]) if history else None
    best = ({p.name: best_entry[p.name] for p in priors} if best_entry is not None
            else {p.name: p.to_value(u) for p, u in zip(priors, result.x)})
    misfit_best = best_entry["misfit"] if best_entry is not None else float(result.fun)
    return {"best": best, "misfit": float(misfit_best), "evaluations": len(history), "history": history,
            "seeds": seeds, "key": key, "from_database": sum(h["from_database"] for h in history),
            "converged": bool(result.success)}  # False: max_evaluations ran out before the simplex settled


def point_fit_key(config: dict) -> str:
    """The stored identity of a point fit of `config` (`fit_key`)."""
    from twin.ensemble import replicate_seeds

    scenario = replace(config["scenario"], years=config["years"])
    return fit_key(scenario, config["targets"], config["priors"], seeds=replicate_seeds(config["seed"], config["reps"]))


def abc_fit_key(config: dict) -> str:
    """The stored identity of an ABC-SMC fit of `config` (`fit_key`)."""
    scenario = replace(config["scenario"], years=config["years"])
    kernel = {"acceptor": "kernel"} if config.get("acceptor") == "kernel" else {}  # epsilon fits keep their keys
    return fit_key(scenario, config["targets"], config["priors"], population=config["population_size"],
                   seed=config["seed"], **kernel)


def _start_unit(config: dict) -> np.ndarray:
    """Where a point fit starts: the scenario's own values on the priors' unit cube, kept off its edges."""
    start = np.array([p.to_unit(config["scenario"].build_parameters().uk_value(p.name)) for p in config["priors"]])
    return np.clip(start, 0.05, 0.95)


def started_before(config: dict, store) -> bool:
    """Whether `store` holds this fit already (a rerun resumes it or only writes its report)."""
    if config["method"] == "abc":
        return store.abc_run(abc_fit_key(config)) is not None
    start = {p.name: p.to_value(u) for p, u in zip(config["priors"], _start_unit(config))}
    return store.cached_evaluation(point_fit_key(config), start) is not None


#: the unit-cube steps a point fit's first simplex tries along each parameter, the first that moves it
SIMPLEX_STEPS = (0.15, 0.3, 0.5, 0.9)


def _simplex(start: np.ndarray, priors: list[Prior]) -> np.ndarray:
    """Nelder-Mead's first simplex: `start` and one point a step along each parameter (up, or down
    near the top). A whole-number parameter's step is the first of `SIMPLEX_STEPS` that changes its
    rounded value: over a narrow range (3 to 4) a step of 0.15 rounded back to the start, and the fit
    never tried another value."""
    points = [start]
    for k, prior in enumerate(priors):
        for step in SIMPLEX_STEPS:
            point = start.copy()
            point[k] = point[k] + step if point[k] + step <= 1 else max(point[k] - step, 0.0)
            if prior.to_value(point[k]) != prior.to_value(start[k]):
                break
        points.append(point)
    return np.array(points)


# ---------------------------------------------------------------------------------- ABC-SMC


def parameter_table(priors: list[Prior], defaults: dict[str, float], best: dict[str, float],
                    particles: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per calibrated parameter: its unit, the value the scenario gave it before the fit,
    its prior, and what the fit made of it. For ABC-SMC, the posterior median and 90% credible
    interval (weighted 5th and 95th percentiles of the last generation's `particles`, with their
    `weight` column; the values the runs used, whole numbers rounded) and the share of the prior's
    own 90% range that interval keeps (1: the targets did not narrow it; 0.3: they cut it to under
    a third); for a point fit, the best value."""
    from twin.calibration_abc import weighted_quantiles
    from twin.parameters import table_rows

    units = {row.name: row.unit for row in table_rows()}
    rows = []
    for p in priors:
        row = {"parameter": p.name, "unit": units.get(p.name, ""), "before the fit": defaults[p.name],
               "prior": f"{'log-uniform' if p.scale == 'log' else 'uniform'} {p.low:,.12g} to {p.high:,.12g}"}
        if particles is None:
            row["best value"] = best[p.name]
        else:
            used = np.array([as_sampled(p.name, v) for v in particles[p.name]], dtype=float)
            low, high = weighted_quantiles(used, particles["weight"].to_numpy(), [0.05, 0.95])
            # the prior's own 90% range as it is drawn (a whole-number parameter's rounded, as its
            # posterior's values are: against the unrounded range, 3 to 4 kept 1.11 of it)
            prior_low, prior_high = p.to_value(0.05), p.to_value(0.95)
            span = (np.log(prior_high / prior_low) if p.scale == "log" else prior_high - prior_low)
            kept = np.log(high / low) if p.scale == "log" else high - low
            keeps = kept / span if span > 0 else float("nan")
            row.update({"posterior median": best[p.name], "credible 5%": float(low), "credible 95%": float(high),
                        "share of prior's 90% range": float(keeps)})
        rows.append(row)
    return pd.DataFrame(rows)


#: the outer share of a prior's range (on its own scale) that counts as its edge for `edge_notes`
PRIOR_EDGE = 0.2


def edge_notes(priors: list[Prior], fitted: pd.DataFrame) -> list[str]:
    """Parameters the fit pushed against an end of their prior (`parameter_table`'s rows): a point
    fit's best value within the outer 1% of the range, an ABC posterior's whole 90% credible interval
    within its outer `PRIOR_EDGE`. The targets would take them further: the prior (the plausible
    range) or the model is in question, and the other parameters' values are fitted around it. A
    whole-number parameter whose prior holds five values or fewer has no edge to speak of."""
    notes = []
    for prior, row in zip(priors, fitted.to_dict("records")):
        if is_whole(prior.name) and math.floor(prior.high) - math.ceil(prior.low) + 1 <= round(1 / PRIOR_EDGE):
            continue  # a prior of a few whole values has no edge: every value is at or next to an end
        if "best value" in row:
            at = prior.to_unit(row["best value"])
            end = "upper" if at >= 0.99 else "lower" if at <= 0.01 else None
            said = f"its best value {row['best value']:.4g}"
        else:
            low, high = prior.to_unit(row["credible 5%"]), prior.to_unit(row["credible 95%"])
            end = "upper" if low >= 1 - PRIOR_EDGE else "lower" if high <= PRIOR_EDGE else None
            said = f"its 90% credible interval {row['credible 5%']:.4g} to {row['credible 95%']:.4g}"
        if end:
            notes.append(f"{prior.name}: {said} lies at the {end} end of its prior ({prior.low:g} to {prior.high:g}): "
                         f"the targets push it beyond the range, so that range (or the model) is in question, and "
                         f"the other parameters are fitted around a value held at its edge")
    return notes


def weighted_correlation(x, y, weights) -> float:
    """Pearson's correlation of x and y with each pair counted by its weight (NaN without spread)."""
    covariance = np.cov(np.asarray(x, float), np.asarray(y, float), aweights=np.asarray(weights, float))
    spread = covariance[0, 0] * covariance[1, 1]
    return float(covariance[0, 1] / np.sqrt(spread)) if spread > 0 else float("nan")


def posterior_figure(posterior: pd.DataFrame, priors: list[Prior], path: Path) -> str:
    """Marginals on the diagonal, pairwise scatter below it, of the weighted particles (a `weight`
    column; without it, of equally likely draws): histograms and correlations by the weights, each
    point's area in proportion to its weight (the fit report's intervals are the weighted ones; the
    resample's repeated rows would add its noise). Returns the PNG as base64."""

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    weights = posterior["weight"].to_numpy(float) if "weight" in posterior else np.ones(len(posterior))
    area = 6.0 * weights / weights.mean() if weights.sum() > 0 else np.full(len(posterior), 6.0)
    d = len(priors)
    figure, axes = plt.subplots(d, d, figsize=(2.4 * d, 2.4 * d), dpi=90, squeeze=False)
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            axis = axes[i, j]
            if i == j:
                axis.hist(posterior[pi.name], bins=20, range=(pi.low, pi.high), weights=weights, color="#2a7f62")
            elif i > j:
                axis.scatter(posterior[pj.name], posterior[pi.name], s=area, alpha=0.5, color="#2a7f62")
                axis.set_xlim(pj.low, pj.high)
                axis.set_ylim(pi.low, pi.high)
                corr = weighted_correlation(posterior[pj.name], posterior[pi.name], weights)
                axis.set_title(f"r = {corr:+.2f}", fontsize=7)
            else:
                axis.axis("off")
            axis.tick_params(labelsize=6)
            if i == d - 1:
                axis.set_xlabel(pj.name, fontsize=6)
            if j == 0:
                axis.set_ylabel(pi.name, fontsize=6)
    figure.tight_layout()
    return figure_png(figure, path)
