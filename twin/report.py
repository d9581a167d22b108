"""The policy comparison report: one self-contained HTML file, a summary CSV, and PNG charts.

The report opens with a plain-language summary (which option does best, by how much, how sure),
then fan charts of harm, cost and key counts per scenario, the difference-from-baseline table,
per-area results, and the assumptions and parameters behind each scenario. Charts are embedded
as base64 PNGs so the file can be opened offline and emailed.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from twin.compare import Comparison  # noqa: E402
from twin.harm import PRICE_YEAR  # noqa: E402
from twin.parameter_table import SOURCE_DOCUMENTS  # noqa: E402

CHARTS = (
    ("harm_gbp_total", "Harm from SOC (£bn a year)", 1e9),
    ("response_cost_gbp", "Response cost (£bn a year)", 1e9),
    ("net_social_cost_gbp", "Net social cost: harm + response - recovered (£bn a year)", 1e9),
    ("homicides", "Network-linked homicides a year", 1),
    ("disruptions", "OCG disruptions a year", 1),
    ("ocgs_active", "Active OCGs (year end)", 1),
    ("members_active", "Active OCG members (year end)", 1),
    ("members_prison", "SOC prisoners (year end)", 1),
)
STOCKS = {"ocgs_active", "members_active", "members_prison"}
COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _bn(value: float) -> str:
    return f"£{value / 1e9:,.2f}bn"


def _signed_bn(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}£{abs(value) / 1e9:,.2f}bn"


def fan_chart(comparison: Comparison, metric: str, title: str, scale: float) -> plt.Figure:
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
    axis.set_title(title, fontsize=11)
    axis.set_xlabel("years from start")
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
    axis.set_title(f"Change in harm over the horizon by area: {scenario} vs {comparison.baseline} (£m)", fontsize=10)
    axis.tick_params(axis="y", labelsize=7)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
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
            "payback": d["payback_year"], "vulnerable": d["most_vulnerable_harm_diff"],
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

#: outcomes not in pounds shown as paired differences: (summary metric, label)
OTHER_OUTCOMES = (("total_homicides", "homicides"), ("total_drug_deaths", "drug deaths"),
                  ("total_recruits_children", "children recruited"), ("total_nrm_referrals", "NRM referrals"),
                  ("total_arrests", "arrests"), ("total_disruptions", "disruptions"))


def _paired_change(comparison: Comparison, scenario: str, metric: str) -> pd.Series | None:
    """A summary row's paired change from the baseline (diff_mean, diff_low, diff_high), if any."""
    summary = comparison.summary
    found = summary[(summary.scenario == scenario) & (summary.metric == metric)]
    if found.empty or "diff_mean" not in found or pd.isna(found["diff_mean"].iloc[0]):
        return None
    return found.iloc[0]


def other_outcomes(comparison: Comparison) -> pd.DataFrame:
    """Paired changes from the baseline over the horizon (undiscounted counts) with 90% intervals."""
    rows = []
    for scenario in [s for s in comparison.scenarios if s != comparison.baseline]:
        row = {"scenario": scenario}
        for metric, label in OTHER_OUTCOMES:
            r = _paired_change(comparison, scenario, metric)
            if r is not None:
                row[label] = f"{r['diff_mean']:+,.0f} [{r['diff_low']:+,.0f}, {r['diff_high']:+,.0f}]"
        rows.append(row)
    return pd.DataFrame(rows)


def _rises(comparison: Comparison, scenario: str) -> list[str]:
    """Harms counted in people that rise under an option (the whole interval above zero)."""
    out = []
    for metric, label in OTHER_OUTCOMES[:3]:  # harms; more NRM referrals means more victims found
        r = _paired_change(comparison, scenario, metric)
        if r is not None and r["diff_low"] > 0:
            out.append(f"{label} rise by {r['diff_mean']:,.0f}")
    return out


