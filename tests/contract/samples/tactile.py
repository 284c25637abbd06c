"""Tactile samples for the contract suite."""

from datetime import date
from decimal import Decimal

from crmclients.models import Ref, RefKind

SAMPLES = {
    "opportunities": {
        "create": {
            "name": "Contract test",
            "close_date": date(2025, 1, 31),
            "value": Decimal("1200"),
            "probability": 20,
        },
        "update": {"probability": 60, "description": "updated by the contract suite"},
        "missing_id": "999999",
        "filters": {"related_to": Ref(RefKind.COMPANY, "9870")},
    },
    "notes": {
        "list": {"related_to": Ref(RefKind.OPPORTUNITY, "1001")},
        "filters": {"related_to": Ref(RefKind.OPPORTUNITY, "1002")},
    },
}
