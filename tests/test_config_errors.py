"""Mistakes in calibration, sensitivity, targets and validation experiment files: each is one line
naming the file, the table and key, what was expected (and the closest valid name), exit status 2."""

import numpy as np
import pytest

from twin.cli import main

from conftest import ROOT, write

BASELINE = ROOT / "scenarios" / "baseline.toml"
CT = ROOT / "scenarios" / "ct_powers.toml"
TARGETS = ROOT / "calibration" / "targets.toml"
POSTERIOR = ROOT / "calibration" / "posterior.csv"
TWO = '[[parameter]]\nname = "charge_prob"\n[[parameter]]\nname = "conviction_prob"\n'
CALIBRATION = f'[calibration]\nscenario = "{BASELINE}"\ntargets = "{TARGETS}"\n'
SENSITIVITY = f'[sensitivity]\nscenario = "{BASELINE}"\n'
TARGET = 'name = "x"\nvalue = 1\ntolerance = 1\nsource = "s"\nmetric = "arrests"\nyears = [1, 2]\naggregation = "mean"\n'


def _user_error(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("twin: error: "), err
    return err


@pytest.mark.parametrize("body, words", [
    # unknown tables and keys, with the closest valid name
    (f'[calibraton]\nscenario = "{BASELINE}"\n' + TWO,
     "top level: unknown key 'calibraton'; did you mean 'calibration'?"),
    (CALIBRATION + TWO + '[[parametr]]\nname = "arrest_prob"\n', "unknown key 'parametr'; did you mean 'parameter'?"),
    (CALIBRATION + 'sed = 2\n' + TWO, "[calibration]: unknown key 'sed'; did you mean 'seed'?"),
    (CALIBRATION + '[[parameter]]\nname = "charge_prob"\nhihg = 0.9\n', "[[parameter]] #1: unknown key 'hihg'; did you mean 'high'?"),
    (CALIBRATION + '[parameter]\nname = "charge_prob"\n', "must be an array of tables ([[parameter]], with double brackets)"),
    (CALIBRATION + '[[parameter]]\nname = "charge_prob"\nlow = 0\nhigh = 0.9\nscale = "log"\n',
     '[[parameter]] #1: low: scale = "log" needs a range above 0, got low = 0'),
    # named low, which was never written
    (CALIBRATION + '[[parameter]]\nname = "insider_success_penalty"\nscale = "log"\n',
     '[[parameter]] #1: scale: scale = "log" needs a range above 0, and with no low given the range is the parameter '
     'table\'s plausible one, from 0; give low > 0, or scale = "linear"'),
    (CALIBRATION + '[[parameter]]\nname = "charge_prob"\nscale = "logs"\n',
     '[[parameter]] #1: scale: expected "linear" or "log", got \'logs\'; did you mean \'log\'?'),
    (CALIBRATION.replace("[calibration]", "[[calibration]]") + TWO, "'calibration' must be a table ([calibration]"),
    # wrong types
    (CALIBRATION + 'years = "three"\n' + TWO, "[calibration] years: expected a number of years above 0 and at most 100, got 'three'"),
    (CALIBRATION + 'seed = "one"\n' + TWO, "[calibration] seed: expected a whole number from 0 to 4294967295, got 'one'"),
    (CALIBRATION + 'seed = -1\n' + TWO, "[calibration] seed: expected a whole number from 0 to 4294967295, got -1"),
    (CALIBRATION + 'seed = 1.7\n' + TWO, "seed: expected a whole number from 0 to 4294967295, got 1.7"),
    (f'[calibration]\nscenario = 5\ntargets = "{TARGETS}"\n' + TWO, "[calibration] scenario: expected the name of a scenario file in quotes, got 5"),
    (f'[calibration]\nscenario = "{BASELINE}"\ntargets = ["a"]\n' + TWO, "[calibration] targets: expected the name of a targets file in quotes, got ['a']"),
    (f'[calibration]\nscenario = "{BASELINE}"\ntargets = "nowhere.toml"\n' + TWO, "[calibration] targets: targets file 'nowhere.toml' not found"),
    (CALIBRATION + 'method = "abd"\n' + TWO, "method: expected \"point\" or \"abc\", got 'abd'; did you mean 'abc'?"),
    (CALIBRATION + 'out = 3\n' + TWO, "[calibration] out: expected a folder name in quotes, got 3"),
    # ranges
    (CALIBRATION + 'years = -3\n' + TWO, "[calibration] years: expected a number of years above 0 and at most 100, got -3"),
    (CALIBRATION + 'years = nan\n' + TWO, "[calibration] years: expected a number of years above 0 and at most 100, got nan"),
    (CALIBRATION + 'years = 101\n' + TWO, "years: expected a number of years above 0 and at most 100, got 101"),
    (CALIBRATION + 'years = 0.01\n' + TWO, "[calibration] years = 0.01 is shorter than one monthly step"),
    (CALIBRATION + 'minimum_epsilon = -0.5\n' + TWO, "[calibration] minimum_epsilon: expected a number >= 0, got -0.5"),
    (CALIBRATION + 'minimum_epsilon = "small"\n' + TWO, "minimum_epsilon: expected a number >= 0, got 'small'"),
    (CALIBRATION + 'max_evaluations = 0\n' + TWO, "[calibration] max_evaluations: expected a whole number from 1 to 1000000, got 0"),
    (CALIBRATION + 'posterior_size = 2.5\n' + TWO, "[calibration] posterior_size: expected a whole number from 1 to 1000000, got 2.5"),
    (CALIBRATION + 'population_size = 1\n' + TWO, "[calibration] population_size: expected a whole number from 2 to 100000, got 1"),
    (CALIBRATION + 'reps = 1000000000\n' + TWO, "[calibration] reps: expected a whole number from 1 to 10000, got 1000000000"),
    (CALIBRATION + 'workers = 0\n' + TWO, "[calibration] workers: expected a whole number from 1 to 1024, got 0"),
    # a shared file asks for no more than a machine could give
    (CALIBRATION + 'population_size = 1000000000\n' + TWO,
     "[calibration] population_size: expected a whole number from 2 to 100000, got 1000000000"),
    (CALIBRATION + 'max_evaluations = 1e12\n' + TWO, "[calibration] max_evaluations: expected a whole number from 1"),
    (CALIBRATION + 'generations = 5000\n' + TWO, "[calibration] generations: expected a whole number from 1 to 1000"),
    # [[parameter]] entries
    (CALIBRATION + '[[parameter]]\nnmae = "charge_prob"\n', "[[parameter]] #1: missing key 'name' (found 'nmae': did you mean 'name'?)"),
    (CALIBRATION + '[[parameter]]\nlow = 0.1\n', "[[parameter]] #1: missing key 'name'"),
    (CALIBRATION + TWO + '[[parameter]]\nname = "charge_prob"\nlow = 0.6\n',
     "[[parameter]] #3: parameter 'charge_prob' listed twice (also [[parameter]] #1)"),
    (CALIBRATION + '[[parameter]]\nname = "early_release_served_share"\nlow = 0.3\nhigh = 0.5\n'
                   '[[parameter]]\nname = "served_share"\nlow = 0.45\nhigh = 0.6\n',
     "early_release_served_share can be drawn up to 0.5 and served_share as low as 0.45"),
    # a range the wrong way round; a file naming no parameter at all
    (CALIBRATION + '[[parameter]]\nname = "charge_prob"\nlow = 0.9\nhigh = 0.1\n',
     "[[parameter]] #1: 'charge_prob': expected low < high, got 0.9 and 0.1"),
    # an end not written is the parameter table's: said, since the file does not hold it
    (CALIBRATION + '[[parameter]]\nname = "charge_prob"\nlow = 0.99\n',
     "'charge_prob': expected low < high, got 0.99 and 0.9 (high: the parameter table's high end, not written here)"),
    (CALIBRATION, ": no [[parameter]] to calibrate: expected at least one [[parameter]] table with a name"),
    # once told that its default scenario file, ../scenarios/baseline.toml, was not found
    ('', "the file is empty (expected a [calibration] table and [[parameter]] entries; see calibration/baseline.toml)"),
])
def test_calibration_config_mistakes(tmp_path, capsys, monkeypatch, body, words):
    import twin.calibration

    # refused before any run: a check that let the mistake through fails here, not after a fit
    monkeypatch.setattr(twin.calibration, "evaluate", lambda *a, **k: pytest.fail("ran the model"))
    config = write(tmp_path / "c.toml", body)
    err = _user_error(["calibrate", str(config), "--out", str(tmp_path / "out"), "--db",
                       f"sqlite:///{tmp_path / 'c.db'}"], capsys)
    assert str(config) in err and words in err


@pytest.mark.parametrize("body, words", [
    (f'[sensitivty]\nscenario = "{BASELINE}"\n' + TWO, "top level: unknown key 'sensitivty'; did you mean 'sensitivity'?"),
    (SENSITIVITY + TWO + '[[parametr]]\nname = "arrest_prob"\n', "unknown key 'parametr'; did you mean 'parameter'?"),
    (SENSITIVITY + 'compar = []\n' + TWO, "[sensitivity]: unknown key 'compar'; did you mean 'compare'?"),
    (SENSITIVITY + '[[parameter]]\nname = "charge_prob"\nlow = 0.5\nhigh = 0.9\nscale = "log"\n' + TWO,
     "[[parameter]] #1: unknown key 'scale'"),
    (SENSITIVITY + 'n = "four"\n' + TWO, "[sensitivity] n: expected a power of 2 >= 4 (Sobol samples), got 'four'"),
    (SENSITIVITY + 'n = 8.0\n' + TWO, "[sensitivity] n: expected a power of 2 >= 4 (Sobol samples), got 8.0"),
    (SENSITIVITY + 'n = 262144\n' + TWO, "the design has n = 262,144 x (2 parameters + the seed + "
                                          "2) samples x 1 scenario(s) = 1,310,720 runs, more than the 1,000,000 one command may plan"),
    (SENSITIVITY + 'seed_factor = "yes"\n' + TWO, "[sensitivity] seed_factor: expected true (each sample on a seed of "
     "its own, the seed a factor whose index is the noise floor; the default) or false (every sample on the config's "
     "seed), got 'yes'"),
    (SENSITIVITY + 'seed = -1\n' + TWO, "[sensitivity] seed: expected a whole number from 0 to 4294967295, got -1"),
    (SENSITIVITY + 'years = "three"\n' + TWO, "[sensitivity] years: expected a number of years above 0 and at most 100"),
    (SENSITIVITY + 'years = -3\n' + TWO, "[sensitivity] years: expected a number of years above 0 and at most 100, got -3"),
    ('[sensitivity]\nscenario = 5\n' + TWO, "[sensitivity] scenario: expected the name of a scenario file in quotes, got 5"),
    (SENSITIVITY + 'compare = "../scenarios/x.toml"\n' + TWO,
     "[sensitivity] compare: expected a list of scenario files, e.g. compare = [\"../scenarios/x.toml\"]"),
    (SENSITIVITY + 'compare = [3]\n' + TWO, "[sensitivity] compare[0]: expected the name of a scenario file in quotes, got 3"),
    (SENSITIVITY + f'compare = ["{CT}", "{CT}"]\n' + TWO, "[sensitivity] compare: scenario file"),
    (SENSITIVITY + f'compare = ["{CT}", "{BASELINE}"]\n' + TWO,  # its benefit: 0 in every sample, intervals of nan
     f"[sensitivity] compare[1]: '{BASELINE}' is the scenario itself, whose benefit against itself is always 0"),
    (SENSITIVITY + '[[parameter]]\nnmae = "charge_prob"\n' + TWO, "[[parameter]] #1: missing key 'name' (found 'nmae'"),
    (SENSITIVITY + TWO + '[[parameter]]\nname = "conviction_prob"\n', "[[parameter]] #3: parameter 'conviction_prob' listed twice"),
    # a range from the posterior sample
    (SENSITIVITY + TWO + '[[parameter]]\nname = "asset_realisation_share"\nrange = "posterir"\n',
     "[[parameter]] #3: range: expected \"plausible\" (the parameter table's range, the default) or \"posterior\" "
     "(its posterior's 90% credible interval), got 'posterir'; did you mean 'posterior'?"),
    (SENSITIVITY + TWO + '[[parameter]]\nname = "asset_realisation_share"\nrange = "prior"\n',
     "got 'prior'; a calibrated parameter's prior is its plausible range: write \"plausible\""),
    (SENSITIVITY + TWO + '[[parameter]]\nname = "asset_realisation_share"\nrange = "posterior"\n',
     "[[parameter]] #3: range = \"posterior\" needs a posterior sample: add posterior = \"posterior.csv\""),
    (SENSITIVITY + f'posterior = "{POSTERIOR}"\n' + TWO + '[[parameter]]\nname = "asset_realisation_share"\n'
     'range = "posterior"\nlow = 0.3\n', "range = \"posterior\" sets low and high from the posterior sample; give "
                                         "either the range or low and high"),
    (SENSITIVITY + f'posterior = "{POSTERIOR}"\n' + TWO.replace('"charge_prob"', '"charge_prob"\nrange = "posterior"'),
     "[[parameter]] #1: range = \"posterior\": the posterior sample has no column 'charge_prob' (it has: asset_realisation_share, "
     "harm_gbp_per_heroin_crack_user_year, "),
    (SENSITIVITY + 'posterior = "nowhere.csv"\n' + TWO, "[sensitivity] posterior: posterior sample 'nowhere.csv' not found"),
    # ranges that would draw values that cannot hold together: caught before any run
    (SENSITIVITY + TWO + '[[parameter]]\nname = "share_serious_violence"\n[[parameter]]\nname = "share_violent"\n',
     "[[parameter]]: share_serious_violence can be drawn up to 0.65 and share_violent as low as 0.6, but "
     "share_serious_violence cannot exceed share_violent"),
])
def test_sensitivity_config_mistakes(tmp_path, capsys, body, words):
    config = write(tmp_path / "s.toml", body)
    err = _user_error(["sensitivity", str(config), "--out", str(tmp_path / "out")], capsys)
    assert str(config) in err and words in err


def test_a_sensitivity_range_from_the_posterior_is_its_90_percent_credible_interval(tmp_path, capsys):
    import numpy as np
    import pandas as pd

    from twin.sensitivity import load_config

    config = load_config(write(tmp_path / "s.toml", SENSITIVITY + f'posterior = "{POSTERIOR}"\n' + TWO
                               + '[[parameter]]\nname = "asset_realisation_share"\nrange = "posterior"\n'))
    sample = pd.read_csv(POSTERIOR)["asset_realisation_share"]
    config_shipped = config
    (spec,) = [u for u in config["uncertain"] if u.name == "asset_realisation_share"]
    assert (spec.low, spec.high) == pytest.approx(tuple(np.quantile(sample, [0.05, 0.95])), rel=1e-5)
    assert 0.1 < spec.low < spec.high < 0.8  # inside the prior, narrower than it
    # a fit's folder: the interval of the weighted particles beside the sample, as the fit report gives it
    from twin.calibration_abc import weighted_quantiles

    fit = tmp_path / "fit"
    fit.mkdir()
    pd.read_csv(POSTERIOR).to_csv(fit / "posterior.csv", index=False)
    particles = pd.DataFrame({"asset_realisation_share": np.linspace(0.2, 0.7, 50), "weight": np.linspace(1, 3, 50)})
    particles.to_csv(fit / "particles.csv", index=False)
    config = load_config(write(tmp_path / "p.toml", SENSITIVITY + f'posterior = "{fit / "posterior.csv"}"\n' + TWO
                               + '[[parameter]]\nname = "asset_realisation_share"\nrange = "posterior"\n'))
    (spec,) = [u for u in config["uncertain"] if u.name == "asset_realisation_share"]
    expected = weighted_quantiles(particles["asset_realisation_share"].to_numpy(), particles["weight"].to_numpy(),
                                  [0.05, 0.95])
    assert (spec.low, spec.high) == pytest.approx(tuple(expected), rel=1e-5)
    assert f"posterior ranges are read from the weighted particles beside it ({fit / 'particles.csv'})" in \
        capsys.readouterr().err  # said: the file it reads is not the one the config names
    # the model version that fitted it, as `twin compare --posterior` says it: the shipped sample's, then
    # a fit's record of another model's source
    assert any("[sensitivity] posterior: the shipped sample was fitted by an earlier version" in w
               for w in config_shipped["warnings"])
    (fit / "fit.json").write_text('{"code": {"code_hash": "deadbeef0000"}, "settings": {}}', encoding="utf-8")
    config = load_config(tmp_path / "p.toml")
    capsys.readouterr()
    assert any(w.startswith(f"{tmp_path / 'p.toml'}: [sensitivity] posterior: fitted by a model whose source hash is "
                            f"deadbeef0000, not this code's") for w in config["warnings"]), config["warnings"]
    # a posterior sample with a mistake in it is named as the config's, not as --posterior
    bad = write(tmp_path / "bad.csv", "asset_realisation_shar\n0.3\n")
    err = _user_error(["sensitivity", str(write(tmp_path / "b.toml", SENSITIVITY + f'posterior = "{bad}"\n' + TWO)),
                       "--out", str(tmp_path / "out")], capsys)
    assert f"[sensitivity] posterior '{bad}', header: unknown parameter 'asset_realisation_shar'; did you mean" in err
    flat = write(tmp_path / "flat.csv", "asset_realisation_share\n0.4\n0.4\n0.4\n")
    err = _user_error(["sensitivity", str(write(tmp_path / "f.toml", SENSITIVITY + f'posterior = "{flat}"\n' + TWO
                                                + '[[parameter]]\nname = "asset_realisation_share"\nrange = "posterior"\n')),
                       "--out", str(tmp_path / "out")], capsys)
    assert "range = \"posterior\": the posterior sample has no spread for 'asset_realisation_share' (its 5th and 95th " \
           "percentiles are both 0.4); give low and high instead" in err


def test_an_out_folder_in_the_way_names_the_config_key_that_gave_it(tmp_path, capsys):
    """A config's `out` that is a file was blamed on --out, which the command line had not given."""
    afile = write(tmp_path / "afile", "mine\n")
    config = write(tmp_path / "s.toml", SENSITIVITY + f'out = "{afile}"\n' + TWO)
    err = _user_error(["sensitivity", str(config)], capsys)
    assert f"{config}: [sensitivity] out '{afile}': '{afile}' is a file, not a folder" in err
    err = _user_error(["sensitivity", str(config), "--out", str(afile)], capsys)
    assert f"--out '{afile}': '{afile}' is a file, not a folder" in err


def test_posterior_ranges_of_correlated_parameters_are_warned_of(tmp_path):
    """The seizure and realisation shares correlate at about -0.77 in the shipped posterior (the
    assets-recovered target fixes their product): drawn independently over their intervals, the
    design weights the combinations the posterior rejects. One of them alone, or two that do not
    correlate, pass without a warning."""
    import numpy as np
    import pandas as pd

    from twin.sensitivity import load_config

    ranges = [f'[[parameter]]\nname = "{name}"\nrange = "posterior"\n'
              for name in ("asset_realisation_share", "seizure_share_of_capital")]
    config = load_config(write(tmp_path / "s.toml", SENSITIVITY + f'posterior = "{POSTERIOR}"\n' + "".join(ranges[:2])))
    sample = pd.read_csv(POSTERIOR)
    r = np.corrcoef(sample["asset_realisation_share"], sample["seizure_share_of_capital"])[0, 1]
    assert r < -0.3
    (warning,) = [w for w in config["warnings"] if "correlate" in w]
    assert warning.startswith(f"{tmp_path / 's.toml'}: [[parameter]]: asset_realisation_share and seizure_share_of_"
                              f"capital correlate at {r:+.2f} in the posterior sample")
    # particles are weighted: two rows at weight 0 turn no correlation into a perfect one
    rows = "asset_realisation_share,seizure_share_of_capital,weight\n0.2,0.6,1\n0.6,0.2,1\n0.2,0.2,{w}\n0.6,0.6,{w}\n"
    for w, warned in ((0, "correlate at -1.00"), (1, None)):
        particles = write(tmp_path / "particles.csv", rows.format(w=w))
        config = load_config(write(tmp_path / "w.toml",
                                   SENSITIVITY + f'posterior = "{particles}"\n' + "".join(ranges[:2])))
        said = [w for w in config["warnings"] if "correlate" in w]
        assert ([warned in said[0]] if said else [None]) == [True if warned else None]
    config = load_config(write(tmp_path / "a.toml", SENSITIVITY + f'posterior = "{POSTERIOR}"\n' + ranges[0] + TWO))
    assert not [w for w in config["warnings"] if "correlate" in w]  # one posterior range: nothing to correlate


@pytest.mark.parametrize("body, words", [
    ("[target]\n" + TARGET, "'target' must be an array of tables ([[target]], with double brackets"),
    ("[[targets]]\n" + TARGET, "top level: unknown key 'targets'; did you mean 'target'?"),
    ("[[target]]\n" + TARGET.replace("years = [1, 2]", 'years = ["a", 2]'), "[[target]] #1: years: expected [first, last]"),
    ("[[target]]\n" + TARGET.replace('name = "x"', "name = 3"), "[[target]] #1: name: expected a string in quotes, got 3"),
    ("[[target]]\n" + TARGET.replace('name = "x"', 'name = ""'),
     "[[target]] #1: name: expected a name in quotes, got ''"),
    ("[[target]]\n" + TARGET.replace('metric = "arrests"', 'metric = ["arrests"]'), "[[target]] #1: metric: unknown metric"),
    ("[[target]]\n" + TARGET.replace("value = 1", "value = nan"), "[[target]] #1: value: expected a number, got nan"),
    ("[[target]]\n" + TARGET.replace("tolerance = 1", "tolerance = 1e-300"),
     "[[target]] #1: tolerance: 1e-300 is less than a millionth of the value (1); expected the uncertainty"),
    # once accepted: printed as a 309-digit number, with a misfit of inf
    ("[[target]]\n" + TARGET.replace("value = 1", "value = 1e308"),
     "[[target]] #1: value: expected at most 1e+15, which no metric comes near (UK harm is about 5e10 pounds a year), "
     "got 1e+308"),
    # 'sum' is too short a spelling of 'annual_sum' for a did-you-mean
    ("[[target]]\n" + TARGET.replace('"mean"', '"sum"'), "[[target]] #1: aggregation: expected one of annual_sum, "
     "mean, ratio (annual_sum: a year's total of a flow; mean: a level's average; ratio: with ratio_of), got 'sum'; "
     "for 'sum' write 'annual_sum'"),
    ("[[target]]\n" + TARGET + 'fitted_by = ["charge_prb"]\n',
     "[[target]] #1: fitted_by: unknown parameter 'charge_prb'; did you mean 'charge_prob'?"),
    ("[[target]]\n" + TARGET + 'fitted_by = "charge_prob"\n', "[[target]] #1: fitted_by: expected a list of parameter names"),
    ("[[target]]\n" + TARGET + 'fitted_by = ["charge_prob"]\nby_construction = true\n',
     "[[target]] #1: a target is either by_construction or fitted_by parameters, not both"),
    # once accepted, and fitted: a count below zero, a percentage for a share
    ("[[target]]\n" + TARGET.replace("value = 1", "value = -10"),
     "[[target]] #1: value: expected a number >= 0 (every metric counts or adds up something; 'arrests' in "
     "people/step), got -10"),
    ("[[target]]\n" + TARGET.replace('metric = "arrests"', 'metric = "share_violent"').replace("value = 1",
                                                                                               "value = 65"),
     "[[target]] #1: value: 'share_violent' is a share from 0 to 1, got 65 (a percentage? write 0.65)"),
    # said "is a index 0-1 from 0 to 1"
    ("[[target]]\n" + TARGET.replace('metric = "arrests"', 'metric = "community_trust"').replace(
        "value = 1", "value = 50").replace('"annual_sum"', '"mean"'),
     "[[target]] #1: value: 'community_trust' is an index from 0 to 1, got 50 (a percentage? write 0.5)"),
    # once accepted: `twin fit` then ran a 500-year simulation (horizons are at most 100 years elsewhere)
    ("[[target]]\n" + TARGET.replace("years = [1, 2]", "years = [1, 500]"),
     "[[target]] #1: years: expected [first, last] with 1 <= first <= last <= 100, got [1, 500]"),
    # a file with no target in it: nothing to fit or to compare the runs with
    ("# targets to come\n", ": no [[target]] entries"),
    ("target = []\n", ": no [[target]] entries"),
])
def test_targets_file_mistakes(tmp_path, capsys, body, words):
    targets = write(tmp_path / "t.toml", body)
    err = _user_error(["fit", str(BASELINE), "--targets", str(targets), "--out", str(tmp_path / "out")], capsys)
    assert str(targets) in err and words in err


@pytest.mark.parametrize("body, words", [
    ('[experiment]\ndescription = "no kind"\narea = "Merseyside"\n',
     "[experiment]: missing key 'kind' (expected one of: replacement, succession, entry, displacement)"),
    ('[experiment]\nkind = "replacment"\n', "[experiment] kind: expected one of replacement, succession, entry, "
                                            "displacement, got 'replacment'; did you mean 'replacement'?"),
    ('[experiment]\nkind = "entry"\nmonts = 30\n', "[experiment]: unknown key 'monts'; did you mean 'months'?"),
    ('[experimnt]\nkind = "entry"\n', "top level: unknown key 'experimnt'; did you mean 'experiment'?"),
    ('[[experiment]]\nkind = "entry"\n', "'experiment' must be a table ([experiment]"),
    # once told only that there was no [experiment] table
    ('# nothing\n', "the file is empty (expected an [experiment] table; see experiments/validation/replacement.toml)"),
    ('[experiment]\nbase = "b.toml"\n', "[experiment] base: the file looks like a sweep's experiment, which "
     "`twin sweep` reads; a validation experiment's [experiment] names its kind"),
    ('[experiment]\nbase = "b.toml"\n[sampler]\nkind = "grid"\n', "top level: unknown key 'sampler' (expected one of: "
     "experiment, expect); the file looks like a sweep's experiment, which `twin sweep` reads"),
    ('[experiment]\nkind = "entry"\narea = "Merseysid"\n', "[experiment] area: unknown area 'Merseysid'; did you mean 'Merseyside'?"),
    ('[experiment]\nkind = "entry"\nmonths = 12\n', "[experiment] months: expected a whole number of months above 12"),
    ('[experiment]\nkind = "entry"\nreps = "4"\n', "[experiment] reps: expected a whole number from 1 to 10000, got '4'"),
    ('[experiment]\nkind = "entry"\nreps = 20000\n', "[experiment] reps: expected a whole number from 1 to 10000, got 20000"),
    ('[experiment]\nkind = "entry"\nseed = 1.5\n', "[experiment] seed: expected a whole number from 0 to 4294967295, got 1.5"),
    ('[experiment]\nkind = "replacement"\nshare = 1.5\n', "[experiment] share: expected a share above 0 and at most 1, got 1.5"),
    ('[experiment]\nkind = "entry"\nhold = "yes"\n', "[experiment] hold: expected true or false, got 'yes'"),
    ('[experiment]\nkind = "displacement"\nintensity = 0\n', "[experiment] intensity: expected a number > 0, got 0"),
    ('[experiment]\nkind = "succession"\nleaders = 0\n',
     "[experiment] leaders: expected a whole number from 1 to 5000, got 0"),
    ('[experiment]\nkind = "succession"\nleaders = 10000000\n', "leaders: expected a whole number from 1 to 5000"),
    ('[experiment]\nkind = "entry"\nparameters = { charge_prb = 0.5 }\n', "unknown parameter 'charge_prb'; did you mean 'charge_prob'?"),
    ('[experiment]\nkind = "replacement"\nhold = true\n', "[experiment] hold: not read by a replacement experiment "
     "(it is for entry experiments); a replacement experiment takes area and share"),
    ('[experiment]\nkind = "succession"\narea = "Kent"\n', "[experiment] area: not read by a succession experiment "
     "(it is for replacement, entry and displacement experiments)"),
    ('[experiment]\nkind = "entry"\nintensity = 2.0\n', "[experiment] intensity: sets the Hold lever's intensity, "
     "and this entry experiment has no Hold"),
    ('[experiment]\nkind = "entry"\narea = "north west"\n', "[experiment] area: 'North West' is a region; an "
     "experiment acts on one police force area, such as one of North West's: Cheshire, Cumbria"),
])
def test_validation_experiment_mistakes(tmp_path, capsys, monkeypatch, body, words):
    from twin import validation

    good = ROOT / "experiments" / "validation" / "replacement.toml"
    experiment = write(tmp_path / "v.toml", body)
    # checked before any experiment runs: the good file named first is not run
    monkeypatch.setattr(validation, "seed_measures", lambda *args: pytest.fail("an experiment ran"))
    err = _user_error(["validate", str(good), str(experiment), "--out", str(tmp_path / "out")], capsys)
    assert str(experiment) in err and words in err
    assert not (tmp_path / "out" / "validation.json").exists()


def test_an_abc_fit_to_targets_all_reproduced_by_construction_is_refused_before_running(tmp_path, capsys,
                                                                                        monkeypatch):
    """ABC-SMC's distance leaves out the targets reproduced by construction: a fit whose targets within
    its years are all of them would have no distance to shrink. Said in one line, before any run."""
    import twin.calibration

    monkeypatch.setattr(twin.calibration, "evaluate", lambda *a, **k: pytest.fail("ran the model"))
    targets = write(tmp_path / "inputs.toml", "[[target]]\n" + TARGET + "by_construction = true\n")
    config = write(tmp_path / "abc.toml", CALIBRATION.replace(str(TARGETS), str(targets)) + 'method = "abc"\n' + TWO)
    err = _user_error(["calibrate", str(config), "--out", str(tmp_path / "out"), "--db",
                       f"sqlite:///{tmp_path / 'c.db'}"], capsys)
    assert (f"{config}: ABC-SMC needs at least one target that is not reproduced by construction within the "
            f"calibration's 3 years") in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "c.db").exists()


