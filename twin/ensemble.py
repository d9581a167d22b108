"""Monte Carlo ensembles: N paired replications of every scenario, stored in the results database.

Replicate i of every scenario uses the same seed (common random numbers), derived from the root
seed, so differences between scenarios are sharp. The coordinator plans the runs, skips those
already done (an interrupted command, run again, does only what is missing), hands the rest to an
executor, and writes each result as it arrives. A replication that raises is recorded as failed
with its error and the others continue. A replicate may draw the calibrated parameters from a
posterior sample (`posterior.py`) and the levers' assumed effect sizes and costs from their
ranges (`lever_uncertainty.py`), the same draws for every scenario.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from twin import __version__
from twin.geography import describe, load_geography
from twin.lever_uncertainty import held_settings, with_drawn_levers
from twin.posterior import parameter_columns, posterior_draws, read_sample
from twin.scenario import STEPS_PER_YEAR, Scenario, load_scenario
from twin.store import Store

GREEN_BOOK_DISCOUNT_RATE = 0.035  # HM Treasury Green Book social time preference rate
#: metrics kept per area and year (flows summed over the year, stocks at its end)
AREA_FLOWS = ("harm_gbp_total", "harm_gbp_drugs", "harm_gbp_economic", "harm_gbp_modern_slavery",
              "harm_gbp_immigration", "harm_gbp_violence", "harm_gbp_other", "response_cost_gbp", "assets_recovered_gbp", "net_social_cost_gbp",
              "disruptions", "arrests", "homicides", "recruits", "ocgs_entered", "relocations")
AREA_STOCKS = ("ocgs_active", "members_active", "county_lines_active", "community_trust")
#: stocks whose level at the end of the horizon the summary keeps (`final_year_<metric>`: the mean
#: of the last reported year's steps, which a single step's noise would blur)
FINAL_STOCKS = ("ocgs_active", "members_active", "members_prison", "county_lines_active")
SUMMED = ("harm_gbp_total", "harm_gbp_drugs", "harm_gbp_economic", "harm_gbp_modern_slavery",
          "harm_gbp_immigration", "harm_gbp_violence", "harm_gbp_other", "response_cost_gbp",
          "response_cost_gbp_policing", "response_cost_gbp_forces", "response_cost_gbp_rocus",
          "response_cost_gbp_nca", "lever_spending_gbp_forces", "lever_spending_gbp_rocus", "lever_spending_gbp_nca",
          "lever_spending_gbp_courts", "lever_spending_gbp_prisons", "lever_spending_gbp_other", "response_cost_gbp_courts", "response_cost_gbp_prisons", "assets_recovered_gbp",
          "net_social_cost_gbp", "homicides", "drug_deaths", "disruptions", "arrests",
          "convictions", "recruits", "recruits_children", "nrm_referrals", "fraud_offences", "early_releases",
          "emergency_releases", "bail_releases")


@dataclass(frozen=True)
class Task:
    scenario_position: int
    scenario_id: int
    replicate: int
    seed: int
    scenario: Scenario


def replicate_seeds(root_seed: int, reps: int) -> list[int]:
    """One seed per replicate, the same for every scenario (paired)."""
    children = np.random.SeedSequence(root_seed).spawn(reps)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def discount_factors(n_steps: int, steps_per_year: int) -> np.ndarray:
    year = np.arange(n_steps) // steps_per_year
    return 1.0 / (1.0 + GREEN_BOOK_DISCOUNT_RATE) ** year


def run_replicate(task: Task) -> dict:
    """Run one replication (in a worker) and return everything the coordinator stores."""
    from twin.runner import build_model

    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        t0 = time.perf_counter()
        model = build_model(task.scenario, task.seed)
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
        return {"status": "done", "started_at": started, "setup_s": t1 - t0, "run_s": t2 - t1,
                **outcome_tables(model)}
    except Exception as exc:  # recorded as a failed run; the ensemble goes on
        return {"status": "failed", "started_at": started,
                "error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"}


def outcome_tables(model) -> dict:
    results = model.results
    steps = results.steps_recorded
    per_year = STEPS_PER_YEAR[model.step_length]
    names = results.metric_names
    uk = results.values[:steps, -1, :]
    trajectories = [(s + 1, names[k], float(uk[s, k])) for k in range(len(names)) for s in range(steps)
                    if not np.isnan(uk[s, k])]
    n_years = int(np.ceil(steps / per_year))
    area_rows = []
    areas = results.area_names[:-1]
    for metric in AREA_FLOWS + AREA_STOCKS:
        values = results.values[:steps, :-1, results.index[metric]]
        for year in range(n_years):
            window = values[year * per_year: (year + 1) * per_year]
            if metric == "community_trust":
                per_area = window.mean(axis=0)
            elif metric in AREA_STOCKS:
                per_area = window[-1]
            else:
                per_area = window.sum(axis=0)
            area_rows += [(year + 1, area, metric, float(v)) for area, v in zip(areas, per_area)]
    factors = discount_factors(steps, per_year)
    summary = {}
    for metric in SUMMED + tuple(n for n in names if n.startswith("lever_cost_gbp_")):
        series = uk[:, results.index[metric]]
        summary[f"total_{metric}"] = float(series.sum())
        summary[f"discounted_{metric}"] = float((series * factors).sum())
    last_year = uk[max(steps - per_year, 0):]
    for metric in FINAL_STOCKS:
        summary[f"final_year_{metric}"] = float(last_year[:, results.index[metric]].mean())
    vulnerable = model.geography.exporter
    harm = results.values[:steps, :-1, results.index["harm_gbp_total"]]
    summary["discounted_harm_gbp_exporter_areas"] = float((harm[:, vulnerable].sum(axis=1) * factors).sum())
    summary["discounted_harm_gbp_other_areas"] = float((harm[:, ~vulnerable].sum(axis=1) * factors).sum())
    most_vulnerable = model.geography.most_vulnerable()  # with an areas file's vulnerability index
    if most_vulnerable is not None:
        summary["discounted_harm_gbp_most_vulnerable_areas"] = float(
            (harm[:, most_vulnerable].sum(axis=1) * factors).sum())
    return {"trajectories": trajectories, "area_results": area_rows, "summary": summary}


#: modules that only present stored results or word messages (reports, commands, error messages,
#: sweep notes, the benchmark, the kernels' compile list): editing them leaves every stored run valid,
#: so they are left out of `code_hash`
PRESENTATION_MODULES = frozenset({"__main__.py", "cli.py", "cli_research.py", "cli_analyse.py", "cli_calibration.py",
                                  "cli_sweep.py",
                                  "cli_reference.py", "cli_help.py", "cli_parser.py",
                                  "report.py",
                                  "report_text.py", "report_format.py", "report_ranking.py", "report_pairs.py",
                                  "report_areas.py", "report_headline.py",
                                  "report_page.py", "report_unmoved.py", "report_titles.py", "report_caveats.py",
                                  "report_navigation.py", "report_levers.py", "report_horizon.py", "report_drawn.py",
                                  "compare.py",
                                  "summary.py", "analysis.py", "fit_report.py",
                                  "export.py", "experiment_list.py", "odd.py", "bench.py", "plain_mesa.py",
                                  "core_rules.py", "errors.py", "file_hints.py", "progress.py", "sweep_notes.py",
                                  "sweep_reading.py", "validation_expectations.py", "precompile.py", "preflight.py"})


@functools.cache
def code_hash() -> str:
    """A hash of the package's source and data files that a stored result depends on. Unlike the
    git commit it ignores documentation-only commits and sees uncommitted edits; it leaves out the
    presentation modules, so rewording a report does not make a sweep start again."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".csv") and "__pycache__" not in p.parts
                       and not (p.parent == root and p.name in PRESENTATION_MODULES)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def provenance() -> dict:
    """What made a run: the package version, the git commit (and whether the checkout had changes
    not committed), the model source's hash (`code_hash`: what identifies the code), the Python
    version and the packages the step runs on (numba and llvmlite compile it)."""
    commit = changed = None
    try:
        where = Path(__file__).resolve().parent
        # the commit of the repository that holds this package's code, not of one it was installed into
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "model.py"], capture_output=True, text=True,
                                 timeout=5, cwd=where).returncode == 0
        if tracked:
            commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                                    cwd=where).stdout.strip() or None
        if commit:
            changed = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                                          text=True, timeout=5, cwd=where).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return {"code_version": __version__, "git_commit": commit, "git_uncommitted_changes": changed,
            "code_hash": code_hash(), "packages": package_versions()}


