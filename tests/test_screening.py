"""Morris screening (`twin screen`): the design, the noise floor, checkpoints, and config errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import twin
from conftest import need

need("SALib")

from twin.errors import ScenarioError  # noqa: E402
from twin.executor import make_executor  # noqa: E402
from twin.parameter_rules import ORDERED_PAIRS, check_sampled_ranges  # noqa: E402
from twin.screening import (  # noqa: E402
    SEED_FACTOR, _selected, design, load_config, run_screening, write_screening_report,
)

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path, body: str, screening: str = "") -> Path:
    scenario = tmp_path / "quick.toml"
    scenario.write_text(f'[scenario]\nname = "quick"\nbase = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                        f'spin_up_years = 0\n')
    path = tmp_path / "screening.toml"
    path.write_text(f'[screening]\nscenario = "quick.toml"\nyears = 1\ntrajectories = 3\nseed = 2\n'
                    f'out = "{tmp_path / "out"}"\n{screening}\n{body}')
    return path


PARAMETERS = """
[[parameter]]
name = "harm_gbp_per_heroin_crack_user_year"

[[parameter]]
name = "trust_loss_powers_scale"

[[parameter]]
name = "desistance_prob_per_month"
"""


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("screen")
    config = load_config(_config(tmp_path, PARAMETERS))
    executor = make_executor(1)
    try:
        table = run_screening(config, executor, log=lambda message: None)
    finally:
        executor.close()
    return config, table, tmp_path


def test_design_has_a_trajectory_of_k_plus_one_steps_per_repeat(screened):
    config, _, _ = screened
    problem, points = design(config)
    assert problem["names"][-1] == SEED_FACTOR
    assert points.shape == (3 * (3 + 2), 3 + 1)  # trajectories x (factors + 1), parameters + the seed
    # each step of a trajectory moves exactly one factor
    for start in range(0, points.shape[0], 5):
        steps = np.diff(points[start:start + 5], axis=0)
        assert np.all(np.count_nonzero(steps, axis=1) == 1)
    assert set(np.unique(points[:, -1])) <= {0.0, 1.0, 2.0, 3.0}  # the seed's levels


def test_a_parameter_without_effect_has_none_and_the_noise_floor_is_the_seeds(screened):
    _, table, _ = screened
    harm = table[table.outcome == "discounted_harm_gbp"].set_index("parameter")
    # powers' trust loss acts only with powers in use: with one seed per point its effects are exactly 0
    assert harm.loc["trust_loss_powers_scale", "mu_star"] == 0.0
    assert not harm.loc["trust_loss_powers_scale", "above_noise"]
    floor = harm.loc[SEED_FACTOR, "mu_star"]
    assert floor > 0 and np.all(harm.noise_floor == floor)
    # harm per user scales the drug harm directly: far above the change of random path alone
    assert harm.loc["harm_gbp_per_heroin_crack_user_year", "above_noise"]
    assert harm.loc["harm_gbp_per_heroin_crack_user_year", "ratio_to_noise"] > 5


def test_elementary_effects_of_harm_per_user_match_the_harm_it_prices(screened):
    # the drug harm is users served x harm per user: a move across the whole range (40,000 to 90,000)
    # changes a year's harm by the users served (nearly all: supply starts above demand) x 50,000, give
    # or take what the harm-led tasking then moves; an effect not scaled to the whole range (SALib's
    # delta, 2/3 of it at 4 levels) would give two thirds of that. Positive in every trajectory (mu = mu*)
    _, table, _ = screened
    row = table[(table.outcome == "discounted_harm_gbp")
                & (table.parameter == "harm_gbp_per_heroin_crack_user_year")].iloc[0]
    assert row["mu"] == pytest.approx(row["mu_star"])
    users = 370_000  # heroin_crack_users_uk, of whom nearly all are served
    assert 0.8 * users * 50_000 < row["mu_star"] < 1.05 * users * 50_000


def test_screening_resumes_from_its_checkpoint_and_repeats_with_more_workers(screened, tmp_path):
    config, table, first = screened
    logged = []
    executor = make_executor(1)
    try:
        again = run_screening(config, executor, log=logged.append)  # the same output folder: all points reused
    finally:
        executor.close()
    points = len(design(config)[1])  # trajectories that cross run their shared point on their own seeds
    assert any(f"Reusing {points} of {points} points x replications" in line for line in logged), logged
    pd.testing.assert_frame_equal(table, again)
    fresh = dict(config, out=str(tmp_path / "two_workers"))
    executor = make_executor(2)
    try:
        parallel = run_screening(fresh, executor, log=lambda message: None)
    finally:
        executor.close()
    pd.testing.assert_frame_equal(table, parallel)


def test_report_files_and_the_next_steps_sensitivity_config(screened, tmp_path):
    from twin.sensitivity import load_config as load_sensitivity

    config, table, _ = screened
    path = write_screening_report(table, config, tmp_path / "report")
    assert path.name == "screening.html" and "noise floor" in path.read_text()
    # the table in each outcome's unit (£bn, not pounds to four places), captioned; the chart said in words;
    # the code that made it
    text = path.read_text()
    cells = re.findall(r"<td>([^<]*)</td>", text[text.index("<caption>Morris"):])
    numbers = [float(c) for c in cells if re.fullmatch(r"-?[\d.]+(e[+-]?\d+)?", c)]
    assert cells.count("£bn") == (table.outcome.str.endswith("_gbp")).sum() > 0 and numbers
    largest_gbp = table[table.outcome.str.endswith("_gbp")][["mu_star", "sigma", "noise_floor"]].abs().max().max()
    assert largest_gbp > 1e6 and max(abs(v) for v in numbers) < largest_gbp / 1e6  # not in pounds
    assert "<caption>Morris elementary effects" in text and f"twin {twin.__version__}, model source hash" in text
    top = table[table.outcome == table.outcome.iloc[0]].sort_values("mu_star").parameter.iloc[-1]
    assert re.search(rf'alt="Bar charts[^"]*{re.escape(table.outcome.iloc[0])} in [^"]*{re.escape(top)} ', text)
    # the config's warnings, which the console gives, head the page too
    page = write_screening_report(table, dict(config, warnings=["3 trajectories: <few>"]), tmp_path / "warned").read_text()
    assert "<strong>Read with care.</strong><ul><li>3 trajectories: &lt;few&gt;</li></ul>" in page
    quiet = write_screening_report(table, dict(config, warnings=[]), tmp_path / "quiet").read_text()
    assert "Read with care" not in quiet  # no warnings, no box
    assert (path.parent / "screening.csv").exists() and (path.parent / "screening.json").exists()
    assert pd.read_csv(path.parent / "screening.csv").shape[0] == table.shape[0]
    # the parameters above the noise, as a sensitivity config that loads as it stands
    following = load_sensitivity(path.parent / "sensitivity_next.toml")
    above = set(table[table.above_noise].parameter)
    assert {u.name for u in following["uncertain"]} == above and len(above) >= 2
    assert following["scenario"].name == config["scenario"].name and following["scenario"].years == 1
    assert following["out"] == (tmp_path / "sensitivity_next").as_posix()


def test_selecting_every_parameter_splits_ordered_ranges_so_that_every_point_is_valid():
    uncertain, split = _selected("all", set(), [])
    ranges = {u.name: (u.low, u.high) for u in uncertain}
    check_sampled_ranges(ranges, "test")  # raises if an ordered pair could cross
    assert any("share_serious_violence" in note for note in split)
    for small, large, _ in ORDERED_PAIRS:
        if small in ranges and large in ranges:
            assert ranges[small][1] <= ranges[large][0]
    assumptions, _ = _selected("assumptions", {"profit_margin"}, [])
    assert "profit_margin" not in {u.name for u in assumptions}
    assert "ocgs_known_uk" not in {u.name for u in assumptions}  # sourced: only with select = "all"
    assert "ocgs_known_uk" in ranges


@pytest.mark.parametrize("screening, body, message", [
    ("levels = 5", PARAMETERS, "levels: expected an even whole number from 4 to 20 .*, got 5"),
    ("levels = 3", PARAMETERS, "levels: expected an even whole number from 4 to 20 .*, got 3"),
    ("levels = 22", PARAMETERS, "levels: expected an even whole number from 4 to 20"),
    ("levels = true", PARAMETERS, "levels: expected an even whole number from 4 to 20 .*, got true"),
    ('select = "all"', PARAMETERS, "give either select or \\[\\[parameter\\]\\] entries"),
    ('select = "everything"', "", "select: expected one of 'assumptions', 'all', 'levers', 'assumptions\\+levers'"),
    ('select = "asumptions"', "", "select: expected one of 'assumptions', .*; did you mean 'assumptions'"),
    ('exclude = ["profit_margn"]', "", "unknown parameter 'profit_margn'; did you mean 'profit_margin'"),
    ("trajectories = 1", PARAMETERS, "trajectories: expected a whole number from 2"),
    ("", '[[parameter]]\nname = "profit_margin"\n', "screen at least two parameters"),
    ("colour = 1", "", "colour"),
])
def test_config_errors_name_the_key(tmp_path, screening, body, message):
    path = _config(tmp_path, body, screening)
    text = path.read_text().replace("trajectories = 3\n", "") if "trajectories" in screening else path.read_text()
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message):
        load_config(path)


def test_the_levers_assumptions_are_screened_by_type_with_every_lever_of_the_type_taking_the_value(tmp_path):
    """select = "levers" takes the compared scenarios' levers' assumptions (what `--uncertain-levers`
    draws): one factor per lever type and setting, over its plausible range, the policy's design and
    the sourced settings left out; a quantity two types share is one factor. Its value reaches every
    lever of the type, a composite lever's phases included, unless the entry sets it itself."""
    from dataclasses import replace

    from twin.scenario_levers import build_levers
    from twin.lever_uncertainty import DESIGN_SETTINGS
    from twin.scenario import load_scenario
    from twin.sensitivity import apply_values

    chb = load_scenario(ROOT / "scenarios" / "clear_hold_build.toml")
    package = load_scenario(ROOT / "scenarios" / "national_security_package.toml")
    uncertain, _ = _selected("levers", {"lever_type.hold.cost_gbp_per_area_year"}, chb.levers + package.levers)
    names = [u.name for u in uncertain]
    assert "lever_type.clear.success_uplift" in names and "lever_type.border_powers.interdiction_share" in names
    assert "lever_type.hold.cost_gbp_per_area_year" not in names  # excluded
    assert not any(n.endswith(f".{d}") for n in names for d in DESIGN_SETTINGS["clear_hold_build"])
    assert "lever_type.funding.budget_gbp_per_year" not in names  # sourced: not uncertain
    hiring = [n for n in names if n.endswith(".training_months")]
    assert len(hiring) == 1  # the SOC fund's and the funding lever's, one quantity
    both, _ = _selected("assumptions+levers", set(), chb.levers)
    assert {"profit_margin", "lever_type.build.vulnerability_reduction"} <= {u.name for u in both}
    uncertain = [u for u in uncertain if u.name in ("lever_type.clear.success_uplift", hiring[0])]
    moved = apply_values(package, uncertain, np.array([u.low for u in uncertain]))
    values = {(lever.type_name, key): value for lever in build_levers(moved) for key, value in lever.values.items()}
    assert values[("clear", "success_uplift")] == uncertain[0].low  # the package's Clear-Hold-Build's Clear phase
    assert values[("funding", "training_months")] == values[("soc_fund", "training_months")] == uncertain[1].low
    both = replace(package, levers=package.levers + [{"type": "clear", "name": "alone", "areas": "all"}])
    entries = [dict(entry) for entry in both.levers]
    clears = [lever for lever in build_levers(apply_values(both, uncertain, np.array([u.low for u in uncertain])))
              if lever.type_name == "clear"]
    assert len(clears) == 2 and all(lever.values["success_uplift"] == uncertain[0].low for lever in clears)
    assert both.levers == entries  # the scenario's own entries are left as they were
    kept = replace(chb, levers=[{"type": "clear", "areas": "all", "success_uplift": 0.3}])
    own = build_levers(apply_values(kept, uncertain[:1], np.array([0.0])))
    assert own[0].values["success_uplift"] == 0.3  # an entry that sets it keeps its own value


