"""Tactile CRM emulator: opportunities, their timelines, options and tags.

Follows tactilecrm.com/api (opportunities) and the vendor's server code as
summarised in VENDORS.md:

* ``api_token`` in the query string of every request, POST included; a wrong token
  on an API route gives ``{"status":"error","messages":{"403":"Failed to login"}}``;
* any other route answers with the HTML login page (status 200, text/html);
* JSON errors come with HTTP 200 and ``"status": "error"``, with ``messages`` as a
  list or an object, or (the documented intro form) ``errors``;
* ``limit`` 1..100 (default 30); an out-of-range limit is *not* clamped: the
  default is used instead; ``page`` from 1; ``cur_page``/``num_pages``/``per_page``/
  ``total`` in every list answer; archived opportunities are not listed;
* ``created_/updated_ before/after`` accept what PHP's strtotime accepts (a useful
  subset here), Europe/London unless a zone is given;
* timestamps as PHP ``Y-m-d\\TH:i:sO`` (``+0100``) and, on some records, the
  documented ``+01:00`` form.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from crmclients.sandbox import _data
from crmclients.sandbox._app import Emulator

LONDON = ZoneInfo("Europe/London")
TOKEN = "tactile-sandbox-9f2c4e7a1b"
STATUSES = {
    "1": "New",
    "2": "Preliminaries",
    "3": "Discussion",
    "4": "Negotiation",
    "5": "Won",
    "6": "Lost",
}
TYPES = {"1": "Existing Business", "2": "New Business"}
SOURCES = {
    "3": "Google",
    "17": "Newsletters",
    "8": " Website",
    "5": "Word of Mouth",
    "7": "Yellow Pages",
}
TAGS = ("priority", "q3", "renewal", "event", "partner", "upsell")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(
    r"^([+-]?\d+)\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?(\s+ago)?$"
)

LOGIN_PAGE = """<!DOCTYPE html>
<html><head><title>Tactile CRM - Login</title></head>
<body><h1>Tactile CRM</h1>
<form action="/login" method="post">
<label>Username <input type="text" name="username"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Login</button>
</form></body></html>"""

_SAVE_FIELDS = {
    "id",
    "name",
    "description",
    "type_id",
    "person_id",
    "organisation_id",
    "assigned_to",
    "cost",
    "probability",
    "status_id",
    "source_id",
    "enddate",
    "date",
    "time",
    "later",
    "location",
    "end_date",
    "end_time",
}


def php_time(moment: datetime, colon: bool) -> str:
    """PHP ``Y-m-d\\TH:i:sO`` in Europe/London (``+0100``), or with ``+01:00``."""
    local = moment.astimezone(LONDON)
    text = local.strftime("%Y-%m-%dT%H:%M:%S%z")
    return f"{text[:-2]}:{text[-2:]}" if colon else text


def strtotime(text: str, now: datetime) -> datetime | None:
    """A useful subset of PHP's strtotime (Europe/London unless a zone is given)."""
    value = text.strip().lower()
    if value in ("now", ""):
        return now
    today = now.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    if value in ("today", "midnight"):
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if value == "tomorrow":
        return today + timedelta(days=1)
    match = _RELATIVE.match(value)
    if match:
        amount = int(match.group(1)) * (-1 if match.group(3) else 1)
        unit = match.group(2)
        seconds = {
            "sec": 1,
            "second": 1,
            "min": 60,
            "minute": 60,
            "hour": 3600,
            "day": 86400,
            "week": 604800,
            "fortnight": 1209600,
            "month": 2629746,
            "year": 31556952,
        }[unit]
        return now + timedelta(seconds=amount * seconds)
    if value.startswith("last ") and value[5:] in _DAYS:
        back = (today.weekday() - _DAYS.index(value[5:])) % 7 or 7
        return today - timedelta(days=back)
    try:
        parsed = datetime.fromisoformat(text.strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


class TactileEmulator(Emulator):
    """Tactile CRM over HTTP: /opportunities and its actions."""

    vendor = "tactile"

    @property
    def credentials(self) -> dict[str, str]:
        return {"api_token": TOKEN}

    def rules(self) -> list[Rule]:
        return [
            Rule("/opportunities", endpoint="list_opportunities", methods=["GET"]),
            Rule("/opportunities/view/<oid>", endpoint="view", methods=["GET"]),
            Rule("/opportunities/timeline", endpoint="timeline", methods=["GET"]),
            Rule("/opportunities/save", endpoint="save", methods=["POST"]),
            Rule("/opportunities/options", endpoint="options", methods=["GET"]),
            Rule("/opportunities/add_tag", endpoint="add_tag", methods=["GET", "POST"]),
        ]

    # -- data ----------------------------------------------------------------------------

    def seed_data(self) -> None:
        rng = self.rng
        self.organisations = {9870 + i: name for i, name in enumerate(_data.COMPANIES)}
        self.people = {87250 + i: _data.person(rng) for i in range(40)}
        self.opportunities: dict[int, dict[str, Any]] = {}
        self.timelines: dict[int, list[dict[str, Any]]] = {}
        self._next_note = 885
        archived = max(1, self.records // 20) if self.records else 0
        for index in range(self.records + archived):
            oid = 1001 + index
            record = self._make_opportunity(oid, rng, archived=index >= self.records)
            self.opportunities[oid] = record
            self.timelines[oid] = [
                self._note(record, rng) for _ in range(rng.randrange(0, 4))
            ]
            if rng.random() < 0.2:
                self.timelines[oid].append(self._email(record, rng))

    def _make_opportunity(
        self, oid: int, rng: Any, *, archived: bool = False
    ) -> dict[str, Any]:
        """A stored opportunity with seeded values."""
        created = _data.moment(rng)
        updated = created + timedelta(seconds=rng.randrange(90 * 86400))
        org_id = rng.choice([None, *self.organisations])
        person_id = rng.choice([None, *list(self.people)[:10]])
        status_id = rng.choice(list(STATUSES))
        type_id = rng.choice([None, *TYPES])
        source_id = rng.choice([None, *SOURCES])
        record = {
            "id": oid,
            "name": f"{rng.choice(_data.TOPICS)} {oid}",
            "description": _data.sentence(rng),
            "organisation": self.organisations.get(org_id) if org_id else None,
            "organisation_id": org_id,
            "person": self.people.get(person_id) if person_id else None,
            "person_id": person_id,
            "probability": rng.randrange(0, 101, 5),
            "cost": rng.choice(
                [rng.randrange(500, 250_000), round(rng.uniform(100, 9999), 2)]
            ),
            "archived": archived,
            "status": STATUSES[status_id],
            "status_id": int(status_id),
            "type": TYPES.get(type_id) if type_id else None,
            "type_id": int(type_id) if type_id else None,
            "source": SOURCES.get(source_id) if source_id else None,
            "source_id": int(source_id) if source_id else None,
            "owner": rng.choice(_data.USERNAMES),
            "assigned_to": rng.choice(_data.USERNAMES),
            "alteredby": rng.choice(_data.USERNAMES),
            "_created": created,
            "_updated": updated,
            "enddate": (created + timedelta(days=rng.randrange(10, 200)))
            .date()
            .isoformat(),
            "tags": sorted(rng.sample(TAGS, rng.randrange(0, 3))),
        }
        return record

    def _note(self, opp: dict[str, Any], rng: Any) -> dict[str, Any]:
        self._next_note += 1
        created = opp["_created"] + timedelta(hours=rng.randrange(1, 2000))
        return {
            "note": {
                "title": rng.choice(
                    ("Invoices Sent", "Call notes", "Meeting summary", "Pricing")
                ),
                "note": _data.sentence(rng),
                "opportunity": opp["name"],
                "organisation": opp["organisation"],
                "id": self._next_note,
                "opportunity_id": opp["id"],
                "organisation_id": opp["organisation_id"],
                "private": rng.random() < 0.1,
                "owner": rng.choice(_data.USERNAMES),
                "created": php_time(created, colon=True),
                "lastupdated": php_time(created, colon=True),
                "person_id": opp["person_id"],
                "person": opp["person"],
            }
        }

    def _email(self, opp: dict[str, Any], rng: Any) -> dict[str, Any]:
        self._next_note += 1
        created = opp["_created"] + timedelta(hours=rng.randrange(1, 2000))
        return {
            "email": {
                "id": self._next_note,
                "subject": f"Re: {opp['name']}",
                "body": _data.sentence(rng),
                "from": f"{rng.choice(_data.USERNAMES)}@example.com",
                "to": "client@example.com",
                "opportunity_id": opp["id"],
                "owner": rng.choice(_data.USERNAMES),
                "created": php_time(created, colon=False),
            }
        }

    def _public(self, record: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in record.items() if not k.startswith("_")}
        out["created"] = php_time(record["_created"], colon=record["id"] % 2 == 0)
        out["lastupdated"] = php_time(record["_updated"], colon=record["id"] % 2 == 0)
        return out

    # -- drift hooks ---------------------------------------------------------------------

    #: ``opportunities`` (listed in store order, archived ones left out) and
    #: ``notes`` (the timeline of the first listed opportunity).
    drift_collections = ("opportunities", "notes")

    def _listed(self) -> list[int]:
        return [oid for oid, r in self.opportunities.items() if not r["archived"]]

    def record_ids(self, collection: str | None = None) -> list[str]:
        """Ids as a full pull shows them: opportunities, or the first one's notes."""
        name = self._drift_target(collection, "start", deleting=False)
        with self.lock:
            if name == "opportunities":
                return [str(oid) for oid in self._listed()]
            timeline = self.timelines[self._listed()[0]]
            return [str(e["note"]["id"]) for e in timeline if "note" in e]

    def insert_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Add opportunities (new ids above the highest) or notes, at the start or end."""
        name = self._drift_target(collection, at, deleting=False)
        with self.lock:
            rng = self.drift_rng
            if name == "notes":
                oid = self._listed()[0]
                notes = [self._note(self.opportunities[oid], rng) for _ in range(n)]
                timeline = self.timelines[oid]
                timeline[:] = notes + timeline if at == "start" else timeline + notes
                return [str(e["note"]["id"]) for e in notes]
            first = max(self.opportunities, default=1000) + 1
            new = {
                oid: self._make_opportunity(oid, rng) for oid in range(first, first + n)
            }
            for oid in new:
                self.timelines[oid] = []
            self.opportunities.update(new)
            if at == "start":
                self._put_first(self.opportunities, new)
            return [str(oid) for oid in new]

    def delete_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Delete listed opportunities (with their timelines) or the first one's notes."""
        name = self._drift_target(collection, at, deleting=True)
        with self.lock:
            if name == "notes":
                timeline = self.timelines[self._listed()[0]]
                notes = [e for e in timeline if "note" in e]
                gone = {id(e) for e in self._pick(notes, n, at)}
                kept = [e for e in timeline if id(e) not in gone]
                deleted = [str(e["note"]["id"]) for e in notes if id(e) in gone]
                timeline[:] = kept
                return deleted
            victims = self._pick(self._listed(), n, at)
            for oid in victims:
                del self.opportunities[oid]
                del self.timelines[oid]
            return [str(oid) for oid in victims]

    # -- envelope ------------------------------------------------------------------------

    @staticmethod
    def error(messages: Any, key: str = "messages") -> Response:
        return Emulator.json({"status": "error", key: messages})

    def _authorised(self, request: Request) -> bool:
        return request.args.get("api_token") == TOKEN

    def not_found(self, request: Request) -> Response:
        return Response(LOGIN_PAGE, status=200, content_type="text/html")

    def _guard(self, request: Request) -> Response | None:
        if not self._authorised(request):
            return self.error({"403": "Failed to login"})
        return None

    # -- endpoints -----------------------------------------------------------------------

    def list_opportunities(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        args = request.args
        try:
            limit = int(args.get("limit", 30))
        except ValueError:
            limit = 30
        if not 1 <= limit <= 100:
            limit = 30  # not clamped: the server falls back to its default
        try:
            page = max(1, int(args.get("page", 1)))
        except ValueError:
            page = 1
        now = datetime.fromtimestamp(self.now(), UTC)
        bounds = {}
        for name in (
            "created_before",
            "created_after",
            "updated_before",
            "updated_after",
        ):
            if name in args:
                moment = strtotime(args[name], now)
                if moment is None:
                    return self.error([f"Invalid date given for {name}"])
                bounds[name] = moment
        rows = []
        for record in self.opportunities.values():
            if record["archived"]:
                continue
            created, updated = record["_created"], record["_updated"]
            if "created_before" in bounds and not created < bounds["created_before"]:
                continue
            if "created_after" in bounds and not created > bounds["created_after"]:
                continue
            if "updated_before" in bounds and not updated < bounds["updated_before"]:
                continue
            if "updated_after" in bounds and not updated > bounds["updated_after"]:
                continue
            rows.append(record)
        total = len(rows)
        num_pages = max(1, -(-total // limit))
        chunk = rows[(page - 1) * limit : page * limit]
        return self.json(
            {
                "status": "success",
                "opportunities": [self._public(r) for r in chunk],
                "cur_page": page,
                "num_pages": num_pages,
                "per_page": limit,
                "total": total,
            }
        )

    def view(self, request: Request, oid: str) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        record = self.opportunities.get(int(oid)) if oid.isdigit() else None
        if record is None:
            return self.error(["Invalid ID Specified"], key="errors")
        return self.json({"status": "success", "opportunity": self._public(record)})

    def timeline(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        oid = request.args.get("id", "")
        if not oid.isdigit() or int(oid) not in self.opportunities:
            return self.error({"404": "Not Found"})
        return self.json({"status": "success", "timeline": self.timelines[int(oid)]})

    def options(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        return self.json(
            {
                "status": "success",
                "opportunity_options": {
                    "assigned_to": {u: u for u in _data.USERNAMES},
                    "status": STATUSES,
                    "type": TYPES,
                    "source": SOURCES,
                },
            }
        )

    def add_tag(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        oid, tag = request.values.get("id", ""), request.values.get("tag", "").strip()
        if not oid.isdigit() or int(oid) not in self.opportunities:
            return self.error(["Invalid ID Specified"])
        if not tag:
            return self.error({"tag": "Tag is required"})
        tags = self.opportunities[int(oid)]["tags"]
        if tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
            self.opportunities[int(oid)]["_updated"] = datetime.fromtimestamp(
                self.now(), UTC
            )
        return self.json({"status": "success", "tag": tag})

    def save(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        if request.mimetype != "application/json":
            return self.error(["Content-Type must be application/json"])
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("Opportunity"), dict):
            return self.error(
                ['Expected a JSON object of the form {"Opportunity": {...}}']
            )
        data = body["Opportunity"]
        oid = data.get("id")
        existing = None
        if oid not in (None, ""):
            existing = self.opportunities.get(int(oid)) if str(oid).isdigit() else None
            if existing is None:
                return self.error(["Invalid ID Specified"])
        problems = self._validate(data, creating=existing is None)
        if problems:
            return self.error(problems)
        now = datetime.fromtimestamp(self.now(), UTC)
        if existing is None:
            oid = max(self.opportunities, default=1000) + 1
            existing = {
                "id": oid,
                "name": None,
                "description": None,
                "organisation": None,
                "organisation_id": None,
                "person": None,
                "person_id": None,
                "probability": None,
                "cost": None,
                "archived": False,
                "status": STATUSES["1"],
                "status_id": 1,
                "type": None,
                "type_id": None,
                "source": None,
                "source_id": None,
                "owner": "sandbox",
                "assigned_to": "sandbox",
                "alteredby": "sandbox",
                "_created": now,
                "_updated": now,
                "enddate": None,
                "tags": [],
            }
            self.opportunities[oid] = existing
            self.timelines[oid] = []
        for key, value in data.items():
            if key in ("id",) or key not in _SAVE_FIELDS:
                continue
            existing[key] = value
        if "organisation_id" in data:
            existing["organisation"] = self.organisations.get(data["organisation_id"])
        if "person_id" in data:
            existing["person"] = self.people.get(data["person_id"])
        for key, table in (("status", STATUSES), ("type", TYPES), ("source", SOURCES)):
            if f"{key}_id" in data:
                value = data[f"{key}_id"]
                existing[key] = table.get(str(value)) if value is not None else None
        existing["alteredby"] = "sandbox"
        existing["_updated"] = now
        return self.json({"status": "success", "id": existing["id"]})

    def _validate(self, data: dict[str, Any], *, creating: bool) -> dict[str, str]:
        problems: dict[str, str] = {}
        unknown = sorted(set(data) - _SAVE_FIELDS)
        for key in unknown:
            problems[key] = f"{key} is not a field of Opportunity"
        if creating and not str(data.get("name") or "").strip():
            problems["name"] = "Name is required"
        if creating and not data.get("enddate"):
            problems["enddate"] = "End date is required"
        for key in ("enddate", "date", "end_date"):
            if data.get(key) is not None:
                try:
                    date.fromisoformat(str(data[key]))
                except ValueError:
                    problems[key] = f"{key} must be formatted as YYYY-MM-DD"
        for key in ("time", "end_time"):
            if data.get(key) is not None and not re.fullmatch(
                r"\d{2}:\d{2}", str(data[key])
            ):
                problems[key] = f"{key} must be formatted as HH:MM"
        probability = data.get("probability")
        if probability is not None and (
            not isinstance(probability, int)
            or isinstance(probability, bool)
            or not 0 <= probability <= 100
            or probability % 5
        ):
            problems["probability"] = (
                "Probability must be a multiple of 5 between 0 and 100"
            )
        cost = data.get("cost")
        if cost is not None and (
            isinstance(cost, bool) or not isinstance(cost, int | float)
        ):
            problems["cost"] = "Cost must be a number"
        for key, table in (
            ("status_id", STATUSES),
            ("type_id", TYPES),
            ("source_id", SOURCES),
        ):
            if data.get(key) is not None and str(data[key]) not in table:
                problems[key] = f"Invalid {key}"
        if (
            data.get("organisation_id") is not None
            and data["organisation_id"] not in self.organisations
        ):
            problems["organisation_id"] = "Invalid organisation_id"
        if data.get("person_id") is not None and data["person_id"] not in self.people:
            problems["person_id"] = "Invalid person_id"
        if (
            data.get("assigned_to") is not None
            and data["assigned_to"] not in _data.USERNAMES
        ):
            problems["assigned_to"] = "Invalid username for assigned_to"
        return problems
