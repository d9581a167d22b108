"""Former structural constants, now parameters, reach the processes they set.

Each test runs the UK model at two settings of one parameter with the same seeds and checks the
direction the mechanism implies, as a paired difference of at least three standard errors over
the seeds (or, where the parameter sets a state directly, the state itself).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from twin.model import TwinModel
from twin.parameters import Parameters
from twin.vocabulary import HARM_CATEGORIES, VIRTUAL

from conftest import assert_paired_sign

SEEDS = (1, 2, 3, 4, 5, 6)


def _run(overrides: dict, seed: int, n_steps: int, before_run=None) -> TwinModel:
    model = TwinModel(params=Parameters(overrides, where="test"), seed=seed, n_steps=n_steps)
    if before_run is not None:
        before_run(model)
    model.run()
    return model


def _paired(name: str, low: float, high: float, outcome, n_steps: int = 36, before_run=None) -> np.ndarray:
    """outcome(high) - outcome(low) for each seed."""
    return np.array([outcome(_run({name: high}, seed, n_steps, before_run))
                     - outcome(_run({name: low}, seed, n_steps, before_run)) for seed in SEEDS])


def _total(metric: str):
    return lambda model: float(model.results.series(metric).sum())


def test_intelligence_weight_lowers_success_on_partly_known_groups():
    # intelligence on a group is below 1, so a heavier weight on it cuts success: fewer disruptions
    assert_paired_sign(_paired("operation_intelligence_weight", 0.2, 0.9, _total("disruptions")), -1)


def test_trust_weight_cuts_success_where_trust_has_fallen():
    def halve_trust(model):
        model.trust *= 0.5  # every area at half its starting trust: the factor is (1 - w) + w / 2
    assert_paired_sign(_paired("operation_trust_weight", 0.0, 0.8, _total("disruptions"), before_run=halve_trust), -1)


def test_leader_insulation_cut_spares_leaders():
    # fewer leaders arrested: fewer groups left to a successor
    assert_paired_sign(_paired("leader_insulation_arrest_cut", 0.0, 1.0, _total("successions")), -1)


def test_unknown_members_arrested_at_their_ratio():
    assert_paired_sign(_paired("unknown_member_arrest_ratio", 0.2, 1.0, _total("arrests")), 1)


def test_starting_intelligence_on_mapped_groups():
    for value in (0.15, 0.45):
        model = TwinModel(params=Parameters({"intel_start_mapped": value}, where="test"), seed=1, n_steps=1)
        ocgs = model.ocgs
        known, intel = ocgs.known[:ocgs.n], ocgs.intel[:ocgs.n]
        assert known.any() and (~known).any()
        assert np.all(intel[known] == value) and np.all(intel[~known] == 0.0)


def test_intelligence_on_groups_mapped_during_the_run():
    def newly_mapped_intel(value: float, seed: int) -> float:
        model = TwinModel(params=Parameters({"intel_on_mapping": value}, where="test"), seed=seed, n_steps=25)
        for _ in range(24):
            model.step()
        ocgs = model.ocgs
        n_before = ocgs.n
        known_before = ocgs.known[:n_before].copy()
        model.step()  # groups added in the step are left out
        newly = ocgs.known[:n_before] & ~known_before
        assert newly.any()
        return float(ocgs.intel[:n_before][newly].mean())
    # the same draws map the same groups (intelligence does not enter mapping), so each seed's
    # newly mapped groups are the same at both settings and start higher at the higher one
    for seed in SEEDS[:3]:
        assert newly_mapped_intel(0.3, seed) > newly_mapped_intel(0.05, seed)


def test_leader_insulation_starts_uniform_up_to_its_maximum():
    for top in (0.2, 0.6):
        model = TwinModel(params=Parameters({"insulation_start_max": top}, where="test"), seed=1, n_steps=1,
                          spin_up_years=0)
        insulation = model.ocgs.insulation[:model.ocgs.n]
        assert insulation.max() <= top
        # uniform on [0, top]: mean top / 2, standard error top / sqrt(12 n)
        assert abs(insulation.mean() - top / 2) < 4 * top / np.sqrt(12 * insulation.size)


def test_dissolved_groups_members_rejoin_at_their_share():
    from twin.succession import dissolve
    from twin.vocabulary import ACTIVE, EXITED

    for share in (0.2, 0.8):
        model = TwinModel(params=Parameters({"dissolved_members_rejoin_share": share}, where="test"), seed=1,
                          n_steps=1)
        ocgs, members = model.ocgs, model.members
        ended = np.flatnonzero(ocgs.active[:ocgs.n])[::20]  # every twentieth group: others stay in every area
        loose = np.flatnonzero(np.isin(members.ocg[:members.n], ended) & (members.status[:members.n] == ACTIVE))
        dissolve(model, ended)
        left = np.count_nonzero(members.status[loose] == EXITED)
        # each loose member leaves with chance 1 - share (binomial)
        se = np.sqrt(loose.size * share * (1 - share))
        assert abs(left - loose.size * (1 - share)) < 4 * se, (left, loose.size, share)
        assert not ocgs.active[ended].any()


def test_reputation_kept_after_disruption():
    def mean_reputation(model):
        active = model.ocgs.active[:model.ocgs.n]
        return float(model.ocgs.reputation[:model.ocgs.n][active].mean())
    assert_paired_sign(_paired("reputation_after_disruption_ratio", 0.6, 1.0, mean_reputation), 1)


def test_cohesion_recovers_at_its_rate():
    def cohesion_gap(model):
        ocgs = model.ocgs
        active = ocgs.active[:ocgs.n]
        return float((model.base_cohesion[ocgs.ocg_type[:ocgs.n]] - ocgs.cohesion[:ocgs.n])[active].mean())
    assert_paired_sign(_paired("cohesion_recovery_per_month", 0.005, 0.08, cohesion_gap), -1)


def test_fraud_entrants_virtual_at_their_share():
    def virtual_groups(model):
        ocgs = model.ocgs
        return float(np.count_nonzero((ocgs.ocg_type[:ocgs.n] == VIRTUAL) & ocgs.active[:ocgs.n]))
    assert_paired_sign(_paired("fraud_entrant_virtual_share", 0.0, 1.0, virtual_groups, n_steps=60), 1)


def _success_share(overrides: dict, intel: float = 1.0, insulation: float = 0.0, insider: bool = False,
                   trust_ratio: float = 1.0) -> tuple[float, int]:
    """Share of operations on every active group that succeed, with the groups' intelligence,
    insulation, insiders and trust set. A success arrests the leader (arrest share 1, and no cut
    for insulation unless `overrides` set one) and a failure arrests nobody (failed share 0), and
    a leader taken is a disruption, so the disrupted share is the success share."""
    from twin.investigations import complete_operations

    params = {"arrest_share_leader": 1.0, "failed_operation_arrest_share": 0.0, "leader_insulation_arrest_cut": 0.0,
              **overrides}
    model = TwinModel(params=Parameters(params, where="test"), seed=5, n_steps=1)
    ocgs, members = model.ocgs, model.members
    n = ocgs.n
    ocgs.intel[:n] = intel
    ocgs.insulation[:n] = insulation
    ocgs.has_insider[:n] = insider
    members.known[:members.n] = True
    model.trust[:] = model.trust_reference * trust_ratio
    ended = np.flatnonzero(ocgs.active[:n])
    complete_operations(model, ended)
    return float(model.disrupted[ended].mean()), ended.size


@pytest.mark.parametrize("setting, factor", [
    ({}, 1.0),
    ({"intel": 0.5}, 0.4 + 0.6 * 0.5),  # (1 - w) + w x intelligence, w = 0.6
    ({"insulation": 0.6}, 1 - 0.5 * 0.6),  # 1 - insulation_success_penalty x insulation
    ({"insider": True}, 1 - 0.25),  # 1 - insider_success_penalty
    ({"trust_ratio": 0.5}, 0.7 + 0.3 * 0.5),  # (1 - v) + v x trust ratio, v = 0.3
    ({"trust_ratio": 3.0}, 0.7 + 0.3 * 2.0),  # the trust ratio capped at 2
])
def test_operation_success_follows_its_formula(setting, factor):
    base = 0.6  # operation_success_base, below 1 so that no factor above 1 is clipped
    share, n = _success_share({"operation_success_base": base}, **setting)
    p = base * factor
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n), (share, p, n)


def test_leader_insulation_cut_sets_the_leaders_arrest_chance():
    # full insulation and no success penalty from it: success at the base chance, the leader
    # arrested with chance 1 - cut (a failure arrests nobody, so disrupted = leader taken)
    base, cut = 0.9, 0.7
    share, n = _success_share({"operation_success_base": base, "insulation_success_penalty": 0.0,
                               "leader_insulation_arrest_cut": cut, "disruption_capacity_threshold": 1.0},
                              insulation=1.0)
    p = base * (1 - cut)
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n), (share, p, n)


@pytest.mark.parametrize("shape", [2.0, 8.0])
def test_sentences_spread_as_a_gamma_of_the_stated_shape(shape):
    from twin.justice import imprison, sentence_means
    from twin.vocabulary import ACTIVE, WORKER

    params = Parameters({"sentence_gamma_shape": shape}, where="test")
    model = TwinModel(params=params, seed=2, n_steps=1)
    members = model.members
    rows = np.flatnonzero((members.status[:members.n] == ACTIVE) & (members.role[:members.n] == WORKER))[:20_000]
    imprison(model, rows, np.random.default_rng(3))
    sentence = members.sentence_months[rows]
    mean = sentence_means(params)[WORKER]
    # gamma with mean `mean` and shape k: variance mean^2 / k, excess kurtosis 6 / k
    variance = mean ** 2 / shape
    n = rows.size
    assert abs(sentence.mean() - mean) < 4 * np.sqrt(variance / n)
    assert abs(sentence.var(ddof=1) - variance) < 4 * variance * np.sqrt((2 + 6 / shape) / n)


def test_released_members_wait_longer_to_decide_at_a_longer_decision_time():
    def released_stock(model):
        return float(np.mean(model.results.series("members_released")[12:]))
    assert_paired_sign(_paired("released_decision_months", 3.0, 12.0, released_stock), 1)


def test_capital_reserve_slows_recruitment_of_groups_short_of_money():
    # reserve = capital / (months x profit), at most 1: a longer reserve leaves more groups short
    assert_paired_sign(_paired("capital_reserve_months", 1.0, 200.0, _total("recruits")), -1)


def test_new_groups_launder_at_their_share():
    def laundering_entrants(model):
        from twin.vocabulary import MONEY_LAUNDERING
        ocgs = model.ocgs
        new = ocgs.founded_step[:ocgs.n] > 0
        return float(np.count_nonzero(new & ocgs.markets[:ocgs.n, MONEY_LAUNDERING]))
    assert_paired_sign(_paired("new_ocg_laundering_share", 0.5, 1.0, laundering_entrants, n_steps=60), 1)


def test_violence_pressure_cap_limits_violence_in_crowded_markets():
    assert_paired_sign(_paired("violence_pressure_cap_ratio", 1.0, 5.0, _total("serious_violence")), 1)


def test_populations_far_beyond_plausible_are_refused(tmp_path):
    from twin.errors import ParameterError, PopulationError
    from twin.parameter_rules import check_consistency

    for name, value in (("entry_rate_per_month", 1e6), ("county_lines_initial", 1e9),
                        ("enablers_professional", 1e9), ("ocg_size_min", 1e6)):
        with pytest.raises(ParameterError, match=re.escape(f"{name} = {value:g} is more than the model can hold")):
            check_consistency(Parameters({name: value}, where="test"), "test")
    # a run whose groups grow past the limit stops with a message naming what was set beyond range
    import twin.population_guard as model_module

    model = TwinModel(params=Parameters({"entry_rate_per_month": 5.0}, where="test"), seed=1, n_steps=3)
    model.ocgs_at_start = 1  # as if it had started with one group
    original = model_module.MIN_GROUP_ROWS_LIMIT
    model_module.MIN_GROUP_ROWS_LIMIT = 0
    try:
        with pytest.raises(PopulationError, match=r"the run stopped at step 0: .* more than 20 times .*"
                                                  r"set beyond them: entry_rate_per_month = 5"):
            model.step()
    finally:
        model_module.MIN_GROUP_ROWS_LIMIT = original


def test_entrants_beyond_the_population_limits_are_refused_before_memory_is_taken():
    """A price elasticity of entry far beyond its range asked for 300 million groups in one step, and
    the machine's memory ran out before the check between steps; an entrant's size far beyond its
    range overflowed. The entry phase now stops the run before allocating, and sizes stay within a
    register's largest group."""
    import resource

    from twin.errors import PopulationError
    from twin.register import MAX_GROUP_SIZE

    model = TwinModel(params=Parameters({"entry_price_elasticity": 100.0}, where="test"), seed=1, n_steps=12)
    with pytest.raises(PopulationError, match=r"the run stopped at step 1: its entrants would make [\d,]+ groups .* "
                                              r"\(set beyond them: entry_price_elasticity = 100\)"):
        model.run()
    assert model.ocgs.n < 20 * model.ocgs_at_start  # none of them added
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 4_000_000  # KB: far from the 22 GB it took
    model = TwinModel(params=Parameters({"entry_size_median": 1e9}, where="test"), seed=1, n_steps=1)
    model.run()  # one step: the entrants as they entered (they recruit from the next)
    sizes = np.bincount(model.members.ocg[:model.members.n], minlength=model.ocgs.n)[model.ocgs_at_start:]
    assert sizes.max() == MAX_GROUP_SIZE and (sizes == MAX_GROUP_SIZE).sum() >= 2  # drawn far larger
    model = TwinModel(params=Parameters({"entrant_size_sigma": 50.0}, where="test"), seed=1, n_steps=6)
    model.run()  # sizes beyond any integer ("negative dimensions" before)
    assert model.members.n < 20 * model.members_at_start


