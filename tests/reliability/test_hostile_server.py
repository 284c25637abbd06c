"""A hostile or broken server, for every vendor: redirects, echoes, 429s, trickles.

Each vendor's real emulator sits behind a WSGI middleware that misbehaves on the
requests a test picks (the list request, or a write), over real HTTP on 127.0.0.1,
so logins and signatures are the real ones. A second server plays the "other
origin" and records anything that reaches it. The trickling server is a raw socket
that sends its status line, headers or body a byte at a time.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

import crmclients
from crmclients import errors
from crmclients._redact import is_secret_name
from crmclients.sandbox import emulator
from crmclients.sandbox._server import ServerThread
from crmclients.testing import recorded_waits
from tests.helpers import reachable_texts
from tests.hostile import Trickler, stopwatch
from tests.reliability import _support
from tests.reliability._writes import CASES
from tests.reliability.conftest import Figures

VENDORS = _support.VENDORS
NO_RETRY = crmclients.RetryPolicy.none()
Behaviour = Callable[[dict[str, Any], Callable[..., Any]], Any]


def first_collection(vendor: str) -> str:
    """The vendor's first pullable collection."""
    return next(c for v, c in _support.PULLABLE if v == vendor)


def read_page(client: crmclients.Client) -> list[Any]:
    """A few records of the vendor's first collection (the read under test)."""
    collection = first_collection(client.vendor)
    kwargs = _support.list_kwargs(client.vendor, collection)
    return getattr(client, collection).list(**kwargs).first(3)


def vendor_error(vendor: str, status: int, text: str) -> dict[str, Any]:
    """The vendor's own JSON error shape (as its docs and emulator give it)."""
    shapes: dict[str, dict[str, Any]] = {
        "administrate": {"error": "Error", "message": text},
        "crmcom": {
            "status": {
                "message": text,
                "description": text,
                "code": "COM.CRM.EXCEPTIONS.GENERALEXCEPTION",
            },
            "data": None,
        },
        "ivvy": {"errorCode": status, "message": text, "additionalMessages": [text]},
        "opentaps": {"error": text, "message": text},
        "tactile": {"status": "error", "messages": [text]},
    }
    return shapes[vendor]


