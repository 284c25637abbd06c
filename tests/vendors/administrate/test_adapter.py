"""Administrate -> shared model: the mapping, the unified filters and the writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
import responses
from responses import matchers

import crmclients
from crmclients import errors
from crmclients.models import Activity, ActivityKind, ActivityStatus, Ref, RefKind, Task
from crmclients.vendors.administrate import AdministrateTask
from crmclients.vendors.administrate._wire import structurer
from crmclients.vendors.administrate.adapter import status_from_vendor, task_from_native
from tests.vendors.administrate import seed_examples as seed
from tests.vendors.administrate.conftest import PASSWORD, TASKS, USERNAME

LONDON = "Europe/London"


@pytest.fixture
def shared(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A common Client for subdomain 'acme' in London time, with a create task type."""
    with crmclients.connect(
        "administrate",
        subdomain="acme",
        username=USERNAME,
        password=PASSWORD,
        task_type_id=3,
        timezone=LONDON,
        rate_limit=None,
    ) as client:
        yield client


def rich_task() -> dict[str, Any]:
    """The seed's GET example with a contact, event, opportunity and schedule."""
    payload: dict[str, Any] = json.loads(seed.GET_TASK)
    payload.update(
        status="Not Started",
        subject="Call Kathy",
        description="About the renewal",
        contact_id=7,
        contact={"id": 7, "first_name": "Kathy", "last_name": "Clark"},
        event_id=3,
        event={"id": 3, "title": "Python course"},
        opportunity_id=11,
        opportunity={"id": 11, "name": "Renewal 2024"},
        start_datetime="2024-07-01T09:00:00",
        end_datetime="2024-07-01T09:30:00",
        created_on="2024-01-15T12:00:00",
    )
    return payload


def test_a_task_maps_every_field_in_the_clients_zone() -> None:
    """Each native field lands on its shared counterpart; naive times are read in the zone."""
    from zoneinfo import ZoneInfo

    payload = rich_task()
    native = structurer().structure(payload, AdministrateTask)

    result = task_from_native(native, ZoneInfo(LONDON))

    assert result == Task(
        id="4",
        vendor="administrate",
        created_at=datetime(2024, 1, 15, 12, 0, tzinfo=UTC),  # GMT in January
        subject="Call Kathy",
        body="About the renewal",
        status=ActivityStatus.NOT_STARTED,
        vendor_status="Not Started",
        starts_at=datetime(2024, 7, 1, 8, 0, tzinfo=UTC),  # BST in July
        ends_at=datetime(2024, 7, 1, 8, 30, tzinfo=UTC),
        due_at=datetime(2024, 7, 1, 8, 0, tzinfo=UTC),
        assignee=Ref(RefKind.USER, "1", name="John Smith"),
        related=(
            Ref(RefKind.ACCOUNT, "1", name="Acme Corporation"),
            Ref(RefKind.CONTACT, "7", name="Kathy Clark"),
            Ref(RefKind.EVENT, "3", name="Python course"),
            Ref(RefKind.OPPORTUNITY, "11", name="Renewal 2024"),
        ),
    )
    assert result.kind is ActivityKind.TASK
    assert result.updated_at is None
    assert result.raw == payload


def test_a_bare_task_has_no_refs() -> None:
    """No user, account or links: no refs (not refs to 'None')."""
    result = task_from_native(AdministrateTask(id=5))

    assert (result.assignee, result.related, result.status) == (None, (), None)
    assert result.vendor_status is None


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Not Started", ActivityStatus.NOT_STARTED),
        ("Completed", ActivityStatus.COMPLETED),
        (" completed ", ActivityStatus.COMPLETED),
        ("Deferred", None),
        ("In Progress", None),
        (None, None),
    ],
)
def test_status_words(word: str | None, status: ActivityStatus | None) -> None:
    """Only "Not Started" and "Completed" have a shared status; other words map to None."""
    assert status_from_vendor(word) is status


def test_other_status_words_are_kept_in_vendor_status() -> None:
    """vendor_status always holds the vendor's word, even when status is None."""
    native = AdministrateTask(id=1, status="Waiting on customer")

    result = task_from_native(native)

    assert (result.status, result.vendor_status) == (None, "Waiting on customer")


# -- list ------------------------------------------------------------------------------------


