"""The typed v2 filter builder: operators, values, naive vs offset date-times, order, limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from crmclients import errors
from crmclients.vendors.administrate import Operator, TaskFilter

PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("lt", 5, ("id__lt", "5")),
        ("lte", "5", ("id__lte", "5")),
        ("gt", 0, ("id__gt", "0")),
        ("gte", 7, ("id__gte", "7")),
        ("eq", 9, ("id__eq", "9")),
        ("in", [1, 2, 3], ("id__in", "1,2,3")),
        ("notin", (4,), ("id__notin", "4")),
        (Operator.GT, 2, ("id__gt", "2")),
        ("__gte", 2, ("id__gte", "2")),
        ("GTE", 2, ("id__gte", "2")),
    ],
)
def test_every_v2_operator_is_written_attribute__operator(
    operator: Any, value: Any, expected: tuple[str, str]
) -> None:
    """lt, lte, gt, gte, eq, in and notin become attribute__op=value (lists comma-joined)."""
    result = TaskFilter().where("id", operator, value).params()

    assert result == [expected]


@pytest.mark.parametrize(
    "operator", ["ne", "le", "ge", "lk", "nl", "ct", "sw", "ew", "ni"]
)
def test_v25_operators_are_refused(operator: str) -> None:
    """The v2.5 operators belong to another API version: refused, naming the parameter."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter().where("status", operator, "Completed")

    assert info.value.field == f"status__{operator}"
    assert "v2.5" in info.value.rule


def test_naive_datetime_for_a_naive_field() -> None:
    """Task date-times are not time-zone aware: sent as ISO without an offset."""
    f = (
        TaskFilter()
        .where("created_on", "gte", datetime(2017, 12, 20, 18, 0))
        .where("start_datetime", "lt", date(2018, 1, 1))
        .where("end_datetime", "lte", "2018-02-01 08:30:00")
    )

    assert f.params() == [
        ("created_on__gte", "2017-12-20T18:00:00"),
        ("start_datetime__lt", "2018-01-01T00:00:00"),
        ("end_datetime__lte", "2018-02-01T08:30:00"),
    ]


@pytest.mark.parametrize(
    "value",
    [
        datetime(2017, 12, 20, 18, 0, tzinfo=UTC),
        "2017-12-20T18:00:00+01:00",
    ],
)
def test_offset_datetime_for_a_naive_field_is_refused(value: Any) -> None:
    """A datetime with an offset on a not-time-zone-aware field is the wrong kind."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter().where("created_on", "gt", value)

    assert info.value.field == "created_on__gt"
    assert "not time-zone aware" in info.value.rule


def test_zone_aware_fields_need_an_offset() -> None:
    """A field declared zone-aware is sent with its offset, and refuses naive values."""
    f = TaskFilter(zone_aware={"start_datetime"})

    sent = f.where(
        "start_datetime", "gte", datetime(2017, 12, 20, 18, 0, tzinfo=PLUS_ONE)
    )
    with pytest.raises(errors.ValidationError, match="time-zone aware") as naive:
        f.where("start_datetime", "gte", datetime(2017, 12, 20, 18, 0))
    with pytest.raises(errors.ValidationError, match="not a date") as day:
        f.where("start_datetime", "gte", date(2017, 12, 20))

    assert sent.params() == [("start_datetime__gte", "2017-12-20T18:00:00+01:00")]
    assert naive.value.field == day.value.field == "start_datetime__gte"


@pytest.mark.parametrize("name", ["status", "nope"])
def test_zone_aware_must_name_date_time_fields(name: str) -> None:
    """Only a known date-time attribute can be declared zone-aware."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter(zone_aware={name})

    assert info.value.field == name


