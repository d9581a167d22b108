"""Interventions (policy levers): the common lever mechanism, targets, time windows and costs.

A lever is declared in a scenario's `[[levers]]` array:

    [[levers]]
    type = "hold"                 # one of `twin levers`
    name = "hold_pilot"           # optional; names the cost metric lever_cost_gbp_<name>
    start_year = 1                # years after the run starts (default 0)
    duration_years = 3            # or end_year; default: to the end of the run
    areas = ["Merseyside"]        # or "all" (default), or regions = [...], or top_harm_areas = 5
    intensity = 1.0               # scales every effect and the cost (default 1)
    groups = { county_lines = true }   # levers that act on groups only: which (`group_selection.py`)
    entry_reduction = 0.5         # effect sizes and costs: see `twin levers` for each type

Every effect size and cost is a `Parameter` with unit, plausible range and source (or a stated
assumption), validated like the parameter table. Each step the model resets its `Modifiers`;
every lever active at that time writes its effect into them for its target areas and books its
cost (`lever_cost_gbp` in the response cost, and its own metric `lever_cost_gbp_<name>`).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import numpy as np

from twin.community import powers_trust_loss_per_month
from twin.errors import ParameterError, ScenarioError, area_hint, closest, did_you_mean, shown, shown_whole
from twin.geography import canonical_name
from twin.parameters import Parameter, format_value
from twin.vocabulary import HEROIN_CRACK

LEVER_TYPES: dict[str, type["Lever"]] = {}
#: the modules whose classes `register` the lever types, in the order `LEVER_TYPES` lists them
#: (whichever is imported first): a new module of levers is listed here (docs/EXTENDING.md)
LEVER_MODULES = ("twin.levers", "twin.levers_powers", "twin.levers_national")
COMMON_KEYS = ("name", "start_year", "duration_years", "end_year", "areas", "regions", "nations", "top_harm_areas",
               "intensity", "groups")
#: the keys that choose a lever's areas (one at most; `areas = "all"` may stand beside another)
TARGET_KEYS = ("areas", "regions", "nations", "top_harm_areas")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: the longest lever name: its cost metrics (discounted_lever_cost_gbp_<name>_clear, 32 characters more)
#: are stored in columns of 80 characters
MAX_NAME_CHARS = 40


def register(cls: type["Lever"]) -> type["Lever"]:
    """Class decorator adding a lever class to the registry under its `type_name` (it must say
    who spends its money: `Lever.paid_by`)."""
    shares = cls.paid_by if isinstance(cls.paid_by, dict) else {cls.paid_by: 1.0}
    if cls.paid_by != POLICING and not (set(shares) <= set(PAYERS) and abs(sum(shares.values()) - 1.0) < 1e-9):
        raise TypeError(f"lever type {cls.type_name}: paid_by must be one of {PAYERS + (POLICING,)} or shares "
                        f"of them adding up to 1, got {shown(cls.paid_by)}")
    LEVER_TYPES[cls.type_name] = cls
    # in the order of LEVER_MODULES, then of registration (a stable sort): the same catalogue,
    # ODD and warm-up whichever lever module a program imports first
    ordered = sorted(LEVER_TYPES.items(), key=lambda item: LEVER_MODULES.index(item[1].__module__)
                     if item[1].__module__ in LEVER_MODULES else len(LEVER_MODULES))
    LEVER_TYPES.clear()
    LEVER_TYPES.update(ordered)
    return cls


def setting(name, value, unit, low, high, source, description, kind="nonnegative") -> Parameter:
    return Parameter(name, value, unit, low, high, source, description, group="lever", kind=kind)


def spread_by_population(model, gbp_per_year: float) -> np.ndarray:
    """A national lever's spending a year, by area in proportion to population."""
    population = model.geography.population
    return gbp_per_year * population / population.sum()


def mean_area_population() -> float:
    """Mean population of the 45 UK force areas: the area an area lever's cost setting prices."""
    from twin.geography import uk_population

    return uk_population() / N_UK_AREAS


#: the UK force areas (`geography.load_geography`)
N_UK_AREAS = 45

