"""Administrate end to end: real HTTP against the sandbox on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

import crmclients
from crmclients import _retry, errors
from crmclients.models import ActivityStatus, Ref, RefKind, Task
from crmclients.sandbox import Sandbox
from crmclients.vendors.administrate import AdministrateClient, TaskFilter

LIST_PATH = "/api/v2/crm/tasks"


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    """A sandbox with 1,000 tasks whose ids have gaps (shared by read-only tests)."""
    with Sandbox("administrate", records=1000, seed=11) as sb:
        yield sb


@pytest.fixture(scope="module")
def _writable() -> Iterator[Sandbox]:
    """One server for the tests that write (reset before each of them)."""
    with Sandbox("administrate", records=100, seed=4) as sb:
        yield sb


@pytest.fixture
def sandbox(_writable: Sandbox) -> Sandbox:
    """A sandbox with 100 tasks, back in its seeded state (data, faults, request log)."""
    _writable.emulator.reset()  # type: ignore[attr-defined]
    return _writable


def connect(sb: Sandbox, **options: Any) -> crmclients.Client:
    """A client of ``sb`` without the client-side limit (not what these tests test)."""
    return crmclients.connect("administrate", rate_limit=None, **options, **sb.settings)


def stored(sb: Sandbox) -> dict[int, dict[str, Any]]:
    """The emulator's tasks."""
    tasks: dict[int, dict[str, Any]] = sb.emulator.tasks  # type: ignore[attr-defined]
    return tasks


def list_queries(sb: Sandbox) -> list[dict[str, list[str]]]:
    """The query strings of the list requests the emulator received, in order."""
    return [
        parse_qs(r.query)
        for r in sb.emulator.requests
        if r.path == LIST_PATH and r.method == "GET"
    ]


def test_a_1000_task_pull_returns_each_task_exactly_once(big: Sandbox) -> None:
    """Keyset paging over non-contiguous ids: every task once, in id order."""
    expected = sorted(stored(big))
    assert expected[-1] - expected[0] + 1 > len(expected)  # the ids have gaps
    before = len(list_queries(big))

    with connect(big) as client:
        records = client.tasks.list().to_list()

    ids = [int(r.id) for r in records if r.id is not None]
    assert len(records) == 1000
    assert ids == expected
    assert all(isinstance(r, Task) for r in records)
    assert {r.vendor for r in records} == {"administrate"}
    queries = list_queries(big)[before:]
    assert len(queries) == 11  # ten batches of 100, then the empty one that stops it
    assert queries[0] == {"id__gt": ["0"], "_order": ["id"], "_limit": ["100"]}
    assert [q["id__gt"][0] for q in queries[1:]] == [
        str(expected[i]) for i in range(99, 1000, 100)
    ]


def test_the_native_pull_and_the_activities_agree(big: Sandbox) -> None:
    """iter_tasks (page_size 37) and activities.list return the same tasks."""
    with connect(big) as client:
        native: AdministrateClient = client.native
        native_ids = [t.id for t in native.iter_tasks(page_size=37)]
        activity_ids = [int(a.id or 0) for a in client.activities.list(page_size=250)]

    assert native_ids == activity_ids == sorted(stored(big))


def test_a_server_capping_the_batch_still_yields_every_task_once() -> None:
    """The server returns at most 40 per request whatever _limit says: nothing is lost."""
    with (
        Sandbox("administrate", records=300, seed=2, max_limit=40) as sb,
        connect(sb) as client,
    ):
        ids = [t.id for t in client.tasks.list(page_size=100)]

    assert len(ids) == 300 == len(set(ids))


def test_server_side_filters_match_a_brute_force_selection(big: Sandbox) -> None:
    """Unified filters are applied by the server and select exactly the right tasks."""
    cutoff = datetime(2024, 1, 1, tzinfo=UTC)
    expected = sorted(
        t["id"]
        for t in stored(big).values()
        if t["created_on"] >= cutoff.replace(tzinfo=None)
        and t["status"] == "Completed"
        and t["user_id"] == 1
        and t["account_id"] == 1
    )
    with connect(big) as client:
        pager = client.tasks.list(
            created_after=cutoff,
            status=ActivityStatus.COMPLETED,
            assigned_to="1",
            related_to=Ref(RefKind.ACCOUNT, "1"),
        )
        records = pager.to_list()

    assert expected and [int(r.id or 0) for r in records] == expected
    assert pager.client_side_filters == ()


