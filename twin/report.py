"""The policy comparison report: one self-contained HTML file, a summary CSV, and PNG charts.

The report opens with a plain-language summary (which option does best, by how much, how sure),
then fan charts of harm, cost and key counts per scenario, the difference-from-baseline table, per-area
results, and the assumptions and parameters behind each scenario. Charts are embedded as base64 PNGs.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from twin.compare import Comparison  # noqa: E402
from twin.ensemble import GREEN_BOOK_DISCOUNT_RATE  # noqa: E402
from twin.group_selection import GroupSelection  # noqa: E402
from twin.harm import PRICE_YEAR  # noqa: E402
from twin.parameter_table import SOURCE_DOCUMENTS  # noqa: E402
from twin.report_format import discounted_count, per_pound, terms_used  # noqa: E402
from twin.report_text import (  # noqa: E402
    LEVEL_LABELS, signed_bn, areas_phrase, chance_marks, headline_rows, horizon, other_outcomes, plain_summary,
    ranking_table, who_pays, wins, year_by_year,
)
from twin.report_areas import area_table, spending_by_nation  # noqa: E402
from twin.report_unmoved import unmoved_harms  # noqa: E402

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
COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def set_title(axis, text: str, fontsize: float, width_in: float) -> None:
    """A chart title wrapped to the figure's width (a long one was cut off at the edge)."""
    characters = int(width_in * 72 / (fontsize * 0.6))  # a character is about 0.6 em wide
    axis.set_title("\n".join(textwrap.wrap(text, characters)), fontsize=fontsize)


