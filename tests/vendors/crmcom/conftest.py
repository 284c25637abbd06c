"""Fixtures for CRM.COM unit tests: clients over a strict responses mock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from crmclients.vendors.crmcom import CrmcomClient

BASE = "https://crm.example.com"
API = f"{BASE}/crmapi/rest/v2"
TOKEN = "tok-3f9a1c7e5b2d4f60a1"
NEW_TOKEN = "tok-77e1c0d9a8b6f5e4d3"
USERNAME = "api-user"
PASSWORD = "pa55-w0rd-9c1e-secret"
ORGANISATION = "acme_org"
WEB_API_KEY = "EE73C0AE64524371B5DDEFF5F7BB2192"
#: The response examples of the vendor docs, by method (see the file's _comment).
EXAMPLES: dict[str, Any] = json.loads(
    Path(__file__).with_name("seed_examples.json").read_text(encoding="utf-8")
)


def ok(data: Any = None) -> dict[str, Any]:
    """A successful CRM.COM answer."""
    return {"status": {"message": "", "description": "", "code": "OK"}, "data": data}


def failure(code: str, message: str = "", description: str = "") -> dict[str, Any]:
    """A CRM.COM error answer (HTTP 200)."""
    return {
        "status": {"message": message, "description": description, "code": code},
        "data": None,
    }


def query(call: Any) -> dict[str, str]:
    """The decoded query parameters of a recorded call."""
    return dict(parse_qsl(urlsplit(call.request.url).query))


def raw_query(call: Any) -> str:
    """The query string of a recorded call, as sent."""
    return urlsplit(call.request.url).query


def body(call: Any) -> Any:
    """The decoded JSON body of a recorded call."""
    return json.loads(call.request.body)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` on."""
        self.now += seconds


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock that fails on unmatched calls and on unused stubs."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(rsps: responses.RequestsMock) -> CrmcomClient:
    """A client with a given token (no login), release R13."""
    return CrmcomClient(base_url=BASE, token=TOKEN)


@pytest.fixture
def clock() -> FakeClock:
    """The token clock."""
    return FakeClock()


@pytest.fixture
def password_client(rsps: responses.RequestsMock, clock: FakeClock) -> CrmcomClient:
    """A client that logs in with username, password and organisation."""
    return CrmcomClient(
        base_url=BASE,
        username=USERNAME,
        password=PASSWORD,
        organisation=ORGANISATION,
        clock=clock,
    )


def login_stub(
    rsps: responses.RequestsMock, token: str = TOKEN, path: str = "authentication/token"
) -> None:
    """Answer one login with ``token``."""
    rsps.post(f"{API}/{path}", json=ok({"token": token}))
