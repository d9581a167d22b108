"""Calibration targets and goodness of fit: what the twin should reproduce, and how well it does.

`calibration/targets.toml` lists the targets: value, tolerance, source, how to read each off the
model, and whether the model reproduces it by construction (an input or an initial condition)
rather than as an outcome of its dynamics, or which parameters were set to reproduce it. `fit_table`
compares the simulated mean and spread of replications with each target; `misfit` and the distances
sum its errors; `fit_report.py` states and draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import ScenarioError, area_hint, did_you_mean, shown
from twin.geography import canonical_name
from twin.scenario import check_keys, read_toml

TARGET_KEYS = ("name", "value", "tolerance", "source", "metric", "ratio_of", "area", "region", "nation", "years",
               "aggregation", "by_construction", "fitted_by")
AGGREGATIONS = ("annual_sum", "mean", "ratio")
#: metrics' units that run from 0 to 1: a target's mean of them is too
BOUNDED_UNITS = ("share", "index 0-1")
#: a target this many times above or below the simulated value (at the defaults) is warned of: most
#: likely given in another unit (£bn for £, a percentage for a share, a year's total for a month's)
SCALE_WARNING_FACTOR = 30.0
#: other words for an aggregation, pointed to it when written ('sum' is no spelling of 'annual_sum')
AGGREGATION_WORDS = {"sum": "annual_sum", "total": "annual_sum", "annual": "annual_sum", "yearly": "annual_sum",
                     "annual_total": "annual_sum", "sum_per_year": "annual_sum", "average": "mean", "avg": "mean",
                     "level": "mean", "share": "ratio", "proportion": "ratio", "rate": "ratio"}
#: the largest target value or tolerance taken: no metric comes near it (UK harm is about 5e10 a year)
LARGEST_VALUE = 1e15
#: the smallest tolerance taken, relative to the target's value (no source is known to a millionth)
MIN_RELATIVE_TOLERANCE = 1e-6


def check_aggregation_name(where: str, aggregation) -> None:
    """An aggregation is one of `AGGREGATIONS`; else the error names the closest, or the one a word
    such as 'sum' or 'average' stands for."""
    if aggregation not in AGGREGATIONS:
        meant = AGGREGATION_WORDS.get(str(aggregation).strip().lower())
        hint = f"; for {shown(aggregation)} write '{meant}'" if meant else did_you_mean(str(aggregation), AGGREGATIONS)
        raise ScenarioError(f"{where}: aggregation: expected one of {', '.join(AGGREGATIONS)} (annual_sum: a "
                            f"year's total of a flow; mean: a level's average; ratio: with ratio_of), "
                            f"got {shown(aggregation)}{hint}")


def check_aggregation(where: str, metric: str, aggregation: str) -> None:
    """A target's or outcome's aggregation suits its metric: `annual_sum` adds up a flow (a unit per
    step), never a level such as the OCGs active (twelve months of it would read as twelve times it)."""
    from twin.results import METRIC_NAMES, METRICS

    unit = METRICS[METRIC_NAMES.index(metric)].unit
    if aggregation == "annual_sum" and "/step" not in unit:
        raise ScenarioError(f"{where}: aggregation: 'annual_sum' adds up a flow, but {metric!r} is a level ({unit}): "
                            f"summing a year of its steps gives 12 (monthly) or 52 (weekly) times it; use 'mean'")


def outcome_unit(metric: str, aggregation: str, step: str = "month") -> str:
    """The unit of an outcome: a flow per step summed over each year is per year (GBP/step ->
    GBP/year); a mean keeps the metric's unit, a flow's per `step` (month or week); a ratio has none."""
    from twin.results import METRIC_NAMES, METRICS

    if aggregation == "ratio" or metric not in METRIC_NAMES:
        return ""
    unit = METRICS[METRIC_NAMES.index(metric)].unit
    return unit.replace("/step", "/year" if aggregation == "annual_sum" else f"/{step}")


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
    by_construction: bool = False  # an input or initial condition the model reproduces without its dynamics
    fitted_by: tuple[str, ...] = ()  # parameters set (by calibration or by hand) chiefly to reproduce it
    areas: tuple[str, ...] = ()  # a region's or nation's target (`area` is then its label): the areas it totals


def fitted_to(path: str | Path) -> dict[str, list[str]]:
    """Each parameter set (by calibration or by hand) to reproduce targets of the file: the names of
    those targets (their `fitted_by`). Empty when the file is not there (a package used elsewhere)."""
    if not Path(path).is_file():
        return {}
    names: dict[str, list[str]] = {}
    for target in load_targets(path):
        for parameter in target.fitted_by:
            names.setdefault(parameter, []).append(target.name)
    return names


def fitted_words(provenance: str, targets: list[str]) -> str:
    """How a parameter's tag names the targets it was set to reproduce: 'set to fit ...', or for a
    sourced value, the figure those targets hold too ('the figure of target ...'): a parameter taken from
    the very figure a target holds, not tuned."""
    said = ", ".join(targets)
    return f"the figure of target{'s' * (len(targets) > 1)} {said}" if provenance == "sourced" else f"set to fit {said}"


def target_groups(geography) -> dict[str, dict[str, list[str]]]:
    """The regions and the nations of an areas file, each with its areas: what a target's `region` or
    `nation` may name (`load_targets`)."""
    regions = {name: [a for a, r in zip(geography.area_names, geography.area_region) if r == k]
               for k, name in enumerate(geography.region_names)}
    nations = {name: [a for a, n in zip(geography.area_names, geography.nation) if n == name]
               for name in dict.fromkeys(geography.nation)}
    return {"region": regions, "nation": nations}


def load_targets(path: str | Path, area_names: list[str] | None = None, groups: dict | None = None) -> list[Target]:
    """The targets of a file, each checked; `area_names` (the scenario's areas) checks their areas,
    and `groups` (`target_groups`: its regions and nations with their areas) those a target's `region`
    or `nation` names, which it totals (a population-weighted mean for an index)."""
    from twin.parameter_table import PARAMETER_TABLE
    from twin.results import METRIC_NAMES, METRICS

    parameter_names = [p.name for p in PARAMETER_TABLE]

    path = Path(path)
    data = read_toml(path, "targets file")
    check_keys(path, "", data, ("target",))
    entries = data.get("target", [])
    if not (isinstance(entries, list) and all(isinstance(entry, dict) for entry in entries)):
        raise ScenarioError(f"{path}: 'target' must be an array of tables ([[target]], with double brackets, "
                            f"one per target)")
    targets = []
    for position, entry in enumerate(entries, start=1):
        where = f"{path}: [[target]] #{position}"
        for key in entry:
            if key not in TARGET_KEYS:
                raise ScenarioError(f"{where}: unknown key '{key}'{did_you_mean(key, TARGET_KEYS)} "
                                    f"(expected one of: {', '.join(TARGET_KEYS)})")
        for key in ("name", "value", "tolerance", "source", "metric", "years", "aggregation"):
            if key not in entry:
                raise ScenarioError(f"{where}: missing key '{key}'")
        for key in ("name", "source", "area", "region", "nation"):
            if key in entry and not isinstance(entry[key], str):
                raise ScenarioError(f"{where}: {key}: expected a string in quotes, got {shown(entry[key])}")
        if not entry["name"].strip():  # each target's line and the fit tables are labelled by it
            raise ScenarioError(f"{where}: name: expected a name in quotes, got {shown(entry['name'])}")
        for key in ("metric", "ratio_of"):
            if key in entry and (not isinstance(entry[key], str) or entry[key] not in METRIC_NAMES):
                raise ScenarioError(f"{where}: {key}: unknown metric '{entry[key]}'"
                                    f"{did_you_mean(str(entry[key]), METRIC_NAMES)}")
        check_aggregation_name(where, entry["aggregation"])
        check_aggregation(where, entry["metric"], entry["aggregation"])
        for key in ("value", "tolerance"):
            if isinstance(entry[key], bool) or not isinstance(entry[key], (int, float)) or not np.isfinite(entry[key]):
                raise ScenarioError(f"{where}: {key}: expected a number, got {shown(entry[key])}")
            if abs(entry[key]) > LARGEST_VALUE:
                raise ScenarioError(f"{where}: {key}: expected at most {LARGEST_VALUE:g}, which no metric comes near "
                                    f"(UK harm is about 5e10 pounds a year), got {shown(entry[key])}")
        if not isinstance(entry.get("by_construction", False), bool):
            raise ScenarioError(f"{where}: by_construction: expected true or false, got {shown(entry['by_construction'])}")
        fitted_by = entry.get("fitted_by", [])
        if not (isinstance(fitted_by, list) and all(isinstance(name, str) for name in fitted_by)):
            raise ScenarioError(f"{where}: fitted_by: expected a list of parameter names in quotes, got {shown(fitted_by)}")
        for name in fitted_by:
            if name not in parameter_names:
                raise ScenarioError(f"{where}: fitted_by: unknown parameter '{name}'{did_you_mean(name, parameter_names)}")
        if fitted_by and entry.get("by_construction", False):
            raise ScenarioError(f"{where}: a target is either by_construction or fitted_by parameters, not both")
        if entry["name"] in [t.name for t in targets]:
            raise ScenarioError(f"{where}: name '{entry['name']}' is already a target; give each target its own name")
        area, members = target_area(entry, where, area_names, groups)
        for key in ("metric", "ratio_of"):
            if area != "UK" and key in entry and not {m.name: m for m in METRICS}[entry[key]].per_area:
                raise ScenarioError(f"{where}: {key}: metric '{entry[key]}' is kept for the UK only, not per area; "
                                    f"expected area = \"UK\" (or no area) for it")
        if (entry["aggregation"] == "ratio") != ("ratio_of" in entry):
            raise ScenarioError(f"{where}: aggregation 'ratio' goes with ratio_of, and only with it")
        years = entry["years"]
        if not (isinstance(years, list) and len(years) == 2
                and all(isinstance(y, int) and not isinstance(y, bool) for y in years) and 1 <= years[0] <= years[1] <= 100):
            raise ScenarioError(f"{where}: years: expected [first, last] with 1 <= first <= last <= 100, got {shown(years)}")
        if not entry["tolerance"] > 0:
            raise ScenarioError(f"{where}: tolerance: expected a number > 0, got {shown(entry['tolerance'])}")
        unit = {m.name: m for m in METRICS}[entry["metric"]].unit
        if entry["value"] < 0:
            raise ScenarioError(f"{where}: value: expected a number >= 0 (every metric counts or adds up something; "
                                f"'{entry['metric']}' in {unit}), got {shown(entry['value'])}")
        if entry["tolerance"] < MIN_RELATIVE_TOLERANCE * entry["value"]:  # runs' noise alone: millions of tolerances
            raise ScenarioError(f"{where}: tolerance: {entry['tolerance']:g} is less than a millionth of the "
                                f"value ({entry['value']:g}); expected the uncertainty of the observation, such as "
                                f"{0.1 * entry['value']:.3g} for 10%")
        if unit in BOUNDED_UNITS and entry["aggregation"] == "mean" and entry["value"] > 1:
            raise ScenarioError(f"{where}: value: '{entry['metric']}' is {'an index' if unit.startswith('index') else 'a share'} from 0 to 1, got "
                                f"{shown(entry['value'])} (a percentage? write {entry['value'] / 100:g})")
        targets.append(Target(entry["name"], float(entry["value"]), float(entry["tolerance"]), entry["source"],
                              entry["metric"], (int(years[0]), int(years[1])), entry["aggregation"],
                              area, entry.get("ratio_of"), entry.get("by_construction", False), tuple(fitted_by),
                              members))
    if not targets:
        raise ScenarioError(f"{path}: no [[target]] entries: expected at least one [[target]] table with a name, "
                            f"a metric (as named in trajectories.csv; docs/ODD.md lists them), a value and a tolerance")
    return targets


def target_area(entry: dict, where: str, area_names, groups) -> tuple[str, tuple[str, ...]]:
    """A target's area (the UK or a police force area, as the areas file spells it), or a region's or
    nation's label ('North West (region)') with the areas it totals."""
    given = [key for key in ("area", "region", "nation") if key in entry]
    if len(given) > 1:
        raise ScenarioError(f"{where}: {' and '.join(given)}: give one (a target is for the UK, one area, one region "
                            f"or one nation)")
    kind = given[0] if given else "area"
    if kind != "area":
        named = (groups or {}).get(kind, {})
        found = canonical_name(entry[kind], list(named))
        if groups is not None and found is None:
            raise ScenarioError(f"{where}: {kind}: unknown {kind} {entry[kind]!r}{did_you_mean(entry[kind], named)} "
                                f"(the {kind}s of the areas file: {', '.join(named)})")
        return f"{found or entry[kind]} ({kind})", tuple(named.get(found, ()))
    area = entry.get("area", "UK")
    # the total or an area, in any case and spacing, as the areas file spells it
    found = canonical_name(str(area), ["UK", *(area_names or [])])
    if area_names is not None and found is None:
        for key in ("region", "nation"):
            if canonical_name(str(area), list((groups or {}).get(key, {}))):
                raise ScenarioError(f"{where}: area: {area!r} is a {key} of the areas file, not a police force area; "
                                    f"write {key} = {area!r} for a target that totals its areas")
        raise ScenarioError(f"{where}: area: unknown area {area!r}{area_hint(str(area), area_names)}")
    return found or area, ()


def target_values(results, targets: list[Target], steps_per_year: int) -> dict[str, float]:
    """Each target's value in one run's results (NaN if the run is shorter than its years)."""
    out = {}
    for target in targets:
        first, last = (target.years[0] - 1) * steps_per_year, target.years[1] * steps_per_year
        if last > results.steps_recorded:
            out[target.name] = float("nan")
            continue
        series = (results.series_over(target.metric, target.areas) if target.areas
                  else results.series(target.metric, target.area))[first:last]
        if target.aggregation == "annual_sum":
            out[target.name] = float(series.sum() / (target.years[1] - target.years[0] + 1))
        elif target.aggregation == "mean":
            out[target.name] = float(series.mean())
        else:
            denominator = (results.series_over(target.ratio_of, target.areas) if target.areas
                           else results.series(target.ratio_of, target.area))[first:last].sum()
            out[target.name] = float(series.sum() / denominator) if denominator else float("nan")
    return out


def yearly_sums(results, steps_per_year: int) -> tuple[list[str], np.ndarray]:
    """The UK's sum of every metric over each whole year recorded, [year, metric], with the metrics'
    names: enough to read any UK target or outcome off the run again (`value_from_yearly`)."""
    years = results.steps_recorded // steps_per_year
    block = results.values[: years * steps_per_year, -1, :]
    return list(results.metric_names), block.reshape(years, steps_per_year, -1).sum(axis=1)


def value_from_yearly(target: Target, names: list[str], yearly: np.ndarray, steps_per_year: int) -> float:
    """A UK target's value from a run's `yearly_sums`, as `target_values` reads it off the steps (the
    same sums taken year by year, so equal to rounding); NaN for another area, a metric the run did
    not record or years beyond it."""
    first, last = target.years
    wanted = [target.metric] + ([target.ratio_of] if target.ratio_of else [])
    if target.area != "UK" or last > yearly.shape[0] or any(name not in names for name in wanted):
        return float("nan")
    total = float(yearly[first - 1:last, names.index(target.metric)].sum())
    if target.aggregation == "annual_sum":
        return total / (last - first + 1)
    if target.aggregation == "mean":
        return total / ((last - first + 1) * steps_per_year)
    denominator = float(yearly[first - 1:last, names.index(target.ratio_of)].sum())
    return total / denominator if denominator else float("nan")


def not_evaluated_because(target: Target, years: float | None) -> str:
    """Why no run gave a target's value, given the runs' horizon in years (None: not known)."""
    span = f"years {target.years[0]}-{target.years[1]}"
    if years is None or target.years[1] > years:
        return f"the runs end before {span}" if years is not None or not target.ratio_of else (
            f"the runs end before {span}, or its denominator {target.ratio_of} sums to zero over them")
    if target.ratio_of:
        return f"its denominator, {target.ratio_of}, sums to zero over {span} in every run: the ratio is undefined"
    return f"no run gave a value over {span}"


def fit_table(targets: list[Target], simulated: pd.DataFrame, step: str = "month",
              years: float | None = None) -> pd.DataFrame:
    """One row per target: observed value and tolerance, the replications' mean and 5th-95th
    percentiles, the standardised error, whether it is within tolerance, and whether it could be
    evaluated at all (a run shorter than the target's years cannot, nor a ratio over zero), and if
    not why (`years`: the runs' horizon, which tells the two apart)."""
    from scipy.special import ndtr  # the standard normal's distribution function

    rows = []
    for t in targets:
        values = simulated[t.name].dropna().to_numpy() if t.name in simulated else np.empty(0)
        mean = float(values.mean()) if values.size else float("nan")
        rows.append({
            "target": t.name, "observed": t.value, "tolerance": t.tolerance, "simulated_mean": mean,
            "simulated_p5": float(np.percentile(values, 5)) if values.size else float("nan"),
            "simulated_p95": float(np.percentile(values, 95)) if values.size else float("nan"),
            "standardised_error": (mean - t.value) / t.tolerance,
            "within_tolerance": bool(values.size and abs(mean - t.value) <= t.tolerance),
            # the verdict is on the mean; how many single runs land within says how steadily it holds
            "runs_within_tolerance": int((np.abs(values - t.value) <= t.tolerance).sum()), "runs": int(values.size),
            # where the observation falls among the runs (ties count half): near 0 or 1, outside what they give;
            # and among the runs each with a Gaussian error of the tolerance's size (the kernel ABC fit's reading)
            "observed_rank": (float(((values < t.value).sum() + 0.5 * (values == t.value).sum()) / values.size)
                              if values.size else float("nan")),
            "observed_rank_with_error": (float(ndtr((t.value - values) / t.tolerance).mean()) if values.size
                                         else float("nan")),
            "evaluated": bool(values.size),
            "not_evaluated_because": "" if values.size else not_evaluated_because(t, years),
            "by_construction": t.by_construction, "fitted_by": ", ".join(t.fitted_by),
            "metric": t.metric, "unit": outcome_unit(t.metric, t.aggregation, step) or "ratio", "area": t.area,
            "years": f"{t.years[0]}-{t.years[1]}", "aggregation": t.aggregation,
            "source": t.source,
        })
    return pd.DataFrame(rows)


def scale_warnings(table: pd.DataFrame) -> list[str]:
    """Targets whose observed value is `SCALE_WARNING_FACTOR` or more times above or below what the
    runs give: most likely written in another unit than the metric's (the runs cannot tell); and
    a `mean` of a flow (its step's figure) some steps-in-a-year times above the runs', most likely a
    year's total, which `annual_sum` gives (a factor of 12 or 52 is below the general warning's)."""
    said = []
    for _, row in table[table["evaluated"]].iterrows():
        observed, simulated = row["observed"], row["simulated_mean"]
        per_year = {"month": 12, "week": 52}.get(str(row["unit"]).rsplit("/", 1)[-1])
        if row["aggregation"] == "mean" and per_year and observed > 0 and simulated > 0 \
                and per_year / 2 <= observed / simulated <= 2 * per_year:
            said.append(f"target '{row['target']}': its value {number(observed)} is some {observed / simulated:.0f} "
                        f"times what the runs give ({number(simulated)}), and its aggregation 'mean' reads the "
                        f"metric's figure a {str(row['unit']).rsplit('/', 1)[-1]} ({row['unit']}); for a year's "
                        f"total write aggregation = \"annual_sum\"")
            continue
        if observed > 0 and simulated > 0 and max(observed / simulated, simulated / observed) >= SCALE_WARNING_FACTOR:
            factor = max(observed / simulated, simulated / observed)
            unit = str(row["unit"])
            hint = ("pounds, not £bn or £m" if unit.startswith("GBP") else "from 0 to 1, not a percentage"
                    if unit in BOUNDED_UNITS or unit == "ratio" else "the whole count, not thousands; a year's sum "
                    "for an annual_sum" if unit.endswith("/year") else "the whole count, not thousands")
            said.append(f"target '{row['target']}': its value {number(observed)} is some "
                        f"{float(f'{factor:.2g}'):,.0f} times {'above' if observed > simulated else 'below'} what "
                        f"the runs give ({number(simulated)}); a target is in its metric's unit ({unit}: {hint})")
    return said


def misfit(table: pd.DataFrame) -> float:
    """Sum of squared standardised errors over the evaluated targets (the point fit's objective);
    NaN when none could be evaluated."""
    evaluated = table[table["evaluated"]] if "evaluated" in table else table
    return float((evaluated["standardised_error"] ** 2).sum()) if len(evaluated) else float("nan")


def construction_distance(table: pd.DataFrame) -> float:
    """Euclidean distance, in tolerances, of the evaluated targets reproduced by construction: the
    distance the ABC fit would have if it kept them (it leaves them out: the fitted parameters
    hardly move them, so they would set a floor under epsilon); 0 when there are none."""
    rows = table[table["evaluated"] & table["by_construction"]]
    return float(np.sqrt((rows["standardised_error"] ** 2).sum()))


def fitted_distance(table: pd.DataFrame) -> float:
    """Euclidean distance, in tolerances, of the evaluated targets not reproduced by construction: the
    ABC-SMC distance (`calibration_abc.ABCDistance`), here of the replicates' mean."""
    rows = table[table["evaluated"] & ~table["by_construction"]]
    return float(np.sqrt((rows["standardised_error"] ** 2).sum()))


def number(value: float) -> str:
    """A figure for people to read, without a currency sign: 4,772; 56,512; 10.56bn; 0.1305."""
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f}bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}m"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def areas_targets_warning(scenario, targets_path) -> str | None:
    """Targets against a scenario whose national quantities are scaled (`scale_national_quantities`):
    its total (area `UK`) is its areas', so targets for the whole UK (as calibration/targets.toml
    holds) would pull a fit towards the UK's size."""
    if scenario.national_scale == 1.0:
        return None
    where = f"the areas of {scenario.areas_file}" if scenario.areas_file else "the UK's areas"
    return (f"{targets_path}: scenario {scenario.name} runs on {where} with the UK's national quantities scaled by "
            f"{scenario.national_scale:.3g}; the targets' UK rows are read as its areas' total, so they should be "
            f"that total's figures, not the whole UK's")
