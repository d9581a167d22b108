"""Results: the metrics recorded every step, per area and for the UK, as preallocated arrays.

`METRICS` lists every metric with how areas aggregate to the UK row ("sum", or "mean" weighted
by population) and whether it exists per area. `StepTally` collects the step's events by area
as processes run; `Results.record` turns tally and state into one row per area and metric;
`Results.to_frame` gives the tidy table (step, date, area, metric, value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.compiled import kernel
from twin.geography import NATIONAL_AREA


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    description: str
    aggregate: str = "sum"  # "sum" or "mean" (population-weighted) for the UK row
    per_area: bool = True
    uk_row: str = ""  # what the UK row holds when it is not the areas' aggregate (`metrics.compute_metrics`)

    @property
    def flow(self) -> bool:
        """Counted per step (harm, arrests): a year's value is its steps' total; a level's (groups) their mean."""
        return self.unit.endswith("/step")


def _m(name, unit, description, aggregate="sum", per_area=True, uk_row=""):
    return Metric(name, unit, description, aggregate, per_area, uk_row)


METRICS: tuple[Metric, ...] = (
    _m("harm_gbp_total", "GBP/step", "social and economic harm, all categories (2023-24 prices)"),
    _m("harm_gbp_drugs", "GBP/step", "harm from drug supply"),
    _m("harm_gbp_economic", "GBP/step", "harm from fraud and economic crime"),
    _m("harm_gbp_modern_slavery", "GBP/step", "harm from modern slavery, including criminal exploitation"),
    _m("harm_gbp_immigration", "GBP/step", "harm from organised immigration crime"),
    _m("harm_gbp_violence", "GBP/step", "harm from network-linked violence"),
    _m("harm_gbp_other", "GBP/step", "harm from firearms supply and organised acquisitive crime"),
    _m("harm_gbp_anticipation", "GBP/step", "harm: costs in anticipation (Home Office method)"),
    _m("harm_gbp_consequence", "GBP/step", "harm: costs as a consequence"),
    _m("harm_gbp_response", "GBP/step", "harm: response costs outside the modelled SOC response"),
    _m("response_cost_gbp", "GBP/step", "modelled response: SOC policing, courts, prisons, levers"),
    _m("response_cost_gbp_policing", "GBP/step", "SOC policing budget of the baseline spent (lever-funded policing is in lever_cost_gbp_*)"),
    _m("response_cost_gbp_forces", "GBP/step", "baseline SOC policing budget spent by forces (an area's row: its "
       "force's); fixed by the budget parameters, so the same in every option"),
    _m("response_cost_gbp_rocus", "GBP/step", "baseline SOC policing budget spent by the regional units (ROCUs; an "
       "area's row: its population share of its region's)"),
    _m("response_cost_gbp_nca", "GBP/step", "baseline SOC policing budget spent by the NCA (an area's row: its "
       "population share)"),
    _m("lever_spending_gbp_forces", "GBP/step", "levers' spending by police forces (`twin levers`: spent by; new money "
       "assumed additional funding, a cut negative)"),
    _m("lever_spending_gbp_rocus", "GBP/step", "levers' spending by the regional units (ROCUs; an area's row: its "
       "population share of national levers' and funding's, the target areas' share of area levers')"),
    _m("lever_spending_gbp_nca", "GBP/step", "levers' spending by the NCA (an area's row as for the ROCUs)"),
    _m("lever_spending_gbp_courts", "GBP/step", "levers' spending by the courts (HMCTS: extra trials)"),
    _m("lever_spending_gbp_prisons", "GBP/step", "levers' spending by the prisons (HMPPS: places, restrictions)"),
    _m("lever_spending_gbp_other", "GBP/step", "levers' spending by other public bodies (Border Force, supervisors, HM "
       "Treasury, local partners); the six lever_spending_gbp_* add up to the levers' spending"),
    _m("response_cost_gbp_courts", "GBP/step", "prosecution and court costs"),
    _m("response_cost_gbp_prisons", "GBP/step", "prison places for SOC prisoners and defendants on remand"),
    _m("assets_recovered_gbp", "GBP/step", "criminal assets recovered (confiscation and fines)"),
    _m("net_social_cost_gbp", "GBP/step", "harm + response cost - assets recovered"),
    _m("ocgs_active", "OCGs", "active OCGs (mapped or not)"),
    _m("ocgs_known", "OCGs", "active OCGs mapped by police"),
    _m("ocgs_entered", "OCGs/step", "new OCGs entering markets"),
    _m("ocgs_dissolved", "OCGs/step", "OCGs dissolved"),
    _m("ocgs_mapped", "OCGs/step", "unmapped OCGs newly mapped"),
    _m("successions", "events/step", "leaders replaced"),
    _m("splits", "events/step", "OCGs splitting in two"),
    _m("absorptions", "events/step", "OCGs absorbed by a rival"),
    _m("relocations", "events/step", "OCGs moving into the area after an operation"),
    _m("members_active", "people", "active members"),
    _m("members_known", "people", "members known to police in any status short of exited (active, charged, "
       "in prison or released), as the NCA counts known nominals"),
    _m("members_charged", "people", "members charged and remanded in custody awaiting trial (those on bail are counted as active)"),
    _m("members_prison", "people", "members in prison serving a sentence (sentenced SOC prisoners)"),
    _m("members_in_custody", "people", "members in prison or remanded in custody (members_prison + members_charged): "
       "the SOC share of the prison population as prison statistics count it, remand included"),
    _m("members_released", "people", "members released and not (yet) back in a group"),
    _m("members_leader", "people", "active leaders"),
    _m("members_core", "people", "active core members"),
    _m("members_worker", "people", "active workers"),
    _m("members_exploited", "people", "active exploited members (victims made offenders)"),
    _m("members_children", "people", "active members who are children (under 18)"),
    _m("recruits", "people/step", "new members recruited by existing groups (new groups' founders are in joiners)"),
    _m("recruits_children", "people/step", "children among new members, recruited by existing groups or "
                                           "founding new ones (so not a subset of recruits)"),
    _m("joiners", "people/step", "members joining (recruits, members of new groups, and defendants convicted after leaving crime on bail)"),
    _m("leavers", "people/step", "members leaving crime"),
    _m("reoffenders", "people/step", "released members back in a group"),
    _m("operations_started", "operations/step", "police operations opened"),
    _m("operations_succeeded", "operations/step", "operations ending in success"),
    _m("disruptions", "OCGs/step", "OCGs disrupted (capacity removed above threshold or leader taken)"),
    _m("arrests", "people/step", "arrests"),
    _m("charges", "people/step", "charges"),
    _m("convictions", "people/step", "custodial convictions"),
    _m("prison_releases", "people/step", "releases from prison"),
    _m("early_releases", "people/step", "releases more than a month early because prisons were full"),
    _m("court_backlog", "people", "defendants whose case is ready for trial but not yet heard: the courts are at capacity (on remand or on bail)"),
    _m("bail_releases", "people/step", "remanded defendants released on bail: their case waited unheard past the "
       "custody time limit, or the remanded exceeded the most the courts hold on remand (`soc_remand_places`)"),
    _m("emergency_releases", "people/step", "early releases (as counted in early_releases) of prisoners who had not served the early-release share: prisons were still full after those eligible went"),
    _m("homicides", "deaths/step", "network-linked homicides (direct and indirect)"),
    _m("homicides_direct", "deaths/step", "network-linked homicides committed by the groups themselves (their "
       "violence's fatal incidents); the rest of `homicides` are linked to them indirectly "
       "(`indirect_homicide_share`)"),
    _m("serious_violence", "incidents/step", "serious violent incidents between or by OCGs"),
    _m("succession_violence", "incidents/step", "serious violent incidents in succession disputes (counted in "
       "serious_violence too; their homicides are direct, with no indirect ones)"),
    _m("drug_deaths", "deaths/step", "drug deaths"),
    _m("drug_users_supplied", "people", "heroin/crack and cocaine users supplied"),
    _m("fraud_offences", "offences/step", "fraud offences"),
    _m("fraud_reported", "offences/step", "fraud offences reported"),
    _m("slavery_victims", "people", "people in labour or sexual exploitation"),
    _m("nrm_referrals", "referrals/step", "National Referral Mechanism referrals"),
    _m("nrm_referrals_criminal", "referrals/step", "NRM referrals for criminal exploitation"),
    _m("nrm_referrals_repeat", "referrals/step",
       "criminal-exploitation referrals of people referred before (identified again while still exploited)"),
    _m("immigration_arrivals", "people/step", "irregular arrivals facilitated"),
    _m("firearms_supplied", "firearms/step", "illegal firearms supplied"),
    _m("acquisitive_offences", "offences/step", "organised acquisitive offences"),
    _m("county_lines_active", "lines", "county lines supplying the area (by destination)"),
    _m("county_lines_opened", "lines/step", "county lines opened (by destination)"),
    _m("county_lines_closed", "lines/step", "county lines closed (by destination)"),
    _m("ocg_revenue_gbp", "GBP/step", "OCG revenue"),
    _m("ocg_capital_gbp", "GBP", "OCG capital held"),
    _m("investigators_fte", "FTE", "investigators available for proactive SOC work (forces: area; ROCU and NCA: UK row)",
       uk_row="all units: the forces' (the sum of areas), the ROCUs' and the NCA's"),
    _m("community_trust", "index 0-1", "community trust", aggregate="mean"),
    _m("vulnerability", "index", "vulnerability of the at-risk population", aggregate="mean"),
    _m("money_laundered_gbp", "GBP/step", "profits laundered", per_area=False),
    _m("enablers_active", "enablers", "active enablers", per_area=False),
    _m("enablers_removed", "enablers/step", "enablers removed", per_area=False),
    _m("pivots", "events/step", "OCGs adding a market after an operation", per_area=False),
    _m("market_exits", "events/step", "markets OCGs left because they were glutted", per_area=False),
    # Make-up of the active OCG population (source 004 shares), so calibration can check they stay true.
    _m("share_type_cultural", "share", "active OCGs bound by culture or ethnicity", per_area=False),
    _m("share_type_proximity", "share", "active OCGs bound by locality", per_area=False),
    _m("share_type_family", "share", "active family OCGs", per_area=False),
    _m("share_type_virtual", "share", "active virtual OCGs", per_area=False),
    _m("share_reach_local", "share", "active OCGs operating in one area", per_area=False),
    _m("share_reach_regional", "share", "active OCGs operating across a region", per_area=False),
    _m("share_reach_national", "share", "active OCGs with national or international reach", per_area=False),
    _m("share_multi_criminal", "share", "active OCGs in more than one market", per_area=False),
    _m("share_drugs_laundering", "share", "active OCGs in drugs (or firearms) with money laundering", per_area=False),
    _m("share_economic_no_drugs", "share", "active OCGs in economic crime without drugs", per_area=False),
    _m("share_drugs_only", "share", "active OCGs in drugs only", per_area=False),
    _m("share_violent", "share", "active OCGs using violence", per_area=False),
    _m("share_serious_violence", "share", "active OCGs using serious violence", per_area=False),
)
METRIC_NAMES = tuple(m.name for m in METRICS)
METRIC_INDEX = {name: i for i, name in enumerate(METRIC_NAMES)}


