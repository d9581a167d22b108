"""Global sensitivity analysis: Sobol first- and total-order indices of key outcomes.

`twin sensitivity CONFIG.toml` samples the uncertain parameters named in the configuration
(uniform over their ranges; lever effect sizes are named `lever.<lever name>.<setting>`), runs the
baseline and each comparison scenario on a sample's seed (chosen by a further factor, `SEED_FACTOR`,
the noise floor, unless `seed_factor = false`), and computes with `scipy.stats.sobol_indices`
(Saltelli sampling, bootstrap 90% intervals) the indices of:
cumulative discounted harm, response cost and net social cost, active OCGs and members at the
end, and each comparison scenario's benefit (baseline net social cost minus its own).

`replications = R` makes each sample's outcomes the mean of R runs (on its seed, seed + 1, ...,
seed + R - 1), which lowers the noise floor where a larger n cannot: the floor is the share of an
outcome's variance the seed gives, and averaging R seeds divides that variance by R.

Each finished sample is appended to `sensitivity_runs.jsonl` in the output folder, keyed by a hash
of the configuration (scenarios, parameters and ranges, n, seed, years, model code) and of the
sample: an interrupted run, started again, runs only what is missing and gives the same indices.
The checks of config values at the end of this module are shared with the calibration and
validation experiment configs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin.config_checks import (
    check_design_size, check_horizon, check_input_file, check_parameter_entries, check_seed, check_string, check_tables,
    check_whole_number, check_years, with_seed,
)
from twin.errors import ParameterError, ScenarioError, shown
from twin.lever_uncertainty import TYPE_PREFIX, quantity, type_setting_range, with_type_setting
from twin.parameter_rules import check_sampled_ranges
from twin.parameters import as_sampled, beyond_plausible, parameter_range
from twin.posterior import correlation_warnings, parameter_columns, posterior_interval
from twin.preflight import preflight_warnings
from twin.scenario import Scenario, check_keys, lever_entry_name, load_scenario, read_toml

CONFIG_KEYS = ("scenario", "compare", "years", "n", "seed", "out", "posterior", "seed_factor", "replications")
PARAMETER_KEYS = ("name", "low", "high", "range")
RANGES = ("plausible", "posterior")  # a [[parameter]]'s range: the table's plausible one, or the posterior's 90%
#: the pseudo-factor whose values choose each sample's seed: its total-order index is the noise floor
SEED_FACTOR = "(replication seed)"


@dataclass(frozen=True)
class Uncertain:
    name: str
    low: float
    high: float


def load_config(path: str | Path, n_samples: int | None = None, seed: int | None = None) -> dict:
    """The config at `path`; `n_samples` (`--n`) replaces its `n` before the design's size is checked, `seed`
    (`--seed`) its seed."""
    path = Path(path)
    data = with_seed(read_toml(path, "sensitivity config"), "sensitivity", seed)
    check_tables(path, data, ("sensitivity",), ("parameter",))
    table = data.get("sensitivity", {})
    check_keys(path, "sensitivity", table, CONFIG_KEYS)
    n = table.get("n", 32)
    if isinstance(n, bool) or not isinstance(n, int) or n < 4 or n & (n - 1):
        raise ScenarioError(f"{path}: [sensitivity] n: expected a power of 2 >= 4 (Sobol samples), got {shown(n)}")
    n = n_samples or n
    scenario, compare, years, seed, out = load_scenarios(path, "sensitivity", table, "results/sensitivity")
    entries = data.get("parameter", [])
    check_parameter_entries(path, entries, PARAMETER_KEYS)
    posterior = version_note = None
    if "posterior" in table:
        from twin.posterior import load_posterior

        sample = check_input_file(path, "sensitivity", "posterior", table["posterior"], "posterior sample")
        from twin.ensemble import code_hash
        from twin.posterior import posterior_fit

        _, version_note = posterior_fit(str(sample), code_hash())  # a sample another model's fit gave
        if version_note:
            version_note = version_note.replace(f"--posterior '{sample}'", f"{path}: [sensitivity] posterior", 1)
        particles = Path(sample).with_name("particles.csv")
        if Path(sample).name == "posterior.csv" and particles.is_file():
            # the weighted particles the sample was drawn from, beside it as `twin calibrate` writes them: their
            # intervals are the fit report's (the draws' own differ by the resampling's noise)
            print(f"Note: {path}: [sensitivity] posterior: posterior ranges are read from the weighted particles "
                  f"beside it ({particles}), as the fit report gives them.", file=sys.stderr)
            sample = particles
        posterior = load_posterior(str(sample), f"{path}: [sensitivity] posterior '{sample}'")
    uncertain = listed_ranges(path, entries, compare, posterior)
    if len(uncertain) < 2:
        raise ScenarioError(f"{path}: name at least two [[parameter]] entries")
    check_ranges_together(path, uncertain, [scenario] + compare)
    seed_factor = table.get("seed_factor", True)
    if not isinstance(seed_factor, bool):
        raise ScenarioError(f"{path}: [sensitivity] seed_factor: expected true (each sample on a seed of its own, "
                            f"the seed a factor whose index is the noise floor; the default) or false (every sample "
                            f"on the config's seed), got {shown(seed_factor)}")
    factors = len(uncertain) + seed_factor
    replications = check_whole_number(path, "sensitivity", "replications", table.get("replications", 1), 1, 100)
    check_design_size(path, n * (factors + 2) * (1 + len(compare)) * replications,
                      f"n = {n:,} x ({len(uncertain)} parameters{' + the seed' if seed_factor else ''} + 2) samples "
                      f"x {1 + len(compare)} scenario(s)"
                      + (f" x {replications} replications" if replications > 1 else ""))
    levers = [lever for s in compare for lever in s.levers]
    beyond = [beyond_plausible(u.name, u.low, u.high, levers) for u in uncertain]
    from_posterior = [str(e["name"]) for e in entries if e.get("range") == "posterior"]
    beyond += correlation_warnings(posterior, from_posterior, f"{path}: [[parameter]]") if posterior is not None else []
    beyond += [version_note] if posterior is not None and version_note else []
    return {"scenario": replace(scenario, years=years), "compare": [replace(s, years=years) for s in compare],
            "uncertain": uncertain, "n": n, "seed": seed, "out": out, "seed_factor": seed_factor,
            "replications": replications,
            "warnings": preflight_warnings([scenario, *compare], years, varied={u.name for u in uncertain})
            + [w if w.startswith(f"{path}: ") else f"{path}: [[parameter]] {w}" for w in beyond if w]}


def listed_ranges(path: Path, entries: list[dict], compare: list[Scenario],
                  posterior: pd.DataFrame | None = None) -> list[Uncertain]:
    """The [[parameter]] entries' names and ranges (a lever setting of a compared scenario needs both
    ends). `range = "posterior"` takes a calibrated parameter's range from the posterior sample
    (`posterior`): its 5th to 95th percentile, the 90% credible interval the calibration report gives."""
    from twin.errors import did_you_mean

    levers = [lever for scenario in compare for lever in scenario.levers]
    uncertain = []
    for position, entry in enumerate(entries, start=1):
        where = f"{path}: [[parameter]] #{position}"
        chosen = entry.get("range", "plausible")
        if chosen not in RANGES:
            raise ScenarioError(f"{where}: range: expected \"plausible\" (the parameter table's range, the default) or "
                                f"\"posterior\" (its posterior's 90% credible interval), got {shown(chosen)}"
                                + ("; a calibrated parameter's prior is its plausible range: write \"plausible\""
                                   if str(chosen).strip().lower() == "prior" else did_you_mean(str(chosen), RANGES)))
        if chosen == "posterior":
            if "low" in entry or "high" in entry:
                raise ScenarioError(f"{where}: range = \"posterior\" sets low and high from the posterior sample; "
                                    f"give either the range or low and high")
            if posterior is None:
                raise ScenarioError(f"{where}: range = \"posterior\" needs a posterior sample: add posterior = "
                                    f"\"posterior.csv\" (a file as `twin calibrate` writes) to [sensitivity]")
            name = str(entry["name"])
            if name not in parameter_columns(posterior):
                raise ScenarioError(f"{where}: range = \"posterior\": the posterior sample has no column {name!r} "
                                    f"(it has: {', '.join(map(str, parameter_columns(posterior)))})")
            low, high = posterior_interval(posterior, name)
            if not low < high:
                raise ScenarioError(f"{where}: range = \"posterior\": the posterior sample has no spread for {name!r} "
                                    f"(its 5th and 95th percentiles are both {low:g}); give low and high instead")
            entry = {"name": name, "low": float(f"{low:.6g}"), "high": float(f"{high:.6g}")}
        if str(entry.get("name")).startswith(TYPE_PREFIX):
            uncertain.append(Uncertain(*type_setting_range(entry, where, levers)))
            twice = [u.name for u in uncertain[:-1] if u.name.startswith(TYPE_PREFIX)
                     and quantity(u.name) == quantity(uncertain[-1].name)]
            if twice:
                raise ScenarioError(f"{where}: {uncertain[-1].name!r} is the quantity {twice[0]!r} already sets "
                                    f"(the two lever types share it: {quantity(twice[0])}); list it once")
            continue
        try:
            uncertain.append(Uncertain(*parameter_range({k: v for k, v in entry.items() if k != "range"}, where,
                                                        levers)))
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
    return uncertain


def check_ranges_together(path: Path, uncertain: list[Uncertain], scenarios: list[Scenario]) -> None:
    """Ranges whose values could not hold together (`check_sampled_ranges`), in any scenario's own values."""
    try:
        for every in scenarios:  # each scenario's own values for the pairs not sampled
            check_sampled_ranges({u.name: (u.low, u.high) for u in uncertain}, f"{path}: [[parameter]]",
                                 every.build_parameters())
    except ParameterError as exc:
        raise ScenarioError(str(exc)) from None


