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

Compiled code is cached on disk, so only the first run on a machine pays the compilation (45-75 s
on one core of the reference host, a third less on its 2 cores with `precompile.compile_ahead`; `warm_up` does it
before any run and says so). The cache lives in a folder named after
a digest of the package's source (`cache_folder`): numba itself only notices a change to the
file a kernel is written in, not to the constants and helpers it takes from other modules
(`vocabulary.py`, this one), so any edit to the package starts a fresh cache rather than running
stale code. Setting `NUMBA_DISABLE_JIT=1` runs every kernel as plain Python (slow, for debugging).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
from pathlib import Path

import numba
import numpy as np
from numba import types
from numba.core import cgutils
from numba.core.extending import intrinsic, overload

PACKAGE = Path(__file__).resolve().parent


def source_digest(folder: Path = PACKAGE) -> str:
    """A digest of every Python source file of the package (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    """Where compiled kernels are cached: `<parent>/<source digest>`. The parent is
    `NUMBA_CACHE_DIR` when set, else the package's `__pycache__/kernels` when writable, else
    `~/.cache/soc-twin/kernels`. In the package's own folder, caches of older sources are removed."""
    digest = source_digest()
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]) / f"twin-{digest}"
    parent = PACKAGE / "__pycache__" / "kernels"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if not os.access(parent, os.W_OK):
            raise PermissionError(parent)
    except OSError:
        return Path.home() / ".cache" / "soc-twin" / "kernels" / digest
    for old in parent.iterdir():
        if old.name != digest:
            shutil.rmtree(old, ignore_errors=True)
    return parent / digest


# Set before any kernel is decorated: numba reads it when a cached function is created.
numba.config.CACHE_DIR = str(cache_folder())


def _parse_linking_modules_on_demand() -> None:
    """Keep a cached kernel's LLVM bitcode as bytes and parse it only if something links it.

    When numba loads a kernel from its cache it also parses the kernel's LLVM bitcode into a
    module and keeps it, in case a function compiled later calls the kernel and must link it in.
    A run loads some 70 kernels and compiles nothing, so those modules were about 20 MB of a run's
    peak memory for nothing. Here the loaded library keeps the bitcode bytes instead (a few MB)
    and `_get_module_for_linking`, numba's one reader of the module, parses them when first asked:
    the same module, later. (numba's internals; numba is pinned and tests/test_compiled.py checks
    that a kernel loaded from the cache has no module until linked, and links correctly.)
    """
    from llvmlite import binding
    from numba.core.codegen import JITCodeLibrary

    if getattr(JITCodeLibrary, "_twin_parses_on_demand", False):
        return
    unserialize = JITCodeLibrary._unserialize.__func__
    module_for_linking = JITCodeLibrary._get_module_for_linking

    def _unserialize(cls, codegen, state):
        library = unserialize(cls, codegen, state)
        name, kind, data = state
        if kind == "object":  # numba's cache format: (object code, bitcode of the shared module)
            library._twin_bitcode = data[1]
            library._shared_module = None
        return library

    def _get_module_for_linking(self):
        bitcode = getattr(self, "_twin_bitcode", None)
        if self._shared_module is None and bitcode is not None:
            self._shared_module = binding.parse_bitcode(bitcode)
        return module_for_linking(self)

    JITCodeLibrary._unserialize = classmethod(_unserialize)
    JITCodeLibrary._get_module_for_linking = _get_module_for_linking
    JITCodeLibrary._twin_parses_on_demand = True


_parse_linking_modules_on_demand()


def kernel(function):
    """Compile `function` as a step kernel: nopython mode, cached, numpy's rules for division
    (x / 0 gives inf or nan rather than raising), bounds unchecked."""
    return numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)(function)


#: an optional array argument of a kernel, left out (a kernel's arguments cannot be None)
NOT_GIVEN = np.empty(0)


# ------------------------------------------------------------------ random streams in kernels
#
# Unboxing a `numpy.random.Generator` passed to a kernel takes Python look-ups and ctypes casts,
# about 5 us a generator warm but some 50 us with the caches cold from the other phases. A handle
# (`generator_argument`) holds the addresses numba's unboxing reads (the bit generator's state and
# `next_*` functions), taken once per generator; `as_generator` rebuilds numba's generator from it
# in the kernel, which then draws numpy's numbers from the generator's own state. The layout of
# numba's generator structure is numba's own: numba is pinned (pyproject.toml) and the tests draw
# through a handle and through the generator and compare.

