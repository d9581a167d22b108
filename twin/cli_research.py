"""`twin` commands for researchers and analysts: sensitivity, screen, validate, sweep, and the parsers
of these and of analyse (`cli_analyse.py`), fit and calibrate (`cli_calibration.py`); the other
commands are in `cli.py`."""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path

from twin.errors import UserError, output_folder
from twin.progress import progress_line
from twin.staging import check_ours, staged_folder


def project_default(path: str, default: str) -> str:
    """A default project file (`scenarios/baseline.toml`) from here, or, run from elsewhere, from the
    project this package runs from, as `twin compare` finds the shipped posterior; a path given stays."""
    shipped = Path(__file__).resolve().parents[1] / default
    return str(shipped) if path == default and not Path(path).exists() and shipped.exists() else path


def _readable(value: float, beside: float | None = None) -> str:
    """12,492; 0.493; -253,400,000: whole numbers with separators from 100 up, else 3 figures. A
    standard error `beside` its mean takes the mean's decimals (0.892 (se 0.008), not se 0.00796)."""
    if beside is not None and abs(beside) < 100 and beside != 0:
        decimals = max(2 - math.floor(math.log10(abs(beside))), 0)
        return f"{value:.{decimals}f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def cmd_validate(args) -> int:
    import numpy as np

    from twin.executor import ignore_further_interrupts, make_executor
    from twin.config_checks import with_seed
    from twin.scenario import read_toml
    from twin.validation import MEASURE_WORDS, VALIDATION_SECTION, check_experiment, run_files

    if not args.experiments:  # the project's own, from here or, run from elsewhere, the project this package runs from
        folder = Path(project_default("experiments/validation", "experiments/validation"))
        args.experiments = sorted(str(p) for p in folder.glob("*.toml"))
        if not args.experiments:
            raise UserError(f"no validation experiments in {folder}: give the experiment files to run")
    for folder in (p for p in args.experiments if Path(p).is_dir() and not any(Path(p).glob("*.toml"))):
        raise UserError(f"{folder}: a folder without experiment files (.toml); expected validation experiment files, "
                        f"such as experiments/validation/*.toml, or a folder of them")
    # a folder of them (`twin validate experiments/validation`): its experiment files
    args.experiments = [str(f) for p in args.experiments for f in (sorted(Path(p).glob("*.toml"))
                                                                    if Path(p).is_dir() else [p])]
    for path in args.experiments:  # a mistake is reported at once, not after a first compilation
        check_experiment(Path(path), with_seed(read_toml(Path(path), "experiment file"), "experiment", args.seed))
    out = output_folder(args.out)
    executor = make_executor(args.workers)
    try:
        results = run_files(args.experiments, out, executor, progress=not args.quiet, log=_log(args.quiet),
                            seed=args.seed)
    except KeyboardInterrupt:  # run_files has said what it kept
        ignore_further_interrupts()
        return 130
    finally:
        executor.close()
    if args.quiet:
        return 0
    for name, result in results.items():
        print(f"\n{name}: {result['description']} ({result['reps']} paired seeds; the shocked run against the same "
              f"seed without the shock)")
        for measure, value in result["measures"].items():
            words = MEASURE_WORDS.get(measure, measure)
            if not value["seeds_observed"]:
                print(f"    {words:64s} {'not reached':>14s}  (in none of {result['reps']} seeds)")
                continue
            seen = "" if value["seeds_observed"] == result["reps"] else f", seen in {value['seeds_observed']} of {result['reps']} seeds"
            se = f"se {_readable(value['se'], value['mean'])}" if np.isfinite(value["se"]) else "one seed: no se"
            print(f"    {words:64s} {_readable(value['mean']):>14s}  ({se}{seen})")
        for expected in result.get("expectations", []):
            print(_expectation_line(expected))
        section = VALIDATION_SECTION.get(result["kind"])
        if section:
            print(f"    What the source documents say, and whether the model agrees: docs/VALIDATION.md, section {section}.")
    named = next((measure for result in results.values() for measure in result["measures"]), None)  # one of its own
    print(f"\nWritten: {Path(args.out) / 'validation.json'} (each measure under its name"
          + (f", such as {named})" if named else ")"))
    return 0


