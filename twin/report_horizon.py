"""How the options' savings move over the horizon: a saving that peaks early and fades, wanes or
turns into a cost (so the ranking is a property of the horizon), or is still growing at its end, and
an option that saves more each year than the one ranked above it by the horizon's end (so a longer
one could change the order).
"""

from __future__ import annotations

import html

import numpy as np

from twin.compare import Comparison, mean_interval, whole_years
from twin.report_format import and_list, bn, percent, possessive, signed_bn

#: years whose saving is at least this share of the highest are named with the peak year
PEAK_SHARE = 0.95


def fading_sentence(comparison: Comparison, scenario: str) -> str | None:
    """A warning when an option's yearly saving peaks early and has more than halved by the last year:
    its lead is a property of the horizon; or, when it is still growing in the last year, that the horizon
    ends before its effects have run their course (a short appraisal of a lasting policy)."""
    data = whole_years(comparison, comparison.annual_change)  # a part-year at the end is no fall
    mine = data[data.scenario == scenario].sort_values("year") if not data.empty else data
    if len(mine) < 3:
        return None
    means, years = mine["mean"].to_numpy(), mine["year"].to_numpy()
    peak = int(np.argmin(means))
    if means[peak] >= 0:
        return None
    if peak == len(means) - 1:
        return None if means[-1] == means[-2] else (
            f"{possessive(html.escape(scenario))} yearly saving is still growing at the horizon's end "
            f"({bn(-means[-2])} in year {years[-2]}, {bn(-means[-1])} in year {years[-1]}, undiscounted): the "
            f"comparison holds for this horizon, and a longer one would favour it more against "
            f"{html.escape(comparison.baseline)} (see 'Year by year').")
    if means[-1] <= means[peak] / 2:
        return _waning_sentence(comparison, scenario, means, years, peak)
    longer, falls = "a longer one could change it", _falls_words(means, years)
    share = 1 - means[-1] / means[peak]  # more than half
    fallen = ("has fallen almost to nothing from its peak" if share >= 0.995 else
              f"has fallen by {percent(share)} from its peak")
    if means[-1] < 0 and falls:  # still falling at the end: each further year adds less
        last = f"{falls}: it {fallen}, to {bn(-means[-1])} in year {years[-1]}"
        longer = f"a longer one would favour it less against {html.escape(comparison.baseline)}"
    elif means[-1] < 0:
        last = f"{fallen}, to {bn(-means[-1])} in year {years[-1]}"
    elif means[-1] == 0:
        last = f"is gone by year {years[-1]}"
    else:
        turned = years[peak + int(np.argmax(means[peak:] > 0))]
        last = (f"has turned into a cost by year {turned} (in year {years[-1]} it costs society {bn(means[-1])} "
                f"more than {html.escape(comparison.baseline)}, as a mean of paired replications)")
        if means[-1] > means[-2]:
            longer = "over a longer one, with its yearly cost still growing, its cumulative saving would shrink"
    return (f"{possessive(html.escape(scenario))} yearly saving {_peak_words(means, years, peak)} "
            f"and {last}; the comparison holds for this horizon, and {longer} (see 'Year by year').")


def _peak_words(means: np.ndarray, years: np.ndarray, peak: int) -> str:
    """'peaks in year N', or in every year within 5% of the highest (one of them would be false precision)."""
    near = [int(y) for y, m in zip(years, means) if m <= PEAK_SHARE * means[peak]]
    if len(near) == 1:
        return f"peaks in year {years[peak]} ({bn(-means[peak])}, undiscounted)"
    return (f"peaks in years {and_list([str(y) for y in near])} (each within {1 - PEAK_SHARE:.0%} of the "
            f"highest, {bn(-means[peak])} in year {years[peak]}, undiscounted)")


def _falls_words(means: np.ndarray, years: np.ndarray) -> str | None:
    """'falls in each of the last 3 years', or 'falls every year after year 5' (the last year before it
    fell) when longer, of a saving (negative means) falling in at least the last `WANING_YEARS`; else None."""
    shrinking = np.diff(means) > 0  # a saving falls as its (negative) mean rises
    if len(shrinking) < WANING_YEARS or not shrinking[-WANING_YEARS:].all():
        return None
    trailing = len(shrinking) if shrinking.all() else int(np.argmin(shrinking[::-1]))
    return (f"falls in each of the last {WANING_YEARS} years" if trailing == WANING_YEARS
            else f"falls every year after year {int(years[len(means) - 1 - trailing])}")


