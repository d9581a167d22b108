"""Single runs: build a model from a scenario, run it, and write its outputs.

`run_scenario` is what `twin run` calls and what ensembles (later) call per replication. If a run
fails or is interrupted, the steps already computed are written as `trajectories.partial.csv`
before the error propagates, so nothing computed is lost.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from twin import __version__
from twin.geography import load_geography
from twin.scenario_levers import build_levers
from twin.model import TwinModel
from twin.register import load_register
from twin.results import metric_dictionary
from twin.errors import ParameterError, ScenarioError, UserError, did_you_mean, safe_url
from twin.scenario import STEP_LENGTHS, Scenario
from twin.preflight import register_warnings, scenario_warnings
from twin.staging import remove_written, staged_folder, write_output


@dataclass
class RunOutput:
    model: TwinModel
    setup_s: float
    run_s: float
    register_table: str | None = None  # the table of a database register (its URL is the scenario's register)

    @property
    def frame(self) -> pd.DataFrame:
        return self.model.results.to_frame()



def build_model(scenario: Scenario, seed: int, register_source: str | None = None,
                register_table: str | None = None, complete_register: bool = False) -> TwinModel:
    """The model a scenario describes; `register_source` replaces the scenario's register, and
    `complete_register` completes it as the scenario's `complete_register = true` does."""
    geography = load_geography(scenario.areas_file)
    source = register_source or scenario.register
    register_table = register_table if register_source else scenario.register_table
    complete = complete_register or scenario.complete_register
    if complete and not source:
        where = "--complete-register" if complete_register else f"{scenario.path}: [scenario] complete_register"
        raise ScenarioError(f"{where}: completes a register, but none is given (name one with `register` "
                            f"in the scenario or --register); without one the run starts from a complete "
                            f"synthetic register")
    register = load_register(source, geography, register_table) if source else None
    params, levers = scenario.build_parameters(), build_levers(scenario)
    _check_ids(levers, register, source, geography)  # before any spin-up
    try:
        return _built_model(scenario, seed, params, levers, register, geography, complete)
    except ParameterError as exc:  # values valid one by one that the synthetic register cannot use together
        raise ParameterError(f"{scenario.path}: [parameters] {exc}") from None


def _built_model(scenario, seed, params, levers, register, geography, complete) -> TwinModel:
    """`build_model`'s model, spun up once per process and copied for each run (see below)."""
    if not scenario.spin_up_years:
        return TwinModel(params=params, seed=seed, n_steps=scenario.n_steps, step_length=scenario.step,
                         start_date=scenario.start_date, register=register, geography=geography, levers=levers,
                         complete_register=complete)
    # The spin-up depends on none of the levers, the horizon or the dates: scenarios that share
    # everything else (paired replications of a comparison, the policies of a sweep's design
    # point) share one spin-up per process, each run continuing a copy of it (`TwinModel.for_run`).
    key = _spin_up_key(params, seed, scenario, register, geography, complete)
    spun_up = _SPUN_UP.get(key)
    if spun_up is None:
        spun_up = TwinModel(params=params, seed=seed, n_steps=1, step_length=scenario.step, register=register,
                            geography=geography, complete_register=complete, spin_up_years=scenario.spin_up_years)
        spun_up.spin_up()
        _SPUN_UP.clear()  # one kept: a run's memory, not a store of them
        _SPUN_UP[key] = spun_up
    return spun_up.for_run(levers, scenario.n_steps, scenario.start_date)


#: this process's last spun-up model, by `_spin_up_key`
_SPUN_UP: dict[str, TwinModel] = {}


def _spin_up_key(params, seed: int, scenario: Scenario, register, geography, complete: bool) -> str:
    """Everything a spin-up depends on: parameter values, seed, step length and spin-up years,
    and the register and areas as loaded (their content, so a file changed between runs of a
    long-lived worker is not mistaken for the one read before)."""
    import hashlib
    import pickle

    digest = hashlib.sha256()
    digest.update(json.dumps([params.as_dict(), seed, scenario.step, scenario.spin_up_years, complete],
                             sort_keys=True, default=str).encode())
    for part in (register, geography):
        digest.update(pickle.dumps(part))
    return digest.hexdigest()


