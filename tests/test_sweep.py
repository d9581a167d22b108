"""Sweeps: design, resumability, and identical results in process, in a local pool and on a Dask
cluster (a real LocalCluster of worker processes on loopback), including when a worker dies."""

import html
import json
import os
import re
import shlex
import threading
import time
import tomllib
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from twin.errors import ScenarioError
from twin.executor import LocalExecutor, SerialExecutor
from twin.executor_dask import DaskExecutor
from twin.store import Store
from twin.sweep import design, load_experiment, point_scenario, run_sweep
from twin.sweep_reading import sweep_results

from worker_tasks import sleep_then_square, square_noting, dies_on_two, exit_worker, sigterm_handler
from conftest import (QUICK_BASELINE, QUICK_CHB_PILOT, ROOT, TINY_SWEEP, fail_store_writes, interrupt_store_write,
                      need, process_running, write)


TINY = TINY_SWEEP


def _experiment(tmp_path, reps=1):
    """TINY with an uncertainty, `reps` paired replications and its own seed."""
    body = TINY.replace("years = 1\n", f"years = 1\nreps = {reps}\nseed = 4\n").replace(
        "[[lever]]", "[[uncertainty]]\nname = \"recruitment_fill_rate_per_month\"\nlow = 0.05\nhigh = 0.3\n[[lever]]")
    return load_experiment(write(tmp_path / "exp.toml", body))


def _outcomes(store, experiment_id):
    table = sweep_results(store, experiment_id)
    return table[["point", "replicate", "seed", "harm"]].sort_values(["point", "replicate"]).reset_index(drop=True)


def test_an_outcome_added_to_the_file_is_read_off_the_stored_runs_without_running_them(tmp_path):
    """Each run keeps its yearly UK totals: a UK outcome added (or changed) later is the same sweep, no run
    runs again, and its values are those a run would give; an outcome of one area still needs its runs."""
    from twin.calibration import FitTask, simulate_targets
    from twin.sweep import find_sweep, point_scenario

    config = _experiment(tmp_path)
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    first = run_sweep(config, store, SerialExecutor(), progress=False)
    extra = ('[[outcome]]\nname = "arrests_a_month"\nmetric = "arrests"\nyears = [1, 1]\naggregation = "mean"\n'
             'better = "higher"\n[[outcome]]\nname = "conviction_rate"\nmetric = "convictions"\nratio_of = "charges"\n'
             'years = [1, 1]\naggregation = "ratio"\nbetter = "higher"\n')
    more = load_experiment(write(tmp_path / "more.toml", (tmp_path / "exp.toml").read_text() + extra))
    assert find_sweep(more, store) == first["experiment_id"]
    again = run_sweep(more, store, SerialExecutor(), progress=False)
    assert again["ran"] == 0 and again["experiment_id"] == first["experiment_id"]
    table = sweep_results(store, first["experiment_id"], outcomes=more["outcomes"])
    assert table[["harm", "arrests_a_month", "conviction_rate"]].notna().all().all()
    # as a run of the first point reads them off its steps (the same sums, taken year by year)
    row = table.iloc[0]
    names = [c for c in design(more).columns if c not in ("sample", "policy")]
    point = design(more).iloc[int(row["position"])].to_dict()
    direct = simulate_targets(FitTask(point_scenario(more["base"], point, names), int(row["seed"]), (),
                                      tuple(more["outcomes"])))
    for name in ("harm", "arrests_a_month", "conviction_rate"):
        assert row[name] == pytest.approx(direct[name], rel=1e-12), name
    # an outcome of one area is another sweep: its runs run
    local = load_experiment(write(tmp_path / "local.toml", (tmp_path / "exp.toml").read_text()
                                  + extra.replace('name = "arrests_a_month"', 'name = "arrests_a_month"\narea = "Merseyside"')))
    assert find_sweep(local, store) is None


def test_an_outcome_for_a_region_or_nation_totals_its_areas(tmp_path):
    """A sweep outcome may name a region or a nation, as a calibration target may: it reads the total
    of the areas the areas file puts in it, here checked against outcomes of those areas one by one."""
    from twin.geography import load_geography
    from twin.targets import target_groups

    groups = target_groups(load_geography(None))
    north_west, wales = groups["region"]["North West"], groups["nation"]["Wales"]
    each = "".join(f'[[outcome]]\nname = "arrests_{k}"\nmetric = "arrests"\nyears = [1, 1]\n'
                   f'aggregation = "annual_sum"\nbetter = "higher"\narea = "{area}"\n'
                   for k, area in enumerate(north_west + wales))
    whole = ('[[outcome]]\nname = "arrests_nw"\nmetric = "arrests"\nyears = [1, 1]\naggregation = "annual_sum"\n'
             'better = "higher"\nregion = "north west"\n[[outcome]]\nname = "arrests_wales"\nmetric = "arrests"\n'
             'years = [1, 1]\naggregation = "annual_sum"\nbetter = "higher"\nnation = "Wales"\n')
    config = load_experiment(write(tmp_path / "regions.toml", TINY.replace("size = 2", "size = 1") + each + whole))
    assert [o.area for o in config["outcomes"][-2:]] == ["North West (region)", "Wales (nation)"]
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    outcome = run_sweep(config, store, SerialExecutor(), progress=False)
    table = sweep_results(store, outcome["experiment_id"], outcomes=config["outcomes"])
    parts = [f"arrests_{k}" for k in range(len(north_west) + len(wales))]
    assert (table["arrests_nw"] > 0).all() and (table["arrests_wales"] > 0).all()
    assert np.allclose(table["arrests_nw"], table[parts[:len(north_west)]].sum(axis=1), rtol=1e-12)
    assert np.allclose(table["arrests_wales"], table[parts[len(north_west):]].sum(axis=1), rtol=1e-12)


def test_design_crosses_samples_with_policies_and_pairs_seeds(tmp_path):
    config = _experiment(tmp_path, reps=2)
    points = design(config)
    assert len(points) == 4 and set(points["policy"]) == {0, 1}
    assert points.groupby("sample")["recruitment_fill_rate_per_month"].nunique().eq(1).all()
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    outcome = run_sweep(config, store, SerialExecutor(), progress=False)
    table = sweep_results(store, outcome["experiment_id"])
    seeds = table.groupby(["sample", "replicate"])["seed"].nunique()
    assert seeds.eq(1).all(), "policies of one sample and replicate share their seed"
    assert list(table.columns[-3:]) == ["run_id", "setup_s", "run_s"]  # what differs between two runs, last
    assert outcome["ran"] == 8 and outcome["reused"] == 0
    again = run_sweep(config, store, SerialExecutor(), progress=False)
    assert again["ran"] == 0 and again["reused"] == 8 and again["experiment_id"] == outcome["experiment_id"]


def test_whole_number_uncertainties_are_recorded_as_run(tmp_path):
    """A whole-number parameter sampled from a range runs rounded, and the design records the
    rounded value the run used, so that the analysis reads what was run."""
    body = TINY.replace("[[lever]]", "[[uncertainty]]\nname = \"enablers_technical\"\nlow = 10\nhigh = 100\n[[lever]]")
    config = load_experiment(write(tmp_path / "whole.toml", body))
    values = design(config)["enablers_technical"]
    assert (values == np.round(values)).all() and values.nunique() > 1
    scenario = point_scenario(config["base"], design(config).iloc[0].to_dict(), ["enablers_technical"])
    assert scenario.parameters["enablers_technical"] == values.iloc[0]


def _sweep_stopped(tmp_path, monkeypatch, stop, raised, match=None):
    """A sweep on two local workers in batches of two, stopped by `stop(patch)`'s patch raising `raised`:
    (its configuration, the outcomes of the same sweep run whole, its store)."""
    config = _experiment(tmp_path)
    reference = Store(f"sqlite:///{tmp_path / 'a.db'}")
    full = _outcomes(reference, run_sweep(config, reference, SerialExecutor(), progress=False)["experiment_id"])
    store = Store(f"sqlite:///{tmp_path / 'b.db'}")
    executor = LocalExecutor(2)
    try:
        with monkeypatch.context() as patch, pytest.raises(raised, match=match):
            stop(patch)
            run_sweep(config, store, executor, progress=False, chunk=2)
    finally:
        executor.close()
    return config, full, store


def test_an_interrupted_sweep_stores_the_batch_it_was_storing(tmp_path, monkeypatch):
    """Ctrl-C while the first run of a returned batch of two was being stored: both are stored (the
    rest of a batch was lost before), and running the sweep again gives the uninterrupted results."""
    config, full, store = _sweep_stopped(tmp_path, monkeypatch, lambda patch: interrupt_store_write(patch, at=1),
                                         KeyboardInterrupt)
    stored = len(store.runs_frame(1))
    assert stored >= 2
    executor = LocalExecutor(2)
    try:
        again = run_sweep(config, store, executor, progress=False, chunk=2)
    finally:
        executor.close()
    assert again["ran"] == len(full) - stored and again["reused"] == stored
    pd.testing.assert_frame_equal(_outcomes(store, again["experiment_id"]), full)


def test_a_sweep_whose_database_fails_keeps_the_runs_finished_and_in_flight_in_files(tmp_path, monkeypatch):
    """The database failing under a sweep (here SQLite's I/O error from the third write on) lost the run
    being stored and the batches in flight: they are kept in files and the next command stores them."""
    from twin.errors import DatabaseFailed

    config, full, store = _sweep_stopped(tmp_path, monkeypatch, lambda patch: fail_store_writes(patch, 3),
                                         DatabaseFailed, r"failed storing a run \(disk I/O")
    kept = len(store.kept)
    assert len(store.runs_frame(1)) == 2 and kept >= 2 and len(os.listdir(store.kept_folder())) == kept
    again = run_sweep(config, Store(f"sqlite:///{tmp_path / 'b.db'}"), SerialExecutor(), progress=False)
    assert again["ran"] == len(full) - 2 - kept and again["reused"] == 2 + kept
    pd.testing.assert_frame_equal(_outcomes(store, again["experiment_id"]), full)


def test_batches_hold_whole_groups_that_share_a_spin_up():
    from twin.executor import batches

    tasks = [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("c", 0), ("d", 0), ("d", 1), ("d", 2), ("d", 3),
             ("d", 4)]
    group = lambda task: task[0]  # noqa: E731
    assert batches(tasks, 4) == [tasks[0:4], tasks[4:8], tasks[8:]]  # by position: groups cut
    made = batches(tasks, 4, group)
    assert made == [tasks[0:3], tasks[3:6], tasks[6:8], tasks[8:]]  # 'd' (5 > 4) in near-equal parts
    assert [t for batch in made for t in batch] == tasks  # every task once, in order
    assert batches(tasks, 8, group) == [tasks[0:6], tasks[6:]]
    assert batches([], 3, group) == [] and batches(tasks[:1], 1, group) == [tasks[:1]]
    # a small group after a big one's last part joins it where it fits
    tail = [("d", k) for k in range(5)] + [("e", 0)]
    assert batches(tail, 4, group) == [tail[:2], tail[2:]]


def test_a_sweep_on_several_workers_batches_each_futures_policies_together(tmp_path):
    """A batch took the end of one (sampled future, replicate)'s policies and the start of the next, so
    each worker spun up both: on two workers a sweep made about twice the spin-ups one worker makes."""
    from twin.executor import SerialExecutor, batches

    body = TINY.replace("years = 1\n", "years = 1\nreps = 2\nseed = 4\n").replace("size = 2", "size = 3").replace(
        "values = [0, 2]", "values = [0, 1, 2]").replace(
        "[[lever]]", "[[uncertainty]]\nname = \"recruitment_fill_rate_per_month\"\nlow = 0.05\nhigh = 0.3\n[[lever]]")
    config = load_experiment(write(tmp_path / "three.toml", body))

    class TwoWorkers(SerialExecutor):
        workers = 2

        def run(self, fn, tasks, chunk=1, crashed=None, group=None):
            tasks = list(tasks)
            self.made = batches(tasks, chunk, group)
            return super().run(fn, tasks, chunk, crashed, group)

    executor = TwoWorkers()
    outcome = run_sweep(config, Store(f"sqlite:///{tmp_path / 's.db'}"), executor, progress=False)
    assert outcome["ran"] == 18 and outcome["chunk"] == 3
    points = design(config)
    futures = [{(points["sample"][t.point], t.replicate) for t in batch} for batch in executor.made]
    assert [len(f) for f in futures] == [1] * 6  # one future's policies a batch, each future in one batch
    assert len(set().union(*futures)) == 6 and all(len(batch) == 3 for batch in executor.made)


def test_serial_pool_and_dask_cluster_agree_exactly(tmp_path):
    distributed = need("distributed")
    config = _experiment(tmp_path)
    results = []
    serial = Store(f"sqlite:///{tmp_path / 'a.db'}")
    results.append(_outcomes(serial, run_sweep(config, serial, SerialExecutor(), progress=False)["experiment_id"]))
    pool = Store(f"sqlite:///{tmp_path / 'b.db'}")
    executor = LocalExecutor(2)
    try:
        results.append(_outcomes(pool, run_sweep(config, pool, executor, progress=False)["experiment_id"]))
    finally:
        executor.close()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            store = Store(f"sqlite:///{tmp_path / 'c.db'}")
            results.append(_outcomes(store, run_sweep(config, store, executor, progress=False)["experiment_id"]))
        finally:
            executor.close()
    pd.testing.assert_frame_equal(results[0], results[1])
    pd.testing.assert_frame_equal(results[0], results[2])


def test_a_dask_clusters_runs_at_once_are_its_workers_threads():
    """Batches were sized by the count of workers, so a worker of several threads (dask-jobqueue's
    usual set-up) left threads idle on a small sweep."""
    distributed = need("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=3, processes=False,
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            assert executor.workers == 6
        finally:
            executor.close()


def test_sweep_survives_a_dying_dask_worker(tmp_path):
    """A worker process killed once the first runs are stored, before the sweep ends: the lost
    runs are rescheduled and the table is the serial one."""
    distributed = need("distributed")
    config = _experiment(tmp_path, reps=4)
    reference = Store(f"sqlite:///{tmp_path / 'ref.db'}")
    expected = _outcomes(reference, run_sweep(config, reference, SerialExecutor(), progress=False)["experiment_id"])
    store = Store(f"sqlite:///{tmp_path / 'kill.db'}")
    killed = {}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        client = executor.client

        def kill_one_worker():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # wait for the first stored runs
                experiment = store.latest_experiment()
                if experiment is not None and store.done_runs(experiment):
                    break
                time.sleep(0.05)
            worker = sorted(client.scheduler_info()["workers"])[0]
            try:
                client.run(os._exit, 1, workers=[worker])  # the call itself fails as the worker dies
            except Exception:
                pass
            while time.monotonic() < deadline and worker in client.scheduler_info()["workers"]:
                time.sleep(0.05)
            killed["gone"] = worker not in client.scheduler_info()["workers"]
            killed["runs_stored_when_gone"] = len(store.done_runs(store.latest_experiment()))

        killer = threading.Thread(target=kill_one_worker)
        killer.start()
        try:
            outcome = run_sweep(config, store, executor, progress=False, chunk=1)
        finally:
            killer.join()
            executor.close()
    assert killed["gone"], "the worker was not killed"
    assert killed["runs_stored_when_gone"] < len(expected), "the kill came after the sweep had finished"
    got = _outcomes(store, outcome["experiment_id"])
    assert len(got) == len(expected)
    pd.testing.assert_frame_equal(got, expected)






def test_an_interrupted_dask_run_keeps_the_runs_finished_in_batches_still_running(tmp_path):
    """Ctrl-C while the two running batches hang on their last run: the three runs each finished
    come back from `salvaged` (they were lost with their batch), and closing does not wait for the hung runs."""
    distributed = need("distributed")
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    def interrupt_when_two_hang():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(tmp_path.glob("ran-*"))) < 8:
            time.sleep(0.05)  # (two batches of four started, each now at its hanging last run)
        os.kill(os.getpid(), signal.SIGALRM)

    seen = []
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None) as cluster:
            executor = DaskExecutor(cluster.scheduler_address)
            threading.Thread(target=interrupt_when_two_hang, daemon=True).start()
            with pytest.raises(KeyboardInterrupt):
                for pair in executor.run(square_noting, [(k, str(tmp_path), -1) for k in range(16)], chunk=4):
                    seen.append(pair)
            started = time.perf_counter()
            executor.close()
            assert time.perf_counter() - started < 20  # not the hung runs' minute
    finally:
        signal.signal(signal.SIGALRM, previous)
    running = sorted({int(path.name[4:]) // 4 for path in tmp_path.glob("ran-*")})
    assert len(running) == 2 and seen == []  # no batch came back whole
    finished = [(k, str(tmp_path), -1) for batch in running for k in range(4 * batch, 4 * batch + 3)]
    assert sorted(executor.salvaged()) == [(task, task[0] ** 2) for task in finished]
    assert executor.salvaged() == []


def test_a_frozen_dask_worker_costs_only_its_own_runs_when_the_command_stops(tmp_path, monkeypatch, capsys):
    """One worker stopped (SIGSTOP: it answers nothing) when Ctrl-C comes: the other worker's three
    finished runs come back within the take-back's time limit (asking every worker at once, the
    frozen one held them all back for 30 s)."""
    distributed = need("distributed")
    import signal

    import twin.executor_dask as executor_module

    monkeypatch.setattr(executor_module, "TAKE_BACK_TIMEOUT_S", 2.0)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    frozen = []
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None) as cluster:
            executor = DaskExecutor(cluster.scheduler_address)
            pids = executor.client.run(os.getpid)

            def freeze_one_then_interrupt():
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and len(list(tmp_path.glob("ran-*"))) < 8:
                    time.sleep(0.05)
                frozen.append(max(pids.values()))
                os.kill(frozen[0], signal.SIGSTOP)
                os.kill(os.getpid(), signal.SIGALRM)

            threading.Thread(target=freeze_one_then_interrupt, daemon=True).start()
            try:
                with pytest.raises(KeyboardInterrupt):
                    for _ in executor.run(square_noting, [(k, str(tmp_path), -1) for k in range(16)], chunk=4):
                        pass
                started = time.perf_counter()
                executor.close()
                waited = time.perf_counter() - started
            finally:
                if frozen:
                    os.kill(frozen[0], signal.SIGCONT)
    finally:
        signal.signal(signal.SIGALRM, previous)
    salvaged = sorted(task[0] for task, _ in executor.salvaged())
    assert waited < 6
    assert len(salvaged) == 3 and salvaged[0] % 4 == 0 and salvaged == list(range(salvaged[0], salvaged[0] + 3))
    assert "did not answer within 2 s" in capsys.readouterr().err


def test_a_dask_worker_keeps_the_last_batches_that_returned_whole_for_a_coordinator_that_stopped_as_they_did():
    """A batch returning between the coordinator's look at its state and its asking the worker was
    in neither place; the worker now keeps the last `RETURNED_KEPT` batches whole, and no more."""
    from twin.ensemble import code_hash
    from twin.executor_dask import RETURNED_KEPT, _run_batch_checked, _take_finished

    keys = [f"test-batch-{k}" for k in range(RETURNED_KEPT + 1)]
    for k, key in enumerate(keys):
        assert _run_batch_checked(abs, [-k, -10 * k], code_hash(), key) == [k, 10 * k]
    assert _take_finished(keys) == {key: {0: k, 1: 10 * k} for k, key in enumerate(keys) if k > 0}
    assert _take_finished(keys) == {}  # given up once


def test_runs_already_handed_back_are_stored_before_the_workers_are_stopped():
    """Stopping a Dask cluster's workers takes back their runs, which can take seconds: the runs
    already here are stored first (a batch scheduler's SIGKILL may follow its SIGTERM soon)."""
    from twin.executor import store_salvaged

    written = []

    class Stopping:
        def __init__(self):
            self.ready = [("a", 1), ("b", 2)]

        def salvaged(self):
            pairs, self.ready = self.ready, []
            return pairs

        def close(self):
            self.closed_after = list(written)
            self.ready = [("c", 3)]

    executor = Stopping()
    assert store_salvaged(executor, lambda task, result: written.append(task)) == 3
    assert executor.closed_after == ["a", "b"] and written == ["a", "b", "c"]


def test_a_dask_batch_that_kills_its_worker_hands_over_the_other_batches_finished_runs_first(tmp_path):
    """A batch's run kills its worker while another batch hangs on its last run: the three runs that
    batch finished are handed over (to be stored) before the command stops with `WorkerLost`."""
    distributed = need("distributed")
    import dask

    from twin.executor import WorkerLost

    seen = []
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None) as cluster:
            executor = DaskExecutor(cluster.scheduler_address, retries=0)
            try:
                with pytest.raises(WorkerLost, match="Dask workers died running a batch"):
                    for pair in executor.run(square_noting, [(k, str(tmp_path), 2) for k in range(8)], chunk=4):
                        seen.append(pair)
            finally:
                executor.close()
    assert sorted(seen) == [((k, str(tmp_path), 2), k * k) for k in (4, 5, 6)]




