"""Comparison statistics of an ensemble: bands per scenario and paired differences from a baseline.

Per scenario: the mean and 5-95% band of every UK trajectory. Against the baseline, replicate by
replicate (paired seeds): the difference in cumulative discounted harm, response cost and net
social cost (HM Treasury Green Book, 3.5%) with a 90% interval for the mean paired difference
(Student's t: with a dozen replications a percentile bootstrap is too narrow); the probability
that the scenario is better (lower net social cost); harm averted per pound of extra spending; the
payback year; and where the harm fell (the five most vulnerable areas, the county-lines exporter
areas, against the rest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin.ensemble import discount_factors
from twin.errors import UserError, did_you_mean
from twin.geography import describe, load_geography
from twin.store import Store

CONFIDENCE = 0.90
HEADLINE = ("harm_gbp_total", "response_cost_gbp", "net_social_cost_gbp")


@dataclass
class Comparison:
    scenarios: list[str]
    baseline: str
    steps_per_year: int
    reps: dict[str, int]
    bands: pd.DataFrame  # scenario, metric, step, mean, p5, p95
    differences: pd.DataFrame  # one row per non-baseline scenario
    summary: pd.DataFrame  # scenario, metric, mean, p5, p95, diff_mean, diff_low, diff_high, pairs, diff_p5, diff_p95
    areas: pd.DataFrame  # scenario, area, metric, mean, diff_mean, diff_low, diff_high
    annual: pd.DataFrame  # scenario, year, metric, mean, p5, p95 (UK)
    runs: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    posterior: str | None = None
    geography: dict = field(default_factory=dict)  # areas, nations, exporters (`geography.describe`)
    # the scenarios best first (the baseline among them, at its change of zero), each against the one above
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    start_date: str = ""  # first day of year 1
    annual_change: pd.DataFrame = field(default_factory=pd.DataFrame)  # scenario, year, mean, p5, p95 (net, paired)
    posterior_held: dict = field(default_factory=dict)  # scenario -> calibrated parameters it sets itself
    parameters: dict = field(default_factory=dict)  # scenario -> its [parameters] (base files' included)
    lever_types: dict = field(default_factory=dict)  # scenario -> the types of its levers
    spin_up_years: dict = field(default_factory=dict)  # scenario -> its spin-up (years; 0: none)
    annual_cost_change: pd.DataFrame = field(default_factory=pd.DataFrame)  # as annual_change, response cost
    lever_names: dict = field(default_factory=dict)  # scenario -> its levers' names (their cost lines), as lever_types
    annual_assets_change: pd.DataFrame = field(default_factory=pd.DataFrame)  # as annual_change, assets recovered
    lever_keys: dict = field(default_factory=dict)  # scenario -> its levers as run, each a `lever_key`
    pairwise: pd.DataFrame = field(default_factory=pd.DataFrame)  # every scenario against every other (`pairwise_gaps`)
    wide: pd.DataFrame = field(default_factory=pd.DataFrame)  # [scenario, replicate] x summary metric, for `paired_gap`
    years_from_command: float | None = None  # the horizon --years set in place of the scenario files' own
    lever_uncertainty: bool = False  # each replicate drew the levers' assumed effect sizes and costs
    lever_held: dict = field(default_factory=dict)  # scenario -> the drawn settings it sets itself, and keeps
    posterior_parameters: list = field(default_factory=list)  # the parameters each replicate drew from the posterior
    yearly_net: pd.DataFrame = field(default_factory=pd.DataFrame)  # replicate x (year, scenario): net social cost


def part_year(comparison) -> tuple[int, int] | None:
    """(the last year, its steps) when the horizon ends part-way through a year (`--years 2.5`: year 3
    holds 6 of 12 monthly steps), else None: its yearly totals are not a year's."""
    bands = getattr(comparison, "bands", None)  # (a summary-only comparison has none: whole years)
    steps = bands["step"].max() if bands is not None and not bands.empty else 0
    left = int(steps) % comparison.steps_per_year if steps == steps and steps else 0
    return (int(steps) // comparison.steps_per_year + 1, left) if left else None


def whole_years(comparison, yearly: pd.DataFrame) -> pd.DataFrame:
    """Yearly totals without a last year the horizon ends part-way through (`part_year`; kept when it
    is the only year): read as a year's amounts, it would look like a fall."""
    part = part_year(comparison)
    return yearly if part is None or part[0] == 1 or yearly.empty else yearly[yearly["year"] < part[0]]


def lever_key(entry: dict) -> str:
    """A lever as it acts, whatever its name or file: its type and every setting, the defaults filled
    in, a window as its end year, names of areas in lower case, as sorted JSON (numbers as floats).
    Two levers with the same key do the same thing."""
    from twin.interventions import LEVER_TYPES

    kind = LEVER_TYPES.get(entry.get("type"))
    settings = {"start_year": 0.0, "intensity": 1.0, "areas": "all",
                **{p.name: p.value for p in (kind.settings if kind else ())},
                **{k: v for k, v in entry.items() if k != "name" and not k.startswith("_")}}
    if "duration_years" in settings:  # the same window, however it is written
        settings["end_year"] = float(settings["start_year"]) + float(settings.pop("duration_years"))
    for key in ("areas", "regions", "nations"):  # names in any case and spacing, as the levers read them
        names = settings.get(key)
        if isinstance(names, str) or isinstance(names, list):
            spelt = [" ".join(str(n).lower().split()) for n in ([names] if isinstance(names, str) else names)]
            settings[key] = spelt[0] if isinstance(names, str) else sorted(spelt)
    as_float = lambda v: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v  # noqa: E731
    return json.dumps({k: as_float(v) for k, v in settings.items()}, sort_keys=True, default=str)


def mean_interval(values: np.ndarray, comparisons: int = 1) -> tuple[float, float]:
    """The 90% interval of the mean of paired differences: mean -/+ t(0.95, n-1) x standard error.
    With `comparisons` > 1, the interval that keeps its 90% over that many made at once (Bonferroni:
    each at 1 - 10% / comparisons), as when the best of several options is picked."""
    if values.size < 2:
        return float("nan"), float("nan")
    if comparisons > 1:
        from scipy.stats import t

        quantile = t.ppf(1.0 - (1.0 - CONFIDENCE) / comparisons / 2, values.size - 1)
    else:
        quantile = _t_quantile(values.size - 1)
    half = quantile * values.std(ddof=1) / np.sqrt(values.size)
    return float(values.mean() - half), float(values.mean() + half)


def _t_quantile(df):
    """Student's t quantile that `mean_interval`'s two-sided `CONFIDENCE` interval uses, for `df`
    degrees of freedom (a number or an array)."""
    from scipy.stats import t

    return t.ppf(0.5 + CONFIDENCE / 2, df)


#: the most paired replications `pairs_to_tell_apart` looks for
MAX_PAIRS_SUGGESTED = 2000


def pairs_limit(pairs: int) -> int:
    """The most paired replications suggested to tell two options apart: `MAX_PAIRS_SUGGESTED`, or
    twice those already run when more were (a suggestion must be more than there are)."""
    return max(MAX_PAIRS_SUGGESTED, 2 * int(np.nan_to_num(float(pairs))))
#: the chance that the count `pairs_to_tell_apart` suggests separates the two options, if the gap's
#: mean and spread are what the runs show (the count whose expected interval just excludes zero
#: separates them only half the time)
SEPARATION_POWER = 0.8


def pairs_to_tell_apart(gap_mean: float, gap_low: float, gap_high: float, pairs: int) -> float:
    """Paired replications whose 90% interval of the mean gap would exclude zero with chance
    `SEPARATION_POWER`, if the gap's mean and spread were what `pairs` of them show
    (`mean_interval` inverted for the spread): the smallest count above `pairs` at which the gap
    exceeds (t + z) standard errors (t the interval's quantile, z the power's normal quantile).
    NaN when the interval already excludes zero or nothing can be said (fewer than 2 pairs, no
    positive gap); inf when more than `pairs_limit` would be needed (the gap is small next to the
    noise)."""
    from scipy.stats import norm

    if not (pairs >= 2 and gap_mean > 0 and np.isfinite(gap_low) and gap_low <= 0):
        return float("nan")
    sd = (gap_high - gap_low) / 2 / _t_quantile(pairs - 1) * np.sqrt(pairs)
    n = np.arange(pairs + 1, pairs_limit(pairs) + 1)
    apart = np.flatnonzero((_t_quantile(n - 1) + norm.ppf(SEPARATION_POWER)) * sd / np.sqrt(n) < gap_mean)
    return float(n[apart[0]]) if apart.size else float("inf")


def load_comparison(store: Store, experiment_id: int, baseline: str | None = None,
                    reps: int | None = None) -> Comparison:
    """The comparison of an experiment's finished runs: of its first `reps` replicates when given
    (an experiment keeps every replicate any command asked for)."""
    runs = store.runs_frame(experiment_id)
    if reps is not None:
        runs = runs[runs.replicate < reps]
    scenario_names = list(store.scenarios_frame(experiment_id)["name"])
    done = runs[runs.status == "done"]
    if done.empty:
        raise UserError("no finished runs in this experiment: nothing to compare")
    baseline = baseline or scenario_names[0]
    if baseline not in scenario_names:
        raise UserError(f"--baseline: unknown scenario '{baseline}'{did_you_mean(baseline, scenario_names)} "
                        f"(scenarios: {', '.join(scenario_names)})")
    # the first `reps` replicates' rows only, read from the database (every stored run's may not fit in memory)
    traj = store.trajectories_frame(experiment_id, reps).merge(done[["run_id", "scenario", "replicate"]], on="run_id")
    summaries = store.summaries_frame(experiment_id, reps).merge(done[["run_id", "scenario", "replicate"]], on="run_id")
    areas = store.area_frame(experiment_id, reps).merge(done[["run_id", "scenario", "replicate"]], on="run_id")
    resolved = store.scenarios_frame(experiment_id)

    first = json.loads(resolved.iloc[0]["resolved_json"])
    specs = {row["name"]: json.loads(row["resolved_json"]) for _, row in resolved.iterrows()}  # each scenario as run
    steps_per_year = 52 if first.get("step") == "week" else 12

    # Bands of every UK trajectory.
    bands = _bands(traj, ["scenario", "metric", "step"])

    # Annual UK totals (flows) for the tables.
    traj["year"] = (traj["step"] - 1) // steps_per_year + 1
    yearly = traj.groupby(["scenario", "replicate", "metric", "year"])["value"].sum().reset_index()
    annual = _bands(yearly, ["scenario", "metric", "year"])
    # Each option's paired change from the baseline, year by year (net social cost), with its band.
    annual_change = _paired_annual_change(yearly, "net_social_cost_gbp", baseline)
    annual_cost_change = _paired_annual_change(yearly, "response_cost_gbp", baseline)
    annual_assets_change = _paired_annual_change(yearly, "assets_recovered_gbp", baseline)

    # Paired differences from the baseline, replicate by replicate.
    wide = with_derived_outcomes(summaries.pivot_table(index=["scenario", "replicate"], columns="metric",
                                                       values="value"))
    base = wide.loc[baseline] if baseline in wide.index.get_level_values(0) else None
    rows, summary_rows = [], []
    for scenario in scenario_names:
        if scenario not in wide.index.get_level_values(0):
            continue
        mine = wide.loc[scenario]
        for metric in wide.columns:
            values = mine[metric].dropna().to_numpy()
            if values.size == 0:
                continue
            row = {"scenario": scenario, "metric": metric, "mean": values.mean(),
                   "p5": np.percentile(values, 5), "p95": np.percentile(values, 95), "reps": values.size}
            if base is not None and scenario != baseline and metric in base.columns:
                paired = (mine[metric] - base[metric]).dropna().to_numpy()
                if paired.size:
                    low, high = mean_interval(paired)
                    # diff_low/high: the interval of the mean; diff_p5/p95: the spread of the pairs themselves
                    row.update(diff_mean=paired.mean(), diff_low=low, diff_high=high, pairs=paired.size,
                               diff_p5=np.percentile(paired, 5), diff_p95=np.percentile(paired, 95))
            summary_rows.append(row)
        if base is None or scenario == baseline:
            continue
        common = mine.index.intersection(base.index)
        d = mine.loc[common] - base.loc[common]
        out = {"scenario": scenario, "pairs": len(common)}
        for metric in HEADLINE:
            key = f"discounted_{metric}"
            values = d[key].to_numpy()
            low, high = mean_interval(values)
            out[f"{metric}_diff"] = values.mean()
            out[f"{metric}_low"] = low
            out[f"{metric}_high"] = high
        net = d["discounted_net_social_cost_gbp"].to_numpy()
        out["probability_better"] = float((net < 0).mean())
        # The Green Book view: recovered assets are a transfer from offenders, not a gain to society.
        green_book = d["discounted_net_social_cost_gbp_excluding_assets"].to_numpy()
        out["green_book_diff"] = green_book.mean()
        out["green_book_low"], out["green_book_high"] = mean_interval(green_book)
        extra_spend = out["response_cost_gbp_diff"]
        averted = -out["harm_gbp_total_diff"]
        out["harm_averted_per_extra_gbp"] = harm_per_extra_pound(averted, extra_spend, out["response_cost_gbp_low"])
        out["exporter_harm_diff"] = d["discounted_harm_gbp_exporter_areas"].mean()
        out["other_areas_harm_diff"] = d["discounted_harm_gbp_other_areas"].mean()
        if "discounted_harm_gbp_most_vulnerable_areas" in d:
            out["most_vulnerable_harm_diff"] = d["discounted_harm_gbp_most_vulnerable_areas"].mean()
        out["payback_year"], out["payback_unclear"] = _payback_year(traj, scenario, baseline, steps_per_year)
        rows.append(out)

    by_net = sorted(rows, key=lambda r: (not np.isfinite(r["net_social_cost_gbp_diff"]), r["net_social_cost_gbp_diff"]))
    ordered = [r["scenario"] for r in by_net]
    if base is not None and len(ordered) > 1:  # the baseline ranks among two options or more, at its change of zero
        ordered.insert(sum(r["net_social_cost_gbp_diff"] < 0 for r in by_net), baseline)
    ranking = rank_options(wide, ordered)
    pairwise = pairwise_gaps(wide, scenario_names)

    # Per-area results over the whole horizon: flows summed over the years; groups active, a stock,
    # as the mean of the years' ends.
    keys = ["scenario", "replicate", "area", "metric"]
    area_totals = pd.concat([
        areas[areas.metric.isin(["harm_gbp_total", "response_cost_gbp", "homicides", "disruptions", "relocations"])]
        .groupby(keys)["value"].sum(),
        areas[areas.metric == "ocgs_active"].groupby(keys)["value"].mean()]).reset_index()
    area_mean = area_totals.groupby(["scenario", "area", "metric"])["value"].mean().reset_index(name="mean")
    # The change paired replicate by replicate, as the UK's: with a failed run the means of the two
    # scenarios' own replicates would be over different seeds, and the areas would not add up to it.
    base_area = area_totals[area_totals.scenario == baseline].drop(columns="scenario").rename(columns={"value": "base"})
    paired = area_totals.merge(base_area, on=["replicate", "area", "metric"], how="inner")
    paired = paired.assign(diff_mean=paired["value"] - paired["base"])
    area_mean = area_mean.merge(paired.groupby(["scenario", "area", "metric"])["diff_mean"].mean().reset_index(),
                                on=["scenario", "area", "metric"], how="left")
    bounds = paired.groupby(["scenario", "area", "metric"])["diff_mean"].apply(lambda v: mean_interval(v.to_numpy()))
    area_mean = area_mean.merge(pd.DataFrame(bounds.tolist(), index=bounds.index, columns=["diff_low", "diff_high"])
                                .reset_index(), on=["scenario", "area", "metric"], how="left")

    spec = json.loads(store.experiment_row(experiment_id).get("spec_json") or "{}")
    return Comparison(scenario_names, baseline, steps_per_year, done.groupby("scenario").size().to_dict(),
                      bands, pd.DataFrame(rows), pd.DataFrame(summary_rows), area_mean,
                      annual, runs, runs[runs.status != "done"], spec.get("posterior"),
                      first.get("geography") or _stored_geography(first), ranking, str(first.get("start_date") or ""),
                      annual_change, spec.get("posterior_held") or {},
                      {name: scenario_spec.get("parameters") or {} for name, scenario_spec in specs.items()},
                      {name: [lever.get("type") for lever in scenario_spec.get("levers") or []] for name, scenario_spec in specs.items()},
                      {name: scenario_spec.get("spin_up_years") for name, scenario_spec in specs.items()},
                      annual_cost_change,
                      {name: [lever.get("name") or lever.get("type") for lever in scenario_spec.get("levers") or []]
                       for name, scenario_spec in specs.items()}, annual_assets_change,
                      {name: [lever_key(lever) for lever in scenario_spec.get("levers") or []]
                       for name, scenario_spec in specs.items()}, pairwise, wide, spec.get("years"),
                      bool(spec.get("lever_uncertainty")), spec.get("lever_held") or {},
                      list(spec.get("posterior_parameters") or []),
                      yearly[yearly.metric == "net_social_cost_gbp"].pivot_table(
                          index="replicate", columns=["year", "scenario"], values="value"))


def parameters_beside_baseline(comparison: Comparison) -> list[tuple[str, list[str]]]:
    """The options run with a spin-up whose parameter values differ from the baseline's, each with
    the names that differ: parameters hold through the spin-up, so these options' worlds differed
    before year 1. Against a posterior, a calibrated parameter one of the two sets itself and the
    other draws from the posterior differs too, whatever the value set."""
    from twin.parameters import Parameters

    every = getattr(comparison, "parameters", None) or {}
    if comparison.baseline not in every:
        return []
    defaults = Parameters().as_dict()
    base = {**defaults, **every[comparison.baseline]}
    spin_ups = getattr(comparison, "spin_up_years", None) or {}
    held = getattr(comparison, "posterior_held", None) or {}  # scenario -> calibrated parameters it sets
    differing = []
    for scenario in comparison.scenarios:
        if spin_ups.get(scenario) == 0:  # no spin-up: its parameters act from year 1 only
            continue
        mine = {**defaults, **every.get(scenario, {})}
        drawn_in_one = set(held.get(scenario, [])) ^ set(held.get(comparison.baseline, []))
        names = sorted(k for k in set(base) | set(mine) if scenario != comparison.baseline
                       and (base.get(k) != mine.get(k) or k in drawn_in_one))
        if names:
            differing.append((scenario, names))
    return differing


def _stored_geography(resolved: dict) -> dict:
    """Areas of a store written before scenarios kept their description: from the scenario's areas
    file when it is still there; else the built-in areas when it used them; else unknown ({})."""
    path = resolved.get("areas_file")
    if path is None:
        return describe(load_geography())
    try:
        return describe(load_geography(path))
    except (UserError, OSError):  # moved or changed since: say nothing rather than something wrong
        return {}


def with_derived_outcomes(wide: pd.DataFrame) -> pd.DataFrame:
    """Per-run outcomes derived from the stored ones, so that they get paired intervals as the
    others do: every lever's spending together (`<kind>_lever_cost_gbp`), and the net social cost
    without recovered assets (`<kind>_net_social_cost_gbp_excluding_assets`, the Green Book view:
    assets taken from offenders are a transfer, not a gain to society)."""
    wide = wide.copy()
    for kind in ("total", "discounted"):
        levers = [c for c in wide.columns if c.startswith(f"{kind}_lever_cost_gbp_")]
        if levers:  # a scenario without a lever spends nothing on it (0, not missing: it pairs)
            ran = (wide[f"{kind}_harm_gbp_total"].notna() if f"{kind}_harm_gbp_total" in wide
                   else pd.Series(True, index=wide.index))
            wide.loc[ran, levers] = wide.loc[ran, levers].fillna(0.0)  # a failed run stays missing
            wide[f"{kind}_lever_cost_gbp"] = wide[levers].sum(axis=1, min_count=1)
        if {f"{kind}_harm_gbp_total", f"{kind}_response_cost_gbp"} <= set(wide.columns):
            wide[f"{kind}_net_social_cost_gbp_excluding_assets"] = (wide[f"{kind}_harm_gbp_total"]
                                                                    + wide[f"{kind}_response_cost_gbp"])
    return wide


def harm_per_extra_pound(averted_gbp: float, extra_spend_gbp: float, extra_spend_low_gbp: float) -> float:
    """Harm averted per extra pound of response spending, only where spending clearly rises (the
    lower end of its paired 90% interval above zero; with one pair, no interval, its mean): a
    ratio to a change within the noise (an option that only sets parameters moves court and prison
    costs a little either way) means nothing. NaN otherwise."""
    spends_more = extra_spend_gbp > 0 and not extra_spend_low_gbp <= 0
    return averted_gbp / extra_spend_gbp if spends_more else float("nan")


def paired_gap(wide: pd.DataFrame, scenario: str, against: str, column: str) -> np.ndarray:
    """`column` of `scenario` less that of `against`, replicate by replicate over the replicates both
    finished (a failed run leaves its pair out)."""
    mine, theirs = wide.loc[scenario], wide.loc[against]
    common = mine.index.intersection(theirs.index)
    return (mine.loc[common, column] - theirs.loc[common, column]).dropna().to_numpy()


def rank_options(wide: pd.DataFrame, ordered: list[str]) -> pd.DataFrame:
    """The scenarios `ordered` (the baseline among them), best first by mean change in discounted net social cost, each
    against the option ranked just above it, pair by pair (replicates share seeds across options):
    the mean gap in £ (positive: this option costs more), its 90% interval, the share of pairs in
    which the option above does better, and, when the interval includes zero, about how many pairs
    would tell the two apart (`pairs_to_tell_apart`), and the interval allowing for every pair of
    options compared at once (`family_low`, `family_high`: the best is picked from them all). Tells
    whether the best option is distinguishable from the runner-up. Also the lower end of the 90%
    interval of how much more the option above spends on the response (`spend_more_low`: above zero
    when it clearly spends more; `spend_more_mean`, `spend_more_high`), the mean and 90% interval of
    how much more harm the option above averts (`averts_more_mean`, `averts_more_low`,
    `averts_more_high`, and `averts_more_share`, the share of its
    `averts_more_pairs` pairs in which it averts more), and the gap's interval leaving out
    recovered assets (`green_gap_low`, `green_gap_high`, `green_p_above_better`, `green_pairs`)."""
    key, spend = "discounted_net_social_cost_gbp", "discounted_response_cost_gbp"
    rows = []
    for rank, scenario in enumerate(ordered, start=1):
        row = {"rank": rank, "scenario": scenario}
        if rank > 1:
            above = ordered[rank - 2]
            gap = paired_gap(wide, scenario, above, key)
            low, high = mean_interval(gap)
            gap_mean = gap.mean() if gap.size else float("nan")
            family_low, family_high = mean_interval(gap, comparisons=max(len(ordered) * (len(ordered) - 1) // 2, 1))
            row.update(above=above, gap_mean=gap_mean, gap_low=low, gap_high=high, family_low=family_low,
                       family_high=family_high,
                       p_above_better=float((gap > 0).mean()) if gap.size else float("nan"), pairs=gap.size,
                       pairs_needed=pairs_to_tell_apart(gap_mean, low, high, gap.size))
            more = paired_gap(wide, above, scenario, spend) if spend in wide.columns else np.empty(0)
            if more.size:  # one pair: its value (no interval), as `harm_per_extra_pound` takes the mean
                spend_low, spend_high = mean_interval(more) if more.size > 1 else (float(more[0]), float(more[0]))
                row.update(spend_more_low=spend_low, spend_more_mean=float(more.mean()), spend_more_high=spend_high)
            harm = "discounted_harm_gbp_total"
            averted = paired_gap(wide, scenario, above, harm) if harm in wide.columns else np.empty(0)
            if averted.size > 1:
                harm_low, harm_high = mean_interval(averted)
                row.update(averts_more_low=harm_low, averts_more_high=harm_high,
                           averts_more_share=float((averted > 0).mean()), averts_more_pairs=averted.size,
                           averts_more_mean=float(averted.mean()))
            green = f"{key}_excluding_assets"  # the same gap as the Green Book counts it (no recovered assets)
            if green in wide.columns:
                gap = paired_gap(wide, scenario, above, green)
                if gap.size:
                    green_low, green_high = mean_interval(gap)
                    row.update(green_gap_low=green_low, green_gap_high=green_high,
                               green_p_above_better=float((gap > 0).mean()), green_pairs=gap.size)
        rows.append(row)
    return pd.DataFrame(rows)


PAIRWISE_COLUMNS = ["scenario", "against", "gap_mean", "gap_low", "gap_high", "share_lower", "pairs",
                    "green_gap_mean", "green_gap_low", "green_gap_high", "green_share_lower"]


def pairwise_gaps(wide: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Every scenario against every other, the baseline included, pair by pair (replicates share
    seeds across scenarios): the mean gap in discounted net social cost (`scenario`'s less
    `against`'s: negative, `scenario` costs society less), its 90% interval, the share of pairs in
    which `scenario`'s is lower, the pairs, and the same gap leaving out recovered assets (`green_`).
    What `rank_options` gives for neighbours in the ranking, for every pair: against an option rather
    than the baseline (Clear-Hold-Build as the policy already under way, say) without running again."""
    key = "discounted_net_social_cost_gbp"
    present = [s for s in scenarios if s in wide.index.get_level_values(0)]
    rows = []
    for scenario in present:
        for against in present:
            if against == scenario:
                continue
            gap = paired_gap(wide, scenario, against, key)
            if not gap.size:
                continue
            green = f"{key}_excluding_assets"
            green_gap = paired_gap(wide, scenario, against, green) if green in wide.columns else np.empty(0)
            rows.append([scenario, against, gap.mean(), *mean_interval(gap), float((gap < 0).mean()), gap.size,
                         green_gap.mean() if green_gap.size else np.nan,
                         *(mean_interval(green_gap) if green_gap.size else (np.nan, np.nan)),
                         float((green_gap < 0).mean()) if green_gap.size else np.nan])
    return pd.DataFrame(rows, columns=PAIRWISE_COLUMNS)


def _paired_annual_change(yearly: pd.DataFrame, metric: str, baseline: str) -> pd.DataFrame:
    """Each option's change in `metric` from the baseline, year by year, paired replicate by
    replicate: scenario, year, mean, p5, p95 (empty without the baseline)."""
    wide = yearly[yearly.metric == metric].pivot_table(index=["replicate", "year"], columns="scenario", values="value")
    if baseline not in wide.columns:
        return pd.DataFrame()
    change = wide.drop(columns=baseline).sub(wide[baseline], axis=0).stack().rename("value").reset_index()
    return _bands(change.dropna(), ["scenario", "year"])


def _bands(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and 5th/95th percentiles of `value` by keys (linear interpolation, as numpy)."""
    grouped = frame.groupby(keys)["value"]
    out = grouped.mean().rename("mean").to_frame()
    out["p5"] = grouped.quantile(0.05)
    out["p95"] = grouped.quantile(0.95)
    return out.reset_index()


def _payback_year(traj: pd.DataFrame, scenario: str, baseline: str, steps_per_year: int) -> tuple[float, bool]:
    """First year from which the cumulative discounted net social cost stays below the baseline's,
    for certain enough to say: the 90% interval of the paired replications' mean cumulative
    difference lies below zero from then to the end (one pair gives no interval: no year). Also
    whether that is unclear: NaN with a mean saving at the end whose interval reaches zero, or
    that one pair gives."""
    net = traj[traj.metric == "net_social_cost_gbp"].pivot_table(index="step", columns=["scenario", "replicate"],
                                                                 values="value")
    if scenario not in net.columns.get_level_values(0) or baseline not in net.columns.get_level_values(0):
        return float("nan"), False
    pairs = net[scenario].columns.intersection(net[baseline].columns)
    if pairs.empty:
        return float("nan"), False
    difference = (net[scenario][pairs] - net[baseline][pairs]).to_numpy()  # [step, pair]
    cumulative = np.cumsum(difference * discount_factors(difference.shape[0], steps_per_year)[:, None], axis=0)
    if len(pairs) < 2:
        return float("nan"), bool(cumulative[-1].mean() < 0)
    ahead = np.array([mean_interval(row)[1] for row in cumulative]) < 0
    if not ahead[-1]:
        return float("nan"), bool(cumulative[-1].mean() < 0)
    last_behind = np.flatnonzero(~ahead)
    first_step = 0 if last_behind.size == 0 else last_behind[-1] + 1
    return float(first_step // steps_per_year + 1), False
