"""Runs a sweep takes from earlier sweeps instead of running them again.

A sweep is known by its whole design, so a grid extended by one lever value, or a file renamed, is
another sweep. Its design points that an earlier sweep already ran (the same scenario as run,
whatever the point is called, with the same seed, the same model code and the same versions of the
packages the step runs on) give the same results to the last bit, so their finished runs are
copied into the new sweep, series and all, rather than run again. Only sweeps whose outcomes are
all UK outcomes take runs this way: those are read off each run's stored yearly totals, while an
area's outcome is read off the outcomes a run stored, which an earlier file may not have asked for.
"""

from __future__ import annotations

import json
from dataclasses import replace

import sqlalchemy as sa

from twin.store_schema import experiments, run_series, run_summaries, runs, scenarios

#: what a design point's scenario is called while its key is taken: the key leaves its name out
KEY_NAME = "design point"


def run_key(scenario) -> str:
    """What a design point's run depends on, its name left out (`point_<sample>_<policy>` follows the
    point's place in the design, which a lever value added before it shifts)."""
    return replace(scenario, name=KEY_NAME).spec_hash()


def reusable_runs(store, experiment_id: int, code: str, packages: dict) -> dict[tuple[str, int], int]:
    """The finished runs of the other sweeps made by model code `code` with the `packages` versions
    (`ensemble.provenance`: numpy, numba... may change a result's last digits), with their yearly
    totals stored: (run key, seed) -> run id (the earliest, when several sweeps ran it)."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(experiments.c.id, experiments.c.spec_json, experiments.c.packages_json)
                                  .where(experiments.c.kind == "sweep", experiments.c.id != experiment_id)).all()
        same_code = [r.id for r in rows if json.loads(r.spec_json or "{}").get("code") == code
                     and json.loads(r.packages_json or "{}") == json.loads(json.dumps(packages))]
        if not same_code:
            return {}
        found = connection.execute(
            sa.select(runs.c.id, runs.c.seed, scenarios.c.resolved_json)
            .join(scenarios, scenarios.c.id == runs.c.scenario_id)
            .where(runs.c.experiment_id.in_(same_code), runs.c.status == "done",
                   runs.c.id.in_(sa.select(run_series.c.run_id)))
            .order_by(runs.c.id)).all()
    reusable: dict[tuple[str, int], int] = {}
    for row in found:
        key = json.loads(row.resolved_json).get("run_key")
        if key is not None:
            reusable.setdefault((key, int(row.seed)), int(row.id))
    return reusable


def stored_outcome(store, run_id: int) -> dict:
    """A finished run as `Store.write_run` takes it: its timings, stored outcomes and yearly totals."""
    with store.engine.connect() as connection:
        run = connection.execute(sa.select(runs).where(runs.c.id == run_id)).one()
        summary = connection.execute(sa.select(run_summaries.c.metric, run_summaries.c.value)
                                     .where(run_summaries.c.run_id == run_id)).all()
        series = connection.execute(sa.select(run_series.c.payload).where(run_series.c.run_id == run_id)).scalar_one()
    return {"status": "done", "started_at": run.started_at, "setup_s": run.setup_s, "run_s": run.run_s,
            "trajectories": [], "area_results": [], "summary": {m: v for m, v in summary}, "series": series}