def test_a_dask_run_that_kills_its_workers_is_recorded_as_crashed_and_the_rest_go_on(capsys):
    """A run that kills every worker that takes it (Dask's KilledWorker) stopped the command, and again
    each time it was run: its batch's runs are now tried alone, it is handed over as `crashed`, and
    every other run comes back once."""
    distributed = need("distributed")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None) as cluster:
            executor = DaskExecutor(cluster.scheduler_address, retries=0)
            try:
                seen = list(executor.run(dies_on_two, range(8), chunk=4, crashed=lambda task: "crashed"))
            finally:
                executor.close()
    assert sorted(seen, key=lambda pair: pair[0]) == [(k, "crashed" if k == 2 else k * 10) for k in range(8)]
    assert "Note: a run killed the Dask workers that ran it, alone too" in capsys.readouterr().err


def test_a_dask_run_left_without_workers_says_it_is_waiting_for_them(monkeypatch, capsys):
    """Every worker gone (killed, or the cluster scaled to zero): the batches wait on the scheduler
    for workers to join, which looked like a hang; the run says so, and finishes when one joins."""
    distributed = need("distributed")
    import twin.executor_dask as executor_module

    monkeypatch.setattr(executor_module, "NO_WORKERS_WARNING_S", 1.0)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            results = executor.run(sleep_then_square, list(range(6)))
            first = next(results)  # one batch done: then the only worker goes
            cluster.scale(0)
            time.sleep(3.0)
            err = capsys.readouterr().err
            assert "no Dask worker has been connected" in err
            # and the worker leaving is said (a local pool says so when its worker dies; Dask's went unsaid)
            assert "Note: 1 Dask worker(s) left the cluster (tcp://127.0.0.1:" in err
            cluster.scale(1)
            rest = list(results)
        finally:
            executor.close()
    assert sorted([first, *rest]) == [(k, k * k) for k in range(6)]


def test_dask_workers_running_other_code_are_refused(monkeypatch):
    """A worker started from another checkout (or before an edit) would store its results under
    this process's code: the executor compares the model source hashes first."""
    distributed = need("distributed")
    import twin.ensemble as ensemble_module
    from twin.errors import UserError

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            assert list(executor.run(abs, [-1, -2])) == [(-1, 1), (-2, 2)]  # same code: runs
            monkeypatch.setattr(ensemble_module, "code_hash", lambda: "edited-here")
            with pytest.raises(UserError, match=r"1 of 1 worker\(s\) run other model code .*here edited-here"):
                list(executor.run(abs, [-1]))
            monkeypatch.undo()
            versions = ensemble_module.package_versions()  # other package versions here than the worker's
            monkeypatch.setattr(ensemble_module, "package_versions", lambda: {**versions, "numpy": "0.0-here"})
            with pytest.raises(UserError, match=r"runs other package versions \(numpy [\d.]+ there, 0.0-here here\)"):
                list(executor.run(abs, [-1]))
        finally:
            executor.close()


def test_a_sweep_on_workers_running_other_code_is_refused_before_its_experiment_is_written(tmp_path, monkeypatch,
                                                                                            capsys):
    distributed = need("distributed")
    import twin.ensemble as ensemble_module
    from twin.cli import main

    path = write(tmp_path / "tiny.toml", TINY)
    db = tmp_path / "refused.db"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        monkeypatch.setattr(ensemble_module, "code_hash", lambda: "edited-here")
        assert main(["sweep", str(path), "--cluster", cluster.scheduler_address, "--db", f"sqlite:///{db}",
                     "--out", str(tmp_path / "out")]) == 2
        assert "run other model code" in capsys.readouterr().err
        assert not db.exists() and not (tmp_path / "out").exists()  # nothing written: no experiment, no folder
        # a comparison too, into a database that holds another experiment: none is added
        store = Store(f"sqlite:///{db}")
        run_sweep(load_experiment(path), store, SerialExecutor(), progress=False)
        assert main(["compare", str(QUICK_BASELINE), "--cluster", cluster.scheduler_address, "--db", f"sqlite:///{db}",
                     "--out", str(tmp_path / "compare")]) == 2
        assert "run other model code" in capsys.readouterr().err
        assert store.latest_experiment() == 1  # (the sweep's)


def test_a_batch_on_a_worker_with_other_code_is_refused_and_an_empty_cluster_too(monkeypatch, capsys):
    distributed = need("distributed")
    import twin.executor_dask as executor_module
    from twin.ensemble import code_hash
    from twin.errors import UserError
    from twin.executor_dask import WrongCode, _run_batch_checked

    monkeypatch.setattr(executor_module, "WORKERS_AWAITED_S", 1.0)

    assert _run_batch_checked(abs, [-3], code_hash()) == [3]
    with pytest.raises(WrongCode, match="expected not-this-code"):
        _run_batch_checked(abs, [-3], "not-this-code")
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            with pytest.raises(UserError, match="no workers are connected to the scheduler, none having joined in 1 s"):
                list(executor.run(abs, [-1]))
            assert "waiting up to 1 s for one to join" in capsys.readouterr().err
            # a worker joining while the command waits (a batch job's workers start after it): the run goes on
            monkeypatch.setattr(executor_module, "WORKERS_AWAITED_S", 60.0)
            threading.Timer(2.0, cluster.scale, args=(1,)).start()
            assert list(executor.run(abs, [-1, -2])) == [(-1, 1), (-2, 2)]
        finally:
            executor.close()


def test_a_lost_scheduler_is_said_to_be_lost_and_closing_is_quiet(capfd):
    """The scheduler killed mid-run: the futures come back cancelled, which read as workers dying,
    and closing the reconnecting client then logged tracebacks after the one-line message."""
    distributed = need("distributed")
    from twin.executor import WorkerLost

    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    executor = DaskExecutor(cluster.scheduler_address)
    try:
        results = executor.run(sleep_then_square, list(range(20)))
        next(results)
        cluster.sync(cluster.scheduler.close)
        with pytest.raises(WorkerLost, match="lost the Dask scheduler"):
            list(results)
        # the worker process stopped first: it shares the test's stderr, where its own reconnection
        # tracebacks (the cluster's logs, not the client's this test is about) can land at any moment
        for worker in list(cluster.workers.values()):
            cluster.sync(worker.kill, timeout=2)
        capfd.readouterr()
        executor.close()
        assert "Traceback" not in capfd.readouterr().err
    finally:
        import dask

        # the cluster's own closing asks its closed scheduler to close the workers, waiting out the
        # connection timeout (30 s by default) before it gives up: the test's clean-up, not the client's
        with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
            cluster.close()


def test_closing_after_a_lost_scheduler_quietens_every_distributed_logger():
    """The scheduler killed (kill -9): the client's reconnection logged tracebacks through
    'distributed.client', whose level distributed sets itself, so quietening 'distributed' missed it."""
    need("distributed")
    import logging
    from types import SimpleNamespace

    client_logger = logging.getLogger("distributed.client")
    shown = []
    handler = logging.Handler()
    handler.emit = shown.append  # what reaches distributed's own handlers, without depending on them

    def close(timeout):
        client_logger.error("reconnecting", exc_info=ConnectionRefusedError("[Errno 111] Connection refused"))

    assert client_logger.level  # set by distributed, not inherited from 'distributed'
    before = client_logger.level
    client_logger.addHandler(handler)
    try:
        executor = DaskExecutor.__new__(DaskExecutor)
        executor._ready, executor._open = [], {}  # (nothing in flight to take back)
        executor.client = SimpleNamespace(status="connecting", close=close)
        executor.close()
        assert shown == [] and client_logger.level == before  # quiet, and the level restored
        executor.client = SimpleNamespace(status="running", close=close)  # a live scheduler: its errors are shown
        executor.close()
        assert [r.getMessage() for r in shown] == ["reconnecting"]
    finally:
        client_logger.removeHandler(handler)


def test_a_worker_that_cannot_import_twin_is_named(monkeypatch):
    """A worker started by a Python without twin (another environment) failed the code check with
    the worker's traceback."""
    distributed = need("distributed")
    import twin.executor_dask as executor_module
    from twin.errors import UserError

    def cannot_import():
        raise ModuleNotFoundError("No module named 'twin'")

    monkeypatch.setattr(executor_module, "_worker_code_hash", cannot_import)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,  # workers in this process
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            with pytest.raises(UserError, match=r"the worker at inproc://\S+ cannot import twin "
                                                r"\(ModuleNotFoundError: No module named 'twin'\); start the workers "
                                                r"with `python -m dask worker"):
                executor.check_workers_code()
        finally:
            executor.close()


def test_an_empty_or_malformed_cluster_address_is_refused_at_once():
    """An empty --cluster (an unset variable in a job script) ran the sweep on the local machine;
    a port beyond 65535 waited for the connect timeout."""
    need("distributed")
    from twin.errors import UserError
    from twin.executor import make_executor

    for empty in ("", "  "):
        with pytest.raises(UserError, match="--cluster: expected a scheduler address such as tcp://host:8786, got an "
                                            "empty value"):
            make_executor(None, empty)
    start = time.perf_counter()
    for address, detail in (("tcp://127.0.0.1:99999", "out of range"), ("tcp://127.0.0.1:abc", "abc")):
        with pytest.raises(UserError, match=f"--cluster {address}: expected a scheduler address such as "
                                            f"tcp://host:8786 \\(.*{detail}"):
            make_executor(None, address)
    assert time.perf_counter() - start < 2



def test_a_dry_run_checks_the_cluster_it_is_given(tmp_path, capsys):
    """--dry-run --cluster said all was well for a scheduler that was not there: the sweep then failed
    at once. It now reaches the cluster and checks its workers' code, as the sweep does first."""
    distributed = need("distributed")
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["sweep", str(path), "--dry-run", "--db", db, "--cluster", "tcp://127.0.0.1:99999"]) == 2
    assert "--cluster tcp://127.0.0.1:99999: expected a scheduler address" in capsys.readouterr().err
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        assert main(["sweep", str(path), "--dry-run", "--db", db, "--cluster", cluster.scheduler_address]) == 0
    assert (f"The file is checked, and the cluster {cluster.scheduler_address} answers with workers running this "
            f"code; nothing was run (--dry-run).") in capsys.readouterr().out
    assert not (tmp_path / "s.db").exists()




def test_a_task_that_keeps_killing_dask_workers_is_one_clear_error():
    """Dask gives up on a batch that killed its workers (KilledWorker): the sweep's one-line error."""
    distributed = need("distributed")
    import dask

    from twin.executor import WorkerLost

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None) as cluster:
            executor = DaskExecutor(cluster.scheduler_address, retries=0)
            try:
                with pytest.raises(WorkerLost, match="Dask workers died"):
                    list(executor.run(exit_worker, [1, 2]))
            finally:
                executor.close()


def test_unknown_names_in_experiment_files(tmp_path):
    body = f'[experiment]\nbase = "{ROOT / "scenarios" / "chb_pilot.toml"}"\n[[uncertainty]]\nname = "recruitment_fill"\nlow = 0\nhigh = 1\n[[outcome]]\nname = "x"\nmetric = "harm_gbp_total"\n'
    with pytest.raises(ScenarioError, match="unknown parameter 'recruitment_fill'"):
        load_experiment(write(tmp_path / "bad.toml", body))
    body = f'[experiment]\nbase = "{ROOT / "scenarios" / "chb_pilot.toml"}"\n[sampler]\nkind = "latin"\n[[outcome]]\nname = "x"\nmetric = "harm_gbp_total"\n'
    with pytest.raises(ScenarioError, match="kind: expected one of"):
        load_experiment(write(tmp_path / "bad2.toml", body))




