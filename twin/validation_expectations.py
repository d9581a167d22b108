"""What the literature and the source documents lead one to expect of a validation experiment's
measures, and whether the model's measures agree.

An experiment file may list `[[expect]]` entries, each a measure of its kind with a `low` and/or
`high` bound and the `source` of that expectation (a study, a seed, or an assumption in words):

    [[expect]]
    measure = "months_to_half_recovery"
    high = 6
    source = "studies of drug-market crackdowns report street-level replacement within weeks to months"

A measure agrees when its mean is in the expected range; it is "within 2 se" of it, above or
below, when its mean is outside but two standard errors reach the range (not told apart from it
at the experiment's seeds); outside, above or below, when the mean give or take two standard
errors is wholly beyond the range; undecided when it has no standard error (one seed) and its mean
is outside. An expectation of one value (low = high: a check of the model's own consistency)
can only be "within 2 se" of it or outside. A measure seen in only some seeds
(months to recover, when some never do) is its mean over those seeds, and is said to be so.
"""

from __future__ import annotations

import math
from pathlib import Path

from twin.errors import ScenarioError, did_you_mean, shown

EXPECT_KEYS = ("measure", "low", "high", "source")
#: how many standard errors of a measure's mean still reach the range, for it to agree
AGREEMENT_SE = 2.0


def check_expectations(path: Path, data: dict, kind: str) -> list[dict]:
    """The file's `[[expect]]` entries, each checked: a measure of this kind, a number for `low`
    and/or `high` (low at most high), and a source in words."""
    from twin.validation import MEASURES

    entries = data.get("expect", [])
    if not isinstance(entries, list):
        raise ScenarioError(f"{path}: 'expect' must be a list of tables ([[expect]], with double brackets)")
    checked = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: [[expect]] #{number}"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{where}: expected a table with {', '.join(EXPECT_KEYS)}")
        for key in entry:
            if key not in EXPECT_KEYS:
                raise ScenarioError(f"{where}: unknown key '{key}'{did_you_mean(key, EXPECT_KEYS)} "
                                    f"(expected one of: {', '.join(EXPECT_KEYS)})")
        measure = entry.get("measure")
        if measure not in MEASURES[kind]:
            raise ScenarioError(f"{where}: measure: expected one of a {kind} experiment's measures "
                                f"({', '.join(MEASURES[kind])}), got {shown(measure)}"
                                f"{did_you_mean(str(measure), MEASURES[kind])}")
        bounds = {}
        for key in ("low", "high"):
            if key in entry:
                value = entry[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise ScenarioError(f"{where}: {key}: expected a number, got {shown(value)}")
                bounds[key] = float(value)
        if not bounds:
            raise ScenarioError(f"{where}: give low, high or both (the range the measure is expected in)")
        if bounds.get("low", -math.inf) > bounds.get("high", math.inf):
            raise ScenarioError(f"{where}: low ({bounds['low']:g}) is above high ({bounds['high']:g})")
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ScenarioError(f"{where}: source: expected where the expectation comes from, in words "
                                f"(a study, a seed, or 'assumption: ...'), got {shown(source)}")
        checked.append({"measure": measure, "low": bounds.get("low"), "high": bounds.get("high"),
                        "source": source.strip()})
    return checked


def verdict(value: dict, expected: dict) -> str:
    """For a summarised measure (`validation.summarise`'s mean, se and seeds observed) against an
    expectation: 'agrees' (its mean in the range), 'within 2 se, above' (or below: its mean
    outside, but not told apart from the range), 'outside, above' (or below), 'undecided (one
    seed)', or 'not reached' when the measure was seen in no seed."""
    mean, se = value["mean"], value["se"]
    if not value["seeds_observed"] or not math.isfinite(mean):
        return "not reached"
    low = -math.inf if expected["low"] is None else expected["low"]
    high = math.inf if expected["high"] is None else expected["high"]
    if low <= mean <= high:
        return "agrees"
    if not math.isfinite(se):
        return "undecided (one seed)"
    side = "below" if mean < low else "above"
    if mean + AGREEMENT_SE * se < low or mean - AGREEMENT_SE * se > high:
        return f"outside, {side}"
    return f"within 2 se, {side}"


def judged(expectations: list[dict], measures: dict, reps: int) -> list[dict]:
    """Each expectation with the measure's mean, se and verdict (and the seeds it was seen in when
    not all), for validation.json and the console."""
    out = []
    for expected in expectations:
        value = measures[expected["measure"]]
        out.append({**expected, "mean": value["mean"], "se": value["se"], "verdict": verdict(value, expected),
                    "seeds_observed": value["seeds_observed"], "reps": reps})
    return out


def range_words(expected: dict) -> str:
    """'at most 6', 'at least 0.7', 'from -1 to 1'."""
    low, high = expected["low"], expected["high"]
    if low is None:
        return f"at most {high:g}"
    if high is None:
        return f"at least {low:g}"
    return f"equal to {low:g}" if low == high else f"from {low:g} to {high:g}"
