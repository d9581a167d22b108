"""Levers: each moves its mechanism in the expected direction, only in its window and targets,
and is costed. Direction tests use paired seeds (the same seeds with and without the lever)."""

import re

import numpy as np
import pytest

from twin.cli import main
from twin.errors import ScenarioError
from twin.interventions import LEVER_TYPES, PAYERS, POLICING
from twin.scenario_levers import build_levers
from twin.model import TwinModel
from twin.parameters import Parameters, budget_tier_shares
from twin.vocabulary import NCA, ROCU
from twin.scenario import Scenario, load_scenario

from conftest import SCENARIOS, assert_paired_sign

TARGETS = ["Merseyside", "West Midlands", "Greater Manchester"]


def _levers(*entries):
    return build_levers(Scenario(name="t", path="test.toml", levers=[dict(e) for e in entries]))


def _model(entries=(), seed=1, n_steps=12, **params):
    return TwinModel(Parameters(params), seed=seed, n_steps=n_steps, levers=_levers(*entries))


def _run(entries=(), seed=1, n_steps=12, **params):
    model = _model(entries, seed, n_steps, **params)
    model.run()
    return model


def _area_total(model, metric, areas=None):
    values = model.results.values[: model.results.steps_recorded, :-1, model.results.index[metric]]
    if areas is None:
        return values.sum()
    idx = [model.geography.area_index(a) for a in areas]
    return values[:, idx].sum()


#: paired seeds for a lever's direction (`assert_paired_sign`: the mean paired difference beyond
#: three standard errors)
SEEDS = tuple(range(1, 7))


def _paired(entry, metric, seeds=(1, 2, 3), n_steps=12, areas=None, **params):
    """Per-seed (lever, baseline) totals of a metric."""
    out = []
    for seed in seeds:
        with_lever = _area_total(_run([entry], seed, n_steps, **params), metric, areas)
        without = _area_total(_run([], seed, n_steps, **params), metric, areas)
        out.append((with_lever, without))
    return np.array(out)


def _count_ratio_z(pairs, expected: float) -> float:
    """Standard errors between the ratio of two summed counts (with the lever over without) and
    its expected value, treating the sums as Poisson counts (conservative for paired seeds)."""
    with_lever, without = pairs[:, 0].sum(), pairs[:, 1].sum()
    ratio = with_lever / without
    return (ratio - expected) / (ratio * np.sqrt(1 / with_lever + 1 / without))


# ---------------------------------------------------------------------------------- generic


def _minimal(kind):
    entry = {"type": kind}
    if kind == "funding":
        entry["budget_gbp_per_year"] = 2e9
    if not LEVER_TYPES[kind].national:
        entry["areas"] = TARGETS
    if kind == "tasking_priority":
        entry["groups"] = {"county_lines": True}
    return entry


def _cost_rule_gbp_per_year(lever, model) -> np.ndarray:
    """A lever's spending per area and year as its settings price it (docs/ODD.md, 3.4): area
    levers in their target areas, national levers spread by population, the investigator
    pipelines (funding, soc_fund) as the investigators hired times the cost of one."""
    from twin.geography import uk_population

    v, i, geo = lever.values, lever.intensity, model.geography
    targets = np.isin(geo.area_names, TARGETS)
    population_share = geo.population / geo.population.sum()
    kind = lever.type_name
    if kind == "clear":
        return targets * v["surge_investigators_per_area"] * v["cost_gbp_per_surge_investigator_year"] * i
    if kind == "business_disruption":  # per area, whatever its population
        return targets * v["cost_gbp_per_area_year"] * i
    if "cost_gbp_per_area_year" in v:  # priced for an area of the UK force areas' mean population
        return targets * v["cost_gbp_per_area_year"] * i * geo.population / (uk_population() / len(geo.area_names))
    if kind == "prison_places":
        return population_share * v["extra_places"] * v["capital_gbp_per_place_year"] * i
    if kind == "court_capacity":
        return population_share * 12 * v["extra_trials_per_month"] * v["cost_gbp_per_trial"] * i
    if kind == "technology_investment":  # the window lies within its spend_years
        return population_share * v["capital_gbp_per_year"] * i
    if kind in ("funding", "soc_fund"):
        # [unit]: forces, then ROCUs, NCA; hired at the step's middle (the step's hires come in over it)
        hired = (lever.hired_fte - 0.5 * lever.hires_fte) * model.params.cost_gbp_per_investigator_year
        n = geo.n_areas
        return hired[:n] + population_share * hired[n:].sum()
    return population_share * v["cost_gbp_per_year"] * i


