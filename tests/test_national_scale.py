"""`scale_national_quantities`: a scenario for a part of the UK scales the UK's national quantities
(and the levers' national amounts) to its areas' people; the values it is given stay UK figures."""

from pathlib import Path

import numpy as np
import pytest

from twin.errors import ScenarioError
from twin.geography import NATIONAL_QUANTITIES, load_geography, uk_population
from twin.scenario_levers import NATIONAL_SETTING_UNITS, build_levers
from twin.parameters import Parameters
from twin.scenario import load_scenario

from conftest import SCENARIOS, write

NORTH_WEST = ("force_area,nation,region,population_thousands,county_lines_exporter\n"
              "Cheshire,England,North West,1090,0\nCumbria,England,North West,500,0\n"
              "Greater Manchester,England,North West,2870,1\nLancashire,England,North West,1530,0\n"
              "Merseyside,England,North West,1430,1\nNorth Wales,Wales,North West,690,0\n")


def _scenario(tmp_path: Path, scale: str, body: str = "", areas: bool = True):
    if areas:
        write(tmp_path / "areas.csv", NORTH_WEST)
    base = SCENARIOS / "baseline.toml"
    return load_scenario(write(tmp_path / "s.toml", f'[scenario]\nname = "s"\nbase = "{base.as_posix()}"\n'
                               + ('areas_file = "areas.csv"\n' if areas else "")
                               + f"scale_national_quantities = {scale}\n" + body))


def test_true_scales_by_the_areas_share_of_the_uk_s_people(tmp_path):
    share = 8_110_000 / uk_population()
    assert _scenario(tmp_path, "true").national_scale == pytest.approx(share, rel=1e-12)
    assert _scenario(tmp_path, "false").national_scale == 1.0
    assert _scenario(tmp_path, "0.3").national_scale == 0.3
    assert _scenario(tmp_path, "true", areas=False).national_scale == 1.0  # the UK's own areas: nothing to scale


def test_every_national_quantity_and_only_those_is_scaled_from_its_uk_value(tmp_path):
    uk = Parameters()
    params = _scenario(tmp_path, "0.25", "[parameters]\nsoc_budget_gbp_per_year = 9.6e8\ncharge_prob = 0.5\n"
                       ).build_parameters()
    assert params.national_scale == 0.25
    for name in uk.as_dict():
        given = 9.6e8 if name == "soc_budget_gbp_per_year" else 0.5 if name == "charge_prob" else uk[name]
        assert params.uk_value(name) == given, name
        if name not in NATIONAL_QUANTITIES:
            assert params[name] == given, name
        elif uk.spec(name).kind in ("count", "positive_count"):
            assert params[name] == round(given * 0.25), name  # counts stay whole
        else:
            assert params[name] == pytest.approx(given * 0.25, rel=1e-12), name
    assert params.copy().uk_value("ocgs_known_uk") == uk.ocgs_known_uk and params.copy()["ocgs_known_uk"] == 1193


def test_plausible_ranges_are_checked_on_the_uk_figures(tmp_path):
    from twin.preflight import scenario_warnings

    inside = _scenario(tmp_path, "true", "[parameters]\nsoc_budget_gbp_per_year = 9.6e8\n")
    assert not [w for w in scenario_warnings(inside) if "plausible" in w]  # 9.6e8 is in range, its 1.2e8 is not
    beyond = _scenario(tmp_path, "true", "[parameters]\nsoc_budget_gbp_per_year = 2e9\n")
    assert [w for w in scenario_warnings(beyond) if "soc_budget_gbp_per_year = 2e+09 is beyond" in w]


def test_the_levers_national_amounts_are_scaled_and_their_per_area_settings_are_not(tmp_path):
    levers = ('[[levers]]\ntype = "funding"\n[[levers]]\ntype = "prison_places"\n[[levers]]\ntype = "court_capacity"\n'
              '[[levers]]\ntype = "hold"\n[[levers]]\ntype = "clear"\n[[levers]]\ntype = "investigatory_powers"\n'
              '[[levers]]\ntype = "technology_investment"\ncapital_gbp_per_year = 2e8\n')
    plain = {lever.name: lever.values for lever in build_levers(_scenario(tmp_path, "false", levers))}
    scaled = build_levers(_scenario(tmp_path, "0.2", levers))
    national = 0
    for lever in scaled:
        for setting in lever.settings:
            expected = plain[lever.name][setting.name] * (0.2 if setting.unit in NATIONAL_SETTING_UNITS else 1.0)
            assert lever.values[setting.name] == pytest.approx(expected, rel=1e-12), (lever.name, setting.name)
            national += setting.unit in NATIONAL_SETTING_UNITS
    assert national == 5  # funding's budget, the places, the cases, investigatory powers' cost, technology's capital
    by_name = {lever.name: lever.values for lever in scaled}
    assert by_name["funding"]["budget_gbp_per_year"] == pytest.approx(6e8)
    assert by_name["technology_investment"]["capital_gbp_per_year"] == pytest.approx(4e7)  # as given, then scaled
    assert by_name["hold"]["cost_gbp_per_area_year"] == 1.5e6 and by_name["clear"]["surge_investigators_per_area"] == 60


