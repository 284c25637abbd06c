"""CRM.COM's own records and request values, field for field as the Web API documents them.

Read models (:class:`CrmcomCommunication`, :class:`CommunicationQueueEntry` and the
records nested in them) keep the payload they came from in ``raw``; every field is
optional because ``fields_set`` lets the caller ask for any subset. Wire names that
are not valid Python names are renamed in ``_wire.py`` (``from`` -> ``sender``).

Request values: :class:`Identifier` (one field of an entity, sent as
``x_identifier=field=value`` in a GET query and as ``{"field": "value"}`` in a POST
body), :class:`Release` (the server release the client targets),
:class:`UnrestrictedValue` and :class:`UnrestrictedChange` (unrestricted
parameters of a communication).

>>> Identifier.by_number("CM000680").query_value()
'number=CM000680'
>>> Identifier.by_id("AFC7A8F8F2174A099CDC3AD168B85B3E").as_json()
{'id': 'AFC7A8F8F2174A099CDC3AD168B85B3E'}
>>> Release.parse("R12.2") < Release.parse("R13")
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

import attrs

from crmclients import errors
from crmclients._rules import INT64_MAX, INT64_MIN, shown
from crmclients._types import EMPTY_RAW

__all__ = [
    "CommunicationQueueEntry",
    "ContactInformation",
    "Country",
    "CrmcomCommunication",
    "Demographics",
    "Identifier",
    "LogInformation",
    "PartialDate",
    "Reference",
    "Release",
    "UnrestrictedChange",
    "UnrestrictedParameter",
    "UnrestrictedValue",
    "UserInfo",
]

_RELEASE = re.compile(
    r"^\s*[Rr]?([0-9]{1,3})(?:\.([0-9]{1,3}))?(?:\.([0-9]{1,3}))?\s*$"
)


# -- request values ------------------------------------------------------------------


@attrs.frozen(order=True)
class Release:
    """A CRM.COM release (``R13.0.0``); orders naturally (``R12.2 < R13``).

    Attributes:
        major, minor, patch: The release numbers.
    """

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, value: str | Release) -> Release:
        """Read ``"R13"``, ``"R12.2"``, ``"R10.1.0"``, ``"r13"`` or ``"13.0"``.

        Raises:
            ValueError: Not a release label.
        """
        given: Any = value
        if isinstance(given, Release):
            return given
        match = _RELEASE.match(given) if isinstance(given, str) else None
        if match is None:
            raise ValueError(f"not a CRM.COM release: {value!r:.40}")
        major, minor, patch = (int(part) if part else 0 for part in match.groups())
        return cls(major, minor, patch)

    def __str__(self) -> str:
        return f"R{self.major}.{self.minor}.{self.patch}"


def _text(field: str, value: str | int) -> str:
    """An identifier value as text; an int must fit in a signed 64-bit integer.

    Raises:
        ValidationError: An int too large (Python cannot even print one of more
            than 4,300 digits).
    """
    given: object = value
    if isinstance(given, int) and not INT64_MIN <= given <= INT64_MAX:
        raise errors.ValidationError(
            field=field,
            rule=f"must fit in a signed 64-bit integer, got {shown(given)}",
            vendor="crmcom",
        )
    return str(value)


@attrs.frozen
class Identifier:
    """One identifying field of a CRM.COM entity (exactly one per identifier).

    Build it with a named constructor; the Web API accepts one field per
    identifier (``id``, ``number``, ``name``, ``code``, ``alternative_code``...,
    depending on the entity).

    Attributes:
        field: The identifying field (``"number"``).
        value: Its value (``"CM000680"``).
    """

    field: str
    value: str

    @classmethod
    def by_id(cls, value: str) -> Identifier:
        """Identify by the 32-character id."""
        return cls("id", value)

    @classmethod
    def by_number(cls, value: str | int) -> Identifier:
        """Identify by the human-readable number (``CM000680``, ``S60302``)."""
        return cls("number", _text("number", value))

    @classmethod
    def by_name(cls, value: str) -> Identifier:
        """Identify by name (categories, templates, groups...)."""
        return cls("name", value)

    @classmethod
    def by_code(cls, value: str) -> Identifier:
        """Identify by code (communication categories...)."""
        return cls("code", value)

    @classmethod
    def by_alternative_code(cls, value: str) -> Identifier:
        """Identify by alternative code (external systems, groups...)."""
        return cls("alternative_code", value)

    @classmethod
    def by(cls, field: str, value: str | int) -> Identifier:
        """Identify by any other documented field (``key``, ``id_number``...)."""
        return cls(field, _text(field, value))

    def query_value(self) -> str:
        """The GET form: ``field=value`` (sent as ``x_identifier=field=value``)."""
        return f"{self.field}={self.value}"

    def as_json(self) -> dict[str, str]:
        """The POST form: ``{"field": "value"}``."""
        return {self.field: self.value}


@attrs.frozen
class UnrestrictedValue:
    """An unrestricted parameter given to a communication (create, or update ``add``).

    Attributes:
        name: The parameter name (used as ``#unrestricted_<type>.<name>``).
        type: ``STRING``, ``INTEGER``, ``FLOAT`` or ``DATE``.
        value: The value: a string, integer, number, or a datetime/date/string.
    """

    TYPES: ClassVar[tuple[str, ...]] = ("STRING", "INTEGER", "FLOAT", "DATE")

    name: str
    type: str
    value: Any

    @classmethod
    def string(cls, name: str, value: str) -> UnrestrictedValue:
        """A STRING parameter."""
        return cls(name, "STRING", value)

    @classmethod
    def integer(cls, name: str, value: int) -> UnrestrictedValue:
        """An INTEGER parameter."""
        return cls(name, "INTEGER", value)

    @classmethod
    def number(cls, name: str, value: float | str) -> UnrestrictedValue:
        """A FLOAT parameter."""
        return cls(name, "FLOAT", value)

    @classmethod
    def moment(cls, name: str, value: datetime | date | str) -> UnrestrictedValue:
        """A DATE parameter."""
        return cls(name, "DATE", value)


@attrs.frozen
class UnrestrictedChange:
    """One change to a communication's unrestricted parameters (update only).

    Attributes:
        action: ``add``, ``update`` or ``remove``.
        value: The new parameter (add, update).
        identifier: Which parameter (update, remove): ``Identifier.by_name(...)``
            or ``Identifier.by("key", "unrestricted_string.name")``.
    """

    action: str
    value: UnrestrictedValue | None = None
    identifier: Identifier | None = None

    @classmethod
    def add(cls, value: UnrestrictedValue) -> UnrestrictedChange:
        """Add a parameter."""
        return cls("add", value=value)

    @classmethod
    def update(
        cls, identifier: Identifier, value: UnrestrictedValue
    ) -> UnrestrictedChange:
        """Replace an existing parameter."""
        return cls("update", value=value, identifier=identifier)

    @classmethod
    def remove(cls, identifier: Identifier) -> UnrestrictedChange:
        """Remove a parameter."""
        return cls("remove", identifier=identifier)


# -- read models ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Reference:
    """A small nested entity: a category, group, unit, privacy level, external system...

    Only the fields the entity has are set; the rest is in ``raw``.
    """

    id: str | None = None
    name: str | None = None
    description: str | None = None
    code: str | None = None
    alternative_code: str | None = None
    number: str | None = None
    community_name: str | None = None
    group_name: str | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class UserInfo:
    """A user in ``log_information`` (``created_by_user``...)."""

    id: str | None = None
    username: str | None = None
    person_name: str | None = None
    email: str | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class LogInformation:
    """Who created and last updated a record, and when (aware UTC)."""

    created_date: datetime | None = None
    updated_date: datetime | None = None
    created_by_unit: Reference | None = None
    updated_by_unit: Reference | None = None
    created_by_user: UserInfo | None = None
    updated_by_user: UserInfo | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Country:
    """A country (``country_of_residence``, ``passport_issued_by_country``...)."""

    id: str | None = None
    name: str | None = None
    two_character_code: str | None = None
    three_character_code: str | None = None
    alternative_code: str | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class PartialDate:
    """A date whose parts may be missing (``date_of_birth``, ``name_day``)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None


@attrs.frozen(kw_only=True)
class Demographics:
    """The demographics of a person's contact information."""

    gender: str | None = None
    id_number: str | None = None
    passport_number: str | None = None
    social_security_number: str | None = None
    id_issued_by_country: Country | None = None
    passport_issued_by_country: Country | None = None
    country_of_residence: Country | None = None
    industry: Reference | None = None
    industry_sector: Reference | None = None
    date_of_birth: PartialDate | None = None
    name_day: PartialDate | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class ContactInformation:
    """The person or company a communication is with.

    Attributes:
        type: ``PERSON`` or ``COMPANY``.
        life_cycle_state: ``FINANCIAL``, ``MARKETING``...
        name: The display name CRM.COM gives (may be null: see ``display_name``).
    """

    id: str | None = None
    type: str | None = None
    name: str | None = None
    title: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    company_profile: Mapping[str, Any] | None = None
    life_cycle_state: str | None = None
    demographics: Demographics | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)

    @property
    def display_name(self) -> str | None:
        """``name``, else the company name, else first and last name."""
        if self.name:
            return self.name
        if self.company_name:
            return self.company_name
        parts = [p.strip() for p in (self.first_name, self.last_name) if p]
        return " ".join(p for p in parts if p) or None


