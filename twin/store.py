"""The results database (SQLAlchemy Core): experiments, scenarios, runs and their results.

SQLite under `results/` by default; any SQLAlchemy URL otherwise (PostgreSQL is tested). The
tables (experiments, scenarios, runs and each run's trajectories, per-area years, summaries and
yearly series) are described in `store_schema.py`; reads stream their rows a chunk at a time.

Only the coordinating process of a command writes. A run's results and its `done` status are written
in one transaction, so an interrupted write leaves the run missing (to be run again), never half there.

Several commands may use one database at once (the default one is shared by every command): two
starting on a new database both create its tables, two starting the same experiment both find one
row for it, and a run stored meanwhile by another command working on the same experiment (the same
seed, so the same results) stands (`write_run`). SQLite waits up to `SQLITE_WAIT_S` for another
command's write to end. A finished run the database will not take (locked for minutes by another
program) is kept in a file and stored by the next command on its experiment (`Store.kept_folder`).
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from twin.errors import DatabaseFailed, MachineError, NoResultsError, UserError, first_line, safe_url
from twin.database_url import (
    hold_sqlite_file, in_memory_note, new_database_note, read_only_folder_url, read_only_options, refuse_folder,
    refused_write, sqlite_path, unusable_url, with_lock_timeout)

DEFAULT_DB = "sqlite:///results/twin.db"

#: seconds a SQLite connection waits for another command's write to end before giving up
SQLITE_WAIT_S = 15.0
#: attempts at a step another command's simultaneous write can get in the way of, and the pause
#: before the second (doubling each time, to at most 5 s)
ATTEMPTS, FIRST_PAUSE_S = 6, 0.05
#: attempts at storing a finished run (each waits up to `SQLITE_WAIT_S` for a lock): about six minutes
#: before the run is kept in a file instead (`Store.kept_folder`), as are the runs after it
WRITE_ATTEMPTS = 20

from twin.store_schema import (  # noqa: F401 (the tables, read here and by tests as `twin.store`'s)
    abc_runs, area_results, calibration_evaluations, experiments, metadata, run_series, run_summaries, runs, scenarios,
    trajectories)


#: rows a read passes through Python objects at once (`Store._frame`)
READ_CHUNK_ROWS = 200_000


def _bulk_insert(connection, table: sa.Table, rows: list[tuple]) -> None:
    """Insert many rows through the driver's own executemany (much faster than dictionaries
    through the ORM-neutral insert for the thousands of result rows of each run)."""
    if not rows:
        return
    columns = ", ".join(c.name for c in table.columns)
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    placeholders = ", ".join([marker] * len(table.columns))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({placeholders})", rows)
    finally:
        cursor.close()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _finished(query, experiment_id: int, reps: int | None = None, order=()):
    """`query` (joined to runs) narrowed to the experiment's finished runs, of its first `reps`
    replicates when given, in design order (scenario, replicate, then `order`), whatever order the runs
    finished in (names in the database's collation: PostgreSQL's may not sort '_' as SQLite does)."""
    query = (query.join(scenarios, scenarios.c.id == runs.c.scenario_id)
             .where(runs.c.experiment_id == experiment_id, runs.c.status == "done")
             .order_by(scenarios.c.position, runs.c.replicate, *order))
    return query if reps is None else query.where(runs.c.replicate < reps)


def _contended(exc: Exception) -> bool:
    """Whether a database error is what another command's simultaneous write gives: the same table
    or row created at once (a unique key, 'already exists'), or SQLite's lock (including a read
    made stale by another command's commit, which SQLite does not wait on)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return (isinstance(exc, sa.exc.IntegrityError)
            or any(word in text for word in ("already exists", "duplicate", "locked", "busy", "lock timeout")))


