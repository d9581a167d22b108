"""Succession: who is promoted, and what it costs the group that goes through it."""

from types import SimpleNamespace

import numpy as np
import pytest

from twin import succession
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.vocabulary import ACTIVE, CHARGED, CORE, EXITED, EXPLOITED, LEADER, PRISON, WORKER


def _succeed(violent_prob: float, loss: float = 0.3, dispute_loss: float = 0.2):
    """Remove the leaders of 200 large active groups of a fresh UK model and run the transition
    phase with no splits or absorptions; returns the groups, their cohesion before and after,
    and whether each is still active with a new leader."""
    params = Parameters({"succession_split_prob": 0.0, "succession_absorb_prob": 0.0,
                         "succession_violent_prob": violent_prob, "succession_cohesion_loss": loss,
                         "succession_dispute_cohesion_loss": dispute_loss}, where="test")
    model = TwinModel(params=params, seed=5, n_steps=12)
    ocgs, members = model.ocgs, model.members
    large = np.flatnonzero(ocgs.active & (model.active_members >= 6) & ~ocgs.leader_directing)[:200]
    members.status[ocgs.leader[large]] = EXITED
    before = ocgs.cohesion[large].copy()
    succession.groups_in_transition(model)
    led = ocgs.active[large] & (ocgs.leader[large] >= 0)
    return large, before, ocgs.cohesion[large].copy(), led


def _leaders_removed(params: Parameters, seed: int, groups: int, names: tuple[str, ...]):
    """Remove the leaders of up to `groups` large active groups of a fresh UK model, run the
    transition phase, and return how many lost their leader and what it added to the tallies `names`."""
    model = TwinModel(params=params, seed=seed, n_steps=12)
    ocgs, members, tally = model.ocgs, model.members, model.tally
    large = np.flatnonzero(ocgs.active & (model.active_members >= 6) & ~ocgs.leader_directing)[:groups]
    members.status[ocgs.leader[large]] = EXITED
    before = tally.stack(names).sum(axis=0)
    succession.groups_in_transition(model)
    return large.size, tally.stack(names).sum(axis=0) - before


def test_every_succession_costs_the_group_cohesion():
    groups, before, after, led = _succeed(violent_prob=0.0)
    assert groups.size == 200 and led.all()
    assert np.allclose(after, np.maximum(before - 0.3, 0.0), rtol=0, atol=1e-15)


def test_a_disputed_succession_costs_more():
    groups, before, after, led = _succeed(violent_prob=1.0)
    assert led.all()
    assert np.allclose(after, np.maximum(np.maximum(before - 0.3, 0.0) - 0.2, 0.0), rtol=0, atol=1e-15)


@pytest.mark.parametrize("loss", [0.0, 0.5])
def test_the_cost_is_the_parameter(loss):
    _, before, after, _ = _succeed(violent_prob=0.0, loss=loss)
    assert np.allclose(after, np.maximum(before - loss, 0.0), rtol=0, atol=1e-15)


@pytest.mark.parametrize("violent_prob", [0.0, 1.0])
def test_succession_violence_counts_the_disputes_incidents_within_serious_violence(violent_prob):
    """The incidents of succession disputes go to `succession_violence` and to `serious_violence`
    alike; with every one of 200 successions disputed their number is Poisson with mean 200 x
    `succession_violence_incidents` (within 3 standard errors), with none disputed it is 0."""
    params = Parameters({"succession_split_prob": 0.0, "succession_absorb_prob": 0.0,
                         "succession_violent_prob": violent_prob}, where="test")
    _, (disputes, serious) = _leaders_removed(params, 6, 200, ("succession_violence", "serious_violence"))
    assert disputes == serious
    mean = 200 * violent_prob * params.succession_violence_incidents
    assert abs(disputes - mean) <= 3 * np.sqrt(mean) if mean else disputes == 0
    if mean:
        assert disputes > 0


def test_expected_homicides_take_the_direct_share_of_disputes_and_add_indirect_ones_elsewhere():
    from twin.validation import expected_homicides

    params = Parameters({"homicide_per_serious_violence": 0.1, "indirect_homicide_share": 0.24}, where="test")
    assert expected_homicides(params, 10.0, 76.0) == pytest.approx(1.0 + 10.0)
    assert expected_homicides(params, -20.0, 0.0) == pytest.approx(-2.0)  # fewer incidents, fewer homicides


def test_leaderless_groups_split_and_are_absorbed_at_their_chances():
    """Of the leaderless groups, a share `succession_split_prob` splits and `succession_absorb_prob`
    is absorbed by a rival (every area holds other active groups), each within 4 binomial standard
    errors; every other direct test sets both to 0, so nothing pinned them."""
    split, absorb = 0.2, 0.3
    params = Parameters({"succession_split_prob": split, "succession_absorb_prob": absorb}, where="test")
    n, (splits, absorptions) = _leaders_removed(params, 7, 2000, ("splits", "absorptions"))
    assert n == 2000
    for count, p in ((splits, split), (absorptions, absorb)):
        assert abs(count - n * p) < 4 * np.sqrt(n * p * (1 - p)), (count, n * p)


