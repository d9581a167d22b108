"""A calibration's posterior sample as `twin compare --posterior` uses it: read and checked (every
value like a scenario's override), draws beyond the plausible ranges remarked on, what it was
fitted to (the `fit.json` beside it), and each replicate's draw, the same for every scenario."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np


def load_posterior(path: str, label: str | None = None):
    """A posterior sample: one row per draw, one column per parameter (validated by name). Errors
    name it as `label` (default: the `--posterior` option with the path) and give the file's line
    numbers (the header is row 1; blank lines are skipped but counted), as `csv_input.read_records` reads it."""
    import io

    import pandas as pd

    from twin.csv_input import read_records
    from twin.errors import UserError, did_you_mean
    from twin.parameter_table import PARAMETER_TABLE
    from twin.parameters import Parameters

    label = label or f"--posterior '{path}'"
    names = [p.name for p in PARAMETER_TABLE]

    def check_header(header: list[str]) -> None:
        if not header:
            raise UserError(f"{label}: the file is empty (expected a header of parameter names "
                            f"and one row per draw, as calibration/posterior.csv)")
        repeated = [name for k, name in enumerate(header) if name in header[:k]]
        if repeated:
            raise UserError(f"{label}, header: column {repeated[0]!r} appears more than once (one "
                            f"column per parameter)")
        for position, column in enumerate(header, start=1):  # every name, in the header, before any value
            if not column:
                raise UserError(f"{label}, header: column {position} has no name (a comma too many in the "
                                f"header?); one column per parameter, each named")
            if column not in names:
                particles = ("; the file looks like a calibration's particles.csv (weighted draws): give the "
                             "posterior.csv written beside it" if column == "weight" else "")
                raise UserError(f"{label}, header: unknown parameter {column!r}"
                                f"{did_you_mean(column, names)} (run 'twin params' for the list){particles}")

    header, rows = read_records(path, label, UserError, word="row", check_header=check_header)
    if not rows:
        raise UserError(f"{label}: no draws")
    for line, fields in rows:
        empty = [column for column, cell in zip(header, fields) if not cell.strip()]
        if empty:
            raise UserError(f"{label}, row {line}, column {empty[0]!r}: no value (expected a number)")
    # pandas reads the checked records, as it would the file, but without turning text such as NA into NaN
    text = io.StringIO()
    csv.writer(text).writerows([header] + [fields for _, fields in rows])
    frame = pd.read_csv(io.StringIO(text.getvalue()), keep_default_na=False, na_values=[])
    lines = [line for line, _ in rows]
    for column in frame.columns:  # every value checked like a scenario override
        values = frame[column].tolist()
        if not pd.api.types.is_numeric_dtype(frame[column]):  # text in the column: name the first cell not a number
            numbers = pd.to_numeric(frame[column], errors="coerce")
            bad = int(numbers.isna().to_numpy().nonzero()[0][0]) if numbers.isna().any() else None
            if bad is not None:
                Parameters({column: values[bad]}, where=f"{label}, row {lines[bad]}")
            values = numbers.tolist()
        for line, value in zip(lines, values):
            Parameters({column: value}, where=f"{label}, row {line}")
    return frame


def posterior_warnings(frame, path: str) -> list[str]:
    """Parameters of a posterior sample with draws beyond the parameter table's plausible range
    (allowed, as in a scenario, but worth a remark before the runs)."""
    from twin.parameters import Parameters, format_value

    defaults, warnings = Parameters(), []
    for column in frame.columns:
        row = defaults.spec(column)
        values = frame[column].to_numpy(dtype=float)
        beyond = (values < row.low) | (values > row.high)
        if beyond.any():
            warnings.append(f"--posterior '{path}': {column}: {int(beyond.sum())} of {values.size} draws are beyond "
                            f"its plausible range, {format_value(row.low)} to {format_value(row.high)} "
                            f"(from {format_value(values.min())} to {format_value(values.max())})")
    return warnings


def posterior_fit(path: str, code: str) -> tuple[dict | None, str | None]:
    """What a posterior sample was fitted to, from the `fit.json` `twin calibrate` wrote beside it
    (None when there is none, or it is unreadable): its targets, scenario and model source hash;
    and a warning when that hash is not `code` (the sample was calibrated to another model)."""
    try:
        fit = json.loads((Path(path).parent / "fit.json").read_text(encoding="utf-8"))
        settings = fit.get("settings") or {}
    except (OSError, ValueError, AttributeError):
        return None, None
    found = {"fit": str(Path(path).parent / "fit.json"), "targets": settings.get("targets"),
             "scenario": settings.get("scenario_file") or settings.get("scenario"),
             "method": settings.get("method"), "code": (fit.get("code") or {}).get("code_hash")}
    note = (f"--posterior '{path}': fitted by a model whose source hash is {found['code']}, not this code's ({code}) "
            f"(fit.json beside it): its draws were calibrated to another version of the model; fit it again with "
            f"`twin calibrate`") if found["code"] and found["code"] != code else None
    return found, note


#: entropy that keeps the posterior draws' streams apart from the replicates' model seeds
POSTERIOR_ENTROPY = 0x706F7374


def posterior_draws(posterior, root_seed: int, reps: int) -> list[dict[str, float]]:
    """The posterior draw of each replicate: the same for every scenario (paired), and for a
    replicate whatever the number of replicates (a row drawn from the replicate's own stream), so
    that more replicates extend an experiment rather than redraw it."""
    rows = [np.random.default_rng(np.random.SeedSequence([POSTERIOR_ENTROPY, root_seed, rep])).integers(len(posterior))
            for rep in range(reps)]
    return [{k: float(v) for k, v in posterior.iloc[r].items()} for r in rows]