#: handles by generator id (the generator kept too: its id and addresses stay its own meanwhile)
_HANDLES: dict[int, tuple[np.random.Generator, np.ndarray]] = {}
_MAX_HANDLES = 64


def generator_argument(generator: np.random.Generator):
    """What a kernel takes for `generator`: its handle (the generator itself when compilation
    is switched off, `NUMBA_DISABLE_JIT=1`, as `as_generator` then returns what it is given).

    The handle holds addresses inside the generator, so the caller must keep the generator alive
    while the handle is used (the model's streams are; the cache below holds it too, but drops
    every entry once it holds `_MAX_HANDLES`)."""
    if numba.config.DISABLE_JIT:
        return generator
    held = _HANDLES.get(id(generator))
    if held is not None and held[0] is generator:
        return held[1]
    if len(_HANDLES) >= _MAX_HANDLES:
        _HANDLES.clear()
    interface = generator.bit_generator.ctypes
    handle = np.array([interface.state.value,
                       ctypes.cast(interface.next_uint64, ctypes.c_void_p).value,
                       ctypes.cast(interface.next_uint32, ctypes.c_void_p).value,
                       ctypes.cast(interface.next_double, ctypes.c_void_p).value], dtype=np.uint64)
    _HANDLES[id(generator)] = (generator, handle)
    return handle


def as_generator(handle):
    """The generator a handle stands for (in a kernel); in plain Python, `handle` itself."""
    return handle


_GENERATOR = types.NumPyRandomGeneratorType("generator")
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")


@intrinsic
def _generator_from_handle(typingctx, handle):
    """Numba's generator structure (as its unboxing of a `Generator` fills it) from a handle:
    the state and `next_*` addresses; no Python object behind it (not to be returned)."""
    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        state, next_uint64, next_uint32, next_double = (
            builder.load(cgutils.gep(builder, array.data, k)) for k in range(4))
        bit_generator = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bit_generator.state_address = state
        bit_generator.state = state
        bit_generator.fnptr_next_uint64 = next_uint64
        bit_generator.fnptr_next_uint32 = next_uint32
        bit_generator.fnptr_next_double = next_double
        generator = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        generator.bit_generator = bit_generator._getvalue()
        return generator._getvalue()
    return _GENERATOR(handle), codegen


@overload(as_generator)
def _as_generator(handle):
    if isinstance(handle, types.Array) and handle.dtype == types.uint64:
        return lambda handle: _generator_from_handle(handle)


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


# ---------------------------------------------------------------- compiling ahead of the runs

#: printed when compiling takes a while, i.e. on the first run on a machine (or after an upgrade)
COMPILING_NOTICE = ("Compiling the model's kernels: the first run on this machine does this once "
                    "(under a minute on 2 idle cores); later runs load them from the cache.")
_warmed_up = False


_notice_silenced = False


def silence_compiling_notice() -> None:
    """No `COMPILING_NOTICE` from any later `warm_up` in this process (a command run with --quiet)."""
    global _notice_silenced
    _notice_silenced = True


def warm_up(quiet: bool = False, notice_after_s: float = 2.0, ahead: bool = True) -> None:
    """Compile every kernel now (or load it from the cache), by running two tiny models that
    take every path of the step (a monthly one with every lever type active, a weekly one).
    When the cache is cold, the listed kernels are first compiled on all the machine's cores
    (`precompile.compile_ahead`; not if `ahead` is false), and the models load them from it.

    Called before models are run: worker processes started afterwards inherit the compiled code.
    Unless `quiet`, `COMPILING_NOTICE` goes to stderr if this takes longer than `notice_after_s`
    seconds, so a first run explains its pause. Does nothing the second time in a process, or
    when compilation is switched off.
    """
    global _warmed_up
    if _warmed_up or numba.config.DISABLE_JIT:
        return
    quiet = quiet or _notice_silenced
    import sys
    import threading

    from twin.bench import _all_levers
    from twin.model import TwinModel
    from twin.parameters import Parameters

    timer = None if quiet else threading.Timer(
        notice_after_s, lambda: print("\n" + COMPILING_NOTICE, file=sys.stderr, flush=True))  # not after a bar
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        if ahead:
            from twin.precompile import compile_ahead

            compile_ahead()
        params = Parameters({"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
                             "soc_awaiting_trial_initial": 50}, where="warm-up")
        TwinModel(params=params, seed=1, n_steps=24, levers=_all_levers()).run()
        TwinModel(params=params, seed=2, n_steps=4, step_length="week").run()
    finally:
        if timer is not None:
            timer.cancel()
    _warmed_up = True


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
    pick = start[area] + np.int64(rng.random() * max(count, 1))
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
