"""The lever catalogue, part 2: the powers of a Countering SOC Bill and their oversight.

Source 003 proposes a Countering SOC Bill extending counter-terrorism-style powers to SOC: greater
investigatory powers, a SOC financial-sanctions regime, extra-territorial jurisdiction, a SOC
register with enforced prevention orders, restrictions and separation in prison, and border stop
powers (there is no Schedule 7 equivalent for SOC), under an Independent Reviewer of SOC
Legislation. Each power is on its own switch and counts towards `powers_in_use`: without
`oversight`, powers in use cost community trust (`trust_loss_per_month_powers_without_oversight`).
No evaluation of such powers against SOC exists; every effect size below is an assumption, its
reasoning and range given, and `twin compare --uncertain-levers` draws them from those ranges.
"""

from __future__ import annotations

import numpy as np

from twin.group_selection import selected_rows
from twin.interventions import POLICING, NationalLever, register, setting
from twin.vocabulary import COCAINE, FIREARMS, HEROIN_CRACK, IMMIGRATION, NATIONAL

A = "assumption"


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
    summary = "Investigatory powers (source 003): better intelligence on, and success against, SOC groups"
    settings = (
        setting("detection_uplift", 0.3, "fractional rise", 0.0, 1.0,
                f"{A}: source 003: powers to gather intelligence on individuals not previously identified",
                "rise in the mapping of unknown groups"),
        setting("intel_uplift", 0.3, "fractional rise", 0.0, 1.0,
                f"{A}: source 003: counter-terrorism's investigatory powers 'help forces and agencies gather "
                "intelligence and identify and monitor suspects', and would give 'immediate returns' to officers "
                "who know them; no evaluation for SOC exists: 30% more intelligence gained, the range from "
                "none to a doubling", "rise in intelligence gain"),
        setting("success_uplift", 0.1, "fractional rise", 0.0, 0.4,
                f"{A}: powers find and watch suspects more than they prove a case, so operation success rises less"
                " than intelligence (a tenth); the range from none to 40%", "rise in operation success"),
        setting("cost_gbp_per_year", 50e6, "GBP/year", 10e6, 200e6,
                f"{A}: warrants, technical capability and staff across the tiers, about 6% of the £860m SOC budget"
                " (source 003); the range from a small unit to a national programme",
                "cost (capability, warrants, staff)"),
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
    summary = ("A SOC financial-sanctions regime (source 003): freeze mapped groups' assets each month and "
               "seize more in operations; groups short of capital recruit more slowly. Frozen capital counts as "
               "recovered when frozen, at asset_realisation_share times the share forfeited in the end "
               "(frozen_forfeited_share), as seized capital does: the expected value of a forfeiture that in "
               "practice comes a year or more later. Given groups, only that selection is designated")
    acts_on_groups = True
    settings = (
        setting("freeze_share_per_month", 0.01, "share/month", 0.0, 0.05,
                f"{A}: source 003 says there is no SOC sanctions regime (the NCA has asked for one) and gives no "
                "figure; a group known in full loses about 11% of its capital a year, the range up to about half",
                "share of a mapped group's capital frozen each month, scaled by intelligence", "share"),
        setting("seizure_uplift", 0.3, "fractional rise", 0.0, 1.0,
                f"{A}: designations and the asset tracing behind them raise what operations seize by 30% (source"
                " 003 calls for reform of the confiscation regime); the range from none to a doubling",
                "rise in the share of capital seized in operations"),
        setting("frozen_forfeited_share", 1.0, "share", 0.25, 1.0,
                f"{A}: a freeze is not a forfeiture: the state recovers frozen assets only through later "
                "proceedings (source 003 calls for reform of the confiscation regime); at 1 every frozen asset is "
                "forfeited in the end, realised as confiscated assets are (asset_realisation_share); the range "
                "down to a quarter, where most of it is never forfeited; the default, the range's top, is the most "
                "favourable reading (ODD section 4: alone the lever adds £1.76bn, 34%, to assets recovered over ten "
                "years), which the net without recovered assets leaves out",
                "share of frozen capital forfeited in the end (counted as recovered when frozen); frozen capital "
                "stays out of the groups' hands over the run either way", "share"),
        setting("cost_gbp_per_year", 20e6, "GBP/year", 5e6, 80e6,
                f"{A}: a designations office and about 200 financial investigators at "
                "`cost_gbp_per_investigator_year`; the range from a small office to a large unit",
                "cost (designations, financial investigators)"),
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
        model.tally.add("assets_recovered_gbp", ocgs.area,
                        frozen * model.params.asset_realisation_share * v["frozen_forfeited_share"])


@register
class ExtraTerritorial(Power):
    type_name = "extra_territorial"
    paid_by = "nca"
    payer_note = "international liaison and casework"
    summary = "Extra-territorial jurisdiction (source 003): reach into international groups"
    settings = (
        setting("success_uplift_national_groups", 0.25, "fractional rise", 0.0, 0.6,
                f"{A}: source 003: the UK has extra-territorial jurisdiction over terrorism offences but not over "
                "many SOC crimes, and investigations with an overseas element are extremely difficult; operations"
                " against groups of national or international reach (49% of groups, source 004; the model does not "
                "tell the international ones apart) succeed a quarter more often: a larger gain on those with an "
                "element overseas, spread over all of them; the range from none to 60%",
                "rise in operation success against groups of national or international reach"),
        setting("cost_gbp_per_year", 30e6, "GBP/year", 5e6, 100e6,
                f"{A}: international liaison officers and the casework of prosecutions abroad; the range from a "
                "few posts to a network of them", "cost (international liaison, casework)"),
    )

    def use_power(self, model):
        uplift = self.values["success_uplift_national_groups"] * self.intensity
        model.modifiers.success_multiplier_by_reach[NATIONAL] *= 1.0 + uplift


@register
class SOCRegister(Power):
    type_name = "soc_register"
    paid_by = POLICING
    payer_note = "orders sought and monitored by forces and the NCA"
    summary = ("A SOC register and enforced prevention orders (source 003: SCPOs are under-used for lack of "
               "funds): fewer released members return to crime")
    settings = (
        setting("reoffending_reduction", 0.3, "share", 0.05, 0.6,
                f"{A}: source 003: Serious Crime Prevention Orders are under-used, in part because police lack the "
                "funds to enforce them; orders monitored and enforced after release cut returns to crime by about"
                " a third (no evaluation gives a figure), the range from a twentieth to over half",
                "fall in returns to crime after release",
                "share"),
        setting("cost_gbp_per_year", 40e6, "GBP/year", 10e6, 120e6,
                f"{A}: monitoring and enforcing orders on the several thousand SOC offenders released a year, "
                "about £8,000 each; the range from light-touch notification to close monitoring",
                "cost (monitoring and enforcing orders)"),
    )

    def use_power(self, model):
        model.modifiers.reoffend_multiplier *= max(1.0 - self.values["reoffending_reduction"] * self.intensity, 0.0)


@register
class PrisonRestrictions(Power):
    type_name = "prison_restrictions"
    paid_by = "prisons"
    payer_note = "separation units and restrictions"
    summary = ("Prison separation and restrictions (source 003: SOC offenders are not separated as terrorists "
               "are): fewer leaders direct their groups from prison")
    settings = (
        setting("direction_reduction", 0.6, "share", 0.2, 0.9,
                f"{A}: source 003: SOC offenders are neither restricted nor routinely separated in prison, as "
                "terrorists are; separation and monitoring stop most direction from prison but not all (source 003:"
                " 992 prison staff investigated for conveying drugs into prisons: restrictions leak); the range "
                "from a fifth to nine tenths", "fall in leaders directing from prison", "share"),
        setting("cost_gbp_per_year", 25e6, "GBP/year", 5e6, 80e6,
                f"{A}: the Netherlands planned an extra €34m (about £29m) in 2023 for supervising prisoners and "
                "gathering intelligence on them (source 003), for a prison system far smaller than England and "
                "Wales's; here the measures fall only on SOC prisoners (about 8,700), so a sum of that order, "
                "not scaled up; the range from a few units to several times it",
                "cost (separation units, monitoring)"),
    )

    def use_power(self, model):
        cut = self.values["direction_reduction"] * self.intensity
        model.modifiers.prison_direction_multiplier *= max(1.0 - cut, 0.0)


@register
class BorderPowers(Power):
    type_name = "border_powers"
    paid_by = {"other": 0.5, "forces": 0.5}
    payer_note = "Border Force and port police examining officers, assumed half each"
    summary = ("Border stop powers (source 003: no Schedule 7 equivalent for SOC): interdict people, drugs, firearms. "
               "It cuts supply capacity, and prices answer the cut against supply at the start "
               "(price_supply_elasticity), so even where supply still exceeds demand (drugs start about a fifth "
               "above it) a cut raises prices and lowers use (drug_demand_price_elasticity): the share stopped is "
               "the assumption CT powers' benefit turns on most (docs/VALIDATION.md, section 6)")
    settings = (
        setting("interdiction_share", 0.08, "share", 0.0, 0.3,
                f"{A}: source 003: there is no Schedule 7 equivalent for SOC, a power called 'a highly valued source"
                " of intelligence and evidence' against terrorism; stops at the border catch a small share of "
                "what crosses it (seizures are a small part of the flow), 8%, the range to 30%",
                "share of the supply capacity for drugs, firearms and facilitated crossings stopped at the border",
                "share"),
        setting("cost_gbp_per_year", 60e6, "GBP/year", 20e6, 200e6,
                f"{A}: examining officers, stops and technology at the ports, about 600-750 officer-years; the "
                "range from a few ports to all of them", "cost (border officers, stops, technology)"),
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
    summary = ("An independent reviewer of SOC powers (source 003): powers in use no longer cost community trust "
               "(at intensity below 1, that share of the loss is spared)")
    settings = (setting("cost_gbp_per_year", 5e6, "GBP/year", 1e6, 20e6,
                        f"{A}: modelled on the Independent Reviewer of Terrorism Legislation (source 003), a small "
                        "office; £5m allows the reviewer's staff and research, the range £1-20m",
                        "cost of the reviewer's office"),)

    def act(self, model, mask):
        model.modifiers.oversight = min(model.modifiers.oversight + self.intensity, 1.0)
