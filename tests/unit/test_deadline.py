"""One attempt's wall time is bounded, whatever the server does (``_deadline``)."""

from __future__ import annotations

import time

import pytest
import requests

from crmclients import errors
from crmclients._transport import Request, RequestsTransport
from tests.hostile import Sink, Trickler, stopwatch


@pytest.mark.parametrize("phase", ["status", "headers", "body"])
def test_the_deadline_cuts_a_trickle_in_every_phase_of_the_answer(phase: str) -> None:
    """Status line, headers or body sent a byte every 50 ms: the attempt ends at
    its deadline, though no single read ever waits as long as the read timeout."""
    with Trickler(phase) as server, stopwatch() as took:
        request = Request(
            "GET",
            f"http://127.0.0.1:{server.port}/x",
            timeout=(5.0, 5.0),
            deadline=time.monotonic() + 0.5,
        )
        with pytest.raises(errors.RequestTimeoutError, match="total time budget"):
            RequestsTransport().send(request)

    assert took[0] < 2.5


def test_the_deadline_cuts_a_send_to_a_server_that_never_reads() -> None:
    """A large body to a server that accepts but never reads: the send gives up at
    the deadline instead of blocking for the read timeout per chunk."""
    with Sink() as server, stopwatch() as took:
        request = Request(
            "POST",
            f"http://127.0.0.1:{server.port}/x",
            headers={"Content-Type": "application/octet-stream"},
            content=b"x" * 64_000_000,
            timeout=(5.0, 5.0),
            deadline=time.monotonic() + 0.5,
        )
        with pytest.raises(errors.TransportError, match="time"):
            RequestsTransport().send(request)

    assert took[0] < 3.0


def test_a_callers_session_has_its_body_read_under_the_deadline() -> None:
    """session=: the caller's adapters are kept, and the body is read a socket
    read at a time with the deadline checked between reads."""
    with Trickler("body") as server, stopwatch() as took:
        request = Request(
            "GET",
            f"http://127.0.0.1:{server.port}/x",
            timeout=(5.0, 5.0),
            deadline=time.monotonic() + 0.5,
        )
        with pytest.raises(errors.RequestTimeoutError):
            RequestsTransport(session=requests.Session()).send(request)

    assert took[0] < 2.5


def test_without_a_deadline_the_read_timeout_still_applies() -> None:
    """A request built without a deadline keeps urllib3's per-read timeout."""
    with Trickler("body", interval=1.0) as server:
        request = Request(
            "GET", f"http://127.0.0.1:{server.port}/x", timeout=(1.0, 0.3)
        )
        with pytest.raises(errors.RequestTimeoutError):
            RequestsTransport().send(request)
