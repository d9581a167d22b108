"""Calibration targets, goodness of fit, and a point fit of uncertain parameters.

`calibration/targets.toml` lists what the twin should reproduce (value, tolerance, source, and
how to read it off the model). `evaluate_fit` runs replications of a scenario and compares the
simulated mean and 90% interval of each target with its value; `write_fit_report` writes
`fit.json` and `fit.html`. `point_fit` adjusts named parameters (within their priors) to
minimise the squared standardised misfit, on common random numbers, caching every evaluation in
the results database so that an interrupted fit resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import ParameterError, ScenarioError, did_you_mean
from twin.scenario import STEPS_PER_YEAR, Scenario, check_keys, load_scenario, read_toml

TARGET_KEYS = ("name", "value", "tolerance", "source", "metric", "ratio_of", "area", "years", "aggregation")
AGGREGATIONS = ("annual_sum", "mean", "ratio")


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    tolerance: float
    source: str
    metric: str
    years: tuple[int, int]
    aggregation: str
    area: str = "UK"
    ratio_of: str | None = None


def load_targets(path: str | Path) -> list[Target]:
    from twin.results import METRIC_NAMES

    path = Path(path)
    data = read_toml(path, "targets file")
    targets = []
    for position, entry in enumerate(data.get("target", []), start=1):
        where = f"{path}: [[target]] #{position}"
        for key in entry:
            if key not in TARGET_KEYS:
                raise ScenarioError(f"{where}: unknown key '{key}'{did_you_mean(key, TARGET_KEYS)}")
        for key in ("name", "value", "tolerance", "source", "metric", "years", "aggregation"):
            if key not in entry:
                raise ScenarioError(f"{where}: missing key '{key}'")
        for key in ("metric", "ratio_of"):
            if key in entry and entry[key] not in METRIC_NAMES:
                raise ScenarioError(f"{where}: {key}: unknown metric '{entry[key]}'{did_you_mean(entry[key], METRIC_NAMES)}")
        if entry["aggregation"] not in AGGREGATIONS:
            raise ScenarioError(f"{where}: aggregation: expected one of {', '.join(AGGREGATIONS)}")
        if (entry["aggregation"] == "ratio") != ("ratio_of" in entry):
            raise ScenarioError(f"{where}: aggregation 'ratio' goes with ratio_of, and only with it")
        years = entry["years"]
        if not (isinstance(years, list) and len(years) == 2 and 1 <= years[0] <= years[1]):
            raise ScenarioError(f"{where}: years: expected [first, last] with 1 <= first <= last, got {years!r}")
        if not entry["tolerance"] > 0:
            raise ScenarioError(f"{where}: tolerance: expected a number > 0")
        targets.append(Target(entry["name"], float(entry["value"]), float(entry["tolerance"]), entry["source"],
                              entry["metric"], (int(years[0]), int(years[1])), entry["aggregation"],
                              entry.get("area", "UK"), entry.get("ratio_of")))
    if not targets:
        raise ScenarioError(f"{path}: no [[target]] entries")
    return targets


def target_values(results, targets: list[Target], steps_per_year: int) -> dict[str, float]:
    """Each target's value in one run's results (NaN if the run is shorter than its years)."""
    out = {}
    for target in targets:
        first, last = (target.years[0] - 1) * steps_per_year, target.years[1] * steps_per_year
        if last > results.steps_recorded:
            out[target.name] = float("nan")
            continue
        series = results.series(target.metric, target.area)[first:last]
        if target.aggregation == "annual_sum":
            out[target.name] = float(series.sum() / (target.years[1] - target.years[0] + 1))
        elif target.aggregation == "mean":
            out[target.name] = float(series.mean())
        else:
            denominator = results.series(target.ratio_of, target.area)[first:last].sum()
            out[target.name] = float(series.sum() / denominator) if denominator else float("nan")
    return out


@dataclass(frozen=True)
class FitTask:
    scenario: Scenario
    seed: int
    overrides: tuple[tuple[str, float], ...]
    targets: tuple[Target, ...]


def simulate_targets(task: FitTask, timings: dict[str, float] | None = None) -> dict[str, float]:
    """One replication with parameter overrides; its target values (runs in a worker). Set-up and
    run seconds go into `timings` when it is given."""
    import time

    from twin.runner import build_model

    scenario = task.scenario
    if task.overrides:
        scenario = replace(scenario, parameters={**scenario.parameters, **dict(task.overrides)})
    start = time.perf_counter()
    model = build_model(scenario, task.seed)
    built = time.perf_counter()
    model.run()
    if timings is not None:
        timings.update(setup_s=built - start, run_s=time.perf_counter() - built)
    return target_values(model.results, list(task.targets), STEPS_PER_YEAR[scenario.step])


def evaluate(scenario: Scenario, targets: list[Target], seeds: list[int], overrides: dict[str, float],
             executor) -> pd.DataFrame:
    """Target values for each seed: a frame with one row per replication."""
    tasks = [FitTask(scenario, seed, tuple(sorted(overrides.items())), tuple(targets)) for seed in seeds]
    rows = {task.seed: result for task, result in executor.run(simulate_targets, tasks)}
    return pd.DataFrame([rows[s] for s in seeds])


def fit_table(targets: list[Target], simulated: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in targets:
        values = simulated[t.name].dropna().to_numpy()
        mean = float(values.mean()) if values.size else float("nan")
        rows.append({
            "target": t.name, "observed": t.value, "tolerance": t.tolerance, "simulated_mean": mean,
            "simulated_p5": float(np.percentile(values, 5)) if values.size else float("nan"),
            "simulated_p95": float(np.percentile(values, 95)) if values.size else float("nan"),
            "standardised_error": (mean - t.value) / t.tolerance,
            "within_tolerance": bool(abs(mean - t.value) <= t.tolerance),
            "metric": t.metric, "area": t.area, "years": f"{t.years[0]}-{t.years[1]}", "aggregation": t.aggregation,
            "source": t.source,
        })
    return pd.DataFrame(rows)


def misfit(table: pd.DataFrame) -> float:
    """Sum of squared standardised errors (the point fit's objective)."""
    return float((table["standardised_error"] ** 2).sum())


def write_fit_report(table: pd.DataFrame, out_dir: Path, title: str, notes: list[str],
                     extra_images: list[tuple[str, str]] = (), extra: dict | None = None) -> tuple[Path, Path]:

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "fit.json"
    json_path.write_text(json.dumps({"title": title, "notes": notes, "misfit": misfit(table),
                                     "targets": table.to_dict(orient="records"), **(extra or {})},
                                    indent=2, default=float))
    figure, axis = plt.subplots(figsize=(8, 0.32 * len(table) + 1.2), dpi=100)
    y = np.arange(len(table))[::-1]
    low = (table["simulated_p5"] - table["observed"]) / table["tolerance"]
    high = (table["simulated_p95"] - table["observed"]) / table["tolerance"]
    centre = table["standardised_error"]
    colours = ["#2a7f62" if ok else "#b8432f" for ok in table["within_tolerance"]]
    axis.hlines(y, low, high, color=colours, linewidth=3, alpha=0.5)
    axis.scatter(centre, y, color=colours, zorder=3)
    axis.axvspan(-1, 1, color="#dddddd", alpha=0.5, linewidth=0)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_yticks(y, table["target"], fontsize=7)
    axis.set_xlabel("(simulated - observed) / tolerance: mean and 90% interval; grey band = within tolerance")
    figure.tight_layout()
    image = figure_png(figure, out_dir / "fit.png")
    missed = table[~table["within_tolerance"]]
    verdict = ("Every target is met within its tolerance." if missed.empty else
               f"{len(missed)} of {len(table)} targets are missed: " + ", ".join(missed["target"]) + ".")
    shown = table.copy()
    for column in ("observed", "tolerance", "simulated_mean", "simulated_p5", "simulated_p95"):
        shown[column] = shown[column].map(lambda v: f"{v:,.4g}")
    shown["standardised_error"] = shown["standardised_error"].map(lambda v: f"{v:+.2f}")
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body {{ font-family: Georgia, serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; font-family: sans-serif; font-size: .8em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: right; }}
td:last-child {{ text-align: left; }} img {{ max-width: 100%; }}</style></head><body>
<h1>{html.escape(title)}</h1><p><strong>{html.escape(verdict)}</strong></p>
{''.join(f'<p>{html.escape(n)}</p>' for n in notes)}
<img alt="fit to targets" src="data:image/png;base64,{image}">
{shown.to_html(index=False, border=0, escape=True)}
{''.join(f'<h2>{html.escape(t)}</h2><img alt="{html.escape(t)}" src="data:image/png;base64,{b}">' for t, b in extra_images)}
</body></html>"""
    html_path = out_dir / "fit.html"
    html_path.write_text(page)
    return json_path, html_path


# ---------------------------------------------------------------------------------- point fit


@dataclass(frozen=True)
class Prior:
    name: str
    low: float
    high: float
    scale: str = "linear"  # or "log"

    def to_value(self, unit: float) -> float:
        unit = float(np.clip(unit, 0.0, 1.0))
        if self.scale == "log":
            return float(np.exp(np.log(self.low) + unit * (np.log(self.high) - np.log(self.low))))
        return self.low + unit * (self.high - self.low)

    def to_unit(self, value: float) -> float:
        if self.scale == "log":
            return float((np.log(value) - np.log(self.low)) / (np.log(self.high) - np.log(self.low)))
        return (value - self.low) / (self.high - self.low)


CONFIG_KEYS = ("scenario", "targets", "method", "reps", "years", "seed", "max_evaluations", "workers", "out",
               "population_size", "generations", "minimum_epsilon", "posterior_size")


def load_config(path: str | Path) -> dict:
    from twin.parameters import parameter_range

    path = Path(path)
    data = read_toml(path, "calibration config")
    table = data.get("calibration", {})
    check_keys(path, "calibration", table, CONFIG_KEYS)
    priors = []
    for position, entry in enumerate(data.get("parameter", []), start=1):
        where = f"{path}: [[parameter]] #{position}"
        try:
            name, low, high = parameter_range(entry, where)
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
        scale = entry.get("scale", "linear")
        if scale not in ("linear", "log") or (scale == "log" and low <= 0):
            raise ScenarioError(f"{where}: scale: expected \"linear\" or \"log\" (with low > 0)")
        priors.append(Prior(name, low, high, scale))
    if not priors:
        raise ScenarioError(f"{path}: no [[parameter]] to calibrate")
    if table.get("method", "point") not in ("point", "abc"):
        raise ScenarioError(f"{path}: [calibration] method: expected \"point\" or \"abc\", got {table.get('method')!r}")
    base = path.parent
    years = float(table.get("years", 3))
    targets = load_targets(base / table.get("targets", "targets.toml"))
    # Targets read later than the calibration horizon cannot be fitted by these runs.
    fitted = [t for t in targets if t.years[1] <= years]
    if not fitted:
        raise ScenarioError(f"{path}: years = {years:g} is shorter than every target's years")
    return {
        "scenario": load_scenario(base / table.get("scenario", "../scenarios/baseline.toml")),
        "targets": fitted, "targets_beyond_horizon": [t.name for t in targets if t.years[1] > years],
        "method": table.get("method", "point"),
        "reps": int(table.get("reps", 4)), "years": years, "seed": int(table.get("seed", 1)),
        "max_evaluations": int(table.get("max_evaluations", 60)), "priors": priors,
        "population_size": int(table.get("population_size", 40)), "generations": int(table.get("generations", 4)),
        "minimum_epsilon": float(table.get("minimum_epsilon", 1.0)),
        "posterior_size": int(table.get("posterior_size", 200)),
        "out": str(table.get("out", "results/calibration")),
    }


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
    key = hashlib.sha256(json.dumps({"scenario": scenario.spec_hash(), "targets": [t.name for t in targets],
                                     "priors": [p.__dict__ for p in priors], "seeds": seeds},
                                    sort_keys=True).encode()).hexdigest()[:24]
    history: list[dict] = []

    def objective(unit: np.ndarray) -> float:
        overrides = {p.name: p.to_value(u) for p, u in zip(priors, unit)}
        cached = store.cached_evaluation(key, overrides)
        if cached is None:
            table = fit_table(targets, evaluate(scenario, targets, seeds, overrides, executor))
            cached = misfit(table)
            store.save_evaluation(key, overrides, cached)
        history.append({**overrides, "misfit": cached})
        if progress:
            progress(len(history), config["max_evaluations"], cached)
        return cached

    start = np.array([p.to_unit(config["scenario"].build_parameters()[p.name]) for p in priors])
    start = np.clip(start, 0.05, 0.95)
    result = minimize(objective, start, method="Nelder-Mead",
                      options={"maxfev": config["max_evaluations"], "xatol": 1e-3, "fatol": 1e-3,
                               "initial_simplex": _simplex(start)})
    best = {p.name: p.to_value(u) for p, u in zip(priors, result.x)}
    return {"best": best, "misfit": float(result.fun), "evaluations": len(history), "history": history,
            "seeds": seeds, "key": key}


def _simplex(start: np.ndarray, step: float = 0.15) -> np.ndarray:
    points = [start]
    for k in range(start.size):
        point = start.copy()
        point[k] = point[k] + step if point[k] + step <= 1 else point[k] - step
        points.append(point)
    return np.array(points)


# ---------------------------------------------------------------------------------- ABC-SMC


class ABCModel:
    """The twin as a pyabc model: parameters in, target values out (one replication; its seed
    comes from the particle's seeded random state, see `executor_sampler`)."""

    def __init__(self, scenario: Scenario, targets: list[Target]):
        self.scenario, self.targets = scenario, tuple(targets)

    def __call__(self, parameters) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        overrides = tuple(sorted((k, float(v)) for k, v in dict(parameters).items()))
        values = simulate_targets(FitTask(self.scenario, seed, overrides, self.targets))
        return {k: (v if np.isfinite(v) else 1e30) for k, v in values.items()}


class ABCDistance:
    """Euclidean distance in units of each target's tolerance (a distance of 1 is one tolerance)."""

    def __init__(self, targets: list[Target]):
        self.tolerance = {t.name: t.tolerance for t in targets}

    def __call__(self, simulated: dict, observed: dict) -> float:
        return float(np.sqrt(sum(((simulated[k] - observed[k]) / tol) ** 2 for k, tol in self.tolerance.items())))


def _simulate_particle(task: tuple[bytes, int]):
    """One pyabc particle in a worker: unpickle pyabc's sampling closure, seed, simulate."""
    import random

    import cloudpickle

    payload, seed = task
    simulate_one = cloudpickle.loads(payload)
    random.seed(seed)
    np.random.seed(seed)
    return simulate_one()


def executor_sampler(executor, seed: int):
    """A pyabc sampler that runs particles through the project's executor (local processes,
    in-process, or a cluster executor), in seeded batches taken in order, so that a fit gives the
    same populations whatever the number of workers."""
    import cloudpickle
    from pyabc.sampler import Sampler

    class ExecutorSampler(Sampler):
        def __init__(self):
            super().__init__()
            self.batch_counter = 0

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            payload = cloudpickle.dumps(simulate_one)
            sample = self._create_empty_sample()
            evaluations, accepted = 0, 0
            while accepted < n and evaluations < max_eval:
                size = max(2 * getattr(executor, "workers", 1), 2 * (n - accepted))
                self.batch_counter += 1
                seeds = np.random.SeedSequence([seed, int(t) + 1, self.batch_counter]).generate_state(size)
                tasks = [(payload, int(s)) for s in seeds]
                by_seed = {task[1]: particle for task, particle in executor.run(_simulate_particle, tasks)}
                for s in seeds:  # in seed order, not arrival order
                    if accepted >= n:
                        break
                    particle = by_seed[int(s)]
                    sample.append(particle)
                    evaluations += 1
                    accepted += bool(particle.accepted)
            self.nr_evaluations_ = evaluations
            if accepted < n:
                sample.ok = False
            return sample

    return ExecutorSampler()


def abc_fit(config: dict, store, workers: int | None, log=print) -> dict:
    """ABC-SMC (pyabc) over the priors, through the project's executor; history in the results
    database; resumable.

    The pyabc history lives in the same database as the results (its own tables). A fit with the
    same configuration continues the earlier run's populations instead of starting again.
    """
    try:
        import pyabc
    except ImportError:
        raise ScenarioError('method = "abc" needs pyabc: pip install -e ".[calibrate]"') from None
    scenario = replace(config["scenario"], years=config["years"])
    targets, priors = config["targets"], config["priors"]
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors})
    from twin.executor import make_executor

    executor = make_executor(workers)
    sampler = executor_sampler(executor, config["seed"])
    abc = pyabc.ABCSMC(ABCModel(scenario, targets), prior, ABCDistance(targets),
                       population_size=config["population_size"], sampler=sampler)
    key = hashlib.sha256(json.dumps({"scenario": scenario.spec_hash(), "targets": [t.name for t in targets],
                                     "priors": [p.__dict__ for p in priors], "population": config["population_size"],
                                     "seed": config["seed"]}, sort_keys=True).encode()).hexdigest()[:24]
    np.random.seed(config["seed"])
    url = store.url if not store.url.startswith("postgresql://") else "postgresql+psycopg://" + store.url[13:]
    _prepare_pyabc_tables(store)
    previous = store.abc_run(key)
    if previous is None:
        history = abc.new(url, {t.name: t.value for t in targets})
        store.save_abc_run(key, history.id)
        log(f"ABC-SMC run {history.id} started (population {config['population_size']}).")
    else:
        history = abc.load(url, previous)
        log(f"ABC-SMC run {previous} resumed after {history.max_t + 1} population(s).")
    done = history.max_t + 1 if history.max_t is not None else 0
    remaining = config["generations"] - done
    try:
        if remaining > 0:
            history = abc.run(minimum_epsilon=config["minimum_epsilon"], max_nr_populations=remaining,
                              max_total_nr_simulations=config["max_evaluations"])
    finally:
        executor.close()
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    populations = history.get_all_populations()
    populations = populations[populations.t >= 0]
    rng = np.random.default_rng(config["seed"])
    draws = rng.choice(len(frame), size=config["posterior_size"], p=weights / weights.sum())
    posterior = frame.iloc[draws][[p.name for p in priors]].reset_index(drop=True)
    medians = {p.name: float(posterior[p.name].median()) for p in priors}
    generations = [{"t": int(r.t), "epsilon": float(r.epsilon), "simulations": int(r.samples),
                    "accepted": int(r.particles), "acceptance_rate": float(r.particles / max(r.samples, 1))}
                   for r in populations.itertuples()]
    return {"best": medians, "posterior": posterior, "generations": generations, "abc_id": history.id,
            "simulations": int(populations["samples"].sum()), "key": key}


