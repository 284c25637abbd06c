"""Bad input: whatever a server answers, a model or a crmclients error comes back.

Every decoder of every vendor (each native read and write method, the logins,
and the shared-model collections on top) is fed answers through a fake
transport (``transport=``, accepted by every native client) that asks the
vendor's emulator in-process and then damages the answer as hypothesis draws:
the whole body replaced by any JSON value; keys deleted; values swapped for
other types, huge strings or 1,100-deep nesting; the bytes cut off, made invalid
UTF-8, replaced by an HTML page or emptied; the status and content type changed.
The result must be a model (or the documented plain value) or a
:class:`crmclients.errors.CRMError`, never any other exception.

Also here: client-side validation. A documented rule broken is a ValidationError
that names the field and the rule, and nothing is sent.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

import crmclients
from crmclients import errors
from crmclients._registry import adapter_class
from crmclients._transport import Request, Response
from crmclients.config import resolve_settings
from crmclients.models import Ref, RefKind
from crmclients.sandbox import Emulator, emulator
from tests.reliability import _support
from tests.reliability.conftest import Figures

# -- the fake transport --------------------------------------------------------------


class EmulatorTransport:
    """Answers from an emulator in-process; damages the answers it is told to."""

    def __init__(self, em: Emulator) -> None:
        self.emulator = em
        self.damage: Callable[[int, dict[str, str], bytes], Any] | None = None
        self.target: tuple[str, re.Pattern[str]] | None = None
        self.sent: list[Request] = []
        self.damaged = 0

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        url = urlsplit(request.url)
        query = url.query
        if request.params:
            extra = urlencode(request.params)
            query = f"{query}&{extra}" if query else extra
        builder = EnvironBuilder(
            path=url.path or "/",
            query_string=query,
            method=request.method,
            headers=list(request.headers.items()),
            data=request.content or b"",
            base_url=f"{url.scheme}://{url.netloc}",
        )
        try:
            app_iter, status, headers = run_wsgi_app(
                self.emulator, builder.get_environ()
            )
            content = b"".join(app_iter)
        finally:
            builder.close()
        code = int(status.split(" ", 1)[0])
        answer = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        if (
            self.damage is not None
            and self.target is not None
            and self.target[0] == request.method
            and self.target[1].fullmatch(url.path)
        ):
            self.damaged += 1
            code, answer, content = self.damage(code, answer, content)
        return Response(
            status_code=code,
            headers=answer,
            content=content,
            url=request.url,
            elapsed_ms=0.1,
        )

    def close(self) -> None:
        pass


# -- what hypothesis draws ---------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
STATUSES = (200, 201, 204, 301, 400, 401, 403, 404, 409, 410, 422, 429, 500, 502, 503)
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "text/html",
    "text/plain",
    "",
)
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


@st.composite
def tree_edit(draw: st.DrawFn) -> tuple[int, str, Any]:
    """(which node, what to do, with what): applied to the real answer's JSON."""
    action = draw(st.sampled_from(["delete", "retype", "huge", "deep", "null"]))
    value: Any = None
    if action == "retype":
        value = draw(JSON)
    elif action == "huge":
        value = "x" * draw(st.sampled_from([10_000, 1_000_000]))
    elif action == "deep":
        value = draw(st.sampled_from([50, 900, 1_100]))
    return draw(st.integers(min_value=0, max_value=10_000)), action, value


