"""Areas, regions and tiers: the map the model runs on.

The default geography is the 45 UK police force areas (`data/uk_police_force_areas.csv`),
grouped into regions (the ROCU tier) under one national tier (the NCA). A scenario may name
another CSV with the same columns. Neighbouring areas, used for displacement and county-line
destinations, are the other areas of the same region: the grouping is regional by design and no
adjacency data ship with the project (an assumption recorded in docs/ODD.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from twin.errors import ScenarioError

REQUIRED_COLUMNS = ("force_area", "nation", "region", "population_thousands", "county_lines_exporter")
NATIONAL_AREA = "UK"


@dataclass
class Geography:
    """Areas and their static attributes, as arrays indexed by area number."""

    area_names: list[str]
    nation: list[str]
    region_names: list[str]
    area_region: np.ndarray  # int, region index of each area
    population: np.ndarray  # people
    exporter: np.ndarray  # bool, county-lines exporter area

    @property
    def n_areas(self) -> int:
        return len(self.area_names)

    @property
    def n_regions(self) -> int:
        return len(self.region_names)

    def area_index(self, name: str) -> int:
        return self.area_names.index(name)

    def region_areas(self, region: int) -> np.ndarray:
        return np.flatnonzero(self.area_region == region)

    def neighbour_weights(self) -> np.ndarray:
        """Row-normalised matrix [area, area]: other areas of the same region, weighted by population.

        An area alone in its region (Scotland, Northern Ireland) has no neighbours: its row is zero.
        """
        same = self.area_region[:, None] == self.area_region[None, :]
        np.fill_diagonal(same, False)
        weights = same * self.population[None, :]
        totals = weights.sum(axis=1, keepdims=True)
        return np.divide(weights, totals, out=np.zeros_like(weights, dtype=float), where=totals > 0)


def _read_rows(path: Path | None) -> tuple[list[dict[str, str]], str]:
    if path is None:
        text = resources.files("twin").joinpath("data/uk_police_force_areas.csv").read_text()
        label = "built-in UK police force areas"
    else:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise ScenarioError(f"areas file '{path}': cannot be read ({exc.strerror})") from None
        label = str(path)
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise ScenarioError(f"areas file '{label}': no rows")
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        raise ScenarioError(
            f"areas file '{label}': missing column(s) {', '.join(missing)}; "
            f"expected columns {', '.join(REQUIRED_COLUMNS)}"
        )
    return rows, label


def load_geography(path: Path | str | None = None) -> Geography:
    """Load and validate an areas table (the built-in UK force areas by default)."""
    rows, label = _read_rows(Path(path) if path else None)
    names, nations, regions, population, exporter = [], [], [], [], []
    for line, row in enumerate(rows, start=2):
        name = (row["force_area"] or "").strip()
        if not name or name == NATIONAL_AREA:
            raise ScenarioError(f"areas file '{label}', line {line}, field 'force_area': "
                                f"expected a non-empty name other than '{NATIONAL_AREA}', got {name!r}")
        if name in names:
            raise ScenarioError(f"areas file '{label}', line {line}, field 'force_area': duplicate area '{name}'")
        try:
            pop = float(row["population_thousands"]) * 1000.0
        except (TypeError, ValueError):
            raise ScenarioError(f"areas file '{label}', line {line}, field 'population_thousands': "
                                f"expected a number, got {row['population_thousands']!r}") from None
        if pop <= 0:
            raise ScenarioError(f"areas file '{label}', line {line}, field 'population_thousands': "
                                f"expected a positive number, got {row['population_thousands']!r}")
        flag = (row["county_lines_exporter"] or "").strip()
        if flag not in ("0", "1"):
            raise ScenarioError(f"areas file '{label}', line {line}, field 'county_lines_exporter': "
                                f"expected 0 or 1, got {flag!r}")
        names.append(name)
        nations.append(row["nation"].strip())
        regions.append(row["region"].strip())
        population.append(pop)
        exporter.append(flag == "1")
    region_names = list(dict.fromkeys(regions))
    return Geography(
        area_names=names,
        nation=nations,
        region_names=region_names,
        area_region=np.array([region_names.index(r) for r in regions], dtype=np.int64),
        population=np.array(population, dtype=float),
        exporter=np.array(exporter, dtype=bool),
    )
