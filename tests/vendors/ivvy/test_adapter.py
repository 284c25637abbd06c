"""iVvy behind the common Client: mapping, unified filters, writes and their rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses import matchers

import crmclients
from crmclients import errors
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Priority,
    Ref,
    RefKind,
    Task,
)
from crmclients.vendors.ivvy._wire import structurer
from crmclients.vendors.ivvy.adapter import activity_from_native, task_from_native
from crmclients.vendors.ivvy.models import IvvyActivity, IvvyTask
from tests.vendors.ivvy.conftest import KEY, SECRET, url
from tests.vendors.ivvy.test_client import ACTIVITY_SAMPLE, TASK_SAMPLE, collection


@pytest.fixture
def ivvy(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A common Client for iVvy (region au) over the strict responses mock."""
    with crmclients.connect("ivvy", api_key=KEY, api_secret=SECRET) as client:
        yield client


def read_back(
    rsps: responses.RequestsMock, action: str, record: dict[str, Any]
) -> None:
    """Stub the list-by-id call that follows a write."""
    rsps.post(
        url("crm", action),
        json=collection([record], per_page=1),
        match=[
            matchers.json_params_matcher(
                {"perPage": 1, "filter": {"id": record["id"]}}, strict_match=True
            )
        ],
    )


# -- mapping ------------------------------------------------------------------------------------


def test_documented_activity_sample_maps_onto_the_shared_model() -> None:
    """subType, names, times, assignee and relations map as the adapter documents."""
    native = structurer().structure(ACTIVITY_SAMPLE, IvvyActivity)

    activity = activity_from_native(native)

    assert activity == Activity(
        id="29",
        vendor="ivvy",
        created_at=datetime(2019, 4, 11, 7, 34, 16, tzinfo=UTC),
        updated_at=datetime(2019, 4, 11, 7, 34, 16, tzinfo=UTC),
        kind=ActivityKind.MEETING,
        subject="ashik testing",
        body="<p>this is description</p> ",
        starts_at=datetime(2019, 4, 2, 22, tzinfo=UTC),
        ends_at=datetime(2019, 4, 2, 23, tzinfo=UTC),
        due_at=datetime(2019, 4, 2, 22, tzinfo=UTC),
        location="Gold Coast",
        assignee=Ref(RefKind.USER, "1", name="first last"),
        related=(Ref(RefKind.LEAD, "400"), Ref(RefKind.VENUE, "1")),
    )
    assert activity.raw == ACTIVITY_SAMPLE


@pytest.mark.parametrize(
    ("sub_type", "kind"),
    [
        (1, ActivityKind.MEETING),
        (2, ActivityKind.CALL),
        (3, ActivityKind.EMAIL),
        (0, ActivityKind.OTHER),
        (None, ActivityKind.OTHER),
    ],
)
def test_activity_kinds_come_from_sub_type(
    sub_type: int | None, kind: ActivityKind
) -> None:
    """1 Meeting, 2 Call, 3 Email; anything else is OTHER (raw keeps the number)."""
    assert activity_from_native(IvvyActivity(id=1, sub_type=sub_type)).kind is kind


@pytest.mark.parametrize(
    ("status", "shared", "word"),
    [
        (0, ActivityStatus.NOT_STARTED, "Not Started"),
        (1, ActivityStatus.IN_PROGRESS, "In Progress"),
        (2, ActivityStatus.ON_HOLD, "On Hold"),
        (3, ActivityStatus.CANCELLED, "Cancelled"),
        (4, ActivityStatus.COMPLETED, "Completed"),
        (9, None, "9"),
        (None, None, None),
    ],
)
def test_task_statuses_map_with_the_vendor_word_kept(
    status: int | None, shared: ActivityStatus | None, word: str | None
) -> None:
    """Statuses 0-4 map to the shared lifecycle; vendor_status keeps iVvy's word."""
    task = task_from_native(IvvyTask(id=1, status=status))

    assert (task.status, task.vendor_status) == (shared, word)


def test_documented_task_sample_maps_onto_the_shared_model() -> None:
    """endDatetime is the due time; priority and assignee map; raw is kept."""
    task = task_from_native(structurer().structure(TASK_SAMPLE, IvvyTask))

    assert task.kind is ActivityKind.TASK
    assert (task.subject, task.status, task.vendor_status) == (
        "test name",
        ActivityStatus.COMPLETED,
        "Completed",
    )
    assert task.due_at == datetime(2018, 3, 27, 9, tzinfo=UTC)
    assert task.starts_at == datetime(2018, 3, 1, 9, tzinfo=UTC)
    assert task.priority is Priority.LOW
    assert task.assignee == Ref(RefKind.USER, "1", name="Test  First")
    assert task.related == (Ref(RefKind.VENUE, "76"),)


