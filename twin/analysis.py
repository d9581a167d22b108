"""`twin analyse`: what a finished sweep says about the options.

- outcome distributions per lever setting (policy);
- regret and robustness: in each sampled future (uncertainty sample, averaged over its paired
  replications), a policy's regret is how much worse its outcome is than the best policy's in
  that future; robust options have small maximum regret and win in many futures;
- scenario discovery with PRIM (Friedman and Fisher's patient rule induction): for each policy,
  the box of uncertain conditions in which it "fails" (its regret is in the worst quartile),
  with the coverage/density trade-off of the peeling trajectory;
- feature scoring: how strongly each uncertainty drives each outcome (absolute Spearman rank
  correlation, averaged over policies).
Charts and a self-contained HTML page go to the output folder.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from twin.report_format import captioned, made_by

PEEL_ALPHA = 0.05  # share of points removed at each PRIM peeling step
MIN_SUPPORT = 0.05  # PRIM stops when the box holds fewer than this share of the futures
#: a box is described as where an option fails only when it holds at least this many futures and its
#: share of bad futures is at least this multiple of the share over all futures (its lift)
MIN_BOX_FUTURES = 3
MIN_LIFT = 1.5


def prim(x: pd.DataFrame, y: np.ndarray) -> list[dict]:
    """PRIM peeling: boxes of decreasing size and increasing density of `y` (bool) cases.

    Returns the peeling trajectory: for each box, its limits, coverage (share of all cases of
    interest inside it) and density (share of points inside it that are cases of interest).
    """
    y = np.asarray(y, dtype=bool)
    total = max(y.sum(), 1)
    inside = np.ones(len(x), dtype=bool)
    limits = {c: [float(x[c].min()), float(x[c].max())] for c in x.columns}
    trajectory = []
    while inside.sum() > MIN_SUPPORT * len(x):
        trajectory.append({"limits": {k: list(v) for k, v in limits.items()}, "coverage": float(y[inside].sum() / total),
                           "density": float(y[inside].mean()), "support": int(inside.sum())})
        best = None
        for column in x.columns:
            everywhere = x[column].to_numpy()
            values = everywhere[inside]
            for side, cut in (("low", np.quantile(values, PEEL_ALPHA)), ("high", np.quantile(values, 1 - PEEL_ALPHA))):
                keep = inside & ((everywhere >= cut) if side == "low" else (everywhere <= cut))
                if keep.sum() == inside.sum():  # values on a grid (a factorial design): peel the edge value
                    rest = values[values > values.min()] if side == "low" else values[values < values.max()]
                    if rest.size == 0:
                        continue
                    cut = rest.min() if side == "low" else rest.max()
                    keep = inside & ((everywhere >= cut) if side == "low" else (everywhere <= cut))
                if keep.sum() == inside.sum() or keep.sum() == 0:
                    continue
                density = y[keep].mean()
                if best is None or density > best[0]:
                    best = (density, column, side, cut, keep)
        if best is None or best[0] <= y[inside].mean():
            break
        _, column, side, cut, keep = best
        # the box's edge at the futures it keeps, not at the quantile between them: on a grid (3, 7.5, 12)
        # a cut at 7.27 kept 3 alone, and read 'in [3, 7.27]'
        kept = x[column].to_numpy()[keep]
        limits[column][0 if side == "low" else 1] = float(kept.min() if side == "low" else kept.max())
        inside = keep
    return trajectory


#: fewer sampled futures than this leave too few bad ones (a quarter) for a PRIM box to mean anything
MIN_FUTURES_FOR_PRIM = 8
#: PRIM boxes from fewer futures than this are shown as indicative only
FEW_FUTURES_FOR_PRIM = 32


def format_outcome(value: float, unit: str, in_bn: bool | None = None) -> str:
    """An outcome or regret for people: pounds as £bn or £m when the outcome is money (`in_bn` chooses,
    as for a table's column, `money_in_bn`; by the value's size when None), else a number with its unit
    ('10.1 OCGs', '0.25 (index 0-1)', '220 homicides a year'; a ratio has none)."""
    if not np.isfinite(value):
        return "n/a"
    per = next((f" a {period}" for period in ("year", "month", "week") if unit.endswith(f"/{period}")), "")
    value = value + 0.0  # never '-0'
    if unit.startswith("GBP"):
        in_bn = abs(value) >= 1e9 if in_bn is None else in_bn
        sign = "-" if value < 0 and round(abs(value) / (1e9 if in_bn else 1e6), 2 if in_bn else 1) else ""
        return (f"{sign}£{abs(value) / 1e9:,.2f}bn" if in_bn else f"{sign}£{abs(value) / 1e6:,.1f}m") + per
    base = unit.split("/")[0]
    label = f" ({base})" if base.startswith("index") or base == "share" else f" {base}" if base else ""
    return (f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}") + label + per


def describe_box(name: str, entry: dict) -> str:
    """One line on where an option fails: the box's restricted uncertainties only, and its support."""
    box = entry["box"]
    if box is None:
        if entry.get("never_fails"):
            return f"{name}: best in every sampled future"
        if entry.get("same_regret"):
            return (f"{name}: behind the best option by the same amount in every sampled future "
                    f"({entry['same_regret']}): no region of the uncertainties matters")
        return f"{name}: no PRIM box ({entry.get('skipped', 'too few futures')})"
    limits = "; ".join(f"{k} = {v[0]:.3g}" if v[0] == v[1] else f"{k} in [{v[0]:.3g}, {v[1]:.3g}]"
                       for k, v in box.get("restricted", box["limits"]).items())  # (one level of a grid: a value)
    if not limits:
        return (f"{name}: no region of the uncertainties concentrates its worst futures (they are "
                f"{box['density']:.0%} of all {box.get('futures', '?')} sampled futures, spread across them)")
    futures = box.get("futures", 0)
    base = box.get("base_density")
    if base is not None and (box["density"] < MIN_LIFT * base or box["support"] < MIN_BOX_FUTURES):
        return (f"{name}: no region of the uncertainties clearly concentrates its worst futures (the densest box, "
                f"{box['support']} of {futures} futures with {limits}, holds them at {box['density']:.0%} against "
                f"{base:.0%} of all futures; a box is named when it holds at least {MIN_BOX_FUTURES} futures at "
                f"{MIN_LIFT:g} times that share)")
    few = f"; only {futures} futures: indicative" if futures < FEW_FUTURES_FOR_PRIM else ""
    # the futures at or above its regrets' 75th percentile: a quarter, or more when regrets tie there
    # (under a quarter flagged: its 75th percentile is no regret at all, so the flagged are those it trails in)
    worst = ("its worst quarter of regrets" if base is None or 0.25 <= base <= 0.3 else
             f"its worst regrets: the {base:.0%} of futures in which it falls behind at all" if base < 0.25 else
             f"its worst regrets: the {base:.0%} of futures at or above its 75th percentile, ties included")
    against = f", against {base:.0%} of all futures" if base is not None else ""
    return (f"{name} falls furthest behind the best option ({worst}) mostly when {limits} "
            f"({box['support']} of {futures or '?'} futures inside the box; coverage {box['coverage']:.0%}, "
            f"density {box['density']:.0%}{against}{few})")


