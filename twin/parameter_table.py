"""The parameter table: one row per parameter, with unit, plausible range and source.

Sources: "source 00N" are the project's source documents (see docs/ODD.md, "Sources"). A value
marked "assumption" has no direct published source; its plausible range is what a
calibration prior or a sensitivity analysis should explore. "derived" values are computed
from sourced figures as stated. Money is in 2023-24 prices (GBP).
"""

from __future__ import annotations

from twin.parameter_table_response import POLICING_AND_JUSTICE, TRUST
from twin.parameters import Parameter

A = "assumption"

#: the source documents parameter and lever sources cite as "source 000" to "source 004" (docs/ODD.md)
SOURCE_DOCUMENTS = {
    "source 000": "NPCC national SOC lead: foreword and the Clear, Hold, Build rollout",
    "source 001": "EMPAC / EMSOU, Working Together on Serious Organised Crime (2019)",
    "source 002": "PaCCS policy briefing, Maximising Impact from Serious Organised Crime Research",
    "source 003": "Tony Blair Institute, Future of Britain: the SOC threat, powers and funding",
    "source 004": "Metropolitan Police Authority, briefing on the criminal networks priority (2006)",
}


def _p(name, value, unit, low, high, source, description, group, kind="nonnegative"):
    return Parameter(name, value, unit, low, high, source, description, group, kind)


