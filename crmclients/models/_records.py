"""The shared record classes. Strictly private: import from crmclients.models."""

from __future__ import annotations

import enum
import html
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from crmclients import errors
from crmclients._types import EMPTY_RAW
from crmclients.models._enums import (
    ActivityKind,
    ActivityStatus,
    Direction,
    Media,
    Priority,
    RefKind,
)


def _shown_fields(obj: Any) -> list[tuple[str, Any]]:
    """Fields worth showing: set, non-empty, never ``raw``."""
    shown = []
    for field in attrs.fields(type(obj)):
        if field.name == "raw" or not field.repr:
            continue
        value = getattr(obj, field.name)
        if (
            value is None
            or value == ()
            or (value is False and field.name != "archived")
        ):
            continue
        shown.append((field.name, value))
    return shown


class _Readable:
    """Readable reprs: only the fields that are set, never ``raw`` (or secrets)."""

    __slots__ = ()

    def __repr__(self) -> str:
        body = ", ".join(
            f"{name}={_short(value)}" for name, value in _shown_fields(self)
        )
        return f"{type(self).__name__}({body})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
            f"<td style='text-align:left'>{html.escape(_display(value))}</td></tr>"
            for name, value in _shown_fields(self)
        )
        return f"<table><caption>{type(self).__name__}</caption>{rows}</table>"


