"""iVvy native client: every action, its documented parameters, rules and paging."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
from responses import matchers

from crmclients import errors
from crmclients._rules import NOT_SET
from crmclients.vendors.ivvy import IvvyClient, SubType, TaskStatus
from tests.vendors.ivvy.conftest import KEY, NOW, SECRET, sent_json, url

# The getActivityList / getTaskList samples from the vendor docs.
ACTIVITY_SAMPLE = {
    "id": 29,
    "venueId": 1,
    "leadId": 400,
    "subType": 1,
    "name": "ashik testing",
    "description": "<p>this is description</p> ",
    "purposeName": None,
    "purposeType": None,
    "location": "Gold Coast",
    "contactId": None,
    "companyId": None,
    "companyContactId": None,
    "assignedUserId": 1,
    "assignedUserFullName": "first last",
    "assignedUserEmail": "first.last@domain.com",
    "startDatetime": "2019-04-02 22:00:00 UTC",
    "endDatetime": "2019-04-02 23:00:00 UTC",
    "createdDate": "2019-04-11 07:34:16 UTC",
    "modifiedDate": "2019-04-11 07:34:16 UTC",
}
TASK_SAMPLE = {
    "id": 1,
    "venueId": 76,
    "bookingId": None,
    "leadId": None,
    "name": "test name",
    "description": "<p>this is description</p> ",
    "status": 4,
    "contactId": None,
    "companyId": None,
    "companyContactId": None,
    "assignedUserId": 1,
    "assignedUserFullName": "Test  First",
    "assignedUserEmail": "test@example.com",
    "userFullName": "first last",
    "userEmail": "first@domain.com",
    "priority": "low",
    "startDatetime": "2018-03-01 09:00:00 UTC",
    "endDatetime": "2018-03-27 09:00:00 UTC",
    "progress": 0,
    "createdDate": "2018-03-01 10:13:17 UTC",
    "modifiedDate": "2018-03-26 11:17:05 UTC",
}


def collection(
    results: list[dict[str, Any]],
    *,
    total: int | None = None,
    start: int = 0,
    per_page: int = 100,
) -> dict[str, Any]:
    """A getActivityList / getTaskList answer holding ``results`` and its meta."""
    return {
        "meta": {
            "totalResults": len(results) if total is None else total,
            "start": start,
            "perPage": per_page,
            "count": len(results),
        },
        "results": results,
    }


# -- test?action=ping ----------------------------------------------------------------------


def test_ping_reads_the_ack_and_the_server_time(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """ping returns the acknowledgement and the server timestamp, raw kept."""
    answer = {"message": "ack", "timestamp": "2024-05-01 12:00:03 UTC"}
    rsps.post(url("test", "ping"), json=answer)

    ping = client.ping()

    assert ping.message == "ack"
    assert ping.timestamp == datetime(2024, 5, 1, 12, 0, 3, tzinfo=UTC)
    assert ping.raw == answer


def test_ping_accepts_a_bare_string_answer(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """The docs do not show ping's answer: a JSON string is kept as the message."""
    rsps.post(url("test", "ping"), json="ack")

    assert client.ping().message == "ack"


# -- crm?action=addOrUpdateActivity ----------------------------------------------------------


