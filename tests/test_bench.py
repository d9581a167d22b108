"""The benchmark's reference rules: the plain-Mesa agents (`plain_mesa.py`) and the same rules on
the twin's arrays (`core_rules.py`) must be the same model, so that their ratio measures the
array layout and nothing else."""

import numpy as np
import pytest

from twin import core_rules, plain_mesa
from twin.parameters import Parameters

IMPLEMENTATIONS = (plain_mesa.PlainMesaModel, core_rules.CoreRulesModel)
# A small register, frequent arrests and short sentences (3 steps served), so that every rule
# (recruitment, arrest, desistance, release, return) fires often within 24 steps.
SMALL = {"ocgs_known_uk": 60, "members_known_uk": 700, "street_arrest_prob_per_month": 0.015,
         "sentence_months_worker": 6}
CHECKPOINTS, SEEDS = (3, 12, 24), 100
KEYS = ("active", "prison", "recruits", "arrests", "exits", "returns", "revenue_gbp")


def _trajectory(model_type, seed: int, overrides: dict = SMALL) -> list[dict]:
    """Counts after each checkpoint step."""
    model = model_type(seed, Parameters(overrides, where="test"))
    counts = []
    for step in range(1, CHECKPOINTS[-1] + 1):
        model.step()
        if step in CHECKPOINTS:
            counts.append(model.counts())
    return counts


def _z_scores(reference: list[list[dict]], arrays: list[list[dict]]) -> dict[tuple[int, str], float]:
    """Mean paired difference (arrays minus reference, same register) in standard errors, per
    checkpoint and count."""
    scores = {}
    for i, step in enumerate(CHECKPOINTS):
        for key in KEYS:
            differences = np.array([a[i][key] - r[i][key] for r, a in zip(reference, arrays)], dtype=float)
            se = differences.std(ddof=1) / np.sqrt(len(differences))
            if se == 0:  # the same in every pair (no returns yet at step 3): equal, or infinitely far apart
                scores[(step, key)] = 0.0 if differences[0] == 0 else np.inf
            else:
                scores[(step, key)] = differences.mean() / se
    return scores


@pytest.fixture(scope="module")
def reference_runs():
    return [_trajectory(plain_mesa.PlainMesaModel, seed) for seed in range(SEEDS)]


def test_same_rules_give_the_same_trajectories_in_distribution(reference_runs):
    arrays = [_trajectory(core_rules.CoreRulesModel, seed) for seed in range(SEEDS)]
    scores = _z_scores(reference_runs, arrays)
    assert max(abs(z) for z in scores.values()) < 4, scores  # 21 comparisons: a false alarm in ~1 run in 700
    for runs in (reference_runs, arrays):  # every rule fires (revenue needs no check: it accrues every step)
        assert all(np.mean([run[-1][key] for run in runs]) > 20 for key in KEYS if key != "revenue_gbp")


def test_a_changed_rule_is_detected(reference_runs):
    """The comparison has power: arrays serving one step more (4 steps, not 3) fail the test above."""
    longer = dict(SMALL, sentence_months_worker=8)  # int(8 x 0.5) = 4
    arrays = [_trajectory(core_rules.CoreRulesModel, seed, longer) for seed in range(SEEDS)]
    assert max(abs(z) for z in _z_scores(reference_runs, arrays).values()) > 4


@pytest.mark.parametrize("model_type", IMPLEMENTATIONS)
def test_recruits_act_in_the_step_they_join(model_type):
    """Every vacancy filled and every active member leaving, each step: in step 1 the starting
    members leave; in step 2 every group recruits its full size, and the recruits leave at once."""
    model = model_type(2, Parameters({"recruitment_fill_rate_per_month": 1.0, "desistance_prob_per_month": 1.0,
                                      "street_arrest_prob_per_month": 0.0}, where="test"))
    start = model.member_count()
    model.step()
    assert model.counts() | {"revenue_gbp": 0} == {"active": 0, "prison": 0, "recruits": 0, "arrests": 0,
                                                   "exits": start, "returns": 0, "revenue_gbp": 0}
    model.step()
    counts = model.counts()
    assert (counts["recruits"], counts["exits"], counts["active"]) == (start, 2 * start, 0)
    assert counts["revenue_gbp"] == 2 * start * core_rules.REVENUE_PER_MEMBER_GBP  # recruits offend too


@pytest.mark.parametrize("model_type", IMPLEMENTATIONS)
def test_prisoners_serve_their_steps_and_are_back_without_offending_at_release(model_type):
    """Everyone arrested in step 1 serves int(6 x 0.5) = 3 steps, returns in step 4 without
    offending in it (not re-arrested), and is arrested again in step 5."""
    model = model_type(2, Parameters({"street_arrest_prob_per_month": 1.0, "charge_prob": 1.0, "conviction_prob": 1.0,
                                      "sentence_months_worker": 6, "reoffend_prob_after_release": 1.0,
                                      "recruitment_fill_rate_per_month": 0.0, "desistance_prob_per_month": 0.0},
                                     where="test"))
    n = model.member_count()
    prisoners = []
    for _ in range(5):
        model.step()
        prisoners.append(model.counts()["prison"])
    assert prisoners == [n, n, n, 0, n]
    counts = model.counts()
    assert (counts["arrests"], counts["returns"], counts["exits"]) == (2 * n, n, 0)
    assert counts["revenue_gbp"] == 2 * n * core_rules.REVENUE_PER_MEMBER_GBP  # offended in steps 1 and 5 only


def test_member_count_is_the_population_not_exited():
    params = Parameters(SMALL, where="test")
    for model_type in IMPLEMENTATIONS:
        model = model_type(3, params)
        for _ in range(6):
            model.step()
        counts = model.counts()
        assert model.member_count() == counts["active"] + counts["prison"]


def test_memory_is_measured_on_this_package_from_any_folder(tmp_path, monkeypatch):
    """`twin bench` measures memory in a child process: started from a folder holding another
    `twin` (another checkout), the child must still import this one, not measure (and compile)
    the other."""
    from twin import bench

    (tmp_path / "twin").mkdir()
    (tmp_path / "twin" / "__init__.py").write_text("raise ImportError('the other checkout was imported')\n")
    monkeypatch.chdir(tmp_path)
    assert bench._peak_rss_mb("import twin.bench\n") > 10  # megabytes: an interpreter with numpy at least


def test_phase_times_time_every_phase_of_the_step_once_and_leave_the_model_as_it_was():
    """Every phase `TwinModel._step` calls is timed (a phase the step no longer calls, or a new one
    left out, shows as a large `other`); the timers come off afterwards."""
    import inspect
    import re

    from twin.bench import PHASES, phase_times
    from twin.model import TwinModel

    names = [name for _, name in PHASES]
    assert len(set(names)) == len(names)
    step_source = inspect.getsource(TwinModel._step)
    called = set(re.findall(r"([a-z_]\w*)\(self", step_source)) | set(re.findall(r"\.([a-z_]\w*)\(", step_source))
    assert set(names) <= called, sorted(set(names) - called)  # each listed phase is one the step calls
    before = TwinModel.take_census
    times = phase_times(runs=1, years=1)
    assert TwinModel.take_census is before
    phases = {k: v for k, v in times.items() if k not in ("step", "other")}
    assert len(phases) == len(PHASES) and all(v >= 0 for v in phases.values())
    assert 0 <= times["other"] < 0.25 * times["step"]  # nearly all of the step is in the phases, none twice