def choose_box(trajectory: list[dict], min_coverage: float = 0.5) -> dict:
    """The densest box that still covers at least `min_coverage` of the cases."""
    eligible = [b for b in trajectory if b["coverage"] >= min_coverage] or trajectory[:1]
    return max(eligible, key=lambda b: (b["density"], b["coverage"]))


def _label(column: str, value) -> str:
    if column == "scenario":  # a scenario file: its name
        return Path(str(value)).stem
    if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
        # 860,000,000 rather than 860000000.0, and every digit a setting has: labels name policies apart
        # (beyond 1e15 a float's whole digits are not all the setting's: 1e300 read as 300 digits)
        value = f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:.12g}"
    return f"{column}={value}"


def strict_json(value):
    """JSON without NaN or infinity (not JSON, and refused by strict readers): null instead."""
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


#: the analysis table's columns as the page shows them
#: what a sweep of one policy says of it: its outcome, with no other policy to regret or be behind
SINGLE_POLICY_KEYS = ("policy", "settings", "mean_outcome")
POLICY_COLUMNS = {"policy": "policy", "settings": "settings", "mean_outcome": "mean outcome",
                  "mean_regret": "mean regret", "max_regret": "maximum regret",
                  "share_of_futures_best": "best in (share of futures)",
                  "share_of_futures_clearly_behind": "clearly behind in (share of futures judged)",
                  "futures_judged": "futures judged"}


