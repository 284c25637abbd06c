"""Opentaps CRM-2 behind the common Client: activities and tasks, with contact links.

Mapping (native -> shared):

=========================  ====================================================
Opentaps                   crmclients.models.Activity / Task
=========================  ====================================================
_id                        id
activityTypeId             kind: NOTE, TASK, EMAIL (also FOLLOWUP_EMAIL), CALL
                           (also PHONE_CALL), MEETING, SMS, LETTER, EVENT,
                           FACE_TO_FACE; any other type -> OTHER (kept in raw)
noteText                   body (Opentaps has no separate subject)
status                     status: CREATED -> NOT_STARTED, STARTED -> IN_PROGRESS,
                           COMPLETED -> COMPLETED, CANCELLED -> CANCELLED;
                           the vendor word is kept in vendor_status
scheduledDateTime          due_at (aware UTC)
assignedToContact[0]       assignee: Ref(CONTACT, id) (further assignees: raw)
contacts[] (id, role)      related: Ref(CONTACT, id, role=role) each
createdDate                created_at (aware UTC)
lastModifiedDate           updated_at (aware UTC)
responsibleContactId,      raw only
attributes, clientDomain
=========================  ====================================================

Writes go the other way: ``body`` -> noteText, ``status`` -> the vendor word
(ON_HOLD and DRAFT have none and are refused), ``due_at`` -> scheduledDateTime,
``assignee`` -> assignedToContactId, ``kind`` -> activityTypeId (the kind's name;
TASK creates through ``POST /task``; OTHER is refused). Links are
``link(id, Ref(RefKind.CONTACT, contact_id, role=...))`` and ``unlink(...)``.

``get`` is emulated: the API has no "one activity" call, so the activity list is
read until the id turns up (tasks: one ``GET /task`` search first).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from crmclients import errors
from crmclients._client import CollectionAdapter, Listing, ListQuery, VendorAdapter
from crmclients._paging import Page, SinglePage
from crmclients._projection import AsString, Call, Copy, Projection, Raw, Source
from crmclients._rules import Rules
from crmclients.config import Setting
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Ref,
    RefKind,
    Task,
)
from crmclients.vendors.opentaps import _wire
from crmclients.vendors.opentaps._paging import (
    ALL_TASKS,
    activities_paging,
    tasks_paging,
)
from crmclients.vendors.opentaps.client import OpentapsClient, _object_id
from crmclients.vendors.opentaps.models import (
    STATUSES,
    TASK_TYPE,
    ContactRole,
    OpentapsActivity,
)

VENDOR = "opentaps"


#: Vendor status word -> shared status.
STATUS_TO_SHARED: Mapping[str, ActivityStatus] = {
    "CREATED": ActivityStatus.NOT_STARTED,
    "STARTED": ActivityStatus.IN_PROGRESS,
    "COMPLETED": ActivityStatus.COMPLETED,
    "CANCELLED": ActivityStatus.CANCELLED,
}
#: Shared status -> vendor status word (ON_HOLD and DRAFT have none).
SHARED_TO_STATUS: Mapping[ActivityStatus, str] = {
    shared: word for word, shared in STATUS_TO_SHARED.items()
}
#: activityTypeId -> shared kind, beyond the kinds' own names.
_TYPE_ALIASES: Mapping[str, ActivityKind] = {
    "FOLLOWUP_EMAIL": ActivityKind.EMAIL,
    "PHONE_CALL": ActivityKind.CALL,
}
#: Native field names (in rule messages) -> the shared names the caller used.
_SHARED_NAMES = {
    "noteText": "body",
    "scheduledDateTime": "due_at",
    "assignedToContactId": "assignee",
    "activityTypeId": "kind",
    "activity_id": "id",
    "contact_id": "ref",
    "assigned_to_contact_ids": "assigned_to",
}

A = TypeVar("A", bound=Activity)


#: Kind by normalised ``activityTypeId``: the kinds' own names and the aliases.
_KINDS: Mapping[str, ActivityKind] = {
    **{kind.name: kind for kind in ActivityKind},
    **_TYPE_ALIASES,
}
#: The most contact Refs kept for sharing between records (then the table restarts).
_CONTACT_REFS_LIMIT = 50_000
_contact_refs: dict[tuple[str, str | None], Ref] = {}


def kind_of(activity_type_id: str | None) -> ActivityKind:
    """The shared kind of an ``activityTypeId``."""
    if activity_type_id is not None:
        kind = _KINDS.get(activity_type_id)  # the usual spelling: one lookup
        if kind is not None:
            return kind
    return _KINDS.get((activity_type_id or "").strip().upper(), ActivityKind.OTHER)


def _status_of(word: str | None) -> ActivityStatus | None:
    """The shared status of a vendor status word (any case, spaces around)."""
    if not word:
        return None
    status = STATUS_TO_SHARED.get(word)  # the usual spelling: one lookup
    return status if status is not None else STATUS_TO_SHARED.get(word.strip().upper())


def _contact_ref(contact_id: str, role: str | None = None) -> Ref:
    """``Ref(RefKind.CONTACT, contact_id, role=role)``, one object per id and role.

    Refs are frozen, so records of a pull share them (the same few contacts recur on
    every page); the table is emptied when it reaches ``_CONTACT_REFS_LIMIT``.
    """
    ref = _contact_refs.get((contact_id, role))
    if ref is None:
        if len(_contact_refs) >= _CONTACT_REFS_LIMIT:
            _contact_refs.clear()
        ref = _contact_refs[contact_id, role] = Ref(
            RefKind.CONTACT, contact_id, role=role
        )
    return ref


def _assignee(assigned: tuple[str, ...]) -> Ref | None:
    """The first assignee as a contact Ref (further assignees stay in raw)."""
    return _contact_ref(assigned[0]) if assigned else None


def _related(contacts: tuple[ContactRole, ...]) -> tuple[Ref, ...]:
    """The associated contacts as contact Refs, each in its role."""
    return tuple([_contact_ref(c.contact_id, c.role) for c in contacts])


#: What the shared record does not carry (raw keeps it), read by pulls only to be
#: checked: a payload where one is malformed fails a pull as it fails the native
#: model, instead of passing unchecked.
_UNMAPPED = ("responsible_contact_id", "attributes", "client_domain")
#: The fields Activity and Task share, native -> shared.
_COMMON: Mapping[str, Source] = {
    "created_at": Copy("created_date"),
    "updated_at": Copy("last_modified_date"),
    "raw": Raw(),
    "body": Copy("note_text"),
    "status": Call(_status_of, "status"),
    "vendor_status": Copy("status"),
    "due_at": Copy("scheduled_date_time"),
    "assignee": Call(_assignee, "assigned_to_contact"),
    "related": Call(_related, "contacts"),
}

#: Opentaps activity -> shared Activity, declared once: used for single records
#: (``from_native``) and compiled into one pass over payloads for pulls.
ACTIVITY = Projection(
    Activity,
    checked=_UNMAPPED,
    vendor=VENDOR,
    fields={
        "id": AsString("id"),
        "kind": Call(kind_of, "activity_type_id"),
        **_COMMON,
    },
)
#: Opentaps task -> shared Task (always of kind TASK), declared as ``ACTIVITY``.
TASK = Projection(
    Task,
    checked=(*_UNMAPPED, "activity_type_id"),
    vendor=VENDOR,
    kind=ActivityKind.TASK,
    fields={
        "id": AsString("id"),
        **_COMMON,
    },
)


def activity_from_native(a: OpentapsActivity) -> Activity:
    """Map an Opentaps activity (or task) onto the shared Activity."""
    result: Activity = ACTIVITY.from_native(a)
    return result


def task_from_native(a: OpentapsActivity) -> Task:
    """Map an Opentaps task onto the shared Task."""
    result: Task = TASK.from_native(a)
    return result


def _translate(call: Callable[[], Any], operation: str) -> Any:
    """Run a native call; name the shared field in a native ValidationError."""
    try:
        return call()
    except errors.ValidationError as exc:
        raise errors.ValidationError(
            field=_SHARED_NAMES.get(exc.field, exc.field),
            rule=exc.rule,
            vendor=VENDOR,
            operation=operation,
        ) from None


def _vendor_status(rules: Rules, value: Any) -> str:
    """The vendor word for a shared status (or a vendor word given as is)."""
    if isinstance(value, ActivityStatus):
        word = SHARED_TO_STATUS.get(value)
        if word is None:
            rules.fail(
                "status",
                f"has no Opentaps equivalent for {value.value}; use not_started, "
                "in_progress, completed or cancelled",
            )
        return word
    if isinstance(value, str):
        try:
            return _vendor_status(rules, ActivityStatus(value.strip().lower()))
        except ValueError:
            if value.strip().upper() in STATUSES:
                return value.strip().upper()
    rules.fail(
        "status",
        "must be an ActivityStatus (not_started, in_progress, completed, cancelled) "
        f"or an Opentaps word ({', '.join(STATUSES)}), got {value!r:.40}",
    )


def _kind(rules: Rules, value: Any) -> ActivityKind:
    """A shared kind from an ActivityKind or its name/value in any case."""
    if isinstance(value, ActivityKind):
        return value
    if isinstance(value, str) and value.strip().upper() in ActivityKind.__members__:
        return ActivityKind[value.strip().upper()]
    rules.fail(
        "kind",
        f"must be an ActivityKind ({', '.join(k.value for k in ActivityKind)}), "
        f"got {value!r:.40}",
    )


def _contact_id(rules: Rules, field: str, value: Any) -> str:
    """A contact id from a Ref(CONTACT) or a string."""
    if isinstance(value, Ref):
        if value.kind is not RefKind.CONTACT:
            rules.fail(
                field,
                f"must be a contact: Ref(RefKind.CONTACT, id), got a {value.kind.value}",
            )
        value = value.id
    return _object_id(rules, field, value, what="contact")


def _native_id(collection: str, operation: str, id: str) -> str:
    """A record id given to the common interface: an Opentaps ``_id``."""
    return _object_id(Rules(VENDOR, f"{collection}.{operation}"), "id", id)


def _check_emulated_refs(query: ListQuery, operation: str) -> None:
    """Refs in filters applied client-side must still hold Opentaps ids."""
    rules = Rules(VENDOR, operation)
    for name in ("related_to", "assigned_to"):
        value = query.all_filters.get(name)
        if isinstance(value, Ref):
            _object_id(rules, name, value.id)


class _OpentapsCollection(CollectionAdapter[A], Generic[A]):
    """What activities and tasks share: get, update, delete, link, unlink."""

    @property
    def native(self) -> OpentapsClient:
        """The Opentaps client."""
        client: OpentapsClient = self.adapter.native
        return client

    def _map(self, record: OpentapsActivity) -> A:
        raise NotImplementedError

    def _find(self, id: str) -> OpentapsActivity:
        raise NotImplementedError

    def _to_native(self, fields: Mapping[str, Any], operation: str) -> dict[str, Any]:
        rules = Rules(VENDOR, f"{self.name}.{operation}")
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "body":
                out["noteText"] = value
            elif name == "status":
                out["status"] = _vendor_status(rules, value)
            elif name == "due_at":
                out["scheduledDateTime"] = value
            elif name == "assignee":
                out["assignedToContactId"] = (
                    None if value is None else _contact_id(rules, "assignee", value)
                )
            elif name == "kind":
                kind = _kind(rules, value)
                if kind is ActivityKind.OTHER:
                    rules.fail(
                        "kind",
                        "must be a concrete kind: Opentaps needs an activity type",
                    )
                out["activityTypeId"] = kind.name
        return out

    def update(self, id: str, changes: Mapping[str, Any]) -> A:
        """Change shared fields with ``PUT /activities/{id}`` and ``partial=Yes``."""
        operation = f"{self.name}.update"
        _native_id(self.name, "update", id)
        native = self._to_native(changes, "update")
        if not native:
            return self.get(id)
        result = _translate(lambda: self.native.update_activity(id, native), operation)
        return self._map(result) if result is not None else self.get(id)

    def delete(self, id: str) -> None:
        """Delete with ``DELETE /activities/{id}``."""
        _native_id(self.name, "delete", id)
        _translate(lambda: self.native.delete_activity(id), f"{self.name}.delete")

    def link(self, id: str, ref: Ref) -> A:
        """Associate a contact in ``ref.role`` (``POST /activities/contact/add``)."""
        return self._link("add", id, ref)

    def unlink(self, id: str, ref: Ref) -> A:
        """Remove a contact association (``POST /activities/contact/remove``)."""
        return self._link("remove", id, ref)

    def _link(self, action: str, id: str, ref: Ref) -> A:
        operation = f"{self.name}.{'link' if action == 'add' else 'unlink'}"
        _native_id(self.name, operation.rpartition(".")[2], id)
        rules = Rules(VENDOR, operation)
        if not isinstance(ref, Ref):
            rules.fail("ref", "must be a Ref(RefKind.CONTACT, id, role=...)")
        contact = _contact_id(rules, "ref", ref)
        call = (
            self.native.add_contact if action == "add" else self.native.remove_contact
        )
        result = _translate(lambda: call(id, contact, ref.role), operation)
        return self._map(result) if result is not None else self.get(id)

    def get(self, id: str) -> A:
        """One record by id (emulated: the API has no single-record read)."""
        return self._map(self._find(_native_id(self.name, "get", id)))


def _shared(
    native: OpentapsClient,
    projection: Projection,
    page: tuple[Any, str],
    operation: str,
    keep_raw: bool,
) -> list[Any]:
    """A list page's payloads straight to shared records, in one generated pass.

    Fields are read, checked and named in errors exactly as the native model reads
    them. A page with a key under its older name (``activityType``, ``activityId``)
    goes through the native model, whose hook reads those names.

    Args:
        native: The client whose structurer reads the payloads.
        projection: :data:`ACTIVITY` or :data:`TASK`.
        page: The payloads and their path, from ``_activities_page`` or
            ``_task_search``.
        operation: The native operation, for errors.
        keep_raw: Keep each payload in ``raw``.

    Raises:
        ResponseShapeError: Not a list, or a payload does not fit; names the path.
    """
    payloads, path = page
    if _wire.aliased(payloads):
        return [
            projection.from_native(record)
            for record in native._wire.structure_many(
                payloads,
                OpentapsActivity,
                path=path,
                operation=operation,
                keep_raw=keep_raw,
            )
        ]
    return native._wire.project_many(
        payloads,
        OpentapsActivity,
        projection,
        path=path,
        operation=operation,
        keep_raw=keep_raw,
    )


def _as_is(records: Sequence[A]) -> Sequence[A]:
    """Pages that are shared records already (made so by the page fetch)."""
    return records


class ActivitiesAdapter(_OpentapsCollection[Activity]):
    """``client.activities`` on Opentaps: every activity, tasks included."""

    name = "activities"
    emulated = frozenset({"get"})
    writable = frozenset({"kind", "body", "status", "due_at"})
    required_on_create = frozenset({"body"})

    def _map(self, record: OpentapsActivity) -> Activity:
        return activity_from_native(record)

    def list(self, query: ListQuery) -> Listing[Activity]:
        """Every activity, tasks included, by record offsets.

        Each page goes from payloads straight to shared records as it is fetched
        (the overlap between pages is then checked on the shared ids).
        """
        _check_emulated_refs(query, "activities.list")
        native = self.native

        def page(
            count: int, start_from: int | None, *, include_raw: bool
        ) -> builtins.list[Activity]:
            return _shared(
                native,
                ACTIVITY,
                native._activities_page(count, start_from),
                "activities.list",
                include_raw,
            )

        return Listing(spec=activities_paging(page, query.include_raw), convert=_as_is)

    def _find(self, id: str) -> OpentapsActivity:
        found: OpentapsActivity = _translate(
            lambda: self.native.find_activity(id), "activities.get"
        )
        return found

    def create(self, fields: Mapping[str, Any]) -> Activity:
        """``POST /activities`` (``POST /task`` for kind TASK); no kind means NOTE."""
        native = self._to_native(fields, "create")
        native.setdefault("activityTypeId", "NOTE")
        if native["activityTypeId"] == TASK_TYPE:
            del native["activityTypeId"]
            created = _translate(
                lambda: self.native.create_task(native), "activities.create"
            )
        else:
            created = _translate(
                lambda: self.native.save_activity(native), "activities.create"
            )
        return activity_from_native(created)


def _scheduled_before(before: Any) -> Callable[[Sequence[Task]], Sequence[Task]]:
    """Drop tasks scheduled exactly at ``before`` (the API's upper bound is
    inclusive, the unified ``scheduled_before`` is not); None keeps every task."""
    if before is None:
        return _as_is

    def convert(tasks: Sequence[Task]) -> builtins.list[Task]:
        return [t for t in tasks if t.due_at is not None and t.due_at < before]

    return convert


class TasksAdapter(_OpentapsCollection[Task]):
    """``client.tasks`` on Opentaps: searched with ``GET /task``, moved with PUT."""

    name = "tasks"
    native_filters = frozenset(
        {"assigned_to", "scheduled_after", "scheduled_before", "status"}
    )
    emulated = frozenset({"get"})
    writable = frozenset({"body", "status", "due_at", "assignee"})
    required_on_create = frozenset({"body"})

    def _map(self, record: OpentapsActivity) -> Task:
        return task_from_native(record)

    def list(self, query: ListQuery) -> Listing[Task]:
        """One ``GET /task`` search with the native filters."""
        _check_emulated_refs(query, "tasks.list")
        rules = Rules(VENDOR, "tasks.list")
        filters: dict[str, Any] = {}
        wanted = query.filters
        if "assigned_to" in wanted:
            filters["assigned_to_contact_ids"] = [
                _contact_id(rules, "assigned_to", wanted["assigned_to"])
            ]
        if "scheduled_after" in wanted:
            filters["from_scheduled_date_time"] = wanted["scheduled_after"]
        if "scheduled_before" in wanted:
            filters["to_scheduled_date_time"] = wanted["scheduled_before"]
        before = wanted.get("scheduled_before")
        if "status" in wanted:
            words = []
            for value in wanted["status"]:
                if isinstance(value, ActivityStatus):
                    if value in SHARED_TO_STATUS:
                        words.append(SHARED_TO_STATUS[value])
                else:
                    words.append(_vendor_status(rules, value))
            if not words:
                # Only statuses Opentaps does not have: nothing can match.
                return Listing(spec=SinglePage(fetch=lambda: Page([])), convert=_as_is)
            filters["statuses"] = sorted(set(words), key=STATUSES.index)
        native = self.native

        def search(*, include_raw: bool, **arguments: Any) -> builtins.list[Task]:
            page = native._task_search(**arguments)
            return _shared(native, TASK, page, "task.search", include_raw)

        return Listing(
            spec=tasks_paging(search, filters, query.include_raw),
            convert=_scheduled_before(before),
        )

    def _find(self, id: str) -> OpentapsActivity:
        tasks = self.native.search_tasks(per_page=ALL_TASKS)
        for record in tasks:
            if record.id.lower() == id.lower():
                return record
        if len(tasks) >= ALL_TASKS:  # the search may have been capped: scan
            try:
                found = self.native.find_activity(id)
            except errors.NotFoundError:
                pass
            else:
                if found.is_task:
                    return found
        raise errors.NotFoundError(
            f"no task with _id {id}", vendor=VENDOR, operation="tasks.get"
        )

    def create(self, fields: Mapping[str, Any]) -> Task:
        """``POST /task``."""
        native = self._to_native(fields, "create")
        return task_from_native(
            _translate(lambda: self.native.create_task(native), "tasks.create")
        )

    def transition(self, id: str, status: ActivityStatus, *, strict: bool) -> Task:
        """Move a task along Created -> Started -> Completed (or Cancelled).

        Raises:
            ValidationError: A status Opentaps lacks, or (strict) a move off the
                normal flow; the update is not sent.
            NotFoundError: No such task.
        """
        rules = Rules(VENDOR, "tasks.transition")
        _native_id(self.name, "transition", id)
        word = _vendor_status(rules, status)
        current = self.get(id)
        if strict and not current.can_transition_to(status):
            was = current.status.value if current.status else "unknown"
            rules.fail(
                "status",
                f"cannot move a task from {was} ({current.vendor_status}) to "
                f"{status.value} ({word}): Created -> Started or Cancelled, "
                "Started -> Completed or Cancelled; Completed and Cancelled are "
                "final (pass strict=False to send it anyway)",
            )
        result = _translate(
            lambda: self.native.update_activity(id, {"status": word}),
            "tasks.transition",
        )
        return task_from_native(result) if result is not None else self.get(id)


class OpentapsAdapter(VendorAdapter):
    """Opentaps CRM-2: activities and tasks, with contact links in roles."""

    vendor = VENDOR
    settings = (
        Setting(
            "auth_token",
            required=True,
            secret=True,
            doc="your permanent auth token (treat it like a password)",
        ),
        Setting(
            "client_domain",
            required=True,
            doc="your client domain, e.g. acme.com (sent with every call)",
        ),
        Setting(
            "token_exchange",
            bool,
            doc="exchange the permanent token for 60-minute temporary tokens "
            "(default true); false sends the permanent token itself",
        ),
    )
    collections = {"activities": ActivitiesAdapter, "tasks": TasksAdapter}

    def __init__(self, native: OpentapsClient) -> None:
        super().__init__(native, timezone=native.timezone)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> OpentapsAdapter:
        """Build the native client from resolved settings."""
        return cls(OpentapsClient(**settings))
