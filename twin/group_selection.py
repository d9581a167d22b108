"""Group selections: the OCGs a lever acts on, beyond the areas it targets.

A lever that acts on groups (`Lever.acts_on_groups`) may name a selection in its scenario entry:

    [[levers]]
    type = "tasking_priority"
    groups = { county_lines = true }              # groups running a county line
    # or: markets = ["fraud"], types = ["cultural", "family"], reach = ["national"],
    #     violence = ["serious"], exploit_children = true, top_harm = 100,
    #     ocg_ids = ["MPS-0001", "MPS-0002"] or ocg_ids = "targets.csv" (a file with an
    #     ocg_id column, next to the scenario) (with or without the others)

Criteria combine with "and"; the values listed under one key with "or" (`markets = ["heroin_crack",
"cocaine"]`: groups in either market). Type, reach and violence never change; markets and county
lines are read each step, so groups that enter a selected market join the selection and groups
that leave it drop out; so is `exploit_children` (groups with at least one active member under 18,
all of them in the exploited role). `ocg_ids` names groups of the register a run starts from (its
`ocg_id` column; a named target list from a user's register): they stay the list while they are
active and based in the lever's areas, and groups they split into do not join it. The synthetic
register's groups differ with the seed, so ids need a register given by the user. `top_harm = N`
makes a named target list: the N mapped groups (police can only list groups they know) that match
the rest and rank highest on the tasking score (`policing.task`: harm with the noise of imperfect
intelligence) in the lever's areas when it first acts; they stay
the list while they are active and based in those areas, and no group joins it later (new groups,
replacements by split). A group belongs to the area it is based in (its home area): groups running
county lines are based in the exporter areas, not where their lines sell.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.errors import NEAR_SPELLING, ScenarioError, closest, did_you_mean, safe_url, shown, shown_whole
from twin.vocabulary import ACTIVE, MARKETS, OCG_TYPES, REACH, VIOLENCE

MARKET_WORDS = {"heroin_crack": "heroin and crack", "modern_slavery": "modern slavery",
                "immigration": "organised immigration crime", "acquisitive": "organised acquisitive crime",
                "money_laundering": "money laundering"}
VIOLENCE_WORDS = {"none": "no violence", "some": "violence", "serious": "serious violence"}

#: the keys of a `groups` table and the vocabulary each list draws from
LIST_KEYS = {"markets": MARKETS, "types": OCG_TYPES, "reach": REACH, "violence": VIOLENCE}
FLAG_KEYS = ("county_lines", "exploit_children")
SELECTION_KEYS = (*LIST_KEYS, *FLAG_KEYS, "top_harm", "ocg_ids")
#: keys of the lever itself that a user may put inside `groups` by mistake
LEVER_TARGET_KEYS = ("areas", "regions", "nations", "top_harm_areas")
#: market names users reach for that the vocabulary spells otherwise
NAME_HINTS = {"county_lines": "for groups running county lines give county_lines = true beside markets",
              "drugs": "the drug markets are heroin_crack and cocaine", "drug": "the drug markets are heroin_crack and cocaine",
              "crack": "did you mean 'heroin_crack'?", "heroin": "did you mean 'heroin_crack'?",
              "slavery": "did you mean 'modern_slavery'?", "laundering": "did you mean 'money_laundering'?"}


@dataclass(frozen=True)
class GroupSelection:
    """Criteria on the OCG table; a criterion left as None selects every group."""

    markets: tuple[int, ...] | None = None
    types: tuple[int, ...] | None = None
    reach: tuple[int, ...] | None = None
    violence: tuple[int, ...] | None = None
    county_lines: bool | None = None
    exploit_children: bool | None = None
    top_harm: int | None = None
    ocg_ids: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, table, where: str) -> "GroupSelection":
        """A `groups` table from a scenario entry, every key and value checked (`where` names the entry)."""
        if not isinstance(table, dict):
            raise ScenarioError(f"{where}: groups: expected a table such as groups = {{ markets = [\"fraud\"] }}, "
                                f"got {shown(table)}")
        if not table:
            raise ScenarioError(f"{where}: groups: expected at least one of {', '.join(SELECTION_KEYS)}")
        values = {}
        for key, value in table.items():
            if key in LEVER_TARGET_KEYS:
                raise ScenarioError(f"{where}: groups: '{key}' is not a group criterion: it sets the lever's areas, "
                                    f"so put it beside groups (for the N groups with most harm: groups = {{ top_harm = N }})")
            if key not in SELECTION_KEYS:
                raise ScenarioError(f"{where}: groups: unknown key '{key}'{did_you_mean(key, SELECTION_KEYS)} "
                                    f"(expected one of: {', '.join(SELECTION_KEYS)})")
            if key in LIST_KEYS:
                values[key] = _names(value, LIST_KEYS[key], f"{where}: groups.{key}")
            elif key in FLAG_KEYS:
                if not isinstance(value, bool):
                    raise ScenarioError(f"{where}: groups.{key}: expected true or false, got {shown(value)}")
                values[key] = value
            elif key == "ocg_ids":
                values[key] = _ids(value, f"{where}: groups.ocg_ids")
            else:
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ScenarioError(f"{where}: groups.top_harm: expected a whole number >= 1, "
                                        f"got {shown_whole(value, 1)}")
                values[key] = value
        return cls(**values)

    def describe(self) -> str:
        """The selection in words, for reports and listings: "the groups in the cocaine or fraud
        markets, of national reach, running a county line; of them, the 30 ...". """
        words = {"markets": lambda names: f"in the {' or '.join(MARKET_WORDS.get(n, n) for n in names)} "
                                          f"market{'s' if len(names) > 1 else ''}",
                 "types": lambda names: f"of {' or '.join(names)} type", "reach": lambda names: f"of {' or '.join(names)} reach",
                 "violence": lambda names: "using " + " or ".join(VIOLENCE_WORDS[n] for n in names)}
        parts = [words[key]([vocabulary[k] for k in getattr(self, key)]) for key, vocabulary in LIST_KEYS.items()
                 if getattr(self, key) is not None]
        if self.county_lines is not None:
            parts.append("running a county line" if self.county_lines else "running no county line")
        if self.exploit_children is not None:
            parts.append("exploiting children" if self.exploit_children else "exploiting no children")
        if self.ocg_ids is not None:
            shown = ", ".join(self.ocg_ids[:5]) + (f" and {len(self.ocg_ids) - 5} more" if len(self.ocg_ids) > 5 else "")
            parts.append(f"named in the register ({shown})")
        text = "the groups " + ", ".join(parts) if parts else "the groups"
        if self.top_harm is not None:
            text = (f"{text}; of them, " if parts else "") + (f"the {self.top_harm} mapped groups with the most harm "
                                                              f"when it starts (a fixed list)")
        return text

    def acting_on(self, lever_type: str) -> str:
        """'acting on <the selection in words>', saying so when only a composite lever's Clear uses it."""
        return f"acting{' (in Clear)' if lever_type == 'clear_hold_build' else ''} on {self.describe()}"

    def matches(self, model) -> np.ndarray:
        """Bool over the OCG rows: active groups meeting every criterion but `top_harm`."""
        ocgs = model.ocgs
        rows = ocgs.active.copy()
        if self.markets is not None:
            rows &= ocgs.markets[:, list(self.markets)].any(axis=1)
        for key, column in (("types", ocgs.ocg_type), ("reach", ocgs.reach), ("violence", ocgs.violence)):
            chosen = getattr(self, key)
            if chosen is not None:
                rows &= np.isin(column, chosen)
        if self.county_lines is not None:
            lines = model.county_lines
            running = np.zeros(ocgs.n, dtype=bool)
            running[lines.ocg[lines.active]] = True
            rows &= running if self.county_lines else ~running
        if self.exploit_children is not None:
            members = model.members
            active = model.active_rows()
            exploiting = np.zeros(ocgs.n, dtype=bool)
            exploiting[members.ocg[active[members.child[active] & (members.status[active] == ACTIVE)]]] = True
            rows &= exploiting if self.exploit_children else ~exploiting
        return rows

    def check_ids(self, register, where: str, source: str | None = None) -> np.ndarray:
        """Rows of `register` (the user's register a run starts from, read from `source`, or None
        for the synthetic one) that `ocg_ids` names, in its order; a ScenarioError names an id it lacks."""
        if register is None:
            raise ScenarioError(f"{where}: groups.ocg_ids names groups of a register, but the run starts from the "
                                f"synthetic register, whose groups differ with the seed; give a register (`register = "
                                f"\"FILE.csv\"` in [scenario]; `twin run` also takes --register FILE.csv)")
        row_of = {ocg_id: row for row, ocg_id in enumerate(register.ocg_id)}
        missing = [ocg_id for ocg_id in self.ocg_ids if ocg_id not in row_of]
        named = f"the register '{safe_url(source)}'" if source else "the register"
        if missing and len(missing) == len(self.ocg_ids) > 1:
            raise ScenarioError(f"{where}: groups.ocg_ids: none of the {len(missing)} ids listed is an ocg_id of {named} "
                                f"(the first listed is '{missing[0]}'; the register's first is '{register.ocg_id[0]}')")
        if missing:
            more = f" (and {len(missing) - 1} more not found)" if len(missing) > 1 else ""
            # ids share a pattern, so only a near spelling is a useful hint ('MPS-0012' is not 'SYN05012')
            folded = {ocg_id.casefold(): ocg_id for ocg_id in register.ocg_id}  # 'syn00027', 'SYN00027 '
            near = ([folded[missing[0].strip().casefold()]] if missing[0].strip().casefold() in folded else
                    difflib.get_close_matches(missing[0], register.ocg_id, n=1, cutoff=NEAR_SPELLING))
            hint = f"; did you mean {near[0]!r}? (ids match exactly, case and spaces too)" if near else ""
            raise ScenarioError(f"{where}: groups.ocg_ids: '{missing[0]}' is not an ocg_id of {named}{hint}{more}")
        return np.array([row_of[ocg_id] for ocg_id in self.ocg_ids], dtype=np.int64)

    def named_warnings(self, lever, register, geography) -> list[str]:
        """Before any run, for groups named by `ocg_id`: those the register has not known to police
        (every lever with a selection works on mapped groups only, so they wait until mapped), those
        it places outside `lever`'s areas (left out while they stay there; all of them: the lever
        acts on none and is still paid for), and areas the lever picks by harm only when it starts."""
        if self.ocg_ids is None or register is None:
            return []
        rows, warnings, n = self.check_ids(register, lever.entry), [], len(self.ocg_ids)
        unknown = n - int(register.known[rows].sum())
        if unknown:
            warnings.append(f"{lever.entry}: {unknown} of the {n} groups named in groups.ocg_ids are not known to police "
                            f"in the register (known = 0); the lever works on mapped groups only, so it leaves them "
                            f"out until intelligence maps them")
        if lever.national:
            return warnings
        if lever.top_harm_areas:
            warnings.append(f"{lever.entry}: the lever picks its {lever.top_harm_areas} areas by harm when it starts; "
                            f"groups named in groups.ocg_ids based elsewhere then are left out")
            return warnings
        inside = lever.named_areas(geography)[register.area[rows]]
        if not inside.any():
            warnings.append(f"{lever.entry}: none of the {n} groups named in groups.ocg_ids is based in the lever's "
                            f"areas in the register, so it acts on none of them unless they move there (and is paid for)")
        elif not inside.all():
            warnings.append(f"{lever.entry}: {n - int(inside.sum())} of the {n} groups named in groups.ocg_ids are "
                            f"based outside the lever's areas in the register; they are left out while they stay there")
        return warnings


