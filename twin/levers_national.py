"""The lever catalogue, part 2: powers, funding, tiers and the other national levers.

Powers (seed 003: a Countering SOC Bill with counter-terrorism-style powers), each on its own
switch, plus `oversight` (an independent reviewer): without it, powers in use cost community
trust (`trust_loss_per_month_powers_without_oversight`). Funding: the SOC budget and its split,
certainty of funding, technology investment, and a SOC fund fed by recovered assets and fines.
"""

from __future__ import annotations

import numpy as np

from twin.errors import ScenarioError
from twin.group_selection import selected_rows
from twin.interventions import POLICING, Lever, register, setting, spread_by_population
from twin.parameters import budget_tier_shares
from twin.vocabulary import COCAINE, FIREARMS, FRAUD, HEROIN_CRACK, IMMIGRATION, INSIDER, NATIONAL, NCA
from twin.vocabulary import PROFESSIONAL, ROCU

A = "assumption"


class NationalLever(Lever):
    national = True


class Power(NationalLever):
    """A power counts towards `powers_in_use` (trust is lost if there is no oversight)."""

    def act(self, model, mask):
        model.modifiers.powers_in_use += self.intensity
        self.use_power(model)

    def use_power(self, model) -> None:
        raise NotImplementedError


@register
class InvestigatoryPowers(Power):
    type_name = "investigatory_powers"
    paid_by = POLICING
    payer_note = "warrants and capability across the tiers"
    summary = "Investigatory powers (seed 003): better intelligence on, and success against, SOC groups"
    settings = (
        setting("detection_uplift", 0.3, "fractional rise", 0.0, 1.0,
                f"{A}: seed 003: powers to gather intelligence on individuals not previously identified",
                "rise in the mapping of unknown groups"),
        setting("intel_uplift", 0.3, "fractional rise", 0.0, 1.0, A, "rise in intelligence gain"),
        setting("success_uplift", 0.1, "fractional rise", 0.0, 0.4, A, "rise in operation success"),
        setting("cost_gbp_per_year", 50e6, "GBP/year", 10e6, 200e6, A, "cost (capability, warrants, staff)"),
    )

    def use_power(self, model):
        mods, v, i = model.modifiers, self.values, self.intensity
        mods.detection_multiplier *= 1.0 + v["detection_uplift"] * i
        mods.intel_multiplier *= 1.0 + v["intel_uplift"] * i
        mods.success_multiplier *= 1.0 + v["success_uplift"] * i


@register
class FinancialSanctions(Power):
    type_name = "financial_sanctions"
    paid_by = {"other": 0.5, "nca": 0.5}
    payer_note = "HM Treasury's sanctions office designates, the NCA investigates; assumed half each"
    summary = ("A SOC financial-sanctions regime (seed 003): freeze mapped groups' assets each month and "
               "seize more in operations; groups short of capital recruit more slowly. Frozen capital counts as "
               "recovered when frozen, at asset_realisation_share, as seized capital does: the expected value "
               "of a forfeiture that in practice comes a year or more later. Given groups, only that selection "
               "is designated")
    acts_on_groups = True
    settings = (
        setting("freeze_share_per_month", 0.01, "share/month", 0.0, 0.05, A,
                "share of a mapped group's capital frozen each month, scaled by intelligence", "share"),
        setting("seizure_uplift", 0.3, "fractional rise", 0.0, 1.0, A, "rise in the share of capital seized in operations"),
        setting("cost_gbp_per_year", 20e6, "GBP/year", 5e6, 80e6, A, "cost (designations, financial investigators)"),
    )

    def use_power(self, model):
        ocgs, v, i = model.ocgs, self.values, self.intensity
        model.modifiers.seizure_multiplier *= 1.0 + v["seizure_uplift"] * i
        share = np.clip(v["freeze_share_per_month"] * i * model.months_per_step, 0.0, 1.0)
        designated = ocgs.known & ocgs.active
        if self.groups is not None:
            designated &= selected_rows(self, model, np.ones(model.geography.n_areas, dtype=bool))
        frozen = ocgs.capital_gbp * share * ocgs.intel * designated
        ocgs.capital_gbp = ocgs.capital_gbp - frozen
        model.tally.add("assets_recovered_gbp", ocgs.area, frozen * model.params.asset_realisation_share)