def load_scenarios(path: Path, section: str, table: dict, default_out: str):
    """The scenario, the compared scenarios, the horizon, the seed and the output folder of a
    `[section]` table (sensitivity, screening): the keys `scenario`, `compare`, `years`, `seed`, `out`."""
    years = check_years(path, section, table.get("years", 5))
    seed = check_seed(path, section, table.get("seed", 1))
    out = check_string(path, section, "out", table.get("out", default_out), "a folder name in quotes")
    default = "../scenarios/baseline.toml"  # beside the shipped configs' folder (calibration/)
    if "scenario" not in table and not (path.parent / default).is_file():  # the default, not written by the user
        raise ScenarioError(f"{path}: [{section}] scenario: not given, and the default, '{default}' from the file's "
                            f"folder ({(path.parent / default).resolve()}), is not there; name the scenario file, "
                            f"e.g. scenario = \"scenarios/baseline.toml\" (relative to the file's folder)")
    scenario_file = check_input_file(path, section, "scenario", table.get("scenario", default), "scenario file")
    compared = table.get("compare", [])
    if not isinstance(compared, list):
        example = json.dumps(compared) if isinstance(compared, str) else '"../scenarios/ct_powers.toml"'
        raise ScenarioError(f"{path}: [{section}] compare: expected a list of scenario files, e.g. "
                            f"compare = [{example}], got {shown(compared)}")
    compare_files = [check_input_file(path, section, f"compare[{k}]", p, "scenario file")
                     for k, p in enumerate(compared)]
    resolved = [p.resolve() for p in compare_files]
    for k, p in enumerate(resolved):
        if p in resolved[:k]:
            raise ScenarioError(f"{path}: [{section}] compare: scenario file '{compared[k]}' listed twice")
        if p == scenario_file.resolve():  # its benefit against itself: 0 in every sample, intervals of nan
            raise ScenarioError(f"{path}: [{section}] compare[{k}]: '{compared[k]}' is the scenario itself, whose "
                                f"benefit against itself is always 0; list the options to compare with it")
    from twin.runner import check_named_groups

    scenario = load_scenario(scenario_file)
    check_horizon(path, section, scenario, years)
    compare = [load_scenario(p) for p in compare_files]
    from dataclasses import replace

    from twin.ensemble import check_comparable  # paired differences: same timing, areas and scale

    check_comparable([replace(s, years=years) for s in (scenario, *compare)], years)
    for each in (scenario, *compare):
        check_named_groups(each)  # groups named by ocg_id are in the register: before any run (as an error)
    return scenario, compare, years, seed, out


