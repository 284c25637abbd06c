"""iVvy errors: every specific code, errorCode fallbacks, stale requests, bad answers."""

from __future__ import annotations

import email.utils
import pickle
from datetime import timedelta
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmclients import errors
from crmclients._requestor import CallContext
from crmclients._transport import Response
from crmclients.vendors.ivvy import IvvyClient
from crmclients.vendors.ivvy._errors import IvvyEnvelope
from crmclients.vendors.ivvy.models import IvvyActivity
from tests.vendors.ivvy.conftest import KEY, NOW, SECRET, url

ACTIVITY_CODES = [
    (24397, errors.NotFoundError, "leadId"),
    (24398, errors.NotFoundError, "contactId"),
    (24399, errors.NotFoundError, "companyId"),
    (24400, errors.NotFoundError, "id"),
    (24401, errors.ServerError, None),
    (24402, errors.RejectedError, None),
    (24403, errors.RejectedError, None),
    (24404, errors.RejectedError, None),
]
TASK_CODES = [
    (24389, errors.NotFoundError, "leadId"),
    (24390, errors.NotFoundError, "contactId"),
    (24391, errors.NotFoundError, "companyId"),
    (24392, errors.NotFoundError, "id"),
    (24393, errors.ServerError, None),
    (24394, errors.RejectedError, None),
    (24395, errors.RejectedError, None),
    (24396, errors.RejectedError, None),
]


def error_body(
    code: int, specific: int | None, message: str, *extra: str
) -> dict[str, Any]:
    """An iVvy error object: errorCode, message, and specificCode and
    additionalMessages when given."""
    body: dict[str, Any] = {"errorCode": code, "message": message}
    if specific is not None:
        body["specificCode"] = specific
    if extra:
        body["additionalMessages"] = list(extra)
    return body


@pytest.mark.parametrize(("specific", "cls", "field"), ACTIVITY_CODES)
def test_every_activity_specific_code_maps_to_its_class(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    specific: int,
    cls: type[errors.APIError],
    field: str | None,
) -> None:
    """24397-24404 become the right error, keeping specificCode and additionalMessages."""
    status = 500 if cls is errors.ServerError else 400
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        status=status,
        json=error_body(status, specific, "Something about the activity", "x: y"),
    )

    with pytest.raises(errors.APIError) as info:
        client.add_or_update_activity(id=1, name="n")

    exc = info.value
    assert type(exc) is cls
    assert exc.code == specific
    assert exc.details["specificCode"] == specific
    assert exc.details["additionalMessages"] == ["x: y"]
    assert exc.messages == ["Something about the activity", "x: y"]
    assert exc.status_code == status
    assert f"specific code {specific}" in str(exc)
    assert exc.details.get("field") == field


@pytest.mark.parametrize(("specific", "cls", "field"), TASK_CODES)
def test_every_task_specific_code_maps_to_its_class(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    specific: int,
    cls: type[errors.APIError],
    field: str | None,
) -> None:
    """24389-24396 become the right error, keeping specificCode and additionalMessages."""
    rsps.post(
        url("crm", "addOrUpdateTask"),
        status=400,
        json=error_body(400, specific, "Something about the task", "leadId: *Invalid*"),
    )

    with pytest.raises(errors.APIError) as info:
        client.add_or_update_task(id=1, name="n")

    assert type(info.value) is cls
    assert (info.value.code, info.value.details.get("field")) == (specific, field)
    assert info.value.details["additionalMessages"] == ["leadId: *Invalid*"]


