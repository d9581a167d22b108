"""The parameter table's rows for the response to SOC: policing, courts and prisons, and community trust.

Part of the one parameter table (`parameter_table.PARAMETER_TABLE`, which places these rows in its
order); the conventions are that module's: "source 00N" are the project's source documents, "assumption"
values have no direct published source and their plausible range is what calibration and
sensitivity analysis should explore, money is in 2023-24 prices (GBP).
"""

from __future__ import annotations

from twin.parameters import Parameter as _p  # the same fields in the same order as parameter_table._p

A = "assumption"

POLICING_AND_JUSTICE = [
    # ------------------------------------------------------------------ policing
    _p("soc_budget_gbp_per_year", 860e6, "GBP/year", 700e6, 1000e6,
        "source 003: £860m on SOC in 2023-24 (HM Government, NAO; read as the whole SOC policing budget, forces' "
        "own SOC spending included: an assumption)",
       "SOC policing budget", "policing", "nonnegative"),
    _p("lever_cost_optimism_bias", 0.0, "fraction of cost added (1 = +100%)", 0.0, 2.0,
       f"{A}: 0 by default, costs as the levers assume them; the range is HM Treasury's Green Book supplementary "
       "guidance on optimism bias, whose appraisals raise cost estimates by upper bounds set by project type (tens "
       "of percent for services and works, up to 200% for equipment and development)",
       "uplift on every lever's spending (a cut's saving is left as assumed), for an appraisal that corrects for "
       "optimism bias", "policing", "nonnegative"),
    _p("budget_share_forces", 0.45, "share", 0.3, 0.6,
        f"{A}: the sources do not split the £860m between the tiers; source 003 says forces carry the majority of "
        "operational activity, while this split gives the NCA and ROCUs (national and regional capabilities) "
        "55% together: the range reaches above half",
       "share of the SOC budget spent by forces", "policing", "share"),
    _p("budget_share_rocu", 0.20, "share", 0.1, 0.3, f"{A}: after the forces' share, ROCUs below the NCA: they are non-statutory and funded short term from many sources (source 003)", "share spent by regional units (ROCUs)", "policing", "share"),
    _p("budget_share_nca", 0.35, "share", 0.2, 0.5, f"{A}: after the forces' share, the NCA above the ROCUs (source 003: ROCUs are not statutory bodies)", "share spent by the NCA", "policing", "share"),
    _p("cost_gbp_per_investigator_year", 80000, "GBP/FTE-year", 60000, 110000, f"{A}: pay, on-costs and overheads of an investigator; source 003: NCA salaries are set at 90% of police pay",
       "fully loaded cost of one SOC investigator", "policing", "positive"),
    _p("reactive_demand_share", 0.35, "share", 0.2, 0.5, f"{A}: about a third of force SOC capacity goes to fast-time demand at baseline (source 004 s.23: 'the reactive response will of course remain')",
       "share of SOC capacity absorbed by reactive demand at baseline violence", "policing", "share"),
    _p("reactive_demand_violence_elasticity", 0.5, "elasticity", 0.0, 1.0, f"{A}: reactive demand rises with the square root of violence above its start (source 004 s.18: networks feed violence and homicide rates)",
       "rise in reactive demand with local violence above baseline", "policing", "nonnegative"),
    _p("reactive_demand_share_cap", 0.9, "share", 0.8, 0.95,
       f"{A}: however violent an area, some investigators stay on proactive work",
       "most of a force's investigators that reactive demand can take", "policing", "share"),
    _p("reactive_violence_floor_per_year", 1.0, "incidents/year", 0.5, 4.0, f"{A}: an area counts at least one serious incident a year when comparing its violence with the start, so a quiet area's first incident does not swamp its investigators",
       "least expected serious violence an area counts, now and at the start, in the rise of reactive demand", "policing", "positive"),
    _p("operation_investigator_months", 24, "FTE-months", 12, 90,
        f"{A}: fitted with operation_success_base to the Met's 100 disruptions a year (source 004 s.20: the "
        "Policing Plan's target, set against about 180 networks then mapped, not a count achieved; the model's "
        "Met maps about 800 groups, so the rate per group fitted is below the target's; a calibration target): "
        "about 82 a year once the model has settled (years 1-3 after the spin-up; `twin fit --reps 6`: 75 to 91"
        " over the replicates, 5th to 95th percentile). At 30 and 0.75 the settled rate was 55; 100 was met only "
        "while enforcement fell from the register's starting picture",
       "investigator-months for an operation against a 10-member OCG", "policing", "positive"),
    _p("operation_size_exponent", 0.5, "exponent", 0.2, 1.0, f"{A}: no figure in the source documents; economies of scale: twice the members cost about 1.4 times as much to investigate",
       "how operation cost scales with OCG size", "policing", "nonnegative"),
    _p("operation_duration_months", 6, "months", 3, 18, f"{A}: six-month operations (source 003 says SOC trials are lengthy and protracted; of investigations it gives no length)", "mean length of an operation", "policing", "positive"),
    _p("operation_duration_spread", 0.5, "share", 0.0, 0.8,
       f"{A}: operations vary in length (no source gives their spread); at 0.5 a six-month operation lasts 3 to 9 "
       "months. With every operation the same length the months in which many started repeat every six months "
       "for ever (operations started a month went from 93 to 182 and back, lag-6 autocorrelation 0.94)",
       "half-width of the spread of operation lengths, as a share of the mean: each lasts the mean x a uniform factor "
       "from 1 - this to 1 + this, in whole steps", "policing", "share"),
    _p("cross_boundary_cost_multiplier", 1.5, "multiplier", 1.0, 2.5,
       f"{A}: source 003 calls the 43-force model ill suited to SOC",
       "extra cost when a force tasks an OCG reaching beyond its area", "policing", "positive"),
    _p("detection_prob_per_month", 0.006, "probability/month", 0.003, 0.03, f"{A}: about 7% of unmapped groups a year are mapped; with ocg_known_share and the few new groups a year it keeps mapped OCGs near source 003's 4,772 for ten years (calibration targets, years 1-3 and 8-10; source 004 s.22: a comprehensive picture is a challenge)",
       "monthly chance an unmapped OCG is mapped, at baseline trust and capacity", "policing", "probability"),
    _p("encryption_detection_factor", 0.5, "multiplier", 0.2, 1.0, f"{A}: encryption halves mapping and intelligence gain (source 003: investigations into crimes relying on encrypted technology are extremely difficult)",
       "detection and intelligence gain for OCGs on encrypted platforms", "policing", "share"),
    _p("intel_gain_per_month", 0.08, "share of gap/month", 0.02, 0.2, f"{A}: the intelligence gap on a mapped group halves in about eight months (source 004 s.15: some mapped networks have 'only very sketchy intelligence')",
       "share of the gap to full intelligence closed on a mapped OCG each month", "policing", "share"),
    _p("intel_gain_under_operation_per_month", 0.15, "share of gap/month", 0.05, 0.3, f"{A}: about twice the passive rate: operations add surveillance and intercept (source 004 s.10)",
       "share of the gap to full intelligence closed each month of an operation", "policing", "share"),
    _p("intel_decay_per_month", 0.03, "share/month", 0.01, 0.08, f"{A}: intelligence goes stale as groups change handsets, premises and people; 3% a month (a half-life of about two years without new collection) holds passive intelligence on a mapped group near 0.08 / (0.08 + 0.03), about 0.7, rather than certainty (source 004 s.15: some mapped networks have 'only very sketchy intelligence')",
       "share of the intelligence on a mapped OCG that goes out of date each month", "policing", "share"),
    _p("harm_score_noise_sigma", 0.5, "log units", 0.1, 1.0, f"{A}: MoRiLE/Matrix scores are estimates (sources 001, 004)",
       "error in the police harm score of an OCG", "policing", "nonnegative"),
    _p("operation_success_base", 0.85, "probability", 0.4, 0.95,
        f"{A}: before intelligence, insulation and insiders cut it; fitted with operation_investigator_months to"
        " the Met's 100 disruptions a year (source 004 s.20: a target, not a count achieved; see "
        "operation_investigator_months; a calibration target): about 82 a year after the spin-up",
       "success chance of an operation with full intelligence and no insulation", "policing", "probability"),
    _p("insulation_success_penalty", 0.5, "share", 0.2, 0.8, f"{A}: full insulation halves success; source 003: exploitation of the vulnerable 'shields those at the top of the chain'",
       "loss of success chance at full leader insulation", "policing", "share"),
    _p("operation_intelligence_weight", 0.6, "share", 0.4, 0.8, f"{A}: an operation on a group police know nothing about still succeeds at 40% of the base chance (surveillance and arrests during it build the case), one on a fully known group at the full base chance (source 004 s.11-12: proactive, intelligence-led targeting)",
       "weight of intelligence in operation success: success x ((1 - weight) + weight x intelligence on the group)", "policing", "share"),
    _p("operation_trust_weight", 0.3, "share", 0.1, 0.5, f"{A}: community intelligence helps cases but most evidence comes from police work; trust at its start gives the full base chance, no trust 70% of it, twice the starting trust (the cap) 130% (source 004 s.5: communities too afraid or wary to give evidence)",
       "weight of community trust in operation success: success x ((1 - weight) + weight x min(trust / starting trust, 2))", "policing", "share"),
    _p("leader_insulation_arrest_cut", 0.5, "share", 0.3, 0.8, f"{A}: a fully insulated leader is arrested half as often as an exposed one (source 003: exploitation of the vulnerable 'shields those at the top of the chain')",
       "cut in a leader's arrest chance at full insulation: chance x (1 - cut x insulation)", "policing", "share"),
    _p("unknown_member_arrest_ratio", 0.5, "ratio", 0.3, 0.8, f"{A}: members police have not identified are arrested half as often, in operations and on the street, as identified ones (source 003: pursuit of 'known, often lower-level offenders')",
       "arrest chance of a member unknown to police relative to a known one", "policing", "share"),
    _p("intel_start_mapped", 0.3, "index 0-1", 0.1, 0.5, f"{A}: the register's mapped groups start with partial intelligence (source 004 s.15: some mapped networks have 'only very sketchy intelligence'); the spin-up then brings it to where collection and decay balance",
       "intelligence police hold at the start on each group the register marks as known", "policing", "share"),
    _p("intel_on_mapping", 0.1, "index 0-1", 0.05, 0.3, f"{A}: a group police have just mapped is known by little more than its name and a few members",
       "intelligence police start with on a group they map during the run", "policing", "share"),
    _p("insider_success_penalty", 0.25, "share", 0.0, 0.5, f"{A}: insiders divulge information (source 003)",
       "loss of success chance when an OCG has a corrupt insider", "policing", "share"),
    _p("arrest_share_leader", 0.5, "probability", 0.2, 0.8, f"{A}: a success takes the leader about half the time, less if insulated (source 003: those at the top are shielded)",
       "chance a successful operation arrests the leader", "policing", "probability"),
    _p("arrest_share_core", 0.45, "share", 0.2, 0.7, f"{A}: a success arrests about half the core, above the disruption threshold (source 004 s.20), so most successes are disruptions", "share of core members arrested in a success", "policing", "share"),
    _p("arrest_share_worker", 0.45, "share", 0.2, 0.7, f"{A}: a success arrests about half the workers, above the disruption threshold (source 004 s.20)", "share of workers arrested in a success", "policing", "share"),
    _p("arrest_share_exploited", 0.3, "share", 0.1, 0.6, f"{A}: exploited members are arrested less often, some being treated as victims (source 002 A.2.2: lines between victim and offender blur)", "share of exploited members arrested in a success", "policing", "share"),
    _p("failed_operation_arrest_share", 0.1, "share", 0.0, 0.3, f"{A}: a failed operation still arrests some lower-level members (source 003: pursuit of 'known, often lower-level offenders')",
       "share of workers and exploited members arrested by an unsuccessful operation", "policing", "share"),
    _p("member_identification_prob_per_month", 0.006, "probability/month", 0.003, 0.06, f"{A}: set so known suspects hold near source 003's 59,000 for ten years (calibration targets, years 1-3 and 8-10): identification and arrests (police know whom they arrest) balance the turnover of members",
       "monthly chance an unknown member of a mapped OCG becomes known, at full intelligence", "policing", "probability"),
    _p("seizure_share_of_capital", 0.42, "share", 0.2, 0.8, "calibrated: posterior median of the shipped fit, twin calibrate calibration/abc.toml (ABC-SMC to calibration/targets.toml; sample in calibration/posterior.csv; fitted by an earlier version of the model: docs/ODD.md, section 3.7, gives a refit on this one); prior over the table's range, an assumption: a success restrains part of the group's capital, seldom all of it (funds moved or hidden before restraint orders bite: source 003 cites the Law Commission on strengthening them, and the regime as 'inefficient, complex and ineffective') nor under a fifth, or the success would not disrupt the business; the assets-recovered target constrains mostly its product with asset_realisation_share: the two correlate at -0.77 in the posterior sample",
       "share of an OCG's capital seized or restrained in a success", "policing", "share"),
    _p("asset_realisation_share", 0.44, "share", 0.1, 0.8,
       "calibrated: posterior median of the shipped fit, twin calibrate calibration/abc.toml (ABC-SMC to calibration/targets.toml; sample in calibration/posterior.csv; fitted by an earlier version of the model: docs/ODD.md, section 3.7, gives a refit on this one); prior over the table's range, an assumption: much restrained value is never realised (the 38% of source 003, agencies' share of the £3.9bn recovered in 2016-21, is what agencies keep of what is recovered, not a realisation rate). At 0.22, fitted before the spin-up, assets recovered were met only while enforcement fell from the register's start",
       "share of seized capital eventually recovered (confiscation; fines are paid at conviction)", "policing", "share"),
    _p("disruption_capacity_threshold", 0.3, "share", 0.1, 0.5,
       f"{A}: source 004 s.20 defines a disruption as a network no longer able to function at its previous capacity; how much capacity must go is not given: about a third",
       "share of capacity removed that counts as a disruption", "policing", "share"),
    _p("enabler_removal_prob_on_success", 0.15, "probability", 0.0, 0.4, f"{A}: low: few enablers are held to account (source 003: one FCA action against an individual after £777m of bank fines)",
       "chance an enabler exposed by a successful operation is removed (prosecuted or struck off)", "policing", "probability"),
    _p("line_closure_on_disruption_prob", 0.6, "probability", 0.2, 0.9, f"{A}: no figure in the source documents; phones seized and runners arrested close most of a disrupted group's lines",
       "chance each county line of a disrupted OCG is closed", "policing", "probability"),
    _p("street_arrest_prob_per_month", 0.006, "probability/month", 0.002, 0.015, f"{A}: reactive arrests of workers and exploited members, a few thousand a year (source 003: arrest and prosecution of known offenders)",
       "monthly chance of a reactive arrest for an active worker or exploited member", "policing", "probability"),
    # ------------------------------------------------------------------ justice
    _p("charge_prob", 0.7, "probability", 0.5, 0.9,
        f"{A}: operation arrests are evidence-led; with conviction_prob it reproduces about 10,500 SOC prisoners"
        " (source 003; a calibration target). Source 003 says few cases reach court, i.e. few crimes lead to a "
        "charge; this is the chance for the arrests an operation makes",
        "chance an arrest leads to a charge", "justice", "probability"),
    _p("exploited_charge_multiplier", 0.5, "multiplier", 0.2, 0.9, f"{A}: exploited members (victims made offenders, children among them) are charged less often: the Modern Slavery Act 2015 section 45 defence and CPS guidance on suspects who may be victims of trafficking or exploitation (source 002 A.2.2: lines are blurred between victim and offender); half the charge chance of other members",
       "charge chance of an arrested exploited member, relative to charge_prob", "justice", "share"),
    _p("conviction_prob", 0.8, "probability", 0.6, 0.9,
        f"{A}: CPS conviction rates are around 80%, convictions of any sentence; every conviction here is "
        "custodial, so the value is on the high side for SOC defendants, and the sentence lengths fitted to "
        "10,500 prisoners absorb the difference",
       "chance a charge leads to a custodial conviction", "justice", "probability"),
    _p("court_delay_months", 10, "months", 4, 20, f"{A}: Crown Court backlogs", "mean time from charge until the case is ready for trial (with the courts below capacity, until the verdict)", "justice", "positive"),
    _p("court_capacity_trials_per_month", 700, "cases/month", 610, 900,
       f"{A}: SOC's share of Crown Court capacity, about 19% above the baseline's 590 or so ready cases a month, "
       "so that the baseline's delays are those of `court_delay_months` and options that multiply charges meet a "
       "backlog; the Crown Court received 105,000 cases in 2023 and its open caseload reached a series peak of "
       "73,105 in September 2024, disposals below receipts (MoJ, Criminal court statistics quarterly)",
       "SOC cases the Crown Court can hear a month, custody cases first", "justice", "positive"),
    _p("custody_time_limit_months", 8, "months", 6, 12,
       f"{A}: the statutory custody time limit to trial in the Crown Court is 182 days, raised to 238 days (about 8 months) in "
       "2020-22 and routinely extended; here counted from when the case is ready, so it binds only in a backlog",
       "wait unheard after which a remanded defendant is bailed (and offends, or leaves crime, until the trial)", "justice", "positive"),
    _p("remand_prob", 0.4, "probability", 0.2, 0.7,
       f"{A}: the remand population of England and Wales was 17,070 in June 2024 (11,027 untried; MoJ, Offender "
       "management statistics quarterly) against about 105,000 Crown Court receipts a year waiting 8-10 months, a "
       "remand share of roughly a fifth across all Crown Court cases; SOC defendants (drug supply, firearms, "
       "violence, trafficking) are remanded more often",
       "chance a charged member is remanded in custody rather than bailed (the bailed offend, or leave crime, until the trial)",
       "justice", "probability"),
    _p("soc_remand_places", 3100, "places", 2700, 4500,
       f"{A}: 18-22% above the most SOC defendants the baseline holds on remand (2,546-2,622 in seeds 1-4; 11-15% before time on remand was credited), so "
       "the baseline does not bind; the remand population of England and Wales was 17,070 in June 2024, a record "
       "(MoJ, Offender management statistics quarterly); without a ceiling, options that multiply charges filled "
       "every prison place with remand and released every sentenced prisoner",
       "most SOC defendants the courts hold on remand (within `soc_prison_places`, which remand and sentence share); "
       "beyond it the courts bail exploited members and workers first", "justice", "positive"),
    _p("sentence_months_leader", 125, "months", 80, 240, f"{A}: about 10.5 years imposed: the Sentencing Council class A supply guideline reaches 16 years, and 20 and above for the largest operations, less the reduction for a guilty plea (up to a third, most defendants plead); with the other roles it sets SOC prisoners", "mean sentence for a leader", "justice", "positive"),
    _p("sentence_months_core", 70, "months", 48, 150, f"{A}: about 5.8 years imposed: 8 years for a 'significant role' in large-scale class A supply (Sentencing Council guideline) less the guilty-plea reduction (a quarter on average: up to a third for an early plea, and most defendants plead); with the other roles it sets the 10,500 SOC prisoners in custody (source 003, remand included; time on remand counts against the sentence) without the places binding", "mean sentence for a core member", "justice", "positive"),
    _p("sentence_months_worker", 39, "months", 24, 90, f"{A}: about 3.25 years imposed: 4.5 years and more for street-level class A supply roles less the guilty-plea reduction (a quarter on average); the largest group convicted, so it mainly sets the 10,500 SOC prisoners in custody (source 003, remand included; calibration targets in years 1-3 and 8-10 after the spin-up, with about 11,000 arrests a year). At 45 months with core members' 80 the stock settled near 12,000 once operations were fitted to the Met's disruptions, held at the places by early release", "mean sentence for a worker", "justice", "positive"),
    _p("sentence_months_exploited", 18, "months", 6, 36,
        f"{A}: the guideline's 'lesser role' covers those engaged by pressure, coercion or exploitation, "
        "children among them (source 002 A.2.2: lines can be blurred between victim and offender)",
        "mean sentence for an exploited member", "justice", "positive"),
    _p("served_share", 0.5, "share", 0.4, 0.67,
       "standard determinate sentences: release at the halfway point, the rule until September 2024; since then "
       "most (drug supply and fraud among them) are released at 40% (SDS40), which this value does not yet follow "
       "(ODD section 4)",
       "share of sentence served", "justice", "share"),
    _p("early_release_served_share", 0.4, "share", 0.3, 0.5, "SDS40 early release scheme (2024): release at 40%",
       "earliest share served when prisons are full", "justice", "share"),
    _p("sentence_gamma_shape", 2.0, "shape", 1.0, 4.0,
       f"{A}: sentences spread around their role's mean (gamma, coefficient of variation 0.71 at 2)",
       "shape of the gamma distribution of sentences around the role mean", "justice", "positive"),
    _p("released_decision_months", 6.0, "months", 3.0, 12.0,
       f"{A}: released members decide at a constant rate whether to return to their group or leave crime",
       "mean time after release until a member returns to crime or leaves it", "justice", "positive"),
    _p("soc_prisoners_initial", 8700, "prisoners", 7960, 11000,
       "derived: source 003 more than 10% of the prison population is SOC (HMPPS, December 2023: England and "
       "Wales, a share extended here to the UK); about 97,600 UK "
       "prisoners (MoJ, SPS, NIPS 2024; remand included, as in prison statistics) puts the floor at 9,760: "
       "assumed 10,500 (10.8%) in custody, less the defendants remanded at the start "
       "(`soc_awaiting_trial_initial` x `remand_prob`, 1,800); the range from that floor less them (7,960)",
       "SOC members serving a sentence at the start", "justice", "count"),
    _p("soc_prison_places", 12800, "places", 11000, 15000,
       f"{A}: prisons near full (E&W 87,726 in June 2024); remand and sentence share them, and the remand population "
       "was 17,070 in June 2024, a record (MoJ, Offender management statistics quarterly): 11-15% above the most "
       "SOC prisoners and defendants on remand the baseline holds together (11,108-11,560 in seeds 1-4), so the "
       "baseline does not bind",
       "prison places for SOC prisoners and SOC defendants on remand together", "justice", "positive"),
    _p("soc_awaiting_trial_initial", 4500, "people", 3000, 7000,
       f"{A}: a starting condition, below the court delay times the charges (10 months x about 7,600 a year is "
       "about 6,300); the 8-year spin-up settles the stock where the courts and the charges put it (about 5,600 in "
       "years 1-3 of seeds 1-2: 2,400-2,460 remanded, the `members_charged` metric, and about 3,140 on bail), so "
       "the value hardly matters",
       "SOC members charged and awaiting trial at the start", "justice", "count"),
    _p("fine_gbp_per_conviction", 50000, "GBP/conviction", 20000, 100000,
       "derived: source 003 estimates about £250m from fines levied for economic crimes, based on the past three "
       "years (read as a year's, and as paid per SOC conviction: both the model's interpretation, and a loose "
       "one, since economic-crime fines include regulators' and companies' fines), over an assumed 5,000 SOC "
       "convictions a year (the baseline convicts 5,500-7,000 a year, so its fines total £275-350m, 10-40% above "
       "source 003's £250m)",
       "fines and compensation per custodial conviction, paid from the group's capital as far as it goes", "justice", "nonnegative"),
    _p("prison_cost_gbp_per_place_year", 54500, "GBP/place-year", 48000, 64000,
       "MoJ costs per prisoner (a place held all year), about £51.7k in 2022-23; uprated to 2023-24 by the GDP "
       "deflator at market prices (HM Treasury series from ONS L8GG; about 7%); the range, an assumption, allows "
       "for the spread between prisons' categories", "cost of a prison place", "justice", "positive"),
    _p("court_cost_gbp_per_case", 25000, "GBP/case", 10000, 60000, f"{A}: CPS, legal aid and the court's running cost of hearing the case, per charged defendant (source 003: the complexity of these cases demands huge resources); the sitting days the courts hold (judges, staff, estate) are the baseline's, and more of them a lever's cost (`court_capacity`)", "prosecution and court cost per charge", "justice", "positive"),
    _p("reoffend_prob_after_release", 0.45, "probability", 0.25, 0.65, f"{A}: any return to an OCG: above adults' one-year proven reoffending (about 25-30%, MoJ) and near that after short custody (over half); source 003: prison is no sufficient disincentive",
       "chance a released SOC member returns to an OCG", "justice", "probability"),
    _p("leader_directs_from_prison_prob", 0.5, "probability", 0.2, 0.8,
       f"{A}: leaders keep directing from prison (source 003)", "chance an imprisoned leader keeps directing", "justice", "probability"),
    _p("directed_from_prison_capacity", 0.8, "share", 0.5, 0.95, f"{A}: a group run from a cell keeps most of its capacity: a deputy runs the day-to-day while the leader, on a smuggled phone, keeps the contacts and decisions (source 003: powers would restrict offending 'from behind bars'). With succession_cohesion_loss it decides the sign of prison_restrictions' effect on harm: at 0.6 and no cost of succession the restriction could only help groups",
       "an OCG's capacity while its leader directs it from prison", "justice", "share"),
]