class FewerReplications(ValueError):
    """The file asks for more replications than the stored sweep has: `most`, what every policy of some
    future has."""

    def __init__(self, most: int, message: str):
        super().__init__(message)
        self.most = most


def complete_futures(table: pd.DataFrame, reps: int, n_policies: int,
                     samples: list | None = None) -> tuple[pd.DataFrame, str]:
    """The finished runs of the futures (uncertainty samples) in which every policy has all its
    replications, and a note on what was left out (empty when nothing was).

    Regret compares policies within a future, so a future missing any policy's runs would rank
    the policies on different evidence.
    """
    counts = table.groupby(["sample", "policy"]).size().unstack(fill_value=0)
    if samples is not None:  # futures of the design with no finished run at all count as unfinished
        counts = counts.reindex(samples, fill_value=0)
    complete = counts.index[(counts >= reps).all(axis=1)] if counts.shape[1] == n_policies else counts.index[:0]
    kept = table[table["sample"].isin(complete)]
    if kept.empty:
        # the most replications every policy of some future has: what a smaller reps would analyse
        most = int(counts.min(axis=1).max()) if counts.shape[1] == n_policies and len(counts) else 0
        if 0 < most < reps:  # the file asks for more replications than were swept: say so, not "unfinished"
            raise FewerReplications(most, f"the file asks for {reps} replications of each policy in each future, "
                                    f"and the stored sweep has at most {most}: run `twin sweep` to run the rest (the "
                                    f"ones stored are kept), or set reps = {most} (or add --latest) to analyse those")
        raise ValueError("no sampled future has finished runs for every policy yet; run `twin sweep` again to finish")
    note = ""
    if len(kept) < len(table) or counts.shape[0] > len(complete):
        note = (f"{len(complete)} of {counts.shape[0]} sampled futures have every policy's runs; the analysis uses "
                f"only those ({len(kept)} runs). Run `twin sweep` again to finish the others (it runs failed runs "
                f"again; a run that fails each time, which it lists, keeps its future out).")
    return kept, note


#: one-sided error rate of each option's "clearly behind" verdict in a future (shared, Bonferroni,
#: among its comparisons with the other options)
CLEARLY_BEHIND_ALPHA = 0.05


def clearly_behind(table: pd.DataFrame, outcome: str, wide: pd.DataFrame, lower_is_better: bool) -> pd.DataFrame | None:
    """[future, policy]: whether the policy is clearly behind another in the future, so clearly not
    its best: for some other policy, the gap between them, paired replication by replication (a
    replicate's seed is the same for every policy), is above the one-sided t critical value for
    `CLEARLY_BEHIND_ALPHA` / (policies - 1) with replications - 1 degrees of freedom, times its
    standard error. Comparing with every other policy, not with the best of the sample means,
    keeps the choice of the best from biasing the verdict. Futures without at least two
    replications of every policy, or with a missing outcome, are left out (all NaN); None when no
    future is left."""
    from scipy.stats import t as student_t

    if "replicate" not in table.columns or len(wide.columns) < 2:
        return None
    runs = table.pivot_table(index=["sample", "replicate"], columns="policy", values=outcome,
                             dropna=False).reindex(columns=wide.columns)
    sign = 1.0 if lower_is_better else -1.0  # gaps positive where the first policy does worse
    verdict = pd.DataFrame(np.nan, index=wide.index, columns=wide.columns, dtype=object)
    kept = 0
    for sample, block in runs.groupby(level="sample"):
        values = block.to_numpy() * sign
        n = values.shape[0]
        if n < 2 or np.isnan(values).any() or sample not in verdict.index:
            continue
        critical = student_t.ppf(1 - CLEARLY_BEHIND_ALPHA / (values.shape[1] - 1), n - 1)
        gaps = values[:, :, None] - values[:, None, :]  # [replicate, policy, other]
        mean, se = gaps.mean(axis=0), gaps.std(axis=0, ddof=1) / np.sqrt(n)
        behind = (mean > critical * se) & (mean > 0)
        verdict.loc[sample] = behind.any(axis=1)
        kept += 1
    return verdict if kept else None


