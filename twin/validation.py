"""Validation experiments: isolate each adaptive mechanism the seeds describe and measure its size.

Each experiment applies a one-off shock at month 12 to a baseline run and compares it with the
same seeds without the shock (paired), over several seeds:

- replacement: a share of one area's workers and exploited members are arrested and charged;
  how fast do the groups' active numbers recover?
- succession: the leaders of the most harmful mapped groups are imprisoned (and cannot direct
  from prison); how many groups are succeeded, split, absorbed or dissolve, and how much violence
  follows?
- entry: every heroin/crack group in one area is dissolved; how fast is supply restored, by
  how many new groups, and how much does Hold (`hold = true`, at `intensity`, default 1) slow it?
- displacement: a strong, sustained Clear surge in one area (`intensity`, default 5); how much of
  the harm removed there reappears in its neighbours?

Experiment files in `experiments/validation/*.toml` set each experiment's kind and settings, and
what the literature leads one to expect of its measures (`validation_expectations.py`); `twin
validate` runs them, says whether each measure agrees, and writes `validation.json`;
docs/VALIDATION.md discusses the results.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.errors import ScenarioError, UserError, area_hint, did_you_mean, shown
from twin.geography import canonical_name
from twin.ensemble import replicate_seeds
from twin.scenario_levers import build_levers
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.report_format import and_list
from twin.scenario import SPIN_UP_YEARS, Scenario, check_keys, read_toml
from twin.staging import check_ours, write_output
from twin.validation_expectations import check_expectations, judged
from twin.vocabulary import ACTIVE, CHARGED, HEROIN_CRACK, PRISON, WORKER

KINDS = ("replacement", "succession", "entry", "displacement")
#: the most leaders a succession experiment imprisons (the UK has about 4,800 mapped groups; the most
#: harmful mapped groups' leaders are taken, at most as many as there are)
MAX_LEADERS = 5_000
EXPERIMENT_KEYS = ("kind", "description", "area", "share", "leaders", "hold", "intensity", "months", "reps", "seed",
                   "parameters")
#: the keys that act in each kind of experiment, beside those every kind takes (a key of another
#: kind, `hold` in a replacement experiment say, would be read by none)
KIND_KEYS = {"replacement": ("area", "share"), "succession": ("leaders",), "entry": ("area", "hold", "intensity"),
             "displacement": ("area", "intensity")}
COMMON_KEYS = ("kind", "description", "months", "reps", "seed", "parameters")
SHOCK_MONTH = 12


class Shock:
    """A one-off experimental intervention at a given step (not a policy lever: no cost)."""

    name = "validation_shock"

    def __init__(self, step: int, action):
        self.step, self.action = step, action

    def apply(self, model) -> None:
        if model.steps_done == self.step:
            self.action(model)

    def cost_gbp_per_year(self, model, mask):
        return np.zeros(model.geography.n_areas)


#: each measure as `twin validate` prints it: in words, with its unit (validation.json keeps the names)
MEASURE_WORDS = {
    "members_removed": "members removed at the worst point",
    "months_to_half_recovery": "months until half the gap is closed",
    "months_to_90pc_recovery": "months until 90% of the gap is closed",
    "extra_recruits": "extra recruits after the shock",
    "extra_recruits_per_member_removed": "extra recruits per member removed",
    "groups_still_active_share": "share of the groups still active at the end",
    "groups_with_new_active_leader_share": "share of the groups with a new active leader",
    "extra_splits_first_year": "extra splits in the first year",
    "extra_serious_violence_first_year": "extra serious violent incidents in the first year",
    "extra_succession_violence_first_year": "of which in succession disputes (other violence falls a little)",
    "extra_homicides_first_year": "extra network-linked homicides in the first year",
    "expected_extra_homicides_first_year": "extra homicides the model's rates give for those incidents",
    "extra_homicides_over_expected_first_year": "homicides above those the rates give (0 if they agree)",
    "users_unsupplied_at_worst": "drug users left unsupplied at the worst point",
    "extra_entrants": "new groups entering after the shock",
    "extra_county_lines_into_area": "extra county lines opened into the area",
    "harm_change_target_gbp": "harm change in the target area (GBP)",
    "harm_change_neighbours_gbp": "harm change in its neighbours (GBP)",
    "harm_change_rest_gbp": "harm change in the rest of the UK (GBP)",
    "displacement_ratio_neighbours": "neighbours' change per pound removed in the target",
}
#: the measures of each kind, in the order `_measure` gives them
MEASURES = {
    "replacement": ("members_removed", "months_to_half_recovery", "months_to_90pc_recovery", "extra_recruits",
                    "extra_recruits_per_member_removed"),
    "succession": ("groups_still_active_share", "groups_with_new_active_leader_share", "extra_splits_first_year",
                   "extra_serious_violence_first_year", "extra_succession_violence_first_year",
                   "extra_homicides_first_year", "expected_extra_homicides_first_year",
                   "extra_homicides_over_expected_first_year"),
    "entry": ("users_unsupplied_at_worst", "months_to_half_recovery", "months_to_90pc_recovery", "extra_entrants",
              "extra_county_lines_into_area"),
    "displacement": ("harm_change_target_gbp", "harm_change_neighbours_gbp", "harm_change_rest_gbp",
                     "displacement_ratio_neighbours"),
}
#: where docs/VALIDATION.md sets each kind's results beside what the seeds say
VALIDATION_SECTION = {"replacement": 1, "succession": 2, "entry": 3, "displacement": 4}


def _arrest_share(area_name: str, share: float):
    def action(model):
        members, rng = model.members, model.streams["validation"]
        area = model.geography.area_index(area_name)
        hit = np.flatnonzero((members.status == ACTIVE) & (members.role >= WORKER)
                             & (model.ocgs.area[members.ocg] == area))
        chosen = hit[rng.random(hit.size) < share]
        members.status[chosen] = CHARGED
        members.verdict_month[chosen] = model.month + model.params.court_delay_months
    return action


def _imprison_leaders(count: int):
    def action(model):
        ocgs, members = model.ocgs, model.members
        candidates = np.flatnonzero(ocgs.active & ocgs.known & (ocgs.leader >= 0))
        top = candidates[np.argsort(-ocgs.harm_gbp_per_month[candidates])[:count]]
        leaders = ocgs.leader[top]
        members.status[leaders] = PRISON
        members.sentence_months[leaders] = model.params.sentence_months_leader
        members.release_month[leaders] = model.month + model.params.sentence_months_leader * model.params.served_share
        ocgs.leader_directing[top] = False
        ocgs.direction_draw[top] = np.nan  # no draw of an earlier leader's for `justice.redraw_direction`
        model.validation_targets = top
    return action


def _dissolve_market(area_name: str):
    def action(model):
        from twin.succession import dissolve

        area = model.geography.area_index(area_name)
        ocgs = model.ocgs
        gone = np.flatnonzero(ocgs.active & (ocgs.area == area) & ocgs.markets[:, HEROIN_CRACK])
        dissolve(model, gone)
    return action


def _paired_runs(seed: int, n_steps: int, levers: list, params: Parameters) -> tuple[TwinModel, TwinModel]:
    """The shocked run and its base, continuing copies of one spin-up (no lever or shock acts in a
    spin-up, so each is the run a model built with its levers makes: `TwinModel.for_run`)."""
    spun_up = TwinModel(params, seed=seed, n_steps=1, spin_up_years=SPIN_UP_YEARS)
    spun_up.spin_up()
    shocked, base = (spun_up.for_run(run_levers, n_steps, spun_up.results.dates[0]) for run_levers in (levers, []))
    del spun_up  # (two models in memory while they run, as before)
    shocked.run()
    base.run()
    return shocked, base


def check_experiment(path: Path, data: dict) -> dict:
    """The [experiment] table of a validation experiment file, every key checked."""
    from twin import config_checks as checks
    from twin.geography import load_geography

    checks.check_tables(path, data, ("experiment",), ("expect",) if data else ())  # ([[expect]] entries are optional)
    spec = data["experiment"]
    if "base" in spec and "kind" not in spec:  # a sweep's [experiment] names its base scenario
        raise ScenarioError(f"{path}: [experiment] base: the file looks like a sweep's experiment, which `twin sweep` "
                            f"reads; a validation experiment's [experiment] names its kind (see "
                            f"experiments/validation/replacement.toml)")
    check_keys(path, "experiment", spec, EXPERIMENT_KEYS)
    if "kind" not in spec:
        raise ScenarioError(f"{path}: [experiment]: missing key 'kind' (expected one of: {', '.join(KINDS)})")
    kind = spec["kind"]
    if kind not in KINDS:
        raise ScenarioError(f"{path}: [experiment] kind: expected one of {', '.join(KINDS)}, got {shown(kind)}"
                            f"{did_you_mean(str(kind), KINDS)}")
    for key in spec:
        if key not in COMMON_KEYS + KIND_KEYS[kind]:
            takers = [other for other in KINDS if key in KIND_KEYS[other]]
            raise ScenarioError(f"{path}: [experiment] {key}: not read by a {kind} experiment (it is for "
                                f"{and_list(takers)} experiments); a {kind} experiment takes "
                                f"{and_list(list(KIND_KEYS[kind]))}, besides {', '.join(COMMON_KEYS[1:])}")
    if kind == "entry" and "intensity" in spec and not spec.get("hold"):
        raise ScenarioError(f"{path}: [experiment] intensity: sets the Hold lever's intensity, and this entry "
                            f"experiment has no Hold (hold = true adds it)")
    if not isinstance(spec.get("description", ""), str):
        raise ScenarioError(f"{path}: [experiment] description: expected a string in quotes, "
                            f"got {shown(spec['description'])}")
    checks.check_seed(path, "experiment", spec.get("seed", 1))
    checks.check_whole_number(path, "experiment", "reps", spec.get("reps", 4), 1, checks.MAX_REPS)
    months = spec.get("months", 48)
    if isinstance(months, bool) or not isinstance(months, int) or not SHOCK_MONTH < months <= 1200:
        raise ScenarioError(f"{path}: [experiment] months: expected a whole number of months above {SHOCK_MONTH} "
                            f"(the shock comes at month {SHOCK_MONTH}) and at most 1200, got {shown(months)}")
    checks.check_whole_number(path, "experiment", "leaders", spec.get("leaders", 100), 1, MAX_LEADERS)
    share = spec.get("share", 0.3)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ScenarioError(f"{path}: [experiment] share: expected a share above 0 and at most 1, got {shown(share)}")
    intensity = checks.check_number(path, "experiment", "intensity", spec.get("intensity", 1.0), 0)
    if not intensity > 0:
        raise ScenarioError(f"{path}: [experiment] intensity: expected a number > 0, got {shown(spec['intensity'])}")
    if not isinstance(spec.get("hold", False), bool):
        raise ScenarioError(f"{path}: [experiment] hold: expected true or false, got {shown(spec['hold'])}")
    if "area" in KIND_KEYS[kind]:  # (a succession experiment acts on the top groups, wherever they are)
        area = checks.check_string(path, "experiment", "area", spec.get("area", "Merseyside"), "an area name in quotes")
        geo = load_geography()
        areas = geo.area_names
        spec["area"] = canonical_name(area, areas)  # as the areas file spells it: results are read by that name
        if spec["area"] is None:
            region = canonical_name(area, geo.region_names)
            if region is not None:  # an experiment acts on one force area: name those of the region
                inside = [name for name, r in zip(geo.area_names, geo.area_region) if geo.region_names[r] == region]
                raise ScenarioError(f"{path}: [experiment] area: {region!r} is a region; an experiment acts on one "
                                    f"police force area, such as one of {region}'s: {', '.join(inside)}")
            raise ScenarioError(f"{path}: [experiment] area: unknown area {area!r}{area_hint(area, areas)}")
    if not isinstance(spec.get("parameters", {}), dict):
        raise ScenarioError(f"{path}: [experiment] parameters: expected a table of parameter values, e.g. "
                            f"parameters = {{ charge_prob = 0.7 }}, got {shown(spec['parameters'])}")
    Parameters(spec.get("parameters", {}), where=f"{path}: [experiment] parameters")
    check_expectations(path, data, kind)
    return spec


@dataclass(frozen=True)
class SeedTask:
    """One paired seed of a validation experiment: the shocked run and the same seed without the shock."""
    where: str  # the experiment file, for messages
    spec: dict
    seed: int


def seed_measures(task: SeedTask) -> dict[str, float]:
    """The measures of one paired seed (runs in a worker)."""
    spec, where, seed = task.spec, task.where, task.seed
    kind, months = spec["kind"], int(spec.get("months", 48))
    params = Parameters(spec.get("parameters", {}), where=f"{where}: parameters")
    area = spec.get("area", "Merseyside")
    if kind == "replacement":
        shock = Shock(SHOCK_MONTH, _arrest_share(area, float(spec.get("share", 0.3))))
    elif kind == "succession":
        shock = Shock(SHOCK_MONTH, _imprison_leaders(int(spec.get("leaders", 100))))
    elif kind == "entry":
        shock = Shock(SHOCK_MONTH, _dissolve_market(area))
    else:
        shock = None
    extra = []
    if kind == "entry" and spec.get("hold"):
        extra = build_levers(Scenario(name="v", path=where, levers=[
            {"type": "hold", "areas": [area], "start_year": SHOCK_MONTH / 12,
             "intensity": float(spec.get("intensity", 1.0))}]))
    if kind == "displacement":
        extra = build_levers(Scenario(name="v", path=where, levers=[
            {"type": "clear", "areas": [area], "start_year": SHOCK_MONTH / 12,
             "intensity": float(spec.get("intensity", 5.0))}]))
    shocked, base = _paired_runs(seed, months, ([shock] if shock else []) + extra, params)
    return _measure(kind, shocked, base, area)


def seed_tasks(spec: dict, where: str) -> list[SeedTask]:
    """The experiment's paired seeds, in order."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ScenarioError(f"{where}: [experiment] kind: expected one of {', '.join(KINDS)}, got {shown(kind)}"
                            f"{did_you_mean(str(kind), KINDS)}")
    Parameters(spec.get("parameters", {}), where=f"{where}: parameters")
    return [SeedTask(where, spec, seed) for seed in replicate_seeds(int(spec.get("seed", 1)), int(spec.get("reps", 4)))]