def _lever_block(entry: dict) -> str:
    """One lever of a scenario in words: its timing and targets, then every effect size and cost it
    uses (the scenario's value or the default), with its range and source."""
    from twin.parameters import format_value
    from twin.interventions import LEVER_TYPES

    cls = LEVER_TYPES.get(entry.get("type"))
    if cls is None:
        return f"<p>Lever: {html.escape(json.dumps(entry))}</p>"
    where = {k: v for k, v in entry.items() if k not in {p.name for p in cls.settings} | {"type", "name"}}
    rows = pd.DataFrame([{
        "setting": p.description, "value": f"{format_value(entry.get(p.name, p.value))} {p.unit}"
        + (" (set by the scenario)" if p.name in entry else ""),
        "plausible range": f"{format_value(p.low)} to {format_value(p.high)}", "source": p.source,
    } for p in cls.settings])
    timing = ", ".join(f"{k} = {html.escape(json.dumps(v))}" for k, v in where.items()) or "defaults"
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


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _exporter_phrase(exporters: list[str]) -> str:
    n = len(exporters)
    return f"{NUMBER_WORDS.get(n, str(n))} county-lines exporter force area{'s' if n != 1 else ''}"


def areas_phrase(geography: dict) -> str:
    """'the 45 police force areas of England (39), Wales (4), Scotland (1) and Northern Ireland (1)'."""
    nations = [f"{html.escape(nation)} ({count})" for nation, count in geography.get("nations", {}).items()]
    return f"the {geography.get('areas')} police force areas of {_and_list(nations)}" if nations else "the areas run"


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def runner_up_sentence(comparison: Comparison, markup: bool = True) -> str | None:
    """How far the best option is ahead of the runner-up, pair by pair (None with one option)."""
    ranking = comparison.ranking
    if len(ranking) < 2:
        return None
    second = ranking.iloc[1]
    name = (lambda text: html.escape(str(text))) if markup else str
    best, runner = name(second["above"]), name(second["scenario"])
    interval = f"90% interval {_signed_bn(second['gap_low'])} to {_signed_bn(second['gap_high'])}"
    told_apart = ("" if second["gap_low"] > 0 else
                  f"; with {int(second['pairs'])} paired replications the two cannot be told apart")
    return (f"Against the runner-up, {runner}, {best} saves a further {_bn(second['gap_mean'])} ({interval}) and "
            f"does better in {second['p_above_better']:.0%} of paired replications{told_apart}.")


#: harm categories whose insensitivity to every option is worth saying: (summary metric, label)
STUBBORN_HARMS = (("total_harm_gbp_economic", "fraud and other economic crime"),
                  ("total_harm_gbp_immigration", "organised immigration crime"))


def unmoved_harms(comparison: Comparison, threshold: float = 0.02) -> str:
    """A paragraph naming harm categories that no option moves by more than `threshold` of their
    baseline level, with the model's reason; empty when every category moves."""
    summary = comparison.summary
    still = []
    for metric, label in STUBBORN_HARMS:
        rows = summary[summary.metric == metric]
        base = rows[rows.scenario == comparison.baseline]["mean"]
        changes = rows[rows.scenario != comparison.baseline].get("diff_mean", pd.Series(dtype=float)).dropna()
        if base.empty or changes.empty or base.iloc[0] <= 0:
            continue
        largest = changes.abs().max() / base.iloc[0]
        if largest < threshold:
            years = comparison.annual["year"].max() if not comparison.annual.empty else 1
            bound = max(np.ceil(largest * 1000) / 1000, 0.001)
            still.append(f"{label} (about {_bn(base.iloc[0] / max(years, 1))} of harm a year; every option here "
                         f"moves it by at most {bound:.1%})")
    if not still:
        return ""
    text = "; ".join(still)
    return ("<p><strong>What the options do not move.</strong> " + text[0].upper() + text[1:] + ". In the "
            "model these are national markets in which the groups' capacity exceeds what victims and demand "
            "allow, so disrupting groups changes their harm little; only levers that cut what groups can commit "
            "(fraud data-sharing, border powers) move them. The harm changes above come from the other "
            "categories.</p>")


def ranking_table(comparison: Comparison) -> pd.DataFrame:
    """The options best first, each against the one ranked above it."""
    rows = headline_rows(comparison)
    net = {r["scenario"]: r for r in rows}
    table = []
    for _, r in comparison.ranking.iterrows():
        row = {"rank": int(r["rank"]), "option": r["scenario"],
               "net social cost change": _signed_bn(net[r["scenario"]]["net"])}
        if r["rank"] > 1:
            row["more than the option above (90% interval)"] = (
                f"{_signed_bn(r['gap_mean'])} [{_signed_bn(r['gap_low'])}, {_signed_bn(r['gap_high'])}]")
            row["P(option above does better)"] = f"{r['p_above_better']:.0%}"
        table.append(row)
    return pd.DataFrame(table)


