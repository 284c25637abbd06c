"""iVvy's envelope and the one place its error codes become crmclients errors.

Answers are JSON. A success is the payload itself (``{"success": true, "id": N}`` or
a collection ``{"meta": {...}, "results": [...]}``). An error is
``{"errorCode": <int>, "message": "...", "specificCode": <int>,
"additionalMessages": [...]}``; the HTTP status normally equals ``errorCode`` but,
as the official .NET SDK does, any object carrying ``errorCode`` is treated as an
error whatever the status. The specific code decides the class where iVvy documents
it; otherwise ``errorCode`` does. ``specificCode`` and ``additionalMessages`` are kept
on the error (``code``, ``details``, ``messages``). Strictly private.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from crmclients import errors
from crmclients._requestor import CallContext, status_error, unreadable
from crmclients._retry import parse_retry_after
from crmclients._rules import ascii_int
from crmclients._transport import Response

VENDOR = "ivvy"

#: The stale-request code: the IVVY-Date is outside the 5-minute window.
STALE_REQUEST = 23005
#: A parameter did not validate (the first one found).
PARAMETER_INVALID = 23016
#: A required parameter is missing.
PARAMETER_MISSING = 23017

#: Every documented specific code -> (error class, what it means).
SPECIFIC_CODES: Mapping[int, tuple[type[errors.APIError], str]] = {
    STALE_REQUEST: (errors.ClockSkewError, "the request is stale"),
    PARAMETER_INVALID: (errors.RejectedError, "a parameter does not validate"),
    PARAMETER_MISSING: (errors.RejectedError, "a required parameter is missing"),
    # crm?action=addOrUpdateActivity
    24397: (errors.NotFoundError, "the lead/opportunity does not exist"),
    24398: (errors.NotFoundError, "the contact does not exist"),
    24399: (errors.NotFoundError, "the company does not exist"),
    24400: (errors.NotFoundError, "the activity does not exist"),
    24401: (errors.ServerError, "an error has occurred"),
    24402: (errors.RejectedError, "invalid data (see the additional messages)"),
    24403: (errors.RejectedError, "the request contains invalid data"),
    24404: (
        errors.RejectedError,
        "an activity belongs to only one of contact, company or lead",
    ),
    # crm?action=addOrUpdateTask
    24389: (errors.NotFoundError, "the lead/opportunity does not exist"),
    24390: (errors.NotFoundError, "the contact does not exist"),
    24391: (errors.NotFoundError, "the company does not exist"),
    24392: (errors.NotFoundError, "the task does not exist"),
    24393: (errors.ServerError, "an error has occurred"),
    24394: (errors.RejectedError, "invalid data (see the additional messages)"),
    24395: (errors.RejectedError, "the request contains invalid data"),
    24396: (
        errors.RejectedError,
        "a task belongs to only one of contact, company or lead",
    ),
}
#: The documented errorCode table, for specific codes iVvy does not document.
ERROR_CODES: Mapping[int, type[errors.APIError]] = {
    400: errors.RejectedError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    405: errors.APIError,  # Method Not Allowed
    406: errors.APIError,  # Not Acceptable
    429: errors.RateLimitError,
    460: errors.APIError,  # Unknown
    461: errors.APIError,  # Failed Request
    462: errors.AuthenticationError,  # Session Expired
    463: errors.AuthenticationError,  # Key Revoked
    500: errors.ServerError,
    501: errors.ServerError,  # Not Implemented
}
#: Specific codes whose "does not exist" names a referenced field.
_MISSING_FIELDS: Mapping[int, str] = {
    24397: "leadId",
    24398: "contactId",
    24399: "companyId",
    24400: "id",
    24389: "leadId",
    24390: "contactId",
    24391: "companyId",
    24392: "id",
}
_QUOTED_FIELD = re.compile(r"'([A-Za-z_][A-Za-z0-9_.]*)'")
_FIELD_MESSAGE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*:\s*(.+)$", re.DOTALL)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return ascii_int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v if isinstance(v, str) else str(v) for v in value]
    if isinstance(value, Mapping):
        return [f"{k}: {v}" for k, v in value.items()]
    return [str(value)]


def field_errors(
    specific: int | None, message: str, additional: list[str]
) -> dict[str, list[str]]:
    """Field name -> messages, from ``'id' does not validate`` or ``leadId: ...``."""
    found: dict[str, list[str]] = {}
    if specific in (PARAMETER_INVALID, PARAMETER_MISSING):
        match = _QUOTED_FIELD.search(message)
        if match:
            found[match.group(1)] = additional or [message]
        return found
    for text in additional:
        match = _FIELD_MESSAGE.match(text)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2).strip())
    return found


def server_date(response: Response) -> datetime | None:
    """The server's clock from the response's ``Date`` header, if it has one."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def describe_skew(skew: float | None) -> str:
    """Words for how far the local clock seems off."""
    if skew is None:
        return (
            "how far the local clock is off is unknown (the answer has no usable "
            "Date header)"
        )
    seconds = round(abs(skew))
    if seconds == 0:
        return (
            "the local clock agrees with the server's Date header to within a "
            "second, so the request itself was delayed"
        )
    unit = "second" if seconds == 1 else "seconds"
    side = "ahead of" if skew > 0 else "behind"
    return f"the local clock seems {seconds} {unit} {side} the server's"


