"""The names a comparison's report gives its scenarios: each scenario's `title` ([scenario] title =
"Clear, Hold, Build"), for readers of the report, where its `name` (clear_hold_build) is what
commands, files and the results' tables use.

The report is written from a copy of the comparison in which every scenario's name is replaced by
its title (`titled`), so that its sentences, tables and charts all say the same; the list of the
scenarios compared and their assumptions give both. A scenario without a title, or stored before
scenarios had titles, keeps its name; so do scenarios whose titles would be confused (two the same,
or a title that is another scenario's name).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pandas as pd

#: the comparison's table columns holding scenario names (`compare.Comparison`)
SCENARIO_COLUMNS = ("scenario", "above", "against")
#: the comparison's dictionaries keyed by scenario name
SCENARIO_KEYED = ("reps", "posterior_held", "lever_held", "parameters", "lever_types", "spin_up_years", "lever_names",
                  "lever_keys")


def scenario_titles(scenarios: pd.DataFrame) -> dict[str, str]:
    """name -> the name the report gives it, from the stored scenarios (`Store.scenarios_frame`)."""
    titles = {str(row["name"]): (json.loads(row["resolved_json"]).get("title") or str(row["name"]))
              for _, row in scenarios.iterrows()}
    counts = Counter(titles.values())
    return {name: title if counts[title] == 1 and (title == name or title not in titles) else name
            for name, title in titles.items()}


def titled(comparison, titles: dict[str, str]):
    """A copy of `comparison` (`compare.Comparison`) with each scenario named by its title."""
    if all(name == title for name, title in titles.items()):
        return comparison
    rename = lambda name: titles.get(name, name)  # noqa: E731
    changes = {"scenarios": [rename(name) for name in comparison.scenarios], "baseline": rename(comparison.baseline)}
    for field in dataclasses.fields(comparison):
        value = getattr(comparison, field.name)
        if field.name in SCENARIO_KEYED:
            changes[field.name] = {rename(name): item for name, item in value.items()}
        elif isinstance(value, pd.DataFrame) and any(column in value.columns for column in SCENARIO_COLUMNS):
            changes[field.name] = value.assign(**{column: value[column].map(rename, na_action="ignore")
                                                  for column in SCENARIO_COLUMNS if column in value.columns})
        elif isinstance(value, pd.DataFrame) and "scenario" in (value.index.names or ()):  # `wide`: an index level
            changes[field.name] = value.rename(index=rename, level="scenario")
    return dataclasses.replace(comparison, **changes)


def titled_scenarios(scenarios: pd.DataFrame) -> pd.DataFrame:
    """The stored scenarios with `name` as the report gives it and `code_name` the scenario's own."""
    titles = scenario_titles(scenarios)
    return scenarios.assign(code_name=scenarios["name"], name=scenarios["name"].map(titles))


def named(row: pd.Series, role: str = "") -> str:
    """A titled scenario's row (`titled_scenarios`) as the report heads it: its title, then `role` if
    given and its own name where that differs (as commands and the results' tables know it)."""
    import html

    title, name = html.escape(str(row["name"])), html.escape(str(row["code_name"]))
    said = ([role] if role else []) + ([] if title == name else [f"<code>{name}</code> in commands and the CSV"])
    return f"<strong>{title}</strong>" + (f" ({', '.join(said)})" if said else "")
