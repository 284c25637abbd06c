"""CRM.COM pull fast paths give exactly what the plain paths give.

The structure hook reads ISO timestamps inline (and ``ZoneInfo("UTC")`` as
``datetime.UTC``), Java dates convert by arithmetic, and the adapter builds
Activity records directly instead of copying a Communication: each is checked
against the plain definition, for zones with and without daylight saving time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmclients import errors
from crmclients.models import Activity, ActivityKind, Direction, Media, Ref, RefKind
from crmclients.vendors.crmcom._wire import parse_datetime, structurer
from crmclients.vendors.crmcom.adapter import (
    activity_from_native,
    communication_from_native,
)
from crmclients.vendors.crmcom.models import ContactInformation, CrmcomCommunication

ZONES: list[tzinfo] = [
    ZoneInfo("UTC"),
    ZoneInfo("Etc/UTC"),
    ZoneInfo("Europe/Nicosia"),
    ZoneInfo("America/New_York"),
    UTC,
    timezone(timedelta(hours=-3, minutes=-30)),
]


def viewed_on(value: Any, zone: tzinfo) -> datetime | None:
    """``value`` read as a communication's timestamp by the structurer for ``zone``."""
    return (
        structurer(zone).structure({"viewed_on": value}, CrmcomCommunication).viewed_on
    )


@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    zone=st.sampled_from(ZONES),
    separator=st.sampled_from(["T", " "]),
)
def test_naive_timestamps_are_wall_times_in_the_client_zone(
    moment: datetime, zone: tzinfo, separator: str
) -> None:
    """Any naive ISO timestamp is the instant ``replace(tzinfo=zone)`` names, in UTC."""
    text = moment.isoformat(separator)

    expected = datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)
    actual = viewed_on(text, zone)

    assert expected == actual
    assert actual is not None and actual.tzinfo is UTC
    assert parse_datetime(text, zone) == expected


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize(
    "text",
    [
        "2017-03-26T03:30:00",  # in Nicosia's spring-forward gap
        "2017-10-29T03:30:00",  # twice in Nicosia (fold)
        "2017-11-05 01:30:00",  # twice in New York
        "2015-04-30",
        "2015-04-30T13:23:51.123456",
        "2015-04-30T13:23:51+03:00",
        "2015-04-30T13:23:51-0130",
        "2015-04-30T13:23:51Z",
        " 2015-04-30T13:23:51 ",
        "Mon May 22 12:42:03 EEST 2017",
        "Thu Jul 06 15:49:59 -01:30 2017",
        "Fri Jan 01 00:30:00 UTC 0001",
    ],
)
def test_the_structure_hook_reads_what_parse_datetime_reads(
    text: str, zone: tzinfo
) -> None:
    """Every accepted form, through the generated structure function, as parse_datetime."""
    actual = viewed_on(text, zone)

    assert parse_datetime(text, zone) == actual
    assert actual is not None and actual.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2017-13-01T00:00:00", ValueError),
        ("22/05/2017", ValueError),
        ("Mon May 22 12:42:03 XYZT 2017", ValueError),
        ("Mon May 22 12:42:03 +2500 2017", ValueError),  # not a valid offset
        ("Mon Feb 30 12:42:03 UTC 2017", ValueError),
        ("Mon Jan 01 00:30:00 EEST 0001", OverflowError),  # before year 1 in UTC
        ("0001-01-01T00:30:00+03:00", OverflowError),
        (1495446123, TypeError),
    ],
)
def test_unreadable_timestamps_fail_the_same_way(
    value: Any, error: type[Exception]
) -> None:
    """parse_datetime raises; in an answer it is a ResponseShapeError at the field."""
    with pytest.raises(error):
        parse_datetime(value, ZoneInfo("UTC"))
    with pytest.raises(errors.ResponseShapeError) as raised:
        viewed_on(value, ZoneInfo("UTC"))

    assert raised.value.path == "$.viewed_on"


@pytest.mark.parametrize(
    "native",
    [
        CrmcomCommunication(
            id="A",
            media="email",
            direction="incoming",
            life_cycle_state="completed",
            contact_information=ContactInformation(id="K", first_name="Kathy"),
            referring_to={"lead": {"id": "L", "number": "60"}, "job": None},
        ),
        CrmcomCommunication(id="B", media="", direction="", life_cycle_state=""),
        CrmcomCommunication(id="C", media="Pigeon", direction="SIDEWAYS"),
        CrmcomCommunication(id="D", contact_information=ContactInformation(id="")),
        CrmcomCommunication(id="E", referring_to={"bill": {"id": 7}, "x": "y"}),
    ],
    ids=["lower-case", "empty", "unknown", "contact-without-id", "odd-referring"],
)
def test_an_activity_is_the_common_part_of_the_communication(
    native: CrmcomCommunication,
) -> None:
    """activity_from_native equals the Activity fields of communication_from_native."""
    full = communication_from_native(native)

    expected = Activity(
        **{f.name: getattr(full, f.name) for f in attrs.fields(Activity)}
    )

    assert expected == activity_from_native(native)


def test_media_and_direction_words_are_read_in_any_case() -> None:
    """``email``/``incoming`` map as EMAIL/INCOMING do; unknown words map to None."""
    lower = communication_from_native(
        CrmcomCommunication(id="A", media="email", direction="incoming")
    )
    unknown = communication_from_native(
        CrmcomCommunication(id="B", media="Pigeon", direction="SIDEWAYS")
    )

    assert (
        lower.kind,
        lower.media,
        lower.direction,
    ) == (ActivityKind.EMAIL, Media.EMAIL, Direction.INCOMING)
    assert (
        unknown.kind,
        unknown.media,
        unknown.direction,
    ) == (ActivityKind.OTHER, None, None)


def test_records_of_one_contact_share_its_ref() -> None:
    """The contact Ref is equal to a new one, and one object across records."""
    contact = ContactInformation(id="K", name="Clark Kathy")
    first, second = (
        communication_from_native(
            CrmcomCommunication(id=i, contact_information=contact)
        )
        for i in ("A", "B")
    )

    assert (Ref(RefKind.CONTACT, "K", name="Clark Kathy"),) == first.related
    assert first.related[0] is second.related[0]
    assert (
        communication_from_native(
            CrmcomCommunication(id="C", contact_information=ContactInformation(id=""))
        ).related
        == ()
    )