@register
class PrisonPlaces(NationalLever):
    type_name = "prison_places"
    paid_by = "prisons"
    payer_note = "places built and run"
    summary = ("More prison places for SOC offenders (seed 003: overcrowding means offences are less likely "
               "to be punished by imprisonment): fewer early and emergency releases")
    settings = (
        setting("extra_places", 5000, "places", 0, 20000,
                f"{A}: a share of a national building programme (the MoJ's for England and Wales was 20,000 places)",
                "SOC prison places added"),
        setting("capital_gbp_per_place_year", 15000, "GBP/place/year", 8000, 30000,
                f"{A}: building a place (hundreds of thousands of pounds) spread over its life, paid whether or not "
                "it is used; an occupied place's running cost is in the prison costs",
                "cost of having a place, per year"),
    )

    def act(self, model, mask):
        model.modifiers.extra_prison_places += self.values["extra_places"] * self.intensity  # levers add up

    def cost_gbp_per_year(self, model, mask):
        return spread_by_population(model, self.values["extra_places"] * self.values["capital_gbp_per_place_year"]
                                    * self.intensity)


@register
class CourtCapacity(NationalLever):
    type_name = "court_capacity"
    paid_by = "courts"
    payer_note = "Crown Court sitting time"
    summary = ("More Crown Court capacity for SOC trials (sitting days, judges, courtrooms): a backlog of ready cases "
               "clears faster and fewer remanded defendants are bailed to wait for it")
    settings = (
        setting("extra_trials_per_month", 200, "cases/month", 0, 1000,
                f"{A}: about a third more than the SOC share of capacity (`court_capacity_trials_per_month`)",
                "SOC cases the courts can hear a month, added"),
        setting("cost_gbp_per_trial", 15000, "GBP/case", 5000, 40000,
                f"{A}: about a week of Crown Court sitting days (judge, staff, estate) per SOC case, paid whether or "
                "not the capacity is used; a case's prosecution, legal aid and hearing are in `court_cost_gbp_per_case`",
                "cost of the capacity to hear one case"),
    )

    def act(self, model, mask):
        model.modifiers.extra_court_trials_per_month += self.values["extra_trials_per_month"] * self.intensity

    def cost_gbp_per_year(self, model, mask):
        return spread_by_population(model, 12 * self.values["extra_trials_per_month"] * self.values["cost_gbp_per_trial"]
                                    * self.intensity)


@register
class ExtraTerritorial(Power):
    type_name = "extra_territorial"
    paid_by = "nca"
    payer_note = "international liaison and casework"
    summary = "Extra-territorial jurisdiction (seed 003): reach into international groups"
    settings = (
        setting("success_uplift_national_groups", 0.25, "share", 0.0, 0.6, A,
                "rise in operation success against groups of national or international reach"),
        setting("cost_gbp_per_year", 30e6, "GBP/year", 5e6, 100e6, A, "cost (international liaison, casework)"),
    )

    def use_power(self, model):
        model.modifiers.success_multiplier_by_reach[NATIONAL] *= 1.0 + self.values["success_uplift_national_groups"] * self.intensity


@register
class SOCRegister(Power):
    type_name = "soc_register"
    paid_by = POLICING
    payer_note = "orders sought and monitored by forces and the NCA"
    summary = ("A SOC register and enforced prevention orders (seed 003: SCPOs are under-used for lack of "
               "funds): fewer released members return to crime")
    settings = (
        setting("reoffending_reduction", 0.3, "share", 0.05, 0.6, A, "fall in returns to crime after release",
                "share"),
        setting("cost_gbp_per_year", 40e6, "GBP/year", 10e6, 120e6, A, "cost (monitoring and enforcing orders)"),
    )

    def use_power(self, model):
        model.modifiers.reoffend_multiplier *= max(1.0 - self.values["reoffending_reduction"] * self.intensity, 0.0)


