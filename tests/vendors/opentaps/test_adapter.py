"""Opentaps behind the common Client: mapping, filters, transitions and links."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

import crmclients
from crmclients import errors
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Ref,
    RefKind,
    Task,
)
from crmclients.vendors.opentaps import ContactRole, OpentapsActivity
from crmclients.vendors.opentaps.adapter import (
    activity_from_native,
    kind_of,
    task_from_native,
)
from tests.vendors.opentaps.conftest import (
    ACTIVITY,
    BASE,
    C1,
    C2,
    DOMAIN,
    ID,
    ID2,
    TASK,
    TOKEN,
    form,
    ok,
    query,
)

ALL = {"per_page": 9999}


@pytest.fixture
def client(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A unified Opentaps client sending the permanent token."""
    with crmclients.connect(
        "opentaps", auth_token=TOKEN, client_domain=DOMAIN, token_exchange=False
    ) as c:
        yield c


# -- mapping ---------------------------------------------------------------------------


def test_activity_maps_every_field() -> None:
    """Each native field lands on its shared counterpart; contacts keep their roles."""
    native = OpentapsActivity(
        id=ID,
        activity_type_id="FOLLOWUP_EMAIL",
        note_text="Follow up",
        status="STARTED",
        scheduled_date_time=datetime(2014, 5, 3, 9, tzinfo=UTC),
        responsible_contact_id=C1,
        assigned_to_contact=(C2, C1),
        contacts=(
            ContactRole(contact_id=C1, role="billing"),
            ContactRole(contact_id=C2),
        ),
        created_date=datetime(2014, 5, 1, tzinfo=UTC),
        last_modified_date=datetime(2014, 5, 2, tzinfo=UTC),
        raw={"_id": ID},
    )

    shared = activity_from_native(native)

    assert shared == Activity(
        id=ID,
        vendor="opentaps",
        created_at=datetime(2014, 5, 1, tzinfo=UTC),
        updated_at=datetime(2014, 5, 2, tzinfo=UTC),
        kind=ActivityKind.EMAIL,
        body="Follow up",
        status=ActivityStatus.IN_PROGRESS,
        vendor_status="STARTED",
        due_at=datetime(2014, 5, 3, 9, tzinfo=UTC),
        assignee=Ref(RefKind.CONTACT, C2),
        related=(Ref(RefKind.CONTACT, C1, role="billing"), Ref(RefKind.CONTACT, C2)),
    )
    assert shared.raw == {"_id": ID}


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("CREATED", ActivityStatus.NOT_STARTED),
        ("STARTED", ActivityStatus.IN_PROGRESS),
        ("COMPLETED", ActivityStatus.COMPLETED),
        ("CANCELLED", ActivityStatus.CANCELLED),
        ("started", ActivityStatus.IN_PROGRESS),
        (" Completed ", ActivityStatus.COMPLETED),
        ("PAUSED", None),
        ("", None),
        (None, None),
    ],
)
def test_status_mapping_keeps_the_vendor_word(word: str | None, status: Any) -> None:
    """Upper-case vendor words map to shared statuses; the word stays in vendor_status."""
    task = task_from_native(
        OpentapsActivity(id=ID, status=word, activity_type_id="TASK")
    )

    assert (task.status, task.vendor_status) == (status, word)
    assert task.kind is ActivityKind.TASK


@pytest.mark.parametrize(
    ("type_id", "kind"),
    [
        ("NOTE", ActivityKind.NOTE),
        ("TASK", ActivityKind.TASK),
        ("EMAIL", ActivityKind.EMAIL),
        ("FOLLOWUP_EMAIL", ActivityKind.EMAIL),
        ("CALL", ActivityKind.CALL),
        ("PHONE_CALL", ActivityKind.CALL),
        ("meeting", ActivityKind.MEETING),
        (" phone_call ", ActivityKind.CALL),
        ("TWEET", ActivityKind.OTHER),
        ("", ActivityKind.OTHER),
        (None, ActivityKind.OTHER),
    ],
)
def test_activity_types_map_to_kinds(type_id: str | None, kind: ActivityKind) -> None:
    """Known types map to their kind; the domain's own types become OTHER."""
    assert kind_of(type_id) is kind


