"""The sentences that set the options against one another: the best against the runner-up (told
apart or level, how many replications would separate them, and whether its lead is in harm or in
spending), the Green Book ordering, and what the lead rests on (how savings move over the horizon:
`report_horizon.py`).
"""

from __future__ import annotations

import html
import re

import numpy as np

from twin.compare import Comparison, pairs_limit
from twin.report_format import (
    LEVER_WORDS, and_list, bn, count_of, gap_interval, lever_label, per_pound, percent, possessive, replications,
    signed_bn,
)
from twin.report_drawn import FURTHER, levers_drawn, rests_on_values


def runner_up_sentence(comparison: Comparison, markup: bool = True) -> str | None:
    """How far the best option is ahead of the runner-up, pair by pair (None with one option)."""
    ranking = comparison.ranking
    if len(ranking) < 2:
        return None
    second = ranking.iloc[1]
    name = (lambda text: html.escape(str(text))) if markup else str
    best, runner = name(second["above"]), name(second["scenario"])
    if not second["pairs"] or not np.isfinite(second["gap_mean"]):
        return f"{best} and the runner-up, {runner}, have no finished replications in common to compare."
    interval = gap_interval(second["gap_low"], second["gap_high"])
    if second["gap_mean"] == 0 and np.nan_to_num(second["gap_high"] - second["gap_low"]) == 0:
        return (f"{best} and the runner-up, {runner}, come out the same: their net social costs are equal in "
                f"every one of the {replications(second['pairs'])}.")
    if second["gap_mean"] < 0:  # only when runs failed: the pairs they share tell another story
        return (f"On the {replications(second['pairs'])} they share, {best} is not ahead of the runner-up, "
                f"{runner}: its net social cost is {bn(-second['gap_mean'])} higher ({interval}).")
    told_apart = ("" if second["gap_low"] > 0 else
                  f"; with {replications(second['pairs'])} the two cannot be told apart{more_pairs(second)}. "
                  f"Beyond replications, which comes first turns on what these runs hold fixed: "
                  + ("" if getattr(comparison, "lever_uncertainty", False) else
                     "the levers' assumed effect sizes and costs, ") + "the model's uncertain parameters (the drug "
                  "market's price elasticities above all, in the sensitivity analysis) and the horizon; a sweep "
                  "over them (twin sweep) shows how often each comes first, and 'Year by year' how each "
                  "option's saving moves over time")
    family = ""
    options = len(ranking)
    if second["gap_low"] > 0 and options > 2 and np.isfinite(second.get("family_low", np.nan)):
        pairs_of_options = options * (options - 1) // 2
        family = (f"; allowing for the best having been picked from {options} options (an interval that holds over "
                  f"all {pairs_of_options} pairs of them), " +
                  (f"{gap_interval(second['family_low'], second['family_high'])}" if second["family_low"] > 0 else
                   f"the two can no longer be told apart ({gap_interval(second['family_low'], second['family_high'])})"))
    close = ""
    if second["gap_low"] > 0 and second["p_above_better"] < NARROW_SHARE:  # told apart, but a small lead
        runner_wins = int(round((1 - second["p_above_better"]) * second["pairs"]))
        varied = ("drawn here from ranges that are assumptions too" if getattr(comparison, "lever_uncertainty", False)
                  else "not varied here")
        close = (f". The two are close: {runner} does better in the other {runner_wins} pairs, and the effect "
                 f"sizes, assumed rather than measured and {varied}, could reverse a lead this small; weigh "
                 f"their costs, timing and other outcomes too")
    return (f"{possessive(best)} net social cost is {bn(second['gap_mean'])} lower than the runner-up's, {runner} ({interval}), "
            f"and lower in {count_of(second['p_above_better'], second['pairs'])} paired replications{told_apart}"
            f"{family}{close}.{lead_made_of(second, markup)}")


