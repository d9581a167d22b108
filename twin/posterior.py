"""A calibration's posterior sample as `twin compare --posterior` uses it: read and checked (every
value like a scenario's override), draws beyond the plausible ranges remarked on, what it was
fitted to (the `fit.json` beside it), and each replicate's draw, the same for every scenario.

A sample is either equally weighted rows (`posterior.csv`, a resample with replacement) or the
weighted particles themselves (`particles.csv`, with a `weight` column): a replicate then draws a
particle with probability its weight, which is the posterior the resample approximates, without
the resample's own noise (a 200-row resample of the particles holds some particles several
times and leaves others out)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

#: the column of a calibration's particles.csv holding each particle's (ABC-SMC importance) weight
WEIGHT = "weight"


def parameter_columns(sample) -> list[str]:
    """The parameters a sample draws (every column but the weights)."""
    return [column for column in sample.columns if column != WEIGHT]


def sample_weights(sample) -> np.ndarray | None:
    """Each row's probability of being drawn (the weights, normalised), or None for equal weights."""
    if WEIGHT not in sample.columns:
        return None
    weights = sample[WEIGHT].to_numpy(dtype=float)
    return weights / weights.sum()


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles) -> np.ndarray:
    """Quantiles of weighted particles, from their cumulative distribution: each quantile q is the
    smallest value whose cumulative weight share reaches q (a particle holding most of the weight
    is every quantile it spans; integer weights act as repeated particles)."""
    order = np.argsort(values, kind="stable")
    values, weights = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cumulative = np.cumsum(weights) / weights.sum()
    at = np.searchsorted(cumulative, np.asarray(quantiles, dtype=float) - 1e-12, side="left")
    return values[np.minimum(at, values.size - 1)]


def posterior_interval(sample, name: str) -> tuple[float, float]:
    """A parameter's 90% credible interval in a sample: its 5th and 95th percentiles (weighted
    quantiles of particles)."""
    values, weights = sample[name].to_numpy(dtype=float), sample_weights(sample)
    if weights is None:
        low, high = np.quantile(values, [0.05, 0.95])
    else:
        low, high = weighted_quantiles(values, weights, [0.05, 0.95])
    return float(low), float(high)


#: a correlation in a posterior sample beyond which drawing its parameters independently is warned of
CORRELATION_WARNED = 0.3


def correlation_warnings(sample, names: list[str], where: str) -> list[str]:
    """Pairs of `names` that correlate in the posterior `sample` (weighted for particles) by more than
    `CORRELATION_WARNED`: a sensitivity design drawing them independently over their intervals gives
    weight to combinations the posterior rejects, and attributes variance to each alone."""
    weights = sample_weights(sample)
    warnings = []
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            pair = sample[[first, second]].to_numpy(dtype=float).T
            covariance = np.cov(pair, aweights=weights)
            r = covariance[0, 1] / np.sqrt(covariance[0, 0] * covariance[1, 1])
            if abs(r) > CORRELATION_WARNED:
                warnings.append(f"{where}: {first} and {second} correlate at {r:+.2f} in the posterior sample; drawn "
                                f"independently over their 90% intervals, the design weights combinations the "
                                f"posterior makes rare, and the indices split between them what the targets tie "
                                f"together (vary one of them, or read their indices as a pair)")
    return warnings


