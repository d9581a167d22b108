"""A fit's report: the verdict (targets reproduced by construction, those parameters were set to
reproduce, and those no parameter was set from, counted apart), the table for a terminal, and
`fit.json`, `fit.html` and `fit.png` (the chart marks each target's kind as the verdict counts them).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from twin.report_format import and_list, captioned, made_by
from twin.targets import misfit, number


#: a target's kind as the verdict counts it: words, and the chart's marker (a filled circle for the
#: targets that test the model, hollow shapes for those it meets by construction or by calibration)
KINDS = {"construction": ("reproduced by construction (inputs and starting conditions)", "s"),
         "fitted": ("that parameters were set to reproduce (a check of the calibration)", "D"),
         "dynamics": ("that no parameter was set from (the model's dynamics alone)", "o")}


def target_kinds(table: pd.DataFrame) -> pd.Series:
    """Each target's kind (a key of `KINDS`): by construction, fitted (parameters were set to reproduce
    it) or dynamics (neither)."""
    fitted = (table["fitted_by"].fillna("").astype(bool) if "fitted_by" in table
              else pd.Series(False, index=table.index))
    construction = table["by_construction"].astype(bool)
    return pd.Series(np.where(construction, "construction", np.where(fitted, "fitted", "dynamics")), index=table.index)


def fit_verdict(table: pd.DataFrame) -> str:
    """'27 of 29 evaluated targets within tolerance: 9 of 9 reproduced by construction, 10 of 11 that
    parameters were set to reproduce, and 8 of 9 that no parameter was set from'; when none is of
    the last kind, a sentence says that none tests the model's dynamics."""
    evaluated = table[table["evaluated"]]
    missing = table[~table["evaluated"]]
    why = (missing["not_evaluated_because"] if "not_evaluated_because" in missing
           else pd.Series("the runs end before its years", index=missing.index))
    tail = (f" Not evaluated ({len(missing)}; left out of the misfit): "
            + "; ".join(f"{t} ({w or 'the runs end before its years'})" for t, w in zip(missing["target"], why))
            + ".") if len(missing) else ""
    if evaluated.empty:
        return "No target could be evaluated." + tail
    ok = evaluated["within_tolerance"]
    kind = target_kinds(evaluated)
    parts = [f"{int(ok[kind == k].sum())} of {int((kind == k).sum())} {label}" for k, (label, _) in KINDS.items()
             if (kind == k).any()]
    alone = "" if (kind == "dynamics").any() else (
        " None of them tests the model's dynamics alone: each is met by construction or by parameters set to"
        " meet it (docs/VALIDATION.md tests behaviour no target sets).")
    return (f"{int(ok.sum())} of {len(evaluated)} evaluated targets within tolerance: " + and_list(parts)
            + f". Misfit (sum of squared errors in tolerances) {misfit(table):,.2f}." + alone + tail)


def predictive_check(table: pd.DataFrame, drawn_from: str) -> str:
    """The posterior predictive check in words, for runs whose parameters were drawn from a posterior
    sample (`drawn_from` says which): the targets whose observed value lies outside the runs' 5-95%
    range, each with where it falls among the runs (`observed_rank`); then those outside the 90%
    range of the runs each with an observation error of its tolerance's size (`observed_rank_with_error`)."""
    evaluated = table[table["evaluated"]]
    if evaluated.empty:
        return ""
    observed = evaluated["observed"]
    inside = (observed >= evaluated["simulated_p5"]) & (observed <= evaluated["simulated_p95"])
    rank = evaluated["observed_rank_with_error"]
    inside_with_error = (rank >= 0.05) & (rank <= 0.95)

    def where(rank: float) -> str:
        return ("below every run" if rank == 0 else "above every run" if rank == 1 else
                f"below {min(round(100 * (1 - rank)), 99)}% of the runs" if rank < 0.5 else
                f"above {min(round(100 * rank), 99)}% of the runs")

    def outside(rows: pd.DataFrame, said) -> str:
        return "." if rows.empty else "; outside it: " + "; ".join(
            f"{t} ({said(r)})" for t, r in zip(rows["target"], rows["rank"])) + "."

    def probability(rank: float) -> str:
        return f"predicted probability of a value below it {rank:.3g}"

    runs = int(evaluated["runs"].min())
    rough = (f" With {runs} replications the ranges are rough: use --reps 40 or more to read them." if runs < 40
             else "")
    return (f"Posterior predictive check (each replication's parameters drawn from {drawn_from}): the observed value "
            f"lies within the replications' 5-95% range for {int(inside.sum())} of {len(evaluated)} evaluated targets"
            + outside(evaluated[~inside].assign(rank=evaluated["observed_rank"]), where)
            + " That range holds the parameters' uncertainty and the runs' chance, not the observations' own. With each"
              " target's tolerance read as its observation's error (the standard deviation of a Gaussian error, as"
              f" the kernel ABC fit reads it), {int(inside_with_error.sum())} of {len(evaluated)} lie within the"
              " 90% range of what the model predicts they would show"
            + outside(evaluated[~inside_with_error].assign(rank=rank), probability)
            + " A model that fits leaves at most about one target in ten outside the latter by chance (fewer, as the"
              " check reuses the observations its parameters were fitted to)." + rough)