def _attempts(step, unique_clash: bool = True, attempts: int = ATTEMPTS):
    """`step()`, tried again after a pause while another command's simultaneous write is what stops
    it (`unique_clash`: a unique key's clash counts as one), and at once when a server's connection
    was lost under it (in one transaction: nothing of it was stored). The first wait is said on stderr."""
    for attempt in range(attempts):
        try:
            return step()
        except sa.exc.DBAPIError as exc:
            clash = isinstance(exc, sa.exc.IntegrityError)
            if exc.connection_invalidated and attempt < attempts - 1:  # a server's connection lost: a new one
                continue
            if attempt == attempts - 1 or not _contended(exc) or (clash and not unique_clash):
                raise
            if attempt == 0 and not clash:
                print(f"twin: the database is in use by another program ({first_line(exc)}); waiting for it",
                      file=sys.stderr)
            time.sleep(min(FIRST_PAUSE_S * 2 ** attempt, 5.0))


class Store:
    """A results database at a SQLAlchemy URL."""

    def __init__(self, url: str = DEFAULT_DB, create: bool = True):  # create False: to read, its tables made by others
        self.url = url
        self.kept: list[Path] = []  # finished runs this database could not take: kept in files
        self.stopping = False  # after an interrupt: one wait for a lock, then the runs are kept in files
        self.failed = ""  # the database's error (not a lock) after which finished runs are kept in files
        self.read_only = ""  # why it is opened to reading only (`read_only_folder_url`, URL options), or ""
        self.specs_unsaved: dict[int, list[str]] = {}  # experiment -> its scenarios as last given, not stored
        self._keys: dict = {}  # experiment id -> `kept_runs.ExperimentKey`, read once
        try:
            path = sqlite_path(url)
            if path is not None:
                refuse_folder(url, path)
                if create and (note := new_database_note(url, DEFAULT_DB)):
                    print(note, file=sys.stderr)
                path.parent.mkdir(parents=True, exist_ok=True)
            if create and (note := in_memory_note(url)):
                print(note, file=sys.stderr)
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            sqlite = url.startswith("sqlite")
            if sqlite and (reading := read_only_folder_url(url)) is not None:
                copied = "" if "immutable=1" in reading else (
                    ", from a copy made with its write-ahead log (which holds runs not yet in the file)")
                print(f"twin: note: the folder of --db '{safe_url(self.url)}' cannot be written to: the database "
                      f"is opened to reading only{copied}", file=sys.stderr)
                url, self.read_only = reading, "its folder cannot be written to"
            elif sqlite and path is not None and path.is_file():  # read-only by its URL's options or its permissions
                self.read_only = ("its URL opens it to reading only: mode=ro or immutable=1"
                                  if read_only_options(url) else
                                  "the file cannot be written to" if not os.access(path, os.W_OK) else "")
            if sqlite and path is not None and create and not self.read_only and not read_only_options(url):
                hold_sqlite_file(path, self)  # not removed by another command failing (`made_for_nothing_removed`)
            # a lock waits at most SQLITE_WAIT_S on a server too (PostgreSQL waits for ever by default)
            waits = ({"timeout": SQLITE_WAIT_S} if sqlite else {"options": with_lock_timeout(url, SQLITE_WAIT_S)}
                     if url.startswith("postgresql+psycopg") else {})
            # a server's connection closed while pooled (a restart, an idle timeout) is replaced when taken
            self.engine = sa.create_engine(url, connect_args=waits, pool_pre_ping=not sqlite)
            if create or sa.inspect(self.engine).has_table("experiments"):  # (twin's: tables added since made too)
                self._check_schema(present_only=True)  # another's tables of its names: refused before adding any
                _attempts(lambda: metadata.create_all(self.engine))  # another command may be creating them too
            else:
                raise NoResultsError(f"--db {safe_url(self.url)}: holds no results of twin (run `twin compare` or "
                                     f"`twin sweep` first, or give --db)")
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise UserError(unusable_url(self.url, exc)) from None
        except ImportError as exc:
            hint = 'pip install -e ".[postgres]"' if "psycopg" in str(exc.name or exc) else "install it with pip"
            raise UserError(f"--db '{safe_url(self.url)}': its database driver is not installed "
                            f"({exc.name or exc}); {hint}") from None
        except sa.exc.OperationalError as exc:
            raise UserError(f"--db '{safe_url(self.url)}': cannot connect ({first_line(exc)})") from None
        except sa.exc.DatabaseError as exc:  # e.g. a file that is not a SQLite database, no permission
            raise UserError(f"--db '{safe_url(self.url)}': cannot use the database ({first_line(exc)})") from None
        except FileExistsError as exc:  # the SQLite file's folder cannot be made: a file in the way
            raise UserError(f"--db '{safe_url(self.url)}': '{exc.filename}' is a file, not a folder") from None
        except OSError as exc:  # no permission, read-only file system ...
            raise UserError(f"--db '{safe_url(self.url)}': {exc.strerror or exc}"
                            + (f" ({exc.filename})" if exc.filename else "")) from None
        self._check_schema()
        if self.engine.dialect.name == "sqlite":
            _attempts(self._write_ahead_log)

    def _write_ahead_log(self) -> None:
        with self.engine.begin() as connection:
            if connection.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    def _check_schema(self, present_only: bool = False) -> None:
        """Tables of the twin's names not its own (a shared database, tables altered) are refused here, not met
        as a traceback or rounded results halfway through a command (`present_only`: before it adds its own)."""
        from twin.store_schema import schema_mistake

        mistake = schema_mistake(sa.inspect(self.engine), present_only)
        if mistake:
            raise UserError(f"--db '{safe_url(self.url)}': {mistake}; use another database, or another schema")

    # ------------------------------------------------------------------ experiments

    def experiment(self, spec_hash: str, name: str, spec: dict, root_seed: int, kind: str,
                   scenario_rows: list[dict], provenance: dict) -> int:
        """The experiment with this hash (created with its scenarios if new), its id. Two commands starting
        one new experiment at once: one creates it, the other's insert fails on the unique hash (or on
        SQLite's lock) and finds it when tried again."""
        return _attempts(lambda: self._experiment(spec_hash, name, spec, root_seed, kind, scenario_rows, provenance))

    def _experiment(self, spec_hash: str, name: str, spec: dict, root_seed: int, kind: str,
                    scenario_rows: list[dict], provenance: dict) -> int:
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(experiments.c.id, experiments.c.spec_json)
                                     .where(experiments.c.spec_hash == spec_hash)).first()
            if row:
                # A sweep's UK outcomes are not its identity (read off the runs' yearly totals): its specification
                # follows the file as last run, for an export of the outcomes `twin sweep` last wrote. A comparison's
                # posterior sample is known by its draws: the file and the fit.json beside it, as last read, are named.
                stored = {**json.loads(row.spec_json or "{}"), "posterior": spec.get("posterior"),
                          "posterior_fit": spec.get("posterior_fit")}
                if spec.get("posterior_parameters"):  # names kept since; an older record gains them
                    stored["posterior_parameters"] = spec["posterior_parameters"]
                if "reps_asked" in spec:  # the most replicates a command asked of it: fewer stored is unfinished
                    stored["reps_asked"] = max(int(stored.get("reps_asked") or 0), int(spec["reps_asked"]))
                refreshed = {"spec_json": json.dumps(spec if kind == "sweep" else stored, default=str)}
                # on a server, a refused write leaves the transaction usable only from a savepoint
                nested = connection.begin_nested() if connection.dialect.name == "postgresql" else None
                try:
                    connection.execute(experiments.update().where(experiments.c.id == row.id)
                                       .values(updated_at=_now(), **refreshed))
                    if kind == "compare" and scenario_rows:  # titles and descriptions as last written
                        connection.execute(scenarios.update().where(
                            (scenarios.c.experiment_id == row.id) & (scenarios.c.position == sa.bindparam("at"))
                        ).values(resolved_json=sa.bindparam("spec")), [
                            {"at": position, "spec": json.dumps(scenario["resolved"], default=str)}
                            for position, scenario in enumerate(scenario_rows)])
                    if nested is not None:
                        nested.commit()
                except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.InternalError) as exc:  # read only
                    if not refused_write(exc):
                        raise
                    if nested is not None:
                        nested.rollback()
                        self.read_only = "the database role given may not write to it"
                    if kind == "compare" and scenario_rows:  # (its report, with the files' titles all the same)
                        self.specs_unsaved[row.id] = [json.dumps(s["resolved"], default=str) for s in scenario_rows]
                return row.id
            self.check_can_store(0, new_experiment=True)  # a write: refused as runs are (exit 2, not a crash)
            try:
                experiment_id = connection.execute(experiments.insert().values(
                    spec_hash=spec_hash, name=name, kind=kind, spec_json=json.dumps(spec, default=str),
                    root_seed=root_seed, code_version=provenance.get("code_version"), created_at=_now(),
                    git_commit=provenance.get("git_commit"), packages_json=json.dumps(provenance.get("packages", {})),
                    updated_at=_now())).inserted_primary_key[0]
            except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.InternalError) as exc:
                if not refused_write(exc):  # (a role that may read only: known only now, on a new experiment)
                    raise
                self.read_only = "the database role given may not write to it"  # (SQLite's: known when opened)
                self.check_can_store(0, new_experiment=True)
            if scenario_rows:  # one statement for them all (a sweep's 48,000 points: 12 s one by one)
                connection.execute(scenarios.insert(), [
                    {"experiment_id": experiment_id, "position": position, "name": scenario["name"],
                     "spec_hash": scenario["spec_hash"], "resolved_json": json.dumps(scenario["resolved"], default=str)}
                    for position, scenario in enumerate(scenario_rows)])
            return experiment_id

    def package_changes(self, experiment_id: int, packages: dict) -> str | None:
        """The packages whose versions differ from those the experiment was started with, in words
        ('numpy 2.4.6 -> 2.5.0'), None when none does (names an older store did not keep are left out).
        Such an experiment is marked as holding runs of other versions: no other takes its runs (`run_reuse`)."""
        with self.engine.connect() as connection:
            stored = connection.execute(sa.select(experiments.c.packages_json)
                                        .where(experiments.c.id == experiment_id)).scalar()
        before = json.loads(stored or "{}")
        changed = [f"{name} {before[name]} -> {version}" for name, version in packages.items()
                   if name in before and before[name] != version]
        if changed and not self.read_only and not before.get("runs_of_other_versions"):
            with self.engine.begin() as connection:
                connection.execute(experiments.update().where(experiments.c.id == experiment_id).values(
                    packages_json=json.dumps({**before, "runs_of_other_versions": True})))
        return ", ".join(changed) or None

    def experiment_by_hash(self, spec_hash: str) -> int | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(experiments.c.id).where(experiments.c.spec_hash == spec_hash)).first()
        return row.id if row else None

    def scenario_ids(self, experiment_id: int) -> list[int]:
        return [sid for sid, _ in self.experiment_key(experiment_id).scenarios]

    def experiment_key(self, experiment_id: int):
        """The experiment's hash and its scenarios' ids and hashes by place (`kept_runs.ExperimentKey`),
        read once: a run kept while the database is locked is named by them."""
        from twin.kept_runs import ExperimentKey

        if experiment_id not in self._keys:
            with self.engine.connect() as connection:
                spec_hash = connection.execute(sa.select(experiments.c.spec_hash)
                                               .where(experiments.c.id == experiment_id)).scalar()
                rows = connection.execute(sa.select(scenarios.c.id, scenarios.c.spec_hash)
                                          .where(scenarios.c.experiment_id == experiment_id)
                                          .order_by(scenarios.c.position)).all()
            if spec_hash is None:  # (not cached: it may be made)
                return ExperimentKey(experiment_id, "", ())
            self._keys[experiment_id] = ExperimentKey(experiment_id, spec_hash,
                                                      tuple((r.id, r.spec_hash) for r in rows))
        return self._keys[experiment_id]

    def done_runs(self, experiment_id: int) -> set[tuple[int, int]]:
        """(scenario_id, replicate) of the runs done, those kept in files (the database locked) stored first."""
        self._store_kept_runs(experiment_id)
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(runs.c.scenario_id, runs.c.replicate)
                                      .where(runs.c.experiment_id == experiment_id, runs.c.status == "done")).all()
        return {(r.scenario_id, r.replicate) for r in rows}

    def latest_experiment(self, name: str | None = None) -> int | None:
        query = sa.select(experiments.c.id).order_by(experiments.c.updated_at.desc(), experiments.c.id.desc())
        if name:
            query = query.where(experiments.c.name == name)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return row.id if row else None

    # ------------------------------------------------------------------ writing runs

    def write_run(self, experiment_id: int, scenario_id: int, replicate: int, seed: int, outcome: dict) -> bool:
        """Record one finished (or failed) run with all its results, in one transaction. Returns
        False, writing nothing, when another command working on the same experiment has stored
        this run meanwhile (the same scenario and seed: the same results).

        A run the database will not take, locked by another program past `WRITE_ATTEMPTS`, is kept
        in a file instead (`kept_folder`; and every run after it that a single wait does not store),
        which the next command on this experiment stores; `check_kept` then stops the command. Once
        the command is `stopping` (interrupted), a run waits once, and after one is kept the rest are
        kept without waiting: a Ctrl-C or a scheduler's SIGTERM waited minutes on another's lock."""
        run = (experiment_id, scenario_id, replicate, seed, outcome)
        if (self.stopping or self.failed) and self.kept:  # a command stopping stops in seconds, not a wait per run
            self._keep(run)
            return True
        try:
            _attempts(lambda: self._write_run(*run), unique_clash=False,
                      attempts=1 if self.kept or self.stopping else WRITE_ATTEMPTS)
        except sa.exc.IntegrityError:  # the (scenario, replicate) key: a finished run is there already
            return False
        except sa.exc.DBAPIError as exc:  # (a database known to be read-only is refused before runs: `check_can_store`)
            contended = _contended(exc)
            if self.read_only or not (isinstance(exc, sa.exc.OperationalError) or refused_write(exc)):  # a mistake
                raise
            try:  # locked, failing, or made read-only under the command (a failover to a standby): the run kept
                self._keep(run)
            except OSError:  # (a full disk holds the database and the kept runs' folder alike)
                if contended:
                    raise
                raise exc from None
            if not contended:  # a server gone, a disk failing: the command stops, its runs in flight kept too
                self.failed = first_line(exc)
                if not self.stopping:  # (stopping: the runs being saved after a Ctrl-C are each kept in turn)
                    raise DatabaseFailed(self.kept_message()) from exc
        return True

    def check_can_store(self, runs_to_do: int, new_experiment: bool = False) -> None:
        """Before any run starts: a database opened to reading only cannot store runs, nor a new experiment."""
        if self.read_only and (runs_to_do or new_experiment):
            what = " and ".join(([f"{runs_to_do:,} run(s) to do"] if runs_to_do else [])
                                + (["a new experiment to store"] if new_experiment else []))
            instead = ("give a writable copy with --db" if sqlite_path(self.url) is not None else
                       "give a role that may write (in the URL), or another --db")
            raise UserError(f"--db '{safe_url(self.url)}': {what}, and the database can only be read "
                            f"({self.read_only}); {instead}")

    def kept_folder(self) -> Path:
        from twin.kept_runs import kept_folder

        return kept_folder(self.url)

    def _keep(self, run: tuple) -> None:
        from twin.kept_runs import keep_in_file

        path = keep_in_file(self.kept_folder(), self.experiment_key(run[0]), run[1:])
        if path not in self.kept:  # (the run being stored when the database failed is handed back again)
            self.kept.append(path)

    def check_kept(self) -> None:
        """After a command's runs: stop it, saying where its runs wait, if any had to be kept in files."""
        if self.kept:
            raise (DatabaseFailed if self.failed else MachineError)(self.kept_message())

    def kept_message(self) -> str:
        from twin.kept_runs import kept_message

        return kept_message(self.url, len(self.kept), self.failed)

    def _store_kept_runs(self, experiment_id: int) -> None:
        """Store the runs of this experiment an earlier command kept in files (`kept_runs.py`), waiting
        for a lock as a run's write does; the command stops (nothing run) when they cannot be stored."""
        from twin.kept_runs import store_kept_files

        if not self.read_only:  # (cannot take them: a command with runs to do is refused, `check_can_store`)
            store_kept_files(self.kept_folder(), self.experiment_key(experiment_id), self.kept, lambda run: _attempts(
                lambda: self._write_run(experiment_id, *run), unique_clash=False, attempts=WRITE_ATTEMPTS), self.url)

    def _write_run(self, experiment_id: int, scenario_id: int, replicate: int, seed: int, outcome: dict) -> None:
        with self.engine.begin() as connection:
            connection.execute(runs.delete().where(runs.c.scenario_id == scenario_id, runs.c.replicate == replicate,
                                                   runs.c.status == "failed"))
            run_id = connection.execute(runs.insert().values(
                experiment_id=experiment_id, scenario_id=scenario_id, replicate=replicate, seed=seed,
                status=outcome["status"], started_at=outcome.get("started_at"), finished_at=_now(),
                setup_s=outcome.get("setup_s"), run_s=outcome.get("run_s"), error=outcome.get("error"),
            )).inserted_primary_key[0]
            if outcome["status"] != "done":
                return
            _bulk_insert(connection, trajectories, [(run_id, *row) for row in outcome["trajectories"]])
            _bulk_insert(connection, area_results, [(run_id, *row) for row in outcome["area_results"]])
            _bulk_insert(connection, run_summaries, [(run_id, m, v) for m, v in outcome["summary"].items()])
            if outcome.get("series") is not None:
                connection.execute(run_series.insert().values(run_id=run_id, payload=outcome["series"]))

    # ------------------------------------------------------------------ calibration

    @staticmethod
    def parameters_key(parameters: dict[str, float]) -> str:
        return json.dumps({k: round(float(v), 12) for k, v in sorted(parameters.items())})

    def cached_evaluation(self, fit_key: str, parameters: dict[str, float]) -> float | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(calibration_evaluations.c.misfit).where(
                calibration_evaluations.c.fit_key == fit_key,
                calibration_evaluations.c.parameters_json == self.parameters_key(parameters))).first()
        return None if row is None else float(row.misfit)

    def save_evaluation(self, fit_key: str, parameters: dict[str, float], value: float) -> None:
        with self.engine.begin() as connection:
            connection.execute(calibration_evaluations.insert().values(
                fit_key=fit_key, parameters_json=self.parameters_key(parameters), misfit=value, created_at=_now()))

    def abc_run(self, fit_key: str) -> int | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(abc_runs.c.abc_id).where(abc_runs.c.fit_key == fit_key)).first()
        return None if row is None else int(row.abc_id)

    def save_abc_run(self, fit_key: str, abc_id: int) -> bool:
        """Register pyabc's run `abc_id` as the fit's. False when another command registered one
        for the same fit meanwhile (two calibrations of it started at once): theirs stands."""
        try:
            with self.engine.begin() as connection:
                connection.execute(abc_runs.insert().values(fit_key=fit_key, abc_id=abc_id, created_at=_now()))
        except sa.exc.IntegrityError:
            return False
        return True

    # ------------------------------------------------------------------ reading

    def chunks(self, query, chunk_rows: int | None = None):
        """The query's rows as frames of at most `chunk_rows` rows (`READ_CHUNK_ROWS`), streamed from
        the server (one empty frame when there are none): a chunk at a time passes through Python objects."""
        # a chunk whose values are all NULL would read as objects: the float columns are read as floats
        floats = [c.name for c in query.selected_columns if isinstance(c.type, sa.Float)]
        with self.engine.connect() as connection:
            for chunk in pd.read_sql(query, connection.execution_options(stream_results=True),
                                     chunksize=chunk_rows or READ_CHUNK_ROWS):
                yield chunk.astype({name: float for name in floats if name in chunk}) if floats else chunk

    def _frame(self, query, chunk_rows: int | None = None) -> pd.DataFrame:
        """The query's rows as one frame, read in chunks (`chunks`; a read of 4.7 million rows:
        peak memory 1.2 GB -> 0.56 GB, 14.7 -> 10.4 s, the same frame)."""
        parts = list(self.chunks(query, chunk_rows))
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def runs_frame(self, experiment_id: int) -> pd.DataFrame:
        query = (sa.select(runs.c.id.label("run_id"), scenarios.c.name.label("scenario"), scenarios.c.position,
                           runs.c.replicate, runs.c.seed, runs.c.status, runs.c.setup_s, runs.c.run_s, runs.c.error)
                 .join(scenarios, scenarios.c.id == runs.c.scenario_id)
                 .where(runs.c.experiment_id == experiment_id).order_by(scenarios.c.position, runs.c.replicate))
        return self._frame(query)

    @staticmethod
    def trajectories_query(experiment_id: int, reps: int | None = None):
        """UK values at every step of the finished runs (of the first `reps` replicates, when given:
        narrowed in the database, since the rows of every stored run may not fit in memory)."""
        query = (sa.select(trajectories.c.run_id, trajectories.c.step, trajectories.c.metric, trajectories.c.value)
                 .join(runs, runs.c.id == trajectories.c.run_id))
        return _finished(query, experiment_id, reps, (trajectories.c.step, trajectories.c.metric))

    @staticmethod
    def area_query(experiment_id: int, reps: int | None = None):
        """Per-area values by year of the finished runs (of the first `reps` replicates, when given)."""
        query = (sa.select(area_results.c.run_id, area_results.c.year, area_results.c.area, area_results.c.metric,
                           area_results.c.value)
                 .join(runs, runs.c.id == area_results.c.run_id))
        return _finished(query, experiment_id, reps, (area_results.c.year, area_results.c.area, area_results.c.metric))

    def trajectories_frame(self, experiment_id: int, reps: int | None = None) -> pd.DataFrame:
        return self._frame(self.trajectories_query(experiment_id, reps))

    def area_frame(self, experiment_id: int, reps: int | None = None) -> pd.DataFrame:
        return self._frame(self.area_query(experiment_id, reps))

    def series_of(self, experiment_id: int, run_ids: list[int] | None = None):
        """The stored yearly series (`run_series`) of the experiment's finished runs (of `run_ids` only,
        when given), as (run id, payload) pairs streamed `READ_CHUNK_ROWS` at a time, not all held at once."""
        query = (sa.select(run_series.c.run_id, run_series.c.payload).join(runs, runs.c.id == run_series.c.run_id)
                 .where(runs.c.experiment_id == experiment_id, runs.c.status == "done",
                        *(() if run_ids is None else (runs.c.id.in_(run_ids),))))
        with self.engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=READ_CHUNK_ROWS).execute(query)
            for row in result:
                yield int(row.run_id), bytes(row.payload)

    def summaries_frame(self, experiment_id: int, reps: int | None = None) -> pd.DataFrame:
        query = (sa.select(run_summaries.c.run_id, run_summaries.c.metric, run_summaries.c.value)
                 .join(runs, runs.c.id == run_summaries.c.run_id))
        return self._frame(_finished(query, experiment_id, reps, (run_summaries.c.metric,)))

    def experiment_row(self, experiment_id: int) -> dict:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(experiments).where(experiments.c.id == experiment_id)).first()
        return dict(row._mapping) if row else {}

    def scenarios_frame(self, experiment_id: int) -> pd.DataFrame:
        query = sa.select(scenarios).where(scenarios.c.experiment_id == experiment_id).order_by(scenarios.c.position)
        frame, given = self._frame(query), self.specs_unsaved.get(experiment_id)
        return frame if given is None or len(given) != len(frame) else frame.assign(resolved_json=given)