@pytest.mark.parametrize("kind", sorted(LEVER_TYPES))
def test_every_lever_is_costed_as_its_settings_say_only_in_its_window_and_targets(kind):
    entry = dict(_minimal(kind), start_year=0.5, duration_years=0.5, intensity=1.5)
    if kind == "technology_investment":
        entry["lag_years"] = 0.25  # a lever must outlast its lag
    model = _model([entry], n_steps=15)
    assert model.geography.n_areas > len(TARGETS)
    step_share = model.months_per_step / 12 * (1 + model.params.lever_cost_optimism_bias)
    expected = np.zeros((15, model.geography.n_areas))
    for step in range(15):
        model.step()
        if 6 <= step < 12:  # the window: months 6 to 11
            for lever in model.levers:
                if lever.start_year * 12 <= step < lever.end_year * 12:
                    assert lever.intensity == 1.5
                    expected[step] += _cost_rule_gbp_per_year(lever, model) * step_share
    names = [m for m in model.results.metric_names if m.startswith("lever_cost_gbp_")]
    assert names, "the lever has no cost metric"
    cost = sum(model.results.values[:, :-1, model.results.index[n]] for n in names)  # [step, area]
    assert np.all(cost[:6] == 0) and np.all(cost[12:] == 0), "cost outside the window"
    assert np.all(expected[6:12].sum(axis=1) > 0), "no cost inside the window"
    np.testing.assert_allclose(cost, expected, rtol=1e-9, atol=0)
    if not LEVER_TYPES[kind].national:
        outside = [i for i, a in enumerate(model.geography.area_names) if a not in TARGETS]
        assert np.all(cost[:, outside] == 0), "cost outside the target areas"
    # The response cost is policing + courts + prisons + the levers' costs, area by area.
    column = lambda name: model.results.values[:, :-1, model.results.index[name]]
    parts = (column("response_cost_gbp_policing") + column("response_cost_gbp_courts")
             + column("response_cost_gbp_prisons") + cost)
    assert np.allclose(column("response_cost_gbp"), parts)
    # Who bears it: the four payers' parts add up to the cost, and go to the payer the lever states.
    spending = {payer: column(f"lever_spending_gbp_{payer}") for payer in PAYERS}
    np.testing.assert_allclose(sum(spending.values()), cost, rtol=1e-9, atol=1e-6)
    paid_by = LEVER_TYPES[kind].paid_by
    if kind == "clear_hold_build":  # Clear and Hold by the forces, Build by local partners
        build = column(f"lever_cost_gbp_{kind}_build")  # none here: Clear fills the window
        np.testing.assert_allclose(spending["other"], build, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(spending["forces"], cost - build, rtol=1e-9, atol=1e-6)
    elif kind in ("funding", "soc_fund"):  # each tier pays for its own units' investigators (below)
        assert all(spending[payer][6:12].sum() > 0 for payer in PAYERS[:3])
        assert np.all(spending["other"] == 0)
    else:  # the baseline budget's split, a share each, or one spender
        shares = (dict(zip(PAYERS[:3], budget_tier_shares(model.params))) if paid_by == POLICING
                  else paid_by if isinstance(paid_by, dict) else {paid_by: 1.0})
        for payer in PAYERS:
            np.testing.assert_allclose(spending[payer], cost * shares.get(payer, 0.0), rtol=1e-9, atol=1e-6,
                                       err_msg=f"{kind}'s spending by {payer}")


def test_every_lever_type_states_who_spends_its_money():
    from twin.interventions import Lever, register

    for cls in LEVER_TYPES.values():
        assert cls.paid_by is not None and cls.payer_phrase()
    unstated = type("Unstated", (Lever,), {"type_name": "unstated"})
    with pytest.raises(TypeError, match="paid_by"):
        register(unstated)
    halves = type("Halves", (Lever,), {"type_name": "halves", "paid_by": {"forces": 0.5, "courts": 0.4}})
    with pytest.raises(TypeError, match="adding up to 1"):
        register(halves)
    assert "unstated" not in LEVER_TYPES and "halves" not in LEVER_TYPES


def test_clear_hold_build_phases_are_borne_by_forces_and_local_partners():
    entry = {"type": "clear_hold_build", "areas": TARGETS, "clear_years": 0.25, "hold_years": 0.25, "build_years": 1}
    model = _run([entry], n_steps=8)
    column = lambda name: model.results.values[:8, :-1, model.results.index[name]]
    police_phases = column("lever_cost_gbp_clear_hold_build_clear") + column("lever_cost_gbp_clear_hold_build_hold")
    build = column("lever_cost_gbp_clear_hold_build_build")
    assert police_phases[:3].sum() > 0 and build[3:].sum() > 0
    np.testing.assert_allclose(column("lever_spending_gbp_forces"), police_phases, rtol=1e-9)
    np.testing.assert_allclose(column("lever_spending_gbp_other"), build, rtol=1e-9)


def test_funding_spending_is_borne_by_the_tiers_its_split_names():
    """All the money to forces: forces spend more, the ROCUs and the NCA lose their baseline budgets
    (negative spending, cut at once), and each tier's part is its own units' investigators."""
    entry = {"type": "funding", "budget_gbp_per_year": 2e9, "share_forces": 1.0, "share_rocu": 0.0, "share_nca": 0.0}
    model = _run([entry], n_steps=6)
    column = lambda name: model.results.values[:6, :-1, model.results.index[name]]
    forces, rocus, nca = (column(f"lever_spending_gbp_{p}") for p in ("forces", "rocus", "nca"))
    assert np.all(forces > 0) and np.all(rocus < 0) and np.all(nca < 0)
    assert np.all(column("lever_spending_gbp_other") == 0)
    # the cut is immediate: from the first step, the ROCUs' and the NCA's spending is minus their budgets
    police, params = model.police, model.params
    budget_year = police.budget_gbp_per_month(params) * 12
    n = model.geography.n_areas
    share = model.geography.population / model.geography.population.sum()
    step_share = model.months_per_step / 12
    np.testing.assert_allclose(rocus[0], -share * budget_year[n:][police.tier[n:] == ROCU].sum() * step_share, rtol=1e-9)
    np.testing.assert_allclose(nca[0], -share * budget_year[n:][police.tier[n:] == NCA].sum() * step_share, rtol=1e-9)
    np.testing.assert_allclose(forces + rocus + nca, column("lever_cost_gbp_funding"), rtol=1e-9)


@pytest.mark.parametrize("kind", sorted(LEVER_TYPES))
def test_levers_do_nothing_before_they_start(kind):
    entry = dict(_minimal(kind), start_year=2)
    with_lever = _run([entry], n_steps=12)
    without = _run([], n_steps=12)
    assert np.array_equal(with_lever.results.values[:, :, : len(without.results.metric_names)],
                          without.results.values, equal_nan=True)


def test_area_levers_leave_other_areas_modifiers_alone():
    model = _model([{"type": "hold", "areas": TARGETS}, {"type": "build", "areas": TARGETS}])
    model.step()
    model.step()  # Build ramps up from its first month
    mods = model.modifiers
    targets = np.array([a in TARGETS for a in model.geography.area_names])
    assert np.all(mods.entry_multiplier[targets] < 1) and np.all(mods.entry_multiplier[~targets] == 1)
    assert np.all(mods.vulnerability_multiplier[targets] < 1) and np.all(mods.vulnerability_multiplier[~targets] == 1)
    assert np.all(mods.trust_change_per_month[~targets] == 0)


# ---------------------------------------------------------------------------------- CHB


def test_clear_hold_build_phases_follow_each_other():
    (clear, hold, build) = _levers({"type": "clear_hold_build", "name": "chb", "areas": TARGETS,
                                    "clear_years": 0.5, "hold_years": 2, "build_years": 3, "start_year": 1})
    assert (clear.name, clear.start_year, clear.end_year) == ("chb_clear", 1, 1.5)
    assert (hold.start_year, hold.end_year) == (1.5, 3.5)
    assert (build.start_year, build.end_year) == (1.5, 4.5)
    assert len(_levers({"type": "clear_hold_build", "hold_years": 0, "build_years": 0})) == 1


def test_clear_raises_disruptions_in_its_areas():
    pairs = _paired({"type": "clear", "areas": TARGETS, "intensity": 3}, "disruptions", seeds=SEEDS, areas=TARGETS)
    assert_paired_sign(pairs[:, 0] - pairs[:, 1], 1)


def test_hold_keeps_new_groups_out():
    # A market with unmet demand everywhere (supply at 80% of demand) draws many entrants.
    # Twenty paired seeds give about 130 entrants with the lever and 600 without.
    pairs = _paired({"type": "hold", "areas": TARGETS, "entry_reduction": 0.8}, "ocgs_entered",
                    seeds=tuple(range(1, 21)), areas=TARGETS, supply_demand_ratio_initial=0.8)
    assert abs(_count_ratio_z(pairs, expected=1 - 0.8)) < 4


def test_hold_keeps_displaced_groups_and_new_county_lines_out():
    """Hold weighs the areas it holds down, by its entry multiplier (here 0.2), as destinations of
    groups relocating after an operation and of new county lines; renormalised over the areas left,
    so fewer come, though not as few as a fifth. Held: four areas that receive county lines (not
    exporters). About 90 relocations and 650 new lines into them without Hold, over 4 seeds."""
    held = ["Cheshire", "Lancashire", "Staffordshire", "West Mercia"]
    hold = {"type": "hold", "areas": held, "entry_reduction": 0.8}
    for metric in ("relocations", "county_lines_opened"):
        pairs = _paired(hold, metric, seeds=(1, 2, 3, 4), n_steps=24, areas=held)
        assert np.all(pairs[:, 0] < pairs[:, 1]), (metric, pairs)
        assert _count_ratio_z(pairs, expected=0.5) < -3, (metric, pairs)  # well under half as many


def test_build_lowers_vulnerability_and_demand_over_years():
    model = _run([{"type": "build", "areas": TARGETS, "ramp_years": 2}], n_steps=36)
    base = _run([], n_steps=36)
    idx = [model.geography.area_index(a) for a in TARGETS]
    vulnerability = model.results.series("vulnerability", TARGETS[0])
    unchanged = base.results.series("vulnerability", TARGETS[0])[0]
    # half a month into a two-year ramp in the first step, the whole effect from month 24
    assert vulnerability[0] == pytest.approx(unchanged * (1 - 0.15 * 0.5 / 24))
    assert vulnerability[0] > vulnerability[12] > vulnerability[30] == pytest.approx(vulnerability[-1])
    assert vulnerability[-1] == pytest.approx(unchanged * (1 - 0.15))
    assert np.allclose(model.modifiers.demand_multiplier[idx, :2], 1 - 0.08)  # both drug markets
    assert np.all(np.delete(model.modifiers.demand_multiplier, idx, axis=0) == 1)
    assert model.results.series("community_trust", TARGETS[0])[-1] > base.results.series("community_trust", TARGETS[0])[-1]


# ---------------------------------------------------------------------------------- powers


def test_investigatory_powers_map_more_groups():
    pairs = _paired({"type": "investigatory_powers", "detection_uplift": 1.0}, "ocgs_mapped", seeds=SEEDS)
    assert_paired_sign(pairs[:, 0] - pairs[:, 1], 1)


def test_financial_sanctions_freeze_capital_and_recover_more():
    # a year of freezing 5% a month leaves about 0.95^12 = 54% of what is not spent: under 90%, paired
    capital, recovered = [], []  # each paired difference (no model kept)
    for seed in SEEDS:
        with_lever = _run([{"type": "financial_sanctions", "freeze_share_per_month": 0.05}], seed)
        without = _run([], seed)
        capital.append(with_lever.ocgs.capital_gbp.sum() - 0.9 * without.ocgs.capital_gbp.sum())
        recovered.append(_area_total(with_lever, "assets_recovered_gbp") - _area_total(without, "assets_recovered_gbp"))
    assert_paired_sign(np.array(capital), -1)
    assert_paired_sign(np.array(recovered), 1)


def _operation_outcomes(levers: list, **params) -> tuple[np.ndarray, np.ndarray]:
    """(reach, disrupted) of an operation on every active group, ended at once with the levers
    acting: full intelligence, no insulation or insiders, every member known; a success arrests
    the leader (a disruption) and a failure nobody, so a group is disrupted when the operation succeeds."""
    from twin.investigations import complete_operations

    model = _model(levers, seed=5, n_steps=1, arrest_share_leader=1.0, failed_operation_arrest_share=0.0,
                   leader_insulation_arrest_cut=0.0, **params)
    ocgs, n = model.ocgs, model.ocgs.n
    ocgs.intel[:n], ocgs.insulation[:n], ocgs.has_insider[:n] = 1.0, 0.0, False
    model.members.known[:model.members.n] = True
    model.modifiers.reset()
    for lever in model.levers:
        lever.apply(model)
    ended = np.flatnonzero(ocgs.active[:n])
    complete_operations(model, ended)
    return ocgs.reach[ended], model.disrupted[ended]


def test_extra_territorial_raises_success_against_national_groups_only():
    from twin.vocabulary import NATIONAL

    base, uplift = 0.5, 0.6  # success below 1 with the uplift: nothing clipped
    lever = {"type": "extra_territorial", "success_uplift_national_groups": uplift}
    reach, with_lever = _operation_outcomes([lever], operation_success_base=base)
    same_reach, without = _operation_outcomes([], operation_success_base=base)
    assert np.array_equal(reach, same_reach)
    national = reach == NATIONAL
    assert 500 < national.sum() < national.size - 500  # many groups of each kind
    # national groups succeed at base x (1 + uplift), within four standard errors
    p = base * (1 + uplift)
    share = with_lever[national].mean()
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / national.sum()), (share, p)
    # the same draws: local and regional groups fare exactly as without the lever
    assert np.array_equal(with_lever[~national], without[~national])
    assert with_lever[national].sum() > without[national].sum()


def test_soc_register_cuts_reoffending():
    pairs = _paired({"type": "soc_register", "reoffending_reduction": 0.6}, "reoffenders")
    assert abs(_count_ratio_z(pairs, expected=1 - 0.6)) < 4


def test_prison_restrictions_stop_leaders_directing():
    # nine in ten stopped: under half as many directing, paired over seeds
    restricted = {"type": "prison_restrictions", "direction_reduction": 0.9}
    diff = [_run([restricted], seed, n_steps=24).ocgs.leader_directing.sum()
            - 0.5 * _run([], seed, n_steps=24).ocgs.leader_directing.sum() for seed in SEEDS]
    assert_paired_sign(np.array(diff, dtype=float), -1)


def _national_supply_cut(lever: dict, metric: str, kept_share: float, elasticity: float) -> None:
    """A lever keeping `kept_share` of a national market's supply. Volumes there are demand x
    (supply / starting supply) ** elasticity, never more than supplied (supply_demand_ratio_initial
    times demand at the start), so in the first month the volume falls to that share exactly; over
    a year, groups entering the market the lever leaves short refill part of the gap: the year's
    volume over the baseline's lies between that share and 1, each side by three paired-seed
    standard errors."""
    expected = min(kept_share ** elasticity, kept_share * Parameters().supply_demand_ratio_initial)
    first_month = _paired(lever, metric, n_steps=1)
    assert np.all(np.abs(first_month[:, 0] / first_month[:, 1] - expected) < 1e-12)
    year = _paired(lever, metric)
    ratio = year[:, 0] / year[:, 1]
    assert_paired_sign(ratio - expected, 1)  # part of the gap refilled
    assert_paired_sign(ratio - 1, -1)  # but only part


def test_border_powers_interdict():
    # 0.27 instead of 0.3 would be nearly two points off in the first month
    _national_supply_cut({"type": "border_powers", "interdiction_share": 0.3}, "immigration_arrivals",
                         0.7, Parameters().immigration_supply_elasticity)


def test_optimism_bias_raises_every_lever_cost_by_its_share():
    entry = _minimal("clear")
    plain = _run([entry], n_steps=6)
    uplifted = _run([entry], n_steps=6, lever_cost_optimism_bias=0.4)
    cost = lambda model: model.results.series("lever_cost_gbp_clear").sum()
    assert cost(plain) > 0 and cost(uplifted) == pytest.approx(1.4 * cost(plain))


