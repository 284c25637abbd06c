"""Opentaps projections: payloads straight to shared records agree with the native path.

``ACTIVITY`` and ``TASK`` are declared once in the adapter; pulls compile them into
one pass over the payloads, get/create/update go through the native model. These
tests hold the two paths to the same records, the same ``raw`` and the same errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses

import crmclients
from crmclients import errors
from crmclients._projection import Projection
from crmclients.models import EMPTY_RAW, ActivityKind
from crmclients.sandbox.opentaps import OpentapsEmulator
from crmclients.vendors.opentaps import OpentapsActivity, OpentapsClient, _wire
from crmclients.vendors.opentaps.adapter import ACTIVITY, TASK, _shared
from tests.vendors.opentaps.conftest import (
    ACTIVITY as PAYLOAD,
)
from tests.vendors.opentaps.conftest import (
    BASE,
    DOMAIN,
    ID,
    ID2,
    TOKEN,
    ok,
)

PATH = "$.result.resultValue"
PROJECTIONS = {"activity": ACTIVITY, "task": TASK}
#: Values that fit no field, or only some: each is tried in every field.
BAD = [5, 2.5, True, "", "soon", [5], ["x", 5], {"a": 1}, {}, None]


def sandbox_payloads() -> list[dict[str, Any]]:
    """Every record of a seeded sandbox as the API shows it."""
    em = OpentapsEmulator(records=300, seed=9)
    return [em.public(r) for r in em.activities.values()]


def native_then_shared(
    native: OpentapsClient,
    projection: Projection,
    payloads: Any,
    *,
    keep_raw: bool = True,
) -> list[Any]:
    """The reference path: native models first, then ``from_native``."""
    natives = native._wire.structure_many(
        payloads, OpentapsActivity, path=PATH, operation="x", keep_raw=keep_raw
    )
    return [projection.from_native(n) for n in natives]


@pytest.fixture
def native() -> OpentapsClient:
    """A native client (nothing is sent: only its structurer is used)."""
    return OpentapsClient(auth_token=TOKEN, client_domain=DOMAIN)


def outcome(call: Any) -> tuple[Any, ...]:
    """What a conversion gave: the records and their raw, or the error it raised."""
    try:
        records = call()
    except errors.ResponseShapeError as exc:
        return ("error", exc.path, str(exc), exc.snippet)
    return ("ok", records, [r.raw for r in records])


@pytest.mark.parametrize("keep_raw", [True, False])
@pytest.mark.parametrize("name", sorted(PROJECTIONS))
def test_compiled_projection_equals_structure_then_map(
    native: OpentapsClient, name: str, keep_raw: bool
) -> None:
    """For every sandbox payload, payload->shared equals payload->native->shared."""
    projection, items = PROJECTIONS[name], sandbox_payloads()

    fast = _shared(native, projection, (items, PATH), "x", keep_raw)
    slow = native_then_shared(native, projection, items, keep_raw=keep_raw)

    assert slow == fast
    assert [r.raw for r in slow] == [r.raw for r in fast]
    assert all(
        r.raw is (p if keep_raw else EMPTY_RAW)
        for r, p in zip(fast, items, strict=True)
    )


def damaged() -> Iterator[tuple[str, Any]]:
    """(description, payload): every field of a full payload broken, or left out."""
    for key in PAYLOAD:
        yield f"{key} missing", {k: v for k, v in PAYLOAD.items() if k != key}
        for value in BAD:
            yield f"{key}={value!r}", {**PAYLOAD, key: value}
    yield "not an object", "5166b967e4b0f6e6cd09e700"
    yield (
        "activityTypeId null, activityType given",
        {
            **PAYLOAD,
            "activityTypeId": None,
            "activityType": "EMAIL",
        },
    )
    aliased = {k: v for k, v in PAYLOAD.items() if k not in ("_id", "activityTypeId")}
    yield "activityType alias", {**aliased, "_id": ID, "activityType": "CALL"}
    yield "a bad activityType alias", {**aliased, "_id": ID, "activityType": 5}
    yield "both aliases", {**aliased, "activityId": ID, "activityType": "EMAIL"}
    yield "a bad alias", {**aliased, "activityId": 5}


@pytest.mark.parametrize("name", sorted(PROJECTIONS))
@pytest.mark.parametrize("payload", [pytest.param(p, id=c) for c, p in damaged()])
def test_a_damaged_payload_fails_or_maps_as_the_native_model_does(
    native: OpentapsClient, name: str, payload: Any
) -> None:
    """Each field broken or missing (unmapped ones too): the same records or the
    same path-naming error as structuring native models first."""
    projection = PROJECTIONS[name]
    items = [PAYLOAD, payload]

    expected = outcome(lambda: native_then_shared(native, projection, items))
    actual = outcome(lambda: _shared(native, projection, (items, PATH), "x", True))

    assert expected == actual


def test_a_page_that_is_not_a_list_fails_alike(native: OpentapsClient) -> None:
    """An answer without a list is the same error on both paths."""
    expected = outcome(lambda: native_then_shared(native, ACTIVITY, {"a": 1}))
    actual = outcome(lambda: _shared(native, ACTIVITY, ({"a": 1}, PATH), "x", True))

    assert expected == actual
    assert expected[0] == "error"


@pytest.mark.parametrize(
    ("payloads", "expected"),
    [
        ([PAYLOAD, {"_id": ID}], False),
        ([{"_id": ID, "activityType": "EMAIL"}], True),
        ([PAYLOAD, {"activityId": ID}], True),
        ([{"_id": ID, "activityTypeId": "NOTE", "activityType": "EMAIL"}], False),
        (["x", 5, None, [1]], False),
        ({"activityId": ID}, False),
    ],
)
def test_aliased_spots_the_older_key_names(payloads: Any, expected: bool) -> None:
    """Only a payload that has a key under its older name alone needs the hook."""
    assert _wire.aliased(payloads) is expected


# -- the pulls ---------------------------------------------------------------------------


@pytest.fixture
def client(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A unified Opentaps client sending the permanent token."""
    with crmclients.connect(
        "opentaps", auth_token=TOKEN, client_domain=DOMAIN, token_exchange=False
    ) as c:
        yield c


