"""The iVvy sandbox on its own: signature checks, documented errors, paging and rules.

Requests here are signed by hand from the docs (not by the client), so the emulator
is checked independently of the code it is meant to check.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from crmclients.sandbox import emulator
from crmclients.sandbox.ivvy import API_KEY, API_SECRET, IvvyEmulator


def ivvy_now(emu: IvvyEmulator, shift: float = 0.0) -> str:
    """The emulator's clock (plus ``shift`` seconds) as an ``IVVY-Date`` value."""
    moment = datetime.fromtimestamp(emu.now() + shift, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def call(
    emu: IvvyEmulator,
    namespace: str,
    action: str,
    body: Any = None,
    *,
    method: str = "POST",
    secret: str = API_SECRET,
    key: str = API_KEY,
    content_type: str = "application/json",
    date_shift: float = 0.0,
    http_date: bool = False,
    md5_of: bytes | None = None,
    sent: bytes | None = None,
    drop: tuple[str, ...] = (),
) -> TestResponse:
    """Send one request signed by hand as developer.ivvy.com describes."""
    data = b"" if body is None else json.dumps(body).encode()
    path = f"/api/1.0/{namespace}?action={action}"
    md5 = hashlib.md5(data if md5_of is None else md5_of, usedforsecurity=False)
    headers = {"Content-Type": content_type, "Content-MD5": md5.hexdigest()}
    if http_date:
        date_part = email.utils.formatdate(emu.now() + date_shift, usegmt=True)
        headers["Date"] = date_part
        ivvy = ""
    else:
        headers["IVVY-Date"] = ivvy_now(emu, date_shift)
        date_part = ""
        ivvy = f"IVVYDate={headers['IVVY-Date']}"
    text = (
        method + headers["Content-MD5"] + content_type + date_part + path + "1.0" + ivvy
    ).lower()
    signature = hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest()
    headers["X-Api-Authorization"] = f"IWS {key}:{signature}"
    for name in drop:
        headers.pop(name)
    return Client(emu).open(
        path, method=method, data=data if sent is None else sent, headers=headers
    )


@pytest.fixture
def emu() -> IvvyEmulator:
    """An emulator with 120 activities and tasks, capping pages at 50."""
    instance = emulator("ivvy", records=120, seed=5)
    assert isinstance(instance, IvvyEmulator)
    return instance


# -- signature checks ---------------------------------------------------------------------------


def test_a_correctly_signed_ping_is_acknowledged(emu: IvvyEmulator) -> None:
    """A request signed as documented gets the ack and the emulator's time."""
    answer = call(emu, "test", "ping")

    assert answer.status_code == 200
    assert answer.json is not None and answer.json["message"] == "ack"
    assert answer.json["timestamp"].endswith(" UTC")


def test_the_date_header_may_replace_ivvy_date(emu: IvvyEmulator) -> None:
    """With only a Date header, its value is the signed date part."""
    assert call(emu, "test", "ping", http_date=True).status_code == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"secret": "not-the-secret"}, "signature does not match"),
        ({"key": "someone-else"}, "Unknown API key"),
        ({"md5_of": b"{}"}, "Content-MD5 header does not match"),
        ({"drop": ("Content-MD5",)}, "Content-MD5 header is required"),
        ({"drop": ("IVVY-Date",)}, "IVVY-Date or Date header is required"),
        ({"drop": ("X-Api-Authorization",)}, "IWS key:signature"),
    ],
)
def test_bad_credentials_or_signatures_are_refused(
    emu: IvvyEmulator, options: dict[str, Any], message: str
) -> None:
    """Wrong secret, unknown key, wrong MD5 or a missing header: 401, nothing done."""
    before = len(emu.activities)

    answer = call(
        emu, "crm", "addOrUpdateActivity", {"id": 1001, "name": "x"}, **options
    )

    assert answer.status_code == 401
    assert answer.json is not None
    assert answer.json["errorCode"] == 401 and message in answer.json["message"]
    assert "specificCode" not in answer.json  # the docs name no code for these
    assert emu.activities[1001]["name"] != "x" and len(emu.activities) == before