def summarise(spec: dict, results: list[dict[str, float]]) -> dict:
    """An experiment's measures over its seeds (in seed order): mean, standard error, seeds observed."""
    kind = spec["kind"]
    summary = {}
    for key in MEASURES[kind]:
        values = np.array([r[key] for r in results], dtype=float)
        finite = values[np.isfinite(values)]
        # Seeds in which something never happened (no recovery within the horizon) are counted apart.
        summary[key] = {"mean": float(finite.mean()) if finite.size else float("nan"),
                        "se": float(finite.std(ddof=1) / np.sqrt(finite.size)) if finite.size > 1 else float("nan"),
                        "seeds_observed": int(finite.size), "by_seed": values.tolist()}
    return {"kind": kind, "area": None if kind == "succession" else spec.get("area", "Merseyside"),  # (the top groups)
            "reps": len(results), "seed": int(spec.get("seed", 1)), "months": int(spec.get("months", 48)),
            "measures": summary}


def run_experiment(spec: dict, where: str) -> dict:
    """One experiment, its seeds run in turn in this process."""
    return summarise(spec, [seed_measures(task) for task in seed_tasks(spec, where)])


def _series(model, metric, area=None):
    return model.results.series(metric, area) if area else model.results.series(metric)


def expected_homicides(params, dispute_incidents: float, other_incidents: float) -> float:
    """Homicides the model's rates give for serious incidents: `homicide_per_serious_violence` of
    those in succession disputes (direct homicides only), and that share over one less
    `indirect_homicide_share` of the others (direct homicides and the indirect ones that come with
    them, `violence.homicides_per_incident`). Works on changes too (an extra number of incidents)."""
    from twin.violence import homicides_per_incident

    return float(params.homicide_per_serious_violence * dispute_incidents
                 + homicides_per_incident(params) * other_incidents)


