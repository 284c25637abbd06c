"""Opentaps envelope: every error shape, malformed answers, retries and replays."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmclients import RetryPolicy, errors
from crmclients._transport import Request, Response
from crmclients.vendors.opentaps import OpentapsActivity, OpentapsClient
from tests.vendors.opentaps.conftest import ACTIVITY, BASE, C1, DOMAIN, ID, TOKEN, ok

LIST = f"{BASE}/activities/5/0"


@pytest.mark.parametrize(
    ("status", "body", "cls", "messages"),
    [
        (
            401,
            {"error": "Invalid authToken"},
            errors.AuthenticationError,
            ["Invalid authToken"],
        ),
        (
            403,
            {"error": "clientDomain x.com is not permitted for this user"},
            errors.PermissionDeniedError,
            ["clientDomain x.com is not permitted for this user"],
        ),
        (
            404,
            {"error": f"Activity {ID} not found"},
            errors.NotFoundError,
            [f"Activity {ID} not found"],
        ),
        (
            400,
            {"errors": ["noteText is too long"], "message": "Validation failed"},
            errors.RejectedError,
            ["noteText is too long", "Validation failed"],
        ),
        (422, {"message": "Unprocessable"}, errors.RejectedError, ["Unprocessable"]),
        (
            409,
            {"message": "Edited meanwhile"},
            errors.ConflictError,
            ["Edited meanwhile"],
        ),
        (
            500,
            {"error": {"message": "NullPointerException"}},
            errors.ServerError,
            ["NullPointerException"],
        ),
        (
            400,
            {"error": "authToken expired"},
            errors.AuthenticationError,
            ["authToken expired"],
        ),
        (
            400,
            {"message": "No such activity"},
            errors.NotFoundError,
            ["No such activity"],
        ),
        (200, {"error": "Something failed"}, errors.APIError, ["Something failed"]),
        (401, None, errors.AuthenticationError, []),
    ],
)
def test_error_shapes_map_to_the_right_class(
    single: OpentapsClient,
    rsps: responses.RequestsMock,
    status: int,
    body: Any,
    cls: type[errors.APIError],
    messages: list[str],
) -> None:
    """error, errors (+ message) and message alone, read with the HTTP status."""
    rsps.get(LIST, status=status, **({"json": body} if body is not None else {}))

    with pytest.raises(errors.APIError) as info:
        single.list_activities(5, 0)

    assert type(info.value) is cls
    assert info.value.messages == messages
    assert info.value.status_code == status
    assert (info.value.vendor, info.value.operation) == ("opentaps", "activities.list")


@pytest.mark.parametrize(
    ("body", "field_errors"),
    [
        (
            {
                "errors": {"status": "status must be one of CREATED"},
                "message": "Validation failed",
            },
            {"status": ["status must be one of CREATED"]},
        ),
        (
            {"errors": [{"field": "noteText", "message": "required"}]},
            {"noteText": ["required"]},
        ),
    ],
)
def test_field_errors_become_rejected_error_details(
    single: OpentapsClient,
    rsps: responses.RequestsMock,
    body: dict[str, Any],
    field_errors: dict[str, list[str]],
) -> None:
    """errors keyed by field (object or list of objects) land in field_errors."""
    rsps.post(f"{BASE}/activities", status=400, json=body)

    with pytest.raises(errors.RejectedError) as info:
        single.save_activity({"noteText": "x"})

    assert info.value.field_errors == field_errors


def test_field_errors_on_a_200_are_rejected(
    single: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A 2xx answer carrying errors and no result is a failure too."""
    rsps.post(f"{BASE}/task", json={"errors": {"noteText": "required"}})

    with pytest.raises(errors.RejectedError) as info:
        single.create_task({"noteText": ""})

    assert info.value.status_code == 200
    assert info.value.field_errors == {"noteText": ["required"]}


def test_rate_limit_carries_retry_after(
    single: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """429 is RateLimitError with the Retry-After seconds."""
    rsps.get(
        LIST, status=429, json={"message": "slow down"}, headers={"Retry-After": "7"}
    )

    with pytest.raises(errors.RateLimitError) as info:
        single.list_activities(5, 0)

    assert info.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("kwargs", "cls", "transient"),
    [
        ({"status": 200, "body": b""}, errors.ResponseShapeError, True),
        (
            {"status": 200, "body": b"<html>oops</html>", "content_type": "text/html"},
            errors.ResponseShapeError,
            True,
        ),
        (
            {
                "status": 502,
                "body": b"<html>Bad Gateway</html>",
                "content_type": "text/html",
            },
            errors.ServerError,
            None,
        ),
        (
            {
                "status": 200,
                "body": b'{"result": {"resultVal',
                "content_type": "application/json",
            },
            errors.ResponseShapeError,
            True,
        ),
    ],
)
def test_unreadable_answers_are_crm_errors(
    single: OpentapsClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    cls: type[errors.CRMError],
    transient: bool | None,
) -> None:
    """Empty, HTML and cut-off answers are crmclients errors, never decode errors."""
    rsps.get(LIST, **kwargs)

    with pytest.raises(cls) as info:
        single.list_activities(5, 0)

    if transient is not None:
        assert getattr(info.value, "transient", None) is transient


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ([ACTIVITY], "$"),
        ({"result": {}}, "$.result.resultValue"),
        ({"result": []}, "$.result.resultValue"),
        (ok({"_id": ID}), "$.result.resultValue"),
        (
            ok([ACTIVITY, {**ACTIVITY, "scheduledDateTime": "tomorrow"}]),
            "$.result.resultValue[1].scheduledDateTime",
        ),
        (ok([{"noteText": "no id"}]), "$.result.resultValue[0]._id"),
        (ok([{"_id": ID, "contacts": [7]}]), "$.result.resultValue[0].contacts[0]"),
        (
            ok([{"_id": ID, "assignedToContact": {"a": 1}}]),
            "$.result.resultValue[0].assignedToContact",
        ),
        (ok([{"_id": ID, "status": ["CREATED"]}]), "$.result.resultValue[0].status"),
    ],
)
def test_malformed_answers_name_the_path(
    single: OpentapsClient, rsps: responses.RequestsMock, body: Any, path: str
) -> None:
    """A malformed answer is ResponseShapeError naming where, not KeyError/TypeError."""
    rsps.get(LIST, json=body)

    with pytest.raises(errors.ResponseShapeError) as info:
        single.list_activities(5, 0)

    assert info.value.path == path


