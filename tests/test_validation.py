"""`twin validate` run in worker processes and interrupted: the same `validation.json` as in one
process, uninterrupted; the paired seeds finished before an interrupt are kept and not run again."""

import json
import re
import tomllib

import numpy as np
import pytest

from twin.cli import main
from twin.executor import LocalExecutor, SerialExecutor
from twin.precompile import warm_up
from twin.validation import MEASURES, VALIDATION_CHECKPOINT, run_files, seed_measures, seed_tasks

from conftest import write

SHORT = '[experiment]\nkind = "replacement"\narea = "Merseyside"\nshare = 0.3\nmonths = 14\nreps = 3\nseed = 4\n'
SHORTER = '[experiment]\nkind = "entry"\narea = "Merseyside"\nmonths = 13\nreps = 2\nseed = 9\n'


class _Counting(SerialExecutor):
    """Runs in this process, counting the tasks it is given; with `stop_after`, Ctrl-C after that many
    have been handed over."""

    def __init__(self, stop_after=None):
        super().__init__()
        self.ran, self.stop_after = [], stop_after

    def run(self, fn, tasks, chunk=1):
        for count, pair in enumerate(super().run(fn, tasks, chunk), start=1):
            self.ran.append(pair[0])
            yield pair
            if count == self.stop_after:
                raise KeyboardInterrupt


def _files(tmp_path):
    return [str(write(tmp_path / "replacement.toml", SHORT)), str(write(tmp_path / "entry.toml", SHORTER))]


def test_validation_in_worker_processes_gives_the_serial_results(tmp_path):
    paths = _files(tmp_path)
    tasks = {kind: seed_tasks({**tomllib.loads(open(path).read())["experiment"], "months": 13}, path)[0]
             for kind, path in zip(("replacement", "entry"), paths)}
    serial = run_files(paths, tmp_path / "serial", SerialExecutor())
    warm_up()  # (as `make_executor` does: the workers inherit the compiled kernels)
    executor = LocalExecutor(2)
    try:
        run_files(paths, tmp_path / "pooled", executor)
    finally:
        executor.close()
    assert (tmp_path / "serial" / "validation.json").read_text() == (tmp_path / "pooled" / "validation.json").read_text()
    for kind in ("replacement", "entry"):  # the measures `_kept` reads back are those a run gives
        assert tuple(seed_measures(tasks[kind])) == MEASURES[kind] == tuple(serial[kind]["measures"])
    assert serial["replacement"]["reps"] == 3 and serial["entry"]["reps"] == 2
    assert len((tmp_path / "pooled" / VALIDATION_CHECKPOINT).read_text().splitlines()) == 5  # kept, once whole


def test_finished_seeds_stay_kept_and_more_seeds_run_only_the_new_ones(tmp_path):
    """A finished validation dropped its seeds, and the same command, or one with more seeds, ran every
    seed again (a full `twin validate` is 60 paired seeds)."""
    paths = _files(tmp_path)
    run_files(paths, tmp_path / "out", _Counting())
    again = _Counting()
    run_files(paths, tmp_path / "out", again)
    assert again.ran == []
    five = SHORT.replace("reps = 3", "reps = 5")
    write(tmp_path / "replacement.toml", five)
    more = _Counting()
    run_files(paths, tmp_path / "out", more)
    new_seeds = seed_tasks(tomllib.loads(five)["experiment"], paths[0])[3:]
    assert [(task.where, task.seed) for task in more.ran] == [(paths[0], task.seed) for task in new_seeds]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    run_files([str(write(fresh / "replacement.toml", SHORT.replace("reps = 3", "reps = 5"))),
               str(write(fresh / "entry.toml", SHORTER))], fresh / "out", SerialExecutor())
    assert (tmp_path / "out" / "validation.json").read_text() == (fresh / "out" / "validation.json").read_text()


def _without_a_measure(record):
    measures = json.loads(record["outcome"])
    measures.pop(next(iter(measures)))
    return json.dumps(measures)


def _with_an_infinity(record):
    measures = json.loads(record["outcome"])
    return json.dumps({**measures, next(iter(measures)): float("inf")})


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The short experiments' validation.json, run whole in this process."""
    folder = tmp_path_factory.mktemp("whole")
    run_files(_files(folder), folder / "out", SerialExecutor())
    return (folder / "out" / "validation.json").read_text()