class StepTally:
    """Events of the current step, summed by area (and a few national-only counts).

    The sums by area are the rows of one [name, area] array, a row per name seen so far: a
    step's ~100 additions and its reset then cost one numpy call each, not a dictionary of arrays.
    """

    def __init__(self, n_areas: int):
        self.n_areas = n_areas
        self.rows: dict[str, int] = {}
        self.values = np.zeros((16, n_areas))
        self.national: dict[str, float] = {}
        self._stacks: dict[tuple[str, ...], np.ndarray] = {}

    def reset(self) -> None:
        self.values.fill(0.0)
        self.national.clear()

    def row(self, name: str) -> int:
        """Row of `values` holding `name` (added, zero, when new)."""
        row = self.rows.get(name)
        if row is None:
            row = self.rows[name] = len(self.rows)
            if row == self.values.shape[0]:
                self.values = np.concatenate([self.values, np.zeros_like(self.values)])
        return row

    def add(self, name: str, area: np.ndarray, weights=None) -> None:
        """Add events at the given area indices (one each, or `weights` each)."""
        row = self.row(name)  # first: a new name may replace `values`
        self.values[row] += np.bincount(area, weights=weights, minlength=self.n_areas)

    def add_by_area(self, name: str, values: np.ndarray) -> None:
        row = self.row(name)
        self.values[row] += values

    def add_national(self, name: str, value: float) -> None:
        self.national[name] = self.national.get(name, 0.0) + float(value)

    def get(self, name: str) -> np.ndarray:
        """This step's sums for `name` by area (a copy: the tally's rows are reset each step)."""
        row = self.row(name)
        return self.values[row].copy()

    def rows_of(self, names: tuple[str, ...]) -> np.ndarray:
        """Rows of `values` holding `names`, looked up once per tuple (a name keeps its row): for
        kernels that add to them. Ask before reading `values`: a new name can replace it."""
        rows = self._stacks.get(names)
        if rows is None:
            rows = self._stacks[names] = np.array([self.row(name) for name in names], dtype=np.int64)
        return rows

    def stack(self, names: tuple[str, ...]) -> np.ndarray:
        """[area, name] sums of several names at once."""
        rows = self.rows_of(names)  # first: a new name may replace `values`
        return self.values[rows].T


