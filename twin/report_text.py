"""The report's words and tables: the plain-language summary, the headline and ranking tables,
year by year, other outcomes, the harms no option moves, and the console table
(`report_page.py` lays them out, `report.py` draws the charts; `report_caveats.py` says what an
option costs beside its saving).

Money is shown in £bn with a sign where it is a change; negative changes are savings.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from twin.compare import Comparison, part_year
from twin.ensemble import GREEN_BOOK_DISCOUNT_RATE
from twin.harm import PRICE_YEAR
from twin.report_format import (  # noqa: F401
    NUMBER_WORDS, and_list, bn, count_of, per_pound, possessive, replications, signed_bn)
from twin.report_areas import (  # noqa: F401 (tests read them)
    SPENDERS, devolved_share, displacement_sentence, landed, where_it_lands, who_pays, who_pays_gbp)
from twin.report_caveats import (  # noqa: F401 (the tests read some here)
    OTHER_OUTCOMES, _in_people, _justice_limits, paired_change, _rises, enforcement_caveat, justice_limit_parts,
    others_better_in_people,
)
from twin.report_drawn import (  # noqa: F401 (the tests read the held sentences here)
    FURTHER, console_intervals, drawn_uncertainty, lever_held_sentence, levers_drawn, posterior_drawn,
    posterior_held_sentence,
)
from twin.report_horizon import fading_sentence, runner_up_gains  # noqa: F401 (the tests read them here)
from twin.report_pairs import parts_sentence
from twin.report_ranking import (  # noqa: F401 (report.py and the tests read them here)
    against_doing_nothing, gap_interval, green_book_sentence, idle_hiring_sentence, lead_rests_on,
    least_bad_sentence, level_with, narrowly, others_at_a_glance, runner_up_sentence,
)


def _more_per_pound(rows: list[dict], best: dict) -> str:
    """Where a budget binds rather than the net social cost: the option that averts the most harm per extra
    pound of response spending, when it is not the best (HTML clause, or '')."""
    buying = [r for r in rows if r["cost"] > 0 and np.isfinite(r["per_pound"]) and r["per_pound"] > 0]
    most = max(buying, key=lambda r: r["per_pound"], default=None)
    if most is None or most["scenario"] == best["scenario"] or not most["per_pound"] > best["per_pound"]:
        return ""
    return (f" Where a budget binds rather than the net social cost, {html.escape(most['scenario'])} buys more harm "
            f"reduction for it: {per_pound(most['per_pound'])} of harm averted per extra pound.")


def headline_rows(comparison: Comparison) -> list[dict]:
    rows = []
    for _, d in comparison.differences.iterrows():
        rows.append({
            "scenario": d["scenario"],
            "harm": d["harm_gbp_total_diff"], "harm_low": d["harm_gbp_total_low"], "harm_high": d["harm_gbp_total_high"],
            "cost": d["response_cost_gbp_diff"], "cost_low": d["response_cost_gbp_low"],
            "cost_high": d["response_cost_gbp_high"],
            "net": d["net_social_cost_gbp_diff"], "net_low": d["net_social_cost_gbp_low"],
            "net_high": d["net_social_cost_gbp_high"],
            "p_better": d["probability_better"], "per_pound": d["harm_averted_per_extra_gbp"],
            "payback": d["payback_year"], "payback_unclear": bool(d.get("payback_unclear", False)),
            "green_book": d.get("green_book_diff", d["harm_gbp_total_diff"] + d["response_cost_gbp_diff"]),
            "green_book_low": d.get("green_book_low", float("nan")),
            "green_book_high": d.get("green_book_high", float("nan")),
            "vulnerable": d["exporter_harm_diff"],
            "most_vulnerable": d.get("most_vulnerable_harm_diff", float("nan")),
            "other": d["other_areas_harm_diff"], "pairs": d["pairs"],
        })
    return rows


#: the levels table: summary metric -> label
LEVEL_LABELS = {
    "discounted_harm_gbp_total": "harm (discounted)", "discounted_response_cost_gbp": "response cost (discounted)",
    "discounted_assets_recovered_gbp": "assets recovered (discounted)",
    "discounted_net_social_cost_gbp": "net social cost (discounted)", "total_homicides": "homicides",
    "total_drug_deaths": "drug deaths", "total_disruptions": "disruptions",
    "total_recruits_children": "children recruited",
}


def signed_count(value: float) -> str:
    """A count change with its sign, rounded: +47, -3, 0 (never '-0')."""
    if not np.isfinite(value):
        return "n/a"
    rounded = round(value)
    return "0" if rounded == 0 else f"{rounded:+,.0f}"


def other_outcomes(comparison: Comparison) -> pd.DataFrame:
    """Paired changes from the baseline over the horizon (undiscounted counts; the stocks as the
    mean of the last reported year) with 90% intervals; emergency releases only where some option
    changes them (a column of zeros otherwise)."""
    rows = []
    for scenario in [s for s in comparison.scenarios if s != comparison.baseline]:
        row = {"option": scenario}
        for metric, label in OTHER_OUTCOMES:
            r = paired_change(comparison, scenario, metric)
            if r is not None:
                row[label] = (f"{signed_count(r['diff_mean'])} [{signed_count(r['diff_low'])}, "
                              f"{signed_count(r['diff_high'])}]")
        rows.append(row)
    table, emergency = pd.DataFrame(rows), "emergency releases (before the early-release share)"
    unchanged = emergency in table and (table[emergency] == "0 [0, 0]").all()
    return table.drop(columns=emergency) if unchanged else table


def horizon_sentences(fading: str | None, gains: str | None) -> list[str]:
    """The best option's fading saving and the runner-up's gains at the end (either may be None);
    when both are said, the second says what a longer horizon could do, so the first does not."""
    if fading and gains:
        fading = re.sub(r"[;:] the comparison holds for this horizon, and .*?\(see 'Year by year'\)\.$",
                        " (see 'Year by year').", fading)
    return [t for t in (fading, gains) if t]


def areas_phrase(geography: dict) -> str:
    """'the 45 police force areas of England (39), Wales (4), Scotland (1) and Northern Ireland (1)'."""
    nations = [f"{html.escape(k)} ({n})" for k, n in geography.get("nations", {}).items()]
    scale = geography.get("national_scale", 1)
    return ((f"the {geography.get('areas')} police force areas of {and_list(nations)}" if nations else "the areas run")
            + (f", with the UK's national quantities scaled by {scale:.3g} to their people" if scale != 1 else ""))


def chance_marks(geography: dict) -> str:
    """How many areas' changes an option does not cause a 90% interval marks by chance: one in ten
    ('with 45 areas, about four changes an option does not cause would be marked by chance')."""
    areas = int(geography.get("areas") or 0)
    expected = int(0.1 * areas)  # 4.5 -> about four
    if areas == 0:  # the areas are not known (a store whose areas file has moved)
        return "about one change in ten an option does not cause would be marked by chance"
    if expected < 1:
        return f"with {areas} area{'s' if areas != 1 else ''}, a change an option does not cause is marked one time in ten"
    return (f"with {areas} areas, about {NUMBER_WORDS.get(expected, str(expected))} change{'s' if expected > 1 else ''} "
            f"an option does not cause would be marked by chance")


def ranking_table(comparison: Comparison) -> pd.DataFrame:
    """The options best first, the baseline among them, each against the one ranked above it."""
    rows = headline_rows(comparison)
    net = {r["scenario"]: r for r in rows}
    table = []
    for _, r in comparison.ranking.iterrows():
        baseline = r["scenario"] == comparison.baseline
        row = {"rank": int(r["rank"]), "option": r["scenario"] + (" (the baseline)" if baseline else ""),
               "net social cost change": "0" if baseline else signed_bn(net[r["scenario"]]["net"], table=True)}
        if r["rank"] > 1:
            row["extra net social cost against the option above (90% interval)"] = (
                f"{signed_bn(r['gap_mean'], True)} [{signed_bn(r['gap_low'], True)}, {signed_bn(r['gap_high'], True)}]")
            row["option above does better in"] = count_of(r["p_above_better"], r["pairs"])
        table.append(row)
    return pd.DataFrame(table)


def wins(row: dict) -> str:
    """'11 of 12': paired replications in which the option's net social cost is lower."""
    return count_of(row["p_better"], row["pairs"])


