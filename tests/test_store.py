"""The results database used by several commands at once (`store.py`).

The default database is shared by every command, so two commands started together (a comparison
and a sweep, or the same comparison in two terminals) open it, create its tables, find their
experiment and store runs at the same moment. Each case below starts eight processes together
(a barrier) on one database, and fails if any of them stops or anything is stored twice.
"""

import contextlib
import json
import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

import sqlalchemy as sa

from twin import store as store_module
from twin.cli import main
from twin.errors import UserError
from twin.store import Store

from conftest import postgres_url

PROCESSES = 8
TRAJECTORY = [(step, "harm_gbp_total", float(step)) for step in range(1, 13)]
OUTCOME = {"status": "done", "trajectories": TRAJECTORY, "area_results": [(1, "Kent", "harm_gbp_total", 2.0)],
           "summary": {"total_harm_gbp_total": 78.0}, "series": None}
SCENARIO_ROWS = [{"name": "baseline", "spec_hash": "b" * 16, "resolved": {}}]


def _one_command(url, barrier, replicate, answers):
    """What a command does with the database: open it, find its experiment, store a run that every
    process also stores (replicate 0) and one of its own."""
    try:
        barrier.wait()
        store = Store(url)
        experiment_id = store.experiment("e" * 32, "shared", {"scenarios": ["b" * 16]}, 1, "compare",
                                         SCENARIO_ROWS, {})
        scenario_id = store.scenario_ids(experiment_id)[0]
        shared = store.write_run(experiment_id, scenario_id, 0, 11, OUTCOME)
        own = store.write_run(experiment_id, scenario_id, replicate, 11, OUTCOME)
        answers.put(("ok", experiment_id, shared, own))
    except BaseException as exc:  # reported to the test, which fails on it
        answers.put(("error", f"{type(exc).__name__}: {exc}"))


