"""iVvy projections: payloads straight to shared records agree with the native path.

``ACTIVITY`` and ``TASK`` are declared once in the adapter; pulls compile them into
one pass over the payloads, get/create/update go through the native model. These
tests hold the two paths to the same records, the same ``raw`` and the same errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import responses

import crmclients
from crmclients import errors
from crmclients._converter import Structurer
from crmclients._projection import Projection
from crmclients.models import EMPTY_RAW
from crmclients.sandbox.ivvy import ACTIVITY_FIELDS, TASK_FIELDS, IvvyEmulator
from crmclients.vendors.ivvy import IvvyActivity, IvvyClient, IvvyTask
from crmclients.vendors.ivvy.adapter import (
    ACTIVITY,
    TASK,
    ActivitiesAdapter,
    TasksAdapter,
    _IvvyCollection,
)
from tests.vendors.ivvy.conftest import KEY, SECRET, url
from tests.vendors.ivvy.test_client import ACTIVITY_SAMPLE, TASK_SAMPLE, collection

#: name -> (the projection, the native model, the adapter class, a full payload).
KINDS: dict[str, tuple[Projection, type[Any], type[Any], dict[str, Any]]] = {
    "activity": (ACTIVITY, IvvyActivity, ActivitiesAdapter, ACTIVITY_SAMPLE),
    "task": (TASK, IvvyTask, TasksAdapter, TASK_SAMPLE),
}
PATH = "$.results"
#: Values that fit no field, or only some: each is tried in every field.
BAD = [5, 2.5, True, "", "soon", "12", [5], {"a": 1}, None]


def sandbox_payloads(name: str) -> list[dict[str, Any]]:
    """Every record of a seeded sandbox as getActivityList / getTaskList shows it."""
    em = IvvyEmulator(records=300, seed=9)
    if name == "activity":
        return [em._public(r, ACTIVITY_FIELDS) for r in em.activities.values()]
    return [em._public(r, TASK_FIELDS) for r in em.tasks.values()]


@pytest.fixture
def ivvy(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A common Client for iVvy over the strict responses mock."""
    with crmclients.connect("ivvy", api_key=KEY, api_secret=SECRET) as client:
        yield client


def collection_of(client: crmclients.Client, name: str) -> _IvvyCollection[Any]:
    """The adapter's collection for ``name`` (what ``client.<name>s`` runs on)."""
    cls = KINDS[name][2]
    result: _IvvyCollection[Any] = cls(client._adapter)
    return result


def native_then_shared(
    native: IvvyClient, name: str, payloads: Any, *, keep_raw: bool = True
) -> list[Any]:
    """The reference path: native models first, then ``from_native``."""
    projection, cls, _, _ = KINDS[name]
    natives = native._wire.structure_many(
        payloads, cls, path=PATH, operation="x", keep_raw=keep_raw
    )
    return [projection.from_native(n) for n in natives]


def outcome(call: Any) -> tuple[Any, ...]:
    """What a conversion gave: the records and their raw, or the error it raised."""
    try:
        records = call()
    except errors.ResponseShapeError as exc:
        return ("error", exc.path, str(exc), exc.snippet)
    return ("ok", records, [r.raw for r in records])


def projected(
    client: crmclients.Client, name: str, payloads: Any, keep_raw: bool = True
) -> list[Any]:
    """The path pulls take: the collection's ``project`` (errors named as in pulls)."""
    coll = collection_of(client, name)
    with mock.patch.object(coll, "list_operation", "x"):
        return coll.project(payloads, keep_raw)


@pytest.mark.parametrize("keep_raw", [True, False])
@pytest.mark.parametrize("name", sorted(KINDS))
def test_compiled_projection_equals_structure_then_map(
    ivvy: crmclients.Client, name: str, keep_raw: bool
) -> None:
    """For every sandbox payload, payload->shared equals payload->native->shared."""
    items = [*sandbox_payloads(name), KINDS[name][3]]

    fast = projected(ivvy, name, items, keep_raw)
    slow = native_then_shared(ivvy.native, name, items, keep_raw=keep_raw)

    assert slow == fast
    assert [r.raw for r in slow] == [r.raw for r in fast]
    assert all(
        r.raw is (p if keep_raw else EMPTY_RAW)
        for r, p in zip(fast, items, strict=True)
    )


