"""Options set against one another beyond the ranking: every option against every other, pair by
pair (a table, so any option, such as the policy already under way, can be read as the baseline),
and what the best option adds to the options whose levers it holds."""

from __future__ import annotations

import html
import json
from collections import Counter

import numpy as np
import pandas as pd

from twin.compare import Comparison
from twin.report_format import and_list, bn, gap_interval, html_table, lever_words, possessive, signed_bn


def gap_between(comparison: Comparison, scenario: str, against: str) -> dict | None:
    """`compare.pairwise_gaps`' row for `scenario` against `against` (None if it has none)."""
    pairs = getattr(comparison, "pairwise", None)
    if pairs is None or pairs.empty:
        return None
    found = pairs[(pairs.scenario == scenario) & (pairs.against == against)]
    return None if found.empty else found.iloc[0].to_dict()


def pairwise_table(comparison: Comparison) -> pd.DataFrame:
    """Each option (best first, the baseline last) against each other: the paired mean gap in
    discounted net social cost, the row's less the column's, with its 90% interval."""
    order = ([s for s in comparison.ranking["scenario"] if s != comparison.baseline] + [comparison.baseline]
             if not comparison.ranking.empty else [])
    rows = []
    for scenario in order:
        row = {"option (its net social cost less the column's)": scenario}
        for against in order:
            gap = gap_between(comparison, scenario, against)
            row[f"against {against}"] = ("" if against == scenario else "n/a" if gap is None else
                                         f"{signed_bn(gap['gap_mean'], True)} [{signed_bn(gap['gap_low'], True)}, "
                                         f"{signed_bn(gap['gap_high'], True)}]")
        rows.append(row)
    return pd.DataFrame(rows)


