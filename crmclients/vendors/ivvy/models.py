"""iVvy's own CRM records, field for field as the API documents them.

Attribute names are the wire names in Python style (``startDatetime`` ->
``start_datetime``, ``assignedUserId`` -> ``assigned_user_id``); the renames live in
``_wire.py``. Timestamps are aware UTC datetimes (iVvy sends UTC, with or without a
trailing `` UTC``). Every record keeps the payload it came from in ``raw``.

Enumerated values stay plain integers and strings on the records, so a value iVvy
adds later is kept rather than refused; :class:`SubType` and :class:`TaskStatus`
name the documented ones.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from crmclients._types import EMPTY_RAW

__all__ = [
    "PRIORITIES",
    "ActivityList",
    "IvvyActivity",
    "IvvyPing",
    "IvvyTask",
    "ListMeta",
    "SubType",
    "TaskList",
    "TaskStatus",
]

#: The documented priority words of activities and tasks.
PRIORITIES: tuple[str, ...] = ("low", "medium", "high")


class SubType(enum.IntEnum):
    """The documented activity sub types (``subType``)."""

    MEETING = 1
    CALL = 2
    EMAIL = 3

    @property
    def label(self) -> str:
        """iVvy's name for the sub type (``"Meeting"``...)."""
        return self.name.title()


class TaskStatus(enum.IntEnum):
    """The documented task statuses (``status``)."""

    NOT_STARTED = 0
    IN_PROGRESS = 1
    ON_HOLD = 2
    CANCELLED = 3
    COMPLETED = 4

    @property
    def label(self) -> str:
        """iVvy's name for the status (``"Not Started"``...)."""
        return self.name.replace("_", " ").title()


@attrs.frozen(kw_only=True)
class ListMeta:
    """The ``meta`` object of a collection answer.

    Attributes:
        total_results: Records matching the request, over all pages.
        start: The record offset of this page (zero-based).
        per_page: The page size the server actually used (it may be smaller than
            the ``perPage`` asked for: iVvy caps it without saying where).
        count: Records on this page.
    """

    total_results: int
    start: int
    per_page: int
    count: int


@attrs.frozen(kw_only=True)
class IvvyActivity:
    """An activity (``crm?action=getActivityList``).

    Attributes:
        id: iVvy's integer id.
        venue_id: The venue the activity belongs to.
        lead_id: The lead/opportunity it belongs to.
        sub_type: 1 Meeting, 2 Call, 3 Email (see :class:`SubType`).
        name: Its name.
        description: Its description (HTML).
        purpose_name, purpose_type: The activity purpose, resolved by iVvy.
        location: Where it takes place.
        contact_id, company_id: The contact or company it belongs to.
        company_contact_id: The contact iVvy attached to the company when both a
            company and a contact were given.
        assigned_user_id, assigned_user_full_name, assigned_user_email: The user
            it is assigned to.
        priority: ``low``, ``medium`` or ``high``. A write parameter; the documented
            list sample does not show it, so it is None unless the server sends it.
        start_datetime, end_datetime: When it starts and ends.
        created_date, modified_date: When it was created and last changed.
    """

    id: int
    venue_id: int | None = None
    lead_id: int | None = None
    sub_type: int | None = None
    name: str | None = None
    description: str | None = None
    purpose_name: str | None = None
    purpose_type: int | None = None
    location: str | None = None
    contact_id: int | None = None
    company_id: int | None = None
    company_contact_id: int | None = None
    assigned_user_id: int | None = None
    assigned_user_full_name: str | None = None
    assigned_user_email: str | None = None
    priority: str | None = None
    start_datetime: datetime | None = None
    end_datetime: datetime | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class IvvyTask:
    """A task (``crm?action=getTaskList``).

    Attributes:
        id: iVvy's integer id.
        venue_id, booking_id, lead_id: What the task belongs to.
        name: Its name.
        description: Its description (HTML).
        status: 0 Not Started, 1 In Progress, 2 On Hold, 3 Cancelled, 4 Completed
            (see :class:`TaskStatus`).
        contact_id, company_id, company_contact_id: The contact or company it
            belongs to.
        assigned_user_id, assigned_user_full_name, assigned_user_email: The user
            it is assigned to.
        user_full_name, user_email: The user named in the record besides the
            assignee (the docs do not say more).
        priority: ``low``, ``medium`` or ``high``.
        start_datetime: When it starts.
        end_datetime: When it is due.
        progress: Progress, as iVvy reports it.
        created_date, modified_date: When it was created and last changed.
    """

    id: int
    venue_id: int | None = None
    booking_id: int | None = None
    lead_id: int | None = None
    name: str | None = None
    description: str | None = None
    status: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    company_contact_id: int | None = None
    assigned_user_id: int | None = None
    assigned_user_full_name: str | None = None
    assigned_user_email: str | None = None
    user_full_name: str | None = None
    user_email: str | None = None
    priority: str | None = None
    start_datetime: datetime | None = None
    end_datetime: datetime | None = None
    progress: int | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class ActivityList:
    """One page of ``crm?action=getActivityList``.

    Attributes:
        results: The activities on this page.
        meta: Paging facts as the server reported them.
    """

    results: list[IvvyActivity]
    meta: ListMeta


@attrs.frozen(kw_only=True)
class TaskList:
    """One page of ``crm?action=getTaskList``.

    Attributes:
        results: The tasks on this page.
        meta: Paging facts as the server reported them.
    """

    results: list[IvvyTask]
    meta: ListMeta


@attrs.frozen(kw_only=True)
class IvvyPing:
    """The answer of ``test?action=ping``.

    The docs say only that the server answers "with an ack message, with the
    timestamp from the server" without naming the keys; ``message`` and
    ``timestamp`` are read when present and the whole answer is in ``raw``.

    Attributes:
        message: The acknowledgement text, when the answer has one.
        timestamp: The server's time, when the answer has one.
    """

    message: str | None = None
    timestamp: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)
