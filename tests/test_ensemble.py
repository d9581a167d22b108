"""Ensembles, the results store (SQLite and PostgreSQL), comparison statistics, the report, export."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from twin import ensemble as ensemble_module
from twin import store as store_module
from twin.cli import main
from twin.compare import load_comparison, mean_interval
from twin.ensemble import replicate_seeds, run_ensemble
from twin.executor import LocalExecutor, WorkerLost
from twin.geography import describe, load_geography
from twin.report import write_report
from twin.report_text import areas_phrase
from twin.store import Store, metadata

from worker_tasks import exit_on_two, exit_once_on_two, logged_square, square
from conftest import SCENARIOS, fail_store_writes, interrupt_store_write, postgres_url, write, need

BASE = str(SCENARIOS / "baseline.toml")
YEARS = 1


@pytest.fixture
def twin_copy(tmp_path):
    """A second scenario identical to the baseline under another name."""
    return str(write(tmp_path / "copy.toml", f'[scenario]\nname = "copy"\nbase = "{BASE}"\n'))


@pytest.fixture
def chb(tmp_path):
    return str(write(tmp_path / "chb.toml", f'[scenario]\nname = "chb"\nbase = "{BASE}"\n'
                     '[[levers]]\ntype = "clear_hold_build"\nareas = ["Merseyside", "Kent"]\n'))


def _sqlite(tmp_path, name="t.db"):
    return Store(f"sqlite:///{tmp_path / name}")


def _results(store, experiment_id):
    frame = store.summaries_frame(experiment_id).merge(store.runs_frame(experiment_id), on="run_id")
    return frame.sort_values(["scenario", "replicate", "metric"])[["scenario", "replicate", "metric", "value"]] \
        .reset_index(drop=True)


@pytest.mark.parametrize("line, key", [("years = 3", "years"), ('step = "week"', "step"),
                                       ("spin_up_years = 0", "spin_up_years"),
                                       ('start_date = "2030-01-01"', "start_date")])
def test_scenarios_with_other_horizons_are_refused_before_any_run(tmp_path, capsys, line, key):
    other = write(tmp_path / "other.toml", f'[scenario]\nname = "other"\nbase = "{BASE}"\n{line}\n')
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert main(["compare", BASE, str(other), "--reps", "1", "--db", db, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"other.toml: [scenario] {key} = " in err and f"scenarios compared must share {key}" in err
    assert "Traceback" not in err and "replications" not in err  # refused before any run
    if key == "years":  # --years sets every scenario's horizon: then they compare
        assert main(["compare", BASE, str(other), "--reps", "1", "--years", "1", "--db", db,
                     "--out", str(tmp_path / "out"), "--quiet"]) == 0


def test_a_misspelt_baseline_is_refused_before_any_run(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert main(["compare", BASE, BASE.replace("baseline", "ct_powers"), "--reps", "1", "--years", "1",
                 "--baseline", "basline", "--db", db, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--baseline: unknown scenario 'basline'; did you mean 'baseline'?" in err
    assert "replications" not in err  # nothing ran
    # the title a report gives it (the report names scenarios by their titles): pointed to the name
    assert main(["compare", BASE, BASE.replace("baseline", "ct_powers"), "--reps", "1", "--years", "1",
                 "--baseline", "Countering SOC Bill", "--db", db, "--out", str(tmp_path / "out")]) == 2
    assert ("--baseline: unknown scenario 'Countering SOC Bill'; that is the title of 'ct_powers', and --baseline "
            "takes the name") in capsys.readouterr().err
    # or the file the command line gave it by
    ct = BASE.replace("baseline", "ct_powers")
    assert main(["compare", BASE, ct, "--reps", "1", "--years", "1",
                 "--baseline", ct, "--db", db, "--out", str(tmp_path / "out")]) == 2
    assert (f"--baseline: unknown scenario '{ct}'; that is the file of 'ct_powers', and --baseline "
            "takes the name") in capsys.readouterr().err


def test_the_console_names_the_options_as_the_report_does(tmp_path, capsys):
    """The console's table and sentences give each scenario its title, as the report does; they gave
    the file's name (ct_powers), which the report's reader never sees."""
    from twin.scenario import load_scenario

    ct = BASE.replace("baseline", "ct_powers")
    titles = [load_scenario(path).title for path in (BASE, ct)]
    assert all(titles) and titles[1] != "ct_powers"
    assert main(["compare", BASE, ct, "--reps", "1", "--years", "1", "--db", f"sqlite:///{tmp_path / 't.db'}",
                 "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"Change against {titles[0]} (" in out
    assert any(line.startswith(titles[1]) for line in out.splitlines())
    assert not any(line.startswith("ct_powers") for line in out.splitlines())


def test_replicate_seeds_are_paired_and_reproducible():
    assert replicate_seeds(7, 5) == replicate_seeds(7, 5)
    assert len(set(replicate_seeds(7, 5))) == 5
    assert replicate_seeds(7, 5) != replicate_seeds(8, 5)


def test_identical_scenarios_differ_by_exactly_nothing(tmp_path, twin_copy):
    store = _sqlite(tmp_path)
    outcome = run_ensemble([BASE, twin_copy], 3, 1, YEARS, 1, store, progress=False)
    comparison = load_comparison(store, outcome.experiment_id)
    row = comparison.differences.iloc[0]
    assert row["harm_gbp_total_diff"] == 0 and row["net_social_cost_gbp_diff"] == 0
    assert row["probability_better"] == 0
    bands = comparison.bands
    a = bands[(bands.scenario == "baseline") & (bands.metric == "harm_gbp_total")]["mean"].to_numpy()
    b = bands[(bands.scenario == "copy") & (bands.metric == "harm_gbp_total")]["mean"].to_numpy()
    assert np.array_equal(a, b) and a.size == 12


def test_serial_and_pool_give_identical_results(tmp_path, chb):
    serial = _sqlite(tmp_path, "serial.db")
    pool = _sqlite(tmp_path, "pool.db")
    a = run_ensemble([BASE, chb], 2, 3, YEARS, 1, serial, progress=False)
    b = run_ensemble([BASE, chb], 2, 3, YEARS, 2, pool, progress=False)
    pd.testing.assert_frame_equal(_results(serial, a.experiment_id), _results(pool, b.experiment_id))


def test_a_comparison_on_a_dask_cluster_gives_the_serial_results(tmp_path, chb):
    """`twin compare --cluster` (only sweeps could use a cluster)."""
    distributed = need("distributed")
    serial = _sqlite(tmp_path, "serial.db")
    a = run_ensemble([BASE, chb], 2, 3, YEARS, 1, serial, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        db = f"sqlite:///{tmp_path / 'cluster.db'}"
        assert main(["compare", BASE, chb, "--reps", "2", "--seed", "3", "--years", str(YEARS), "--db", db,
                     "--cluster", cluster.scheduler_address, "--out", str(tmp_path / "out"), "--quiet"]) == 0
    pd.testing.assert_frame_equal(_results(serial, a.experiment_id), _results(Store(db), 1))


def _stored_rows(store, experiment_id):
    """Every stored row of an experiment's runs, by scenario and replicate (not run ids)."""
    runs = store.runs_frame(experiment_id)[["run_id", "scenario", "replicate"]]
    return [frame.merge(runs, on="run_id").drop(columns="run_id").sort_values(keys).reset_index(drop=True)
            for frame, keys in ((store.trajectories_frame(experiment_id), ["scenario", "replicate", "metric", "step"]),
                                (store.area_frame(experiment_id), ["scenario", "replicate", "metric", "year", "area"]))]


def test_a_comparison_copies_the_replications_another_comparison_ran(tmp_path, chb, twin_copy, monkeypatch):
    """The baseline's replications stored by one comparison are copied into the next one on the same
    seed, trajectories and per-area results and all, and it reads as a comparison run afresh; a
    scenario under another name, another seed, drawn lever assumptions or other code copy nothing."""
    store = _sqlite(tmp_path)
    run_ensemble([BASE, chb], 2, 5, YEARS, 1, store, progress=False)
    second = run_ensemble([BASE, twin_copy], 2, 5, YEARS, 1, store, progress=False)
    assert (second.ran, second.copied, second.skipped) == (2, 2, 0)  # 'copy' is the baseline by another name
    fresh = _sqlite(tmp_path, "fresh.db")
    alone = run_ensemble([BASE, twin_copy], 2, 5, YEARS, 1, fresh, progress=False)
    assert (alone.ran, alone.copied) == (4, 0)
    pd.testing.assert_frame_equal(_results(store, second.experiment_id), _results(fresh, alone.experiment_id))
    for copied, ran in zip(_stored_rows(store, second.experiment_id), _stored_rows(fresh, alone.experiment_id)):
        pd.testing.assert_frame_equal(copied, ran)
    assert (load_comparison(store, second.experiment_id).summary
            .equals(load_comparison(fresh, alone.experiment_id).summary))
    assert run_ensemble([BASE, twin_copy], 1, 6, YEARS, 1, store, progress=False).copied == 0  # another seed
    drawn = run_ensemble([BASE], 1, 7, YEARS, 1, store, progress=False, uncertain_levers=True)
    assert drawn.copied == 0 and drawn.ran == 1
    assert run_ensemble([BASE, chb], 1, 7, YEARS, 1, store, progress=False).copied == 0  # not from drawn runs
    info = ensemble_module.provenance()
    monkeypatch.setattr(ensemble_module, "provenance", lambda: {**info, "code_hash": "other code"})
    assert run_ensemble([BASE, twin_copy], 1, 5, YEARS, 1, store, progress=False).copied == 0

    # an experiment resumed under other package versions holds runs of both: no other takes its runs
    monkeypatch.setattr(ensemble_module, "provenance", lambda: {**info, "packages": {**info["packages"],
                                                                                     "numpy": "0.0-other"}})
    assert run_ensemble([BASE, chb], 2, 8, YEARS, 1, store, progress=False).ran == 4  # started under '0.0-other'
    monkeypatch.setattr(ensemble_module, "provenance", lambda: info)
    assert run_ensemble([BASE, chb], 3, 8, YEARS, 1, store, progress=False).ran == 2  # resumed under these
    monkeypatch.setattr(ensemble_module, "provenance", lambda: {**info, "packages": {**info["packages"],
                                                                                     "numpy": "0.0-other"}})
    assert run_ensemble([BASE, twin_copy], 3, 8, YEARS, 1, store, progress=False).copied == 0  # none of its runs


def test_interrupted_ensemble_resumes_without_duplicates(tmp_path, chb, monkeypatch):
    reference = _sqlite(tmp_path, "reference.db")
    full = run_ensemble([BASE, chb], 3, 5, YEARS, 1, reference, progress=False)

    store = _sqlite(tmp_path, "resumed.db")
    with monkeypatch.context() as patch:
        interrupt_store_write(patch, at=4)
        with pytest.raises(KeyboardInterrupt) as stopped:
            run_ensemble([BASE, chb], 3, 5, YEARS, 1, store, progress=False)
    # the three stored before Ctrl-C, and the fourth, finished and being stored when it came
    assert len(store.runs_frame(1)) == 4 and stopped.value.saved_runs == 4  # (what the command says it saved)
    again = run_ensemble([BASE, chb], 3, 5, YEARS, 1, store, progress=False)
    assert (again.ran, again.skipped) == (2, 4)
    runs = store.runs_frame(again.experiment_id)
    assert len(runs) == 6 and not runs.duplicated(["scenario", "replicate"]).any()
    pd.testing.assert_frame_equal(_results(store, again.experiment_id), _results(reference, full.experiment_id))
    nothing = run_ensemble([BASE, chb], 3, 5, YEARS, 1, store, progress=False)
    assert (nothing.ran, nothing.skipped) == (0, 6)