def test_shipped_configs_and_experiments_still_load():
    from twin.calibration import load_config
    from twin.scenario import read_toml
    from twin.sensitivity import load_config as load_sensitivity
    from twin.validation import check_experiment

    for name in ("baseline.toml", "abc.toml", "abc_assumptions.toml"):
        assert load_config(ROOT / "calibration" / name)["priors"]
    headline = load_sensitivity(ROOT / "calibration" / "sensitivity.toml")
    assert headline["compare"]
    # the package's own design varies the same assumptions over the same ranges, for the package only
    package = load_sensitivity(ROOT / "calibration" / "sensitivity_package.toml")
    assert [c.name for c in package["compare"]] == ["national_security_package"]
    assert package["n"] == 2 * 128 and package["uncertain"] == headline["uncertain"]
    for path in sorted((ROOT / "experiments" / "validation").glob("*.toml")):
        assert check_experiment(path, read_toml(path))["kind"]


def test_fit_with_a_horizon_shorter_than_every_target_fails_before_running(tmp_path, capsys, monkeypatch):
    import twin.calibration

    monkeypatch.setattr(twin.calibration, "evaluate", lambda *a, **k: pytest.fail("ran the replications"))
    err = _user_error(["fit", str(BASELINE), "--years", "2", "--reps", "1", "--workers", "1",
                       "--out", str(tmp_path / "out")], capsys)
    assert "--years 2: shorter than every target's years (the earliest ends in year 3)" in err


