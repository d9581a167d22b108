import math
from pathlib import Path

import numpy as np
import pytest

from twin.errors import ParameterError
from twin.parameter_table import PARAMETER_TABLE
from twin.parameters import KINDS, Parameters, markdown_table, per_step_probability, per_step_rate


def test_every_parameter_has_unit_range_and_source():
    names = [p.name for p in PARAMETER_TABLE]
    assert len(names) == len(set(names)), "duplicate parameter names"
    for p in PARAMETER_TABLE:
        assert p.unit and p.source and p.description, p.name
        assert p.kind in KINDS, p.name
        assert p.low <= p.value <= p.high, f"{p.name}: default outside its plausible range"
        if p.is_assumption:
            assert p.low < p.high, f"{p.name}: an assumption needs an uncertainty range"
            assert len(p.source.partition(":")[2].strip()) >= 20, f"{p.name}: an assumption says why"
        assert p.provenance != "design", f"{p.name}: 'design' is for a lever's settings, not the model's parameters"


def test_defaults_pass_their_own_validation():
    for p in PARAMETER_TABLE:
        assert p.check(p.value, "defaults") == pytest.approx(p.value)


def test_unknown_override_names_the_closest_parameter():
    with pytest.raises(ParameterError, match="did you mean 'soc_budget_gbp_per_year'"):
        Parameters({"soc_budget_gbp_per_yaer": 1e9}, where="x.toml")
    # a name cut short at a word: the one parameter it begins, not a look-alike ('served_share')
    with pytest.raises(ParameterError, match="did you mean 'seizure_share_of_capital'"):
        Parameters({"seizure_share": 0.4}, where="x.toml")
    from twin.errors import closest

    assert closest("succession", ["successions", "succession_violence"]) == "successions"  # a clear misspelling first
    assert closest("county", ["county_lines"], cutoff=0.85) is None  # near misses only: no longer names it begins
    # names scored alike: the fewest letters away, then the first alphabetically (difflib took the last)
    ids = [f"SYN{k:05d}" for k in range(6000)]
    assert [closest(typed, ids) for typed in ("SYN00O12", "SYN0001", "SYN0000X")] == [
        "SYN00012", "SYN00001", "SYN00000"]
    assert closest("abcd", ["abxd", "xbcd", "abcx"]) == "abcx"  # tied one letter away: the first alphabetically
    from twin.errors import did_you_mean

    groups = ["adaptation", "harm", "justice", "markets", "policing", "population", "recruitment", "revenue", "trust"]
    assert did_you_mean("drugs", groups, cutoff=0.7) == ""  # 'trust' is no hint for 'drugs'


@pytest.mark.parametrize("name, value, words", [
    ("charge_prob", 1.5, "probability between 0 and 1"),
    ("charge_prob", "high", "must be a number"),
    ("soc_budget_gbp_per_year", -1, "number >= 0"),
    ("ocgs_known_uk", 10.5, "whole number"),
    ("cost_gbp_per_investigator_year", 0, "number > 0"),
    ("charge_prob", math.nan, "finite"),
    ("charge_prob", True, "must be a number"),
])
def test_bad_override_values_are_rejected(name, value, words):
    with pytest.raises(ParameterError, match=words):
        Parameters({name: value})


def test_overrides_apply_and_are_tracked():
    params = Parameters({"soc_budget_gbp_per_year": 3e9})
    assert params.soc_budget_gbp_per_year == 3e9
    assert params["soc_budget_gbp_per_year"] == 3e9
    assert params.overridden == {"soc_budget_gbp_per_year"}
    assert Parameters().soc_budget_gbp_per_year == 860e6


def test_attribute_and_item_access_agree_after_updates_and_copies():
    params = Parameters()
    clone = params.copy()
    params.update({"entry_rate_per_month": 0.5})
    clone.update({"conviction_prob": 0.4})
    for p in (params, clone):
        assert all(getattr(p, spec.name) == p[spec.name] for spec in PARAMETER_TABLE)
    assert params.entry_rate_per_month == 0.5 and clone.entry_rate_per_month != 0.5
    assert clone.conviction_prob == 0.4 and params.conviction_prob != 0.4
    assert clone.overridden == {"conviction_prob"}


