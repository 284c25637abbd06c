"""Retry policy: an explicit value, wired to tenacity, that never duplicates a write.

What is retried (with exponential backoff and jitter, under a bounded number of
attempts and a total deadline):

* any request whose failure proves it was not processed: the connection never
  opened, or the server answered 429 or 503 (Retry-After honoured, up to a cap);
* idempotent requests (reads, updates and deletes by id, ...) on any transport error,
  500/502/503/504, 429, and unreadable answers (cut-off JSON, an HTML error page).

A non-idempotent write that fails in a way that leaves its outcome unknown (reset
after sending, read timeout, 500/502/504, unreadable answer) is never retried: it
raises :class:`~crmclients.errors.AmbiguousWriteError`.

Tests switch waiting off globally with :func:`set_testing` (exposed as
``crmclients.testing.instant_retries``).

Strictly private; :class:`RetryPolicy` is public through ``crmclients``.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

import attrs

from crmclients import errors

if TYPE_CHECKING:
    import tenacity

T = TypeVar("T")

_UNPROCESSED_STATUSES = frozenset({429, 503})
_DELAY_SECONDS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")


@attrs.frozen
class RetryPolicy:
    """How hard to try before giving up.

    Attributes:
        attempts: Total attempts per request, the first included (1 = no retries).
        initial_backoff: Seconds before the first retry.
        max_backoff: Longest wait between two attempts.
        multiplier: Growth of the wait from one retry to the next.
        deadline: Seconds, all attempts and waits included, after which no new
            attempt starts.
        max_retry_after: The longest Retry-After crmclients will wait; a longer one
            is raised to the caller (``RateLimitError.retry_after``) at once.
        retry_statuses: HTTP statuses that are retried for idempotent requests.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    initial_backoff: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_backoff: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    multiplier: float = attrs.field(default=2.0, validator=attrs.validators.ge(1))
    deadline: float = attrs.field(default=60.0, validator=attrs.validators.gt(0))
    max_retry_after: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries.

        Returns:
            ``RetryPolicy(attempts=1)``: every request a single attempt.
        """
        return cls(attempts=1)

    def backoff(self, retry_number: int, jitter: float) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based), jitter in [0, 1).

        Half of the wait is fixed and half random ("equal jitter"), so concurrent
        clients spread out without ever retrying at once.

        Args:
            retry_number: Which retry this is (1 for the first).
            jitter: A random number in [0, 1).

        Returns:
            The wait, at most ``max_backoff``.
        """
        base = min(
            self.max_backoff,
            self.initial_backoff * self.multiplier ** (retry_number - 1),
        )
        return base * (0.5 + 0.5 * jitter)


