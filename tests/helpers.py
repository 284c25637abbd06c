"""Test helpers: a scripted transport and a tiny JSON envelope."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

import orjson

from crmclients import errors
from crmclients._requestor import CallContext, Requestor, status_error, unreadable
from crmclients._retry import RetryPolicy
from crmclients._transport import Request, Response


def response(
    status: int = 200,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Response:
    """A transport Response with a JSON body (or raw bytes)."""
    content = raw if raw is not None else (b"" if body is None else orjson.dumps(body))
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return Response(
        status_code=status,
        headers=all_headers,
        content=content,
        url="https://x.test/p",
        elapsed_ms=1.0,
    )


class ScriptedTransport:
    """Answers requests from a script of responses and exceptions, recording each request."""

    def __init__(self, script: Iterable[Response | BaseException]) -> None:
        self.script = deque(script)
        self.sent: list[Request] = []

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        item = self.script.popleft()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        pass


class JSONEnvelope:
    """A minimal envelope: 2xx JSON is the payload; anything else maps by status."""

    def unwrap(self, response: Response, body: Any, ctx: CallContext) -> Any:
        if response.status_code >= 400:
            raise status_error(response, ctx)
        if body is None:
            raise unreadable(response, ctx, "empty")
        return body

    def not_json(self, response: Response, ctx: CallContext) -> errors.CRMError:
        if response.status_code >= 400:
            return status_error(response, ctx)
        return unreadable(response, ctx, "not JSON")


def requestor(
    script: Iterable[Response | BaseException], **kwargs: Any
) -> tuple[Requestor, ScriptedTransport]:
    """A requestor over a scripted transport."""
    transport = ScriptedTransport(script)
    kwargs.setdefault("retry", RetryPolicy(attempts=4))
    return Requestor(
        vendor="test",
        base_url="https://x.test",
        transport=transport,
        envelope=JSONEnvelope(),
        **kwargs,
    ), transport