class IvvyEnvelope:
    """Unwraps iVvy answers; raises the matching error for an ``errorCode`` object.

    Args:
        signed_at: Returns when the current thread signed its last request (for the
            clock-skew estimate of stale-request errors).
    """

    def __init__(self, signed_at: Callable[[], datetime | None] = lambda: None) -> None:
        self._signed_at = signed_at

    def unwrap(self, response: Response, body: Any, ctx: CallContext) -> Any:
        """Return the payload of a successful call, or raise."""
        if isinstance(body, Mapping) and "errorCode" in body:
            raise self.error(body, response, ctx)
        if response.status_code >= 400:
            raise status_error(response, ctx)
        if body is None:
            raise unreadable(response, ctx, "the answer is empty")
        return body

    def not_json(self, response: Response, ctx: CallContext) -> errors.CRMError:
        """An answer that is not JSON: an HTTP error, or a transient unreadable one."""
        if response.status_code >= 400:
            return status_error(response, ctx)
        return unreadable(response, ctx, "expected JSON")

    def error(
        self, answer: Mapping[str, Any], response: Response, ctx: CallContext
    ) -> errors.APIError:
        """The error for an ``{"errorCode": ...}`` answer."""
        error_code = _int(answer.get("errorCode"))
        specific = _int(answer.get("specificCode"))
        raw_message = answer.get("message")
        message = (
            raw_message
            if isinstance(raw_message, str) and raw_message.strip()
            else "iVvy reported an error without a message"
        )
        additional = _strings(answer.get("additionalMessages"))
        documented = SPECIFIC_CODES.get(specific) if specific is not None else None
        if documented is not None:
            cls = documented[0]
        else:
            status = error_code if error_code is not None else response.status_code
            cls = ERROR_CODES.get(status) or (
                errors.ServerError if status >= 500 else errors.APIError
            )
        details: dict[str, Any] = {
            "errorCode": answer.get("errorCode"),
            "specificCode": answer.get("specificCode"),
            "additionalMessages": additional,
        }
        if specific is not None and specific in _MISSING_FIELDS:
            details["field"] = _MISSING_FIELDS[specific]
        summary = message
        if specific is not None:
            summary = f"{summary} (specific code {specific})"
        if additional:
            summary = f"{summary}: {'; '.join(additional)}"
        kwargs: dict[str, Any] = {
            "status_code": response.status_code,
            "code": specific if specific is not None else error_code,
            "messages": [message, *additional],
            "details": details,
            "vendor": VENDOR,
            "operation": ctx.operation,
        }
        if cls is errors.ClockSkewError:
            return self._stale(summary, response, kwargs)
        if cls is errors.RejectedError:
            return errors.RejectedError(
                summary,
                field_errors=field_errors(specific, message, additional),
                **kwargs,
            )
        if cls is errors.RateLimitError:
            return errors.RateLimitError(
                summary,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                **kwargs,
            )
        return cls(summary, **kwargs)

    def _stale(
        self, summary: str, response: Response, kwargs: dict[str, Any]
    ) -> errors.ClockSkewError:
        signed = self._signed_at()
        server = server_date(response)
        skew: float | None = None
        if signed is not None and server is not None:
            local = signed if signed.tzinfo else signed.replace(tzinfo=UTC)
            skew = float(round((local - server).total_seconds()))
        return errors.ClockSkewError(
            f"{summary}; iVvy refuses requests dated more than 5 minutes from its "
            f"clock, and {describe_skew(skew)}",
            skew_seconds=skew,
            **kwargs,
        )
