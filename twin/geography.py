"""Areas, regions and tiers: the map the model runs on.

The default geography is the 45 UK police force areas (`data/uk_police_force_areas.csv`),
grouped into regions (the ROCU tier) under one national tier (the NCA). A scenario may name
another CSV with the same columns. Two optional columns give areas their own vulnerability and
trust (MODEL.md: deprivation, children in care, exclusion, debt, migration; willingness to report):
`vulnerability_index` (the at-risk pool per head, relative: only the ratios between areas count)
and `community_trust` (an index in (0, 1]). Without them the exporter flag sets both
(`community.initial_vulnerability`, `initial_trust`).

Neighbouring areas (used for displacement) are the `NEIGHBOURS` nearest areas by the distance
between approximate centroids (`data/force_area_centroids.csv`, or optional `latitude` and
`longitude` columns in a user's areas file), weighted by population. Without coordinates, a file
of built-in areas (an edited copy of the built-in file) takes their centroids; other areas'
neighbours are the other areas of the same region. Nearest areas rather than regions matter for
London, whose region holds only the Metropolitan Police and the City of London.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from twin.csv_input import FALSE_WORDS, TRUE_WORDS, formula_like, other_separator, plain_number, read_records
from twin.errors import ScenarioError, closest, did_you_mean


def area_key(name: str) -> str:
    """An area's name as names are matched: in any case, '&' as 'and', spaces trimmed and inner runs as one."""
    return " ".join(str(name).replace("&", " and ").split()).casefold()


def canonical_name(name: str, names: list[str]) -> str | None:
    """The name of `names` that `name` stands for, in any case and spacing (`area_key`): as the
    areas file spells it; None when there is none, or more than one (two regions named alike)."""
    if name in names:
        return name
    found = [n for n in names if area_key(n) == area_key(name)]
    return found[0] if len(found) == 1 else None


#: the nations an area can be in (reports total each, and England and Wales together)
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")

REQUIRED_COLUMNS = ("force_area", "nation", "region", "population_thousands", "county_lines_exporter")
OPTIONAL_COLUMNS = ("latitude", "longitude", "vulnerability_index", "community_trust")
NATIONAL_AREA = "UK"
NEIGHBOURS = 5  # nearest areas that count as neighbours (assumption)
KM_PER_DEGREE = 111.0


