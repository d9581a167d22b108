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
    ("force_area,nation,region,population_thousands,county_lines_exporter\n" + "A" * 81 + ",England,R,10,0\n",
     "line 2, field 'force_area': expected a name of at most 80 characters, got one of 81"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England," + "R" * 90 + ",10,0\n",
     "line 2, field 'region': expected a name of at most 80 characters, got one of 90"),
    # (no examples of names for budgets, which a scenario's name is given: this names an area)
    ("force_area,nation,region,population_thousands,county_lines_exporter\n=cmd(),England,R,10,0\n",
     "line 2, field 'force_area': expected a name not starting with '=' .*got '=cmd\\(\\)'; start it with a letter "
     "or digit$"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,0,0\n",
     "field 'population_thousands': expected a positive number of thousands, at most 100,000 .*got '0'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,1e9,0\n",
     "field 'population_thousands': expected a positive number of thousands, at most 100,000 .*got '1e9'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude\nA,England,R,10,0,north,1\n",
     "field 'latitude': expected degrees from -90 to 90, got 'north'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude\nA,England,R,10,0,200,0\n",
     "line 2, field 'latitude': expected degrees from -90 to 90, got '200'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude\nA,England,R,10,0,5,nan\n",
     "line 2, field 'longitude': expected degrees from -180 to 180, got 'nan'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude\nA,England,R,10,0,51,-1\n"
     "B,England,R,10,0,,\n", r"line 3 \(B\), field 'latitude': empty, where other areas give their coordinates"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude\nA,England,R,10,0,51,\n"
     "B,England,R,10,0,52,-2\n", r"line 2 \(A\), field 'longitude': empty"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,vulnerabilty_index\nA,England,R,10,0,1\n",
     "unknown column 'vulnerabilty_index'; did you mean 'vulnerability_index'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,trust\nA,England,R,10,0,0.5\n",
     "unknown column 'trust'; did you mean 'community_trust'.*other columns are ignored"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,lat,lng\nA,England,R,10,0,51,-1\n",
     "unknown column 'lat'; did you mean 'latitude'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,vulnerability_index\nA,England,R,10,0,1\n"
     "B,England,R,10,0,\n", "line 3, field 'vulnerability_index': expected a positive number"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,vulnerability_index\nA,England,R,10,0,0\n",
     "line 2, field 'vulnerability_index': expected a positive number .*got '0'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,community_trust\nA,England,R,10,0,1.2\n",
     "field 'community_trust': expected a number above 0 and at most 1, got '1.2'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,community_trust\nA,England,R,10,0,high\n",
     "field 'community_trust': expected a number above 0 and at most 1, got 'high'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,community_trust\nA,England,R,10,0,79%\n",
     r"field 'community_trust': expected a number above 0 and at most 1, got '79%' \(a share: 79% is 0.79\)"),
    ("force_area,nation,region,population_thousands,county_lines_exporter,community_trust\nA,England,R,10,0,150%\n",
     r"field 'community_trust': expected a number above 0 and at most 1, got '150%'$"),  # no share to suggest
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,Englnd,R,10,0\n",
     "line 2, field 'nation': expected one of England, Wales, Scotland, Northern Ireland, got 'Englnd'; did you mean 'England'"),
    ("force_area,nation,region,population_thousands,county_lines_exporter\nA,England, ,10,0\n",
     "line 2, field 'region': expected the name of the area's region"),
])
def test_bad_areas_file(tmp_path, body, words):
    path = tmp_path / "areas.csv"
    path.write_text(body)
    with pytest.raises(ScenarioError, match=words):
        load_geography(path)


def _deaths_per_user(geography, seed, nations=("England", "Wales", "Scotland", "Northern Ireland")):
    """Drug deaths, and deaths per user supplied, over a year in the areas of `nations`."""
    from twin.model import TwinModel

    model = TwinModel(seed=seed, n_steps=12, geography=geography)
    model.run()
    areas = [name for name, nation in zip(geography.area_names, geography.nation) if nation in nations]
    deaths = sum(model.results.series("drug_deaths", area).sum() for area in areas)
    users = sum(model.results.series("drug_users_supplied", area).sum() for area in areas)
    return deaths, deaths / users