def test_native_filters_order_and_limit(big: Sandbox) -> None:
    """A builder with in/notin, _order descending and _limit, in one request."""
    f = (
        TaskFilter()
        .where("status", "in", ["Deferred", "Not Started"])
        .where("type_id", "notin", [1])
        .where("start_datetime", "gte", datetime(2024, 1, 1))
        .order_by("-start_datetime")
        .limit(15)
    )
    with connect(big) as client:
        tasks = client.native.list_tasks(f)

    starts = [t.start_datetime for t in tasks]
    assert len(tasks) == 15
    assert all(
        t.status in ("Deferred", "Not Started") and t.type_id != 1 for t in tasks
    )
    assert all(s is not None and s >= datetime(2024, 1, 1) for s in starts)
    assert starts == sorted((s for s in starts if s is not None), reverse=True)


def test_a_partial_update_changes_only_the_given_fields(sandbox: Sandbox) -> None:
    """PUT sends only subject and description=None; every other field is unchanged."""
    tid = next(
        t["id"]
        for t in stored(sandbox).values()
        if t["description"] and t["contact_id"]
    )
    with connect(sandbox) as client:
        native: AdministrateClient = client.native
        before = native.get_task(tid)

        answer = native.update_task(tid, subject="Only this changes", description=None)
        after = native.get_task(tid)

    [put] = [r for r in sandbox.emulator.requests if r.method == "PUT"]
    assert put.body == b'{"subject":"Only this changes","description":null}'
    assert (after.subject, after.description) == ("Only this changes", None)
    assert answer.raw == after.raw
    unchanged = {
        k: v for k, v in before.raw.items() if k not in ("subject", "description")
    }
    assert {k: after.raw[k] for k in unchanged} == unchanged


def test_a_shared_update_changes_only_the_given_fields(sandbox: Sandbox) -> None:
    """tasks.update(status=...) leaves the subject, links and times as they were."""
    tid = next(
        t["id"] for t in stored(sandbox).values() if t["status"] == "Not Started"
    )
    with connect(sandbox) as client:
        before = client.tasks.get(tid)
        updated = client.tasks.update(tid, status=ActivityStatus.COMPLETED)

    assert (updated.status, updated.vendor_status) == (
        ActivityStatus.COMPLETED,
        "Completed",
    )
    for name in (
        "subject",
        "body",
        "starts_at",
        "ends_at",
        "assignee",
        "related",
        "created_at",
    ):
        assert getattr(updated, name) == getattr(before, name), name


def test_create_get_delete_round_trip(sandbox: Sandbox) -> None:
    """A created task can be read back, then deleted: afterwards get is NotFoundError."""
    with connect(sandbox) as client:
        created = client.tasks.create(
            subject="Book the venue",
            status="Not Started",
            assignee=Ref(RefKind.USER, "2"),
            related=[Ref(RefKind.ACCOUNT, "3"), Ref(RefKind.CONTACT, "5")],
            due_at=datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
        )
        assert created.id is not None
        fetched = client.tasks.get(created.id)
        client.tasks.delete(created.id)
        with pytest.raises(errors.NotFoundError):
            client.tasks.get(created.id)

    assert fetched == created
    assert (
        fetched.due_at == fetched.starts_at == datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
    )
    assert [r.kind for r in fetched.related] == [RefKind.ACCOUNT, RefKind.CONTACT]
    assert int(created.id) not in stored(sandbox)


@pytest.mark.parametrize(
    "call",
    [
        lambda n: n.get_task(999999),
        lambda n: n.update_task(999999, subject="x"),
        lambda n: n.delete_task(999999),
    ],
    ids=["get", "update", "delete"],
)
def test_a_missing_task_is_not_found(sandbox: Sandbox, call: Any) -> None:
    """GET, PUT and DELETE of a missing task: 404 -> NotFoundError, one request."""
    with connect(sandbox) as client, pytest.raises(errors.NotFoundError) as info:
        call(client.native)

    assert info.value.status_code == 404
    assert len(sandbox.emulator.requests) == 1


def test_a_create_the_server_cannot_make_is_rejected(sandbox: Sandbox) -> None:
    """A user that does not exist: the documented 404 "could not create", once."""
    before = len(stored(sandbox))
    with connect(sandbox) as client, pytest.raises(errors.RejectedError) as info:
        client.native.create_task(
            status="Not Started", user_id=999, account_id=1, type_id=1
        )

    assert info.value.status_code == 404
    assert "user_id" in info.value.field_errors
    assert sandbox.emulator.count("POST", LIST_PATH) == 1
    assert len(stored(sandbox)) == before


