"""The policing and investigations kernels give what the numpy code they replaced gave."""

import numpy as np

from twin.investigations import active_members_of
from twin.policing import select_positions, stable_descending
from twin.vocabulary import ACTIVE


def _numpy_descending(values):
    order = np.argsort(-values)
    ranked = values[order]
    if np.any(ranked[1:] == ranked[:-1]):
        order = np.argsort(-values, kind="stable")
    return order


def _numpy_select(unit, cost, free):
    order = np.argsort(unit.astype(np.int16), kind="stable")
    sorted_unit, sorted_cost = unit[order], cost[order]
    cumulative = np.cumsum(sorted_cost)
    starts = np.concatenate(([True], sorted_unit[1:] != sorted_unit[:-1])).nonzero()[0]
    group_start = np.repeat((cumulative - sorted_cost)[starts], np.diff(np.append(starts, order.size)))
    return order[cumulative - group_start <= free[sorted_unit]]


def test_descending_matches_numpy_with_ties_zeros_and_nans():
    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(1, 400))
        values = rng.integers(0, 30, n).astype(float) if trial % 2 else rng.random(n)
        special = rng.random(n)
        values[special < 0.05] = np.nan
        values[(special >= 0.05) & (special < 0.08)] = -0.0
        values[(special >= 0.08) & (special < 0.1)] = np.inf
        assert np.array_equal(stable_descending(values, np.argsort(-values)), _numpy_descending(values))


def test_select_within_capacity_matches_the_cumulative_sum_rule():
    rng = np.random.default_rng(8)
    for _ in range(200):
        n = int(rng.integers(1, 300))
        n_units = int(rng.integers(1, 12))
        unit = rng.integers(0, n_units, n)
        cost = rng.uniform(0.01, 3.0, n)
        free = rng.uniform(0.0, 20.0, n_units)
        assert np.array_equal(select_positions(unit, cost, free), _numpy_select(unit, cost, free))



def test_active_members_of_finds_the_active_rows_of_flagged_groups():
    rng = np.random.default_rng(9)
    ocg = rng.integers(0, 500, 20_000)
    status = rng.integers(0, 5, 20_000).astype(np.int8)
    flagged = rng.random(500) < 0.3  # thousands of rows: counts past 255
    expected = (flagged[ocg] & (status == ACTIVE)).nonzero()[0]
    assert np.array_equal(active_members_of(ocg, status, flagged), expected)


def test_the_completion_kernel_unpacks_its_scalars_in_their_named_order():
    """`complete_operations` fills the kernel's scalars by name (`COMPLETION_TERMS`); the kernel
    unpacks them by position: the names it unpacks into, and the positions, must be that order."""
    import inspect
    import re

    from twin.investigations import COMPLETION_TERMS, _complete_kernel

    source = inspect.getsource(_complete_kernel.py_func)
    match = re.search(r"\(([a-z_,\s]+)\)\s*=\s*\(((?:terms\[\d+\],?\s*)+)\)", source)
    names = tuple(name.strip() for name in match.group(1).split(",") if name.strip())
    positions = [int(k) for k in re.findall(r"terms\[(\d+)\]", match.group(2))]
    assert names == COMPLETION_TERMS
    assert positions == list(range(len(COMPLETION_TERMS)))
