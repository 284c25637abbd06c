"""Tactile CRM's own records, field for field as the API documents them.

Wire names that are not valid or clear Python names are renamed in ``_wire.py``
(``lastupdated`` -> ``last_updated``, ``enddate`` -> ``end_date``...). Every model
keeps the payload it came from in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from crmclients._rules import INT64_MAX, INT64_MIN, ascii_int
from crmclients._types import EMPTY_RAW

__all__ = [
    "OpportunityList",
    "OpportunityOptions",
    "TactileEmail",
    "TactileNote",
    "TactileOpportunity",
    "TimelineEntry",
]


@attrs.frozen(kw_only=True)
class TactileOpportunity:
    """An opportunity (``/opportunities/view``).

    Attributes:
        id: Tactile's integer id.
        name: The opportunity's name.
        description: Longer description.
        organisation: Organisation name; ``organisation_id`` its id.
        person: Person name; ``person_id`` its id.
        probability: Likelihood of winning, a multiple of 5 in 0..100.
        cost: Value of the opportunity (exact decimal).
        archived: Archived opportunities are not listed.
        status, type, source: Option names; ``*_id`` their option ids.
        owner, assigned_to, altered_by: Usernames.
        created, last_updated: Aware UTC timestamps.
        end_date: The expected end/close date.
        tags: Tag names.
    """

    id: int
    name: str | None = None
    description: str | None = None
    organisation: str | None = None
    organisation_id: int | None = None
    person: str | None = None
    person_id: int | None = None
    probability: int | None = None
    cost: Decimal | None = None
    archived: bool = False
    status: str | None = None
    status_id: int | None = None
    type: str | None = None
    type_id: int | None = None
    source: str | None = None
    source_id: int | None = None
    owner: str | None = None
    assigned_to: str | None = None
    altered_by: str | None = None
    created: datetime | None = None
    last_updated: datetime | None = None
    end_date: date | None = None
    tags: tuple[str, ...] = ()
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class OpportunityList:
    """One page of ``/opportunities``.

    Attributes:
        opportunities: The page's opportunities.
        cur_page: This page's number (from 1).
        num_pages: Pages available at this page size.
        per_page: The page size the server used.
        total: Opportunities matching the filters.
    """

    opportunities: list[TactileOpportunity]
    cur_page: int
    num_pages: int
    per_page: int
    total: int


@attrs.frozen(kw_only=True)
class TactileNote:
    """A note on a timeline (``/opportunities/timeline``)."""

    id: int
    title: str | None = None
    body: str | None = None
    opportunity: str | None = None
    opportunity_id: int | None = None
    organisation: str | None = None
    organisation_id: int | None = None
    person: str | None = None
    person_id: int | None = None
    private: bool = False
    owner: str | None = None
    created: datetime | None = None
    last_updated: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class TactileEmail:
    """An email on a timeline. Tactile does not document its fields; these are the
    ones seen, the rest is in ``raw``."""

    id: int
    subject: str | None = None
    body: str | None = None
    sender: str | None = None
    to: str | None = None
    owner: str | None = None
    opportunity_id: int | None = None
    organisation_id: int | None = None
    person_id: int | None = None
    created: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class TimelineEntry:
    """One timeline item: ``kind`` is ``"note"``, ``"email"`` or what Tactile said."""

    kind: str
    note: TactileNote | None = None
    email: TactileEmail | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class OpportunityOptions:
    """Possible values of enumerated fields (``/opportunities/options``).

    Attributes:
        assigned_to: Usernames.
        status, type, source: Option id (as a string) -> name.
    """

    assigned_to: dict[str, str] = attrs.field(factory=dict)
    status: dict[str, str] = attrs.field(factory=dict)
    type: dict[str, str] = attrs.field(factory=dict)
    source: dict[str, str] = attrs.field(factory=dict)
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)

    def id_for(self, field: str, name_or_id: str | int) -> int | None:
        """The option id for a name (case-insensitive) or an id, or None."""
        table: dict[str, str] = getattr(self, field)
        given: object = name_or_id
        if isinstance(given, bool) or not isinstance(given, str | int):
            return None
        if isinstance(given, int):
            given = str(given) if INT64_MIN <= given <= INT64_MAX else ""
        text = str(given).strip()
        number = ascii_int(text)
        if text in table and number is not None and number > 0:
            return number
        for key, value in table.items():
            option = ascii_int(key)
            if value.strip().lower() == text.lower() and option is not None:
                return option if option > 0 else None
        return None
