"""Calibration targets, the fit report, the point fit's caching, and the validation experiments."""

import json
from pathlib import Path
import re
from dataclasses import replace
import tomllib

import numpy as np
import pandas as pd
import pytest

from twin.calibration import Prior, load_config, point_fit
from twin.fit_report import fit_lines, write_fit_report
from twin.targets import fit_table, load_targets, misfit, number, target_values
from twin.errors import ScenarioError, UserError
from twin.executor import SerialExecutor
from twin.store import Store

from conftest import QUICK_BASELINE, ROOT, write, need

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
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\naggregation="mean"\n' * 2, "#2: name 'x' is already a target"),
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\naggregation="mean"\n'.replace('value=1', 'value="1"'), "value: expected a number, got '1'"),
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\naggregation="mean"\n'.replace('aggregation="mean"', 'aggregation="meen"'), "got 'meen'; did you mean 'mean'"),
    ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\naggregation="mean"\n' + 'by_construction = "yes"\n', "by_construction: expected true or false"),
    # a UK-only metric for one area: the runs would have nothing to read, and ABC would accept any draw
    ('[[target]]\nname="x"\nvalue=0.4\ntolerance=0.1\nsource="s"\nmetric="share_type_cultural"\nyears=[1,2]\n'
     'aggregation="mean"\narea="Merseyside"\n', "metric 'share_type_cultural' is kept for the UK only, not per area"),
    ('[[target]]\nname="x"\nvalue=4772\ntolerance=480\nsource="s"\nmetric="ocgs_known"\nyears=[1,2]\n'
     'aggregation="annual_sum"\n', "'annual_sum' adds up a flow, but 'ocgs_known' is a level"),
])
def test_bad_targets_are_reported(tmp_path, body, words):
    with pytest.raises(ScenarioError, match=words):
        load_targets(write(tmp_path / "t.toml", body))


def test_target_areas_are_checked_against_the_scenario_areas(tmp_path):
    from twin.geography import load_geography

    body = ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\n'
            'aggregation="mean"\narea="Metropolitan Polce"\n')
    with pytest.raises(ScenarioError, match="unknown area 'Metropolitan Polce'; did you mean 'Metropolitan Police'"):
        load_targets(write(tmp_path / "t.toml", body), load_geography().area_names)
    lower = load_targets(write(tmp_path / "t.toml", body.replace("Metropolitan Polce", "metropolitan  police")),
                         load_geography().area_names)
    assert lower[0].area == "Metropolitan Police"  # any case and spacing, kept as the areas file spells it
    # a region or a nation under `area` is named as one: it was an unknown area, 'did you mean North Wales?'
    from twin.targets import target_groups

    geography = load_geography()
    groups = target_groups(geography)
    for group, kind in (("North West", "region"), ("england", "nation")):
        with pytest.raises(ScenarioError, match=f"area: '{group}' is a {kind} of the areas file, not a police force "
                                                f"area; write {kind} = '{group}' for a target that totals its areas"):
            load_targets(write(tmp_path / "t.toml", body.replace("Metropolitan Polce", group)), geography.area_names,
                         groups)


def test_a_target_for_a_region_or_nation_totals_its_areas(tmp_path):
    """Regional and national figures (Scotland's drug deaths, a region's arrests) were refused as
    targets; `region` or `nation` now names one, and the target reads the total of its areas (a
    population-weighted mean for an index), as the UK row aggregates all of them."""
    from twin.geography import load_geography
    from twin.model import TwinModel
    from twin.targets import target_groups, target_values

    geography = load_geography()
    groups = target_groups(geography)
    # Wales the ROCU region leaves North Wales to the North West; Wales the nation holds it
    assert set(groups["nation"]["Wales"]) - set(groups["region"]["Wales"]) == {"North Wales"}
    assert sum(len(areas) for areas in groups["region"].values()) == len(geography.area_names)
    head = '[[target]]\nname="{n}"\nvalue=1\ntolerance=1\nsource="s"\nmetric="{m}"\nyears=[1,1]\naggregation="{a}"\n'
    body = (head.format(n="arrests", m="arrests", a="annual_sum") + 'region = "north west"\n'
            + head.format(n="trust", m="community_trust", a="mean") + 'nation = "Wales"\n'
            + head.format(n="met", m="arrests", a="annual_sum") + 'area = "Metropolitan Police"\n')
    targets = load_targets(write(tmp_path / "t.toml", body), geography.area_names, groups)
    assert [t.area for t in targets] == ["North West (region)", "Wales (nation)", "Metropolitan Police"]
    assert targets[0].areas == tuple(groups["region"]["North West"]) and targets[2].areas == ()
    model = TwinModel(seed=3, n_steps=12)
    model.run()
    values = target_values(model.results, targets, 12)
    frame = model.results.to_frame()
    year = frame[frame.step <= 12]

    def total(metric, areas):
        rows = year[(year.metric == metric) & year.area.isin(areas)]
        return rows.groupby("area", observed=True)["value"].sum()

    assert values["arrests"] == pytest.approx(total("arrests", groups["region"]["North West"]).sum(), rel=1e-12)
    assert values["met"] == pytest.approx(total("arrests", ["Metropolitan Police"]).sum(), rel=1e-12)
    wales = groups["nation"]["Wales"]
    weights = pd.Series(geography.population, index=geography.area_names)[wales]
    means = total("community_trust", wales) / 12
    assert values["trust"] == pytest.approx(float((means * weights).sum() / weights.sum()), rel=1e-12)
    # mistakes: two places, an unknown region, a metric kept for the UK only
    for extra, words in (('area = "UK"\nregion = "London"\n', "area and region: give one"),
                         ('region = "Nort West"\n', "region: unknown region 'Nort West'; did you mean 'North West'"),
                         ('nation = "Cornwall"\n', "nation: unknown nation 'Cornwall'")):
        with pytest.raises(ScenarioError, match=words):
            load_targets(write(tmp_path / "bad.toml", head.format(n="x", m="arrests", a="annual_sum") + extra),
                         geography.area_names, groups)
    with pytest.raises(ScenarioError, match="metric 'enablers_active' is kept for the UK only"):
        load_targets(write(tmp_path / "bad.toml", head.format(n="x", m="enablers_active", a="mean")
                           + 'region = "London"\n'), geography.area_names, groups)


def test_calibration_config_numbers_and_wide_priors(tmp_path):
    base = f'[calibration]\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\ntargets = "{TARGETS}"\n'
    prior = '[[parameter]]\nname = "supply_demand_ratio_initial"\n'
    for key in ("reps = 0", "population_size = 0", "generations = 0", 'reps = "4"'):
        with pytest.raises(ScenarioError, match=f"{key.split()[0]}: expected a whole number"):
            load_config(write(tmp_path / "c.toml", base + key + "\n" + prior))
    config = load_config(write(tmp_path / "c.toml", base + prior + "low = 1.0\nhigh = 2.5\n"))
    assert len(config["warnings"]) == 1 and "beyond the parameter table's plausible range" in config["warnings"][0]
    assert load_config(write(tmp_path / "c.toml", base + prior))["warnings"] == []
    # an ABC budget below one generation cannot hold: said before the run, not found after it
    for settings, warned in (('method = "abc"\nmax_evaluations = 6\n', True),
                             ('method = "abc"\nmax_evaluations = 6\npopulation_size = 4\n', False),
                             ('method = "point"\nmax_evaluations = 6\n', False)):
        warnings = load_config(write(tmp_path / "c.toml", base + settings + prior))["warnings"]
        assert warned == any("max_evaluations = 6 is less than population_size = 40" in w for w in warnings), settings


def test_fit_verdict_counts_inputs_fitted_and_emergent_targets_and_unevaluated_ones_apart():
    import numpy as np
    import pandas as pd

    from twin.fit_report import fit_verdict

    # a target of the third kind: the shipped file has none (its late shares are fitted_by the
    # shares the groups are drawn from), so one late share is taken as if no parameter were set from it
    targets = [replace(t, fitted_by=()) if t.name == "share_family_late" else t for t in load_targets(TARGETS)]
    assert sum(not t.by_construction and not t.fitted_by for t in targets) == 1
    inputs = [t for t in targets if t.by_construction]
    fitted = [t for t in targets if t.fitted_by]
    assert {"fraud_offences", "small_boat_arrivals", "ocgs_mapped"} <= {t.name for t in inputs}
    assert {"harm_total", "soc_prisoners", "assets_recovered"} <= {t.name for t in fitted}
    late = {"ocgs_mapped_late", "known_suspects_late"}  # as if the runs were too short for these two
    simulated = pd.DataFrame([{t.name: np.nan if t.name in late else t.value for t in targets}] * 2)
    # one fitted target missed by two tolerances
    missed = next(t for t in fitted if t.name not in late)
    simulated[missed.name] = missed.value + 2 * missed.tolerance
    table = fit_table(targets, simulated)
    assert not table.loc[table.target.isin(late), "within_tolerance"].any()
    assert misfit(table) == 4.0  # the unevaluated ones do not count as a perfect fit, nor as a miss
    verdict = fit_verdict(table)
    n_in = sum(t.name not in late for t in inputs)
    n_fit = sum(t.name not in late for t in fitted)
    n_rest = len(targets) - len(late) - n_in - n_fit
    assert (f"{len(targets) - len(late) - 1} of {len(targets) - len(late)} evaluated targets" in verdict
            and f"{n_in} of {n_in} reproduced by construction" in verdict
            and f"{n_fit - 1} of {n_fit} that parameters were set to reproduce" in verdict
            and f"{n_rest} of {n_rest} that no parameter was set from" in verdict
            and f"Not evaluated ({len(late)}" in verdict)
    # the verdict is on the mean; beside it, how many single runs land within tolerance
    one = targets[0]

    def spread_values(target):
        return pd.DataFrame({target.name: [target.value, target.value + 0.5 * target.tolerance,
                                           target.value - 1.5 * target.tolerance, target.value + 3 * target.tolerance]})

    spread = fit_table([one], spread_values(one))
    assert (spread.loc[0, "runs_within_tolerance"], spread.loc[0, "runs"]) == (2, 4)
    assert "2 of 4 runs within" in fit_lines(spread)[0]
    # the tolerance beside the observation, and a target's place unless the UK (the console gave neither)
    assert f"observed {number(one.value):>9s} +/- {number(one.tolerance):<9s} simulated" in fit_lines(spread)[0]
    assert "[" not in fit_lines(spread)[0].split(" observed")[0]
    regional = fit_table([replace(one, area="North West (region)")], spread_values(one))
    assert fit_lines(regional)[0].split()[1:3] == [one.name, "[North"]
    nothing = fit_table(targets, pd.DataFrame([{t.name: np.nan for t in targets}]))
    assert np.isnan(misfit(nothing)) and fit_verdict(nothing).startswith("No target could be evaluated.")
    only_inputs = fit_table(inputs, pd.DataFrame([{t.name: t.value for t in inputs}]))
    assert "no parameter was set from" not in fit_verdict(only_inputs)
    assert "None of them tests the model's dynamics alone" not in verdict
    shipped = fit_verdict(fit_table(load_targets(TARGETS), pd.DataFrame([{t.name: t.value for t in targets}])))
    assert "no parameter was set from" not in shipped and "None of them tests the model's dynamics alone" in shipped
    assert "None of them tests the model's dynamics alone" in fit_verdict(only_inputs)
    assert "set to reproduce" not in fit_verdict(only_inputs)


def test_the_fit_report_plots_only_the_targets_the_runs_could_read(tmp_path):
    import numpy as np
    import pandas as pd

    targets = load_targets(TARGETS)
    late = {t.name for t in targets if t.years[1] > 3}
    table = fit_table(targets, pd.DataFrame([{t.name: np.nan if t.name in late else t.value for t in targets}] * 2))
    json_path, html_path = write_fit_report(table, tmp_path, "short runs", [])
    page = html_path.read_text()
    assert "not evaluated" in page and f"Not evaluated ({len(late)}" in page
    assert len(json.loads(json_path.read_text())["targets"]) == len(targets)


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
    page = html_path.read_text()
    assert len(data["targets"]) == 3 and "0 of 3 evaluated targets within tolerance" in page and "Missed: " in page


def test_effective_sample_size_and_a_log_priors_share_of_its_range():
    from twin.calibration import parameter_table
    from twin.calibration_abc import effective_sample_size

    assert effective_sample_size(np.full(8, 0.3)) == pytest.approx(8)  # equal weights: all of them
    assert effective_sample_size(np.array([1.0, 0, 0, 0])) == pytest.approx(1)
    assert effective_sample_size(np.array([3.0, 1.0])) == pytest.approx(16 / 10)
    prior = Prior("harm_gbp_per_heroin_crack_user_year", 40_000.0, 90_000.0, "log")
    sample = pd.DataFrame({prior.name: np.exp(np.linspace(np.log(40_000), np.log(90_000), 1001)), "weight": 1.0})
    row = parameter_table([prior], {prior.name: 63_900}, {prior.name: 60_000}, sample).iloc[0]
    # a sample spread as the prior keeps its 90% range (in logarithms, as the prior is drawn)
    assert row["share of prior's 90% range"] == pytest.approx(1.0, abs=0.01)
    assert row["prior"] == "log-uniform 40,000 to 90,000" and row["unit"] == "GBP/user-year"
    point = parameter_table([prior], {prior.name: 63_900}, {prior.name: 60_000}).iloc[0]
    assert point["best value"] == 60_000 and "credible 5%" not in point
    # a whole-number parameter's prior is drawn rounded: a sample spread as it keeps its whole range
    # (against the unrounded 90% range, 3 to 4 kept 1.11 of it)
    whole = Prior("ocg_size_min", 3.0, 4.0)
    draws = pd.DataFrame({whole.name: [whole.to_value(u) for u in np.linspace(0, 1, 1001)], "weight": 1.0})
    assert set(draws[whole.name]) == {3, 4}
    row = parameter_table([whole], {whole.name: 3}, {whole.name: 3}, draws).iloc[0]
    assert row["share of prior's 90% range"] == pytest.approx(1.0)
    # particles weighted towards the low end: the interval follows the weights, not the count of particles
    leaning = sample.assign(weight=np.where(sample[prior.name] < 60_000, 9.0, 1.0))
    row = parameter_table([prior], {prior.name: 63_900}, {prior.name: 60_000}, leaning).iloc[0]
    assert row["credible 95%"] == pytest.approx(60_000 * 1.5 ** 0.5, rel=0.01)  # half-way up the light half
    assert row["share of prior's 90% range"] < 0.85


def test_a_point_fits_first_simplex_moves_every_parameter_whole_numbers_included():
    """A whole-number parameter over a narrow prior (3 to 4) started at 3.05 and stepped to 3.20: both
    rounded to 3, the fit never tried 4 and then said the targets pushed it to its lower end."""
    from twin.calibration import _simplex

    priors = [Prior("ocg_size_min", 3.0, 4.0), Prior("asset_realisation_share", 0.1, 0.9),
              Prior("ocgs_known_uk", 4000.0, 5500.0)]
    start = np.array([0.05, 0.95, 0.5])
    simplex = _simplex(start, priors)
    assert simplex.shape == (4, 3) and (simplex[0] == start).all()
    for k, prior in enumerate(priors):
        moved = simplex[k + 1]
        assert prior.to_value(moved[k]) != prior.to_value(start[k]) and 0 <= moved[k] <= 1
        assert (np.delete(moved, k) == np.delete(start, k)).all()  # one parameter at a time
    assert simplex[2, 1] == pytest.approx(0.80) and simplex[3, 2] == pytest.approx(0.65)  # as before for the rest
    assert [priors[0].to_value(u) for u in simplex[:2, 0]] == [3.0, 4.0]


def test_the_fit_command_records_its_settings(tmp_path, monkeypatch):
    import twin.calibration as calibration
    from twin.cli import main

    targets = load_targets(TARGETS)
    monkeypatch.setattr(calibration, "evaluate", lambda scenario, targets, seeds, overrides, executor, *_, **__:
                        pd.DataFrame([{t.name: t.value for t in targets}] * len(seeds)))
    assert main(["fit", "--reps", "3", "--seed", "7", "--workers", "1", "--out", str(tmp_path / "fit")]) == 0
    report = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert report["settings"]["reps"] == 3 and report["settings"]["seed"] == 7
    assert report["settings"]["years"] == max(t.years[1] for t in targets)
    assert report["settings"]["targets"].endswith("targets.toml") and report["settings"]["scenario_name"]
    # amounts in pounds carry their sign; counts do not (both read '3.20m' alike)
    page = (tmp_path / "fit" / "fit.html").read_text()
    money = next(t for t in targets if "gbp" in t.metric and t.value >= 1e6)
    count = next(t for t in targets if "gbp" not in t.metric and t.value >= 1e6)
    from twin.targets import number

    assert f"<td>£{number(money.value)}</td>" in page and f"<td>{number(count.value)}</td>" in page
    # its table captioned, its chart in words, the code that made it named
    assert page.count("<caption>") == page.count("<table") >= 1 and "model source hash" in page
    assert re.search(r'alt="Chart of each of \d+ targets&#x27; error in tolerances', page)
    assert "every mean within its tolerance" in page  # the simulation returned every observation
    assert {row["unit"] for row in report["targets"] if row["aggregation"] == "annual_sum" and "gbp" in row["metric"]} \
        == {"GBP/year"}  # each target's unit: a year's sum of a flow per step