def fan_chart(comparison: Comparison, metric: str, title: str, scale: float, y_label: str = "") -> plt.Figure:
    figure, axis = plt.subplots(figsize=(8, 4.2), dpi=100)
    for k, scenario in enumerate(comparison.scenarios):
        if metric in STOCKS:
            data = comparison.bands[(comparison.bands.scenario == scenario) & (comparison.bands.metric == metric)]
            x = data["step"].to_numpy() / comparison.steps_per_year
        else:
            data = comparison.annual[(comparison.annual.scenario == scenario) & (comparison.annual.metric == metric)]
            x = data["year"].to_numpy()
        if data.empty:
            continue
        colour = COLOURS[k % len(COLOURS)]
        axis.fill_between(x, data["p5"] / scale, data["p95"] / scale, color=colour, alpha=0.18, linewidth=0)
        axis.plot(x, data["mean"] / scale, color=colour, label=scenario, linewidth=2 if k == 0 else 1.5)
    set_title(axis, title, 11, 8)
    if metric not in STOCKS:  # yearly totals: whole years on the axis
        axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    # flows are yearly totals (year 1 is the first year); stocks are month by month (0 is the start)
    axis.set_xlabel("years from start" if metric in STOCKS else "year")
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
    figure, axis = plt.subplots(figsize=(8, 4.2), dpi=100)
    for k, scenario in enumerate(s for s in comparison.scenarios if s != comparison.baseline):
        mine = data[data.scenario == scenario]
        if mine.empty:
            continue
        colour = COLOURS[(k + 1) % len(COLOURS)]  # the same colour as in the level charts
        axis.fill_between(mine["year"], mine["p5"] / 1e9, mine["p95"] / 1e9, color=colour, alpha=0.18, linewidth=0)
        axis.plot(mine["year"], mine["mean"] / 1e9, color=colour, label=scenario, linewidth=1.5, marker=".")
    axis.axhline(0, color="black", linewidth=0.8)
    axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    set_title(axis, f"Change in net social cost from {comparison.baseline} (£bn a year, undiscounted; below zero is "
                    f"a saving)", 11, 8)
    axis.set_xlabel("year")
    axis.set_ylabel("£bn a year (undiscounted)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, ncol=2, frameon=False)
    figure.tight_layout()
    return figure


def area_chart(comparison: Comparison, scenario: str) -> plt.Figure:
    data = comparison.areas[(comparison.areas.scenario == scenario) & (comparison.areas.metric == "harm_gbp_total")]
    data = data.sort_values("diff_mean")
    figure, axis = plt.subplots(figsize=(8, 9), dpi=100)
    colours = ["#2a7f62" if v < 0 else "#b8432f" for v in data["diff_mean"]]
    axis.barh(data["area"], data["diff_mean"] / 1e6, color=colours)
    set_title(axis, f"Change in harm over the horizon by area: {scenario} vs {comparison.baseline} (mean of "
                    f"replications; every option's is in the table)", 10, 6)  # the axes: the figure less the area names
    axis.set_xlabel("change in harm, £m (undiscounted; below zero is less harm)")
    axis.tick_params(axis="y", labelsize=7)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure


def code_spans(text: str) -> str:
    """Markdown-style `names` in report text as HTML code spans (the text is HTML already)."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", text)


def figure_png(figure: plt.Figure, path: Path | None = None) -> str:
    """Close a chart and return it as base64 PNG for an HTML page (also written to `path` if given)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return base64.b64encode(data).decode("ascii")


def _spin_up_phrase(spin_up_years) -> str:
    """How the run began, for the assumptions section (nothing for runs stored before spin-ups)."""
    if spin_up_years is None:
        return ""
    if not spin_up_years:
        return ", from the register's picture as given (no spin-up)"
    return (f", after a spin-up of {float(spin_up_years):g} years from the register's picture (every process at "
            f"work, the parameters below already in force, no lever, nothing reported: parameters describe the "
            f"world as it has been, policies are levers)")


def _lever_block(entry: dict, scale: float = 1.0) -> str:
    """One lever of a scenario in words: its timing and targets, then every effect size and cost it
    uses (the scenario's value or the default), with its range and source; a national amount with
    what it came to in a scaled scenario's areas (`scale`: `scenario.Scenario.national_scale`)."""
    from twin.parameters import format_value
    from twin.interventions import LEVER_TYPES, NATIONAL_SETTING_UNITS

    cls = LEVER_TYPES.get(entry.get("type"))
    if cls is None:
        return f"<p>Lever: {html.escape(json.dumps(entry))}</p>"
    where = {k: v for k, v in entry.items() if k not in {p.name for p in cls.settings} | {"type", "name"}}
    rows = pd.DataFrame([{
        "setting": p.description,
        "value": (f"{format_value(entry.get(p.name, p.value))}" if p.unit == "0 or 1"
                  else f"{format_value(entry.get(p.name, p.value))} {p.unit}")
        + (" (set by the scenario)" if p.name in entry else "")
        + (f" for the UK: {format_value(entry.get(p.name, p.value) * scale)} in these areas (scaled by {scale:.3g})"
           if scale != 1.0 and p.unit in NATIONAL_SETTING_UNITS else ""),
        "plausible range": f"{format_value(p.low)} to {format_value(p.high)}", "source": p.source,
    } for p in cls.settings])
    groups = where.pop("groups", None)
    timing = ", ".join(f"{k} = {html.escape(json.dumps(v))}" for k, v in where.items()) or (
        "from the start, to the end" if cls.national else "in all areas, from the start, to the end")
    timing += f"; {html.escape(GroupSelection.parse(groups, 'report').acting_on(cls.type_name))}" if groups else ""
    return (f"<p><strong>{html.escape(str(entry.get('name', cls.type_name)))}</strong>: "
            f"{html.escape(cls.summary)} ({timing}).</p>{_table(rows)}")


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


def _code_label(experiment: dict) -> str:
    """Which code made the runs: version, the model's source hash (`ensemble.code_hash`), git commit."""
    model_hash = json.loads(experiment.get("spec_json") or "{}").get("code")
    parts = [f"twin {experiment.get('code_version')}"]
    if model_hash:
        parts.append(f"model source hash {model_hash}")
    if experiment.get("git_commit"):
        parts.append(f"git commit {str(experiment['git_commit'])[:12]}")
    return "code: " + ", ".join(parts)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, classes="data", escape=True, na_rep="n/a")