def test_invalid_data_names_fields_from_additional_messages(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """The documented 24395 sample becomes field_errors {"leadId": [...]}."""
    rsps.post(
        url("crm", "addOrUpdateTask"),
        status=400,
        json=error_body(
            400,
            24395,
            "The request contains invalid data",
            "leadId: *Invalid item selected*",
        ),
    )

    with pytest.raises(errors.RejectedError) as info:
        client.add_or_update_task(id=3, lead_id=7, venue_id=1)

    assert info.value.field_errors == {"leadId": ["*Invalid item selected*"]}


@pytest.mark.parametrize(
    ("body", "field_errors"),
    [
        (
            error_body(
                400, 23016, "'id' does not validate", "Value must be a whole number"
            ),
            {"id": ["Value must be a whole number"]},
        ),
        (error_body(400, 23017, "'id' is required"), {"id": ["'id' is required"]}),
    ],
)
def test_generic_parameter_codes_are_rejections_naming_the_parameter(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    body: dict[str, Any],
    field_errors: dict[str, list[str]],
) -> None:
    """23016 and 23017 (the documented samples) are RejectedError with the field."""
    rsps.post(url("crm", "getActivityList"), status=400, json=body)

    with pytest.raises(errors.RejectedError) as info:
        client.get_activity_list()

    assert info.value.field_errors == field_errors
    assert info.value.code == body["specificCode"]


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (400, errors.RejectedError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (405, errors.APIError),
        (406, errors.APIError),
        (460, errors.APIError),
        (461, errors.APIError),
        (462, errors.AuthenticationError),
        (463, errors.AuthenticationError),
        (501, errors.ServerError),
    ],
)
def test_error_codes_without_a_documented_specific_code(
    client: IvvyClient,
    rsps: responses.RequestsMock,
    code: int,
    cls: type[errors.APIError],
) -> None:
    """When the specific code is unknown (or absent), errorCode picks the class."""
    rsps.post(
        url("test", "ping"),
        status=code if code < 460 else 400,
        json=error_body(code, 99999 if code % 2 else None, "Nope"),
    )

    with pytest.raises(errors.APIError) as info:
        client.ping()

    assert type(info.value) is cls
    assert info.value.details["errorCode"] == code


def test_too_many_requests_keeps_retry_after(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """429 is a RateLimitError with Retry-After; a longer wait than allowed is raised."""
    rsps.post(
        url("crm", "getTaskList"),
        status=429,
        headers={"Retry-After": "120"},
        json=error_body(429, None, "Too Many Requests"),
    )

    with pytest.raises(errors.RateLimitError) as info:
        client.get_task_list()

    assert info.value.retry_after == 120


def test_an_error_object_in_a_200_answer_is_still_an_error(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """Like the official SDK: any object carrying errorCode is an error."""
    rsps.post(
        url("crm", "addOrUpdateActivity"),
        status=200,
        json=error_body(400, 24404, "The activity can only belongs to either ..."),
    )

    with pytest.raises(errors.RejectedError) as info:
        client.add_or_update_activity(id=2, name="x")

    assert info.value.status_code == 200 and info.value.code == 24404


def stale_call(
    rsps: responses.RequestsMock, headers: dict[str, str]
) -> errors.ClockSkewError:
    """The ClockSkewError of a ping answered "Request is stale" with ``headers``."""
    client = IvvyClient(api_key=KEY, api_secret=SECRET, clock=lambda: NOW)
    rsps.post(
        url("test", "ping"),
        status=401,
        headers=headers,
        json={"errorCode": 401, "message": "Request is stale", "specificCode": 23005},
    )
    with pytest.raises(errors.ClockSkewError) as info:
        client.ping()
    return info.value


@pytest.mark.parametrize(
    ("server_offset", "words", "skew"),
    [
        (600, "local clock seems 600 seconds behind the server's", -600.0),
        (-90, "local clock seems 90 seconds ahead of the server's", 90.0),
        (0, "agrees with the server's Date header", 0.0),
    ],
)
def test_stale_request_says_how_far_the_clock_seems_off(
    rsps: responses.RequestsMock, server_offset: int, words: str, skew: float
) -> None:
    """401/23005 is a ClockSkewError comparing the signing time with the Date header."""
    server_time = NOW + timedelta(seconds=server_offset)
    exc = stale_call(
        rsps, {"Date": email.utils.format_datetime(server_time, usegmt=True)}
    )

    assert words in str(exc)
    assert exc.skew_seconds == skew
    assert exc.code == 23005 and exc.status_code == 401
    assert isinstance(exc, errors.AuthenticationError)
    assert "NTP" in str(exc)
    assert len(rsps.calls) == 1  # a stale request is not blindly resent


def test_stale_request_without_a_date_header_says_the_skew_is_unknown(
    rsps: responses.RequestsMock,
) -> None:
    """Without a usable Date header the message says the skew is unknown."""
    exc = stale_call(rsps, {"Date": "not a date"})

    assert exc.skew_seconds is None
    assert "unknown" in str(exc)


def test_errors_pickle_with_their_details(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """iVvy errors cross process pools intact."""
    rsps.post(
        url("crm", "addOrUpdateTask"),
        status=400,
        json=error_body(400, 24394, "invalid", "dueDate: bad"),
    )
    with pytest.raises(errors.RejectedError) as info:
        client.add_or_update_task(id=1, name="n")

    copy = pickle.loads(pickle.dumps(info.value))

    assert (copy.code, copy.field_errors, str(copy)) == (
        24394,
        {"dueDate": ["bad"]},
        str(info.value),
    )


# -- malformed answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "path"),
    [
        ([], "$"),
        ({"results": []}, "$.meta"),
        (
            {"meta": {"totalResults": 1, "start": 0, "perPage": 1, "count": 1}},
            "$.results",
        ),
        (
            {
                "meta": {"totalResults": "many", "start": 0, "perPage": 1, "count": 0},
                "results": [],
            },
            "$.meta.totalResults",
        ),
        (
            {
                "meta": {"totalResults": 2, "start": 0, "perPage": 2, "count": 2},
                "results": [{"id": 1}, {"id": 2, "createdDate": "yesterday"}],
            },
            "$.results[1].createdDate",
        ),
        (
            {
                "meta": {"totalResults": 1, "start": 0, "perPage": 1, "count": 1},
                "results": [{"name": "no id"}],
            },
            "$.results[0]",
        ),
    ],
)
def test_malformed_list_answers_are_shape_errors_naming_the_path(
    client: IvvyClient, rsps: responses.RequestsMock, answer: Any, path: str
) -> None:
    """A bad answer is a ResponseShapeError at the right path, never a KeyError."""
    rsps.post(url("crm", "getActivityList"), json=answer)

    with pytest.raises(errors.ResponseShapeError) as info:
        client.get_activity_list()

    assert info.value.path.startswith(path)


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        ({"success": True}, errors.ResponseShapeError),
        ({"success": True, "id": "new"}, errors.ResponseShapeError),
        ({"success": True, "id": 0}, errors.ResponseShapeError),
        ({"success": False, "id": 5}, errors.APIError),
        ("ok", errors.ResponseShapeError),
    ],
)
def test_malformed_write_answers(
    client: IvvyClient, rsps: responses.RequestsMock, answer: Any, cls: type[Exception]
) -> None:
    """A write answer without a usable id, or success false, is an error."""
    rsps.post(url("crm", "addOrUpdateTask"), json=answer)

    with pytest.raises(cls):
        client.add_or_update_task(id=5, name="n")


