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


def test_sorted_unique_as_numpy():
    from twin.shared_kernels import sorted_unique

    rng = np.random.default_rng(8)
    for size in (0, 1, 5, 40, 3000):
        values = rng.integers(0, max(size // 2, 1), size).astype(np.int64)
        np.testing.assert_array_equal(sorted_unique(values), np.unique(values))


def test_relink_draws_as_lost_service_then_link_clients():
    """`renew`'s one kernel gives the links, draws and services of the separate steps it replaced:
    the lost groups per kind, a uniform per group (`rng.random(n) < relink`), `link_clients`,
    then `refresh_services`; and the count of active links to removed enablers."""
    from twin.compiled import generator_argument
    from twin.enablers import KINDS, _relink, lost_service, refresh_services

    class _Groups:
        def __init__(self, active):
            self.n, self.active = active.size, active
            self.has_professional, self.has_insider, self.encrypted = (np.zeros(active.size, dtype=bool)
                                                                       for _ in KINDS)

    for seed in range(4):
        rng = np.random.default_rng(seed)
        enablers = Enablers()
        enablers.append(200, kind=rng.integers(0, 3, 200), reach_weight=rng.pareto(1.5, 200) + 1.0,
                        active=rng.random(200) < 0.6)
        links = EnablerLinks()
        links.append(900, enabler=rng.integers(0, 200, 900), ocg=rng.integers(0, 400, 900),
                     active=rng.random(900) < 0.9)
        groups = _Groups(rng.random(400) < 0.8)
        stream = np.random.default_rng(100 + seed)
        enabler, client, flags, n_seeking, dead = _relink(
            generator_argument(stream), 0.4, links.enabler, links.ocg, links.active, enablers.kind, enablers.active,
            enablers.reach_weight, groups.active)
        reference = np.random.default_rng(100 + seed)
        seeking = tuple(lost[reference.random(lost.size) < 0.4] for lost in lost_service(groups.active, enablers, links))
        expected_links = EnablerLinks()
        link_clients(enablers, expected_links, seeking, KINDS, reference)
        np.testing.assert_array_equal(enabler, expected_links.enabler)
        np.testing.assert_array_equal(client, expected_links.ocg)
        assert n_seeking == sum(lost.size for lost in seeking) > 0 and stream.random() == reference.random()
        assert dead == int((links.active & ~enablers.active[links.enabler]).sum())
        links.append(client.size, enabler=enabler, ocg=client)
        refresh_services(groups, enablers, links)
        for kind, services in zip(KINDS, (groups.has_professional, groups.has_insider, groups.encrypted)):
            np.testing.assert_array_equal(flags & (1 << kind) != 0, services)