def lead_made_of(second, markup: bool = True) -> str:
    """' The two avert about the same harm ...: the lead is in spending' (or the other way round)
    after a lead the runs tell apart, when one of its parts is (harm averted, response spending,
    both discounted and paired) and the other is not: a reader should not take a lead in spending
    for one in harm. '' otherwise."""
    get = (lambda key: float(second.get(key, np.nan)))
    harm_low, harm_high, spend_low, spend_high = (get(k) for k in ("averts_more_low", "averts_more_high",
                                                                   "spend_more_low", "spend_more_high"))
    if not (get("gap_low") > 0 and np.isfinite([harm_low, harm_high, spend_low, spend_high]).all()):
        return ""
    harm, spend = get("averts_more_mean"), get("spend_more_mean")
    if harm_low <= 0 <= harm_high and spend_high < 0:
        return (f" The two avert about the same harm (it averts {bn(abs(harm))} {'more' if harm >= 0 else 'less'}, "
                f"90% interval {signed_bn(harm_low)} to {signed_bn(harm_high)}: a difference the runs cannot tell "
                f"from none), so the lead is in spending: it spends {bn(-spend)} less on the response "
                f"(discounted; " + ("<a href=\"#in-detail\">'The answer in detail'</a>" if markup else "the report")
                + " says on what).")
    if spend_low <= 0 <= spend_high and harm_low > 0:
        return (f" The two spend about the same on the response (a difference the runs cannot tell from none), so "
                f"the lead is in harm: it averts {bn(harm)} more (90% interval {bn(harm_low)} to "
                f"{bn(harm_high)}, discounted).")
    return ""


def others_at_a_glance(comparison: Comparison, rows: list[dict], best: dict) -> str | None:
    """The other options' changes in net social cost in one sentence, best first (None without others)."""
    others = sorted((r for r in rows if r is not best), key=lambda r: r["net"])
    if not others:
        return None

    def change(row: dict) -> str:
        name = html.escape(row["scenario"])
        if row["net"] == 0 and not row["net_low"] < 0 < row["net_high"]:
            return f"{name} changes nothing"
        if row["net_low"] <= 0 <= row["net_high"]:
            return f"{name} changes it by {signed_bn(row['net'])}, which the replications cannot tell from no change"
        return f"{name} saves {bn(-row['net'])}" if row["net"] < 0 else f"{name} adds {bn(row['net'])} to it"

    intervals = all(np.isfinite(r["net_low"]) for r in others)
    return (f"Against {html.escape(comparison.baseline)}, on the same measure: {'; '.join(change(r) for r in others)} "
            + ("(each below, with its interval)." if intervals else "(each below; no interval from a single "
                                                                     "replication)."))


def level_with(comparison: Comparison, best: str) -> str | None:
    """The runner-up when the best option cannot be told apart from it (its gap's 90% interval
    reaches zero); else None."""
    ranking = comparison.ranking
    if len(ranking) < 2 or ranking.iloc[0]["scenario"] != best:
        return None
    second = ranking.iloc[1]
    if not second["pairs"] or second["gap_low"] > 0:  # NaN (one pair): no interval, so not told apart
        return None
    return str(second["scenario"])


#: the best option leads the runner-up "narrowly" when it does better in fewer pairs than this
NARROW_SHARE = 0.75


def narrowly(comparison: Comparison) -> str:
    """', narrowly' when the best option is told apart from the runner-up but does better in fewer
    than `NARROW_SHARE` of their paired replications (a small, if real, lead); else ''."""
    ranking = comparison.ranking
    if len(ranking) < 2:
        return ""
    second = ranking.iloc[1]
    share = second.get("p_above_better", float("nan"))
    return ", narrowly" if second["pairs"] and second["gap_low"] > 0 and share < NARROW_SHARE else ""


def green_book_sentence(rows: list[dict], best: dict, markup: bool = True) -> str | None:
    """When leaving recovered assets out (the Green Book treats them as a transfer from offenders,
    not a gain to society) puts another option first, say so, with both options' changes."""
    if len(rows) < 2:
        return None
    first = min(rows, key=lambda r: r["green_book"])
    if first is best or not first["green_book"] < best["green_book"]:
        return None
    name = (lambda text: html.escape(str(text))) if markup else str

    def change(r: dict) -> str:
        interval = (f" (90% interval {signed_bn(r['green_book_low'])} to {signed_bn(r['green_book_high'])})"
                    if np.isfinite(r["green_book_low"]) else "")
        return f"{signed_bn(r['green_book'])}{interval}"

    return (f"Counted as the Green Book would, leaving out recovered assets (a transfer from offenders, not a "
            f"gain to society), {name(first['scenario'])} comes first: harm plus response cost changes by "
            f"{change(first)}, against {change(best)} for {name(best['scenario'])}.")