def test_drug_deaths_per_user_do_not_depend_on_the_areas_population(tmp_path):
    """A scenario's own areas hold the UK's drug users (its national quantities not scaled), so
    deaths per user are the UK's even when the areas hold a tenth of its people (a Poisson
    count: compared within 4 standard errors)."""
    path = tmp_path / "areas.csv"
    path.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                    "A,England,R1,2500,1\nB,England,R1,3000,0\nC,England,R2,1500,0\n")
    uk_deaths, uk_rate = _deaths_per_user(load_geography(), seed=1)
    small_deaths, small_rate = _deaths_per_user(load_geography(path), seed=1)
    assert uk_deaths > 1000 and small_deaths > 1000
    se = np.hypot(uk_rate / np.sqrt(uk_deaths), small_rate / np.sqrt(small_deaths))
    assert abs(small_rate - uk_rate) < 4 * se


def _starting_death_weights(geo, params):
    from twin.community import initial_vulnerability
    from twin.markets import base_demand_per_month
    from twin.metrics import _death_weights

    demand = base_demand_per_month(geo, params, initial_vulnerability(geo, params))
    return demand, _death_weights(demand, params)


def test_each_nation_has_its_own_drug_deaths_per_head():
    """At the starting demand of the built-in areas, Scotland's and Northern Ireland's expected
    deaths are their rates per head over the UK's times their people (so their deaths per user
    are higher still where the model puts fewer users per head), and the UK's total holds; in a
    year's run, Scotland's deaths per user supplied over England's and Wales's are the factors'
    ratio (Poisson counts, within 4 standard errors)."""
    from twin.metrics import drug_death_area_factors
    from twin.parameters import Parameters

    geo, params = load_geography(), Parameters()
    demand, weight = _starting_death_weights(geo, params)
    factor = drug_death_area_factors(geo, params, demand)
    nation, people = np.array(geo.nation), geo.population / geo.population.sum()
    deaths = weight * factor / weight.sum()  # each area's share of the UK's expected deaths
    assert np.isclose(deaths.sum(), 1.0, rtol=1e-12)
    for name, ratio in (("Scotland", params.drug_death_rate_ratio_scotland),
                        ("Northern Ireland", params.drug_death_rate_ratio_northern_ireland)):
        assert np.isclose(deaths[nation == name].sum(), ratio * people[nation == name].sum(), rtol=1e-12)
    scotland, scotland_rate = _deaths_per_user(geo, seed=2, nations=("Scotland",))
    rest, rest_rate = _deaths_per_user(geo, seed=2, nations=("England", "Wales"))
    expected = factor[nation == "Scotland"][0] / factor[nation == "England"][0]
    ratio = scotland_rate / rest_rate
    se = ratio * np.hypot(1 / np.sqrt(scotland), 1 / np.sqrt(rest))
    assert scotland > 500 and abs(ratio - expected) < 4 * se


def test_a_map_of_one_nation_dies_at_its_rate_only_when_scaled_to_it(tmp_path):
    """Scotland alone with the UK's users dies at the UK's rate per user; scaled to Scotland's
    share of the UK, at Scotland's own rate per user (its factor on the built-in map)."""
    from twin.geography import NATIONAL_QUANTITIES
    from twin.metrics import drug_death_area_factors
    from twin.parameters import Parameters

    path = tmp_path / "scotland.csv"
    path.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                    "North,Scotland,S,2700,0\nSouth,Scotland,S,2750,0\n")
    scotland, uk = load_geography(path), load_geography()
    params = Parameters()
    demand, _ = _starting_death_weights(scotland, params)
    assert np.allclose(drug_death_area_factors(scotland, params, demand), 1.0, rtol=1e-12)
    scaled = Parameters()
    scaled.scale_national(NATIONAL_QUANTITIES, scotland.population.sum() / uk.population.sum())
    uk_factor = drug_death_area_factors(uk, params, _starting_death_weights(uk, params)[0])
    own = drug_death_area_factors(scotland, scaled, _starting_death_weights(scotland, scaled)[0])
    assert np.allclose(own, uk_factor[np.array(uk.nation) == "Scotland"][0], rtol=1e-12)