def load_posterior(path: str, label: str | None = None):
    """A posterior sample: one row per draw, one column per parameter (validated by name), and
    optionally a `weight` column (a calibration's particles.csv: non-negative, not all zero). Errors
    name it as `label` (default: the `--posterior` option with the path) and give the file's line
    numbers (the header is row 1; blank lines are skipped but counted), as `csv_input.read_records` reads it."""
    import io

    import pandas as pd

    from twin.csv_input import plain_number, read_records
    from twin.errors import UserError, did_you_mean
    from twin.parameter_table import PARAMETER_TABLE
    from twin.parameters import Parameters

    label = label or f"--posterior '{path}'"
    names = [p.name for p in PARAMETER_TABLE]

    def check_header(header: list[str]) -> None:
        if not header:
            raise UserError(f"{label}: the file is empty (expected a header of parameter names "
                            f"and one row per draw, as calibration/posterior.csv)")
        if header[0].lstrip().startswith(("{", "[")):  # fit.json (or another JSON file) given for the sample
            raise UserError(f"{label}: a JSON file; expected a CSV sample, a header of parameter names and one row "
                            f"per draw (calibration/posterior.csv; a calibration writes posterior.csv beside its "
                            f"fit.json)")
        from twin.csv_input import other_separator

        if (separated := other_separator(header)) is not None:
            raise UserError(f"{label}, header: {separated}")
        header = _named(header)  # a spreadsheet's empty columns at the end (checked empty below)
        repeated = [name for k, name in enumerate(header) if name in header[:k]]
        if repeated:
            raise UserError(f"{label}, header: column {repeated[0]!r} appears more than once (one "
                            f"column per parameter)")
        for position, column in enumerate(header, start=1):  # every name, in the header, before any value
            if not column:
                raise UserError(f"{label}, header: column {position} has no name (a comma too many in the "
                                f"header?); one column per parameter, each named")
            if column not in names and column != WEIGHT:
                raise UserError(f"{label}, header: unknown parameter {column!r}"
                                f"{did_you_mean(column, names)} (run 'twin params' for the list, or "
                                f"'{WEIGHT}' for the particles' weights)")
        if header == [WEIGHT]:
            raise UserError(f"{label}, header: only weights: expected a column per parameter beside '{WEIGHT}'")

    header, rows = read_records(path, label, UserError, word="row", check_header=check_header)
    if not rows:
        raise UserError(f"{label}: no draws")
    width = len(_named(header))
    for line, fields in rows:
        extra = next((k for k, cell in enumerate(fields[width:], start=width + 1) if cell.strip()), None)
        if extra is not None:
            raise UserError(f"{label}, row {line}: a value in column {extra}, which the header does not name")
    # numbers as a spreadsheet shows them ("1,250.5"), read as written
    header, rows = header[:width], [(line, [plain_number(cell) for cell in fields[:width]]) for line, fields in rows]
    for line, fields in rows:
        empty = [column for column, cell in zip(header, fields) if not cell.strip()]
        if empty:
            raise UserError(f"{label}, row {line}, column {empty[0]!r}: no value (expected a number)")
    # pandas reads the checked records, as it would the file, but without turning text such as NA into NaN
    text = io.StringIO()
    csv.writer(text).writerows([header] + [fields for _, fields in rows])
    frame = pd.read_csv(io.StringIO(text.getvalue()), keep_default_na=False, na_values=[])
    lines = [line for line, _ in rows]
    if WEIGHT in frame.columns:
        _check_weights([fields[header.index(WEIGHT)] for _, fields in rows], lines, label)
    for column in parameter_columns(frame):  # every value checked like a scenario override
        values = frame[column].tolist()
        if not pd.api.types.is_numeric_dtype(frame[column]):  # text in the column: name the first cell not a number
            numbers = pd.to_numeric(frame[column], errors="coerce")
            bad = int(numbers.isna().to_numpy().nonzero()[0][0]) if numbers.isna().any() else None
            if bad is not None:
                Parameters({column: values[bad]}, where=f"{label}, row {lines[bad]}")
            values = numbers.tolist()
        for line, value in zip(lines, values):
            Parameters({column: value}, where=f"{label}, row {line}")
    frame.attrs["lines"] = lines  # each draw's line in the file, for `check_draws_together`
    return frame


def check_draws_together(sample, label: str, scenarios: list) -> None:
    """Each draw with each scenario's own values (which a scenario keeps over the sample's) checked
    together (`check_consistency`) before any run: values each valid that cannot hold together (a
    share of serious violence above that of violence) would otherwise fail every run given that draw,
    and leave the report to the draws that did not. Errors name the draw's line and the scenario
    whose values it clashes with, when the scenario sets any of the values named."""
    from twin.errors import ParameterError
    from twin.parameter_rules import check_consistency
    from twin.parameters import Parameters

    columns = parameter_columns(sample)
    lines = sample.attrs.get("lines") or []
    if len(lines) != len(sample):  # not the sample as read (a part of it): its draws by position
        lines = [k + 2 for k in range(len(sample))]
    rows = sample[columns].to_dict("records")
    own = {}  # scenarios with the same values of their own are checked once
    for scenario in scenarios:
        own.setdefault(tuple(sorted((k, repr(v)) for k, v in scenario.parameters.items())), scenario)
    for scenario in own.values():
        for line, row in zip(lines, rows):
            try:
                check_consistency(Parameters({**row, **scenario.parameters}), "")
            except ParameterError as exc:
                why = str(exc).removeprefix(": ")
                theirs = [name for name in scenario.parameters if f"{name} =" in why]
                clash = f" with {scenario.path}'s {', '.join(theirs)}" if theirs else ""
                raise ParameterError(f"{label}, row {line}{clash}: {why}") from None