def test_step_conversions_preserve_monthly_meaning():
    weekly = per_step_probability(0.1, 12 / 52)
    assert 1 - (1 - weekly) ** (52 / 12) == pytest.approx(0.1)
    assert per_step_rate(2.0, 0.5) == 1.0


def test_markdown_table_lists_every_parameter():
    table = markdown_table()
    for p in PARAMETER_TABLE:
        assert f"`{p.name}`" in table


def test_the_markdown_table_says_which_targets_a_parameter_was_set_to_reproduce(capsys):
    """`twin params --csv` gave each parameter's fitted_to; --markdown (and the ODD's table) did not."""
    from twin.cli import main
    from twin.targets import fitted_to

    fitted = fitted_to(Path(__file__).resolve().parents[1] / "calibration" / "targets.toml")
    assert fitted
    name, targets = next(iter(fitted.items()))
    row = next(line for line in markdown_table(None, fitted).splitlines() if line.startswith(f"| `{name}` |"))
    assert f"; set to fit {', '.join(targets)} |" in row
    assert main(["params", "--markdown"]) == 0
    assert row in capsys.readouterr().out.splitlines()


def test_budget_shares_split_the_budget_and_never_add_to_it():
    """budget_share_forces = 0.6 (inside its range) made the policing budget £989m instead of the
    £860m set: the three tier shares are a split, rescaled to sum to 1, and said so."""
    from twin.geography import load_geography
    from twin.parameter_rules import check_consistency, consistency_warnings
    from twin.policing import Police

    geography = load_geography()
    for overrides in ({}, {"budget_share_forces": 0.6}, {"budget_share_nca": 0.1, "budget_share_rocu": 0.1}):
        params = Parameters(overrides, where="test")
        budget = Police(geography, params).budget_gbp_per_month(params)
        assert budget.sum() * 12 == pytest.approx(params.soc_budget_gbp_per_year, rel=1e-12)
    shifted = Parameters({"budget_share_forces": 0.6}, where="test")
    assert any("SOC budget shares sum to 1.15, not 1" in w for w in consistency_warnings(shifted, "test"))
    with pytest.raises(ParameterError, match="the SOC budget shares"):
        check_consistency(Parameters({"budget_share_forces": 0, "budget_share_rocu": 0, "budget_share_nca": 0},
                                     where="test"), "test")


def test_a_misspelt_lever_in_a_lever_setting_is_named_with_the_closest_and_the_levers_there():
    from twin.parameters import parameter_range

    levers = [{"type": "clear_hold_build", "name": "chb"}, {"type": "ct_powers"}]
    assert parameter_range({"name": "lever.chb.hold_years", "low": 0, "high": 2}, "x.toml", levers)[0] == \
        "lever.chb.hold_years"
    with pytest.raises(ParameterError, match=r"x.toml: 'lever.ct_power.intensity': expected lever.<name of a lever "
                                             r"in the scenario\(s\)>.<setting>; did you mean 'ct_powers'\? "
                                             r"\(their levers: chb, ct_powers\)"):
        parameter_range({"name": "lever.ct_power.intensity", "low": 0, "high": 2}, "x.toml", levers)
    with pytest.raises(ParameterError, match=r"\(the scenario\(s\) have no levers\)"):
        parameter_range({"name": "lever.chb.hold_years", "low": 0, "high": 2}, "x.toml", [])


def test_every_parameter_in_the_table_is_read_by_the_model():
    """A row no code reads would still be listed, overridden, screened and calibrated, changing
    nothing: a monthly run with every lever, a weekly run and one with a power and no oversight
    (which alone loses trust) read every parameter, as an attribute, by name or in UK terms."""
    from twin.bench import _all_levers
    from twin.scenario_levers import build_levers
    from twin.model import TwinModel
    from twin.scenario import Scenario

    names = {row.name for row in PARAMETER_TABLE}
    read: set[str] = set()

    class Tracking(Parameters):
        def __getattribute__(self, name):
            if name in names:
                read.add(name)
            return object.__getattribute__(self, name)

        def __getitem__(self, name):
            read.add(name)
            return Parameters.__getitem__(self, name)

        def uk_value(self, name):
            read.add(name)
            return Parameters.uk_value(self, name)

    small = {"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
             "soc_awaiting_trial_initial": 50}
    TwinModel(params=Tracking(small), seed=1, n_steps=24, levers=_all_levers()).run()
    TwinModel(params=Tracking(small), seed=2, n_steps=8, step_length="week").run()
    powers = build_levers(Scenario(name="powers", path="test", levers=[{"type": "investigatory_powers"}]))
    TwinModel(params=Tracking(small), seed=3, n_steps=3, levers=powers).run()
    assert read >= names, f"parameters no run reads: {sorted(names - read)}"