def test_a_validation_file_mistake_is_reported_before_the_kernels_are_compiled(tmp_path, capsys, monkeypatch):
    import twin.executor
    import twin.precompile

    for module in (twin.precompile, twin.executor):
        monkeypatch.setattr(module, "warm_up", lambda *a, **k: pytest.fail("compiled before checking the files"))
    path = write(tmp_path / "v.toml", '[experiment]\nkind = "replacment"\n')
    assert "did you mean 'replacement'" in _user_error(["validate", str(path), "--out", str(tmp_path / "o")], capsys)


def test_a_validation_experiment_s_area_is_read_in_any_case_and_kept_as_the_areas_file_spells_it(tmp_path):
    """`area = "merseyside"` passed the check and then failed reading the results by that name."""
    from twin.scenario import read_toml
    from twin.validation import check_experiment

    path = tmp_path / "v.toml"
    path.write_text('[experiment]\nkind = "replacement"\narea = " merseyside"\n')
    assert check_experiment(path, read_toml(path))["area"] == "Merseyside"


def test_a_calibration_file_asking_for_more_workers_than_cores_gets_the_cores(tmp_path, monkeypatch):
    """A shared config's `workers = 40` started 40 processes (10 GB in a minute) on a 2-core machine."""
    import twin.executor as executor

    from twin.calibration import load_config

    monkeypatch.setattr(executor, "usable_cores", lambda: 2)
    config = load_config(write(tmp_path / "c.toml", CALIBRATION + "workers = 40\n" + TWO))
    assert config["workers"] == 2
    assert any("workers = 40 is more than the 2 cores this command may use: 2 are used (--workers asks for more)" in w
               for w in config["warnings"])
    assert load_config(write(tmp_path / "d.toml", CALIBRATION + "workers = 2\n" + TWO))["workers"] == 2



