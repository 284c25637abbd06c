"""The one seam between crmclients and the network.

A :class:`Transport` turns a :class:`Request` into a :class:`Response`, or raises a
:class:`~crmclients.errors.TransportError`. :class:`RequestsTransport` is the real
one (a pooled ``requests.Session`` with timeouts that are always on); tests and
``crmclients.testing`` can pass their own. Third-party exceptions are translated
here and nowhere else, and this is where the one DEBUG line per request is logged,
with secrets redacted.

Two rules hold on every path (the urllib3 fast path, requests, a caller's own
session):

* a redirect is never followed here: a 3xx comes back as the answer, and the
  requestor decides (``_redirect``), so a credential never follows a ``Location``
  to another origin;
* an attempt never outlives ``Request.deadline``: connecting is bounded by what is
  left of it, and on the sessions crmclients creates every socket read and send
  too (``_deadline``); on a caller's session the body is read in pieces and the
  deadline checked between them.

Strictly private.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import attrs
import requests
import requests.adapters
import urllib3
import urllib3.exceptions

from crmclients import errors
from crmclients._deadline import DeadlineAdapter, attempt_deadline, budget, expired
from crmclients._redact import Redactor, redact_text, redact_url

logger = logging.getLogger("crmclients")


def _adapter_send_is_requests_own() -> bool:
    """False when HTTPAdapter.send has been replaced (responses patches it): then the
    fast path steps aside so the mock sees every request. Decided by what the
    function is, not by identity captured at import (a mock may already be active)."""
    send = requests.adapters.HTTPAdapter.send
    return (
        getattr(send, "__module__", None) == "requests.adapters"
        and getattr(send, "__qualname__", None) == "HTTPAdapter.send"
    )


class _ScrubSecrets(logging.Filter):
    """Scrubs name-tagged secrets (``api_token=...``) from urllib3's DEBUG lines.

    urllib3 logs every request line with its query string; crmclients puts some
    vendors' tokens there, so its records are scrubbed before any handler sees them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args or "=" in str(record.msg):
            record.msg = redact_text(record.getMessage())
            record.args = None
        return True


_SCRUBBER = _ScrubSecrets()


def _install_log_scrubber() -> None:
    for name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry"):
        third_party = logging.getLogger(name)
        if _SCRUBBER not in third_party.filters:
            third_party.addFilter(_SCRUBBER)


#: (connect, read) seconds: timeouts are always on.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)


