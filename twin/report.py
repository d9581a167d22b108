"""The policy comparison report: one self-contained HTML file, a summary CSV, and PNG charts.

The report opens with a plain-language summary (which option does best, by how much, how sure),
then fan charts of harm, cost and key counts per scenario, the difference-from-baseline table, per-area
results, and the assumptions and parameters behind each scenario. Charts are embedded as base64 PNGs.
This module draws the charts and writes the files; `report_page.py` lays out the page.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from twin.compare import Comparison, part_year, whole_years  # noqa: E402
from twin.report_format import discounted_count  # noqa: E402
from twin.report_page import report_page  # noqa: E402
from twin.report_pairs import pairwise_csv  # noqa: E402
from twin.report_text import headline_rows  # noqa: E402

CHARTS = (  # metric, title, scale, y-axis label
    ("harm_gbp_total", "Harm from SOC (£bn a year)", 1e9, "£bn a year (undiscounted)"),
    ("response_cost_gbp", "Response cost (£bn a year)", 1e9, "£bn a year (undiscounted)"),
    ("net_social_cost_gbp", "Net social cost: harm + response - recovered (£bn a year)", 1e9,
     "£bn a year (undiscounted)"),
    ("homicides", "Network-linked homicides a year", 1, "homicides a year"),
    ("disruptions", "OCG disruptions a year", 1, "disruptions a year"),
    ("ocgs_active", "Active OCGs (month by month)", 1, "OCGs"),
    ("members_active", "Active OCG members (month by month)", 1, "members"),
    ("members_prison", "SOC prisoners serving a sentence (month by month)", 1, "prisoners"),
    ("county_lines_active", "County lines running (month by month)", 1, "county lines"),
)
STOCKS = {"ocgs_active", "members_active", "members_prison", "county_lines_active"}  # charted month by month
#: one colour, line style and marker per scenario (the baseline first): the Okabe-Ito palette, which
#: readers with a colour vision deficiency tell apart, and styles and markers for a black-and-white print
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
LINE_STYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def line_style(k: int) -> dict:
    """The k-th scenario's line: its colour, dash pattern and marker (on a few points only)."""
    return {"color": COLOURS[k % len(COLOURS)], "linestyle": LINE_STYLES[k % len(LINE_STYLES)],
            "marker": MARKERS[k % len(MARKERS)], "markersize": 4}


def last_values(comparison: Comparison, metric: str, scale: float) -> str:
    """Each scenario's mean at the end of the horizon (the last whole year of a flow), in words: a
    chart's alternative text says what its lines show, not only its title."""
    stock = metric in STOCKS
    data = comparison.bands if stock else whole_years(comparison, comparison.annual)
    data = data[data.metric == metric]
    if data.empty:
        return ""
    at = "step" if stock else "year"
    last = data[data[at] == data[at].max()].set_index("scenario")["mean"]
    values = ", ".join(f"{name} {last[name] / scale:,.{2 if scale >= 1e9 else 0}f}" for name in comparison.scenarios
                       if name in last.index)
    return f"; {'at the end' if stock else f'in year {int(data[at].max())}'}: {values}"


def set_title(axis, text: str, fontsize: float, width_in: float) -> None:
    """A chart title wrapped to the figure's width (a long one was cut off at the edge)."""
    characters = int(width_in * 72 / (fontsize * 0.6))  # a character is about 0.6 em wide
    axis.set_title("\n".join(textwrap.wrap(text, characters)), fontsize=fontsize)


def _year_label(comparison: Comparison) -> str:
    """The x axis of yearly totals, saying which part-year is left out (or, a horizon under a year, is all)."""
    part = part_year(comparison)
    if part is None:
        return "year"
    held = f"{part[1]} of {comparison.steps_per_year} {'months' if comparison.steps_per_year == 12 else 'weeks'}"
    return f"year (year {part[0]}, {held}, left out)" if part[0] > 1 else f"year (year 1 is {held})"


def band(axis, x, low, mean, high, color) -> None:
    """The 5th-95th percentile band around a line; for a single point (a one-year horizon), an error bar."""
    if len(x) == 1:
        below = np.maximum(np.asarray(mean) - np.asarray(low), 0.0)  # a skewed spread can leave the mean outside
        above = np.maximum(np.asarray(high) - np.asarray(mean), 0.0)
        axis.errorbar(x, mean, yerr=[below, above], fmt="none", ecolor=color, alpha=0.5, capsize=6)
    else:
        axis.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0)