def _named(header: list[str]) -> list[str]:
    """The header without the columns with no name at its end (a spreadsheet's empty columns)."""
    while header and not header[-1]:
        header = header[:-1]
    return header


def _check_weights(cells: list[str], lines: list[int], label: str) -> None:
    """Particle weights (the file's text): numbers, none negative, not all zero."""
    from twin.errors import UserError

    def number(cell: str) -> float:
        try:
            return float(cell)
        except ValueError:
            return float("nan")

    numbers = np.array([number(cell) for cell in cells])
    bad = (~np.isfinite(numbers) | (numbers < 0)).nonzero()[0]
    if bad.size:
        raise UserError(f"{label}, row {lines[bad[0]]}, column '{WEIGHT}': expected a non-negative number (the "
                        f"particle's weight), got {cells[bad[0]].strip()!r}")
    with np.errstate(over="ignore"):
        total = numbers.sum()
    if not np.isfinite(total):
        raise UserError(f"{label}, column '{WEIGHT}': the weights are too large to add up (largest "
                        f"{numbers.max():g}); expected the particles' weights, as particles.csv holds them")
    if total <= 0:
        raise UserError(f"{label}, column '{WEIGHT}': every weight is zero (expected the particles' weights, "
                        f"as particles.csv holds them)")


def posterior_warnings(frame, path: str) -> list[str]:
    """Parameters of a posterior sample with draws beyond the parameter table's plausible range
    (allowed, as in a scenario, but worth a remark before the runs), and a sample that is less than
    the fit written beside it (`_incomplete`)."""
    from twin.parameters import Parameters, format_value

    defaults, warnings = Parameters(), []
    what = "particles" if WEIGHT in frame.columns else "draws"
    for column in parameter_columns(frame):
        row = defaults.spec(column)
        values = frame[column].to_numpy(dtype=float)
        beyond = (values < row.low) | (values > row.high)
        if beyond.any():
            warnings.append(f"--posterior '{path}': {column}: {int(beyond.sum())} of {values.size} {what} are beyond "
                            f"its plausible range, {format_value(row.low)} to {format_value(row.high)} "
                            f"(from {format_value(values.min())} to {format_value(values.max())})")
    return warnings + _incomplete(frame, path)


def _incomplete(frame, path: str) -> list[str]:
    """A sample that is less than the fit beside it (`fit.json`): calibrated parameters missing (each
    left at its default, though the fit drew them jointly), or a `particles.csv` without its weights
    (drawn equally likely, which is another distribution)."""
    try:
        fitted = [p["name"] for p in (_fit_beside(path) or {}).get("settings", {}).get("priors") or []]
    except (AttributeError, TypeError, KeyError):  # a fit.json of another shape
        fitted = []
    warnings = []
    missing = [name for name in fitted if name not in frame.columns]
    if missing:
        warnings.append(f"--posterior '{path}': the fit beside it (fit.json) calibrated {len(fitted)} parameters "
                        f"together, but the sample lacks {', '.join(missing)}: each stays at its default in every "
                        f"run while the others are drawn, which is not the fitted joint posterior")
    if Path(path).name == "particles.csv" and WEIGHT not in frame.columns:
        warnings.append(f"--posterior '{path}': particles without their '{WEIGHT}' column are drawn equally likely, "
                        f"which is not the fit's posterior: keep the column, or use the equally weighted "
                        f"posterior.csv")
    return warnings


