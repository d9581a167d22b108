"""Readable summaries of a run: annual totals (flows) and end-of-year levels (stocks)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from twin.geography import NATIONAL_AREA
from twin.results import Results

#: (column title, metric, how to combine a year's steps, scale, format)
ANNUAL_COLUMNS = (
    ("harm £bn", "harm_gbp_total", "sum", 1e9, "{:.1f}"),
    ("drugs", "harm_gbp_drugs", "sum", 1e9, "{:.1f}"),
    ("economic", "harm_gbp_economic", "sum", 1e9, "{:.1f}"),
    ("slavery", "harm_gbp_modern_slavery", "sum", 1e9, "{:.2f}"),
    ("immigr.", "harm_gbp_immigration", "sum", 1e9, "{:.2f}"),
    ("violence", "harm_gbp_violence", "sum", 1e9, "{:.2f}"),
    ("other", "harm_gbp_other", "sum", 1e9, "{:.2f}"),
    ("response £bn", "response_cost_gbp", "sum", 1e9, "{:.2f}"),
    ("recovered £m", "assets_recovered_gbp", "sum", 1e6, "{:,.0f}"),
    ("OCGs", "ocgs_active", "last", 1, "{:,.0f}"),
    ("members", "members_active", "last", 1, "{:,.0f}"),
    ("prison", "members_prison", "last", 1, "{:,.0f}"),
    ("disruptions", "disruptions", "sum", 1, "{:,.0f}"),
    ("arrests", "arrests", "sum", 1, "{:,.0f}"),
    ("homicides", "homicides", "sum", 1, "{:,.0f}"),
    ("drug deaths", "drug_deaths", "sum", 1, "{:,.0f}"),
    ("children", "recruits_children", "sum", 1, "{:,.0f}"),
)

#: what the columns are, printed under the table
LEGEND = ("harm £bn: social and economic harm in the year, all categories (Home Office method, undiscounted); of "
          "which drugs, economic (fraud and other economic crime), slavery (modern slavery), immigr. (organised "
          "immigration crime), violence (network-linked violence), other (firearms supply and organised acquisitive "
          "crime). response £bn: policing, courts, prisons and levers. recovered £m: assets recovered. OCGs and "
          "members: active at the year's end; prison: SOC prisoners serving a sentence at the year's end (not those "
          "remanded awaiting trial). disruptions, arrests, "
          "homicides (network-linked: by the groups, or linked to them indirectly; not all homicides), drug deaths and "
          "children (recruited into groups): the year's totals.")


def annual_rows(results: Results, steps_per_year: int, area: str = NATIONAL_AREA,
                columns=ANNUAL_COLUMNS) -> list[dict[str, float]]:
    """One row per year (the last may be part of a year): each column's metric combined over the year."""
    rows = []
    n_years = int(np.ceil(results.steps_recorded / steps_per_year))
    for year in range(n_years):
        window = slice(year * steps_per_year, min((year + 1) * steps_per_year, results.steps_recorded))
        row = {"year": year + 1, "steps": window.stop - window.start}
        for title, metric, how, scale, _ in columns:
            values = results.series(metric, area)[window]
            row[title] = (values.sum() if how == "sum" else values[-1]) / scale
        rows.append(row)
    return rows


def format_annual_summary(results: Results, steps_per_year: int, area: str = NATIONAL_AREA) -> str:
    rows = annual_rows(results, steps_per_year, area)
    titles = ["year"] + [c[0] for c in ANNUAL_COLUMNS]
    formats = ["{:d}"] + [c[4] for c in ANNUAL_COLUMNS]
    cells = [[_cell(fmt, row[t]) for t, fmt in zip(titles, formats)] for row in rows]
    partial = [row for row in rows if row["steps"] < steps_per_year]
    for row, cell in zip(rows, cells):
        if row["steps"] < steps_per_year:
            cell[0] += "*"
    widths = [max(len(t), *(len(r[i]) for r in cells)) for i, t in enumerate(titles)]
    lines = ["  ".join(t.rjust(w) for t, w in zip(titles, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.append(textwrap.fill(LEGEND, 100))
    for row in partial:
        lines.append(f"* year {row['year']} is part of a year: {row['steps']} of {steps_per_year} steps "
                     f"(sums cover those steps only)")
    early = [row for row in annual_rows(results, steps_per_year, area, EARLY_RELEASES) if row["early"] > 0]
    if early:
        years = [row["year"] for row in early]
        emergency = sum(row["emergency"] for row in early)
        before_share = (f", {emergency:,.0f} of them before serving the early-release share (emergency releases)"
                        if emergency >= 0.5 else "")
        lines.append(f"Prisons were full in year{'s' if len(years) > 1 else ''} {_year_span(years)}: "
                     f"{_count(sum(row['early'] for row in early), 'SOC prisoner')} released early to make room"
                     f"{before_share}, so SOC prisoners stay within the places available.")
    courts = [row for row in annual_rows(results, steps_per_year, area, COURTS)
              if row["backlog"] > 0 or row["bailed"] > 0]
    if courts:
        years = [row["year"] for row in courts]
        lines.append(f"Courts or prisons were full in year{'s' if len(years) > 1 else ''} {_year_span(years)}: "
                     f"{_count(sum(row['bailed'] for row in courts), 'defendant')} bailed to await trial at "
                     f"liberty, and {_count(courts[-1]['backlog'], 'case')} waiting, ready for trial, at the end of "
                     f"year {years[-1]}.")
    return "\n".join(lines)


EARLY_RELEASES = (("early", "early_releases", "sum", 1, "{:,.0f}"), ("emergency", "emergency_releases", "sum", 1, "{:,.0f}"))
COURTS = (("backlog", "court_backlog", "last", 1, "{:,.0f}"), ("bailed", "bail_releases", "sum", 1, "{:,.0f}"))


def _cell(fmt: str, value) -> str:
    """A number as its column has it, or in three figures with an exponent when that is over 15
    characters (a value far beyond its plausible range gave a column hundreds of digits wide)."""
    text = fmt.format(value)
    return f"{value:.3g}" if len(text) > 15 and isinstance(value, float) else text


def _count(value: float, noun: str) -> str:
    """'1 defendant was', '923 defendants were'."""
    return f"{value:,.0f} {noun} was" if round(value) == 1 else f"{value:,.0f} {noun}s were"


def _year_span(years: list[int]) -> str:
    """[2, 3, 4, 7] -> '2-4 and 7'."""
    runs, start = [], years[0]
    for previous, year in zip(years, years[1:] + [None]):
        if year != previous + 1:
            runs.append(str(start) if start == previous else f"{start}-{previous}")
            start = year
    return runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]


def summary_heading(scenario, n_areas: int) -> str:
    """What the annual summary totals: the UK, or the areas of the scenario's own areas file (its
    trajectories still label their total `UK`), with the factor the national quantities were
    scaled by (`scenario.national_scale`)."""
    from twin.harm import PRICE_YEAR

    where = "UK"
    if scenario.areas_file:
        where = (f"the {n_areas} areas of {Path(scenario.areas_file).name}, together (area {NATIONAL_AREA} in the "
                 f"trajectories)")
    if scenario.national_scale != 1.0:
        where += f"\nwith the UK's national quantities scaled by {scenario.national_scale:.3g}"
    return (f"Annual summary, {where}{' ' if where == 'UK' else chr(10)}(harm and costs in £, {PRICE_YEAR} prices; "
            f"flows are the year's totals, OCGs, active members and prisoners at the year's end)")