@pytest.mark.parametrize("edited", [lambda record: "[1, 2]", _without_a_measure, _with_an_infinity],
                         ids=["not-measures", "a-measure-missing", "an-infinity"])
def test_an_interrupted_validation_keeps_its_finished_seeds_and_runs_only_the_rest(tmp_path, edited, uninterrupted):
    paths = _files(tmp_path)
    out = tmp_path / "cut"
    first = _Counting(stop_after=2)
    with pytest.raises(KeyboardInterrupt):
        run_files(paths, out, first)
    kept = (out / VALIDATION_CHECKPOINT).read_text().splitlines()
    assert len(kept) == 2 and not (out / "validation.json").exists()
    record = json.loads(kept[1])  # a line edited by hand: run again, not read
    (out / VALIDATION_CHECKPOINT).write_text(kept[0] + "\n" + json.dumps({**record, "outcome": edited(record)}) + "\n")
    again = _Counting()
    run_files(paths, out, again)
    assert len(again.ran) == 5 - 1  # three replacement seeds and two entry seeds, less the one kept
    assert first.ran[0] not in again.ran and first.ran[1] in again.ran
    assert (out / "validation.json").read_text() == uninterrupted
    assert len((out / VALIDATION_CHECKPOINT).read_text().splitlines()) == 5 + 1  # the edited line is left beside them


