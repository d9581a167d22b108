"""What each replicate of a comparison drew and what it held at one value, said the same way in
every part of the report, its summary and the console: the calibrated parameters from a posterior
sample (`twin compare --posterior`), the levers' assumed effect sizes and costs from their plausible
ranges (`--uncertain-levers`), both or neither.

A comparison with neither rests on single values of both; one that draws them averages over the
draws, and its means can differ from a comparison at the assumed values wherever a range reaches
further on one side of its assumed value than on the other.
"""

from __future__ import annotations

import html

from twin.report_format import and_list

#: where the report's text sends a reader for the commands that draw what it holds (`going_further`)
FURTHER = "see <a href=\"#going-further\">'Going further'</a> under 'Runs'"
#: the parameters the sensitivity analysis finds move the options' benefits most (docs/VALIDATION.md section 5)
PRICE_ELASTICITIES = ("drug_demand_price_elasticity", "price_supply_elasticity")


def levers_drawn(comparison) -> bool:
    return bool(getattr(comparison, "lever_uncertainty", False))


def posterior_drawn(comparison) -> bool:
    return bool(getattr(comparison, "posterior", None))


def calibrated_parameters(comparison, markup: bool = True) -> str:
    """'the 4 calibrated parameters of calibration/posterior.csv (a, b, c and d)'; 'the calibrated
    parameters' for a comparison stored before the names were kept."""
    name = html.escape if markup else str
    names = list(getattr(comparison, "posterior_parameters", None) or [])
    path = getattr(comparison, "posterior", None)  # the sample's file as the command named it
    where = path if isinstance(path, str) and path else None
    what = ("the calibrated parameters" if not names else "the calibrated parameter" if len(names) == 1
            else f"the {len(names)} calibrated parameters")
    return (what + (f" of {name(where)}" if where else "")
            + (f" ({and_list([name(n) for n in names])})" if names else ""))


def drawn_items(comparison, markup: bool = True) -> list[str]:
    """What each replicate drew, in words (empty when it drew nothing)."""
    return [what for what, on in (
        (calibrated_parameters(comparison, markup) + " from the calibration's posterior sample",
         posterior_drawn(comparison)),
        ("every lever's assumed effect sizes and costs from their plausible ranges (triangular, peaking at the "
         "assumed value)", levers_drawn(comparison))) if on]


def rests_on_values(comparison, markup: bool = True) -> str:
    """The sentence after 'What the lead rests on': which assumptions the figures rest on at single
    values and which they average over."""
    levers, posterior = levers_drawn(comparison), posterior_drawn(comparison)
    ranges = "(their ranges are under each scenario)"
    calibrated = calibrated_parameters(comparison, markup)
    if levers and posterior:
        return (f"These figures average over the levers' assumed effect sizes and costs {ranges} and over "
                f"{calibrated}, each drawn in every replicate; the model's other uncertain parameters are held at "
                f"single values.")
    if levers:
        return (f"These figures average over the levers' assumed effect sizes and costs, drawn in every replicate "
                f"{ranges}, and rest on the model's uncertain parameters, held at single values in these runs.")
    if posterior:
        return (f"These figures rest on the levers' assumed effect sizes, each a single value here {ranges}, and "
                f"average over {calibrated}, drawn in every replicate from the posterior; the model's other uncertain "
                f"parameters are held at single values.")
    return (f"These figures rest on the levers' assumed effect sizes, each a single value here {ranges}, and on the "
            f"model's uncertain parameters, also held at single values in these runs.")


def intervals_leave_out(comparison) -> str:
    """The end of the difference table's introduction: what the intervals leave out and what the
    means average over."""
    if not levers_drawn(comparison) and not posterior_drawn(comparison):
        return ("they are not a range of likely outcomes, and they leave out the uncertainty of the assumed effect "
                "sizes and costs (listed with their ranges under each scenario below).")
    left = ("" if levers_drawn(comparison) else " They leave out the uncertainty of the assumed effect sizes and "
            "costs (listed with their ranges under each scenario below).")
    return (f"they are not a range of likely outcomes. Each replicate drew {and_list(drawn_items(comparison))}, the "
            f"same draws for every option, so each mean averages over those draws.{left}")