@pytest.mark.parametrize("setting, words", [
    ("[parameters]\nentry_price_elasticity = 200\n",
     "(Poisson mean negative, not a number or too large): expected parameters within their plausible ranges "
     "(set beyond them: entry_price_elasticity = 200)"),
    ("[parameters]\ndemand_vulnerability_elasticity = 3000\n",
     "demand_vulnerability_elasticity = 3000 spreads drug demand over the areas beyond what numbers can hold"),
])
def test_a_parameter_far_beyond_its_range_stops_the_run_in_one_line(tmp_path, capsys, setting, words):
    """Warned of, then run: a traceback (a Poisson mean out of numpy's range) or a crash of the whole
    process (NaN demand reaching a compiled kernel); now a one-line error naming the value."""
    path = write(tmp_path / "far.toml", f'[scenario]\nname = "far"\nbase = "{BASELINE}"\n{setting}')
    assert main(["run", str(path), "--years", "1", "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("Warning:") and err[-1].startswith("twin: error: ") and words in err[-1], err


def test_technology_investment_with_no_ramp_gives_its_full_benefit_once_its_lag_is_over(tmp_path):
    """`ramp_years = 0` (warned of: beyond its range) divided by zero; no ramp now means the whole
    benefit at once, as for the levers that ramp through `Lever.ramp`."""
    from twin.scenario_levers import build_levers
    from twin.model import TwinModel
    from twin.scenario import Scenario

    lever = {"type": "technology_investment", "ramp_years": 0, "lag_years": 1}
    model = TwinModel(seed=1, n_steps=24, spin_up_years=0,
                      levers=build_levers(Scenario(name="t", path="t.toml", levers=[lever])))
    uplift = []
    for _ in range(24):
        model.step()
        uplift.append(float(np.max(model.modifiers.success_multiplier)))
    assert [u == 1.0 for u in uplift[:11]] == [True] * 11 and len(set(uplift[12:])) == 1 and uplift[12] > 1.0


def test_more_workers_than_the_machine_has_memory_for_are_refused_before_any_compiling(tmp_path, monkeypatch, capsys):
    """`--workers 100` started 100 workers of about 300 MB each on a 24 GB machine."""
    import twin.executor as executor

    monkeypatch.setattr(executor, "_memory_mb", lambda: 1000)
    monkeypatch.setattr(executor, "warm_up", lambda *a, **k: pytest.fail("compiled before checking --workers"))
    err = _user_error(["compare", str(BASELINE), str(ROOT / "scenarios" / "ct_powers.toml"), "--workers", "4",
                       "--reps", "1", "--years", "1", "--db", f"sqlite:///{tmp_path / 'c.db'}"], capsys)
    assert "--workers 4: each worker holds a model in memory (about 300 MB at UK scale), 1.2 GB in all, more than " \
           "the 1.0 GB this command may use; use at most 3" in err
    assert not (tmp_path / "c.db").exists()  # refused before the database was made


def test_bench_repeats_are_bounded(capsys):
    """`--plain-mesa-steps 100000000` took the machine's memory (the twin's run holds its steps' results)."""
    for option in ("--plain-mesa-steps", "--reps"):
        with pytest.raises(SystemExit) as stop:
            main(["bench", option, "100000000"])
        assert stop.value.code == 2
        assert "expected a whole number from 1 to 1000, got 100000000" in capsys.readouterr().err


def test_commands_that_only_read_results_add_no_table_to_a_database_of_others(tmp_path, capsys):
    """`twin export`, `twin analyse` and `twin sweep --dry-run` given a database holding only a user's
    own table added twin's nine tables to it before saying there was nothing to read."""
    import sqlite3

    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table ocgs (id integer)")
    db = f"sqlite:///{path}"
    experiment = ROOT / "experiments" / "chb_design.toml"
    for argv in (["export", "--db", db, "--out", str(tmp_path / "x")], ["analyse", str(experiment), "--db", db]):
        assert "holds no results of twin (run `twin compare` or `twin sweep` first" in _user_error(argv, capsys)
    assert main(["sweep", str(experiment), "--dry-run", "--db", db]) == 0
    assert "none of them stored" in capsys.readouterr().out
    with sqlite3.connect(path) as connection:
        assert [row[0] for row in connection.execute("select name from sqlite_master")] == ["ocgs"]


def test_a_spin_up_under_half_a_step_is_warned_of_and_a_date_is_shown_as_written(tmp_path, capsys):
    """`--spin-up-years 0.04` ran no spin-up step and said nothing of it; an unquoted TOML date was
    shown as Python writes it, `datetime.date(2025, 1, 1)`."""
    from dataclasses import replace

    from twin.preflight import scenario_warnings
    from twin.scenario import load_scenario

    baseline = load_scenario(BASELINE)
    assert any("spin_up_years = 0.04 is under half a monthly step: no spin-up step runs" in w
               for w in scenario_warnings(replace(baseline, spin_up_years=0.04)))
    assert not any("spin-up step" in w for w in scenario_warnings(replace(baseline, spin_up_years=0.04, step="week")))
    path = write(tmp_path / "d.toml", f'[scenario]\nname = "d"\nbase = "{BASELINE}"\nyears = 2025-01-01\n')
    assert "got 2025-01-01 (a date or time, not in quotes)" in _user_error(["run", str(path)], capsys)


def test_abc_settings_in_a_point_fit_are_warned_of_not_silently_ignored(tmp_path):
    from twin.calibration import load_config

    point = load_config(write(tmp_path / "point.toml", CALIBRATION + "population_size = 8\ngenerations = 3\n" + TWO))
    assert any("[calibration] population_size, generations apply only to method = \"abc\" and are not read" in w
               for w in point["warnings"])
    abc = load_config(write(tmp_path / "abc.toml", CALIBRATION + 'method = "abc"\npopulation_size = 8\n'
                            "max_evaluations = 8\n" + TWO))
    assert not any("apply only to" in w or "applies only to" in w for w in abc["warnings"])
    assert not any("applies only to" in w for w in load_config(ROOT / "calibration" / "baseline.toml")["warnings"])


def test_a_folder_given_for_a_file_is_said_with_what_was_expected(tmp_path, capsys):
    """A folder where a file was expected gave the system's 'cannot be read (Is a directory)'; an empty
    base was 'a folder'. Each now says what was expected, with files of the folder where there are
    some; `twin validate` takes a folder of experiment files as those files."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder / "mine.toml", '[scenario]\nname = "mine"\n')
    cases = ((["run", str(folder)], f"{folder}: is a folder; expected a scenario file (a .toml file), such as "
                                    f"'{folder / 'mine.toml'}'"),
             (["run", str(write(tmp_path / "b.toml", '[scenario]\nname = "b"\nbase = ""\n'))],
              "[scenario] base: empty; expected the scenario file this one changes"),
             (["run", str(ROOT / "scenarios" / "baseline.toml"), "--register", str(folder)],
              f"register '{folder}': is a folder; expected a CSV file"),
             (["validate", str(tmp_path / "empty")], "a folder without experiment files (.toml)"),
             (["validate", str(folder)], f"{folder / 'mine.toml'}: top level: unknown key 'scenario'"),
             # files of the kind expected (by their tables), not the folder's first TOML files of any kind
             (["fit", "--targets", str(ROOT / "calibration")], f"{ROOT / 'calibration'}: is a folder; expected a "
                                                               f"targets file (a .toml file), such as "
                                                               f"'{ROOT / 'calibration' / 'targets.toml'}'\n"),
             (["run", str(ROOT)], f"{ROOT}: is a folder; expected a scenario file (a .toml file)\n"))
    (tmp_path / "empty").mkdir()
    for command, words in cases:
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and "Is a directory" not in err, (command, err)


def test_a_file_that_is_a_loop_of_symbolic_links_is_one_line_for_every_command(tmp_path, capsys):
    """`twin run` on a loop of symbolic links (a scenario or --register) gave pathlib's traceback
    ('Symlink loop from ...'), where the other commands said the file cannot be read."""
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    loop = tmp_path / "loop1"
    for command in (["run", str(loop)], ["run", str(ROOT / "scenarios" / "baseline.toml"), "--register", str(loop)],
                    ["compare", str(loop), "--db", f"sqlite:///{tmp_path / 'x.db'}"]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert err.startswith("twin: error: ") and str(loop) in err and "Traceback" not in err, (command, err)


def test_a_whole_number_written_as_a_decimal_is_told_how_to_write_it_when_that_would_do():
    """'expected a whole number >= 1, got 100.0' read as a contradiction: the message says how to write it,
    but only where the whole number would be accepted (0.0 against a minimum of 1 would still be refused)."""
    from pathlib import Path

    from twin.config_checks import check_whole_number
    from twin.errors import ScenarioError

    def said(value):
        with pytest.raises(ScenarioError) as refused:
            check_whole_number(Path("e.toml"), "experiment", "reps", value, 1, 1000)
        return str(refused.value)

    assert said(1000.0).endswith("got 1000.0 (write 1000: TOML reads 100.0 and 1e9 as decimal numbers)")
    assert said(0.0).endswith("got 0.0") and said(1e9).endswith("got 1000000000.0") and said(2.5).endswith("got 2.5")
    assert said(1e300).endswith("got 1e+300")
