"""A scenario's assumptions as the report's 'Assumptions and parameters' lists them: the parameters it
sets (each beside its default, unit, plausible range and source, flagged when beyond that range), and
each lever, with its timing and targets and a table of every effect size and cost it uses (the
scenario's value or the default) with its plausible range and source; a lever made of phases
(Clear-Hold-Build) with its phases'."""

from __future__ import annotations

import html
import json

import pandas as pd

from twin.group_selection import GroupSelection
from twin.report_format import html_table


def lever_block(entry: dict, scale: float = 1.0, drawn: bool = False) -> str:
    """One lever of a scenario in words: its timing and targets, then every effect size and cost it
    uses (the scenario's value or the default), with its range and source; a national amount with
    what it came to in a scaled scenario's areas (`scale`: `scenario.Scenario.national_scale`); with
    `drawn`, the settings each replicate drew from their ranges (`lever_uncertainty`) say so."""
    from twin.interventions import LEVER_TYPES

    cls = LEVER_TYPES.get(entry.get("type"))
    if cls is None:
        return f"<p>Lever: {html.escape(json.dumps(entry))}</p>"
    where = {k: v for k, v in entry.items() if k not in {p.name for p in cls.settings} | {"type", "name"}}
    groups = where.pop("groups", None)
    timing = ", ".join(f"{k} = {html.escape(json.dumps(v))}" for k, v in where.items()) or (
        "from the start, to the end" if cls.national else "in all areas, from the start, to the end")
    timing += f"; {html.escape(GroupSelection.parse(groups, 'report').acting_on(cls.type_name))}" if groups else ""
    name = str(entry.get("name", cls.type_name))
    return (f"<p><strong>{html.escape(name)}</strong>: {html.escape(cls.summary)} ({timing}).</p>"
            + _settings_table(cls, entry, scale, name, drawn) + _phase_blocks(cls, entry, scale, drawn))


def _settings_table(cls, entry: dict, scale: float, name: str, drawn: bool = False) -> str:
    """A lever's settings as a table: the scenario's value or the default, its range and source."""
    from twin.parameters import format_value
    from twin.scenario_levers import NATIONAL_SETTING_UNITS
    from twin.lever_uncertainty import drawn_settings

    varied = {p.name for p in drawn_settings(cls)} if drawn else set()

    rows = pd.DataFrame([{
        "setting": p.description,
        "value": (f"{format_value(entry.get(p.name, p.value))}" if p.unit == "0 or 1"
                  else f"{format_value(entry.get(p.name, p.value))} {p.unit}")
        + (" (set by the scenario)" if p.name in entry else " (drawn: peak of its range)" if p.name in varied else "")
        + (BEYOND if _beyond(entry.get(p.name, p.value), p) else "")
        + (f" for the UK: {format_value(entry.get(p.name, p.value) * scale)} in these areas (scaled by {scale:.3g})"
           if scale != 1.0 and p.unit in NATIONAL_SETTING_UNITS else ""),
        "plausible range": f"{format_value(p.low)} to {format_value(p.high)}", "source": p.source,
    } for p in cls.settings])
    return html_table(rows, f"{name}: its settings")


#: the flag beside a value set beyond its plausible range (the console and run.json warn of it too)
BEYOND = " (beyond its plausible range)"


def _beyond(value, row) -> bool:
    """A number set beyond the plausible range of its parameter or setting (`row`: low, high)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not row.low <= value <= row.high


def parameters_table(parameters: dict, name: str) -> str:
    """The parameters a scenario sets, each beside its default, unit, plausible range and source, a value
    beyond that range flagged (values shown as the scenario gives them)."""
    from twin.parameters import format_value, table_rows

    table = {p.name: p for p in table_rows()}

    def shown(value) -> str:
        return format_value(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else \
            json.dumps(value)

    rows = pd.DataFrame([{
        "parameter": key,
        "value": shown(value) + (BEYOND if key in table and _beyond(value, table[key]) else ""),
        "default": shown(table[key].value) if key in table else "",
        "unit": table[key].unit if key in table else "",
        "plausible range": f"{format_value(table[key].low)} to {format_value(table[key].high)}" if key in table else "",
        "source": table[key].source if key in table else "",
    } for key, value in parameters.items()])
    return html_table(rows, f"{name}: the parameters it sets")


def _phase_blocks(cls, entry: dict, scale: float, drawn: bool = False) -> str:
    """A lever made of phase levers (Clear-Hold-Build: `parts`, a `<phase>_years` setting each) at their
    defaults: each phase it runs, with the effect sizes and costs it takes from that phase's lever."""
    from twin.interventions import LEVER_TYPES

    if not hasattr(cls, "parts"):
        return ""
    years = {p.name.removesuffix("_years"): entry.get(p.name, p.value)
             for p in cls.settings if p.name.endswith("_years")}
    name = str(entry.get("name", cls.type_name))
    return "".join(f"<p>Its {html.escape(phase)} phase ({years_phrase(length)}) takes the effect sizes and costs of "
                   f"the {html.escape(phase)} lever {'drawn around' if drawn else 'at'} their defaults (its effects "
                   f"and cost times the phase's "
                   f"intensity above):</p>"
                   + _settings_table(LEVER_TYPES[phase], {}, scale, f"{name}_{phase}", drawn)
                   for phase, length in years.items() if phase in LEVER_TYPES and float(length) > 0)


def years_phrase(years: float) -> str:
    """'1 year', '2.5 years'."""
    return f"{float(years):g} year{'' if float(years) == 1 else 's'}"
