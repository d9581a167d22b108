"""`twin bench`: set-up and run times, throughput, memory, and the plain-Mesa comparison.

Figures (all on the built-in UK scenario defaults, one process, one core):
- setup_s: building a model (register, populations, first market clearing), median;
- run_monthly_10y_s: 120 monthly steps, median of `reps` runs;
- run_weekly_10y_s: 520 weekly steps, median of 3 runs;
- run_monthly_10y_with_spin_up_s, run_weekly_10y_with_spin_up_s: the same runs after the default
  spin-up (`scenario.SPIN_UP_YEARS`, 96 monthly or 416 weekly steps more), as `twin run` and every
  scenario-driven command run them: the time a user waits for a 10-year run;
- member_steps_per_s: members (not exited) processed per second in the monthly runs;
- peak_rss_mb: peak resident memory of one monthly run in a fresh process (imports included);
- plain_mesa_member_steps_per_s: the plain-Mesa reference (`plain_mesa.py`: one `mesa.Agent` per
  member and per OCG running five core rules: offending, recruitment, arrest, prison, release);
- speedup_vs_plain_mesa (the target): member-steps a second of the whole twin step, all its
  processes, over the reference's; with the lowest and highest pair (see `_paired_speedup`);
- same_rules_on_arrays_member_steps_per_s, same_rules_speedup_vs_plain_mesa: a diagnostic, the
  reference's five rules written on the twin's arrays (`core_rules.py`, tested to give the same
  counts as the reference) over the reference: what the array layout alone buys, like for like.
  It is not the twin's speed: the twin's step does far more per member-step than these rules;
- run_monthly_10y_all_levers_s: the monthly run with every lever type active at once;
- lever_machinery_share: the share of that run spent applying levers (the rest of any slowdown
  is the extra activity the levers cause: more operations, arrests and trials).
- step_ms_uk, step_ms_small: milliseconds per monthly step at UK scale and for a register of
  50 known OCGs (about 60 groups and 1,000 members at the start, about 300 groups and 2,300
  members on average over the run as groups enter). The small run is the step's fixed cost,
  much the same whatever the population: the thousands of numpy calls a step makes, each with a
  few microseconds of overhead. The difference is the cost that grows with the population.

Profile (py-spy at 500 Hz over five UK runs; line-level): no line takes more than 4% of a run.
About a third of a UK step is the fixed cost above (`step_ms_small`, 4.3-6.4 ms of 15-18 ms on a
slower host, about 2 ms of 7 ms on a faster one); the rest is passes over about 100,000 member
rows and 6,000 OCG rows. Pure-Python overhead was a
large part of the fixed cost: reading table columns through a descriptor and parameters through
`__getattr__` cost 7.1 ms -> 4.3-4.7 ms of it; columns and parameters are now plain attributes.
That change also made the plain-Mesa reference about 2.6 times faster (it read parameters for
every agent at every step), so speed-ups measured before it (28-42 times) flattered the twin; the
reference now reads its rates once per step, as careful Mesa code would. Lessons kept in the code:
count members once per step (`TwinModel.take_census`); draw rare member events from geometric gaps
(`streams.bernoulli_positions`), never one uniform per member; keep one index of active rows per
step (`TwinModel.active_rows`) and re-check status on the few rows drawn; find the members of the
groups a phase works on in one pass (`succession._member_rows_in`, `justice.courts_and_prisons`); extend
caches rather than rebuild them when groups are added (the portfolio entries of `operations.py`,
`metrics.population_shares`); rank tasking lists once and radix-sort small integer keys
(`policing.task`); draw only where a distribution can be non-zero (`violence`). A further halving
would need the fixed cost gone, i.e. a compiled step. Slow numpy idioms found later (numpy 2.4,
same results): a boolean mask as an index is about 4 times slower than `np.compress` on large
arrays with mixed masks (`justice`); the two-array fancy index `a[area, market]` about 5 times
slower than `a.take(flat_index)` (`operations.operate`, `supply_cells`); a sum along a short last
axis (`by_role.sum(axis=1)`) about 8 times slower than adding the columns (`take_census`); `np.r_`
costs microseconds of Python per call. A later pass on the fixed cost (same results): `Generator.choice`
with `p` spends about 6 us checking `p` (`streams.choice` makes the same draws without);
`np.flatnonzero` and `np.clip` are Python wrappers costing about 1 us a call (`x.nonzero()[0]`,
`a.clip`, and min/max for scalars); `Markets.vacancy` is computed once per clearing; the tally
is one [name, area] array and the member counts one product. Tried without a measurable gain:
passes over the open county lines only (full passes over ~10,000 rows cost about what finding
the open ones costs) and one pass for the portfolio cache's changed and new groups.

The compiled step (`compiled.py`): every phase's loops became numba kernels with results
unchanged to the last bit (tested against the same run uncompiled), which took a UK step from
6.25 to about 3.3 ms of CPU and the small register's from 1.9 to 1.2 ms. What it taught:
a `numpy.random.Generator` passed to a kernel costs about 6 us to unbox when warm and tens of
microseconds inside a step (cold caches), so phases draw in numpy and pass arrays where the count
of draws is known first (adaptation, intelligence), and justice passes a handle to the stream;
numpy sums more than 8 floats pairwise (`shared_kernels.pairwise_sum` reproduces it); numpy's SIMD
`exp`, `log` and non-integer powers can differ from the C library's in the last bit, so they stay
in numpy; numba's `Generator.poisson` differs from numpy's for means of 10 or more
(`streams.poissons` is numpy's algorithm); a recursive kernel crashed when loaded from numba's
cache; numpy's `argsort` beat every sort written as a kernel.

Glue removed next (same results; 3.3 -> 2.6 ms a UK step, 1.2 -> 0.8 ms for the small register):
a native profile (py-spy --native) put only 43% of the step inside kernels, the rest in numpy
calls (30%), Python (17%) and numba's dispatch (10%). Most phases are now one kernel call taking
their streams as handles (`compiled.generator_argument`), with the draws, tallies and small
numpy steps inside; working arrays are reused between steps (`operations.OperationsRoom`, the
per-group step arrays' buffers); no phase copies the list of active rows to append the step's
new members (`streams.thinned_listed` reads it in two parts). Still in numpy: BLAS products,
non-integer powers and `argsort`. numpy fills an array of uniforms about twice as fast as a
kernel draws them one at a time through numba's generator (1.9 against 3.8 ns), so a phase that
needs one per group draws them in numpy first (`policing.intelligence`). What is left is 63%
kernel time and flat: about 20 phases of 0.05-0.35 ms each, mostly passes over the member rows
bound by memory reads (courts, census, operations, succession) and the draws themselves.

A further pass on the glue (same results, py-spy line and native profiles, each phase timed in
the run; about 0.3 ms of a UK step): enabler turnover was five passes over the ~10,000 links a step
(lost groups, dead links, spent links, services, each with [kind, group] arrays): now one pass
setting a byte of flags per group (`enablers._relink`), whose flags give the services and the
spent links too; `Generator.binomial` on an array of 3 costs about 9 us against 2 us for three
scalar calls (the same draws: numpy's array call draws element by element from the same state);
one `pareto` draw for all kinds gives the draws one per kind gives; `np.unique` on a few rows
costs about 10 us of wrapper (`shared_kernels.sorted_unique`). `market_exit_step` took a power per
draw that depends only on the market: taken once per market now (the same operation on the same
numbers, so the same bits), it gained only about 10 us; the kernel's 60 us are its pass over the
portfolios and its draws. Still unchanged: `Table.append` (about 15 us a call in the run, 7-8 calls a step, most of it numpy's
slice assignment per column and the views' refresh) and `grow_ocg_arrays`' copies of the step
arrays the phases replace anyway.

The courts with a capacity (same results; courts_and_prisons 0.66 -> 0.41 ms a UK step in the run):
a phase timed warm on one saved state (0.33 ms) hid what the run paid in its first 50 steps, when
the remand places are full and the hearings over capacity: two mergesort argsorts over the ~7,000
remanded every step (0.36 ms) to bail a few dozen, and sorts of the ready cases. Choosing the
first `count` by a stable order needs no sort: whole roles while they fit, then a partition
(`shared_kernels.smallest_rows`: the k-th smallest as threshold, ties in row order, as a stable sort takes
them; NaN left to the sort) and merges of row lists already in order (`shared_kernels.merged_rows`). Time
phases over whole runs, step by step, not only at one state. The rest of the courts is bound by
memory reads in the run (each pass gathers from 840 KB columns at rows ~5-9 apart: about twice
its warm time): reading the bail flags as bytes (an OR, no status test) saved a third of the first pass; splitting
the prisoners with one store instead of two, and a census with four histogram copies (no
store-to-load chains), gained nothing worth keeping.

Narrower columns (same results): the members' group column as int32 rather than int64 took a UK
step from about 2.94 to 2.85 ms (the passes over the member rows read it most: courts, census,
investigations, succession, desistance). The same for the groups' area column gained under 1%,
within the noise, and was not kept. On another host numba's `rng.random()` one at a time was
about as fast as numpy's `rng.random(n)` (6,000 draws: 12.8 against 14.1 us), so drawing uniforms
in numpy first (above) gains only on some hosts.

Memory: numba keeps every cached kernel's parsed LLVM module in case new code links it, about
20 MB for a run's 70 kernels; `compiled.py` keeps the bitcode bytes and parses on demand
(301.5 -> 279 MB peak). Of a run's peak (about 290 MB measured with the test extras installed),
imports take about 210 MB: numpy 28, pandas 76 (35 of them pyarrow, which pandas imports whenever
it is installed: a plain `pip install -e .` leaves it out, and its runs peak about 35 MB lower),
numba and llvmlite 56, Mesa 41 (it imports pandas, scipy and networkx itself); building the UK
model (register, arrays, kernels loaded from the cache) about 75 MB, and the 120 steps about 9.

Where a UK step's time goes, phase by phase (`twin bench --phases`, `phase_times`: each phase
timed over three 10-year runs after the spin-up, on a host where a UK step took about 3.0 ms
with the timers, the small register's 0.75): every phase grows with the population, none dominates.
Courts 0.32 ms (0.03 for the small register), completing operations 0.26 (0.06), tasking 0.22
(0.02), enabler renewal 0.21 (0.05), operations 0.21 (0.07), census 0.20 (0.01), recruitment 0.20
(0.03), succession 0.18 (0.03), market exit 0.15, metrics 0.14, desistance 0.14, intelligence 0.13,
violence 0.12, and seven more under 0.12 each. Fifty times the plain-Mesa reference needs about
0.8-0.9 ms for the whole step: every phase would have to shrink about 3.5 times, the group-level
ones (tasking, renewal, intelligence, violence; 6,200 groups against 370) as much as those over the
105,000 member rows. A numba call costs about 55 ns per array argument (measured), so dispatch is
not the fixed cost either.
Measured again later with `twin bench --phases` (a UK step 2.67 ms with the timers on a faster
host): courts 0.33 ms, completing operations 0.25, intelligence 0.24, recruitment 0.19, tasking
0.19, enabler renewal 0.18, operations 0.15, succession 0.14, census 0.13, market exit 0.12,
violence 0.12, desistance 0.11, and sixteen more at 0.09 or less; 0.05 ms outside the phases.

Counted rather than timed (cProfile over 24 UK steps, so the profiler's own cost does not matter):
a step makes about 950 Python-level calls, 72 of them numba unpickling the objects its kernels
return (about 0.03 ms) and 15 numba event notifications (0.04 ms). A native profile (py-spy
--native, five 10-year UK runs) puts 32% of the step in compiled kernels, 22% in numpy's own
calls, 20% in the project's Python lines, 10% in the C library (allocation and copies) and 5% in
numba's dispatch: no single call or line is worth more than 2%. The 50-times target needs about
1.3 ms a step against about 3.3 on the same host; only a step with no Python between its phases (one
compiled function holding the model's state) would reach it.

The same native profile taken again later (py-spy --native at 400 Hz, seven 10-year UK runs in one
process, 2.56 ms a step): 47% of the step in compiled kernels, 18% in numpy's calls, 18% in the
project's Python lines, 9% in the C library, 4.5% loading kernels from the cache (once per process,
in its first run) and 1% in numba's dispatch. Kernels alone are thus about 1.2 ms of a step: a step
with every bit of glue gone would still be about 35 times the reference, not 50. The bound is
memory: 50 times the reference is about 10 ns a member-step for all ~25 processes, while one pass
over the ~100,000 member rows reading two or three columns costs about 0.05-0.1 ms. The target
needs the member-level processes fused into a few passes (one loop over the members doing what
courts, census, desistance, succession and the investigations' member searches now do in
passes of their own), which changes the order of draws and so every result: a redesign of the
step, not a tuning of it.

That bound took the kernels' time as their floor, and one was not near it (same results, to the
last bit): intelligence took 0.19-0.22 ms of a UK step for about 5,700 groups, some 35 ns a group
for a few multiplications. Its loop called a small kernel per group (`mapping_complements`, nine
array arguments and five numbers) that numba did not turn into straight-line code: the same
arithmetic written in the loop's body runs about twenty times as fast, and with it the phase takes
0.04-0.06 ms (`intelligence_kernels.py`; `inline="always"` on the helper did not help). A UK step
went from about 2.35 to 2.15 ms. The other helpers called in loops are small
(`justice_kernels.member_returns`, `succession._leader_missing`, the streams' draws) or run on a
few rows a step (`metrics.share_bits`, on the groups whose portfolio changed); they were read, not
each timed.

Six changes found by timing each phase over whole runs against its previous version, each checked
bit for bit (results and every state column and stream, seeds 1-5: monthly, weekly, spun up, every
lever type), took a UK step from 4.06 to 3.59 ms median on a loaded host (about 12%): the courts
split statuses with one branch-free store and check early release only when prisons are over
capacity (-0.13 ms); tasking ranks by a radix sort on the score's bits, the exact stable order
argsort gave, falling back to numpy when NaNs tie (`policing.ranked_order`; -0.12 ms); kernels draw
uniforms inline from PCG64's state (`compiled.uniform`, with numpy's layout checked once per
process against numpy's own draws and a fallback through its function; -0.07 ms); market exit
skips groups with nothing to draw (-0.10 ms, noisy); the active-member count and the supply
entries' loops are branch-free or use unsigned indices (-0.07, -0.06 ms). Still about 18-23 times
the reference: the bound above stands. Checked at the same time: no garbage collection runs during
the twin's timed steps of a pair (the reference's objects do not slow the twin's side), and the
twin's steps in the pairs take what they take in a run alone.
"""

