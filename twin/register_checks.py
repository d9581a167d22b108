"""Whether a user's register looks like the UK's picture of organised crime: all of it, not a part
(one force's groups), not more than all of it (groups listed twice, sizes in another unit), with
groups known to police, and capital in pounds. Warnings, not errors: a run still starts from it.

The model reads a register as every OCG there is: UK demand in every market is supplied by its
groups alone (`operations.calibrate_productivity`), so a register of one force's groups makes each
of them supply far more than a real group could, and one of twice the groups there are makes twice
the members, arrests and violence.
"""

from __future__ import annotations

import numpy as np

from twin.geography import Geography, population_differs

#: a register with more than this many times the known groups (or their members) the model expects is warned of
REGISTER_EXCESS = 2.0
#: members of known groups per known member in the synthetic register (83,600 against 59,000)
KNOWN_GROUP_MEMBERS_PER_KNOWN_MEMBER = 1.42


def capital_warning(capital_gbp: np.ndarray, scale: float = 1.0) -> str | None:
    """A register's capital adding up to more than five years of the UK illicit drug market's takings
    (£9.4bn a year, Black review 2020), `scale` times that where the national quantities are scaled."""
    total, market = float(np.nansum(capital_gbp)), 9.4e9 * max(scale, 1.0)
    return (f"the register's capital_gbp adds up to £{total / 1e9:,.0f}bn, more than five years of the illicit "
            f"drug market's takings (£{market / 1e9:,.1f}bn a year): most likely in pence, or with an extra 000"
            if total > 5 * market else None)


def excess_warning(area: np.ndarray, known: np.ndarray, params, size: np.ndarray | None = None,
                   completed: bool = False) -> str | None:
    """A warning when a register (its groups' `area`, `known` and `size` columns; `completed` when
    synthetic groups filled the areas the user's register left out) holds more than `REGISTER_EXCESS`
    times the known groups, or their members, the model expects in the UK."""
    groups, known_count = len(area), int(np.count_nonzero(known))
    members = int(size[known].sum()) if size is not None else 0
    expected_members = params.members_known_uk * KNOWN_GROUP_MEMBERS_PER_KNOWN_MEMBER
    if known_count <= REGISTER_EXCESS * params.ocgs_known_uk and members <= REGISTER_EXCESS * expected_members:
        return None
    return (f"the register{' completed with synthetic groups' if completed else ''} has {groups:,} groups "
            f"({known_count:,} known, with {members:,} members), against about {params.ocgs_known_uk:,.0f} known "
            f"groups (`ocgs_known_uk`) with about {expected_members:,.0f} members (from `members_known_uk`) the "
            f"model expects: more than {REGISTER_EXCESS:g} times that. The model reads a register as every group "
            f"there is, so results scale with it; check for groups listed more than once (under other ids) and "
            f"sizes in another unit")


def coverage_warning(area: np.ndarray, known: np.ndarray, geography: Geography, params,
                     size: np.ndarray | None = None) -> str | None:
    """A warning when a user's register (its groups' `area`, `known` and `size` columns, as loaded or
    as the model starts from them) looks like part of the picture, not all of it; or like more than
    all of it (`excess_warning`); or marks no group known."""
    groups, known_count = len(area), int(np.count_nonzero(known))
    if groups and not known_count:
        return (f"the register marks none of its {groups:,} groups known to police (`known` 0 in every row; is the "
                f"column inverted?): the model maps and investigates known groups first, and police start with none")
    excess = excess_warning(area, known, params, size)
    if excess:
        return excess
    covered = np.unique(area)
    population_covered = geography.population[covered].sum() / geography.population.sum()
    if known_count >= 0.5 * params.ocgs_known_uk and population_covered >= 0.9:
        return None
    areas = covered.size
    every_area = areas == geography.n_areas
    return (f"the register has {groups:,} group{'s' if groups != 1 else ''} ({known_count:,} known) in {areas} of "
            f"{geography.n_areas} areas, "
            f"against about {params.ocgs_known_uk:,.0f} known groups (`ocgs_known_uk`) the model expects in all of "
            f"them. The model reads a register as every group there is: demand is supplied by these groups alone, "
            f"so each is scaled up to supply far more than a real group, and results will not be meaningful. "
            + (("Give every group there is" + ("; for a part of the UK, scale the national quantities to its people: "
                                               "scale_national_quantities = true in [scenario]"
                                               if population_differs(geography) and params.national_scale == 1.0
                                               else "")) if every_area else
               "Complete it with synthetic groups in the areas it leaves out: `--complete-register`, or "
               "`complete_register = true` in the scenario"))
