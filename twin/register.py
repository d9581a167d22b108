"""The OCG register: the table the initial OCG population is built from.

One row per OCG with columns `ocg_id, area, type, reach, markets, size, violence, enablers, known`
and optionally `capital_gbp, county_lines`.

`markets` and `enablers` are lists separated by ';' (e.g. `heroin_crack;money_laundering`,
`professional;technical`, or empty). By default `synthetic_register` draws a UK-scale register
from the distributions in the parameter table (source 003 and source 004 shares). `load_register`
reads a user's register from a CSV file or from a SQLAlchemy URL and table, validating each
row and reporting every bad field with its row number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.community import initial_vulnerability
from twin.csv_input import FALSE_WORDS, TRUE_WORDS, plain_number
from twin.errors import ParameterError, RegisterError, area_hint, did_you_mean, safe_url
from twin.geography import Geography, area_key
from twin.parameter_table import PARAMETER_TABLE
from twin.parameters import Parameters
from twin.register_sources import MAX_REGISTER_MEMBERS, read_csv, read_sql
from twin.vocabulary import (
    ACQUISITIVE, COCAINE, ENABLER_TYPES, FIREARMS, FRAUD, HEROIN_CRACK, IMMIGRATION, MARKETS,
    MODERN_SLAVERY, MONEY_LAUNDERING, OCG_TYPES, REACH, VIOLENCE, VIRTUAL,
)

#: largest group a register row may declare, and most members a register may hold in all: the
#: model holds every member in memory (the UK picture is about 100,000 members)
MAX_GROUP_SIZE = 5_000
#: more capital than one group could hold: about a year of the whole UK illicit drug market's takings
#: (£9.4bn, Black review 2020); a larger figure is a unit or typing mistake (pence, an extra 000)
MAX_GROUP_CAPITAL_GBP = 1e10
MAX_ERRORS_SHOWN = 10


@dataclass
class Register:
    """The register as arrays, one per column; `markets` and `enablers` are boolean matrices."""

    ocg_id: list[str]
    area: np.ndarray  # int area index
    ocg_type: np.ndarray  # int index into OCG_TYPES
    reach: np.ndarray  # int index into REACH
    markets: np.ndarray  # bool [n, len(MARKETS)]
    size: np.ndarray  # int members
    violence: np.ndarray  # int index into VIOLENCE
    enablers: np.ndarray  # bool [n, len(ENABLER_TYPES)]
    known: np.ndarray  # bool, mapped by police
    capital_gbp: np.ndarray  # float, NaN where the model should estimate it
    county_lines: np.ndarray  # int lines run by the OCG

    def __len__(self) -> int:
        return len(self.ocg_id)

    def digest(self) -> str:
        """A short hash of the register's contents as read (whatever file or table held them), for
        run records: two runs with the same digest started from the same groups."""
        import hashlib

        h = hashlib.sha256("\n".join(self.ocg_id).encode())
        for column in (self.area, self.ocg_type, self.reach, self.markets, self.size, self.violence, self.enablers,
                       self.known, self.capital_gbp, self.county_lines):
            h.update(np.ascontiguousarray(column).tobytes())
        return h.hexdigest()[:16]

    def to_rows(self, geography: Geography) -> list[dict[str, object]]:
        """The register as row dictionaries in the file format (for writing a CSV)."""
        return [{
            "ocg_id": self.ocg_id[i],
            "area": geography.area_names[self.area[i]],
            "type": OCG_TYPES[self.ocg_type[i]],
            "reach": REACH[self.reach[i]],
            "markets": ";".join(m for m, on in zip(MARKETS, self.markets[i]) if on),
            "size": int(self.size[i]),
            "violence": VIOLENCE[self.violence[i]],
            "enablers": ";".join(e for e, on in zip(ENABLER_TYPES, self.enablers[i]) if on),
            "known": int(self.known[i]),
            "capital_gbp": "" if np.isnan(self.capital_gbp[i]) else float(self.capital_gbp[i]),
            "county_lines": int(self.county_lines[i]),
        } for i in range(len(self))]


# ---------------------------------------------------------------------------------- synthetic


def _expected_known_members(size: np.ndarray, known: np.ndarray, params: Parameters,
                            exploited_share: np.ndarray) -> float:
    rest = np.maximum(size - 1, 0)
    core = rest * params.core_member_share
    exploited = (rest - core) * exploited_share
    worker = rest - core - exploited
    in_known = (params.known_prob_leader + core * params.known_prob_core
                + worker * params.known_prob_worker + exploited * params.known_prob_exploited)
    in_unknown = size * params.known_prob_unmapped_ocg
    return float(np.where(known, in_known, in_unknown).sum())


#: parameters that only shape the synthetic register: a user's register, not completed, replaces what
#: they set (the type, reach and violence shares also shape entrants, and stay out of this list)
SYNTHETIC_REGISTER_ONLY = (
    "ocgs_known_uk", "ocg_known_share", "members_known_uk", "ocg_size_lognormal_sigma",
    "share_portfolio_drugs_laundering", "share_portfolio_economic", "share_portfolio_drugs_only",
    "share_using_professional_enablers", "share_using_corrupt_insiders", "share_using_technical_enablers",
    "county_lines_initial", *(p.name for p in PARAMETER_TABLE if "_portfolio_" in p.name and p.name.endswith("_share")))


def unused_with_register(overridden, where: str) -> str | None:
    """A warning naming the `overridden` parameters a run from a user's register (not completed)
    does not use; None when it uses them all."""
    unused = [name for name in SYNTHETIC_REGISTER_ONLY if name in overridden]
    if not unused:
        return None
    one = len(unused) == 1
    return (f"{where} {', '.join(unused)}: {'this only shapes' if one else 'these only shape'} the synthetic "
            f"register, which the given register replaces, so {'it has' if one else 'they have'} no effect on "
            f"this run (`complete_register = true` would use {'it' if one else 'them'} for the areas the register "
            f"leaves out)")


def synthetic_register(geography: Geography, params: Parameters, rng: np.random.Generator) -> Register:
    """Draw a UK-scale register from the brief's distributions (sources 003 and 004)."""
    n = int(round(params.ocgs_known_uk / params.ocg_known_share))
    if not 1 <= n <= MAX_REGISTER_MEMBERS // 2:
        raise ParameterError(f"ocgs_known_uk = {params.ocgs_known_uk:g} and ocg_known_share = "
                             f"{params.ocg_known_share:g} give {n:,} OCGs; the synthetic register needs 1 to "
                             f"{MAX_REGISTER_MEMBERS // 2:,}")
    vulnerability = initial_vulnerability(geography, params)
    area_weights = geography.population * vulnerability
    area = rng.choice(geography.n_areas, size=n, p=area_weights / area_weights.sum())

    # Portfolio first, then type conditional on it: virtual groups run economic crime only,
    # while the marginal type shares stay those of source 004.
    portfolio_p = np.array([params.share_portfolio_drugs_laundering, params.share_portfolio_economic,
                            params.share_portfolio_drugs_only])
    portfolio = rng.choice(3, size=n, p=portfolio_p / portfolio_p.sum())
    type_p = np.array([params.share_type_cultural, params.share_type_proximity,
                       params.share_type_family, params.share_type_virtual])
    type_p = type_p / type_p.sum()
    economic_share = portfolio_p[1] / portfolio_p.sum()
    p_virtual_given_economic = min(1.0, type_p[VIRTUAL] / economic_share)
    offline = type_p[:VIRTUAL] / type_p[:VIRTUAL].sum()
    ocg_type = rng.choice(VIRTUAL, size=n, p=offline)
    ocg_type[(portfolio == 1) & (rng.random(n) < p_virtual_given_economic)] = VIRTUAL

    u = rng.random((n, len(MARKETS)))
    markets = np.zeros((n, len(MARKETS)), dtype=bool)
    drugs = portfolio == 0
    markets[drugs, HEROIN_CRACK] = u[drugs, HEROIN_CRACK] < params.drugs_portfolio_heroin_crack_share
    markets[drugs, COCAINE] = (u[drugs, COCAINE] < params.drugs_portfolio_cocaine_share) | ~markets[drugs, HEROIN_CRACK]
    markets[drugs, MONEY_LAUNDERING] = True
    markets[drugs, FIREARMS] = u[drugs, FIREARMS] < params.drugs_portfolio_firearms_share
    markets[drugs, ACQUISITIVE] = u[drugs, ACQUISITIVE] < params.drugs_portfolio_acquisitive_share
    markets[drugs, MODERN_SLAVERY] = u[drugs, MODERN_SLAVERY] < params.drugs_portfolio_modern_slavery_share
    markets[drugs, IMMIGRATION] = u[drugs, IMMIGRATION] < params.drugs_portfolio_immigration_share
    economic = portfolio == 1
    markets[economic, FRAUD] = True
    markets[economic, MONEY_LAUNDERING] = True
    markets[economic, MODERN_SLAVERY] = u[economic, MODERN_SLAVERY] < params.economic_portfolio_modern_slavery_share
    markets[economic, IMMIGRATION] = u[economic, IMMIGRATION] < params.economic_portfolio_immigration_share
    markets[economic, ACQUISITIVE] = u[economic, ACQUISITIVE] < params.economic_portfolio_acquisitive_share
    only = portfolio == 2
    markets[only, HEROIN_CRACK] = u[only, HEROIN_CRACK] < params.drugs_only_portfolio_heroin_crack_share
    markets[only, COCAINE] = ~markets[only, HEROIN_CRACK]

    reach_p = np.array([params.share_reach_local, params.share_reach_regional, params.share_reach_national])
    reach = rng.choice(3, size=n, p=reach_p / reach_p.sum())
    serious = params.share_serious_violence
    some = max(params.share_violent - serious, 0.0)
    violence = rng.choice(3, size=n, p=np.array([1 - serious - some, some, serious]))
    enabler_p = np.array([params.share_using_professional_enablers, params.share_using_corrupt_insiders,
                          params.share_using_technical_enablers])
    enablers = rng.random((n, 3)) < enabler_p
    known = rng.random(n) < params.ocg_known_share

    # Heavy-tailed sizes, scaled so the expected number of known members matches the NCA figure.
    exploited_share = np.where(markets[:, HEROIN_CRACK] | markets[:, COCAINE],
                               params.exploited_member_share_drugs, params.exploited_member_share_other)
    shape = rng.lognormal(0.0, params.ocg_size_lognormal_sigma, size=n)
    median = 10.0
    for _ in range(4):
        size = np.maximum(np.rint(median * shape), params.ocg_size_min).astype(np.int64)
        expected_known = _expected_known_members(size, known, params, exploited_share)
        if expected_known <= 0:
            raise ParameterError("known_prob_*: every member would be unknown to police, so the register "
                                 "cannot be scaled to members_known_uk")
        median *= params.members_known_uk / expected_known
        if median * shape.mean() * n > MAX_REGISTER_MEMBERS:
            raise ParameterError(f"members_known_uk = {params.members_known_uk:g} with group sizes drawn as "
                                 f"ocg_size_lognormal_sigma = {params.ocg_size_lognormal_sigma:g} and ocg_size_min = "
                                 f"{params.ocg_size_min:g} needs more than {MAX_REGISTER_MEMBERS:,} members in all "
                                 f"(the UK picture is about 100,000)")
    size = np.maximum(np.rint(median * shape), params.ocg_size_min).astype(np.int64)

    county_lines = np.zeros(n, dtype=np.int64)
    runs_lines = geography.exporter[area] & markets[:, HEROIN_CRACK]
    if runs_lines.any() and params.county_lines_initial > 0:
        weights = size * runs_lines
        county_lines = rng.multinomial(int(params.county_lines_initial), weights / weights.sum())
        # At most one line per member (as a user's register must have): lines drawn beyond that
        # go to groups with room, by size (no draw at all when no group is over).
        room = size * runs_lines - county_lines
        while (room < 0).any() and (room > 0).any():
            excess = int(-room[room < 0].sum())
            county_lines = np.minimum(county_lines, size * runs_lines)
            room = np.maximum(room, 0)
            extra = rng.multinomial(excess, room / room.sum())
            county_lines += extra
            room -= extra

    return Register(
        ocg_id=[f"SYN{i:05d}" for i in range(n)],
        area=area.astype(np.int64), ocg_type=ocg_type.astype(np.int64), reach=reach.astype(np.int64),
        markets=markets, size=size, violence=violence.astype(np.int64), enablers=enablers, known=known,
        capital_gbp=np.full(n, np.nan), county_lines=county_lines.astype(np.int64),
    )