def test_unified_filters_become_v2_conditions(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """Every native filter goes to the server as a v2 condition, times in local naive form."""
    rsps.get(
        TASKS,
        json=[],
        match=[
            matchers.query_param_matcher(
                {
                    "created_on__gte": "2024-07-01T10:00:00",  # 09:00 UTC in BST
                    "created_on__lt": "2024-12-31T00:00:00",  # GMT: same as UTC
                    "start_datetime__gte": "2024-07-02T01:00:00",
                    "start_datetime__lt": "2024-07-03T01:00:00",
                    "user_id__eq": "3",
                    "status__in": "Not Started,Deferred",
                    "contact_id__eq": "7",
                    "id__gt": "0",
                    "_order": "id",
                    "_limit": "100",
                }
            )
        ],
    )

    pager = shared.tasks.list(
        created_after=datetime(2024, 7, 1, 9, 0, tzinfo=UTC),
        created_before=datetime(2024, 12, 31, tzinfo=UTC),
        scheduled_after=datetime(2024, 7, 2, tzinfo=UTC),
        scheduled_before="2024-07-03T00:00:00+00:00",
        assigned_to=Ref(RefKind.USER, "3"),
        status=[ActivityStatus.NOT_STARTED, "Deferred", ActivityStatus.IN_PROGRESS],
        related_to=Ref(RefKind.CONTACT, "7"),
    )

    assert pager.to_list() == []
    assert pager.client_side_filters == ()


@pytest.mark.parametrize(
    ("ref", "param"),
    [
        (Ref(RefKind.ACCOUNT, "1"), "account_id__eq"),
        (Ref(RefKind.EVENT, "2"), "event_id__eq"),
        (Ref(RefKind.OPPORTUNITY, "3"), "opportunity_id__eq"),
    ],
)
def test_related_to_picks_the_link_by_ref_kind(
    shared: crmclients.Client, rsps: responses.RequestsMock, ref: Ref, param: str
) -> None:
    """related_to maps to account_id, event_id or opportunity_id by the Ref's kind."""
    rsps.get(
        TASKS,
        json=[],
        match=[
            matchers.query_param_matcher(
                {param: ref.id, "id__gt": "0", "_order": "id", "_limit": "25"}
            )
        ],
    )

    assert shared.activities.list(related_to=ref, page_size=25).to_list() == []


def test_statuses_without_an_administrate_word_match_nothing_without_a_request(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """IN_PROGRESS has no Administrate word: no task can have it, so nothing is fetched."""
    assert shared.tasks.list(status=ActivityStatus.IN_PROGRESS).to_list() == []
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"related_to": Ref(RefKind.COMPANY, "1")}, "related_to"),
        ({"related_to": Ref(RefKind.ACCOUNT, "acme")}, "related_to"),
        ({"assigned_to": "paul"}, "assigned_to"),
        ({"assigned_to": Ref(RefKind.CONTACT, "4")}, "assigned_to"),
    ],
)
def test_unmappable_filter_values_fail_before_sending(
    shared: crmclients.Client,
    rsps: responses.RequestsMock,
    filters: dict[str, Any],
    field: str,
) -> None:
    """A Ref kind Administrate cannot link, or a non-numeric id, names the filter."""
    with pytest.raises(errors.ValidationError) as info:
        shared.tasks.list(**filters)

    assert info.value.field == field
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("name", ["updated_after", "updated_before"])
def test_updated_filters_are_not_supported(
    shared: crmclients.Client, rsps: responses.RequestsMock, name: str
) -> None:
    """v2 tasks carry no change time: updated_* raise NotSupportedError, nothing is sent."""
    filters: dict[str, Any] = {name: datetime(2024, 1, 1, tzinfo=UTC)}
    with pytest.raises(errors.NotSupportedError, match=name):
        shared.tasks.list(**filters)
    assert shared.capabilities.mode("activities", name) == "unsupported"
    assert len(rsps.calls) == 0


def test_capabilities() -> None:
    """Tasks: list/get/create/update/delete; activities: list/get; the rest unsupported."""
    caps = crmclients.capabilities("administrate")

    assert [
        op
        for op in ("list", "get", "create", "update", "delete")
        if caps.supports("tasks", op)
    ] == [
        "list",
        "get",
        "create",
        "update",
        "delete",
    ]
    assert caps.mode("activities", "list") == caps.mode("activities", "get") == "native"
    assert not caps.supports("activities", "create")
    assert not caps.supports("tasks", "transition")
    assert caps.collections() == ["activities", "tasks"]
    assert caps.mode("tasks", "scheduled_after") == "native"


