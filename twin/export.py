"""`twin export`: an experiment's results as CSV or Parquet, in long form and in the
exploratory-modelling layout (EMA Workbench's `(experiments, outcomes)`).

A comparison (`twin compare`) exports experiments, outcomes, trajectories and area_results; a
sweep (`twin sweep`) stores each run's outcomes and yearly UK totals only and exports experiments,
outcomes, outcome_definitions and yearly. Each export writes README.txt beside its files (`guide`): what each file and
column is, for that kind of experiment and format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from twin.errors import UserError
from twin.staging import staged_folder
from twin.store import Store


#: where every run of a scenario took place, exported beside its inputs (`_where`)
WHERE_COLUMNS = ("areas_file", "national_scale", "register")
WHERE_TEXT = ("then `areas_file` (the file's name; `built-in` for the UK's 45 force areas), `national_scale` "
              "(the factor `scale_national_quantities` scaled the UK's national quantities by; 1: not scaled) "
              "and `register` (the file's name; `synthetic` for the generated register)")


def _where(resolved: dict) -> dict:
    """The areas, register and national scale a scenario ran on, by file name (a path on the
    machine that ran it means nothing elsewhere)."""
    areas, register = resolved.get("areas_file"), resolved.get("register")
    return {"areas_file": Path(areas).name if areas else "built-in",
            "national_scale": float(resolved.get("national_scale", 1.0)),
            "register": Path(register).name if register else "synthetic"}


def _inputs(resolved: dict) -> dict:
    row = {f"param:{k}": v for k, v in (resolved.get("parameters") or {}).items()}
    for position, lever in enumerate(resolved.get("levers") or [], start=1):
        name = lever.get("name", lever.get("type"))
        for key, value in lever.items():
            if key == "name" or key.startswith("_"):  # where it was written (`_file`, `_position`), not a setting
                continue
            row[f"lever:{name}:{key}"] = json.dumps(value) if isinstance(value, (list, dict)) else value
    years = resolved.get("years")
    row["years"] = int(years) if isinstance(years, float) and years.is_integer() else years  # 3, not 3.0 (--years 3)
    row["step"] = resolved.get("step")
    row["start_date"] = resolved.get("start_date")  # step 1 of trajectories is the month (or week) from it
    row["spin_up_years"] = resolved.get("spin_up_years")
    row["title"] = resolved.get("title") or resolved.get("name")
    return {**row, **_where(resolved)}


#: how a sweep outcome is read off a run (`targets.target_values`)
AGGREGATION_WORDS = {"annual_sum": "mean over those years of each year's total",
                     "mean": "mean level over those years' steps",
                     "ratio": "sum over those years divided by the sum of ratio_of"}


EXPERIMENTS_TEXT = """\
- experiments.{ext}: one row per run: `run_id` (the database's; it follows the order runs finished
  in); `{key}` ({key_what}); `position` (its order in the experiment); `replicate` (0, 1, ...;
  paired: {pairing}); `seed`; `status` ("done" or "failed");
  `setup_s` and `run_s` (seconds to build the model, spin-up included, and to run it); `error` (a
  failed run's); then the run's inputs: {inputs}. Rows are in design order ({key}, then replicate),
  so the same experiment exports the same rows whatever order its runs finished in."""

COMPARISON_TEXT = """\
- outcomes.{ext}: one row per run, in the order of experiments (row i is the run of row i there):
  `scenario`, `replicate` and `run_id`, as there; then `total_<metric>`, the sum over the horizon,
  undiscounted; for money also `discounted_<metric>`, its present value at {rate:.1%} a year (HM
  Treasury Green Book). Money is in GBP at {prices} prices;
  counts of people and events are totals only. `final_year_<metric>`, for the levels {final}, is
  their mean over the last 12 months (or 52 weeks) of the horizon. `..._lever_cost_gbp_<lever>` is a lever's spending
  (0 where the scenario has no such lever), `..._lever_cost_gbp` all of them together,
  `..._lever_spending_gbp_<forces, rocus, nca, courts, prisons, other>` the same spending by who bears it, and
  `..._net_social_cost_gbp_excluding_assets` harm + response cost without recovered assets (the
  Green Book view), as in summary.csv.
- trajectories.{ext}: the UK's value of every metric at every step (run_id, step, metric, value; rows
  in the order of experiments' runs, then by step and metric): flows per step (GBP/step,
  people/step ...; a step is the scenario's month or week), levels at the step's end. Units of each
  metric: docs/ODD.md, section 3.6.
- area_results.{ext}: per force area and year (run_id, year, area, metric, value; in the order of
  experiments' runs, then by year, area and metric): flows summed over
  the year ({flows}); levels at the year's end ({stocks}); community_trust is the year's mean."""

SWEEP_TEXT = """\
- outcomes.{ext}: one row per run, in the order of experiments (row i is the run of row i there):
  `point`, `replicate` and `run_id`, as there, then the outcomes in the experiment file's order, named
  as it names them.
- yearly.{ext}: each finished run's UK figures year by year, every metric the model records (the
  runs keep them for the UK only): `point`, `replicate`, `run_id`, `year` (1, 2, ...), `metric` and
  `value`, the year's total for a flow (a metric counted per step: harm, arrests, recruits) and its
  mean over the year's steps for a level (groups, members, community trust; each metric is listed
  with its unit and kind at the end of this file); whole years only (a
  horizon ending part-way through a year leaves its last part out); money undiscounted, in 2023-24
  prices. Rows in design order, then year and metric.
