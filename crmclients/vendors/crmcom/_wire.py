"""CRM.COM wire format: renames, date forms and hooks for the native models.

Dates come in two forms in the docs: ISO 8601 without an offset
(``"2015-04-30T13:23:51"``, read in the client's ``timezone``) and Java's
``Date.toString()`` (``"Mon May 22 12:42:03 EEST 2017"``, ``viewed_on`` and
unrestricted ``date_value``) whose zone is an abbreviation. Dates are sent as
``YYYY-MM-DDTHH:MM:SS`` in the client's time zone, as the examples do.

Strictly private.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

import cattrs

from crmclients._converter import (
    Structurer,
    make_converter,
    naive_to_utc,
    register_model,
)
from crmclients.vendors.crmcom.models import (
    CommunicationQueueEntry,
    ContactInformation,
    Country,
    CrmcomCommunication,
    Demographics,
    LogInformation,
    Reference,
    UnrestrictedParameter,
    UserInfo,
)

VENDOR = "crmcom"

#: Zone abbreviations seen in (or plausible for) CRM.COM's Java dates -> UTC offset.
#: EEST/EET are the Cyprus/Greece zones of the documented examples.
ZONE_ABBREVIATIONS: dict[str, timedelta] = {
    "UTC": timedelta(0),
    "GMT": timedelta(0),
    "Z": timedelta(0),
    "WET": timedelta(0),
    "WEST": timedelta(hours=1),
    "BST": timedelta(hours=1),
    "CET": timedelta(hours=1),
    "CEST": timedelta(hours=2),
    "EET": timedelta(hours=2),
    "EEST": timedelta(hours=3),
    "MSK": timedelta(hours=3),
}
_ZONES = {name: timezone(offset) for name, offset in ZONE_ABBREVIATIONS.items()}
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ),
        start=1,
    )
}
_JAVA_DATE = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +([0-9]{1,2}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([A-Z]{1,5}|[+-][0-9]{2}:?[0-9]{2}) ([0-9]{4})$"
)
_OFFSET = re.compile(r"^([+-])([0-9]{2}):?([0-9]{2})$")


def parse_datetime(value: Any, tz: tzinfo = UTC) -> datetime:
    """A CRM.COM timestamp as an aware UTC datetime.

    Accepts ISO 8601 (``2015-04-30T13:23:51``, a space instead of ``T``, an
    offset or ``Z``, a bare date) and Java's ``Mon May 22 12:42:03 EEST 2017``.
    Naive values are read in ``tz``.

    Raises:
        ValueError: An unknown form or zone abbreviation.
        TypeError: Not a string.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        match = _JAVA_DATE.match(text)
        if match:
            return _java_date(match)
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    else:
        raise TypeError(f"expected a date string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        return naive_to_utc(parsed, tz)
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def _java_date(match: re.Match[str]) -> datetime:
    """The moment of a matched Java date, aware UTC."""
    month_name, day, hour, minute, second, zone_name, year = match.groups()
    if month_name not in _MONTHS:
        raise ValueError(f"unknown month {month_name!r}")
    zone = _ZONES.get(zone_name)
    if zone is None:
        numeric = _OFFSET.match(zone_name)
        if numeric is None:
            raise ValueError(
                f"unknown time zone abbreviation {zone_name!r} "
                f"(known: {', '.join(sorted(ZONE_ABBREVIATIONS))})"
            )
        sign, hours, minutes = numeric.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        zone = timezone(-offset if sign == "-" else offset)
    wall = datetime(
        int(year),
        _MONTHS[month_name],
        int(day),
        int(hour),
        int(minute),
        int(second),
    )
    return naive_to_utc(wall, zone)


def _datetime_hook(tz: tzinfo) -> Callable[[Any, Any], datetime]:
    """The structure hook for timestamps: ``parse_datetime(value, tz)``, faster.

    The form of nearly every CRM.COM timestamp, ISO 8601 from digit to digit, is
    read here in one step; anything else (Java dates, ``Z``, surrounding blanks,
    non-strings) goes through :func:`parse_datetime`.
    """
    fromisoformat = datetime.fromisoformat

    def structure(value: Any, _: Any) -> datetime:
        if value.__class__ is str and value[:1].isdigit() and value[-1:].isdigit():
            try:
                parsed = fromisoformat(value)
            except ValueError:
                return parse_datetime(value, tz)
            if parsed.tzinfo is None:
                return naive_to_utc(parsed, tz)
            return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
        return parse_datetime(value, tz)

    return structure


def format_datetime(value: datetime | date, tz: tzinfo) -> str:
    """A moment as CRM.COM expects it: ``YYYY-MM-DDTHH:MM:SS`` in ``tz``.

    A date becomes ``YYYY-MM-DD``; a naive datetime is taken to be in ``tz``.
    """
    if isinstance(value, datetime):
        local = value.astimezone(tz) if value.tzinfo else value
        return local.strftime("%Y-%m-%dT%H:%M:%S")
    return value.isoformat()


def _factory(tz: tzinfo) -> Any:
    def make(*, detailed: bool, keep_raw: bool) -> cattrs.Converter:
        conv = make_converter(detailed=detailed, default_tz=tz)
        conv.register_structure_hook(datetime, _datetime_hook(tz))
        for cls in (
            Reference,
            UserInfo,
            LogInformation,
            Country,
            Demographics,
            ContactInformation,
            UnrestrictedParameter,
        ):
            register_model(conv, cls, keep_raw=keep_raw)
        # Nested models first: a model's hook is built from its fields' hooks.
        register_model(conv, CrmcomCommunication, {"sender": "from"}, keep_raw=keep_raw)
        register_model(conv, CommunicationQueueEntry, keep_raw=keep_raw)
        return conv

    return make


def structurer(tz: tzinfo) -> Structurer:
    """The CRM.COM structurer; naive timestamps are read in ``tz``."""
    return Structurer(VENDOR, _factory(tz))
