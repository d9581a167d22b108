"""Compiled kernels give exactly the results of their Python source.

Two short runs (monthly; weekly with every lever type active) are made twice in fresh processes:
once compiled and once with compilation switched off (`NUMBA_DISABLE_JIT=1`, every kernel run as
plain Python). Their result tables must agree bit for bit, so a kernel can never drift from the
code it was written as (integer overflow, a different order of summation, fast-math).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numba
import numpy as np

from twin.compiled import PCG64_TAG, as_generator, generator_argument, pcg64_draws_inline, uniform
from twin.shared_kernels import array_sum, maximum, minimum, pairwise_sum

SCRIPT = """
import hashlib
import numpy as np
from twin import bench
from twin.model import TwinModel
from twin.parameters import Parameters

params = Parameters({"ocgs_known_uk": 80, "members_known_uk": 1000, "soc_prisoners_initial": 150,
                     "soc_awaiting_trial_initial": 80}, where="test")
digests = []
for seed, length, levers in ((1, "month", False), (2, "week", True)):
    model = TwinModel(params=params, seed=seed, n_steps=36, step_length=length,
                      levers=bench._all_levers() if levers else None)
    model.run()
    values = np.ascontiguousarray(model.results.values)
    digests.append(f"{hashlib.sha256(values.tobytes()).hexdigest()}:{np.nansum(values):.17g}")
print(" ".join(digests))
"""


def _digests(disable_jit: bool) -> list[str]:
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if disable_jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_compiled_kernels_match_their_python_source():
    compiled, python = _digests(False), _digests(True)
    assert len(compiled) == 2
    assert compiled == python


def test_pairwise_sum_adds_as_numpy_sum():
    """Kernels that total a float array must add in numpy's order to keep results identical."""
    rng = np.random.default_rng(4)
    for n in [*range(0, 300), 511, 1000, 1025, 4097, 5923, 40001]:
        values = rng.random(n) * 10.0 ** rng.integers(-3, 6, n)
        for sign in (1.0, -1.0):
            expected = (sign * values).sum()
            got = pairwise_sum(sign * values, 0, n)
            assert got == expected and (n == 0 or np.signbit(got) == np.signbit(expected)), n
            assert array_sum(sign * values) == expected, n
    grid = rng.random((45, 8)) * 1e5
    for column in range(8):  # strided columns, as the national markets are summed
        assert array_sum(grid[:, column]) == grid[:, column].sum()
    start, count = 17, 700  # a run inside a longer array
    assert pairwise_sum(values, start, count) == values[start:start + count].sum()


WARM_UP = """
import sys, time
from twin import precompile
if sys.argv[1] == "silenced":  # what a command given --quiet does first
    precompile.silence_compiling_notice()
precompile.warm_up(quiet=sys.argv[1] == "quiet", notice_after_s=0.0)
start = time.perf_counter()
precompile.warm_up(notice_after_s=0.0)  # a second call in the same process does nothing
print(f"{time.perf_counter() - start:.6f}")
"""