def test_the_register_and_the_markets_start_at_the_scaled_size(tmp_path):
    from twin.markets import base_demand_per_month
    from twin.register import synthetic_register
    from twin.streams import RandomStreams

    scenario = _scenario(tmp_path, "true")
    geography, params = load_geography(scenario.areas_file), scenario.build_parameters()
    register = synthetic_register(geography, params, RandomStreams(1)["register"])
    assert len(register) == round(params.ocgs_known_uk / params.ocg_known_share)
    assert params.ocgs_known_uk == round(4772 * scenario.national_scale)
    ones = np.ones(geography.n_areas)
    uk_demand = base_demand_per_month(geography, Parameters(), ones).sum(axis=0)
    assert np.allclose(base_demand_per_month(geography, params, ones).sum(axis=0),
                       uk_demand * scenario.national_scale, rtol=1e-12)


@pytest.mark.parametrize("value", ["0", "-0.5", "11", '"yes"', "[0.5]"])
def test_a_factor_out_of_range_or_not_a_number_is_refused(tmp_path, value):
    with pytest.raises(ScenarioError, match=r"s\.toml: \[scenario\] scale_national_quantities: expected true .*"
                                            r"a factor above 0 and at most 10, got"):
        _scenario(tmp_path, value)


def test_the_factor_sets_the_scenario_s_identity_and_an_unscaled_one_keeps_its_own(tmp_path):
    unscaled, scaled = _scenario(tmp_path, "false"), _scenario(tmp_path, "true")
    write(tmp_path / "none.toml", f'[scenario]\nname = "s"\nbase = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
          'areas_file = "areas.csv"\n')
    assert unscaled.spec_hash() == load_scenario(tmp_path / "none.toml").spec_hash()  # stored results still match
    assert scaled.spec_hash() != unscaled.spec_hash()


def test_a_scaled_run_is_about_the_factor_times_the_uk_run():
    """The built-in UK areas with half the UK's national quantities: harm, groups, spending and drug
    deaths come to about half the UK run's (two years, three seeds). Not exactly half: the per-area
    settings (entry per vacant market, violence floors) stay per area, so a half-size UK has
    slightly more than half (0.50-0.55 when measured); a quantity left unscaled would give about 1,
    deaths per user taken from the scaled users about 2. Measured: paired ratios 0.506-0.522, se
    0.001-0.013."""
    from twin.runner import run_scenario

    baseline = load_scenario(SCENARIOS / "baseline.toml")
    half = load_scenario(SCENARIOS / "baseline.toml")
    half.national_scale = 0.5
    metrics = ("harm_gbp_total", "harm_gbp_economic", "ocgs_active", "members_prison", "response_cost_gbp",
               "drug_deaths", "arrests")
    ratios = []  # paired: the half-size run over the UK run of the same seed
    for seed in (1, 2, 3):
        uk, scaled = (run_scenario(scenario, seed, years=2).model.results for scenario in (baseline, half))
        ratios.append([scaled.series(m).sum() / uk.series(m).sum() for m in metrics])
    ratios = np.array(ratios)
    mean, se = ratios.mean(axis=0), ratios.std(axis=0, ddof=1) / np.sqrt(len(ratios))
    for metric, value, error in zip(metrics, mean, se):  # the band with three standard errors to spare
        assert 0.45 < value - 3 * error and value + 3 * error < 0.62, (metric, value, error)


def test_a_factor_far_from_the_areas_share_of_the_people_is_warned_about(tmp_path):
    """At 0.01 of the UK on its own 45 areas a run held 279 groups where the factor suggests 58, and
    1.5 times the harm: the per-area settings stay per area. The areas' own share is not remarked on."""
    from twin.preflight import scenario_warnings

    far = [w for w in scenario_warnings(_scenario(tmp_path, "0.01", areas=False)) if "scale_national_quantities" in w]
    assert len(far) == 1 and "gives the areas 0.01 times the UK's groups" in far[0] and "UK's own areas" in far[0]
    regional = [w for w in scenario_warnings(_scenario(tmp_path, "0.3")) if "scale_national_quantities" in w]
    assert len(regional) == 1 and "they hold 0.121 of the UK's people" in regional[0]
    for close in ("true", "0.121", "0.1"):
        assert not [w for w in scenario_warnings(_scenario(tmp_path, close)) if "scale_national_quantities" in w]


