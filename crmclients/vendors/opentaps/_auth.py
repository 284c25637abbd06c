"""Opentaps auth: ``authToken`` and ``clientDomain`` on every call.

Each user has a permanent token; the vendor recommends exchanging it at
``POST /oauth/temp-token`` for a temporary token that expires after 60 minutes.
:class:`TokenAuth` does that exchange lazily, renews the temporary token a few
minutes *before* it expires (the clock is injectable), and once more after the
server refuses it (:meth:`TokenAuth.refresh`, called by the requestor, which then
resends once). With the exchange turned off the permanent token is sent as is.

Credentials travel as ordinary parameters: in the query string of a GET, in the
form-encoded body of a POST, PUT or DELETE. Strictly private.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

import attrs

from crmclients._transport import Request

#: How long a temporary token lives (the vendor's default).
TOKEN_LIFETIME = 3600.0
#: Renew this long before the token expires, so no request races the expiry.
RENEW_MARGIN = 300.0
_FORM = "application/x-www-form-urlencoded"


def with_credentials(request: Request, token: str, client_domain: str) -> Request:
    """``request`` with ``authToken`` and ``clientDomain`` where Opentaps reads them."""
    pairs = (("authToken", token), ("clientDomain", client_domain))
    if request.method in ("GET", "HEAD"):
        return attrs.evolve(request, params=(*request.params, *pairs))
    headers = dict(request.headers)
    kind = headers.get("Content-Type", _FORM).split(";")[0].strip().lower()
    if kind != _FORM:
        # Not a form body (none of the API calls): keep the body, use the query.
        return attrs.evolve(request, params=(*request.params, *pairs))
    headers["Content-Type"] = _FORM
    extra = urlencode(pairs).encode()
    content = request.content or b""
    return attrs.evolve(
        request,
        headers=headers,
        content=content + b"&" + extra if content else extra,
    )


class TokenAuth:
    """Adds the (temporary or permanent) token and the client domain to requests.

    Args:
        permanent: The permanent auth token.
        client_domain: The customer's client domain.
        exchange: Gets a new temporary token (``POST /oauth/temp-token``), or None
            to send the permanent token itself.
        clock: Seconds, monotonic (injectable for tests).
        lifetime: How long a temporary token lives.
        margin: Renew this long before expiry.
    """

    def __init__(
        self,
        *,
        permanent: str,
        client_domain: str,
        exchange: Callable[[], str] | None,
        clock: Callable[[], float] = time.monotonic,
        lifetime: float = TOKEN_LIFETIME,
        margin: float = RENEW_MARGIN,
    ) -> None:
        self._permanent = permanent
        self.client_domain = client_domain
        self._exchange = exchange
        self._clock = clock
        self._lifetime = lifetime
        self._margin = margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._used = threading.local()
        self.exchanges = 0

    @property
    def exchanging(self) -> bool:
        """True when the permanent token is exchanged for temporary ones."""
        return self._exchange is not None

    def current(self) -> str:
        """The token to send now, exchanging first when there is none or it is due."""
        if self._exchange is None:
            return self._permanent
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - self._margin:
                self._renew()
            assert self._token is not None
            return self._token

    def apply(self, request: Request) -> Request:
        """Return ``request`` with ``authToken`` and ``clientDomain`` added."""
        token = self.current()
        self._used.token = token
        return with_credentials(request, token, self.client_domain)

    def refresh(self) -> bool:
        """Get a new temporary token after the server refused one.

        Returns:
            True when a new token is ready (the requestor resends once); False when
            the permanent token is in use and cannot be renewed.
        """
        if self._exchange is None:
            return False
        with self._lock:
            used = getattr(self._used, "token", None)
            if self._token is not None and used is not None and used != self._token:
                return True  # another thread renewed it meanwhile
            self._renew()
        return True

    def _renew(self) -> None:
        assert self._exchange is not None
        started = self._clock()
        token = self._exchange()
        self._token = token
        self._expires_at = started + self._lifetime
        self.exchanges += 1

    def __repr__(self) -> str:
        mode = "temporary tokens" if self._exchange else "permanent token"
        return f"TokenAuth(auth_token=[secure], {mode})"
