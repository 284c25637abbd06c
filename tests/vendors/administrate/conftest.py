"""Fixtures for Administrate unit tests: a client over a strict responses mock."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import responses

from crmclients.vendors.administrate import AdministrateClient

USERNAME = "api.user@acme.test"
PASSWORD = "pw-3d9f0b7c51e2"
BASE = "https://acme.administrateapp.com/api/v2"
TASKS = f"{BASE}/crm/tasks"
BASIC = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock that fails on unmatched calls and on unused stubs."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(rsps: responses.RequestsMock) -> AdministrateClient:
    """An Administrate client for subdomain 'acme', without the client-side limit."""
    return AdministrateClient(
        subdomain="acme", username=USERNAME, password=PASSWORD, rate_limit=None
    )