def _names(value, vocabulary: tuple[str, ...], where: str) -> tuple[int, ...]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise ScenarioError(f"{where}: expected a list of names from: {', '.join(vocabulary)}; got {shown(value)}")
    for name in value:
        if name not in vocabulary:
            hint = NAME_HINTS.get(name) if vocabulary is MARKETS else None
            raise ScenarioError(f"{where}: unknown name '{name}'" + (f"; {hint}" if hint else did_you_mean(name, vocabulary))
                                + f" (expected one of: {', '.join(vocabulary)})")
    return tuple(sorted({vocabulary.index(name) for name in value}))


def read_ocg_ids(file: Path, named: str, where: str) -> list[str]:
    """The `ocg_id` column of a CSV file (`ocg_ids = "targets.csv"`, relative to the scenario), in
    its order; other named columns are ignored, and a row may leave off values at its end. `named` is the
    path as the scenario gives it. Read as `csv_input.read_records` reads a spreadsheet's CSV."""
    from twin.csv_input import read_records

    if not file.exists():  # (a folder, or a file that cannot be read, is named so by `read_records`)
        raise ScenarioError(f"{where}: file '{named}' not found next to the scenario (expected a CSV file with an "
                            f"ocg_id column, or a list such as [\"MPS-0001\"])")

    def check_header(columns: list[str]) -> None:
        if "ocg_id" not in columns:
            raise ScenarioError(f"{where}: '{named}' has no ocg_id column" + (
                f" (its columns: {', '.join(columns)}" + (f"; rename column '{meant}' to 'ocg_id')"
                                                           if (meant := closest("ocg_id", columns)) else ")")
                if columns else
                " (it is empty)"))

    columns, records = read_records(file, f"{where}: '{named}'", ScenarioError, short_rows=True,
                                    check_header=check_header)
    if not records:
        raise ScenarioError(f"{where}: '{named}' lists no groups below its header")
    ids, at = [], columns.index("ocg_id")
    for line, values in records:
        ocg_id = values[at].strip()
        if not ocg_id:
            raise ScenarioError(f"{where}: '{named}', line {line}: ocg_id is empty")
        ids.append(ocg_id)
    return ids


