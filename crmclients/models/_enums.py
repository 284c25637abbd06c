"""Enumerations of the shared model. Strictly private: import from crmclients.models."""

from __future__ import annotations

import enum


class RefKind(enum.StrEnum):
    """What a :class:`~crmclients.models.Ref` points at."""

    CONTACT = "contact"
    COMPANY = "company"
    ACCOUNT = "account"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    USER = "user"
    VENUE = "venue"
    EVENT = "event"
    ORDER = "order"
    INVOICE = "invoice"
    PAYMENT = "payment"
    OTHER = "other"


class ActivityKind(enum.StrEnum):
    """The kind of an activity."""

    NOTE = "note"
    TASK = "task"
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    FACE_TO_FACE = "face_to_face"
    EVENT = "event"
    OTHER = "other"


class ActivityStatus(enum.StrEnum):
    """The shared lifecycle status of an activity or task.

    The vendor's own word is always kept in ``vendor_status``.
    """

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DRAFT = "draft"


class Priority(enum.StrEnum):
    """Priority of an activity or task."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Media(enum.StrEnum):
    """The medium of a communication."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"
    FACE_TO_FACE = "face_to_face"


class Direction(enum.StrEnum):
    """The direction of a communication."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
