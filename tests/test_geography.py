import numpy as np
import pytest

from twin.errors import ScenarioError
from twin.geography import load_geography


def test_uk_force_areas():
    geo = load_geography()
    assert geo.n_areas == 45
    assert 60e6 < geo.population.sum() < 72e6
    assert geo.exporter.sum() == 5
    assert "Metropolitan Police" in geo.area_names
    assert geo.latitude is not None


def test_neighbours_are_nearby_and_normalised():
    geo = load_geography()
    weights = geo.neighbour_weights()
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert np.all(np.diag(weights) == 0)
    met = geo.area_index("Metropolitan Police")
    neighbours = {geo.area_names[j] for j in np.flatnonzero(weights[met])}
    assert "City of London" in neighbours and "Surrey" in neighbours
    assert "Police Scotland" not in neighbours


def test_region_neighbours_without_coordinates(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                    "A,England,R1,100,1\nB,England,R1,300,0\nC,England,R2,200,0\n")
    geo = load_geography(path)
    weights = geo.neighbour_weights()
    assert weights[0, 1] == 1.0 and weights[1, 0] == 1.0
    assert weights[2].sum() == 0  # alone in its region


@pytest.mark.parametrize("body, words", [
    ("force_area,nation,region,population_thousands\nA,England,R,10\n", "missing column"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,ten,0\n",
     "line 2, field 'population_thousands'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,10,2\n",
     "field 'county_lines_exporter': expected 0 or 1"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,10,0\nA,England,R,5,0\n",
     "duplicate area 'A'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\n", "no rows"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\n,England,R,10,0\n",
     "line 2, field 'force_area': expected a non-empty name other than 'UK', got ''"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nUK,England,R,10,0\n",
     "field 'force_area': expected a non-empty name other than 'UK'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,0,0\n",
     "field 'population_thousands': expected a positive number, got '0'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude\nA,England,R,10,0,north,1\n",
     "field 'latitude': expected degrees as a number, got 'north'"),
])
def test_bad_areas_file(tmp_path, body, words):
    path = tmp_path / "areas.csv"
    path.write_text(body)
    with pytest.raises(ScenarioError, match=words):
        load_geography(path)


def _deaths_per_user(geography, seed):
    from twin.model import TwinModel

    model = TwinModel(seed=seed, n_steps=12, geography=geography)
    model.run()
    deaths = model.results.series("drug_deaths").sum()
    return deaths, deaths / model.results.series("drug_users_supplied").sum()


def test_drug_deaths_per_user_do_not_depend_on_the_areas_population(tmp_path):
    """A scenario's own areas hold the UK's drug users, so deaths per user are the UK's even when
    the areas hold a tenth of its people (a Poisson count: compared within 4 standard errors)."""
    path = tmp_path / "areas.csv"
    path.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                    "A,England,R1,2500,1\nB,England,R1,3000,0\nC,England,R2,1500,0\n")
    uk_deaths, uk_rate = _deaths_per_user(load_geography(), seed=1)
    small_deaths, small_rate = _deaths_per_user(load_geography(path), seed=1)
    assert uk_deaths > 1000 and small_deaths > 1000
    se = np.hypot(uk_rate / np.sqrt(uk_deaths), small_rate / np.sqrt(small_deaths))
    assert abs(small_rate - uk_rate) < 4 * se


def test_relocation_is_neutral_for_the_spread_of_groups():
    geo = load_geography()
    weight = geo.population * np.where(geo.exporter, 1.5, 1.0)
    chances, scale = geo.relocation_weights(weight)
    assert np.allclose(chances.sum(axis=1), 1.0) and np.all(chances >= 0)
    # every area can be reached, and moves go only between neighbours, either way
    assert np.all(chances.sum(axis=0) > 0)
    assert np.array_equal(chances > 0, (chances > 0).T)
    assert np.all(np.diag(chances) == 0)
    # a group's chance to move averages 1 over the groups' spread
    share = weight / weight.sum()
    assert np.isclose(np.sum(share * scale), 1.0)
    # the spread is stationary under moves, for any relocation chance: detailed balance
    flow = share[:, None] * scale[:, None] * chances
    assert np.allclose(flow, flow.T, rtol=1e-12, atol=1e-18)
    moves = 0.2 * scale[:, None] * chances + np.diag(1 - 0.2 * scale)
    assert np.allclose(share @ moves, share, rtol=1e-12, atol=1e-18)


def test_relocation_goes_only_where_groups_are_spread():
    geo = load_geography()
    chances, scale = geo.relocation_weights(np.where(np.arange(geo.n_areas) == 0, 1.0, 0.0))
    # only area 0 carries weight: movers from its neighbours all go there, and its own groups
    # have nowhere with weight to go (a zero row, and no chance to move)
    assert np.all(chances[:, 1:] == 0) and np.all(chances[0] == 0)
    assert np.all(np.isfinite(scale)) and scale[0] == 0
