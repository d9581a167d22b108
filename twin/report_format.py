"""How the reports write numbers and lists: £bn with and without a sign (and kept on one line in a
page), "11 of 12" paired replications, "a, b and c", possessives and lever types in words; the
research pages' captioned tables and the line saying which code wrote them."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd


#: below this many pounds the reports give millions in a sentence, and about nothing in a table of
#: £bn (whose two places would show £0.00bn)
MILLIONS_BELOW_GBP = 5e6


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def bn(value: float, table: bool = False) -> str:
    """£ billions, unsigned: '£1.23bn'; under £5m in millions ('£1.48m'), or, in a `table` of £bn,
    'about £0bn' as its two places round it ('≈£0bn', not '£0.0015bn', a precision the table's other
    figures do not have, nor '£1.5m' among billions); '£0' for exactly nothing ('n/a' when there is
    no number, e.g. an interval from one pair)."""
    if not np.isfinite(value):
        return "n/a"
    size = abs(value)
    if size == 0:
        return "£0"
    if size >= MILLIONS_BELOW_GBP:
        return f"£{size / 1e9:,.2f}bn"
    return "≈£0bn" if table else f"£{size / 1e6:,.2f}m"


def signed_bn(value: float, table: bool = False) -> str:
    """`bn` with a sign: '+£1.23bn', '-£0.40bn', '-£1.48m' ('≈£0bn', without a sign, in a `table`);
    none for exactly nothing ('£0', never '-£0')."""
    if not np.isfinite(value) or value == 0 or (table and abs(value) < MILLIONS_BELOW_GBP):
        return bn(value, table)
    return f"{'+' if value > 0 else '-'}{bn(value, table)}"


def people(count: float) -> str:
    """A mean count of people or lines: whole above 10 ('1,234', '12'), else two significant figures
    ('3.5', '0.42'): a mean of paired replications over a short horizon may be under one, never '0 fewer'."""
    return f"{count:,.0f}" if abs(count) >= 9.5 else f"{count:.2g}"


def percent(share: float) -> str:
    """A share as a whole percentage, '35%', '4,105%'; under 1% to two significant figures ('0.29%', never '0%')."""
    return f"{share * 100:.2g}%" if 0 < abs(share) < 0.01 else f"{share:,.0%}"


def count_of(share: float, pairs: float) -> str:
    """'11 of 12' from a share of paired replications; 'n/a' without pairs."""
    if not pairs or not np.isfinite(share):
        return "n/a"
    return f"{round(share * pairs):.0f} of {int(pairs)}"


def replications(pairs: float) -> str:
    return f"{int(pairs)} paired replication{'s' if int(pairs) != 1 else ''}"


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def per_pound(value: float) -> str:
    """Harm averted per extra pound: one decimal, two below £1 (£0.07 is not £0.1); the sign
    before the pound sign (-£2.6: harm rises)."""
    sign = "-" if value < 0 and round(abs(value), 2) else ""  # never '-£0.00'
    return f"{sign}£{abs(value):.2f}" if abs(value) < 1 else f"{sign}£{abs(value):.1f}"


def discounted_count(metric: str) -> bool:
    """A discounted count of people or events: left out of summary.csv and the export (a
    "discounted" 147 homicides would read as fewer homicides than the 196 that happened)."""
    return metric.startswith("discounted_") and "gbp" not in metric


#: the terms and abbreviations a report uses, for readers outside policing (the report lists those
#: that appear on its page)
TERMS = {
    "SOC": "serious and organised crime",
    "OCG": "organised crime group: three or more people acting together over time for profit (UN Convention)",
    "ROCU": "regional organised crime unit: the police's regional tier between the forces and the NCA",
    "NCA": "National Crime Agency",
    "NRM": "National Referral Mechanism: how potential victims of modern slavery are identified and supported",
    "CHB": "Clear, Hold, Build: clear an area's most harmful groups, hold it against new ones, build its resilience",
    "SCPO": "serious crime prevention order: court-imposed restrictions on a convicted offender",
    "CT": "counter-terrorism (CT-style powers: the powers proposed for SOC on the counter-terrorism model)",
    "AML": "anti-money laundering",
    "NPCC": "National Police Chiefs' Council",
    "HMICFRS": "His Majesty's Inspectorate of Constabulary and Fire & Rescue Services",
    "GDP": "gross domestic product (its deflator uprates prices from one year to another)",
    "EMPAC": "East Midlands Police Academic Collaboration",
    "EMSOU": "East Midlands Special Operations Unit (the region's ROCU)",
    "PaCCS": "Partnership for Conflict, Crime and Security Research",
    "county lines": "drug supply from an exporter area (a city) into other areas over a dedicated phone line",
    "net social cost": "harm to society + the cost of the modelled response - criminal assets recovered",
    "discounted": "later years' pounds counted at less than today's, at HM Treasury's Green Book rate",
    "90% interval": "the range that holds the mean change with 90% confidence, given the model's assumptions",
    "paired replications": "runs of each option with the same random numbers, so that the difference between two "
                           "options' runs comes from the options, not from chance",
    "response cost": "what the modelled response spends: police forces, ROCUs and the NCA (investigators and "
                     "operations), courts, prisons and remand, and every lever's own cost (under 'Who spends', by "
                     "who bears it)",
    "harm": "the cost of the crimes to society, priced by the Home Office method (in anticipation, such as "
            "security; as a consequence, such as victims' losses and health; in response, the police and justice "
            "work each crime brings, which overlaps the modelled courts and prisons in response cost: under 2% "
            "of the baseline's net social cost, and in a comparison a few percent of an option's saving, about "
            "2.7% of the national security package's, overstating it: docs/ODD.md, section 4), "
            "in six categories: drugs, fraud and other economic crime, modern slavery, organised immigration crime, "
            "violence between groups, and other crime (firearms supply and organised acquisitive crime)",
    "disruptions": "groups disrupted by an operation: enough of their capacity removed, or their leader taken",
    "spin-up": "years the model runs under current policy before the first reported year, so that it starts "
               "from a settled state rather than the register's snapshot",
    "source": "'source NNN' (source 003, for instance) names one of the project's source documents, listed "
              "under 'Assumptions and parameters'",
    "root seed": "the number a comparison's random draws start from: each replicate's own seed is drawn from it, "
                 "the same for every option (so the options are compared on the same luck)",
    "register": "the list of organised crime groups the model starts from (the police's mapping, or a synthetic "
                "one drawn from it)",
    "Green Book": "HM Treasury's guidance on appraising public spending: it discounts later years and counts "
                  "transfers, such as assets taken from offenders, as neither a cost nor a benefit to society",
    "transfer": "money moved from one party to another (assets recovered from offenders), not a resource gained or "
                "used; the Green Book leaves transfers out of the net value, so the report shows the net with them "
                "left out too",
    "optimism bias": "the tendency of appraisals to understate costs; the Green Book asks for an uplift to the "
                     "estimated costs (these runs apply none unless a scenario sets one)",
    "switching values": "how far an assumption would have to be wrong (a cost overrun, a smaller effect) for an "
                        "option's saving to vanish",
    "picked from": "an interval 'allowing for the best having been picked from' several options is wider: it holds "
                   "for every pair of options at once, so it is not flattered by choosing the best after the fact",
    "network-linked homicides": "homicides linked to criminal networks, directly (the groups' own violence) or "
                                "indirectly (about a third of London's homicides in all, source 004); the 'homicides' "
                                "of the tables are these; other homicides are not modelled",
}


def terms_used(page: str) -> dict[str, str]:
    """The TERMS whose name appears on `page` (whole words; abbreviations also in their plural)."""

    return {term: meaning for term, meaning in TERMS.items()
            if re.search(rf"\b{re.escape(term).replace(chr(92) + ' ', '[ -]')}s?\b", page)}


#: each lever type in words, for sentences (`twin levers` gives each in full)
LEVER_WORDS = {
    "clear": "Clear", "hold": "Hold", "build": "Build", "clear_hold_build": "Clear-Hold-Build",
    "prevention": "prevention and diversion", "business_disruption": "business-model disruption",
    "tasking_priority": "tasking priority", "investigatory_powers": "investigatory powers",
    "financial_sanctions": "financial sanctions", "prison_places": "prison places", "court_capacity": "court capacity",
    "extra_territorial": "extra-territorial jurisdiction", "soc_register": "SOC register and prevention orders",
    "prison_restrictions": "prison restrictions", "border_powers": "border powers", "oversight": "oversight",
    "funding": "funding", "soc_fund": "SOC fund", "technology_investment": "technology investment",
    "regional_tier": "regional tier", "enabler_targeting": "enabler targeting",
    "anti_corruption": "anti-corruption", "fraud_data_sharing": "fraud data sharing",
}


def possessive(name: str) -> str:
    """A name's possessive: "Countering SOC Bill's", "Package with prison places'" (a final s)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def lever_words(kind: str) -> str:
    """A lever type in words ('anti-corruption'; a type not listed with its underscores as spaces)."""
    return LEVER_WORDS.get(kind, str(kind).replace("_", " "))