def apply_values(scenario: Scenario, uncertain: list[Uncertain], values: np.ndarray) -> Scenario:
    parameters = dict(scenario.parameters)
    levers = [dict(l) for l in scenario.levers]
    for spec, value in zip(uncertain, values):
        if spec.name.startswith(TYPE_PREFIX):
            with_type_setting(levers, spec.name, value)
        elif spec.name.startswith("lever."):
            _, lever_name, setting = spec.name.split(".")
            for lever in levers:
                if lever_entry_name(lever) == lever_name:
                    lever[setting] = float(value)
        else:
            parameters[spec.name] = as_sampled(spec.name, value)  # whole-number parameters rounded
    return replace(scenario, parameters=parameters, levers=levers)


@dataclass(frozen=True)
class SampleTask:
    scenarios: tuple[Scenario, ...]
    seed: int


def run_sample(task: SampleTask) -> list[float]:
    """Outcomes of one parameter sample: the scenario's outcomes, then each comparison's benefit."""
    from twin.ensemble import discount_factors
    from twin.runner import build_model

    outcomes = []
    nets = []
    for scenario in task.scenarios:
        model = build_model(scenario, task.seed)
        model.run()
        results = model.results
        factors = discount_factors(results.steps_recorded, 12 if scenario.step == "month" else 52)
        discounted = {m: float((results.series(m) * factors).sum())
                      for m in ("harm_gbp_total", "response_cost_gbp", "net_social_cost_gbp")}
        nets.append(discounted["net_social_cost_gbp"])
        if not outcomes:
            outcomes = [discounted["harm_gbp_total"], discounted["response_cost_gbp"],
                        discounted["net_social_cost_gbp"], float(results.series("ocgs_active")[-1]),
                        float(results.series("members_active")[-1])]
    return outcomes + [nets[0] - net for net in nets[1:]]