def more_pairs(row) -> str:
    """How many paired replications would tell two options apart, if the gap is what the runs show."""
    needed = row.get("pairs_needed", float("nan"))
    if not needed > 0:  # NaN: nothing to suggest
        return ""
    if not np.isfinite(needed):
        return (f" (the gap is small next to the runs' spread: even {pairs_limit(row.get('pairs', 0)):,} paired "
                "replications would not be expected to separate them)")
    return (f" (if the gap is as these runs suggest, about {int(needed)} would, four times in five: run the "
            f"comparison again with --reps {int(needed)} and its other options unchanged, which runs only the new "
            f"ones)")



#: harm categories of the net social cost, for saying where a lead comes from: (summary metric, label)
HARM_CATEGORIES = (("discounted_harm_gbp_drugs", "drugs"),
                   ("discounted_harm_gbp_economic", "fraud and other economic crime"),
                   ("discounted_harm_gbp_modern_slavery", "modern slavery"),
                   ("discounted_harm_gbp_immigration", "organised immigration crime"),
                   ("discounted_harm_gbp_violence", "violence"),
                   ("discounted_harm_gbp_other", "other crime"))


def _summary_value(comparison: Comparison, scenario: str, metric: str, column: str) -> float:
    if scenario == getattr(comparison, "baseline", None) and column.startswith("diff"):
        return 0.0  # the baseline's change from itself
    found = comparison.summary[(comparison.summary.scenario == scenario) & (comparison.summary.metric == metric)]
    if found.empty or column not in found:
        return float("nan")
    return float(found[column].iloc[0])


def _lever_spending(comparison: Comparison, scenario: str) -> float:
    """An option's discounted spending on its levers, cuts left out (an overrun, like the optimism-bias
    uplift, raises spending, not a cut's saving): its levers' positive costs added up; its levers'
    net cost where the summary has no line per lever."""
    summary = comparison.summary
    mine = summary[(summary.scenario == scenario) & summary.metric.str.startswith("discounted_lever_cost_gbp_")]
    if mine.empty or "mean" not in mine:
        return _summary_value(comparison, scenario, "discounted_lever_cost_gbp", "mean")
    return float(mine["mean"].clip(lower=0).sum())


def against_doing_nothing(comparison: Comparison, best: dict, markup: bool = True) -> str | None:
    """The best option's switching values against the baseline: the overrun on its levers' spending
    (beyond the baseline's; cuts left out) and the shortfall in the harm it averts, each alone, that
    would leave its net saving at nothing. None when it saves nothing."""
    saving, averted = -best["net"], -best["harm"]
    if not saving > 0:
        return None
    name = (lambda text: html.escape(str(text))) if markup else str
    levers = (_lever_spending(comparison, best["scenario"])
              - np.nan_to_num(_lever_spending(comparison, comparison.baseline)))
    green = -best.get("green_book", np.nan)
    parts = []
    if np.isfinite(levers) and levers > 0:
        parts.append(f"every lever's spending {percent(saving / levers)}"
                     + (f" ({percent(green / levers)} leaving out recovered assets)" if green > 0 else "")
                     + (" over its mean drawn cost (the levers' costs drawn from their ranges in each replicate)"
                        if levers_drawn(comparison) else " over its assumed cost"))
    if averted > saving:  # the harm it averts, were it smaller by this share with its spending unchanged
        parts.append(f"the harm it averts {percent(saving / averted)}"
                     + (f" ({percent(green / averted)} leaving out recovered assets)" if 0 < green < averted else "")
                     + " smaller, its spending as it is")
    if not parts:
        return None
    return (f"Against {name(comparison.baseline)}, {possessive(name(best['scenario']))} net saving of {bn(saving)} would fall "
            f"to nothing were {' or were '.join(parts)} (switching values).")