def test_create_activity_sends_wire_names_and_utc_times(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """Pythonic arguments go out under the documented names, times as UTC Y-m-d H:i:s."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        json={"success": True, "id": 755},
        match=[
            matchers.json_params_matcher(
                {
                    "name": "Test Activity API",
                    "description": "Walk-through",
                    "subType": 2,
                    "venueId": 1,
                    "leadId": 2665,
                    "purposeId": 1,
                    "startDatetime": "2020-02-02 01:00:00",
                    "endDatetime": "2020-02-02 02:00:00",
                    "assignedUserId": 1,
                },
                strict_match=True,
            )
        ],
    )

    new_id = client.add_or_update_activity(
        name="Test Activity API",
        description="Walk-through",
        sub_type=SubType.CALL,
        venue_id=1,
        lead_id=2665,
        purpose_id=1,
        start_datetime=datetime(2020, 2, 2, 12, 0, tzinfo=ZoneInfo("Australia/Sydney")),
        end_datetime="2020-02-02 02:00:00 UTC",
        assigned_user_id=1,
    )

    assert new_id == 755


def test_every_documented_activity_parameter_is_sent(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """All parameters of the addOrUpdateActivity table reach the wire (an update)."""
    expected = {
        "id": 3269,
        "venueId": 1,
        "leadId": 2665,
        "name": "N",
        "description": "D",
        "subType": 3,
        "purposeId": 4,
        "startDatetime": "2024-05-01 09:00:00",
        "endDatetime": "2024-05-01 10:30:00",
        "location": "Room 1",
        "priority": "high",
        "assignedUserId": 7,
    }
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        json={"success": True, "id": 3269},
        match=[matchers.json_params_matcher(expected, strict_match=True)],
    )

    result = client.add_or_update_activity(
        id=3269,
        venue_id=1,
        lead_id=2665,
        name="N",
        description="D",
        sub_type=3,
        purpose_id=4,
        start_datetime=datetime(2024, 5, 1, 9, 0),  # naive: the client's zone, UTC
        end_datetime="2024-05-01T10:30:00+00:00",
        location="Room 1",
        priority="HIGH",
        assigned_user_id="7",
    )

    assert result == 3269


def test_company_plus_contact_is_the_documented_exception(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """companyId + contactId is allowed (iVvy attaches the contact to the company)."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        json={"success": True, "id": 5},
        match=[
            matchers.json_params_matcher(
                {"id": 5, "companyId": 854, "contactId": 45219}, strict_match=True
            )
        ],
    )

    assert client.add_or_update_activity(id=5, company_id=854, contact_id=45219) == 5


def test_update_sends_only_what_is_given_and_none_as_null(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """NOT_SET leaves a parameter out; None sends null."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        json={"success": True, "id": 12},
        match=[
            matchers.json_params_matcher(
                {"id": 12, "location": None, "name": "Renamed"}, strict_match=True
            )
        ],
    )

    assert (
        client.add_or_update_activity(
            id=12, name="Renamed", location=None, description=NOT_SET
        )
        == 12
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"description": "d", "sub_type": 1}, "name", "required"),
        ({"name": "n", "sub_type": 1}, "description", "required"),
        ({"name": "n", "description": "d"}, "sub_type", "required"),
        ({"name": " ", "description": "d", "sub_type": 1}, "name", "required"),
        ({"id": 3, "description": "  "}, "description", "blank"),
        ({"name": "n", "description": "d", "sub_type": 4}, "sub_type", "1 (Meeting)"),
        ({"name": "n", "description": "d", "sub_type": "call"}, "sub_type", "number"),
        (
            {"name": "n", "description": "d", "sub_type": 1, "priority": "urgent"},
            "priority",
            "'low', 'medium', 'high'",
        ),
        (
            {
                "name": "n",
                "description": "d",
                "sub_type": 1,
                "contact_id": 1,
                "lead_id": 2,
                "venue_id": 3,
            },
            "lead_id",
            "only one of contact, company or lead",
        ),
        (
            {
                "name": "n",
                "description": "d",
                "sub_type": 1,
                "company_id": 1,
                "lead_id": 2,
                "venue_id": 3,
            },
            "lead_id",
            "cannot be combined with company_id",
        ),
        (
            {"name": "n", "description": "d", "sub_type": 1, "lead_id": 2},
            "venue_id",
            "required with lead_id",
        ),
        (
            {
                "name": "n",
                "description": "d",
                "sub_type": 1,
                "start_datetime": "02/02/2020",
            },
            "start_datetime",
            "timestamp",
        ),
        (
            {
                "name": "n",
                "description": "d",
                "sub_type": 1,
                "end_datetime": date(2020, 1, 1),
            },
            "end_datetime",
            "timestamp",
        ),
        (
            {"name": "n", "description": "d", "sub_type": 1, "contact_id": 0},
            "contact_id",
            "at least 1",
        ),
        ({"id": "seven", "name": "n"}, "id", "integer"),
        ({"id": 3, "name": None}, "name", "cannot be null"),
        ({"id": 3, "location": 12}, "location", "string"),
    ],
)
def test_activity_rules_are_checked_before_sending(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each documented rule fails naming the field and the rule; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.add_or_update_activity(**kwargs)

    assert info.value.field == field
    assert rule in info.value.rule
    assert "nothing was sent" in str(info.value)
    assert len(rsps.calls) == 0


def test_activity_create_is_not_retried_after_an_ambiguous_failure(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """A create without id that may have happened raises AmbiguousWriteError, sent once."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        body=requests.ConnectionError("Connection reset by peer"),
    )

    with pytest.raises(errors.AmbiguousWriteError):
        client.add_or_update_activity(name="n", description="d", sub_type=1)

    assert len(rsps.calls) == 1


