"""The adaptation kernels' helpers reproduce the numpy operations they replace, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from twin.adaptation_kernels import first_above


def test_first_above_is_argmax_of_the_comparison():
    cumulative = np.array([0.0, 0.2, 0.2, 0.7, 1.0])
    for draw in (-1.0, 0.0, 0.1, 0.2, 0.5, 0.99, 1.0, 2.0):
        assert first_above(cumulative, draw) == (cumulative > draw).argmax()


def test_link_clients_draws_for_several_lists_as_for_each_list_in_turn():
    """Lists linked in one call get the links, in the order, and leave the stream as, one call per
    list would (a list with no active enabler of its kind draws nothing)."""
    from twin.enablers import EnablerLinks, build_enablers, link_clients
    from twin.vocabulary import INSIDER, PROFESSIONAL, TECHNICAL

    enablers = build_enablers((30, 20, 10), np.random.default_rng(3), 1.5)
    enablers.active[::4] = False
    clients = (np.array([5, 9, 2]), np.array([], dtype=np.int64), np.array([7, 1, 1, 4]))
    kinds = (TECHNICAL, PROFESSIONAL, INSIDER)
    for seed in range(5):
        for inactive_kind in (None, INSIDER):
            active = enablers.active.copy()
            if inactive_kind is not None:
                enablers.active[enablers.kind == inactive_kind] = False
            one_by_one, rng = EnablerLinks(capacity=16), np.random.default_rng(seed)
            for kind, groups in zip(kinds, clients):
                link_clients(enablers, one_by_one, (groups,), (kind,), rng)
            expected_next = rng.random()
            together, rng = EnablerLinks(capacity=16), np.random.default_rng(seed)
            link_clients(enablers, together, clients, kinds, rng)
            assert np.array_equal(together.enabler, one_by_one.enabler)
            assert np.array_equal(together.ocg, one_by_one.ocg)
            assert rng.random() == expected_next
            enablers.active[:] = active


def test_groups_move_after_operations_at_their_areas_chances():
    """`plan_displacement`: an investigated group moves when its first uniform is below
    `relocation_prob` x its area's scale (`geography.relocation_weights`); counted by area over
    many groups, movers match the chances within 4 standard errors."""
    from twin.adaptation_kernels import plan_displacement
    from twin.geography import load_geography
    from twin.vocabulary import MONEY_LAUNDERING

    geo = load_geography()
    relocation, scale = geo.relocation_weights(geo.population)
    rng = np.random.default_rng(4)
    n = 200_000
    area = rng.integers(0, geo.n_areas, n)
    hit = np.arange(n)
    uniforms = rng.random((n, 5))
    markets = np.zeros((n, MONEY_LAUNDERING + 1), dtype=bool)
    markets[:, 0] = True
    zeros = np.zeros((geo.n_areas, MONEY_LAUNDERING))
    movers, _, _ = plan_displacement(hit, uniforms, area, markets, relocation, scale, zeros + 1.0,
                                     np.ones(MONEY_LAUNDERING), zeros, 0.2, 0.0, 0.1)
    counts = np.bincount(area[movers], minlength=geo.n_areas)
    groups = np.bincount(area, minlength=geo.n_areas)
    p = 0.2 * scale
    assert np.all(np.abs(counts - groups * p) < 4 * np.sqrt(groups * p * (1 - p)) + 1e-9)
    assert np.corrcoef(counts / groups, scale)[0, 1] > 0.9  # areas with populous neighbours lose more


def test_insulation_is_kept_through_the_guard_then_decays_as_often_monthly_as_weekly():
    """A group on guard after an operation keeps its insulation for `insulation_guard_months` from
    the start of the step in which the operation ended, then decays at the monthly rate, whatever the
    step: over three months the factors multiply to a month's kept share to the power of the months
    after the guard. Monthly with a month's guard the factors are exactly 1 and the step's share (the
    rule before the guard was a parameter)."""
    from twin.adaptation_kernels import insulation_kept
    from twin.ocgs import NEVER

    kept_month = 0.97
    for months_per_step, steps in ((1.0, 3), (12 / 52, 13)):
        kept_step = kept_month ** months_per_step
        for guard in (0.0, 0.5, 1.0, 1.5, 3.0):
            product = 1.0
            for since in range(steps):
                product *= insulation_kept(since, months_per_step, guard, kept_step)
            assert product == pytest.approx(kept_month ** (3 - guard), rel=1e-12), (months_per_step, guard)
        assert insulation_kept(0 - NEVER, months_per_step, 1.0, kept_step) == kept_step
    assert [insulation_kept(since, 1.0, 1.0, 0.99) for since in range(3)] == [1.0, 0.99, 0.99]


@pytest.mark.parametrize("step_length,n_steps", [("month", 3), ("week", 12)])
def test_a_run_decays_insulation_but_through_each_groups_guard(step_length, n_steps):
    """With learning switched off, every starting group's insulation after a short run is its first
    value times the kept shares of the steps since its last operation ended (`insulation_kept`, the
    guard the parameter sets): no operation lasts under three months, so none ends twice."""
    from twin.adaptation_kernels import insulation_kept
    from twin.model import TwinModel
    from twin.parameters import Parameters, per_step_probability

    params = Parameters({"insulation_learning_step": 0.0, "insulation_guard_months": 0.75,
                         "insulation_decay_per_month": 0.05}, where="test")
    model = TwinModel(params=params, seed=4, n_steps=n_steps, step_length=step_length)
    n = model.ocgs.n
    first = model.ocgs.insulation[:n].copy()
    model.run()
    dt = model.months_per_step
    calm_keep = 1.0 - per_step_probability(0.05, dt)
    last = model.ocgs.investigated_step[:n]
    assert (last >= 0).sum() > 50  # operations ended during the run
    expected = first.copy()
    for step in range(n_steps):
        expected *= [insulation_kept(step - s, dt, 0.75, calm_keep) if s <= step else calm_keep for s in last]
    np.testing.assert_allclose(model.ocgs.insulation[:n], expected, rtol=1e-12)


def test_a_group_pivots_into_product_markets_it_is_not_in_and_into_drugs_only_if_it_sells_drugs():
    """ODD 3.3 (pivots): each product market a group is not in weighs its appeal, those it is in
    nothing; a group selling no drug does not pivot into drugs (economic and exploitation groups keep
    their character, holding the economic share near its target). The weights' sum is returned."""
    from twin.adaptation_kernels import pivot_weights
    from twin.vocabulary import COCAINE, FRAUD, HEROIN_CRACK, MODERN_SLAVERY

    appeal = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.25])  # the seven product markets
    markets = np.zeros((2, 8), dtype=np.bool_)
    markets[0, FRAUD] = True  # group 0: fraud only
    markets[1, [COCAINE, MODERN_SLAVERY]] = True  # group 1: sells a drug
    weights = np.empty(7)
    total = pivot_weights(appeal, markets, 0, weights)
    assert list(weights) == [0.0, 0.0, 0.0, 2.0, 1.0, 0.5, 0.25] and total == pytest.approx(3.75, rel=1e-15)
    total = pivot_weights(appeal, markets, 1, weights)
    assert list(weights) == [5.0, 0.0, 3.0, 0.0, 1.0, 0.5, 0.25] and total == pytest.approx(9.75, rel=1e-15)
    assert weights[HEROIN_CRACK] == appeal[HEROIN_CRACK]  # one drug is enough to pivot into the other