@pytest.mark.parametrize(
    ("word", "priority"),
    [
        ("low", Priority.LOW),
        ("high", Priority.HIGH),
        ("Medium", Priority.MEDIUM),
        (" HIGH ", Priority.HIGH),
        ("urgent", None),
        ("", None),
        (None, None),
    ],
)
def test_priority_words_are_read_loosely_and_unknown_ones_dropped(
    word: str | None, priority: Priority | None
) -> None:
    """Exact words take the lookup, others are stripped and lowered; unknown is None."""
    activity = activity_from_native(IvvyActivity(id=1, priority=word))
    task = task_from_native(IvvyTask(id=1, priority=word))

    assert (activity.priority, task.priority) == (priority, priority)


def test_refs_are_equal_to_fresh_ones_and_shared_between_records() -> None:
    """A first-seen id and a repeated one give the same Refs, in the documented order."""
    ids = {"contact_id": 918_273, "company_id": 918_274, "lead_id": 918_275}
    first = activity_from_native(
        IvvyActivity(
            id=1,
            assigned_user_id=918_276,
            assigned_user_full_name="Ada Byron",
            venue_id=918_277,
            **ids,
        )
    )
    again = task_from_native(
        IvvyTask(
            id=2,
            assigned_user_id=918_276,
            assigned_user_full_name="Ada Byron",
            venue_id=918_277,
            **ids,
        )
    )

    assert first.assignee == Ref(RefKind.USER, "918276", name="Ada Byron")
    assert first.related == (
        Ref(RefKind.CONTACT, "918273"),
        Ref(RefKind.COMPANY, "918274"),
        Ref(RefKind.LEAD, "918275"),
        Ref(RefKind.VENUE, "918277"),
    )
    assert (again.assignee, again.related) == (first.assignee, first.related)
    assert again.assignee is first.assignee
    assert all(a is b for a, b in zip(again.related, first.related, strict=True))


def test_a_hand_built_empty_id_still_gets_its_ref() -> None:
    """The shared Ref cache skips empty ids; a hand-built record keeps its Ref anyway."""
    activity = activity_from_native(
        IvvyActivity(id=1, assigned_user_id="", contact_id="")  # type: ignore[arg-type]
    )

    assert (activity.assignee, activity.related) == (
        Ref(RefKind.USER, ""),
        (Ref(RefKind.CONTACT, ""),),
    )


# -- unified writes ---------------------------------------------------------------------------


