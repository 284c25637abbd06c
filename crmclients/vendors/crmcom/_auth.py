"""CRM.COM auth: a session token from a login, in the query (GET) or the JSON body (POST).

The token comes from ``authentication/token`` (username, password, organisation,
optional unit), ``authentication/web_api_key/token`` (HTTP Basic with the key) or
the caller. Its life:

* from R12 it expires 2 hours after it was issued, however much it is used (a JWT
  whose ``exp - iat`` says so; that difference is used when it can be read);
* before R12 a password token expires after 1 hour without use;
* Web API key tokens expire after 2 hours.

:class:`TokenAuth` logs in lazily on the first request, renews the token
``margin`` seconds before it would expire (on an injectable clock), and renews it
once more when the server says it is invalid (the requestor calls
:meth:`TokenAuth.refresh` after an AuthenticationError). A token the caller gave
cannot be renewed. Thread-safe: parallel page fetches share one token and one
renewal. Strictly private.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import orjson

from crmclients import errors
from crmclients._transport import Request

VENDOR = "crmcom"
Clock = Callable[[], float]

#: Lifetimes, seconds.
ABSOLUTE_LIFETIME = 2 * 3600.0
IDLE_LIFETIME = 3600.0
#: Renew this long before the token would expire.
DEFAULT_MARGIN = 120.0


@attrs.frozen
class TokenPolicy:
    """When a token obtained by logging in must be renewed.

    Attributes:
        lifetime: Seconds from issue after which it expires (None: no limit).
        idle: Seconds without use after which it expires (None: no limit).
        margin: Renew this many seconds early.
    """

    lifetime: float | None = ABSOLUTE_LIFETIME
    idle: float | None = None
    margin: float = DEFAULT_MARGIN


def jwt_lifetime(token: str) -> float | None:
    """``exp - iat`` of a JWT token (CRM.COM sends them as strings), or None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload))
        lifetime = float(claims["exp"]) - float(claims["iat"])
    except (binascii.Error, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        return None
    return lifetime if lifetime > 0 else None


class TokenAuth:
    """Adds the session token to each attempt; logs in and renews as needed.

    Args:
        login: Logs in and returns a new token (None: the token is the caller's).
        token: A token given by the caller (never renewed, never released).
        policy: When an obtained token must be renewed.
        clock: Seconds, monotonic (injectable for tests).
    """

    def __init__(
        self,
        *,
        login: Callable[[], str] | None,
        token: str | None = None,
        policy: TokenPolicy | None = None,
        clock: Clock | None = None,
    ) -> None:
        if login is None and not token:
            raise errors.ConfigurationError(
                "a login or a token is needed", vendor=VENDOR
            )
        self._login = login
        self._token = token
        self.policy = policy or TokenPolicy()
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._local = threading.local()
        self._issued = 0.0
        self._last_used = 0.0
        self._lifetime = self.policy.lifetime
        self.logins = 0

    @property
    def renewable(self) -> bool:
        """Whether this auth can log in again (False for a caller's token)."""
        return self._login is not None

    @property
    def has_token(self) -> bool:
        """Whether a token is currently held."""
        return self._token is not None

    def apply(self, request: Request) -> Request:
        """Return ``request`` with the token: query for GET, JSON body for POST."""
        token = self._valid_token()
        self._local.used = token
        if request.method in ("GET", "HEAD", "DELETE"):
            params = tuple(p for p in request.params if p[0] != "token")
            return attrs.evolve(request, params=(*params, ("token", token)))
        body: Any = {}
        if request.content:
            try:
                body = orjson.loads(request.content)
            except orjson.JSONDecodeError:
                body = None
        if not isinstance(body, dict):
            raise errors.ValidationError(
                field="body",
                rule="must be a JSON object: CRM.COM takes the token in the POST body",
                vendor=VENDOR,
            )
        body.pop("token", None)
        headers = {**request.headers, "Content-Type": "application/json"}
        return attrs.evolve(
            request,
            content=orjson.dumps({"token": token, **body}),
            headers=headers,
        )

    def refresh(self) -> bool:
        """Log in again after the server refused the token; False for a caller's token."""
        if self._login is None:
            return False
        used = getattr(self._local, "used", None)
        with self._lock:
            if self._token is not None and used is not None and self._token != used:
                return True  # another thread already renewed it
            self._obtain()
        return True

    def take(self) -> str | None:
        """Forget the token and return it if it was obtained here (to be released)."""
        with self._lock:
            token, self._token = self._token, None
        return token if self._login is not None else None

    def expires_in(self) -> float | None:
        """Seconds until the held token must be renewed (None: unknown or none held)."""
        if self._token is None or self._login is None:
            return None
        now = self._clock()
        limits = []
        if self._lifetime is not None:
            limits.append(self._issued + self._lifetime - now)
        if self.policy.idle is not None:
            limits.append(self._last_used + self.policy.idle - now)
        return min(limits) if limits else None

    def _valid_token(self) -> str:
        with self._lock:
            if self._login is not None and (self._token is None or self._stale()):
                self._obtain()
            token = self._token
            if token is None:  # pragma: no cover - a caller's token is never dropped
                raise errors.ConfigurationError("no token", vendor=VENDOR)
            self._last_used = self._clock()
            return token

    def _stale(self) -> bool:
        left = self.expires_in()
        return left is not None and left <= self.policy.margin

    def _obtain(self) -> None:
        assert self._login is not None
        token = self._login()
        now = self._clock()
        self._token = token
        self._issued = self._last_used = now
        self._lifetime = jwt_lifetime(token) or self.policy.lifetime
        self.logins += 1

    def __repr__(self) -> str:
        kind = "login" if self._login is not None else "given token"
        return f"TokenAuth({kind}, token=[secure])"
