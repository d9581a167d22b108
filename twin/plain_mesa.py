"""A plain Mesa reference of the twin's core member rules, for benchmarking only.

One `mesa.Agent` per member and per OCG, stepped with Mesa's AgentSet: members offend (adding
revenue to their group), may be arrested, go to prison, serve their time and are released to
rejoin or leave; groups recruit to fill vacancies. It reuses the synthetic register and the
parameter table so that it runs at the same scale with the same rates; `core_rules.py` runs the
same rules on the twin's arrays. Members who leave crime are removed from the model, rates are read
from the model rather than the parameter table, and members step in a fixed order (their rules do
not depend on one another within a step): as a careful Mesa modeller would write it. It is not the
model.
"""

from __future__ import annotations

import mesa

from twin.core_rules import REVENUE_PER_MEMBER_GBP, reference_rates, reference_register
from twin.parameters import Parameters

ACTIVE, PRISON = 0, 1


class MemberAgent(mesa.Agent):
    def __init__(self, model, group):
        super().__init__(model)
        self.group = group
        self.status = ACTIVE
        self.months_left = 0
        group.members.add(self)

    def step(self):
        model = self.model
        if self.status == ACTIVE:
            self.group.revenue_gbp += REVENUE_PER_MEMBER_GBP
            draw = model.random.random()
            if draw < model.arrest_prob:
                self.status = PRISON
                self.months_left = model.served_steps
                self.group.members.discard(self)
                model.arrests += 1
            elif draw > 1 - model.desist_prob:
                self.group.members.discard(self)
                self.remove()
                model.exits += 1
        else:  # in prison
            self.months_left -= 1
            if self.months_left <= 0:
                if model.random.random() < model.reoffend_prob:
                    self.status = ACTIVE
                    self.group.members.add(self)
                    model.returns += 1
                else:
                    self.remove()
                    model.exits += 1


class OCGAgent(mesa.Agent):
    def __init__(self, model, target_size):
        super().__init__(model)
        self.target_size = target_size
        self.members: set[MemberAgent] = set()
        self.revenue_gbp = 0.0

    def step(self):
        vacancy = self.target_size - len(self.members)
        p = self.model.fill_prob
        for _ in range(max(vacancy, 0)):
            if self.model.random.random() < p:
                MemberAgent(self.model, self)
                self.model.recruits += 1


class PlainMesaModel(mesa.Model):
    def __init__(self, seed: int = 1, params: Parameters | None = None):
        super().__init__(seed=seed)
        self.params = params or Parameters()
        rates = reference_rates(self.params)
        self.arrest_prob, self.desist_prob = rates["arrest"], rates["desist"]
        self.fill_prob, self.reoffend_prob, self.served_steps = rates["fill"], rates["reoffend"], rates["served_steps"]
        self.recruits = self.arrests = self.exits = self.returns = 0
        register = reference_register(self.params, seed)
        for size in register.size:
            group = OCGAgent(self, int(size))
            for _ in range(int(size)):
                MemberAgent(self, group)

    def member_count(self) -> int:
        """Members not exited (exited members are removed)."""
        return len(self.agents_by_type[MemberAgent])

    def counts(self) -> dict[str, int]:
        members = self.agents_by_type[MemberAgent]
        prison = sum(1 for agent in members if agent.status == PRISON)
        return {"active": len(members) - prison, "prison": prison, "recruits": self.recruits,
                "arrests": self.arrests, "exits": self.exits, "returns": self.returns,
                "revenue_gbp": float(sum(group.revenue_gbp for group in self.agents_by_type[OCGAgent]))}

    def step(self):
        self.agents_by_type[OCGAgent].do("step")
        # Members do not interact within their phase, so their order cannot matter: `do` rather than
        # `shuffle_do`, whose shuffle of 100,000 agents would be more than half of the step.
        self.agents_by_type[MemberAgent].do("step")
