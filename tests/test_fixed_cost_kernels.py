"""The compiled harm accounts, role layout, enabler choice and padding equal their numpy versions."""

import numpy as np

from twin.enablers import Enablers, EnablerLinks, link_clients
from twin.harm import MARKET_CATEGORY, SLAVERY, VIOLENCE_HARM, HarmAccounts
from twin.members import role_layout
from twin.ocgs import OCGs
from twin.parameters import Parameters
from twin.streams import choice
from twin.vocabulary import CORE, EXPLOITED, HARM_CATEGORIES, LEADER, MARKETS, WORKER


def test_harm_by_category_and_cost_type_as_numpy():
    accounts = HarmAccounts(Parameters())
    rng = np.random.default_rng(4)
    served = rng.random((45, len(MARKETS))) * 10.0 ** rng.integers(0, 6, (45, len(MARKETS)))
    served[3] = 0.0
    exploited, homicides, serious, fatal = rng.integers(0, 20, (4, 45)).astype(float)
    dt = 0.25
    one_hot = np.zeros((len(MARKETS), len(HARM_CATEGORIES)))
    for market, category in MARKET_CATEGORY.items():
        one_hot[market, category] = 1.0
    expected = (served * accounts.unit_per_month[None, :]) @ one_hot * dt
    expected[:, SLAVERY] += exploited * accounts.exploited_harm_per_month * dt
    expected[:, VIOLENCE_HARM] += homicides * accounts.homicide_gbp + (serious - fatal) * accounts.serious_violence_gbp
    harm = accounts.by_category(served, exploited, homicides, serious, fatal, dt)
    np.testing.assert_array_equal(harm, expected)
    anticipation, response = expected @ accounts.anticipation_share, expected @ accounts.response_share
    np.testing.assert_array_equal(accounts.by_cost_type(harm), np.stack(
        [anticipation, expected.sum(axis=1) - anticipation - response, response], axis=1))


def test_role_layout_as_numpy():
    size = np.array([3, 0, 1, 7, 2], dtype=np.int64)
    share = np.array([0.1, 0.5, 0.3, 0.6, 0.2])
    for leaders in (True, False):
        owner, role = role_layout(size, 0.3, share, np.random.default_rng(9), leaders=leaders)
        u = np.random.default_rng(9).random(size.sum())
        expected_owner = np.repeat(np.arange(size.size), size)
        threshold = 0.3 + (1 - 0.3) * share[expected_owner]
        expected = np.where(u < 0.3, CORE, np.where(u < threshold, EXPLOITED, WORKER))
        if leaders:
            expected[np.concatenate(([0], np.cumsum(size)[:-1]))[size > 0]] = LEADER
        np.testing.assert_array_equal(owner, expected_owner)
        np.testing.assert_array_equal(role, expected.astype(np.int8))


def test_link_clients_draws_as_streams_choice():
    enablers = Enablers()
    rng = np.random.default_rng(2)
    enablers.append(300, kind=rng.integers(0, 3, 300), reach_weight=rng.pareto(1.5, 300) + 1.0,
                    active=rng.random(300) < 0.8)
    links = EnablerLinks()
    clients = np.arange(40, dtype=np.int64)
    link_clients(enablers, links, (clients,), (1,), np.random.default_rng(5))
    pool = ((enablers.kind == 1) & enablers.active).nonzero()[0]
    weights = enablers.reach_weight[pool]
    expected = pool[choice(np.random.default_rng(5), weights / weights.sum(), clients.size)]
    np.testing.assert_array_equal(links.enabler, expected)
    np.testing.assert_array_equal(links.ocg, clients)


def test_append_skips_scalars_equal_to_default_only():
    ocgs = OCGs()
    ocgs.append(3, area=np.array([1, 2, 3]), known=False, leader=-1, cohesion=0.7, founded_step=4, intel=0)
    assert ocgs.known.tolist() == [False] * 3 and ocgs.founded_step.tolist() == [4] * 3
    assert ocgs.leader.tolist() == [-1] * 3 and ocgs.intel.tolist() == [0.0] * 3


def test_drug_deaths_draw_as_numpy_poisson():
    from twin.metrics import _drug_deaths

    for seed in range(50):
        source = np.random.default_rng(seed)
        expected = source.random(45) * 10.0 ** source.integers(-4, 4, 45)
        expected[::7] = 0.0
        numpy_rng, kernel_rng = np.random.default_rng(seed + 100), np.random.default_rng(seed + 100)
        out = np.zeros((45, 3))
        _drug_deaths(out, 1, kernel_rng, expected)
        np.testing.assert_array_equal(out[:, 1], numpy_rng.poisson(expected))
        assert numpy_rng.random() == kernel_rng.random()


def test_active_shares_counts():
    from twin.metrics import SHARE_NAMES, _active_shares

    rng = np.random.default_rng(3)
    bits = rng.integers(0, 1 << len(SHARE_NAMES), 500).astype(np.uint16)
    active = rng.random(500) < 0.7
    profile = (bits[:, None] >> np.arange(len(SHARE_NAMES))) & 1
    np.testing.assert_array_equal(_active_shares(active, bits, len(SHARE_NAMES)),
                                  profile[active].sum(axis=0) / active.sum())