@pytest.mark.parametrize("change, words", [
    (("hold_years", "hold_yeras"), r"bad.toml: \[\[lever\]\] #1: 'lever.chb.hold_yeras': lever 'chb' "
                                   r"\(clear_hold_build\) has no setting 'hold_yeras' that can vary; did you mean 'hold_years'"),
    (("values = [0, 2]", "values = [2, 2]"), r"\[\[lever\]\] #1 \(lever.chb.hold_years\): values listed twice: 2"),
    (('metric = "harm_gbp_total"\n', ""), r"\[\[outcome\]\] #1: missing key 'metric'"),
    (('"annual_sum"', '"annualsum"'), r"\[\[outcome\]\] #1: aggregation: .*did you mean 'annual_sum'"),
    (('"annual_sum"', '"Average"'), r"\[\[outcome\]\] #1: aggregation: .*got 'Average'; for 'Average' write 'mean'"),
    (("years = [1, 1]", "years = [1, 9]"), r"years: expected \[first, last\] with 1 <= first <= last <= 1"),
    (("size = 2", 'size = "two"'), r"\[sampler\] size: expected a whole number >= 1, got 'two'"),
    (("years = 1\n", "years = 1\nreps = 1000000000\n"), r"\[experiment\] reps: expected a whole number from 1 to 10000"),
    (('kind = "lhs"\nsize = 2', 'kind = "sobol"\nsize = 6'), r"a sobol sample needs a power of 2"),
    (("values = [0, 2]", "valuse = [0, 2]"), r"\[\[lever\]\] #1: unknown key 'valuse'; did you mean 'values'"),
    (("[[lever]]", '[[uncertainty]]\nnmae = "entry_rate_per_month"\nlow = 0.01\nhigh = 0.02\n[[lever]]'),
     r"\[\[uncertainty\]\] #1: unknown key 'nmae'; did you mean 'name'"),  # said "missing key 'name'"
    (('metric = "harm_gbp_total"', 'metric = "harm_gbp_totl"'), r"unknown metric 'harm_gbp_totl'"),
    (("[[outcome]]", "[outcome]"), r"'outcome' must be a list of tables \(\[\[outcome\]\], with double brackets\)"),
    (("values = [0, 2]", 'values = ["two", 2]'), r"values must be numbers, got 'two'"),
    (("values = [0, 2]", "values = [[1], 2]"), r"values must be numbers, got \[1\]"),
    (("years = 1\n", 'years = "two"\n'), r"\[experiment\] years: expected a number of years above 0 and at most 100, got 'two'"),
    (("years = 1\n", "years = 0.01\n"), r"bad.toml: \[experiment\] years = 0.01: .*shorter than one monthly step"),
    (('aggregation = "annual_sum"', 'aggregation = "annual_sum"\narea = "Merseysid"'),
     r"\[\[outcome\]\] #1: area: unknown area 'Merseysid'; did you mean 'Merseyside'"),
    (('aggregation = "annual_sum"', 'aggregation = "annual_sum"\nregion = "Nort West"'),
     r"\[\[outcome\]\] #1: region: unknown region 'Nort West'; did you mean 'North West'"),
    (('aggregation = "annual_sum"', 'aggregation = "annual_sum"\narea = "Kent"\nnation = "Wales"'),
     r"\[\[outcome\]\] #1: area and nation: give one"),
    (('aggregation = "annual_sum"', 'aggregation = "annual_sum"\nnation = 3'),
     r"\[\[outcome\]\] #1: nation: expected a string in quotes, got 3"),
    (('name = "harm"', 'name = " "'), r"\[\[outcome\]\] #1: name: expected a name in quotes, got ' '"),
    (('metric = "harm_gbp_total"\nyears = [1, 1]\naggregation = "annual_sum"',
      'metric = "enablers_active"\nyears = [1, 1]\naggregation = "mean"\narea = "Kent"'),
     r"\[\[outcome\]\] #1: metric: metric 'enablers_active' is kept for the UK only"),
    (('aggregation = "annual_sum"', 'aggregation = "annual_sum"\nbetter = "more"'),
     r"\[\[outcome\]\] #1: better: expected one of lower, higher"),
    # where more may be better (arrests, a ratio), the direction is not taken for granted
    (('metric = "harm_gbp_total"', 'metric = "arrests"'),
     r"\[\[outcome\]\] #1: better: expected better = \"lower\" or \"higher\" for 'arrests'"),
    (('aggregation = "annual_sum"', 'aggregation = "ratio"\nratio_of = "arrests"'),
     r"\[\[outcome\]\] #1: better: expected .* for a ratio"),
    (('aggregation = "annual_sum"\n', 'aggregation = "annual_sum"\n[[outcome]]\nname = "harm"\nmetric = "ocgs_active"\n'
      'years = [1, 1]\naggregation = "mean"\n'), r"\[\[outcome\]\] #2: name 'harm' is already used"),
    (("values = [0, 2]\n", 'values = [0, 2]\n[[lever]]\nname = "lever.chb.hold_years"\nvalues = [1, 3]\n'),
     r"\[\[lever\]\] #2: 'lever.chb.hold_years' is already a lever"),
    (("lever.chb.hold_years", "lever.ch.hold_years"), r"no lever named 'ch'; did you mean 'chb'"),
    (("values = [0, 2]\n", 'values = [0, 2]\n[[lever]]\nname = "lever.chb"\nvalues = [{hold_years = 1}, {areas = "all"}]\n'),
     r"\[\[lever\]\] 'lever.chb' sets 'hold_years', which the \[\[lever\]\] 'lever.chb.hold_years' also sets"),
    (('[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
      '[[uncertainty]]\nname = "lever.chb.hold_years"\nlow = 0\nhigh = 2\n[[lever]]\nname = "lever.chb"\n'
      'values = [{hold_years = 1}, {clear_years = 2}]'),
     r"'lever.chb' sets 'hold_years', which the \[\[uncertainty\]\] 'lever.chb.hold_years' also sets"),
    # mistakes that once gave a traceback, or were accepted (a 1,000-year run, a name that leaves results/)
    (("years = 1\n", "years = 1000\n"), r"\[experiment\] years: expected a number of years above 0 and at most 100, got 1000"),
    (("years = 1\n", "years = 1\nseed = 99999999999\n"),
     r"\[experiment\] seed: expected a whole number from 0 to 4294967295"),
    (("years = 1\n", "years = 1\nseed = 99999999999999999999\n"),  # beyond numpy's integers: said as the file reads
     r"experiment.seed = 99999999999999999999: a whole number larger than any this tool takes"),
    (('name = "tiny"', "name = 5"), r"\[experiment\] name: expected a name in quotes, got 5"),
    (('name = "tiny"', 'name = "../../elsewhere"'),
     r"\[experiment\] name: expected a name that is not only dots and spaces, without '/'"),
    (('name = "tiny"', 'name = ".."'), r"\[experiment\] name: expected a name that is not only dots and spaces"),
    (('base = "' + str(QUICK_CHB_PILOT) + '"', "base = 5"), r"\[experiment\] base: expected the name of a scenario file in quotes, got 5"),
    (('kind = "lhs"', 'kind = "lhss"'), r"\[sampler\] kind: expected one of .*, got 'lhss'; did you mean 'lhs'"),
    (('size = 2\n', 'size = 2\nlevels = 3\n'), r"\[sampler\] levels: only the factorial sampler takes levels"),
    (('kind = "lhs"', 'kind = "factorial"'), r"\[sampler\] size: the factorial sampler takes levels"),
    # designs too large to plan (a factorial one grows as levels**quantities)
    (('size = 2\n[[lever]]', 'size = 600000\n[[uncertainty]]\nname = "remand_prob"\n[[lever]]'), r"the design has 600,000 points x 2 policies x 1 reps = 1,200,000 runs, more than"),
    (('kind = "lhs"\nsize = 2\n[[lever]]', 'kind = "factorial"\nlevels = 10\n[[uncertainty]]\nname = "entry_rate_per_month"\n[[uncertainty]]\nname = "remand_prob"\n[[uncertainty]]\nname = "operation_success_base"\n[[uncertainty]]\nname = "price_supply_elasticity"\n[[uncertainty]]\nname = "drug_demand_price_elasticity"\n[[uncertainty]]\nname = "recruitment_fill_rate_per_month"\n[[lever]]'),
     r"the design has 1,000,000 points x 2 policies x 1 reps = 2,000,000 runs"),
    (('name = "lever.chb.hold_years"', "name = 5"), r"\[\[lever\]\] #1: name: expected a lever setting or parameter name in quotes, got 5"),
    (("[[lever]]", '[[uncertainty]]\nname = "entry_rate_per_month"\nlow = 0.1\nhihg = 0.5\n[[lever]]'),
     r"\[\[uncertainty\]\] #1: unknown key 'hihg'; did you mean 'high'"),
    (("[[lever]]", "[[uncertainty]]\nlow = 0.1\nhigh = 0.5\n[[lever]]"), r"\[\[uncertainty\]\] #1: missing key 'name'"),
    # an outcome named like a results column broke the results table; a level summed over months
    (('name = "harm"', 'name = "policy"'), r"\[\[outcome\]\] #1: name 'policy' is already a column of the sweep's"),
    (('name = "harm"', 'name = "lever.chb.hold_years"'), r"name 'lever.chb.hold_years' is already a column"),
    (('name = "harm"', 'name = "=harm"'), r"\[\[outcome\]\] #1: name: expected a name not starting with '=' \(a "
                                          r"spreadsheet opening the results would read it as a formula\)"),
    (('metric = "harm_gbp_total"', 'metric = "ocgs_active"'),
     r"\[\[outcome\]\] #1: aggregation: 'annual_sum' adds up a flow, but 'ocgs_active' is a level \(OCGs\)"),
    # a lever's setting without its lever, a [scenario] key, scenario files under another name: once only
    # "unknown parameter" (without the entry) or "values must be numbers"
    (('name = "lever.chb.hold_years"', 'name = "hold_years"'),
     r"bad.toml: \[\[lever\]\] #1: unknown parameter 'hold_years'; it is a lever's setting: name = "
     r"\"lever.chb.hold_years\""),
    (("[[lever]]", '[[uncertainty]]\nname = "spin_up_years"\nlow = 1\nhigh = 2\n[[lever]]'),
     r"\[\[uncertainty\]\] #1: unknown parameter 'spin_up_years'; 'spin_up_years' is a key of a scenario's "
     r"\[scenario\] table, not a parameter"),
    (('name = "lever.chb.hold_years"\nvalues = [0, 2]', 'name = "scenarios"\nvalues = ["a.toml", "b.toml"]'),
     r"\[\[lever\]\] #1 \(scenarios\): values must be numbers, got 'a.toml'; policies given as scenario files are "
     r"named name = \"scenario\""),
    # a misspelt table of a file plainly a sweep's: the spelling, not "the file looks like a scenario"
    (("[[lever]]", "[[levers]]"), r"top level: unknown key 'levers'; did you mean 'lever'\? \(expected one of: "
     r"experiment, sampler, uncertainty, lever, outcome\)$"),
    # a validation experiment given to `twin sweep`: once only "unknown key 'kind'"
    ((f'name = "tiny"\nbase = "{QUICK_CHB_PILOT}"\n', 'kind = "entry"\n'),
     r"\[experiment\] kind: the file looks like a validation experiment, which `twin validate` reads"),
    # a sweep without its base scenario, or without anything to measure its runs by
    ((f'base = "{QUICK_CHB_PILOT}"\n', ""),
     r"bad.toml: \[experiment\]: missing key 'base' \(the scenario every run starts from\)"),
    ((TINY[TINY.index("[[outcome]]"):], ""), r"bad.toml: no \[\[outcome\]\] entries"),
    # bytes, not characters: 101 accented letters are 202 bytes, too long to name a results folder
    (('name = "tiny"', f'name = "{"é" * 101}"'),
     r"bad.toml: \[experiment\] name: expected a name of at most 200 bytes \(it names the results folder\), got "
     r"one of 202$"),
])
def test_experiment_file_mistakes_are_caught_before_any_run(tmp_path, change, words):
    body = TINY.replace(*change)
    assert body != TINY
    with pytest.raises(ScenarioError, match=words):
        load_experiment(write(tmp_path / "bad.toml", body))


def test_a_sweep_without_its_base_scenario_is_one_line_from_the_command(tmp_path, capsys):
    """`twin sweep` of an [experiment] that names no base: exit status 2 and one line naming the file
    and the key, before anything is planned."""
    from twin.cli import main

    path = write(tmp_path / "nobase.toml", TINY.replace(f'base = "{QUICK_CHB_PILOT}"\n', ""))
    assert main(["sweep", str(path), "--dry-run", "--db", f"sqlite:///{tmp_path / 's.db'}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"twin: error: {path}: [experiment]: missing key 'base' (the scenario every run starts from)", err
    assert not (tmp_path / "s.db").exists()


def test_an_outcome_of_harm_ranked_higher_is_better_is_warned_of(tmp_path):
    """`better = "higher"` on harm ranked the most harmful option the most robust, unsaid."""
    body = TINY.replace('aggregation = "annual_sum"\n', 'aggregation = "annual_sum"\nbetter = "higher"\n')
    higher = load_experiment(write(tmp_path / "h.toml", body))
    assert [w for w in higher["warnings"] if "better = \"higher\" on 'harm_gbp_total', a harm, cost or count of "
            "crime: the option with the most of it ranks best" in w]
    lower = load_experiment(write(tmp_path / "l.toml", TINY))
    assert not [w for w in lower["warnings"] if "better =" in w]


def test_levers_must_exist_in_every_policy_scenario_and_wide_ranges_are_warned_about(tmp_path):
    scenarios = ROOT / "scenarios"
    # (the base is a plain scenario: with scenario files as policies it sets only the years)
    body = TINY.replace(f'base = "{QUICK_CHB_PILOT}"', f'base = "{scenarios / "baseline.toml"}"').replace(
        '[[lever]]', f'[[lever]]\nname = "scenario"\nvalues = ["{scenarios / "baseline.toml"}", '
                     f'"{scenarios / "chb_pilot.toml"}"]\n[[lever]]', 1)
    with pytest.raises(ScenarioError, match=r"\[\[lever\]\] #2 'lever.chb.hold_years': baseline.toml has no lever "
                                            r"named 'chb' \(it has no levers\)"):
        load_experiment(write(tmp_path / "policies.toml", body))
    # a lever the scenario gave no name goes by its type: the error lists the names to use
    unnamed = write(tmp_path / "unnamed.toml", f'[scenario]\nbase = "{scenarios / "baseline.toml"}"\nname = "mine"\n'
                    '[[levers]]\ntype = "clear_hold_build"\nareas = ["Merseyside"]\n')
    with pytest.raises(ScenarioError, match=r"unnamed.toml has no lever named 'mine' \(its levers: clear_hold_build; "
                                            r"a lever without a `name` goes by its type\)"):
        load_experiment(write(tmp_path / "mine.toml", TINY.replace(f'base = "{QUICK_CHB_PILOT}"', f'base = "{unnamed}"')
                              .replace("lever.chb.", "lever.mine.")))
    wide = TINY.replace("values = [0, 2]", "values = [0, 40]").replace(
        "[[lever]]", '[[uncertainty]]\nname = "entry_rate_per_month"\nlow = 0.1\nhigh = 50\n[[lever]]')
    warnings = load_experiment(write(tmp_path / "wide.toml", wide))["warnings"]
    assert len(warnings) == 2 and all("goes beyond its plausible range" in w for w in warnings)
    assert "entry_rate_per_month: 0.1 to 50" in warnings[0] and "lever.chb.hold_years: 0 to 40" in warnings[1]
    assert load_experiment(write(tmp_path / "tiny.toml", TINY))["warnings"] == []
    group = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                         'name = "lever.chb"\nvalues = [{hold_years = 1}, {hold_years = 40}]')
    assert any("lever.chb.hold_years: 1 to 40 goes beyond" in w
               for w in load_experiment(write(tmp_path / "group.toml", group))["warnings"])
    # an uncertainty on a lever must act in every policy scenario too
    uncertain = TINY.replace('[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
                             f'[[uncertainty]]\nname = "lever.chb.hold_years"\nlow = 0\nhigh = 2\n'
                             f'[[lever]]\nname = "scenario"\nvalues = ["{scenarios / "baseline.toml"}", '
                             f'"{scenarios / "chb_pilot.toml"}"]').replace(
        f'base = "{QUICK_CHB_PILOT}"', f'base = "{scenarios / "baseline.toml"}"')
    with pytest.raises(ScenarioError, match=r"\[\[uncertainty\]\] #1 \(in baseline.toml\)"):
        load_experiment(write(tmp_path / "uncertain.toml", uncertain))
    # a misspelt parameter is the experiment's mistake, not a policy file's
    misspelt = uncertain.replace('name = "lever.chb.hold_years"\nlow = 0\nhigh = 2', 'name = "entry_rate_per_mont"')
    with pytest.raises(ScenarioError, match=r"misspelt.toml: \[\[uncertainty\]\] #1: unknown parameter 'entry_rate_per_mont'"):
        load_experiment(write(tmp_path / "misspelt.toml", misspelt))
    # a policy file that is not there is named with the experiment's key and the closest file
    (tmp_path / "pilot.toml").write_text((scenarios / "chb_pilot.toml").read_text().replace('base = "baseline.toml"',
                                                                                        f'base = "{scenarios / "baseline.toml"}"'))
    missing = uncertain.replace(f'"{scenarios / "chb_pilot.toml"}"', '"pilt.toml"')
    with pytest.raises(ScenarioError, match=r"missing.toml: \[\[lever\]\] #1 \(scenario\): values: file 'pilt.toml' not "
                                            r"found next to the experiment; did you mean 'pilot.toml'"):
        load_experiment(write(tmp_path / "missing.toml", missing))


def test_values_a_synthetic_register_cannot_use_together_are_refused_before_any_run(tmp_path, capsys):
    """members_known_uk = 3,000,000 is within what the parameter accepts, but its register would
    hold millions: every run of that point failed, blaming the base scenario's file, with a
    traceback in the results; it is now the experiment's mistake, said before any run."""
    from twin.cli import main

    body = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                        'name = "members_known_uk"\nvalues = [59000, 3000000]')
    path = write(tmp_path / "huge.toml", body)
    assert main(["sweep", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"twin: error: {path}: the design point with [[lever]] #1 members_known_uk = 3000000 is not a "
                   f"valid scenario: members_known_uk = 3e+06 with group sizes drawn as ocg_size_lognormal_sigma = "
                   f"0.8 and ocg_size_min = 3 needs more than 2,000,000 members in all (the UK picture is about "
                   f"100,000)")
    assert not (tmp_path / "o").exists()


def test_the_design_check_draws_a_register_once_for_each_set_of_values_a_draw_reads(tmp_path, monkeypatch):
    """A register drawn for every design point took minutes for designs of thousands: a draw reads a
    few dozen parameters, and one is drawn for each set of their values only."""
    import twin.register as register

    drawn = []

    def counting(geography, params, rng):
        drawn.append(params.ocg_size_min)
        return real(geography, params, rng)

    real = register.synthetic_register
    monkeypatch.setattr(register, "synthetic_register", counting)
    body = TINY.replace("size = 2", "size = 6").replace(
        "[[lever]]", "[[uncertainty]]\nname = \"recruitment_fill_rate_per_month\"\nlow = 0.05\nhigh = 0.3\n[[lever]]")
    load_experiment(write(tmp_path / "unread.toml", body))  # 6 x 2 points, none varying what a draw reads
    assert len(drawn) == 1
    drawn.clear()
    body = body.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]', 'name = "ocg_size_min"\nvalues = [2, 3, 4]')
    load_experiment(write(tmp_path / "read.toml", body))  # 6 x 3 points, three sizes a draw reads
    assert sorted(drawn) == [2, 3, 4]


def test_a_run_failing_on_a_users_mistake_is_recorded_in_one_line_and_a_bug_with_its_trace(monkeypatch):
    import twin.sweep as sweep
    from twin.errors import ParameterError

    def mistake(*args):
        raise ParameterError("members_known_uk = 3e+06 needs more than 2,000,000 members")

    monkeypatch.setattr(sweep, "simulate_targets", mistake)
    task = SimpleNamespace(fit=None)
    assert sweep._run_point(task)["error"] == ("ParameterError: members_known_uk = 3e+06 needs more than 2,000,000 "
                                               "members")
    monkeypatch.setattr(sweep, "simulate_targets", lambda *args: 1 / 0)
    error = sweep._run_point(task)["error"]
    assert error.startswith("ZeroDivisionError: division by zero\nTraceback") and "1 / 0" in error


def test_a_policy_scenario_is_warned_of_as_twin_run_and_twin_compare_warn_of_it(tmp_path):
    """A policy file's parameter beyond its plausible range was said by `twin run` and `twin compare`,
    not by `twin sweep`."""
    scenarios = ROOT / "scenarios"
    odd = write(tmp_path / "odd.toml", f'[scenario]\nname = "odd"\nbase = "{scenarios / "baseline.toml"}"\n'
                                       '[parameters]\nentry_rate_per_month = 50\n')
    body = TINY.replace(f'base = "{QUICK_CHB_PILOT}"', f'base = "{scenarios / "baseline.toml"}"').replace(
        '[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
        f'[[lever]]\nname = "scenario"\nvalues = ["{scenarios / "baseline.toml"}", "{odd}"]')
    warnings = load_experiment(write(tmp_path / "policies.toml", body))["warnings"]
    assert warnings == [f"{odd}: [parameters]: entry_rate_per_month = 50 is beyond its plausible range, 0.05 to 1"]


def test_a_policy_file_s_own_parameter_that_the_sweep_samples_is_said_to_be_replaced(tmp_path):
    """A policy file setting a parameter the sweep also samples ran with the sampled values, unsaid."""
    scenarios = ROOT / "scenarios"
    own = write(tmp_path / "own.toml", f'[scenario]\nname = "own"\nbase = "{scenarios / "ct_powers.toml"}"\n'
                                       '[parameters]\nprice_supply_elasticity = 0.8\n')
    body = TINY.replace(f'base = "{QUICK_CHB_PILOT}"', f'base = "{scenarios / "baseline.toml"}"').replace(
        '[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
        f'[[uncertainty]]\nname = "price_supply_elasticity"\nlow = 0.5\nhigh = 1.0\n'
        f'[[lever]]\nname = "scenario"\nvalues = ["{scenarios / "baseline.toml"}", "{own}"]')
    warnings = load_experiment(write(tmp_path / "policies.toml", body))["warnings"]
    assert warnings == [f"{tmp_path / 'policies.toml'}: [[uncertainty]] 'price_supply_elasticity' replaces the 0.8 "
                        f"that own.toml sets in its [parameters], in every run of it"]


def test_a_base_whose_settings_the_design_varies_is_not_warned_of_as_written(tmp_path):
    """Over five years the base's £3bn is out of reach; the design runs £0.86bn and £1.2bn only,
    and the warning about £3bn, which no run uses, misled."""
    scenarios = ROOT / "scenarios"
    body = TINY.replace(f'base = "{QUICK_CHB_PILOT}"', f'base = "{scenarios / "funding_ct_parity.toml"}"').replace(
        "years = 1", "years = 5").replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                                          'name = "lever.funding.budget_gbp_per_year"\nvalues = [0.86e9, 1.2e9]')
    assert load_experiment(write(tmp_path / "funding.toml", body))["warnings"] == []


