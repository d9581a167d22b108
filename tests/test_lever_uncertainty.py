"""Drawing the levers' assumed effect sizes and costs per replicate (`twin compare --uncertain-levers`)."""

import numpy as np
import pytest
from scipy import stats

from conftest import SCENARIOS, write
from twin.interventions import LEVER_TYPES
from twin.scenario_levers import build_levers
from twin.lever_uncertainty import (DESIGN_SETTINGS, drawn_settings, held_settings, lever_draws, setting_draw,
                                    triangular, with_drawn_levers)
from twin.scenario import load_scenario

BASE = str(SCENARIOS / "baseline.toml")
CT = str(SCENARIOS / "ct_powers.toml")


def test_a_policy_s_design_and_sourced_values_are_kept_and_its_assumptions_drawn():
    for kind, names in DESIGN_SETTINGS.items():  # every design setting named is a setting of its lever
        assert set(names) <= {p.name for p in LEVER_TYPES[kind].settings}, kind
    drawn = {f"{cls.type_name}.{p.name}" for cls in LEVER_TYPES.values() for p in drawn_settings(cls)}
    assert {"clear.success_uplift", "hold.entry_reduction", "investigatory_powers.cost_gbp_per_year",
            "funding.training_months"} <= drawn
    assert not {"clear.surge_investigators_per_area", "clear_hold_build.hold_years", "funding.budget_gbp_per_year",
                "funding.multi_year", "soc_fund.already_kept_share", "prison_places.extra_places"} & drawn
    for cls in LEVER_TYPES.values():
        for p in drawn_settings(cls):
            assert p.low <= p.value <= p.high and p.source.lower().startswith("assumption")


def test_draws_follow_the_triangular_distribution_over_the_range_peaking_at_the_assumed_value():
    """2,000 replicates' draws of two settings (one peaking inside its range, one at its top): a
    Kolmogorov-Smirnov test against scipy's triangular distribution, and the mean within 4 standard errors."""
    for key, low, mode, high in (("clear.success_uplift", 0.0, 0.15, 0.4), ("regional_tier.friction_removed", 0, 1, 1)):
        draws = np.array([setting_draw(key, low, mode, high, 7, rep) for rep in range(2000)])
        assert draws.min() >= low and draws.max() <= high
        law = stats.triang((mode - low) / (high - low), loc=low, scale=high - low)
        assert stats.kstest(draws, law.cdf).pvalue > 0.001
        assert abs(draws.mean() - law.mean()) < 4 * law.std() / np.sqrt(draws.size)
    assert triangular(0.0, 1, 2, 4) == 1 and triangular(1.0, 1, 2, 4) == 4 and triangular(1 / 3, 1, 2, 4) == 2


def test_a_replicate_s_draw_is_the_same_for_every_scenario_and_whatever_else_is_drawn():
    """Paired: the draw of one setting in one replicate does not depend on the other lever types
    drawn, nor on the number of replicates; replicates and seeds differ."""
    alone = lever_draws({"clear"}, 3, 5)
    together = lever_draws({"clear", "hold", "investigatory_powers"}, 3, 5)
    assert alone == {k: v for k, v in together.items() if k.startswith("clear.")}
    assert lever_draws({"clear"}, 3, 6) != alone and lever_draws({"clear"}, 4, 5) != alone
    # clear_hold_build's clear phase and a clear lever in two scenarios take the same draws
    package = with_drawn_levers(load_scenario(str(SCENARIOS / "national_security_package.toml")), 3, 5)
    chb = next(lever for lever in build_levers(package) if lever.type_name == "clear")
    assert chb.values["success_uplift"] == alone["clear.success_uplift"] != LEVER_TYPES["clear"].settings[1].value


def test_one_quantity_of_two_lever_types_is_drawn_once_and_a_setting_only_some_levers_set_is_drawn(tmp_path):
    """The funding lever and the SOC fund hire under one cap (the lowest stated): drawn apart, an option
    with both met the lower of two draws. A setting one of two levers of a type sets is still drawn for
    the other, and exported as drawn."""
    draws = lever_draws({"funding", "soc_fund"}, 2, 3)
    for name in ("max_growth_share_per_year", "training_months"):
        assert draws[f"funding.{name}"] == draws[f"soc_fund.{name}"]
    assert draws["funding.yearly_bid_efficiency"] != draws["funding.max_growth_share_per_year"]
    path = write(tmp_path / "two.toml", f'[scenario]\nname = "two"\nbase = "{BASE}"\n'
                                        '[[levers]]\nname = "a"\ntype = "clear"\nsuccess_uplift = 0.3\n'
                                        '[[levers]]\nname = "b"\ntype = "clear"\n'
                                        '[[levers]]\nname = "c"\ntype = "hold"\nentry_reduction = 0.6\n')
    scenario = load_scenario(str(path))
    first, second, hold = build_levers(with_drawn_levers(scenario, 2, 3))
    assert first.values["success_uplift"] == 0.3 and second.values["success_uplift"] != 0.3
    assert held_settings([scenario]) == {"two": ["hold.entry_reduction"]}  # every hold sets it; not every clear


