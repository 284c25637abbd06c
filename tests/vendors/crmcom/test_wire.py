"""CRM.COM wire format: date forms, the envelope, error codes, malformed answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmclients import errors
from crmclients._requestor import CallContext
from crmclients._transport import Response
from crmclients.vendors.crmcom import (
    CommunicationQueueEntry,
    CrmcomClient,
    CrmcomCommunication,
    Identifier,
)
from crmclients.vendors.crmcom._errors import CrmcomEnvelope, error_class
from crmclients.vendors.crmcom._wire import format_datetime, parse_datetime, structurer
from tests.vendors.crmcom.conftest import API, failure, ok

SHOW = f"{API}/communications/show"
NICOSIA = ZoneInfo("Europe/Nicosia")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon May 22 12:42:03 EEST 2017", datetime(2017, 5, 22, 9, 42, 3, tzinfo=UTC)),
        ("Mon May 05 15:49:59 EEST 2014", datetime(2014, 5, 5, 12, 49, 59, tzinfo=UTC)),
        ("Thu Jan 05 15:49:59 EET 2017", datetime(2017, 1, 5, 13, 49, 59, tzinfo=UTC)),
        ("Thu Jan 05 15:49:59 UTC 2017", datetime(2017, 1, 5, 15, 49, 59, tzinfo=UTC)),
        ("Thu Jan 05 15:49:59 GMT 2017", datetime(2017, 1, 5, 15, 49, 59, tzinfo=UTC)),
        ("Thu Jul 06 15:49:59 CEST 2017", datetime(2017, 7, 6, 13, 49, 59, tzinfo=UTC)),
        (
            "Thu Jul 06 15:49:59 +0300 2017",
            datetime(2017, 7, 6, 12, 49, 59, tzinfo=UTC),
        ),
        (
            "Thu Jul 06 15:49:59 -01:30 2017",
            datetime(2017, 7, 6, 17, 19, 59, tzinfo=UTC),
        ),
        ("2015-04-30T13:23:51", datetime(2015, 4, 30, 13, 23, 51, tzinfo=UTC)),
        ("2015-04-30 13:23:51", datetime(2015, 4, 30, 13, 23, 51, tzinfo=UTC)),
        ("2015-04-30T13:23:51+03:00", datetime(2015, 4, 30, 10, 23, 51, tzinfo=UTC)),
        ("2015-04-30T13:23:51Z", datetime(2015, 4, 30, 13, 23, 51, tzinfo=UTC)),
        ("2015-04-30", datetime(2015, 4, 30, tzinfo=UTC)),
    ],
)
def test_every_documented_date_form_is_read(text: str, expected: datetime) -> None:
    """ISO 8601 (naive in the client zone) and Java's toString() with zone abbreviations."""
    assert parse_datetime(text) == expected


def test_naive_dates_use_the_given_zone_but_java_dates_keep_theirs() -> None:
    """A naive ISO date is in the client zone; a Java date carries its own."""
    assert parse_datetime("2017-05-22T12:42:03", NICOSIA) == datetime(
        2017, 5, 22, 9, 42, 3, tzinfo=UTC
    )
    assert parse_datetime("Mon May 22 12:42:03 UTC 2017", NICOSIA) == datetime(
        2017, 5, 22, 12, 42, 3, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("Mon May 22 12:42:03 XYZT 2017", ValueError),
        ("Mon Foo 22 12:42:03 UTC 2017", ValueError),
        ("22/05/2017", ValueError),
        (1495446123, TypeError),
        (None, TypeError),
    ],
)
def test_unreadable_dates_raise(value: Any, error: type[Exception]) -> None:
    """Unknown zones and forms are errors, never a silent guess."""
    with pytest.raises(error):
        parse_datetime(value)


def test_dates_are_sent_in_the_client_zone_without_offset() -> None:
    """YYYY-MM-DDTHH:MM:SS in the client zone, as the examples send them."""
    moment = datetime(2017, 5, 22, 9, 42, 3, tzinfo=UTC)

    assert format_datetime(moment, NICOSIA) == "2017-05-22T12:42:03"
    assert (
        format_datetime(moment.replace(tzinfo=None), NICOSIA) == "2017-05-22T09:42:03"
    )


