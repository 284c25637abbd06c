"""The base converter: timestamps, numbers, strict scalars and error paths."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from crmclients import errors
from crmclients._converter import (
    Structurer,
    make_converter,
    parse_datetime,
    register_model,
    to_decimal,
)
from crmclients.models import EMPTY_RAW


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2009-02-02T15:31:43+01:00", datetime(2009, 2, 2, 14, 31, 43, tzinfo=UTC)),
        ("2009-02-02T15:31:43+0100", datetime(2009, 2, 2, 14, 31, 43, tzinfo=UTC)),
        ("2019-04-02 22:00:00 UTC", datetime(2019, 4, 2, 22, 0, tzinfo=UTC)),
        ("2019-04-02 22:00:00", datetime(2019, 4, 2, 22, 0, tzinfo=UTC)),
        ("2013-09-17T00:00:00Z", datetime(2013, 9, 17, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_vendor_form(text: str, expected: datetime) -> None:
    """Offsets with and without a colon, Z, ' UTC' and naive times all parse to UTC."""
    assert parse_datetime(text) == expected


def test_naive_timestamps_use_the_vendor_zone() -> None:
    """A naive Tactile time is Europe/London (BST in summer)."""
    assert parse_datetime("2024-07-01 12:00:00", ZoneInfo("Europe/London")) == datetime(
        2024, 7, 1, 11, tzinfo=UTC
    )


def test_decimals_are_exact() -> None:
    """Floats become the Decimal of their repr, not of their binary value."""
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("12.50") == Decimal("12.50")
    with pytest.raises(ValueError, match="finite"):
        to_decimal("NaN")


@attrs.frozen(kw_only=True)
class Thing:
    id: int
    name: str | None = None
    when: datetime | None = None
    day: date | None = None
    flag: bool = False
    raw: object = attrs.field(default=EMPTY_RAW, eq=False)


def structurer() -> Structurer:
    def factory(*, detailed: bool, keep_raw: bool) -> object:
        conv = make_converter(detailed=detailed)
        register_model(conv, Thing, {"name": "Name"}, keep_raw=keep_raw)
        return conv

    return Structurer("test", factory)


def test_renames_and_raw() -> None:
    """Wire names are renamed and the payload is kept in raw (or not)."""
    s = structurer()
    payload = {"id": "7", "Name": "x", "extra": 1}

    thing = s.structure(payload, Thing)

    assert (thing.id, thing.name, thing.raw) == (7, "x", payload)
    assert s.structure(payload, Thing, keep_raw=False).raw is EMPTY_RAW


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ([{"id": 1}, {"id": 2, "when": "yesterday-ish"}], "$.items[1].when"),
        ([{"id": 1}, {"Name": "no id"}], "$.items[1].id"),
        ([{"id": 1}, {"id": 2, "flag": "maybe"}], "$.items[1].flag"),
        ([{"id": 1}, {"id": 2, "name": None, "Name": {"a": 1}}], "$.items[1].Name"),
    ],
)
def test_shape_errors_name_the_bad_field(payload: list[object], path: str) -> None:
    """A payload that does not fit raises ResponseShapeError with the exact path."""
    with pytest.raises(errors.ResponseShapeError) as info:
        structurer().structure_many(payload, Thing, path="$.items")

    assert info.value.path == path
    assert info.value.vendor == "test"


def test_none_is_not_the_string_none() -> None:
    """Strict scalars: null in a required string field is an error, never 'None'."""
    with pytest.raises(errors.ResponseShapeError):
        structurer().structure({"id": None}, Thing)


def test_a_list_is_required_where_the_vendor_documents_one() -> None:
    """structure_many refuses an object in place of a list."""
    with pytest.raises(errors.ResponseShapeError, match="expected a list"):
        structurer().structure_many({"id": 1}, Thing, path="$.items")


@pytest.mark.parametrize("many", [False, True])
def test_a_shape_error_carries_no_context_and_no_live_secret(many: bool) -> None:
    """The converter's own exception (it quotes the answer) is not left on
    __context__, and a secret a live client holds is scrubbed from the snippet."""
    from crmclients._redact import Redactor

    holder = Redactor(["echoed-secret-42"])
    bad = {"id": 1, "when": "echoed-secret-42"}

    def convert() -> object:
        if many:
            return structurer().structure_many([{"id": 1}, bad], Thing, path="$.x")
        return structurer().structure(bad, Thing)

    with pytest.raises(errors.ResponseShapeError) as info:
        convert()

    error = info.value
    assert error.__context__ is None and error.__cause__ is None
    assert "echoed-secret-42" not in str(error) + error.snippet + repr(error.args)
    assert holder.holds_secrets()
