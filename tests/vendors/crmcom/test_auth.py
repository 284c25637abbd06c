"""CRM.COM sessions: the three logins, token placement, expiry, renewal, release, secrecy."""

from __future__ import annotations

import base64
import json
import logging
import threading

import pytest
import requests
import responses

import crmclients
from crmclients import errors
from crmclients._transport import Request
from crmclients.vendors.crmcom import CrmcomClient, Identifier
from crmclients.vendors.crmcom._auth import TokenAuth, jwt_lifetime
from tests.vendors.crmcom.conftest import (
    API,
    BASE,
    NEW_TOKEN,
    ORGANISATION,
    PASSWORD,
    TOKEN,
    USERNAME,
    WEB_API_KEY,
    FakeClock,
    body,
    failure,
    login_stub,
    ok,
    query,
)

SHOW = f"{API}/communications/show"
COMPLETE = f"{API}/communications/complete"
LOGIN = f"{API}/authentication/token"
RELEASE = f"{API}/authentication/token/release"
INVALID_TOKEN = "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDTOKENEXCEPTION"
EXPIRED = "COM.CRM.EXCEPTION.AUTHENTICATION.TOKENEXPIREDEXCEPTION"
ONE = Identifier.by_number("CM1")


def jwt(lifetime: int) -> str:
    """A JWT shaped like CRM.COM's (exp and iat as strings)."""

    def part(value: object) -> str:
        return (
            base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
        )

    claims = {
        "usr": "u",
        "org": "o",
        "iat": "1000",
        "exp": str(1000 + lifetime),
        "jti": "J",
    }
    return f"{part({'typ': 'JWT', 'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


def login_count(rsps: responses.RequestsMock) -> int:
    """How many logins (``authentication/token``) were sent."""
    return sum(1 for c in rsps.calls if c.request.url.endswith("/authentication/token"))


# -- logins and token placement ----------------------------------------------------------------


