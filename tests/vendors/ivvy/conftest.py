"""Fixtures for iVvy unit tests: a client with a fixed clock over a strict responses mock."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses

from crmclients.vendors.ivvy import IvvyClient

KEY = "ivvy-key-7f3a91c2"
SECRET = "ivvy-secret-0d5e88b4a2"
BASE = "https://api.ap-southeast-2.ivvy.com/api/1.0"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def url(namespace: str, action: str) -> str:
    """The full URL of an iVvy action."""
    return f"{BASE}/{namespace}?action={action}"


def sent_json(call: Any) -> Any:
    """The JSON body a recorded call sent."""
    body = call.request.body
    return json.loads(body) if body else None


def expected_signature(request: Any, secret: str = SECRET) -> str:
    """Recompute iVvy's signature for a sent request, straight from the docs."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    parts = urlsplit(request.url)
    text = (
        "POST"
        + hashlib.md5(body, usedforsecurity=False).hexdigest()
        + request.headers["Content-Type"]
        + ""
        + f"{parts.path}?{parts.query}"
        + "1.0"
        + f"IVVYDate={request.headers['IVVY-Date']}"
    ).lower()
    return hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock that fails on unmatched calls and on unused stubs."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(rsps: responses.RequestsMock) -> IvvyClient:
    """An iVvy client (region au) whose signing clock is fixed at NOW."""
    return IvvyClient(api_key=KEY, api_secret=SECRET, clock=lambda: NOW)