- outcome_definitions.{ext}: one row per outcome: its metric, area, years, aggregation, what the
  aggregation does, and its unit (an outcome summed over each year is per year: GBP/year); money is
  undiscounted, in 2023-24 prices (not the present values of a comparison's `discounted_` figures)."""


def guide(experiment_id: int, sweep: bool, fmt: str, names: tuple = ()) -> str:
    """README.txt for an export: what each of its files and columns is (`names`: a sweep's inputs)."""
    from twin.ensemble import AREA_FLOWS, AREA_STOCKS, FINAL_STOCKS, GREEN_BOOK_DISCOUNT_RATE
    from twin.harm import PRICE_YEAR

    if sweep:
        head = EXPERIMENTS_TEXT.format(
            ext=fmt, key="point", key_what="the design point, as in sweep_results.csv",
            pairing="the same seed for every policy of a sampled future in a replicate",
            inputs="`sample` (the sampled future) and each sampled quantity, then `policy` and each quantity the "
                   "policy sets, under their names in the experiment file "
                   f"({', '.join(f'`{n}`' for n in names) or 'none'}); "
                   f"{WHERE_TEXT}; the base scenario's other settings are in the experiment file")
        body = SWEEP_TEXT.format(ext=fmt)
    else:
        head = EXPERIMENTS_TEXT.format(
            ext=fmt, key="scenario", key_what="the scenario's name",
            pairing="the same seed for every scenario of a replicate",
            inputs="its scenario's settings, flattened: `param:<parameter>` for each parameter override and "
                   "`lever:<lever name>:<setting>` for each lever setting the scenario writes (one it leaves out "
                   "takes its default: `twin levers`), plus `years`, `step`, `start_date` (the first day of step "
                   "1 in trajectories), `spin_up_years` and `title` (the name the report gives it); with "
                   "`--posterior`, `posterior:<parameter>` for the parameters each run drew (`twin run` with the "
                   "run's `seed` and these in [parameters] runs it again); with `--uncertain-levers`, "
                   "`lever_drawn:<lever type>.<setting>` for the lever assumptions each run drew, as UK figures (a run "
                   "on scaled national quantities used them times `national_scale`; empty where every lever of "
                   "the type in the scenario sets the setting itself, or it has none); " + WHERE_TEXT)
        body = COMPARISON_TEXT.format(ext=fmt, rate=GREEN_BOOK_DISCOUNT_RATE, prices=PRICE_YEAR,
                                      flows=", ".join(AREA_FLOWS), final=", ".join(FINAL_STOCKS),
                                      stocks=", ".join(s for s in AREA_STOCKS if s != "community_trust"))
    kind = "sweep" if sweep else "comparison"
    listed = f"\n\n{yearly_metrics_text(fmt)}" if sweep else ""
    return f"Experiment {experiment_id} (a {kind}), exported by `twin export`.\n\nFiles:\n{head}\n{body}{listed}\n"


def yearly_metrics_text(fmt: str) -> str:
    """Each metric of yearly.{fmt} with its unit there, whether it is a year's total or mean, and what it is."""
    from twin.results import METRICS

    lines = [f"- {m.name} ({m.unit.replace('/step', '/year') or 'a number'}; "
             + ("flow, the year's total" if m.flow else "level, the mean over the year's steps")
             + f"): {m.description}" for m in METRICS]
    lines.append("- lever_cost_gbp_<lever> (GBP/year; flow, the year's total): the spending of each of the run's "
                 "levers")
    head = f"The metrics of yearly.{fmt}, with their units there (docs/ODD.md, section 3.6, defines them):"
    return "\n".join([head, *lines])


def outcome_definitions(spec: dict, step: str = "month") -> pd.DataFrame:
    """A sweep's outcomes as its experiment file defines them, with each metric's unit."""
    from twin.targets import outcome_unit

    return pd.DataFrame([{"outcome": o["name"], "metric": o["metric"], "area": o.get("area", "UK"),
                          "years": f"{o['years'][0]}-{o['years'][1]}", "aggregation": o["aggregation"],
                          "what": AGGREGATION_WORDS.get(o["aggregation"], o["aggregation"])
                          + (f" ({o['ratio_of']})" if o.get("ratio_of") else "")
                          + ("; undiscounted" if outcome_unit(o["metric"], o["aggregation"], step).startswith("GBP")
                             else ""),
                          "unit": outcome_unit(o["metric"], o["aggregation"], step)} for o in spec.get("outcomes", [])])


def unfinished_note(runs: pd.DataFrame, names: list[str], key: str, experiment_id: int, sweep: bool,
                    asked: int | None = None, options: str = "") -> str:
    """A note when an experiment's stored runs look unfinished or some failed, or an empty string.

    An experiment is judged by its runs: finished when every scenario or design point holds the
    same number of runs, finished or failed, and, for a comparison, as many as the most replicates
    a command asked of it (`asked`, stored since; raising them later runs only the new ones). A
    comparison interrupted between two rounds of replicates (it runs one replicate of every
    scenario at a time) is told by `asked`; a sweep stored before it, or one, only by its runs."""
    stored = runs.groupby(key).size().reindex(names, fill_value=0)  # finished or failed: every run attempted
    failed = int((runs["status"] != "done").sum())
    unit = "design point" if sweep else "scenario"
    command = f"`twin {'sweep' if sweep else 'compare'}` command"
    notes = []
    if stored.min() != stored.max():
        empty = int((stored == 0).sum())
        total = int(stored.sum())
        notes.append(f"experiment {experiment_id} looks unfinished: {total:,} run{'s' if total != 1 else ''} over "
                     f"{len(names):,} {unit}s, from {int(stored.min())} to {int(stored.max())} replicates each"
                     + (f" ({empty:,} with none)" if empty else "")
                     + f"; run its {command} again to finish it")
    elif asked and int(stored.max()) < asked:
        notes.append(f"experiment {experiment_id} looks unfinished: {int(stored.max())} of the {asked} replicates "
                     f"asked for are stored for each {unit}; run its {command} again (with --reps {asked}"
                     f"{' and ' + options if options else ''}) to finish it")
    if failed:
        notes.append(f"{failed:,} run{'s' if failed != 1 else ''} failed (rows of NaN in outcomes; the error "
                     f"text is in experiments' `error` column; running its {command} again retries "
                     f"{'them' if failed != 1 else 'it'})")
    return "; ".join(notes)


def _as_sweep_results_reads(store: Store, experiment_id: int, spec: dict, step: str, outcomes: pd.DataFrame):
    """A sweep's UK outcomes as `twin sweep` and `twin analyse` read them (off each run's stored
    yearly totals, `sweep_reading.sweep_results`), not as the runs summed them: the two sum in
    another order and can differ in the last digit, which a diff of the two files would show."""
    from twin.scenario import STEPS_PER_YEAR
    from twin.sweep_reading import sweep_results
    from twin.targets import Target

    national = [Target(**{**o, "years": tuple(o["years"]), "fitted_by": tuple(o.get("fitted_by", ()))})
                for o in spec.get("outcomes", []) if o.get("area", "UK") == "UK"]
    if not national:
        return outcomes
    read = sweep_results(store, experiment_id, None, national, STEPS_PER_YEAR[step]).set_index("run_id")
    for o in national:
        outcomes[o.name] = outcomes["run_id"].map(read[o.name])
    return outcomes


def _yearly_rows(store: Store, experiment_id: int, experiments: pd.DataFrame, key: str, step: str):
    """A sweep's stored yearly UK series (`run_series`) as tidy rows, a run's at a time in design order
    (a frame of the header alone when no run finished): a flow's yearly total, a level's yearly mean
    (`yearly.csv` in the export's README)."""
    import zlib

    import numpy as np

    from twin.results import METRICS
    from twin.scenario import STEPS_PER_YEAR

    levels = {m.name for m in METRICS if not m.flow}  # the rest flows, each lever's cost among them
    order = {int(run): k for k, run in enumerate(experiments["run_id"]) if pd.notna(run)}
    in_order, written = list(order), False
    for start in range(0, len(in_order), SERIES_BATCH_RUNS):  # a batch of runs read at a time, in design order
        batch = in_order[start:start + SERIES_BATCH_RUNS]
        payloads = dict(store.series_of(experiment_id, batch))  # compressed, about 8 KB a run
        for run in (run for run in batch if run in payloads):
            series = json.loads(zlib.decompress(payloads[run]))
            names, yearly = series["metrics"], np.asarray(series["yearly"], dtype=float)
            if not yearly.size:
                continue
            divisor = np.array([STEPS_PER_YEAR[step] if name in levels else 1.0 for name in names])
            row = experiments.iloc[order[run]]
            years, metrics = np.meshgrid(np.arange(1, yearly.shape[0] + 1), np.arange(len(names)), indexing="ij")
            written = True
            yield pd.DataFrame({key: row[key], "replicate": row["replicate"], "run_id": run, "year": years.ravel(),
                                "metric": np.asarray(names)[metrics.ravel()], "value": (yearly / divisor).ravel()})
    if not written:  # the header alone
        yield pd.DataFrame(columns=[key, "replicate", "run_id", "year", "metric", "value"])


def check_parquet_engine() -> None:
    """Parquet needs pyarrow (or fastparquet): say so before any folder is made."""
    for engine in ("pyarrow", "fastparquet"):
        try:
            __import__(engine)
            return
        except ImportError:
            pass
    raise UserError("--format parquet needs pyarrow: pip install -e \".[parquet]\"")


#: runs whose yearly series `_yearly_rows` reads at once (memory a few MB, whatever the sweep's size)
SERIES_BATCH_RUNS = 500
#: rows gathered into each of a Parquet file's row groups (one per run made files slow to read)
PARQUET_ROW_GROUP_ROWS = 1_000_000


def _row_groups(frames, rows: int):
    """`frames` joined into frames of at least `rows` rows (the last one smaller)."""
    held, count = [], 0
    for frame in frames:
        held.append(frame)
        count += len(frame)
        if count >= rows:
            yield pd.concat(held, ignore_index=True) if len(held) > 1 else held[0]
            held, count = [], 0
    if held:
        yield pd.concat(held, ignore_index=True) if len(held) > 1 else held[0]


def _write_table(frames, path: Path, fmt: str) -> None:
    """Write a table given as frames (chunks of its rows, the first with the header) to `path`:
    CSV appended chunk by chunk, Parquet by pyarrow's writer in row groups of `PARQUET_ROW_GROUP_ROWS`."""
    if fmt == "csv":
        for k, frame in enumerate(frames):
            frame.to_csv(path, index=False, mode="w" if k == 0 else "a", header=k == 0)
        return
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # fastparquet only: the whole table at once
        try:
            pd.concat(list(frames), ignore_index=True).to_parquet(path, index=False)
        except ImportError:
            raise UserError("--format parquet needs pyarrow: pip install -e \".[parquet]\"") from None
        return
    writer = None
    try:
        for frame in _row_groups(frames, PARQUET_ROW_GROUP_ROWS):
            # a text column with nothing in it (`error` when no run failed) is text, not Parquet's null type
            frame = frame.astype({c: "string" for c in frame.columns
                                  if frame[c].dtype == object and frame[c].isna().all()})
            table = pa.Table.from_pandas(frame, preserve_index=False, schema=writer.schema if writer else None)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def _with_posterior_draws(experiments: pd.DataFrame, experiment: dict) -> tuple[pd.DataFrame, str]:
    """A comparison run with `--posterior`: each run's drawn parameters as `posterior:<parameter>`
    (drawn again from the sample file, as `posterior.posterior_draws` drew them; those a scenario
    sets itself are its own, in `param:`), so that a run can be traced and run again with `twin run`.
    Without them, and a note saying why, when the sample file is no longer where the comparison
    read it or no longer holds the draws it did (the hash of its draws, stored with the experiment,
    tells; an experiment stored before it was kept is checked by its hash, made with the sample's)."""
    import hashlib

    from twin.posterior import load_posterior, posterior_draws

    spec = json.loads(experiment.get("spec_json") or "{}")
    if not spec.get("posterior") or experiments.empty:
        return experiments, ""
    paths = [spec[key] for key in ("posterior_file", "posterior") if spec.get(key)]
    path = next((p for p in paths if Path(p).is_file()), None)
    if path is None:
        return experiments, (f"its runs' posterior draws are not in experiments (no posterior: columns): the sample "
                             f"file it drew them from, {paths[0]}, is no longer there")
    sample = load_posterior(path)
    held_hash = hashlib.sha256(sample.to_csv(index=False).encode()).hexdigest()[:16]
    if "posterior_hash" in spec:
        same = held_hash == spec["posterior_hash"]
    else:  # stored before the draws' hash was kept: the experiment's, as `ensemble.prepare` made it
        identity = {k: spec.get(k) for k in ("scenarios", "names", "seed", "code")}
        identity.update({"posterior": held_hash, **({"lever_uncertainty": True} if spec.get("lever_uncertainty")
                                                    else {})})
        same = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32] == experiment.get(
            "spec_hash")
    if not same:
        return experiments, (f"its runs' posterior draws are not in experiments (no posterior: columns): the sample "
                             f"file it drew them from, {path}, holds other draws now")
    draws = posterior_draws(sample, int(experiment["root_seed"]), int(experiments["replicate"].max()) + 1)
    held = spec.get("posterior_held") or {}
    columns = {f"posterior:{name}": [float("nan") if name in held.get(scenario, ()) else draws[rep][name]
                                     for scenario, rep in zip(experiments["scenario"], experiments["replicate"])]
               for name in draws[0]}
    return pd.concat([experiments, pd.DataFrame(columns, index=experiments.index)], axis=1), ""


