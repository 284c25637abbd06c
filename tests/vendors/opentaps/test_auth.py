"""Opentaps auth: the token exchange, renewal before expiry and after a refusal."""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from responses import matchers

import crmclients
from crmclients import errors
from crmclients._transport import Request
from crmclients.vendors.opentaps import OpentapsClient, TempToken
from crmclients.vendors.opentaps._auth import TokenAuth
from tests.vendors.opentaps.conftest import (
    ACTIVITY,
    BASE,
    DOMAIN,
    ID,
    TEMP,
    TEMP2,
    TOKEN,
    FakeClock,
    form,
    form_of,
    ok,
    query,
)

LIST = f"{BASE}/activities/1"
EXCHANGE = f"{BASE}/oauth/temp-token"


def stub_exchange(rsps: responses.RequestsMock, token: str) -> None:
    """POST /oauth/temp-token with the permanent token answers ``token``."""
    rsps.post(
        EXCHANGE,
        json={"authToken": token},
        match=[form(None, authToken=TOKEN)],
    )


def paths(rsps: responses.RequestsMock) -> list[str]:
    """The method and path of every call, in order."""
    return [f"{c.request.method} {urlsplit(c.request.url).path}" for c in rsps.calls]


def test_the_permanent_token_is_exchanged_before_the_first_call(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """POST /oauth/temp-token with authToken=<permanent>; the call carries the temporary one."""
    stub_exchange(rsps, TEMP)
    rsps.get(LIST, json=ok([ACTIVITY]), match=[query(TEMP)])

    exchanging.list_activities(1)

    assert paths(rsps) == ["POST /oauth/temp-token", "GET /activities/1"]
    assert exchanging.token_exchanges == 1


def test_a_temporary_token_is_reused_while_it_is_fresh(
    exchanging: OpentapsClient, rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Within its first 55 minutes the token is reused: one exchange for many calls."""
    stub_exchange(rsps, TEMP)
    rsps.get(LIST, json=ok([]), match=[query(TEMP)])

    exchanging.list_activities(1)
    clock.advance(54 * 60)
    exchanging.list_activities(1)

    assert paths(rsps).count("POST /oauth/temp-token") == 1


def test_the_token_is_renewed_ahead_of_expiry(
    exchanging: OpentapsClient, rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Five minutes before the 60-minute expiry a new token is fetched, before sending."""
    stub_exchange(rsps, TEMP)
    stub_exchange(rsps, TEMP2)
    rsps.get(LIST, json=ok([]), match=[query(TEMP)])
    rsps.get(LIST, json=ok([]), match=[query(TEMP2)])

    exchanging.list_activities(1)
    clock.advance(55 * 60 + 1)
    exchanging.list_activities(1)

    assert paths(rsps) == [
        "POST /oauth/temp-token",
        "GET /activities/1",
        "POST /oauth/temp-token",
        "GET /activities/1",
    ]
    assert exchanging.stats.refreshes == 0  # renewed ahead, never refused


def test_a_refused_token_is_renewed_once_and_the_call_resent(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """401 -> one new exchange -> the same call again, which succeeds."""
    stub_exchange(rsps, TEMP)
    stub_exchange(rsps, TEMP2)
    rsps.get(LIST, status=401, json={"error": "authToken expired"}, match=[query(TEMP)])
    rsps.get(LIST, json=ok([ACTIVITY]), match=[query(TEMP2)])

    [activity] = exchanging.list_activities(1)

    assert activity.id == ID
    assert paths(rsps) == [
        "POST /oauth/temp-token",
        "GET /activities/1",
        "POST /oauth/temp-token",
        "GET /activities/1",
    ]
    assert exchanging.stats.refreshes == 1


def test_a_second_refusal_is_raised(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Only one renewal per call: a second 401 is AuthenticationError."""
    rsps.post(EXCHANGE, json={"authToken": TEMP})
    rsps.post(EXCHANGE, json={"authToken": TEMP2})
    rsps.get(LIST, status=401, json={"error": "Invalid authToken"})

    with pytest.raises(errors.AuthenticationError):
        exchanging.list_activities(1)

    assert paths(rsps).count("POST /oauth/temp-token") == 2
    assert paths(rsps).count("GET /activities/1") == 2


def test_a_plain_token_is_sent_as_is_and_never_renewed(
    client: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """token_exchange=False: the permanent token goes out; a 401 is raised at once."""
    rsps.get(
        LIST, status=401, json={"error": "Invalid authToken"}, match=[query(TOKEN)]
    )

    with pytest.raises(errors.AuthenticationError):
        client.list_activities(1)

    assert paths(rsps) == ["GET /activities/1"]


def test_a_refused_permanent_token_fails_the_exchange(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A wrong permanent token: AuthenticationError from the exchange, nothing else sent."""
    rsps.post(EXCHANGE, status=401, json={"error": f"Invalid authToken {TOKEN}"})

    with pytest.raises(errors.AuthenticationError) as info:
        exchanging.list_activities(1)

    assert paths(rsps) == ["POST /oauth/temp-token"]
    assert TOKEN not in str(info.value) + repr(info.value.messages)


@pytest.mark.parametrize(
    "body",
    [{"authToken": TEMP}, ok({"authToken": TEMP})],
)
def test_get_temp_token_reads_both_answer_shapes(
    exchanging: OpentapsClient, rsps: responses.RequestsMock, body: object
) -> None:
    """The bare {"authToken": ...} answer and the result envelope both work."""
    rsps.post(EXCHANGE, json=body)

    token = exchanging.get_temp_token()

    assert token == TempToken(auth_token=TEMP)
    assert TEMP not in repr(token)


@pytest.mark.parametrize("body", [{"token": TEMP}, {"authToken": ""}, {"authToken": 5}])
def test_a_temp_token_answer_without_a_token_is_a_shape_error(
    exchanging: OpentapsClient, rsps: responses.RequestsMock, body: object
) -> None:
    """No authToken string in the answer: ResponseShapeError naming $.authToken."""
    rsps.post(EXCHANGE, json=body)

    with pytest.raises(errors.ResponseShapeError) as info:
        exchanging.get_temp_token()

    assert info.value.path == "$.authToken"


def test_validate_token_posts_json(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """/oauth/validate takes {"authToken": ...} as JSON and answers authenticated."""
    rsps.post(
        f"{BASE}/oauth/validate",
        json={"authenticated": True},
        match=[
            matchers.json_params_matcher({"authToken": TEMP}),
            matchers.header_matcher({"Content-Type": "application/json"}),
        ],
    )
    rsps.post(
        f"{BASE}/oauth/validate",
        json={"authenticated": False},
        match=[matchers.json_params_matcher({"authToken": TEMP2})],
    )

    assert exchanging.validate_token(TempToken(auth_token=TEMP)) is True
    assert exchanging.validate_token(TEMP2) is False


def test_validate_token_defaults_to_the_current_token(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Without an argument the token the client would send next is checked."""
    stub_exchange(rsps, TEMP)
    rsps.post(
        f"{BASE}/oauth/validate",
        json={"authenticated": True},
        match=[matchers.json_params_matcher({"authToken": TEMP})],
    )

    assert exchanging.validate_token() is True


def test_validate_answer_must_say_authenticated(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """A validate answer without a boolean authenticated is a shape error."""
    rsps.post(f"{BASE}/oauth/validate", json={"valid": "maybe"})

    with pytest.raises(errors.ResponseShapeError, match="authenticated"):
        exchanging.validate_token(TEMP)


def test_credentials_travel_in_the_query_for_get_and_the_body_otherwise(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """GET: query string only; POST/PUT/DELETE: form body only."""
    stub_exchange(rsps, TEMP)
    rsps.get(LIST, json=ok([]))
    rsps.put(
        f"{BASE}/activities/{ID}",
        json=ok(ACTIVITY),
        match=[form(TEMP, partial="Yes", status="STARTED")],
    )
    rsps.delete(f"{BASE}/activities/{ID}", json=ok(True), match=[form(TEMP)])

    exchanging.list_activities(1)
    exchanging.update_activity(ID, {"status": "STARTED"})
    exchanging.delete_activity(ID)

    get, put, delete = rsps.calls[1:]
    assert dict(parse_qsl(urlsplit(get.request.url).query)) == {
        "authToken": TEMP,
        "clientDomain": DOMAIN,
    }
    assert not get.request.body
    for call in (put, delete):
        assert urlsplit(call.request.url).query == ""
        assert form_of(call.request)["authToken"] == TEMP


def test_a_vendor_echoing_a_temporary_token_is_scrubbed(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Tokens obtained at run time are registered with the redactor."""
    stub_exchange(rsps, TEMP)
    rsps.get(LIST, status=400, json={"error": f"token {TEMP} has no ACTIVITY_VIEW"})

    with pytest.raises(errors.APIError) as info:
        exchanging.list_activities(1)

    assert TEMP not in str(info.value) + repr(info.value.messages)
    assert "[secure]" in str(info.value)


def test_tokens_never_reach_debug_logs(
    exchanging: OpentapsClient,
    rsps: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Exchange, success, refusal, renewal and failure: no token in any log line."""
    caplog.set_level(logging.DEBUG, logger="crmclients")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    rsps.post(EXCHANGE, json={"authToken": TEMP})
    rsps.post(EXCHANGE, json={"authToken": TEMP2})
    rsps.get(LIST, status=401, json={"error": f"authToken {TEMP} expired"})
    rsps.get(LIST, json=ok([ACTIVITY]))
    rsps.get(f"{BASE}/activities/2", status=500, json={"error": f"boom {TEMP2}"})

    exchanging.list_activities(1)
    with pytest.raises(errors.ServerError) as info:
        exchanging.list_activities(2)

    text = caplog.text + str(info.value) + repr(exchanging) + repr(exchanging._auth)
    assert "GET" in caplog.text  # requests were logged
    for secret in (TOKEN, TEMP, TEMP2):
        assert secret not in text


def test_refresh_after_another_thread_renewed_does_not_exchange_again() -> None:
    """Two threads refused with the same old token cause one exchange, not two."""
    issued = iter(["t-one-1111", "t-two-2222", "t-three-333"])
    auth = TokenAuth(
        permanent=TOKEN, client_domain=DOMAIN, exchange=lambda: next(issued)
    )
    request = Request(method="GET", url=f"{BASE}/task")
    ready, renewed = threading.Event(), threading.Event()
    results: list[bool] = []

    def other_thread() -> None:
        auth.apply(request)  # sends "t-one-1111", gets refused...
        ready.set()
        renewed.wait(5)
        results.append(auth.refresh())  # ...after the main thread renewed

    worker = threading.Thread(target=other_thread)
    worker.start()
    ready.wait(5)
    auth.apply(request)
    auth.refresh()
    renewed.set()
    worker.join(5)

    assert results == [True]
    assert auth.exchanges == 2  # the first token and one renewal
    assert auth.current() == "t-two-2222"
    assert TOKEN not in repr(auth)


def test_connect_turns_the_exchange_off_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CRMCLIENTS_OPENTAPS_TOKEN_EXCHANGE=false gives a plain-token client."""
    monkeypatch.setenv("CRMCLIENTS_OPENTAPS_TOKEN_EXCHANGE", "false")

    with crmclients.connect(
        "opentaps", auth_token=TOKEN, client_domain=DOMAIN
    ) as client:
        assert client.native.token_exchange is False
    with crmclients.connect(
        "opentaps", auth_token=TOKEN, client_domain=DOMAIN, token_exchange=True
    ) as client:
        assert client.native.token_exchange is True


def test_connect_names_the_missing_setting() -> None:
    """A missing client domain names its environment variable."""
    with pytest.raises(
        errors.ConfigurationError, match="CRMCLIENTS_OPENTAPS_CLIENT_DOMAIN"
    ):
        crmclients.connect("opentaps", auth_token=TOKEN)


def test_a_failed_exchange_is_retried_by_the_call_that_needed_it(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """The automatic exchange makes one attempt per attempt of the call that needed
    it: with the exchange failing every time, 3 attempts send 3 exchanges (not 3 x 3)
    and then the call fails; a later success is used at once."""
    client = OpentapsClient(
        auth_token=TOKEN,
        client_domain=DOMAIN,
        clock=clock,
        retry=crmclients.RetryPolicy(attempts=3),
    )
    rsps.post(EXCHANGE, status=503)

    with pytest.raises(errors.CRMError):
        client.list_activities(1)
    assert paths(rsps) == ["POST /oauth/temp-token"] * 3

    rsps.replace(responses.POST, EXCHANGE, json={"authToken": TEMP})
    rsps.get(LIST, json=ok([ACTIVITY]), match=[query(TEMP)])
    client.list_activities(1)
    assert paths(rsps)[3:] == ["POST /oauth/temp-token", "GET /activities/1"]


def test_get_temp_token_called_directly_keeps_its_retries(
    exchanging: OpentapsClient, rsps: responses.RequestsMock
) -> None:
    """Asked for explicitly, the exchange is retried like any other call."""
    rsps.post(EXCHANGE, status=503)
    stub_exchange(rsps, TEMP)

    assert exchanging.get_temp_token().auth_token == TEMP
    assert paths(rsps) == ["POST /oauth/temp-token", "POST /oauth/temp-token"]