@pytest.mark.parametrize("name, message", [
    ("lever_type.clera.success_uplift", "expected lever_type.<a lever type the compared scenarios run>.<setting>; "
                                        "did you mean 'clear'"),
    ("lever_type.clear.succes_uplift", "lever type clear has no assumed setting 'succes_uplift'; did you mean "
                                       "'success_uplift'"),
    ("lever_type.clear_hold_build.hold_years", "no assumed setting 'hold_years'.*design and sourced settings"),
])
def test_a_lever_type_setting_in_a_sensitivity_config_is_checked(tmp_path, name, message):
    from twin.sensitivity import load_config as load_sensitivity

    path = tmp_path / "sensitivity.toml"
    path.write_text(f'[sensitivity]\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                    f'compare = ["{ROOT / "scenarios" / "clear_hold_build.toml"}"]\nyears = 1\nn = 4\n'
                    f'[[parameter]]\nname = "profit_margin"\n[[parameter]]\nname = "{name}"\n')
    with pytest.raises(ScenarioError, match=message):
        load_sensitivity(path)
    path.write_text(path.read_text().replace(name, "lever_type.hold.entry_reduction"))
    config = load_sensitivity(path)
    assert [(u.low, u.high) for u in config["uncertain"]][1] == (0.2, 0.8)  # the setting's plausible range


