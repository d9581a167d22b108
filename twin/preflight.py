"""What is said of scenarios before any run: the remarks `twin run` and `twin compare` print, and
`twin fit`, `twin calibrate`, `twin sensitivity` and `twin screen` print too, since they run the
same scenarios: levers that would start after the run's last step, parameters and lever settings
beyond their plausible ranges and the other remarks of `runner.scenario_warnings`, named groups
missing from the register (an error), and a register that looks like part of the picture.
"""

from __future__ import annotations

from dataclasses import replace


def preflight_warnings(scenarios: list, years: float | None = None, step: str | None = None,
                       check_registers: bool = True, varied: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The remarks on `scenarios` as run over `years` (their own when None) in steps of `step`, each
    once (a base scenario's or areas file's remark that its children share is said once), without a
    closing full stop. `check_registers` false leaves out the registers' remarks (a command whose run
    says them itself). `varied`: parameters the command sets itself (calibrated, or sampled in a
    sensitivity design, lever settings such as `lever_type.funding.max_growth_share_per_year` among
    them), whose values in the scenario file are not run and are not remarked on: a remark naming a
    varied lever setting is left out (it holds for the file's value only)."""
    import re

    from twin.interventions import check_lever_targets
    from twin.runner import check_named_groups, levers_after_horizon, scenario_register_warnings, scenario_warnings
    from twin.scenario import STEPS_PER_YEAR

    said: list[str] = []
    registers_seen = set()
    for scenario in scenarios:
        if varied:
            scenario = replace(scenario, parameters={k: v for k, v in scenario.parameters.items() if k not in varied})
        horizon = replace(scenario, years=years if years is not None else scenario.years, step=step or scenario.step)
        found = levers_after_horizon(check_lever_targets(scenario), horizon.n_steps, STEPS_PER_YEAR[horizon.step])
        found += scenario_warnings(horizon)
        if check_registers:
            found += check_named_groups(scenario)  # (raises on a group the register lacks)
            seen = (scenario.register, scenario.register_table, scenario.areas_file, scenario.complete_register)
            if scenario.register and seen not in registers_seen:
                registers_seen.add(seen)
                found += scenario_register_warnings(scenario)
        said += [warning for warning in found if warning not in said]
    settings = {name.rsplit(".", 1)[-1] for name in varied if "." in name}  # `lever_type.<type>.<setting>`
    if settings:
        named = re.compile(r"\b(" + "|".join(map(re.escape, sorted(settings))) + r")\b")
        said = [warning for warning in said if not named.search(warning)]
    return said
