"""When a lever's effect lands: gradual effects from the lever's first step, alike in monthly and
weekly runs, and `prison_restrictions` acting on the leaders already in prison when it starts and
releasing them again when it ends."""

import numpy as np
import pytest

from twin.scenario_levers import build_levers
from twin.justice import directs_from_prison_prob
from twin.model import TwinModel
from twin.scenario import Scenario
from twin.vocabulary import CHARGED, PRISON


def _levers(*entries):
    return build_levers(Scenario(name="t", path="test.toml", levers=[dict(e) for e in entries]))


@pytest.mark.parametrize("step_length", ["month", "week"])
def test_a_ramp_acts_from_the_first_step_and_reaches_half_its_year_in_either_step(step_length):
    lever, = _levers({"type": "build", "areas": ["Merseyside"], "ramp_years": 1})
    model = TwinModel(seed=1, n_steps=60, step_length=step_length, levers=[lever])
    lever = model.levers[0]  # the model's copy, which holds the run's state
    reached = []
    for _ in range(12 if step_length == "month" else 52):
        model.step()
        reached.append(lever.ramp(1))
    dt = model.months_per_step
    assert reached[0] == pytest.approx(0.5 * dt / 12, rel=1e-12)  # half a step in: the first step acts
    assert all(b > a for a, b in zip(reached, reached[1:]))
    # over the ramp's year the effect adds up to half a year at full effect, whatever the step
    assert sum(r * dt for r in reached) == pytest.approx(6.0, rel=1e-9)


def _inside_with_draw(model):
    """Groups whose leader, still in post, is remanded or in prison with a direction draw."""
    ocgs = model.ocgs
    groups = (ocgs.active & (ocgs.leader >= 0)).nonzero()[0]
    status = model.members.status[ocgs.leader[groups]]
    return groups[((status == PRISON) | (status == CHARGED)) & ~np.isnan(ocgs.direction_draw[groups])]


def test_prison_restrictions_act_on_leaders_inside_when_they_start_and_end():
    reduction = 0.9
    lever, = _levers({"type": "prison_restrictions", "direction_reduction": reduction,
                      "start_year": 1, "end_year": 2})
    model = TwinModel(seed=1, n_steps=36, levers=[lever])
    for _ in range(12):
        model.step()
    p_before = directs_from_prison_prob(model)
    directing = _inside_with_draw(model)
    directing = directing[model.ocgs.leader_directing[directing]]
    leaders = model.ocgs.leader[directing].copy()
    assert directing.size > 50  # enough directing leaders for the test to tell
    model.step()  # the lever's first step
    p_during = model.directs_prob_in_force
    assert p_during == pytest.approx(p_before * (1 - reduction))
    in_post = np.intersect1d(directing[model.ocgs.leader[directing] == leaders], _inside_with_draw(model))
    ocgs = model.ocgs
    assert (ocgs.leader_directing[in_post] == (ocgs.direction_draw[in_post] < p_during)).all()
    # leaders already inside stop directing in proportion: at most (1 - reduction) of them carry on
    share = 1 - reduction
    still = ocgs.leader_directing[directing].sum()
    assert still <= directing.size * share + 4 * np.sqrt(directing.size * share * (1 - share))
    for _ in range(12):  # past the lever's end
        model.step()
    assert model.directs_prob_in_force == pytest.approx(p_before)
    inside = _inside_with_draw(model)
    assert inside.size > 0
    assert (ocgs.leader_directing[inside] == (ocgs.direction_draw[inside] < p_before)).all()