def saving_sentence(best: dict, verdict: str, baseline: str, over: str, levers_drawn: bool = False,
                    posterior: bool = False) -> str:
    """The summary's sentence on the best option's saving (HTML): its interval with both ends' signs in words,
    and, when that interval reaches a rise, that it cannot be told from the baseline; `levers_drawn` when each
    replicate drew the levers' assumed effect sizes and costs (`lever_uncertainty`), `posterior` the
    calibrated parameters."""
    base = html.escape(baseline)
    drawn = [what for what, on in (("the calibrated parameters (drawn in every replicate from the posterior)",
                                    posterior),
                                   ("the levers' assumed effect sizes and costs, which are not measured (each drawn in "
                                    "every replicate from its plausible range)", levers_drawn)) if on]
    held = ("the model's assumed effect sizes and costs, which are not measured and are not varied here (most of "
            "their plausible ranges reach further above the assumed values than below, so drawn from those ranges "
            f"the options' effects and costs are larger on average: {FURTHER})")
    estimate = (f". This is a mean over {and_list(drawn)}" + ("" if levers_drawn else f", under {held}") if drawn else
                f". This is an estimate at {held}")
    return (f"<strong>{html.escape(best['scenario'])}</strong> {verdict}. Over the {over} it lowers the net social "
            f"cost of SOC (harm plus the cost of the response, less assets recovered, discounted at "
            f"{GREEN_BOOK_DISCOUNT_RATE:.1%} a year) by <strong>{bn(-best['net'])}</strong> against {base} "
            f"({gap_interval(-best['net_high'], -best['net_low'])}; {_harm_for_spending(best)}), and comes out better "
            f"in {wins(best)} paired "
            f"replications" + ("" if best["net_high"] < 0 or not np.isfinite(best["net_high"]) else
                               f", so on these replications it cannot be told apart from {base}")
            + _green_book_clause(best) + estimate + ", with every lever acting from the start year its scenario "
            "gives (no more time for legislation or set-up than that) and nothing counted after the horizon: " + (
                ("the interval is that of the mean over the replications' chance variation and those draws, which "
                 "narrows as replications are added; single replications vary far more" + _spread(best) + "."
                 if drawn else
                 "the interval reflects only the replications' chance variation.") if np.isfinite(best["net_high"])
                else "an interval needs two replications or more."))