def test_optimism_bias_leaves_a_cut_s_saving_as_assumed():
    """A budget cut's saving is not scaled up with spending: the same saving with or without the
    uplift, to the last penny, and in every payer's part."""
    cut = {"type": "funding", "budget_gbp_per_year": 0.5e9}  # below today's £860m
    plain = _run([cut], n_steps=6)
    uplifted = _run([cut], n_steps=6, lever_cost_optimism_bias=0.4)
    for metric in ("lever_spending_gbp_forces", "lever_spending_gbp_rocus", "lever_spending_gbp_nca"):
        saving = plain.results.series(metric)
        assert saving.sum() < 0 and np.array_equal(uplifted.results.series(metric), saving), metric
    # with an uplift the cost is the parts' sum: equal to the last bits of floating-point addition
    saving = plain.results.series("lever_cost_gbp_funding")
    assert saving.sum() < 0 and uplifted.results.series("lever_cost_gbp_funding") == pytest.approx(saving, rel=1e-12)
    # a budget moved between tiers: the NCA's new spending is uplifted, the forces' cut is not, and
    # the lever's cost is what its payers' parts add up to
    moved = {"type": "funding", "budget_gbp_per_year": 0.86e9, "share_forces": 0.25, "share_rocu": 0.2,
             "share_nca": 0.55}
    plain = _run([moved], n_steps=6)
    uplifted = _run([moved], n_steps=6, lever_cost_optimism_bias=0.4)
    forces, nca = "lever_spending_gbp_forces", "lever_spending_gbp_nca"
    assert plain.results.series(forces).sum() < 0 < plain.results.series(nca).sum()
    assert np.array_equal(uplifted.results.series(forces), plain.results.series(forces))
    assert uplifted.results.series(nca) == pytest.approx(1.4 * plain.results.series(nca))
    parts = sum(uplifted.results.series(f"lever_spending_gbp_{payer}") for payer in ("forces", "rocus", "nca"))
    assert uplifted.results.series("lever_cost_gbp_funding") == pytest.approx(parts, abs=1e-3)


def test_powers_without_oversight_cost_trust():
    powers = {"type": "investigatory_powers"}
    gaps = [_run([powers, {"type": "oversight"}], seed, n_steps=24).results.series("community_trust")[-1]
            - _run([powers], seed, n_steps=24).results.series("community_trust")[-1] for seed in SEEDS]
    assert_paired_sign(np.array(gaps) - 0.01, 1)  # oversight keeps trust more than 0.01 higher


SIX_POWERS = [{"type": kind} for kind in ("investigatory_powers", "financial_sanctions", "extra_territorial",
                                          "soc_register", "prison_restrictions", "border_powers")]


def test_six_powers_without_oversight_cost_trust_up_to_a_tenth_and_it_recovers_after_they_end():
    """Six powers for two years without oversight, paired with the same powers with oversight:
    the trust lost follows the saturating loss (0.1 x 0.95 at equilibrium, 38% of the way there
    after 24 months), and three years after the powers end half the gap is left (0.98 ** 36).
    Trust's responses to homicides and disruptions are switched off in both runs: lower trust
    changes detection, hence disruptions and violence, which would move trust again and blur the
    penalty's own path (by up to 0.003 of the index)."""
    quiet = {"trust_loss_per_homicide_per_100k": 0.0, "trust_gain_per_disruption_per_100k": 0.0}
    params = Parameters(quiet)
    monthly = params.trust_loss_per_month_powers_without_oversight * (1 - np.exp(-6 / params.trust_loss_powers_scale))
    recovery = params.trust_recovery_rate_per_month
    expected_24 = monthly / recovery * (1 - (1 - recovery) ** 24)
    for seed in (1, 2, 3):
        ended = [dict(power, duration_years=2) for power in SIX_POWERS]
        without = _run(ended, seed, n_steps=60, **quiet).results.series("community_trust")
        with_oversight = _run(ended + [{"type": "oversight"}], seed, n_steps=60, **quiet)
        with_oversight = with_oversight.results.series("community_trust")
        gap = with_oversight - without
        assert abs(gap[23] - expected_24) < 1e-9
        assert abs(gap[59] - expected_24 * (1 - recovery) ** 36) < 1e-9
        assert gap[59] < 0.6 * gap[23]


def test_fraud_reporting_follows_trust_with_its_elasticity():
    """Per area and month, the share of fraud reported is fraud_reported_share x (trust over its
    start) ** fraud_reporting_trust_elasticity, with trust moved by six powers without oversight."""
    params = Parameters()
    model = _run(SIX_POWERS, n_steps=24)
    values, index = model.results.values[:24, :-1], model.results.index
    share = values[..., index["fraud_reported"]] / values[..., index["fraud_offences"]]
    ratio = values[..., index["community_trust"]] / model.trust_reference[None, :]
    assert ratio.min() < 0.97  # trust has moved
    assert np.allclose(share, params.fraud_reported_share * ratio ** params.fraud_reporting_trust_elasticity)


# ---------------------------------------------------------------------------------- funding and tiers


def test_funding_grows_capacity_no_faster_than_hiring_allows():
    model = _run([{"type": "funding", "budget_gbp_per_year": 3e9, "max_growth_share_per_year": 0.25}], n_steps=36)
    base = _run([], n_steps=36)
    extra = model.results.series("investigators_fte") - base.results.series("investigators_fte")
    params = Parameters()
    baseline_fte = params.soc_budget_gbp_per_year / params.cost_gbp_per_investigator_year
    assert extra[11] < 0.25 * baseline_fte  # at most a year's hiring after a year
    assert extra[-1] > extra[11] > 0
    assert _area_total(model, "disruptions") > _area_total(base, "disruptions")


def test_a_funding_budget_the_hiring_cap_keeps_out_of_reach_is_said_to_change_nothing_above_its_threshold():
    """Over two years hiring at 25% of the workforce a year buys at most half the baseline's budget
    again, in every tier: any budget above that threshold gives the same run, to the last bit, and the
    warning says so with the threshold; a budget below it changes the run and is not warned of."""
    from twin.preflight import budget_out_of_reach

    def scenario(budget):
        return Scenario(name="f", path="f.toml", years=2, levers=[{"type": "funding", "budget_gbp_per_year": budget}])

    params = Parameters()
    threshold = params.soc_budget_gbp_per_year * 1.5  # the baseline's split: each tier's 1 + 0.25 x 2
    said = budget_out_of_reach(scenario(3e9))
    assert len(said) == 1 and f"any budget above about £{threshold / 1e9:.2f}bn gives the same run" in said[0]
    assert "reaches about £0.43bn a year above the baseline's" in said[0]  # 0.25 x £0.86bn x 2 years
    assert budget_out_of_reach(scenario(1.2e9)) == []
    runs = {budget: _run([{"type": "funding", "budget_gbp_per_year": budget}], n_steps=24).results.values
            for budget in (1.2e9, 2e9, 3e9)}
    assert np.array_equal(runs[2e9], runs[3e9], equal_nan=True)
    assert not np.array_equal(runs[1.2e9], runs[2e9], equal_nan=True)
    # the baseline's split as the model uses it (rescaled to sum to 1), not the shares as written
    uneven = Scenario(name="f", path="f.toml", years=2, parameters={"budget_share_forces": 0.3},
                      levers=[{"type": "funding", "budget_gbp_per_year": 3e9}])
    split = budget_tier_shares(uneven.build_parameters())
    expected = max(params.soc_budget_gbp_per_year * share * 1.5 / lever_share
                   for share, lever_share in zip(split, (0.45, 0.2, 0.35)))
    assert f"any budget above about £{expected / 1e9:.2f}bn gives the same run" in budget_out_of_reach(uneven)[0]
    above = {budget: _run([{"type": "funding", "budget_gbp_per_year": budget}], n_steps=24,
                          budget_share_forces=0.3).results.values for budget in (expected * 1.02, 3e9)}
    assert np.array_equal(above[expected * 1.02], above[3e9], equal_nan=True)


def test_twin_run_says_a_budget_out_of_reach_for_the_horizon_it_runs(tmp_path, capsys):
    """The warning reads the horizon the command runs (--years), not the file's."""
    from pathlib import Path

    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    scenario = tmp_path / "f.toml"
    scenario.write_text(f'[scenario]\nname = "f"\nbase = "{base.as_posix()}"\nyears = 10\n'
                        f'[[levers]]\ntype = "funding"\nbudget_gbp_per_year = 2.5e9\n')
    assert main(["run", str(scenario), "--years", "0.25", "--spin-up-years", "0", "--quiet",
                 "--out", str(tmp_path / "run")]) == 0
    assert "is not reached by the lever's end (year 0.25)" in capsys.readouterr().err


def test_lever_settings_that_another_setting_leaves_idle_are_said_to_have_no_effect():
    """A yearly-bid efficiency on a multi-year settlement, a selection priority without a selection:
    each is warned of (and runs the same as without it), and not when it acts."""
    from twin.preflight import idle_settings

    def said(*entries):
        return idle_settings(Scenario(name="s", path="s.toml", levers=list(entries)))

    assert said({"type": "funding", "yearly_bid_efficiency": 0.6}) == [
        "s.toml: [[levers]] #1 (funding): yearly_bid_efficiency = 0.6 has no effect: it applies only to yearly bids "
        "(multi_year = 0), and this lever is a multi-year settlement"]
    assert said({"type": "funding", "yearly_bid_efficiency": 0.6, "multi_year": 0}) == []
    assert said({"type": "clear", "selection_priority": 50})[0].endswith(
        "selection_priority = 50 has no effect: it applies only to a `groups` selection, and this lever has none")
    assert said({"type": "clear", "selection_priority": 50, "groups": {"county_lines": True}}) == []
    idle = _run([{"type": "funding", "budget_gbp_per_year": 2e9, "yearly_bid_efficiency": 0.6}], n_steps=6)
    plain = _run([{"type": "funding", "budget_gbp_per_year": 2e9}], n_steps=6)
    assert np.array_equal(idle.results.values, plain.results.values, equal_nan=True)