PARAMETER_TABLE: list[Parameter] = [
    # ------------------------------------------------------------------ population (register)
    # The type, reach, portfolio and violence shares are the Metropolitan Police's London typology
    # (source 004, 2006), applied to the UK's groups: no UK-wide typology is published. That they hold
    # for the UK is an assumption; their ranges are what a sensitivity analysis should explore.
    _p("ocgs_known_uk", 4772, "OCGs", 4300, 5200, "source 003: 4,772 OCGs operating in the UK (latest estimate, 2020-21), read as those known to police: the count comes from law enforcement's own estimate, so groups unknown to it are added (`ocg_known_share`, an assumption)",
       "OCGs known to police at the start (synthetic register)", "population", "count"),
    _p("ocg_known_share", 0.85, "share", 0.6, 0.95,
       f"{A}: police map most but not all active groups",
       "share of all active OCGs that are known (mapped) at the start", "population", "share"),
    _p("members_known_uk", 59000, "people", 59000, 65000, "source 003: more than 59,000 known SOC suspects (NCA)",
       "known members at the start; OCG sizes are scaled to reproduce it", "population", "count"),
    _p("ocg_size_min", 3, "people", 3, 4,
       "UN Convention against Transnational Organized Crime art. 2: a structured group of three or more (4 tries a stricter count)",
       "smallest OCG at the start (every group has a leader)", "population", "positive_count"),
    _p("ocg_size_lognormal_sigma", 0.8, "log people", 0.5, 1.2, f"{A}: heavy-tailed group sizes",
       "spread of OCG sizes (lognormal sigma)", "population", "positive"),
    _p("share_type_cultural", 0.47, "share", 0.40, 0.54, "source 004 s.15 (London OCG typology, applied to the UK)",
       "share of OCGs bound by shared culture or ethnicity", "population", "share"),
    _p("share_type_proximity", 0.42, "share", 0.35, 0.49, "source 004 s.15", "share of OCGs bound by locality",
       "population", "share"),
    _p("share_type_family", 0.09, "share", 0.05, 0.13, "source 004 s.15", "share of family-based OCGs",
       "population", "share"),
    _p("share_type_virtual", 0.02, "share", 0.01, 0.05, "source 004 s.15", "share of virtual (online) OCGs",
       "population", "share"),
    _p("share_reach_local", 0.36, "share", 0.30, 0.42,
        "source 004 s.15 (the Met's networks): one borough 36%; with the 15% across several boroughs, also within"
        " one force area, 51% would work in one area of the model: the range's top is an assumption",
       "share of OCGs operating in one area", "population", "share"),
    _p("share_reach_regional", 0.15, "share", 0.10, 0.20,
        "source 004 s.15 (the Met's networks): several boroughs, still within London, 15%, read as working across"
        " a region (a London borough is smaller than a force area: an assumption)",
       "share of OCGs operating across a region", "population", "share"),
    _p("share_reach_national", 0.49, "share", 0.42, 0.56, "source 004 s.15: national/international 49%",
       "share of OCGs with national or international reach", "population", "share"),
    _p("share_portfolio_drugs_laundering", 0.64, "share", 0.58, 0.70,
       "source 004: 64% drugs/firearms with money laundering", "portfolio share: drugs or firearms plus laundering",
       "population", "share"),
    _p("share_portfolio_economic", 0.32, "share", 0.26, 0.38, "source 004: 32% economic crime, no drugs",
       "portfolio share: economic crime without drugs", "population", "share"),
    _p("share_portfolio_drugs_only", 0.04, "share", 0.02, 0.06, "source 004: 4% drugs only",
       "portfolio share: drugs only (the 4% not multi-criminal)", "population", "share"),
    *(_p(f"{portfolio}_portfolio_{market}_share", value, "share", low, high,
         f"{A}: source 004 gives the portfolios' shares, not the markets within them ({why}); the productivity "
         f"calibration fits each market's supply to its demand whatever the number of suppliers, so this mainly sets "
         f"how many groups, and which, a market's enforcement and violence fall on; range {low:g} to {high:g}",
         f"synthetic register: share of {label} groups that {does}", "population", "share")
      for portfolio, market, value, low, high, label, does, why in (
          ("drugs", "heroin_crack", 0.6, 0.4, 0.8, "drugs-and-laundering", "supply heroin and crack",
           "heroin and crack the more common"),
          ("drugs", "cocaine", 0.7, 0.5, 0.9, "drugs-and-laundering", "supply cocaine too (all that do not supply "
           "heroin and crack do)", "every such group supplies one class A drug at least"),
          ("drugs", "firearms", 0.25, 0.1, 0.4, "drugs-and-laundering", "supply firearms",
           "source 004 joins drugs and firearms in one share"),
          ("drugs", "acquisitive", 0.25, 0.1, 0.4, "drugs-and-laundering", "commit acquisitive crime",
           "96% are multi-criminal"),
          ("drugs", "modern_slavery", 0.10, 0.05, 0.2, "drugs-and-laundering", "run modern slavery",
           "a minority"),
          ("drugs", "immigration", 0.05, 0.0, 0.1, "drugs-and-laundering", "run organised immigration crime",
           "a small minority"),
          ("economic", "modern_slavery", 0.20, 0.1, 0.3, "economic-crime", "run modern slavery",
           "every one defrauds and launders"),
          ("economic", "immigration", 0.20, 0.1, 0.3, "economic-crime", "run organised immigration crime",
           "every one defrauds and launders"),
          ("economic", "acquisitive", 0.20, 0.1, 0.3, "economic-crime", "commit acquisitive crime",
           "every one defrauds and launders"),
          ("drugs_only", "heroin_crack", 0.5, 0.3, 0.7, "drugs-only", "supply heroin and crack (the rest cocaine)",
           "4% are in drugs only"))),
    _p("share_violent", 0.70, "share", 0.60, 0.80, "source 004: 70% of OCGs use violence",
       "share of OCGs that use violence", "population", "share"),
    _p("share_serious_violence", 0.56, "share", 0.45, 0.65, "source 004: 56% use serious violence",
       "share of OCGs that use serious violence (subset of the violent)", "population", "share"),
    _p("insulation_start_max", 0.4, "index 0-1", 0.2, 0.6, f"{A}: leaders start with some insulation from the members below them, spread evenly from none to this value; learning after operations raises it (insulation_learning_step)",
       "highest insulation of a leader at the start (uniform from 0)", "population", "share"),
    # Cohesion by the London typology's types (source 004 s.13, shares s.15): a group's capacity scales with
    # 0.5 + 0.5 cohesion, so with productivity set at the start only the differences between types
    # and the losses in successions (which groups recover towards these values) matter.
    _p("cohesion_base_cultural", 0.75, "index 0-1", 0.6, 0.9, f"{A}: shared culture or ethnicity binds a group closely, below family (source 004 s.13 types)",
       "cohesion of a group bound by shared culture or ethnicity, and what it recovers towards", "population", "share"),
    _p("cohesion_base_proximity", 0.6, "index 0-1", 0.45, 0.75, f"{A}: groups bound by locality are looser alliances than cultural or family groups (source 004 s.13 types)",
       "cohesion of a group bound by locality, and what it recovers towards", "population", "share"),
    _p("cohesion_base_family", 0.9, "index 0-1", 0.75, 1.0, f"{A}: family groups are the most cohesive (source 004 s.13 types)",
       "cohesion of a family-based group, and what it recovers towards", "population", "share"),
    _p("cohesion_base_virtual", 0.5, "index 0-1", 0.35, 0.65, f"{A}: online groups of people who may never meet are the least cohesive (source 004 s.13 types)",
       "cohesion of a virtual (online) group, and what it recovers towards", "population", "share"),
    _p("core_member_share", 0.20, "share", 0.10, 0.30, f"{A}: small trusted core around the leader",
       "share of non-leader members in the core", "population", "share"),
    _p("exploited_member_share_drugs", 0.30, "share", 0.15, 0.45,
       f"{A}: county lines rely on exploited runners (source 003)",
       "share of drug OCGs' members below the core (workers and exploited) who are exploited (victims made offenders): "
       "with `core_member_share`, about 23% of their members at the start and 21% over ten years", "population", "share"),
    _p("exploited_member_share_other", 0.08, "share", 0.03, 0.15, f"{A}: money mules and forced labour in non-drug groups, well under drug groups' share; with NRM identification keeps criminal exploitation near 65% of referrals (source 003)",
       "share of non-drug OCGs' members below the core who are exploited: about 6% of their members", "population",
       "share"),
    _p("child_share_of_exploited", 0.45, "share", 0.30, 0.60,
       f"{A}: children are a large share of NRM criminal-exploitation referrals (Home Office NRM statistics 2023)",
       "share of exploited recruits who are children (fewer of the exploited members: children turn 18)", "population", "share"),
    _p("child_recruit_age_min_years", 14.0, "years", 12.0, 16.0,
       f"{A}: exploited children are mostly mid-to-late teenagers; ages at recruitment (and of the children in crime at the start) spread evenly from this age to 18, so a child stays a child for (18 - this) / 2 years on average",
       "youngest age at which children are recruited", "population", "positive"),
    _p("known_prob_leader", 0.90, "probability", 0.7, 1.0, f"{A}: leaders of mapped groups are mostly known nominals (source 004 s.11, Core Nominal Index); register sizes are scaled so the known_prob_* give source 003's 59,000 known suspects",
       "probability a leader of a known OCG is a known suspect", "population", "probability"),
    _p("known_prob_core", 0.85, "probability", 0.6, 1.0, f"{A}: core members of mapped groups are usually known (source 004 s.11); sizes are scaled so the known_prob_* reproduce 59,000 known suspects (source 003)",
       "probability a core member of a known OCG is a known suspect", "population", "probability"),
    _p("known_prob_worker", 0.70, "probability", 0.5, 0.9, f"{A}: workers are known less often than the core (source 003: policing pursues 'known, often lower-level offenders'); scaled with the other known_prob_* to 59,000",
       "probability a worker of a known OCG is a known suspect", "population", "probability"),
    _p("known_prob_exploited", 0.40, "probability", 0.2, 0.6, f"{A}: exploited runners are rarely recorded as nominals; scaled with the other known_prob_* to 59,000 known suspects (source 003)",
       "probability an exploited member of a known OCG is known", "population", "probability"),
    _p("known_prob_unmapped_ocg", 0.10, "probability", 0.0, 0.3, f"{A}: members of unmapped groups are known only through other offending; low, keeping a dark figure (source 003: powers would find people 'not previously identified')",
       "probability a member of an unmapped OCG is a known suspect", "population", "probability"),
    _p("share_using_professional_enablers", 0.45, "share", 0.25, 0.86,
       f"{A}: Europol (source 003) finds 86% of the most threatening networks in the EU use legal business "
       "structures, a wider thing than a professional enabler: the top of the range",
       "share of OCGs using a professional enabler", "population", "share"),
    _p("share_using_corrupt_insiders", 0.30, "share", 0.15, 0.70,
       f"{A}: Europol (source 003) finds more than 70% of networks (in the EU) engage in corruption: the top of "
       "the range; an insider in the UK sectors modelled (border, ports, prisons, police) is rarer",
       "share of OCGs using a corrupt insider", "population", "share"),
    _p("share_using_technical_enablers", 0.35, "share", 0.15, 0.60,
       f"{A}: no count of UK groups on encrypted platforms or crypto services exists in the sources; source 003 "
       "says criminals use VPNs, encrypted messaging and cryptocurrency to hide (EncroChat alone had about 60,000 "
       "users worldwide) and that cases relying on encrypted technology are extremely difficult; about a third of "
       "groups, with a wide range (0.15 to 0.6) for sensitivity analysis",
       "share of OCGs using encrypted platforms or crypto services", "population", "share"),
    _p("enablers_professional", 1500, "enablers", 500, 4000,
        f"{A}: order of magnitude only: source 003 cites 2,189 UK companies involved in laundering for Russian "
        "citizens alone (Transparency International), so professional enablers number in the thousands; at this"
        " value each serves about 1.7 of the groups using one",
       "professional enablers in the UK", "population", "count"),
    _p("enablers_insider", 800, "enablers", 300, 2000,
       f"{A}: source 003: 992 prison staff investigated for drug conveyance 2019 to June 2023, 114 arrested and 42"
       " charged: one sector's corrupt insiders number about a hundred if the arrests are the measure, near a "
       "thousand if the investigations are; 800 across four sectors (about 200 each) sits near the lower "
       "reading, and the range spans both",
       "corrupt insiders (border, ports, prisons, police)", "population", "count"),
    _p("enablers_technical", 40, "enablers", 10, 100, f"{A}: a few dozen encrypted-phone and crypto services serve UK groups (source 003 on EncroChat's worldwide user base)", "encrypted platforms and crypto services", "population", "count"),
    _p("enabler_client_pareto_shape", 1.5, "Pareto shape", 1.1, 3.0, f"{A}: a few enablers serve many groups and most serve a few (source 003: EncroChat was used by 60,000 people worldwide); 1.1 concentrates clients on a few enablers, 3 spreads them almost evenly",
       "shape of the Pareto spread of enablers' pull on clients (lower: clients more concentrated)", "population", "positive"),
    _p("enabler_entry_prob_per_month", 0.8, "probability/month", 0.3, 1.0, f"{A}: removed enablers are soon replaced: encrypted-communications software is accessible (source 003), so groups can move to other platforms; the supply of launderers is large (source 003: Transparency International found 2,189 UK-registered companies involved in laundering for Russian clients). High because each technical enabler serves dozens of groups and is exposed often: below about 0.5 the baseline's technical pool and encrypted share fall more than 15%",
       "monthly chance each enabler a kind is short of its starting count is replaced by a new one", "population", "probability"),
    _p("enabler_relink_prob_per_month", 0.3, "probability/month", 0.15, 0.5, f"{A}: a new platform or launderer takes a few months to find and trust; with 0.3 the baseline's encrypted share stays within 10% of its start while adoption after operations adds clients (at 0.5 it climbs 19% in ten years)",
       "monthly chance a group that lost its enabler of a kind links to another", "population", "probability"),
    _p("county_lines_initial", 1500, "lines", 800, 2500,
       f"{A}: NCA estimated about 2,000 lines in 2019, fewer after the County Lines Programme",
       "county lines active at the start", "population", "count"),
    _p("at_risk_share_of_population", 0.02, "share", 0.01, 0.04,
       f"{A}: deprivation, care, exclusion, debt, irregular migration (source 003)",
       "share of the population at risk of recruitment or exploitation", "population", "share"),
    _p("exporter_vulnerability_multiplier", 1.3, "multiplier", 1.0, 1.8,
       f"{A}: county-lines exporter areas are large deprived urban areas",
       "vulnerability of exporter areas relative to others", "population", "positive"),
    _p("community_trust_initial", 0.60, "index 0-1", 0.4, 0.8, f"{A}: an index; detection and operation success use only its ratio to the start, so the level matters only for lever additions (source 003: 52% in deprived areas report local SOC)",
       "community trust at the start (non-exporter areas)", "population", "share"),
    _p("community_trust_initial_exporter", 0.50, "index 0-1", 0.3, 0.7,
       f"{A}: 52% in the most deprived areas call SOC a serious local problem (source 003)",
       "community trust at the start in exporter areas", "population", "share"),
    # ------------------------------------------------------------------ markets and demand
    _p("heroin_crack_users_uk", 370000, "users", 300000, 450000,
       "derived: 314,000 opiate/crack users in England 2016/17 (Hay et al.) scaled to UK population",
       "people using heroin or crack (baseline demand)", "markets", "positive"),
    _p("cocaine_users_uk", 950000, "users", 700000, 1200000,
       f"{A}: about 2.6% of adults 16-59 used powder cocaine in the last year (CSEW 2019/20)",
       "people using powder cocaine (baseline demand)", "markets", "positive"),
    _p("fraud_offences_per_year", 3200000, "offences/year", 2800000, 3800000,
       "source 003: 3.2m fraud offences, year ending Sept 2023 (CSEW: frauds against adults in England and Wales,"
       " taken as the UK's; scaled by population the UK would have about 3.6m, the range's top an assumption)",
       "fraud offences at baseline demand", "markets", "positive"),
    _p("modern_slavery_victims_uk", 20000, "victims", 10000, 130000,
       f"{A}: Home Office 10,000-13,000 (2014); Walk Free 122,000 (2023)",
       "people in labour or sexual exploitation by OCGs at baseline", "markets", "positive"),
    _p("immigration_arrivals_per_year", 29437, "arrivals/year", 25000, 45000,
       "source 003: 29,437 small-boat arrivals in 2023 (45,774 at the 2022 peak, the same line; the range, an "
       "assumption, stops short of it)", "irregular arrivals facilitated by OCGs", "markets", "positive"),
    _p("firearms_trafficked_per_year", 1500, "firearms/year", 500, 4000, f"{A}: no figure in the source documents; firearms supply is a named threat (source 000, source 004 s.26); a small share of harm, so the wide range matters little",
       "illegal firearms supplied by OCGs", "markets", "positive"),
    _p("acquisitive_offences_per_year", 200000, "offences/year", 100000, 400000, f"{A}: the organised share of vehicle theft, burglary and metal theft; source 003: almost half of acquisitive crime is associated with drugs",
       "organised acquisitive offences (vehicle theft, burglary, metal theft)", "markets", "positive"),
    _p("supply_demand_ratio_initial", 1.24, "ratio", 1.0, 1.5,
       "calibrated: posterior median of the shipped fit, twin calibrate calibration/abc.toml (ABC-SMC to calibration/targets.toml; sample in calibration/posterior.csv; fitted by an earlier version of the model: docs/ODD.md, section 3.7, gives a refit on this one), though the targets barely constrain it (posterior 90% range 1.04-1.46, about its prior); prior: source 003 says heroin and crack supply is plentiful (rising purity, falling prices)",
       "OCG supply capacity over demand at the start", "markets", "positive"),
    _p("drug_demand_price_elasticity", -0.5, "elasticity", -1.0, -0.2,
       f"{A}: meta-analyses put illicit drug demand elasticity around -0.3 to -0.8",
       "response of drug demand to price (demand falls as the price rises)", "markets", "nonpositive"),
    _p("price_supply_elasticity", 1.0, "elasticity", 0.3, 2.0, f"{A}: prices move one-for-one with relative shortfall; source 003 reads rising purity and falling prices as plentiful supply",
       "price rise per unit of relative supply shortfall", "markets", "nonnegative"),
    _p("fraud_supply_elasticity", 0.8, "elasticity", 0.5, 1.0,
       f"{A}: fraud volume follows the capacity of the groups committing it more than the pool of victims, which the internet makes vast (source 003: more potential victims, particularly for fraud)",
       "rise in fraud offences per unit rise in fraud supply relative to the start (national market)", "markets", "nonnegative"),
    _p("immigration_supply_elasticity", 0.5, "elasticity", 0.2, 0.8,
       f"{A}: crossings need both migrants seeking passage (source 003: demand for OCGs' illegal passage is growing) and organisers, boats and routes",
       "rise in facilitated arrivals per unit rise in smuggling supply relative to the start (national market)", "markets", "nonnegative"),
    _p("demand_vulnerability_elasticity", 1.0, "elasticity", 0.5, 1.5, f"{A}: local drug demand proportional to deprivation-driven vulnerability (source 003, source 002 A.1.1: local factors play a critical role)",
       "how local drug demand scales with the area's vulnerability", "markets", "nonnegative"),
    _p("regional_displacement_share", 0.30, "share", 0.1, 0.6,
       f"{A}: Guerette and Bowers (2009): displacement partial, usually smaller than the crime prevented",
       "share of an area's unmet demand that OCGs from neighbouring areas fill", "markets", "share"),
    _p("county_line_capacity_users", 60, "users per line", 20, 150, f"{A}: users served by one line; with the starting lines it puts about a quarter of heroin/crack users on county lines (source 003: lines supply towns across the UK)",
       "heroin/crack users one county line can supply", "markets", "positive"),
    _p("county_line_vacancy_response", 5.0, "multiplier per unit vacancy", 0.0, 20.0, f"{A}: openings rise with unmet demand outside exporter areas (source 003: county lines have expanded); VALIDATION.md s.3 finds refilling slower than the evidence",
       "rise in new county lines per unit of unmet heroin/crack demand outside exporter areas "
       "(with none, openings replace business and police closures at the starting rate)", "markets", "nonnegative"),
    _p("county_line_closure_prob_per_month", 0.02, "probability/month", 0.005, 0.06, f"{A}: no figure in the source documents; lines close for business reasons (runners lost, rivals); openings replace closures at the start",
       "monthly chance a line closes for business reasons", "markets", "probability"),
    _p("county_line_enforcement_closure_prob_per_month", 0.025, "probability/month", 0.01, 0.05,
       f"{A}: no figure in the source documents; set so the baseline's lines stay near the register's over the spin-up and ten years "
       f"(source 003: county lines have expanded, so a falling baseline would contradict it). They drift up: in "
       f"years 8-10 they are 1-26% above the register's 1,500 (seeds 1-8), 16% on average (se 2.9%), beyond the "
       f"20% aimed for in some seeds, because all closures run at about 3.6-3.8% of lines a month (seeds 1-2) against "
       f"the 4.5% the openings allow for (this and the business closures' 2%), so lines settle where closures "
       f"match the openings; about 0.017 would hold them at the register's level",
       "police closures a month, as a share of lines, that the opening rate at the start allows for "
       "(it sets openings only; police closures themselves follow disruptions)", "markets", "probability"),
    _p("price_adjustment_per_month", 0.5, "share of gap/month", 0.25, 0.75, f"{A}: street prices follow a shortage within a few months (half the gap to the clearing price closed each month)",
       "share of the gap between a market's price index and its clearing price closed each month", "markets", "share"),
    _p("price_index_min", 0.25, "ratio to start", 0.1, 0.5, f"{A}: however plentiful the supply, prices do not fall below a quarter of their start",
       "lowest price index of a market, relative to its start", "markets", "positive"),
    _p("price_index_max", 4.0, "ratio to start", 2.0, 8.0, f"{A}: however short the supply, prices do not rise above four times their start",
       "highest price index of a market, relative to its start", "markets", "positive"),
    _p("heroin_home_supply_floor_share", 0.1, "share", 0.05, 0.2, f"{A}: groups in every area keep some of their own heroin/crack supply however much county lines carry",
       "least share of heroin/crack supply the home groups provide at the start (productivity is set from it when county lines carry most of the supply)", "markets", "share"),
    # ------------------------------------------------------------------ revenue and capital
    _p("price_heroin_crack_gbp_per_user_month", 900, "GBP/user-month", 500, 1500,
       f"{A}: the UK illicit drug market is about £9.4bn a year (Black review 2020, in prices of the late 2010s; "
       f"uprated to 2023-24 by the GDP deflator, a fifth to a quarter more, some £11-12bn); at this price the model's "
       f"370,000 heroin/crack users spend about £4.0bn a year, and its cocaine users about £1.7bn, about half of "
       f"the market uprated, the rest being drugs the model does not trade",
       "OCG revenue per heroin/crack user served", "revenue", "positive"),
    _p("price_cocaine_gbp_per_user_month", 150, "GBP/user-month", 80, 300, f"{A}: no figure in the source documents; a few grams a month per user; with cocaine users it stays a minor part of the UK drug market (Black review 2020, cited for heroin/crack)",
       "OCG revenue per cocaine user served", "revenue", "positive"),
    _p("price_fraud_gbp_per_offence", 860, "GBP/offence", 560, 1340,
       "derived: source 003 £2.46bn lost to fraud (2021-22) over 3.2m offences (the year to September 2023: the "
       "two figures are from different years, and the loss per offence is assumed to have held) is £770 in "
       "2021-22 prices; uprated to 2023-24 by the GDP deflator at market prices (HM Treasury series from ONS "
       "L8GG; about 12% over the two years). The loss includes businesses' losses while the offences are frauds"
       " against adults in England and Wales, so the figure is on the high side; the range (an assumption) runs"
       " from about two-thirds to one and a half times it",
       "OCG revenue per fraud offence", "revenue", "positive"),
    _p("price_slavery_gbp_per_victim_month", 1500, "GBP/victim-month", 500, 4000, f"{A}: no figure in the source documents; OCG revenue per person exploited, between labour and sexual exploitation",
       "OCG revenue per exploited victim", "revenue", "positive"),
    _p("price_immigration_gbp_per_arrival", 5000, "GBP/arrival", 2000, 8000,
       f"{A}: reported fees of a few thousand pounds per Channel crossing",
       "OCG revenue per facilitated arrival", "revenue", "positive"),
    _p("price_firearm_gbp", 2500, "GBP/firearm", 1000, 6000, f"{A}: no figure in the source documents; criminal price of a handgun or converted weapon; negligible in total revenue", "OCG revenue per firearm", "revenue", "positive"),
    _p("price_acquisitive_gbp_per_offence", 3000, "GBP/offence", 1000, 8000, f"{A}: no figure in the source documents; resale or export value per organised theft, mostly vehicles and parts",
       "OCG revenue per acquisitive offence", "revenue", "positive"),
    _p("profit_margin", 0.35, "share", 0.2, 0.6, f"{A}: share left after product, labour and losses; with laundering and spending it sets OCG capital, which seizures (ABC-calibrated share) draw on; source 004 s.4: 'low risk, high profit'", "share of revenue that is profit", "revenue", "share"),
    _p("laundering_efficiency_base", 0.55, "share", 0.3, 0.8, f"{A}: without a professional, cash handling and mule fees lose much of the profit; well below laundering_efficiency_professional by default, though their plausible ranges overlap, so a sensitivity sample may put it above (source 003: >£10bn laundered via money mules a year)",
       "share of profit turned into usable capital without a professional enabler", "revenue", "share"),
    _p("laundering_efficiency_professional", 0.85, "share", 0.6, 0.95, f"{A}: professional launderers keep most of the value for a fee (source 003: enablers' specialist skills are at the heart of organised crime)",
       "share of profit turned into usable capital with a professional enabler", "revenue", "share"),
    _p("capital_spend_rate_per_month", 0.02, "share/month", 0.01, 0.06, f"{A}: capital turns over in about four years (source 003: £6.7bn of UK property bought with suspect funds suggests long-lived assets)",
       "share of capital consumed or reinvested each month", "revenue", "share"),
    _p("laundering_coverage_floor", 0.5, "share", 0.3, 0.7, f"{A}: when laundering services are short, groups still bank half their usual share by cash and mules",
       "share of its usual laundering efficiency a group keeps with no laundering service; the rest scales with the share of demand the services cover", "revenue", "share"),
    # ------------------------------------------------------------------ harm (2023-24 prices)
    _p("harm_gbp_per_heroin_crack_user_year", 63900, "GBP/user-year", 40000, 90000,
       "calibrated: posterior median of the shipped fit, twin calibrate calibration/abc.toml (ABC-SMC to calibration/targets.toml; sample in calibration/posterior.csv; fitted by an earlier version of the model: docs/ODD.md, section 3.7, gives a refit on this one); prior from source 003's £26bn drug harm, about three quarters from heroin and crack (Black review 2020): £19.5bn is £52,700 a user over the UK's 370,000 users and £62,100 over England's 314,000; the prior is about £65,000 and 40% either side. The posterior median sits above both, mostly because harm accrues on users supplied and the model's heroin/crack users settle lower after the spin-up (about 340,000, 96% of them supplied, in years 1-3, seeds 1-4: £19.5bn over them is about £60,000), and because it carries the part of the £26bn cocaine's fixed cost per user leaves (below) (an earlier top of £70,000 had no source, and the posterior piled up against it)",
       "social and economic cost per heroin/crack user supplied", "harm", "positive"),
    _p("harm_gbp_per_cocaine_user_year", 6500, "GBP/user-year", 3000, 12000,
       "derived: the remainder of source 003's £26bn drug harm after heroin and crack's three quarters, £6.5bn, over 950,000 cocaine users is about £6,800 (£6,900 over the 99% supplied, on whom harm accrues); 6,500 is below both, by 4-6%, well within the range. The model's cocaine users settle lower after the spin-up (about 885,000, 870,000 of them supplied, in years 1-3, seeds 1-4), so cocaine harm is about £5.7bn, and the calibrated heroin/crack cost per user takes up the rest of the £26bn",
       "social and economic cost per cocaine user supplied", "harm", "positive"),
    _p("harm_gbp_per_fraud_offence", 3300, "GBP/offence", 2500, 4500,
       "derived: source 003 £11bn economic-crime cost over about 3.3m offences a year (£3,300 each; over source 003's 3.2m, £3,440): the model holds about 3.27m after the spin-up, so the economic harm lands near £10.8bn",
       "cost per fraud offence (anticipation, consequence, response)", "harm", "positive"),
    _p("harm_gbp_per_slavery_victim_year", 95000, "GBP/victim-year", 50000, 420000,
       "derived: source 003 £3bn modern-slavery cost over modelled victim-years (the exploited members of the "
       "groups as well as the victims of the markets: about 31,600 a year at this value); the range reaches Home "
       "Office (2018) £329k per victim (a whole episode, 2016/17 prices; about £420k in 2023-24 prices), a "
       "victim-year's cost only if an episode lasts about a year: a bound for sensitivity analysis, far above what "
       "the £3bn allows (about £13bn of slavery harm at the top)",
       "cost per person exploited (labour, sexual or criminal exploitation)", "harm", "positive"),
    _p("harm_gbp_per_immigration_arrival", 20000, "GBP/arrival", 5000, 60000, f"{A}: no Home Office unit cost; risk to life at sea, exploitation and response (source 003: crossings are highly dangerous, some paid in forced criminal labour)",
       "cost per irregular arrival facilitated (risk to life, exploitation, response)", "harm", "positive"),
    _p("harm_gbp_per_homicide", 4000000, "GBP/homicide", 3600000, 4800000,
       "derived: Heeks et al. (2018) Home Office: £3.2m per homicide in 2015/16 prices, uprated by a quarter to "
       "2023-24 (the uprating the slavery cost takes from 2016/17, 1.28, would give about £4.1m from 2015/16: "
       "inside the range); the range (a tenth below to a fifth above) is assumed, the source giving no interval",
       "cost of a homicide", "harm", "positive"),
    _p("harm_gbp_per_serious_violence", 18000, "GBP/incident", 10000, 30000,
       "derived: Heeks et al. (2018): violence with injury (about £14,000 in 2015/16 prices), uprated to 2023-24 "
       "about as the homicide's", "cost of a serious violent incident", "harm", "positive"),
    _p("harm_gbp_per_firearm", 400000, "GBP/firearm", 100000, 1000000, f"{A}: about a tenth of a homicide's cost (harm_gbp_per_homicide) over a trafficked gun's criminal life, plus injuries and fear",
       "future harm from one trafficked firearm", "harm", "positive"),
    _p("harm_gbp_per_acquisitive_offence", 12000, "GBP/offence", 5000, 20000, f"{A}: of the order of the Home Office (Heeks et al. 2018) unit costs of vehicle theft, robbery and burglary, weighted to vehicles; those are 2015/16 prices, and the range covers uprating them by about a quarter (as the homicide cost is) to 2023-24",
       "cost per organised acquisitive offence", "harm", "positive"),
    _p("drug_deaths_per_million_per_year", 65.9, "deaths/million/year", 50, 110,
       "derived: source 003's 53.9 drug-misuse deaths per million in 2022 is England and Wales's rate (ONS, "
       "age-standardised; taken as a crude rate it gives about 3,210 deaths over 59.6m, a little above the "
       "count ONS registered); with Scotland's 1,051 (National Records of Scotland, 2022) and Northern "
       "Ireland's about 150 (NISRA), about 4,410 UK deaths over 67.0m. The source's rate alone would leave out "
       "most of Scotland's, the highest in Europe",
       "drug deaths at baseline supply (allocated by users supplied)", "harm", "nonnegative"),
    _p("drug_death_rate_ratio_scotland", 2.93, "ratio", 2.4, 3.7,
       "derived: Scotland's 1,051 drug-misuse deaths in 2022 (National Records of Scotland) over its 5.45m people is "
       "193 a million, 2.93 times the UK's 65.9; the range's top is 2021-2023's highest (1,330 deaths, 3.7), its "
       "bottom (2.4, about a fifth below 2022's) assumed, allowing for the model placing more users in "
       "Scotland than it has. "
       "England and Wales take the rest, so the UK's rate holds (source 003's 53.9 a million, 0.82 times)",
       "Scotland's drug deaths per head over the UK's (the highest rate in Europe), spread over the users the model "
       "places there", "harm", "positive"),
    _p("drug_death_rate_ratio_northern_ireland", 1.2, "ratio", 0.8, 1.8,
       "derived: Northern Ireland's about 150 drug-related deaths in 2022 (NISRA) over its 1.90m people is about 79 a "
       "million, 1.2 times the UK's 65.9; the range runs from NISRA's narrower drug-misuse count of 2022 (about 1.0) "
       "to its drug-related deaths of 2020 and 2021 (about 215 a year, 1.7)",
       "Northern Ireland's drug deaths per head over the UK's, spread over the users the model places there", "harm",
       "positive"),
    _p("heroin_crack_death_share", 0.73, "share", 0.6, 0.85,
       "derived: ONS deaths related to drug poisoning, England and Wales, 2022: 46.1% of 4,907 involved an opiate (about 2,260), 857 cocaine; heroin/crack's share of the two markets' deaths 2,260 / (2,260 + 857). Deaths involving both, and other drugs, are an assumption the range covers",
       "share of drug deaths linked to the heroin/crack market (the rest to cocaine)", "harm", "share"),
    # Home Office method (Mills, Skodbo and Blyth 2013; Home Office 2018 update): costs in
    # anticipation, as a consequence, and in response. The shares below split each category's
    # unit cost; the response share is the response outside the modelled SOC policing budget
    # (health, wider criminal justice). The modelled courts and SOC prisons (response_cost_gbp) are
    # criminal justice too: docs/ODD.md section 4 says what that overlap counts twice.
    _p("anticipation_share_drugs", 0.02, "share", 0.01, 0.04, f"{A}: split after the Home Office method's structure",
       "share of drugs harm that is anticipation cost", "harm", "share"),
    _p("response_share_drugs", 0.25, "share", 0.125, 0.5, f"{A}: split after the Home Office method's structure",
       "share of drugs harm that is response cost", "harm", "share"),
    _p("anticipation_share_economic", 0.15, "share", 0.075, 0.3, f"{A}: split after the Home Office method's structure",
       "share of economic harm that is anticipation cost", "harm", "share"),
    _p("response_share_economic", 0.05, "share", 0.025, 0.1, f"{A}: split after the Home Office method's structure",
       "share of economic harm that is response cost", "harm", "share"),
    _p("anticipation_share_modern_slavery", 0.02, "share", 0.01, 0.04, f"{A}: split after the Home Office method's structure",
       "share of modern slavery harm that is anticipation cost", "harm", "share"),
    _p("response_share_modern_slavery", 0.1, "share", 0.05, 0.2, f"{A}: split after the Home Office method's structure",
       "share of modern slavery harm that is response cost", "harm", "share"),
    _p("anticipation_share_immigration", 0.1, "share", 0.05, 0.2, f"{A}: split after the Home Office method's structure",
       "share of immigration harm that is anticipation cost", "harm", "share"),
    _p("response_share_immigration", 0.4, "share", 0.2, 0.6, f"{A}: split after the Home Office method's structure",
       "share of immigration harm that is response cost", "harm", "share"),
    _p("anticipation_share_violence", 0.02, "share", 0.01, 0.04, f"{A}: split after the Home Office method's structure",
       "share of violence harm that is anticipation cost", "harm", "share"),
    _p("response_share_violence", 0.2, "share", 0.1, 0.4, f"{A}: split after the Home Office method's structure",
       "share of violence harm that is response cost", "harm", "share"),
    _p("anticipation_share_other", 0.15, "share", 0.075, 0.3, f"{A}: split after the Home Office method's structure",
       "share of other harm that is anticipation cost", "harm", "share"),
    _p("response_share_other", 0.15, "share", 0.075, 0.3, f"{A}: split after the Home Office method's structure",
       "share of other harm that is response cost", "harm", "share"),
    # ------------------------------------------------------------------ violence
    _p("serious_violence_rate_per_month", 0.04, "incidents/OCG-month", 0.01, 0.1, f"{A}: with homicide_per_serious_violence it reproduces about 220 network-linked homicides a year (source 004 s.17 scaled to the UK; a calibration target)",
       "serious violent incidents per seriously violent OCG per month, before competition", "violence", "nonnegative"),
    _p("violence_rate_multiplier_some", 0.3, "multiplier", 0.1, 0.6, f"{A}: groups using only 'some' violence (70% violent less 56% serious, source 004 s.16) at a fraction of the serious groups' rate",
       "violence of OCGs using some (not serious) violence, relative to serious", "violence", "nonnegative"),
    _p("competition_violence_elasticity", 1.0, "elasticity", 0.3, 2.0, f"{A}: violence proportional to rival pressure (capped at 3x); source 003: drug-linked homicides up 36% 2012-22 as markets shifted",
       "rise in violence with rivals competing in the same area and market", "violence", "nonnegative"),
    _p("violence_pressure_cap_ratio", 3.0, "ratio", 2.0, 5.0,
       f"{A}: competition violence stops rising once rival pressure is this many times its starting level",
       "most rival pressure, relative to the start, that raises competition violence", "violence", "positive"),
    _p("homicide_per_serious_violence", 0.10, "probability", 0.04, 0.2,
       f"{A}: set so network-linked homicides are about a third of UK homicides (source 004 s.17)",
       "chance a serious violent incident ends in a homicide", "violence", "probability"),
    _p("indirect_homicide_share", 0.24, "share", 0.15, 0.35,
       "source 004 s.17: 8% of London homicides indirectly linked vs 25% directly (8/33)",
       "share of network-linked homicides that are indirect", "violence", "share"),
    # ------------------------------------------------------------------ recruitment and exploitation
    _p("recruitment_fill_rate_per_month", 0.12, "share of vacancies/month", 0.05, 0.3, f"{A}: vacancies half refilled in about six months; source 003: business models 'build in an expected level of imprisonment for low-level members'",
       "share of an OCG's vacancies filled per month with an unconstrained at-risk pool", "recruitment", "share"),
    _p("capital_reserve_months", 6.0, "months of profit", 3.0, 12.0,
       f"{A}: a group recruits at full speed only with this much profit in hand; groups whose capital is seized, "
       "frozen or paid in fines recruit more slowly",
       "capital, in months of profit, a group holds to recruit at full speed", "recruitment", "positive"),
    _p("at_risk_pool_half_saturation", 0.05, "share of at-risk pool", 0.01, 0.5, f"{A}: at this value pool availability is about half at the start, so prevention has bite; follows from at_risk_share_of_population",
       "recruitment slows as members approach this share of the at-risk pool", "recruitment", "positive"),
    _p("desistance_prob_per_month", 0.008, "probability/month", 0.003, 0.02, f"{A}: about 9% of active members a year leave crime; with arrests it balances recruitment so known suspects stay near 59,000 (source 003)",
       "monthly chance an active member other than a leader leaves crime", "recruitment", "probability"),
    _p("exploited_identification_prob_per_month", 0.06, "probability/month", 0.02, 0.12,
       f"{A}: set so criminal exploitation is about 65% of NRM referrals (source 003)",
       "monthly chance an exploited member is identified and referred to the NRM", "recruitment", "probability"),
    _p("identified_exploited_exit_prob", 0.5, "probability", 0.2, 0.8, f"{A}: about half of referred exploited members are safeguarded out, the rest held by debt or threats (source 003: criminal exploitation is 65% of NRM referrals)",
       "chance an identified exploited member is safeguarded out of the OCG", "recruitment", "probability"),
    _p("slavery_victim_referral_prob_per_month", 0.025, "probability/month", 0.01, 0.05,
       f"{A}: set so referrals other than criminal exploitation (labour, sexual, domestic servitude and those of"
       " unknown type: source 003 gives criminal exploitation 65%) give about 35% of its 17,004 NRM referrals",
       "monthly chance a victim of labour or sexual exploitation is referred to the NRM", "recruitment", "probability"),
    _p("target_size_growth_with_vacancy", 0.5, "x per unit vacancy", 0.0, 1.5, f"{A}: groups grow into unmet demand: 1.5 times their base size at most at the default, 2.5 at the top of the range (source 003: 'nimbly pivoting their business models'; source 004 s.3)",
       "how much OCGs grow their target size when their market has unmet demand", "recruitment", "nonnegative"),
    _p("recruit_core_share_ratio", 0.5, "ratio", 0.3, 0.7, f"{A}: newcomers are trusted less: recruits join the core at half the founding members' rate (core_member_share)",
       "share of non-leader recruits who join the core, relative to core_member_share", "recruitment", "share"),
    _p("recruit_known_intel_ratio", 0.5, "per unit intelligence", 0.3, 0.7, f"{A}: police learn of half a mapped group's recruits at full intelligence on it",
       "chance a recruit of a mapped group is a known suspect, per unit of police intelligence on the group", "recruitment", "share"),
    *POLICING_AND_JUSTICE,
    # ------------------------------------------------------------------ adaptation
    _p("succession_violent_prob", 0.25, "probability", 0.1, 0.5, f"{A}: no UK source (VALIDATION.md s.2): a minority of successions are disputed violently",
       "chance a succession is violently disputed", "adaptation", "probability"),
    _p("succession_violence_incidents", 3, "incidents", 1, 8, f"{A}: no UK source (VALIDATION.md s.2): a disputed succession brings a few serious incidents",
       "serious violent incidents in a disputed succession", "adaptation", "nonnegative"),
    _p("succession_cohesion_loss", 0.3, "cohesion index", 0.1, 0.5, f"{A}: no UK source (VALIDATION.md s.2): a new leader lacks the old one's contacts, suppliers' trust and authority; capacity scales with 0.5 + 0.5 x cohesion, so 0.3 costs 15% of capacity at first, recovering as cohesion does",
       "cohesion a group loses in every succession", "adaptation", "share"),
    _p("succession_dispute_cohesion_loss", 0.2, "cohesion index", 0.1, 0.4, f"{A}: no UK source: a violent dispute splits loyalties on top of what any succession costs",
       "further cohesion a group loses when its succession is violently disputed", "adaptation", "share"),
    _p("succession_split_prob", 0.15, "probability", 0.05, 0.3, f"{A}: no UK source (VALIDATION.md s.2): leader removal rarely ends a group; about one in seven split",
       "chance a leaderless OCG splits in two", "adaptation", "probability"),
    _p("succession_absorb_prob", 0.10, "probability", 0.0, 0.3, f"{A}: no UK source (VALIDATION.md s.2): a few leaderless groups are taken over by the largest rival",
       "chance a leaderless OCG is absorbed by a rival in its area", "adaptation", "probability"),
    _p("entry_rate_per_month", 0.3, "new OCGs/area-market-month", 0.05, 1.0,
        f"{A}: new groups per fully vacant area-market-month; the twin refills vacated markets more slowly than "
        "the evidence (VALIDATION.md s.3), which argues for a higher value; it is kept here because entry also "
        "sets how many groups the baseline holds, which the register's 4,772 mapped groups pin (a calibration "
        "target), and a refit with it is still to be done",
       "new OCGs entering a market with full vacancy per area per month, for an area of the mean population (scaled by the area's population over the mean) and a price at its norm (`entry_price_elasticity`)", "adaptation", "nonnegative"),
    _p("entry_price_elasticity", 1.0, "elasticity", 0.0, 2.0,
       f"{A}: MODEL.md: vacancies in profitable markets attract new groups; entrants respond to the profit a vacancy offers, and a shortage's price rise is that profit (the risks-and-prices view of drug markets); 0 turns it off",
       "entrants per vacancy rise as the price index over its recent norm (`price_norm_months`) to this power", "adaptation", "nonnegative"),
    _p("price_norm_months", 24, "months", 6, 60,
       f"{A}: would-be entrants judge a price against what it has been over the last two years or so",
       "mean age of the price norm entrants compare today's price with (an exponential average)", "adaptation", "positive"),
    _p("new_ocg_laundering_share", 0.95, "share", 0.9, 1.0,
       f"{A}: set from source 004's 96% of OCGs involved in more than one crime type (64% in drugs or firearms and "
       "money laundering; that most launder their own money is the assumption); share_multi_criminal_late is "
       "the target it reproduces",
       "share of new groups that launder their own money", "adaptation", "share"),
    _p("entry_size_median", 6, "people", 3, 12, f"{A}: new groups start at about half the 12 known members per mapped OCG (59,000 / 4,772, source 003); source 003: technology reduces the people required", "median size of a new OCG", "adaptation", "positive"),
    _p("relocation_prob_after_operation", 0.10, "probability", 0.0, 0.3, f"{A}: displacement is partial (Guerette and Bowers 2009, in this table); source 003: technology has dissolved geographical boundaries",
       "mean chance an investigated OCG moves to a neighbouring area; each area's chance is this times 0.45-2.2, more where the neighbours are populous (geography.relocation_weights)", "adaptation", "probability"),
    _p("pivot_prob_after_operation", 0.10, "probability", 0.0, 0.3, f"{A}: OCGs pivot nimbly between markets (source 003)",
       "chance an OCG adds another market after an operation", "adaptation", "probability"),
    _p("market_exit_rate_per_month", 0.2, "per month per unit glut", 0.05, 1.0, f"{A}: groups leave markets they cannot sell into, as businesses do (source 000 likens criminal markets to businesses); the glut is max(0, 1 - s0 / s), so a market supplied 25% over its starting balance loses 4% of its multi-market groups a month, a doubled one 10%: supply stops ratcheting within a few years, and no one bad month empties a market",
       "monthly chance an OCG in several markets leaves one, per unit of its glut (supply over its starting balance)", "adaptation", "nonnegative"),
    _p("insulation_learning_step", 0.15, "share of remaining gap", 0.05, 0.3, f"{A}: each operation closes part of the leader's insulation gap (source 000 s.2.3: disruption triggers adaptive change)",
       "rise in leader insulation after an operation", "adaptation", "share"),
    _p("encryption_adoption_after_operation", 0.2, "probability", 0.05, 0.5, f"{A}: a fifth of investigated groups move to encrypted platforms (source 000 s.2.3: adaptive change)",
       "chance an OCG adopts encrypted communications after an operation", "adaptation", "probability"),
    _p("enabler_acquisition_after_operation", 0.15, "probability", 0.0, 0.4, f"{A}: some investigated groups buy an enabler's services (source 003: enablers are at the heart of organised crime)",
       "chance an OCG recruits a new enabler after an operation", "adaptation", "probability"),
    _p("dissolved_members_rejoin_share", 0.5, "share", 0.3, 0.7, f"{A}: no UK source: half the active members of a group that ends join another group in its area, the rest leave crime",
       "share of a dissolved group's active members who join another group in the area", "adaptation", "share"),
    _p("reputation_after_disruption_ratio", 0.8, "ratio", 0.6, 0.95, f"{A}: a disruption costs a group a fifth of its reputation among recruits (source 000 s.2.3: disruption has effects beyond the arrests)",
       "reputation a disrupted group keeps, relative to before (reputation scales its recruitment)", "adaptation", "share"),
    _p("cohesion_recovery_per_month", 0.02, "share of gap/month", 0.01, 0.05, f"{A}: cohesion and reputation lost to succession and disruption return towards their baseline (the type's cohesion; reputation 0.5) with a half-life of about three years",
       "share of the gap to its baseline that a group's cohesion and reputation recover each month", "adaptation", "share"),
    _p("fraud_entrant_virtual_share", 0.3, "share", 0.1, 0.5, f"{A}: fraud is increasingly committed online (source 003), so new fraud groups are virtual far more often than the register's economic-crime groups (about 6% of them; virtual groups are 2% of all, source 004 s.15, and the model puts them all in economic crime); the rest are bound by locality",
       "share of groups entering fraud that are virtual (online) groups", "adaptation", "share"),
    _p("entrant_share_reach_local", 0.6, "share", 0.4, 0.8, f"{A}: new groups start small and mostly local, well above the register's 36% local (share_reach_local)",
       "share of new groups operating in one area", "adaptation", "share"),
    _p("entrant_share_reach_regional", 0.3, "share", 0.15, 0.45, f"{A}: some new groups work across a region from the start",
       "share of new groups operating across a region", "adaptation", "share"),
    _p("entrant_share_reach_national", 0.1, "share", 0.05, 0.2, f"{A}: few new groups start with national or international reach, against 49% of the register's",
       "share of new groups with national or international reach", "adaptation", "share"),
    _p("entrant_size_sigma", 0.5, "log people", 0.3, 0.8, f"{A}: new groups' sizes spread less than the register's (ocg_size_lognormal_sigma 0.8): they start small",
       "spread of new groups' starting sizes (lognormal sigma around entry_size_median)", "adaptation", "positive"),
    _p("entrant_target_size_max", 40, "people", 20, 80, f"{A}: a new group aims for at most about three times the 12 known members of a mapped OCG (source 003)",
       "largest size a new group aims to grow to", "adaptation", "positive"),
    _p("acquired_enabler_professional_share", 0.5, "share", 0.3, 0.7, f"{A}: groups that buy an enabler's services after an operation buy a launderer or a corrupt insider equally often",
       "share of enablers acquired after an operation that are professional (the rest corrupt insiders)", "adaptation", "share"),
    _p("vacancy_pull_floor", 0.1, "share", 0.05, 0.3, f"{A}: a saturated market still draws a little: county lines head for demand x (floor + vacancy), pivots for value x (floor + unmet share)",
       "pull of a market without vacancy on new county lines and pivoting groups, relative to a fully vacant one", "adaptation", "positive"),
    _p("insulation_decay_per_month", 0.01, "share/month", 0.0, 0.05, f"{A}: insulation decays slowly without pressure (about 1% a month), so learning fades over years",
       "monthly decay of insulation without pressure", "adaptation", "share"),
    _p("insulation_guard_months", 1.0, "months", 0.0, 3.0, f"{A}: a group stays on guard for a month after an operation against it (the monthly step the model was built with skipped that month's decay; weekly steps skip the same month)",
       "months from the start of the step in which an operation against a group ended during which its insulation does not decay", "adaptation"),
    _p("ocg_min_active_members", 2, "people", 1, 3, f"{A}: one below the UN Convention's three members (ocg_size_min): a group of one is no longer a group", "an OCG with fewer active members dissolves", "adaptation", "count"),
    *TRUST,
]
