"""The report's paragraph on what the options do not move: harm categories an option changes by
less than a small share of their level (national markets; markets capped by demand), with the
model's reason, and the clear changes among them (a small rise from police attention moved
elsewhere is still a rise).
"""

from __future__ import annotations

import html

import numpy as np

from twin.compare import Comparison
from twin.report_format import and_list, bn
from twin.report_text import horizon_years


#: harm categories whose insensitivity to every option is worth saying: (summary metric, label)
STUBBORN_HARMS = (("total_harm_gbp_economic", "fraud and other economic crime", "fraud_supply_elasticity",
                   "fraud data-sharing", "fraud", "fraud_data_sharing"),
                  ("total_harm_gbp_immigration", "organised immigration crime", "immigration_supply_elasticity",
                   "border powers", "smuggling", "border_powers"))


def _percent(share: float) -> str:
    """A change as a share of a level, to two figures: '-1.6%', '+0.04%'."""
    value = 100 * share
    return "0%" if value == 0 else f"{value:+.2g}%" if abs(value) >= 0.01 else f"{'+' if value > 0 else '-'}0.01% or less"


def _levers_too(comparison: Comparison, metric: str, label: str, lever_label: str, lever_type: str,
                threshold: float) -> str:
    """' Yet ...': the options here that add the lever (the baseline has not got it) and still move
    the category by less than `threshold` of its baseline level, with their changes; '' if none."""
    lever_types = getattr(comparison, "lever_types", None) or {}
    if lever_type in lever_types.get(comparison.baseline, []):
        return ""
    rows = comparison.summary[comparison.summary.metric == metric]
    base = float(rows[rows.scenario == comparison.baseline]["mean"].iloc[0])
    holders = [(r.scenario, r.diff_mean / base) for r in rows.itertuples()
               if r.scenario != comparison.baseline and lever_type in lever_types.get(r.scenario, [])
               and np.isfinite(r.diff_mean)]
    if not holders or any(abs(share) >= threshold for _, share in holders):
        return ""
    changes = and_list([f"{_percent(share)} under {html.escape(name)}" for name, share in holders])
    return (f" Yet {lever_label}, in the option{'s' if len(holders) > 1 else ''} here that add{'' if len(holders) > 1 else 's'} "
            f"{'them' if lever_label.endswith('s') else 'it'}, {'do' if lever_label.endswith('s') else 'does'} not move "
            f"{label} much either: its harm changes by {changes} against {html.escape(comparison.baseline)}.")


#: harm categories whose volume is the smaller of local supply and demand (ODD section 4):
#: (metric, label)
CAPPED_HARMS = (("total_harm_gbp_modern_slavery", "modern slavery"),)


#: the clause naming a small change whose interval lies on one side of zero (its pounds are undiscounted)
SMALL_BUT_CLEAR = "small, but clear"