def package_versions() -> dict[str, str]:
    """The versions of Python and of the packages a run's results may depend on in the last digits."""
    import platform

    import llvmlite
    import mesa
    import numba
    import pandas
    import scipy
    import sqlalchemy

    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__, "mesa": mesa.__version__, "sqlalchemy": sqlalchemy.__version__,
            "numba": numba.__version__, "llvmlite": llvmlite.__version__}


@dataclass
class EnsembleOutcome:
    experiment_id: int
    ran: int
    skipped: int
    failed: list[tuple[str, int, str]]
    wall_s: float
    write_s: float
    copied: int = 0  # replications copied from other comparisons (`run_reuse`), not run again


def warn_of_package_changes(store: Store, experiment_id: int, packages: dict) -> None:
    """An experiment resumed with other package versions than it started with: runs added now may
    differ from the stored ones in the last digits (`Store.package_changes`)."""
    if (changed := store.package_changes(experiment_id, packages)) is not None:
        print(f"Warning: experiment {experiment_id} was started with other package versions ({changed}): runs "
              f"added now may differ from its stored ones in the last digits; give another --db to start afresh.",
              file=sys.stderr)


#: what paired scenarios must share: their differences would otherwise be differences of horizon
COMPARED_TIMING = ("years", "step", "start_date", "spin_up_years")