def _finished(runs: pd.DataFrame) -> str:
    """'4 replications of each of 5 scenarios finished' (or the runs in all, when they differ)."""
    done = runs[runs.status == "done"]
    per = done.groupby("scenario").size() if "scenario" in done else pd.Series(dtype=int)
    if len(per) and per.nunique() == 1:
        reps = int(per.iloc[0])
        return (f"{reps} replication{'s' if reps != 1 else ''} of each of {len(per)} "
                f"scenario{'s' if len(per) != 1 else ''} finished")
    return f"{len(done)} runs finished"


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
                    [f"sum over the horizon discounted at {GREEN_BOOK_DISCOUNT_RATE:.1%} a year (present value)",
                     "UK total, mean over the months (or weeks) of the final year of the horizon (a level, not a sum)"],
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
                     "what": "first year from which the cumulative discounted net social cost stays below the "
                             f"baseline's, the 90% interval of the paired mean below zero to the end{status}",
                     "reps": r["pairs"], "mean": r["payback_year"]})
    return pd.DataFrame(rows)


def write_report(comparison: Comparison, store, experiment_id: int, out_dir: Path) -> Path:
    """`out_dir`'s summary.csv, charts/ and report.html, replaced together (`staging`)."""
    from twin.staging import staged_folder

    with staged_folder(out_dir) as staging:
        _write_report(comparison, store, experiment_id, staging)
    return out_dir / "report.html"


def _write_report(comparison: Comparison, store, experiment_id: int, out_dir: Path) -> None:
    charts_dir = out_dir / "charts"
    charts_dir.mkdir(exist_ok=True)
    summary_csv(comparison).to_csv(out_dir / "summary.csv", index=False)

    images = []
    change = change_chart(comparison)
    if change is not None:  # first: the difference the options make, before their levels
        images.append(("Change in net social cost", figure_png(change, charts_dir / "net_social_cost_change.png")))
    for metric, title, scale, y_label in CHARTS:
        images.append((title, figure_png(fan_chart(comparison, metric, title, scale, y_label),
                                         charts_dir / f"{metric}.png")))
    rows = headline_rows(comparison)
    area_image = None
    if rows:
        best = min(rows, key=lambda r: r["net"])["scenario"]
        area_image = figure_png(area_chart(comparison, best), charts_dir / "areas_harm_change.png")

    headline = pd.DataFrame([{
        "scenario": r["scenario"],
        "harm change (90% interval)": f"{signed_bn(r['harm'])} [{signed_bn(r['harm_low'])}, {signed_bn(r['harm_high'])}]",
        "response cost change": f"{signed_bn(r['cost'])} [{signed_bn(r['cost_low'])}, {signed_bn(r['cost_high'])}]",
        "net social cost change": f"{signed_bn(r['net'])} [{signed_bn(r['net_low'])}, {signed_bn(r['net_high'])}]",
        "net change, recovered assets left out (as the Green Book treats transfers; no optimism bias)": (
            f"{signed_bn(r['green_book'])} [{signed_bn(r['green_book_low'])}, {signed_bn(r['green_book_high'])}]"
            if np.isfinite(r["green_book_low"]) else signed_bn(r["green_book"])),
        "better in (paired replications)": wins(r),
        "harm averted per extra £": "n/a" if not np.isfinite(r["per_pound"]) else per_pound(r["per_pound"]),
        "payback year": (f"{int(r['payback'])}" if np.isfinite(r["payback"]) else
                         "unclear (too few replications)" if r["payback_unclear"] else "not within horizon"),
        "harm change, exporter areas": signed_bn(r["vulnerable"]),
        "harm change, other areas": signed_bn(r["other"]),
        "harm change, most vulnerable fifth of areas": signed_bn(r["most_vulnerable"]),
    } for r in rows])
    unused = (["harm change, most vulnerable fifth of areas"] if not comparison.geography.get("most_vulnerable") else []
              ) + ([] if comparison.geography.get("exporters") else ["harm change, exporter areas", "harm change, other areas"])
    headline = headline.drop(columns=unused, errors="ignore")  # no vulnerability index; no exporter areas

    other_table = other_outcomes(comparison)
    by_year = year_by_year(comparison)
    paying = who_pays(comparison)
    by_nation = spending_by_nation(comparison)
    levels = comparison.summary[comparison.summary.metric.isin(LEVEL_LABELS)].copy()
    money = levels["metric"].str.contains("_gbp").to_numpy()

    def level(value: float, is_money: bool) -> str:
        return f"£{value / 1e9:,.2f}bn" if is_money else f"{value:,.0f}"

    levels["band (5-95%)"] = [f"{level(a, m)} to {level(b, m)}"
                              for a, b, m in zip(levels["p5"], levels["p95"], money)]
    levels = levels[["scenario", "metric", "mean", "band (5-95%)"]]
    levels["mean"] = [level(v, m) for v, m in zip(levels["mean"], money)]
    levels["metric"] = levels["metric"].map(LEVEL_LABELS)
    levels = levels.rename(columns={"metric": "outcome over the horizon"})

    areas = area_table(comparison)

    scenarios = store.scenarios_frame(experiment_id)
    assumption_blocks, key_rows = [], []
    for _, row in scenarios.iterrows():
        spec = json.loads(row["resolved_json"])
        role = "the baseline" if row["name"] == comparison.baseline else "an option"
        described = f": {html.escape(spec['description'])}" if spec.get("description") else ""
        key_rows.append(f"<li><strong>{html.escape(row['name'])}</strong> ({role}){described}</li>")
        params, scale = spec.get("parameters") or {}, float(spec.get("national_scale", 1.0))
        levers = [{k: v for k, v in lever.items() if k != "_file"} for lever in spec.get("levers") or []]
        assumption_blocks.append(
            f"<h3>{html.escape(row['name'])}</h3><p>{html.escape(spec.get('description') or '')}</p>"
            f"<p>Horizon {float(spec.get('years')):g} years, {spec.get('step')}ly steps from {spec.get('start_date')}"
            f"{_spin_up_phrase(spec.get('spin_up_years'))}; scenario hash <code>{row['spec_hash']}</code>.</p>"
            f"<p>Parameter overrides: "
            f"{html.escape(json.dumps(params)) if params else 'none (parameter table defaults)'}"
            + (f" (UK figures: the national quantities scaled by {scale:.3g})" if scale != 1.0 else "") + "</p>"
            + ("".join(_lever_block(lever, scale) for lever in levers) if levers else "<p>Levers: none.</p>"))

    experiment = store.experiment_row(experiment_id)
    runs = comparison.runs
    failures = comparison.failures
    first_lines = failures.error.astype(str).str.split("\n").str[0] if not failures.empty else None
    charts_html = "\n".join(f'<figure><img alt="{html.escape(t)}" src="data:image/png;base64,{b}"></figure>'
                            for t, b in images)
    summary_html = "".join(f"<p>{code_spans(p)}</p>" for p in plain_summary(comparison))
    counts = sorted(set(comparison.reps.values()))
    spread_basis = (f"{counts[0]} replications" if len(counts) == 1 else f"{counts[0]} to {counts[-1]} replications") + (
        "; with fewer than 20 they are close to the lowest and highest run" if counts and counts[0] < 20 else "")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="twin-experiment" content="{experiment_id}">
