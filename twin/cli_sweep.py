"""`twin sweep`: a batch experiment's runs (`sweep.py`), locally or on a Dask cluster, resumable, in
parts with --shard; --dry-run says what it would run. Its parser is in `cli_research.py`."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from twin.errors import NoResultsError, UserError, output_folder, safe_url
from twin.staging import check_ours, claim_folder, folder_held, other_results, write_whole


#: sampled futures from which `twin sweep` says it is building the design before the progress bar
LARGE_DESIGN = 10_000


def _print_sweep_plan(args, config: dict) -> int:
    """`twin sweep --dry-run`: the file checked, and what a sweep of it would run; nothing is run,
    stored or written (a database file that is not there is not made)."""
    from twin.database_url import sqlite_path
    from twin.store import Store
    from twin.sweep import sweep_plan

    from twin.executor import check_workers_fit
    from twin.sweep_notes import earlier_sweep_note

    # what the sweep itself would refuse before its runs: its folders and its workers
    out = output_folder(args.out or f"results/sweeps/{config['name']}", make=False)
    if out.is_dir():
        check_ours(out, SWEEP_FILES)
    path = sqlite_path(args.db)
    folder = Path(os.path.abspath(path.parent)) if path is not None else None
    for existing in (folder, *folder.parents) if folder is not None else ():
        if existing.exists():
            if not existing.is_dir():  # as the sweep says it
                raise UserError(f"--db '{safe_url(args.db)}': '{existing}' is a file, not a folder")
            break
    if args.cluster is None:
        check_workers_fit(args.workers)
    else:  # the cluster reached and its workers' code checked, as the sweep would first (a dead address passed)
        from twin.executor import make_executor

        make_executor(None, args.cluster).close()

    try:  # (a database holding none of twin's tables is left as it is: nothing is stored there yet)
        store = None if path is not None and not path.exists() else Store(args.db, create=False)
    except NoResultsError:
        store = None
    plan = sweep_plan(config, store)
    to_run = _check_writable(store, plan) if store is not None else plan["runs"]
    earlier = earlier_sweep_note(config, store) if store is not None else None
    kept = (f"; {plan['kept']:,} of them kept in {store.kept_folder()} while it was locked, stored by the next "
            f"command" if plan.get("kept") else "")
    stored = (f"{plan['finished']:,} of them already finished in {safe_url(args.db)} (experiment "
              f"{plan['experiment_id']}{kept})" if plan["experiment_id"] is not None else
              f"none of them stored in {safe_url(args.db)} (no sweep of this file with this code"
              + (f": {earlier}" if earlier else "") + ")")
    print(f"{args.experiment}: {plan['futures']:,} sampled future(s) x {plan['policies']:,} polic"
          f"{'y' if plan['policies'] == 1 else 'ies'} = {plan['points']:,} design points, x {plan['reps']} "
          f"replication(s) = {plan['runs']:,} runs; {stored}; "
          + (f"{plan['copyable']:,} to take from earlier sweeps of the same design points; "
             if plan["copyable"] else "")
          + f"{to_run:,} to run{_no_copies(config) if to_run and earlier else ''}{_part(args, config, plan)}. The "
          f"file is checked" + (f", and the cluster {args.cluster.strip()} answers with workers running this code"
                                if args.cluster else "") + "; nothing was run (--dry-run).")
    return 0


def _part(args, config: dict, plan: dict) -> str:
    """With --shard: how many of the sweep's runs its part holds (of all of them, stored or not)."""
    if not args.shard:
        return ""
    from twin.sweep import design, shard_groups

    part, parts = args.shard
    runs = len(shard_groups(design(config), config["reps"], args.shard)) * plan["policies"]
    return f" (part {part} of {parts} holds {runs:,} of the {plan['runs']:,} runs" + (
        ": fewer sampled future-replicates than parts)" if not runs else ")")


def _no_copies(config: dict) -> str:
    """Why no run is taken from earlier sweeps when an outcome is an area's ('' when every one is the UK's)."""
    areas = [o.name for o in config["outcomes"] if o.area != "UK"]
    return (f" (none taken from earlier sweeps: the outcome{'s' if len(areas) > 1 else ''} {', '.join(areas)} of an "
            f"area, region or nation need{'' if len(areas) > 1 else 's'} runs that record it, which runs keep only "
            f"for the UK)" if areas else "")