def test_a_lever_type_range_is_checked_as_the_setting_s_values_and_a_shared_quantity_is_one_factor(tmp_path):
    """A lever_type range beyond what the setting can hold (a share of 1.7) ran without complaint, and
    the SOC fund's and the funding lever's training months, one quantity, could be two factors (the
    second overwriting the first in every run)."""
    from twin.sensitivity import load_config as load_sensitivity

    path = tmp_path / "sensitivity.toml"
    head = (f'[sensitivity]\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\n'
            f'compare = ["{ROOT / "scenarios" / "national_security_package.toml"}"]\nyears = 1\nn = 4\n'
            f'[[parameter]]\nname = "profit_margin"\n')
    path.write_text(head + '[[parameter]]\nname = "lever_type.hold.entry_reduction"\nlow = 0.2\nhigh = 1.7\n')
    with pytest.raises(ScenarioError, match="entry_reduction.* must be a share between 0 and 1"):
        load_sensitivity(path)
    path.write_text(head + '[[parameter]]\nname = "lever_type.hold.entry_reduction"\nlow = 0.1\nhigh = 0.9\n')
    assert any("goes beyond its plausible range, 0.2 to 0.8" in w for w in load_sensitivity(path)["warnings"])
    path.write_text(head + "".join(f'[[parameter]]\nname = "lever_type.{kind}.training_months"\n'
                                   for kind in ("funding", "soc_fund")))
    with pytest.raises(ScenarioError, match="'lever_type.soc_fund.training_months' is the quantity "
                                            "'lever_type.funding.training_months' already sets"):
        load_sensitivity(path)


