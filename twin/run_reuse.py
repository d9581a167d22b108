"""Runs an experiment takes from earlier experiments in its database instead of running them again.

A run depends only on its scenario as run, its seed, the model code and the versions of the packages
the step runs on: the same four give the same results to the last bit, so such a run finished for one
experiment is copied into another, results and all, rather than run again.

Comparisons (`ensemble.run_ensemble`): a replication of a scenario another comparison ran (the same
scenario, by its `Scenario.spec_hash`, which holds its name, horizon, parameters, levers and the
contents of the files it reads; the same replicate seed, i.e. the same root seed and replicate) is
copied with its trajectories, per-area results and totals. Comparisons that draw each replicate's
parameters from a posterior or its lever assumptions from their ranges neither give nor take runs:
their replications are not the scenario as stored. An experiment resumed under other package versions
gives none (`Store.package_changes` marks it: its runs are of both versions, recorded as the first's).

Sweeps (`sweep.run_sweep`): a sweep is known by its whole design, so a grid extended by one lever
value, or a file renamed, is another sweep. Its design points that an earlier sweep already ran (the
same scenario as run, whatever the point is called, with the same seed, code and package versions)
are copied into the new sweep, series and all, rather than run again. Only sweeps whose outcomes are
all UK outcomes take runs this way: those are read off each run's stored yearly totals, while an
area's outcome is read off the outcomes a run stored, which an earlier file may not have asked for.
"""

from __future__ import annotations

import json
from dataclasses import replace

import sqlalchemy as sa

from twin.store_schema import area_results, experiments, run_series, run_summaries, runs, scenarios, trajectories

#: what a design point's scenario is called while its key is taken: the key leaves its name out
KEY_NAME = "design point"


def run_key(scenario) -> str:
    """What a design point's run depends on, its name left out (`point_<sample>_<policy>` follows the
    point's place in the design, which a lever value added before it shifts)."""
    return replace(scenario, name=KEY_NAME).spec_hash()


def _same_code(connection, kind: str, experiment_id: int, code: str, packages: dict) -> list[int]:
    """The other experiments of `kind` made by model code `code` with the `packages` versions
    (`ensemble.provenance`: numpy, numba... may change a result's last digits); comparisons only
    those whose replications are their scenarios as stored (no posterior, no drawn lever assumptions)."""
    rows = connection.execute(sa.select(experiments.c.id, experiments.c.spec_json, experiments.c.packages_json)
                              .where(experiments.c.kind == kind, experiments.c.id != experiment_id)).all()
    specs = {r.id: json.loads(r.spec_json or "{}") for r in rows}
    return [r.id for r in rows if specs[r.id].get("code") == code
            and json.loads(r.packages_json or "{}") == json.loads(json.dumps(packages))
            and not (kind == "compare" and (specs[r.id].get("posterior") or specs[r.id].get("lever_uncertainty")))]


def _earliest_runs(store, kind: str, experiment_id: int, code: str, packages: dict, column, key_of,
                   *conditions) -> dict[tuple[str, int], int]:
    """(key, seed) -> the earliest finished run of the other experiments of `kind` that copy as they
    are (`_same_code`), the key read off the run's scenario row's `column` by `key_of` (None: none)."""
    reusable: dict[tuple[str, int], int] = {}
    with store.engine.connect() as connection:
        same_code = _same_code(connection, kind, experiment_id, code, packages)
        if not same_code:
            return {}
        # each scenario's key read once, its settings streamed (a sweep's design points' settings, read for
        # every run at once, held gigabytes at a few hundred thousand runs), then the runs by their scenario
        streamed = connection.execution_options(stream_results=True, yield_per=1_000)
        keys = {}
        for scenario_id, value in streamed.execute(sa.select(scenarios.c.id, column)
                                                   .where(scenarios.c.experiment_id.in_(same_code))):
            if (key := key_of(value)) is not None:
                keys[scenario_id] = key
        for run_id, seed, scenario_id in streamed.execute(
                sa.select(runs.c.id, runs.c.seed, runs.c.scenario_id)
                .where(runs.c.experiment_id.in_(same_code), runs.c.status == "done", *conditions)
                .order_by(runs.c.id)):
            if scenario_id in keys:
                reusable.setdefault((keys[scenario_id], int(seed)), int(run_id))
    return reusable


def reusable_replications(store, experiment_id: int, code: str, packages: dict) -> dict[tuple[str, int], int]:
    """The finished replications of the other comparisons that copy as they are (`_same_code`):
    (scenario hash, seed) -> run id (the earliest, when several comparisons ran it)."""
    return _earliest_runs(store, "compare", experiment_id, code, packages, scenarios.c.spec_hash, str)


def reusable_runs(store, experiment_id: int, code: str, packages: dict) -> dict[tuple[str, int], int]:
    """The finished runs of the other sweeps made by the same code and package versions (`_same_code`),
    with their yearly totals stored: (run key, seed) -> run id (the earliest, when several sweeps ran it)."""
    return _earliest_runs(store, "sweep", experiment_id, code, packages, scenarios.c.resolved_json,
                          lambda resolved: json.loads(resolved).get("run_key"),
                          runs.c.id.in_(sa.select(run_series.c.run_id)))


def stored_outcome(store, run_id: int) -> dict:
    """A finished run as `Store.write_run` takes it: its timings, stored outcomes, and its UK
    trajectories, per-area results (a comparison's) or yearly totals (a sweep's), whichever it has.
    The rows come in the order the run wrote them within each metric (steps, years), so sums over
    them add in the same order."""
    with store.engine.connect() as connection:
        run = connection.execute(sa.select(runs).where(runs.c.id == run_id)).one()
        summary = connection.execute(sa.select(run_summaries.c.metric, run_summaries.c.value)
                                     .where(run_summaries.c.run_id == run_id)).all()
        series = connection.execute(sa.select(run_series.c.payload).where(run_series.c.run_id == run_id)).scalar()
        steps = connection.execute(sa.select(trajectories.c.step, trajectories.c.metric, trajectories.c.value)
                                   .where(trajectories.c.run_id == run_id)
                                   .order_by(trajectories.c.metric, trajectories.c.step)).all()
        areas = connection.execute(sa.select(area_results.c.year, area_results.c.area, area_results.c.metric,
                                             area_results.c.value)
                                   .where(area_results.c.run_id == run_id)
                                   .order_by(area_results.c.metric, area_results.c.year, area_results.c.area)).all()
    return {"status": "done", "started_at": run.started_at, "setup_s": run.setup_s, "run_s": run.run_s,
            "trajectories": [tuple(row) for row in steps], "area_results": [tuple(row) for row in areas],
            "summary": {m: v for m, v in summary}, "series": series}
