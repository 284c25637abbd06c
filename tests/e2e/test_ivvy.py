"""iVvy end to end: real HTTP against the signature-checking sandbox on 127.0.0.1."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import crmclients
from crmclients import errors
from crmclients._client import Client
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Priority,
    Ref,
    RefKind,
    Task,
)
from crmclients.sandbox import Sandbox
from crmclients.vendors.ivvy import IvvyClient
from crmclients.vendors.ivvy.adapter import IvvyAdapter


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    """1,000 activities and tasks; the server serves at most 50 a page."""
    with Sandbox("ivvy", records=1000, seed=11, max_per_page=50) as sb:
        yield sb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh, small iVvy sandbox for tests that write or break things."""
    with Sandbox("ivvy", records=40, seed=4) as sb:
        yield sb


def list_bodies(sb: Sandbox, action: str) -> list[dict[str, object]]:
    """The JSON bodies of the list calls the sandbox received, in order."""
    return [
        json.loads(r.body or b"{}")
        for r in list(sb.emulator.requests)
        if r.query == f"action={action}"
    ]


@pytest.mark.parametrize("workers", [1, 4, "auto"])
def test_1000_activities_exactly_once_although_pages_are_capped(
    big: Sandbox, workers: int | str
) -> None:
    """perPage 100 is served as 50: every activity still comes exactly once.

    Pages after the first start at the last record read (49 new records each),
    in parallel too, until the page holding the last of totalResults.
    """
    big.emulator.requests.clear()
    with crmclients.connect("ivvy", **big.settings) as client:
        pager = client.activities.list(workers=workers)  # type: ignore[arg-type]
        records = pager.to_list()

    bodies = list_bodies(big, "getActivityList")
    assert len(records) == 1000 == len({r.id for r in records})
    assert all(isinstance(r, Activity) for r in records)
    assert pager.total == 1000
    assert {b["perPage"] for b in bodies} == {100}  # asked for 100 ...
    assert sorted(b["start"] for b in bodies) == list(range(0, 1000, 49))  # got 50
    assert pager.stats.duplicates == 0


def test_native_pull_of_1000_tasks_in_parallel_matches_sequential(big: Sandbox) -> None:
    """iter_tasks with workers=8 yields the same 1,000 tasks in the same order."""
    with crmclients.connect("ivvy", **big.settings) as client:
        native: IvvyClient = client.native
        sequential = [t.id for t in native.iter_tasks()]
        parallel = [t.id for t in native.iter_tasks(workers=8, page_size=30)]

    assert len(sequential) == 1000 == len(set(sequential))
    assert parallel == sequential


def test_server_side_filters_against_the_sandbox(big: Sandbox) -> None:
    """Time, assignee and relation filters are applied by the server, exactly."""
    cutoff = datetime(2024, 1, 1, tzinfo=UTC)
    with crmclients.connect("ivvy", **big.settings) as client:
        everything = client.activities.list().to_list()
        pager = client.activities.list(
            created_after=cutoff, assigned_to="2", related_to=Ref(RefKind.VENUE, "3")
        )
        filtered = pager.to_list()

    expected = [
        r.id
        for r in everything
        if r.created_at
        and r.created_at >= cutoff
        and r.assignee
        and r.assignee.id == "2"
        and Ref(RefKind.VENUE, "3") in r.related
    ]
    assert pager.client_side_filters == ()
    assert [r.id for r in filtered] == expected
    assert 0 < len(expected) < 1000