def _harm_for_spending(best: dict) -> str:
    """'it averts £34.80bn of harm for £9.95bn more public spending on the response': what makes up the
    saving, so that it is not read as cash saved (both discounted, as the saving)."""
    harm = f"it averts {bn(-best['harm'])} of harm" if best["harm"] < 0 else f"it adds {bn(best['harm'])} of harm"
    cost = (f"for {bn(best['cost'])} more public spending on the response" if best["cost"] > 0 else
            f"with {bn(-best['cost'])} less public spending on the response" if best["cost"] < 0 else
            "for the same public spending on the response")
    return f"{harm} {cost}"


def _spread(best: dict) -> str:
    """' (...)': how far single paired replications' savings ran, the 5th to 95th percentiles of the pairs
    (`net_p5`, `net_p95`: changes, negative a saving), or the chart that shows it."""
    low, high = best.get("net_p5", np.nan), best.get("net_p95", np.nan)
    if not (np.isfinite(low) and np.isfinite(high)):
        return " (the bands of the yearly chart)"
    least, most = -high, -low  # savings
    ran = (f"saved {bn(least)} to {bn(most)}" if least > 0 else
           f"ran from a rise of {bn(-least)} to a saving of {bn(most)}" if most > 0 else
           f"raised it by {bn(-most)} to {bn(-least)}")
    return f" (the middle 90% of the paired replications {ran}; the bands of the yearly chart)"


def _green_book_clause(best: dict) -> str:
    """'; leaving out recovered assets, as a Green Book appraisal would (...), the saving is £24.98bn (...)':
    the headline counts the assets as a gain, which the Green Book treats as a transfer."""
    green, low, high = (best.get(k, np.nan) for k in ("green_book", "green_book_low", "green_book_high"))
    if not np.isfinite(green):
        return ""
    told = f" ({gap_interval(-high, -low)})" if np.isfinite(low) and np.isfinite(high) else ""
    change = f"the saving is {bn(-green)}" if green < 0 else f"it costs society {bn(green)} more"
    return (f"; leaving out recovered assets, as a Green Book appraisal would (a transfer from offenders, not a "
            f"gain to society; still without its optimism-bias uplift on costs), {change}{told}")


def horizon_years(comparison: Comparison) -> float:
    """The run's length in years (1.5 for 18 monthly steps)."""
    return float(comparison.bands["step"].max()) / comparison.steps_per_year if not comparison.bands.empty else 0.0


