"""`twin fit` and `twin calibrate`: a scenario's fit to the calibration targets, and the fit of
uncertain parameters to them (point fit or ABC-SMC); their parsers are in `cli_research.py`."""

from __future__ import annotations

import sys
from pathlib import Path

from twin.errors import UserError, output_folder, safe_url
from twin.staging import check_ours, remove_written, staged_folder
from twin.progress import progress_line
from twin.cli_research import project_default


def cmd_fit(args) -> int:
    from dataclasses import replace

    from twin.calibration import evaluate
    from twin.fit_report import fit_lines, fit_verdict, write_fit_report
    from twin.targets import fit_table, load_targets, scale_warnings, target_groups
    from twin.ensemble import replicate_seeds
    from twin.executor import make_executor
    from twin.scenario import load_scenario

    from twin.geography import load_geography

    args.scenario = project_default(args.scenario, "scenarios/baseline.toml")
    args.targets = project_default(args.targets, "calibration/targets.toml")
    scenario = load_scenario(args.scenario)
    geography = load_geography(scenario.areas_file)
    targets = load_targets(args.targets, geography.area_names, target_groups(geography))
    from twin.targets import areas_targets_warning

    if (warning := areas_targets_warning(scenario, args.targets)) is not None:
        print(f"Warning: {warning}.", file=sys.stderr)
    if args.years and all(t.years[1] > args.years for t in targets):  # as `twin calibrate` refuses it
        raise UserError(f"--years {args.years:g}: shorter than every target's years (the earliest ends in year "
                        f"{min(t.years[1] for t in targets)}) in {args.targets}")
    check_ours(output_folder(args.out), FIT_FILES)  # a user's own files of these names, before any run
    years = args.years or max(t.years[1] for t in targets)
    scenario = replace(scenario, years=years)
    from twin.preflight import preflight_warnings  # what `twin run` says of the scenario, before any run

    for warning in preflight_warnings([scenario]):
        print(f"Warning: {warning}.", file=sys.stderr)
    seeds = replicate_seeds(args.seed, args.reps)
    from twin.calibration import FIT_CHECKPOINT, fit_key, kept_values
    from twin.sensitivity import Checkpoint

    draws, drawn = None, {}
    if args.posterior:  # a posterior predictive check: each replication's parameters drawn from the sample
        from twin.ensemble import code_hash
        from twin.posterior import scenario_draws

        args.posterior = project_default("calibration/posterior.csv" if args.posterior == "default" else args.posterior,
                                         "calibration/posterior.csv")
        draws, drawn = scenario_draws(args.posterior, scenario, args.seed, args.reps, code_hash())
    keep = Checkpoint(args.out, fit_key(scenario, targets, [], command="fit", **(
        {"posterior": drawn["posterior_hash"], "held": drawn["held"]} if drawn else {})), FIT_CHECKPOINT)
    names = [t.name for t in targets]
    reused = len(kept_values(keep, seeds, names))
    if reused and not args.quiet:
        print(f"Note: {reused} of the {args.reps} replications were kept by an earlier run of this fit (same "
              f"scenario, targets and code) in {Path(args.out) / FIT_CHECKPOINT}: read back, not run again.",
              file=sys.stderr)
    executor = make_executor(args.workers)
    try:
        table = fit_table(targets, evaluate(scenario, targets, seeds, {}, executor, keep, draws=draws), scenario.step,
                          scenario.years)
    except KeyboardInterrupt:
        kept = len(kept_values(keep, seeds, names))
        where = (f"{kept} of the {args.reps} replications are kept in {Path(args.out) / FIT_CHECKPOINT}. Run the same "
                 f"command again: only the rest run" if kept else f"no replication of the {args.reps} had finished")
        print(f"\ntwin: interrupted; {where}.", file=sys.stderr)
        return 130
    finally:
        executor.close()
    notes = [f"Scenario {scenario.name}, {args.reps} replications of {years:g} years (root seed {args.seed}); "
             f"targets from {args.targets}."]
    if drawn:
        from twin.fit_report import predictive_check

        kept_own = (f"; the scenario keeps its own {', '.join(drawn['held'])}" if drawn["held"] else "")
        notes.append(predictive_check(table, f"{args.posterior}: {len(drawn['drawn'])} parameters{kept_own}"))
    for warning in scale_warnings(table):
        notes.append(f"Check the unit of {warning}.")
        print(f"Warning: {warning}.", file=sys.stderr)
    if args.reps < 5 and not drawn:  # (the predictive check says what it needs)
        notes.append(few_replications_note(args.reps, "--reps 5"))
    settings = {"scenario": args.scenario, "scenario_name": scenario.name, "targets": args.targets,
                "years": years, "reps": args.reps, "seed": args.seed, **drawn}
    title = (f"Posterior predictive check of '{scenario.name}' against its targets" if drawn else
             f"Fit of '{scenario.name}' to its targets")
    try:
        with staged_folder(Path(args.out)) as staging:  # the report's files land together
            write_fit_report(table, staging, title, notes,
                             extra={"settings": settings})
    except KeyboardInterrupt:  # every replication is kept: the next run writes the report at once
        from twin.executor import ignore_further_interrupts

        ignore_further_interrupts()
        print(f"\ntwin: interrupted while writing the report; all {args.reps} replications are kept in "
              f"{Path(args.out) / FIT_CHECKPOINT}. Run the same command again to write it (it runs nothing more).",
              file=sys.stderr)
        return 130
    html_path = Path(args.out) / "fit.html"  # (the replications stay kept: with more --reps only the new ones run)
    if not args.quiet:
        print("\n".join(fit_lines(table)))
        print(f"\n{fit_verdict(table)}" + "".join(f"\n{note}" for note in notes[1:]) + f"\nReport: {html_path}")
    if not table["evaluated"].any():  # a fit that measured nothing is no fit (`twin calibrate` refuses the file)
        print(f"twin: error: {args.targets or 'the targets'}: no target could be evaluated in these runs (the report "
              f"says why for each); nothing was measured", file=sys.stderr)
        return 2
    return 0