def lever_costs_clause(comparison) -> str:
    """How the levers' costs were taken, for 'What these results leave out' (optimism bias)."""
    if levers_drawn(comparison):
        return ("the levers' unit costs were drawn in each replicate from their plausible ranges (listed under each "
                "scenario), peaking at the assumed values; most ranges reach further above their assumed value than "
                "below, so the draws average above it, which works like an uplift of each cost by its own range "
                "rather than the Green Book's")
    return ("the levers' costs are their assumed values, each a single value (its range is listed under the "
            "scenario)")


def parameters_note(comparison) -> str:
    """The assumptions section's first words on where the parameters come from."""
    if not posterior_drawn(comparison):
        return "Every parameter not listed as an override takes its value from the parameter table"
    return (f"Each replicate drew {calibrated_parameters(comparison)} from the calibration's posterior sample (a "
            f"scenario that sets one keeps its own value); every other parameter not listed as an override takes "
            f"its value from the parameter table")


def why_the_means_move(comparison) -> str:
    """When the levers were drawn: why the means differ from a comparison at the assumed values,
    and that a policy's spending can vary although its design is kept."""
    if not levers_drawn(comparison):
        return ""
    return (" Where a setting's range reaches further above its assumed value than below (or the reverse), its draws "
            "average away from the assumed value, so these means can differ from a comparison at the assumed "
            "values. What makes a policy (its size, start, budget and split) is kept, but what it spends can still "
            "vary with the drawn hiring cap, training time and unit costs.")


def console_intervals(comparison) -> str:
    """The console's line on what the intervals say, given what was drawn."""
    drawn = drawn_items(comparison, markup=False)
    if not drawn:
        return ("Intervals: how precisely the replications pin down each mean, given the model's assumed effect "
                "sizes and costs (not varied here)")
    return (f"Intervals: how precisely the replications pin down each mean, an average over the draws of "
            f"{and_list(drawn)} made in each replicate (the same for every option)"
            + ("" if levers_drawn(comparison) else ", at the levers' assumed effect sizes and costs (not varied "
                                                    "here)"))


def posterior_held_sentence(comparison, markup: bool = True) -> str:
    """Which scenarios keep their own value of a calibrated parameter rather than the posterior's draw."""
    if not comparison.posterior_held:
        return ""
    name = (lambda text: html.escape(str(text))) if markup else str
    parts = [f"{name(scenario)} sets {and_list([name(p) for p in params])}"
             for scenario, params in comparison.posterior_held.items()]
    return (f" A scenario that sets a calibrated parameter itself keeps its own value in every replicate, "
            f"not the posterior's draw: {'; '.join(parts)}.")


def lever_held_sentence(comparison, markup: bool = True) -> str:
    """Which scenarios keep their own value of a lever setting the replicates draw (`--uncertain-levers`)."""
    held = getattr(comparison, "lever_held", None) or {}
    if not held:
        return ""
    name = (lambda text: html.escape(str(text))) if markup else str
    parts = [f"{name(scenario)} sets {and_list([name(p) for p in settings])}" for scenario, settings in held.items()]
    return (f" A scenario that sets a lever's effect size or cost itself keeps its own value in every replicate, "
            f"not the draw: {'; '.join(parts)}.")


def drawn_uncertainty(comparison) -> str:
    """What the 90% intervals say, and what each replicate draws: the calibrated parameters
    (`--posterior`), the levers' assumed effect sizes and costs (`--uncertain-levers`), or neither."""
    levers, posterior = levers_drawn(comparison), posterior_drawn(comparison)
    drawn = drawn_items(comparison)
    drawn_names = set(getattr(comparison, "posterior_parameters", None) or ())
    # the elasticities, which move the options' benefits most, named as held unless the sample may hold them
    elasticities = ("" if posterior and (not drawn_names or drawn_names & set(PRICE_ELASTICITIES)) else
                    "the drug market's price elasticities among them")
    left_out = [what for what, on in (
        (f"the model's uncertain parameters ({elasticities + '; ' if elasticities else ''}the calibrated ones can "
         f"be drawn from their fit: {FURTHER})" if not posterior else
         "the model's other uncertain parameters" + (f" ({elasticities})" if elasticities else ""), False),
        (f"the assumed effect sizes and costs (listed with their ranges under each scenario; they can be drawn from "
         f"those ranges: {FURTHER})", levers)) if not on]
    if not drawn:
        return ("The 90% intervals say how precisely the replications pin down each mean change, given the model's "
                f"assumptions; they are not a range of likely outcomes. They leave out uncertainty about "
                f"{and_list(left_out)}.")
    return (f"Each replicate draws {and_list(drawn)}, the same draws for every option, so each mean change averages "
            f"over what they leave uncertain. The 90% intervals say how precisely the replications pin down those "
            f"averages; they shrink with more replications and are not a range of likely outcomes: the bands of the "
            f"chart of the change in net social cost year by year (under 'Trajectories'; 5th to 95th percentile of "
            f"the paired changes) show how much a change varies from draw to draw. They leave out uncertainty about "
            f"{and_list(left_out)}, held at one value."
            + why_the_means_move(comparison) + posterior_held_sentence(comparison) + lever_held_sentence(comparison))


