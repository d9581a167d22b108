"""The `twin` command line: run, compare, export, register, bench (params, levers and docs in
`cli_reference.py`, the research commands in `cli_research.py`, the parser's one-line errors in
`cli_parser.py`).

User mistakes (bad scenario, register or option) print one line, `twin: error: ...`, and exit
with status 2; an interrupted run exits with status 130 after saving what it computed.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from twin import arguments
from twin.errors import MADE_FOLDERS, UserError, output_folder, remove_empty_made, safe_url
from twin.cli_parser import Parser
from twin.cli_reference import cmd_docs, cmd_levers, cmd_params
from twin.progress import guard_output, terminal_columns

DEFAULT_RESULTS = Path("results")


def cmd_run(args) -> int:
    from dataclasses import replace

    from twin.precompile import warm_up
    from twin.runner import check_register, check_run_folder, replaced_run, run_scenario
    from twin.preflight import register_warnings
    from twin.scenario import STEPS_PER_YEAR, load_scenario
    from twin.summary import format_annual_summary, summary_heading

    if args.register_table and not args.register:
        raise UserError("--register-table names a table of --register DATABASE_URL; give --register too")
    scenario = load_scenario(args.scenario)
    if args.spin_up_years is not None:  # recorded in run.json as part of the scenario run
        scenario = replace(scenario, spin_up_years=args.spin_up_years)
    step = args.step or scenario.step
    years = args.years if args.years is not None else scenario.years
    noted = replace(scenario, register=args.register or scenario.register,  # as the run will have it
                    complete_register=args.complete_register or scenario.complete_register)
    _preflight_notes([noted], args.years, args.step, check_registers=False)  # the run reads the register
    check_register(scenario, args.register, args.register_table)  # at once, not after a first compilation
    # after the checks of the inputs, so that a mistake in them leaves no empty folder behind
    check_run_folder(Path(args.out or DEFAULT_RESULTS / scenario.name / f"seed-{args.seed}"))  # another's files
    out = output_folder(args.out or DEFAULT_RESULTS / scenario.name / f"seed-{args.seed}")
    if not args.out and not args.quiet and (said := replaced_run(Path(out), scenario)):
        print(f"Note: {said}.", file=sys.stderr)
    if args.register and scenario.register and not args.quiet:
        print(f"Note: --register replaces the scenario's own register ({scenario.register}).", file=sys.stderr)

    def announce(model) -> None:  # once the scenario, areas, register and levers have all been checked
        if model.register_completion is not None and not args.quiet:
            print(f"Note: {model.register_completion.describe(model.geography)}.", file=sys.stderr)
        if args.register or scenario.register:
            for warning in register_warnings(model):
                print(f"Warning: {warning}.", file=sys.stderr)
            if scenario.spin_up_years and not args.quiet:
                print(f"Note: the register is the picture {scenario.spin_up_years:g} years before the first reported "
                      f"year (the spin-up); --spin-up-years 0 reports from it as given.", file=sys.stderr)
        if not args.quiet:
            spin_up = scenario.spin_up_years
            def in_years(value: float, digits: str = "g") -> str:
                return f"{value:{digits}} year" + ("" if value == 1 else "s")
            after = (f" after a spin-up of {in_years(spin_up)}" if spin_up
                     else " from the register's picture (no spin-up)")
            whole = model.n_steps / STEPS_PER_YEAR[step]  # a horizon between steps runs as the nearest whole step
            span = (f"{in_years(years)} ({step}ly steps)" if abs(whole - years) < 1e-9
                    else f"{in_years(whole, '.3g')} ({years:g} asked: runs are whole {step}ly steps)")
            print(f"Running '{scenario.name}' for {span}{after}, seed {args.seed} ...", flush=True)

    warm_up(quiet=args.quiet)  # before any output, so the run's own time is its own
    earlier = _file_identity(Path(out) / "trajectories.partial.csv")  # an earlier interrupted run's
    try:
        output = run_scenario(scenario, args.seed, years=args.years, step=args.step,
                              register_source=args.register, register_table=args.register_table,
                              complete_register=args.complete_register, out_dir=Path(out), on_built=announce,
                              warn=False)
    except KeyboardInterrupt:
        partial = Path(out) / "trajectories.partial.csv"
        if partial.exists() and _file_identity(partial) != earlier:
            kept = f"; the steps run so far are in {partial}"
        else:
            kept = "; no reported step had finished" + (
                f" ({partial} still holds an earlier interrupted run's steps)" if partial.exists() else "")
        print(f"twin: interrupted{kept}", file=sys.stderr)
        remove_empty_made()  # a folder this command made and wrote nothing in does not stay behind
        return 130
    if not args.quiet:
        print(f"\n{summary_heading(scenario, output.model.geography.n_areas)}")
        print(format_annual_summary(output.model.results, STEPS_PER_YEAR[step]))
        spun = " (with the spin-up)" if scenario.spin_up_years else ""
        print(f"\nSet-up{spun} {output.setup_s:.2f} s, run {output.run_s:.2f} s. Trajectories: "
              f"{Path(out) / 'trajectories.csv'} (each metric's unit and meaning: {Path(out) / 'metrics.csv'}; "
              f"the run's settings, parameters and warnings: {Path(out) / 'run.json'})")
    return 0


def _file_identity(path: Path) -> tuple[int, int] | None:
    """What tells a file from the one written in its place (`write_whole` writes a new one), or None."""
    try:
        held = path.stat()
    except OSError:
        return None
    return held.st_ino, held.st_mtime_ns


def cmd_register(args) -> int:
    from twin.geography import load_geography
    from twin.parameters import Parameters
    from twin.register import synthetic_register
    from twin.register_sources import check_register_out, write_register_csv
    from twin.streams import RandomStreams

    from twin.scenario import load_scenario

    out = Path(args.out)
    check_register_out(out)  # before anything is read: never written over a file that is not a register
    scenario = load_scenario(args.scenario) if args.scenario else None  # its areas and parameters, as a run's
    if scenario:
        from dataclasses import replace

        from twin.preflight import scenario_warnings

        # a partial areas file unscaled, as `twin run` says it (this command draws the synthetic register)
        for warning in scenario_warnings(replace(scenario, register=None)):
            print(f"Warning: {warning}.", file=sys.stderr)
    geography = load_geography(scenario.areas_file if scenario else None)
    if scenario:  # the register reads no lever, but a run of the scenario would stop on a misnamed area
        from twin.scenario_levers import check_lever_targets

        check_lever_targets(scenario, geography)
    params = scenario.build_parameters() if scenario else Parameters()
    register = synthetic_register(geography, params, RandomStreams(args.seed)["register"])
    output_folder(out.parent)
    write_register_csv(register, geography, out, replace=args.replace)
    if not args.quiet:
        print(f"Wrote a synthetic register of {len(register):,} OCGs to {out}")
    return 0


def cmd_bench(args) -> int:
    from twin.bench import format_bench, format_phases, phase_times, run_bench
    from twin.precompile import warm_up

    warm_up()  # a first run on a machine compiles: not part of any figure
    if args.phases:
        times = phase_times(runs=args.reps or 3)
        print(json.dumps({k: round(v, 4) for k, v in times.items()}) if args.json else format_phases(times))
        return 0
    figures = run_bench(reps=args.reps or 5, plain_mesa_steps=args.plain_mesa_steps)
    print(json.dumps(figures) if args.json else format_bench(figures))
    return 0


def _preflight_notes(scenarios: list, years: float | None = None, step: str | None = None,
                     check_registers: bool = True) -> None:
    """Before any run: `preflight.preflight_warnings`, on stderr (under --quiet too)."""
    from twin.preflight import preflight_warnings

    for warning in preflight_warnings(scenarios, years, step, check_registers):
        print(f"Warning: {warning}.", file=sys.stderr)


def cmd_compare(args) -> int:
    from twin.database_url import made_for_nothing_removed

    with made_for_nothing_removed(args.db):  # a mistake found once the database is open leaves none behind
        return _compare(args)


def _compare(args) -> int:
    from twin.compare import load_comparison
    from twin.ensemble import run_ensemble, what_differs
    from twin.executor import WorkerLost, ignore_further_interrupts
    from twin.report import CHART_FILES, REPORT_FILES, report_experiment, write_report
    from twin.report_text import spin_up_parameters_note, terminal_table
    from twin.staging import check_ours
    from twin.scenario import load_scenario
    from twin.store import Store

    _preflight_notes([load_scenario(path) for path in args.scenarios], args.years)  # mistakes before any file
    if Path(args.out).is_dir():  # a user's own files there, before the runs
        check_ours(Path(args.out), REPORT_FILES + CHART_FILES)
    if args.cluster is None:
        from twin.executor import check_workers_fit

        check_workers_fit(args.workers)  # before the database is made
    store = Store(args.db)
    out = output_folder(args.out)
    from twin.staging import other_results

    if (mixed := other_results(out, "compare")) and not args.quiet:
        print(mixed, file=sys.stderr)
    try:
        posterior = args.posterior
        if posterior == "default":  # the shipped sample: here, or in the project this package runs from
            shipped = Path(__file__).resolve().parents[1] / "calibration" / "posterior.csv"
            here = Path("calibration/posterior.csv")
            posterior = str(here if here.exists() or not shipped.exists() else shipped)
        outcome = run_ensemble(args.scenarios, args.reps, args.seed, args.years, args.workers, store,
                               progress=not args.quiet, baseline=args.baseline, posterior=posterior,
                               cluster=args.cluster, uncertain_levers=args.uncertain_levers)
    except KeyboardInterrupt as interrupt:
        ignore_further_interrupts()
        saved = getattr(interrupt, "saved_runs", None)  # None: interrupted before the runs (loading, compiling)
        kept = len(store.kept) if store.kept else 0  # of them, kept in files while the database was locked
        done = ("no replication had run" if saved is None else "no replication had finished" if not saved else
                f"{saved:,} replication{'s' if saved != 1 else ''} finished: {saved - kept:,} stored in the database"
                + (f", {kept:,} kept in {store.kept_folder()} while it "
                   f"{f'failed ({store.failed})' if store.failed else 'was locked'} (stored by the next command)"
                   if kept else ""))
        print(f"twin: interrupted; {done}. Run the same command again to run the rest.", file=sys.stderr)
        return 130
    except WorkerLost as exc:  # not a user mistake: exit 1, as `twin sweep` does
        print(f"twin: {exc}", file=sys.stderr)
        return 1
    previous = report_experiment(out / "report.html")
    try:
        comparison = load_comparison(store, outcome.experiment_id, args.baseline, reps=args.reps)
        report = write_report(comparison, store, outcome.experiment_id, out)
    except KeyboardInterrupt:
        ignore_further_interrupts()
        print(f"twin: interrupted while writing the report; every replication is saved in the database and "
              f"{out}'s earlier report, if any, is as it was. Run the same command again to write it (it runs "
              f"nothing more).", file=sys.stderr)
        return 130
    if previous is not None and previous != outcome.experiment_id and not args.quiet:
        differs = what_differs(store, previous, outcome.experiment_id)  # "" when unrelated (another database's)
        print(f"Note: {report} held the report of experiment {previous}; it now holds experiment "
              f"{outcome.experiment_id}'s{f' ({differs})' if differs else ''} (give --out to keep reports apart; "
              f"`twin compare` on the same files rewrites the earlier one from the database at once).", file=sys.stderr)
    if not args.quiet:
        done = outcome.ran - len(outcome.failed)
        copied = (f", {outcome.copied} copied from other comparisons that ran the same scenario on the same seed "
                  f"and code" if outcome.copied else "")
        print(f"\nExperiment {outcome.experiment_id}: {done} replications run now{copied}, {outcome.skipped} already "
              f"stored for it in {safe_url(args.db)} (an experiment is its scenarios, seed, horizon and code "
              f"together); {outcome.wall_s:.1f} s wall, of which writing results {outcome.write_s:.1f} s.")
        from twin.report_titles import titled, titled_scenarios

        scenarios = titled_scenarios(store.scenarios_frame(outcome.experiment_id))  # the names the report gives
        comparison = titled(comparison, dict(zip(scenarios["code_name"], scenarios["name"])))
        spin_up_note = spin_up_parameters_note(comparison, markup=False)
        if spin_up_note:  # before the ranking: an option that is another world is no policy to rank
            print(spin_up_note)
        print(terminal_table(comparison, terminal_columns()))
        renamed = [f"{title} = {code}" for code, title in zip(scenarios["code_name"], scenarios["name"])
                   if title != code]
        if renamed:  # the results' tables and --baseline use the names
            print(f"Scenario names (for --baseline and in summary.csv): {'; '.join(renamed)}.")
        print(f"\nReport: {report} (its charts also in {out / 'charts'})\nSummary table: {out / 'summary.csv'}; "
              f"each option against each other: {out / 'pairwise.csv'}")
    if outcome.failed:
        print(f"twin: {len(outcome.failed)} replication(s) failed (recorded with their errors; the report uses the "
              f"others):", file=sys.stderr)
        for scenario, replicate, error in outcome.failed[:10]:
            print(f"  {scenario} replicate {replicate}: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args) -> int:
    from twin.database_url import require_database
    from twin.experiment_list import experiments_there
    from twin.export import check_parquet_engine, export_experiment, exported_before, exported_experiment
    from twin.store import Store

    require_database(args.db)
    store = Store(args.db, create=False)
    if args.list:
        from twin.experiment_list import experiments_listing

        print("\n".join(experiments_listing(store)) if store.latest_experiment() is not None else
              f"{safe_url(args.db)} holds no experiments yet (run `twin compare` or `twin sweep` first).")
        return 0
    experiment_id = args.experiment or store.latest_experiment()
    if experiment_id is None:
        raise UserError(f"--db {safe_url(args.db)}: no experiments yet (run `twin compare` or `twin sweep` first)")
    if not store.scenario_ids(experiment_id):
        raise UserError(f"--experiment {experiment_id}: no such experiment in {safe_url(args.db)}; "
                        f"{experiments_there(store)}")
    if args.format == "parquet":
        check_parquet_engine()
    out = output_folder(args.out)
    from twin.staging import other_results

    if (mixed := other_results(out, "export")) and not args.quiet:
        print(mixed, file=sys.stderr)
    before = [name for name in exported_before(out) if (out / name).exists()]
    held = exported_experiment(out)
    written, note = export_experiment(store, experiment_id, out, args.format)
    if held is not None and held != experiment_id:  # as a comparison's report says it
        print(f"Note: {out} held the export of experiment {held}; it now holds experiment {experiment_id}'s "
              f"(give another --out to keep both).", file=sys.stderr)
    row = store.experiment_row(experiment_id)
    if not args.quiet:
        print(f"Experiment {experiment_id} ({row.get('kind')}: {row.get('name')}) from {safe_url(args.db)}:")
        print("\n".join(f"  {p}" for p in written))
    if gone := [name for name in before if not (out / name).exists()]:  # another format's or experiment's tables
        print(f"Note: the earlier export's {', '.join(gone)} in {out} were removed (a folder holds one export, "
              f"whose README.txt describes its files); give another --out to keep both.", file=sys.stderr)
    if note:  # runs unfinished or failed: said under --quiet too
        print(f"Note: {note}.", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from twin.cli_help import describe_commands
    from twin.cli_research import add_research_commands

    parser = Parser(prog="twin", description="SOC computational twin: an agent-based model "
                                     "of serious and organised crime in the UK.")
    from twin import __version__

    parser.add_argument("--version", action="version", version=f"twin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")  # none: the help

    run = sub.add_parser("run", help="run one scenario once and print an annual summary")
    run.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    run.add_argument("--seed", type=arguments.seed, default=1, help="the run's random seed (default 1)")
    run.add_argument("--years", type=arguments.years, help="horizon in years (default: the scenario's)")
    run.add_argument("--step", choices=("month", "week"), help="step length (default: the scenario's)")
    run.add_argument("--spin-up-years", type=arguments.spin_up_years,
                     help="years run before the first reported one, levers off (default: the scenario's, "
                          "8 unless it says; 0 reports from the register's picture as given)")
    run.add_argument("--out", help="output folder (default results/<scenario>/seed-<seed>)")
    run.add_argument("--register", help="OCG register: a CSV file, or a SQLAlchemy URL with --register-table")
    run.add_argument("--register-table", help="table name when --register is a database URL")
    run.add_argument("--complete-register", action="store_true",
                     help="fill the areas the register leaves out with synthetic groups (for a force's own register)")
    run.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    run.set_defaults(func=cmd_run)

    params = sub.add_parser("params", help="print the parameter table with units, ranges and sources")
    params.add_argument("--group", help="only this group (population, markets, policing, ...)")
    form = params.add_mutually_exclusive_group()
    form.add_argument("--markdown", action="store_true", help="as a Markdown table")
    form.add_argument("--csv", action="store_true", help="as CSV")
    params.set_defaults(func=cmd_params)

    levers = sub.add_parser("levers", help="list the policy levers and their settings")
    levers.set_defaults(func=cmd_levers)

    register = sub.add_parser("register", help="write the synthetic OCG register as a CSV template")
    register.add_argument("scenario", nargs="?", help="scenario file whose areas file and parameters the register "
                          "follows, as its runs draw it (default: the built-in UK areas and parameters)")
    register.add_argument("--out", default="results/synthetic_register.csv", help="CSV file to write (default results/synthetic_register.csv)")
    register.add_argument("--seed", type=arguments.seed, default=1, help="random seed (default 1; a run with the same seed draws this register)")
    register.add_argument("--replace", action="store_true",
                          help="write over a register at --out that holds another (edited, or drawn otherwise)")
    register.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    register.set_defaults(func=cmd_register)

    bench = sub.add_parser("bench", help="benchmark set-up, runs, memory, and a plain-Mesa reference")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--phases", action="store_true", help="instead: milliseconds a UK step spends in each phase")
    bench.add_argument("--reps", type=arguments.bench_repeats,
                       help="timed monthly runs, median reported (default 5; the weekly runs are 3); with "
                            "--phases, the 10-year runs whose steps are timed (default 3)")
    bench.add_argument("--plain-mesa-steps", type=arguments.bench_repeats, default=7,
                       help="timed pairs: each times 5 plain-Mesa reference steps, 5 steps of the same "
                            "rules on arrays and 12 twin steps (default 7)")
    bench.set_defaults(func=cmd_bench)

    from twin.store import DEFAULT_DB

    compare = sub.add_parser("compare", help="run paired replications of scenarios and write the comparison report")
    compare.add_argument("scenarios", nargs="+", help="scenario TOML files; the first is the baseline")
    compare.add_argument("--reps", type=arguments.replications, default=12, help="replications per scenario (default 12)")
    compare.add_argument("--seed", type=arguments.seed, default=1,
                         help="root seed from which each replicate's seed is drawn (default 1)")
    compare.add_argument("--years", type=arguments.years, help="horizon in years (default: the scenarios')")
    where = compare.add_mutually_exclusive_group()
    where.add_argument("--workers", type=arguments.positive_int,
                       help="worker processes (default: all cores; 1: serial)")
    where.add_argument("--cluster", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    compare.add_argument("--db", default=DEFAULT_DB, help=f"SQLAlchemy URL of the results database (default {DEFAULT_DB})")
    compare.add_argument("--out", default="results/compare", help="report folder (default results/compare)")
    compare.add_argument("--baseline", help="scenario name to compare against (default: the first)")
    compare.add_argument("--posterior", nargs="?", const="default", type=arguments.posterior_file,
                         help="draw each replicate's parameters from a posterior sample (CSV; default "
                              "calibration/posterior.csv; a calibration's particles.csv is drawn by its "
                              "weights), the same draws for every scenario")
    compare.add_argument("--uncertain-levers", action="store_true",
                         help="draw each replicate's lever effect sizes and costs from their plausible ranges "
                              "(triangular, peaking at the assumed value), the same draws for every scenario")
    compare.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    compare.set_defaults(func=cmd_compare)

    export = sub.add_parser("export", help="export an experiment's results (CSV or Parquet, EMA layout)")
    export.add_argument("--db", default=DEFAULT_DB, help=f"SQLAlchemy URL of the results database (default {DEFAULT_DB})")
    export.add_argument("--experiment", type=arguments.experiment_id,
                        help="experiment id (default: the one run or added to most recently)")
    export.add_argument("--out", default="results/export", help="folder for the exported tables (default results/export)")
    export.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)")
    export.add_argument("--quiet", action="store_true",
                        help="print only warnings and errors (a note of runs unfinished or failed is printed)")
    export.add_argument("--list", action="store_true",
                        help="list the database's experiments (id, kind, seed, years, runs, dates, name) and export none")
    export.set_defaults(func=cmd_export)

    add_research_commands(sub)

    docs = sub.add_parser("docs", help="regenerate the step order, parameter, metric and lever tables in docs/ODD.md")
    docs.add_argument("--path", help="the ODD document to update (default: this project's docs/ODD.md)")
    docs.set_defaults(func=cmd_docs)
    describe_commands(sub)  # each command's --help: what it does and writes, an example
    return parser


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    """Run one command; returns its exit status. `exiting` (the `twin` command and `python -m
    twin`): the process ends next, so a command that has started ignoring Ctrl-C keeps ignoring it
    while Python shuts down (a second Ctrl-C then cannot interrupt the worker pools' clean-up)."""
    interrupt_handler = signal.getsignal(signal.SIGINT)  # commands ignore Ctrl-C once interrupted
    if exiting and interrupt_handler is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt_once)
    # A batch scheduler stops a job with SIGTERM: the same clean stop as Ctrl-C (finished work saved
    # and said so), rather than an instant, silent exit; also where Ctrl-C is ignored (a job started
    # in the background).
    for stop in (signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal closed
        if exiting and signal.getsignal(stop) is signal.SIG_DFL:
            signal.signal(stop, _interrupt_once)
    if exiting:  # a Ctrl-C landing in a callback from C: noted and raised again, not printed and lost
        from twin.errors import note_unraisable_interrupt

        sys.unraisablehook = note_unraisable_interrupt
    args = None
    MADE_FOLDERS.clear()
    from twin.register_sources import table_digest

    table_digest.cache_clear()  # a register's table as it is now (a session may edit it between commands)
    try:
        parser = build_parser()
        parser.argv = list(sys.argv[1:] if argv is None else argv)  # for the error's hints
        args = parser.parse_args(argv)  # inside: a Ctrl-C while modules load is no traceback either
        if args.command is None:  # `twin` alone: what it can do
            parser.print_help()
            return 0
        if getattr(args, "db", None) is not None:
            from twin.database_url import check_url

            check_url(args.db)
        if getattr(args, "quiet", False):  # however deep the first compilation starts
            from twin.precompile import silence_compiling_notice

            silence_compiling_notice()
        return args.func(args)
    except UserError as exc:
        print(f"twin: error: {exc}", file=sys.stderr)
        remove_empty_made()
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except KeyboardInterrupt:  # commands that keep finished work say so themselves
        print("twin: interrupted", file=sys.stderr)
        remove_empty_made()
        return 130
    except Exception as exc:  # the machine, not the user: a full disk, a database gone away
        from twin.errors import environment_error, interrupt_at_root, symlink_loop

        if interrupt_at_root(exc):  # Ctrl-C inside a compiled kernel, outside a model step
            print("twin: interrupted", file=sys.stderr)
            return 130
        if (loop := symlink_loop(exc)) is not None:  # the user's file, as other mistakes in naming one
            print(f"twin: error: {loop}", file=sys.stderr)
            remove_empty_made()
            return 2
        message = environment_error(exc, getattr(args, "db", None), getattr(args, "out", None))
        if message is None:
            raise
        print(f"twin: error: {message}", file=sys.stderr)
        return 1
    finally:  # a Python session that called main() gets its Ctrl-C back
        if not exiting:
            from twin.executor import restore_interrupts

            restore_interrupts(interrupt_handler)


def _interrupt_once(signum, frame):
    """Ctrl-C (or SIGTERM, SIGHUP) for the `twin` command: the first interrupts it, and from that instant
    later ones are ignored (a quick second Ctrl-C would otherwise land in the clean-up of the first)."""
    _ignore_stops()
    raise KeyboardInterrupt


def _ignore_stops() -> None:
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, signal.SIG_IGN)


def run() -> None:
    """The `twin` command. A closed pipe or a terminal without '£' stops no work (`guard_output`); a
    Ctrl-C just after the command ended (its work done and said) is no traceback, nor at shut-down."""
    guard_output()
    try:
        status = main(exiting=True)
    except KeyboardInterrupt:
        status = 130
    _ignore_stops()
    raise SystemExit(status)