def _promote(layouts, seed: int = 1):
    """Run the succession kernel (`succession._promote_and_dispute`, no dispute) on hand-made
    leaderless groups, one per layout: a layout is the group's members as (role, status) pairs.
    The groups' member rows are interleaved in a random order (as rows of a real table are), so
    that a row's group, not its place, must decide. Returns the member rows of each layout (in row
    order, `rows_of`), the roles before the succession (`before`) and after (`role`), the members'
    status after, the groups' leaders, whether each group is still active, and the tally rows
    (`succession.TALLIED`)."""
    order = np.random.default_rng(seed + 1000).permutation(sum(len(layout) for layout in layouts))
    member_ocg = np.empty(order.size, dtype=np.int32)
    role = np.empty(order.size, dtype=np.int8)
    status = np.empty(order.size, dtype=np.int8)
    rows_of, start = [], 0
    for g, layout in enumerate(layouts):
        rows = np.sort(order[start:start + len(layout)])
        start += len(layout)
        rows_of.append(rows)
        member_ocg[rows] = g
        role[rows], status[rows] = np.array(layout, dtype=np.int8).reshape(-1, 2).T
    n = len(layouts)
    before = role.copy()
    leader, active = np.full(n, -1, dtype=np.int64), np.ones(n, dtype=np.bool_)
    no_lines = np.zeros(0, dtype=np.int64)
    tally = np.zeros((len(succession.TALLIED), 1))
    succession._promote_and_dispute(
        np.random.default_rng(seed), np.arange(n, dtype=np.int64), np.zeros(0, dtype=np.int64),
        np.arange(order.size, dtype=np.int64), active, np.zeros(n, dtype=np.bool_), leader, np.zeros(n, dtype=np.int64),
        np.ones(n), np.zeros(0, dtype=np.bool_), no_lines, no_lines.copy(), member_ocg, status, role, 0.0, 3.0, 0.1,
        0.3, 0.2, 0.0, tally, np.arange(len(succession.TALLIED), dtype=np.int64))
    return SimpleNamespace(rows_of=rows_of, before=before, role=role, status=status, leader=leader, active=active,
                           tally=tally[:, 0])


def test_a_core_member_is_promoted_before_any_worker():
    """A leaderless group with an active core member promotes one of its active core members,
    never a worker, however many workers it has and wherever they stand in the table (docs/ODD.md,
    Adaptation: "a core member (or a worker) is promoted"): with workers promoted first every test
    passed. The new leader is the group's, takes the leader's role, and the group stays active."""
    rng = np.random.default_rng(3)
    layouts = []
    for _ in range(500):
        n_core, n_workers = rng.integers(1, 4), rng.integers(1, 8)
        layout = [(CORE, ACTIVE)] * n_core + [(WORKER, ACTIVE)] * n_workers + [(EXPLOITED, ACTIVE), (CORE, PRISON)]
        layouts.append([layout[k] for k in rng.permutation(len(layout))])
    out = _promote(layouts)
    assert out.active.all()
    for g, rows in enumerate(out.rows_of):
        assert out.leader[g] in rows, g
        assert out.before[out.leader[g]] == CORE, (g, out.before[out.leader[g]])
    assert (out.status[out.leader] == ACTIVE).all()
    assert (out.role[out.leader] == LEADER).all() and (out.role == LEADER).sum() == len(layouts)


def test_a_worker_is_promoted_when_no_core_member_is_active():
    """With no active core member (in prison, charged or gone) an active worker is promoted;
    exploited members never lead, nor do members who are not active; a group with no active core
    member or worker has no one to promote and dissolves, counted in `ocgs_dissolved`."""
    with_workers = [[(CORE, PRISON), (EXPLOITED, ACTIVE), (WORKER, ACTIVE), (CORE, CHARGED), (WORKER, PRISON),
                     (WORKER, ACTIVE), (CORE, EXITED)]] * 300
    without = [[(EXPLOITED, ACTIVE), (CORE, PRISON), (WORKER, EXITED), (EXPLOITED, ACTIVE)]] * 100
    out = _promote(with_workers + without)
    promoted = out.leader[:300]
    assert out.active[:300].all() and all(out.leader[g] in out.rows_of[g] for g in range(300))
    assert (out.before[promoted] == WORKER).all() and (out.status[promoted] == ACTIVE).all()
    assert (out.role[promoted] == LEADER).all()
    assert not out.active[300:].any() and (out.leader[300:] == -1).all()
    assert not (out.role == LEADER)[np.concatenate(out.rows_of[300:])].any()
    assert out.tally[succession.DISSOLVED] == 100 and out.tally[succession.SUCCESSIONS] == 300


