"""Organised crime groups (businesses): one row per OCG, one array per attribute.

OCGs are built from the register (`register.py`) and added later by entry and splits
(`adaptation.py`). Monthly processes read and write these arrays in bulk.
"""

from __future__ import annotations

import numpy as np

from twin.register import Register
from twin.tables import Table
from twin.vocabulary import CULTURAL, FAMILY, MARKETS, PROXIMITY, VIRTUAL


def base_cohesion(params) -> np.ndarray:
    """Cohesion by OCG type (`cohesion_base_*`): what a group starts with and recovers towards. It
    scales capacity only: splits have a fixed chance (`succession_split_prob`)."""
    by_type = np.zeros(4)
    by_type[[CULTURAL, PROXIMITY, FAMILY, VIRTUAL]] = [params.cohesion_base_cultural, params.cohesion_base_proximity,
                                                       params.cohesion_base_family, params.cohesion_base_virtual]
    return by_type


#: `investigated_step` of a group no operation has ended against (steps below 0 are spin-up steps)
NEVER = -(2 ** 62)


class OCGs(Table):
    """The OCG population.

    Columns:
        active: still operating.
        area: home area index.
        ocg_type, reach, violence: indices into the vocabulary tuples.
        markets: bool [n, markets] portfolio.
        core_markets: bool [n, markets] the portfolio it was founded with (register, entry, split): its
            core business, which it never leaves for a glutted market (`adaptation.market_exit`).
        known: mapped by police. intel: police intelligence on it, 0-1.
        score_noise: multiplicative error of the police harm score (fixed per OCG).
        harm_gbp_per_month: harm the OCG caused last step, per month (the truth the score estimates).
        capital_gbp: retained criminal capital. revenue_gbp_per_step: revenue in the last step (a
            month or a week).
        insulation: protection of its leaders from investigation, 0-1.
        encrypted: uses encrypted communications.
        has_professional, has_insider: served by at least one enabler of that kind.
        cohesion, reputation: the business's internal trust and its standing with customers and rivals, 0-1.
        base_size, target_size: members it aims to keep active.
        leader: member index of its leader (-1 when none).
        leader_directing: its imprisoned leader still directs it.
        direction_draw: the uniform drawn when its leader was last remanded or sent to prison; the
            leader directs while it is below the chance of directing, re-read when that chance
            changes (`justice.redraw_direction`; NaN before any).
        operation_months_left: months left in a police operation against it (0 = none).
        operation_fte: investigators tied up by that operation. operation_unit: tasking unit index.
        operation_cross_boundary: the operation was taken by a force outside its remit.
        investigated_step: last step an operation against it ended (`NEVER` if none has; spin-up
            steps are below 0).
        founded_step: step it was created (the first step for the register's groups).
    """

    columns = {
        "active": (bool, True, ()),
        "area": (np.int64, 0, ()),
        "ocg_type": (np.int64, 0, ()),
        "reach": (np.int64, 0, ()),
        "violence": (np.int64, 0, ()),
        "markets": (bool, False, (len(MARKETS),)),
        "core_markets": (bool, False, (len(MARKETS),)),
        "known": (bool, False, ()),
        "intel": (float, 0.0, ()),
        "score_noise": (float, 1.0, ()),
        "harm_gbp_per_month": (float, 0.0, ()),
        "capital_gbp": (float, 0.0, ()),
        "revenue_gbp_per_step": (float, 0.0, ()),
        "insulation": (float, 0.0, ()),
        "encrypted": (bool, False, ()),
        "has_professional": (bool, False, ()),
        "has_insider": (bool, False, ()),
        "cohesion": (float, 0.7, ()),
        "reputation": (float, 0.5, ()),
        "base_size": (float, 0.0, ()),
        "target_size": (float, 0.0, ()),
        "leader": (np.int64, -1, ()),
        "leader_directing": (bool, False, ()),
        "direction_draw": (float, np.nan, ()),
        "operation_months_left": (float, 0.0, ()),
        "operation_fte": (float, 0.0, ()),
        "operation_unit": (np.int64, -1, ()),
        "operation_cross_boundary": (bool, False, ()),
        "investigated_step": (np.int64, NEVER, ()),
        "founded_step": (np.int64, 0, ()),
    }

    def add(self, *, area, ocg_type, reach, violence, markets, known, size, capital_gbp,
            encrypted, has_professional, has_insider, score_noise, step: int, base_cohesion: np.ndarray,
            insulation=0.0, intel_known: float = 0.0) -> np.ndarray:
        """Append OCGs in bulk and return their indices; each starts with its type's cohesion
        (`base_cohesion`, by type) and police with `intel_known` intelligence on those they know."""
        cohesion = base_cohesion[ocg_type]
        # A scalar `known` (new groups: False) gives a scalar intel, which `append` need not write.
        intel = (intel_known if known else 0.0) if type(known) is bool else np.where(known, intel_known, 0.0)
        n = area.size if isinstance(area, np.ndarray) else np.size(area)
        return self.append(
            n, area=area, ocg_type=ocg_type, reach=reach, violence=violence,
            markets=markets, core_markets=markets, known=known, intel=intel, capital_gbp=capital_gbp,
            encrypted=encrypted, has_professional=has_professional, has_insider=has_insider,
            cohesion=cohesion, base_size=size, target_size=size, score_noise=score_noise,
            insulation=insulation, founded_step=step,
        )

    @classmethod
    def from_register(cls, register: Register, rng: np.random.Generator, noise_sigma: float, base_cohesion: np.ndarray,
                      step: int = 0, intel_known: float = 0.3, insulation_max: float = 0.4) -> "OCGs":
        """The register's groups, founded at `step` (the model's first step: below 0 with a spin-up):
        police start with `intel_known` intelligence on the known ones (`intel_start_mapped`), and
        leaders' insulation is uniform from 0 to `insulation_max` (`insulation_start_max`)."""
        ocgs = cls(capacity=2 * len(register))
        ocgs.add(
            area=register.area, ocg_type=register.ocg_type, reach=register.reach, violence=register.violence,
            markets=register.markets, known=register.known, size=register.size.astype(float),
            capital_gbp=np.nan_to_num(register.capital_gbp, nan=0.0), encrypted=register.enablers[:, 2],
            has_professional=register.enablers[:, 0], has_insider=register.enablers[:, 1],
            score_noise=rng.lognormal(0.0, noise_sigma, size=len(register)), step=step, base_cohesion=base_cohesion,
            insulation=rng.uniform(0.0, insulation_max, size=len(register)), intel_known=intel_known,
        )
        return ocgs


#: the model's per-OCG working arrays of the step (`TwinModel.grow_ocg_arrays`): zero (False) for new groups
STEP_ARRAYS = ("active_by_role", "active_members", "ocg_capacity", "ocg_violence_harm_per_month", "investigated",
               "disrupted")