def test_drug_death_ratios_that_leave_england_and_wales_none_are_refused():
    from twin.errors import ParameterError
    from twin.metrics import drug_death_area_factors
    from twin.parameters import Parameters

    geo, params = load_geography(), Parameters({"drug_death_rate_ratio_scotland": 20.0}, where="test")
    with pytest.raises(ParameterError, match="drug_death_rate_ratio_scotland = 20 .*leaving England and Wales none"):
        drug_death_area_factors(geo, params, _starting_death_weights(geo, params)[0])


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


def _uk_areas_file(path, vulnerability=None, trust=None):
    """The built-in areas with their centroids, and optional vulnerability and trust columns."""
    geo = load_geography()
    header = "force_area,nation,region,population_thousands,county_lines_exporter,latitude,longitude"
    header += ",vulnerability_index" if vulnerability is not None else ""
    header += ",community_trust" if trust is not None else ""
    lines = [header]
    for a, name in enumerate(geo.area_names):
        row = (f"{name},{geo.nation[a]},{geo.region_names[geo.area_region[a]]},{geo.population[a] / 1000:g},"
               f"{int(geo.exporter[a])},{float(geo.latitude[a])!r},{float(geo.longitude[a])!r}")
        row += f",{float(vulnerability[a])!r}" if vulnerability is not None else ""
        row += f",{float(trust[a])!r}" if trust is not None else ""
        lines.append(row)
    path.write_text("\n".join(lines) + "\n")
    return load_geography(path)


def test_vulnerability_and_trust_columns_give_the_built_in_run_when_they_repeat_the_flag_rule(tmp_path):
    """Columns holding what the exporter flag gives (any scale for the index: only its ratios count)
    reproduce the built-in run to the last bit."""
    from twin.model import TwinModel
    from twin.parameters import Parameters

    params, geo = Parameters(), load_geography()
    index = np.where(geo.exporter, params.exporter_vulnerability_multiplier, 1.0) * 4.0
    trust = np.where(geo.exporter, params.community_trust_initial_exporter, params.community_trust_initial)
    own = _uk_areas_file(tmp_path / "areas.csv", index, trust)
    built_in = TwinModel(seed=2, n_steps=12)
    from_file = TwinModel(seed=2, n_steps=12, geography=own)
    assert np.allclose(from_file.vulnerability, built_in.vulnerability, rtol=1e-15)
    built_in.run()
    from_file.run()
    assert np.allclose(from_file.results.values, built_in.results.values, rtol=1e-9, equal_nan=True)


def test_a_vulnerable_area_draws_more_groups_recruits_and_demand_and_trust_is_read(tmp_path):
    """An index three times as high in one non-exporter area (Cumbria) against 1 elsewhere: the
    population-weighted mean is the flag rule's; that area's register groups, drug demand and
    recruits per head rise against the built-in run (Poisson counts over 3 seeds, 4 standard errors);
    its trust starts where the column says."""
    from twin.model import TwinModel
    from twin.parameters import Parameters

    params, geo = Parameters(), load_geography()
    area = geo.area_index("Cumbria")
    index = np.ones(geo.n_areas)
    index[area] = 3.0
    trust = np.full(geo.n_areas, 0.6)
    trust[area] = 0.3
    own = _uk_areas_file(tmp_path / "areas.csv", index, trust)
    flag_rule = np.where(geo.exporter, params.exporter_vulnerability_multiplier, 1.0)
    counts = {"own": np.zeros(2), "built_in": np.zeros(2)}
    for seed in (1, 2, 3):
        for key, geography in (("own", own), ("built_in", None)):
            model = TwinModel(seed=seed, n_steps=24, geography=geography)
            if key == "own":
                assert geo.population @ model.vulnerability == pytest.approx(geo.population @ flag_rule, rel=1e-12)
                assert model.trust[area] == 0.3 and model.trust[0] == 0.6
                assert model.markets.demand[area, 0] > 1.5 * TwinModel(seed=seed, n_steps=1).markets.demand[area, 0]
            counts[key][0] += (model.ocgs.area == area).sum()
            model.run()
            counts[key][1] += model.results.series("recruits", "Cumbria").sum()
    ratio = counts["own"] / counts["built_in"]
    se = ratio * np.sqrt(1 / counts["own"] + 1 / counts["built_in"])
    assert np.all(ratio - 4 * se > 1.5), (counts, ratio, se)


