"""The requestor: one call to a vendor endpoint, end to end.

Each vendor's native client calls :meth:`Requestor.request` and nothing lower. Per
attempt it waits for the rate limiter, builds the request (body serialised once),
lets the vendor's :class:`Auth` add credentials or a signature (so every retry is
re-signed and carries a fresh token), sends it through the :class:`Transport`,
decodes JSON, and hands the result to the vendor's :class:`Envelope`, which unwraps
it or raises the right error. Retries follow the :class:`RetryPolicy`; an auth
failure triggers one credential refresh where the vendor supports it. A redirect is
followed only as ``_redirect`` allows (same origin, reads), with the credentials
built afresh. Every attempt has a deadline: ``timeout=`` bounds its whole wall
time, and the retry policy's ``deadline`` bounds the call, the attempt in flight
included. A Retry-After header reaches the retry wait whatever the vendor's error
body says. Every error that leaves is a detached copy passed through the client's
redactor, raised outside any handler so that nothing unredacted rides on its
``__context__``.

Strictly private.
"""

from __future__ import annotations

import contextvars
import json
import logging
import math
import platform
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypedDict
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import orjson

from crmclients import _redirect, _retry, errors
from crmclients._ratelimit import RateLimiter, shared_limiter
from crmclients._redact import Redactor
from crmclients._transport import (
    Request,
    RequestsTransport,
    Response,
    Timeout,
    Transport,
    check_base_url,
    normalise_timeout,
)

if TYPE_CHECKING:
    from datetime import tzinfo

    import requests

logger = logging.getLogger("crmclients")

_VERSION = "0.1.0"
USER_AGENT = f"crmclients/{_VERSION} python/{platform.python_version()}"

Params = Mapping[str, Any] | Iterable[tuple[str, Any]]

#: The retry deadline of the call in progress in this thread (or task): a request
#: made while it runs (a login, a token exchange) ends by it too.
_CALL_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "crmclients_call_deadline", default=None
)


@attrs.frozen(slots=True)
class CallContext:
    """What an envelope needs to build a good error message."""

    vendor: str
    operation: str
    method: str
    path: str


class Auth(Protocol):
    """Adds credentials to a request; may refresh them after an auth failure."""

    def apply(self, request: Request) -> Request:  # pragma: no cover - protocol
        """Return ``request`` with credentials (or a signature) added."""
        ...

    def refresh(self) -> bool:  # pragma: no cover - protocol
        """Renew credentials after an auth failure; True if a retry may succeed."""
        ...


class Envelope(Protocol):
    """Unwraps a vendor's answer, or raises the matching crmclients error."""

    def unwrap(
        self, response: Response, body: Any, ctx: CallContext
    ) -> Any:  # pragma: no cover
        """Return the payload of a decoded answer, or raise."""
        ...

    def not_json(
        self, response: Response, ctx: CallContext
    ) -> errors.CRMError:  # pragma: no cover
        """The error for an answer that is not JSON (HTML page, plain text...)."""
        ...


class NoAuth:
    """Sends requests as they are."""

    def apply(self, request: Request) -> Request:
        """Return ``request`` unchanged."""
        return request

    def refresh(self) -> bool:
        """Nothing to refresh."""
        return False


_STATUS_ERRORS: dict[int, type[errors.APIError]] = {
    400: errors.RejectedError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    410: errors.NotFoundError,
    422: errors.RejectedError,
    429: errors.RateLimitError,
}


def error_class_for_status(status: int | None) -> type[errors.APIError]:
    """The error class for an HTTP status (the single status -> class mapping)."""
    if status is None:
        return errors.APIError
    if status in _STATUS_ERRORS:
        return _STATUS_ERRORS[status]
    return errors.ServerError if status >= 500 else errors.APIError


def status_error(
    response: Response, ctx: CallContext, message: str | None = None, **kwargs: Any
) -> errors.APIError:
    """An error for a failed HTTP status, with Retry-After where given."""
    cls = error_class_for_status(response.status_code)
    text = message or f"HTTP {response.status_code}"
    return cls(
        text,
        status_code=response.status_code,
        vendor=ctx.vendor,
        operation=ctx.operation,
        retry_after=_retry.parse_retry_after(response.headers.get("Retry-After")),
        **kwargs,
    )


def unreadable(
    response: Response, ctx: CallContext, what: str
) -> errors.ResponseShapeError:
    """A transient shape error: the answer could not be read (cut off, HTML...)."""
    return errors.ResponseShapeError(
        f"{what} (HTTP {response.status_code}, {response.content_type or 'no content type'})",
        path="$",
        snippet=response.content[:120].decode("utf-8", "replace"),
        transient=True,
        vendor=ctx.vendor,
        operation=ctx.operation,
        hint="the answer was cut off or garbled on the way; reads are retried automatically",
    )


