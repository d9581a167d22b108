"""`twin analyse`: a sweep's regret, robustness, PRIM boxes and feature scores (`analysis.py`), read
from the results database; it analyses the sweep of the file as it is now, with the current code,
or with --latest the latest sweep of its name. Its parser is in `cli_research.py`."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from twin.errors import UserError, output_folder, safe_url
from twin.staging import check_ours, staged_folder

ANALYSIS_FILES = ("analysis.html", "analysis.json", "regret.csv")


def cmd_analyse(args) -> int:
    import numpy as np

    from twin.analysis import (MIN_FUTURES_FOR_PRIM, FewerReplications, analyse, behind_note, complete_futures,
                               describe_box, format_outcome, identical_policies, write_analysis)
    from twin.targets import outcome_unit
    from twin.store import Store
    from twin.scenario import STEPS_PER_YEAR
    from twin.sweep import design, experiment_step, find_sweep, load_experiment
    from twin.sweep_reading import stored_design, sweep_results
    from twin.sweep_notes import note_other_results, what_changed

    from twin.database_url import require_database

    say = (lambda *_, **__: None) if args.quiet else print  # --quiet: the report, notes of what it leaves out
    config = load_experiment(args.experiment, args.seed)
    require_database(args.db)
    store = Store(args.db, create=False)
    out = output_folder(args.out or f"results/sweeps/{config['name']}")
    check_ours(out, ANALYSIS_FILES)  # a user's own files of these names, before the analysis
    experiment_id, notes, points = find_sweep(config, store), [], design(config)
    older_used = experiment_id is None  # the file's own sweep is not stored: another of its name, with --latest
    if experiment_id is None:
        experiment_id = store.latest_experiment(config["name"])
        if experiment_id is None:
            raise UserError(f"{args.experiment}: not run yet in {safe_url(args.db)} (run `twin sweep` first)")
        changed = what_changed(config, store, experiment_id)
        from twin.database_url import without_password
        from twin.store import DEFAULT_DB

        again = (f"twin sweep {shlex.quote(args.experiment)}"  # the command to paste, on this database
                 + (f" --db {shlex.quote(without_password(args.db))}" if args.db != DEFAULT_DB else "")
                 + (f" --seed {args.seed}" if args.seed is not None else "")
                 + (f" --out {shlex.quote(str(args.out))}" if args.out else ""))  # its results beside this analysis
        seeded = store.experiment_row(experiment_id).get("root_seed")  # the file swept with --seed?
        if seeded is not None and seeded != config["seed"] and find_sweep(
                load_experiment(args.experiment, int(seeded)), store) == experiment_id:
            changed += f": it is this file swept with --seed {seeded}; add --seed {seeded} to analyse it"
        if not args.latest:  # a pipeline that edited the file and forgot to sweep would publish another study
            raise UserError(f"{args.experiment}: no sweep of this file, as it is now, with the current code is in "
                            f"{safe_url(args.db)}: the latest '{config['name']}' sweep (experiment {experiment_id}) "
                            f"{changed}. Run `{again}` to sweep it, or add --latest "
                            f"to analyse that sweep as it was run")
        older = (f"no sweep of this file with the current code is in the database; analysing the latest "
                 f"'{config['name']}' sweep instead (experiment {experiment_id}, --latest), which {changed}. Run "
                 f"`{again}` to sweep with the current code and file.")
        notes.append(older)
        print(f"Note: {older}", file=sys.stderr)  # (under --quiet too: which sweep the analysis reads)
        points = stored_design(store, experiment_id)  # its futures and policies, not the file's
    table = sweep_results(store, experiment_id, config["reps"], config["outcomes"],
                          STEPS_PER_YEAR[experiment_step(config)])
    failed = int((table.status == "failed").sum())
    broken = _policies_that_always_fail(table, [name for name, _ in config["levers"]],  # {policy: (settings, error)}
                                        points.groupby("policy").size() * config["reps"])
    table = table[table.status == "done"]
    if table.empty:
        reason = (f"its {failed} run(s) failed (errors in the runs table, and in `twin sweep`'s output)" if failed
                  else "it stopped before any run finished (run `twin sweep` again to finish it)")
        raise UserError(f"{args.experiment}: no finished runs in experiment {experiment_id} to analyse: {reason}")
    missing = [o.name for o in config["outcomes"] if o.name not in table.columns]
    if missing:
        raise UserError(f"{args.experiment}: outcome(s) {', '.join(missing)} were not part of the sweep in the "
                        f"database (experiment {experiment_id}); run `twin sweep` again with this file")
    uncertainties = [u.name for u in config["uncertain"]]
    policies = [name for name, _ in config["levers"]]
    absent = [name for name in uncertainties + policies if name not in table.columns]  # an older sweep's
    if absent:
        raise UserError(f"{args.experiment}: the stored sweep (experiment {experiment_id}) did not vary "
                        f"{', '.join(absent)}; run `twin sweep {shlex.quote(args.experiment)}` to sweep this file")
    if (other := note_other_results(out, experiment_id, safe_url(args.db))) is not None:
        notes.append(other)
        print(f"Note: {other}.", file=sys.stderr)  # (under --quiet too: about the files left beside it)
    stored = len(table)
    reps, n_policies = config["reps"], int(points["policy"].nunique())
    if broken and len(broken) < n_policies:  # the rest are analysed: a run failing each time never finishes
        points = points[~points["policy"].isin(broken)]
        n_policies -= len(broken)
        left_out = "; ".join(f"policy {policy} ({settings}): {error}" for policy, (settings, error) in broken.items())
        note = (f"every run of {len(broken)} polic{'y' if len(broken) == 1 else 'ies'} failed, so the analysis leaves "
                f"{'it' if len(broken) == 1 else 'them'} out and ranks the other {n_policies} (a run that fails "
                f"each time fails again in `twin sweep`): {left_out}")
        notes.append(note)
        print(f"Note: {note}.", file=sys.stderr)  # (under --quiet too: what the analysis leaves out)
    try:
        try:
            table, note = complete_futures(table, reps, n_policies, sorted(points["sample"].unique()))
        except FewerReplications as exc:
            if not args.latest:
                raise
            reps = exc.most  # --latest: the sweep as it was run, with the replications it has
            fewer = (f"the file asks for {config['reps']} replications and the stored sweep has {reps}: analysing "
                     f"those (--latest); run `twin sweep` to run the rest")
            notes.append(fewer)
            print(f"Note: {fewer}.", file=sys.stderr)  # (under --quiet too: what the analysis leaves out)
            older_used = True  # not the file as it is: analysis.json says so
            table, note = complete_futures(table, reps, n_policies, sorted(points["sample"].unique()))
    except ValueError as exc:
        raise UserError(f"{args.experiment}: {exc}") from None
    if note:
        notes.append(note)
        print(f"Note: {note}", file=sys.stderr)  # (under --quiet too: the futures it leaves out)
    if n_policies == 1 and not uncertainties:
        raise UserError(f"{args.experiment}: nothing to analyse: one policy and no [[uncertainty]] (give a [[lever]] "
                        f"two values or more to compare policies, or an [[uncertainty]] to sample futures)")
    results = [analyse(table, uncertainties, policies, o.name, config["lower_is_better"][o.name],
                       unit=outcome_unit(o.metric, o.aggregation, experiment_step(config)))
               for o in config["outcomes"]]
    for result, o in zip(results, config["outcomes"]):  # how it was read off each run, for the page and programs
        result["definition"] = {"metric": o.metric, "area": o.area, "years": list(o.years),
                                "aggregation": o.aggregation, **({"ratio_of": o.ratio_of} if o.ratio_of else {})}
    used = f"{len(table):,} finished runs" + (f" (of {stored:,} stored; see the note)" if stored != len(table) else "")
    runs = (f"Experiment {experiment_id} in {safe_url(args.db)}: {used}, "
            f"{table['sample'].nunique()} sampled future(s) x {n_policies} option(s) x up to {reps} "
            f"replication(s)")
    for group in (same := identical_policies(table, [o.name for o in config["outcomes"]])):
        note = (f"policies {', '.join(map(str, group[:-1]))} and {group[-1]} give the same outcomes in every run "
                f"(the settings in which they differ change nothing here), so each counts as best wherever one does")
        notes.append(note)
        say(f"Note: {note}.", file=sys.stderr)
    money = [o.name for o in config["outcomes"]
             if outcome_unit(o.metric, o.aggregation, experiment_step(config)).startswith("GBP")]
    undiscounted = ([f"Money ({', '.join(money)}) is undiscounted, in 2023-24 prices, not the present values a "
                     f"comparison's headline gives (its discounted_ figures)."] if money else [])
    about = ([runs + (f"; {failed} failed run(s) left out." if failed else ".")] + _areas_about(config)
             + undiscounted + [f"Note: {n}" for n in notes])
    title = f"Sweep '{config['name']}': which option is robust, and where does each fail?"
    found = []  # each outcome's verdict, as the console gives it and the page opens with it
    for result in results:
        best, unit = result["policies"][0], result["unit"]
        lines = [f"{result['outcome']} ({result['better']} is better): smallest maximum regret, policy {best['policy']} "
                 f"({best['settings']}): {format_outcome(best['max_regret'], unit)}, best in "
                 f"{best['share_of_futures_best']:.0%} of futures{behind_note(best)}" if n_policies > 1 else
                 f"{result['outcome']} ({result['better']} is better): one policy ({best['settings']}), nothing to "
                 f"rank it against (give a [[lever]] two values or more); what moves the outcome across the futures "
                 f"is below"]
        if len(result["policies"]) > 1:
            second = result["policies"][1]
            close = second["max_regret"] - best["max_regret"] <= 0.05 * max(abs(best["max_regret"]), 1e-12)
            twins = any(best["policy"] in g and second["policy"] in g for g in same)
            lines.append(f"runner-up policy {second['policy']} ({second['settings']}): "
                         f"{format_outcome(second['max_regret'], unit)}, best in {second['share_of_futures_best']:.0%} "
                         f"of futures{behind_note(second)}" + ("; the two give the same outcomes in every run" if twins
                                                               else "; the two are within 5% on maximum regret, so "
                                                               "neither is clearly more robust" if close else ""))
        found.append(lines)
    with staged_folder(out) as staging:  # written whole, as the sensitivity report
        stored_row = store.experiment_row(experiment_id)  # the sweep as it ran: its seed and model code
        record = {"experiment_id": int(experiment_id), "database": safe_url(args.db),
                  "file": str(Path(args.experiment).resolve()), "as_file_and_code": not older_used,
                  "runs": {"finished": int(len(table)), "stored": int(stored), "failed": failed,
                           "sampled_futures": int(table["sample"].nunique()), "policies": int(n_policies),
                           "replications": int(reps)},
                  "seed": stored_row.get("root_seed"),
                  "code_hash": json.loads(stored_row.get("spec_json") or "{}").get("code"), "notes": notes}
        path = out / write_analysis(table, results, staging, title, about, found=found, record=record).name
    for result, lines in zip(results, found):
        say(lines[0])
        for line in lines[1:]:
            say(f"    {line}")
        skipped = {entry.get("skipped") for entry in result["prim"].values()}
        if len(skipped) == 1 and None not in skipped:  # one reason for every option: said once
            say(f"    no PRIM boxes: {skipped.pop()}")
        else:
            for name, entry in result["prim"].items():
                say(f"    {describe_box(name, entry)}")
        scores = sorted(((k, v) for k, v in result["feature_scores"].items() if np.isfinite(v)), key=lambda kv: -kv[1])
        if scores:
            say("    uncertainties that move the outcome's level most (|Spearman rho|, mean over the options; "
                "not what decides which option wins: see the boxes above): "
                + ", ".join(f"{k} {v:.2f}" for k, v in scores))
        elif result["uncertainties"]:  # (the one-policy verdict says "below")
            few = result["futures"] < MIN_FUTURES_FOR_PRIM
            say(f"    no scores of what moves the outcome: {result['futures']} sampled future(s), and rank "
                f"correlations need at least {MIN_FUTURES_FOR_PRIM}" if few else
                "    no scores of what moves the outcome: it, or each uncertainty, is the same in every future")
    say(f"Report: {path}")
    return 0


def _areas_about(config: dict) -> list[str]:
    """The sweep's areas, when they are not the UK's 45 as they are: its areas file, and the factor
    its national quantities are scaled by (the lever amounts and values it lists are UK figures)."""
    from twin.scenario import load_scenario
    from twin.sweep import policy_files

    files = policy_files(config)
    running = load_scenario(files[0]) if files else config["base"]
    if not running.areas_file and running.national_scale == 1.0:
        return []
    where = f"the areas of {running.areas_file}" if running.areas_file else "the UK's 45 force areas"
    return [f"Areas: {where}" + (f", with the UK's national quantities scaled by {running.national_scale:.3g} (the "
                                 f"national amounts and values below are UK figures, scaled in the runs)."
                                 if running.national_scale != 1.0 else ".")]


def _policies_that_always_fail(table, settings: list[str], runs) -> dict:
    """The policies of a sweep's runs table every one of whose `runs` (per policy: its futures x
    replications) is stored as failed, each with its `settings` (the experiment's [[lever]] names) and
    its first run's error, in one line. A policy with runs still to run is not among them (a part of
    the sweep still running, or interrupted: its other runs may finish)."""
    from twin.analysis import _label

    if "error" not in table or not (table.status == "failed").any():
        return {}
    done = set(table.loc[table.status == "done", "policy"])
    failing = table[(table.status == "failed") & ~table["policy"].isin(done)]
    out = {}
    for policy, rows in failing.groupby("policy", sort=True):
        if len(rows) < runs.get(policy, 0):
            continue
        first = rows.iloc[0]
        shown = ", ".join(_label(name, first[name]) for name in settings if name in rows)  # as the ranking names it
        out[int(policy)] = (shown or "the base scenario", str(first["error"]))
    return out
