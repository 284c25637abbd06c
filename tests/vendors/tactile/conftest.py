"""Fixtures for Tactile unit tests: a client over a strict responses mock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from crmclients.vendors.tactile import TactileClient

TOKEN = "tok-8c1f2e9d77"
BASE = "https://acme.tactilecrm.com"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock that fails on unmatched calls and on unused stubs."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(rsps: responses.RequestsMock) -> TactileClient:
    """A Tactile client for account 'acme'."""
    return TactileClient(api_token=TOKEN, account="acme")
