"""The draws written out in `recruitment` give numpy's values from the same stream."""

from __future__ import annotations

import numpy as np
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
