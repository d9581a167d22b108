"""The model's categories: markets, roles, statuses, OCG types, reach, violence, enablers, harm.

Each category is a tuple of names; arrays store the index into the tuple (small integers), so a
status array reads `members.status == ACTIVE` rather than comparing strings.
"""

from __future__ import annotations

MARKETS = (
    "heroin_crack",
    "cocaine",
    "fraud",
    "modern_slavery",
    "immigration",
    "firearms",
    "acquisitive",
    "money_laundering",
)
HEROIN_CRACK, COCAINE, FRAUD, MODERN_SLAVERY, IMMIGRATION, FIREARMS, ACQUISITIVE, MONEY_LAUNDERING = range(8)
DRUG_MARKETS = (HEROIN_CRACK, COCAINE)
# Markets served nationally rather than area by area (online fraud, border crossings, trafficking routes).
NATIONAL_MARKETS = (FRAUD, IMMIGRATION)

ROLES = ("leader", "core", "worker", "exploited")
LEADER, CORE, WORKER, EXPLOITED = range(4)

STATUSES = ("active", "charged", "prison", "released", "exited")
ACTIVE, CHARGED, PRISON, RELEASED, EXITED = range(5)

OCG_TYPES = ("cultural", "proximity", "family", "virtual")
CULTURAL, PROXIMITY, FAMILY, VIRTUAL = range(4)

REACH = ("local", "regional", "national")
LOCAL, REGIONAL, NATIONAL = range(3)

VIOLENCE = ("none", "some", "serious")
NO_VIOLENCE, SOME_VIOLENCE, SERIOUS_VIOLENCE = range(3)

ENABLER_TYPES = ("professional", "insider", "technical")
PROFESSIONAL, INSIDER, TECHNICAL = range(3)

FORCE, ROCU, NCA = range(3)

HARM_CATEGORIES = ("drugs", "economic", "modern_slavery", "immigration", "violence", "other")