def test_a_body_changed_after_signing_is_refused(emu: IvvyEmulator) -> None:
    """Sending other bytes than were hashed breaks the MD5 check."""
    answer = call(emu, "test", "ping", {"a": 1}, sent=b'{"a": 2}')

    assert answer.status_code == 401
    assert answer.json is not None and "Content-MD5" in answer.json["message"]


@pytest.mark.parametrize("shift", [-301, 301, -3600])
def test_a_request_outside_the_5_minute_window_is_stale(
    emu: IvvyEmulator, shift: float
) -> None:
    """A date more than 5 minutes from the emulator's clock is 401 / 23005."""
    answer = call(emu, "test", "ping", date_shift=shift)

    assert answer.status_code == 401
    assert answer.json == {
        "errorCode": 401,
        "message": "Request is stale",
        "specificCode": 23005,
    }


def test_advancing_the_emulator_clock_makes_requests_stale(emu: IvvyEmulator) -> None:
    """advance() moves the clock requests are judged by, and the Date it answers with."""
    before = datetime.fromtimestamp(emu.now(), UTC)
    emu.advance(600)

    # Signed with the time before the advance: 10 minutes old for the emulator.
    answer = call(emu, "test", "ping", date_shift=-600)

    server_date = email.utils.parsedate_to_datetime(answer.headers["Date"])
    assert answer.status_code == 401 and answer.json is not None
    assert answer.json["specificCode"] == 23005
    assert server_date - before >= timedelta(seconds=599)
    assert call(emu, "test", "ping").status_code == 200


@pytest.mark.parametrize(
    ("options", "status"),
    [
        ({"method": "GET"}, 405),
        ({"content_type": "text/plain"}, 406),
    ],
)
def test_only_json_posts_are_served(
    emu: IvvyEmulator, options: dict[str, Any], status: int
) -> None:
    """GET is 405; a content type other than JSON is 406."""
    answer = call(emu, "test", "ping", **options)

    assert answer.status_code == status
    assert answer.json is not None and answer.json["errorCode"] == status


def test_unknown_actions_and_versions_are_not_found(emu: IvvyEmulator) -> None:
    """An action iVvy lacks, or another API version, is 404."""
    assert call(emu, "crm", "deleteActivity").status_code == 404
    assert Client(emu).post("/api/2.0/test?action=ping").status_code == 404
    assert Client(emu).post("/somewhere").status_code == 404


# -- lists -------------------------------------------------------------------------------------


def test_per_page_is_capped_and_the_real_size_reported(emu: IvvyEmulator) -> None:
    """perPage 100 is served at the cap (50); meta says so; start is a record offset."""
    first = call(emu, "crm", "getActivityList", {"perPage": 100})
    last = call(emu, "crm", "getActivityList", {"perPage": 100, "start": 100})

    assert first.json is not None and last.json is not None
    assert first.json["meta"] == {
        "totalResults": 120,
        "start": 0,
        "perPage": 50,
        "count": 50,
    }
    assert last.json["meta"]["count"] == 20
    assert last.json["results"][0]["id"] == first.json["results"][0]["id"] + 100


def test_the_cap_is_configurable(emu: IvvyEmulator) -> None:
    """max_per_page sets the cap; smaller pages are served as asked."""
    small = IvvyEmulator(records=10, max_per_page=3)

    assert (
        call(small, "crm", "getTaskList", {"perPage": 10}).json["meta"]["perPage"] == 3
    )  # type: ignore[index]
    assert call(emu, "crm", "getTaskList", {"perPage": 7}).json["meta"]["count"] == 7  # type: ignore[index]
    with pytest.raises(ValueError, match="max_per_page"):
        IvvyEmulator(max_per_page=0)


