"""Client-side rate limiting: a token bucket shared per credential and host.

Two clients built with the same credential against the same host share one bucket
(vendors count per credential or per IP, not per Python object), so a program that
opens several clients still stays under the vendor's limit.

Strictly private.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """A thread-safe token bucket.

    Args:
        rate: Requests per second, sustained.
        burst: Requests that may go at once after a quiet period (default: one
            second's worth, at least 1).
        clock: Monotonic clock (injectable for tests).
        sleep: Sleep function (injectable for tests).
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = max(1.0, float(burst) if burst is not None else self.rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._stamp = clock()
        self.waited = 0.0
        self.acquired = 0

    def acquire(self) -> float:
        """Take one token, sleeping until it is available. Returns seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(
                self.burst, self._tokens + (now - self._stamp) * self.rate
            )
            self._stamp = now
            self._tokens -= 1.0  # reserve, possibly going negative: FIFO under load
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
            self.waited += wait
            self.acquired += 1
        if wait > 0:
            self._sleep(wait)
        return wait

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g}/s, burst={self.burst:g})"


_shared: dict[tuple[str, float], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(vendor: str, host: str, credential: str, rate: float) -> RateLimiter:
    """The limiter shared by every client of this vendor, host and credential.

    The credential is hashed; the secret itself is never kept as a key.
    """
    digest = hashlib.sha256(f"{vendor}\0{host}\0{credential}".encode()).hexdigest()
    key = (digest, float(rate))
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RateLimiter(rate)
        return limiter
