"""A stored sweep read back: one row per run with its design point, inputs and outcomes (the UK
outcomes read off each run's yearly totals, so an outcome added to the experiment file needs no
run), and the design points a stored sweep ran."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from twin.targets import Target, value_from_yearly


def stored_design(store, experiment_id: int) -> pd.DataFrame:
    """The design points a stored sweep ran (`design` of the file as it was then)."""
    spec = json.loads(store.experiment_row(experiment_id).get("spec_json") or "{}")
    return pd.DataFrame(spec.get("points") or {"sample": [], "policy": []})


def stored_inputs(resolved_json: str) -> dict:
    """A design point's inputs as stored, a policy that is a scenario file named by its file name
    (the runs read it by its full path on the machine that ran them, which means nothing elsewhere),
    and a table of lever settings (`lever.<name>` = {...}) also as one column per setting."""
    inputs = dict(json.loads(resolved_json)["inputs"])
    if isinstance(inputs.get("scenario"), str):
        inputs["scenario"] = Path(inputs["scenario"]).name
    for name, value in list(inputs.items()):  # a lever's settings set together (`lever.funding` = a budget split)
        if name.startswith("lever.") and name.count(".") == 1 and isinstance(value, str) and value.startswith("{"):
            # each setting in a column of its own beside the policy's whole table (which names the policy)
            inputs.update({f"{name}.{setting}": each for setting, each in json.loads(value).items()})
    return inputs


def sweep_results(store, experiment_id: int, reps: int | None = None, outcomes: list[Target] = (),
                  steps_per_year: int = 12) -> pd.DataFrame:
    """One row per run: its design point, inputs, replicate, seed and outcomes (EMA layout, joined);
    with `reps`, the first `reps` replicates only (a sweep run earlier with more). The UK `outcomes`
    are read off each run's yearly totals (`run_series`), those added since the runs included."""
    runs = store.runs_frame(experiment_id).rename(columns={"scenario": "point"})
    if reps is not None:
        runs = runs[runs.replicate < reps]
    scenarios = store.scenarios_frame(experiment_id)
    inputs = pd.DataFrame([{**stored_inputs(r["resolved_json"]), "point": r["name"]} for _, r in scenarios.iterrows()])
    summaries = store.summaries_frame(experiment_id).pivot_table(index="run_id", columns="metric", values="value")
    frame = runs.merge(inputs, on="point").merge(summaries.reset_index(), on="run_id", how="left") \
        .sort_values(["position", "replicate"]).reset_index(drop=True)
    if "error" in frame:  # a failed run's message, in one line (a fault's trace: the database, `twin export`)
        frame["error"] = [error.split("\n", 1)[0] if isinstance(error, str) else error for error in frame["error"]]
    national = [o for o in outcomes if o.area == "UK"]
    if national:  # each run's series decoded as it streams in, keeping only the outcomes' values
        wanted, read = set(frame["run_id"]), {o.name: {} for o in national}
        for run, payload in store.series_of(experiment_id):
            if run in wanted:
                series = json.loads(zlib.decompress(payload))
                metrics, yearly = series["metrics"], np.array(series["yearly"])
                for o in national:
                    read[o.name][run] = value_from_yearly(o, metrics, yearly, steps_per_year)
        for o in national:  # a run stored without its series (none should be) keeps its summary
            summary = frame[o.name] if o.name in frame else pd.Series(np.nan, index=frame.index)
            frame[o.name] = [read[o.name].get(run, value) for run, value in zip(frame["run_id"], summary)]
    # the file's outcomes in its order, and no other (runs stored under an earlier version of the file
    # hold its outcomes too); what depends on the machine and the order runs finished in (the database's
    # run id, timings) last, so that two runs of a sweep compare equal column by column up to them
    names = [o.name for o in outcomes]
    stale = [m for m in summaries.columns if m not in names] if names else []
    machine = [c for c in ("run_id", "setup_s", "run_s") if c in frame.columns]
    rest = [c for c in frame.columns if c not in machine and c not in stale and c not in names]
    return frame[rest + [n for n in names if n in frame.columns] + machine]
