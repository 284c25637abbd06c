"""Administrate emulator: CRM tasks over the legacy REST API v2.

Follows the tasks page of the legacy docs and the v2 behaviour page, as summarised
in VENDORS.md:

* HTTP Basic with a web user's login and password on every request; anything
  else is ``401`` (with ``WWW-Authenticate: Basic``);
* ``GET/PUT/DELETE /api/v2/crm/tasks/<id>`` answer ``404`` for a missing task;
  ``POST /api/v2/crm/tasks`` answers ``404`` "could not create" when the required
  fields (status, user_id, account_id, type_id) are missing or point nowhere, as
  the docs say; a bad ``PUT`` is ``400``;
* ``PUT`` is partial: only the fields given change, and ``null`` clears a field
  (the required ones cannot be cleared);
* list filters ``attribute__lt/lte/gt/gte/eq/in/notin``, ``_order`` (``-`` for
  descending) and ``_limit``; v2.5 operators, ``_page`` and unknown attributes are
  ``400``; task date-times are not time-zone aware, so a filter value with an
  offset is ``400``;
* keyset paging works because ids are stable; the ids are **not** contiguous;
* list answers carry ``account_id`` and ``opportunity`` as the docs' list example
  does; single-task answers do not, as the docs' GET example does not;
* timestamps are naive ISO (``2013-09-17T00:00:00``);
* an optional per-IP rate limit (``rate_limit=N`` requests per ``rate_window``
  seconds of the emulator's clock) answers ``429`` without ``Retry-After``, like
  the documented 6,000 per 5 minutes; ``inject_faults(kinds=("429",))`` works too.

Emulator options: ``rate_limit``, ``rate_window`` (default 300 s) and
``max_limit`` (the largest batch the server returns, whatever ``_limit`` says;
default: no cap).
"""

from __future__ import annotations

import base64
import binascii
import copy
import random
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from crmclients.sandbox import _data
from crmclients.sandbox._app import Emulator

USERNAME = "sandbox@administrate.example"
PASSWORD = "administrate-sandbox-5f8e21c4d7"
PREFIX = "/api/v2"
STATUSES = ("Not Started", "Completed", "Deferred", "Waiting on customer")
TASK_TYPES = {1: "My task type", 2: "Call", 3: "Email", 4: "Meeting"}
OPERATORS = ("lt", "lte", "gt", "gte", "eq", "in", "notin")
_INT = "int"
_TEXT = "text"
_BOOL = "bool"
_TIME = "datetime"
FIELDS: dict[str, str] = {
    "id": _INT,
    "status": _TEXT,
    "subject": _TEXT,
    "description": _TEXT,
    "user_id": _INT,
    "type_id": _INT,
    "account_id": _INT,
    "contact_id": _INT,
    "event_id": _INT,
    "opportunity_id": _INT,
    "start_datetime": _TIME,
    "end_datetime": _TIME,
    "created_on": _TIME,
    "show_on_calendar": _BOOL,
}
WRITABLE = tuple(name for name in FIELDS if name != "id")
REQUIRED = ("status", "user_id", "account_id", "type_id")
_LINKS = ("contact_id", "event_id", "opportunity_id")

COMPANY: dict[str, Any] = {
    "registration_numbers": None,
    "code": "ACM",
    "name": "Acme Corporation",
    "settings": {
        "time_format": "H:i",
        "date_format": "Y-m-d",
        "locale": "en_GB",
        "week_starts": None,
        "non_working_days": None,
    },
    "bank_details": None,
    "currency": {
        "html_code": None,
        "symbol": "\u00a3",
        "code": "GBP",
        "name": "British Pound Sterling",
        "is_base": True,
    },
    "id": 1,
    "currency_code": "GBP",
    "account_id": None,
}
_ACCOUNT_NULLS = (
    "shipping_address_locality",
    "import_id",
    "primary_contact_id",
    "tel",
    "address_unit",
    "company_number",
    "no_publicity",
    "url",
    "shipping_address_street",
    "vat_number",
    "address_postcode",
    "billing_address_country_id",
    "address_country",
    "shipping_address_postcode",
    "address_street",
    "source",
    "address_region",
    "default_price_level_id",
    "parent_id",
    "source_details",
    "notes",
    "billing_contact_person",
    "billing_address_locality",
    "email",
    "billing_address_region",
    "fax",
    "account_type",
    "description",
    "tags",
    "billing_address_unit",
    "partner_type",
    "default_price_level",
    "address_town",
    "billing_address_postcode",
    "shipping_address_town",
    "billing_address_street",
    "shipping_address_region",
    "shipping_address_country_id",
    "customer_since",
    "mobile",
    "shipping_contact_person",
    "shipping_address_unit",
    "address_locality",
    "initial_contact_id",
    "external_id",
    "bank_details",
    "billing_address_town",
)


