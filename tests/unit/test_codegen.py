"""The generated structure functions' fast paths agree with the hooks they inline.

Codegen inlines the common shapes (ISO timestamps with a numeric offset, floats for
Decimals, ISO dates, payloads that carry every key); these tests pin that the inline
code gives exactly what the strict hooks give, and falls back to them otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclients import errors
from crmclients._converter import (
    SHIFTS,
    Structurer,
    make_converter,
    naive_to_utc,
    parse_datetime,
    register_model,
    to_decimal,
)
from crmclients.models import EMPTY_RAW


@attrs.frozen(kw_only=True)
class Row:
    id: int
    when: datetime | None = None
    day: date | None = None
    amount: Decimal | None = None
    tags: tuple[str, ...] = ()
    raw: object = attrs.field(default=EMPTY_RAW, eq=False)


def structurer(default_tz: timezone | ZoneInfo = UTC) -> Structurer:
    def factory(*, detailed: bool, keep_raw: bool) -> object:
        conv = make_converter(detailed=detailed, default_tz=default_tz)
        register_model(conv, Row, keep_raw=keep_raw)
        return conv

    return Structurer("test", factory)


def offset_text(offset: timedelta, colon: bool) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{rest:02d}"


@settings(max_examples=300, deadline=None)
@given(
    wall=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30)),
    minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    colon=st.booleans(),
    separator=st.sampled_from(["T", " "]),
    fraction=st.booleans(),
)
def test_timestamps_with_offsets_match_the_hook(
    wall: datetime, minutes: int, colon: bool, separator: str, fraction: bool
) -> None:
    """The learned-offset fast path gives the instant parse_datetime gives, every time."""
    offset = timedelta(minutes=minutes)
    wall = wall if fraction else wall.replace(microsecond=0)
    text = wall.isoformat(sep=separator) + offset_text(offset, colon)
    s = structurer()
    expected = parse_datetime(text)

    first = s.structure({"id": 1, "when": text}, Row).when  # teaches the offset
    again = s.structure({"id": 1, "when": text}, Row).when  # the fast path

    assert first == again == expected
    assert again is not None and again.tzinfo is UTC
    assert again.utcoffset() == timedelta(0)


def test_the_fast_path_is_taken_once_an_offset_is_seen() -> None:
    """After one '+0100' timestamp, its ending is known (bounded table)."""
    s = structurer()
    s.structure({"id": 1, "when": "2024-09-16T23:14:17+0100"}, Row)

    assert SHIFTS["7+0100"] == (-5, timedelta(hours=1))
    row = s.structure({"id": 2, "when": "2031-01-01T00:00:07+0100"}, Row)
    assert row.when == datetime(2030, 12, 31, 23, 0, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "not a time7+0100",  # a known ending on garbage: the hook's error
        "2024-13-01T00:00:07+0100",
        "2024-09-16T23:14:17+01:00:30x",
        "2024-09-16T25:14:17Z",
        "Z",
    ],
)
def test_a_known_ending_on_a_bad_timestamp_still_fails_cleanly(text: str) -> None:
    """The fast path falls back to the hook, so the error names the field."""
    s = structurer()
    s.structure({"id": 1, "when": "2024-09-16T23:14:17+0100"}, Row)

    with pytest.raises(errors.ResponseShapeError) as info:
        s.structure_many([{"id": 1, "when": text}], Row, path="$.rows")

    assert info.value.path == "$.rows[0].when"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-01 12:00:00", datetime(2024, 7, 1, 11, tzinfo=UTC)),  # naive: BST
        ("2024-07-01T12:00:00Z", datetime(2024, 7, 1, 12, tzinfo=UTC)),
        ("2023-02-27T10:11:32.000Z", datetime(2023, 2, 27, 10, 11, 32, tzinfo=UTC)),
        (" 2023-02-27T10:11:32Z", datetime(2023, 2, 27, 10, 11, 32, tzinfo=UTC)),
        ("2024-07-01 12:00:00 UTC", datetime(2024, 7, 1, 12, tzinfo=UTC)),
        ("2024-07-01T12:00:00+01", datetime(2024, 7, 1, 11, tzinfo=UTC)),
    ],
)
def test_other_timestamp_forms_go_through_the_hook(
    text: str, expected: datetime
) -> None:
    """Naive, Z, ' UTC' and hour-only offsets keep the hook's meaning."""
    s = structurer(ZoneInfo("Europe/London"))
    for _ in range(2):  # the second time after any learning
        when = s.structure({"id": 1, "when": text}, Row).when
        assert when == expected
        assert when is not None and when.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (9463.47, Decimal("9463.47")),
        (0.1, Decimal("0.1")),
        (12, Decimal(12)),
        ("12.50", Decimal("12.50")),
    ],
)
def test_amounts_inline_match_to_decimal(value: object, expected: Decimal) -> None:
    """Floats become the Decimal of their repr, ints exact, strings via the hook."""
    amount = structurer().structure({"id": 1, "amount": value}, Row).amount
    assert amount == expected == to_decimal(value)
    assert str(amount) == str(expected)


@pytest.mark.parametrize("value", [True, float("inf"), float("nan"), "abc", [1]])
def test_bad_amounts_still_fail_with_the_field(value: object) -> None:
    """Booleans, non-finite floats and junk go to the strict hook and fail there."""
    with pytest.raises(errors.ResponseShapeError) as info:
        structurer().structure_many([{"id": 1, "amount": value}], Row, path="$.r")
    assert info.value.path == "$.r[0].amount"