@attrs.define
class RequestStats:
    """Counters: attempts sent, retries, credential refreshes, wait for the limiter."""

    attempts: int = 0
    retries: int = 0
    refreshes: int = 0
    requests: int = 0


def _json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(value, default=str, separators=(",", ":")).encode()


def decode_json(content: bytes) -> Any:
    """Decode a JSON body (orjson); raises ValueError when it is not JSON."""
    return orjson.loads(content)


class Requestor:
    """Sends vendor requests with auth, retries, rate limiting, decoding and redaction.

    Args:
        vendor: Vendor name.
        base_url: Scheme, host, port and the vendor's path prefix.
        transport: Where requests go.
        envelope: The vendor's answer unwrapper.
        auth: The vendor's credentials.
        retry: The retry policy.
        limiter: The shared rate limiter, or None for no client-side limit.
        redactor: Knows the secrets to scrub from messages and logs.
        timeout: Connect, read and total seconds per attempt (a bare
            ``(connect, read)`` pair bounds the attempt to their sum).
        headers: Headers sent with every request.
    """

    def __init__(
        self,
        *,
        vendor: str,
        base_url: str,
        transport: Transport,
        envelope: Envelope,
        auth: Auth | None = None,
        retry: _retry.RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        redactor: Redactor | None = None,
        timeout: Timeout | tuple[float, float] = (5.0, 30.0),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.vendor = vendor
        self.base_url = base_url.rstrip("/")
        self.transport = transport
        self.envelope = envelope
        self.auth: Auth = auth or NoAuth()
        self.retry = retry or _retry.RetryPolicy()
        self.limiter = limiter
        self.redactor = redactor or Redactor()
        self.timeout = (
            timeout if isinstance(timeout, Timeout) else Timeout.of_pair(*timeout)
        )
        self.headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            **(headers or {}),
        }
        self.stats = RequestStats()
        self._stats_lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Params | None = None,
        json: Any = None,
        form: Params | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        read: bool | None = None,
        unwrap: Callable[[Response, Any, CallContext], Any] | None = None,
        replayed: Callable[[errors.CRMError], Any] | None = None,
    ) -> Any:
        """Call ``method path`` and return the vendor payload.

        Args:
            method: HTTP method.
            path: Path below the base URL (``/opportunities/view/12``).
            operation: Name for messages (``"opportunities.view"``).
            params: Query parameters; None values are dropped, lists repeated.
            json: A JSON body, serialised once (signing hashes these bytes).
            form: A form-encoded body.
            headers: Extra headers.
            idempotent: May this be retried after an ambiguous failure? Defaults to
                True for reads and GET/HEAD/PUT/DELETE, False for POST/PATCH.
            read: Does this call only read? Defaults to True for GET/HEAD; RPC-style
                vendors (iVvy) say so for their POST reads. Only reads follow a
                same-origin redirect, and a POST read only a 307/308 (which keep
                the method and body).
            unwrap: Use instead of the envelope's ``unwrap`` for this call.
            replayed: For an idempotent write: when an attempt that may have been
                processed lost its answer and the replay failed, called with the
                replay's error; returns the answer to use (the lost attempt did
                the work: a delete's replay finds nothing to delete) or raises.

        Raises:
            CRMError: Whatever went wrong, redacted.
        """
        method = method.upper()
        if read is None:
            read = method in ("GET", "HEAD")
        if idempotent is None:
            idempotent = read or method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        ctx = CallContext(self.vendor, operation, method, path)
        all_headers = dict(self.headers)
        content: bytes | None = None
        if json is not None:
            content = _json_bytes(json)
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            content = urlencode(_pairs(form)).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if headers:
            all_headers.update(headers)
        url = f"{self.base_url}{path}"
        params_pairs = tuple(_pairs(params or ()))
        handler = unwrap or self.envelope.unwrap
        limits = self.timeout
        call_deadline = time.monotonic() + self.retry.deadline
        enclosing = _CALL_DEADLINE.get()
        if enclosing is not None and enclosing < call_deadline:
            call_deadline = enclosing  # a login inside a call: the call's deadline

        def attempt(number: int) -> Any:
            refreshed = False
            hops = 0
            base = Request(
                method, url, params_pairs, all_headers, content, limits.pair, number
            )
            while True:
                if self.limiter is not None:
                    self.limiter.acquire()
                with self._stats_lock:
                    self.stats.attempts += 1
                deadline = _attempt_deadline(limits.total, call_deadline, ctx)
                unsigned = Request(
                    base.method,
                    base.url,
                    base.params,
                    base.headers,
                    base.content,
                    base.timeout,
                    number,
                    deadline,
                )
                request = self._authorised(unsigned, ctx)
                response = self.transport.send(request)
                if _redirect.is_redirect(response):
                    base = _redirect.follow(
                        unsigned,
                        response,
                        hops=hops,
                        read=read,
                        added=_added_names(unsigned, request),
                        scrub=self.redactor.scrub,
                        vendor=self.vendor,
                        operation=operation,
                    )
                    hops += 1
                    continue
                try:
                    return self._handle(response, ctx, handler)
                except errors.AuthenticationError:
                    if refreshed or not self.auth.refresh():
                        raise
                    refreshed = True
                    with self._stats_lock:
                        self.stats.refreshes += 1

        lost_answer = False  # an attempt that failed may have been processed

        def on_retry(number: int, exc: BaseException, wait: float) -> None:
            nonlocal lost_answer
            lost_answer = lost_answer or _retry.is_ambiguous(exc)
            with self._stats_lock:
                self.stats.retries += 1
            logger.debug(
                "%s %s: retrying in %.2f s after attempt %d failed (%s)",
                self.vendor,
                operation,
                wait,
                number,
                type(exc).__name__,
            )

        with self._stats_lock:
            self.stats.requests += 1
        failure: errors.CRMError
        scope = _CALL_DEADLINE.set(call_deadline)
        try:
            try:
                return _retry.call(
                    attempt,
                    policy=self.retry,
                    idempotent=idempotent,
                    vendor=self.vendor,
                    operation=operation,
                    on_retry=on_retry,
                )
            except errors.CRMError as exc:
                if replayed is None or not (idempotent and lost_answer):
                    raise
                return replayed(exc)
        except errors.CRMError as exc:
            failure = self._redacted(exc)
        finally:
            _CALL_DEADLINE.reset(scope)
        # Raised here, outside the handler, so the unredacted original is not left
        # on __context__; the body and headers (a login's password) leave this
        # frame's locals first, for reporters that record them.
        json = form = content = headers = None
        all_headers.clear()
        raise failure

    def _authorised(self, request: Request, ctx: CallContext) -> Request:
        """Apply the vendor's auth; a failure there means the request never left.

        Logging in (CRM.COM, Opentaps) can fail on its own. Such a failure is
        reported as "not sent", so even a create may be retried safely; a refused
        credential stays an AuthenticationError.
        """
        try:
            return self.auth.apply(request)
        except errors.CRMError as exc:
            if not _retry.is_ambiguous(exc):
                raise  # refused credentials, a malformed answer...: as they are
            raise errors.TransportError(
                f"could not obtain credentials before sending ({exc.message})",
                request_sent=False,
                vendor=self.vendor,
                operation=ctx.operation,
            ) from exc

    def _redacted(self, exc: errors.CRMError) -> errors.CRMError:
        """A detached copy of ``exc`` (and of its crmclients causes) with secrets
        scrubbed, vendor filled in if missing."""
        clean = exc.redacted(self.redactor.scrub)
        if clean.vendor is None:
            clean.vendor = clean._kwargs["vendor"] = self.vendor
        return clean

    def _handle(
        self,
        response: Response,
        ctx: CallContext,
        handler: Callable[[Response, Any, CallContext], Any],
    ) -> Any:
        body: Any = None
        content = response.content
        if content[:1].isspace():
            content = content.strip()
        if content:
            if _looks_like_json(response):
                try:
                    body = decode_json(content)
                except ValueError:
                    if response.status_code >= 400:
                        raise status_error(response, ctx) from None
                    raise unreadable(
                        response, ctx, "the answer is not valid JSON (cut off?)"
                    ) from None
            else:
                raise self.envelope.not_json(response, ctx)
        try:
            return handler(response, body, ctx)
        except errors.APIError as exc:
            _carry_retry_after(exc, response)
            raise