def test_expected_entrants_are_rate_times_vacancy_times_relative_population_times_the_entry_multiplier():
    """ODD 3.3 (entry): expected new groups a step in an area's product market = entry rate x the
    market's vacancy x the area's population over the mean area's x the entry multiplier (Hold lowers
    it) x months per step, for each of the seven product markets."""
    from twin.adaptation_kernels import entry_means

    vacancy = np.array([[0.5, 0.0, 1.0, 0.2, 0.1, 0.3, 0.4, 0.9], [1.0, 0.25, 0.0, 0.6, 0.7, 0.8, 0.05, 0.9]])
    population, multiplier = np.array([3e6, 1e6]), np.array([1.0, 0.4])
    means = entry_means(vacancy, population, multiplier, 0.3, 0.25)
    expected = 0.3 * vacancy[:, :7] * (population / 2e6)[:, None] * multiplier[:, None] * 0.25
    assert means.shape == (2, 7) and np.allclose(means, expected, rtol=1e-12, atol=0)


def test_entrants_lay_out_their_members_with_the_exploited_share_of_their_market():
    """ODD 3.3 (entry): a new group's first member leads; each other member is core with
    `core_member_share`, exploited with (1 - core share) x the exploited share of the group's market
    (`exploited_member_share_drugs` for a drug market, `_other` otherwise), else a worker. Counted
    over the entrants of a few steps into markets left vacant (shares within 4 standard errors)."""
    from twin import adaptation
    from twin.model import TwinModel
    from twin.parameters import Parameters
    from twin.vocabulary import CORE, COCAINE, EXPLOITED, HEROIN_CRACK, LEADER, MONEY_LAUNDERING

    params = Parameters({"entry_rate_per_month": 1.0, "exploited_member_share_drugs": 0.45,
                         "exploited_member_share_other": 0.1, "core_member_share": 0.25})
    model = TwinModel(params, seed=13, n_steps=6)
    model.step()
    counts = {True: np.zeros(4), False: np.zeros(4)}
    for _ in range(4):
        ocgs, members = model.ocgs, model.members
        n_groups, n_members = ocgs.n, members.n
        model.markets.served[:] = 0.0  # every market vacant
        model.markets._vacancy = None
        adaptation.entry(model)
        new_rows = np.arange(n_members, members.n)
        group = members.ocg[new_rows]
        assert np.array_equal(np.unique(group), np.arange(n_groups, ocgs.n))  # only the entrants' members
        drugs = ocgs.markets[group][:, [HEROIN_CRACK, COCAINE]].any(axis=1)
        assert (ocgs.markets[n_groups:ocgs.n, :MONEY_LAUNDERING].sum(axis=1) == 1).all()  # one product market each
        assert (members.role[ocgs.leader[n_groups:ocgs.n]] == LEADER).all()
        assert (members.role[new_rows] == LEADER).sum() == ocgs.n - n_groups
        for is_drug in (True, False):
            counts[is_drug] += np.bincount(members.role[new_rows[drugs == is_drug]], minlength=4)
    for is_drug, share in ((True, 0.45), (False, 0.1)):
        others = counts[is_drug].sum() - counts[is_drug][LEADER]
        assert others > 2000, (is_drug, others)
        for role, p in ((CORE, 0.25), (EXPLOITED, 0.75 * share)):
            observed = counts[is_drug][role] / others
            assert abs(observed - p) < 4 * np.sqrt(p * (1 - p) / others), (is_drug, role, observed, p)