def check_register(scenario: Scenario, register_source: str | None = None, register_table: str | None = None
                   ) -> list[str]:
    """Read the register a run would start from, if any, so that a mistake in it is reported
    before anything slow starts (`build_model` reads it again); groups its levers name by
    `ocg_id` must be in it. Returns warnings about those groups (`GroupSelection.named_warnings`)."""
    source = register_source or scenario.register
    register_table = register_table if register_source else scenario.register_table
    geography = load_geography(scenario.areas_file)
    register = load_register(source, geography, register_table) if source else None
    return _check_ids(build_levers(scenario), register, source, geography)


def check_named_groups(scenario: Scenario) -> list[str]:
    """Before any run: groups the scenario's levers name by `ocg_id` are in its register (read
    once per register file and areas file in a process), as the model checks when it is built.
    Returns warnings about those groups (`GroupSelection.named_warnings`)."""
    levers = build_levers(scenario)
    if not _naming(levers):
        return []
    key = tuple((path, *_file_identity(path)) for path in (scenario.register, scenario.areas_file))
    if key not in _REGISTERS_READ:
        _REGISTERS_READ.clear()
        geography = load_geography(scenario.areas_file)
        _REGISTERS_READ[key] = (load_register(scenario.register, geography) if scenario.register else None, geography)
    register, geography = _REGISTERS_READ[key]
    return _check_ids(levers, register, scenario.register, geography)


#: the register and areas `check_named_groups` read last, by their files' paths and contents
_REGISTERS_READ: dict = {}


def _file_identity(path: str | None) -> tuple:
    """What tells a file rewritten from the one read before, whatever the clock's resolution: a
    digest of its content (reading it is quick; parsing and checking it is what the cache saves);
    empty for a database URL or no file."""
    import hashlib

    if not path or not Path(path).is_file():
        return ()
    return (hashlib.sha256(Path(path).read_bytes()).hexdigest(),)


def _naming(levers: list) -> list:
    return [lever for lever in levers if getattr(lever, "groups", None) is not None and lever.groups.ocg_ids is not None]


def _check_ids(levers: list, register, source: str | None, geography) -> list[str]:
    warnings = []
    for lever in _naming(levers):
        lever.check_targets(geography)  # a misspelt area is the error a run would give
        lever.groups.check_ids(register, lever.entry, source)
        warnings += lever.groups.named_warnings(lever, register, geography)
    return warnings


def run_scenario(scenario: Scenario, seed: int, *, years: float | None = None, step: str | None = None,
                 register_source: str | None = None, register_table: str | None = None,
                 complete_register: bool = False, out_dir: Path | None = None, progress=None,
                 on_built=None, warn: bool = True) -> RunOutput:
    """Run one scenario with one seed; write outputs to `out_dir` when given. `on_built(model)` is
    called once the model is built (every input checked), before the first step. With `warn`, what
    `twin run` would remark on (values beyond their plausible ranges, a register that looks like
    part of the picture, ...) is issued as `UserWarning`s; the command says them itself."""
    if step is not None and step not in STEP_LENGTHS:
        raise ScenarioError(f"step: expected one of {', '.join(STEP_LENGTHS)}, got {step!r}"
                            f"{did_you_mean(str(step), STEP_LENGTHS)}")
    if years is not None or step is not None:
        scenario = replace(scenario, years=years if years is not None else scenario.years,
                           step=step or scenario.step)
    if register_source or complete_register:  # recorded in run.json as part of the scenario run
        scenario = replace(scenario, register=register_source or scenario.register,
                           register_table=register_table if register_source else scenario.register_table,
                           complete_register=complete_register or scenario.complete_register)
    start = time.perf_counter()
    model = build_model(scenario, seed, complete_register=complete_register)
    setup_s = time.perf_counter() - start
    if warn:
        import warnings

        for remark in scenario_warnings(scenario) + register_warnings(model):
            warnings.warn(remark, UserWarning, stacklevel=2)
    if on_built is not None:
        on_built(model)
    # an earlier interrupted run's steps stay until this run has replaced them, whole or in part
    partial = out_dir / "trajectories.partial.csv" if out_dir is not None else None
    start = time.perf_counter()
    try:
        model.run(progress=progress)
        output = RunOutput(model, setup_s, time.perf_counter() - start, scenario.register_table)
        if out_dir is not None:
            write_outputs(output, scenario, seed, out_dir)
            remove_written(out_dir, partial.name)  # the whole run's trajectories are beside it now
    except BaseException:  # what was computed is kept, whether the steps or the writing stopped
        if partial is not None and model.results.steps_recorded:
            out_dir.mkdir(parents=True, exist_ok=True)
            try:
                write_output(partial, lambda path: model.results.to_frame().to_csv(path, index=False))
            except UserError:  # a file of that name not the twin's stays; the run's own error is raised
                pass
        raise
    return output


