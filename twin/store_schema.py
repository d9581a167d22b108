"""The results database's tables (SQLAlchemy Core), which `store.py` reads and writes.

Tables:

- experiments: one per distinct specification (its hash), with the specification itself, the
  code version and git commit, package versions, root seed and timestamps;
- scenarios: the fully resolved scenarios of an experiment (parameters, levers) and their hashes;
- runs: one per scenario and replicate: seed, status (done or failed), timings, error text;
- trajectories: UK values of every metric at every step, in long form (run, step, metric, value);
- area_results: per-area values by year for the area metrics (run, year, area, metric, value);
- run_summaries: per-run totals (run, metric, value), undiscounted and discounted;
- run_series: a run's yearly UK totals, compressed (sweeps);
- calibration_evaluations, abc_runs: the misfits of calibration's evaluations, and the ABC runs.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

experiments = sa.Table(
    "experiments", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("spec_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False, default="compare"),
    sa.Column("spec_json", sa.Text, nullable=False),
    sa.Column("root_seed", sa.BigInteger, nullable=False),
    sa.Column("code_version", sa.String(40)),
    sa.Column("git_commit", sa.String(64)),
    sa.Column("packages_json", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

scenarios = sa.Table(
    "scenarios", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("spec_hash", sa.String(64), nullable=False),
    sa.Column("resolved_json", sa.Text, nullable=False),
    sa.UniqueConstraint("experiment_id", "position"),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False),
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
    sa.Column("replicate", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("setup_s", sa.Float),
    sa.Column("run_s", sa.Float),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("scenario_id", "replicate"),
)

trajectories = sa.Table(
    "trajectories", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("metric", sa.String(80), nullable=False),
    sa.Column("value", sa.Float),
)

area_results = sa.Table(
    "area_results", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("area", sa.String(80), nullable=False),
    sa.Column("metric", sa.String(80), nullable=False),
    sa.Column("value", sa.Float),
)

calibration_evaluations = sa.Table(
    "calibration_evaluations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("fit_key", sa.String(64), nullable=False, index=True),
    sa.Column("parameters_json", sa.Text, nullable=False),
    sa.Column("misfit", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)

abc_runs = sa.Table(
    "abc_runs", metadata,
    sa.Column("fit_key", sa.String(64), primary_key=True),
    sa.Column("abc_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)

#: a run's yearly UK totals of every metric (`targets.yearly_sums`), zlib-compressed JSON: sweeps keep
#: them so that an outcome added to an experiment file is read off the runs instead of running them again
run_series = sa.Table(
    "run_series", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)

run_summaries = sa.Table(
    "run_summaries", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("metric", sa.String(80), nullable=False),
    sa.Column("value", sa.Float),
)


def schema_mistake(inspector, present_only: bool = False) -> str | None:
    """Why tables of the twin's names in a database are not the twin's, in words, or None: a column
    missing; a number column made single precision (PostgreSQL's REAL keeps about 7 digits, and the
    results would be rounded without a word); the runs without their unique (scenario, replicate)
    key, which keeps two commands from storing one run twice. `present_only`: of the tables there
    (before the twin adds the rest)."""
    postgres = inspector.dialect.name == "postgresql"
    for table in metadata.sorted_tables:
        if present_only and not inspector.has_table(table.name):
            continue
        found = {column["name"]: column for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in found]
        if missing:
            return f"its table '{table.name}' is not the twin's (no column {', '.join(missing[:3])}" \
                   f"{' ...' if len(missing) > 3 else ''})"
        single = [column.name for column in table.columns if isinstance(column.type, sa.Float) and postgres
                  and type(found[column.name]["type"]).__name__ == "REAL"]
        if single:
            return (f"its table '{table.name}' keeps {', '.join(single)} in single precision (REAL, about 7 "
                    f"digits), where the twin's results need double precision")
    if present_only and not inspector.has_table("runs"):
        return None
    keys = [set(key["column_names"]) for key in inspector.get_unique_constraints("runs")]
    keys += [set(index["column_names"]) for index in inspector.get_indexes("runs") if index.get("unique")]
    if {"scenario_id", "replicate"} not in keys:
        return ("its table 'runs' has no unique key on (scenario_id, replicate), which keeps a run from being "
                "stored twice")
    return None
