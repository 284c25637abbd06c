"""Deterministic, realistic-looking sample data for the emulators. Strictly private."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

FIRST_NAMES = (
    "Alice",
    "Bill",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kathy",
    "Liam",
    "Maya",
    "Nikos",
    "Olga",
    "Paul",
    "Quinn",
    "Raj",
    "Sofia",
    "Tom",
)
LAST_NAMES = (
    "Smith",
    "Clark",
    "Okafor",
    "Nguyen",
    "Rossi",
    "Schmidt",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Silva",
    "Brown",
    "Papadopoulos",
    "Murphy",
    "Larsen",
    "Garcia",
)
COMPANIES = (
    "Acme Boats Ltd.",
    "Blue Harbour Hotels",
    "Cedar Logistics",
    "Delta Dental Group",
    "Evergreen Events",
    "Fjord Analytics",
    "Granite Legal LLP",
    "Harbor View Venues",
    "Iris Media",
    "Juniper Foods",
    "Kestrel Aviation",
    "Lumen Solar",
)
TOPICS = (
    "Website Redesign",
    "Annual Conference",
    "Support Contract",
    "Fleet Renewal",
    "Boating eCommerce Website",
    "Catering Upgrade",
    "Data Migration",
    "Training Day",
    "Security Audit",
    "Quarterly Review",
    "New Office Fit-out",
    "Product Launch",
)
VERBS = (
    "Call",
    "Email",
    "Meet",
    "Follow up with",
    "Send proposal to",
    "Review notes with",
)
USERNAMES = ("paul", "greg", "dave", "george", "maria", "sandbox")
EPOCH = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)


def person(rng: random.Random) -> str:
    """A full name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def moment(rng: random.Random, days: int = 700) -> datetime:
    """A UTC moment within ``days`` after the sample epoch, on a whole second."""
    return EPOCH + timedelta(seconds=rng.randrange(days * 86400))


def sentence(rng: random.Random) -> str:
    """A short line of text."""
    return f"{rng.choice(VERBS)} {person(rng)} about {rng.choice(TOPICS).lower()}."
