"""Market exit: groups leave glutted markets (`adaptation.market_exit`, `adaptation_kernels.market_exit_step`)."""

from __future__ import annotations

import numpy as np

from twin.adaptation_kernels import market_exit_step
from twin.compiled import generator_argument
from twin.model import TwinModel
from twin.scenario import SPIN_UP_YEARS
from twin.vocabulary import COCAINE, FRAUD, HEROIN_CRACK, IMMIGRATION, MODERN_SLAVERY, MONEY_LAUNDERING

N_AREAS = 3


def _groups(n: int, *markets: int) -> np.ndarray:
    portfolio = np.zeros((n, MONEY_LAUNDERING + 1), dtype=np.bool_)
    portfolio[:, list(markets)] = True
    return portfolio


def _exit(markets, glut, rate=0.2, months_per_step=1.0, active=None, lines=None, seed=1, core=None):
    """Run the kernel on `markets` (changed in place), founded with the markets `core` (none when None:
    every market taken up later); lines are (owner, destination) pairs.
    Returns (groups that left a market, markets left, lines still active, tally row)."""
    n = markets.shape[0]
    line_ocg, line_dest = (np.array(side, dtype=np.int64) for side in zip(*(lines or [(0, 0)])))
    line_active = np.full(line_ocg.size, lines is not None)
    tally = np.zeros((1, N_AREAS))
    glut_by_market = np.zeros(MONEY_LAUNDERING)
    for market, value in glut.items():
        glut_by_market[market] = value
    left, n_exits = market_exit_step(
        generator_argument(np.random.default_rng(seed)), np.ones(n, dtype=np.bool_) if active is None else active,
        markets, np.zeros_like(markets) if core is None else core, glut_by_market, line_ocg, line_dest, line_active,
        rate, months_per_step, tally, 0)
    return left, n_exits, line_active, tally[0]


def test_no_glut_no_exit_and_no_draw():
    markets = _groups(500, HEROIN_CRACK, COCAINE, FRAUD, MONEY_LAUNDERING)
    rng = np.random.default_rng(4)
    expected_next = np.random.default_rng(4).random()
    left, n_exits = market_exit_step(generator_argument(rng), np.ones(500, dtype=np.bool_), markets,
                                     np.zeros_like(markets), np.zeros(MONEY_LAUNDERING), np.zeros(0, np.int64),
                                     np.zeros(0, np.int64), np.zeros(0, np.bool_), 1.0, 1.0,
                                     np.zeros((1, N_AREAS)), 0)
    assert left.size == 0 and n_exits == 0
    assert markets[:, [HEROIN_CRACK, COCAINE, FRAUD, MONEY_LAUNDERING]].all()
    assert rng.random() == expected_next, "a market without a glut drew from the stream"


def test_exit_probability_is_the_rate_times_the_glut_per_step():
    """The share of groups leaving a glutted market is 1 - (1 - rate x glut) ** months_per_step,
    within 3 standard errors, monthly and weekly; the market without a glut is never left."""
    n = 40_000
    for rate, glut, months_per_step in ((0.2, 0.25, 1.0), (0.5, 0.6, 1.0), (0.5, 0.6, 12 / 52)):
        markets = _groups(n, COCAINE, IMMIGRATION, MONEY_LAUNDERING)
        left, n_exits, _, _ = _exit(markets, {IMMIGRATION: glut}, rate, months_per_step)
        p = 1 - (1 - rate * glut) ** months_per_step
        share = (~markets[:, IMMIGRATION]).mean()
        assert abs(share - p) < 3 * np.sqrt(p * (1 - p) / n), (rate, glut, months_per_step, share, p)
        assert n_exits == left.size == (~markets[:, IMMIGRATION]).sum()
        assert np.array_equal(left, np.flatnonzero(~markets[:, IMMIGRATION]))
        assert markets[:, COCAINE].all() and markets[:, MONEY_LAUNDERING].all()


def test_a_group_keeps_its_last_product_market():
    """Every market glutted and certain to be left: a group keeps one product market (and laundering);
    groups in one product market, and inactive groups, leave none."""
    many = _groups(200, HEROIN_CRACK, FRAUD, MODERN_SLAVERY, IMMIGRATION, MONEY_LAUNDERING)
    single = _groups(100, FRAUD, MONEY_LAUNDERING)
    markets = np.concatenate([many, single])
    active = np.ones(300, dtype=np.bool_)
    active[:50] = False
    glut = {HEROIN_CRACK: 1.0, FRAUD: 1.0, MODERN_SLAVERY: 1.0, IMMIGRATION: 1.0}
    _, n_exits, _, _ = _exit(markets, glut, rate=1.0, active=active)
    products = markets[:, :MONEY_LAUNDERING].sum(axis=1)
    assert np.all(products[:50] == 4), "an inactive group left a market"
    assert np.all(products[50:] == 1)
    assert markets[:, MONEY_LAUNDERING].all()
    assert n_exits == 150 * 3


