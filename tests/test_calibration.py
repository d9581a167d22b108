"""Calibration targets, the fit report, the point fit's caching, and the validation experiments."""

import json

import numpy as np
import pytest

from twin.calibration import (Prior, evaluate, fit_table, load_config, load_targets, misfit, point_fit,
                              target_values, write_fit_report)
from twin.errors import ScenarioError
from twin.executor import SerialExecutor
from twin.model import TwinModel
from twin.store import Store

from conftest import ROOT, write

TARGETS = ROOT / "calibration" / "targets.toml"


def test_shipped_targets_load_and_cite_sources():
    targets = load_targets(TARGETS)
    assert len(targets) >= 20
    assert all(t.source for t in targets)
    names = {t.name for t in targets}
    assert {"ocgs_mapped", "known_suspects", "harm_total", "nrm_referrals", "share_multi_criminal_late"} <= names


def test_target_values_read_the_run(baseline_run):
    targets = load_targets(TARGETS)
    values = target_values(baseline_run.results, targets, 12)
    series = baseline_run.results.series("fraud_offences")[:36]
    assert values["fraud_offences"] == pytest.approx(series.sum() / 3)
    ratio = baseline_run.results.series("fraud_reported")[:36].sum() / series.sum()
    assert values["fraud_reported_share"] == pytest.approx(ratio)
    assert values["ocgs_mapped"] == pytest.approx(baseline_run.results.series("ocgs_known")[:36].mean())


@pytest.mark.parametrize("body, words", [
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="nope"\nyears=[1,2]\naggregation="mean"\n',
     "unknown metric 'nope'"),
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[2,1]\naggregation="mean"\n',
     "years: expected"),
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\naggregation="ratio"\n',
     "ratio_of"),
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\naggregation="mean"\nunit="x"\n',
     "unknown key 'unit'"),
])
def test_bad_targets_are_reported(tmp_path, body, words):
    with pytest.raises(ScenarioError, match=words):
        load_targets(write(tmp_path / "t.toml", body))


def test_fit_table_and_report(tmp_path):
    import pandas as pd

    targets = load_targets(TARGETS)[:3]
    simulated = pd.DataFrame([{t.name: t.value + k * t.tolerance for t in targets} for k in (-0.5, 0.5, 3.3)])
    table = fit_table(targets, simulated)
    assert list(table["within_tolerance"]) == [False, False, False]  # mean = value + 1.1 tolerance
    assert table["standardised_error"].to_numpy() == pytest.approx([1.1, 1.1, 1.1])
    assert misfit(table) == pytest.approx(3 * 1.21)
    inside = fit_table(targets, simulated.assign(**{targets[0].name: targets[0].value}))
    assert inside["within_tolerance"].iloc[0]
    json_path, html_path = write_fit_report(table, tmp_path, "t", ["note"])
    data = json.loads(json_path.read_text())
    assert len(data["targets"]) == 3 and "3 of 3 targets are missed" in html_path.read_text()


def test_prior_round_trip():
    for prior in (Prior("a", 1.0, 3.0), Prior("b", 0.01, 10.0, "log")):
        for unit in (0.0, 0.3, 1.0):
            assert prior.to_unit(prior.to_value(unit)) == pytest.approx(unit)


def test_point_fit_improves_and_resumes_from_the_database(tmp_path):
    targets = write(tmp_path / "targets.toml", '''
[[target]]
name = "assets"
value = 550e6
tolerance = 140e6
source = "seed 003"
metric = "assets_recovered_gbp"
years = [1, 1]
aggregation = "annual_sum"

[[target]]
name = "late"
value = 1
tolerance = 1
source = "test"
metric = "arrests"
years = [2, 2]
aggregation = "annual_sum"
''')
    config_path = write(tmp_path / "c.toml", f'''
[calibration]
scenario = "{ROOT / 'scenarios' / 'baseline.toml'}"
targets = "{targets}"
reps = 1
years = 1
max_evaluations = 6
[[parameter]]
name = "asset_realisation_share"
''')
    config = load_config(config_path)
    assert [t.name for t in config["targets"]] == ["assets"] and config["targets_beyond_horizon"] == ["late"]
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    first = point_fit(config, SerialExecutor(), store)
    assert first["evaluations"] >= 3
    assert first["misfit"] <= min(h["misfit"] for h in first["history"]) + 1e-12
    calls = {"n": 0}
    import twin.calibration as calibration

    original = calibration.evaluate

    def counting(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    calibration.evaluate = counting
    try:
        again = point_fit(config, SerialExecutor(), store)
    finally:
        calibration.evaluate = original
    assert calls["n"] == 0, "a repeated fit should read every evaluation back from the database"
    assert again["best"] == first["best"]


def test_validation_replacement_measures_recovery():
    from twin.validation import run_experiment

    result = run_experiment({"kind": "replacement", "area": "Merseyside", "share": 0.3, "months": 30, "reps": 2},
                            "test")
    measures = result["measures"]
    assert measures["members_removed"]["mean"] > 100
    assert measures["extra_recruits"]["mean"] > 0.3 * measures["members_removed"]["mean"]
    assert measures["months_to_half_recovery"]["mean"] < 18


def test_validation_rejects_unknown_kind():
    from twin.validation import run_experiment

    with pytest.raises(ScenarioError, match="kind: expected one of"):
        run_experiment({"kind": "replacment"}, "x.toml")
