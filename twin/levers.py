"""The lever catalogue, part 1: Clear, Hold, Build and the other area-targeted levers.

Clear, Hold, Build (source 000: rolled out to every force area by the NPCC, combining "Pursue" policing
with partnership working to build resilient communities and reduce demand; the phases below are
the model's reading of that aim, their effects assumptions):
- Clear: a surge of pursue capacity (investigators, partners) against the highest-harm groups in
  the target areas;
- Hold: sustained presence that stops new or displaced groups filling the vacancy (fewer new
  groups enter; groups relocating after an operation and new county lines pick the held areas
  less), dampens violence, and builds intelligence and trust;
- Build: partnership work that lowers vulnerability and local demand and raises community
  resilience over years.
`clear_hold_build` chains the three phases; `clear`, `hold` and `build` can also be used alone.
The powers of a Countering SOC Bill are in `levers_powers.py`; funding, capacity, tiers and the
other national levers in `levers_national.py`.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.group_selection import prioritise_selection, selected_rows
from twin.interventions import POLICING, Lever, register, setting
from twin.vocabulary import DRUG_MARKETS

A = "assumption"


@register
class Clear(Lever):
    type_name = "clear"
    paid_by = "forces"
    payer_note = "surge officers in the target areas' forces"
    summary = ("Clear (source 000): surge investigators into the target areas' forces, with partners, "
               "against their highest-harm groups (given groups, that selection moves up their lists); "
               "cross-boundary groups taken with less friction (all of it at the assumed value)")
    acts_on_groups = True
    settings = (
        setting("surge_investigators_per_area", 60, "FTE per area", 10, 300,
                "design: a force-level surge of a few dozen officers and staff",
                "extra investigators in each target area, the same number whatever its size; the force's "
                "reactive share (`reactive_demand_share`) of them goes to fast-time demand, as of its own"),
        setting("success_uplift", 0.15, "fractional rise", 0.0, 0.4,
                f"{A}: multi-agency Clear operations (source 000) bring partners' powers and data",
                "rise in operation success in the target areas"),
        setting("cost_gbp_per_surge_investigator_year", 90000, "GBP/FTE-year", 60000, 130000,
                f"{A}: surge officers cost more than baseline investigators (overtime, mutual aid)",
                "cost of one surge investigator"),
        setting("friction_removed", 1.0, "share", 0.0, 1.0,
                f"{A}: Clear works with partners across force boundaries (source 000: a surge with partners), so "
                "its operations against groups based across a boundary lose the extra cost of such cases "
                "(`cross_boundary_cost_multiplier`); all of it at 1, as a regional tier would; the range from "
                "none to all", "share of the extra cost of cross-boundary operations removed in the target areas",
                "share"),
        setting("selection_priority", 10, "multiplier", 2, 100,
                "design: a named target list is worked before the rest of the harm-ranked list",
                "with a groups selection: the selected groups in the target areas rank as if their harm "
                "were this many times higher (tasking works them first)"),
    )

    def act(self, model, mask):
        mods, i = model.modifiers, self.intensity
        mods.extra_fte[: model.geography.n_areas] += mask * self.values["surge_investigators_per_area"] * i
        mods.success_multiplier[mask] *= 1.0 + self.values["success_uplift"] * i
        # at the assumed 1 and intensity 1 or more: no cross-boundary friction
        mods.cross_boundary_multiplier[mask] *= max(1.0 - self.values["friction_removed"] * i, 0.0)
        if self.groups is not None:
            prioritise_selection(self, model, mask, self.values["selection_priority"])

    def cost_gbp_per_year(self, model, mask):
        return (mask * self.values["surge_investigators_per_area"] * self.values["cost_gbp_per_surge_investigator_year"]
                * self.intensity)


@register
class Hold(Lever):
    type_name = "hold"
    paid_by = "forces"
    payer_note = "sustained presence in the held areas"
    summary = ("Hold (source 000): sustained presence that keeps new and displaced groups, and new county lines, "
               "out of vacated markets, dampens violence and builds intelligence and trust")
    settings = (
        setting("entry_reduction", 0.5, "share", 0.2, 0.8,
                f"{A}: Hold is meant to stop new or displaced groups filling the vacancy; partial in practice",
                "fall in new groups entering the target areas' markets, and in the target areas' weight as "
                "destinations of relocating groups and new county lines", "share"),
        setting("violence_reduction", 0.15, "share", 0.0, 0.4,
                f"{A}: hot-spot and focused-deterrence evaluations report reductions of this order",
                "fall in OCG violence in the target areas", "share"),
        setting("intel_uplift", 0.3, "fractional rise", 0.0, 0.6, f"{A}: presence and community contact yield intelligence",
                "rise in mapping of unknown groups and intelligence gain"),
        setting("trust_gain_per_year", 0.02, "index/year", 0.0, 0.05,
                f"{A}: visible, sustained presence rebuilds confidence slowly (no evaluation gives a rate); at "
                "0.02 a year trust settles 0.08 above where it would be; the range runs from none to 2.5 times it",
                "community trust added per year of Hold, against trust's pull back to its reference "
                "(`trust_recovery_rate_per_month`): trust settles gain / (12 x that rate) above where it would be "
                "(0.08 at the defaults), half-way in about three years"),
        setting("cost_gbp_per_area_year", 1.5e6, "GBP/area-year", 0.5e6, 5e6,
                f"{A}: a neighbourhood team of about 20-30 officers and staff in an area of average population",
                "cost of Hold in an area of the mean population (scaled by each area's population)"),
    )

    def act(self, model, mask):
        mods, v, i = model.modifiers, self.values, self.intensity
        mods.entry_multiplier[mask] *= max(1.0 - v["entry_reduction"] * i, 0.0)
        mods.violence_multiplier[mask] *= max(1.0 - v["violence_reduction"] * i, 0.0)
        mods.detection_multiplier[mask] *= 1.0 + v["intel_uplift"] * i
        mods.intel_multiplier[mask] *= 1.0 + v["intel_uplift"] * i
        mods.trust_change_per_month[mask] += v["trust_gain_per_year"] / 12.0 * i


@register
class Build(Lever):
    type_name = "build"
    paid_by = "other"
    payer_note = "local authorities and partners"
    summary = ("Build (source 000): partnership work that, over years, lowers vulnerability (the recruitment "
               "pool) and local drug demand and raises community trust")
    settings = (
        setting("vulnerability_reduction", 0.15, "share", 0.05, 0.35,
                f"{A}: youth, education, housing and care interventions reach part of the at-risk pool",
                "fall in the at-risk pool at full effect", "share"),
        setting("demand_reduction", 0.08, "share", 0.0, 0.2,
                f"{A}: treatment and prevention lower local drug demand", "fall in local drug demand at full effect",
                "share"),
        setting("ramp_years", 3, "years", 1, 6, f"{A}: building resilient communities (source 000) takes years",
                "years to full effect"),
        setting("trust_gain_per_year", 0.03, "index/year", 0.0, 0.06,
                f"{A}: partnership work with communities (source 000: building resilient communities) builds more "
                "trust than presence alone, so a little above Hold's 0.02; the range runs from none to twice it",
                "community trust added per year of Build, at this rate from its first step (unlike its other "
                "effects, not ramped), against trust's pull back to its "
                "reference: trust settles gain / (12 x `trust_recovery_rate_per_month`) above where it would be "
                "(0.125 at the defaults)"),
        setting("cost_gbp_per_area_year", 3e6, "GBP/area-year", 1e6, 8e6,
                f"{A}: partnership funding for youth, treatment and community programmes",
                "cost of Build in an area of the mean population (scaled by each area's population)"),
    )

    def act(self, model, mask):
        mods, v, i = model.modifiers, self.values, self.intensity
        reached = self.ramp(v["ramp_years"]) * i
        mods.vulnerability_multiplier[mask] *= max(1.0 - v["vulnerability_reduction"] * reached, 0.0)
        for market in DRUG_MARKETS:
            mods.demand_multiplier[mask, market] *= max(1.0 - v["demand_reduction"] * reached, 0.0)
        mods.trust_change_per_month[mask] += v["trust_gain_per_year"] / 12.0 * i


@register
class ClearHoldBuild(Lever):
    type_name = "clear_hold_build"
    summary = ("The three phases in sequence: Clear, then Hold; Build starts with Hold and runs on. "
               "A phase of 0 years is skipped (Clear alone, Clear then Hold). Effect sizes are the phase "
               "levers' defaults; use clear, hold and build separately to change them. A groups selection "
               "applies to Clear only")
    acts_on_groups = True
    settings = (
        setting("clear_years", 0.5, "years", 0.0, 3.0,
                "design: an intensive surge of months (the rollout's Clear phase, source 000)", "length of Clear"),
        setting("hold_years", 2.0, "years", 0.0, 10.0,
                "design: two years of sustained presence after Clear (source 000 gives no length); 0 skips Hold",
                "length of Hold (0: no Hold)"),
        setting("build_years", 5.0, "years", 0.0, 20.0,
                "design: five years of partnership work from the start of Hold, as building resilient communities"
                " takes years (source 000); 0 skips Build", "length of Build (0: no Build)"),
        setting("clear_intensity", 1.0, "multiplier", 0.0, 3.0,
                "design: Clear at the clear lever's standard strength", "intensity of Clear"),
        setting("hold_intensity", 1.0, "multiplier", 0.0, 3.0,
                "design: Hold at the hold lever's standard strength", "intensity of Hold"),
        setting("build_intensity", 1.0, "multiplier", 0.0, 3.0,
                "design: Build at the build lever's standard strength", "intensity of Build"),
    )

    def validate(self, where):
        from twin.errors import ScenarioError

        if self.values["clear_years"] + self.values["hold_years"] + self.values["build_years"] <= 0:
            raise ScenarioError(f"{where}: every phase has 0 years; give at least one")
        if self.groups is not None and self.values["clear_years"] <= 0:
            raise ScenarioError(f"{where}: groups applies to Clear, which has clear_years = 0 "
                                f"(Hold and Build act on areas); drop groups or give Clear some years")

    paid_by = "forces"  # stated for the registry; its phases book their own (`payer_phrase`)

    @classmethod
    def payer_phrase(cls):
        return "police forces (Clear and Hold); other public bodies: local authorities and partners (Build)"

    def parts(self) -> list[Lever]:
        v, start = self.values, self.start_year
        targets = dict(areas=self.area_names, regions=self.region_names, top_harm_areas=self.top_harm_areas,
                       nations=self.nation_names)
        hold_start = start + v["clear_years"]
        phases = [(Clear, start, v["clear_years"], v["clear_intensity"]),
                  (Hold, hold_start, v["hold_years"], v["hold_intensity"]),
                  (Build, hold_start, v["build_years"], v["build_intensity"])]
        parts = []
        for cls, begin, years, intensity in phases:
            if years <= 0:
                continue
            end = min(begin + years, self.end_year)
            defaults = {p.name: float(p.value) for p in cls.settings}
            parts.append(cls(f"{self.name}_{cls.type_name}", defaults, begin, end,
                             intensity=intensity * self.intensity, groups=self.groups if cls is Clear else None,
                             **targets))
        shared: dict = {}  # Hold and Build act in the areas Clear chose (top_harm_areas ranks once)
        for part in parts:
            part.shared_targets = shared
        return parts


@register
class Prevention(Lever):
    type_name = "prevention"
    paid_by = "other"
    payer_note = "local authorities, schools and youth services"
    summary = ("Prevention and diversion (Prevent/Protect, the '5 Ds'): fewer people drawn in, more leaving, "
               "less demand")
    settings = (
        setting("vulnerability_reduction", 0.10, "share", 0.0, 0.3, f"{A}: diversion programmes reach part of the pool",
                "fall in the at-risk pool at full effect", "share"),
        setting("desistance_uplift", 0.25, "fractional rise", 0.0, 1.0, f"{A}: exit and diversion support",
                "rise in members leaving crime in the target areas"),
        setting("demand_reduction", 0.05, "share", 0.0, 0.15,
                f"{A}: diversion and education lower local drug demand less than Build's treatment and prevention "
                "(0.08); the range runs from none to three times it",
                "fall in local drug demand at full effect", "share"),
        setting("ramp_years", 2, "years", 0.5, 5,
                f"{A}: diversion programmes take a couple of years to reach their cohort (recruiting staff, "
                "referral routes); the range from half a year to five", "years to full effect"),
        setting("cost_gbp_per_area_year", 1e6, "GBP/area-year", 0.3e6, 4e6,
                f"{A}: a diversion, exit-support and youth-work programme of a few dozen workers in an area of "
                "mean population (about 1.5 million people); the range from a small team to a large one",
                "cost in an area of the mean population (scaled by each area's population)"),
    )

    def act(self, model, mask):
        mods, v, i = model.modifiers, self.values, self.intensity
        reached = self.ramp(v["ramp_years"]) * i
        mods.vulnerability_multiplier[mask] *= max(1.0 - v["vulnerability_reduction"] * reached, 0.0)
        for market in DRUG_MARKETS:
            mods.demand_multiplier[mask, market] *= max(1.0 - v["demand_reduction"] * reached, 0.0)
        mods.desistance_multiplier[mask] *= 1.0 + v["desistance_uplift"] * reached


@register
class BusinessDisruption(Lever):
    type_name = "business_disruption"
    paid_by = POLICING
    payer_note = "the units that work the selected groups"
    summary = ("Business-model disruption of OCBs (source 000): sabotage the trust and reputation of the "
               "mapped groups in the target areas (of a groups selection, if given) with the highest market harm as "
               "police see it (violence aside), which lowers their capacity and recruitment")
    acts_on_groups = True
    settings = (
        setting("groups_per_area", 5, "OCGs per area", 1, 30,
                "design: the handful of groups one area's team can work at once",
                "mapped groups worked on in each target area", "count"),
        setting("cohesion_loss_per_month", 0.05, "index/month", 0.0, 0.2,
                f"{A}: sabotaging trust inside a group (source 000's organised crime businesses) takes a twentieth "
                "of the cohesion index (0 to 1) a month, an amount, while it recovers 2% of its gap a month "
                "(`cohesion_recovery_per_month`): a group worked on every month for a year keeps about a tenth to "
                "two fifths of its cohesion (0.60 to 0.07 for a proximity group, 0.90 to 0.37 for a family) and "
                "loses 28-33% of its capacity; no evaluation gives a figure, and the range runs from none to four "
                "times it",
                "internal trust (cohesion) lost each month by a targeted group"),
        setting("reputation_loss_per_month", 0.05, "index/month", 0.0, 0.2,
                f"{A}: as the cohesion loss, for the group's standing with suppliers, customers and recruits; the "
                "range runs from none to four times it",
                "reputation lost each month by a targeted group"),
        setting("cost_gbp_per_area_year", 0.8e6, "GBP/area-year", 0.2e6, 3e6,
                f"{A}: a small analytical and disruption team in an area, about 8-10 staff at "
                "`cost_gbp_per_investigator_year`; the range from a part-time cell to a large team",
                "cost in one area, whatever its population (it works on `groups_per_area` groups); with a "
                "groups selection, only in areas holding a selected mapped group"),
    )

    def act(self, model, mask):
        ocgs, v, i = model.ocgs, self.values, self.intensity
        eligible = ocgs.active & ocgs.known & mask[ocgs.area]
        if self.groups is not None:
            eligible &= selected_rows(self, model, mask)
        candidates = np.flatnonzero(eligible)
        # with a selection, the areas with a selected group to work on (the only ones it pays for)
        self.areas_worked = np.zeros(model.geography.n_areas, dtype=bool)
        self.areas_worked[ocgs.area[candidates]] = True
        if candidates.size == 0:
            return
        score = ocgs.harm_gbp_per_month[candidates] * ocgs.score_noise[candidates] ** (1.0 - ocgs.intel[candidates])
        per_area = max(int(np.ceil(v["groups_per_area"])), 0)  # ranks 0, 1, ... below the setting
        chosen = candidates[_highest_per_area(ocgs.area[candidates], score, per_area, model.geography.n_areas)]
        months = model.months_per_step
        ocgs.cohesion[chosen] = np.maximum(ocgs.cohesion[chosen] - v["cohesion_loss_per_month"] * months * i, 0.0)
        ocgs.reputation[chosen] = np.maximum(ocgs.reputation[chosen] - v["reputation_loss_per_month"] * months * i, 0.0)

    def cost_gbp_per_year(self, model, mask):
        """Per target area, whatever its population (it works on `groups_per_area` groups there);
        with a groups selection, only in the areas where it found a selected group this step."""
        worked = mask if self.groups is None else mask & self.areas_worked
        return worked * self.values["cost_gbp_per_area_year"] * self.intensity


@register
class TaskingPriority(Lever):
    type_name = "tasking_priority"
    paid_by = POLICING
    payer_note = "coordination across the tiers"
    summary = ("Tasking priority: police units rank a chosen set of groups (such as those running county lines) "
               "as if their harm were priority_weight times higher, so the investigators they already have work "
               "more of them and fewer of the rest; no new investigators")
    acts_on_groups = True
    everywhere = True  # every force works the priority: no areas to name
    settings = (
        setting("priority_weight", 3, "multiplier", 1.5, 20,
                "design: how strongly a national priority (such as county lines) reorders harm-based tasking",
                "the selected groups' tasking score is multiplied by this"),
        setting("cost_gbp_per_area_year", 0.1e6, "GBP/area-year", 0.0, 0.5e6,
                f"{A}: coordination and analysis of about two posts a force",
                "cost in an area of the mean population (scaled by each area's population)"),
    )

    def validate(self, where):
        from twin.errors import ScenarioError

        if self.groups is None:
            raise ScenarioError(f"{where}: give the groups it prioritises, "
                                f"e.g. groups = {{ county_lines = true }}")

    def act(self, model, mask):
        prioritise_selection(self, model, mask, self.values["priority_weight"])


@kernel
def _ranks_before(score, position, other_score, other_position):
    """Whether (score, position) ranks before the other in a stable sort by descending score:
    higher scores first, ties in position order, NaN scores last (as numpy sorts them)."""
    if score != score:
        return other_score != other_score and position < other_position
    if other_score != other_score:
        return True
    return score > other_score or (score == other_score and position < other_position)


@kernel
def _highest_per_area(area, score, per_area, n_areas):
    """Mask of the `per_area` highest-scoring rows of each area: the rows a stable sort by area
    then descending score puts first in each area (ties to the earlier row, NaN last), found in
    one pass with a small ranked list per area instead of sorting everything."""
    chosen = np.zeros(area.size, dtype=np.bool_)
    if per_area <= 0:
        return chosen
    best = np.empty((n_areas, per_area), dtype=np.int64)  # rows, best first
    count = np.zeros(n_areas, dtype=np.int64)
    for row in range(area.size):
        a = area[row]
        if count[a] < per_area:
            slot = count[a]
            count[a] += 1
        elif _ranks_before(score[row], row, score[best[a, per_area - 1]], best[a, per_area - 1]):
            slot = per_area - 1
        else:
            continue
        while slot > 0 and _ranks_before(score[row], row, score[best[a, slot - 1]], best[a, slot - 1]):
            best[a, slot] = best[a, slot - 1]
            slot -= 1
        best[a, slot] = row
    for a in range(n_areas):
        for k in range(count[a]):
            chosen[best[a, k]] = True
    return chosen

