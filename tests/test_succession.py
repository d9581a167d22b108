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