@pytest.mark.parametrize("bounds, got", [("low = 0.7\nhigh = 0.3\n", "0.7 and 0.3"),
                                         ("low = 0.5\nhigh = 0.5\n", "0.5 and 0.5")])
def test_a_lever_type_range_runs_from_low_to_high(tmp_path, bounds, got):
    """A lever_type range given the wrong way round, or of no width, is refused in one line naming the entry."""
    from twin.sensitivity import load_config as load_sensitivity

    path = tmp_path / "sensitivity.toml"
    path.write_text(f'[sensitivity]\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                    f'compare = ["{ROOT / "scenarios" / "clear_hold_build.toml"}"]\nyears = 1\nn = 4\n'
                    f'[[parameter]]\nname = "profit_margin"\n[[parameter]]\nname = "lever_type.hold.entry_reduction"\n'
                    + bounds)
    with pytest.raises(ScenarioError) as error:
        load_sensitivity(path)
    assert str(error.value) == (f"{path}: [[parameter]] #2: 'lever_type.hold.entry_reduction': expected low < high, "
                                f"got {got}")


def test_replications_average_their_own_seeds(tmp_path):
    from twin.screening import point_outcomes, point_task
    from twin.sensitivity import run_sample

    config = load_config(_config(tmp_path, PARAMETERS, "replications = 2"))
    config = dict(config, trajectories=2)
    executor = make_executor(1)
    try:
        _, points, outcomes = point_outcomes(config, executor, log=lambda message: None)
    finally:
        executor.close()
    # every trajectory, level of the seed pseudo-factor and replication has seeds of its own; a
    # trajectory's points share one seed but across the seed factor's step (common random numbers)
    size = len(config["uncertain"]) + 2
    seeds = {(p // size, r): set() for p in range(len(points)) for r in range(2)}
    for p, row in enumerate(points):
        for r in range(2):
            seeds[p // size, r].add(point_task(config, row, p // size, r).seed)
    assert all(len(one) == 2 for one in seeds.values())  # the seed factor moves once in a trajectory
    assert len(set().union(*seeds.values())) == 2 * len(seeds)  # none shared between trajectories or replications
    # a point's outcomes are the mean of its replications' runs
    first = [run_sample(point_task(config, points[0], 0, r)) for r in range(2)]
    assert np.allclose(outcomes[0], np.mean(first, axis=0), rtol=1e-12)
    assert not np.allclose(first[0], first[1])  # two seeds, two paths


def test_a_whole_number_parameters_effects_are_taken_over_its_step_as_run():
    """ocg_size_min's range is 3 to 4: at four levels the design moves it by 2/3 of that, which rounds to
    the whole range as run (3.33 -> 4 and 3 -> 3.67 both run 3 -> 4). SALib divided the change by 2/3,
    overstating the effect by half; the effects are now the change over the move as run."""
    from SALib.analyze import morris
    from SALib.sample import morris as morris_design

    from twin.screening import elementary_effects

    problem = {"num_vars": 3, "names": ["ocg_size_min", "a", SEED_FACTOR], "bounds": [[3, 4], [0, 1], [0, 3]]}
    points = morris_design.sample(problem, 12, num_levels=4, seed=5)
    outcomes = np.c_[10 * np.floor(points[:, 0] + 0.5) + 2 * points[:, 1], points[:, 1] ** 2]
    size_min, a, seed = elementary_effects(problem, points, outcomes)
    assert len(size_min) == 12 and np.allclose(size_min[:, 0], 10) and np.allclose(a[:, 0], 2)
    assert np.allclose(seed, 0)
    salib = morris.analyze(problem, points, outcomes[:, 0], num_levels=4, seed=5)["mu_star"]
    assert salib[0] == pytest.approx(15) and salib[1] == pytest.approx(2)  # what it gave
    # a continuous factor's effects are SALib's
    assert np.abs(a[:, 1]).mean() == pytest.approx(morris.analyze(problem, points, outcomes[:, 1], num_levels=4,
                                                                  seed=5)["mu_star"][1])
    # over 3 to 3.6 the levels run as 3, 3, 3 and 4: a step from 3 to 3.4 runs as no move and is left out
    # (its change over a move of zero would be no effect at all, or infinite), one from 3.2 to 3.6 kept
    narrow = dict(problem, bounds=[[3, 3.6], [0, 1], [0, 3]])
    points = morris_design.sample(narrow, 12, num_levels=4, seed=5)
    from twin.parameters import as_sampled

    run = np.array([as_sampled("ocg_size_min", v) for v in points[:, 0]])  # 3.0, 3.2, 3.4 run as 3; 3.6 as 4
    outcomes = np.c_[10 * run, points[:, 1]]
    moved = [run[i + 1] != run[i] for start in range(0, len(points), 4) for i in range(start, start + 3)
             if points[i + 1, 0] != points[i, 0]]  # each step of ocg_size_min within a trajectory: moved as run?
    size_min = elementary_effects(narrow, points, outcomes)[0]
    assert 0 < sum(moved) < len(moved) and len(size_min) == sum(moved)
    assert np.allclose(size_min[:, 0], 10 / (1 / 0.6))  # 10 over a move of 1 in a range of 0.6


def test_replications_must_be_a_whole_number(tmp_path):
    with pytest.raises(ScenarioError, match="replications: expected a whole number from 1 to 100"):
        load_config(_config(tmp_path, PARAMETERS, "replications = 0"))


def test_more_replications_reuse_the_runs_already_done(tmp_path):
    from twin.screening import point_outcomes

    config = dict(load_config(_config(tmp_path, PARAMETERS)), trajectories=2)
    executor = make_executor(1)
    logged = []
    try:
        _, points, one = point_outcomes(config, executor, log=lambda message: None)
        _, _, two = point_outcomes(dict(config, replications=2), executor, log=logged.append)
    finally:
        executor.close()
    assert any(f"Reusing {len(points)} of {2 * len(points)} points x replications" in line for line in logged), logged
    assert not np.allclose(one, two)  # the second replication's seeds moved the means


def test_a_design_too_large_to_plan_is_refused_and_the_command_line_can_shrink_it(tmp_path):
    """trajectories x (parameters + 2) x replications runs beyond `MAX_DESIGN_RUNS` are refused
    before anything is planned; `--trajectories` (load_config's `trajectories`) replaces the
    config's before the check, so it can bring a design within the limit."""
    path = _config(tmp_path, PARAMETERS, "replications = 100")
    path.write_text(path.read_text().replace("trajectories = 3\n", "trajectories = 10000\n"))
    with pytest.raises(ScenarioError, match=r"10,000 trajectories x \(3 parameters \+ 2\) points x 1 scenario\(s\) x 100 "
                                            r"replication\(s\) = 5,000,000 runs, more than the 1,000,000"):
        load_config(path)
    assert load_config(path, 2)["trajectories"] == 2


def test_a_sobol_design_too_large_is_refused_unless_n_shrinks_it(tmp_path):
    from twin.sensitivity import load_config as load_sensitivity

    path = tmp_path / "sobol.toml"
    path.write_text(f'[sensitivity]\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\nn = 262144\n{PARAMETERS}')
    with pytest.raises(ScenarioError, match=r"n = 262,144 x \(3 parameters \+ the seed \+ 2\) samples x 1 scenario\(s\) = "
                                            r"1,572,864 runs"):
        load_sensitivity(path)
    assert load_sensitivity(path, 16)["n"] == 16


def test_a_screening_warns_of_ranges_beyond_the_plausible_and_of_too_few_trajectories(tmp_path):
    """`twin sensitivity` warned of both; `twin screen` said nothing, though with 2 trajectories which
    parameters stand above the noise changed with the design's seed."""
    config = load_config(_config(tmp_path, PARAMETERS + '\n[[parameter]]\nname = "price_supply_elasticity"\n'
                                                        'low = 0.1\nhigh = 5.0\n'))
    assert any("[[parameter]] price_supply_elasticity: 0.1 to 5 goes beyond its plausible range" in w
               for w in config["warnings"])
    assert any(w.startswith("3 trajectories: each parameter's mu* rests on 3 elementary effects and the noise floor "
                            "on 3 of the seed's") for w in config["warnings"])
    ten = load_config(_config(tmp_path, PARAMETERS), trajectories=10)
    assert ten["warnings"] == []  # enough trajectories, the plausible ranges: nothing to say
    # every assumption: the share sets among them are said to be rescaled (the share run is not the one drawn)
    said = load_config(_config(tmp_path, "", 'select = "assumptions"'), trajectories=10)["warnings"]
    assert said and all("are rescaled to sum to 1 in each run" in w for w in said)


def test_quiet_keeps_warnings_and_interruptions_only(capsys):
    from twin.cli_research import _log

    for message in ("Reusing 40 of 40 samples finished earlier (x).", "Warning: x: cannot keep finished points",
                    "\ntwin: screening interrupted: 3 runs kept."):
        _log(True)(message)
    said = capsys.readouterr().err
    assert "Reusing" not in said and "Warning: x" in said and "twin: screening interrupted" in said
    _log(False)("Reusing 40 of 40 samples finished earlier (x).")
    assert "Reusing 40" in capsys.readouterr().err


def test_the_summary_names_the_largest_effect_even_when_none_stands_above_the_noise():
    """With nothing above the floor the summary named no parameter, though the largest is where a
    longer screening would look first."""
    from twin.screening import summary_lines

    table = pd.DataFrame([
        {"outcome": "harm", "parameter": "a", "mu_star": 2.0, "ratio_to_noise": 0.8, "above_noise": False},
        {"outcome": "harm", "parameter": "b", "mu_star": 1.0, "ratio_to_noise": 0.4, "above_noise": False},
        {"outcome": "harm", "parameter": SEED_FACTOR, "mu_star": 2.5, "ratio_to_noise": 1.0, "above_noise": False},
        {"outcome": "cost", "parameter": "a", "mu_star": 9.0, "ratio_to_noise": 3.0, "above_noise": True},
        {"outcome": "cost", "parameter": SEED_FACTOR, "mu_star": 3.0, "ratio_to_noise": 1.0, "above_noise": False}])
    assert summary_lines(table) == ["harm: 0 of 2 above the noise; largest a (0.8 x the noise floor, but not clear "
                                    "of it by both bootstrap half-widths)",
                                    "cost: 1 of 1 above the noise; largest a (3.0 x noise)"]
    # an outcome none of them moves (a lever's assumptions and the baseline's harm) names none as largest
    still = pd.DataFrame([
        {"outcome": "harm", "parameter": "a", "mu_star": 0.0, "ratio_to_noise": 0.0, "above_noise": False},
        {"outcome": "harm", "parameter": SEED_FACTOR, "mu_star": 2.5, "ratio_to_noise": 1.0, "above_noise": False}])
    assert summary_lines(still) == ["harm: 0 of 1 above the noise; none of them moves it (mu* exactly 0)"]
