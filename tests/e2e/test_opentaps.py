"""Opentaps end to end: real HTTP against the sandbox on 127.0.0.1."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

import crmclients
from crmclients import errors
from crmclients.models import Activity, ActivityKind, ActivityStatus, Ref, RefKind, Task
from crmclients.sandbox import Sandbox
from crmclients.vendors.opentaps import OpentapsClient

CONTACT = "5166b967e4b0f6e6cd09e653"
OTHER = "5166b967e4b0f6e6cd09e654"


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    """A sandbox with 1,000 activities (shared by the read-only tests)."""
    with Sandbox("opentaps", records=1000, seed=11) as sb:
        yield sb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox with 60 activities."""
    with Sandbox("opentaps", records=60, seed=5) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[crmclients.Client]:
    """A unified client of the fresh sandbox (temporary tokens, the default)."""
    with crmclients.connect("opentaps", **sandbox.settings) as c:
        yield c


class Clock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


# -- paging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page_size", "workers"), [(None, 1), (37, 1), (250, "auto")])
def test_a_1000_activity_pull_yields_each_record_exactly_once(
    big: Sandbox, page_size: int | None, workers: Any
) -> None:
    """Offset paging by records received returns all 1,000, once each, in order."""
    expected = list(big.emulator.activities)  # type: ignore[attr-defined]
    with crmclients.connect("opentaps", **big.settings) as client:
        pager = client.activities.list(page_size=page_size, workers=workers)
        records = pager.to_list()

    assert len(expected) == 1000
    assert [r.id for r in records] == expected
    assert pager.stats.duplicates == 0
    assert pager.total is None  # Opentaps reports no total
    assert all(isinstance(r, Activity) for r in records)
    assert {r.kind for r in records} >= {ActivityKind.TASK, ActivityKind.NOTE}


def test_ids_and_statuses_look_like_opentaps(big: Sandbox) -> None:
    """_id is 24 hex digits and statuses travel upper-case."""
    with crmclients.connect("opentaps", **big.settings) as client:
        native = client.native.list_activities(50, 0)

    assert all(len(a.id) == 24 and int(a.id, 16) >= 0 for a in native)
    assert {a.status for a in native} <= {
        "CREATED",
        "STARTED",
        "COMPLETED",
        "CANCELLED",
    }


