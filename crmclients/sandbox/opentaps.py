"""Opentaps CRM-2 emulator: activities, tasks, contact roles and the token exchange.

Follows the CRM-2 Activities/Task API page and the facts VENDORS.md collects:

* every call carries ``authToken`` and ``clientDomain`` as ordinary parameters: in
  the query string of a GET (a form body on a GET is read too, as the vendor's
  Python script sends one), in the form-encoded body of a POST, PUT or DELETE;
* ``authToken`` is the permanent token, or a temporary one from
  ``POST /oauth/temp-token`` (form ``authToken=<permanent>``, answer
  ``{"authToken": "<temp>"}``) that expires 60 minutes later on the emulator's clock
  (:meth:`~crmclients.sandbox.Emulator.advance` moves it);
  ``POST /oauth/validate`` (JSON ``{"authToken": ...}``) answers
  ``{"authenticated": true|false}``;
* a missing, wrong or expired token is HTTP 401 ``{"error": "..."}``; a token used
  with another client domain is HTTP 403; validation failures are HTTP 400
  ``{"errors": {field: message}, "message": "Validation failed"}``; an unknown
  activity or contact is HTTP 404 ``{"error": "..."}``;
* success is ``{"result": {"resultValue": ...}}``; ``/activities/contact/remove``
  answers in the nested older shape ``{"result": {"resultValue": {"activity":
  {...}}}}`` the vendor's Java code parses for contacts;
* records are keyed by ``_id`` (24 hex digits); statuses are CREATED, STARTED,
  COMPLETED, CANCELLED (any case accepted, stored upper-case); activity types are
  per domain and capitalised; timestamps are ISO 8601 UTC with milliseconds;
* ``GET /activities/{numberOfActivities}/{startFrom}``: ``startFrom`` is a 0-based
  offset into the activities in creation order, tasks included; without it the
  list starts at the beginning;
* ``POST /activities`` creates (or, with ``activityId``, updates) from
  ``note_field_<name>`` fields; ``PUT /activities/{id}`` takes plain field names
  and ``partial=Yes`` keeps the fields not given (without it they are cleared);
* ``POST /task`` refuses ``activityTypeId``/``activityType`` and creates a TASK;
  ``GET /task`` filters by ``assignedToContactId`` (comma-joined or repeated),
  ``fromScheduledDateTime``/``toScheduledDateTime`` (both inclusive) and ``status``
  (comma-joined), and returns at most ``per_page`` tasks (25 unless given: the
  vendor's own script sends 9999 to get everything — an assumption, the docs give
  no default);
* contacts are associated in a role (an arbitrary string, optional); the same
  (contact, role) pair is kept once; removing without a role removes every role
  of that contact; removing an absent association changes nothing.

The *shape* of an activity's contact associations (``contacts: [{"contactId",
"role"}]``) and the ``createdDate``/``lastModifiedDate`` names are not documented by
the vendor; this emulator chooses them.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from crmclients.sandbox import _data
from crmclients.sandbox._app import Emulator

TOKEN = "opentaps-sandbox-perm-7c41d9e2a8f0b3"
DOMAIN = "sandbox.example.com"
TEMP_TOKEN_LIFETIME = 3600.0
PREFIX = "note_field_"
STATUSES = ("CREATED", "STARTED", "COMPLETED", "CANCELLED")
ACTIVITY_TYPES = (
    "NOTE",
    "TASK",
    "EMAIL",
    "CALL",
    "MEETING",
    "TWEET",
    "FOLLOWUP_EMAIL",
    "CONTACT_FORM",
)
#: The domain's contacts: fixed ids (independent of the seed), so tests can name them.
CONTACT_IDS = tuple(f"5166b967e4b0f6e6cd09e6{i:02x}" for i in range(0x50, 0x60))
ROLES = ("customer", "decision maker", "billing", "observer")
DEFAULT_TASKS_PER_PAGE = 25
_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
_READ_ONLY = frozenset(
    {"_id", "clientDomain", "createdDate", "lastModifiedDate", "contacts"}
)
_CONTROL = frozenset({"authToken", "clientDomain", "partial", "activityId"})
_DATE_FIELDS = ("scheduledDateTime", "createdDate", "lastModifiedDate")


def wire_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as Java/Mongo back ends write it."""
    value = moment.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 moment (naive: UTC), or None when it is not one."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class OpentapsEmulator(Emulator):
    """Opentaps CRM-2 over HTTP: /oauth, /activities and /task."""

    vendor = "opentaps"

    @property
    def credentials(self) -> dict[str, str]:
        """The permanent token and the client domain."""
        return {"auth_token": TOKEN, "client_domain": DOMAIN}

    def rules(self) -> list[Rule]:
        """The /oauth, /activities and /task routes."""
        return [
            Rule("/oauth/temp-token", endpoint="temp_token", methods=["POST"]),
            Rule("/oauth/validate", endpoint="validate", methods=["POST"]),
            Rule(
                "/activities/<int:number>",
                endpoint="list_activities",
                methods=["GET"],
            ),
            Rule(
                "/activities/<int:number>/<int:start>",
                endpoint="list_activities",
                methods=["GET"],
            ),
            Rule("/activities", endpoint="save_activity", methods=["POST"]),
            Rule("/activities/contact/add", endpoint="contact_add", methods=["POST"]),
            Rule(
                "/activities/contact/remove",
                endpoint="contact_remove",
                methods=["POST"],
            ),
            Rule(
                "/activities/<activity_id>",
                endpoint="update_activity",
                methods=["PUT"],
            ),
            Rule(
                "/activities/<activity_id>",
                endpoint="delete_activity",
                methods=["DELETE"],
            ),
            Rule("/task", endpoint="search_tasks", methods=["GET"]),
            Rule("/task", endpoint="create_task", methods=["POST"]),
        ]

    # -- data ----------------------------------------------------------------------------

    def seed_data(self) -> None:
        """Fixed contacts and ``records`` activities (about 30% tasks), seeded."""
        rng = self.rng
        self.contacts = {cid: _data.person(rng) for cid in CONTACT_IDS}
        self.activities: dict[str, dict[str, Any]] = {}
        self.temp_tokens: dict[str, float] = {}
        self._token_rng = random.Random(self.seed * 7919 + 17)
        self._id_rng = random.Random(self.seed * 104729 + 3)
        self._counter = 0
        moments = sorted(_data.moment(rng) for _ in range(self.records))
        kinds = ("NOTE", "EMAIL", "CALL", "MEETING", "TWEET", "FOLLOWUP_EMAIL")
        for created in moments:
            is_task = rng.random() < 0.3
            kind = "TASK" if is_task else rng.choice(kinds)
            record: dict[str, Any] = {
                "_id": self._new_id(created),
                "activityTypeId": kind,
                "noteText": _data.sentence(rng),
                "status": rng.choices(STATUSES, weights=(4, 3, 3, 1))[0],
                "clientDomain": DOMAIN,
                "createdDate": created,
                "lastModifiedDate": created
                + timedelta(seconds=rng.randrange(60 * 86400)),
                "contacts": self._seed_contacts(rng),
                "attributes": {},
            }
            if is_task:
                record["scheduledDateTime"] = created + timedelta(
                    hours=rng.randrange(1, 24 * 60)
                )
                record["assignedToContact"] = [rng.choice(CONTACT_IDS)]
                if rng.random() < 0.5:
                    record["responsibleContactId"] = rng.choice(CONTACT_IDS)
            elif kind == "FOLLOWUP_EMAIL":
                record["scheduledDateTime"] = created + timedelta(days=3)
                record["attributes"] = {
                    "email": f"prospect{len(self.activities)}@example.com"
                }
            self.activities[record["_id"]] = record

    # -- drift hooks ---------------------------------------------------------------------

    #: ``activities`` (every activity, tasks included, in creation order) and
    #: ``tasks`` (the TASK ones, as ``GET /task`` lists them).
    drift_collections = ("activities", "tasks")

    def _listed(self, name: str) -> list[str]:
        return [
            key
            for key, record in self.activities.items()
            if name == "activities" or record.get("activityTypeId") == "TASK"
        ]

    def record_ids(self, collection: str | None = None) -> list[str]:
        """Ids as a full pull shows them (creation order)."""
        name = self._drift_target(collection, "start", deleting=False)
        with self.lock:
            return self._listed(name)

    def insert_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Add activities (tasks for ``tasks``) first or last in creation order."""
        name = self._drift_target(collection, at, deleting=False)
        with self.lock:
            rng = self.drift_rng
            now = self._now()
            new: dict[str, dict[str, Any]] = {}
            for _ in range(n):
                task = name == "tasks"
                record: dict[str, Any] = {
                    "_id": self._new_id(now),
                    "activityTypeId": "TASK" if task else "NOTE",
                    "noteText": _data.sentence(rng),
                    "status": "CREATED",
                    "clientDomain": DOMAIN,
                    "createdDate": now,
                    "lastModifiedDate": now,
                    "contacts": [],
                    "attributes": {},
                }
                if task:
                    record["scheduledDateTime"] = now + timedelta(days=1)
                    record["assignedToContact"] = [rng.choice(CONTACT_IDS)]
                new[record["_id"]] = record
            self.activities.update(new)
            if at == "start":
                self._put_first(self.activities, new)
            return list(new)

    def delete_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Delete activities (tasks for ``tasks``): first, last or random ones."""
        name = self._drift_target(collection, at, deleting=True)
        with self.lock:
            victims = self._pick(self._listed(name), n, at)
            for key in victims:
                del self.activities[key]
            return victims

    def _seed_contacts(self, rng: random.Random) -> list[dict[str, str]]:
        links = []
        for contact in rng.sample(CONTACT_IDS, rng.randrange(0, 3)):
            link = {"contactId": contact}
            if rng.random() < 0.7:
                link["role"] = rng.choice(ROLES)
            links.append(link)
        return links

    def _new_id(self, moment: datetime) -> str:
        """A Mongo-style ObjectId: seconds, 5 random bytes, a counter."""
        self._counter += 1
        stamp = int(moment.timestamp()) & 0xFFFFFFFF
        return f"{stamp:08x}{self._id_rng.getrandbits(40):010x}{self._counter & 0xFFFFFF:06x}"

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    @staticmethod
    def public(record: dict[str, Any]) -> dict[str, Any]:
        """A record as the API shows it."""
        out = dict(record)
        for key in _DATE_FIELDS:
            if isinstance(out.get(key), datetime):
                out[key] = wire_time(out[key])
        out["contacts"] = [dict(link) for link in record.get("contacts", [])]
        return out

    # -- envelope ------------------------------------------------------------------------

    def result(self, value: Any) -> Response:
        """A success: ``{"result": {"resultValue": value}}``."""
        return self.json({"result": {"resultValue": value}})

    def invalid(self, problems: dict[str, str]) -> Response:
        """HTTP 400 with field errors."""
        return self.json({"errors": problems, "message": "Validation failed"}, 400)

    @staticmethod
    def params(request: Request) -> MultiDict[str, str]:
        """Query and form parameters together (a GET may carry a form body)."""
        merged: MultiDict[str, str] = MultiDict(request.args)
        for key, value in request.form.items(multi=True):
            merged.add(key, value)
        return merged

    def guard(
        self, params: MultiDict[str, str], *, domain_required: bool = True
    ) -> Response | None:
        """The auth and client-domain checks every API call goes through."""
        token = params.get("authToken", "")
        if not token:
            return self.json({"error": "authToken is required"}, 401)
        if token != TOKEN:
            expiry = self.temp_tokens.get(token)
            if expiry is None:
                return self.json({"error": "Invalid authToken"}, 401)
            if self.now() >= expiry:
                return self.json(
                    {"error": "authToken expired: get a new temporary token"}, 401
                )
        domain = params.get("clientDomain", "")
        if not domain:
            if domain_required:
                return self.invalid({"clientDomain": "clientDomain is required"})
        elif domain.lower() != DOMAIN:
            return self.json(
                {"error": f"clientDomain {domain} is not permitted for this user"},
                403,
            )
        return None

    # -- /oauth --------------------------------------------------------------------------

    def temp_token(self, request: Request) -> Response:
        """POST /oauth/temp-token: a 60-minute token for the permanent one."""
        if self.params(request).get("authToken", "") != TOKEN:
            return self.json({"error": "Invalid authToken"}, 401)
        token = f"{self._token_rng.getrandbits(160):040x}"
        self.temp_tokens[token] = self.now() + TEMP_TOKEN_LIFETIME
        self.issued_tokens.append(token)
        return self.json({"authToken": token})

    def validate(self, request: Request) -> Response:
        """POST /oauth/validate: is this token (still) valid?"""
        body = request.get_json(silent=True)
        token = body.get("authToken") if isinstance(body, dict) else None
        if token is None:
            token = self.params(request).get("authToken")
        expiry = self.temp_tokens.get(token) if isinstance(token, str) else None
        valid = token == TOKEN or (expiry is not None and self.now() < expiry)
        return self.json({"authenticated": valid})

    # -- /activities ---------------------------------------------------------------------

    def list_activities(
        self, request: Request, number: int, start: int = 0
    ) -> Response:
        """GET /activities/{numberOfActivities}[/{startFrom}] (0-based offset)."""
        if (denied := self.guard(self.params(request))) is not None:
            return denied
        if number < 1:
            return self.json(
                {"message": "numberOfActivities must be a positive number"}, 400
            )
        rows = list(self.activities.values())[start : start + number]
        return self.result([self.public(r) for r in rows])

    def save_activity(self, request: Request) -> Response:
        """POST /activities: create, or update with ``activityId``."""
        params = self.params(request)
        if (denied := self.guard(params)) is not None:
            return denied
        fields = self._prefixed(params)
        activity_id = params.get("activityId") or fields.pop("_id", "")
        existing = None
        if activity_id:
            existing = self.activities.get(activity_id)
            if existing is None:
                return self._missing(activity_id)
        changes, problems = self._check(fields, task=False)
        if problems:
            return self.invalid(problems)
        if existing is None:
            changes.setdefault("activityTypeId", "NOTE")
            existing = self._create(changes)
        else:
            self._apply(existing, changes)
        return self.result(self.public(existing))

    def update_activity(self, request: Request, activity_id: str) -> Response:
        """PUT /activities/{id}: plain field names; ``partial=Yes`` keeps the rest."""
        params = self.params(request)
        if (denied := self.guard(params)) is not None:
            return denied
        existing = self.activities.get(activity_id)
        if existing is None:
            return self._missing(activity_id)
        fields = {
            (k[len(PREFIX) :] if k.startswith(PREFIX) else k): v
            for k, v in params.items()
            if k not in _CONTROL
        }
        changes, problems = self._check(fields, task=False)
        if problems:
            return self.invalid(problems)
        if params.get("partial", "").lower() not in ("yes", "y", "true"):
            for key in list(existing):
                if key not in (
                    "_id",
                    "activityTypeId",
                    "status",
                    "clientDomain",
                    "createdDate",
                    "lastModifiedDate",
                    "contacts",
                ):
                    del existing[key]
            existing["attributes"] = {}
        self._apply(existing, changes)
        return self.result(self.public(existing))

    def delete_activity(self, request: Request, activity_id: str) -> Response:
        """DELETE /activities/{id}."""
        params = self.params(request)
        if (denied := self.guard(params, domain_required=False)) is not None:
            return denied
        if self.activities.pop(activity_id, None) is None:
            return self._missing(activity_id)
        return self.result({"_id": activity_id, "deleted": True})

    def contact_add(self, request: Request) -> Response:
        """POST /activities/contact/add: a contact in an optional role."""
        found = self._link_target(request)
        if isinstance(found, Response):
            return found
        record, contact, role = found
        if contact not in self.contacts:
            return self.json({"error": f"Contact {contact} not found"}, 404)
        link = {"contactId": contact, **({"role": role} if role else {})}
        if link not in record["contacts"]:
            record["contacts"].append(link)
            record["lastModifiedDate"] = self._now()
        return self.result(self.public(record))

    def contact_remove(self, request: Request) -> Response:
        """POST /activities/contact/remove (every role without ``role``)."""
        found = self._link_target(request)
        if isinstance(found, Response):
            return found
        record, contact, role = found
        kept = [
            link
            for link in record["contacts"]
            if link["contactId"] != contact
            or (role is not None and link.get("role") != role)
        ]
        if kept != record["contacts"]:
            record["contacts"] = kept
            record["lastModifiedDate"] = self._now()
        return self.result({"activity": self.public(record)})

    def _link_target(
        self, request: Request
    ) -> Response | tuple[dict[str, Any], str, str | None]:
        params = self.params(request)
        if (denied := self.guard(params)) is not None:
            return denied
        problems = {
            key: f"{key} is required"
            for key in ("activityId", "contactId")
            if not params.get(key)
        }
        if problems:
            return self.invalid(problems)
        record = self.activities.get(params["activityId"])
        if record is None:
            return self._missing(params["activityId"])
        role = params.get("role", "").strip() or None
        return record, params["contactId"], role

    # -- /task ---------------------------------------------------------------------------

    def create_task(self, request: Request) -> Response:
        """POST /task: a TASK; activityTypeId is refused."""
        params = self.params(request)
        if (denied := self.guard(params)) is not None:
            return denied
        fields = self._prefixed(params)
        for plain in ("scheduledDateTime", "assignedToContactId"):
            if plain in params and plain not in fields:
                fields[plain] = params[plain]
        if {"activityTypeId", "activityType"} & (set(fields) | set(params)):
            return self.invalid(
                {"activityTypeId": "Tasks do not support activityTypeId"}
            )
        changes, problems = self._check(fields, task=True)
        if problems:
            return self.invalid(problems)
        changes["activityTypeId"] = "TASK"
        return self.result(self.public(self._create(changes)))

    def search_tasks(self, request: Request) -> Response:
        """GET /task: by assignee, schedule range and status, up to per_page."""
        params = self.params(request)
        if (denied := self.guard(params)) is not None:
            return denied
        problems: dict[str, str] = {}
        assignees = {
            part.strip()
            for value in params.getlist("assignedToContactId")
            for part in value.split(",")
            if part.strip()
        }
        bounds: dict[str, datetime] = {}
        for key in ("fromScheduledDateTime", "toScheduledDateTime"):
            if params.get(key):
                moment = parse_time(params[key])
                if moment is None:
                    problems[key] = f"{key} must be an ISO 8601 date-time"
                else:
                    bounds[key] = moment
        statuses = {
            part.strip().upper()
            for value in params.getlist("status")
            for part in value.split(",")
            if part.strip()
        }
        if statuses - set(STATUSES):
            problems["status"] = f"status must be among {', '.join(STATUSES)}"
        per_page = DEFAULT_TASKS_PER_PAGE
        if params.get("per_page"):
            try:
                per_page = int(params["per_page"])
            except ValueError:
                per_page = 0
            if per_page < 1:
                problems["per_page"] = "per_page must be a positive number"
        if problems:
            return self.invalid(problems)
        rows = []
        for record in self.activities.values():
            if record.get("activityTypeId") != "TASK":
                continue
            if assignees and not assignees & set(record.get("assignedToContact", [])):
                continue
            if statuses and record.get("status") not in statuses:
                continue
            scheduled = record.get("scheduledDateTime")
            if bounds and not self._within(scheduled, bounds):
                continue
            rows.append(record)
        return self.result([self.public(r) for r in rows[:per_page]])

    # -- rules ---------------------------------------------------------------------------

    @staticmethod
    def _within(scheduled: datetime | None, bounds: dict[str, datetime]) -> bool:
        """Scheduled inside [fromScheduledDateTime, toScheduledDateTime]."""
        if scheduled is None:
            return False
        start = bounds.get("fromScheduledDateTime")
        end = bounds.get("toScheduledDateTime")
        return (start is None or scheduled >= start) and (
            end is None or scheduled <= end
        )

    @staticmethod
    def _prefixed(params: MultiDict[str, str]) -> dict[str, str]:
        return {
            key[len(PREFIX) :]: value
            for key, value in params.items()
            if key.startswith(PREFIX)
        }

    def _missing(self, activity_id: str) -> Response:
        return self.json({"error": f"Activity {activity_id} not found"}, 404)

    def _check(
        self, fields: dict[str, str], *, task: bool
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Validate wire fields; return (changes to apply, problems by field)."""
        changes: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for key, value in fields.items():
            if key in _READ_ONLY or key in ("assignedToContact", "attributes"):
                problems[key] = f"{key} cannot be set"
            elif key in ("activityTypeId", "activityType"):
                name = value.strip().upper()
                if name not in ACTIVITY_TYPES:
                    problems["activityTypeId"] = (
                        f"Unknown activity type {value} for domain {DOMAIN}"
                    )
                else:
                    changes["activityTypeId"] = name
            elif key == "status":
                word = value.strip().upper()
                if word not in STATUSES:
                    problems[key] = f"status must be one of {', '.join(STATUSES)}"
                else:
                    changes[key] = word
            elif key == "scheduledDateTime":
                if not value.strip():
                    changes[key] = None
                else:
                    moment = parse_time(value)
                    if moment is None:
                        problems[key] = (
                            "scheduledDateTime must be an ISO 8601 date-time"
                        )
                    else:
                        changes[key] = moment
            elif key == "assignedToContactId":
                ids = [part.strip() for part in value.split(",") if part.strip()]
                unknown = [i for i in ids if i not in self.contacts]
                if unknown:
                    problems[key] = f"Unknown contact {unknown[0]}"
                else:
                    changes["assignedToContact"] = ids
            elif key == "responsibleContactId":
                if value and value not in self.contacts:
                    problems[key] = f"Unknown contact {value}"
                else:
                    changes[key] = value or None
            else:
                changes[key] = value
        return changes, problems

    def _create(self, changes: dict[str, Any]) -> dict[str, Any]:
        now = self._now()
        record: dict[str, Any] = {
            "_id": self._new_id(now),
            "status": "CREATED",
            "clientDomain": DOMAIN,
            "createdDate": now,
            "lastModifiedDate": now,
            "contacts": [],
            "attributes": {},
        }
        if changes.get("activityTypeId") == "TASK":
            record["assignedToContact"] = []
        self._apply(record, changes)
        self.activities[record["_id"]] = record
        return record

    def _apply(self, record: dict[str, Any], changes: dict[str, Any]) -> None:
        for key, value in changes.items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        record["lastModifiedDate"] = self._now()
