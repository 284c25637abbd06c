"""Opentaps native client: every operation, its wire format and its client-side rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses
from responses import matchers

from crmclients import errors
from crmclients._rules import NOT_SET
from crmclients.vendors.opentaps import ContactRole, OpentapsActivity, OpentapsClient
from crmclients.vendors.opentaps.client import WRITES
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

# -- GET /activities/{numberOfActivities}/{startFrom} -------------------------------------


def test_list_activities_parses_every_field(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """numberOfActivities and startFrom go in the path, credentials in the query."""
    rsps.get(f"{BASE}/activities/25/50", json=ok([ACTIVITY, TASK]), match=[query()])

    first, second = client.list_activities(25, 50)

    assert first.id == ID
    assert first.activity_type_id == "NOTE"
    assert first.note_text == "Call back about the quote"
    assert first.status == "CREATED"
    assert first.client_domain == DOMAIN
    assert first.created_date == datetime(2014, 5, 1, 10, 0, tzinfo=UTC)
    assert first.last_modified_date == datetime(2014, 5, 2, 11, 30, tzinfo=UTC)
    assert first.scheduled_date_time == datetime(2014, 5, 3, 9, 0, tzinfo=UTC)
    assert first.responsible_contact_id == C1
    assert first.assigned_to_contact == (C2,)
    assert first.contacts == (
        ContactRole(contact_id=C1, role="billing"),
        ContactRole(contact_id=C2),
    )
    assert first.attributes == {"email": "prospect@example.com"}
    assert first.raw == ACTIVITY
    assert not first.is_task
    assert second.is_task and second.id == ID2


def test_list_activities_without_start_from(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Without startFrom the path is /activities/{numberOfActivities}."""
    rsps.get(f"{BASE}/activities/10", json=ok([]), match=[query()])

    assert client.list_activities(10) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0,), "number_of_activities"),
        ((-3,), "number_of_activities"),
        (("many",), "number_of_activities"),
        ((10, -1), "start_from"),
        ((10, "x"), "start_from"),
    ],
)
def test_list_activities_rules_are_checked_before_sending(
    client: OpentapsClient,
    rsps: responses.RequestsMock,
    args: tuple[Any, ...],
    field: str,
) -> None:
    """A count below 1 or a negative offset fails with the field named; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.list_activities(*args)

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_include_raw_false_drops_payloads(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """include_raw=False keeps records small: raw is empty."""
    rsps.get(f"{BASE}/activities/5/0", json=ok([ACTIVITY]))

    [record] = client.list_activities(5, 0, include_raw=False)

    assert len(record.raw) == 0 and record.note_text == ACTIVITY["noteText"]


def test_iter_activities_advances_by_the_records_received(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Each page starts at the last record read (one more asked for, so pages
    overlap by one); a page with nothing after that record ends the pull."""
    ids = [f"{i:024x}" for i in range(5)]
    rsps.get(
        f"{BASE}/activities/3/0",
        json=ok([{"_id": i} for i in ids[:3]]),
        match=[query()],
    )
    rsps.get(f"{BASE}/activities/4/2", json=ok([{"_id": i} for i in ids[2:]]))
    rsps.get(f"{BASE}/activities/4/4", json=ok([{"_id": ids[4]}]))

    pulled = [a.id for a in client.iter_activities(page_size=3)]

    assert pulled == ids