def pairwise_csv(comparison: Comparison) -> pd.DataFrame:
    """pairwise.csv: every scenario against every other, one row per pair and measure (net social
    cost, and the same leaving out recovered assets), each with its unit and what it is."""
    from twin.harm import PRICE_YEAR

    what = ("discounted {measure} of `scenario` less that of `against`, paired replication by replication "
            "(negative: `scenario` costs society less); diff_low and diff_high the 90% interval of the mean gap{share}")
    frames = []
    for metric, prefix, measure in (("discounted_net_social_cost_gbp", "", "net social cost"),
                                    ("discounted_net_social_cost_gbp_excluding_assets", "green_",
                                     "net social cost leaving out recovered assets (the Green Book view)")):
        pairs = comparison.pairwise
        if pairs.empty or pairs[f"{prefix}gap_mean"].isna().all():
            continue
        frames.append(pd.DataFrame({
            "scenario": pairs.scenario, "against": pairs.against, "metric": metric,
            "unit": f"GBP ({PRICE_YEAR} prices)",
            "what": what.format(measure=measure, share=", share_lower the share of pairs in which `scenario`'s is lower"),
            "diff_mean": pairs[f"{prefix}gap_mean"], "diff_low": pairs[f"{prefix}gap_low"],
            "diff_high": pairs[f"{prefix}gap_high"],
            "share_lower": pairs[f"{prefix}share_lower"], "pairs": pairs.pairs}))
    columns = ["scenario", "against", "metric", "unit", "what", "diff_mean", "diff_low", "diff_high", "share_lower",
               "pairs"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def pairwise_section(comparison: Comparison) -> str:
    """The table of every option against every other, with how to read it (none with a single option)."""
    if len(comparison.ranking) < 2 or getattr(comparison, "pairwise", pd.DataFrame()).empty:
        return ""
    return ("<h3>Each option against each other</h3><p>Each row's net social cost less each column's, pair by pair "
            "(discounted, 90% interval of the mean gap; negative: the row's option costs society less). A column "
            "reads as the headline table would with that option as the baseline: against a policy already under "
            "way, for instance (<code>twin compare --baseline NAME</code> gives the whole report that way, from "
            "the same runs)" + html.escape(_in_place_of(comparison)) + ". <code>pairwise.csv</code> holds these "
            "gaps, and the same leaving out recovered assets.</p>"
            + html_table(pairwise_table(comparison), "Each option against each other: gap in net social cost, "
                                                     "cumulative, discounted"))


def _in_place_of(comparison: Comparison) -> str:
    """The rows a column cannot be read as the baseline of: for each option whose levers are part of
    another's (Clear-Hold-Build within a package, say), the options that lack some of them, which
    against it are compared as in its place, not added to it ('' when every option holds them)."""
    types = {name: set(getattr(comparison, "lever_types", {}).get(name) or ()) for name in comparison.scenarios
             if name != comparison.baseline}
    clauses = []
    for column, held in types.items():
        if not held or not any(held < other for other in types.values()):
            continue
        lacking = [row for row, other in types.items() if row != column and not held <= other]
        if lacking:
            none = all(not held & types[row] for row in lacking)
            clauses.append(f"{and_list(lacking)} {'lacks' if len(lacking) == 1 else 'lack'} "
                           f"{'' if none else 'some or all of '}{possessive(column)} levers")
    if not clauses:
        return ""
    return ("; but only for the rows whose options hold its levers: a row without them is compared as in the "
            "column's place, not added to it (" + "; ".join(clauses) + ")")


def _beyond_parts(levers: list, whole_levers, total: float, whole: float, whose: str) -> str:
    """What the best saves beyond parts sharing no lever; its levers weaken one another if parts hold all."""
    union = Counter({key: max(held[key] for held in levers) for held in levers for key in held})
    if sum(union.values()) != sum(sum(held.values()) for held in levers):  # a lever in two parts
        return "."
    together, yours = (f", {bn(total)} together" if len(levers) > 1 else ""), f"{whose} {bn(whole)}"
    other = whole_levers - union  # levers of the best that no part holds
    if bn(whole) == bn(total):
        return f"{together}, as much as {yours}."
    if whole > total:
        return (f"{together}; the rest of {yours} is what its " + ("other levers add and what its levers do to"
                if other else "levers add to") + " one another's effects.")
    return (f"{together}, more than {yours}: " + ("its other levers and the way its levers act together cost more "
            "than they save." if other else "its levers weaken one another's effects."))


def parts_sentence(comparison: Comparison, rows: list[dict], best: dict, markup: bool = True) -> str | None:
    """When the best option holds every lever of another option compared and more (the same levers:
    type and every setting, where and when they act, `compare.lever_key`; counted with repeats; an
    option is a part only if it holds the baseline's levers too, so that its change is its own
    levers' doing), say which, and which of those options on their own raise the net social cost
    (clearly: the interval above zero): the best option might do better without those levers, which
    these runs do not test. Levers of the same type with other settings (another budget, other areas
    or years) are not the same lever: the part's effect says nothing of them."""
    keys = getattr(comparison, "lever_keys", None) or {}
    base = Counter(keys.get(comparison.baseline, []))
    held = {name: Counter(listed) for name, listed in keys.items()}
    own = {name: levers - base for name, levers in held.items() if not base - levers}  # those holding the baseline's
    parts = [r for r in rows if r is not best and own.get(r["scenario"]) and best["scenario"] in own
             and not own[r["scenario"]] - own[best["scenario"]] and own[r["scenario"]] != own[best["scenario"]]]
    if not parts:
        return None
    name = (lambda text: html.escape(str(text))) if markup else str
    kind = lambda key: json.loads(key)["type"]  # noqa: E731
    covered = Counter()
    for r in parts:
        covered |= own[r["scenario"]]
    added = Counter(kind(key) for key in (own[best["scenario"]] - covered).elements())  # by type: two of one, '2 x'
    added = [lever_words(lever) if n == 1 else f"{n} {lever_words(lever)} levers" for lever, n in sorted(added.items())]
    text = (f"{name(best['scenario'])} includes the levers of {and_list([name(r['scenario']) for r in parts])} (the "
            f"same levers with the same settings)"
            + (f" and adds {and_list([name(lever) for lever in added])}" if added else "") + ".")
    saving = sorted((r for r in parts if r["net"] < 0 and r["net_high"] < 0), key=lambda r: r["net"])
    if saving:
        each = [f"{name(r['scenario'])}{' saves' if i == 0 else ''} {bn(-r['net'])}" for i, r in enumerate(saving)]
        text += (f" On {'their' if len(saving) > 1 else 'its'} own, {and_list(each)} (discounted; below)"
                 + _beyond_parts([own[r["scenario"]] for r in saving], own[best["scenario"]],
                                 -sum(r["net"] for r in saving), -best["net"], possessive(name(best["scenario"]))))
    costly = [r for r in parts if r["net"] > 0 and r["net_low"] > 0]
    if costly:
        each = [f"{name(r['scenario'])} raises the net social cost by {bn(r['net'])} (90% interval {bn(r['net_low'])} "
                f"to {bn(r['net_high'])}) with its "
                f"{and_list([name(lever_words(k)) for k in sorted(set(map(kind, own[r['scenario']])))])} "
                f"lever{'s' if sum(own[r['scenario']].values()) > 1 else ''}" for r in costly]
        several = len(costly) > 1 or sum(own[costly[0]["scenario"]].values()) > 1
        text += (f" On its own, {'; '.join(each)}: {name(best['scenario'])} might do better without "
                 f"{'them' if several else 'it'}, which these runs do not test (compare a scenario with its file as "
                 f"`base` and {'those levers' if several else 'that lever'} in `drop_levers`).")
    gaps = [(r, gap_between(comparison, best["scenario"], r["scenario"])) for r in parts]
    gaps = [(r, g) for r, g in gaps if g is not None and np.isfinite(g["gap_low"])]
    if gaps:  # the best against each part, pair by pair: what it gains over adopting that part alone
        each = [f"{bn(abs(g['gap_mean']))} {'lower' if g['gap_mean'] < 0 else 'higher'} than "
                f"{possessive(name(r['scenario']))} ({gap_interval(-g['gap_high'], -g['gap_low'])})" for r, g in gaps]
        text += (f" Pair by pair, {possessive(name(best['scenario']))} net social cost is {and_list(each)}: what it "
                 f"gains over adopting {'each' if len(gaps) > 1 else 'that option'} alone.")
    return text