def lead_rests_on(comparison: Comparison, rows: list[dict], markup: bool = True) -> str | None:
    """What the best option's lead over the runner-up (told apart or not) turns on, in numbers: the
    uplift on every lever's spending (optimism bias; cuts left out, `_lever_spending`) that would
    close it, the lead without recovered assets (the Green Book's view), what the best buys beyond
    the runner-up (`_incremental`), and the harm categories (at most two) whose difference is at
    least half of it; then what these runs hold fixed and what they draw. None without a runner-up or a lead."""
    ranking = comparison.ranking
    if len(ranking) < 2 or not ranking.iloc[1]["pairs"]:
        return None
    second = ranking.iloc[1]
    gap = float(second["gap_mean"])
    if not gap > 0:
        return None
    best, runner = str(second["above"]), str(second["scenario"])
    by_name = {r["scenario"]: r for r in rows}
    if rows and comparison.baseline not in by_name:  # the baseline, ranked among the options: no change from itself
        by_name[comparison.baseline] = {key: (0.0 if isinstance(value, (int, float, np.floating)) else value)
                                        for key, value in rows[0].items()} | {"scenario": comparison.baseline}
    name = (lambda text: html.escape(text)) if markup else str
    parts = []
    levers = [_lever_spending(comparison, s) for s in (best, runner)]
    more = np.nan_to_num(levers[0]) - np.nan_to_num(levers[1])
    green_gap = (by_name[runner]["green_book"] - by_name[best]["green_book"]
                 if best in by_name and runner in by_name else float("nan"))
    costs = [by_name.get(s, {}).get("cost", float("nan")) for s in (best, runner)]
    all_spending = ""
    if np.isfinite(costs[0] - costs[1]) and abs((costs[0] - costs[1]) - more) >= 0.05e9:
        more_in_all = costs[0] - costs[1]
        all_spending = (f"; {bn(abs(more_in_all))} {'more' if more_in_all > 0 else 'less'} in all response spending, "
                        f"the courts and prisons its charges and convictions fill included")
    if more > 0:
        closes = percent(gap / more)
        if np.isfinite(green_gap) and green_gap > 0:
            closes += f" ({percent(green_gap / more)} leaving out recovered assets)"
        bias = float((getattr(comparison, "parameters", None) or {}).get(best, {}).get("lever_cost_optimism_bias", 0.0))
        parts.append(f"{name(best)} spends {bn(more)} more on its levers than {name(runner)} (discounted{all_spending}): "
                     + (f"a cost overrun of {closes} on every lever's spending would leave the two level; overruns of "
                        f"that size are why the Green Book asks for an optimism-bias uplift, which these runs do not apply"
                        if bias <= 0 else
                        f"a further cost overrun of {closes} on every lever's spending, beyond the {bias:.0%} "
                        f"optimism-bias uplift these runs apply, would leave the two level"))
    elif more < 0:
        parts.append(f"{name(runner)} spends {bn(-more)} more on its levers than {name(best)}, so an allowance for "
                     f"optimism bias on the levers' costs would widen the lead")
    if np.isfinite(green_gap) and green_gap > 0:
        low, high, pairs = (second.get(k, np.nan) for k in ("green_gap_low", "green_gap_high", "green_pairs"))
        told = (f" ({gap_interval(low, high)}, lower in {round(second['green_p_above_better'] * pairs)} of {int(pairs)}"
                f" paired replications)" if np.isfinite(low) and np.isfinite(high) else "")
        parts.append(f"leaving out recovered assets (a transfer from offenders, as a Green Book appraisal would "
                     f"usually count them), the lead is {bn(green_gap)}{told}")
    incremental = _incremental(by_name, best, runner, name, float(second.get("spend_more_low", np.nan)),
                               _harm_told(second))
    if incremental:
        parts.append(incremental)
    shares = []
    for metric, label in HARM_CATEGORIES:
        mine, theirs = (_summary_value(comparison, s, metric, "diff_mean") for s in (best, runner))
        if np.isfinite(mine) and np.isfinite(theirs):
            shares.append((theirs - mine, label, mine, theirs))
    large = sorted((share for share in shares if share[0] >= 0.5 * gap), reverse=True)[:2]
    if large:
        each = [f"{label} ({name(best)} {signed_bn(mine)}, {name(runner)} {signed_bn(theirs)}: a difference of "
                f"{bn(part)}, " + (f"{part / gap:.1f} times the lead: were it {percent(gap / part)} smaller, the "
                                   f"two would be level)" if part >= gap else f"{percent(part / gap)} of the lead)")
                for part, label, mine, theirs in large]
        parts.append(f"the lead turns on the harm (discounted) of {' and of '.join(each)}")
    if not parts:
        return None
    if markup:  # a list, each part on its own line: as one sentence it ran to over 200 words
        items = "".join(f"<li>{part[0].upper() + part[1:]}.</li>" for part in parts)
        return (f'<div class="rests-on"><p>What the lead rests on:</p><ul>{items}</ul><p>'
                f"{rests_on_values(comparison)} {RESTS_ON_PARAMETERS}</p></div>")
    return (f"What the lead rests on: {'; '.join(parts)}. {rests_on_values(comparison, markup=False)} "
            + re.sub("<[^>]+>", "", RESTS_ON_PARAMETERS))  # its links, as words


