"""Every write operation of every vendor, as a runnable case on the sandbox.

The operations are the keys of each vendor's ``WRITES`` table (the table the
native clients pass as ``idempotent=``); :data:`CASES` must cover every key, and a
test checks that it does. Each case knows how to prepare a target, perform the
write through the native client, recognise the write request among those the
emulator received, and read the outcome back from the emulator's store.
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import crmclients
from crmclients.sandbox import Sandbox
from crmclients.sandbox._app import RecordedRequest

_marks = itertools.count(1)
#: Retries enough for one fault per write; a read timeout below the slow answer.
POLICY = crmclients.RetryPolicy(attempts=4)
TIMEOUT = (2.0, 0.25)
SLOW_SECONDS = 0.75


def mark(prefix: str = "rel") -> str:
    """A unique text to find a record by."""
    return f"{prefix}-{next(_marks):06d}"


def writes_table(vendor: str) -> Mapping[str, bool]:
    """The vendor's ``WRITES`` table: operation -> idempotent."""
    module = importlib.import_module(f"crmclients.vendors.{vendor}.client")
    table: Mapping[str, bool] = module.WRITES
    return table


def writes_markdown() -> str:
    """The table of every write of every vendor, generated from the code."""
    lines = [
        "| vendor | write operation | idempotent | after an ambiguous failure |",
        "|---|---|---|---|",
    ]
    for vendor in crmclients.vendor_names():
        for operation, idempotent in writes_table(vendor).items():
            outcome = "retried" if idempotent else "AmbiguousWriteError, not resent"
            lines.append(
                f"| {vendor} | `{operation}` | {'yes' if idempotent else 'no'} | {outcome} |"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class WriteCase:
    """One write operation, runnable against the vendor's sandbox.

    Attributes:
        vendor: The vendor.
        operation: The key in the vendor's ``WRITES`` table.
        method: HTTP method of the write request.
        path: Regular expression for its path (matched whole).
        query: Text its query string contains (iVvy's action), or "".
        prepare: ``prepare(client, sandbox) -> target`` (no fault is active).
        perform: ``perform(client, sandbox, target)`` sends the write.
        applied: ``applied(sandbox, target) -> int``: how many times the write
            shows in the emulator's state (records created, 1 when an update or
            delete took effect, 0 when not).
    """

    vendor: str
    operation: str
    method: str
    path: str
    query: str
    prepare: Callable[[crmclients.Client, Sandbox], Any]
    perform: Callable[[crmclients.Client, Sandbox, Any], Any]
    applied: Callable[[Sandbox, Any], int]

    @property
    def idempotent(self) -> bool:
        """What the vendor's WRITES table says."""
        return writes_table(self.vendor)[self.operation]

    def matches(self, method: str, path: str) -> bool:
        """Whether a request (method, path) may be this write."""
        return method == self.method and re.fullmatch(self.path, path) is not None

    def is_write(self, request: RecordedRequest) -> bool:
        """Whether a received request is this write."""
        return (
            self.matches(request.method, request.path) and self.query in request.query
        )

    def __str__(self) -> str:
        return f"{self.vendor}:{self.operation}"


def _nothing(client: crmclients.Client, sb: Sandbox) -> Any:
    return None


# -- tactile ---------------------------------------------------------------------------


def _tactile() -> list[WriteCase]:
    def new_opportunity(client: crmclients.Client, sb: Sandbox) -> int:
        return int(
            client.native.create_opportunity(name=mark("opp"), enddate="2025-01-31")
        )

    def created(sb: Sandbox, target: dict[str, str]) -> int:
        return sum(
            1 for r in sb.emulator.opportunities.values() if r["name"] == target["name"]
        )

    return [
        WriteCase(
            "tactile",
            "opportunities.save (create)",
            "POST",
            "/opportunities/save",
            "",
            lambda c, sb: {"name": mark("opp")},
            lambda c, sb, t: c.native.create_opportunity(
                name=t["name"], enddate="2025-01-31"
            ),
            created,
        ),
        WriteCase(
            "tactile",
            "opportunities.save (update)",
            "POST",
            "/opportunities/save",
            "",
            lambda c, sb: (new_opportunity(c, sb), mark("desc")),
            lambda c, sb, t: c.native.update_opportunity(t[0], description=t[1]),
            lambda sb, t: int(sb.emulator.opportunities[t[0]]["description"] == t[1]),
        ),
        WriteCase(
            "tactile",
            "opportunities.add_tag",
            "GET",
            "/opportunities/add_tag",
            "",
            lambda c, sb: (new_opportunity(c, sb), mark("tag")),
            lambda c, sb, t: c.native.add_tag(t[0], t[1]),
            lambda sb, t: sb.emulator.opportunities[t[0]]["tags"].count(t[1]),
        ),
    ]


# -- ivvy ------------------------------------------------------------------------------


def _ivvy() -> list[WriteCase]:
    def count(store: str) -> Callable[[Sandbox, Any], int]:
        def applied(sb: Sandbox, target: Any) -> int:
            records = getattr(sb.emulator, store).values()
            return sum(1 for r in records if r.get("name") == target["name"])

        return applied

    def named(store: str) -> Callable[[Sandbox, Any], int]:
        def applied(sb: Sandbox, target: Any) -> int:
            return int(
                getattr(sb.emulator, store)[target["id"]]["name"] == target["name"]
            )

        return applied

    end = datetime(2025, 3, 1, 17, 0, tzinfo=UTC)
    return [
        WriteCase(
            "ivvy",
            "crm.addOrUpdateActivity (create)",
            "POST",
            "/api/1.0/crm",
            "action=addOrUpdateActivity",
            lambda c, sb: {"name": mark("act")},
            lambda c, sb, t: c.native.add_or_update_activity(
                name=t["name"], description="<p>reliability</p>", sub_type=1
            ),
            count("activities"),
        ),
        WriteCase(
            "ivvy",
            "crm.addOrUpdateActivity (update)",
            "POST",
            "/api/1.0/crm",
            "action=addOrUpdateActivity",
            lambda c, sb: {"id": 1001, "name": mark("act")},
            lambda c, sb, t: c.native.add_or_update_activity(
                id=t["id"], name=t["name"]
            ),
            named("activities"),
        ),
        WriteCase(
            "ivvy",
            "crm.addOrUpdateTask (create)",
            "POST",
            "/api/1.0/crm",
            "action=addOrUpdateTask",
            lambda c, sb: {"name": mark("task")},
            lambda c, sb, t: c.native.add_or_update_task(
                name=t["name"], end_datetime=end
            ),
            count("tasks"),
        ),
        WriteCase(
            "ivvy",
            "crm.addOrUpdateTask (update)",
            "POST",
            "/api/1.0/crm",
            "action=addOrUpdateTask",
            lambda c, sb: {"id": 5001, "name": mark("task")},
            lambda c, sb, t: c.native.add_or_update_task(id=t["id"], name=t["name"]),
            named("tasks"),
        ),
    ]


# -- opentaps --------------------------------------------------------------------------

_CONTACT = "5166b967e4b0f6e6cd09e653"


def _opentaps() -> list[WriteCase]:
    def new_activity(client: crmclients.Client, sb: Sandbox) -> str:
        return str(client.native.save_activity({"noteText": mark("note")}).id)

    def by_text(sb: Sandbox, target: Any) -> int:
        return sum(
            1
            for r in sb.emulator.activities.values()
            if r.get("noteText") == target["text"]
        )

    def text_is(sb: Sandbox, target: Any) -> int:
        record = sb.emulator.activities.get(target["id"], {})
        return int(record.get("noteText") == target["text"])

    def linked(sb: Sandbox, target: Any) -> int:
        record = sb.emulator.activities[target["id"]]
        return sum(1 for link in record["contacts"] if link["contactId"] == _CONTACT)

    def with_link(client: crmclients.Client, sb: Sandbox) -> dict[str, str]:
        activity = new_activity(client, sb)
        client.native.add_contact(activity, _CONTACT, "customer")
        return {"id": activity}

    return [
        WriteCase(
            "opentaps",
            "oauth.temp_token",
            "POST",
            "/oauth/temp-token",
            "",
            lambda c, sb: {"issued": len(sb.emulator.issued_tokens)},
            lambda c, sb, t: t.update(token=c.native.get_temp_token().auth_token),
            lambda sb, t: int(
                t.get("token") in sb.emulator.temp_tokens
                and len(sb.emulator.issued_tokens) > t["issued"]
            ),
        ),
        WriteCase(
            "opentaps",
            "oauth.validate",
            "POST",
            "/oauth/validate",
            "",
            lambda c, sb: {},
            lambda c, sb, t: t.update(valid=c.native.validate_token()),
            lambda sb, t: int(t.get("valid") is True),
        ),
        WriteCase(
            "opentaps",
            "activities.save (create)",
            "POST",
            "/activities",
            "",
            lambda c, sb: {"text": mark("note")},
            lambda c, sb, t: c.native.save_activity(
                {"noteText": t["text"], "activityTypeId": "CALL"}
            ),
            by_text,
        ),
        WriteCase(
            "opentaps",
            "activities.save (update)",
            "POST",
            "/activities",
            "",
            lambda c, sb: {"id": new_activity(c, sb), "text": mark("note")},
            lambda c, sb, t: c.native.save_activity(
                {"noteText": t["text"]}, activity_id=t["id"]
            ),
            text_is,
        ),
        WriteCase(
            "opentaps",
            "activities.update",
            "PUT",
            r"/activities/[0-9a-f]{24}",
            "",
            lambda c, sb: {"id": new_activity(c, sb), "text": mark("note")},
            lambda c, sb, t: c.native.update_activity(t["id"], {"noteText": t["text"]}),
            text_is,
        ),
        WriteCase(
            "opentaps",
            "activities.delete",
            "DELETE",
            r"/activities/[0-9a-f]{24}",
            "",
            lambda c, sb: {"id": new_activity(c, sb)},
            lambda c, sb, t: c.native.delete_activity(t["id"]),
            lambda sb, t: int(t["id"] not in sb.emulator.activities),
        ),
        WriteCase(
            "opentaps",
            "activities.contact.add",
            "POST",
            "/activities/contact/add",
            "",
            lambda c, sb: {"id": new_activity(c, sb)},
            lambda c, sb, t: c.native.add_contact(t["id"], _CONTACT, "customer"),
            linked,
        ),
        WriteCase(
            "opentaps",
            "activities.contact.remove",
            "POST",
            "/activities/contact/remove",
            "",
            with_link,
            lambda c, sb, t: c.native.remove_contact(t["id"], _CONTACT),
            lambda sb, t: 1 - linked(sb, t),
        ),
        WriteCase(
            "opentaps",
            "task.create",
            "POST",
            "/task",
            "",
            lambda c, sb: {"text": mark("task")},
            lambda c, sb, t: c.native.create_task(
                {"noteText": t["text"], "scheduledDateTime": "2025-02-14T16:00:00Z"}
            ),
            by_text,
        ),
    ]


# -- administrate ----------------------------------------------------------------------


def _administrate() -> list[WriteCase]:
    def new_task(client: crmclients.Client, sb: Sandbox) -> int:
        task = client.native.create_task(
            status="Not Started", user_id=1, account_id=1, type_id=1, subject=mark()
        )
        return int(task.id)

    return [
        WriteCase(
            "administrate",
            "tasks.create",
            "POST",
            "/api/v2/crm/tasks",
            "",
            lambda c, sb: {"subject": mark("task")},
            lambda c, sb, t: c.native.create_task(
                status="Not Started",
                user_id=1,
                account_id=1,
                type_id=1,
                subject=t["subject"],
            ),
            lambda sb, t: sum(
                1 for r in sb.emulator.tasks.values() if r["subject"] == t["subject"]
            ),
        ),
        WriteCase(
            "administrate",
            "tasks.update",
            "PUT",
            r"/api/v2/crm/tasks/\d+",
            "",
            lambda c, sb: {"id": new_task(c, sb), "subject": mark("task")},
            lambda c, sb, t: c.native.update_task(t["id"], subject=t["subject"]),
            lambda sb, t: int(sb.emulator.tasks[t["id"]]["subject"] == t["subject"]),
        ),
        WriteCase(
            "administrate",
            "tasks.delete",
            "DELETE",
            r"/api/v2/crm/tasks/\d+",
            "",
            lambda c, sb: {"id": new_task(c, sb)},
            lambda c, sb, t: c.native.delete_task(t["id"]),
            lambda sb, t: int(t["id"] not in sb.emulator.tasks),
        ),
    ]


# -- crmcom ----------------------------------------------------------------------------

_KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"
_CRMCOM = "/crmapi/rest/v2"


def _crmcom() -> list[WriteCase]:
    from crmclients.vendors.crmcom import Identifier

    def communication(
        client: crmclients.Client, *, state: str, external: bool = False
    ) -> str:
        created = client.native.create_communication(
            contact_information_identifier=Identifier.by_id(_KATHY),
            subject=mark("comm"),
            content="Written by the reliability suite.",
            to="kathy.clark@example.com",
            media="EMAIL",
            direction="OUTGOING",
            life_cycle_state=state,
            communication_queue_external_system_identifier=(
                Identifier.by_name("EXT 1") if external else None
            ),
        )
        return str(created.id)

    def queued(client: crmclients.Client, sb: Sandbox) -> dict[str, str]:
        cid = communication(client, state="COMPLETED", external=True)
        entry = next(
            e
            for e in sb.emulator.queue.values()
            if e["communication"]["id"] == cid and e["life_cycle_state"] == "PENDING"
        )
        return {"id": str(entry["id"])}

    def queue_state(state: str) -> Callable[[Sandbox, Any], int]:
        return lambda sb, t: int(
            sb.emulator.queue[t["id"]]["life_cycle_state"] == state
        )

    def fresh_client(
        client: crmclients.Client, sb: Sandbox, **credentials: str
    ) -> dict[str, Any]:
        settings = {"base_url": sb.base_url, **(credentials or sb.credentials)}
        fresh = crmclients.connect("crmcom", retry=POLICY, timeout=TIMEOUT, **settings)
        return {"client": fresh, "logins": len(sb.emulator.logins)}

    def logged_in(client: crmclients.Client, sb: Sandbox, target: Any) -> None:
        with target["client"] as fresh:
            fresh.communications.list(
                related_to=crmclients.models.Ref(
                    crmclients.models.RefKind.CONTACT, _KATHY
                )
            ).first(1)

    def comm(cid: str) -> dict[str, Any]:
        return {"id": cid}

    return [
        WriteCase(
            "crmcom",
            "communications.create",
            "POST",
            f"{_CRMCOM}/communications/create",
            "",
            lambda c, sb: {"subject": mark("comm")},
            lambda c, sb, t: c.native.create_communication(
                contact_information_identifier=Identifier.by_id(_KATHY),
                subject=t["subject"],
                content="Written by the reliability suite.",
                to="kathy.clark@example.com",
                media="EMAIL",
                direction="OUTGOING",
            ),
            lambda sb, t: sum(
                1
                for r in sb.emulator.communications.values()
                if r["subject"] == t["subject"]
            ),
        ),
        WriteCase(
            "crmcom",
            "communications.update",
            "POST",
            f"{_CRMCOM}/communications/update",
            "",
            lambda c, sb: {**comm(communication(c, state="DRAFT")), "s": mark("upd")},
            lambda c, sb, t: c.native.update_communication(
                Identifier.by_id(t["id"]), subject=t["s"]
            ),
            lambda sb, t: int(sb.emulator.communications[t["id"]]["subject"] == t["s"]),
        ),
        WriteCase(
            "crmcom",
            "communications.complete",
            "POST",
            f"{_CRMCOM}/communications/complete",
            "",
            lambda c, sb: comm(communication(c, state="DRAFT")),
            lambda c, sb, t: c.native.complete_communication(Identifier.by_id(t["id"])),
            lambda sb, t: int(
                sb.emulator.communications[t["id"]]["life_cycle_state"] == "COMPLETED"
            ),
        ),
        WriteCase(
            "crmcom",
            "communications.set_as_viewed",
            "POST",
            f"{_CRMCOM}/communications/set_as_viewed",
            "",
            lambda c, sb: comm(communication(c, state="COMPLETED")),
            lambda c, sb, t: c.native.set_communication_as_viewed(
                Identifier.by_id(t["id"])
            ),
            lambda sb, t: int(sb.emulator.communications[t["id"]]["viewed"] is True),
        ),
        WriteCase(
            "crmcom",
            "communications.queue.process",
            "POST",
            f"{_CRMCOM}/communications/queue/process",
            "",
            queued,
            lambda c, sb, t: c.native.process_queue_entry(Identifier.by_id(t["id"])),
            queue_state("COMPLETED"),
        ),
        WriteCase(
            "crmcom",
            "communications.queue.reject",
            "POST",
            f"{_CRMCOM}/communications/queue/reject",
            "",
            queued,
            lambda c, sb, t: c.native.reject_queue_entry(
                Identifier.by_id(t["id"]),
                error_code="01",
                error_description="rejected by the reliability suite",
            ),
            queue_state("REJECTED"),
        ),
        WriteCase(
            "crmcom",
            "communications.queue.remove",
            "POST",
            f"{_CRMCOM}/communications/queue/remove",
            "",
            queued,
            lambda c, sb, t: c.native.remove_queue_entry(Identifier.by_id(t["id"])),
            queue_state("COMPLETED_AND_REMOVED"),
        ),
        WriteCase(
            "crmcom",
            "authentication.token",
            "POST",
            f"{_CRMCOM}/authentication/token",
            "",
            lambda c, sb: fresh_client(c, sb),
            logged_in,
            lambda sb, t: int(sb.emulator.logins[t["logins"] :].count("password") >= 1),
        ),
        WriteCase(
            "crmcom",
            "authentication.web_api_key.token",
            "POST",
            f"{_CRMCOM}/authentication/web_api_key/token",
            "",
            lambda c, sb: fresh_client(c, sb, web_api_key=sb.emulator.web_api_key),
            logged_in,
            lambda sb, t: int(
                sb.emulator.logins[t["logins"] :].count("web_api_key") >= 1
            ),
        ),
        WriteCase(
            "crmcom",
            "authentication.token.release",
            "POST",
            f"{_CRMCOM}/authentication/token/release",
            "",
            lambda c, sb: {"released": len(sb.emulator.released)},
            lambda c, sb, t: c.native.release_token(),
            lambda sb, t: int(len(sb.emulator.released) > t["released"]),
        ),
    ]


#: vendor -> its write cases.
CASES: dict[str, list[WriteCase]] = {
    "administrate": _administrate(),
    "crmcom": _crmcom(),
    "ivvy": _ivvy(),
    "opentaps": _opentaps(),
    "tactile": _tactile(),
}
ALL_CASES: list[WriteCase] = [case for cases in CASES.values() for case in cases]
