"""Keeps the generated parts of docs/ODD.md in sync with the code.

Four blocks of the ODD are generated: the step order (from `TwinModel`'s docstring), the
parameter table (from `parameter_table.py`), the output metrics (from `results.py`) and the
lever catalogue with every effect size's range and source (from the lever modules,
`interventions.LEVER_MODULES`).
`twin docs` rewrites them; a test fails when the file and the code disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

from twin.parameters import markdown_table

BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)",
                   re.DOTALL)


def step_order_markdown() -> str:
    from twin.model import TwinModel

    doc = TwinModel.__doc__ or ""
    start = doc.index("1. Interventions")
    end = doc.index("Args:")
    lines = [line[4:] if line.startswith("    ") else line for line in doc[start:end].rstrip().splitlines()]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def metrics_markdown() -> str:
    from twin.results import METRICS

    lines = ["| metric | unit | per area | UK row | description |", "|---|---|---|---|---|"]
    for m in METRICS:
        uk = m.uk_row or ("sum of areas" if m.aggregate == "sum" else "population-weighted mean")
        if not m.per_area:
            uk = "national only"
        lines.append(f"| `{m.name}` | {m.unit} | {'yes' if m.per_area else 'no'} | {uk} | {m.description} |")
    return "\n".join(lines) + "\n"


def levers_markdown() -> str:
    """One subsection per lever: what it does, and each effect size with its range and source."""
    from twin.interventions import LEVER_TYPES

    parts = []
    for name, cls in LEVER_TYPES.items():
        scope = "national" if cls.national else "targets areas (areas, regions, nations or top_harm_areas)"
        if cls.acts_on_groups:
            scope += ", and a selection of groups (groups)"
        parts.append(f"#### `{name}` ({scope})\n\n{cls.summary}. Spent by: {cls.payer_phrase()} (assumed).\n")
        if cls.settings:
            parts.append(markdown_table(list(cls.settings)))
        parts.append("")
    return "\n".join(parts) + "\n"


def generated_blocks() -> dict[str, str]:
    from twin.targets import fitted_to

    fitted = fitted_to(Path(__file__).resolve().parents[1] / "calibration" / "targets.toml")  # {} without it
    return {"step-order": step_order_markdown(), "parameters": markdown_table(None, fitted) + "\n",
            "metrics": metrics_markdown(), "levers": levers_markdown()}


def render(text: str) -> str:
    blocks = generated_blocks()

    def replace(match: re.Match) -> str:
        name = match.group("name")
        body = blocks.get(name, match.group("body"))
        return f"{match.group(1)}{body}{match.group(4)}"

    return BLOCK.sub(replace, text)


#: a marker as it may be mistyped (spacing, case); each must be written exactly as `BLOCK` reads it
MARKER = re.compile(r"<!--\s*(BEGIN|END)\s*GENERATED\s*:?\s*(\S*?)\s*-->", re.IGNORECASE)


def _check_markers(path: Path, text: str) -> None:
    """Every generated block named as the code names it, opened once and closed: a misspelt or an
    unclosed marker would leave its block as it was, and the file be said to be up to date."""
    from twin.errors import UserError, did_you_mean

    names = list(generated_blocks())
    opened: dict[str, int] = {}
    for match in MARKER.finditer(text):
        kind, name = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        exact = f"<!-- {kind.upper()} GENERATED: {name} -->"
        if match.group(0) != exact or (kind.upper() == "BEGIN" and not text.startswith("\n", match.end())):
            raise UserError(f"--path '{path}', line {line}: {match.group(0)!r}: expected {exact!r}, on a line "
                            f"of its own")
        kind = kind.upper()
        if name not in names:
            raise UserError(f"--path '{path}', line {line}: unknown generated block {name!r}"
                            f"{did_you_mean(name, names)} (expected one of: {', '.join(names)})")
        if kind == "BEGIN":
            if opened:
                inside = next(iter(opened))
                raise UserError(f"--path '{path}', line {line}: block {name!r} begun inside block {inside!r} "
                                f"(line {opened[inside]}), before its <!-- END GENERATED: {inside} -->")
            opened[name] = line
        elif opened.pop(name, None) is None:
            raise UserError(f"--path '{path}', line {line}: <!-- END GENERATED: {name} --> with no BEGIN before it")
    for name, line in opened.items():
        raise UserError(f"--path '{path}', line {line}: block {name!r} has no <!-- END GENERATED: {name} -->")


def update(path: Path) -> bool:
    """Rewrite the generated blocks in place; True if the file changed. A folder, a file that is
    not UTF-8 or one without a generated block (not the ODD) is a user error, left as it is."""
    from twin.errors import UserError

    if path.is_dir():
        raise UserError(f"--path '{path}': is a folder; give the ODD document (docs/ODD.md)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"--path '{path}': not UTF-8 text (byte {exc.start}); expected the ODD document "
                        f"(docs/ODD.md)") from None
    if not BLOCK.search(text):
        raise UserError(f"--path '{path}': no generated blocks (<!-- BEGIN GENERATED: name --> ... "
                        f"<!-- END GENERATED: name -->); expected the ODD document (docs/ODD.md)")
    _check_markers(path, text)
    new = render(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
