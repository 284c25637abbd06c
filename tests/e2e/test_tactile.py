"""Tactile end to end: real HTTP against the sandbox on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import crmclients
from crmclients import errors
from crmclients.models import Opportunity, Ref, RefKind
from crmclients.sandbox import Sandbox


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    """A sandbox with 1,000 opportunities (shared by the read-only tests)."""
    with Sandbox("tactile", records=1000, seed=11) as sb:
        yield sb


@pytest.mark.parametrize("workers", [1, 4, "auto"])
def test_a_1000_record_pull_yields_1000_unique_opportunities(
    big: Sandbox, workers: int | str
) -> None:
    """Sequential, parallel and auto pulls return every record exactly once."""
    with crmclients.connect("tactile", **big.settings) as client:
        pager = client.opportunities.list(workers=workers)  # type: ignore[arg-type]
        records = pager.to_list()

    assert len(records) == 1000
    assert len({r.id for r in records}) == 1000
    assert pager.total == 1000
    assert all(isinstance(r, Opportunity) and not r.archived for r in records)


def test_parallel_pull_is_in_the_same_order(big: Sandbox) -> None:
    """workers=8 yields the same sequence as a sequential pull."""
    with crmclients.connect("tactile", **big.settings) as client:
        sequential = [r.id for r in client.opportunities.list(page_size=37)]
        parallel = [r.id for r in client.opportunities.list(page_size=37, workers=8)]

    assert parallel == sequential


def test_server_side_date_filters(big: Sandbox) -> None:
    """created/updated filters are applied by the server (not client-side)."""
    cutoff = datetime(2024, 1, 1, tzinfo=UTC)
    with crmclients.connect("tactile", **big.settings) as client:
        pager = client.opportunities.list(
            created_after=cutoff, updated_before=datetime(2030, 1, 1, tzinfo=UTC)
        )
        records = pager.to_list()

    assert records and all(r.created_at and r.created_at > cutoff for r in records)
    assert pager.client_side_filters == ()
    assert pager.total == len(records) < 1000


def test_client_side_filters_are_reported(big: Sandbox) -> None:
    """Filters Tactile lacks are applied by crmclients and listed on the pager."""
    with crmclients.connect("tactile", **big.settings) as client:
        pager = client.opportunities.list(assigned_to="paul", status="Won")
        records = pager.to_list()

    assert pager.client_side_filters == ("assigned_to", "status")
    assert records and all(
        r.assignee and r.assignee.id == "paul" and r.status == "Won" for r in records
    )


def test_create_update_get_and_tag(tactile_sandbox: Sandbox) -> None:
    """A created opportunity can be read back, changed and tagged."""
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        created = client.opportunities.create(
            name="Harbour refit",
            close_date=date(2025, 6, 30),
            value=Decimal("125000.50"),
            probability=40,
            organisation=Ref(RefKind.COMPANY, "9870"),
            status="Negotiation",
            tags=["refit"],
        )
        updated = client.opportunities.update(
            created.id, probability=90, status="Won", tags=["won"]
        )
        fetched = client.opportunities.get(created.id)

    assert created.organisation == Ref(RefKind.COMPANY, "9870", name="Acme Boats Ltd.")
    assert (created.value, created.status, created.tags) == (
        Decimal("125000.50"),
        "Negotiation",
        ("refit",),
    )
    assert (updated.probability, updated.status) == (90, "Won")
    assert fetched.tags == ("refit", "won")
    assert fetched.updated_at is not None


def test_unknown_option_is_refused_before_sending(tactile_sandbox: Sandbox) -> None:
    """A status that is not one of the account's options fails client-side."""
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        with pytest.raises(errors.ValidationError, match="status"):
            client.opportunities.create(
                name="x", close_date=date(2025, 1, 1), status="Maybe"
            )


def test_server_side_rejection_names_the_field(tactile_sandbox: Sandbox) -> None:
    """The sandbox's own validation comes back as RejectedError with field errors."""
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        with pytest.raises(errors.RejectedError) as info:
            client.native.create_opportunity(
                name="x", enddate="2025-01-01", assigned_to="nobody"
            )

    assert "assigned_to" in info.value.field_errors


def test_notes_are_the_timeline_of_an_opportunity(tactile_sandbox: Sandbox) -> None:
    """notes.list(related_to=opportunity) returns its timeline's notes."""
    timelines = tactile_sandbox.emulator.timelines  # type: ignore[attr-defined]
    oid = next(k for k, v in timelines.items() if any("note" in e for e in v))
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        notes = client.notes.list(
            related_to=Ref(RefKind.OPPORTUNITY, str(oid))
        ).to_list()

    expected = [str(e["note"]["id"]) for e in timelines[oid] if "note" in e]
    assert [n.id for n in notes] == expected
    assert all(
        Ref(RefKind.OPPORTUNITY, str(oid)) in [Ref(r.kind, r.id) for r in n.related]
        for n in notes
    )


def test_notes_need_an_opportunity(tactile_sandbox: Sandbox) -> None:
    """Without related_to there is nothing Tactile can list."""
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        with pytest.raises(errors.ValidationError, match="related_to"):
            client.notes.list()


def test_wrong_token_and_closed_route(tactile_sandbox: Sandbox) -> None:
    """A wrong token is AuthenticationError; a non-API route is the HTML login page."""
    settings = {**tactile_sandbox.settings, "api_token": "wrong-token"}
    with (
        crmclients.connect("tactile", **settings) as client,
        pytest.raises(errors.AuthenticationError),
    ):
        client.opportunities.list().first(1)
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        with pytest.raises(errors.PermissionDeniedError, match="login page"):
            client.native._requestor.request(
                "GET", "/organisations", operation="organisations.list"
            )


def test_reads_survive_scripted_faults(tactile_sandbox: Sandbox) -> None:
    """500, 503 + Retry-After, 429, a reset and a truncated answer: the read succeeds."""
    tactile_sandbox.inject_faults(
        script=["500", "503-retry-after", "429", "reset", "truncated"]
    )
    retry = crmclients.RetryPolicy(attempts=6)
    with crmclients.connect(
        "tactile", retry=retry, **tactile_sandbox.settings
    ) as client:
        first = client.opportunities.list().first(3)

    assert [r.id for r in first] == ["1001", "1002", "1003"]
    assert tactile_sandbox.emulator.faults.injected.total() == 5


def test_create_reset_after_processing_is_ambiguous_and_sent_once(
    tactile_sandbox: Sandbox,
) -> None:
    """The server created the record but the answer was lost: no blind retry, no duplicate."""
    emulator = tactile_sandbox.emulator
    before = len(emulator.opportunities)  # type: ignore[attr-defined]
    emulator.inject_faults(
        script=["reset-after"], match=lambda method, path: method == "POST"
    )
    with crmclients.connect("tactile", **tactile_sandbox.settings) as client:
        with pytest.raises(errors.AmbiguousWriteError):
            client.native.create_opportunity(name="Once only", enddate="2025-01-01")

    assert emulator.count("POST", "/opportunities/save") == 1
    assert len(emulator.opportunities) == before + 1  # type: ignore[attr-defined]


def test_read_timeout_is_retried_then_succeeds(tactile_sandbox: Sandbox) -> None:
    """A slow answer beyond the read timeout is retried for reads."""
    tactile_sandbox.inject_faults(script=["timeout"], slow_seconds=1.0)
    with crmclients.connect(
        "tactile", timeout=(2, 0.3), **tactile_sandbox.settings
    ) as client:
        assert len(client.opportunities.list().first(2)) == 2
