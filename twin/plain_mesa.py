"""A plain Mesa reference of the twin's core member rules, for benchmarking only.

One `mesa.Agent` per member and per OCG, stepped with Mesa's AgentSet: members offend (adding
revenue to their group), may be arrested, go to prison, serve their time and are released to
rejoin or leave; groups recruit to fill vacancies. It reuses the synthetic register and the
parameter table so that it runs at the same scale with the same rates. It is not the model.
"""

from __future__ import annotations

import mesa
import numpy as np

from twin.geography import load_geography
from twin.parameters import Parameters
from twin.register import synthetic_register
from twin.streams import RandomStreams

ACTIVE, PRISON, EXITED = 0, 1, 2


class MemberAgent(mesa.Agent):
    def __init__(self, model, group):
        super().__init__(model)
        self.group = group
        self.status = ACTIVE
        self.months_left = 0
        group.members.add(self)

    def step(self):
        model, p = self.model, self.model.params
        if self.status == ACTIVE:
            self.group.revenue_gbp += model.revenue_per_member_month
            draw = model.random.random()
            if draw < p.street_arrest_prob_per_month * p.charge_prob * p.conviction_prob:
                self.status = PRISON
                self.months_left = int(p.sentence_months_worker * p.served_share)
                self.group.members.discard(self)
            elif draw > 1 - p.desistance_prob_per_month:
                self.status = EXITED
                self.group.members.discard(self)
        elif self.status == PRISON:
            self.months_left -= 1
            if self.months_left <= 0:
                if model.random.random() < p.reoffend_prob_after_release:
                    self.status = ACTIVE
                    self.group.members.add(self)
                else:
                    self.status = EXITED


class OCGAgent(mesa.Agent):
    def __init__(self, model, target_size):
        super().__init__(model)
        self.target_size = target_size
        self.members: set[MemberAgent] = set()
        self.revenue_gbp = 0.0

    def step(self):
        vacancy = self.target_size - len(self.members)
        p = self.model.params.recruitment_fill_rate_per_month
        for _ in range(max(vacancy, 0)):
            if self.model.random.random() < p:
                MemberAgent(self.model, self)


class PlainMesaModel(mesa.Model):
    def __init__(self, seed: int = 1):
        super().__init__(seed=seed)
        self.params = Parameters()
        register = synthetic_register(load_geography(), self.params, RandomStreams(seed)["register"])
        self.revenue_per_member_month = 1000.0
        for size in register.size:
            group = OCGAgent(self, int(size))
            for _ in range(int(size)):
                MemberAgent(self, group)

    def member_count(self) -> int:
        return len(self.agents_by_type[MemberAgent])

    def step(self):
        self.agents_by_type[OCGAgent].do("step")
        self.agents_by_type[MemberAgent].shuffle_do("step")


def timed_step(model: PlainMesaModel) -> tuple[int, float]:
    """One step of the reference: (member-steps, seconds)."""
    import time

    members = model.member_count()
    start = time.perf_counter()
    model.step()
    return members, time.perf_counter() - start


def measure(steps: int = 3, seed: int = 1) -> dict[str, float]:
    """Member-steps per second of the plain Mesa reference at UK scale."""
    import time

    model = PlainMesaModel(seed)
    member_steps = 0
    start = time.perf_counter()
    for _ in range(steps):
        member_steps += model.member_count()
        model.step()
    elapsed = time.perf_counter() - start
    return {"members": float(model.member_count()), "member_steps_per_s": member_steps / elapsed,
            "seconds_per_step": elapsed / steps, "rng_check": float(np.float64(model.random.random()))}