def test_an_unknown_zone_in_an_answer_names_the_field(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """A viewed_on the client cannot read is ResponseShapeError at its path."""
    rsps.get(SHOW, json=ok({"id": "A", "viewed_on": "Mon May 22 12:42:03 XYZT 2017"}))

    with pytest.raises(errors.ResponseShapeError) as info:
        client.show_communication(Identifier.by_id("A"))

    assert info.value.path == "$.data.viewed_on"
    assert "XYZT" in str(info.value)


# -- error codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (
            "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDTOKENEXCEPTION",
            errors.AuthenticationError,
        ),
        (
            "COM.CRM.EXCEPTION.AUTHENTICATION.TOKENEXPIREDEXCEPTION",
            errors.AuthenticationError,
        ),
        ("COM.CRM.EXCEPTION.WEBAPI.EXPIREDTOKENEXCEPTION", errors.AuthenticationError),
        ("COM.CRM.EXCEPTION.LOGIN.WRONGPASSWORDEXCEPTION", errors.AuthenticationError),
        (
            "COM.CRM.EXCEPTION.ACCESSTOKENS.ACCESSTOKENNOTFOUNDEXCEPTION",
            errors.NotFoundError,
        ),
        (
            "COM.CRM.EXCEPTION.COMMUNICATIONS.COMMUNICATIONNOTFOUNDEXCEPTION",
            errors.NotFoundError,
        ),
        (
            "COM.CRM.EXCEPTION.CONTACTS.CONTACTDOESNOTEXISTEXCEPTION",
            errors.NotFoundError,
        ),
        (
            "COM.CRM.EXCEPTION.SECURITY.NOPERMISSIONEXCEPTION",
            errors.PermissionDeniedError,
        ),
        (
            "COM.CRM.EXCEPTION.COMMUNICATIONS.ONLYDRAFTCOMMUNICATIONSCANBEUPDATEDEXCEPTION",
            errors.ConflictError,
        ),
        (
            "COM.CRM.EXCEPTION.SUBSCRIPTIONS.SERVICEALREADYEXISTSONSUBSCRIPTIONEXCEPTION",
            errors.ConflictError,
        ),
        (
            "COM.CRM.EXCEPTION.SUBSCRIPTIONS.ATLEASTONEOFTHEFIELDSMUSTBEAMENDEDEXCEPTION",
            errors.RejectedError,
        ),
        (
            "COM.CRM.EXCEPTION.WEBAPI.MANDATORYPARAMETERMISSINGEXCEPTION",
            errors.RejectedError,
        ),
        (
            "COM.CRM.EXCEPTION.WEBAPI.INVALIDPARAMETERVALUEEXCEPTION",
            errors.RejectedError,
        ),
        ("COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION", errors.APIError),
        ("FAILED", errors.APIError),
    ],
)
def test_exception_codes_map_to_error_classes(
    code: str, cls: type[errors.APIError]
) -> None:
    """Token/credential -> auth, missing -> not found, state -> conflict, validation -> rejected."""
    assert error_class(code) is cls


