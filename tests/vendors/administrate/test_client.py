"""Administrate native client: every endpoint, error, rule and retry behaviour."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from crmclients import RetryPolicy, errors
from crmclients.vendors.administrate import AdministrateClient, TaskFilter
from crmclients.vendors.administrate.client import (
    DEFAULT_RATE_LIMIT,
    REQUIRED_ON_CREATE,
    WRITES,
)
from tests.vendors.administrate import seed_examples as seed
from tests.vendors.administrate.conftest import BASIC, PASSWORD, TASKS, USERNAME


def task(tid: int, **fields: Any) -> dict[str, Any]:
    """A small task payload."""
    return {"id": tid, "status": "Not Started", "user_id": 1, "type_id": 1, **fields}


def query(**params: Any) -> Any:
    """A matcher for exactly these query parameters."""
    return matchers.query_param_matcher({k: str(v) for k, v in params.items()})


# -- GET /crm/tasks/:id --------------------------------------------------------------------


def test_get_task_sends_basic_auth_and_parses_the_answer(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """GET /api/v2/crm/tasks/4 with Authorization: Basic base64(user:password)."""
    rsps.get(
        f"{TASKS}/4",
        body=seed.GET_TASK,
        content_type="application/json",
        match=[matchers.header_matcher({"Authorization": BASIC})],
    )

    result = client.get_task(4)

    assert (result.id, result.status) == (4, "Completed")
    assert result.raw == json.loads(seed.GET_TASK)


def test_get_task_of_a_missing_id_is_not_found(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """The documented 404 "does not exist" is NotFoundError, not retried."""
    rsps.get(f"{TASKS}/9", status=404, json={"message": "Task not found"})

    with pytest.raises(errors.NotFoundError) as info:
        client.get_task(9)

    assert info.value.status_code == 404
    assert info.value.messages == ["Task not found"]
    assert "GET /crm/tasks/9" in str(info.value)
    assert len(rsps.calls) == 1


def test_get_task_404_without_a_body_says_does_not_exist(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """An empty or HTML 404 is still NotFoundError, with the docs' wording."""
    rsps.get(
        f"{TASKS}/9",
        status=404,
        body="<html>Not Found</html>",
        content_type="text/html",
    )

    with pytest.raises(errors.NotFoundError, match="does not exist"):
        client.get_task(9)


@pytest.mark.parametrize("bad", ["abc", 0, -3, True, 1.5, None])
def test_get_task_needs_a_positive_integer_id(
    client: AdministrateClient, rsps: responses.RequestsMock, bad: Any
) -> None:
    """A bad id is refused before sending."""
    with pytest.raises(errors.ValidationError) as info:
        client.get_task(bad)

    assert info.value.field == "id"
    assert len(rsps.calls) == 0


# -- GET /crm/tasks ------------------------------------------------------------------------


