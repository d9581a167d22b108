"""The command line's shared options: `twin` alone, a second scenario given to `twin run`, `--seed`
replacing a config file's seed (calibrate, sensitivity, screen, validate, sweep, analyse) and `--quiet`
(register, export, analyse, sweep), and `bench --phases --reps`."""

import json
import re

import pytest

from twin.cli import main
from twin.errors import UserError

from conftest import ROOT, TINY_SWEEP, write


def test_twin_alone_prints_its_help_and_every_command(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: twin") and "COMMAND" in out
    for command in ("run", "compare", "sweep", "analyse", "calibrate", "bench"):
        assert re.search(rf"^\s+{command}\s", out, re.M), command


def test_two_scenarios_given_to_run_point_to_compare(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "a.toml", "--seed", "2", "b.toml"])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1
    assert "unrecognized arguments: b.toml" in err and "run `twin compare a.toml b.toml`" in err
    with pytest.raises(SystemExit):  # a stray word that is no scenario file: no such advice
        main(["run", "a.toml", "extra"])
    assert "twin compare" not in capsys.readouterr().err


def test_with_seed_replaces_the_tables_seed_and_nothing_else():
    from twin.config_checks import with_seed

    data = {"experiment": {"name": "x", "seed": 1}, "sampler": {"kind": "lhs"}}
    assert with_seed(data, "experiment", None) is data
    seeded = with_seed(data, "experiment", 7)
    assert seeded == {"experiment": {"name": "x", "seed": 7}, "sampler": {"kind": "lhs"}}
    assert data["experiment"]["seed"] == 1  # the file's contents as read are not changed
    assert with_seed({"parameter": []}, "calibration", 3) == {"parameter": [], "calibration": {"seed": 3}}
    assert with_seed({}, "experiment", 3) == {}  # an empty file stays one (refused as empty, not for a key)


@pytest.mark.parametrize("module, path, extra", [
    ("twin.sensitivity", "calibration/sensitivity.toml", (None,)), ("twin.screening", "calibration/screening.toml",
                                                                       (None,)),
    ("twin.calibration", "calibration/baseline.toml", ())])
def test_a_config_loaded_with_a_seed_differs_from_the_file_in_its_seed_only(module, path, extra):
    import importlib

    load_config = importlib.import_module(module).load_config
    as_written, seeded = load_config(ROOT / path, *extra), load_config(ROOT / path, *extra, 12345)
    assert as_written["seed"] == 1 and seeded["seed"] == 12345
    assert {k: v for k, v in seeded.items() if k != "seed"} == {k: v for k, v in as_written.items() if k != "seed"}


@pytest.mark.parametrize("command, module, argv", [
    ("sensitivity", "twin.sensitivity", ["calibration/sensitivity.toml"]),
    ("screen", "twin.screening", ["calibration/screening.toml"]),
    ("calibrate", "twin.calibration", ["calibration/baseline.toml"])])
def test_each_config_commands_seed_reaches_its_config(command, module, argv, monkeypatch, capsys):
    def loaded(path, *args):  # what the command asked of the config: its seed is the last argument
        raise UserError(f"asked for seed {args[-1]}")

    monkeypatch.setattr(f"{module}.load_config", loaded)
    assert main([command, *argv, "--seed", "77"]) == 2
    assert "asked for seed 77" in capsys.readouterr().err
    assert main([command, *argv]) == 2  # without --seed: the file's
    assert "asked for seed None" in capsys.readouterr().err


