"""crmclients.testing: mock_vendor, instant_retries, no_retries."""

from __future__ import annotations

import pytest
import requests

import crmclients
from crmclients import errors
from crmclients.testing import instant_retries, mock_vendor, no_retries


def test_mock_vendor_serves_the_emulator_without_sockets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Requests go to the in-process emulator; no socket is opened."""

    def no_sockets(*args: object, **kwargs: object) -> None:
        raise AssertionError("mock_vendor must not open sockets")

    monkeypatch.setattr("socket.socket.connect", no_sockets)
    with mock_vendor("tactile", records=25, seed=4) as mock:
        client = crmclients.connect("tactile", **mock.settings)
        records = client.opportunities.list(page_size=10).to_list()
        created = client.opportunities.create(name="Mocked", close_date="2025-02-01")

    assert len(records) == 25
    assert created.name == "Mocked"
    assert mock.emulator.count("GET", "/opportunities") == 3


def test_mock_vendor_faults_become_requests_exceptions() -> None:
    """A reset fault raises ConnectionError inside requests, mapped to TransportError."""
    with mock_vendor("tactile", records=3) as mock:
        client = crmclients.connect("tactile", **mock.settings)
        mock.inject_faults(script=["reset", "timeout"])
        assert (
            len(client.opportunities.list().to_list()) == 3
        )  # two faults, then success
        mock.inject_faults(script=["reset"])
        with no_retries(), pytest.raises(errors.TransportError):
            client.opportunities.list().first(1)


def test_requests_outside_the_mock_base_url_are_refused() -> None:
    """Only the mock's base URL is routed; anything else fails loudly."""
    with mock_vendor("tactile") as mock, pytest.raises(requests.ConnectionError):
        requests.get("https://elsewhere.invalid/", timeout=1)
    assert mock.responses is None


def test_retry_switches_restore_previous_state() -> None:
    """The context managers put the global testing switches back."""
    from crmclients._retry import TESTING

    before = (TESTING.instant, TESTING.max_attempts)
    with instant_retries(), no_retries():
        assert TESTING.max_attempts == 1
        assert TESTING.instant is True
    assert (TESTING.instant, TESTING.max_attempts) == before


def test_recorded_waits_capture_the_backoff() -> None:
    """recorded_waits() lists each wait (Retry-After included) without sleeping."""
    from crmclients.testing import recorded_waits

    with mock_vendor("tactile", records=2) as mock, recorded_waits() as waits:
        client = crmclients.connect("tactile", **mock.settings)
        mock.inject_faults(script=["503-retry-after", "502"], retry_after="3")
        assert len(client.opportunities.list().to_list()) == 2

    assert waits[0] == 3.0
    assert 0.25 <= waits[1] <= 1.0  # equal jitter around the second backoff step


def test_transition_to_an_unknown_status_is_a_validation_error() -> None:
    """A status that is not an ActivityStatus is refused with the field named, unsent."""
    with mock_vendor("opentaps") as mock:
        client = crmclients.connect("opentaps", **mock.settings)
        before = len(mock.emulator.requests)
        with pytest.raises(errors.ValidationError) as info:
            client.tasks.transition("5166b967e4b0f6e6cd09e653", "bogus")

    assert info.value.field == "status"
    assert len(mock.emulator.requests) == before


@pytest.mark.parametrize("vendor", crmclients.vendor_names())
def test_mock_vendor_serves_every_vendor(vendor: str) -> None:
    """Each vendor's emulator answers in-process exactly as over HTTP (auth, signing...)."""
    from crmclients._client import COLLECTIONS
    from tests.contract.samples import samples

    with mock_vendor(vendor, records=12) as mock:
        client = crmclients.connect(vendor, **mock.settings)
        for collection in COLLECTIONS:
            if client.capabilities.supports(collection, "list"):
                options = samples(vendor).get(collection, {}).get("list", {})
                records = getattr(client, collection).list(**options).to_list()
                assert records and len({r.id for r in records}) == len(records)
