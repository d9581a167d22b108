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
on one core of the reference host, a third less on its 2 cores with `precompile.compile_ahead`;
`precompile.warm_up` does it before any run and says so). The cache lives in a folder named after
a digest of the package's source (`cache_folder`): numba itself only notices a change to the
file a kernel is written in, not to the constants and helpers it takes from other modules
(`vocabulary.py`, this one), so any edit to the package starts a fresh cache rather than running
stale code. Setting `NUMBA_DISABLE_JIT=1` runs every kernel as plain Python (slow, for debugging).

The small kernels the phases share (sums in numpy's order, tallies, row lists) are in
`shared_kernels.py`.
"""

from __future__ import annotations

import ctypes
import getpass
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
from llvmlite import ir
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


#: kernel caches kept in the package's folder, this source's included (about 16 MB each)
KEPT_CACHES = 3


def cache_folder() -> Path:
    """Where compiled kernels are cached: `<parent>/<source digest>`. The parent is
    `NUMBA_CACHE_DIR` when set and writable, else the package's `__pycache__/kernels` when
    writable, else `$XDG_CACHE_HOME` or `~/.cache`'s `soc-twin/kernels`, else the temporary
    folder's `soc-twin-kernels-<uid>`, this user's alone (a read-only install in a home that cannot
    be written). In the package's own folder the caches of the `KEPT_CACHES` - 1
    sources used last are kept beside this one (going back to a version run recently, such as after
    trying an edit, does not compile again); older ones are removed."""
    digest = source_digest()
    if os.environ.get("NUMBA_CACHE_DIR"):
        if _writable(Path(os.environ["NUMBA_CACHE_DIR"])):
            return Path(os.environ["NUMBA_CACHE_DIR"]) / f"twin-{digest}"
        print(f"twin: NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']} cannot be written; the compiled kernels are "
              f"cached elsewhere", file=sys.stderr)
    parent = PACKAGE / "__pycache__" / "kernels"
    if not _writable(parent):  # a read-only install: the user's cache folder, else the temporary folder
        user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "soc-twin" / "kernels"
        if _writable(user):
            return user / digest
        # the shared temporary folder: one of this user's own, which no one else can write (numba loads
        # pickles from its cache, so a folder another user made there could plant code)
        owner = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
        private = Path(tempfile.gettempdir()) / f"soc-twin-kernels-{owner}"
        if _writable(private, private=True):
            return private / digest
        return user / digest  # numba says what it cannot write
    current = parent / digest
    try:
        if current.is_dir():
            os.utime(current)  # used now: the newest
    except OSError:  # (another user's folder: it keeps its time)
        pass
    others = []
    for old in parent.iterdir():
        try:  # another process starting at the same time may be removing it
            others.append((old.stat().st_mtime, old))
        except OSError:
            continue
    others = [old for _, old in sorted(others, reverse=True) if old.name != digest]
    # Only caches holding compiled kernels count: a command that imports the kernels without running one
    # (`twin docs`, a comparison whose runs are all stored) makes an empty folder for its version, which
    # would otherwise push a compiled one out. Empty folders of other versions go when a day old.
    compiled = [old for old in others if _holds_kernels(old)]
    for old in compiled[KEPT_CACHES - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    for old in others:
        try:
            if old not in compiled and time.time() - old.stat().st_mtime > 86400:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue
    return current


def _holds_kernels(folder: Path) -> bool:
    """Whether a cache folder holds compiled kernels (numba's index files); False for one that
    another process removes while it is read."""
    try:
        return next(folder.rglob("*.nbi"), None) is not None
    except OSError:
        return False


def _writable(folder: Path, private: bool = False) -> bool:
    """Whether `folder` exists or can be made, and can be written to; `private`: made for this user
    alone (mode 700), and refused if another user owns it or others can write to it."""
    try:
        folder.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
        if private and hasattr(os, "getuid"):
            status = folder.stat()
            if status.st_uid != os.getuid() or status.st_mode & 0o022:
                return False
    except (OSError, RuntimeError):  # RuntimeError: no home folder to expand
        return False
    return os.access(folder, os.W_OK)


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
    inline = type(generator.bit_generator) is np.random.PCG64 and pcg64_draws_inline()
    handle = np.array([interface.state.value,
                       ctypes.cast(interface.next_uint64, ctypes.c_void_p).value,
                       ctypes.cast(interface.next_uint32, ctypes.c_void_p).value,
                       ctypes.cast(interface.next_double, ctypes.c_void_p).value,
                       PCG64_TAG if inline else 0], dtype=np.uint64)
    _HANDLES[id(generator)] = (generator, handle)
    return handle


# ------------------------------------------------------------------ uniforms drawn inline
#
# A uniform drawn in a kernel (`Generator.random()`) is a call through the bit generator's
# `next_double` address, which the compiler cannot inline: about 6.5 ns a draw in a loop, against
# 2.3 ns for the same arithmetic written in the kernel, and a UK step draws some 60,000 uniforms in
# its kernels. `uniform(rng)` is `rng.random()`; for a generator a kernel took as a handle of a
# PCG64 (every stream of the model: `streams.RandomStreams`) it computes the draw in the kernel
# from the generator's own state, as numpy's PCG64 does (`pcg64_next_double` in numpy's source:
# the 128-bit LCG step, the XSL-RR output, its top 53 bits times 2**-53), and writes the state
# back, so draws made in numpy or through numba's other methods before or after follow on as ever.
# The handle says so by a tag (its fifth entry), which `_generator_from_handle` keeps in a member
# of numba's structure that a generator built from a handle leaves unused (`bit_generator`, which
# unboxing sets to the Python object's address: never the tag, a value no address takes). The
# layout of numpy's state is checked once per process (`pcg64_draws_inline`), against numpy's own
# draw; if it differs (another numpy build), every draw goes through numpy's function as before.

#: the fifth entry of a handle whose generator `uniform` may draw from inline (no address is this large)
PCG64_TAG = 0xFEED_5C64_0000_0001
_PCG64_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341  # numpy's PCG_DEFAULT_MULTIPLIER_128
_PCG64_INLINE: list[bool] = []  # the check's result, once known


def _pcg64_next_double(state: int, increment: int) -> tuple[int, float]:
    """numpy's PCG64 `next_double` in Python integers: (the state after the step, the uniform)."""
    state = (state * _PCG64_MULTIPLIER + increment) % (1 << 128)
    xored, rotation = ((state >> 64) ^ state) & ((1 << 64) - 1), state >> 122
    output = ((xored >> rotation) | (xored << ((-rotation) & 63))) & ((1 << 64) - 1)
    return state, (output >> 11) * (1.0 / 9007199254740992.0)


def pcg64_draws_inline() -> bool:
    """Whether numpy's PCG64 keeps its state where and as `uniform` reads it (its `pcg64_state`'s
    first member points to the 128-bit state then increment, low words first) and draws as
    `_pcg64_next_double` does: checked once, on a generator of its own, against numpy's draws."""
    if not _PCG64_INLINE:
        try:
            bit_generator = np.random.PCG64(20240607)
            generator = np.random.Generator(bit_generator)
            words = (ctypes.c_uint64 * 4).from_address(
                ctypes.c_uint64.from_address(bit_generator.ctypes.state.value).value)
            ok = True
            for _ in range(3):
                numbers = bit_generator.state["state"]
                state, increment = words[0] | words[1] << 64, words[2] | words[3] << 64
                ok &= (state, increment) == (numbers["state"], numbers["inc"])
                state, expected = _pcg64_next_double(state, increment)
                ok &= generator.random() == expected and words[0] | words[1] << 64 == state
        except Exception:  # no ctypes view of the state: draw through numpy's function
            ok = False
        _PCG64_INLINE.append(bool(ok))
    return _PCG64_INLINE[0]


def uniform(rng):
    """`rng.random()`: in a kernel, drawn inline from a PCG64 passed as a handle (see above)."""
    return rng.random()


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
        # the tag (`uniform`) where the handle has one
        tag = cgutils.alloca_once_value(builder, ir.Constant(state.type, 0))
        with builder.if_then(builder.icmp_signed(">", array.nitems, ir.Constant(array.nitems.type, 4))):
            builder.store(builder.load(cgutils.gep(builder, array.data, 4)), tag)
        bit_generator.bit_generator = builder.load(tag)
        generator = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        generator.bit_generator = bit_generator._getvalue()
        return generator._getvalue()
    return _GENERATOR(handle), codegen


@overload(as_generator)
def _as_generator(handle):
    if isinstance(handle, types.Array) and handle.dtype == types.uint64:
        return lambda handle: _generator_from_handle(handle)


@intrinsic
def _uniform_draw(typingctx, generator):
    """`generator.random()`, inline for a tagged PCG64 (`uniform`), else through numpy's `next_double`."""
    def codegen(context, builder, signature, args):
        i64, i128, double = ir.IntType(64), ir.IntType(128), ir.DoubleType()
        outer = cgutils.create_struct_proxy(signature.args[0])(context, builder, value=args[0])
        bit_generator = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder, value=outer.bit_generator)
        state_address = bit_generator.state
        tagged = builder.icmp_unsigned("==", bit_generator.bit_generator,
                                       ir.Constant(bit_generator.bit_generator.type, PCG64_TAG))
        with builder.if_else(tagged, likely=True) as (inline, call):
            with inline:
                # pcg64_state.pcg_state -> {state, increment}, 128 bits each
                pcg = builder.inttoptr(builder.load(builder.inttoptr(state_address, i64.as_pointer())),
                                       i128.as_pointer())
                state = builder.add(builder.mul(builder.load(pcg, align=8), ir.Constant(i128, _PCG64_MULTIPLIER)),
                                    builder.load(builder.gep(pcg, [ir.Constant(i64, 1)]), align=8))
                builder.store(state, pcg, align=8)
                xored = builder.xor(builder.trunc(builder.lshr(state, ir.Constant(i128, 64)), i64),
                                    builder.trunc(state, i64))
                rotation = builder.trunc(builder.lshr(state, ir.Constant(i128, 122)), i64)
                output = builder.or_(builder.lshr(xored, rotation),
                                     builder.shl(xored, builder.and_(builder.neg(rotation), ir.Constant(i64, 63))))
                drawn = builder.fmul(builder.uitofp(builder.lshr(output, ir.Constant(i64, 11)), double),
                                     ir.Constant(double, 1.0 / 9007199254740992.0))
                inline_block = builder.block
            with call:  # numba's `random()`: numpy's next_double on the state
                function_type = ir.FunctionType(double, (state_address.type,))
                next_double = builder.inttoptr(bit_generator.fnptr_next_double, function_type.as_pointer())
                called = builder.call(next_double, (state_address,))
                call_block = builder.block
        result = builder.phi(double)
        result.add_incoming(drawn, inline_block)
        result.add_incoming(called, call_block)
        return result
    return types.float64(generator), codegen


@overload(uniform)
def _uniform(rng):
    if isinstance(rng, types.NumPyRandomGeneratorType):
        return lambda rng: _uniform_draw(rng)
