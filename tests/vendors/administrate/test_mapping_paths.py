"""Administrate mapping fast paths: each one gives what the plain computation gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from crmclients.models import Activity, ActivityKind
from crmclients.vendors.administrate import AdministrateTask
from crmclients.vendors.administrate._wire import structurer
from crmclients.vendors.administrate.adapter import (
    activity_from_native,
    task_from_native,
)
from tests.vendors.administrate import seed_examples as seed

WIRE = structurer()

#: UTC itself, UTC by name, fixed offsets (fast) and zones with summer time (fallback).
ZONES = [
    UTC,
    ZoneInfo("UTC"),
    ZoneInfo("Etc/UTC"),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=3)),
    ZoneInfo("Europe/London"),
    ZoneInfo("America/New_York"),
]


def _native(**times: str) -> AdministrateTask:
    payload: dict[str, Any] = json.loads(seed.GET_TASK)
    payload.update(times)
    return WIRE.structure(payload, AdministrateTask)


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize(
    "times",
    [
        {  # naive: a summer time gap, a repeated hour, a plain winter time
            "start_datetime": "2024-03-31T01:30:00",
            "end_datetime": "2024-11-03T01:30:00",
            "created_on": "2024-01-15T12:00:00.250000",
        },
        {  # aware: UTC and another offset
            "start_datetime": "2024-07-01T09:00:00+00:00",
            "end_datetime": "2024-07-01T09:30:00+02:00",
            "created_on": "2024-01-15 12:00:00",
        },
    ],
    ids=["naive", "aware"],
)
def test_times_match_the_plain_zone_conversion(
    zone: tzinfo, times: dict[str, str]
) -> None:
    """Naive times read in the zone and aware ones give replace().astimezone(UTC)."""
    native = _native(**times)

    def plain(moment: datetime | None) -> datetime | None:
        assert moment is not None
        local = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        return local.astimezone(UTC)

    result = task_from_native(native, zone)

    expected = (
        plain(native.start_datetime),
        plain(native.end_datetime),
        plain(native.created_on),
    )
    assert expected == (result.starts_at, result.ends_at, result.created_at)
    assert all(
        moment is not None and moment.tzinfo is UTC
        for moment in (result.starts_at, result.ends_at, result.created_at)
    )


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("Europe/London")], ids=str)
def test_activities_carry_the_tasks_fields(zone: tzinfo) -> None:
    """An activity equals the task copied field by field, with kind TASK."""
    native = _native(start_datetime="2024-07-01T09:00:00")
    task = task_from_native(native, zone)

    result = activity_from_native(native, zone)

    expected = Activity(
        **{field.name: getattr(task, field.name) for field in attrs.fields(Activity)}
    )
    assert expected == result
    assert type(result) is Activity and result.kind is ActivityKind.TASK
    assert expected.raw == result.raw


def test_equal_refs_are_shared_between_records() -> None:
    """Two tasks of one user and account hold the same Ref objects, ids as strings."""
    first, second = task_from_native(_native()), task_from_native(_native())

    assert first.assignee is not None and first.assignee is second.assignee
    assert first.assignee.id == "1"
    assert [a is b for a, b in zip(first.related, second.related, strict=True)] == [
        True
    ]


def test_users_without_roles_have_none() -> None:
    """A user with no roles key has no roles, as with a null."""
    payload = {"id": 1, "user": {"id": 1}}

    task = WIRE.structure(payload, AdministrateTask)

    assert task.user is not None and task.user.roles == ()