def test_create_update_and_read_back_an_activity(sandbox: Sandbox) -> None:
    """A created activity is read back, changed and listed; times travel as UTC."""
    starts = datetime(2025, 6, 1, 19, 30, tzinfo=UTC)
    with crmclients.connect("ivvy", **sandbox.settings) as client:
        created = client.activities.create(
            kind=ActivityKind.MEETING,
            subject="Menu tasting",
            body="<p>Five courses</p>",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            location="Harbour View",
            priority=Priority.HIGH,
            assignee=Ref(RefKind.USER, "2"),
            related=(Ref(RefKind.LEAD, "2601"), Ref(RefKind.VENUE, "2")),
        )
        updated = client.activities.update(
            created.id, subject="Menu tasting (moved)", kind="call"
        )
        fetched = client.activities.get(created.id)
        listed = client.activities.list(related_to=Ref(RefKind.LEAD, "2601")).to_list()

    writes = [
        json.loads(r.body)
        for r in sandbox.emulator.requests
        if r.query == "action=addOrUpdateActivity"
    ]
    assert writes[0]["startDatetime"] == "2025-06-01 19:30:00"
    assert writes[0]["endDatetime"] == "2025-06-01 21:30:00"
    assert writes[1] == {
        "id": int(created.id),
        "subType": 2,
        "name": "Menu tasting (moved)",
    }
    assert (created.kind, created.starts_at, created.priority) == (
        ActivityKind.MEETING,
        starts,
        Priority.HIGH,
    )
    assert created.assignee is not None and created.assignee.id == "2"
    assert created.related == (Ref(RefKind.LEAD, "2601"), Ref(RefKind.VENUE, "2"))
    assert (updated.kind, updated.subject) == (
        ActivityKind.CALL,
        "Menu tasting (moved)",
    )
    assert fetched == updated
    assert created.id in {r.id for r in listed}


def test_create_and_complete_a_task(sandbox: Sandbox) -> None:
    """A task is created on a company, moved through statuses and read back."""
    due = datetime(2025, 7, 1, 17, 0, tzinfo=UTC)
    with crmclients.connect("ivvy", **sandbox.settings) as client:
        created = client.tasks.create(
            subject="Send the contract",
            due_at=due,
            related=[Ref(RefKind.COMPANY, "852")],
        )
        started = client.tasks.update(created.id, status=ActivityStatus.IN_PROGRESS)
        done = client.tasks.update(created.id, status="completed")

    assert isinstance(created, Task)
    assert (created.due_at, created.status, created.vendor_status) == (
        due,
        ActivityStatus.NOT_STARTED,
        "Not Started",
    )
    assert started.status is ActivityStatus.IN_PROGRESS
    assert (done.status, done.vendor_status) == (ActivityStatus.COMPLETED, "Completed")
    assert done.related == (Ref(RefKind.COMPANY, "852"),)


def test_rules_fail_before_sending_and_server_codes_come_back_typed(
    sandbox: Sandbox,
) -> None:
    """Client-side rules send nothing; the sandbox's own checks map to typed errors."""
    emulator = sandbox.emulator
    with crmclients.connect("ivvy", **sandbox.settings) as client:
        before = len(emulator.requests)
        with pytest.raises(errors.ValidationError, match="only one of"):
            client.activities.create(
                kind="email",
                subject="s",
                body="b",
                related=(
                    Ref(RefKind.CONTACT, "45200"),
                    Ref(RefKind.LEAD, "2600"),
                    Ref(RefKind.VENUE, "1"),
                ),
            )
        with pytest.raises(errors.ValidationError, match="venue_id"):
            client.native.add_or_update_task(
                name="t", end_datetime="2025-01-01 00:00:00", lead_id=2600
            )
        assert len(emulator.requests) == before

        with pytest.raises(errors.NotFoundError) as missing_contact:
            client.native.add_or_update_activity(
                name="n", description="d", sub_type=1, contact_id=1
            )
        with pytest.raises(errors.NotFoundError) as wrong_venue:
            client.native.add_or_update_task(
                name="t", end_datetime="2025-01-01 00:00:00", lead_id=2600, venue_id=2
            )
        with pytest.raises(errors.NotFoundError) as missing_activity:
            client.activities.update("999999", subject="x")

    assert missing_contact.value.code == 24398
    assert wrong_venue.value.code == 24389
    assert missing_activity.value.code == 24400