def few_replications_note(reps: int, more: str) -> str:
    """The fit table's 5-95% ranges over so few replications are a single value or rough."""
    spread = "are a single value" if reps == 1 else "are rough (interpolated between so few values)"
    return f"With {reps} replication{'s' if reps > 1 else ''}, the replicates' 5-95% ranges {spread}; use {more} or more to read them."


def abc_stop_reason(outcome: dict, config: dict) -> str:
    """Which limit stopped an ABC-SMC run short of minimum_epsilon, and what to raise."""
    generations_out = len(outcome["generations"]) >= config["generations"]
    ran = "its one generation ran" if config["generations"] == 1 else f"all {config['generations']} generations ran"
    if generations_out and outcome["simulations"] >= config["max_evaluations"]:  # both: raising one alone stops again
        return (f"{ran} and its {outcome['simulations']:,} simulations reached "
                f"max_evaluations ({config['max_evaluations']:,}); raise both generations and max_evaluations")
    if generations_out:
        return f"{ran}; raise generations"
    if outcome["simulations"] >= config["max_evaluations"]:
        return (f"its {outcome['simulations']:,} simulations reached max_evaluations ({config['max_evaluations']:,}); "
                f"raise max_evaluations")
    return "the generations or max_evaluations ran out; raise them"


def _check_target_scales(config: dict) -> None:
    """Before a calibration: warn of targets far from what one run at the scenario's own values
    gives (`targets.scale_warnings`), most likely in another unit, and refuse a target that run
    gives no value (a ratio over zero), which no particle could then be measured against; one run
    costs little beside a fit."""
    from dataclasses import replace

    from twin.calibration import evaluate
    from twin.ensemble import replicate_seeds
    from twin.executor import make_executor
    from twin.targets import fit_table, scale_warnings

    executor = make_executor(1)
    try:
        scenario = replace(config["scenario"], years=config["years"])
        table = fit_table(config["targets"], evaluate(scenario, config["targets"], replicate_seeds(config["seed"], 1),
                                                      {}, executor), scenario.step, scenario.years)
    finally:
        executor.close()
    undefined = table[~table["evaluated"]]  # every target is within the horizon: its value is undefined
    if len(undefined):
        said = "; ".join(f"'{t}': {why}" for t, why in zip(undefined["target"], undefined["not_evaluated_because"]))
        raise UserError(f"{config['targets_file']}: {said} (one run at the scenario's own values). A calibration "
                        f"cannot fit a target with no value: leave it out of the targets, or give a ratio_of "
                        f"the runs make non-zero")
    for warning in scale_warnings(table):
        print(f"Warning: {warning} (one run at the scenario's own values).", file=sys.stderr)