def _ids(value, where: str) -> tuple[str, ...]:
    if isinstance(value, str):  # a file name is read when a scenario file is loaded (`scenario._load_raw`)
        raise ScenarioError(f"{where}: a file of ids ('{value}') is read only in a scenario file's [[levers]]; "
                            f"here give a list such as [\"MPS-0001\"]")
    if isinstance(value, list) and any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise ScenarioError(f"{where}: ids are text: quote them, as in [\"{value[0]}\"]; got {shown(value)}")
    if not (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)):
        raise ScenarioError(f"{where}: expected a list of the register's ocg_id values, such as [\"MPS-0001\"]; "
                            f"got {shown(value)}")
    seen = set()
    for ocg_id in value:
        if ocg_id in seen:
            raise ScenarioError(f"{where}: '{ocg_id}' is listed twice")
        seen.add(ocg_id)
    return tuple(value)


def selected_rows(lever, model, mask: np.ndarray) -> np.ndarray:
    """Bool over the OCG rows: the groups `lever` acts on this step, among those in its target
    areas (`mask`). With `top_harm`, the list is chosen the first time and kept on the lever;
    with `ocg_ids`, the named groups' rows are found the first time and kept too."""
    ocgs, selection = model.ocgs, lever.groups
    rows = selection.matches(model) & mask[ocgs.area]
    if selection.ocg_ids is not None:
        if lever.named_rows is None:
            lever.named_rows = selection.check_ids(model.register_given, lever.entry)
        named = np.zeros(ocgs.n, dtype=bool)
        named[lever.named_rows] = True
        rows &= named
    if selection.top_harm is None:
        return rows
    if lever.group_list is None:
        candidates = np.flatnonzero(rows & ocgs.known)
        harm = ocgs.harm_gbp_per_month[candidates] + model.ocg_violence_harm_per_month[candidates]
        score = harm * ocgs.score_noise[candidates] ** (1.0 - ocgs.intel[candidates])
        lever.group_list = candidates[np.argsort(-score, kind="stable")[: selection.top_harm]]
    listed = np.zeros(ocgs.n, dtype=bool)
    listed[lever.group_list] = True
    return listed & ocgs.active & mask[ocgs.area]  # a listed group that moves out of the areas leaves the lever's reach