class _Testing:
    """Global test switch: no waiting between attempts. Strictly private."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.instant = False
        self.max_attempts: int | None = None
        self.waits: list[float] | None = None


TESTING = _Testing()


def set_testing(*, instant: bool, max_attempts: int | None = None) -> None:
    """Turn waiting between retries off (and optionally cap attempts) globally."""
    with TESTING.lock:
        TESTING.instant = instant
        TESTING.max_attempts = max_attempts


def jitter() -> float:
    """A random number in [0, 1) for backoff jitter, isolated so tests control it."""
    return random.random()


def parse_retry_after(
    value: str | None, now: Callable[[], datetime] | None = None
) -> float | None:
    """Parse a Retry-After header: seconds, or an HTTP date. None when absent/invalid.

    Seconds are ASCII digits (RFC 9110 ``delay-seconds``; a decimal fraction is
    tolerated): ``inf``, ``nan``, ``1e9`` or non-ASCII digits are not seconds.
    A date in the past means 0.
    """
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now() if now else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def is_retryable(exc: BaseException, *, idempotent: bool, policy: RetryPolicy) -> bool:
    """Tell whether another attempt is safe and useful after ``exc``."""
    if isinstance(exc, errors.TransportError):
        return exc.request_sent is False or idempotent
    if isinstance(exc, errors.APIError):
        status = exc.status_code
        if isinstance(exc, errors.RateLimitError) or status in _UNPROCESSED_STATUSES:
            return True  # the server said it did not process the request
        return (
            idempotent
            and isinstance(exc, errors.ServerError)
            and status in policy.retry_statuses
        )
    if isinstance(exc, errors.ResponseShapeError):
        return idempotent and exc.transient
    return False


def is_ambiguous(exc: BaseException) -> bool:
    """Tell whether ``exc`` leaves the outcome of a write unknown."""
    if isinstance(exc, errors.TransportError):
        return exc.request_sent is not False
    if isinstance(exc, errors.ServerError):
        return exc.status_code not in _UNPROCESSED_STATUSES
    if isinstance(exc, errors.ResponseShapeError):
        return exc.transient
    return False


def retry_after_of(exc: BaseException | None) -> float | None:
    """The server-requested wait carried by an error, if any."""
    value = getattr(exc, "retry_after", None)
    return float(value) if isinstance(value, int | float) else None


def call(
    fn: Callable[[int], T],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    vendor: str,
    operation: str,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """Call ``fn(attempt_number)`` under ``policy``.

    Raises:
        AmbiguousWriteError: A non-idempotent write's outcome is unknown.
        CRMError: The last error, once attempts, deadline or patience run out.
    """
    # The first attempt runs outside tenacity: most calls succeed at once, and
    # building a retry loop for every request is measurable on a pull.
    started = time.monotonic()
    try:
        return fn(1)
    except errors.CRMError as exc:
        first_error: errors.CRMError = exc
    return _retry_after_first(
        fn,
        first_error,
        policy=policy,
        idempotent=idempotent,
        vendor=vendor,
        operation=operation,
        sleep=sleep,
        on_retry=on_retry,
        remaining=policy.deadline - (time.monotonic() - started),
    )


def _retry_after_first(
    fn: Callable[[int], T],
    first_error: errors.CRMError,
    *,
    policy: RetryPolicy,
    idempotent: bool,
    vendor: str,
    operation: str,
    sleep: Callable[[float], None],
    on_retry: Callable[[int, BaseException, float], None] | None,
    remaining: float,
) -> T:
    """The retry loop once the first attempt failed (tenacity replays that failure
    as its attempt 1, so every decision is taken by the same rules)."""
    import tenacity

    def attempt_number(number: int) -> T:
        if number == 1:
            raise first_error
        return fn(number)

    attempts = policy.attempts
    with TESTING.lock:
        instant = TESTING.instant
        if TESTING.max_attempts is not None:
            attempts = min(attempts, TESTING.max_attempts)
        if TESTING.waits is not None:
            sleep, instant = TESTING.waits.append, False

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        requested = retry_after_of(exc)
        delay = (
            requested
            if requested is not None
            else policy.backoff(state.attempt_number, jitter())
        )
        return 0.0 if instant else delay

    def should_retry(state: tenacity.RetryCallState) -> bool:
        if state.outcome is None or not state.outcome.failed:
            return False
        exc = state.outcome.exception()
        if exc is None or not is_retryable(exc, idempotent=idempotent, policy=policy):
            return False
        requested = retry_after_of(exc)
        return requested is None or requested <= policy.max_retry_after

    def before_sleep(state: tenacity.RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None:
            exc = state.outcome.exception()
            if exc is not None:
                on_retry(state.attempt_number, exc, state.upcoming_sleep)

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts)
        | tenacity.stop_before_delay(max(0.0, remaining)),
        wait=wait,
        retry=should_retry,
        sleep=(lambda _s: None) if instant else sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                return attempt_number(attempt.retry_state.attempt_number)
    except errors.CRMError as exc:
        if not idempotent and is_ambiguous(exc):
            raise errors.AmbiguousWriteError(
                f"the outcome of this write is unknown ({exc.message})",
                vendor=vendor,
                operation=operation,
            ) from exc
        raise
    raise AssertionError("unreachable")  # pragma: no cover