def damaged(name: str) -> Iterator[tuple[str, Any]]:
    """(description, payload): every field of a full payload broken, or left out."""
    payload = KINDS[name][3]
    for key in payload:
        yield f"{key} missing", {k: v for k, v in payload.items() if k != key}
        for value in BAD:
            yield f"{key}={value!r}", {**payload, key: value}
    yield "not an object", 29
    spelled = {k: v for k, v in payload.items() if k != "startDatetime"}
    yield "startDateTime", {**spelled, "startDateTime": payload["startDatetime"]}
    yield "a bad startDateTime", {**spelled, "startDateTime": "soon"}
    yield "both spellings", {**payload, "endDateTime": "2001-01-01 00:00:00 UTC"}


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        pytest.param(name, p, id=f"{name}: {c}")
        for name in sorted(KINDS)
        for c, p in damaged(name)
    ],
)
def test_a_damaged_payload_fails_or_maps_as_the_native_model_does(
    ivvy: crmclients.Client, name: str, payload: Any
) -> None:
    """Broken, missing or unmapped fields: the same records or the same error,
    after a good payload (so the error names the second item)."""
    items = [KINDS[name][3], payload]

    expected = outcome(lambda: native_then_shared(ivvy.native, name, items))

    assert expected == outcome(lambda: projected(ivvy, name, items))


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        ("activity", "purposeName", [5]),
        ("activity", "assignedUserEmail", {"a": 1}),
        ("task", "userEmail", [5]),
        ("task", "progress", "most"),
    ],
)
def test_a_bad_field_no_shared_field_shows_still_fails_a_pull(
    ivvy: crmclients.Client,
    rsps: responses.RequestsMock,
    name: str,
    key: str,
    value: Any,
) -> None:
    """A pull refuses what the native model refuses, even in a field it does not map."""
    action = "getActivityList" if name == "activity" else "getTaskList"
    rsps.post(url("crm", action), json=collection([{**KINDS[name][3], key: value}]))
    listing = ivvy.activities if name == "activity" else ivvy.tasks

    with pytest.raises(errors.ResponseShapeError) as info:
        listing.list().to_list()

    assert (info.value.path, info.value.operation) == (
        f"$.results[0].{key}",
        f"crm.{action}",
    )


@pytest.mark.parametrize("name", sorted(KINDS))
def test_pulls_make_shared_records_without_native_models(
    ivvy: crmclients.Client, rsps: responses.RequestsMock, name: str
) -> None:
    """A pull maps payloads straight to shared records: no native model is built."""
    projection, cls, _, sample = KINDS[name]
    action = "getActivityList" if name == "activity" else "getTaskList"
    rsps.post(url("crm", action), json=collection([sample]))
    listing = ivvy.activities if name == "activity" else ivvy.tasks
    expected = [projection.from_native(ivvy.native._wire.structure(sample, cls))]

    with mock.patch.object(
        Structurer, "structure_many", side_effect=AssertionError("native models")
    ):
        records = listing.list().to_list()

    assert expected == records
    assert records[0].raw == sample


def test_a_page_with_the_other_time_spelling_is_read_as_before(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """``startDateTime`` (the docs' example spelling) is read in a pull too; raw
    stays the payload as received."""
    plain = {"id": 1, "startDatetime": "2019-04-02 22:00:00 UTC"}
    spelled = {"id": 2, "startDateTime": "2019-04-03 22:00:00 UTC"}
    rsps.post(url("crm", "getActivityList"), json=collection([plain, spelled]))

    records = ivvy.activities.list().to_list()

    assert [r.starts_at.isoformat() for r in records if r.starts_at] == [
        "2019-04-02T22:00:00+00:00",
        "2019-04-03T22:00:00+00:00",
    ]
    assert [r.raw for r in records] == [plain, spelled]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_native_field_is_read_by_the_compiled_projection(name: str) -> None:
    """The pulls read (and so check) every field of the native model."""
    projection, cls, _, _ = KINDS[name]
    fields = {f.name for f in cls.__attrs_attrs__} - {"raw"}

    assert fields == set(projection.native_attrs(cls))