def lever_label(name: str, phased: frozenset | set = frozenset({"clear_hold_build"})) -> str:
    """A lever's cost line for a reader: its type in words where the name is the type ('border powers'),
    a phase of a Clear-Hold-Build lever (one of the names `phased`) by the phase ('Build', or 'Build (chb)'
    with the scenario's name for the lever), and any other name as the scenario gave it."""
    if name in LEVER_WORDS:
        return LEVER_WORDS[name]
    lever, _, phase = name.rpartition("_")
    if lever in phased and phase in ("clear", "hold", "build"):
        return LEVER_WORDS[phase] + ("" if lever == "clear_hold_build" else f" ({lever})")
    return name


#: a hyphen as the sign of a number in words or tables ('-29', '[-54, -4]', '(-3.5%)'), not in a range
#: ('5-95%'), a date or a name (after a letter, digit, dot or another hyphen: '--reps 12')
NEGATIVE_COUNT = re.compile(r"(?<![\w.\-])-(?=\d)")


def signed_amounts(page: str) -> str:
    """Signed amounts in the page's text kept on one line, a saving's sign as the minus sign (U+2212),
    which screen readers say ('-' beside '£' was read as a dash, or not at all): '-£5.36bn' becomes
    '<span class="n">−£5.36bn</span>'; a negative count's sign is the minus sign too ('−29 [−54, −4]').
    Attributes (a chart's text) are left as they are."""

    def signed(text: str) -> str:
        text = re.sub(r"([+-])£([\d.,]+(?:bn|m|k)?)",
                      lambda m: f'<span class="n">{"−" if m.group(1) == "-" else "+"}£{m.group(2)}</span>', text)
        return NEGATIVE_COUNT.sub("−", text)  # '-29 [-54, -4]': the same minus sign as the amounts'

    def text_of(part: str) -> str:  # (a part may start or end inside a text, beside a code's tag)
        return re.sub(r">([^<]*)<", lambda m: ">" + signed(m.group(1)) + "<", f">{part}<")[1:-1]

    head, body = page.split("<body>", 1) if "<body>" in page else ("", page)  # (the <title> shows no markup)
    parts = re.split(r"(<(?:code|pre|script|style)\b.*?</(?:code|pre|script|style)>)", "<body>" * bool(head) + body,
                     flags=re.S)  # code to copy and the page's script as written
    return head + "".join(part if k % 2 else text_of(part) for k, part in enumerate(parts))