def _check_writable(store, plan: dict) -> int:
    """The runs a sweep has to do (`sweep_plan`); refused when the database can only be read and it
    has runs, or its experiment, to store. Before any compiling."""
    to_run = max(plan["runs"] - plan["finished"] - plan["copyable"], 0)
    store.check_can_store(to_run, new_experiment=plan["experiment_id"] is None)
    return to_run


#: what `twin sweep` writes in its folder (`export.write_sweep_guide` and `sweep_notes`, besides the results)
SWEEP_FILES = ("sweep_results.csv", "outcome_definitions.csv", "README.txt", "experiment.json")


def cmd_sweep(args) -> int:
    from twin.database_url import made_for_nothing_removed

    with made_for_nothing_removed(args.db):  # a mistake found once the database is open leaves none behind
        return _sweep(args)


def _sweep(args) -> int:
    from twin.executor import make_executor
    from twin.store import Store
    from twin.scenario import STEPS_PER_YEAR
    from twin.sweep import experiment_step, load_experiment, run_sweep
    from twin.sweep_reading import sweep_results
    from twin.sweep_notes import note_replaced_results
    from twin.export import write_sweep_guide

    config = load_experiment(args.experiment, args.seed)
    for warning in config["warnings"]:
        print(f"Warning: {warning}.", file=sys.stderr)
    from twin.executor import check_workers_fit, warn_more_workers_than_cores

    if args.cluster is None:
        check_workers_fit(args.workers)  # before a database or folder is made, and in a dry run
    if args.dry_run:
        if args.cluster is None:
            warn_more_workers_than_cores(args.workers)  # as the sweep would (when it makes its workers)
        return _print_sweep_plan(args, config)
    steps_per_year = STEPS_PER_YEAR[experiment_step(config)]
    from twin.sweep import sweep_plan

    out = output_folder(args.out or f"results/sweeps/{config['name']}")
    check_ours(out, SWEEP_FILES)  # a user's own files of these names are refused before any run
    store = Store(args.db)
    if store.read_only:
        _check_writable(store, sweep_plan(config, store))
    # local processes made only when runs are left to do (making them compiles the kernels); a cluster at
    # once, its workers' code checked before the experiment is written
    made = [] if args.cluster is None else [make_executor(args.workers, args.cluster)]
    executor = made[0] if made else lambda: made.append(make_executor(args.workers, args.cluster)) or made[0]
    from twin.executor import WorkerLost, ignore_further_interrupts

    size = int(config["sampler"].get("size", 8)) if config["sampler"].get("kind") != "factorial" else 0
    if size >= LARGE_DESIGN and not args.quiet:
        print(f"Building a design of {size:,} sampled futures x its policies x {config['reps']} replication(s) and "
              f"registering its runs in the database: a design this large takes a while before the first run.",
              file=sys.stderr, flush=True)
    def keep_finished() -> str:
        """The finished runs' table written for a first look (twin analyse reads it too), in words."""
        from twin.sweep import find_sweep

        experiment_id = find_sweep(config, store)
        finished = (sweep_results(store, experiment_id, config["reps"], config["outcomes"], steps_per_year)
                    if experiment_id is not None else None)
        if (finished is None or not len(finished)) and not store.kept:
            return "no run had finished"
        if finished is None or not len(finished):
            return (f"{len(store.kept):,} finished run(s) kept in {store.kept_folder()} while the database "
                    f"{f'failed ({store.failed})' if store.failed else 'was locked'}")
        claim_folder(out, SWEEP_FILES)
        note_replaced_results(out, experiment_id, args.experiment, safe_url(args.db))
        with folder_held(out):  # read again under the lock: another part may have written since
            finished = sweep_results(store, experiment_id, config["reps"], config["outcomes"], steps_per_year)
            write_whole(out / "sweep_results.csv", lambda path: finished.to_csv(path, index=False))
        write_sweep_guide(out, config, experiment_id, safe_url(args.db), experiment_step(config))
        kept = (f", and {len(store.kept):,} more kept in {store.kept_folder()} while it "
                f"{f'failed ({store.failed})' if store.failed else 'was locked'} (stored by the "
                f"next command)" if store.kept else "")
        return (f"{len(finished):,} finished run{'s are' if len(finished) != 1 else ' is'} saved in the "
                f"database {safe_url(args.db)} (this command's and earlier ones', all the sweep has so far: "
                f"{out / 'sweep_results.csv'}){kept}; runs in progress are lost")

    from twin.sweep_notes import earlier_sweep_note

    if (note := earlier_sweep_note(config, store)) is not None:
        reuse = (" (runs of the same design points, seeds and code are taken from earlier sweeps, the rest run)"
                 if all(o.area == "UK" for o in config["outcomes"]) else _no_copies(config))
        if not args.quiet:
            print(f"Note: {note}: this sweep is a new experiment{reuse}.", file=sys.stderr)
    try:
        outcome = run_sweep(config, store, executor, progress=not args.quiet, shard=args.shard)
    except KeyboardInterrupt:
        ignore_further_interrupts()
        print(f"twin: interrupted; {keep_finished()}. Run the same command again to finish.", file=sys.stderr)
        return 130
    except WorkerLost as exc:
        made[0].close()  # first: a lost scheduler's client stops trying to reconnect
        print(f"twin: {exc}", file=sys.stderr)
        print(f"twin: {keep_finished()}.", file=sys.stderr)
        return 1
    finally:
        for one in made:
            one.close()
    if mixed := other_results(out, "sweep"):
        print(mixed, file=sys.stderr)
    claim_folder(out, SWEEP_FILES)
    note_replaced_results(out, outcome["experiment_id"], args.experiment, safe_url(args.db))
    with folder_held(out):  # parts ending together: the last to write has read every run the others stored
        table = sweep_results(store, outcome["experiment_id"], config["reps"], config["outcomes"], steps_per_year)
        write_whole(out / "sweep_results.csv", lambda path: table.to_csv(path, index=False))
    write_sweep_guide(out, config, outcome["experiment_id"], safe_url(args.db), experiment_step(config))
    if outcome["ran"]:
        runs_per_hour = outcome["ran"] / outcome["wall_s"] * 3600
        reused = outcome.get("reused", 0)
        done_now = (f"{outcome['ran']} runs now ({runs_per_hour:,.0f} runs/hour, batches of up to {outcome['chunk']}, "
                    f"writing {outcome['write_s']:.1f} s)"
                    + (f", {reused} finished earlier and reused from the database" if reused else ""))
    elif args.shard and not outcome.get("planned"):
        done_now = (f"no runs in this part: the sweep's {outcome['groups']:,} sampled future-replicate(s) make fewer "
                    f"than {args.shard[1]} parts")
    else:
        done_now = "every run was already in the database"
    if outcome.get("copied"):  # runs of the same points, seeds and code in an earlier sweep
        done_now += (f"; {outcome['copied']} run(s) taken from earlier sweeps of the same design points (the same "
                     f"scenario, seed and model code give the same results)")
    from twin.store import DEFAULT_DB

    from twin.database_url import without_password

    given = ((f" --db {shlex.quote(without_password(args.db))}" if args.db != DEFAULT_DB else "")
             + (f" --seed {args.seed}" if args.seed is not None else "")
             + (f" --out {shlex.quote(args.out)}" if args.out else ""))  # quoted: a command to paste
    so_far = ""
    if args.shard:  # the results as they stand: the other parts may still be running
        done_now = f"part {args.shard[0]} of {args.shard[1]}: {done_now}"
        stored, whole = len(table), outcome["points"] * config["reps"]
        so_far = f" ({stored:,} of the sweep's {whole:,} runs stored so far)"
        given += " once every part has finished" if stored < whole else ""
    from twin.database_url import in_memory

    after = ("" if in_memory(args.db) else  # (a database in memory is gone: nothing to analyse)
             f"\nNext: twin analyse {shlex.quote(args.experiment)}{given}"
             + (" (the password left out: PostgreSQL reads it from PGPASSWORD or ~/.pgpass, or give it in the URL)"
                if without_password(args.db) != args.db else ""))
    if not args.quiet:
        print(f"Experiment {outcome['experiment_id']}: {outcome['points']} design points, {done_now}.\n"
              f"Results: {out / 'sweep_results.csv'}{so_far}{after}")
    if outcome["failed"]:
        print(f"twin: {len(outcome['failed'])} run(s) failed (recorded with their errors; the results hold the "
              f"others):", file=sys.stderr)
        for point, replicate, error in outcome["failed"][:10]:
            print(f"  {point} replicate {replicate}: {error}", file=sys.stderr)
        return 1
    return 0