def _months_to_recover(gap: np.ndarray, share: float) -> float:
    """Months after the shock until the gap closes to `share` of its largest size."""
    after = gap[SHOCK_MONTH:]
    worst = after.max() if after.size else 0.0
    if worst <= 0:
        return 0.0
    recovered = np.flatnonzero(after <= (1 - share) * worst)
    peak = int(np.argmax(after))
    later = recovered[recovered > peak]
    return float(later[0]) if later.size else float("nan")


def _measure(kind: str, shocked: TwinModel, base: TwinModel, area: str) -> dict:
    if kind == "replacement":
        gap = _series(base, "members_active", area) - _series(shocked, "members_active", area)
        recruits = (_series(shocked, "recruits", area) - _series(base, "recruits", area))[SHOCK_MONTH:].sum()
        removed = gap[SHOCK_MONTH:].max()
        return {"members_removed": float(removed), "months_to_half_recovery": _months_to_recover(gap, 0.5),
                "months_to_90pc_recovery": _months_to_recover(gap, 0.9),
                "extra_recruits": float(recruits), "extra_recruits_per_member_removed": float(recruits / max(removed, 1))}
    if kind == "succession":
        top = shocked.validation_targets
        ocgs = shocked.ocgs
        still_active = float(ocgs.active[top].mean())
        led = ocgs.leader[top]
        succeeded = float(np.mean(ocgs.active[top] & (led >= 0) & (shocked.members.status[np.maximum(led, 0)] == ACTIVE)))
        window = slice(SHOCK_MONTH, SHOCK_MONTH + 12)
        extra_homicides = (_series(shocked, "homicides")[window] - _series(base, "homicides")[window]).sum()
        extra_violence = (_series(shocked, "serious_violence")[window] - _series(base, "serious_violence")[window]).sum()
        extra_disputes = (_series(shocked, "succession_violence")[window]
                          - _series(base, "succession_violence")[window]).sum()
        splits = (_series(shocked, "splits")[window] - _series(base, "splits")[window]).sum()
        expected = expected_homicides(shocked.params, extra_disputes, extra_violence - extra_disputes)
        return {"groups_still_active_share": still_active, "groups_with_new_active_leader_share": succeeded,
                "extra_splits_first_year": float(splits), "extra_serious_violence_first_year": float(extra_violence),
                "extra_succession_violence_first_year": float(extra_disputes),
                "extra_homicides_first_year": float(extra_homicides),
                "expected_extra_homicides_first_year": expected,
                # per seed, so that its standard error is that of the paired difference
                "extra_homicides_over_expected_first_year": float(extra_homicides) - expected}
    if kind == "entry":
        index = shocked.geography.area_index(area)
        served = shocked.results.values[:, index, shocked.results.index["drug_users_supplied"]]
        served_base = base.results.values[:, index, base.results.index["drug_users_supplied"]]
        gap = served_base - served
        entrants = (_series(shocked, "ocgs_entered", area) - _series(base, "ocgs_entered", area))[SHOCK_MONTH:].sum()
        lines = (_series(shocked, "county_lines_opened", area) - _series(base, "county_lines_opened", area))[SHOCK_MONTH:].sum()
        return {"users_unsupplied_at_worst": float(gap[SHOCK_MONTH:].max()),
                "months_to_half_recovery": _months_to_recover(gap, 0.5),
                "months_to_90pc_recovery": _months_to_recover(gap, 0.9), "extra_entrants": float(entrants),
                "extra_county_lines_into_area": float(lines)}
    geo = shocked.geography
    index = geo.area_index(area)
    weights = geo.neighbour_weights()[index]
    neighbours = np.flatnonzero(weights > 0)
    harm = shocked.results.index["harm_gbp_total"]
    window = slice(SHOCK_MONTH, None)
    change = (shocked.results.values[window, :-1, harm] - base.results.values[window, :-1, harm]).sum(axis=0)
    removed = -change[index]
    return {"harm_change_target_gbp": float(change[index]), "harm_change_neighbours_gbp": float(change[neighbours].sum()),
            "harm_change_rest_gbp": float(np.delete(change, np.r_[index, neighbours]).sum()),
            "displacement_ratio_neighbours": float(change[neighbours].sum() / removed) if removed > 0 else float("nan")}


