"""Harm accounts (`harm.py`): each market priced at its unit cost into its category, exploitation
and violence, the step's length, and the split of each category into anticipation, consequence and
response by that category's own shares.

Every expected value here is derived from the parameters by name (what `twin params` lists), not
from `HarmAccounts`' own attributes, so that a parameter read in the wrong place fails a test.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
import pytest

from twin.harm import HarmAccounts, category_total, harm_gbp_per_unit_month
from twin.parameters import Parameters
from twin.vocabulary import HARM_CATEGORIES, MARKETS

#: market -> (its unit harm parameter, the harm category it lands in), as the Home Office method
#: books them: both drug markets are drugs harm, fraud is economic crime, firearms and organised
#: acquisitive crime are "other"; money laundering has no harm of its own (its predicate crimes do)
MARKET_HARM = {
    "heroin_crack": ("harm_gbp_per_heroin_crack_user_year", "drugs"),
    "cocaine": ("harm_gbp_per_cocaine_user_year", "drugs"),
    "fraud": ("harm_gbp_per_fraud_offence", "economic"),
    "modern_slavery": ("harm_gbp_per_slavery_victim_year", "modern_slavery"),
    "immigration": ("harm_gbp_per_immigration_arrival", "immigration"),
    "firearms": ("harm_gbp_per_firearm", "other"),
    "acquisitive": ("harm_gbp_per_acquisitive_offence", "other"),
    "money_laundering": (None, None),
}
WEEK = 12 / 52  # months in a weekly step


def _unit_gbp_per_month(params: Parameters, market: str) -> float:
    """A market's harm per unit served per month, from its parameter's unit: a cost per user- or
    victim-year is a twelfth of it a month (stocks), a cost per offence, arrival or firearm is
    the cost of one (flows: the volume served a month is events)."""
    name, _ = MARKET_HARM[market]
    if name is None:
        return 0.0
    unit = params.spec(name).unit
    if unit.endswith("-year"):
        return params[name] / 12
    assert unit in ("GBP/offence", "GBP/arrival", "GBP/firearm"), unit
    return params[name]


def _zeros(n_areas: int):
    """No exploited members, homicides, serious violence or fatal serious violence in any area."""
    return [np.zeros(n_areas) for _ in range(4)]


def test_unit_harm_per_month_is_each_market_s_unit_cost_over_its_period():
    """Stocks (users, victims) are costed per year, so a month of one is a twelfth; flows
    (offences, arrivals, firearms) are costed per event. A cost per year read as a cost per
    month overstates drugs and slavery harm twelvefold."""
    params = Parameters()
    expected = [_unit_gbp_per_month(params, market) for market in MARKETS]
    np.testing.assert_allclose(harm_gbp_per_unit_month(params), expected, rtol=1e-15)
    # the stocks, costed a year at a time, are the drug users and the slavery victims
    per_year = {market for market, (name, _) in MARKET_HARM.items()
                if name is not None and params.spec(name).unit.endswith("-year")}
    assert per_year == {"heroin_crack", "cocaine", "modern_slavery"}
    assert expected[MARKETS.index("money_laundering")] == 0.0


def test_each_market_s_volume_is_priced_into_its_own_harm_category():
    """One area per market, each serving only that market: the area's harm is the volume times
    the market's unit cost, all of it in the market's category and none in the others (money
    laundering: none at all). Guards the market-to-category map: firearms booked as violence, or
    fraud as other, would move harm between the categories the report sets side by side."""
    params = Parameters()
    accounts = HarmAccounts(params)
    n = len(MARKETS)
    volume = np.arange(1.0, n + 1) * 10.0  # a different volume in each area
    served = np.zeros((n, n))
    served[np.arange(n), np.arange(n)] = volume
    harm = accounts.by_category(served, *_zeros(n), months_per_step=1.0)
    for area, market in enumerate(MARKETS):
        expected = np.zeros(len(HARM_CATEGORIES))
        name, category = MARKET_HARM[market]
        if category is not None:
            expected[HARM_CATEGORIES.index(category)] = volume[area] * _unit_gbp_per_month(params, market)
        np.testing.assert_allclose(harm[area], expected, rtol=1e-12, err_msg=market)
    # markets of one category add up: drugs from both drug markets, other from firearms and acquisitive
    served = np.zeros((1, n))
    served[0, [MARKETS.index("heroin_crack"), MARKETS.index("cocaine"), MARKETS.index("firearms"),
               MARKETS.index("acquisitive")]] = [100.0, 1000.0, 2.0, 50.0]
    harm = accounts.by_category(served, *_zeros(1), months_per_step=1.0)[0]
    assert harm[HARM_CATEGORIES.index("drugs")] == pytest.approx(
        100 * params.harm_gbp_per_heroin_crack_user_year / 12 + 1000 * params.harm_gbp_per_cocaine_user_year / 12)
    assert harm[HARM_CATEGORIES.index("other")] == pytest.approx(
        2 * params.harm_gbp_per_firearm + 50 * params.harm_gbp_per_acquisitive_offence)


def test_exploited_members_cost_a_slavery_victim_s_year_pro_rata_as_modern_slavery():
    """Each exploited member (a victim of criminal exploitation) costs what a modern slavery
    victim does, a year's cost over twelve a month, booked as modern slavery harm; area by area."""
    params = Parameters()
    accounts = HarmAccounts(params)
    exploited = np.array([0.0, 3.0, 40.0])
    none = np.zeros(3)
    harm = accounts.by_category(np.zeros((3, len(MARKETS))), exploited, none, none, none, months_per_step=1.0)
    expected = np.zeros((3, len(HARM_CATEGORIES)))
    expected[:, HARM_CATEGORIES.index("modern_slavery")] = exploited * params.harm_gbp_per_slavery_victim_year / 12
    np.testing.assert_allclose(harm, expected, rtol=1e-12)


