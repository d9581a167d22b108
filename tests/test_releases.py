"""The courts' sentences and the released members' decisions, each rule checked on its own
(`justice.imprison`, `justice_kernels.courts_stage` and `release_stage`), against the ODD's
formulas written out."""

from __future__ import annotations

import numpy as np
from scipy import stats

from twin import justice
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.vocabulary import ACTIVE, CHARGED, EXITED, LEADER, PRISON, RELEASED


def _rows(model, status, count, rng):
    """`count` rows drawn at random among the non-leading members with `status`, not on bail."""
    members = model.members
    n = members.n
    candidates = ((members.status[:n] == status) & (members.role[:n] != LEADER) & ~members.on_bail[:n]).nonzero()[0]
    assert candidates.size >= count
    return np.sort(rng.choice(candidates, count, replace=False))


def test_members_released_during_a_step_decide_over_half_of_it():
    """Released members decide on their future at a constant rate, a mean of
    `released_decision_months` after release: one released before the step decides within it with
    1 - exp(-dt / mean), one released during it (here from prison, due before the step's middle)
    with 1 - exp(-dt / 2 / mean), as it has been out for half the step on average. With no
    reoffending, everyone who decides leaves crime, so the shares leaving are those chances."""
    for step_length, seed in (("month", 3), ("week", 4)):
        params = Parameters({"reoffend_prob_after_release": 0.0, "released_decision_months": 6.0,
                             "soc_prison_places": 10 ** 6})
        model = TwinModel(params, seed=seed, n_steps=2, step_length=step_length)
        members, dt = model.members, model.months_per_step
        rng = np.random.default_rng(seed)
        chosen = _rows(model, ACTIVE, 20000, rng)
        rng.shuffle(chosen)
        from_prison, before = np.sort(chosen[:10000]), np.sort(chosen[10000:])
        members.status[from_prison] = PRISON
        members.release_month[from_prison] = model.month + rng.uniform(0.0, 0.45 * dt, from_prison.size)
        members.status[before] = RELEASED
        model.members_reactivated()
        justice.courts_and_prisons(model)
        for rows, months in ((from_prison, 0.5 * dt), (before, dt)):
            expected = -np.expm1(-months / 6.0)
            left = (members.status[rows] == EXITED).mean()
            # the others stay released: none back in crime, none still inside
            assert (members.status[rows] != EXITED).sum() == (members.status[rows] == RELEASED).sum()
            assert abs(left - expected) < 4 * np.sqrt(expected * (1 - expected) / rows.size), (step_length, months)


def test_sentences_are_drawn_by_role_with_the_gamma_shape():
    """A conviction's sentence is a gamma draw of shape `sentence_gamma_shape` whose mean is the
    role's (`sentence_months_leader`, `_core`, `_worker`, `_exploited`); the custodial part,
    `served_share` of it, runs from the hearing. Every ready case is heard and convicted here."""
    params = Parameters({"conviction_prob": 1.0, "court_capacity_trials_per_month": 10 ** 6,
                         "soc_prison_places": 10 ** 6, "soc_remand_places": 10 ** 6})
    model = TwinModel(params, seed=8, n_steps=2)
    members = model.members
    rng = np.random.default_rng(8)
    n = members.n
    candidates = ((members.status[:n] == ACTIVE) & ~members.on_bail[:n]).nonzero()[0]
    # every leader (few of them) and a sample of the rest
    tried = np.union1d(candidates[members.role[candidates] == LEADER], rng.choice(candidates, 30000, replace=False))
    members.status[tried] = CHARGED
    members.verdict_month[tried] = model.month + rng.uniform(0.0, 0.4, tried.size)
    members.remand_months[tried] = 0.0
    heard = members.verdict_month[tried].copy()
    justice.courts_and_prisons(model)
    assert (members.status[tried] != CHARGED).all()  # every case heard
    sentence = members.sentence_months[tried]
    served = params.served_share
    assert np.allclose(members.release_month[tried], heard + served * sentence, rtol=0, atol=1e-9)
    shape = params.sentence_gamma_shape
    means = justice.sentence_means(params)
    for role in range(4):
        mine = sentence[members.role[tried] == role]
        assert mine.size > 300, role
        se = means[role] / np.sqrt(shape * mine.size)  # a gamma's sd is its mean / sqrt(shape)
        assert abs(mine.mean() - means[role]) < 4 * se, (role, mine.mean(), means[role])
        assert stats.kstest(mine, "gamma", args=(shape, 0, means[role] / shape)).pvalue > 0.001, role


def test_prisoners_at_the_start_have_length_biased_sentences_part_served():
    """A prisoner found inside at a random moment is more likely serving a long sentence: the
    starting prisoners' sentences are drawn length-biased (a gamma of shape + 1, mean (shape + 1) /
    shape times the role's), and a uniform share of the custodial part is already served."""
    model = TwinModel(seed=12, n_steps=2)
    params, members = model.params, model.members
    rng = np.random.default_rng(12)
    rows = _rows(model, ACTIVE, 20000, rng)
    workers = rows[members.role[rows] == 2]
    justice.imprison(model, workers, np.random.default_rng(5), already_inside=True)
    shape = params.sentence_gamma_shape
    mean = params.sentence_months_worker * (shape + 1) / shape
    sentence = members.sentence_months[workers]
    se = mean / np.sqrt((shape + 1) * workers.size)
    assert abs(sentence.mean() - mean) < 4 * se, (sentence.mean(), mean)
    assert (members.status[workers] == PRISON).all()
    share_left = (members.release_month[workers] - model.month) / (sentence * params.served_share)
    assert ((share_left >= 0) & (share_left <= 1)).all()
    # uniform: mean 1/2, standard deviation sqrt(1/12)
    assert abs(share_left.mean() - 0.5) < 4 * np.sqrt(1 / 12 / workers.size)
