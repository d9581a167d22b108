import numpy as np

from twin.streams import RandomStreams, thinned_bernoulli


def test_streams_depend_on_name_not_order():
    a, b = RandomStreams(7), RandomStreams(7)
    first = a["courts"].random(3)
    b["something_else"].random(10)
    assert np.array_equal(first, b["courts"].random(3))
    assert not np.array_equal(RandomStreams(7)["courts"].random(3), RandomStreams(8)["courts"].random(3))


def test_thinned_bernoulli_has_the_right_rates():
    """Each element's event probability is p (statistical: 200 replicates, 4 standard errors)."""
    rng = np.random.default_rng(3)
    n, p_max = 20000, 0.05
    p = np.where(np.arange(n) % 2 == 0, 0.01, 0.04)
    counts = np.zeros(2)
    reps = 200
    for _ in range(reps):
        candidate, u = thinned_bernoulli(rng, np.arange(n), p_max)
        hit = candidate[u < p[candidate]]
        counts += np.bincount(hit % 2, minlength=2)
    trials = reps * n / 2
    for k, rate in enumerate((0.01, 0.04)):
        se = np.sqrt(trials * rate * (1 - rate))
        assert abs(counts[k] - trials * rate) < 4 * se


def test_thinned_bernoulli_empty():
    chosen, u = thinned_bernoulli(np.random.default_rng(0), np.arange(0), 0.5)
    assert chosen.size == 0 and u.size == 0