def horizon(comparison: Comparison) -> str:
    """'10-year horizon from 2025-04-01'."""
    years = horizon_years(comparison)
    start = f" from {comparison.start_date}" if comparison.start_date else ""
    return f"{years:g}-year horizon{start}" if years else f"horizon{start}"


def financial_year(start_date: str, year: int) -> str | None:
    """Year `year` of a horizon starting on `start_date` as the UK financial year it is ('2025-26'),
    when the horizon starts on 1 April (as Spending Reviews and the public accounts count); else None."""
    try:
        start = pd.Timestamp(start_date)
    except (ValueError, TypeError):
        return None
    if (start.month, start.day) != (4, 1):
        return None
    first = start.year + int(year) - 1
    return f"{first}-{(first + 1) % 100:02d}"


def year_by_year(comparison: Comparison) -> pd.DataFrame:
    """Each option's change from the baseline in each year (undiscounted), years across, one number a
    cell: net social cost (the paired mean, as in the chart), response spending, and the net without
    recovered assets (the Green Book view). Shows whether an effect is growing, peaking or fading."""
    change, cost = comparison.annual_change, comparison.annual_cost_change  # both paired replicate by replicate
    if change.empty or cost.empty:
        return pd.DataFrame()
    spending = cost.pivot_table(index="year", columns="scenario", values="mean")
    net = change.pivot_table(index="year", columns="scenario", values="mean")
    assets = comparison.annual_assets_change
    assets = assets.pivot_table(index="year", columns="scenario", values="mean") if not assets.empty else None
    part = part_year(comparison)  # a last year the horizon ends part-way through: marked, not a year's totals
    said = {y: [fiscal] if (fiscal := financial_year(comparison.start_date, y)) else [] for y in net.index}
    if part:
        said[part[0]] = said.get(part[0], []) + [f"{part[1]} of {comparison.steps_per_year} steps"]
    years = [f"year {y}" + (f" ({'; '.join(said[y])})" if said[y] else "") for y in net.index]
    rows = []
    for option in (s for s in comparison.scenarios if s in net.columns):
        measures = [("net social cost", net[option]), ("response spending", spending[option].loc[net.index])]
        if assets is not None and option in assets.columns:  # the net plus the assets it counted against it
            measures.append(("net, recovered assets left out", net[option] + assets[option].loc[net.index]))
        rows += [{"option": option, "change in": measure,
                  **{year: signed_bn(v, table=True) for year, v in zip(years, values)}}
                 for measure, values in measures]
    return pd.DataFrame(rows)


def nothing_to_compare(comparison: Comparison, listed: str, markup: bool = True) -> str:
    """Why no option has a change to show: only the baseline was given, or every replication of the
    others (or of the baseline) failed, their errors `listed` where the reader finds them."""
    quote, shown = (html.escape, "below") if markup else (str, "in the report")  # the page, or the console
    unfinished = [name for name in comparison.scenarios if not comparison.reps.get(name)]
    if not unfinished:
        return (f"Only '{quote(comparison.baseline)}' was run: nothing to compare it with. Its levels and fan charts "
                f"are {shown}; give more scenarios to compare options.")
    return (f"Nothing to compare: every replication of {', '.join(quote(repr(name)) for name in unfinished)} failed "
            f"(the errors are listed {listed}); the runs that finished are shown {shown}.")