def test_kept_seeds_of_another_experiment_setting_are_not_read(tmp_path):
    paths = _files(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_files(paths, out, _Counting(stop_after=3))
    write(tmp_path / "replacement.toml", SHORT.replace("share = 0.3", "share = 0.2"))  # edited since
    again = _Counting()
    run_files(paths, out, again)
    assert sorted(task.where for task in again.ran) == [paths[1]] * 2 + [paths[0]] * 3


def test_validate_quiet_prints_nothing_and_says_what_it_kept_when_interrupted(tmp_path, capsys, monkeypatch):
    import twin.executor

    paths = _files(tmp_path)
    out = tmp_path / "out"
    assert main(["validate", *paths, "--out", str(out), "--workers", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert json.loads((out / "validation.json").read_text())["entry"]["reps"] == 2
    monkeypatch.setattr(twin.executor, "SerialExecutor", lambda: _Counting(stop_after=1))
    assert main(["validate", *paths, "--out", str(tmp_path / "cut"), "--workers", "1", "--quiet"]) == 130
    assert f"1 of the 5 paired seeds are kept in {tmp_path / 'cut' / VALIDATION_CHECKPOINT}" in capsys.readouterr().err


def test_an_interrupt_as_a_seed_is_kept_keeps_it_and_says_so(tmp_path, monkeypatch):
    """Ctrl-C inside the write of a finished seed: the seed was counted as kept but not written (the
    message said 2 kept, the file held 1); it is now written when the command stops."""
    from twin.sensitivity import Checkpoint

    save, calls = Checkpoint.save, []

    def save_then_interrupt(self, sample, outcome):
        calls.append(sample)
        if len(calls) == 2:
            raise KeyboardInterrupt
        save(self, sample, outcome)

    monkeypatch.setattr(Checkpoint, "save", save_then_interrupt)
    said = []
    with pytest.raises(KeyboardInterrupt):
        run_files(_files(tmp_path), tmp_path / "out", _Counting(), log=said.append)
    assert len((tmp_path / "out" / VALIDATION_CHECKPOINT).read_text().splitlines()) == 2
    assert "2 of the 5 paired seeds are kept" in said[-1]


def test_an_interrupt_after_the_runs_says_what_is_kept(tmp_path, monkeypatch):
    """Ctrl-C once every seed had run, while validation.json was being made: the command stopped
    with status 130 and said nothing."""
    import twin.validation as validation

    def interrupted(spec, results):
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "summarise", interrupted)
    said = []
    with pytest.raises(KeyboardInterrupt):
        run_files(_files(tmp_path), tmp_path / "out", _Counting(), log=said.append)
    assert "interrupted while writing" in said[-1] and "the 5 paired seeds are kept" in said[-1]
    assert len((tmp_path / "out" / VALIDATION_CHECKPOINT).read_text().splitlines()) == 5


def test_two_experiments_of_one_name_are_refused_and_a_replaced_result_is_said(tmp_path):
    """`twin validate a/x.toml b/x.toml` kept one of the two results unsaid; `twin validate one.toml` into a
    folder of all five replaced their validation.json with one experiment's, unsaid."""
    from twin.errors import UserError

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = write(tmp_path / "a" / "x.toml", SHORTER), write(tmp_path / "b" / "x.toml", SHORTER)
    with pytest.raises(UserError, match=r"two experiments named 'x' \(.*a/x.toml, .*b/x.toml\): .*rename one"):
        run_files([str(first), str(second)], tmp_path / "out", SerialExecutor())
    assert not (tmp_path / "out").exists()  # refused before anything was made
    said = []
    run_files(_files(tmp_path), tmp_path / "out", SerialExecutor(), log=said.append)
    assert not any("held the results" in line for line in said)
    run_files([str(first)], tmp_path / "out", SerialExecutor(), log=said.append)
    assert any(line.startswith("Warning: ") and "held the results of entry, replacement too" in line for line in said)
    assert set(json.loads((tmp_path / "out" / "validation.json").read_text())) == {"x"}


def test_expectations_of_a_validation_experiment_are_checked_and_judged(tmp_path, capsys):
    """An experiment file says what the literature leads one to expect of its measures ([[expect]]);
    `twin validate` says, measure by measure, whether the model agrees, and validation.json keeps it."""
    import math
    from pathlib import Path

    from twin.errors import ScenarioError
    from twin.validation import check_experiment
    from twin.validation_expectations import verdict

    def value(mean, se, seen=12):
        return {"mean": mean, "se": se, "seeds_observed": seen}

    at_most_6 = {"low": None, "high": 6.0}
    assert verdict(value(5.0, 1.0), at_most_6) == "agrees"
    assert verdict(value(7.2, 0.8), at_most_6) == "within 2 se, above"  # 7.2 - 1.6 reaches 6
    assert verdict(value(15.1, 2.4), at_most_6) == "outside, above"
    assert verdict(value(-3.0, 1.0), {"low": 0.0, "high": None}) == "outside, below"
    assert verdict(value(4.0, 3.0), {"low": 0.0, "high": 0.0}) == "within 2 se, above"  # one value: never 'agrees'
    assert verdict(value(7.0, math.nan, 1), at_most_6) == "undecided (one seed)"
    assert verdict(value(math.nan, math.nan, 0), at_most_6) == "not reached"
    # a time to recover some seeds never reached within the experiment (12 months after the shock here)
    # is judged by its least possible mean, those seeds counted at 12: a censored seed is above any bound
    def timed(*by_seed):
        seen = [v for v in by_seed if not math.isnan(v)]
        return {"mean": sum(seen) / len(seen) if seen else math.nan, "se": math.nan, "seeds_observed": len(seen),
                "by_seed": list(by_seed)}

    assert verdict(timed(math.nan, 4.0, 5.0), at_most_6, 12) == "within 2 se, above"  # mean over the seen: 4.5
    assert verdict(timed(math.nan, math.nan, math.nan), at_most_6, 12) == "outside, above"  # was 'not reached'
    assert verdict(timed(math.nan, 2.0, 3.0), {"low": None, "high": 24.0}, 12).startswith(
        "undecided (1 of 3 seeds not reached")  # at least 5.7: the third may have taken any time
    assert verdict(timed(math.nan, 2.0, 3.0), {"low": 1.0, "high": None}, 12) == "agrees"
    # its least possible mean (5.7) below a lower bound: the seed not reached may have taken long enough
    assert verdict(timed(math.nan, 2.0, 3.0), {"low": 10.0, "high": None}, 12).startswith(
        "undecided (1 of 3 seeds not reached")
    for path in sorted((Path(__file__).parents[1] / "experiments" / "validation").glob("*.toml")):
        check_experiment(path, tomllib.loads(path.read_text()))  # the project's own expectations are valid
    mistakes = (('measure = "months_to_halff_recovery"\nhigh = 6\nsource = "x"',
                 "did you mean 'months_to_half_recovery'"),
                ('measure = "months_to_half_recovery"\nsource = "x"', "give low, high or both"),
                ('measure = "months_to_half_recovery"\nlow = 7\nhigh = 6\nsource = "x"', "low (7) is above high (6)"),
                ('measure = "months_to_half_recovery"\nhigh = 6', "missing key 'source'"),
                ('measure = "months_to_half_recovery"\nhigh = 6\nsource = " "', "source: expected where the "
                                                                               "expectation comes from"),
                ('high = 6\nsource = "x"', "missing key 'measure'"),
                ('measure = "months_to_half_recovery"\nhigh = "6"\nsource = "x"', "high: expected a number, got '6'"),
                ('measure = "months_to_half_recovery"\nhi = 6\nsource = "x"', "unknown key 'hi'; did you mean 'high'?"))
    for entry, said in mistakes:
        path = write(tmp_path / "bad.toml", SHORT + "[[expect]]\n" + entry + "\n")
        with pytest.raises(ScenarioError, match=r"bad.toml: \[\[expect\]\] #1: .*" + re.escape(said)):
            check_experiment(path, tomllib.loads(path.read_text()))
    path = write(tmp_path / "replacement.toml", SHORT + '[[expect]]\nmeasure = "members_removed"\nlow = 1\n'
                                                        'source = "the shock removes members"\n'
                                                        '[[expect]]\nmeasure = "months_to_half_recovery"\nhigh = 0\n'
                                                        'source = "assumption: at once"\n')
    assert main(["validate", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Expected: members removed at the worst point at least 1: AGREES (" in printed
    judged = json.loads((tmp_path / "out" / "validation.json").read_text())["replacement"]["expectations"]
    assert [e["verdict"] for e in judged][0] == "agrees" and judged[0]["source"] == "the shock removes members"
    removed = json.loads((tmp_path / "out" / "validation.json").read_text())["replacement"]["measures"]
    assert judged[0]["mean"] == removed["members_removed"]["mean"] > 1
    assert judged[1]["verdict"] != "agrees" and "above" in judged[1]["verdict"]  # no recovery at once


def test_months_to_recover_count_from_the_shock_to_the_gap_closing_to_its_share_after_the_peak():
    """By hand: a gap of 100 members closing by 11 a month from the shock is half closed 5 months
    after it (45) and 90% closed after 9 (1); one that peaks a month after the shock counts from the shock
    too, and only after its peak; one that never closes is not reached; no gap is no time."""
    from twin.validation import SHOCK_MONTH, _months_to_recover

    before = np.zeros(SHOCK_MONTH)
    closing = np.r_[before, np.arange(100.0, 0.0, -11.0)]  # 100, 89, ..., 12, 1
    assert _months_to_recover(closing, 0.5) == 5.0 and _months_to_recover(closing, 0.9) == 9.0
    late_peak = np.r_[before, [40.0, 100.0, 80.0, 60.0, 45.0, 5.0]]  # 40 before the peak does not count
    assert _months_to_recover(late_peak, 0.5) == 4.0 and _months_to_recover(late_peak, 0.9) == 5.0
    assert np.isnan(_months_to_recover(np.r_[before, [100.0, 90.0, 80.0]], 0.5))
    assert _months_to_recover(np.r_[before, np.zeros(6)], 0.5) == 0.0


def test_a_shocked_run_and_its_base_from_one_spin_up_are_the_runs_of_models_built_apart():
    """`_paired_runs` continues two copies of one spin-up: the shocked run (its shock acting at
    month 12) and the base are, bit for bit, those of two models built with and without it."""
    from twin.model import TwinModel
    from twin.parameters import Parameters
    from twin.scenario import SPIN_UP_YEARS
    from twin.validation import SHOCK_MONTH, Shock, _imprison_leaders, _paired_runs

    params = Parameters()
    shocked, base = _paired_runs(5, SHOCK_MONTH + 2, [Shock(SHOCK_MONTH, _imprison_leaders(40))], params)
    for model, levers in ((shocked, [Shock(SHOCK_MONTH, _imprison_leaders(40))]), (base, [])):
        apart = TwinModel(params, seed=5, n_steps=SHOCK_MONTH + 2, levers=levers, spin_up_years=SPIN_UP_YEARS)
        apart.run()
        assert model.results.dates == apart.results.dates
        assert np.array_equal(model.results.values, apart.results.values, equal_nan=True)
    assert len(shocked.validation_targets) == 40  # the shock acted in the copy it was given
    assert not np.array_equal(shocked.results.values, base.results.values)