def _expectation_line(expected: dict) -> str:
    """'    Expected: months until half the gap is closed at most 6: outside, above (7.2, se 0.8; source: ...)'."""
    import textwrap

    import numpy as np

    from twin.validation import MEASURE_WORDS
    from twin.validation_expectations import range_words

    seen = ("" if expected["seeds_observed"] in (0, expected["reps"])
            else f", seen in {expected['seeds_observed']} of {expected['reps']} seeds")
    value = (f"{_readable(expected['mean'])}" + (f", se {_readable(expected['se'], expected['mean'])}"
                                                  if np.isfinite(expected["se"]) else "") + seen
             if expected["seeds_observed"] else "in no seed")
    if expected.get("least_mean") is not None:  # some seeds never recovered within the experiment
        value += (f"; at least {_readable(expected['least_mean'])} over every seed, those not recovered counted "
                  f"at {expected['reach_months']:g} months")
    line = (f"Expected: {MEASURE_WORDS.get(expected['measure'], expected['measure'])} {range_words(expected)}: "
            f"{expected['verdict'].upper()} ({value}; source: {expected['source']})")
    return textwrap.fill(line, 100, initial_indent="    ", subsequent_indent="        ", break_on_hyphens=False)


def cmd_sensitivity(args) -> int:
    from twin.executor import ignore_further_interrupts, make_executor
    from twin.sensitivity import SEED_FACTOR, factor_names, load_config, run_sensitivity
    from twin.sensitivity_report import RELIABLE_N, noise_warning, reliability_warning, write_sensitivity_report

    config = load_config(args.config, args.n, args.seed)
    out = output_folder(args.out or config["out"], "--out" if args.out else f"{args.config}: [sensitivity] out")
    check_ours(out, [f"sensitivity.{kind}" for kind in ("csv", "json", "html", "png")])  # a user's own, before any run
    for warning in config["warnings"] + ([f"n = {config['n']}: Sobol indices from so few samples are unreliable "
                                          f"(totals above 1, negative first orders, wide intervals); use n >= "
                                          f"{RELIABLE_N} for conclusions"] if config["n"] < RELIABLE_N else []):
        print(f"Warning: {warning}.", file=sys.stderr)
    # the seed counted when it is a factor; each sample's replications counted apart
    total = config["n"] * (len(factor_names(config)) + 2) * config["replications"]
    runs_per_sample = 1 + len(config["compare"])
    executor = make_executor(args.workers)

    show = progress_line()

    def progress(done):
        if not args.quiet:
            what = "samples" if config["replications"] == 1 else "sample replications"
            show(f"{what} {done}/{total} ({done * runs_per_sample}/{total * runs_per_sample} runs)", done, total)

    try:
        table = run_sensitivity(config, executor, progress, checkpoint=out, log=_log(args.quiet))
    except KeyboardInterrupt:  # run_sensitivity has said what it kept
        ignore_further_interrupts()
        return 130
    finally:
        executor.close()
    with staged_folder(out) as staging:  # written whole: an interrupt leaves the earlier report as it was
        path = out / write_sensitivity_report(table, config, staging).name
    if not args.quiet:
        print()
        import numpy as np

        from twin.sensitivity_report import noise_floor_words, noise_verdict

        for outcome, group in table.groupby("outcome", sort=False):
            floor = group[group.parameter == SEED_FACTOR].total_order
            best = group[group.parameter != SEED_FACTOR].sort_values("total_order", ascending=False).head(3)
            print(f"{outcome}: " + ", ".join(
                f"{r.parameter} (" + (f"total {r.total_order:.2f}, 90% interval {r.total_order_low:.2f} to "
                                      f"{r.total_order_high:.2f}" if np.isfinite(r.total_order_high)
                                      else "no effect: the outcome did not change with it")
                + ("" if floor.empty or not np.isfinite(r.total_order_high) else noise_verdict(r)) + ")"
                for r in best.itertuples())
                + ("" if floor.empty else f"; noise floor {noise_floor_words(group)}"))
    warning = reliability_warning(table, config["n"])
    if warning and warning != reliability_warning(None, config["n"]):  # not only the small n said at the start
        print(f"Warning: {warning} (the report says so too).", file=sys.stderr)
    noisy = noise_warning(table, config["replications"])
    if noisy:
        print(f"Note: {noisy} (the report says so too).", file=sys.stderr)
    if not args.quiet:
        print(f"Report: {path}")
    return 0


def _log(quiet: bool):
    """What a long command says as it goes, on stderr: under --quiet its warnings and interruptions only."""
    def log(message: str) -> None:
        if not quiet or message.lstrip().startswith(("Warning", "twin:")):
            print(message, file=sys.stderr)
    return log