def fit_lines(table: pd.DataFrame) -> list[str]:
    """The fit table for a terminal, one line per target: its name (with its area, region or nation
    unless the UK), unit, observation and tolerance, the replications' mean and spread, and the error."""
    named = [n if str(a) in ("UK", "nan", "") else f"{n} [{a}]"
             for n, a in zip(table["target"], table["area"] if "area" in table else ["UK"] * len(table))]
    width = max(len(n) for n in named)
    units = max((len(str(u)) for u in table["unit"]), default=0) if "unit" in table else 0
    lines = []
    for name, (_, row) in zip(named, table.iterrows()):
        if not row["evaluated"]:
            why = row.get("not_evaluated_because") or f"the runs end before years {row['years']}"
            lines.append(f"--   {name:{width}s} not evaluated ({why})")
            continue
        mark = "ok  " if row["within_tolerance"] else "MISS"
        fitted = str(row.get("fitted_by") or "").split(", ")  # a long list in brief (the report gives it whole)
        fitted = ", ".join(fitted) if len(fitted) <= 4 else f"{', '.join(fitted[:3])} and {len(fitted) - 3} more"
        tag = ("  (by construction)" if row["by_construction"] else
               f"  (fitted: {fitted})" if row.get("fitted_by") else "")
        lines.append(f"{mark} {name:{width}s} {row.get('unit', ''):{units}s} observed "
                     f"{number(row['observed']):>9s} +/- {number(row['tolerance']):<9s} "
                     f"simulated {number(row['simulated_mean']):>9s}  "
                     f"(replicates 5-95%: {number(row['simulated_p5'])} to "
                     f"{number(row['simulated_p95'])}; {row['runs_within_tolerance']} of {row['runs']} runs within)  "
                     f"error {row['standardised_error']:+.2f} tolerances{tag}")
    return lines


