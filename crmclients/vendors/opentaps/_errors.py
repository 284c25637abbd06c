"""Opentaps' envelope: ``{"result": {"resultValue": ...}}``, errors by HTTP status.

* Success is HTTP 200 with ``{"result": {"resultValue": <list or object>}}``. Older
  answers have no ``result`` wrapper (``{"contact": {...}}``, the token endpoints'
  ``{"authToken": "..."}``): the object itself is the payload, and the native client
  unwraps ``activity``/``task`` keys where it expects one record.
* Failure is a status other than 200 with ``error`` (a string), or ``errors`` (a
  list, or an object keyed by field) plus ``message``. The official clients read
  ``error`` first, then ``errors``; all three are kept here. A 2xx answer that
  carries ``error``/``errors`` and no ``result`` is a failure too.

The status picks the error class (401 authentication, 403 permission, 404 not
found, 400/422 rejected, 429, 5xx); a message saying the auth token is invalid or
expired is an authentication failure whatever the status, so the token is renewed
once. Strictly private.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crmclients import errors
from crmclients._converter import Structurer
from crmclients._requestor import (
    CallContext,
    error_class_for_status,
    status_error,
    unreadable,
)
from crmclients._retry import parse_retry_after
from crmclients._transport import Response

VENDOR = "opentaps"

_TOKEN_REFUSED = re.compile(
    r"(?i)((invalid|expired|unknown|bad|missing|wrong)\s+(temp(orary)?\s+)?auth\s*token"
    r"|auth\s*token\s+(is\s+)?(invalid|expired|not\s+valid|required|missing)"
    r"|not\s+authenticated|authentication\s+failed|unauthori[sz]ed)"
)
_NOT_FOUND = re.compile(r"(?i)not\s+found|does\s+not\s+exist|no\s+such")


class OpentapsEnvelope:
    """Unwraps Opentaps answers; raises the matching error for a failure."""

    def unwrap(self, response: Response, body: Any, ctx: CallContext) -> Any:
        """Return ``resultValue`` (or the whole object of an older shape), or raise."""
        if not 200 <= response.status_code < 300:
            raise self.error(response, body, ctx)
        if body is None:
            raise unreadable(response, ctx, "the answer is empty")
        if not isinstance(body, Mapping):
            raise errors.ResponseShapeError(
                f"expected a JSON object, got {type(body).__name__}",
                path="$",
                snippet=Structurer.snippet(body),
                vendor=VENDOR,
                operation=ctx.operation,
            )
        if "result" in body:
            result = body["result"]
            if not isinstance(result, Mapping) or "resultValue" not in result:
                raise errors.ResponseShapeError(
                    'expected {"result": {"resultValue": ...}}',
                    path="$.result.resultValue",
                    snippet=Structurer.snippet(result),
                    vendor=VENDOR,
                    operation=ctx.operation,
                )
            return result["resultValue"]
        if body.get("error") or body.get("errors"):
            raise self.error(response, body, ctx)
        return body

    def not_json(self, response: Response, ctx: CallContext) -> errors.CRMError:
        """An HTML or text answer: the status error, or a transient shape error."""
        if not 200 <= response.status_code < 300:
            return status_error(response, ctx)
        return unreadable(response, ctx, "expected JSON")

    def error(self, response: Response, body: Any, ctx: CallContext) -> errors.APIError:
        """The error for a failed answer (any status other than 2xx, or ``error``)."""
        if not isinstance(body, Mapping):
            return status_error(response, ctx)
        messages, field_errors = _messages(body)
        code = body.get("code")
        if not isinstance(code, str | int) or isinstance(code, bool):
            code = None
        status = response.status_code
        summary = "; ".join(messages) or f"HTTP {status}"
        cls = _error_class(status, messages, field_errors)
        kwargs: dict[str, Any] = {
            "status_code": status,
            "code": code,
            "messages": messages,
            "vendor": VENDOR,
            "operation": ctx.operation,
            "retry_after": parse_retry_after(response.headers.get("Retry-After")),
        }
        if cls is errors.RejectedError:
            return errors.RejectedError(summary, field_errors=field_errors, **kwargs)
        return cls(summary, **kwargs)


def _error_class(
    status: int, messages: list[str], field_errors: Mapping[str, list[str]]
) -> type[errors.APIError]:
    text = " ".join(messages)
    if _TOKEN_REFUSED.search(text) and status not in (403, 429) and status < 500:
        return errors.AuthenticationError
    cls = error_class_for_status(status) if not 200 <= status < 300 else errors.APIError
    if cls in (errors.APIError, errors.RejectedError) and _NOT_FOUND.search(text):
        return errors.NotFoundError
    if cls is errors.APIError and field_errors:
        return errors.RejectedError
    return cls


def _texts(value: Any) -> list[str]:
    """Strings out of a message value: a string, a list, or an object's values."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        inner = value.get("message", value.get("error"))
        if inner is not None:
            return _texts(inner)
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def _messages(body: Mapping[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
    """(messages, field errors) from ``error``, ``errors`` and ``message``."""
    messages = _texts(body.get("error"))
    field_errors: dict[str, list[str]] = {}
    details = body.get("errors")
    if isinstance(details, Mapping):
        for key, value in details.items():
            texts = _texts(value)
            field_errors.setdefault(str(key), []).extend(texts)
            messages.extend(texts)
    elif isinstance(details, list):
        for item in details:
            texts = _texts(item)
            messages.extend(texts)
            if isinstance(item, Mapping) and isinstance(item.get("field"), str):
                field_errors.setdefault(item["field"], []).extend(texts)
    else:
        messages.extend(_texts(details))
    for text in _texts(body.get("message")):
        if text not in messages:
            messages.append(text)
    return messages, field_errors