def test_contact_refs_are_shared_between_records() -> None:
    """Equal contact refs are one (frozen) object; roles and empty ids are kept."""
    first, second = (
        activity_from_native(
            OpentapsActivity(
                id=ID,
                assigned_to_contact=(C1,),
                contacts=(
                    ContactRole(contact_id=C1),
                    ContactRole(contact_id=C1, role="billing"),
                    ContactRole(contact_id=""),
                ),
            )
        )
        for _ in range(2)
    )

    assert first.related == (
        Ref(RefKind.CONTACT, C1),
        Ref(RefKind.CONTACT, C1, role="billing"),
        Ref(RefKind.CONTACT, ""),
    )
    assert first.assignee is first.related[0] is second.related[0]
    assert first.related[1] is second.related[1]


def test_contact_refs_stay_right_when_the_table_restarts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full table is emptied and refilled; the refs are the same values."""
    import crmclients.vendors.opentaps.adapter as adapter

    monkeypatch.setattr(adapter, "_CONTACT_REFS_LIMIT", 1)
    monkeypatch.setattr(adapter, "_contact_refs", {})
    native = OpentapsActivity(
        id=ID,
        assigned_to_contact=(C2,),
        contacts=(
            ContactRole(contact_id=C1, role="billing"),
            ContactRole(contact_id=C2),
        ),
    )

    task = task_from_native(native)

    assert (task.assignee, task.related) == (
        Ref(RefKind.CONTACT, C2),
        (Ref(RefKind.CONTACT, C1, role="billing"), Ref(RefKind.CONTACT, C2)),
    )
    assert len(adapter._contact_refs) == 1


# -- capabilities -------------------------------------------------------------------------


def test_capabilities_follow_the_adapter() -> None:
    """get is emulated; tasks filter natively on assignee, schedule and status."""
    caps = crmclients.capabilities("opentaps")

    assert caps.mode("activities", "get") == "emulated"
    assert caps.mode("tasks", "get") == "emulated"
    assert caps.mode("tasks", "transition") == "native"
    assert caps.mode("activities", "transition") == "unsupported"
    for collection in ("activities", "tasks"):
        assert (
            caps.mode(collection, "link") == caps.mode(collection, "unlink") == "native"
        )
    for name in ("assigned_to", "scheduled_after", "scheduled_before", "status"):
        assert caps.mode("tasks", name) == "native"
        assert caps.mode("activities", name) == "emulated"
    assert caps.mode("tasks", "related_to") == "emulated"
    assert caps.collections() == ["activities", "tasks"]
    assert not caps.supports("opportunities", "list")


# -- activities ---------------------------------------------------------------------------


def test_activities_list_pages_through_everything(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """activities.list reads /activities/{n}/{offset}, each page from the last record
    read (no total: the overlap shows drift), until nothing comes after it."""
    rsps.get(f"{BASE}/activities/2/0", json=ok([ACTIVITY, TASK]), match=[query()])
    rsps.get(f"{BASE}/activities/3/1", json=ok([TASK]), match=[query()])

    records = client.activities.list(page_size=2).to_list()

    assert [type(r) for r in records] == [Activity, Activity]
    assert [r.kind for r in records] == [ActivityKind.NOTE, ActivityKind.TASK]


def test_activities_get_is_a_scan(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """get reads the list until the id turns up."""
    rsps.get(f"{BASE}/activities/100/0", json=ok([ACTIVITY, TASK]))

    assert client.activities.get(ID2).id == ID2


def test_activities_get_checks_the_id_before_sending(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """A non-hex id is a ValidationError naming 'id'; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.activities.get("42")

    assert info.value.field == "id"
    assert len(rsps.calls) == 0


