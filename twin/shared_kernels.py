"""The small kernels every phase's kernels share, each giving numpy's result to the bit.

- sums in numpy's order (`pairwise_sum`, `array_sum`: numpy adds more than 8 floats pairwise),
  `np.minimum` and `np.maximum` of two floats, `np.unique` without its Python wrapper;
- the step tally: one process's counts by area added to its row (`add_to_tally`);
- groups by area, and a random active group in an area (`active_groups_by_area`, `random_active_group`);
- lists of rows: two merged in order (`merged_rows`), the `count` with the smallest key in the order
  a stable sort gives (`smallest_rows`).

How kernels are compiled and cached, and how they take a random stream, is `compiled.py`.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel, uniform


# ------------------------------------------------------------------------- numpy's arithmetic

@kernel
def block_sum(values, start, count):
    """numpy's sum of at most 128 contiguous values: sequential below 8 elements, else eight
    interleaved partial sums combined pairwise, then the remainder."""
    if count < 8:
        total = -0.0  # numpy's initial value for a float sum: keeps the sign of a sum of -0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = start + 8
    end_of_eights = start + count - count % 8
    while i < end_of_eights:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < start + count:
        total += values[i]
        i += 1
    return total


@kernel
def pairwise_sum(values, start, count):
    """Sum of `values[start:start + count]` in numpy's order (`np.add.reduce` on a contiguous
    array): blocks of at most 128 (`block_sum`); a longer run is split in two halves (the first a
    multiple of 8 long) whose sums are added. The halving is done with an explicit stack, not by
    recursion (a recursive kernel is not safe to load from numba's cache)."""
    if count == 0:
        return 0.0
    if count <= 128:
        return block_sum(values, start, count)
    # Frames of the halving: start, count, stage (0: first half next, 1: second half next,
    # 2: both done) and the first half's sum.
    depth = 64
    frame_start = np.empty(depth, dtype=np.int64)
    frame_count = np.empty(depth, dtype=np.int64)
    frame_stage = np.empty(depth, dtype=np.int64)
    first_half = np.empty(depth)
    frame_start[0], frame_count[0], frame_stage[0] = start, count, 0
    top = 1
    returned = 0.0  # sum of the frame popped last
    while top > 0:
        f = top - 1
        n = frame_count[f]
        if n <= 128:
            returned = block_sum(values, frame_start[f], n)
            top -= 1
            continue
        half = n // 2
        half -= half % 8
        if frame_stage[f] == 0:
            frame_stage[f] = 1
            frame_start[top], frame_count[top], frame_stage[top] = frame_start[f], half, 0
            top += 1
        elif frame_stage[f] == 1:
            first_half[f] = returned
            frame_stage[f] = 2
            frame_start[top], frame_count[top], frame_stage[top] = frame_start[f] + half, n - half, 0
            top += 1
        else:
            returned = first_half[f] + returned
            top -= 1
    return returned


@kernel
def sorted_unique(values):
    """`np.unique(values)` of a 1-d integer array (ascending, each value once), without numpy's
    Python wrapper (some 10 us a call on the few rows a step's callers pass)."""
    ordered = np.sort(values)
    out = np.empty(ordered.size, dtype=ordered.dtype)
    n = 0
    for i in range(ordered.size):
        if i == 0 or ordered[i] != ordered[i - 1]:
            out[n] = ordered[i]
            n += 1
    return out[:n].copy()


@kernel
def array_sum(values):
    """Sum of a 1-d float array in numpy's order (`values.sum()`); see `pairwise_sum`."""
    return pairwise_sum(values, 0, values.shape[0])


@kernel
def minimum(a, b):
    """`np.minimum` of two floats, as numpy decides it: `a` when `a < b` or `a` is NaN, else `b`
    (so NaN when either is NaN, and `b` on a tie, which matters for -0.0 and 0.0)."""
    return a if (a < b or a != a) else b


@kernel
def maximum(a, b):
    """`np.maximum` of two floats, as numpy decides it: `a` when `a > b` or `a` is NaN, else `b`."""
    return a if (a > b or a != a) else b


# ------------------------------------------------------------ shared by the phases' kernels

@kernel
def add_to_tally(tally_values, row, by_area):
    """Add one process's counts or sums by area to a row of the step tally, one addition per area
    (as `StepTally.add` adds a `np.bincount`: the sums first, then one addition per area)."""
    for area in range(by_area.size):
        tally_values[row, area] += by_area[area]


@kernel
def active_groups_by_area(ocg_active, ocg_area, n_areas):
    """The active groups ordered by area, in index order within an area (what a stable sort on
    the areas gives): returns them (`by_area`), the position of each area's first (`start`) and
    each area's count (`in_area`)."""
    in_area = np.zeros(n_areas, np.int64)
    n_active = 0
    for group in range(ocg_active.size):
        if ocg_active[group]:
            in_area[ocg_area[group]] += 1
            n_active += 1
    start = np.zeros(n_areas, np.int64)
    for area in range(1, n_areas):
        start[area] = start[area - 1] + in_area[area - 1]
    filled = start.copy()
    by_area = np.empty(n_active, np.int64)
    for group in range(ocg_active.size):
        if ocg_active[group]:
            by_area[filled[ocg_area[group]]] = group
            filled[ocg_area[group]] += 1
    return by_area, start, in_area


@kernel
def random_active_group(rng, area, by_area, start, in_area):
    """A random active group in `area` from `active_groups_by_area`'s arrays, -1 if the area has
    none: one uniform `u`, the group at `int(u * count)` among the area's. Call it only when some
    group is active somewhere (`by_area.size > 0`): the draw is made even for an area with none."""
    count = in_area[area]
    pick = start[area] + np.int64(uniform(rng) * max(count, 1))
    return by_area[min(pick, by_area.size - 1)] if count > 0 else -1


@kernel
def merged_rows(a, b):
    """The union of two ascending lists of distinct rows (no row in both), ascending."""
    out = np.empty(a.size + b.size, np.int64)
    i = j = 0
    for k in range(out.size):
        if j == b.size or (i < a.size and a[i] < b[j]):
            out[k] = a[i]
            i += 1
        else:
            out[k] = b[j]
            j += 1
    return out


@kernel
def smallest_rows(values, rows, count, sign):
    """The `count` of `rows` (ascending) with the smallest `sign * values[row]`, ties in row order,
    ascending: the rows a stable sort on that key puts first (NaN last), found by a partition,
    not a sort (`np.sort(rows[np.argsort(sign * values[rows], kind="mergesort")[:count]])`)."""
    if count >= rows.size:
        return rows.copy()
    if count <= 0:
        return np.empty(0, np.int64)
    keys = np.empty(rows.size)
    has_nan = False
    for j in range(rows.size):
        keys[j] = sign * values[rows[j]]
        has_nan |= np.isnan(keys[j])
    if has_nan:  # NaN keys sort last: leave the choice to the sort itself
        return np.sort(rows[np.argsort(keys, kind="mergesort")[:count]])
    threshold = np.partition(keys, count - 1)[count - 1]
    n_below = 0
    for j in range(rows.size):
        n_below += keys[j] < threshold
    chosen = np.empty(count, np.int64)
    k = 0
    ties = count - n_below  # rows at the threshold taken, in row order
    for j in range(rows.size):
        if keys[j] < threshold:
            chosen[k] = rows[j]
            k += 1
        elif keys[j] == threshold and ties > 0:
            chosen[k] = rows[j]
            k += 1
            ties -= 1
    return chosen


@kernel
def clip(x, low, high):
    """`np.clip` of one float: NaN stays NaN; the bounds compare as numpy's clip compares them."""
    if x != x:
        return x
    x = x if x > low else low
    return x if x < high else high