def replaced_run(out_dir: Path, scenario: Scenario) -> str | None:
    """When the default folder (`results/<name>/seed-<seed>`) holds the run of another scenario file
    of the same name, say that this run replaces it (a run of the same file replaces its own)."""
    try:
        held = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))["scenario"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if Path(held).resolve() == Path(scenario.path).resolve():
        return None
    return (f"{out_dir} held the run of {held}, another scenario named '{scenario.name}'; this run replaces it "
            f"(--out keeps both)")


#: the files `write_outputs` writes into a run's folder
RUN_FILES = ("trajectories.csv", "trajectories.parquet", "metrics.csv", "run.json")


def check_run_folder(out_dir: Path) -> None:
    """Refuse, before any run, a folder holding a run's file names that the twin did not write there
    (`staging.check_ours`): a user's own trajectories.csv was replaced without a word. A path that is
    not a folder is left to `output_folder`, which says so."""
    from twin.staging import check_ours

    if out_dir.is_dir():
        check_ours(out_dir, RUN_FILES + ("trajectories.partial.csv",))


def write_outputs(output: RunOutput, scenario: Scenario, seed: int, out_dir: Path) -> list[Path]:
    """Write trajectories (CSV, and Parquet when pyarrow is installed), each metric's unit and meaning
    (`metrics.csv`) and run metadata, moved into
    `out_dir` together (`staging.staged_folder`): an interruption or a full disk leaves an earlier
    run's files there as they were, never one run's trajectories beside another's `run.json`."""
    frame = output.frame
    with staged_folder(out_dir) as staging:
        frame.to_csv(staging / "trajectories.csv", index=False)
        try:
            import pyarrow  # noqa: F401

            frame.to_parquet(staging / "trajectories.parquet", index=False)
        except ImportError:
            pass
        metric_dictionary(output.model.step_length, output.model.levers).to_csv(staging / "metrics.csv", index=False)
        (staging / "run.json").write_text(json.dumps(_run_metadata(output, scenario, seed), indent=2, default=str),
                                          encoding="utf-8")
        written = [out_dir / name for name in RUN_FILES if (staging / name).exists()]
    if out_dir / "trajectories.parquet" not in written:  # without pyarrow: an earlier run's would stay beside these
        remove_written(out_dir, "trajectories.parquet")
    return written


def _run_metadata(output: RunOutput, scenario: Scenario, seed: int) -> dict:
    """`run.json`: the resolved scenario, seed, parameters, warnings, versions and timings."""
    from twin.ensemble import provenance

    resolved = scenario.to_dict()
    resolved["levers"] = [{k: v for k, v in lever.items() if not k.startswith("_")} for lever in resolved["levers"]]
    if resolved["register"]:
        resolved["register"] = safe_url(resolved["register"])
    if not resolved["register_table"]:  # two tables of one database are two registers; a file has none
        del resolved["register_table"]
    info = provenance()
    meta = {
        "scenario": resolved,
        "scenario_hash": scenario.spec_hash(),
        "seed": seed,
        "steps": output.model.n_steps,
        "parameters": output.model.params.as_dict(),
        # a scaled scenario's values before scaling: what [parameters] takes (the values above are scaled)
        **({"parameters_uk": output.model.params.uk_values()} if output.model.params.national_scale != 1.0 else {}),
        "warnings": scenario_warnings(scenario) + (register_warnings(output.model) if scenario.register else []),
        "twin_version": __version__,
        "git_commit": info["git_commit"],
        "git_uncommitted_changes": info["git_uncommitted_changes"],
        "code_hash": info["code_hash"],  # the model source's hash (`ensemble.code_hash`), as experiments keep it
        "python": platform.python_version(),
        "packages": info["packages"],
        "setup_s": round(output.setup_s, 4),
        "run_s": round(output.run_s, 4),
    }
    # the areas each lever acted in, as resolved when it first acted: `top_harm_areas` ranks them in the run
    geo = output.model.geography
    meta["lever_areas"] = {lever.name: [geo.area_names[k] for k in np.flatnonzero(lever.mask)]
                           for lever in output.model.levers if lever.mask is not None and not lever.national}
    if scenario.register:
        meta["register_digest"] = output.model.register_given.digest()  # the user's groups, before any completion
    if output.model.register_completion is not None:
        meta["register_completion"] = asdict(output.model.register_completion)
    return meta
