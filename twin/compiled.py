"""Compiled kernels: how the step's hot loops are compiled.

The step's passes over member, group and area rows are loops compiled by numba (`kernel`), not
chains of numpy calls: a numpy call costs microseconds of Python whatever its size, and each pass
over 100,000 member rows reads and writes whole temporary arrays. A kernel does a phase's work in
one pass with no temporaries.

Rules every kernel keeps, so that compiling a phase never changes a result (the tests compare a
run with compilation switched off, `NUMBA_DISABLE_JIT=1`, against the compiled one, bit for bit):
- random numbers are drawn from the phase's own stream (`streams.py`) in the same order as a
  numpy version would draw them: a `numpy.random.Generator` passed to a kernel shares its state
  with the Python side, and `rng.random()` one at a time gives the same numbers as `rng.random(n)`;
- sums are accumulated in a stated order (row order, as `np.bincount` and `np.cumsum` do);
- no fast-math: floating-point operations are done as written, in IEEE double precision.

Compiled code is cached on disk next to the module (or in numba's user cache when the package
folder is read-only), so only the first run on a machine pays the compilation, a few seconds.
Setting `NUMBA_DISABLE_JIT=1` runs every kernel as plain Python (slow, for debugging).
"""

from __future__ import annotations

import numba


def kernel(function):
    """Compile `function` as a step kernel: nopython mode, cached, numpy's rules for division
    (x / 0 gives inf or nan rather than raising), bounds unchecked."""
    return numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)(function)