def test_iter_activities_refuses_a_bad_page_size(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """page_size must be a positive integer; nothing is sent."""
    with pytest.raises(errors.ValidationError, match="page_size"):
        client.iter_activities(page_size=0)
    assert len(rsps.calls) == 0


def test_find_activity_scans_until_found(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """find_activity reads pages until the id turns up, and no further."""
    rsps.get(f"{BASE}/activities/1/0", json=ok([ACTIVITY]))
    rsps.get(f"{BASE}/activities/2/0", json=ok([ACTIVITY, TASK]))

    found = client.find_activity(ID2.upper(), page_size=1)

    assert found.id == ID2
    assert len(rsps.calls) == 2


def test_find_activity_of_a_missing_id_is_not_found(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """After the last page, a missing id is NotFoundError."""
    rsps.get(f"{BASE}/activities/100/0", json=ok([ACTIVITY]))
    rsps.get(f"{BASE}/activities/101/0", json=ok([ACTIVITY]))
    # One record a page so far could be the server's cap: one look past it.
    rsps.get(f"{BASE}/activities/101/1", json=ok([]))

    with pytest.raises(errors.NotFoundError, match="f" * 24):
        client.find_activity("f" * 24)


# -- POST /activities ----------------------------------------------------------------------


def test_create_activity_sends_prefixed_form_fields(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Activity fields go as note_field_<name>, form-encoded, credentials in the body."""
    rsps.post(
        f"{BASE}/activities",
        json=ok(ACTIVITY),
        match=[
            form(
                note_field_activityTypeId="NOTE",
                note_field_noteText="Call back about the quote",
                note_field_status="CREATED",
                note_field_scheduledDateTime="2014-05-03T09:00:00Z",
                note_field_responsibleContactId=C1,
                note_field_email="prospect@example.com",
            ),
            matchers.header_matcher(
                {"Content-Type": "application/x-www-form-urlencoded"}
            ),
        ],
    )

    created = client.save_activity(
        {
            "activityTypeId": "NOTE",
            "noteText": "Call back about the quote",
            "status": "created",
            "scheduledDateTime": datetime(
                2014, 5, 3, 11, 0, tzinfo=timezone(timedelta(hours=2))
            ),
            "responsibleContactId": C1,
            "email": "prospect@example.com",
        }
    )

    assert created.id == ID
    assert "authToken" not in (urlsplit(rsps.calls[0].request.url).query or "")


def test_save_with_an_activity_id_updates(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """activityId makes POST /activities an update."""
    rsps.post(
        f"{BASE}/activities",
        json=ok(ACTIVITY),
        match=[form(activityId=ID, note_field_noteText="new text")],
    )

    assert client.save_activity({"noteText": "new text"}, activity_id=ID).id == ID


def test_field_values_are_encoded_as_documented(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """NOT_SET is left out, None is sent empty, lists are comma-joined."""
    rsps.post(
        f"{BASE}/activities",
        json=ok(ACTIVITY),
        match=[
            form(
                note_field_noteText="",
                note_field_tags="a,b",
                note_field_urgent="true",
                note_field_amount="12.5",
                note_field_due="2024-01-02",
                note_field_scheduledDateTime="",
            )
        ],
    )

    client.save_activity(
        {
            "noteText": None,
            "tags": ["a", "b"],
            "urgent": True,
            "amount": Decimal("12.50"),
            "due": date(2024, 1, 2),
            "scheduledDateTime": None,
            "status": NOT_SET,
        }
    )


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"status": "DONE"}, "status", "must be one of CREATED"),
        ({"status": None}, "status", "must be one of"),
        ({"scheduledDateTime": "next week"}, "scheduledDateTime", "ISO 8601"),
        ({"scheduledDateTime": 5}, "scheduledDateTime", "datetime"),
        ({"_id": ID}, "_id", "set by Opentaps"),
        ({"createdDate": "2014-01-01"}, "createdDate", "set by Opentaps"),
        ({"contacts": [C1]}, "contacts", "set by Opentaps"),
        ({"authToken": "x"}, "authToken", "set by Opentaps"),
        ({"note text": "x"}, "note text", "valid field name"),
        ({"note_field_noteText": "x"}, "note_field_noteText", "prefix"),
        ({"responsibleContactId": "42"}, "responsibleContactId", "24-character"),
        ({"assignedToContactId": [C1, "nope"]}, "assignedToContactId", "24-character"),
        ({"attributes": {"a": 1}}, "attributes", "attribute map"),
        ({"colour": {"a": 1}}, "colour", "must be text"),
        ({"activityTypeId": "  "}, "activityTypeId", "blank"),
        ({"amount": Decimal("NaN")}, "amount", "finite"),
    ],
)
def test_save_rules_are_checked_before_sending(
    client: OpentapsClient,
    rsps: responses.RequestsMock,
    fields: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each rule fails with the field and the rule named, and nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.save_activity(fields)

    assert (info.value.field, info.value.operation) == (field, "activities.save")
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_save_needs_a_hex_activity_id(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """activity_id must be a 24-hex id; nothing is sent."""
    with pytest.raises(errors.ValidationError, match="activity_id"):
        client.save_activity({"noteText": "x"}, activity_id="12")
    assert len(rsps.calls) == 0


def test_save_refuses_a_non_mapping(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """fields must be a mapping of wire names to values."""
    with pytest.raises(errors.ValidationError, match="fields"):
        client.save_activity([("noteText", "x")])  # type: ignore[arg-type]
    assert len(rsps.calls) == 0


def test_older_answer_shapes_are_accepted(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """{"activity": {...}}, a nested resultValue.activity and an id-only answer all parse."""
    rsps.post(f"{BASE}/activities", json={"activity": ACTIVITY})
    rsps.post(f"{BASE}/activities", json=ok({"activity": ACTIVITY}))
    rsps.post(f"{BASE}/activities", json={"activity": {"activityId": ID}})

    shapes = [client.save_activity({"noteText": "x"}) for _ in range(3)]

    assert [s.id for s in shapes] == [ID, ID, ID]
    assert shapes[0].note_text == shapes[1].note_text == ACTIVITY["noteText"]
    assert shapes[2].note_text is None


def test_tolerant_field_shapes(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """activityType, a comma-joined assignee string and bare contact ids are read too."""
    record = {
        "_id": ID,
        "activityType": "EMAIL",
        "assignedToContact": f"{C1}, {C2}",
        "contacts": [C1, {"_id": C2, "role": "cc"}],
        "createdDate": "2014-05-01 10:00:00",
    }
    rsps.get(f"{BASE}/activities/1", json=ok([record]))

    [activity] = client.list_activities(1)

    assert activity.activity_type_id == "EMAIL"
    assert activity.assigned_to_contact == (C1, C2)
    assert activity.contacts == (
        ContactRole(contact_id=C1),
        ContactRole(contact_id=C2, role="cc"),
    )
    assert activity.created_date == datetime(2014, 5, 1, 10, 0, tzinfo=UTC)
    assert activity.raw == record


def test_naive_timestamps_use_the_client_time_zone(
    rsps: responses.RequestsMock,
) -> None:
    """timezone= decides how naive vendor timestamps and naive inputs are read."""
    client = OpentapsClient(
        auth_token=TOKEN,
        client_domain=DOMAIN,
        token_exchange=False,
        timezone="Europe/Berlin",
    )
    rsps.post(
        f"{BASE}/task",
        json=ok({**TASK, "scheduledDateTime": "2024-07-01 10:00:00"}),
        match=[form(note_field_scheduledDateTime="2024-07-01T08:00:00Z")],
    )

    task = client.create_task({"scheduledDateTime": datetime(2024, 7, 1, 10, 0)})

    assert task.scheduled_date_time == datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


# -- PUT /activities/{activityId} ----------------------------------------------------------


def test_update_activity_is_a_partial_put(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """partial=Yes and plain (unprefixed) field names, form-encoded."""
    rsps.put(
        f"{BASE}/activities/{ID}",
        json=ok({**ACTIVITY, "status": "COMPLETED"}),
        match=[form(partial="Yes", status="COMPLETED", noteText="done")],
    )

    updated = client.update_activity(ID, {"status": "Completed", "noteText": "done"})

    assert updated is not None and updated.status == "COMPLETED"


def test_full_update_leaves_partial_out(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """partial=False replaces the fields; an answer without a record gives None."""
    rsps.put(
        f"{BASE}/activities/{ID}",
        json=ok(True),
        match=[form(noteText="only this")],
    )

    assert client.update_activity(ID, {"noteText": "only this"}, partial=False) is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("nope", {"noteText": "x"}), "activity_id"),
        ((ID, {}), "fields"),
        ((ID, {"status": "PAUSED"}), "status"),
    ],
)
def test_update_rules_are_checked_before_sending(
    client: OpentapsClient,
    rsps: responses.RequestsMock,
    args: tuple[Any, ...],
    field: str,
) -> None:
    """A bad id, no fields or a bad value fails before anything is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.update_activity(*args)

    assert info.value.field == field
    assert len(rsps.calls) == 0


# -- DELETE /activities/{activityId} -------------------------------------------------------


def test_delete_activity_sends_credentials_in_the_body(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """DELETE carries authToken and clientDomain form-encoded."""
    rsps.delete(f"{BASE}/activities/{ID}", json=ok({"_id": ID}), match=[form()])

    assert client.delete_activity(ID) is None
    assert "authToken" not in (urlsplit(rsps.calls[0].request.url).query or "")


def test_delete_needs_a_hex_id(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A non-hex id is refused before sending."""
    with pytest.raises(errors.ValidationError, match="24-character"):
        client.delete_activity("../task")
    assert len(rsps.calls) == 0


# -- POST /activities/contact/add and /remove ----------------------------------------------


def test_add_contact_in_a_role(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """activityId, contactId and role are posted; the answer is the activity."""
    linked = {**ACTIVITY, "contacts": [{"contactId": C1, "role": "decision maker"}]}
    rsps.post(
        f"{BASE}/activities/contact/add",
        json=ok(linked),
        match=[form(activityId=ID, contactId=C1, role="decision maker")],
    )

    activity = client.add_contact(ID, C1, role="decision maker")

    assert activity is not None
    assert activity.contacts == (ContactRole(contact_id=C1, role="decision maker"),)


def test_remove_contact_without_a_role(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """role is optional; the nested older answer shape is read."""
    rsps.post(
        f"{BASE}/activities/contact/remove",
        json=ok({"activity": {**ACTIVITY, "contacts": []}}),
        match=[form(activityId=ID, contactId=C1)],
    )

    activity = client.remove_contact(ID, C1)

    assert activity is not None and activity.contacts == ()


def test_contact_answer_without_a_record_is_none(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """An answer that is not an activity (true, "OK") gives None, not an error."""
    rsps.post(f"{BASE}/activities/contact/add", json=ok(True))
    rsps.post(f"{BASE}/activities/contact/remove", json=ok("OK"))

    assert client.add_contact(ID, C1) is None
    assert client.remove_contact(ID, C1, role="billing") is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("x" * 24, C1, None), "activity_id"),
        ((ID, 42, None), "contact_id"),
        ((ID, C1, "  "), "role"),
        ((ID, C1, 7), "role"),
    ],
)
def test_contact_rules_are_checked_before_sending(
    client: OpentapsClient,
    rsps: responses.RequestsMock,
    args: tuple[Any, ...],
    field: str,
) -> None:
    """Bad ids and blank roles fail before anything is sent, for add and remove."""
    for call in (client.add_contact, client.remove_contact):
        with pytest.raises(errors.ValidationError) as info:
            call(*args)
        assert info.value.field == field
    assert len(rsps.calls) == 0


# -- POST /task ------------------------------------------------------------------------------


def test_create_task_sends_schedule_and_assignees(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """scheduledDateTime in UTC and assignedToContactId comma-joined; the result is a TASK."""
    rsps.post(
        f"{BASE}/task",
        json=ok(TASK),
        match=[
            form(
                note_field_noteText="Ship the samples",
                note_field_scheduledDateTime="2014-06-01T08:00:00Z",
                note_field_assignedToContactId=f"{C1},{C2}",
            )
        ],
    )

    task = client.create_task(
        {
            "noteText": "Ship the samples",
            "scheduledDateTime": "2014-06-01T10:00:00+02:00",
            "assignedToContactId": [C1, C2],
        }
    )

    assert task.is_task and task.activity_type_id == "TASK"
    assert task.scheduled_date_time == datetime(2014, 6, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["activityTypeId", "activityType"])
def test_create_task_refuses_an_activity_type(
    client: OpentapsClient, rsps: responses.RequestsMock, name: str
) -> None:
    """Tasks do not support activityTypeId: refused before sending."""
    with pytest.raises(errors.ValidationError) as info:
        client.create_task({name: "NOTE", "noteText": "x"})

    assert info.value.field == name
    assert "TASK" in info.value.rule
    assert len(rsps.calls) == 0


# -- GET /task ---------------------------------------------------------------------------------


def test_search_tasks_sends_every_filter(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Assignees and statuses comma-joined, the range in UTC, per_page as given."""
    rsps.get(
        f"{BASE}/task",
        json=ok([TASK]),
        match=[
            query(
                assignedToContactId=f"{C1},{C2}",
                fromScheduledDateTime="2014-01-01T00:00:00Z",
                toScheduledDateTime="2014-12-31T23:00:00Z",
                status="STARTED,CREATED",
                per_page=9999,
            )
        ],
    )

    tasks = client.search_tasks(
        assigned_to_contact_ids=[C1, C2],
        from_scheduled_date_time=date(2014, 1, 1),
        to_scheduled_date_time=datetime(
            2015, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=1))
        ),
        statuses=["started", "Created"],
        per_page=9999,
    )

    assert [t.id for t in tasks] == [ID2]


def test_search_tasks_without_filters(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """No filter: only the credentials; a comma-joined string works for lists too."""
    rsps.get(f"{BASE}/task", json=ok([]), match=[query()])
    rsps.get(
        f"{BASE}/task",
        json=ok([]),
        match=[query(assignedToContactId=f"{C1},{C2}", status="COMPLETED")],
    )

    assert client.search_tasks() == []
    assert (
        client.search_tasks(assigned_to_contact_ids=f"{C1}, {C2}", statuses="COMPLETED")
        == []
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"assigned_to_contact_ids": ["42"]}, "assigned_to_contact_ids"),
        ({"statuses": ["DONE"]}, "statuses"),
        ({"from_scheduled_date_time": "soon"}, "from_scheduled_date_time"),
        (
            {
                "from_scheduled_date_time": date(2024, 2, 1),
                "to_scheduled_date_time": date(2024, 1, 1),
            },
            "to_scheduled_date_time",
        ),
        ({"per_page": 0}, "per_page"),
    ],
)
def test_search_rules_are_checked_before_sending(
    client: OpentapsClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """Bad ids, statuses, dates, ranges and page sizes fail before sending."""
    with pytest.raises(errors.ValidationError) as info:
        client.search_tasks(**kwargs)

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_search_reads_a_wrapped_list(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A resultValue of {"tasks": [...]} is read as the list."""
    rsps.get(f"{BASE}/task", json=ok({"tasks": [TASK]}))

    assert [t.id for t in client.search_tasks()] == [ID2]


# -- the WRITES table ----------------------------------------------------------------------------


def test_every_write_passes_its_idempotency_from_the_table(
    client: OpentapsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each write sends idempotent=WRITES[operation]; creates are never replayed."""
    seen: dict[str, bool] = {}

    def spy(method: str, path: str, *, operation: str, **kwargs: Any) -> Any:
        if method != "GET":
            key = operation
            if operation == "activities.save":
                key += (
                    " (update)" if ("activityId", ID) in kwargs["form"] else " (create)"
                )
            seen[key] = kwargs["idempotent"]
        if operation == "oauth.temp_token":
            return {"authToken": "temp-for-the-spy"}
        if operation == "oauth.validate":
            return {"authenticated": True}
        return ACTIVITY

    monkeypatch.setattr(client._requestor, "request", spy)
    monkeypatch.setattr(client._token_requestor, "request", spy)

    client.get_temp_token()
    client.validate_token("temp-for-the-spy")
    client.save_activity({"noteText": "x"})
    client.save_activity({"noteText": "x"}, activity_id=ID)
    client.update_activity(ID, {"noteText": "y"})
    client.delete_activity(ID)
    client.add_contact(ID, C1)
    client.remove_contact(ID, C1)
    client.create_task({"noteText": "z"})

    assert seen == dict(WRITES)
    assert WRITES["activities.save (create)"] is False
    assert WRITES["task.create"] is False


# -- construction ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"auth_token": "", "client_domain": DOMAIN}, "CRMCLIENTS_OPENTAPS_AUTH_TOKEN"),
        (
            {"auth_token": TOKEN, "client_domain": ""},
            "CRMCLIENTS_OPENTAPS_CLIENT_DOMAIN",
        ),
        ({"auth_token": TOKEN, "client_domain": "not a domain!"}, "client domain"),
        ({"auth_token": 12345678, "client_domain": DOMAIN}, "must be a string"),
        (
            {"auth_token": TOKEN, "client_domain": DOMAIN, "token_exchange": "yes"},
            "True or False",
        ),
    ],
)
def test_bad_settings_are_configuration_errors(
    kwargs: dict[str, Any], message: str
) -> None:
    """Missing or malformed credentials fail at construction, naming what to fix."""
    with pytest.raises(errors.ConfigurationError, match=message):
        OpentapsClient(**kwargs)


def test_base_url_replaces_the_host() -> None:
    """base_url= points the client elsewhere (the API has no path prefix)."""
    client = OpentapsClient(
        auth_token=TOKEN, client_domain=DOMAIN, base_url="http://127.0.0.1:9/"
    )

    assert client.base_url == "http://127.0.0.1:9"


def test_repr_hides_the_token_and_the_domain() -> None:
    """Neither the token nor the client domain is in the repr."""
    text = repr(OpentapsClient(auth_token=TOKEN, client_domain=DOMAIN))

    assert TOKEN not in text and DOMAIN not in text
    assert "[secure]" in text


def test_native_models_are_plain_values() -> None:
    """Models compare by value and ignore raw."""
    a = OpentapsActivity(id=ID, raw={"_id": ID})
    b = OpentapsActivity(id=ID)

    assert a == b
    assert "raw" not in repr(a)