def test_violence_costs_homicides_and_the_non_fatal_serious_incidents():
    """Violence harm is homicides x the homicide cost plus serious incidents x the incident cost,
    an incident that ended in a homicide costed once (as the homicide); all of it violence harm."""
    params = Parameters()
    accounts = HarmAccounts(params)
    homicides = np.array([0.0, 2.0, 1.0])
    serious = np.array([5.0, 7.0, 1.0])
    fatal = np.array([0.0, 2.0, 1.0])  # area 2: its one incident was the homicide
    harm = accounts.by_category(np.zeros((3, len(MARKETS))), np.zeros(3), homicides, serious, fatal,
                                months_per_step=1.0)
    expected = np.zeros((3, len(HARM_CATEGORIES)))
    expected[:, HARM_CATEGORIES.index("violence")] = [5 * params.harm_gbp_per_serious_violence,
                                                      2 * params.harm_gbp_per_homicide
                                                      + 5 * params.harm_gbp_per_serious_violence,
                                                      params.harm_gbp_per_homicide]
    np.testing.assert_allclose(harm, expected, rtol=1e-12)


def test_a_weekly_step_costs_a_week_of_volume_and_exploitation_but_each_violent_event_in_full():
    """Volumes served and exploited members are stocks or rates per month: a weekly step (12/52
    of a month) costs 12/52 of a month's harm. Homicides and incidents are the step's events:
    each costs its full unit cost whatever the step length."""
    params = Parameters()
    accounts = HarmAccounts(params)
    served = np.zeros((1, len(MARKETS)))
    served[0, MARKETS.index("cocaine")] = 520.0
    served[0, MARKETS.index("fraud")] = 52.0
    args = (served, np.array([13.0]), np.array([1.0]), np.array([4.0]), np.array([1.0]))
    harm = accounts.by_category(*args, months_per_step=WEEK)[0]
    assert harm[HARM_CATEGORIES.index("drugs")] == pytest.approx(520 * params.harm_gbp_per_cocaine_user_year / 52)
    assert harm[HARM_CATEGORIES.index("economic")] == pytest.approx(12 * params.harm_gbp_per_fraud_offence)
    assert harm[HARM_CATEGORIES.index("modern_slavery")] == pytest.approx(
        13 * params.harm_gbp_per_slavery_victim_year / 52)
    assert harm[HARM_CATEGORIES.index("violence")] == pytest.approx(
        params.harm_gbp_per_homicide + 3 * params.harm_gbp_per_serious_violence)
    # a month of weekly steps (52/12 of them) costs what a monthly step does, for the stocks
    monthly = accounts.by_category(*args, months_per_step=1.0)[0]
    for category in ("drugs", "economic", "modern_slavery"):
        k = HARM_CATEGORIES.index(category)
        assert harm[k] * 52 / 12 == pytest.approx(monthly[k], rel=1e-12)


