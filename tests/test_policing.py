import itertools

import numpy as np

from twin.policing import select_within_capacity


def _brute_force(unit, score, cost, free):
    chosen = []
    for u in np.unique(unit):
        idx = np.flatnonzero(unit == u)
        idx = idx[np.argsort(-score[idx], kind="stable")]
        used = 0.0
        for i in idx:
            if used + cost[i] > free[u]:
                break
            used += cost[i]
            chosen.append(i)
    return sorted(chosen)


def test_selection_works_down_each_list_within_capacity():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = rng.integers(1, 60)
        unit = rng.integers(0, 4, n)
        score = rng.random(n)
        cost = rng.uniform(0.5, 3.0, n)
        free = rng.uniform(0, 15, 4)
        chosen = sorted(select_within_capacity(unit, score, cost, free))
        assert chosen == _brute_force(unit, score, cost, free)
        spent = np.bincount(unit[chosen], weights=cost[chosen], minlength=4)
        assert np.all(spent <= free + 1e-9)


def test_selection_empty():
    empty = np.array([], dtype=int)
    assert select_within_capacity(empty, empty.astype(float), empty.astype(float), np.ones(2)).size == 0


def test_higher_scores_come_first():
    unit = np.zeros(5, dtype=int)
    score = np.array([1.0, 5.0, 3.0, 4.0, 2.0])
    chosen = select_within_capacity(unit, score, np.ones(5), np.array([2.5]))
    assert set(chosen) == {1, 3}
    assert not list(itertools.islice(chosen, 3, None))


def test_descending_ranks_like_a_stable_sort():
    from twin.policing import descending

    rng = np.random.default_rng(4)
    distinct = rng.random(500)
    tied = rng.integers(0, 20, 500).astype(float)  # many ties: must fall back to the stable order
    for values in (distinct, tied):
        assert np.array_equal(descending(values), np.argsort(-values, kind="stable"))
