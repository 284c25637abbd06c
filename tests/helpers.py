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


def reachable_texts(exc: BaseException, *, frames: bool = True) -> list[str]:
    """Every text a crash reporter could read from a raised error.

    Walks the whole graph, not one branch: ``__cause__`` *and* ``__context__`` of
    every exception met, its ``args`` and attributes (``response``, ``request``,
    ``details``... whatever it holds), containers inside them, and, with
    ``frames``, the repr of every local variable of the crmclients frames on each
    traceback (what Sentry-style reporters record).
    """
    import traceback
    import types

    texts: list[str] = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        value = pending.pop()
        if id(value) in seen or value is None:
            continue
        seen.add(id(value))
        if isinstance(value, str | bytes):
            texts.append(value if isinstance(value, str) else repr(value))
            continue
        if isinstance(value, int | float | bool | type | types.ModuleType):
            continue
        texts.append(repr(value))
        if isinstance(value, BaseException):
            texts.append(str(value))
            pending.extend([value.__cause__, value.__context__, *value.args])
            tb = value.__traceback__
            while frames and tb is not None:
                frame = tb.tb_frame
                if frame.f_globals.get("__name__", "").startswith("crmclients"):
                    texts.extend(f"{k}={v!r}" for k, v in frame.f_locals.items())
                tb = tb.tb_next
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            pending.extend(value)
        elif hasattr(value, "__dict__") and not callable(value):
            pending.extend(vars(value).values())
        if isinstance(value, BaseException):
            pending.extend(vars(value).values())
    return texts