def _prepare_pyabc_tables(store) -> None:
    """pyabc stamps its format version only into databases it creates; ours already exists (it
    holds the results), so create pyabc's tables and version stamp here, once."""
    from pyabc.storage import history as pyabc_history
    from sqlalchemy.orm import Session

    pyabc_history.Base.metadata.create_all(store.engine)
    with Session(store.engine) as session:
        if session.query(pyabc_history.Version).count() == 0:
            session.add(pyabc_history.Version(version_num=pyabc_history.__db_version__))
            session.commit()


def posterior_figure(posterior: pd.DataFrame, priors: list[Prior], path: Path) -> str:
    """Marginals on the diagonal, pairwise scatter below it; returns the PNG as base64."""

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    d = len(priors)
    figure, axes = plt.subplots(d, d, figsize=(2.4 * d, 2.4 * d), dpi=90, squeeze=False)
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            axis = axes[i, j]
            if i == j:
                axis.hist(posterior[pi.name], bins=20, range=(pi.low, pi.high), color="#2a7f62")
            elif i > j:
                axis.scatter(posterior[pj.name], posterior[pi.name], s=4, alpha=0.5, color="#2a7f62")
                axis.set_xlim(pj.low, pj.high)
                axis.set_ylim(pi.low, pi.high)
                corr = np.corrcoef(posterior[pj.name], posterior[pi.name])[0, 1]
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
