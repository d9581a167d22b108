"""Recruitment: the draws written out in `recruitment` give numpy's values from the same stream, and
vacancies are filled at the chance docs/ODD.md 3.3 states, factor by factor."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from twin import recruitment
from twin.vocabulary import ACTIVE


@njit
def _binomials(rng, n, p):
    out = np.empty(n.size, dtype=np.int64)
    for i in range(n.size):
        out[i] = recruitment.binomial_draw(rng, n[i], p[i])  # as `recruitment._recruits` draws
    return out


def test_binomial_matches_numpy():
    """Same values and the stream left in the same state, over the inversion (with and without
    its shortcut) and the cases left to the generator."""
    source = np.random.default_rng(11)
    for trial in range(40):
        size = 20000
        n = source.integers(0, (2, 10, 60, 400, 5000)[trial % 5], size)
        p = source.random(size) ** source.uniform(0.3, 4.0)
        p[::97] = 0.0
        p[::89] = 1.0
        numpy_rng, kernel_rng = np.random.default_rng(trial), np.random.default_rng(trial)
        assert np.array_equal(numpy_rng.binomial(n, p), _binomials(kernel_rng, n, p))
        assert numpy_rng.random() == kernel_rng.random()



def test_active_row_parts_list_every_active_member_once():
    """The two-part list of active rows the kernels read lists every active member once, in row
    order, also after members join (`add_members`) and after the list is rebuilt."""
    from twin.model import TwinModel
    from twin.parameters import Parameters

    params = Parameters({"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
                         "soc_awaiting_trial_initial": 50}, where="test")
    model = TwinModel(params=params, seed=3, n_steps=4)
    model.step()
    for stage in range(3):
        if stage == 1:
            recruitment.add_members(model, np.array([0, 1, 1]), np.array([1, 2, 3], dtype=np.int8),
                                    model.streams["entry"], 0.0)
        if stage == 2:
            model.members_reactivated()
        census_rows, first_new_row = model.active_row_parts()
        joined = np.concatenate([census_rows, np.arange(first_new_row, model.members.n)])
        assert np.array_equal(joined, model.active_rows())
        assert (np.diff(joined) > 0).all()  # ascending, no row twice
        assert np.isin((model.members.status == ACTIVE).nonzero()[0], joined).all()
        assert first_new_row <= model.members.n


def test_the_capital_reserve_reads_revenue_per_month_whatever_the_step():
    """A group's capital reserve is months of monthly profit: revenue is per step, so a weekly
    step's revenue is divided by its months. With the reserve between none and full (where it
    decides the fill), a week's revenue at the same monthly rate gives the monthly chance."""
    month_revenue = np.array([1.0e6, 4.0e5, 2.5e6])
    capital = np.array([9.0e5, 1.0e5, 3.0e6])  # half, a sixth and two thirds of six months' profit
    week = 12.0 / 52.0

    def stay(months_per_step, capital_gbp):
        _, stay_per_month = recruitment._vacancies(
            np.array([1.0e6]), 0.02, np.array([1.0]), np.array([1.0]), 0.5, np.zeros(3, dtype=np.int64),
            np.array([5.0, 5.0, 5.0]), np.array([10.0, 10.0, 10.0]), np.ones(3, dtype=bool), capital_gbp,
            month_revenue * months_per_step, 6.0, months_per_step, 0.3, 0.15, np.array([0.5, 0.5, 0.5]))
        return stay_per_month

    monthly = stay(1.0, capital)
    assert np.allclose(stay(week, capital), monthly, rtol=1e-12, atol=0)
    assert np.all(stay(1.0, capital * 0.5) > monthly)  # the reserve decides: less capital, slower filling


#: the fill chance's settings in the direct tests below: monthly fill rate, half saturation, months of
#: profit a full reserve holds, profit margin, at-risk share of the population
RATE, HALF_SATURATION, RESERVE_MONTHS, MARGIN, AT_RISK = 0.12, 0.05, 6.0, 0.35, 0.02


