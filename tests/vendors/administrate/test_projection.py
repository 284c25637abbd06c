"""Administrate projections: pulls map payloads straight to shared records, and
that one pass gives what structuring into native tasks and mapping them gives."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses

import crmclients
from crmclients import errors
from crmclients._converter import naive_to_utc
from crmclients.models import Activity, ActivityKind, Task
from crmclients.sandbox.administrate import AdministrateEmulator
from crmclients.vendors.administrate import AdministrateTask
from crmclients.vendors.administrate._wire import structurer
from crmclients.vendors.administrate.adapter import (
    TaskProjections,
    activity_from_native,
    task_from_native,
    utc_reader,
)
from tests.vendors.administrate import seed_examples as seed
from tests.vendors.administrate.conftest import PASSWORD, TASKS, USERNAME

ZONES = [
    UTC,
    ZoneInfo("UTC"),
    ZoneInfo("Etc/UTC"),
    ZoneInfo("Zulu"),
    timezone(timedelta(0)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=3)),
    ZoneInfo("Europe/London"),
    ZoneInfo("America/New_York"),
]


def payloads() -> list[dict[str, Any]]:
    """Sandbox tasks as list and single answers show them, and the docs' examples."""
    emulator = AdministrateEmulator(records=120, seed=4)
    tasks = list(emulator.tasks.values())
    listed = [emulator.render(t, listed=True) for t in tasks]
    single = [emulator.render(t, listed=False) for t in tasks[:20]]
    examples = [json.loads(seed.GET_TASK), *json.loads(seed.LIST_TASKS)]
    aware = copy.deepcopy(examples[0])
    aware.update(
        start_datetime="2024-07-01T09:00:00+02:00",
        end_datetime="2024-07-01T09:30:00+00:00",
        created_on="2024-03-31 01:30:00",
    )
    return [*listed, *single, *examples, aware, {"id": 99}]


@pytest.mark.parametrize("keep_raw", [True, False])
@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_a_pull_equals_structure_then_map(zone: tzinfo, keep_raw: bool) -> None:
    """For every payload, payload->shared equals payload->native->shared."""
    wire = structurer()
    projections = TaskProjections.build(zone)
    items = payloads()
    natives = wire.structure_many(items, AdministrateTask, keep_raw=keep_raw)

    tasks = wire.project_many(
        items, AdministrateTask, projections.task, keep_raw=keep_raw
    )
    activities = wire.project_many(
        items, AdministrateTask, projections.activity, keep_raw=keep_raw
    )

    assert tasks == [task_from_native(n, zone) for n in natives]
    assert activities == [activity_from_native(n, zone) for n in natives]
    assert [t.raw for t in tasks] == [n.raw for n in natives]
    assert [a.raw for a in activities] == [n.raw for n in natives]
    assert {type(t) for t in tasks} == {Task}
    assert {(type(a), a.kind) for a in activities} == {(Activity, ActivityKind.TASK)}


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_the_zone_reader_is_naive_to_utc(zone: tzinfo) -> None:
    """Naive times as naive_to_utc reads them (gaps and folds too); aware ones in UTC."""
    read = utc_reader(zone)
    naive = [
        datetime(2024, 3, 31, 1, 30),
        datetime(2024, 11, 3, 1, 30),
        datetime(2024, 11, 3, 1, 30, fold=1),
        datetime(2024, 1, 15, 12, 0, 0, 250000),
        datetime(1900, 1, 1),
    ]
    aware = [
        datetime(2024, 7, 1, 9, tzinfo=UTC),
        datetime(2024, 7, 1, 9, tzinfo=timezone(timedelta(hours=2))),
    ]

    expected = [naive_to_utc(m, zone) for m in naive] + [
        m.astimezone(UTC) for m in aware
    ]
    result = [read(m) for m in naive + aware]

    assert expected == result
    assert all(m is not None and m.tzinfo is UTC for m in result)
    assert read(None) is None


def _bad_values() -> Iterator[tuple[str, list[Any]]]:
    """(path, payloads) with one value made wrong, for every key of a full task."""
    base = json.loads(seed.LIST_TASKS)[0]
    base.update(
        contact={"id": 7, "first_name": "Kathy", "last_name": "Clark"},
        event={"id": 3, "title": "Python course"},
        opportunity={"id": 11, "name": "Renewal 2024"},
    )
    wrong: list[Any] = ["x", [], {}, True, 1.5, None]

    def walk(node: dict[str, Any], path: str) -> Iterator[tuple[str, list[str]]]:
        for key, value in node.items():
            yield f"{path}.{key}", [*path.split(".")[1:], key]
            if isinstance(value, dict):
                yield from walk(value, f"{path}.{key}")

    for where, keys in walk(base, "$"):
        for value in wrong:
            payload = copy.deepcopy(base)
            node = payload
            for key in keys[:-1]:
                node = node[key]
            node[keys[-1]] = value
            yield f"{where}={value!r}", [copy.deepcopy(base), payload]
    for where, keys in walk(base, "$"):
        payload = copy.deepcopy(base)
        node = payload
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
        yield f"{where} missing", [copy.deepcopy(base), payload]