def write_fit_report(table: pd.DataFrame, out_dir: Path, title: str, notes: list[str],
                     extra_images: list[tuple[str, str]] = (), extra: dict | None = None,
                     parameters: pd.DataFrame | None = None) -> tuple[Path, Path]:
    """`fit.json` and `fit.html`: the verdict, the notes, the calibrated parameters when a fit
    made them (`calibration.parameter_table`), the fit chart and table, and any further figures."""

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "fit.json"
    fit_misfit = misfit(table)
    from twin.analysis import strict_json  # NaN is not JSON: null
    from twin.ensemble import code_hash  # the model that made the fit (a posterior is read against it)

    json_path.write_text(json.dumps(strict_json({
        "title": title, "notes": notes, "misfit": fit_misfit if np.isfinite(fit_misfit) else None,
        **({} if parameters is None else {"parameters": parameters.to_dict(orient="records")}),
        "targets": table.to_dict(orient="records"), "code": {"code_hash": code_hash()}, **(extra or {})}), indent=2,
        default=float, allow_nan=False),
        encoding="utf-8")
    plotted = table[table["evaluated"]]  # a target the runs could not read has nothing to plot
    kind = target_kinds(plotted).to_numpy()
    legend_in = 0.16 * len(set(kind)) + 0.1 if len(set(kind)) > 1 else 0.0  # below the chart: a line a kind
    height = 0.32 * max(len(plotted), 1) + 1.2 + legend_in
    figure, axis = plt.subplots(figsize=(8, height), dpi=100)
    y = np.arange(len(plotted))[::-1]
    low = (plotted["simulated_p5"] - plotted["observed"]) / plotted["tolerance"]
    high = (plotted["simulated_p95"] - plotted["observed"]) / plotted["tolerance"]
    centre = plotted["standardised_error"]
    colours = ["#2a7f62" if ok else "#b8432f" for ok in plotted["within_tolerance"]]
    axis.hlines(y, low, high, color=colours, linewidth=3, alpha=0.5)
    for key, (label, marker) in KINDS.items():  # the kinds apart: a fitted target met checks the calibration only
        rows = kind == key
        if rows.any():
            filled = np.array(colours)[rows] if key == "dynamics" else "white"
            axis.scatter(centre[rows], y[rows], marker=marker, s=30, facecolors=filled,
                         edgecolors=np.array(colours)[rows], linewidths=1.2, zorder=3)
    axis.axvspan(-1, 1, color="#dddddd", alpha=0.5, linewidth=0)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_yticks(y, plotted["target"], fontsize=7)
    axis.set_xlabel("(simulated - observed) / tolerance: mean, and 5th-95th percentile of replicates; "
                    "grey band = within tolerance", fontsize=8)
    if legend_in:  # in grey: the colour says within tolerance (green) or not (red), the shape the kind
        from matplotlib.lines import Line2D

        figure.legend([Line2D([], [], linestyle="", marker=marker, color="#555555",
                              markerfacecolor="#555555" if key == "dynamics" else "white") for key, (_, marker)
                       in KINDS.items() if key in kind],
                      [f"targets {label}" for key, (label, _) in KINDS.items() if key in kind],
                      loc="lower center", fontsize=7, frameon=False)
    figure.tight_layout(rect=(0, legend_in / height, 1, 1))
    image = figure_png(figure, out_dir / "fit.png")
    missed = table[table["evaluated"] & ~table["within_tolerance"]]
    verdict = fit_verdict(table) + ("" if missed.empty else " Missed: " + ", ".join(missed["target"]) + ".")
    shown = table.copy()
    money = shown["metric"].astype(str).str.contains("gbp") if "metric" in shown else pd.Series(False, shown.index)
    for column in ("observed", "tolerance", "simulated_mean", "simulated_p5", "simulated_p95"):  # £ on amounts
        shown[column] = [("£" if pounds and np.isfinite(v) else "") + number(v)
                         for v, pounds in zip(shown[column], money)]
    shown["standardised_error"] = shown["standardised_error"].map(lambda v: f"{v:+.2f}" if np.isfinite(v) else "n/a")
    for column in ("observed_rank", "observed_rank_with_error"):  # (tables written before they were kept have none)
        if column in shown:
            shown[column] = shown[column].map(lambda v: f"{v:.2f}" if np.isfinite(v) else "")
    shown["within_tolerance"] = [("yes" if ok else "no") if done else "not evaluated"
                                 for ok, done in zip(shown["within_tolerance"], shown["evaluated"])]
    shown["by_construction"] = shown["by_construction"].map({True: "yes", False: ""})
    if "runs" in shown:  # the verdict is on the mean; the single runs within tolerance, beside it
        shown.insert(shown.columns.get_loc("within_tolerance") + 1, "single runs within",
                     [f"{k} of {n}" for k, n in zip(shown.pop("runs_within_tolerance"), shown.pop("runs"))])
    if "fitted_by" not in shown:  # tables written before targets named their fitted parameters
        shown["fitted_by"] = ""
    shown = shown.drop(columns="evaluated").rename(columns={
        "simulated_mean": "simulated (mean)", "simulated_p5": "replicates 5%", "simulated_p95": "replicates 95%",
        "standardised_error": "error (tolerances)", "within_tolerance": "within tolerance",
        "by_construction": "by construction", "fitted_by": "parameters set to reproduce it",
        "not_evaluated_because": "not evaluated because", "observed_rank": "share of runs below observed",
        "observed_rank_with_error": "the same, each run with an error of the tolerance's size"})
    fitted = ""
    if parameters is not None:
        readable = parameters.copy()
        for column in readable.columns[2:]:
            readable[column] = readable[column].map(lambda v: v if isinstance(v, str) else
                                                    f"{v:.2f}" if column.startswith("share") else number(v))
        fitted = "<h2>Calibrated parameters</h2>" + captioned(readable, "Calibrated parameters: prior and fit")
    page = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body {{ font-family: Georgia, serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; font-family: sans-serif; font-size: .8em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: right; }}
td:last-child {{ text-align: left; }} img {{ max-width: 100%; }}</style></head><body>
<h1>{html.escape(title)}</h1><p><strong>{html.escape(verdict)}</strong></p>
{''.join(f'<p>{html.escape(n)}</p>' for n in notes)}
{fitted}
<img alt="{html.escape(fit_chart_text(plotted))}" src="data:image/png;base64,{image}">
{captioned(shown, "Each target: observed, tolerance, simulated (mean and replicates' 5th-95th percentiles)")}
{''.join(f'<h2>{html.escape(t)}</h2><img alt="Chart: {html.escape(t)}" src="data:image/png;base64,{b}">'
         for t, b in extra_images)}
{made_by()}</body></html>"""
    html_path = out_dir / "fit.html"
    html_path.write_text(page, encoding="utf-8")
    return json_path, html_path


def fit_chart_text(plotted: pd.DataFrame) -> str:
    """The fit chart in words, for those who cannot see it: what it plots, and the targets outside
    their tolerance with their errors."""
    missed = plotted[~plotted["within_tolerance"].astype(bool)]
    said = ", ".join(f"{t} {e:+.2f}" for t, e in zip(missed["target"], missed["standardised_error"]))
    kinds = target_kinds(plotted) if "by_construction" in plotted else None
    marked = {"construction": "hollow squares", "fitted": "hollow diamonds", "dynamics": "filled circles"}
    shapes = "" if kinds is None or kinds.nunique() < 2 else "; " + ", ".join(
        f"{marked[key]} the {int((kinds == key).sum())} {label}" for key, (label, _) in KINDS.items()
        if (kinds == key).any())
    return (f"Chart of each of {len(plotted)} targets' error in tolerances (simulated minus observed, over the "
            f"tolerance), the mean with the replicates' 5th-95th percentile{shapes}; "
            + (f"outside the tolerance: {said}" if said else "every mean within its tolerance"))