def test_a_factor_leaving_no_known_group_names_the_factor(tmp_path):
    with pytest.raises(ScenarioError, match=r"s\.toml: \[scenario\] scale_national_quantities = 0\.0001 leaves no "
                                            r"known group \(ocgs_known_uk = 4772 in the UK\); expected a factor of at "
                                            r"least"):
        _scenario(tmp_path, "0.0001")
    _scenario(tmp_path, "0.0002")  # one known group: runs


def test_compare_refuses_scenarios_on_other_areas_or_scales(tmp_path):
    """A paired difference between a region and the UK, or a region scaled and not, is a difference
    of places: `twin compare` and a sweep's policies refuse it."""
    from twin.ensemble import check_comparable
    from twin.errors import UserError

    scaled, plain = _scenario(tmp_path, "true"), _scenario(tmp_path, "false")
    uk = load_scenario(SCENARIOS / "baseline.toml")
    for one, other in ((plain, scaled), (uk, plain)):
        with pytest.raises(UserError, match=r"scenarios compared must run on the same areas at the same scale"):
            check_comparable([one, other], None)
    copy = write(tmp_path / "copy.csv", NORTH_WEST)  # the same areas from another file: comparable
    moved = load_scenario(write(tmp_path / "t.toml", f'[scenario]\nname = "t"\nbase = "s.toml"\n'
                                f'areas_file = "{copy.name}"\nscale_national_quantities = true\n'))
    check_comparable([scaled, moved], None)


def test_calibration_reads_and_reports_scaled_quantities_in_uk_terms(tmp_path):
    from twin.targets import areas_targets_warning

    params = _scenario(tmp_path, "0.5").build_parameters()
    uk = Parameters().as_dict()
    assert params.uk_values() == uk and params.as_dict() != uk
    assert areas_targets_warning(_scenario(tmp_path, "false"), "targets.toml") is None
    warning = areas_targets_warning(_scenario(tmp_path, "0.5"), "targets.toml")
    assert "scaled by 0.5; the targets' UK rows are read as its areas' total" in warning


def test_the_report_gives_a_lever_s_national_amount_in_the_areas(tmp_path):
    from twin.report_levers import lever_block

    scaled = lever_block({"type": "funding", "budget_gbp_per_year": 3e9}, 0.25)
    assert "for the UK: 750,000,000 in these areas (scaled by 0.25)" in scaled
    assert scaled.count("in these areas") == 1  # the budget only: shares and months are not amounts
    assert "in these areas" not in lever_block({"type": "funding", "budget_gbp_per_year": 3e9})


def test_a_sweep_s_analysis_names_its_areas_and_scale(tmp_path):
    from twin.cli_analyse import _areas_about

    assert _areas_about({"levers": [], "base": load_scenario(SCENARIOS / "baseline.toml")}) == []
    about = _areas_about({"levers": [], "base": _scenario(tmp_path, "true")})
    assert about[0].startswith("Areas: the areas of ") and "scaled by 0.121 (the national amounts" in about[0]
    policies = {"levers": [("scenario", [str(tmp_path / "s.toml")])],
                "base": load_scenario(SCENARIOS / "baseline.toml")}
    assert "scaled by 0.121" in _areas_about(policies)[0]  # the policy files' areas, not the base's


def test_a_factor_of_one_on_a_partial_areas_file_is_still_warned_about(tmp_path):
    """`scale_national_quantities = 1` on six areas said nothing: six areas held the UK's groups."""
    from twin.preflight import scenario_warnings

    warnings = scenario_warnings(_scenario(tmp_path, "1"))
    assert any("gives the areas 8.26 times the UK's groups" in w for w in warnings)
    assert any("its 6 areas hold 8.11 million people" in w for w in warnings)


def test_true_on_an_areas_file_of_more_than_ten_uks_is_refused(tmp_path):
    huge = "".join(f"A{k},England,R,99000,{int(k == 0)}\n" for k in range(8))
    write(tmp_path / "huge.csv", "force_area,nation,region,population_thousands,county_lines_exporter\n" + huge)
    body = '[scenario]\nname = "h"\nareas_file = "huge.csv"\nscale_national_quantities = true\n'
    with pytest.raises(ScenarioError, match=r"h\.toml: \[scenario\] scale_national_quantities = true scales by 11\.8, "
                                            r"the people of .*huge\.csv over the UK's; expected at most 10"):
        load_scenario(write(tmp_path / "h.toml", body))