def behind_note(policy: dict) -> str:
    """', clearly behind another option in N% of F futures (paired replications)', or nothing
    without a test (a single replication)."""
    share = policy["share_of_futures_clearly_behind"]
    if np.isnan(share):
        return ""
    return (f", clearly behind another option in {share:.0%} of {policy['futures_judged']} futures "
            f"(paired replications)")


def identical_policies(table: pd.DataFrame, outcomes: list[str]) -> list[list[int]]:
    """Groups of policies whose every outcome is the same in every run (paired by future and
    replicate): their settings differ only where nothing acts. Ties share "best" in a future, so
    such a group's shares of futures best add up to more than they would."""
    keys = ["sample", "replicate"] if "replicate" in table.columns else ["sample"]
    wide = table.pivot_table(index=keys, columns="policy", values=outcomes, dropna=False)
    columns = {int(p): wide.xs(p, axis=1, level="policy").to_numpy() for p in sorted(table["policy"].unique())}
    groups, placed = [], set()
    for p, values in columns.items():
        if p in placed:
            continue
        same = [q for q, other in columns.items() if q not in placed and q != p
                and np.array_equal(values, other, equal_nan=True)]
        if same:
            groups.append([p, *same])
            placed.update([p, *same])
    return groups


def future_regrets(table: pd.DataFrame, uncertainties: list[str], outcome: str, lower_is_better: bool):
    """Each future's outcome per policy (the mean of its paired replications) and each policy's regret
    in it (how much worse than the best policy there): the futures in long form with their conditions,
    then outcome and regret as [future, policy] tables."""
    futures = table.groupby(["sample", "policy"])[[outcome] + uncertainties].mean().reset_index()
    wide = futures.pivot(index="sample", columns="policy", values=outcome)
    best = wide.min(axis=1) if lower_is_better else wide.max(axis=1)
    return futures, wide, (wide.sub(best, axis=0) if lower_is_better else -wide.sub(best, axis=0))


def _melted(frame: pd.DataFrame, name: str) -> pd.Series:
    """A [future, policy] table as one column indexed by (sample, policy), NaN kept."""
    return frame.rename_axis(columns="policy").reset_index().melt(
        id_vars="sample", var_name="policy", value_name=name).set_index(["sample", "policy"])[name]