@pytest.mark.parametrize(
    ("field", "operator", "value", "bad", "rule"),
    [
        ("colour", "eq", "red", "colour", "not a task attribute"),
        ("id", "eq", "seven", "id__eq", "integer"),
        ("id", "eq", True, "id__eq", "boolean"),
        ("user_id", "eq", None, "user_id__eq", "null"),
        ("status", "eq", 3, "status__eq", "string"),
        ("show_on_calendar", "eq", "yes", "show_on_calendar__eq", "true or false"),
        ("status", "in", "Completed", "status__in", "list of values"),
        ("status", "in", [], "status__in", "at least one"),
        ("status", "notin", ["A,B"], "status__notin", "','"),
        ("created_on", "gt", "yesterday", "created_on__gt", "ISO 8601"),
        ("created_on", "gt", 1700000000, "created_on__gt", "ISO 8601"),
    ],
)
def test_bad_conditions_name_the_parameter_and_the_rule(
    field: str, operator: str, value: Any, bad: str, rule: str
) -> None:
    """Each wrong input is a ValidationError naming the query parameter and the rule."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter().where(field, operator, value)

    assert info.value.field == bad
    assert rule in info.value.rule
    assert info.value.vendor == "administrate"


def test_booleans_are_sent_as_true_or_false() -> None:
    """show_on_calendar=True is written true."""
    assert TaskFilter().where("show_on_calendar", "eq", True).params() == [
        ("show_on_calendar__eq", "true")
    ]


def test_the_same_condition_twice_is_refused() -> None:
    """Two values for one parameter would be ambiguous."""
    f = TaskFilter().where("id", "gt", 1)

    with pytest.raises(errors.ValidationError, match="twice"):
        f.where("id", "gt", 2)
    assert f.where("id", "lt", 9).params() == [("id__gt", "1"), ("id__lt", "9")]


def test_order_and_limit() -> None:
    """_order keeps the priority and the '-' for descending; _limit comes last."""
    f = (
        TaskFilter()
        .where("status", "eq", "Completed")
        .order_by("-created_on", "id")
        .limit(25)
    )

    assert f.params() == [
        ("status__eq", "Completed"),
        ("_order", "-created_on,id"),
        ("_limit", "25"),
    ]


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ((), "at least one"),
        (("nope",), "not a task attribute"),
        (("id", "-id"), "twice"),
        (("",), "non-empty"),
    ],
)
def test_bad_order_is_refused(fields: tuple[str, ...], rule: str) -> None:
    """Unknown, repeated or empty _order fields are refused."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter().order_by(*fields)

    assert rule in info.value.rule


@pytest.mark.parametrize("n", [0, -1, "ten", 1.5])
def test_bad_limit_is_refused(n: Any) -> None:
    """_limit is a positive integer."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter().limit(n)

    assert info.value.field == "_limit"


def test_the_builder_is_immutable() -> None:
    """Each call returns a new filter; the original is unchanged."""
    base = TaskFilter()

    derived = base.where("id", "gt", 0).order_by("id").limit(5)

    assert base.params() == []
    assert len(derived.params()) == 3


def test_from_params_reads_the_query_form() -> None:
    """A mapping of attribute__operator -> value builds the same filter."""
    f = TaskFilter.from_params(
        {
            "created_on__gte": datetime(2024, 1, 1),
            "status__in": ["Completed", "Not Started"],
            "_order": "-created_on,id",
            "_limit": 10,
        }
    )

    assert f.params() == [
        ("created_on__gte", "2024-01-01T00:00:00"),
        ("status__in", "Completed,Not Started"),
        ("_order", "-created_on,id"),
        ("_limit", "10"),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "Completed"}, "status"),
        ({"status__ne": "Completed"}, "status__ne"),
        ({"_page": 2}, "_page"),
        ({"_order": 5}, "_order"),
    ],
)
def test_from_params_refuses_malformed_names(
    params: dict[str, Any], field: str
) -> None:
    """A bare attribute, a v2.5 operator, _page and a bad _order are refused."""
    with pytest.raises(errors.ValidationError) as info:
        TaskFilter.from_params(params)

    assert info.value.field == field


def test_condition_and_without() -> None:
    """A condition can be looked up and removed."""
    f = TaskFilter().where("id", "gt", 10).where("user_id", "eq", 1)

    found = f.condition("id", "gt")

    assert found is not None and (found.param, found.value) == ("id__gt", "10")
    assert f.condition("id", "lt") is None
    assert f.without("id", Operator.GT).params() == [("user_id__eq", "1")]