def _with_lever_draws(experiments: pd.DataFrame, experiment: dict, scenarios: pd.DataFrame) -> pd.DataFrame:
    """A comparison run with `--uncertain-levers`: each run's drawn lever assumptions as
    `lever_drawn:<type>.<setting>` (drawn again, as `lever_uncertainty.with_drawn_levers` drew them;
    NaN where the run's scenario has no such lever or sets the setting itself)."""
    from twin.lever_uncertainty import held_settings, lever_draws, lever_types_run
    from twin.scenario import Scenario

    spec = json.loads(experiment.get("spec_json") or "{}")
    if not spec.get("lever_uncertainty") or experiments.empty:
        return experiments
    runs = {row["name"]: Scenario(name=row["name"], path="",
                                  levers=json.loads(row["resolved_json"]).get("levers") or [])
            for _, row in scenarios.iterrows()}
    held = held_settings(runs.values())
    rows = [{key: value for key, value in lever_draws(lever_types_run(runs[name]), int(experiment["root_seed"]),
                                                       int(rep)).items() if key not in held.get(name, ())}
            for name, rep in zip(experiments["scenario"], experiments["replicate"])]
    drawn = pd.DataFrame(rows, index=experiments.index)
    return pd.concat([experiments, drawn[sorted(drawn.columns)].add_prefix("lever_drawn:")], axis=1)


