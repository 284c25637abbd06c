"""Tactile's envelope: ``"status": "success"|"error"`` in answers that are all HTTP 200.

Error details come as ``messages`` (a list of strings, or an object keyed by field
name or by a code such as ``"403"``) or, in the documented intro form, ``errors``.
A non-JSON answer with a login form means the route is not open to the API (or API
access is off for the account). Strictly private.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crmclients import errors
from crmclients._converter import require_mapping
from crmclients._requestor import CallContext, status_error, unreadable
from crmclients._transport import Response

_NOT_FOUND = re.compile(r"(?i)invalid id|not found|does not exist|no such")
_CODE_ERRORS: dict[str, type[errors.APIError]] = {
    "401": errors.AuthenticationError,
    "403": errors.AuthenticationError,
    "404": errors.NotFoundError,
    "500": errors.ServerError,
}


class TactileEnvelope:
    """Unwraps Tactile answers; raises the matching error for ``status: error``."""

    def unwrap(
        self, response: Response, body: Any, ctx: CallContext
    ) -> Mapping[str, Any]:
        """Return the answer object of a successful call, or raise."""
        if body is None:
            if response.status_code >= 400:
                raise status_error(response, ctx)
            raise unreadable(response, ctx, "the answer is empty")
        if response.status_code >= 400 and not (
            isinstance(body, Mapping) and body.get("status") == "error"
        ):
            raise status_error(response, ctx)
        answer = require_mapping(
            body, vendor="tactile", path="$", operation=ctx.operation
        )
        status = answer.get("status")
        if status == "success":
            return answer
        if status == "error":
            raise self.error(answer, response, ctx)
        raise errors.ResponseShapeError(
            f'expected "status": "success" or "error", got {status!r:.40}',
            path="$.status",
            snippet=repr(answer)[:200],
            vendor="tactile",
            operation=ctx.operation,
        )

    def not_json(self, response: Response, ctx: CallContext) -> errors.CRMError:
        """The login page means the route is closed to the API; anything else is noise."""
        text = response.content[:20_000].decode("utf-8", "replace").lower()
        if (
            response.status_code < 400
            and "html" in response.content_type
            and ('type="password"' in text or "login" in text)
        ):
            return errors.PermissionDeniedError(
                "Tactile answered with its HTML login page: this route is not open to the "
                "API, or API access is disabled for the account",
                status_code=response.status_code,
                vendor="tactile",
                operation=ctx.operation,
                hint="an account admin must enable it (Admin -> Toggle API Access); "
                "check base_url and the account name",
            )
        if response.status_code >= 400:
            return status_error(response, ctx)
        return unreadable(response, ctx, "expected JSON")

    def error(
        self, answer: Mapping[str, Any], response: Response, ctx: CallContext
    ) -> errors.APIError:
        """The error for a ``status: error`` answer."""
        details = answer.get("messages", answer.get("errors"))
        messages: list[str] = []
        field_errors: dict[str, list[str]] = {}
        code: str | None = None
        if isinstance(details, Mapping):
            for key, value in details.items():
                text = value if isinstance(value, str) else str(value)
                messages.append(text)
                if str(key).isascii() and str(key).isdigit():
                    code = code or str(key)
                else:
                    field_errors.setdefault(str(key), []).append(text)
        elif isinstance(details, list):
            messages = [m if isinstance(m, str) else str(m) for m in details]
        elif isinstance(details, str):
            messages = [details]
        summary = "; ".join(messages) or "Tactile reported an error without a message"
        cls: type[errors.APIError]
        if code in _CODE_ERRORS:
            cls = _CODE_ERRORS[code]
        elif field_errors:
            cls = errors.RejectedError
        elif any(_NOT_FOUND.search(m) for m in messages):
            cls = errors.NotFoundError
        elif ctx.method == "POST" or ctx.operation.endswith(("save", "add_tag")):
            cls = errors.RejectedError
        else:
            cls = errors.APIError
        kwargs: dict[str, Any] = {
            "status_code": response.status_code,
            "code": code,
            "messages": messages,
            "vendor": "tactile",
            "operation": ctx.operation,
        }
        if cls is errors.RejectedError:
            return errors.RejectedError(summary, field_errors=field_errors, **kwargs)
        return cls(summary, **kwargs)