def outcome_names(config: dict) -> list[str]:
    return (["discounted_harm_gbp", "discounted_response_cost_gbp", "discounted_net_social_cost_gbp",
             "ocgs_active_end", "members_active_end"]
            + [f"benefit_of_{s.name}_gbp" for s in config["compare"]])


def outcome_unit(outcome: str) -> tuple[float, str]:
    """An outcome's (`outcome_names`) scale and unit for reading: £bn (discounted over the horizon),
    groups or members."""
    if outcome.endswith("_gbp"):
        return 1e9, "£bn"
    return 1.0, "groups" if outcome.startswith("ocgs") else "members" if outcome.startswith("members") else ""


CHECKPOINT = "sensitivity_runs.jsonl"


def seeded(config: dict) -> bool:
    """Whether each sample runs on a seed of its own, chosen by the seed pseudo-factor (the default)."""
    return config.get("seed_factor", True)


def sample_seed(seed: int, u: float) -> int:
    """The seed of a sample whose seed pseudo-factor is `u` (0 to 1): the config's seed moved by u of the
    whole range of seeds, so that nearby values of u give unrelated runs, and `twin run --seed` repeats one."""
    return (seed + int(u * 2**32)) % 2**32


def factor_names(config: dict) -> list[str]:
    """The design's factors in its order: the uncertain parameters, then the seed pseudo-factor."""
    return [u.name for u in config["uncertain"]] + ([SEED_FACTOR] if seeded(config) else [])


