"""Community trust under powers used without oversight: the loss saturates in the number of powers
and stays within a tenth of the index, oversight removes it, and trust recovers once the powers
end. Deterministic: trust month by month with no homicides or disruptions (`next_trust`)."""

from types import SimpleNamespace

import numpy as np
import pytest

from twin.community import next_trust
from twin.interventions import finalise_modifiers
from twin.modifiers import Modifiers
from twin.parameters import Parameters, per_step_probability

PARAMS = Parameters()
REFERENCE = np.array([0.6, 0.5])  # trust at the start: a non-exporter and an exporter area
RECOVERY = per_step_probability(PARAMS.trust_recovery_rate_per_month, 1.0)


def _change_per_month(powers: float, oversight: float = 0.0) -> np.ndarray:
    """The levers' trust change per month [area] after `finalise_modifiers`, with `powers` in use."""
    model = SimpleNamespace(params=PARAMS, modifiers=Modifiers(REFERENCE.size, 1))
    model.modifiers.powers_in_use = powers
    model.modifiers.oversight = oversight
    finalise_modifiers(model)
    return model.modifiers.trust_change_per_month.copy()


def _trust_path(change_per_month: np.ndarray, months: int, start: np.ndarray = REFERENCE) -> np.ndarray:
    """Trust [month, area] under a constant monthly change, with no homicides or disruptions."""
    zeros = np.zeros(REFERENCE.size)
    trust, path = start.copy(), []
    for _ in range(months):
        trust = next_trust(trust, REFERENCE, np.full(REFERENCE.size, 1e6), zeros, zeros, change_per_month, RECOVERY,
                           PARAMS.trust_loss_per_homicide_per_100k, PARAMS.trust_gain_per_disruption_per_100k, 1.0)
        path.append(trust)
    return np.array(path)


def test_equilibrium_trust_loss_saturates_in_the_number_of_powers():
    """One power costs a few hundredths of the index at equilibrium, six (the Countering SOC Bill)
    at most a tenth, however many: far from the floor (the linear penalty cost 0.2 per power)."""
    losses = {}
    for powers, low, high in ((1, 0.02, 0.06), (6, 0.06, 0.10), (20, 0.06, 0.10)):
        change = _change_per_month(powers)
        assert np.all(change < 0)
        loss = REFERENCE - _trust_path(change, 800)[-1]
        assert np.allclose(loss, -change / RECOVERY)  # the equilibrium: recovery balances the loss
        assert np.all((low < loss) & (loss < high)), (powers, loss)
        losses[powers] = loss
    assert np.all(losses[6] < 3 * losses[1])  # saturating: six powers cost less than three times one


def test_oversight_removes_the_trust_loss():
    for powers in (1, 6):
        change = _change_per_month(powers, oversight=1.0)
        assert np.all(change == 0)
        assert np.all(_trust_path(change, 120)[-1] == REFERENCE)


def test_oversight_at_a_lower_intensity_spares_that_share_of_the_loss():
    """Oversight at intensity 0 used to spare the whole loss, as at 1."""
    for powers in (1, 6):
        unchecked = _change_per_month(powers)
        assert np.all(unchecked < 0)
        for share in (0.0, 0.25, 0.7):
            assert _change_per_month(powers, oversight=share) == pytest.approx(unchecked * (1.0 - share), rel=1e-12)


def test_trust_recovers_after_powers_end():
    """Three years of six powers without oversight, then five without powers: the gap to the
    starting trust closes at the recovery rate, to 0.98 ** 60 of what it was."""
    during = _trust_path(_change_per_month(6), 36)
    gap = REFERENCE - during[-1]
    assert np.all(gap > 0.04)
    after = _trust_path(_change_per_month(0), 60, start=during[-1])
    assert np.allclose(REFERENCE - after[-1], gap * (1 - RECOVERY) ** 60)
    assert np.all(np.diff(after, axis=0) > 0)  # rising every month


def test_homicides_cost_and_disruptions_earn_trust_per_100_000_residents():
    """ODD 3.3: trust falls by `trust_loss_per_homicide_per_100k` for each homicide per 100,000
    residents and rises by `trust_gain_per_disruption_per_100k` for each disruption per 100,000, on
    top of its recovery towards the reference and the levers' change (here none), within [0.01, 1]."""
    trust, population = np.array([0.6, 0.6, 0.6]), np.array([2e5, 2e5, 1e5])
    homicides, disruptions = np.array([1.0, 0.0, 3.0]), np.array([0.0, 10.0, 4.0])
    after = next_trust(trust, trust, population, homicides, disruptions, np.zeros(3), 0.0, 0.02, 0.002, 1.0)
    expected = 0.6 - 0.02 * homicides / (population / 1e5) + 0.002 * disruptions / (population / 1e5)
    assert np.allclose(after, expected, rtol=1e-12, atol=0)
    assert np.allclose(after, [0.59, 0.61, 0.548], rtol=1e-12, atol=0)  # the same, worked by hand
    # recovery closes its share of the gap to the reference; the bounds hold
    recovered = next_trust(np.array([0.4]), np.array([0.6]), np.array([1e5]), np.zeros(1), np.zeros(1), np.zeros(1),
                           0.25, 0.02, 0.002, 1.0)
    assert recovered[0] == pytest.approx(0.45, rel=1e-12)
    assert next_trust(np.array([0.02]), np.array([0.6]), np.array([1e5]), np.array([50.0]), np.zeros(1), np.zeros(1),
                      0.0, 0.02, 0.002, 1.0)[0] == 0.01
