"""What an option costs beside its saving, in words: the harms (and the groups and members) that
rise under it, what it clearly means in people, and where the justice system limits it. Read off
the comparison's paired changes from the baseline (`compare.Comparison.summary`); the summary and
the console both say them (`report_text.py`)."""

from __future__ import annotations

import html

import pandas as pd

from twin.compare import Comparison, mean_interval, paired_gap
from twin.report_format import and_list, bn, people


#: outcomes not in pounds shown as paired differences: (summary metric, label)
OTHER_OUTCOMES = (("total_homicides", "homicides"), ("total_drug_deaths", "drug deaths"),
                  ("total_recruits_children", "children recruited"), ("total_nrm_referrals", "NRM referrals"),
                  ("total_arrests", "arrests"), ("total_disruptions", "disruptions"),
                  ("total_convictions", "convictions"),
                  ("total_bail_releases", "defendants bailed (courts or remand places full)"),
                  ("total_early_releases", "prisoners released early (prisons full)"),
                  ("total_emergency_releases", "emergency releases (before the early-release share)"),
                  ("final_year_county_lines_active", "county lines running (mean over the last 12 months)"),
                  ("final_year_ocgs_active", "active OCGs (mean over the last 12 months)"),
                  ("final_year_members_active", "active OCG members (mean over the last 12 months)"))


def paired_change(comparison: Comparison, scenario: str, metric: str) -> pd.Series | None:
    """A summary row's paired change from the baseline (diff_mean, diff_low, diff_high), if any."""
    summary = comparison.summary
    found = summary[(summary.scenario == scenario) & (summary.metric == metric)]
    if found.empty or "diff_mean" not in found or pd.isna(found["diff_mean"].iloc[0]):
        return None
    return found.iloc[0]


#: the priced harm categories an option may raise while lowering the total: (summary metric, label)
HARM_PARTS = (("discounted_harm_gbp_drugs", "drug harm"), ("discounted_harm_gbp_economic", "economic-crime harm"),
              ("discounted_harm_gbp_modern_slavery", "modern-slavery harm"),
              ("discounted_harm_gbp_immigration", "immigration-crime harm"),
              ("discounted_harm_gbp_violence", "violence harm"), ("discounted_harm_gbp_other", "other harm"))


def harm_by_category(comparison: Comparison, order: list[str] | None = None) -> pd.DataFrame:
    """Each option's change in harm from the baseline by category, discounted over the horizon, with
    the 90% interval of the paired mean: which harms its total change comes from; the options in
    `order` (the report's, best first), else as given."""
    from twin.report_format import signed_bn

    rows = []
    for scenario in order or comparison.scenarios:
        if scenario == comparison.baseline:
            continue
        row = {"option": scenario}
        for metric, label in HARM_PARTS:
            r = paired_change(comparison, scenario, metric)
            row[label] = ("n/a" if r is None else f"{signed_bn(r['diff_mean'], True)} "
                          f"[{signed_bn(r['diff_low'], True)}, {signed_bn(r['diff_high'], True)}]")
        rows.append(row)
    return pd.DataFrame(rows)


def _rising(comparison: Comparison, scenario: str) -> list[tuple[str, str, float]]:
    """What rises under an option (the whole interval above zero), in the order said: (kind, label,
    mean change), kind 'people' (over the horizon), 'final' (over the last 12 months), 'gbp'
    (discounted) or 'growing' (groups and members, over the last 12 months)."""
    out = []
    for metric, label in OTHER_OUTCOMES[:3] + (("final_year_county_lines_active", "county lines"),):
        r = paired_change(comparison, scenario, metric)  # harms; more NRM referrals means more victims found
        if r is not None and r["diff_low"] > 0:
            out.append(("final" if metric.startswith("final_year_") else "people", label, r["diff_mean"]))
    for kind, pairs in (("gbp", HARM_PARTS), ("growing", GROWING)):
        for metric, label in pairs:
            r = paired_change(comparison, scenario, metric)
            if r is not None and r["diff_low"] > 0:
                out.append((kind, label, r["diff_mean"]))
    return out


def _rises(comparison: Comparison, scenario: str) -> list[str]:
    """Harms in people (and the county lines running at the end), then in pounds (discounted), that
    rise under an option (the whole interval above zero)."""
    said = {"people": lambda label, v: f"{label} rise by {people(v)} over the horizon",
            "final": lambda label, v: f"{label} running over the last 12 months rise by {people(v)}",
            "gbp": lambda label, v: f"{label} rises by {bn(v)} (discounted)",
            "growing": lambda label, v: f"active {label} (mean over the last 12 months) rise by {people(v)}"}
    return [said[kind](label, value) for kind, label, value in _rising(comparison, scenario)]