def whole_year_axis(axis) -> None:
    """Whole years on the x axis; a single year (a one-year horizon) as one tick in the middle (matplotlib
    falls back to fractions of a year when the view holds fewer than two whole numbers)."""
    low, high = axis.get_xlim()
    if math.floor(high) - math.ceil(low) < 1:  # fewer than two whole numbers in view
        year = round((low + high) / 2)
        axis.set_xlim(year - 0.5, year + 0.5)
        axis.set_xticks([year])
    else:
        axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def fan_chart(comparison: Comparison, metric: str, title: str, scale: float, y_label: str = "") -> plt.Figure:
    figure, axis = plt.subplots(figsize=(8, 4.2), dpi=100)
    for k, scenario in enumerate(comparison.scenarios):
        if metric in STOCKS:
            data = comparison.bands[(comparison.bands.scenario == scenario) & (comparison.bands.metric == metric)]
            x = data["step"].to_numpy() / comparison.steps_per_year
        else:
            data = whole_years(comparison, comparison.annual[(comparison.annual.scenario == scenario)
                                                              & (comparison.annual.metric == metric)])
            x = data["year"].to_numpy()
        if data.empty:
            continue
        style = line_style(k)
        band(axis, x, data["p5"] / scale, data["mean"] / scale, data["p95"] / scale, style["color"])
        axis.plot(x, data["mean"] / scale, label=scenario, linewidth=2 if k == 0 else 1.5,
                  markevery=max(len(x) // 8, 1), **style)
    set_title(axis, title, 11, 8)
    if metric not in STOCKS:  # yearly totals: whole years on the axis
        whole_year_axis(axis)
    # flows are yearly totals (year 1 is the first year); stocks are month by month (0 is the start)
    axis.set_xlabel("years from start" if metric in STOCKS else _year_label(comparison))
    axis.set_ylabel(y_label)
    if axis.get_ylim()[0] > 0:  # levels from zero, so gaps between options look their size (the
        axis.set_ylim(bottom=0)  # change chart shows the differences themselves)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, ncol=2, frameon=False)
    figure.tight_layout()
    return figure


def change_chart(comparison: Comparison) -> plt.Figure | None:
    """Each option's change in net social cost from the baseline, year by year (undiscounted): the
    mean of paired replications and the 5th-95th percentile of the pairs. Zero is the baseline."""
    data = comparison.annual_change
    if data.empty:
        return None
    data = whole_years(comparison, data)
    figure, axis = plt.subplots(figsize=(8, 4.2), dpi=100)
    for k, scenario in enumerate(s for s in comparison.scenarios if s != comparison.baseline):
        mine = data[data.scenario == scenario]
        if mine.empty:
            continue
        style = line_style(k + 1)  # the same as in the level charts
        band(axis, mine["year"], mine["p5"] / 1e9, mine["mean"] / 1e9, mine["p95"] / 1e9, style["color"])
        axis.plot(mine["year"], mine["mean"] / 1e9, label=scenario, linewidth=1.5, **style)
    axis.axhline(0, color="black", linewidth=0.8)
    whole_year_axis(axis)
    set_title(axis, f"Change in net social cost from {comparison.baseline} (£bn a year, undiscounted; below zero is "
                    f"a saving)", 11, 8)
    axis.set_xlabel(_year_label(comparison))
    axis.set_ylabel("£bn a year (undiscounted)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, ncol=2, frameon=False)
    figure.tight_layout()
    return figure


def headline_chart(rows: list[dict], baseline: str) -> plt.Figure | None:
    """The summary's chart: each option's saving in net social cost against the baseline over the horizon,
    discounted, best first, with the 90% interval of the paired mean, beside the same with recovered assets
    left out (hatched: told apart without colour). `rows` are the headline rows (negative `net`: a saving)."""
    rows = sorted((r for r in rows if np.isfinite(r["net"])), key=lambda r: r["net"])
    if not rows:
        return None
    # the legend in its own strip below the axes, whatever the rows (anchored in the axes' units, it sat
    # on the axis label with one option)
    legend_in = 0.35  # inches
    height = 1.6 + 0.75 * len(rows) + legend_in
    figure, axis = plt.subplots(figsize=(8, height), dpi=100)
    y = np.arange(len(rows))[::-1].astype(float)  # the best at the top
    for shift, key, label, style in ((0.18, "net", "net social cost", {"color": "#2a7f62"}),
                                     (-0.18, "green_book", "recovered assets left out (Green Book)",
                                      {"color": "white", "edgecolor": "#2a7f62", "hatch": "///"})):
        saving = np.array([-r[key] for r in rows]) / 1e9
        low = np.array([-r.get(f"{key}_high", np.nan) for r in rows]) / 1e9  # a saving's interval: the change's, turned
        high = np.array([-r.get(f"{key}_low", np.nan) for r in rows]) / 1e9
        errors = np.nan_to_num(np.vstack([saving - low, high - saving]).clip(min=0))
        axis.barh(y + shift, saving, height=0.34, label=label, xerr=errors, error_kw={"lw": 0.9}, **style)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_yticks(y, [r["scenario"] for r in rows], fontsize=8)
    axis.set_xlabel("£bn over the horizon, discounted (right of zero: a saving)")
    set_title(axis, f"What each option saves against {baseline} (90% intervals: chance between replications only)",
              10, 6)
    axis.grid(axis="x", alpha=0.3)
    figure.legend(*axis.get_legend_handles_labels(), fontsize=8, frameon=False, loc="lower center", ncol=2)
    figure.tight_layout(rect=(0, legend_in / height, 1, 1))
    return figure


#: an area with fewer residents than this is named on the per-resident chart (its figure reads large)
FEW_RESIDENTS = 100_000


def area_chart(comparison: Comparison, scenario: str) -> plt.Figure:
    """Each area's change in harm over the horizon under `scenario`: in £m, and beside it per resident
    (£ a head, from the areas file's populations) when the comparison knows them: the £m bars follow
    the areas' size, the per-head bars show where the option helps residents most."""
    data = comparison.areas[(comparison.areas.scenario == scenario) & (comparison.areas.metric == "harm_gbp_total")]
    data = data.sort_values("diff_mean")
    people = data["area"].map(comparison.geography.get("population_of") or {}).astype(float)
    per_head = bool(len(data)) and bool((people > 0).all())
    figure, axes = plt.subplots(1, 2 if per_head else 1, figsize=(8, 9), dpi=100, sharey=True, squeeze=False,
                                layout="constrained")
    panels = [(data["diff_mean"] / 1e6, "change in harm, £m")]
    if per_head:  # an area of few residents (the City of London's ~10,000): a small change reads large, said
        few = data["area"][people < FEW_RESIDENTS].tolist()
        panels.append((data["diff_mean"] / people, "change in harm, £ per resident"
                       + (f" ({', '.join(few)}: under {FEW_RESIDENTS:,} residents, so a small change in £ "
                          f"reads large per head)" if few else "")))
    for axis, (values, label) in zip(axes[0], panels):
        axis.barh(data["area"], values, color=["#2a7f62" if v < 0 else "#b8432f" for v in values])
        axis.set_xlabel("\n".join(textwrap.wrap(label, 50)) + "\n(undiscounted; below zero is less harm)", fontsize=8)
        axis.axvline(0, color="black", linewidth=0.8)
        axis.grid(axis="x", alpha=0.3)
    axes[0][0].tick_params(axis="y", labelsize=7)
    figure.suptitle("\n".join(textwrap.wrap(
        f"Change in harm over the horizon by area: {scenario} vs {comparison.baseline} (mean of replications"
        f"{'; left in £m, right per resident' if per_head else ''}; every option's is in the table)", 90)),
        fontsize=10)
    return figure


def figure_png(figure: plt.Figure, path: Path | None = None) -> str:
    """Close a chart and return it as base64 PNG for an HTML page (also written to `path` if given)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return base64.b64encode(data).decode("ascii")


def report_experiment(path: Path) -> int | None:
    """The experiment a report file was written for (None when it is not a twin report)."""
    import re

    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            head = file.read(2000)
    except OSError:
        return None
    found = re.search(r'<meta name="twin-experiment" content="(\d+)">', head)
    return int(found.group(1)) if found else None


def summary_csv(comparison: Comparison) -> pd.DataFrame:
    """summary.csv: the summary with each outcome's unit and what it is. Counts of people and events
    are totals only (a discounted count of homicides would read as fewer homicides)."""
    from twin.ensemble import GREEN_BOOK_DISCOUNT_RATE
    from twin.harm import PRICE_YEAR
    from twin.results import METRIC_NAMES, METRICS

    frame = comparison.summary.copy()
    if frame.empty:
        return frame
    frame = frame[~frame.metric.map(discounted_count)].copy()
    base = frame.metric.str.replace(r"^(total|discounted|final_year)_", "", regex=True)
    money = base.str.contains("gbp")
    described = dict(zip(METRIC_NAMES, (m.description for m in METRICS)))
    described.update({n: f"spending on the lever {n.removeprefix('lever_cost_gbp_')}"
                      for n in base if n.startswith("lever_cost_gbp_")})
    described.update({"harm_gbp_exporter_areas": "harm in the county-line exporter areas",
                      "harm_gbp_other_areas": "harm in the other areas", "harm_gbp_most_vulnerable_areas":
                      "harm in the most vulnerable fifth of the areas by the areas file's vulnerability index",
                      "lever_cost_gbp": "spending on all the scenario's levers together",
                      "net_social_cost_gbp_excluding_assets": "net social cost without recovered assets (harm + "
                      "response cost; the Green Book view, in which assets taken from offenders are a transfer)"})
    frame.insert(2, "unit", np.select([money, frame.metric.str.startswith("final_year_")],
                                      [f"GBP ({PRICE_YEAR} prices)", "count (groups, people or lines)"], "people or events"))
    how = np.select([frame.metric.str.startswith("discounted_"), frame.metric.str.startswith("final_year_")],
                    [f"sum over the horizon discounted at {GREEN_BOOK_DISCOUNT_RATE:.1%} a year (present value at "
                     f"the start of year 1, whose 12 months are undiscounted)",
                     "UK total, mean over the last 12 months (or 52 weeks) of the horizon (a level, not a sum)"],
                    "sum over the horizon, undiscounted")
    frame.insert(3, "what", [f"{described.get(b, b)}: {h}" for b, h in zip(base, how)])
    frame = pd.concat([frame, _ranking_rows(comparison)], ignore_index=True)
    frame["reps"] = frame["reps"].astype("Int64")  # a count of replications, not 3.0
    if "pairs" in frame:  # the paired replications behind diff_* (fewer than reps if a run failed)
        frame["pairs"] = frame["pairs"].astype("Int64")
    return frame


def _ranking_rows(comparison: Comparison) -> pd.DataFrame:
    """summary.csv rows that compare the options with each other rather than with the baseline:
    each option's gap to the option ranked just above it (paired, with its 90% interval) and the
    year from which its cumulative saving is clear (the report's payback year)."""
    from twin.harm import PRICE_YEAR

    rows = []
    for _, r in comparison.ranking.iterrows() if not comparison.ranking.empty else ():
        if r["rank"] > 1:
            rows.append({"scenario": r["scenario"], "metric": "gap_to_option_above_discounted_net_social_cost_gbp",
                         "unit": f"GBP ({PRICE_YEAR} prices)",
                         "what": f"discounted net social cost above that of {r['above']}, ranked just above it "
                                 f"(positive: this option costs society more), paired replication by replication; "
                                 f"diff_mean, diff_low and diff_high are this gap and its 90% interval, not a "
                                 f"change from the baseline",
                         "reps": r["pairs"], "diff_mean": r["gap_mean"], "diff_low": r["gap_low"],
                         "diff_high": r["gap_high"], "pairs": r["pairs"]})
    for _, r in comparison.differences.iterrows() if not comparison.differences.empty else ():
        status = ("" if np.isfinite(r["payback_year"]) else
                  " (here: none can be named: a mean saving at the end whose interval still reaches zero)"
                  if r.get("payback_unclear") else " (here: none within the horizon)")
        rows.append({"scenario": r["scenario"], "metric": "payback_year", "unit": "year of the horizon",
                     "what": "year in which the cumulative discounted net social cost falls below the baseline's and "
                             f"stays below to the horizon's end (from a step within it, the 90% interval of the paired "
                             f"mean below zero to the end){status}",
                     "reps": r["pairs"], "mean": r["payback_year"]})
    return pd.DataFrame(rows)


#: the files of a report at the top of its folder (its charts are in `charts/`)
REPORT_FILES = ("report.html", "summary.csv", "pairwise.csv")
#: its charts, the same whatever the scenarios (a command checks them before its runs)
CHART_FILES = ("charts/savings.png", "charts/net_social_cost_change.png",
               *(f"charts/{metric}.png" for metric, *_ in CHARTS), "charts/areas_harm_change.png")


def write_report(comparison: Comparison, store, experiment_id: int, out_dir: Path) -> Path:
    """`out_dir`'s summary.csv, pairwise.csv, charts/ and report.html, replaced together (`staging`)."""
    from twin.staging import staged_folder

    with staged_folder(out_dir, replaces=CHART_FILES) as staging:  # no chart left from another comparison
        _write_report(comparison, store, experiment_id, staging)
    return out_dir / "report.html"


def _write_report(comparison: Comparison, store, experiment_id: int, out_dir: Path) -> None:
    """The report's files in `out_dir`: summary.csv, pairwise.csv, the charts (charts/*.png) and report.html."""
    from twin.report_titles import titled, titled_scenarios

    summary_csv(comparison).to_csv(out_dir / "summary.csv", index=False)  # by name, as the results' tables
    pairwise_csv(comparison).to_csv(out_dir / "pairwise.csv", index=False)
    scenarios = titled_scenarios(store.scenarios_frame(experiment_id))  # readers' names, read once
    comparison = titled(comparison, dict(zip(scenarios["code_name"], scenarios["name"])))
    rows = headline_rows(comparison)
    with matplotlib.rc_context({"text.parse_math": False}):  # '$' in a name is a dollar, not mathematics
        images, area_image = _draw_charts(comparison, rows, out_dir / "charts")
    headline = images.pop(0) if rows and images and images[0][0].startswith("Bar chart") else None
    page = report_page(comparison, store, experiment_id, rows, images, area_image, scenarios, headline)
    # UTF-8, as the page declares (the word joiner is not in every code page)
    (out_dir / "report.html").write_text(page, encoding="utf-8")


def _lower_first(title: str) -> str:
    """A chart's title inside a sentence: its first letter in lower case, unless its first word is an
    abbreviation ("OCG disruptions", "SOC prisoners")."""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def _draw_charts(comparison: Comparison, rows: list[dict],
                 charts_dir: Path) -> tuple[list[tuple[str, str]], str | None]:
    """Draw the charts into `charts_dir` as PNG files. Returns each trajectory chart's title and base64
    PNG, the change in net social cost first, and the chart of the change in harm by area under the
    option with the lowest net social cost (None without options); `rows` are the headline rows."""
    charts_dir.mkdir(exist_ok=True)
    images = []
    headline = headline_chart(rows, comparison.baseline)
    if headline is not None:  # the summary's (first in the list: `report_page` takes it out)
        said = "; ".join(f"{r['scenario']} {-r['net'] / 1e9:,.2f}" + (
            f" ({-r['green_book'] / 1e9:,.2f} leaving out recovered assets)" if np.isfinite(r.get("green_book", np.nan))
            else "") for r in sorted(rows, key=lambda r: r["net"]) if np.isfinite(r["net"]))
        images.append((f"Bar chart of each option's saving in net social cost against {comparison.baseline} over the "
                       f"horizon, discounted, in £bn, best first, each with its 90% interval and beside it the saving "
                       f"with recovered assets left out: {said}", figure_png(headline, charts_dir / "savings.png")))
    change = change_chart(comparison)
    if change is not None:  # first: the difference the options make, before their levels
        last = whole_years(comparison, comparison.annual_change)
        last = last[last.year == last.year.max()].set_index("scenario")["mean"]
        said = ", ".join(f"{name} {last[name] / 1e9:+,.2f}" for name in comparison.scenarios if name in last.index)
        images.append((f"Line chart of each option's change in net social cost from {comparison.baseline}, year by "
                       f"year, in £bn a year (below zero a saving), the mean of the paired replications with the "
                       f"5th to 95th percentile of their changes shaded (the spread of single runs, wider than the "
                       f"tables' 90% intervals of the mean)"
                       + (f"; in the last year shown: {said}" if said else ""),
                       figure_png(change, charts_dir / "net_social_cost_change.png")))
    for metric, title, scale, y_label in CHARTS:
        described = (f"{'Line chart' if metric in STOCKS else 'Line chart by year'} of "
                     f"{_lower_first(title)}, one line per scenario with the spread of its replications"
                     f"{last_values(comparison, metric, scale)}")
        images.append((described, figure_png(fan_chart(comparison, metric, title, scale, y_label),
                                             charts_dir / f"{metric}.png")))
    area_image = None
    if rows:
        best = min(rows, key=lambda r: r["net"])["scenario"]
        area_image = figure_png(area_chart(comparison, best), charts_dir / "areas_harm_change.png")
    return images, area_image