def test_filters_follow_the_documented_modifiers(emu: IvvyEmulator) -> None:
    """LESSTHAN/GREATERTHAN include the bound; ISNULL and __ISNULL__ test null."""
    everything = call(emu, "crm", "getActivityList", {"perPage": 50}).json["results"]  # type: ignore[index]
    pivot = everything[10]["createdDate"]
    at_most = call(
        emu,
        "crm",
        "getActivityList",
        {"filter": {"createdDate__LESSTHAN": pivot}, "perPage": 50},
    ).json
    no_lead = call(emu, "crm", "getActivityList", {"filter": {"leadId": "ISNULL"}}).json
    with_lead = call(
        emu, "crm", "getActivityList", {"filter": {"leadId__NOT": "__ISNULL__"}}
    ).json
    word = everything[0]["name"].split()[0].upper()
    named = call(
        emu, "crm", "getActivityList", {"filter": {"name__CONTAINS": word}}
    ).json

    assert at_most is not None and no_lead is not None and with_lead is not None
    assert any(r["createdDate"] == pivot for r in at_most["results"])
    assert no_lead["meta"]["totalResults"] + with_lead["meta"]["totalResults"] == 120
    assert all(r["leadId"] is None for r in no_lead["results"])
    assert named is not None and named["meta"]["totalResults"] >= 1


@pytest.mark.parametrize(
    "body",
    [
        {"filter": {"colour": "red"}},
        {"filter": {"name__LIKE": "x"}},
        {"filter": {"createdDate__LESSTHAN": "yesterday"}},
        {"filter": "name=x"},
        {"perPage": 0},
        {"start": "first"},
    ],
)
def test_bad_list_parameters_do_not_validate(emu: IvvyEmulator, body: Any) -> None:
    """Unknown fields, modifiers or bad paging values are 400 / 23016."""
    answer = call(emu, "crm", "getActivityList", body)

    assert answer.status_code == 400
    assert answer.json is not None and answer.json["specificCode"] == 23016


def test_timestamps_come_with_and_without_the_utc_suffix(emu: IvvyEmulator) -> None:
    """createdDate has ' UTC'; modifiedDate lacks it on odd ids, as vendor samples do."""
    rows = call(emu, "crm", "getTaskList", {"perPage": 2}).json["results"]  # type: ignore[index]

    by_parity = {row["id"] % 2: row for row in rows}
    assert by_parity[0]["modifiedDate"].endswith(" UTC")
    assert not by_parity[1]["modifiedDate"].endswith(" UTC")
    assert all(row["createdDate"].endswith(" UTC") for row in rows)


def test_seeding_is_deterministic() -> None:
    """The same seed gives the same records; another seed gives others."""
    one, two, three = (IvvyEmulator(records=5, seed=s) for s in (1, 1, 2))

    assert one.activities == two.activities and one.tasks == two.tasks
    assert one.activities != three.activities


# -- writes ------------------------------------------------------------------------------------

VALID_ACTIVITY = {"name": "Site visit", "description": "Walk", "subType": 1}