def rises_in_short(comparison: Comparison, scenario: str) -> str:
    """The same in a table's few words, with the justice system's pressures the summary names
    (`justice_limits`): 'children recruited +788, county lines +42, prisoners released early
    +23,030', or 'none'."""
    justice = [("people", label, change["diff_mean"]) for label, change in justice_limits(comparison, scenario)]
    return ", ".join(f"{label} +{bn(value) if kind == 'gbp' else people(value)}"
                     for kind, label, value in _rising(comparison, scenario) + justice) or "none"


#: the crime groups and their members an option may leave more of at the end: (summary metric, label)
GROWING = (("final_year_ocgs_active", "groups"), ("final_year_members_active", "members"))


def _in_people(comparison: Comparison, scenario: str) -> str | None:
    """The harms counted in people that an option clearly lowers (the whole interval below zero):
    homicides, drug deaths and children recruited over the horizon, and the county lines running
    over its last 12 months, as a sentence; None when none of them clearly falls."""
    falls = []
    for metric, label in OTHER_OUTCOMES[:3] + (("final_year_county_lines_active", "county lines"),):
        r = paired_change(comparison, scenario, metric)
        if r is None or not r["diff_high"] < 0:
            continue
        text = f"{people(-r['diff_mean'])} fewer {label}"
        baseline_level = r["mean"] - r["diff_mean"]
        if metric.startswith("final_year_"):
            share = f", {-r['diff_mean'] / baseline_level:.0%} fewer than the baseline's" if baseline_level > 0 else ""
            text += " running over its last 12 months" + share
        else:
            text += " over the horizon"
        falls.append(text)
    if not falls:
        return None
    return (f"For people, {html.escape(scenario)} clearly means (each 90% interval below zero; see 'Other "
            f"outcomes'): {and_list(falls)}.")


#: the harms counted in people an option is compared on with every other (`others_better_in_people`)
PEOPLE_OUTCOMES = (("total_homicides", "homicides", "over the horizon"),
                   ("total_drug_deaths", "drug deaths", "over the horizon"),
                   ("total_recruits_children", "children recruited", "over the horizon"),
                   ("final_year_county_lines_active", "county lines", "running over the last 12 months"))


def others_better_in_people(comparison: Comparison, scenario: str) -> list[str]:
    """Where another option (not the baseline: what rises against it is `_rises`) clearly does better
    than `scenario` in people: the paired 90% interval of `scenario`'s count less the other's wholly
    above zero. Clauses, one per option, best-ranked first; what choosing `scenario` on pounds gives up."""
    wide = getattr(comparison, "wide", None)
    if wide is None or wide.empty:
        return []
    held = set(wide.index.get_level_values(0))
    if scenario not in held:
        return []
    ranked = list(comparison.ranking["scenario"]) if "scenario" in comparison.ranking else []
    others = [s for s in ranked + list(comparison.scenarios) if s not in (scenario, comparison.baseline) and s in held]
    clauses = []
    for other in dict.fromkeys(others):
        fewer = []
        for metric, label, when in PEOPLE_OUTCOMES:
            if metric not in wide.columns:
                continue
            gap = paired_gap(wide, scenario, other, metric)  # above zero: `other` has fewer
            low, high = mean_interval(gap)
            if low > 0:
                fewer.append(f"{people(gap.mean())} fewer {label} {when} ({people(low)} to {people(high)})")
        if fewer:
            clauses.append(f"{other}, {and_list(fewer)}")
    return clauses


#: the justice system is named as a limit when the extra defendants bailed (or prisoners released
#: early) are at least this share of the option's convictions over the horizon: a handful in ten
#: years, however certain, limits nothing
JUSTICE_LIMIT_MIN_SHARE = 0.01


def _justice_limits(comparison: Comparison, scenario: str) -> str:
    """A sentence when an option's extra charges outrun the courts or its remand and convictions
    the prisons (`justice_limit_parts`), else ''."""
    parts = justice_limit_parts(comparison, scenario, sentences=True)
    if not parts:
        return ""
    return (f"<strong>The justice system limits {html.escape(scenario)}.</strong> {' '.join(parts)} So part of its "
            "extra enforcement does not become time in custody; more court capacity and more prison places are "
            "options of their own, which can be added to it.")