def _carry_retry_after(exc: errors.APIError, response: Response) -> None:
    """Give ``exc`` the answer's Retry-After when the vendor's envelope built the
    error from its JSON body and left the header out (every vendor, one place)."""
    if exc.retry_after is not None:
        return
    wait = _retry.parse_retry_after(response.headers.get("Retry-After"))
    if wait is not None:
        exc.retry_after = exc._kwargs["retry_after"] = wait


def _attempt_deadline(total: float, call_deadline: float, ctx: CallContext) -> float:
    """When this attempt must be done: ``total`` from now, never past the call's
    retry deadline (raises, before sending, when that has passed)."""
    now = time.monotonic()
    if now >= call_deadline:
        raise errors.RequestTimeoutError(
            "the retry deadline passed before this attempt could be sent",
            request_sent=False,
            vendor=ctx.vendor,
            operation=ctx.operation,
            hint="raise RetryPolicy(deadline=...) or lower the rate of calls",
        )
    return min(now + total, call_deadline) if math.isfinite(total) else call_deadline


def _added_names(unsigned: Request, signed: Request) -> frozenset[str]:
    """The query parameters the vendor's auth added (a redirect drops them)."""
    before = {name for name, _ in unsigned.params}
    return frozenset(name for name, _ in signed.params if name not in before)