@register
class PrisonRestrictions(Power):
    type_name = "prison_restrictions"
    paid_by = "prisons"
    payer_note = "separation units and restrictions"
    summary = ("Prison separation and restrictions (seed 003: SOC offenders are not separated as terrorists "
               "are): fewer leaders direct their groups from prison")
    settings = (
        setting("direction_reduction", 0.6, "share", 0.2, 0.9, A, "fall in leaders directing from prison", "share"),
        setting("cost_gbp_per_year", 25e6, "GBP/year", 5e6, 80e6,
                f"{A}: the Netherlands planned an extra €34m for similar measures in 2023 (seed 003)",
                "cost (separation units, monitoring)"),
    )

    def use_power(self, model):
        model.modifiers.prison_direction_multiplier *= max(1.0 - self.values["direction_reduction"] * self.intensity, 0.0)


@register
class BorderPowers(Power):
    type_name = "border_powers"
    paid_by = {"other": 0.5, "forces": 0.5}
    payer_note = "Border Force and port police examining officers, assumed half each"
    summary = ("Border stop powers (seed 003: no Schedule 7 equivalent for SOC): interdict people, drugs, firearms. "
               "It cuts supply capacity; where supply exceeds demand (drugs start about a fifth above it) a "
               "small cut changes little of what reaches users")
    settings = (
        setting("interdiction_share", 0.08, "share", 0.0, 0.3, A,
                "share of the supply capacity for drugs, firearms and facilitated crossings stopped at the border",
                "share"),
        setting("cost_gbp_per_year", 60e6, "GBP/year", 20e6, 200e6, A, "cost (border officers, stops, technology)"),
    )

    def use_power(self, model):
        keep = max(1.0 - self.values["interdiction_share"] * self.intensity, 0.0)
        for market in (HEROIN_CRACK, COCAINE, FIREARMS, IMMIGRATION):
            model.modifiers.supply_multiplier[market] *= keep


@register
class Oversight(NationalLever):
    type_name = "oversight"
    paid_by = "other"
    payer_note = "an independent reviewer's office"
    summary = ("An independent reviewer of SOC powers (seed 003): powers in use no longer cost community trust "
               "(at intensity below 1, that share of the loss is spared)")
    settings = (setting("cost_gbp_per_year", 5e6, "GBP/year", 1e6, 20e6, A, "cost of the reviewer's office"),)

    def act(self, model, mask):
        model.modifiers.oversight = min(model.modifiers.oversight + self.intensity, 1.0)