def test_each_policy_is_warned_of_as_it_runs_and_a_remark_some_policies_share_names_their_settings(tmp_path):
    """`twin sweep` said nothing of a policy whose lever starts after the horizon (one the `twin run`
    of the same scenario warns has no effect) or whose intensity is far beyond its range."""
    body = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                        'name = "lever.chb.start_year"\nvalues = [0, 5]\n[[lever]]\nname = "lever.chb.intensity"\n'
                        'values = [1, 1e300]')
    warnings = load_experiment(write(tmp_path / "late.toml", body))["warnings"]
    late = [w for w in warnings if "it will have no effect" in w]
    strong = [w for w in warnings if "intensity = 1e+300 is beyond its plausible range" in w]
    assert len(late) == 1 and late[0].startswith("the policies with lever.chb.start_year=5: ")
    assert len(strong) == 1 and strong[0].startswith("the policies with lever.chb.intensity=1e+300: ")
    assert len(warnings) == 2
    # a remark every policy shares is said once, without the settings
    shared = TINY.replace("years = 1", "years = 1\n").replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                                                               'name = "lever.chb.hold_years"\nvalues = [1, 2]\n'
                                                               '[[lever]]\nname = "lever.chb.start_year"\n'
                                                               'values = [5]')
    said = load_experiment(write(tmp_path / "shared.toml", shared))["warnings"]
    assert len(said) == 1 and "it will have no effect" in said[0] and not said[0].startswith("the polic")


def test_a_sampled_setting_is_not_warned_of_as_if_every_run_had_the_first_future_s_value(tmp_path):
    """A lever's start year sampled from 0 to 5 over a 1-year horizon was warned of as 'starts 1.22 years
    in ... it will have no effect', the first sampled future's value, false of the futures before 0.917;
    and a table of lever settings' value beyond its range was said twice, of the [[lever]] and of each
    policy."""
    sampled = TINY.replace("[[lever]]", '[[uncertainty]]\nname = "lever.chb.start_year"\nlow = 0\nhigh = 5\n'
                                        '[[lever]]')
    assert not [w for w in load_experiment(write(tmp_path / "s.toml", sampled))["warnings"] if "no effect" in w]
    funding = ROOT / "scenarios" / "funding_ct_parity.toml"
    table = (f'[experiment]\nname = "split"\nbase = "{funding}"\nyears = 5\n[[lever]]\nname = "lever.funding"\n'
             'values = [{share_forces = 0.45, share_rocu = 0.2, share_nca = 0.35, budget_gbp_per_year = 9e9}, '
             '{share_forces = 0.45, share_rocu = 0.2, share_nca = 0.35, budget_gbp_per_year = 0.9e9}]\n'
             '[[outcome]]\nname = "harm"\nmetric = "harm_gbp_total"\n')
    warnings = load_experiment(write(tmp_path / "t.toml", table))["warnings"]
    assert [w for w in warnings if "lever.funding.budget_gbp_per_year: " in w and "goes beyond" in w]
    assert not [w for w in warnings if "budget_gbp_per_year = 9e+09 is beyond its plausible range" in w]


def test_a_parameter_given_as_a_lever_is_said_to_be_a_world_not_a_policy(tmp_path):
    """`twin analyse` ranked two values of a price elasticity as it ranks policies, unsaid."""
    body = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                        'name = "price_supply_elasticity"\nvalues = [0.8, 1.5]')
    warnings = load_experiment(write(tmp_path / "world.toml", body))["warnings"]
    assert [w for w in warnings if "[[lever]] #1 'price_supply_elasticity' is a model parameter, not a lever setting"
            in w and "make it an [[uncertainty]]" in w] == warnings and len(warnings) == 1


def test_a_quantity_is_sampled_or_set_not_both_and_ranges_are_checked(tmp_path):
    both = TINY.replace("[[lever]]", '[[uncertainty]]\nname = "entry_rate_per_month"\nlow = 0.1\nhigh = 0.5\n'
                        '[[lever]]\nname = "entry_rate_per_month"\nvalues = [0.2, 0.3]\n[[lever]]')
    with pytest.raises(ScenarioError, match=r"\[\[lever\]\] #1: 'entry_rate_per_month' is also an \[\[uncertainty\]\]"):
        load_experiment(write(tmp_path / "both.toml", both))
    twice = TINY.replace("[[lever]]", '[[uncertainty]]\nname = "entry_rate_per_month"\n'
                         '[[uncertainty]]\nname = "entry_rate_per_month"\n[[lever]]')
    with pytest.raises(ScenarioError, match=r"\[\[uncertainty\]\] #2: 'entry_rate_per_month' is already an uncertainty"):
        load_experiment(write(tmp_path / "twice.toml", twice))
    negative = TINY.replace("[[lever]]", '[[uncertainty]]\nname = "recruitment_fill_rate_per_month"\nlow = -0.5\n'
                            'high = 0.3\n[[lever]]')
    with pytest.raises(ScenarioError, match=r"\[\[uncertainty\]\] #1 low: parameter 'recruitment_fill_rate_per_month' "
                                            r"must be a share between 0 and 1 .*got -0.5"):
        load_experiment(write(tmp_path / "negative.toml", negative))


def test_analysis_follows_the_better_direction_and_uses_complete_futures_only():
    from twin.analysis import analyse, complete_futures

    rows = [{"sample": s, "policy": p, "lever.x": p, "recovered": 10.0 * (p + 1) + s}
            for s in range(4) for p in range(2)]
    table = pd.DataFrame(rows)
    higher = analyse(table, [], ["lever.x"], "recovered", lower_is_better=False)
    assert higher["policies"][0]["policy"] == 1 and higher["policies"][0]["share_of_futures_best"] == 1
    lower = analyse(table, [], ["lever.x"], "recovered")
    assert lower["policies"][0]["policy"] == 0
    partial = table[~((table["sample"] >= 2) & (table["policy"] == 1))]  # policy 1 ran in two futures only
    kept, note = complete_futures(partial, reps=1, n_policies=2)
    assert sorted(kept["sample"].unique()) == [0, 1] and "2 of 4 sampled futures" in note
    assert complete_futures(table, reps=1, n_policies=2)[1] == ""
    whole = table[table["sample"] < 2]  # futures 2 and 3 not started at all
    kept, note = complete_futures(whole, reps=1, n_policies=2, samples=[0, 1, 2, 3])
    assert len(kept) == 4 and "2 of 4 sampled futures" in note
    with pytest.raises(ValueError, match="no sampled future"):
        complete_futures(table[table["policy"] == 0], reps=1, n_policies=2)
    # a file whose reps were raised after its sweep: said as such (it read as a sweep not finished)
    with pytest.raises(ValueError, match=r"the file asks for 3 replications of each policy in each future, and the "
                                         r"stored sweep has at most 1: run `twin sweep` to run the rest .* or set "
                                         r"reps = 1 \(or add --latest\) to analyse those"):
        complete_futures(table, reps=3, n_policies=2)
    # a policy with no runs in any future: no smaller reps would do, so none is suggested
    with pytest.raises(ValueError, match="no sampled future has finished runs") as raised:
        complete_futures(table[table["policy"] == 0], reps=3, n_policies=2)
    assert "set reps" not in str(raised.value)


def test_analyse_latest_reads_a_sweep_with_fewer_replications_than_the_file_asks(tmp_path, capsys):
    """reps raised in the file after its sweep (the same experiment: a replicate's seed does not depend
    on reps): refused, naming --latest; with --latest, analysed with the replications stored, said so."""
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    path.write_text(TINY.replace("years = 1\n", "years = 1\nreps = 2\n", 1))
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out")]) == 2
    assert "or set reps = 1 (or add --latest) to analyse those" in capsys.readouterr().err
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out"), "--latest", "--quiet"]) == 0
    out, err = capsys.readouterr()  # (said under --quiet too: what the analysis leaves out)
    assert out == ""
    assert "the file asks for 2 replications and the stored sweep has 1: analysing those (--latest)" in err
    assert "x up to 1 replication(s)" in (tmp_path / "out" / "analysis.html").read_text()
    assert json.loads((tmp_path / "out" / "analysis.json").read_text())["as_file_and_code"] is False


def test_failed_runs_make_the_sweep_command_fail(tmp_path, monkeypatch, capsys):
    import twin.sweep as sweep_module
    from twin.cli import main

    def broken(task, timings=None, kept=None):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(sweep_module, "simulate_targets", broken)
    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "2 run(s) failed" in err and "simulated failure" in err
    # the results' error column: the message in one line; the fault's trace in the export's experiments file
    table = pd.read_csv(tmp_path / "out" / "sweep_results.csv")
    assert list(table["error"]) == ["RuntimeError: simulated failure"] * 2
    assert main(["export", "--db", db, "--out", str(tmp_path / "export")]) == 0
    assert pd.read_csv(tmp_path / "export" / "experiments.csv")["error"].str.contains("Traceback").all()
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no finished runs" in err and "its 2 run(s) failed" in err


def test_analyse_says_why_it_falls_back_to_an_older_sweep(tmp_path, monkeypatch, capsys):
    import twin.ensemble as ensemble_module
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out")]) == 0
    # the next step, with the database and folder given (the analysis reads the same)
    # a command to paste: paths quoted where the shell needs it (a folder with a space broke it)
    quoted = [shlex.quote(str(value)) for value in (path, db, tmp_path / "out")]
    assert "Next: twin analyse {} --db {} --out {}".format(*quoted) in capsys.readouterr().out
    table = pd.read_csv(tmp_path / "out" / "sweep_results.csv")
    # beside it, what each column is and each outcome's unit (they were only in `twin export`'s files)
    guide = (tmp_path / "out" / "README.txt").read_text()
    assert all(f"`{column}`" in guide for column in table.columns), [c for c in table.columns if f"`{c}`" not in guide]
    definitions = pd.read_csv(tmp_path / "out" / "outcome_definitions.csv")
    assert definitions[["outcome", "unit"]].values.tolist() == [["harm", "GBP/year"]]
    assert definitions["what"].iloc[0].endswith("; undiscounted") and "money is\n  undiscounted" in guide
    assert (table["setup_s"] > 0).all() and (table["run_s"] > 0).all()  # timings recorded, not empty
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert "no sweep of this file" not in err
    import twin.analysis

    with monkeypatch.context() as patch:  # policies that tie are said to, and nothing else
        patch.setattr(twin.analysis, "identical_policies", lambda table, names: [[0, 1]])
        assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "tied")]) == 0
        err = capsys.readouterr().err
        assert "Note: policies 0 and 1 give the same outcomes in every run" in err and "new experiment" not in err
    # the page opens with the console's verdict, after its title
    verdict = next(line for line in out.splitlines() if "smallest maximum regret" in line)
    page = (tmp_path / "out" / "analysis.html").read_text()
    assert "Money (harm) is undiscounted, in 2023-24 prices" in page
    assert f"<li><strong>{html.escape(verdict)}</strong>" in page
    assert page.index("</h1>") < page.index(html.escape(verdict)) < page.index("Regret: in each sampled future")
    # each table captioned, each chart said in words (the box plot's medians as the table's numbers read),
    # the code that made the page named
    assert page.count("<caption>") == page.count("<table") >= 1 and "model source hash" in page
    medians = re.findall(r"alt='Box plots of [^']*medians: ([^']*)'", page)
    assert medians and all(re.fullmatch(r"(policy \d+ -?£[\d,.]+(bn|m)( a year)?(, )?)+", m) for m in medians), medians

    def refuse(constant):
        raise AssertionError(f"analysis.json holds {constant}, which is not JSON")

    # one replication: no paired test, which strict JSON and the page say without a NaN
    analysis = json.loads((tmp_path / "out" / "analysis.json").read_text(), parse_constant=refuse)
    regrets = pd.read_csv(tmp_path / "out" / "regret.csv")  # each future and policy, for robustness of one's own
    outcomes = len(analysis["outcomes"])
    assert len(regrets) == 2 * outcomes and regrets["best_in_future"].sum() >= outcomes
    # the page says what the files beside it hold: regret.csv column by column (none written left unsaid)
    files = page[page.index("<p>Beside this page:"):]
    files = files[:files.index("</p>")]
    assert "<code>analysis.json</code>" in files and "<code>regret.csv</code>" in files
    sampled = set(analysis["outcomes"][0]["uncertainties"])  # (none here) said as "each sampled uncertainty's value"
    assert set(regrets.columns) - sampled == set(re.findall(r"<code>([a-z_]+)</code>", files))
    # how each outcome was read off the runs: for programs, and on the page above its table
    assert analysis["outcomes"][0]["definition"] == {"metric": "harm_gbp_total", "area": "UK", "years": [1, 1],
                                                     "aggregation": "annual_sum"}
    assert ("<h2>harm (lower is better)</h2><p>Read off each run: harm_gbp_total for UK, years 1-1 after the spin-up, "
            "the mean over those years of each year&#x27;s total; undiscounted, 2023-24 prices (GBP/year).</p>") in page
    # which sweep it read, for a program: this file's own, as it is, with this code
    assert analysis["experiment_id"] >= 1 and analysis["as_file_and_code"] is True and analysis["file"] == str(path)
    # what the page's header says, for a program too: the runs read, the seed and the model code
    from twin.ensemble import code_hash

    assert analysis["runs"] == {"finished": 2, "stored": 2, "failed": 0, "sampled_futures": 1, "policies": 2,
                                "replications": 1}
    assert analysis["seed"] == load_experiment(path)["seed"] and analysis["code_hash"] == code_hash()
    (first,) = analysis["outcomes"]
    assert first["unit"] == "GBP/year" and first["policies"][0]["share_of_futures_clearly_behind"] is None
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", (tmp_path / "out" / "analysis.html").read_text())
    assert "NaN" not in text  # in the words and tables (a chart's base64 may hold the letters by chance)
    monkeypatch.setattr(ensemble_module, "code_hash", lambda: "edited-source")
    # another sweep than the file's own is analysed only when asked for (it was analysed, exit 0, with a note)
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert re.search(r"no sweep of this file, as it is now, with the current code is in .*: the latest 'tiny' sweep "
                     r"\(experiment \d+\) was run with other code \(.*add --latest to analyse that sweep", err)
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out"), "--latest"]) == 0
    err = capsys.readouterr().err
    assert "no sweep of this file with the current code" in err and "was run with other code (" in err
    # the command to paste writes where this analysis reads (without --out, under results/ in the working folder)
    assert f"Run `twin sweep {path} --db {db} --out {tmp_path / 'out'}` to sweep" in err
    analysis = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert analysis["as_file_and_code"] is False and "was run with other code" in analysis["notes"][0]
    page = (tmp_path / "out" / "analysis.html").read_text()  # the page says it too, and which runs it read
    assert "Note: no sweep of this file with the current code" in page
    # so does `twin sweep` (a sweep resumed after an edit to the model ran every run again unexplained)
    assert main(["sweep", str(path), "--db", db, "--out", str(tmp_path / "out"), "--dry-run"]) == 0
    assert re.search(r"\(no sweep of this file with this code: the latest 'tiny' sweep in the database \(experiment "
                     r"\d+\) was run with other code \(", capsys.readouterr().out)
    assert re.search(r"Experiment \d+ in sqlite:///.*sweep.db: 2 finished runs, 1 sampled future\(s\) x 2 option", page)
    monkeypatch.undo()
    write(path, TINY.replace("years = 1\n", "years = 1\nseed = 9\n"))
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out"), "--latest"]) == 0
    assert re.search(r"was run with other settings \(the seed \(\d+ then, 9 now\)", capsys.readouterr().err)
    # A file whose design grew since: the stored sweep is read with its own design (its 2 policies,
    # all finished), not taken for an unfinished part of the new one (3 policies).
    write(path, TINY.replace("size = 2", "size = 3").replace("values = [0, 2]", "values = [0, 2, 4]"))
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out"), "--latest"]) == 0
    err = capsys.readouterr().err
    assert "was run with other settings" in err and "sampled futures have every policy" not in err
    assert re.search(r"other values of [^;]*lever\.chb\.hold_years.*; \d+ design points then, \d+ now", err)
    assert re.search(r"2 finished runs, 1 sampled future\(s\) x 2 option",
                     (tmp_path / "out" / "analysis.html").read_text())
    # one that varies what the stored sweep did not: said, not analysed as if it had
    write(path, TINY.replace("[[lever]]", "[[uncertainty]]\nname = \"recruitment_fill_rate_per_month\"\n"
                                         "low = 0.05\nhigh = 0.3\n[[lever]]"))
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "out"), "--latest"]) == 2
    assert "did not vary recruitment_fill_rate_per_month" in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_experiments_load(path):
    config = load_experiment(path)
    assert len(design(config)) >= 8
    table = tomllib.loads(path.read_text())["experiment"]  # what the file says is what runs
    assert (config["name"], config["seed"], config["reps"]) == (table.get("name", path.stem), table.get("seed", 1),
                                                                 table.get("reps", 1))


def test_prim_finds_the_box_where_cases_live():
    from twin.analysis import choose_box, prim

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.random(2000), "b": rng.random(2000), "noise": rng.random(2000)})
    y = (x["a"] > 0.7) & (x["b"] < 0.4)
    box = choose_box(prim(x, y.to_numpy()), min_coverage=0.8)
    assert box["density"] > 0.8 and box["coverage"] >= 0.8
    assert box["limits"]["a"][0] > 0.55 and box["limits"]["b"][1] < 0.55
    assert box["limits"]["noise"][0] < 0.15 and box["limits"]["noise"][1] > 0.85  # left alone


