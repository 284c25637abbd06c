"""Opentaps samples for the contract suite.

Contact ids are the sandbox's fixed contacts (the same for every seed).
"""

from datetime import UTC, datetime

from crmclients.models import ActivityKind, ActivityStatus, Ref, RefKind

CONTACT = "5166b967e4b0f6e6cd09e653"
MISSING = "ffffffffffffffffffffffff"

SAMPLES = {
    "activities": {
        "create": {
            "body": "Contract test call",
            "kind": ActivityKind.CALL,
            "status": ActivityStatus.NOT_STARTED,
            "due_at": datetime(2025, 1, 31, 9, 30, tzinfo=UTC),
        },
        "update": {
            "body": "updated by the contract suite",
            "status": ActivityStatus.IN_PROGRESS,
        },
        "missing_id": MISSING,
        "filters": {"related_to": Ref(RefKind.CONTACT, CONTACT)},
        "link": (Ref(RefKind.CONTACT, CONTACT, role="attendee"),),
    },
    "tasks": {
        "create": {
            "body": "Contract test task",
            "due_at": datetime(2025, 2, 14, 16, 0, tzinfo=UTC),
            "assignee": Ref(RefKind.CONTACT, CONTACT),
        },
        "update": {"body": "task updated by the contract suite"},
        "missing_id": MISSING,
        "filters": {
            "assigned_to": CONTACT,
            "related_to": Ref(RefKind.CONTACT, CONTACT),
        },
        "transition": (ActivityStatus.IN_PROGRESS,),
        "link": (Ref(RefKind.CONTACT, CONTACT, role="decision maker"),),
    },
}