def test_a_region_of_one_area_beside_others_of_its_nation_is_remarked(tmp_path):
    """A misspelt region makes a regional unit of one area with no neighbours by region: warned,
    with the closest region; the built-in file's one-area regions (Scotland, Northern Ireland) are not."""
    from importlib import resources

    from twin.geography import region_warnings

    assert region_warnings(load_geography(), "built-in") == []
    text = resources.files("twin").joinpath("data/uk_police_force_areas.csv").read_text()
    assert "Kent,England,South East," in text
    path = tmp_path / "areas.csv"
    path.write_text(text.replace("Kent,England,South East,", "Kent,England,South Eastt,"))
    warnings = region_warnings(load_geography(path), "areas.csv")
    assert len(warnings) == 1 and "region 'South Eastt' holds one area (Kent)" in warnings[0]
    assert warnings[0].endswith("(did you mean 'South East'?)")  # as a sentence, before the full stop it is given


HEADER = "force_area,nation,region,population_thousands,county_lines_exporter\n"


@pytest.mark.parametrize("body, words", [
    (HEADER + "A,England,R,nan,0\n", "line 2, field 'population_thousands': expected a positive number.*got 'nan'"),
    (HEADER + "A,England,R,inf,0\n", "line 2, field 'population_thousands': expected a positive number.*got 'inf'"),
    (HEADER + "Valeshire North,England,R,10,1\nvaleshire  north,England,R,5,0\n",
     "line 3, field 'force_area': duplicate area 'valeshire north' \\(names are read whatever their case: "
     "'Valeshire North' is above\\)"),
    (HEADER + "A,England,R,10,1\n,,,,\nB,England,R,ten,0\n", "line 4, field 'population_thousands'"),
    (HEADER + "A,England,R,10,1,7\n", "line 2: 6 values where the header has 5 columns"),
    ("force_area,nation,region,populaton_thousands,county_lines_exporter\nA,England,R,10,1\n",
     "missing column\\(s\\) population_thousands \\(rename column 'populaton_thousands' to 'population_thousands'\\)"),
    (HEADER.replace(",", ";") + "A;England;R;10;1\n", "the columns are separated by ';' .*save it as CSV with commas"),
    (HEADER.replace(",", "\t") + "A\tEngland\tR\t10\t1\n", "the columns are separated by tabs"),
    (HEADER.strip() + ",latitude\nA,England,R,10,1,51.5\n", "a latitude column without a longitude column"),
])
def test_areas_file_mistakes_are_named_by_line_and_field(tmp_path, body, words):
    """Population NaN and inf crashed a run with a traceback; names differing only in case made two
    areas the registers and levers read as one; a long row lost its extra value silently."""
    path = tmp_path / "areas.csv"
    path.write_text(body)
    with pytest.raises(ScenarioError, match=words):
        load_geography(path)