def test_a_local_lever_naming_no_areas_is_warned_that_it_acts_in_every_area():
    """`hold` with no areas ran in all 45 areas, at 45 times one area's cost, without a word; the
    default is now said, unless the entry writes it (areas = "all") or names its areas."""
    from twin.preflight import area_lever_types, everywhere_by_default

    def said(*entries):
        return everywhere_by_default(Scenario(name="s", path="s.toml", levers=list(entries)))

    # every local lever, a new one too (the list was kept by hand, and the extending guide never named it)
    local = {"clear", "hold", "build", "clear_hold_build", "prevention", "business_disruption"}
    assert local <= set(area_lever_types()) and not {"tasking_priority", "funding", "oversight"} & set(area_lever_types())
    for kind in area_lever_types():
        assert said({"type": kind}) == [
            f's.toml: [[levers]] #1 ({kind}): names no areas, regions, nations or top_harm_areas, so it acts in '
            f'every area (45), at its cost in each; write areas = "all" if that is meant, or name its areas']
        for chosen in ({"areas": "all"}, {"areas": ["Kent"]}, {"regions": ["London"]}, {"nations": ["Wales"]},
                       {"top_harm_areas": 3}):
            assert said({"type": kind, **chosen}) == []
    assert said({"type": "funding"}, {"type": "tasking_priority"}) == []  # national levers
    # business disruption of chosen groups works, and is costed, only where they are
    assert said({"type": "business_disruption", "groups": {"top_harm": 5}}) == []
    assert said({"type": "clear", "groups": {"top_harm": 5}}) != []  # a surge in every area's force all the same
    assert len(said({"type": "hold"}, {"type": "build", "areas": ["Kent"]}, {"type": "clear"})) == 2


def _pipeline_path(entry, months_per_step, months):
    """(mean extra investigators, mean spending a year) of an investigator pipeline over `months`,
    applied step by step at `months_per_step` (its target does not depend on the model's state)."""
    lever = _levers(entry)[0]
    model = TwinModel(seed=1, n_steps=12, levers=[lever])
    model.months_per_step = months_per_step
    extra, spend = [], []
    for step in range(int(round(months / months_per_step))):
        model.month = step * months_per_step
        model.modifiers.reset()
        lever.apply(model)
        extra.append(model.modifiers.extra_fte.sum())
        spend.append(lever.spend_gbp_per_year.sum())
    return np.mean(extra), np.mean(spend)


def test_investigator_pipeline_trains_alike_whatever_the_step():
    # Hiring at the cap for two years, with a year's training: monthly and weekly steps give the
    # continuous-time path (exponential training of mean `training_months`) that fine steps approach.
    # Monthly steps trained recruits in about 11 months and had 8% more investigators on the ramp.
    entry = {"type": "funding", "budget_gbp_per_year": 3e9}
    fine = _pipeline_path(entry, 0.01, 24)
    for months_per_step in (1.0, 12 / 52):
        extra, spend = _pipeline_path(entry, months_per_step, 24)
        assert extra == pytest.approx(fine[0], rel=2e-3), months_per_step
        assert spend == pytest.approx(fine[1], rel=2e-3), months_per_step


def test_investigator_pipeline_cuts_act_at_once():
    extra, spend = _pipeline_path({"type": "funding", "budget_gbp_per_year": 0.5e9}, 1.0, 3)
    params = Parameters()
    cut_fte = (0.5e9 - params.soc_budget_gbp_per_year) / params.cost_gbp_per_investigator_year
    assert extra == pytest.approx(cut_fte)
    assert spend == pytest.approx(cut_fte * params.cost_gbp_per_investigator_year)


def test_levers_that_buy_investigators_share_one_hiring_cap():
    """funding and soc_fund recruit from one workforce: together they hire no faster than the cap, the
    one listed second within what the first leaves; alone, each hires up to the cap."""
    funding, fund = {"type": "funding", "budget_gbp_per_year": 3e9}, {"type": "soc_fund"}
    model = _model([funding, fund], n_steps=24)
    first, second = model.levers
    params = Parameters()
    cap = 0.25 * params.soc_budget_gbp_per_year / params.cost_gbp_per_investigator_year  # a year's hiring, all units
    unit_cap = 0.25 * model.police.budget_gbp_per_month(params) / params.cost_gbp_per_investigator_year
    hired = []
    for _ in range(24):
        model.step()
        together = first.hires_fte + second.hires_fte
        assert together.sum() <= cap / 12 * (1 + 1e-9)
        assert np.all(together <= unit_cap * (1 + 1e-9))  # a month's hiring in each unit
        hired.append((first.hires_fte.sum(), second.hires_fte.sum()))
    hired = np.array(hired)
    assert hired[:, 0].sum() > 0.9 * 2 * cap  # £3bn is more than two years' hiring: funding takes the cap...
    assert hired[:, 1].sum() < 0.05 * hired[:, 0].sum()  # ...and leaves the fund almost nothing
    alone = _model([fund], n_steps=24)
    for _ in range(24):
        alone.step()
    assert alone.levers[0].hired_fte.sum() > 10 * hired[:, 1].sum()  # alone, the fund hires
    # the cap is the lowest the levers state, whatever their order: a lower cap on either binds both
    for entries in ([dict(funding, max_growth_share_per_year=0.05), dict(fund, max_growth_share_per_year=0.5)],
                    [dict(fund, max_growth_share_per_year=0.5), dict(funding, max_growth_share_per_year=0.05)]):
        both = _model(entries, n_steps=12)
        for _ in range(12):
            both.step()
        total = sum(lever.hired_fte.sum() for lever in both.levers)
        assert 0.9 * 0.05 * cap / 0.25 < total <= 0.05 * cap / 0.25 * (1 + 1e-9)


def test_the_oversight_lever_spares_the_share_of_the_loss_its_intensity_gives():
    """Oversight at intensity 0 spared the whole trust loss, as at 1: the lever now sets the share
    (intensities add up to at most 1), and the loss left is the powers' loss times what it leaves."""
    from twin.community import powers_trust_loss_per_month
    from twin.interventions import finalise_modifiers

    powers = [{"type": "investigatory_powers"}, {"type": "border_powers"}]
    for oversight, share in (([], 0.0), ([{"type": "oversight", "intensity": 0.25}], 0.25),
                             ([{"type": "oversight", "intensity": 0.0}], 0.0),
                             ([{"type": "oversight", "intensity": 0.7}, {"type": "oversight", "name": "second",
                                                                         "intensity": 0.7}], 1.0)):
        model = _model(powers + oversight)
        model.modifiers.reset()
        for lever in model.levers:
            lever.apply(model)
        before = model.modifiers.trust_change_per_month.copy()
        finalise_modifiers(model)
        assert model.modifiers.oversight == pytest.approx(share)
        loss = powers_trust_loss_per_month(2.0, model.params) * (1.0 - share)
        assert np.allclose(before - model.modifiers.trust_change_per_month, loss, rtol=1e-12, atol=0)


def test_a_hiring_cap_binds_only_while_its_lever_runs():
    """A lever buying investigators that has not started yet, or has ended, hires no one and caps
    nothing: a SOC fund from year 5 with a low cap throttled funding from the start."""
    funding = {"type": "funding", "budget_gbp_per_year": 3e9}
    alone = _model([funding], n_steps=24)
    later = _model([funding, {"type": "soc_fund", "start_year": 5, "max_growth_share_per_year": 0.05}], n_steps=24)
    ended = _model([dict(funding, end_year=1), dict(funding, name="second", start_year=1,
                                                   max_growth_share_per_year=0.05)], n_steps=24)
    for step in range(24):
        for model in (alone, later, ended):
            model.step()
        assert np.array_equal(later.levers[0].hires_fte, alone.levers[0].hires_fte)
        if step < 12:  # the second funding lever, not started, leaves the first its own cap
            assert np.array_equal(ended.levers[0].hires_fte, alone.levers[0].hires_fte)
    assert alone.levers[0].hired_fte.sum() > 0
    params = Parameters()
    low_cap = 0.05 * params.soc_budget_gbp_per_year / params.cost_gbp_per_investigator_year
    assert ended.levers[1].hired_fte.sum() <= low_cap * (1 + 1e-9)  # the second's own cap, once it runs
    for metric in ("investigators_fte", "response_cost_gbp", "disruptions", "harm_gbp_total"):  # the fund adds nothing
        assert np.array_equal(later.results.series(metric), alone.results.series(metric)), metric


def test_a_budget_cut_loses_as_many_investigators_under_yearly_bids_as_under_a_settlement():
    """The efficiency of yearly bids applies to new money; a cut under yearly bids used to lose only
    85% of the investigators its money paid for, and so looked better than under a settlement."""
    cut = {"type": "funding", "budget_gbp_per_year": 0.5e9}
    settlement = _pipeline_path(cut, 1.0, 3)
    bids = _pipeline_path(dict(cut, multi_year=0), 1.0, 3)
    assert settlement[0] < 0 and bids == pytest.approx(settlement, rel=1e-12)
    rise = {"type": "funding", "budget_gbp_per_year": 3e9}
    assert _pipeline_path(dict(rise, multi_year=0), 1.0, 24)[0] == pytest.approx(
        0.85 * _pipeline_path(rise, 1.0, 24)[0], rel=1e-12)


def test_clear_removes_cross_boundary_friction_in_proportion_to_its_intensity():
    for intensity, left in ((0.0, 1.0), (0.4, 0.6), (1.0, 0.0), (2.0, 0.0)):
        model = _model([{"type": "clear", "areas": TARGETS, "intensity": intensity}])
        model.step()
        mask = model.levers[0].mask
        assert np.all(model.modifiers.cross_boundary_multiplier[mask] == pytest.approx(left))
        assert np.all(model.modifiers.cross_boundary_multiplier[~mask] == 1.0)


def test_yearly_bids_buy_less_than_multi_year_funding():
    multi = _run([{"type": "funding", "budget_gbp_per_year": 2e9}], n_steps=24)
    yearly = _run([{"type": "funding", "budget_gbp_per_year": 2e9, "multi_year": 0}], n_steps=24)
    assert yearly.results.series("investigators_fte")[-1] < multi.results.series("investigators_fte")[-1]


def test_funding_cut_saves_money_and_capacity():
    model = _run([{"type": "funding", "budget_gbp_per_year": 0.5e9}], n_steps=6)
    assert model.results.series("lever_cost_gbp_funding").sum() < 0
    assert model.results.series("investigators_fte")[-1] < _run([], n_steps=6).results.series("investigators_fte")[-1]


def test_soc_fund_reinvests_recoveries():
    model = _run([{"type": "soc_fund"}], n_steps=18)
    base = _run([], n_steps=18)
    assert model.results.series("investigators_fte")[-1] > base.results.series("investigators_fte")[-1]