@dataclass(frozen=True)
class Damage:
    """One way to damage an answer (what hypothesis shrinks)."""

    body: str  # keep | replace | edit | truncate | utf8 | html | empty | bom
    value: Any = None
    edits: tuple[tuple[int, str, Any], ...] = ()
    cut: float = 0.5
    status: int | None = None
    content_type: str | None = None

    def __call__(
        self, status: int, headers: dict[str, str], content: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        content = self._body(content)
        if self.status is not None:
            status = self.status
        if self.content_type is not None:
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            if self.content_type:
                headers["Content-Type"] = self.content_type
        return status, headers, content

    def _body(self, content: bytes) -> bytes:
        if self.body == "replace":
            return json.dumps(self.value).encode()
        if self.body == "edit":
            try:
                document = orjson.loads(content)
            except orjson.JSONDecodeError:
                return content
            for where, action, value in self.edits:
                document = _edit(document, where, action, value)
            return _dumps(document)
        if self.body == "truncate":
            return content[: int(len(content) * self.cut)]
        if self.body == "utf8":
            at = int(len(content) * self.cut)
            return content[:at] + b"\xff\xfe\xc3\x28" + content[at:]
        if self.body == "html":
            return HTML
        if self.body == "empty":
            return b""
        if self.body == "bom":
            return b"\xef\xbb\xbf" + content
        return content


def _dumps(document: Any) -> bytes:
    """JSON text for any depth (orjson refuses beyond 255 levels)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # too deep, or an integer beyond 64 bits
        return _deep_text(document).encode()


def _deep_text(value: Any) -> str:
    """JSON text without recursion (for nesting deeper than any encoder allows)."""
    parts: list[str] = []
    stack: list[tuple[str, Any]] = [("value", value)]
    while stack:
        kind, item = stack.pop()
        if kind == "raw":
            parts.append(item)
        elif isinstance(item, list):
            parts.append("[")
            stack.append(("raw", "]"))
            for index, child in reversed(list(enumerate(item))):
                stack.append(("value", child))
                if index:
                    stack.append(("raw", ","))
        elif isinstance(item, dict):
            parts.append("{")
            stack.append(("raw", "}"))
            for index, (key, child) in reversed(list(enumerate(item.items()))):
                stack.append(("value", child))
                stack.append(("raw", json.dumps(str(key)) + ":"))
                if index:
                    stack.append(("raw", ","))
        else:
            parts.append(json.dumps(item, default=str))
    return "".join(parts)


def _nodes(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if len(path) >= 12:  # edits go into the answer's shape, not down deep nests
        return
    if isinstance(document, dict):
        for key, child in document.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(document, list):
        for index, child in enumerate(document[:20]):
            yield from _nodes(child, (*path, index))


def _edit(document: Any, where: int, action: str, value: Any) -> Any:
    paths = list(_nodes(document))
    path = paths[where % len(paths)]
    if action == "deep":
        replacement = _deep(value)
    elif action == "null":
        replacement = None
    else:  # retype, huge: a copy, so the drawn value is never changed in place
        replacement = copy.deepcopy(value)
    if not path:
        return None if action == "delete" else replacement
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if action == "delete":
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    else:
        parent[path[-1]] = replacement
    return document


@st.composite
def damages(draw: st.DrawFn) -> Damage:
    """Any of the ways an answer can go wrong (sometimes several at once)."""
    body = draw(
        st.sampled_from(
            [
                "keep",
                "replace",
                "edit",
                "edit",
                "edit",
                "truncate",
                "utf8",
                "html",
                "empty",
                "bom",
            ]
        )
    )
    value = draw(JSON) if body == "replace" else None
    edits = (
        tuple(draw(st.lists(tree_edit(), min_size=1, max_size=4)))
        if body == "edit"
        else ()
    )
    cut = draw(st.floats(min_value=0.0, max_value=0.99))
    status = draw(st.none() | st.none() | st.sampled_from(STATUSES))
    content_type = draw(st.none() | st.none() | st.sampled_from(CONTENT_TYPES))
    return Damage(body, value, edits, cut, status, content_type)


# -- the decoders ------------------------------------------------------------------


def _is_model(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_model(v) for v in value)
    return attrs.has(type(value))


@dataclass
class Decoder:
    """One decoding path: a call, the request whose answer is damaged, the result."""

    vendor: str
    name: str
    method: str
    path: str
    call: Callable[[crmclients.Client, Emulator], Any]
    plain: tuple[type, ...] = ()  # documented non-model results (bool, int, None...)
    outcomes: Counter[str] = field(default_factory=Counter)

    def accepts(self, result: Any) -> bool:
        if self.plain and isinstance(result, self.plain):
            return True
        return _is_model(result)

    def __str__(self) -> str:
        return f"{self.vendor}:{self.name}"


def _first_id(em: Any, name: str) -> str:
    return str(em.record_ids(name)[0])


def _administrate() -> list[Decoder]:
    tasks = r"/api/v2/crm/tasks"
    one = r"/api/v2/crm/tasks/\d+"

    def fields() -> dict[str, Any]:
        return {"status": "Not Started", "user_id": 1, "account_id": 1, "type_id": 1}

    return [
        Decoder(
            "administrate",
            "get_task",
            "GET",
            one,
            lambda c, e: c.native.get_task(_first_id(e, "tasks")),
        ),
        Decoder(
            "administrate",
            "list_tasks",
            "GET",
            tasks,
            lambda c, e: c.native.list_tasks(limit=5),
        ),
        Decoder(
            "administrate",
            "iter_tasks",
            "GET",
            tasks,
            lambda c, e: c.native.iter_tasks(page_size=5).first(7),
        ),
        Decoder(
            "administrate",
            "create_task",
            "POST",
            tasks,
            lambda c, e: c.native.create_task(subject="x", **fields()),
        ),
        Decoder(
            "administrate",
            "update_task",
            "PUT",
            one,
            lambda c, e: c.native.update_task(_first_id(e, "tasks"), subject="y"),
        ),
        Decoder(
            "administrate",
            "delete_task",
            "DELETE",
            one,
            lambda c, e: c.native.delete_task(e.insert_records(1, at="end")[0]),
            plain=(type(None),),
        ),
        Decoder(
            "administrate",
            "tasks.list",
            "GET",
            tasks,
            lambda c, e: c.tasks.list(page_size=5).first(5),
        ),
        Decoder(
            "administrate",
            "activities.get",
            "GET",
            one,
            lambda c, e: c.activities.get(_first_id(e, "tasks")),
        ),
    ]


def _crmcom() -> list[Decoder]:
    from crmclients.vendors.crmcom import Identifier

    base = "/crmapi/rest/v2"
    kathy = "460BB0DB7A4EB61D9D6E3DFEE8566C08"
    who = Identifier.by_id(kathy)

    def comm(e: Any, state: str) -> Any:
        """A fresh communication in ``state`` (so the undamaged answer succeeds)."""
        cid = e.insert_records(1, at="end")[0]
        e.communications[cid]["life_cycle_state"] = state
        return Identifier.by_id(cid)

    def entry(e: Any, state: str = "PENDING") -> Any:
        """A fresh queue entry in ``state``."""
        record = e.communications[e.insert_records(1, at="end")[0]]
        queued = e._enqueue(record, datetime.now(UTC))
        queued["life_cycle_state"] = state
        return Identifier.by_id(queued["id"])

    def release(c: crmclients.Client, e: Any) -> Any:
        """Log in (a read), then release that token."""
        c.native.list_communications(
            contact_information_identifier=who, number_of_results=1
        )
        return c.native.release_token()

    def create(c: crmclients.Client, e: Any) -> Any:
        return c.native.create_communication(
            contact_information_identifier=who,
            subject="s",
            content="c",
            media="SMS",
            direction="OUTGOING",
            to="+35799000000",
            life_cycle_state="DRAFT",
        )

    def relogin(c: crmclients.Client, e: Any) -> Any:
        c.native._auth.take()
        return c.native.list_communications(
            contact_information_identifier=who, number_of_results=2
        )

    return [
        Decoder(
            "crmcom",
            "authentication.token",
            "POST",
            f"{base}/authentication/token",
            relogin,
        ),
        Decoder(
            "crmcom",
            "show_communication",
            "GET",
            f"{base}/communications/show",
            lambda c, e: c.native.show_communication(comm(e, "COMPLETED")),
        ),
        Decoder(
            "crmcom",
            "list_communications",
            "GET",
            f"{base}/communications/list",
            lambda c, e: c.native.list_communications(
                contact_information_identifier=who, number_of_results=5
            ),
        ),
        Decoder(
            "crmcom",
            "create_communication",
            "POST",
            f"{base}/communications/create",
            create,
        ),
        Decoder(
            "crmcom",
            "update_communication",
            "POST",
            f"{base}/communications/update",
            lambda c, e: c.native.update_communication(comm(e, "DRAFT"), subject="u"),
        ),
        Decoder(
            "crmcom",
            "complete_communication",
            "POST",
            f"{base}/communications/complete",
            lambda c, e: c.native.complete_communication(comm(e, "DRAFT")),
        ),
        Decoder(
            "crmcom",
            "set_communication_as_viewed",
            "POST",
            f"{base}/communications/set_as_viewed",
            lambda c, e: c.native.set_communication_as_viewed(comm(e, "COMPLETED")),
        ),
        Decoder(
            "crmcom",
            "show_queue_entry",
            "GET",
            f"{base}/communications/queue/show",
            lambda c, e: c.native.show_queue_entry(entry(e)),
        ),
        Decoder(
            "crmcom",
            "list_queue",
            "GET",
            f"{base}/communications/queue/list",
            lambda c, e: c.native.list_queue(media="EMAIL", number_of_results=5),
        ),
        Decoder(
            "crmcom",
            "get_latest_queue_entries",
            "GET",
            f"{base}/communications/queue/get_latest",
            lambda c, e: c.native.get_latest_queue_entries(number=3, media="EMAIL"),
        ),
        Decoder(
            "crmcom",
            "get_pending_completed_queue_entries",
            "GET",
            f"{base}/communications/queue/get_pending_completed",
            lambda c, e: c.native.get_pending_completed_queue_entries(
                media="EMAIL", number_of_results=5
            ),
        ),
        Decoder(
            "crmcom",
            "process_queue_entry",
            "POST",
            f"{base}/communications/queue/process",
            lambda c, e: c.native.process_queue_entry(entry(e)),
        ),
        Decoder(
            "crmcom",
            "reject_queue_entry",
            "POST",
            f"{base}/communications/queue/reject",
            lambda c, e: c.native.reject_queue_entry(
                entry(e), error_code="01", error_description="d"
            ),
        ),
        Decoder(
            "crmcom",
            "remove_queue_entry",
            "POST",
            f"{base}/communications/queue/remove",
            lambda c, e: c.native.remove_queue_entry(entry(e, "COMPLETED")),
        ),
        Decoder(
            "crmcom",
            "release_token",
            "POST",
            f"{base}/authentication/token/release",
            release,
            plain=(bool,),
        ),
        Decoder(
            "crmcom",
            "iter_communications",
            "GET",
            f"{base}/communications/list",
            lambda c, e: c.native.iter_communications(
                contact_information_identifier=who, page_size=4
            ).first(9),
        ),
        Decoder(
            "crmcom",
            "iter_queue",
            "GET",
            f"{base}/communications/queue/list",
            lambda c, e: c.native.iter_queue(media="EMAIL", page_size=3).first(7),
        ),
        Decoder(
            "crmcom",
            "communications.list",
            "GET",
            f"{base}/communications/list",
            lambda c, e: c.communications.list(
                related_to=Ref(RefKind.CONTACT, kathy), page_size=5
            ).first(6),
        ),
        Decoder(
            "crmcom",
            "activities.get",
            "GET",
            f"{base}/communications/show",
            lambda c, e: c.activities.get(next(iter(e.communications))),
        ),
    ]


def _ivvy() -> list[Decoder]:
    crm = r"/api/1\.0/crm"
    end = datetime(2025, 3, 1, 17, 0, tzinfo=UTC)
    return [
        Decoder(
            "ivvy", "ping", "POST", r"/api/1\.0/test", lambda c, e: c.native.ping()
        ),
        Decoder(
            "ivvy",
            "get_activity_list",
            "POST",
            crm,
            lambda c, e: c.native.get_activity_list(per_page=5),
        ),
        Decoder(
            "ivvy",
            "get_task_list",
            "POST",
            crm,
            lambda c, e: c.native.get_task_list(per_page=5),
        ),
        Decoder(
            "ivvy",
            "iter_activities",
            "POST",
            crm,
            lambda c, e: c.native.iter_activities(page_size=5, workers=2).first(12),
        ),
        Decoder(
            "ivvy",
            "iter_tasks",
            "POST",
            crm,
            lambda c, e: c.native.iter_tasks(page_size=4).first(9),
        ),
        Decoder(
            "ivvy",
            "add_or_update_activity",
            "POST",
            crm,
            lambda c, e: c.native.add_or_update_activity(
                name="n", description="d", sub_type=1
            ),
            plain=(int,),
        ),
        Decoder(
            "ivvy",
            "add_or_update_task",
            "POST",
            crm,
            lambda c, e: c.native.add_or_update_task(
                id=5001, name="n", end_datetime=end
            ),
            plain=(int,),
        ),
        Decoder(
            "ivvy",
            "activities.list",
            "POST",
            crm,
            lambda c, e: c.activities.list(page_size=5).first(5),
        ),
        Decoder("ivvy", "tasks.get", "POST", crm, lambda c, e: c.tasks.get("5002")),
    ]


def _opentaps() -> list[Decoder]:
    contact = "5166b967e4b0f6e6cd09e653"
    one = r"/activities/[0-9a-f]{24}"

    def last(e: Any) -> str:
        return str(list(e.activities)[-1])

    return [
        Decoder(
            "opentaps",
            "get_temp_token",
            "POST",
            "/oauth/temp-token",
            lambda c, e: c.native.get_temp_token(),
        ),
        Decoder(
            "opentaps",
            "validate_token",
            "POST",
            "/oauth/validate",
            lambda c, e: c.native.validate_token(),
            plain=(bool,),
        ),
        Decoder(
            "opentaps",
            "list_activities",
            "GET",
            r"/activities/\d+/\d+",
            lambda c, e: c.native.list_activities(5, 3),
        ),
        Decoder(
            "opentaps",
            "iter_activities",
            "GET",
            r"/activities/\d+/\d+",
            lambda c, e: c.native.iter_activities(page_size=5).first(12),
        ),
        Decoder(
            "opentaps",
            "find_activity",
            "GET",
            r"/activities/\d+/\d+",
            lambda c, e: c.native.find_activity(
                e.record_ids("activities")[7], page_size=3
            ),
        ),
        Decoder(
            "opentaps",
            "save_activity",
            "POST",
            "/activities",
            lambda c, e: c.native.save_activity({"noteText": "n"}),
        ),
        Decoder(
            "opentaps",
            "update_activity",
            "PUT",
            one,
            lambda c, e: c.native.update_activity(last(e), {"noteText": "u"}),
            plain=(type(None),),
        ),
        Decoder(
            "opentaps",
            "delete_activity",
            "DELETE",
            one,
            lambda c, e: c.native.delete_activity(e.insert_records(1, at="end")[0]),
            plain=(type(None),),
        ),
        Decoder(
            "opentaps",
            "add_contact",
            "POST",
            "/activities/contact/add",
            lambda c, e: c.native.add_contact(last(e), contact, "customer"),
            plain=(type(None),),
        ),
        Decoder(
            "opentaps",
            "remove_contact",
            "POST",
            "/activities/contact/remove",
            lambda c, e: c.native.remove_contact(last(e), contact),
            plain=(type(None),),
        ),
        Decoder(
            "opentaps",
            "create_task",
            "POST",
            "/task",
            lambda c, e: c.native.create_task({"noteText": "t"}),
        ),
        Decoder(
            "opentaps",
            "search_tasks",
            "GET",
            "/task",
            lambda c, e: c.native.search_tasks(per_page=5),
        ),
        Decoder(
            "opentaps",
            "tasks.list",
            "GET",
            "/task",
            lambda c, e: c.tasks.list().first(5),
        ),
        Decoder(
            "opentaps",
            "activities.list",
            "GET",
            r"/activities/\d+/\d+",
            lambda c, e: c.activities.list(page_size=5).first(5),
        ),
    ]


def _tactile() -> list[Decoder]:
    return [
        Decoder(
            "tactile",
            "list_opportunities",
            "GET",
            "/opportunities",
            lambda c, e: c.native.list_opportunities(limit=5),
        ),
        Decoder(
            "tactile",
            "iter_opportunities",
            "GET",
            "/opportunities",
            lambda c, e: c.native.iter_opportunities(page_size=5, workers=2).first(12),
        ),
        Decoder(
            "tactile",
            "get_opportunity",
            "GET",
            r"/opportunities/view/\d+",
            lambda c, e: c.native.get_opportunity(1001),
        ),
        Decoder(
            "tactile",
            "get_timeline",
            "GET",
            "/opportunities/timeline",
            lambda c, e: c.native.get_timeline(1001),
        ),
        Decoder(
            "tactile",
            "get_options",
            "GET",
            "/opportunities/options",
            lambda c, e: c.native.get_options(),
        ),
        Decoder(
            "tactile",
            "save_opportunity",
            "POST",
            "/opportunities/save",
            lambda c, e: c.native.save_opportunity({"id": 1002, "description": "d"}),
            plain=(int,),
        ),
        Decoder(
            "tactile",
            "create_opportunity",
            "POST",
            "/opportunities/save",
            lambda c, e: c.native.create_opportunity(name="n", enddate="2025-01-31"),
            plain=(int,),
        ),
        Decoder(
            "tactile",
            "update_opportunity",
            "POST",
            "/opportunities/save",
            lambda c, e: c.native.update_opportunity(1001, probability=50),
            plain=(int,),
        ),
        Decoder(
            "tactile",
            "add_tag",
            "GET",
            "/opportunities/add_tag",
            lambda c, e: c.native.add_tag(1001, "t"),
            plain=(str,),
        ),
        Decoder(
            "tactile",
            "opportunities.get",
            "GET",
            r"/opportunities/view/\d+",
            lambda c, e: c.opportunities.get("1002"),
        ),
        Decoder(
            "tactile",
            "notes.list",
            "GET",
            "/opportunities/timeline",
            lambda c, e: c.notes.list(
                related_to=Ref(RefKind.OPPORTUNITY, "1001")
            ).to_list(),
        ),
    ]


DECODERS: list[Decoder] = [
    *_administrate(),
    *_crmcom(),
    *_ivvy(),
    *_opentaps(),
    *_tactile(),
]


def fake_client(vendor: str) -> tuple[crmclients.Client, EmulatorTransport]:
    """A shared-model Client whose native client sends through an EmulatorTransport."""
    options = _support.SANDBOX_OPTIONS.get(vendor, {})
    em = emulator(vendor, records=40, seed=9, **options)
    transport = EmulatorTransport(em)
    cls = adapter_class(vendor)
    resolved = resolve_settings(
        vendor,
        cls.settings,
        {"base_url": f"https://{vendor}.bad-input.invalid", **em.credentials},
    )
    # rate_limit=None is set here: connect(rate_limit=None) is dropped by
    # config.resolve_settings and the vendor default applies (see test_tls_and_config).
    adapter = cls.from_settings(
        {**resolved, "rate_limit": None, "transport": transport}
    )
    return crmclients.Client(adapter), transport


_CLIENTS: dict[str, tuple[crmclients.Client, EmulatorTransport]] = {}


def client_for(vendor: str) -> tuple[crmclients.Client, EmulatorTransport]:
    """One fake-transport client per vendor, shared by its decoders."""
    if vendor not in _CLIENTS:
        _CLIENTS[vendor] = fake_client(vendor)
    return _CLIENTS[vendor]


# -- the tests -------------------------------------------------------------------


@pytest.mark.parametrize("decoder", DECODERS, ids=str)
def test_an_undamaged_answer_decodes_to_a_model(decoder: Decoder) -> None:
    """The control: the same call without damage gives the documented result."""
    client, transport = client_for(decoder.vendor)
    transport.damage = None

    result = decoder.call(client, transport.emulator)

    assert decoder.accepts(result), repr(result)[:200]


@pytest.mark.parametrize("decoder", DECODERS, ids=str)
def test_any_answer_gives_a_model_or_a_crmclients_error(
    decoder: Decoder, figures: Figures
) -> None:
    """Damaged answers of every kind: a model or a CRMError, nothing else."""
    client, transport = client_for(decoder.vendor)
    outcomes: Counter[str] = Counter()
    before = transport.damaged

    @settings(
        max_examples=_support.EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(damage=damages())
    def check(damage: Damage) -> None:
        transport.damage = damage
        transport.target = (decoder.method, re.compile(decoder.path))
        try:
            result = decoder.call(client, transport.emulator)
        except errors.CRMError as exc:
            outcomes[f"error:{type(exc).__name__}"] += 1
            return
        finally:
            transport.damage = None
        outcomes["model"] += 1
        assert decoder.accepts(result), repr(result)[:200]

    check()
    examples = sum(outcomes.values())
    figures.add(
        "decoders",
        vendor=decoder.vendor,
        decoder=decoder.name,
        examples=examples,
        models=outcomes["model"],
        errors=examples - outcomes["model"],
        damaged_answers=transport.damaged - before,
    )

    assert examples >= _support.EXAMPLES
    assert transport.damaged > before, "the damage must reach the decoder's request"


def test_every_native_method_that_decodes_an_answer_is_fuzzed() -> None:
    """Each public native method that calls the vendor has a decoder here."""
    import inspect

    names = {(d.vendor, d.name) for d in DECODERS}
    for vendor in _support.VENDORS:
        client, _ = client_for(vendor)
        for name, member in inspect.getmembers(type(client.native), inspect.isfunction):
            doc = inspect.getdoc(member) or ""
            if name.startswith("_") or ":calls:" not in doc:
                continue
            assert (vendor, name) in names, f"{vendor}.{name} has no decoder test"