#: what the options' benefits and the ranking turn on among the uncertain parameters, as far as the
#: model's analyses say (docs/VALIDATION.md sections 5 and 6)
RESTS_ON_PARAMETERS = ("Of the levers' own assumptions, a few move the benefits of the options that hold them more "
                       "than any parameter of the model, in a screening of them all: the border powers' share of "
                       "supply stopped, the data sharing's cut in fraud, how fast new funding can hire and Build's "
                       f"cut in drug demand (they can be drawn from their ranges: {FURTHER}). "
                       "Of the model's uncertain parameters, the drug market's price elasticities move the options' "
                       "benefits most in the "
                       "model's sensitivity analysis; what decides the gap between two close options can be "
                       "another assumption (how defendants on bail behave, how far draining groups' money slows "
                       "their recruitment), and a sweep over the assumptions (under "
                       "<a href=\"#going-further\">'Going further'</a>) shows how often each option comes first.")


def _harm_told(second) -> str:
    """Whether the paired runs tell apart the harm of the best option and the runner-up (`second`, the
    runner-up's row of `compare.rank_options`): "" when they do or nothing says, else the words that
    say they do not, with the interval."""
    low, high, share, pairs = (float(second.get(k, np.nan)) for k in ("averts_more_low", "averts_more_high",
                                                                      "averts_more_share", "averts_more_pairs"))
    if not (np.isfinite(low) and np.isfinite(high)) or low > 0 or high < 0:
        return ""
    return (f" (a difference in harm the runs cannot tell from none: 90% interval {signed_bn(low)} to "
            f"{signed_bn(high)} of harm averted; more averted in {round(share * pairs)} of {int(pairs)} paired "
            f"replications)")


def _incremental(by_name: dict, best: str, runner: str, name, spend_more_low: float = np.nan,
                 harm_told: str = "") -> str | None:
    """The best option against the runner-up: the extra harm it averts for the extra response
    spending (discounted), as harm averted per extra pound when it both averts and clearly spends
    more (`spend_more_low`, the lower end of the paired interval of the extra spending, above zero,
    as `compare.harm_per_extra_pound` asks against the baseline): a ratio to a gap within the noise
    would be any size. `harm_told` (`_harm_told`) follows the harm when the runs cannot tell it from none."""
    if best not in by_name or runner not in by_name:
        return None
    averted = by_name[runner].get("harm", np.nan) - by_name[best].get("harm", np.nan)
    spent = by_name[best].get("cost", np.nan) - by_name[runner].get("cost", np.nan)
    if not (np.isfinite(averted) and np.isfinite(spent)) or abs(averted) < 0.005e9:
        return None
    text = _incremental_words(averted, spent, best, runner, name, spend_more_low, ratio=not harm_told)
    if text is None or not harm_told:
        return text
    return text + harm_told


