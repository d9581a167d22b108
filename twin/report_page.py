"""The comparison report's HTML page, section by section: the run's particulars, the summary and the
scenarios compared, the difference each option makes (the headline table, the ranking and the harms
no option moves), who spends, year by year, what the results leave out, other outcomes, the charts,
where the harm falls, levels by scenario, the terms used, the assumptions behind each scenario, and the
runs (`report.py` draws the charts and writes the files).
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd

from twin.compare import Comparison, part_year
from twin.ensemble import GREEN_BOOK_DISCOUNT_RATE
from twin.harm import PRICE_YEAR
from twin.parameter_table import SOURCE_DOCUMENTS
from twin.report_caveats import harm_by_category
from twin.report_drawn import (
    drawn_items, going_further, intervals_leave_out, lever_costs_clause, levers_drawn, parameters_note, posterior_drawn,
)
from twin.report_areas import area_table, spending_by_nation, who_pays
from twin.report_pairs import pairwise_section
from twin.report_format import and_list, html_table, signed_amounts
from twin.report_headline import at_a_glance, headline_table
from twin.report_levers import lever_block, parameters_table, years_phrase
from twin.report_navigation import with_contents, with_glossary
from twin.report_text import (
    LEVEL_LABELS, areas_phrase, chance_marks, headline_rows, horizon, other_outcomes, plain_summary, ranking_table,
    year_by_year,
)
from twin.report_titles import named
from twin.report_unmoved import unmoved_harms

#: the page's style sheet
STYLE = """\
body { font-family: Georgia, serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; \
line-height: 1.45; }
h1 { font-size: 1.7em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
.summary { background: #f3f6f4; border-left: 5px solid #2a7f62; padding: .6em 1.2em; }
table.data { border-collapse: collapse; font-family: sans-serif; font-size: .85em; margin: 1em 0; }
table.data th, table.data td { border-bottom: 1px solid #ddd; padding: .3em .6em; text-align: right; }
table.data th { background: #f0f0f0; } table.data td:first-child, table.data th:first-child { text-align: left; }
table.data tbody th { background: none; font-weight: normal; } table.data .words { text-align: left; }
table.data caption { text-align: left; font-weight: bold; padding: .3em 0; }
figure { margin: 1em 0; } figure img { max-width: 100%; } figcaption { font-size: .9em; color: #333; }
.meta { color: #666; font-size: .85em; } code { font-size: .85em; }
dl.terms dt { font-weight: bold; float: left; clear: left; width: 11em; } dl.terms dd { margin-left: 12em; }
.scroll { overflow-x: auto; } .n { white-space: nowrap; }
@media print { body { max-width: none; margin: 0; font-size: 10pt; } table.data { font-size: 7.5pt; }
.scroll { overflow: visible; } h2, h3 { break-after: avoid; } figure, tr { break-inside: avoid; }
table.data th { white-space: normal; } }
"""

#: what the results leave out (the same for every comparison)
LEFT_OUT = """\
<h3>What these results leave out</h3>
<ul>
<li>Optimism bias: {lever_costs}; no uplift is applied unless a scenario sets <code>lever_cost_optimism_bias</code> (the
Green Book's uplift, applied to every lever's spending, not to a cut's saving; see the parameter overrides below).</li>
<li>Lead times: new powers and programmes act from their start year, with no delay for legislation or set-up
unless a scenario sets a later start (<code>scenarios/ct_powers_from_year_3.toml</code> starts the powers two
years later, to compare with <code>ct_powers.toml</code>: what the wait costs).</li>
<li>Who funds: the spending above is booked to whoever spends it; who funds it (the Home Office, the Treasury, the
devolved governments) is not modelled. Where the areas include Scotland or Northern Ireland, policing there is
devolved; the per-area table below totals each nation's harm, and England and Wales together, and the table
under 'Who spends' each nation's spending.</li>
<li>Discounting: every amount at the Green Book's 3.5% a year, though it discounts effects on health and life
at 1.5%; much of the harm is to health and life (drug deaths, homicide, violence, exploitation). Discounting all
the harm at 1.5%, an upper bound, raised the harm the national security package and CT powers avert by about 9%
and left their ranking as it was (measured once, on the shipped options; docs/ODD.md section 4).</li>
<li>Price year: about nine-tenths of the harm is fitted to totals whose source names no price year, read as
2023-24 prices (a year's error moves those categories by about 7%).</li>
<li>A double count: the harm's response part (the police and justice work each crime brings) overlaps the
modelled courts and prisons in the response cost, so both the net social cost and an option's saving are
overstated a little: under 2% of the baseline's net social cost, about 2.7% of the national security package's
saving (docs/ODD.md, section 4).</li>
<li>Costs and effects after the horizon: none is counted; an option whose spending still rises, or whose effects
fade, at the horizon's end would look different over a longer one.</li>
<li>Harms without a price: children recruited, NRM referrals and arrests are counted (see 'Other outcomes') but
carry no money value; only harm in the six priced categories enters the net social cost.</li>
<li>Crimes outside the model: it has no market of its own for cyber-dependent crime (hacking, ransomware), child
sexual abuse and exploitation, or organised crime's infiltration of legitimate business, so no option here acts on
them. The six categories are fitted to the source's total of SOC harm (about £47bn a year), so any of these harms the
total holds is carried by the modelled categories rather than left out.</li>
<li>How far the model's markets come back: tested against what is known (docs/VALIDATION.md), a local drug
market emptied by enforcement is re-supplied more slowly than the evidence reports (months), arrested members
may be replaced more slowly than on the street, and displacement to neighbouring areas is the least settled
test. Each of these would flatter options whose benefit comes from removing groups and supply, and most of all
those that arrest the most.</li>
<li>What enforcement can do here: drug prices answer supply against demand only, not the risk enforcement adds to
dealing; members removed are refilled from the people at risk; groups do not ship more to make up for seizures; and
extra arrests fill prisons, which then release early. Enforcement on its own therefore moves harm little (with no
SOC budget for ten years harm was about 5% higher; with the budget doubled, under 1% lower, for 45-55% more arrests
and 7,000-12,000 prisoners released early, as hiring is capped or not), while options whose effect is an assumed
cut in demand or supply (Build's cut in drug demand, the border powers' share of supply stopped) owe much of the
harm they avert to that assumed figure. How enforcement ranks against prevention or the border follows from these
rules as much as from evidence (docs/VALIDATION.md).</li>
</ul>
"""

#: the end of the page: a self-check, when the page opens, that every chart decoded
SELF_CHECK = """\
<script>
// Self-check when the page opens: count the charts that decoded; flag any that did not.
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var rendered = images.filter(function (im) { return im.complete && im.naturalWidth > 0; }).length;
  document.body.setAttribute("data-charts-rendered", rendered + "/" + images.length);
  if (rendered < images.length) {
    var note = document.createElement("p");
    note.textContent = (images.length - rendered) + " chart(s) failed to display; the PNG files are in charts/.";
    document.body.insertBefore(note, document.body.firstChild);
  }
});
</script>
</body></html>
"""


def report_page(comparison: Comparison, store, experiment_id: int, rows: list[dict], images: list[tuple[str, str]],
                area_image: str | None, scenarios: pd.DataFrame, headline: tuple[str, str] | None = None) -> str:
    """The whole page: `rows` the headline rows (`report_text.headline_rows`), `images` each trajectory chart's
    title and base64 PNG, `area_image` the chart of harm by area (or None), `scenarios` the stored scenarios as
    the report names them (`report_titles.titled_scenarios`), `headline` the savings chart (title, PNG) or None."""
    experiment = store.experiment_row(experiment_id)
    page = "".join((
        _head(comparison, experiment_id),
        _summary(comparison, scenarios, headline),
        _differences(comparison, rows),
        _who_spends(comparison),
        _year_by_year(comparison),
        LEFT_OUT.format(lever_costs=lever_costs_clause(comparison)),
        _other_outcomes(comparison),
        _trajectories(comparison, images),
        _where_the_harm_falls(comparison, area_image),
        _levels(comparison),  # reference figures, after what the options change
        "<!-- terms -->\n",
        _assumptions(scenarios, comparison),
        _runs(comparison, experiment, experiment_id, store.url),
        SELF_CHECK,
    ))
    return signed_amounts(with_contents(with_glossary(page)))


def _head(comparison: Comparison, experiment_id: int) -> str:
    """The page's head and title, and the run's particulars: runs finished, prices, horizon, discounting, areas."""
    areas = areas_phrase(comparison.geography)
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="twin-experiment" content="{experiment_id}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Serious and organised crime: {html.escape(", ".join(comparison.scenarios))} compared</title>
<style>
{STYLE}</style></head><body>
<h1>Serious and organised crime: comparing interventions</h1>
<p class="meta">{_finished(comparison.runs).capitalize()} (the experiment and the code that ran it are under
'Runs'). Money in {PRICE_YEAR} prices (sourced unit costs of earlier years uprated by the GDP deflator; the drugs,
economic-crime and modern-slavery totals the harm is fitted to, about nine-tenths of it, are read as
{PRICE_YEAR} prices, since their source names no price year), over the
{horizon(comparison)}. Year 1 (the first 12 months) is undiscounted;
later years are discounted at {GREEN_BOOK_DISCOUNT_RATE:.1%} a year (HM Treasury Green Book). Areas: {areas}.</p>
"""


def _summary(comparison: Comparison, scenarios: pd.DataFrame, headline: tuple[str, str] | None = None) -> str:
    """The summary in plain words, and the list of the scenarios compared: the baseline and the options."""
    brief, detail = plain_summary(comparison)
    rows = headline_rows(comparison)  # the option the first paragraph names, said in its scenario's words at once
    best = min(rows, key=lambda r: r["net"])["scenario"] if rows else None
    described = {row["name"]: json.loads(row["resolved_json"]).get("description") for _, row in scenarios.iterrows()}
    if brief and described.get(best):  # after the verdict (the notes to read first come before it)
        verdict = next((k for k, p in enumerate(brief) if not p.startswith("<strong>Read first:")), len(brief) - 1)
        brief = (brief[:verdict + 1] + [f"What {html.escape(best)} is: {html.escape(described[best].rstrip('.'))}."]
                 + brief[verdict + 1:])
    brief_html = "".join(f"<p>{code_spans(p)}</p>" for p in brief)
    detail_html = ('<h3 id="in-detail">The answer in detail</h3>' + "".join(
        code_spans(p) if p.startswith("<div") else f"<p>{code_spans(p)}</p>" for p in detail) if detail else "")
    items = []
    for _, row in scenarios.iterrows():
        described = f": {html.escape(d)}" if (d := json.loads(row["resolved_json"]).get("description")) else ""
        role = "the baseline" if row["name"] == comparison.baseline else "an option"
        items.append(f"<li>{named(row, role)}{described}</li>")
    return f"""<h2 id="summary">Summary</h2>
<div class="summary" id="headline">{brief_html}</div>
{at_a_glance(comparison, rows)}{_figure(headline, "Savings")}
<p>The scenarios compared (their levers, costs and assumptions are listed under 'Assumptions and
parameters' below):</p>
<ul class="options">{''.join(items)}</ul>{_own_horizon_note(comparison)}
{detail_html}
"""


def _own_horizon_note(comparison: Comparison) -> str:
    """When the command set the horizon (--years): the descriptions above are the files' own, for theirs."""
    years = comparison.years_from_command
    if years is None:
        return ""
    return (f"<p>These descriptions are the scenario files' own, written for the files' horizons; this comparison "
            f"runs each for {years_phrase(years)} instead (set when it was run), so an amount or a year in them "
            f"is not necessarily this comparison's: its figures are below.</p>")


def _differences(comparison: Comparison, rows: list[dict]) -> str:
    """Each option's difference from the baseline (the headline table), the options ranked against
    one another, and the harms no option moves: every table best first, as 'At a glance' is."""
    rows = sorted(rows, key=lambda r: r["net"])
    headline = headline_table(comparison, rows)
    ranked = ('<h3>The options ranked</h3><p>Best first by the change in net social cost; each option against the '
              'one ranked just above it, pair by pair (discounted, 90% interval of the mean gap; positive: it costs '
              'more).</p>' + html_table(ranking_table(comparison), "The options ranked, each against the one above it")
              + pairwise_section(comparison)) if len(comparison.ranking) > 1 else ''
    return f"""<h2>Difference from {html.escape(comparison.baseline)}</h2>
<p>Cumulative over the horizon and discounted; mean of paired replications with a 90% interval for that
mean (Student's t). Negative changes are savings. Net social cost = harm + response cost - assets recovered;
recovered assets count as a gain to society here, though HM Treasury's Green Book would treat them as a
transfer, so the net change with them left out is shown too. "Better in" counts the paired replications in
which the option's net social cost is lower; "harm averted per extra £" divides the harm averted by the extra
response spending, where that spending clearly rises (negative where harm rises with it; it is not a Green \
Book benefit-cost ratio: the public bodies' own savings within the harm averted, such as health and justice
responses to fewer crimes, are not netted off the spending, nor are recovered assets); "payback year" is the
year in which the option's cumulative net social cost (recovered assets counted, unlike the Green Book's net)
falls below the baseline's and stays below to the horizon's end (from a step within that year, the 90%
interval of the paired mean below zero from then on): a payback to society, not cash returned to the
Exchequer, and from levers that start in the first month unless their scenario says otherwise (no lead time
to legislate or set up). The intervals say how precisely the replications pin down each mean, given the
model's assumptions;
{intervals_leave_out(comparison)}</p>
{html_table(headline, f"Each option against {comparison.baseline}: cumulative, discounted")}
<p>The change in harm by category, which the totals above add up: discounted over the horizon, mean of paired
replications with its 90% interval.</p>
{html_table(harm_by_category(comparison, [r["scenario"] for r in rows]),
            f"Change in harm by category against {comparison.baseline}, discounted")}
{ranked}
{unmoved_harms(comparison)}
"""


def _who_spends(comparison: Comparison) -> str:
    """Each option's change in response spending by whose budget it falls on, and by nation."""
    paying = who_pays(comparison)
    by_nation = spending_by_nation(comparison)
    nations = ('<p>The same change in response spending by nation, undiscounted (each area&rsquo;s own, the '
               'ROCUs&rsquo; and the NCA&rsquo;s attributed by population): policing in Scotland and Northern '
               'Ireland is devolved.</p>' + html_table(by_nation, "Change in response spending by nation, undiscounted")
               ) if not by_nation.empty else ''
    return f"""<h3>Who spends</h3>
<p>Each option's change in response spending over the horizon, discounted, by whose budget it falls on (who
spends it, not who funds it): the police forces, regional units (ROCUs) and the NCA (the levers' money each spends: new
investigators, surges, powers; their baseline budgets do not change), the courts and the prisons (their costs grow
with charges, remand and convictions, and some levers add trials, places or restrictions), and other public bodies
running levers (Border Force, supervisors, HM Treasury, local partners). These parts add up to the total; the
largest levers' spending is named after them, whole, though one lever's may fall on several budgets (border powers'
on Border Force and the police forces, half each). Who spends each lever's money is an assumption stated with it
(<code>twin levers</code>); new money is assumed to be additional funding, and a cut shows as negative spending.
A SOC fund spends recovered assets that would otherwise go to the Exchequer: it shows here as spending like any
other, while the assets count as a gain in the net social cost either way. \
Harm averted falls mostly on victims, communities and public services other than these.</p>
{html_table(paying, "Change in response spending by who spends it, discounted")}
{nations}
"""


def _year_by_year(comparison: Comparison) -> str:
    """Each option's change in net social cost and in response spending, year by year."""
    by_year = year_by_year(comparison)
    return f"""<h3>Year by year</h3>
<p>Each option's change from {html.escape(comparison.baseline)} in each year, undiscounted (mean of paired
replications): net social cost, response spending, and the net without recovered assets, as a
Green Book appraisal would usually count them. It shows whether an effect is still growing,
has peaked or is fading when the horizon ends.{_part_year_note(comparison)}</p>
{html_table(by_year, "Change year by year, undiscounted: net social cost, response spending, net without assets")}
"""


def _part_year_note(comparison: Comparison) -> str:
    """' Year 3 holds 6 of the 12 steps ...' when the horizon ends part-way through a year."""
    part = part_year(comparison)
    if part is None:
        return ""
    held = (f" Year {part[0]} holds only {part[1]} of its {comparison.steps_per_year} steps (the horizon ends "
            f"part-way through it)")
    return held + (": its amounts are part of a year's, not a fall, and the charts of amounts a year leave it out."
                   if part[0] > 1 else ": its amounts, here and in the charts, are part of a year's.")


def _other_outcomes(comparison: Comparison) -> str:
    """Each option's change in people and events: groups, members, lines, homicides, referrals..."""
    other_table = other_outcomes(comparison)
    return f"""<h3>Other outcomes</h3>
<p>Change from {html.escape(comparison.baseline)} over the horizon in people and events (undiscounted; for
county lines, OCGs and members, the level over the last 12 months instead), mean of paired replications with its 90%
interval. Two mechanisms push the other way from enforcement: groups
refill the vacancies arrests leave from the people at risk, including exploited children, and removing
leaders brings succession disputes, their violence and splits, so an option can leave more groups, smaller
on average, with new groups also entering the markets it vacates (docs/VALIDATION.md measures these). Whether they
outweigh what an option prevents differs by option: the table shows which way each goes. NRM referrals
rise both with the number of people exploited (the model identifies exploited members, and victims of
labour and sexual exploitation, at fixed monthly rates) and with enforcement (every exploited member
arrested is referred), so more referrals alone do not say whether more people are exploited.</p>
{html_table(other_table, "Other outcomes: change over the horizon")}
"""


def _spread_basis(comparison: Comparison) -> str:
    """What the bands of single replications are the spread of: '2 replications; with fewer than 20...'."""
    counts = sorted(set(comparison.reps.values()))
    return (f"{counts[0]} replication{'s' if counts[0] != 1 else ''}" if len(counts) == 1
            else f"{counts[0]} to {counts[-1]} replications") + (
        "; with fewer than 20 they are close to the lowest and highest run" if counts and counts[0] < 20 else "")


def _figure(image: tuple[str, str] | None, label: str) -> str:
    """An embedded chart with its caption (its alt text: what it shows, in words), or nothing."""
    if image is None:
        return ""
    return (f'\n<figure><img alt="{html.escape(image[0])}" src="data:image/png;base64,{image[1]}">'
            f'<figcaption>{label}. {html.escape(image[0])}</figcaption></figure>')


def _trajectories(comparison: Comparison, images: list[tuple[str, str]]) -> str:
    """The charts of each scenario's trajectories (and of the change from the baseline), as embedded PNGs."""
    charts_html = "\n".join(f'<figure><img alt="{html.escape(t)}" src="data:image/png;base64,{b}">'
                            f'<figcaption>Figure {k}. {html.escape(t)}</figcaption></figure>'
                            for k, (t, b) in enumerate(images, 1))  # the caption in print too, not only the alt
    return f"""<h2>Trajectories</h2>
<p>Lines are means over replications; shaded bands span the 5th to 95th percentiles of {_spread_basis(comparison)}.</p>
{charts_html}
"""


def _levels(comparison: Comparison) -> str:
    """Each scenario's totals over the horizon, with the spread of single replications."""
    return f"""<h2>Levels by scenario</h2>
<p>Totals over the horizon, mean of replications; the band is the spread of single replications (5th to 95th
percentile of {_spread_basis(comparison)}): where a single run falls, not how precisely the mean is known,
which the 90% intervals of the changes above say.</p>
{html_table(_levels_table(comparison), "Levels in each scenario")}
"""


def _levels_table(comparison: Comparison) -> pd.DataFrame:
    """The levels table: each scenario's mean of the outcomes in `LEVEL_LABELS` and their 5-95% band."""
    levels = comparison.summary[comparison.summary.metric.isin(LEVEL_LABELS)].copy()
    money = levels["metric"].str.contains("_gbp").to_numpy()
    levels["band (5-95%)"] = [f"{_level(a, m)} to {_level(b, m)}"
                              for a, b, m in zip(levels["p5"], levels["p95"], money)]
    levels = levels[["scenario", "metric", "mean", "band (5-95%)"]]
    levels["mean"] = [_level(v, m) for v, m in zip(levels["mean"], money)]
    levels["metric"] = levels["metric"].map(LEVEL_LABELS)
    return levels.rename(columns={"metric": "outcome over the horizon"})


def _level(value: float, is_money: bool) -> str:
    """A level in the levels table: money in £bn, a count whole."""
    return f"£{value / 1e9:,.2f}bn" if is_money else f"{value:,.0f}"


def _where_the_harm_falls(comparison: Comparison, area_image: str | None) -> str:
    """Harm by area: the baseline's and each option's change, with the chart of the best option's change."""
    per_head = " and per resident" if comparison.geography.get("population_of") else ""
    figure = (f'<figure><img alt="Chart of each area\'s change in harm under the option with the lowest net social '
              f'cost, in £m{per_head} (the table below gives the £m)" '
              f'src="data:image/png;base64,{area_image}"><figcaption>Each area\'s change in harm under the option with '
              f'the lowest net social cost, in £m{per_head}: means of paired replications, without their intervals '
              f'(the table below marks with * the changes told apart from none).</figcaption></figure>'
              if area_image else '')
    return f"""<h2>Where the harm falls</h2>
<p>Harm over the horizon by force area, <strong>undiscounted</strong> (so the column totals exceed the discounted
headline figures): the baseline, and each option's change from it (mean of paired replications), in £ million;
a * marks a change whose 90% interval lies on one side of zero ({chance_marks(comparison.geography)}).\
{_regions_note(comparison)}</p>
{figure}
{html_table(area_table(comparison), "Harm by area: the baseline and each option's change")}
"""


def _regions_note(comparison: Comparison) -> str:
    """What the ROCU regions' rows are, when an area sits in a region named after another nation
    (North Wales in the North West's remit: the Wales region leaves it out, the total for Wales holds it)."""
    region_of, nation_of = comparison.geography.get("region_of") or {}, comparison.geography.get("nation_of") or {}
    crossing = [(a, region_of[a], nation_of[a]) for a in sorted(region_of)
                if nation_of.get(a) in set(region_of.values()) and region_of[a] != nation_of.get(a)]
    if not crossing:
        return ""
    area, region, nation = (html.escape(name) for name in crossing[0])
    return (f" The ROCU regions are the regional units' remits, not nations: {area} is in the {region} region, so "
            f"the {nation} region leaves it out and the total for {nation} holds it.")


def _assumptions(scenarios: pd.DataFrame, comparison: Comparison) -> str:
    """Where the parameters come from (drawn from a posterior, `--posterior`), and each scenario's timing,
    parameter overrides and levers (marked where each replicate drew their assumed effect sizes and costs,
    `lever_uncertainty`)."""
    levers, posterior = levers_drawn(comparison), posterior_drawn(comparison)
    sources = "; ".join(f"{k}: {html.escape(v)}" for k, v in SOURCE_DOCUMENTS.items())
    return f"""<h2>Assumptions and parameters</h2>
<p>{parameters_note(comparison)}, with its unit, plausible
range and source (run <code>twin params</code>, or see docs/ODD.md). Each lever's effect sizes and costs are
listed under its scenario{DRAWN_NOTE if levers else ""}. Sources cited as "source 000" to "source 004" are the
project's source documents:
{sources}.</p>
{''.join(_scenario_assumptions(row, levers, posterior) for _, row in scenarios.iterrows())}
"""


#: the assumptions section's note when each replicate drew the levers' assumptions (`lever_uncertainty`)
DRAWN_NOTE = ("; those marked 'drawn' were drawn in each replicate from a triangular distribution over their "
              "plausible range, peaking at the value shown (the same draw for every option)")


def _scenario_assumptions(row: pd.Series, levers_drawn: bool = False, posterior: bool = False) -> str:
    """One scenario's assumptions: its horizon, steps, start and spin-up, its parameter overrides, and
    each of its levers (`report_levers.lever_block`); `levers_drawn` and `posterior` say what each
    replicate drew besides (the description's figures are the assumed values)."""
    spec = json.loads(row["resolved_json"])
    params, scale = spec.get("parameters") or {}, float(spec.get("national_scale", 1.0))
    levers = [{k: v for k, v in lever.items() if not k.startswith("_")} for lever in spec.get("levers") or []]
    description = (spec.get("description") or "").rstrip()
    drawn_note = (("" if description.endswith((".", "?", "!")) else ".") + " Where its description gives figures, "
                  "they are at the levers' assumed values; the settings marked 'drawn' below vary from replicate to "
                  "replicate."
                  if levers_drawn and levers and description else "")
    defaults = ("none (parameter table defaults, the calibrated parameters drawn from the posterior)" if posterior
                else "none (parameter table defaults)")
    return (f"<h3>{named(row)}</h3><p>{html.escape(description)}{drawn_note}</p>"
            f"<p>Horizon {float(spec.get('years')):g} years, {spec.get('step')}ly steps from {spec.get('start_date')}"
            f"{_spin_up_phrase(spec.get('spin_up_years'))}; scenario hash <code>{row['spec_hash']}</code>.</p>"
            + (parameters_table(params, str(row["name"])) if params else f"<p>Parameter overrides: {defaults}</p>")
            + (f"<p>UK figures: the national quantities scaled by {scale:.3g}.</p>" if scale != 1.0 else "")
            + ("".join(lever_block(lever, scale, levers_drawn) for lever in levers) if levers
               else "<p>Levers: none.</p>"))


def _spin_up_phrase(spin_up_years) -> str:
    """How the run began, for the assumptions section (nothing for runs stored before spin-ups)."""
    if spin_up_years is None:
        return ""
    if not spin_up_years:
        return ", from the register's picture as given (no spin-up)"
    return (f", after a spin-up of {float(spin_up_years):g} years from the register's picture (every process at "
            f"work, the parameters below already in force, no lever, nothing reported: parameters describe the "
            f"world as it has been, policies are levers)")


def _runs(comparison: Comparison, experiment: dict, experiment_id: int, db: str | None = None) -> str:
    """The experiment, its seed and the code that made its runs; how many finished and failed, with
    each failure's first line."""
    runs, failures = comparison.runs, comparison.failures
    first_lines = failures.error.astype(str).str.split("\n").str[0] if not failures.empty else None
    where = " (each failure's first line; the full error is in the database: <code>twin export</code>)"
    return f"""<h2>Runs</h2>
<p class="meta">Experiment {experiment_id} ({html.escape(" vs ".join(comparison.scenarios))}), root seed
{experiment.get("root_seed")}, {html.escape(_code_label(experiment))}.</p>
<p>{len(runs[runs.status == 'done'])} finished, {len(failures)} failed{where if len(failures) else ""}.</p>
{_drawn_runs(comparison)}{_posterior_fit(experiment)}
{html_table(failures[['scenario', 'replicate']].assign(error=first_lines), 'Runs that failed', '')}
{going_further(comparison, json.loads(experiment.get("spec_json") or "{}"), db)}"""


def _drawn_runs(comparison: Comparison) -> str:
    """What each replicate drew besides its seed, in the runs' record ('' when nothing)."""
    drawn = drawn_items(comparison)
    if not drawn:
        return ""
    return (f"<p>Each replicate drew {and_list(drawn)} (the same draws for every option; "
            f"<code>twin export</code> gives each run's draws).</p>\n")


def _posterior_fit(experiment: dict) -> str:
    """Where the posterior sample the runs drew from was fitted, from its fit.json (none: '')."""
    spec = json.loads(experiment.get("spec_json") or "{}")
    fit = spec.get("posterior_fit")
    if not fit:
        from twin.posterior import is_shipped

        if is_shipped(spec.get("posterior")):
            return ("<p>The posterior sample is the one the project ships, fitted by an earlier version of the "
                    "model (docs/ODD.md, section 3.7, gives that fit and a refit on this version), and by an epsilon "
                    "that makes it narrower than the targets' tolerances justify: the parameter uncertainty it adds "
                    "is a lower bound (a kernel fit's particles.csv carries the wider uncertainty).</p>")
        return ("<p>No record of the posterior sample's fit (no fit.json from <code>twin calibrate</code> beside "
                "it): which targets and which version of the model it was calibrated to cannot be said.</p>"
                if spec.get("posterior") else "")
    said = [f"{k} {html.escape(str(fit[k]))}" for k in ("targets", "scenario") if fit.get(k)]
    other = fit.get("code") and spec.get("code") and fit["code"] != spec["code"]
    return (f"<p>The posterior sample was fitted ({html.escape(str(fit.get('method') or 'calibration'))}, "
            f"{html.escape(fit['fit'])}) to {', '.join(said) or 'targets not recorded'}, by model source hash "
            f"{html.escape(str(fit.get('code') or 'not recorded'))}"
            + (f": <strong>not the model these runs ran</strong> (source hash {html.escape(str(spec['code']))}), so "
               f"its draws were calibrated to another version of the model; fit it again with "
               f"<code>twin calibrate</code> before reading these results as calibrated.</p>" if other else ".</p>"))


def _code_label(experiment: dict) -> str:
    """Which code made the runs: version, the model's source hash (`ensemble.code_hash`), git commit."""
    model_hash = json.loads(experiment.get("spec_json") or "{}").get("code")
    parts = [f"twin {experiment.get('code_version')}"]
    if model_hash:
        parts.append(f"model source hash {model_hash}")
    if experiment.get("git_commit"):
        parts.append(f"git commit {str(experiment['git_commit'])[:12]}")
    return "code: " + ", ".join(parts)


def _finished(runs: pd.DataFrame) -> str:
    """'4 replications of each of 5 scenarios finished' (or the runs in all, when they differ)."""
    done = runs[runs.status == "done"]
    per = done.groupby("scenario").size() if "scenario" in done else pd.Series(dtype=int)
    if len(per) and per.nunique() == 1:
        reps = int(per.iloc[0])
        return (f"{reps} replication{'s' if reps != 1 else ''} of each of {len(per)} "
                f"scenario{'s' if len(per) != 1 else ''} finished")
    return f"{len(done)} runs finished"


def code_spans(text: str) -> str:
    """Markdown-style `names` in report text as HTML code spans (the text is HTML already)."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", text)