def test_regret_and_robustness_on_a_known_table():
    from twin.analysis import analyse

    rows = []
    for sample in range(10):
        u = sample / 9
        # Policy 0 is best when u < 0.5, policy 1 otherwise; policy 2 is never best.
        for policy, cost in ((0, 10 + 10 * u), (1, 15), (2, 20)):
            rows.append({"sample": sample, "policy": policy, "u": u, "lever.x": policy, "cost": cost})
    result = analyse(pd.DataFrame(rows), ["u"], ["lever.x"], "cost")
    by_policy = {p["policy"]: p for p in result["policies"]}
    assert by_policy[2]["share_of_futures_best"] == 0 and by_policy[2]["max_regret"] == pytest.approx(10.0)
    assert by_policy[1]["max_regret"] == pytest.approx(5.0)
    assert by_policy[0]["max_regret"] == pytest.approx(5.0)
    assert result["feature_scores"]["u"] == pytest.approx(1.0)
    failing = result["prim"]["lever.x=0"]["box"]["limits"]["u"]
    assert failing[0] > 0.5  # policy 0 fails in the high-u futures
    # regret.csv: every future and policy, with its conditions, outcome over its replications, regret and win
    from twin.analysis import regret_table

    doubled = pd.DataFrame(rows + [dict(r, replicate=1, cost=r["cost"] + 2) for r in rows]).assign(
        replicate=lambda t: t["replicate"].fillna(0))
    again = analyse(doubled, ["u"], ["lever.x"], "cost")
    long = regret_table(doubled, [again])
    assert len(long) == 30 and set(long["outcome"]) == {"cost"} and (long["replications"] == 2).all()
    row = long[(long["sample"] == 9) & (long["policy"] == 0)].iloc[0]
    assert row["u"] == 1.0 and row["value"] == pytest.approx(21.0) and row["regret"] == pytest.approx(5.0)
    assert row["settings"] == "lever.x=0" and not row["best_in_future"]
    for policy, entry in ((p["policy"], p) for p in again["policies"]):  # the page's figures, read off the file
        mine = long[long["policy"] == policy]
        assert mine["regret"].max() == pytest.approx(entry["max_regret"])
        assert mine["best_in_future"].mean() == pytest.approx(entry["share_of_futures_best"])
        assert mine["regret"].mean() == pytest.approx(entry["mean_regret"])
        assert mine["value"].mean() == pytest.approx(entry["mean_outcome"])
    # a run whose outcome has no value (a ratio over nothing) is not counted among the future's replications
    holed = doubled.copy()
    holed.loc[(holed["sample"] == 0) & (holed["policy"] == 2) & (holed["replicate"] == 1), "cost"] = np.nan
    long = regret_table(holed, [analyse(holed, ["u"], ["lever.x"], "cost")]).set_index(["sample", "policy"])
    assert long.loc[(0, 2), "replications"] == 1 and long.loc[(0, 2), "value"] == pytest.approx(20.0)
    from twin.analysis import describe_box

    flat = {"box": {"limits": {"u": [0.0, 1.0]}, "restricted": {}, "support": 10, "futures": 10, "coverage": 1.0,
                    "density": 0.3}}
    assert "no region of the uncertainties concentrates its worst futures" in describe_box("p", flat)
    line = describe_box("lever.x=0", result["prim"]["lever.x=0"])
    assert line.startswith("lever.x=0 falls furthest behind the best option (its worst quarter of regrets) mostly "
                           "when u in [") and "of 10 futures inside the box" in line
    assert "only 10 futures: indicative" in line  # fewer than FEW_FUTURES_FOR_PRIM
    # regrets tied at their 75th percentile make the "worst quarter" more than a quarter: said as it is;
    # a box at one level of a factorial grid names the value, not a range of one value
    tied = {"box": {"limits": {"u": [-0.2, -0.2], "v": [0.0, 1.0]}, "restricted": {"u": [-0.2, -0.2]}, "support": 9,
                    "futures": 27, "coverage": 0.6, "density": 1.0, "base_density": 0.65}}
    said = describe_box("p", tied)
    assert "(its worst regrets: the 65% of futures at or above its 75th percentile, ties included) mostly when " \
           "u = -0.2 (" in said and "quarter" not in said
    # a box without lift (its share of bad futures under 1.5 times the share overall) or around
    # fewer than 3 futures is not named as where the option fails
    weak = {"box": {"limits": {"u": [0.2, 1.0]}, "restricted": {"u": [0.2, 1.0]}, "support": 22, "futures": 24,
                    "coverage": 1.0, "density": 0.27, "base_density": 0.25}}
    assert "no region of the uncertainties clearly concentrates its worst futures" in describe_box("p", weak)
    # few futures flagged (regret mostly none): said as the futures it trails in, the density beside their share
    rare = {"box": {"limits": {"u": [0.8, 1.0]}, "restricted": {"u": [0.8, 1.0]}, "support": 10, "futures": 100,
                    "coverage": 1.0, "density": 0.3, "base_density": 0.03}}
    said = describe_box("p", rare)
    assert ("(its worst regrets: the 3% of futures in which it falls behind at all) mostly when u in [0.8, 1] (10 of "
            "100 futures inside the box; coverage 100%, density 30%, against 3% of all futures)") in said
    lone = dict(weak, box=dict(weak["box"], support=1, density=1.0, coverage=0.17))
    assert "clearly concentrates" in describe_box("p", lone) and "mostly when" not in describe_box("p", lone)
    from twin.analysis import format_outcome

    assert [format_outcome(v, "GBP/step") for v in (1.234e9, -1.198e8)] == ["£1.23bn", "-£119.8m"]
    assert format_outcome(1.624e8, "GBP/year") == "£162.4m a year"  # an annual outcome says so
    assert format_outcome(0.1234, "") == "0.123" and format_outcome(4772.4, "OCGs") == "4,772 OCGs"  # (its unit)
    assert format_outcome(0.000138, "index 0-1") == "0.000138 (index 0-1)"
    assert format_outcome(0.3, "share") == "0.3 (share)"
    assert format_outcome(12.0, "homicides/month") == "12 homicides a month"
    # a regret of nothing has no sign (the best option's regret, where higher is better, is -0.0)
    assert format_outcome(-0.0, "disruptions/year") == "0 disruptions a year"
    assert format_outcome(-1.0, "GBP/year") == "£0.0m a year"
    # a table's column in one unit: £bn when any of it reaches a billion ('£0.0m' beside '£1.20bn' mixed them)
    assert [format_outcome(v, "GBP/year", True) for v in (0.0, 4.5e7, -1.2e9)] == [
        "£0.00bn a year", "£0.04bn a year", "-£1.20bn a year"]
    assert format_outcome(-1e6, "GBP/year", True) == "£0.00bn a year"  # no sign on what rounds to nothing
    few = analyse(pd.DataFrame([r for r in rows if r["sample"] < 4]), ["u"], ["lever.x"], "cost")
    assert "PRIM needs at least 8" in describe_box("lever.x=1", few["prim"]["lever.x=1"])
    # one future (a sweep of size 1, or an interrupted one): the same regret in every future is no finding
    one = analyse(pd.DataFrame([r for r in rows if r["sample"] == 0]), ["u"], ["lever.x"], "cost")
    said = [describe_box(name, entry) for name, entry in one["prim"].items()]
    assert not any("no region of the uncertainties matters" in line for line in said)
    assert any("1 sampled future: PRIM needs at least 8" in line for line in said), said


def test_a_sweep_that_retargets_a_lever_to_a_misspelt_area_fails_before_any_run(tmp_path):
    body = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                        'name = "lever.chb"\nvalues = [{areas = ["Kent"]}, {areas = ["Merseside"]}]')
    with pytest.raises(ScenarioError, match=r"exp.toml: the design point with \[\[lever\]\] #1 lever.chb = .*Merseside.*unknown area "
                                            r"'Merseside'; did you mean 'Merseyside'"):
        load_experiment(write(tmp_path / "exp.toml", body))  # which checks every design point


def test_a_sweep_can_retarget_a_lever_whose_base_says_all_areas(tmp_path):
    """clear_hold_build.toml spells out areas = "all"; a sweep may still set regions or top_harm_areas."""
    body = TINY.replace(str(QUICK_CHB_PILOT), str(ROOT / "scenarios" / "clear_hold_build.toml")).replace(
        'name = "lever.chb.hold_years"\nvalues = [0, 2]',
        'name = "lever.chb"\nvalues = [{top_harm_areas = 5}, {regions = ["North West"]}]')
    assert "top_harm_areas = 5" in body
    config = load_experiment(write(tmp_path / "retarget.toml", body))
    assert len(design(config)) == 2  # one sample (no uncertainties) x two targetings, both built


def test_export_of_a_sweep_writes_its_runs_and_outcomes_only(tmp_path, monkeypatch):
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    mine = tmp_path / "mine"  # a user's own folder, holding a README.txt of theirs: refused, kept
    mine.mkdir()
    (mine / "README.txt").write_text("my notes")
    assert main(["export", "--db", db, "--out", str(mine)]) == 2
    assert (mine / "README.txt").read_text() == "my notes" and [p.name for p in mine.iterdir()] == ["README.txt"]
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(mine), "--quiet"]) == 2
    assert (mine / "README.txt").read_text() == "my notes" and [p.name for p in mine.iterdir()] == ["README.txt"]
    assert main(["export", "--db", db, "--out", str(tmp_path / "export")]) == 0
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == [".twin-export", ".twin-written", "README.txt",
                                                                        "experiments.csv", "outcome_definitions.csv",
                                                                        "outcomes.csv", "yearly.csv"]
    assert (tmp_path / "export" / ".twin-export").read_text().split() == [
        "experiments.csv", "outcomes.csv", "outcome_definitions.csv", "yearly.csv"]  # what a later export replaces
    # each run's yearly UK series, as the sweep kept it: a flow's year total is the outcome the file reads off it
    yearly = pd.read_csv(tmp_path / "export" / "yearly.csv")
    exported = pd.read_csv(tmp_path / "export" / "outcomes.csv")
    assert list(yearly.columns) == ["point", "replicate", "run_id", "year", "metric", "value"]
    harm = yearly[yearly.metric == "harm_gbp_total"].set_index("run_id")["value"]
    np.testing.assert_allclose(harm.loc[exported.run_id].to_numpy(), exported["harm"].to_numpy(), rtol=1e-12)
    assert list(dict.fromkeys(yearly.point)) == list(exported.point)  # in design order
    active = yearly[yearly.metric == "ocgs_active"].value  # a level: the year's mean, not the sum of 12 months
    assert 50 < active.min() and active.max() < 1e4
    # each lever's cost (a metric of its run, not of the table) is a flow too: the levers' costs add up to
    # the spending by who bears it (they were divided by the year's steps, as a level)
    wide = yearly.pivot_table(index=["run_id", "year"], columns="metric", values="value")
    costs = wide.filter(like="lever_cost_gbp_").sum(axis=1)
    assert costs.max() > 0
    np.testing.assert_allclose(costs, wide.filter(like="lever_spending_gbp_").sum(axis=1), rtol=1e-9)
    guide = (tmp_path / "export" / "README.txt").read_text()  # the columns explained beside the files
    assert guide.startswith("Experiment 1 (a sweep), exported by `twin export`.") and "outcome_definitions.csv:" in guide
    assert "trajectories" not in guide and "parquet" not in guide  # only what this export wrote
    # every metric of yearly.csv with its unit there and whether it is a year's total or mean (the guide said
    # only "a flow's total, a level's mean", with a hundred metrics)
    listed = dict(re.findall(r"^- ([a-z_0-9]+) \(([^;]*); (?:flow|level)", guide[guide.index("The metrics of"):], re.M))
    assert listed["harm_gbp_total"] == "GBP/year" and listed["ocgs_active"] == "OCGs"
    assert set(yearly.metric) - set(listed) == set(wide.filter(like="lever_cost_gbp_").columns)
    assert "- lever_cost_gbp_<lever> (GBP/year; flow" in guide
    # the inputs it names are this experiment's, not another's
    assert "the experiment file (`lever.chb.hold_years`)" in guide and "recruitment_fill_rate" not in guide
    assert len(pd.read_csv(tmp_path / "export" / "outcomes.csv")) == 2
    definitions = pd.read_csv(tmp_path / "export" / "outcome_definitions.csv")
    assert definitions.to_dict("records") == [{"outcome": "harm", "metric": "harm_gbp_total", "area": "UK",
                                               "years": "1-1", "aggregation": "annual_sum",
                                               "what": "mean over those years of each year's total; undiscounted",
                                               "unit": "GBP/year"}]
    experiments = pd.read_csv(tmp_path / "export" / "experiments.csv")
    results = pd.read_csv(tmp_path / "out" / "sweep_results.csv")
    # the EMA layout: each run's future (sample) and policy, under the experiment file's names
    assert {"sample", "policy", "lever.chb.hold_years"} <= set(experiments.columns)
    assert sorted(experiments["lever.chb.hold_years"]) == sorted(results["lever.chb.hold_years"])
    assert "point" in experiments and "scenario" not in experiments  # the design point's name, as in the results
    assert set(experiments["areas_file"]) == {"built-in"} and set(experiments["national_scale"]) == {1.0}
    # where the runs took place is explained once, not listed among the experiment file's quantities
    assert "the experiment file (`lever.chb.hold_years`); then `areas_file` (the file's name" in guide
    # the columns described in the order the file has them
    inputs = guide[guide.index("`sample` (the sampled future)"):]
    described = sorted(("sample", "policy", "areas_file", "national_scale", "register"),
                       key=lambda c: inputs.index(f"`{c}`"))
    assert described == [c for c in experiments.columns if c in described]
    assert sorted(experiments["point"]) == sorted(results["point"])
    # the outcomes as sweep_results.csv (and twin analyse) read them, to the last digit
    exported = pd.read_csv(tmp_path / "export" / "outcomes.csv").set_index("run_id")["harm"]
    assert (exported.loc[results["run_id"]].to_numpy() == results["harm"].to_numpy()).all()
    # the yearly series read a batch of runs at a time (not every run's held at once): the same table
    import twin.export

    monkeypatch.setattr(twin.export, "SERIES_BATCH_RUNS", 1)
    assert main(["export", "--db", db, "--out", str(tmp_path / "batched")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "batched" / "yearly.csv"), yearly)
    # Parquet's row groups gather many runs' rows (one a run made files slow to read); last, as it may be skipped
    need("pyarrow")
    import pyarrow.parquet as pq

    assert main(["export", "--db", db, "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    assert pq.ParquetFile(tmp_path / "pq" / "yearly.parquet").metadata.num_row_groups == 1
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "pq" / "yearly.parquet"), yearly, check_dtype=False)


def test_export_says_when_a_sweep_looks_unfinished_or_has_failed_runs(tmp_path, capsys):
    import sqlalchemy as sa

    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert main(["export", "--db", db, "--out", str(tmp_path / "whole")]) == 0
    assert "Note" not in capsys.readouterr().err and "Note" not in (tmp_path / "whole" / "README.txt").read_text()
    engine = sa.create_engine(db)
    with engine.begin() as connection:  # one run failed: finished all the same, with a failure to retry
        first, second = [row[0] for row in connection.execute(sa.text("SELECT id FROM runs ORDER BY id"))]
        connection.execute(sa.text(f"UPDATE runs SET status = 'failed' WHERE id = {second}"))
    assert main(["export", "--db", db, "--out", str(tmp_path / "failed")]) == 0
    err = capsys.readouterr().err
    assert "Note: 1 run failed (rows of NaN in outcomes" in err and "retries it" in err and "unfinished" not in err
    with engine.begin() as connection:  # the other design point's run never ran
        connection.execute(sa.text(f"DELETE FROM runs WHERE id = {first}"))
    assert main(["export", "--db", db, "--out", str(tmp_path / "part")]) == 0
    note = ("experiment 1 looks unfinished: 1 run over 2 design points, from 0 to 1 replicates each "
            "(1 with none); run its `twin sweep` command again to finish it; 1 run failed")
    assert f"Note: {note}" in capsys.readouterr().err
    assert f"Note: {note}" in (tmp_path / "part" / "README.txt").read_text()


