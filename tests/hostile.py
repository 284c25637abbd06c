"""Hostile test servers: raw sockets that misbehave in ways WSGI cannot."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self


class RawServer:
    """A TCP server on 127.0.0.1 that hands each connection to :meth:`handle` in a
    thread of its own, until the ``with`` block ends."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self.sock.close()
        self.closed()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn: socket.socket) -> None:
        """Serve one connection (in its own thread)."""
        raise NotImplementedError

    def closed(self) -> None:
        """Called once the server has stopped accepting."""


class Trickler(RawServer):
    """A raw HTTP server that sends its answer one byte every ``interval``.

    ``phase`` is what trickles: ``"status"`` (the status line itself),
    ``"headers"`` (after a complete status line) or ``"body"`` (after complete
    headers with a large Content-Length). Each connection stops after ``limit``
    seconds or as soon as the client goes away.
    """

    def __init__(self, phase: str, interval: float = 0.05, limit: float = 15.0) -> None:
        super().__init__()
        self.phase = phase
        self.interval = interval
        self.limit = limit

    def handle(self, conn: socket.socket) -> None:
        """Read the request, then trickle the answer."""
        conn.settimeout(2.0)
        started = time.monotonic()
        try:
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 1_000_000:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head = b"HTTP/1.1 200 OK\r\n"
            headers = (
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            prefix, trickle = {
                "status": (b"", head + b"X-Slow: " + b"a" * 10_000),
                "headers": (head, b"X-Slow: " + b"a" * 10_000),
                "body": (head + headers, b'{"a": "' + b"b" * 90_000),
            }[self.phase]
            conn.sendall(prefix)
            for byte in trickle:
                if self._stop.is_set() or time.monotonic() - started > self.limit:
                    return
                conn.sendall(bytes([byte]))
                time.sleep(self.interval)
        except OSError:
            return
        finally:
            conn.close()


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a list that holds the block's wall time once the block ends."""
    took: list[float] = []
    started = time.monotonic()
    try:
        yield took
    finally:
        took.append(time.monotonic() - started)


class Sink(RawServer):
    """A raw HTTP server that accepts connections and never reads from them, so a
    client's send blocks once the socket buffers are full."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[socket.socket] = []

    def handle(self, conn: socket.socket) -> None:
        """Keep the connection open, unread."""
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.held.append(conn)

    def closed(self) -> None:
        """Close the held connections."""
        for conn in self.held:
            conn.close()