def test_any_non_ok_code_is_an_error_even_with_http_200(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Success is only status.code == "OK": "ok", "SUCCESS" or a code with HTTP 200 is not."""
    rsps.get(
        SHOW,
        json={"status": {"code": "ok", "message": "", "description": ""}, "data": {}},
    )

    with pytest.raises(errors.APIError) as info:
        client.show_communication(Identifier.by_id("A"))

    assert (type(info.value), info.value.code, info.value.status_code) == (
        errors.APIError,
        "ok",
        200,
    )


def test_ok_is_success_whatever_the_http_status(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """An OK envelope is success even when the HTTP status says otherwise."""
    rsps.get(SHOW, status=400, json=ok({"id": "A"}))

    assert client.show_communication(Identifier.by_id("A")).id == "A"


def test_an_unknown_code_with_a_5xx_status_is_a_server_error(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Where the code says nothing, the HTTP status decides (and 5xx reads are retried)."""
    for _ in range(4):
        rsps.get(
            SHOW,
            status=500,
            json=failure("COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION", "boom"),
        )

    with pytest.raises(errors.ServerError) as info:
        client.show_communication(Identifier.by_id("A"))

    assert (info.value.status_code, info.value.code) == (
        500,
        "COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION",
    )
    assert len(rsps.calls) == 4


def test_message_and_description_both_reach_the_error(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """The message, the description and the code are all in the error text."""
    rsps.get(
        SHOW,
        json=failure("COM.CRM.EXCEPTION.X.YEXCEPTION", "Short", "Longer description"),
    )

    with pytest.raises(errors.APIError) as info:
        client.show_communication(Identifier.by_id("A"))

    assert "Short: Longer description [COM.CRM.EXCEPTION.X.YEXCEPTION]" in str(
        info.value
    )


# -- malformed answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "path"),
    [
        ({"json": [1, 2]}, "$.status"),
        ({"json": {"data": {}}}, "$.status"),
        ({"json": {"status": "OK", "data": {}}}, "$.status"),
        ({"json": {"status": {"code": 200}, "data": {}}}, "$.status.code"),
        ({"json": {"status": {"code": " "}, "data": {}}}, "$.status.code"),
        ({"json": ok([{"id": "A"}])}, "$.data"),
        ({"json": ok("A")}, "$.data"),
        (
            {"json": ok({"id": "A", "contact_information": "Kathy"})},
            "$.data.contact_information",
        ),
        ({"json": ok({"id": "A", "viewed": "maybe"})}, "$.data.viewed"),
        (
            {"json": ok({"id": "A", "log_information": {"created_date": 12}})},
            "$.data.log_information.created_date",
        ),
        (
            {
                "json": ok(
                    {"id": "A", "unrestricted_parameter_set": [{"float_value": "x"}]}
                )
            },
            "$.data.unrestricted_parameter_set[0].float_value",
        ),
    ],
)
def test_malformed_answers_are_shape_errors_naming_the_path(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    answer: dict[str, Any],
    path: str,
) -> None:
    """Never a KeyError or TypeError: ResponseShapeError at the offending path."""
    rsps.get(SHOW, **answer)

    with pytest.raises(errors.ResponseShapeError) as info:
        client.show_communication(Identifier.by_id("A"))

    assert info.value.path == path


def test_an_html_page_on_a_read_is_retried(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """A proxy's HTML page with status 200 is transient for reads."""
    rsps.get(
        SHOW, status=200, body="<html>Bad gateway</html>", content_type="text/html"
    )
    rsps.get(SHOW, json=ok({"id": "A"}))

    assert client.show_communication(Identifier.by_id("A")).id == "A"


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (
            {"status": 502, "body": "<html>502</html>", "content_type": "text/html"},
            errors.ServerError,
        ),
        (
            {"status": 404, "body": "Not Found", "content_type": "text/plain"},
            errors.NotFoundError,
        ),
        ({"status": 401, "body": b""}, errors.AuthenticationError),
        ({"status": 200, "body": b""}, errors.ResponseShapeError),
        ({"status": 403, "json": {"error": "forbidden"}}, errors.PermissionDeniedError),
    ],
)
def test_answers_outside_the_envelope(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    answer: dict[str, Any],
    cls: type[Exception],
) -> None:
    """Without an envelope the HTTP status decides; an empty 200 is unreadable."""
    for _ in range(4):
        rsps.get(SHOW, **answer)
    rsps.assert_all_requests_are_fired = False

    with pytest.raises(cls):
        client.show_communication(Identifier.by_id("A"))


# -- any answer: a model or a crmclients error ---------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["2015-04-30T13:23:51", "Mon May 22 12:42:03 EEST 2017", "OK"])
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_KEYS = [
    "id",
    "number",
    "media",
    "viewed",
    "viewed_on",
    "contact_information",
    "category",
    "log_information",
    "unrestricted_parameter_set",
    "follow_up_set",
    "referring_to",
    "communication",
    "udf_float_1",
]
_RECORD = st.fixed_dictionaries({}, optional=dict.fromkeys(_KEYS, _JSON))
_ANSWER = _JSON | st.fixed_dictionaries(
    {
        "status": st.fixed_dictionaries({"code": st.sampled_from(["OK", "X"]) | _JSON})
        | _JSON,
        "data": _RECORD | st.lists(_RECORD, max_size=3) | _JSON,
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=_ANSWER, status=st.sampled_from([200, 400, 500]))
def test_any_answer_is_a_model_or_a_crmclients_error(answer: Any, status: int) -> None:
    """Whatever JSON arrives, the result is a native model (or list) or a CRMError."""
    envelope = CrmcomEnvelope()
    wire = structurer(UTC)
    response = Response(
        status_code=status,
        headers={"Content-Type": "application/json"},
        content=b"{}",
        url=SHOW,
        elapsed_ms=1.0,
    )
    ctx = CallContext("crmcom", "communications.show", "GET", "/communications/show")
    try:
        data = envelope.unwrap(response, answer, ctx)
        one = wire.structure(data, CrmcomCommunication, path="$.data")
        entry = wire.structure(data, CommunicationQueueEntry, path="$.data")
    except errors.CRMError:
        return
    assert isinstance(one, CrmcomCommunication)
    assert isinstance(entry, CommunicationQueueEntry)