@attrs.frozen(kw_only=True)
class UnrestrictedParameter:
    """An unrestricted parameter of a communication (``#unrestricted_string.name``)."""

    id: str | None = None
    key: str | None = None
    name: str | None = None
    type: str | None = None
    string_value: str | None = None
    integer_value: int | None = None
    float_value: float | None = None
    date_value: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CrmcomCommunication:
    """A communication (``communications/show``, ``list``, ``create``...).

    Attributes:
        id: 32-character id; ``number`` the human number (``CM000680``); ``code``.
        media: ``EMAIL``, ``SMS``, ``PHONE``, ``LETTER`` or ``FACE_TO_FACE``.
        direction: ``INCOMING`` or ``OUTGOING``.
        life_cycle_state: ``DRAFT`` or ``COMPLETED`` (``COMPLETE`` in some docs).
        sender: The ``from`` address; ``to`` the recipient.
        viewed, viewed_on: Whether and when it was viewed (R12.2+).
        referring_to: The entities it refers to, by type (``subscription``,
            ``lead``, ``bill``...; null when none), as the API returns them.
        follow_up_set: Follow-ups, as returned.
        udf_string_1..8, udf_float_1..4, udf_date_1..4: User defined fields.
    """

    id: str | None = None
    number: str | None = None
    code: str | None = None
    subject: str | None = None
    content: str | None = None
    notes: str | None = None
    media: str | None = None
    direction: str | None = None
    sender: str | None = None
    to: str | None = None
    life_cycle_state: str | None = None
    viewed: bool | None = None
    viewed_on: datetime | None = None
    contact_information: ContactInformation | None = None
    category: Reference | None = None
    owned_by_group: Reference | None = None
    privacy_level: Reference | None = None
    communication_queue_external_system: Reference | None = None
    referring_to: Mapping[str, Any] | None = None
    follow_up_set: tuple[Mapping[str, Any], ...] | None = None
    unrestricted_parameter_set: tuple[UnrestrictedParameter, ...] | None = None
    log_information: LogInformation | None = None
    udf_string_1: str | None = None
    udf_string_2: str | None = None
    udf_string_3: str | None = None
    udf_string_4: str | None = None
    udf_string_5: str | None = None
    udf_string_6: str | None = None
    udf_string_7: str | None = None
    udf_string_8: str | None = None
    udf_float_1: float | None = None
    udf_float_2: float | None = None
    udf_float_3: float | None = None
    udf_float_4: float | None = None
    udf_date_1: datetime | None = None
    udf_date_2: datetime | None = None
    udf_date_3: datetime | None = None
    udf_date_4: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CommunicationQueueEntry:
    """An entry of the communication queue (``communications/queue/...``).

    Attributes:
        life_cycle_state: ``PENDING``, ``COMPLETED``, ``REJECTED`` or
            ``COMPLETED_AND_REMOVED`` (R10.1+).
        error_code, error_description: Why an external system rejected it.
        communication: The queued communication (a subset of its fields).
        communication_queue_external_system: The external system it is for.
    """

    id: str | None = None
    number: str | None = None
    life_cycle_state: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    communication: CrmcomCommunication | None = None
    communication_queue_external_system: Reference | None = None
    log_information: LogInformation | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)