# -- get, create, update, delete -------------------------------------------------------------------


def test_activities_are_the_tasks_as_activities_of_kind_task(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """The same task read through activities: an Activity of kind TASK, same fields."""
    rsps.get(f"{TASKS}/4", body=seed.GET_TASK, content_type="application/json")
    rsps.get(f"{TASKS}/4", body=seed.GET_TASK, content_type="application/json")

    activity = shared.activities.get(4)
    task = shared.tasks.get(4)

    assert type(activity) is Activity and activity.kind is ActivityKind.TASK
    assert (activity.id, activity.status) == ("4", ActivityStatus.COMPLETED)
    assert {f.name: getattr(activity, f.name) for f in attrs.fields(Activity)} == {
        f.name: getattr(task, f.name) for f in attrs.fields(Activity)
    }
    assert activity.raw == task.raw


@pytest.mark.parametrize("collection", ["tasks", "activities"])
def test_get_needs_a_numeric_id(
    shared: crmclients.Client, rsps: responses.RequestsMock, collection: str
) -> None:
    """Administrate ids are integers: anything else fails before sending."""
    with pytest.raises(errors.ValidationError, match="positive integer"):
        getattr(shared, collection).get("T-1")
    assert len(rsps.calls) == 0


def test_create_maps_shared_fields_onto_the_documented_body(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """status word, user_id, account_id, type_id from the setting, local naive times."""
    rsps.post(
        TASKS,
        body=seed.CREATE_TASK,
        content_type="application/json",
        match=[
            matchers.json_params_matcher(
                {
                    "subject": "Call back",
                    "description": "Re: invoices",
                    "status": "Not Started",
                    "user_id": 1,
                    "account_id": 1,
                    "contact_id": 7,
                    "type_id": 3,
                    "start_datetime": "2024-07-01 10:00:00",
                    "end_datetime": "2024-07-01 10:30:00",
                }
            )
        ],
    )

    created = shared.tasks.create(
        subject="Call back",
        body="Re: invoices",
        status=ActivityStatus.NOT_STARTED,
        assignee=Ref(RefKind.USER, "1"),
        related=(Ref(RefKind.ACCOUNT, "1"), Ref(RefKind.CONTACT, "7")),
        due_at=datetime(2024, 7, 1, 9, 0, tzinfo=UTC),
        starts_at=datetime(2024, 7, 1, 9, 0, tzinfo=UTC),
        ends_at=datetime(2024, 7, 1, 9, 30, tzinfo=UTC),
    )

    assert (created.id, created.vendor_status) == ("4", "Completed")


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"related": (Ref(RefKind.CONTACT, "7"),)}, "related", "account"),
        (
            {"related": (Ref(RefKind.ACCOUNT, "1"), Ref(RefKind.ACCOUNT, "2"))},
            "related",
            "at most",
        ),
        ({"related": "1"}, "related", "sequence of Refs"),
        ({"status": ActivityStatus.IN_PROGRESS}, "status", "no Administrate word"),
        ({"status": 3}, "status", "ActivityStatus"),
        ({"assignee": Ref(RefKind.CONTACT, "1")}, "assignee", "kind user"),
        ({"assignee": None}, "assignee", "required"),
        ({"status": None}, "status", "required"),
        (
            {
                "starts_at": datetime(2024, 1, 1, tzinfo=UTC),
                "due_at": datetime(2024, 1, 2, tzinfo=UTC),
            },
            "due_at",
            "equal starts_at",
        ),
        ({"starts_at": "soon"}, "starts_at", "ISO"),
        ({"priority": "high"}, "priority", "cannot be written"),
    ],
)
def test_create_rules_fail_before_sending(
    shared: crmclients.Client,
    rsps: responses.RequestsMock,
    fields: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each rule names the shared field it concerns; nothing is sent."""
    valid = {
        "status": "Not Started",
        "assignee": "1",
        "related": [Ref(RefKind.ACCOUNT, "1")],
    }

    with pytest.raises(errors.ValidationError) as info:
        shared.tasks.create(**{**valid, **fields})

    assert info.value.field == field
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_create_without_a_task_type_says_how_to_set_one(
    rsps: responses.RequestsMock,
) -> None:
    """type_id is required by Administrate; without task_type_id nothing is sent."""
    client = crmclients.connect(
        "administrate", subdomain="acme", username=USERNAME, password=PASSWORD
    )

    with pytest.raises(errors.ValidationError) as info:
        client.tasks.create(
            status="Completed",
            assignee="1",
            related=[Ref(RefKind.ACCOUNT, "1")],
        )

    assert info.value.field == "task_type_id"
    assert "CRMCLIENTS_ADMINISTRATE_TASK_TYPE_ID" in info.value.rule
    assert len(rsps.calls) == 0


def test_update_sends_only_the_changes_and_replaces_links(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """subject/body/status changes only; related sets the account, clears other links."""
    rsps.put(
        f"{TASKS}/6",
        body=seed.UPDATE_TASK,
        content_type="application/json",
        match=[
            matchers.json_params_matcher(
                {
                    "subject": "New subject",
                    "description": None,
                    "status": "Completed",
                    "account_id": 2,
                    "contact_id": None,
                    "event_id": 4,
                    "opportunity_id": None,
                }
            )
        ],
    )

    updated = shared.tasks.update(
        6,
        subject="New subject",
        body=None,
        status="completed",
        related=[Ref(RefKind.ACCOUNT, "2"), Ref(RefKind.EVENT, "4")],
    )

    assert updated.id == "6"


def test_update_with_a_vendor_word_keeps_it(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """A status string that is not a shared status is the instance's own word."""
    rsps.put(
        f"{TASKS}/6",
        json={"id": 6, "status": "Deferred"},
        match=[matchers.json_params_matcher({"status": "Deferred"})],
    )

    updated = shared.tasks.update(6, status="Deferred")

    assert (updated.status, updated.vendor_status) == (None, "Deferred")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"assignee": None}, "assignee"),
        ({"related": [Ref(RefKind.CONTACT, "1")]}, "related"),
        ({"status": None}, "status"),
    ],
)
def test_update_cannot_clear_required_fields(
    shared: crmclients.Client,
    rsps: responses.RequestsMock,
    changes: dict[str, Any],
    field: str,
) -> None:
    """The user, the account and the status are required by Administrate."""
    with pytest.raises(errors.ValidationError) as info:
        shared.tasks.update(6, **changes)

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_delete(shared: crmclients.Client, rsps: responses.RequestsMock) -> None:
    """tasks.delete sends DELETE /crm/tasks/:id."""
    rsps.delete(f"{TASKS}/1", body=seed.DELETE_TASK, content_type="application/json")

    shared.tasks.delete("1")

    assert rsps.calls[0].request.method == "DELETE"