def test_activity_update_is_retried_after_a_reset(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """addOrUpdateActivity with an id is idempotent: it is retried."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        body=requests.ConnectionError("Connection reset by peer"),
    )
    rsps.post(url("crm", "addOrUpdateActivity"), json={"success": True, "id": 4})

    assert client.add_or_update_activity(id=4, name="again") == 4
    assert len(rsps.calls) == 2


# -- crm?action=getActivityList ----------------------------------------------------------------


def test_activity_list_parses_the_documented_sample_field_by_field(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """Every field of the vendor's getActivityList sample lands in the model."""
    rsps.post(
        url("crm", "getActivityList"),
        json=collection([ACTIVITY_SAMPLE]),
        match=[matchers.json_params_matcher({"venueId": 1}, strict_match=True)],
    )

    page = client.get_activity_list(venue_id="1")

    assert (page.meta.total_results, page.meta.start, page.meta.per_page) == (1, 0, 100)
    assert page.meta.count == 1
    [a] = page.results
    assert (a.id, a.venue_id, a.lead_id, a.sub_type) == (29, 1, 400, 1)
    assert (a.name, a.description) == ("ashik testing", "<p>this is description</p> ")
    assert (a.purpose_name, a.purpose_type, a.location) == (None, None, "Gold Coast")
    assert (a.contact_id, a.company_id, a.company_contact_id) == (None, None, None)
    assert (a.assigned_user_id, a.assigned_user_full_name, a.assigned_user_email) == (
        1,
        "first last",
        "first.last@domain.com",
    )
    assert a.start_datetime == datetime(2019, 4, 2, 22, 0, tzinfo=UTC)
    assert a.end_datetime == datetime(2019, 4, 2, 23, 0, tzinfo=UTC)
    assert (
        a.created_date
        == a.modified_date
        == datetime(2019, 4, 11, 7, 34, 16, tzinfo=UTC)
    )
    assert a.priority is None
    assert a.raw == ACTIVITY_SAMPLE


def test_list_sends_paging_and_a_checked_filter(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """perPage, start and filter go in the body; names, modifiers and values are normalised."""
    rsps.post(
        url("crm", "getActivityList"),
        json=collection([], total=0, start=40),
        match=[
            matchers.json_params_matcher(
                {
                    "perPage": 20,
                    "start": 40,
                    "filter": {
                        "createdDate__GREATERTHAN": "2024-01-01 00:00:00",
                        "modifiedDate__LESSTHAN": "2024-02-01 00:00:00",
                        "subType": 2,
                        "name__CONTAINS": "lunch",
                        "contactId": "ISNULL",
                        "leadId__NOT": "ISNULL",
                        "location__EMPTY": False,
                        "startDatetime": "2024-03-01 08:00:00",
                    },
                },
                strict_match=True,
            )
        ],
    )

    page = client.get_activity_list(
        per_page=20,
        start=40,
        filter={
            "created_date__greaterthan": datetime(
                2024, 1, 1, 10, 0, tzinfo=ZoneInfo("Australia/Brisbane")
            ),
            "modifiedDate__LESSTHAN": "2024-02-01 00:00:00 UTC",
            "sub_type": SubType.CALL,
            "name__CONTAINS": "lunch",
            "contactId": None,
            "leadId__NOT": "__ISNULL__",
            "location__EMPTY": False,
            "startDatetime": "2024-03-01T09:00:00+01:00",
        },
    )

    assert page.results == [] and page.meta.start == 40


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"per_page": 0}, "per_page", "at least 1"),
        ({"start": -1}, "start", "at least 0"),
        ({"venue_id": "x"}, "venue_id", "integer"),
        (
            {"filter": {"colour": "red"}},
            "filter.colour",
            "not a documented result field",
        ),
        ({"filter": {"status": 1}}, "filter.status", "not a documented result field"),
        ({"filter": {"name__LIKE": "x"}}, "filter.name__LIKE", "unknown modifier"),
        (
            {"filter": {"location__EMPTY": "yes"}},
            "filter.location__EMPTY",
            "true or false",
        ),
        (
            {"filter": {"createdDate__LESSTHAN": "last week"}},
            "filter.createdDate__LESSTHAN",
            "timestamp",
        ),
        ({"filter": {"name": ["a", "b"]}}, "filter.name", "string, a number"),
    ],
)
def test_list_rules_are_checked_before_sending(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Bad paging values, unknown filter fields or modifiers fail before any request."""
    with pytest.raises(errors.ValidationError) as info:
        client.get_activity_list(**kwargs)

    assert (info.value.field, rule in info.value.rule) == (field, True)
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"startDatetime": "2019-04-02 22:00:00 UTC"},
            datetime(2019, 4, 2, 22, tzinfo=UTC),
        ),
        (
            {"startDatetime": "2019-04-02 22:00:00"},
            datetime(2019, 4, 2, 22, tzinfo=UTC),
        ),
        (
            {"startDateTime": "2019-04-02 22:00:00 UTC"},
            datetime(2019, 4, 2, 22, tzinfo=UTC),
        ),
        (
            {
                "startDatetime": "2019-04-02 22:00:00",
                "startDateTime": "2000-01-01 00:00:00",
            },
            datetime(2019, 4, 2, 22, tzinfo=UTC),
        ),
    ],
)
def test_timestamps_with_or_without_utc_and_both_spellings(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    payload: dict[str, Any],
    expected: datetime,
) -> None:
    """' UTC' is optional and startDateTime is read as startDatetime (documented wins)."""
    rsps.post(url("crm", "getActivityList"), json=collection([{"id": 1, **payload}]))

    [activity] = client.get_activity_list().results

    assert activity.start_datetime == expected
    assert activity.raw == {"id": 1, **payload}


def test_end_date_time_spelling_is_accepted_for_tasks(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """endDateTime (the example spelling) fills end_datetime on tasks too."""
    rsps.post(
        url("crm", "getTaskList"),
        json=collection([{"id": 2, "endDateTime": "2021-11-01 17:00:00"}]),
    )

    [task] = client.get_task_list().results

    assert task.end_datetime == datetime(2021, 11, 1, 17, tzinfo=UTC)


def test_iter_never_trusts_the_requested_page_size(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """Asked for 100, served 50: start advances by what arrived, every record once.

    After the first page each starts at the last record read (the overlap shows
    records moving even when the total stays the same), until the total is read.
    """
    for start in (0, 49, 98):
        count = min(50, 120 - start)
        rsps.post(
            url("crm", "getActivityList"),
            json=collection(
                [{"id": start + i + 1} for i in range(count)],
                total=120,
                start=start,
                per_page=50,
            ),
            match=[
                matchers.json_params_matcher(
                    # one record more than the page size after the first page
                    {"perPage": 100 if start == 0 else 101, "start": start},
                    strict_match=True,
                )
            ],
        )

    pager = client.iter_activities()
    ids = [a.id for a in pager]

    assert ids == list(range(1, 121))
    assert pager.stats.pages == 3


def test_iter_in_parallel_completes_short_pages(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """With workers, offsets come from the first page's count; short pages are completed."""

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        import json

        body = json.loads(request.body)
        start = body["start"]
        size = 30 if start != 60 else 10  # the page at 60 comes back short
        items = [{"id": i + 1} for i in range(start, min(start + size, 100))]
        return (
            200,
            {},
            json.dumps(collection(items, total=100, start=start, per_page=30)),
        )

    rsps.add_callback(
        responses.POST,
        url("crm", "getTaskList"),
        callback=answer,
        content_type="application/json",
    )

    ids = [t.id for t in client.iter_tasks(workers=3, filter={"status": 1}, venue_id=2)]

    assert ids == list(range(1, 101))
    assert all(sent_json(c)["filter"] == {"status": 1} for c in rsps.calls)
    assert all(sent_json(c)["venueId"] == 2 for c in rsps.calls)


def test_iter_checks_its_arguments_before_sending(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """A bad page size or filter fails when the pager is made, not on iteration."""
    with pytest.raises(errors.ValidationError, match="page_size"):
        client.iter_activities(page_size=0)
    with pytest.raises(errors.ValidationError, match=r"filter\.nope"):
        client.iter_tasks(filter={"nope": 1})
    assert len(rsps.calls) == 0


# -- crm?action=addOrUpdateTask ------------------------------------------------------------------


def test_create_task_with_the_documented_example(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """The docs' "add task" example body is what the client sends."""
    rsps.post(
        url("crm", "addOrUpdateTask"),
        json={"success": True, "id": 755},
        match=[
            matchers.json_params_matcher(
                {
                    "name": "Test Task API",
                    "endDatetime": "2021-11-01 17:00:00",
                    "status": 1,
                    "assignedUserId": 1,
                    "leadId": 2665,
                    "venueId": 1,
                },
                strict_match=True,
            )
        ],
    )

    assert (
        client.add_or_update_task(
            name="Test Task API",
            end_datetime="2021-11-01 17:00:00",
            status=TaskStatus.IN_PROGRESS,
            assigned_user_id=1,
            lead_id=2665,
            venue_id=1,
        )
        == 755
    )


def test_every_documented_task_parameter_is_sent(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """All parameters of the addOrUpdateTask table reach the wire (an update)."""
    expected = {
        "id": 3269,
        "venueId": 1,
        "contactId": 45219,
        "companyId": 854,
        "name": "Test Task API",
        "endDatetime": "2021-11-01 17:00:00",
        "priority": "medium",
        "assignedUserId": 1,
        "status": 4,
        "description": "Done and dusted",
    }
    rsps.post(
        url("crm", "addOrUpdateTask"),
        json={"success": True, "id": "3269"},
        match=[matchers.json_params_matcher(expected, strict_match=True)],
    )

    assert (
        client.add_or_update_task(
            id=3269,
            venue_id=1,
            contact_id=45219,
            company_id=854,
            name="Test Task API",
            end_datetime=datetime(2021, 11, 1, 17, 0, tzinfo=UTC),
            priority="medium",
            assigned_user_id=1,
            status=4,
            description="Done and dusted",
        )
        == 3269
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"end_datetime": NOW}, "name", "required"),
        ({"name": "n"}, "end_datetime", "required"),
        ({"name": "n", "end_datetime": NOW, "status": 5}, "status", "4 (Completed)"),
        ({"name": "n", "end_datetime": NOW, "status": -1}, "status", "0 (Not Started)"),
        ({"name": "n", "end_datetime": NOW, "status": "done"}, "status", "number"),
        (
            {"name": "n", "end_datetime": NOW, "priority": "low-ish"},
            "priority",
            "'low'",
        ),
        (
            {
                "name": "n",
                "end_datetime": NOW,
                "contact_id": 1,
                "lead_id": 2,
                "venue_id": 1,
            },
            "lead_id",
            "only one of contact, company or lead",
        ),
        (
            {"name": "n", "end_datetime": NOW, "lead_id": 2},
            "venue_id",
            "required with lead_id",
        ),
        ({"id": 1, "end_datetime": None}, "end_datetime", "cannot be null"),
    ],
)
def test_task_rules_are_checked_before_sending(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each documented task rule fails naming the field; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.add_or_update_task(**kwargs)

    assert info.value.field == field
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


# -- crm?action=getTaskList ----------------------------------------------------------------------


def test_task_list_parses_the_documented_sample_field_by_field(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """Every field of the vendor's getTaskList sample lands in the model."""
    rsps.post(
        url("crm", "getTaskList"),
        json=collection([TASK_SAMPLE]),
        match=[
            matchers.json_params_matcher(
                {"perPage": 10, "filter": {"status__NOT": 3, "priority": "low"}},
                strict_match=True,
            )
        ],
    )

    page = client.get_task_list(
        per_page=10, filter={"status__not": TaskStatus.CANCELLED, "priority": "low"}
    )

    [t] = page.results
    assert (t.id, t.venue_id, t.booking_id, t.lead_id) == (1, 76, None, None)
    assert (t.name, t.description, t.status) == (
        "test name",
        "<p>this is description</p> ",
        4,
    )
    assert (t.contact_id, t.company_id, t.company_contact_id) == (None, None, None)
    assert (t.assigned_user_id, t.assigned_user_full_name, t.assigned_user_email) == (
        1,
        "Test  First",
        "test@example.com",
    )
    assert (t.user_full_name, t.user_email) == ("first last", "first@domain.com")
    assert (t.priority, t.progress) == ("low", 0)
    assert t.start_datetime == datetime(2018, 3, 1, 9, tzinfo=UTC)
    assert t.end_datetime == datetime(2018, 3, 27, 9, tzinfo=UTC)
    assert t.created_date == datetime(2018, 3, 1, 10, 13, 17, tzinfo=UTC)
    assert t.modified_date == datetime(2018, 3, 26, 11, 17, 5, tzinfo=UTC)
    assert TaskStatus(t.status).label == "Completed"


def test_reads_are_retried_even_though_they_are_posts(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """List calls are POSTs but idempotent: a 500 and a reset are retried."""
    rsps.post(url("crm", "getTaskList"), status=500)
    rsps.post(
        url("crm", "getTaskList"), body=requests.ConnectionError("Connection reset")
    )
    rsps.post(url("crm", "getTaskList"), json=collection([{"id": 1}]))

    assert [t.id for t in client.get_task_list().results] == [1]
    assert len(rsps.calls) == 3


def test_write_table_marks_creates_unsafe_and_updates_safe() -> None:
    """WRITES says which writes may be replayed."""
    from crmclients.vendors.ivvy.client import WRITES

    assert WRITES == {
        "crm.addOrUpdateActivity (create)": False,
        "crm.addOrUpdateActivity (update)": True,
        "crm.addOrUpdateTask (create)": False,
        "crm.addOrUpdateTask (update)": True,
    }


def test_repr_and_enum_labels() -> None:
    """The repr hides both credentials; enums carry iVvy's words."""
    client = IvvyClient(api_key=KEY, api_secret=SECRET, base_url="http://127.0.0.1:9")

    assert KEY not in repr(client) and SECRET not in repr(client)
    assert "[secure]" in repr(client)
    assert [s.label for s in SubType] == ["Meeting", "Call", "Email"]
    assert [s.label for s in TaskStatus] == [
        "Not Started",
        "In Progress",
        "On Hold",
        "Cancelled",
        "Completed",
    ]
