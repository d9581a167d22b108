"""ABC-SMC calibration (pyabc): the model and distance pyabc sees, a sampler that runs particles
through the project's executors with seeds of their own, and `abc_fit`, resumable from the results
database (finished generations) and from a checkpoint in the output folder (the particles of the
generation under way). The point fit and the configuration are in `calibration.py`.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from twin.calibration import FitTask, abc_fit_key, simulate_targets
from twin.errors import ScenarioError, UserError, safe_url
from twin.parameters import as_sampled
from twin.posterior import weighted_quantiles
from twin.scenario import Scenario
from twin.targets import Target


class ABCModel:
    """The twin as a pyabc model: parameters in, target values out (one replication; its seed
    comes from the particle's seeded random state, see `executor_sampler`)."""

    def __init__(self, scenario: Scenario, targets: list[Target]):
        self.scenario, self.targets = scenario, tuple(targets)

    def __call__(self, parameters) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        overrides = tuple(sorted((k, float(v)) for k, v in dict(parameters).items()))
        values = simulate_targets(FitTask(self.scenario, seed, overrides, self.targets))
        return {k: (v if np.isfinite(v) else 1e30) for k, v in values.items()}


class ABCDistance:
    """Euclidean distance in units of each target's tolerance (a distance of 1 is one tolerance),
    over the targets not reproduced by construction (inputs and starting conditions, which would
    only add a floor of about 1 that no parameter lowers), whether or not the fitted parameters
    move them (those they do not move add the same noise to every particle)."""

    def __init__(self, targets: list[Target]):
        self.tolerance = {t.name: t.tolerance for t in targets if not t.by_construction}
        if not self.tolerance:
            raise ScenarioError("ABC-SMC needs at least one target that is not reproduced by construction")

    def __call__(self, simulated: dict, observed: dict) -> float:
        return float(np.sqrt(sum(((simulated[k] - observed[k]) / tol) ** 2 for k, tol in self.tolerance.items())))


def abc_smc(model, prior, targets: list[Target], population_size: int, sampler, acceptor: str = "epsilon",
            generations: int | None = None):
    """pyabc's ABCSMC for `model`: with `acceptor = "epsilon"`, particles within a shrinking
    Euclidean distance (`ABCDistance`) of the targets; with "kernel", each target read as an
    observation with a Gaussian error whose standard deviation is its tolerance (pyabc's
    `IndependentNormalKernel` over the same targets), accepted with the kernel's probability at a
    temperature annealed down to 1 (`Temperature`, `StochasticAcceptor`): at 1 the particles are
    the posterior of that error model, as wide as the tolerances make it, where an epsilon of 1 is a
    joint ball narrower than the tolerances (docs/ODD.md section 3.7). `generations` is the fit's
    horizon, which the temperature schedule needs whether the fit starts or resumes."""
    import pyabc

    tolerance = ABCDistance(targets).tolerance
    if acceptor == "kernel":
        kernel = pyabc.IndependentNormalKernel(var=[tol ** 2 for tol in tolerance.values()], keys=list(tolerance))
        return pyabc.ABCSMC(model, prior, kernel, population_size=population_size, sampler=sampler,
                            eps=_resumable_temperature(generations), acceptor=_resumable_acceptor())
    return pyabc.ABCSMC(model, prior, ABCDistance(targets), population_size=population_size, sampler=sampler)


def _resumable_temperature(generations: int | None):
    """pyabc's `Temperature`, resumable. pyabc passes a run its generations still to go as the
    horizon while counting generations from the fit's first, so a resumed fit would end its schedule
    early (at temperature 1 as soon as t reached the generations left); here the horizon is the
    fit's `generations`, and `restore` hands it the stored generations' temperatures, so the next
    is proposed below them as in the run that stored them."""
    import pyabc

    class ResumableTemperature(pyabc.Temperature):
        def restore(self, temperatures: dict[int, float]) -> None:
            self.temperatures.update(temperatures)

        def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
            horizon = generations if generations is not None else max_nr_populations
            super().initialize(t, get_weighted_distances, get_all_records, horizon, acceptor_config)

    return ResumableTemperature()


def _resumable_acceptor():
    """pyabc's `StochasticAcceptor`, resumable: its density normalisation is the highest density
    found so far, which `restore` gives it from the stored generations' particles (pyabc keeps no
    record of it)."""
    import pyabc

    class ResumableAcceptor(pyabc.StochasticAcceptor):
        def restore(self, t: int, highest_density: float) -> None:
            self.pdf_norms[t] = highest_density

    return ResumableAcceptor()


def _simulate_particle(task: tuple[bytes, int]):
    """One pyabc particle in a worker: unpickle pyabc's sampling closure, seed, simulate."""
    import random

    import cloudpickle

    payload, seed = task
    simulate_one = cloudpickle.loads(payload)
    random.seed(seed)
    np.random.seed(seed)
    return simulate_one()


#: the file, in the fit's output folder, keeping each particle of the generation under way
PARTICLES_CHECKPOINT = "abc_particles.jsonl"


def executor_sampler(executor, seed: int):
    """A pyabc sampler that runs particles through the project's executor (local processes,
    in-process, or a cluster executor), in seeded batches taken in order, so that a fit gives the
    same populations whatever the number of workers. Given a checkpoint (`sampler.keep`, a
    `sensitivity.Checkpoint`, and `sampler.run_id`, the stored run's), it keeps each finished
    particle there and takes those it holds rather than simulate them again: pyabc stores a
    generation only when it completes, and a resumed generation draws the same particles."""
    import cloudpickle
    from pyabc.sampler import Sampler

    class ExecutorSampler(Sampler):
        keep, run_id, t = None, None, None
        runs_made = 0  # model runs this command made, those past a generation's last accepted particle too

        def name(self, t, seed: int) -> str:
            return f"{self.run_id}:{int(t)}:{int(seed)}"

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            self.t = t
            payload = cloudpickle.dumps(simulate_one)
            sample = self._create_empty_sample()
            evaluations, accepted, batch = 0, 0, 0
            while accepted < n and evaluations < max_eval:
                # Batch sizes depend on n only, not on the workers, and seeds on (seed, generation,
                # batch) only: a generation draws the same particles whether the run was resumed
                # before it or not, and whatever the number of workers.
                size = 2 * (n - accepted)
                batch += 1
                seeds = np.random.SeedSequence([seed, int(t) + 1, batch]).generate_state(size)
                kept = self.keep.done if self.keep is not None else {}
                by_seed = {int(s): particle_from_json(kept.get(self.name(t, s))) for s in seeds}
                by_seed = {s: particle for s, particle in by_seed.items() if particle is not None}
                tasks = [(payload, int(s)) for s in seeds if int(s) not in by_seed]
                self.runs_made += len(tasks)
                for task, particle in executor.run(_simulate_particle, tasks):
                    by_seed[task[1]] = particle
                    if self.keep is not None:
                        self.keep.save(self.name(t, task[1]), particle_json(particle))
                for s in seeds:  # in seed order, not arrival order
                    if accepted >= n:
                        break
                    particle = by_seed[int(s)]
                    sample.append(particle)
                    evaluations += 1
                    accepted += bool(particle.accepted)
            self.nr_evaluations_ = evaluations
            if accepted < n:
                sample.ok = False
            return sample

    return ExecutorSampler()


def particle_json(particle) -> str:
    """A pyabc particle as JSON (the checkpoint's form: no pickle read back from an output folder).
    Floats are written to their last bit, so a particle read back is the one simulated."""
    import json

    return json.dumps({"m": int(particle.m), "parameter": {k: float(v) for k, v in particle.parameter.items()},
                       "weight": float(particle.weight), "distance": float(particle.distance),
                       "sum_stat": {k: float(v) for k, v in particle.sum_stat.items()},
                       "accepted": bool(particle.accepted), "proposal_id": int(particle.proposal_id),
                       "preliminary": bool(particle.preliminary)})


def particle_from_json(text):
    """The particle `particle_json` wrote, or None for text it did not write (a line edited by hand, or
    none): that particle is simulated again."""
    import json

    from pyabc.parameters import Parameter
    from pyabc.population import Particle

    try:
        d = json.loads(text)
        return Particle(m=int(d["m"]), parameter=Parameter({k: float(v) for k, v in d["parameter"].items()}),
                        weight=float(d["weight"]), sum_stat={k: float(v) for k, v in d["sum_stat"].items()},
                        distance=float(d["distance"]), accepted=bool(d["accepted"]),
                        proposal_id=int(d["proposal_id"]), preliminary=bool(d["preliminary"]))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


class CalibrationInterrupted(KeyboardInterrupt):
    """Ctrl-C during an ABC-SMC fit; the message says what was kept."""


def abc_fit(config: dict, store, workers: int | None, log=print, checkpoint: str | Path | None = None) -> dict:
    """ABC-SMC (pyabc) over the priors, through the project's executor; history in the results
    database; resumable.

    The pyabc history lives in the same database as the results (its own tables). A fit with the
    same configuration continues the earlier run's populations instead of starting again.
    """
    try:
        import pyabc
    except ImportError:
        raise ScenarioError('method = "abc" needs pyabc: pip install -e ".[calibrate]"') from None
    scenario = replace(config["scenario"], years=config["years"])
    targets, priors = config["targets"], config["priors"]
    prior = pyabc.Distribution(**{p.name: p.random_variable() for p in priors})
    from twin.executor import make_executor

    executor = make_executor(workers)
    sampler = executor_sampler(executor, config["seed"])
    kernel = config.get("acceptor") == "kernel"
    abc = abc_smc(ABCModel(scenario, targets), prior, targets, config["population_size"], sampler,
                  config.get("acceptor", "epsilon"), config["generations"])
    key = abc_fit_key(config)
    np.random.seed(config["seed"])
    url = store.url if not store.url.startswith("postgresql://") else "postgresql+psycopg://" + store.url[13:]
    _prepare_pyabc_tables(store)
    previous = store.abc_run(key)
    if previous is None:
        history = abc.new(url, {t.name: t.value for t in targets})
        if not store.save_abc_run(key, history.id):
            raise UserError(f"another `twin calibrate` of the same fit started at the same moment on "
                            f"{safe_url(store.url)} (ABC-SMC run {store.abc_run(key)}); run this one again when "
                            f"it ends: it resumes that run")
        log(f"ABC-SMC run {history.id} started (population {config['population_size']}).")
    else:
        history = abc.load(url, previous)
        if kernel and history.max_t is not None and history.max_t >= 0:
            _restore_kernel_state(abc, history)
        log(f"ABC-SMC run {previous} found in the database with {history.max_t + 1} population(s) stored.")
    done = history.max_t + 1 if history.max_t is not None else 0
    if checkpoint is not None:  # the particles of a generation under way, kept as they finish
        from twin.sensitivity import Checkpoint

        sampler.run_id = history.id
        sampler.keep = Checkpoint(checkpoint, hashlib.sha256(f"{key} {store.url}".encode()).hexdigest()[:24],
                                  PARTICLES_CHECKPOINT)
        # (the first generation starts with a sample from the prior, pyabc's generation -1); the
        # particles of stored generations, or of another run, are no longer needed
        under_way = tuple(f"{history.id}:{t}:" for t in ([done, -1] if done == 0 else [done]))
        # A kernel fit resumed after a stored generation proposes its next temperature afresh (from that
        # generation's accepted particles: pyabc keeps no rejected ones), so particles accepted at the
        # temperature of the interrupted run are not taken back.
        sampler.keep.keep_only(lambda name: name.startswith(under_way) and not (kernel and done > 0))
        held = len(sampler.keep.done)
        if held:
            log(f"Reusing {held} particle(s) of the generation under way finished earlier ({sampler.keep.path}).")
    remaining = config["generations"] - done
    # pyabc checks its stopping rules after each generation, so a resumed run would always run one
    # more: where a fresh run of this configuration would have stopped among the stored generations
    # is found here, and the fit reported is that generation's (a stored run may have gone further)
    stop = _stopping_generation(history, config) if done else None
    if stop is not None:
        remaining = 0
        if kernel and done > config["generations"]:
            raise UserError(f"the database holds a kernel fit of these targets, priors, population_size and seed "
                            f"over {done} generations (ABC-SMC run {history.id}), more than generations = "
                            f"{config['generations']}: a kernel fit's temperatures follow its horizon, so its first "
                            f"{config['generations']} are not a fit of {config['generations']}; ask for {done} or "
                            f"more, or use another --db")
        log(f"Nothing to run: {_stop_reason(history, config, stop)}" + (
            f"; its generation {stop + 1} of {done} is the fit of these settings" if stop + 1 < done else "") + ".")
    try:
        if remaining > 0:
            history = abc.run(minimum_epsilon=config["minimum_epsilon"], max_nr_populations=remaining,
                              max_total_nr_simulations=config["max_evaluations"])
    except KeyboardInterrupt:
        # pyabc stores a generation when it completes; the particles of the one under way are in the checkpoint
        try:
            kept = history.max_t + 1 if history.max_t is not None else 0
        except Exception:  # noqa: BLE001 (the database session may not survive the interrupt)
            kept = done
        if sampler.keep is not None and sampler.t is not None:  # particles that had finished in the workers
            executor.close()
            for (_, seed), particle in executor.salvaged():
                sampler.keep.save(sampler.name(sampler.t, seed), particle_json(particle))
        under_way = (f"the particles of the generation under way finished so far are kept in {sampler.keep.path}"
                     if sampler.keep is not None else "the generation under way is lost (pyabc stores a "
                     "generation only when it completes)")
        raise CalibrationInterrupted(
            f"{kept} finished generation{'s are' if kept != 1 else ' is'} kept in the database (ABC-SMC run "
            f"{history.id}); {under_way}. Run the same command again to continue") from None
    finally:
        executor.close()
    if sampler.keep is not None:
        sampler.keep.drop()  # the fit's generations are all stored now
    last = _stopping_generation(history, config)  # a fresh run's last generation, when the stored run went on
    last = int(history.max_t) if last is None else last
    frame, weights = history.get_distribution(m=0, t=last)
    every = history.get_all_populations()
    every = every[every.t <= last]
    populations = every[every.t >= 0]  # generation -1 is pyabc's first sample from the prior (it sets epsilon)
    rng = np.random.default_rng(config["seed"])
    draws = rng.choice(len(frame), size=config["posterior_size"], p=weights / weights.sum())
    posterior = frame.iloc[draws][[p.name for p in priors]].reset_index(drop=True)
    for p in priors:  # the values the runs used (whole-number parameters rounded)
        posterior[p.name] = [as_sampled(p.name, v) for v in posterior[p.name]]
    # summaries from the weighted particles themselves, not from the sample drawn from them
    medians = {p.name: as_sampled(p.name, weighted_quantiles(frame[p.name].to_numpy(), weights, [0.5])[0])
               for p in priors}
    def weights_of(t: int) -> np.ndarray:  # the last generation's are read above
        return weights if t == last else history.get_distribution(m=0, t=t)[1]

    generations = [{"t": int(r.t), "epsilon": float(r.epsilon), "simulations": int(r.samples),
                    "accepted": int(r.particles), "acceptance_rate": float(r.particles / max(r.samples, 1)),
                    "effective_sample_size": effective_sample_size(weights_of(int(r.t)))}
                   for r in populations.itertuples()]
    particles = frame[[p.name for p in priors]].reset_index(drop=True)
    for p in priors:  # as the runs used them (whole-number parameters rounded), so the file is a sample too
        particles[p.name] = [as_sampled(p.name, v) for v in particles[p.name]]
    particles["weight"] = weights / weights.sum()
    # the simulations pyabc counts against max_evaluations: its first sample from the prior included
    return {"best": medians, "posterior": posterior, "particles": particles, "generations": generations,
            "abc_id": history.id, "simulations": int(every["samples"].sum()),
            "prior_sample_simulations": int(every[every.t < 0]["samples"].sum()), "runs_made": sampler.runs_made,
            "key": key}


def _restore_kernel_state(abc, history) -> None:
    """A kernel fit resumed: the stored generations' temperatures, and the highest density their
    particles reached (the acceptor's normalisation), as the run that stored them had them."""
    populations = history.get_all_populations()
    stored = populations[populations.t >= 0]
    abc.eps.restore({int(r.t): float(r.epsilon) for r in stored.itertuples()})
    highest = max(float(history.get_population(t=int(t)).get_weighted_distances()["distance"].max())
                  for t in stored.t)
    abc.acceptor.restore(int(history.max_t), highest)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted particles, (sum w)^2 / sum w^2: the number of
    equally weighted particles that would carry as much information (pyabc's own measure)."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / (weights ** 2).sum())


def _stopping_generation(history, config: dict) -> int | None:
    """The stored generation after which a fresh run of `config` stops (pyabc's rules, checked after
    each generation: its `generations`, an epsilon at or below `minimum_epsilon`, `max_evaluations`
    simulations counting the first sample from the prior), None when it would go on past them all.
    A run stored with more generations, or a larger budget, holds a fresh run's fit as one of its
    generations (an epsilon fit's schedule does not depend on its horizon): that is the fit reported."""
    populations = history.get_all_populations().sort_values("t")
    simulations = 0
    for row in populations.itertuples():
        simulations += int(row.samples)
        if row.t >= 0 and (row.t >= config["generations"] - 1 or float(row.epsilon) <= config["minimum_epsilon"]
                           or simulations >= config["max_evaluations"]):
            return int(row.t)
    return None


def _stop_reason(history, config: dict, stop: int) -> str:
    """Why a fresh run stops after stored generation `stop`, in the words of the setting to change."""
    populations = history.get_all_populations()
    simulations = int(populations[populations.t <= stop].samples.sum())
    # every limit the stored run has reached: changing one alone would stop the next run again at once
    reached = [(f"holds the {config['generations']} generations asked", "raise generations")
               for _ in [0] if stop >= config["generations"] - 1]
    if float(populations[populations.t == stop].epsilon.iloc[0]) <= config["minimum_epsilon"]:
        reached.append((f"reached minimum_epsilon ({config['minimum_epsilon']:g})", "lower minimum_epsilon"))
    if simulations >= config["max_evaluations"] or not reached:
        reached.append((f"reached max_evaluations ({config['max_evaluations']:,}) with its {simulations:,} "
                        f"simulations", "raise max_evaluations"))
    return (f"the stored run {' and '.join(what for what, _ in reached)}; "
            f"{' and '.join(change for _, change in reached)} to go on")


def _prepare_pyabc_tables(store) -> None:
    """pyabc stamps its format version only into databases it creates; ours already exists (it
    holds the results), so create pyabc's tables and version stamp here, once."""
    from pyabc.storage import history as pyabc_history
    from sqlalchemy.orm import Session

    pyabc_history.Base.metadata.create_all(store.engine)
    with Session(store.engine) as session:
        if session.query(pyabc_history.Version).count() == 0:
            session.add(pyabc_history.Version(version_num=pyabc_history.__db_version__))
            session.commit()