def test_a_single_record_answer_must_be_an_object(
    single: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A create answering a list is a shape error naming resultValue."""
    rsps.post(f"{BASE}/task", json=ok([1, 2]))

    with pytest.raises(errors.ResponseShapeError, match="resultValue"):
        single.create_task({"noteText": "x"})


# -- retries and replays -----------------------------------------------------------------------


def test_reads_recover_from_a_scripted_fault_sequence(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """500, 503, 429, a reset and a truncated answer: the read still succeeds."""
    rsps.get(LIST, status=500, json={"error": "boom"})
    rsps.get(LIST, status=503)
    rsps.get(LIST, status=429, headers={"Retry-After": "0"})
    rsps.get(LIST, body=requests.ConnectionError("Connection reset by peer"))
    rsps.get(LIST, body=b'{"result":', content_type="application/json")
    rsps.get(LIST, json=ok([ACTIVITY]))
    client._requestor.retry = RetryPolicy(attempts=6)

    assert [a.id for a in client.list_activities(5, 0)] == [ID]
    assert len(rsps.calls) == 6


def test_task_create_with_unknown_outcome_is_ambiguous_and_sent_once(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A reset after POST /task was sent is never replayed: AmbiguousWriteError."""
    rsps.post(f"{BASE}/task", body=requests.ConnectionError("Connection reset by peer"))

    with pytest.raises(errors.AmbiguousWriteError):
        client.create_task({"noteText": "once"})

    assert len(rsps.calls) == 1


def test_activity_create_after_a_500_is_ambiguous(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A 500 on a create may have stored it: no replay."""
    rsps.post(f"{BASE}/activities", status=500, json={"error": "boom"})

    with pytest.raises(errors.AmbiguousWriteError):
        client.save_activity({"noteText": "once"})

    assert len(rsps.calls) == 1


def test_create_after_503_is_retried(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """503 says nothing was processed, so even a create is retried."""
    rsps.post(f"{BASE}/activities", status=503)
    rsps.post(f"{BASE}/activities", json=ok(ACTIVITY))

    assert client.save_activity({"noteText": "x"}).id == ID
    assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("method", "url", "call"),
    [
        (
            "PUT",
            f"{BASE}/activities/{ID}",
            lambda c: c.update_activity(ID, {"status": "STARTED"}),
        ),
        ("DELETE", f"{BASE}/activities/{ID}", lambda c: c.delete_activity(ID)),
        (
            "POST",
            f"{BASE}/activities/contact/add",
            lambda c: c.add_contact(ID, C1, "billing"),
        ),
        (
            "POST",
            f"{BASE}/activities/contact/remove",
            lambda c: c.remove_contact(ID, C1),
        ),
        (
            "POST",
            f"{BASE}/activities",
            lambda c: c.save_activity({"noteText": "x"}, activity_id=ID),
        ),
    ],
)
def test_idempotent_writes_recover_from_a_reset(
    client: OpentapsClient,
    rsps: responses.RequestsMock,
    method: str,
    url: str,
    call: Any,
) -> None:
    """Updates, deletes and contact links by id are replayed after a reset."""
    rsps.add(method, url, body=requests.ConnectionError("Connection reset by peer"))
    rsps.add(method, url, json=ok(ACTIVITY))

    call(client)

    assert len(rsps.calls) == 2


# -- property: any JSON in -> a model or a crmclients error --------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "result",
                    "resultValue",
                    "_id",
                    "error",
                    "errors",
                    "message",
                    "status",
                    "contacts",
                    "assignedToContact",
                    "scheduledDateTime",
                    "activity",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


class _Canned:
    """A transport that answers every request with the same status and body."""

    def __init__(self) -> None:
        self.status = 200
        self.content = b""

    def send(self, request: Request) -> Response:
        return Response(
            status_code=self.status,
            headers={"Content-Type": "application/json"},
            content=self.content,
            url=request.url,
            elapsed_ms=1.0,
        )

    def close(self) -> None:
        pass


_TRANSPORT = _Canned()
_CLIENT = OpentapsClient(
    auth_token=TOKEN,
    client_domain=DOMAIN,
    token_exchange=False,
    transport=_TRANSPORT,
    retry=RetryPolicy.none(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=JSON, status=st.sampled_from([200, 400, 401, 404, 500]))
def test_any_json_answer_gives_models_or_a_crm_error(body: Any, status: int) -> None:
    """Whatever JSON comes back, the decoders return models or raise a CRMError."""
    import orjson

    _TRANSPORT.status = status
    _TRANSPORT.content = orjson.dumps(body)
    for call in (
        lambda: _CLIENT.list_activities(5, 0),
        lambda: _CLIENT.create_task({"noteText": "x"}),
        lambda: _CLIENT.add_contact(ID, C1),
        lambda: _CLIENT.search_tasks(),
    ):
        try:
            result = call()
        except errors.CRMError:
            continue
        records = result if isinstance(result, list) else [result]
        assert all(r is None or isinstance(r, OpentapsActivity) for r in records)
