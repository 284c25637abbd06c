"""Tactile native client: every endpoint, envelope shape and documented rule."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from crmclients import errors
from crmclients.vendors.tactile import TactileClient
from tests.vendors.tactile.conftest import BASE, TOKEN

SEED_VIEW = {
    "status": "success",
    "opportunity": {
        "name": "Boating eCommerce Website",
        "description": "They're after a new website for selling boat accessories",
        "organisation": "Acme Boats Ltd.",
        "id": 1234,
        "probability": 70,
        "organisation_id": 9876,
        "cost": 100000,
        "archived": False,
        "status": "New",
        "type": None,
        "source": None,
        "owner": "paul",
        "assigned_to": "paul",
        "alteredby": "paul",
        "created": "2009-02-02T15:31:43+00:00",
        "lastupdated": "2009-02-02T15:31:43+00:00",
        "enddate": "2009-03-06",
        "person_id": 87254,
        "person": "Bill Smith",
    },
}
# The seed's timeline example repeats keys ("opportunity", "opportunity_id"); in JSON
# the last one wins, which is what a decoder sees.
SEED_TIMELINE = """{"status":"success","timeline":[{"note":{"title":"Invoices Sent",
"note":"They have never received the invoices so have resent them.","opportunity":null,
"opportunity":"Chase Invoices","organisation":"Acme Corp.","id":885,"opportunity_id":null,
"opportunity_id":1234,"organisation_id":12676,"private":false,"owner":"george",
"created":"2007-11-02T12:58:50+00:00","lastupdated":"2007-11-02T12:58:50+00:00",
"person_id":null,"person":null}}]}"""


def page(
    items: list[dict[str, Any]],
    cur: int = 1,
    pages: int = 1,
    per: int = 30,
    total: int | None = None,
) -> dict[str, Any]:
    return {
        "status": "success",
        "opportunities": items,
        "cur_page": cur,
        "num_pages": pages,
        "per_page": per,
        "total": len(items) if total is None else total,
    }


def token_query(**params: Any) -> Any:
    return matchers.query_param_matcher(
        {**{k: str(v) for k, v in params.items()}, "api_token": TOKEN}
    )


# -- GET /opportunities ------------------------------------------------------------------


def test_list_sends_paging_filters_and_token(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """limit, page, the four date filters and api_token go in the query string."""
    rsps.get(
        f"{BASE}/opportunities",
        json=page([{"id": 1, "name": "A"}], cur=2, pages=3, per=10, total=25),
        match=[
            token_query(
                limit=10,
                page=2,
                created_after="2024-01-01",
                updated_before="-7 days",
                created_before="2024-06-01T12:00:00+01:00",
                updated_after="2024-01-01T00:00:00+00:00",
            )
        ],
    )

    result = client.list_opportunities(
        limit=10,
        page=2,
        created_after=date(2024, 1, 1),
        created_before=datetime(2024, 6, 1, 12, 0),  # naive: Europe/London (BST)
        updated_after=datetime(2024, 1, 1, tzinfo=UTC),
        updated_before="-7 days",
    )

    assert [o.id for o in result.opportunities] == [1]
    assert (result.cur_page, result.num_pages, result.per_page, result.total) == (
        2,
        3,
        10,
        25,
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"page": 0}, "page"),
        ({"created_after": "the day before the crash"}, "created_after"),
        ({"updated_before": 12}, "updated_before"),
    ],
)
def test_list_rules_are_checked_before_sending(
    client: TactileClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """limit 1..100, page >= 1 and date formats fail before any request."""
    with pytest.raises(errors.ValidationError) as info:
        client.list_opportunities(**kwargs)

    assert info.value.field == field
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    "expression",
    [
        "2009-03-01",
        "2009-03-01 12:30:12",
        "-7 days",
        "last wednesday",
        "today",
        "3 weeks ago",
    ],
)
def test_strtotime_expressions_pass_through(
    client: TactileClient, rsps: responses.RequestsMock, expression: str
) -> None:
    """The documented strtotime examples are sent as they are."""
    rsps.get(
        f"{BASE}/opportunities",
        json=page([]),
        match=[token_query(created_after=expression)],
    )

    assert client.list_opportunities(created_after=expression).total == 0


def test_iter_walks_every_page(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """iter_opportunities follows num_pages with limit=100."""
    for number in (1, 2, 3):
        items = [{"id": number * 1000 + i} for i in range(100 if number < 3 else 5)]
        rsps.get(
            f"{BASE}/opportunities",
            json=page(items, cur=number, pages=3, per=100, total=205),
            match=[token_query(limit=100, page=number)],
        )

    ids = [o.id for o in client.iter_opportunities()]

    assert len(ids) == 205 == len(set(ids))


# -- GET /opportunities/view ---------------------------------------------------------------


def test_view_parses_the_seed_example_field_by_field(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """Every documented field of the view example lands in the native model."""
    rsps.get(f"{BASE}/opportunities/view/1234", json=SEED_VIEW, match=[token_query()])

    o = client.get_opportunity(1234)

    assert o.id == 1234
    assert o.name == "Boating eCommerce Website"
    assert o.description == "They're after a new website for selling boat accessories"
    assert (o.organisation, o.organisation_id) == ("Acme Boats Ltd.", 9876)
    assert (o.person, o.person_id) == ("Bill Smith", 87254)
    assert o.probability == 70
    assert o.cost == Decimal("100000")
    assert o.archived is False
    assert (o.status, o.type, o.source) == ("New", None, None)
    assert (o.owner, o.assigned_to, o.altered_by) == ("paul", "paul", "paul")
    assert o.created == o.last_updated == datetime(2009, 2, 2, 15, 31, 43, tzinfo=UTC)
    assert o.end_date == date(2009, 3, 6)
    assert o.raw == SEED_VIEW["opportunity"]


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2009-04-02T09:36:58+01:00", datetime(2009, 4, 2, 8, 36, 58, tzinfo=UTC)),
        ("2009-04-02T09:36:58+0100", datetime(2009, 4, 2, 8, 36, 58, tzinfo=UTC)),
        (
            "2009-04-02 09:36:58",
            datetime(2009, 4, 2, 8, 36, 58, tzinfo=UTC),
        ),  # naive: London
    ],
)
def test_timestamps_with_and_without_colon(
    client: TactileClient, rsps: responses.RequestsMock, stamp: str, expected: datetime
) -> None:
    """+01:00 (the docs) and +0100 (the server) are the same moment."""
    rsps.get(
        f"{BASE}/opportunities/view/1",
        json={"status": "success", "opportunity": {"id": 1, "created": stamp}},
    )

    assert client.get_opportunity(1).created == expected


def test_view_of_an_unknown_id_is_not_found(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """The documented {"errors": ["Invalid ID Specified"]} maps to NotFoundError."""
    rsps.get(
        f"{BASE}/opportunities/view/9",
        json={"status": "error", "errors": ["Invalid ID Specified"]},
    )

    with pytest.raises(errors.NotFoundError, match="Invalid ID Specified"):
        client.get_opportunity(9)


def test_view_needs_an_integer_id(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A non-numeric id is refused before sending."""
    with pytest.raises(errors.ValidationError, match="'id'"):
        client.get_opportunity("abc")
    assert len(rsps.calls) == 0