@pytest.mark.parametrize("target", ["task", "activity"])
@pytest.mark.parametrize("keep_raw", [True, False])
def test_a_pull_refuses_exactly_what_the_native_client_refuses(
    keep_raw: bool, target: str
) -> None:
    """Any field of a task made wrong, fields without a shared counterpart included
    (type_id, type, show_on_calendar, every nested key): the same outcome, and the
    same error, as structuring into native tasks."""
    wire = structurer()
    projection = getattr(TaskProjections.build(ZoneInfo("Europe/London")), target)
    refused = 0

    for case, items in _bad_values():
        try:
            wire.structure_many(
                items, AdministrateTask, operation="tasks.list", keep_raw=keep_raw
            )
        except errors.ResponseShapeError as exc:
            expected: Any = (str(exc), exc.path, exc.snippet)
        else:
            expected = "accepted"
        try:
            wire.project_many(
                items,
                AdministrateTask,
                projection,
                operation="tasks.list",
                keep_raw=keep_raw,
            )
        except errors.ResponseShapeError as exc:
            result: Any = (str(exc), exc.path, exc.snippet)
        else:
            result = "accepted"

        assert expected == result, case
        refused += expected != "accepted"

    assert refused > 100  # the cases do reach the checks


# -- through the client ------------------------------------------------------------------


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock that fails on unmatched calls and on unused stubs."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def shared(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A common Client in New York time."""
    with crmclients.connect(
        "administrate",
        subdomain="acme",
        username=USERNAME,
        password=PASSWORD,
        timezone="America/New_York",
        rate_limit=None,
    ) as client:
        yield client


def _batches(rsps: responses.RequestsMock, pulls: int) -> list[dict[str, Any]]:
    emulator = AdministrateEmulator(records=7, seed=2)
    items = [emulator.render(t, listed=True) for t in emulator.tasks.values()]
    for _ in range(pulls):
        rsps.get(TASKS, json=items[:4])
        rsps.get(TASKS, json=items[4:])
        rsps.get(TASKS, json=[])
    return items


@pytest.mark.parametrize("collection", ["tasks", "activities"])
def test_a_shared_pull_is_the_native_pull_mapped(
    shared: crmclients.Client, rsps: responses.RequestsMock, collection: str
) -> None:
    """Batch by batch, the same records as iter_tasks mapped in the client's zone."""
    _batches(rsps, pulls=2)
    mapping = task_from_native if collection == "tasks" else activity_from_native
    zone = ZoneInfo("America/New_York")

    expected = [mapping(t, zone) for t in shared.native.iter_tasks(page_size=4)]
    result = getattr(shared, collection).list(page_size=4).to_list()

    assert expected == result
    assert [r.raw for r in expected] == [r.raw for r in result]
    cursors = [c.request.params.get("id__gt") for c in rsps.calls]
    assert cursors[:3] == cursors[3:]


@pytest.mark.parametrize("collection", ["tasks", "activities"])
def test_a_shared_pull_stops_where_the_native_pull_stops(
    shared: crmclients.Client, rsps: responses.RequestsMock, collection: str
) -> None:
    """A batch out of id order: the same shape error as iter_tasks."""
    items = [{"id": 5}, {"id": 3}]
    rsps.get(TASKS, json=items)
    rsps.get(TASKS, json=items)

    with pytest.raises(errors.ResponseShapeError) as native:
        shared.native.iter_tasks().to_list()
    with pytest.raises(errors.ResponseShapeError) as pulled:
        getattr(shared, collection).list().to_list()

    assert (str(native.value), native.value.path, native.value.snippet) == (
        str(pulled.value),
        pulled.value.path,
        pulled.value.snippet,
    )
    assert "_order=id" in str(pulled.value)


def test_a_changed_zone_gets_its_own_projections(shared: crmclients.Client) -> None:
    """The projections follow the adapter's zone; built once per zone and client."""
    adapter: Any = shared._adapter
    first = adapter.projections

    adapter.timezone = ZoneInfo("Europe/London")

    assert adapter.projections is adapter.projections
    assert adapter.projections is not first
    assert adapter.projections.zone is adapter.timezone