def test_validate_with_a_seed_is_the_file_with_that_seed(tmp_path, capsys):
    entry = (ROOT / "experiments" / "validation" / "entry.toml").read_text()
    entry = entry.replace("months = 48", "months = 14").replace("reps = 12", "reps = 1")
    assert "seed = 1\n" in entry
    given = write(tmp_path / "given.toml", entry)
    edited = write(tmp_path / "edited.toml", entry.replace("seed = 1\n", "seed = 9\n"))
    assert main(["validate", str(given), "--seed", "9", "--out", str(tmp_path / "a"), "--workers", "1", "--quiet"]) == 0
    assert main(["validate", str(edited), "--out", str(tmp_path / "b"), "--workers", "1", "--quiet"]) == 0
    assert main(["validate", str(given), "--out", str(tmp_path / "c"), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    a, b, c = (json.loads((tmp_path / x / "validation.json").read_text()) for x in "abc")
    assert a["given"]["seed"] == b["edited"]["seed"] == 9 and c["given"]["seed"] == 1
    assert a["given"]["measures"] == b["edited"]["measures"]
    assert a["given"]["measures"] != c["given"]["measures"]  # another seed: other draws
    # the closing line names one of this file's own measures (it named another experiment's)
    assert main(["validate", str(given), "--out", str(tmp_path / "d"), "--workers", "1"]) == 0
    said = capsys.readouterr().out.strip().splitlines()[-1]
    assert said.endswith(f"(each measure under its name, such as {next(iter(c['given']['measures']))})"), said


#: the smallest sweep with a seed of its own and a sampled uncertainty
TINY = TINY_SWEEP.replace('name = "tiny"', 'name = "tiny_seeded"').replace("years = 1\n", "years = 1\nseed = 1\n", 1) \
    .replace("[[lever]]", '[[uncertainty]]\nname = "recruitment_fill_rate_per_month"\nlow = 0.05\nhigh = 0.3\n'
                          '[[lever]]')


def test_a_sweep_with_a_seed_is_the_sweep_of_the_file_with_that_seed_and_analyse_finds_it(tmp_path, capsys):
    given = write(tmp_path / "given.toml", TINY)
    edited = write(tmp_path / "edited.toml", TINY.replace("seed = 1\n", "seed = 5\n"))
    db = f"sqlite:///{tmp_path / 'sweeps.db'}"
    out = tmp_path / "out"
    assert main(["sweep", str(given), "--seed", "5", "--db", db, "--out", str(out), "--workers", "1"]) == 0
    said = capsys.readouterr().out
    assert f"Next: twin analyse {given} --db {db} --seed 5 --out {out}" in said  # the command to paste
    assert main(["sweep", str(edited), "--db", db, "--out", str(tmp_path / "edited"), "--workers", "1"]) == 0
    assert "Experiment 1: 4 design points, every run was already in the database" in capsys.readouterr().out
    assert main(["analyse", str(given), "--db", db, "--out", str(out)]) == 2  # the file's own seed was never swept
    err = capsys.readouterr().err
    assert "the seed (5 then, 1 now)" in err and "add --seed 5 to analyse it" in err
    assert main(["sweep", str(given), "--seed", "5", "--db", db, "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # --quiet: warnings and errors only
    assert main(["analyse", str(given), "--db", db, "--out", str(out), "--seed", "5", "--quiet"]) == 0
    assert capsys.readouterr().out == "" and (out / "analysis.json").exists()
    assert json.loads((out / "analysis.json").read_text())["experiment_id"] == 1


def test_quiet_register_and_export_print_nothing_but_write(tmp_path, capsys):
    csv = tmp_path / "register.csv"
    assert main(["register", "--out", str(csv), "--quiet"]) == 0
    assert capsys.readouterr().out == "" and csv.exists()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["compare", str(ROOT / "tests" / "scenarios" / "baseline_no_spin_up.toml"), "--reps", "1", "--years",
                 "1", "--db", db, "--out", str(tmp_path / "compare"), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["export", "--db", db, "--out", str(tmp_path / "export"), "--quiet"]) == 0
    assert capsys.readouterr().out == "" and (tmp_path / "export" / "README.txt").exists()
    assert main(["export", "--db", db, "--out", str(tmp_path / "export2")]) == 0
    assert "Experiment 1" in capsys.readouterr().out  # without --quiet: what was written


def test_bench_phases_times_the_runs_reps_asks_for(monkeypatch, capsys):
    import twin.bench
    import twin.precompile

    asked = []
    monkeypatch.setattr(twin.precompile, "warm_up", lambda quiet=False: None)
    monkeypatch.setattr(twin.bench, "phase_times", lambda runs=3, years=10: asked.append(runs) or {"step": 1.0})
    assert main(["bench", "--phases", "--json", "--reps", "2"]) == 0
    assert main(["bench", "--phases", "--json"]) == 0
    assert asked == [2, 3] and json.loads(capsys.readouterr().out.splitlines()[0]) == {"step": 1.0}