def test_an_interrupted_fit_keeps_its_finished_replications(tmp_path, monkeypatch, capsys):
    """Ctrl-C after two of four replications: `twin fit` kept nothing, and the same command ran all
    four again. Now the finished ones are kept in the output folder, the command run again runs only
    the rest, and its report equals that of a fit never interrupted; the kept runs stay when it is whole."""
    import twin.executor
    from twin.calibration import FIT_CHECKPOINT
    from twin.cli import main

    targets = write(tmp_path / "targets.toml", '[[target]]\nname = "assets"\nvalue = 550e6\ntolerance = 140e6\n'
                    'source = "source 003"\nmetric = "assets_recovered_gbp"\nyears = [1, 1]\n'
                    'aggregation = "annual_sum"\n')
    command = ["fit", str(QUICK_BASELINE), "--targets", str(targets), "--reps", "4", "--years", "1", "--workers", "1"]
    assert main(command + ["--out", str(tmp_path / "whole")]) == 0
    made = twin.executor.make_executor
    ran = []

    class Counting(SerialExecutor):
        def run(self, fn, tasks, chunk=1):
            for task in tasks:
                ran.append(task.seed)
                yield task, fn(task)

    monkeypatch.setattr(twin.executor, "make_executor", lambda *a, **k: Interrupting(0))
    capsys.readouterr()
    assert main(command + ["--out", str(tmp_path / "none")]) == 130  # it said 0 were kept in a file never written
    assert "interrupted; no replication of the 4 had finished." in capsys.readouterr().err
    monkeypatch.setattr(twin.executor, "make_executor", lambda *a, **k: Interrupting(2))
    assert main(command + ["--out", str(tmp_path / "cut")]) == 130
    assert "2 of the 4 replications are kept" in capsys.readouterr().err
    assert len((tmp_path / "cut" / FIT_CHECKPOINT).read_text().splitlines()) == 2
    monkeypatch.setattr(twin.executor, "make_executor", lambda *a, **k: Counting())
    assert main(command + ["--out", str(tmp_path / "cut")]) == 0
    assert len(ran) == 2 and "2 of the 4 replications were kept" in capsys.readouterr().err
    monkeypatch.setattr(twin.executor, "make_executor", made)
    whole, cut = (json.loads((tmp_path / name / "fit.json").read_text())["targets"] for name in ("whole", "cut"))
    assert whole == cut
    # the replications stay kept once the fit is whole (they went, and a fit asked for more ran every one
    # again): the same command runs none, more replications only the new ones
    assert len((tmp_path / "cut" / FIT_CHECKPOINT).read_text().splitlines()) == 4
    ran.clear()
    monkeypatch.setattr(twin.executor, "make_executor", lambda *a, **k: Counting())
    assert main(command + ["--out", str(tmp_path / "cut")]) == 0 and not ran
    assert "4 of the 4 replications were kept by an earlier run of this fit" in capsys.readouterr().err
    assert main(command + ["--out", str(tmp_path / "cut"), "--reps", "5"]) == 0
    assert len(ran) == 1 and "4 of the 5 replications were kept" in capsys.readouterr().err
    five = json.loads((tmp_path / "cut" / "fit.json").read_text())["targets"]
    monkeypatch.setattr(twin.executor, "make_executor", made)
    assert main(command + ["--out", str(tmp_path / "fresh"), "--reps", "5"]) == 0
    assert json.loads((tmp_path / "fresh" / "fit.json").read_text())["targets"] == five
    # a line edited by hand is run again, not read (a string was taken for a target's value)
    lines = (tmp_path / "cut" / FIT_CHECKPOINT).read_text().splitlines()
    lines[0] = json.dumps(dict(json.loads(lines[0]), outcome="9"))
    (tmp_path / "cut" / FIT_CHECKPOINT).write_text("\n".join(lines) + "\n")
    ran.clear()
    monkeypatch.setattr(twin.executor, "make_executor", lambda *a, **k: Counting())
    assert main(command + ["--out", str(tmp_path / "cut"), "--reps", "5"]) == 0
    assert len(ran) == 1 and "4 of the 5 replications were kept" in capsys.readouterr().err
    # Ctrl-C while the report is written, every replication run: said, and the next run writes it, running none
    import twin.fit_report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(twin.fit_report, "write_fit_report", interrupted)
        assert main(command + ["--out", str(tmp_path / "late")]) == 130
    assert ("interrupted while writing the report; all 4 replications are kept in "
            f"{tmp_path / 'late' / FIT_CHECKPOINT}") in capsys.readouterr().err
    ran.clear()
    assert main(command + ["--out", str(tmp_path / "late")]) == 0 and not ran
    assert json.loads((tmp_path / "late" / "fit.json").read_text())["targets"] == whole


def test_fit_with_a_posterior_draws_each_replications_parameters_and_checks_the_targets_against_them(
        tmp_path, capsys):
    """`twin fit --posterior`: a posterior predictive check. A sample of one draw gives the fit of the
    scenario with that value set (same seeds); a scenario that sets the value itself keeps it; the
    kept replications of a fit without the posterior are not read for it; the check is said."""
    from twin.cli import main

    targets = write(tmp_path / "targets.toml", '[[target]]\nname = "assets"\nvalue = 550e6\ntolerance = 140e6\n'
                    'source = "source 003"\nmetric = "assets_recovered_gbp"\nyears = [1, 1]\n'
                    'aggregation = "annual_sum"\n')
    sample = write(tmp_path / "posterior.csv", "asset_realisation_share\n0.75\n")
    set_it = write(tmp_path / "set.toml", f'[scenario]\nbase = "{QUICK_BASELINE}"\nname = "set"\n'
                   '[parameters]\nasset_realisation_share = 0.75\n')
    common = ["--targets", str(targets), "--reps", "3", "--years", "1", "--workers", "1"]

    def fit(*args) -> dict:
        assert main(["fit", *args, *common]) == 0
        return json.loads((Path(args[args.index("--out") + 1]) / "fit.json").read_text())

    plain = fit(str(QUICK_BASELINE), "--out", str(tmp_path / "f"))
    drawn = fit(str(QUICK_BASELINE), "--out", str(tmp_path / "f"), "--posterior", str(sample))
    out = capsys.readouterr().out
    fixed = fit(str(set_it), "--out", str(tmp_path / "s"))
    value = [row["simulated_mean"] for row in (plain["targets"][0], drawn["targets"][0], fixed["targets"][0])]
    assert value[1] == value[2] and value[1] > 1.3 * value[0]  # the draw's value ran, not the kept plain runs
    assert drawn["settings"]["drawn"] == ["asset_realisation_share"] and drawn["settings"]["held"] == []
    assert drawn["title"].startswith("Posterior predictive check")
    check = [note for note in drawn["notes"] if note.startswith("Posterior predictive check")]
    assert len(check) == 1 and f"drawn from {sample}: 1 parameters)" in check[0] and check[0] in out
    row = drawn["targets"][0]
    inside = row["simulated_p5"] <= 550e6 <= row["simulated_p95"]
    assert (f"for {int(inside)} of 1 evaluated targets" in check[0]) and (("outside it: assets" in check[0]) != inside)
    # the scenario's own value stands over the sample's (as in `twin compare --posterior`)
    other = write(tmp_path / "other.csv", "asset_realisation_share\n0.2\n")
    held = fit(str(set_it), "--out", str(tmp_path / "h"), "--posterior", str(other))
    assert held["targets"][0]["simulated_mean"] == value[2] and held["settings"]["held"] == ["asset_realisation_share"]
    assert "the scenario keeps its own asset_realisation_share" in " ".join(held["notes"])


def test_the_predictive_check_counts_the_observations_outside_the_runs_range_and_says_where_they_fall():
    """Outside the runs' own 5-95% range, and outside the 90% range of the runs each with a Gaussian error
    of the tolerance's size (computed by `fit_table`: the mean of the normal distribution function)."""
    from twin.fit_report import predictive_check
    from twin.targets import Target

    table = pd.DataFrame({"target": ["a", "b", "c", "d"], "observed": [1.0, 5.0, 0.0, 2.0],
                          "simulated_p5": [0.5, 1.0, 1.0, 1.0], "simulated_p95": [1.5, 2.0, 2.0, 3.0],
                          "observed_rank": [0.5, 1.0, 0.0, 0.5], "observed_rank_with_error": [0.5, 0.99, 0.3, 0.5],
                          "runs": [40] * 4, "evaluated": [True, True, True, False]})
    said = predictive_check(table, "x.csv")
    assert "for 1 of 3 evaluated targets; outside it: b (above every run); c (below every run)." in said
    assert ("2 of 3 lie within the 90% range of what the model predicts they would show; outside it: b (predicted "
            "probability of a value below it 0.99).") in said
    assert "use --reps 40" not in said
    table["observed_rank"] = [0.5, 0.97, 0.02, 0.5]
    table["runs"] = 8
    said = predictive_check(table, "x.csv")
    assert "b (above 97% of the runs); c (below 98% of the runs)." in said and "With 8 replications" in said
    table["observed_rank"] = [0.5, 0.999, 0.001, 0.5]  # not 'above 100%' when some run is above it
    assert "b (above 99% of the runs); c (below 99% of the runs)." in predictive_check(table, "x.csv")
    # the rank with an error: the share of runs-plus-error below the observation, against a sampled estimate
    target = Target(name="t", value=10.0, tolerance=2.0, source="s", metric="arrests", years=(1, 1),
                    aggregation="annual_sum")
    values = np.array([8.0, 9.0, 13.0])
    row = fit_table([target], pd.DataFrame({"t": values})).iloc[0]
    errors = np.random.default_rng(5).normal(0, 2.0, (200_000, 3))
    sampled = float((values + errors < 10.0).mean())
    assert abs(row["observed_rank_with_error"] - sampled) < 4 * np.sqrt(sampled * (1 - sampled) / errors.size)
    assert row["observed_rank"] == 2 / 3