def test_export_after_a_uk_outcome_is_added_reads_it_as_the_sweep_wrote_it(tmp_path):
    """A UK outcome added to the file is the same sweep (no run runs again); the stored
    specification follows the file, so the export has the new outcome, read as sweep_results.csv reads it."""
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    common = ["--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]
    assert main(["sweep", str(path), *common]) == 0
    write(path, TINY + '[[outcome]]\nname = "arrests"\nmetric = "arrests"\nyears = [1, 1]\naggregation = "annual_sum"\n'
                       'better = "higher"\n')
    assert main(["sweep", str(path), *common]) == 0
    assert main(["export", "--db", db, "--out", str(tmp_path / "export")]) == 0
    results = pd.read_csv(tmp_path / "out" / "sweep_results.csv").set_index("run_id")
    exported = pd.read_csv(tmp_path / "export" / "outcomes.csv").set_index("run_id").loc[results.index]
    assert list(exported.columns[2:4]) == ["harm", "arrests"] and (exported["arrests"] == results["arrests"]).all()
    definitions = pd.read_csv(tmp_path / "export" / "outcome_definitions.csv")
    assert list(definitions["outcome"]) == ["harm", "arrests"]
    # the outcome taken out again: its column goes too, from the results and the export alike (the stored
    # runs still hold it); and the outcomes in the file's order
    write(path, TINY.replace("[[outcome]]", '[[outcome]]\nname = "convictions"\nmetric = "convictions"\n'
                             'years = [1, 1]\naggregation = "annual_sum"\nbetter = "higher"\n[[outcome]]'))
    assert main(["sweep", str(path), *common]) == 0
    assert main(["export", "--db", db, "--out", str(tmp_path / "ex2")]) == 0
    results = pd.read_csv(tmp_path / "out" / "sweep_results.csv")
    assert "arrests" not in results
    assert list(results.columns[-5:]) == ["convictions", "harm", "run_id", "setup_s", "run_s"]
    exported = pd.read_csv(tmp_path / "ex2" / "outcomes.csv")
    assert list(exported.columns) == ["point", "replicate", "run_id", "convictions", "harm"]
    # keyed by design point and replicate as the experiments file is (run_id follows the order runs finished in)
    experiments = pd.read_csv(tmp_path / "ex2" / "experiments.csv")
    assert exported[["point", "replicate", "run_id"]].equals(experiments[["point", "replicate", "run_id"]])


def test_an_empty_experiment_file_says_so(tmp_path):
    with pytest.raises(ScenarioError, match=r"empty.toml: the file is empty \(an experiment file has at least"):
        load_experiment(write(tmp_path / "empty.toml", ""))


def test_a_sweep_whose_results_replace_another_experiments_says_so(tmp_path, capsys):
    """Two experiment files of the same name write to the same folder: the second says it replaced
    the first's results (the database keeps both); running the same one again says nothing."""
    from twin.cli import main

    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    common = ["--db", db, "--workers", "1", "--out", str(tmp_path / "out")]
    first = write(tmp_path / "a.toml", TINY)
    second = write(tmp_path / "b.toml", TINY.replace("values = [0, 2]", "values = [0, 1]"))
    assert main(["sweep", str(first), *common]) == 0
    assert main(["sweep", str(first), *common]) == 0
    assert "held the results of experiment" not in capsys.readouterr().err
    assert main(["sweep", str(second), *common]) == 0
    assert f"held the results of experiment 1 ({first}); it now holds experiment 2's" in capsys.readouterr().err
    # analysing the first into that folder says whose results sit beside the analysis; the second, nothing
    assert main(["analyse", str(first), "--db", db, "--out", str(tmp_path / "out")]) == 0
    assert (f"Note: {tmp_path / 'out' / 'sweep_results.csv'} holds the results of experiment 2 ({second}), not of "
            f"experiment 1 in {db}, analysed here: give --out to keep them apart.") in capsys.readouterr().err
    assert main(["analyse", str(second), "--db", db, "--out", str(tmp_path / "out")]) == 0
    assert "holds the results of experiment" not in capsys.readouterr().err
    # the same experiment number in another database: the database is named (it read 'experiment 1, not of
    # experiment 1')
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert main(["sweep", str(first), "--db", other, "--workers", "1", "--out", str(tmp_path / "o2"), "--quiet"]) == 0
    assert main(["sweep", str(first), "--db", other, "--workers", "1", "--out", str(tmp_path / "o2"), "--quiet"]) == 0
    assert main(["analyse", str(second), "--db", db, "--out", str(tmp_path / "o2")]) == 0
    assert (f"holds the results of experiment 1 in {other} ({first}), not of experiment 2 in {db}"
            in capsys.readouterr().err)
    other_db = f"sqlite:///{tmp_path / 'other.db'}"  # experiment 2 there is not experiment 2 here
    assert main(["sweep", str(first), "--db", other_db, "--workers", "1", "--out", str(tmp_path / "out"),
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"held the results of experiment 2 in sqlite:///.*sweep.db \(.*b.toml\); it now holds "
                     r"experiment 1's in sqlite:///.*other.db", err)
    # the analysis of experiment 2 left beside experiment 1's results would be read as theirs: removed, and said
    assert ("that experiment's analysis (analysis.html, analysis.json, regret.csv) is removed from the folder: run "
            "`twin analyse` for this one." in err)
    assert not (tmp_path / "out" / "analysis.html").exists() and not (tmp_path / "out" / "analysis.json").exists()
    # the same database named another way, or a marker from before databases were recorded: no note
    again = f"sqlite:///{tmp_path / '..' / tmp_path.name / 'other.db'}"
    assert main(["sweep", str(first), "--db", again, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    (tmp_path / "out" / "experiment.json").write_text(json.dumps({"experiment_id": 1, "file": str(first)}))
    assert main(["sweep", str(first), "--db", other_db, "--workers", "1", "--out", str(tmp_path / "out"),
                 "--quiet"]) == 0
    assert "held the results" not in capsys.readouterr().err
    # a record edited by hand into other shapes is replaced, not read (a traceback before), by sweep and analyse
    for edited in ({"experiment": {"id": 1}, "database": {"url": 3}}, {"experiment_id": "1", "database": 3}, [1, 2]):
        (tmp_path / "out" / "experiment.json").write_text(json.dumps(edited))
        assert main(["analyse", str(first), "--db", other_db, "--out", str(tmp_path / "out")]) == 0
        assert main(["sweep", str(first), "--db", other_db, "--workers", "1", "--out", str(tmp_path / "out"),
                     "--quiet"]) == 0
        assert "held the results" not in capsys.readouterr().err
        assert json.loads((tmp_path / "out" / "experiment.json").read_text())["experiment_id"] >= 1


def test_an_interrupted_sweep_that_replaces_another_experiments_results_says_so(tmp_path, monkeypatch, capsys):
    """The results written on an interrupt replace the folder's too: the same note, and the marker
    then names the experiment whose runs the folder now holds."""
    import signal

    import twin.sweep as sweep_module
    from twin.cli import main

    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    common = ["--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]
    first = write(tmp_path / "a.toml", TINY)
    second = write(tmp_path / "b.toml", TINY.replace("values = [0, 2]", "values = [0, 1]"))
    assert main(["sweep", str(first), *common]) == 0
    real = sweep_module.run_sweep

    def interrupted_after_the_runs(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_module, "run_sweep", interrupted_after_the_runs)
    handler = signal.getsignal(signal.SIGINT)
    try:
        assert main(["sweep", str(second), *common]) == 130
    finally:
        signal.signal(signal.SIGINT, handler)
    err = capsys.readouterr().err
    assert f"held the results of experiment 1 ({first}); it now holds experiment 2's" in err and "interrupted" in err
    assert json.loads((tmp_path / "out" / "experiment.json").read_text())["experiment_id"] == 2


def test_a_sweep_stopped_by_lost_workers_writes_the_runs_it_finished(tmp_path, monkeypatch, capsys):
    """Workers or the scheduler lost mid-sweep: the finished runs were in the database, but the
    folder's sweep_results.csv was not written (an interrupt wrote it)."""
    import twin.sweep as sweep_module
    from twin.cli import main
    from twin.executor import WorkerLost

    real = sweep_module.run_sweep

    def lost_after_the_runs(*args, **kwargs):
        real(*args, **kwargs)
        raise WorkerLost("lost the Dask scheduler (CancelledError); finished runs are saved, run the command again")

    monkeypatch.setattr(sweep_module, "run_sweep", lost_after_the_runs)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    path = write(tmp_path / "a.toml", TINY)
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "twin: lost the Dask scheduler" in err
    assert (f"twin: 2 finished runs are saved in the database {db} (this command's and earlier ones', all the sweep "
            f"has so far: {tmp_path / 'out' / 'sweep_results.csv'})") in err
    assert len(pd.read_csv(tmp_path / "out" / "sweep_results.csv")) == 2


def test_runs_a_locked_database_will_not_take_are_kept_and_stored_by_the_next_command(tmp_path, monkeypatch, capsys):
    """Another program holding the database's lock past the wait: finished runs were lost with the
    command. They are kept in files beside the database, the command stops saying so, and the
    same command run again stores them instead of running them again."""
    import sqlite3

    import twin.store as store_module
    from twin.cli import main

    monkeypatch.setattr(store_module, "SQLITE_WAIT_S", 0.1)
    monkeypatch.setattr(store_module, "WRITE_ATTEMPTS", 2)
    path = tmp_path / "sweep.db"
    command = ["sweep", str(write(tmp_path / "a.toml", TINY)), "--db", f"sqlite:///{path}", "--workers", "1",
               "--out", str(tmp_path / "out"), "--quiet"]
    other = sqlite3.connect(path, check_same_thread=False)
    real_write = Store.write_run

    def locked_from_the_first_run(self, *args):
        if not other.in_transaction:  # the other program takes the lock once the experiment is registered
            other.execute("BEGIN IMMEDIATE")
        return real_write(self, *args)

    monkeypatch.setattr(Store, "write_run", locked_from_the_first_run)
    try:
        assert main(command) == 1
    finally:
        other.rollback()
        other.close()
    monkeypatch.setattr(Store, "write_run", real_write)
    err = capsys.readouterr().err
    kept = tmp_path / "sweep.db.kept-runs"
    assert (f"was locked by another program for longer than this command waited to store runs: 2 finished run(s) "
            f"are kept in {kept}") in err
    assert len(list(kept.glob("*.json"))) == 2
    # Files planted there are read as data, never run: a pickle is not opened; a file that is not a run
    # this program kept is left alone, with a warning naming it.
    planted = tmp_path / "planted.txt"
    (kept / "1-1-9.pickle").write_bytes(b"cos\nsystem\n(S'touch " + str(planted).encode() + b"'\ntR.")
    spec_hash = Store(f"sqlite:///{path}").experiment_key(1).spec_hash
    (kept / f"{spec_hash}-7-0.json").write_text('{"code": "import os"}')
    assert main(command[:-1]) == 0  # (without --quiet: its summary)
    out, err = capsys.readouterr()
    assert "every run was already in the database" in out and not planted.exists()
    assert f"Warning: {kept / f'{spec_hash}-7-0.json'}: not a finished run this program kept" in err
    assert "runs kept by an earlier version of this program (named 1-...) are not read" in err
    assert sorted(p.name for p in kept.iterdir()) == sorted(["1-1-9.pickle", f"{spec_hash}-7-0.json"])
    assert len(pd.read_csv(tmp_path / "out" / "sweep_results.csv")) == 2


def test_more_replicates_run_only_the_new_ones_and_fewer_read_the_first(tmp_path):
    """The number of replicates is not part of a sweep's identity (replicate r's seed does not
    depend on it): raising it runs only the new replicates, lowering it reads the first ones."""
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    first = run_sweep(_experiment(tmp_path, reps=1), store, SerialExecutor(), progress=False)
    more = run_sweep(_experiment(tmp_path, reps=2), store, SerialExecutor(), progress=False)
    assert more["experiment_id"] == first["experiment_id"] and (more["ran"], more["reused"]) == (4, 4)
    fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    alone = run_sweep(_experiment(tmp_path, reps=2), fresh, SerialExecutor(), progress=False)
    pd.testing.assert_frame_equal(_outcomes(store, more["experiment_id"]), _outcomes(fresh, alone["experiment_id"]))
    assert sweep_results(store, first["experiment_id"], reps=1)["replicate"].eq(0).all()
    assert len(sweep_results(store, first["experiment_id"], reps=1)) == 4


def test_a_sweep_is_the_same_experiment_whatever_path_names_it(tmp_path, monkeypatch):
    """The file named from another folder (or by an absolute path) is the same sweep: its levers'
    source path and its files' spelling are not part of what it is."""
    from twin.sweep import find_sweep

    _experiment(tmp_path)  # writes exp.toml
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.chdir(tmp_path)
    ran = run_sweep(load_experiment("exp.toml"), store, SerialExecutor(), progress=False)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    for spelling in ("../exp.toml", str(tmp_path / "exp.toml")):
        config = load_experiment(spelling)
        assert find_sweep(config, store) == ran["experiment_id"]
        assert run_sweep(config, store, SerialExecutor(), progress=False)["ran"] == 0


def test_a_misspelt_base_scenario_is_named_with_the_closest_file(tmp_path):
    body = TINY.replace(f'base = "{QUICK_CHB_PILOT}"', f'base = "{QUICK_CHB_PILOT.with_name("chb_pilot_no_spin_upp.toml")}"')
    with pytest.raises(ScenarioError, match=r"\[experiment\] base: scenario file '.*chb_pilot_no_spin_upp.toml' not found .*"
                                            r"did you mean '.*chb_pilot_no_spin_up.toml'\?"):
        load_experiment(write(tmp_path / "b.toml", body))


def test_a_cluster_address_that_never_answers_is_a_clear_error_not_a_hang(monkeypatch):
    """A port that accepts the connection but never speaks Dask (the dashboard's, a web server)
    held the client for good; now it gives up after `CONNECT_TIMEOUT_S` with a one-line error."""
    need("distributed")
    import socket

    import twin.executor_dask as executor_module
    from twin.errors import UserError

    monkeypatch.setattr(executor_module, "CONNECT_TIMEOUT_S", 3.0)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts (the kernel completes the handshake), never answers
    try:
        start = time.perf_counter()
        with pytest.raises(UserError, match=r"no Dask scheduler answered within 3 s .*usually 8786"):
            DaskExecutor(f"tcp://127.0.0.1:{silent.getsockname()[1]}")
        assert time.perf_counter() - start < 10
    finally:
        silent.close()


def test_a_cluster_host_that_does_not_resolve_is_named_at_once():
    need("distributed")
    from twin.errors import UserError

    start = time.perf_counter()  # `.invalid` never resolves (RFC 6761)
    with pytest.raises(UserError, match=r"tcp://nosuchhost.invalid:8786: host 'nosuchhost.invalid' not found"):
        DaskExecutor("tcp://nosuchhost.invalid:8786")
    assert time.perf_counter() - start < 5  # not the client's 10 s connect timeout


def test_more_workers_than_cores_is_warned_about(monkeypatch, capsys):
    import twin.executor as executor_module

    monkeypatch.setattr(executor_module, "usable_cores", lambda: 2)
    executor_module.make_executor(3).close()
    assert "Warning: --workers 3 is more than the 2 cores this command may use" in capsys.readouterr().err
    executor_module.make_executor(2).close()
    assert "Warning" not in capsys.readouterr().err


def test_a_dry_run_warns_of_more_workers_than_cores_as_the_sweep_would(tmp_path, monkeypatch, capsys):
    import twin.executor as executor_module
    from twin.cli import main

    monkeypatch.setattr(executor_module, "usable_cores", lambda: 2)
    path = write(tmp_path / "tiny.toml", TINY_SWEEP)
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["sweep", str(path), "--db", db, "--dry-run", "--workers", "3"]) == 0
    assert "Warning: --workers 3 is more than the 2 cores this command may use" in capsys.readouterr().err
    assert main(["sweep", str(path), "--db", db, "--dry-run", "--workers", "2"]) == 0
    assert "Warning" not in capsys.readouterr().err


def test_workers_left_out_are_one_a_usable_core_within_the_memory(monkeypatch):
    """Without --workers a command pinned to one core of a larger machine (a batch job's share, or
    `taskset`) started a worker for every core of the machine, and one capped in memory (a control
    group) as many as the machine's memory held."""
    import twin.executor as executor_module

    monkeypatch.setattr(executor_module.os, "sched_getaffinity", lambda pid: {3})
    monkeypatch.setattr(executor_module.os, "cpu_count", lambda: 64)
    assert executor_module.usable_cores() == 1 and executor_module.default_workers() == 1
    assert isinstance(executor_module.make_executor(None), executor_module.SerialExecutor)
    monkeypatch.setattr(executor_module.os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.setattr(executor_module, "_memory_mb", lambda: 3 * executor_module.WORKER_MEMORY_MB + 10)
    assert executor_module.default_workers() == 3
    monkeypatch.setattr(executor_module, "_memory_mb", lambda: None)
    assert executor_module.default_workers() == 8




def test_local_workers_end_on_sigterm_whatever_handler_the_command_set():
    """`close` stops workers with SIGTERM; the `twin` command's SIGTERM handler (which turns it
    into a clean stop) must not be inherited by the forked workers, or they would carry on."""
    import signal

    from twin import cli

    before = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, cli._interrupt_once)
    try:
        executor = LocalExecutor(2)
        try:
            defaults = [result for _, result in executor.run(sigterm_handler, [0, 1, 2, 3])]
        finally:
            executor.close()
    finally:
        signal.signal(signal.SIGTERM, before)
    assert defaults == [True] * 4


def test_a_sweep_of_policy_scenarios_exports_its_inputs(tmp_path):
    """A policy given as scenario files is an input named `scenario`; it must not take the place
    of the design point's name, which joins each run to its inputs."""
    from twin.cli import main

    pilot = QUICK_CHB_PILOT
    body = TINY.replace('[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
                        f'[[lever]]\nname = "scenario"\nvalues = ["{QUICK_BASELINE}", "{pilot}"]').replace(
        f'base = "{QUICK_CHB_PILOT}"', f'base = "{ROOT / "scenarios" / "baseline.toml"}"')
    path = write(tmp_path / "policies.toml", body)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert main(["export", "--db", db, "--out", str(tmp_path / "export")]) == 0
    experiments = pd.read_csv(tmp_path / "export" / "experiments.csv")
    assert experiments["point"].notna().all() and experiments["scenario"].notna().all()
    assert sorted(experiments["scenario"].map(lambda p: p.rsplit("/", 1)[-1])) == sorted(
        [QUICK_BASELINE.name, pilot.name])


def test_a_large_design_is_announced_before_it_is_built(tmp_path, monkeypatch, capsys):
    import twin.cli_sweep as cli_sweep
    import twin.sweep as sweep_module
    from twin.cli import main

    def broken(task, timings=None, kept=None):
        raise RuntimeError("not run here")

    monkeypatch.setattr(sweep_module, "simulate_targets", broken)
    monkeypatch.setattr(cli_sweep, "LARGE_DESIGN", 2)  # TINY samples 2 futures
    path = write(tmp_path / "exp.toml", TINY)
    main(["sweep", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}", "--workers", "1", "--out", str(tmp_path / "o")])
    assert "Building a design of 2 sampled futures x its policies x 1 replication(s)" in capsys.readouterr().err
    monkeypatch.setattr(cli_sweep, "LARGE_DESIGN", 3)
    main(["sweep", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}", "--workers", "1", "--out", str(tmp_path / "o")])
    assert "Building a design" not in capsys.readouterr().err


def test_a_base_whose_settings_scenario_policies_would_ignore_is_refused(tmp_path):
    from twin.sweep import load_experiment

    mybase = write(tmp_path / "mybase.toml", f'[scenario]\nname = "mybase"\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                   '[parameters]\nsoc_budget_gbp_per_year = 3.0e9\n')
    body = (f'[experiment]\nname = "rob"\nbase = "{mybase}"\nyears = 1\n[sampler]\nkind = "lhs"\nsize = 2\n'
            f'[[lever]]\nname = "scenario"\nvalues = ["{ROOT / "scenarios" / "baseline.toml"}", '
            f'"{ROOT / "scenarios" / "ct_powers.toml"}"]\n'
            '[[outcome]]\nname = "harm"\nmetric = "harm_gbp_total"\nyears = [1, 1]\naggregation = "annual_sum"\n')
    with pytest.raises(ScenarioError, match=r"\[experiment\] base: .*mybase.toml sets parameters, but the policies "
                                            r"are scenario files"):
        load_experiment(write(tmp_path / "rob.toml", body))
    plain = body.replace(str(mybase), str(ROOT / "scenarios" / "baseline.toml"))
    assert load_experiment(write(tmp_path / "rob2.toml", plain))["name"] == "rob"


def test_options_clearly_behind_another_by_paired_replications():
    from twin.analysis import analyse, behind_note

    # In every future: policy 0 costs 10, policy 1 costs 10.5 and policy 2 costs 13, each with the
    # replicate's own noise (sd 1) shared by every policy (paired seeds) plus a little of its own.
    rng = np.random.default_rng(4)
    rows = []
    for sample in range(12):
        for replicate in range(8):
            shared = rng.normal(0, 1)
            for policy, cost in ((0, 10.0), (1, 10.5), (2, 13.0)):
                rows.append({"sample": sample, "replicate": replicate, "policy": policy, "u": sample / 11,
                             "lever.x": policy, "cost": cost + shared + rng.normal(0, 0.05)})
    table = pd.DataFrame(rows)
    result = analyse(table, ["u"], ["lever.x"], "cost")
    by_policy = {p["policy"]: p for p in result["policies"]}
    # the paired gaps (0.5 and 3, se about 0.025) are far beyond the critical value (t, 7 degrees of
    # freedom, 0.025 one-sided: 2.36 se); unpaired (se about 0.5) the 0.5 gap would not be
    assert by_policy[0]["share_of_futures_clearly_behind"] == 0
    assert by_policy[1]["share_of_futures_clearly_behind"] == 1 and by_policy[2]["share_of_futures_clearly_behind"] == 1
    assert by_policy[2]["futures_judged"] == 12
    assert "clearly behind another option in 100% of 12 futures" in behind_note(by_policy[2])
    # the same with higher better: the outcome negated, the verdicts the same
    flipped = analyse(table.assign(cost=-table["cost"]), ["u"], ["lever.x"], "cost", lower_is_better=False)
    assert ({p["policy"]: p["share_of_futures_clearly_behind"] for p in flipped["policies"]}
            == {0: 0.0, 1: 1.0, 2: 1.0})
    # a gap within the noise: policy 1 the same as policy 0 but for noise of its own (sd 1, not shared);
    # wrongly behind policy 0 with chance 0.025 in each future (the one-sided test's share of 0.05),
    # so in at most 2 of 12 futures (3 or more: about 0.3%)
    tied_rows = [dict(r, cost=r["cost"] - 0.5 + rng.normal(0, 1)) if r["policy"] == 1 else r for r in rows]
    result = analyse(pd.DataFrame(tied_rows), ["u"], ["lever.x"], "cost")
    tied = {p["policy"]: p for p in result["policies"]}
    assert tied[1]["share_of_futures_clearly_behind"] <= 2 / 12 and tied[0]["share_of_futures_clearly_behind"] <= 2 / 12
    # a missing outcome leaves its future out, not the whole measure
    holed = table.copy()
    holed.loc[(holed["sample"] == 3) & (holed["replicate"] == 0) & (holed["policy"] == 1), "cost"] = np.nan
    with_hole = {p["policy"]: p for p in analyse(holed, ["u"], ["lever.x"], "cost")["policies"]}
    assert with_hole[2]["futures_judged"] == 11 and with_hole[2]["share_of_futures_clearly_behind"] == 1
    # without replications there is no test, and nothing is said
    single = analyse(table[table["replicate"] == 0], ["u"], ["lever.x"], "cost")
    assert np.isnan(single["policies"][0]["share_of_futures_clearly_behind"])
    assert behind_note(single["policies"][0]) == ""


def test_policies_with_the_same_outcomes_in_every_run_are_found():
    """The shipped funding sweep had four budgets above the hiring cap giving identical runs, each
    'best in 75%' of futures: the analysis says which policies cannot be told apart at all."""
    from twin.analysis import identical_policies

    rows = [{"sample": s, "replicate": r, "policy": p, "harm": 10.0 * s + r + (p if p in (0, 1) else 5)}
            for s in range(3) for r in range(2) for p in range(4)]
    table = pd.DataFrame(rows)
    assert identical_policies(table, ["harm"]) == [[2, 3]]
    table.loc[(table.policy == 3) & (table["sample"] == 2) & (table.replicate == 1), "harm"] += 1e-9
    assert identical_policies(table, ["harm"]) == []  # one run apart is apart


def test_policy_labels_keep_every_digit_a_setting_has():
    """Labels rounded to four digits merged two policies (and one's PRIM box overwrote the other's)."""
    from twin.analysis import _label

    assert _label("share", 0.33333) != _label("share", 0.33334)
    assert _label("lever.funding.budget_gbp_per_year", 860000000.0) == "lever.funding.budget_gbp_per_year=860,000,000"


def test_an_experiments_step_is_its_policy_files_when_the_policies_are_scenario_files(tmp_path):
    """Weekly policy files under a plain base: analyse labelled a mean GBP/month while the export
    said GBP/week; both read the step the runs had."""
    from twin.sweep import experiment_step

    weekly = write(tmp_path / "weekly.toml", f'[scenario]\nname = "weekly"\nbase = "{QUICK_BASELINE}"\nstep = "week"\n')
    body = TINY.replace('[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
                        f'[[lever]]\nname = "scenario"\nvalues = ["{weekly}"]').replace(
        f'base = "{QUICK_CHB_PILOT}"', f'base = "{ROOT / "scenarios" / "baseline.toml"}"')
    assert experiment_step(load_experiment(write(tmp_path / "policies.toml", body))) == "week"
    assert experiment_step(load_experiment(write(tmp_path / "plain.toml", TINY))) == "month"


def test_policies_that_are_scenario_files_are_named_by_file_in_the_results(tmp_path):
    """The runs read a policy's scenario file by its full path; the results name it by its file
    name, which means the same on any machine the results are read on."""
    body = (f'[experiment]\nname = "files"\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\nyears = 1\n'
            '[sampler]\nkind = "lhs"\nsize = 1\n'
            f'[[lever]]\nname = "scenario"\nvalues = ["{ROOT / "scenarios" / "baseline.toml"}", '
            f'"{ROOT / "scenarios" / "ct_powers.toml"}"]\n'
            '[[outcome]]\nname = "harm"\nmetric = "harm_gbp_total"\nyears = [1, 1]\naggregation = "annual_sum"\n')
    config = load_experiment(write(tmp_path / "files.toml", body))
    store = Store(f"sqlite:///{tmp_path / 'f.db'}")
    outcome = run_sweep(config, store, SerialExecutor(), progress=False)
    table = sweep_results(store, outcome["experiment_id"])
    assert list(table["scenario"]) == ["baseline.toml", "ct_powers.toml"]
    assert table["status"].eq("done").all()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
def test_local_workers_end_when_their_command_is_killed_outright(tmp_path):
    """kill -9 of the command, which no handler sees: its worker processes, busy with a run, end on
    their own within seconds instead of idling on with a model in memory."""
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "worker.pid"
    script = write(tmp_path / "command.py", f'''
import os, time
from twin.executor import LocalExecutor

def work(task):
    open({str(pid_file)!r}, "w").write(str(os.getpid()))
    time.sleep(120)

if __name__ == "__main__":
    for _ in LocalExecutor(1).run(work, [1]):
        pass
''')
    command = subprocess.Popen([sys.executable, str(script)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()):
            assert time.monotonic() < deadline and command.poll() is None, "the worker never started"
            time.sleep(0.1)
        worker = int(pid_file.read_text())
        assert process_running(worker)
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    deadline = time.monotonic() + 10
    while process_running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not process_running(worker)


def test_policy_scenario_files_sharing_a_file_name_are_refused(tmp_path):
    """The results name a policy given as a scenario file by its file name: two files of one name in
    different folders would be merged into one policy, so the experiment is refused, naming them."""
    (tmp_path / "alt").mkdir()
    other = write(tmp_path / "alt" / QUICK_BASELINE.name, f'[scenario]\nname = "alt"\nbase = "{QUICK_BASELINE}"\n')
    body = TINY.replace('[[lever]]\nname = "lever.chb.hold_years"\nvalues = [0, 2]',
                        f'[[lever]]\nname = "scenario"\nvalues = ["{QUICK_BASELINE}", "{other}"]').replace(
        f'base = "{QUICK_CHB_PILOT}"', f'base = "{ROOT / "scenarios" / "baseline.toml"}"')
    with pytest.raises(ScenarioError, match=rf"\[\[lever\]\] #1 \(scenario\): values: the files .*{QUICK_BASELINE.name}"
                                            r".* share a file name, which names a policy in the results; rename one"):
        load_experiment(write(tmp_path / "policies.toml", body))


def test_prim_finds_a_box_on_a_factorial_grid():
    """On a grid (3 levels of each of two uncertainties) a 5% quantile is the edge value itself and
    cuts nothing: the box must still close on the level where the bad futures are."""
    from twin.analysis import choose_box, prim

    levels = [0.05, 0.1, 0.2]
    grid = pd.DataFrame([{"fill": a, "reserve": b} for a in levels for b in (3, 6, 12)])
    bad = (grid["fill"] == 0.05).to_numpy()
    box = choose_box(prim(grid, bad))
    assert box["limits"]["fill"][1] == 0.05 and box["density"] == 1.0 and box["coverage"] == 1.0


def test_prim_boxes_close_on_the_futures_they_hold():
    """A box's edges are values of the futures inside it, not the quantiles it was cut at: on a grid
    of 3, 7.5 and 12 a cut at 7.27 kept the 3s alone and read 'in [3, 7.27]' (now '= 3')."""
    from twin.analysis import describe_box, prim

    rng = np.random.default_rng(4)
    x = pd.DataFrame({"reserve": [3.0] * 95 + [7.5] * 5, "u": rng.random(100)})
    bad = ((x["reserve"] == 3.0) & (x["u"] < 0.6)).to_numpy()
    trajectory = prim(x, bad)
    assert len(trajectory) > 3
    for box in trajectory:
        for column, (low, high) in box["limits"].items():
            assert low in set(x[column]) and high in set(x[column]), (column, low, high)
    last = trajectory[-1]
    assert last["limits"]["reserve"] == [3.0, 3.0]
    entry = {"box": dict(last, restricted={"reserve": last["limits"]["reserve"]}, futures=100)}
    assert "reserve = 3 " in describe_box("x", entry)


def test_an_option_behind_by_the_same_amount_everywhere_has_no_worst_quarter():
    """Its regret is the same in every future (a fixed spend): not '100% of futures in its worst
    quarter, spread across them', but the same amount everywhere. A constant outcome scores n/a."""
    from twin.analysis import analyse, describe_box

    rows = [{"sample": sample, "policy": policy, "u": sample / 9, "lever.x": policy,
             "spend": 25e6 * policy + 0.0 * sample} for sample in range(10) for policy in (0, 1)]
    result = analyse(pd.DataFrame(rows), ["u"], ["lever.x"], "spend", unit="GBP/year")
    assert describe_box("lever.x=1", result["prim"]["lever.x=1"]) == (
        "lever.x=1: behind the best option by the same amount in every sampled future (£25.0m a year): no region "
        "of the uncertainties matters")
    assert np.isnan(result["feature_scores"]["u"])


def test_outcomes_over_whole_years_need_a_horizon_of_a_year(tmp_path):
    """A horizon under a year, with outcomes of their own years or not: said of the horizon (an outcome's
    years were refused as 'expected [first, last] with 1 <= first <= last <= 0.5', which no years meet)."""
    body = TINY.replace("years = 1\n[sampler]", "years = 0.5\n[sampler]")
    for name, text in (("half.toml", body.replace("years = [1, 1]\n", "")), ("given.toml", body)):
        with pytest.raises(ScenarioError, match=r"\[experiment\] years = 0.5: a sweep reads its outcomes over whole "
                                                r"years; expected at least 1"):
            load_experiment(write(tmp_path / name, text))


def test_a_horizon_of_part_years_warns_that_its_last_part_is_in_no_outcome(tmp_path):
    """A 1.5-year horizon's outcomes, without years of their own, are read over year 1 alone."""
    body = TINY.replace("years = 1\n[sampler]", "years = 1.5\n[sampler]")
    assert not any("whole years" in w for w in load_experiment(write(tmp_path / "given.toml", body))["warnings"])
    config = load_experiment(write(tmp_path / "part.toml", body.replace("years = [1, 1]\n", "")))
    assert [w for w in config["warnings"] if "whole years" in w] == [
        f"{tmp_path / 'part.toml'}: [[outcome]] without 'years' are read over years 1-1, whole years: the last 0.5 "
        f"year of the 1.5-year horizon is in none of them"]
    assert config["outcomes"][0].years == (1, 1)


def test_the_analysis_of_an_unfinished_sweep_counts_the_runs_it_uses_and_those_stored(tmp_path):
    import sqlalchemy as sa

    from twin.cli import main

    two_futures = TINY.replace("[[lever]]", '[[uncertainty]]\nname = "recruitment_fill_rate_per_month"\nlow = 0.05\n'
                                              'high = 0.2\n[[lever]]')
    path = write(tmp_path / "exp.toml", two_futures)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    engine = sa.create_engine(db)
    with engine.begin() as connection:  # one policy's run in one future is missing: that future is left out
        last = connection.execute(sa.text("SELECT MAX(id) FROM runs")).scalar()
        stored = connection.execute(sa.text("SELECT COUNT(*) FROM runs")).scalar() - 1
        connection.execute(sa.text(f"DELETE FROM runs WHERE id = {last}"))
    engine.dispose()
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "analysis")]) == 0
    page = (tmp_path / "analysis" / "analysis.html").read_text()
    used = stored - 1  # the future's other policy is left out with it
    assert f"{used} finished runs (of {stored} stored; see the note)" in page


def test_a_command_stopped_by_a_user_error_leaves_no_empty_output_folder(tmp_path, capsys):
    """`twin analyse` of an experiment not in the database fails after its output folder was made:
    the folders it made and left empty go (one already there, or with anything in it, stays)."""
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(db)  # a database, without this sweep
    out = tmp_path / "new" / "analysis"
    assert main(["analyse", str(path), "--db", db, "--out", str(out)]) == 2
    assert "not run yet" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    assert main(["analyse", str(path), "--db", db, "--out", str(kept / "analysis")]) == 2
    assert kept.is_dir() and not (kept / "analysis").exists()
    # reached through a folder that is not there: the one already there is still not the command's
    assert main(["analyse", str(path), "--db", db, "--out", str(tmp_path / "gone" / ".." / "kept" / "analysis")]) == 2
    assert kept.is_dir()


def test_an_analysis_of_one_policy_ranks_nothing(tmp_path, capsys):
    """One policy was 'best in 100% of futures' with the smallest maximum regret (of zero); with no
    uncertainty either, there is nothing at all to analyse."""
    from twin.cli import main

    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    alone = write(tmp_path / "alone.toml", TINY.replace("values = [0, 2]", "values = [2]"))
    assert main(["sweep", str(alone), "--db", db, "--workers", "1", "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["analyse", str(alone), "--db", db, "--out", str(tmp_path / "a")]) == 2
    assert "nothing to analyse: one policy and no [[uncertainty]]" in capsys.readouterr().err
    sampled = write(tmp_path / "sampled.toml", TINY.replace("values = [0, 2]", "values = [2]").replace(
        "[[lever]]", '[[uncertainty]]\nname = "entry_rate_per_month"\nlow = 0.1\nhigh = 0.5\n[[lever]]'))
    assert main(["sweep", str(sampled), "--db", db, "--workers", "1", "--out", str(tmp_path / "s"), "--quiet"]) == 0
    assert main(["analyse", str(sampled), "--db", db, "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "harm (lower is better): one policy (lever.chb.hold_years=2), nothing to rank it against" in out
    assert "smallest maximum regret" not in out and "best in every sampled future" not in out
    assert "no PRIM boxes: one policy, nothing to fall behind" in out
    # the verdict says what moves the outcome "is below": with 2 futures, why there is nothing (it said nothing)
    assert "no scores of what moves the outcome: 2 sampled future(s), and rank correlations need at least 8" in out
    page = (tmp_path / "s" / "analysis.html").read_text()
    for ranking in ("best in every sampled future", "ordered by maximum regret", "best in (share of futures)"):
        assert ranking not in page, ranking
    assert "the one policy (nothing to rank it against)" in page
    (policy,) = json.loads((tmp_path / "s" / "analysis.json").read_text())["outcomes"][0]["policies"]
    assert set(policy) == {"policy", "settings", "mean_outcome"}


def test_a_dry_run_says_what_a_sweep_would_run_and_runs_nothing(tmp_path, capsys):
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    db_file = tmp_path / "sweep.db"
    db = f"sqlite:///{db_file}"
    assert main(["sweep", str(path), "--db", db, "--out", str(tmp_path / "out"), "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"{path}: 1 sampled future(s) x 2 policies = 2 design points, x 1 replication(s) = 2 runs; "
                           f"none of them stored in {db} (no sweep of this file with this code); 2 to run.")
    assert not db_file.exists() and not (tmp_path / "out").exists()  # nothing made
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    more = write(tmp_path / "exp.toml", TINY.replace('years = 1\n', 'years = 1\nreps = 3\n'))
    capsys.readouterr()
    assert main(["sweep", str(more), "--db", db, "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "x 3 replication(s) = 6 runs; 2 of them already finished in" in said and "; 4 to run." in said
    store = Store(db)
    assert len(store.runs_frame(1)) == 2  # the dry run added no run
    # a run another command kept in a file while the database was locked: finished, stored next time
    # (the dry run counted it as to run)
    store.kept_folder().mkdir()
    first, second = store.scenario_ids(1)
    from twin.kept_runs import kept_path, kept_text

    key = store.experiment_key(1)
    for (sid, replicate), status in (
            ((first, 2), "done"),  # finished, not stored yet: counted
            ((second, 2), "failed"),  # a failed run: to run again
            ((first, 0), "done"),  # stored meanwhile by another command: counted once
            ((second, 5), "done")):  # a replicate beyond reps = 3
        kept_path(store.kept_folder(), key, sid, replicate).write_text(
            kept_text(key, sid, replicate, 1, {"status": status}))
    assert main(["sweep", str(more), "--db", db, "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "3 of them already finished in" in said and "; 3 to run." in said
    assert f"1 of them kept in {store.kept_folder()} while it was locked" in said


@pytest.mark.parametrize("mistake", ["out_is_a_file", "db_folder_is_a_file", "db_read_only", "too_many_workers"])
def test_a_dry_run_refuses_what_the_sweep_would_refuse(tmp_path, capsys, monkeypatch, mistake):
    """Each of these passed the dry run (exit 0, "2 to run") and stopped the sweep itself; the
    read-only database stopped it with a database error, exit 1, after the kernels compiled."""
    import twin.executor as executor
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY)
    afile = write(tmp_path / "afile.txt", "mine")
    read_only = tmp_path / "ro.db"
    Store(f"sqlite:///{read_only}")  # a database of twin's, opened below to reading only
    argv = {"out_is_a_file": ["--out", str(afile)], "db_folder_is_a_file": ["--db", f"sqlite:///{afile}/x.db"],
            "db_read_only": ["--db", f"sqlite:///file:{read_only}?mode=ro&uri=true"],
            "too_many_workers": ["--workers", "4"]}[mistake]
    monkeypatch.setattr(executor, "_memory_mb", lambda: 1000)
    monkeypatch.setattr(executor, "warm_up", lambda *a, **k: pytest.fail("compiled before the mistake was found"))
    base = ["sweep", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}", "--out", str(tmp_path / "out")]
    words = {"out_is_a_file": f"--out '{afile}': '{afile}' is a file, not a folder",
             "db_folder_is_a_file": f"'{afile}' is a file, not a folder",
             "db_read_only": "and the database can only be read (its URL opens it to reading only: mode=ro",
             "too_many_workers": "--workers 4: each worker holds a model in memory"}[mistake]
    for dry in (["--dry-run"], []):  # the dry run, then the sweep: both refuse, before compiling anything
        assert main([*base, *argv, *dry]) == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists() and not (tmp_path / "out").exists()


def test_a_grid_extended_by_a_value_takes_the_runs_it_shares_from_the_earlier_sweep(tmp_path, capsys):
    """Adding one lever value made another sweep, and every run ran again (18 where 6 were new);
    the runs of the same scenario, seed and code are now copied, with the same results to the last bit."""
    from twin.cli import main

    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    common = ["--db", db, "--workers", "1", "--quiet"]
    first = write(tmp_path / "first.toml", TINY)
    assert main(["sweep", str(first), *common, "--out", str(tmp_path / "a")]) == 0
    wider = write(tmp_path / "wider.toml", TINY.replace("values = [0, 2]", "values = [0, 1, 2]"))
    capsys.readouterr()
    assert main(["sweep", str(wider), "--db", db, "--dry-run"]) == 0
    assert "= 3 runs; none of them stored in" in (said := capsys.readouterr().out) and \
        "; 2 to take from earlier sweeps of the same design points; 1 to run." in said
    assert main(["sweep", str(wider), *common[:-1], "--out", str(tmp_path / "b")]) == 0  # (its summary: no --quiet)
    said = capsys.readouterr().out
    assert "1 runs now" in said and "; 2 run(s) taken from earlier sweeps of the same design points" in said
    machine = ["run_id", "setup_s", "run_s"]
    a = pd.read_csv(tmp_path / "a" / "sweep_results.csv").set_index("lever.chb.hold_years")
    b = pd.read_csv(tmp_path / "b" / "sweep_results.csv").set_index("lever.chb.hold_years")
    assert (b.loc[[0, 2], "harm"] == a.loc[[0, 2], "harm"]).all()
    # as a sweep of the wider file from scratch gives them
    fresh_db = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert main(["sweep", str(wider), "--db", fresh_db, "--workers", "1", "--quiet", "--out", str(tmp_path / "c")]) == 0
    c = pd.read_csv(tmp_path / "c" / "sweep_results.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "b" / "sweep_results.csv").drop(columns=machine),
                                  c.drop(columns=machine))
    # an outcome of one area is read off what each run stored, which the earlier file did not ask for: no copy
    local = write(tmp_path / "local.toml", TINY.replace("values = [0, 2]", "values = [0, 2, 3]").replace(
        'aggregation = "annual_sum"\n', 'aggregation = "annual_sum"\narea = "Merseyside"\n'))
    capsys.readouterr()
    assert main(["sweep", str(local), *common[:-1], "--out", str(tmp_path / "d")]) == 0
    said = capsys.readouterr().out
    assert "3 runs now" in said and "taken from earlier sweeps" not in said


def test_a_design_points_run_key_leaves_its_name_out():
    from twin.scenario import load_scenario
    from twin.run_reuse import run_key

    base = load_scenario(QUICK_CHB_PILOT)
    from dataclasses import replace

    assert run_key(replace(base, name="point_0_1")) == run_key(replace(base, name="point_0_2"))
    assert run_key(base) != run_key(replace(base, years=base.years + 1))


def test_runs_made_with_other_package_versions_are_not_copied(tmp_path):
    """The same scenario, seed and code under other numpy or numba versions may differ in the last
    digits: such runs are not taken (a sweep resumed under them is warned of, as before)."""
    import sqlalchemy as sa

    from twin.ensemble import provenance
    from twin.store_schema import experiments
    from twin.run_reuse import reusable_runs

    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    first = run_sweep(load_experiment(write(tmp_path / "a.toml", TINY)), store, SerialExecutor(), progress=False)
    info = provenance()
    assert len(reusable_runs(store, -1, info["code_hash"], info["packages"])) == 2
    assert reusable_runs(store, -1, "another code", info["packages"]) == {}
    with store.engine.begin() as connection:
        connection.execute(sa.update(experiments).where(experiments.c.id == first["experiment_id"]).values(
            packages_json=json.dumps({**info["packages"], "numpy": "1.26.0"})))
    assert reusable_runs(store, -1, info["code_hash"], info["packages"]) == {}
    wider = load_experiment(write(tmp_path / "b.toml", TINY.replace("values = [0, 2]", "values = [0, 1, 2]")))
    outcome = run_sweep(wider, store, SerialExecutor(), progress=False)
    assert outcome["copied"] == 0 and outcome["ran"] == 3


def test_a_sampled_value_a_register_cannot_use_is_named_as_the_uncertainty_it_is(tmp_path):
    """The message named the lever setting of the point only, though the uncertainty's sample was the cause."""
    body = TINY.replace("[[lever]]", '[[uncertainty]]\nname = "members_known_uk"\nlow = 59000\nhigh = 3000000\n'
                                     '[[lever]]')
    with pytest.raises(ScenarioError, match=r"the design point with \[\[lever\]\] #1 lever.chb.hold_years = 0, "
                                            r"\[\[uncertainty\]\] #1 members_known_uk = [\d.e+]+ "
                                            r"\(sampled future \d+\) "
                                            r"is not a valid scenario: members_known_uk = "):
        load_experiment(write(tmp_path / "sampled.toml", body))


def test_a_policy_whose_own_file_is_wrong_is_named_as_the_policy_not_as_a_sampled_future(tmp_path):
    """A policy scenario with an unknown area was reported as 'the design point with ... = 0.604645 (sampled
    future 0)', as though the sample were the cause: it fails whatever the future."""
    policy = write(tmp_path / "policy.toml", f'[scenario]\nname = "p"\nbase = "{QUICK_BASELINE}"\n'
                   '[[levers]]\ntype = "clear"\nareas = ["West Midland"]\n')
    body = TINY.replace("[[lever]]\nname = \"lever.chb.hold_years\"\nvalues = [0, 2]",
                        f'[[uncertainty]]\nname = "operation_success_base"\nlow = 0.5\nhigh = 0.9\n'
                        f'[[lever]]\nname = "scenario"\nvalues = ["{QUICK_BASELINE}", "{policy}"]').replace(
        f'base = "{QUICK_CHB_PILOT}"', f'base = "{ROOT / "scenarios" / "baseline.toml"}"')  # (a plain base)
    with pytest.raises(ScenarioError) as refused:
        load_experiment(write(tmp_path / "policies.toml", body))
    assert str(refused.value).startswith(
        f"{tmp_path / 'policies.toml'}: the policy [[lever]] #1 scenario = {policy} is not a valid scenario on its "
        f"own (whatever the sampled future): {policy}: [[levers]] #1 (clear): unknown area 'West Midland'; did you "
        f"mean 'West ")
    assert "sampled future 0" not in str(refused.value)
    # a policy valid on its own that a sampled value makes inconsistent: that design point, with its sample
    write(policy, f'[scenario]\nname = "p"\nbase = "{QUICK_BASELINE}"\n[parameters]\nshare_violent = 0.6\n')
    with pytest.raises(ScenarioError, match=r"the design point with \[\[lever\]\] #1 scenario = .*policy.toml, "
                                            r"\[\[uncertainty\]\] #1 share_serious_violence = [\d.]+ \(sampled "
                                            r"future \d+\) is not a valid scenario: .*share_serious_violence"):
        load_experiment(write(tmp_path / "policies.toml", body.replace(
            "operation_success_base\"\nlow = 0.5\nhigh = 0.9", "share_serious_violence\"\nlow = 0.61\nhigh = 0.65")))


def test_a_misspelt_base_scenario_is_pointed_to_a_scenario_not_to_a_sweep_file(tmp_path):
    """'othr.toml' was pointed to 'other.toml', a sweep's experiment file beside it."""
    (tmp_path / "other.toml").write_text(TINY)  # a sweep, not a scenario
    bad = write(tmp_path / "bad.toml", TINY.replace(f'base = "{QUICK_CHB_PILOT}"', 'base = "othr.toml"'))
    with pytest.raises(ScenarioError, match=r"scenario file 'othr.toml' not found") as refused:
        load_experiment(bad)
    assert "did you mean" not in str(refused.value)
    (tmp_path / "other.toml").write_text((ROOT / "scenarios" / "baseline.toml").read_text())  # now a scenario
    with pytest.raises(ScenarioError, match=r"scenario file 'othr.toml' not found .*; did you mean 'other.toml'\?"):
        load_experiment(bad)


def test_the_next_command_gives_a_database_url_without_its_password_not_masked():
    """'Next: twin analyse ... --db postgresql://twin:***@host/db' pasted back failed to connect: the
    password is left out (PostgreSQL reads it from PGPASSWORD or ~/.pgpass), the rest as given."""
    from twin.database_url import without_password

    assert without_password("postgresql://twin:s%40cret@127.0.0.1:5432/db") == "postgresql://twin@127.0.0.1:5432/db"
    for url in ("sqlite:///results/x.db", "postgresql://u@h/db?options=-csearch_path%3Dx",
                "sqlite:///file:/a/b.db?mode=ro&uri=true"):
        assert without_password(url) == url


def test_a_lever_grid_extended_is_not_said_to_have_changed_an_uncertaintys_values():
    """Two samples crossed with 2 and then 3 lever values: the uncertainty's list per design point
    changed, its values did not; the note named both as "other values"."""
    from twin.sweep_notes import _settings_changed

    def spec(grid):
        points = [(sample, value) for sample in (0, 1) for value in grid]
        return {"base": "b", "seed": 1, "outcomes": [], "points": {
            "sample": [s for s, _ in points], "policy": [grid.index(v) for _, v in points],
            "entry_rate_per_month": [(0.2, 0.7)[s] for s, _ in points], "lever.chb.hold_years": [v for _, v in points]}}

    said = _settings_changed(spec([0, 2]), spec([0, 2, 4]))
    assert said == "other values of lever.chb.hold_years (another range, sampler or level); 4 design points then, 6 now"
    moved = spec([0, 2])
    moved["points"]["entry_rate_per_month"] = [0.3, 0.3, 0.7, 0.7]  # another range: said
    assert _settings_changed(spec([0, 2]), moved).startswith("other values of entry_rate_per_month (")
    # nor a policy file's contents, when the policies are scenario files (by their contents' hashes)
    files = [spec(grid) for grid in ([0, 2], [0, 2, 4])]
    for one in files:
        one["points"]["scenario"] = ["hash_a" if k % 2 else "hash_b" for k in range(len(one["points"]["sample"]))]
    assert "policy scenario file" not in _settings_changed(*files)
    files[1]["points"]["scenario"][0] = "hash_c"  # a file edited: said
    assert _settings_changed(*files).endswith("; a policy scenario file's contents")


def test_a_policy_whose_runs_always_fail_is_left_out_of_the_analysis_and_the_rest_ranked(tmp_path, capsys):
    """A policy failing in every future kept every future out ('no sampled future has finished runs for
    every policy yet; run `twin sweep` again to finish', which could never finish): it is left out, said
    with its settings and error, and the other policies are ranked."""
    from twin.cli import main

    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    broken = write(tmp_path / "broken.toml", TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                                                          'name = "lever.chb.intensity"\nvalues = [1, 0.5, 1e300]'))
    assert main(["sweep", str(broken), "--db", db, "--workers", "1", "--out", str(tmp_path / "b"), "--quiet"]) == 1
    capsys.readouterr()
    assert main(["analyse", str(broken), "--db", db, "--out", str(tmp_path / "b")]) == 0
    captured = capsys.readouterr()
    assert ("every run of 1 policy failed, so the analysis leaves it out and ranks the other 2 (a run that fails each "
            "time fails again in `twin sweep`): policy 2 (lever.chb.intensity=1e+300): PopulationError: the run "
            "stopped at step") in captured.err
    assert "smallest maximum regret, policy " in captured.out and "lever.chb.intensity=1e+300" not in captured.out
    record = json.loads((tmp_path / "b" / "analysis.json").read_text())
    assert "every run of 1 policy failed" in json.dumps(record)  # the analysis's record says so too


def test_a_table_of_lever_settings_is_also_one_column_per_setting(tmp_path):
    """A budget split given as a table (`lever.funding` = {share_forces = ...}) sat in one column of
    JSON text in sweep_results.csv and the export: each setting now has a column of its own too."""
    from twin.cli import main

    funded = write(tmp_path / "funded.toml", f'[scenario]\nname = "funded"\nbase = "{QUICK_BASELINE}"\n'
                                             '[[levers]]\ntype = "funding"\nbudget_gbp_per_year = 1.0e9\n')
    body = (f'[experiment]\nname = "split"\nbase = "{funded}"\nyears = 1\n[[lever]]\nname = "lever.funding"\n'
            'values = [{share_forces = 0.45, share_rocu = 0.20, share_nca = 0.35}, '
            '{share_forces = 0.30, share_rocu = 0.20, share_nca = 0.50}]\n'
            '[[outcome]]\nname = "harm"\nmetric = "harm_gbp_total"\n')
    path = write(tmp_path / "split.toml", body)
    db = f"sqlite:///{tmp_path / 'sweep.db'}"
    assert main(["sweep", str(path), "--db", db, "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    results = pd.read_csv(tmp_path / "out" / "sweep_results.csv")
    assert list(results["lever.funding.share_forces"]) == [0.45, 0.30]
    assert list(results["lever.funding.share_nca"]) == [0.35, 0.50]
    assert json.loads(results["lever.funding"][1]) == {"share_forces": 0.30, "share_rocu": 0.20, "share_nca": 0.50}
    assert main(["export", "--db", db, "--out", str(tmp_path / "export")]) == 0
    experiments = pd.read_csv(tmp_path / "export" / "experiments.csv")
    assert list(experiments["lever.funding.share_rocu"]) == [0.20, 0.20]


def test_why_no_run_is_taken_from_earlier_sweeps_is_said_when_an_outcome_is_an_area_s(tmp_path):
    """A grown design with an area's outcome ran every point again ('60 to run') without saying why."""
    from twin.cli_sweep import _no_copies

    area = load_experiment(write(tmp_path / "area.toml", TINY.replace(
        'metric = "harm_gbp_total"', 'metric = "harm_gbp_total"\narea = "Merseyside"')))
    assert _no_copies(area) == (" (none taken from earlier sweeps: the outcome harm of an area, region or nation "
                                "needs runs that record it, which runs keep only for the UK)")
    assert _no_copies(load_experiment(write(tmp_path / "uk.toml", TINY))) == ""


def test_a_sweeps_table_is_read_and_written_with_its_folder_locked(tmp_path, monkeypatch):
    """Parts of a sweep ending together: one read the table, another then wrote a fuller one, and the first
    wrote its older read over it. The read and the write now happen under a lock on the folder (the
    last to write has read every run the others stored): here the folder is seen locked while it reads."""
    import fcntl

    import twin.sweep_reading
    from twin.cli import main

    original, locked = twin.sweep_reading.sweep_results, []

    def reading(*args, **kwargs):
        handle = os.open(tmp_path / "o", os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            locked.append(False)
        except BlockingIOError:
            locked.append(True)
        finally:
            os.close(handle)
        return original(*args, **kwargs)

    monkeypatch.setattr(twin.sweep_reading, "sweep_results", reading)
    path = write(tmp_path / "exp.toml", TINY)
    assert main(["sweep", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "o")]) == 0
    assert locked == [True] and len(pd.read_csv(tmp_path / "o" / "sweep_results.csv")) == 2


def test_a_sweep_run_in_parts_gives_the_runs_of_the_whole_sweep(tmp_path, capsys):
    """An array job without Dask split nothing: two commands on one sweep each ran every run. With
    --shard I/N each runs its part (whole sampled futures' replicates), and the parts together store
    the same runs, with the same results, as one command."""
    from twin.cli import main

    path = write(tmp_path / "exp.toml", TINY.replace(  # 2 sampled futures x 2 policies
        "[[lever]]", '[[uncertainty]]\nname = "entry_rate_per_month"\nlow = 0.1\nhigh = 0.5\n[[lever]]'))
    parts, whole = f"sqlite:///{tmp_path / 'parts.db'}", f"sqlite:///{tmp_path / 'whole.db'}"
    assert main(["sweep", str(path), "--db", parts, "--workers", "1", "--out", str(tmp_path / "p"),
                 "--shard", "1/2"]) == 0
    out = capsys.readouterr().out
    assert "part 1 of 2: 2 runs now" in out and "(2 of the sweep's 4 runs stored so far)" in out
    assert "once every part has finished" in out
    part = pd.read_csv(tmp_path / "p" / "sweep_results.csv")  # whole futures: their policies share a spin-up
    assert list(part["sample"]) == [0, 0] and sorted(part["policy"]) == [0, 1]
    assert main(["sweep", str(path), "--db", parts, "--shard", "2/2", "--dry-run"]) == 0
    assert "(part 2 of 2 holds 2 of the 4 runs)" in capsys.readouterr().out
    assert main(["sweep", str(path), "--db", parts, "--workers", "1", "--out", str(tmp_path / "p"),
                 "--shard", "3/3"]) == 0  # 2 sampled futures x 1 replicate: a third part has nothing
    assert "part 3 of 3: no runs in this part: the sweep's 2 sampled future-replicate(s) make fewer than 3 parts" in \
        capsys.readouterr().out
    assert main(["sweep", str(path), "--db", parts, "--workers", "1", "--out", str(tmp_path / "p"),
                 "--shard", "2/2"]) == 0
    assert "part 2 of 2: 2 runs now" in capsys.readouterr().out
    assert main(["sweep", str(path), "--db", whole, "--workers", "1", "--out", str(tmp_path / "w"), "--quiet"]) == 0
    machine = ["run_id", "setup_s", "run_s"]
    in_parts = pd.read_csv(tmp_path / "p" / "sweep_results.csv").drop(columns=machine)
    assert in_parts.equals(pd.read_csv(tmp_path / "w" / "sweep_results.csv").drop(columns=machine))
    assert len(in_parts) == 4 and (in_parts.status == "done").all()
    for wrong in ("3/2", "0/2", "1", "a/b"):
        with pytest.raises(SystemExit):
            main(["sweep", str(path), "--shard", wrong, "--dry-run"])
        assert "--shard: expected" in capsys.readouterr().err


def test_a_sweep_that_would_change_a_levers_type_or_name_is_refused(tmp_path):
    """A [[lever]] setting `type` was said to be an unknown key of the scenario's lever, or an unknown type of
    the scenario file: a sweep varies a lever's settings, and another kind of lever is another policy."""
    said = r"a sweep varies the settings of the scenario's lever 'chb', not its {}; to compare kinds of lever"
    setting = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                           'name = "lever.chb.type"\nvalues = ["soc_fund", "funding"]')
    with pytest.raises(ScenarioError, match=r"\[\[lever\]\] #1 \(lever.chb.type\): " + said.format("type")):
        load_experiment(write(tmp_path / "setting.toml", setting))
    for key, value in (("type", '"clear_hold_build"'), ("name", '"other"')):
        table = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                             f'name = "lever.chb"\nvalues = [{{hold_years = 1}}, {{hold_years = 2, {key} = {value}}}]')
        with pytest.raises(ScenarioError, match=r"\(lever.chb\): " + said.format(key)):
            load_experiment(write(tmp_path / f"{key}.toml", table))
    kept = TINY.replace('name = "lever.chb.hold_years"\nvalues = [0, 2]',
                        'name = "lever.chb"\nvalues = [{hold_years = 1}, {hold_years = 2}]')
    assert load_experiment(write(tmp_path / "kept.toml", kept))["levers"][0][0] == "lever.chb"


def test_a_sweep_with_every_run_stored_starts_no_workers(tmp_path, monkeypatch, capsys):
    """A finished sweep run again (to rewrite its results table) started its local workers, which compile
    the kernels on a fresh machine: a minute or two for no run."""
    import twin.executor as executor_module
    from twin.cli import main

    made, make = [], executor_module.make_executor
    monkeypatch.setattr(executor_module, "make_executor", lambda *a, **k: made.append(a) or make(*a, **k))
    path = write(tmp_path / "tiny.toml", TINY)
    argv = ["sweep", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}", "--out", str(tmp_path / "out"), "--workers",
            "1", "--quiet"]
    assert main(argv) == 0 and len(made) == 1
    (tmp_path / "out" / "sweep_results.csv").unlink()
    capsys.readouterr()
    assert main(argv[:-1]) == 0 and len(made) == 1  # every run stored: no workers made
    assert "every run was already in the database" in capsys.readouterr().out
    assert (tmp_path / "out" / "sweep_results.csv").is_file()
