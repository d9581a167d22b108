"""The reference commands of `twin`: the parameter table (`twin params`), the levers (`twin levers`)
and the model documentation's generated parts (`twin docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

from twin.errors import UserError


def cmd_params(args) -> int:
    from twin.parameters import format_value, markdown_table, table_rows

    rows = table_rows(args.group)
    if not rows:
        from twin.errors import did_you_mean
        from twin.parameter_table import PARAMETER_TABLE

        groups = sorted({p.group for p in PARAMETER_TABLE})
        raise UserError(f"--group: unknown group '{args.group}'{did_you_mean(args.group, groups, cutoff=0.7)} "
                        f"(groups: {', '.join(groups)})")
    from twin.cli_research import project_default
    from twin.targets import fitted_to, fitted_words

    fitted = fitted_to(project_default("calibration/targets.toml", "calibration/targets.toml"))  # set to fit them
    if args.markdown:
        print(markdown_table(rows, fitted))
        return 0
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["name", "value", "unit", "low", "high", "group", "provenance", "fitted_to", "source", "description"])
        for p in rows:
            writer.writerow([p.name, p.value, p.unit, p.low, p.high, p.group, p.provenance,
                             ";".join(fitted.get(p.name, [])), p.source, p.description])
        return 0
    print("Each parameter: value, unit, plausible range, and its source ('source 000' to 'source 004' are the "
          "project's source documents, listed at the end; 'assumption' marks a value no source gives).")
    group = None
    for p in rows:
        if p.group != group:
            group = p.group
            print(f"\n[{group}]")
        tags = [p.provenance] if p.provenance != "sourced" else []  # sourced is the rule; the others are named
        if p.name in fitted:
            tags.append(fitted_words(p.provenance, fitted[p.name]))
        flag = f"  ({'; '.join(tags)})" if tags else ""
        print(f"  {p.name} = {format_value(p.value)} {p.unit}   range {format_value(p.low)} to {format_value(p.high)}{flag}")
        print(f"      {p.description}. Source: {p.source}")
    _print_source_documents()
    return 0


def _print_source_documents() -> None:
    from twin.parameter_table import SOURCE_DOCUMENTS

    print("\nSources cited as 'source 000' to 'source 004' are the project's source documents:")
    for key, title in SOURCE_DOCUMENTS.items():
        print(f"  {key}: {title}")


def cmd_levers(args) -> int:
    from twin.interventions import lever_catalogue

    catalogue = lever_catalogue()
    if not catalogue:
        print("No levers are registered.")
        return 0
    from twin.group_selection import LIST_KEYS

    print("Levers that list 'groups' below take a selection of groups: groups = { markets = [...], types = [...], "
          "reach = [...], violence = [...], county_lines = true or false, exploit_children = true or false, "
          "top_harm = N, ocg_ids = [ids of your register] or \"file.csv\" }, with the names\n"
          + "\n".join(f"    {key}: {', '.join(names)}" for key, names in LIST_KEYS.items()))
    print("Every lever also takes: name (its cost line, lever_cost_gbp_<name>; needed for two of one type), "
          "start_year and duration_years or end_year (years from the start of year 1), intensity (scales effects "
          "and cost), and, unless national, one of areas, regions, nations or top_harm_areas (README, 'Scenarios')")
    print("'spent by' below: whose budget each lever's money falls on, an assumption (metrics "
          "lever_spending_gbp_forces, _rocus, _nca, _courts, _prisons and _other)")
    print("[drawn] marks the assumed effect sizes and costs `twin compare --uncertain-levers` draws in each "
          "replicate from their ranges; the others say what the policy is (size, timing, budget) or have a source")
    from twin.interventions import LEVER_TYPES
    from twin.lever_uncertainty import drawn_settings

    for lever in catalogue:
        drawn = {p.name for p in drawn_settings(LEVER_TYPES[lever["type"]])}
        print(f"\n{lever['type']}: {lever['summary']}")
        print(f"    spent by: {lever['paid_by']}")
        if lever["groups"]:
            print("    groups = { ... }  (optional for all but tasking_priority: the groups it acts on; see above "
                  "and docs/ODD.md, 3.4)")
        for name, spec in lever["settings"].items():
            print(f"    {name} = {spec}{' [drawn]' if name in drawn else ''}")
    _print_source_documents()
    return 0


def default_odd_path() -> Path:
    """The ODD document `twin docs` updates by default: this package's project's (whichever folder
    the command runs in), else `docs/ODD.md` in the current folder (a package installed alone)."""
    project = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
    return project if project.exists() else Path("docs/ODD.md")


def cmd_docs(args) -> int:
    from twin.odd import update

    path = Path(args.path) if args.path else default_odd_path()
    if not path.exists():
        raise UserError(f"{path}: not found (run from the project folder or give --path)")
    changed = update(path)
    print(f"{path}: {'updated' if changed else 'already up to date'}")
    return 0