def test_investigated_groups_pivot_encrypt_and_buy_enablers_at_their_chances(monkeypatch):
    """ODD 3.3 (adaptation): after an operation a group pivots into another market with
    `pivot_prob_after_operation` (where it has one to add), adopts encryption with
    `encryption_adoption_after_operation` (if not encrypted), and buys an enabler's services with
    `enabler_acquisition_after_operation`, a professional with `acquired_enabler_professional_share`,
    else an insider. Every active group of the register investigated at once (the links the step
    asks for are read as `link_clients` is given them); counts within 4 standard errors."""
    import twin.adaptation as adaptation
    from twin.model import TwinModel
    from twin.parameters import Parameters
    from twin.vocabulary import COCAINE, HEROIN_CRACK, MONEY_LAUNDERING

    model = TwinModel(Parameters({"pivot_prob_after_operation": 0.3, "encryption_adoption_after_operation": 0.35,
                                  "enabler_acquisition_after_operation": 0.25,
                                  "acquired_enabler_professional_share": 0.6}), seed=2, n_steps=1)
    ocgs, p = model.ocgs, model.params
    model.investigated = ocgs.active.copy()
    model.disrupted = np.zeros(ocgs.n, dtype=bool)
    hit, unencrypted = model.investigated.copy(), model.investigated & ~ocgs.encrypted
    # a market to add: a product market it is not in, a drug market only for a group selling drugs
    held = ocgs.markets[:, :MONEY_LAUNDERING]
    open_to = np.ones_like(held)
    open_to[:, [HEROIN_CRACK, COCAINE]] = (held[:, HEROIN_CRACK] | held[:, COCAINE])[:, None]
    can_add = (open_to & ~held).any(axis=1)
    asked = []
    monkeypatch.setattr(adaptation, "link_clients", lambda enablers, links, clients, kinds, rng: asked.append(clients))
    model.tally.reset()
    adaptation.displacement_and_learning(model)
    (encrypt, professional, insider), = asked
    pivots = model.tally.national["pivots"]

    def within(count, n, q):
        assert abs(count - n * q) <= 4 * np.sqrt(n * q * (1 - q)), (count, n * q)

    assert hit.sum() > 4000 and unencrypted.sum() > 1000 and (hit & can_add).sum() > 4000
    assert unencrypted[encrypt].all() and hit[professional].all() and hit[insider].all()
    within(encrypt.size, unencrypted.sum(), p.encryption_adoption_after_operation)
    within(professional.size + insider.size, hit.sum(), p.enabler_acquisition_after_operation)
    within(professional.size, professional.size + insider.size, p.acquired_enabler_professional_share)
    within(pivots, (hit & can_add).sum(), p.pivot_prob_after_operation)
