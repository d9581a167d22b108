import numpy as np

from twin.streams import RandomStreams, choice, choice_cdf, search_right, thinned_bernoulli


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


def test_bernoulli_positions_are_independent_trials():
    """Each position is hit with probability p, and the hit count has the binomial variance
    (statistical: 4,000 replicates, 4 standard errors)."""
    from twin.streams import bernoulli_positions

    rng = np.random.default_rng(11)
    n, p, reps = 500, 0.07, 4000
    hits = np.zeros(n)
    totals = np.empty(reps)
    for r in range(reps):
        positions = bernoulli_positions(rng, n, p)
        assert np.all(np.diff(positions) > 0) and (positions.size == 0 or (positions[0] >= 0 and positions[-1] < n))
        hits[positions] += 1
        totals[r] = positions.size
    # Ten blocks of positions, each hit at rate p.
    blocks = hits.reshape(10, -1).sum(axis=1)
    trials = reps * n / 10
    assert np.all(np.abs(blocks - trials * p) < 4 * np.sqrt(trials * p * (1 - p)))
    # Variance of the count: binomial n p (1 - p); its sampling s.e. is about var * sqrt(2 / reps).
    var = n * p * (1 - p)
    assert abs(totals.var(ddof=1) - var) < 4 * var * np.sqrt(2 / reps)


def test_bernoulli_positions_edge_cases():
    from twin.streams import bernoulli_positions

    rng = np.random.default_rng(0)
    assert bernoulli_positions(rng, 0, 0.5).size == 0
    assert bernoulli_positions(rng, 10, 0.0).size == 0
    assert np.array_equal(bernoulli_positions(rng, 7, 1.0), np.arange(7))
    # A high rate needs several chunks of gaps; all positions stay in range and distinct.
    positions = bernoulli_positions(rng, 100_000, 0.95)
    assert positions[-1] < 100_000 and np.unique(positions).size == positions.size
    assert abs(positions.size - 95_000) < 4 * np.sqrt(100_000 * 0.95 * 0.05)


def test_zero_mean_poisson_and_zero_trial_binomial_consume_no_draws():
    """`violence` draws only for groups with a non-zero mean; that equals drawing for all groups
    only because numpy consumes no random numbers for a zero mean or zero trials."""
    mean = np.array([0.0, 2.5, 0.0, 0.0, 7.0, 0.0, 30.0])
    trials = np.array([0, 5, 0, 3, 0, 12, 0])
    for seed in range(5):
        full = np.random.default_rng(seed)
        all_groups = (full.poisson(mean), full.binomial(trials, 0.3), full.random())
        part = np.random.default_rng(seed)
        some = np.zeros(mean.size, dtype=np.int64)
        some[mean > 0] = part.poisson(mean[mean > 0])
        some_trials = np.zeros(trials.size, dtype=np.int64)
        some_trials[trials > 0] = part.binomial(trials[trials > 0], 0.3)
        assert np.array_equal(all_groups[0], some) and np.array_equal(all_groups[1], some_trials)
        assert all_groups[2] == part.random()  # the streams are in the same state afterwards


def test_thinned_listed_draws_what_thinned_bernoulli_draws_over_the_joined_list():
    """`thinned_listed` over a list in two parts (listed rows, then every row from `first_new_row`)
    gives the rows and numbers, and leaves the stream as, `thinned_bernoulli` over the list joined."""
    from twin.streams import thinned_listed

    source = np.random.default_rng(5)
    for trial, p_max in enumerate((0.0, 1e-4, 0.01, 0.078, 0.2, 0.34, 0.9, 1.0, 1.5)):
        for n, n_new in ((0, 0), (1, 0), (0, 3), (17, 4), (5000, 0), (5000, 300), (80000, 700)):
            listed = np.sort(source.choice(2 * n + 1, size=n, replace=False)).astype(np.int64)
            first_new_row = 2 * n + 1
            joined = np.concatenate([listed, np.arange(first_new_row, first_new_row + n_new)])
            numpy_rng, kernel_rng = np.random.default_rng(trial), np.random.default_rng(trial)
            chosen, u = thinned_bernoulli(numpy_rng, joined, p_max)
            kernel_chosen, kernel_u = thinned_listed(kernel_rng, listed, first_new_row, first_new_row + n_new, p_max)
            assert np.array_equal(chosen, kernel_chosen) and np.array_equal(u, kernel_u)
            assert numpy_rng.random() == kernel_rng.random()


def test_choice_cdf_and_search_right_draw_as_streams_choice():
    rng = np.random.default_rng(5)
    for size in (1, 3, 7, 45, 300):
        weights = rng.random(size) * 10.0 ** rng.integers(-2, 4, size)
        p = weights / weights.sum()
        state = rng.bit_generator.state
        expected = choice(rng, p, 50)
        rng.bit_generator.state = state
        cdf = choice_cdf(p)
        got = np.array([search_right(cdf, u) for u in rng.random(50)])
        assert np.array_equal(got, expected)