def test_technology_pays_back_only_after_its_lag():
    model = _model([{"type": "technology_investment", "lag_years": 1, "ramp_years": 0.5}], n_steps=24)
    for _ in range(6):
        model.step()
    assert np.all(model.modifiers.success_multiplier == 1)
    for _ in range(14):
        model.step()
    assert np.all(model.modifiers.success_multiplier > 1)


def test_regional_tier_removes_cross_boundary_friction():
    model = _model([{"type": "regional_tier"}])
    model.step()
    assert np.all(model.modifiers.cross_boundary_multiplier == 0)
    # a dearer cross-boundary penalty, removed: more operations started, paired over ten seeds
    pairs = _paired({"type": "regional_tier"}, "operations_started", seeds=tuple(range(1, 11)),
                    cross_boundary_cost_multiplier=2.5)
    assert_paired_sign(pairs[:, 0] - pairs[:, 1], 1)


def test_enabler_levers_remove_enablers():
    # Entry off: this tests the removal alone (with replacement, tests/test_enablers.py)
    for kind in ("enabler_targeting", "anti_corruption"):  # more than 100 fewer active, paired over seeds
        gaps = [_run([{"type": kind, "removal_prob_per_month": 0.05}], seed, enabler_entry_prob_per_month=0.0)
                .enablers.active.sum() - _run([], seed, enabler_entry_prob_per_month=0.0).enablers.active.sum()
                for seed in SEEDS]
        assert_paired_sign(np.array(gaps, dtype=float) + 100, -1)


def test_enabler_targeting_raises_the_removal_of_exposed_professional_enablers_only():
    """Its exposure uplift acts on professional enablers; insiders and encryption providers exposed by the
    same operations are removed at the base rate. Paired over seeds, supervision switched off."""
    from twin.vocabulary import INSIDER, PROFESSIONAL, TECHNICAL

    lever = {"type": "enabler_targeting", "removal_prob_per_month": 0.0, "exposure_removal_uplift": 3.0}
    lost = {kind: [] for kind in (PROFESSIONAL, INSIDER, TECHNICAL)}
    for seed in range(1, 7):
        runs = [_run(entries, seed, 24, enabler_entry_prob_per_month=0.0) for entries in ([lever], [])]
        for kind in lost:  # enablers of the kind gone by the end, with the lever minus without
            remaining = [(m.enablers.active & (m.enablers.kind == kind)).sum() for m in runs]
            lost[kind].append(remaining[1] - remaining[0])
    assert_paired_sign(np.array(lost[PROFESSIONAL], dtype=float), 1)  # more professional enablers removed
    for kind in (INSIDER, TECHNICAL):  # the others: no systematic change (within 3 standard errors)
        diffs = np.array(lost[kind], dtype=float)
        assert abs(diffs.mean()) <= 3 * max(diffs.std(ddof=1), 1.0) / np.sqrt(diffs.size), (kind, diffs)


def test_fraud_data_sharing_maps_fraud_groups_only():
    """Its detection uplift raises the mapping chance of groups in the fraud market, not of others."""
    from twin.vocabulary import FRAUD

    model = _model([{"type": "fraud_data_sharing", "detection_uplift": 0.5}])
    model.step()
    model.modifiers.reset()  # as the next step starts: the lever applied to the groups as they are now
    model.levers[0].apply(model)
    multiplier = model.modifiers.group_detection_multiplier
    in_fraud = model.ocgs.markets[: multiplier.size, FRAUD]
    assert in_fraud.any() and (~in_fraud).any()
    assert np.all(multiplier[in_fraud] == 1.5) and np.all(multiplier[~in_fraud] == 1.0)
    assert np.all(model.modifiers.detection_multiplier == 1.0)  # no area-wide uplift
    # the groups' monthly chances of being mapped: raised by half for fraud groups, the same for the others
    from twin.policing import NO_GROUP_MULTIPLIER, intelligence_complements

    ocgs, mods = model.ocgs, model.modifiers
    n = multiplier.size
    chances = [1.0 - intelligence_complements(
        ocgs.encrypted[:n], ocgs.area[:n], ocgs.operation_months_left[:n], model.trust, model.trust_reference,
        model.force_capacity_ratio, mods.detection_multiplier, by_group, mods.intel_multiplier, 0.01, 0.5, 0.1,
        0.2)[0] for by_group in (multiplier, NO_GROUP_MULTIPLIER)]
    assert chances[0][in_fraud] == pytest.approx(1.5 * chances[1][in_fraud], rel=1e-12)
    assert np.array_equal(chances[0][~in_fraud], chances[1][~in_fraud])
    # and it shows in the mapping: more fraud groups mapped over two years, the others much as without it
    newly = {True: [], False: []}
    for seed in range(1, 9):
        runs = [_run(entries, seed, 24) for entries in ([{"type": "fraud_data_sharing", "detection_uplift": 0.6,
                                                          "fraud_supply_reduction": 0.0}], [])]
        for fraud in (True, False):
            counts = [(m.ocgs.known & (m.ocgs.markets[:, FRAUD] == fraud)).sum() for m in runs]
            newly[fraud].append(counts[0] - counts[1])
    assert_paired_sign(np.array(newly[True], dtype=float), 1)
    others = np.array(newly[False], dtype=float)
    assert abs(others.mean()) <= 3 * max(others.std(ddof=1), 1.0) / np.sqrt(others.size), others


def test_fraud_data_sharing_cuts_fraud():
    # 0.36 instead of 0.4 would be three and a half points off in the first month
    _national_supply_cut({"type": "fraud_data_sharing", "fraud_supply_reduction": 0.4}, "fraud_offences",
                         0.6, Parameters().fraud_supply_elasticity)


def test_prevention_raises_desistance():
    pairs = _paired({"type": "prevention", "desistance_uplift": 1.0, "ramp_years": 0.5}, "leavers", seeds=SEEDS)
    assert_paired_sign(pairs[:, 0] - pairs[:, 1], 1)


def test_prevention_in_some_areas_raises_desistance_there_only():
    from twin.recruitment import _desistance_by_area

    model = _model([{"type": "prevention", "areas": TARGETS, "desistance_uplift": 1.0, "ramp_years": 0.5}], n_steps=13)
    for _ in range(12):  # past the ramp
        model.step()
    model.modifiers.reset()
    model.levers[0].apply(model)
    multiplier = model.modifiers.desistance_multiplier
    targets = [model.geography.area_index(a) for a in TARGETS]
    others = np.setdiff1d(np.arange(model.geography.n_areas), targets)
    assert np.allclose(multiplier[targets], 2.0) and np.all(multiplier[others] == 1.0)
    p = _desistance_by_area(model.params.desistance_prob_per_month, multiplier, 1.0)
    assert np.allclose(p[targets], 2 * model.params.desistance_prob_per_month)
    assert np.allclose(p[others], model.params.desistance_prob_per_month) and np.all(p[others] == p[others][0])


def test_business_disruption_erodes_cohesion_of_targeted_groups():
    model = _model([{"type": "business_disruption", "areas": TARGETS, "groups_per_area": 5}], n_steps=1)
    before = model.ocgs.cohesion.copy()
    model.levers[0].apply(model)
    dropped = model.ocgs.cohesion < before - 0.04
    in_targets = np.isin(model.ocgs.area, [model.geography.area_index(a) for a in TARGETS])
    assert dropped[in_targets].sum() == 15  # five groups in each of three areas
    assert not dropped[~in_targets].any()
    harm = model.ocgs.harm_gbp_per_month
    for area in TARGETS:  # the groups worked on are among the most harmful mapped groups there
        mine = in_targets & (model.ocgs.area == model.geography.area_index(area)) & model.ocgs.known
        assert harm[dropped & mine].mean() > np.median(harm[mine])


@pytest.mark.parametrize("step_length", ["month", "week"])
def test_business_disruption_costs_its_loss_per_month_for_the_step_s_months(step_length):
    """Each group worked on loses `cohesion_loss_per_month` and `reputation_loss_per_month` times the
    step's months (and the intensity), down to 0; a week's loss was a month's when the conversion
    was missing, and no test looked at the amount."""
    entry = {"type": "business_disruption", "areas": TARGETS, "cohesion_loss_per_month": 0.06,
             "reputation_loss_per_month": 0.04, "intensity": 1.5}
    model = TwinModel(seed=1, n_steps=60, step_length=step_length, levers=_levers(entry))
    months = model.months_per_step
    ocgs = model.ocgs
    before = ocgs.cohesion.copy(), ocgs.reputation.copy()
    model.levers[0].apply(model)
    after = ocgs.cohesion, ocgs.reputation
    worked = (after[0] < before[0]) | (after[1] < before[1])
    assert worked.sum() == 15  # five groups in each of three areas
    for old, new, loss in zip(before, after, (0.06, 0.04)):
        assert np.allclose(new[worked], np.maximum(old[worked] - loss * months * 1.5, 0.0), rtol=0, atol=1e-15)
        assert np.array_equal(new[~worked], old[~worked])


# ---------------------------------------------------------------------------------- scenario files


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_and_says_what_it_is(path):
    text = path.read_text()
    assert text.startswith("#"), "a shipped scenario starts with a comment block"
    scenario = load_scenario(path)
    from twin.runner import build_model

    scenario.years = 0.5
    model = build_model(scenario, seed=1)
    model.run()
    assert model.results.series("harm_gbp_total").sum() > 0


