"""CRM.COM samples for the contract suite.

CRM.COM lists communications per contact, so every list names one: the contacts
below are the ones of the vendor's examples, which the sandbox always seeds.
"""

from crmclients.models import ActivityStatus, Direction, Media, Ref, RefKind

KATHY_CLARK = "460BB0DB7A4EB61D9D6E3DFEE8566C08"
ELENA_MICHAEL = "2A3FD24CF1586E31D9DC7CAF43C38A96"
MISSING = "00000000000000000000000000000000"

SAMPLES = {
    "communications": {
        "list": {"related_to": Ref(RefKind.CONTACT, KATHY_CLARK)},
        "create": {
            "subject": "Contract test",
            "body": "Written by the contract suite.",
            "media": Media.EMAIL,
            "direction": Direction.OUTGOING,
            "to": "kathy.clark@example.com",
            "status": ActivityStatus.DRAFT,
            "related": (Ref(RefKind.CONTACT, KATHY_CLARK, name="Clark Kathy"),),
        },
        "update": {"subject": "Updated by the contract suite"},
        "missing_id": MISSING,
        "filters": {"related_to": Ref(RefKind.CONTACT, ELENA_MICHAEL)},
    },
    "activities": {
        "list": {"related_to": Ref(RefKind.CONTACT, KATHY_CLARK)},
        "missing_id": MISSING,
        "filters": {"related_to": Ref(RefKind.CONTACT, ELENA_MICHAEL)},
    },
}
