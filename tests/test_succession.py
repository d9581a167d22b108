"""Succession: what it costs the group that goes through it."""

import numpy as np
import pytest

from twin import succession
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.vocabulary import EXITED


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