@pytest.mark.parametrize("entry, words", [
    ({"type": "hold", "entry_reducton": 0.5}, r"unknown key 'entry_reducton'; did you mean 'entry_reduction'"),
    ({"type": "hold", "entry_reduction": 1.5}, r"setting 'entry_reduction' must be a share"),
    ({"type": "hold", "start_year": -1}, r"start_year: expected a number >= 0"),
    ({"type": "hold", "duration_years": 0}, r"duration_years: expected a number > 0"),
    ({"type": "hold", "duration_years": 1, "end_year": 2}, r"give duration_years or end_year"),
    ({"type": "hold", "areas": "Kent"},
     r"areas: expected \"all\" or a list.*; one area is a list of one: areas = \[\"Kent\"\]$"),
    ({"type": "hold", "areas": "al"},
     r"areas: expected \"all\" or a list of area names, got 'al'; did you mean \"all\"\?$"),
    ({"type": "hold", "areas": 3}, r"areas: expected \"all\" or a list of area names, got 3$"),
    ({"type": "hold", "areas": ["Kent"], "regions": ["Wales"]},
     r"give one of areas, regions, nations or top_harm_areas"),
    ({"type": "hold", "top_harm_areas": 0}, r"top_harm_areas: expected a whole number >= 1"),
    ({"type": "hold", "name": "Bad Name"}, r"name: expected at most 40 lower-case"),
    ({"type": "hold", "name": "h" * 41}, r"name: expected at most 40 lower-case letters"),  # 40 fit the database
    ({"type": "funding", "areas": ["Kent"]}, r"'areas' does not apply: this lever acts nationally"),
    ({"type": "funding", "share_forces": 0.5}, r"must be 1"),
    ({"type": "clear_hold_build", "clear_years": 0, "hold_years": 0, "build_years": 0}, r"every phase has 0 years"),
    ({"type": "technology_investment", "duration_years": 2}, r"before its benefits begin \(lag_years = 2\)"),
    ({"type": "technology_investment", "start_year": 1, "end_year": 2.5, "lag_years": 1.5}, r"before its benefits begin"),
    ({"type": "hodl"}, r"unknown lever type 'hodl'; did you mean 'hold'"),
])
def test_lever_errors_are_clear(tmp_path, entry, words):
    lines = ["[[levers]]"] + [f"{k} = {v!r}".replace("'", '"') for k, v in entry.items()]
    path = tmp_path / "bad.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match=words) as error:
        load_scenario(path)
    assert "bad.toml: [[levers]] #1" in str(error.value)


def test_unknown_area_is_reported_at_run_time_with_a_suggestion():
    with pytest.raises(ScenarioError, match="unknown area 'Kentt'; did you mean 'Kent'"):
        _run([{"type": "hold", "areas": ["Kentt"]}], n_steps=1)
    # nothing close: a few valid names instead, so the user sees how areas are spelt
    with pytest.raises(ScenarioError, match=r"unknown area 'Gotham'; expected a police force area's name .* "
                                            r"e\.g\. 'Cleveland', 'Durham', 'Northumbria' \(45 in all\)"):
        _run([{"type": "hold", "areas": ["Gotham"]}], n_steps=1)


def test_lever_areas_and_regions_are_read_in_any_case_and_spacing_as_registers_are():
    """`areas = ["merseyside"]` was refused ('did you mean Merseyside?') where a register reads it."""
    def targets(entry):
        model = _model([entry], 1, 1)
        return model.levers[0].named_areas(model.geography)

    assert np.array_equal(targets({"type": "hold", "areas": [" merseyside", "GREATER  MANCHESTER"]}),
                          targets({"type": "hold", "areas": ["Merseyside", "Greater Manchester"]}))
    assert np.array_equal(targets({"type": "hold", "regions": ["north west"]}),
                          targets({"type": "hold", "regions": ["North West"]}))
    assert targets({"type": "hold", "regions": ["north west"]}).sum() == 6
    assert targets({"type": "hold", "areas": "All"}).all()  # "all" in any case, as the names


def test_a_lever_targets_a_nation_and_a_name_under_the_wrong_key_says_which_key_takes_it(capsys):
    """`regions = ["Wales"]` is the Welsh regional unit's remit (North Wales is in the North West's), and
    a lever could not take a nation; a region or nation name not found gave only a near spelling."""
    def targets(entry):
        model = _model([entry], 1, 1)
        return {model.geography.area_names[k] for k in model.levers[0].named_areas(model.geography).nonzero()[0]}

    assert targets({"type": "hold", "nations": ["wales"]}) == {"Dyfed-Powys", "Gwent", "South Wales", "North Wales"}
    assert targets({"type": "hold", "regions": ["Wales"]}) == {"Dyfed-Powys", "Gwent", "South Wales"}
    assert len(targets({"type": "hold", "nations": ["England", "Scotland"]})) == 40
    for entry, expected in (
            ({"regions": ["North Wales"]}, "unknown region 'North Wales'; 'North Wales' is one of the areas: give "
                                           "areas = [\"North Wales\"] (the regions are the regional units' remits: "),
            ({"nations": ["Englnd"]}, "unknown nation 'Englnd'; did you mean nations = [\"England\"]? (the nations of "
                                      "these areas: England, Northern Ireland, Scotland, Wales)"),
            # a near spelling under the key written comes first (regions = ["Wales"] leaves out North Wales)
            ({"nations": ["Walse"]}, "unknown nation 'Walse'; did you mean nations = [\"Wales\"]?"),
            ({"nations": ["North West"]}, "unknown nation 'North West'; 'North West' is one of the regions: give "
                                          "regions = [\"North West\"]")):
        with pytest.raises(ScenarioError, match=re.escape(expected)):
            _model([{"type": "hold", **entry}], 1, 1)
    with pytest.raises(ScenarioError, match="give one of areas, regions, nations or top_harm_areas"):
        _levers({"type": "hold", "nations": ["Wales"], "regions": ["Wales"]})
    with pytest.raises(ScenarioError, match="'nations' does not apply: this lever acts nationally"):
        _levers({"type": "funding", "nations": ["Wales"]})


def test_duplicate_lever_names_are_rejected():
    with pytest.raises(ScenarioError, match=r"used twice, first at .*\[\[levers\]\] #1; give each"):
        _levers({"type": "hold"}, {"type": "hold"})
    # a phase of a clear_hold_build lever takes <name>_hold: the message says so, whichever comes first
    for entries in (({"type": "clear_hold_build", "name": "x"}, {"type": "hold", "name": "x_hold"}),
                    ({"type": "hold", "name": "x_hold"}, {"type": "clear_hold_build", "name": "x"})):
        with pytest.raises(ScenarioError, match=r"lever name 'x_hold' is used twice, first at .*#1 \(a "
                                                r"clear_hold_build lever names its phases <name>_clear, <name>_hold "
                                                r"and <name>_build\)"):
            _levers(*entries)


def test_a_scenario_changes_an_inherited_lever_by_dropping_it_and_listing_it_again(tmp_path, capsys):
    """Levers are added to the base's: a child listing the base's lever again with other settings was
    refused with a message naming a phase the user never wrote, and giving it another name ran two
    programmes at once. The message now names the base's lever and `drop_levers`, which replaces it."""
    (tmp_path / "base.toml").write_text('[[levers]]\ntype = "clear_hold_build"\nname = "chb"\nareas = ["Kent"]\n'
                                        '[[levers]]\ntype = "oversight"\n')
    (tmp_path / "clash.toml").write_text('[scenario]\nbase = "base.toml"\n[[levers]]\ntype = "clear_hold_build"\n'
                                         'name = "chb"\nareas = ["Kent"]\nhold_years = 3\n')
    with pytest.raises(ScenarioError) as error:
        load_scenario(tmp_path / "clash.toml")
    said = str(error.value)
    assert said.startswith(f"{tmp_path / 'clash.toml'}: [[levers]] #1: lever name 'chb_clear' is "
                           f"used twice, first at {tmp_path / 'base.toml'}: [[levers]] #1")
    assert """list 'chb' in drop_levers in [scenario] (drop_levers = ["chb"]) and list the lever again here""" in said
    (tmp_path / "longer.toml").write_text('[scenario]\nbase = "base.toml"\ndrop_levers = ["chb"]\n[[levers]]\n'
                                          'type = "clear_hold_build"\nname = "chb"\nareas = ["Kent"]\nhold_years = 3\n')
    longer = load_scenario(tmp_path / "longer.toml")
    assert [(lever["type"], lever.get("hold_years")) for lever in longer.levers] == [("oversight", None),
                                                                                     ("clear_hold_build", 3)]
    # dropping alone leaves a lever out (ct_powers without oversight, say); the drop is not inherited
    (tmp_path / "less.toml").write_text('[scenario]\nbase = "base.toml"\ndrop_levers = ["oversight"]\n')
    assert [lever["type"] for lever in load_scenario(tmp_path / "less.toml").levers] == ["clear_hold_build"]
    (tmp_path / "grandchild.toml").write_text('[scenario]\nbase = "less.toml"\n')
    assert [lever["type"] for lever in load_scenario(tmp_path / "grandchild.toml").levers] == ["clear_hold_build"]
    # a base lever is named in messages by its place in its own file, whatever was dropped before it
    (tmp_path / "again.toml").write_text('[scenario]\nbase = "base.toml"\ndrop_levers = ["chb"]\n[[levers]]\n'
                                         'type = "oversight"\n')
    with pytest.raises(ScenarioError, match=re.escape(f"first at {tmp_path / 'base.toml'}: [[levers]] #2")):
        load_scenario(tmp_path / "again.toml")
    # a name two of the base's levers answer to (a clear_hold_build 'x' beside a lever 'x') is refused
    (tmp_path / "twice.toml").write_text('[[levers]]\ntype = "clear_hold_build"\nname = "kent"\nareas = ["Kent"]\n'
                                         '[[levers]]\ntype = "prevention"\nname = "kent"\nareas = ["Kent"]\n')
    (tmp_path / "which.toml").write_text('[scenario]\nbase = "twice.toml"\ndrop_levers = ["kent"]\n')
    with pytest.raises(ScenarioError, match=re.escape("drop_levers: 'kent' names 2 of the base's levers (")):
        load_scenario(tmp_path / "which.toml")
    # mistakes: a name not among the base's levers (a phase's name, say), no base, not a list
    for text, expected in (('base = "base.toml"\ndrop_levers = ["chb_hold"]',
                            "drop_levers: 'chb_hold' is not a lever of the base 'base.toml'; did you mean 'chb'? "
                            "(its levers: chb, oversight)"),
                           ('drop_levers = ["chb"]', "drop_levers: names levers of a base scenario to leave out, and "
                                                     "this scenario has no base"),
                           ('base = "base.toml"\ndrop_levers = "chb"', "drop_levers: expected a list of the base's "
                                                                       "lever names")):
        (tmp_path / "bad.toml").write_text(f"[scenario]\n{text}\n")
        assert main(["run", str(tmp_path / "bad.toml")]) == 2
        assert f"bad.toml: [scenario] {expected}" in capsys.readouterr().err


def test_a_lever_error_names_its_type_once(tmp_path):
    for entry in ('type = "funding"\nshare_forces = 0.5', 'type = "clear_hold_build"\nclear_years = 0\nhold_years = 0'
                  '\nbuild_years = 0', 'type = "tasking_priority"'):
        path = tmp_path / "bad.toml"
        path.write_text(f"[[levers]]\n{entry}\n")
        with pytest.raises(ScenarioError) as error:
            load_scenario(path)
        kind = entry.split('"')[1]
        assert str(error.value).count(f"({kind})") == 1, str(error.value)