def cmd_calibrate(args) -> int:
    from dataclasses import replace

    from twin.calibration import evaluate, load_config, point_fit, started_before
    from twin.calibration_abc import abc_fit
    from twin.fit_report import fit_lines, fit_verdict
    from twin.targets import fit_table
    from twin.ensemble import replicate_seeds
    from twin.executor import make_executor
    from twin.store import Store

    config = load_config(args.config, args.seed)
    for warning in config["warnings"]:
        print(f"Warning: {warning}.", file=sys.stderr)
    if config["method"] == "abc":  # before the report folder is made
        try:
            import pyabc  # noqa: F401
        except ImportError:
            raise UserError('method = "abc" needs pyabc: pip install -e ".[calibrate]"') from None
    store = Store(args.db)
    out = output_folder(args.out or config["out"], "--out" if args.out else f"{args.config}: [calibration] out")
    check_ours(out, FIT_FILES + ("best_parameters.toml",) + ABC_FILES)  # a user's own files, before any run
    if not started_before(config, store):  # shown when the fit started: a rerun may have nothing left to run
        _check_target_scales(config)
    images, extra, notes = [], {}, []
    if config["method"] == "abc":
        from twin.calibration_abc import CalibrationInterrupted

        if args.quiet:  # pyabc sets its logger to INFO when imported, and logs each generation
            import logging

            logging.getLogger("ABC").setLevel(logging.WARNING)
        try:
            outcome = abc_fit(config, store, args.workers or config["workers"],
                              log=(lambda m: None) if args.quiet else print, checkpoint=out)
        except CalibrationInterrupted as exc:
            print(f"twin: interrupted; {exc}.", file=sys.stderr)
            return 130
        kernel = config.get("acceptor") == "kernel"  # its pyabc "epsilon" is a temperature: named so in fit.json
        generations = [{("temperature" if kernel and k == "epsilon" else k): v for k, v in g.items()}
                       for g in outcome["generations"]]
        extra = {"generations": generations, "simulations": outcome["simulations"],
                 "prior_sample_simulations": outcome["prior_sample_simulations"],
                 "runs_made_by_this_command": outcome["runs_made"], "posterior_medians": outcome["best"]}
        # a kernel fit's pyabc "epsilon" is its temperature (down to 1: the posterior of the tolerances as errors)
        eps = "temperature" if kernel else "epsilon"
        rates = ", ".join(f"{g['acceptance_rate']:.0%} ({eps} {g['epsilon']:.2f}, effective sample size "
                          f"{g['effective_sample_size']:.0f})" for g in outcome["generations"])
        last = outcome["generations"][-1] if outcome["generations"] else None
        prior_sample = outcome["prior_sample_simulations"]
        notes.append(f"ABC-SMC (pyabc run {outcome['abc_id']} in {safe_url(args.db)}): {outcome['simulations']:,} "
                     f"simulations, as pyabc counts them against max_evaluations"
                     + (f" ({prior_sample:,} of them its first sample from the prior, which sets the first {eps})"
                        if prior_sample else "")
                     + f"; acceptance rate by generation: {rates}. This command ran {outcome['runs_made']:,} model "
                     f"runs (with those past a generation's last accepted particle in its final batch, which pyabc "
                     f"does not count; none for particles read back). Fit shown at the posterior medians (each "
                     f"parameter's own weighted median over the particles, not a joint best fit).")
        if last:
            distinct = len(outcome["posterior"].drop_duplicates())
            notes.append(f"Posterior sample (posterior.csv): {len(outcome['posterior'])} rows drawn with replacement "
                         f"from the last generation's {last['accepted']} weighted particles (particles.csv, with their "
                         f"weights), {distinct} of them distinct; the particles' effective sample size is "
                         f"{last['effective_sample_size']:.0f} of {last['accepted']}.")
        final = outcome["generations"][-1]["epsilon"] if outcome["generations"] else float("inf")
        if final > config["minimum_epsilon"]:
            converged = (f"Not converged: ABC-SMC stopped at {eps} {final:.2f}, above minimum_epsilon "
                         f"{config['minimum_epsilon']:g} ({abc_stop_reason(outcome, config)} and run again to "
                         f"continue).")
            notes.append(converged)
            print(converged, file=sys.stderr)
        elif final < config["minimum_epsilon"] and not kernel:
            notes.append(f"The last generation's epsilon, {final:.3g}, is below minimum_epsilon "
                         f"({config['minimum_epsilon']:g}): pyabc sets each generation's epsilon from the distances "
                         f"of the one before and stops once it is at or below the minimum, so the posterior is "
                         f"somewhat narrower than that threshold alone would make it.")
        seeds = replicate_seeds(config["seed"], config["reps"])
    else:
        executor = make_executor(args.workers or config["workers"])

        show = progress_line()

        def progress(done, total, value, stored):
            if not args.quiet:
                show(f"evaluation {done}/{total}: misfit {value:,.2f}{' (read from the database)' if stored else ''}"
                     f"         ", done, total)

        try:
            outcome = point_fit(config, executor, store, progress)
        except KeyboardInterrupt:
            print(f"\ntwin: interrupted; the evaluations finished are saved in "
                  f"{safe_url(args.db)}. Run the same command again: they are read back, not run again.",
                  file=sys.stderr)
            return 130
        finally:
            executor.close()
        if not args.quiet:
            print()
        if outcome["from_database"] and not args.quiet:
            print(f"Note: {outcome['from_database']} of the {outcome['evaluations']} evaluations were read from "
                  f"{safe_url(args.db)} (an earlier run of this fit, same settings and code), not run again.",
                  file=sys.stderr)
        seeds = outcome["seeds"]
        if not outcome["converged"]:
            notes.append(f"Not converged: the point fit used its {outcome['evaluations']} evaluations (max_evaluations) "
                         "before Nelder-Mead settled; raise max_evaluations and run again to continue.")
            print(notes[-1], file=sys.stderr)
        notes.append(f"Point fit (Nelder-Mead on the priors' unit cube), {outcome['evaluations']} evaluations of "
                     f"{config['reps']} replications x {config['years']:g} years on fixed seeds"
                     + (f", {outcome['from_database']} of them read from the database (an earlier run of this fit)"
                        if outcome["from_database"] else "") + ". The fit below is measured on those same seeds, the "
                     "ones the best values were chosen on, so it flatters them: `twin fit best_parameters.toml "
                     "--seed N` measures it on others.")
    if config["reps"] < 5:
        notes.append(few_replications_note(config["reps"], "reps = 5"))
    executor = make_executor(args.workers or config["workers"])
    try:
        scenario = replace(config["scenario"], years=config["years"])
        # every target in the distance was fitted here: one the targets file marks neither by
        # construction nor fitted_by counts as fitted by this calibration's parameters
        calibrated = tuple(prior.name for prior in config["priors"])
        targets = [t if t.by_construction or t.fitted_by else replace(t, fitted_by=calibrated)
                   for t in config["targets"]]
        table = fit_table(targets, evaluate(scenario, targets, seeds, outcome["best"], executor), scenario.step,
                          scenario.years)
    except KeyboardInterrupt:  # nothing of this fit is written yet: its files stay as the last fit left them
        at = "posterior medians" if config["method"] == "abc" else "best values"
        print(f"\ntwin: interrupted while checking the fit at the {at}; the fit itself is saved in "
              f"{safe_url(args.db)} and nothing in {out} has changed. Run the same command again "
              f"to write its report (it runs only that check).",
              file=sys.stderr)
        return 130
    finally:
        executor.close()
    if config["method"] != "abc":  # an earlier ABC fit's sample would be read as this fit's (`--posterior`)
        for name in ABC_FILES:  # the twin's own; a user's file of the name stays
            remove_written(out, name)
    try:
        with staged_folder(out) as staging:  # the sample, its report and its parameters land together
            fitted = _write_calibration(config, outcome, table, staging, notes, images, extra, args)
    except KeyboardInterrupt:
        print(f"\ntwin: interrupted while writing the report; the fit itself is saved in {safe_url(args.db)} and "
              f"none of this fit's files is in {out} yet. Run the same command again to write them.", file=sys.stderr)
        return 130
    if args.quiet:  # the report and the parameters are written; warnings were said above
        return 0
    label = "Posterior medians" if config["method"] == "abc" else "Best values"
    print("\n" + "\n".join(fit_lines(table)))
    print(f"\n{label}" + "".join(f"\n  {line}" for line in parameter_lines(fitted)))
    beyond = config["targets_beyond_horizon"]
    print(f"\nAt the {label.lower()}: {fit_verdict(table)}"
          + (f" Not fitted ({len(beyond)}; read after the {config['years']:g}-year calibration horizon): "
             f"{', '.join(beyond)}." if beyond else "")
          + ("\n" + few_replications_note(config["reps"], "reps = 5") if config["reps"] < 5 else "")
          + f"\nParameters: {out / 'best_parameters.toml'}  Report: {out / 'fit.html'}")
    return 0


