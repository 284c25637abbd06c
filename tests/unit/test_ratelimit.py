"""The client-side token bucket."""

from __future__ import annotations

import threading

from crmclients._ratelimit import RateLimiter, shared_limiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_burst_then_steady_rate() -> None:
    """A full bucket lets a burst through, then spaces requests at 1/rate."""
    clock = FakeClock()
    limiter = RateLimiter(10, burst=3, clock=clock, sleep=clock.sleep)

    waits = [limiter.acquire() for _ in range(6)]

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert clock.now == 0.30000000000000004 or abs(clock.now - 0.3) < 1e-9


def test_sustained_rate_holds() -> None:
    """Over many calls the rate converges to the configured one."""
    clock = FakeClock()
    limiter = RateLimiter(20, burst=1, clock=clock, sleep=clock.sleep)

    for _ in range(201):
        limiter.acquire()

    assert abs(200 / clock.now - 20) < 0.01


def test_shared_per_credential_and_host() -> None:
    """Two clients with the same credential and host share one bucket."""
    a = shared_limiter("administrate", "acme.administrateapp.com", "user:pw", 20)
    b = shared_limiter("administrate", "acme.administrateapp.com", "user:pw", 20)
    c = shared_limiter("administrate", "acme.administrateapp.com", "other:pw", 20)

    assert a is b
    assert a is not c
    assert "pw" not in repr(a)