def _unmoved(comparison: Comparison, categories, threshold: float) -> tuple[list[str], list[tuple], bool]:
    """For each category (metric, label, *reason) that some options move by less than `threshold`
    of its baseline level: a phrase naming it and those options, its reason fields, and whether
    every option leaves every such category unmoved."""
    summary = comparison.summary
    still, reasons, by_all = [], [], True
    for metric, label, *reason in categories:
        rows = summary[summary.metric == metric]
        base = rows[rows.scenario == comparison.baseline]["mean"]
        if base.empty or base.iloc[0] <= 0 or "diff_mean" not in rows:
            continue
        options = rows[(rows.scenario != comparison.baseline) & rows.diff_mean.notna()]
        share = options.diff_mean.abs() / base.iloc[0]
        unmoved = options[share < threshold]
        if unmoved.empty:
            continue
        largest = float(share[share < threshold].max())
        names = [html.escape(name) for name in unmoved.scenario]
        by_all &= len(names) == len(options)
        who = ("every option here" if len(names) == len(options) > 1 else
               (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else names[0])
        plural = 1 < len(names) < len(options)  # "A and B leave it" against "every option here leaves it"
        if largest == 0:
            moved = "leave it exactly where it is" if plural else "leaves it exactly where it is"
        else:
            bound = f"{max(np.ceil(largest * 1000) / 1000, 0.001):.1%}"
            moved = f"{'move' if plural else 'moves'} it by at most {bound}"
        others = options[share >= threshold]  # the options that do move it, named so none is read as unmoved
        if not others.empty:
            def by(moved_share):  # never the same figure as the bound above, which is rounded up
                return f"{moved_share:.1%}" if largest == 0 or f"{moved_share:.1%}" != bound else f"{moved_share:.2%}"

            moved += ", while " + and_list([f"{html.escape(name)} {'lowers' if diff < 0 else 'raises'} it by "
                                            f"{by(moved_share)}" for name, diff, moved_share in
                                            zip(others.scenario, others.diff_mean, share[share >= threshold])])
        # a small change can still be a clear one (its interval on one side of zero): say which way
        bounds = unmoved.reindex(columns=["diff_low", "diff_high"]).to_numpy()  # NaN where not computed
        clear = [f"{html.escape(name)} {'raises' if low > 0 else 'lowers'} it by {bn(abs(mean))}"
                 for name, mean, (low, high) in zip(unmoved.scenario, unmoved.diff_mean, bounds) if low > 0 or high < 0]
        moved += (f"; {SMALL_BUT_CLEAR}: {and_list(clear)} over the horizon, the interval on one side of zero"
                  if clear else "")
        years = horizon_years(comparison) or 1.0
        still.append(f"{label} (about {bn(base.iloc[0] / years)} of harm a year, undiscounted; {who} {moved})")
        reasons.append(tuple(reason))
    return still, reasons, by_all


def unmoved_harms(comparison: Comparison, threshold: float = 0.02) -> str:
    """Paragraphs naming harm categories that some options move by less than `threshold` of their
    baseline level (naming those options), with the model's reason: national markets
    (`STUBBORN_HARMS`), then markets capped by demand (`CAPPED_HARMS`); empty when every option
    moves every category."""
    still, reasons, by_all = _unmoved(comparison, STUBBORN_HARMS, threshold)
    capped, _, capped_by_all = _unmoved(comparison, CAPPED_HARMS, threshold)
    heading_all = (by_all or not still) and (capped_by_all or not capped)
    heading = ("What the options move little or not at all." if heading_all
               else "What some options move little or not at all.")
    note = (" Pounds here are totals over the horizon, undiscounted, unlike the summary's figures."
            if any(SMALL_BUT_CLEAR in phrase for phrase in still + capped) else "")  # once, not in every category
    paragraphs = []
    if still:
        text = "; ".join(still)
        plural = len(still) > 1
        elasticity_names, lever_names, group_names, _ = zip(*reasons)
        elasticities = "</code> and <code>".join(elasticity_names)
        levers, groups = " and ".join(lever_names), " and ".join(group_names)
        paragraphs.append(
            text[0].upper() + text[1:] + ". In the "
            f"model {'these are national markets' if plural else 'this is a national market'}: the volume follows "
            f"the capacity of the groups supplying it across the country (<code>{elasticities}</code>), so an "
            "option moves it only as far as it cuts that capacity nationally, and groups elsewhere refill what it "
            f"removes; enforcement tasked by local harm falls mostly on drug groups. {levers[0].upper() + levers[1:]}, "
            f"which {'cut' if plural else 'cuts'} what {groups} groups can commit, "
            f"{'are the levers that act' if plural else 'is the lever that acts'} on "
            f"{'these markets' if plural else 'this market'} directly."
            + "".join(_levers_too(comparison, metric, label, lever, kind, threshold)
                      for metric, label, elasticity, lever, _, kind in STUBBORN_HARMS if elasticity in elasticity_names)
            + " For the options named, most of the harm changes above come from the other categories.")
    if capped:
        text = "; ".join(capped)
        paragraphs.append(
            text[0].upper() + text[1:] + ". In the model the number of victims in an area is the smaller of "
            "what its groups can exploit and the area's demand, and the groups' capacity starts a quarter above "
            "demand and grows, so an option lowers it only where it cuts capacity below demand (a known "
            "limitation: <code>docs/ODD.md</code>, section 4).")
    if not paragraphs:
        return ""
    return "".join(f"<p>{'<strong>' + heading + '</strong>' + note + ' ' if k == 0 else ''}{body}</p>"
                   for k, body in enumerate(paragraphs))