def plain_summary(comparison: Comparison) -> tuple[list[str], list[str]]:
    """The summary's paragraphs (HTML): in brief (the best option's saving, its lead, the others at a
    glance, what it spends and averts and when it pays, whether its saving fades, the harms that rise
    and the justice system's limits), then in detail (what the lead rests on, where and for whom, the
    caveats, each other option)."""
    rows = headline_rows(comparison)
    if not rows:
        return [nothing_to_compare(comparison, "under “Runs that failed”")], []
    best = min(rows, key=lambda r: r["net"])
    text = []
    tied_with = level_with(comparison, best["scenario"])
    if len(rows) == 1:
        verdict = "is the only option compared"
    elif tied_with:
        verdict = (f"and <strong>{html.escape(tied_with)}</strong> do best and cannot be told apart (below); "
                   f"{html.escape(best['scenario'])} has the lower mean")
    else:
        verdict = "does best" + narrowly(comparison)
    from twin.compare import parameters_beside_baseline

    if best["scenario"] in {scenario for scenario, _ in parameters_beside_baseline(comparison)}:
        verdict = (verdict.replace("does best", "comes out lowest", 1) + ", as a world that differs from the "
                   "baseline's rather than a policy (see the note above)")
    if best["net"] < 0:
        spread = comparison.summary[(comparison.summary["scenario"] == best["scenario"])
                                    & (comparison.summary["metric"] == "discounted_net_social_cost_gbp")]
        if len(spread) and {"diff_p5", "diff_p95"} <= set(spread.columns):
            best = dict(best, net_p5=float(spread["diff_p5"].iloc[0]), net_p95=float(spread["diff_p95"].iloc[0]))
        text.append(saving_sentence(best, verdict, comparison.baseline, horizon(comparison),
                                    levers_drawn(comparison), posterior_drawn(comparison)))
    else:
        text.append(html.escape(least_bad_sentence(best, comparison.baseline, wins(best)))
                    + ("" if levers_drawn(comparison) or posterior_drawn(comparison) else
                       " This is an estimate at the model's assumed effect sizes and costs, which are not measured "
                       f"and not varied here (they can be drawn from their ranges: {FURTHER}): its interval reflects "
                       "only the replications' chance variation."))
    runner_up = runner_up_sentence(comparison)
    brief = text + [t for t in (runner_up, others_at_a_glance(comparison, rows, best)) if t]
    text = []
    spending = (f"{html.escape(best['scenario'])} {'cuts' if best['harm'] < 0 else 'raises'} harm by "
                f"{bn(best['harm'])} and {'cuts' if best['cost'] < 0 else 'raises'} response spending by {bn(best['cost'])}"
                + ((f"; against {html.escape(comparison.baseline)}, each extra pound spent averts "
                    f"{per_pound(best['per_pound'])} of harm" if best["per_pound"] >= 0
                    else f"; harm rises by {per_pound(-best['per_pound'])} for each extra pound spent")
                   if np.isfinite(best["per_pound"]) else "") +
                (f"; its cumulative net social cost falls below the baseline's during year "
                 f"{int(best['payback'])} and stays below to the horizon's end (a "
                 f"payback to society, not cash returned to the Exchequer, counting recovered assets, with its "
                 f"levers acting from their start year and no lead time before it)." if np.isfinite(best["payback"])
                 else f"; with {replications(best['pairs'])} no year can be named from which it surely pays back "
                      + ("(one gives no interval)." if best["pairs"] < 2 else
                         "(its cumulative saving's interval still reaches zero).") if best["payback_unclear"]
                 else "; it does not pay back within the horizon.")) + _more_per_pound(rows, best)
    # what it costs, what it means in people, and how it changes over the years, belong with the answer
    people = _in_people(comparison, best["scenario"]) if best["net"] < 0 else None
    brief += ([spending] + ([people] if people else [])
              + horizon_sentences(fading_sentence(comparison, best["scenario"]), runner_up_gains(comparison)))
    rises = _rises(comparison, best["scenario"])  # what it costs beside its saving: part of the answer
    if rises:
        brief.append(f"<strong>Not everything falls</strong>: under {html.escape(best['scenario'])} {and_list(rises)} "
                     f"(90% interval{'s' if len(rises) > 1 else ''} above zero; see 'Other outcomes' and summary.csv).")
    better = others_better_in_people(comparison, best["scenario"])  # what choosing it on pounds gives up
    if better:
        brief.append(f"<strong>Other options do better for people</strong> than {html.escape(best['scenario'])}: "
                     f"{html.escape('; '.join(better))} (paired replications; 90% intervals in brackets).")
    brief += [t for t in (_justice_limits(comparison, best["scenario"]), enforcement_caveat(comparison)) if t]
    green_book = green_book_sentence(rows, best)
    if green_book:
        text.append(green_book)
    rests_on = lead_rests_on(comparison, rows)
    if rests_on:
        text.append(rests_on)
    parts = parts_sentence(comparison, rows, best) if best["net"] < 0 else None
    idle = idle_hiring_sentence(comparison, best["scenario"])  # a lever of it that hardly acts: part of the answer
    brief += [idle] if idle else []
    text += [t for t in (parts, against_doing_nothing(comparison, best)) if t]

    lands = where_it_lands(comparison, best["scenario"])
    text += [t for t in (lands, devolved_share(comparison, best["scenario"])) if t]
    displaced = displacement_sentence(comparison, best["scenario"])
    if displaced:
        text.append(displaced)
    vulnerable = landed(comparison, best["scenario"], "discounted_harm_gbp_most_vulnerable_areas")
    if comparison.geography.get("most_vulnerable") and vulnerable is not None:
        names = and_list([html.escape(a) for a in comparison.geography["most_vulnerable"]])
        text.append(f"In the most vulnerable fifth of the areas by the areas file's vulnerability index ({names}), "
                    f"harm {vulnerable[0]}.")
    others = sorted((r for r in rows if r is not best), key=lambda r: r["net"])
    for r in others:
        caveats = _rises(comparison, r["scenario"]) + justice_limit_parts(comparison, r["scenario"])
        text.append(f"{html.escape(r['scenario'])}: change in net social cost {signed_bn(r['net'])} "
                    f"(90% interval {signed_bn(r['net_low'])} to {signed_bn(r['net_high'])}; negative is a saving), "
                    f"harm {signed_bn(r['harm'])} for response spending {signed_bn(r['cost'])}, "
                    f"better in {wins(r)} paired replications" + (f"; {and_list(caveats)}." if caveats else "."))
        fading_other = fading_sentence(comparison, r["scenario"]) if r["net"] < 0 else None
        text += [t for t in (fading_other, idle_hiring_sentence(comparison, r["scenario"]),
                             displacement_sentence(comparison, r["scenario"])) if t]
    spin_up_note = spin_up_parameters_note(comparison)
    if spin_up_note:  # first: an option that is another world is no policy to rank among the others
        brief.insert(0, f"<strong>Read first:</strong> {spin_up_note}")
    if len(comparison.failures):  # results of the runs that finished: biased if failing goes with the outcome
        brief.insert(0, f"<strong>Read first:</strong> {failed_runs_note(comparison.failures)}")
    text.append(drawn_uncertainty(comparison))
    return brief, text