def test_a_run_whose_results_grow_beyond_anything_real_stops_with_what_was_set(tmp_path, capsys):
    """A lever's intensity of 1e300 (no upper limit: a typo) made costs of 1e307 a month, numpy's overflow
    warning naming its own file, and a summary and report of 'inf' and 'n/a'. The run now stops at the
    first step recording a value beyond `RESULT_LIMIT`, naming the metrics, with no numpy warning; a
    budget of 1e300 too."""
    import warnings

    from twin.cli import main
    from twin.errors import PopulationError
    from twin.interventions import LEVER_TYPES
    from twin.population_guard import RESULT_LIMIT

    lever = LEVER_TYPES["clear"].from_settings({"areas": "all", "intensity": 1e300}, "test")
    model = TwinModel(seed=1, n_steps=3, levers=[lever])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarning fails the test
        with pytest.raises(PopulationError, match=r"the run stopped at step 1: .*lever_cost_gbp_clear.* grew beyond "
                                                  r"1e\+18 in a step"):
            model.run()
    assert np.abs(model.results.values[0][np.isfinite(model.results.values[0])]).max() > RESULT_LIMIT
    model = TwinModel(params=Parameters({"soc_budget_gbp_per_year": 1e300}, where="test"), seed=1, n_steps=2)
    with pytest.raises(PopulationError, match=r"\(parameters set beyond them: soc_budget_gbp_per_year = 1e\+300\)"):
        model.run()
    scenario = tmp_path / "huge.toml"
    scenario.write_text('[scenario]\nname = "huge"\nyears = 1\nspin_up_years = 0\n[[levers]]\ntype = "clear"\n'
                        'intensity = 1e300\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "twin: error: the run stopped at step 1" in err and "RuntimeWarning" not in err and "Traceback" not in err


def test_values_that_cannot_hold_together_are_refused_with_the_values_named():
    """Each valid alone, absurd together: cost-type shares above 1 (negative consequence harm, netted out
    of sight), a capital spend rate of 0 (infinite starting capital, then a crash), and violence at the
    cap of rival pressure beyond anything plausible (millions of homicides a month)."""
    from twin.errors import ParameterError
    from twin.parameter_rules import check_consistency

    for overrides, message in (
            ({"anticipation_share_drugs": 0.8, "response_share_drugs": 0.5},
             "anticipation_share_drugs = 0.8 and response_share_drugs = 0.5 add up to more than 1"),
            ({"capital_spend_rate_per_month": 0.0}, "capital_spend_rate_per_month = 0 leaves"),
            ({"child_recruit_age_min_years": 30.0}, "child_recruit_age_min_years = 30 is 18 or more"),
            ({"child_recruit_age_min_years": 18.0}, "child_recruit_age_min_years = 18 is 18 or more"),
            ({"competition_violence_elasticity": 40.0}, "= 4.86e+17 incidents per group a month at the cap"),
            ({"serious_violence_rate_per_month": 1000.0}, "= 3e+03 incidents per group a month"),
            ({"violence_pressure_cap_ratio": 1e10, "competition_violence_elasticity": 100.0},  # beyond a float
             "= more than 1e+299 incidents per group a month")):
        with pytest.raises(ParameterError, match=re.escape(message)):
            check_consistency(Parameters(overrides, where="test"), "test")
    # the plausible ranges' ends hold together
    for name in ("anticipation_share_", "response_share_"):
        check_consistency(Parameters({f"{name}{c}": Parameters().spec(f"{name}{c}").high for c in HARM_CATEGORIES}),
                          "test")
    check_consistency(Parameters({n: Parameters().spec(n).high for n in (
        "competition_violence_elasticity", "violence_pressure_cap_ratio", "serious_violence_rate_per_month")}), "t")


def test_a_relocation_chance_that_breaks_the_balance_is_warned_about():
    from twin.geography import load_geography
    from twin.parameter_rules import RELOCATION_BALANCED_MAX, consistency_warnings

    # the bound is where the UK area with the most populous neighbours reaches a chance of 1
    geo = load_geography()
    multiplier = Parameters().exporter_vulnerability_multiplier
    _, scale = geo.relocation_weights(geo.population * np.where(geo.exporter, multiplier, 1.0))
    assert RELOCATION_BALANCED_MAX * scale.max() <= 1.0 < (RELOCATION_BALANCED_MAX + 0.01) * scale.max()
    assert not any("relocation" in w for w in consistency_warnings(Parameters(), "test"))
    high = Parameters({"relocation_prob_after_operation": 0.6}, where="test")
    assert any("relocation_prob_after_operation = 0.6: above 0.44" in w for w in consistency_warnings(high, "test"))


def test_new_groups_plan_their_size_with_about_their_mean_role_labour():
    """`ENTRANT_LABOUR_PER_MEMBER` stands for the mean of `ROLE_LABOUR` over a new group's roles (a
    leader, then recruits: core at `core_member_share`, exploited at the market's share of the rest):
    it must lie within what those weights give from the median entrant's size to the largest."""
    from twin.operations import ENTRANT_LABOUR_PER_MEMBER, ROLE_LABOUR
    from twin.vocabulary import CORE, EXPLOITED, LEADER, WORKER

    p = Parameters()
    means = []
    for exploited in (p.exploited_member_share_drugs, p.exploited_member_share_other):
        recruit = (p.core_member_share * ROLE_LABOUR[CORE] + (1 - p.core_member_share)
                   * (exploited * ROLE_LABOUR[EXPLOITED] + (1 - exploited) * ROLE_LABOUR[WORKER]))
        for size in (p.entry_size_median, p.entrant_target_size_max):
            means.append((ROLE_LABOUR[LEADER] + (size - 1) * recruit) / size)
    assert min(means) <= ENTRANT_LABOUR_PER_MEMBER <= max(means)


def test_assets_recovered_realise_seized_capital_at_their_share():
    """Seized capital is realised at `asset_realisation_share` (fines are paid in full), and the share
    is accounting only: the runs are the same, and the assets recovered rise by the same amount,
    by area and step, for each equal rise in the share (nothing pinned the share before)."""
    runs = [_run({"asset_realisation_share": share}, seed=2, n_steps=12) for share in (0.1, 0.3, 0.5)]
    for metric in ("harm_gbp_total", "disruptions", "convictions"):
        assert all(np.array_equal(run.results.series(metric), runs[0].results.series(metric)) for run in runs), metric
    recovered = [run.results.values[:, :-1, run.results.index["assets_recovered_gbp"]] for run in runs]
    first, second = recovered[1] - recovered[0], recovered[2] - recovered[1]
    assert first.sum() > 0
    assert np.allclose(first, second, rtol=1e-9, atol=1e-3)
    # what is left at a share of 0 is the fines, paid in full: more than nothing, and at most one fine
    # per conviction (less where a group's capital runs short)
    fines = recovered[0].sum() - 0.5 * first.sum()  # a(0.1) - 0.1 x seized, seized = first / 0.2
    convictions = runs[0].results.series("convictions").sum()
    assert 0 < fines <= convictions * runs[0].params.fine_gbp_per_conviction * (1 + 1e-9)