def config_key(config: dict, design: dict | None = None) -> str:
    """What a sensitivity run's samples depend on: the scenarios (horizon included), the uncertain
    parameters and their ranges, the design (`design`, default n), the seed and the model code."""
    from twin.ensemble import code_hash

    def inputs(scenario: Scenario) -> list:  # the contents of its areas and register files, not only their names
        return [hashlib.sha256(Path(f).read_bytes()).hexdigest() if f and Path(f).is_file() else f
                for f in (scenario.areas_file, scenario.register)]

    scenarios = [config["scenario"], *config["compare"]]
    spec = {"scenario": config["scenario"].spec_hash(), "compare": [s.spec_hash() for s in config["compare"]],
            "inputs": [inputs(s) for s in scenarios],
            "uncertain": [[u.name, u.low, u.high] for u in config["uncertain"]],
            "seed": config["seed"], "code": code_hash(), **(design if design is not None else {"n": config["n"]}),
            **({"seed_factor": True} if design is None and seeded(config) else {})}  # Sobol's own design
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


class Checkpoint:
    """Finished samples of a sensitivity run, one JSON line each (config key, sample key, outcomes),
    appended as they finish: an interrupted run, started again, reuses them."""

    def __init__(self, folder: str | Path, key: str, filename: str = CHECKPOINT):
        from twin.staging import check_ours

        self.path, self.key = Path(folder) / filename, key
        check_ours(self.path.parent, [filename])  # never a user's own file of the name
        self.done: dict[str, list[float]] = {}
        self.needs_newline = False
        if self.path.exists():
            # a damaged line (cut short by a kill, or bytes that are not text) is skipped and its sample run again
            text = self.path.read_bytes().decode("utf-8", errors="replace")
            self.needs_newline = bool(text) and not text.endswith("\n")  # a line cut short by a kill
            for line in text.splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if (isinstance(record, dict) and record.get("config") == key and isinstance(record.get("sample"), str)
                        and isinstance(record.get("outcome"), (list, str))):
                    self.done[record["sample"]] = record["outcome"]
        self.reused = len(self.done)

    def sample_key(self, values: np.ndarray) -> str:
        text = json.dumps([self.key, [float(v) for v in values]])
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def save(self, sample: str, outcome: list[float] | str) -> None:
        """Keep a sample's outcomes (numbers, or one string: `calibration` keeps encoded particles)."""
        self.done[sample] = outcome if isinstance(outcome, str) else [float(v) for v in outcome]
        line = json.dumps({"config": self.key, "sample": sample, "outcome": self.done[sample]})
        if not self.path.exists():
            from twin.staging import claim_folder

            claim_folder(self.path.parent, [self.path.name])
        with self.path.open("a") as file:
            file.write(("\n" if self.needs_newline else "") + line + "\n")
        self.needs_newline = False


    def drop(self) -> None:
        """Forget this config's samples: the file keeps other configs' lines (removed when none are left)."""
        self.keep_only(lambda sample: False)

    def keep_only(self, keep) -> None:
        """Keep only this config's samples whose key `keep(key)` accepts, in memory and in the file
        (rewritten whole; removed when no line is left)."""
        from twin.staging import write_whole

        self.done = {sample: outcome for sample, outcome in self.done.items() if keep(sample)}
        if not self.path.exists():
            return
        lines = []
        for line in self.path.read_bytes().decode("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and (record.get("config") != self.key
                                             or (isinstance(record.get("sample"), str) and keep(record["sample"]))):
                lines.append(line)
        if lines:
            write_whole(self.path, lambda path: path.write_text("\n".join(lines) + "\n"))
        else:
            from twin.staging import remove_written

            remove_written(self.path.parent, self.path.name)  # off the folder's record of the twin's files
            self.path.unlink(missing_ok=True)
        self.needs_newline = False


