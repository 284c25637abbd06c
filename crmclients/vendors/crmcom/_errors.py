"""CRM.COM's envelope: ``{"status": {"code", "description", "message"}, "data": ...}``.

Success is ``status.code == "OK"`` and nothing else, whatever the HTTP status (errors
are believed to come with HTTP 200). Any other code is an exception identifier such
as ``COM.CRM.EXCEPTION.SUBSCRIPTIONS.SERVICEALREADYEXISTSONSUBSCRIPTIONEXCEPTION``;
:func:`error_class` maps it to a crmclients error in this one place. The code,
message and description are kept on the error (``code``, ``messages``,
``details``). Strictly private.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmclients import errors
from crmclients._requestor import (
    CallContext,
    error_class_for_status,
    status_error,
    unreadable,
)
from crmclients._transport import Response

VENDOR = "crmcom"

#: Exact codes whose class is known (the rest are classified by their wording).
KNOWN_CODES: Mapping[str, type[errors.APIError]] = {
    "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDTOKENEXCEPTION": errors.AuthenticationError,
    "COM.CRM.EXCEPTION.AUTHENTICATION.TOKENEXPIREDEXCEPTION": errors.AuthenticationError,
    "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDCREDENTIALSEXCEPTION": errors.AuthenticationError,
    "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDWEBAPIKEYEXCEPTION": errors.AuthenticationError,
    "COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDUNITEXCEPTION": errors.AuthenticationError,
}

# Wording of the exception name -> class, checked in this order (the first match
# wins). ACCESSTOKEN is a CRM.COM entity (R12 access tokens), not our session.
_AUTH_WORDS = ("TOKEN", "CREDENTIAL", "WEBAPIKEY", "LOGIN", "PASSWORD", "AUTHENTICAT")
_NOT_FOUND_WORDS = ("NOTFOUND", "DOESNOTEXIST", "NOTEXIST", "NOSUCH")
_PERMISSION_WORDS = ("PERMISSION", "ACCESSDENIED", "NOTAUTHORI", "FORBIDDEN")
_STATE_WORDS = ("LIFECYCLESTATE", "ONLYDRAFT", "ONLYCOMPLETED", "ALREADY")
_REJECTED_WORDS = (
    "MANDATORY",
    "INVALID",
    "ATLEASTONE",
    "ONLYONE",
    "MUSTBE",
    "NOTALLOWED",
    "REQUIRED",
    "FORMAT",
)


def error_class(code: str) -> type[errors.APIError]:
    """The crmclients error class for a CRM.COM ``status.code``.

    Token and credential codes -> AuthenticationError (so the client logs in
    again once); missing entities -> NotFoundError; permissions ->
    PermissionDeniedError; life cycle state violations -> ConflictError; other
    validation codes -> RejectedError; anything else -> APIError.
    """
    known = KNOWN_CODES.get(code)
    if known is not None:
        return known
    name = code.upper().replace("_", "")
    plain = name.replace("ACCESSTOKEN", "")
    if any(word in plain for word in _AUTH_WORDS):
        return errors.AuthenticationError
    if any(word in name for word in _NOT_FOUND_WORDS):
        return errors.NotFoundError
    if any(word in name for word in _PERMISSION_WORDS):
        return errors.PermissionDeniedError
    if any(word in name for word in _STATE_WORDS):
        return errors.ConflictError
    if any(word in name for word in _REJECTED_WORDS):
        return errors.RejectedError
    return errors.APIError


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip() or None


class CrmcomEnvelope:
    """Unwraps CRM.COM answers to their ``data``; raises for any non-OK code."""

    def unwrap(self, response: Response, body: Any, ctx: CallContext) -> Any:
        """Return ``data`` of an OK answer, or raise the matching error."""
        if body is None:
            if response.status_code >= 400:
                raise status_error(response, ctx)
            raise unreadable(response, ctx, "the answer is empty")
        status = body.get("status") if isinstance(body, Mapping) else None
        if not isinstance(status, Mapping):
            if response.status_code >= 400:
                raise status_error(response, ctx)
            raise errors.ResponseShapeError(
                'expected the envelope {"status": {"code": ...}, "data": ...}',
                path="$.status",
                snippet=repr(body)[:200],
                vendor=VENDOR,
                operation=ctx.operation,
            )
        code = status.get("code")
        if not isinstance(code, str) or not code.strip():
            raise errors.ResponseShapeError(
                "status.code is missing or not a string",
                path="$.status.code",
                snippet=repr(code)[:80],
                vendor=VENDOR,
                operation=ctx.operation,
            )
        if code == "OK":
            return body.get("data")
        raise self.error(code, status, response, ctx)

    def not_json(self, response: Response, ctx: CallContext) -> errors.CRMError:
        """CRM.COM answers JSON, errors included: anything else is noise on the way."""
        if response.status_code >= 400:
            return status_error(response, ctx)
        return unreadable(response, ctx, "expected JSON")

    def error(
        self,
        code: str,
        status: Mapping[str, Any],
        response: Response,
        ctx: CallContext,
    ) -> errors.APIError:
        """The error for a non-OK ``status``, keeping code, message and description."""
        message = _text(status.get("message"))
        description = _text(status.get("description"))
        cls = error_class(code)
        if cls is errors.APIError and response.status_code >= 400:
            cls = error_class_for_status(response.status_code)
        summary = message or description or code
        if description and description != summary:
            summary = f"{summary}: {description}"
        kwargs: dict[str, Any] = {
            "status_code": response.status_code,
            "code": code,
            "messages": [m for m in (message, description) if m],
            "details": {
                "code": code,
                "message": message,
                "description": description,
            },
            "vendor": VENDOR,
            "operation": ctx.operation,
        }
        if issubclass(cls, errors.AuthenticationError):
            kwargs["hint"] = (
                "check username, password and organisation, or web_api_key "
                "(credentials are never logged); a token is renewed once automatically"
            )
        if summary != code:
            summary = f"{summary} [{code}]"
        return cls(summary, **kwargs)