def plain_summary(comparison: Comparison) -> list[str]:
    rows = headline_rows(comparison)
    if not rows:
        return [f"Only the baseline ({html.escape(comparison.baseline)}) was run: there is nothing to compare."]
    best = min(rows, key=lambda r: r["net"])
    sure = best["p_better"]
    text = []
    if best["net"] < 0:
        text.append(
            f"<strong>{html.escape(best['scenario'])}</strong> does best. Over the horizon it lowers the net social "
            f"cost of SOC (harm plus the cost of the response, less assets recovered, discounted at 3.5% a year) by "
            f"<strong>{_bn(-best['net'])}</strong> against {html.escape(comparison.baseline)} "
            f"(90% interval {_bn(-best['net_high'])} to {_bn(-best['net_low'])}). Given the model's assumptions "
            f"(most lever effect sizes are assumed, not measured), it comes out better in {sure:.0%} of "
            f"{int(best['pairs'])} paired replications.")
    else:
        text.append(f"No option lowers the net social cost against {html.escape(comparison.baseline)}: the least "
                    f"bad, {html.escape(best['scenario'])}, raises it by {_bn(best['net'])}.")
    runner_up = runner_up_sentence(comparison)
    if runner_up:
        text.append(runner_up)
    text.append(f"It changes harm by {_signed_bn(best['harm'])} and response spending by {_signed_bn(best['cost'])}"
                + (f"; each extra pound spent averts £{best['per_pound']:.1f} of harm" if np.isfinite(best["per_pound"])
                   else "") +
                (f"; it pays back in year {int(best['payback'])}." if np.isfinite(best["payback"])
                 else "; it does not pay back within the horizon."))
    def change(value: float) -> str:
        return f"falls by {_bn(-value)}" if value < 0 else f"rises by {_bn(value)}"

    exporters = comparison.geography.get("exporters") or []
    if exporters:
        text.append(f"Where it lands: harm {change(best['vulnerable'])} in the {_exporter_phrase(exporters)} "
                    f"({_and_list([html.escape(e) for e in exporters])}) and {change(best['other'])} elsewhere"
                    + (" (some activity is displaced)." if best["other"] > 0 > best["vulnerable"] else "."))
    rises = _rises(comparison, best["scenario"])
    if rises:
        text.append(f"<strong>Not every harm falls</strong>: under {html.escape(best['scenario'])} "
                    f"{', '.join(rises)} over the horizon (90% intervals above zero; see 'Other outcomes').")
    others = sorted((r for r in rows if r is not best), key=lambda r: r["net"])
    for r in others:
        rises = _rises(comparison, r["scenario"])
        text.append(f"{html.escape(r['scenario'])}: change in net social cost {_signed_bn(r['net'])} "
                    f"(90% interval {_signed_bn(r['net_low'])} to {_signed_bn(r['net_high'])}; negative is a saving), "
                    f"better in {r['p_better']:.0%} of replications" + (f"; {', '.join(rises)}." if rises else "."))
    if comparison.posterior:
        text.append("Intervals include both the randomness of crime and enforcement (Monte Carlo replications with "
                    "paired seeds) and uncertainty about the calibrated parameters (each replicate draws its values "
                    "from the calibration posterior, the same draw for every option). Lever effect sizes are "
                    "assumptions with ranges (see the assumptions section).")
    else:
        text.append("Intervals show the randomness of crime and enforcement in the model (Monte Carlo replications "
                    "with paired seeds); they do not include uncertainty about the model's parameters (run with "
                    "--posterior for that). Most effect sizes are assumptions with ranges (see the assumptions section).")
    return text