def test_warm_up_explains_a_pause_unless_quiet_and_runs_once():
    """The pause is explained as what it is: compiling on a cold cache, loading on a warm one (a
    busy machine took over the notice's 2 s to load, and was told this was its first run)."""
    from twin.precompile import COMPILING_NOTICE, LOADING_NOTICE, cache_is_cold, read_signatures

    for mode, expect_notice in (("loud", True), ("quiet", False), ("silenced", False)):
        cold = cache_is_cold(read_signatures())
        done = subprocess.run([sys.executable, "-c", WARM_UP, mode], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert (COMPILING_NOTICE in done.stderr) == (expect_notice and cold), done.stderr
        assert (LOADING_NOTICE in done.stderr) == (expect_notice and not cold), done.stderr
        assert float(done.stdout.split()[-1]) < 0.01


def test_kernel_cache_follows_every_source_file(tmp_path):
    """Numba alone would reuse a kernel compiled against an older `vocabulary.py`; the cache folder
    is named after all the package's sources, so editing any of them starts a fresh cache."""
    from twin.compiled import source_digest

    (tmp_path / "a.py").write_text("ACTIVE = 0\n")
    (tmp_path / "b.py").write_text("def f():\n    return 1\n")
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    (tmp_path / "a.py").write_text("ACTIVE = 1\n")
    assert source_digest(tmp_path) != first
    (tmp_path / "a.py").write_text("ACTIVE = 0\n")
    assert source_digest(tmp_path) == first
    (tmp_path / "c.py").write_text("")
    assert source_digest(tmp_path) != first


def test_the_caches_of_the_sources_used_last_are_kept_and_older_ones_removed(tmp_path, monkeypatch):
    """Going back to a version run recently (an edit tried, then undone) loads its kernels again."""
    import os

    from twin import compiled

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(compiled, "PACKAGE", tmp_path)
    (tmp_path / "a.py").write_text("ACTIVE = 0\n")
    kernels = tmp_path / "__pycache__" / "kernels"
    for age, name in enumerate(("newer", "older", "oldest", "current")):
        (kernels / name / "module").mkdir(parents=True)
        (kernels / name / "module" / "kernel.nbi").write_bytes(b"")  # compiled kernels in it
        os.utime(kernels / name, (1e9 - age * 1e6, 1e9 - age * 1e6))
    # versions only imported (`twin docs`): an empty folder, which does not push a compiled one out
    (kernels / "imported_today").mkdir()
    (kernels / "imported_long_ago").mkdir()
    os.utime(kernels / "imported_long_ago", (1e9 + 1e6, 1e9 + 1e6))
    (kernels / "vanishing").symlink_to(tmp_path / "gone")  # as a cache another process removes meanwhile
    monkeypatch.setattr(compiled, "source_digest", lambda folder=None: "current")
    folder = compiled.cache_folder()
    (kernels / "vanishing").unlink()
    assert folder == kernels / "current"
    kept = sorted(p.name for p in kernels.iterdir())
    assert kept == sorted(["current", "newer", "older", "imported_today"])  # KEPT_CACHES compiled ones
    assert compiled.KEPT_CACHES == 3
    assert (kernels / "current").stat().st_mtime > 1e9  # used now: the newest of them
    monkeypatch.setattr(compiled, "source_digest", lambda folder=None: "edited")  # an edit: a new source
    compiled.cache_folder()
    assert sorted(p.name for p in kernels.iterdir()) == ["current", "imported_today", "newer"]  # not made yet
    (kernels / "edited").mkdir()  # made, then only imported: the compiled ones stay
    compiled.cache_folder()
    assert sorted(p.name for p in kernels.iterdir()) == ["current", "edited", "imported_today", "newer"]


def test_a_cache_removed_while_it_is_read_is_skipped(tmp_path, monkeypatch):
    """Processes starting together (a comparison's workers after an edit) prune the same caches: a
    folder removed by one while another looked for compiled files in it raised FileNotFoundError
    from `import twin.compiled`."""
    from pathlib import Path

    from twin import compiled

    def removed(self, pattern):
        raise FileNotFoundError(2, "No such file or directory", str(self / "module"))

    monkeypatch.setattr(Path, "rglob", removed)
    assert compiled._holds_kernels(tmp_path) is False


def test_a_read_only_install_in_a_home_that_cannot_be_written_caches_in_the_temporary_folder(tmp_path, monkeypatch,
                                                                                               capsys):
    """A read-only package folder and home (a container run as another user): numba could cache
    nowhere and the first import stopped with a traceback. An unwritable NUMBA_CACHE_DIR is said."""
    import os
    import tempfile

    from twin import compiled

    package, home, temporary = tmp_path / "package", tmp_path / "home", tmp_path / "tmp"
    for folder in (package, home, temporary):
        folder.mkdir()
    real_access = os.access
    # (as root, permissions stop no write: the read-only places are said by os.access, as a mount's would be)
    monkeypatch.setattr(os, "access", lambda path, mode: not str(path).startswith((str(package), str(home)))
                        and real_access(path, mode))
    monkeypatch.setattr(compiled, "PACKAGE", package)
    monkeypatch.setattr(compiled, "source_digest", lambda folder=None: "digest")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(temporary))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    folder = compiled.cache_folder()
    assert folder.parent.parent == temporary and folder.name == "digest"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(home / "numba"))
    assert compiled.cache_folder().parent.parent == temporary
    assert f"NUMBA_CACHE_DIR={home / 'numba'} cannot be written" in capsys.readouterr().err
    # only a folder of this user's own: one others can write to (made by another user, say) is refused
    folder.parent.chmod(0o777)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert compiled.cache_folder().parent.parent != temporary
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # a writable user cache comes first
    assert compiled.cache_folder() == tmp_path / "xdg" / "soc-twin" / "kernels" / "digest"


def test_minimum_and_maximum_decide_as_numpy():
    values = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan]
    for a in values:
        for b in values:
            for ours, theirs in ((minimum, np.minimum), (maximum, np.maximum)):
                got, expected = ours(a, b), theirs(np.array([a] * 16), np.array([b] * 16))[0]
                assert (np.isnan(got) and np.isnan(expected)) or (got == expected and np.signbit(got) == np.signbit(expected)), (a, b)