def test_a_target_with_no_value_is_said_why_and_refused_before_a_calibration(tmp_path, capsys, monkeypatch):
    """A ratio over a metric that is zero in every run was reported as 'the runs end before years
    1-1', left out of the misfit (a point fit scored a point better for losing it) and, in ABC-SMC,
    gave every particle the same huge distance, all accepted, with credible intervals that seemed
    to say the targets constrained the parameters."""
    import twin.calibration as calibration
    from twin.cli import main
    from twin.store import Store

    targets = write(tmp_path / "t.toml", '[[target]]\nname = "per_pound"\nvalue = 1\ntolerance = 1\nsource = "s"\n'
                    'metric = "arrests"\nratio_of = "lever_spending_gbp_courts"\nyears = [1, 1]\n'
                    'aggregation = "ratio"\n'
                    '[[target]]\nname = "assets"\nvalue = 550e6\ntolerance = 140e6\nsource = "s"\n'
                    'metric = "assets_recovered_gbp"\nyears = [1, 1]\naggregation = "annual_sum"\n')
    assert main(["fit", str(QUICK_BASELINE), "--targets", str(targets), "--reps", "1", "--years", "1",
                 "--workers", "1", "--out", str(tmp_path / "f")]) == 0
    out = capsys.readouterr().out
    why = "its denominator, lever_spending_gbp_courts, sums to zero over years 1-1 in every run: the ratio is undefined"
    assert f"not evaluated ({why})" in out and "the runs end before" not in out
    assert f"Not evaluated (1; left out of the misfit): per_pound ({why})." in out
    # --quiet: the report is written, nothing printed
    (tmp_path / "f" / "fit.json").unlink()
    assert main(["fit", str(QUICK_BASELINE), "--targets", str(targets), "--reps", "1", "--years", "1",
                 "--workers", "1", "--out", str(tmp_path / "f"), "--quiet"]) == 0
    said = capsys.readouterr()
    assert said.out == "" and said.err == "" and (tmp_path / "f" / "fit.json").exists()
    # no target evaluated at all: the report is written and says why, and the command fails (it measured nothing)
    only = write(tmp_path / "only.toml", targets.read_text().split("[[target]]\nname = \"assets\"")[0])
    assert main(["fit", str(QUICK_BASELINE), "--targets", str(only), "--reps", "1", "--years", "1",
                 "--workers", "1", "--out", str(tmp_path / "g"), "--quiet"]) == 2
    assert capsys.readouterr().err == (f"twin: error: {only}: no target could be evaluated in these runs (the "
                                       f"report says why for each); nothing was measured\n")
    assert (tmp_path / "g" / "fit.json").exists()
    config = write(tmp_path / "c.toml", f'[calibration]\nscenario = "{QUICK_BASELINE}"\ntargets = "{targets}"\n'
                   f'years = 1\nreps = 1\nmax_evaluations = 2\nworkers = 1\nout = "{tmp_path / "c"}"\n'
                   '[[parameter]]\nname = "asset_realisation_share"\n')
    assert main(["calibrate", str(config), "--db", f"sqlite:///{tmp_path / 'c.db'}", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{targets}: 'per_pound': {why} (one run at the scenario's own values)" in err
    assert not (tmp_path / "c" / "fit.json").exists()
    # a point fit scores a point where a target has no value as far off, not as a better fit
    monkeypatch.setattr(calibration, "evaluate", lambda scenario, targets, seeds, overrides, executor, *_, **__:
                        pd.DataFrame([{"per_pound": np.nan if overrides["asset_realisation_share"] > 0.45 else 1.0,
                                       "assets": 550e6 + 1e9 * overrides["asset_realisation_share"]}]))
    history = calibration.point_fit(load_config(config), None, Store(f"sqlite:///{tmp_path / 'p.db'}"))["history"]
    assert {h["misfit"] == calibration.UNDEFINED_MISFIT for h in history} == {True, False}
    assert all(h["misfit"] < 1e6 for h in history if h["asset_realisation_share"] <= 0.45)


def test_a_target_far_from_what_the_runs_give_is_warned_of_as_another_unit(tmp_path, monkeypatch, capsys):
    """A target of 26 on a metric in pounds (meant as £26bn) ran, with an error of five billion
    tolerances and no word about the unit."""
    import twin.calibration as calibration
    from twin.cli import main
    from twin.targets import SCALE_WARNING_FACTOR

    targets = write(tmp_path / "t.toml", "".join(
        f'[[target]]\nname = "{name}"\nvalue = {value}\ntolerance = {0.1 * value}\nsource = "s"\n'
        f'metric = "harm_gbp_drugs"\n'
        f'years = [1, 1]\naggregation = "annual_sum"\n' for name, value in
        (("bn", 26), ("close", 26e9 / (SCALE_WARNING_FACTOR * 0.9)), ("far", 26e9 * SCALE_WARNING_FACTOR * 1.1))))
    monkeypatch.setattr(calibration, "evaluate", lambda scenario, targets, seeds, overrides, executor, *_, **__:
                        pd.DataFrame([{t.name: 26e9 for t in targets}] * len(seeds)))
    assert main(["fit", "--targets", str(targets), "--reps", "2", "--workers", "1", "--out", str(tmp_path / "f")]) == 0
    err = capsys.readouterr().err
    assert "Warning: target 'bn': its value 26 is some 1,000,000,000 times below what the runs give (26.00bn); a " \
           "target is in its metric's unit (GBP/year: pounds, not £bn" in err
    assert "target 'far'" in err and "times above" in err and "target 'close'" not in err
    notes = json.loads((tmp_path / "f" / "fit.json").read_text())["notes"]
    assert any(note.startswith("Check the unit of target 'bn'") for note in notes)
    # a calibration says so before it fits, from one run at the scenario's own values
    config = write(tmp_path / "c.toml", f'[calibration]\nscenario = "{QUICK_BASELINE}"\ntargets = "{targets}"\n'
                   f'years = 1\nreps = 1\nmax_evaluations = 2\nworkers = 1\nout = "{tmp_path / "c"}"\n'
                   '[[parameter]]\nname = "asset_realisation_share"\n')
    assert main(["calibrate", str(config), "--db", f"sqlite:///{tmp_path / 'c.db'}", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("Warning: target 'bn': its value 26 is some 1,000,000,000 times below") and \
        "(one run at the scenario's own values)" in err


def test_the_fit_chart_in_words_names_the_targets_outside_their_tolerance():
    from twin.fit_report import fit_chart_text, target_kinds

    plotted = pd.DataFrame({"target": ["a", "b", "c"], "within_tolerance": [True, False, False],
                            "standardised_error": [0.5, 1.25, -3.0]})
    text = fit_chart_text(plotted)
    assert text.startswith("Chart of each of 3 targets' error")
    assert text.endswith("outside the tolerance: b +1.25, c -3.00")
    # the kinds the verdict counts apart are told apart in the chart (and so in its words)
    kinds = plotted.assign(by_construction=[True, False, False], fitted_by=["x", "y", ""])
    assert list(target_kinds(kinds)) == ["construction", "fitted", "dynamics"]
    assert ("percentile; hollow squares the 1 reproduced by construction (inputs and starting conditions), hollow "
            "diamonds the 1 that parameters were set to reproduce (a check of the calibration), filled circles the 1 "
            "that no parameter was set from (the model's dynamics alone); outside") in fit_chart_text(kinds)
    assert "hollow" not in fit_chart_text(kinds.assign(by_construction=False, fitted_by=""))  # one kind: not said


def test_targets_read_off_yearly_totals_match_those_read_off_the_steps():
    from twin.model import TwinModel
    from twin.targets import Target, value_from_yearly, yearly_sums

    model = TwinModel(seed=3, n_steps=36)
    model.run()
    names, yearly = yearly_sums(model.results, 12)
    assert yearly.shape == (3, len(names))
    targets = [Target("flow", 0, 1, "", "arrests", (2, 3), "annual_sum"),
               Target("level", 0, 1, "", "ocgs_active", (1, 3), "mean"),
               Target("ratio", 0, 1, "", "convictions", (1, 2), "ratio", ratio_of="charges")]
    direct = target_values(model.results, targets, 12)
    for target in targets:
        assert value_from_yearly(target, names, yearly, 12) == pytest.approx(direct[target.name], rel=1e-12)
    # another area, years beyond the run or a metric the run did not record: NaN, not a wrong number
    for target in (Target("x", 0, 1, "", "arrests", (1, 1), "annual_sum", area="Merseyside"),
                   Target("x", 0, 1, "", "arrests", (3, 4), "annual_sum")):
        assert np.isnan(value_from_yearly(target, names, yearly, 12))
    assert np.isnan(value_from_yearly(targets[0], [n for n in names if n != "arrests"], yearly, 12))


def test_prior_round_trip():
    for prior in (Prior("a", 1.0, 3.0), Prior("b", 0.01, 10.0, "log")):
        for unit in (0.0, 0.3, 1.0):
            assert prior.to_unit(prior.to_value(unit)) == pytest.approx(unit)


def test_point_fit_improves_and_resumes_from_the_database(tmp_path, capsys):
    targets = write(tmp_path / "targets.toml", '''
[[target]]
name = "assets"
value = 800e6
tolerance = 140e6
source = "test: well above the default's recoveries, so the fit has to move"
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
scenario = "{QUICK_BASELINE}"
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
    # the fit moves the parameter and the misfit falls well below the starting point's
    assert first["misfit"] < 0.5 * first["history"][0]["misfit"]
    assert len({h["misfit"] for h in first["history"]}) > 1
    # the fit is stored: a rerun skips the one run checking the targets' scale (shown when it started)
    from twin.calibration import started_before

    assert started_before(config, store) and not started_before(config, Store(f"sqlite:///{tmp_path / 'new.db'}"))
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
    # a new database: nothing came from an earlier run, though Nelder-Mead's clipped points repeat
    assert again["from_database"] == again["evaluations"] and first["from_database"] == 0
    # the command's fit table over a single replication says its ranges are a single value
    from twin.cli import main

    config_path.write_text(config_path.read_text().replace("max_evaluations = 6", f'max_evaluations = 6\nout = "{tmp_path / "cal"}"'))
    assert main(["calibrate", str(config_path), "--db", f"sqlite:///{tmp_path / 'c.db'}"]) == 0
    out, err = capsys.readouterr()
    assert "With 1 replication, the replicates' 5-95% ranges are a single value; use reps = 5" in out
    # the target had no fitted_by in its file, but this calibration fitted it: counted as fitted
    assert "1 of 1 that parameters were set to reproduce" in out and "no parameter was set from" not in out
    assert f"Note: {again['evaluations']} of the {again['evaluations']} evaluations were read from" in err
    # what the fit found, on the console too (it was in fit.json and fit.html only)
    from twin.targets import number

    name, value = next(iter(again["best"].items()))
    assert re.search(rf"\nBest values\n  {name} +{re.escape(number(value))} .*\(prior (log-)?uniform ", out)
    # --quiet: no table, verdict or notes (they printed all but the table); the report is written
    (tmp_path / "cal" / "fit.html").unlink()
    for name in ("posterior.csv", "particles.csv", "posterior.png"):  # an earlier ABC fit's in the folder:
        (tmp_path / "cal" / name).write_text("old")  # read by --posterior as this fit's sample
        with (tmp_path / "cal" / ".twin-written").open("a") as record:  # as that fit recorded them
            record.write(f"{name}\n")
    assert main(["calibrate", str(config_path), "--db", f"sqlite:///{tmp_path / 'c.db'}", "--quiet"]) == 0
    assert not any((tmp_path / "cal" / name).exists() for name in ("posterior.csv", "particles.csv", "posterior.png"))
    out, err = capsys.readouterr()
    assert out == "" and (tmp_path / "cal" / "fit.html").is_file()
    assert err.startswith("Not converged: the point fit used its 6") and err.count("\n") == 1  # a warning stays


def test_validation_replacement_measures_recovery():
    """Groups recover from losing 30% of Merseyside's workers and exploited members (about 480 of
    them): mostly whole within two years in every seed, as source 003's expectation in
    experiments/validation/replacement.toml has it, with three standard errors to spare (measured
    12.8 months, se 1.6, 4 seeds), and new recruits refill part of the gap."""
    from twin.validation import run_experiment

    result = run_experiment({"kind": "replacement", "area": "Merseyside", "share": 0.3, "months": 30, "reps": 4},
                            "test")
    measures = result["measures"]
    assert measures["members_removed"]["mean"] > 100
    ninety = measures["months_to_90pc_recovery"]
    assert ninety["seeds_observed"] == 4 and ninety["mean"] + 3 * ninety["se"] < 24, ninety
    refilled = measures["extra_recruits_per_member_removed"]
    assert refilled["mean"] - 3 * refilled["se"] > 0, refilled
    from twin.validation import MEASURE_WORDS

    assert set(measures) <= set(MEASURE_WORDS) and result["area"] == "Merseyside"  # printed in words


def _measure(result, name):
    measure = result["measures"][name]
    return measure["mean"], measure["se"]


def test_validation_succession_replaces_imprisoned_leaders():
    from twin.validation import run_experiment

    # 8 paired replications: with 3 the extra violence's standard error was as large as half of it
    result = run_experiment({"kind": "succession", "leaders": 60, "months": 24, "reps": 8}, "test")
    still_active, _ = _measure(result, "groups_still_active_share")
    new_leader, _ = _measure(result, "groups_with_new_active_leader_share")
    # a group with a new active leader is still active; most groups survive their leader's loss
    assert 0.5 < new_leader <= still_active <= 1.0
    succession_violence, se = _measure(result, "extra_succession_violence_first_year")
    assert succession_violence > 3 * se  # disputed successions add violence
    from twin.validation import MEASURE_WORDS

    # printed in words; no area recorded, as the shock falls on the top groups wherever they are
    assert set(result["measures"]) <= set(MEASURE_WORDS) and result["area"] is None


@pytest.mark.slow
def test_validation_entry_refills_a_vacated_market_and_hold_slows_it():
    from twin.validation import run_experiment

    # 16 paired seeds, two years after the removal, with Hold at 1.6 times its default intensity: its
    # entry reduction at the top of its plausible range (0.8 = 1.6 x 0.5), its other effects scaled
    # alike. This tests the direction of the mechanism; the default's size is in docs/VALIDATION.md
    # (section 3). At the default, Hold's cut in these runs (about 2.3 groups of 6) is 2.9 paired
    # standard errors, so a test of it at 3 turned on the random path.
    plain = run_experiment({"kind": "entry", "area": "Merseyside", "months": 36, "reps": 16}, "test")
    held = run_experiment({"kind": "entry", "area": "Merseyside", "months": 36, "reps": 16, "hold": True,
                           "intensity": 1.6}, "test")
    unsupplied, se = _measure(plain, "users_unsupplied_at_worst")
    assert unsupplied > 3 * se
    entrants, se_entrants = _measure(plain, "extra_entrants")
    assert entrants > 3 * se_entrants
    # Hold lowers the entry multiplier in the area: fewer entrants, in paired seeds
    paired = np.subtract(plain["measures"]["extra_entrants"]["by_seed"], held["measures"]["extra_entrants"]["by_seed"])
    assert paired.mean() > 3 * paired.std(ddof=1) / np.sqrt(paired.size)


@pytest.mark.slow
def test_a_vacated_market_draws_more_entrants_the_more_they_answer_its_price():
    """Profit-driven entry: the removal raises Merseyside's heroin/crack price above its norm, and
    entrants per vacancy follow the price over the norm to `entry_price_elasticity` (paired seeds)."""
    from twin.validation import run_experiment

    spec = {"kind": "entry", "area": "Merseyside", "months": 36, "reps": 12}
    answers = run_experiment({**spec, "parameters": {"entry_price_elasticity": 2.0}}, "test")
    ignores = run_experiment({**spec, "parameters": {"entry_price_elasticity": 0.0}}, "test")
    paired = np.subtract(answers["measures"]["extra_entrants"]["by_seed"], ignores["measures"]["extra_entrants"]["by_seed"])
    assert paired.mean() > 3 * paired.std(ddof=1) / np.sqrt(paired.size)


@pytest.mark.slow
def test_validation_displacement_measures_harm_where_the_surge_acts():
    from twin.validation import run_experiment

    # the shipped experiment (three years of surge) with 48 seeds rather than its 12: at 12 seeds the
    # surge's cut in its own area has come out between 1.5 and 4 standard errors across versions
    # (docs/VALIDATION.md section 4), at 48 about 6 (-£148m, se £24m)
    spec = tomllib.loads((ROOT / "experiments" / "validation" / "displacement.toml").read_text())["experiment"]
    spec["reps"] = 48
    result = run_experiment(spec, "displacement.toml")
    target, se = _measure(result, "harm_change_target_gbp")
    assert target < 0 and abs(target) > 3 * se  # the surge cuts harm in its area
    # Whether harm moves to the neighbours is not tested: its sign is not settled at 12 seeds
    # (docs/VALIDATION.md section 4); the share is defined in the seeds where the area's harm fell.
    assert result["measures"]["displacement_ratio_neighbours"]["seeds_observed"] >= spec["reps"] // 2


def test_validation_rejects_unknown_kind():
    from twin.validation import run_experiment

    with pytest.raises(ScenarioError, match="kind: expected one of"):
        run_experiment({"kind": "replacment"}, "x.toml")


def test_a_stored_abc_run_with_nothing_to_run_names_every_limit_to_raise():
    from types import SimpleNamespace

    from twin.calibration_abc import _stop_reason

    populations = pd.DataFrame({"t": [0, 1, 2], "epsilon": [9.0, 5.0, 3.0], "samples": [20, 12, 12]})
    history = SimpleNamespace(get_all_populations=lambda: populations)
    config = {"generations": 3, "max_evaluations": 40, "minimum_epsilon": 1.0}
    assert _stop_reason(history, config, 2) == ("the stored run holds the 3 generations asked and reached "
                                                 "max_evaluations (40) with its 44 simulations; raise generations and "
                                                 "raise max_evaluations to go on")
    assert _stop_reason(history, dict(config, max_evaluations=100), 2) == (
        "the stored run holds the 3 generations asked; raise generations to go on")
    assert _stop_reason(history, dict(config, generations=5), 2) == (
        "the stored run reached max_evaluations (40) with its 44 simulations; raise max_evaluations to go on")
    assert _stop_reason(history, dict(config, max_evaluations=100, minimum_epsilon=3.0), 2) == (
        "the stored run holds the 3 generations asked and reached minimum_epsilon (3); raise generations and lower "
        "minimum_epsilon to go on")


def test_an_abc_run_short_of_minimum_epsilon_names_the_limit_that_stopped_it():
    from twin.cli_calibration import abc_stop_reason

    config = {"generations": 4, "max_evaluations": 2000}
    gens = [{"t": t} for t in range(4)]
    assert abc_stop_reason({"generations": gens, "simulations": 900}, config) == (
        "all 4 generations ran; raise generations")
    assert abc_stop_reason({"generations": gens[:2], "simulations": 2040}, config) == (
        "its 2,040 simulations reached max_evaluations (2,000); raise max_evaluations")
    assert "ran out" in abc_stop_reason({"generations": gens[:2], "simulations": 900}, config)
    assert abc_stop_reason({"generations": gens, "simulations": 2040}, config) == (  # both: raising one stops again
        "all 4 generations ran and its 2,040 simulations reached max_evaluations (2,000); raise both generations "
        "and max_evaluations")
    assert abc_stop_reason({"generations": gens[:1], "simulations": 900}, {**config, "generations": 1}) == (
        "its one generation ran; raise generations")


def test_weighted_quantiles_of_particles():
    from twin.calibration_abc import weighted_quantiles

    values = np.array([4.0, 1.0, 3.0, 2.0])
    assert list(weighted_quantiles(values, np.ones(4), [0.25, 0.5, 0.51])) == [1.0, 2.0, 3.0]  # equal weights
    # a particle holding almost all the weight is every quantile
    assert weighted_quantiles(values, np.array([1e-9, 1e-9, 1.0, 1e-9]), [0.05, 0.5, 0.95]) == pytest.approx([3, 3, 3])
    # integer weights act as repeated particles: the median of 1, 2, 2, 2, 3 is 2
    assert weighted_quantiles(np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 1.0]), [0.5])[0] == pytest.approx(2.0)
    assert list(weighted_quantiles(values, np.ones(4), [0.0, 1.0])) == [1.0, 4.0]  # the ends held


def test_the_posterior_charts_correlations_are_the_weighted_particles():
    """posterior.png drew the resample (rows repeated by chance), whose correlation differs from the
    particles' by the resampling's noise: it is now the particles' with their weights, which act as
    repeated rows (integer weights give the correlation of the rows repeated)."""
    from twin.calibration import weighted_correlation

    rng = np.random.default_rng(2)
    x, y = rng.normal(size=40), rng.normal(size=40)
    weights = rng.integers(1, 5, 40).astype(float)
    repeated = np.corrcoef(np.repeat(x, weights.astype(int)), np.repeat(y, weights.astype(int)))[0, 1]
    assert weighted_correlation(x, y, weights) == pytest.approx(repeated, rel=1e-12)
    assert weighted_correlation(x, y, np.ones(40)) == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-12)
    assert np.isnan(weighted_correlation(np.ones(5), np.arange(5.0), np.ones(5)))


class _LinearToy:
    """A model with a known posterior: y = 10 a plus Gaussian noise of sd 0.5 (numpy's global
    state, which the sampler seeds per particle, as the twin's `ABCModel` draws its seed)."""

    def __call__(self, parameters):
        return {"y": 10.0 * float(parameters["a"]) + np.random.normal(0.0, 0.5)}


def _toy_posterior(acceptor: str, minimum_epsilon: float) -> tuple[float, float, float]:
    import pyabc

    from twin.calibration_abc import abc_smc, executor_sampler
    from twin.executor import make_executor
    from twin.targets import Target

    target = Target("y", 5.0, 1.0, "test", "y", (1, 1), "annual_sum")
    executor = make_executor(1)
    try:
        abc = abc_smc(_LinearToy(), pyabc.Distribution(a=pyabc.RV("uniform", 0.0, 1.0)), [target], 400,
                      executor_sampler(executor, 11), acceptor)
        np.random.seed(11)
        abc.new("sqlite://", {"y": 5.0})
        history = abc.run(minimum_epsilon=minimum_epsilon, max_nr_populations=8, max_total_nr_simulations=40_000)
    finally:
        executor.close()
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    weights = weights / weights.sum()
    mean = float(np.sum(weights * frame["a"]))
    sd = float(np.sqrt(np.sum(weights * (frame["a"] - mean) ** 2)))
    return mean, sd, float(1 / np.sum(weights ** 2))  # the effective sample size


@pytest.mark.slow
def test_the_kernel_acceptor_gives_the_posterior_of_tolerances_read_as_errors():
    """acceptor = "kernel": the particles at temperature 1 are the posterior of the target read as
    an observation with a Gaussian error of sd its tolerance. For y = 10 a + N(0, 0.5) observed at
    5 with tolerance 1, that posterior of a (uniform prior, far from its edges) is normal with mean
    0.5 and sd sqrt(1 + 0.25) / 10 = 0.112. An epsilon fit stopping at epsilon 1 keeps |y - 5| < 1,
    a narrower posterior (sd about sqrt(1/3 + 0.25) / 10 = 0.076): the width is the epsilon's."""
    need("pyabc")
    expected_sd = np.sqrt(1.0 + 0.25) / 10
    mean, sd, ess = _toy_posterior("kernel", 1.0)
    # standard errors from the particles' effective sample size: the mean's sd / sqrt(ESS), the sd's
    # about sd / sqrt(2 ESS)
    assert ess > 100
    assert abs(mean - 0.5) < 4 * expected_sd / np.sqrt(ess), (mean, ess)
    assert abs(sd - expected_sd) < 4 * expected_sd / np.sqrt(2 * ess), (sd, ess)
    _, epsilon_sd, ess = _toy_posterior("epsilon", 1.0)
    assert epsilon_sd < expected_sd - 4 * expected_sd / np.sqrt(2 * ess), (epsilon_sd, ess)


def test_a_kernel_fit_resumed_keeps_its_temperature_schedule(tmp_path):
    """A kernel fit stopped by its budget after one generation and resumed anneals over the fit's
    three generations, as one run would: pyabc passes a resumed run the generations left as its
    horizon while counting from the first, which ended the schedule at temperature 1 a generation
    early. The temperatures never rise, the stored generation is kept, and the last is 1."""
    need("pyabc")
    from twin.calibration_abc import abc_fit

    # a tolerance tight enough that the fit must anneal; a budget that stops it after one generation
    config = load_config(_quick_abc(tmp_path, 3, population=5, tolerance=5e6,
                                    settings='acceptor = "kernel"\nmax_evaluations = 5\n'))
    store = Store(f"sqlite:///{tmp_path / 'abc.db'}")
    first = abc_fit(config, store, workers=1, log=lambda m: None)
    assert len(first["generations"]) == 1 and first["generations"][0]["epsilon"] > 1  # stopped by its budget
    resumed = abc_fit(dict(config, max_evaluations=10_000), store, workers=1, log=lambda m: None)
    temperatures = [g["epsilon"] for g in resumed["generations"]]
    assert resumed["abc_id"] == first["abc_id"] and resumed["generations"][0] == first["generations"][0]
    assert len(temperatures) == 3 and temperatures[-1] == 1.0, temperatures
    assert all(a >= b for a, b in zip(temperatures, temperatures[1:])) and temperatures[1] > 1, temperatures
    # Its first two generations are not a fit of two (the temperatures follow the horizon): refused
    with pytest.raises(UserError, match="a kernel fit's temperatures follow its horizon"):
        abc_fit(dict(config, generations=2, max_evaluations=10_000), store, workers=1, log=lambda m: None)


def test_a_kernel_fit_reports_temperatures_and_its_kernel(tmp_path):
    """`twin calibrate` with acceptor = "kernel": the report calls each generation's pyabc epsilon
    what it is, a temperature, names the kernel, and records the acceptor among the settings."""
    need("pyabc")
    from twin.cli import main

    config = _quick_abc(tmp_path, 1, settings='acceptor = "kernel"\nposterior_size = 10\nworkers = 1\n'
                                              f'reps = 1\nout = "{tmp_path / "fit"}"\n')
    assert main(["calibrate", str(config), "--db", f"sqlite:///{tmp_path / 'k.db'}", "--quiet"]) == 0
    fit = json.loads((tmp_path / "fit" / "fit.json").read_text())
    notes = " ".join(fit["notes"])
    assert fit["settings"]["acceptor"] == "kernel" and fit["settings"]["minimum_epsilon"] == 1.0
    assert re.search(r"acceptance rate by generation: \d+% \(temperature [\d.]+,", notes), notes
    assert "ABC Gaussian kernel (each tolerance read as a standard deviation) over the 1 targets" in notes
    assert "The ABC distance at the medians" not in notes  # (a kernel fit has no epsilon to read it against)
    assert "temperature" in fit["generations"][0] and "epsilon" not in fit["generations"][0]  # in fit.json too
    assert "epsilon" not in notes.replace("minimum_epsilon", "")


def test_the_acceptor_setting_is_checked_and_keeps_epsilon_fits_keys(tmp_path):
    from twin.calibration import abc_fit_key

    base = f'''
[calibration]
scenario = "{QUICK_BASELINE}"
targets = "{ROOT / 'calibration' / 'targets.toml'}"
method = "abc"
years = 3
[[parameter]]
name = "asset_realisation_share"
'''
    plain = load_config(write(tmp_path / "a.toml", base))
    assert plain["acceptor"] == "epsilon"
    assert abc_fit_key(plain) == abc_fit_key(load_config(write(tmp_path / "b.toml", base.replace(
        'method = "abc"', 'method = "abc"\nacceptor = "epsilon"'))))  # stored epsilon fits resume as before
    kernel = load_config(write(tmp_path / "c.toml", base.replace('method = "abc"', 'method = "abc"\nacceptor = "kernel"')))
    assert kernel["acceptor"] == "kernel" and abc_fit_key(kernel) != abc_fit_key(plain)
    with pytest.raises(ScenarioError, match=r"d.toml: \[calibration\] acceptor: expected .*got 'kernal'; did you mean "
                                            r"'kernel'"):
        load_config(write(tmp_path / "d.toml", base.replace('method = "abc"', 'method = "abc"\nacceptor = "kernal"')))
    with pytest.raises(ScenarioError, match=r"minimum_epsilon: with acceptor = \"kernel\" it is the temperature.*"
                                            r"expected 1 or more, got 0.5"):
        load_config(write(tmp_path / "e.toml", base.replace(
            'method = "abc"', 'method = "abc"\nacceptor = "kernel"\nminimum_epsilon = 0.5')))


@pytest.mark.slow
def test_abc_smc_fits_resumes_and_writes_a_posterior(tmp_path):
    need("pyabc")
    from twin.calibration_abc import abc_fit

    targets = write(tmp_path / "targets.toml", '''
[[target]]
name = "assets"
value = 550e6
tolerance = 140e6
source = "source 003"
metric = "assets_recovered_gbp"
years = [1, 1]
aggregation = "annual_sum"
''')
    config = load_config(write(tmp_path / "abc.toml", f'''
[calibration]
scenario = "{QUICK_BASELINE}"
targets = "{targets}"
method = "abc"
years = 1
population_size = 6
generations = 2
minimum_epsilon = 0.01
posterior_size = 30
[[parameter]]
name = "asset_realisation_share"
'''))
    store = Store(f"sqlite:///{tmp_path / 'abc.db'}")
    first = abc_fit(config, store, workers=1, log=lambda m: None)
    assert len(first["generations"]) == 2
    assert all(0 < g["acceptance_rate"] <= 1 for g in first["generations"])
    assert first["generations"][1]["epsilon"] <= first["generations"][0]["epsilon"]
    posterior = first["posterior"]["asset_realisation_share"]
    assert len(posterior) == 30
    # The distance constrains the parameter (assets recovered scale with it): the accepted
    # particles are spread much less than the uniform prior over 0.1-0.8 (sd 0.7 / sqrt(12));
    # with a distance that ignored the runs they would be spread as the prior.
    assert posterior.std() < 0.5 * 0.7 / np.sqrt(12), posterior.std()
    # the last generation's particles with their weights, and its effective sample size
    particles = first["particles"]
    assert len(particles) == 6 and particles["weight"].sum() == pytest.approx(1.0)
    assert (particles["weight"] > 0).all() and set(posterior) <= set(particles["asset_realisation_share"])
    assert first["generations"][-1]["effective_sample_size"] == pytest.approx(
        1 / (particles["weight"] ** 2).sum())
    assert all(1 <= g["effective_sample_size"] <= g["accepted"] + 1e-9 for g in first["generations"])
    # the parameter table: the median inside its 90% credible interval, both read off the weighted
    # particles (not the sample drawn from them, which adds its own noise), and the interval narrower
    # than the prior's 90% range (the targets constrain it)
    from twin.calibration import parameter_table
    from twin.calibration_abc import weighted_quantiles

    row = parameter_table(config["priors"], {"asset_realisation_share": 0.44}, first["best"],
                          first["particles"]).iloc[0]
    assert row["credible 5%"] <= row["posterior median"] <= row["credible 95%"]
    low, median = weighted_quantiles(particles["asset_realisation_share"].to_numpy(), particles["weight"].to_numpy(),
                                     [0.05, 0.5])
    assert row["credible 5%"] == pytest.approx(low)
    assert first["best"]["asset_realisation_share"] == pytest.approx(median)
    # the simulations as pyabc counts them against max_evaluations: its first sample from the prior
    # too (left out, a short trial said it stopped short of the budget it had reached)
    assert first["prior_sample_simulations"] > 0 and first["simulations"] == first["prior_sample_simulations"] + sum(
        g["simulations"] for g in first["generations"])
    assert first["runs_made"] >= first["simulations"]  # with those past a generation's last accepted particle
    assert row["share of prior's 90% range"] == pytest.approx(
        (row["credible 95%"] - row["credible 5%"]) / (0.9 * 0.7))
    assert row["share of prior's 90% range"] < 0.5 and row["prior"] == "uniform 0.1 to 0.8"
    from twin.calibration import started_before

    assert started_before(config, store) and not started_before(config, Store(f"sqlite:///{tmp_path / 'new.db'}"))
    again = abc_fit(config, store, workers=1, log=lambda m: None)
    assert again["abc_id"] == first["abc_id"] and again["simulations"] == first["simulations"]
    assert again["runs_made"] == 0  # nothing left to run
    # Through the project's executor, the fit does not depend on the number of workers.
    pooled = abc_fit(config, Store(f"sqlite:///{tmp_path / 'abc2.db'}"), workers=2, log=lambda m: None)
    assert pooled["generations"] == first["generations"]
    assert pooled["best"] == first["best"]
    # A third generation added to the stored run matches a run of three generations from scratch.
    three = dict(config, generations=3)
    resumed = abc_fit(three, store, workers=1, log=lambda m: None)
    fresh = abc_fit(three, Store(f"sqlite:///{tmp_path / 'abc3.db'}"), workers=1, log=lambda m: None)
    assert resumed["abc_id"] == first["abc_id"] and len(resumed["generations"]) == 3
    assert resumed["generations"] == fresh["generations"] and resumed["best"] == fresh["best"]
    # A stored run that has reached minimum_epsilon is not extended, as a fresh run would stop there.
    reached = dict(config, generations=4, minimum_epsilon=resumed["generations"][-1]["epsilon"])
    said = []
    assert abc_fit(reached, store, workers=1, log=said.append)["generations"] == resumed["generations"]
    assert any(m.startswith("Nothing to run: the stored run reached minimum_epsilon") for m in said)
    # Nor one whose simulations used max_evaluations: pyabc checks its budget only after a generation,
    # so the same command run again ran one more (and changed the posterior).
    spent = dict(config, generations=4, max_evaluations=resumed["simulations"])
    said = []
    assert abc_fit(spent, store, workers=1, log=said.append)["generations"] == resumed["generations"]
    assert any("reached max_evaluations" in m for m in said)
    assert len(abc_fit(dict(spent, max_evaluations=10_000), store, workers=1,
                       log=lambda m: None)["generations"]) == 4  # a larger budget goes on
    # A stored run that went further holds this configuration's fit as one of its generations: asked
    # again for two generations, the fit reported is the first two's, as from scratch (it was the fourth's)
    said = []
    again = abc_fit(config, store, workers=1, log=said.append)
    assert again["generations"] == first["generations"] and again["best"] == first["best"]
    assert again["simulations"] == first["simulations"] and again["posterior"].equals(first["posterior"])
    assert again["particles"].equals(first["particles"]) and again["runs_made"] == 0
    assert any("its generation 2 of 4 is the fit of these settings" in m for m in said), said
    # Changing a target's tolerance is another fit, not a resumption of this one.
    tighter = dict(config, targets=[replace(config["targets"][0], tolerance=70e6)])
    other = abc_fit(tighter, store, workers=1, log=lambda m: None)
    assert other["abc_id"] != first["abc_id"]


def test_an_interrupted_calibration_leaves_the_last_fit_whole(tmp_path, monkeypatch, capsys):
    """Ctrl-C while `twin calibrate` checks the fit at the posterior medians, after the last generation:
    the posterior sample was written before that check, so the folder held the new sample beside
    the last fit's report, which `twin compare --posterior` then named. Now the sample, the report
    and the parameters land together: after the interrupt the folder is the last fit's, whole, and
    the same command run again writes the new fit's."""
    need("pyabc")
    import json

    import pandas as pd

    import twin.calibration
    from twin.cli import main

    targets = write(tmp_path / "targets.toml", '[[target]]\nname = "assets"\nvalue = 550e6\ntolerance = 140e6\n'
                    'source = "source 003"\nmetric = "assets_recovered_gbp"\nyears = [1, 1]\n'
                    'aggregation = "annual_sum"\n')
    body = (f'[calibration]\nscenario = "{QUICK_BASELINE}"\ntargets = "{targets}"\nmethod = "abc"\nyears = 1\nreps = 1\n'
            f'population_size = 6\ngenerations = {{g}}\nminimum_epsilon = 0.01\nposterior_size = 30\n'
            f'out = "{tmp_path / "out"}"\n[[parameter]]\nname = "asset_realisation_share"\n')
    db = f"sqlite:///{tmp_path / 'abc.db'}"  # (in this process: the interrupts are this process's)
    assert main(["calibrate", str(write(tmp_path / "two.toml", body.format(g=2))), "--db", db, "--quiet", "--workers", "1"]) == 0
    out = tmp_path / "out"
    before = {name: (out / name).read_bytes() for name in ("posterior.csv", "fit.json", "best_parameters.toml")}
    evaluate, calls = twin.calibration.evaluate, []

    def interrupted_check(*args, **kwargs):  # the fit's own check: the fit is stored (two.toml's, resumed),
        calls.append(1)                         # so the scale check shown when it started does not run again
        if len(calls) == 1:
            raise KeyboardInterrupt
        return evaluate(*args, **kwargs)

    three = write(tmp_path / "three.toml", body.format(g=3))
    monkeypatch.setattr(twin.calibration, "evaluate", interrupted_check)
    capsys.readouterr()
    assert main(["calibrate", str(three), "--db", db, "--quiet", "--workers", "1"]) == 130
    assert "interrupted while checking the fit at the posterior medians" in capsys.readouterr().err
    assert {name: (out / name).read_bytes() for name in before} == before
    monkeypatch.setattr(twin.calibration, "evaluate", evaluate)
    import twin.cli_calibration

    def cut_short(*args):  # an interrupt while the files are written: the same, and said
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(twin.cli_calibration, "_write_calibration", cut_short)
        assert main(["calibrate", str(three), "--db", db, "--quiet", "--workers", "1"]) == 130
    assert "interrupted while writing the report" in capsys.readouterr().err
    assert {name: (out / name).read_bytes() for name in before} == before
    assert main(["calibrate", str(three), "--db", db, "--quiet", "--workers", "1"]) == 0
    fit = json.loads((out / "fit.json").read_text())
    assert fit["settings"]["generations"] == 3 and len(fit["generations"]) == 3
    from twin.calibration_abc import weighted_quantiles

    particles = pd.read_csv(out / "particles.csv")  # the medians are the weighted particles'
    median = weighted_quantiles(particles["asset_realisation_share"].to_numpy(), particles["weight"].to_numpy(), [0.5])
    assert fit["posterior_medians"]["asset_realisation_share"] == pytest.approx(median[0], rel=1e-12)


def test_a_changed_model_starts_a_new_fit_rather_than_resuming_the_old_one(monkeypatch):
    """The stored fit's key holds the model's code hash: after an edit to the model, the same
    configuration is another fit (its populations were drawn from the old model)."""
    from twin import ensemble
    from twin.calibration import fit_key

    config = load_config(ROOT / "calibration" / "abc.toml")
    args = (config["scenario"], config["targets"], config["priors"])
    before = fit_key(*args, population=40, seed=1)
    assert fit_key(*args, population=40, seed=1) == before
    monkeypatch.setattr(ensemble, "code_hash", lambda: "another model")
    assert fit_key(*args, population=40, seed=1) != before


def test_weighted_particles_are_drawn_by_weight(tmp_path):
    """A calibration's particles.csv (a `weight` column) is a sample too: each replicate draws a
    particle with probability its weight, and its 90% interval is the weighted particles'."""
    from twin.errors import UserError
    from twin.posterior import load_posterior, posterior_draws, posterior_interval, posterior_warnings

    path = write(tmp_path / "particles.csv", "asset_realisation_share,seizure_share_of_capital,weight\n"
                                             "0.2,0.4,0.1\n0.3,0.5,0.6\n0.25,0.45,0.3\n0.35,0.55,0\n")
    sample = load_posterior(str(path))
    draws = posterior_draws(sample, 3, 4000)
    assert set(draws[0]) == {"asset_realisation_share", "seizure_share_of_capital"}  # the weight is not a parameter
    assert draws[:10] == posterior_draws(sample, 3, 10)  # more replicates extend the draws
    counts = {v: sum(d["asset_realisation_share"] == v for d in draws) for v in (0.2, 0.3, 0.25, 0.35)}
    assert counts[0.35] == 0  # a particle of weight zero is never drawn
    for value, weight in ((0.2, 0.1), (0.3, 0.6), (0.25, 0.3)):  # within 4 standard errors of its weight's share
        assert abs(counts[value] - 4000 * weight) < 4 * (4000 * weight * (1 - weight)) ** 0.5, (value, counts)
    assert posterior_interval(sample, "asset_realisation_share") == (0.2, 0.3)  # weighted, not over the rows
    from twin.ensemble import prepare

    store = Store(f"sqlite:///{tmp_path / 'p.db'}")  # a comparison draws the parameters, never the weight
    _, tasks, _ = prepare([str(ROOT / "scenarios" / "baseline.toml")], 3, 1, 1, store, posterior=str(path))
    assert [set(task.scenario.parameters) for task in tasks] == [{"asset_realisation_share",
                                                                 "seizure_share_of_capital"}] * 3
    assert "of 4 particles" in posterior_warnings(load_posterior(str(write(
        tmp_path / "wide.csv", "supply_demand_ratio_initial,weight\n9,1\n1.2,1\n1.1,1\n0.9,1\n"))), "wide.csv")[0]
    for text, message in (("asset_realisation_share,weight\n0.4,-1\n", r"row 2, column 'weight': expected a "
                           r"non-negative number \(the particle's weight\), got '-1'"),
                          ("asset_realisation_share,weight\n0.4,1\n0.5,heavy\n", r"row 3, column 'weight'.*'heavy'"),
                          ("asset_realisation_share,weight\n0.4,0\n0.5,0\n", "every weight is zero"),
                          ("asset_realisation_share,weight\n0.4,1e308\n0.5,1e308\n", "too large to add up"),
                          ("weight\n1\n", "only weights: expected a column per parameter")):
        with pytest.raises(UserError, match=message):
            load_posterior(str(write(tmp_path / "bad.csv", text)))


def test_posterior_draws_are_paired_and_validated(tmp_path):
    import pandas as pd

    from twin.ensemble import prepare
    from twin.posterior import load_posterior, posterior_draws

    path = write(tmp_path / "posterior.csv", "asset_realisation_share,seizure_share_of_capital\n0.2,0.4\n0.3,0.5\n0.25,0.45\n")
    sample = load_posterior(str(path))
    draws = posterior_draws(sample, 1, 5)
    assert draws == posterior_draws(sample, 1, 5) and len(draws) == 5
    assert posterior_draws(sample, 1, 12)[:5] == draws  # more replicates extend the draws, not redraw them
    # each replicate draws a row uniformly: counts of 3,000 draws within 4 standard errors of 1,000
    rows = [sorted(sample.asset_realisation_share).index(d["asset_realisation_share"])
            for d in posterior_draws(sample, 7, 3000)]
    assert all(abs(rows.count(r) - 1000) < 4 * (3000 * (1 / 3) * (2 / 3)) ** 0.5 for r in range(3))
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    chb = write(tmp_path / "chb.toml", f'[scenario]\nname = "chb"\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\n')
    _, tasks, _ = prepare([str(ROOT / "scenarios" / "baseline.toml"), str(chb)], 5, 1, 1, store, posterior=str(path))
    by_rep = {}
    for task in tasks:
        by_rep.setdefault(task.replicate, []).append(task.scenario.parameters)
    assert all(a == b for a, b in by_rep.values())  # the same draw for both scenarios
    assert len({tuple(sorted(v[0].items())) for v in by_rep.values()}) > 1  # draws differ across replicates
    bad = write(tmp_path / "bad.csv", "no_such_parameter\n1\n")
    from twin.errors import UserError

    with pytest.raises(UserError, match="unknown parameter 'no_such_parameter'"):
        load_posterior(str(bad))
    with pytest.raises(UserError, match=r"bad3.csv', header: unknown parameter 'seizure_share_of_captial'; did you "
                                        r"mean 'seizure_share_of_capital'"):  # a name is in the header, not row 2
        load_posterior(str(write(tmp_path / "bad3.csv", "asset_realisation_share,seizure_share_of_captial\n0.4,0.5\n")))
    with pytest.raises(UserError, match=r"bad4.csv', header: column 'asset_realisation_share' appears more than once"):
        load_posterior(str(write(tmp_path / "bad4.csv", "asset_realisation_share,asset_realisation_share\n0.4,0.5\n")))
    with pytest.raises(UserError, match="must be a share"):
        load_posterior(str(write(tmp_path / "bad2.csv", "asset_realisation_share\n1.5\n")))
    with pytest.raises(UserError, match="the file is empty"):
        load_posterior(str(write(tmp_path / "empty.csv", "")))
    with pytest.raises(UserError, match=r"semi.csv', header: the columns are separated by ';' \(a spreadsheet's "
                                        r"regional setting\); save it as CSV with commas"):  # not "unknown 'a;b'"
        load_posterior(str(write(tmp_path / "semi.csv", "asset_realisation_share;seizure_share_of_capital\n0,4;0,5\n")))
    with pytest.raises(UserError, match=r"fit.json': a JSON file; expected a CSV sample"):  # not "unknown '{'"
        load_posterior(str(write(tmp_path / "fit.json", '{"settings": {"method": "abc"}, "code": {}}\n')))
    # text in one cell: that row and that value, not the column's first row
    with pytest.raises(UserError, match=r"row 4: parameter 'asset_realisation_share' must be a number .* got 'abc'"):
        load_posterior(str(write(tmp_path / "text.csv", "asset_realisation_share\n0.2\n0.3\nabc\n0.4\n")))
    # a short or long row is named as such (not as the NaN pandas would fill it with, nor as pandas' own
    # parser error for a long row among good ones), as are an empty cell and text; blank and
    # whitespace-only lines are skipped, and rows are named by their line in the file
    header = "asset_realisation_share,seizure_share_of_capital\n"
    for name, body, message in [
        ("short", "0.2,0.4\n0.3\n", "row 3: 1 value where the header has 2"),
        ("long", "0.2,0.4,0.1\n", "row 2: 3 values where the header has 2"),
        ("long2", "0.2,0.4\n0.2,0.4,0.1\n0.3,0.5\n", "row 3: 3 values where the header has 2"),
        ("blank", "0.2,0.4\n0.3,\n", "row 3, column 'seizure_share_of_capital': no value"),
        ("gaps", "\n0.2,0.4\n   \n0.3,\n", "row 5, column 'seizure_share_of_capital': no value"),
        ("na", "0.2,NA\n", "row 2: parameter 'seizure_share_of_capital' must be a number .*'NA'"),
    ]:
        with pytest.raises(UserError, match=rf"{name}.csv', {message}"):
            load_posterior(str(write(tmp_path / f"{name}.csv", header + body)))
    # a spreadsheet's CSV: a byte-order mark and Windows line ends read as the plain file does
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbfasset_realisation_share,seizure_share_of_capital\r\n0.2,0.4\r\n0.3,0.5\r\n")
    assert load_posterior(str(excel)).equals(load_posterior(str(path)).iloc[:2])
    copy = write(tmp_path / "copy.toml", f'[scenario]\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                                        f'name = "baseline"\n')
    with pytest.raises(UserError, match=r"copy.toml \(baseline\) share a name"):
        prepare([str(ROOT / "scenarios" / "baseline.toml"), str(copy)], 2, 1, 1, store)
    # draws each valid that cannot hold together, alone or with a scenario's own values: refused before
    # any run (they failed every run drawing them, and the report was left to the others)
    clash = write(tmp_path / "clash.csv", "share_serious_violence,early_release_served_share\n0.3,0.45\n0.9,0.4\n")
    with pytest.raises(UserError, match=r"clash.csv', row 3: share_serious_violence = 0.9 is above share_violent"):
        prepare([str(ROOT / "scenarios" / "baseline.toml"), str(chb)], 2, 1, 1, store, posterior=str(clash))
    calm = write(tmp_path / "calm.toml", f'[scenario]\nname = "calm"\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                                        f'[parameters]\nserved_share = 0.42\n')
    with pytest.raises(UserError, match=r"clash.csv', row 2 with .*calm.toml's served_share: "
                                        r"early_release_served_share = 0.45 is above served_share = 0.42"):
        prepare([str(calm), str(ROOT / "scenarios" / "baseline.toml")], 2, 1, 1, store, posterior=str(clash))
    assert len(store.scenario_ids(1)) == 2 and store.latest_experiment() == 1  # no experiment made for them
    del pd


def test_posterior_draws_beyond_the_plausible_range_are_warned_about(tmp_path, capsys):
    from twin.ensemble import prepare
    from twin.posterior import load_posterior, posterior_warnings
    from twin.parameters import Parameters

    row = Parameters().spec("harm_gbp_per_heroin_crack_user_year")
    path = write(tmp_path / "posterior.csv", f"harm_gbp_per_heroin_crack_user_year,asset_realisation_share\n"
                                             f"{row.high * 7},0.4\n{row.value},0.45\n")
    warnings = posterior_warnings(load_posterior(str(path)), str(path))
    assert len(warnings) == 1 and "harm_gbp_per_heroin_crack_user_year: 1 of 2 draws are beyond" in warnings[0]
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    prepare([str(ROOT / "scenarios" / "baseline.toml")], 2, 1, 1, store, posterior=str(path))
    assert "1 of 2 draws are beyond its plausible range" in capsys.readouterr().err


def test_a_sample_less_than_the_fit_beside_it_is_warned_of(tmp_path):
    """A posterior with a calibrated parameter's column cut, or particles.csv without its weights,
    was drawn from without a word: one parameter left at its default while its partner was drawn,
    or the particles drawn equally likely."""
    from twin.posterior import load_posterior, posterior_warnings

    (tmp_path / "fit.json").write_text(json.dumps({"settings": {"priors": [
        {"name": "asset_realisation_share"}, {"name": "harm_gbp_per_heroin_crack_user_year"}]}}))
    whole = write(tmp_path / "posterior.csv", "asset_realisation_share,harm_gbp_per_heroin_crack_user_year\n"
                                              "0.4,60000\n0.45,65000\n")
    assert posterior_warnings(load_posterior(str(whole)), str(whole)) == []
    cut = write(tmp_path / "posterior.csv", "asset_realisation_share\n0.4\n0.45\n")
    warnings = posterior_warnings(load_posterior(str(cut)), str(cut))
    assert len(warnings) == 1 and "the sample lacks harm_gbp_per_heroin_crack_user_year" in warnings[0]
    particles = write(tmp_path / "particles.csv", "asset_realisation_share,harm_gbp_per_heroin_crack_user_year,"
                                                  "weight\n0.4,60000,0.7\n0.45,65000,0.3\n")
    assert posterior_warnings(load_posterior(str(particles)), str(particles)) == []
    unweighted = write(tmp_path / "particles.csv", "asset_realisation_share,harm_gbp_per_heroin_crack_user_year\n"
                                                   "0.4,60000\n0.45,65000\n")
    warnings = posterior_warnings(load_posterior(str(unweighted)), str(unweighted))
    assert len(warnings) == 1 and "particles without their 'weight' column are drawn equally likely" in warnings[0]
    (tmp_path / "fit.json").write_text("not json")  # an unreadable fit says nothing rather than fail
    assert len(posterior_warnings(load_posterior(str(cut)), str(cut))) == 0


def test_a_posterior_is_read_with_the_fit_beside_it_and_another_models_is_warned_of(tmp_path, capsys):
    """posterior.csv carried nothing of its fit: one fitted to other targets, or by an older model,
    was drawn from without a word. The fit.json `twin calibrate` writes beside it says both."""
    from twin.ensemble import code_hash, prepare
    from twin.report_page import _posterior_fit

    path = write(tmp_path / "posterior.csv", "asset_realisation_share\n0.3\n0.4\n")
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    baseline = str(ROOT / "scenarios" / "baseline.toml")
    prepare([baseline], 2, 1, 1, store, posterior=str(path))  # no fit.json: said, and no fit recorded
    assert (f"Warning: --posterior '{path}': no fit.json from `twin calibrate` beside it, so the model version that "
            f"fitted it cannot be checked") in capsys.readouterr().err
    assert _posterior_fit(store.experiment_row(1)).startswith("<p>No record of the posterior sample's fit")
    write(tmp_path / "fit.json", json.dumps({"settings": {"method": "abc", "targets": "my_targets.toml",
                                                          "scenario_file": "base.toml"}, "code": {"code_hash": "0ld"}}))
    experiment_id, _, _ = prepare([baseline], 2, 2, 1, store, posterior=str(path))
    assert (f"Warning: --posterior '{path}': fitted by a model whose source hash is 0ld, not this code's "
            f"({code_hash()})" in capsys.readouterr().err)
    said = _posterior_fit(store.experiment_row(experiment_id))
    assert "fitted (abc, " in said
    assert "to targets my_targets.toml, scenario base.toml, by model source hash 0ld" in said
    assert f"0ld: <strong>not the model these runs ran</strong> (source hash {code_hash()})" in said
    # the same draws from another file: the report names that file and its fit, not the first file with it
    moved = tmp_path / "moved"
    moved.mkdir()
    write(moved / "posterior.csv", path.read_text())
    write(moved / "fit.json", json.dumps({"settings": {}, "code": {"code_hash": code_hash()}}))
    assert prepare([baseline], 2, 2, 1, store, posterior=str(moved / "posterior.csv"))[0] == experiment_id
    capsys.readouterr()
    spec = json.loads(store.experiment_row(experiment_id)["spec_json"])
    assert spec["posterior"] == str(moved / "posterior.csv") and spec["posterior_fit"]["fit"] == str(moved / "fit.json")
    assert "not the model these runs ran" not in _posterior_fit(store.experiment_row(experiment_id))
    write(tmp_path / "fit.json", json.dumps({"settings": {}, "code": {"code_hash": code_hash()}}))
    prepare([baseline], 2, 3, 1, store, posterior=str(path))
    assert "fitted by a model" not in capsys.readouterr().err  # this code's fit
    # the same experiment run again after the fit.json changed: its report names the fit as now read
    again, _, _ = prepare([baseline], 2, 2, 1, store, posterior=str(path))
    assert again == experiment_id
    assert f"by model source hash {code_hash()}" in _posterior_fit(store.experiment_row(again))
    (tmp_path / "fit.json").unlink()
    prepare([baseline], 2, 2, 1, store, posterior=str(path))
    assert "No record of the posterior sample's fit" in _posterior_fit(store.experiment_row(experiment_id))
    assert _posterior_fit({"spec_json": "{}"}) == ""  # no posterior drawn: nothing to say
    # the shipped sample (no fit.json beside it) is said to be an earlier version's, as the ODD says
    from twin.posterior import posterior_fit

    shipped = str(ROOT / "calibration" / "posterior.csv")
    assert "the shipped sample was fitted by an earlier version of the model" in posterior_fit(shipped, "x")[1]
    said = _posterior_fit({"spec_json": json.dumps({"posterior": shipped})})
    assert said.startswith("<p>The posterior sample is the one the project ships, fitted by an earlier version")
    # and that it is narrower than the tolerances justify (ODD 3.7: set by the epsilon, not the data)
    assert "narrower than the targets' tolerances justify" in posterior_fit(shipped, "x")[1]
    assert "narrower than the targets' tolerances justify: the parameter uncertainty it adds is a lower bound" in said
    # a fit.json of another shape, or not JSON, is said to be so (a traceback before), not taken for none at all
    for text, words in (('{"code": 5}', "is not one `twin calibrate` wrote"), ('{"settings": "x"}', "is not one"),
                        ('{"settings": {}, "code": [1]}', "is not one"), ("{bad json", "cannot be read as JSON")):
        (tmp_path / "fit.json").write_text(text)
        found, note = posterior_fit(str(path), "x")
        assert found is None and f"the fit.json beside it {words}" in note
    for text in ('{"settings": {}}', '{"settings": {}, "code": {}}', '{"settings": {}, "code": {"code_hash": 5}}'):
        (tmp_path / "fit.json").write_text(text)  # twin's shape, but not which model fitted it: said too
        found, note = posterior_fit(str(path), "x")
        assert found is not None and "does not say which model fitted the sample" in note


def test_sensitivity_config_validation(tmp_path):
    from twin.sensitivity import load_config as load_sensitivity

    base = ROOT / "scenarios" / "baseline.toml"
    good = load_sensitivity(ROOT / "calibration" / "sensitivity.toml")
    assert len(good["uncertain"]) >= 2 and good["compare"]
    with pytest.raises(ScenarioError, match="power of 2"):
        load_sensitivity(write(tmp_path / "s.toml", f'[sensitivity]\nscenario = "{base}"\nn = 10\n'
                               '[[parameter]]\nname = "charge_prob"\n[[parameter]]\nname = "conviction_prob"\n'))
    with pytest.raises(ScenarioError, match="unknown parameter"):
        load_sensitivity(write(tmp_path / "s2.toml", f'[sensitivity]\nscenario = "{base}"\n'
                               '[[parameter]]\nname = "charge_probability"\n[[parameter]]\nname = "conviction_prob"\n'))
    assert not [w for w in good["warnings"] if "[[parameter]]" in w]  # the shipped ranges: within the plausible ones
    # no scenario given, the default not beside the file: said as the default, not as a file the user named
    with pytest.raises(ScenarioError, match=r"\[sensitivity\] scenario: not given, and the default, "
                                            r"'\.\./scenarios/baseline\.toml' from the file's folder"):
        load_sensitivity(write(tmp_path / "s4.toml", '[sensitivity]\n[[parameter]]\nname = "charge_prob"\n'))
    wide = load_sensitivity(write(tmp_path / "s3.toml", f'[sensitivity]\nscenario = "{base}"\n[[parameter]]\n'
                                  'name = "remand_prob"\nlow = 0.0\nhigh = 0.95\n[[parameter]]\nname = "conviction_prob"\n'))
    assert len(wide["warnings"]) == 1 and "remand_prob: 0 to 0.95 goes beyond its plausible range" in wide["warnings"][0]


def test_sobol_indices_find_the_parameter_that_matters():
    """A tiny run: cumulative harm depends on the harm per heroin/crack user far more than on the
    charge probability (Sobol total-order indices, 8 base samples of 1-year runs)."""
    from dataclasses import replace

    from twin.scenario import load_scenario
    from twin.sensitivity import Uncertain, run_sensitivity

    config = {"scenario": replace(load_scenario(QUICK_BASELINE), years=1), "compare": [],
              "uncertain": [Uncertain("harm_gbp_per_heroin_crack_user_year", 35000, 70000),
                            Uncertain("charge_prob", 0.5, 0.9)], "n": 8, "seed": 1, "seed_factor": False}
    table = run_sensitivity(config, SerialExecutor())
    harm = table[table.outcome == "discounted_harm_gbp"].set_index("parameter")
    # told apart by their bootstrap intervals, not by thresholds on 8-sample point estimates
    assert harm.loc["harm_gbp_per_heroin_crack_user_year", "total_order_low"] > harm.loc["charge_prob", "total_order_high"]
    assert "above_noise" not in table  # every sample on one seed: no floor measured
    import pandas as pd

    pd.testing.assert_frame_equal(run_sensitivity(config, SerialExecutor()), table)  # intervals too


def test_the_seed_factor_measures_the_noise_floor_and_tells_effects_from_noise(monkeypatch):
    """With the seed a factor, each sample runs on a seed of its own; the seed's total-order index is
    the share of an outcome's variance noise alone gives. A parameter varied over a range too narrow
    to matter (charge_prob 0.7 to 0.7001) is within the noise for every outcome, and the seed's index
    is the largest for the members at the end, which the harm per heroin/crack user does not set; that
    harm parameter stands above the noise for the harm it multiplies. Each run's seed is the one
    `sample_seed` gives for its seed factor (so `twin run --seed` repeats it), and samples differ."""
    from dataclasses import replace

    from twin import sensitivity
    from twin.scenario import load_scenario
    from twin.sensitivity import SEED_FACTOR, Uncertain, run_sensitivity, sample_seed

    config = {"scenario": replace(load_scenario(QUICK_BASELINE), years=1), "compare": [],
              "uncertain": [Uncertain("harm_gbp_per_heroin_crack_user_year", 35000, 70000),
                            Uncertain("charge_prob", 0.7, 0.7001)], "n": 8, "seed": 1}
    seeds = []
    original = sensitivity.run_sample
    monkeypatch.setattr(sensitivity, "run_sample", lambda task: seeds.append(task.seed) or original(task))
    table = run_sensitivity(config, SerialExecutor())
    assert len(seeds) == 8 * (3 + 2) and len(set(seeds)) == 8 * 2  # A's and B's seeds: the mixed designs reuse them
    assert all(0 <= seed < 2**32 for seed in seeds) and sample_seed(1, 0.0) == 1 and sample_seed(2**32 - 1, 0.5) == 2**31 - 1
    rows = table.set_index(["outcome", "parameter"])
    assert not rows.loc[(slice(None), "charge_prob"), "above_noise"].any()
    assert not rows.loc[(slice(None), SEED_FACTOR), "above_noise"].any()
    members = rows.loc["members_active_end", "total_order"]
    assert members.idxmax() == SEED_FACTOR and members[SEED_FACTOR] > 0.5
    assert rows.loc[("discounted_harm_gbp", "harm_gbp_per_heroin_crack_user_year"), "above_noise"]


def test_above_the_noise_holds_its_error_rate_over_the_parameters_and_finds_a_real_effect(monkeypatch):
    """A function of known structure in place of the model: y = a + noise, where five inert parameters
    each move the random path (as the model's parameters do) and `a` does not. Over 100 designs
    (n = 32), an inert parameter is marked above the noise in at most 5% of them (any of the five,
    the correction's promise) plus three standard errors, and `a` in at least 90%. The first rule,
    a parameter's interval against the seed's point estimate, marked one of the five in 18%. So for
    acting on its own (the first-order index above zero), which the 90% interval's low end marked
    without a correction."""
    from twin import sensitivity
    from twin.sensitivity import Uncertain, run_sensitivity

    def run_sample(task):
        a, *inert = task.scenarios[0]
        rng = np.random.default_rng([task.seed, *(int(v * 1e9) for v in inert)])  # a new path when one changes
        return [a + rng.normal(0.0, 0.15)] * 5

    monkeypatch.setattr(sensitivity, "apply_values", lambda scenario, uncertain, values: tuple(map(float, values)))
    monkeypatch.setattr(sensitivity, "run_sample", run_sample)
    inert = [f"x{i}" for i in range(5)]
    flagged, alone, found = [], [], []
    for design in range(100):
        config = {"scenario": None, "compare": [], "n": 32, "seed": design,
                  "uncertain": [Uncertain("a", 0, 1)] + [Uncertain(name, 0, 1) for name in inert]}
        table = run_sensitivity(config, SerialExecutor(), log=lambda message: None)
        one = table[table.outcome == "discounted_harm_gbp"].set_index("parameter")
        flagged.append(one.loc[inert, "above_noise"].any())
        alone.append(one.loc[inert, "first_order_above_zero"].any())  # none acts, on its own or otherwise
        found.append(one.loc["a", "above_noise"] and one.loc["a", "first_order_above_zero"])
    assert np.mean(flagged) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 100)
    assert np.mean(alone) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 100)
    assert np.mean(found) >= 0.9


def test_replications_lower_the_noise_floor_as_the_mean_of_their_seeds_predicts(tmp_path, monkeypatch):
    """y = a + noise (a uniform on 0 to 1, noise sd 0.15): the seed's total-order index, the floor,
    is var(noise) / var(y), 0.213; each sample the mean of 4 seeds divides the noise's variance by 4,
    a floor of 0.063. Over 24 designs (n = 32) each mean floor is within 3 standard errors of its
    theory. A sample's outcome is the mean of its replications' runs, on its seed and the next; a
    second run with more replications reuses the first's runs (replication 0 of each sample) and
    runs only the new ones; the report's noise warning names a high floor."""
    from twin import sensitivity
    from twin.sensitivity import SEED_FACTOR, Uncertain, run_sensitivity
    from twin.sensitivity_report import noise_warning

    seen = []

    def run_sample(task):
        a = task.scenarios[0][0]  # b does nothing
        seen.append(task.seed)
        return [a + np.random.default_rng(task.seed).normal(0.0, 0.15)] * 5

    monkeypatch.setattr(sensitivity, "apply_values", lambda scenario, uncertain, values: tuple(map(float, values)))
    monkeypatch.setattr(sensitivity, "run_sample", run_sample)
    floors = {1: [], 4: []}
    for design in range(24):
        for replications in floors:
            config = {"scenario": None, "compare": [], "n": 32, "seed": design, "replications": replications,
                      "uncertain": [Uncertain("a", 0, 1), Uncertain("b", 0, 1)]}
            table = run_sensitivity(config, SerialExecutor(), log=lambda message: None)
            one = table[table.outcome == "discounted_harm_gbp"].set_index("parameter")
            floors[replications].append(one.loc[SEED_FACTOR, "total_order"])
    for replications, expected in ((1, 0.0225 / (1 / 12 + 0.0225)), (4, 0.0225 / 4 / (1 / 12 + 0.0225 / 4))):
        values = np.array(floors[replications])
        standard_error = values.std(ddof=1) / np.sqrt(values.size)
        assert abs(values.mean() - expected) < 3 * standard_error, (replications, values.mean())
    # a sample's outcome is the mean of its replications, on seed + r; more replications reuse the runs done
    monkeypatch.setattr(sensitivity, "config_key", lambda config, design=None: "synthetic")
    config = {"scenario": None, "compare": [], "n": 4, "seed": 3, "replications": 1, "out": str(tmp_path),
              "uncertain": [Uncertain("a", 0, 1), Uncertain("b", 0, 1)]}
    seen.clear()
    run_sensitivity(config, SerialExecutor(), log=lambda message: None)
    first = sorted(set(seen))
    seen.clear()
    logged = []
    two = run_sensitivity(dict(config, replications=2), SerialExecutor(), log=logged.append)
    assert sorted(set(seen)) == sorted((seed + 1) % 2**32 for seed in first)  # only the new replication ran
    assert any(f"Reusing {4 * 5} of {4 * 5 * 2} sample replications" in line for line in logged), logged
    high = pd.DataFrame({"outcome": ["benefit_of_x_gbp"], "parameter": [SEED_FACTOR], "total_order": [0.82],
                         "above_noise": [False]})
    assert "benefit_of_x_gbp (0.82, about 0.53 with replications = 4)" in noise_warning(high, 1)
    # four times the replications a sample had: 0.82 / (0.82 + 4 x 0.18), from 2 as from 1
    assert "benefit_of_x_gbp (0.82, about 0.53 with replications = 8)" in noise_warning(high, 2)
    assert noise_warning(high.assign(total_order=0.2), 1) is None
    assert noise_warning(high.assign(total_order=1.3), 1) is None  # an estimate above 1: too few samples to read
    floor = two[(two.outcome == "discounted_harm_gbp") & (two.parameter == SEED_FACTOR)].total_order.iloc[0]
    assert np.isfinite(floor)


def test_the_sensitivity_command_counts_the_seed_s_runs_and_does_not_rank_it(tmp_path, capsys, monkeypatch):
    """The console listed the seed among the three largest indices, without the floor it is, and its
    progress counted past its total (the seed's samples left out of it)."""
    from twin import cli_research
    from twin.cli import main

    shown = []
    monkeypatch.setattr(cli_research, "progress_line", lambda: lambda text, done, total: shown.append(text))
    path = write(tmp_path / "s.toml", f'[sensitivity]\nscenario = "{QUICK_BASELINE}"\nyears = 0.5\nn = 4\n'
                 f'out = "{tmp_path / "out"}"\n[[parameter]]\nname = "harm_gbp_per_heroin_crack_user_year"\n'
                 '[[parameter]]\nname = "charge_prob"\n')
    assert main(["sensitivity", str(path), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert shown[-1] == "samples 20/20 (20/20 runs)"
    harm = next(line for line in out.splitlines() if line.startswith("discounted_harm_gbp: "))
    assert "(replication seed)" not in harm and "; noise floor " in harm
    assert re.search(r"; (above|within) the noise[:)]", harm)  # each parameter marked above or within it
    # the floor with its interval: '1.18, within the noise' beside a floor of 0.22 read as a contradiction
    assert re.search(r"; noise floor -?\d+\.\d\d \(90% interval -?\d+\.\d\d to -?\d+\.\d\d; a parameter is above "
                     r"the noise when its index is clearly above the seed's, resample by resample\)$", harm)
    page = (tmp_path / "out" / "sensitivity.html").read_text()
    assert "; noise floor " in page and "resample by resample)</li>" in page


def test_the_noise_verdict_says_the_bound_that_decides_it():
    """'total 0.70, 90% interval 0.20 to 0.83; within the noise' beside a floor of 0.01 read as a
    contradiction: the verdict rests on another bound (the index less the seed's, resample by
    resample, allowing for every parameter), which it now gives."""
    from types import SimpleNamespace

    from twin.sensitivity_report import noise_verdict

    assert noise_verdict(SimpleNamespace(above_noise=True, excess_over_floor_low=0.094)) == (
        "; above the noise: above the seed's by at least 0.094 resample by resample")
    assert "by at least 0.0012 " in noise_verdict(SimpleNamespace(above_noise=True, excess_over_floor_low=0.0012))
    within = noise_verdict(SimpleNamespace(above_noise=False, excess_over_floor_low=-0.151))
    assert within.startswith("; within the noise: resample by resample it may be 0.15 below the seed's")
    assert noise_verdict(SimpleNamespace(above_noise=False, excess_over_floor_low=float("nan"))) == "; within the noise"


def test_sensitivity_report_says_when_its_indices_are_not_for_conclusions(tmp_path):
    import pandas as pd

    from twin.scenario import load_scenario
    from twin.sensitivity import Uncertain
    from twin.sensitivity_report import reliability_warning, write_sensitivity_report

    def table(total, first, width):
        return pd.DataFrame([{"outcome": "discounted_harm_gbp", "parameter": "charge_prob", "total_order": total,
                              "first_order": first, "first_order_low": first - 0.05, "first_order_high": first + 0.05,
                              "total_order_low": total - width / 2, "total_order_high": total + width / 2}])

    assert reliability_warning(table(0.5, 0.4, 0.2), 64) is None
    assert "n = 16 base samples is too few" in reliability_warning(table(0.5, 0.4, 0.2), 16)
    signs = reliability_warning(table(1.4, 2.1, 0.9), 128)
    assert signs.startswith("even with n = 128 (here: total-order indices above 1, first-order indices above their "
                            "totals, total-order intervals wider than 0.5)") and "n >= 256" in signs
    assert "negative first-order" in reliability_warning(table(0.5, -0.2, 0.2), 64)
    config = {"scenario": load_scenario(ROOT / "scenarios" / "baseline.toml"), "compare": [],
              "uncertain": [Uncertain("charge_prob", 0.5, 0.9)], "n": 16, "seed": 1, "seed_factor": False}
    page = write_sensitivity_report(table(0.5, 0.4, 0.2), config, tmp_path).read_text()
    assert "Not for conclusions." in page and "too few for Sobol indices" in page
    config["n"] = 64
    page = write_sensitivity_report(table(0.5, 0.4, 0.2), config, tmp_path).read_text()
    assert "Not for conclusions" not in page
    # what was run: the scenario, the seed every sample shares, each parameter's range
    assert "baseline.toml (baseline)" in page and "every sample on seed 1 (seed_factor = false)" in page
    assert "<td>charge_prob</td>" in page and "<td>0.9</td>" in page
    assert "<caption>Parameters varied and their ranges</caption>" in page and 'lang="en-GB"' in page
    record = json.loads((tmp_path / "sensitivity.json").read_text())
    assert record["design"]["seed"] == 1 and record["design"]["parameters"] == [
        {"name": "charge_prob", "low": 0.5, "high": 0.9}]
    assert record["indices"][0]["parameter"] == "charge_prob"


def test_a_misspelt_lever_setting_is_blamed_on_the_config_that_names_it(tmp_path):
    from twin.sensitivity import load_config as load_sensitivity

    chb_file = ROOT / "scenarios" / "clear_hold_build.toml"
    chb = write(tmp_path / "chb.toml", f'[scenario]\nname = "chb"\nbase = "{chb_file}"\nspin_up_years = 0\n')  # paired with the baseline without its spin-up: the same timing
    body = (f'[sensitivity]\nscenario = "{QUICK_BASELINE}"\n'
            f'compare = ["{chb}"]\n'
            '[[parameter]]\nname = "lever.chb.buld_intensity"\nlow = 0.5\nhigh = 1.5\n[[parameter]]\nname = "charge_prob"\n')
    with pytest.raises(ScenarioError, match=r"s\.toml: \[\[parameter\]\] #1: 'lever.chb.buld_intensity': lever 'chb' "
                                            r"\(clear_hold_build\) has no setting 'buld_intensity' that can vary; did you mean "
                                            r"'build_intensity'"):
        load_sensitivity(write(tmp_path / "s.toml", body))


class Interrupting(SerialExecutor):
    """Ctrl-C after `after` finished tasks (over all its runs)."""

    def __init__(self, after):
        super().__init__()
        self.after, self.count = after, 0

    def run(self, fn, tasks, chunk=1):
        for task in tasks:
            if self.count == self.after:
                raise KeyboardInterrupt
            self.count += 1
            yield task, fn(task)


def test_an_interrupted_sensitivity_run_keeps_its_finished_samples_and_reuses_them(tmp_path, monkeypatch, capsys):
    """Ctrl-C after k samples: those k are in the output folder's checkpoint, the message says so,
    and the same command run again runs only the rest, with results identical to a run never
    interrupted."""
    import pandas as pd

    import twin.executor
    from twin import sensitivity
    from twin.cli import main
    from twin.sensitivity import CHECKPOINT, config_key, load_config as load_sensitivity, run_sensitivity

    out = tmp_path / "out"
    path = write(tmp_path / "s.toml", f'[sensitivity]\nscenario = "{QUICK_BASELINE}"\n'
                 f'years = 1\nn = 4\nseed = 3\nout = "{out}"\n'
                 '[[parameter]]\nname = "harm_gbp_per_heroin_crack_user_year"\n[[parameter]]\nname = "charge_prob"\n')
    config = load_sensitivity(path)
    total = 4 * (2 + 1 + 2)  # two parameters and the seed

    monkeypatch.setattr(twin.executor, "make_executor", lambda *args, **kwargs: Interrupting(5))
    assert main(["sensitivity", str(path), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert f"5 of {total} samples (1 model run(s) each) saved in {out / CHECKPOINT}" in err
    assert len((out / CHECKPOINT).read_text().splitlines()) == 5
    with (out / CHECKPOINT).open("ab") as file:  # bytes that are not text, and a line cut short by a kill,
        file.write(b'\xff\xfe not text\n{"config": "' + config_key(config).encode())  # are skipped, not fatal

    ran = []
    original = sensitivity.run_sample
    monkeypatch.setattr(sensitivity, "run_sample", lambda task: ran.append(task) or original(task))
    messages = []
    shown = []
    resumed = run_sensitivity(config, SerialExecutor(), progress=shown.append,  # the checkpoint is in config["out"]
                              log=messages.append)
    # the progress starts from the 5 samples reused and counts each one run after them, to the total
    assert shown == list(range(5, total + 1))
    assert len(ran) == total - 5 and messages == [f"Reusing 5 of {total} samples finished earlier ({out / CHECKPOINT})."]
    fresh = run_sensitivity(config, SerialExecutor(), checkpoint=tmp_path / "fresh", log=messages.append)
    assert len(ran) == 2 * total - 5
    pd.testing.assert_frame_equal(resumed, fresh, check_exact=True)
    # A finished run is reused whole; a run of another config reuses nothing of it.
    assert run_sensitivity(config, SerialExecutor(), log=messages.append).equals(fresh) and len(ran) == 2 * total - 5
    others = [dict(config, seed=4), dict(config, n=8), dict(config, scenario=replace(config["scenario"], years=2)),
              dict(config, uncertain=[config["uncertain"][0], replace(config["uncertain"][1], high=0.95)])]
    assert len({config_key(c) for c in [config, *others]}) == 5
    without = dict(config)
    del without["out"]
    with pytest.raises(KeyboardInterrupt):
        run_sensitivity(without, Interrupting(2), log=messages.append)
    assert messages[-1] == "twin: sensitivity interrupted: finished samples were not saved (no output folder)."
    # interrupted after its samples, while the indices' intervals are worked out: it says they are kept
    import scipy.stats

    real = scipy.stats.sobol_indices

    def interrupted_bootstrap(**arguments):
        result = real(**arguments)
        result.bootstrap = lambda *args, **kwargs: (_ for _ in ()).throw(KeyboardInterrupt)
        return result

    monkeypatch.setattr(scipy.stats, "sobol_indices", interrupted_bootstrap)
    with pytest.raises(KeyboardInterrupt):
        run_sensitivity(config, SerialExecutor(), log=messages.append)
    assert messages[-1].startswith(f"twin: sensitivity interrupted: {total} of {total} samples")


def test_a_scenario_that_sets_a_calibrated_parameter_keeps_its_value_under_the_posterior(tmp_path):
    """The posterior supplies what a scenario leaves to the calibration; a value the scenario sets
    itself is what it tests, so the draw must not replace it (and the comparison says so)."""
    from twin.ensemble import prepare

    path = write(tmp_path / "posterior.csv", "asset_realisation_share,seizure_share_of_capital\n0.2,0.4\n0.3,0.5\n")
    realise = write(tmp_path / "realise.toml", f'[scenario]\nname = "realise"\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                                               '[parameters]\nasset_realisation_share = 0.8\n')
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    experiment, tasks, _ = prepare([str(ROOT / "scenarios" / "baseline.toml"), str(realise)], 6, 1, 1, store,
                                   posterior=str(path))
    for task in tasks:
        drawn = task.scenario.parameters
        assert drawn["seizure_share_of_capital"] in (0.4, 0.5)  # still drawn in both scenarios
        expected = 0.8 if task.scenario.name == "realise" else (0.2 if drawn["seizure_share_of_capital"] == 0.4 else 0.3)
        assert drawn["asset_realisation_share"] == expected
    spec = json.loads(store.experiment_row(experiment)["spec_json"])
    assert spec["posterior_held"] == {"realise": ["asset_realisation_share"]}
    from types import SimpleNamespace

    from twin.report_text import posterior_held_sentence

    said = posterior_held_sentence(SimpleNamespace(posterior_held=spec["posterior_held"]), markup=False)
    assert "realise sets asset_realisation_share" in said and "not the posterior's draw" in said
    assert posterior_held_sentence(SimpleNamespace(posterior_held={})) == ""


def test_compare_says_when_its_replicates_draw_from_the_posterior(tmp_path, capsys):
    """The console summary's note on intervals says that the calibrated parameters were drawn from
    the posterior only when they were."""
    from conftest import QUICK_CHB_PILOT
    from twin.cli import main

    posterior = write(tmp_path / "posterior.csv", "asset_realisation_share\n0.3\n0.5\n")
    clause = ("an average over the draws of the calibrated parameter of " + str(posterior)
              + " (asset_realisation_share) from the calibration's posterior sample made in each replicate")
    for extra, expected in (([], False), (["--posterior", str(posterior)], True)):
        args = ["compare", str(QUICK_BASELINE), str(QUICK_CHB_PILOT), "--reps", "2", "--years", "0.5",
                "--workers", "1", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / "out"), *extra]
        assert main(args) == 0
        assert (clause in capsys.readouterr().out) == expected
    # the report names what was drawn: above the differences, where the parameters come from, in the runs' record
    page = (tmp_path / "out" / "report.html").read_text().replace("&#x27;", "'")
    drew = f"Each replicate drew the calibrated parameter of {posterior} (asset_realisation_share) from"
    assert page.count(drew) == 3 and "none (parameter table defaults, the calibrated parameters drawn" in page
    assert "also held at single values in these runs" not in page
    assert "reflect only chance" not in page and "reflects only the replications' chance" not in page  # (drawn)
    # each run's draw is exported beside its seed (it was stored nowhere: such a run could not be traced)
    import pandas as pd

    from twin.posterior import load_posterior, posterior_draws

    assert main(["export", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--experiment", "2", "--out",
                 str(tmp_path / "export")]) == 0
    runs = pd.read_csv(tmp_path / "export" / "experiments.csv")
    draws = posterior_draws(load_posterior(str(posterior)), 1, 2)
    assert list(runs["posterior:asset_realisation_share"]) == [draws[r]["asset_realisation_share"]
                                                               for r in runs["replicate"]]
    assert "`posterior:<parameter>` for the parameters each run drew" in (tmp_path / "export" / "README.txt").read_text()
    # a sample edited since holds other draws: none given rather than wrong ones
    posterior.write_text("asset_realisation_share\n0.35\n0.45\n")
    assert main(["export", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--experiment", "2", "--out",
                 str(tmp_path / "edited")]) == 0
    assert not any(c.startswith("posterior:") for c in pd.read_csv(tmp_path / "edited" / "experiments.csv").columns)
    said = "its runs' posterior draws are not in experiments (no posterior: columns): the sample file it drew them "
    assert f"{said}from, {posterior}, holds other draws now" in (tmp_path / "edited" / "README.txt").read_text()
    assert f"{said}from, {posterior}, holds other draws now" in capsys.readouterr().err


def test_an_export_draws_the_posterior_again_with_uncertain_levers_and_from_another_folder(tmp_path, monkeypatch,
                                                                                             capsys):
    """With --uncertain-levers too, or exported from another folder than the comparison ran in (the sample
    given by a relative path), each run's posterior draws were left out of the export without a word."""
    import pandas as pd

    from conftest import QUICK_CHB_PILOT
    from twin.cli import main
    from twin.posterior import load_posterior, posterior_draws

    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    write(tmp_path / "project" / "posterior.csv", "asset_realisation_share\n0.3\n0.5\n0.4\n")
    database = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.chdir(tmp_path / "project")
    assert main(["compare", str(QUICK_BASELINE), str(QUICK_CHB_PILOT), "--reps", "2", "--years", "0.5", "--workers",
                 "1", "--db", database, "--out", str(tmp_path / "out"), "--posterior", "posterior.csv",
                 "--uncertain-levers", "--quiet"]) == 0
    draws = posterior_draws(load_posterior(str(tmp_path / "project" / "posterior.csv")), 1, 2)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["export", "--db", database, "--experiment", "1", "--out", str(tmp_path / "export")]) == 0
    runs = pd.read_csv(tmp_path / "export" / "experiments.csv")
    assert list(runs["posterior:asset_realisation_share"]) == [draws[r]["asset_realisation_share"]
                                                               for r in runs["replicate"]]
    assert any(c.startswith("lever_drawn:") for c in runs.columns)
    (tmp_path / "project" / "posterior.csv").unlink()  # gone: said, not left out without a word
    assert main(["export", "--db", database, "--experiment", "1", "--out", str(tmp_path / "gone")]) == 0
    assert not any(c.startswith("posterior:") for c in pd.read_csv(tmp_path / "gone" / "experiments.csv").columns)
    assert (f"the sample file it drew them from, {tmp_path / 'project' / 'posterior.csv'}, is no longer there"
            in capsys.readouterr().err)


def test_asking_for_more_replicates_runs_only_the_new_ones(tmp_path, capsys):
    """The number of replicates is not part of an experiment: a second `compare` with more runs only
    the new replicates in the same experiment, and asking again for fewer reports exactly what the
    first command reported (its replicates, the same runs)."""
    import pandas as pd

    from conftest import QUICK_CHB_PILOT
    from twin.cli import main

    def compare(reps, out):
        args = ["compare", str(QUICK_BASELINE), str(QUICK_CHB_PILOT), "--reps", str(reps), "--years", "0.5",
                "--workers", "1", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / out)]
        assert main(args) == 0
        return capsys.readouterr().out

    assert "Experiment 1: 4 replications run now, 0 already stored for it in" in compare(2, "two")
    assert "Experiment 1: 2 replications run now, 4 already stored for it in" in compare(3, "three")
    assert "Experiment 1: 0 replications run now, 4 already stored for it in" in compare(2, "two_again")
    first, again = (pd.read_csv(tmp_path / out / "summary.csv") for out in ("two", "two_again"))
    pd.testing.assert_frame_equal(first, again)
    three = pd.read_csv(tmp_path / "three" / "summary.csv")
    assert (three.reps == 3).all() and (first.reps == 2).all()


def test_construction_distance_counts_only_the_evaluated_targets_reproduced_by_construction():
    import numpy as np
    import pandas as pd

    from twin.targets import construction_distance

    targets = load_targets(TARGETS)
    inputs = [t for t in targets if t.by_construction]
    fitted = [t for t in targets if t.fitted_by]
    simulated = pd.DataFrame([{t.name: t.value for t in targets}])
    simulated[inputs[0].name] = inputs[0].value + 3 * inputs[0].tolerance   # 3 tolerances off
    simulated[inputs[1].name] = inputs[1].value - 4 * inputs[1].tolerance   # 4 off: 5 together
    simulated[fitted[0].name] = fitted[0].value + 7 * fitted[0].tolerance   # fitted: not counted
    simulated[inputs[2].name] = np.nan                                      # not evaluated: not counted
    assert construction_distance(fit_table(targets, simulated)) == pytest.approx(5.0)
    assert construction_distance(fit_table(fitted, simulated[[t.name for t in fitted]])) == 0.0


def test_whole_number_parameters_are_rounded_when_sampled_from_a_range():
    """Priors, sensitivity samples and sweep uncertainties draw from continuous ranges; a parameter
    that takes whole numbers gets the nearest one (it used to fail once the runs had started)."""
    from twin.calibration import Prior
    from twin.parameters import Parameters, as_sampled
    from twin.sensitivity import Uncertain, apply_values
    from twin.scenario import load_scenario

    assert as_sampled("ocgs_known_uk", 5074.71) == 5075.0 and as_sampled("ocgs_known_uk", 5074.49) == 5074.0
    assert as_sampled("asset_realisation_share", 0.4321) == 0.4321  # continuous parameters as drawn
    assert as_sampled("lever.chb.intensity", 0.37) == 0.37
    prior = Prior("soc_prisoners_initial", 9000, 12000)
    values = [prior.to_value(u) for u in np.linspace(0, 1, 37)]
    assert all(v == int(v) for v in values) and values[0] == 9000 and values[-1] == 12000
    Parameters({"soc_prisoners_initial": values[5]}, where="test")  # a valid value, no error
    scenario = apply_values(load_scenario(ROOT / "scenarios" / "baseline.toml"),
                            [Uncertain("ocgs_known_uk", 4000, 6000), Uncertain("entry_rate_per_month", 0.05, 1)],
                            np.array([4321.6, 0.333]))
    assert scenario.parameters == {"ocgs_known_uk": 4322.0, "entry_rate_per_month": 0.333}


def test_abc_priors_follow_their_scale_and_the_distance_leaves_out_inputs():
    """A log-scale prior is uniform in the logarithm (it was built uniform whatever the scale), and
    the ABC distance counts only the targets the parameters can move."""
    need("pyabc")
    from scipy import stats

    from twin.calibration import Prior
    from twin.calibration_abc import ABCDistance
    from twin.targets import Target

    rng = np.random.default_rng(3)
    for scale, transform in (("log", np.log), ("linear", lambda x: x)):
        prior = Prior("entry_rate_per_month", 0.05, 1.0, scale)
        draws = prior.random_variable().rvs(size=4000, random_state=rng)
        assert draws.min() >= 0.05 and draws.max() <= 1.0
        # uniform on the transformed scale: Kolmogorov-Smirnov against that uniform, 1% level
        low, high = transform(0.05), transform(1.0)
        assert stats.kstest(transform(draws), stats.uniform(low, high - low).cdf).pvalue > 0.01
    fitted = Target("harm", 40.0, 4.0, "test", "harm_gbp_total", (1, 1), "mean")
    inputs = Target("ocgs", 100.0, 10.0, "test", "ocgs_active", (1, 1), "mean", by_construction=True)
    distance = ABCDistance([fitted, inputs])
    assert distance({"harm": 48.0, "ocgs": 130.0}, {"harm": 40.0, "ocgs": 100.0}) == pytest.approx(2.0)
    with pytest.raises(ScenarioError, match="not reproduced by construction"):
        ABCDistance([inputs])


def _quick_abc(tmp_path, generations: int, population: int = 4, tolerance: float = 140e6,
               settings: str = "minimum_epsilon = 0.01\nposterior_size = 10\nworkers = 1\n"):
    """An ABC-SMC fit of one parameter to one target (assets recovered) over a year."""
    targets = write(tmp_path / "targets.toml", f'[[target]]\nname = "assets"\nvalue = 550e6\ntolerance = {tolerance:g}\n'
                    'source = "s"\nmetric = "assets_recovered_gbp"\nyears = [1, 1]\naggregation = "annual_sum"\n')
    return write(tmp_path / "abc.toml", f'[calibration]\nscenario = "{QUICK_BASELINE}"\ntargets = "{targets}"\n'
                 f'method = "abc"\nyears = 1\npopulation_size = {population}\ngenerations = {generations}\n'
                 f'{settings}[[parameter]]\nname = "asset_realisation_share"\n')


def test_an_abc_fit_whose_last_epsilon_went_below_its_minimum_says_so(tmp_path):
    """pyabc's last epsilon can land below minimum_epsilon (0.86 against 1.0 in a trial): the posterior is
    narrower than the threshold asks, which the report now says; a fit that stops above it says it has
    not converged, and one that stops at it neither."""
    need("pyabc")
    from twin.cli import main

    for minimum in (1e6, 0.01):
        config = _quick_abc(tmp_path, 2, settings=f"minimum_epsilon = {minimum:g}\nposterior_size = 10\nworkers = 1\n"
                                                  f'reps = 1\nout = "{tmp_path / "fit"}"\n')
        assert main(["calibrate", str(config), "--db", f"sqlite:///{tmp_path / 'm.db'}", "--quiet"]) == 0
        fit = json.loads((tmp_path / "fit" / "fit.json").read_text())
        final = fit["generations"][-1]["epsilon"]
        from twin.targets import fitted_distance

        table = pd.DataFrame(fit["targets"])
        told = re.search(r"The ABC distance at the medians, of the replicates' mean, is ([\d.]+) \(the last "
                         r"generation's epsilon ([\d.]+) bounds", " ".join(fit["notes"]))
        assert told and told.groups() == (f"{fitted_distance(table):.2f}", f"{final:.2f}")
        below = [n for n in fit["notes"] if "is below minimum_epsilon" in n]
        assert len(below) == (final < minimum), (final, fit["notes"])
        if below:
            assert below[0].startswith(f"The last generation's epsilon, {final:.3g}, is below minimum_epsilon (1e+06)")


def test_an_abc_fit_interrupted_within_a_generation_reuses_its_finished_particles(tmp_path, monkeypatch):
    """Ctrl-C after k particles of a generation: pyabc had stored none of it, and all k ran again.
    They are now kept in the output folder as they finish and taken back on resuming, and the fit
    comes out as one never interrupted; the checkpoint is removed once the fit is whole."""
    need("pyabc")
    import twin.calibration_abc as calibration_abc
    import twin.executor
    from twin.calibration_abc import PARTICLES_CHECKPOINT, CalibrationInterrupted, abc_fit

    ran = []
    original = calibration_abc._simulate_particle
    monkeypatch.setattr(calibration_abc, "_simulate_particle", lambda task: ran.append(task) or original(task))
    config = load_config(_quick_abc(tmp_path, generations=2))
    fresh = abc_fit(config, Store(f"sqlite:///{tmp_path / 'fresh.db'}"), workers=1, log=lambda m: None)
    whole = len(ran)

    store, out, said = Store(f"sqlite:///{tmp_path / 'c.db'}"), tmp_path / "out", []
    out.mkdir()
    for after, kept in ((3, 3), (6, 9)):  # twice: the second run reuses the first's 3 and runs 6 more
        monkeypatch.setattr(twin.executor, "make_executor", lambda *args, **kwargs: Interrupting(after))
        with pytest.raises(CalibrationInterrupted, match="particles of the generation under way finished so far"):
            abc_fit(config, store, workers=1, log=said.append, checkpoint=out)
        assert len((out / PARTICLES_CHECKPOINT).read_text().splitlines()) == kept
    assert f"Reusing 3 particle(s) of the generation under way finished earlier ({out / PARTICLES_CHECKPOINT})." in said
    lines = (out / PARTICLES_CHECKPOINT).read_text().splitlines()
    record = json.loads(lines[0])  # a particle as JSON, not a pickle read back from the output folder
    assert set(json.loads(record["outcome"])) >= {"parameter", "sum_stat", "distance", "accepted", "weight"}
    # a line edited by hand is simulated again rather than failing the fit; another run's lines are pruned
    record["outcome"] = "not a particle"
    other = dict(json.loads(lines[1]), sample="999:0:1")
    (out / PARTICLES_CHECKPOINT).write_text("\n".join([json.dumps(record), json.dumps(other), *lines[1:]]) + "\n")
    monkeypatch.setattr(twin.executor, "make_executor", lambda *args, **kwargs: SerialExecutor())
    del ran[:]
    resumed = abc_fit(config, store, workers=1, log=said.append, checkpoint=out)
    assert said[-1].startswith("Reusing 9 particle(s)")
    assert len(ran) == whole - 8
    assert resumed["generations"] == fresh["generations"] and resumed["best"] == fresh["best"]
    pd.testing.assert_frame_equal(resumed["posterior"], fresh["posterior"])
    assert not (out / PARTICLES_CHECKPOINT).exists()


def test_an_interrupted_abc_fit_says_what_it_kept_and_resumes_from_it(tmp_path, monkeypatch, capsys):
    """Ctrl-C after a finished generation: the command says how many generations are kept and that
    the one under way is lost, exits 130, and the same command continues after the kept ones."""
    pyabc = need("pyabc")
    from twin.cli import main

    config = _quick_abc(tmp_path, generations=2)
    original = pyabc.ABCSMC.run

    def one_generation_then_ctrl_c(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "max_nr_populations": 1})
        raise KeyboardInterrupt

    argv = ["calibrate", str(config), "--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / "out"),
            "--quiet"]
    monkeypatch.setattr(pyabc.ABCSMC, "run", one_generation_then_ctrl_c)
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "twin: interrupted; 1 finished generation is kept in the database" in err
    assert (f"the particles of the generation under way finished so far are kept in "
            f"{tmp_path / 'out' / 'abc_particles.jsonl'}" in err and "Run the same command again to continue" in err)
    monkeypatch.setattr(pyabc.ABCSMC, "run", original)
    assert main(argv[:-1]) == 0  # (not --quiet: what it found is said on the console too)
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "out" / "fit.json").read_text())
    assert re.search(r"\nPosterior medians\n  asset_realisation_share +[\d.]+ +\S*  \(90% credible interval "
                     r"[\d.]+ to [\d.]+, \d+% of the prior's 90% range; prior uniform 0.1 to 0.8; before the fit", out)
    assert [g["t"] for g in report["generations"]] == [0, 1]  # the kept generation, then the second
    # what a researcher needs to read the fit: settings, priors, credible intervals, weights, ESS
    assert report["settings"]["population_size"] == 4 and report["settings"]["seed"] == 1
    # which files it fitted: the targets and the scenario (a posterior's fit is read against them)
    assert report["settings"]["targets"] == str(tmp_path / "targets.toml")
    # under the keys `twin fit` writes them: the scenario's file, and its name apart
    assert report["settings"]["scenario"] == str(QUICK_BASELINE) and report["settings"]["scenario_name"] == "baseline"
    from twin.ensemble import code_hash

    assert report["code"] == {"code_hash": code_hash()}  # the model it was fitted by
    assert report["settings"]["priors"] == [{"name": "asset_realisation_share", "low": 0.1, "high": 0.8,
                                             "scale": "linear"}]
    (row,) = report["parameters"]
    assert row["credible 5%"] <= row["posterior median"] <= row["credible 95%"]
    particles = pd.read_csv(tmp_path / "out" / "particles.csv")
    assert len(particles) == 4 and particles["weight"].sum() == pytest.approx(1.0)
    page = (tmp_path / "out" / "fit.html").read_text()
    assert "Calibrated parameters" in page and "credible 5%" in page
    ess = report["generations"][-1]["effective_sample_size"]
    assert f"effective sample size is {ess:.0f} of 4" in page
    import logging

    assert logging.getLogger("ABC").getEffectiveLevel() == logging.WARNING  # --quiet silences pyabc's log
    logging.getLogger("ABC").setLevel(logging.INFO)  # as pyabc left it, for the tests that follow


def test_a_point_fit_that_runs_out_of_evaluations_says_it_has_not_converged(tmp_path, monkeypatch, capsys):
    import twin.calibration as calibration
    from twin.cli import main

    targets = write(tmp_path / "targets.toml", '''
[[target]]
name = "assets"
value = 800e6
tolerance = 140e6
source = "test"
metric = "assets_recovered_gbp"
years = [1, 1]
aggregation = "annual_sum"
''')
    body = f'''
[calibration]
scenario = "{QUICK_BASELINE}"
targets = "{targets}"
reps = 1
years = 1
max_evaluations = {{n}}
out = "{tmp_path / 'cal'}"
[[parameter]]
name = "asset_realisation_share"
'''
    # a smooth misfit with its minimum inside the range, instead of the model
    monkeypatch.setattr(calibration, "evaluate", lambda scenario, targets, seeds, overrides, *_, **__: overrides)
    monkeypatch.setattr(calibration, "fit_table", lambda targets, values: {**values, "evaluated": pd.Series([True])})
    monkeypatch.setattr(calibration, "misfit", lambda values: (values["asset_realisation_share"] - 0.3) ** 2)
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    short = point_fit(load_config(write(tmp_path / "short.toml", body.format(n=3))), SerialExecutor(), store)
    assert not short["converged"]
    # the best point evaluated, though the iteration that found it was cut short (Nelder-Mead's own
    # answer had a misfit of 0.0196 against that point's 0.0012)
    best = min(short["history"], key=lambda entry: entry["misfit"])
    assert short["misfit"] == best["misfit"] < short["history"][0]["misfit"]
    assert short["best"] == {"asset_realisation_share": best["asset_realisation_share"]}
    assert point_fit(load_config(write(tmp_path / "long.toml", body.format(n=200))), SerialExecutor(), store)["converged"]
    # the command says so, as it does for ABC-SMC
    best = {"best": {"asset_realisation_share": 0.3 + 0.14}, "misfit": 1.0, "evaluations": 3, "history": [],
            "seeds": [1], "key": "k", "from_database": 0, "converged": False}
    monkeypatch.undo()  # the final fit table runs the model; only point_fit stays replaced
    monkeypatch.setattr(calibration, "point_fit", lambda *args, **kwargs: best)
    assert main(["calibrate", str(tmp_path / "short.toml"), "--db", f"sqlite:///{tmp_path / 'c.db'}", "--quiet"]) == 0
    assert "Not converged: the point fit used its 3 evaluations (max_evaluations)" in capsys.readouterr().err
    # its parameters as a user would type them (0.3 + 0.14 is 0.44000000000000006 in binary)
    text = (tmp_path / "cal" / "best_parameters.toml").read_text()
    assert "asset_realisation_share = 0.44\n" in text and text.startswith("# the point fit's best parameters")
    import tomllib

    assert tomllib.loads(text)["parameters"] == {"asset_realisation_share": 0.44}  # the comments keep it valid TOML
    # and a scenario: the calibrated one (its base) with the fitted value, to run, fit or compare beside it
    from twin.scenario import load_scenario

    calibrated, base = load_scenario(tmp_path / "cal" / "best_parameters.toml"), load_scenario(QUICK_BASELINE)
    assert calibrated.name == f"{base.name}_calibrated" and calibrated.name != base.name
    assert calibrated.build_parameters().uk_value("asset_realisation_share") == 0.44
    assert calibrated.parameters == {**base.parameters, "asset_realisation_share": 0.44}
    assert (calibrated.years, calibrated.step, calibrated.start_date) == (base.years, base.step, base.start_date)


def test_an_abc_fit_without_pyabc_fails_before_making_its_report_folder(tmp_path, monkeypatch, capsys):
    import sys

    from twin.cli import main

    monkeypatch.setitem(sys.modules, "pyabc", None)  # as if pyabc were not installed
    config = write(tmp_path / "abc.toml", f'''
[calibration]
scenario = "{QUICK_BASELINE}"
targets = "{TARGETS}"
method = "abc"
years = 3
out = "{tmp_path / 'abc_out'}"
[[parameter]]
name = "asset_realisation_share"
''')
    assert main(["calibrate", str(config), "--db", f"sqlite:///{tmp_path / 'c.db'}"]) == 2
    assert 'needs pyabc: pip install -e ".[calibrate]"' in capsys.readouterr().err
    assert not (tmp_path / "abc_out").exists()


def test_validation_json_is_standard_json_with_nan_as_null():
    import json

    from twin.validation import _json_ready

    measures = {"months_to_90pc_recovery": {"mean": float("nan"), "se": float("nan"), "seeds_observed": 0,
                                            "by_seed": [float("nan"), 3.0]}}
    text = json.dumps(_json_ready({"entry": {"measures": measures}}), allow_nan=False)  # raises on a NaN left
    assert json.loads(text)["entry"]["measures"]["months_to_90pc_recovery"] == {
        "mean": None, "se": None, "seeds_observed": 0, "by_seed": [None, 3.0]}


def test_a_target_of_the_total_is_read_in_any_case(tmp_path):
    from twin.geography import load_geography

    body = ('[[target]]\nname="x"\nvalue=1\ntolerance=1\nsource="s"\nmetric="arrests"\nyears=[1,2]\n'
            'aggregation="mean"\narea="uk"\n')
    assert load_targets(write(tmp_path / "t.toml", body), load_geography().area_names)[0].area == "UK"


def test_two_calibrations_of_one_fit_started_at_once_the_second_says_so(tmp_path, monkeypatch, capsys):
    """Another `twin calibrate` of the same fit registers its ABC-SMC run between this one's creating
    its run and registering it: this one stops with a one-line error naming the other run, and the
    registered run is the other's."""
    pyabc = need("pyabc")
    from twin.cli import main

    config = _quick_abc(tmp_path, generations=1)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    asked, original_lookup, original_new = [], Store.abc_run, pyabc.ABCSMC.new

    def lookup(store, fit_key):  # the command asks for the fit's run before creating one: its key
        asked.append(fit_key)
        return original_lookup(store, fit_key)

    def the_other_command_registers_first(self, *args, **kwargs):
        history = original_new(self, *args, **kwargs)
        assert Store(url).save_abc_run(asked[-1], 999)  # the other command, a moment sooner
        return history

    monkeypatch.setattr(Store, "abc_run", lookup)
    monkeypatch.setattr(pyabc.ABCSMC, "new", the_other_command_registers_first)
    assert main(["calibrate", str(config), "--db", url, "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = [line for line in capsys.readouterr().err.strip().splitlines()
           if "rest on so few particles" not in line]  # (the tiny trial's population is warned of)
    assert len(err) == 1 and "another `twin calibrate` of the same fit started at the same moment" in err[0]
    assert "(ABC-SMC run 999)" in err[0] and "Traceback" not in err[0]
    assert original_lookup(Store(url), asked[-1]) == 999


def test_the_wide_calibration_fits_every_parameter_set_by_hand_or_by_abc_to_reproduce_a_target():
    """calibration/abc_assumptions.toml: every parameter a target names in `fitted_by` that is not derived
    from a source or taken from one (the calibrated and the assumptions tuned by hand), and none other; over ten
    years, so that the late targets enter its distance too."""
    from twin.parameters import table_rows

    config = load_config(ROOT / "calibration" / "abc_assumptions.toml")
    provenance = {row.name: row.provenance for row in table_rows()}
    named = {name for target in config["targets"] for name in target.fitted_by}
    tuned = {name for name in named if provenance[name] not in ("derived", "sourced")}
    assert {"share_violent", "share_type_family"} <= named - tuned  # the late shares hold their figures
    assert len(tuned) >= 15 and [p.name for p in config["priors"]] and {p.name for p in config["priors"]} == tuned
    assert config["method"] == "abc" and not config["targets_beyond_horizon"]
    for prior in config["priors"]:  # rates and durations: the log scale where a range spans five times or more
        wide = prior.name.endswith(("_per_month", "_months")) and prior.high / prior.low >= 5
        assert (prior.scale == "log") == wide, prior.name


def test_a_long_list_of_fitted_parameters_is_shortened_on_the_console_only():
    import pandas as pd

    from twin.fit_report import fit_lines

    rows = [dict(target=f"t{k}", area="UK", unit="x", observed=1.0, tolerance=0.1, simulated_mean=1.0,
                 simulated_p5=1.0, simulated_p95=1.0, evaluated=True, within_tolerance=True, by_construction=False,
                 fitted_by=fitted, years=(1, 3), standardised_error=0.0, runs_within_tolerance=1, replicates=1, runs=1)
            for k, fitted in enumerate(("a, b, c, d", "a, b, c, d, e, f", "a", ""))]
    lines = fit_lines(pd.DataFrame(rows))
    assert lines[0].endswith("(fitted: a, b, c, d)") and lines[1].endswith("(fitted: a, b, c and 3 more)")
    assert lines[2].endswith("(fitted: a)") and lines[3].endswith("tolerances")


def test_best_parameters_of_a_scenario_with_a_long_title_is_a_scenario_that_loads(tmp_path):
    """The shipped baseline's title is 39 characters: '... (calibrated)' after it made a title of 42,
    over the 40 a title may have, so every shipped calibration wrote a file that did not load."""
    from twin.cli_calibration import _calibrated_scenario
    from twin.config_checks import MAX_TITLE_CHARS
    from twin.scenario import load_scenario

    for name in ("baseline.toml", "funding_ct_parity.toml"):
        source = load_scenario(ROOT / "scenarios" / name)
        text = _calibrated_scenario({"scenario_file": str(ROOT / "scenarios" / name), "scenario": source}, tmp_path)
        (tmp_path / "best_parameters.toml").write_text(text + "\n[parameters]\nasset_realisation_share = 0.44\n")
        calibrated = load_scenario(tmp_path / "best_parameters.toml")
        assert calibrated.title.endswith(" (calibrated)") and len(calibrated.title) <= MAX_TITLE_CHARS
        # a title too long for the suffix gives way to the scenario's name ('Current policy without… (calibrated)')
        assert calibrated.title.removesuffix(" (calibrated)") in (source.title, source.name)
        assert name != "baseline.toml" or calibrated.title == "baseline (calibrated)"
        assert calibrated.parameters == {**source.parameters, "asset_realisation_share": 0.44}
        assert [lever["type"] for lever in calibrated.levers] == [lever["type"] for lever in source.levers]
    # a name too long as well: the title is cut at a word
    long = tmp_path / "long.toml"
    long.write_text('[scenario]\nname = "national_security_package_with_prisons"\n'
                    'title = "National security package with prisons"\n')
    source = load_scenario(long)
    text = _calibrated_scenario({"scenario_file": str(long), "scenario": source}, tmp_path)
    (tmp_path / "best_parameters.toml").write_text(text)
    calibrated = load_scenario(tmp_path / "best_parameters.toml")
    assert calibrated.title.endswith("… (calibrated)") and len(calibrated.title) <= MAX_TITLE_CHARS
    cut = calibrated.title.removesuffix(" (calibrated)").removesuffix("…")
    assert source.title.startswith(cut) and source.title[len(cut):][:1] == " "  # cut at a word


def test_every_command_that_runs_a_scenario_says_what_twin_run_says_of_it(tmp_path, monkeypatch, capsys):
    """A scenario value beyond its plausible range is remarked on before `twin fit`, `twin calibrate`,
    `twin sensitivity` and `twin screen` run it, as before `twin run`, except a parameter the
    command sets itself (calibrated or sampled), whose file value is not run."""
    from twin import calibration
    from twin.cli import main
    from twin.screening import load_config as load_screening
    from twin.sensitivity import load_config as load_sensitivity

    scenario = write(tmp_path / "beyond.toml", f'[scenario]\nname = "beyond"\nbase = "{QUICK_BASELINE}"\n'
                     "[parameters]\nprice_supply_elasticity = 5.0\ncharge_prob = 0.99\n")
    elasticity, charge = "price_supply_elasticity = 5 is beyond its plausible range", "charge_prob = 0.99 is beyond"

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(calibration, "evaluate", stopped)  # the fit stops at its first run: the remark came before
    assert main(["fit", str(scenario), "--reps", "1", "--out", str(tmp_path / "fit")]) == 130
    err = capsys.readouterr().err
    assert f"Warning: {scenario}: [parameters]: {elasticity}, 0.3 to 2." in err and charge in err
    prior = '[[parameter]]\nname = "charge_prob"\n[[parameter]]\nname = "conviction_prob"\n'
    said = load_config(write(tmp_path / "c.toml", f'[calibration]\nscenario = "{scenario}"\ntargets = "{TARGETS}"\n'
                             + prior))["warnings"]
    assert any(elasticity in w for w in said) and not any(charge in w for w in said)  # charge_prob is calibrated
    for load, section in ((load_sensitivity, "sensitivity"), (load_screening, "screening")):
        said = load(write(tmp_path / f"{section}.toml", f'[{section}]\nscenario = "{scenario}"\n' + prior))["warnings"]
        assert any(elasticity in w for w in said) and not any(charge in w for w in said), section
    # a lever setting the design samples: the remark on the file's value (its hiring cap) is left out
    said = load_screening(ROOT / "calibration" / "screening_levers.toml")["warnings"]
    assert not any("max_growth_share_per_year" in w for w in said)
    from twin.preflight import preflight_warnings
    from twin.scenario import load_scenario

    parity = load_scenario(ROOT / "scenarios" / "funding_ct_parity.toml")
    assert any("max_growth_share_per_year" in w for w in preflight_warnings([parity], 5))  # not sampled: said


def test_a_fit_held_against_the_edge_of_its_prior_is_said():
    """A point fit's best value at an end of its prior, or an ABC posterior piled against one (its
    whole 90% interval in the outer fifth), went unremarked; a value inside, or an interval that
    spans the range, is not remarked on."""
    from twin.calibration import edge_notes

    priors = [Prior("supply_demand_ratio_initial", 0.5, 1.5), Prior("harm_gbp_per_heroin_crack_user_year", 4e4, 9e4),
              Prior("charge_prob", 0.5, 0.9)]
    best = pd.DataFrame({"best value": [1.5, 6e4, 0.5004]})
    said = edge_notes(priors, best)
    assert len(said) == 2 and said[0].startswith("supply_demand_ratio_initial: its best value 1.5 lies at the upper "
                                                 "end of its prior (0.5 to 1.5)")
    assert said[1].startswith("charge_prob: its best value 0.5004 lies at the lower end")
    posterior = pd.DataFrame({"credible 5%": [0.6, 80300.0, 0.52], "credible 95%": [1.4, 89100.0, 0.85]})
    said = edge_notes(priors, posterior)
    assert said == ["harm_gbp_per_heroin_crack_user_year: its 90% credible interval 8.03e+04 to 8.91e+04 lies at the "
                    "upper end of its prior (40000 to 90000): the targets push it beyond the range, so that range (or "
                    "the model) is in question, and the other parameters are fitted around a value held at its edge"]
    # a whole-number parameter with a few values has no edge (either of two values is 'at an end'); with
    # many it has
    few, many = Prior("ocg_size_min", 3, 4), Prior("ocg_size_min", 2, 30)
    assert edge_notes([few], pd.DataFrame({"best value": [4.0]})) == []
    assert edge_notes([few], pd.DataFrame({"credible 5%": [4.0], "credible 95%": [4.0]})) == []
    assert edge_notes([many], pd.DataFrame({"best value": [30.0]}))[0].startswith(
        "ocg_size_min: its best value 30 lies at the upper end of its prior (2 to 30)")


def test_an_abc_population_too_small_to_summarise_is_warned_of(tmp_path):
    base = (f'[calibration]\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\ntargets = "{TARGETS}"\n'
            'method = "abc"\n')
    prior = '[[parameter]]\nname = "supply_demand_ratio_initial"\n'
    said = load_config(write(tmp_path / "c.toml", base + "population_size = 12\n" + prior))["warnings"]
    assert any("population_size = 12: the posterior's 5% and 95% rest on so few particles" in w for w in said)
    said = load_config(write(tmp_path / "c.toml", base + "population_size = 20\n" + prior))["warnings"]
    assert not any("rest on so few particles" in w for w in said)