def terminal_table(comparison: Comparison) -> str:
    rows = headline_rows(comparison)
    if not rows:
        return (f"Only '{comparison.baseline}' was run: nothing to compare it with. Its levels and fan charts "
                f"are in the report; give more scenarios to compare options.")
    lines = [f"Change against {comparison.baseline} (discounted over the horizon, {PRICE_YEAR} prices; negative is "
             f"a saving; 90% interval of the net change in brackets):",
             f"{'scenario':28s} {'harm':>12s} {'response cost':>14s} {'assets recovered':>17s} {'net social cost':>28s} "
             f"{'P(better)':>9s} {'£/£':>6s}"]
    for r in rows:
        assets = r["harm"] + r["cost"] - r["net"]  # net = harm + response cost - assets recovered, pair by pair
        lines.append(f"{r['scenario'][:28]:28s} {_signed_bn(r['harm']):>12s} {_signed_bn(r['cost']):>14s} "
                     f"{_signed_bn(assets):>17s} "
                     f"{_signed_bn(r['net']):>10s} [{_signed_bn(r['net_low'])}, {_signed_bn(r['net_high'])}]"
                     f" {r['p_better']:>8.0%} {r['per_pound']:>6.1f}")
    runner_up = runner_up_sentence(comparison, markup=False)
    if runner_up:
        lines.append(runner_up)
    lines.append("Net social cost = harm + response cost - assets recovered (more assets recovered lowers it). "
                 "P(better): share of paired replications with a lower net social cost. £/£: harm averted per "
                 "extra pound of response spending.\nIntervals show the model's randomness given its assumptions "
                 "(most lever effect sizes are assumed); homicides, drug deaths and children recruited are in the "
                 "report.")
    return "\n".join(lines)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, classes="data", escape=True, na_rep="n/a")


