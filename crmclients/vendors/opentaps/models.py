"""Opentaps CRM-2's own records, field for field as the API and its samples show them.

Wire names are camelCase (``noteText``, ``scheduledDateTime``) and records are keyed
by ``_id``, a 24-hex Mongo-style ObjectId; ``_wire.py`` renames them to Python
names. Statuses stay the vendor's UPPER-CASE words (``CREATED``, ``STARTED``,
``COMPLETED``, ``CANCELLED``). Every record keeps the payload it came from in
``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from crmclients._types import EMPTY_RAW

__all__ = [
    "STATUSES",
    "TASK_TYPE",
    "ContactRole",
    "OpentapsActivity",
    "TempToken",
]

#: The task statuses as they go over the wire (the docs' display labels upper-cased).
STATUSES: tuple[str, ...] = ("CREATED", "STARTED", "COMPLETED", "CANCELLED")
#: The ``activityTypeId`` of every task (``POST /task`` always creates this type).
TASK_TYPE = "TASK"


@attrs.frozen(kw_only=True)
class ContactRole:
    """A contact associated with an activity, in an optional role.

    Attributes:
        contact_id: The contact's ``_id``.
        role: The role, an arbitrary string (None when the link has no role).
    """

    contact_id: str
    role: str | None = None


@attrs.frozen(kw_only=True)
class OpentapsActivity:
    """An activity (``/activities``); a task is an activity of type ``TASK``.

    Attributes:
        id: The ``_id`` (24 hex digits).
        activity_type_id: ``NOTE``, ``EMAIL``, ``TASK``... (per domain, capitalised
            by the server).
        note_text: The activity's text.
        status: The vendor's status word (``CREATED``, ``STARTED``, ``COMPLETED``,
            ``CANCELLED``), as received.
        scheduled_date_time: The scheduled moment (tasks, follow-ups), aware UTC.
        responsible_contact_id: The contact responsible for it.
        assigned_to_contact: The contact ids it is assigned to (tasks).
        contacts: The contacts associated with it, with their roles.
        attributes: The free attribute map (``attributes.email``...).
        client_domain: The client domain it belongs to.
        created_date: Creation time, aware UTC.
        last_modified_date: Last change, aware UTC.
    """

    id: str
    activity_type_id: str | None = None
    note_text: str | None = None
    status: str | None = None
    scheduled_date_time: datetime | None = None
    responsible_contact_id: str | None = None
    assigned_to_contact: tuple[str, ...] = ()
    contacts: tuple[ContactRole, ...] = ()
    attributes: dict[str, Any] = attrs.field(factory=dict)
    client_domain: str | None = None
    created_date: datetime | None = None
    last_modified_date: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)

    @property
    def is_task(self) -> bool:
        """True for tasks (``activityTypeId`` ``TASK``)."""
        return (self.activity_type_id or "").upper() == TASK_TYPE


@attrs.frozen(kw_only=True, repr=False)
class TempToken:
    """A temporary auth token from ``POST /oauth/temp-token`` (valid 60 minutes).

    Attributes:
        auth_token: The temporary token (a credential: never shown in reprs).
    """

    auth_token: str

    def __repr__(self) -> str:
        return "TempToken(auth_token=[secure])"