def _run_together(url):
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_one_command, args=(url, barrier, k + 1, answers)) for k in range(PROCESSES)]
    for process in processes:
        process.start()
    results = [answers.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return results


def _check(url, results):
    errors = [r[1] for r in results if r[0] == "error"]
    assert not errors, errors
    assert len({r[1] for r in results}) == 1, "every command finds the one experiment"
    assert sum(r[2] for r in results) == 1, "the run every command stores is written once"
    assert all(r[3] for r in results), "each command's own run is written"
    engine = sa.create_engine(Store(url).engine.url)
    with engine.connect() as connection:
        count = lambda table: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()  # noqa: E731
        assert count("experiments") == 1
        assert count("scenarios") == 1
        assert count("runs") == PROCESSES + 1
        assert count("trajectories") == (PROCESSES + 1) * len(TRAJECTORY)
        assert count("run_summaries") == PROCESSES + 1
    engine.dispose()


def test_commands_starting_together_on_a_new_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    _check(url, _run_together(url))


def _postgres_schema_url(schema: str) -> str:
    """The test server's URL with a fresh schema of its own: other tests drop and create the
    twin's tables in the default one."""
    base = postgres_url()
    admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    return f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"


def test_commands_starting_together_on_a_new_postgresql_schema():
    url = _postgres_schema_url("store_concurrency")
    _check(url, _run_together(url))


def test_the_lock_timeout_keeps_the_urls_options_and_pgoptions(monkeypatch):
    """Given as a connection argument, `options` replace libpq's PGOPTIONS and the URL's own: a schema
    chosen with PGOPTIONS was ignored, the tables made in another. Both are kept, after the timeout,
    so that either may set the timeout itself."""
    from twin.database_url import with_lock_timeout

    monkeypatch.delenv("PGOPTIONS", raising=False)
    assert with_lock_timeout("postgresql+psycopg://u@h/db", 15) == "-c lock_timeout=15000"
    monkeypatch.setenv("PGOPTIONS", "-c search_path=mine")
    url = "postgresql+psycopg://u@h/db?options=-c%20lock_timeout%3D2000"
    assert with_lock_timeout(url, 15) == "-c lock_timeout=15000 -c search_path=mine -c lock_timeout=2000"


def test_a_lock_on_postgresql_is_waited_for_as_on_sqlite_not_for_ever(tmp_path, monkeypatch):
    """PostgreSQL waits for a lock for ever by default: a command interrupted while another program
    held one printed nothing and never stopped. A lock now times out as SQLite's wait does (the
    URL's own options, here its schema, kept), and an interrupted command keeps its runs in files."""
    import time

    monkeypatch.setattr(store_module, "SQLITE_WAIT_S", 0.5)
    monkeypatch.chdir(tmp_path)  # a database server's runs are kept under results/
    url = _postgres_schema_url("store_lock")
    store = Store(url)
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    scenario_id = store.scenario_ids(experiment_id)[0]
    other = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://")).connect()
    other.exec_driver_sql("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")  # in the schema: the URL's search_path
    release = threading.Timer(10.0, other.rollback)  # so that a wait for ever fails the test, not hangs it
    release.start()
    store.stopping = True
    started = time.perf_counter()
    try:
        assert store.write_run(experiment_id, scenario_id, 0, 11, OUTCOME)
    finally:
        release.cancel()
        other.rollback()
        other.close()
    assert time.perf_counter() - started < 5 and len(store.kept) == 1
    assert Store(url).done_runs(experiment_id) == {(scenario_id, 0)}  # the next command stores it
    assert not store.kept_folder().exists()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_read_in_chunks_gives_the_frame_a_whole_read_gives(tmp_path, database):
    """Reads stream their rows a chunk at a time (a whole read of a large experiment held every row
    as Python objects at once): chunks of 5 rows give the frame one chunk gives, rows and types."""
    url = f"sqlite:///{tmp_path / 'chunks.db'}" if database == "sqlite" else _postgres_schema_url("store_chunks")
    store = Store(url)
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    scenario_id = store.scenario_ids(experiment_id)[0]
    missing = dict(OUTCOME, trajectories=[(step, metric, None) for step, metric, _ in TRAJECTORY])
    for replicate in range(3):  # the first run's values missing: a chunk of NULLs read as objects
        store.write_run(experiment_id, scenario_id, replicate, 11 + replicate, missing if replicate == 0 else OUTCOME)
    query = sa.select(store_module.trajectories).order_by(store_module.trajectories.c.run_id,
                                                          store_module.trajectories.c.step)
    whole = store._frame(query, chunk_rows=10_000)
    assert len(whole) == 3 * len(TRAJECTORY) and whole["value"].dtype == float and whole["value"].isna().sum() == 12
    pd.testing.assert_frame_equal(store._frame(query, chunk_rows=5), whole)
    empty = store._frame(query.where(store_module.trajectories.c.run_id < 0), chunk_rows=5)
    assert list(empty.columns) == list(whole.columns) and empty.empty
    store.engine.dispose()


def test_a_fits_abc_run_is_registered_once(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'abc.db'}")
    assert store.save_abc_run("f" * 16, 3)
    assert not store.save_abc_run("f" * 16, 4)  # a second calibration of the fit, started at once
    assert store.abc_run("f" * 16) == 3


def _locked(tmp_path):
    """A database holding one experiment, and another program's connection holding its write lock:
    (path, store, experiment id, scenario id, that connection)."""
    path = tmp_path / "locked.db"
    store = Store(f"sqlite:///{path}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    return path, store, experiment_id, store.scenario_ids(experiment_id)[0], other


def test_a_finished_run_waits_for_another_programs_lock_rather_than_being_lost(tmp_path, monkeypatch, capsys):
    """Another program holds a write lock for far longer than SQLite's own wait: the run is stored once
    it lets go, and the wait is said."""
    monkeypatch.setattr(store_module, "SQLITE_WAIT_S", 0.2)
    _, store, experiment_id, scenario_id, other = _locked(tmp_path)
    release = threading.Timer(2.0, other.commit)
    release.start()
    try:
        assert store.write_run(experiment_id, scenario_id, 0, 11, OUTCOME)
    finally:
        release.join()
        other.close()
    assert store.done_runs(experiment_id) == {(scenario_id, 0)}
    assert "the database is in use by another program (database is locked); waiting for it" in capsys.readouterr().err


def test_an_interrupted_command_waits_once_for_another_programs_lock_then_keeps_its_runs(tmp_path, monkeypatch):
    """After a Ctrl-C or SIGTERM the runs finished are stored; with another program holding a lock,
    each waited through every attempt (about six minutes) and the command ignored the signal meanwhile.
    Now the first waits once and it and the rest are kept in files, stored by the next command."""
    monkeypatch.setattr(store_module, "SQLITE_WAIT_S", 0.2)
    path, store, experiment_id, scenario_id, other = _locked(tmp_path)
    tried, write = [], store._write_run
    monkeypatch.setattr(store, "_write_run", lambda *run: (tried.append(run), write(*run)))
    store.stopping = True
    try:
        assert all(store.write_run(experiment_id, scenario_id, r, 11 + r, OUTCOME) for r in range(3))
    finally:
        other.rollback()
        other.close()
    assert len(tried) == 1 and len(store.kept) == 3 and store.done_runs(experiment_id) == set()
    later = Store(f"sqlite:///{path}")  # the next command stores them
    assert later.done_runs(experiment_id) == {(scenario_id, r) for r in range(3)}


def test_runs_kept_in_files_that_a_locked_database_cannot_take_stop_the_next_command(tmp_path, monkeypatch, capsys):
    """The next command found the database locked again: each kept run was said to be 'not a finished
    run this program kept' (the lock's error taken for the file's), left unread and run again. Now the
    command waits as a run's write does, then stops before running anything, saying where they wait."""
    from twin.errors import MachineError

    monkeypatch.setattr(store_module, "SQLITE_WAIT_S", 0.1)
    monkeypatch.setattr(store_module, "WRITE_ATTEMPTS", 2)
    path, store, experiment_id, scenario_id, other = _locked(tmp_path)
    store.stopping = True
    try:
        assert all(store.write_run(experiment_id, scenario_id, r, 11 + r, OUTCOME) for r in range(3))
        assert len(store.kept) == 3
        capsys.readouterr()
        with pytest.raises(MachineError) as stopped:
            Store(f"sqlite:///{path}").done_runs(experiment_id)  # the next command, the lock still held
    finally:
        other.rollback()
        other.close()
    assert str(stopped.value).startswith(f"the database sqlite:///{path} was locked by another program")
    assert "3 finished run(s) are kept in" in str(stopped.value) and str(stopped.value).endswith("; nothing was run")
    assert "not a finished run" not in capsys.readouterr().err
    assert sorted(p.name for p in store.kept_folder().iterdir() if p.suffix == ".json") == sorted(
        p.name for p in store.kept)  # the files wait, unread
    assert Store(f"sqlite:///{path}").done_runs(experiment_id) == {(scenario_id, r) for r in range(3)}


def test_a_damaged_database_is_a_one_line_error_naming_it(tmp_path, capsys):
    path = tmp_path / "damaged.db"
    store = Store(f"sqlite:///{path}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    for replicate in range(40):  # pages enough that damage in the middle spares the header
        store.write_run(experiment_id, store.scenario_ids(experiment_id)[0], replicate, 11, OUTCOME)
    store.engine.dispose()
    with open(path, "r+b") as file:
        file.seek(path.stat().st_size // 2)
        file.write(os.urandom(8192))
    assert main(["export", "--db", f"sqlite:///{path}", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"twin: error: database error (sqlite:///{path}): ") and "\n" not in err
    assert "the database file is damaged: give another --db" in err


def test_a_database_opened_read_only_still_gives_its_stored_runs(tmp_path, monkeypatch):
    """A results database given read-only (SQLite's URI `mode=ro`): a command whose runs are all
    stored finds its experiment and runs, and writes nothing, nor a folder named after the URI."""
    path = tmp_path / "kept.db"
    store = Store(f"sqlite:///{path}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    scenario_id = store.scenario_ids(experiment_id)[0]
    store.write_run(experiment_id, scenario_id, 0, 11, OUTCOME)
    store.engine.dispose()
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    reader = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert reader.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {}) == experiment_id
    assert reader.done_runs(experiment_id) == {(scenario_id, 0)}
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        reader.write_run(experiment_id, scenario_id, 1, 11, OUTCOME)
    # a scenario retitled since: the database cannot take the new title, its report gives it all the same
    retitled = [{**SCENARIO_ROWS[0], "resolved": {"title": "Now"}}]
    assert reader.experiment("e" * 32, "one", {}, 1, "compare", retitled, {}) == experiment_id
    assert json.loads(reader.scenarios_frame(experiment_id)["resolved_json"].iloc[0]) == {"title": "Now"}
    reader.engine.dispose()
    assert path.read_bytes() == before and not (tmp_path / "file:").exists()


def _read_only(folder, monkeypatch) -> None:
    """The folder made read-only (as root, its permissions do not stop a write, as a read-only mount
    would: `os.access` says so)."""
    folder.chmod(0o555)
    if os.geteuid() == 0:
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK and str(p) == str(folder)
                            else real_access(p, mode))


def test_a_database_in_a_folder_nothing_can_be_written_to_is_read(tmp_path, monkeypatch, capsys):
    """A read-only mount: SQLite cannot make the write-ahead log's shared-memory file beside the
    database, and would not open it at all ('unable to open database file'). It is opened to
    reading only, as unchanging, with a note; exports work and nothing is written. (As root, the
    folder's permissions do not stop a write, as a read-only mount would: `os.access` says so.)"""
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "kept.db"
    store = Store(f"sqlite:///{path}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    store.write_run(experiment_id, store.scenario_ids(experiment_id)[0], 0, 11, OUTCOME)
    store.engine.dispose()
    before = path.read_bytes()
    _read_only(folder, monkeypatch)
    try:
        assert main(["export", "--db", f"sqlite:///{path}", "--out", str(tmp_path / "out")]) == 0
        err = capsys.readouterr().err
        # runs still to do are refused before any starts (they ran, then failed at the first write)
        reading = Store(f"sqlite:///{path}")
        with pytest.raises(UserError, match=r"3 run\(s\) to do, and the database can only be read"):
            reading.check_can_store(3)
        reading.check_can_store(0)  # nothing to store: the stored runs report
    finally:
        folder.chmod(0o755)
    assert f"the folder of --db 'sqlite:///{path}' cannot be written to: the database is opened to reading only" in err
    assert (tmp_path / "out" / "trajectories.csv").is_file()
    assert path.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["kept.db"]


def test_runs_still_in_the_write_ahead_log_of_a_database_in_a_read_only_folder_are_read(tmp_path, monkeypatch, capsys):
    """A command killed before SQLite folded its write-ahead log into the file leaves stored runs in
    `NAME-wal`; opened as unchanging (immutable=1) in a read-only folder, the database showed none of
    them ("no experiments yet"). It is read from a copy of both, removed when the command ends."""
    import shutil

    store = Store(f"sqlite:///{tmp_path / 'live.db'}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    store.write_run(experiment_id, store.scenario_ids(experiment_id)[0], 0, 11, OUTCOME)
    folder = tmp_path / "shared"
    folder.mkdir()
    for name in ("live.db", "live.db-wal"):  # as a killed command left them: the connection still open
        shutil.copyfile(tmp_path / name, folder / name)
    store.engine.dispose()
    assert (folder / "live.db-wal").stat().st_size > 0
    _read_only(folder, monkeypatch)
    try:
        assert main(["export", "--db", f"sqlite:///{folder / 'live.db'}", "--out", str(tmp_path / "out")]) == 0
    finally:
        folder.chmod(0o755)
    assert "from a copy made with its write-ahead log" in capsys.readouterr().err
    assert (tmp_path / "out" / "trajectories.csv").is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["live.db", "live.db-wal"]


def test_the_file_of_a_sqlite_url():
    from pathlib import Path

    from twin.database_url import sqlite_path

    assert sqlite_path("sqlite:///results/twin.db") == Path("results/twin.db")
    assert sqlite_path("sqlite:////abs/t.db?timeout=30") == Path("/abs/t.db")
    assert sqlite_path("sqlite:///file:/abs/t.db?mode=ro&uri=true") == Path("/abs/t.db")
    assert sqlite_path("sqlite:///:memory:") is None and sqlite_path("postgresql://u@h/db") is None
    # percent-escapes decoded, as SQLAlchemy reads the URL (its folder was made with '%20' in its name)
    assert sqlite_path("sqlite:////tmp/a%20b/x%C3%A9.db") == Path("/tmp/a b/xé.db")


@pytest.mark.parametrize("url, memory", [("sqlite://", True), ("sqlite:///:memory:", True),
                                         ("sqlite:///{tmp}/t.db", False),
                                         ("sqlite:///file:{tmp}/t.db?mode=rwc&uri=true", False)])
def test_a_database_in_memory_is_said_to_keep_nothing(tmp_path, capsys, url, memory):
    """A sweep into `--db sqlite://` ran, then printed 'Next: twin analyse ... --db sqlite://', which
    found no results: nothing said the database would be gone."""
    from twin.database_url import in_memory

    url = url.format(tmp=tmp_path)
    assert in_memory(url) is memory and in_memory("sqlite:///file:m?mode=memory&uri=true")
    Store(url)
    said = "is a database in memory: nothing stored in it outlives this command" in capsys.readouterr().err
    assert said is memory


def test_a_sqlite_url_with_percent_escapes_is_one_database_for_every_command(tmp_path):
    """A URL with '%20' for a space: the comparison made a stray folder named with '%20' and used
    the decoded one, and the export refused it ('no such database file')."""
    from urllib.parse import quote

    folder = tmp_path / "db dir é"
    url = f"sqlite:///{quote(str(folder / 'runs é.db'))}"
    store = Store(url)
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    store.write_run(experiment_id, store.scenario_ids(experiment_id)[0], 0, 11, OUTCOME)
    store.engine.dispose()
    assert (folder / "runs é.db").is_file() and [p.name for p in tmp_path.iterdir()] == ["db dir é"]
    assert main(["export", "--db", url, "--out", str(tmp_path / "out")]) == 0


def test_a_comparison_of_fewer_replicates_reads_only_theirs_from_the_database(tmp_path):
    """A report of the first replicates of a large experiment read every stored run's rows and
    then dropped the others: past a few thousand runs it ran out of memory whatever --reps said."""
    store = Store(f"sqlite:///{tmp_path / 'many.db'}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    scenario_id = store.scenario_ids(experiment_id)[0]
    for replicate in range(4):
        store.write_run(experiment_id, scenario_id, replicate, 11 + replicate, OUTCOME)
    ids = store.runs_frame(experiment_id).set_index("replicate")["run_id"]
    for read in (store.trajectories_frame, store.area_frame, store.summaries_frame):
        assert set(read(experiment_id, 2)["run_id"]) == {ids[0], ids[1]}
        assert set(read(experiment_id)["run_id"]) == set(ids)


def test_stored_rows_are_read_in_design_order_whatever_order_the_runs_finished_in(tmp_path):
    """The long tables (and so the export's trajectories.csv and area_results.csv, and the report's
    sums over replicates) came in the order runs were stored: another order with other workers."""
    rows = [{"name": name, "spec_hash": name[0] * 16, "resolved": {}} for name in ("baseline", "option")]
    outcome = dict(OUTCOME, trajectories=[(step, metric, 1.0) for step in (2, 1) for metric in ("b", "a")],
                   area_results=[(1, "Kent", "b", 1.0), (1, "Essex", "a", 2.0)], summary={"y": 1.0, "x": 2.0})
    orders = []
    for name, finished in (("first", [(1, 2), (0, 1), (1, 0), (0, 0)]), ("second", [(0, 0), (0, 1), (1, 0), (1, 2)])):
        store = Store(f"sqlite:///{tmp_path / name}.db")
        experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", rows, {})
        ids = store.scenario_ids(experiment_id)
        for position, replicate in finished:
            store.write_run(experiment_id, ids[position], replicate, 11 + replicate, outcome)
        runs = store.runs_frame(experiment_id).set_index("run_id")
        read = [frame.assign(run=[tuple(runs.loc[r, ["position", "replicate"]]) for r in frame.pop("run_id")])
                for frame in (store.trajectories_frame(experiment_id), store.area_frame(experiment_id),
                              store.summaries_frame(experiment_id))]
        assert list(dict.fromkeys(read[0]["run"])) == [(0, 0), (0, 1), (1, 0), (1, 2)]
        assert list(read[0].loc[read[0]["run"] == (0, 0), "metric"]) == ["a", "b", "a", "b"]
        assert list(read[1]["area"][:2]) == ["Essex", "Kent"] and list(read[2]["metric"][:2]) == ["x", "y"]
        orders.append(read)
        store.engine.dispose()
    for one, other in zip(*orders):
        pd.testing.assert_frame_equal(one, other)


def test_running_out_of_memory_says_what_is_kept_and_what_helps():
    """Reading a very large experiment's runs ran out of memory with advice only for model runs."""
    from twin.errors import environment_error

    said = environment_error(MemoryError("Unable to allocate 4.0 GiB"))
    assert said.startswith("out of memory (Unable to allocate 4.0 GiB): runs already stored are kept;")
    assert "use fewer --workers" in said and "a smaller --reps reports its first replicates" in said


def test_a_full_disk_under_the_database_says_what_is_kept_and_what_to_do(tmp_path):
    """SQLite's own 'database or disk is full' (its page limit reached here, as a full disk does) was
    shown with no advice."""
    from twin.errors import environment_error

    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = sa.create_engine(url)
    with pytest.raises(sa.exc.OperationalError) as caught:
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA max_page_count = 3")
            connection.exec_driver_sql("CREATE TABLE t (x BLOB)")
            connection.exec_driver_sql("INSERT INTO t VALUES (?)", (b"x" * 100_000,))
    engine.dispose()
    said = environment_error(caught.value, url)
    assert said.startswith(f"database error ({url}): database or disk is full; the disk that holds it is full: the "
                           f"runs stored before are kept;") and "run the same command again" in said
    # the write-ahead log holds stored runs: a copy of the file alone reads as damaged and loses them
    assert f"(with the file {Path(url.split('///')[1]).name}-wal beside it, which holds runs too)" in said
    assert "-wal" not in environment_error(caught.value, "postgresql://u@h/db")


def test_a_file_given_as_the_database_says_how_to_write_it_as_a_url():
    with pytest.raises(UserError, match=r"--db 'out/t.db': not a usable SQLAlchemy URL .*; a file is given as "
                                        r"sqlite:///out/t.db"):
        Store("out/t.db")
    # postgres:// (as some services write it), and a kind of database SQLAlchemy has no dialect for
    with pytest.raises(UserError, match=r"; a PostgreSQL URL begins postgresql:// \(postgresql://u:\*\*\*@h/db\)$"):
        Store("postgres://u:secret@h/db")
    with pytest.raises(UserError, match=r"'nosuchdb' is no database kind SQLAlchemy knows: expected sqlite:///FILE"):
        Store("nosuchdb://h/db")


def test_a_database_that_is_not_a_url_is_refused_before_a_sweeps_design_is_checked(monkeypatch, capsys):
    """The sweep checked every design point first (minutes for a large design), then refused the URL."""
    import twin.sweep
    from twin.cli import main

    def never(*args):
        raise AssertionError("the design was checked first")

    monkeypatch.setattr(twin.sweep, "load_experiment", never)
    for command in (["sweep", "experiments/robustness.toml"], ["export"], ["analyse", "experiments/robustness.toml"]):
        assert main([*command, "--db", "out/t.db"]) == 2
        assert capsys.readouterr().err.startswith("twin: error: --db 'out/t.db': not a usable SQLAlchemy URL (")


def test_a_sqlite_uri_filename_written_without_uri_true_is_refused_saying_how_to_write_it(tmp_path, capsys):
    """`file:` paths and SQLite's URI options without uri=true (which the driver ignores, after a raw warning)
    gave 'cannot connect (unable to open database file)'; with uri=true but no `file:`, the options became part
    of the file's name, a new empty database made beside the one meant."""
    from twin.cli import main

    path = tmp_path / "t.db"
    Store(f"sqlite:///{path}").engine.dispose()
    for url, said in ((f"sqlite:///file:{path}?mode=ro", "the SQLite option mode is read only with uri=true in the "
                       "URL too (without it the driver ignores it): add &uri=true"),
                      (f"sqlite:///{path}?mode=ro&immutable=1", "the SQLite options immutable, mode are read only "
                       "with uri=true in the URL too (without it the driver ignores them): add &uri=true"),
                      (f"sqlite:///file:{path}", "a file: path is read as a SQLite URI filename only with uri=true "
                       "in the URL too (without it, it names a file called 'file:...'): add ?uri=true"),
                      (f"sqlite:///{path}?cache=shared&uri=true", "with uri=true and SQLite options the file is "
                       f"written as a URI filename, file:PATH (sqlite:///file:{path}?cache=shared&uri=true)")):
        assert main(["export", "--list", "--db", url]) == 2
        assert capsys.readouterr().err == f"twin: error: --db '{url}': {said}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.db"]  # (its -wal and -shm gone with its engine)
    assert main(["export", "--list", "--db", f"sqlite:///file:{path}?mode=ro&uri=true"]) == 0


def test_a_database_read_only_by_its_url_or_its_permissions_refuses_runs_before_they_start(tmp_path, monkeypatch):
    """Only a database in an unwritable folder was known to be read-only: one opened with mode=ro, or a
    file without write permission, ran its first run and then failed to store it."""
    path = tmp_path / "kept.db"
    store = Store(f"sqlite:///{path}")
    store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    store.engine.dispose()
    assert not store.read_only
    by_url = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(UserError, match=r"1 run\(s\) to do, and the database can only be read \(its URL opens it "
                                        r"to reading only: mode=ro or immutable=1\)"):  # not blamed on its folder
        by_url.check_can_store(1)
    real_access = os.access  # (as root, permissions stop no write: said by os.access, as for another user)
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK and str(p) == str(path)
                        else real_access(p, mode))
    assert Store(f"sqlite:///{path}").read_only == "the file cannot be written to"


def test_a_read_only_folder_whose_name_holds_a_hash_is_read_not_replaced_by_a_new_file(tmp_path, monkeypatch):
    """SQLite reads '#' in a URI itself: the read-only URI named a new, empty database before '#'."""
    folder = tmp_path / "hash#x"
    folder.mkdir()
    path = folder / "x.db"
    store = Store(f"sqlite:///{path}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    store.engine.dispose()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK and str(p) == str(folder)
                        else real_access(p, mode))
    reading = Store(f"sqlite:///{path}")
    assert reading.read_only and reading.experiment_by_hash("e" * 32) == experiment_id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hash#x"]


def test_the_url_hint_is_given_for_a_path_only():
    for given in ("sqlite:/x.db", "sqlite:x.db"):
        with pytest.raises(UserError) as error:
            Store(given)
        assert "a file is given as" not in str(error.value)


def test_a_kept_run_file_that_is_not_one_is_left_with_a_warning_and_stops_nothing(tmp_path, capsys):
    """A file in the kept-runs folder shaped like a run but not one (no trajectories) stopped every
    command on the database with a KeyError; files an earlier version kept (named by row numbers, which
    cannot be told from another experiment's, or pickles) are said, not read."""
    store = Store(f"sqlite:///{tmp_path / 'k.db'}")
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    folder = store.kept_folder()
    folder.mkdir(parents=True)
    shaped = folder / f"{'e' * 32}-0-0.json"
    shaped.write_text(f'["{"e" * 32}", [0, "{"b" * 16}"], 0, 7, {{"status": "done"}}]')
    (folder / f"{experiment_id}-1-0.json").write_text(f'[{experiment_id}, 1, 0, 7, {{"status": "done"}}]')
    (folder / f"{experiment_id}-1-1.pickle").write_bytes(b"not read")
    assert store.done_runs(experiment_id) == set()
    err = capsys.readouterr().err
    assert f"Warning: {shaped}: not a finished run this program kept for this experiment (KeyError" in err
    assert f"runs kept by an earlier version of this program (named {experiment_id}-...) are not read" in err
    assert len(list(folder.iterdir())) == 3


def test_a_run_kept_for_an_experiment_of_a_database_made_anew_is_not_stored_into_another(tmp_path, monkeypatch):
    """A run kept while a database was locked, the database then deleted and made anew at the same path:
    its kept files were named by row numbers, which there name another experiment, and were stored into
    it (seeds and results of another scenario). They are now known by their experiment's and scenario's
    hashes: another experiment leaves them, and the same experiment made anew takes them back."""
    monkeypatch.setattr(store_module, "SQLITE_WAIT_S", 0.2)
    path = tmp_path / "anew.db"
    store = Store(f"sqlite:///{path}")
    rows = [{"name": "baseline", "spec_hash": "b" * 16, "resolved": {}}, {"name": "opt", "spec_hash": "c" * 16,
                                                                           "resolved": {}}]
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", rows, {})
    option = store.scenario_ids(experiment_id)[1]
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    store.stopping = True
    try:
        assert store.write_run(experiment_id, option, 0, 11, OUTCOME)
    finally:
        other.rollback()
        other.close()
    assert len(store.kept) == 1
    store.engine.dispose()
    path.unlink()
    anew = Store(f"sqlite:///{path}")
    another = anew.experiment("f" * 32, "another", {}, 7, "compare", rows, {})  # the same row numbers
    assert another == experiment_id and anew.done_runs(another) == set() and anew.runs_frame(another).empty
    same = anew.experiment("e" * 32, "one", {}, 1, "compare", rows, {})  # its scenarios in other rows now
    assert same != experiment_id
    assert anew.done_runs(same) == {(anew.scenario_ids(same)[1], 0)}  # stored into its own scenario
    assert anew.runs_frame(same).seed.tolist() == [11]
    assert not anew.kept_folder().exists()


def _take_kept_runs(url, barrier, experiment_id, answers):
    try:
        store = Store(url)
        barrier.wait()
        answers.put(("ok", len(store.done_runs(experiment_id))))
    except BaseException as exc:  # reported to the test, which fails on it
        answers.put(("error", f"{type(exc).__name__}: {exc}"))


def test_commands_starting_together_store_the_kept_runs_once_without_a_word(tmp_path, capfd):
    """Runs kept in files while the database was locked are taken back by every command that
    starts on the experiment: parts of a sweep started together each stored the files, and removed
    them, under the others' feet (3 of 4 commands stopped on a file another had removed, and one read
    after its removal was warned of as 'not a finished run'). Each run is stored once, every
    command goes on, nothing is said, and the folder goes."""
    from twin.kept_runs import keep_in_file

    url = f"sqlite:///{tmp_path / 'kept.db'}"
    store = Store(url)
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    scenario_id = store.scenario_ids(experiment_id)[0]
    key = store.experiment_key(experiment_id)
    for replicate in range(150):
        keep_in_file(store.kept_folder(), key, (scenario_id, replicate, 11, OUTCOME))
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_take_kept_runs, args=(url, barrier, experiment_id, answers))
                 for _ in range(4)]
    for process in processes:
        process.start()
    results = [answers.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [r for r in results if r[0] == "error"] == []
    assert max(r[1] for r in results) == 150
    assert "Warning" not in capfd.readouterr().err
    assert len(store.runs_frame(experiment_id)) == 150
    assert not store.kept_folder().exists()


def test_two_writers_of_one_file_at_once_each_write_a_whole_file(tmp_path):
    """Two commands writing one file at the same moment (parts of a sweep writing its results
    table as they end) shared one temporary name: the file left mixed both, and one command
    stopped on the other's renaming. Each now writes under its own name; the file is one of them."""
    from twin.staging import write_whole

    path = tmp_path / "table.csv"
    texts = {k: f"{k}\n" * 200_000 for k in "ab"}
    errors = []

    def writer(k):
        try:
            write_whole(path, lambda partial: partial.write_text(texts[k]))
        except BaseException as exc:  # reported below
            errors.append(exc)
    threads = [threading.Thread(target=writer, args=(k,)) for k in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert path.read_text() in texts.values()
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def _new_role(connection, role: str, password: str) -> None:
    """A login role of that name made anew (one a test left behind dropped first)."""
    if connection.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").first():
        connection.exec_driver_sql(f"DROP OWNED BY {role}")
        connection.exec_driver_sql(f"DROP ROLE {role}")
    connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")


def _as_role(url: str, role: str, password: str) -> str:
    """The server's URL `url` (its schema kept) logging in as `role`."""
    parts = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://"))
    return parts.set(username=role, password=password).render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://")


@contextlib.contextmanager
def _reading_role(schema: str, role: str, grant: str, setting: str = ""):
    """A database schema holding one experiment (its id and one finished run), and the URL of a role
    granted `grant` on its tables (and `setting`, an ALTER ROLE ... SET), dropped afterwards."""
    url = _postgres_schema_url(schema)
    writer = Store(url)
    experiment_id = writer.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    assert writer.write_run(experiment_id, writer.scenario_ids(experiment_id)[0], 0, 11, OUTCOME)
    writer.engine.dispose()
    admin = sa.create_engine(postgres_url().replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        _new_role(connection, role, "reader")
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        connection.exec_driver_sql(f"GRANT {grant} ON ALL TABLES IN SCHEMA {schema} TO {role}")
        if setting:
            connection.exec_driver_sql(f"ALTER ROLE {role} SET {setting}")
    try:
        yield url, experiment_id, _as_role(url, role, "reader")
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


@pytest.mark.parametrize("grant,setting,refusal", [
    ("SELECT", "", "permission denied"),  # a role without the privilege (SQLSTATE 42501)
    ("ALL", "default_transaction_read_only = on", "read-only transaction"),  # or a standby (25006)
])
def test_a_postgresql_role_that_may_only_read_reports_its_stored_runs_and_refuses_new_ones(grant, setting, refusal):
    """A comparison run again, to report from its stored runs, by a role granted reading only stopped
    with a traceback (PostgreSQL's refusals are not SQLite's 'readonly'), as did one whose transactions
    are read-only. Now its stored runs read as from a read-only file, runs to do are refused before
    they start, and a new experiment is a one-line error saying what to do."""
    from twin.errors import environment_error

    apart = "select" if grant == "SELECT" else "readonly"  # a schema and role of each case's own: tests run at once
    with _reading_role(f"store_reader_{apart}", f"twin_test_reader_{apart}", grant, setting) as (url, experiment_id,
                                                                                                 reader_url):
        reader = Store(reader_url, create=False)
        assert reader.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {}) == experiment_id
        assert reader.read_only and len(reader.runs_frame(experiment_id)) == 1
        with pytest.raises(UserError, match="1 run.s. to do, and the database can only be read .the database role "
                                            "given may not write to it.; give a role that may write"):
            reader.check_can_store(1)
        reader.engine.dispose()
        anew = Store(reader_url, create=False)  # not known to be read-only until a new experiment's write
        with pytest.raises(UserError, match="a new experiment to store, and the database can only be read .the "
                                            "database role given may not write to it.; give a role that may write"):
            anew.experiment("f" * 32, "two", {}, 1, "compare", SCENARIO_ROWS, {})  # (a raw database error, exit 1)
        anew.engine.dispose()
        with sa.create_engine(reader_url.replace("postgresql://", "postgresql+psycopg://")).connect() as connection:
            with pytest.raises(sa.exc.DBAPIError) as refused:  # the database's own refusal, said in one line
                connection.execute(sa.text("INSERT INTO experiments (spec_hash) VALUES ('x')"))
        said = environment_error(refused.value, db=url)
        assert said and refusal in said and "may not write to it" in said and "\n" not in said


def test_a_postgresql_database_made_read_only_under_a_command_keeps_its_finished_runs(tmp_path, monkeypatch):
    """A server turned read-only while a command ran (a failover to a standby) lost the run being stored
    and those in flight, blaming the role. Now the run is kept in a file, the command stops as for any
    database failure, and the next command stores it."""
    from twin.errors import DatabaseFailed

    monkeypatch.chdir(tmp_path)  # (a server's kept runs wait under results/)
    schema, role = "store_failover", "twin_test_failover"
    url = _postgres_schema_url(schema)
    admin = sa.create_engine(postgres_url().replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        _new_role(connection, role, "writer")
        connection.exec_driver_sql(f"GRANT ALL ON SCHEMA {schema} TO {role}")
    own = _as_role(url, role, "writer")
    try:
        store = Store(own)
        experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
        scenario_id = store.scenario_ids(experiment_id)[0]
        assert store.write_run(experiment_id, scenario_id, 0, 11, OUTCOME)
        with admin.begin() as connection:  # read-only from now on, its sessions ended (as a failover does)
            connection.exec_driver_sql(f"ALTER ROLE {role} SET default_transaction_read_only = on")
            connection.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       f"WHERE usename = '{role}'")
        with pytest.raises(DatabaseFailed, match="read-only transaction.*1 finished run.s. are kept in") as stopped:
            store.write_run(experiment_id, scenario_id, 1, 12, OUTCOME)
        # a server's runs wait under results/ where the command ran: said in full, and where to run again
        assert f"kept in {store.kept_folder().resolve()} and" in str(stopped.value)
        assert str(store.kept_folder().resolve()).startswith(str(tmp_path.resolve()))
        assert "run the same command again from this folder (once it works again)" in str(stopped.value)
        assert len(store.kept) == 1 and store.kept[0].is_file()
        store.engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"ALTER ROLE {role} RESET default_transaction_read_only")
        later = Store(own)
        assert later.done_runs(experiment_id) == {(scenario_id, 0), (scenario_id, 1)}
        later.engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_a_postgresql_connection_closed_under_a_command_is_replaced_not_fatal():
    """A server's connections closed while a command runs (a restart, a failover, an idle timeout
    of a proxy) stopped the command at its next run stored. Pooled connections are checked when
    taken, and a write whose connection is lost is tried again on a new one."""
    url = _postgres_schema_url("store_reconnect")
    store = Store(url)
    experiment_id = store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {})
    scenario_id = store.scenario_ids(experiment_id)[0]
    assert store.write_run(experiment_id, scenario_id, 0, 11, OUTCOME)
    with store.engine.connect() as connection:  # the pool's one connection (only this store's is closed:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()  # other tests use the server)
    assert store.engine.pool.checkedin() == 1
    admin = sa.create_engine(postgres_url().replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
    admin.dispose()
    assert store.write_run(experiment_id, scenario_id, 1, 11, OUTCOME)
    assert sorted(store.runs_frame(experiment_id).replicate) == [0, 1]
    store.engine.dispose()


def _command_using(url, opened, failed, answers):
    try:
        store = Store(url)
        opened.set()
        failed.wait(30)  # the other command has failed meanwhile
        answers.put(store.experiment("e" * 32, "one", {}, 1, "compare", SCENARIO_ROWS, {}))
    except BaseException as exc:  # reported to the test, which fails on it
        answers.put(f"{type(exc).__name__}: {exc}")


def test_a_new_database_another_command_uses_is_not_removed_by_one_failing(tmp_path):
    """A command that makes a SQLite file and fails before storing anything removes the file; one
    started meanwhile on the same file went on writing into the removed file, and all it stored was
    lost when it ended. The file is now removed only when no other command holds it; with none,
    it still is."""
    from twin.database_url import made_for_nothing_removed

    path = tmp_path / "new.db"
    url = f"sqlite:///{path}"
    context = multiprocessing.get_context("fork")
    opened, failed, answers = context.Event(), context.Event(), context.Queue()
    with pytest.raises(UserError):
        with made_for_nothing_removed(url):
            Store(url)
            other = context.Process(target=_command_using, args=(url, opened, failed, answers))
            other.start()
            assert opened.wait(30)
            raise UserError("a mistake found once the database was open")
    failed.set()
    stored = answers.get(timeout=60)
    other.join(timeout=30)
    assert isinstance(stored, int), stored
    assert path.is_file() and Store(url).experiment_by_hash("e" * 32) == stored
    alone = tmp_path / "alone.db"
    with pytest.raises(UserError):
        with made_for_nothing_removed(f"sqlite:///{alone}"):
            Store(f"sqlite:///{alone}")
            raise UserError("a mistake")
    assert not alone.exists()


def test_a_file_written_whole_has_the_mode_a_plain_write_gives(tmp_path):
    """The temporary file of a whole write had mkstemp's mode (owner only), which the results kept."""
    from twin.staging import write_whole

    umask = os.umask(0o022)
    os.umask(umask)
    write_whole(tmp_path / "t.csv", lambda partial: partial.write_text("a"))
    assert (tmp_path / "t.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_whole_write_removes_what_a_killed_writer_left_long_ago(tmp_path):
    """Each whole write has a temporary file of its own: one a command killed outright left would stay
    for ever (and keep a folder of kept runs from going). Those over a day old go at the next write of
    the file; a write under way (a fresh one) is left."""
    from twin.staging import ABANDONED_AFTER_S, write_whole

    stale, fresh = tmp_path / "t.csv.0a1b2c.writing", tmp_path / "t.csv.3d4e5f.writing"
    for partial in (stale, fresh):
        partial.write_text("half")
    old = stale.stat().st_mtime - ABANDONED_AFTER_S - 60
    os.utime(stale, (old, old))
    write_whole(tmp_path / "t.csv", lambda partial: partial.write_text("a"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", fresh.name]


def test_a_read_only_url_of_a_missing_file_makes_no_file(tmp_path):
    """The lock a Store holds on its SQLite file made the file of a read-only URL that named none."""
    missing = tmp_path / "none.db"
    with pytest.raises(Exception):
        Store(f"sqlite:///file:{missing}?mode=ro&uri=true")
    assert not missing.exists()


def _wait_for(started, event):
    started.set()
    event.wait(30)


def test_a_worker_forked_from_a_command_does_not_hold_its_database(tmp_path):
    """Workers forked while a Store was open held its lock too: a command failing then left its own
    empty database, 'held by another command' (its worker)."""
    from twin.database_url import made_for_nothing_removed

    path = tmp_path / "forked.db"
    context = multiprocessing.get_context("fork")
    started, done = context.Event(), context.Event()
    with pytest.raises(UserError):
        with made_for_nothing_removed(f"sqlite:///{path}"):
            store = Store(f"sqlite:///{path}")  # open while the worker starts, as a command's is
            worker = context.Process(target=_wait_for, args=(started, done))
            worker.start()
            assert started.wait(30)
            raise UserError("a mistake")
    assert not path.exists() and store.url
    done.set()
    worker.join(timeout=30)


def test_tables_altered_from_the_twins_are_refused(tmp_path):
    """The schema check read column names only: a runs table without its unique (scenario, replicate)
    key stored every run twice when two commands ran at once, and results columns made REAL on
    PostgreSQL rounded every stored number to about 7 digits, each without a word."""
    path = tmp_path / "altered.db"
    Store(f"sqlite:///{path}").engine.dispose()
    connection = sqlite3.connect(path)
    columns = ", ".join(row[1] for row in connection.execute("PRAGMA table_info(runs)"))
    connection.executescript("CREATE TABLE runs_copy AS SELECT * FROM runs; DROP TABLE runs; "
                             "ALTER TABLE runs_copy RENAME TO runs;")  # the same columns, no unique key
    assert ", ".join(row[1] for row in connection.execute("PRAGMA table_info(runs)")) == columns
    connection.close()
    with pytest.raises(UserError, match=r"its table 'runs' has no unique key on \(scenario_id, replicate\)"):
        Store(f"sqlite:///{path}")


def test_results_columns_of_single_precision_are_refused_on_postgresql():
    url = _postgres_schema_url("store_real")
    Store(url).engine.dispose()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE run_summaries ALTER COLUMN value TYPE real")
    engine.dispose()
    with pytest.raises(UserError, match=r"its table 'run_summaries' keeps value in single precision \(REAL"):
        Store(url)