def test_setting_a_parameter_as_an_attribute_is_a_validated_override():
    """`params.x = v` was a plain attribute the model partly ignored (the harm read the old value) and a
    misspelt name passed silently."""
    from twin.errors import ParameterError

    params = Parameters()
    params.harm_gbp_per_fraud_offence *= 2
    assert params["harm_gbp_per_fraud_offence"] == 2 * Parameters()["harm_gbp_per_fraud_offence"]
    assert params.as_dict()["harm_gbp_per_fraud_offence"] == params.harm_gbp_per_fraud_offence
    assert params.overridden == {"harm_gbp_per_fraud_offence"} and params.copy().harm_gbp_per_fraud_offence == \
        params.harm_gbp_per_fraud_offence
    with pytest.raises(ParameterError, match="unknown parameter 'price_suply_elasticity'; did you mean "
                                             "'price_supply_elasticity'"):
        params.price_suply_elasticity = 9
    with pytest.raises(ParameterError, match="'charge_prob' must be a probability between 0 and 1"):
        params.charge_prob = 2
    import copy  # a copy set apart from its original: copy.copy shared the values a set attribute writes to

    for clone in (copy.copy(params), copy.deepcopy(params)):
        clone.ocg_size_min = 4
        assert params["ocg_size_min"] == params.ocg_size_min == 3 and "ocg_size_min" not in params.overridden


def test_a_built_models_parameters_refuse_changes_and_the_callers_stay_its_own():
    """A change on a built model's parameters applied in part (the harm's unit costs, prices and the
    operations' terms are read once, when the model is built): it is refused, in copies of the model
    too, while the Parameters object the caller passed stays free to change."""
    import copy

    from twin.model import TwinModel

    given = Parameters({"charge_prob": 0.6})
    model = TwinModel(params=given, n_steps=1)
    with pytest.raises(ParameterError, match="the parameters of a built model cannot change"):
        model.params.harm_gbp_per_homicide = 4.8e6
    with pytest.raises(ParameterError, match="cannot change"):
        copy.deepcopy(model).params.update({"charge_prob": 0.5})
    with pytest.raises(ParameterError, match="cannot change"):
        model.params.national_scale = 0.5
    given.charge_prob = 0.5  # the caller's object is not the model's
    assert model.params.charge_prob == 0.6 and given.charge_prob == 0.5
    free = model.params.copy()  # a copy to build another model from takes changes
    free.charge_prob = 0.7
    assert free.charge_prob == 0.7 and TwinModel(params=free, n_steps=1).params.charge_prob == 0.7