#: a saving "wanes" when it has fallen by at least this share of its peak, in each of the last
#: `WANING_YEARS` years
WANING_SHARE, WANING_YEARS = 0.2, 3


def _waning_sentence(comparison: Comparison, scenario: str, means: np.ndarray, years: np.ndarray,
                     peak: int) -> str | None:
    """A milder warning than `fading_sentence`'s: the yearly saving has fallen by at least
    `WANING_SHARE` of its peak, in each of the last `WANING_YEARS` years (so a longer horizon would
    favour it less); and whether the option's yearly response spending is higher at the end than at
    the peak, when it is."""
    falls = _falls_words(means, years)
    if means[-1] < means[peak] * (1 - WANING_SHARE) or peak > len(means) - 1 - WANING_YEARS or falls is None:
        return None
    costs = getattr(comparison, "annual_cost_change", None)
    cost = costs[costs.scenario == scenario].set_index("year")["mean"] if costs is not None and not costs.empty else {}
    spending = ""
    if years[peak] in cost and years[-1] in cost and cost[years[-1]] > cost[years[peak]]:
        at_peak, at_end = signed_bn(cost[years[peak]]), signed_bn(cost[years[-1]])
        spending = (f", while its yearly response spending is still higher than at the peak ({at_peak} in year "
                    f"{years[peak]}, {at_end} in year {years[-1]}, against {html.escape(comparison.baseline)})")
    return (f"{possessive(html.escape(scenario))} yearly saving {_peak_words(means, years, peak)} "
            f"and {falls}, to {bn(-means[-1])} in year {years[-1]}{spending}{':' if spending else ';'} "
            f"the comparison holds for this horizon, and a longer one would favour it less against "
            f"{html.escape(comparison.baseline)} (see 'Year by year').")


def _last_gap(comparison: Comparison, year: int, below: str, above: str) -> str:
    """', the gap £x with its 90% interval' between two options' net social cost in `year`, paired
    replicate by replicate ('' without the replicates' yearly values, or with one pair)."""
    net = getattr(comparison, "yearly_net", None)
    if net is None or (year, below) not in net or (year, above) not in net:
        return ""
    lead = (net[(year, above)] - net[(year, below)]).dropna().to_numpy()  # how much lower `below`'s is
    low, high = mean_interval(lead)
    if not np.isfinite(low):
        return ""
    return (f"; lower by {signed_bn(lead.mean())}, 90% interval {signed_bn(low)} to {signed_bn(high)}"
            + (", not told apart from none" if low <= 0 <= high else ""))


def runner_up_gains(comparison: Comparison) -> str | None:
    """When an option saves more than the one ranked just above it in every year at the end of the
    horizon (the runner-up against the best, and so down the ranking), say from which year: over a
    longer horizon the order could change."""
    ranking, data = comparison.ranking, whole_years(comparison, comparison.annual_change)
    if len(ranking) < 2 or data.empty:
        return None
    said = []
    for k in range(1, len(ranking)):
        above, below = str(ranking.iloc[k]["above"]), str(ranking.iloc[k]["scenario"])
        yearly = data[data.scenario.isin([above, below])].pivot_table(index="year", columns="scenario", values="mean")
        if above not in yearly or below not in yearly or len(yearly) < 2:
            continue
        ahead = (yearly[below] < yearly[above]).to_numpy()  # the lower-ranked's net social cost falls further that year
        if not ahead[-1] or ahead.all():
            continue
        first = int(len(ahead) - np.argmin(ahead[::-1]))  # start of the run of such years that ends the horizon
        years, last = yearly.index.to_numpy(), yearly.iloc[-1]
        below_name = html.escape(below) + ("" if k == 1 else f" (ranked {k + 1})")
        when = (f"In year {years[-1]}, the horizon's last, {below_name} lowers the net social cost more than"
                if first == len(years) - 1 else
                f"From year {years[first]} to the end, {below_name} lowers the net social cost more each year than")
        said.append(f"{when} {html.escape(above)}{'' if k == 1 else f' (ranked {k})'} (year {years[-1]}: "
                    f"{signed_bn(last[below])} against {signed_bn(last[above])}, undiscounted, means of paired "
                    f"replications{_last_gap(comparison, int(years[-1]), below, above)})")
    if not said:
        return None
    return ". ".join(said) + (": over a longer horizon the order could change." if len(said) == 1 else
                              ": over a longer horizon these orders could change.")