#: the tables the last export into a folder wrote, one a line: what a later export there replaces
EXPORTED_RECORD = ".twin-export"


def exported_before(out_dir: Path) -> tuple[str, ...]:
    """The tables an earlier export wrote in `out_dir` (by `EXPORTED_RECORD`; none before there was one)."""
    try:
        return tuple(line for line in (out_dir / EXPORTED_RECORD).read_text(encoding="utf-8").splitlines() if line)
    except (OSError, UnicodeDecodeError):
        return ()


def exported_experiment(out_dir: Path) -> int | None:
    """The experiment an earlier export in `out_dir` holds, from its README.txt (`guide`'s first line)."""
    try:
        first = (out_dir / "README.txt").read_text(encoding="utf-8").partition("\n")[0]
    except (OSError, UnicodeDecodeError):
        return None
    found = re.match(r"Experiment (\d+) \(a \w+\), exported by `twin export`", first)
    return int(found.group(1)) if found else None


def export_experiment(store: Store, experiment_id: int, out_dir: Path, fmt: str = "csv") -> tuple[list[Path], str]:
    """Write an experiment's tables and README.txt to `out_dir`: (the files, a note when its runs
    look unfinished or some failed, else an empty string; see `unfinished_note`)."""
    from twin.sweep_reading import stored_inputs

    runs = store.runs_frame(experiment_id)
    if runs.empty:
        raise UserError(f"experiment {experiment_id} has no runs")
    scenarios = store.scenarios_frame(experiment_id)
    experiment = store.experiment_row(experiment_id)  # read once: its kind, specification and seed
    sweep = experiment.get("kind") == "sweep"
    # A sweep's runs carry their design point's sample (future), policy and values under the names
    # the experiment file and sweep_results.csv use; a comparison's, each scenario's settings.
    # The key is named apart from the inputs: a sweep whose policies are scenario files has an
    # input named `scenario` (the policy's file), which must not replace the design point's name.
    key = "point" if sweep else "scenario"
    runs = runs.rename(columns={"scenario": key})
    inputs = pd.DataFrame([{**({**stored_inputs(row["resolved_json"]), **_where(json.loads(row["resolved_json"]))}
                                if sweep else _inputs(json.loads(row["resolved_json"]))), key: row["name"]}
                           for _, row in scenarios.iterrows()])
    # rows in design order (scenario or design point, then replicate) in both tables, so that row i
    # of experiments is row i of outcomes (EMA pairs them) and the same experiment run twice gives
    # the same rows in the same order, whatever order its runs finished in (only run_id and timings differ)
    experiments = runs.merge(inputs, on=key, how="left").sort_values(["position", "replicate"]).reset_index(drop=True)
    if not sweep:
        experiments, undrawn = _with_posterior_draws(experiments, experiment)
        experiments = _with_lever_draws(experiments, experiment, scenarios)
    outcomes = store.summaries_frame(experiment_id).pivot_table(index="run_id", columns="metric",
                                                                values="value")
    outcomes = outcomes.reindex(experiments["run_id"]).reset_index()  # failed runs: a row of NaN
    # counts of people and events as totals only (a discounted count of homicides reads as fewer
    # homicides), as in summary.csv; money as totals and present values
    if not sweep:
        from twin.compare import with_derived_outcomes
        from twin.report_format import discounted_count

        outcomes = with_derived_outcomes(outcomes.set_index("run_id")).reset_index()  # as summary.csv has them
        outcomes = outcomes[[c for c in outcomes.columns if not discounted_count(c)]]
    # keyed as experiments is (row i is its row i), by what the run is rather than by run_id alone, which
    # follows the order runs finished in: the same experiment run on other workers gives the same rows
    outcomes.insert(0, key, experiments[key].to_numpy())
    outcomes.insert(1, "replicate", experiments["replicate"].to_numpy())
    tables = {"experiments": experiments, "outcomes": outcomes,
              # the long tables streamed from the database to the file, a chunk at a time: whole, they
              # outgrow memory past a few thousand comparison runs (`_write_table`)
              "trajectories": lambda: store.chunks(store.trajectories_query(experiment_id)),
              "area_results": lambda: store.chunks(store.area_query(experiment_id))}
    if sweep:  # a sweep keeps outcomes only, in its file's order, and says how each is read
        step = json.loads(scenarios.iloc[0]["resolved_json"]).get("step") or "month"
        spec = json.loads(experiment["spec_json"])
        definitions = outcome_definitions(spec, step)
        outcomes = _as_sweep_results_reads(store, experiment_id, spec, step, outcomes)
        # only the outcomes the file defines (runs stored under an earlier version of it hold others)
        outcomes = outcomes[[key, "replicate", "run_id"] + [n for n in definitions["outcome"] if n in outcomes.columns]]
        tables = {"experiments": experiments, "outcomes": outcomes, "outcome_definitions": definitions,
                  "yearly": lambda: _yearly_rows(store, experiment_id, experiments, key, step)}
    written = [out_dir / f"{name}.{fmt}" for name in tables]
    readme = out_dir / "README.txt"  # what each file and column is, for readers who never open the code
    names = tuple(c for c in inputs.columns if c not in (key, "sample", "policy", *WHERE_COLUMNS)) if sweep else ()
    stored_spec = json.loads(experiment.get("spec_json") or "{}")
    asked = None if sweep else stored_spec.get("reps_asked")  # the most replicates a comparison was asked for
    # the options that make a comparison's runs what they are: a command without them is another experiment
    options = " ".join(flag for flag, on in (("--posterior", stored_spec.get("posterior")),
                                             ("--uncertain-levers", stored_spec.get("lever_uncertainty"))) if on)
    note = "; ".join(n for n in (unfinished_note(runs, list(scenarios["name"]), key, experiment_id, sweep, asked,
                                                 options), "" if sweep else undrawn) if n)
    # moved into place together: a full disk or a Ctrl-C leaves an earlier export whole, no file cut short;
    # an earlier export's files this one does not write (another experiment's tables, the other format) go,
    # and only those: a run's trajectories.csv or a sweep's outcome_definitions.csv in the folder stay
    with staged_folder(out_dir, replaces=exported_before(out_dir)) as staging:
        for name, table in tables.items():
            _write_table(table() if callable(table) else [table], staging / f"{name}.{fmt}", fmt)
        (staging / EXPORTED_RECORD).write_text("".join(f"{p.name}\n" for p in written), encoding="utf-8")
        guide_text = guide(experiment_id, sweep, fmt, names) + (f"\nNote: {note}.\n" if note else "")
        (staging / readme.name).write_text(guide_text, encoding="utf-8")
    return [*written, readme], note