def test_sampled_ranges_are_refused_when_values_drawn_from_them_could_break_a_rule():
    """Each rule of `check_consistency` a range could break is found before any run, at the range's
    end nearest the rule's limit; the same ranges moved inside the limits pass, as do the plausible
    ranges of every parameter a rule reads taken one at a time."""
    from twin.parameter_rules import HELD_BELOW_A_LIMIT, check_consistency, check_sampled_ranges
    from twin.parameters import table_rows

    refused = [
        ({"child_recruit_age_min_years": (15.0, 19.0)}, "18 or more", {"child_recruit_age_min_years": (12.0, 17.5)}),
        ({"capital_spend_rate_per_month": (0.0, 0.1)}, "capital_spend_rate_per_month = 0",
         {"capital_spend_rate_per_month": (0.01, 0.1)}),
        ({"anticipation_share_drugs": (0.0, 0.6), "response_share_drugs": (0.1, 0.5)}, "add up to more than 1",
         {"anticipation_share_drugs": (0.0, 0.4), "response_share_drugs": (0.1, 0.5)}),
        ({"price_index_min": (0.5, 1.2)}, "hold 1", {"price_index_min": (0.5, 0.9)}),
        ({f"budget_share_{tier}": (0.0, 0.5) for tier in ("forces", "rocu", "nca")}, "are all 0",
         {f"budget_share_{tier}": (0.1, 0.5) for tier in ("forces", "rocu", "nca")}),
        ({"entry_rate_per_month": (0.1, 200.0)}, "more than the model can hold", {"entry_rate_per_month": (0.1, 2.0)}),
        ({"serious_violence_rate_per_month": (0.001, 3.0), "violence_pressure_cap_ratio": (1.0, 5.0)},
         "at the cap of rival pressure", {"serious_violence_rate_per_month": (0.001, 0.01),
                                         "violence_pressure_cap_ratio": (1.0, 5.0)}),
        ({"ocg_known_share": (0.0, 0.5)}, "ocg_known_share = 0", {"ocg_known_share": (0.2, 0.5)}),
    ]
    for ranges, said, inside in refused:
        with pytest.raises(ParameterError, match=said) as caught:
            check_sampled_ranges(ranges, "s.toml: [[parameter]]")
        assert str(caught.value).startswith("s.toml: [[parameter]]: ") and "narrow the range" in str(caught.value)
        check_sampled_ranges(inside, "s.toml: [[parameter]]")
    # the premise of one point: ranges that pass hold together at every value drawn from them (random
    # ranges over the parameters the rules read, widened past their plausible ranges so that many break)
    from twin.parameter_rules import ORDERED_PAIRS, POPULATION_LIMITS, SHARE_SETS

    # the rules' parameters in the sets each rule reads together
    from twin.vocabulary import HARM_CATEGORIES

    together = [("serious_violence_rate_per_month", "violence_pressure_cap_ratio", "competition_violence_elasticity"),
                ("price_index_min", "price_index_max"), *[pair[:2] for pair in ORDERED_PAIRS], *SHARE_SETS.values(),
                *[(f"anticipation_share_{c}", f"response_share_{c}") for c in HARM_CATEGORIES],
                *[(name,) for name in ("ocg_known_share", "capital_spend_rate_per_month",
                                       "child_recruit_age_min_years")]]
    assert set(HELD_BELOW_A_LIMIT) <= {name for names in together for name in names} | set(POPULATION_LIMITS)
    rows = {row.name: row for row in table_rows()}
    rng = np.random.default_rng(3)
    outcomes = {"refused": 0, "passed": 0}
    for _ in range(400):
        ranges = {}
        names = together[rng.integers(len(together))]
        for name in rng.choice(names, rng.integers(1, len(names) + 1), replace=False):
            row = rows[name]
            ends = np.sort(rng.uniform(row.low - 0.5 * (row.high - row.low), 2 * row.high, 2))
            if row.kind in ("share", "probability"):
                ends = np.clip(ends, 0.0, 1.0)
            elif row.kind != "real":
                ends = np.maximum(ends, 0.0 if row.kind in ("nonnegative", "count") else 1e-3)
            ranges[name] = (float(ends[0]), float(ends[1]))
        try:
            check_sampled_ranges(ranges, "x")
        except ParameterError:
            outcomes["refused"] += 1
            continue
        outcomes["passed"] += 1
        for _ in range(30):
            params = Parameters({name: rng.uniform(low, high) for name, (low, high) in ranges.items()})
            check_consistency(params, "x")  # raises if a value drawn breaks a rule
    assert min(outcomes.values()) > 50, outcomes


def test_a_drawn_share_of_a_set_rescaled_to_one_is_said_before_the_runs():
    """A sweep, sensitivity, screening or calibration that draws a share of a set the model rescales
    to sum to 1 (`SHARE_SETS`) says so: the share run is not the value drawn, and the others move."""
    from twin.preflight import preflight_warnings
    from twin.scenario import load_scenario

    baseline = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    said = preflight_warnings([baseline], varied={"share_type_cultural", "share_type_family", "entry_rate_per_month"})
    rescaled = [w for w in said if "rescaled to sum to 1" in w]
    assert rescaled == ["share_type_cultural, share_type_family are drawn, and the OCG types shares "
                        "(share_type_cultural, share_type_proximity, share_type_family, share_type_virtual) are "
                        "rescaled to sum to 1 in each run: the share run is the value drawn over the set's sum, and "
                        "the set's other shares move with it (the tables give the values drawn)"]
    assert not [w for w in preflight_warnings([baseline], varied={"entry_rate_per_month"}) if "rescaled" in w]