def test_html_and_empty_answers_on_reads_are_retried_then_reported(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """An HTML page or an empty 200 is transient for reads: retried, then raised."""
    for _ in range(4):
        rsps.post(
            url("test", "ping"),
            status=200,
            body="<html>gateway</html>",
            content_type="text/html",
        )

    with pytest.raises(errors.ResponseShapeError) as info:
        client.ping()

    assert info.value.transient and len(rsps.calls) == 4


def test_an_empty_answer_to_a_create_is_ambiguous(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """An empty 200 to a create leaves its outcome unknown: AmbiguousWriteError."""
    rsps.post(url("crm", "addOrUpdateActivity"), status=200, body=b"")

    with pytest.raises(errors.AmbiguousWriteError):
        client.add_or_update_activity(name="n", description="d", sub_type=1)

    assert len(rsps.calls) == 1


def test_http_error_without_an_error_object(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """A 403 with a non-iVvy JSON body maps by status."""
    rsps.post(url("crm", "getTaskList"), status=403, json={"detail": "WAF says no"})

    with pytest.raises(errors.PermissionDeniedError):
        client.get_task_list()


_PARSER = IvvyClient(api_key=KEY, api_secret=SECRET)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "meta",
                    "results",
                    "errorCode",
                    "specificCode",
                    "message",
                    "additionalMessages",
                    "totalResults",
                    "start",
                    "perPage",
                    "count",
                    "id",
                    "subType",
                    "startDatetime",
                    "createdDate",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_JSON, status=st.sampled_from([200, 400, 401, 429, 500]))
def test_any_json_answer_is_a_page_or_a_crmclients_error(
    body: Any, status: int
) -> None:
    """Whatever JSON comes back, the envelope and decoder give a page or a CRMError."""
    client = IvvyClient(api_key=KEY, api_secret=SECRET)
    envelope = IvvyEnvelope()
    response = Response(
        status_code=status, headers={}, content=b"{}", url="https://x", elapsed_ms=1.0
    )
    ctx = CallContext("ivvy", "crm.getActivityList", "POST", "/crm")
    try:
        payload = envelope.unwrap(response, body, ctx)
        meta, items = client._collection(payload, "crm.getActivityList")
        records = client._wire.structure_many(items, IvvyActivity)
    except errors.CRMError:
        return

    assert isinstance(meta.total_results, int)
    assert all(isinstance(r, IvvyActivity) for r in records)
