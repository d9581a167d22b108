"""Compiled loops of police intelligence (`policing.intelligence`): mapping unmapped groups, the
intelligence police hold on mapped ones as it grows and goes out of date, and identifying members
of mapped groups.

The group chances are computed in one loop of their own (`intelligence_complements`), with
the arithmetic in the loop's body: computed instead by a call per group to a kernel holding it
inside `intelligence_update`'s loop, the phase took about four times as long (0.19 ms against
0.04-0.06 ms of a UK step, the same numbers to the last bit; a helper with many array arguments
called in a hot loop can cost tens of nanoseconds a call). The logarithms the intelligence's
growth takes are also taken once per distinct value rather than once per group (0.02 ms).
"""

from __future__ import annotations

import math

import numpy as np

from twin.compiled import as_generator, kernel
from twin.shared_kernels import add_to_tally, clip
from twin.streams import thinned_listed
from twin.vocabulary import ACTIVE

#: positions in `intelligence_update`'s `rates` (`_intelligence_rates`)
RATE_DETECTION, RATE_ENCRYPTION_FACTOR, RATE_INTEL_GAIN, RATE_INTEL_GAIN_OPERATION, RATE_IDENTIFY, \
    RATE_INTEL_KEPT, RATE_INTEL_ON_MAPPING = range(7)


@kernel
def intelligence_complements(encrypted, area, operation_months_left, trust, trust_reference, force_capacity_ratio,
                             detection_multiplier, group_detection_multiplier, intel_multiplier,
                             detection_prob_per_month, encryption_detection_factor, intel_gain_per_month,
                             intel_gain_under_operation_per_month):
    """For every OCG, one minus its monthly chance of being mapped and one minus its monthly
    intelligence gain (share of the gap), both chances clipped to 0-1; `policing.intelligence`
    raises them to the step's length (`per_step_probability`). `group_detection_multiplier` is
    by OCG, or empty when no lever sets one."""
    stay_unmapped = np.empty(area.size)
    gap_kept = np.empty(area.size)
    for ocg in range(area.size):
        a = area[ocg]
        encryption = encryption_detection_factor if encrypted[ocg] else 1.0
        p_detect = (detection_prob_per_month * (trust[a] / trust_reference[a]) * encryption
                    * force_capacity_ratio[a] * detection_multiplier[a])
        if group_detection_multiplier.size:
            p_detect = p_detect * group_detection_multiplier[ocg]
        gain = intel_gain_under_operation_per_month if operation_months_left[ocg] > 0 else intel_gain_per_month
        stay_unmapped[ocg] = 1.0 - clip(p_detect, 0.0, 1.0)
        gap_kept[ocg] = 1.0 - clip(gain * encryption * intel_multiplier[a], 0.0, 1.0)
    return stay_unmapped, gap_kept


@kernel
def intelligence_after_step(intel, gap_kept, current_kept):
    """Intelligence on a mapped group after a step in which a share `1 - gap_kept` of the gap to
    full intelligence would close and a share `current_kept` of what is known would stay current,
    were each acting alone.

    Both act at once, as continuous rates (gain -ln(gap_kept), staleness -ln(current_kept)), so
    intelligence moves towards gain / (gain + staleness) by the share 1 - gap_kept * current_kept;
    the result does not depend on the step's length (weekly steps reach the monthly path). With
    no staleness it is the plain closing of the gap."""
    if current_kept == 1.0 or gap_kept <= 0.0:
        return intelligence_settling(intel, gap_kept, current_kept, 0.0, 0.0)
    return intelligence_settling(intel, gap_kept, current_kept, -math.log(gap_kept), -math.log(current_kept))


@kernel
def intelligence_settling(intel, gap_kept, current_kept, gain, stale):
    """`intelligence_after_step` given the logarithms it takes (`gain` = -ln(gap_kept), `stale` =
    -ln(current_kept)), which `intelligence_update` takes once per value rather than per group."""
    if current_kept == 1.0:
        return intel + (1.0 - gap_kept) * (1.0 - intel)
    if gap_kept <= 0.0:
        return 1.0
    settled = gain / (gain + stale)
    return settled + (intel - settled) * (gap_kept * current_kept)


@kernel
def intelligence_update(u_mapping, rng_handle, stay_unmapped_per_step, gap_kept_per_step, encrypted, area,
                        operation_months_left, rates, active, known, intel, active_row_parts, member_ocg, member_status,
                        member_known, tally_values, row_mapped):
    """Map OCGs (`u_mapping`: a uniform per OCG; the chances of staying unmapped in
    `stay_unmapped_per_step`), grow intelligence on mapped ones (`gap_kept_per_step`), then identify
    members of mapped groups with a chance rising with intelligence: thinned draws over the
    active rows (`active_row_parts`, `TwinModel.active_row_parts`; `streams.thinned_listed`, chance
    `p_identify_max`), a candidate identified when its number is below `p_identify_max * intel` of its group.

    Of `rates` (`policing._intelligence_rates`) it reads `p_identify_max`, the step's chance of
    identification, the share of intelligence still current after the step
    (`intelligence_after_step`) and the intelligence police start with on a group just mapped.
    """
    rng = as_generator(rng_handle)
    p_identify_max = rates[RATE_IDENTIFY]
    intel_kept = rates[RATE_INTEL_KEPT]
    intel_on_mapping = rates[RATE_INTEL_ON_MAPPING]
    mapped_by_area = np.zeros(tally_values.shape[1])
    # The logarithms `intelligence_after_step` takes, once per value rather than once per group: a
    # group's share of the gap kept depends only on its area, whether it is under operation and
    # whether it is encrypted, so the last value of each such kind is kept with its logarithm, and
    # any other value is taken afresh (the same numbers, so the same bits).
    stale = -math.log(intel_kept) if intel_kept < 1.0 else 0.0
    kept_seen = np.full(4 * tally_values.shape[1], -1.0)
    kept_gain = np.zeros(4 * tally_values.shape[1])
    for ocg in range(area.size):
        gap_kept = gap_kept_per_step[ocg]
        if active[ocg] and not known[ocg] and u_mapping[ocg] < 1.0 - stay_unmapped_per_step[ocg]:
            known[ocg] = True
            intel[ocg] = intel_on_mapping
            mapped_by_area[area[ocg]] += 1.0
        if known[ocg]:
            kind = 4 * area[ocg] + 2 * (operation_months_left[ocg] > 0) + (encrypted[ocg] != 0)
            if kept_seen[kind] != gap_kept:
                kept_seen[kind] = gap_kept
                kept_gain[kind] = -math.log(gap_kept) if gap_kept > 0.0 else 0.0
            intel[ocg] = intelligence_settling(intel[ocg], gap_kept, intel_kept, kept_gain[kind], stale)
        else:
            intel[ocg] = 0.0
    add_to_tally(tally_values, row_mapped, mapped_by_area)
    census_rows, first_new_row = active_row_parts
    candidate, u_identify = thinned_listed(rng, census_rows, first_new_row, member_status.size, p_identify_max)
    for hit in range(candidate.size):
        member = candidate[hit]
        owner = member_ocg[member]
        if u_identify[hit] < p_identify_max * intel[owner] and known[owner] and member_status[member] == ACTIVE:
            member_known[member] = True