class InvestigatorPipeline(NationalLever):
    """Money that buys investigators: hiring is capped per year and recruits become productive after
    training (`twin.interventions` books the spending as the lever's cost). The cap is on the workforce,
    not on each lever: those running in a step (funding, SOC fund) share one, the lowest
    `max_growth_share_per_year` they state, each hiring within what those listed before it left.

    Training is exponential with mean `training_months`, in continuous time: hires arrive evenly
    over the step, and the step uses the investigators productive, and pays those hired, at its
    middle (as every gradual effect, `Lever.ramp`), so monthly and weekly runs agree."""

    paid_by = POLICING
    settings_pipeline = (
        setting("max_growth_share_per_year", 0.25, "share/year", 0.05, 1.0,
                f"{A}: investigators cannot be recruited and trained faster than this share of the workforce a year",
                "cap on hiring per year, as a share of baseline investigators (one cap for the levers that buy "
                "investigators: funding and the SOC fund, while running, share the lowest stated, in their order)"),
        setting("training_months", 12, "months", 3, 36, f"{A}: detective training and accreditation",
                "mean time before a new investigator is productive", "positive"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hired_fte: np.ndarray | None = None
        self.productive_fte: np.ndarray | None = None
        self.spend_gbp_per_year: np.ndarray | None = None
        self.hires_fte: np.ndarray | None = None  # hired in the last step applied

    def target_fte(self, model) -> np.ndarray:
        raise NotImplementedError

    def efficiency(self) -> float:
        return 1.0

    def act(self, model, mask):
        police, params, dt = model.police, model.params, model.months_per_step
        baseline = police.budget_gbp_per_month(params) * 12 / params.cost_gbp_per_investigator_year
        if self.hired_fte is None:
            self.hired_fte = np.zeros(police.n_units)
            self.productive_fte = np.zeros(police.n_units)
        target = self.target_fte(model)
        # Cuts are immediate; hires come in over the step, at most the cap.
        self.hired_fte = np.minimum(self.hired_fte, target)
        self.productive_fte = np.minimum(self.productive_fte, self.hired_fte)
        # One workforce to recruit from: one cap for the levers buying investigators this step (class docstring)
        share = min(lever.values["max_growth_share_per_year"] for lever in model.levers
                    if isinstance(lever, InvestigatorPipeline) and lever.active(model))
        step_cap = share * baseline * dt / 12.0
        hired_by_others = model.modifiers.investigators_hired_fte
        room = step_cap if hired_by_others is None else np.maximum(step_cap - hired_by_others, 0.0)
        hires = np.clip(target - self.hired_fte, 0.0, room)
        model.modifiers.investigators_hired_fte = hires if hired_by_others is None else hired_by_others + hires
        months = self.values["training_months"]
        productive_mid = _trained(self.productive_fte, self.hired_fte, 0.5 * hires, 0.5 * dt, months)
        self.productive_fte = _trained(self.productive_fte, self.hired_fte, hires, dt, months)
        # the efficiency is what new money delivers; a cut loses whole the investigators the baseline paid for
        model.modifiers.extra_fte += np.where(productive_mid > 0.0, productive_mid * self.efficiency(), productive_mid)
        self.spend_gbp_per_year = (self.hired_fte + 0.5 * hires) * params.cost_gbp_per_investigator_year
        self.hired_fte = self.hired_fte + hires
        self.hires_fte = hires

    @classmethod
    def payer_phrase(cls):
        return "policing: forces, ROCUs and the NCA, each spending on its own investigators"

    def cost_gbp_per_year(self, model, mask):
        return sum(_by_area_and_tier(model, self.spend_gbp_per_year).values())

    def spending_by_payer(self, model, per_year):
        """Each tier spends on its own units' investigators (the parts `cost_gbp_per_year` adds up)."""
        return list(_by_area_and_tier(model, self.spend_gbp_per_year).items())


def _trained(productive: np.ndarray, hired: np.ndarray, hires: np.ndarray, months: float,
             training_months: float) -> np.ndarray:
    """Investigators productive `months` on, from `productive` of `hired`, with `hires` more arriving
    evenly over those months, each productive after an exponential time of mean `training_months`:
    the exact solution of dP/dt = (H(t) - P) / training_months with H rising linearly."""
    kept = np.exp(-months / training_months)
    return hired + hires - (hired - productive) * kept - hires * (training_months / months) * (1.0 - kept)


def _by_area_and_tier(model, unit_values: np.ndarray) -> dict[str, np.ndarray]:
    """Unit-level spending by tier, attributed to areas: forces to their area, the ROCUs' and the
    NCA's by population."""
    n, tier = model.geography.n_areas, model.police.tier
    share = model.geography.population / model.geography.population.sum()
    return {"forces": unit_values[:n], "rocus": share * unit_values[n:][tier[n:] == ROCU].sum(),
            "nca": share * unit_values[n:][tier[n:] == NCA].sum()}


@register
class Funding(InvestigatorPipeline):
    type_name = "funding"
    summary = ("The SOC budget: its level, its split between forces, ROCUs and the NCA, and its certainty "
               "(multi-year versus yearly bids). Extra money buys investigators as fast as they can be "
               "recruited and trained; cuts take effect at once")
    settings = (
        setting("budget_gbp_per_year", 3.0e9, "GBP/year", 0.0, 6e9,
                "seed 003: more than £3bn a year on counter-terrorism; parity means about £3bn for SOC",
                "SOC budget under this lever (the baseline is soc_budget_gbp_per_year)"),
        setting("share_forces", 0.45, "share", 0.0, 1.0, f"{A}: baseline split", "share spent by forces", "share"),
        setting("share_rocu", 0.20, "share", 0.0, 1.0, f"{A}: baseline split", "share spent by ROCUs", "share"),
        setting("share_nca", 0.35, "share", 0.0, 1.0, f"{A}: baseline split", "share spent by the NCA", "share"),
        setting("multi_year", 1, "0 or 1", 0, 1, "seed 003: yearly bids complicate long-term planning (HMICFRS 2021)",
                "1: multi-year settlement; 0: yearly bids", "count"),
        setting("yearly_bid_efficiency", 0.85, "share", 0.6, 1.0,
                f"{A}: short-term funding loses capacity to churn, vacancies and bidding",
                "capacity a budget of yearly bids delivers, as a share of a multi-year settlement's", "share"),
    ) + InvestigatorPipeline.settings_pipeline

    def validate(self, where):
        total = self.values["share_forces"] + self.values["share_rocu"] + self.values["share_nca"]
        if abs(total - 1.0) > 1e-6:  # the shares not written take their defaults: say which values were summed
            shares = ", ".join(f"{k} = {self.values[k]:g}" for k in ("share_forces", "share_rocu", "share_nca"))
            raise ScenarioError(f"{where}: share_forces + share_rocu + share_nca must be 1, got {total:g} ({shares}; a "
                                f"share not written takes its default, the baseline's split)")
        if self.values["multi_year"] not in (0.0, 1.0):
            raise ScenarioError(f"{where}: multi_year: expected 0 or 1, got {self.values['multi_year']:g}")

    def efficiency(self):
        return 1.0 if self.values["multi_year"] else self.values["yearly_bid_efficiency"]

    def target_fte(self, model):
        police, params, v = model.police, model.params, self.values
        shares = np.array([v["share_forces"], v["share_rocu"], v["share_nca"]])
        new_budget = v["budget_gbp_per_year"] * shares[police.tier] * police.tier_share
        baseline = police.budget_gbp_per_month(params) * 12
        return (new_budget - baseline) * self.intensity / params.cost_gbp_per_investigator_year


@register
class SOCFund(InvestigatorPipeline):
    type_name = "soc_fund"
    summary = ("A dedicated SOC fund (seed 003 estimates about £300m from confiscation and £250m from fines; "
               "agencies kept 38%): a share of the last year's recovered assets and fines is reinvested")
    settings = (
        setting("reinvested_share", 1.0, "share", 0.0, 1.0, "seed 003 proposes ring-fencing all of it",
                "share of recovered assets and fines reinvested in SOC policing", "share"),
        setting("already_kept_share", 0.38, "share", 0.0, 1.0,
                "seed 003: £3.9bn in confiscation and fines in 2016-21; agencies kept 38% of recovered assets",
                "share agencies keep at baseline (already in the baseline budget)", "share"),
    ) + InvestigatorPipeline.settings_pipeline

    def target_fte(self, model):
        results, params, police = model.results, model.params, model.police
        steps = results.steps_recorded
        per_year = 12.0 / model.months_per_step
        window = slice(max(steps - int(round(per_year)), 0), steps)
        recovered = results.values[window, -1, results.index["assets_recovered_gbp"]].sum()
        if steps:
            recovered *= per_year / (window.stop - window.start)
        extra = max(self.values["reinvested_share"] - self.values["already_kept_share"], 0.0)
        budget = recovered * extra * self.intensity
        return budget * budget_tier_shares(params)[police.tier] * police.tier_share / params.cost_gbp_per_investigator_year


@register
class TechnologyInvestment(NationalLever):
    type_name = "technology_investment"
    paid_by = POLICING
    payer_note = "police technology, in the baseline budget's split though some is bought centrally"
    summary = ("Capital investment in technology (seed 003: policing got £100m capital against £17.5bn "
               "resource in 2023-24): spending for some years; better intelligence and success after a lag, for as "
               "long as the lever runs")
    settings = (
        setting("capital_gbp_per_year", 100e6, "GBP/year", 20e6, 500e6, A, "capital spending per year"),
        setting("spend_years", 3, "years", 1, 10, A, "years of spending"),
        setting("lag_years", 2, "years", 0, 5, f"{A}: systems take time to build and adopt", "years before benefits start"),
        setting("ramp_years", 2, "years", 0.5, 5, A, "years from first benefit to full benefit"),
        setting("intel_uplift", 0.25, "fractional rise", 0.0, 0.6, A, "rise in intelligence gain and mapping at full benefit"),
        setting("success_uplift", 0.1, "fractional rise", 0.0, 0.3, A, "rise in operation success at full benefit"),
    )

    def validate(self, where):
        # the benefits last while the lever runs (the systems bought stay in use), spending only in
        # its first spend_years: a lever ended before its lag has passed pays for nothing it gets
        if self.end_year - self.start_year <= self.values["lag_years"]:
            raise ScenarioError(f"{where}: it ends {self.end_year - self.start_year:g} years "
                                f"after it starts, before its benefits begin (lag_years = {self.values['lag_years']:g}); "
                                f"the benefits last only while the lever runs, so leave its end open or set it later "
                                f"(full benefit after lag_years + ramp_years)")

    def act(self, model, mask):
        v, i = self.values, self.intensity
        # at the middle of the step, as every gradual effect (`Lever.ramp`)
        years_in = self.ramp_months / 12.0
        past_lag = years_in - v["lag_years"]  # (with no ramp, the full benefit as the lag ends, as `Lever.ramp`)
        reached = (np.clip(past_lag / v["ramp_years"], 0.0, 1.0) if v["ramp_years"] > 0 else float(past_lag >= 0)) * i
        mods = model.modifiers
        mods.intel_multiplier *= 1.0 + v["intel_uplift"] * reached
        mods.detection_multiplier *= 1.0 + v["intel_uplift"] * reached
        mods.success_multiplier *= 1.0 + v["success_uplift"] * reached

    def cost_gbp_per_year(self, model, mask):
        spending = model.month / 12.0 - self.start_year < self.values["spend_years"]
        return spread_by_population(model, spending * self.values["capital_gbp_per_year"] * self.intensity)


@register
class RegionalTier(NationalLever):
    type_name = "regional_tier"
    paid_by = "rocus"
    payer_note = "the regional tier's running cost; a UK-wide tier led by the NCA would fall on it"
    summary = ("A regional or UK-wide tier (seed 003: the 43-force model is ill suited to SOC; 83% back a "
               "UK-wide force): cross-boundary groups are tasked without friction")
    settings = (
        setting("friction_removed", 1.0, "share", 0.0, 1.0, A, "share of the cross-boundary cost penalty removed",
                "share"),
        setting("cost_gbp_per_year", 50e6, "GBP/year", 10e6, 200e6, A, "running cost of the reorganisation"),
    )

    def act(self, model, mask):
        model.modifiers.cross_boundary_multiplier *= max(1.0 - self.values["friction_removed"] * self.intensity, 0.0)


class EnablerRemoval(NationalLever):
    """Removes active enablers of one kind at a monthly rate (supervision, prosecutions)."""

    kind = PROFESSIONAL

    def remove(self, model, monthly_probability: float) -> None:
        enablers = model.enablers
        rng = model.streams[f"lever_{self.name}"]
        p = 1.0 - (1.0 - min(monthly_probability * self.intensity, 1.0)) ** model.months_per_step
        hit = enablers.active & (enablers.kind == self.kind) & (rng.random(enablers.n) < p)
        if hit.any():
            enablers.active[hit] = False
            model.enablers_changed = True
            model.tally.add_national("enablers_removed", int(hit.sum()))


@register
class EnablerTargeting(EnablerRemoval):
    type_name = "enabler_targeting"
    paid_by = "other"
    payer_note = "anti-money-laundering supervisors and prosecutors"
    summary = ("Targeting professional enablers (seed 003: AML supervision, executive accountability): "
               "enablers struck off or prosecuted; groups lose laundering efficiency until they find others")
    kind = PROFESSIONAL
    settings = (
        setting("removal_prob_per_month", 0.01, "probability/month", 0.0, 0.05, A,
                "monthly chance an active professional enabler is removed by supervision", "probability"),
        setting("exposure_removal_uplift", 1.0, "fractional rise", 0.0, 3.0, A,
                "rise in removal of professional enablers exposed by operations (insiders and encryption providers "
                "exposed alongside go at the baseline rate)"),
        setting("cost_gbp_per_year", 30e6, "GBP/year", 5e6, 100e6, A, "cost (supervisors, prosecutions)"),
    )

    def act(self, model, mask):
        model.modifiers.enabler_removal_multiplier *= 1.0 + self.values["exposure_removal_uplift"] * self.intensity
        self.remove(model, self.values["removal_prob_per_month"])


@register
class AntiCorruption(EnablerRemoval):
    type_name = "anti_corruption"
    paid_by = {"forces": 0.5, "prisons": 0.5}
    payer_note = "police and prison counter-corruption units, assumed half each"
    summary = ("An anti-corruption strategy (seed 003: 992 prison staff investigated, 114 arrested, 42 charged "
               "2019-23): corrupt insiders removed, and insiders help groups less")
    kind = INSIDER
    settings = (
        setting("removal_prob_per_month", 0.01, "probability/month", 0.0, 0.05, A,
                "monthly chance an active corrupt insider is removed", "probability"),
        setting("insider_penalty_reduction", 0.4, "share", 0.0, 1.0, A,
                "fall in the harm insiders do to operations (vetting, digitalised borders and prisons)", "share"),
        setting("cost_gbp_per_year", 20e6, "GBP/year", 5e6, 80e6, A, "cost (vetting, counter-corruption units)"),
    )

    def act(self, model, mask):
        model.modifiers.insider_penalty_multiplier *= max(1.0 - self.values["insider_penalty_reduction"] * self.intensity, 0.0)
        self.remove(model, self.values["removal_prob_per_month"])


@register
class FraudDataSharing(NationalLever):
    type_name = "fraud_data_sharing"
    paid_by = "other"
    payer_note = "public data platforms and analysts; the banks' and telecoms' own costs are not counted"
    summary = ("Public-private data sharing against fraud (seed 003): blocked transactions and takedowns "
               "cut fraud supply; shared data helps map fraud groups")
    settings = (
        setting("fraud_supply_reduction", 0.15, "share", 0.0, 0.4, A,
                "fall in fraud that groups can commit (blocked payments, takedowns)", "share"),
        setting("detection_uplift", 0.2, "fractional rise", 0.0, 0.6, A,
                "rise in the mapping of groups in the fraud market (fraud data)"),
        setting("cost_gbp_per_year", 40e6, "GBP/year", 10e6, 150e6, A, "cost (data platforms, analysts)"),
    )

    def act(self, model, mask):
        v, i = self.values, self.intensity
        mods = model.modifiers
        mods.supply_multiplier[FRAUD] *= max(1.0 - v["fraud_supply_reduction"] * i, 0.0)
        if mods.group_detection_multiplier is None:
            mods.group_detection_multiplier = np.ones(model.ocgs.n)
        mods.group_detection_multiplier[model.ocgs.markets[:, FRAUD]] *= 1.0 + v["detection_uplift"] * i
