"""The plain-Mesa reference's five rules on the twin's arrays, for benchmarking only.

`plain_mesa.py` writes the core member rules the Mesa way: one `mesa.Agent` per member and per
OCG. This module writes the same rules the twin's way: a `mesa.Model` shell whose members are the
twin's `Members` table (one numpy array per attribute), rare events drawn from geometric gaps
(`streams.bernoulli_positions`), groups' member counts kept as one array. Running both on the same
register and parameters measures what the array architecture buys per member-step, like for like;
`tests/test_bench.py` checks that the two give the same trajectories in distribution.

The rules, in the reference's order, for step s:
1. Recruitment: each group fills each vacancy (target size minus active members) with
   probability `recruitment_fill_rate_per_month`; recruits step in the same step.
2. Active members add `revenue_per_member_month` to their group. Each is arrested and imprisoned
   with probability street arrest x charge x conviction (serving `int(sentence_months_worker x
   served_share)` steps, at least one), or else leaves crime with `desistance_prob_per_month`.
3. Prisoners at the start of the step whose time is served are released: they return to their
   group with `reoffend_prob_after_release`, or leave crime.
It is not the model.
"""

from __future__ import annotations

import mesa
import numpy as np

from twin.geography import load_geography
from twin.members import Members
from twin.model import COMPACTION_SHARE  # exited rows dropped beyond this share of the table
from twin.parameters import Parameters
from twin.register import Register, synthetic_register
from twin.streams import RandomStreams, bernoulli_positions
from twin.vocabulary import ACTIVE, EXITED, PRISON

#: revenue each active member adds to the group per step, in GBP (the reference's figure)
REVENUE_PER_MEMBER_GBP = 1000.0


def reference_rates(p: Parameters) -> dict[str, float]:
    """The per-step probabilities and sentence both implementations use."""
    arrest = p.street_arrest_prob_per_month * p.charge_prob * p.conviction_prob
    if arrest + p.desistance_prob_per_month > 1:  # one draw decides both: they must fit in [0, 1]
        raise ValueError("the reference rules need arrest + desistance probabilities <= 1 per step")
    return {"arrest": arrest,
            "desist": p.desistance_prob_per_month,
            "fill": p.recruitment_fill_rate_per_month,
            "reoffend": p.reoffend_prob_after_release,
            "served_steps": int(p.sentence_months_worker * p.served_share)}


def reference_register(params: Parameters, seed: int) -> Register:
    """The register both implementations start from (the synthetic UK register by default)."""
    return synthetic_register(load_geography(), params, RandomStreams(seed)["register"])


class CoreRulesModel(mesa.Model):
    """The reference's rules on arrays: members in a `Members` table, group counts in arrays."""

    def __init__(self, seed: int = 1, params: Parameters | None = None):
        super().__init__(seed=seed)
        self.params = params or Parameters()
        self.rates = reference_rates(self.params)
        self.rng = RandomStreams(seed)["core_rules"]
        register = reference_register(self.params, seed)
        self.target_size = register.size.astype(np.int64)
        self.group_active = self.target_size.copy()
        self.revenue_gbp = np.zeros(self.target_size.size)
        self.members = Members(capacity=2 * int(self.target_size.sum()))
        self.members.append(int(self.target_size.sum()), ocg=np.repeat(np.arange(self.target_size.size),
                                                                        self.target_size), status=ACTIVE)
        self.steps_done = 0
        self.recruits_total = 0
        self.arrests_total = 0
        self.exits_total = 0
        self.returns_total = 0

    def member_count(self) -> int:
        """Members not exited (the population a step works on)."""
        return int(self.members.n - np.count_nonzero(self.members.status == EXITED))

    def counts(self) -> dict[str, int]:
        status = self.members.status
        return {"active": int(np.count_nonzero(status == ACTIVE)), "prison": int(np.count_nonzero(status == PRISON)),
                "recruits": self.recruits_total, "arrests": self.arrests_total, "exits": self.exits_total,
                "returns": self.returns_total, "revenue_gbp": float(self.revenue_gbp.sum())}

    def step(self) -> None:
        r, rng, members, s = self.rates, self.rng, self.members, self.steps_done
        n_groups = self.target_size.size
        # 1. recruitment
        recruits = rng.binomial(np.maximum(self.target_size - self.group_active, 0), r["fill"])
        if recruits.any():
            members.append(int(recruits.sum()), ocg=np.repeat(np.arange(n_groups), recruits), status=ACTIVE,
                           joined_step=s)
            self.group_active += recruits
            self.recruits_total += int(recruits.sum())
        status = members.status
        active = np.flatnonzero(status == ACTIVE)
        prison = np.flatnonzero(status == PRISON)
        # 2. active members offend; a few are arrested or leave
        self.revenue_gbp += REVENUE_PER_MEMBER_GBP * self.group_active
        p_event = r["arrest"] + r["desist"]
        hit = active[bernoulli_positions(rng, active.size, p_event)]
        arrested_mask = rng.random(hit.size) * p_event < r["arrest"]
        arrested, left = hit[arrested_mask], hit[~arrested_mask]
        # 3. prisoners whose time is served are released
        due = prison[members.release_month[prison] <= s]
        back = rng.random(due.size) < r["reoffend"]
        returning, gone = due[back], due[~back]

        status[arrested] = PRISON
        members.release_month[arrested] = s + max(r["served_steps"], 1)
        status[left] = EXITED
        status[returning] = ACTIVE
        status[gone] = EXITED
        ocg = members.ocg
        self.group_active += (np.bincount(ocg[returning], minlength=n_groups)
                              - np.bincount(ocg[hit], minlength=n_groups))
        self.arrests_total += arrested.size
        self.exits_total += left.size + gone.size
        self.returns_total += returning.size
        if self.exits_total and np.count_nonzero(status == EXITED) > COMPACTION_SHARE * members.n:
            members.compact(status != EXITED)
        self.steps_done += 1