def test_the_memory_limits_hold_after_scaling(tmp_path):
    body = "[parameters]\ncounty_lines_initial = 100000\n"
    _scenario(tmp_path, "2", body)  # 200,000 lines: within the limit
    with pytest.raises(ScenarioError, match=r"scale_national_quantities = 3 \(of the UK's\): county_lines_initial = "
                                            r"300000 is more than the model can hold in memory"):
        _scenario(tmp_path, "3", body)


def test_sensitivity_refuses_to_pair_scenarios_on_other_areas(tmp_path):
    from twin.errors import UserError
    from twin.sensitivity import load_scenarios

    _scenario(tmp_path, "true")
    table = {"scenario": str(SCENARIOS / "baseline.toml"), "compare": [str(tmp_path / "s.toml")], "years": 2}
    with pytest.raises(UserError, match=r"scenarios compared must run on the same areas at the same scale"):
        load_scenarios(tmp_path / "sens.toml", "sensitivity", table, "out")


def test_areas_that_differ_only_in_their_regions_are_not_compared(tmp_path):
    from twin.ensemble import check_comparable
    from twin.errors import UserError

    one = _scenario(tmp_path, "true")
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    write(other_dir / "areas.csv", NORTH_WEST.replace("North Wales,Wales,North West", "North Wales,Wales,Wales"))
    base = (tmp_path / "s.toml").as_posix()
    other = load_scenario(write(other_dir / "s.toml",
                                f'[scenario]\nname = "t"\nbase = "{base}"\nareas_file = "areas.csv"\n'))
    with pytest.raises(UserError, match="the same areas at the same scale"):
        check_comparable([one, other], None)


def test_a_scaled_run_keeps_its_parameters_before_scaling(tmp_path):
    import json

    from twin.cli import main

    _scenario(tmp_path, "0.5", areas=False)
    assert main(["run", str(tmp_path / "s.toml"), "--years", "1", "--spin-up-years", "0", "--quiet",
                 "--out", str(tmp_path / "run")]) == 0
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert meta["parameters"]["ocgs_known_uk"] == 2386 and meta["parameters_uk"]["ocgs_known_uk"] == 4772
    assert meta["scenario"]["national_scale"] == 0.5


def test_an_export_names_the_areas_the_register_and_the_scale_each_scenario_ran_on(tmp_path):
    from twin.export import _inputs

    scaled = _inputs(_scenario(tmp_path, "true").to_dict())
    assert scaled["areas_file"] == "areas.csv" and scaled["register"] == "synthetic"
    assert scaled["national_scale"] == pytest.approx(load_geography(tmp_path / "areas.csv").population.sum()
                                                     / uk_population())
    assert {k: v for k, v in _inputs(load_scenario(SCENARIOS / "baseline.toml").to_dict()).items()
            if k in ("areas_file", "national_scale", "register")} == {
        "areas_file": "built-in", "national_scale": 1.0, "register": "synthetic"}
    register = {"register": "sqlite:///folder/ocgs.db", "national_scale": 0.5}
    assert _inputs(register)["register"] == "ocgs.db" and _inputs(register)["national_scale"] == 0.5



def test_compare_refuses_scenarios_that_start_from_other_registers(tmp_path):
    """A scenario whose only change is its register was reported as an option (a paired difference
    of starting pictures, priced as a policy's): refused as other areas are; the same register
    from another path is the same start."""
    from twin.ensemble import check_comparable
    from twin.errors import UserError

    uk = load_scenario(SCENARIOS / "baseline.toml")

    def starting_from(name, contents, folder):
        (tmp_path / folder).mkdir()
        register = write(tmp_path / folder / "register.csv", contents)
        return load_scenario(write(tmp_path / folder / f"{name}.toml", f'[scenario]\nname = "{name}"\nbase = '
                                   f'"{SCENARIOS / "baseline.toml"}"\nregister = "{register}"\n'))

    mine = starting_from("mine", "ocg_id,area\nA,Kent\n", "a")
    with pytest.raises(UserError, match=r"mine\.toml: starts from the register .*register\.csv, but .*baseline\.toml "
                                        r"from the synthetic register drawn from each seed; scenarios compared must "
                                        r"start from the same groups"):
        check_comparable([uk, mine], None)
    with pytest.raises(UserError, match="must start from the same groups"):
        check_comparable([mine, starting_from("edited", "ocg_id,area\nB,Kent\n", "b")], None)
    check_comparable([mine, starting_from("copy", "ocg_id,area\nA,Kent\n", "c")], None)