def test_a_stale_request_raises_clock_skew_with_the_offset(sandbox: Sandbox) -> None:
    """A local clock 10 minutes slow: 401/23005 becomes ClockSkewError saying how far."""
    slow = IvvyClient(
        base_url=sandbox.base_url,
        clock=lambda: datetime.now(UTC) - timedelta(minutes=10),
        **sandbox.credentials,
    )
    with (
        Client(IvvyAdapter(slow)) as client,
        pytest.raises(errors.ClockSkewError) as info,
    ):
        client.activities.list().first(1)

    assert info.value.skew_seconds is not None
    assert -605 <= info.value.skew_seconds <= -595
    assert "seconds behind the server's" in str(info.value)
    assert info.value.code == 23005


def test_the_sandbox_clock_judges_staleness(sandbox: Sandbox) -> None:
    """Moving the sandbox clock 6 minutes ahead makes fresh requests stale."""
    with crmclients.connect("ivvy", **sandbox.settings) as client:
        assert client.native.ping().message == "ack"
        sandbox.emulator.advance(360)
        with pytest.raises(errors.ClockSkewError, match="Request is stale"):
            client.native.ping()


def test_a_wrong_secret_is_an_authentication_error(sandbox: Sandbox) -> None:
    """The sandbox recomputes the signature: another secret does not pass."""
    settings = {**sandbox.settings, "api_secret": "not-the-sandbox-secret"}
    with crmclients.connect("ivvy", **settings) as client:
        with pytest.raises(
            errors.AuthenticationError, match="signature does not match"
        ):
            client.tasks.list().first(1)


def test_reads_survive_faults_and_retries_are_re_signed(sandbox: Sandbox) -> None:
    """500, 503, 429, a reset and a cut-off answer: the read succeeds, each attempt signed."""
    sandbox.inject_faults(
        script=["500", "503-retry-after", "429", "reset", "truncated"]
    )
    retry = crmclients.RetryPolicy(attempts=6)
    with crmclients.connect("ivvy", retry=retry, **sandbox.settings) as client:
        first = client.tasks.list().first(3)

    assert [t.id for t in first] == ["5001", "5002", "5003"]
    assert sandbox.emulator.faults.injected.total() == 5


def test_a_create_whose_answer_is_lost_is_ambiguous_and_sent_once(
    sandbox: Sandbox,
) -> None:
    """No blind replay of a create: AmbiguousWriteError, one request, one record."""
    emulator = sandbox.emulator
    before = len(emulator.activities)  # type: ignore[attr-defined]
    emulator.inject_faults(
        script=["reset-after"],
        match=lambda method, path: method == "POST" and "crm" in path,
    )
    with crmclients.connect("ivvy", **sandbox.settings) as client:
        with pytest.raises(errors.AmbiguousWriteError):
            client.native.add_or_update_activity(
                name="Once", description="only", sub_type=3
            )

    counts = Counter(r.query for r in emulator.requests)
    assert counts["action=addOrUpdateActivity"] == 1
    assert len(emulator.activities) == before + 1  # type: ignore[attr-defined]


def test_an_update_whose_answer_is_lost_is_retried(sandbox: Sandbox) -> None:
    """addOrUpdate with an id is idempotent: resent after a reset, and it succeeds."""
    sandbox.inject_faults(
        script=["reset-after"],
        match=lambda method, path: method == "POST" and "crm" in path,
    )
    with crmclients.connect("ivvy", **sandbox.settings) as client:
        assert client.native.add_or_update_activity(id=1001, location="Room 9") == 1001

    assert sandbox.emulator.activities[1001]["location"] == "Room 9"  # type: ignore[attr-defined]
    assert (
        Counter(r.query for r in sandbox.emulator.requests)[
            "action=addOrUpdateActivity"
        ]
        == 2
    )