def going_further(comparison, spec: dict, db: str | None = None) -> str:
    """The commands (HTML) that take the comparison further, for the analyst beside a policymaker:
    the same comparison drawing what it held at one value (the levers' assumed effect sizes and costs,
    the calibrated parameters), against another baseline from the same runs, and the sweep of how often
    each option comes first. `spec` is the experiment's record (its scenario files, seed, horizon, reps,
    what it drew); the command repeats what made this comparison's runs what they are, so that "from
    these runs" holds, and its baseline is the report's; `db`, the database the runs are in, is named
    unless it is the default (without it the commands would run every replicate again elsewhere)."""
    import shlex

    from twin.database_url import without_password
    from twin.store import DEFAULT_DB

    paths = [shlex.quote(str(p)) for p in spec.get("paths") or ()] or ["<the scenario files, baseline first>"]
    names = [str(n) for n in spec.get("names") or ()]  # the files' scenario names, which --baseline takes
    short = dict(zip(comparison.scenarios, names)) if len(names) == len(comparison.scenarios) else {}
    baseline = short.get(comparison.baseline, names[0] if names else None)
    options = [f"--{key} {value}" for key, value, default in (("reps", spec.get("reps_asked"), 12),
                                                              ("seed", spec.get("seed"), 1))
               if value not in (None, default)]
    if spec.get("years") is not None:
        options.append(f"--years {float(spec['years']):g}")
    if posterior_drawn(comparison):
        options.append("--posterior" + (f" {shlex.quote(str(spec['posterior']))}" if spec.get("posterior") else ""))
    if levers_drawn(comparison):
        options.append("--uncertain-levers")
    if names and baseline != names[0]:
        options.append(f"--baseline {shlex.quote(baseline)}")
    if db and db != DEFAULT_DB:
        options.append(f"--db {shlex.quote(without_password(db))}")  # (PGPASSWORD or ~/.pgpass gives it)
    same = " ".join(["twin compare", *paths, *options])
    rows = [("drawing the levers' assumed effect sizes and costs from their plausible ranges in every replicate "
             "(new runs)", f"{same} --uncertain-levers")] if not levers_drawn(comparison) else []
    if not posterior_drawn(comparison):
        rows.append(("drawing the calibrated parameters from the shipped posterior sample in every replicate "
                     "(new runs)", f"{same} --posterior"))
    others = [name for name in names if name != baseline]
    if others:
        mine = " ".join(["twin compare", *paths, *(o for o in options if not o.startswith("--baseline"))])
        rows.append(("against another option as the baseline, from these runs (<code>--baseline</code> takes any of "
                     + and_list([f"<code>{html.escape(name)}</code>" for name in others]) + ")",
                     f"{mine} --baseline {shlex.quote(others[0])}"))
    rows.append(("how often each of the three best of the shipped options (the README's comparison, whatever this one "
                 "compares) comes first over the assumptions their ranking turns on (runs of its own)",
                 "twin sweep experiments/ranking_robustness.toml"))
    items = "".join(f"<li>{what}: <code>{html.escape(command)}</code></li>" for what, command in rows)  # (HTML)
    return ("<h3 id=\"going-further\">Going further</h3>\n<p>The commands that take this comparison further, each "
            "run in the folder this one was run from (each writes its report to results/compare unless "
            "<code>--out</code> names another folder):</p>\n"
            f"<ul>{items}</ul>\n")