def _fill(area, active_members, reputation, capital_gbp, revenue_gbp_per_month, population=(1.0e6, 2.0e6),
          vulnerability=(1.0, 1.0), multiplier=(1.0, 1.0), months_per_step=1.0):
    """Each group's monthly fill chance, 1 - the chance a post stays unfilled (`recruitment._vacancies`),
    for groups in `area` with the given columns (whole arrays or one value for all), at the settings above."""
    area = np.asarray(area, dtype=np.int64)
    column = lambda value: np.broadcast_to(np.asarray(value, dtype=float), area.shape).copy()  # noqa: E731
    _, stay = recruitment._vacancies(
        np.array(population, dtype=float), AT_RISK, np.array(vulnerability, dtype=float),
        np.array(multiplier, dtype=float), HALF_SATURATION, area, column(active_members),
        column(active_members) + 10.0, np.ones(area.size, dtype=bool), column(capital_gbp),
        column(revenue_gbp_per_month) * months_per_step, RESERVE_MONTHS, months_per_step, MARGIN, RATE,
        column(reputation))
    return 1.0 - stay


def test_pool_availability_is_one_over_one_plus_members_over_half_saturation_of_the_pool():
    """docs/ODD.md 3.3: fill x 1 / (1 + members in area / (`at_risk_pool_half_saturation` x pool)), the
    pool being population x `at_risk_share_of_population` x vulnerability x the levers' multiplier,
    members in area the active members of the groups based there. Area 0's pool is 20,000, so
    1,000 members (two groups of 500) halve the fill of an empty area's group and 3,000 quarter it;
    members of another area change nothing; doubling the pool by any of its factors brings the
    1,000 members' availability to 2/3. Nothing tested the pool or its saturation before."""
    full = RATE * 1.0 * (0.5 + 0.5) * 1.0  # reputation 0.5, capital beyond the reserve: the other factors 1
    money = dict(reputation=0.5, capital_gbp=1.0e9, revenue_gbp_per_month=1.0e5)
    empty = _fill([1], [0.0], **money)
    assert empty == pytest.approx([full], rel=1e-12)
    assert _fill([0, 0, 1], [500.0, 500.0, 0.0], **money) == pytest.approx([full / 2, full / 2, full], rel=1e-12)
    assert _fill([0, 0], [1500.0, 1500.0], **money) == pytest.approx([full / 4] * 2, rel=1e-12)
    crowded_elsewhere = _fill([0, 0, 1], [500.0, 500.0, 1.0e5], **money)
    assert crowded_elsewhere[:2] == pytest.approx([full / 2] * 2, rel=1e-12)
    assert crowded_elsewhere[2] == pytest.approx(full / (1 + 1.0e5 / (HALF_SATURATION * 2.0e6 * AT_RISK)), rel=1e-12)
    for doubled in (dict(population=(2.0e6, 2.0e6)), dict(vulnerability=(2.0, 1.0)), dict(multiplier=(2.0, 1.0))):
        fill = _fill([0, 0], [500.0, 500.0], **money, **doubled)
        assert fill == pytest.approx([full * 2 / 3] * 2, rel=1e-12), doubled


def test_reputation_scales_the_fill_by_a_half_plus_reputation():
    """docs/ODD.md 3.3: fill x (0.5 + reputation). A group of reputation 0 fills a third as fast as
    one of reputation 1 and half as fast as one of 0.5; replacing the factor by 0.5 passed every
    test before this one."""
    reputation = np.array([0.0, 0.25, 0.5, 1.0])
    fill = _fill([1] * 4, 0.0, reputation, 1.0e9, 1.0e5)
    assert fill == pytest.approx(RATE * (0.5 + reputation), rel=1e-12)
    assert fill[3] / fill[0] == pytest.approx(3.0, rel=1e-12)


def test_a_full_capital_reserve_doubles_the_fill_of_a_group_without_capital():
    """docs/ODD.md 3.3: fill x (0.5 + 0.5 reserve), reserve = capital / (`capital_reserve_months` of
    profit: revenue per month x `profit_margin`), at most 1. With £100,000 a month of revenue six
    months of profit is £210,000: no capital recruits at half speed, half of it at three quarters,
    all of it or more at full speed, monthly or weekly (the step's revenue is per step)."""
    reserve_gbp = RESERVE_MONTHS * 1.0e5 * MARGIN
    capital = np.array([0.0, 0.5, 1.0, 3.0]) * reserve_gbp
    for months_per_step in (1.0, 12.0 / 52.0):
        fill = _fill([1] * 4, 0.0, 0.5, capital, 1.0e5, months_per_step=months_per_step)
        assert fill == pytest.approx(RATE * np.array([0.5, 0.75, 1.0, 1.0]), rel=1e-12), months_per_step


