"""What `twin sweep` and `twin analyse` tell about results kept elsewhere: a results folder that
held another experiment's sweep, and why a stored sweep is not this file's with the current code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from twin.sweep import design, sweep_spec


def _same_database(a: str | None, b: str) -> bool:
    """Whether two database URLs name the same database (SQLite files by their resolved path)."""
    if a is None:
        return True  # a marker written before databases were recorded: the experiment number decides
    resolve = (lambda url: str(Path(url[len("sqlite:///"):]).resolve()) if url.startswith("sqlite:///") else url)
    return resolve(a) == resolve(b)


def note_replaced_results(out: Path, experiment_id: int, experiment_file: str, database: str) -> None:
    """The results folder records which experiment, in which database, its `sweep_results.csv`
    holds; a note (shown with --quiet too: it is about the files left behind) when another
    experiment's results are replaced: an experiment file of the same name, or the same file
    swept into another database, whose experiments are numbered from 1 too."""
    marker = out / "experiment.json"
    try:
        previous = json.loads(marker.read_text())
    except (OSError, ValueError):
        previous = None
    here = {"experiment_id": experiment_id, "database": database, "file": str(Path(experiment_file).resolve())}
    if isinstance(previous, dict) and (previous.get("experiment_id") != experiment_id
                                       or not _same_database(previous.get("database"), database)):
        elsewhere = "" if _same_database(previous.get("database"), database) else f" in {previous.get('database')}"
        kept = "each database keeps its own" if elsewhere else "the database keeps both"
        print(f"Note: {out / 'sweep_results.csv'} held the results of experiment {previous.get('experiment_id')}"
              f"{elsewhere} ({previous.get('file')}); it now holds experiment {experiment_id}'s in {database} "
              f"(give --out to keep them apart; {kept}).", file=sys.stderr)
    marker.write_text(json.dumps(here), encoding="utf-8")


def note_other_results(out: Path, experiment_id: int, database: str) -> str | None:
    """`twin analyse` writing into a folder whose `sweep_results.csv` is another experiment's (an
    experiment file of the same name): a note saying so, else None. The folder's record is left
    as it is: it says what `sweep_results.csv` holds, which the analysis does not replace."""
    try:
        previous = json.loads((out / "experiment.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(previous, dict) or (previous.get("experiment_id") == experiment_id
                                          and _same_database(previous.get("database"), database)):
        return None
    elsewhere = "" if _same_database(previous.get("database"), database) else f" in {previous.get('database')}"
    return (f"{out / 'sweep_results.csv'} holds the results of experiment {previous.get('experiment_id')}"
            f"{elsewhere} ({previous.get('file')}), not of experiment {experiment_id} in {database}, analysed here: "
            f"give --out to keep them apart")


def what_changed(config: dict, store, experiment_id: int) -> str:
    """Why a stored sweep is not this file's sweep with the current code: code, settings, or both."""
    from twin.ensemble import provenance

    stored = json.loads(store.experiment_row(experiment_id).get("spec_json") or "{}")
    current, _ = sweep_spec(config, design(config), provenance())
    code = stored.get("code") != current["code"]
    settings = any(stored.get(key) != json.loads(json.dumps(current[key], default=str))
                   for key in current if key != "code")
    if code and settings:
        return "was run with other code and other settings"
    return "was run with other code (the package's source changed since)" if code else "was run with other settings"


def earlier_sweep_note(config: dict, store) -> str | None:
    """For a sweep that is not in the database (`find_sweep`): when a sweep of the same name is, the
    latest of them and why it is not this one (other code or settings); else None. Without it, a
    sweep resumed after an edit to the model ran every run again under a new experiment number,
    unexplained."""
    from twin.sweep import find_sweep

    earlier = store.latest_experiment(config["name"])  # first: finding this sweep builds its design
    if earlier is None or store.experiment_row(earlier).get("kind") != "sweep" or find_sweep(config, store) is not None:
        return None
    why = what_changed(config, store, earlier)
    return f"the latest '{config['name']}' sweep in the database (experiment {earlier}) {why}"