def check_comparable(loaded: list[Scenario], years: float | None) -> None:
    """Scenarios compared run over the same horizon, step, start date and spin-up, on the same areas
    at the same scale: a paired difference between a 3-year and a 10-year run would be a difference
    of horizons, one between a region and the UK a difference of places."""
    from twin.errors import UserError

    first = loaded[0]
    for scenario in loaded[1:]:
        for key in COMPARED_TIMING:
            if getattr(scenario, key) != getattr(first, key):
                hint = " (or give --years for all)" if key == "years" and years is None else ""
                raise UserError(f"{scenario.path}: [scenario] {key} = {getattr(scenario, key)!r}, but {first.path} "
                                f"has {getattr(first, key)!r}; scenarios compared must share {key}: set it the same "
                                f"in both{hint}")
        if _areas_identity(scenario) != _areas_identity(first):
            raise UserError(f"{scenario.path}: runs on {_areas_words(scenario)}, but {first.path} on "
                            f"{_areas_words(first)}; scenarios compared must run on the same areas at the same scale "
                            f"(a paired difference would be a difference of places, not of policies): give them the "
                            f"same areas_file and scale_national_quantities, or one base scenario that sets both")
        if _register_identity(scenario) != _register_identity(first):
            raise UserError(f"{scenario.path}: starts from {_register_words(scenario)}, but {first.path} from "
                            f"{_register_words(first)}; scenarios compared must start from the same groups (a paired "
                            f"difference would be one of starting pictures, not of policies): give them the same "
                            f"register and complete_register, or one base scenario that sets both")


def _register_identity(scenario: Scenario) -> tuple:
    """What a scenario starts from: its register file's contents (not the path to it), or none (the
    synthetic register), and whether the areas it leaves out are filled."""
    path = Path(scenario.register) if scenario.register else None
    contents = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None and path.is_file() else path
    if scenario.register_table:  # a database's table, by what it holds
        from twin.register_sources import table_digest

        contents = table_digest(scenario.register, scenario.register_table)
    return contents, bool(scenario.complete_register) and path is not None