def regret_table(table: pd.DataFrame, results: list[dict]) -> pd.DataFrame:
    """regret.csv: one row per outcome, sampled future and policy: the future's uncertain conditions, the
    policy's settings, its outcome (the mean of the future's replications), its regret there and whether
    it is best there; for robustness measures of the analyst's own (satisficing, other percentiles)."""
    parts = []
    for result in results:
        uncertainties, outcome = list(result["uncertainties"]), result["outcome"]
        futures, wide, regret = future_regrets(table, uncertainties, outcome, result["better"] == "lower")
        replications = table.groupby(["sample", "policy"])[outcome].count().rename("replications")  # (with a value)
        long = (futures.set_index(["sample", "policy"])[uncertainties].join(_melted(wide, "value"))
                .join(_melted(regret, "regret")).join(replications).reset_index())
        long.insert(0, "outcome", outcome)
        long.insert(3, "settings", long["policy"].map({p["policy"]: p["settings"] for p in result["policies"]}))
        long["best_in_future"] = long["regret"] <= 1e-9
        long["unit"] = result["unit"]
        parts.append(long)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def analyse(table: pd.DataFrame, uncertainties: list[str], policies: list[str], outcome: str,
            lower_is_better: bool = True, unit: str = "") -> dict:
    """Regret, robustness, PRIM boxes and feature scores for one outcome of a sweep."""
    futures, wide, regret = future_regrets(table, uncertainties, outcome, lower_is_better)
    conditions = futures.groupby("sample")[uncertainties].first().loc[wide.index]
    behind = clearly_behind(table, outcome, wide, lower_is_better)
    labels = table.groupby("policy")[policies].first() if policies else pd.DataFrame(index=wide.columns)
    summary, boxes = [], {}
    for policy in wide.columns:
        name = ", ".join(_label(c, labels.loc[policy, c]) for c in labels.columns) or str(policy)
        r = regret[policy]
        summary.append({"policy": int(policy), "settings": name, "mean_outcome": float(wide[policy].mean()),
                        "mean_regret": float(r.mean()), "max_regret": float(r.max()),
                        "share_of_futures_best": float((r <= 1e-9).mean()),
                        "share_of_futures_clearly_behind": float(behind[policy].dropna().astype(bool).mean())
                        if behind is not None else float("nan"),
                        "futures_judged": int(behind[policy].notna().sum()) if behind is not None else 0})
        fails = (r >= r.quantile(0.75)) & (r > 0)
        if len(wide.columns) == 1:  # its regret is nothing by definition: nothing to rank it against
            boxes[name] = {"box": None, "skipped": "one policy, nothing to fall behind"}
        elif not fails.any():
            boxes[name] = {"box": None, "never_fails": True}
        elif len(r) > 1 and np.ptp(r.to_numpy()) <= 1e-9 * max(abs(float(r.iloc[0])), 1.0):  # every future alike
            boxes[name] = {"box": None, "same_regret": format_outcome(float(r.iloc[0]), unit)}
        elif not uncertainties or len(r) < MIN_FUTURES_FOR_PRIM:
            futures = f"{len(r)} sampled future{'s' if len(r) != 1 else ''}"
            boxes[name] = {"box": None, "skipped": (f"{futures}: PRIM needs at least {MIN_FUTURES_FOR_PRIM}"
                                                    if uncertainties else
                                                    "no uncertainties were sampled")}
        else:
            trajectory = prim(conditions, fails.to_numpy())
            box = choose_box(trajectory)
            ranges = {u: (float(conditions[u].min()), float(conditions[u].max())) for u in uncertainties}
            box = dict(box, restricted={k: v for k, v in box["limits"].items()
                                        if v[0] > ranges[k][0] + 1e-12 or v[1] < ranges[k][1] - 1e-12},
                       futures=int(len(r)), base_density=float(trajectory[0]["density"]))
            boxes[name] = {"box": box, "trajectory": trajectory}
    scores = {}
    # With a handful of futures a rank correlation takes only a few coarse values (0.5 or 1 from 3):
    # none are given below the number PRIM needs either.
    for u in uncertainties if len(wide) >= MIN_FUTURES_FOR_PRIM else ():
        rho = [abs(spearmanr(futures[futures.policy == p][u], futures[futures.policy == p][outcome])[0])
               for p in wide.columns if futures[futures.policy == p][u].nunique() > 1
               and futures[futures.policy == p][outcome].nunique() > 1]  # a constant has no rank correlation
        scores[u] = float(np.nanmean(rho)) if rho else float("nan")
    if len(summary) == 1:  # one policy: no regret, no share of futures best or behind
        summary = [{key: value for key, value in summary[0].items() if key in SINGLE_POLICY_KEYS}]
    return {"outcome": outcome, "unit": unit, "better": "lower" if lower_is_better else "higher", "futures": len(wide),
            "policies": sorted(summary, key=lambda s: s.get("max_regret", 0.0)),
            "prim": boxes, "feature_scores": scores, "uncertainties": list(uncertainties)}


def definition_words(result: dict) -> str:
    """How an outcome was read off each run, in words (its `definition`: metric, area, years, aggregation)."""
    from twin.export import AGGREGATION_WORDS

    read = result.get("definition")
    if not read:
        return ""
    over = f" over {read['ratio_of']}" if read.get("ratio_of") else ""
    money = "; undiscounted, 2023-24 prices" if str(result.get("unit", "")).startswith("GBP") else ""
    first, last = read["years"]
    how = AGGREGATION_WORDS.get(read["aggregation"], read["aggregation"])
    return (f"Read off each run: {read['metric']}{over} for {read['area']}, years {first}-{last} after the spin-up, "
            f"the {how}{money}" + (f" ({result['unit']})" if result.get("unit") else "") + ".")