#: anticipation and response shares, each different from every other (and from its pair), so
#: that a share read for the wrong category or the wrong cost type changes the split
DISTINCT_SHARES = {
    **{f"anticipation_share_{c}": 0.01 * (k + 1) for k, c in enumerate(HARM_CATEGORIES)},
    **{f"response_share_{c}": 0.1 * (k + 1) + 0.05 for k, c in enumerate(HARM_CATEGORIES)},
}


@pytest.mark.parametrize("overrides", [{}, DISTINCT_SHARES], ids=["defaults", "distinct_shares"])
def test_each_category_splits_into_anticipation_consequence_and_response_by_its_own_shares(overrides):
    """An area with harm in one category only: its anticipation cost is that category's
    `anticipation_share_*` of it, its response cost the `response_share_*`, its consequence cost
    the rest. Then an area with harm in every category: each cost type is the sum over the
    categories. Guards against the shares swapped between cost types or read for another
    category (the audit's mutation: response shares where anticipation shares are meant)."""
    params = Parameters(overrides)
    accounts = HarmAccounts(params)
    n = len(HARM_CATEGORIES)
    harm = np.zeros((n + 1, n))
    harm[np.arange(n), np.arange(n)] = 1e6
    harm[n] = [3e6, 5e5, 2e4, 7e5, 4e6, 9e5]
    anticipation = np.array([params[f"anticipation_share_{c}"] for c in HARM_CATEGORIES])
    response = np.array([params[f"response_share_{c}"] for c in HARM_CATEGORIES])
    expected = np.zeros((n + 1, 3))
    for k, category in enumerate(HARM_CATEGORIES):
        a, r = params[f"anticipation_share_{category}"], params[f"response_share_{category}"]
        expected[k] = [a * 1e6, (1 - a - r) * 1e6, r * 1e6]
    expected[n] = [harm[n] @ anticipation, harm[n] @ (1 - anticipation - response), harm[n] @ response]
    np.testing.assert_allclose(accounts.by_cost_type(harm), expected, rtol=1e-12)


def test_cost_types_and_categories_add_up_to_the_total_harm():
    """The three cost types add up to the area's total harm (the consequence cost is the rest,
    never negative with the shares at most 1 together), and the total is the categories added in
    category order from -0.0 (so an area without harm totals -0.0, as numpy's sum does, and the
    additions round as a sequential sum: 1 + 1e16 - 1e16 is 0, added the other way round 1)."""
    params = Parameters()
    accounts = HarmAccounts(params)
    rng = np.random.default_rng(8)
    served = rng.random((30, len(MARKETS))) * 1e4
    exploited, homicides, serious = rng.integers(0, 30, (3, 30)).astype(float)
    fatal = np.minimum(homicides, serious)
    harm = accounts.by_category(served, exploited, homicides, serious, fatal, months_per_step=WEEK)
    by_cost_type = accounts.by_cost_type(harm)
    totals = np.array([category_total(harm, area) for area in range(30)])
    np.testing.assert_allclose(totals, harm.sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(by_cost_type.sum(axis=1), totals, rtol=1e-12)
    assert (by_cost_type >= 0).all()
    # the order of the additions: sequential, in category order, from -0.0
    rows = np.array([[1.0, 1e16, -1e16, 0.0, 0.0, 0.0], [-0.0] * 6, [0.0, 0.0, 0.0, 0.0, 0.0, 7.0]])
    for area, row in enumerate(rows):
        expected = functools.reduce(operator.add, row.tolist(), -0.0)
        got = category_total(rows, area)
        assert got == expected and np.signbit(got) == np.signbit(expected), (row, got)
    assert category_total(rows, 0) == 0.0 and np.signbit(category_total(rows, 1))
    assert category_total(rows, 2) == 7.0
