"""The compiled Poisson and binomial draws of `violence.py` and `succession.py` equal numpy's.

The kernels draw one number at a time from the phase's `numpy.random.Generator`; the model's
results stay those of numpy's array calls only if each draw consumes the same uniforms and
returns the same value.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.compiled import kernel
from twin.streams import poissons


@kernel
def _binomials(rng, trials, p):
    out = np.empty(trials.size, dtype=np.int64)
    for i in range(trials.size):
        out[i] = rng.binomial(trials[i], p)
    return out


@pytest.mark.parametrize("scale", [1e-4, 0.05, 1.0, 9.99, 40.0, 5000.0])
def test_poisson_equals_numpy(scale):
    source = np.random.default_rng(7)
    means = source.random(20_000) * scale
    means[::50] = 0.0  # numpy draws nothing for a zero mean
    means[1::97] = 10.0  # the switch to the rejection method
    numpy_rng, kernel_rng = np.random.default_rng(1), np.random.default_rng(1)
    assert np.array_equal(numpy_rng.poisson(means), poissons(kernel_rng, means))
    assert numpy_rng.random() == kernel_rng.random()  # the same number of uniforms consumed


@pytest.mark.parametrize("p", [0.04, 0.1, 0.2, 0.7])
@pytest.mark.parametrize("most_trials", [5, 40, 2000])
def test_binomial_equals_numpy(p, most_trials):
    trials = np.random.default_rng(3).integers(0, most_trials, 5_000)
    numpy_rng, kernel_rng = np.random.default_rng(2), np.random.default_rng(2)
    assert np.array_equal(numpy_rng.binomial(trials, p), _binomials(kernel_rng, trials, p))
    assert numpy_rng.random() == kernel_rng.random()


def test_poissons_refuse_the_means_numpy_refuses():
    rng = np.random.default_rng(1)
    for bad in (-1.0, np.nan, np.inf, 1e19):
        with pytest.raises(ValueError):
            rng.poisson(bad)
        with pytest.raises(ValueError):
            poissons(rng, np.array([2.0, bad]))
