"""Administrate's answers: plain JSON, errors told by the HTTP status.

Successful answers are the record (an object) or a list of records (a bare array);
there is no envelope. The docs give only the statuses (200; 404 "does not exist";
404 "could not create" for a refused POST), not an error body, so messages are read
from whichever of ``message``, ``error``, ``detail`` or ``errors`` (a list, or an
object keyed by field name) the answer carries. Strictly private.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmclients import errors
from crmclients._requestor import CallContext, status_error, unreadable
from crmclients._transport import Response

VENDOR = "administrate"

_HINTS: dict[int, str] = {
    401: "check username (the web user's login) and password; the web user's "
    "Product must be 'REST API' (Control Panel -> Users -> WEB Users)",
    403: "the web user may not do this; ask an Administrate admin",
    410: "Administrate announced the retirement of its legacy REST API on "
    "May 12, 2026; this endpoint may be gone (migrate to the GraphQL API)",
    429: "Administrate allows 6,000 requests per 5 minutes per IP address; "
    "slow down (rate_limit=) or wait and retry",
}


class AdministrateEnvelope:
    """Returns the decoded answer of a successful call; maps a failed status to an error."""

    def unwrap(self, response: Response, body: Any, ctx: CallContext) -> Any:
        """Return the answer (object, list, or None for an empty DELETE answer)."""
        if response.status_code >= 400:
            raise self.error(response, body, ctx)
        if body is None:
            if ctx.method == "DELETE":
                return None
            raise unreadable(response, ctx, "the answer is empty")
        return body

    def not_json(self, response: Response, ctx: CallContext) -> errors.CRMError:
        """A non-JSON answer: the status decides; on 2xx it is unreadable (transient)."""
        if response.status_code >= 400:
            return self.error(response, None, ctx)
        return unreadable(response, ctx, "expected JSON")

    def error(self, response: Response, body: Any, ctx: CallContext) -> errors.APIError:
        """The error for a failed HTTP status, with the vendor's messages."""
        status = response.status_code
        messages, field_errors = _details(body)
        summary = "; ".join(messages)
        if status == 404 and ctx.method == "POST":
            # Documented: "statuscode 404 could not create".
            return errors.RejectedError(
                f"Administrate could not create the record (HTTP 404){': ' + summary if summary else ''}",
                field_errors=field_errors,
                status_code=status,
                messages=messages,
                vendor=VENDOR,
                operation=ctx.operation,
                hint="check that status, user_id, account_id and type_id are given and "
                "that every referenced id exists",
            )
        if status == 404:
            summary = f"{summary or 'does not exist'} ({ctx.method} {ctx.path})"
        kwargs: dict[str, Any] = {"messages": messages}
        if status in (400, 422):
            kwargs["field_errors"] = field_errors
        if status in _HINTS:
            kwargs["hint"] = _HINTS[status]
        return status_error(response, ctx, summary or f"HTTP {status}", **kwargs)


def _details(body: Any) -> tuple[list[str], dict[str, list[str]]]:
    """Messages and field errors from an error body of any shape."""
    messages: list[str] = []
    field_errors: dict[str, list[str]] = {}
    if isinstance(body, str):
        messages.append(body)
    elif isinstance(body, list):
        messages.extend(_text(item) for item in body)
    elif isinstance(body, Mapping):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value and value not in messages:
                messages.append(value)
        listed = body.get("errors")
        if isinstance(listed, list):
            messages.extend(_text(item) for item in listed)
        elif isinstance(listed, Mapping):
            for name, value in listed.items():
                texts = (
                    [_text(v) for v in value]
                    if isinstance(value, list)
                    else [_text(value)]
                )
                field_errors.setdefault(str(name), []).extend(texts)
                messages.extend(f"{name}: {t}" for t in texts)
    return messages, field_errors


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