def absent_means_done(error: errors.CRMError) -> None:
    """``replayed=`` for deletes and removals: "not found" on the replay means the
    attempt whose answer was lost did the work. Any other error is raised."""
    if isinstance(error, errors.NotFoundError):
        return None
    raise error


def _looks_like_json(response: Response) -> bool:
    kind = response.content_type
    if kind.endswith(("json", "+json")):
        return True
    head = response.content.lstrip()[:1]
    return head in (b"{", b"[") and "html" not in kind


def _pairs(params: Params) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out.extend((key, _text(v)) for v in value if v is not None)
        else:
            out.append((key, _text(value)))
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def host_of(url: str) -> str:
    """The host[:port] of a URL (for rate-limit keys)."""
    return urlsplit(url).netloc


class CommonOptions(TypedDict, total=False):
    """Options every native client accepts (see ``crmclients.config``)."""

    base_url: str
    timeout: float | tuple[float, float]
    retry: _retry.RetryPolicy
    rate_limit: float | None
    session: requests.Session
    timezone: str
    verify: bool | str
    allow_http: bool
    transport: Transport


def resolve_timezone(name: str | None, default: str, *, vendor: str) -> tzinfo:
    """The zone for naive vendor timestamps.

    Raises:
        ConfigurationError: Unknown IANA zone name.
    """
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.ConfigurationError(
            f"unknown time zone {name!r}",
            vendor=vendor,
            hint="use an IANA name such as 'Europe/London'",
        ) from None


_NOT_GIVEN: Any = object()


def build_requestor(
    *,
    vendor: str,
    root_url: str,
    prefix: str = "",
    envelope: Envelope,
    auth: Auth | None,
    redactor: Redactor,
    credential_key: str,
    options: CommonOptions,
    default_rate_limit: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> Requestor:
    """Build a vendor's requestor from the common options.

    Args:
        vendor: Vendor name.
        root_url: scheme://host[:port] (``base_url=`` or the vendor's host).
        prefix: The vendor's path prefix, kept under any base_url.
        envelope: The vendor's envelope.
        auth: The vendor's auth.
        redactor: The client's redactor (already holding its secrets).
        credential_key: Identifies the credential for the shared rate limiter
            (hashed, never stored).
        options: The common options.
        default_rate_limit: The vendor's documented limit, requests per second.
        headers: Headers for every request.

    Raises:
        ConfigurationError: Bad base URL, timeout, retry or rate limit.
    """
    root = check_base_url(root_url, allow_http=bool(options.get("allow_http", False)))
    retry = options.get("retry") or _retry.RetryPolicy()
    if not isinstance(retry, _retry.RetryPolicy):
        raise errors.ConfigurationError(
            "retry must be a crmclients.RetryPolicy", vendor=vendor
        )
    rate = options.get("rate_limit", _NOT_GIVEN)
    if rate is _NOT_GIVEN:
        rate = default_rate_limit
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0
    ):
        raise errors.ConfigurationError(
            "rate_limit must be a positive number of requests per second, or None",
            vendor=vendor,
        )
    limiter = (
        shared_limiter(vendor, host_of(root), credential_key, rate) if rate else None
    )
    transport = options.get("transport") or RequestsTransport(
        session=options.get("session"),
        verify=options.get("verify", True),
        redactor=redactor,
        vendor=vendor,
    )
    return Requestor(
        vendor=vendor,
        base_url=root + prefix,
        transport=transport,
        envelope=envelope,
        auth=auth,
        retry=retry,
        limiter=limiter,
        redactor=redactor,
        timeout=normalise_timeout(options.get("timeout")),
        headers=headers,
    )


class NativeClient:
    """What every vendor-native client shares: its requestor, ``close()``, use as a
    context manager, and the request counters. Subclasses set ``vendor`` and build
    ``_requestor`` (with :func:`build_requestor`) and ``base_url``."""

    vendor: ClassVar[str]
    _requestor: Requestor
    base_url: str

    def close(self) -> None:
        """Release pooled connections."""
        self._requestor.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def stats(self) -> RequestStats:
        """Request counters (attempts, retries, credential refreshes) for this client."""
        return self._requestor.stats
