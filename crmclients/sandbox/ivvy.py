"""iVvy emulator: signed requests, the crm activity and task actions, and ping.

Written from developer.ivvy.com as summarised in VENDORS.md ("2. iVvy"); it shares
no code with the client, so it is a second opinion on the signing and the rules:

* every call is ``POST /api/1.0/{namespace}?action={action}`` with a JSON body and
  ``Content-Type: application/json`` (other methods: 405; other types: 406);
* every request is verified: ``Content-MD5`` must be the hex MD5 of the bytes
  received (md5 of "" for an empty body), the date (``IVVY-Date``, or ``Date`` when
  there is no IVVY-Date) must be within 5 minutes of the emulator's clock
  (``self.now()``, movable with ``advance()``) or the answer is 401 with specific
  code 23005 "Request is stale", and ``X-Api-Authorization: IWS key:signature``
  must carry the HMAC-SHA1, keyed with the secret, of the lower-cased
  ``method + Content-MD5 + Content-Type + date + path?query + "1.0" + IVVY headers``
  (date empty when IVVY-Date is used; IVVY headers as ``name=value`` with ``-`` and
  ``_`` removed from the name, sorted, joined with ``&``);
* errors are ``{"errorCode", "message", "specificCode", "additionalMessages"}`` with
  HTTP status == errorCode: 23016 (a parameter does not validate), 23017 (a required
  parameter is missing), addOrUpdateActivity 24397-24404 and addOrUpdateTask
  24389-24396 as documented. The docs give no specific code for a bad signature, a
  wrong Content-MD5 or an unknown key: those answers are 401 without one;
* lists take ``perPage`` and ``start`` (a record offset) and answer
  ``{"meta": {totalResults, start, perPage, count}, "results": [...]}``; the
  emulator caps perPage at ``max_per_page`` (50 unless told otherwise; iVvy's caps
  are undocumented) and reports the size it used in ``meta.perPage``;
* ``filter`` is ``{"field": value, "field__MODIFIER": value}`` on the result fields
  with the documented modifiers (LESSTHAN means <=, GREATERTHAN >=); ``ISNULL`` (and
  the example's ``__ISNULL__``) tests for null;
* timestamps are UTC ``Y-m-d H:i:s UTC``; ``modifiedDate`` comes without the
  suffix on odd ids, as some vendor samples do; ``startDateTime``/``endDateTime``
  (the docs' example spelling) are accepted beside ``startDatetime``/``endDatetime``.

Assumptions where the docs are silent: ``ping`` answers ``{"message": "ack",
"timestamp": ...}``; activity results include ``priority`` (a documented write
parameter); naming a new contact, company or lead in an update replaces the
previous one; the response ``Date`` header is the host's clock when served over
HTTP (the HTTP server writes it) and the emulator's clock in-process.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from crmclients.sandbox import _data
from crmclients.sandbox._app import Emulator

API_KEY = "ivvy-sandbox-key-3e81c0d2"
API_SECRET = "ivvy-sandbox-secret-5b92d7f4a1c6"
API_VERSION = "1.0"
#: Requests dated further than this from the emulator's clock are stale.
WINDOW_SECONDS = 300
DEFAULT_PER_PAGE = 100
STALE = 23005
INVALID_PARAMETER = 23016
MISSING_PARAMETER = 23017
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MODIFIERS = frozenset(
    {
        "CONTAINS",
        "NOTCONTAINS",
        "BEGINS",
        "ENDS",
        "LESSTHAN",
        "GREATERTHAN",
        "NOT",
        "EMPTY",
    }
)
NULL_VALUES = frozenset({"ISNULL", "__ISNULL__"})
_AUTH = re.compile(r"^IWS ([^:\s]+):([0-9A-Fa-f]{40})$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( UTC)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ACTIVITY_FIELDS = (
    "id",
    "venueId",
    "leadId",
    "subType",
    "name",
    "description",
    "purposeName",
    "purposeType",
    "location",
    "contactId",
    "companyId",
    "companyContactId",
    "assignedUserId",
    "assignedUserFullName",
    "assignedUserEmail",
    "priority",
    "startDatetime",
    "endDatetime",
    "createdDate",
    "modifiedDate",
)
TASK_FIELDS = (
    "id",
    "venueId",
    "bookingId",
    "leadId",
    "name",
    "description",
    "status",
    "contactId",
    "companyId",
    "companyContactId",
    "assignedUserId",
    "assignedUserFullName",
    "assignedUserEmail",
    "userFullName",
    "userEmail",
    "priority",
    "startDatetime",
    "endDatetime",
    "progress",
    "createdDate",
    "modifiedDate",
)
TIME_FIELDS = frozenset({"startDatetime", "endDatetime", "createdDate", "modifiedDate"})
INT_FIELDS = frozenset(
    {
        "id",
        "venueId",
        "bookingId",
        "leadId",
        "subType",
        "purposeType",
        "contactId",
        "companyId",
        "companyContactId",
        "assignedUserId",
        "status",
        "progress",
    }
)
#: Specific codes per write action, as documented.
CODES: Mapping[str, Mapping[str, int]] = {
    "activity": {
        "lead": 24397,
        "contact": 24398,
        "company": 24399,
        "missing": 24400,
        "error": 24401,
        "other": 24402,
        "invalid": 24403,
        "owner": 24404,
    },
    "task": {
        "lead": 24389,
        "contact": 24390,
        "company": 24391,
        "missing": 24392,
        "error": 24393,
        "other": 24394,
        "invalid": 24395,
        "owner": 24396,
    },
}
PURPOSES = {
    1: ("Account review", 1),
    2: ("Menu tasting", 2),
    3: ("Site inspection", 3),
    4: ("Group enquiry", 4),
}
VENUES = {1: "Harbour View", 2: "Riverside Hall", 3: "Summit Lodge"}
LOCATIONS = ("Gold Coast", "Sydney office", "On site", "Video call", None)
PRIORITIES = ("low", "medium", "high")


class IvvyError(Exception):
    """An iVvy error answer, raised inside the emulator and rendered as JSON."""

    def __init__(
        self,
        status: int,
        message: str,
        specific: int | None = None,
        additional: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.specific = specific
        self.additional = list(additional)

    def payload(self) -> dict[str, Any]:
        """The documented error object."""
        body: dict[str, Any] = {"errorCode": self.status, "message": self.message}
        if self.specific is not None:
            body["specificCode"] = self.specific
        if self.additional:
            body["additionalMessages"] = self.additional
        return body


def _invalid(name: str, why: str) -> IvvyError:
    return IvvyError(400, f"'{name}' does not validate", INVALID_PARAMETER, [why])


def stamp(moment: datetime, suffix: bool = True) -> str:
    """An iVvy timestamp (UTC), with or without the `` UTC`` suffix."""
    text = moment.astimezone(UTC).strftime(TIME_FORMAT)
    return f"{text} UTC" if suffix else text


def parse_stamp(text: str) -> datetime | None:
    """Parse ``Y-m-d H:i:s`` (UTC, suffix optional) or ``Y-m-d``; None if neither."""
    value = text.strip()
    if _TIMESTAMP.match(value):
        return datetime.strptime(value[:19], TIME_FORMAT).replace(tzinfo=UTC)
    if _DAY.match(value):
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def string_to_sign(request: Request, date_part: str) -> str:
    """What the client must have signed, rebuilt from the request received."""
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    query = request.query_string.decode("latin-1")
    if not raw_uri:
        raw_uri = f"{request.path}?{query}" if query else request.path
    elif query and "?" not in raw_uri:
        # werkzeug's test environ (mock_vendor) puts only the path in RAW_URI.
        raw_uri = f"{raw_uri}?{query}"
    ivvy = sorted(
        (
            (name.replace("-", "").replace("_", ""), value)
            for name, value in request.headers.items()
            if name.upper().startswith("IVVY")
        ),
        key=lambda pair: pair[0].lower(),
    )
    text = (
        request.method
        + request.headers.get("Content-MD5", "")
        + request.headers.get("Content-Type", "")
        + date_part
        + raw_uri
        + API_VERSION
        + "&".join(f"{name}={value}" for name, value in ivvy)
    )
    return text.lower()


class IvvyEmulator(Emulator):
    """iVvy over HTTP: signed ``/api/1.0/{namespace}?action=...`` calls.

    Args:
        records: Activities and tasks to seed (each).
        seed: Seed for the deterministic data.
        latency: Seconds added to every answer.
        max_per_page: The page size cap (perPage above it is served at the cap).
    """

    vendor = "ivvy"
    prefix = "/api/1.0"

    def __init__(
        self,
        *,
        records: int = 100,
        seed: int = 0,
        latency: float = 0.0,
        max_per_page: int = 50,
    ) -> None:
        if max_per_page < 1:
            raise ValueError("max_per_page must be at least 1")
        self.max_per_page = max_per_page
        self.keys = {API_KEY: API_SECRET}
        super().__init__(records=records, seed=seed, latency=latency)

    @property
    def credentials(self) -> dict[str, str]:
        """The key and secret the sandbox accepts."""
        return {"api_key": API_KEY, "api_secret": API_SECRET}

    def rules(self) -> list[Rule]:
        """One route: every ``/api/<version>/<namespace>`` call, any method."""
        return [Rule("/api/<version>/<namespace>", endpoint="call")]

    # -- data ----------------------------------------------------------------------------

    def seed_data(self) -> None:
        """Users, contacts, companies, leads, then ``records`` activities and tasks."""
        rng = self.rng
        self.users = {
            number: (
                f"{rng.choice(_data.FIRST_NAMES)} {rng.choice(_data.LAST_NAMES)}",
                f"{name}@sandbox.ivvy.example",
            )
            for number, name in enumerate(_data.USERNAMES, start=1)
        }
        self.contacts = {45200 + i: _data.person(rng) for i in range(40)}
        self.companies = {850 + i: name for i, name in enumerate(_data.COMPANIES)}
        # lead -> its venue; fixed so tests can name a valid pair (2600 -> 1, 2601 -> 2)
        self.leads = {2600 + i: 1 + i % len(VENUES) for i in range(30)}
        self.activities: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        for index in range(self.records):
            self.activities[1001 + index] = self._seed_activity(1001 + index)
        for index in range(self.records):
            self.tasks[5001 + index] = self._seed_task(5001 + index)

    def _owner(self) -> dict[str, Any]:
        rng = self.rng
        choice = rng.choice(("contact", "company", "lead", "company+contact"))
        owner: dict[str, Any] = {
            "venueId": rng.choice([None, *VENUES]),
            "leadId": None,
            "contactId": None,
            "companyId": None,
            "companyContactId": None,
        }
        if choice == "contact":
            owner["contactId"] = rng.choice(list(self.contacts))
        elif choice == "company":
            owner["companyId"] = rng.choice(list(self.companies))
        elif choice == "lead":
            lead = rng.choice(list(self.leads))
            owner.update(leadId=lead, venueId=self.leads[lead])
        else:
            owner["companyId"] = rng.choice(list(self.companies))
            owner["companyContactId"] = rng.choice(list(self.contacts))
        return owner

    def _seed_activity(self, aid: int) -> dict[str, Any]:
        rng = self.rng
        start = _data.moment(rng)
        created = start - timedelta(seconds=rng.randrange(1, 30 * 86400))
        return {
            "id": aid,
            **self._owner(),
            "subType": rng.choice((1, 2, 3)),
            "name": f"{rng.choice(_data.VERBS)} {_data.person(rng)}",
            "description": f"<p>{_data.sentence(rng)}</p> ",
            "purposeId": rng.choice([None, *PURPOSES]),
            "location": rng.choice(LOCATIONS),
            "assignedUserId": rng.choice(list(self.users)),
            "priority": rng.choice((None, *PRIORITIES)),
            "startDatetime": start,
            "endDatetime": start + timedelta(minutes=rng.choice((15, 30, 60, 90))),
            "createdDate": created,
            "modifiedDate": created + timedelta(seconds=rng.randrange(0, 86400)),
        }

    def _seed_task(self, tid: int) -> dict[str, Any]:
        rng = self.rng
        start = _data.moment(rng)
        created = start - timedelta(seconds=rng.randrange(1, 30 * 86400))
        return {
            "id": tid,
            **self._owner(),
            "bookingId": None,
            "name": f"{rng.choice(_data.VERBS)} {_data.person(rng)}",
            "description": f"<p>{_data.sentence(rng)}</p> ",
            "status": rng.choice((0, 1, 2, 3, 4)),
            "assignedUserId": rng.choice(list(self.users)),
            "creatorUserId": rng.choice(list(self.users)),
            "priority": rng.choice(PRIORITIES),
            "startDatetime": start,
            "endDatetime": start + timedelta(days=rng.randrange(1, 30)),
            "progress": rng.choice((0, 25, 50, 75, 100)),
            "createdDate": created,
            "modifiedDate": created + timedelta(seconds=rng.randrange(0, 86400)),
        }

    def _public(
        self, record: Mapping[str, Any], fields: Iterable[str]
    ) -> dict[str, Any]:
        """A record as iVvy lists it (derived names resolved, times formatted)."""
        view = dict(record)
        user = self.users.get(record.get("assignedUserId") or 0)
        view["assignedUserFullName"] = user[0] if user else None
        view["assignedUserEmail"] = user[1] if user else None
        creator = self.users.get(record.get("creatorUserId") or 0)
        view["userFullName"] = creator[0] if creator else None
        view["userEmail"] = creator[1] if creator else None
        purpose = PURPOSES.get(record.get("purposeId") or 0)
        view["purposeName"] = purpose[0] if purpose else None
        view["purposeType"] = purpose[1] if purpose else None
        out: dict[str, Any] = {}
        for key in fields:
            value = view.get(key)
            if isinstance(value, datetime):
                value = stamp(
                    value, suffix=key != "modifiedDate" or record["id"] % 2 == 0
                )
            out[key] = value
        return out

    # -- drift hooks ---------------------------------------------------------------------

    #: Lists are in id order: records added at the start get ids below the lowest.
    drift_collections = ("activities", "tasks")

    def _store(self, name: str) -> dict[int, dict[str, Any]]:
        return self.activities if name == "activities" else self.tasks

    def record_ids(self, collection: str | None = None) -> list[str]:
        """Ids as a full pull shows them (id order)."""
        name = self._drift_target(collection, "start", deleting=False)
        with self.lock:
            return [str(i) for i in sorted(self._store(name))]

    def insert_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Add activities or tasks with ids below the lowest (start) or above the
        highest (end)."""
        name = self._drift_target(collection, at, deleting=False)
        with self.lock:
            store = self._store(name)
            first = 1001 if name == "activities" else 5001
            if at == "start":
                low = min(store, default=first)
                if low - n < 1:
                    raise ValueError(f"no room for {n} ids below {low}")
                ids = list(range(low - n, low))
            else:
                high = max(store, default=first - 1)
                ids = list(range(high + 1, high + 1 + n))
            make = self._seed_activity if name == "activities" else self._seed_task
            seeded, self.rng = self.rng, self.drift_rng
            try:
                for record_id in ids:
                    store[record_id] = make(record_id)
            finally:
                self.rng = seeded
            return [str(i) for i in ids]

    def delete_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Delete activities or tasks (start/end in id order, or random)."""
        name = self._drift_target(collection, at, deleting=True)
        with self.lock:
            store = self._store(name)
            victims = self._pick(sorted(store), n, at)
            for record_id in victims:
                del store[record_id]
            return [str(i) for i in victims]

    # -- transport rules -----------------------------------------------------------------

    def not_found(self, request: Request) -> Response:
        """An iVvy-shaped 404 for anything outside ``/api/<version>/<namespace>``."""
        return self._answer(IvvyError(404, "Not Found").payload(), 404, request)

    def _answer(self, payload: Any, status: int, request: Request) -> Response:
        headers: dict[str, str] = {}
        if "werkzeug.socket" not in request.environ:
            # In-process (mock_vendor) nobody else writes Date: give the emulator's.
            headers["Date"] = email.utils.formatdate(self.now(), usegmt=True)
        return self.json(payload, status=status, headers=headers)

    def call(self, request: Request, version: str, namespace: str) -> Response:
        """Every iVvy call: method, content type, signature, body, then the action."""
        try:
            if request.method != "POST":
                raise IvvyError(405, "Method Not Allowed")
            if version != API_VERSION:
                raise IvvyError(404, f"API version {version} does not exist")
            if request.mimetype != "application/json":
                raise IvvyError(
                    406, "Not Acceptable: the Content-Type must be application/json"
                )
            self._verify(request)
            body = self._body(request)
            action = request.args.get("action", "")
            handler = self._actions().get((namespace, action))
            if handler is None:
                raise IvvyError(404, f"Unknown action {namespace}?action={action}")
            payload = handler(body)
        except IvvyError as exc:
            return self._answer(exc.payload(), exc.status, request)
        return self._answer(payload, 200, request)

    def _actions(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
        return {
            ("test", "ping"): self.ping,
            ("crm", "addOrUpdateActivity"): lambda b: self.save(b, "activity"),
            ("crm", "getActivityList"): lambda b: self.list_records(b, "activity"),
            ("crm", "addOrUpdateTask"): lambda b: self.save(b, "task"),
            ("crm", "getTaskList"): lambda b: self.list_records(b, "task"),
        }

    def _verify(self, request: Request) -> None:
        """Refuse a request whose MD5, date or signature is not right."""
        body = request.get_data(cache=True)
        given_md5 = request.headers.get("Content-MD5")
        if not given_md5:
            raise IvvyError(401, "The Content-MD5 header is required")
        if (
            given_md5.strip().lower()
            != hashlib.md5(body, usedforsecurity=False).hexdigest()
        ):
            raise IvvyError(
                401, "The Content-MD5 header does not match the request body"
            )
        ivvy_date = request.headers.get("IVVY-Date")
        http_date = request.headers.get("Date")
        if ivvy_date:
            sent = (
                parse_stamp(ivvy_date) if _TIMESTAMP.match(ivvy_date.strip()) else None
            )
            date_part = ""
        elif http_date:
            try:
                sent = email.utils.parsedate_to_datetime(http_date)
            except (TypeError, ValueError, IndexError):
                sent = None
            if sent is not None and sent.tzinfo is None:
                sent = sent.replace(tzinfo=UTC)
            date_part = http_date
        else:
            raise IvvyError(401, "An IVVY-Date or Date header is required")
        if sent is None:
            raise IvvyError(401, "The request date is not a valid timestamp")
        now = datetime.fromtimestamp(self.now(), UTC)
        if abs((now - sent).total_seconds()) > WINDOW_SECONDS:
            raise IvvyError(401, "Request is stale", STALE)
        match = _AUTH.match(request.headers.get("X-Api-Authorization", "").strip())
        if match is None:
            raise IvvyError(
                401, "The X-Api-Authorization header must be 'IWS key:signature'"
            )
        secret = self.keys.get(match.group(1))
        if secret is None:
            raise IvvyError(401, "Unknown API key")
        expected = hmac.new(
            secret.encode(), string_to_sign(request, date_part).encode(), hashlib.sha1
        ).hexdigest()
        if not hmac.compare_digest(expected, match.group(2).lower()):
            raise IvvyError(401, "The request signature does not match")

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        data = request.get_data(cache=True)
        if not data.strip():
            return {}
        try:
            body = json.loads(data)
        except ValueError:
            raise IvvyError(400, "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise IvvyError(400, "The request body must be a JSON object")
        return body

    # -- actions -------------------------------------------------------------------------

    def ping(self, body: dict[str, Any]) -> dict[str, Any]:
        """``test?action=ping``: an ack and the server's timestamp."""
        return {
            "message": "ack",
            "timestamp": stamp(datetime.fromtimestamp(self.now(), UTC)),
        }

    def list_records(self, body: dict[str, Any], kind: str) -> dict[str, Any]:
        """getActivityList / getTaskList: venueId, paging, filter."""
        store = self.activities if kind == "activity" else self.tasks
        fields = ACTIVITY_FIELDS if kind == "activity" else TASK_FIELDS
        per_page = self._int(body, "perPage", minimum=1)
        start = self._int(body, "start", minimum=0) or 0
        venue = self._int(body, "venueId", minimum=1)
        conditions = self._conditions(body.get("filter"), fields)
        rows = []
        for record_id in sorted(store):
            view = self._public(store[record_id], fields)
            if venue is not None and view["venueId"] != venue:
                continue
            if all(test(view) for test in conditions):
                rows.append(view)
        size = min(per_page or DEFAULT_PER_PAGE, self.max_per_page)
        page = rows[start : start + size]
        return {
            "meta": {
                "totalResults": len(rows),
                "start": start,
                "perPage": size,
                "count": len(page),
            },
            "results": page,
        }

    @staticmethod
    def _int(body: Mapping[str, Any], name: str, *, minimum: int) -> int | None:
        value = body.get(name)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _invalid(name, f"Value must be a whole number of at least {minimum}")
        return value

    def _conditions(
        self, spec: Any, fields: tuple[str, ...]
    ) -> list[Callable[[Mapping[str, Any]], bool]]:
        if spec is None:
            return []
        if not isinstance(spec, dict):
            raise _invalid("filter", "The filter must be an object")
        tests = []
        for key, wanted in spec.items():
            field, _, modifier = key.partition("__")
            if field not in fields:
                raise _invalid("filter", f"Unknown filter field '{field}'")
            if modifier and modifier not in MODIFIERS:
                raise _invalid("filter", f"Unknown filter modifier '{modifier}'")
            tests.append(self._condition(field, modifier, wanted))
        return tests

    @staticmethod
    def _condition(
        field: str, modifier: str, wanted: Any
    ) -> Callable[[Mapping[str, Any]], bool]:
        if isinstance(wanted, str) and wanted in NULL_VALUES:
            if modifier not in ("", "NOT"):
                raise _invalid("filter", f"ISNULL cannot be used with __{modifier}")
            return lambda row: (row.get(field) is None) == (modifier == "")
        if modifier == "EMPTY":
            return lambda row: (row.get(field) in (None, "")) == bool(wanted)
        if field in TIME_FIELDS:
            moment = parse_stamp(str(wanted)) if wanted is not None else None
            if moment is None and modifier not in (
                "CONTAINS",
                "NOTCONTAINS",
                "BEGINS",
                "ENDS",
            ):
                raise _invalid("filter", f"'{wanted}' is not a timestamp for {field}")

            def to_key(value: Any) -> Any:
                return parse_stamp(value) if isinstance(value, str) else value

            target: Any = moment
        elif field in INT_FIELDS:
            if modifier in ("CONTAINS", "NOTCONTAINS", "BEGINS", "ENDS"):
                target = str(wanted)
            else:
                try:
                    target = int(wanted)
                except (TypeError, ValueError):
                    raise _invalid(
                        "filter", f"'{wanted}' is not a whole number for {field}"
                    ) from None

            def to_key(value: Any) -> Any:
                return value

        else:
            target = str(wanted).lower()

            def to_key(value: Any) -> Any:
                return value.lower() if isinstance(value, str) else value

        def test(row: Mapping[str, Any]) -> bool:
            raw = row.get(field)
            if modifier in ("CONTAINS", "NOTCONTAINS", "BEGINS", "ENDS"):
                text = "" if raw is None else str(raw).lower()
                needle = str(wanted).lower()
                if modifier == "CONTAINS":
                    return needle in text
                if modifier == "NOTCONTAINS":
                    return needle not in text
                if modifier == "BEGINS":
                    return text.startswith(needle)
                return text.endswith(needle)
            value = to_key(raw)
            if value is None:
                return modifier == "NOT"
            if modifier == "":
                return bool(value == target)
            if modifier == "NOT":
                return bool(value != target)
            if modifier == "LESSTHAN":
                return bool(value <= target)
            return bool(value >= target)

        return test

    def save(self, body: dict[str, Any], kind: str) -> dict[str, Any]:
        """addOrUpdateActivity / addOrUpdateTask, with the documented rules."""
        codes = CODES[kind]
        store = self.activities if kind == "activity" else self.tasks
        data = dict(body)
        for documented, example in (
            ("startDatetime", "startDateTime"),
            ("endDatetime", "endDateTime"),
        ):
            if documented not in data and example in data:
                data[documented] = data.pop(example)
        ints: tuple[str, ...]
        texts: tuple[str, ...]
        times: tuple[str, ...]
        required: tuple[str, ...]
        if kind == "activity":
            ints = ("id", "venueId", "leadId", "contactId", "companyId", "subType")
            ints += ("purposeId", "assignedUserId")
            texts = ("name", "description", "location", "priority")
            times = ("startDatetime", "endDatetime")
            required = ("name", "description", "subType")
        else:
            ints = ("id", "venueId", "leadId", "contactId", "companyId", "status")
            ints += ("assignedUserId",)
            texts = ("name", "description", "priority")
            times = ("endDatetime",)
            required = ("name", "endDatetime")
        values: dict[str, Any] = {}
        for name in ints:
            if name in data:
                values[name] = self._nullable_int(data[name], name)
        for name in texts:
            if name in data:
                value = data[name]
                if value is not None and not isinstance(value, str):
                    raise _invalid(name, "Value must be a string")
                values[name] = value
        for name in times:
            if name in data:
                value = data[name]
                moment = (
                    parse_stamp(value)
                    if isinstance(value, str) and _TIMESTAMP.match(value.strip())
                    else None
                )
                if value is not None and moment is None:
                    raise _invalid(
                        name, "Value must be a timestamp formatted Y-m-d H:i:s"
                    )
                values[name] = moment
        existing = None
        if values.get("id") is not None:
            existing = store.get(values["id"])
            if existing is None:
                raise IvvyError(400, f"The {kind} does not exist", codes["missing"])
        invalid = []
        if existing is None:
            for name in required:
                value = values.get(name)
                if value is None or (isinstance(value, str) and not value.strip()):
                    invalid.append(f"{name}: Value is required and can't be empty")
        if values.get("subType") is not None and values["subType"] not in (1, 2, 3):
            invalid.append("subType: *Invalid item selected*")
        if values.get("status") is not None and values["status"] not in range(5):
            invalid.append("status: *Invalid item selected*")
        if values.get("priority") is not None and values["priority"] not in PRIORITIES:
            invalid.append("priority: *Invalid item selected*")
        if values.get("purposeId") is not None and values["purposeId"] not in PURPOSES:
            invalid.append("purposeId: *Invalid item selected*")
        if (
            values.get("assignedUserId") is not None
            and values["assignedUserId"] not in self.users
        ):
            invalid.append("assignedUserId: *Invalid item selected*")
        if values.get("venueId") is not None and values["venueId"] not in VENUES:
            invalid.append("venueId: *Invalid item selected*")
        if values.get("leadId") is not None and values.get("venueId") is None:
            invalid.append("venueId: Value is required when leadId is given")
        if invalid:
            raise IvvyError(
                400, "The request contains invalid data", codes["invalid"], invalid
            )
        owners = [
            k for k in ("contactId", "companyId", "leadId") if values.get(k) is not None
        ]
        if len(owners) > 1 and set(owners) != {"contactId", "companyId"}:
            raise IvvyError(
                400,
                f"The {kind} can only belongs to either contact, company or "
                "opportunity/lead",
                codes["owner"],
            )
        lead = values.get("leadId")
        if lead is not None and self.leads.get(lead) != values.get("venueId"):
            raise IvvyError(400, "The lead/opportunity does not exist", codes["lead"])
        if (
            values.get("contactId") is not None
            and values["contactId"] not in self.contacts
        ):
            raise IvvyError(400, "The contact does not exist", codes["contact"])
        if (
            values.get("companyId") is not None
            and values["companyId"] not in self.companies
        ):
            raise IvvyError(400, "The company does not exist", codes["company"])
        now = datetime.fromtimestamp(self.now(), UTC).replace(microsecond=0)
        if existing is None:
            first = 1001 if kind == "activity" else 5001
            record_id = max(store, default=first - 1) + 1
            existing = dict.fromkeys(
                ACTIVITY_FIELDS if kind == "activity" else TASK_FIELDS
            )
            existing.update(id=record_id, createdDate=now, purposeId=None)
            if kind == "task":
                existing.update(status=0, progress=0, creatorUserId=1)
            store[record_id] = existing
        if owners:
            existing.update(
                contactId=None, companyId=None, leadId=None, companyContactId=None
            )
        for key, value in values.items():
            if key != "id":
                existing[key] = value
        if set(owners) == {"contactId", "companyId"}:
            existing["companyContactId"] = existing.pop("contactId")
            existing["contactId"] = None
        existing["modifiedDate"] = now
        return {"success": True, "id": existing["id"]}

    @staticmethod
    def _nullable_int(value: Any, name: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(name, "Value must be a whole number")
        return value