def test_an_areas_file_as_a_spreadsheet_saves_it_loads(tmp_path):
    """A byte-order mark ("CSV UTF-8"), headers in any case with spaces, rows left empty, Windows line
    ends and names with doubled inner spaces read as the plain file does."""
    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + "Riverside City,England,R1,420,1\nHarbour Town,England,R2,300,0\n")
    saved = tmp_path / "saved.csv"
    saved.write_bytes(("\ufeff Force_Area ,Nation,REGION,Population_Thousands,County_Lines_Exporter\r\n"
                       "  Riverside  City ,England,R1,420,1\r\n,,,,\r\nHarbour Town,England,R2,300,0\r\n").encode())
    a, b = load_geography(plain), load_geography(saved)
    assert a.area_names == b.area_names == ["Riverside City", "Harbour Town"]
    assert np.array_equal(a.population, b.population) and np.array_equal(a.exporter, b.exporter)


def test_a_geography_far_from_the_uk_s_population_or_without_an_exporter_is_warned(tmp_path):
    """The model's national quantities stay the UK's whatever the areas: a region of 1.2 million
    people holds the whole UK's groups unless they are scaled, which nothing said."""
    from twin.geography import areas_warnings, uk_population

    assert areas_warnings(load_geography(), "built-in") == []
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + "A,England,R,700,0\nB,England,R,480,0\n")
    warnings = areas_warnings(load_geography(path), "areas.csv")
    assert len(warnings) == 3
    assert "no coordinates (latitude and longitude), and areas other than the built-in" in warnings[0]
    assert "no area is a county-lines exporter" in warnings[1]
    share = 1.18e6 / uk_population()
    assert ("its 2 areas hold 1.18 million people" in warnings[2] and "national quantities stay the UK's" in warnings[2]
            and f"set scale_national_quantities = true in [scenario] to scale them by {share:.3g} (ocgs_known_uk, "
                "members_known_uk" in warnings[2])
    assert areas_warnings(load_geography(path), "areas.csv", scaled=True) == warnings[:2]  # scaled: nothing to say
    # the UK's areas split differently (the same people): no population remark
    text = (HEADER + "".join(f"{n},England,R,{p / 1000},{int(e)}\n" for n, p, e in
                             zip(load_geography().area_names, load_geography().population, load_geography().exporter)))
    path.write_text(text)
    assert areas_warnings(load_geography(path), "areas.csv") == []


def test_names_match_in_any_case_and_spacing_unless_two_would():
    from twin.geography import canonical_name

    names = ["Merseyside", "Greater Manchester", "London", "london "]
    assert canonical_name("merseyside", names) == "Merseyside"
    assert canonical_name(" greater   MANCHESTER ", names) == "Greater Manchester"
    assert canonical_name("London", names) == "London"  # as written first
    assert canonical_name("LONDON", names) is None  # two regions named alike: neither is guessed
    assert canonical_name("Mersey", names) is None
    assert load_geography().area_index("north wales") == load_geography().area_names.index("North Wales")


def test_a_copy_of_the_built_in_areas_without_coordinates_keeps_their_neighbours(tmp_path):
    """An edited copy of the built-in areas file has no coordinates (they are in another file): its
    areas' neighbours fell back to their regions', silently (the Metropolitan Police's only one the
    City of London). Built-in areas now take the built-in centroids, in any case; other areas are
    warned that their neighbours are their region's."""
    from importlib import resources

    from twin.geography import areas_warnings

    text = resources.files("twin").joinpath("data/uk_police_force_areas.csv").read_text()
    copy = tmp_path / "areas.csv"
    copy.write_text(text.replace("Metropolitan Police", "METROPOLITAN  police"))
    built_in, edited = load_geography(), load_geography(copy)
    assert np.array_equal(edited.neighbour_weights(), built_in.neighbour_weights())
    assert areas_warnings(edited, "areas.csv") == []
    empty = tmp_path / "empty.csv"  # coordinate columns there but left empty, as a spreadsheet exports them
    lines = text.strip().splitlines()
    empty.write_text("\n".join([lines[0] + ",latitude,longitude"] + [line + ",," for line in lines[1:]]) + "\n")
    assert np.array_equal(load_geography(empty).neighbour_weights(), built_in.neighbour_weights())
    other = tmp_path / "other.csv"
    other.write_text(text + "Isle of Nowhere,England,South East,10,0\n")
    assert load_geography(other).latitude is None
    assert any("neighbours (for displacement, relocation and county lines) are the other areas of its region" in w
               for w in areas_warnings(load_geography(other), "other.csv"))


