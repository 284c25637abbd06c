"""The test module shown in docs/testing.md: how a user tests their own code.

The page includes this file (between the ``--8<--`` markers), so the example the
reader copies is the one the suite runs.
"""

from __future__ import annotations

# --8<-- [start:example]
from collections.abc import Iterator

import pytest

import crmclients
from crmclients import errors
from crmclients.sandbox import Sandbox
from crmclients.testing import mock_vendor, no_retries, recorded_waits


# -- the code under test: your application's -----------------------------------------
def raise_probability(client: crmclients.Client, opportunity_id: str, step: int) -> int:
    """Raise an opportunity's probability by ``step`` points (at most 100)."""
    opportunity = client.opportunities.get(opportunity_id)
    target = min(100, (opportunity.probability or 0) + step)
    return client.opportunities.update(opportunity_id, probability=target).probability


def count_won(client: crmclients.Client) -> int | None:
    """How many opportunities are won, or None when Tactile cannot be reached."""
    try:
        return sum(1 for o in client.opportunities.list(status="Won"))
    except errors.ServerError:
        return None


# -- fixtures -------------------------------------------------------------------------
@pytest.fixture
def tactile() -> Iterator[crmclients.Client]:
    """A client on an in-process Tactile emulator: no sockets, fresh data each test."""
    with (
        mock_vendor("tactile", records=20, seed=1) as mock,
        crmclients.connect("tactile", **mock.settings) as client,
    ):
        yield client


# -- tests ----------------------------------------------------------------------------
def test_raise_probability_updates_the_record(tactile: crmclients.Client) -> None:
    """The new probability is stored by the vendor, not just returned."""
    new = raise_probability(tactile, "1001", step=20)

    assert new == 35
    assert tactile.opportunities.get("1001").probability == 35


def test_a_broken_vendor_rule_is_caught_before_sending(
    tactile: crmclients.Client,
) -> None:
    """Tactile wants multiples of 5: crmclients refuses 7 and sends nothing."""
    with pytest.raises(errors.ValidationError) as caught:
        raise_probability(tactile, "1001", step=7)

    assert caught.value.field == "probability"


def test_count_won_survives_an_outage() -> None:
    """A vendor answering 503 to every attempt gives None, at once."""
    with (
        mock_vendor("tactile", records=20) as mock,
        crmclients.connect("tactile", **mock.settings) as client,
        no_retries(),
    ):
        mock.inject_faults(rate=1.0, kinds=("503",))

        assert count_won(client) is None


def test_reads_are_retried_with_backoff() -> None:
    """Two 503s, then success: two waits, the second longer than the first."""
    with (
        mock_vendor("tactile", records=20, seed=1) as mock,
        crmclients.connect("tactile", **mock.settings) as client,
        recorded_waits() as waits,
    ):
        mock.inject_faults(script=["503", "503"])

        assert count_won(client) == 3
    assert len(waits) == 2
    assert 0.25 <= waits[0] <= 0.5 <= waits[1] <= 1.0


def test_against_a_real_http_server() -> None:
    """The same code over real HTTP on 127.0.0.1 (threads, sockets, timeouts)."""
    with (
        Sandbox("tactile", records=20, seed=1) as sandbox,
        crmclients.connect("tactile", **sandbox.settings) as client,
    ):
        assert count_won(client) == 3


# --8<-- [end:example]