# ---------------------------------------------------------------------------------- loading


def _choice(value: str, options: tuple[str, ...], field: str, errors: list[str], where: str) -> int:
    value = value.strip().lower()
    if value in options:
        return options.index(value)
    errors.append(f"{where}, field '{field}': expected one of {', '.join(options)}, got {value!r}"
                  f"{did_you_mean(value, options)}")
    return 0


def _flags(value: str, options: tuple[str, ...], field: str, errors: list[str], where: str) -> np.ndarray:
    flags = np.zeros(len(options), dtype=bool)
    if value.strip().lower() == "none":  # as violence says it: none of them (an empty cell says the same)
        return flags
    for item in filter(None, (v.strip().lower() for v in value.split(";"))):
        if item in options and flags[options.index(item)]:  # a copy slip for another item, most likely
            errors.append(f"{where}, field '{field}': {item!r} is listed twice; give each item once")
        elif item in options:
            flags[options.index(item)] = True
        else:
            errors.append(f"{where}, field '{field}': unknown item {item!r}{did_you_mean(item, options)}; "
                          f"expected items from {', '.join(options)} separated by ';'")
    return flags


def _as_text(value) -> str:
    """A cell as text: '' for None or NaN, whole floats without their '.0' (1.0 -> '1'), else str."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def validate_rows(rows: list[dict[str, str]], geography: Geography, label: str,
                  numbers: list[int] | None = None) -> Register:
    """Turn raw rows into a Register, collecting every invalid field with its row number (`numbers`,
    by default as in a CSV file whose header is row 1). Cells are read as text: a pandas frame's
    records (numbers, and NaN or None for an empty cell) as its CSV file would give them."""
    rows = [{k: _as_text(v) for k, v in row.items()} for row in rows]
    numbers = numbers or list(range(2, len(rows) + 2))
    if not rows:
        raise RegisterError(f"register '{label}': no rows")
    errors: list[str] = []
    n = len(rows)
    area = np.zeros(n, dtype=np.int64)
    ocg_type = np.zeros(n, dtype=np.int64)
    reach = np.zeros(n, dtype=np.int64)
    violence = np.zeros(n, dtype=np.int64)
    size = np.zeros(n, dtype=np.int64)
    known = np.zeros(n, dtype=bool)
    markets = np.zeros((n, len(MARKETS)), dtype=bool)
    enablers = np.zeros((n, len(ENABLER_TYPES)), dtype=bool)
    capital = np.full(n, np.nan)
    lines = np.zeros(n, dtype=np.int64)
    ids: list[str] = []
    seen: set[str] = set()
    areas = {name: i for i, name in enumerate(geography.area_names)}
    lowered = {area_key(name): i for name, i in areas.items()}  # 'MERSEYSIDE', 'Riverside  City' as written
    for i, row in enumerate(rows):
        where = f"register '{label}', row {numbers[i]}"
        ocg_id = str(row.get("ocg_id") or "").strip()
        if not ocg_id:
            errors.append(f"{where}, field 'ocg_id': expected a non-empty identifier")
        elif ocg_id in seen:
            errors.append(f"{where}, field 'ocg_id': duplicate identifier {ocg_id!r}")
        seen.add(ocg_id)
        ids.append(ocg_id)
        name = str(row.get("area") or "").strip()
        found = areas.get(name, lowered.get(area_key(name)))
        if found is not None:
            area[i] = found
        else:
            grouping = geography.grouping_hint(name) if name else ""  # a region or nation given as an area
            hint = grouping + ": give the group's own police force area" if grouping else area_hint(name, areas)
            errors.append(f"{where}, field 'area': " + (f"{name!r} is not an area of the geography{hint}" if name else
                                                        f"empty{area_hint(name, areas)}"))
        ocg_type[i] = _choice(str(row.get("type") or ""), OCG_TYPES, "type", errors, where)
        reach[i] = _choice(str(row.get("reach") or ""), REACH, "reach", errors, where)
        violence[i] = _choice(str(row.get("violence") or ""), VIOLENCE, "violence", errors, where)
        before = len(errors)
        markets[i] = _flags(str(row.get("markets") or ""), MARKETS, "markets", errors, where)
        if not markets[i].any() and len(errors) == before:  # one fault, one line: not also "none given"
            errors.append(f"{where}, field 'markets': expected at least one market from {', '.join(MARKETS)}")
        enablers[i] = _flags(str(row.get("enablers") or ""), ENABLER_TYPES, "enablers", errors, where)
        try:
            raw_size = float(plain_number(row.get("size")))
            size[i] = int(raw_size)
            if size[i] < 1 or size[i] > MAX_GROUP_SIZE or raw_size != size[i]:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            size[i] = 0  # not also a county-lines error against a size it never had
            errors.append(f"{where}, field 'size': expected a whole number of members from 1 to {MAX_GROUP_SIZE:,}, "
                          f"got {row.get('size')!r}")
        flag = str(row.get("known") or "").strip().lower()
        flag = {"1.0": "1", "0.0": "0"}.get(flag, flag)  # a database's REAL column, as size's "5.0"
        if flag in TRUE_WORDS:
            known[i] = True
        elif flag not in FALSE_WORDS:
            errors.append(f"{where}, field 'known': expected 1/0, true/false, yes/no, y/n or t/f, "
                          f"got {row.get('known')!r}")
        raw_capital = str(row.get("capital_gbp") or "").strip()
        if raw_capital:
            try:
                capital[i] = float(plain_number(raw_capital, currency=True))
                if not np.isfinite(capital[i]) or not 0 <= capital[i] <= MAX_GROUP_CAPITAL_GBP:
                    raise ValueError
            except ValueError:
                errors.append(f"{where}, field 'capital_gbp': expected an amount in pounds from 0 to {MAX_GROUP_CAPITAL_GBP:,.0f} "
                              f"(about a year of the whole UK drug market) or empty, got {raw_capital!r}")
        raw_lines = str(row.get("county_lines") or "").strip()
        if raw_lines:
            try:
                number = float(plain_number(raw_lines))
                lines[i] = int(number)  # "2.0" as a spreadsheet writes it, as for size
                if lines[i] < 0 or number != lines[i]:
                    raise ValueError
            except (ValueError, OverflowError):  # OverflowError: beyond a 64-bit integer
                errors.append(f"{where}, field 'county_lines': expected a whole number >= 0, got {raw_lines!r}")
            else:
                if lines[i] > size[i] > 0:  # each line needs at least one member to run it
                    errors.append(f"{where}, field 'county_lines': {lines[i]:,} lines for a group of {size[i]:,} "
                                  f"members; expected at most one line per member")
                elif lines[i] and not markets[i, HEROIN_CRACK]:  # lines supply heroin and crack
                    errors.append(f"{where}, field 'county_lines': {lines[i]:,} lines for a group without heroin_crack "
                                  f"in its markets; county lines supply heroin and crack (add it, or set 0)")
                elif lines[i] and found is not None and not geography.exporter[area[i]]:
                    errors.append(f"{where}, field 'county_lines': {lines[i]:,} lines for a group in "
                                  f"{geography.area_names[area[i]]}, which is not "
                                  f"a county-lines exporter area; lines run from the exporter areas of the areas file "
                                  f"({', '.join(n for n, e in zip(geography.area_names, geography.exporter) if e)})")
    if not errors and size.sum() > MAX_REGISTER_MEMBERS:
        errors.append(f"register '{label}': {size.sum():,} members in all; the model holds at most "
                      f"{MAX_REGISTER_MEMBERS:,} (the UK picture is about 100,000)")
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        raise RegisterError("\n".join(shown) + more)
    return Register(ids, area, ocg_type, reach, markets, size, violence, enablers, known, capital, lines)


def load_register(source: str, geography: Geography, table: str | None = None) -> Register:
    """Load a register from a CSV path, or from a SQLAlchemy URL when `table` is given."""
    if table is not None or "://" in source:
        if table is None or "://" not in source:
            raise RegisterError(f"register '{safe_url(source)}' looks like a database URL: name the table with "
                                f"--register-table (register_table= from Python)"
                                if table is None else f"--register-table {table}: names a table of a register in a "
                                f"database (--register URL), but '{source}' is not a URL; a CSV register needs none")
        rows, numbers = read_sql(source, table)
        return validate_rows(rows, geography, f"{safe_url(source)}#{table}", numbers)
    rows, numbers = read_csv(Path(source))
    return validate_rows(rows, geography, source, numbers)


@dataclass
class Completion:
    """What `complete_register` took from the user's register and what it drew."""

    register_groups: int
    register_areas: int
    filled_groups: int  # in the areas the register has no group in
    unknown_areas: int  # register areas with no group unknown to police: synthetic unknown groups added
    unknown_groups: int
    register_known: int = 0  # the register's groups known to police
    synthetic_known_there: int = 0  # the synthetic register's known groups in the register's areas

    def describe(self, geography: Geography) -> str:
        text = (f"the register's {self.register_groups:,} groups in {self.register_areas} of {geography.n_areas} "
                f"areas were completed with {self.filled_groups:,} synthetic groups in the other "
                f"{geography.n_areas - self.register_areas} areas")
        if self.unknown_groups:
            text += (f", and {self.unknown_groups:,} synthetic groups unknown to police in the {self.unknown_areas} "
                     f"register area{'s that list' if self.unknown_areas != 1 else ' that lists'} only known groups")
        return text

    def shortfall_warning(self) -> str | None:
        """A warning when the register lists far fewer known groups in its own areas than the
        synthetic register (scaled to the UK's known groups) has there: those areas keep only the
        register's groups, so each is scaled up to supply their demand."""
        if self.register_known >= 0.5 * self.synthetic_known_there:
            return None
        return (f"the register lists {self.register_known:,} groups known to police in its {self.register_areas} "
                f"area{'s' if self.register_areas != 1 else ''}, where the synthetic register (scaled to the UK's "
                f"known groups) has {self.synthetic_known_there:,}: those areas keep only the register's groups, so "
                f"each supplies far more than a real group and results there will not be meaningful. List every "
                f"group in the areas it covers, known to police or not")