#: whose budget a lever's spending falls on (who spends it): the three policing tiers, the courts,
#: the prisons and every other public body (Border Force, supervisors, HM Treasury, local partners,
#: the Home Office); metrics `lever_spending_gbp_<payer>`. New money is assumed to be additional
#: funding for whoever spends it; a cut shows as negative spending
PAYERS = ("forces", "rocus", "nca", "courts", "prisons", "other")
PAYER_LABELS = {"forces": "police forces", "rocus": "regional units (ROCUs)", "nca": "the NCA",
                "courts": "the courts (HMCTS)", "prisons": "the prisons (HMPPS)", "other": "other public bodies"}
#: `Lever.paid_by` may also be this: policing as a whole, split as the baseline SOC budget is
POLICING = "policing"


def target_hint(name: str, geography, written: str) -> str:
    """For a region or nation name not found under the key `written`: the key that takes a name
    spelt so ('North Wales' is an area; 'Scotland' a region and a nation), else the closest name
    under `written`, else under another key, saying which."""
    kinds = (("regions", list(geography.region_names)), ("nations", sorted(set(geography.nation))),
             ("areas", list(geography.area_names)))
    both = geography.region_and_nation(name)
    if both:  # 'Wales': the regional unit's areas are not the nation's
        spelt, in_region, in_nation = both
        return (f"; '{spelt}' is a nation and a region: give nations = [\"{spelt}\"] for the nation's {in_nation} "
                f"areas, or regions = [\"{spelt}\"] for the {in_region} of its regional unit")
    for key, names in kinds:
        if canonical_name(name, names) is not None:
            spelt = canonical_name(name, names)
            return f"; '{spelt}' is one of the {key}: give {key} = [\"{spelt}\"]"
    ordered = sorted(kinds, key=lambda kind: kind[0] != written)  # the key written first
    found = [(key, closest(name, names)) for key, names in ordered]
    found = [(key, match) for key, match in found if match]
    return f"; did you mean {found[0][0]} = [\"{found[0][1]}\"]?" if found else ""