def test_an_interrupted_comparison_says_how_many_replications_it_saved(tmp_path, chb, monkeypatch, capsys):
    import twin.ensemble
    from twin.cli import main

    command = ["compare", BASE, chb, "--reps", "2", "--years", str(YEARS), "--workers", "1", "--quiet",
               "--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / "out")]
    with monkeypatch.context() as patch:
        def stopped(task):
            raise KeyboardInterrupt

        patch.setattr(twin.ensemble, "run_replicate", stopped)  # Ctrl-C in the first run
        assert main(command) == 130
    assert "twin: interrupted; no replication had finished. Run the same command again" in capsys.readouterr().err
    with monkeypatch.context() as patch:
        interrupt_store_write(patch, at=3)
        assert main(command) == 130
    assert ("twin: interrupted; 3 replications finished: 3 stored in the database. Run the same command again "
            "to run the rest.") in capsys.readouterr().err
    # Ctrl-C while the pool shuts down, every run stored: said so, not 'none had finished'
    import twin.executor

    with monkeypatch.context() as patch:
        def closing(self):
            raise KeyboardInterrupt

        patch.setattr(twin.executor.SerialExecutor, "close", closing)
        assert main(command) == 130
    assert "twin: interrupted; 1 replication finished: 1 stored in the database." in capsys.readouterr().err


def test_an_interrupt_stores_the_finished_runs_of_the_batch_being_stored(tmp_path, chb, monkeypatch):
    """Local workers, Ctrl-C while the first run of a returned batch (one replicate's two scenarios)
    was being stored: both of the batch's runs are stored, and the experiment resumes to the
    uninterrupted results. Before, a batch not yet stored was lost whole."""
    reference = _sqlite(tmp_path, "reference.db")
    full = run_ensemble([BASE, chb], 2, 5, YEARS, 1, reference, progress=False)
    store = _sqlite(tmp_path, "resumed.db")
    with monkeypatch.context() as patch:
        interrupt_store_write(patch, at=1)
        with pytest.raises(KeyboardInterrupt):
            run_ensemble([BASE, chb], 2, 5, YEARS, 2, store, progress=False)
    runs = store.runs_frame(1)
    assert len(runs) >= 2 and runs.groupby("replicate").size().max() == 2
    again = run_ensemble([BASE, chb], 2, 5, YEARS, 2, store, progress=False)
    assert again.ran == 4 - len(runs) and again.skipped == len(runs)
    pd.testing.assert_frame_equal(_results(store, again.experiment_id), _results(reference, full.experiment_id))


def test_a_database_failing_mid_comparison_keeps_its_finished_runs_and_those_in_flight(tmp_path, chb, monkeypatch):
    """The database failing under a comparison (a disk's I/O error, a server gone) stopped the command
    with the run being stored and the runs of batches in flight lost: they are now kept in files,
    said in one line, and stored by the next command, which runs only the rest."""
    from twin.errors import DatabaseFailed

    reference = _sqlite(tmp_path, "reference.db")
    full = run_ensemble([BASE, chb], 3, 5, YEARS, 1, reference, progress=False)
    store = _sqlite(tmp_path, "failing.db")
    with monkeypatch.context() as patch:
        fail_store_writes(patch, 3)  # every write from the third on: the second batch's first run
        with pytest.raises(DatabaseFailed) as stopped:
            run_ensemble([BASE, chb], 3, 5, YEARS, 2, store, progress=False)
    kept = len(store.kept)
    assert f"failed storing a run (disk I/O error): {kept} finished run(s) are kept in" in str(stopped.value)
    assert "run the same command again (once it works again)" in str(stopped.value)
    assert len(store.runs_frame(1)) == 2 and kept >= 2  # the run being stored and its batch's other run at least
    again = run_ensemble([BASE, chb], 3, 5, YEARS, 2, _sqlite(tmp_path, "failing.db"), progress=False)
    assert (again.ran, again.skipped) == (6 - 2 - kept, 2 + kept)
    pd.testing.assert_frame_equal(_results(store, again.experiment_id), _results(reference, full.experiment_id))


def test_a_database_failing_while_the_runs_of_a_ctrl_c_are_saved_keeps_each_of_them(tmp_path, chb, monkeypatch):
    """After a Ctrl-C the runs finished in flight are stored; the database failing then stopped that at the
    first of them (the rest lost, the workers not stopped, the Ctrl-C replaced by the database's error).
    Each is now kept in a file in turn, the interrupt stands, and the next command stores them."""
    reference = _sqlite(tmp_path, "reference.db")
    full = run_ensemble([BASE, chb], 3, 5, YEARS, 1, reference, progress=False)
    store = _sqlite(tmp_path, "failing.db")
    with monkeypatch.context() as patch:
        interrupt_store_write(patch, at=2)  # Ctrl-C as the second run is stored; the database fails after
        fail_store_writes(patch, 2)
        with pytest.raises(KeyboardInterrupt):
            run_ensemble([BASE, chb], 3, 5, YEARS, 2, store, progress=False)
    kept = len(store.kept)
    assert store.failed == "disk I/O error" and len(store.runs_frame(1)) == 1 and kept >= 1
    assert len(os.listdir(store.kept_folder())) == kept
    again = run_ensemble([BASE, chb], 3, 5, YEARS, 2, _sqlite(tmp_path, "failing.db"), progress=False)
    assert (again.ran, again.skipped) == (6 - 1 - kept, 1 + kept)
    pd.testing.assert_frame_equal(_results(store, again.experiment_id), _results(reference, full.experiment_id))


def test_a_failing_replication_is_recorded_and_the_rest_continue(tmp_path, chb, monkeypatch):
    from twin import runner

    seeds = replicate_seeds(1, 3)
    original = runner.build_model

    def flaky(scenario, seed, *args, **kwargs):
        if seed == seeds[1] and scenario.name == "chb":
            raise ValueError("injected failure")
        return original(scenario, seed, *args, **kwargs)

    monkeypatch.setattr(runner, "build_model", flaky)
    store = _sqlite(tmp_path)
    outcome = run_ensemble([BASE, chb], 3, 1, YEARS, 1, store, progress=False)
    assert outcome.failed == [("chb", 1, "ValueError: injected failure")]
    runs = store.runs_frame(outcome.experiment_id)
    assert (runs.status == "done").sum() == 5
    assert "injected failure" in runs[runs.status == "failed"]["error"].iloc[0]
    comparison = load_comparison(store, outcome.experiment_id)
    assert comparison.differences.iloc[0]["pairs"] == 2
    page = write_report(comparison, store, outcome.experiment_id, tmp_path / "report").read_text()
    runs_section = page[page.index("<h2 id=\"runs\">Runs</h2>"):]
    assert "5 finished, 1 failed" in runs_section and "ValueError: injected failure" in runs_section
    assert "Traceback" not in runs_section and "\\n" not in runs_section  # the first line; the rest is stored
    from twin.report_text import plain_summary

    first = plain_summary(comparison)[0][0]  # the summary opens with it
    assert first.startswith("<strong>Read first:</strong> 1 replication failed (1 of chb) and is left out, with its "
                            "pairs") and "biases the comparison" in first


def test_when_every_run_of_the_options_failed_the_comparison_says_so_not_that_only_the_baseline_ran(
        tmp_path, chb, monkeypatch):
    from twin import runner
    from twin.report_text import plain_summary, terminal_table

    original = runner.build_model

    def failing(scenario, seed, *args, **kwargs):
        if scenario.name == "chb":
            raise ValueError("injected failure")
        return original(scenario, seed, *args, **kwargs)

    monkeypatch.setattr(runner, "build_model", failing)
    store = _sqlite(tmp_path)
    outcome = run_ensemble([BASE, chb], 2, 1, YEARS, 1, store, progress=False)
    comparison = load_comparison(store, outcome.experiment_id)
    said = terminal_table(comparison)
    assert said.startswith("Nothing to compare: every replication of 'chb' failed (the errors are listed below)")
    assert "Only" not in said and "every replication of &#x27;chb&#x27; failed" in plain_summary(comparison)[0][0]
    monkeypatch.setattr(runner, "build_model", original)
    alone = run_ensemble([BASE], 1, 1, YEARS, 1, store, progress=False)
    assert terminal_table(load_comparison(store, alone.experiment_id)).startswith("Only 'baseline' was run")


def test_area_changes_are_paired_and_add_up_to_the_uk_change_when_runs_failed(tmp_path, chb, monkeypatch):
    """A failed baseline run and a failed option run on other replicates: each area's change is
    paired replicate by replicate, as the UK's, so the areas add up to the UK's paired change (a
    difference of the two scenarios' own means would set different seeds against each other)."""
    from twin import runner

    seeds = replicate_seeds(1, 4)
    original = runner.build_model

    def flaky(scenario, seed, *args, **kwargs):
        if (seed, scenario.name) in ((seeds[1], "baseline"), (seeds[2], "chb")):
            raise ValueError("injected failure")
        return original(scenario, seed, *args, **kwargs)

    monkeypatch.setattr(runner, "build_model", flaky)
    store = _sqlite(tmp_path)
    outcome = run_ensemble([BASE, chb], 4, 1, YEARS, 1, store, progress=False)
    assert len(outcome.failed) == 2
    comparison = load_comparison(store, outcome.experiment_id)
    summary = comparison.summary
    uk = summary[(summary.scenario == "chb") & (summary.metric == "total_harm_gbp_total")]["diff_mean"].iloc[0]
    areas = comparison.areas[(comparison.areas.scenario == "chb") & (comparison.areas.metric == "harm_gbp_total")]
    assert areas["diff_mean"].sum() == pytest.approx(uk, rel=1e-9)
    base = comparison.areas[comparison.areas.scenario == "baseline"]
    assert (base["diff_mean"] == 0).all()
    # summary.csv says how many pairs stand behind each change: 2 of chb's 3 finished runs
    from twin.report import summary_csv

    rows = summary_csv(comparison)
    changes = rows[(rows.scenario == "chb") & rows.diff_mean.notna() & ~rows.metric.str.startswith("gap_to_option")]
    assert (changes["reps"] == 3).all() and (changes["pairs"] == 2).all()


@pytest.mark.parametrize("baseline", ["baseline", "chb", "ct_powers"])
def test_the_baseline_takes_its_place_in_the_ranking_of_two_options_or_more(tmp_path, chb, baseline):
    """Whichever scenario is the baseline, the ranking holds every scenario by its net social cost, the
    baseline among them at its change of zero: the runner-up is the scenario second in that order,
    the baseline when it is (it was left out, and the runner-up was the next option however far
    behind the baseline it was)."""
    from twin.report_ranking import runner_up_sentence
    from twin.report_text import ranking_table

    store = _sqlite(tmp_path)
    outcome = run_ensemble([BASE, chb, BASE.replace("baseline", "ct_powers")], 2, 1, YEARS, 1, store, progress=False)
    comparison = load_comparison(store, outcome.experiment_id, baseline=baseline)
    summary = comparison.summary
    means = summary[summary.metric == "discounted_net_social_cost_gbp"].set_index("scenario")["mean"]
    order = list(means.sort_values().index)
    ranking = comparison.ranking
    assert list(ranking["scenario"]) == order and list(ranking["above"].iloc[1:]) == order[:-1]
    assert ranking["gap_mean"].iloc[1:].to_numpy() == pytest.approx(np.diff(means[order].to_numpy()), rel=1e-9)
    sentence = runner_up_sentence(comparison, False)
    assert "runner-up" in sentence and [name for name in order if name in sentence] == order[:2], sentence
    table = ranking_table(comparison)
    place = order.index(baseline)
    assert table["option"].iloc[place].endswith("(the baseline)") and table["net social cost change"].iloc[place] == "0"


def test_the_year_by_year_spending_change_is_paired_when_runs_failed(tmp_path):
    """Response spending that differs a lot between replicates, an option that spends £0.1bn a year
    more than the baseline in every pair, and the option's third run failed: the year-by-year table
    says +£0.10bn, not the change of the two scenarios' means over different replicates; and the
    net without recovered assets (the Green Book view) pairs them too."""
    from twin.report_text import year_by_year

    store = _sqlite(tmp_path)
    scenario_rows = [{"name": name, "spec_hash": name, "resolved": {"step": "month"}} for name in ("base", "opt")]
    experiment = store.experiment("h", "base vs opt", {}, 1, "compare", scenario_rows, {})
    base_id, opt_id = store.scenario_ids(experiment)
    for replicate, level in enumerate([1e9, 2e9, 9e9]):
        for scenario_id, extra in ((base_id, 0.0), (opt_id, 0.1e9)):
            if scenario_id == opt_id and replicate == 2:
                store.write_run(experiment, scenario_id, replicate, replicate, {"status": "failed", "error": "x"})
                continue
            cost = (level + extra) / 12
            trajectories = [(step, metric, cost) for step in range(1, 13)
                            for metric in ("response_cost_gbp", "net_social_cost_gbp")]
            # assets recovered: 0.03bn a year more under the option in every pair
            trajectories += [(step, "assets_recovered_gbp", (level / 100 + 0.3 * extra) / 12) for step in range(1, 13)]
            summary = {f"discounted_{m}": 12 * cost for m in ("harm_gbp_total", "response_cost_gbp",
                                                               "net_social_cost_gbp", "harm_gbp_exporter_areas",
                                                               "harm_gbp_other_areas")}
            store.write_run(experiment, scenario_id, replicate, replicate,
                            {"status": "done", "trajectories": trajectories, "area_results": [], "summary": summary})
    comparison = load_comparison(store, experiment)
    table = year_by_year(comparison).set_index(["option", "change in"])  # years across, one number a cell
    assert table.loc[("opt", "net social cost"), "year 1"] == "+£0.10bn"
    assert table.loc[("opt", "response spending"), "year 1"] == "+£0.10bn"
    # the Green Book view: the net plus the assets counted against it (they are not a saving to society)
    assert table.loc[("opt", "net, recovered assets left out"), "year 1"] == "+£0.13bn"


def test_years_from_1_april_are_named_as_financial_years():
    """Spending Reviews and the public accounts count financial years: a horizon starting on 1 April
    names its years by them; any other start does not (its years straddle two)."""
    from types import SimpleNamespace

    from twin.report_text import financial_year, year_by_year

    assert [financial_year("2025-04-01", y) for y in (1, 2, 75)] == ["2025-26", "2026-27", "2099-00"]
    assert financial_year("2025-01-01", 1) is None and financial_year("", 1) is None
    frame = lambda values: pd.DataFrame({"scenario": "opt", "year": [1, 2], "mean": values})  # noqa: E731
    comparison = SimpleNamespace(annual_change=frame([-1e9, -2e9]), annual_cost_change=frame([1e8, 2e8]),
                                 annual_assets_change=pd.DataFrame(), scenarios=["base", "opt"],
                                 start_date="2030-04-01", steps_per_year=12, bands=pd.DataFrame({"step": [1, 24]}))
    table = year_by_year(comparison)
    assert list(table.columns) == ["option", "change in", "year 1 (2030-31)", "year 2 (2031-32)"]
    assert list(table.iloc[0]) == ["opt", "net social cost", "-£1.00bn", "-£2.00bn"]


def test_a_horizon_ending_part_way_through_a_year_marks_that_year_in_the_report(tmp_path):
    """`--years 1.5`: year 2 holds 6 of 12 steps, and the report showed its totals as a year's (a
    halving of harm and of every option's change, in the table and the charts of amounts a year)."""
    from twin.compare import part_year
    from twin.compare import whole_years
    from twin.report import _year_label
    from twin.report_page import _part_year_note
    from twin.report_text import year_by_year

    from twin.report_horizon import fading_sentence

    def compared(steps, extra_gbp_a_year):
        store = _sqlite(tmp_path, f"{steps}.db")
        scenario_rows = [{"name": name, "spec_hash": name, "resolved": {"step": "month"}} for name in ("base", "opt")]
        experiment = store.experiment("h", "base vs opt", {}, 1, "compare", scenario_rows, {})
        for scenario_id, extra in zip(store.scenario_ids(experiment), (0.0, extra_gbp_a_year)):
            for replicate in range(2):
                trajectories = [(step, metric, (1e9 + extra) / 12) for step in range(1, steps + 1)
                                for metric in ("response_cost_gbp", "net_social_cost_gbp", "assets_recovered_gbp")]
                store.write_run(experiment, scenario_id, replicate, replicate,
                                {"status": "done", "trajectories": trajectories, "area_results": [], "summary": {}})
        return load_comparison(store, experiment)

    comparison = compared(18, 0.12e9)
    assert part_year(comparison) == (2, 6)
    table = year_by_year(comparison)
    assert list(table.columns) == ["option", "change in", "year 1", "year 2 (6 of 12 steps)"]
    assert list(table.iloc[0]) == ["opt", "net social cost", "+£0.12bn", "+£0.06bn"]
    assert list(table.iloc[1]) == ["opt", "response spending", "+£0.12bn", "+£0.06bn"]
    assert "Year 2 holds only 6 of its 12 steps" in _part_year_note(comparison)
    assert list(whole_years(comparison, comparison.annual_change)["year"]) == [1]
    assert _year_label(comparison) == "year (year 2, 6 of 12 months, left out)"
    # a steady saving over 3 years and 3 months: no 'fading' from the last quarter's total
    steady = compared(39, -0.12e9)
    assert part_year(steady) == (4, 3) and fading_sentence(steady, "opt") is None
    # a horizon under a year: kept in the charts, and said so
    short = compared(6, 0.12e9)
    assert list(whole_years(short, short.annual_change)["year"]) == [1]
    assert _year_label(short) == "year (year 1 is 6 of 12 months)"
    assert _part_year_note(short).endswith("its amounts, here and in the charts, are part of a year's.")
    # whole years: nothing marked or left out
    comparison.bands = comparison.bands[comparison.bands.step <= 12]
    assert part_year(comparison) is None and _part_year_note(comparison) == "" and _year_label(comparison) == "year"


def test_the_folder_of_a_command_killed_outright_is_removed_by_the_next(tmp_path, monkeypatch):
    """A command killed with SIGKILL leaves its workers' folder of finished runs in the temporary
    folder, never read again: the next command's local workers remove those of processes gone, on
    this machine only (a process number of another machine or container sharing the folder, or of
    an older release's folder, which names no machine, says nothing here)."""
    import tempfile

    from twin.executor import KEPT_PREFIX
    from twin.staging import _HOST

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{KEPT_PREFIX}{int(gone.stdout)}-{_HOST}-abc"
    alive = tmp_path / f"{KEPT_PREFIX}{os.getppid()}-{_HOST}-def"  # a command still running
    elsewhere = tmp_path / f"{KEPT_PREFIX}{int(gone.stdout)}-0123abcd-ghi"  # another machine's
    older = tmp_path / f"{KEPT_PREFIX}{int(gone.stdout)}-jkl"
    for folder in (dead, alive, elsewhere, older):
        folder.mkdir()
        (folder / "0-0.pickle").write_bytes(b"x")
    executor = LocalExecutor(1)
    try:
        assert sorted(result for _, result in executor.run(exit_on_two, [0, 1])) == [0, 10]
    finally:
        executor.close()
    assert not dead.exists() and alive.exists() and elsewhere.exists() and older.exists()




def test_a_killed_worker_is_reported_and_finished_work_kept(capsys):
    """A task that kills its worker every time: the pool is started again twice, its batch's runs are
    then tried alone, and the one that kills its worker alone too stops a command that cannot record
    it (a calibration). A sweep or comparison records it as failed and goes on (`crashed`): it
    stopped before, each time it was run again, a few runs further on."""
    executor = LocalExecutor(2)
    seen = []
    with pytest.raises(WorkerLost, match="a worker process died 3 times with the same runs in flight"):
        for task, result in executor.run(exit_on_two, [0, 1, 2, 3, 4, 5, 6, 7]):
            seen.append((task, result))
    executor.close()
    assert {0, 1} <= {task for task, _ in seen} and 2 not in {task for task, _ in seen}
    assert all(result == task * 10 for task, result in seen)
    capsys.readouterr()
    executor = LocalExecutor(2)
    try:
        seen = list(executor.run(exit_on_two, range(10), chunk=2, crashed=lambda task: "crashed"))
    finally:
        executor.close()
    assert sorted(seen, key=lambda pair: pair[0]) == [(k, "crashed" if k == 2 else k * 10) for k in range(10)]
    assert capsys.readouterr().err.count("Note: a run killed its worker process each time it ran, alone too") == 1





def test_local_workers_are_spawned_whether_or_not_mesa_was_imported_first():
    """Mesa's import makes spawn Python's default start method: a pool started before it (the executor
    used from a script that had not built a model yet) forked a copy of the process instead."""
    script = ("import sys\nfrom twin.executor import LocalExecutor\nexecutor = LocalExecutor(1)\n"
              "print(executor.pool._mp_context.get_start_method(), 'mesa' in sys.modules)\n"
              "assert executor.run(abs, [-3]).__next__() == (-3, 3)\nexecutor.close()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["spawn", "False"]

def test_a_pool_whose_worker_died_once_starts_again_and_runs_every_task(tmp_path, capsys):
    """One dead worker stopped a whole overnight sweep: the pool now starts again, its batches in
    flight run again, and every task's result comes back once."""
    marker = str(tmp_path / "died")
    executor = LocalExecutor(2)
    try:
        seen = list(executor.run(exit_once_on_two, [(k, marker) for k in range(8)]))
    finally:
        executor.close()
    assert sorted((task[0], result) for task, result in seen) == [(k, k * 10) for k in range(8)]
    assert os.path.exists(f"{marker}2")
    said = capsys.readouterr().err
    assert "Note: a worker process died (killed, or out of memory); starting the workers again" in said
    # three deaths far apart, each losing other batches: the command goes on (it stopped at the third)
    executor = LocalExecutor(2)
    try:
        seen = list(executor.run(exit_once_on_two, [(k, marker, (1, 14, 27)) for k in range(30)]))
    finally:
        executor.close()
    assert sorted((task[0], result) for task, result in seen) == [(k, k * 10) for k in range(30)]
    assert capsys.readouterr().err.count("Note: a worker process died") == 3




def test_a_file_a_killed_worker_was_writing_is_removed_with_its_batch(tmp_path):
    """A pool that breaks stops its other workers, one perhaps while it wrote a finished run aside: the
    half-written `.part` file stayed in the folder (a test found it there after the command)."""
    import pickle

    from twin.executor import _kept

    (tmp_path / "3-0.pickle").write_bytes(pickle.dumps(30))
    (tmp_path / "3-1.part").write_bytes(b"half")
    (tmp_path / "4-0.part").write_bytes(b"another batch's")
    assert _kept(str(tmp_path), 3, 4) == {0: 30}
    assert sorted(os.listdir(tmp_path)) == ["4-0.part"]


def _times_run(folder, number):
    path = folder / f"ran-{number}"
    return len(path.read_text()) if path.exists() else 0


def test_runs_a_worker_finished_before_it_died_are_kept_not_run_again(tmp_path, capsys):
    """A dead worker took its whole batch with it: the runs it had finished are now kept, and only
    the rest of the batch runs again."""
    executor = LocalExecutor(2)
    try:
        seen = list(executor.run(logged_square, [(k, str(tmp_path), (2,), False) for k in range(8)], chunk=4))
        folder = executor._folder
        assert os.listdir(folder) == []  # every batch came back: nothing kept aside
    finally:
        executor.close()
    assert sorted((task[0], result) for task, result in seen) == [(k, k * k) for k in range(8)]
    assert _times_run(tmp_path, 0) == _times_run(tmp_path, 1) == 1  # finished before 2 killed their worker
    assert _times_run(tmp_path, 2) == 1 and _times_run(tmp_path, 3) == 1  # (2 died before its log)
    assert all(1 <= _times_run(tmp_path, k) <= 2 for k in range(4, 8))  # (the other batch: one may have been running)
    assert "running again the" in capsys.readouterr().err
    assert executor._folder is None and not os.path.exists(folder)


def test_an_interrupt_keeps_the_runs_finished_in_batches_still_in_flight(tmp_path):
    """Ctrl-C while every batch's last run hangs: the three runs each of the two running batches
    finished come back from `salvaged`, at once, and the hung workers are stopped. (The interrupt is
    sent once those six are kept: workers may take seconds to start on a busy machine.)"""
    import signal
    import threading

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    executor = LocalExecutor(2)

    def interrupt_when_kept():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            folder = executor._folder
            if folder and len([n for n in os.listdir(folder) if n.endswith(".pickle")]) >= 6:
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGALRM)

    previous = signal.signal(signal.SIGALRM, interrupt)
    seen = []
    try:
        threading.Thread(target=interrupt_when_kept, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            for pair in executor.run(logged_square, [(k, str(tmp_path), (), True) for k in range(16)], chunk=4):
                seen.append(pair)
        started = time.perf_counter()
        folder = executor._folder
        executor.close()
        assert time.perf_counter() - started < 10  # not the hung runs' minute
    finally:
        signal.signal(signal.SIGALRM, previous)
    salvaged = executor.salvaged()
    assert seen == []  # no batch came back whole
    assert sorted((task[0], result) for task, result in salvaged) == [(k, k * k) for k in (0, 1, 2, 4, 5, 6)]
    assert executor.salvaged() == [] and not os.path.exists(folder)




@pytest.mark.parametrize("kind", ["serial", "local"])
def test_a_run_abandoned_part_way_hands_nothing_to_the_next(kind):
    """A caller that stopped reading (a break, an error storing a run) left its batch's pairs, and its
    batches in flight, to be handed to the next `run` under that run's name."""
    from twin.executor import SerialExecutor

    executor = SerialExecutor() if kind == "serial" else LocalExecutor(2)
    try:
        abandoned = executor.run(square, range(1, 9), chunk=2)
        assert next(abandoned)[1] in {1, 9, 25, 49}
        abandoned.close()
        assert list(executor.run(square, [100])) == [(100, 10000)]
        # and an executor closed (as after Ctrl-C) runs again rather than failing
        executor.close()
        assert list(executor.run(square, [3, 4], chunk=2)) == [(3, 9), (4, 16)]
    finally:
        executor.close()


def test_batches_run_whole_when_their_runs_cannot_be_kept_aside(monkeypatch, tmp_path):
    """Keeping each finished run in a temporary file is a safeguard: a temporary folder that cannot be
    made, or that is gone or full, must not fail the batches."""
    import tempfile

    def no_folder(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    executor = LocalExecutor(2)
    try:
        assert sorted(executor.run(square, range(6), chunk=3)) == [(k, k * k) for k in range(6)]
        assert executor._folder is None
        executor._folder = str(tmp_path / "gone")  # removed under the workers' feet
        assert sorted(executor.run(square, range(6), chunk=3)) == [(k, k * k) for k in range(6)]
    finally:
        executor.close()


@pytest.mark.parametrize("step", ["month", "week"])
def test_discount_factors_fall_by_the_green_book_rate_each_whole_year(step):
    from twin.ensemble import GREEN_BOOK_DISCOUNT_RATE, discount_factors
    from twin.scenario import STEPS_PER_YEAR

    per_year = STEPS_PER_YEAR[step]
    factors = discount_factors(3 * per_year, per_year)
    assert factors.shape == (3 * per_year,)
    rate = GREEN_BOOK_DISCOUNT_RATE
    assert rate > 0
    # a year's steps share its factor: the first year is not discounted, the second once, the third twice
    for year in range(3):
        np.testing.assert_allclose(factors[year * per_year: (year + 1) * per_year], (1 + rate) ** -year,
                                   rtol=1e-15)
    assert factors[0] == 1 and factors[per_year] == pytest.approx(1 / (1 + rate), rel=1e-15)


def test_discounted_totals_are_the_yearly_values_over_one_plus_the_rate_to_the_year(baseline_run):
    from twin.ensemble import GREEN_BOOK_DISCOUNT_RATE, outcome_tables

    tables = outcome_tables(baseline_run)  # ten monthly years
    yearly = pd.DataFrame(tables["area_results"], columns=["year", "area", "metric", "value"])
    summary = tables["summary"]
    for metric in ("harm_gbp_total", "response_cost_gbp", "assets_recovered_gbp", "net_social_cost_gbp"):
        uk = yearly[yearly.metric == metric].groupby("year")["value"].sum()
        assert list(uk.index) == list(range(1, 11))
        assert summary[f"total_{metric}"] == pytest.approx(uk.sum(), rel=1e-12)
        present = (uk / (1 + GREEN_BOOK_DISCOUNT_RATE) ** (uk.index - 1)).sum()
        assert summary[f"discounted_{metric}"] == pytest.approx(present, rel=1e-12), metric
        assert summary[f"discounted_{metric}"] < 0.9 * summary[f"total_{metric}"]  # ten years: discounting bites


def test_final_year_stocks_are_the_last_years_mean_of_the_uk_trajectory(baseline_run):
    """final_year_<stock>: the mean over the last reported year's 12 monthly steps, read here from
    the UK trajectory and from the per-area table (whose stocks are the year's last step)."""
    from twin.ensemble import FINAL_STOCKS, outcome_tables

    tables = outcome_tables(baseline_run)
    trajectories = pd.DataFrame(tables["trajectories"], columns=["step", "metric", "value"])
    steps = baseline_run.results.steps_recorded
    for metric in FINAL_STOCKS:
        series = trajectories[trajectories.metric == metric].set_index("step")["value"]
        assert len(series) == steps
        assert tables["summary"][f"final_year_{metric}"] == pytest.approx(series.loc[steps - 11:].mean(), rel=1e-12)
        assert tables["summary"][f"final_year_{metric}"] != series.loc[steps]  # a mean, not the last step
    yearly = pd.DataFrame(tables["area_results"], columns=["year", "area", "metric", "value"])
    lines_last_step = yearly[(yearly.metric == "county_lines_active") & (yearly.year == 10)]["value"].sum()
    assert lines_last_step == trajectories[(trajectories.metric == "county_lines_active")
                                           & (trajectories.step == steps)]["value"].iloc[0]


def test_mean_interval_covers_the_true_mean_nine_times_in_ten():
    """With 6 replications (t, not a normal or bootstrap interval), coverage of 2,000 intervals is 90%."""
    rng = np.random.default_rng(0)
    covered = [low < 5.0 < high for low, high in (mean_interval(rng.normal(5.0, 1.0, 6)) for _ in range(2000))]
    share = np.mean(covered)
    assert abs(share - 0.90) < 3 * np.sqrt(0.9 * 0.1 / 2000)


def test_postgresql_gives_the_same_numbers_as_sqlite(tmp_path, chb):
    url = postgres_url()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    metadata.drop_all(engine)
    engine.dispose()
    postgres = Store(url)
    lite = _sqlite(tmp_path)
    a = run_ensemble([BASE, chb], 2, 9, YEARS, 2, postgres, progress=False)
    b = run_ensemble([BASE, chb], 2, 9, YEARS, 1, lite, progress=False)
    pd.testing.assert_frame_equal(_results(postgres, a.experiment_id), _results(lite, b.experiment_id))
    again = run_ensemble([BASE, chb], 2, 9, YEARS, 2, postgres, progress=False)
    assert again.ran == 0
    ca, cb = load_comparison(postgres, a.experiment_id), load_comparison(lite, b.experiment_id)
    pd.testing.assert_frame_equal(ca.differences, cb.differences)


def test_bad_database_url_is_a_clear_error(capsys):
    assert main(["compare", BASE, "--db", "nosuchdb://x", "--reps", "1", "--years", "0.1"]) == 2
    assert "--db 'nosuchdb://x'" in capsys.readouterr().err


def test_report_names_the_areas_of_the_run_not_the_uk_defaults(tmp_path):
    """A scenario on its own areas file: the report names its areas and exporters from that file."""
    areas = tmp_path / "areas.csv"
    areas.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                     "Northtown,England,R1,2500,1\nSouthvale,England,R1,3000,0\nWestmoor,Wales,R2,1500,0\n")
    base = write(tmp_path / "own.toml", f'[scenario]\nname = "own"\nbase = "{BASE}"\nareas_file = "{areas}"\n')
    hold = write(tmp_path / "hold.toml", f'[scenario]\nname = "hold"\nbase = "{base}"\n'
                 '[[levers]]\ntype = "clear_hold_build"\nareas = ["Northtown"]\n')
    out = tmp_path / "report"
    code = main(["compare", str(base), str(hold), "--reps", "2", "--years", "1", "--workers", "1",
                 "--db", f"sqlite:///{tmp_path / 'own.db'}", "--out", str(out), "--quiet"])
    assert code == 0
    page = (out / "report.html").read_text()
    assert "the 3 police force areas of England (2) and Wales (1)" in page
    assert "in the one county-lines exporter force area (Northtown)" in page
    assert "harm change, exporter areas" in page
    assert "Greater Manchester" not in page and "45 police force areas" not in page
    # per-area totals: England (2 areas), England and Wales together, all areas; no total for Wales' one area
    assert "total: England<" in page and "total: England and Wales<" in page and "total: Wales<" not in page


def test_names_from_shared_files_reach_the_report_as_text_never_as_markup(tmp_path):
    """Scenario, area and region names come from files others share; the report is opened in a browser.
    Markup in any of them is shown as text (an option's name in the harms no option moves, and area and
    region names in the regions' note, reached the page raw)."""
    areas = tmp_path / "areas.csv"
    areas.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                     "<q1>Northtown,England,<q2>North,2500,1\nSouthvale,England,Wales,3000,0\n"
                     "<q3>Westmoor,Wales,<q2>North,1500,0\n")
    base = write(tmp_path / "own.toml", f'[scenario]\nname = "<q4>own"\nbase = "{BASE}"\nareas_file = "{areas}"\n')
    hold = write(tmp_path / "hold.toml", f'[scenario]\nname = "<q5>hold"\nbase = "{base}"\n'
                 '[[levers]]\ntype = "clear"\nareas = ["<q1>Northtown"]\n')
    out = tmp_path / "report"
    assert main(["compare", str(base), str(hold), "--reps", "2", "--years", "1", "--workers", "1",
                 "--db", f"sqlite:///{tmp_path / 'own.db'}", "--out", str(out), "--quiet"]) == 0
    page = (out / "report.html").read_text()
    assert not re.search(r"<q\d", page)
    for shown in ("&lt;q1&gt;Northtown", "&lt;q3&gt;Westmoor is in the &lt;q2&gt;North region", "&lt;q4&gt;own",
                  "&lt;q5&gt;hold"):
        assert shown in page
    assert re.search(r"&lt;q5&gt;hold (moves|leaves) it", page)  # the harms no option moves


@pytest.mark.parametrize("where", ["scenario name", "file name", "area", "region"])
def test_a_name_a_spreadsheet_would_read_as_a_formula_is_refused(tmp_path, where, capsys):
    """Names reach the start of cells in the results' CSV files: one starting with '=', '+', '-' or '@'
    would be run as a formula by the spreadsheet that opens them."""
    rows = {"area": "=HYPERLINK(1),England,R1,2500,1", "region": "Northtown,England,@SUM(1),2500,1"}
    areas = write(tmp_path / "areas.csv", "force_area,nation,region,population_thousands,county_lines_exporter\n"
                  + rows.get(where, "Northtown,England,R1,2500,1") + "\nWestmoor,Wales,R2,1500,0\n")
    name = 'name = "+own"\n' if where == "scenario name" else ""
    path = write(tmp_path / ("-own.toml" if where == "file name" else "own.toml"),
                 f'[scenario]\n{name}base = "{BASE}"\nareas_file = "{areas}"\n')
    assert main(["run", str(path), "--years", "1", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "a spreadsheet opening the results would read it as a formula" in err and "Traceback" not in err
    assert {"scenario name": "name: expected", "file name": "give it a [scenario] name", "area": "field 'force_area'",
            "region": "field 'region'"}[where] in err


def test_with_a_vulnerability_index_the_report_says_where_harm_lands_in_the_most_vulnerable_areas(tmp_path):
    """Ten areas with a vulnerability index: the two most vulnerable (a fifth) get their own harm
    total in the summary (the sum of their per-area harm, discounted) and their line in the report."""
    from twin.ensemble import discount_factors

    rows = ["force_area,nation,region,population_thousands,county_lines_exporter,vulnerability_index"]
    index = [1.0, 2.5, 1.2, 0.8, 3.0, 1.0, 0.9, 1.1, 1.0, 1.4]  # the fifth: areas 4 (3.0) and 1 (2.5)
    rows += [f"Area{k},England,R{k % 3},{800 + 100 * k},{int(k in (1, 6))},{v}" for k, v in enumerate(index)]
    areas = tmp_path / "areas.csv"
    areas.write_text("\n".join(rows) + "\n")
    geo = load_geography(areas)
    assert list(np.flatnonzero(geo.most_vulnerable())) == [1, 4]
    assert describe(geo)["most_vulnerable"] == ["Area1", "Area4"]
    base = write(tmp_path / "own.toml", f'[scenario]\nname = "own"\nbase = "{BASE}"\nareas_file = "{areas}"\n')
    clear = write(tmp_path / "clear.toml", f'[scenario]\nname = "clear"\nbase = "{base}"\n'
                  '[[levers]]\ntype = "clear"\nareas = ["Area4"]\n')
    out = tmp_path / "report"
    db = f"sqlite:///{tmp_path / 'own.db'}"
    assert main(["compare", str(base), str(clear), "--reps", "2", "--years", "1", "--workers", "1",
                 "--db", db, "--out", str(out), "--quiet"]) == 0
    page = (out / "report.html").read_text()
    assert "harm change, most vulnerable fifth of areas" in page
    assert "In the most vulnerable fifth of the areas by the areas file's vulnerability index (Area1 and Area4), harm" in page
    comparison = load_comparison(Store(db), 1)
    summary, yearly = comparison.summary, comparison.areas
    stored = summary[(summary.scenario == "own") & (summary.metric == "discounted_harm_gbp_most_vulnerable_areas")]
    harm = yearly[(yearly.scenario == "own") & (yearly.metric == "harm_gbp_total") & yearly.area.isin(["Area1", "Area4"])]
    assert discount_factors(12, 12)[-1] == 1.0  # one reported year: nothing discounted yet
    assert len(harm) == 2 and stored["mean"].iloc[0] == pytest.approx(harm["mean"].sum(), rel=1e-9)


def test_compare_command_report_and_export(tmp_path, chb, capsys, monkeypatch):
    out = tmp_path / "report"
    db = f"sqlite:///{tmp_path / 'c.db'}"
    code = main(["compare", BASE, chb, "--reps", "3", "--years", "1", "--workers", "1", "--db", db,
                 "--out", str(out), "--quiet"])
    assert code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "chb" in page and "Summary" in page and "data:image/png;base64," in page
    # a sign is kept on the line of its amount (a line broke between '-' and '£5.36bn'), a saving's as the
    # minus sign screen readers say (after an invisible joiner, '-' was read as a dash or not at all)
    assert '<span class="n">−£' in page and '<span class="n">+£' in page and "\u2060" not in page
    assert not re.search(r">[^<]*[-+]£", re.sub(r'<span class="n">[^<]*</span>', "", page))  # none left apart
    # a page for phones and print: tables scroll on their own, the page says its width
    assert '<meta name="viewport"' in page and page.count('<div class="scroll"><table') >= 5
    # each table row is headed by its option, area or setting (a screen reader says whose number it reads)
    assert '<th scope="row">chb</th>' in page and '<th scope="col">' in page and "<td>chb</td>" not in page
    base = "Current policy without Clear-Hold-Build"  # the baseline's title
    assert f"<title>Serious and organised crime: {base}, chb compared</title>" in page
    # the answer first, in its box; the rest under its own heading after the key to the scenarios
    box = page[page.index('<div class="summary" id="headline">'):page.index("</div>", page.index('id="headline"'))]
    assert "does best" in box or "least bad" in box or "only option" in box
    assert re.search("(cuts|raises) harm by", box) and "response spending by" in box
    assert "The answer in detail" not in box
    # the answer as a chart too, in the summary (the first chart came about ten screens down)
    summary_html = page[page.index('<h2 id="summary">'):page.index('id="in-detail"')]
    assert summary_html.count("<img") == 1 and "Savings. Bar chart of each option" in summary_html
    # the summary is for a reader without the command line: the commands are under 'Runs', each in full
    summary_part = page[page.index('<h2 id="summary">'):page.index("<h2", page.index('<h2 id="summary">') + 5)]
    assert "<code>twin" not in summary_part and "--uncertain-levers" not in summary_part
    assert "see <a href=\"#going-further\">'Going further'</a> under 'Runs'" in summary_part
    further = page[page.index('<h3 id="going-further">'):]
    further = further[:further.index("</ul>")]
    same = f"twin compare {BASE} {chb} --reps 3 --years 1 --db {db}"  # the runs' database: not run again
    assert f"<code>{same} --uncertain-levers</code>" in further and f"<code>{same} --posterior</code>" in further
    assert f"<code>{same} --baseline chb</code>" in further
    assert "<code>twin sweep experiments/ranking_robustness.toml</code>" in further
    assert page.index('<h2 id="runs">') < page.index('<h3 id="going-further">')
    assert page.index("The scenarios compared") < page.index('<h3 id="in-detail">The answer in detail</h3>')
    # every table says what it holds; a column of words is aligned left, a column of figures right
    assert page.count("<caption>") == page.count("<table") >= 8
    assert f"<caption>Each option against {base}: cumulative, discounted</caption>" in page
    assert '<th scope="col" class="words">source</th>' in page and '<th scope="col" class="words">value' not in page
    # a long page: links to its sections, each heading with an id to go to
    for anchor in ("summary", "trajectories", "where-the-harm-falls", "assumptions-and-parameters"):
        assert f'<a href="#{anchor}">' in page and f'<h2 id="{anchor}">' in page
    # and to the sub-sections the summary sends readers to, listed under their section (they had no link)
    nav = page[page.index('<nav aria-label="Contents">'):page.index("</nav>")]
    for anchor in ("who-spends", "year-by-year", "other-outcomes"):  # (one option: none ranked)
        assert f'<a href="#{anchor}">' in nav and f'<h3 id="{anchor}">' in page
    assert re.search(r'<a href="#difference-from-[^"]+">Difference from [^<]+</a> \(<a href="#who-spends">', nav)
    # the answer in detail and what the results leave out (the summary sends readers there) listed too
    assert '<a href="#in-detail">The answer in detail</a>' in nav and page.count('id="in-detail"') == 1
    assert '<a href="#what-these-results-leave-out">What these results leave out</a>' in nav
    assert '<h3 id="what-these-results-leave-out">What these results leave out</h3>' in page
    # the savings chart's text gives both bars of each option, as its caption says
    assert re.search(r"beside it the saving with recovered assets left out: chb -?[\d.]+ \(-?[\d.]+ leaving out "
                     r"recovered assets\)</figcaption>", page)
    assert "the 5th to 95th percentile of their changes shaded" in page
    assert "see 'Other outcomes'" not in page.replace('see <a href="#other-outcomes">\'Other outcomes\'</a>', "")
    # each chart's text says what its lines show, not only its title
    assert re.search(r'alt="Line chart by year of harm from SOC \(£bn a year\), one line per scenario with the spread '
                     rf'of its replications; in year 1: {base} [\d.]+, chb [\d.]+"', page)
    # what the validation found and which options it flatters is in the page, not only in docs/VALIDATION.md
    assert "would flatter options whose benefit comes from removing groups and supply" in page
    # the harm change by category, which the headline's total adds up, as summary.csv has it
    summary = pd.read_csv(out / "summary.csv")
    drugs = summary[(summary.scenario == "chb") & (summary.metric == "discounted_harm_gbp_drugs")].iloc[0]
    assert f"<caption>Change in harm by category against {base}, discounted</caption>" in page
    from twin.report_format import signed_bn

    category_table = page[page.index("Change in harm by category against"):]
    category_table = category_table[:category_table.index("</table>")]
    assert signed_bn(drugs["diff_mean"], True).replace("-", "−") in category_table
    # Clear-Hold-Build's effect sizes and costs, from its phase levers (it has none of its own)
    for phase, length in (("clear", "0.5 years"), ("hold", "2 years"), ("build", "5 years")):
        assert f"Its {phase} phase ({length}) takes the effect sizes and costs of the {phase} lever" in page
        assert f"<caption>clear_hold_build_{phase}: its settings</caption>" in page  # the lever's name, unnamed
    assert "extra investigators in each target area" in page
    # the horizon was set by --years: the files' descriptions are said to be written for their own
    assert "this comparison runs each for 1 year instead" in page
    # an abbreviation that opens a title keeps its capitals inside the sentence
    assert 'alt="Line chart by year of OCG disruptions a year,' in page
    assert 'alt="Line chart of SOC prisoners serving a sentence' in page
    # the terms and abbreviations the page uses are explained, and only those
    start = page.index("<h2 id=\"terms-used\">Terms used</h2>")
    glossary = page[start:page.index("</dl>", start)]
    defined = re.findall(r"<dt>([^<]+)</dt>", glossary)
    rest = re.sub(r"<[^>]+>", " ", page.replace(glossary, "")) + " ".join(re.findall(r'alt="([^"]*)"', page))
    assert {"SOC", "OCG", "net social cost"} <= set(defined)  # OCG: in the charts' titles
    assert all(re.search(rf"\b{re.escape(term).replace(chr(92) + ' ', '[ -]')}s?\b", rest) for term in defined)
    assert "SCPO" not in defined and not re.search(r"\bSCPOs?\b", rest)
    assert f"model source hash {ensemble_module.code_hash()}" in page  # the runs' code, as stored
    assert page.count("after a spin-up of 8 years") == 2  # how each scenario's runs began
    # a key to the scenario names right after the summary, from their descriptions
    key = page[page.index("The scenarios compared"):page.index("</ul>", page.index("The scenarios compared"))]
    assert f"<strong>{base}</strong> (the baseline, <code>baseline</code> in commands and the CSV): Current" in key
    assert "<strong>chb</strong> (an option)</li>" in key  # no description of its own: none shown
    from twin.report_text import SPENDERS, signed_count, who_pays, who_pays_gbp

    paying = who_pays(load_comparison(Store(db), 1)).iloc[0]
    exact = who_pays_gbp(load_comparison(Store(db), 1)).iloc[0]  # the parts add up to the total, unrounded
    parts = [exact[label] for label, _, _ in SPENDERS]
    assert abs(sum(parts) - exact["total"]) <= 1e-6 * abs(exact["total"]) and exact["total"] > 0
    assert exact["police forces"] > 0  # the Clear surge, by the forces
    assert "Who spends" in page and "Clear +£" in paying["largest levers (included above)"]  # the phase, in words
    assert "_" not in paying["largest levers (included above)"]
    summary = pd.read_csv(out / "summary.csv")
    # Counts in people are reported as paired changes, with the same numbers as summary.csv.
    homicides = summary[(summary.scenario == "chb") & (summary.metric == "total_homicides")].iloc[0]
    change = f"{signed_count(homicides['diff_mean'])} [{signed_count(homicides['diff_low'])},"  # the report's format
    assert "Other outcomes" in page and change.replace("-", "−") in page  # (a negative's sign as the minus sign)
    # The built-in areas are named from their data file.
    assert areas_phrase(describe(load_geography())) in page
    # The lever's effect sizes are shown with their ranges and sources, not as raw settings.
    assert "plausible range" in page and "source 000: NPCC" in page
    assert not re.search(r"\bseed 00\d", page)  # read as a random seed: the sources are 'source 003'
    assert "<dt>source</dt>" in page
    assert set(summary["scenario"]) == {"baseline", "chb"}
    assert {"mean", "p5", "p95", "diff_mean", "diff_low", "diff_high", "unit", "what"} <= set(summary.columns)
    # money in present values and totals; counts as totals only, never discounted
    assert not summary.metric.isin(["discounted_homicides", "discounted_arrests"]).any()
    net = summary[summary.metric == "discounted_net_social_cost_gbp"].iloc[0]
    assert net["unit"].startswith("GBP (") and "discounted at 3.5% a year" in net["what"]
    # pairwise.csv: each scenario against the other, both ways; against the baseline, the summary's change
    pairs = pd.read_csv(out / "pairwise.csv").set_index(["scenario", "against", "metric"])
    chb_net = summary.set_index(["scenario", "metric"]).loc[("chb", "discounted_net_social_cost_gbp"), "diff_mean"]
    assert len(pairs) == 4 and pairs.loc[("chb", "baseline", "discounted_net_social_cost_gbp"), "diff_mean"] == \
        pytest.approx(chb_net) == -pairs.loc[("baseline", "chb", "discounted_net_social_cost_gbp"), "diff_mean"]
    assert homicides["unit"] == "people or events" and homicides["what"].endswith("sum over the horizon, undiscounted")
    # derived rows: the levers' spending together, the net without recovered assets (each from the
    # same runs, paired), and how the options compare with each other (gap, payback year)
    row = summary.set_index(["scenario", "metric"])
    levers = [m for m in row.loc["chb"].index if m.startswith("discounted_lever_cost_gbp_")]
    assert levers and row.loc[("chb", "discounted_lever_cost_gbp"), "mean"] == pytest.approx(
        sum(row.loc[("chb", m), "mean"] for m in levers))
    green = row.loc[("chb", "discounted_net_social_cost_gbp_excluding_assets"), "diff_mean"]
    assert green == pytest.approx(row.loc[("chb", "discounted_harm_gbp_total"), "diff_mean"]
                                  + row.loc[("chb", "discounted_response_cost_gbp"), "diff_mean"])
    payback = row.loc[("chb", "payback_year")]
    assert payback["unit"] == "year of the horizon" and payback["reps"] == 3
    assert len(list((out / "charts").glob("*.png"))) >= 8
    # the charts are those a command checks before its runs (a user's own of the name is refused)
    from twin.report import CHART_FILES

    assert {f"charts/{p.name}" for p in (out / "charts").glob("*.png")} == set(CHART_FILES)
    # the chart of paired yearly changes: the mean change is the change in the mean, year by year
    comparison = load_comparison(Store(db), 1)
    assert (out / "charts" / "net_social_cost_change.png").exists()
    annual = comparison.annual[comparison.annual.metric == "net_social_cost_gbp"].set_index(["scenario", "year"])["mean"]
    change = comparison.annual_change.set_index(["scenario", "year"])["mean"]
    assert change.loc[("chb", 1)] == pytest.approx(annual.loc[("chb", 1)] - annual.loc[("baseline", 1)])

    assert main(["export", "--db", db, "--out", str(tmp_path / "export")]) == 0
    experiments = pd.read_csv(tmp_path / "export" / "experiments.csv")
    outcomes = pd.read_csv(tmp_path / "export" / "outcomes.csv")
    assert len(experiments) == 6 and len(outcomes) == 6
    stored = Store(db).summaries_frame(1)
    # each run's discounted net social cost is its discounted harm plus response cost less assets recovered
    by_run = stored.pivot(index="run_id", columns="metric", values="value")
    assert (by_run["discounted_assets_recovered_gbp"] > 0).all()
    assert np.allclose(by_run["discounted_net_social_cost_gbp"],
                       by_run["discounted_harm_gbp_total"] + by_run["discounted_response_cost_gbp"]
                       - by_run["discounted_assets_recovered_gbp"], rtol=1e-12, atol=0)
    for i in (0, 3, 5):  # row i of outcomes is the outcome of row i of experiments
        run = experiments["run_id"].iloc[i]
        value = stored[(stored.run_id == run) & (stored.metric == "discounted_harm_gbp_total")]["value"].iloc[0]
        assert outcomes["discounted_harm_gbp_total"].iloc[i] == pytest.approx(value)
    assert any(c.startswith("lever:clear_hold_build:") for c in experiments.columns)
    assert "discounted_harm_gbp_total" in outcomes.columns
    # where the runs took place: the built-in areas, unscaled, on the synthetic register
    assert experiments[["areas_file", "national_scale", "register"]].drop_duplicates().to_dict("records") == [
        {"areas_file": "built-in", "national_scale": 1.0, "register": "synthetic"}]
    assert "total_homicides" in outcomes.columns and "discounted_homicides" not in outcomes.columns
    assert list(outcomes.columns[:3]) == ["scenario", "replicate", "run_id"]  # keyed as experiments.csv is
    # the derived columns summary.csv has, and what each file holds, for a comparison
    assert {"discounted_lever_cost_gbp", "total_net_social_cost_gbp_excluding_assets"} <= set(outcomes.columns)
    assert not outcomes.filter(like="lever_cost_gbp").isna().any().any()  # 0 where a scenario has no lever
    guide = (tmp_path / "export" / "README.txt").read_text()
    assert guide.startswith("Experiment 1 (a comparison)") and "area_results.csv:" in guide
    assert "levels at the year's end (ocgs_active" in guide and "outcome_definitions" not in guide
    # every outcome column's kind is described (final_year_ levels were exported undescribed)
    kinds = {next((k for k in ("total_", "discounted_", "final_year_") if c.startswith(k)), c)
             for c in outcomes.columns if c not in ("scenario", "replicate", "run_id")}
    assert kinds == {"total_", "discounted_", "final_year_"}
    assert all(f"`{kind}<metric>`" in guide for kind in kinds)
    assert main(["export", "--db", db, "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    assert pd.read_parquet(tmp_path / "pq" / "trajectories.parquet")["metric"].nunique() > 50
    # the long tables are streamed to their files a chunk at a time (whole, they outgrow memory at
    # scale): in chunks of 1,000 rows, both formats hold every stored row, as stored
    monkeypatch.setattr(store_module, "READ_CHUNK_ROWS", 1_000)
    assert main(["export", "--db", db, "--out", str(tmp_path / "chunked")]) == 0
    assert main(["export", "--db", db, "--out", str(tmp_path / "chunked_pq"), "--format", "parquet"]) == 0
    stored_tables = {"trajectories": Store(db).trajectories_frame(1), "area_results": Store(db).area_frame(1)}
    for name, stored_rows in stored_tables.items():
        assert len(stored_rows) > 5_000
        key = list(stored_rows.columns[:-1])
        expected = stored_rows.sort_values(key, ignore_index=True)
        for written in (pd.read_csv(tmp_path / "chunked" / f"{name}.csv"),
                        pd.read_parquet(tmp_path / "chunked_pq" / f"{name}.parquet")):
            written = written.sort_values(key, ignore_index=True)
            assert list(written.columns) == list(expected.columns) and len(written) == len(expected)
            assert (written[key].astype(str) == expected[key].astype(str)).all().all()
            assert np.allclose(written["value"], expected["value"], rtol=1e-15, atol=0, equal_nan=True)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("TWIN_REQUIRE_BROWSER"):
        pytest.fail("TWIN_REQUIRE_BROWSER is set but no Chromium was found")
    pytest.skip("no Chromium (apt-get install chromium; .ci/run installs it)")


def test_report_renders_in_headless_chromium(tmp_path, chb):
    browser = _chromium()
    store = _sqlite(tmp_path)
    outcome = run_ensemble([BASE, chb], 2, 1, YEARS, 1, store, progress=False)
    comparison = load_comparison(store, outcome.experiment_id)
    path = write_report(comparison, store, outcome.experiment_id, tmp_path / "report")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=5000"]
    result = subprocess.run([browser, *flags, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                            timeout=120)
    dom = result.stdout
    n_images = page_images = path.read_text().count("<img ")
    assert f'data-charts-rendered="{n_images}/{page_images}"' in dom, "not every chart rendered"
    console_errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert not console_errors, console_errors
    best = comparison.differences.iloc[0]
    assert f"{abs(best['net_social_cost_gbp_diff']) / 1e9:,.2f}bn" in dom  # the headline number is on the page
    shot = tmp_path / "shot.png"
    subprocess.run([browser, *flags, "--window-size=1100,1600", f"--screenshot={shot}", path.as_uri()],
                   capture_output=True, timeout=120)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.std() > 0.05  # not a blank page


def test_summary_names_harms_that_rise():
    """Harms in people, then priced harm categories. A rise counts when its whole interval is above zero; falls and uncertain changes are not named."""
    from twin.compare import Comparison
    from twin.report_text import _rises

    summary = pd.DataFrame([
        {"scenario": "x", "metric": "total_homicides", "diff_mean": 12.0, "diff_low": 3.0, "diff_high": 21.0},
        {"scenario": "x", "metric": "total_drug_deaths", "diff_mean": -40.0, "diff_low": -60.0, "diff_high": -20.0},
        {"scenario": "x", "metric": "total_recruits_children", "diff_mean": 5.0, "diff_low": -2.0, "diff_high": 12.0},
        # priced categories (discounted): a clear rise in one while another falls
        {"scenario": "x", "metric": "discounted_harm_gbp_economic", "diff_mean": 0.3e9, "diff_low": 0.2e9,
         "diff_high": 0.4e9},
        {"scenario": "x", "metric": "discounted_harm_gbp_drugs", "diff_mean": -2e9, "diff_low": -3e9, "diff_high": -1e9},
        {"scenario": "x", "metric": "discounted_harm_gbp_violence", "diff_mean": 0.1e9, "diff_low": -0.1e9,
         "diff_high": 0.3e9},
    ])
    empty = pd.DataFrame()
    comparison = Comparison(["base", "x"], "base", 12, {}, empty, empty, summary, empty, empty, empty)
    assert _rises(comparison, "x") == ["homicides rise by 12 over the horizon",
                                       "economic-crime harm rises by £0.30bn (discounted)"]
    # county lines running at the end, as the summary names them when they fall
    lines = {"scenario": "x", "metric": "final_year_county_lines_active", "diff_mean": 42.0, "diff_low": 5.0,
             "diff_high": 79.0}
    comparison.summary = pd.concat([summary, pd.DataFrame([lines])], ignore_index=True)
    assert _rises(comparison, "x")[1] == "county lines running over the last 12 months rise by 42"
    # more groups and members left at the end, last (the summary spoke only of what fell in people)
    members = {"scenario": "x", "metric": "final_year_members_active", "diff_mean": 778.0, "diff_low": 559.0,
               "diff_high": 998.0}
    groups = {"scenario": "x", "metric": "final_year_ocgs_active", "diff_mean": 219.0, "diff_low": -4.0,
              "diff_high": 440.0}  # the interval reaches zero: not named
    comparison.summary = pd.concat([comparison.summary, pd.DataFrame([members, groups])], ignore_index=True)
    assert _rises(comparison, "x")[-1] == "active members (mean over the last 12 months) rise by 778"
    assert not any(text.startswith("active groups") for text in _rises(comparison, "x"))


def test_a_longer_horizon_is_warned_of_once():
    from twin.report_text import horizon_sentences

    fading = ("pkg's yearly saving peaks in year 4 (£3.82bn, undiscounted) and is £1.09bn in year 10; the comparison "
              "holds for this horizon, and a longer one could change it (see 'Year by year').")
    gains = "From year 9 to the end, ct lowers ...: over a longer horizon the order could change."
    assert horizon_sentences(fading, gains) == [
        "pkg's yearly saving peaks in year 4 (£3.82bn, undiscounted) and is £1.09bn in year 10 (see 'Year by year').",
        gains]
    assert horizon_sentences(fading, None) == [fading] and horizon_sentences(None, gains) == [gains]
    waning = ("pkg's yearly saving peaks in year 4 (£3.82bn, undiscounted) and falls every year after year 5, to "
              "£2.00bn in year 10, while its yearly response spending is still higher than at the peak (+£1.00bn "
              "in year 4, +£1.50bn in year 10, against base): the comparison holds for this horizon, and a longer "
              "one would favour it less (see 'Year by year').")
    assert horizon_sentences(waning, gains)[0].endswith("against base) (see 'Year by year').")
    # a baseline whose title holds a bracket: the clause still goes (the pattern stopped at the bracket)
    titled = waning.replace("a longer one would favour it less", "a longer one would favour it less against "
                            "Current policy (2024)")
    assert horizon_sentences(titled, gains)[0].endswith("against base) (see 'Year by year').")
    assert horizon_sentences(None, None) == []


def test_the_summary_says_in_people_what_an_option_clearly_lowers():
    from twin.compare import Comparison
    from twin.report_text import _in_people

    def row(metric, mean, diff, low, high):
        return {"scenario": "x", "metric": metric, "mean": mean, "diff_mean": diff, "diff_low": low, "diff_high": high}

    summary = pd.DataFrame([row("total_homicides", 1990.0, -10.0, -40.0, 20.0),  # interval across zero: left out
                            row("total_drug_deaths", 35000.0, -4500.0, -4600.0, -4400.0),
                            row("total_recruits_children", 9000.0, -660.0, -800.0, -520.0),
                            row("final_year_county_lines_active", 1200.0, -600.0, -650.0, -550.0)])
    empty = pd.DataFrame()
    comparison = Comparison(["base", "x"], "base", 12, {}, empty, empty, summary, empty, empty, empty)
    assert _in_people(comparison, "x") == (
        "For people, x clearly means (each 90% interval below zero; see 'Other outcomes'): 4,500 fewer drug deaths "
        "over the horizon, 660 fewer children recruited over the horizon and 600 fewer county lines running over its "
        "last 12 months, 33% fewer than the baseline's.")
    summary["diff_high"] = 1.0  # none clearly falls
    comparison = Comparison(["base", "x"], "base", 12, {}, empty, empty, summary, empty, empty, empty)
    assert _in_people(comparison, "x") is None


def test_summary_says_when_the_courts_or_prisons_limit_an_option():
    """Named only when more defendants are bailed (or prisoners released early) than in the
    baseline with the whole interval above zero, and at least 1% of the option's convictions: a
    handful more in ten years, however certain, is not a limit."""
    from twin.compare import Comparison
    from twin.report_text import _justice_limits, justice_limit_parts

    def row(scenario, metric, mean, low, high):
        return {"scenario": scenario, "metric": metric, "mean": mean, "diff_mean": mean, "diff_low": low,
                "diff_high": high}

    summary = pd.DataFrame([
        row("x", "total_bail_releases", 3500.0, 3100.0, 3900.0),
        row("x", "total_early_releases", 40.0, -10.0, 90.0),
        row("x", "total_convictions", 60_000.0, 59_000.0, 61_000.0),
        row("y", "total_bail_releases", 0.0, 0.0, 0.0),
        row("z", "total_bail_releases", 3.0, 0.4, 5.6),  # certain, but 3 against 60,000 convictions
        row("z", "total_early_releases", 700.0, 650.0, 750.0),  # above 1% of them: named
        row("z", "total_convictions", 60_000.0, 59_000.0, 61_000.0),
    ])
    empty = pd.DataFrame()
    comparison = Comparison(["base", "x", "y", "z"], "base", 12, {}, empty, empty, summary, empty, empty, empty)
    text = _justice_limits(comparison, "x")
    assert "3,500 more defendants are bailed" in text and "released early" not in text
    # bail comes when the courts are slow or the remand places are full (it said the courts alone)
    assert text.startswith("<strong>The justice system limits x.</strong> The courts or remand places cannot keep up "
                           "with its charges")
    assert "<code>" not in text  # the levers were named by their code names
    assert _justice_limits(comparison, "y") == ""
    text = _justice_limits(comparison, "z")
    assert "700 more prisoners are released early. The places" in text and "bailed" not in text
    # the same parts, without the sentence, follow an option that is not the best in the summary
    assert justice_limit_parts(comparison, "z") == ["its remand and convictions fill the prisons (700 more "
                                                    "prisoners released early; the places that would hold them "
                                                    "are neither built nor costed in this option)"]
    assert justice_limit_parts(comparison, "y") == []
    # early releases beyond the extra convictions are explained: every prisoner taken in needs a place
    summary = pd.concat([summary, pd.DataFrame([row("w", "total_early_releases", 5000.0, 4000.0, 6000.0),
                                                row("w", "total_convictions", 2000.0, 1500.0, 2500.0)])])
    comparison = Comparison(["base", "w"], "base", 12, {}, empty, empty, summary, empty, empty, empty)
    said = _justice_limits(comparison, "w")
    assert "5,000 more prisoners are released early. That is more than its 2,000 extra convictions: once the " \
           "prisons are full, every prisoner sent in pushes another out early. The places" in said
    assert "more than its 2,000 extra convictions: with the prisons full, each prisoner sent in, on remand or " \
           "convicted, releases another;" in justice_limit_parts(comparison, "w")[0]


def test_a_package_installed_inside_another_git_repository_records_no_commit_of_it(tmp_path):
    """run.json and experiments recorded the commit of whatever repository the package sat in (a
    project's .venv), with 'no uncommitted changes', though that repository does not hold its code."""
    repository = tmp_path / "project"
    shutil.copytree(Path(ensemble_module.__file__).parent, repository / "site" / "twin",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for command in (["init", "-q"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty",
                                     "-m", "another project"]):
        subprocess.run(["git", *command], cwd=repository, check=True, capture_output=True)
    code = "import twin.ensemble as e; print(e.provenance()['git_commit'])"
    said = subprocess.run([sys.executable, "-c", code], cwd=repository / "site", capture_output=True, text=True,
                          env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")})
    assert said.returncode == 0, said.stderr
    assert said.stdout.strip() == "None"
    if (Path(ensemble_module.__file__).parent.parent / ".git").exists():  # this checkout's own commit, still
        assert len(ensemble_module.provenance()["git_commit"]) == 40


def test_code_hash_follows_the_model_not_its_presentation(tmp_path, monkeypatch):
    """Editing a model module changes the hash (stored runs are stale); rewording a report does not."""
    import shutil
    from pathlib import Path

    package = Path(ensemble_module.__file__).resolve().parent
    copy = tmp_path / "twin"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(ensemble_module, "__file__", str(copy / "ensemble.py"))

    def fresh_hash():
        ensemble_module.code_hash.cache_clear()
        return ensemble_module.code_hash()

    try:
        original = fresh_hash()
        reports = sorted(path.name for path in copy.glob("report*.py"))  # every part of the report
        assert len(reports) >= 7, reports
        for presentation in (*reports, "errors.py", "sweep_notes.py"):
            (copy / presentation).write_text((copy / presentation).read_text() + "\n# reworded\n")
            assert fresh_hash() == original, presentation
        (copy / "justice.py").write_text((copy / "justice.py").read_text() + "\n# edited\n")
        assert fresh_hash() != original
    finally:
        ensemble_module.code_hash.cache_clear()


def test_a_report_replaced_by_another_experiment_is_noted(tmp_path, twin_copy, capsys):
    out, db = str(tmp_path / "report"), f"sqlite:///{tmp_path / 'r.db'}"
    common = ["--reps", "1", "--years", "1", "--workers", "1", "--db", db, "--out", out, "--quiet"]
    assert main(["compare", BASE, *common]) == 0
    assert main(["compare", BASE, *common]) == 0  # the same experiment again: nothing to note
    assert "held the report of experiment" not in capsys.readouterr().err
    assert main(["compare", BASE, twin_copy, *common[:-1]]) == 0  # not --quiet
    assert "held the report of experiment 1; it now holds experiment 2's (added: copy) (give" in capsys.readouterr().err
    # the same files after an edit: the note says what changed
    write(Path(twin_copy), Path(twin_copy).read_text() + "[parameters]\nprice_supply_elasticity = 1.2\n")
    assert main(["compare", BASE, twin_copy, *common[:-1]]) == 0
    err = capsys.readouterr().err
    assert "held the report of experiment 2; it now holds experiment 3's (changed: copy) (give" in err
    common[common.index("--years") + 1] = "2"
    assert main(["compare", BASE, *common[:-1]]) == 0
    err = capsys.readouterr().err
    assert "experiment 3; it now holds experiment 4's (left out: copy; another horizon) (give" in err


def test_the_report_names_scenarios_by_their_titles_and_follows_a_retitling(tmp_path):
    """The report's words, tables and charts give each scenario its title (its name beside it in the list
    of scenarios); the summary CSV keeps names. A title edited after the runs are stored is the one
    the report gives when the command runs again (the runs themselves are reused)."""
    out, db = tmp_path / "report", f"sqlite:///{tmp_path / 't.db'}"
    option = write(tmp_path / "opt.toml", f'[scenario]\nname = "opt_x"\ntitle = "Option X"\nbase = "{BASE}"\n'
                   '[[levers]]\ntype = "clear_hold_build"\nareas = ["Merseyside"]\n')
    common = ["--reps", "2", "--years", "1", "--workers", "1", "--db", db, "--out", str(out), "--quiet"]
    assert main(["compare", BASE, str(option), *common]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<th scope="row">Option X</th>' in page
    assert "<strong>Option X</strong> (an option, <code>opt_x</code> in commands and the CSV)" in page
    base = "Current policy without Clear-Hold-Build"
    assert f"<h3><strong>{base}</strong> (<code>baseline</code> in commands and the CSV)</h3>" in page
    words = re.sub(r"<code>[^<]*</code>|data:image[^\"]+", " ", page)  # the charts' words (alt) kept
    assert "opt_x" not in words and "Option X" in words and "against Current policy without Clear-Hold-Build" in words
    assert set(pd.read_csv(out / "summary.csv")["scenario"]) == {"baseline", "opt_x"}
    write(option, option.read_text().replace('"Option X"', '"Option Y"'))
    assert main(["compare", BASE, str(option), *common]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Option Y" in page and "Option X" not in page
    # a dollar is not mathematics in the charts (a title with two of them stopped the report), and the
    # browser's tab shows the title as written, not the page's markup for signed amounts
    write(option, option.read_text().replace('"Option Y"', '"Cap $1bn (50%) to $2bn +£1bn"'))
    assert main(["compare", BASE, str(option), *common]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f"<title>Serious and organised crime: {base}, Cap $1bn (50%) to $2bn +£1bn compared</title>" in page
    assert Store(db).done_runs(1) and len(Store(db).runs_frame(1)) == 4  # the same experiment, its runs reused


def test_worker_processes_start_under_a_script_read_from_standard_input(tmp_path):
    """`python - < script.py` (or a heredoc): spawned workers ran the main script again from its path,
    '<stdin>', which is no file, and every one died at its start ("a worker process died")."""
    store = f"Store('sqlite:///{tmp_path / 's.db'}')"
    script = (f"from twin.ensemble import run_ensemble\nfrom twin.store import Store\n"
              f"outcome = run_ensemble([{BASE!r}], 2, 1, 0.25, 2, {store}, progress=False)\n"
              f"print('ran', outcome.ran, 'failed', len(outcome.failed))\n")
    done = subprocess.run([sys.executable, "-"], input=script, cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0 and "ran 2 failed 0" in done.stdout, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_workers_that_compile_do_not_run_a_users_script_again_and_the_runs_workers_see_its_own_functions(tmp_path):
    """A script without `if __name__ == "__main__":` ran again, whole, in every worker compiling the
    kernels: the README's example, on a cold cache, had them wait in `warm_up()` for the compiling lock
    the script held, and hung. Those workers start with the script hidden (their work is the package's);
    the runs' workers still see it (as Python's rule is), so a guarded script's own function runs there."""
    marks = tmp_path / "marks.txt"
    script = tmp_path / "example.py"
    script.write_text(
        "import multiprocessing, os\nfrom concurrent.futures import ProcessPoolExecutor\n"
        "from twin.executor import make_executor, spawnable_main\n"
        f"open({str(marks)!r}, 'a').write('body\\n')\n"
        "def square(x):\n    return x * x\n"
        "if __name__ == '__main__':\n"
        "    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context('spawn'))\n"
        "    with spawnable_main(always=True):\n"
        "        futures = [pool.submit(os.getpid) for _ in range(2)]\n"
        "    [f.result() for f in futures]\n    pool.shutdown()\n"
        f"    open({str(marks)!r}, 'a').write('compiled\\n')\n"
        "    executor = make_executor(2)\n"
        "    print('squares', [r for _, r in sorted(executor.run(square, [1, 2, 3]))])\n    executor.close()\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "squares [1, 4, 9]" in done.stdout, done.stderr[-2000:]
    lines = marks.read_text().splitlines()
    assert lines[:2] == ["body", "compiled"]  # not run again in the pool started with the script hidden
    assert lines.count("body") >= 2  # the runs' workers imported it (its function is theirs to run)


def test_other_outcomes_leave_out_emergency_releases_no_option_changes():
    from types import SimpleNamespace

    from twin.report_text import other_outcomes

    def summary(emergency):
        return pd.DataFrame([{"scenario": s, "metric": m, "diff_mean": v, "diff_low": v, "diff_high": v}
                             for s in ("a", "b") for m, v in (("total_homicides", -3.0),
                                                               ("total_emergency_releases", emergency[s]))])

    column = "emergency releases (before the early-release share)"
    quiet = other_outcomes(SimpleNamespace(scenarios=["base", "a", "b"], baseline="base",
                                           summary=summary({"a": 0.0, "b": 0.0})))
    assert list(quiet.columns) == ["option", "homicides"] and list(quiet["homicides"]) == ["-3 [-3, -3]"] * 2
    moved = other_outcomes(SimpleNamespace(scenarios=["base", "a", "b"], baseline="base",
                                           summary=summary({"a": 0.0, "b": 12.0})))
    assert list(moved[column]) == ["0 [0, 0]", "+12 [+12, +12]"]


def test_the_savings_chart_draws_each_option_s_saving_and_interval_best_first():
    """The summary's chart: bars at each option's saving (minus its change), the best at the top, the
    interval's ends as error bars, and the Green Book bar hatched beside it."""
    from twin.report import headline_chart

    rows = [{"scenario": name, "net": net, "net_low": net - 0.5e9, "net_high": net + 0.25e9,
             "green_book": net + 1e9, "green_book_low": np.nan, "green_book_high": np.nan}
            for name, net in (("small", -1e9), ("big", -4e9), ("worse", 0.5e9))]
    figure = headline_chart(rows, "base")
    from matplotlib.container import BarContainer

    axis = figure.axes[0]
    net_bars, green_bars = [c for c in axis.containers if isinstance(c, BarContainer)]
    widths = [bar.get_width() for bar in net_bars.patches]
    assert widths == pytest.approx([4.0, 1.0, -0.5])  # best first: drawn from the top down
    ticks = sorted(zip(axis.get_yticks(), (t.get_text() for t in axis.get_yticklabels())), reverse=True)
    assert [name for _, name in ticks] == ["big", "small", "worse"]  # from the top down
    assert [bar.get_y() + bar.get_height() / 2 for bar in net_bars.patches] == pytest.approx(
        [position + 0.18 for position, _ in ticks])  # each bar beside its name
    assert [bar.get_hatch() for bar in green_bars.patches] == ["///"] * 3
    assert [bar.get_width() for bar in green_bars.patches] == pytest.approx([3.0, 0.0, -1.5])
    segments = net_bars.errorbar.lines[2][0].get_segments()  # the saving's interval: 0.25 below, 0.5 above
    assert [(seg[0][0], seg[1][0]) for seg in segments] == [pytest.approx((3.75, 4.5)), pytest.approx((0.75, 1.5)),
                                                           pytest.approx((-0.75, 0.0))]
    import matplotlib.pyplot as plt

    plt.close(figure)
    assert headline_chart([], "base") is None


def test_the_harm_categories_table_lists_the_options_in_the_report_s_order():
    """'At a glance' put the best first while the tables of differences below it kept the files' order
    (the best last): the category table takes the report's order."""
    from types import SimpleNamespace

    from twin.report_caveats import HARM_PARTS, harm_by_category

    summary = pd.DataFrame([{"scenario": scenario, "metric": metric, "diff_mean": value, "diff_low": value,
                             "diff_high": value} for scenario, value in (("a", -1e9), ("b", -3e9))
                            for metric, _ in HARM_PARTS])
    comparison = SimpleNamespace(scenarios=["base", "a", "b"], baseline="base", summary=summary)
    assert list(harm_by_category(comparison)["option"]) == ["a", "b"]
    assert list(harm_by_category(comparison, ["b", "a"])["option"]) == ["b", "a"]
    assert harm_by_category(comparison, ["b", "a"]).iloc[0, 1] == "-£3.00bn [-£3.00bn, -£3.00bn]"


def test_a_name_ending_in_s_takes_an_apostrophe_alone():
    from twin.report_format import possessive

    assert [possessive(n) for n in ("Countering SOC Bill", "Package with prison places", "NHS", "ct_powers")] == [
        "Countering SOC Bill's", "Package with prison places'", "NHS's", "ct_powers'"]


def test_titles_that_would_be_confused_give_way_to_names():
    from twin.report_titles import scenario_titles

    def stored(*rows):
        return pd.DataFrame([{"name": name, "resolved_json": json.dumps({"title": title} if title else {})}
                             for name, title in rows])

    assert scenario_titles(stored(("a", "Same"), ("b", "Same"), ("c", "C"), ("d", None))) == {
        "a": "a", "b": "b", "c": "C", "d": "d"}
    assert scenario_titles(stored(("a", "b"), ("b", None))) == {"a": "a", "b": "b"}  # a title that is a name
    assert scenario_titles(stored(("a", "a"), ("b", "B"))) == {"a": "a", "b": "B"}


def test_options_are_ranked_pair_by_pair_against_the_one_above():
    from types import SimpleNamespace

    from twin.compare import mean_interval, rank_options
    from twin.report_text import runner_up_sentence

    key = "discounted_net_social_cost_gbp"
    rng = np.random.default_rng(5)
    shared = rng.normal(0, 5e9, 8)  # what the replicates share across options (common random numbers)
    means = {"a": 1e9, "b": 1.4e9, "c": 3e9}
    gaps = {"a": np.zeros(8), "b": rng.normal(0, 2e8, 8), "c": rng.normal(0, 2e8, 8)}
    wide = pd.concat({s: pd.DataFrame({key: means[s] + shared + gaps[s]}, index=pd.RangeIndex(8, name="replicate"))
                      for s in means}, names=["scenario"])
    ranking = rank_options(wide, ["a", "b", "c"])
    assert list(ranking["scenario"]) == ["a", "b", "c"] and pd.isna(ranking.loc[0, "gap_mean"])
    b = ranking.iloc[1]
    assert b["above"] == "a" and b["gap_mean"] == pytest.approx(0.4e9 + gaps["b"].mean())
    assert b["gap_low"] < b["gap_mean"] < b["gap_high"] and b["p_above_better"] == np.mean(gaps["b"] + 0.4e9 > 0)
    assert "green_gap_low" not in ranking  # no Green Book measure in these runs: no gap on it
    green = wide.assign(**{f"{key}_excluding_assets": wide[key] + np.repeat([0.0, 0.3e9, 0.0], 8)})
    b_green = rank_options(green, ["a", "b", "c"]).iloc[1]  # b loses 0.3bn more of assets: a's lead shrinks
    paired = green.loc["b", f"{key}_excluding_assets"] - green.loc["a", f"{key}_excluding_assets"]
    low, high = mean_interval(paired.to_numpy())
    assert (b_green["green_gap_low"], b_green["green_gap_high"]) == (low, high) and b_green["green_pairs"] == 8
    assert b_green["green_p_above_better"] == np.mean(paired > 0) and low > b["gap_low"]
    sentence = runner_up_sentence(SimpleNamespace(ranking=ranking), markup=False)
    assert sentence.startswith("a's net social cost is £0.") and "lower than the runner-up's, b" in sentence
    assert "told apart" not in sentence and "The two are close" not in sentence  # better in every pair
    # told apart, but better in only 5 of 8 pairs: the runner-up's pairs and the fragility are said
    mixed = {"a": np.zeros(8), "b": np.array([0.3e9, 0.25e9, 0.2e9, 0.35e9, 0.3e9, -0.1e9, -0.05e9, -0.08e9])}
    narrow = pd.concat({s: pd.DataFrame({key: 1e9 + shared + mixed[s]}, index=pd.RangeIndex(8, name="replicate"))
                        for s in mixed}, names=["scenario"])
    narrow_ranking = rank_options(narrow, ["a", "b"])
    assert narrow_ranking.iloc[1]["gap_low"] > 0 and narrow_ranking.iloc[1]["p_above_better"] == 5 / 8
    sentence = runner_up_sentence(SimpleNamespace(ranking=narrow_ranking), markup=False)
    assert "lower in 5 of 8 paired replications. The two are close: b does better in the other 3 pairs" in sentence
    close = rank_options(wide.assign(**{key: wide[key] - np.where(wide.index.get_level_values(0) == "b", 0.4e9, 0)}),
                         ["a", "b", "c"])
    assert "cannot be told apart" in runner_up_sentence(SimpleNamespace(ranking=close), markup=False)
    # with failed runs: no replicate in common, or the shared ones reversing the order
    alone = wide.drop(index=[("b", r) for r in range(8)])
    alone = pd.concat([alone, pd.DataFrame({key: [2e9]}, index=pd.MultiIndex.from_tuples([("b", 99)],
                                                                                        names=["scenario", "replicate"]))])
    apart = rank_options(alone, ["a", "b", "c"])
    assert apart.iloc[1]["pairs"] == 0
    assert "no finished replications in common" in runner_up_sentence(SimpleNamespace(ranking=apart), markup=False)
    reversed_ = rank_options(wide, ["b", "a", "c"])  # b listed first, though a is cheaper pair by pair
    sentence = runner_up_sentence(SimpleNamespace(ranking=reversed_), markup=False)
    assert "is not ahead of the runner-up, a: its net social cost is £0." in sentence and "higher (90% interval" in sentence


def test_gaps_and_ratios_are_said_in_words_that_cannot_be_misread():
    from twin.compare import harm_per_extra_pound
    from twin.report_ranking import gap_interval

    assert gap_interval(0.4e9, 1.6e9) == "90% interval £0.40bn to £1.60bn lower"
    assert gap_interval(-0.2e9, 1.1e9) == "90% interval from £0.20bn higher to £1.10bn lower"
    assert gap_interval(-1.0e9, -0.5e9) == "90% interval £0.50bn to £1.00bn higher"
    assert harm_per_extra_pound(3e9, 1e9, 0.5e9) == 3.0
    assert np.isnan(harm_per_extra_pound(3e9, 0.01e9, -0.02e9))  # spending within the noise: no ratio
    assert np.isnan(harm_per_extra_pound(3e9, -1e9, -2e9))  # a saving: no ratio
    assert harm_per_extra_pound(3e9, 1e9, float("nan")) == 3.0  # one pair: the mean alone


def test_the_summary_calls_two_options_level_when_they_cannot_be_told_apart():
    """'does best' only when the best is told apart from the runner-up; else both are named."""
    from types import SimpleNamespace

    from twin.compare import rank_options
    from twin.report_ranking import level_with

    key = "discounted_net_social_cost_gbp"
    rng = np.random.default_rng(11)
    shared = rng.normal(0, 5e9, 12)
    apart = {"a": np.full(12, 1e9), "b": 2e9 + rng.normal(0, 1e8, 12)}
    level = {"a": np.full(12, 1e9), "b": 1e9 + rng.normal(0, 1e9, 12)}
    for gaps, tied in ((apart, False), (level, True)):
        wide = pd.concat({s: pd.DataFrame({key: shared + gaps[s]}, index=pd.RangeIndex(12, name="replicate"))
                          for s in gaps}, names=["scenario"])
        order = sorted(gaps, key=lambda s: gaps[s].mean())
        comparison = SimpleNamespace(ranking=rank_options(wide, order))
        assert (comparison.ranking.iloc[1]["gap_low"] <= 0) == tied  # the premise
        assert level_with(comparison, order[0]) == (order[1] if tied else None)
        assert level_with(comparison, order[1]) is None  # only the best has a runner-up below it
    # one pair: no interval at all, so the two are not told apart either
    one = pd.concat({s: pd.DataFrame({key: [shared[0] + apart[s][0]]}, index=pd.RangeIndex(1, name="replicate"))
                     for s in apart}, names=["scenario"])
    assert level_with(SimpleNamespace(ranking=rank_options(one, ["a", "b"])), "a") == "b"


def test_a_lead_in_few_pairs_is_called_narrow():
    """Told apart from the runner-up but better in fewer than three quarters of the pairs: 'narrowly'."""
    from types import SimpleNamespace

    from twin.report_ranking import narrowly

    def ranking(gap_low, share, pairs=48):
        return SimpleNamespace(ranking=pd.DataFrame([{"scenario": "a", "pairs": 0, "gap_low": np.nan},
                                                     {"scenario": "b", "pairs": pairs, "gap_low": gap_low,
                                                      "p_above_better": share}]))

    assert narrowly(ranking(0.08e9, 28 / 48)) == ", narrowly"
    assert narrowly(ranking(0.08e9, 40 / 48)) == ""  # a clear lead
    assert narrowly(ranking(-0.5e9, 28 / 48)) == ""  # not told apart: 'level' says it instead
    assert narrowly(SimpleNamespace(ranking=pd.DataFrame([{"scenario": "a"}]))) == ""


def test_the_green_book_ranking_is_named_only_when_it_differs():
    """Leaving recovered assets out can reorder the options: said then, with both changes."""
    from twin.report_text import green_book_sentence

    def row(name, net, green_book):
        return {"scenario": name, "net": net, "green_book": green_book, "green_book_low": green_book - 1e9,
                "green_book_high": green_book + 1e9}

    package, ct = row("package", -13.9e9, -9.3e9), row("ct", -13.8e9, -11.8e9)
    said = green_book_sentence([package, ct], package, markup=False)
    assert said.startswith("Counted as the Green Book would, leaving out recovered assets")
    assert "ct comes first: harm plus response cost changes by -£11.80bn (90% interval -£12.80bn to -£10.80bn), " \
           "against -£9.30bn" in said and said.endswith("for package.")
    assert green_book_sentence([package, row("ct", -13.8e9, -9.0e9)], package) is None
    assert green_book_sentence([package], package) is None


def test_a_saving_that_turns_into_a_cost_is_said_to_be_one():
    """The fading warning said 'gone by year 10' of a saving that had become a growing cost."""
    from types import SimpleNamespace

    from twin.report_text import fading_sentence

    def said(means):
        change = pd.DataFrame({"scenario": "x", "year": np.arange(1, len(means) + 1), "mean": means})
        return fading_sentence(SimpleNamespace(annual_change=change, baseline="base"), "x")

    turned = said([-1e9, -3e9, -2e9, -1e9, 0.5e9, 1.27e9])
    assert turned.startswith("x's yearly saving peaks in year 2 (£3.00bn, undiscounted)")
    assert "has turned into a cost by year 5 (in year 6 it costs society £1.27bn more than base" in turned
    assert "with its yearly cost still growing, its cumulative saving would shrink" in turned
    easing = said([-1e9, -3e9, -2e9, 1.3e9, 0.5e9])  # a cost, but shrinking: no claim about a longer horizon
    assert "has turned into a cost by year 4" in easing and "a longer one could change it" in easing
    still_falling = said([-1e9, -3e9, -2e9, -1e9, -0.8e9, -0.5e9])  # each further year would add less
    assert "falls every year after year 2: it has fallen by 83% from its peak, to £0.50bn in year 6" in still_falling
    assert "a longer one would favour it less against base" in still_falling  # not against the runner-up
    # not falling at the end, and how far it has fallen said (it read 'is £0.50bn in year 6' for a fall of 83%)
    assert "has fallen by 83% from its peak, to £0.50bn in year 6" in said([-1e9, -3e9, -2e9, -0.4e9, -0.6e9, -0.5e9])
    assert "is gone by year 4" in said([-1e9, -3e9, -1e9, 0.0])
    assert "has fallen almost to nothing from its peak, to £2.00m" in said([-1e9, -3e9, -1e9, -2e6])  # not "by 100%"
    # still growing at the end (a short horizon for a lasting policy): said, the other way round
    assert said([-1e9, -2e9, -3e9]) == ("x's yearly saving is still growing at the horizon's end (£2.00bn in year 2, "
                                        "£3.00bn in year 3, undiscounted): the comparison holds for this horizon, and "
                                        "a longer one would favour it more against base (see 'Year by year').")
    assert said([-1e9, -3e9, -3e9]) is None  # level at the end (argmin takes the first): neither
    flat_top = said([-1e9, -2.71e9, -2.69e9, -1e9, 0.5e9])  # two years within 1%: no single peak year
    assert "peaks in years 2 and 3 (each within 5% of the highest, £2.71bn in year 2, undiscounted)" in flat_top


def test_a_saving_that_wanes_while_spending_rises_is_said_to_favour_the_option_less_over_a_longer_horizon():
    from types import SimpleNamespace

    from twin.report_text import fading_sentence

    def said(means, costs):
        years = np.arange(1, len(means) + 1)
        frame = lambda values: pd.DataFrame({"scenario": "x", "year": years, "mean": values})  # noqa: E731
        return fading_sentence(SimpleNamespace(annual_change=frame(means), annual_cost_change=frame(costs),
                                               baseline="base"), "x")

    means = [-1e9, -3e9, -4e9, -4e9, -3.6e9, -3.3e9, -3.0e9]  # fallen by a quarter, falling each of the last 3 years
    waning = said(means, [1e9, 2e9, 2.5e9, 2.8e9, 3e9, 3.2e9, 3.4e9])
    assert waning == ("x's yearly saving peaks in years 3 and 4 (each within 5% of the highest, £4.00bn in year 3, "
                      "undiscounted) and falls in each of the last 3 years, "
                      "to £3.00bn in year 7, while its yearly response spending is still higher than at the peak "
                      "(+£2.50bn in year 3, +£3.40bn in year 7, against base): the comparison holds for this horizon, "
                      "and a longer one would favour it less against base (see 'Year by year').")
    # spending falling too: the fall is still said (the report said nothing of the best option's), without it
    assert said(means, [1e9, 2e9, 2.5e9, 2.4e9, 2.2e9, 2e9, 1.8e9]) == (
        "x's yearly saving peaks in years 3 and 4 (each within 5% of the highest, £4.00bn in year 3, undiscounted) and "
        "falls in each of the last 3 years, to £3.00bn in year 7; the comparison holds for this horizon, and a longer "
        "one would favour it less against base (see 'Year by year').")
    assert said([-1e9, -3e9, -4e9, -4e9, -3.6e9, -3.7e9, -3.0e9], [3e9] * 7) is None  # not falling each year
    assert said([-1e9, -3e9, -4e9, -4e9, -3.9e9, -3.8e9, -3.5e9], [1e9, 2e9, 2.5e9, 2.8e9, 3e9, 3.2e9, 3.4e9]) is None
    # a flat top and a fall longer than three years are said as they are (the report named one peak year
    # of three within 1% and said 'the last 3 years' of a fall over five)
    flat_top = said([-1.54e9, -1.87e9, -2.08e9, -2.06e9, -2.075e9, -1.94e9, -1.82e9, -1.77e9, -1.65e9, -1.51e9],
                    [0.2e9, 0.25e9, 0.30e9, 0.31e9, 0.31e9, 0.31e9, 0.31e9, 0.32e9, 0.32e9, 0.32e9])
    assert flat_top.startswith("x's yearly saving peaks in years 3, 4 and 5 (each within 5% of the highest, £2.08bn in "
                               "year 3, undiscounted) and falls every year after year 5, to £1.51bn in year 10, while")


def test_names_in_backticks_become_code_in_the_report():
    from twin.report_page import code_spans

    assert code_spans("run `twin sweep` with <b>x</b>") == "run <code>twin sweep</code> with <b>x</b>"
    assert code_spans("no names here") == "no names here"


def test_money_and_counts_without_numbers_read_n_a():
    from twin.report_text import bn, count_of, signed_bn, signed_count

    assert signed_bn(float("nan")) == "n/a" and bn(float("nan")) == "n/a" and signed_bn(-4e8) == "-£0.40bn"
    assert [signed_count(v) for v in (-0.3, 47.4, -95.6, 1234.5, float("nan"))] == ["0", "+47", "-96", "+1,234", "n/a"]
    assert count_of(float("nan"), 0) == "n/a" and count_of(0.5, 12) == "6 of 12"


def test_the_page_writes_every_negative_number_with_the_minus_sign_but_not_code_ranges_or_dates():
    from twin.report_format import signed_amounts

    page = signed_amounts('<html><head><style>a { margin: -1px }</style></head><body><td>-29 [-54, -4]</td><p>from '
                          '2025-04-01, 5-95%, <code>twin run x.toml --seed -1</code> -£5.36bn, x-1 (-3.5%) the others '
                          '-51 <img alt="-3"></p><script>var x = -1;</script></body>')
    assert page == ('<html><head><style>a { margin: -1px }</style></head><body><td>−29 [−54, −4]</td><p>from '
                    '2025-04-01, 5-95%, <code>twin run x.toml --seed -1</code> <span class="n">−£5.36bn</span>, x-1 '
                    '(−3.5%) the others −51 <img alt="-3"></p><script>var x = -1;</script></body>')


def test_money_near_zero_is_never_zero_billions_nor_minus_zero():
    """Exactly nothing is '£0' with no sign; under £5m is in millions (not '£0.00bn'); shares under 1%
    keep two figures (not '0%'); ratios never read '-0.00'."""
    from twin.report_format import bn, per_pound, percent, signed_bn
    from twin.report_text import _ratio

    assert [signed_bn(v) for v in (0.0, -0.0, 1.48e6, -2e5, -4.99e6, 5e6, -1.2e9)] == [
        "£0", "£0", "+£1.48m", "-£0.20m", "-£4.99m", "+£0.01bn", "-£1.20bn"]
    assert bn(-0.0) == "£0" and bn(8e6) == "£0.01bn" and bn(4e6) == "£4.00m"
    assert [percent(v) for v in (0.0029, 0.35, 0.0, 1.5, 0.01)] == ["0.29%", "35%", "0%", "150%", "1%"]
    assert per_pound(-0.001) == "£0.00" and per_pound(-0.5) == "-£0.50" and _ratio(-0.001) == "0.00"
    assert _ratio(-10.7) == "-10.7" and _ratio(float("nan")) == "n/a"


def test_harms_no_option_moves_are_named_and_harms_that_move_are_not():
    from types import SimpleNamespace

    from twin.report_unmoved import unmoved_harms

    def comparison(change):
        summary = pd.DataFrame([
            {"scenario": "base", "metric": "total_harm_gbp_economic", "mean": 100e9},
            {"scenario": "opt", "metric": "total_harm_gbp_economic", "mean": 100e9 + change, "diff_mean": change},
            {"scenario": "base", "metric": "total_harm_gbp_immigration", "mean": 5e9},
            {"scenario": "opt", "metric": "total_harm_gbp_immigration", "mean": 4e9, "diff_mean": -1e9}])
        return SimpleNamespace(summary=summary, baseline="base", steps_per_year=12,
                               bands=pd.DataFrame({"step": np.arange(1, 25)}))  # two years

    text = unmoved_harms(comparison(-0.5e9))
    assert "Fraud and other economic crime (about £50.00bn of harm a year, undiscounted; opt moves it by at most " \
           "0.5%)" in text and "immigration" not in text  # immigration moved by 20%
    assert unmoved_harms(comparison(-5e9)) == ""
    assert "this is a national market" in text  # one category: singular
    assert "opt leaves it exactly where it is)" in unmoved_harms(comparison(0.0))  # one option: named

    # two options of three leave economic crime alone: they are named, the third is not
    three = comparison(0.0)
    three.summary = pd.concat([three.summary, pd.DataFrame([
        {"scenario": "other", "metric": "total_harm_gbp_economic", "mean": 100e9, "diff_mean": 0.0},
        {"scenario": "mover", "metric": "total_harm_gbp_economic", "mean": 90e9, "diff_mean": -10e9}])])
    text = unmoved_harms(three)
    assert "What some options move little or not at all." in text
    # the third is named as moving it, with how far, so that no reader takes it for unmoved
    assert "opt and other leave it exactly where it is, while mover lowers it by 10.0%)" in text
    both = comparison(0.0)
    both.summary = pd.concat([both.summary, pd.DataFrame([
        {"scenario": "other", "metric": "total_harm_gbp_economic", "mean": 100e9, "diff_mean": 0.0}])])
    assert "every option here leaves it exactly where it is)" in unmoved_harms(both)

    # a small change whose interval lies on one side of zero is said to be clear, with its direction
    clear = comparison(0.3e9)
    clear.summary.loc[clear.summary.scenario == "opt", ["diff_low", "diff_high"]] = [0.2e9, 0.4e9]
    text = unmoved_harms(clear)
    assert "opt moves it by at most 0.3%; small, but clear: opt raises it by £0.30bn over the horizon, the interval " \
           "on one side of zero)" in text
    # pounds undiscounted, unlike the summary's: said once, in the heading
    assert text.count("undiscounted, unlike the summary's figures") == 1 and "</strong> Pounds here are" in text
    assert "small, but clear" not in unmoved_harms(comparison(0.3e9))  # no interval, nothing said

    # a market capped by demand has its own reason, after the national markets' paragraph
    capped = comparison(0.0)
    capped.summary = pd.concat([capped.summary, pd.DataFrame([
        {"scenario": "base", "metric": "total_harm_gbp_modern_slavery", "mean": 6e9},
        {"scenario": "opt", "metric": "total_harm_gbp_modern_slavery", "mean": 6e9 - 3e7, "diff_mean": -3e7}])])
    text = unmoved_harms(capped)
    assert text.count("<p>") == 2 and text.count("<strong>") == 1
    assert text.index("national market") < text.index("Modern slavery (about £3.00bn of harm a year, "
                                                        "undiscounted; opt moves it by at most 0.5%)")
    assert "smaller of what its groups can exploit and the area's demand" in text
    moved = comparison(-5e9)
    moved.summary = capped.summary.copy()
    for metric, change in (("total_harm_gbp_modern_slavery", -2e9), ("total_harm_gbp_economic", -5e9)):
        moved.summary.loc[moved.summary.metric == metric, "diff_mean"] = change
    assert unmoved_harms(moved) == ""

    from twin.report_text import fading_sentence

    fading = SimpleNamespace(annual_change=pd.DataFrame({"scenario": "opt", "year": [1, 2, 3, 4],
                                                         "mean": [-1e9, -3e9, -2e9, -1e9]}))
    assert ("peaks in year 2 (£3.00bn, undiscounted) and has fallen by 67% from its peak, to £1.00bn in year 4"
            in fading_sentence(fading, "opt"))
    growing = SimpleNamespace(annual_change=fading.annual_change.assign(mean=[-1e9, -2e9, -3e9, -4e9]), baseline="b")
    assert "opt's yearly saving is still growing at the horizon's end" in fading_sentence(growing, "opt")


def test_a_store_without_stored_areas_reads_them_from_the_areas_file_or_says_nothing(tmp_path):
    from twin.compare import _stored_geography

    assert _stored_geography({"areas_file": None}) == describe(load_geography())
    areas = tmp_path / "areas.csv"
    areas.write_text("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R1,100,0\n")
    assert _stored_geography({"areas_file": str(areas)}) == {"areas": 1, "nations": {"England": 1}, "exporters": [],
                                                             "most_vulnerable": [], "nation_of": {"A": "England"},
                                                             "region_of": {"A": "R1"}, "population_of": {"A": 100e3}}
    assert _stored_geography({"areas_file": str(tmp_path / "gone.csv")}) == {}


def test_lever_cost_lines_are_named_in_words_where_the_name_is_the_models():
    from twin.report_format import lever_label

    assert lever_label("border_powers") == "border powers"  # a lever named after its type
    assert lever_label("clear_hold_build_hold") == "Hold"  # a phase of an unnamed Clear-Hold-Build
    assert lever_label("chb_build", {"chb"}) == "Build (chb)"  # a phase of one the scenario named
    assert lever_label("prison_build", {"chb"}) == "prison_build"  # a name ending like a phase, of another lever
    assert lever_label("extra_funding") == "extra_funding"  # a name the scenario gave: as written
    assert lever_label("rebuild") == "rebuild"


def test_who_pays_counts_lever_spending_as_a_change_from_a_baseline_with_levers():
    from types import SimpleNamespace

    from twin.report_text import who_pays

    # as in a comparison's summary, every scenario lists every lever (0 where it has none), with the
    # paired change from the baseline (chb's is not the difference of the means, as when a run failed)
    rows = [("base", "discounted_lever_cost_gbp_chb", 1.0e9, None), ("opt", "discounted_lever_cost_gbp_chb", 1.5e9, 0.45e9),
            ("base", "discounted_lever_cost_gbp_fund", 0.0, None), ("opt", "discounted_lever_cost_gbp_fund", 0.2e9, 0.2e9),
            ("base", "discounted_lever_cost_gbp_gone", 0.3e9, None), ("opt", "discounted_lever_cost_gbp_gone", 0.0, -0.3e9),
            ("opt", "discounted_response_cost_gbp", 0, 0.45e9), ("opt", "discounted_response_cost_gbp_courts", 0, 0.05e9),
            ("opt", "discounted_lever_spending_gbp_forces", 0, 0.25e9), ("opt", "discounted_lever_spending_gbp_nca", 0, 0.2e9),
            ("opt", "discounted_lever_spending_gbp_rocus", 0, 0.0), ("opt", "discounted_lever_spending_gbp_other", 0, -0.15e9),
            ("opt", "discounted_lever_spending_gbp_courts", 0, 0.0), ("opt", "discounted_lever_spending_gbp_prisons", 0, 0.1e9),
            ("opt", "discounted_response_cost_gbp_nca", 0, 0.01e9), ("opt", "discounted_response_cost_gbp_prisons", 0, 0.02e9)]
    summary = pd.DataFrame([{"scenario": a, "metric": m, "mean": v, "diff_mean": d} for a, m, v, d in rows])
    paying = who_pays(SimpleNamespace(summary=summary, baseline="base", scenarios=["base", "opt"])).iloc[0]
    # by size, the saving of the lever the option drops included
    assert paying["largest levers (included above)"] == "chb +£0.45bn; gone -£0.30bn; fund +£0.20bn"
    # a lever of the option too small to name is counted, not dropped (the levers it lacks are not)
    tiny = pd.DataFrame([{"scenario": "base", "metric": "discounted_lever_cost_gbp_tiny", "mean": 0.0, "diff_mean": None},
                         {"scenario": "opt", "metric": "discounted_lever_cost_gbp_tiny", "mean": 3e5, "diff_mean": 3e5}])
    with_tiny = who_pays(SimpleNamespace(summary=pd.concat([summary, tiny]), baseline="base",
                                         scenarios=["base", "opt"])).iloc[0]
    assert with_tiny["largest levers (included above)"] == ("chb +£0.45bn; gone -£0.30bn; fund +£0.20bn; "
                                                            "1 more under £0.01bn")
    assert paying["courts"] == "+£0.05bn"
    # each spender: the levers' money it spends, with any change in its own costs (the NCA's, the prisons')
    assert (paying["police forces"], paying["ROCUs"], paying["NCA"]) == ("+£0.25bn", "£0", "+£0.21bn")
    assert paying["prisons and remand"] == "+£0.12bn" and paying["other public bodies"] == "-£0.15bn"


def test_payback_year_waits_until_the_saving_is_clear():
    """Payback is the first year from which the cumulative paired saving's 90% interval stays
    below zero: a year-1 mean a hair below zero, within the noise, is not a payback."""
    from twin.compare import _payback_year

    rng = np.random.default_rng(3)
    noise = rng.normal(0, 3e7, size=(6, 36))
    noise = np.vstack([noise, -noise])  # antithetic pairs: the mean change is exactly the signal
    rows = []
    for replicate in range(12):
        for step in range(36):
            base = 1e9 + rng.normal(0, 1e7)
            # year 1: a tiny saving (the mean is below zero throughout), lost in the noise; then a clear one
            change = -1e6 if step < 12 else -5e7
            rows += [{"metric": "net_social_cost_gbp", "step": step, "scenario": "base", "replicate": replicate,
                      "value": base},
                     {"metric": "net_social_cost_gbp", "step": step, "scenario": "opt", "replicate": replicate,
                      "value": base + change + noise[replicate, step]}]
    traj = pd.DataFrame(rows)
    assert _payback_year(traj, "opt", "base", 12) == (2, False)
    costly = traj.assign(value=np.where(traj.scenario == "opt", traj.value + 1e8, traj.value))
    year, unclear = _payback_year(costly, "opt", "base", 12)
    assert np.isnan(year) and not unclear
    # three pairs saving on average, too unevenly to name a year: unclear, not "does not pay back"
    uneven = pd.DataFrame([{"metric": "net_social_cost_gbp", "step": step, "scenario": scenario, "replicate": r,
                            "value": 1e9 + (shift if scenario == "opt" else 0.0)}
                           for r, shift in enumerate([-3e7, 2.5e7, 0.2e7]) for step in range(24)
                           for scenario in ("base", "opt")])
    year, unclear = _payback_year(uneven, "opt", "base", 12)
    assert np.isnan(year) and unclear
    # one pair gives no interval: no year is named, however clear its own saving
    year, unclear = _payback_year(traj[traj.replicate == 0], "opt", "base", 12)
    assert np.isnan(year) and unclear


def test_options_that_change_nothing_are_said_to_change_nothing():
    from types import SimpleNamespace

    from twin.report_ranking import least_bad_sentence, runner_up_sentence

    same = {"scenario": "copy", "net": 0.0, "net_low": 0.0, "net_high": 0.0}
    assert least_bad_sentence(same, "base", "0 of 2") == (
        "No option lowers the net social cost against base: the least bad, copy, leaves it exactly where it is in "
        "every paired replication.")
    assert "raises it by £1.48m" in least_bad_sentence(dict(same, net=1.48e6, net_high=3e6), "base", "0 of 2")
    ranking = pd.DataFrame([{"scenario": "a", "above": None}, {"scenario": "b", "above": "a", "pairs": 3,
                                                               "gap_mean": 0.0, "gap_low": 0.0, "gap_high": 0.0}])
    assert runner_up_sentence(SimpleNamespace(ranking=ranking)) == (
        "a and the runner-up, b, come out the same: their net social costs are equal in every one of the 3 paired "
        "replications.")


def test_a_lead_in_spending_is_not_read_as_one_in_harm():
    """After a lead the runs tell apart, the sentence says which of its parts they tell apart: harm
    averted about the same and spending clearly lower (the lead is in spending), or the reverse;
    nothing when both or neither part is told apart, or the lead itself is not."""
    from twin.report_ranking import lead_made_of

    row = {"gap_low": 3.7e9, "averts_more_mean": 0.09e9, "averts_more_low": -0.72e9, "averts_more_high": 0.89e9,
           "spend_more_mean": -5.0e9, "spend_more_low": -5.6e9, "spend_more_high": -4.4e9}
    said = lead_made_of(pd.Series(row), markup=False)
    assert said == (" The two avert about the same harm (it averts £0.09bn more, 90% interval -£0.72bn to +£0.89bn: "
                    "a difference the runs cannot tell from none), so the lead is in spending: it spends £5.00bn less "
                    "on the response (discounted; the report says on what).")
    assert "it averts £0.09bn less" in lead_made_of(pd.Series(dict(row, averts_more_mean=-0.09e9)), markup=False)
    assert 'href="#in-detail"' in lead_made_of(pd.Series(row))
    harm = dict(row, averts_more_mean=4e9, averts_more_low=3e9, averts_more_high=5e9, spend_more_low=-0.2e9,
                spend_more_high=0.3e9)
    assert lead_made_of(pd.Series(harm), markup=False) == (
        " The two spend about the same on the response (a difference the runs cannot tell from none), so the lead is "
        "in harm: it averts £4.00bn more (90% interval £3.00bn to £5.00bn, discounted).")
    for other in (dict(row, averts_more_low=0.1e9),  # both parts told apart
                  dict(harm, averts_more_low=-1e9),  # neither
                  dict(row, gap_low=-0.1e9),  # the lead itself is not
                  {k: v for k, v in row.items() if k != "spend_more_high"}):  # one pair: no interval
        assert lead_made_of(pd.Series(other)) == ""


def test_pairs_to_tell_apart_is_the_smallest_count_whose_interval_would_exclude_zero():
    """For paired gaps whose 90% interval includes zero: the count returned is the first at which
    the gaps' own mean exceeds (t + z) standard errors, so that a t-interval excludes zero four times
    in five (the count at which it just excluded zero did so half the time); the one before does
    not. None is suggested when the interval already excludes zero or the gap is not positive,
    and the runner-up sentence names the count."""
    from types import SimpleNamespace

    from scipy.stats import norm, t

    from twin.compare import MAX_PAIRS_SUGGESTED, mean_interval, pairs_to_tell_apart, rank_options
    from twin.report_text import runner_up_sentence

    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(200):
        pairs = int(rng.integers(3, 30))
        gaps = rng.normal(0.3, 1.0, pairs)
        low, high = mean_interval(gaps)
        needed = pairs_to_tell_apart(gaps.mean(), low, high, pairs)
        if low > 0 or gaps.mean() <= 0:
            assert np.isnan(needed)
            continue
        checked += 1
        sd, m = gaps.std(ddof=1), gaps.mean()
        z = norm.ppf(0.8)
        if not np.isfinite(needed):
            assert (t.ppf(0.95, MAX_PAIRS_SUGGESTED - 1) + z) * sd / np.sqrt(MAX_PAIRS_SUGGESTED) >= m
            continue
        n = int(needed)
        assert n > pairs and (t.ppf(0.95, n - 1) + z) * sd / np.sqrt(n) < m
        assert n - 1 == pairs or (t.ppf(0.95, n - 2) + z) * sd / np.sqrt(n - 1) >= m
    assert checked > 50
    assert np.isnan(pairs_to_tell_apart(1.0, -1.0, 3.0, 1))  # one pair: no spread to go on

    key = "discounted_net_social_cost_gbp"
    gap = np.array([0.5, -0.2, 0.9, 0.1, -0.4, 0.6]) * 1e9
    wide = pd.concat({"a": pd.DataFrame({key: np.zeros(6)}), "b": pd.DataFrame({key: gap})}, names=["scenario"])
    wide.index = wide.index.set_names(["scenario", "replicate"])
    row = rank_options(wide, ["a", "b"]).iloc[1]
    assert row["gap_low"] < 0 and row["pairs_needed"] > 6
    sentence = runner_up_sentence(SimpleNamespace(ranking=rank_options(wide, ["a", "b"])), markup=False)
    assert f"about {int(row['pairs_needed'])} would, four times in five" in sentence
    assert f"--reps {int(row['pairs_needed'])}" in sentence
    # a gap tiny next to its spread: no count is suggested, and the sentence says none would do
    tiny = wide.assign(**{key: np.concatenate([np.zeros(6), np.array([5.0, -5.0, 5.0, -4.9, -5.0, 5.0]) * 1e9])})
    row = rank_options(tiny, ["a", "b"]).iloc[1]
    assert row["gap_mean"] > 0 and row["pairs_needed"] == np.inf
    sentence = runner_up_sentence(SimpleNamespace(ranking=rank_options(tiny, ["a", "b"])), markup=False)
    assert f"even {MAX_PAIRS_SUGGESTED:,} paired replications would not be expected to separate them" in sentence
    # more pairs already run than the limit: the count said is more than were run (it said 2,000 after 5,000)
    from twin.report_ranking import more_pairs

    many = np.tile([1.0, -1.0], 2500) + 0.001  # a gap far too small for 10,000 pairs to separate
    low, high = mean_interval(many)
    assert low < 0 < high and pairs_to_tell_apart(many.mean(), low, high, 5000) == np.inf
    assert "even 10,000 paired replications would not" in more_pairs({"pairs_needed": np.inf, "pairs": 5000})
    assert "even 2,000 paired" in more_pairs({"pairs_needed": np.inf, "pairs": 12})


def test_the_terminal_summary_names_what_the_best_and_the_runner_up_cost_beside_their_savings(monkeypatch):
    """A close runner-up's harms (homicides, prisoners out early) can decide between two options:
    the terminal summary gives them for the best two options, not for the best only."""
    from types import SimpleNamespace

    from twin import report_text

    rows = [{"scenario": name, "harm": net, "cost": 0.0, "net": net, "net_low": net, "net_high": net,
             "per_pound": 1.0, "wins": 12, "pairs": 12} for name, net in (("third", -1e9), ("best", -3e9),
                                                                           ("second", -2e9))]
    monkeypatch.setattr(report_text, "headline_rows", lambda comparison: rows)
    monkeypatch.setattr(report_text, "wins", lambda row: "12 of 12")
    monkeypatch.setattr(report_text, "runner_up_sentence", lambda comparison, markup: None)
    monkeypatch.setattr(report_text, "_rises", lambda comparison, scenario: [f"homicides rise under {scenario}"])
    monkeypatch.setattr(report_text, "justice_limit_parts", lambda comparison, scenario: [])
    text = report_text.terminal_table(SimpleNamespace(baseline="base", posterior=None, posterior_held={}))
    assert "Beside its savings, under best: homicides rise under best." in text
    assert "Beside its savings, under second: homicides rise under second." in text
    assert "under third" not in text
    # a runner-up that costs more than the baseline
    rows[:] = [dict(rows[1]), dict(rows[2], net=2e9, net_low=2e9, net_high=2e9)]
    text = report_text.terminal_table(SimpleNamespace(baseline="base", posterior=None, posterior_held={}))
    assert "Besides costing society more than base, under second: homicides rise under second." in text
    rows[1].update(net_low=-1e9)  # ... on average only: its interval reaches a saving
    text = report_text.terminal_table(SimpleNamespace(baseline="base", posterior=None, posterior_held={}))
    assert "Whatever its net effect (unclear here), under second: homicides rise under second." in text
    assert "No option lowers" not in text
    # no option beats the chosen baseline: said as the report says it, and no harm averted per pound reads n/a
    rows[:] = [dict(rows[0], net=1e9, net_low=0.4e9, net_high=1.6e9, per_pound=float("nan")),
               dict(rows[1], net=2e9, net_low=1.5e9, net_high=2.5e9)]
    text = report_text.terminal_table(SimpleNamespace(baseline="ct", posterior=None, posterior_held={}))
    assert ("No option lowers the net social cost against ct on average: the least bad, best, raises it by £1.00bn "
            "(90% interval +£0.40bn to +£1.60bn; lower in 12 of 12 paired replications).") in text
    assert "nan" not in text and " n/a" in text.splitlines()[2]
    assert "Besides costing society more than ct, under best" in text
    # a rise whose interval reaches a saving is a tie with the baseline, and said to be one (it read as a loss)
    rows[0].update(net_low=-0.6e9)
    text = report_text.terminal_table(SimpleNamespace(baseline="ct", posterior=None, posterior_held={}))
    assert ("raises it by £1.00bn (90% interval -£0.60bn to +£1.60bn; lower in 12 of 12 paired replications), so "
            "within the runs' precision it is level with the baseline.") in text
    from twin.report_format import per_pound

    assert (per_pound(-2.6), per_pound(0.07), per_pound(5.43)) == ("-£2.6", "£0.07", "£5.4")
    # a terminal narrower than the table: an option at a time, every line within it, the same figures
    whole = report_text.terminal_table(SimpleNamespace(baseline="ct", posterior=None, posterior_held={}))
    narrow = report_text.terminal_table(SimpleNamespace(baseline="ct", posterior=None, posterior_held={}), 80)
    assert max(map(len, whole.splitlines())) > 80 and max(map(len, narrow.splitlines())) <= 80
    assert "  net social cost +£1.00bn [-£0.60bn, +£1.60bn], better in 12 of 12, £/£ n/a" in narrow
    assert " ".join(narrow.split()).count("within the runs' precision it is level with the baseline") == 1
    wide = report_text.terminal_table(SimpleNamespace(baseline="ct", posterior=None, posterior_held={}), 200)
    assert wide.splitlines()[1] == whole.splitlines()[1]  # wide enough: the table
    assert "from a single replication" not in whole
    rows[0].update(net_low=float("nan"), net_high=float("nan"))  # one replication: no interval, and why said
    text = report_text.terminal_table(SimpleNamespace(baseline="ct", posterior=None, posterior_held={}))
    assert "[n/a, n/a]" in text and "An interval is n/a from a single replication (give --reps 2 or more)." in text


def test_derived_outcomes_count_a_missing_lever_as_nothing_spent_but_a_failed_run_as_missing():
    from twin.compare import with_derived_outcomes

    wide = pd.DataFrame({"total_harm_gbp_total": [10.0, 12.0, np.nan], "total_response_cost_gbp": [1.0, 2.0, np.nan],
                         "total_lever_cost_gbp_clear": [np.nan, 3.0, np.nan]}, index=["base", "clear", "failed"])
    derived = with_derived_outcomes(wide)
    assert derived.loc["base", "total_lever_cost_gbp_clear"] == 0.0  # no such lever: nothing spent
    assert derived.loc["clear", "total_lever_cost_gbp"] == 3.0
    assert np.isnan(derived.loc["failed", "total_lever_cost_gbp_clear"])  # a failed run: no data, not 0
    assert np.isnan(derived.loc["failed", "total_lever_cost_gbp"])
    assert derived.loc["clear", "total_net_social_cost_gbp_excluding_assets"] == 14.0



def test_the_executors_warnings_print_before_the_progress_bar_not_on_it(tmp_path, monkeypatch, capsys):
    import sys

    from types import SimpleNamespace

    from twin import executor as executor_module

    from conftest import QUICK_BASELINE

    def make_executor(workers, cluster=None):  # warns as the real one does, and runs nothing
        print("Warning: --workers 4 is more than the 2 cores this command may use.", file=sys.stderr)
        return SimpleNamespace(run=lambda fn, tasks, chunk, crashed=None, group=None: iter(()), close=lambda: None)

    monkeypatch.setattr(executor_module, "make_executor", make_executor)
    run_ensemble([str(QUICK_BASELINE)], 1, 1, 1, 4, _sqlite(tmp_path), progress=True)
    err = capsys.readouterr().err
    assert "replications" in err and err.index("Warning: --workers 4") < err.index("replications")


def test_a_world_that_differs_from_the_baselines_is_not_headlined_as_the_best_policy(tmp_path, capsys):
    """An option whose parameters differ (a smaller drug market) comes out lowest: the summary opens
    with the note that it is another world, and its verdict says so rather than 'does best'; the
    console prints the note before the ranking."""
    from twin.cli import main
    from twin.report_text import plain_summary

    base = write(tmp_path / "base.toml", f'[scenario]\nname = "base"\nbase = "{BASE}"\nspin_up_years = 1\n')
    world = write(tmp_path / "world.toml", f'[scenario]\nname = "smaller_market"\nbase = "{base}"\n'
                  "[parameters]\nheroin_crack_users_uk = 300000\ncocaine_users_uk = 600000\n")  # below its range
    store = _sqlite(tmp_path)
    copy = write(tmp_path / "copy.toml", f'[scenario]\nname = "copy"\nbase = "{base}"\n')  # a second option
    outcome = run_ensemble([str(base), str(copy), str(world)], 2, 1, YEARS, 1, store, progress=False)
    brief, _ = plain_summary(load_comparison(store, outcome.experiment_id))
    assert brief[0].startswith("<strong>Read first:</strong> smaller_market (<code>cocaine_users_uk</code>")
    assert "comes out lowest, as a world that differs from the baseline" in brief[1] and "does best" not in brief[1]
    assert main(["compare", str(base), str(copy), str(world), "--reps", "2", "--years", "1", "--workers", "1",
                 "--db", f"sqlite:///{tmp_path / 't.db'}", "--out", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert 0 <= out.index("Note: smaller_market") < out.index("Net social cost")
    assert re.search(r"The net with recovered assets left out \(the Green Book .*\): smaller_market [-+]£", out)
    # the report lists the parameters it sets beside their defaults and ranges, flagging the one beyond
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    # the summary's answer in one table, best first, before the words that qualify it
    glance = page[page.index("<caption>At a glance: each option against base, best first"):]
    glance = glance[:glance.index("</table>")]
    assert page.index("At a glance") < page.index("The scenarios compared")
    assert glance.index('<th scope="row">smaller_market (another world: its parameters differ; see the note)</th>') \
        < glance.index('<th scope="row">copy</th>')  # first, and marked as no policy
    assert "net social cost change (90% interval)" in glance and "better in (paired replications)" in glance
    assert "what rises (90% interval above zero)" in glance
    assert "the intervals reflect only chance between replications at the model&#x27;s assumed effect sizes" in glance
    # the baseline against its copy alone (their replications copied from the comparison above): no option
    # saves, and the least bad's interval is said to be chance only, as a saving's is
    alike = run_ensemble([str(base), str(copy)], 2, 1, YEARS, 1, store, progress=False)
    assert (alike.copied, alike.ran) == (4, 0)
    brief, _ = plain_summary(load_comparison(store, alike.experiment_id))
    assert brief[0].startswith("No option lowers the net social cost against base") \
        and "its interval reflects only the replications' chance variation" in brief[0]
    assert "smaller_market: the parameters it sets" in page and "{&quot;" not in page
    # each chart carries a visible caption (its words were the image's alt text only, lost in print)
    assert page.count("<figcaption>Figure ") == page.count('<img alt="Line chart') > 0
    assert "<figcaption>Each area's change in harm" in page  # the area chart's, with no number
    row = re.search(r'<th scope="row">cocaine_users_uk</th>(.*?)</tr>', page, re.S).group(1)
    assert "600,000 (beyond its plausible range)" in row and "950,000" in row and "700,000 to 1,200,000" in row
    row = re.search(r'<th scope="row">heroin_crack_users_uk</th>(.*?)</tr>', page, re.S).group(1)
    assert "300,000" in row and "beyond" not in row  # at the range's end: within it


def test_a_lever_setting_beyond_its_plausible_range_is_flagged_in_the_report():
    from twin.report_levers import lever_block

    assert "1,000 FTE per area (set by the scenario) (beyond its plausible range)" in lever_block(
        {"type": "clear", "surge_investigators_per_area": 1000})
    assert "beyond" not in lever_block({"type": "clear", "surge_investigators_per_area": 300})


def test_options_whose_parameters_differ_from_the_baselines_are_named_as_differing_through_the_spin_up():
    """Parameters hold through the spin-up: an option that overrides one is a world that differed
    before year 1, and the console and the report say so, naming the option and the parameters."""
    from types import SimpleNamespace

    from twin.compare import parameters_beside_baseline
    from twin.report_text import spin_up_parameters_note

    comparison = SimpleNamespace(
        baseline="base", scenarios=["base", "levers_only", "richer", "default_spelt_out"],
        parameters={"base": {"entry_rate_per_month": 0.3}, "levers_only": {"entry_rate_per_month": 0.3},
                    "richer": {"entry_rate_per_month": 0.3, "soc_budget_gbp_per_year": 1.5e9},
                    "default_spelt_out": {"entry_rate_per_month": 0.3,
                                          "price_supply_elasticity": 1.0}})  # the default: no difference
    assert parameters_beside_baseline(comparison) == [("richer", ["soc_budget_gbp_per_year"])]
    line = spin_up_parameters_note(comparison, markup=False)
    assert line.startswith("Note: richer (soc_budget_gbp_per_year) sets parameters other than base's, which held "
                           "through the spin-up too") and "\n" not in line
    assert "<code>soc_budget_gbp_per_year</code>" in spin_up_parameters_note(comparison)
    comparison.spin_up_years = {"base": 8, "richer": 0}  # no spin-up: its parameters act from year 1 only
    assert parameters_beside_baseline(comparison) == []
    comparison.spin_up_years = {"base": 8, "richer": 8}
    assert parameters_beside_baseline(comparison) == [("richer", ["soc_budget_gbp_per_year"])]
    comparison.parameters["richer"] = {"entry_rate_per_month": 0.3}
    assert spin_up_parameters_note(comparison) is None
    # against a posterior, an option that sets a calibrated parameter keeps its value while the
    # baseline draws it: a difference even when the value set is the default
    comparison.posterior_held = {"default_spelt_out": ["price_supply_elasticity"]}
    assert parameters_beside_baseline(comparison) == [("default_spelt_out", ["price_supply_elasticity"])]
    comparison.posterior_held = {"base": ["entry_rate_per_month"], "levers_only": ["entry_rate_per_month"],
                                 "richer": ["entry_rate_per_month"], "default_spelt_out": ["entry_rate_per_month"]}
    assert parameters_beside_baseline(comparison) == []  # all hold the same value
    # a stored comparison from before scenarios' parameters were kept: nothing to say
    assert parameters_beside_baseline(SimpleNamespace(baseline="base", scenarios=["base"], parameters={})) == []


def test_the_levers_said_to_act_on_a_national_market_are_said_not_to_move_it_either_when_options_here_add_them():
    from types import SimpleNamespace

    from twin.report_unmoved import unmoved_harms

    summary = pd.DataFrame([
        {"scenario": "base", "metric": "total_harm_gbp_immigration", "mean": 5e9},
        {"scenario": "ct", "metric": "total_harm_gbp_immigration", "mean": 5e9 - 8e7, "diff_mean": -8e7},
        {"scenario": "package", "metric": "total_harm_gbp_immigration", "mean": 5e9 + 2e6, "diff_mean": 2e6},
        {"scenario": "chb", "metric": "total_harm_gbp_immigration", "mean": 5e9, "diff_mean": 0.0}])
    comparison = SimpleNamespace(summary=summary, baseline="base", steps_per_year=12,
                                 bands=pd.DataFrame({"step": np.arange(1, 13)}),
                                 lever_types={"base": [], "ct": ["border_powers", "oversight"],
                                              "package": ["funding", "border_powers"], "chb": ["clear_hold_build"]})
    text = unmoved_harms(comparison)
    assert "Border powers, which cuts what smuggling groups can commit, is the lever that acts on this market " \
           "directly. Yet border powers, in the options here that add them, do not move organised immigration " \
           "crime much either: its harm changes by -1.6% under ct and +0.04% under package against base." in text
    comparison.lever_types["base"] = ["border_powers"]  # a baseline with the lever: nothing added here
    assert "Yet" not in unmoved_harms(comparison)
    comparison.lever_types = {}  # none of the options has it
    assert "Yet" not in unmoved_harms(comparison)


def _two_options(gap, levers, harms, green_book):
    """A comparison of 'best' and 'runner' (best ahead by `gap`): their discounted lever spending,
    harm changes by category {metric: (best, runner)} and Green Book changes (best, runner)."""
    from types import SimpleNamespace

    rows = [{"scenario": s, "metric": "discounted_lever_cost_gbp", "mean": v} for s, v in zip(("best", "runner"), levers)]
    rows += [{"scenario": s, "metric": metric, "mean": 0.0, "diff_mean": v}
             for metric, pair in harms.items() for s, v in zip(("best", "runner"), pair)]
    ranking = pd.DataFrame([{"scenario": "best", "rank": 1, "pairs": 12},
                            {"scenario": "runner", "above": "best", "rank": 2, "gap_mean": gap, "pairs": 12,
                             "spend_more_low": 1e9}])
    headline = [{"scenario": s, "green_book": g} for s, g in zip(("best", "runner"), green_book)]
    return SimpleNamespace(ranking=ranking, summary=pd.DataFrame(rows), baseline="base"), headline


def test_the_best_option_s_switching_values_against_the_baseline():
    """What would leave the best option's net saving at nothing: an overrun on its levers' spending
    beyond the baseline's, or less harm averted; each also leaving out recovered assets."""
    from types import SimpleNamespace

    from twin.report_ranking import against_doing_nothing

    summary = pd.DataFrame([{"scenario": s, "metric": f"discounted_lever_cost_gbp_{lever}", "mean": v}
                            for s, lever, v in (("base", "old", 1e9), ("opt", "old", 1e9), ("opt", "new", 4e9),
                                                ("opt", "cut", -2e9))])
    comparison = SimpleNamespace(summary=summary, baseline="base")
    best = {"scenario": "opt", "net": -6e9, "harm": -10e9, "green_book": -3e9}
    assert against_doing_nothing(comparison, best, markup=False) == (
        "Against base, opt's net saving of £6.00bn would fall to nothing were every lever's spending 150% (75% "
        "leaving out recovered assets) over its assumed cost or were the harm it averts 60% (30% leaving out "
        "recovered assets) smaller, its spending as it is (switching values).")  # 6/4, 3/4; 6/10, 3/10
    # a saving beyond the harm averted (assets recovered): no shortfall in harm would undo it
    said = against_doing_nothing(comparison, {**best, "harm": -5e9}, markup=False)
    assert "harm it averts" not in said and "150%" in said
    assert against_doing_nothing(comparison, {**best, "net": 0.5e9}, markup=False) is None  # no saving


def test_what_a_lead_rests_on_is_said_in_numbers():
    """The uplift on lever spending that would close the lead, the lead without recovered assets,
    and the harm categories that make up at least half of it."""
    from twin.report_ranking import lead_rests_on

    drugs, fraud, slavery = ("discounted_harm_gbp_drugs", "discounted_harm_gbp_economic",
                             "discounted_harm_gbp_modern_slavery")
    comparison, rows = _two_options(5e9, (20e9, 4e9), {drugs: (-30e9, -16e9), fraud: (-8e9, -5e9),
                                                       slavery: (-1e9, -0.9e9)}, (-17e9, -14e9))
    said = lead_rests_on(comparison, rows, markup=False)
    assert "best spends £16.00bn more on its levers than runner (discounted): a cost overrun of 31% (19% leaving " \
           "out recovered assets) on every lever's spending would leave the two level" in said
    assert ("leaving out recovered assets (a transfer from offenders, as a Green Book appraisal would usually count "
            "them), the lead is £3.00bn") in said  # 5/16 and 3/16 above
    assert "the lead is £3.00bn (" not in said  # no interval without the pairs' gaps on that measure
    comparison.ranking.loc[1, ["green_gap_low", "green_gap_high", "green_p_above_better", "green_pairs"]] = \
        (1.5e9, 4.5e9, 11 / 12, 12)
    assert ("the lead is £3.00bn (90% interval £1.50bn to £4.50bn lower, lower in 11 of 12 paired replications)"
            in lead_rests_on(comparison, rows, markup=False))
    comparison.ranking = comparison.ranking.drop(columns=["green_gap_low", "green_gap_high", "green_p_above_better",
                                                          "green_pairs"])
    comparison.parameters = {"best": {"lever_cost_optimism_bias": 0.4}}  # runs with the uplift say so
    assert "a further cost overrun of 31% (19% leaving out recovered assets) on every lever's spending, beyond the " \
           "40% optimism-bias uplift these runs apply, would leave the two level" in lead_rests_on(comparison, rows, False)
    del comparison.parameters
    assert "the lead turns on the harm (discounted) of drugs (best -£30.00bn, runner -£16.00bn: a difference of " \
           "£14.00bn, 2.8 times the lead: were it 36% smaller, the two would be level) and of fraud and other " \
           "economic crime (best " \
           "-£8.00bn, runner -£5.00bn: a difference of £3.00bn, 60% of the lead)" in said
    assert "modern slavery" not in said  # £0.1bn of a £5bn lead
    # in the report, a list: each part an item (as one sentence it ran to over 200 words)
    page = lead_rests_on(comparison, rows)
    items = re.findall(r"<li>(.*?)</li>", page)
    assert page.startswith('<div class="rests-on"><p>What the lead rests on:</p><ul><li>') and len(items) == 3
    assert items[0].startswith("Best spends £16.00bn more") and items[1].startswith("Leaving out recovered assets")
    assert all(item.endswith(".") for item in items) and page.endswith("shows how often each option comes first.</p></div>")
    assert "how defendants on bail behave" in page  # not the elasticities alone: they hardly move a close ranking
    # response spending beyond the levers (courts and prisons) is said beside the levers' when it differs
    rows = [dict(row, cost=cost) for row, cost in zip(rows, (19e9, 2e9))]
    assert "(discounted; £17.00bn more in all response spending, the courts and prisons" in \
           lead_rests_on(comparison, rows, markup=False)
    rows = [dict(row, cost=cost) for row, cost in zip(rows, (18e9, 2e9))]  # as the levers': nothing to add
    assert "in all response spending" not in lead_rests_on(comparison, rows, markup=False)
    # the runner-up spending more: an uplift would widen the lead, not close it
    comparison, rows = _two_options(5e9, (4e9, 6e9), {drugs: (-10e9, -9e9)}, (-6e9, -2e9))
    said = lead_rests_on(comparison, rows, markup=False)
    assert "runner spends £2.00bn more on its levers than best, so an allowance for optimism bias on the levers' " \
           "costs would widen the lead" in said and "harm of drugs" not in said
    assert lead_rests_on(_two_options(-1e9, (1, 1), {}, (0, 0))[0], rows) is None  # no lead


def test_the_overrun_that_closes_a_lead_is_on_spending_not_on_cuts():
    """A cut's saving is not raised by an overrun (nor by the optimism-bias uplift): the overrun that
    would close a lead is a share of the levers' spending, cuts left out."""
    from twin.report_ranking import lead_rests_on

    comparison, rows = _two_options(3e9, (4e9, 4e9), {}, (-1e9, 0.0))
    lines = pd.DataFrame([{"scenario": "best", "metric": "discounted_lever_cost_gbp_more", "mean": 10e9},
                          {"scenario": "best", "metric": "discounted_lever_cost_gbp_cut", "mean": -6e9},
                          {"scenario": "runner", "metric": "discounted_lever_cost_gbp_more", "mean": 4e9},
                          {"scenario": "runner", "metric": "discounted_lever_cost_gbp_cut", "mean": 0.0}])
    comparison.summary = pd.concat([comparison.summary, lines])
    # net of the cut both spend £4bn, but best spends £6bn more: an overrun of 50% closes its £3bn lead
    assert "best spends £6.00bn more on its levers than runner (discounted): a cost overrun of 50%" in \
        lead_rests_on(comparison, rows, markup=False)


def test_the_lead_says_what_the_best_option_buys_beyond_the_runner_up():
    """Harm averted against extra response spending, best over runner-up (discounted): as harm per
    extra pound when the best both averts and spends more; said plainly when it spends less."""
    from twin.report_ranking import lead_rests_on

    comparison, rows = _two_options(5e9, (20e9, 4e9), {}, (-17e9, -14e9))

    def said(harms, costs):
        return lead_rests_on(comparison, [dict(r, harm=h, cost=c) for r, h, c in zip(rows, harms, costs)], False)

    assert "against runner, best averts £20.00bn more harm for £16.00bn more response spending, £1.2 of harm " \
           "averted per extra pound" in said((-40e9, -20e9), (20e9, 4e9))
    assert "best averts £20.00bn more harm than runner for £1.00bn less response spending" in \
        said((-40e9, -20e9), (1e9, 2e9))
    assert "best averts £10.00bn less harm than runner and leads by spending £4.00bn less" in \
        said((-10e9, -20e9), (1e9, 5e9))
    assert "best averts £20.00bn more harm than runner for about the same response spending" in \
        said((-40e9, -20e9), (2.001e9, 2e9))
    assert "averts" not in said((-10e9, -20e9), (5e9, 1e9))  # less harm averted for more: not the lead's story
    # extra spending within the noise: no ratio (£1bn more averted for £6m more read as £166.7 a pound)
    comparison.ranking.loc[1, "spend_more_low"] = -0.1e9
    assert "best averts £20.00bn more harm than runner for response spending the runs cannot tell from the " \
           "runner-up's (£16.00bn more on average)" in said((-40e9, -20e9), (20e9, 4e9))
    assert "per extra pound" not in said((-40e9, -20e9), (20e9, 4e9))
    comparison.ranking.loc[1, "spend_more_low"] = 1e9
    assert "averts" not in lead_rests_on(comparison, rows, False)  # no harm or spending in the rows
    # a harm difference the paired runs cannot tell from none is said to be one (it read as a fact)
    comparison.ranking.loc[1, ["averts_more_low", "averts_more_high", "averts_more_share", "averts_more_pairs"]] = (
        -0.9e9, 0.72e9, 5 / 11, 11)  # over the pairs with both harms (the net's pairs are 12)
    assert "best averts £0.09bn more harm than runner for £1.00bn less response spending (a difference in harm the " \
           "runs cannot tell from none: 90% interval -£0.90bn to +£0.72bn of harm averted; more averted in 5 of 11 " \
           "paired replications)" in said((-20.09e9, -20e9), (1e9, 2e9))
    # and no harm averted per extra pound: a ratio to a difference that may be none would be any size
    more = said((-20.09e9, -20e9), (3e9, 2e9))
    assert "best averts £0.09bn more harm for £1.00bn more response spending (a difference in harm" in more
    assert "per extra pound" not in more
    comparison.ranking.loc[1, ["averts_more_low", "averts_more_high"]] = (0.02e9, 0.2e9)  # told apart: as before
    told = said((-20.09e9, -20e9), (1e9, 2e9))
    assert "best averts £0.09bn more harm than runner for £1.00bn less response spending" in told
    assert "cannot tell from none" not in told and "per extra pound" in said((-20.09e9, -20e9), (3e9, 2e9))


def test_a_hiring_lever_left_no_room_by_the_one_listed_before_it_is_named():
    """Levers that hire investigators share one cap in the order listed: a later one spending under
    1% of the first's hires almost no one, and the report says so for that option only."""
    from types import SimpleNamespace

    from twin.report_ranking import idle_hiring_sentence

    def cost(scenario, lever, value):
        return {"scenario": scenario, "metric": f"discounted_lever_cost_gbp_{lever}", "mean": value}

    summary = pd.DataFrame([cost("pkg", "funding", 8.7e9), cost("pkg", "soc_fund", 0.31e6), cost("pkg", "clear", 1e9),
                            cost("both", "funding", 8.7e9), cost("both", "soc_fund", 0.2e9),
                            cost("alone", "soc_fund", 1e3)])
    comparison = SimpleNamespace(summary=summary, lever_types={
        "pkg": ["clear", "funding", "soc_fund"], "both": ["funding", "soc_fund"], "alone": ["soc_fund", "clear"]})
    assert idle_hiring_sentence(comparison, "pkg", markup=False) == (
        "In pkg, the SOC fund lever spends only £0.31m (discounted): the levers that hire investigators share one "
        "hiring cap (how fast the workforce can be recruited and trained), taken in the order the scenario lists them, "
        "and the funding lever, listed first, fills it, so the SOC fund lever hires almost no one there, and the "
        "option's results hold "
        "almost nothing of its effect.")
    assert idle_hiring_sentence(comparison, "both") is None  # 2.3% of the funding's: it hires
    assert idle_hiring_sentence(comparison, "alone") is None  # one hiring lever: nothing shares its cap
    assert idle_hiring_sentence(comparison, "missing") is None
    # levers named in the scenario: their cost lines carry the names
    named = SimpleNamespace(summary=pd.DataFrame([cost("n", "money", 8.7e9), cost("n", "fund", 0.2e6)]),
                            lever_types={"n": ["funding", "soc_fund"]}, lever_names={"n": ["money", "fund"]})
    assert "the lever 'fund' spends only £0.20m" in idle_hiring_sentence(named, "n") and \
        "the lever 'money', listed first" in idle_hiring_sentence(named, "n")
    # a cut listed first, or after: a cut's negative cost is not "spending only" anything
    cuts = SimpleNamespace(summary=pd.DataFrame([cost("a", "funding", -0.3e9), cost("a", "soc_fund", 1e3),
                                                 cost("b", "soc_fund", 2e9), cost("b", "funding", -0.3e9)]),
                           lever_types={"a": ["funding", "soc_fund"], "b": ["soc_fund", "funding"]})
    assert idle_hiring_sentence(cuts, "a") is None and idle_hiring_sentence(cuts, "b") is None


def test_an_option_holding_other_options_levers_says_so_and_which_of_them_cost_society():
    from types import SimpleNamespace

    from twin.compare import lever_key
    from twin.report_pairs import parts_sentence

    def row(name, net, low, high):
        return {"scenario": name, "net": net, "net_low": low, "net_high": high}

    package, powers, funding, other = (row("package", -20e9, -22e9, -18e9), row("powers", -15e9, -16e9, -14e9),
                                       row("funding", 6e9, 4e9, 8e9), row("other", -1e9, -2e9, 0.5e9))
    def levers(*types):
        return [lever_key({"type": kind}) for kind in types]

    comparison = SimpleNamespace(baseline="base", lever_keys={
        "base": levers("soc_register"),
        "package": levers("soc_register", "border_powers", "oversight", "funding", "chb"),
        "powers": levers("soc_register", "border_powers", "oversight"), "funding": levers("soc_register", "funding"),
        "other": levers("soc_register", "funding", "sanctions")})
    said = parts_sentence(comparison, [package, powers, funding, other], package, markup=False)
    assert said.startswith("package includes the levers of powers and funding (the same levers with the same settings) "
                           "and adds chb.")  # not 'other' (sanctions), nor the baseline's lever
    assert "On its own, funding raises the net social cost by £6.00bn (90% interval £4.00bn to £8.00bn) with its " \
           "funding lever: package might do better without it, which these runs do not test (compare a scenario " \
           "with its file as `base` and that lever in `drop_levers`)." in said and "powers raises" not in said
    # lever types in words, not as the code names them
    comparison.lever_keys["package"] += levers("anti_corruption", "soc_fund")
    assert "and adds anti-corruption, chb and SOC fund." in parts_sentence(comparison, [package, powers, funding],
                                                                             package, markup=False)
    comparison.lever_keys["package"] = comparison.lever_keys["package"][:-2]
    # an included option that clearly saves: its own saving, beside the lead it leaves to the rest
    assert "On its own, powers saves £15.00bn (discounted; below); the rest of package's £20.00bn is what its other " \
           "levers add and what its levers do to one another's effects." in said
    # two included options that save: their sum, and an option saving less than its parts is said to
    comparison.lever_keys["chb"] = levers("soc_register", "chb")
    chb = row("chb", -7e9, -8e9, -6e9)
    both = parts_sentence(comparison, [package, powers, chb], package, markup=False)
    assert ("On their own, powers saves £15.00bn and chb £7.00bn (discounted; below), £22.00bn together, more than "
            "package's £20.00bn: its other levers and the way its levers act together cost more than they "
            "save.") in both
    more = dict(package, net=-25e9)
    assert ("£22.00bn together; the rest of package's £25.00bn is what its other levers"
            in parts_sentence(comparison, [more, powers, chb], more, markup=False))
    # parts holding all of its levers: then, and only then, its levers weaken one another
    comparison.lever_keys["lean"] = levers("soc_register", "border_powers", "oversight", "chb")
    lean = row("lean", -20e9, -21e9, -19e9)
    assert ("£22.00bn together, more than lean's £20.00bn: its levers weaken one another's effects."
            in parts_sentence(comparison, [lean, powers, chb], lean, markup=False))
    # parts sharing a lever: their savings do not add up, and nothing is said beyond them (it said £38bn
    # 'together' of a package holding one part inside another, and that its levers weakened one another)
    comparison.lever_keys["nofund"] = levers("soc_register", "border_powers", "oversight", "chb")
    nofund = row("nofund", -22e9, -23e9, -21e9)
    shared = parts_sentence(comparison, [package, nofund, powers], package, markup=False)
    assert "On their own, nofund saves £22.00bn and powers £15.00bn (discounted; below)." in shared
    assert "together" not in shared and "weaken" not in shared
    level = dict(lean, net=-22e9)  # the same as its parts: neither more nor less is claimed
    assert "£22.00bn together, as much as lean's £22.00bn." in parts_sentence(comparison, [level, powers, chb], level,
                                                                                markup=False)
    for name in ("chb", "lean", "nofund"):
        del comparison.lever_keys[name]
    assert "saves" not in parts_sentence(comparison, [package, dict(powers, net_high=1e9), funding], package)
    # an included option whose cost is not clear is not named as one; nothing included, nothing said
    assert "raises" not in parts_sentence(comparison, [package, powers, dict(funding, net_low=-1e9)], package)
    assert parts_sentence(comparison, [package, other], package) is None
    assert parts_sentence(SimpleNamespace(baseline="base", lever_keys={}), [package, powers], package) is None
    # an option without the baseline's lever is not a part: its change is partly the lever it lacks
    comparison.lever_keys["powers"] = levers("border_powers", "oversight")
    comparison.lever_keys["funding"] = levers("soc_register", "funding")
    said = parts_sentence(comparison, [package, powers, funding], package, markup=False)
    assert said.startswith("package includes the levers of funding (") and "powers and" not in said
    # two options with the same levers: neither is a part of the other
    twin = dict(funding, scenario="funding_high", net=-3e9, net_low=-4e9, net_high=-2e9)
    comparison.lever_keys["funding_high"] = levers("soc_register", "funding")
    assert parts_sentence(comparison, [twin, funding], twin) is None
    # a lever of the same type with other settings (a budget cut beside a rise, another area, other
    # years) is not the same lever: the option holding it is not a part (it was, by type alone)
    for other_settings in ({"budget_gbp_per_year": 6e8}, {"areas": ["Kent"]}, {"start_year": 2}):
        comparison.lever_keys["funding"] = [lever_key({"type": "soc_register"}),
                                            lever_key({"type": "funding", **other_settings})]
        assert parts_sentence(comparison, [package, funding], package) is None
    # written otherwise, the same lever: names in another case, a window as a duration
    assert lever_key({"type": "hold", "areas": "All"}) == lever_key({"type": "hold"})
    assert lever_key({"type": "hold", "areas": ["kent", "Essex"]}) == lever_key(
        {"type": "hold", "areas": ["Essex", "Kent"]})
    assert lever_key({"type": "hold", "start_year": 1, "duration_years": 2}) == lever_key(
        {"type": "hold", "start_year": 1, "end_year": 3})
    assert lever_key({"type": "hold", "areas": ["Kent"]}) != lever_key({"type": "hold", "areas": ["Essex"]})
    # settings written out at their defaults, another name or file: the same lever
    comparison.lever_keys["funding"] = [lever_key({"type": "soc_register", "name": "register", "_file": "x.toml"}),
                                        lever_key({"type": "funding", "intensity": 1, "start_year": 0})]
    assert parts_sentence(comparison, [package, funding], package, markup=False).startswith(
        "package includes the levers of funding (")
    # a lever the best option holds twice, once beyond the part's, is named as added
    comparison.lever_keys["package"] = levers("soc_register", "funding", "funding")
    assert parts_sentence(comparison, [package, funding], package, markup=False).startswith(
        "package includes the levers of funding (the same levers with the same settings) and adds funding.")


def test_a_runner_up_saving_more_each_year_at_the_end_is_said():
    from types import SimpleNamespace

    from twin.report_horizon import runner_up_gains

    def said(best, runner):
        years = np.arange(1, len(best) + 1)
        change = pd.DataFrame({"scenario": ["best"] * len(best) + ["runner"] * len(runner),
                               "year": np.concatenate([years, years]), "mean": best + runner})
        ranking = pd.DataFrame([{"scenario": "best"}, {"scenario": "runner", "above": "best"}])
        return runner_up_gains(SimpleNamespace(ranking=ranking, annual_change=change))

    text = said([-3e9, -3e9, -2e9, -1e9], [-1e9, -2.5e9, -2.2e9, -1.7e9])
    assert text.startswith("From year 3 to the end, runner lowers the net social cost more each year than best "
                           "(year 4: -£1.70bn against -£1.00bn")
    assert said([-3e9, -3e9, -2e9, -1e9], [-1e9, -2.5e9, -1.9e9, -1.7e9]).startswith(  # ahead in the last year only
        "In year 4, the horizon's last, runner lowers the net social cost more than best (year 4: -£1.70bn against")
    assert said([-3e9, -3e9, -2e9, -1e9], [-1e9, -2.5e9, -2.2e9, -0.7e9]) is None  # behind in the last year
    assert said([-3e9, -3e9], [-4e9, -4e9]) is None  # ahead every year: the ranking says so already
    # and so down the ranking: the third gaining on the second is said too, with their ranks
    years = np.arange(1, 5)
    change = pd.DataFrame({"scenario": np.repeat(["best", "second", "third"], 4), "year": np.tile(years, 3),
                           "mean": [-3e9, -3e9, -3e9, -3e9, -2e9, -2e9, -2e9, -1e9, -1e9, -1e9, -1.5e9, -1.5e9]})
    ranking = pd.DataFrame([{"scenario": "best"}, {"scenario": "second", "above": "best"},
                            {"scenario": "third", "above": "second"}])
    text = runner_up_gains(SimpleNamespace(ranking=ranking, annual_change=change))
    assert text == ("In year 4, the horizon's last, third (ranked 3) lowers the net social cost more than second "
                    "(ranked 2) (year 4: -£1.50bn against -£1.00bn, undiscounted, means of paired replications): "
                    "over a longer horizon the order could change.")
    # with the replicates' yearly values, the last year's lead carries its paired interval, centred on it
    net = pd.DataFrame({(4, "second"): [-1.2e9, -0.8e9, -1.0e9], (4, "third"): [-1.3e9, -1.9e9, -1.3e9]})
    text = runner_up_gains(SimpleNamespace(ranking=ranking, annual_change=change, yearly_net=net))
    low, high = mean_interval(np.array([0.1e9, 1.1e9, 0.3e9]))  # second's less third's, pair by pair
    assert low < 0.5e9 < high and low < 0 < high
    assert ("(year 4: -£1.50bn against -£1.00bn, undiscounted, means of paired replications; lower by +£0.50bn, "
            f"90% interval -£{-low / 1e9:.2f}bn to +£{high / 1e9:.2f}bn, not told apart from none)") in text
    net[(4, "third")] = [-1.5e9, -1.6e9, -1.4e9]
    text = runner_up_gains(SimpleNamespace(ranking=ranking, annual_change=change, yearly_net=net))
    low, high = mean_interval(np.array([0.3e9, 0.8e9, 0.4e9]))
    assert 0 < low < 0.5e9 < high
    assert f"; lower by +£0.50bn, 90% interval +£{low / 1e9:.2f}bn to +£{high / 1e9:.2f}bn)" in text


def test_other_options_doing_better_in_people_are_named_with_their_paired_intervals():
    """Choosing on pounds gives up what another option does better in people: said when the paired
    90% interval of the difference lies wholly on one side; not for the baseline, nor by chance."""
    from types import SimpleNamespace

    from twin.report_caveats import others_better_in_people

    rng = np.random.default_rng(5)
    reps = 12
    noise = rng.normal(0, 10, (3, reps))
    # the paired gap's noise wide enough (sd 40) that Student's t and a normal interval differ by more
    # than the figures' rounding (about 1.7 against 0.5)
    children = {"base": 1000 + noise[0], "best": 900 + noise[1], "other": 700 + noise[1] + rng.normal(0, 40, reps)}
    homicides = {"base": 50 + noise[2], "best": 50 + noise[2] + rng.normal(0, 5, reps), "other": 50 + noise[2]}
    rows = [(name, r, children[name][r], homicides[name][r]) for name in children for r in range(reps)]
    wide = pd.DataFrame(rows, columns=["scenario", "replicate", "total_recruits_children", "total_homicides"]
                        ).set_index(["scenario", "replicate"])
    comparison = SimpleNamespace(wide=wide, baseline="base", scenarios=["base", "best", "other"],
                                 ranking=pd.DataFrame({"scenario": ["best", "other"]}))
    said = others_better_in_people(comparison, "best")
    gap = children["best"] - children["other"]  # the paired difference: about 200, its noise sd 40
    assert len(said) == 1
    assert said[0].startswith(f"other, {gap.mean():,.0f} fewer children recruited over the horizon (")
    assert "homicides" not in said[0]  # no real difference: not said
    low, high = (float(x.replace(",", "")) for x in re.search(r"\(([\d,]+) to ([\d,]+)\)", said[0]).groups())
    from scipy.stats import t

    half = t.ppf(0.95, reps - 1) * gap.std(ddof=1) / np.sqrt(reps)  # Student's t, as every interval of the report
    assert low == pytest.approx(gap.mean() - half, abs=0.5) and high == pytest.approx(gap.mean() + half, abs=0.5)
    assert others_better_in_people(comparison, "other") == []  # the baseline does worse; best does too


def test_a_difference_in_people_under_one_is_never_zero_fewer():
    """Over a short horizon a clear difference can be a fraction of a person on average: it keeps two
    figures ('0.42 fewer'), as do its interval's ends, never '0 fewer ... (0 to 1)'."""
    from types import SimpleNamespace

    from twin.report_caveats import others_better_in_people
    from twin.report_format import people

    assert [people(v) for v in (1234.4, 12.3, 3.46, 0.42, -0.4)] == ["1,234", "12", "3.5", "0.42", "-0.4"]
    rng = np.random.default_rng(6)
    reps = 12
    base = rng.normal(2, 0.5, reps)
    wide = pd.DataFrame({"scenario": ["base"] * reps + ["best"] * reps + ["other"] * reps,
                         "replicate": list(range(reps)) * 3,
                         "total_homicides": np.r_[base, base, base - 0.4 + rng.normal(0, 0.05, reps)]}
                        ).set_index(["scenario", "replicate"])
    comparison = SimpleNamespace(wide=wide, baseline="base", scenarios=["base", "best", "other"],
                                 ranking=pd.DataFrame({"scenario": ["best", "other"]}))
    said = others_better_in_people(comparison, "best")
    assert len(said) == 1
    mean, low, high = (float(x) for x in re.search(r"other, ([\d.]+) fewer homicides over the horizon "
                                                  r"\(([\d.]+) to ([\d.]+)\)", said[0]).groups())
    assert 0 < low < mean < high < 1 and mean == pytest.approx(0.4, abs=0.05)


def test_an_enormous_setting_prints_as_a_power_of_ten_not_thirty_digits():
    from twin.parameters import format_value

    assert [format_value(v) for v in (1e30, -2.5e20, 6e9, 3.0, 0.035, 1234.5)] == [
        "1e+30", "-2.5e+20", "6,000,000,000", "3", "0.035", "1,234"]


def test_the_report_counts_runs_per_scenario():
    from twin.report_page import _finished

    runs = pd.DataFrame({"scenario": ["a"] * 4 + ["b"] * 4, "status": ["done"] * 8})
    assert _finished(runs) == "4 replications of each of 2 scenarios finished"
    assert _finished(runs.assign(status=["done"] * 7 + ["failed"])) == "7 runs finished"


def test_every_chart_titled_month_by_month_is_drawn_from_the_monthly_levels():
    """A stock charted from the yearly table would show twelve months added up (county lines at
    about 21,500 against 1,800 running)."""
    from twin.report import CHARTS, STOCKS

    for metric, title, *_ in CHARTS:
        assert ("month by month" in title) == (metric in STOCKS), metric


def test_the_area_table_marks_the_changes_whose_interval_excludes_zero():
    from types import SimpleNamespace

    from twin.report_areas import area_table

    rows = []
    for area, nation, base, diff, low, high in (("A", "England", 300e6, -50e6, -80e6, -20e6),
                                                ("B", "England", 200e6, 10e6, -5e6, 25e6),
                                                ("C", "Wales", 100e6, 30e6, 5e6, 55e6)):
        rows += [{"scenario": "base", "area": area, "metric": "harm_gbp_total", "mean": base, "diff_mean": 0.0,
                  "diff_low": 0.0, "diff_high": 0.0},
                 {"scenario": "opt", "area": area, "metric": "harm_gbp_total", "mean": base + diff, "diff_mean": diff,
                  "diff_low": low, "diff_high": high}]
    comparison = SimpleNamespace(areas=pd.DataFrame(rows), baseline="base", scenarios=["base", "opt"],
                                 geography={"nation_of": {"A": "England", "B": "England", "C": "Wales"}})
    table = area_table(comparison).set_index("area")["opt: change (£m)"]
    assert table["A"] == "-50*" and table["B"] == "+10" and table["C"] == "+30*"
    assert table["total: England"] == "-40" and table["all areas"] == "-10"  # totals carry no mark
    assert not table.index.str.startswith("ROCU region:").any()  # no regions given (an older store)
    # regions of more than one area get a total each, when there are several regions (ROCU remits)
    comparison.geography["region_of"] = {"A": "North", "B": "North", "C": "Wales"}
    table = area_table(comparison).set_index("area")["opt: change (£m)"]
    assert table["ROCU region: North"] == "-40" and "ROCU region: Wales" not in table.index
    comparison.geography["region_of"] = {"A": "One", "B": "One", "C": "One"}
    assert not area_table(comparison).area.str.startswith("ROCU region:").any()
    # a region named after a nation that leaves out one of its areas (the Wales region and North
    # Wales): the page says what the region's row holds beside the nation's total
    from twin.report_page import _regions_note

    comparison.geography["region_of"] = {"A": "North", "B": "North", "C": "Wales"}
    assert _regions_note(comparison) == ""
    comparison.geography["nation_of"]["B"] = "Wales"
    assert _regions_note(comparison) == (" The ROCU regions are the regional units' remits, not nations: B is in the "
                                         "North region, so the Wales region leaves it out and the total for Wales "
                                         "holds it.")


def test_per_area_changes_carry_the_90_percent_interval_of_their_paired_differences(tmp_path):
    from twin.compare import mean_interval

    db = f"sqlite:///{tmp_path / 'areas.db'}"
    clear = write(tmp_path / "clear.toml", f'[scenario]\nname = "clear"\nbase = "{BASE}"\n'
                  '[[levers]]\ntype = "clear"\nareas = ["Kent"]\n')
    assert main(["compare", BASE, str(clear), "--reps", "3", "--years", "2", "--db", db, "--quiet",
                 "--out", str(tmp_path / "out")]) == 0
    store = Store(db)
    comparison = load_comparison(store, 1)
    in_kent = comparison.areas[(comparison.areas.scenario == "clear") & (comparison.areas.area == "Kent")].set_index("metric")
    kent = in_kent.loc["harm_gbp_total"]
    assert kent["diff_low"] < kent["diff_mean"] < kent["diff_high"]
    # the interval from the runs' own paired differences, recomputed from the stored per-area table
    per_run = store.area_frame(1).merge(comparison.runs[["run_id", "scenario", "replicate"]], on="run_id")
    harm = per_run[(per_run.area == "Kent") & (per_run.metric == "harm_gbp_total")]
    assert harm.year.nunique() == 2
    by = harm.groupby(["scenario", "replicate"])["value"].sum().unstack(0)
    assert (kent["diff_low"], kent["diff_high"]) == pytest.approx(mean_interval((by["clear"] - by["baseline"]).to_numpy()))
    # the moves into an area after operations are kept per area (the report's exporter-area sentence reads them)
    moves = per_run[(per_run.area == "Kent") & (per_run.metric == "relocations")]
    assert moves.year.nunique() == 2 and in_kent.loc["relocations", "mean"] == pytest.approx(
        moves[moves.scenario == "clear"].groupby("replicate")["value"].sum().mean())
    # groups active, a stock: the mean of the two years' ends, not their sum
    groups = per_run[(per_run.area == "Kent") & (per_run.metric == "ocgs_active")]
    by = groups.groupby(["scenario", "replicate"])["value"].mean().unstack(0)
    assert in_kent.loc["ocgs_active", "mean"] == pytest.approx(by["clear"].mean())
    assert in_kent.loc["ocgs_active", "diff_mean"] == pytest.approx((by["clear"] - by["baseline"]).mean())


def _displacement_comparison(exporter_low=0.2e9, groups_in=40.0, disruptions_out=300.0, relocations=True):
    """Two areas, E an exporter and O not; the option raises E's harm and lowers O's."""
    from types import SimpleNamespace

    summary = pd.DataFrame([
        {"scenario": "opt", "metric": "discounted_harm_gbp_exporter_areas", "diff_mean": 0.9e9,
         "diff_low": exporter_low, "diff_high": 1.6e9},
        {"scenario": "opt", "metric": "discounted_harm_gbp_other_areas", "diff_mean": -2.7e9,
         "diff_low": -3.0e9, "diff_high": -2.4e9}])
    rows = []
    # baseline: E 100 groups, 10 disruptions, 50 moves in; O 200 groups, 20 disruptions, 90 moves in
    for area, groups, disruptions, moves, d_groups, d_disruptions, d_moves in (
            ("E", 100.0, 10.0, 50.0, groups_in, 20.0, 70.0),
            ("O", 200.0, 20.0, 90.0, -groups_in, disruptions_out, 40.0)):
        for metric, level, change in (("ocgs_active", groups, d_groups), ("disruptions", disruptions, d_disruptions),
                                      ("relocations", moves, d_moves)):
            if metric == "relocations" and not relocations:
                continue  # a store from before per-area relocations were kept
            rows += [{"scenario": "base", "area": area, "metric": metric, "mean": level, "diff_mean": 0.0},
                     {"scenario": "opt", "area": area, "metric": metric, "mean": level + change, "diff_mean": change}]
    return SimpleNamespace(summary=summary, areas=pd.DataFrame(rows), baseline="base",
                           geography={"exporters": ["E"]})


def test_harm_moved_into_the_exporter_areas_is_explained_by_the_groups_that_moved():
    from types import SimpleNamespace

    from twin.report_areas import displacement_sentence

    text = displacement_sentence(_displacement_comparison(), "opt")
    assert "harm (discounted) rises by £0.90bn in the exporter areas (90% interval £0.20bn to £1.60bn)" in text
    assert "falls by £2.70bn elsewhere" in text
    assert "the exporter areas hold +40 groups on average over the horizon, the others -40" in text
    assert "groups moved into one of them after an operation 120 times, against 50 in base" in text
    # disruptions per group: E (10 + 20) / 140 against 10 / 100, 2.1 times; O 320 / 160 against 20 / 200, 20 times
    assert "multiplies disruptions per group by 20.0 elsewhere against 2.1 in the exporter areas" in text
    # operations grew less elsewhere: the groups gathered, but the reason is not claimed
    quieter = displacement_sentence(_displacement_comparison(disruptions_out=-10.0), "opt")
    assert "+40 groups" in quieter and "disruptions per group" not in quieter
    # an older store without per-area relocations: the rest is said
    older = displacement_sentence(_displacement_comparison(relocations=False), "opt")
    assert "+40 groups" in older and "after an operation 120 times" not in older
    # no sentence when the rise's interval reaches zero, when the exporter areas gain no groups, for the
    # baseline, or without the per-area table
    assert displacement_sentence(_displacement_comparison(exporter_low=-0.1e9), "opt") is None
    assert displacement_sentence(_displacement_comparison(groups_in=-5.0), "opt") is None
    assert displacement_sentence(_displacement_comparison(), "base") is None
    bare = _displacement_comparison()
    assert displacement_sentence(SimpleNamespace(**{**vars(bare), "areas": pd.DataFrame()}), "opt") is None


def test_spending_is_split_by_nation_where_the_areas_are_of_several():
    from types import SimpleNamespace

    from twin.report_areas import spending_by_nation

    rows = [("base", "A", 0.0), ("opt", "A", 2e9), ("opt", "B", 1e9), ("opt", "C", 0.5e9), ("opt", "D", -0.25e9)]
    areas = pd.DataFrame([{"scenario": s, "area": a, "metric": "response_cost_gbp", "diff_mean": v} for s, a, v in rows]
                         + [{"scenario": "opt", "area": "A", "metric": "harm_gbp_total", "diff_mean": 9e9}])
    nations = {"A": "England", "B": "Wales", "C": "Scotland", "D": "Northern Ireland"}
    table = spending_by_nation(SimpleNamespace(areas=areas, baseline="base", scenarios=["base", "opt"],
                                               geography={"nation_of": nations}))
    assert table.to_dict("records") == [{"option (£bn, undiscounted)": "opt", "England and Wales": "+3.00",
                                         "Scotland": "+0.50", "Northern Ireland": "-0.25", "all areas": "+3.25"}]
    one_nation = {"nation_of": {a: "England" for a in nations}}
    assert spending_by_nation(SimpleNamespace(areas=areas, baseline="base", scenarios=["base", "opt"],
                                              geography=one_nation)).empty


def test_the_area_tables_list_the_options_in_the_comparison_s_order():
    """They listed them alphabetically (pandas' pivot), unlike every other table of the report."""
    from types import SimpleNamespace

    from twin.report_areas import area_table, spending_by_nation

    rows = [{"scenario": s, "area": a, "metric": m, "mean": 1e8, "diff_mean": 0.0 if s == "base" else v * 1e8}
            for s, v in (("base", 0), ("zeta", 1), ("alpha", 2)) for a in ("A", "B")
            for m in ("harm_gbp_total", "response_cost_gbp")]
    comparison = SimpleNamespace(areas=pd.DataFrame(rows), baseline="base", scenarios=["base", "zeta", "alpha"],
                                 geography={"nation_of": {"A": "England", "B": "Scotland"}})
    assert list(area_table(comparison).columns[2:]) == ["zeta: change (£m)", "alpha: change (£m)"]
    assert list(spending_by_nation(comparison)["option (£bn, undiscounted)"]) == ["zeta", "alpha"]


def test_the_ranking_gives_the_lower_end_of_how_much_more_the_option_above_spends():
    """`spend_more_low`: the paired 90% interval's lower end of the response spending the option
    above spends beyond the one below (what the report's harm-per-extra-pound against the
    runner-up needs above zero)."""
    from twin.compare import mean_interval, rank_options

    rng = np.random.default_rng(8)
    shared = rng.normal(0, 3e9, 10)
    spend = {"a": 5e9 + shared + rng.normal(0, 1e8, 10), "b": 4e9 + shared + rng.normal(0, 1e8, 10)}
    wide = pd.concat({s: pd.DataFrame({"discounted_net_social_cost_gbp": shared + (0 if s == "a" else 1e9),
                                       "discounted_response_cost_gbp": spend[s]},
                                      index=pd.RangeIndex(10, name="replicate")) for s in spend}, names=["scenario"])
    row = rank_options(wide, ["a", "b"]).iloc[1]
    assert row["spend_more_low"] == pytest.approx(mean_interval(spend["a"] - spend["b"])[0], rel=1e-12)
    assert 0.8e9 < row["spend_more_low"] < 1e9


@pytest.mark.parametrize("gap, sd", [(0.5, 1.25), (0.3, 1.0)])
def test_the_replications_suggested_separate_the_options_four_times_in_five(gap, sd):
    """If the gap's mean and spread are what 12 pairs showed, a rerun with the count suggested
    gives a 90% interval above zero in 80% of reruns, within 4 standard errors over 5,000 simulated
    reruns (the count at which the expected interval just excluded zero did so about half the time)."""
    from scipy.stats import t

    from twin.compare import mean_interval, pairs_to_tell_apart

    half = t.ppf(0.95, 11) * sd / np.sqrt(12)
    n = int(pairs_to_tell_apart(gap, gap - half, gap + half, 12))
    rng = np.random.default_rng(12)
    reruns = 5000
    separated = np.mean([mean_interval(rng.normal(gap, sd, n))[0] > 0 for _ in range(reruns)])
    assert abs(separated - 0.8) < 4 * np.sqrt(0.8 * 0.2 / reruns), (n, separated)


def test_a_lead_picked_from_several_options_is_also_given_allowing_for_the_choice():
    """The best of several options is picked because it did best in these runs, so its lead's 90%
    interval is given also as one that holds over every pair of options at once (Bonferroni);
    a lead that only the single interval separates is said to be no longer told apart."""
    from types import SimpleNamespace

    from twin.compare import mean_interval, rank_options
    from twin.report_text import runner_up_sentence

    from scipy.stats import t

    key = "discounted_net_social_cost_gbp"
    gap = np.array([1.0, 0.2, 0.9, -0.1, 0.8, 0.3, 1.1, 0.2]) * 1e9  # mean 0.55, se 0.17: t about 3.3
    for scale, apart in ((1.0, True), (1.6, False)):  # wider spread: the single interval still excludes zero
        noisy = gap.mean() + (gap - gap.mean()) * scale
        wide = pd.concat({"a": pd.DataFrame({key: np.zeros(8)}), "b": pd.DataFrame({key: noisy}),
                          "c": pd.DataFrame({key: noisy + 2e9}), "d": pd.DataFrame({key: noisy + 3e9})},
                         names=["scenario"])
        wide.index = wide.index.set_names(["scenario", "replicate"])
        ranking = rank_options(wide, ["a", "b", "c", "d"])
        row = ranking.iloc[1]
        # four options, six pairs: each interval at 1 - 10%/6, two-sided
        half = t.ppf(1 - 0.1 / 6 / 2, 7) * noisy.std(ddof=1) / np.sqrt(8)
        low, high = noisy.mean() - half, noisy.mean() + half
        assert (row["family_low"], row["family_high"]) == pytest.approx((low, high), rel=1e-12)
        assert mean_interval(noisy, comparisons=6) == pytest.approx((low, high), rel=1e-12)
        assert row["gap_low"] > 0 and (low > 0) == apart
        sentence = runner_up_sentence(SimpleNamespace(ranking=ranking), markup=False)
        assert "allowing for the best having been picked from 4 options (an interval that holds over all 6 pairs" in sentence
        assert ("can no longer be told apart" in sentence) == (not apart)
    two = rank_options(wide.drop(index=["c", "d"]), ["a", "b"])  # two options: nothing was picked from several
    assert "allowing for the best" not in runner_up_sentence(SimpleNamespace(ranking=two), markup=False)


def test_where_a_budget_binds_the_option_buying_most_harm_reduction_a_pound_is_named():
    """The report ranked on net social cost alone; a Treasury reader with a fixed budget wants the
    option that averts the most harm per extra pound, said when it is not the best option."""
    from twin.report_text import _more_per_pound

    best = {"scenario": "Package", "cost": 9.9e9, "per_pound": 3.5}
    cheap = {"scenario": "Clear & Hold", "cost": 1.1e9, "per_pound": 6.9}
    worse = {"scenario": "Funding", "cost": 10e9, "per_pound": 0.18}
    cut = {"scenario": "Cuts", "cost": -1e9, "per_pound": 9.0}  # spends less: no extra pound to buy with
    said = _more_per_pound([best, cheap, worse, cut], best)
    assert said == (" Where a budget binds rather than the net social cost, Clear &amp; Hold buys more harm reduction "
                    "for it: £6.9 of harm averted per extra pound.")
    assert _more_per_pound([best, worse, cut], best) == ""  # the best buys most already
    assert _more_per_pound([best, dict(cheap, per_pound=float("nan"))], best) == ""
    # the best option a cut (no extra pound, so not among those buying) that averts more a pound than any:
    # none is said to buy more
    assert _more_per_pound([cut, best, cheap], cut) == ""


def test_a_saving_whose_interval_reaches_a_rise_is_said_with_both_signs():
    """The summary's interval of the best option's saving kept its numbers but lost their signs
    ('90% interval £0.14bn to £0.40bn' for -£0.40bn to +£0.14bn), so a tie read as a sure saving."""
    from twin.report_text import saving_sentence

    row = {"scenario": "chb", "net": -0.13e9, "net_low": -0.40e9, "net_high": 0.14e9, "p_better": 2 / 3, "pairs": 3,
           "harm": -0.5e9, "cost": 0.37e9}
    text = saving_sentence(row, "does best", "base", "2 years")
    assert "by <strong>£0.13bn</strong> against base (90% interval from £0.14bn higher to £0.40bn lower; " in text
    # what the saving is made of, so that it is not read as cash saved; and what is left out
    assert "; it averts £0.50bn of harm for £0.37bn more public spending on the response)" in text
    assert "and nothing counted after the horizon" in text
    assert "it adds £0.10bn of harm with £0.23bn less public spending" in saving_sentence(
        dict(row, harm=0.1e9, cost=-0.23e9), "does best", "base", "2 years")
    assert "better in 2 of 3 paired replications, so on these replications it cannot be told apart from base." in text
    row.update(net_high=-0.05e9)
    text = saving_sentence(row, "does best", "base", "2 years")
    assert "(90% interval £0.05bn to £0.40bn lower; " in text and "cannot be told apart" not in text
    row.update(net_low=float("nan"), net_high=float("nan"), pairs=1, p_better=1.0)  # one replication: no interval
    text = saving_sentence(row, "does best", "base", "2 years")
    assert "(no 90% interval from a single replication; " in text and "higher" not in text
    # and the sentence after it does not speak of an interval it has not given
    assert "the interval reflects" not in text and text.endswith("an interval needs two replications "
                                                                 "or more.")
    row.update(net_low=-0.40e9, net_high=-0.05e9)
    assert saving_sentence(row, "does best", "base", "2 years").endswith(
        "the interval reflects only the replications' chance variation.")
    # with the calibrated parameters drawn (--posterior), or the levers' assumptions (--uncertain-levers), or both
    drawn = saving_sentence(row, "does best", "base", "2 years", posterior=True)
    assert ("a mean over the calibrated parameters (drawn in every replicate from the posterior), under the model's "
            "assumed effect sizes and costs, which are not measured and are not varied here (most of their plausible "
            "ranges reach further above") in drawn
    assert drawn.endswith("the interval is that of the mean over the replications' chance variation and those draws, "
                          "which narrows as replications are added; single replications vary far more (the bands of "
                          "the yearly chart).")
    # how far single replications ran, the pairs' 5th to 95th percentiles (summary.csv's diff_p5, diff_p95)
    spread = saving_sentence(dict(row, net_p5=-0.47e9, net_p95=0.02e9), "does best", "base", "2 years",
                             posterior=True)
    assert spread.endswith("single replications vary far more (the middle 90% of the paired replications ran from "
                           "a rise of £0.02bn to a saving of £0.47bn; the bands of the yearly chart).")
    assert "an estimate at the model's assumed effect sizes" in saving_sentence(row, "does best", "base", "2 years")
    both = saving_sentence(row, "does best", "base", "2 years", levers_drawn=True, posterior=True)
    assert ("a mean over the calibrated parameters (drawn in every replicate from the posterior) and the levers' "
            "assumed effect sizes and costs, which are not measured (each drawn in every replicate from its plausible "
            "range), with every lever") in both and "not varied" not in both
    # the saving as the Green Book would count it (recovered assets a transfer), beside the headline's
    row.update(green_book=-0.10e9, green_book_low=-0.30e9, green_book_high=0.02e9)
    said = saving_sentence(row, "does best", "base", "2 years")
    assert ("replications; leaving out recovered assets, as a Green Book appraisal would (a transfer from offenders, "
            "not a gain to society; still without its optimism-bias uplift on costs), the saving is £0.10bn "
            "(90% interval from £0.02bn higher to £0.30bn lower). This is") in said


def test_the_summary_s_brief_gives_the_other_options_at_a_glance():
    """The summary opens with the answer: the best option's saving, its lead and, in one sentence, what
    each other option does on the same measure, best first, a change the replications cannot tell from
    none said as such; the rest follows in detail."""
    from types import SimpleNamespace

    from twin.report_text import others_at_a_glance

    rows = [{"scenario": name, "net": net, "net_low": low, "net_high": high}
            for name, net, low, high in (("best", -9e9, -10e9, -8e9), ("cost", 2e9, 1e9, 3e9),
                                         ("tie", -0.1e9, -0.4e9, 0.2e9), ("save", -5e9, -6e9, -4e9))]
    text = others_at_a_glance(SimpleNamespace(baseline="base"), rows, rows[0])
    assert text == ("Against base, on the same measure: save saves £5.00bn; tie changes it by -£0.10bn, which the "
                    "replications cannot tell from no change; cost adds £2.00bn to it (each below, with its "
                    "interval).")
    assert others_at_a_glance(SimpleNamespace(baseline="base"), rows[:1], rows[0]) is None
    nan = float("nan")  # one replication: no interval to promise; a change of exactly nothing said so
    single = [dict(rows[0], net_low=nan, net_high=nan), {"scenario": "same", "net": 0.0, "net_low": nan, "net_high": nan}]
    assert others_at_a_glance(SimpleNamespace(baseline="base"), single, single[0]) == (
        "Against base, on the same measure: same changes nothing (each below; no interval from a single replication).")


def test_the_area_table_s_chance_marks_follow_the_number_of_areas():
    """The report said 'with 45 areas, about four' whatever the areas file."""
    from twin.report_text import chance_marks

    assert chance_marks({"areas": 45}) == "with 45 areas, about four changes an option does not cause would be " \
                                          "marked by chance"
    assert chance_marks({"areas": 12}).startswith("with 12 areas, about one change an option")
    assert chance_marks({"areas": 6}) == "with 6 areas, a change an option does not cause is marked one time in ten"
    assert "0 areas" not in chance_marks({})  # the areas not known (a store whose areas file has moved)


def test_an_experiment_resumed_with_other_package_versions_is_named(tmp_path):
    """Runs added after an upgrade of numpy or numba may differ in the last digits from the stored
    ones: the versions that changed are named (those an older store did not keep are not)."""
    from twin.store import Store

    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    experiment = store.experiment("h", "x", {}, 1, "compare", [], {"packages": {"numpy": "2.4.6", "mesa": "3.3.1"}})
    assert store.package_changes(experiment, {"numpy": "2.4.6", "mesa": "3.3.1", "numba": "0.68.1"}) is None
    assert store.package_changes(experiment, {"numpy": "2.5.0", "mesa": "3.3.1"}) == "numpy 2.4.6 -> 2.5.0"


def test_years_saying_what_the_scenario_files_say_is_the_same_experiment(tmp_path):
    """`--years 10` on files of 10 years made another experiment, ran every replicate again and
    called it 'another horizon' (10.0 and 10 hashed apart)."""
    from twin.ensemble import prepare

    store = _sqlite(tmp_path)
    files = [BASE, str(SCENARIOS / "ct_powers.toml")]
    as_written, _, _ = prepare(files, 2, 1, None, store)
    assert prepare(files, 2, 1, 10.0, store)[0] == as_written
    assert prepare(files, 2, 1, 10, store)[0] == as_written
    shorter, _, loaded = prepare(files, 2, 1, 2.0, store)
    assert shorter != as_written and {s.years for s in loaded} == {2.0}


@pytest.mark.parametrize("years", [[1], [1, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
def test_yearly_charts_mark_whole_years_only(years):
    import matplotlib.pyplot as plt

    from twin.report import whole_year_axis

    figure, axis = plt.subplots()
    axis.plot(years, [1.0] * len(years), marker="o")
    whole_year_axis(axis)
    low, high = axis.get_xlim()
    shown = [t for t in axis.get_xticks() if low <= t <= high]
    assert shown and all(float(t).is_integer() for t in shown), shown  # a one-year horizon had 0.96, 0.98, ...
    assert set(years) <= set(shown) or len(years) > 5
    plt.close(figure)


def test_a_one_year_spread_is_drawn_even_with_the_mean_outside_it():
    import matplotlib.pyplot as plt

    from twin.report import band

    figure, axis = plt.subplots()
    band(axis, [1], [0.0], [25.0], [0.0], "C0")  # a mean beyond the 95th percentile (a skewed metric)
    band(axis, [1], [1.0], [2.0], [4.0], "C1")
    assert len(axis.containers) == 2  # two error bars, no error
    plt.close(figure)


def test_the_area_chart_gives_each_area_s_change_per_resident_beside_its_change_in_pounds():
    """The £m bars follow the areas' size (the Metropolitan Police's change dwarfs the rest); the per-head
    panel shows where an option helps residents most. A store without populations draws the £m alone."""
    from types import SimpleNamespace

    import matplotlib.pyplot as plt

    from twin.geography import describe, load_geography
    from twin.report import area_chart

    rows = [{"scenario": "opt", "area": area, "metric": "harm_gbp_total", "diff_mean": diff}
            for area, diff in (("Up", 5e6), ("Big", -90e6), ("Small", -20e6))]  # not in order: sorted by £m
    geography = {"population_of": {"Big": 9e6, "Small": 0.5e6, "Up": 1e6}}
    comparison = SimpleNamespace(areas=pd.DataFrame(rows), baseline="base", geography=geography)
    figure = area_chart(comparison, "opt")
    pounds, per_head = figure.axes
    assert [round(bar.get_width(), 6) for bar in pounds.patches] == [-90.0, -20.0, 5.0]  # sorted by £m
    assert [round(bar.get_width(), 6) for bar in per_head.patches] == [-10.0, -40.0, 5.0]
    assert "per resident" in per_head.get_xlabel() and "residents, so a small change" not in per_head.get_xlabel()
    plt.close(figure)
    comparison.geography = {"population_of": {"Big": 9e6, "Small": 0.5e6, "Up": 9e4}}  # a City of London
    figure = area_chart(comparison, "opt")
    label = figure.axes[1].get_xlabel().replace("\n", " ")
    assert "(Up: under 100,000 residents, so a small change in £ reads large per head)" in label
    plt.close(figure)
    comparison.geography = {}  # an older store: no populations
    figure = area_chart(comparison, "opt")
    assert len(figure.axes) == 1 and len(figure.axes[0].patches) == 3
    plt.close(figure)
    geo = load_geography()
    people = describe(geo)["population_of"]  # what a comparison stores: every area's people
    assert len(people) == 45 and sum(people.values()) == pytest.approx(geo.population.sum())


def test_where_an_options_harm_lands_carries_its_intervals():
    """The exporter areas' and the other areas' changes each carry their 90% interval; one that
    reaches zero is said not to be told apart from no change, and displacement is claimed only
    when harm clearly falls in the exporter areas and clearly rises elsewhere."""
    from types import SimpleNamespace

    from twin.report_areas import where_it_lands

    def lands(exporter, other):
        rows = [{"scenario": "opt", "metric": f"discounted_harm_gbp_{name}", "diff_mean": mean, "diff_low": low,
                 "diff_high": high}
                for name, (mean, low, high) in (("exporter_areas", exporter), ("other_areas", other))]
        return where_it_lands(SimpleNamespace(summary=pd.DataFrame(rows), geography={"exporters": ["Kent", "Essex"]}),
                              "opt")

    unclear = lands((1.35e9, -0.55e9, 3.25e9), (-2.93e9, -4e9, -1.9e9))
    assert unclear == ("Where it lands (discounted): harm rises by £1.35bn (90% interval -£0.55bn to +£3.25bn, not "
                       "told apart from no change) in the two county-lines exporter force areas (Kent and Essex) and "
                       "falls by £2.93bn (90% interval -£4.00bn to -£1.90bn) elsewhere.")
    assert lands((-1e9, -1.5e9, -0.5e9), (0.4e9, 0.1e9, 0.7e9)).endswith("elsewhere (some activity is displaced).")
    assert "displaced" not in lands((-1e9, -1.5e9, -0.5e9), (0.4e9, -0.1e9, 0.9e9))
    assert "interval" not in lands((-1e9, np.nan, np.nan), (0.4e9, np.nan, np.nan))  # one pair: none to give
    assert where_it_lands(SimpleNamespace(summary=pd.DataFrame(columns=["scenario", "metric", "diff_mean"]),
                                          geography={"exporters": ["Kent"]}), "opt") is None


def test_options_that_hire_investigators_carry_the_caveat_on_enforcement():
    """An option with a lever that hires investigators (funding, the SOC fund) gets the summary's
    note that extra enforcement moves harm little by the model's rules; none without one."""
    from types import SimpleNamespace

    from twin.report_caveats import enforcement_caveat

    def caveat(**types):
        return enforcement_caveat(SimpleNamespace(scenarios=["base", *types], baseline="base",
                                                  lever_types={"base": ["funding"], **types}))

    text = caveat(parity=["funding"], fund=["clear", "soc_fund"], chb=["clear_hold_build"])
    assert text.startswith("<strong>Read the return on investigators with the model's rules</strong>: parity and "
                           "fund hire investigators") and "chb" not in text and "under 1%" in text
    assert caveat(chb=["clear_hold_build"], border=["border_powers"]) is None  # the baseline's own is no option


def test_what_rises_under_an_option_is_said_in_short_for_the_at_a_glance_table():
    """Who is worse off beside the saving: harms that clearly rise (the whole interval above zero),
    in the table's few words, as the summary says them in full; 'none' when nothing clearly rises."""
    from types import SimpleNamespace

    from twin.report_caveats import _rises, rises_in_short

    summary = pd.DataFrame([
        {"scenario": "opt", "metric": "total_recruits_children", "diff_mean": 788.0, "diff_low": 696.0,
         "diff_high": 881.0},
        {"scenario": "opt", "metric": "final_year_county_lines_active", "diff_mean": 42.0, "diff_low": 30.0,
         "diff_high": 55.0},
        {"scenario": "opt", "metric": "total_homicides", "diff_mean": 24.0, "diff_low": -3.0, "diff_high": 51.0},
        {"scenario": "opt", "metric": "discounted_harm_gbp_immigration", "diff_mean": 2.5e8, "diff_low": 1e8,
         "diff_high": 4e8}])
    comparison = SimpleNamespace(summary=summary)
    assert rises_in_short(comparison, "opt") == ("children recruited +788, county lines +42, "
                                                 "immigration-crime harm +£0.25bn")
    assert _rises(comparison, "opt") == ["children recruited rise by 788 over the horizon",
                                         "county lines running over the last 12 months rise by 42",
                                         "immigration-crime harm rises by £0.25bn (discounted)"]
    assert rises_in_short(comparison, "other") == "none"
    # the justice system's pressures the summary names are in the column too (bail and early releases clearly
    # up by at least 1% of the option's convictions), not a rise within the noise or below that share
    justice = pd.DataFrame([
        {"scenario": "opt", "metric": "total_convictions", "mean": 50_000.0, "diff_mean": 10_910.0,
         "diff_low": 10_000.0, "diff_high": 11_800.0},
        {"scenario": "opt", "metric": "total_bail_releases", "diff_mean": 3_641.0, "diff_low": 3_000.0,
         "diff_high": 4_300.0},
        {"scenario": "opt", "metric": "total_early_releases", "diff_mean": 23_030.0, "diff_low": 21_000.0,
         "diff_high": 25_000.0}])
    pressed = SimpleNamespace(summary=pd.concat([summary, justice]))
    assert rises_in_short(pressed, "opt") == ("children recruited +788, county lines +42, immigration-crime harm "
                                              "+£0.25bn, defendants bailed +3,641, prisoners released early +23,030")
    for metric, change in (("total_bail_releases", {"diff_low": -10.0}),
                           ("total_early_releases", {"diff_mean": 499.0})):
        rows = justice.copy()
        rows.loc[rows.metric == metric, list(change)] = list(change.values())
        named = rises_in_short(SimpleNamespace(summary=pd.concat([summary, rows])), "opt")
        assert ("defendants bailed" in named) == (metric != "total_bail_releases")
        assert ("prisoners released early" in named) == (metric != "total_early_releases")


def test_going_further_repeats_what_made_the_runs_and_the_report_s_baseline():
    """The commands under 'Going further' formatted a seed as 1.23457e+08 (refused by --seed), left out
    --posterior and --uncertain-levers (another experiment: 'from these runs' ran everything again), and
    offered the first file as another baseline when the report was against a later one."""
    from types import SimpleNamespace

    from twin.report_drawn import going_further

    comparison = SimpleNamespace(scenarios=["Base", "Option B", "Option C"], baseline="Option B",
                                 posterior="abc123", lever_uncertainty=True)
    spec = {"paths": ["s/a.toml", "s/my b.toml", "s/c.toml"], "names": ["a", "b", "c"], "seed": 123456789,
            "reps_asked": 30, "years": 5.0, "posterior": "calibration/posterior.csv", "baseline": None}
    page = going_further(comparison, spec)
    same = "twin compare s/a.toml &#x27;s/my b.toml&#x27; s/c.toml --reps 30 --seed 123456789 --years 5 --posterior " \
           "calibration/posterior.csv --uncertain-levers"
    assert f"<code>{same} --baseline b</code>" not in page  # (the baseline is the report's: offered as its own)
    assert f"<code>{same} --baseline a</code>" in page and "<code>a</code> and <code>c</code>" in page
    assert "--uncertain-levers --uncertain-levers" not in page and "from the shipped posterior" not in page
    plain = going_further(SimpleNamespace(scenarios=["Base", "X"], baseline="Base", posterior=None,
                                          lever_uncertainty=False),
                          {"paths": ["b.toml", "x.toml"], "names": ["b", "x"]})
    assert "<code>twin compare b.toml x.toml --uncertain-levers</code>" in plain
    assert "<code>twin compare b.toml x.toml --posterior</code>" in plain
    assert "<code>twin compare b.toml x.toml --baseline x</code>" in plain
    # the database the runs are in, unless the default (without it every replicate ran again elsewhere)
    named = going_further(SimpleNamespace(scenarios=["Base", "X"], baseline="Base", posterior=None,
                                          lever_uncertainty=False),
                          {"paths": ["b.toml", "x.toml"], "names": ["b", "x"]}, "sqlite:////tmp/p/twin.db")
    assert "<code>twin compare b.toml x.toml --db sqlite:////tmp/p/twin.db --baseline x</code>" in named
    secret = going_further(SimpleNamespace(scenarios=["Base", "X"], baseline="Base", posterior=None,
                                           lever_uncertainty=False),
                           {"paths": ["b.toml"], "names": ["b"]}, "postgresql://twin:secret@db.example/twin")
    assert "--db postgresql://twin@db.example/twin" in secret and "secret" not in secret and "***" not in secret
    default = going_further(SimpleNamespace(scenarios=["Base", "X"], baseline="Base", posterior=None,
                                            lever_uncertainty=False),
                            {"paths": ["b.toml", "x.toml"], "names": ["b", "x"]}, "sqlite:///results/twin.db")
    assert "--db" not in default
    # an experiment stored before its files were recorded: the section is there (the summary links to it)
    assert 'id="going-further"' in going_further(SimpleNamespace(scenarios=["Base"], baseline="Base", posterior=None,
                                                                 lever_uncertainty=False), {})


def test_the_summary_says_how_much_of_the_harm_averted_falls_where_policing_is_devolved():
    """An option acting UK-wide averts harm in Scotland and Northern Ireland too, where policing is not the
    Home Office's: the summary splits the harm it averts (an appraisal for England and Wales counts its part)."""
    from types import SimpleNamespace

    from twin.report_areas import devolved_share

    nation_of = {"Kent": "England", "Dyfed-Powys": "Wales", "Police Scotland": "Scotland", "PSNI": "Northern Ireland"}

    def said(changes, nations=nation_of):
        rows = [{"scenario": "opt", "area": area, "metric": "harm_gbp_total", "diff_mean": change}
                for area, change in changes.items()]
        rows.append({"scenario": "base", "area": "Kent", "metric": "harm_gbp_total", "diff_mean": float("nan")})
        return devolved_share(SimpleNamespace(areas=pd.DataFrame(rows), geography={"nation_of": nations}), "opt")

    text = said({"Kent": -3e9, "Dyfed-Powys": -1e9, "Police Scotland": -0.6e9, "PSNI": -0.4e9})
    assert text == ("Of the £5.00bn of harm it averts (undiscounted), £4.00bn falls in England and Wales and £1.00bn "
                    "(20%) in Scotland and Northern Ireland, where policing is devolved: an appraisal for England and "
                    "Wales alone counts the first (see 'Where the harm falls').")
    assert said({"Kent": 1e9, "Police Scotland": -0.5e9}) is None  # harm rises on the whole: nothing averted to split
    assert said({"Kent": -1e9, "Dyfed-Powys": -1e9}, {"Kent": "England", "Dyfed-Powys": "Wales"}) is None  # none devolved