from __future__ import annotations

import statistics
import sys
import time

from twin.model import TwinModel
from twin.scenario import SPIN_UP_YEARS


ONE_RUN = "from twin.model import TwinModel\nTwinModel(seed=1, n_steps=120).run()\n"


def _peak_rss_mb(work: str = ONE_RUN) -> float:
    """Peak resident memory of one 10-year monthly UK run (`work`), in a fresh process (imports
    included), which imports this `twin`: it starts in the folder holding this package, since
    `python -c` looks first in the folder it starts in (from another checkout's folder it would
    import, and compile, that one)."""
    import subprocess
    from pathlib import Path

    # On Linux the child reads its own high-water mark (VmHWM): ru_maxrss survives exec and would
    # report the benchmarking parent's size, not the run's. Elsewhere ru_maxrss (bytes on macOS).
    code = ("import resource, sys\n" + work +
            "try:\n    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
            "    print(float(hwm.split()[1]) / 1024)\n"
            "except OSError:\n    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "    print(r / (1024 * 1024) if sys.platform == 'darwin' else r / 1024)\n")
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    return float(result.stdout.split()[-1])


def _all_levers():
    """Every lever type at once (area levers in every area; those that act on groups on the groups
    running county lines): the heaviest lever load."""
    from twin.interventions import LEVER_TYPES
    from twin.scenario_levers import build_levers
    from twin.scenario import Scenario

    # levers that act on groups work on a selection (tasking_priority needs one)
    entries = [{"type": kind, **({"groups": {"county_lines": True}} if cls.acts_on_groups else {})}
               for kind, cls in LEVER_TYPES.items()]
    return build_levers(Scenario(name="all_levers", path="bench", levers=entries))


def _timed_run(seed: int, n_steps: int, step_length: str, levers: bool = False,
               spin_up_years: float = 0.0) -> tuple[float, float, float]:
    """(set-up seconds, run seconds with any spin-up, member-steps of the reported steps)."""
    start = time.perf_counter()
    model = TwinModel(seed=seed, n_steps=n_steps, step_length=step_length, levers=_all_levers() if levers else None,
                      spin_up_years=spin_up_years)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    model.run()
    run = time.perf_counter() - start
    member_steps = float(model.results.series("members_active").sum()
                         + model.results.series("members_prison").sum()
                         + model.results.series("members_charged").sum()
                         + model.results.series("members_released").sum())
    return setup, run, member_steps


def run_bench(reps: int = 5, plain_mesa_steps: int = 7) -> dict[str, float]:
    _timed_run(0, 12, "month")  # warm up imports and caches
    monthly = [_timed_run(seed, 120, "month") for seed in range(1, reps + 1)]
    weekly = [_timed_run(seed, 520, "week") for seed in range(1, 4)]
    monthly_spun = [_timed_run(seed, 120, "month", spin_up_years=SPIN_UP_YEARS)[1] for seed in range(1, reps + 1)]
    weekly_spun = [_timed_run(seed, 520, "week", spin_up_years=SPIN_UP_YEARS)[1] for seed in range(1, 4)]
    with_levers = [_timed_run(seed, 120, "month", levers=True) for seed in range(1, reps + 1)]
    lever_time = _lever_machinery_time(reps)
    run_monthly = statistics.median(r[1] for r in monthly)
    member_steps_per_s = statistics.median(r[2] / r[1] for r in monthly)
    peak = _peak_rss_mb()
    paired = _paired_speedup(plain_mesa_steps)
    small = statistics.median(_small_run_seconds(seed) for seed in range(1, 4))
    return {
        "setup_s": round(statistics.median(r[0] for r in monthly), 4),
        "run_monthly_10y_s": round(run_monthly, 4),
        "run_weekly_10y_s": round(statistics.median(r[1] for r in weekly), 4),
        "run_monthly_10y_with_spin_up_s": round(statistics.median(monthly_spun), 4),
        "run_weekly_10y_with_spin_up_s": round(statistics.median(weekly_spun), 4),
        "member_steps_per_s": round(member_steps_per_s),
        "peak_rss_mb": round(peak, 1),
        "plain_mesa_member_steps_per_s": round(paired["plain"]),
        "speedup_vs_plain_mesa": round(paired["whole"], 1),
        "speedup_vs_plain_mesa_pair_range": paired["whole_range"],
        "same_rules_on_arrays_member_steps_per_s": round(paired["arrays"]),
        "same_rules_speedup_vs_plain_mesa": round(paired["same"], 1),
        "same_rules_speedup_pair_range": paired["same_range"],
        "run_monthly_10y_all_levers_s": round(statistics.median(r[1] for r in with_levers), 4),
        "lever_machinery_share": round(lever_time, 4),
        "step_ms_uk": round(1000 * run_monthly / 120, 2),
        "step_ms_small": round(1000 * small / 120, 2),
        "monthly_runs": reps,
        "weekly_runs": 3,
        "speedup_pairs": plain_mesa_steps,
    }


#: steps both reference models run before timing: past the fresh start (no vacancies yet, no
#: releases) into the regime they run in, with recruitment, releases and compaction all under way
REFERENCE_WARM_UP_STEPS = 30
#: steps of each implementation timed per pair
REFERENCE_STEPS_PER_PAIR = 5


def _paired_speedup(pairs: int) -> dict[str, object]:
    """Throughputs of the plain-Mesa reference, of the same rules on arrays and of the whole twin
    step, and the speed-ups, timed in pairs.

    Both reference models first run `REFERENCE_WARM_UP_STEPS` steps. Each pair then times 5 steps
    of the reference (`plain_mesa.py`), 5 steps of the same rules on the twin's arrays
    (`core_rules.py`) and 12 steps of a 10-year monthly twin run, back to back, so that all three
    see the host at much the same speed. The figures are medians of the pairs; the ranges are the
    lowest and highest pair (a busy host slows the reference's Python objects more than the
    twin's numpy passes, so the ratios rise when the host is busy).
    """
    from twin import core_rules, plain_mesa

    reference = plain_mesa.PlainMesaModel(1)
    arrays = core_rules.CoreRulesModel(1)
    _timed_steps(reference, REFERENCE_WARM_UP_STEPS)
    _timed_steps(arrays, REFERENCE_WARM_UP_STEPS)
    twin = TwinModel(seed=1, n_steps=12 * (pairs + 1))
    for _ in range(12):
        twin.step()
    plain_rates, array_rates, twin_rates = [], [], []
    for _ in range(pairs):
        member_steps, seconds = _timed_steps(reference, REFERENCE_STEPS_PER_PAIR)
        plain_rates.append(member_steps / seconds)
        member_steps, seconds = _timed_steps(arrays, REFERENCE_STEPS_PER_PAIR)
        array_rates.append(member_steps / seconds)
        before = twin.steps_done
        start = time.perf_counter()
        for _ in range(12):
            twin.step()
        elapsed = time.perf_counter() - start
        twin_steps = sum(float(twin.results.series(name)[before:twin.steps_done].sum()) for name in
                         ("members_active", "members_prison", "members_charged", "members_released"))
        twin_rates.append(twin_steps / elapsed)
    whole = [t / p for t, p in zip(twin_rates, plain_rates)]
    same = [a / p for a, p in zip(array_rates, plain_rates)]
    return {"plain": statistics.median(plain_rates), "arrays": statistics.median(array_rates),
            "whole": statistics.median(whole), "whole_range": [round(min(whole), 1), round(max(whole), 1)],
            "same": statistics.median(same), "same_range": [round(min(same), 1), round(max(same), 1)]}


def _timed_steps(model, steps: int) -> tuple[int, float]:
    """`steps` steps of either implementation: (member-steps, seconds). Members are counted before
    each step, outside the timed region, in the same way for both."""
    member_steps, seconds = 0, 0.0
    for _ in range(steps):
        member_steps += model.member_count()
        start = time.perf_counter()
        model.step()
        seconds += time.perf_counter() - start
    return member_steps, seconds


def _small_run_seconds(seed: int) -> float:
    """A 10-year monthly run from a register of 50 known OCGs: the step's fixed cost."""
    from twin.parameters import Parameters

    params = Parameters({"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
                         "soc_awaiting_trial_initial": 50}, where="bench")
    model = TwinModel(params=params, seed=seed, n_steps=120)
    start = time.perf_counter()
    model.run()
    return time.perf_counter() - start


def _lever_machinery_time(reps: int) -> float:
    """Share of an all-levers run spent in the levers themselves (their `apply`), not in the
    extra activity their effects cause (more operations, arrests, trials)."""
    import twin.interventions as interventions

    spent = [0.0]
    original = interventions.Lever.apply

    def timed(self, model):
        start = time.perf_counter()
        original(self, model)
        spent[0] += time.perf_counter() - start

    interventions.Lever.apply = timed
    try:
        total = sum(_timed_run(seed, 120, "month", levers=True)[1] for seed in range(1, max(2, reps // 2) + 1))
    finally:
        interventions.Lever.apply = original
    return spent[0] / total


TARGETS = {"setup_s": ("<=", 0.5), "run_monthly_10y_s": ("<=", 1.0), "run_weekly_10y_s": ("<=", 4.0),
           "run_monthly_10y_with_spin_up_s": ("<=", 1.0), "run_weekly_10y_with_spin_up_s": ("<=", 4.0),
           "peak_rss_mb": ("<=", 300.0), "speedup_vs_plain_mesa": (">=", 50.0), "lever_machinery_share": ("<=", 0.2)}


def format_bench(figures: dict[str, float]) -> str:
    width = max(len(key) for key in figures)
    lines = [f"{'figure':{width}s} {'value':>14s}  target"]
    for key, value in figures.items():
        target = TARGETS.get(key)
        verdict = ""  # figures without a target (diagnostics) print none
        if target:
            op, limit = target
            ok = value <= limit if op == "<=" else value >= limit
            verdict = f"{op} {limit:g}  {'met' if ok else 'MISSED'}"
        if isinstance(value, list):
            shown = " to ".join(f"{v:.4g}" for v in value)
        else:
            shown = f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"
        lines.append(f"{key:{width}s} {shown:>14s}  {verdict}")
    return "\n".join(lines)


# ------------------------------------------------------------------ where a step's time goes

#: the phases of `TwinModel._step`, in its order, as (where the step finds it, name): a module
#: whose function the step calls through the module, `twin.model` for a function it imported by
#: name, or a class whose method it calls; `phase_times` puts a timer around each
PHASES = (
    ("twin.model", "finalise_modifiers"), ("twin.justice", "redraw_direction"),
    ("twin.markets:Markets", "update_demand"), ("twin.operations", "operate"), ("twin.model", "renew"),
    ("twin.model", "violence"), ("twin.recruitment", "come_of_age"), ("twin.recruitment", "update_targets"),
    ("twin.recruitment", "recruit"), ("twin.recruitment", "exploitation_and_desistance"),
    ("twin.policing:Police", "investigators"), ("twin.policing", "intelligence"),
    ("twin.investigations", "progress_operations"), ("twin.investigations", "complete_operations"),
    ("twin.investigations", "street_arrests"), ("twin.policing", "task"), ("twin.justice", "courts_and_prisons"),
    ("twin.succession", "groups_in_transition"), ("twin.adaptation", "entry"),
    ("twin.model", "check_population"), ("twin.county_lines", "step"),
    ("twin.adaptation", "displacement_and_learning"), ("twin.adaptation", "market_exit"),
    ("twin.community", "update_trust"), ("twin.model:TwinModel", "_compact_members"),
    ("twin.model:TwinModel", "take_census"), ("twin.model", "compute_metrics"),
    ("twin.model:TwinModel", "grow_ocg_arrays"),
)


def phase_times(runs: int = 3, years: int = 10) -> dict[str, float]:
    """Milliseconds a monthly UK step spends in each phase (`PHASES`), over `runs` runs of `years`
    after the default spin-up (seeds 1, 2, ...), each phase timed in the run around each call:
    `step` is the whole step with the timers on (they add about a microsecond a call), `other` what
    no phase holds (the levers' loop, the tally's reset, recording the results)."""
    import importlib
    from collections import Counter
    from contextlib import ExitStack
    from unittest import mock

    from twin.precompile import warm_up

    warm_up(quiet=True)  # compiling is not a phase
    spent: Counter = Counter()  # seconds in each phase since the last clear
    reported: Counter = Counter()  # over the reported steps of every run

    inside = [0]  # phases running: one a phase calls (such as `grow_ocg_arrays`) counts in its caller only

    def timed(label, function):
        def phase(*args, **kwargs):
            if inside[0]:
                return function(*args, **kwargs)
            inside[0] += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start
                inside[0] -= 1
        return phase

    whole, steps = 0.0, 0
    with ExitStack() as stack:
        for where, name in PHASES:
            module, _, owner = where.partition(":")
            target = getattr(importlib.import_module(module), owner) if owner else importlib.import_module(module)
            function = getattr(target, name)
            label = f"{owner}.{name}" if owner else f"{function.__module__.removeprefix('twin.')}.{name}"
            stack.enter_context(mock.patch.object(target, name, timed(label, function)))
        for seed in range(1, runs + 1):
            model = TwinModel(seed=seed, n_steps=12 * years, spin_up_years=SPIN_UP_YEARS)
            while model.steps_done < 0:  # the spin-up, not timed
                model.step()
            spent.clear()
            start = time.perf_counter()
            for _ in range(12 * years):
                model.step()
            whole += time.perf_counter() - start
            steps += 12 * years
            reported.update(spent)
    per_step = {label: 1e3 * seconds / steps for label, seconds in reported.most_common()}
    return {"step": 1e3 * whole / steps, **per_step, "other": 1e3 * whole / steps - sum(per_step.values())}


def format_phases(times: dict[str, float]) -> str:
    """`phase_times` as a table: milliseconds a step and share of the step, largest first."""
    step = times["step"]
    width = max(len(label) for label in times)
    lines = [f"{'phase':{width}s} {'ms/step':>8s} {'share':>6s}"]
    for label, ms in times.items():
        lines.append(f"{label:{width}s} {ms:8.3f} {ms / step:6.1%}")
    return "\n".join(lines)