def failed_runs_note(failures: pd.DataFrame) -> str:
    """Replications that failed, by scenario, and what leaving them out means (HTML)."""
    counts = failures.groupby("scenario").size()
    listed = and_list([f"{n} of {html.escape(str(name))}" for name, n in counts.items()])
    return (f"{len(failures)} replication{'s' if len(failures) != 1 else ''} failed ({listed}) and "
            f"{'are' if len(failures) != 1 else 'is'} left out, with {'their' if len(failures) != 1 else 'its'} "
            f"pairs: the figures are those of the paired replications that finished. If runs fail because of "
            f"what happens in them (a population growing past the model's guard, say), leaving them out biases "
            f"the comparison; the errors are listed under “Runs that failed”.")


def spin_up_parameters_note(comparison: Comparison, markup: bool = True) -> str | None:
    """Options whose [parameters] differ from the baseline's: those values held through the
    spin-up too, so the option is a world that differed before year 1, not a policy from year 1."""
    from twin.compare import parameters_beside_baseline

    differing = parameters_beside_baseline(comparison)
    if not differing:
        return None
    code = (lambda name: f"<code>{html.escape(name)}</code>") if markup else (lambda name: name)
    name = html.escape if markup else str
    parts = [f"{name(scenario)} ({', '.join(code(n) for n in names)})" for scenario, names in differing]
    return (f"{'Note: ' if not markup else ''}{and_list(parts)} set{'s' if len(parts) == 1 else ''} parameters other "
            f"than {possessive(name(comparison.baseline))}, which held through the spin-up too: "
            f"{'its world differs' if len(parts) == 1 else 'their worlds differ'} from the baseline's from before "
            f"year 1, not only from year 1 on (parameters describe the world as it has been; a policy from year 1 belongs in "
            f"[[levers]]).")


def _ratio(value: float) -> str:
    """Harm averted per extra pound for the console table: 'n/a' where there is none, as in the report."""
    return per_pound(value).replace("£", "") if np.isfinite(value) else "n/a"  # the report's figure, never '-0.00'


