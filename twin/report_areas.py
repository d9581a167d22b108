"""The report's table of where the harm falls: harm over the horizon by area in the baseline, each
option's paired change from it (marked where its 90% interval lies on one side of zero), and
totals by region and nation; the change in response spending by who spends it and by nation; and,
when an option moves harm into the county-lines exporter areas, how the groups moved.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from twin.compare import Comparison
from twin.report_caveats import paired_change
from twin.report_format import NUMBER_WORDS, and_list, bn, lever_label, signed_bn


def area_table(comparison: Comparison) -> pd.DataFrame:
    """Rows: areas by baseline harm, then region and nation totals; columns: the baseline's harm (£m) and each
    option's change (£m), '*' after a change whose interval excludes zero (areas only: the totals
    carry no interval)."""
    harm = comparison.areas[comparison.areas.metric == "harm_gbp_total"]
    options = [s for s in comparison.scenarios if s != comparison.baseline]  # in the comparison's order
    areas = harm.pivot_table(index="area", columns="scenario", values="diff_mean").reindex(columns=options)
    clear = pd.DataFrame(False, index=areas.index, columns=areas.columns)
    if {"diff_low", "diff_high"} <= set(harm.columns):
        low = harm.pivot_table(index="area", columns="scenario", values="diff_low").reindex_like(areas)
        high = harm.pivot_table(index="area", columns="scenario", values="diff_high").reindex_like(areas)
        clear = (low > 0) | (high < 0)
    base_harm = harm[harm.scenario == comparison.baseline].set_index("area")["mean"]
    areas.insert(0, f"{comparison.baseline} harm (£m)", base_harm / 1e6)
    for column in areas.columns[1:]:
        areas[column] = areas[column] / 1e6
    areas = areas.sort_values(areas.columns[0], ascending=False)
    marks = clear.reindex(areas.index).fillna(False)
    areas = areas.reset_index()
    areas = pd.concat([areas, pd.DataFrame(nation_subtotals(areas, comparison.geography.get("nation_of") or {},
                                                            comparison.geography.get("region_of") or {}))])
    areas = areas.set_index("area").map(
        lambda v: "n/a" if not np.isfinite(v) else f"{v:+,.1f}" if abs(v) < 9.95 else f"{round(v) + 0:+,.0f}")
    for column in marks.columns:  # the areas' rows come first, in the order of `marks`
        flagged = marks[column].to_numpy(dtype=bool)
        areas.iloc[: flagged.size, areas.columns.get_loc(column)] += np.where(flagged, "*", "")
    areas = areas.reset_index()
    areas.iloc[:, 1] = areas.iloc[:, 1].str.lstrip("+")  # levels carry no sign; changes do
    areas.columns = [str(c) if i < 2 else f"{c}: change (£m)" for i, c in enumerate(areas.columns)]
    return areas


def nation_subtotals(areas: pd.DataFrame, nation_of: dict[str, str], region_of: dict[str, str] | None = None
                     ) -> list[dict]:
    """Total rows for the per-area table: each region (the ROCUs' remits) with more than one area
    when there are several regions, each nation with more than one area, England and Wales together
    (Home Office policing) when both are there, and all areas."""
    numbers = areas.drop(columns="area")
    rows = []
    region = areas["area"].map(region_of or {})
    if region.nunique() > 1:
        for name in dict.fromkeys(region.dropna()):
            if (region == name).sum() > 1:
                rows.append({"area": f"ROCU region: {name}", **numbers[region == name].sum()})
    nation = areas["area"].map(nation_of)
    groups = {n: [n] for n in dict.fromkeys(nation.dropna()) if (nation == n).sum() > 1}
    if {"England", "Wales"} <= set(nation.dropna()):
        groups["England and Wales"] = ["England", "Wales"]
    if len(set(nation.dropna())) > 1:
        for label, members in groups.items():
            rows.append({"area": f"total: {label}", **numbers[nation.isin(members)].sum()})
    rows.append({"area": "all areas", **numbers.sum()})
    return rows


def spending_by_nation(comparison: Comparison) -> pd.DataFrame:
    """Each option's change in response spending over the horizon, undiscounted, by nation (England
    and Wales together, as Home Office policing; Scotland and Northern Ireland devolved), in £bn:
    the areas' own spending, the ROCUs' and the NCA's attributed by population. Empty when the
    areas are of one nation or say none."""
    nation_of = comparison.geography.get("nation_of") or {}
    cost = comparison.areas[(comparison.areas.metric == "response_cost_gbp")
                            & (comparison.areas.scenario != comparison.baseline)]
    if cost.empty or "diff_mean" not in cost or len(set(nation_of.values())) < 2:
        return pd.DataFrame()
    group = cost["area"].map(nation_of).replace({"England": "England and Wales", "Wales": "England and Wales"})
    table = cost.assign(nation=group).pivot_table(index="scenario", columns="nation", values="diff_mean",
                                                  aggfunc="sum") / 1e9
    order = [n for n in ("England and Wales", "Scotland", "Northern Ireland") if n in table.columns]
    table = table[order + [n for n in table.columns if n not in order]]
    table["all areas"] = table.sum(axis=1)
    table = table.reindex([s for s in comparison.scenarios if s in table.index])  # the comparison's order
    table.columns.name = None
    return table.map(lambda v: f"{v:+,.2f}").reset_index().rename(columns={"scenario": "option (£bn, undiscounted)"})


def displacement_sentence(comparison: Comparison, scenario: str) -> str | None:
    """When an option raises the harm in the county-lines exporter areas (its 90% interval above
    zero) while lowering it elsewhere, and the exporter areas gain groups as the others lose them:
    those counts, the groups that moved into the exporter areas after operations, and, when
    operations grew more per group elsewhere, why (a group may move to a neighbouring area after
    an operation against it). None otherwise, or when the stored results lack what it needs."""
    exporters = set(comparison.geography.get("exporters") or [])
    summary = comparison.summary[comparison.summary.scenario == scenario].set_index("metric")
    names = ["discounted_harm_gbp_exporter_areas", "discounted_harm_gbp_other_areas"]
    areas = comparison.areas
    if (not exporters or not set(names) <= set(summary.index) or "diff_low" not in summary
            or not {"scenario", "area", "metric", "mean", "diff_mean"} <= set(areas.columns)):
        return None
    rise, fall = summary.loc[names[0]], summary.loc[names[1]]
    if not (rise["diff_low"] > 0 and fall["diff_mean"] < 0):
        return None
    mine = areas[areas.scenario == scenario]
    base = areas[areas.scenario == comparison.baseline]

    def total(frame: pd.DataFrame, metric: str, exporter: bool, column: str) -> float:
        rows = frame[(frame.metric == metric) & (frame.area.isin(exporters) == exporter)]
        return float(rows[column].sum()) if not rows.empty else np.nan

    gained = total(mine, "ocgs_active", True, "diff_mean")
    lost = total(mine, "ocgs_active", False, "diff_mean")
    if not (gained > 0 > lost):
        return None
    text = (f"Under {html.escape(scenario)} harm (discounted) rises by {bn(rise['diff_mean'])} in the exporter "
            f"areas (90% interval {bn(rise['diff_low'])} to {bn(rise['diff_high'])}) while it falls by "
            f"{bn(-fall['diff_mean'])} elsewhere, and groups gather there: the exporter areas hold {gained:+,.0f} "
            f"groups on average over the horizon, the others {lost:+,.0f}")
    moved_in = total(mine, "relocations", True, "mean")
    moved_in_before = total(base, "relocations", True, "mean")
    if moved_in > moved_in_before > 0:
        text += (f"; groups moved into one of them after an operation {moved_in:,.0f} times, against "
                 f"{moved_in_before:,.0f} in {html.escape(comparison.baseline)}")
    text += "."
    growth = {}
    for exporter in (True, False):
        groups, disruptions = total(base, "ocgs_active", exporter, "mean"), total(base, "disruptions", exporter, "mean")
        per_group = disruptions / groups if groups > 0 else np.nan
        groups_now = groups + total(mine, "ocgs_active", exporter, "diff_mean")
        disruptions_now = disruptions + total(mine, "disruptions", exporter, "diff_mean")
        growth[exporter] = (disruptions_now / groups_now) / per_group if groups_now > 0 and per_group > 0 else np.nan
    if growth[False] > growth[True] > 1:
        text += (f" After an operation against it a group may move to a neighbouring area, and this option "
                 f"multiplies disruptions per group by {growth[False]:.1f} elsewhere against {growth[True]:.1f} in "
                 f"the exporter areas: groups move away from where operations grow most, and take their harm "
                 f"with them.")
    return text


#: who spends an option's extra response money: (column, baseline response metrics, lever spending metric)
SPENDERS = (("police forces", ("response_cost_gbp_forces",), "lever_spending_gbp_forces"),
            ("ROCUs", ("response_cost_gbp_rocus",), "lever_spending_gbp_rocus"),
            ("NCA", ("response_cost_gbp_nca",), "lever_spending_gbp_nca"),
            ("courts", ("response_cost_gbp_courts",), "lever_spending_gbp_courts"),
            ("prisons and remand", ("response_cost_gbp_prisons",), "lever_spending_gbp_prisons"),
            ("other public bodies", (), "lever_spending_gbp_other"))


def who_pays_gbp(comparison: Comparison) -> pd.DataFrame:
    """Each option's change in response spending (discounted, mean of paired replications) by who
    spends it, in GBP: the three police tiers, the courts and the prisons (their own costs, which grow
    with charges, remand and convictions, and the levers' money they spend) and other public bodies
    (the levers' money they spend); the parts add up to `total`. `levers`: each lever's spending."""
    summary = comparison.summary
    rows = []
    for option in [s for s in comparison.scenarios if s != comparison.baseline]:
        mine = summary[(summary.scenario == option) & summary["metric"].str.startswith("discounted_")]
        if mine.empty or "diff_mean" not in mine:
            continue
        change = mine.set_index("metric")["diff_mean"]
        # each lever's spending in the option less the baseline's, paired as the other changes (every
        # scenario's summary lists every lever of the comparison: a lever only one of them has counts in full)
        levers = change[change.index.str.startswith("discounted_lever_cost_gbp_")].fillna(0.0)
        row = {"option": option, "total": change.get("discounted_response_cost_gbp", float("nan"))}
        for label, own, lever in SPENDERS:
            row[label] = (sum(change.get(f"discounted_{m}", 0.0) for m in own)
                          + change.get(f"discounted_{lever}", float("nan")))
        row["levers"] = levers.rename(lambda m: m.removeprefix("discounted_lever_cost_gbp_"))
        rows.append(row)
    return pd.DataFrame(rows)


def who_pays(comparison: Comparison) -> pd.DataFrame:
    """`who_pays_gbp` for the report: £bn, the largest levers' spending (by size, savings included)
    named after the parts."""
    table = who_pays_gbp(comparison)
    phased = {name for scenario, names in getattr(comparison, "lever_names", {}).items()  # Clear-Hold-Build levers
              for name, kind in zip(names, comparison.lever_types.get(scenario, [])) if kind == "clear_hold_build"}
    rows = []
    for _, r in table.iterrows():
        row = {"option": r["option"], "total": signed_bn(r["total"], table=True)}
        row.update({label: signed_bn(r[label], table=True) for label, _, _ in SPENDERS})
        levers = r["levers"]
        largest = levers[levers.abs() >= 5e6]
        largest = largest.reindex(largest.abs().sort_values(ascending=False).index)
        named = "; ".join(f"{lever_label(name, phased)} {signed_bn(v)}" for name, v in largest.head(5).items())
        small = int(((levers.abs() < 5e6) & (levers != 0)).sum()) if named else 0  # changed, if only a little
        row["largest levers (included above)"] = (
            named + (f"; {len(largest) - 5} more" if len(largest) > 5 else "")
            + ((", and " if len(largest) > 5 else "; ") + f"{small} more under £0.01bn" if small else "")) or (
            "each under £0.01bn" if len(levers) and levers.abs().sum() > 0 else "none")
        rows.append(row)
    return pd.DataFrame(rows)


def _change(value: float) -> str:
    return f"falls by {bn(-value)}" if value < 0 else f"rises by {bn(value)}" if value > 0 else "is unchanged"


def landed(comparison: Comparison, scenario: str, metric: str) -> tuple[str, bool | None] | None:
    """An option's paired change in `metric` in words with its 90% interval, and whether it is a
    rise (True), a fall (False) or not told apart from none (None); None without the metric."""
    r = paired_change(comparison, scenario, metric)
    if r is None:
        return None
    value = float(r["diff_mean"])
    if not np.isfinite(r.get("diff_low", np.nan)):  # one pair: no interval
        return _change(value), None
    clear = True if r["diff_low"] > 0 else False if r["diff_high"] < 0 else None
    return (f"{_change(value)} (90% interval {signed_bn(r['diff_low'])} to {signed_bn(r['diff_high'])}"
            f"{', not told apart from no change' if clear is None else ''})", clear)


def where_it_lands(comparison: Comparison, scenario: str) -> str | None:
    """Where an option's change in harm falls: in the county-lines exporter areas and elsewhere,
    discounted, each with its 90% interval; 'some activity is displaced' only when harm clearly
    rises elsewhere as it clearly falls in the exporter areas. None without exporter areas."""
    exporters = comparison.geography.get("exporters") or []
    there = landed(comparison, scenario, "discounted_harm_gbp_exporter_areas")
    elsewhere = landed(comparison, scenario, "discounted_harm_gbp_other_areas")
    if not exporters or there is None or elsewhere is None:
        return None
    n = len(exporters)
    phrase = f"{NUMBER_WORDS.get(n, str(n))} county-lines exporter force area{'s' if n != 1 else ''}"
    return (f"Where it lands (discounted): harm {there[0]} in the {phrase} "
            f"({and_list([html.escape(e) for e in exporters])}) and {elsewhere[0]} elsewhere"
            + (" (some activity is displaced)." if elsewhere[1] is True and there[1] is False else "."))


#: nations whose policing is devolved (not the Home Office's): their share of the harm averted is said
DEVOLVED = ("Scotland", "Northern Ireland")


def devolved_share(comparison: Comparison, scenario: str) -> str | None:
    """How much of the harm an option averts falls where policing is devolved (Scotland, Northern
    Ireland) and how much in England and Wales (Home Office policing), undiscounted: an appraisal for
    England and Wales alone counts the second. None when the option averts no harm or the areas hold
    no devolved nation."""
    nation_of = comparison.geography.get("nation_of") or {}
    harm = comparison.areas[(comparison.areas.metric == "harm_gbp_total") & (comparison.areas.scenario == scenario)]
    if harm.empty or "diff_mean" not in harm or not set(DEVOLVED) & set(nation_of.values()):
        return None
    change = harm.set_index("area")["diff_mean"]
    total, devolved = float(change.sum()), float(change[change.index.map(nation_of).isin(DEVOLVED)].sum())
    if not total < 0 or devolved == 0:  # (nothing averted to split, or no devolved area in the table)
        return None
    there = [n for n in DEVOLVED if n in set(nation_of.values())]
    return (f"Of the {bn(-total)} of harm it averts (undiscounted), {bn(devolved - total)} falls in England and Wales "
            f"and {bn(-devolved)} ({devolved / total:.0%}) in {and_list(there)}, where policing is devolved: an "
            f"appraisal for England and Wales alone counts the first (see 'Where the harm falls').")