def prioritise_selection(lever, model, mask: np.ndarray, weight: float) -> None:
    """Weight the tasking score of `lever`'s selection in its areas by `weight` at full intensity
    (1 + (weight - 1) x intensity: intensity 0 leaves tasking as it is)."""
    model.modifiers.prioritise(selected_rows(lever, model, mask), 1.0 + (weight - 1.0) * lever.intensity)


#: what a lever selecting no group still does, by type (a Clear surges in its areas whatever the
#: selection, which only moves the groups it holds up the tasking lists)
WITHOUT_GROUPS = {
    "clear": "its selection moves no group up the tasking lists: only its area-wide surge acts, and is paid for",
    "tasking_priority": "it will reorder no group's tasking and still be paid for",
    "business_disruption": "it will act on no group (and costs nothing where it finds none)",
    "": "its selection will reach no group",
}


def selection_warnings(scenario) -> list[str]:
    """Before any run: a lever selecting the groups running county lines in areas where none is
    based (they are based in the exporter areas) would reach no group (`WITHOUT_GROUPS` says what
    it still does)."""
    from twin.geography import load_geography
    from twin.scenario_levers import build_levers

    geography, warnings, mapped = None, [], None
    for lever in build_levers(scenario):
        top = lever.groups.top_harm if lever.groups is not None else None
        if top is not None:
            mapped = _mapped_groups(scenario) if mapped is None else mapped
            if top >= mapped:
                own_count = scenario.register and not scenario.complete_register  # (else the UK's estimate)
                warnings.append(f"{lever.entry}: groups.top_harm = {top:,} is at least the number of mapped groups "
                                f"the run starts with ({'' if own_count else 'about '}{mapped:,}): "
                                f"it selects every mapped group meeting its other criteria")
        if lever.groups is None or not lever.groups.county_lines or lever.national or lever.top_harm_areas:
            continue
        geography = geography or load_geography(scenario.areas_file)
        lever.check_targets(geography)  # named areas and regions exist (the error a run would give)
        if not (lever.named_areas(geography) & geography.exporter).any():
            exporters = [name for name, flag in zip(geography.area_names, geography.exporter) if flag]
            warnings.append(f"{lever.entry}: groups = {{ county_lines = true }} in areas where no such group is based: "
                            f"groups running county lines are based in the exporter areas ({', '.join(exporters)}), "
                            f"not where their lines sell, so {WITHOUT_GROUPS.get(lever.type_name, WITHOUT_GROUPS[''])}")
    return warnings


def _mapped_groups(scenario) -> int:
    """The groups known to the police a run of `scenario` starts with: its register's, or the synthetic
    register's (`ocgs_known_uk`, as the scenario scales the national quantities)."""
    if scenario.register is None or scenario.complete_register:  # (completed: about the synthetic register's)
        return int(scenario.build_parameters()["ocgs_known_uk"])  # (scaled with the national quantities)
    from twin.geography import load_geography
    from twin.register import load_register

    register = load_register(scenario.register, load_geography(scenario.areas_file), scenario.register_table)
    return int(register.known.sum())