<title>SOC twin: policy comparison</title>
<style>
body {{ font-family: Georgia, serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }}
h1 {{ font-size: 1.7em; }} h2 {{ border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }}
.summary {{ background: #f3f6f4; border-left: 5px solid #2a7f62; padding: .6em 1.2em; }}
table.data {{ border-collapse: collapse; font-family: sans-serif; font-size: .85em; margin: 1em 0; }}
table.data th, table.data td {{ border-bottom: 1px solid #ddd; padding: .3em .6em; text-align: right; }}
table.data th {{ background: #f0f0f0; }} table.data td:first-child, table.data th:first-child {{ text-align: left; }}
figure {{ margin: 1em 0; }} figure img {{ max-width: 100%; }}
.meta {{ color: #666; font-size: .85em; }} code {{ font-size: .85em; }}
dl.terms dt {{ font-weight: bold; float: left; clear: left; width: 11em; }} dl.terms dd {{ margin-left: 12em; }}
</style></head><body>
<h1>Serious and organised crime: comparing interventions</h1>
<p class="meta">Experiment {experiment_id} ({html.escape(str(experiment.get('name')))}), root seed {experiment.get('root_seed')},
{_finished(runs)}, {html.escape(_code_label(experiment))}.
Money in {PRICE_YEAR} prices (sourced unit costs of earlier years uprated by the GDP deflator), over the
{horizon(comparison)}. Year 1 (the first 12 months) is undiscounted;
later years are discounted at {GREEN_BOOK_DISCOUNT_RATE:.1%} a year (HM Treasury Green Book). Areas: {areas_phrase(comparison.geography)}.</p>
<h2 id="summary">Summary</h2>
<div class="summary" id="headline">{summary_html}</div>
<p>The scenarios compared (their levers, costs and assumptions are listed under 'Assumptions and
parameters' below):</p>
<ul class="options">{''.join(key_rows)}</ul>
<h2>Difference from {html.escape(comparison.baseline)}</h2>
<p>Cumulative over the horizon and discounted; mean of paired replications with a 90% interval for that
mean (Student's t). Negative changes are savings. Net social cost = harm + response cost - assets recovered;
recovered assets count as a gain to society here, though HM Treasury's Green Book would treat them as a
transfer, so the net change with them left out is shown too. "Better in" counts the paired replications in
which the option's net social cost is lower; "harm averted per extra £" divides the harm averted by the extra
response spending, where that spending clearly rises (it is not a Green Book benefit-cost ratio: recovered assets are left out and the spending
includes courts and prisons); "payback year" is the first year from which the option's cumulative net social
cost stays below the baseline's (the 90% interval of the paired mean below zero from then on): a payback to
society, not cash returned to the Exchequer. The intervals say
how precisely the replications pin down each mean, given the model's assumptions; they are not a range of
likely outcomes, and they leave out the uncertainty of the assumed effect sizes and costs (listed with their
ranges under each scenario below).</p>
{_table(headline) if not headline.empty else '<p>No other scenario.</p>'}
{('<h3>The options ranked</h3><p>Best first by the change in net social cost; each option against the '
  'one ranked just above it, pair by pair (discounted, 90% interval of the mean gap; positive: it costs more).</p>'
  + _table(ranking_table(comparison))) if len(comparison.ranking) > 1 else ''}
{unmoved_harms(comparison)}
<h3>Who spends</h3>
<p>Each option's change in response spending over the horizon, discounted, by whose budget it falls on (who
spends it, not who funds it): the police forces, regional units (ROCUs) and the NCA (the levers' money each spends: new
investigators, surges, powers; their baseline budgets do not change), the courts and the prisons (their costs grow
with charges, remand and convictions, and some levers add trials, places or restrictions), and other public bodies
running levers (Border Force, supervisors, HM Treasury, local partners). These parts add up to the total; the
largest levers' spending is named after them, whole, though one lever's may fall on several budgets (border powers'
on Border Force and the police forces, half each). Who spends each lever's money is an assumption stated with it
(<code>twin levers</code>); new money is assumed to be additional funding, and a cut shows as negative spending.
A SOC fund spends recovered assets that would otherwise go to the Exchequer: it shows here as spending like any
other, while the assets count as a gain in the net social cost either way. Harm averted falls mostly on victims, communities and public services other than these.</p>
{_table(paying) if not paying.empty else '<p>No other scenario.</p>'}
{('<p>The same change in response spending by nation, undiscounted (each area&rsquo;s own, the ROCUs&rsquo; and the NCA&rsquo;s '
  'attributed by population): policing in Scotland and Northern Ireland is devolved.</p>' + _table(by_nation))
 if not by_nation.empty else ''}
<h3>Year by year</h3>
<p>Each option's change from {html.escape(comparison.baseline)} in each year, undiscounted: net social cost, with
the change in response spending in brackets (mean of replications). It shows whether an effect is still growing,
has peaked or is fading when the horizon ends.</p>
{_table(by_year) if not by_year.empty else '<p>No other scenario.</p>'}
<h3>What these results leave out</h3>
<ul>
<li>Optimism bias: lever costs are the assumed values unless a scenario sets <code>lever_cost_optimism_bias</code> (the
Green Book's uplift, applied to every lever's spending, not to a cut's saving; see the parameter overrides below),
and each cost is a single value (its range is listed under the scenario).</li>
<li>Lead times: new powers and programmes act from their start year, with no delay for legislation or set-up
unless a scenario sets a later start.</li>
<li>Who funds: the spending above is booked to whoever spends it; who funds it (the Home Office, the Treasury, the
devolved governments) is not modelled. Where the areas include Scotland or Northern Ireland, policing there is
devolved; the per-area table below totals each nation's harm, and England and Wales together, and the table
under 'Who spends' each nation's spending.</li>
<li>Harms without a price: children recruited, NRM referrals and arrests are counted (see 'Other outcomes') but
carry no money value; only harm in the six priced categories enters the net social cost.</li>
</ul>
<h3>Other outcomes</h3>
<p>Change from {html.escape(comparison.baseline)} over the horizon in people and events (undiscounted; for
county lines, OCGs and members, the level over the final year instead), mean of paired replications with its 90%
interval. Two mechanisms push the other way from enforcement: groups
refill the vacancies arrests leave from the people at risk, including exploited children, and removing
leaders brings succession disputes, their violence and splits, so an option can leave more groups, smaller
on average, with new groups also entering the markets it vacates (docs/VALIDATION.md measures these). Whether they
outweigh what an option prevents differs by option: the table shows which way each goes. NRM referrals
rise both with the number of people exploited (the model identifies exploited members, and victims of
labour and sexual exploitation, at fixed monthly rates) and with enforcement (every exploited member
arrested is referred), so more referrals alone do not say whether more people are exploited.</p>
{_table(other_table) if not other_table.empty else '<p>No other scenario.</p>'}
<h2>Trajectories</h2>
<p>Lines are means over replications; shaded bands span the 5th to 95th percentiles of {spread_basis}.</p>
{charts_html}
<h2>Levels by scenario</h2>
<p>Totals over the horizon, mean of replications; the band is the spread of single replications (5th to 95th
percentile of {spread_basis}), which is wider than the 90% intervals of the mean changes above.</p>
{_table(levels)}
<h2>Where the harm falls</h2>
<p>Harm over the horizon by force area, <strong>undiscounted</strong> (so the column totals exceed the discounted
headline figures): the baseline, and each option's change from it (mean of paired replications), in £ million;
a * marks a change whose 90% interval lies on one side of zero ({chance_marks(comparison.geography)}).</p>
{f'<figure><img alt="Change in harm by area" src="data:image/png;base64,{area_image}"></figure>' if area_image else ''}
{_table(areas)}
<!-- terms -->
<h2>Assumptions and parameters</h2>
<p>Every parameter not listed as an override takes its value from the parameter table, with its unit, plausible
range and source (run <code>twin params</code>, or see docs/ODD.md). Each lever's effect sizes and costs are
listed under its scenario. Sources cited as "seed 000" to "seed 004" are the project's source documents:
{'; '.join(f"{k}: {html.escape(v)}" for k, v in SOURCE_DOCUMENTS.items())}.</p>
{''.join(assumption_blocks)}
<h2>Runs</h2>
<p>{len(runs[runs.status == 'done'])} finished, {len(failures)} failed{
    " (each failure's first line; the full error is in the database: <code>twin export</code>)" if len(failures) else ""}.</p>
{_table(failures[['scenario', 'replicate']].assign(error=first_lines)) if not failures.empty else ''}
<script>
// Self-check when the page opens: count the charts that decoded; flag any that did not.
window.addEventListener("load", function () {{
  var images = Array.prototype.slice.call(document.images);
  var rendered = images.filter(function (im) {{ return im.complete && im.naturalWidth > 0; }}).length;
  document.body.setAttribute("data-charts-rendered", rendered + "/" + images.length);
  if (rendered < images.length) {{
    var note = document.createElement("p");
    note.textContent = (images.length - rendered) + " chart(s) failed to display; the PNG files are in charts/.";
    document.body.insertBefore(note, document.body.firstChild);
  }}
}});
</script>
</body></html>
"""
    # the words on the page and in its charts' titles (alt texts), not in its markup or images
    words = re.sub(r"<[^>]+>|data:image/png;base64,[^\"']+", " ", page) + " ".join(re.findall(r'alt="([^"]*)"', page))
    used = terms_used(words)
    glossary = ("<h2>Terms used</h2>\n<dl class=\"terms\">" + "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>" for term, meaning in used.items())
        + "</dl>") if used else ""
    page = page.replace("<!-- terms -->", glossary, 1)
    # a word joiner (U+2060) keeps a sign on the line of its amount: '-£5.36bn' may break after '-'
    page = page.replace("+£", "+\u2060£").replace("-£", "-\u2060£")
    (out_dir / "report.html").write_text(page, encoding="utf-8")  # as declared (the word joiner is not in every code page)