@numba.njit
def _draws(handle, scale, out):
    rng = as_generator(handle)
    for i in range(scale.size):
        out[3 * i] = rng.random()
        out[3 * i + 1] = rng.gamma(2.0, scale[i])
        out[3 * i + 2] = rng.normal(1.0, 2.0)


def test_a_generator_handle_draws_numpys_numbers_from_the_generators_own_state():
    scale = np.random.default_rng(0).choice([75.0, 48.0, 24.0, 9.0], size=2000)
    compiled, reference = np.random.default_rng(11), np.random.default_rng(11)
    out = np.empty(3 * scale.size)
    _draws(generator_argument(compiled), scale, out)
    expected = np.empty(3 * scale.size)
    for i in range(scale.size):
        expected[3 * i] = reference.random()
        expected[3 * i + 1] = reference.gamma(2.0, scale[i])
        expected[3 * i + 2] = reference.normal(1.0, 2.0)
    assert np.array_equal(out, expected)
    assert compiled.random() == reference.random()  # the kernel advanced the generator itself
    assert generator_argument(compiled) is generator_argument(compiled)  # one handle per generator



@numba.njit
def _uniform_draws(handle, scale, out):
    rng = as_generator(handle)
    for i in range(scale.size):
        out[4 * i] = uniform(rng)
        out[4 * i + 1] = rng.gamma(2.0, scale[i])
        out[4 * i + 2] = uniform(rng)
        out[4 * i + 3] = rng.normal(1.0, 2.0)


@numba.njit
def _uniforms_unboxed(rng, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform(rng)
    return out


def test_uniform_draws_numpys_numbers_inline_from_a_pcg64_and_through_numpy_otherwise():
    """`uniform` computes a PCG64's draw in the kernel (the handle's tag), between draws numba
    makes through numpy's functions (gamma, normal) and numpy's own: the same numbers and the
    same state after. Other bit generators, and a generator passed itself, draw through numpy."""
    assert pcg64_draws_inline()  # numpy's PCG64 as `uniform` reads it (else draws go through numpy)
    scale = np.random.default_rng(0).choice([75.0, 48.0, 24.0, 9.0], size=2000)
    for bit_generator in (np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.PCG64DXSM):
        compiled, reference = np.random.Generator(bit_generator(5)), np.random.Generator(bit_generator(5))
        handle = generator_argument(compiled)
        assert handle[4] == (PCG64_TAG if bit_generator is np.random.PCG64 else 0)
        compiled.random(3), reference.random(3)
        out = np.empty(4 * scale.size)
        _uniform_draws(handle, scale, out)
        expected = np.empty(4 * scale.size)
        for i in range(scale.size):
            expected[4 * i] = reference.random()
            expected[4 * i + 1] = reference.gamma(2.0, scale[i])
            expected[4 * i + 2] = reference.random()
            expected[4 * i + 3] = reference.normal(1.0, 2.0)
        assert np.array_equal(out, expected), bit_generator
        assert np.array_equal(compiled.random(5), reference.random(5))  # the kernel left the state as numpy would
    unboxed, reference = np.random.default_rng(9), np.random.default_rng(9)
    assert np.array_equal(_uniforms_unboxed(unboxed, 500), reference.random(500))
    assert uniform(reference) == unboxed.random()  # plain Python: `rng.random()`

LINKING = """
import numba, numpy as np
from twin.shared_kernels import array_sum
values = np.arange(20.0)
assert array_sum(values) == values.sum()
library = array_sum.overloads[array_sum.signatures[0]].library
print("loaded_from_cache", hasattr(library, "_twin_bitcode"), library._shared_module is None)

@numba.njit
def twice_the_sum(values):  # compiled now: links array_sum's library, parsed on demand
    return 2.0 * array_sum(values)

print("linked", twice_the_sum(values) == 2.0 * values.sum())
"""


def test_a_kernel_loaded_from_the_cache_keeps_bitcode_and_links_when_called_from_new_code():
    outputs = [subprocess.run([sys.executable, "-c", LINKING], capture_output=True, text=True, check=True).stdout
               for _ in range(2)]  # the first run may compile and cache array_sum; the second loads it
    lines = dict(line.split(" ", 1) for line in outputs[1].splitlines())
    assert lines["loaded_from_cache"] == "True True"
    assert lines["linked"] == "True"