class Results:
    """Preallocated [step, area (+ UK last), metric] array of recorded values.

    The metrics are `METRICS` followed by `extra_metrics` (summed per area: the lever costs
    `lever_cost_gbp_<name>` of a scenario's levers).
    """

    def __init__(self, n_steps: int, area_names: list[str], population: np.ndarray, dates: list[str],
                 extra_metrics: tuple[str, ...] = ()):
        self.area_names = list(area_names) + [NATIONAL_AREA]
        self.weights = population / population.sum()
        self.dates = dates
        self.metric_names = METRIC_NAMES + tuple(extra_metrics)
        self.index = {name: i for i, name in enumerate(self.metric_names)}
        self.values = np.full((n_steps, len(self.area_names), len(self.metric_names)), np.nan)
        self.steps_recorded = 0
        extra = len(extra_metrics)
        self._sum = np.array([m.aggregate == "sum" for m in METRICS] + [True] * extra)
        self._per_area = np.array([m.per_area for m in METRICS] + [True] * extra)
        self._national_columns: dict[tuple[str, ...], np.ndarray] = {}  # columns of national metrics, by names

    def record(self, step: int, by_area: np.ndarray, national: dict[str, float]) -> None:
        """Store one step: `by_area` is [area, metric]; national-only metrics come in `national`."""
        weighted = self.weights @ by_area  # population-weighted means: numpy's product (BLAS), as always
        names = tuple(national)
        columns = self._national_columns.get(names)
        if columns is None:
            columns = self._national_columns[names] = np.array([self.index[name] for name in names], dtype=np.int64)
        _record_row(self.values[step], by_area, weighted, self._per_area, self._sum, columns,
                    np.fromiter(national.values(), float, len(names)))
        self.steps_recorded = step + 1

    def series(self, metric: str, area: str = NATIONAL_AREA) -> np.ndarray:
        return self.values[: self.steps_recorded, self.area_names.index(area), self.index[metric]]

    def series_over(self, metric: str, areas) -> np.ndarray:
        """A metric over several areas (a region, a nation), as the UK row aggregates its areas: their sum,
        or for an index their population-weighted mean."""
        rows = [self.area_names.index(area) for area in areas]
        k = self.index[metric]
        block = self.values[: self.steps_recorded, rows, k]
        if self._sum[k]:
            return block.sum(axis=1)
        weights = self.weights[rows]
        return block @ (weights / weights.sum())

    def to_frame(self) -> pd.DataFrame:
        """Tidy table with columns step, date, area, metric, value (national-only metrics: UK rows only)."""
        n_steps, n_areas, n_metrics = self.values[: self.steps_recorded].shape
        step = np.repeat(np.arange(1, n_steps + 1), n_areas * n_metrics)
        area = np.tile(np.repeat(np.arange(n_areas), n_metrics), n_steps)
        metric = np.tile(np.arange(n_metrics), n_steps * n_areas)
        value = self.values[: self.steps_recorded].reshape(-1)
        keep = ~np.isnan(value)
        frame = pd.DataFrame({
            "step": step[keep],
            "date": pd.Categorical.from_codes(step[keep] - 1, categories=self.dates[:n_steps]),
            "area": pd.Categorical.from_codes(area[keep], categories=self.area_names),
            "metric": pd.Categorical.from_codes(metric[keep], categories=list(self.metric_names)),
            "value": value[keep],
        })
        return frame