@dataclass
class Geography:
    """Areas and their static attributes, as arrays indexed by area number."""

    area_names: list[str]
    nation: list[str]
    region_names: list[str]
    area_region: np.ndarray  # int, region index of each area
    population: np.ndarray  # people
    exporter: np.ndarray  # bool, county-lines exporter area
    latitude: np.ndarray | None = None  # degrees, approximate centroid
    longitude: np.ndarray | None = None
    vulnerability_index: np.ndarray | None = None  # relative at-risk pool per head (optional column)
    community_trust: np.ndarray | None = None  # index in (0, 1] (optional column)

    @property
    def n_areas(self) -> int:
        return len(self.area_names)

    @property
    def n_regions(self) -> int:
        return len(self.region_names)

    def most_vulnerable(self) -> np.ndarray | None:
        """The most vulnerable fifth of the areas (at least one) by the areas file's
        `vulnerability_index`, highest first, ties in file order; None without the column."""
        if self.vulnerability_index is None:
            return None
        n = max(int(np.ceil(self.n_areas / 5)), 1)
        mask = np.zeros(self.n_areas, dtype=bool)
        mask[np.argsort(-self.vulnerability_index, kind="stable")[:n]] = True
        return mask

    def area_index(self, name: str) -> int:
        """The row of an area named in any case and spacing (`canonical_name`); ValueError if none."""
        return self.area_names.index(canonical_name(name, self.area_names) or name)

    def _groupings(self, name: str) -> list[tuple[str, str, np.ndarray]]:
        """The region and the nation `name` names, if any: (kind, its spelling, its areas' rows)."""
        found = []
        regions, nations = np.array(self.region_names)[self.area_region], np.array(self.nation)
        for kind, labels in (("region", regions), ("nation", nations)):
            spelt = canonical_name(name, list(dict.fromkeys(labels)))
            if spelt is not None:
                found.append((kind, spelt, np.flatnonzero(labels == spelt)))
        return found

    def region_and_nation(self, name: str) -> tuple[str, int, int] | None:
        """For a name both a region's and a nation's, holding different areas ('Wales': North Wales is
        in the North West region): its spelling and the region's and the nation's numbers of areas."""
        found = self._groupings(name)
        if len(found) < 2 or np.array_equal(found[0][2], found[1][2]):
            return None
        return found[1][1], found[0][2].size, found[1][2].size

    def grouping_hint(self, name: str) -> str:
        """For a name given as an area that is a region's or a nation's ('London', 'Wales'): that it
        is one, with its areas; '' otherwise (a misspelt area: `errors.area_hint`)."""
        both = self.region_and_nation(name)
        if both:
            return f"; '{both[0]}' is a nation of {both[2]} areas (and a region of {both[1]} of them)"
        for kind, spelt, rows in self._groupings(name)[:1]:
            areas = [self.area_names[i] for i in rows]
            shown = ", ".join(areas[:4]) + (f" and {len(areas) - 4} more" if len(areas) > 4 else "")
            return f"; '{spelt}' is a {kind} of {len(areas)} area{'s' if len(areas) != 1 else ''} ({shown})"
        return ""

    def region_areas(self, region: int) -> np.ndarray:
        return np.flatnonzero(self.area_region == region)

    def distance_km(self) -> np.ndarray:
        """Approximate distances between area centroids [area, area] (equirectangular)."""
        lat = np.radians(self.latitude)
        dy = (self.latitude[:, None] - self.latitude[None, :]) * KM_PER_DEGREE
        dx = (self.longitude[:, None] - self.longitude[None, :]) * KM_PER_DEGREE * np.cos((lat[:, None] + lat[None, :]) / 2)
        return np.hypot(dx, dy)

    def relocation_weights(self, area_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where groups move after an operation, neutral for the spread of groups: (the
        row-stochastic [from, to] chances of a moving group's new area, each area's relative
        chance that a group there moves at all, 1 on average over the groups).

        Groups move between neighbours either way (`neighbour_weights`, made symmetric: the
        nearest-areas relation is one-way, and an area among no other area's nearest five would
        only ever lose groups), to a neighbour j with chance w_j / S_i, w = `area_weight` (the
        synthetic register's weights, population x vulnerability) and S_i the sum of w over i's neighbours.
        A group in area i moves with a chance in proportion to S_i: then the flows balance,
        w_i S_i (w_j / S_i) = w_j S_j (w_i / S_j), and were every group equally exposed to
        operations, moves would keep groups spread over the areas as w spreads them; groups
        drift only away from where operations fall more often. The weights are the synthetic
        register's spread: a user's register spread otherwise drifts towards them. Moving by
        neighbours' population alone, at one rate everywhere (as before), drifted groups over the years from areas
        with small neighbours (Scotland lost a third of its groups in 18 years) to areas beside
        large ones (Hertfordshire, beside London, more than doubled its groups). Areas without
        neighbours get a zero row and never move."""
        adjacent = self.neighbour_weights() > 0
        adjacent = adjacent | adjacent.T
        weight = np.asarray(area_weight, dtype=float)
        flows = adjacent * weight[None, :]
        reach = flows.sum(axis=1)  # S_i
        chances = np.divide(flows, reach[:, None], out=np.zeros_like(flows), where=reach[:, None] > 0)
        mean_reach = float(np.sum(weight * reach) / np.sum(weight))  # over the groups' spread
        return chances, (reach / mean_reach if mean_reach > 0 else np.zeros_like(reach))

    def neighbour_weights(self) -> np.ndarray:
        """Row-normalised matrix [area, area] of neighbours, weighted by population.

        With coordinates: the `NEIGHBOURS` nearest other areas. Without: the other areas of the
        same region (an area alone in its region then has no neighbours and its row is zero).
        """
        if self.latitude is not None:
            distance = self.distance_km()
            np.fill_diagonal(distance, np.inf)
            nearest = np.argsort(distance, axis=1)[:, : min(NEIGHBOURS, self.n_areas - 1)]
            adjacent = np.zeros((self.n_areas, self.n_areas), dtype=bool)
            adjacent[np.arange(self.n_areas)[:, None], nearest] = True
        else:
            adjacent = self.area_region[:, None] == self.area_region[None, :]
            np.fill_diagonal(adjacent, False)
        weights = adjacent * self.population[None, :]
        totals = weights.sum(axis=1, keepdims=True)
        return np.divide(weights, totals, out=np.zeros_like(weights, dtype=float), where=totals > 0)


def _read_rows(path: Path | None) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """The areas table's rows with their line numbers, read as a spreadsheet saves them
    (`csv_input.read_records`: a byte-order mark, headers in any case or with spaces, rows left
    empty); a row may leave off values at its end (they are read as empty)."""
    label = "built-in UK police force areas" if path is None else str(path)
    builtin = resources.files("twin").joinpath("data/uk_police_force_areas.csv")
    with resources.as_file(builtin) if path is None else contextlib.nullcontext(path) as file:
        header, records = read_records(file, f"areas file '{label}'", ScenarioError, short_rows=True,
                                       check_header=lambda columns: _check_header(columns, label))
    if not records:
        raise ScenarioError(f"areas file '{label}': no rows")
    return [(line, dict(zip(header, values))) for line, values in records], label


def _check_header(header: list[str], label: str) -> None:
    """The areas file's columns: the required ones there, both coordinates or neither, none misspelt (other
    columns are ignored)."""
    if not header:
        raise ScenarioError(f"areas file '{label}': the file is empty; expected a header row "
                            f"({', '.join(REQUIRED_COLUMNS)}) and one row per area")
    unknown = [column for column in header if column and column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing and other_separator(header):
        raise ScenarioError(f"areas file '{label}': {other_separator(header)}")
    if missing:
        hints = "".join(f" (rename column '{closest(c, unknown)}' to '{c}')" for c in missing if closest(c, unknown))
        raise ScenarioError(
            f"areas file '{label}': missing column(s) {', '.join(missing)}{hints}; "
            f"expected columns {', '.join(REQUIRED_COLUMNS)}"
        )
    if ("latitude" in header) != ("longitude" in header):
        raise ScenarioError(f"areas file '{label}': a {'latitude' if 'latitude' in header else 'longitude'} column "
                            f"without a {'longitude' if 'latitude' in header else 'latitude'} column; give both, or "
                            f"neither (neighbours are then the areas of the same region)")
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    # Other columns (a code, a note) are ignored, as a register's are; one that looks meant for a column of
    # the model's would lose its figures unread, so it is refused: a near miss, a part of a name ('trust'),
    # or a usual short name of a coordinate. (A header's trailing comma makes a column without a name.)
    # Only the model's columns not in the header are offered: beside force_area, a force_code is a code.
    absent = [k for k in known if k not in header]
    words = lambda name: {w for w in re.split(r"[^a-z0-9]+", name.lower())  # noqa: E731
                          if len(w) >= 5 and w not in ("index", "value", "total", "count", "number")}
    stem = lambda name: "".join(ch for ch in name.lower() if ch.isalnum())  # noqa: E731
    for column in unknown:
        meant = (next((f"; did you mean '{k}'?" for k in absent if words(column) & words(k)), "")
                 or did_you_mean(column, absent)
                 or next((f"; did you mean '{k}'?" for k, short in (("latitude", ("lat",)),
                                                                   ("longitude", ("lon", "lng", "long")))
                          if k in absent and stem(column) in short), ""))
        if meant:
            raise ScenarioError(f"areas file '{label}': unknown column {column!r}{meant} (expected "
                                f"{', '.join(REQUIRED_COLUMNS)}, and optionally {', '.join(OPTIONAL_COLUMNS)}; "
                                f"other columns are ignored)")


def _area_row(line: int, row: dict, label: str, seen: dict[str, str]):
    """One row of an areas file checked: (name, nation, region, people, exporter flag, {latitude,
    longitude: degrees or None when empty}), or the row's first mistake as a ScenarioError."""
    def refuse(field: str, text: str):
        raise ScenarioError(f"areas file '{label}', line {line}, field '{field}': {text}")

    name = " ".join((row["force_area"] or "").split())  # spaces trimmed, inner runs as one
    if not name or name == NATIONAL_AREA:
        refuse("force_area", f"expected a non-empty name other than '{NATIONAL_AREA}', got {name!r}")
    if area_key(name) in seen:  # registers and levers read names in any case: two would be one
        refuse("force_area", f"duplicate area '{name}'" + (f" (names are read whatever their case: "
                                                           f"'{seen[area_key(name)]}' is above)"
                                                           if seen[area_key(name)] != name else ""))
    seen[area_key(name)] = name
    for field, text in (("force_area", name), ("region", (row["region"] or "").strip())):
        if formula_like(text):
            refuse(field, formula_like(text, ""))
        if len(text) > MAX_AREA_NAME_CHARS:  # results databases keep names of up to 80 characters
            refuse(field, f"expected a name of at most {MAX_AREA_NAME_CHARS} characters, got one of {len(text)}")
    try:
        pop = float(plain_number(row["population_thousands"])) * 1000.0  # "1,460" as a spreadsheet shows it
    except (TypeError, ValueError):
        refuse("population_thousands", f"expected a number, got {row['population_thousands']!r}")
    if not 0 < pop <= MAX_AREA_PEOPLE:  # NaN and inf too
        refuse("population_thousands", f"expected a positive number of thousands, at most "
                                       f"{MAX_AREA_PEOPLE / 1000:,.0f} (the largest UK force area holds about 9 "
                                       f"million people), got {row['population_thousands']!r}")
    flag = (row["county_lines_exporter"] or "").strip()
    if flag.lower() not in TRUE_WORDS + FALSE_WORDS:
        refuse("county_lines_exporter", f"expected 0 or 1 (or true/false, yes/no), got {flag!r}")
    nation, region = (row["nation"] or "").strip(), (row["region"] or "").strip()
    if nation not in NATIONS:
        refuse("nation", f"expected one of {', '.join(NATIONS)}, got {nation!r}{did_you_mean(nation, NATIONS)}")
    if not region:
        refuse("region", "expected the name of the area's region (its regional unit, ROCU), got nothing")
    degrees: dict[str, float | None] = {}
    for column in ("latitude", "longitude"):
        raw = (row.get(column) or "").strip()
        degrees[column] = None
        if raw:
            bound = 90.0 if column == "latitude" else 180.0
            try:
                degrees[column] = float(raw)
            except ValueError:
                degrees[column] = float("nan")  # refused below
            if not -bound <= degrees[column] <= bound:
                refuse(column, f"expected degrees from {-bound:g} to {bound:g}, got {raw!r}")
    return name, nation, region, pop, flag.lower() in TRUE_WORDS, degrees


def load_geography(path: Path | str | None = None) -> Geography:
    """Load and validate an areas table (the built-in UK force areas by default)."""
    rows, label = _read_rows(Path(path) if path else None)
    names, nations, regions, population, exporter = [], [], [], [], []
    latitude, longitude = [], []
    without_coordinates: list[tuple[int, str, str]] = []  # (line, area, column) of an empty coordinate
    optional = {"vulnerability_index": [], "community_trust": []}
    seen: dict[str, str] = {}  # names in any case and spacing -> as first written
    errors: list[str] = []  # every bad row said, as a register's are (the first alone was)
    for line, row in rows:
        try:
            name, nation, region, pop, flag, degrees = _area_row(line, row, label, seen)
            extra = {column: _optional_value(row.get(column), column, label, line)
                     for column in optional if column in row}
        except ScenarioError as exc:
            errors.append(str(exc))
            continue
        names.append(name)
        nations.append(nation)
        regions.append(region)
        population.append(pop)
        exporter.append(flag)
        for column, values in (("latitude", latitude), ("longitude", longitude)):
            if column in row and degrees[column] is None:
                without_coordinates.append((line, name, column))
            elif degrees[column] is not None:
                values.append(degrees[column])
        for column, value in extra.items():
            optional[column].append(value)
    if errors:
        from twin.register import MAX_ERRORS_SHOWN

        more = f"\n... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise ScenarioError("\n".join(errors[:MAX_ERRORS_SHOWN]) + more)
    if without_coordinates and (latitude or longitude):  # some areas placed, others not: neighbours would be guessed
        line, name, column = without_coordinates[0]
        raise ScenarioError(f"areas file '{label}', line {line} ({name}), field '{column}': empty, where other areas "
                            f"give their coordinates; give latitude and longitude for every area, or for none "
                            f"(neighbours are then the areas of the same region)")
    # an areas file of the built-in areas without coordinates (a copy of the built-in file, edited) has their
    # neighbours, not its regions' areas (said by `areas_warnings` when its areas are others); some but not
    # all coordinates given are refused above
    built_in = _builtin_centroids(names) if not latitude else None
    if built_in:
        latitude, longitude = built_in
    has_coordinates = len(latitude) == len(names) and len(longitude) == len(names)
    # a region's name in any case and spacing, as areas' names are read: one region of its nation, written as
    # it first is (a region of the same name in another nation stays another region)
    spelt: dict[tuple[str, str], str] = {}
    regions = [spelt.setdefault((nation, area_key(r)), r) for nation, r in zip(nations, regions)]
    region_names = list(dict.fromkeys(regions))
    return Geography(
        area_names=names,
        nation=nations,
        region_names=region_names,
        area_region=np.array([region_names.index(r) for r in regions], dtype=np.int64),
        population=np.array(population, dtype=float),
        exporter=np.array(exporter, dtype=bool),
        latitude=np.array(latitude) if has_coordinates else None,
        longitude=np.array(longitude) if has_coordinates else None,
        vulnerability_index=np.array(optional["vulnerability_index"]) if optional["vulnerability_index"] else None,
        community_trust=np.array(optional["community_trust"]) if optional["community_trust"] else None,
    )


def region_warnings(geo: Geography, label: str) -> list[str]:
    """A region of one area in a nation with other regions: most likely a misspelt region name
    (each name is a regional unit of its own, and an area's neighbours are its region's other
    areas); Scotland and Northern Ireland, one area each and a region each, are not remarked."""
    warnings = []
    for region, region_name in enumerate(geo.region_names):
        areas = geo.region_areas(region)
        nation = geo.nation[areas[0]]
        others = sorted({geo.region_names[r] for r, n in zip(geo.area_region, geo.nation) if n == nation} - {region_name})
        if areas.size == 1 and others:
            close = did_you_mean(region_name, others)[2:]  # in brackets: the warning ends with a full stop
            warnings.append(f"areas file '{label}': region '{region_name}' holds one area ({geo.area_names[areas[0]]}), "
                            f"so it is a regional unit of its own with no neighbours by region"
                            + (f" ({close})" if close else f" (the other regions of {nation}: {', '.join(others)})"))
    return warnings


#: the most people an area of an areas file may hold (the UK holds about 67 million)
MAX_AREA_PEOPLE = 100e6
#: the longest name of an area or region: results databases store them in columns of 80 characters
MAX_AREA_NAME_CHARS = 80
#: an areas file whose people differ from the UK's by more than this share holds a different
#: population from the one the national quantities in the parameter table describe
POPULATION_MISMATCH_SHARE = 0.05
#: the parameters that set national quantities (counts, budgets, places), named in the warning
NATIONAL_QUANTITIES = ("ocgs_known_uk", "members_known_uk", "heroin_crack_users_uk", "cocaine_users_uk",
                       "fraud_offences_per_year", "modern_slavery_victims_uk", "immigration_arrivals_per_year",
                       "firearms_trafficked_per_year", "acquisitive_offences_per_year", "county_lines_initial",
                       "enablers_professional", "enablers_insider", "enablers_technical", "soc_budget_gbp_per_year",
                       "soc_prison_places", "soc_prisoners_initial", "soc_remand_places", "soc_awaiting_trial_initial",
                       "court_capacity_trials_per_month")


def areas_warnings(geo: Geography, label: str, scaled: bool = False) -> list[str]:
    """What an areas file allows but is worth a remark: a region of one area (`region_warnings`),
    no county-lines exporter area, and a population far from the UK's (`population_warning`) unless
    the scenario scales the national quantities (`scaled`: `scale_national_quantities`)."""
    warnings = region_warnings(geo, label)
    if geo.latitude is None:
        warnings.append(f"areas file '{label}': no coordinates (latitude and longitude), and areas other than the "
                        f"built-in force areas, so each area's neighbours (for displacement, relocation and county "
                        f"lines) are the other areas of its region; give latitude and longitude for nearest neighbours")
    if not geo.exporter.any():
        warnings.append(f"areas file '{label}': no area is a county-lines exporter (county_lines_exporter = 1), so "
                        f"no county lines run and heroin/crack is supplied by each area's own groups")
    people = None if scaled else population_warning(geo, label)
    return warnings + ([people] if people else [])


def population_differs(geo: Geography) -> bool:
    """The areas hold more or fewer people than the UK's 45 force areas, by over `POPULATION_MISMATCH_SHARE`."""
    return abs(float(geo.population.sum()) / uk_population() - 1.0) > POPULATION_MISMATCH_SHARE


def population_warning(geo: Geography, label: str) -> str | None:
    """An areas file holding far more or fewer people than the UK: the model's national quantities
    (the parameter table's groups, members, users, offences, budget, places) stay the UK's and are
    spread over its areas, so a region of the UK modelled on its own holds the whole UK's crime.
    None when the populations agree within `POPULATION_MISMATCH_SHARE`."""
    if not population_differs(geo):
        return None
    from twin.scenario import MAX_NATIONAL_SCALE

    people, uk = float(geo.population.sum()), uk_population()
    fix = (f"for a part of the UK, set scale_national_quantities = true in [scenario] to scale them by "
           f"{people / uk:.3g} ({', '.join(NATIONAL_QUANTITIES)}), with the levers' national amounts; a register of "
           f"your own sets its groups, not the rest" if people / uk <= MAX_NATIONAL_SCALE else
           f"they can be scaled up to {MAX_NATIONAL_SCALE:g} times the UK's (scale_national_quantities), not "
           f"{people / uk:.3g} times: check the file's population_thousands")
    return (f"areas file '{label}': its {geo.n_areas} areas hold {people / 1e6:,.2f} million people, the UK's "
            f"{uk / 1e6:,.1f} million; the model's national quantities stay the UK's and are spread over these areas "
            f"(its totals, labelled UK, are the UK's size): {fix}")


def _optional_value(raw: str | None, column: str, label: str, line: int) -> float:
    """A value of an optional column: when the column is there, every row gives one."""
    expected = ("a positive number (relative at-risk pool per head)" if column == "vulnerability_index"
                else "a number above 0 and at most 1")
    text = (raw or "").strip()
    try:
        value = float(text)
    except ValueError:
        value = float("nan")  # not a number: fails the check below
    if not (value > 0 and np.isfinite(value) and (column == "vulnerability_index" or value <= 1)):
        percent = text.endswith("%") and text[:-1].strip().replace(".", "", 1).isdigit()
        share = float(text[:-1]) / 100 if percent else float("nan")
        hint = f" (a share: {text} is {share:g})" if column == "community_trust" and 0 < share <= 1 else ""
        raise ScenarioError(f"areas file '{label}', line {line}, field '{column}': expected {expected}, got "
                            f"{text!r}{hint}")
    return value


def describe(geo: Geography) -> dict:
    """What a report needs to name the areas: their number, nations (with counts), exporters, the
    most vulnerable fifth when the areas file gives a vulnerability index, and each area's nation
    and region (for subtotals) and population (for the per-head chart)."""
    nations: dict[str, int] = {}
    for nation in geo.nation:
        nations[nation] = nations.get(nation, 0) + 1
    vulnerable = geo.most_vulnerable()
    return {"areas": geo.n_areas, "nations": nations,
            "exporters": [name for name, flag in zip(geo.area_names, geo.exporter) if flag],
            "most_vulnerable": [] if vulnerable is None else [n for n, flag in zip(geo.area_names, vulnerable) if flag],
            "nation_of": dict(zip(geo.area_names, geo.nation)),
            "region_of": {name: geo.region_names[r] for name, r in zip(geo.area_names, geo.area_region)},
            "population_of": {name: float(people) for name, people in zip(geo.area_names, geo.population)}}


def _builtin_centroids(names: list[str]) -> tuple[list[float], list[float]] | None:
    """The built-in areas' centroids for `names` (in any case and spacing), or None when one of
    them is not a built-in area."""
    text = resources.files("twin").joinpath("data/force_area_centroids.csv").read_text()
    table = {area_key(row["force_area"]): (float(row["latitude"]), float(row["longitude"]))
             for row in csv.DictReader(text.splitlines())}
    if any(area_key(n) not in table for n in names):
        return None
    return [table[area_key(n)][0] for n in names], [table[area_key(n)][1] for n in names]


@functools.cache
def uk_population() -> float:
    """Population of the 45 built-in UK force areas (the denominator of UK-wide rates)."""
    return float(load_geography().population.sum())
