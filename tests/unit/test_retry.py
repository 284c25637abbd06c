"""Retry policy: what is retried, how long we wait, and writes never duplicated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crmclients import errors
from crmclients._retry import RetryPolicy, is_retryable, parse_retry_after, set_testing
from tests.helpers import requestor, response

RESET = errors.TransportError("connection reset", request_sent=None)
REFUSED = errors.TransportError("connection refused", request_sent=False)


def test_read_recovers_from_500_503_429_and_reset() -> None:
    """An idempotent read survives every transient failure kind within its attempts."""
    req, transport = requestor(
        [
            response(500),
            response(503, headers={"Retry-After": "1"}),
            response(429),
            RESET,
            response(200, {"ok": 1}),
        ],
        retry=RetryPolicy(attempts=5),
    )

    assert req.request("GET", "/things", operation="things.list") == {"ok": 1}
    assert len(transport.sent) == 5
    assert [r.attempt for r in transport.sent] == [1, 2, 3, 4, 5]


def test_attempts_are_bounded() -> None:
    """After the last attempt the last error is raised, not swallowed."""
    req, transport = requestor([response(502)] * 3, retry=RetryPolicy(attempts=3))

    with pytest.raises(errors.ServerError) as info:
        req.request("GET", "/things", operation="things.list")

    assert info.value.status_code == 502
    assert len(transport.sent) == 3


def test_create_with_unknown_outcome_is_sent_once() -> None:
    """A POST reset after sending raises AmbiguousWriteError and is never re-sent."""
    req, transport = requestor([RESET, response(200, {"id": 1})])

    with pytest.raises(errors.AmbiguousWriteError) as info:
        req.request("POST", "/things", json={"name": "x"}, operation="things.create")

    assert len(transport.sent) == 1
    assert isinstance(info.value.__cause__, errors.TransportError)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_create_answered_with_5xx_is_ambiguous(status: int) -> None:
    """A 5xx other than 503 may have been processed: ambiguous, sent once."""
    req, transport = requestor([response(status), response(200, {"id": 1})])

    with pytest.raises(errors.AmbiguousWriteError):
        req.request("POST", "/things", json={}, operation="things.create")

    assert len(transport.sent) == 1


@pytest.mark.parametrize(
    "first",
    [response(503), response(429, headers={"Retry-After": "0"}), REFUSED],
    ids=["503", "429", "refused"],
)
def test_create_is_retried_when_the_server_did_not_process_it(first: object) -> None:
    """429, 503 and a refused connection prove nothing happened: a retry is safe."""
    req, transport = requestor([first, response(200, {"id": 7})])  # type: ignore[list-item]

    assert req.request("POST", "/things", json={}, operation="things.create") == {
        "id": 7
    }
    assert len(transport.sent) == 2


def test_idempotent_write_recovers_from_a_reset() -> None:
    """An update by id (idempotent) is safely replayed after a reset."""
    req, transport = requestor([RESET, response(200, {"id": 7})])

    assert req.request(
        "POST", "/things/7", json={}, operation="things.update", idempotent=True
    ) == {"id": 7}
    assert len(transport.sent) == 2


def test_retry_after_is_honoured() -> None:
    """The wait before a retry is what Retry-After asked for."""
    set_testing(instant=False)
    slept: list[float] = []
    req, _ = requestor([response(503, headers={"Retry-After": "2"}), response(200, {})])
    import crmclients._retry as retry_module

    original = retry_module.call

    def call(*args: object, **kwargs: object) -> object:
        kwargs["sleep"] = slept.append
        return original(*args, **kwargs)  # type: ignore[arg-type]

    retry_module.call = call  # type: ignore[assignment]
    try:
        req.request("GET", "/x", operation="x")
    finally:
        retry_module.call = original  # type: ignore[assignment]
        set_testing(instant=True)

    assert slept == [2.0]


def test_retry_after_beyond_the_cap_is_raised_at_once() -> None:
    """A server asking for more than max_retry_after gets no retry; the caller sees how long."""
    req, transport = requestor(
        [response(429, headers={"Retry-After": "600"}), response(200, {})],
        retry=RetryPolicy(max_retry_after=30),
    )

    with pytest.raises(errors.RateLimitError) as info:
        req.request("GET", "/x", operation="x")

    assert info.value.retry_after == 600
    assert len(transport.sent) == 1


def test_deadline_stops_retries() -> None:
    """No attempt starts after the total deadline."""
    set_testing(instant=False)
    import crmclients._retry as retry_module

    policy = RetryPolicy(attempts=10, initial_backoff=5, deadline=6)
    calls: list[int] = []

    def failing(n: int) -> None:
        calls.append(n)
        raise errors.ServerError("down", status_code=503)

    try:
        with pytest.raises(errors.ServerError):
            retry_module.call(
                failing,
                policy=policy,
                idempotent=True,
                vendor="t",
                operation="o",
                sleep=lambda s: None,
            )
    finally:
        set_testing(instant=True)

    assert len(calls) < 10


def test_backoff_grows_and_is_capped_with_jitter() -> None:
    """Backoff doubles, is capped, and jitter keeps it within [50%, 100%]."""
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=4, multiplier=2)

    assert [policy.backoff(n, 0.999999) for n in (1, 2, 3, 4, 5)] == pytest.approx(
        [0.5, 1, 2, 4, 4], rel=1e-5
    )
    assert policy.backoff(3, 0.0) == 1.0


def test_retry_after_parses_seconds_and_http_dates() -> None:
    """Retry-After is seconds or an HTTP date; junk is ignored."""
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)

    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:10 GMT", now=lambda: now) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    "value", ["inf", "nan", "1e9", "-5", "\u0661\u0662", "3 s", "0x10", "1_000"]
)
def test_retry_after_seconds_are_ascii_digits_only(value: str) -> None:
    """Anything but delay-seconds or an HTTP date is no wait at all (the backoff
    applies), never an infinite or negative one."""
    assert parse_retry_after(value) is None


def test_retry_after_tolerates_a_decimal_fraction() -> None:
    """1.5 is read as 1.5 s (not in the RFC, but sent in the wild)."""
    assert parse_retry_after(" 1.5 ") == 1.5


def test_only_named_errors_are_retried() -> None:
    """Validation, auth and not-found errors are never retried."""
    policy = RetryPolicy()

    assert not is_retryable(
        errors.NotFoundError("x", status_code=404), idempotent=True, policy=policy
    )
    assert not is_retryable(
        errors.AuthenticationError("x", status_code=401), idempotent=True, policy=policy
    )
    assert not is_retryable(ValueError("x"), idempotent=True, policy=policy)
    assert is_retryable(
        errors.ResponseShapeError("cut", transient=True), idempotent=True, policy=policy
    )
    assert not is_retryable(
        errors.ResponseShapeError("cut", transient=True),
        idempotent=False,
        policy=policy,
    )


def test_retry_policy_rejects_nonsense() -> None:
    """attempts below 1 or a negative backoff are configuration mistakes."""
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    assert RetryPolicy.none().attempts == 1


def test_auth_failure_refreshes_credentials_once() -> None:
    """An auth error triggers one refresh and one resend, then gives up."""

    class Refreshing:
        refreshed = 0

        def apply(self, request: object) -> object:
            return request

        def refresh(self) -> bool:
            self.refreshed += 1
            return True

    auth = Refreshing()
    req, transport = requestor([response(401), response(401), response(401)], auth=auth)

    with pytest.raises(errors.AuthenticationError):
        req.request("GET", "/x", operation="x")

    assert auth.refreshed == 1
    assert len(transport.sent) == 2


def test_a_failed_login_before_a_create_is_not_ambiguous() -> None:
    """When obtaining credentials fails, the write never left: it is retried safely."""

    class FlakyLogin:
        calls = 0

        def apply(self, request: object) -> object:
            self.calls += 1
            if self.calls == 1:
                raise errors.ServerError("login answered 500", status_code=500)
            return request

        def refresh(self) -> bool:
            return False

    auth = FlakyLogin()
    req, transport = requestor([response(200, {"id": 1})], auth=auth)

    assert req.request("POST", "/things", json={}, operation="things.create") == {
        "id": 1
    }
    assert len(transport.sent) == 1
    assert auth.calls == 2
