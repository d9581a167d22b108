import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from twin.cli import main

from conftest import ROOT, SCENARIOS, write, need

REQUIRED_METRICS = (
    "harm_gbp_total harm_gbp_drugs harm_gbp_economic harm_gbp_modern_slavery harm_gbp_immigration "
    "harm_gbp_violence harm_gbp_other response_cost_gbp assets_recovered_gbp net_social_cost_gbp ocgs_active "
    "members_active members_prison recruits recruits_children disruptions arrests convictions homicides "
    "drug_deaths fraud_offences fraud_reported nrm_referrals county_lines_active community_trust"
).split()


def test_run_writes_tidy_trajectories_and_summary(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--seed", "1", "--years", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Annual summary" in printed and "harm £bn" in printed
    frame = pd.read_csv(out / "trajectories.csv")
    assert list(frame.columns) == ["step", "date", "area", "metric", "value"]
    assert set(REQUIRED_METRICS) <= set(frame["metric"].unique())
    assert frame["step"].max() == 12
    assert frame["area"].nunique() == 46 and "UK" in set(frame["area"])
    assert frame["date"].iloc[0] == "2025-04-01"
    assert (out / "trajectories.parquet").exists()
    meta = json.loads((out / "run.json").read_text())
    assert meta["seed"] == 1 and meta["parameters"]["soc_budget_gbp_per_year"] == 860e6
    # each metric's unit and meaning beside them, one row per metric the table holds
    metrics = pd.read_csv(out / "metrics.csv")
    assert list(metrics.columns) == ["metric", "unit", "per_area", "uk_row", "description"]
    assert list(metrics["metric"]) == list(dict.fromkeys(frame["metric"]))
    units = metrics.set_index("metric")["unit"]
    assert units["harm_gbp_total"] == "GBP/month" and units["members_prison"] == "people"
    assert units["community_trust"] == "index 0-1" and "each metric's unit and meaning" in printed
    assert f"the run's settings, parameters and warnings: {out / 'run.json'})" in printed  # named where it is
    assert metrics.set_index("metric").loc["community_trust", "uk_row"] == "population-weighted mean of the areas"


def test_a_run_refuses_a_folder_holding_files_it_did_not_write(tmp_path, capsys):
    """A user's own trajectories.csv in --out was replaced without a word; a run's own are replaced."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "trajectories.csv").write_text("my,own\n1,2\n")
    (out / "notes.txt").write_text("kept")
    argv = ["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--out", str(out)]
    assert main(argv) == 2
    assert f"output folder {out}: holds trajectories.csv, which the twin did not write there" in capsys.readouterr().err
    assert (out / "trajectories.csv").read_text() == "my,own\n1,2\n"
    (out / "run.json").write_text("not json")
    assert main(argv) == 2 and "holds run.json, trajectories.csv, which the twin did" in capsys.readouterr().err
    (out / "run.json").unlink()
    (out / "trajectories.csv").unlink()
    assert main(argv) == 0 and main(argv) == 0  # a run's own files: replaced
    assert (out / "notes.txt").read_text() == "kept" and (out / "metrics.csv").exists()
    assert "trajectories.csv" in (out / ".twin-written").read_text().split()


@pytest.mark.parametrize("mine", ["summary.csv", "charts/harm_gbp_total.png"])
def test_compare_refuses_a_folder_holding_a_users_own_report_files_before_any_run(tmp_path, capsys, mine):
    """A chart of the user's own was refused only once every run was done."""
    out = tmp_path / "mine"
    (out / "charts").mkdir(parents=True)
    (out / mine).write_text("my,own\n")
    db = tmp_path / "c.db"
    argv = ["compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "ct_powers.toml"), "--reps", "1",
            "--years", "0.25", "--quiet", "--db", f"sqlite:///{db}", "--out", str(out)]
    assert main(argv) == 2
    assert f"output folder {out}: holds {mine}, which the twin did not write there" in capsys.readouterr().err
    assert (out / mine).read_text() == "my,own\n" and not db.exists()  # refused before any run


@pytest.mark.parametrize("command, mine", [
    (["fit", "--reps", "1", "--years", "3"], "fit.json"),
    (["calibrate", str(ROOT / "calibration" / "baseline.toml")], "best_parameters.toml"),
    (["calibrate", str(ROOT / "calibration" / "abc.toml")], "posterior.csv"),
    (["sensitivity", str(ROOT / "calibration" / "sensitivity.toml"), "--n", "4"], "sensitivity.html"),
    (["screen", str(ROOT / "calibration" / "screening.toml"), "--trajectories", "2"], "sensitivity_next.toml"),
    (["validate", str(ROOT / "experiments" / "validation" / "replacement.toml")], "validation.json"),
    (["sweep", str(ROOT / "experiments" / "chb_design.toml")], "README.txt"),
])
def test_every_command_refuses_a_users_own_file_in_its_folder_before_any_run(tmp_path, capsys, command, mine):
    """`twin screen` wrote over a user's screening.csv and deleted their sensitivity_next.toml; the others
    refused only once their runs were done, or not at all."""
    if command[0] == "screen":
        need("SALib")
    if command[1:2] == [str(ROOT / "calibration" / "abc.toml")]:
        need("pyabc")
    out = tmp_path / "mine"
    out.mkdir()
    (out / mine).write_text("my own")
    db = tmp_path / "t.db"
    message = _user_error([*command, "--out", str(out)] + (["--db", f"sqlite:///{db}"] if command[0] in (
        "calibrate", "sweep") else []), capsys)
    assert f"output folder {out}: holds {mine}, which the twin did not write there" in message
    assert [p.name for p in out.iterdir()] == [mine] and (out / mine).read_text() == "my own"


def test_a_run_folder_written_before_the_record_of_the_twin_s_files_is_still_its_own(tmp_path, capsys):
    out = tmp_path / "older"
    argv = ["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    (out / ".twin-written").unlink()  # as an earlier version left it: run.json of a run marks it
    (out / "mine.txt").write_text("kept")
    assert main(argv) == 0
    assert {"run.json", "trajectories.csv", "mine.txt"} <= set((out / ".twin-written").read_text().split())
    (out / "run.json").write_text("{}")  # not a run's: nothing is taken as the twin's
    (out / ".twin-written").unlink()
    assert main(argv) == 2 and "holds metrics.csv, run.json, trajectories.csv" in capsys.readouterr().err


def test_same_command_same_file(tmp_path):
    for name in ("a", "b"):
        main(["run", str(SCENARIOS / "baseline.toml"), "--seed", "4", "--years", "1", "--quiet",
              "--out", str(tmp_path / name)])
    assert (tmp_path / "a" / "trajectories.csv").read_bytes() == (tmp_path / "b" / "trajectories.csv").read_bytes()


def test_weekly_run(tmp_path):
    out = tmp_path / "weekly"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.5", "--step", "week", "--quiet",
                 "--out", str(out)]) == 0
    frame = pd.read_csv(out / "trajectories.csv")
    assert frame["step"].max() == 26
    assert pd.read_csv(out / "metrics.csv").set_index("metric").loc["harm_gbp_total", "unit"] == "GBP/week"


def test_metric_dictionary_describes_each_levers_cost_metric(tmp_path):
    out = tmp_path / "levers"
    assert main(["run", str(SCENARIOS / "chb_pilot.toml"), "--years", "0.25", "--quiet", "--out", str(out)]) == 0
    frame = pd.read_csv(out / "trajectories.csv")
    metrics = pd.read_csv(out / "metrics.csv").set_index("metric")
    assert set(metrics.index) == set(frame["metric"])  # every column of the table is described
    levers = [m for m in metrics.index if m.startswith("lever_cost_gbp_")]
    assert levers == ["lever_cost_gbp_chb_clear", "lever_cost_gbp_chb_hold", "lever_cost_gbp_chb_build"]
    assert (metrics.loc[levers, "unit"] == "GBP/month").all()
    assert "type hold" in metrics.loc["lever_cost_gbp_chb_hold", "description"]