def _rows(register: Register, keep: np.ndarray) -> Register:
    index = np.flatnonzero(keep)
    return Register([register.ocg_id[i] for i in index], register.area[index], register.ocg_type[index],
                    register.reach[index], register.markets[index], register.size[index],
                    register.violence[index], register.enablers[index], register.known[index],
                    register.capital_gbp[index], register.county_lines[index])


def _concat(first: Register, second: Register) -> Register:
    taken = set(first.ocg_id)
    ids = [i if i not in taken else f"{i}-synthetic" for i in second.ocg_id]
    columns = ("area", "ocg_type", "reach", "markets", "size", "violence", "enablers", "known", "capital_gbp",
               "county_lines")
    return Register(first.ocg_id + ids, *(np.concatenate([getattr(first, c), getattr(second, c)]) for c in columns))


def complete_register(register: Register, synthetic: Register) -> tuple[Register, Completion]:
    """A user's register of part of the picture, completed from a synthetic UK register.

    Areas the register has groups in keep the register's groups; every other area takes the
    synthetic register's groups in it (so a force's own register sits in a UK of synthetic
    groups). A police register lists groups known to police; where a register area has no
    group flagged unknown, the synthetic groups unknown to police in that area are added, since
    the model maps unknown groups as intelligence grows. The user's rows come first, in order.
    """
    covered = np.zeros(max(int(synthetic.area.max(initial=-1)), int(register.area.max(initial=-1))) + 1, dtype=bool)
    covered[register.area] = True
    has_unknown = np.zeros_like(covered)
    has_unknown[register.area[~register.known]] = True
    fill = ~covered[synthetic.area]
    unknown = covered[synthetic.area] & ~has_unknown[synthetic.area] & ~synthetic.known
    completion = Completion(
        register_groups=len(register), register_areas=int(covered.sum()),
        filled_groups=int(fill.sum()),
        unknown_areas=int(np.unique(synthetic.area[unknown]).size), unknown_groups=int(unknown.sum()),
        register_known=int(np.count_nonzero(register.known)),
        synthetic_known_there=int(np.count_nonzero(covered[synthetic.area] & synthetic.known)))
    return _concat(register, _rows(synthetic, fill | unknown)), completion