def test_top_harm_areas_targets_the_most_harmed():
    model = _model([{"type": "hold", "top_harm_areas": 3, "start_year": 1}], n_steps=14)
    model.run()
    lever = model.levers[0]
    chosen = {model.geography.area_names[i] for i in np.flatnonzero(lever.mask)}
    assert "Metropolitan Police" in chosen and len(chosen) == 3


@pytest.mark.parametrize("step_length, steps_per_year", [("month", 12), ("week", 52)])
def test_top_harm_areas_rank_by_the_year_before_the_start(step_length, steps_per_year):
    """A year is 12 monthly or 52 weekly steps: areas harmed early in the year count as much as
    areas harmed in its last weeks, and older harm does not count."""
    model = TwinModel(seed=2, n_steps=2 * steps_per_year, step_length=step_length)
    lever = _levers({"type": "hold", "top_harm_areas": 2})[0]
    harm = np.zeros((2 * steps_per_year, model.geography.n_areas))
    harm[:steps_per_year, [0, 1]] = 100.0                        # the year before last: not counted
    harm[steps_per_year: steps_per_year + 2, [2, 3]] = 30.0       # early in the last year: 60 in all
    harm[-10:, [4, 5]] = 5.0                                      # its last ten steps: 50 in all
    model.results.values[:, :-1, model.results.index["harm_gbp_total"]] = harm
    model.results.steps_recorded = 2 * steps_per_year
    assert set(np.flatnonzero(lever.resolve_targets(model))) == {2, 3}


@pytest.mark.parametrize("entry, words", [
    ({"type": "clear", "areas": ["Merseside"]}, r"#1 \(clear\): unknown area 'Merseside'; did you mean 'Merseyside'"),
    ({"type": "clear_hold_build", "regions": ["Nort West"]},
     r"#1 \(clear_hold_build\): unknown region 'Nort West'; did you mean regions = \[\"North West\"\]"),
    ({"type": "hold", "top_harm_areas": 46}, r"top_harm_areas = 46, but the geography has 45 areas"),
])
def test_lever_targets_are_checked_when_the_model_is_built(entry, words):
    """Not at the lever's first step (which may be years into a run), and naming the file and entry."""
    levers = _levers({**entry, "start_year": 5})
    with pytest.raises(ScenarioError, match=words):
        TwinModel(seed=1, n_steps=2, levers=levers)


def test_every_lever_setting_has_a_description_unit_and_source():
    """The report's assumption tables list these: none may be blank or a kind word in the wrong place."""
    from twin.interventions import LEVER_TYPES

    for kind, cls in LEVER_TYPES.items():
        for p in cls.settings:
            assert len(p.description) >= 12 and p.unit and p.source, (kind, p.name)


def test_every_lever_setting_says_why_its_value_and_which_are_the_policy_s_design():
    """A setting's source cites a figure or gives its reasoning: 'assumption' alone told a researcher
    nothing of where an effect size or its range came from (44 settings, every power's among them).
    The settings that are what a policy is (`DESIGN_SETTINGS`) say so ('design: ...'), and only those."""
    from twin.interventions import LEVER_TYPES
    from twin.lever_uncertainty import DESIGN_SETTINGS

    for kind, cls in LEVER_TYPES.items():
        for p in cls.settings:
            why = p.source.partition(":")[2] if p.provenance in ("assumption", "design") else p.source
            assert len(why.strip()) >= 20, (f"{kind}.{p.name}: its source says too little; write a citation, or "
                                            f"'assumption: <why this value and range>'")
            if p.provenance == "design":
                assert p.name in DESIGN_SETTINGS.get(kind, ()), (
                    f"{kind}.{p.name}: a 'design:' setting; list it under '{kind}' in "
                    f"lever_uncertainty.DESIGN_SETTINGS (or give it a source saying why its value, if it is not "
                    f"what the policy is)")
            if p.name in DESIGN_SETTINGS.get(kind, ()):
                assert p.provenance in ("design", "sourced"), (
                    f"{kind}.{p.name}: listed in lever_uncertainty.DESIGN_SETTINGS; its source should start 'design:'")


def test_a_surge_from_the_first_step_raises_force_capacity():
    """Capacity is measured against investigators before any lever acts: a Clear surge that
    starts at step 1 raises its forces' capacity at once, and capacity returns to about 1 after."""
    entry = {"type": "clear", "areas": TARGETS, "end_year": 0.5}
    model = _model([entry], n_steps=12)
    idx = [model.geography.area_index(a) for a in TARGETS]
    others = np.setdiff1d(np.arange(model.geography.n_areas), idx)
    model.step()
    assert abs(model.force_capacity_ratio[others].mean() - 1.0) < 0.1
    assert (model.force_capacity_ratio[idx] > 1.05).all()
    for _ in range(11):
        model.step()
    # after the surge the forces are back to their own capacity (before the fix they stayed about
    # a third below it, the surge having become the reference)
    assert abs(model.force_capacity_ratio[idx].mean() - 1.0) < 0.1
    assert abs(model.force_capacity_ratio[others].mean() - 1.0) < 0.1


def test_clear_hold_build_holds_the_areas_it_cleared(monkeypatch):
    """With top_harm_areas the phases share one ranking, taken once when Clear starts: ranked
    again at Hold's start, after Clear has lowered harm in its areas, Hold could pick others."""
    from twin.interventions import Lever

    calls = []
    original = Lever.resolve_targets
    monkeypatch.setattr(Lever, "resolve_targets", lambda self, model: calls.append(model.steps_done)
                        or original(self, model))
    levers = _levers({"type": "clear_hold_build", "top_harm_areas": 15, "clear_years": 0.5})
    model = TwinModel(seed=2, n_steps=12, levers=levers)
    model.run()
    assert calls == [0]  # once, at Clear's first step
    ran = model.levers  # (the model's copies hold the run's state)
    assert all(lever.mask is ran[0].mask for lever in ran) and ran[0].mask.sum() == 15
    fresh = _levers({"type": "hold", "top_harm_areas": 15})[0]
    assert np.array_equal(original(fresh, TwinModel(seed=2, n_steps=12)), ran[0].mask)


def test_levers_given_to_a_second_model_start_afresh():
    """A lever keeps its run's state (areas, months active, investigators hired): the same objects
    given to a second model give the results fresh ones give, not a run started part-way through."""
    from twin.scenario_levers import build_levers
    from twin.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "national_security_package.toml")

    def harm(levers):
        model = TwinModel(seed=1, n_steps=12, levers=levers, spin_up_years=0)
        model.run()
        return model.results.series("harm_gbp_total")

    levers = build_levers(scenario)
    first = harm(levers)
    assert np.array_equal(harm(levers), first) and np.array_equal(harm(build_levers(scenario)), first)
    assert all(getattr(lever, "months_active", 0) == 0 for lever in levers)  # the objects given are untouched


def test_a_weekly_lever_window_starts_on_its_week():
    """A lever from year 1 to 3 in weekly steps acts in steps 53 to 156 (a summed month drifted a week)."""
    levers = _levers({"type": "hold", "areas": TARGETS, "start_year": 1, "end_year": 3})
    model = TwinModel(seed=1, n_steps=160, step_length="week", levers=levers)
    active = []
    for _ in range(160):
        active.append(levers[0].active(model))
        model.step()
    steps = np.flatnonzero(active) + 1
    assert steps[0] == 53 and steps[-1] == 156 and steps.size == 104


def test_prison_places_bind_and_the_lever_adds_them():
    """SOC prisoners and the remanded, who share the places, never exceed them, whatever the
    pressure: sentenced prisoners eligible go out early first, then (emergency releases) the others
    nearest their date. The lever adds places, and costs them whether used or not."""
    def in_custody(run):
        return run.results.series("members_prison") + run.results.series("members_charged")

    tight = _run([], seed=2, n_steps=24, soc_prison_places=6000)
    assert in_custody(tight).max() <= 6000 and in_custody(tight)[-1] == 6000
    assert tight.results.series("emergency_releases").sum() > 0
    assert (tight.results.series("emergency_releases") <= tight.results.series("early_releases")).all()

    more = _run([{"type": "prison_places", "extra_places": 2000}], seed=2, n_steps=24, soc_prison_places=6000)
    assert in_custody(more).max() <= 8000 and in_custody(more)[-1] == 8000
    assert more.results.series("early_releases").sum() < tight.results.series("early_releases").sum()
    cost = more.results.series("lever_cost_gbp_prison_places").sum()
    assert cost == pytest.approx(2 * 2000 * 15000)  # two years of 2,000 places at £15,000 a year

    # two levers add their places (one at half intensity: a fractional place is not a place)
    phased = _run([{"type": "prison_places", "extra_places": 1000}, {"type": "prison_places", "name": "more",
                   "extra_places": 2001, "intensity": 0.5}], seed=2, n_steps=24, soc_prison_places=6000)
    assert in_custody(phased).max() <= 8000.5 and in_custody(phased)[-1] == 8000  # 6,000 + 1,000 + 1,000.5 places

    roomy = _run([], seed=2, n_steps=24, soc_prison_places=100000)
    assert roomy.results.series("early_releases").sum() == 0 == roomy.results.series("emergency_releases").sum()


def test_business_disruption_picks_the_groups_a_sort_by_area_and_score_would():
    """The highest-scoring groups per area, chosen in one pass, are the ones a stable sort by area
    then descending score puts first (ties to the earlier row, unknown scores last)."""
    from twin.levers import _highest_per_area

    rng = np.random.default_rng(0)
    for _ in range(300):
        n, n_areas = int(rng.integers(0, 400)), int(rng.integers(1, 8))
        area = rng.integers(0, n_areas, n)
        score = rng.integers(0, 6, n).astype(float)  # many ties
        score[rng.random(n) < 0.1] = np.nan
        score[rng.random(n) < 0.05] = -0.0
        for groups_per_area in (0.5, 1, 3, 5, 5.5, 30):
            order = np.lexsort((-score, area))
            first = np.searchsorted(area[order], area[order], side="left")
            expected = np.sort(order[np.arange(n) - first < groups_per_area])
            chosen = _highest_per_area(area, score, int(np.ceil(groups_per_area)), n_areas)
            assert np.array_equal(np.flatnonzero(chosen), expected)