@pytest.mark.parametrize("candidate", [CORE, WORKER], ids=["core", "workers"])
def test_the_successor_is_drawn_evenly_among_the_candidates(candidate):
    """"The best" candidate (`_promote_and_dispute`) is the one drawing the lowest uniform: any of
    the group's active core members (or, with none, active workers) alike, whatever its place in
    the table; docs/ODD.md names no other merit (seniority, role in the business). Over 6,000
    groups of 3 candidates each position in row order leads a third of them, within 4 binomial
    standard errors: taking the first candidate in the table, or the last, fails."""
    n, others = 6000, [(WORKER, ACTIVE)] * 2 if candidate == CORE else [(CORE, PRISON)] * 2
    layout = [(candidate, ACTIVE)] * 3 + others + [(EXPLOITED, ACTIVE)]
    out = _promote([layout] * n, seed=8)
    assert out.active.all()
    position = []  # the leader's place among its group's candidates, in row order
    for g, rows in enumerate(out.rows_of):
        place = np.flatnonzero(rows[out.before[rows] == candidate] == out.leader[g])
        assert place.size == 1, (g, out.before[out.leader[g]])
        position.append(place[0])
    counts = np.bincount(position, minlength=3)
    se = np.sqrt(n * (1 / 3) * (2 / 3))
    assert np.all(np.abs(counts - n / 3) < 4 * se), counts


def test_in_a_model_the_new_leaders_were_core_members_where_their_group_had_one():
    """Through the transition phase of a fresh UK model (no splits, absorptions or disputes): of
    200 large groups whose leaders are removed, each with an active core member promotes one of
    them; in groups whose core members are all put in prison first, an active worker leads (the
    groups chosen keep enough workers not to be depleted)."""
    params = Parameters({"succession_split_prob": 0.0, "succession_absorb_prob": 0.0,
                         "succession_violent_prob": 0.0}, where="test")
    model = TwinModel(params=params, seed=5, n_steps=12)
    ocgs, members = model.ocgs, model.members
    counts = model.active_by_role
    large = np.flatnonzero(ocgs.active & (model.active_members >= 6) & ~ocgs.leader_directing
                           & (counts[:, CORE] >= 1) & (counts[:, WORKER] >= params.ocg_min_active_members))[:200]
    assert large.size == 200
    members.status[ocgs.leader[large]] = EXITED
    coreless = large[::2]
    in_coreless = np.isin(members.ocg, coreless) & (members.role == CORE) & (members.status == ACTIVE)
    members.status[in_coreless] = PRISON
    before = members.role.copy()
    succession.groups_in_transition(model)
    assert ocgs.active[large].all()
    new = ocgs.leader[large]
    assert np.array_equal(members.ocg[new], large)
    assert (members.status[new] == ACTIVE).all()
    assert np.array_equal(before[new], np.where(np.isin(large, coreless), WORKER, CORE))


def test_an_absorbed_group_joins_the_largest_other_group_of_its_area_with_its_members_capital_and_lines():
    """ODD 3.3 (absorption): an absorbed group joins the largest other active group in its area (by
    active members; ties to the highest index), which takes its members (a leader as core), its base
    size, its capital and its markets, and its county lines; the absorbed group closes with nothing.
    A group alone in its area stays as it is."""
    from twin.succession import ABSORPTIONS, LINES_CLOSED, TALLIED, _absorb

    area = np.array([0, 0, 0, 1, 0])
    active = np.ones(5, dtype=np.bool_)
    active_members = np.array([5.0, 20.0, 10.0, 4.0, 20.0])  # 1 and 4 tie: the higher index, 4, absorbs
    base_size, capital = np.array([5.0, 20.0, 10.0, 4.0, 20.0]), np.array([100.0, 50.0, 30.0, 7.0, 1.0])
    markets = np.zeros((5, 8), dtype=np.bool_)
    markets[2, 2], markets[4, 0] = True, True
    line_active, line_ocg, line_dest = np.array([True, True]), np.array([2, 3]), np.array([1, 0])
    member_ocg = np.array([2, 2, 0, 3], dtype=np.int32)
    role = np.array([LEADER, WORKER, WORKER, LEADER], dtype=np.int8)
    tally = np.zeros((len(TALLIED), 2))
    rival = _absorb(np.array([2, 3]), np.arange(4), active, np.zeros(5, dtype=np.bool_), area, active_members,
                    base_size, capital, markets, line_active, line_ocg, line_dest, member_ocg, role, tally,
                    np.arange(len(TALLIED)))
    assert list(rival) == [4]  # group 3, alone in area 1, stays as it is
    assert list(member_ocg) == [4, 4, 0, 3] and list(role) == [CORE, WORKER, WORKER, LEADER]
    assert (base_size[4], capital[4], capital[2]) == (30.0, 31.0, 0.0) and capital[3] == 7.0
    assert markets[4, 2] and markets[4, 0] and list(active) == [True, True, False, True, True]
    assert list(line_ocg) == [4, 3] and list(line_active) == [True, True]  # handed over, not closed
    assert tally[ABSORPTIONS].tolist() == [1.0, 0.0] and tally[LINES_CLOSED].sum() == 0.0
