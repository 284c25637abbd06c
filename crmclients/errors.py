"""Every exception crmclients raises, in one tree.

::

    CRMError
     ├─ ConfigurationError          bad/missing settings or credentials
     │   └─ OutputError             an output file or stream cannot be written
     ├─ ValidationError (ValueError) input breaks a documented rule; nothing was sent
     ├─ NotSupportedError           the vendor has no such operation/filter; nothing sent
     ├─ TransportError              could not talk to the server (connect, TLS, DNS)
     │   └─ RequestTimeoutError
     ├─ AmbiguousWriteError         a non-idempotent write may or may not have happened
     ├─ ResponseShapeError          the answer is not what the vendor documents
     └─ APIError                    the vendor said no
         ├─ AuthenticationError
         │   └─ ClockSkewError      iVvy: the request was stale (clock off by > 5 min)
         ├─ PermissionDeniedError
         ├─ NotFoundError
         ├─ RejectedError           server-side validation (.field_errors)
         ├─ ConflictError
         ├─ RateLimitError          .retry_after
         ├─ RedirectError           a redirect crmclients will not follow
         └─ ServerError

Every message names the vendor and the operation and says what to do next; none
contains a credential: every error scrubs the secrets of the live clients from its
text and attributes when it is created, and the clients pass what they raise
through their redactor (name-tagged secrets included) once more. Nor does anything reachable from a raised error: its ``__cause__`` chain
holds only redacted copies of crmclients errors, and its ``__context__`` is empty
(no third-party exception, request or response object rides along). Every error
pickles, so it can cross process pools.

Warnings have their own small tree: ``CRMWarning`` and
``VendorDeprecationWarning`` (for example the retirement of Administrate's legacy
REST API), so they can be filtered with ``warnings.filterwarnings``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from crmclients._redact import live_redactors

__all__ = [
    "APIError",
    "AmbiguousWriteError",
    "AuthenticationError",
    "CRMError",
    "CRMWarning",
    "ClockSkewError",
    "ConfigurationError",
    "ConflictError",
    "NotFoundError",
    "NotSupportedError",
    "OutputError",
    "PaginationDriftError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RejectedError",
    "RequestTimeoutError",
    "ResponseShapeError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "VendorDeprecationWarning",
]


def _rebuild(cls: type[CRMError], kwargs: dict[str, Any]) -> CRMError:
    """Recreate an error from its keyword arguments (used by pickle).

    Strictly private.
    """
    return cls(**kwargs)


class CRMError(Exception):
    """Base class of every crmclients error.

    Attributes:
        vendor: The vendor name (``"tactile"``...), or None when not vendor-specific.
        operation: The operation that failed (``"opportunities.create"``,
            ``"GET /opportunities"``...), or None.
        hint: What the caller can do about it.
    """

    default_hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
        **extra: Any,
    ) -> None:
        kwargs: dict[str, Any] = {
            "message": message,
            "vendor": vendor,
            "operation": operation,
            "hint": hint,
            **extra,
        }
        redactors = live_redactors()
        if redactors:
            # Wherever this error was built, no secret a live client holds stays
            # in its text: attributes set by subclasses before this call included.
            def scrub(text: str) -> str:
                for redactor in redactors:
                    text = redactor.scrub_values(text)
                return text

            kwargs = _scrub_any(kwargs, scrub)
            self.__dict__.update(_scrub_any(dict(self.__dict__), scrub))
            message, hint = kwargs["message"], kwargs["hint"]
        self.message = message
        self.vendor = vendor
        self.operation = operation
        self.hint = self.default_hint if hint is None else hint
        self._kwargs: dict[str, Any] = kwargs
        super().__init__(self._format())

    def _format(self) -> str:
        where = ": ".join(part for part in (self.vendor, self.operation) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text

    def __str__(self) -> str:
        return self._format()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self._kwargs), self._state())

    def _state(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.__dict__.items()
            if k not in self._kwargs and k != "_kwargs"
        }

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.__dict__.update(state or {})

    def redacted(self, scrub: Callable[[str], str]) -> CRMError:
        """A detached copy of this error with every text passed through ``scrub``.

        Used by the clients so that no credential can reach a message, whatever
        the vendor echoed back. The copy has no traceback and no ``__context__``;
        its ``__cause__`` is the redacted copy of this error's cause when that is a
        crmclients error, and nothing otherwise (a third-party exception's text is
        already summarised, scrubbed, in the message).
        """
        return self._redacted(scrub, frozenset())

    def _redacted(self, scrub: Callable[[str], str], seen: frozenset[int]) -> CRMError:
        copy = _rebuild(type(self), _scrub_any(self._kwargs, scrub))
        copy.__dict__.update(_scrub_any(self._state(), scrub))
        cause = self.__cause__
        seen = seen | {id(self)}
        if isinstance(cause, CRMError) and id(cause) not in seen:
            copy.__cause__ = cause._redacted(scrub, seen)
        copy.__suppress_context__ = True
        return copy


def _scrub_any(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_any(v, scrub) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub_any(v, scrub) for v in value)
    return value


class ConfigurationError(CRMError):
    """Settings or credentials are missing or malformed."""

    default_hint = "check the arguments to crmclients.connect() or your profile file"


class OutputError(ConfigurationError):
    """An output cannot be written: the message names the path and the reason.

    Raised by the writers (``crmclients.export``, ``crmclients.sync``, ``crmclients
    pull --out``) before anything is fetched where the problem shows up front (a
    missing or read-only directory, a directory as target), or at the write (a
    full disk, a closed pipe).

    Attributes:
        path: The destination as given (``"-"`` for standard output).
        reason: Why, in the operating system's words where it gave them.
    """

    default_hint = "write to an existing, writable directory with space left"

    def __init__(
        self,
        message: str | None = None,
        *,
        path: str,
        reason: str,
        vendor: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.reason = reason
        shown = path if path.isprintable() else repr(path)
        shown = "standard output" if path == "-" else shown
        super().__init__(
            message or f"cannot write {shown}: {reason}",
            vendor=vendor,
            operation=operation,
            hint=hint,
            path=path,
            reason=reason,
        )


class ValidationError(CRMError, ValueError):
    """Input breaks a documented rule; nothing was sent to the vendor.

    Attributes:
        field: The offending field, as the caller named it.
        rule: The rule it breaks, in words.
    """

    default_hint = "fix the value and call again; nothing was sent"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str,
        rule: str,
        vendor: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.field = field
        self.rule = rule
        super().__init__(
            message or f"{field!r} {rule}",
            vendor=vendor,
            operation=operation,
            hint=hint,
            field=field,
            rule=rule,
        )


class NotSupportedError(CRMError):
    """The vendor has no such operation or filter; nothing was sent.

    Attributes:
        feature: The operation or filter that is not supported.
    """

    default_hint = "see client.capabilities for what this vendor supports"

    def __init__(
        self,
        vendor: str,
        operation: str,
        message: str | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        self.feature = operation
        super().__init__(
            message or f"{vendor} does not support {operation}",
            vendor=vendor,
            operation=operation,
            hint=hint,
        )
        self._kwargs = {
            "vendor": vendor,
            "operation": operation,
            "message": message,
            "hint": hint,
        }

    def _format(self) -> str:
        text = self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class TransportError(CRMError):
    """The server could not be reached or the connection broke.

    Attributes:
        request_sent: False when the request certainly never left (connect failure),
            True or None when it may have reached the server.
    """

    default_hint = "check the network and base_url; reads are retried automatically"

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool | None = None,
        vendor: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.request_sent = request_sent
        super().__init__(
            message,
            vendor=vendor,
            operation=operation,
            hint=hint,
            request_sent=request_sent,
        )


class RequestTimeoutError(TransportError):
    """The server did not answer within the timeout."""

    default_hint = (
        "raise timeout= if the vendor is slow; reads are retried automatically"
    )


class AmbiguousWriteError(CRMError):
    """A non-idempotent write may or may not have been applied.

    The request left, but no trustworthy answer came back (connection reset, timeout,
    5xx, unreadable body). Retrying blindly could create a duplicate, so crmclients
    does not: look the record up before trying again.
    """

    default_hint = "check whether the record exists before retrying; it was sent once"


class PaginationDriftError(CRMError):
    """Records were deleted while a page- or offset-based pull ran, more than the
    pull can re-read: some records may have moved onto pages already read.

    Small drifts are mended (the pull steps back and re-reads; duplicates are
    dropped); this error means the result would otherwise be silently short.
    """

    default_hint = (
        "pull again, or pull incrementally (crmclients.sync) while the data settles"
    )


class ResponseShapeError(CRMError):
    """The vendor's answer is not shaped as its documentation says.

    Attributes:
        path: Where in the answer the problem is (``$.opportunities[3].created``).
        snippet: A short, redacted excerpt of the offending value.
    """

    default_hint = "this is a vendor-side surprise; report it with the path and snippet"

    def __init__(
        self,
        message: str,
        *,
        path: str = "$",
        snippet: str = "",
        transient: bool = False,
        vendor: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.snippet = snippet[:200]
        self.transient = transient
        super().__init__(
            message if path == "$" or path in message else f"{message} at {path}",
            vendor=vendor,
            operation=operation,
            hint=hint,
            path=path,
            snippet=self.snippet,
            transient=transient,
        )


class APIError(CRMError):
    """The vendor answered and said no.

    Attributes:
        status_code: The HTTP status (vendors that always answer 200 give 200).
        code: The vendor's own error code (``"COM.CRM.EXCEPTION..."``, ``24404``...).
        messages: The vendor's messages, as a list of strings.
        request_id: The vendor's request id, when it gives one.
        details: Any further vendor fields (``specificCode``, ``description``...).
        retry_after: Seconds the vendor asked us to wait (Retry-After), if it said.
    """

    default_hint = "see the vendor's message"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | int | None = None,
        messages: Sequence[str] = (),
        request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        vendor: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
        **extra: Any,
    ) -> None:
        self.retry_after = retry_after
        self.status_code = status_code
        self.code = code
        self.messages = list(messages)
        self.request_id = request_id
        self.details = dict(details or {})
        super().__init__(
            message,
            vendor=vendor,
            operation=operation,
            hint=hint,
            status_code=status_code,
            code=code,
            messages=self.messages,
            request_id=request_id,
            details=self.details,
            retry_after=retry_after,
            **extra,
        )


class AuthenticationError(APIError):
    """The credentials were refused."""

    default_hint = "check the credentials (they were not logged)"


class ClockSkewError(AuthenticationError):
    """The request was refused as stale: the local clock looks wrong.

    Attributes:
        skew_seconds: How far the local clock seems to be from the server's
            (positive: local clock ahead), or None when unknown.
    """

    default_hint = (
        "synchronise the system clock (NTP); requests older than 5 minutes are refused"
    )

    def __init__(
        self, message: str, *, skew_seconds: float | None = None, **kwargs: Any
    ) -> None:
        self.skew_seconds = skew_seconds
        super().__init__(message, skew_seconds=skew_seconds, **kwargs)


class PermissionDeniedError(APIError):
    """The credentials are valid but may not do this."""

    default_hint = "ask the account admin for the permission"


class NotFoundError(APIError):
    """The record or route does not exist."""

    default_hint = "check the id"


class RejectedError(APIError):
    """The vendor refused the data (server-side validation).

    Attributes:
        field_errors: Field name -> messages, where the vendor says which field.
    """

    default_hint = "fix the data the vendor named and try again"

    def __init__(
        self,
        message: str,
        *,
        field_errors: Mapping[str, Sequence[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.field_errors = {k: list(v) for k, v in (field_errors or {}).items()}
        super().__init__(message, field_errors=self.field_errors, **kwargs)


class RedirectError(APIError):
    """The server redirected to a place crmclients will not follow.

    Credentials are never sent to another origin (scheme, host or port), https is
    never downgraded to http, and a write is never re-sent to a redirect target.
    Same-origin redirects of reads are followed (a few hops at most) with the
    credentials built afresh for the new URL.

    Attributes:
        origin: The origin the request went to (``https://api.example.com``).
        target: The redirect target, with any credential in it masked.
    """

    default_hint = (
        "check base_url: point it at the vendor's current address; "
        "crmclients does not follow redirects to another origin"
    )

    def __init__(
        self, message: str, *, origin: str = "", target: str = "", **kwargs: Any
    ) -> None:
        self.origin = origin
        self.target = target
        super().__init__(message, origin=origin, target=target, **kwargs)


class ConflictError(APIError):
    """The request conflicts with the record's current state."""

    default_hint = "reload the record and try again"


class RateLimitError(APIError):
    """Too many requests.

    Attributes:
        retry_after: Seconds the vendor asked us to wait, when it said.
    """

    default_hint = "slow down (rate_limit=) or wait and retry"


class ServerError(APIError):
    """The vendor failed (5xx)."""

    default_hint = "the vendor had a problem; reads are retried automatically"


class CRMWarning(UserWarning):
    """Base class of the warnings crmclients emits."""


class VendorDeprecationWarning(CRMWarning, DeprecationWarning):
    """The vendor has announced the retirement of an API this client uses."""