def test_built_levers_take_the_draws_except_what_their_scenario_sets(tmp_path):
    path = write(tmp_path / "own.toml", f'[scenario]\nname = "own"\nbase = "{BASE}"\n'
                                        '[[levers]]\ntype = "investigatory_powers"\ndetection_uplift = 0.5\n')
    scenario = load_scenario(str(path))
    drawn = with_drawn_levers(scenario, 1, 0)
    assert drawn.spec_hash() != scenario.spec_hash() != with_drawn_levers(scenario, 1, 1).spec_hash()
    plain, lever = (build_levers(s)[0] for s in (scenario, drawn))
    draws = lever_draws({"investigatory_powers"}, 1, 0)
    assert lever.values["detection_uplift"] == 0.5  # set by the scenario: kept
    for name in ("intel_uplift", "success_uplift", "cost_gbp_per_year"):
        assert lever.values[name] == draws[f"investigatory_powers.{name}"] != plain.values[name]
    assert held_settings([scenario, load_scenario(BASE)]) == {"own": ["investigatory_powers.detection_uplift"]}


def test_a_comparison_with_drawn_levers_is_an_experiment_of_its_own_and_costs_follow_the_draws(tmp_path, capsys):
    """End to end: each replicate's lever cost is its draw of the cost (the only drawn setting of
    oversight), so two replicates' costs are in the ratio of their draws; the report says what was drawn."""
    from twin.cli import main
    from twin.compare import load_comparison
    from twin.ensemble import run_ensemble
    from twin.store import Store

    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    plain = run_ensemble([BASE, CT], 2, 11, 1, 1, store, progress=False)
    drawn = run_ensemble([BASE, CT], 2, 11, 1, 1, store, progress=False, uncertain_levers=True)
    assert drawn.experiment_id != plain.experiment_id and drawn.ran == 4
    def oversight_cost(experiment_id):  # by replicate
        summaries = store.summaries_frame(experiment_id).merge(store.runs_frame(experiment_id), on="run_id")
        rows = summaries[summaries.metric == "total_lever_cost_gbp_oversight"].sort_values("replicate")
        return rows["value"].to_numpy()

    cost, plain_cost = oversight_cost(drawn.experiment_id), oversight_cost(plain.experiment_id)
    assert cost.size == plain_cost.size == 2 and plain_cost[0] == plain_cost[1]
    draws = [lever_draws({"oversight"}, 11, rep)["oversight.cost_gbp_per_year"] for rep in (0, 1)]
    assert cost[1] / cost[0] == pytest.approx(draws[1] / draws[0], rel=1e-9)
    assert cost[0] / plain_cost[0] == pytest.approx(draws[0] / 5e6, rel=1e-9)  # the default: £5m a year
    comparison = load_comparison(store, drawn.experiment_id)
    assert comparison.lever_uncertainty and not load_comparison(store, plain.experiment_id).lever_uncertainty
    out = tmp_path / "out"
    assert main(["compare", BASE, CT, "--reps", "2", "--seed", "11", "--years", "1", "--uncertain-levers",
                 "--db", f"sqlite:///{tmp_path / 't.db'}", "--out", str(out)]) == 0
    console = capsys.readouterr().out
    assert "an average over the draws of every lever's assumed effect sizes and costs" in console
    assert "Scenario names (for --baseline and in summary.csv): " in console and "Countering SOC Bill = ct_powers" in console
    page = (out / "report.html").read_text().replace("&#x27;", "'")
    # no fixed text left saying the levers' values were single (the report said so beside its draws)
    for single in ("each cost is a single value", "leave out the uncertainty of the assumed effect sizes",
                   "each a single value here", "given the model's assumed effect sizes and costs (not varied"):
        assert single not in page
    assert "the levers' unit costs were drawn in each replicate from their plausible ranges" in page
    assert "lever costs are the assumed values" not in page
    assert "Each replicate drew every lever's assumed effect sizes and costs" in page  # the runs' record
    said = page.index(" Where its description gives figures, they are at the levers' assumed values")  # a sentence
    assert page[said - 1] in ".?!" and page[said - 2] != "."
    assert "Each replicate draws every lever's assumed effect sizes and costs" in page
    assert "(drawn: peak of its range)" in page and "not varied here" not in page
    # the switching value's base is what was spent, the mean of the drawn costs, and the first screen says what
    # the best option is, in its scenario's words
    # the switching value's base is what was spent, the mean of the drawn costs; the first screen says what the
    # best option is, in its scenario's words
    assert "over its mean drawn cost (the levers' costs drawn from their ranges" in page
    assert "over its assumed cost" not in page
    assert "What Countering SOC Bill is: The Countering SOC Bill's powers (source 003" in page
    assert "single replications vary far more (the middle 90% of the paired replications " in page
    import pandas as pd

    summary = pd.read_csv(out / "summary.csv")
    net = summary[(summary.scenario == "ct_powers") & (summary.metric == "discounted_net_social_cost_gbp")].iloc[0]
    assert net["diff_p5"] <= net["diff_mean"] <= net["diff_p95"] and net["pairs"] == 2
    # an export gives each run's draws, none where the scenario has no such lever
    assert main(["export", "--db", f"sqlite:///{tmp_path / 't.db'}", "--experiment", str(drawn.experiment_id),
                 "--out", str(tmp_path / "export")]) == 0
    runs = pd.read_csv(tmp_path / "export" / "experiments.csv")
    column = runs["lever_drawn:oversight.cost_gbp_per_year"]
    ct = runs["scenario"] == "ct_powers"
    assert list(column[ct]) == draws and column[~ct].isna().all()
    # a comparison of draws stopped short says to finish it with the option that makes it what it is
    from twin.ensemble import prepare

    prepare([BASE, CT], 3, 11, 1, store, uncertain_levers=True)
    capsys.readouterr()
    assert main(["export", "--db", f"sqlite:///{tmp_path / 't.db'}", "--experiment", str(drawn.experiment_id),
                 "--out", str(tmp_path / "export")]) == 0
    assert "(with --reps 3 and --uncertain-levers) to finish it" in capsys.readouterr().err