class Recorder:
    """A WSGI app for "the other origin": records every request, answers JSON."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.received.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"opportunities": [], "data": [], "meta": {}}']


class Hostile:
    """Wraps an emulator; ``behaviour`` answers the requests ``picks`` chooses."""

    def __init__(self, app: Any, vendor: str) -> None:
        self.app = app
        self.vendor = vendor
        self.list_path = re.compile(_support.LIST_PATHS[vendor])
        self.picks: Callable[[str, str, str], bool] = self.is_list
        self.behaviour: Behaviour | None = None
        self.seen: list[dict[str, Any]] = []  # every request the middleware saw
        self.lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # the server asks the emulator for now()

    def is_list(self, method: str, path: str, query: str) -> bool:
        """The vendor's list request."""
        return self.list_path.fullmatch(path) is not None and (
            self.vendor != "ivvy" or "List" in query
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        seen = {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"],
            "query": environ.get("QUERY_STRING", ""),
            "host": environ.get("HTTP_HOST", ""),
            "headers": {
                k[5:].replace("_", "-").title(): v
                for k, v in environ.items()
                if k.startswith("HTTP_")
            },
            "body": body,
        }
        with self.lock:
            self.seen.append(seen)
        behaviour = self.behaviour
        if behaviour is not None and self.picks(
            seen["method"], seen["path"], seen["query"]
        ):
            answer = behaviour(environ, start_response)
            if answer is not None:
                return answer
        return self.app(environ, start_response)

    def echo(self, environ: dict[str, Any]) -> str:
        """The whole request as text, the way a careless server echoes it."""
        seen = self.seen[-1]
        return (
            f"{seen['method']} {seen['path']}?{seen['query']} "
            f"headers={seen['headers']} body={seen['body'].decode('utf-8', 'replace')}"
        )


class Rig:
    """One vendor's hostile server, its emulator and an "other origin" server."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.emulator = emulator(
            vendor, records=12, seed=5, **_support.SANDBOX_OPTIONS.get(vendor, {})
        )
        self.hostile = Hostile(self.emulator, vendor)
        self.server = ServerThread(self.hostile)
        self.other = Recorder()
        self.other_server = ServerThread(self.other)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def connect(self, **options: Any) -> crmclients.Client:
        """A client of this vendor on the hostile server (no client-side limit)."""
        options.setdefault("rate_limit", _support.NO_LIMIT)
        return crmclients.connect(
            self.vendor,
            base_url=self.base_url,
            **self.emulator.credentials,
            **options,
        )

    def reset(self, behaviour: Behaviour | None = None) -> None:
        self.hostile.behaviour = behaviour
        self.hostile.picks = self.hostile.is_list
        self.hostile.seen.clear()
        self.other.received.clear()

    def secrets(self) -> set[str]:
        """Every credential the client holds or sent (long enough to search for)."""
        found = set(self.emulator.issued_tokens)
        for name in _support.secret_settings(self.vendor):
            value = self.emulator.credentials.get(name)
            if value:
                found.add(value)
        for seen in self.hostile.seen:
            for name, value in seen["headers"].items():
                if is_secret_name(name):
                    found.add(value)
                    found.update(value.replace(":", " ").split()[1:])
            for name, value in parse_qsl(seen["query"]):
                if is_secret_name(name):
                    found.add(value)
        public = {
            v
            for k, v in self.emulator.credentials.items()
            if k not in _support.secret_settings(self.vendor)
        }
        return {s for s in found - public if len(s) >= 6}

    def read(self, client: crmclients.Client) -> list[Any]:
        """The call under test: one page of the vendor's first collection."""
        return read_page(client)


@pytest.fixture(scope="module")
def rigs() -> Iterator[dict[str, Rig]]:
    """One started rig per vendor, shared by the module's tests."""
    made = {vendor: Rig(vendor) for vendor in VENDORS}
    for rig in made.values():
        rig.server.start()
        rig.other_server.start()
    yield made
    for rig in made.values():
        rig.server.stop()
        rig.other_server.stop()


@pytest.fixture
def rig(rigs: dict[str, Rig], request: pytest.FixtureRequest) -> Iterator[Rig]:
    """The rig of the test's ``vendor`` parameter, reset before and after."""
    chosen = rigs[request.node.callspec.params["vendor"]]
    chosen.reset()
    yield chosen
    chosen.reset()


def leaks(exc: BaseException, secrets: set[str]) -> list[str]:
    """The secrets found anywhere reachable from ``exc``."""
    haystack = "\n".join(reachable_texts(exc))
    return sorted(s for s in secrets if s in haystack)


def redirect(status: int, location: Callable[[dict[str, Any]], str]) -> Behaviour:
    """Answer with ``status`` and a Location built from the request."""

    def behaviour(environ: dict[str, Any], start_response: Any) -> Any:
        start_response(
            f"{status} Redirect",
            [("Location", location(environ)), ("Content-Length", "0")],
        )
        return [b""]

    return behaviour


def path_and_query(environ: dict[str, Any]) -> str:
    query = environ.get("QUERY_STRING", "")
    return environ["PATH_INFO"] + (f"?{query}" if query else "")


# -- 1. redirects ---------------------------------------------------------------------

TARGETS = {
    "other port": lambda rig: f"http://127.0.0.1:{rig.other_server.port}",
    "other host": lambda rig: f"http://localhost:{rig.server.port}",
}


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("vendor", VENDORS)
def test_credentials_never_follow_a_redirect_to_another_origin(
    rig: Rig, vendor: str, status: int, target: str, figures: Figures
) -> None:
    """A redirect that keeps path and query but changes origin is refused, naming
    both origins, and nothing (no token, no request) reaches the other origin."""
    other = TARGETS[target](rig)
    rig.reset(redirect(status, lambda environ: other + path_and_query(environ)))

    with rig.connect(retry=NO_RETRY) as client:
        with pytest.raises(errors.RedirectError) as info:
            rig.read(client)

    error = info.value
    figures.add(
        "hostile",
        vendor=vendor,
        case=f"{status} to {target}",
        kind="redirect elsewhere",
        outcome=type(error).__name__,
        reached_other_origin=len(rig.other.received),
        leaked=len(leaks(error, rig.secrets())),
    )
    assert rig.base_url in str(error) and error.origin.startswith("http://127.0.0.1:")
    assert other.split("//")[1].split(":")[0] in error.target
    assert error.status_code == status
    assert rig.other.received == []
    assert [s for s in rig.hostile.seen if s["host"].startswith("localhost")] == []
    assert leaks(error, rig.secrets()) == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("vendor", VENDORS)
def test_a_same_origin_redirect_of_a_read_is_followed_with_credentials_rebuilt(
    rig: Rig, vendor: str, status: int
) -> None:
    """A read redirected to its own URL (token and all in the query) succeeds; the
    next request carries each credential once, built afresh by the vendor's auth."""
    done: list[bool] = []

    def once(environ: dict[str, Any], start_response: Any) -> Any:
        if done:
            return None
        done.append(True)
        return redirect(status, path_and_query)(environ, start_response)

    rig.reset(once)

    with rig.connect(retry=NO_RETRY) as client:
        if vendor == "ivvy" and status in (301, 302):
            # iVvy reads are POSTs: only 307/308 keep the method and body.
            with pytest.raises(errors.RedirectError, match="only 307/308"):
                rig.read(client)
            return
        records = rig.read(client)

    assert records
    picked = [s for s in rig.hostile.seen if rig.hostile.is_list(*_mpq(s))]
    assert len(picked) == 2
    for seen in picked:
        names = [n for n, _ in parse_qsl(seen["query"])]
        assert all(names.count(n) == 1 for n in names if is_secret_name(n)), names


def _mpq(seen: dict[str, Any]) -> tuple[str, str, str]:
    return seen["method"], seen["path"], seen["query"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_redirected_write_is_never_resent(rig: Rig, vendor: str) -> None:
    """A write answered with a same-origin 307 raises RedirectError; sent once."""
    case = CASES[vendor][0]
    with rig.connect(retry=NO_RETRY) as client:
        target = case.prepare(client, _FakeSandbox(rig))  # type: ignore[arg-type]
        rig.reset(redirect(307, path_and_query))
        rig.hostile.picks = lambda method, path, query: (
            case.matches(method, path) and case.query in query
        )
        with pytest.raises(errors.RedirectError, match="never re-sent"):
            case.perform(client, _FakeSandbox(rig), target)  # type: ignore[arg-type]

    writes = [s for s in rig.hostile.seen if rig.hostile.picks(*_mpq(s))]
    assert len(writes) == 1


class _FakeSandbox:
    """What the write cases read from a Sandbox: emulator, URL and credentials."""

    def __init__(self, rig: Rig) -> None:
        self.emulator = rig.emulator
        self.vendor = rig.vendor
        self.base_url = rig.base_url
        self.credentials = rig.emulator.credentials


# -- 2. echoed requests ---------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 503])
@pytest.mark.parametrize("vendor", VENDORS)
def test_an_error_body_echoing_the_request_leaks_no_credential(
    rig: Rig, vendor: str, status: int, figures: Figures
) -> None:
    """The server echoes method, URL, headers and body in its JSON error: nothing
    reachable from the raised error (causes, contexts, args, attributes, frame
    locals) holds a credential."""

    def echo(environ: dict[str, Any], start_response: Any) -> Any:
        text = rig.hostile.echo(environ)
        body = json.dumps(vendor_error(vendor, status, text)).encode()
        start_response(
            f"{status} Error",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    rig.reset(echo)

    with rig.connect(retry=NO_RETRY) as client:
        with pytest.raises(errors.CRMError) as info:
            rig.read(client)

    secrets = rig.secrets()
    figures.add(
        "hostile",
        vendor=vendor,
        case=f"{status} echoing the request",
        kind="echo",
        outcome=type(info.value).__name__,
        secrets=len(secrets),
        leaked=len(leaks(info.value, secrets)),
    )
    assert secrets
    assert leaks(info.value, secrets) == []
    assert info.value.__context__ is None


# -- 4. Retry-After with a JSON body --------------------------------------------------


def _seconds(wait: float) -> str:
    return str(int(wait))


def _http_date(wait: float) -> str:
    return email.utils.formatdate(time.time() + wait, usegmt=True)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("vendor", VENDORS)
def test_retry_after_is_honoured_whatever_the_error_body(
    rig: Rig, vendor: str, status: int, form: str, figures: Figures
) -> None:
    """A 429/503 with the vendor's JSON error body and Retry-After (seconds or an
    HTTP date) is retried after the wait the server asked for, not the backoff."""
    asked = 3.0
    header = (_seconds if form == "seconds" else _http_date)(asked)
    done: list[bool] = []

    def throttle(environ: dict[str, Any], start_response: Any) -> Any:
        if done:
            return None
        done.append(True)
        body = json.dumps(vendor_error(vendor, status, "slow down")).encode()
        start_response(
            f"{status} Busy",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", header),
            ],
        )
        return [body]

    rig.reset(throttle)

    with recorded_waits() as waits, rig.connect() as client:
        records = rig.read(client)

    figures.add(
        "hostile",
        vendor=vendor,
        case=f"{status} + JSON body, Retry-After as {form}",
        kind="retry-after",
        outcome=f"waited {waits[0]:.2f} s" if waits else "no retry",
        asked=asked,
    )
    assert records
    assert len(waits) == 1
    low = asked - 1.5 if form == "http-date" else asked  # dates have 1 s resolution
    assert low <= waits[0] <= asked


# -- 3. trickling servers -------------------------------------------------------------


def held_by_trickle(
    vendor: str, phase: str, figures: Figures, case: str, **options: Any
) -> tuple[float, errors.CRMError]:
    """One read of ``vendor`` against a trickling server: (seconds, the error)."""
    credentials = emulator(vendor, records=1).credentials
    with Trickler(phase) as server, stopwatch() as took:
        client = crmclients.connect(
            vendor,
            base_url=f"http://127.0.0.1:{server.port}",
            rate_limit=_support.NO_LIMIT,
            **credentials,
            **options,
        )
        with client, pytest.raises(errors.TransportError) as info:
            read_page(client)
    figures.add(
        "hostile",
        vendor=vendor,
        case=case,
        kind="trickle",
        outcome=f"{type(info.value).__name__} after {took[0]:.2f} s",
    )
    return took[0], info.value


@pytest.mark.parametrize("phase", ["status", "headers", "body"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_a_trickling_server_cannot_hold_an_attempt_past_its_timeout(
    vendor: str, phase: str, figures: Figures
) -> None:
    """timeout=0.5 with a server sending a byte every 50 ms (each read well inside
    the timeout): the attempt ends after ~0.5 s, not after the 15 s trickle."""
    seconds, error = held_by_trickle(
        vendor,
        phase,
        figures,
        f"{phase} trickled, timeout=0.5",
        timeout=0.5,
        retry=NO_RETRY,
    )

    assert seconds < 3.0, f"held for {seconds:.1f} s"
    assert "time" in str(error)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_retry_deadline_bounds_the_call_including_the_attempt_in_flight(
    vendor: str, figures: Figures
) -> None:
    """With the default timeout (35 s an attempt) and RetryPolicy(deadline=1), a
    trickling server holds the whole call for about one second."""
    seconds, _ = held_by_trickle(
        vendor,
        "body",
        figures,
        "body trickled, RetryPolicy(deadline=1)",
        retry=crmclients.RetryPolicy(deadline=1.0),
    )

    assert seconds < 4.0, f"held for {seconds:.1f} s"