class Lever:
    """Base class: time window, targets, intensity, effect sizes, cost.

    Subclasses set `type_name`, `summary`, `settings` (Parameters) and implement `act`, which
    writes effects for the target areas (a boolean mask) into `model.modifiers`, and may
    override `cost_gbp_per_year`, which returns the lever's spending per area and year.
    """

    type_name = "lever"
    summary = ""
    settings: tuple[Parameter, ...] = ()
    #: national levers act on the whole country whatever the areas (powers, funding, tiers); the others
    #: are meant for chosen areas (one naming none acts, at its cost, in every area: warned of), unless
    #: they set `everywhere = True` (a national priority worked by every force)
    national = False
    everywhere = False
    #: levers that act on groups take a `groups` selection (`group_selection.py`)
    acts_on_groups = False
    #: who spends the money: one of `PAYERS`, `POLICING` (the three tiers in the baseline budget's
    #: split) or {payer: share}; an assumption about who would run the lever, stated in `twin levers`
    #: with `payer_note` (which body). Every lever type states it (`register` checks)
    paid_by: str | dict[str, float] | None = None
    payer_note = ""

    def __init__(self, name: str, values: dict[str, float], start_year: float = 0.0,
                 end_year: float = np.inf, areas: Any = "all", regions: list[str] | None = None,
                 top_harm_areas: int | None = None, intensity: float = 1.0, groups=None,
                 nations: list[str] | None = None):
        self.name = name
        self.values = values
        self.start_year, self.end_year = start_year, end_year
        self.area_names, self.region_names, self.top_harm_areas = areas, regions, top_harm_areas
        self.nation_names = nations
        self.intensity = intensity
        self.groups = groups  # a GroupSelection, or None: every group in the target areas
        self.group_list: np.ndarray | None = None  # rows of a `top_harm` list, chosen at first activation
        self.named_rows: np.ndarray | None = None  # rows of the groups `ocg_ids` names, found when the model is built
        self.mask: np.ndarray | None = None  # resolved target areas, fixed at first activation
        #: levers that share one set of targets (the phases of one clear_hold_build): the first of
        #: them to act resolves the targets for all, so Hold holds the areas Clear cleared
        self.shared_targets: dict[str, np.ndarray] | None = None
        self.where = f"lever '{name}'"  # where it was declared (file, entry and phase), for error messages
        self.entry = self.where  # the entry alone: a composite lever's phases share it
        self.months_active = 0.0
        self.ramp_months = 0.0  # `months_active` at the middle of the step being applied (`ramp`)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_settings(cls, entry: dict[str, Any], where: str) -> "Lever":
        valid = COMMON_KEYS + tuple(p.name for p in cls.settings)
        if cls.national:
            valid = tuple(k for k in valid if k not in TARGET_KEYS)
            for key in TARGET_KEYS:
                if key in entry:
                    raise ScenarioError(f"{where}: '{key}' does not apply: this lever acts nationally")
        if not cls.acts_on_groups:
            valid = tuple(k for k in valid if k != "groups")
            if "groups" in entry:
                raise ScenarioError(f"{where}: 'groups' does not apply: this lever does not act on "
                                    f"a selection of groups (levers that do: {', '.join(group_lever_types())})")
        for key in entry:
            if key == "top_harm" and cls.acts_on_groups:
                raise ScenarioError(f"{where}: 'top_harm' is a group criterion: give groups = "
                                    f"{{ top_harm = N }} for the N groups with most harm (top_harm_areas = N picks the "
                                    f"N areas with most harm)")
            if key not in valid:
                raise ScenarioError(f"{where}: unknown key '{key}'{did_you_mean(key, valid)} "
                                    f"(expected one of: {', '.join(valid)})")
        name = entry.get("name", cls.type_name)
        if not isinstance(name, str) or not NAME_PATTERN.match(name) or len(name) > MAX_NAME_CHARS:
            raise ScenarioError(f"{where}: name: expected at most {MAX_NAME_CHARS} lower-case letters, digits and '_' "
                                f"(it names the metric lever_cost_gbp_<name>), got {shown(name)}")
        start = _number(entry.get("start_year", 0.0), where, "start_year", 0.0)
        end = np.inf
        if "duration_years" in entry and "end_year" in entry:
            raise ScenarioError(f"{where}: give duration_years or end_year, not both")
        if "duration_years" in entry:
            end = start + _number(entry["duration_years"], where, "duration_years", 0.0, exclusive=True)
        if "end_year" in entry:
            end = _number(entry["end_year"], where, "end_year", start, exclusive=True)
        intensity = _number(entry.get("intensity", 1.0), where, "intensity", 0.0)
        areas = entry.get("areas", "all")
        areas = "all" if isinstance(areas, str) and areas.strip().lower() == "all" else areas  # any case, as names
        if not (areas == "all" or (isinstance(areas, list) and areas and all(isinstance(a, str) for a in areas))):
            one = f'; one area is a list of one: areas = ["{areas}"]' if isinstance(areas, str) else ""
            hint = '; did you mean "all"?' if one and closest(areas.lower(), ["all"], 0.6) else one
            raise ScenarioError(f"{where}: areas: expected \"all\" or a list of area names, got {shown(areas)}{hint}")
        regions, nations = entry.get("regions"), entry.get("nations")
        for key, names in (("regions", regions), ("nations", nations)):
            if names is not None and not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
                raise ScenarioError(f"{where}: {key}: expected a list of {key[:-1]} names, got {shown(names)}")
        top = entry.get("top_harm_areas")
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise ScenarioError(f"{where}: top_harm_areas: expected a whole number >= 1, got {shown_whole(top, 1)}")
        # areas = "all" is the default, so it may stand beside regions or top_harm_areas (which then
        # decide): a sweep can retarget a lever whose base scenario spells out "all".
        if sum(x is not None for x in (regions, nations, top)) + (areas != "all") > 1:
            raise ScenarioError(f"{where}: give one of areas, regions, nations or top_harm_areas")
        values = {}
        for spec in cls.settings:
            raw = entry.get(spec.name, spec.value)
            try:
                values[spec.name] = spec.check(raw, where)
            except ParameterError as exc:
                raise ScenarioError(str(exc).replace("parameter '", "setting '")) from None
        groups = None
        if "groups" in entry:
            from twin.group_selection import GroupSelection

            groups = GroupSelection.parse(entry["groups"], where)
        lever = cls(name, values, start, end, areas, regions, top, intensity, groups=groups, nations=nations)
        lever.validate(where)
        return lever

    def validate(self, where: str) -> None:
        """Extra checks of a subclass (combinations of settings)."""

    @classmethod
    def describe(cls) -> dict[str, Any]:
        settings = {p.name: f"{format_value(p.value)} {p.unit} (range {format_value(p.low)} to "
                            f"{format_value(p.high)}; {p.source}) - {p.description}" for p in cls.settings}
        return {"type": cls.type_name, "summary": cls.summary, "settings": settings, "national": cls.national,
                "groups": cls.acts_on_groups, "paid_by": cls.payer_phrase()}

    @classmethod
    def payer_phrase(cls) -> str:
        """Who spends the lever's money, in words."""
        if cls.paid_by == POLICING:
            phrase = "policing: forces, ROCUs and the NCA in the baseline budget's split"
        elif isinstance(cls.paid_by, dict):
            phrase = ", ".join(f"{PAYER_LABELS[p]} {share:.0%}" for p, share in cls.paid_by.items())
        else:
            phrase = PAYER_LABELS[cls.paid_by]
        return f"{phrase} ({cls.payer_note})" if cls.payer_note else phrase

    # ------------------------------------------------------------------ each step

    def check_targets(self, geography) -> None:
        """Named areas and regions exist, and `top_harm_areas` is not more than there are areas
        (checked when the model is built, long before the lever first acts)."""
        if self.national:
            return
        if self.top_harm_areas is not None and self.top_harm_areas > geography.n_areas:
            raise ScenarioError(f"{self.entry}: top_harm_areas = {self.top_harm_areas}, but the geography has "
                                f"{geography.n_areas} areas")
        for region in self.region_names or []:  # names in any case and spacing, as registers' areas
            if canonical_name(region, geography.region_names) is None:
                hint = target_hint(region, geography, "regions")
                raise ScenarioError(f"{self.entry}: unknown region '{region}'{hint} (the "
                                    f"regions are the regional units' remits: {', '.join(geography.region_names)})")
        nations = sorted(set(geography.nation))
        for nation in self.nation_names or []:
            if canonical_name(nation, nations) is None:
                hint = target_hint(nation, geography, "nations")
                raise ScenarioError(f"{self.entry}: unknown nation '{nation}'{hint} "
                                    f"(the nations of these areas: {', '.join(nations)})")
        if self.area_names != "all":
            for area in self.area_names:
                if canonical_name(area, geography.area_names) is None:
                    hint = (target_hint(area, geography, "areas") if geography.grouping_hint(area)
                            else area_hint(area, geography.area_names))  # a region or nation: the key that takes it
                    raise ScenarioError(f"{self.entry}: unknown area '{area}'{hint}")

    def resolve_targets(self, model) -> np.ndarray:
        geo = model.geography
        self.check_targets(geo)
        if self.national:
            return np.ones(geo.n_areas, dtype=bool)
        mask = self.named_areas(geo)
        if mask is None:  # top_harm_areas
            # Harm in the year before (12 monthly or 52 weekly steps; less if the run is younger).
            # Before any step is recorded, areas rank by heroin/crack demand, the largest harm category.
            steps = model.results.steps_recorded
            year = int(round(12.0 / model.months_per_step))
            recent = model.results.values[max(steps - year, 0): steps, :-1,
                                          model.results.index["harm_gbp_total"]].sum(axis=0) if steps else None
            harm = recent if recent is not None else model.markets.demand[:, HEROIN_CRACK]
            mask = np.zeros(geo.n_areas, dtype=bool)
            mask[np.argsort(-harm, kind="stable")[: self.top_harm_areas]] = True
        return mask

    def named_areas(self, geo) -> np.ndarray | None:
        """The target areas the scenario names (all, named areas or regions), known before any run;
        None for `top_harm_areas`, which ranks areas by harm when the lever starts."""
        if self.top_harm_areas is not None:
            return None
        mask = np.zeros(geo.n_areas, dtype=bool)
        if self.region_names is not None:
            for region in self.region_names:
                mask |= geo.area_region == geo.region_names.index(canonical_name(region, geo.region_names) or region)
        elif self.nation_names is not None:
            nations = sorted(set(geo.nation))
            chosen = {canonical_name(nation, nations) or nation for nation in self.nation_names}
            mask[:] = [nation in chosen for nation in geo.nation]
        elif self.area_names == "all":
            mask[:] = True
        else:
            for area in self.area_names:
                mask[geo.area_index(area)] = True
        return mask

    def active(self, model) -> bool:
        year = model.month / 12.0 + 1e-9  # a step that starts on the boundary counts in the window that begins there
        return self.start_year <= year < self.end_year

    def apply(self, model) -> None:
        if not self.active(model):
            return
        if self.mask is None:
            shared = self.shared_targets if self.shared_targets is not None else {}
            if "mask" not in shared:
                shared["mask"] = self.resolve_targets(model)
            self.mask = shared["mask"]
        # a gradual effect reaches, in this step, its level at the step's middle (`ramp`), so that
        # the first step acts and monthly and weekly runs ramp alike
        self.ramp_months = self.months_active + 0.5 * model.months_per_step
        self.act(model, self.mask)
        self.months_active += model.months_per_step
        per_year = self.cost_gbp_per_year(model, self.mask)
        share_of_year = model.months_per_step / 12.0
        parts = self.spending_by_payer(model, per_year)
        bias = model.params.lever_cost_optimism_bias
        if bias:
            # Green Book optimism bias raises spending; a cut's saving (a payer's negative part, as
            # when a budget moves between tiers) is left as assumed. The cost is what the parts add to.
            parts = [(payer, part * np.where(part > 0, share_of_year * (1.0 + bias), share_of_year))
                     for payer, part in parts]
            cost = sum(part for _, part in parts)
        else:
            parts = [(payer, part * share_of_year) for payer, part in parts]
            cost = per_year * share_of_year
        model.tally.add_by_area("lever_cost_gbp", cost)
        model.tally.add_by_area(f"lever_cost_gbp_{self.name}", cost)
        for payer, part in parts:
            model.tally.add_by_area(f"lever_spending_gbp_{payer}", part)

    def act(self, model, mask: np.ndarray) -> None:
        raise NotImplementedError

    def spending_by_payer(self, model, per_year: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """The spending a year by area (`per_year`, from `cost_gbp_per_year`) split between the
        payers (`PAYERS`) who spend it; the parts add up to it."""
        if self.paid_by == POLICING:
            from twin.parameters import budget_tier_shares

            return [(payer, per_year * share) for payer, share in zip(PAYERS[:3], budget_tier_shares(model.params))]
        if isinstance(self.paid_by, dict):
            return [(payer, per_year * share) for payer, share in self.paid_by.items()]
        return [(self.paid_by, per_year)]

    def cost_gbp_per_year(self, model, mask: np.ndarray) -> np.ndarray:
        """Spending per area and year. Default: `cost_gbp_per_area_year` for an area of the UK force
        areas' mean population, scaled by each target area's population, as the lever's effects
        scale with the area's demand and at-risk pool (a rollout to all 45 areas costs 45 times
        the setting; national levers: `cost_gbp_per_year` spread by population)."""
        if "cost_gbp_per_year" in self.values:
            return spread_by_population(model, self.values["cost_gbp_per_year"] * self.intensity)
        population = model.geography.population
        return mask * self.values.get("cost_gbp_per_area_year", 0.0) * self.intensity * population / mean_area_population()

    def ramp(self, years: float) -> float:
        """Share of a gradual effect reached in this step: linear over `years` from the lever's
        start, taken at the middle of the step (half a step in for the first)."""
        return 1.0 if years <= 0 else min(1.0, self.ramp_months / (12.0 * years))


class NationalLever(Lever):
    """A lever acting on the whole country whatever its areas (powers, funding, tiers)."""

    national = True


def group_lever_types() -> list[str]:
    """The lever types that take a `groups` selection."""
    return [name for name, cls in LEVER_TYPES.items() if cls.acts_on_groups]


def _number(value, where: str, key: str, minimum: float, exclusive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ScenarioError(f"{where}: {key}: expected a number, got {shown(value)}")
    if value < minimum or (exclusive and value == minimum):
        relation = ">" if exclusive else ">="
        raise ScenarioError(f"{where}: {key}: expected a number {relation} {minimum:g}, got {shown(value)}")
    return float(value)


def finalise_modifiers(model) -> None:
    """Cross-lever effects, after every lever has acted: powers used without oversight cost trust
    (`community.powers_trust_loss_per_month`, saturating in the number of powers); oversight spares
    its share of the loss (`Modifiers.oversight`, 1 at intensity 1)."""
    mods = model.modifiers
    if mods.powers_in_use > 0 and mods.oversight < 1.0:
        mods.trust_change_per_month -= (powers_trust_loss_per_month(mods.powers_in_use, model.params)
                                        * (1.0 - mods.oversight))


def lever_catalogue() -> list[dict[str, Any]]:
    return [cls.describe() for cls in LEVER_TYPES.values()]


for _module in LEVER_MODULES:  # (each imports this module: imported last)
    importlib.import_module(_module)