def no_native_models(
    client: crmclients.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make structuring a native model fail the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a shared pull built native models")

    monkeypatch.setattr(client.native._wire, "structure_many", refuse)
    monkeypatch.setattr(client.native._wire, "structure", refuse)


@pytest.mark.parametrize("include_raw", [True, False])
def test_pulls_build_no_native_models(
    client: crmclients.Client,
    rsps: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    include_raw: bool,
) -> None:
    """activities.list and tasks.list map payloads straight to shared records."""
    task = {**PAYLOAD, "_id": ID2, "activityTypeId": "TASK"}
    rsps.get(f"{BASE}/activities/2/0", json=ok([PAYLOAD, task]))
    rsps.get(f"{BASE}/activities/3/1", json=ok([task]))
    rsps.get(f"{BASE}/task", json=ok([task]))
    no_native_models(client, monkeypatch)

    activities = client.activities.list(page_size=2, include_raw=include_raw).to_list()
    tasks = client.tasks.list(include_raw=include_raw).to_list()

    assert [a.kind for a in activities] == [ActivityKind.NOTE, ActivityKind.TASK]
    assert [t.id for t in tasks] == [ID2]
    raws = [r.raw for r in [*activities, *tasks]]
    assert raws == ([PAYLOAD, task, task] if include_raw else [EMPTY_RAW] * 3)


def test_a_page_with_older_key_names_is_read_through_the_native_model(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """activityId / activityType in a listed payload still map, raw as received."""
    old = {"activityId": ID2, "activityType": "PHONE_CALL", "noteText": "hi"}
    rsps.get(f"{BASE}/activities/100/0", json=ok([PAYLOAD, old]))
    rsps.get(f"{BASE}/activities/100/1", json=ok([old]))

    first, second = client.activities.list().to_list()

    assert (first.id, first.kind) == (ID, ActivityKind.NOTE)
    assert (second.id, second.kind, second.body) == (ID2, ActivityKind.CALL, "hi")
    assert second.raw == old