def test_activities_create_sends_the_kind_as_type(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """kind -> activityTypeId, body -> noteText, status -> the vendor word."""
    rsps.post(
        f"{BASE}/activities",
        json=ok({**ACTIVITY, "activityTypeId": "CALL", "status": "STARTED"}),
        match=[
            form(
                note_field_activityTypeId="CALL",
                note_field_noteText="Call Bill",
                note_field_status="STARTED",
                note_field_scheduledDateTime="2024-03-01T12:00:00Z",
            )
        ],
    )

    created = client.activities.create(
        kind=ActivityKind.CALL,
        body="Call Bill",
        status=ActivityStatus.IN_PROGRESS,
        due_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
    )

    assert (created.kind, created.status) == (
        ActivityKind.CALL,
        ActivityStatus.IN_PROGRESS,
    )


def test_activities_create_defaults_to_a_note(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """Without a kind the activity is a NOTE."""
    rsps.post(
        f"{BASE}/activities",
        json=ok(ACTIVITY),
        match=[
            form(note_field_noteText="Just a note", note_field_activityTypeId="NOTE")
        ],
    )

    assert client.activities.create(body="Just a note").kind is ActivityKind.NOTE


def test_activities_create_of_a_task_goes_through_post_task(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """kind TASK is created with POST /task, without activityTypeId."""
    rsps.post(f"{BASE}/task", json=ok(TASK), match=[form(note_field_noteText="Do it")])

    created = client.activities.create(kind="task", body="Do it")

    assert created.kind is ActivityKind.TASK


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "x", "kind": ActivityKind.OTHER}, "kind"),
        ({"body": "x", "kind": "gossip"}, "kind"),
        ({"body": "x", "status": ActivityStatus.ON_HOLD}, "status"),
        ({"body": "x", "status": "paused"}, "status"),
        ({"body": "x", "due_at": "next week"}, "due_at"),
        ({"body": "x", "assignee": Ref(RefKind.CONTACT, C1)}, "assignee"),
        ({"kind": ActivityKind.NOTE}, "body"),
    ],
)
def test_activities_create_rules_are_checked_before_sending(
    client: crmclients.Client,
    rsps: responses.RequestsMock,
    fields: dict[str, Any],
    field: str,
) -> None:
    """Bad shared values name the shared field; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.activities.create(**fields)

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_activities_update_is_a_partial_put(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """update sends only the changed fields with partial=Yes."""
    rsps.put(
        f"{BASE}/activities/{ID}",
        json=ok({**ACTIVITY, "noteText": "changed"}),
        match=[form(partial="Yes", noteText="changed")],
    )

    assert client.activities.update(ID, body="changed").body == "changed"


def test_update_without_a_record_in_the_answer_reads_it_back(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """When PUT answers without the activity, the record is looked up."""
    rsps.put(f"{BASE}/activities/{ID}", json=ok(True))
    rsps.get(f"{BASE}/activities/100/0", json=ok([{**ACTIVITY, "status": "COMPLETED"}]))

    updated = client.activities.update(ID, status=ActivityStatus.COMPLETED)

    assert updated.status is ActivityStatus.COMPLETED


def test_activities_delete(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """delete is DELETE /activities/{id}."""
    rsps.delete(f"{BASE}/activities/{ID}", json=ok({"_id": ID}), match=[form()])

    assert client.activities.delete(ID) is None


# -- links ---------------------------------------------------------------------------------


def test_link_shows_the_contact_in_related(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """link(id, Ref(CONTACT, id, role)) posts contact/add; related shows the role."""
    rsps.post(
        f"{BASE}/activities/contact/add",
        json=ok({**TASK, "contacts": [{"contactId": C2, "role": "approver"}]}),
        match=[form(activityId=ID2, contactId=C2, role="approver")],
    )

    task = client.tasks.link(ID2, Ref(RefKind.CONTACT, C2, role="approver"))

    assert task.related == (Ref(RefKind.CONTACT, C2, role="approver"),)


def test_unlink_posts_contact_remove(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """unlink without a role removes the contact in every role."""
    rsps.post(
        f"{BASE}/activities/contact/remove",
        json=ok({"activity": {**ACTIVITY, "contacts": []}}),
        match=[form(activityId=ID, contactId=C1)],
    )

    assert client.activities.unlink(ID, Ref(RefKind.CONTACT, C1)).related == ()


@pytest.mark.parametrize(
    ("ref", "field"),
    [
        (Ref(RefKind.COMPANY, C1), "ref"),
        (Ref(RefKind.CONTACT, "42"), "ref"),
        ("not a ref", "ref"),
    ],
)
def test_only_contacts_can_be_linked(
    client: crmclients.Client, rsps: responses.RequestsMock, ref: Any, field: str
) -> None:
    """A non-contact Ref or a bad id fails before sending."""
    with pytest.raises(errors.ValidationError) as info:
        client.tasks.link(ID2, ref)

    assert info.value.field == field
    assert len(rsps.calls) == 0


# -- tasks -----------------------------------------------------------------------------------


def test_tasks_list_applies_filters_server_side(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """assigned_to, scheduled_after/before and status go to GET /task."""
    rsps.get(
        f"{BASE}/task",
        json=ok([TASK]),
        match=[
            query(
                assignedToContactId=C1,
                fromScheduledDateTime="2014-01-01T00:00:00Z",
                toScheduledDateTime="2015-01-01T00:00:00Z",
                status="CREATED,STARTED",
                **ALL,
            )
        ],
    )

    pager = client.tasks.list(
        assigned_to=Ref(RefKind.CONTACT, C1),
        scheduled_after=datetime(2014, 1, 1, tzinfo=UTC),
        scheduled_before=datetime(2015, 1, 1, tzinfo=UTC),
        status=["started", ActivityStatus.NOT_STARTED, ActivityStatus.ON_HOLD],
    )
    tasks = pager.to_list()

    assert [type(t) for t in tasks] == [Task]
    assert tasks[0].assignee == Ref(RefKind.CONTACT, C1)
    assert pager.client_side_filters == ()


def test_scheduled_before_is_exclusive(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """The API's upper bound is inclusive; a task exactly at scheduled_before is dropped."""
    bound = "2014-06-01T08:00:00Z"
    rsps.get(
        f"{BASE}/task",
        json=ok(
            [TASK, {**TASK, "_id": ID, "scheduledDateTime": "2014-05-31T08:00:00Z"}]
        ),
        match=[query(toScheduledDateTime=bound, **ALL)],
    )

    tasks = client.tasks.list(
        scheduled_before=datetime(2014, 6, 1, 8, tzinfo=UTC)
    ).to_list()

    assert [t.id for t in tasks] == [ID]