@pytest.mark.parametrize("step_length", ["month", "week"])
def test_recruits_arrive_at_the_documented_rate_in_each_factor(step_length):
    """The recruits of a fresh UK model's recruitment phase, against docs/ODD.md 3.3 worked out here:
    each group's vacancy (whole posts, a fractional one by chance) is filled over the step with
    chance 1 - (1 - fill) ^ (months per step), fill = `recruitment_fill_rate_per_month` x pool
    availability x (0.5 + reputation) x (0.5 + 0.5 reserve). Reputation (0 to 1), capital (none to
    twice the full reserve) and vacancies (5 to 25) are spread over the groups (the areas'
    availability already ranges from about 0.2 to 0.6), and the recruits of the groups below and
    above the median of each factor, and of all, are within 4 standard errors of the expected
    number (its variance the binomial's plus the fractional post's). So the draws follow the chance
    the direct tests above check, factor by factor: reputation ignored, half saturation left out,
    the reserve's factor mis-sized (0.75 + 0.25 reserve) or uncapped, or the weekly chance left
    monthly each put a count 5 to 95 standard errors off."""
    from twin.model import TwinModel

    model = TwinModel(seed=4, n_steps=12, step_length=step_length)
    ocgs, params, dt = model.ocgs, model.params, model.months_per_step
    rng = np.random.default_rng(17)
    n = ocgs.n
    assert ocgs.active.all()
    ocgs.reputation[:] = rng.uniform(0.0, 1.0, n)
    ocgs.revenue_gbp_per_step[:] = rng.uniform(2.0e4, 5.0e5, n) * dt
    reserve_gbp = params.capital_reserve_months * ocgs.revenue_gbp_per_step / dt * params.profit_margin
    ocgs.capital_gbp[:] = rng.uniform(0.0, 2.0, n) * reserve_gbp  # half below the full reserve, half beyond it
    vacancy = rng.uniform(5.0, 25.0, n)
    ocgs.target_size[:] = model.active_members + vacancy

    pool = (model.geography.population * params.at_risk_share_of_population * model.vulnerability
            * model.modifiers.vulnerability_multiplier)
    members_in_area = np.bincount(ocgs.area, model.active_members, minlength=pool.size)
    availability = (1.0 / (1.0 + members_in_area / (params.at_risk_pool_half_saturation * pool)))[ocgs.area]
    reserve = np.minimum(ocgs.capital_gbp / reserve_gbp, 1.0)
    fill = np.clip(params.recruitment_fill_rate_per_month * availability * (0.5 + ocgs.reputation)
                   * (0.5 + 0.5 * reserve), 0.0, 1.0)
    p = 1.0 - (1.0 - fill) ** dt
    whole = np.floor(vacancy)
    expected = vacancy * p
    variance = vacancy * p * (1 - p) + p ** 2 * (vacancy - whole) * (1 - (vacancy - whole))

    first_new = model.members.n
    recruitment.recruit(model)
    recruits = np.bincount(model.members.ocg[first_new:], minlength=n)
    assert recruits.sum() == model.tally.values[model.tally.row("recruits")].sum()
    halves = {"all": np.ones(n, dtype=bool)}
    for name, factor in (("availability", availability), ("reputation", ocgs.reputation), ("reserve", reserve)):
        halves[f"{name} low"] = factor < np.median(factor)
        halves[f"{name} high"] = ~halves[f"{name} low"]
    for name, groups in halves.items():
        observed, mean, se = recruits[groups].sum(), expected[groups].sum(), np.sqrt(variance[groups].sum())
        assert abs(observed - mean) < 4 * se, (name, observed, mean, se)


def test_target_size_grows_with_the_mean_unmet_share_over_a_group_s_supply_entries():
    """ODD 3.3: target size = base size x (1 + growth x the mean unmet share of demand over the cells
    the group supplies), at most (1 + growth) times the base; a group supplying nothing keeps its base."""
    from twin.recruitment import _grow_targets

    vacancy = np.array([0.0, 0.5, 1.0, 0.2])  # unmet share by flat [area, market] cell
    entry_ocg = np.array([0, 0, 1, 1, 1, 2])  # group 3 supplies no cell
    entry_cell = np.array([1, 2, 0, 2, 3, 2])
    base = np.array([10.0, 20.0, 30.0, 40.0])
    target = np.full(4, np.nan)
    _grow_targets(entry_ocg, entry_cell, vacancy, 0.5, base, target)
    means = [(0.5 + 1.0) / 2, (0.0 + 1.0 + 0.2) / 3, 1.0, 0.0]
    assert np.allclose(target, base * (1 + 0.5 * np.array(means)), rtol=1e-15, atol=0)
    assert target[2] == 1.5 * base[2] and target[3] == base[3]  # the cap, reached; nothing supplied
