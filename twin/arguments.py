"""Types of the command line's option values (argparse `type=` functions): each turns the text
into a number or refuses it with one line saying what was expected, which argparse prints as
`twin <command>: error: ...` with exit status 2. Light imports only, so that the command line
starts fast; the config files' checks (`config_checks.py`) share the limits."""

from __future__ import annotations

import argparse

#: numpy's legacy seeding (ABC-SMC, the Sobol bootstrap) takes no more
MAX_SEED = 2**32 - 1
#: replications of one scenario or design point: 10,000 10-year runs are most of a day on 2 cores,
#: and the runs are planned before the first starts (10**9 filled the memory before one had run)
MAX_REPS = 10_000
#: runs of one sweep, Sobol or screening design: a factorial design grows as levels**quantities, and
#: its points are planned before any runs; a million 10-year runs are about 280 core-hours (about six
#: days on 2 cores, under two hours on 200 workers: docs/SCALING.md)
MAX_DESIGN_RUNS = 1_000_000


def _whole(text: str, what: str = "a whole number") -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _number_of_years(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of years, got {text!r}") from None


#: the largest whole number a database's integer column holds (a larger id overflowed the driver)
MAX_ID = 2**63 - 1


def _whole_within(text: str, low: int, high: int, what: str, *, words: str = "a whole number") -> int:
    """`text` as a whole number from `low` to `high`, or an error naming `what` was expected."""
    value = _whole(text, words)
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {value}")
    return value


def positive_int(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


#: Morris trajectories of one screening (as the config file's `trajectories`)
MIN_TRAJECTORIES, MAX_TRAJECTORIES = 2, 10_000


def trajectories(text: str) -> int:
    """--trajectories: Morris trajectories, `MIN_TRAJECTORIES` to `MAX_TRAJECTORIES` (an elementary
    effect's spread needs two)."""
    return _whole_within(text, MIN_TRAJECTORIES, MAX_TRAJECTORIES, "a whole number")


#: `twin bench`'s timed runs or pairs at most (each pair's twin run holds its steps' results in memory)
MAX_BENCH_REPEATS = 1_000


def bench_repeats(text: str) -> int:
    """`twin bench --reps` and `--plain-mesa-steps`: 1 to `MAX_BENCH_REPEATS`."""
    return _whole_within(text, 1, MAX_BENCH_REPEATS, "a whole number")


def posterior_file(text: str) -> str:
    """--posterior's value: a sample, not a scenario its optional value took from the list after it."""
    if text.lower().endswith(".toml"):
        raise argparse.ArgumentTypeError(f"expected a posterior sample (.csv), got {text!r}, a scenario file: give "
                                         f"the sample's file after --posterior, or put --posterior after the scenarios")
    return text


def experiment_id(text: str) -> int:
    """--experiment: a database id, 1 to `MAX_ID` (`twin export --list` gives them)."""
    try:
        return _whole_within(text, 1, MAX_ID, "an experiment id")
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (the number `twin export --list` gives each experiment)") from None


def replications(text: str) -> int:
    """--reps: a whole number from 1 to MAX_REPS."""
    return _whole_within(text, 1, MAX_REPS, "a number of replications")


def seed(text: str) -> int:
    return _whole_within(text, 0, MAX_SEED, "a seed", words="a whole number seed")


def sobol_samples(text: str) -> int:
    value = _whole(text)
    if value < 4 or value & (value - 1):
        raise argparse.ArgumentTypeError(f"expected a power of 2 >= 4 (Sobol samples), e.g. 16, 32 or 64, got {value}")
    return value


def years(text: str) -> float:
    value = _number_of_years(text)
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"expected a number of years above 0 and at most 100, got {text}")
    return value


def spin_up_years(text: str) -> float:
    from twin.scenario import MAX_SPIN_UP_YEARS

    value = _number_of_years(text)
    if not 0 <= value <= MAX_SPIN_UP_YEARS:
        raise argparse.ArgumentTypeError(f"expected a number of years from 0 to {MAX_SPIN_UP_YEARS}, got {text}")
    return value


def shard(text: str) -> tuple[int, int]:
    """--shard I/N: this command's share of a sweep run by N commands at once (a batch scheduler's array
    job), I from 1 to N."""
    parts = text.split("/")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected I/N, this command's part I of N (such as 2/8), got {text!r}")
    total = _whole_within(parts[1], 1, 100_000, "N, the number of parts,")
    return _whole_within(parts[0], 1, total, "I, this command's part,"), total