def run_sensitivity(config: dict, executor, progress=None, checkpoint: str | Path | None = None,
                    log=None) -> pd.DataFrame:
    """Sobol indices of the outcomes. Each finished sample is appended to a checkpoint file in the
    folder `checkpoint` (default: the config's `out`, when it has one) and reused when the same
    config is run again, so an interrupted run loses no finished work."""
    from scipy.stats import sobol_indices, uniform

    if log is None:
        def log(message):
            print(message, file=sys.stderr)
    uncertain = config["uncertain"]
    dists = [uniform(loc=u.low, scale=u.high - u.low) for u in uncertain] + ([uniform()] if seeded(config) else [])
    calls = {"done": 0}
    replications = config.get("replications", 1)
    total = config["n"] * (len(dists) + 2) * replications  # runs of a sample's scenarios
    unit = "samples" if replications == 1 else "sample replications"
    per_sample = 1 + len(config["compare"])
    saved = None
    folder = checkpoint if checkpoint is not None else config.get("out")
    if folder is not None:
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            saved = Checkpoint(folder, config_key(config))
        except OSError as exc:
            log(f"Warning: {folder}: cannot keep finished samples there ({exc.strerror}); an interrupted run "
                f"will start again")
    # kept runs of this design's replications (a run with more replications leaves others), counted once
    reusable = 0 if saved is None else sum(1 for key in saved.done
                                           if "/" not in key or int(key.rsplit("/", 1)[1]) < replications)
    first = 0 if saved is None else len(saved.done)
    if reusable:
        log(f"Reusing {min(reusable, total)} of {total} {unit} finished earlier ({saved.path}).")

    def finished() -> int:  # samples of this design done: reused or run (the checkpoint is keyed by the design)
        return min(reusable + len(saved.done) - first, total) if saved is not None else calls["done"]

    if progress and reusable:
        progress(finished())  # from the samples reused, not from the first batch scipy asks for

    def func(x: np.ndarray) -> np.ndarray:
        # each sample's replication r (0 to replications - 1) runs on its seed + r, kept under its own key
        # (replication 0's is the sample's: a run with more replications reuses those done)
        units = [(k, r, None if saved is None else saved.sample_key(x[:, k]) + (f"/{r}" if r else ""))
                 for k in range(x.shape[1]) for r in range(replications)]
        results = {key: saved.done[key] for _, _, key in units if saved is not None and key in saved.done}
        todo = [(k, r, key) for k, r, key in units if key is None or key not in results]
        tasks = [SampleTask(tuple(apply_values(s, uncertain, x[:len(uncertain), k])
                                  for s in [config["scenario"], *config["compare"]]),
                            ((sample_seed(config["seed"], x[-1, k]) if seeded(config) else config["seed"]) + r) % 2**32)
                 for k, r, _ in todo]
        calls["done"] += len(units) - len(todo)
        by_task = {id(task): key for task, (_, _, key) in zip(tasks, todo)}
        computed = {}
        for task, outcome in executor.run(run_sample, tasks, chunk=1):
            computed[id(task)] = outcome
            if saved is not None:
                saved.save(by_task[id(task)], outcome)
            calls["done"] += 1
            if progress:
                progress(finished())
        fresh = iter(computed[id(task)] for task in tasks)
        outcomes = np.array([results[key] if key is not None and key in results else next(fresh)
                             for _, _, key in units])
        return outcomes.reshape(x.shape[1], replications, -1).mean(axis=1).T

    import warnings

    with warnings.catch_warnings():  # small samples give scipy's degenerate-data warnings; the report says so
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"scipy\.")  # not the model's own
        warnings.filterwarnings("ignore", message=".*degenerate.*", module=r"scipy\.")
        try:  # an interrupt while the samples run, or while their indices are worked out, says what is kept
            result = sobol_indices(func=func, n=config["n"], dists=dists,
                                   random_state=np.random.default_rng(config["seed"]))
            # scipy's bootstrap takes no random state and draws from numpy's global one: seed it from the
            # config for this call only, so the intervals repeat as the indices do.
            state = np.random.get_state()
            np.random.seed(config["seed"])
            try:  # a small sample's resamples can have no variance: those intervals are NaN, not a numpy warning
                with np.errstate(invalid="ignore", divide="ignore"):
                    interval = result.bootstrap(confidence_level=0.9, n_resamples=500)
            finally:
                np.random.set_state(state)
        except KeyboardInterrupt:
            kept = (f"{finished()} of {total} {unit} ({per_sample} model run(s) each) saved in "
                    f"{saved.path}; "
                    f"run the same command again to reuse them" if saved is not None
                    else "finished samples were not saved (no output folder)")
            log(("\n" if progress and calls["done"] else "") + f"twin: sensitivity interrupted: {kept}.")
            raise
    names = outcome_names(config)
    rows = []
    for i, outcome in enumerate(names):
        for j, factor in enumerate(factor_names(config)):
            rows.append({"outcome": outcome, "parameter": factor,
                         "first_order": float(result.first_order[i, j]), "total_order": float(result.total_order[i, j]),
                         "first_order_low": float(interval.first_order.confidence_interval.low[i, j]),
                         "first_order_high": float(interval.first_order.confidence_interval.high[i, j]),
                         "total_order_low": float(interval.total_order.confidence_interval.low[i, j]),
                         "total_order_high": float(interval.total_order.confidence_interval.high[i, j])})
    table = pd.DataFrame(rows)
    # acts on its own: the first-order index above zero (no share of the noise enters a first-order index)
    table["first_order_above_zero"] = alone_above_zero(interval, len(uncertain), len(factor_names(config)))
    if seeded(config):
        table["excess_over_floor_low"], table["above_noise"] = above_the_floor(interval, len(uncertain), len(names))
    return table