def parameter_lines(fitted) -> list[str]:
    """The calibrated parameters for a terminal (`calibration.parameter_table`'s rows), one a line:
    'name  0.4402  (90% credible interval 0.31 to 0.52, 45% of the prior's 90% range; prior uniform
    0.1 to 0.9; before the fit 0.5)', or a point fit's best value with its prior and starting value."""
    from twin.targets import number

    share_key = "share of prior's 90% range"
    width = max((len(name) for name in fitted["parameter"]), default=0)
    lines = []
    for row in fitted.to_dict("records"):
        value = row.get("posterior median", row.get("best value"))
        interval = (f"90% credible interval {number(row['credible 5%'])} to {number(row['credible 95%'])}, "
                    f"{row[share_key]:.0%} of the prior's 90% range; "
                    if "credible 5%" in row else "")
        lines.append(f"{row['parameter']:{width}s} {number(value):>9s} {row['unit']}  ({interval}prior "
                     f"{row['prior']}; before the fit {number(row['before the fit'])})")
    return lines


#: the files of a fit's report (`fit_report.write_fit_report`)
FIT_FILES = ("fit.html", "fit.json", "fit.png")
#: the files only an ABC-SMC calibration writes
ABC_FILES = ("posterior.csv", "particles.csv", "posterior.png")


