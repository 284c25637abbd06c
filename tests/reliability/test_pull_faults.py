"""Pulls under faults: every record exactly once, or a crmclients error after
bounded retries; never a silently short or duplicated result.

Faults are injected by the sandbox on real HTTP (500, 502, 503 with and without
Retry-After, 429, connection resets before and after processing, answers slower
than the client's read timeout, cut-off JSON, an HTML page and an empty body with
status 200). Sizes follow ``CRMCLIENTS_RELIABILITY_SIZE`` (see ``_support``).
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest

import crmclients
from crmclients import errors
from crmclients.models import Ref, RefKind
from crmclients.sandbox import FAULT_KINDS, Sandbox
from crmclients.testing import mock_vendor, recorded_waits
from tests.reliability import _support
from tests.reliability.conftest import Figures

#: Enough attempts that 20% faults practically never exhaust them.
POLICY = crmclients.RetryPolicy(attempts=10, deadline=300)
#: A short read timeout, and slow answers well above it: timeouts do happen.
TIMEOUT = (2.0, 0.25)
SLOW_SECONDS = 0.75
PAGE_SIZE = 20
RATE = 0.2


def expected_ids(sb: Sandbox, collection: str) -> list[str]:
    """What a complete pull must return, read from the emulator's own state."""
    if (sb.vendor, collection) == ("tactile", "notes"):
        emulator: Any = sb.emulator
        return [
            str(entry["note"]["id"])
            for oid in emulator.record_ids("opportunities")
            for entry in emulator.timelines[int(oid)]
            if "note" in entry
        ]
    return sb.emulator.record_ids(_support.drift_name(sb.vendor, collection))


def full_pull(client: crmclients.Client, sb: Sandbox, collection: str) -> list[str]:
    """Every id of the collection (Tactile notes: the timeline of every opportunity)."""
    if (client.vendor, collection) == ("tactile", "notes"):
        return [
            str(note.id)
            for oid in sb.emulator.record_ids("opportunities")
            for note in client.notes.list(related_to=Ref(RefKind.OPPORTUNITY, oid))
        ]
    return _support.pull_ids(client, collection, page_size=PAGE_SIZE)


@pytest.mark.parametrize(("vendor", "collection"), _support.PULLABLE)
def test_a_pull_under_twenty_percent_faults_returns_every_record_once(
    vendor: str, collection: str, figures: Figures
) -> None:
    """20% of requests faulted, every kind, seeded: the pull is complete and exact."""
    seed = zlib.crc32(f"{vendor}/{collection}".encode())
    with (
        _support.sandbox(vendor, _support.SIZE) as sb,
        crmclients.connect(
            vendor,
            retry=POLICY,
            timeout=TIMEOUT,
            rate_limit=_support.NO_LIMIT,
            **sb.settings,
        ) as client,
    ):
        expected = expected_ids(sb, collection)
        plan = sb.inject_faults(
            rate=RATE, kinds=FAULT_KINDS, seed=seed, slow_seconds=SLOW_SECONDS
        )
        with _support.Stopwatch() as clock, recorded_waits() as waits:
            got = full_pull(client, sb, collection)
        stats = client.native.stats
        received = len(sb.emulator.received)
    figures.add(
        "pulls",
        vendor=vendor,
        collection=collection,
        expected=len(expected),
        received=len(got),
        distinct=len(set(got)),
        duplicated=len(got) - len(set(got)),
        missing=len(set(expected) - set(got)),
        calls=stats.requests,
        attempts=stats.attempts,
        retries=stats.retries,
        http_requests=received,
        faults=dict(plan.injected),
        seconds=round(clock.seconds, 3),
        backoff_seconds=round(sum(waits), 3),
    )

    assert expected, "the sandbox should hold records"
    assert len(got) == len(set(got)), "no record twice"
    assert sorted(got) == sorted(expected), "every record, and only those"
    assert sum(plan.injected.values()) > 0


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_every_fault_kind_is_survived_by_a_pull(vendor: str, figures: Figures) -> None:
    """Each kind in turn, each followed by a clean answer: the pull is exact."""
    collection = next(c for v, c in _support.PAGED if v == vendor)
    script: list[str | None] = []
    for kind in FAULT_KINDS:
        script += [kind, None]
    with (
        _support.sandbox(vendor, 60) as sb,
        crmclients.connect(
            vendor,
            retry=POLICY,
            timeout=TIMEOUT,
            rate_limit=_support.NO_LIMIT,
            **sb.settings,
        ) as client,
    ):
        expected = expected_ids(sb, collection)
        plan = sb.inject_faults(script=script, slow_seconds=SLOW_SECONDS)
        got = _support.pull_ids(client, collection, page_size=5)

    assert dict(plan.injected) == dict.fromkeys(FAULT_KINDS, 1)
    assert got == expected


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_a_pull_that_runs_out_of_attempts_raises_a_crmclients_error(
    vendor: str, figures: Figures
) -> None:
    """With every request faulted the pull stops after its bounded attempts."""
    collection = next(c for v, c in _support.PAGED if v == vendor)
    attempts = 3
    with (
        _support.sandbox(vendor, 20) as sb,
        crmclients.connect(
            vendor,
            retry=crmclients.RetryPolicy(attempts=attempts),
            timeout=TIMEOUT,
            **sb.settings,
        ) as client,
    ):
        sb.inject_faults(
            rate=1.0,
            kinds=[k for k in FAULT_KINDS if k != "timeout"],
            seed=3,
        )
        with pytest.raises(errors.CRMError) as info:
            _support.pull_ids(client, collection)
        received = len(sb.emulator.received)

    figures.add(
        "exhausted",
        vendor=vendor,
        attempts=attempts,
        http_requests=received,
        error=type(info.value).__name__,
    )

    assert info.value.vendor == vendor
    # Token vendors may log in before each attempt (one login request, never
    # retried on its own): at most two requests per attempt.
    assert attempts <= received <= 2 * attempts


@pytest.mark.parametrize(("vendor", "collection"), _support.PAGED)
def test_pulls_through_mock_vendor_survive_faults_in_process(
    vendor: str, collection: str
) -> None:
    """mock_vendor (no sockets) maps resets and slow answers the same way."""
    options = _support.SANDBOX_OPTIONS.get(vendor, {})
    with mock_vendor(vendor, records=80, seed=2, **options) as mock:
        client = crmclients.connect(vendor, retry=POLICY, **mock.settings)
        expected = mock.emulator.record_ids(_support.drift_name(vendor, collection))
        plan = mock.inject_faults(rate=0.3, kinds=FAULT_KINDS, seed=11)
        got = _support.pull_ids(client, collection, page_size=10)

    assert sum(plan.injected.values()) > 0
    assert got == expected