def test_area_lever_costs_follow_the_population_the_lever_acts_on():
    """Hold, Build and prevention act on an area's demand and at-risk pool, so their cost is the
    setting scaled by the area's population over the UK force areas' mean: a rollout to every area
    costs 45 times the setting. Business disruption works on a number of groups, at a flat cost."""
    from twin.interventions import mean_area_population

    model = _run([{"type": "hold", "areas": "all"}, {"type": "business_disruption", "areas": TARGETS}], n_steps=12)
    population = model.geography.population
    assert mean_area_population() == pytest.approx(population.mean())
    hold = model.results.values[:, :-1, model.results.index["lever_cost_gbp_hold"]].sum(axis=0)
    np.testing.assert_allclose(hold, 1.5e6 * population / population.mean())
    assert hold.sum() == pytest.approx(45 * 1.5e6)
    disruption = model.results.values[:, :-1, model.results.index["lever_cost_gbp_business_disruption"]].sum(axis=0)
    targets = [model.geography.area_index(a) for a in TARGETS]
    np.testing.assert_allclose(disruption[targets], 0.8e6)
    assert disruption.sum() == pytest.approx(3 * 0.8e6)


def test_technology_benefit_is_taken_at_the_middle_of_the_step():
    # The benefit ramps from the end of the lag and acts in each step at its level at the step's
    # middle, as every gradual effect does: half a month into a six-month ramp in the 13th month.
    model = _model([{"type": "technology_investment", "lag_years": 1, "ramp_years": 0.5}], n_steps=24)
    for _ in range(13):
        model.step()
    assert np.allclose(model.modifiers.intel_multiplier, 1.0 + 0.25 * 0.5 / 6.0)
    # weekly steps add up the same benefit over the ramp as monthly ones
    totals = []
    for step in ("month", "week"):
        lever = _levers({"type": "technology_investment", "lag_years": 0, "ramp_years": 0.5})[0]
        model = TwinModel(seed=1, n_steps=12 if step == "month" else 52, step_length=step, levers=[lever])
        total = 0.0
        for _ in range(model.n_steps // 2):  # six months, the ramp
            model.modifiers.reset()
            lever.apply(model)
            total += (model.modifiers.success_multiplier[0] - 1.0) * model.months_per_step
            model.steps_done += 1
            model.month = model.steps_done * model.months_per_step
        totals.append(total)
    assert totals[0] == pytest.approx(totals[1], rel=1e-9)


def test_every_module_of_levers_is_imported_and_registers_lever_types():
    """A lever class in a module `interventions.LEVER_MODULES` leaves out would silently not exist
    (a scenario naming it: "unknown lever type")."""
    from pathlib import Path

    import twin
    from twin.interventions import LEVER_MODULES, LEVER_TYPES

    on_disk = {f"twin.{path.stem}" for path in Path(twin.__file__).parent.glob("levers*.py")}
    assert set(LEVER_MODULES) == on_disk
    registering = {cls.__module__ for cls in LEVER_TYPES.values()}
    assert registering == on_disk


def test_the_lever_catalogue_has_one_order_whichever_lever_module_is_imported_first():
    """The catalogue's order sets `twin levers`, the ODD's lever section and the warm-up's levers."""
    import subprocess
    import sys

    orders = set()
    for first in ("twin.interventions", "twin.levers", "twin.levers_powers", "twin.levers_national"):
        code = f"import {first}\nfrom twin.interventions import LEVER_TYPES\nprint(','.join(LEVER_TYPES))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        orders.add(done.stdout.strip())
    assert len(orders) == 1 and orders.pop().split(",") == list(LEVER_TYPES)


def test_the_levers_command_lists_the_keys_every_lever_takes(capsys):
    """`twin levers` listed each lever's own settings only: the keys every lever takes (its window,
    targets, intensity, name) were in the README and error messages alone."""
    assert main(["levers"]) == 0
    said = capsys.readouterr().out
    assert "Every lever also takes: name" in said
    assert all(key in said for key in ("start_year", "duration_years", "end_year", "intensity", "areas", "regions",
                                       "nations", "top_harm_areas"))


def test_two_funding_levers_acting_at_once_are_warned_as_increments_not_one_budget():
    """Two funding levers at once (2.0 and 1.0 billion) make neither budget: each hires against its
    own budget less the baseline's, so they add as increments. Nothing warned of it."""
    from twin.preflight import budgets_at_once

    def warned(*entries):
        return budgets_at_once(Scenario(name="t", path="t.toml", levers=list(entries)))

    a = {"type": "funding", "name": "a", "budget_gbp_per_year": 2.0e9}
    b = {"type": "funding", "name": "b", "budget_gbp_per_year": 1.0e9}
    said = warned(a, b)
    assert len(said) == 1 and "funding levers 'a' and 'b' act at once (both from start_year = 0)" in said[0]
    assert "their budgets add as increments over the baseline's, not as one budget" in said[0]
    assert warned(dict(a, end_year=1), dict(b, start_year=1)) == []  # one after the other
    assert warned(dict(a, end_year=2), dict(b, start_year=1))[0].count("start_year = 1") == 1
    assert warned(a, {"type": "soc_fund"}) == [] and warned(a) == []


def test_funding_shares_that_do_not_sum_to_one_say_which_values_were_summed():
    """Setting share_nca = 0.55 alone gave 'must be 1, got 1.2', without the defaults it was summed with."""
    with pytest.raises(ScenarioError, match=re.escape(
            "must be 1, got 1.2 (share_forces = 0.45, share_rocu = 0.2, share_nca = 0.55; a share not written takes "
            "its default, the baseline's split)")):
        _levers({"type": "funding", "share_nca": 0.55})


def test_the_bill_from_year_3_is_ct_powers_two_years_later():
    """The delayed Bill holds ct_powers' levers with the same settings, each from year 3; until
    then its run is the baseline's to the last bit (a lever waiting to start draws nothing and
    changes nothing), and once the powers start the runs part."""
    from twin.runner import build_model

    now, later = load_scenario(SCENARIOS / "ct_powers.toml"), load_scenario(SCENARIOS / "ct_powers_from_year_3.toml")
    assert [(e["type"], e.get("start_year", 0)) for e in later.levers] == [(e["type"], 2) for e in now.levers]
    settings = [[{k: v for k, v in e.items() if k not in ("start_year", "_file")} for e in s.levers]
                for s in (now, later)]
    assert settings[0] == settings[1]
    runs = {}
    for name in ("baseline", "ct_powers_from_year_3"):
        scenario = load_scenario(SCENARIOS / f"{name}.toml")
        scenario.years = 2.5
        runs[name] = build_model(scenario, seed=3)
        runs[name].run()
    base, delayed = (runs[n].results for n in ("baseline", "ct_powers_from_year_3"))
    for metric in ("harm_gbp_total", "members_active", "arrests", "response_cost_gbp", "community_trust"):
        assert np.array_equal(base.series(metric)[:24], delayed.series(metric)[:24]), metric
    assert not np.array_equal(base.series("arrests")[24:], delayed.series("arrests")[24:])


def test_a_funding_budget_behind_another_hiring_lever_is_said_to_share_its_cap():
    """A SOC fund listed before the funding hires first within the one hiring cap: the funding's budget
    could then be out of reach below the threshold the warning computes for it alone, and nothing was said."""
    from twin.preflight import budget_out_of_reach

    def said(*kinds, fund_from=0):
        entries = {"funding": {"type": "funding", "budget_gbp_per_year": 1.2e9},
                   "soc_fund": {"type": "soc_fund", "start_year": fund_from}}
        return budget_out_of_reach(Scenario(name="f", path="f.toml", years=2, levers=[entries[k] for k in kinds]))

    behind = said("soc_fund", "funding")
    assert len(behind) == 1 and "listed before it and running at the same time, hire investigators first within " \
                                "the same hiring cap" in behind[0]
    assert behind[0].startswith("f.toml: [[levers]] #2 (funding): soc_fund, listed before it")
    assert behind[0].endswith("(summary.csv's discounted_lever_cost_gbp_funding)")
    assert said("funding", "soc_fund") == []  # the funding hires first: its own threshold holds
    assert said("soc_fund", "funding", fund_from=2) == []  # the fund starts as the run ends: no overlap


def test_a_budget_moved_into_one_tier_is_warned_of_and_a_cut_said_as_one():
    """A lever funding one tier only can be out of reach there with a total below the baseline's, and
    the tiers it gives nothing lose their budget at once: the spending reached is below the baseline's."""
    from twin.preflight import budget_out_of_reach

    def said(budget, years):
        return budget_out_of_reach(Scenario(name="f", path="f.toml", years=years, levers=[
            {"type": "funding", "budget_gbp_per_year": budget, "share_forces": 0.0, "share_rocu": 1.0,
             "share_nca": 0.0}]))

    assert said(0.8e9, 2) and "a year below the baseline's" in said(2e9, 1)[0]


def test_hold_scales_the_held_areas_violence_detection_and_intelligence_by_its_settings():
    """ODD 3.4: Hold multiplies its areas' entry by 1 - entry_reduction x intensity, their violence by
    1 - violence_reduction x intensity, their detection and intelligence gain by 1 + intel_uplift x
    intensity, and adds trust_gain_per_year / 12 x intensity to their trust each month; other areas keep 1
    (and no trust change). Checked at an intensity and settings other than the defaults."""
    settings = {"entry_reduction": 0.5, "violence_reduction": 0.4, "intel_uplift": 0.6, "trust_gain_per_year": 0.03}
    model = _model([{"type": "hold", "areas": TARGETS, "intensity": 0.5, **settings}])
    model.modifiers.reset()
    for lever in model.levers:
        lever.apply(model)
    held = np.isin(model.geography.area_names, TARGETS)
    mods = model.modifiers
    for multiplier, expected in ((mods.entry_multiplier, 1 - 0.5 * 0.5), (mods.violence_multiplier, 1 - 0.4 * 0.5),
                                 (mods.detection_multiplier, 1 + 0.6 * 0.5), (mods.intel_multiplier, 1 + 0.6 * 0.5)):
        assert np.allclose(multiplier[held], expected, rtol=1e-12, atol=0) and np.all(multiplier[~held] == 1.0)
    assert np.allclose(mods.trust_change_per_month[held], 0.03 / 12 * 0.5, rtol=1e-12, atol=0)
    assert np.all(mods.trust_change_per_month[~held] == 0.0) and held.sum() == len(TARGETS)
