"""iVvy samples for the contract suite (ids exist in the seeded sandbox)."""

from datetime import UTC, datetime

from crmclients.models import ActivityKind, ActivityStatus, Priority, Ref, RefKind

SAMPLES = {
    "activities": {
        "create": {
            "kind": ActivityKind.MEETING,
            "subject": "Contract test",
            "body": "<p>Created by the contract suite</p>",
            "starts_at": datetime(2025, 1, 31, 9, 0, tzinfo=UTC),
            "ends_at": datetime(2025, 1, 31, 10, 0, tzinfo=UTC),
            "location": "Gold Coast",
            "priority": Priority.HIGH,
            "related": (Ref(RefKind.CONTACT, "45201"),),
        },
        "update": {"subject": "Updated by the contract suite", "location": "Sydney"},
        "missing_id": "999999",
        "filters": {
            "related_to": Ref(RefKind.VENUE, "2"),
            "assigned_to": Ref(RefKind.USER, "3"),
        },
    },
    "tasks": {
        "create": {
            "subject": "Contract test task",
            "body": "<p>Created by the contract suite</p>",
            "due_at": datetime(2025, 2, 28, 17, 0, tzinfo=UTC),
            "status": ActivityStatus.IN_PROGRESS,
            "priority": Priority.LOW,
            "related": (Ref(RefKind.LEAD, "2605"), Ref(RefKind.VENUE, "3")),
        },
        "update": {"status": ActivityStatus.COMPLETED, "subject": "Done"},
        "missing_id": "999999",
        "filters": {"related_to": Ref(RefKind.COMPANY, "851")},
    },
}