def _register_words(scenario: Scenario) -> str:
    if not scenario.register:
        return "the synthetic register drawn from each seed"
    table = f" (table {scenario.register_table})" if scenario.register_table else ""
    filled = " (its missing areas filled)" if scenario.complete_register else ""
    return f"the register {scenario.register}{table}{filled}"


def _areas_identity(scenario: Scenario) -> tuple:
    """What a scenario's areas are, whatever the path to its areas file: every column of the file
    (names, regions, people, exporters, coordinates, vulnerability, trust), and the factor its
    national quantities are scaled by."""
    geo = load_geography(scenario.areas_file)
    columns = (geo.latitude, geo.longitude, geo.vulnerability_index, geo.community_trust)
    return (tuple(geo.area_names), tuple(geo.nation), tuple(geo.region_names[r] for r in geo.area_region),
            tuple(geo.population), tuple(geo.exporter), *(None if c is None else tuple(c) for c in columns),
            scenario.national_scale)


def _areas_words(scenario: Scenario) -> str:
    where = f"the areas of {scenario.areas_file}" if scenario.areas_file else "the UK's 45 force areas"
    return where + (f" with the national quantities scaled by {scenario.national_scale:.3g}"
                    if scenario.national_scale != 1.0 else "")


def prepare(paths: list, reps: int, root_seed: int, years: float | None, store: Store,
            baseline: str | None = None, posterior: str | None = None,
            uncertain_levers: bool = False) -> tuple[int, list[Task], list[Scenario]]:
    """The experiment's tasks: `paths` are scenario files, or `Scenario`s (from Python: a loaded one
    with its parameters changed is an experiment of its own, by its contents); `uncertain_levers`
    draws each replicate's lever assumptions (`lever_uncertainty`)."""
    from twin.register_sources import table_digest

    table_digest.cache_clear()  # a register's table is read afresh for each experiment (edited since: another)
    loaded = [p if isinstance(p, Scenario) else load_scenario(p) for p in paths]
    paths = [s.path if isinstance(s, Scenario) else str(s) for s in paths]
    from twin.csv_input import formula_like

    for scenario in loaded:  # named in Python, unchecked by a file's loading
        if formula_like(scenario.name):
            from twin.errors import UserError

            raise UserError(f"scenario name: {formula_like(scenario.name)}")
    if years is not None and all(s.years == years for s in loaded):
        years = None  # --years saying what the files say: the same experiment (it ran everything again)
    if years is not None:
        loaded = [replace(s, years=years) for s in loaded]
    for scenario in loaded:
        scenario.n_steps  # noqa: B018 (raises when the horizon is shorter than one step, before any run)
    names = [s.name for s in loaded]
    check_comparable(loaded, years)
    if baseline is not None and baseline not in names:
        from twin.errors import UserError, did_you_mean

        titled = [s.name for s in loaded if s.title and s.title.casefold() == baseline.casefold()]
        filed = [s.name for s in loaded if s.path and Path(s.path).resolve() == Path(baseline).resolve()]
        hint = (f"; that is the title of '{titled[0]}', and --baseline takes the name" if titled
                else f"; that is the file of '{filed[0]}', and --baseline takes the name" if filed
                else did_you_mean(baseline, names))
        raise UserError(f"--baseline: unknown scenario '{baseline}'{hint} (scenarios: {', '.join(names)})")
    if len(set(names)) != len(names):
        from twin.errors import UserError

        shared = sorted({name for name in names if names.count(name) > 1})
        files = ", ".join(f"{s.path} ({s.name})" for s in loaded if s.name in shared)
        raise UserError(f"scenario names must differ: {files} share a name; set [scenario] name in all but one")
    info = provenance()
    # The number of replicates is not part of the experiment: replicate i's seed and posterior draw
    # do not depend on it, so asking for more replicates runs only the new ones.
    spec = {"scenarios": [s.spec_hash() for s in loaded], "names": names, "seed": root_seed,
            "code": info["code_hash"]}
    draws, held, fit = None, {}, None
    if posterior:
        sample, spec["posterior"], fit = read_sample(posterior, loaded, info["code_hash"])
        draws = posterior_draws(sample, root_seed, reps)
        # A scenario that sets a calibrated parameter itself is testing that value: it keeps it.
        held = {s.name: sorted(set(parameter_columns(sample)) & set(s.parameters)) for s in loaded}
        held = {name: params for name, params in held.items() if params}
    if uncertain_levers:  # a key only when drawn: experiments without draws keep their stored runs
        spec["lever_uncertainty"] = True
    spec_hash = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:32]
    name = " vs ".join(names)
    experiment_id = store.experiment(
        spec_hash, name[:200], {**spec, "paths": paths, "years": years, "baseline": baseline, "posterior": posterior,
                                "posterior_held": held, **({"posterior_fit": fit} if fit else {}), "reps_asked": reps,
                                **({"posterior_parameters": sorted(parameter_columns(sample)),  # export redraws:
                                    "posterior_hash": spec["posterior"], "posterior_file": os.path.abspath(posterior)}
                                   if posterior else {}),
                                **({"lever_held": held_settings(loaded)} if uncertain_levers else {})},
        root_seed, "compare",
        [{"name": s.name, "spec_hash": s.spec_hash(),
          "resolved": {**s.to_dict(), "geography": {**describe(load_geography(s.areas_file)),
                                                    "national_scale": s.national_scale}}} for s in loaded], info)
    warn_of_package_changes(store, experiment_id, info["packages"])
    ids = store.scenario_ids(experiment_id)
    seeds = replicate_seeds(root_seed, reps)
    tasks = [Task(position, ids[position], rep, seeds[rep],
                  replace(scenario, parameters={**draws[rep], **scenario.parameters}) if draws else scenario)
             for rep in range(reps) for position, scenario in enumerate(loaded)]
    if uncertain_levers:
        tasks = [replace(t, scenario=with_drawn_levers(t.scenario, root_seed, t.replicate)) for t in tasks]
    return experiment_id, tasks, loaded


