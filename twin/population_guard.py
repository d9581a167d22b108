"""The population guard: a run whose groups or member rows grow far beyond anything plausible (a
value set far beyond its plausible range) stops with a message naming what was set, before it
exhausts the machine's memory. The entry phase asks for the room left before it adds entrants
(`population_room`), and the step checks the population after entry (`check_population`). A run
whose results overflow (a lever's intensity of 1e300, say) stops too (`overflow_error`)."""

from __future__ import annotations

#: a run stops when its groups or member rows exceed this multiple of the start, and the floors
#: below: the UK's groups change by a few percent over 20 years
GROWTH_LIMIT = 20
MIN_GROUP_ROWS_LIMIT = 100_000
MIN_MEMBER_ROWS_LIMIT = 2_000_000
#: a run stops when a step records a value beyond this (in pounds, hundreds of thousands of times the
#: UK's yearly output; no count comes near it): a year's sum of such values could overflow to infinity
RESULT_LIMIT = 1e18


def population_room(model) -> tuple[int, int]:
    """How many more groups and member rows a run may add before it is stopped (`check_population`)."""
    groups_limit = max(GROWTH_LIMIT * model.ocgs_at_start, MIN_GROUP_ROWS_LIMIT)
    members_limit = max(GROWTH_LIMIT * model.members_at_start, MIN_MEMBER_ROWS_LIMIT)
    return groups_limit - model.ocgs.n, members_limit - model.members.n


def check_population(model) -> None:
    """Stop a run whose groups or members have grown far beyond anything plausible."""
    room_groups, room_members = population_room(model)
    if room_groups >= 0 and room_members >= 0:
        return
    raise population_error(model, model.ocgs.n, model.members.n)


def set_beyond_ranges(model) -> list[str]:
    """The parameters set beyond their plausible ranges, as `name = value`."""
    params = model.params
    return [f"{name} = {params.uk_value(name):g}" for name in sorted(params.overridden)
            if not params.spec(name).low <= params.uk_value(name) <= params.spec(name).high]


def population_error(model, groups: int, members: int, entering: bool = False, failed: Exception | None = None):
    """The error stopping a run that holds `groups` groups and `members` member rows (or would, once this step's
    entrants joined, with `entering`: they are refused before any memory is taken), or whose step `failed`."""
    from twin.errors import PopulationError

    beyond = set_beyond_ranges(model)
    when = (f"at step {model.steps_done}" if model.steps_done >= 0 else
            f"in its spin-up, {-model.steps_done} steps before the years it reports")
    if failed is not None:
        return PopulationError(f"the run stopped {when} ({failed}): expected parameters within their plausible "
                               f"ranges (set beyond them: {', '.join(beyond)})")
    return PopulationError(
        f"the run stopped {when}: {'its entrants would make ' if entering else ''}{groups:,} groups and "
        f"{members:,} member rows, more than {GROWTH_LIMIT} times "
        f"the {model.ocgs_at_start:,} groups and {model.members_at_start:,} members it started with; expected "
        f"parameters within their plausible ranges" + (f" (set beyond them: {', '.join(beyond)})" if beyond else ""))


def overflow_error(model, row):
    """The error stopping a run whose step recorded a value too large to hold (`row`: [area, metric])."""
    from twin.errors import PopulationError

    names = model.results.metric_names
    metrics = sorted({names[k] for k in (abs(row) > RESULT_LIMIT).nonzero()[1]})
    beyond = set_beyond_ranges(model)
    return PopulationError(
        f"the run stopped at step {model.steps_done}: {', '.join(metrics[:3])}"
        f"{' and more' if len(metrics) > 3 else ''} grew beyond {RESULT_LIMIT:g} in a step, beyond anything real; "
        f"expected parameters and lever settings (intensity, budgets, numbers of staff) within their plausible ranges"
        + (f" (parameters set beyond them: {', '.join(beyond)})" if beyond else " (see the warnings before the run)"))