def _incremental_words(averted: float, spent: float, best: str, runner: str, name, spend_more_low: float,
                       ratio: bool = True):
    """`_incremental`'s sentence, before any word on the harm's uncertainty; without `ratio` (the
    harm the runs cannot tell from none: a ratio to it would be any size) no harm per extra pound."""
    if averted > 0 and (abs(spent) < 0.005e9 or (spent > 0 and not spend_more_low > 0)):
        return (f"{name(best)} averts {bn(averted)} more harm than {name(runner)} for response spending the runs "
                f"cannot tell from the runner-up's ({bn(spent)} more on average)" if abs(spent) >= 0.005e9 else
                f"{name(best)} averts {bn(averted)} more harm than {name(runner)} for about the same response spending")
    if averted > 0 and spent > 0 and not ratio:
        return (f"against {name(runner)}, {name(best)} averts {bn(averted)} more harm for {bn(spent)} more response "
                f"spending")
    if averted > 0 and spent > 0:
        return (f"against {name(runner)}, {name(best)} averts {bn(averted)} more harm for {bn(spent)} more response "
                f"spending, {per_pound(averted / spent)} of harm averted per extra pound (the table's 'harm averted "
                f"per extra £' gives each option's against the baseline)")
    if averted > 0:
        return (f"{name(best)} averts {bn(averted)} more harm than {name(runner)} for {bn(-spent)} less response "
                f"spending")
    if spent < 0:
        return (f"{name(best)} averts {bn(-averted)} less harm than {name(runner)} and leads by spending "
                f"{bn(-spent)} less")
    return None


def idle_hiring_sentence(comparison: Comparison, scenario: str, markup: bool = True) -> str | None:
    """When an option holds several levers that hire investigators (they share one hiring cap, taken
    in the order the scenario lists them) and one after the first spends under 1% of what the first
    spends: that it hires almost no one, and why. None otherwise (a cut, which spends nothing, or a
    store without the levers' names included)."""
    from twin.interventions import LEVER_TYPES
    from twin.levers_national import InvestigatorPipeline

    types = (getattr(comparison, "lever_types", None) or {}).get(scenario, [])
    names = (getattr(comparison, "lever_names", None) or {}).get(scenario) or types
    hiring = [n for t, n in zip(types, names) if t in LEVER_TYPES and issubclass(LEVER_TYPES[t], InvestigatorPipeline)]
    if len(hiring) < 2:
        return None
    cost = {n: _summary_value(comparison, scenario, f"discounted_lever_cost_gbp_{n}", "mean") for n in hiring}
    first = hiring[0]
    if not cost[first] > 0:
        return None
    idle = [n for n in hiring[1:] if 0 <= cost[n] < 0.01 * cost[first]]
    if not idle:
        return None
    name = (lambda text: html.escape(text)) if markup else str
    def label(lever: str) -> str:  # in words, as 'Who spends' names it; a name the scenario gave, quoted
        words = lever_label(lever)
        return f"the {name(words)} lever" if words != lever or lever in LEVER_WORDS else f"the lever '{name(lever)}'"
    spends = and_list([f"{label(n)} spends only £{cost[n] / 1e6:,.2f}m" for n in idle])
    return (f"In {name(scenario)}, {spends} (discounted): the levers that hire investigators share one hiring cap "
            f"(how fast the workforce can be recruited and trained), taken in the order the scenario lists them, and "
            f"{label(first)}, listed first, fills it, so {and_list([label(n) for n in idle])} "
            f"{'hires' if len(idle) == 1 else 'hire'} almost no one there, and the option's results hold almost "
            f"nothing of {'its' if len(idle) == 1 else 'their'} effect.")


def least_bad_sentence(best: dict, baseline: str, wins: str) -> str:
    """When no option's mean lowers the net social cost: the least bad option's rise, with its
    interval and pairs as a saving gets them (`wins`: '11 of 12'); level with the baseline when the
    interval reaches a saving; no rise at all when it changes nothing in any pair."""
    if best["net"] == 0 and np.nan_to_num(best["net_high"] - best["net_low"]) == 0:
        return (f"No option lowers the net social cost against {baseline}: the least bad, {best['scenario']}, "
                f"leaves it exactly where it is in every paired replication.")
    level = best["net_low"] <= 0
    return (f"No option lowers the net social cost against {baseline} on average: the least bad, {best['scenario']}, "
            f"raises it by {bn(best['net'])} (90% interval {signed_bn(best['net_low'])} to "
            f"{signed_bn(best['net_high'])}"
            f"; lower in {wins} paired replications)"
            + (", so within the runs' precision it is level with the baseline." if level else "."))