def test_a_region_name_reads_in_any_case_and_spacing(tmp_path):
    """'North west' beside 'North West' made two regional units (ROCUs) of one region, silently: a
    lever naming the region then covered part of it. Region names are now read as area names are,
    the first spelling kept."""
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + "A,England,North West,100,1\nB,England,north  west ,300,0\nC,England,Wales,200,0\n")
    geo = load_geography(path)
    assert geo.region_names == ["North West", "Wales"] and geo.area_region.tolist() == [0, 0, 1]


def test_an_areas_file_s_spreadsheet_numbers_flags_and_extra_columns_are_read(tmp_path):
    """The areas file refused what the register reads as a spreadsheet writes it: a population
    with thousands separators, TRUE/FALSE flags, a column of the user's own (a code)."""
    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + "Riverside City,England,R1,1460,1\nHarbour Town,England,R1,300,0\n")
    saved = tmp_path / "saved.csv"
    saved.write_text("force_area,ONS code,nation,region,population_thousands,county_lines_exporter\n"
                     'Riverside City,E23000001,England,R1,"1,460",TRUE\nHarbour Town,E23000002,England,R1,300,false\n')
    a, b = load_geography(plain), load_geography(saved)
    assert a.area_names == b.area_names and np.array_equal(a.population, b.population)
    assert b.population.tolist() == [1_460_000.0, 300_000.0] and b.exporter.tolist() == [True, False]


def test_an_areas_file_s_own_code_columns_are_ignored_and_a_model_column_s_near_miss_refused(tmp_path):
    """Columns of the user's own (codes, names) are ignored, even named like a column that is
    there (force_code beside force_area); one named like a model column that is not there
    (trust_index for community_trust) would lose its figures, and is refused."""
    path = tmp_path / "areas.csv"
    path.write_text("force_area,force_code,nation,region,region_code,population_thousands,county_lines_exporter,"
                    "easting\nA,E1,England,R1,R01,100,1,400000\nB,E2,England,R1,R01,300,0,500000\n")
    assert load_geography(path).area_names == ["A", "B"]
    path.write_text(HEADER.strip() + ",trust_index\nA,England,R1,100,1,0.5\n")
    with pytest.raises(ScenarioError, match="unknown column 'trust_index'; did you mean 'community_trust'"):
        load_geography(path)


def test_regions_of_one_name_in_two_nations_in_other_cases_stay_two():
    """Region names are matched in any case within a nation, not across nations."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "areas.csv"
        path.write_text(HEADER + "A,England,Borders,100,1\nB,Scotland,BORDERS,300,0\nC,England,borders,50,0\n")
        geo = load_geography(path)
    assert geo.region_names == ["Borders", "BORDERS"] and geo.area_region.tolist() == [0, 1, 0]


def test_every_bad_row_of_an_areas_file_is_said_as_a_register_s_are(tmp_path):
    """Two bad rows gave the first alone: fixed, the file failed again on the next (a register lists them all)."""
    path = tmp_path / "areas.csv"
    path.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                    "A,England,R,ten,0\nB,England,R,10,0\nC,Englnd,R,10,0\n" + "".join(
                        f"D{k},England,R,-1,0\n" for k in range(12)))
    with pytest.raises(ScenarioError) as refused:
        load_geography(path)
    lines = str(refused.value).splitlines()
    assert lines[0] == f"areas file '{path}', line 2, field 'population_thousands': expected a number, got 'ten'"
    assert lines[1].startswith(f"areas file '{path}', line 4, field 'nation': expected one of")
    assert "'England'" in lines[1]
    assert lines[2].startswith(f"areas file '{path}', line 5, field 'population_thousands'")
    assert len(lines) == 11 and lines[-1] == "... and 4 more"  # 14 bad rows: the first 10 and a count
