"""The transport seam: timeouts, TLS, exception mapping, one redacted log line."""

from __future__ import annotations

import logging
import socket

import pytest
import requests
import responses

from crmclients import errors
from crmclients._redact import Redactor
from crmclients._transport import (
    DEFAULT_TIMEOUT,
    Request,
    RequestsTransport,
    Timeout,
    check_base_url,
    normalise_timeout,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_timeouts_are_always_on() -> None:
    """No timeout means the defaults, never 'wait for ever'."""
    assert DEFAULT_TIMEOUT == (5.0, 30.0)
    assert normalise_timeout(None) == Timeout(5.0, 30.0, 35.0)
    with pytest.raises(errors.ConfigurationError, match="never waits forever"):
        normalise_timeout(0)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (3, Timeout(3.0, 3.0, 3.0)),
        (0.5, Timeout(0.5, 0.5, 0.5)),
        ((1, 2), Timeout(1.0, 2.0, 3.0)),
    ],
)
def test_a_number_bounds_the_whole_attempt_and_a_pair_their_sum(
    given: float | tuple[float, float], expected: Timeout
) -> None:
    """timeout=T caps an attempt at T seconds in all; (connect, read) at the sum."""
    assert expected == normalise_timeout(given)


@pytest.mark.parametrize(
    "given", [-1, float("inf"), float("nan"), True, (1, None), (1, 2, 3), "5", (0, 1)]
)
def test_a_timeout_that_is_not_positive_seconds_is_refused(given: object) -> None:
    """Negative, infinite, NaN, boolean or malformed timeouts raise ConfigurationError."""
    with pytest.raises(errors.ConfigurationError, match="timeout"):
        normalise_timeout(given)  # type: ignore[arg-type]


def test_plain_http_only_for_loopback() -> None:
    """http:// to a remote host is refused unless explicitly allowed."""
    assert check_base_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert check_base_url("http://localhost:1") == "http://localhost:1"
    with pytest.raises(errors.ConfigurationError, match="plain http"):
        check_base_url("http://acme.tactilecrm.com")
    assert (
        check_base_url("http://acme.tactilecrm.com", allow_http=True)
        == "http://acme.tactilecrm.com"
    )
    with pytest.raises(errors.ConfigurationError, match="base_url"):
        check_base_url("acme.tactilecrm.com")


def test_tls_verification_is_on_by_default() -> None:
    """verify stays True unless the caller turns it off."""
    assert RequestsTransport().verify is True


def test_refused_connection_was_never_sent() -> None:
    """A connect failure says the request never left (safe to retry any write)."""
    transport = RequestsTransport()
    request = Request(
        "POST", f"http://127.0.0.1:{free_port()}/x", content=b"{}", timeout=(1, 1)
    )

    with pytest.raises(errors.TransportError) as info:
        transport.send(request)

    assert info.value.request_sent is False


@responses.activate
def test_read_timeout_maps_to_request_timeout_error() -> None:
    """A read timeout may have reached the server: request_sent is True."""
    responses.add(
        responses.GET, "https://x.test/slow", body=requests.ReadTimeout("slow")
    )

    with pytest.raises(errors.RequestTimeoutError) as info:
        RequestsTransport().send(Request("GET", "https://x.test/slow"))

    assert info.value.request_sent is True


@responses.activate
def test_one_redacted_debug_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    """Each request logs method, redacted URL, status, time and attempt once."""
    responses.add(responses.GET, "https://x.test/things", json={})
    transport = RequestsTransport(redactor=Redactor(["s3cret-token"]))
    caplog.set_level(logging.DEBUG, logger="crmclients")

    transport.send(
        Request(
            "GET",
            "https://x.test/things",
            params=(("api_token", "s3cret-token"), ("q", "1")),
            attempt=2,
        )
    )

    lines = [r.getMessage() for r in caplog.records if r.name == "crmclients"]
    assert len(lines) == 1
    assert lines[0].startswith(
        "GET https://x.test/things?api_token=%5Bsecure%5D&q=1 -> 200 in "
    ) or lines[0].startswith(
        "GET https://x.test/things?api_token=[secure]&q=1 -> 200 in "
    )
    assert lines[0].endswith("(attempt 2)")
    assert "s3cret-token" not in caplog.text


def test_a_given_session_is_reused_and_not_closed() -> None:
    """session= is used as is; crmclients closes only sessions it created."""
    session = requests.Session()
    transport = RequestsTransport(session=session)
    transport.close()

    assert transport.session is session
    assert session.adapters  # still usable