@pytest.mark.parametrize(
    ("action", "body", "code", "additional"),
    [
        (
            "addOrUpdateActivity",
            {"description": "d", "subType": 1},
            24403,
            "name: Value is required",
        ),
        (
            "addOrUpdateActivity",
            {**VALID_ACTIVITY, "subType": 4},
            24403,
            "subType: *Invalid item selected*",
        ),
        (
            "addOrUpdateActivity",
            {**VALID_ACTIVITY, "priority": "urgent"},
            24403,
            "priority",
        ),
        (
            "addOrUpdateActivity",
            {**VALID_ACTIVITY, "leadId": 2600},
            24403,
            "venueId: Value is required",
        ),
        (
            "addOrUpdateActivity",
            {**VALID_ACTIVITY, "contactId": 45200, "leadId": 2600, "venueId": 1},
            24404,
            None,
        ),
        (
            "addOrUpdateActivity",
            {**VALID_ACTIVITY, "leadId": 2600, "venueId": 2},
            24397,
            None,
        ),
        ("addOrUpdateActivity", {**VALID_ACTIVITY, "contactId": 1}, 24398, None),
        ("addOrUpdateActivity", {**VALID_ACTIVITY, "companyId": 1}, 24399, None),
        ("addOrUpdateActivity", {"id": 999999, "name": "x"}, 24400, None),
        ("addOrUpdateActivity", {"id": "abc"}, 23016, "Value must be a whole number"),
        (
            "addOrUpdateActivity",
            {**VALID_ACTIVITY, "startDatetime": "02/02/2020"},
            23016,
            "timestamp",
        ),
        (
            "addOrUpdateTask",
            {"endDatetime": "2025-01-01 00:00:00"},
            24395,
            "name: Value is required",
        ),
        (
            "addOrUpdateTask",
            {"name": "t", "endDatetime": "2025-01-01 00:00:00", "status": 7},
            24395,
            "status",
        ),
        (
            "addOrUpdateTask",
            {
                "name": "t",
                "endDatetime": "2025-01-01 00:00:00",
                "companyId": 850,
                "leadId": 2600,
                "venueId": 1,
            },
            24396,
            None,
        ),
        (
            "addOrUpdateTask",
            {
                "name": "t",
                "endDatetime": "2025-01-01 00:00:00",
                "leadId": 2601,
                "venueId": 1,
            },
            24389,
            None,
        ),
        (
            "addOrUpdateTask",
            {"name": "t", "endDatetime": "2025-01-01 00:00:00", "contactId": 1},
            24390,
            None,
        ),
        (
            "addOrUpdateTask",
            {"name": "t", "endDatetime": "2025-01-01 00:00:00", "companyId": 1},
            24391,
            None,
        ),
        ("addOrUpdateTask", {"id": 1, "name": "t"}, 24392, None),
        (
            "addOrUpdateTask",
            {"name": 5, "endDatetime": "2025-01-01 00:00:00"},
            23016,
            "string",
        ),
    ],
)
def test_documented_write_rules_and_specific_codes(
    emu: IvvyEmulator,
    action: str,
    body: dict[str, Any],
    code: int,
    additional: str | None,
) -> None:
    """Each documented rule answers 400 with its specific code, and changes nothing."""
    before = (dict(emu.activities), dict(emu.tasks))

    answer = call(emu, "crm", action, body)

    assert answer.status_code == 400
    assert answer.json is not None
    assert (answer.json["errorCode"], answer.json["specificCode"]) == (400, code)
    if additional is not None:
        assert any(additional in m for m in answer.json["additionalMessages"])
    assert (emu.activities, emu.tasks) == before


def test_company_plus_contact_attaches_the_contact_to_the_company(
    emu: IvvyEmulator,
) -> None:
    """Both given: the activity belongs to the company; the contact is companyContactId."""
    answer = call(
        emu,
        "crm",
        "addOrUpdateActivity",
        {
            **VALID_ACTIVITY,
            "companyId": 850,
            "contactId": 45201,
            "startDateTime": "2025-01-01 09:00:00 UTC",
        },
    )

    assert answer.json is not None and answer.json["success"] is True
    record = emu.activities[answer.json["id"]]
    assert (record["companyId"], record["contactId"], record["companyContactId"]) == (
        850,
        None,
        45201,
    )
    assert record["startDatetime"] == datetime(2025, 1, 1, 9, tzinfo=UTC)


def test_an_update_naming_a_new_owner_replaces_the_old_one(emu: IvvyEmulator) -> None:
    """Naming a lead (with its venue) on a contact's task moves the task to the lead."""
    created = call(
        emu,
        "crm",
        "addOrUpdateTask",
        {"name": "t", "endDatetime": "2025-01-01 00:00:00", "contactId": 45200},
    ).json
    assert created is not None

    updated = call(
        emu,
        "crm",
        "addOrUpdateTask",
        {"id": created["id"], "leadId": 2601, "venueId": 2},
    )

    record = emu.tasks[created["id"]]
    assert updated.status_code == 200
    assert (record["contactId"], record["leadId"], record["venueId"]) == (None, 2601, 2)
    assert record["status"] == 0  # untouched fields keep their values