def _fit_beside(path: str):
    """The `fit.json` `twin calibrate` wrote beside a posterior sample, as read (None when there is
    none, or it is not JSON)."""
    try:
        return json.loads((Path(path).parent / "fit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


#: the posterior sample the project ships (`calibration/posterior.csv`), fitted by an earlier version
SHIPPED_POSTERIOR = Path(__file__).resolve().parent.parent / "calibration" / "posterior.csv"


def is_shipped(path: str | None) -> bool:
    """Whether `path` is the project's shipped posterior sample (which has no fit.json beside it)."""
    try:
        return bool(path) and Path(path).resolve() == SHIPPED_POSTERIOR
    except OSError:
        return False


def posterior_fit(path: str, code: str) -> tuple[dict | None, str | None]:
    """What a posterior sample was fitted to, from the `fit.json` `twin calibrate` wrote beside it
    (None when there is none, or it is unreadable or of another shape): its targets, scenario and model
    source hash; and a warning when that hash is not `code` (the sample was calibrated to another
    model), or when the version that fitted it cannot be known."""
    fit = _fit_beside(path)
    settings = fit.get("settings") if isinstance(fit, dict) else None
    made_by = fit.get("code") if isinstance(fit, dict) else None
    if not isinstance(settings, dict) or not isinstance(made_by, (dict, type(None))):
        beside = Path(path).parent / "fit.json"
        if beside.exists():
            what = ("cannot be read as JSON" if fit is None else
                    "is not one `twin calibrate` wrote (expected an object with a 'settings' table and a 'code' table)")
            return None, (f"--posterior '{path}': the fit.json beside it {what}, so the model version that fitted the "
                          f"sample cannot be checked against this one; its draws may have been calibrated to another")
        if is_shipped(path):
            return None, (f"--posterior '{path}': the shipped sample was fitted by an earlier version of the model "
                          f"(docs/ODD.md, section 3.7, gives that fit and a refit on this version), and by an "
                          f"epsilon that makes it narrower than the targets' tolerances justify (a kernel fit's "
                          f"particles.csv, ODD section 3.7, carries the wider uncertainty)")
        return None, (f"--posterior '{path}': no fit.json from `twin calibrate` beside it, so the model version "
                      f"that fitted it cannot be checked against this one; its draws may have been calibrated to "
                      f"another")
    fitted_by = (made_by or {}).get("code_hash")
    found = {"fit": str(Path(path).parent / "fit.json"), "targets": settings.get("targets"),
             "scenario": settings.get("scenario_file") or settings.get("scenario"),  # (the file; before, its name)
             "method": settings.get("method"), "code": fitted_by if isinstance(fitted_by, str) else None}
    note = (f"--posterior '{path}': fitted by a model whose source hash is {found['code']}, not this code's ({code}) "
            f"(fit.json beside it): its draws were calibrated to another version of the model; fit it again with "
            f"`twin calibrate`") if found["code"] and found["code"] != code else (
        f"--posterior '{path}': the fit.json beside it does not say which model fitted the sample (no code hash), so "
        f"it cannot be checked against this one; its draws may have been calibrated to another") if not found["code"] \
        else None
    return found, note


#: entropy that keeps the posterior draws' streams apart from the replicates' model seeds
POSTERIOR_ENTROPY = 0x706F7374


def posterior_draws(posterior, root_seed: int, reps: int) -> list[dict[str, float]]:
    """The posterior draw of each replicate: the same for every scenario (paired), and for a
    replicate whatever the number of replicates (a row drawn from the replicate's own stream), so
    that more replicates extend an experiment rather than redraw it. Rows are equally likely, or
    as likely as their weights in a sample of weighted particles."""
    weights, columns = sample_weights(posterior), parameter_columns(posterior)
    streams = [np.random.default_rng(np.random.SeedSequence([POSTERIOR_ENTROPY, root_seed, rep]))
               for rep in range(reps)]
    rows = [stream.integers(len(posterior)) if weights is None else stream.choice(len(posterior), p=weights)
            for stream in streams]
    return [{k: float(posterior[k].iloc[r]) for k in columns} for r in rows]


def read_sample(path: str, scenarios: list, code: str):
    """A posterior sample for `--posterior`, read and checked with the scenarios' own values, its
    warnings and the fit beside it said (against the model source hash `code`): the sample, its
    hash (what an experiment's key holds) and the fit it came from (`posterior_fit`)."""
    import hashlib
    import sys

    sample = load_posterior(path)
    check_draws_together(sample, f"--posterior '{path}'", scenarios)
    fit, note = posterior_fit(path, code)
    for warning in posterior_warnings(sample, path) + ([note] if note else []):
        print(f"Warning: {warning}.", file=sys.stderr)
    return sample, hashlib.sha256(sample.to_csv(index=False).encode()).hexdigest()[:16], fit


def scenario_draws(path: str, scenario, root_seed: int, reps: int, code: str) -> tuple[list[dict[str, float]], dict]:
    """Each replication's parameters drawn from the posterior sample at `path` for one scenario, as
    `twin compare --posterior` draws them (the same draw for replicate i whatever the number of
    replicates; the scenario keeps the calibrated values it sets itself), and what they came from:
    the sample's hash, the parameters drawn and those the scenario holds. Warnings are printed."""
    sample, digest, _ = read_sample(path, [scenario], code)
    held = sorted(set(parameter_columns(sample)) & set(scenario.parameters))
    draws = [{k: v for k, v in draw.items() if k not in held} for draw in posterior_draws(sample, root_seed, reps)]
    about = {"posterior": path, "posterior_hash": digest, "drawn": sorted(set(parameter_columns(sample)) - set(held)),
             "held": held}
    return draws, about