def cmd_screen(args) -> int:
    from twin.executor import ignore_further_interrupts, make_executor
    from twin.screening import load_config, run_screening, runs_needed, summary_lines, write_screening_report

    try:
        import SALib  # noqa: F401
    except ImportError:
        raise UserError('twin screen needs SALib: pip install -e ".[screen]"') from None
    config = load_config(args.config, args.trajectories, args.seed)
    out = output_folder(args.out or config["out"], "--out" if args.out else f"{args.config}: [screening] out")
    check_ours(out, [f"screening.{kind}" for kind in ("csv", "json", "html", "png")] + ["sensitivity_next.toml"])
    for warning in config["warnings"]:
        print(f"Warning: {warning}.", file=sys.stderr)
    points, runs = runs_needed(config)
    if not args.quiet:
        years = config["scenario"].years
        print(f"Screening {len(config['uncertain'])} parameters: {config['trajectories']} trajectories, {points} points "
              f"x {config['replications']} replication(s), {runs} runs of {years:g} year{'s' * (years != 1)}.",
              file=sys.stderr)
    executor = make_executor(args.workers)

    show = progress_line()

    def progress(done, distinct):  # each point of each trajectory runs (trajectories have seeds of their own)
        if not args.quiet:
            show(f"points x replications {done}/{distinct}", done, distinct)

    try:
        table = run_screening(config, executor, progress, checkpoint=out, log=_log(args.quiet))
    except KeyboardInterrupt:  # run_screening has said what it kept
        ignore_further_interrupts()
        return 130
    finally:
        executor.close()
    with staged_folder(out) as staging:  # written whole, as the sensitivity report
        path = out / write_screening_report(table, config, staging, final=out).name
    if not args.quiet:
        print()
        for line in summary_lines(table):
            print(line)
        print(f"Report: {path}" + ("\nNext: twin sensitivity " + shlex.quote(str(out / "sensitivity_next.toml"))
                                    if (out / "sensitivity_next.toml").exists() else ""))
    return 0