def captioned(frame, caption: str, **options) -> str:
    """A table of a research page (screening, sensitivity, fit, sweep analysis) under its caption, a
    missing value as 'n/a'; `options` go to `DataFrame.to_html`."""
    table = frame.to_html(index=False, border=0, na_rep="n/a", **options)
    return table.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)


def made_by() -> str:
    """A research page's last line: the code that wrote it (the version and the model source's hash;
    the page says so where its runs were made by other code)."""
    from twin import __version__
    from twin.ensemble import code_hash

    return f'<p class="meta">Written by twin {__version__}, model source hash {code_hash()}.</p>'


def gap_interval(low: float, high: float) -> str:
    """The 90% interval of how much lower the best option's net social cost is than the
    runner-up's, in words: '£0.4bn to £1.6bn lower', 'from £0.2bn higher to £1.1bn lower'; none
    from a single replication."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "no 90% interval from a single replication"
    if low > 0:
        return f"90% interval {bn(low)} to {bn(high)} lower"
    if high > 0:
        return f"90% interval from {bn(-low)} higher to {bn(high)} lower"
    return f"90% interval {bn(-high)} to {bn(-low)} higher"


def html_table(frame: pd.DataFrame, caption: str, empty: str = "<p>No other scenario.</p>") -> str:
    """A table of the report under its caption (the index left out, a missing value as 'n/a'), scrolling
    sideways on its own when wider than the screen (a phone), not the whole page; columns of words
    (most cells not starting with a number) are aligned left, columns of figures right. `empty`
    stands in for a table without rows."""
    if frame.empty:
        return empty
    table = frame.to_html(index=False, border=0, classes="data", escape=True, na_rep="n/a")
    head, _, body = table.partition("<tbody>")
    # each row's first cell heads it (the option, area or setting): a screen reader moving along a row
    # says whose number it reads, and each column's header says which column it heads
    body = re.sub(r"(<tr>\s*)<td>(.*?)</td>", r'\1<th scope="row">\2</th>', body, flags=re.S)
    table = head.replace("<th>", '<th scope="col">') + "<tbody>" + body if body else table
    figures = re.compile(r"^\W*\d")  # '12 of 12', '+£0.52bn', '0.3 share': a cell starting with a figure
    words = [k for k, column in enumerate(frame.columns) if k and
             sum(bool(figures.match(str(v))) for v in frame[column] if str(v) not in ("", "nan")) * 2
             < frame[column].notna().sum()]
    for k in words:  # the k-th cell of every row (the first is the row's header)
        table = re.sub(r"(<tr[^>]*>\s*(?:<t[hd][^>]*>.*?</t[hd]>\s*){%d})<t([hd])( scope=\"col\")?>" % k,
                       r'\1<t\2\3 class="words">', table, flags=re.S)
    table = table.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)
    return f'<div class="scroll">{table}</div>'
