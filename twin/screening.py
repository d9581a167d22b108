"""Screening: which of the model's many uncertain parameters move the outcomes at all (Morris).

`twin sensitivity` apportions the variance of the outcomes among a dozen chosen parameters; it
cannot take the two hundred in the table. `twin screen CONFIG.toml` takes them all (every
parameter marked as an assumption, every parameter, or a list) in a Morris design (SALib:
`trajectories` paths, each of one point more than the factors (the parameters and the seed),
through a `levels`-level grid over every range, each step moving one parameter), and ranks them by their elementary effects, the change of an outcome when
one parameter moves, scaled to a move across its whole range (SALib's Delta = levels / (2 (levels
- 1)) of the range, divided out): mu* is the mean of their absolute values (how much the parameter
moves the outcome), sigma their spread (effects that depend on the other parameters, or are
non-linear). The outcomes are `twin sensitivity`'s (`sensitivity.run_sample`): discounted harm,
response cost and net social cost, groups and members at the end, and each compared scenario's
benefit.

The noise floor: the points of a trajectory run on one seed (`point_task`; each trajectory has
seeds of its own), but a parameter that acts at all also changes the run's random path, and part of
its elementary effect is that change. A pseudo-factor, the replication seed, moves between a
trajectory's `levels` seeds: its mu* is what a complete change of random path does. It is a
conservative floor: each process draws from its own stream, so a parameter that acts on a few
processes changes the path only in part, and its share of noise is smaller. A parameter above the
floor (by both bootstrap half-widths) has effects that a change of seed alone cannot give; one below
it may still act, by less than the model's noise in this design. A whole-number parameter moves by
its rounded step, and its effects are taken over that step (`elementary_effects`). A caveat: a member
of a share set (`parameter_rules.SHARE_SETS`) moves the others of its set too, as they are rescaled to sum
to 1.

The floor falls with `replications` (each point's outcomes are the mean of that many seeds, so the
noise of an effect falls as one over its square root) at that many times the runs. Each finished
replication of a point is appended to `screening_runs.jsonl` in the output folder (the format of
`sensitivity.Checkpoint`), so an interrupted screening, started again, runs only what is missing.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.arguments import MAX_TRAJECTORIES, MIN_TRAJECTORIES
from twin.config_checks import (check_design_size, check_parameter_entries, check_tables, check_whole_number,
                                 with_seed)
from twin.errors import ScenarioError, did_you_mean, shown
from twin.lever_uncertainty import TYPE_PREFIX, quantity, type_settings
from twin.parameter_rules import ORDERED_PAIRS
from twin.parameters import as_sampled, beyond_plausible, table_rows
from twin.scenario import check_keys, read_toml
from twin.sensitivity import (
    SEED_FACTOR, Checkpoint, SampleTask, Uncertain, apply_values, check_ranges_together, config_key, listed_ranges,
    load_scenarios, outcome_names, outcome_unit, run_sample,
)
from twin.report_format import captioned, made_by

CONFIG_KEYS = ("scenario", "compare", "years", "seed", "out", "trajectories", "levels", "replications", "select",
               "exclude")
PARAMETER_KEYS = ("name", "low", "high")
#: which parameters a screening takes without a list: the table's assumptions, all its parameters, the
#: assumptions of the compared scenarios' levers (`lever_type.<type>.<setting>`), or the assumptions of both
SELECTIONS = ("assumptions", "all", "levers", "assumptions+levers")
CHECKPOINT = "screening_runs.jsonl"
# SEED_FACTOR: the pseudo-factor whose levels are seeds; its mu* is the noise floor


#: trajectories below which a screening's verdicts are warned to be unsteady (Morris's usual 10 or more)
RELIABLE_TRAJECTORIES = 10


def load_config(path: str | Path, trajectories: int | None = None, seed: int | None = None) -> dict:
    """The config at `path`; `trajectories` (`--trajectories`) replaces its own before the design's size is
    checked, `seed` (`--seed`) its seed."""
    path = Path(path)
    data = with_seed(read_toml(path, "screening config"), "screening", seed)
    check_tables(path, data, ("screening",), ("parameter",))
    table = data.get("screening", {})
    check_keys(path, "screening", table, CONFIG_KEYS)
    trajectories = trajectories or check_whole_number(path, "screening", "trajectories", table.get("trajectories", 10),
                                                      MIN_TRAJECTORIES, MAX_TRAJECTORIES)
    levels = table.get("levels", 4)
    if isinstance(levels, bool) or not isinstance(levels, int) or levels % 2 or not 4 <= levels <= 20:
        raise ScenarioError(f"{path}: [screening] levels: expected an even whole number from 4 to 20 (Morris's "
                            f"steps span half the grid), got {shown(levels)}")
    replications = check_whole_number(path, "screening", "replications", table.get("replications", 1), 1, 100)
    scenario, compare, years, seed, out = load_scenarios(path, "screening", table, "results/screening")
    entries = data.get("parameter", [])
    check_parameter_entries(path, entries, PARAMETER_KEYS)
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(name, str) for name in exclude):
        raise ScenarioError(f"{path}: [screening] exclude: expected a list of parameter names in quotes, got {shown(exclude)}")
    levers = [lever for s in compare for lever in s.levers]
    names = {p.name for p in table_rows()} | {name for name, _, _ in type_settings(levers, every=True)}
    for name in exclude:
        if name not in names:
            raise ScenarioError(f"{path}: [screening] exclude: unknown parameter {name!r}{did_you_mean(name, names)}")
    if entries:
        if "select" in table:
            raise ScenarioError(f"{path}: [screening] select: give either select or [[parameter]] entries, not both")
        uncertain = [u for u in listed_ranges(path, entries, compare) if u.name not in exclude]
        split: list[str] = []
        select = "listed"
    else:
        select = table.get("select", "assumptions")
        if select not in SELECTIONS:
            raise ScenarioError(f"{path}: [screening] select: expected one of {', '.join(map(repr, SELECTIONS))} "
                                f"(or list [[parameter]] entries), got {shown(select)}"
                                f"{did_you_mean(select, SELECTIONS) if isinstance(select, str) else ''}")
        uncertain, split = _selected(select, set(exclude), levers)
    if len(uncertain) < 2:
        raise ScenarioError(f"{path}: screen at least two parameters (found {len(uncertain)})")
    check_ranges_together(path, uncertain, [scenario] + compare)
    check_design_size(path, trajectories * (len(uncertain) + 2) * (1 + len(compare)) * replications,
                      f"{trajectories:,} trajectories x ({len(uncertain)} parameters + 2) points x {1 + len(compare)} "
                      f"scenario(s) x {replications} replication(s)")
    warnings = [f"{path}: [[parameter]] {w}" for w in (beyond_plausible(u.name, u.low, u.high, levers)
                                                        for u in uncertain if select == "listed") if w]
    from twin.preflight import preflight_warnings  # what `twin run` says of the scenarios, the sampled values aside

    warnings += preflight_warnings([scenario, *compare], years, varied={u.name for u in uncertain})
    if trajectories < RELIABLE_TRAJECTORIES:
        warnings.append(f"{trajectories} trajectories: each parameter's mu* rests on {trajectories} elementary effects "
                        f"and the noise floor on {trajectories * replications} of the seed's, so which parameters "
                        f"stand 'above the noise' can change with the design's seed; use {RELIABLE_TRAJECTORIES} or "
                        f"more for conclusions")
    return {"scenario": replace(scenario, years=years), "compare": [replace(s, years=years) for s in compare],
            "uncertain": uncertain, "trajectories": trajectories, "levels": levels, "replications": replications,
            "seed": seed, "out": out,
            "select": select, "split": split, "excluded": list(exclude), "warnings": warnings}


def _selected(select: str, exclude: set[str], levers: list[dict]) -> tuple[list[Uncertain], list[str]]:
    """The table's parameters over their plausible ranges (the assumptions only, all, or none) and the
    compared scenarios' levers' assumptions (for "levers" and "assumptions+levers"), and the notes on
    ranges split where a pair that must stay ordered (`ORDERED_PAIRS`) would overlap: at the middle of
    the overlap, so that every point of the design is a valid set of values."""
    rows = [p for p in table_rows() if select != "levers" and (select == "all" or p.is_assumption) and p.low < p.high
            and p.name not in exclude]
    ranges = {p.name: [p.low, p.high] for p in rows}
    split = []
    for small, large, _ in ORDERED_PAIRS:
        if small in ranges and large in ranges and ranges[small][1] > ranges[large][0]:
            middle = (max(ranges[small][0], ranges[large][0]) + min(ranges[small][1], ranges[large][1])) / 2
            ranges[small][1] = ranges[large][0] = middle
            split.append(f"{small} up to {middle:g} and {large} from {middle:g} (they cannot cross)")
    lever_rows = type_settings(levers) if select in ("levers", "assumptions+levers") else []
    left_out = {quantity(name) for name in exclude if name.startswith(TYPE_PREFIX)}  # by either type's name
    return ([Uncertain(name, low, high) for name, (low, high) in ranges.items()]
            + [Uncertain(name, low, high) for name, low, high in lever_rows if quantity(name) not in left_out], split)


def design(config: dict) -> tuple[dict, np.ndarray]:
    """SALib's problem (the parameters, then the seed pseudo-factor) and its Morris design: one row
    per point, `trajectories` x (parameters + 2) rows (a trajectory has one point more than the factors)."""
    from SALib.sample import morris

    uncertain = config["uncertain"]
    problem = {"num_vars": len(uncertain) + 1, "names": [u.name for u in uncertain] + [SEED_FACTOR],
               "bounds": [[u.low, u.high] for u in uncertain] + [[0.0, config["levels"] - 1.0]]}
    return problem, morris.sample(problem, config["trajectories"], num_levels=config["levels"], seed=config["seed"])


def point_task(config: dict, row: np.ndarray, trajectory: int, replicate: int = 0) -> SampleTask:
    """The runs of one replication of one point of a trajectory: the scenarios with the point's values,
    on seed seed + level + levels x (trajectory + MAX_TRAJECTORIES x replicate), modulo 2**32 (the level:
    the seed pseudo-factor's, 0 to levels - 1). A trajectory's points share their seed but across the
    seed factor's own step (common random numbers: an elementary effect is a difference on one path),
    and each trajectory, level and replication has seeds of its own (with one set of `levels` seeds for
    every trajectory, the effects and the floor were averaged over `levels` paths only)."""
    scenarios = [config["scenario"], *config["compare"]]
    offset = int(round(row[-1])) + config["levels"] * (trajectory + MAX_TRAJECTORIES * replicate)
    return SampleTask(tuple(apply_values(s, config["uncertain"], row[:-1]) for s in scenarios),
                      (config["seed"] + offset) % 2**32)


def run_screening(config: dict, executor, progress=None, checkpoint: str | Path | None = None,
                  log=None) -> pd.DataFrame:
    """Elementary effects of every outcome: one row per outcome and factor (the seed pseudo-factor
    included), with mu*, its 95% bootstrap half-width, mu, sigma and whether it stands above the
    noise floor. Finished runs are kept in `checkpoint` (default: the config's `out`)."""
    problem, points, outcomes = point_outcomes(config, executor, progress, checkpoint, log)
    effects = elementary_effects(problem, points, outcomes)
    rng = np.random.default_rng(config["seed"])  # the bootstrap's own stream (not numpy's global state)
    rows = []
    for j, name in enumerate(outcome_names(config)):
        stats = [_morris_statistics(ee[:, j], rng) for ee in effects]
        floor, floor_conf = stats[-1][0], stats[-1][1]
        for factor, (mu_star, conf, mu, sigma) in zip(problem["names"], stats):
            rows.append({"outcome": name, "parameter": factor, "mu_star": mu_star, "mu_star_conf": conf,
                         "mu": mu, "sigma": sigma, "noise_floor": floor,
                         "ratio_to_noise": mu_star / floor if floor > 0 else np.inf,
                         "above_noise": bool(factor != SEED_FACTOR and mu_star - conf > floor + floor_conf)})
    return pd.DataFrame(rows)


def elementary_effects(problem: dict, points: np.ndarray, outcomes: np.ndarray) -> list[np.ndarray]:
    """Each factor's elementary effects, one row per step that moved it ([steps, outcomes]): the change
    of the outcomes over the step's move as a share of the factor's range, the move as run. SALib's
    `morris.analyze` divides every change by the design's step (Delta), which a whole-number parameter
    rounds (`as_sampled`: `ocg_size_min`, 3 to 4, moves by 2/3 of its range at four levels as designed,
    3 to 3.67 or 3.33 to 4, and by all of it, 3 to 4, as run); a step that rounds to no move at all (an
    effect of 0 in SALib's) has no effect to give, and is left out."""
    size, bounds = problem["num_vars"] + 1, np.array(problem["bounds"], dtype=float)
    as_run = points.copy()
    for j, name in enumerate(problem["names"][:-1]):
        as_run[:, j] = [as_sampled(name, v) for v in points[:, j]]
    effects: list[list[np.ndarray]] = [[] for _ in problem["names"]]
    for start in range(0, len(points), size):
        for i in range(start, start + size - 1):
            j = int((points[i + 1] != points[i]).nonzero()[0][0])  # one factor moves at each step
            move = (as_run[i + 1, j] - as_run[i, j]) / (bounds[j, 1] - bounds[j, 0])
            if move != 0:
                effects[j].append((outcomes[i + 1] - outcomes[i]) / move)
    return [np.array(e).reshape(len(e), outcomes.shape[1]) for e in effects]


#: bootstrap resamples of a factor's effects for the half-width of its mu* (SALib's method; it takes 100)
RESAMPLES = 1000


def _morris_statistics(effects: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """mu*, its 95% bootstrap half-width (1.96 x the standard deviation of mu* over resamples of the
    effects, as SALib's), mu and sigma (ddof 1) of one factor's effects on one outcome; NaN for none."""
    if len(effects) == 0:
        return np.nan, np.nan, np.nan, np.nan
    resampled = np.abs(effects[rng.integers(len(effects), size=(RESAMPLES, len(effects)))]).mean(axis=1)
    sigma = float(np.std(effects, ddof=1)) if len(effects) > 1 else np.nan
    return float(np.abs(effects).mean()), float(1.959963984540054 * resampled.std(ddof=1)), float(effects.mean()), sigma


def point_outcomes(config: dict, executor, progress=None, checkpoint: str | Path | None = None,
                   log=None) -> tuple[dict, np.ndarray, np.ndarray]:
    """SALib's problem, the design's points and each point's outcomes (`outcome_names` order): the
    mean over its `replications` (`point_task`). Each finished run is appended to the checkpoint
    file in `checkpoint` (default: the config's `out`) and reused when the same config runs again."""
    if log is None:
        def log(message):
            print(message, file=sys.stderr)
    problem, points = design(config)
    folder = checkpoint if checkpoint is not None else config.get("out")
    saved = None
    if folder is not None:
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            # Not the number of replications: replication r's seed and key do not depend on it, so
            # raising it runs only the new replications.
            saved = Checkpoint(folder, config_key(config, {"trajectories": config["trajectories"],
                                                           "levels": config["levels"]}), CHECKPOINT)
        except OSError as exc:
            log(f"Warning: {folder}: cannot keep finished points there ({exc.strerror}); an interrupted screening "
                f"will start again")
    # Each point runs `replications` times, each run keyed by the point, its trajectory (whose seeds
    # it runs on: two trajectories crossing at a point run it on different seeds) and the replication.
    reps = range(config["replications"])
    size = len(config["uncertain"]) + 2  # a trajectory's points
    runs = {(point, r): saved.sample_key(np.append(row, [point // size, r])) if saved is not None
            else json.dumps([*row.tolist(), point // size, r]) for point, row in enumerate(points) for r in reps}
    distinct = dict(zip(runs.values(), runs))  # key -> (a point with it, replication): duplicates are one run
    done = {key: saved.done[key] for key in distinct if saved is not None and key in saved.done}
    if done:
        log(f"Reusing {len(done)} of {len(distinct)} points x replications finished earlier ({saved.path}; each "
            f"{1 + len(config['compare'])} run(s) of the scenarios).")
    todo = [(key, point_task(config, points[point], point // size, r)) for key, (point, r) in distinct.items()
            if key not in done]
    by_task = {id(task): key for key, task in todo}
    finished = len(done)
    try:
        for task, outcome in executor.run(run_sample, [task for _, task in todo], chunk=1):
            done[by_task[id(task)]] = outcome
            if saved is not None:
                saved.save(by_task[id(task)], outcome)
            finished += 1
            if progress:
                progress(finished, len(distinct))
    except KeyboardInterrupt:
        kept = (f"{len(saved.done)} of {len(distinct)} points x replications saved in {saved.path} (each "
                f"{1 + len(config['compare'])} run(s) of the scenarios); run the same command again to reuse them"
                if saved is not None else "finished points were not saved (no output folder)")
        log(f"\ntwin: screening interrupted: {kept}.")
        raise
    outcomes = np.array([np.mean([done[runs[point, r]] for r in reps], axis=0) for point in range(len(points))])
    return problem, points, outcomes


def runs_needed(config: dict) -> tuple[int, int]:
    """(points, model runs) of the design: each point runs every scenario `replications` times."""
    points = config["trajectories"] * (len(config["uncertain"]) + 2)
    return points, points * (1 + len(config["compare"])) * config["replications"]


def summary_lines(table: pd.DataFrame, top: int = 5) -> list[str]:
    """Per outcome: how many parameters stand above the noise, and the largest."""
    lines = []
    for outcome, group in table.groupby("outcome", sort=False):
        above = group[group.above_noise].sort_values("mu_star", ascending=False)
        named = ", ".join(f"{r.parameter} ({r.ratio_to_noise:.1f} x noise)" for r in above.head(top).itertuples())
        if not named:  # none above: the largest still, against the floor (a lead for a longer screening)
            largest = group[(group.parameter != SEED_FACTOR) & (group.mu_star > 0)].sort_values("mu_star",
                                                                                                ascending=False)
            named = "".join(f"{r.parameter} ({r.ratio_to_noise:.1f} x the noise floor, but not clear of it by "
                            f"both bootstrap half-widths)"
                            for r in largest.head(1).itertuples())
        moved = f"; largest {named}" if named else "; none of them moves it (mu* exactly 0)"
        lines.append(f"{outcome}: {len(above)} of {len(group) - 1} above the noise" + moved)
    return lines


#: parameters written to the next step's sensitivity config: Sobol's runs grow with their number
SOBOL_CANDIDATES = 12


def write_next_sensitivity(table: pd.DataFrame, config: dict, out_dir: Path, into: Path | None = None) -> Path | None:
    """`sensitivity_next.toml` for `out_dir` (written into `into`, its staging folder, when given): a
    `twin sensitivity` config for the same scenarios and
    horizon over `SOBOL_CANDIDATES` of the parameters that stand above the noise, with their
    screened ranges: first those above it for a compared scenario's benefit (what sensitivity
    analysis is for), then the others, each set by its highest ratio to the floor. None when fewer
    than two stand above it."""
    import os

    from twin.staging import remove_written

    above = table[table.above_noise]
    path = (into or out_dir) / "sensitivity_next.toml"
    if above.parameter.nunique() < 2:  # Sobol indices need two parameters; an earlier screening's file would mislead
        remove_written(out_dir, path.name)  # (a user's own file of the name stays)
        return None
    for_benefit = above.outcome.str.startswith("benefit_of_")
    order = (above.assign(benefit=for_benefit).groupby("parameter").agg(benefit=("benefit", "any"),
                                                                       ratio=("ratio_to_noise", "max"))
             .sort_values(["benefit", "ratio"], ascending=False))
    chosen = order.head(SOBOL_CANDIDATES)
    ranges = {u.name: u for u in config["uncertain"]}

    def relative(path: str) -> str:
        return Path(os.path.relpath(Path(path).resolve(), out_dir.resolve())).as_posix()

    lines = [f"# Written by twin screen: {len(chosen)} of the {len(order)} parameters above the noise floor, those",
             "# above it for a compared scenario's benefit first, then by their largest effect (times the floor).",
             "# Run: twin sensitivity <this file> (scenario files are found relative to this file's folder; the",
             "# report goes to `out`, relative to where the command runs, as for the screening).", "", "[sensitivity]",
             f'scenario = "{relative(config["scenario"].path)}"',
             "compare = [" + ", ".join(f'"{relative(s.path)}"' for s in config["compare"]) + "]",
             f"years = {config['scenario'].years:g}", "n = 64", f"seed = {config['seed']}",
             f'out = "{(out_dir.parent / "sensitivity_next").as_posix()}"']
    for name in chosen.index:
        spec = ranges[name]
        where = above[above.parameter == name].sort_values("ratio_to_noise", ascending=False)
        noted = ", ".join(f"{r.outcome} {r.ratio_to_noise:.1f}" for r in where.itertuples())
        lines += ["", f"# above the noise (times the floor): {noted}", "[[parameter]]", f'name = "{name}"',
                  f"low = {spec.low!r}", f"high = {spec.high!r}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_screening_report(table: pd.DataFrame, config: dict, out_dir: Path, final: Path | None = None) -> Path:
    """The screening's files in `out_dir`, a staging folder for `final` when given (the folder they
    are moved to, which `sensitivity_next.toml`'s paths are relative to)."""
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.report import figure_png

    out_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_dir / "screening.csv", index=False)
    following = write_next_sensitivity(table, config, final or out_dir, into=out_dir)
    points, runs = runs_needed(config)
    plan = {"scenario": f"{config['scenario'].path} ({config['scenario'].name})",
            "compare": [f"{s.path} ({s.name})" for s in config["compare"]], "years": config["scenario"].years,
            "trajectories": config["trajectories"], "levels": config["levels"],
            "replications": config["replications"], "seed": config["seed"],
            "select": config["select"], "excluded": config["excluded"], "ranges_split": config["split"],
            "points": points, "runs": runs,
            "parameters": [{"name": u.name, "low": u.low, "high": u.high} for u in config["uncertain"]]}
    (out_dir / "screening.json").write_text(json.dumps({"design": plan, "effects": table.to_dict(orient="records")},
                                                       indent=2, default=str), encoding="utf-8")
    outcomes = list(dict.fromkeys(table["outcome"]))
    figure, axes = plt.subplots(len(outcomes), 1, figsize=(8, 3.2 * len(outcomes)), dpi=100)
    described = []
    for axis, outcome in zip(np.atleast_1d(axes), outcomes):
        data = table[table.outcome == outcome].sort_values("mu_star", ascending=False).head(15)[::-1]
        colours = ["#888888" if p == SEED_FACTOR else "#b8432f" if a else "#9bb7d4"
                   for p, a in zip(data.parameter, data.above_noise)]
        scale, unit = outcome_unit(outcome)
        axis.barh(np.arange(len(data)), data["mu_star"] / scale, xerr=data["mu_star_conf"] / scale, color=colours)
        axis.axvline(data["noise_floor"].iloc[0] / scale, color="#444444", linestyle="--", linewidth=1)
        axis.set_yticks(np.arange(len(data)), data["parameter"], fontsize=7)
        axis.set_title(f"{outcome}: mu* (largest 15; dashed: the noise floor)", fontsize=9)
        axis.set_xlabel(f"mu* ({unit})" if unit else "mu*", fontsize=8)
        largest = ", ".join(f"{r.parameter} {r.mu_star / scale:.3g}" for r in data[::-1].head(3).itertuples())
        described.append(f"{outcome} in {unit or 'its units'}: {largest}; the floor "
                         f"{data['noise_floor'].iloc[0] / scale:.3g}")
    figure.tight_layout()
    image = figure_png(figure, out_dir / "screening.png")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in summary_lines(table))
    split = ("" if not config["split"] else "<p>Ranges split so that ordered pairs cannot cross: "
             + html.escape("; ".join(config["split"])) + ".</p>")
    shown = table.sort_values(["outcome", "mu_star"], ascending=[True, False])
    scales = shown["outcome"].map(lambda o: outcome_unit(o)[0])
    shown = shown.assign(**{c: shown[c] / scales for c in ("mu_star", "mu_star_conf", "mu", "sigma", "noise_floor")})
    shown.insert(1, "unit", shown["outcome"].map(lambda o: outcome_unit(o)[1]))
    next_step = ("" if following is None else
                 f" (<code>{html.escape(following.name)}</code>, beside this report, is that config for the largest)")
    cautions = "".join(f"<li>{html.escape(w)}</li>" for w in config.get("warnings", []))
    caution = ("" if not cautions else '<div style="border-left: 4px solid #b8432f; padding: .5em 1em; background: '
               f'#fbeeea"><strong>Read with care.</strong><ul>{cautions}</ul></div>')
    length = f"{config['scenario'].years:g} year{'s' * (config['scenario'].years != 1)}"
    page = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Screening</title>
<style>body {{ font-family: Georgia, serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; font-family: sans-serif; font-size: .8em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: right; }} img {{ max-width: 100%; }}</style>
</head><body><h1>Which parameters move the outcomes at all?</h1>{caution}
<p>Morris elementary effects (SALib's design; each effect taken over its move as run):
{config['trajectories']} trajectories through a {config['levels']}-level grid
over the ranges of {len(config['uncertain'])} parameters ({html.escape(config['select'])}), {points} points,
each the mean of {config['replications']} replication(s), {runs} runs of {length}. mu*: the mean absolute change of an outcome when one
parameter moves, scaled to a move across its whole range, in the outcome's units; sigma: how much
that change varies with the other parameters. The noise floor is the mu* of the replication seed (a change
of random path, a conservative floor: a parameter acting on a few processes changes the path only in part);
a parameter is above the noise when its mu* exceeds the floor by both bootstrap half-widths (95%), and one
below it may still act, by less than the model's noise here. Screening ranks; it does not apportion variance: take the parameters above the noise
to <code>twin sensitivity</code> for Sobol indices{next_step}.</p><ul>{items}</ul>{split}
<h2>What was run</h2><p>{html.escape(plan['scenario'])}{' and the benefit against it of ' + html.escape(', '.join(plan['compare'])) if plan['compare'] else ''};
parameters varied, uniformly over their ranges, in screening.json.</p>
<img alt="Bar charts, one per outcome, of each parameter's mu* with its 95% interval, the noise floor dashed; the
three largest: {html.escape('; '.join(described))}" src="data:image/png;base64,{image}">
{captioned(shown.round(4), "Morris elementary effects: mu*, mu and sigma in each outcome's unit")}
{made_by()}</body></html>"""
    path = out_dir / "screening.html"
    path.write_text(page, encoding="utf-8")
    return path