# -- GET /opportunities/timeline -----------------------------------------------------------


def test_timeline_parses_the_seed_example(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """Notes on the timeline come out field by field (the last duplicate key wins)."""
    rsps.get(
        f"{BASE}/opportunities/timeline",
        body=SEED_TIMELINE,
        content_type="application/json",
        match=[token_query(id=1234)],
    )

    [entry] = client.get_timeline(1234)

    assert entry.kind == "note" and entry.note is not None
    note = entry.note
    assert (note.id, note.title) == (885, "Invoices Sent")
    assert note.body == "They have never received the invoices so have resent them."
    assert (note.opportunity, note.opportunity_id) == ("Chase Invoices", 1234)
    assert (note.organisation, note.organisation_id) == ("Acme Corp.", 12676)
    assert (note.private, note.owner, note.person, note.person_id) == (
        False,
        "george",
        None,
        None,
    )
    assert note.created == datetime(2007, 11, 2, 12, 58, 50, tzinfo=UTC)


def test_timeline_keeps_emails_and_unknown_items(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """Emails are typed; an undocumented item kind is kept with its raw payload."""
    body = {
        "status": "success",
        "timeline": [
            {
                "email": {
                    "id": 5,
                    "subject": "Hi",
                    "from": "a@b.c",
                    "created": "2010-01-01T00:00:00+0000",
                }
            },
            {"flag": {"id": 6}},
        ],
    }
    rsps.get(f"{BASE}/opportunities/timeline", json=body)

    email, other = client.get_timeline(1)

    assert email.email is not None and (email.email.subject, email.email.sender) == (
        "Hi",
        "a@b.c",
    )
    assert (other.kind, other.raw) == ("flag", {"flag": {"id": 6}})


def test_timeline_of_unknown_opportunity(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """messages as an object keyed by a code: {"404": "Not Found"}."""
    rsps.get(
        f"{BASE}/opportunities/timeline",
        json={"status": "error", "messages": {"404": "Not Found"}},
    )

    with pytest.raises(errors.NotFoundError) as info:
        client.get_timeline(77)

    assert info.value.code == "404"


# -- POST /opportunities/save --------------------------------------------------------------


def test_create_wraps_the_body_and_keeps_the_token_in_the_query(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """{"Opportunity": {...}} as JSON, api_token in the query even on POST."""
    rsps.post(
        f"{BASE}/opportunities/save",
        json={"status": "success", "id": 12346},
        match=[
            token_query(),
            matchers.json_params_matcher(
                {
                    "Opportunity": {
                        "name": "Website Redesign",
                        "enddate": "2024-05-01",
                        "assigned_to": "greg",
                        "cost": 1500.5,
                        "probability": 25,
                    }
                }
            ),
            matchers.header_matcher({"Content-Type": "application/json"}),
        ],
    )

    new_id = client.create_opportunity(
        name="Website Redesign",
        enddate=date(2024, 5, 1),
        assigned_to="greg",
        cost=Decimal("1500.50"),
        probability=25,
    )

    assert new_id == 12346


def test_update_sends_only_the_given_fields(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """An update carries the id and the changed fields, nothing else."""
    rsps.post(
        f"{BASE}/opportunities/save",
        json={"status": "success", "id": 7},
        match=[
            matchers.json_params_matcher({"Opportunity": {"id": 7, "probability": 50}})
        ],
    )

    assert client.update_opportunity(7, probability=50) == 7


def test_every_documented_save_field_is_accepted(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """All fields of the save table are sent in their documented formats."""
    expected = {
        "name": "N",
        "enddate": "2024-05-01",
        "description": "D",
        "type_id": 1,
        "person_id": 2,
        "organisation_id": 3,
        "assigned_to": "u",
        "cost": 5,
        "probability": 0,
        "status_id": 4,
        "source_id": 5,
        "date": "2024-04-01",
        "time": "09:30",
        "location": "Room",
        "end_date": "2024-04-02",
        "end_time": "10:00",
    }
    rsps.post(
        f"{BASE}/opportunities/save",
        json={"status": "success", "id": 1},
        match=[matchers.json_params_matcher({"Opportunity": expected})],
    )

    assert client.save_opportunity(expected) == 1


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"enddate": "2024-01-01"}, "name", "required"),
        ({"name": "  ", "enddate": "2024-01-01"}, "name", "blank"),
        ({"name": "x"}, "enddate", "required"),
        ({"name": "x", "enddate": "01/02/2024"}, "enddate", "YYYY-MM-DD"),
        ({"name": "x", "enddate": "2024-02-30"}, "enddate", "YYYY-MM-DD"),
        (
            {"name": "x", "enddate": "2024-01-01", "probability": 42},
            "probability",
            "multiple of 5",
        ),
        (
            {"name": "x", "enddate": "2024-01-01", "probability": 105},
            "probability",
            "between 0 and 100",
        ),
        (
            {"name": "x", "enddate": "2024-01-01", "probability": -5},
            "probability",
            "between 0 and 100",
        ),
        ({"name": "x", "enddate": "2024-01-01", "cost": "lots"}, "cost", "number"),
        (
            {"name": "x", "enddate": "2024-01-01", "time": "09:30"},
            "time",
            "only valid if a date",
        ),
        (
            {
                "name": "x",
                "enddate": "2024-01-01",
                "date": "2024-01-01",
                "time": "9.30",
            },
            "time",
            "HH:MM",
        ),
        (
            {"name": "x", "enddate": "2024-01-01", "date": "2024-01-01", "later": True},
            "later",
            "no date",
        ),
        (
            {"name": "x", "enddate": "2024-01-01", "end_time": "10:00"},
            "end_time",
            "only valid if a date",
        ),
        (
            {"name": "x", "enddate": "2024-01-01", "colour": "red"},
            "colour",
            "not a documented",
        ),
        (
            {"name": "x", "enddate": "2024-01-01", "person_id": 0},
            "person_id",
            "at least 1",
        ),
        ({"id": "seven", "probability": 5}, "id", "integer"),
    ],
)
def test_save_rules_are_checked_before_sending(
    client: TactileClient,
    rsps: responses.RequestsMock,
    fields: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each documented rule fails with the field and the rule named, and nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.save_opportunity(fields)

    assert info.value.field == field
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_save_rejected_by_field(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """messages keyed by field name become RejectedError.field_errors."""
    rsps.post(
        f"{BASE}/opportunities/save",
        json={"status": "error", "messages": {"assigned_to": "Invalid username"}},
    )

    with pytest.raises(errors.RejectedError) as info:
        client.create_opportunity(name="x", enddate="2024-01-01", assigned_to="nobody")

    assert info.value.field_errors == {"assigned_to": ["Invalid username"]}


def test_save_rejected_with_a_list_of_messages(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """messages as a list of strings (the documented form)."""
    rsps.post(
        f"{BASE}/opportunities/save",
        json={"status": "error", "messages": ["Something is wrong", "Also this"]},
    )

    with pytest.raises(errors.RejectedError) as info:
        client.create_opportunity(name="x", enddate="2024-01-01")

    assert info.value.messages == ["Something is wrong", "Also this"]


def test_save_answer_without_id_is_a_shape_error(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A success without an integer id is not what the docs promise."""
    rsps.post(f"{BASE}/opportunities/save", json={"status": "success", "id": "new"})

    with pytest.raises(errors.ResponseShapeError, match=r"\$\.id"):
        client.create_opportunity(name="x", enddate="2024-01-01")


# -- GET /opportunities/options and /add_tag --------------------------------------------------


def test_options(client: TactileClient, rsps: responses.RequestsMock) -> None:
    """The option maps come back as id -> name, with lookups by name."""
    rsps.get(
        f"{BASE}/opportunities/options",
        json={
            "status": "success",
            "opportunity_options": {
                "assigned_to": {"dave": "dave"},
                "status": {"1": "New", "5": "Won"},
                "type": {"2": "New Business"},
                "source": {"8": " Website"},
            },
        },
        match=[token_query()],
    )

    options = client.get_options()

    assert options.status == {"1": "New", "5": "Won"}
    assert options.id_for("status", "won") == 5
    assert options.id_for("source", "Website") == 8
    assert options.id_for("type", "2") == 2
    assert options.id_for("status", "Lost") is None


def test_add_tag(client: TactileClient, rsps: responses.RequestsMock) -> None:
    """id and tag go in the query; the answer echoes the tag."""
    rsps.get(
        f"{BASE}/opportunities/add_tag",
        json={"status": "success", "tag": "My Event"},
        match=[token_query(id=5, tag="My Event")],
    )

    assert client.add_tag(5, "My Event") == "My Event"


def test_add_tag_needs_a_tag(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A blank tag is refused before sending."""
    with pytest.raises(errors.ValidationError, match="'tag'"):
        client.add_tag(5, " ")
    assert len(rsps.calls) == 0


# -- envelope and transport errors ---------------------------------------------------------


def test_wrong_token(client: TactileClient, rsps: responses.RequestsMock) -> None:
    """{"messages": {"403": "Failed to login"}} is an authentication error."""
    rsps.get(
        f"{BASE}/opportunities/options",
        json={"status": "error", "messages": {"403": "Failed to login"}},
    )

    with pytest.raises(errors.AuthenticationError, match="Failed to login"):
        client.get_options()


def test_html_login_page_is_a_clear_error(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """The HTML login page means the route is closed to the API: say so."""
    rsps.get(
        f"{BASE}/opportunities/options",
        status=200,
        content_type="text/html",
        body='<html><form action="/login"><input type="password" name="password"></form></html>',
    )

    with pytest.raises(errors.PermissionDeniedError, match="HTML login page") as info:
        client.get_options()

    assert "Toggle API Access" in str(info.value)


def test_html_error_page_on_a_read_is_retried(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A proxy's HTML error page is transient: the read is retried and succeeds."""
    rsps.get(
        f"{BASE}/opportunities/options",
        status=200,
        content_type="text/html",
        body="<html>502 Bad Gateway</html>",
    )
    rsps.get(
        f"{BASE}/opportunities/options",
        json={"status": "success", "opportunity_options": {}},
    )

    assert client.get_options().status == {}


def test_missing_status_is_a_shape_error(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """An answer without "status" is not Tactile's envelope."""
    rsps.get(f"{BASE}/opportunities/options", json={"opportunity_options": {}})

    with pytest.raises(errors.ResponseShapeError, match="status"):
        client.get_options()


def test_malformed_record_names_its_path(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A bad field deep in a list is reported with its path, not a KeyError."""
    rsps.get(
        f"{BASE}/opportunities",
        json=page([{"id": 1}, {"id": 2, "lastupdated": "yesterday"}]),
    )

    with pytest.raises(errors.ResponseShapeError) as info:
        client.list_opportunities()

    assert info.value.path == "$.opportunities[1].lastupdated"


def test_reads_recover_from_a_scripted_fault_sequence(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """500, 503 with Retry-After, 429 and a connection reset: the read still succeeds."""
    url = f"{BASE}/opportunities/options"
    rsps.get(url, status=500)
    rsps.get(url, status=503, headers={"Retry-After": "1"})
    rsps.get(url, status=429, headers={"Retry-After": "0"})
    rsps.get(url, body=requests.ConnectionError("Connection reset by peer"))
    rsps.get(
        url, json={"status": "success", "opportunity_options": {"status": {"1": "New"}}}
    )
    client._requestor.retry = client._requestor.retry.__class__(attempts=5)

    assert client.get_options().status == {"1": "New"}
    assert len(rsps.calls) == 5


def test_create_with_unknown_outcome_raises_ambiguous_and_is_sent_once(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A reset after a create was sent is never retried: AmbiguousWriteError, one request."""
    rsps.post(
        f"{BASE}/opportunities/save",
        body=requests.ConnectionError("Connection reset by peer"),
    )

    with pytest.raises(errors.AmbiguousWriteError):
        client.create_opportunity(name="x", enddate="2024-01-01")

    assert len(rsps.calls) == 1


def test_update_recovers_from_a_reset(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """A save with an id is idempotent, so it is retried after a reset."""
    rsps.post(
        f"{BASE}/opportunities/save",
        body=requests.ConnectionError("Connection reset by peer"),
    )
    rsps.post(f"{BASE}/opportunities/save", json={"status": "success", "id": 3})

    assert client.update_opportunity(3, name="y") == 3
    assert len(rsps.calls) == 2


def test_create_after_503_is_retried(
    client: TactileClient, rsps: responses.RequestsMock
) -> None:
    """503 says nothing was processed, so even a create is retried."""
    rsps.post(f"{BASE}/opportunities/save", status=503)
    rsps.post(f"{BASE}/opportunities/save", json={"status": "success", "id": 4})

    assert client.create_opportunity(name="x", enddate="2024-01-01") == 4
    assert next(json.loads(c.request.body) for c in rsps.calls) == {
        "Opportunity": {"name": "x", "enddate": "2024-01-01"}
    }


# -- construction -------------------------------------------------------------------------


def test_account_or_base_url_is_required() -> None:
    """Without a site address there is no host to call."""
    with pytest.raises(errors.ConfigurationError, match="CRMCLIENTS_TACTILE_ACCOUNT"):
        TactileClient(api_token="x")
    with pytest.raises(errors.ConfigurationError, match="site address"):
        TactileClient(api_token="x", account="not a host!")


def test_repr_hides_the_token() -> None:
    """The token is never in a repr."""
    client = TactileClient(api_token=TOKEN, base_url="http://127.0.0.1:9")

    assert TOKEN not in repr(client)
    assert "[secure]" in repr(client)