def naive(moment: datetime) -> str:
    """A naive ISO timestamp, as Administrate writes not-time-zone-aware fields."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat()


class BadRequest(Exception):
    """A request the emulator refuses; carries the status and the message."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


class AdministrateEmulator(Emulator):
    """Administrate's legacy REST API v2 over HTTP: ``/api/v2/crm/tasks``."""

    vendor = "administrate"
    prefix = PREFIX

    def __init__(
        self,
        *,
        records: int = 100,
        seed: int = 0,
        latency: float = 0.0,
        rate_limit: int | None = None,
        rate_window: float = 300.0,
        max_limit: int | None = None,
    ) -> None:
        if rate_limit is not None and rate_limit < 1:
            raise ValueError("rate_limit must be at least 1 request per window")
        if max_limit is not None and max_limit < 1:
            raise ValueError("max_limit must be at least 1")
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.max_limit = max_limit
        self.hits: dict[str, deque[float]] = {}
        self.throttled = 0
        super().__init__(records=records, seed=seed, latency=latency)

    def reset(self) -> None:
        """Back to the seeded state: data, clock, rate counters, faults and the log."""
        with self.lock:
            self.rng = random.Random(self.seed)
            self.seed_data()
            self.requests.clear()
            self.received.clear()
            self.clear_faults()
            self.clock_offset = 0.0
            self.hits.clear()
            self.throttled = 0

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "username": USERNAME,
            "password": PASSWORD,
            # Administrate requires a type_id on create; the shared model has no
            # field for it, so the adapter takes it from this setting.
            "task_type_id": "1",
        }

    def rules(self) -> list[Rule]:
        base = f"{PREFIX}/crm/tasks"
        return [
            Rule(base, endpoint="list_tasks", methods=["GET"]),
            Rule(base, endpoint="create_task", methods=["POST"]),
            Rule(f"{base}/<tid>", endpoint="get_task", methods=["GET"]),
            Rule(f"{base}/<tid>", endpoint="update_task", methods=["PUT"]),
            Rule(f"{base}/<tid>", endpoint="delete_task", methods=["DELETE"]),
        ]

    # -- data ----------------------------------------------------------------------------

    def seed_data(self) -> None:
        rng = self.rng
        self.accounts: dict[int, dict[str, Any]] = {
            1: self._account(1, "Acme Corporation")
        }
        self.accounts[1]["created"] = "2016-11-08T11:04:41"
        for index, name in enumerate(_data.COMPANIES):
            self.accounts[2 + index] = self._account(2 + index, name)
        self.users: dict[int, dict[str, Any]] = {
            1: self._user(1, "John", "Smith", "john@example.com")
        }
        for uid in range(2, 7):
            first, last = rng.choice(_data.FIRST_NAMES), rng.choice(_data.LAST_NAMES)
            self.users[uid] = self._user(
                uid, first, last, f"{first.lower()}.{last.lower()}@example.com"
            )
        self.contacts: dict[int, dict[str, Any]] = {}
        for cid in range(1, 31):
            first, last = rng.choice(_data.FIRST_NAMES), rng.choice(_data.LAST_NAMES)
            self.contacts[cid] = self._contact(
                cid, first, last, rng.choice(list(self.accounts)), rng
            )
        self.events: dict[int, dict[str, Any]] = {
            eid: self._event(eid, rng) for eid in range(1, 9)
        }
        self.opportunities: dict[int, str] = {
            oid: f"{rng.choice(_data.TOPICS)} {oid}" for oid in range(1, 16)
        }
        self.tasks: dict[int, dict[str, Any]] = {}
        tid = 1
        for _ in range(self.records):
            tid += rng.choice((1, 1, 2, 3, 5, 8))  # ids are not contiguous
            self.tasks[tid] = self._random_task(tid, rng)

    # -- drift hooks ---------------------------------------------------------------------

    #: Tasks, listed in id order (the keyset pull's ``_order=id``).
    drift_collections = ("tasks",)

    def record_ids(self, collection: str | None = None) -> list[str]:
        """Task ids as a full pull shows them (id order)."""
        self._drift_target(collection, "start", deleting=False)
        with self.lock:
            return [str(tid) for tid in sorted(self.tasks)]

    def insert_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Add tasks with the lowest unused ids (start) or above the highest (end)."""
        self._drift_target(collection, at, deleting=False)
        with self.lock:
            if at == "start":
                free = (i for i in range(1, 1 << 31) if i not in self.tasks)
                ids = [next(free) for _ in range(n)]
            else:
                high = max(self.tasks, default=1)
                ids = list(range(high + 1, high + 1 + n))
            for tid in ids:
                self.tasks[tid] = self._random_task(tid, self.drift_rng)
            return [str(tid) for tid in sorted(ids)]

    def delete_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Delete tasks: the lowest ids, the highest, or random ones."""
        self._drift_target(collection, at, deleting=True)
        with self.lock:
            victims = self._pick(sorted(self.tasks), n, at)
            for tid in victims:
                del self.tasks[tid]
            return [str(tid) for tid in victims]

    def _random_task(self, tid: int, rng: Any) -> dict[str, Any]:
        created = _data.moment(rng)
        start = (
            created + timedelta(hours=rng.randrange(1, 24 * 60))
            if rng.random() < 0.7
            else None
        )
        end = (
            start + timedelta(minutes=rng.choice((15, 30, 60, 120))) if start else None
        )
        account_id = 1 if rng.random() < 0.3 else rng.choice(list(self.accounts))
        return {
            "id": tid,
            "status": rng.choice(STATUSES),
            "user_id": rng.choice(list(self.users)),
            "type_id": rng.choice(list(TASK_TYPES)),
            "account_id": account_id,
            "contact_id": rng.choice(list(self.contacts))
            if rng.random() < 0.5
            else None,
            "event_id": rng.choice(list(self.events)) if rng.random() < 0.2 else None,
            "opportunity_id": (
                rng.choice(list(self.opportunities)) if rng.random() < 0.2 else None
            ),
            "subject": _data.sentence(rng) if rng.random() < 0.8 else None,
            "description": _data.sentence(rng) if rng.random() < 0.5 else None,
            "start_datetime": start.replace(tzinfo=None) if start else None,
            "end_datetime": end.replace(tzinfo=None) if end else None,
            "created_on": created.replace(tzinfo=None),
            "show_on_calendar": rng.random() < 0.7,
        }

    @staticmethod
    def _account(aid: int, name: str) -> dict[str, Any]:
        record: dict[str, Any] = dict.fromkeys(_ACCOUNT_NULLS)
        record.update(
            {
                "id": aid,
                "name": name,
                "default_approver": 0,
                "industries": [],
                "is_employee": False,
                "is_individual": False,
                "is_supplier": False,
                "is_partner": False,
                "is_deleted": False,
                "is_customer": aid != 1,
                "company": copy.deepcopy(COMPANY),
                "created": naive(_data.EPOCH + timedelta(days=aid)),
            }
        )
        return record

    @staticmethod
    def _user(uid: int, first: str, last: str, email: str) -> dict[str, Any]:
        return {
            "first_name": first,
            "last_name": last,
            "name": f"{first} {last}",
            "roles": [
                {
                    "system_name": None,
                    "description": None,
                    "id": 1,
                    "name": None,
                    "company_id": None,
                }
            ],
            "locale": None,
            "company_id": 1,
            "contact_id": None,
            "email": email,
            "signature": None,
            "id": uid,
            "initials": f"{first[0]}{last[0]}",
        }

    @staticmethod
    def _contact(
        cid: int, first: str, last: str, account_id: int, rng: Any
    ) -> dict[str, Any]:
        return {
            "membership_number": None,
            "last_name": last,
            "tel": None,
            "address_unit": None,
            "contract_notes": None,
            "created_on": naive(_data.moment(rng)),
            "inactive": False,
            "marketing_lists": [],
            "salutation": None,
            "address_postcode": None,
            "email2": None,
            "id": cid,
            "first_name": first,
            "middle_name": None,
            "import_ref": None,
            "address_street": None,
            "organisation": None,
            "company_id": 1,
            "department": None,
            "address_locality": None,
            "email": f"{first.lower()}.{cid}@example.com",
            "job_title": None,
            "dont_mail": False,
            "fax": None,
            "account_id": account_id,
            "marketing_activity_id": None,
            "lms_bio": None,
            "address_town": None,
            "source2": None,
            "source1": None,
            "is_admin": False,
            "is_tutor": False,
            "tutor_bio": None,
            "dormant": False,
            "is_deleted": False,
            "address_country_id": None,
            "mobile": None,
            "notes": None,
            "overall_attendance": None,
            "is_staff": False,
            "no_third_party": False,
            "address_region": None,
            "created_by_id": None,
            "external_id": None,
        }

    @staticmethod
    def _event(eid: int, rng: Any) -> dict[str, Any]:
        start = _data.moment(rng)
        return {
            "id": eid,
            "code": f"EV{eid:04d}",
            "title": f"{rng.choice(_data.TOPICS)} course",
            "course_id": eid,
            "venue_id": None,
            "region_id": None,
            "account_id": None,
            "company_id": 1,
            "time_zone": "Europe/London",
            "start_date": start.date().isoformat(),
            "start_time": "09:00",
            "end_date": start.date().isoformat(),
            "end_time": "17:00",
            "is_cancelled": False,
            "is_online": rng.random() < 0.3,
            "is_provisional": False,
            "is_sold_out": False,
            "delegates_max": 12,
            "delegates_booked": rng.randrange(0, 12),
            "currency_code": "GBP",
            "notes": None,
        }

    def render(self, task: dict[str, Any], *, listed: bool) -> dict[str, Any]:
        """A task as the API shows it (list answers add account_id and opportunity)."""
        out: dict[str, Any] = {
            "status": task["status"],
            "account": copy.deepcopy(self.accounts.get(task["account_id"])),
            "user_id": task["user_id"],
            "type_id": task["type_id"],
            "event_id": task["event_id"],
            "description": task["description"],
            "start_datetime": _stamp(task["start_datetime"]),
            "contact_id": task["contact_id"],
            "event": copy.deepcopy(self.events.get(task["event_id"] or 0)),
            "created_on": _stamp(task["created_on"]),
            "contact": copy.deepcopy(self.contacts.get(task["contact_id"] or 0)),
            "user": copy.deepcopy(self.users.get(task["user_id"])),
            "end_datetime": _stamp(task["end_datetime"]),
            "show_on_calendar": task["show_on_calendar"],
            "subject": task["subject"],
            "type": {"id": task["type_id"], "name": TASK_TYPES.get(task["type_id"])},
            "id": task["id"],
            "opportunity_id": task["opportunity_id"],
        }
        if listed:
            out["account_id"] = task["account_id"]
            oid = task["opportunity_id"]
            out["opportunity"] = (
                {"id": oid, "name": self.opportunities[oid]}
                if oid in self.opportunities
                else None
            )
        return out

    # -- guards --------------------------------------------------------------------------

    @staticmethod
    def error(status: int, message: str, field: str | None = None) -> Response:
        """An error answer (the legacy docs give statuses only; this body is a guess)."""
        body: dict[str, Any] = {
            "error": _REASONS.get(status, "Error"),
            "message": message,
        }
        if field is not None:
            body["errors"] = {field: [message]}
        headers = (
            {"WWW-Authenticate": 'Basic realm="Administrate API"'}
            if status == 401
            else {}
        )
        return Emulator.json(body, status=status, headers=headers)

    def not_found(self, request: Request) -> Response:
        return self.error(404, f"no such resource: {request.path}")

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic" or not token:
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return decoded == f"{USERNAME}:{PASSWORD}"

    def _throttled(self, request: Request) -> bool:
        if self.rate_limit is None:
            return False
        now = self.now()
        hits = self.hits.setdefault(request.remote_addr or "?", deque())
        while hits and hits[0] <= now - self.rate_window:
            hits.popleft()
        if len(hits) >= self.rate_limit:
            self.throttled += 1
            return True
        hits.append(now)
        return False

    def _guard(self, request: Request) -> Response | None:
        if self._throttled(request):
            return self.error(
                429,
                f"rate limit of {self.rate_limit} requests per "
                f"{self.rate_window:g} seconds exceeded for this IP address",
            )
        if not self._authorised(request):
            return self.error(401, "invalid credentials")
        return None

    def _task(self, tid: str) -> dict[str, Any] | None:
        return self.tasks.get(int(tid)) if tid.isdigit() else None

    # -- endpoints -----------------------------------------------------------------------

    def list_tasks(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        try:
            tests, order, limit = self._parse_query(request)
        except BadRequest as exc:
            return self.error(exc.status, exc.message, exc.field)
        rows = [t for t in self.tasks.values() if all(test(t) for test in tests)]
        for field, descending in reversed(order):
            present = [r for r in rows if r[field] is not None]
            missing = [r for r in rows if r[field] is None]
            present.sort(key=_key(field), reverse=descending)
            rows = missing + present if not descending else present + missing
        if self.max_limit is not None:
            limit = min(limit or self.max_limit, self.max_limit)
        if limit is not None:
            rows = rows[:limit]
        return self.json([self.render(r, listed=True) for r in rows])

    def get_task(self, request: Request, tid: str) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        task = self._task(tid)
        if task is None:
            return self.error(404, f"task {tid} does not exist")
        return self.json(self.render(task, listed=False))

    def create_task(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.error(404, "could not create: expected a JSON object")
        try:
            for name in REQUIRED:
                if data.get(name) in (None, ""):
                    raise BadRequest(404, f"could not create: {name} is required", name)
            values = self._values(data, status=404)
        except BadRequest as exc:
            return self.error(exc.status, exc.message, exc.field)
        tid = max(self.tasks, default=1) + self.rng.choice((1, 2, 3))
        task: dict[str, Any] = dict.fromkeys(FIELDS)
        task.update(
            {
                "id": tid,
                "show_on_calendar": True,
                "created_on": datetime.fromtimestamp(self.now(), UTC).replace(
                    tzinfo=None, microsecond=0
                ),
            }
        )
        task.update(values)
        self.tasks[tid] = task
        return self.json(self.render(task, listed=False))

    def update_task(self, request: Request, tid: str) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        task = self._task(tid)
        if task is None:
            return self.error(404, f"task {tid} does not exist")
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.error(400, "expected a JSON object")
        try:
            for name in REQUIRED:
                if name in data and data[name] in (None, ""):
                    raise BadRequest(
                        400, f"{name} is required and cannot be null", name
                    )
            values = self._values(data, status=400)
        except BadRequest as exc:
            return self.error(exc.status, exc.message, exc.field)
        task.update(values)
        return self.json(self.render(task, listed=False))

    def delete_task(self, request: Request, tid: str) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        task = self._task(tid)
        if task is None:
            return self.error(404, f"entity not found: task {tid}")
        del self.tasks[task["id"]]
        return self.json(self.render(task, listed=False))

    # -- parsing -------------------------------------------------------------------------

    def _values(self, data: dict[str, Any], *, status: int) -> dict[str, Any]:
        """Checked task fields from a write body (only the keys given)."""
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in WRITABLE:
                raise BadRequest(status, f"{name} is not a writable task field", name)
            kind = FIELDS[name]
            if value is None:
                values[name] = None
            elif kind == _INT:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise BadRequest(status, f"{name} must be an integer", name)
                values[name] = value
            elif kind == _TEXT:
                if not isinstance(value, str):
                    raise BadRequest(status, f"{name} must be a string", name)
                values[name] = value
            elif kind == _BOOL:
                if not isinstance(value, bool):
                    raise BadRequest(status, f"{name} must be true or false", name)
                values[name] = value
            else:
                values[name] = _write_time(name, value, status)
        for name, table in (
            ("user_id", self.users),
            ("account_id", self.accounts),
            ("type_id", TASK_TYPES),
            ("contact_id", self.contacts),
            ("event_id", self.events),
            ("opportunity_id", self.opportunities),
        ):
            if values.get(name) is not None and values[name] not in table:
                raise BadRequest(status, f"{name} {values[name]} does not exist", name)
        return values

    def _parse_query(
        self, request: Request
    ) -> tuple[
        list[Callable[[dict[str, Any]], bool]], list[tuple[str, bool]], int | None
    ]:
        tests: list[Callable[[dict[str, Any]], bool]] = []
        order: list[tuple[str, bool]] = []
        limit: int | None = None
        for key, raw in request.args.items(multi=True):
            if key == "_order":
                for part in raw.split(","):
                    name = part.strip()
                    field = name[1:] if name.startswith("-") else name
                    if field not in FIELDS:
                        raise BadRequest(
                            400, f"cannot order by unknown attribute {field!r}"
                        )
                    order.append((field, name.startswith("-")))
            elif key == "_limit":
                if not raw.isdigit() or int(raw) < 1:
                    raise BadRequest(400, "_limit must be a positive integer")
                limit = int(raw)
            elif "__" in key and not key.startswith("_"):
                field, _, op = key.rpartition("__")
                if op not in OPERATORS:
                    raise BadRequest(400, f"unknown filter operator __{op}")
                if field not in FIELDS:
                    raise BadRequest(400, f"unknown attribute {field!r}")
                tests.append(_test(field, op, raw))
            else:
                raise BadRequest(400, f"unknown query parameter {key!r}")
        return tests, order, limit


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
}


def _key(field: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record[field]


def _stamp(value: datetime | None) -> str | None:
    return naive(value) if value is not None else None


def _write_time(name: str, value: Any, status: int) -> datetime:
    """A written date-time: ``YYYY-MM-DD HH:MM:SS``, ISO with ``T``, or a date."""
    if not isinstance(value, str):
        raise BadRequest(status, f"{name} must be a date-time string", name)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(status, f"{name} is not a valid date-time", name) from None
    if parsed.tzinfo is not None:
        raise BadRequest(
            status, f"{name} is not time zone aware; omit the offset", name
        )
    return parsed


def _parse(field: str, text: str) -> Any:
    kind = FIELDS[field]
    if kind == _INT:
        if not text.lstrip("-").isdigit():
            raise BadRequest(400, f"{field} needs an integer, got {text!r}")
        return int(text)
    if kind == _BOOL:
        lowered = text.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise BadRequest(400, f"{field} needs true or false, got {text!r}")
        return lowered in ("true", "1")
    if kind == _TIME:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise BadRequest(
                400, f"{field} needs an ISO date-time, got {text!r}"
            ) from None
        if moment.tzinfo is not None:
            raise BadRequest(
                400,
                f"{field} is not time zone aware: give it without an offset "
                "(e.g. 2017-12-20T18:00:00)",
            )
        return moment
    return text


def _test(field: str, op: str, raw: str) -> Callable[[dict[str, Any]], bool]:
    if op in ("in", "notin"):
        wanted = [_parse(field, part) for part in raw.split(",")]
        if op == "in":
            return lambda r: r[field] is not None and r[field] in wanted
        return lambda r: r[field] is not None and r[field] not in wanted
    value = _parse(field, raw)
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "eq": lambda a, b: a == b,
    }
    check = compare[op]
    return lambda r: r[field] is not None and check(r[field], value)
