"""The experiments a results database holds, in words: the whole list (`twin export --list`) and
the latest ten in an error's line (an unknown `--experiment`)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from twin.store import Store
from twin.store_schema import experiments, runs, scenarios


def _drew(spec_json) -> str:
    """What sets apart comparisons of the same scenarios: '; posterior, levers drawn' or ''."""
    spec = json.loads(spec_json or "{}")
    said = [what for what, key in (("posterior", "posterior"), ("levers drawn", "lever_uncertainty")) if spec.get(key)]
    return f"; {', '.join(said)}" if said else ""


def experiments_there(store: Store) -> str:
    """The experiments a database holds, the latest ten: 'the experiments there: 3 (sweep: chb_design), ...'."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(experiments.c.id, experiments.c.kind, experiments.c.name,
                                            experiments.c.spec_json, experiments.c.root_seed,
                                            experiments.c.created_at).order_by(experiments.c.id.desc()).limit(11)).all()
    names = [(r.kind, r.name) for r in rows[:10]]

    def apart(row) -> str:  # experiments of one name told apart: by seed and when each was made
        if names.count((row.kind, row.name)) < 2:
            return ""
        made = f", made {row.created_at:%Y-%m-%d %H:%M}" if row.created_at is not None else ""
        return f"; seed {row.root_seed}{made}"

    listed = ", ".join(f"{r.id} ({r.kind}: {r.name}{_drew(r.spec_json)}{apart(r)})" for r in rows[:10])
    more = " ... (`twin export --list` lists them all)" if len(rows) > 10 else ""
    return f"the experiments there: {listed}{more}" if rows else "it holds none"


def _stamp(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "-"


def experiments_listing(store: Store) -> list[str]:
    """Every experiment in the database, oldest first, one line each under a header: its id, kind
    (compare or sweep), name (a comparison's scenarios; a sweep's name), root seed, horizon in
    years, runs stored (and failed), and when it was made and its last run stored (UTC)."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(experiments.c.id, experiments.c.kind, experiments.c.name,
                                            experiments.c.spec_json, experiments.c.root_seed,
                                            experiments.c.created_at, experiments.c.updated_at)
                                  .order_by(experiments.c.id)).all()
        counts = connection.execute(sa.select(runs.c.experiment_id, runs.c.status, sa.func.count())
                                    .group_by(runs.c.experiment_id, runs.c.status)).all()
        # a run's storing, not the experiment's record (touched by every command, storing or not)
        added = dict(connection.execute(sa.select(runs.c.experiment_id, sa.func.max(runs.c.finished_at))
                                        .group_by(runs.c.experiment_id)).all())
        # a sweep's horizon is its points' (a comparison's is in its specification: `--years` may set it)
        first = dict(connection.execute(sa.select(scenarios.c.experiment_id, scenarios.c.resolved_json)
                                        .where(scenarios.c.position == 0)).all())
    stored: dict[int, dict[str, int]] = {}
    for experiment_id, status, count in counts:
        stored.setdefault(experiment_id, {})[status] = int(count)
    table = [("id", "kind", "seed", "years", "runs", "failed", "made (UTC)", "last run (UTC)", "name")]
    for row in rows:
        spec = json.loads(row.spec_json or "{}")
        years = spec.get("years") or json.loads(first.get(row.id) or "{}").get("years")
        done = stored.get(row.id, {})
        table.append((str(row.id), row.kind, str(row.root_seed), f"{years:g}" if isinstance(years, (int, float)) else "-",
                      f"{done.get('done', 0):,}", f"{done.get('failed', 0):,}", _stamp(row.created_at),
                      _stamp(added.get(row.id)), f"{row.name}{_drew(row.spec_json)}"))
    widths = [max(len(line[k]) for line in table) for k in range(len(table[0]) - 1)]
    right = {0, 2, 3, 4, 5}  # numbers to the right
    return ["  ".join([cell.rjust(width) if k in right else cell.ljust(width)
                       for k, (cell, width) in enumerate(zip(line, widths))] + [line[-1]]) for line in table]