#: where `twin validate` keeps the paired seeds finished so far, in its output folder (keyed on `experiment_key`)
VALIDATION_CHECKPOINT = "validation_runs.jsonl"


def experiment_key(spec: dict) -> str:
    """What an experiment's seeds depend on: its settings (not its description, nor its `reps`: the
    first seeds of more replications are the same) and the model's code."""
    import hashlib

    from twin.ensemble import code_hash

    settings = {key: value for key, value in spec.items() if key not in ("description", "reps")}
    return hashlib.sha256(json.dumps({"code": code_hash(), "experiment": settings}, sort_keys=True)
                          .encode()).hexdigest()[:24]


def _kept(keep, task: SeedTask):
    """A seed's measures kept by an interrupted run: None when absent, or when the line is not the
    kind's measures, each a number or NaN (edited by hand, say), which then runs again."""
    try:
        measures = json.loads(keep.done.get(str(task.seed), ""))
    except (TypeError, ValueError):
        return None
    names = MEASURES[task.spec["kind"]]
    if (isinstance(measures, dict) and sorted(measures) == sorted(names)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isinf(v)
                    for v in measures.values())):
        return {name: float(measures[name]) for name in names}
    return None


def _experiments_in(path: Path) -> set[str]:
    """The experiments an earlier `validation.json` holds (none when there is none, or it cannot be read)."""
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return set(held) if isinstance(held, dict) else set()