@attrs.frozen(slots=True)
class Request:
    """One HTTP request, fully built (auth applied) and ready to send."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = attrs.field(factory=dict)
    content: bytes | None = None
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    attempt: int = 1
    #: Monotonic time (``time.monotonic()``) by which the whole attempt (connect,
    #: send, status, headers and body) must be done; None for no overall bound.
    deadline: float | None = None


@attrs.frozen(slots=True)
class Response:
    """What came back: status, headers and the raw body bytes."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    elapsed_ms: float

    @property
    def content_type(self) -> str:
        """The media type, lower-cased, without parameters."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


class Transport(Protocol):
    """Sends a request and returns the response, or raises TransportError."""

    def send(self, request: Request) -> Response:  # pragma: no cover - protocol
        """Send ``request`` and return the response."""
        ...

    def close(self) -> None:  # pragma: no cover - protocol
        """Release connections."""
        ...


@attrs.frozen(slots=True)
class Timeout:
    """The time limits of one attempt, in seconds.

    Attributes:
        connect: Opening the connection (TCP and TLS).
        read: Any single wait for the server (bytes of the answer, or room to send).
        total: The whole attempt: connect, send, status, headers and body. A
            server that trickles bytes cannot hold an attempt longer than this.
    """

    connect: float
    read: float
    total: float

    @classmethod
    def of_pair(cls, connect: float, read: float) -> Timeout:
        """``(connect, read)``: the attempt is bounded by their sum."""
        return cls(float(connect), float(read), float(connect) + float(read))

    @property
    def pair(self) -> tuple[float, float]:
        """(connect, read), as the transport passes them to urllib3."""
        return (self.connect, self.read)


def normalise_timeout(timeout: float | tuple[float, float] | None) -> Timeout:
    """Turn ``timeout=`` into per-attempt limits; None means the defaults.

    A number ``T`` bounds each attempt to ``T`` seconds in all (connecting and
    every wait included); a ``(connect, read)`` pair bounds connecting and each
    wait for the server separately, and the attempt to their sum. The default is
    ``(5, 30)``: at most 35 s an attempt.

    Raises:
        ConfigurationError: The value is not positive, or not a number or pair.
    """
    if timeout is None:
        return Timeout.of_pair(*DEFAULT_TIMEOUT)
    limits: Timeout | None = None
    if isinstance(timeout, int | float) and not isinstance(timeout, bool):
        limits = Timeout(float(timeout), float(timeout), float(timeout))
    elif not isinstance(timeout, bool):
        try:
            connect, read = timeout
            if not isinstance(connect, bool) and not isinstance(read, bool):
                limits = Timeout.of_pair(float(connect), float(read))
        except (TypeError, ValueError):
            limits = None
    if limits is None:
        raise errors.ConfigurationError(
            f"timeout must be seconds or a (connect, read) pair, got {timeout!r:.60}"
        )
    if not min(limits.connect, limits.read) > 0 or not math.isfinite(limits.total):
        raise errors.ConfigurationError(
            "timeout must be a positive, finite number of seconds: crmclients never "
            f"waits forever (got {timeout!r:.60})"
        )
    return limits


def check_base_url(base_url: str, *, allow_http: bool = False) -> str:
    """Validate a base URL: https, or http only for loopback hosts unless allowed.

    Returns:
        The URL without a trailing slash.

    Raises:
        ConfigurationError: The URL is malformed, or plain http to a remote host.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.ConfigurationError(
            f"base_url must look like https://host[:port][/path], got {redact_url(base_url)!r}"
        )
    if parts.scheme == "http" and not allow_http and not _is_loopback(parts.hostname):
        raise errors.ConfigurationError(
            f"base_url uses plain http to a non-loopback host ({parts.hostname}); "
            "credentials would travel unencrypted",
            hint="use https, or pass allow_http=True if you really mean it",
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestsTransport:
    """The real transport: a pooled ``requests.Session``.

    Args:
        session: A session to reuse (its adapters and cookies are kept; crmclients
            closes only sessions it created).
        verify: TLS verification; on unless turned off explicitly.
        pool_size: Connections kept per host (parallel pulls need one per worker).
        redactor: Scrubs secrets from the log line and error messages.
        vendor: The vendor name, for messages.
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        verify: bool | str = True,
        pool_size: int = 32,
        redactor: Redactor | None = None,
        vendor: str | None = None,
    ) -> None:
        _install_log_scrubber()
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            adapter = DeadlineAdapter(
                pool_connections=4, pool_maxsize=pool_size, max_retries=0
            )
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            # The environment (proxies, CA bundle) is read once per host below
            # instead of on every request: the same settings, without the cost.
            session.trust_env = False
        self.session = session
        self.verify = verify
        self.redactor = redactor or Redactor()
        self.vendor = vendor
        self._environment: dict[str, dict[str, Any]] = {}
        self._pools: dict[str, Any] = {}
        self._timeouts: dict[tuple[float, float], urllib3.Timeout] = {}

    def _settings_for(self, url: str) -> dict[str, Any]:
        """Proxies and TLS settings for a host, from the environment, read once."""
        scheme, netloc = urlsplit(url)[:2]
        key = f"{scheme}://{netloc}"
        known = self._environment.get(key)
        if known is not None:
            return known
        probe = requests.Session()
        try:
            merged: Any = probe.merge_environment_settings(
                key, {}, False, self.verify, None
            )
        finally:
            probe.close()
        settings: dict[str, Any] = dict(merged)
        self._environment[key] = settings
        return settings

    def send(self, request: Request) -> Response:
        """Send ``request``; map every ``requests``/urllib3 failure to a crmclients error.

        Redirects are returned, not followed. The attempt ends by
        ``request.deadline``, whatever the server does.
        """
        started = time.perf_counter()
        try:
            with attempt_deadline(request.deadline):
                answer = self._fast_send(request) if self._owns_session else None
                if answer is None:
                    answer = self._session_send(request)
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
        ) as exc:
            failure, outcome = self._map_exception(exc, request), type(exc).__name__
        else:
            elapsed = (time.perf_counter() - started) * 1000
            status, headers, content, url = answer
            self._log(request, str(status), elapsed)
            return Response(
                status_code=status,
                headers=headers,
                content=content,
                url=url,
                elapsed_ms=elapsed,
            )
        # Raised here, outside the handler: the third-party exception (its text
        # holds the URL, query and all) is not left on __context__.
        self._log(request, f"error {outcome}", (time.perf_counter() - started) * 1000)
        raise failure

    def _session_send(
        self, request: Request
    ) -> tuple[int, Mapping[str, str], bytes, str]:
        """Through requests (the caller's session, proxies, test mocks); redirects
        are returned as answers, never followed."""
        timeout = _bounded(request.timeout, request.deadline)
        if self._owns_session:
            prepared = requests.PreparedRequest()
            prepared.prepare(
                method=request.method,
                url=request.url,
                headers=dict(request.headers),
                params=list(request.params),
                data=request.content,
            )
            answer = self.session.send(
                prepared,
                timeout=timeout,
                allow_redirects=False,
                **self._settings_for(request.url),
            )
            content = answer.content
        else:  # the caller's session: honour all of its configuration
            answer = self.session.request(
                request.method,
                request.url,
                params=request.params or None,
                headers=dict(request.headers),
                data=request.content,
                timeout=timeout,
                verify=self.verify,
                allow_redirects=False,
                stream=True,
            )
            try:
                content = _read_by_deadline(answer, request.deadline)
            finally:
                answer.close()
        return (
            answer.status_code,
            answer.headers,
            content,
            answer.url or request.url,
        )

    def _fast_send(
        self, request: Request
    ) -> tuple[int, Mapping[str, str], bytes, str] | None:
        """Straight to the session's urllib3 pool, skipping requests' per-call layers.

        Same pool, TLS settings and timeouts as requests would use, about half the
        overhead. Returns None (use requests) when proxies apply, or when the
        adapter is not crmclients' own or has been patched (responses,
        requests-mock: their mocks must keep working).
        """
        if not _adapter_send_is_requests_own():
            return None
        parts = urlsplit(request.url)
        pool = self._pool_for(parts.scheme, parts.netloc, request.url)
        if pool is None:
            return None
        path = parts.path or "/"
        query = parts.query
        if request.params:
            extra = urlencode(request.params)
            query = f"{query}&{extra}" if query else extra
        target = f"{path}?{query}" if query else path
        pair = _bounded(request.timeout, request.deadline)
        timeout = self._timeouts.get(pair)
        if timeout is None:
            connect, read = pair
            timeout = urllib3.Timeout(connect=connect, read=read)
            if request.deadline is None:  # fixed pairs recur: keep them
                self._timeouts[pair] = timeout
        answer = pool.urlopen(
            request.method,
            target,
            body=request.content,
            headers=dict(request.headers),
            redirect=False,
            assert_same_host=False,
            preload_content=True,
            decode_content=True,
            retries=False,
            timeout=timeout,
        )
        return (
            answer.status,
            answer.headers,
            answer.data,
            f"{parts.scheme}://{parts.netloc}{target}",
        )

    def _pool_for(self, scheme: str, netloc: str, url: str) -> Any:
        """requests' own urllib3 pool for an origin, or None when requests must handle it
        (proxies, a custom adapter). Decided once per origin."""
        key = f"{scheme}://{netloc}"
        if key in self._pools:
            return self._pools[key]
        settings = self._settings_for(url)
        adapter = self.session.get_adapter(url)
        pool = None
        if not settings.get("proxies") and type(adapter) is DeadlineAdapter:
            probe = requests.PreparedRequest()
            probe.prepare(method="GET", url=f"{key}/")
            pool = adapter.get_connection_with_tls_context(
                probe, settings.get("verify", self.verify), None, settings.get("cert")
            )
        self._pools[key] = pool
        return pool

    def close(self) -> None:
        """Close the session if this transport created it."""
        if self._owns_session:
            self.session.close()

    def _log(self, request: Request, outcome: str, elapsed_ms: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            url = request.url
            if request.params:
                url = (
                    requests.Request("GET", url, params=list(request.params))
                    .prepare()
                    .url
                    or url
                )
            logger.debug(
                "%s %s -> %s in %.0f ms (attempt %d)",
                request.method,
                self.redactor.scrub(redact_url(url)),
                outcome,
                elapsed_ms,
                request.attempt,
            )

    def _map_exception(
        self,
        exc: requests.RequestException | urllib3.exceptions.HTTPError | OSError,
        request: Request,
    ) -> errors.CRMError:
        operation = f"{request.method} {urlsplit(request.url).path}"
        detail = self.redactor.scrub(str(exc))
        kwargs = {"vendor": self.vendor, "operation": operation}
        if expired(request.deadline) and not _never_connected(exc):
            return errors.RequestTimeoutError(
                "the attempt ran out of its total time budget (timeout= bounds "
                "connecting, sending and the whole answer; the retry deadline "
                f"bounds the call): {detail}",
                request_sent=True,
                **kwargs,
            )
        if isinstance(exc, urllib3.exceptions.HTTPError):
            return _map_urllib3(exc, detail, kwargs)
        if isinstance(exc, requests.ConnectTimeout):
            return errors.RequestTimeoutError(
                f"connecting timed out: {detail}", request_sent=False, **kwargs
            )
        if isinstance(exc, requests.ReadTimeout):
            return errors.RequestTimeoutError(
                f"the server did not answer in time: {detail}",
                request_sent=True,
                **kwargs,
            )
        if isinstance(exc, requests.exceptions.SSLError):
            return errors.TransportError(
                f"TLS failed: {detail}",
                request_sent=False,
                hint="check the certificate; verification stays on unless verify=False",
                **kwargs,
            )
        if isinstance(exc, requests.ConnectionError):
            sent = None if not _never_connected(exc) else False
            what = "could not connect" if sent is False else "the connection broke"
            return errors.TransportError(
                f"{what}: {detail}", request_sent=sent, **kwargs
            )
        if isinstance(
            exc,
            requests.exceptions.ChunkedEncodingError
            | requests.exceptions.ContentDecodingError,
        ):
            return errors.TransportError(
                f"the answer was cut off: {detail}", request_sent=True, **kwargs
            )
        if isinstance(exc, TimeoutError):
            return errors.RequestTimeoutError(
                f"the server did not answer in time: {detail}",
                request_sent=True,
                **kwargs,
            )
        return errors.TransportError(
            f"request failed: {detail}", request_sent=None, **kwargs
        )


def _bounded(
    timeout: tuple[float, float], deadline: float | None
) -> tuple[float, float]:
    """(connect, read) seconds, neither longer than what is left of ``deadline``."""
    if deadline is None:
        return timeout
    left = max(budget(deadline), 0.001)
    connect, read = timeout
    return (min(connect, left), min(read, left))


_CHUNK = 65536


def _read_by_deadline(answer: requests.Response, deadline: float | None) -> bytes:
    """The body of a streamed answer, checking ``deadline`` between reads.

    Each read returns what one socket read brought (``read1``), so a server that
    trickles bytes is cut off within one read timeout of the deadline.
    """
    raw = answer.raw
    read1 = getattr(raw, "read1", None)
    if deadline is None or read1 is None:
        return answer.content
    chunks: list[bytes] = []
    while True:
        if expired(deadline):
            raise TimeoutError("the attempt's total time budget is spent")
        chunk = read1(_CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _map_urllib3(
    exc: urllib3.exceptions.HTTPError, detail: str, kwargs: dict[str, Any]
) -> errors.CRMError:
    """The crmclients error for a urllib3 failure on the fast path."""
    failures = urllib3.exceptions
    if isinstance(exc, failures.ConnectTimeoutError) and not isinstance(
        exc, failures.NewConnectionError
    ):
        return errors.RequestTimeoutError(
            f"connecting timed out: {detail}", request_sent=False, **kwargs
        )
    if isinstance(exc, failures.NewConnectionError | failures.NameResolutionError):
        return errors.TransportError(
            f"could not connect: {detail}", request_sent=False, **kwargs
        )
    if isinstance(exc, failures.ReadTimeoutError):
        return errors.RequestTimeoutError(
            f"the server did not answer in time: {detail}", request_sent=True, **kwargs
        )
    if isinstance(exc, failures.SSLError):
        return errors.TransportError(
            f"TLS failed: {detail}",
            request_sent=False,
            hint="check the certificate; verification stays on unless verify=False",
            **kwargs,
        )
    if isinstance(exc, failures.DecodeError | failures.IncompleteRead):
        return errors.TransportError(
            f"the answer was cut off: {detail}", request_sent=True, **kwargs
        )
    return errors.TransportError(
        f"the connection broke: {detail}", request_sent=None, **kwargs
    )


def _never_connected(exc: BaseException) -> bool:
    """True when the failure happened while connecting (the request never left)."""
    import urllib3.exceptions

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current,
            urllib3.exceptions.NewConnectionError
            | urllib3.exceptions.NameResolutionError,
        ):
            return True
        if (
            isinstance(current, urllib3.exceptions.MaxRetryError)
            and current.reason is not None
        ):
            current = current.reason
            continue
        for arg in getattr(current, "args", ()):
            if (
                isinstance(arg, BaseException)
                and id(arg) not in seen
                and _never_connected(arg)
            ):
                return True
        current = current.__cause__ or current.__context__
    return False