def test_list_tasks_sends_the_builder_as_query_parameters(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """Conditions, _order and _limit go in the query string; the answer is a bare array."""
    rsps.get(
        TASKS,
        body=seed.LIST_TASKS,
        content_type="application/json",
        match=[
            query(
                created_on__gte="2013-01-01T00:00:00",
                status__in="Completed,Not Started",
                user_id__eq=1,
                _order="-created_on",
                _limit=2,
            )
        ],
    )
    f = (
        TaskFilter()
        .where("created_on", "gte", datetime(2013, 1, 1))
        .where("status", "in", ["Completed", "Not Started"])
        .where("user_id", "eq", 1)
    )

    tasks = client.list_tasks(f, order="-created_on", limit=2)

    assert [t.id for t in tasks] == [2, 3]


def test_list_tasks_accepts_a_mapping(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A mapping of attribute__operator -> value is checked and sent the same way."""
    rsps.get(
        TASKS,
        json=[task(5)],
        match=[
            query(account_id__eq=1, show_on_calendar__eq="true", _order="id,-subject")
        ],
    )

    tasks = client.list_tasks(
        {"account_id__eq": 1, "show_on_calendar__eq": True}, order=["id", "-subject"]
    )

    assert [t.id for t in tasks] == [5]


@pytest.mark.parametrize(
    ("filters", "kwargs", "field"),
    [
        (TaskFilter().order_by("id"), {"order": "id"}, "_order"),
        (TaskFilter().limit(5), {"limit": 5}, "_limit"),
        (None, {"limit": 0}, "_limit"),
        (None, {"order": "colour"}, "colour"),
        ({"created_on__gt": datetime(2024, 1, 1, tzinfo=UTC)}, {}, "created_on__gt"),
        ({"status": "Completed"}, {}, "status"),
        ("status=Completed", {}, "filters"),
    ],
)
def test_list_rules_are_checked_before_sending(
    client: AdministrateClient,
    rsps: responses.RequestsMock,
    filters: Any,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """Bad filters, order or limit fail with the parameter named; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.list_tasks(filters, **kwargs)

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_a_list_answer_that_is_not_an_array_is_a_shape_error(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """v2 lists are bare arrays; an object is not what the docs promise."""
    rsps.get(TASKS, json={"tasks": []})

    with pytest.raises(errors.ResponseShapeError, match="expected a list"):
        client.list_tasks()


def test_a_malformed_item_names_its_index(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A bad item in a list is reported with its path, never a KeyError."""
    rsps.get(TASKS, json=[task(1), {"status": "Completed"}])

    with pytest.raises(errors.ResponseShapeError) as info:
        client.list_tasks()

    assert info.value.path.startswith("$[1]")


# -- keyset paging ---------------------------------------------------------------------------


def test_iter_tasks_walks_the_keyset_until_an_empty_batch(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """id__gt=0&_order=id&_limit=N, then id__gt=<last id>, until 0 results come back."""
    rsps.get(
        TASKS, json=[task(3), task(7)], match=[query(id__gt=0, _order="id", _limit=2)]
    )
    rsps.get(
        TASKS, json=[task(8), task(20)], match=[query(id__gt=7, _order="id", _limit=2)]
    )
    rsps.get(TASKS, json=[task(41)], match=[query(id__gt=20, _order="id", _limit=2)])
    rsps.get(TASKS, json=[], match=[query(id__gt=41, _order="id", _limit=2)])

    ids = [t.id for t in client.iter_tasks(page_size=2)]

    assert ids == [3, 7, 8, 20, 41]
    assert len(rsps.calls) == 4


def test_iter_tasks_repeats_the_conditions_and_starts_at_the_callers_id(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """The caller's id__gt is the first cursor; other conditions go with every batch."""
    rsps.get(
        TASKS,
        json=[task(101)],
        match=[query(status__eq="Completed", id__gt=100, _order="id", _limit=100)],
    )
    rsps.get(
        TASKS,
        json=[],
        match=[query(status__eq="Completed", id__gt=101, _order="id", _limit=100)],
    )

    ids = [t.id for t in client.iter_tasks({"status__eq": "Completed", "id__gt": 100})]

    assert ids == [101]


@pytest.mark.parametrize(
    ("filters", "kwargs", "field"),
    [
        (TaskFilter().order_by("-id"), {}, "_order"),
        (TaskFilter().limit(10), {}, "_limit"),
        (None, {"page_size": 0}, "page_size"),
    ],
)
def test_iter_tasks_refuses_what_keyset_paging_sets(
    client: AdministrateClient,
    rsps: responses.RequestsMock,
    filters: Any,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """_order and _limit belong to the paging; page_size must be positive."""
    with pytest.raises(errors.ValidationError) as info:
        client.iter_tasks(filters, **kwargs)

    assert info.value.field == field
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    "batch",
    [[task(9), task(4)], [task(0)], [task(5), task(5)]],
    ids=["unsorted", "below", "repeat"],
)
def test_iter_tasks_stops_when_the_server_ignores_order(
    client: AdministrateClient,
    rsps: responses.RequestsMock,
    batch: list[dict[str, Any]],
) -> None:
    """A batch not ascending above the cursor could skip records: a shape error, not a loop."""
    rsps.get(TASKS, json=batch)

    with pytest.raises(errors.ResponseShapeError, match="_order=id"):
        client.iter_tasks().to_list()


# -- POST /crm/tasks ---------------------------------------------------------------------------


def test_create_task_sends_the_documented_body(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """JSON body with the required fields, date-times as 'YYYY-MM-DD HH:MM:SS'."""
    rsps.post(
        TASKS,
        body=seed.CREATE_TASK,
        content_type="application/json",
        match=[
            matchers.json_params_matcher(
                {
                    "status": "Completed",
                    "user_id": 1,
                    "account_id": 1,
                    "type_id": 1,
                    "subject": "Call back",
                    "contact_id": None,
                    "start_datetime": "2024-05-01 09:30:00",
                    "end_datetime": "2024-05-01 10:00:00",
                    "show_on_calendar": False,
                    "created_on": "2013-09-17",
                }
            ),
            matchers.header_matcher(
                {"Content-Type": "application/json", "Authorization": BASIC}
            ),
        ],
    )

    created = client.create_task(
        status="Completed",
        user_id=1,
        account_id=1,
        type_id=1,
        subject="Call back",
        contact_id=None,
        start_datetime=datetime(2024, 5, 1, 9, 30, 0, 250),
        end_datetime="2024-05-01T10:00:00",
        show_on_calendar=False,
        created_on=date(2013, 9, 17),
    )

    assert (created.id, created.status, created.created_on) == (
        4,
        "Completed",
        datetime(2013, 9, 17),
    )


def test_create_task_leaves_out_what_was_not_given(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """Only the four required fields are sent when nothing else is given."""
    rsps.post(
        TASKS,
        json=task(10, account_id=2),
        match=[
            matchers.json_params_matcher(
                {"status": "Not Started", "user_id": 2, "account_id": 2, "type_id": 3}
            )
        ],
    )

    assert (
        client.create_task(status="Not Started", user_id=2, account_id=2, type_id=3).id
        == 10
    )


REQUIRED: dict[str, Any] = {
    "status": "Not Started",
    "user_id": 1,
    "account_id": 1,
    "type_id": 1,
}


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"status": None}, "status", "required"),
        ({"status": "  "}, "status", "required"),
        ({"user_id": None}, "user_id", "required"),
        ({"account_id": 0}, "account_id", "at least 1"),
        ({"type_id": "x"}, "type_id", "integer"),
        ({"contact_id": -1}, "contact_id", "at least 1"),
        ({"event_id": True}, "event_id", "boolean"),
        ({"subject": 5}, "subject", "string"),
        ({"show_on_calendar": "yes"}, "show_on_calendar", "true or false"),
        (
            {"start_datetime": datetime(2024, 1, 1, tzinfo=UTC)},
            "start_datetime",
            "not time-zone aware",
        ),
        (
            {"end_datetime": "2024-01-01T10:00:00+01:00"},
            "end_datetime",
            "not time-zone aware",
        ),
        ({"created_on": "last tuesday"}, "created_on", "ISO"),
        ({"created_on": 1700000000}, "created_on", "naive datetime or a date"),
        ({"colour": "red"}, "colour", "not a documented task field"),
        ({"id": 5}, "id", "not a documented task field"),
    ],
)
def test_create_rules_are_checked_before_sending(
    client: AdministrateClient,
    rsps: responses.RequestsMock,
    changes: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each documented rule fails with the field and the rule named, and nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.create_task(**{**REQUIRED, **changes})

    assert (info.value.field, info.value.operation) == (field, "tasks.create")
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_create_refused_with_404_is_a_rejection(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """The docs' POST 404 means "could not create": RejectedError, sent once."""
    rsps.post(
        TASKS,
        status=404,
        json={"message": "could not create", "errors": {"user_id": ["does not exist"]}},
    )

    with pytest.raises(errors.RejectedError) as info:
        client.create_task(**REQUIRED)

    assert info.value.status_code == 404
    assert info.value.field_errors == {"user_id": ["does not exist"]}
    assert "could not create" in str(info.value)
    assert len(rsps.calls) == 1


# -- PUT /crm/tasks/:id ------------------------------------------------------------------------


def test_update_task_sends_only_the_given_fields_and_null_for_none(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A partial update: the given fields only; an explicit None is sent as null."""
    rsps.put(
        f"{TASKS}/6",
        body=seed.UPDATE_TASK,
        content_type="application/json",
        match=[
            matchers.json_params_matcher(
                {"description": None, "created_on": "2009-01-25 14:15:16"}
            )
        ],
    )

    updated = client.update_task(
        6, description=None, created_on=datetime(2009, 1, 25, 14, 15, 16)
    )

    assert (updated.id, updated.created_on) == (6, datetime(2009, 1, 25, 14, 15, 16))
    assert json.loads(rsps.calls[0].request.body or "") == {
        "description": None,
        "created_on": "2009-01-25 14:15:16",
    }


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({}, "fields", "at least one"),
        ({"status": None}, "status", "cannot be null"),
        ({"account_id": None}, "account_id", "cannot be null"),
        ({"type_id": None}, "type_id", "cannot be null"),
        ({"opportunity_id": "x"}, "opportunity_id", "integer"),
        ({"account": {"id": 1}}, "account", "not a documented task field"),
    ],
)
def test_update_rules_are_checked_before_sending(
    client: AdministrateClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """No field, a required field set to null, or a bad value: nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.update_task(6, **kwargs)

    assert info.value.field == field
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_update_of_a_missing_task_is_not_found(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """PUT answers 404 "does not exist" for a missing task."""
    rsps.put(f"{TASKS}/77", status=404, json={"error": "does not exist"})

    with pytest.raises(errors.NotFoundError, match="does not exist"):
        client.update_task(77, subject="x")


def test_update_refused_by_the_server_names_the_field(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A 400 with errors keyed by field becomes RejectedError.field_errors."""
    rsps.put(
        f"{TASKS}/6",
        status=400,
        json={
            "error": "Bad Request",
            "errors": {"contact_id": ["contact 99 does not exist"]},
        },
    )

    with pytest.raises(errors.RejectedError) as info:
        client.update_task(6, contact_id=99)

    assert info.value.field_errors == {"contact_id": ["contact 99 does not exist"]}
    assert "Bad Request" in info.value.messages


def test_update_recovers_from_a_reset(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """PUT by id is idempotent, so a reset connection is retried."""
    rsps.put(f"{TASKS}/6", body=requests.ConnectionError("Connection reset by peer"))
    rsps.put(f"{TASKS}/6", json=task(6, subject="y"))

    assert client.update_task(6, subject="y").subject == "y"
    assert len(rsps.calls) == 2


# -- DELETE /crm/tasks/:id --------------------------------------------------------------------


def test_delete_task_returns_the_deleted_task(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """DELETE echoes the deleted task, as the docs' example shows."""
    rsps.delete(
        f"{TASKS}/1",
        body=seed.DELETE_TASK,
        content_type="application/json",
        match=[matchers.header_matcher({"Authorization": BASIC})],
    )

    deleted = client.delete_task(1)

    assert deleted is not None and deleted.id == 1


def test_delete_task_with_an_empty_answer_returns_none(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """An empty 200 to a DELETE is a success without a record."""
    rsps.delete(f"{TASKS}/1", body=b"", status=200)

    assert client.delete_task(1) is None


def test_delete_of_a_missing_task_is_not_found(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """The docs' 404 "entity not found"."""
    rsps.delete(f"{TASKS}/1", status=404, json={"message": "entity not found"})

    with pytest.raises(errors.NotFoundError, match="entity not found"):
        client.delete_task(1)


def test_delete_recovers_from_a_reset(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """DELETE by id is idempotent, so a reset is retried; a 404 afterwards would mean gone."""
    rsps.delete(f"{TASKS}/1", body=requests.ConnectionError("Connection reset by peer"))
    rsps.delete(f"{TASKS}/1", json=task(1))

    assert client.delete_task(1) is not None
    assert len(rsps.calls) == 2


def test_delete_needs_a_valid_id(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A bad id is refused before sending."""
    with pytest.raises(errors.ValidationError):
        client.delete_task("one")
    assert len(rsps.calls) == 0


# -- errors and retries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls", "hint"),
    [
        (401, errors.AuthenticationError, "REST API"),
        (403, errors.PermissionDeniedError, "admin"),
        (410, errors.NotFoundError, "May 12, 2026"),
        (422, errors.RejectedError, "fix the data"),
        (418, errors.APIError, "vendor's message"),
    ],
)
def test_error_statuses_map_to_error_classes(
    client: AdministrateClient,
    rsps: responses.RequestsMock,
    status: int,
    cls: type[errors.APIError],
    hint: str,
) -> None:
    """Each status maps to its error class, with a hint on what to do; not retried."""
    rsps.get(f"{TASKS}/1", status=status, json={"error": "no"})

    with pytest.raises(cls) as info:
        client.get_task(1)

    assert type(info.value) is cls
    assert info.value.status_code == status
    assert hint in str(info.value)
    assert len(rsps.calls) == 1


def test_429_without_retry_after_is_retried(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """Administrate documents no Retry-After: the 429 is retried with backoff."""
    rsps.get(f"{TASKS}/1", status=429, json={"error": "Too Many Requests"})
    rsps.get(f"{TASKS}/1", json=task(1))

    assert client.get_task(1).id == 1
    assert len(rsps.calls) == 2
    assert client.stats.retries == 1


def test_persistent_429_is_a_rate_limit_error(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """When every attempt is throttled, RateLimitError says what the limit is."""
    rsps.get(f"{TASKS}/1", status=429, body="")

    with pytest.raises(errors.RateLimitError) as info:
        client.get_task(1)

    assert info.value.retry_after is None
    assert "6,000 requests per 5 minutes" in str(info.value)
    assert len(rsps.calls) == RetryPolicy().attempts


def test_a_create_throttled_with_429_is_retried(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """429 means the server did not process the request, so even a POST is retried."""
    rsps.post(TASKS, status=429)
    rsps.post(TASKS, json=task(12))

    assert client.create_task(**REQUIRED).id == 12
    assert len(rsps.calls) == 2


def test_a_create_with_unknown_outcome_is_ambiguous_and_sent_once(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A reset after a POST left is never replayed: AmbiguousWriteError, one request."""
    rsps.post(TASKS, body=requests.ConnectionError("Connection reset by peer"))

    with pytest.raises(errors.AmbiguousWriteError):
        client.create_task(**REQUIRED)

    assert len(rsps.calls) == 1


def test_a_create_answered_500_is_ambiguous(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A 500 to a POST leaves the outcome unknown: not retried."""
    rsps.post(TASKS, status=500, body="<html>oops</html>", content_type="text/html")

    with pytest.raises(errors.AmbiguousWriteError):
        client.create_task(**REQUIRED)

    assert len(rsps.calls) == 1


def test_reads_recover_from_server_errors_and_garbled_answers(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """500, a cut-off JSON answer and an HTML page with 200 are retried for reads."""
    url = f"{TASKS}/1"
    rsps.get(url, status=500)
    rsps.get(url, body='{"id": 1, "sta', content_type="application/json")
    rsps.get(url, body="<html>proxy</html>", content_type="text/html")
    rsps.get(url, json=task(1))

    assert client.get_task(1).id == 1
    assert len(rsps.calls) == 4


def test_an_empty_answer_to_a_read_is_a_shape_error(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """A 200 with no body is not a task (retried, then reported)."""
    rsps.get(f"{TASKS}/1", body=b"", content_type="application/json")

    with pytest.raises(errors.ResponseShapeError, match="empty"):
        client.get_task(1)


def test_writes_table() -> None:
    """POST is not idempotent; PUT and DELETE by id are."""
    assert dict(WRITES) == {
        "tasks.create": False,
        "tasks.update": True,
        "tasks.delete": True,
    }
    assert REQUIRED_ON_CREATE == ("status", "user_id", "account_id", "type_id")


# -- construction --------------------------------------------------------------------------------


def test_base_url_keeps_the_api_prefix() -> None:
    """base_url replaces scheme and host; /api/v2 is kept."""
    client = AdministrateClient(
        username=USERNAME, password=PASSWORD, base_url="http://127.0.0.1:8123/"
    )

    assert client.base_url == "http://127.0.0.1:8123/api/v2"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"username": USERNAME, "password": PASSWORD},
            "CRMCLIENTS_ADMINISTRATE_SUBDOMAIN",
        ),
        (
            {"username": USERNAME, "password": PASSWORD, "subdomain": "not a host!"},
            "subdomain",
        ),
        ({"username": "a:b", "password": PASSWORD, "subdomain": "acme"}, "':'"),
        (
            {"username": "", "password": PASSWORD, "subdomain": "acme"},
            "CRMCLIENTS_ADMINISTRATE_USERNAME",
        ),
        (
            {"username": USERNAME, "password": "", "subdomain": "acme"},
            "CRMCLIENTS_ADMINISTRATE_PASSWORD",
        ),
    ],
)
def test_bad_settings_are_configuration_errors(
    kwargs: dict[str, Any], message: str
) -> None:
    """Missing credentials or host name the setting (and its env var)."""
    with pytest.raises(errors.ConfigurationError, match=message) as info:
        AdministrateClient(**kwargs)

    assert PASSWORD not in str(info.value)


def test_default_rate_limit_is_the_documented_one_and_shared_per_host() -> None:
    """20 requests/second (6,000 per 5 minutes), one bucket per host; None turns it off."""
    first = AdministrateClient(
        subdomain="ratecheck", username="a@x.test", password="pw-one-1"
    )
    other_user = AdministrateClient(
        subdomain="ratecheck", username="b@x.test", password="pw-two-2"
    )
    unlimited = AdministrateClient(
        subdomain="ratecheck", username="a@x.test", password="pw-one-1", rate_limit=None
    )

    assert DEFAULT_RATE_LIMIT == 20.0
    assert first._requestor.limiter is not None
    assert first._requestor.limiter.rate == 20.0
    assert first._requestor.limiter is other_user._requestor.limiter
    assert unlimited._requestor.limiter is None


def test_repr_hides_the_credentials() -> None:
    """Neither the password, the Basic header nor the login shows in reprs."""
    client = AdministrateClient(subdomain="acme", username=USERNAME, password=PASSWORD)
    text = repr(client) + repr(client._requestor.auth)

    assert (
        PASSWORD not in text and BASIC.split()[1] not in text and USERNAME not in text
    )
    assert "[secure]" in text