def test_a_register_given_on_the_command_line_over_the_scenario_s_is_noted(tmp_path, capsys):
    register = tmp_path / "register.csv"
    assert main(["register", "--out", str(register)]) == 0
    scenario = write(tmp_path / "own.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                     f'register = "{register}"\nspin_up_years = 0\n')
    capsys.readouterr()
    argv = ["run", str(scenario), "--years", "0.1", "--out", str(tmp_path / "r")]
    assert main(argv + ["--register", str(register)]) == 0
    assert f"Note: --register replaces the scenario's own register ({register})." in capsys.readouterr().err
    assert main(argv) == 0
    assert "--register replaces" not in capsys.readouterr().err


def test_register_option(tmp_path):
    register = tmp_path / "register.csv"
    assert main(["register", "--out", str(register)]) == 0
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--register", str(register),
                 "--out", str(out)]) == 0
    # the register written for seed 1 is the one a run with seed 1 draws: written, read back and
    # run, it gives the same trajectories as the run that draws it
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--out",
                 str(tmp_path / "drawn")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "trajectories.csv"),
                                  pd.read_csv(tmp_path / "drawn" / "trajectories.csv"))
    meta = json.loads((out / "run.json").read_text())
    assert meta["scenario"]["register"] == str(register) and meta["warnings"] == []
    # the register's digest: the same groups give the same digest, others another; a register of
    # one force's groups is recorded with its warning
    rows = register.read_text().splitlines()
    merseyside = tmp_path / "merseyside.csv"
    merseyside.write_text("\n".join([rows[0]] + [r for r in rows[1:] if ",Merseyside," in r]) + "\n")
    again = tmp_path / "again"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--register",
                 str(merseyside), "--out", str(again)]) == 0
    partial = json.loads((again / "run.json").read_text())
    assert len(partial["register_digest"]) == 16 and partial["register_digest"] != meta["register_digest"]
    assert any("results will not be meaningful" in w for w in partial["warnings"])


def test_user_errors_are_one_line_without_traceback(tmp_path):
    bad = write(tmp_path / "bad.toml", '[scenario]\nyeras = 10\n')
    result = subprocess.run([sys.executable, "-m", "twin", "run", str(bad)], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'years'" in lines[0]

    reg = write(tmp_path / "reg.csv", "ocg_id,area,type,reach,markets,size,violence,enablers,known\n"
                "X,Kentt,family,local,fraud,4,none,,1\n")
    result = subprocess.run([sys.executable, "-m", "twin", "run", str(SCENARIOS / "baseline.toml"),
                             "--register", str(reg)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "row 2, field 'area'" in result.stderr and "did you mean 'Kent'" in result.stderr


@pytest.mark.parametrize("argv", [["run", "x.toml", "--seed", "-1"], ["run", "x.toml", "--years", "0"],
                                  ["bench", "--reps", "0"], ["compare", "x.toml", "--reps", "1000000000"],
                                  ["fit", "--reps", "10001"]])
def test_bad_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def _user_error(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("twin: error: ")
    return err


def test_a_horizon_shorter_than_one_step_is_a_user_error(tmp_path, capsys):
    baseline = str(SCENARIOS / "baseline.toml")
    said = _user_error(["run", baseline, "--years", "0.01", "--out", str(tmp_path / "r")], capsys)
    assert "shorter than one monthly step: runs are whole steps, so at least 0.0417 years, run as 0.0833" in said
    assert "shorter than one weekly step" in _user_error(["run", baseline, "--years", "0.005", "--step", "week",
                                                          "--out", str(tmp_path / "r")], capsys)
    assert "shorter than one monthly step" in _user_error(
        ["compare", baseline, "--years", "0.01", "--reps", "1", "--out", str(tmp_path / "c"),
         "--db", f"sqlite:///{tmp_path / 'c.db'}"], capsys)


def test_an_output_path_that_is_a_file_fails_before_any_work(tmp_path, capsys):
    afile = write(tmp_path / "afile", "")
    baseline = str(SCENARIOS / "baseline.toml")
    for argv in (["run", baseline, "--years", "1", "--out", str(afile)],
                 ["run", baseline, "--years", "1", "--out", str(afile / "sub")],
                 ["compare", baseline, "--reps", "1", "--years", "1", "--out", str(afile),
                  "--db", f"sqlite:///{tmp_path / 'x.db'}"]):
        assert "is a file, not a folder" in _user_error(argv, capsys)
    assert "is a folder" in _user_error(["register", "--out", str(tmp_path)], capsys)


def test_register_never_writes_over_a_file_that_is_not_a_register(tmp_path, capsys):
    """`twin register --out scenario.toml` replaced the scenario with CSV."""
    scenario = write(tmp_path / "mine.toml", '[scenario]\nname = "mine"\n')
    assert "expected a file name ending in .csv" in _user_error(["register", "--out", str(scenario)], capsys)
    own = write(tmp_path / "own.csv", "ocg_id,area\nA1,Kent\n")
    assert "exists and is not a register `twin register` wrote" in _user_error(["register", "--out", str(own)], capsys)
    assert scenario.read_text() == '[scenario]\nname = "mine"\n' and own.read_text() == "ocg_id,area\nA1,Kent\n"
    fresh = tmp_path / "reg.csv"
    assert main(["register", "--out", str(fresh)]) == 0 and main(["register", "--out", str(fresh)]) == 0  # its own
    # a register edited since (the template made one's own: same header), or drawn otherwise, is kept
    edited = fresh.read_text().replace(",Kent,", ",Essex,", 1)
    fresh.write_text(edited)
    for argv in (["register", "--out", str(fresh)], ["register", "--out", str(fresh), "--seed", "2"]):
        assert "the file exists and holds another register" in _user_error(argv, capsys)
    assert fresh.read_text() == edited
    assert main(["register", "--out", str(fresh), "--replace"]) == 0 and fresh.read_text() != edited


def test_register_of_a_partial_areas_file_warns_as_a_run_does(tmp_path, capsys):
    write(tmp_path / "areas.csv", "force_area,nation,region,population_thousands,county_lines_exporter\n"
          "A,England,R,700,1\nB,England,R,480,0\n")
    scenario = write(tmp_path / "s.toml", '[scenario]\nname = "s"\nareas_file = "areas.csv"\n')
    assert main(["register", str(scenario), "--out", str(tmp_path / "reg.csv")]) == 0
    err = capsys.readouterr().err
    assert "Warning: areas file" in err and "set scale_national_quantities = true in [scenario]" in err


def test_register_of_a_scenario_whose_lever_names_no_area_refuses_it_as_a_run_would(tmp_path, capsys):
    """`twin register typo.toml` wrote a register for a scenario every run of which stops on its lever's area."""
    scenario = write(tmp_path / "s.toml", f'[scenario]\nname = "s"\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                     '[[levers]]\ntype = "clear"\nareas = ["West Midland"]\n')
    assert main(["register", str(scenario), "--out", str(tmp_path / "reg.csv")]) == 2
    assert "unknown area 'West Midland'; did you mean 'West Midlands'?" in capsys.readouterr().err
    assert not (tmp_path / "reg.csv").exists()


@pytest.mark.parametrize("n", ["0", "3", "12"])
def test_sobol_sample_size_must_be_a_power_of_two(n, capsys):
    config = str(ROOT / "calibration" / "sensitivity.toml")
    with pytest.raises(SystemExit) as stop:  # checked by the parser, before the config is read
        main(["sensitivity", config, "--n", n])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and "expected a power of 2 >= 4" in err


def test_params_listing(capsys):
    assert main(["params", "--group", "justice"]) == 0
    out = capsys.readouterr().out
    assert "soc_prison_places" in out and "Source:" in out
    assert main(["params", "--csv"]) == 0
    import io

    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("name")
    # each value's provenance in a column of its own, read from its source text
    assert set(table["provenance"]) == {"assumption", "sourced", "derived", "calibrated"}
    assert (table["provenance"] == "assumption").equals(table["source"].str.lower().str.startswith("assumption"))
    assert table.loc["harm_gbp_per_heroin_crack_user_year", "provenance"] == "calibrated"
    assert table.loc["soc_prisoners_initial", "provenance"] == "derived"
    # the targets a parameter was set to reproduce, as calibration/targets.toml's fitted_by lists them
    from twin.targets import load_targets

    expected = {}
    for target in load_targets(ROOT / "calibration" / "targets.toml"):
        for name in target.fitted_by:
            expected.setdefault(name, []).append(target.name)
    listed = table["fitted_to"].dropna().str.split(";").to_dict()
    assert listed == expected and listed["charge_prob"] == ["soc_prisoners", "soc_prisoners_late"]
    assert table.loc["charge_prob", "provenance"] == "assumption"  # an assumption set by hand to fit
    assert main(["params", "--group", "justise"]) == 2
    assert "did you mean 'justice'" in capsys.readouterr().err


def test_interrupted_run_keeps_computed_steps(tmp_path, monkeypatch, capsys):
    from twin import model as model_module, precompile, runner
    from twin.runner import run_scenario
    from twin.scenario import load_scenario

    original = model_module.TwinModel.step
    calls = {"n": 0}

    def flaky(self):
        if self.steps_done >= 0:  # the fifth reported step (the spin-up's steps come first)
            calls["n"] += 1
            if calls["n"] == 5:
                raise KeyboardInterrupt
        original(self)

    monkeypatch.setattr(model_module.TwinModel, "step", flaky)
    monkeypatch.setattr(precompile, "warm_up", lambda quiet=False: None)  # its own runs' steps are not counted here
    monkeypatch.setattr(runner, "_SPUN_UP", {})  # a spin-up kept from an earlier test steps without `flaky`
    with pytest.raises(KeyboardInterrupt):
        run_scenario(load_scenario(SCENARIOS / "baseline.toml"), 1, years=1, out_dir=tmp_path)
    partial = pd.read_csv(tmp_path / "trajectories.partial.csv")
    assert partial["step"].max() == 4
    # the command says where they are, and exits 130
    calls["n"] = 0
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "1", "--out", str(tmp_path / "cli")]) == 130
    assert f"the steps run so far are in {tmp_path / 'cli' / 'trajectories.partial.csv'}" in capsys.readouterr().err
    # interrupted again before its first reported step: the earlier run's steps are kept, and said to be its
    calls["n"] = 4
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "1", "--out", str(tmp_path / "cli")]) == 130
    err = capsys.readouterr().err
    assert "no reported step had finished" in err and "still holds an earlier interrupted run's steps" in err
    assert pd.read_csv(tmp_path / "cli" / "trajectories.partial.csv")["step"].max() == 4
    # interrupted before its first reported step into a folder it made: no empty folder stays behind
    calls["n"] = 4
    fresh = str(tmp_path / "new" / "out")
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "1", "--out", fresh]) == 130
    assert "no reported step had finished" in capsys.readouterr().err and not (tmp_path / "new").exists()
    # run again to the end: the earlier partial file is not left beside the whole one
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "1", "--quiet", "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "trajectories.csv").exists()
    assert not (tmp_path / "cli" / "trajectories.partial.csv").exists()