def run_files(paths: list[str], out: Path, executor=None, progress: bool = False, log=None,
              seed: int | None = None) -> dict:
    """Run the experiment files' paired seeds (with `executor`, in this process by default) and write
    `validation.json` to `out`. Each seed is kept in `VALIDATION_CHECKPOINT` as it finishes: an
    interrupted run, run again, runs only the rest (its results are those of a run never interrupted).
    `seed` (`--seed`) replaces every file's root seed."""
    from twin.config_checks import with_seed
    from twin.executor import SerialExecutor, store_salvaged
    from twin.sensitivity import Checkpoint

    # Every file is checked before any experiment runs: a mistake in the last is found at once.
    read = {str(path): with_seed(read_toml(Path(path), "experiment file"), "experiment", seed) for path in paths}
    experiments = {path: check_experiment(Path(path), data) for path, data in read.items()}
    named: dict[str, list[str]] = {}
    for path in experiments:
        named.setdefault(Path(path).stem, []).append(path)
    for name, same in named.items():
        if len(same) > 1:  # one would replace the other's results, unsaid
            raise UserError(f"two experiments named '{name}' ({', '.join(same)}): validation.json holds each under its "
                            f"file's name; rename one")
    out.mkdir(parents=True, exist_ok=True)
    check_ours(out, ["validation.json"])  # a user's own file of the name is refused before any run
    keeps = {path: Checkpoint(out, experiment_key(spec), VALIDATION_CHECKPOINT) for path, spec in experiments.items()}
    tasks = {path: seed_tasks(spec, path) for path, spec in experiments.items()}  # (each task's `where` is its path)
    found = {(path, task.seed): kept for path in experiments for task in tasks[path]
             if (kept := _kept(keeps[path], task)) is not None}
    todo = [(path, task) for path in experiments for task in tasks[path] if (path, task.seed) not in found]
    total = sum(len(t) for t in tasks.values())
    if found and log:
        log(f"Note: {len(found)} of the {total} paired seeds were kept by an earlier run of these experiments "
            f"(same settings and code) in {out / VALIDATION_CHECKPOINT}: read back, not run again.")
    executor = executor or SerialExecutor()
    bar = None
    if progress and todo:
        from twin.progress import progress_bar

        bar = progress_bar(len(todo), "seed", "paired seeds")

    def save(task: SeedTask, measures: dict) -> None:
        if (task.where, task.seed) in found:  # (handed over, then salvaged after a Ctrl-C: kept once)
            return
        keeps[task.where].save(str(task.seed), json.dumps(measures))
        found[(task.where, task.seed)] = measures  # (once in the file: a Ctrl-C in between saves it again)
        if bar:
            bar.update(1)

    try:
        for task, measures in executor.run(seed_measures, [task for _, task in todo]):
            save(task, measures)
    except KeyboardInterrupt:
        store_salvaged(executor, save)
        if bar:
            bar.close()
        if log:
            log(f"\ntwin: interrupted; {len(found)} of the {total} paired seeds are kept in "
                f"{out / VALIDATION_CHECKPOINT}. Run the same command again: only the rest run.")
        raise
    if bar:
        bar.close()
    written = False
    try:
        results = {Path(path).stem: {"description": spec.get("description", ""),
                                     **summarise(spec, [found[(path, task.seed)] for task in tasks[path]])}
                   for path, spec in experiments.items()}
        for path, spec in experiments.items():  # what the literature leads one to expect, and the verdicts
            result = results[Path(path).stem]
            result["expectations"] = judged(check_expectations(Path(path), read[path], spec["kind"]),
                                            result["measures"], result["reps"], result["months"] - SHOCK_MONTH)
        text = json.dumps(_json_ready(results), indent=2, allow_nan=False)
        earlier = _experiments_in(out / "validation.json") - set(results)
        if earlier and log:
            log(f"Warning: {out / 'validation.json'} held the results of {', '.join(sorted(earlier))} too; it now "
                f"holds only these experiments' (give --out to keep both).")
        write_output(out / "validation.json", lambda path: path.write_text(text, encoding="utf-8"))
        written = True  # (the seeds stay kept: run again with more reps, only the new ones run)
    except KeyboardInterrupt:
        if log and written:
            log(f"\ntwin: interrupted; {out / 'validation.json'} is written whole, and its paired seeds are kept in "
                f"{out / VALIDATION_CHECKPOINT} (read back by a later run of the same experiments).")
        elif log:
            log(f"\ntwin: interrupted while writing {out / 'validation.json'}; the {total} paired seeds are kept in "
                f"{out / VALIDATION_CHECKPOINT}. Run the same command again: they are read back, not run again.")
        raise
    return results


def _json_ready(value):
    """`value` with NaN (a measure that never happened in a seed) as null: standard JSON, which
    other tools read (Python's `json` would write NaN, which they refuse)."""
    if isinstance(value, dict):
        return {key: _json_ready(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return None if isinstance(value, float) and value != value else value
