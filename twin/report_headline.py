"""The comparison's headline table, each option against the baseline (its change in harm, response
cost and net social cost with their 90% intervals, how often it is better, harm averted per extra
pound, payback year, harm by kind of area), and its short form at the top of the summary, the
options best first (`at_a_glance`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.compare import Comparison
from twin.report_format import html_table, per_pound
from twin.report_text import signed_bn, wins


def at_a_glance(comparison: Comparison, rows: list[dict]) -> str:
    """The options best first by their change in net social cost, with that change, the harm and the
    response spending, each with its 90% interval, how often each is better and what clearly rises
    under it (harms in people, county lines, priced harms, groups and members): the summary's answer
    in one table, after its opening paragraphs and before the scenarios and the detail (empty with no
    option against the baseline). An option whose parameters differ from the baseline's is marked: it
    is another world, not a policy (the summary's first note)."""
    from twin.compare import parameters_beside_baseline

    if not rows:
        return ""
    rows = sorted(rows, key=lambda r: r["net"])
    table = headline_table(comparison, rows)
    other_world = {scenario for scenario, _ in parameters_beside_baseline(comparison)}
    table["option"] = [f"{name} (another world: its parameters differ; see the note)" if name in other_world else name
                       for name in table["option"]]
    from twin.report_caveats import rises_in_short

    # who is worse off under each option, beside its saving ('Other outcomes' has the intervals)
    table["what rises (90% interval above zero)"] = [rises_in_short(comparison, r["scenario"]) for r in rows]
    columns = ["option", "net social cost change (90% interval)", "harm change (90% interval)",
               "response cost change (90% interval)", "better in (paired replications)",
               "what rises (90% interval above zero)"]
    from twin.report_drawn import levers_drawn, posterior_drawn

    chance = ("" if levers_drawn(comparison) or posterior_drawn(comparison) else
              "; the intervals reflect only chance between replications at the model's assumed effect sizes and "
              "costs, not how uncertain those are: see the summary")
    return html_table(table[columns], f"At a glance: each option against {comparison.baseline}, best first "
                                      f"(cumulative, discounted; negative is a saving{chance})", "")


def headline_table(comparison: Comparison, rows: list[dict]) -> pd.DataFrame:
    """The headline table: each option's change in harm, response cost and net social cost with its
    90% interval, the replications in which it is better, harm averted per extra pound, the payback year,
    and the change in harm by kind of area (the columns the areas file can fill)."""
    headline = pd.DataFrame([{
        "option": r["scenario"],
        "harm change (90% interval)": with_interval(r, "harm"),
        "response cost change (90% interval)": with_interval(r, "cost"),
        "assets recovered change (netted off)": signed_bn(r["harm"] + r["cost"] - r["net"], table=True),
        "net social cost change (90% interval)": with_interval(r, "net"),
        "net change, recovered assets left out (as the Green Book treats transfers; no optimism bias)": (
            with_interval(r, "green_book") if np.isfinite(r["green_book_low"])
            else signed_bn(r["green_book"], table=True)),
        "better in (paired replications)": wins(r),
        "harm averted per extra £": "n/a" if not np.isfinite(r["per_pound"]) else per_pound(r["per_pound"]),
        "payback year (recovered assets counted)": (f"{int(r['payback'])}" if np.isfinite(r["payback"]) else
                         "unclear (too few replications)" if r["payback_unclear"] else "not within horizon"),
        "harm change, exporter areas": signed_bn(r["vulnerable"], table=True),
        "harm change, other areas": signed_bn(r["other"], table=True),
        "harm change, most vulnerable fifth of areas": signed_bn(r["most_vulnerable"], table=True),
    } for r in rows])
    unused = ((["harm change, most vulnerable fifth of areas"] if not comparison.geography.get("most_vulnerable")
               else [])
              + ([] if comparison.geography.get("exporters") else ["harm change, exporter areas",
                                                                   "harm change, other areas"]))
    return headline.drop(columns=unused, errors="ignore")  # no vulnerability index; no exporter areas


def with_interval(row: dict, key: str) -> str:
    """A headline change with its 90% interval: '-£1.20bn [-£1.50bn, -£0.90bn]'."""
    return f"{signed_bn(row[key], True)} [{signed_bn(row[f'{key}_low'], True)}, {signed_bn(row[f'{key}_high'], True)}]"