def test_twin_levers_marks_the_settings_drawn(capsys):
    from twin.cli import main

    assert main(["levers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    clear = lines[next(k for k, line in enumerate(lines) if line.startswith("clear:")):]
    setting = {line.split(" = ")[0].strip(): line for line in clear[:8] if " = " in line}
    assert setting["success_uplift"].endswith("[drawn]")
    assert not setting["surge_investigators_per_area"].endswith("[drawn]")  # the policy's size: kept


def test_what_each_replicate_drew_is_said_alike_in_every_sentence():
    """The report's fixed sentences said the levers' effect sizes and the parameters were held at
    single values in comparisons that drew them (`--uncertain-levers`, `--posterior`)."""
    from types import SimpleNamespace

    from twin import report_drawn as said

    sentences = (said.rests_on_values, said.intervals_leave_out, said.lever_costs_clause, said.parameters_note,
                 said.console_intervals, said.drawn_uncertainty)
    for levers in (False, True):
        for posterior in (None, "calibration/posterior.csv"):
            names = ["a_share", "b_ratio"] if posterior else []
            comparison = SimpleNamespace(lever_uncertainty=levers, posterior=posterior, posterior_held={},
                                         lever_held={}, posterior_parameters=names)
            text = " ".join(sentence(comparison) for sentence in sentences)
            lever_single = any(p in text for p in ("effect sizes, each a single value", "each cost is a single value",
                                                   "(not varied here)", "leave out the uncertainty of the assumed"))
            assert lever_single != levers, (levers, posterior, text)
            parameters_single = "uncertain parameters, also held at single values in these runs" in text or \
                "uncertain parameters, held at single values in these runs" in text
            assert parameters_single == (not posterior), (levers, posterior, text)
            named = "the 2 calibrated parameters of calibration/posterior.csv (a_share and b_ratio)" in text
            assert named == bool(posterior)
            assert ("draws average away from the assumed value" in text) == levers
            # what each leaves out is said too, not only what it drew (a posterior alone left the other
            # parameters unsaid, and the console the levers' assumed values)
            assert "the model's other uncertain parameters" in said.drawn_uncertainty(comparison) or not posterior
            assert ("(not varied here)" in said.console_intervals(comparison)) == (not levers)
            elasticities_held = "the drug market's price elasticities among them" in said.drawn_uncertainty(comparison)
            assert elasticities_held == (not posterior or bool(names))
    # an older record without the names still says what was drawn
    old = SimpleNamespace(lever_uncertainty=False, posterior="calibration/posterior.csv", posterior_held={},
                          lever_held={})
    assert "Each replicate drew the calibrated parameters of calibration/posterior.csv from" in \
        said.parameters_note(old)