def write_report(comparison: Comparison, store, experiment_id: int, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    charts_dir = out_dir / "charts"
    charts_dir.mkdir(exist_ok=True)
    comparison.summary.to_csv(out_dir / "summary.csv", index=False)

    images = []
    for metric, title, scale in CHARTS:
        images.append((title, figure_png(fan_chart(comparison, metric, title, scale), charts_dir / f"{metric}.png")))
    rows = headline_rows(comparison)
    area_image = None
    if rows:
        best = min(rows, key=lambda r: r["net"])["scenario"]
        area_image = figure_png(area_chart(comparison, best), charts_dir / "areas_harm_change.png")

    headline = pd.DataFrame([{
        "scenario": r["scenario"],
        "harm change (90% interval)": f"{_signed_bn(r['harm'])} [{_signed_bn(r['harm_low'])}, {_signed_bn(r['harm_high'])}]",
        "response cost change": f"{_signed_bn(r['cost'])} [{_signed_bn(r['cost_low'])}, {_signed_bn(r['cost_high'])}]",
        "net social cost change": f"{_signed_bn(r['net'])} [{_signed_bn(r['net_low'])}, {_signed_bn(r['net_high'])}]",
        "P(better)": f"{r['p_better']:.0%}",
        "harm averted per extra £": "n/a" if not np.isfinite(r["per_pound"]) else f"£{r['per_pound']:.1f}",
        "payback year": "not within horizon" if not np.isfinite(r["payback"]) else f"{int(r['payback'])}",
        "harm change, exporter areas": _signed_bn(r["vulnerable"]),
        "harm change, other areas": _signed_bn(r["other"]),
    } for r in rows])
    if not comparison.geography.get("exporters"):  # no exporter areas: the split says nothing
        headline = headline.drop(columns=["harm change, exporter areas", "harm change, other areas"], errors="ignore")

    other_table = other_outcomes(comparison)
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

    areas = comparison.areas[comparison.areas.metric == "harm_gbp_total"].pivot_table(
        index="area", columns="scenario", values="diff_mean").drop(columns=[comparison.baseline], errors="ignore")
    base_harm = comparison.areas[(comparison.areas.metric == "harm_gbp_total")
                                 & (comparison.areas.scenario == comparison.baseline)].set_index("area")["mean"]
    areas.insert(0, f"{comparison.baseline} harm (£m)", base_harm / 1e6)
    for column in areas.columns[1:]:
        areas[column] = areas[column] / 1e6
    areas = areas.sort_values(areas.columns[0], ascending=False).reset_index()
    areas = pd.concat([areas, pd.DataFrame([{"area": "all areas", **areas.drop(columns="area").sum()}])])
    areas = areas.set_index("area").map(
        lambda v: "n/a" if not np.isfinite(v) else f"{v:+,.1f}" if abs(v) < 9.95 else f"{round(v) + 0:+,.0f}").reset_index()
    areas.iloc[:, 1] = areas.iloc[:, 1].str.lstrip("+")  # levels carry no sign; changes do
    areas.columns = [str(c) if i < 2 else f"{c}: change (£m)" for i, c in enumerate(areas.columns)]

    scenarios = store.scenarios_frame(experiment_id)
    assumption_blocks = []
    for _, row in scenarios.iterrows():
        spec = json.loads(row["resolved_json"])
        params = spec.get("parameters") or {}
        levers = [{k: v for k, v in lever.items() if k != "_file"} for lever in spec.get("levers") or []]
        assumption_blocks.append(
            f"<h3>{html.escape(row['name'])}</h3><p>{html.escape(spec.get('description') or '')}</p>"
            f"<p>Horizon {float(spec.get('years')):g} years, {spec.get('step')}ly steps from {spec.get('start_date')}; "
            f"scenario hash <code>{row['spec_hash']}</code>.</p>"
            f"<p>Parameter overrides: {html.escape(json.dumps(params)) if params else 'none (parameter table defaults)'}</p>"
            + ("".join(_lever_block(lever) for lever in levers) if levers else "<p>Levers: none.</p>"))

    experiment = store.experiment_row(experiment_id)
    runs = comparison.runs
    failures = comparison.failures
    charts_html = "\n".join(f'<figure><img alt="{html.escape(t)}" src="data:image/png;base64,{b}"></figure>'
                            for t, b in images)
    summary_html = "".join(f"<p>{p}</p>" for p in plain_summary(comparison))
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
</style></head><body>
<h1>Serious and organised crime: comparing interventions</h1>
<p class="meta">Experiment {experiment_id} ({html.escape(str(experiment.get('name')))}), root seed {experiment.get('root_seed')},
{len(runs[runs.status == 'done'])} replications finished, {html.escape(_code_label(experiment))}.
Money in {PRICE_YEAR} prices; the first year of the run is undiscounted and later years are discounted at
3.5% a year (HM Treasury Green Book). Areas: {areas_phrase(comparison.geography)}.</p>
<h2 id="summary">Summary</h2>
<div class="summary" id="headline">{summary_html}</div>
<h2>Difference from {html.escape(comparison.baseline)}</h2>
<p>Cumulative over the horizon and discounted; mean of paired replications with a 90% interval for that
mean (Student's t). Negative changes are savings. Net social cost = harm + response cost - assets recovered;
recovered assets count as a gain to society here, though HM Treasury's Green Book would treat them as a
transfer (they are shown in the levels below). "P(better)" is the share of paired replications in which the
option's net social cost is lower; "harm averted per extra £" divides the harm averted by the extra response
spending; "payback year" is the first year from which the option's cumulative net social cost stays below the
baseline's. The intervals show the model's randomness given its assumptions: most lever effect sizes are
assumptions with ranges (listed under each scenario below), which the intervals do not cover.</p>
{_table(headline) if not headline.empty else '<p>No other scenario.</p>'}
{('<h3>The options ranked</h3><p>Best first by the change in net social cost; each option against the '
  'one ranked just above it, pair by pair (discounted, 90% interval of the mean gap; positive: it costs more).</p>'
  + _table(ranking_table(comparison))) if len(comparison.ranking) > 1 else ''}
{unmoved_harms(comparison)}
<h3>Other outcomes</h3>
<p>Change from {html.escape(comparison.baseline)} over the horizon in people and events (undiscounted), mean of
paired replications with its 90% interval.</p>
{_table(other_table) if not other_table.empty else '<p>No other scenario.</p>'}
<h2>Trajectories</h2>
<p>Lines are means over replications; shaded bands span the 5th to 95th percentiles.</p>
{charts_html}
<h2>Levels by scenario</h2>
{_table(levels)}
<h2>Where the harm falls</h2>
<p>Harm over the horizon by force area, <strong>undiscounted</strong> (so the column totals exceed the discounted
headline figures): the baseline, and each option's change from it (mean of replications), in £ million.</p>
{f'<figure><img alt="Change in harm by area" src="data:image/png;base64,{area_image}"></figure>' if area_image else ''}
{_table(areas)}
<h2>Assumptions and parameters</h2>
<p>Every parameter not listed as an override takes its value from the parameter table, with its unit, plausible
range and source (run <code>twin params</code>, or see docs/ODD.md). Each lever's effect sizes and costs are
listed under its scenario. Sources cited as "seed 000" to "seed 004" are the project's source documents:
{'; '.join(f"{k}: {html.escape(v)}" for k, v in SOURCE_DOCUMENTS.items())}.</p>
{''.join(assumption_blocks)}
<h2>Runs</h2>
<p>{len(runs[runs.status == 'done'])} finished, {len(failures)} failed.</p>
{_table(failures[['scenario', 'replicate', 'error']]) if not failures.empty else ''}
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
    path = out_dir / "report.html"
    path.write_text(page)
    return path