def write_analysis(table: pd.DataFrame, results: list[dict], out_dir: Path, title: str,
                   about: list[str] = (), found: list[list[str]] = (), record: dict | None = None) -> Path:
    """analysis.html and analysis.json; `found` is each outcome's verdict (the most robust option
    and its runner-up), first on the page; `about` says which runs these are (experiment,
    database, runs) and anything the command warned about (an older sweep, futures left out).
    analysis.json holds `record` (which experiment, database and file; whether the sweep is the
    file's own, as it is now with the current code; the notes) and the figures under "outcomes"."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    out_dir.mkdir(parents=True, exist_ok=True)
    whole = {**(record or {}), "outcomes": results}
    (out_dir / "analysis.json").write_text(json.dumps(strict_json(whole), indent=2, allow_nan=False), encoding="utf-8")
    regret_table(table, results).to_csv(out_dir / "regret.csv", index=False)
    sections = []
    for result in results:
        outcome = result["outcome"]
        figure, axis = plt.subplots(figsize=(8, 3.5), dpi=100)
        unit = result.get("unit", "")
        scale, y_label = ((1e9, "£bn" + (" a year" if unit.endswith("/year") else "")) if unit.startswith("GBP")
                          else (1.0, unit))
        groups = [table[table.policy == p["policy"]][outcome].to_numpy() / scale for p in result["policies"]]
        axis.boxplot(groups, tick_labels=[str(p["policy"]) for p in result["policies"]])
        axis.set_title(f"{outcome}: every run of each policy\n({result['better']} is better; policies ordered by "
                       f"maximum regret)" if len(result["policies"]) > 1 else
                       f"{outcome}: every run of the one policy ({result['better']} is better)",
                       fontsize=10)  # on two lines: one was cut off
        axis.set_xlabel("policy (numbered as in the table below)")
        axis.set_ylabel(y_label)
        figure.tight_layout()
        chart = figure_png(figure)
        policies = pd.DataFrame(result["policies"])
        for column in (c for c in ("mean_outcome", "mean_regret", "max_regret") if c in policies):
            in_bn = bool(np.nanmax(np.abs(policies[column].to_numpy(float)), initial=0.0) >= 1e9)  # one unit a column
            policies[column] = policies[column].map(lambda v: format_outcome(v, result.get("unit", ""), in_bn))
        for column in (c for c in ("share_of_futures_best", "share_of_futures_clearly_behind") if c in policies):
            policies[column] = policies[column].map(lambda v: f"{v:.0%}" if np.isfinite(v) else "no test")
        policies = policies.rename(columns=POLICY_COLUMNS)
        tradeoff = ""
        curves = {n: e["trajectory"] for n, e in result["prim"].items() if e.get("trajectory")}
        if curves:
            figure, axis = plt.subplots(figsize=(6, 4), dpi=100)
            number = {p["settings"]: p["policy"] for p in result["policies"]}  # as the table numbers them
            for k, (name, trajectory) in enumerate(curves.items()):
                axis.plot([b["coverage"] for b in trajectory], [b["density"] for b in trajectory], marker=".",
                          ls=("-", "--", ":", "-.")[k // 10 % 4],  # colours repeat after ten: the style differs
                          label=f"policy {number[name]}" if name in number else name[:40])
            axis.set_xlabel("coverage (share of the option's bad futures inside the box)")
            axis.set_ylabel("density (share of the box that is bad)")
            axis.set_title("PRIM peeling: coverage against density", fontsize=10)
            axis.legend(fontsize=6)
            figure.tight_layout()
            tradeoff = (f"<img alt='Line chart of PRIM peeling for {len(curves)} option(s): the share of each "
                        f"option&#x27;s bad futures inside the box (coverage) against the share of the box that is bad "
                        f"(density), as the box narrows' src='data:image/png;base64,{figure_png(figure)}'>")
        boxes = [f"<li>{html.escape(describe_box(name, entry))}.</li>" for name, entry in result["prim"].items()]
        moved = result["feature_scores"]  # NaN: the outcome (or the uncertainty) never varied
        scores = (", ".join(f"{k} {v:.2f}" if np.isfinite(v) else f"{k} n/a (the outcome does not vary with it)"
                            for k, v in sorted(moved.items(), key=lambda kv: -np.nan_to_num(kv[1], nan=-1)))
                  or ("no uncertainties were sampled" if not result.get("uncertainties", True)
                      else f"not computed: {result.get('futures', 0)} sampled future(s); at least "
                      f"{MIN_FUTURES_FOR_PRIM} are needed"))
        medians = ", ".join(f"policy {p['policy']} {format_outcome(float(np.median(g)) * scale, unit)}"
                            for p, g in zip(result["policies"], groups) if len(g))
        sections.append(f"<h2>{html.escape(outcome)} ({result['better']} is better)</h2>"
                        f"<p>{html.escape(definition_words(result))}</p><img alt='Box plots of "
                        f"{html.escape(outcome)} over every run of each policy; medians: {html.escape(medians)}' "
                        f"src='data:image/png;base64,{chart}'>"
                        + captioned(policies, f"{outcome}: each policy, ordered by maximum regret" if len(policies) > 1
                                    else f"{outcome}: the one policy (nothing to rank it against)",
                                    float_format=lambda v: f'{v:,.4g}') +
                        f"<h3>Where each option falls furthest behind (PRIM: futures in which its regret is in its own worst quarter)</h3><ul>{''.join(boxes) or '<li>too few futures</li>'}</ul>"
                        f"{tradeoff}"
                        f"<h3>Which uncertainties move the outcome's level (|Spearman rho|, mean over the options)</h3>"
                        f"<p>{html.escape(scores)}</p><p>How strongly each sampled uncertainty moves the outcome "
                        f"itself, not which option does best: where each option falls behind is in the boxes above.</p>")
    page = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body {{ font-family: Georgia, serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; font-family: sans-serif; font-size: .8em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: right; }} img {{ max-width: 100%; }}</style>
</head><body><h1>{html.escape(title)}</h1>
{"<ul>" + "".join(f"<li><strong>{html.escape(lines[0])}</strong>" + "".join(f"<br>{html.escape(line)}"
 for line in lines[1:]) + "</li>" for lines in found) + "</ul>" if found else ""}
{''.join(f"<p>{html.escape(line)}</p>" for line in about)}
<p>Regret: in each sampled future, how much worse an option does than the best option in that future, in
the direction each outcome states (lower or higher is better). Regret is computed on the mean of each
option's replications in a future, so differences smaller than the replications' spread (see the box plots)
are noise. Robust options have a small maximum regret and are best in many futures. "Clearly behind": the
share of futures in which another option does better than it beyond doubt: their gap, paired replication by
replication (the same seeds for every option), passes a one-sided t test at {CLEARLY_BEHIND_ALPHA:g} shared among
its comparisons; in the other futures the replications cannot rule it out as the best (with two replications
only large gaps pass; with one there is no test, and the column says "no test"). Futures with a missing outcome are
left out of it.</p>
<p>Beside this page: <code>analysis.json</code>, these results for programs (each outcome's definition, its options
with their regrets, the PRIM boxes and the uncertainties' scores, and which sweep, database, seed and model code were
read); and <code>regret.csv</code>, one row per outcome, sampled future and option: <code>outcome</code>,
<code>sample</code> (the future), <code>policy</code> and <code>settings</code> (the option's lever settings), each
sampled uncertainty's value in that future, <code>value</code> (the outcome, the mean of the future's replications that
have one), <code>regret</code> (how much worse than the future's best option, in the outcome's unit; 0 for the best),
<code>replications</code> (those with a value), <code>best_in_future</code> (true for every option tied at the
best) and <code>unit</code>: for robustness measures of one's own (satisficing, other percentiles).</p>
{''.join(sections)}{made_by()}</body></html>"""
    path = out_dir / "analysis.html"
    path.write_text(page, encoding="utf-8")
    return path