def _short(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, tuple):
        inner = ", ".join(_short(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _display(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, tuple):
        return ", ".join(_display(v) for v in value)
    if isinstance(value, Ref):
        return value.label
    return str(value)


@attrs.frozen(kw_only=True, repr=False, init=False)
class Ref(_Readable):
    """A pointer to another record, possibly in another system.

    Args:
        kind: What is pointed at.
        id: Its id in the vendor's system (always a string).
        name: Its display name, when the vendor gives one.
        role: The role of the link (Opentaps contact roles), when there is one.
    """

    kind: RefKind
    id: str
    name: str | None = None
    role: str | None = None

    def __init__(  # positional kind and id read naturally: Ref(RefKind.CONTACT, "42")
        self, kind: RefKind, id: str, name: str | None = None, role: str | None = None
    ) -> None:
        self.__attrs_init__(
            kind=kind if kind.__class__ is RefKind else _ref_kind(kind),
            id=id if id.__class__ is str else _ref_id(id),
            name=name,
            role=role,
        )

    @property
    def label(self) -> str:
        """``kind:id`` plus the name, for display."""
        text = f"{self.kind.value}:{self.id}"
        return f"{text} ({self.name})" if self.name else text


def _ref_kind(kind: Any) -> RefKind:
    try:
        return RefKind(kind)
    except ValueError:
        raise errors.ValidationError(
            field="kind",
            rule=f"must be one of {', '.join(k.value for k in RefKind)}, got {kind!r:.40}",
        ) from None


def _ref_id(value: Any) -> str:
    """A Ref id given as an int: its decimal text (no bool, no float, no giant)."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() < 64
    ):
        return str(value)
    shown = (
        f"an int of {value.bit_length()} bits"
        if isinstance(value, int) and not isinstance(value, bool)
        else repr(value)
    )
    raise errors.ValidationError(
        field="id",
        rule=f"must be a string or an int within 64 bits, got {shown[:40]}",
    )


@attrs.frozen(kw_only=True, repr=False)
class Record(_Readable):
    """Fields common to every shared record.

    Attributes:
        id: The vendor's id, as a string (None before creation).
        vendor: The vendor name (``"tactile"``...).
        created_at: Creation time, aware UTC, or None.
        updated_at: Last update time, aware UTC, or None.
        raw: The vendor payload as received (empty when ``include_raw=False``);
            never shown in reprs and not part of equality.
    """

    id: str | None = None
    vendor: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True, repr=False)
class Activity(Record):
    """Something that happened or is planned: a note, call, meeting, email, task...

    Attributes:
        kind: What sort of activity it is.
        subject: Short title.
        body: Longer text.
        status: Shared lifecycle status (None when the vendor has none).
        vendor_status: The vendor's own status word.
        starts_at: Start time (aware UTC).
        ends_at: End time (aware UTC).
        due_at: Due / scheduled time (aware UTC).
        priority: Priority.
        location: Where it takes place.
        assignee: Who it is assigned to.
        related: What it is about (contacts, companies, leads...).
    """

    kind: ActivityKind = ActivityKind.OTHER
    subject: str | None = None
    body: str | None = None
    status: ActivityStatus | None = None
    vendor_status: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    due_at: datetime | None = None
    priority: Priority | None = None
    location: str | None = None
    assignee: Ref | None = None
    related: tuple[Ref, ...] = ()


#: The normal lifecycle of a task; final states have no way out.
TASK_TRANSITIONS: Mapping[ActivityStatus, frozenset[ActivityStatus]] = MappingProxyType(
    {
        ActivityStatus.DRAFT: frozenset(
            {ActivityStatus.NOT_STARTED, ActivityStatus.CANCELLED}
        ),
        ActivityStatus.NOT_STARTED: frozenset(
            {
                ActivityStatus.IN_PROGRESS,
                ActivityStatus.ON_HOLD,
                ActivityStatus.CANCELLED,
            }
        ),
        ActivityStatus.IN_PROGRESS: frozenset(
            {ActivityStatus.COMPLETED, ActivityStatus.ON_HOLD, ActivityStatus.CANCELLED}
        ),
        ActivityStatus.ON_HOLD: frozenset(
            {ActivityStatus.IN_PROGRESS, ActivityStatus.CANCELLED}
        ),
        ActivityStatus.COMPLETED: frozenset(),
        ActivityStatus.CANCELLED: frozenset(),
    }
)


@attrs.frozen(kw_only=True, repr=False)
class Task(Activity):
    """An activity with a scheduled time and an assignee; ``due_at`` is the schedule."""

    kind: ActivityKind = ActivityKind.TASK
    transitions: ClassVar[Mapping[ActivityStatus, frozenset[ActivityStatus]]] = (
        TASK_TRANSITIONS
    )

    def can_transition_to(self, status: ActivityStatus | str) -> bool:
        """Tell whether moving from the current status to ``status`` is a normal move.

        Created -> Started or Cancelled; Started -> Completed or Cancelled;
        Completed and Cancelled are final. A task with no status may go anywhere.

        Args:
            status: The target status (an ``ActivityStatus`` or its value).

        Returns:
            True for a move on the normal lifecycle.
        """
        target = ActivityStatus(status)
        if self.status is None:
            return True
        return target in self.transitions.get(self.status, frozenset())


@attrs.frozen(kw_only=True, repr=False)
class Communication(Activity):
    """A message sent or received through some medium (CRM.COM communications).

    Attributes:
        media: Email, SMS, phone, letter or face to face.
        direction: Incoming or outgoing.
        to: The recipient address or number.
        number: The vendor's human-readable number (``CM000680``).
        category: The communication category's name.
        viewed_at: When the recipient viewed it.
    """

    media: Media | None = None
    direction: Direction | None = None
    to: str | None = None
    number: str | None = None
    category: str | None = None
    viewed_at: datetime | None = None


@attrs.frozen(kw_only=True, repr=False)
class Opportunity(Record):
    """A potential sale.

    Attributes:
        name: Its name.
        description: Longer text.
        organisation: The organisation it is with.
        person: The person it is with.
        value: Its value (exact decimal).
        probability: Chance of winning, percent.
        status: The vendor's status name (``"New"``, ``"Won"``...).
        type: The vendor's type name.
        source: The vendor's source name.
        owner: Who owns it.
        assignee: Who it is assigned to.
        close_date: The expected close / end date.
        archived: Whether it is archived.
        tags: Its tags.
    """

    name: str | None = None
    description: str | None = None
    organisation: Ref | None = None
    person: Ref | None = None
    value: Decimal | None = None
    probability: int | None = None
    status: str | None = None
    type: str | None = None
    source: str | None = None
    owner: Ref | None = None
    assignee: Ref | None = None
    close_date: date | None = None
    archived: bool = False
    tags: tuple[str, ...] = ()


@attrs.frozen(kw_only=True, repr=False)
class Note(Record):
    """A note attached to other records.

    Attributes:
        title: Its title.
        body: Its text.
        author: Who wrote it.
        related: What it is attached to.
        private: Whether only its author can see it.
    """

    title: str | None = None
    body: str | None = None
    author: Ref | None = None
    related: tuple[Ref, ...] = ()
    private: bool = False