def _write_calibration(config: dict, outcome: dict, table, out: Path, notes: list[str], images: list, extra: dict,
                       args):
    """A calibration's files in `out`: the posterior sample and particles (ABC), `fit.json` and
    `fit.html`, and `best_parameters.toml` (a scenario: the calibrated one with the fitted values)."""
    from twin.calibration import edge_notes, parameter_table, posterior_figure
    from twin.fit_report import write_fit_report
    from twin.targets import construction_distance, fitted_distance, number

    if config["method"] == "abc":
        outcome["posterior"].to_csv(out / "posterior.csv", index=False)
        outcome["particles"].to_csv(out / "particles.csv", index=False)
        images.append(("Posterior (the weighted particles): marginals and pairwise correlations",
                       posterior_figure(outcome["particles"], config["priors"], out / "posterior.png")))
    label = "Posterior medians" if config["method"] == "abc" else "Best values"
    notes.append(f"{label}: " + ", ".join(f"{k} = {number(v)}" for k, v in outcome["best"].items()))
    if config["method"] == "abc":
        inputs = sum(t.by_construction for t in config["targets"])
        kernel = config.get("acceptor") == "kernel"
        compared = "Gaussian kernel (each tolerance read as a standard deviation)" if kernel else "distance"
        notes.append(f"ABC {compared} over the {len(config['targets']) - inputs} targets not reproduced by "
                     f"construction (whether or not the calibrated parameters move them). The {inputs} reproduced by "
                     f"construction (inputs and starting conditions) are left out: at the medians they are "
                     f"{construction_distance(table):.2f} tolerances from their observations (Euclidean), a distance "
                     f"the fitted parameters barely move (docs/ODD.md, section 3.7)."
                     + ("" if kernel or not outcome["generations"] else
                        f" The ABC distance at the medians, of the replicates' mean, is {fitted_distance(table):.2f} "
                        f"(the last generation's epsilon {outcome['generations'][-1]['epsilon']:.2f} bounds each "
                        f"accepted particle's distance, of one run; the verdict's misfit sums the squares of every "
                        f"target's error, those by construction included)."))
    if config["targets_beyond_horizon"]:
        notes.append("Not fitted (read after the calibration horizon; check them with `twin fit`): "
                     + ", ".join(config["targets_beyond_horizon"]) + ".")
    fitted = parameter_table(config["priors"], config["scenario"].build_parameters().uk_values(), outcome["best"],
                             outcome["particles"] if config["method"] == "abc" else None)
    for note in edge_notes(config["priors"], fitted):  # in the report and, in `cmd_calibrate`, on the console
        notes.append(f"At the edge of its prior: {note}.")
        print(f"Warning: {note}.", file=sys.stderr)
    # keyed as `twin fit`'s settings are: the scenario's file, and its name apart
    extra["settings"] = {"config": str(args.config), "method": config["method"], "scenario": config["scenario_file"],
                         "scenario_name": config["scenario"].name, "targets": config["targets_file"],
                         "years": config["years"], "reps": config["reps"], "seed": config["seed"],
                         **({key: config[key] for key in ("population_size", "generations", "minimum_epsilon",
                                                          "max_evaluations", "posterior_size", "acceptor")}
                            if config["method"] == "abc" else {"max_evaluations": config["max_evaluations"]}),
                         "priors": [{"name": p.name, "low": p.low, "high": p.high, "scale": p.scale}
                                    for p in config["priors"]]}
    write_fit_report(table, out, f"Calibration of '{config['scenario'].name}' ({config['method']})", notes, images,
                     extra, fitted)
    what = ("# ABC-SMC: each parameter's posterior median (its own, not a joint best fit; the sample is\n"
            "# posterior.csv, which `twin compare --posterior` draws from)\n" if config["method"] == "abc"
            else "# the point fit's best parameters (Nelder-Mead)\n")
    (out / "best_parameters.toml").write_text(what + _calibrated_scenario(config, out.parent) + "\n[parameters]\n"
                                              + "".join(  # 0.44, not 0.43999999999999995
        f"{k} = {float(f'{v:.12g}')!r}\n" for k, v in outcome["best"].items()), encoding="utf-8")
    return fitted


