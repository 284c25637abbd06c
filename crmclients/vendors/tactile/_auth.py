"""Tactile auth: ``api_token`` in the query string of every request, POST included.

Strictly private.
"""

from __future__ import annotations

import attrs

from crmclients._transport import Request


class ApiTokenAuth:
    """Adds ``api_token`` to the query string."""

    def __init__(self, token: str) -> None:
        self._token = token

    def apply(self, request: Request) -> Request:
        """Return ``request`` with the token in its query string."""
        return attrs.evolve(
            request, params=(*request.params, ("api_token", self._token))
        )

    def refresh(self) -> bool:
        """Tactile tokens cannot be renewed by the client."""
        return False

    def __repr__(self) -> str:
        return "ApiTokenAuth(token=[secure])"
