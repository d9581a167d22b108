"""TwinModel: the Mesa model shell, its set-up, and the order of one step.

The populations (OCGs, members, enablers, county lines) live in numpy arrays, one per attribute;
no per-agent Python loop runs in the step. Mesa supplies the model lifecycle (`step`, `steps`,
seeded `rng`); each random process draws from its own named stream (`streams.py`).
"""

from __future__ import annotations

import copy

import mesa
import numpy as np

from twin import (
    adaptation, community, county_lines, investigations, justice, operations, policing, recruitment, succession,
)
from twin.enablers import EnablerLinks, build_enablers, initial_links, renew, starting_counts
from twin.errors import interrupt_at_root, raise_swallowed_interrupt
from twin.shared_kernels import sorted_unique
from twin.geography import Geography, load_geography
from twin.harm import HarmAccounts
from twin.interventions import finalise_modifiers
from twin.county_lines import CountyLines, line_destinations
from twin.markets import Markets
from twin.members import Members, active_census, role_layout
from twin.metrics import compute_metrics, drug_death_area_factors
from twin.modifiers import Modifiers
from twin.ocgs import STEP_ARRAYS, OCGs, base_cohesion
from twin.parameters import Parameters
from twin.population_guard import (
    RESULT_LIMIT, check_population, overflow_error, population_error, set_beyond_ranges,
)
from twin.register import Register, complete_register as completed, synthetic_register
from twin.results import Results, StepTally
from twin.scenario import STEPS_PER_YEAR
from twin.streams import RandomStreams
from twin.violence import violence
from twin.vocabulary import ACTIVE, CHARGED, COCAINE, EXITED, EXPLOITED, HEROIN_CRACK, LEADER

MONTHS_PER_STEP = {"month": 1.0, "week": 12.0 / 52.0}
#: members are compacted (exited rows dropped) when exited rows exceed this share of the table
COMPACTION_SHARE = 0.15