def _calibrated_scenario(config: dict, folder: Path) -> str:
    """best_parameters.toml's [scenario]: the calibrated scenario file as its base (a path relative to
    the output `folder`, as a scenario's base is read; absolute when no relative path leads there),
    so the file is a scenario to run, fit or compare beside its base."""
    import json
    import os

    source = Path(config["scenario_file"]).resolve()
    try:
        base = Path(os.path.relpath(source, folder.resolve())).as_posix()
    except ValueError:  # another drive
        base = source.as_posix()
    from twin.config_checks import MAX_NAME_BYTES, MAX_TITLE_CHARS

    room = MAX_NAME_BYTES - len("_calibrated")  # a name also names a folder
    name = config["scenario"].name.encode("utf-8")[:room].decode("utf-8", errors="ignore") + "_calibrated"
    title = config["scenario"].title or config["scenario"].name
    if len(title) > MAX_TITLE_CHARS - 13 and len(config["scenario"].name) <= MAX_TITLE_CHARS - 13:
        title = config["scenario"].name  # 'baseline (calibrated)', not 'Current policy without… (calibrated)'
    if len(title) > MAX_TITLE_CHARS - 13:  # cut at a word, not inside one ('Current policy without Clea')
        title = title[:MAX_TITLE_CHARS - 14].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    title += " (calibrated)"
    return (f"# a scenario: `twin run` or `twin fit` it, or compare it with its base\n[scenario]\n"
            f"base = {json.dumps(base)}\nname = {json.dumps(name)}\ntitle = {json.dumps(title)}\n")