def add_research_commands(sub) -> None:
    from twin.cli_analyse import cmd_analyse
    from twin.cli_sweep import cmd_sweep

    """The research and batch subcommands' parsers (fit, calibrate, sensitivity, screen, validate, sweep,
    analyse), added to `cli.build_parser`'s subparsers."""
    from twin import arguments, cli_calibration
    from twin.store import DEFAULT_DB

    fit = sub.add_parser("fit", help="how well a scenario meets the calibration targets (fit.html, fit.json)")
    fit.add_argument("scenario", nargs="?", default="scenarios/baseline.toml", help="scenario TOML file (default scenarios/baseline.toml)")
    fit.add_argument("--targets", default="calibration/targets.toml", help="targets TOML file (default calibration/targets.toml)")
    fit.add_argument("--reps", type=arguments.replications, default=8, help="replications (default 8)")
    fit.add_argument("--seed", type=arguments.seed, default=1, help="root seed from which each replicate's seed is "
                     "drawn (default 1)")
    fit.add_argument("--years", type=arguments.years, help="horizon in years (default: the last year any target needs)")
    fit.add_argument("--workers", type=arguments.positive_int, help="worker processes (default: all cores; 1: serial)")
    fit.add_argument("--posterior", nargs="?", const="default", type=arguments.posterior_file,
                     help="a posterior predictive check: draw each replication's parameters from a posterior sample "
                          "(CSV; default calibration/posterior.csv), as `twin compare --posterior` draws them")
    fit.add_argument("--out", default="results/fit", help="report folder (default results/fit)")
    fit.add_argument("--quiet", action="store_true", help="print only warnings and errors (the report is written)")
    fit.set_defaults(func=cli_calibration.cmd_fit)

    calibrate = sub.add_parser("calibrate", help="fit uncertain parameters to the targets (ABC-SMC or a point fit)")
    calibrate.add_argument("config", help="calibration config TOML, e.g. calibration/baseline.toml")
    calibrate.add_argument("--workers", type=arguments.positive_int, help="worker processes (default: the config's, else all cores)")
    calibrate.add_argument("--db", default=DEFAULT_DB, help=f"SQLAlchemy URL of the results database (default {DEFAULT_DB})")
    calibrate.add_argument("--out", help="report folder (default: the config's, results/calibration)")
    calibrate.add_argument("--seed", type=arguments.seed,
                           help="root seed of the replications and the sampler (default: the config's)")
    calibrate.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    calibrate.set_defaults(func=cli_calibration.cmd_calibrate)

    sensitivity = sub.add_parser("sensitivity", help="Sobol sensitivity indices of key outcomes to uncertain parameters")
    sensitivity.add_argument("config", help="sensitivity config TOML, e.g. calibration/sensitivity.toml")
    sensitivity.add_argument("--n", type=arguments.sobol_samples, help="base samples (a power of 2, at least 4; default: the config's)")
    sensitivity.add_argument("--workers", type=arguments.positive_int, help="worker processes (default: all cores; 1: serial)")
    sensitivity.add_argument("--out", help="report folder (default: the config's)")
    sensitivity.add_argument("--seed", type=arguments.seed,
                             help="root seed of the design and its runs (default: the config's)")
    sensitivity.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    sensitivity.set_defaults(func=cmd_sensitivity)

    screen = sub.add_parser("screen", help="Morris screening: which of many parameters move the outcomes at all")
    screen.add_argument("config", help="screening config TOML, e.g. calibration/screening.toml")
    screen.add_argument("--trajectories", type=arguments.trajectories,
                        help="Morris trajectories, 2 to 10,000 (default: the config's)")
    screen.add_argument("--workers", type=arguments.positive_int, help="worker processes (default: all cores; 1: serial)")
    screen.add_argument("--out", help="report folder (default: the config's)")
    screen.add_argument("--seed", type=arguments.seed,
                        help="root seed of the trajectories and their runs (default: the config's)")
    screen.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    screen.set_defaults(func=cmd_screen)

    validate = sub.add_parser("validate", help="run the validation experiments (replacement, succession, entry, displacement)")
    validate.add_argument("experiments", nargs="*",
                          help="validation experiment files (default: all of experiments/validation)")
    validate.add_argument("--out", default="results/validation",
                          help="folder for validation.json (default results/validation)")
    validate.add_argument("--workers", type=arguments.positive_int,
                          help="worker processes (default: all cores; 1: serial)")
    validate.add_argument("--seed", type=arguments.seed,
                          help="root seed of every experiment's paired seeds (default: the files')")
    validate.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    validate.set_defaults(func=cmd_validate)

    sweep = sub.add_parser("sweep", help="run a batch experiment: uncertainties x lever settings x replications")
    sweep.add_argument("experiment", help="experiment TOML, e.g. experiments/chb_design.toml")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=arguments.positive_int, help="local worker processes (default: all cores)")
    where.add_argument("--cluster", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    sweep.add_argument("--db", default=DEFAULT_DB, help=f"SQLAlchemy URL of the results database (default {DEFAULT_DB})")
    sweep.add_argument("--out", help="folder for sweep_results.csv and the files describing it (default "
                                     "results/sweeps/<name>)")
    sweep.add_argument("--seed", type=arguments.seed,
                       help="root seed of the design's samples and replications (default: the file's; another "
                            "is a new experiment)")
    sweep.add_argument("--quiet", action="store_true", help="print only warnings and errors (no progress bar)")
    sweep.add_argument("--shard", type=arguments.shard, metavar="I/N",
                       help="run part I of N of the sweep's runs (each part a whole sampled future's replicate), for "
                            "N commands at once on one database that every part reaches (an array job; parts in separate "
                            "databases are not read together); `twin analyse` once all have finished")
    sweep.add_argument("--dry-run", action="store_true",
                       help="check the file and say how many runs it needs and how many are stored; run nothing")
    sweep.set_defaults(func=cmd_sweep)

    analyse_cmd = sub.add_parser("analyse", help="regret, robustness, PRIM scenario discovery and feature scores of a sweep")
    analyse_cmd.add_argument("experiment", help="the experiment TOML that was swept")
    analyse_cmd.add_argument("--db", default=DEFAULT_DB, help=f"SQLAlchemy URL of the results database (default {DEFAULT_DB})")
    analyse_cmd.add_argument("--out", help="report folder (default results/sweeps/<name>)")
    analyse_cmd.add_argument("--latest", action="store_true",
                             help="when no sweep of the file as it is now, with the current code, is stored, analyse "
                                  "the latest sweep of its name (run with other settings or code, or fewer "
                                  "replications than the file asks) instead of refusing")
    analyse_cmd.add_argument("--seed", type=arguments.seed,
                             help="the root seed the sweep was run with, if --seed was given to it (default: the "
                                  "file's)")
    analyse_cmd.add_argument("--quiet", action="store_true", help="print only warnings, errors and notes of what "
                                                                  "the analysis leaves out (the report is written)")
    analyse_cmd.set_defaults(func=cmd_analyse)
