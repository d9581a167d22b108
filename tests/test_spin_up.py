"""Spin-up: the years run before the first reported one. They run every process, let no lever act
and record nothing, so a run with a spin-up reports exactly the later years of a run without one."""

import numpy as np
import pytest

from twin.cli import main
from twin.errors import ScenarioError
from twin.scenario_levers import build_levers
from twin.model import TwinModel
from twin.scenario import SPIN_UP_YEARS, Scenario, load_scenario

from conftest import SCENARIOS, write


@pytest.mark.parametrize("step_length, steps_per_year", [("month", 12), ("week", 52)])
def test_a_spun_up_run_reports_the_later_steps_of_a_run_without_one(step_length, steps_per_year):
    spin_up, reported = 2 * steps_per_year, steps_per_year // 2
    spun = TwinModel(seed=3, n_steps=reported, step_length=step_length, spin_up_years=2).run()
    plain = TwinModel(seed=3, n_steps=spin_up + reported, step_length=step_length).run()
    assert spun.steps_recorded == reported
    assert np.array_equal(spun.values[:reported], plain.values[spin_up:], equal_nan=True)
    assert spun.dates[0] == plain.dates[0] == "2025-04-01"  # dates count from the first reported step


def test_no_lever_acts_during_the_spin_up():
    def spun_up(levers):
        model = TwinModel(seed=2, n_steps=12, spin_up_years=1, levers=levers)
        while model.steps_done < 0:
            model.step()
        return model

    levers = build_levers(Scenario(name="t", path="t.toml", levers=[
        {"type": "clear", "areas": "all", "intensity": 1.0}, {"type": "funding"}]))
    with_levers, without = spun_up(levers), spun_up(None)
    for name in ("status", "ocg", "release_month"):
        assert np.array_equal(getattr(with_levers.members, name), getattr(without.members, name))
    assert np.array_equal(with_levers.ocgs.capital_gbp, without.ocgs.capital_gbp)
    assert with_levers.results.steps_recorded == 0
    with_levers.step(), without.step()  # the first reported step: the levers act
    assert with_levers.investigators_fte.sum() > without.investigators_fte.sum()


def test_the_clock_counts_spin_up_steps_below_zero():
    model = TwinModel(seed=1, n_steps=3, spin_up_years=0.25)
    assert model.steps_done == -3 and model.month == -3.0
    seen = []
    model.run(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 6) for k in range(1, 7)]
    assert model.steps_done == 3 and model.results.steps_recorded == 3
    with pytest.raises(ValueError, match="spin_up_years"):
        TwinModel(seed=1, n_steps=3, spin_up_years=-1)


def test_scenarios_spin_up_by_default_and_can_say_otherwise(tmp_path):
    assert load_scenario(SCENARIOS / "baseline.toml").spin_up_years == SPIN_UP_YEARS > 0
    base = write(tmp_path / "base.toml", '[scenario]\nname = "base"\nspin_up_years = 0\n')
    child = write(tmp_path / "child.toml", '[scenario]\nname = "child"\nbase = "base.toml"\n')
    assert load_scenario(child).spin_up_years == 0.0  # inherited
    assert load_scenario(base).spec_hash() != load_scenario(SCENARIOS / "baseline.toml").spec_hash()


@pytest.mark.parametrize("value", ["-1", "51", '"eight"', "true"])
def test_a_bad_spin_up_is_a_one_line_error_naming_the_key(tmp_path, value):
    path = write(tmp_path / "bad.toml", f"[scenario]\nspin_up_years = {value}\n")
    with pytest.raises(ScenarioError, match=r"bad.toml: \[scenario\] spin_up_years: expected a number of years "
                                            r"from 0 to 50") as error:
        load_scenario(path)
    assert "\n" not in str(error.value)


def test_the_run_command_takes_the_spin_up_from_the_option(tmp_path, capsys):
    import json

    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--spin-up-years", "0",
                 "--out", str(out)]) == 0
    assert "(no spin-up)" in capsys.readouterr().out
    assert json.loads((out / "run.json").read_text())["scenario"]["spin_up_years"] == 0.0
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(SCENARIOS / "baseline.toml"), "--spin-up-years", "-2"])
    assert exit_info.value.code == 2


def test_runs_that_differ_only_in_levers_share_a_spin_up_and_give_the_runs_built_alone():
    """`runner.build_model` continues a copy of one spin-up for scenarios that differ only in
    their levers, horizon or dates; each run equals the same run built from scratch, bit for bit,
    and a scenario with other parameter values gets a spin-up of its own."""
    from twin import runner

    def run(scenario, seed):
        model = runner.build_model(scenario, seed)
        return model.run().values

    chb, baseline = load_scenario(SCENARIOS / "clear_hold_build.toml"), load_scenario(SCENARIOS / "baseline.toml")
    short = Scenario(**{**baseline.to_dict(), "years": 1, "spin_up_years": 1})
    other = Scenario(**{**short.to_dict(), "parameters": {"recruitment_fill_rate_per_month": 0.2}})
    chb_short = Scenario(**{**short.to_dict(), "levers": chb.levers, "start_date": "2030-01-01"})
    runner._SPUN_UP.clear()
    shared = [run(s, 11) for s in (short, chb_short, other, short)]
    assert len(runner._SPUN_UP) == 1
    alone = []
    for scenario in (short, chb_short, other, short):
        runner._SPUN_UP.clear()
        alone.append(run(scenario, 11))
    for a, b in zip(shared, alone):
        assert np.array_equal(a, b, equal_nan=True)
    assert not np.array_equal(shared[0], shared[1], equal_nan=True)  # the levers acted
    assert not np.array_equal(shared[0], shared[2], equal_nan=True)  # its own spin-up
    assert runner.build_model(chb_short, 11).results.dates[0] == "2030-01-01"


def test_a_run_from_a_register_says_the_spin_up_moves_it_back(tmp_path, capsys):
    from twin.register import synthetic_register
    from twin.register_sources import write_register_csv
    from twin.geography import load_geography
    from twin.parameters import Parameters
    from twin.streams import RandomStreams

    geography = load_geography()
    path = tmp_path / "register.csv"
    write_register_csv(synthetic_register(geography, Parameters(), RandomStreams(3)["register"]), geography, path)
    for spin_up, noted in (("8", True), ("0", False)):
        assert main(["run", str(SCENARIOS / "baseline.toml"), "--register", str(path), "--years", "0.25",
                     "--spin-up-years", spin_up, "--out", str(tmp_path / spin_up)]) == 0
        err = capsys.readouterr().err
        assert ("the register is the picture 8 years before the first reported year" in err) == noted