def justice_limits(comparison: Comparison, scenario: str) -> list[tuple[str, dict]]:
    """The justice system's pressures under an option: more defendants bailed, or more prisoners
    released early, than under the baseline (whole interval above zero, and at least
    `JUSTICE_LIMIT_MIN_SHARE` of the option's convictions): (label, paired change)."""
    convictions = paired_change(comparison, scenario, "total_convictions")
    floor = JUSTICE_LIMIT_MIN_SHARE * float(convictions["mean"]) if convictions is not None else 0.0
    changes = [(label, paired_change(comparison, scenario, metric)) for label, metric in
               (("defendants bailed", "total_bail_releases"), ("prisoners released early", "total_early_releases"))]
    return [(label, change) for label, change in changes
            if change is not None and change["diff_low"] > 0 and change["diff_mean"] >= floor]


def justice_limit_parts(comparison: Comparison, scenario: str, sentences: bool = False) -> list[str]:
    """The ways an option's enforcement outruns the justice system: more defendants bailed, or more
    prisoners released early, than the baseline (whole interval above zero, and at least
    `JUSTICE_LIMIT_MIN_SHARE` of the option's convictions); clauses for a list, or with `sentences`
    short sentences of their own (the summary's)."""
    convictions = paired_change(comparison, scenario, "total_convictions")
    limited = dict(justice_limits(comparison, scenario))
    bailed, early = limited.get("defendants bailed"), limited.get("prisoners released early")
    parts = []
    if bailed is not None and sentences:
        parts.append(f"The courts or remand places cannot keep up with its charges: {bailed['diff_mean']:,.0f} more "
                     f"defendants are bailed to await trial at liberty.")
    elif bailed is not None:
        parts.append(f"the courts or remand places cannot keep up with its charges ({bailed['diff_mean']:,.0f} more "
                     "defendants bailed to await trial at liberty)")
    if early is not None:
        emergency = paired_change(comparison, scenario, "total_emergency_releases")
        more = (f", and {emergency['diff_mean']:,.0f} more in emergency releases" if emergency is not None
                and emergency["diff_low"] > 0 else "")
        outnumber = (f", more than its {convictions['diff_mean']:,.0f} extra convictions: with the prisons full, each "
                     f"prisoner sent in, on remand or convicted, releases another"
                     if convictions is not None and early["diff_mean"] > convictions["diff_mean"] > 0 else "")
        if sentences:
            parts.append(f"Its remand and convictions fill the prisons: {early['diff_mean']:,.0f} more prisoners are "
                         f"released early{more}" + (f". That is more than its {convictions['diff_mean']:,.0f} extra "
                         "convictions: once the prisons are full, every prisoner sent in pushes another out early"
                         if outnumber else "") + ". The places that would hold them are neither built nor costed.")
        else:
            parts.append(f"its remand and convictions fill the prisons ({early['diff_mean']:,.0f} more prisoners "
                         f"released early{more}{outnumber}; the places that would hold them are neither built nor "
                         f"costed in this option)")
    return parts


def enforcement_caveat(comparison: Comparison) -> str | None:
    """When an option hires investigators (a lever that draws on the hiring pipeline: funding, the
    SOC fund...): that in this model more enforcement moves harm little by its rules, so a small
    return on that money is the model's structure, not evidence that enforcement funding is wasted.
    The figures are the ODD's (section 4) and the report's 'What these results leave out'."""
    from twin.interventions import LEVER_TYPES
    from twin.levers_national import InvestigatorPipeline

    types = getattr(comparison, "lever_types", None) or {}
    hiring = [s for s in comparison.scenarios if s != comparison.baseline and any(
        t in LEVER_TYPES and issubclass(LEVER_TYPES[t], InvestigatorPipeline) for t in types.get(s, []))]
    if not hiring:
        return None
    return (f"<strong>Read the return on investigators with the model's rules</strong>: "
            f"{and_list([html.escape(s) for s in hiring])} {'hires' if len(hiring) == 1 else 'hire'} investigators, "
            f"and in this model extra enforcement moves harm little by construction (drug prices do not answer the "
            f"risk it adds, members removed are refilled, and extra arrests fill prisons that then release early: "
            f"with the SOC budget doubled, harm falls by under 1%). Little or no harm averted per pound there is "
            f"what these rules give, not evidence that funding enforcement is wasted (see 'What these results leave "
            f"out').")
