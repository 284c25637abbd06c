"""The shared model: the vendor-neutral records every adapter returns.

Plain attrs classes (frozen, slotted, keyword-only) with no I/O and no vendor
knowledge. Timestamps are aware UTC datetimes; ids are strings; the vendor's payload
is kept in ``raw`` (never shown in reprs).

>>> from crmclients.models import Ref, RefKind
>>> Ref(RefKind.CONTACT, "42", role="billing")
Ref(kind=RefKind.CONTACT, id='42', role='billing')
"""

from crmclients._types import EMPTY_RAW
from crmclients.models._enums import (
    ActivityKind,
    ActivityStatus,
    Direction,
    Media,
    Priority,
    RefKind,
)
from crmclients.models._records import (
    TASK_TRANSITIONS,
    Activity,
    Communication,
    Note,
    Opportunity,
    Record,
    Ref,
    Task,
)

__all__ = [
    "EMPTY_RAW",
    "TASK_TRANSITIONS",
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "Communication",
    "Direction",
    "Media",
    "Note",
    "Opportunity",
    "Priority",
    "Record",
    "Ref",
    "RefKind",
    "Task",
]
