"""Administrate auth: HTTP Basic with a web user's login and password.

The user is a TMS "WEB User" whose Product is "REST API" (Control Panel -> Users ->
WEB Users). The credentials cannot be renewed by the client. Strictly private.
"""

from __future__ import annotations

import base64

import attrs

from crmclients._transport import Request


class BasicAuth:
    """Adds ``Authorization: Basic base64(username:password)`` to every request.

    Attributes:
        token: The base64 credential (a secret: register it with the redactor).
        header_value: The full header value (a secret as well).
    """

    def __init__(self, username: str, password: str) -> None:
        self.token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.header_value = f"Basic {self.token}"

    def apply(self, request: Request) -> Request:
        """Return ``request`` with the Basic authorization header."""
        return attrs.evolve(
            request, headers={**request.headers, "Authorization": self.header_value}
        )

    def refresh(self) -> bool:
        """Basic credentials cannot be renewed by the client."""
        return False

    def __repr__(self) -> str:
        return "BasicAuth(username=[hidden], password=[secure])"