def test_wrong_credentials_are_an_authentication_error(sandbox: Sandbox) -> None:
    """A wrong password: 401 -> AuthenticationError, not retried."""
    with (
        crmclients.connect(
            "administrate",
            base_url=sandbox.base_url,
            username="x@y.test",
            password="not-it-123",
        ) as client,
        pytest.raises(errors.AuthenticationError),
    ):
        client.tasks.list().first(1)

    assert len(sandbox.emulator.requests) == 1


def test_the_server_refuses_other_api_versions_and_offsets(sandbox: Sandbox) -> None:
    """The emulator enforces v2: _page (v2.5) and offsets on naive fields are 400s."""
    with connect(sandbox) as client:
        requestor = client.native._requestor
        with pytest.raises(errors.RejectedError, match="_page"):
            requestor.request("GET", "/crm/tasks", params={"_page": 2}, operation="t")
        with pytest.raises(errors.RejectedError, match="not time zone aware"):
            requestor.request(
                "GET",
                "/crm/tasks",
                params={"created_on__gt": "2024-01-01T00:00:00+01:00"},
                operation="t",
            )


def test_429_backs_off_and_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-IP limit answers 429 without Retry-After: exponential waits, then success."""
    waits: list[float] = []
    with Sandbox(
        "administrate", records=20, seed=1, rate_limit=3, rate_window=300
    ) as sb:
        emulator: Any = sb.emulator

        def fake_sleep(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 2:
                emulator.advance(300)  # the window passes during the second wait

        defaults = _retry.call.__kwdefaults__
        assert defaults is not None
        monkeypatch.setitem(defaults, "sleep", fake_sleep)
        monkeypatch.setattr(_retry, "jitter", lambda: 0.0)
        _retry.set_testing(instant=False)
        try:
            with connect(sb) as client:
                native: AdministrateClient = client.native
                first = sorted(stored(sb))[:3]
                for tid in first:  # uses up the window
                    native.get_task(tid)
                task = native.get_task(first[0])
        finally:
            _retry.set_testing(instant=True)

    assert task.id == first[0]
    assert emulator.throttled == 2
    policy = crmclients.RetryPolicy()
    assert waits == [policy.backoff(1, 0.0), policy.backoff(2, 0.0)]
    assert waits[1] == 2 * waits[0]
    assert native.stats.retries == 2


def test_injected_429s_are_retried(sandbox: Sandbox) -> None:
    """Fault-injected 429s (no usable Retry-After) are retried until the read succeeds."""
    sandbox.inject_faults(script=["429", "429"], retry_after="")
    with connect(sandbox) as client:
        records = client.tasks.list().first(5)

    assert len(records) == 5
    assert sandbox.emulator.faults.injected["429"] == 2


def test_reads_survive_scripted_faults(sandbox: Sandbox) -> None:
    """500, 503, a reset and a truncated answer: the read still succeeds."""
    sandbox.inject_faults(script=["500", "503", "reset", "truncated"])
    with connect(sandbox, retry=crmclients.RetryPolicy(attempts=5)) as client:
        first = client.tasks.list().first(3)

    assert [int(r.id or 0) for r in first] == sorted(stored(sandbox))[:3]


def test_a_create_reset_after_processing_is_ambiguous_and_sent_once(
    sandbox: Sandbox,
) -> None:
    """The server created the task but the answer was lost: no blind retry, no duplicate."""
    before = len(stored(sandbox))
    sandbox.inject_faults(
        script=["reset-after"], match=lambda method, path: method == "POST"
    )
    with connect(sandbox) as client, pytest.raises(errors.AmbiguousWriteError):
        client.native.create_task(
            status="Not Started", user_id=1, account_id=1, type_id=1
        )

    assert sandbox.emulator.count("POST", LIST_PATH) == 1
    assert len(stored(sandbox)) == before + 1


def test_the_mock_vendor_serves_the_same_emulator() -> None:
    """crmclients.testing.mock_vendor routes to the Administrate emulator without sockets."""
    from crmclients.testing import mock_vendor

    with mock_vendor("administrate", records=7, seed=3) as mock:
        client = crmclients.connect("administrate", rate_limit=None, **mock.settings)
        ids = [t.id for t in client.tasks.list(page_size=3)]

    assert len(ids) == 7 == len(set(ids))
