"""Administrate samples for the contract suite.

Creating a task needs a task type: the sandbox's settings carry ``task_type_id``.
"""

from crmclients.models import ActivityStatus, Ref, RefKind

SAMPLES = {
    "tasks": {
        "create": {
            "subject": "Contract test",
            "status": ActivityStatus.NOT_STARTED,
            "assignee": Ref(RefKind.USER, "1"),
            "related": (Ref(RefKind.ACCOUNT, "1", name="Acme Corporation"),),
        },
        "update": {
            "subject": "updated by the contract suite",
            "status": ActivityStatus.COMPLETED,
        },
        "missing_id": "999999",
        "filters": {"related_to": Ref(RefKind.ACCOUNT, "1")},
    },
    "activities": {
        "missing_id": "999999",
        "filters": {"related_to": Ref(RefKind.ACCOUNT, "1")},
    },
}
