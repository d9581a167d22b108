"""The benchmark's like-for-like comparison: the plain-Mesa reference and the same rules on arrays
must be the same model, so that the speed-up measures the architecture and nothing else."""

import numpy as np
import pytest

from twin import core_rules, plain_mesa
from twin.parameters import Parameters

# A small register, frequent arrests and short sentences, so that every rule (recruitment, arrest,
# desistance, release, return) fires often within 24 steps.
SMALL = {"ocgs_known_uk": 60, "members_known_uk": 700, "street_arrest_prob_per_month": 0.015,
         "sentence_months_worker": 6}
STEPS, SEEDS = 24, 30
KEYS = ("active", "prison", "recruits", "arrests", "exits", "returns")


def _run(model_type, seed: int) -> dict[str, int]:
    model = model_type(seed, Parameters(SMALL, where="test"))
    for _ in range(STEPS):
        model.step()
    return model.counts()


@pytest.fixture(scope="module")
def paired_runs():
    """Both implementations from the same register (one per seed): final counts, per seed."""
    reference = [_run(plain_mesa.PlainMesaModel, seed) for seed in range(SEEDS)]
    arrays = [_run(core_rules.CoreRulesModel, seed) for seed in range(SEEDS)]
    return reference, arrays


def _z_scores(reference: list[dict], arrays: list[dict]) -> dict[str, float]:
    """Mean paired difference (arrays minus reference) in standard errors, per count."""
    scores = {}
    for key in KEYS:
        differences = np.array([a[key] - r[key] for r, a in zip(reference, arrays)], dtype=float)
        se = differences.std(ddof=1) / np.sqrt(len(differences))
        assert se > 0, key
        scores[key] = differences.mean() / se
    return scores


def test_same_rules_give_the_same_trajectories_in_distribution(paired_runs):
    scores = _z_scores(*paired_runs)
    assert all(abs(z) < 4 for z in scores.values()), scores


def test_every_rule_fires_in_the_comparison(paired_runs):
    reference, arrays = paired_runs
    for runs in (reference, arrays):
        for key in KEYS:
            assert np.mean([run[key] for run in runs]) > 20, key


def test_a_changed_rule_is_detected(paired_runs):
    """The comparison has power: arrays serving one step more (4 steps, not 3) fail the test above."""
    reference, _ = paired_runs
    longer = Parameters(dict(SMALL, sentence_months_worker=8), where="test")  # int(8 x 0.5) = 4
    arrays = []
    for seed in range(SEEDS):
        model = core_rules.CoreRulesModel(seed, longer)
        for _ in range(STEPS):
            model.step()
        arrays.append(model.counts())
    scores = _z_scores(reference, arrays)
    assert max(abs(z) for z in scores.values()) > 4, scores


def test_member_count_is_the_population_not_exited():
    params = Parameters(SMALL, where="test")
    for model in (plain_mesa.PlainMesaModel(3, params), core_rules.CoreRulesModel(3, params)):
        for _ in range(6):
            model.step()
        counts = model.counts()
        assert model.member_count() == counts["active"] + counts["prison"]
