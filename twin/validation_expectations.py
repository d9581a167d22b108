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
agrees only when met exactly; otherwise it is "within 2 se" of it or outside. A measure seen in only some seeds
(months to recover, when some never do within the experiment) is judged by its least possible
mean, the others counted at the experiment's last month: a bound it passes is passed whatever those
seeds took; one it stays under is undecided.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

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
        for key in ("measure", "source"):
            if key not in entry:
                raise ScenarioError(f"{where}: missing key '{key}' (an expectation names its measure, a range "
                                    f"(low, high or both) and its source)")
        measure = entry.get("measure")
        if measure not in MEASURES[kind]:
            article = "an" if kind[0] in "aeiou" else "a"
            raise ScenarioError(f"{where}: measure: expected one of {article} {kind} experiment's measures "
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


def verdict(value: dict, expected: dict, reach: float | None = None) -> str:
    """For a summarised measure (`validation.summarise`'s mean, se, seeds observed and by seed)
    against an expectation: 'agrees' (its mean in the range), 'within 2 se, above' (or below: its
    mean outside, but not told apart from the range), 'outside, above' (or below), 'undecided (one
    seed)', or 'not reached' when the measure was seen in no seed. A time to recover that some seeds
    never reached within the experiment (`reach` months after the shock) is judged by its least
    possible mean, those seeds counted at `reach`: past a `high` bound it is outside (or within 2 se)
    whatever they took; inside it, undecided, since they may have taken far longer."""
    low = -math.inf if expected["low"] is None else expected["low"]
    high = math.inf if expected["high"] is None else expected["high"]
    seeds = _every_seed(value, reach) if reach is not None else None
    censored = seeds is not None
    if censored:
        mean, se = float(seeds.mean()), float(seeds.std(ddof=1) / math.sqrt(seeds.size)) if seeds.size > 1 else math.nan
    else:
        mean, se = value["mean"], value["se"]
        if not value["seeds_observed"] or not math.isfinite(mean):
            return "not reached"
    if low <= mean <= high:
        if censored and math.isfinite(expected["high"] if expected["high"] is not None else math.inf):
            missing = len(value["by_seed"]) - value["seeds_observed"]
            return f"undecided ({missing} of {len(value['by_seed'])} seeds not reached within the experiment)"
        return "agrees"
    if not math.isfinite(se):
        return "undecided (one seed)"
    side = "below" if mean < low else "above"
    if censored and side == "below":  # the seeds not reached may have taken long enough
        missing = len(value["by_seed"]) - value["seeds_observed"]
        return f"undecided ({missing} of {len(value['by_seed'])} seeds not reached within the experiment)"
    if mean + AGREEMENT_SE * se < low or mean - AGREEMENT_SE * se > high:
        return f"outside, {side}"
    return f"within 2 se, {side}"


def _every_seed(value: dict, reach: float):
    """A time to recover in every seed, those that never recovered counted at `reach` (the least they
    could have taken); None when every seed recovered."""
    by_seed = value.get("by_seed") or ()
    if value["seeds_observed"] >= len(by_seed):
        return None
    return np.array([reach if v is None or not math.isfinite(v) else v for v in by_seed], dtype=float)


def least_mean(value: dict, reach: float) -> float | None:
    """A time to recover's least possible mean over every seed (`_every_seed`); None when every seed recovered."""
    seeds = _every_seed(value, reach)
    return None if seeds is None else float(seeds.mean())


def judged(expectations: list[dict], measures: dict, reps: int, reach: float | None = None) -> list[dict]:
    """Each expectation with the measure's mean, se and verdict (and the seeds it was seen in when
    not all; for a time to recover, `reach`, the months after the shock the experiment ran, and the
    least possible mean), for validation.json and the console."""
    out = []
    for expected in expectations:
        value = measures[expected["measure"]]
        timed = expected["measure"].startswith("months_to") and reach is not None
        out.append({**expected, "mean": value["mean"], "se": value["se"],
                    "verdict": verdict(value, expected, reach if timed else None),
                    "seeds_observed": value["seeds_observed"], "reps": reps,
                    **({"least_mean": least_mean(value, reach), "reach_months": reach} if timed else {})})
    return out


def range_words(expected: dict) -> str:
    """'at most 6', 'at least 0.7', 'from -1 to 1'."""
    low, high = expected["low"], expected["high"]
    if low is None:
        return f"at most {high:g}"
    if high is None:
        return f"at least {low:g}"
    return f"equal to {low:g}" if low == high else f"from {low:g} to {high:g}"
