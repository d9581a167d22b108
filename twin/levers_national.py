"""The lever catalogue, part 3: funding, capacity, tiers and the other national levers.

Funding: the SOC budget and its split, certainty of funding, technology investment, and a SOC
fund fed by recovered assets and fines (source 003). Capacity: prison places and court capacity.
The tiers: a regional or UK-wide tier. Enablers: professional enablers, corrupt insiders, and
public-private data sharing against fraud. The powers of a Countering SOC Bill are in
`levers_powers.py`.
"""

from __future__ import annotations

import numpy as np

from twin.errors import ScenarioError
from twin.interventions import POLICING, NationalLever, register, setting, spread_by_population
from twin.parameters import budget_tier_shares
from twin.vocabulary import FRAUD, INSIDER, NCA, PROFESSIONAL, ROCU

A = "assumption"


@register
class PrisonPlaces(NationalLever):
    type_name = "prison_places"
    paid_by = "prisons"
    payer_note = "places built and run"
    summary = ("More prison places for SOC offenders (source 003: overcrowding means offences are less likely "
               "to be punished by imprisonment): fewer early and emergency releases")
    settings = (
        setting("extra_places", 5000, "places", 0, 20000,
                "design: a share of a national building programme (the MoJ's for England and Wales was 20,000 places)",
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
                "design: about a third more than the SOC share of capacity (`court_capacity_trials_per_month`)",
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
                "source 003: more than £3bn a year on counter-terrorism; parity means about £3bn for SOC",
                "SOC budget under this lever (the baseline is soc_budget_gbp_per_year)"),
        setting("share_forces", 0.45, "share", 0.0, 1.0, "design: the baseline budget's split between the tiers",
                "share spent by forces", "share"),
        setting("share_rocu", 0.20, "share", 0.0, 1.0, "design: the baseline budget's split between the tiers",
                "share spent by ROCUs", "share"),
        setting("share_nca", 0.35, "share", 0.0, 1.0, "design: the baseline budget's split between the tiers",
                "share spent by the NCA", "share"),
        setting("multi_year", 1, "0 or 1", 0, 1,
                "design: a multi-year settlement, which source 003 asks for (yearly bids complicate long-term "
                "planning, HMICFRS 2021)",
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
    summary = ("A dedicated SOC fund (source 003 estimates about £300m from confiscation and £250m from fines; "
               "agencies kept 38%): a share of the last year's recovered assets and fines is reinvested")
    settings = (
        setting("reinvested_share", 1.0, "share", 0.0, 1.0, "source 003 proposes ring-fencing all of it",
                "share of recovered assets and fines reinvested in SOC policing", "share"),
        setting("already_kept_share", 0.38, "share", 0.0, 1.0,
                "source 003: £3.9bn in confiscation and fines in 2016-21; agencies kept 38% of recovered assets",
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
    summary = ("Capital investment in technology (source 003: policing got £100m capital against £17.5bn "
               "resource in 2023-24): spending for some years; better intelligence and success after a lag, for as "
               "long as the lever runs")
    settings = (
        setting("capital_gbp_per_year", 100e6, "GBP/year", 20e6, 500e6,
                "design: as much again as policing's whole capital funding (source 003: £100m against £17.5bn of "
                "resource funding in the year to March 2024)", "capital spending per year"),
        setting("spend_years", 3, "years", 1, 10,
                "design: a three-year programme of spending", "years of spending"),
        setting("lag_years", 2, "years", 0, 5, f"{A}: systems take time to build and adopt", "years before benefits start"),
        setting("ramp_years", 2, "years", 0.5, 5,
                f"{A}: forces take up a new system over years (source 003: siloed, fragmented approaches across "
                "forces); the range from half a year to five", "years from first benefit to full benefit"),
        setting("intel_uplift", 0.25, "fractional rise", 0.0, 0.6,
                f"{A}: source 003: data analysis and communications are vital and policing trails criminals in "
                "technology; a quarter more intelligence and mapping at full benefit, no evaluation giving a "
                "figure; the range from none to 60%", "rise in intelligence gain and mapping at full benefit"),
        setting("success_uplift", 0.1, "fractional rise", 0.0, 0.3,
                f"{A}: better evidence from data and devices raises operation success less than intelligence (a "
                "tenth); the range from none to 30%", "rise in operation success at full benefit"),
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
    summary = ("A regional or UK-wide tier (source 003: the 43-force model is ill suited to SOC; 83% back a "
               "UK-wide force): cross-boundary groups are tasked without friction")
    settings = (
        setting("friction_removed", 1.0, "share", 0.0, 1.0,
                f"{A}: a tier designed to task across force boundaries removes the cross-boundary penalty in full;"
                " reorganisations seldom deliver all they are designed to, so the range runs down to none (drawn "
                "below the default, never above)", "share of the cross-boundary cost penalty removed",
                "share"),
        setting("cost_gbp_per_year", 50e6, "GBP/year", 10e6, 200e6,
                f"{A}: running a reorganised tier, about 30% of the ROCUs' £170m share of the SOC budget (source "
                "003: ROCUs are funded short term from many sources); the range from a light merger to a UK-wide "
                "force", "running cost of the reorganisation"),
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
    summary = ("Targeting professional enablers (source 003: AML supervision, executive accountability): "
               "enablers struck off or prosecuted; groups lose laundering efficiency until they find others")
    kind = PROFESSIONAL
    settings = (
        setting("removal_prob_per_month", 0.01, "probability/month", 0.0, 0.05,
                f"{A}: source 003: over 20 supervisors oversee the legal and accountancy sector, and the FCA took "
                "one action against an individual after £777m of fines on 17 banks; a single supervisor and "
                "prosecutions strike off or prosecute about 11% of professional enablers a year (no figure "
                "given), the range to about half",
                "monthly chance an active professional enabler is removed by supervision", "probability"),
        setting("exposure_removal_uplift", 1.0, "fractional rise", 0.0, 3.0,
                f"{A}: an enabler an operation has exposed is twice as likely to be removed when supervisors and "
                "prosecutors follow operations up; the range from none to four times",
                "rise in removal of professional enablers exposed by operations (insiders and encryption providers "
                "exposed alongside go at the baseline rate)"),
        setting("cost_gbp_per_year", 30e6, "GBP/year", 5e6, 100e6,
                f"{A}: a Single Professional Services Supervisor (source 003, which would fund it by fees; counted "
                "here as public spending) and prosecutions; the range from a small office to a large one",
                "cost (supervisors, prosecutions)"),
    )

    def act(self, model, mask):
        model.modifiers.enabler_removal_multiplier *= 1.0 + self.values["exposure_removal_uplift"] * self.intensity
        self.remove(model, self.values["removal_prob_per_month"])


@register
class AntiCorruption(EnablerRemoval):
    type_name = "anti_corruption"
    paid_by = {"forces": 0.5, "prisons": 0.5}
    payer_note = "police and prison counter-corruption units, assumed half each"
    summary = ("An anti-corruption strategy (source 003: 992 prison staff investigated, 114 arrested, 42 charged "
               "2019-23): corrupt insiders removed, and insiders help groups less")
    kind = INSIDER
    settings = (
        setting("removal_prob_per_month", 0.01, "probability/month", 0.0, 0.05,
                f"{A}: source 003's prison figures (114 arrested in four and a half years, about 25 a year, against "
                "about 200 prison insiders at the model's split of `enablers_insider`) are what counter-corruption "
                "work already removes there, in the baseline; the strategy is assumed to add as much again, and "
                "at that rate in all four sectors, for which no figure is given; the range to five times it",
                "monthly chance an active corrupt insider is removed", "probability"),
        setting("insider_penalty_reduction", 0.4, "share", 0.0, 1.0,
                f"{A}: source 003 recommends an anti-corruption strategy that digitalises key sectors such as borders "
                "and prisons; with counter-corruption work these cut what an insider can leak or let through by "
                "two-fifths (no figure given); the range from none to all",
                "fall in the harm insiders do to operations (vetting, digitalised borders and prisons)", "share"),
        setting("cost_gbp_per_year", 20e6, "GBP/year", 5e6, 80e6,
                f"{A}: vetting and counter-corruption units in police and prisons; the range from a few posts to a"
                " national programme", "cost (vetting, counter-corruption units)"),
    )

    def act(self, model, mask):
        model.modifiers.insider_penalty_multiplier *= max(1.0 - self.values["insider_penalty_reduction"] * self.intensity, 0.0)
        self.remove(model, self.values["removal_prob_per_month"])


@register
class FraudDataSharing(NationalLever):
    type_name = "fraud_data_sharing"
    paid_by = "other"
    payer_note = "public data platforms and analysts; the banks' and telecoms' own costs are not counted"
    summary = ("Public-private data sharing against fraud (source 003): blocked transactions and takedowns "
               "cut fraud supply; shared data helps map fraud groups")
    settings = (
        setting("fraud_supply_reduction", 0.15, "share", 0.0, 0.4,
                f"{A}: source 003 cites banks' behavioural biometrics and Singapore's Anti-Scam Command (over 9,000 "
                "accounts frozen and about $50.8m recovered in half a year); blocked payments and takedowns cut "
                "the fraud groups can commit by about a seventh, the range to two-fifths",
                "fall in fraud that groups can commit (blocked payments, takedowns)", "share"),
        setting("detection_uplift", 0.2, "fractional rise", 0.0, 0.6,
                f"{A}: shared data helps map fraud groups (source 003: Australia's Fintel Alliance develops shared "
                "intelligence with banks); a fifth more, the range to 60%",
                "rise in the mapping of groups in the fraud market (fraud data)"),
        setting("cost_gbp_per_year", 40e6, "GBP/year", 10e6, 150e6,
                f"{A}: the public side of an expanded public-private partnership (data platforms, analysts); the "
                "range from a pilot to a national platform", "cost (data platforms, analysts)"),
    )

    def act(self, model, mask):
        v, i = self.values, self.intensity
        mods = model.modifiers
        mods.supply_multiplier[FRAUD] *= max(1.0 - v["fraud_supply_reduction"] * i, 0.0)
        if mods.group_detection_multiplier is None:
            mods.group_detection_multiplier = np.ones(model.ocgs.n)
        mods.group_detection_multiplier[model.ocgs.markets[:, FRAUD]] *= 1.0 + v["detection_uplift"] * i