TRUST = [
    # ------------------------------------------------------------------ trust
    _p("trust_recovery_rate_per_month", 0.02, "share/month", 0.005, 0.05, f"{A}: trust recovers with a half-life of about three years after a shock",
       "monthly return of community trust towards its starting level", "trust", "share"),
    _p("trust_loss_per_homicide_per_100k", 0.02, "index per homicide per 100k people", 0.005, 0.05, f"{A}: a homicide costs ten times the trust a disruption gains (source 004 s.5: communities too afraid of networks, or wary of the police, to give evidence)",
       "trust lost after a network-linked homicide, per 100,000 residents", "trust", "nonnegative"),
    _p("trust_gain_per_disruption_per_100k", 0.002, "index per disruption per 100k", 0.0, 0.01, f"{A}: visible disruptions build some confidence (source 004 s.5); a tenth of a homicide's loss",
       "trust gained after a visible disruption", "trust", "nonnegative"),
    _p("trust_loss_per_month_powers_without_oversight", 0.002, "index/month", 0.0, 0.004,
       f"{A}: source 003 pairs new powers with oversight; intrusive powers without it erode consent, but whether a reviewer exists is a distant influence on whether people report crime or give evidence, and public confidence in the police moves by a few points over years, not by most of its level; so with every power in use trust settles at most this over trust_recovery_rate_per_month (0.1 of the index, a sixth of the starting 0.6; the range up to 0.2) below where it would be",
       "community trust lost each month with powers in use without an independent reviewer, when so many are used that the loss saturates",
       "trust", "nonnegative"),
    _p("trust_loss_powers_scale", 2.0, "powers", 1.0, 6.0,
       f"{A}: the loss saturates in the number of powers, 1 - exp(-powers / scale): people hardly tell one intrusive power from the next, so one power costs about 40% of the maximum and the model's six power levers 95% (source 003's Countering SOC Bill names four: investigatory powers, financial sanctions, extra-territorial jurisdiction and a SOC register)",
       "summed power intensity at which the trust loss from powers without oversight reaches 63% of its maximum",
       "trust", "positive"),
    _p("fraud_reported_share", 0.13, "share", 0.10, 0.17, "source 003: about 13% of frauds reported (CSEW)",
       "share of fraud offences reported at the starting trust", "trust", "share"),
    _p("fraud_reporting_trust_elasticity", 0.5, "elasticity", 0.2, 1.0,
       f"{A}: most fraud goes unreported because victims think it too minor or their bank dealt with it (CSEW), not for want of confidence in the police; reporting follows trust, but less than one for one (1 would make it proportional)",
       "rise in the share of fraud reported per unit rise in trust relative to the start", "trust", "nonnegative"),
]