def test_an_interrupted_command_keeps_ctrl_c_ignored_only_when_the_process_ends(monkeypatch):
    """After a first Ctrl-C a command ignores further ones while it stops its workers. A Python
    session that called main() gets its handler back; the `twin` command keeps ignoring Ctrl-C
    until the process has exited, so a second one cannot interrupt Python's shutdown."""
    import signal

    from twin import cli
    from twin.executor import ignore_further_interrupts

    def interrupted(args):
        ignore_further_interrupts()
        return 130

    monkeypatch.setattr(cli, "cmd_levers", interrupted)
    before, before_term = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    before_hangup = signal.getsignal(signal.SIGHUP)
    try:
        assert main(["levers"]) == 130 and signal.getsignal(signal.SIGINT) is before
        assert main(["levers"], exiting=True) == 130 and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        # the command's first Ctrl-C ignores the next from the instant it lands
        signal.signal(signal.SIGINT, signal.default_int_handler)
        monkeypatch.setattr(cli, "cmd_levers", lambda args: 7 if signal.getsignal(signal.SIGINT) is cli._interrupt_once else 0)
        assert main(["levers"], exiting=True) == 7
        with pytest.raises(KeyboardInterrupt):
            cli._interrupt_once(signal.SIGINT, None)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        monkeypatch.setattr(cli, "cmd_levers", interrupted)
        signal.signal(signal.SIGINT, before)
        monkeypatch.setattr("sys.argv", ["twin", "levers"])
        with pytest.raises(SystemExit) as exit_status:
            cli.run()  # the `twin` command
        assert exit_status.value.code == 130 and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        # a Ctrl-C in the instant after the command ended: its status, no traceback, then no more stops
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        monkeypatch.setattr(cli, "cmd_levers",
                            lambda args: 7 if signal.getsignal(signal.SIGHUP) is cli._interrupt_once else 0)
        assert main(["levers"], exiting=True) == 7  # a closed terminal stops the command cleanly too

        def ended_then_interrupted(argv=None, exiting=False):
            raise KeyboardInterrupt
        monkeypatch.setattr(cli, "main", ended_then_interrupted)
        with pytest.raises(SystemExit) as exit_status:
            cli.run()
        assert exit_status.value.code == 130
        assert all(signal.getsignal(s) is signal.SIG_IGN for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    finally:
        signal.signal(signal.SIGINT, before)
        signal.signal(signal.SIGTERM, before_term)
        signal.signal(signal.SIGHUP, before_hangup)


@pytest.mark.slow
def test_sigterm_stops_a_command_as_ctrl_c_does(tmp_path):
    """Batch schedulers stop jobs with SIGTERM: the run stops cleanly, says what it kept, exits 130."""
    import signal
    import time

    scenario = write(tmp_path / "s.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 30\n'
                     'spin_up_years = 0\n')
    # at several moments: a signal that lands inside a compiled kernel surfaced as numba's
    # SystemError, a traceback, in about one run in five
    for delay in (0.0, 0.1, 0.2, 0.3, 0.45, 0.6):
        process = subprocess.Popen([sys.executable, "-m", "twin", "run", str(scenario), "--out", str(tmp_path / "run")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(20):  # past any compilation notes, into the run
            if process.stdout.readline().startswith("Running"):
                break
        else:
            pytest.fail("the run never started")
        time.sleep(delay)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 130, (delay, out, err)
        assert "twin: interrupted" in err and "Traceback" not in err, (delay, err)


def test_an_interrupt_inside_a_compiled_kernel_is_recognised():
    """numba wraps a KeyboardInterrupt raised while a kernel is called in SystemErrors, one per
    nested call; the root is what counts."""
    from twin.errors import interrupt_at_root

    def nested(depth):
        try:
            if depth == 0:
                raise KeyboardInterrupt
            nested(depth - 1)
        except BaseException as exc:
            raise SystemError("returned a result with an exception set") from exc

    for depth in (0, 1, 5):
        with pytest.raises(SystemError) as caught:
            nested(depth)
        assert interrupt_at_root(caught.value)
    assert not interrupt_at_root(SystemError("another"))
    assert not interrupt_at_root(ValueError("x"))


def test_compare_with_one_scenario_says_there_is_nothing_to_compare(tmp_path, capsys):
    argv = ["compare", str(SCENARIOS / "baseline.toml"), "--reps", "2", "--years", "1", "--workers", "1",
            "--out", str(tmp_path / "c"), "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    assert main(argv) == 0
    assert "nothing to compare it with" in capsys.readouterr().out
    assert (tmp_path / "c" / "report.html").exists()


def test_a_sqlite_url_of_three_slashes_meant_from_the_root_is_explained(tmp_path, capsys, monkeypatch):
    """'sqlite:///tmp/x.db' is tmp/x.db under the working folder, as SQLAlchemy reads it: a user meaning
    /tmp/x.db was told only 'no such database file', or found a database made in a new ./tmp."""
    from twin.store import Store

    absolute = tmp_path / "x.db"  # a database the user means, from the root
    Store(f"sqlite:///{absolute}")
    root = absolute.parts[1]
    monkeypatch.chdir(tmp_path)
    relative = absolute.relative_to("/").as_posix()
    message = _user_error(["export", "--db", f"sqlite:///{relative}", "--out", "e"], capsys)
    assert f"no such database file {Path(relative)} under the working folder" in message
    assert f"the file /{relative} is sqlite:////{relative}" in message
    message = _user_error(["export", "--db", f"sqlite:///{root}/none.db", "--out", "e"], capsys)  # none there either
    assert message.endswith(f"no such database file ({tmp_path / root / 'none.db'}, under the folder this command "
                            f"runs in; run `twin compare` or `twin sweep` first, or give --db)")  # where it looked
    Store(f"sqlite:///{root}/sub/x.db")  # made where SQLAlchemy puts it, and said
    assert f"is the file {Path(root, 'sub', 'x.db')} under the working folder" in capsys.readouterr().err
    assert (tmp_path / root / "sub" / "x.db").exists()
    Store(f"sqlite:///{root}/sub/x.db")  # the folder here now: nothing to say
    assert capsys.readouterr().err == ""
    (tmp_path / "mine").mkdir()
    Store("sqlite:///mine/x.db")  # a new database from a relative path: where it is (from another folder: another)
    assert capsys.readouterr().err == (f"twin: note: a new database, {tmp_path / 'mine' / 'x.db'} (sqlite:///mine/x.db "
                                       f"is a path from the folder this command runs in; runs stored in a database "
                                       f"elsewhere are not reused)\n")
    Store("sqlite:///mine/x.db")  # there now: nothing to say
    assert capsys.readouterr().err == ""
    Store(f"sqlite:///{tmp_path / 'typo' / 'x.db'}")  # a folder not there (a mistyped path?): a new database, said
    assert f"its folder {tmp_path / 'typo'} did not exist; a new database is made there" in capsys.readouterr().err
    # from a relative path, where that folder is, and what three slashes mean (four: from the root)
    Store("sqlite:///made/x.db")
    assert (f"its folder made ({tmp_path / 'made'}: sqlite:/// with three slashes is a path from the folder this "
            f"command runs in, with four one from the root) did not exist") in capsys.readouterr().err
    # a folder given as the database: said (SQLite's own words were 'unable to open database file')
    message = _user_error(["export", "--list", "--db", f"sqlite:///{tmp_path / 'mine'}"], capsys)
    assert message == (f"twin: error: --db 'sqlite:///{tmp_path / 'mine'}': {tmp_path / 'mine'} is a folder; "
                       f"expected a database file, such as sqlite:///{tmp_path / 'mine' / 'twin.db'}")


def test_export_refuses_a_missing_database_or_experiment(tmp_path, capsys):
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert "no such database file" in _user_error(["export", "--db", missing, "--out", str(tmp_path / "e")], capsys)
    assert not (tmp_path / "none.db").exists()
    argv = ["compare", str(SCENARIOS / "baseline.toml"), "--reps", "1", "--years", "1", "--workers", "1", "--quiet",
            "--out", str(tmp_path / "c"), "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    assert main(argv) == 0
    said = _user_error(["export", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--experiment", "99", "--out",
                        str(tmp_path / "e")], capsys)
    assert "no such experiment" in said and "; the experiments there: 1 (compare: baseline)" in said
    assert main([*argv[:-1], f"sqlite:///{tmp_path / 'c.db'}", "--seed", "7"]) == 0  # another of the same name
    said = _user_error(["export", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--experiment", "99", "--out",
                        str(tmp_path / "e")], capsys)
    assert re.search(r"the experiments there: 2 \(compare: baseline; seed 7, made \d{4}-\d\d-\d\d \d\d:\d\d\), "
                     r"1 \(compare: baseline; seed 1, made ", said)  # told apart
    # --list: every experiment, oldest first, with its seed, horizon and runs stored
    capsys.readouterr()
    assert main(["export", "--list", "--db", f"sqlite:///{tmp_path / 'c.db'}"]) == 0
    header, first, second = capsys.readouterr().out.splitlines()
    assert header.split() == ["id", "kind", "seed", "years", "runs", "failed", "made", "(UTC)", "last", "run", "(UTC)",
                              "name"]
    for line, (experiment, seed) in ((first, (1, 1)), (second, (2, 7))):
        assert line.split()[:6] == [str(experiment), "compare", str(seed), "1", "1", "0"] and line.endswith("baseline")
    # the last run stored, not the experiment's record, which every command touches (storing or not)
    from twin.store import Store

    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE experiments SET updated_at = '2031-01-01 00:00:00.000000'")
        stored = connection.exec_driver_sql("SELECT max(finished_at) FROM runs WHERE experiment_id = 1").scalar()
    store.engine.dispose()
    assert main(["export", "--list", "--db", f"sqlite:///{tmp_path / 'c.db'}"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[8:10] == f"{pd.Timestamp(stored):%Y-%m-%d %H:%M}".split()
    assert not (tmp_path / "e").exists()  # listing exports nothing
    # another experiment's export into a folder that held one is said, as a comparison's report is
    export = ["export", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / "x"), "--quiet"]
    assert main(export + ["--experiment", "1"]) == 0 and main(export + ["--experiment", "1"]) == 0
    assert "held the export" not in capsys.readouterr().err  # the same experiment again: nothing to say
    assert main(export + ["--experiment", "2"]) == 0
    assert capsys.readouterr().err == (f"Note: {tmp_path / 'x'} held the export of experiment 1; it now holds "
                                       f"experiment 2's (give another --out to keep both).\n")


def test_an_export_replaces_an_earlier_export_s_files_and_says_a_comparison_is_unfinished(tmp_path, capsys):
    """Exporting into a folder that held another export left its files beside the new ones (a CSV
    export, then a Parquet one: both sets, from two experiments); a comparison interrupted between
    two rounds of replicates exported with no word that it was unfinished."""
    db, out = f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "e"
    base, ct = str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "ct_powers.toml")
    argv = ["compare", base, ct, "--years", "1", "--workers", "1", "--quiet", "--out", str(tmp_path / "c"),
            "--db", db]
    assert main(argv + ["--reps", "1"]) == 0
    assert main(["run", base, "--years", "1", "--quiet", "--out", str(out)]) == 0  # another command's files there
    assert main(["export", "--db", db, "--out", str(out), "--format", "parquet"]) == 0
    assert (out / "trajectories.csv").exists() and (out / "metrics.csv").exists()  # the run's: not an export's
    assert main(["export", "--db", db, "--out", str(out)]) == 0
    assert not (out / "experiments.parquet").exists()  # the earlier export's, in the other format
    err = capsys.readouterr().err
    assert (out / "trajectories.csv").exists() and "unfinished" not in err
    # said: the Parquet files went without a word
    assert re.search(r"Note: the earlier export's experiments\.parquet, .*area_results\.parquet in .* were removed "
                     r"\(a folder holds one export, whose README\.txt describes its files\); give another --out",
                     err), err
    runs = pd.read_csv(out / "experiments.csv")
    assert runs["years"].dtype.kind == "i" and set(runs["years"]) == {1}  # --years 1: 1, not 1.0
    assert set(runs["start_date"]) == {"2025-04-01"} and set(runs["spin_up_years"]) == {8}
    assert main(["export", "--db", db, "--out", str(out), "--format", "parquet"]) == 0
    assert [p.name for p in out.glob("*.csv")] == ["metrics.csv"] and (out / "trajectories.parquet").exists()
    import pyarrow.parquet as pq  # no run failed: the error column is still text (it was Parquet's null type)

    assert str(pq.read_schema(out / "experiments.parquet").field("error").type) in ("string", "large_string")
    assert set((out / ".twin-written").read_text().split()) & {"experiments.csv", "outcomes.csv"} == set()
    # a command asking for 3 replicates, stopped before its second round stored anything: every scenario
    # holds one, as a finished comparison of one replicate would (planning the runs records what was asked)
    from twin.ensemble import prepare
    from twin.store import Store

    prepare([base, ct], 3, 1, 1.0, Store(db))
    assert main(["export", "--db", db, "--out", str(out)]) == 0
    assert ("experiment 1 looks unfinished: 1 of the 3 replicates asked for are stored for each scenario; run its "
            "`twin compare` command again (with --reps 3) to finish it" in capsys.readouterr().err)
    assert main(argv + ["--reps", "2"]) == 0  # a smaller request later: still short of the 3 once asked
    capsys.readouterr()
    assert main(["export", "--db", db, "--out", str(out)]) == 0
    assert "2 of the 3 replicates asked for" in capsys.readouterr().err


def test_a_lever_starting_in_the_last_step_acts_and_one_after_it_is_noted(tmp_path, capsys):
    """A 1-year monthly run's last step is 11/12 years in: a lever from 0.9 years acts, one from 0.95 never does;
    one from 0.02 years for 0.05 falls between the first two steps' starts and never acts, for 0.07 it acts."""
    for start, noted, duration in ((0.9, False, ""), (0.95, True, ""), (0.02, True, "duration_years = 0.05\n"),
                                   (0.02, False, "duration_years = 0.07\n")):
        scenario = write(tmp_path / "edge.toml", f'[scenario]\nname = "edge"\n[[levers]]\ntype = "hold"\n'
                                                 f'start_year = {start}\n{duration}')
        assert main(["run", str(scenario), "--years", "1", "--quiet", "--out", str(tmp_path / "e")]) == 0
        assert ("will have no effect" in capsys.readouterr().err) == noted
        table = pd.read_csv(tmp_path / "e" / "trajectories.csv")
        cost = table[(table.metric == "lever_cost_gbp_hold") & (table.area == "UK")]["value"].sum()
        assert (cost == 0) == noted  # the note is right: the lever acted exactly when none was given


def test_a_database_path_that_cannot_hold_a_database_is_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "notdb.db").write_text("[scenario]\nname = 'x'\n" * 200)
    args = ["compare", str(SCENARIOS / "baseline.toml"), "--reps", "1", "--years", "1", "--workers", "1", "--quiet"]
    assert "afile' is a file, not a folder" in _user_error([*args, "--db", f"sqlite:///{tmp_path / 'afile' / 'z.db'}",
                                                      "--out", str(tmp_path / "o1")], capsys)
    assert "cannot use the database (file is not a database)" in _user_error([*args, "--db", f"sqlite:///{tmp_path / 'notdb.db'}",
                                                         "--out", str(tmp_path / "o2")], capsys)


def test_run_marks_a_part_year_and_notes_levers_that_never_acted(tmp_path, capsys):
    scenario = write(tmp_path / "late.toml", '[scenario]\nname = "late"\n[[levers]]\ntype = "hold"\nstart_year = 5\n')
    assert main(["run", str(scenario), "--years", "1.5", "--out", str(tmp_path / "r")]) == 0
    captured = capsys.readouterr()
    assert "* year 2 is part of a year: 6 of 12 steps" in captured.out
    assert "#1 (hold) starts 5 years in, but the run's last step is 1.42 years in (1.5-year run): it will have no " \
           "effect" in captured.err
    # a lever that does nothing is a warning, said under --quiet too (which keeps warnings, not notes)
    assert main(["run", str(scenario), "--years", "1.5", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("Warning: ") and "it will have no effect" in captured.err
    meta = json.loads((tmp_path / "r" / "run.json").read_text())
    assert "_file" not in meta["scenario"]["levers"][0] and "mesa" in meta["packages"]
    assert meta["lever_areas"] == {}  # a lever that never acted resolved no areas
    # the areas a lever acted in are kept, those `top_harm_areas` ranks in the run too (recorded nowhere)
    ranked = write(tmp_path / "ranked.toml", '[scenario]\nname = "ranked"\n[[levers]]\ntype = "hold"\n'
                                             'top_harm_areas = 3\n[[levers]]\ntype = "prevention"\nname = "wales"\n'
                                             'nations = ["Wales"]\n')
    assert main(["run", str(ranked), "--years", "1", "--out", str(tmp_path / "ranked"), "--quiet"]) == 0
    acted = json.loads((tmp_path / "ranked" / "run.json").read_text())["lever_areas"]
    assert len(acted["hold"]) == 3 and "Metropolitan Police" in acted["hold"]
    assert sorted(acted["wales"]) == ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]
    from twin.ensemble import code_hash

    # what identifies the code that made the run, and the compiler the step runs on
    assert meta["code_hash"] == code_hash() and {"numba", "llvmlite", "python"} <= set(meta["packages"])
    assert meta["git_uncommitted_changes"] in (True, False, None)


@pytest.mark.parametrize("argv, words", [
    (["runn"], "invalid choice: 'runn'"), (["bench", "--jsn"], "unrecognized arguments: --jsn; did you mean '--json'?"),
    (["run", "x.toml", "--sed", "3"], "did you mean '--seed'?"),
    (["compare", "x.toml", "--register", "r.csv"], "twin compare reads a register named in the scenario"),
    (["compare", "x.toml", "--rep", "2"], "unrecognized arguments: --rep 2; did you mean '--reps'?"),  # not taken
    (["sweep", "x.toml", "--reps", "3"], "--reps 3; a sweep's horizon and replications are its experiment file's "
                                         "(`reps = ...` in its [experiment] table)"),
    (["sweep", "x.toml", "--years=3"], "`years = ...` in its [experiment] table"),
    (["--verison"], "unrecognized arguments: --verison; did you mean '--version'?"),  # not "COMMAND required"
    (["verison"], "invalid choice: 'verison'"), (["--hlep"], "did you mean '--help'?")])
def test_command_line_mistakes_suggest_the_right_name_in_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and words in err
    if argv == ["runn"]:
        assert "did you mean 'run'?" in err
    if argv == ["verison"]:  # not 'levers', the command it looks most like
        assert err.endswith("did you mean 'twin --version'? (see 'twin --help')")


def test_a_scenario_given_by_its_name_points_to_its_file(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # where the README's commands run: scenarios/ beside
    assert main(["run", "baseline", "--years", "1", "--out", "unused"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "twin: error: baseline: scenario file not found; did you mean 'scenarios/baseline.toml'?"
    assert not (ROOT / "unused").exists()
    # the file's name without its folder, spelt right or nearly
    for given in ("baseline.toml", "baselne.toml"):
        assert main(["run", given, "--years", "1", "--out", "unused"]) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"twin: error: {given}: scenario file not found; did you mean 'scenarios/baseline.toml'?"
    assert main(["run", "nothing_like_it.toml", "--years", "1", "--out", "unused"]) == 2
    assert "did you mean" not in capsys.readouterr().err and not (ROOT / "unused").exists()


def test_version(capsys):
    from twin import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"twin {__version__}"


def test_files_that_are_not_utf8_are_one_line_errors(tmp_path, capsys):
    latin1 = tmp_path / "latin1.toml"
    text = b'[scenario]\nname = "caf\xe9"\n'
    latin1.write_bytes(text)
    assert f"latin1.toml: not UTF-8 text (byte {text.index(0xe9)}); save the scenario file as UTF-8" in _user_error(
        ["run", str(latin1)], capsys)
    areas = tmp_path / "areas.csv"
    areas.write_bytes(b"area,region\nCaf\xe9,North\n")
    scenario = write(tmp_path / "s.toml", f'[scenario]\nareas_file = "{areas.name}"\n')
    assert "not UTF-8 text" in _user_error(["run", str(scenario)], capsys)


def test_a_full_disk_is_one_line_and_leaves_no_truncated_file(tmp_path, monkeypatch, capsys):
    import errno

    import pandas as pd_module

    def full(self, path, *args, **kwargs):
        open(path, "w").write("step,date")  # a part written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd_module.DataFrame, "to_csv", full)
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("twin: error: No space left on device")
    assert "free space on the disk that holds the output or the database" in err  # what to do about it
    assert not (out / "trajectories.csv").exists() and not list(out.glob("*.writing"))
    assert not (out / "trajectories.partial.csv").exists()  # no truncated file under any name


def test_a_full_disk_without_a_file_named_names_the_output_folder(tmp_path, monkeypatch, capsys):
    import errno

    import pandas as pd_module

    def full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")  # as some writers raise it: no file named

    monkeypatch.setattr(pd_module.DataFrame, "to_csv", full)
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--years", "0.25", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("twin: error: No space left on device")
    assert f"the disk that holds the output ({out}) or the database" in err


def test_a_database_with_a_foreign_table_of_the_same_name_is_refused(tmp_path, capsys):
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table experiments (x int)")
    err = _user_error(["export", "--db", f"sqlite:///{path}"], capsys)
    assert "its table 'experiments' is not the twin's (no column id, spec_hash, name ...)" in err
    # a command that would add its tables refuses before adding any: the database is left as it was
    with sqlite3.connect(path) as connection:
        connection.execute("drop table experiments")
        connection.execute("create table runs (id integer primary key, note text)")
    err = _user_error(["compare", str(SCENARIOS / "baseline.toml"), "--years", "1", "--reps", "1",
                       "--db", f"sqlite:///{path}", "--out", str(tmp_path / "c")], capsys)
    assert "its table 'runs' is not the twin's (no column experiment_id, scenario_id, replicate ...)" in err
    with sqlite3.connect(path) as connection:
        assert connection.execute("select name from sqlite_master where type = 'table'").fetchall() == [("runs",)]


def test_a_lever_setting_beyond_its_plausible_range_is_warned_about(tmp_path, capsys):
    scenario = write(tmp_path / "s.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 0.25\n'
                     '[[levers]]\ntype = "clear_hold_build"\nareas = ["Kent"]\nhold_years = 50\n')
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "[[levers]] #1 (clear_hold_build): hold_years = 50 is beyond its plausible range, 0 to 10" in capsys.readouterr().err
    scenario.write_text(scenario.read_text().replace("hold_years = 50", "hold_years = 5"))
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "plausible range" not in capsys.readouterr().err
    scenario.write_text(scenario.read_text().replace("hold_years = 5", "intensity = 1e6"))
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "(clear_hold_build): intensity = 1e+06 is beyond its plausible range, 0 to 5" in capsys.readouterr().err


def test_an_amount_of_money_written_in_billions_is_warned_about(tmp_path, capsys):
    """`budget_gbp_per_year = 3` (for £3bn) is inside the plausible range 0 to 6e9 and cut the funding to
    nothing, unremarked; so with a parameter in pounds."""
    scenario = write(tmp_path / "s.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 0.25\n'
                     'spin_up_years = 0\n[parameters]\nharm_gbp_per_homicide = 4.2\n'
                     '[[levers]]\ntype = "funding"\nbudget_gbp_per_year = 3\n')
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert ("[[levers]] #1 (funding): budget_gbp_per_year = 3 is in pounds (GBP/year), £3 against the default's "
            "£3,000,000,000; for £3bn write 3e9, for £3m write 3e6") in err
    assert "[parameters]: harm_gbp_per_homicide = 4.2 is in pounds (GBP/homicide)" in err
    scenario.write_text(scenario.read_text().replace("= 3\n", "= 3e9\n").replace("= 4.2\n", "= 4.2e6\n"))
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "in pounds" not in capsys.readouterr().err
    # a small amount that means what it says (£5,000 an area a year, in range read as pounds, not as
    # millions or billions): not remarked on
    from twin.parameters import money_slip

    assert money_slip("cost_gbp_per_area_year", 5000, "GBP/area-year", 1e5, 0, 5e5) is None
    assert money_slip("budget_gbp_per_year", 3, "GBP/year", 3e9, 0, 6e9).endswith("for £3bn write 3e9, for £3m "
                                                                                  "write 3e6")


def test_a_region_or_nation_given_as_a_lever_area_points_to_its_key(tmp_path, capsys):
    scenario = write(tmp_path / "s.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 0.25\n'
                     '[[levers]]\ntype = "hold"\nareas = ["London"]\n')
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 2
    assert ("unknown area 'London'; 'London' is one of the regions: give regions = [\"London\"]"
            in capsys.readouterr().err)  # it was offered 'City of London', a square mile
    # Wales, a nation of four forces and a regional unit of three (North Wales is in the North West's)
    scenario.write_text(scenario.read_text().replace('"London"', '"Wales"'))
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 2
    assert ("'Wales' is a nation and a region: give nations = [\"Wales\"] for the nation's 4 areas, or regions = "
            "[\"Wales\"] for the 3 of its regional unit") in capsys.readouterr().err


def test_a_bare_name_is_pointed_to_a_scenario_file_only_where_a_scenario_is_read(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["calibrate", "baseline"]) == 2
    assert capsys.readouterr().err.strip() == "twin: error: baseline: calibration config not found"


def test_parameters_beyond_their_plausible_range_are_warned_about_and_recorded(tmp_path, capsys):
    """Allowed (a scenario may explore), but said before the run and kept in run.json; so are share
    sets that do not sum to 1, which the register rescales."""
    scenario = write(tmp_path / "s.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 0.25\n'
                     'spin_up_years = 0\n[parameters]\nentry_rate_per_month = 5\nshare_type_cultural = 0.9\n')
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    expected = [f"{scenario}: [parameters]: entry_rate_per_month = 5 is beyond its plausible range, 0.05 to 1",
                f"{scenario}: [parameters]: share_type_cultural = 0.9 is beyond its plausible range, 0.4 to 0.54",
                f"{scenario}: [parameters]: the OCG types shares sum to 1.43, not 1; they are rescaled to sum to 1"]
    assert all(f"Warning: {w}." in err for w in expected), err
    assert json.loads((tmp_path / "run" / "run.json").read_text())["warnings"] == expected
    scenario.write_text(scenario.read_text().replace("= 5\n", "= 0.5\n").replace("= 0.9\n", "= 0.47\n"))
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "Warning" not in capsys.readouterr().err
    assert json.loads((tmp_path / "run" / "run.json").read_text())["warnings"] == []


def test_more_people_than_live_in_the_run_s_areas_is_refused_naming_the_file_that_sets_it(tmp_path, capsys):
    """Beyond a plausible range is a warning; more heroin users than people is impossible: refused in one
    line naming the file of the scenario's chain that sets it, before anything runs."""
    from twin.geography import load_geography

    people = float(load_geography(None).population.sum())
    base = write(tmp_path / "base.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 0.25\n'
                 f'[parameters]\nheroin_crack_users_uk = {people + 1:.0f}\n')
    child = write(tmp_path / "child.toml", '[scenario]\nbase = "base.toml"\n')
    assert main(["run", str(child), "--quiet", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err == (f"twin: error: {base}: [parameters] heroin_crack_users_uk = {people + 1:,.0f} is more people than "
                   f"live in the run's areas ({people:,.0f}); expected at most that, and plausibly 300,000 to 450,000 "
                   f"for the UK\n")
    assert not (tmp_path / "run").exists()
    base.write_text(base.read_text().replace(f"{people + 1:.0f}", f"{people:.0f}"))  # as many: allowed, warned
    from twin.preflight import scenario_warnings
    from twin.scenario import load_scenario

    assert any("heroin_crack_users_uk" in w and "plausible range" in w for w in scenario_warnings(load_scenario(child)))


def test_a_base_scenarios_value_beyond_its_range_is_remarked_on_in_the_bases_file(tmp_path):
    from twin.preflight import scenario_warnings
    from twin.scenario import load_scenario

    base = write(tmp_path / "base.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                 '[parameters]\nentry_rate_per_month = 5\nconviction_prob = 0.95\n')
    child = write(tmp_path / "child.toml", '[scenario]\nbase = "base.toml"\n[parameters]\nconviction_prob = 0.97\n')
    warnings = [w for w in scenario_warnings(load_scenario(child)) if "plausible" in w]
    assert warnings == [f"{child}: [parameters]: conviction_prob = 0.97 is beyond its plausible range, 0.6 to 0.9",
                        f"{base}: [parameters]: entry_rate_per_month = 5 is beyond its plausible range, 0.05 to 1"]


def test_parameters_the_synthetic_register_cannot_use_name_the_scenario(tmp_path, capsys):
    scenario = write(tmp_path / "s.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\nyears = 0.25\n'
                     '[parameters]\nmembers_known_uk = 5e6\n')
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # the plausible-range warning, then the error
    assert err[-1].startswith(f"twin: error: {scenario}: [parameters] members_known_uk = 5e+06 with group sizes drawn as")
    assert len(err) == 2 and "plausible range" in err[0], err


def test_a_bad_register_is_reported_before_the_kernels_are_compiled(tmp_path, capsys, monkeypatch):
    import twin.precompile

    compiled_first = []
    monkeypatch.setattr(twin.precompile, "warm_up", lambda quiet=False: compiled_first.append(True))
    reg = write(tmp_path / "reg.csv", "ocg_id,area,type,reach,markets,size,violence,enablers,known\n"
                "X,Kent,family,local,fraud,four,none,,1\n")
    err = _user_error(["run", str(SCENARIOS / "baseline.toml"), "--register", str(reg), "--out",
                       str(tmp_path / "r" / "seed-1")], capsys)
    assert "field 'size'" in err and compiled_first == []
    assert not (tmp_path / "r").exists()  # nor is an empty output folder left behind
    monkeypatch.chdir(tmp_path)  # the default folder under results/ neither, a missing register either
    assert "register 'none.csv': not found" in _user_error(["run", str(SCENARIOS / "baseline.toml"), "--register",
                                                            "none.csv"], capsys)
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("command", ["run", "compare", "register", "fit"])
def test_a_seed_beyond_the_largest_is_an_option_error(command, capsys):
    """A 20-digit seed was accepted and `twin compare` then failed with a database traceback."""
    argv = [command] + ([] if command in ("register", "fit") else ["x.toml"]) + ["--seed", str(2**64)]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "argument --seed: expected a seed from 0 to 4294967295" in capsys.readouterr().err


@pytest.mark.parametrize("argv, expected", [
    (["export", "--experiment", str(2**63)], "argument --experiment: expected an experiment id from 1 to "
                                             "9223372036854775807, got 9223372036854775808"),
    (["export", "--experiment", "mine"], "argument --experiment: expected a whole number, got 'mine' (the number "
                                         "`twin export --list` gives each experiment)"),
    (["screen", "x.toml", "--trajectories", "1"], "argument --trajectories: expected a whole number from 2 to "
                                                  "10000, got 1"),
    (["compare", "--posterior", "a.toml", "b.toml"], "argument --posterior: expected a posterior sample (.csv), "
                                                     "got 'a.toml', a scenario file: give the sample's file after "
                                                     "--posterior, or put --posterior after the scenarios"),
])
def test_option_values_beyond_what_the_command_can_use_are_option_errors(argv, expected, capsys):
    """An experiment id beyond the database's integers gave a driver traceback; screening's
    trajectories took 1 on the command line, which the config file refuses; --posterior, whose
    value is optional, took the first scenario as the sample."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


def test_every_option_and_argument_has_a_help_text():
    """`twin fit --help` listed --targets, --reps and --seed with no word on them or their defaults."""
    import argparse

    from twin.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    missing = [f"{name} {action.dest}" for name, sub in commands.items() for action in sub._actions
               if not isinstance(action, argparse._HelpAction) and not action.help]
    assert not missing, missing


def test_compare_refuses_a_misspelt_lever_area_before_any_replication(tmp_path, capsys):
    """`twin run` refuses an unknown area when the model is built; `twin compare` must do the same
    for every scenario before it runs any, not fail each replication and write an empty report."""
    wrong = write(tmp_path / "wrong.toml", f'[scenario]\nname = "wrong"\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                                           '[[levers]]\ntype = "clear"\nareas = ["Merseside"]\n')
    argv = ["compare", str(SCENARIOS / "baseline.toml"), str(wrong), "--reps", "2", "--years", "1",
            "--out", str(tmp_path / "c"), "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "unknown area 'Merseside'; did you mean 'Merseyside'" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c" / "report.html").exists() and not (tmp_path / "c.db").exists()


def test_fit_run_from_outside_the_project_finds_the_projects_scenario_and_targets(tmp_path, monkeypatch):
    """As `twin compare` finds the shipped posterior: the defaults come from the project when they
    are not here; a file the user names stays as named."""
    from types import SimpleNamespace

    from twin import calibration, executor
    from twin.cli_research import project_default

    project = ROOT
    monkeypatch.chdir(tmp_path)
    assert project_default("scenarios/baseline.toml", "scenarios/baseline.toml") == str(
        project / "scenarios" / "baseline.toml")
    assert project_default("mine.toml", "scenarios/baseline.toml") == "mine.toml"
    seen = {}

    def evaluate(scenario, targets, seeds, values, pool, keep=None, draws=None):  # stop once the files are read
        seen.update(scenario=scenario.path, targets=len(targets))
        raise KeyboardInterrupt

    monkeypatch.setattr(calibration, "evaluate", evaluate)
    monkeypatch.setattr(executor, "make_executor", lambda workers, cluster=None: SimpleNamespace(close=lambda: None))
    main(["fit", "--reps", "1", "--workers", "1", "--out", str(tmp_path / "fit")])
    assert seen["scenario"] == str(project / "scenarios" / "baseline.toml") and seen["targets"] > 0


def test_export_to_parquet_without_an_engine_fails_before_making_its_folder(tmp_path, capsys, monkeypatch):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["compare", str(SCENARIOS / "baseline.toml"), "--reps", "1", "--years", "1", "--workers", "1",
                 "--quiet", "--out", str(tmp_path / "c"), "--db", db]) == 0
    for engine in ("pyarrow", "fastparquet"):  # as if neither were installed
        monkeypatch.setitem(sys.modules, engine, None)
    error = _user_error(["export", "--db", db, "--out", str(tmp_path / "pq"), "--format", "parquet"], capsys)
    assert 'needs pyarrow: pip install -e ".[parquet]"' in error
    assert not (tmp_path / "pq").exists()


def test_progress_is_rewritten_in_place_on_a_terminal_and_a_line_per_tenth_in_a_log():
    import io

    from twin.progress import progress_line

    log, seconds = io.StringIO(), iter(range(0, 1000, 6))  # a sample every 6 s
    show = progress_line(log, clock=lambda: next(seconds))
    for done in range(1, 101):
        show(f"samples {done}/100", done, 100)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and lines == (["samples 1/100"]  # no rate yet
                                                    + [f"samples {10 * k}/100, about {10 - k} min left"
                                                       for k in range(1, 10)] + ["samples 100/100"])

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    show = progress_line(screen)
    for done in range(1, 4):
        show(f"samples {done}/3", done, 3)
    assert screen.getvalue().count("\r") == 3 and "\n" not in screen.getvalue()
    # resumed with 900 of 1,000 reused: the time left is at the rate of the new work (a unit a minute),
    # not of the 900 (it said 'about 0 s left' with 98 minutes to go)
    resumed, minutes = Terminal(), iter(range(0, 10_000, 60))
    show = progress_line(resumed, clock=lambda: next(minutes))
    for done in (900, 901):
        show(f"samples {done}/1000", done, 1000)
    assert resumed.getvalue() == "\rsamples 900/1000   \rsamples 901/1000, about 1 h 39 min left   "


def test_a_progress_bar_in_a_log_is_a_line_per_tenth_not_carriage_returns(capsys):
    """Sweeps, comparisons and validations wrote tqdm's bar into batch logs, a carriage return ten
    times a second, unless --quiet."""
    from twin.progress import progress_bar

    bar = progress_bar(200, "run", "sweep")  # standard error is captured: not a terminal
    for _ in range(200):
        bar.update(1)
    bar.close()
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "\r" not in err and len(lines) == 11  # as it starts (0%), then at each tenth
    assert lines[0].startswith("sweep: 0/200 runs (0%), ") and lines[-1].startswith("sweep: 200/200 runs (100%), ")


def test_a_progress_bar_in_a_log_adds_a_line_a_minute_with_rate_and_time_left(capsys):
    """A tenth of a sweep of 10,000 runs is 1,000 runs, hours at a few thousand an hour, with no line in
    the log between: a line every `LOG_EVERY_S` while runs finish, with the rate and the time left; none
    while nothing finishes."""
    from twin.progress import LOG_EVERY_S, _LogBar

    now = [0.0]
    bar = _LogBar(10_000, "run", "sweep", clock=lambda: now[0])
    for _ in range(30):  # a run every 20 s: 3 a minute, 180 an hour
        now[0] += 20.0
        bar.update(1)
    now[0] += 10 * LOG_EVERY_S  # ten minutes without a run finishing: no line
    bar.update(0)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 + 30 * 20 // int(LOG_EVERY_S)  # the start, then one a minute
    assert lines[1] == "sweep: 3/10,000 runs (0%), 60 s, 180 runs/hour, about 55 h 32 min left"  # 9,997 / 180 h
    assert lines[-1].startswith("sweep: 30/10,000 runs (0%), 600 s, 180 runs/hour, about 55 h 23 min left")


def test_a_standard_error_is_printed_with_its_means_decimals():
    from twin.cli_research import _readable

    assert (_readable(0.892), _readable(0.00796, 0.892), _readable(0.01, 0.797)) == ("0.892", "0.008", "0.010")
    assert (_readable(12_492.4), _readable(830.2, 12_492.4), _readable(1.33, 13.3)) == ("12,492", "830", "1.3")


def test_register_follows_a_scenario_s_areas_and_parameters(tmp_path):
    """`twin register SCENARIO` writes the register that scenario's runs draw (its areas file and
    parameters); it used to write the UK's, whatever the areas."""
    areas = tmp_path / "areas.csv"
    areas.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                     "Riverside City,England,Vale,420,1\nHarbour Town,England,Vale,300,0\nMoor End,England,Moor,460,0\n")
    scenario = tmp_path / "mine.toml"
    scenario.write_text(f'[scenario]\nname = "mine"\nbase = "{SCENARIOS / "baseline.toml"}"\nareas_file = "{areas}"\n'
                        '[parameters]\nocgs_known_uk = 85\nmembers_known_uk = 1000\ncounty_lines_initial = 20\n')
    register = tmp_path / "register.csv"
    assert main(["register", str(scenario), "--out", str(register), "--seed", "3"]) == 0
    written = pd.read_csv(register)
    # 85 known groups are 100 in all at the parameter table's known share (0.85): the scenario's, not the UK's 5,600
    assert set(written.area) <= {"Riverside City", "Harbour Town", "Moor End"} and len(written) == 100
    runs = [tmp_path / "given", tmp_path / "drawn"]
    assert main(["run", str(scenario), "--years", "0.25", "--seed", "3", "--quiet", "--register", str(register),
                 "--out", str(runs[0])]) == 0
    assert main(["run", str(scenario), "--years", "0.25", "--seed", "3", "--quiet", "--out", str(runs[1])]) == 0
    pd.testing.assert_frame_equal(*(pd.read_csv(run / "trajectories.csv") for run in runs))


def test_validate_from_another_folder_runs_the_project_s_experiments(tmp_path, monkeypatch):
    """Run from elsewhere, `twin validate` ran nothing and reported success (its default list was
    read from the folder it ran in); it now finds the project's, as `twin fit` finds its targets."""
    import twin.validation as validation

    ran = []
    monkeypatch.setattr(validation, "run_files", lambda paths, out, *args, **kwargs: ran.extend(paths) or {})
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--out", str(tmp_path / "out")]) == 0
    expected = sorted(str(p) for p in (ROOT / "experiments" / "validation").glob("*.toml"))
    assert ran == expected and len(expected) >= 4


def test_output_whose_reader_goes_away_or_cannot_show_a_pound_sign_stops_no_work(tmp_path):
    """`twin run ... | head -c 10` (or quitting `less`) stopped the run at its next line printed, with
    status 0 and nothing written; a terminal whose encoding lacks '£' or '€' gave a traceback."""
    import os

    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    levers = subprocess.run([sys.executable, "-m", "twin", "levers"], capture_output=True, env=env)
    assert levers.returncode == 0 and b"Traceback" not in levers.stderr and b"?" in levers.stdout
    out = tmp_path / "piped"
    child = subprocess.Popen([sys.executable, "-m", "twin", "run", str(ROOT / "scenarios" / "baseline.toml"),
                              "--years", "1", "--spin-up-years", "0", "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader goes before the first line is printed
    child.stderr.close()
    assert child.wait(timeout=300) == 0
    assert (out / "trajectories.csv").is_file() and (out / "run.json").is_file()


def test_a_run_without_pyarrow_leaves_no_earlier_runs_parquet_beside_its_files(tmp_path, monkeypatch):
    """Run into a folder with pyarrow, then again without it: the first run's trajectories.parquet
    stayed beside the second run's trajectories.csv and run.json."""
    out = tmp_path / "run"
    base = ["run", str(SCENARIOS / "baseline.toml"), "--years", "1", "--spin-up-years", "0", "--quiet", "--out", str(out)]
    assert main(base) == 0 and (out / "trajectories.parquet").is_file()
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    assert main(base + ["--seed", "7"]) == 0
    assert not (out / "trajectories.parquet").exists() and json.loads((out / "run.json").read_text())["seed"] == 7


def test_output_to_a_terminal_gone_is_dropped_and_other_write_errors_still_raise():
    """A terminal closed under a command gives EIO, not a broken pipe: it stopped the command too."""
    import errno
    import os

    from twin.progress import _PipeSafe

    read_end, write_end = os.pipe()

    class Gone:
        def __init__(self, code):
            self.code = code

        def write(self, text):
            raise OSError(self.code, os.strerror(self.code))

        def fileno(self):
            return write_end

    try:
        assert _PipeSafe(Gone(errno.EIO)).write("£1.2bn") == 6
        with pytest.raises(OSError, match="No space left"):
            _PipeSafe(Gone(errno.ENOSPC)).write("x")
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_run_replacing_another_scenarios_run_of_the_same_name_in_its_default_folder_says_so(tmp_path, capsys,
                                                                                             monkeypatch):
    """Two files both named 'baseline' wrote results/baseline/seed-1 one after the other, silently."""
    monkeypatch.chdir(tmp_path)
    other = write(tmp_path / "baseline.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                                               f'[parameters]\nprice_supply_elasticity = 1.2\n')
    quick = ["--years", "1", "--spin-up-years", "0"]
    assert main(["run", str(SCENARIOS / "baseline.toml"), *quick]) == 0
    assert main(["run", str(SCENARIOS / "baseline.toml"), *quick, "--seed", "1"]) == 0  # its own run again
    assert "held the run of" not in capsys.readouterr().err
    assert main(["run", str(other), *quick]) == 0
    err = capsys.readouterr().err
    assert f"held the run of {SCENARIOS / 'baseline.toml'}, another scenario named 'baseline'; this run replaces it" in err


def test_every_command_s_help_says_what_it_does_and_gives_an_example_that_parses(capsys):
    """`twin run --help` (and every other command's) listed options only: what the command does
    and writes, and how to call it, were in the README alone. Each example is a command line the
    parser takes, with files that exist."""
    import shlex

    from twin.cli import build_parser
    from twin.cli_help import DESCRIPTIONS

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(DESCRIPTIONS) == set(commands)  # a new command needs its description
    for name, command in commands.items():
        assert command.description and command.epilog.startswith(f"example: twin {name}"), name
        words = shlex.split(command.epilog.removeprefix("example: "))[1:]
        parser.parse_args(words)  # the example's options exist (a mistake exits)
        for word in words:
            if word.endswith(".toml"):
                assert (ROOT / word).is_file(), (name, word)
        with pytest.raises(SystemExit):
            parser.parse_args([name, "--help"])
        shown = capsys.readouterr().out
        assert command.description.split(".")[0][:30] in " ".join(shown.split()), name
        assert command.epilog in shown.splitlines(), name  # the example on one line, to paste (it wrapped)


def test_a_mistake_found_once_the_database_is_open_leaves_no_new_database(tmp_path, capsys):
    """`--baseline` naming no scenario is found after the database is made: the empty file left
    behind made a later `twin export` say it held no experiments, not that there was no database.
    A database that was there before is left as it was."""
    baseline = str(SCENARIOS / "baseline.toml")
    db = tmp_path / "new.db"
    said = _user_error(["compare", baseline, "--baseline", "nope", "--reps", "1", "--years", "1",
                        "--db", f"sqlite:///{db}", "--out", str(tmp_path / "c")], capsys)
    assert "nope" in said and not db.exists()
    deep = tmp_path / "new dir" / "sub" / "r.db"  # in folders the command makes: removed with it
    assert main(["compare", baseline, "--baseline", "nope", "--reps", "1", "--years", "1",
                 "--db", f"sqlite:///{deep}", "--out", str(tmp_path / "c")]) == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err and not (tmp_path / "new dir").exists()
    assert "no such database file" in _user_error(["export", "--db", f"sqlite:///{db}", "--out",
                                                   str(tmp_path / "e")], capsys)
    kept = tmp_path / "kept.db"
    kept.write_bytes(b"")  # someone's file: not removed
    _user_error(["compare", baseline, "--baseline", "nope", "--reps", "1", "--years", "1",
                 "--db", f"sqlite:///{kept}", "--out", str(tmp_path / "c")], capsys)
    assert kept.exists()


def test_an_empty_value_is_refused_not_taken_for_no_value(tmp_path, capsys):
    """An unset variable in a script (`--register "$REG"`) gave an empty value, which the commands
    took as none: the synthetic register, no posterior, the default folder, without a word."""
    base = str(SCENARIOS / "baseline.toml")
    for argv, named in [(["run", ""], "scenario"), (["run", base, "--register", ""], "--register"),
                        (["run", base, "--out", " "], "--out"),
                        (["compare", base, "--posterior", "", "--db", f"sqlite:///{tmp_path / 'c.db'}"], "--posterior"),
                        (["compare", base, "", "--db", f"sqlite:///{tmp_path / 'c.db'}"], "scenarios"),
                        (["export", "--db", ""], "--db")]:
        with pytest.raises(SystemExit) as stop:  # the parser's own error, before any file is read
            main(argv)
        said = capsys.readouterr().err.strip()
        assert stop.value.code == 2 and len(said.splitlines()) == 1
        assert f"error: {named}: an empty value (an unset variable in a script?); expected " in said, (argv, said)
    assert not (tmp_path / "c.db").exists()


def test_an_out_folder_that_is_a_broken_link_is_said_as_one(tmp_path, capsys):
    """An --out that is a link to a folder removed, or a loop of links, gave 'cannot create the folder
    (File exists)'."""
    base = str(SCENARIOS / "baseline.toml")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    said = _user_error(["run", base, "--years", "1", "--out", str(tmp_path / "dangling" / "run")], capsys)
    assert said == (f"twin: error: --out '{tmp_path / 'dangling' / 'run'}': '{tmp_path / 'dangling'}' links to "
                    f"{tmp_path / 'gone'}, which does not exist; make that folder, or choose another")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    said = _user_error(["run", base, "--years", "1", "--out", str(tmp_path / "a")], capsys)
    assert said == (f"twin: error: --out '{tmp_path / 'a'}': '{tmp_path / 'a'}' is a loop of links; choose another "
                    f"folder")


def test_a_record_of_written_files_that_is_a_folder_is_refused_before_any_run(tmp_path, capsys):
    """A `.twin-written` that is a folder (or a link to nothing) failed a run when it wrote, after its work."""
    base = str(SCENARIOS / "baseline.toml")
    (tmp_path / "out" / ".twin-written").mkdir(parents=True)
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / ".twin-written").symlink_to(tmp_path / "gone")
    for out in ("out", "sweep"):
        said = _user_error(["run", base, "--years", "1", "--out", str(tmp_path / out)], capsys)
        assert said == (f"twin: error: --out '{tmp_path / out}': {tmp_path / out / '.twin-written'} is not a file (the "
                        f"twin keeps there the list of the files it wrote in the folder); remove it or choose another "
                        f"folder")
        assert not (tmp_path / out / "trajectories.csv").exists()