def test_task_filters_are_applied_by_the_server(big: Sandbox) -> None:
    """assigned_to, the schedule range and status go to GET /task; none client-side."""
    after, before = datetime(2023, 6, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    with crmclients.connect("opentaps", **big.settings) as client:
        everything = client.tasks.list().to_list()
        pager = client.tasks.list(
            assigned_to=CONTACT,
            scheduled_after=after,
            scheduled_before=before,
            status=[ActivityStatus.NOT_STARTED, ActivityStatus.IN_PROGRESS],
        )
        some = pager.to_list()

    expected = [
        t.id
        for t in everything
        if t.assignee == Ref(RefKind.CONTACT, CONTACT)
        and t.due_at is not None
        and after <= t.due_at < before
        and t.vendor_status in ("CREATED", "STARTED")
    ]
    assert len(everything) > 200 and all(isinstance(t, Task) for t in everything)
    assert some and [t.id for t in some] == expected
    assert pager.client_side_filters == ()


# -- the task lifecycle ------------------------------------------------------------------------


def test_create_assign_start_complete_and_refuse_a_restart(
    client: crmclients.Client, sandbox: Sandbox
) -> None:
    """Created -> Started -> Completed; Completed -> Started is refused unless strict=False."""
    emulator = sandbox.emulator
    task = client.tasks.create(
        body="Ship the samples", due_at=datetime(2025, 3, 3, 9, tzinfo=UTC)
    )
    assigned = client.tasks.update(task.id, assignee=Ref(RefKind.CONTACT, CONTACT))
    mine = [t.id for t in client.tasks.list(assigned_to=CONTACT)]
    started = client.tasks.transition(task.id, ActivityStatus.IN_PROGRESS)
    completed = client.tasks.transition(task.id, "completed")
    puts = emulator.count("PUT", f"/activities/{task.id}")

    with pytest.raises(errors.ValidationError) as info:
        client.tasks.transition(task.id, ActivityStatus.IN_PROGRESS)

    assert (task.status, task.vendor_status, task.kind) == (
        ActivityStatus.NOT_STARTED,
        "CREATED",
        ActivityKind.TASK,
    )
    assert assigned.assignee == Ref(RefKind.CONTACT, CONTACT)
    assert task.id in mine
    assert (
        started.vendor_status == "STARTED"
        and started.status is ActivityStatus.IN_PROGRESS
    )
    assert completed.vendor_status == "COMPLETED"
    assert not completed.can_transition_to(ActivityStatus.IN_PROGRESS)
    assert info.value.field == "status"
    assert "completed" in info.value.rule and "in_progress" in info.value.rule
    assert emulator.count("PUT", f"/activities/{task.id}") == puts  # nothing sent
    assert emulator.activities[task.id]["status"] == "COMPLETED"  # type: ignore[attr-defined]

    restarted = client.tasks.transition(
        task.id, ActivityStatus.IN_PROGRESS, strict=False
    )

    assert restarted.vendor_status == "STARTED"
    assert emulator.count("PUT", f"/activities/{task.id}") == puts + 1


def test_link_and_unlink_a_contact_with_a_role(
    client: crmclients.Client, sandbox: Sandbox
) -> None:
    """The link shows in related with its role; linking twice keeps one; unlink removes it."""
    task = client.tasks.create(body="Review the contract")
    approver = Ref(RefKind.CONTACT, CONTACT, role="approver")

    client.tasks.link(task.id, approver)
    linked = client.tasks.link(task.id, approver)
    both = client.tasks.link(task.id, Ref(RefKind.CONTACT, OTHER, role="observer"))
    unlinked = client.tasks.unlink(task.id, approver)
    fetched = client.activities.get(task.id)

    assert linked.related == (approver,)
    assert both.related == (approver, Ref(RefKind.CONTACT, OTHER, role="observer"))
    assert unlinked.related == (Ref(RefKind.CONTACT, OTHER, role="observer"),)
    assert fetched.related == unlinked.related
    assert sandbox.emulator.activities[task.id]["contacts"] == [  # type: ignore[attr-defined]
        {"contactId": OTHER, "role": "observer"}
    ]


def test_activity_round_trip_and_delete(client: crmclients.Client) -> None:
    """create, update, get and delete an activity; afterwards get is NotFound."""
    created = client.activities.create(kind=ActivityKind.MEETING, body="Kick-off")
    updated = client.activities.update(
        created.id, status=ActivityStatus.COMPLETED, body="Done"
    )
    fetched = client.activities.get(created.id)
    client.activities.delete(created.id)

    assert (created.kind, created.status) == (
        ActivityKind.MEETING,
        ActivityStatus.NOT_STARTED,
    )
    assert (updated.body, updated.status) == ("Done", ActivityStatus.COMPLETED)
    assert fetched == updated
    with pytest.raises(errors.NotFoundError):
        client.activities.get(created.id)
    with pytest.raises(errors.NotFoundError):
        client.activities.delete(created.id)


def test_server_side_rejections_name_the_field(client: crmclients.Client) -> None:
    """An activity type the domain lacks and an unknown contact come back as RejectedError."""
    with pytest.raises(errors.RejectedError) as info:
        client.activities.create(kind=ActivityKind.SMS, body="x")
    with pytest.raises(errors.RejectedError) as assignee:
        client.native.create_task({"assignedToContactId": "abcdefabcdefabcdefabcdef"})

    assert "activityTypeId" in info.value.field_errors
    assert info.value.status_code == 400
    assert "assignedToContactId" in assignee.value.field_errors


# -- tokens ------------------------------------------------------------------------------------


def test_an_expired_temporary_token_is_renewed_once(
    sandbox: Sandbox, client: crmclients.Client
) -> None:
    """After 60 minutes on the server's clock the call is refused, renewed and resent."""
    emulator = sandbox.emulator
    client.tasks.list().first(1)
    emulator.advance(3601)

    assert client.tasks.list().first(1)
    assert emulator.count("POST", "/oauth/temp-token") == 2
    assert client.native.stats.refreshes == 1


def test_the_token_is_renewed_before_it_expires(sandbox: Sandbox) -> None:
    """With the client's clock 56 minutes on, a new token is fetched before sending."""
    clock = Clock()
    native = OpentapsClient(
        base_url=sandbox.base_url, clock=clock, **sandbox.credentials
    )
    native.search_tasks(per_page=1)
    clock.now += 56 * 60

    native.search_tasks(per_page=1)

    assert sandbox.emulator.count("POST", "/oauth/temp-token") == 2
    assert native.stats.refreshes == 0


def test_validate_token_against_the_server_clock(sandbox: Sandbox) -> None:
    """/oauth/validate says true for a fresh token and false once it has expired."""
    native = OpentapsClient(base_url=sandbox.base_url, **sandbox.credentials)
    token = native.get_temp_token()

    fresh = native.validate_token(token)
    sandbox.emulator.advance(3600)

    assert fresh is True
    assert native.validate_token(token) is False


def test_a_plain_token_also_works(sandbox: Sandbox) -> None:
    """token_exchange=False sends the permanent token; no exchange happens."""
    with crmclients.connect(
        "opentaps", token_exchange=False, **sandbox.settings
    ) as client:
        assert client.activities.list().first(2)

    assert sandbox.emulator.count("POST", "/oauth/temp-token") == 0


@pytest.mark.parametrize("exchange", [True, False])
def test_a_wrong_token_is_an_authentication_error(
    sandbox: Sandbox, exchange: bool
) -> None:
    """A wrong permanent token fails, exchanged or not."""
    settings = {**sandbox.settings, "auth_token": "wrong-but-secret-9981"}
    with crmclients.connect("opentaps", token_exchange=exchange, **settings) as client:
        with pytest.raises(errors.AuthenticationError) as info:
            client.activities.list().first(1)

    assert "wrong-but-secret-9981" not in str(info.value)


def test_another_client_domain_is_refused(sandbox: Sandbox) -> None:
    """A token used with someone else's client domain: PermissionDeniedError (403)."""
    settings = {**sandbox.settings, "client_domain": "other.example.org"}
    with crmclients.connect("opentaps", **settings) as client:
        with pytest.raises(errors.PermissionDeniedError) as info:
            client.tasks.list().first(1)

    assert info.value.status_code == 403


def test_the_sandbox_enforces_the_documented_rules(sandbox: Sandbox) -> None:
    """Raw HTTP: tokens, clientDomain, activityTypeId on tasks, statuses, paths."""
    base, token, domain = (
        sandbox.base_url,
        sandbox.credentials["auth_token"],
        sandbox.credentials["client_domain"],
    )
    temp = requests.post(
        f"{base}/oauth/temp-token", data={"authToken": token}, timeout=5
    )
    good = {"authToken": temp.json()["authToken"], "clientDomain": domain}

    answers = {
        "no token": requests.get(f"{base}/activities/5", timeout=5),
        "no domain": requests.get(
            f"{base}/activities/5", params={"authToken": token}, timeout=5
        ),
        "ok": requests.get(f"{base}/activities/5/0", params=good, timeout=5),
        "form GET": requests.get(f"{base}/task", data=good, timeout=5),
        "task type": requests.post(
            f"{base}/task",
            data={**good, "note_field_activityTypeId": "NOTE"},
            timeout=5,
        ),
        "bad status": requests.post(
            f"{base}/activities", data={**good, "note_field_status": "DONE"}, timeout=5
        ),
        "bad count": requests.get(f"{base}/activities/0", params=good, timeout=5),
        "unknown": requests.get(f"{base}/contacts", params=good, timeout=5),
    }
    sandbox.emulator.advance(3600)
    answers["expired"] = requests.get(f"{base}/activities/5", params=good, timeout=5)

    status = {name: r.status_code for name, r in answers.items()}
    assert status == {
        "no token": 401,
        "no domain": 400,
        "ok": 200,
        "form GET": 200,
        "task type": 400,
        "bad status": 400,
        "bad count": 400,
        "unknown": 404,
        "expired": 401,
    }
    assert answers["expired"].json() == {
        "error": "authToken expired: get a new temporary token"
    }
    assert "activityTypeId" in answers["task type"].json()["errors"]
    assert len(answers["ok"].json()["result"]["resultValue"]) == 5


# -- reliability and secrets ---------------------------------------------------------------------


def test_reads_survive_scripted_faults(sandbox: Sandbox) -> None:
    """500, 503 + Retry-After, 429, a reset and a truncated answer: the read succeeds."""
    with crmclients.connect(
        "opentaps", retry=crmclients.RetryPolicy(attempts=6), **sandbox.settings
    ) as client:
        sandbox.inject_faults(
            script=["500", "503-retry-after", "429", "reset", "truncated"],
            match=lambda method, path: path.startswith("/activities"),
        )
        first = client.activities.list().first(3)

    assert [r.id for r in first] == list(sandbox.emulator.activities)[:3]  # type: ignore[attr-defined]
    assert sandbox.emulator.faults.injected.total() == 5


def test_task_create_reset_after_processing_is_ambiguous_and_sent_once(
    sandbox: Sandbox, client: crmclients.Client
) -> None:
    """The server stored the task but the answer was lost: no blind retry, no duplicate."""
    emulator = sandbox.emulator
    client.tasks.list().first(1)  # token obtained before the fault
    before = len(emulator.activities)  # type: ignore[attr-defined]
    emulator.inject_faults(
        script=["reset-after"], match=lambda m, p: p == "/task" and m == "POST"
    )

    with pytest.raises(errors.AmbiguousWriteError):
        client.tasks.create(body="Once only")

    assert emulator.count("POST", "/task") == 1
    assert len(emulator.activities) == before + 1  # type: ignore[attr-defined]


def test_no_token_reaches_logs_errors_or_reprs(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Success, renewal, refusals, faults and bad input: no permanent or temporary token shows."""
    caplog.set_level(logging.DEBUG, logger="crmclients")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    texts: list[str] = []
    emulator = sandbox.emulator
    permanent = sandbox.credentials["auth_token"]
    with (
        contextlib.ExitStack() as stack,
        crmclients.connect(
            "opentaps", retry=crmclients.RetryPolicy(attempts=6), **sandbox.settings
        ) as client,
    ):
        texts.append(repr(client) + repr(client.native) + repr(client.native._auth))
        texts.extend(repr(r) for r in client.activities.list(page_size=25))
        emulator.advance(3601)  # the temporary token expires: refused, renewed
        texts.extend(repr(t) for t in client.tasks.list())
        plain = crmclients.connect("opentaps", token_exchange=False, **sandbox.settings)
        stack.callback(plain.close)
        plain.activities.list().first(2)  # the permanent token in a GET query string
        sandbox.inject_faults(script=["500", "reset", "html", "truncated", "429"])
        client.activities.list().first(3)
        for call in (
            lambda: (
                crmclients.connect(
                    "opentaps",
                    base_url=sandbox.base_url,
                    auth_token="wrong-but-secret-9981",
                    client_domain="sandbox.example.com",
                )
                .tasks.list()
                .first(1)
            ),
            lambda: plain.activities.get("f" * 24),
            lambda: client.tasks.transition("f" * 24, ActivityStatus.COMPLETED),
            lambda: client.activities.create(kind=ActivityKind.SMS, body="x"),
            lambda: client.native.validate_token("not-a-real-token"),
        ):
            try:
                call()
            except errors.CRMError as exc:
                texts.extend([str(exc), repr(exc), repr(exc.__dict__)])
        sandbox.inject_faults(script=["reset-after"])
        with pytest.raises(errors.AmbiguousWriteError) as info:
            client.tasks.create(body="y")
        texts.append(str(info.value) + str(info.value.__cause__))
    texts.append(caplog.text)

    everything = "\n".join(texts)
    secrets = [permanent, "wrong-but-secret-9981", *emulator.temp_tokens]  # type: ignore[attr-defined]
    assert len(secrets) >= 4
    assert [s for s in secrets if s in everything] == []
    assert (
        "authToken=[secure]" in caplog.text
    )  # the GET query string is logged, redacted
    assert "urllib3" in {r.name.split(".")[0] for r in caplog.records}
