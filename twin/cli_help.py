"""What each command's `--help` says above and below its options: what the command does, what it
writes and where, and an example (`describe_commands`). The one-line summaries `twin --help`
lists stay with the commands' options (`cli.py`, `cli_research.py`)."""

from __future__ import annotations

import argparse

#: command -> (what it does and writes, an example)
DESCRIPTIONS = {
    "run": ("Run one scenario once with one seed (after its spin-up) and print an annual summary: harm by "
            "category, groups, members, disruptions and cost. Writes trajectories.csv (step, date, area, metric, "
            "value; and trajectories.parquet with pyarrow), metrics.csv (what each metric is) and run.json (the "
            "resolved scenario, seed, parameters, versions) into --out. A horizon between steps runs as the "
            "nearest whole step. Warnings and notes go to stderr.",
            "twin run scenarios/baseline.toml --seed 1 --years 10"),
    "params": ("Print the parameter table: each parameter's value, unit, plausible range and source (or "
               "'assumption'), and what it was fitted to. Scenario files override them by name under "
               "[parameters].", "twin params --group policing"),
    "levers": ("List the policy lever types a scenario's [[levers]] can use, with each setting's default, "
               "plausible range and source.", "twin levers"),
    "register": ("Write the synthetic OCG register a run of the scenario starts from (one row per group, the "
                 "columns a register of your own needs), to edit or to read as a template.",
                 "twin register --out my_register.csv"),
    "bench": ("Time set-up and 10-year UK runs (monthly and weekly), measure peak memory, and compare member-steps "
              "a second with the plain-Mesa reference of the core rules; --phases times each phase of a step "
              "instead.", "twin bench --json"),
    "compare": ("Run paired replications of scenarios (the first is the baseline unless --baseline names "
                "another; the same seeds for every scenario), store them in --db (runs already stored are "
                "reused; Ctrl-C keeps what finished), and write report.html (one self-contained page), "
                "summary.csv, pairwise.csv and charts/ into --out.",
                "twin compare scenarios/baseline.toml scenarios/ct_powers.toml --reps 12"),
    "export": ("Export an experiment's stored results (a comparison or a sweep; the latest unless --experiment "
               "names one) from --db as tables for analysis, CSV or Parquet, laid out as the EMA Workbench's: "
               "experiments (each run's inputs) and outcomes, with a comparison's trajectories and area results "
               "or a sweep's outcome definitions, and README.txt saying what each column is.",
               "twin export --experiment 3 --format parquet"),
    "fit": ("Run replications of a scenario and compare them with the calibration targets (each with its "
            "source and tolerance): writes fit.html, fit.json and fit.png into --out and prints each "
            "target's error in tolerances and the misfit.", "twin fit scenarios/baseline.toml --reps 8"),
    "calibrate": ("Fit uncertain parameters to the targets as the config's method says: ABC-SMC (method = "
                  "\"abc\", pyabc: pip install -e \".[calibrate]\") or a point fit (\"point\", Nelder-Mead). Its "
                  "runs and generations are stored in --db and resumed when run again. Writes posterior.csv and "
                  "particles.csv (ABC), best_parameters.toml (a scenario with the fitted values), fit.html, "
                  "fit.json and charts into --out.", "twin calibrate calibration/abc.toml"),
    "sensitivity": ("Sobol sensitivity indices (scipy.stats.sobol_indices) of the config's outcomes to its "
                    "uncertain parameters, with the replications' noise as a factor of its own: writes "
                    "sensitivity.csv, .json, .html and .png into --out; resumable.",
                    "twin sensitivity calibration/sensitivity.toml"),
    "screen": ("Morris screening (SALib) of many parameters at once: which move the outcomes at all, above "
               "the replications' noise. Writes screening.csv, .json, .html and .png, and "
               "sensitivity_next.toml (a Sobol config of the ones that matter), into --out; resumable.",
               "twin screen calibration/screening.toml"),
    "validate": ("Run the validation experiments (experiments/validation/*.toml, or those named): replacement "
                 "of removed members, succession of removed leaders, entry into vacated markets, displacement, "
                 "each a shock paired with unshocked runs and each measure judged against its expected range. "
                 "Writes validation.json into --out; resumable.",
                 "twin validate experiments/validation/replacement.toml"),
    "sweep": ("Run a batch experiment from a sweep file: sampled uncertainties x lever settings (or scenario "
              "files) x replications, on local worker processes or a Dask cluster (--cluster), stored in --db "
              "(resumable: run it again to finish; reproducible from its seed whatever the workers). Writes "
              "sweep_results.csv, outcome_definitions.csv, experiment.json and README.txt into --out.",
              "twin sweep experiments/funding_sweep.toml --dry-run"),
    "analyse": ("Analyse a sweep stored in --db: each policy's regret and robustness across the sampled "
                "futures, PRIM scenario discovery of where it fails, and feature scores. Writes analysis.html, "
                "analysis.json and regret.csv (each future's outcome and regret per policy) into --out.",
                "twin analyse experiments/funding_sweep.toml"),
    "docs": ("Regenerate the tables of docs/ODD.md that come from the code (step order, parameters, metrics, "
             "levers) between their markers; the rest of the document is left as written.", "twin docs"),
}


class _ExampleWhole(argparse.HelpFormatter):
    """argparse's formatter, but for the example, kept on one line to paste (wrapped, `--reps` and its
    `12` fell on two lines)."""

    def _fill_text(self, text, width, indent):
        return indent + text if text.startswith("example: ") else super()._fill_text(text, width, indent)


def describe_commands(subcommands: argparse._SubParsersAction) -> None:
    """Give each command's parser its description and example (`DESCRIPTIONS`)."""
    for name, parser in subcommands.choices.items():
        if name in DESCRIPTIONS:
            text, example = DESCRIPTIONS[name]
            parser.description, parser.epilog = text, f"example: {example}"
            parser.formatter_class = _ExampleWhole
