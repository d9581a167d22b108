"""What `twin sweep` and `twin analyse` tell about results kept elsewhere: a results folder that
held another experiment's sweep, and why a stored sweep is not this file's with the current code;
and what `twin sweep` says of its policies before any run (`policy_warnings`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from twin.sweep import design, loaded_policies, point_scenario, sweep_spec


def _same_database(a: str | None, b: str) -> bool:
    """Whether two database URLs name the same database (SQLite files by their resolved path)."""
    if a is None:
        return True  # a marker written before databases were recorded: the experiment number decides
    resolve = (lambda url: str(Path(url[len("sqlite:///"):]).resolve()) if url.startswith("sqlite:///") else url)
    return resolve(a) == resolve(b)


def _folder_record(out: Path) -> dict | None:
    """The results folder's record (`experiment.json`: which experiment, database and file its
    `sweep_results.csv` holds), or None when there is none or it is not one the twin wrote (unreadable,
    or edited by hand into other shapes: it is then replaced, not read)."""
    try:
        record = json.loads((out / "experiment.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("experiment_id"), int) \
            or not isinstance(record.get("database"), (str, type(None))):
        return None
    return record


def note_replaced_results(out: Path, experiment_id: int, experiment_file: str, database: str) -> None:
    """The results folder records which experiment, in which database, its `sweep_results.csv`
    holds; a note (shown with --quiet too: it is about the files left behind) when another
    experiment's results are replaced: an experiment file of the same name, or the same file
    swept into another database, whose experiments are numbered from 1 too."""
    marker = out / "experiment.json"
    previous = _folder_record(out)
    here = {"experiment_id": experiment_id, "database": database, "file": str(Path(experiment_file).resolve())}
    if isinstance(previous, dict) and (previous.get("experiment_id") != experiment_id
                                       or not _same_database(previous.get("database"), database)):
        elsewhere = "" if _same_database(previous.get("database"), database) else f" in {previous.get('database')}"
        kept = "each database keeps its own" if elsewhere else "the database keeps both"
        from twin.cli_analyse import ANALYSIS_FILES
        from twin.staging import remove_written, written_here

        ours = written_here(out)
        stale = [name for name in ANALYSIS_FILES if name in ours and (out / name).exists()]
        for name in stale:  # the earlier experiment's analysis would sit beside this one's results
            remove_written(out, name)
        print(f"Note: {out / 'sweep_results.csv'} held the results of experiment {previous.get('experiment_id')}"
              f"{elsewhere} ({previous.get('file')}); it now holds experiment {experiment_id}'s in {database} "
              f"(give --out to keep them apart; {kept})" + (
                  f"; that experiment's analysis ({', '.join(stale)}) is removed from the folder: run `twin analyse` "
                  f"for this one" if stale else "") + ".", file=sys.stderr)
    from twin.staging import write_whole

    write_whole(marker, lambda path: path.write_text(json.dumps(here), encoding="utf-8"))


def note_other_results(out: Path, experiment_id: int, database: str) -> str | None:
    """`twin analyse` writing into a folder whose `sweep_results.csv` is another experiment's (an
    experiment file of the same name): a note saying so, else None. The folder's record is left
    as it is: it says what `sweep_results.csv` holds, which the analysis does not replace."""
    previous = _folder_record(out)
    if previous is None or (previous.get("experiment_id") == experiment_id
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
    settings = _settings_changed(stored, json.loads(json.dumps(current, default=str)))
    if code and settings:
        return f"was run with other code and other settings ({settings})"
    return "was run with other code (the package's source changed since)" if code else \
        f"was run with other settings ({settings})"


def _settings_changed(stored: dict, current: dict) -> str:
    """What differs between a stored sweep's specification and the file's (`sweep.sweep_spec`), in
    words: the base scenario, the seed, the design's quantities (added, left out, or with other
    values: another range, sampler or level) and its number of points, the area outcomes."""
    if all(stored.get(key) == current[key] for key in current if key != "code"):
        return ""
    parts = []
    if stored.get("base") != current.get("base"):
        parts.append("its base scenario")
    if stored.get("seed") != current.get("seed"):
        parts.append(f"the seed ({stored.get('seed')} then, {current.get('seed')} now)")
    old, new = stored.get("points") or {}, current.get("points") or {}
    if old != new:
        sizes = [len(next(iter(points.values()), [])) for points in (old, new)]
        added, left = [c for c in new if c not in old], [c for c in old if c not in new]
        # a column's values as a set: crossed with a lever grid of another size, an uncertainty's list
        # of values per point changes while its values, a sample's each, do not
        moved = [c for c in new if c in old and set(map(str, old[c])) != set(map(str, new[c]))
                 and c not in ("sample", "policy", "scenario")]
        parts += ([f"added to the design: {', '.join(added)}"] if added else []) + (
            [f"left out of the design: {', '.join(left)}"] if left else []) + (
            [f"other values of {', '.join(moved)} (another range, sampler or level)"] if moved else []) + (
            [f"{sizes[0]:,} design points then, {sizes[1]:,} now"] if sizes[0] != sizes[1] else [])
        if "scenario" in new and set(old.get("scenario") or []) != set(new.get("scenario") or []):
            parts.append("a policy scenario file's contents")
    if stored.get("outcomes") != current.get("outcomes") and not parts:
        parts.append("its outcomes")
    return "; ".join(parts) or "its specification"


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


def policy_warnings(config: dict, points: pd.DataFrame) -> list[str]:
    """What `twin run` and `twin compare` say before running each policy of the design
    (`preflight.preflight_warnings`: levers that start after the horizon, budgets out of reach, settings
    beyond their ranges, a partial register), as the policy runs (the base with its lever settings, or
    its scenario file over the experiment's horizon), the sampled parameters and lever settings set
    aside. A remark every policy shares is said once; one some policies share names their settings."""
    from twin.preflight import preflight_warnings

    varied = {u.name for u in config["uncertain"]}
    # the policy's own settings only: a sampled value is one future's, not the policy's (left at the base's)
    names = [c for c in points.columns if c not in ("sample", "policy") and c not in varied]
    columns = [name for name, _ in config["levers"]]
    loaded = loaded_policies(points)
    said: dict[str, list[int]] = {}
    registers = set()
    policies = points.drop_duplicates("policy").to_dict(orient="records")
    for k, row in enumerate(policies):
        scenario = point_scenario(config["base"], row, names, loaded)
        register = (scenario.register, scenario.register_table, scenario.areas_file, scenario.complete_register)
        for warning in preflight_warnings([scenario], check_registers=register not in registers, varied=varied):
            said.setdefault(warning, []).append(k)
        registers.add(register)

    from twin.analysis import _label as shown  # each setting as `twin analyse` names the policies

    def which(ks: list[int]) -> str:
        """The policies `ks` by the settings they share, when no other policy has them all; else listed."""
        common = [name for name in columns if len({repr(policies[k][name]) for k in ks}) == 1]
        if common and all(k in ks for k, row in enumerate(policies)
                          if all(repr(row[name]) == repr(policies[ks[0]][name]) for name in common)):
            return ("the policies with " if len(ks) > 1 else "the policy with ") + ", ".join(
                shown(name, policies[ks[0]][name]) for name in common)
        labels = [", ".join(shown(name, policies[k][name]) for name in columns) for k in ks]
        return (f"the {len(ks)} policies with " if len(ks) > 1 else "the policy with ") + "; ".join(labels[:3]) + (
            "; ..." if len(labels) > 3 else "")

    def named(warning: str, ks: list[int]) -> str:
        if len(ks) == len(policies):
            return warning
        alone = [name for name in columns if len({repr(row[name]) for row in policies}) > 1]
        if len(ks) == 1 and alone == ["scenario"] and warning.startswith(f"{policies[ks[0]]['scenario']}:"):
            return warning  # a policy file's own remark, which names it
        return f"{which(ks)}: {warning}"

    return [named(warning, ks) for warning, ks in said.items()]
