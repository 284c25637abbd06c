"""CRM.COM emulator: the legacy Web API's communications and communication queue.

Follows the CRM.COM V4 Web API pages (``communications/*``) and VENDORS.md:

* everything under ``/crmapi/rest/v2``; GET for reads, POST (JSON) for writes;
* logins: ``authentication/token`` (username, password, organisation, optional
  unit), ``authentication/web_api_key/token`` (R10+; HTTP Basic with the key as the
  username and an empty password); ``authentication/token/release``;
* the token in the query string (GET) or the JSON body (POST); from R12 a JWT that
  expires 2 hours after it was issued, before R12 a 32-hex token that expires after
  1 hour without use (Web API key tokens: 2 hours); expiry runs on :meth:`now`,
  which tests move with :meth:`advance`;
* every answer is ``{"status": {"code", "description", "message"}, "data": ...}``
  with HTTP 200; errors have a ``COM.CRM.EXCEPTION.*`` code (unknown routes and
  methods newer than the release: HTTP 404 with the same envelope);
* identifiers as ``x_identifier=field=value`` on GET and ``{"field": "value"}`` on
  POST, exactly one field each;
* communications: only DRAFT ones can be updated or completed, only COMPLETED ones
  set as viewed (R12.2+); creating or completing one with an external system puts
  it in the queue as PENDING;
* queue: PENDING -> COMPLETED (process) or REJECTED (reject, with error_code and
  error_description); COMPLETED_AND_REMOVED (remove, R11+) only from PENDING or
  COMPLETED;
* release gates: number_of_results/offset from R13 (ignored before, as an older
  server would), COMPLETED_AND_REMOVED from R10.1, get_pending_completed from R10.1
  (``number`` before R13, ``number_of_results`` + ``offset`` from R13);
* dates: ``YYYY-MM-DDTHH:MM:SS`` and Java's ``Mon May 22 12:42:03 EEST 2017``
  (``viewed_on``, unrestricted dates), in ``server_timezone`` (default UTC).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from crmclients.sandbox import _data
from crmclients.sandbox._app import Emulator

PREFIX = "/crmapi/rest/v2"
USERNAME = "sandbox-api"
PASSWORD = "crmcom-sandbox-pass-4d91"
ORGANISATION = "sandbox_org"
WEB_API_KEY = "5A1D0C7E9B3F4A26B8E1D2C3F4A5B6C7"
ADMIN_UNIT = "48305F8849E3C18B227C5BE3A27BA6DF"
_SIGNING_KEY = b"crmcom-sandbox-jwt-signing-key"

MEDIA = ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
DIRECTIONS = ("INCOMING", "OUTGOING")
QUEUE_STATES = ("PENDING", "REJECTED", "COMPLETED", "COMPLETED_AND_REMOVED")
UDF_KINDS = {
    **{f"udf_string_{n}": "string" for n in range(1, 9)},
    **{f"udf_float_{n}": "float" for n in range(1, 5)},
    **{f"udf_date_{n}": "date" for n in range(1, 5)},
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_JAVA = re.compile(
    r"^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([A-Z]{1,5}) (\d{4})$"
)
_ZONES = {"UTC": 0, "GMT": 0, "EET": 2, "EEST": 3, "CET": 1, "CEST": 2, "BST": 1}
_PLACEHOLDER = re.compile(r"#([a-z_]+)\.([a-z_0-9]+)")

EX = "COM.CRM.EXCEPTION"
INVALID_TOKEN = f"{EX}.AUTHENTICATION.INVALIDTOKENEXCEPTION"
TOKEN_EXPIRED = f"{EX}.AUTHENTICATION.TOKENEXPIREDEXCEPTION"
INVALID_CREDENTIALS = f"{EX}.AUTHENTICATION.INVALIDCREDENTIALSEXCEPTION"
INVALID_KEY = f"{EX}.AUTHENTICATION.INVALIDWEBAPIKEYEXCEPTION"
INVALID_UNIT = f"{EX}.AUTHENTICATION.INVALIDUNITEXCEPTION"
MANDATORY = f"{EX}.WEBAPI.MANDATORYPARAMETERMISSINGEXCEPTION"
ONLY_ONE = f"{EX}.WEBAPI.ONLYONEOFTHESEMIOPTIONALPARAMETERSISALLOWEDEXCEPTION"
AT_LEAST_ONE = (
    f"{EX}.WEBAPI.ATLEASTONEOFTHESEMIOPTIONALPARAMETERSMUSTBESPECIFIEDEXCEPTION"
)
INVALID_VALUE = f"{EX}.WEBAPI.INVALIDPARAMETERVALUEEXCEPTION"
INVALID_IDENTIFIER = f"{EX}.WEBAPI.INVALIDIDENTIFIEREXCEPTION"
INVALID_REQUEST = f"{EX}.WEBAPI.INVALIDREQUESTEXCEPTION"
NOT_AVAILABLE = f"{EX}.WEBAPI.METHODNOTAVAILABLEEXCEPTION"
ONLY_DRAFT_UPDATE = f"{EX}.COMMUNICATIONS.ONLYDRAFTCOMMUNICATIONSCANBEUPDATEDEXCEPTION"
ONLY_DRAFT_COMPLETE = (
    f"{EX}.COMMUNICATIONS.ONLYDRAFTCOMMUNICATIONSCANBECOMPLETEDEXCEPTION"
)
ONLY_COMPLETED_VIEWED = (
    f"{EX}.COMMUNICATIONS.ONLYCOMPLETEDCOMMUNICATIONSCANBESETASVIEWEDEXCEPTION"
)
QUEUE_STATE = f"{EX}.COMMUNICATIONS.INVALIDCOMMUNICATIONQUEUELIFECYCLESTATEEXCEPTION"

#: entity -> (exception module, fields that identify it)
_ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "communication": ("COMMUNICATIONS", ("id", "number")),
    "communication_queue": ("COMMUNICATIONS", ("id", "number")),
    "contact_information": ("CONTACTINFORMATION", ("id", "number", "name")),
    "category": ("COMMUNICATIONS", ("id", "name", "code")),
    "template": ("COMMUNICATIONS", ("id", "name", "code")),
    "communication_queue_external_system": (
        "COMMUNICATIONS",
        ("id", "name", "alternative_code"),
    ),
    "owned_by_group": ("GROUPS", ("id", "name", "alternative_code")),
    "privacy_level": ("PRIVACYLEVELS", ("id", "name", "number")),
}
_DOC_CONTACTS = (
    ("460BB0DB7A4EB61D9D6E3DFEE8566C08", "Kathy", "S.", "Clark", "Mrs", "FEMALE"),
    ("2A3FD24CF1586E31D9DC7CAF43C38A96", "Elena", "A", "Michael", "Mrs", "FEMALE"),
    (
        "31260911295E70BB660EBEB0C4F941AC",
        "Kyriacos",
        "Iatrou",
        "Xenofontos",
        "Mr",
        "MALE",
    ),
    ("82E762747ABB3A87D5EB6DE58CC71F1E", "Paulos", None, "Paulou", None, None),
    ("531C8308457947EFAFA91776AA4F4B4E", "Darko", "m", "Mika", "Mr", "MALE"),
    ("3358197AD0334CE2834DB60933B2CE88", "Mara", "333", "Anton", "Mrs", "FEMALE"),
)


class Failure(Exception):
    """An error answer: a CRM.COM exception code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _release(value: str) -> tuple[int, int, int]:
    match = re.match(r"^[Rr]?(\d+)(?:\.(\d+))?(?:\.(\d+))?$", value.strip())
    if match is None:
        raise ValueError(f"not a CRM.COM release: {value!r}")
    major, minor, patch = (int(p) if p else 0 for p in match.groups())
    return (major, minor, patch)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class CrmcomEmulator(Emulator):
    """CRM.COM Web API over HTTP: logins, communications and the communication queue.

    Args:
        records: Communications to seed.
        seed: Seed for the deterministic data.
        latency: Seconds added to every answer.
        release: The release to emulate (``"R13"``, ``"R12.2"``, ``"R10.1"``...).
        contacts: How many contacts the communications are spread over (the
            first ones are the contacts of the vendor's examples).
        server_timezone: The server's zone for dates without an offset.
        token_lifetime: Absolute token lifetime in seconds (R12+, Web API keys).
        idle_timeout: Idle token lifetime in seconds (password logins before R12).
    """

    vendor = "crmcom"
    prefix = PREFIX

    def __init__(
        self,
        *,
        records: int = 100,
        seed: int = 0,
        latency: float = 0.0,
        release: str = "R13",
        contacts: int = 12,
        server_timezone: str = "UTC",
        token_lifetime: float = 7200.0,
        idle_timeout: float = 3600.0,
    ) -> None:
        self.release = _release(release)
        self.release_label = release
        self.contact_count = max(1, contacts)
        self.zone = ZoneInfo(server_timezone)
        self.token_lifetime = token_lifetime
        self.idle_timeout = idle_timeout
        self.tokens: dict[str, dict[str, Any]] = {}
        self.logins: list[str] = []
        self.released: list[str] = []
        self.web_api_key = WEB_API_KEY
        super().__init__(records=records, seed=seed, latency=latency)

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "username": USERNAME,
            "password": PASSWORD,
            "organisation": ORGANISATION,
        }

    def rules(self) -> Iterable[Rule]:
        routes = {
            "authentication/token": ("POST", self.login),
            "authentication/web_api_key/token": ("POST", self.login_with_key),
            "authentication/token/release": ("POST", self.release_token),
            "communications/show": ("GET", self.show),
            "communications/list": ("GET", self.list_communications),
            "communications/create": ("POST", self.create),
            "communications/update": ("POST", self.update),
            "communications/complete": ("POST", self.complete),
            "communications/set_as_viewed": ("POST", self.set_as_viewed),
            "communications/queue/show": ("GET", self.queue_show),
            "communications/queue/list": ("GET", self.queue_list),
            "communications/queue/get_latest": ("GET", self.queue_latest),
            "communications/queue/process": ("POST", self.queue_process),
            "communications/queue/reject": ("POST", self.queue_reject),
            "communications/queue/remove": ("POST", self.queue_remove),
            "communications/queue/get_pending_completed": (
                "GET",
                self.queue_pending_completed,
            ),
        }
        self.handlers: dict[str, Callable[[Request, dict[str, Any]], Any]] = {}
        for path, (method, handler) in routes.items():
            self.handlers[path] = handler
            yield Rule(
                f"{PREFIX}/{path}",
                endpoint="handle",
                defaults={"action": path},
                methods=[method],
            )

    # -- data ----------------------------------------------------------------------------

    def seed_data(self) -> None:
        rng = self.rng
        self._counter = 0
        self.units = {ADMIN_UNIT: {"id": ADMIN_UNIT, "name": "Admin Unit"}}
        self.contacts: dict[str, dict[str, Any]] = {}
        for index in range(self.contact_count):
            if index < len(_DOC_CONTACTS):
                cid, first, middle, last, title, gender = _DOC_CONTACTS[index]
            else:
                cid = self._new_id()
                first, last = (
                    rng.choice(_data.FIRST_NAMES),
                    rng.choice(_data.LAST_NAMES),
                )
                middle, title = None, rng.choice(("Mr", "Mrs", "Ms", None))
                gender = rng.choice(("MALE", "FEMALE", None))
            self.contacts[cid] = {
                "id": cid,
                "number": f"CI{index + 1:06d}",
                "name": f"{last} {first}",
                "first_name": first,
                "middle_name": middle,
                "last_name": last,
                "title": title,
                "type": "PERSON",
                "life_cycle_state": "FINANCIAL",
                "company_name": None,
                "company_profile": None,
                "demographics": {
                    "gender": gender,
                    "passport_issued_by_country": None,
                    "social_security_number": None,
                    "passport_number": None,
                    "industry_sector": None,
                    "country_of_residence": {
                        "three_character_code": "CYP",
                        "two_character_code": "CY",
                        "id": "181",
                        "name": "CYPRUS",
                        "alternative_code": None,
                    },
                    "name_day": {"month": None, "day": None},
                    "date_of_birth": {
                        "month": rng.randrange(1, 13),
                        "day": rng.randrange(1, 29),
                        "year": rng.randrange(1950, 2000),
                    },
                    "id_number": str(rng.randrange(100000, 999999)),
                    "industry": None,
                    "id_issued_by_country": None,
                },
            }
        self.categories = self._table(
            ("E7A5682FD665927F9C04723E9E79C42D", "Customer Care Information", "cci"),
            ("85ED9457795B97D0AD826E1D8EBBB8AF", "000", "000"),
            ("9B1D3E5F7A2C4E6081A3C5E7F9B1D3E5", "Billing", "BIL"),
            keys=("id", "name", "code"),
            extra={"description": None},
        )
        self.templates = self._table(
            ("4F1E2D3C4B5A69788796A5B4C3D2E1F0", "Subscription Information", "SUBINFO"),
            keys=("id", "name", "code"),
            extra={
                "media": "EMAIL",
                "direction": "OUTGOING",
                "subject": " Information for subscription #subscription.number",
                "content": "Dear #contact_information.first_name, this is about "
                "your subscription #subscription.number.",
            },
        )
        self.external_systems = self._table(
            ("CD7D178AA593D7FF4A4D1BB2A8B576E2", "CONAX Mail message", "CW5 MAIL"),
            ("86F416641DB5E549D230C010302E9666", "New Test", "NT"),
            ("DC30CF64A5F4426A84F1E9E76281443A", "EXT 1", "E1"),
            ("234CC2ED054D47BF6C70088A777513C2", "External SMS System", "ESMSS"),
            keys=("id", "name", "alternative_code"),
        )
        self.groups = self._table(
            ("84F33366CB592BAAE7E2044D93611C6A", "Main Group", "MG1"),
            keys=("id", "name", "alternative_code"),
            extra={"description": "Main Group", "community_name": "Internal Community"},
        )
        self.privacy_levels = self._table(
            ("0C1B2A3948576655443322110FEDCBA9", "Public", "1"),
            ("A9B8C7D6E5F40312213243546576879A", "Restricted", "8"),
            keys=("id", "name", "number"),
        )
        self.communications: dict[str, dict[str, Any]] = {}
        self.queue: dict[str, dict[str, Any]] = {}
        contacts = list(self.contacts.values())
        systems = list(self.external_systems.values())
        for index in range(self.records):
            created = _data.moment(rng)
            media = rng.choice(MEDIA)
            contact = contacts[index % len(contacts)]
            state = "DRAFT" if rng.random() < 0.2 else "COMPLETED"
            record = self._new_communication(
                contact=contact,
                media=media,
                direction=rng.choice(DIRECTIONS),
                subject=f"{rng.choice(_data.TOPICS)} {index + 1}",
                content=_data.sentence(rng),
                to=self._address(contact, media),
                state=state,
                created=created,
            )
            record["_updated"] = created + timedelta(seconds=rng.randrange(86400 * 30))
            record["category"] = rng.choice([None, *self.categories.values()])
            record["owned_by_group"] = next(iter(self.groups.values()))
            if state == "COMPLETED" and rng.random() < 0.3:
                record["viewed"] = True
                record["_viewed_on"] = record["_updated"] + timedelta(hours=3)
            if state == "COMPLETED" and rng.random() < 0.45:
                record["communication_queue_external_system"] = rng.choice(systems)
                entry = self._enqueue(record, created + timedelta(minutes=5))
                entry["life_cycle_state"] = self._seed_queue_state(rng)
                if entry["life_cycle_state"] == "REJECTED":
                    entry["error_code"] = "01"
                    entry["error_description"] = (
                        "Communication definition is not configured."
                    )

    # -- drift hooks ---------------------------------------------------------------------

    #: The first contact's communications (the vendor's example contact, Kathy
    #: Clark), in store order, as ``communications/list`` pages them.
    drift_collections = ("communications",)

    def _listed(self) -> list[str]:
        contact = next(iter(self.contacts))
        return [
            key
            for key, r in self.communications.items()
            if r["contact_information"]["id"] == contact
        ]

    def record_ids(self, collection: str | None = None) -> list[str]:
        """The first contact's communication ids, in list order."""
        self._drift_target(collection, "start", deleting=False)
        with self.lock:
            return self._listed()

    def insert_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Add communications of the first contact, first or last in list order."""
        self._drift_target(collection, at, deleting=False)
        with self.lock:
            rng = self.drift_rng
            contact = next(iter(self.contacts.values()))
            new = [
                self._new_communication(
                    contact=contact,
                    media="EMAIL",
                    direction=rng.choice(DIRECTIONS),
                    subject=f"Inserted {self._counter + 1}",
                    content=_data.sentence(rng),
                    to=self._address(contact, "EMAIL"),
                    state="COMPLETED",
                    created=self._now(),
                )["id"]
                for _ in range(n)
            ]
            if at == "start":
                self._put_first(self.communications, new)
            return new

    def delete_records(
        self, n: int, *, collection: str | None = None, at: str = "start"
    ) -> list[str]:
        """Delete communications of the first contact (and their queue entries)."""
        self._drift_target(collection, at, deleting=True)
        with self.lock:
            victims = self._pick(self._listed(), n, at)
            gone = set(victims)
            for key in victims:
                del self.communications[key]
            for key in [
                k for k, e in self.queue.items() if e["communication"]["id"] in gone
            ]:
                del self.queue[key]
            return victims

    def _seed_queue_state(self, rng: Any) -> str:
        states = ["PENDING", "PENDING", "COMPLETED", "REJECTED"]
        if self.release >= (10, 1, 0):
            states.append("COMPLETED_AND_REMOVED")
        return str(rng.choice(states))

    def _table(
        self,
        *rows: tuple[str, ...],
        keys: tuple[str, ...],
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, dict[str, Any]]:
        return {
            row[0]: {**dict(zip(keys, row, strict=True)), **(extra or {})}
            for row in rows
        }

    def _new_id(self) -> str:
        return f"{self.rng.getrandbits(128):032X}"

    def _address(self, contact: Mapping[str, Any], media: str) -> str | None:
        if media == "EMAIL":
            return f"{contact['first_name'].lower()}.{contact['last_name'].lower()}@example.com"
        if media == "SMS":
            return f"+3579{self.rng.randrange(1000000, 9999999)}"
        return None

    def _new_communication(
        self,
        *,
        contact: dict[str, Any],
        media: str | None,
        direction: str | None,
        subject: str | None,
        content: str | None,
        to: str | None,
        state: str,
        created: datetime,
    ) -> dict[str, Any]:
        self._counter += 1
        record: dict[str, Any] = {
            "id": self._new_id(),
            "number": f"CM{self._counter:06d}",
            "code": str(self._counter),
            "contact_information": contact,
            "media": media,
            "direction": direction,
            "subject": subject,
            "content": content,
            "to": to,
            "from": "info@crm.example.com",
            "notes": None,
            "life_cycle_state": state,
            "category": None,
            "owned_by_group": None,
            "privacy_level": None,
            "communication_queue_external_system": None,
            "template": None,
            "referring_to": {},
            "unrestricted": [],
            "viewed": False,
            "_viewed_on": None,
            "_created": created,
            "_updated": created,
            **dict.fromkeys(UDF_KINDS),
        }
        self.communications[record["id"]] = record
        return record

    def _enqueue(self, record: dict[str, Any], when: datetime) -> dict[str, Any]:
        entry = {
            "id": self._new_id(),
            "number": str(len(self.queue) + 1),
            "life_cycle_state": "PENDING",
            "error_code": None,
            "error_description": None,
            "communication": record,
            "communication_queue_external_system": record[
                "communication_queue_external_system"
            ],
            "_created": when,
            "_updated": when,
        }
        self.queue[entry["id"]] = entry
        return entry

    # -- formats -------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC).replace(microsecond=0)

    def iso(self, moment: datetime | None) -> str | None:
        """``YYYY-MM-DDTHH:MM:SS`` in the server's zone."""
        if moment is None:
            return None
        return moment.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M:%S")

    def java(self, moment: datetime | None) -> str | None:
        """Java's ``Date.toString()``: ``Mon May 22 12:42:03 EEST 2017``."""
        if moment is None:
            return None
        local = moment.astimezone(self.zone)
        return (
            f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
            f"{local.strftime('%H:%M:%S')} {local.tzname()} {local.year}"
        )

    def parse_date(self, value: Any) -> datetime | None:
        """A date sent by a client (ISO, server zone when naive, or Java form)."""
        if not isinstance(value, str):
            return None
        text = value.strip()
        match = _JAVA.match(text)
        if match:
            month, day, hour, minute, second, zone, year = match.groups()
            if zone not in _ZONES or month not in _MONTHS:
                return None
            local = datetime(
                int(year),
                _MONTHS.index(month) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=UTC,
            )
            return local - timedelta(hours=_ZONES[zone])
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.zone)
        return parsed.astimezone(UTC)

    def _log(self, record: Mapping[str, Any]) -> dict[str, Any]:
        unit = {
            "community_name": "Internal Community",
            "id": ADMIN_UNIT,
            "name": "Admin Unit",
            "group_name": "Main Group",
            "description": "r1",
            "alternative_code": "MG",
        }
        user = {
            "person_name": "Sandbox API",
            "username": USERNAME,
            "id": "1",
            "email": None,
        }
        return {
            "updated_date": self.iso(record["_updated"]),
            "created_date": self.iso(record["_created"]),
            "created_by_unit": unit,
            "updated_by_unit": unit,
            "created_by_user": user,
            "updated_by_user": user,
        }

    def _render(self, text: str | None, record: Mapping[str, Any]) -> str | None:
        if text is None:
            return None
        params = {p["key"]: p for p in record["unrestricted"]}

        def replace(match: re.Match[str]) -> str:
            entity, field = match.groups()
            key = f"{entity}.{field}"
            if key in params:
                param = params[key]
                value = param[f"{param['type'].lower()}_value"]
                if param["type"] == "DATE":
                    return self.java(value) or ""
                if isinstance(value, float) and value.is_integer():
                    return str(int(value))
                return str(value)
            if entity == "contact_information":
                value = record["contact_information"].get(field)
                return str(value) if value is not None else match.group(0)
            target = record["referring_to"].get(entity)
            if isinstance(target, Mapping) and target.get(field) is not None:
                return str(target[field])
            return match.group(0)

        return _PLACEHOLDER.sub(replace, text)

    def _params_out(self, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        out = []
        for param in record["unrestricted"]:
            item = {
                "integer_value": None,
                "date_value": None,
                "string_value": None,
                "float_value": None,
                "type": param["type"],
                "id": param["id"],
                "name": param["name"],
                "key": param["key"],
            }
            value = param[f"{param['type'].lower()}_value"]
            item[f"{param['type'].lower()}_value"] = (
                self.java(value) if param["type"] == "DATE" else value
            )
            out.append(item)
        return out

    def communication_out(
        self, record: Mapping[str, Any], fields: set[str] | None = None
    ) -> dict[str, Any]:
        """A communication as the API returns it (every documented field)."""
        out: dict[str, Any] = {
            "notes": record["notes"],
            "number": record["number"],
            "follow_up_set": [],
            "communication_queue_external_system": record[
                "communication_queue_external_system"
            ],
            "privacy_level": record["privacy_level"],
            "contact_information": record["contact_information"],
            "id": record["id"],
            "media": record["media"],
            "referring_to": {
                key: record["referring_to"].get(key)
                for key in (
                    "payment_gateway_card",
                    "service_request",
                    "payment",
                    "bill",
                    "notification",
                    "activity",
                    "accounts_receivable",
                    "communication",
                    "lead",
                    "subscription",
                    "job",
                )
            }
            | dict(record["referring_to"]),
            "from": record["from"],
            "subject": self._render(record["subject"], record),
            "code": record["code"],
            "log_information": self._log(record),
            "owned_by_group": record["owned_by_group"],
            "life_cycle_state": record["life_cycle_state"],
            "content": self._render(record["content"], record),
            "to": record["to"],
            "category": record["category"],
            "direction": record["direction"],
        }
        for name, kind in UDF_KINDS.items():
            value = record[name]
            out[name] = self.iso(value) if kind == "date" else value
        if record["unrestricted"]:
            out["unrestricted_parameter_set"] = self._params_out(record)
        if self.release >= (12, 2, 0):
            out["viewed"] = 1 if record["viewed"] else 0
            out["viewed_on"] = self.java(record["_viewed_on"])
        return _only(out, fields)

    def summary_out(
        self, record: Mapping[str, Any], fields: set[str] | None = None
    ) -> dict[str, Any]:
        """The short form of a communication (complete, set_as_viewed, queue)."""
        out = {
            "life_cycle_state": record["life_cycle_state"],
            "number": record["number"],
            "id": record["id"],
            "subject": self._render(record["subject"], record),
            "contact_information": record["contact_information"],
        }
        if self.release >= (12, 2, 0):
            out["viewed"] = 1 if record["viewed"] else 0
            out["viewed_on"] = self.java(record["_viewed_on"])
        return _only(out, fields)

    def queue_out(
        self, entry: Mapping[str, Any], fields: set[str] | None = None
    ) -> dict[str, Any]:
        """A queue entry as the API returns it."""
        out = {
            "log_information": self._log(entry),
            "error_code": entry["error_code"],
            "error_description": entry["error_description"],
            "life_cycle_state": entry["life_cycle_state"],
            "communication": self.summary_out(entry["communication"]),
            "number": entry["number"],
            "id": entry["id"],
            "communication_queue_external_system": entry[
                "communication_queue_external_system"
            ],
        }
        return _only(out, fields)

    # -- envelope and auth ---------------------------------------------------------------

    @staticmethod
    def ok(data: Any) -> Response:
        """A successful answer."""
        return Emulator.json(
            {"status": {"message": "", "description": "", "code": "OK"}, "data": data}
        )

    @staticmethod
    def failure(code: str, message: str, status: int = 200) -> Response:
        """An error answer (HTTP 200 unless said otherwise)."""
        return Emulator.json(
            {
                "status": {"message": message, "description": message, "code": code},
                "data": None,
            },
            status=status,
        )

    def not_found(self, request: Request) -> Response:
        return self.failure(
            f"{EX}.WEBAPI.METHODNOTFOUNDEXCEPTION",
            f"There is no Web API method {request.method} {request.path}",
            status=404,
        )

    def handle(self, request: Request, action: str) -> Response:
        """Parse, authenticate, run one method and wrap its result in the envelope."""
        try:
            if request.method == "POST":
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    raise Failure(
                        INVALID_REQUEST, "The request body must be a JSON object"
                    )
            else:
                body = {}
            if not action.startswith("authentication/"):
                self._check_token(request, body)
            return self.ok(self.handlers[action](request, body))
        except Failure as failure:
            return self.failure(failure.code, failure.message, failure.status)

    def _check_token(self, request: Request, body: Mapping[str, Any]) -> None:
        token = (
            request.args.get("token") if request.method == "GET" else body.get("token")
        )
        if not isinstance(token, str) or token not in self.tokens:
            raise Failure(INVALID_TOKEN, "The token is invalid")
        session = self.tokens[token]
        now = self.now()
        if session["absolute"]:
            expired = now >= session["issued"] + self.token_lifetime
        else:
            expired = now - session["last_used"] >= self.idle_timeout
        if expired:
            del self.tokens[token]
            raise Failure(TOKEN_EXPIRED, "The token has expired")
        session["last_used"] = now

    def _issue(self, kind: str, unit: Any) -> dict[str, str]:
        if unit is not None and unit not in self.units:
            raise Failure(INVALID_UNIT, "The unit is not valid for this user")
        now = self.now()
        absolute = kind == "web_api_key" or self.release >= (12, 0, 0)
        if self.release >= (12, 0, 0):
            claims = {
                "usr": USERNAME,
                "org": ORGANISATION,
                "oun": unit or "1",
                "exp": str(int(now + self.token_lifetime)),
                "iat": str(int(now)),
                "jti": self._new_id(),
            }
            head = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
            payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
            signature = hmac.new(
                _SIGNING_KEY, f"{head}.{payload}".encode(), hashlib.sha256
            ).digest()
            token = f"{head}.{payload}.{_b64url(signature)}"
        else:
            token = self._new_id()
        self.issued_tokens.append(token)
        self.tokens[token] = {
            "issued": now,
            "last_used": now,
            "absolute": absolute,
            "kind": kind,
        }
        self.logins.append(kind)
        return {"token": token}

    # -- authentication ------------------------------------------------------------------

    def login(self, request: Request, body: dict[str, Any]) -> Any:
        """POST authentication/token."""
        for name in ("username", "password", "organisation"):
            if not body.get(name):
                raise Failure(MANDATORY, f"The parameter {name} is mandatory")
        if (body["username"], body["password"], body["organisation"]) != (
            USERNAME,
            PASSWORD,
            ORGANISATION,
        ):
            raise Failure(
                INVALID_CREDENTIALS, "The username, password or organisation is invalid"
            )
        return self._issue("password", body.get("unit"))

    def login_with_key(self, request: Request, body: dict[str, Any]) -> Any:
        """POST authentication/web_api_key/token (R10+): Basic auth with the key."""
        self._since((10, 0, 0), "authentication/web_api_key/token")
        header = request.headers.get("Authorization", "")
        key = None
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            user, sep, secret = decoded.partition(":")
            if sep and not secret:
                key = user
        if key != WEB_API_KEY:
            raise Failure(INVALID_KEY, "The Web API key is invalid")
        return self._issue("web_api_key", body.get("unit"))

    def release_token(self, request: Request, body: dict[str, Any]) -> Any:
        """POST authentication/token/release."""
        token = body.get("token")
        if not isinstance(token, str) or token not in self.tokens:
            raise Failure(INVALID_TOKEN, "The token is invalid")
        del self.tokens[token]
        self.released.append(token)
        return {}

    # -- helpers -------------------------------------------------------------------------

    def _since(self, release: tuple[int, int, int], what: str) -> None:
        if self.release < release:
            label = "R" + ".".join(str(p) for p in release)
            raise Failure(
                NOT_AVAILABLE, f"{what} is available from CRM.COM {label}", status=404
            )

    def _find(self, entity: str, field: str, value: Any) -> dict[str, Any]:
        module, fields = _ENTITIES[entity]
        if field not in fields:
            raise Failure(
                INVALID_IDENTIFIER,
                f"{field} is not an identifier field of {entity} ({', '.join(fields)})",
            )
        table = {
            "communication": self.communications,
            "communication_queue": self.queue,
            "contact_information": self.contacts,
            "category": self.categories,
            "template": self.templates,
            "communication_queue_external_system": self.external_systems,
            "owned_by_group": self.groups,
            "privacy_level": self.privacy_levels,
        }[entity]
        for row in table.values():
            if str(row.get(field)) == str(value):
                return row
        name = entity.replace("_", "").upper()
        raise Failure(
            f"{EX}.{module}.{name}NOTFOUNDEXCEPTION",
            f"The {entity.replace('_', ' ')} with {field} {value} was not found",
        )

    def _get_identifier(
        self, request: Request, name: str, entity: str, *, required: bool
    ) -> dict[str, Any] | None:
        raw = request.args.get(name)
        if raw is None:
            if required:
                raise Failure(MANDATORY, f"The parameter {name} is mandatory")
            return None
        field, sep, value = raw.partition("=")
        if not sep or not field or not value:
            raise Failure(
                INVALID_IDENTIFIER, f"{name} must be given as {name}=field=value"
            )
        return self._find(entity, field, value)

    def _post_identifier(
        self, body: Mapping[str, Any], name: str, entity: str, *, required: bool
    ) -> dict[str, Any] | None:
        raw = body.get(name)
        if raw is None:
            if required:
                raise Failure(MANDATORY, f"The parameter {name} is mandatory")
            return None
        if not isinstance(raw, dict) or not raw:
            raise Failure(
                INVALID_IDENTIFIER, f'{name} must be an object such as {{"id": ...}}'
            )
        if len(raw) != 1:
            raise Failure(
                ONLY_ONE, f"Only one of the semi-optional fields of {name} is allowed"
            )
        [(field, value)] = raw.items()
        return self._find(entity, field, value)

    @staticmethod
    def _fields(value: Any) -> set[str] | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise Failure(INVALID_VALUE, "fields_set must be a comma separated list")
        return {part.strip() for part in value.split(",") if part.strip()}

    @staticmethod
    def _choice(value: Any, choices: Iterable[str], name: str) -> str | None:
        if value is None:
            return None
        if value not in choices:
            raise Failure(INVALID_VALUE, f"{name} must be one of {', '.join(choices)}")
        return str(value)

    @staticmethod
    def _int(value: Any, name: str, minimum: int) -> int | None:
        if value is None:
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise Failure(INVALID_VALUE, f"{name} must be a number") from None
        if number < minimum:
            raise Failure(INVALID_VALUE, f"{name} must be at least {minimum}")
        return number

    def _page(self, request: Request, rows: list[Any]) -> list[Any]:
        if self.release < (13, 0, 0):
            return rows  # older servers know no paging parameters
        offset = self._int(request.args.get("offset"), "offset", 0) or 0
        size = self._int(request.args.get("number_of_results"), "number_of_results", 1)
        return rows[offset : offset + size if size is not None else None]

    # -- communications ------------------------------------------------------------------

    def show(self, request: Request, body: dict[str, Any]) -> Any:
        """GET communications/show."""
        record = self._get_identifier(
            request, "communication_identifier", "communication", required=True
        )
        assert record is not None
        return self.communication_out(
            record, self._fields(request.args.get("fields_set"))
        )

    def list_communications(self, request: Request, body: dict[str, Any]) -> Any:
        """GET communications/list."""
        contact = self._get_identifier(
            request,
            "contact_information_identifier",
            "contact_information",
            required=False,
        )
        category = self._get_identifier(
            request, "category_identifier", "category", required=False
        )
        if contact is None and category is None:
            raise Failure(
                AT_LEAST_ONE,
                "At least one of contact_information_identifier and category_identifier "
                "must be specified",
            )
        direction = self._choice(request.args.get("direction"), DIRECTIONS, "direction")
        media = self._choice(request.args.get("media"), MEDIA, "media")
        rows = [
            r
            for r in self.communications.values()
            if (contact is None or r["contact_information"]["id"] == contact["id"])
            and (category is None or (r["category"] or {}).get("id") == category["id"])
            and (direction is None or r["direction"] == direction)
            and (media is None or r["media"] == media)
        ]
        fields = self._fields(request.args.get("fields_set"))
        return [self.communication_out(r, fields) for r in self._page(request, rows)]

    def _apply_fields(
        self, record: dict[str, Any], body: Mapping[str, Any], *, creating: bool
    ) -> None:
        """Validate and apply create/update fields to ``record``."""
        template = self._post_identifier(
            body, "template_identifier", "template", required=False
        )
        if template is not None:
            record["template"] = template
            for key in ("media", "direction", "subject", "content"):
                if key not in body:
                    record[key] = template[key]
        for key, entity in (
            ("category_identifier", "category"),
            ("owned_by_group_identifier", "owned_by_group"),
            ("privacy_level_identifier", "privacy_level"),
            (
                "communication_queue_external_system_identifier",
                "communication_queue_external_system",
            ),
        ):
            if key in body:
                record[entity] = self._post_identifier(
                    body, key, entity, required=False
                )
        if "direction" in body:
            record["direction"] = self._choice(
                body["direction"], DIRECTIONS, "direction"
            )
        if "media" in body:
            record["media"] = self._choice(body["media"], MEDIA, "media")
        for key in ("subject", "content", "to", "notes"):
            if key in body:
                value = body[key]
                if value is not None and not isinstance(value, str):
                    raise Failure(INVALID_VALUE, f"{key} must be a string")
                record[key] = value
        for key in ("direction", "media", "subject", "content"):
            if not record.get(key):
                raise Failure(
                    MANDATORY,
                    f"The parameter {key} is mandatory unless a template is specified",
                )
        if record["media"] == "EMAIL" and not record.get("to"):
            raise Failure(
                MANDATORY, "The parameter to is mandatory when media is EMAIL"
            )
        for name, kind in UDF_KINDS.items():
            if name not in body:
                continue
            value = body[name]
            if value is None:
                record[name] = None
            elif kind == "string" and isinstance(value, str):
                record[name] = value
            elif (
                kind == "float"
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                record[name] = float(value)
            elif kind == "date" and self.parse_date(value) is not None:
                record[name] = self.parse_date(value)
            else:
                raise Failure(INVALID_VALUE, f"{name} has an invalid value")
        referring = body.get("referring_to")
        if referring is not None:
            if not isinstance(referring, dict):
                raise Failure(INVALID_VALUE, "referring_to must be an object")
            for key, ident in referring.items():
                kind = key.removesuffix("_identifier")
                if not isinstance(ident, dict) or len(ident) != 1:
                    raise Failure(ONLY_ONE, f"{key} must name exactly one field")
                [(field, value)] = ident.items()
                stub = {"id": value if field == "id" else self._new_id(), field: value}
                record["referring_to"][kind] = stub
        params = body.get("unrestricted_parameter_set")
        if params is not None:
            if self.release < (9, 0, 0) or not isinstance(params, list):
                raise Failure(
                    INVALID_VALUE, "unrestricted_parameter_set is not valid here"
                )
            for item in params:
                self._apply_parameter(record, item, creating=creating)

    def _apply_parameter(
        self, record: dict[str, Any], item: Any, *, creating: bool
    ) -> None:
        if not isinstance(item, dict):
            raise Failure(INVALID_VALUE, "unrestricted parameters must be objects")
        action = "add" if creating else item.get("action")
        params: list[dict[str, Any]] = record["unrestricted"]
        if action == "add":
            kind = item.get("type")
            if kind not in ("STRING", "INTEGER", "FLOAT", "DATE") or not item.get(
                "name"
            ):
                raise Failure(
                    MANDATORY, "An unrestricted parameter needs a type and a name"
                )
            value: Any = item.get(f"{kind.lower()}_value")
            if kind == "DATE":
                value = self.parse_date(value)
            elif kind in ("FLOAT", "INTEGER"):
                try:
                    value = float(value) if kind == "FLOAT" else int(value)
                except (TypeError, ValueError):
                    raise Failure(
                        INVALID_VALUE, f"{item['name']} must be a number"
                    ) from None
            if value is None:
                raise Failure(INVALID_VALUE, f"{item['name']} has no {kind} value")
            params.append(
                {
                    "id": self._new_id(),
                    "name": item["name"],
                    "type": kind,
                    "key": f"unrestricted_{kind.lower()}.{item['name']}",
                    f"{kind.lower()}_value": value,
                }
            )
            return
        ident = item.get("unrestricted_parameter_identifier")
        if (
            action not in ("update", "remove")
            or not isinstance(ident, dict)
            or len(ident) != 1
        ):
            raise Failure(
                INVALID_VALUE, "update/remove need unrestricted_parameter_identifier"
            )
        [(field, wanted)] = ident.items()
        matches = [
            p for p in params if str(p.get(field)).strip() == str(wanted).strip()
        ]
        if not matches:
            raise Failure(
                f"{EX}.COMMUNICATIONS.UNRESTRICTEDPARAMETERNOTFOUNDEXCEPTION",
                f"No unrestricted parameter with {field} {wanted}",
            )
        param = matches[0]
        if action == "remove":
            params.remove(param)
            return
        kind = param["type"]
        if item.get("name"):
            param["name"] = item["name"]
            param["key"] = f"unrestricted_{kind.lower()}.{item['name']}"
        if f"{kind.lower()}_value" in item:
            value = item[f"{kind.lower()}_value"]
            param[f"{kind.lower()}_value"] = (
                self.parse_date(value) if kind == "DATE" else value
            )

    def create(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/create."""
        contact = self._post_identifier(
            body, "contact_information_identifier", "contact_information", required=True
        )
        assert contact is not None
        state = self._choice(
            body.get("life_cycle_state"), ("DRAFT", "COMPLETED"), "life_cycle_state"
        )
        now = self._now()
        record = self._new_communication(
            contact=contact,
            media=None,
            direction=None,
            subject=None,
            content=None,
            to=None,
            state=state or "COMPLETED",
            created=now,
        )
        try:
            self._apply_fields(record, body, creating=True)
        except Failure:
            del self.communications[record["id"]]
            self._counter -= 1
            raise
        if record["life_cycle_state"] == "COMPLETED":
            self._queue_if_external(record, now)
        return self.communication_out(record, self._fields(body.get("fields_set")))

    def _queue_if_external(self, record: dict[str, Any], now: datetime) -> None:
        if record["communication_queue_external_system"] is not None:
            self._enqueue(record, now)

    def update(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/update: only DRAFT communications."""
        record = self._post_identifier(
            body, "communication_identifier", "communication", required=True
        )
        assert record is not None
        if record["life_cycle_state"] != "DRAFT":
            raise Failure(ONLY_DRAFT_UPDATE, "Only draft communications can be updated")
        state = self._choice(
            body.get("life_cycle_state"), ("DRAFT", "COMPLETED"), "life_cycle_state"
        )
        snapshot = {
            k: (list(v) if isinstance(v, list) else v) for k, v in record.items()
        }
        snapshot["referring_to"] = dict(record["referring_to"])
        snapshot["unrestricted"] = [dict(p) for p in record["unrestricted"]]
        try:
            self._apply_fields(record, body, creating=False)
        except Failure:
            record.clear()
            record.update(snapshot)
            raise
        now = self._now()
        record["_updated"] = now
        if state is not None:
            record["life_cycle_state"] = state
            if state == "COMPLETED":
                self._queue_if_external(record, now)
        return self.communication_out(record, self._fields(body.get("fields_set")))

    def complete(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/complete: only DRAFT communications."""
        record = self._post_identifier(
            body, "communication_identifier", "communication", required=True
        )
        assert record is not None
        if record["life_cycle_state"] != "DRAFT":
            raise Failure(
                ONLY_DRAFT_COMPLETE, "Only draft communications can be completed"
            )
        now = self._now()
        record["life_cycle_state"] = "COMPLETED"
        record["_updated"] = now
        self._queue_if_external(record, now)
        return self.summary_out(record, self._fields(body.get("fields_set")))

    def set_as_viewed(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/set_as_viewed (R12.2+): only COMPLETED communications."""
        self._since((12, 2, 0), "communications/set_as_viewed")
        record = self._post_identifier(
            body, "communication_identifier", "communication", required=True
        )
        assert record is not None
        if record["life_cycle_state"] != "COMPLETED":
            raise Failure(
                ONLY_COMPLETED_VIEWED,
                "Only completed communications can be set as viewed",
            )
        when = self._now()
        if body.get("viewed_on") is not None:
            parsed = self.parse_date(body["viewed_on"])
            if parsed is None:
                raise Failure(INVALID_VALUE, "viewed_on is not a valid date")
            when = parsed
        record["viewed"] = True
        record["_viewed_on"] = when
        record["_updated"] = self._now()
        return self.summary_out(record, self._fields(body.get("fields_set")))

    # -- queue ---------------------------------------------------------------------------

    def _queue_rows(self, request: Request) -> list[dict[str, Any]]:
        system = self._get_identifier(
            request,
            "communication_queue_external_system_identifier",
            "communication_queue_external_system",
            required=False,
        )
        media = self._choice(request.args.get("media"), MEDIA, "media")
        if system is None and media is None:
            raise Failure(
                AT_LEAST_ONE,
                "One of communication_queue_external_system_identifier and media "
                "must be specified",
            )
        if system is not None and media is not None:
            raise Failure(
                ONLY_ONE,
                "Only one of communication_queue_external_system_identifier and media "
                "is allowed",
            )
        contact = self._get_identifier(
            request,
            "contact_information_identifier",
            "contact_information",
            required=False,
        )
        return [
            e
            for e in self.queue.values()
            if (
                system is None
                or (e["communication_queue_external_system"] or {}).get("id")
                == system["id"]
            )
            and (media is None or e["communication"]["media"] == media)
            and (
                contact is None
                or e["communication"]["contact_information"]["id"] == contact["id"]
            )
        ]

    def queue_show(self, request: Request, body: dict[str, Any]) -> Any:
        """GET communications/queue/show."""
        entry = self._get_identifier(
            request,
            "communication_queue_identifier",
            "communication_queue",
            required=True,
        )
        assert entry is not None
        return self.queue_out(entry, self._fields(request.args.get("fields_set")))

    def queue_list(self, request: Request, body: dict[str, Any]) -> Any:
        """GET communications/queue/list."""
        rows = self._queue_rows(request)
        states = QUEUE_STATES if self.release >= (10, 1, 0) else QUEUE_STATES[:3]
        state = self._choice(
            request.args.get("life_cycle_state"), states, "life_cycle_state"
        )
        if state is not None:
            rows = [e for e in rows if e["life_cycle_state"] == state]
        fields = self._fields(request.args.get("fields_set"))
        return [self.queue_out(e, fields) for e in self._page(request, rows)]

    def queue_latest(self, request: Request, body: dict[str, Any]) -> Any:
        """GET communications/queue/get_latest: the latest PENDING entries."""
        number = self._int(request.args.get("number"), "number", 1)
        if number is None:
            raise Failure(MANDATORY, "The parameter number is mandatory")
        rows = [
            e for e in self._queue_rows(request) if e["life_cycle_state"] == "PENDING"
        ]
        rows.sort(key=lambda e: (e["_created"], int(e["number"])), reverse=True)
        fields = self._fields(request.args.get("fields_set"))
        return [self.queue_out(e, fields) for e in rows[:number]]

    def queue_pending_completed(self, request: Request, body: dict[str, Any]) -> Any:
        """GET communications/queue/get_pending_completed (R10.1+)."""
        self._since((10, 1, 0), "communications/queue/get_pending_completed")
        rows = [
            e
            for e in self._queue_rows(request)
            if e["life_cycle_state"] in ("PENDING", "COMPLETED")
            and not e["communication"]["viewed"]
        ]
        rows.sort(key=lambda e: (e["_created"], int(e["number"])), reverse=True)
        if self.release >= (13, 0, 0):
            rows = self._page(request, rows)
        else:
            number = self._int(request.args.get("number"), "number", 1)
            rows = rows[:number] if number is not None else rows
        fields = self._fields(request.args.get("fields_set"))
        return [self.queue_out(e, fields) for e in rows]

    def _move(
        self, body: Mapping[str, Any], allowed: tuple[str, ...], target: str
    ) -> dict[str, Any]:
        entry = self._post_identifier(
            body, "communication_queue_identifier", "communication_queue", required=True
        )
        assert entry is not None
        if entry["life_cycle_state"] not in allowed:
            raise Failure(
                QUEUE_STATE,
                f"A {entry['life_cycle_state']} queue entry cannot become {target}",
            )
        entry["life_cycle_state"] = target
        entry["_updated"] = self._now()
        return entry

    def queue_process(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/queue/process: PENDING -> COMPLETED."""
        entry = self._move(body, ("PENDING",), "COMPLETED")
        return self.queue_out(entry, self._fields(body.get("fields_set")))

    def queue_reject(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/queue/reject: PENDING -> REJECTED with the reason."""
        for name in ("error_code", "error_description"):
            if not isinstance(body.get(name), str) or not body[name].strip():
                raise Failure(MANDATORY, f"The parameter {name} is mandatory")
        entry = self._move(body, ("PENDING",), "REJECTED")
        entry["error_code"] = body["error_code"]
        entry["error_description"] = body["error_description"]
        return self.queue_out(entry, self._fields(body.get("fields_set")))

    def queue_remove(self, request: Request, body: dict[str, Any]) -> Any:
        """POST communications/queue/remove (R11+): PENDING/COMPLETED -> COMPLETED_AND_REMOVED."""
        self._since((11, 0, 0), "communications/queue/remove")
        entry = self._move(body, ("PENDING", "COMPLETED"), "COMPLETED_AND_REMOVED")
        return self.queue_out(entry, self._fields(body.get("fields_set")))


def _only(out: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    if not fields:
        return out
    return {k: v for k, v in out.items() if k in fields}