SWEEP_RESULTS_TEXT = """\
Sweep '{name}' ({file}), experiment {experiment_id} in {database}, written by `twin sweep`.

- sweep_results.csv: one row per run, in design order (design point, then replicate): `point`
  (the design point's name: point_<sample>_<policy>) and `position` (its order in the design);
  `replicate` (0, 1, ...; the same seed for every policy of a sampled future in a replicate) and
  `seed`; `status` ("done" or "failed") and `error` (a failed run's message, in one line; with a
  fault's trace in `twin export`'s experiments file); `sample` (the sampled future)
  and each sampled quantity under its name in the experiment file ({uncertain}); `policy` and each
  lever or parameter set by policy ({levers}; a table of lever settings, `lever.<name>`, also one
  column per setting, `lever.<name>.<setting>`); then the outcomes, named as the file names them
  ({outcomes}: units in outcome_definitions.csv); last `run_id` (the database's; it follows the
  order runs finished in) and `setup_s` and `run_s` (seconds to build the model, spin-up included,
  and to run it), the only columns that differ between two runs of the same sweep.
- outcome_definitions.csv: one row per outcome: its metric, area, years, aggregation, what the
  aggregation does, and its unit (an outcome summed over each year is per year: GBP/year); money is
  undiscounted, in 2023-24 prices (not the present values of a comparison's `discounted_` figures).
- experiment.json: which experiment, database and file sweep_results.csv holds.
`twin analyse` reads the runs from the database; `twin export` writes them in the exploratory-modelling
layout.
"""


def write_sweep_guide(out_dir: Path, config: dict, experiment_id: int, database: str, step: str) -> None:
    """README.txt and outcome_definitions.csv beside a sweep's sweep_results.csv: what its columns
    are and each outcome's unit."""
    spec = {"outcomes": [o.__dict__ for o in config["outcomes"]]}
    from twin.staging import write_whole  # (an interrupt leaves no file cut short)

    definitions = outcome_definitions(spec, step)
    write_whole(out_dir / "outcome_definitions.csv", lambda path: definitions.to_csv(path, index=False))
    names = lambda items: ", ".join(f"`{n}`" for n in items) or "none"  # noqa: E731
    text = SWEEP_RESULTS_TEXT.format(
        name=config["name"], file=Path(config["path"]).name, experiment_id=experiment_id, database=database,
        uncertain=names(u.name for u in config["uncertain"]), levers=names(name for name, _ in config["levers"]),
        outcomes=names(o.name for o in config["outcomes"]))
    write_whole(out_dir / "README.txt", lambda path: path.write_text(text, encoding="utf-8"))
