"""The sensitivity analysis's report (`sensitivity.run_sensitivity`'s table): `sensitivity.html`
with its chart, `sensitivity.csv` and `sensitivity.json`, and the warning when the design is too
small for its indices to be read as conclusions (`reliability_warning`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from twin.report_format import captioned, made_by
from twin.sensitivity import SEED_FACTOR, factor_names, seeded


def noise_text(config: dict) -> str:
    """How the report's samples were seeded, and what that says of the model's own noise."""
    replications = config.get("replications", 1)
    mean = ("" if replications == 1 else f"each sample's outcomes the mean of {replications} runs, on its seed and the "
                                         f"{replications - 1} after it; ")
    if seeded(config):
        return (f"{mean}each sample on a seed of its own, drawn from seed {config['seed']} by a further factor, "
                f"{SEED_FACTOR}. Its total-order index is the noise floor: the share of an outcome's variance that "
                f"a change of seed alone gives, averaged over the parameters. A parameter that changes the run's "
                f"random path adds up to the floor to its own total-order index (never to its first-order index). "
                f"<em>Above the noise</em>: its total-order index exceeds the seed's by more than the sampling "
                f"error (the paired bootstrap difference's one-sided 95% bound above zero, Bonferroni-corrected "
                f"over the parameters of each outcome), so it acts by more than reshuffling the path. "
                f"<em>Within</em>: not shown to, which does not mean it does not act: a parameter that leaves the "
                f"path alone (a unit cost, say) can act strongly and still be within; read its first-order "
                f"index (<code>first_order_above_zero</code>: above zero by the same corrected one-sided bound, "
                f"it acts on its own).")
    return (f"{mean}every sample on seed {config['seed']} (seed_factor = false): the indices describe one random "
            f"realisation, and a parameter that moves the run's random path adds a share of the model's own noise "
            f"to its total-order index. This analysis does not measure that floor: the seed factor (the default) does.")


#: base samples below which Sobol indices are not to be read as conclusions
RELIABLE_N = 64


def reliability_warning(table: pd.DataFrame | None, n: int) -> str | None:
    """What makes these indices unfit for conclusions (too few samples; signs of it in the
    indices: totals above 1, negative first orders, first orders above totals, wide intervals);
    None when nothing does."""
    signs = []
    if table is not None and not table.empty:
        if (table.total_order > 1.05).any():
            signs.append("total-order indices above 1")
        if (table.first_order < -0.05).any():
            signs.append("negative first-order indices")
        if (table.first_order > table.total_order + 0.05).any():
            signs.append("first-order indices above their totals")
        if ((table.total_order_high - table.total_order_low) > 0.5).any():
            signs.append("total-order intervals wider than 0.5")
    if n >= RELIABLE_N and not signs:
        return None
    few = f"n = {n} base samples is too few for Sobol indices" if n < RELIABLE_N else f"even with n = {n}"
    seen = f" (here: {', '.join(signs)})" if signs else ""
    return (f"{few}{seen}: these indices are not reliable enough for conclusions; rerun with n >= "
            f"{RELIABLE_N if n < RELIABLE_N else 2 * n} (--n), which reuses nothing but takes "
            f"{(RELIABLE_N if n < RELIABLE_N else 2 * n) // n} times the runs")


#: a noise floor above which the report says more replications, not a larger n, would help
NOISY_FLOOR = 0.3


def noise_warning(table: pd.DataFrame, replications: int) -> str | None:
    """A word on outcomes whose noise floor (the seed's total-order index) is above `NOISY_FLOOR`: a
    change of seed alone gives that share of their variance, which a larger n estimates better but
    does not lower. Each sample the mean of k times the replications divides the noise's variance by
    k, so a floor f becomes about f / (f + k (1 - f)). None when no floor is that high."""
    if table is None or "above_noise" not in table.columns:
        return None
    floors = table[table.parameter == SEED_FACTOR].set_index("outcome")["total_order"]
    high = floors[(floors > NOISY_FLOOR) & (floors < 1.0)]  # an estimate of 1 or more: too few samples to read
    if high.empty:
        return None
    k = 4
    listed = ", ".join(f"{outcome} ({f:.2f}, about {f / (f + k * (1 - f)):.2f} with replications = "
                       f"{k * replications})" for outcome, f in high.items())
    return (f"the noise floor is high for {listed}: a change of seed alone gives that share of the variance, and a "
            f"parameter must stand above it to count; a larger n does not lower it, more replications (each sample "
            f"the mean of that many seeds, at as many times the runs) do")


def noise_floor_words(rows) -> str:
    """An outcome's noise floor (the seed's total-order index) with its 90% interval: a parameter is
    within the noise when its index is not clearly above the seed's resample by resample, which a
    wide floor explains ('1.18, within the noise' beside a floor of 0.22 read as a contradiction)."""
    seed = rows[rows.parameter == SEED_FACTOR].iloc[0]
    return (f"{seed.total_order:.2f} (90% interval {seed.total_order_low:.2f} to {seed.total_order_high:.2f}; a "
            f"parameter is above the noise when its index is clearly above the seed's, resample by resample)")


def noise_verdict(row) -> str:
    """'; above the noise' or '; within the noise' with the bound that decides it (`above_the_floor`:
    the parameter's index less the seed's, resample by resample, at a one-sided 95% over the
    outcome's parameters): the 90% interval printed beside it is another, looser one ('0.70, 90%
    interval 0.20 to 0.83; within the noise' beside a floor of 0.01 read as a contradiction)."""
    low = getattr(row, "excess_over_floor_low", np.nan)
    if row.above_noise:
        return f"; above the noise: above the seed's by at least {low:.2g} resample by resample"
    if np.isfinite(low) and low < 0:
        return (f"; within the noise: resample by resample it may be {-low:.2f} below the seed's (a bound "
                f"allowing for every parameter tried)")
    return "; within the noise"


def write_sensitivity_report(table: pd.DataFrame, config: dict, out_dir: Path) -> Path:
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    out_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_dir / "sensitivity.csv", index=False)
    design = {"scenario": f"{config['scenario'].path} ({config['scenario'].name})",
              "compare": [f"{s.path} ({s.name})" for s in config["compare"]], "years": config["scenario"].years,
              "n": config["n"], "seed": config["seed"], "seed_factor": seeded(config),
              "replications": config.get("replications", 1),
              "parameters": [{"name": u.name, "low": u.low, "high": u.high} for u in config["uncertain"]]}
    records = table.astype(object).where(table.notna(), None).to_dict(orient="records")  # NaN is not JSON: null
    (out_dir / "sensitivity.json").write_text(json.dumps({"design": design, "indices": records}, indent=2, default=str,
                                                         allow_nan=False), encoding="utf-8")
    outcomes = list(dict.fromkeys(table["outcome"]))
    figure, axes = plt.subplots(len(outcomes), 1, figsize=(8, 2.2 * len(outcomes)), dpi=100)
    axes = np.atleast_1d(axes)
    highest = float(np.nanmax(table[["total_order", "total_order_high"]].to_numpy(), initial=1.0))
    for axis, outcome in zip(axes, outcomes):
        data = table[table.outcome == outcome].sort_values("total_order")
        y = np.arange(len(data))
        noise = (data["parameter"] == SEED_FACTOR).to_numpy()
        total = data["total_order"].clip(lower=0).to_numpy()
        spread = np.vstack([total - data["total_order_low"].clip(lower=0).clip(upper=total),
                            (data["total_order_high"].to_numpy() - total).clip(min=0)])  # the 90% interval
        axis.barh(y - 0.2, total, height=0.4, label="total order (90% interval)",
                  color=np.where(noise, "#888888", "#b8432f"), xerr=np.nan_to_num(spread), error_kw={"lw": 0.8})
        axis.barh(y + 0.2, data["first_order"].clip(lower=0), height=0.4, label="first order (below 0: none shown)",
                  color=np.where(noise, "#bbbbbb", "#2a7f62"))
        if noise.any():  # the floor: a total-order index must stand clear of it
            axis.axvline(float(data.loc[noise, "total_order"].iloc[0]), color="#555555", ls="--", lw=0.8,
                         label="noise floor (the seed's total order)")
        axis.set_yticks(y, data["parameter"], fontsize=7)
        axis.set_title(outcome, fontsize=9)
        axis.set_xlim(0, max(1.05, min(highest * 1.05, 3.0)))  # indices above 1 are estimator noise: shown, not cut
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    image = figure_png(figure, out_dir / "sensitivity.png")
    parameters = table[table.parameter != SEED_FACTOR]
    top = (parameters.sort_values("total_order", ascending=False).groupby("outcome").head(3)
           .sort_values(["outcome", "total_order"], ascending=[True, False]))
    floors = table[table.parameter == SEED_FACTOR].set_index("outcome")["total_order"]

    def standing(row) -> str:
        if not np.isfinite(row.total_order_low) and not np.isfinite(row.total_order_high):
            return ("; no effect: the outcome did not change with it (a lever this scenario does not have, or a cost "
                    "that does not enter this outcome)")
        if "above_noise" not in table.columns:
            return ""
        alone = ", acts on its own" if getattr(row, "first_order_above_zero", False) else ""
        return noise_verdict(row) + alone

    lines = [f"<li><strong>{html.escape(o)}</strong>: " + ", ".join(
        f"{html.escape(r.parameter)} (total {r.total_order:.2f}, first {r.first_order:.2f}{standing(r)})"
        for r in top[top.outcome == o].itertuples())
        + (f"; noise floor {noise_floor_words(table[table.outcome == o])}" if o in floors else "") + "</li>"
        for o in outcomes]
    runs = (config["n"] * (len(factor_names(config)) + 2) * (1 + len(config["compare"]))
            * config.get("replications", 1))
    compared = ("" if not design["compare"] else
                " and the benefit against it of " + html.escape(", ".join(design["compare"])))
    warning = reliability_warning(table, config["n"])
    caution = ("" if warning is None else
               f'<p style="border-left: 4px solid #b8432f; padding: .5em 1em; background: #fbeeea"><strong>Not for '
               f'conclusions.</strong> {html.escape(warning[0].upper() + warning[1:])}.</p>')
    noisy = noise_warning(table, config.get("replications", 1))
    caution += "" if noisy is None else f"<p><strong>Noise.</strong> {html.escape(noisy[0].upper() + noisy[1:])}.</p>"
    beyond = "".join(f"<li>{html.escape(w)}</li>" for w in config.get("warnings", []))
    beyond = f"<p>Ranges to note:</p><ul>{beyond}</ul>" if beyond else ""
    page = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Sensitivity analysis</title>