def alone_above_zero(interval, k: int, factors: int) -> np.ndarray:
    """Whether each factor's first-order index is above zero, as the table's rows: the low end of a one-sided
    95% interval over the `k` parameters of an outcome (Bonferroni, as `above_the_floor`; False for the
    seed's). The 90% interval's low end alone marked one of five inert parameters in a quarter of designs."""
    draws = interval.first_order.bootstrap_distribution  # outcomes x factors x resamples
    with np.errstate(invalid="ignore"):
        low = np.nanquantile(draws[:, :k, :], 0.05 / k, axis=-1) if k else np.empty((draws.shape[0], 0))
    flags = np.concatenate([np.nan_to_num(low, nan=-1.0) > 0, np.zeros((len(low), factors - k), bool)], axis=1)
    return flags.ravel()


def above_the_floor(interval, k: int, outcomes: int) -> tuple[np.ndarray, np.ndarray]:
    """Each parameter's total-order index less the seed's, paired resample by resample (the bootstrap's
    draws, outcomes x factors x resamples, the seed last): the low end of a one-sided 95% interval over
    the `k` parameters of an outcome (Bonferroni: 5% / k each), and whether it is above zero, as the
    table's rows (NaN and False for the seed's). Against the seed's point estimate, an inert parameter
    that moves the random path was called above the noise twice as often as 5%, uncorrected."""
    draws = interval.total_order.bootstrap_distribution
    with np.errstate(invalid="ignore"):
        excess = draws[:, :k, :] - draws[:, k:k + 1, :]
        low = np.nanquantile(excess, 0.05 / k, axis=-1) if excess.size else np.empty((outcomes, k))
    low = np.concatenate([low, np.full((outcomes, 1), np.nan)], axis=1)
    return low.ravel(), np.nan_to_num(low, nan=-1.0).ravel() > 0
