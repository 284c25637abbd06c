"""The emulator base: a WSGI app with routing, seeded state and fault injection.

Emulators are written from the vendor docs and import nothing from the client code,
so end-to-end tests are a real second opinion on the client.

Strictly private.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

#: Every fault kind the sandbox can inject.
FAULT_KINDS: tuple[str, ...] = (
    "500",  # Internal Server Error
    "502",  # Bad Gateway
    "503",  # Service Unavailable, no Retry-After
    "503-retry-after",  # Service Unavailable with Retry-After
    "429",  # Too Many Requests with Retry-After
    "reset",  # connection reset before the request is read (nothing processed)
    "reset-after",  # connection reset after the request was processed
    "timeout",  # the answer comes later than the client waits
    "truncated",  # the JSON answer is cut off
    "html",  # an HTML error page with status 200
    "empty",  # status 200 with an empty body
)

# Faults decided before the request reaches the emulator (nothing is processed).
_BEFORE = frozenset(
    {"500", "502", "503", "503-retry-after", "429", "reset", "html", "empty"}
)


class SandboxConnectionReset(ConnectionResetError):
    """Raised inside the app to drop the connection (in-process: becomes an exception)."""


class SandboxSlowAnswer(TimeoutError):
    """Raised in-process for a ``timeout`` fault (over HTTP the server just sleeps)."""


class FaultPlan:
    """Which requests fail, and how: at a seeded rate, or scripted per request.

    Args:
        rate: Probability that a request is faulted.
        kinds: The kinds to choose from (uniformly, by the seeded generator).
        seed: Seed for the generator (the same seed faults the same requests).
        script: Faults for the next requests, in order (None = no fault); used
            before the rate applies.
        match: Only requests for which ``match(method, path)`` is true are faulted.
        retry_after: The Retry-After value sent with 429 and 503-retry-after.
        slow_seconds: How long a ``timeout`` answer takes over HTTP.
    """

    def __init__(
        self,
        *,
        rate: float = 0.0,
        kinds: Sequence[str] = FAULT_KINDS,
        seed: int | None = None,
        script: Iterable[str | None] = (),
        match: Callable[[str, str], bool] | None = None,
        retry_after: str = "0",
        slow_seconds: float = 2.0,
    ) -> None:
        unknown = sorted(
            set(kinds) - set(FAULT_KINDS) | {k for k in script if k} - set(FAULT_KINDS)
        )
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; known: {FAULT_KINDS}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self.rate = rate
        self.kinds = tuple(kinds)
        self.script: deque[str | None] = deque(script)
        self.match = match
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.seen = 0

    def pick(self, method: str, path: str) -> str | None:
        """The fault for this request, or None."""
        with self._lock:
            if self.match is not None and not self.match(method, path):
                return None
            self.seen += 1
            if self.script:
                kind = self.script.popleft()
            elif self.rate and self.kinds and self._rng.random() < self.rate:
                kind = self._rng.choice(self.kinds)
            else:
                kind = None
            if kind:
                self.injected[kind] += 1
            return kind


class RecordedRequest:
    """A request the emulator received (for tests: what was sent, how often).

    ``fault`` is the fault injected into this request, if any.
    """

    __slots__ = ("body", "fault", "headers", "method", "path", "query")

    def __init__(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        fault: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = dict(headers)
        self.body = body
        self.fault = fault

    def __repr__(self) -> str:
        return f"<RecordedRequest {self.method} {self.path}>"


class Emulator:
    """Base class of the vendor emulators.

    Subclasses define ``vendor``, ``credentials``, :meth:`rules` (werkzeug rules whose
    endpoints are method names) and :meth:`seed_data`.

    Args:
        records: How many records to seed.
        seed: Seed for the deterministic data.
        latency: Seconds added to every answer (to emulate a remote server).
    """

    vendor: ClassVar[str]
    #: The vendor's path prefix ("/api/v2"...), kept under the sandbox's base URL.
    prefix: ClassVar[str] = ""

    def __init__(
        self, *, records: int = 100, seed: int = 0, latency: float = 0.0
    ) -> None:
        self.records = records
        self.seed = seed
        self.latency = latency
        self.rng = random.Random(seed)
        #: Generates drift records, apart from the seed data's generator.
        self.drift_rng = random.Random(seed * 7_919 + 104_729)
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        #: Requests that reached the emulator's routes (not those refused by a
        #: fault injected before processing).
        self.requests: deque[RecordedRequest] = deque(maxlen=100_000)
        #: Every request received, faulted ones included (``.fault`` says how).
        self.received: deque[RecordedRequest] = deque(maxlen=100_000)
        #: Every token or session key this emulator issued (for leak tests).
        self.issued_tokens: list[str] = []
        self.clock_offset = 0.0
        self.hooks: list[Callable[[Request], None]] = []
        self.url_map = Map(list(self.rules()), strict_slashes=False)
        self.seed_data()

    # -- to override -------------------------------------------------------------------

    @property
    def credentials(self) -> dict[str, str]:
        """Keyword arguments for ``crmclients.connect`` (besides ``base_url``)."""
        raise NotImplementedError

    def rules(self) -> Iterable[Rule]:
        """The routes: werkzeug rules whose endpoints are method names."""
        raise NotImplementedError

    def seed_data(self) -> None:
        """Create the deterministic records."""
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        """The answer for an unknown route."""
        return self.json({"error": "not found"}, status=404)

    # -- drift hooks: change a list while a pull runs --------------------------------

    #: The list collections the drift hooks know, the default first.
    drift_collections: ClassVar[tuple[str, ...]] = ()

    def record_ids(self, collection: str | None = None) -> list[str]:
        """The ids a full, unfiltered pull of ``collection`` shows, in list order.

        Raises:
            NotImplementedError: The emulator has no drift hooks.
        """
        raise NotImplementedError(f"{self.vendor}: no drift hooks")

    def insert_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Add ``n`` records to a list while a pull may be running (call from a hook).

        Args:
            n: How many records to add.
            collection: One of :attr:`drift_collections` (default: the first).
            at: ``"start"``: before every existing record in list order, so every
                record moves ``n`` places back (the worst case for offset paging);
                ``"end"``: after every existing record.

        Returns:
            The new records' ids, as the API shows them.

        Raises:
            NotImplementedError: The emulator has no drift hooks.
        """
        raise NotImplementedError(f"{self.vendor}: no drift hooks")

    def delete_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Delete ``n`` records from a list while a pull may be running.

        Args:
            n: How many records to delete.
            collection: One of :attr:`drift_collections` (default: the first).
            at: ``"start"``: the first ``n`` in list order (every later record
                moves ``n`` places forward, onto pages a pull has already read);
                ``"end"``: the last ``n``; ``"random"``: ``n`` chosen by a
                generator seeded from the emulator's seed.

        Returns:
            The deleted records' ids, as the API showed them.

        Raises:
            NotImplementedError: The emulator has no drift hooks.
        """
        raise NotImplementedError(f"{self.vendor}: no drift hooks")

    def _drift_target(self, collection: str | None, at: str, *, deleting: bool) -> str:
        """Check the drift arguments; return the collection to change."""
        allowed = ("start", "end", "random") if deleting else ("start", "end")
        if at not in allowed:
            raise ValueError(f"at must be one of {allowed}, got {at!r}")
        name = collection or self.drift_collections[0]
        if name not in self.drift_collections:
            raise ValueError(
                f"{self.vendor}: no drift hooks for {name!r}; "
                f"choose one of {self.drift_collections}"
            )
        return name

    @staticmethod
    def _put_first(store: dict[Any, Any], keys: Iterable[Any]) -> None:
        """Move ``keys`` of ``store`` to its start, in place (the store stays the
        same object, so references held elsewhere see the change)."""
        first = {key: store[key] for key in keys}
        rest = [(k, v) for k, v in store.items() if k not in first]
        store.clear()
        store.update(first)
        store.update(rest)

    def _pick(self, ids: Sequence[Any], n: int, at: str) -> list[Any]:
        """``n`` of ``ids`` (in list order) to delete, as ``at`` says."""
        if n > len(ids):
            raise ValueError(f"cannot delete {n} records: the list has {len(ids)}")
        if at == "start":
            return list(ids[:n])
        if at == "end":
            return list(ids[len(ids) - n :])
        return self.drift_rng.sample(list(ids), n)

    # -- helpers for emulators -----------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock (seconds since the epoch), movable with advance()."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (token expiry, stale requests...)."""
        with self.lock:
            self.clock_offset += seconds

    @staticmethod
    def json(
        payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """A JSON answer."""
        return Response(
            json.dumps(payload, separators=(",", ":")),
            status=status,
            headers=dict(headers or {}),
            content_type="application/json",
        )

    def inject_faults(self, **plan: Any) -> FaultPlan:
        """Replace the fault plan (see :class:`FaultPlan` for the arguments)."""
        self.faults = FaultPlan(**plan)
        return self.faults

    def clear_faults(self) -> None:
        """Stop injecting faults."""
        self.faults = FaultPlan()

    def count(self, method: str, path: str) -> int:
        """How many requests were received for ``method path``."""
        return sum(
            1 for r in list(self.requests) if r.method == method and r.path == path
        )

    # -- WSGI --------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        fault = self.faults.pick(request.method, request.path)
        record = RecordedRequest(
            request.method,
            request.path,
            request.query_string.decode("latin-1"),
            dict(request.headers.items()),
            b"" if fault == "reset" else request.get_data(cache=True),
            fault,
        )
        self.received.append(record)
        if fault in _BEFORE:
            response = self._fault_before(fault, environ)
        else:
            self.requests.append(record)
            for hook in list(self.hooks):
                hook(request)
            if self.latency:
                time.sleep(self.latency)
            response = self._dispatch(request)
            if fault == "reset-after":
                _drop(environ)
            elif fault == "timeout":
                if "werkzeug.socket" not in environ:
                    raise SandboxSlowAnswer("slow answer")
                time.sleep(self.faults.slow_seconds)
            elif fault == "truncated":
                data = response.get_data()
                response.set_data(data[: max(1, len(data) // 2)])
        return response(environ, start_response)

    def _fault_before(self, fault: str | None, environ: dict[str, Any]) -> Response:
        retry_after = {"Retry-After": self.faults.retry_after}
        if fault == "reset":
            _drop(environ)
        if fault == "html":
            return Response(
                "<html><head><title>Error</title></head><body><h1>Bad Gateway</h1>"
                "<p>The upstream server is unavailable.</p></body></html>",
                status=200,
                content_type="text/html",
            )
        if fault == "empty":
            return Response(b"", status=200, content_type="application/json")
        status = int((fault or "500")[:3])
        headers = retry_after if fault in ("429", "503-retry-after") else {}
        return Response(
            f"<html><body><h1>{status}</h1></body></html>",
            status=status,
            headers=headers,
            content_type="text/html",
        )

    def _dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except (NotFound, MethodNotAllowed):
            return self.not_found(request)
        except HTTPException as exc:  # redirects for slashes and the like
            return exc.get_response(request.environ)
        with self.lock:
            result: Response = getattr(self, endpoint)(request, **args)
        return result


def _drop(environ: Mapping[str, Any]) -> None:
    """Reset the client's connection (in-process: raise for the mock to translate)."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise SandboxConnectionReset("sandbox fault: connection reset")
