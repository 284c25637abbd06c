"""Fixtures for Opentaps unit tests: clients over a strict responses mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
import responses
from responses import matchers

from crmclients import RetryPolicy
from crmclients.vendors.opentaps import OpentapsClient

TOKEN = "perm-token-3f9a7c21d8e4"
TEMP = "temp-token-a1b2c3d4e5f6"
TEMP2 = "temp-token-99887766aabb"
DOMAIN = "acme.com"
BASE = "https://crm2.opentaps.com"
ID = "5166b967e4b0f6e6cd09e700"
ID2 = "5166b967e4b0f6e6cd09e701"
C1 = "5166b967e4b0f6e6cd09e653"
C2 = "5166b967e4b0f6e6cd09e654"

ACTIVITY: dict[str, Any] = {
    "_id": ID,
    "activityTypeId": "NOTE",
    "noteText": "Call back about the quote",
    "status": "CREATED",
    "clientDomain": DOMAIN,
    "createdDate": "2014-05-01T10:00:00.000Z",
    "lastModifiedDate": "2014-05-02T11:30:00.000Z",
    "scheduledDateTime": "2014-05-03T09:00:00.000Z",
    "responsibleContactId": C1,
    "assignedToContact": [C2],
    "contacts": [{"contactId": C1, "role": "billing"}, {"contactId": C2}],
    "attributes": {"email": "prospect@example.com"},
}
TASK: dict[str, Any] = {
    "_id": ID2,
    "activityTypeId": "TASK",
    "noteText": "Ship the samples",
    "status": "STARTED",
    "clientDomain": DOMAIN,
    "scheduledDateTime": "2014-06-01T08:00:00.000Z",
    "assignedToContact": [C1],
}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward."""
        self.now += seconds


def ok(value: Any) -> dict[str, Any]:
    """The success envelope."""
    return {"result": {"resultValue": value}}


def creds(token: str = TOKEN) -> dict[str, str]:
    """The credentials every call carries."""
    return {"authToken": token, "clientDomain": DOMAIN}


def query(token: str = TOKEN, **params: Any) -> Any:
    """Match the whole query string: ``params`` plus the credentials."""
    return matchers.query_param_matcher(
        {**{k: str(v) for k, v in params.items()}, **creds(token)}
    )


def form_of(request: Any) -> dict[str, str]:
    """The form-encoded body of a request, blank values kept."""
    body = request.body or b""
    text = body.decode() if isinstance(body, bytes) else body
    return dict(parse_qsl(text, keep_blank_values=True))


def form(token: str | None = TOKEN, **fields: Any) -> Any:
    """Match the whole form body: ``fields`` plus the credentials (None: without)."""
    expected = {k: str(v) for k, v in fields.items()}
    if token is not None:
        expected.update(creds(token))

    def match(request: Any) -> tuple[bool, str]:
        got = form_of(request)
        return got == expected, f"form body {sorted(got)} != {sorted(expected)}"

    return match


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock that fails on unmatched calls and on unused stubs."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(rsps: responses.RequestsMock) -> OpentapsClient:
    """A client sending the permanent token (no exchange), for endpoint tests."""
    return OpentapsClient(auth_token=TOKEN, client_domain=DOMAIN, token_exchange=False)


@pytest.fixture
def single(rsps: responses.RequestsMock) -> OpentapsClient:
    """Like ``client``, but every request is a single attempt (no retries)."""
    return OpentapsClient(
        auth_token=TOKEN,
        client_domain=DOMAIN,
        token_exchange=False,
        retry=RetryPolicy.none(),
    )


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock for temporary-token expiry."""
    return FakeClock()


@pytest.fixture
def exchanging(rsps: responses.RequestsMock, clock: FakeClock) -> OpentapsClient:
    """A client exchanging its permanent token for temporary ones (fake clock)."""
    return OpentapsClient(auth_token=TOKEN, client_domain=DOMAIN, clock=clock)
