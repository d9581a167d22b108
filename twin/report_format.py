"""How the reports write numbers and lists: £bn with and without a sign, "11 of 12" paired
replications, "a, b and c"."""

from __future__ import annotations

import numpy as np


def bn(value: float) -> str:
    """£ billions, unsigned: '£1.23bn' ('n/a' when there is no number, e.g. an interval from one pair)."""
    return f"£{abs(value) / 1e9:,.2f}bn" if np.isfinite(value) else "n/a"


def signed_bn(value: float) -> str:
    """£ billions with a sign: '+£1.23bn', '-£0.40bn' ('n/a' when there is no number)."""
    return f"{'+' if value >= 0 else '-'}£{abs(value) / 1e9:,.2f}bn" if np.isfinite(value) else "n/a"


def count_of(share: float, pairs: float) -> str:
    """'11 of 12' from a share of paired replications; 'n/a' without pairs."""
    if not pairs or not np.isfinite(share):
        return "n/a"
    return f"{round(share * pairs):.0f} of {int(pairs)}"


def replications(pairs: float) -> str:
    return f"{int(pairs)} paired replication{'s' if int(pairs) != 1 else ''}"


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def per_pound(value: float) -> str:
    """Harm averted per extra pound: one decimal, two below £1 (£0.07 is not £0.1)."""
    return f"£{value:.2f}" if abs(value) < 1 else f"£{value:.1f}"


def discounted_count(metric: str) -> bool:
    """A discounted count of people or events: left out of summary.csv and the export (a
    "discounted" 147 homicides would read as fewer homicides than the 196 that happened)."""
    return metric.startswith("discounted_") and "gbp" not in metric
