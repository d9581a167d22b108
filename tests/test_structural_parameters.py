"""Former structural constants, now parameters, reach the processes they set.

Each test runs the UK model at two settings of one parameter with the same seeds and checks the
direction the mechanism implies, as a paired difference of at least three standard errors over
the seeds (or, where the parameter sets a state directly, the state itself).
"""

from __future__ import annotations

import numpy as np
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.vocabulary import VIRTUAL

SEEDS = (1, 2, 3, 4, 5, 6)


def _run(overrides: dict, seed: int, n_steps: int, before_run=None) -> TwinModel:
    model = TwinModel(params=Parameters(overrides, where="test"), seed=seed, n_steps=n_steps)
    if before_run is not None:
        before_run(model)
    model.run()
    return model


def _paired(name: str, low: float, high: float, outcome, n_steps: int = 36, before_run=None) -> np.ndarray:
    """outcome(high) - outcome(low) for each seed."""
    return np.array([outcome(_run({name: high}, seed, n_steps, before_run))
                     - outcome(_run({name: low}, seed, n_steps, before_run)) for seed in SEEDS])


def _total(metric: str):
    return lambda model: float(model.results.series(metric).sum())


def _assert_sign(diff: np.ndarray, sign: int) -> None:
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert sign * diff.mean() > 3 * se, (diff, se)


def test_intelligence_weight_lowers_success_on_partly_known_groups():
    # intelligence on a group is below 1, so a heavier weight on it cuts success: fewer disruptions
    _assert_sign(_paired("operation_intelligence_weight", 0.2, 0.9, _total("disruptions")), -1)


def test_trust_weight_cuts_success_where_trust_has_fallen():
    def halve_trust(model):
        model.trust *= 0.5  # every area at half its starting trust: the factor is (1 - w) + w / 2
    _assert_sign(_paired("operation_trust_weight", 0.0, 0.8, _total("disruptions"), before_run=halve_trust), -1)


def test_leader_insulation_cut_spares_leaders():
    # fewer leaders arrested: fewer groups left to a successor
    _assert_sign(_paired("leader_insulation_arrest_cut", 0.0, 1.0, _total("successions")), -1)


def test_unknown_members_arrested_at_their_ratio():
    _assert_sign(_paired("unknown_member_arrest_ratio", 0.2, 1.0, _total("arrests")), 1)


def test_starting_intelligence_on_mapped_groups():
    for value in (0.15, 0.45):
        model = TwinModel(params=Parameters({"intel_start_mapped": value}, where="test"), seed=1, n_steps=1)
        ocgs = model.ocgs
        known, intel = ocgs.known[:ocgs.n], ocgs.intel[:ocgs.n]
        assert known.any() and (~known).any()
        assert np.all(intel[known] == value) and np.all(intel[~known] == 0.0)


def test_intelligence_on_groups_mapped_during_the_run():
    def newly_mapped_intel(value: float, seed: int) -> float:
        model = TwinModel(params=Parameters({"intel_on_mapping": value}, where="test"), seed=seed, n_steps=25)
        for _ in range(24):
            model.step()
        ocgs = model.ocgs
        n_before = ocgs.n
        known_before = ocgs.known[:n_before].copy()
        model.step()  # groups added in the step are left out
        newly = ocgs.known[:n_before] & ~known_before
        assert newly.any()
        return float(ocgs.intel[:n_before][newly].mean())
    # the same draws map the same groups (intelligence does not enter mapping), so each seed's
    # newly mapped groups are the same at both settings and start higher at the higher one
    for seed in SEEDS[:3]:
        assert newly_mapped_intel(0.3, seed) > newly_mapped_intel(0.05, seed)


def test_leader_insulation_starts_uniform_up_to_its_maximum():
    for top in (0.2, 0.6):
        model = TwinModel(params=Parameters({"insulation_start_max": top}, where="test"), seed=1, n_steps=1,
                          spin_up_years=0)
        insulation = model.ocgs.insulation[:model.ocgs.n]
        assert insulation.max() <= top
        # uniform on [0, top]: mean top / 2, standard error top / sqrt(12 n)
        assert abs(insulation.mean() - top / 2) < 4 * top / np.sqrt(12 * insulation.size)


def test_dissolved_groups_members_rejoin_at_their_share():
    from twin.succession import dissolve
    from twin.vocabulary import ACTIVE, EXITED

    for share in (0.2, 0.8):
        model = TwinModel(params=Parameters({"dissolved_members_rejoin_share": share}, where="test"), seed=1,
                          n_steps=1)
        ocgs, members = model.ocgs, model.members
        ended = np.flatnonzero(ocgs.active[:ocgs.n])[::20]  # every twentieth group: others stay in every area
        loose = np.flatnonzero(np.isin(members.ocg[:members.n], ended) & (members.status[:members.n] == ACTIVE))
        dissolve(model, ended)
        left = np.count_nonzero(members.status[loose] == EXITED)
        # each loose member leaves with chance 1 - share (binomial)
        se = np.sqrt(loose.size * share * (1 - share))
        assert abs(left - loose.size * (1 - share)) < 4 * se, (left, loose.size, share)
        assert not ocgs.active[ended].any()


def test_reputation_kept_after_disruption():
    def mean_reputation(model):
        active = model.ocgs.active[:model.ocgs.n]
        return float(model.ocgs.reputation[:model.ocgs.n][active].mean())
    _assert_sign(_paired("reputation_after_disruption_ratio", 0.6, 1.0, mean_reputation), 1)


def test_cohesion_recovers_at_its_rate():
    def cohesion_gap(model):
        from twin.ocgs import BASE_COHESION
        ocgs = model.ocgs
        active = ocgs.active[:ocgs.n]
        return float((BASE_COHESION[ocgs.ocg_type[:ocgs.n]] - ocgs.cohesion[:ocgs.n])[active].mean())
    _assert_sign(_paired("cohesion_recovery_per_month", 0.005, 0.08, cohesion_gap), -1)


def test_fraud_entrants_virtual_at_their_share():
    def virtual_groups(model):
        ocgs = model.ocgs
        return float(np.count_nonzero((ocgs.ocg_type[:ocgs.n] == VIRTUAL) & ocgs.active[:ocgs.n]))
    _assert_sign(_paired("fraud_entrant_virtual_share", 0.0, 1.0, virtual_groups, n_steps=60), 1)
