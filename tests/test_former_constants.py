"""The parameters that replaced the last structural constants (cohesion by type, prices, entrants,
enablers, recruits, pull of vacancy, the violence floor) reach the processes they set.

Where a parameter sets a state directly, the state is checked exactly; where it sets a chance,
the draws are checked against it in standard errors; where it acts through the dynamics, the UK
model runs at two settings with the same seeds and the direction the mechanism implies must show
as a paired difference of at least three standard errors over the seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from twin.model import TwinModel
from twin.parameter_rules import check_consistency, consistency_warnings
from twin.parameters import Parameters
from twin.vocabulary import CULTURAL, FAMILY, HEROIN_CRACK, MONEY_LAUNDERING, PROXIMITY, VIRTUAL

from conftest import assert_paired_sign

SEEDS = (1, 2, 3, 4, 5, 6)


def _model(overrides: dict, seed: int = 1, n_steps: int = 1, **kwargs) -> TwinModel:
    return TwinModel(params=Parameters(overrides, where="test"), seed=seed, n_steps=n_steps, **kwargs)


def _paired(overrides_low: dict, overrides_high: dict, outcome, n_steps: int = 24) -> np.ndarray:
    """outcome(high) - outcome(low) for each seed, each run `n_steps` steps."""
    diffs = []
    for seed in SEEDS:
        runs = []
        for overrides in (overrides_low, overrides_high):
            model = _model(overrides, seed, n_steps)
            model.run()
            runs.append(outcome(model))
        diffs.append(runs[1] - runs[0])
    return np.array(diffs)


def test_groups_start_with_their_types_cohesion():
    values = {"cohesion_base_cultural": 0.7, "cohesion_base_proximity": 0.55, "cohesion_base_family": 0.95,
              "cohesion_base_virtual": 0.4}
    model = _model(values)
    ocgs = model.ocgs
    for kind, name in ((CULTURAL, "cultural"), (PROXIMITY, "proximity"), (FAMILY, "family"), (VIRTUAL, "virtual")):
        of_type = ocgs.ocg_type[:ocgs.n] == kind
        assert of_type.any(), name
        assert np.all(ocgs.cohesion[:ocgs.n][of_type] == values[f"cohesion_base_{name}"]), name


def test_cohesion_recovers_towards_its_types_value():
    # groups knocked down to no cohesion recover towards their type's base, whatever it is set to
    def recovered(base: float) -> float:
        model = _model({"cohesion_base_proximity": base, "cohesion_recovery_per_month": 0.05}, n_steps=13,
                       spin_up_years=0)
        ocgs = model.ocgs
        proximity = (ocgs.ocg_type[:ocgs.n] == PROXIMITY)
        ocgs.cohesion[:ocgs.n][proximity] = 0.0
        rows = np.flatnonzero(proximity)
        for _ in range(12):
            model.step()
        return float(ocgs.cohesion[rows][ocgs.active[rows]].mean())
    # with no further shocks, 12 months at 5% a month close 1 - 0.95^12 = 46% of the gap; successions
    # and splits only lower the mean, so each mean is at most that share of its base
    low, high = recovered(0.45), recovered(0.75)
    share = 1 - 0.95 ** 12
    assert low <= share * 0.45 + 1e-12 and high <= share * 0.75 + 1e-12
    assert high > low * 1.4  # 0.75 / 0.45 = 1.67 apart when the shocks are few


@pytest.mark.parametrize("shape", [1.2, 3.0])
def test_enablers_pull_spreads_as_a_pareto_of_its_shape(shape):
    model = _model({"enabler_client_pareto_shape": shape})
    excess = model.enablers.reach_weight[:model.enablers.n] - 1.0
    assert stats.kstest(excess, stats.lomax(c=shape).cdf).pvalue > 1e-3
    other = 3.0 if shape < 2 else 1.2  # and the test can tell the two shapes apart
    assert stats.kstest(excess, stats.lomax(c=other).cdf).pvalue < 1e-6


def test_prices_stay_within_their_bounds():
    # a wide swing of supply (seizures and entry) pushes some indices against tight bounds
    model = _model({"price_index_min": 0.95, "price_index_max": 1.05, "price_adjustment_per_month": 0.75},
                   n_steps=36, spin_up_years=0)
    lows, highs = [], []
    for _ in range(36):
        model.step()
        prices = model.markets.price_index[:, :MONEY_LAUNDERING]
        lows.append(prices.min())
        highs.append(prices.max())
    assert min(lows) >= 0.95 - 1e-12 and max(highs) <= 1.05 + 1e-12
    assert min(lows) < 0.99 or max(highs) > 1.01  # the bounds are reached for, not idle


def test_price_update_closes_its_share_of_the_gap_within_the_bounds():
    from twin.markets import _update_prices

    price = np.ones((2, MONEY_LAUNDERING + 1))
    target = np.array([[2.0] * (MONEY_LAUNDERING + 1), [0.1] * (MONEY_LAUNDERING + 1)])
    _update_prices(price, target, 0.3, 0.5, 1.5)
    assert np.allclose(price[0, :MONEY_LAUNDERING], 1 + 0.3 * (1.5 - 1))  # the target capped at 1.5
    assert np.allclose(price[1, :MONEY_LAUNDERING], 1 + 0.3 * (0.5 - 1))  # and floored at 0.5
    assert np.all(price[:, MONEY_LAUNDERING] == 1.0)  # laundering has no price index


@pytest.mark.parametrize("step_length, months", [("month", 1.0), ("week", 12 / 52)])
def test_price_adjustment_reaches_the_step(step_length, months):
    from twin.operations import PRICE_STEP

    for speed in (0.25, 0.75):
        model = _model({"price_adjustment_per_month": speed}, step_length=step_length)
        assert model.operations_room.scalars[PRICE_STEP] == pytest.approx(1 - (1 - speed) ** months, rel=1e-12)


def test_home_heroin_supply_floor_sets_productivity_when_lines_carry_the_supply():
    # lines big enough to carry all heroin/crack demand: productivity follows the floor one for one
    lines = {"county_line_capacity_users": 5000}
    low = _model({**lines, "heroin_home_supply_floor_share": 0.05})
    high = _model({**lines, "heroin_home_supply_floor_share": 0.2})
    ratio = high.markets.productivity[HEROIN_CRACK] / low.markets.productivity[HEROIN_CRACK]
    assert ratio == pytest.approx(4.0, rel=1e-9)
    # with the default lines the floor does not bind, and productivity does not depend on it
    free = [_model({"heroin_home_supply_floor_share": v}).markets.productivity[HEROIN_CRACK] for v in (0.05, 0.2)]
    assert free[0] == free[1]


def test_laundering_floor_keeps_capital_when_laundering_is_short():
    # supply at 80% of demand in every market, laundering included: coverage 0.8, so a higher floor
    # banks more of the profit
    short = {"supply_demand_ratio_initial": 0.8}

    def capital(model):
        ocgs = model.ocgs
        return float(ocgs.capital_gbp[:ocgs.n][ocgs.active[:ocgs.n]].sum())
    assert_paired_sign(_paired({**short, "laundering_coverage_floor": 0.3}, {**short, "laundering_coverage_floor": 0.7},
                         capital, n_steps=12), 1)


def test_reactive_violence_floor_sets_the_least_violence_an_area_counts():
    # 40 incidents a year is above many areas' expected violence: they count the floor itself
    model = _model({"reactive_violence_floor_per_year": 40.0}, spin_up_years=0)  # the reference is set up here
    reference, expected = model.police.reference_violence, model.expected_violence_per_month
    assert np.all(reference == np.maximum(expected, 40.0 / 12))
    assert np.count_nonzero(expected < 40.0 / 12) >= 5


def test_recruits_join_the_core_at_their_ratio():
    assert_paired_sign(_paired({"recruit_core_share_ratio": 0.3}, {"recruit_core_share_ratio": 0.7},
                         lambda m: float(m.results.series("members_core")[-1])), 1)


def test_recruits_known_at_their_ratio_of_intelligence():
    assert_paired_sign(_paired({"recruit_known_intel_ratio": 0.3}, {"recruit_known_intel_ratio": 0.7},
                         lambda m: float(m.results.series("members_known")[-1])), 1)


def _entrants(overrides: dict, seed: int, n_steps: int = 24) -> tuple[TwinModel, np.ndarray]:
    """A run without splits or absorptions, so that every group founded in it entered a market (at the
    top of the plausible entry rate, so that there are a few hundred)."""
    model = _model({"succession_split_prob": 0.0, "succession_absorb_prob": 0.0, "entry_rate_per_month": 1.0,
                    **overrides}, seed, n_steps,
                   spin_up_years=0)
    model.run()
    return model, np.arange(model.ocgs_at_start, model.ocgs.n)  # group rows are appended, never compacted


def test_entrants_reach_follows_its_shares():
    shares = np.array([0.5, 0.2, 0.3])  # local, regional, national: distinct, so a swap shows
    for seed in SEEDS[:2]:
        model, new = _entrants({"entrant_share_reach_local": shares[0], "entrant_share_reach_regional": shares[1],
                                "entrant_share_reach_national": shares[2]}, seed)
        counts = np.bincount(model.ocgs.reach[new], minlength=3)
        assert new.size > 100
        assert stats.chisquare(counts, shares * new.size).pvalue > 1e-3, counts
        assert stats.chisquare(counts, shares[[1, 0, 2]] * new.size).pvalue < 1e-6, counts


def test_entrants_aim_no_higher_than_their_largest_size():
    model, new = _entrants({"entrant_target_size_max": 20}, 1)
    aims = model.ocgs.base_size[new]
    assert aims.max() == 20.0  # some entrants aim at the cap
    assert np.all(aims <= 20.0)


def test_entrants_sizes_spread_with_their_sigma():
    def log_size_spread(sigma: float, seed: int) -> tuple[float, int]:
        model = _model({"succession_split_prob": 0.0, "succession_absorb_prob": 0.0, "entrant_size_sigma": sigma,
                        "entry_size_median": 10, "entry_rate_per_month": 1.0}, seed, 24, spin_up_years=0)
        sizes = []
        for _ in range(24):
            first_new = model.ocgs.n
            model.step()  # entry comes late in the step: the census counts the entrants' starting members
            sizes.append(model.active_members[first_new:model.ocgs.n])
        sizes = np.concatenate(sizes)
        return float(np.log(sizes[sizes > 0]).std()), sizes.size
    for seed in SEEDS[:2]:
        (narrow, n1), (wide, n2) = log_size_spread(0.3, seed), log_size_spread(0.8, seed)
        # the standard error of a standard deviation is about sd / sqrt(2 n)
        se = np.hypot(wide / np.sqrt(2 * n2), narrow / np.sqrt(2 * n1))
        assert wide - narrow > 4 * se, (narrow, wide, n1, n2)


def test_acquired_enablers_are_professional_at_their_share():
    def professional_minus_insider(model):
        ocgs = model.ocgs
        active = ocgs.active[:ocgs.n]
        return float(np.count_nonzero(ocgs.has_professional[:ocgs.n][active])
                     - np.count_nonzero(ocgs.has_insider[:ocgs.n][active]))
    assert_paired_sign(_paired({"acquired_enabler_professional_share": 0.1, "enabler_acquisition_after_operation": 0.4},
                         {"acquired_enabler_professional_share": 0.9, "enabler_acquisition_after_operation": 0.4},
                         professional_minus_insider), 1)


def test_the_run_passes_the_pull_floor_and_enabler_share_to_adaptation(monkeypatch):
    import twin.adaptation as adaptation
    import twin.county_lines as county_lines

    seen = {"county_lines": [], "displacement": []}
    for module, name, key in ((county_lines, "county_lines_step", "county_lines"),
                              (adaptation, "displacement_step", "displacement")):
        original = getattr(module, name)

        def spy(*args, _original=original, _key=key, **kwargs):
            seen[_key].append((kwargs["pull_floor"], kwargs.get("professional_share")))
            return _original(*args, **kwargs)
        monkeypatch.setattr(module, name, spy)
    model = _model({"vacancy_pull_floor": 0.27, "acquired_enabler_professional_share": 0.61}, n_steps=3)
    model.run()
    assert seen["county_lines"] and {floor for floor, _ in seen["county_lines"]} == {0.27}
    assert seen["displacement"] and set(seen["displacement"]) == {(0.27, 0.61)}


def test_pivots_value_markets_with_the_pull_floor():
    from twin.adaptation_kernels import plan_displacement

    n_areas = 3
    demand = np.ones((n_areas, MONEY_LAUNDERING))
    vacancy = np.zeros((n_areas, MONEY_LAUNDERING))
    vacancy[:, 0] = 1.0  # market 0 fully vacant, the rest saturated
    price = np.ones(MONEY_LAUNDERING)
    empty = np.empty(0, dtype=np.int64)
    for floor in (0.05, 0.3):
        _, _, appeal = plan_displacement(empty, np.empty((0, 5)), empty, np.zeros((0, MONEY_LAUNDERING + 1), bool),
                                         np.zeros((n_areas, n_areas)), np.ones(n_areas), demand, price, vacancy,
                                         0.1, 0.1, floor)
        assert appeal[0] / appeal[1] == pytest.approx((floor + 1) / floor)


@pytest.mark.parametrize("floor,held", [(0.05, 1.0), (0.3, 1.0), (0.3, 0.25)])
def test_new_lines_head_for_saturated_areas_at_the_pull_floor(floor, held):
    # an exporter area (0) and two others with equal heroin/crack demand, one fully vacant (1), one
    # saturated (2): lines go to the saturated one with chance floor / (floor + (floor + 1)); with
    # the saturated area held (entry multiplier `held`), its pull is `held` times as strong
    from twin.county_lines import county_lines_step
    from twin.compiled import generator_argument

    rng = np.random.default_rng(7)
    exporter = np.array([True, False, False])
    markets = np.zeros((1, MONEY_LAUNDERING + 1), dtype=bool)
    markets[0, HEROIN_CRACK] = True
    demand = np.ones((3, MONEY_LAUNDERING + 1))
    vacancy = np.zeros((3, MONEY_LAUNDERING + 1))
    vacancy[1, HEROIN_CRACK] = 1.0
    tally = np.zeros((2, 3))
    _, _, _, dest = county_lines_step(
        generator_argument(rng), np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64), 0.0, np.ones(1, dtype=bool),
        markets, np.zeros(1, dtype=np.int64), exporter, np.ones(1), 4000.0, 0.0, demand, vacancy, 0.0, 1.0, 1.0,
        np.array([1.0, 1.0, held]), floor, tally, np.array([0, 1]))
    p = held * floor / (held * floor + floor + 1)
    assert dest.size > 3000 and np.all(dest > 0)
    saturated = np.count_nonzero(dest == 2)
    assert abs(saturated - p * dest.size) < 4 * np.sqrt(dest.size * p * (1 - p)), (saturated, dest.size, p)


def test_entrant_reach_shares_are_a_share_set():
    zero = Parameters({"entrant_share_reach_local": 0, "entrant_share_reach_regional": 0,
                       "entrant_share_reach_national": 0}, where="test")
    with pytest.raises(Exception, match="new OCGs' reach"):
        check_consistency(zero, "test")
    uneven = Parameters({"entrant_share_reach_local": 0.9}, where="test")
    assert any("new OCGs' reach shares sum to 1.3" in w for w in consistency_warnings(uneven, "test"))


def test_price_bounds_must_be_ordered():
    with pytest.raises(Exception, match="price_index_min = 3 is above price_index_max = 2"):
        check_consistency(Parameters({"price_index_min": 3, "price_index_max": 2}, where="test"), "test")


def test_price_bounds_must_hold_the_starting_price():
    with pytest.raises(Exception, match="expected the bounds to hold 1, the starting price index"):
        check_consistency(Parameters({"price_index_min": 1.5, "price_index_max": 3}, where="test"), "test")