def metric_dictionary(step: str, levers=()) -> pd.DataFrame:
    """Each metric's unit and meaning for a run of `step` ("month" or "week"): `metrics.csv` beside a
    run's trajectories. Flows are per step (so per month or per week), stocks at the end of a step.
    `levers` (the run's, `interventions.Lever`s) add their cost metrics `lever_cost_gbp_<name>`."""
    rows = []
    for metric in METRICS:
        uk = metric.uk_row or ("population-weighted mean of the areas" if metric.aggregate == "mean"
                               else "sum of the areas")
        rows.append({"metric": metric.name, "unit": metric.unit.replace("/step", f"/{step}"),
                     "per_area": metric.per_area, "uk_row": uk if metric.per_area else "the UK only",
                     "description": metric.description})
    for lever in levers:
        where = ("national: an area's row is its population share" if lever.national
                 else "an area's row: its spending there, 0 outside the lever's areas")
        rows.append({"metric": f"lever_cost_gbp_{lever.name}", "unit": f"GBP/{step}", "per_area": True,
                     "uk_row": "sum of the areas",
                     "description": f"spending on the lever {lever.name} (type {lever.type_name}; {where}); "
                                    f"part of response_cost_gbp"})
    return pd.DataFrame(rows)


@kernel
def _record_row(row, by_area, weighted, per_area, is_sum, national_columns, national_values):
    """One step's [area (+ UK last), metric] row: each area's value where the metric exists per
    area (NaN elsewhere); the UK value the sum over areas (in area order from 0.0, as numpy's
    `sum(axis=0)` adds) or the population-weighted mean `weighted`; then the national-only
    metrics' values at their columns."""
    n_areas, n_metrics = by_area.shape
    for metric in range(n_metrics):
        total = 0.0
        for area in range(n_areas):
            value = by_area[area, metric]
            row[area, metric] = value if per_area[metric] else np.nan
            total += value
        row[n_areas, metric] = total if is_sum[metric] else weighted[metric]
    for k in range(national_columns.size):
        row[n_areas, national_columns[k]] = national_values[k]