def test_statuses_opentaps_lacks_match_nothing_without_a_request(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """status=ON_HOLD only: no Opentaps word can match, so nothing is sent."""
    assert client.tasks.list(status=ActivityStatus.ON_HOLD).to_list() == []
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    "filters",
    [
        {"assigned_to": "42"},
        {"assigned_to": Ref(RefKind.USER, C1)},
        {"status": "paused"},
    ],
)
def test_tasks_list_filter_values_are_checked_before_sending(
    client: crmclients.Client, rsps: responses.RequestsMock, filters: dict[str, Any]
) -> None:
    """A non-contact assignee or an unknown status word fails at list()."""
    with pytest.raises(errors.ValidationError) as info:
        client.tasks.list(**filters)

    assert info.value.field == next(iter(filters))
    assert len(rsps.calls) == 0


def test_tasks_create_and_assign(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """create posts /task; update(assignee=...) and assignee=None (unassign) use PUT."""
    rsps.post(
        f"{BASE}/task",
        json=ok({**TASK, "status": "CREATED", "assignedToContact": []}),
        match=[
            form(
                note_field_noteText="Ship it",
                note_field_scheduledDateTime="2014-06-01T08:00:00Z",
            )
        ],
    )
    rsps.put(
        f"{BASE}/activities/{ID2}",
        json=ok({**TASK, "assignedToContact": [C2]}),
        match=[form(partial="Yes", assignedToContactId=C2)],
    )
    rsps.put(
        f"{BASE}/activities/{ID2}",
        json=ok({**TASK, "assignedToContact": []}),
        match=[form(partial="Yes", assignedToContactId="")],
    )

    created = client.tasks.create(body="Ship it", due_at="2014-06-01T08:00:00+00:00")
    assigned = client.tasks.update(created.id, assignee=Ref(RefKind.CONTACT, C2))
    unassigned = client.tasks.update(created.id, assignee=None)

    assert created.assignee is None and created.status is ActivityStatus.NOT_STARTED
    assert assigned.assignee == Ref(RefKind.CONTACT, C2)
    assert unassigned.assignee is None


def test_tasks_get_falls_back_to_a_scan_when_the_search_is_capped(
    client: crmclients.Client,
    rsps: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full search page may hide the task: the activity list is scanned too."""
    import crmclients.vendors.opentaps.adapter as adapter

    monkeypatch.setattr(adapter, "ALL_TASKS", 1)
    rsps.get(
        f"{BASE}/task", json=ok([{**TASK, "_id": "a" * 24}]), match=[query(per_page=1)]
    )
    rsps.get(f"{BASE}/activities/100/0", json=ok([ACTIVITY, TASK]))

    assert client.tasks.get(ID2).id == ID2


def test_tasks_get_of_a_plain_activity_is_not_found(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """An id of a non-task activity is not a task."""
    rsps.get(f"{BASE}/task", json=ok([TASK]), match=[query(**ALL)])

    with pytest.raises(errors.NotFoundError, match=ID):
        client.tasks.get(ID)


# -- transitions ------------------------------------------------------------------------------


def stub_current(rsps: responses.RequestsMock, status: str) -> None:
    """GET /task answers with the task in ``status``."""
    rsps.get(
        f"{BASE}/task", json=ok([{**TASK, "status": status}]), match=[query(**ALL)]
    )


@pytest.mark.parametrize(
    ("current", "target", "word"),
    [
        ("CREATED", ActivityStatus.IN_PROGRESS, "STARTED"),
        ("CREATED", ActivityStatus.CANCELLED, "CANCELLED"),
        ("STARTED", ActivityStatus.COMPLETED, "COMPLETED"),
        ("STARTED", ActivityStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_normal_moves_are_sent(
    client: crmclients.Client,
    rsps: responses.RequestsMock,
    current: str,
    target: ActivityStatus,
    word: str,
) -> None:
    """Created -> Started/Cancelled and Started -> Completed/Cancelled are PUT partial."""
    stub_current(rsps, current)
    rsps.put(
        f"{BASE}/activities/{ID2}",
        json=ok({**TASK, "status": word}),
        match=[form(partial="Yes", status=word)],
    )

    moved = client.tasks.transition(ID2, target)

    assert (moved.status, moved.vendor_status) == (target, word)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("COMPLETED", ActivityStatus.IN_PROGRESS),
        ("CANCELLED", ActivityStatus.NOT_STARTED),
        ("CREATED", ActivityStatus.COMPLETED),
        ("STARTED", ActivityStatus.NOT_STARTED),
    ],
)
def test_abnormal_moves_are_refused_in_strict_mode(
    client: crmclients.Client,
    rsps: responses.RequestsMock,
    current: str,
    target: ActivityStatus,
) -> None:
    """A move off the normal flow is a ValidationError naming from and to; no PUT."""
    stub_current(rsps, current)

    with pytest.raises(errors.ValidationError) as info:
        client.tasks.transition(ID2, target)

    assert info.value.field == "status"
    assert current in info.value.rule and target.value in info.value.rule
    assert [c.request.method for c in rsps.calls] == ["GET"]


def test_strict_false_sends_an_abnormal_move(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """strict=False: Completed -> Started is sent anyway (the API allows it)."""
    stub_current(rsps, "COMPLETED")
    rsps.put(
        f"{BASE}/activities/{ID2}",
        json=ok({**TASK, "status": "STARTED"}),
        match=[form(partial="Yes", status="STARTED")],
    )

    moved = client.tasks.transition(ID2, ActivityStatus.IN_PROGRESS, strict=False)

    assert moved.status is ActivityStatus.IN_PROGRESS


def test_a_status_opentaps_lacks_is_refused_before_any_request(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """ON_HOLD has no Opentaps word: refused even with strict=False, nothing sent."""
    with pytest.raises(errors.ValidationError, match="on_hold"):
        client.tasks.transition(ID2, ActivityStatus.ON_HOLD, strict=False)
    assert len(rsps.calls) == 0


def test_transition_of_a_missing_task_is_not_found(
    client: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """The task must exist: NotFoundError, and no PUT."""
    rsps.get(f"{BASE}/task", json=ok([]), match=[query(**ALL)])

    with pytest.raises(errors.NotFoundError):
        client.tasks.transition("f" * 24, ActivityStatus.IN_PROGRESS)