<style>body {{ font-family: Georgia, serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; font-family: sans-serif; font-size: .8em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: right; }} img {{ max-width: 100%; }}</style>
</head><body><h1>Which assumptions decide the answer?</h1>{caution}
<p>Sobol indices (scipy.stats.sobol_indices, {config['n']} base samples, {runs} runs of {config['scenario'].years:g}
year{'' if config['scenario'].years == 1 else 's'}, 90% bootstrap intervals in the table). First order: the share of an outcome's variance due to the parameter
alone; total order: including its interactions.</p><ul>{''.join(lines)}</ul>
<h2>What was run</h2><p>Outcomes of {html.escape(design['scenario'])}{compared}, {noise_text(config)}
The parameters varied, each uniformly over its range (whole-number parameters rounded to the nearest whole number, so
their end values come up half as often):</p>
{captioned(pd.DataFrame(design['parameters']), "Parameters varied and their ranges")}{beyond}
<img alt="Bar charts, one per outcome, of each parameter's total-order index (with its 90% interval) and first-order
index{', and the noise floor as a dashed line' if seeded(config) else ''}" src="data:image/png;base64,{image}">
<h2>All indices</h2>
{captioned(table.round(3), "Sobol indices: first and total order with 90% bootstrap intervals; above_noise and "
            "first_order_above_zero as described above")}
{made_by()}</body></html>"""
    path = out_dir / "sensitivity.html"
    path.write_text(page, encoding="utf-8")
    return path