def test_a_group_never_leaves_its_core_business():
    """Markets a group was founded with are kept, however glutted; those it took up later are left
    (certain here), whatever their order."""
    markets = _groups(300, HEROIN_CRACK, FRAUD, MODERN_SLAVERY, MONEY_LAUNDERING)
    core = np.zeros_like(markets)
    core[:100, FRAUD] = True  # founded in fraud, took up the others later
    core[100:200, [HEROIN_CRACK, MODERN_SLAVERY]] = True
    glut = {HEROIN_CRACK: 1.0, FRAUD: 1.0, MODERN_SLAVERY: 1.0}
    _, n_exits, _, _ = _exit(markets, glut, rate=1.0, core=core)
    assert np.array_equal(markets[:200, :MONEY_LAUNDERING], core[:200, :MONEY_LAUNDERING])
    assert np.all(markets[200:, :MONEY_LAUNDERING].sum(axis=1) == 1)  # no core: all but the last left
    assert n_exits == 100 * 2 + 100 * 1 + 100 * 2


def test_founding_portfolios_are_the_core_business():
    model = TwinModel(seed=2, n_steps=24)
    assert np.array_equal(model.ocgs.core_markets, model.ocgs.markets)
    n_start = model.ocgs.n
    model.run()
    ocgs = model.ocgs
    assert ocgs.n > n_start  # groups entered or split off: their portfolios at founding are their core
    assert not (ocgs.core_markets & ~ocgs.markets).any(), "a group left its core business"
    assert (ocgs.markets & ~ocgs.core_markets).any(), "no group took up a market after its founding"


def test_a_group_leaving_heroin_crack_closes_its_county_lines():
    markets = _groups(3, HEROIN_CRACK, FRAUD)
    markets[2, HEROIN_CRACK] = False
    markets[2, COCAINE] = True
    lines = [(0, 1), (0, 2), (1, 2), (2, 1)]
    # Group 0 leaves heroin/crack for sure; group 1 holds no glutted market; group 2 is not in heroin/crack.
    _, _, active, closed = _exit(markets, {HEROIN_CRACK: 1.0}, rate=1.0, lines=lines,
                                 active=np.array([True, False, True]))
    assert not markets[0, HEROIN_CRACK] and markets[1, HEROIN_CRACK]
    assert active.tolist() == [False, False, True, True]
    assert closed.tolist() == [0, 1, 1]


def test_glut_is_zero_at_the_start_and_grows_with_national_oversupply():
    model = TwinModel(seed=3, n_steps=1)
    markets = model.markets
    np.testing.assert_array_equal(markets.glut(), 0.0)
    markets.supply[:, IMMIGRATION] *= 2.0
    glut = markets.glut()
    assert abs(glut[IMMIGRATION] - 0.5) < 1e-12
    assert np.all(np.delete(glut, IMMIGRATION) == 0.0)


def test_immigration_supply_no_longer_ratchets():
    """National immigration supply over demand rises by less than 5% of its level from reported
    years 5-8 to years 15-20, at three standard errors of the seeds' differences (six seeds, after
    the spin-up as users run the model): supply levels off (it doubled over 20 years before groups
    could leave glutted markets). It still creeps, about 1% of its level over that decade with the
    current defaults (-0.5% to +2.8% in the six seeds; with four, one seed's -3% left the bound
    within a few tenths of failing), as the baseline's other stocks drift a few per cent
    (docs/ODD.md, section 4). Measured from the register's start instead, years 5-8 are still in
    the transient the spin-up runs."""
    differences, levels = [], []
    for seed in range(1, 7):
        model = TwinModel(seed=seed, n_steps=240, spin_up_years=SPIN_UP_YEARS)
        model.spin_up()
        ratio = []
        for _ in range(240):
            model.step()
            ratio.append(model.markets.supply[:, IMMIGRATION].sum() / model.markets.demand[:, IMMIGRATION].sum())
        years = np.array(ratio).reshape(20, 12).mean(axis=1)
        differences.append(years[14:].mean() - years[4:8].mean())
        levels.append(years[4:8].mean())
        assert model.results.series("market_exits").sum() > 0
    se = np.std(differences, ddof=1) / np.sqrt(len(differences))
    assert abs(np.mean(differences)) + 3 * se < 0.05 * np.mean(levels), (differences, levels)
