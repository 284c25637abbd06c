"""Wall-clock deadlines for one HTTP attempt, enforced at the socket.

urllib3's (and so requests') read timeout bounds each socket read, not the
attempt: a server that trickles a byte every half second never trips a one-second
timeout and can hold a call for minutes. Here every read and every send of an
attempt is given the time that is *left* before the attempt's deadline (never more
than the read timeout), and fails with :class:`TimeoutError` once it has passed,
whether the server is slow to send the status line, the headers or the body, or
slow to read what is sent to it.

The deadline travels in a thread-local set by the transport around one attempt
(:func:`attempt_deadline`); the connection classes below read it. They are
installed in the pools of :class:`DeadlineAdapter`, the adapter of every session
crmclients creates, for direct and proxied (HTTP CONNECT) connections alike.

Strictly private.
"""

from __future__ import annotations

import http.client
import io
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests.adapters
import urllib3.connection
import urllib3.connectionpool

_CURRENT = threading.local()


@contextmanager
def attempt_deadline(deadline: float | None) -> Iterator[None]:
    """Bound every socket operation in this block by ``deadline`` (monotonic s)."""
    previous = getattr(_CURRENT, "deadline", None)
    _CURRENT.deadline = deadline
    try:
        yield
    finally:
        _CURRENT.deadline = previous


def _current() -> float | None:
    deadline: float | None = getattr(_CURRENT, "deadline", None)
    return deadline


def _remaining(deadline: float, cap: float | None) -> float:
    """Seconds left (at most ``cap``); raises TimeoutError once none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the attempt's total time budget is spent")
    return left if cap is None else min(cap, left)


class _DeadlineReader(io.RawIOBase):
    """A socket reader whose every read waits at most until the deadline."""

    def __init__(self, sock: Any, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline
        timeout = sock.gettimeout()
        self._cap: float | None = None if timeout is None else float(timeout)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(_remaining(self._deadline, self._cap))
        count: int | None = self._raw.readinto(buffer)
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocket:
    """What :class:`http.client.HTTPResponse` is given instead of the socket: its
    ``makefile`` (the only thing the response calls) returns a deadline reader."""

    def __init__(self, sock: Any, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.IOBase:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    """Reads the status line, headers and body under the attempt's deadline."""

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        deadline = _current()
        if deadline is not None:
            sock = _DeadlineSocket(sock, deadline)
        super().__init__(sock, *args, **kwargs)


class _DeadlineMixin:
    """Sends under the attempt's deadline and reads answers with a deadline reader."""

    sock: Any

    def send(self, data: Any) -> None:
        deadline = _current()
        if deadline is not None and self.sock is not None:
            timeout = self.sock.gettimeout()
            self.sock.settimeout(
                _remaining(deadline, None if timeout is None else float(timeout))
            )
        super().send(data)  # type: ignore[misc]


class DeadlineHTTPConnection(_DeadlineMixin, urllib3.connection.HTTPConnection):
    """urllib3's HTTP connection, bounded by the attempt's deadline."""

    response_class = _DeadlineResponse


class DeadlineHTTPSConnection(_DeadlineMixin, urllib3.connection.HTTPSConnection):
    """urllib3's HTTPS connection, bounded by the attempt's deadline."""

    response_class = _DeadlineResponse


class DeadlineHTTPConnectionPool(urllib3.connectionpool.HTTPConnectionPool):
    """A pool of :class:`DeadlineHTTPConnection`."""

    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(urllib3.connectionpool.HTTPSConnectionPool):
    """A pool of :class:`DeadlineHTTPSConnection`."""

    ConnectionCls = DeadlineHTTPSConnection


_POOLS = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with deadline-bounded connections, direct and proxied."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """requests' pool manager, making pools of deadline-bounded connections."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The manager for ``proxy``; HTTP(S) proxies get deadline-bounded pools
        too (SOCKS proxies keep urllib3's own connection classes)."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def expired(deadline: float | None) -> bool:
    """Tell whether ``deadline`` (monotonic seconds) has passed."""
    return deadline is not None and time.monotonic() >= deadline


def budget(deadline: float | None) -> float:
    """Seconds left before ``deadline``; infinite when there is none."""
    return math.inf if deadline is None else deadline - time.monotonic()