def _whole_seed(seed) -> int:
    """`seed` as a Python int (a numpy integer, as a comparison stores them, included), or a UserError."""
    import operator

    from twin.arguments import MAX_SEED
    from twin.errors import UserError

    try:
        whole = operator.index(seed)
    except TypeError:
        whole = -1
    if not 0 <= whole <= MAX_SEED:
        raise UserError(f"seed: expected a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return whole


class TwinModel(mesa.Model):
    """A computational twin of serious and organised crime in the UK.

    One step (a month by default, or a week) runs these processes in this order:

    1. Interventions: active levers set this step's modifiers (`modifiers.py`); if the chance of
       directing from prison changed, imprisoned leaders' direction is re-read (`justice.py`).
    2. Markets and demand: drug demand responds to price and levers (`markets.py`).
    3. OCG operations: capacity from active members, supply into home markets and county lines,
       market clearing with displacement to neighbouring areas, revenue, profit, laundering and
       capital (`operations.py`, `markets.py`).
    4. Enabler services: new enablers replace removed ones and groups that lost an enabler find
       another; laundering efficiency, insiders and encryption from enabler links (`enablers.py`).
    5. Competition and violence: serious violence and homicides from rival pressure (`violence.py`).
    6. Recruitment and exploitation: children who turn 18 counted as adults from now on; groups'
       target sizes grow with their markets' unmet share; vacancies filled from the at-risk pool
       (children among the exploited), NRM referrals, desistance (`recruitment.py`).
    7. Intelligence: police capacity this step (budget, surges, reactive demand), mapping of
       unknown groups and members, intelligence gain (`policing.py`).
    8. Investigations and tasking: operations under way progress; those ending make arrests,
       charges (remanded or bailed), seizures and disruptions (`investigations.py`); reactive street arrests; then
       forces, ROCUs and the NCA open new operations down their harm-ranked lists with the
       investigators left free (`policing.py`).
    9. Courts and prisons: trials up to the courts' capacity (custody cases first), bail when the
       custody time limit passes or remand is at its ceiling, verdicts, sentences, releases, early
       release when prisoners and remand (who share the places) fill the prisons, released members
       returning or leaving (`justice.py`).
    10. OCG adaptation (on the member counts taken at the end of the previous step):
        dissolution of depleted groups, succession with disputes, splits or absorption
        (`succession.py`); entry into vacated markets (more where prices stand above their
        recent norm) (`adaptation.py`), county lines opening and closing (`county_lines.py`),
        relocation and market pivots after operations, learning, exit from glutted markets
        (`adaptation.py`).
    11. Communities: community trust (`community.py`).
    12. Census and results: exited members dropped from the table once they pile up; members
        counted by group and class; metrics per area and for the UK (`members.py`, `metrics.py`,
        `results.py`).

    Args:
        params: parameter values (defaults from the parameter table).
        seed: root seed; every random stream derives from it.
        n_steps: steps to preallocate results for.
        step_length: "month" or "week".
        start_date: date of the first step.
        register: OCG register to start from (a synthetic UK register when None).
        complete_register: complete `register` from the synthetic UK register in the areas it
            leaves out (`register.complete_register`); what was added is in `register_completion`.
        geography: areas to run on (the 45 UK police force areas when None).
        levers: intervention objects with a `apply(model)` method (see `interventions.py`).
        spin_up_years: years the model runs before its first reported step, from the register's
            picture, with no lever acting and nothing recorded, so that the reported years start
            from the state the model's own processes hold (police insulation, intelligence,
            operations and the prison pipeline settle over years; docs/ODD.md, section 3.1,
            "Initialisation"). 0 by default here (the engine starts from the register as given);
            scenario files default to `scenario.SPIN_UP_YEARS`.

    Time: `steps_done` and `month` count from the first reported step; spin-up steps have
    negative numbers (`steps_done` from -spin-up steps to -1). Every date a process stores
    (verdicts, releases, coming of age) is on that clock, so nothing shifts when reporting begins.
    """

    def __init__(self, params: Parameters | None = None, seed: int = 1, n_steps: int = 120,
                 step_length: str = "month", start_date: str = "2025-04-01", register: Register | None = None,
                 geography: Geography | None = None, levers: list | None = None, complete_register: bool = False,
                 spin_up_years: float = 0.0):
        seed = _whole_seed(seed)  # mesa's random.Random takes no numpy integer; a float would be truncated
        super().__init__(seed=seed)
        # Mesa wraps `step` by keeping bound methods on the instance (`self.step = self._wrapped_step`):
        # a reference cycle, so a finished model and its arrays waited for Python's cyclic collector, which
        # numpy's allocations seldom trigger, and a worker running hundreds of runs grew to gigabytes.
        # `step` (below) counts Mesa's `steps` as that wrapper does; without it, a model goes when unused.
        del self.step, self._user_step
        self.params = (params or Parameters()).frozen_copy()  # read once in places: no change once built
        self.streams = RandomStreams(seed)
        self.geography = geography or load_geography()
        self.months_per_step = MONTHS_PER_STEP[step_length]
        self.step_length = step_length
        if not spin_up_years >= 0:
            raise ValueError(f"spin_up_years must be 0 or more, got {spin_up_years!r}")
        self.spin_up_steps = int(round(spin_up_years * STEPS_PER_YEAR[step_length]))
        self.steps_done = -self.spin_up_steps
        self.month = self.steps_done * self.months_per_step
        self._set_run(levers, n_steps, start_date)  # the levers check their areas before any work
        geo, p = self.geography, self.params

        self.vulnerability = community.initial_vulnerability(geo, p)
        self.trust = community.initial_trust(geo, p)
        self.trust_reference = self.trust.copy()
        # where groups move after operations: neutral for the synthetic register's spread of groups
        self.relocation, self.relocation_scale = geo.relocation_weights(geo.population * self.vulnerability)
        self.police = policing.Police(geo, p)
        self.modifiers = Modifiers(geo.n_areas, self.police.n_units)
        self.directs_prob_in_force = justice.directs_from_prison_prob(self)  # see `justice.redraw_direction`
        self.markets = Markets(geo, p, self.vulnerability)
        self.harm = HarmAccounts(p)
        self.unit_price_gbp = operations.unit_prices(p)
        self.drug_death_area_factor = drug_death_area_factors(geo, p, self.markets.base_demand)  # per nation
        self.tally = StepTally(geo.n_areas)
        self.violence_reference_pressure: float | None = None
        self.county_line_openings_per_exporter: float | None = None
        self._ocg_array_buffers: dict = {}  # see grow_ocg_arrays
        self.operations_room = None  # operations.OperationsRoom: the working arrays operate reuses
        self._portfolio_changes: dict[str, list[np.ndarray]] = {"entries": [], "profiles": []}
        self.enablers_changed = False
        self.money_laundered_gbp = 0.0
        self.court_slot_carry = 0.0  # see justice.trial_slots
        self._active_rows, self._active_rows_n = None, 0  # see active_row_parts

        self.register_completion = None
        self.register_given = register  # a user's register as given (before any completion), or None
        if register is None:
            register = synthetic_register(geo, p, self.streams["register"])
        elif complete_register:
            register, self.register_completion = completed(
                register, synthetic_register(geo, p, self.streams["register"]))
        self.register = register  # the picture the run starts from (before any spin-up)
        self._check_named_groups()
        self._populate(register)

    # ------------------------------------------------------------------ set-up

    def _set_run(self, levers: list | None, n_steps: int, start_date: str) -> None:
        """The levers (policy levers check their areas; other interventions need not), the number of
        reported steps, and the results table for them from `start_date`. The levers are copied: a lever
        keeps its run's state (its areas, months active, investigators hired), so objects given to an
        earlier model would start this one part-way through (read the state after a run on `self.levers`)."""
        self.levers = copy.deepcopy(list(levers or []))
        for lever in self.levers:
            if hasattr(lever, "check_targets"):
                lever.check_targets(self.geography)
        self.n_steps = int(n_steps)
        self.lever_cost_metrics = tuple(f"lever_cost_gbp_{lever.name}" for lever in self.levers)
        self.results = Results(self.n_steps, self.geography.area_names, self.geography.population,
                               self._dates(start_date), extra_metrics=self.lever_cost_metrics)

    def _dates(self, start: str) -> list[str]:
        """The first day of each step: the start date's day of each month (the month's last day
        when it has fewer), or for weeks 7 days apart from each anniversary of the start, as the
        model's clock has it (52 weekly steps are 12 months): a year's last week takes the year's
        one or two days over 364."""
        step = np.arange(self.n_steps)
        weekly = self.step_length == "week"
        months = np.datetime64(start, "M") + (12 * (step // 52) if weekly else step)
        day = np.minimum(months.astype("datetime64[D]") + (int(start[8:10]) - 1),
                         (months + 1).astype("datetime64[D]") - 1)
        return [str(d) for d in (day + 7 * (step % 52) if weekly else day)]

    def _populate(self, register: Register) -> None:
        p, rng = self.params, self.streams["population"]
        self.base_cohesion = base_cohesion(p)  # by OCG type
        self.entrant_reach_shares = np.array([p.entrant_share_reach_local, p.entrant_share_reach_regional,
                                              p.entrant_share_reach_national])
        self.ocgs = OCGs.from_register(register, rng, p.harm_score_noise_sigma, self.base_cohesion, self.steps_done,
                                       intel_known=p.intel_start_mapped, insulation_max=p.insulation_start_max)
        self.register_capital_missing = np.isnan(register.capital_gbp)
        self.ocgs_at_start = self.ocgs.n
        drugs = register.markets[:, HEROIN_CRACK] | register.markets[:, COCAINE]
        exploited = np.where(drugs, p.exploited_member_share_drugs, p.exploited_member_share_other)
        owner, role = role_layout(register.size, p.core_member_share, exploited, rng)
        known_prob = np.array([p.known_prob_leader, p.known_prob_core, p.known_prob_worker, p.known_prob_exploited])
        known = np.where(register.known[owner], known_prob[role], p.known_prob_unmapped_ocg)
        self.members = Members(capacity=3 * owner.size // 2)  # grows by doubling if ever needed
        child = (role == EXPLOITED) & (rng.random(owner.size) < p.child_share_of_exploited)
        index = self.members.append(owner.size, ocg=owner, role=role, status=ACTIVE, child=child,
                                    known=rng.random(owner.size) < known)
        self.members_at_start = owner.size
        recruitment.set_adulthood(self, index[child], at_start=True)
        self.ocgs.leader[owner[role == LEADER]] = index[role == LEADER]
        self._initial_prisoners(rng)

        self.enablers = build_enablers(starting_counts(p), rng, p.enabler_client_pareto_shape)
        self.enabler_links = EnablerLinks(capacity=4 * self.ocgs.n)
        initial_links(self.ocgs, self.enablers, self.enabler_links, rng)

        self.county_lines = CountyLines(capacity=4 * max(int(register.county_lines.sum()), 256))
        owners = np.repeat(np.arange(len(register)), register.county_lines)
        self.county_lines.append(owners.size, ocg=owners, dest=line_destinations(self, owners, rng))

        self.take_census()
        self.grow_ocg_arrays()
        # A first market clearing calibrates productivity and starting capital (no time passes:
        # the capital a register gives is kept as given).
        capital_given = self.ocgs.capital_gbp.copy()
        revenue = operations.operate(self)["revenue_per_month"]
        operations.initial_capital(self, revenue, capital_given)
        self._operations_under_way()

    def _operations_under_way(self) -> None:
        """Start with the police already working their lists: operations part-way through."""
        from twin.violence import violence as draw_violence

        draw_violence(self)  # sets each group's expected violence harm, used by the harm score
        self.tally.reset()
        # The reference for reactive demand is the expected violence at the start.
        investigators = self.police.investigators(self.params, self.modifiers, self.expected_violence_per_month)
        # Each force's capacity is measured against its investigators before any lever acts, so a
        # surge from the first step raises capacity rather than becoming the reference.
        self._force_reference_fte = np.maximum(investigators[: self.geography.n_areas], 1e-9)
        policing.task(self, investigators)
        under_way = self.ocgs.operation_months_left > 0
        rng = self.streams["population"]
        self.ocgs.operation_months_left[under_way] *= rng.random(int(under_way.sum()))
        self.tally.reset()

    def _initial_prisoners(self, rng: np.random.Generator) -> None:
        """Start the justice pipeline full: SOC prisoners part-way through their sentences and
        members charged and awaiting trial, remanded or on bail (non-leaders, so every group starts led)."""
        members, p = self.members, self.params
        candidates = np.flatnonzero(members.role != LEADER)
        n_prison = min(int(p.soc_prisoners_initial), candidates.size)
        n_charged = min(int(p.soc_awaiting_trial_initial), candidates.size - n_prison)
        chosen = rng.choice(candidates, size=n_prison + n_charged, replace=False)
        prisoners, charged = chosen[:n_prison], chosen[n_prison:]
        justice.imprison(self, prisoners, rng, already_inside=True)
        members.verdict_month[charged] = self.month + rng.random(n_charged) * 2 * p.court_delay_months
        remanded = rng.random(n_charged) < p.remand_prob  # the others on bail, at liberty until the trial
        members.status[charged[remanded]] = CHARGED
        members.on_bail[charged[~remanded]] = True

    def grow_ocg_arrays(self) -> None:
        """Extend per-OCG working arrays (`ocgs.STEP_ARRAYS`) after OCGs are added mid-step: zero
        (False) for the new groups.

        An array is extended in a buffer kept with rows to spare, one per array, reused from step
        to step: when groups are added twice before the array is replaced (splits, then entry),
        the second time extends it in place; otherwise the array is copied into the buffer. The
        buffer's rows past the copy are zeroed, so a buffer reused while an array it held earlier
        is still referenced would show that array new values: the step replaces these arrays
        wholesale (census, operations, violence, investigations) and holds none across a step.
        """
        n = self.ocgs.n
        buffers = self._ocg_array_buffers
        for name in STEP_ARRAYS:
            current = getattr(self, name, None)
            if current is not None and current.shape[0] >= n:
                continue
            if current is None:
                current = np.zeros((0, 4) if name == "active_by_role" else 0,
                                   dtype=bool if name in ("investigated", "disrupted") else float)
            held = buffers.get(name)
            if held is not None and held[0].shape[0] >= n and held[0].dtype == current.dtype:
                buffer, view = held
            else:
                buffer, view = np.empty((n + max(n // 4, 64), *current.shape[1:]), current.dtype), None
            m = current.shape[0]
            if current is not view or current.base is not buffer:  # else it is `buffer[:m]` already
                buffer[:m] = current
            buffer[m:n] = 0
            view = buffer[:n]
            buffers[name] = (buffer, view)
            setattr(self, name, view)

    # ------------------------------------------------------------------ the step

    def step(self) -> None:
        """One step; see the class docstring for the order. A spin-up step (`steps_done` < 0) runs
        every process but no lever, and records nothing.

        A Ctrl-C that lands in a compiled kernel surfaces as numba's SystemError: it is raised as
        the interrupt it is (`errors.interrupt_at_root`), so callers that keep finished steps on
        an interrupt do."""
        self.steps += 1  # Mesa's step count (its wrapper's, `__init__`)
        raise_swallowed_interrupt()
        recorded = self.results.steps_recorded
        try:
            with np.errstate(over="ignore"):  # an overflow is the run's error below, not numpy's warning
                self._step()
        except SystemError as exc:
            if interrupt_at_root(exc):
                raise KeyboardInterrupt from None
            raise
        except (ValueError, ArithmeticError) as exc:  # (a Poisson mean out of range): said as the user's
            raise exc if not set_beyond_ranges(self) else population_error(self, 0, 0, failed=exc) from None
        if self.results.steps_recorded > recorded and (abs(self.results.values[recorded]) > RESULT_LIMIT).any():
            raise overflow_error(self, self.results.values[recorded])

    def _step(self) -> None:
        if self.steps_done >= self.n_steps:
            raise RuntimeError(f"the model was set up for {self.n_steps} steps")
        reporting = self.steps_done >= 0
        self.tally.reset()
        self.grow_ocg_arrays()
        self.modifiers.reset()                                           # 1
        for lever in self.levers if reporting else ():
            lever.apply(self)
        finalise_modifiers(self)
        justice.redraw_direction(self)
        self.markets.update_demand(self.modifiers.demand_multiplier)     # 2
        operations.operate(self)                                         # 3
        renew(self)                                                      # 4 (services refreshed in it)
        violence(self)                                                   # 5
        recruitment.come_of_age(self)                                    # 6
        recruitment.update_targets(self)
        recruitment.recruit(self)
        recruitment.exploitation_and_desistance(self)
        investigators = self.police.investigators(                        # 7
            self.params, self.modifiers, self.expected_violence_per_month)
        self.investigators_fte = investigators
        self.force_capacity_ratio = self._force_capacity_ratio(investigators)
        policing.intelligence(self)
        ended = investigations.progress_operations(self)                 # 8
        investigations.complete_operations(self, ended)
        investigations.street_arrests(self)
        policing.task(self, investigators)
        justice.courts_and_prisons(self)                                 # 9
        succession.groups_in_transition(self)                            # 10
        adaptation.entry(self)
        check_population(self)
        county_lines.step(self)
        adaptation.displacement_and_learning(self)
        adaptation.market_exit(self)
        community.update_trust(self)                                     # 11
        self._compact_members()                                          # 12
        self.take_census()
        by_area, national = compute_metrics(self)  # in spin-up too: it draws drug deaths from their stream
        if reporting:
            if self.lever_cost_metrics:
                lever_costs = self.tally.stack(self.lever_cost_metrics)
                by_area = np.concatenate([by_area, lever_costs], axis=1)
            self.results.record(self.steps_done, by_area, national)
        self.steps_done += 1
        self.month = self.steps_done * self.months_per_step  # not summed: 52 weeks of 12/52 would drift

    def take_census(self) -> None:
        """Count members by OCG and class; the step's OCG-level processes use these counts.

        Taken once per step, at its end (and at set-up): processes later in a step see the counts
        from the step's start, so a group emptied by arrests dissolves at the next step. One pass
        over the members (`members.active_census`) gives the active rows, the active members of
        each group by role and in all, and the members of each class by area
        (`census_by_area_class`, which the step's metrics read right after).
        """
        self._active_rows, self.active_by_role, self.active_members, self.census_by_area_class = active_census(
            self.members, self.ocgs.area, self.geography.n_areas)
        self._active_rows_n = self.members.n

    def active_row_parts(self) -> tuple[np.ndarray, int]:
        """Rows of members who may be active, in two parts: the rows active at the census (or at
        the last rebuild), and the first row appended since; every row from it to the end of the
        table follows. The step's kernels read the parts (`streams.thinned_listed`): joining them
        would copy the whole list.

        A superset (members leave activity during a step): callers re-check `status == ACTIVE` on
        the few rows they draw, which keeps rare-event draws off a full pass over the table.
        Anything that makes an existing member active again calls `members_reactivated`.
        """
        if self._active_rows is None:
            self._active_rows = self.members.active_rows()
            self._active_rows_n = self.members.n
        return self._active_rows, self._active_rows_n

    def active_rows(self) -> np.ndarray:
        """`active_row_parts` joined into one array (a copy)."""
        listed, first_new_row = self.active_row_parts()
        return np.concatenate([listed, np.arange(first_new_row, self.members.n)])

    def portfolios_changed(self, ocg_rows: np.ndarray) -> None:
        """Existing groups changed markets (absorption, pivots, exits): caches built on portfolios update these rows."""
        for pending in self._portfolio_changes.values():
            pending.append(np.asarray(ocg_rows, dtype=np.int64))

    def take_portfolio_changes(self, cache: str) -> np.ndarray:
        """Rows whose portfolio changed since `cache` ("entries" or "profiles") last asked."""
        pending = self._portfolio_changes[cache]
        rows = sorted_unique(np.concatenate(pending)) if pending else np.empty(0, dtype=np.int64)
        pending.clear()
        return rows

    def members_reactivated(self) -> None:
        """Existing members became active again (court, prison, release): rebuild `active_rows` when next asked."""
        self._active_rows = None

    def _force_capacity_ratio(self, investigators: np.ndarray) -> np.ndarray:
        return investigators[: self.geography.n_areas] / self._force_reference_fte

    def _compact_members(self) -> None:
        """Drop exited members when they dominate the table (keeps the step's cost flat over time),
        but not those who left crime on bail: they are still to be tried."""
        members = self.members
        if members.exited_count() < COMPACTION_SHARE * members.n:
            return
        new_index = members.compact((members.status != EXITED) | members.on_bail)
        leader = self.ocgs.leader
        self.ocgs.leader = np.where(leader >= 0, new_index[np.maximum(leader, 0)], -1)

    def spin_up(self) -> None:
        """Run the spin-up steps left (every step before the first reported one)."""
        while self.steps_done < 0:
            self.step()

    def for_run(self, levers: list | None, n_steps: int, start_date: str) -> "TwinModel":
        """A copy of this model, at the end of its spin-up, that runs `levers` for `n_steps` from
        `start_date`. No lever acts in the spin-up, so this is the run a model built with them
        would make (tested bit for bit): runs that differ only in their levers, horizon or dates
        share one spin-up (`runner.build_model`). This model is left as it was."""
        import copy

        if self.steps_done != 0:
            raise RuntimeError("for_run needs a model at the end of its spin-up (steps_done == 0)")
        model = copy.deepcopy(self)
        model._set_run(levers, n_steps, start_date)
        model._check_named_groups()
        return model

    def _check_named_groups(self) -> None:
        """Groups the levers name by `ocg_id` are in the user's register (a ScenarioError otherwise)."""
        for lever in self.levers:
            selection = getattr(lever, "groups", None)
            if selection is not None and selection.ocg_ids is not None:
                lever.named_rows = selection.check_ids(self.register_given, lever.entry)

    def run(self, progress=None) -> Results:
        """Run all remaining steps (spin-up first) and return the results. `progress(done, total)`
        is called after each step, counting spin-up steps in both."""
        while self.steps_done < self.n_steps:
            self.step()
            if progress is not None:
                progress(self.steps_done + self.spin_up_steps, self.n_steps + self.spin_up_steps)
        return self.results

    # ------------------------------------------------------------------ helpers

    @property
    def date(self) -> str:
        """Date of the next step to run (the first reported step's during spin-up)."""
        return self.results.dates[min(max(self.steps_done, 0), self.n_steps - 1)]