def test_dates_and_string_lists() -> None:
    """ISO dates inline; timestamps' date parts and non-string tags via the hooks."""
    s = structurer()
    assert s.structure({"id": 1, "day": "2024-12-11"}, Row).day == date(2024, 12, 11)
    assert s.structure({"id": 1, "day": "2024-12-11T10:00:00"}, Row).day == date(
        2024, 12, 11
    )
    assert s.structure({"id": 1, "tags": ["a", "b"]}, Row).tags == ("a", "b")
    assert s.structure({"id": 1, "tags": ["a", 2]}, Row).tags == ("a", "2")
    with pytest.raises(errors.ResponseShapeError):
        s.structure_many([{"id": 1, "tags": ["a", None]}], Row, path="$")


def test_payloads_missing_keys_read_the_same_before_and_after_the_switch() -> None:
    """Sparse payloads get the defaults whichever read path the function is on."""
    s = structurer()
    full = {"id": 1, "when": None, "day": None, "amount": None, "tags": None}
    sparse = {"id": 2}
    # Many sparse payloads make the function stop trying subscripts first.
    rows = s.structure_many([sparse] * 40 + [full] * 3, Row, path="$")

    assert [r.id for r in rows] == [2] * 40 + [1] * 3
    generated = s.converter(keep_raw=True).get_structure_hook(Row)
    assert generated.__globals__["MISSES"] >= 16  # now reads with .get() only
    assert all(
        (r.when, r.day, r.amount, r.tags) == (None, None, None, ()) for r in rows
    )
    with pytest.raises(errors.ResponseShapeError) as info:
        s.structure_many([{"when": None}], Row, path="$.rows")
    assert info.value.path == "$.rows[0].id"


@settings(max_examples=500, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)),
    fold=st.integers(min_value=0, max_value=1),
    zone=st.one_of(
        st.just(UTC),
        st.integers(min_value=-14 * 60, max_value=14 * 60).map(
            lambda m: timezone(timedelta(minutes=m))
        ),
        st.sampled_from(
            ["Europe/London", "America/New_York", "Australia/Sydney", "UTC", "Etc/UTC"]
        ).map(ZoneInfo),
    ),
)
def test_naive_to_utc_is_replace_then_astimezone(
    moment: datetime, fold: int, zone: timezone | ZoneInfo
) -> None:
    """The arithmetic shortcut gives exactly the slow result, DST gaps and repeated
    hours (either fold) included."""
    moment = moment.replace(fold=fold)
    fast = naive_to_utc(moment, zone)
    assert fast == moment.replace(tzinfo=zone).astimezone(UTC)
    assert fast.tzinfo is UTC and fast.fold == 0


@pytest.mark.parametrize(
    ("wall", "fold", "expected"),
    [
        (datetime(2024, 3, 31, 1, 30), 0, datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
        (datetime(2024, 10, 27, 1, 30), 0, datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
        (datetime(2024, 10, 27, 1, 30), 1, datetime(2024, 10, 27, 1, 30, tzinfo=UTC)),
        (datetime(2024, 7, 1, 12), 0, datetime(2024, 7, 1, 11, tzinfo=UTC)),
    ],
)
def test_naive_to_utc_in_london_around_the_clock_changes(
    wall: datetime, fold: int, expected: datetime
) -> None:
    """The gap (01:30 on 31 March does not exist) and the repeated 01:30 in October."""
    moment = wall.replace(fold=fold)
    assert naive_to_utc(moment, ZoneInfo("Europe/London")) == expected
    assert moment.replace(tzinfo=ZoneInfo("Europe/London")).astimezone(UTC) == expected


@settings(max_examples=100, deadline=None)
@given(
    wall=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30))
)
def test_zulu_timestamps_match_the_hook(wall: datetime) -> None:
    """'...Z' timestamps (Opentaps, CRM.COM) take the inline path to the same UTC."""
    text = wall.isoformat() + "Z"
    when = structurer().structure({"id": 1, "when": text}, Row).when

    assert when == parse_datetime(text) == wall.replace(tzinfo=UTC)
    assert when is not None and when.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(
    wall=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30)),
    separator=st.sampled_from(["T", " "]),
    fraction=st.booleans(),
    ending=st.sampled_from([" UTC", "+00:00"]),
)
def test_utc_endings_inline_match_the_hook(
    wall: datetime, separator: str, fraction: bool, ending: str
) -> None:
    """' UTC' (iVvy) and '+00:00' endings, parsed inline, give the hook's instant."""
    wall = wall if fraction else wall.replace(microsecond=0)
    text = wall.isoformat(sep=separator) + ending

    when = structurer().structure({"id": 1, "when": text}, Row).when

    assert parse_datetime(text) == when
    assert when is not None and when.tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["2024-01-01 UTC", " UTC", "2024-13-01 10:00:00 UTC", "x+00:00", "+00:00"]
)
def test_odd_utc_endings_go_through_the_hook(text: str) -> None:
    """What the inline parse refuses is the hook's to read or refuse, with its errors."""
    try:
        expected: object = parse_datetime(text)
    except (ValueError, TypeError) as exc:
        expected = type(exc)
    try:
        got: object = structurer().structure({"id": 1, "when": text}, Row).when
    except errors.ResponseShapeError:
        got = ValueError

    assert expected == got or (expected is TypeError and got is ValueError)