def run_ensemble(paths: list, reps: int, root_seed: int, years: float | None, workers: int | None,
                 store: Store, progress: bool = True, baseline: str | None = None,
                 posterior: str | None = None, cluster: str | None = None,
                 uncertain_levers: bool = False) -> EnsembleOutcome:
    """Run `reps` paired replications of each scenario (files or `Scenario`s; the first is the
    baseline unless `baseline` names another) into `store`, reusing the runs it holds already, and
    say what ran (`EnsembleOutcome`); `compare.load_comparison(store, outcome.experiment_id)` reads
    the comparison. `years` replaces the scenarios' horizon; `workers` None uses every core."""
    from twin.errors import DatabaseFailed
    from twin.executor import crashed_run, make_executor, store_salvaged

    start = time.perf_counter()
    # A cluster is reached (and its workers' code checked) before the experiment is written: a refusal
    # leaves no empty experiment behind. Local workers start only when there are runs to do.
    executor = make_executor(workers, cluster) if cluster is not None else None
    saved = [0]  # replications stored by this command (said when it is interrupted)
    try:
        experiment_id, tasks, loaded = prepare(paths, reps, root_seed, years, store, baseline, posterior,
                                               uncertain_levers)
        done = store.done_runs(experiment_id)
        todo = [t for t in tasks if (t.scenario_id, t.replicate) not in done]
        store.check_can_store(len(todo))
        failed: list[tuple[str, int, str]] = []
        write_s = 0.0

        def save(task, outcome) -> None:
            store.write_run(experiment_id, task.scenario_id, task.replicate, task.seed, outcome)
            saved[0] += 1

        copied = 0
        if todo and not posterior and not uncertain_levers:  # replications other comparisons ran (`run_reuse`)
            from twin.run_reuse import reusable_replications, stored_outcome

            info = provenance()
            earlier = reusable_replications(store, experiment_id, info["code_hash"], info["packages"])
            if earlier:
                hashes = dict(zip(*(store.scenarios_frame(experiment_id)[k] for k in ("id", "spec_hash"))))
                left = []
                for task in todo:
                    source = earlier.get((hashes[task.scenario_id], task.seed))
                    if source is None:
                        left.append(task)
                    else:
                        t0 = time.perf_counter()
                        save(task, stored_outcome(store, source))
                        write_s += time.perf_counter() - t0
                        copied += 1
                todo = left
        if executor is None and todo:
            executor = make_executor(workers, cluster)  # its warnings before the bar, not on it
        bar = None
        if progress and todo:
            from twin.progress import progress_bar

            bar = progress_bar(len(todo), "run", "replications")

        try:
            # A batch is one replicate's scenarios (tasks are replicate-major), which share a spin-up
            # in the worker that runs them (`runner.build_model`).
            chunk = max(1, min(len(loaded), 8))
            for task, outcome in (executor.run(run_replicate, todo, chunk=chunk, crashed=crashed_run,
                                               group=lambda task: task.replicate)
                                  if executor and todo else []):
                t0 = time.perf_counter()
                save(task, outcome)
                write_s += time.perf_counter() - t0
                if outcome["status"] != "done":
                    failed.append((task.scenario.name, task.replicate, outcome["error"].splitlines()[0]))
                if bar:
                    bar.update(1)
        except (KeyboardInterrupt, DatabaseFailed) as stop:
            store.stopping = True
            if executor:  # the runs finished in batches still in flight are stored (or kept in files) too
                store_salvaged(executor, save)
                executor = None
            if isinstance(stop, DatabaseFailed):
                store.check_kept()  # with the count of runs kept
            raise
        finally:
            if bar:
                bar.close()
    except KeyboardInterrupt as interrupt:
        interrupt.saved_runs = saved[0]  # (kept in files beside a locked database included: `store.kept`)
        raise
    finally:
        try:
            if executor:
                executor.close()
        except KeyboardInterrupt as interrupt:  # while the pool shut down: the runs are saved all the same
            interrupt.saved_runs = saved[0]
            raise
    store.check_kept()  # runs the database would not take: said, and the command stops
    return EnsembleOutcome(experiment_id, len(todo), len(tasks) - len(todo) - copied, failed,
                           time.perf_counter() - start, write_s, copied)