def test_missing_task_is_not_found_through_the_client(
    shared: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """404 reaches the common Client as NotFoundError."""
    rsps.get(f"{TASKS}/99", status=404, json={"message": "does not exist"})

    with pytest.raises(errors.NotFoundError):
        shared.tasks.get("99")


# -- settings -----------------------------------------------------------------------------------


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock
) -> None:
    """CRMCLIENTS_ADMINISTRATE_* supply the subdomain, login, password and task type."""
    monkeypatch.setenv("CRMCLIENTS_ADMINISTRATE_SUBDOMAIN", "envco")
    monkeypatch.setenv("CRMCLIENTS_ADMINISTRATE_USERNAME", USERNAME)
    monkeypatch.setenv("CRMCLIENTS_ADMINISTRATE_PASSWORD", PASSWORD)
    monkeypatch.setenv("CRMCLIENTS_ADMINISTRATE_TASK_TYPE_ID", "5")

    client = crmclients.connect("administrate")

    assert client.native.base_url == "https://envco.administrateapp.com/api/v2"
    assert client._adapter.task_type_id == 5  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"subdomain": "acme", "password": PASSWORD},
            "CRMCLIENTS_ADMINISTRATE_USERNAME",
        ),
        (
            {"subdomain": "acme", "username": USERNAME},
            "CRMCLIENTS_ADMINISTRATE_PASSWORD",
        ),
        (
            {
                "subdomain": "acme",
                "username": USERNAME,
                "password": PASSWORD,
                "task_type_id": 0,
            },
            "task_type_id",
        ),
        (
            {
                "subdomain": "acme",
                "username": USERNAME,
                "password": PASSWORD,
                "task_type_id": "x",
            },
            "task_type_id",
        ),
    ],
)
def test_connect_names_missing_or_bad_settings(
    kwargs: dict[str, Any], message: str
) -> None:
    """A missing credential names its env var; a bad task type is refused."""
    with pytest.raises(errors.ConfigurationError, match=message) as info:
        crmclients.connect("administrate", **kwargs)

    assert PASSWORD not in str(info.value)