def terminal_table(comparison: Comparison, columns: int | None = None) -> str:
    """The console's comparison: a table of each option's changes, then the sentences that decide
    between the best two. With `columns` (a terminal's width) the sentences are wrapped to it, and a
    table wider than it is given an option at a time; without, lines are left whole (for files)."""
    rows = headline_rows(comparison)
    if not rows:
        return nothing_to_compare(comparison, "below", markup=False)
    width = max(28, *(len(r["scenario"]) for r in rows))  # names whole, however long
    lines = [f"Change against {comparison.baseline} (discounted over the horizon, {PRICE_YEAR} prices; negative is "
             f"a saving; 90% interval of the net change in brackets):",
             f"{'scenario':{width}s} {'harm':>12s} {'response cost':>14s} {'assets recovered':>17s} {'net social cost':>28s} "
             f"  {'better in':>9s}  {'£/£':>6s}"]
    narrow = columns is not None and len(lines[1]) > columns
    if narrow:  # an option at a time, each figure named
        del lines[1]
    for r in rows:
        assets = r["harm"] + r["cost"] - r["net"]  # net = harm + response cost - assets recovered, pair by pair
        if narrow:
            lines += [f"{r['scenario']}:", f"  harm {signed_bn(r['harm'])}, response cost {signed_bn(r['cost'])}, "
                      f"assets recovered {signed_bn(assets)}", f"  net social cost {signed_bn(r['net'])} "
                      f"[{signed_bn(r['net_low'])}, {signed_bn(r['net_high'])}], better in {wins(r)}, "
                      f"£/£ {_ratio(r['per_pound']).strip()}"]
            continue
        lines.append(f"{r['scenario']:{width}s} {signed_bn(r['harm'], True):>12s} {signed_bn(r['cost'], True):>14s} "
                     f"{signed_bn(assets, True):>17s} {signed_bn(r['net'], True):>10s} "
                     f"[{signed_bn(r['net_low'], True)}, {signed_bn(r['net_high'], True)}]"
                     f"   {wins(r):>9s}  {_ratio(r['per_pound']):>6s}")
    table = set() if narrow else set(range(1, len(lines)))  # the table's lines: as wide as they are
    if all(np.isfinite(r.get("green_book", np.nan)) for r in rows):
        lines.append("The net with recovered assets left out (the Green Book treats them as a transfer from "
                     "offenders, not a gain to society): " + "; ".join(
                         f"{r['scenario']} {signed_bn(r['green_book'])}"
                         for r in sorted(rows, key=lambda r: r["green_book"])) + ".")
    best = min(rows, key=lambda r: r["net"])
    if best["net"] >= 0:  # as the report says it
        lines.append(least_bad_sentence(best, comparison.baseline, wins(best)))
    runner_up = runner_up_sentence(comparison, markup=False)
    if runner_up:
        lines.append(runner_up)
    for r in sorted(rows, key=lambda r: r["net"])[:2]:  # what the best two cost beside their savings: it may decide
        caveats = _rises(comparison, r["scenario"]) + justice_limit_parts(comparison, r["scenario"])
        if caveats:  # the verdict from the interval, not the mean alone
            beside = ("Beside its savings" if r["net_high"] < 0 else f"Besides costing society more than "
                      f"{comparison.baseline}" if r["net_low"] > 0 else "Whatever its net effect (unclear here)")
            lines.append(f"{beside}, under {r['scenario']}: {and_list(caveats)}.")
    better = others_better_in_people(comparison, best["scenario"])
    if better:
        lines.append(f"Other options do better for people than {best['scenario']}: {'; '.join(better)} "
                     f"(paired replications; 90% intervals in brackets).")
    lines.append("Net social cost = harm + response cost - assets recovered (more assets recovered lowers it). "
                 "Better in: paired replications with a lower net social cost. £/£: harm averted per extra pound "
                 "of response spending (not a Green Book benefit-cost ratio; negative where harm rises; n/a where "
                 "spending does not clearly rise).\n" + console_intervals(comparison)
                 + "; homicides, drug deaths, children recruited and the year-by-year view are in the report."
                 + (" An interval is n/a from a single replication (give --reps 2 or more)."
                    if any(not np.isfinite(r["net_low"]) for r in rows) else "")
                 + posterior_held_sentence(comparison, markup=False) + lever_held_sentence(comparison, markup=False))
    if columns is not None:  # the sentences wrapped to the terminal
        import textwrap

        lines = [line if k in table else textwrap.fill(part, max(columns, 40), break_on_hyphens=False)
                 for k, line in enumerate(lines) for part in ([line] if k in table else line.split("\n"))]
    return "\n".join(lines)