def what_differs(store: Store, earlier_id: int, experiment_id: int) -> str:
    """What makes `experiment_id` another experiment than `earlier_id` (same database), in words, when
    the earlier one compared some of the same files: the scenarios changed (by name), added or left
    out, and the seed, horizon, baseline, posterior or model code; "" otherwise."""
    earlier, now = (json.loads(store.experiment_row(i).get("spec_json") or "{}") for i in (earlier_id, experiment_id))
    if not set(earlier.get("paths") or ()) & set(now.get("paths") or ()):
        return ""
    # each scenario as resolved, but for the horizon (said apart below)
    before, after = ({row.name: {k: v for k, v in json.loads(row.resolved_json).items() if k != "years"}
                      for row in store.scenarios_frame(i).itertuples()} for i in (earlier_id, experiment_id))
    parts = [f"{label} {', '.join(names)}" for label, names in (
        ("changed:", [n for n in after if n in before and before[n] != after[n]]),
        ("added:", [n for n in after if n not in before]), ("left out:", [n for n in before if n not in after]))
        if names]
    parts += [f"another {label}" for key, label in (("seed", "seed"), ("years", "horizon"), ("baseline", "baseline"),
                                                    ("posterior", "posterior"), ("code", "model code"),
                                                    ("lever_uncertainty", "drawing of lever assumptions"))
              if earlier.get(key) != now.get(key)]
    return "; ".join(parts)