def test_create_activity_sends_native_fields_and_reads_the_record_back(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """Shared fields become addOrUpdateActivity parameters; the result is re-read by id."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        json={"success": True, "id": 77},
        match=[
            matchers.json_params_matcher(
                {
                    "subType": 2,
                    "name": "Call the florist",
                    "description": "About the table plan",
                    "startDatetime": "2025-03-01 09:30:00",
                    "priority": "medium",
                    "assignedUserId": 4,
                    "companyId": 854,
                    "contactId": 45219,
                },
                strict_match=True,
            )
        ],
    )
    read_back(
        rsps,
        "getActivityList",
        {"id": 77, "subType": 2, "name": "Call the florist", "companyId": 854},
    )

    created = ivvy.activities.create(
        kind="call",
        subject="Call the florist",
        body="About the table plan",
        starts_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        priority=Priority.MEDIUM,
        assignee=Ref(RefKind.USER, "4"),
        related=(Ref(RefKind.COMPANY, "854"), Ref(RefKind.CONTACT, "45219")),
    )

    assert (created.id, created.kind, created.subject) == (
        "77",
        ActivityKind.CALL,
        "Call the florist",
    )
    assert created.related == (Ref(RefKind.COMPANY, "854"),)


def test_update_task_maps_status_and_due_time(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """status and due_at become iVvy's status number and endDatetime."""
    rsps.post(
        url("crm", "addOrUpdateTask"),
        json={"success": True, "id": 12},
        match=[
            matchers.json_params_matcher(
                {
                    "id": 12,
                    "status": 2,
                    "endDatetime": "2025-04-01 08:00:00",
                    "leadId": 2665,
                    "venueId": 1,
                },
                strict_match=True,
            )
        ],
    )
    read_back(rsps, "getTaskList", {"id": 12, "status": 2})

    task = ivvy.tasks.update(
        "12",
        status="on_hold",
        due_at="2025-04-01T09:00:00+01:00",
        related=[Ref(RefKind.OPPORTUNITY, "2665"), Ref(RefKind.VENUE, "1")],
    )

    assert isinstance(task, Task)
    assert (task.status, task.vendor_status) == (ActivityStatus.ON_HOLD, "On Hold")


@pytest.mark.parametrize(
    ("collection_name", "fields", "field", "rule"),
    [
        (
            "activities",
            {"kind": ActivityKind.NOTE, "subject": "s", "body": "b"},
            "kind",
            "meeting, call or email",
        ),
        (
            "activities",
            {"kind": "party", "subject": "s", "body": "b"},
            "kind",
            "must be one of",
        ),
        (
            "activities",
            {"kind": "call", "subject": " ", "body": "b"},
            "subject",
            "required",
        ),
        (
            "activities",
            {
                "kind": "call",
                "subject": "s",
                "body": "b",
                "related": (
                    Ref(RefKind.CONTACT, "1"),
                    Ref(RefKind.LEAD, "2"),
                    Ref(RefKind.VENUE, "1"),
                ),
            },
            "related",
            "only one of a contact, a company or a lead",
        ),
        (
            "activities",
            {
                "kind": "call",
                "subject": "s",
                "body": "b",
                "related": (Ref(RefKind.LEAD, "2"),),
            },
            "related",
            "needs a VENUE Ref",
        ),
        (
            "activities",
            {
                "kind": "call",
                "subject": "s",
                "body": "b",
                "related": (Ref(RefKind.USER, "2"),),
            },
            "related",
            "CONTACT, COMPANY, LEAD, OPPORTUNITY and VENUE",
        ),
        (
            "activities",
            {
                "kind": "call",
                "subject": "s",
                "body": "b",
                "related": (Ref(RefKind.CONTACT, "1"), Ref(RefKind.CONTACT, "2")),
            },
            "related",
            "more than one contact",
        ),
        (
            "activities",
            {
                "kind": "call",
                "subject": "s",
                "body": "b",
                "related": (Ref(RefKind.CONTACT, "abc"),),
            },
            "related",
            "integer id",
        ),
        (
            "activities",
            {
                "kind": "call",
                "subject": "s",
                "body": "b",
                "assignee": Ref(RefKind.CONTACT, "2"),
            },
            "assignee",
            "USER Ref",
        ),
        (
            "activities",
            {"kind": "call", "subject": "s", "body": "b", "priority": "urgent"},
            "priority",
            "low, medium, high",
        ),
        (
            "activities",
            {"kind": "call", "subject": "s", "body": "b", "starts_at": "soon"},
            "starts_at",
            "timestamp",
        ),
        (
            "tasks",
            {
                "subject": "s",
                "due_at": datetime(2025, 1, 1, tzinfo=UTC),
                "status": "draft",
            },
            "status",
            "not_started",
        ),
        ("tasks", {"subject": "s", "due_at": "tomorrow"}, "due_at", "timestamp"),
    ],
)
def test_unified_writes_check_rules_in_shared_terms_before_sending(
    ivvy: crmclients.Client,
    rsps: responses.RequestsMock,
    collection_name: str,
    fields: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """A broken rule names the shared field; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        getattr(ivvy, collection_name).create(**fields)

    assert info.value.field == field
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_update_cannot_empty_the_relations(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """An iVvy record stays attached: related=() on update is refused before sending."""
    with pytest.raises(errors.ValidationError, match="cannot be emptied"):
        ivvy.activities.update("5", related=())
    with pytest.raises(errors.ValidationError, match="positive integer id"):
        ivvy.activities.update("x5", subject="s")
    assert len(rsps.calls) == 0


def test_get_reads_through_the_id_filter_and_missing_is_not_found(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """get(id) filters the list on id; an empty answer is NotFoundError."""
    read_back(rsps, "getActivityList", {"id": 29, "subType": 3})
    rsps.post(url("crm", "getTaskList"), json=collection([], total=0, per_page=1))

    assert ivvy.activities.get(29).kind is ActivityKind.EMAIL
    with pytest.raises(errors.NotFoundError, match="no task with id 404"):
        ivvy.tasks.get("404")


# -- unified filters ------------------------------------------------------------------------


def test_time_filters_are_sent_as_exact_inclusive_bounds(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """x_after=t becomes >= ceil(t); x_before=t becomes <= ceil(t) - 1 s (iVvy bounds include)."""
    rsps.post(
        url("crm", "getActivityList"),
        json=collection([]),
        match=[
            matchers.json_params_matcher(
                {
                    "perPage": 100,
                    "start": 0,
                    "filter": {
                        "createdDate__GREATERTHAN": "2024-01-01 00:00:01",
                        "createdDate__LESSTHAN": "2024-06-30 23:59:59",
                        "modifiedDate__GREATERTHAN": "2024-02-01 00:00:00",
                        "modifiedDate__LESSTHAN": "2024-03-01 12:00:00",
                        "startDatetime__GREATERTHAN": "2024-04-01 00:00:00",
                        "startDatetime__LESSTHAN": "2024-04-30 23:59:59",
                    },
                },
                strict_match=True,
            )
        ],
    )

    pager = ivvy.activities.list(
        created_after=datetime(2024, 1, 1, 0, 0, 0, 500, tzinfo=UTC),
        created_before=datetime(2024, 7, 1, tzinfo=UTC),
        updated_after="2024-02-01T00:00:00+00:00",
        updated_before=datetime(2024, 3, 1, 12, 0, 0, 1, tzinfo=UTC),
        scheduled_after=datetime(2024, 4, 1, tzinfo=UTC),
        scheduled_before=datetime(2024, 5, 1, tzinfo=UTC),
    )

    assert pager.to_list() == []
    assert pager.client_side_filters == ()


def test_task_schedule_filters_use_the_due_time_and_status_is_client_side(
    ivvy: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """scheduled_* filter tasks on endDatetime; status is applied by crmclients."""
    rsps.post(
        url("crm", "getTaskList"),
        json=collection([{"id": 1, "status": 1}, {"id": 2, "status": 4}]),
        match=[
            matchers.json_params_matcher(
                {
                    "perPage": 100,
                    "start": 0,
                    "filter": {"endDatetime__GREATERTHAN": "2024-04-01 00:00:00"},
                },
                strict_match=True,
            )
        ],
    )

    pager = ivvy.tasks.list(
        scheduled_after=datetime(2024, 4, 1, tzinfo=UTC), status="completed"
    )

    assert [t.id for t in pager] == ["2"]
    assert pager.client_side_filters == ("status",)


@pytest.mark.parametrize(
    ("filters", "body"),
    [
        ({"assigned_to": "7"}, {"filter": {"assignedUserId": 7}}),
        ({"assigned_to": Ref(RefKind.USER, "7")}, {"filter": {"assignedUserId": 7}}),
        (
            {"assigned_to": "first last"},
            {"filter": {"assignedUserFullName": "first last"}},
        ),
        (
            {"related_to": Ref(RefKind.CONTACT, "45219")},
            {"filter": {"contactId": 45219}},
        ),
        ({"related_to": Ref(RefKind.COMPANY, "854")}, {"filter": {"companyId": 854}}),
        ({"related_to": Ref(RefKind.LEAD, "2665")}, {"filter": {"leadId": 2665}}),
        (
            {"related_to": Ref(RefKind.OPPORTUNITY, "2665")},
            {"filter": {"leadId": 2665}},
        ),
        ({"related_to": Ref(RefKind.VENUE, "3")}, {"venueId": 3}),
    ],
)
def test_assignee_and_relation_filters_are_native(
    ivvy: crmclients.Client,
    rsps: responses.RequestsMock,
    filters: dict[str, Any],
    body: dict[str, Any],
) -> None:
    """assigned_to and related_to become iVvy filters (venue: the venueId parameter)."""
    rsps.post(
        url("crm", "getActivityList"),
        json=collection([]),
        match=[
            matchers.json_params_matcher(
                {"perPage": 100, "start": 0, **body}, strict_match=True
            )
        ],
    )

    assert ivvy.activities.list(**filters).to_list() == []


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"assigned_to": Ref(RefKind.CONTACT, "7")}, "USER Ref"),
        ({"related_to": Ref(RefKind.EVENT, "7")}, "CONTACT, COMPANY, LEAD"),
        ({"related_to": Ref(RefKind.CONTACT, "seven")}, "integer id"),
    ],
)
def test_unusable_filter_values_fail_before_sending(
    ivvy: crmclients.Client,
    rsps: responses.RequestsMock,
    filters: dict[str, Any],
    match: str,
) -> None:
    """A filter iVvy cannot express for this value is a ValidationError; nothing sent."""
    with pytest.raises(errors.ValidationError, match=match):
        ivvy.tasks.list(**filters)
    assert len(rsps.calls) == 0


def test_capabilities_follow_the_adapter() -> None:
    """Lists, writes and the native filters are derived from the adapter classes."""
    caps = crmclients.capabilities("ivvy")

    assert caps.collections() == ["activities", "tasks"]
    assert caps.mode("activities", "list") == "native"
    assert caps.mode("tasks", "get") == "emulated"
    assert caps.mode("tasks", "delete") == "unsupported"
    assert caps.mode("activities", "created_after") == "native"
    assert caps.mode("tasks", "status") == "emulated"
    assert caps.mode("notes", "list") == "unsupported"
