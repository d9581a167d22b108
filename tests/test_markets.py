import numpy as np

from twin.community import initial_vulnerability
from twin.geography import load_geography
from twin.markets import Markets
from twin.parameters import Parameters
from twin.vocabulary import FRAUD, HEROIN_CRACK

from reference_impl import clear_markets

GEO = load_geography()


def _markets(**overrides):
    params = Parameters(overrides)
    return Markets(GEO, params, initial_vulnerability(GEO, params))


def test_demand_totals_match_the_parameter_table():
    markets = _markets()
    assert np.isclose(markets.base_demand[:, HEROIN_CRACK].sum(), Parameters().heroin_crack_users_uk)
    assert np.isclose(markets.base_demand[:, FRAUD].sum() * 12, Parameters().fraud_offences_per_year)


def test_clearing_never_sells_more_than_supply_or_serves_more_than_demand():
    markets = _markets()
    rng = np.random.default_rng(0)
    n = 3000
    area = rng.integers(0, GEO.n_areas, n)
    market = rng.integers(0, 7, n)
    amount = rng.exponential(50.0, n)
    sold = clear_markets(markets, area, market, amount, 1.0)
    assert np.all(sold <= amount + 1e-9) and np.all(sold >= 0)
    assert np.all(markets.served[:, :7] <= markets.demand[:, :7] + 1e-6)
    # Everything sold is served somewhere, and everything served was sold by someone.
    assert np.isclose(sold.sum(), markets.served[:, :7].sum())


def test_unmet_demand_is_partly_served_from_neighbours():
    markets = _markets(regional_displacement_share=0.5)
    met, surrey = GEO.area_index("Metropolitan Police"), GEO.area_index("Surrey")
    demand = markets.demand[met, HEROIN_CRACK]
    # No supplier in the Met; a large surplus next door in Surrey.
    area = np.array([surrey])
    market = np.array([HEROIN_CRACK])
    amount = np.array([markets.demand[surrey, HEROIN_CRACK] + 10 * demand])
    clear_markets(markets, area, market, amount, 1.0)
    served_met = markets.served[met, HEROIN_CRACK]
    weight = markets.neighbours[met, surrey]
    assert 0 < served_met <= 0.5 * demand + 1e-6
    assert np.isclose(served_met, 0.5 * min(demand, weight * 10 * demand))


def test_prices_rise_when_supply_falls():
    markets = _markets()
    area = np.repeat(np.arange(GEO.n_areas), 1)
    market = np.full(GEO.n_areas, HEROIN_CRACK)
    full = markets.demand[:, HEROIN_CRACK] * 1.15
    clear_markets(markets, area, market, full, 1.0)
    assert np.allclose(markets.price_index[:, HEROIN_CRACK], 1.0)
    for _ in range(6):
        clear_markets(markets, area, market, full * 0.5, 1.0)
    assert np.all(markets.price_index[:, HEROIN_CRACK] > 1.2)
    markets.update_demand(np.ones((GEO.n_areas, 7)))
    assert np.all(markets.demand[:, HEROIN_CRACK] < markets.base_demand[:, HEROIN_CRACK])


def test_a_supplier_asked_for_more_than_its_surplus_sells_no_more_than_it_has():
    """One supplier with a small surplus and short neighbours all round: the neighbours together
    ask for more than it has (weights are normalised per buyer, not per supplier), so what they
    are served is scaled down to the surplus, and everything served was sold."""
    markets = _markets(regional_displacement_share=0.9)
    supplier = int(np.argmax(markets.neighbours.sum(axis=0)))  # the most-demanded neighbour
    assert 0.9 * markets.neighbours[:, supplier].sum() > 1  # the case the cap is for
    surplus = 5.0
    amount = np.array([markets.demand[supplier, HEROIN_CRACK] + surplus])
    sold = clear_markets(markets, np.array([supplier]), np.array([HEROIN_CRACK]), amount, 1.0)
    assert sold[0] <= amount[0] + 1e-9
    assert np.isclose(markets.served[:, HEROIN_CRACK].sum(), sold.sum())
    others = np.arange(GEO.n_areas) != supplier
    assert np.isclose(markets.served[others, HEROIN_CRACK].sum(), surplus)