def test_password_login_then_token_in_query_for_get_and_body_for_post(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """One lazy login; the token rides in the query of GETs and the JSON body of POSTs."""
    login_stub(rsps)
    rsps.get(SHOW, json=ok({"id": "A"}))
    rsps.post(COMPLETE, json=ok({"id": "A"}))

    password_client.show_communication(ONE)
    password_client.complete_communication(ONE)

    login, show, complete = rsps.calls
    assert body(login) == {
        "username": USERNAME,
        "password": PASSWORD,
        "organisation": ORGANISATION,
    }
    assert query(show)["token"] == TOKEN
    assert body(complete) == {
        "token": TOKEN,
        "communication_identifier": {"number": "CM1"},
    }
    assert "token" not in query(complete)
    assert password_client.logins == 1


def test_nothing_is_sent_before_the_first_call(rsps: responses.RequestsMock) -> None:
    """Creating a client does no I/O (the login is lazy)."""
    CrmcomClient(base_url=BASE, username="u", password="p", organisation="o")

    assert len(rsps.calls) == 0


def test_password_login_with_a_unit(rsps: responses.RequestsMock) -> None:
    """unit is added to the login body when given."""
    client = CrmcomClient(
        base_url=BASE,
        username=USERNAME,
        password=PASSWORD,
        organisation=ORGANISATION,
        unit="U1",
    )
    login_stub(rsps)
    rsps.get(SHOW, json=ok({"id": "A"}))

    client.show_communication(ONE)

    assert body(rsps.calls[0])["unit"] == "U1"


@pytest.mark.parametrize(("unit", "sent"), [(None, {}), ("U7", {"unit": "U7"})])
def test_web_api_key_login_uses_basic_auth_with_an_empty_password(
    rsps: responses.RequestsMock, unit: str | None, sent: dict[str, str]
) -> None:
    """Authorization: Basic base64(key + ':'), body {} or {"unit": ...}, then the token."""
    client = CrmcomClient(base_url=BASE, web_api_key=WEB_API_KEY, unit=unit)
    login_stub(rsps, path="authentication/web_api_key/token")
    rsps.get(SHOW, json=ok({"id": "A"}))

    client.show_communication(ONE)

    login = rsps.calls[0]
    expected = base64.b64encode(f"{WEB_API_KEY}:".encode()).decode()
    assert login.request.headers["Authorization"] == f"Basic {expected}"
    assert login.request.headers["Content-Type"] == "application/json"
    assert body(login) == sent
    assert query(rsps.calls[1])["token"] == TOKEN


def test_a_given_token_is_used_as_is(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """token=... means no login at all."""
    rsps.get(SHOW, json=ok({"id": "A"}))

    client.show_communication(ONE)

    assert [c.request.url.split("?")[0] for c in rsps.calls] == [SHOW]
    assert query(rsps.calls[0])["token"] == TOKEN


def test_bad_credentials_are_an_authentication_error_sent_once(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """INVALIDCREDENTIALS stops at once: no second login, no call, no secret in the text."""
    code = "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDCREDENTIALSEXCEPTION"
    rsps.post(LOGIN, json=failure(code, f"Invalid password {PASSWORD} for {USERNAME}"))

    with pytest.raises(errors.AuthenticationError) as info:
        password_client.show_communication(ONE)

    assert info.value.code == code
    assert len(rsps.calls) == 1
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value.messages)


def test_a_login_answer_without_token_is_a_shape_error(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """OK without data.token is not what the docs promise."""
    rsps.post(LOGIN, json=ok({}))

    with pytest.raises(errors.ResponseShapeError, match="token"):
        password_client.show_communication(ONE)


def test_a_failed_login_before_a_create_is_retried_not_ambiguous(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """The create never left while the login failed: it is retried, and sent once."""
    rsps.post(LOGIN, body=requests.ConnectionError("reset"))
    rsps.post(LOGIN, status=502, body="<html>502</html>", content_type="text/html")
    login_stub(rsps)
    rsps.post(f"{API}/communications/create", json=ok({"id": "N"}))

    created = password_client.create_communication(
        contact_information_identifier=Identifier.by_id("C"),
        direction="OUTGOING",
        media="SMS",
        subject="s",
        content="c",
    )

    assert created.id == "N"
    assert login_count(rsps) == 3
    assert sum(1 for c in rsps.calls if c.request.url.endswith("/create")) == 1


def test_a_login_that_keeps_failing_is_a_transport_error_saying_nothing_was_sent(
    rsps: responses.RequestsMock,
) -> None:
    """Out of attempts: TransportError(request_sent=False), never AmbiguousWriteError."""
    client = CrmcomClient(
        base_url=BASE,
        username=USERNAME,
        password=PASSWORD,
        organisation=ORGANISATION,
        retry=crmclients.RetryPolicy(attempts=2),
    )
    for _ in range(2):
        rsps.post(LOGIN, body=requests.ConnectionError("refused"))

    with pytest.raises(errors.TransportError) as info:
        client.complete_communication(ONE)

    assert info.value.request_sent is False
    assert "could not open a CRM.COM session" in str(info.value)
    assert login_count(rsps) == 2


# -- expiry ------------------------------------------------------------------------------------------


def test_r13_token_is_renewed_ahead_of_its_two_hour_expiry(
    password_client: CrmcomClient, rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Two hours after issue, use or not, a new login happens before the call (no failure)."""
    login_stub(rsps)
    login_stub(rsps, NEW_TOKEN)
    for _ in range(4):
        rsps.get(SHOW, json=ok({"id": "A"}))

    password_client.show_communication(ONE)
    for _ in range(2):
        clock.advance(3500)  # used in between: the absolute expiry is not extended
        password_client.show_communication(ONE)
    assert login_count(rsps) == 1
    clock.advance(100)  # 7100 s after issue: within the 120 s margin
    password_client.show_communication(ONE)

    assert login_count(rsps) == 2
    assert query(rsps.calls[-1])["token"] == NEW_TOKEN
    assert password_client.stats.refreshes == 0  # renewed ahead, not after a refusal


def test_before_r12_a_password_token_expires_when_idle(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """R11: regular use keeps the token past two hours; an idle hour renews it."""
    client = CrmcomClient(
        base_url=BASE,
        username=USERNAME,
        password=PASSWORD,
        organisation=ORGANISATION,
        release="R11",
        clock=clock,
    )
    login_stub(rsps)
    login_stub(rsps, NEW_TOKEN)
    for _ in range(6):
        rsps.get(SHOW, json=ok({"id": "A"}))

    client.show_communication(ONE)
    for _ in range(4):
        clock.advance(3000)
        client.show_communication(ONE)
    assert login_count(rsps) == 1
    clock.advance(3500)
    client.show_communication(ONE)

    assert login_count(rsps) == 2
    assert query(rsps.calls[-1])["token"] == NEW_TOKEN


def test_web_api_key_tokens_expire_after_two_hours_even_before_r12(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Web API key tokens are absolute (2 h) whatever the release."""
    client = CrmcomClient(
        base_url=BASE, web_api_key=WEB_API_KEY, release="R11", clock=clock
    )
    login_stub(rsps, path="authentication/web_api_key/token")
    login_stub(rsps, NEW_TOKEN, path="authentication/web_api_key/token")
    for _ in range(3):
        rsps.get(SHOW, json=ok({"id": "A"}))

    client.show_communication(ONE)
    clock.advance(3590)
    client.show_communication(ONE)
    clock.advance(3590)
    client.show_communication(ONE)

    assert client.logins == 2


def test_a_jwt_lifetime_is_read_from_exp_and_iat(
    password_client: CrmcomClient, rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """A JWT saying exp - iat = 600 s is renewed after 480 s (120 s margin)."""
    login_stub(rsps, jwt(600))
    login_stub(rsps, NEW_TOKEN)
    for _ in range(3):
        rsps.get(SHOW, json=ok({"id": "A"}))

    password_client.show_communication(ONE)
    clock.advance(470)
    password_client.show_communication(ONE)
    assert login_count(rsps) == 1
    clock.advance(20)
    password_client.show_communication(ONE)

    assert login_count(rsps) == 2


@pytest.mark.parametrize(
    ("token", "lifetime"),
    [
        (jwt(7200), 7200.0),
        ("1351195444", None),
        ("a.b.c", None),
        ("x.eyJleHAiOiAiMTAifQ.y", None),  # exp without iat
    ],
)
def test_jwt_lifetime_reading(token: str, lifetime: float | None) -> None:
    """exp - iat of a JWT, None for anything else."""
    assert jwt_lifetime(token) == lifetime


# -- renewal after a refusal -----------------------------------------------------------------------


@pytest.mark.parametrize("code", [INVALID_TOKEN, EXPIRED])
def test_a_refused_token_is_renewed_once_and_the_call_resent(
    password_client: CrmcomClient, rsps: responses.RequestsMock, code: str
) -> None:
    """A token error logs in again and resends the GET with the new token."""
    login_stub(rsps)
    rsps.get(SHOW, json=failure(code, "The token has expired"))
    login_stub(rsps, NEW_TOKEN)
    rsps.get(SHOW, json=ok({"id": "A"}))

    assert password_client.show_communication(ONE).id == "A"
    assert [query(c).get("token") for c in rsps.calls if c.request.method == "GET"] == [
        TOKEN,
        NEW_TOKEN,
    ]
    assert password_client.stats.refreshes == 1


def test_a_post_is_resent_with_the_new_token_in_its_body(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """The JSON body is re-written per attempt: the old token is replaced, the rest kept."""
    login_stub(rsps)
    rsps.post(COMPLETE, json=failure(EXPIRED))
    login_stub(rsps, NEW_TOKEN)
    rsps.post(COMPLETE, json=ok({"id": "A"}))

    password_client.complete_communication(ONE)

    first, second = (body(c) for c in rsps.calls if c.request.url == COMPLETE)
    assert first == {"token": TOKEN, "communication_identifier": {"number": "CM1"}}
    assert second == {"token": NEW_TOKEN, "communication_identifier": {"number": "CM1"}}


def test_a_second_refusal_is_raised(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Only one renewal per call: a token refused twice is AuthenticationError."""
    login_stub(rsps)
    rsps.get(SHOW, json=failure(INVALID_TOKEN))
    login_stub(rsps, NEW_TOKEN)
    rsps.get(SHOW, json=failure(INVALID_TOKEN, f"token {NEW_TOKEN} refused"))

    with pytest.raises(errors.AuthenticationError) as info:
        password_client.show_communication(ONE)

    assert login_count(rsps) == 2
    assert NEW_TOKEN not in str(info.value)


def test_a_given_token_is_never_renewed(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """With token=..., a refusal is raised at once (no login is possible)."""
    rsps.get(SHOW, json=failure(EXPIRED, "The token has expired"))

    with pytest.raises(errors.AuthenticationError, match="expired"):
        client.show_communication(ONE)

    assert len(rsps.calls) == 1


def test_parallel_refusals_renew_the_token_once() -> None:
    """A thread whose token was already replaced by another thread does not log in again."""
    tokens = iter(["T1", "T2", "T3"])
    auth = TokenAuth(login=lambda: next(tokens))
    request = Request(method="GET", url="https://x.test/p")
    seen: list[str] = []

    def worker() -> None:
        auth.apply(request)  # this thread used T1
        barrier.wait()
        auth.refresh()
        seen.append(dict(auth.apply(request).params)["token"])

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert auth.logins == 2
    assert seen == ["T2", "T2"]


# -- release -----------------------------------------------------------------------------------------


def test_close_releases_the_obtained_token(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """close() posts {"token": ...} to authentication/token/release, once."""
    login_stub(rsps)
    rsps.get(SHOW, json=ok({"id": "A"}))
    rsps.post(RELEASE, json=ok({}))

    with password_client:
        password_client.show_communication(ONE)
    password_client.close()

    assert body(rsps.calls[-1]) == {"token": TOKEN}
    assert sum(1 for c in rsps.calls if c.request.url == RELEASE) == 1


def test_after_release_the_next_call_logs_in_again(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """release_token() forgets the token; the session is re-opened on demand."""
    login_stub(rsps)
    rsps.get(SHOW, json=ok({"id": "A"}))
    rsps.post(RELEASE, json=ok({}))
    login_stub(rsps, NEW_TOKEN)
    rsps.get(SHOW, json=ok({"id": "A"}))

    password_client.show_communication(ONE)
    assert password_client.release_token() is True
    assert password_client.release_token() is False
    password_client.show_communication(ONE)

    assert query(rsps.calls[-1])["token"] == NEW_TOKEN


@pytest.mark.parametrize(
    "answer",
    [
        {"json": failure(INVALID_TOKEN, "The token is invalid")},
        {"body": requests.ConnectionError("refused")},
        {"status": 500, "body": "<html>down</html>", "content_type": "text/html"},
    ],
)
def test_close_never_raises(
    password_client: CrmcomClient,
    rsps: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    answer: dict[str, object],
) -> None:
    """A failed release is logged at DEBUG (without the token) and swallowed."""
    login_stub(rsps)
    rsps.get(SHOW, json=ok({"id": "A"}))
    rsps.add(responses.Response("POST", RELEASE, **answer))  # type: ignore[arg-type]
    for _ in range(3):
        rsps.add(responses.Response("POST", RELEASE, **answer))  # type: ignore[arg-type]
    rsps.assert_all_requests_are_fired = False
    password_client.show_communication(ONE)

    with caplog.at_level(logging.DEBUG, logger="crmclients"):
        password_client.close()

    assert "releasing the token failed" in caplog.text
    assert TOKEN not in caplog.text


def test_close_leaves_a_given_token_alone(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """The caller's token is the caller's: close() sends nothing."""
    rsps.get(SHOW, json=ok({"id": "A"}))
    client.show_communication(ONE)

    client.close()

    assert len(rsps.calls) == 1


def test_close_before_any_call_sends_nothing(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """No token was obtained, so nothing is released."""
    password_client.close()

    assert len(rsps.calls) == 0


# -- configuration and secrecy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"token": TOKEN}, "base_url"),
        ({"base_url": BASE}, "missing username"),
        ({"base_url": BASE, "username": "u", "password": "p"}, "missing organisation"),
        ({"base_url": BASE, "password": "p", "organisation": "o"}, "missing username"),
        (
            {"base_url": BASE, "token": TOKEN, "web_api_key": WEB_API_KEY},
            "one way to sign in",
        ),
        ({"base_url": BASE, "token": TOKEN, "username": "u"}, "one way to sign in"),
        ({"base_url": "ftp://crm", "token": TOKEN}, "base_url"),
        (
            {"base_url": BASE, "web_api_key": WEB_API_KEY, "release": "R9"},
            "from CRM.COM R10",
        ),
        ({"base_url": BASE, "token": TOKEN, "timezone": "Mars/Olympus"}, "time zone"),
    ],
)
def test_configuration_errors(kwargs: dict[str, str], message: str) -> None:
    """Missing or conflicting settings fail at construction, naming what to do."""
    with pytest.raises(errors.ConfigurationError, match=message) as info:
        CrmcomClient(**kwargs)  # type: ignore[arg-type]

    assert TOKEN not in str(info.value) and WEB_API_KEY not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        (
            {"username": USERNAME, "password": PASSWORD, "organisation": ORGANISATION},
            "password=[secure]",
        ),
        ({"web_api_key": WEB_API_KEY}, "web_api_key=[secure]"),
        ({"token": TOKEN}, "token=[secure]"),
    ],
)
def test_repr_shows_no_secret(kwargs: dict[str, str], shown: str) -> None:
    """The repr says which credential is used, never its value (nor user or organisation)."""
    text = repr(CrmcomClient(base_url=BASE, **kwargs))  # type: ignore[arg-type]

    assert shown in text
    assert all(
        v not in text for v in (PASSWORD, WEB_API_KEY, TOKEN, USERNAME, ORGANISATION)
    )


def test_tokens_echoed_by_the_server_are_scrubbed_from_errors(
    password_client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """An error message quoting the token shows [secure] instead."""
    login_stub(rsps)
    rsps.get(
        SHOW, json=failure("COM.CRM.EXCEPTION.X", f"bad request for token {TOKEN}")
    )

    with pytest.raises(errors.APIError) as info:
        password_client.show_communication(ONE)

    assert TOKEN not in str(info.value) and "[secure]" in str(info.value)
    assert TOKEN not in repr(info.value.details)


def test_debug_logs_never_show_credentials_or_tokens(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    """Login, renewal, errors and release at DEBUG: no password, key or token appears."""
    caplog.set_level(logging.DEBUG, logger="crmclients")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    password = CrmcomClient(
        base_url=BASE,
        username=USERNAME,
        password=PASSWORD,
        organisation=ORGANISATION,
        clock=clock,
    )
    keyed = CrmcomClient(base_url=BASE, web_api_key=WEB_API_KEY)
    login_stub(rsps)
    rsps.get(SHOW, json=failure(EXPIRED, f"token {TOKEN} expired"))
    login_stub(rsps, NEW_TOKEN)
    rsps.get(SHOW, json=ok({"id": "A"}))
    rsps.get(SHOW, json=failure("COM.CRM.EXCEPTION.X", f"{PASSWORD} {NEW_TOKEN}"))
    rsps.post(RELEASE, json=ok({}))
    rsps.post(
        f"{API}/authentication/web_api_key/token",
        json=failure(
            "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDWEBAPIKEYEXCEPTION", WEB_API_KEY
        ),
    )

    password.show_communication(ONE)
    with pytest.raises(errors.APIError) as first:
        password.show_communication(ONE)
    password.close()
    with pytest.raises(errors.AuthenticationError) as second:
        keyed.show_communication(ONE)

    basic = base64.b64encode(f"{WEB_API_KEY}:".encode()).decode()
    text = (
        caplog.text + str(first.value) + str(second.value) + repr(second.value.details)
    )
    assert "GET" in caplog.text and "[secure]" in caplog.text
    for secret in (PASSWORD, WEB_API_KEY, basic, TOKEN, NEW_TOKEN):
        assert secret not in text


def test_a_callers_token_cannot_be_refreshed_or_released() -> None:
    """refresh() is False and take() gives nothing back for a token the caller owns."""
    auth = TokenAuth(login=None, token="given-token-1")
    post = Request(method="POST", url="https://x.test/p", content=b'{"a": 1}')

    assert auth.refresh() is False
    assert json.loads(auth.apply(post).content or b"") == {
        "token": "given-token-1",
        "a": 1,
    }
    assert auth.take() is None
    assert "given-token-1" not in repr(auth)
