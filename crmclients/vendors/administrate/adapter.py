"""Administrate (legacy REST API v2) behind the common Client: tasks, also as activities.

``client.tasks`` yields :class:`~crmclients.models.Task` records;
``client.activities`` yields the same tasks as :class:`~crmclients.models.Activity`
records of kind TASK (same fields).

Mapping (native -> shared):

==========================  ==================================================
Administrate task           crmclients.models.Task (kind TASK)
==========================  ==================================================
id                          id (string)
subject                     subject
description                 body
status                      vendor_status (always the vendor's word), and
                            status: "Not Started" -> NOT_STARTED,
                            "Completed" -> COMPLETED, any other word -> None
start_datetime              starts_at and due_at (the scheduled time)
end_datetime                ends_at
created_on                  created_at
(none)                      updated_at is None: v2 tasks carry no change time
user_id (+ user.name)       assignee: Ref(USER, user_id, name)
account_id / account        related: Ref(ACCOUNT, id, account.name)
contact_id (+ contact)      related: Ref(CONTACT, id, "first last")
event_id (+ event.title)    related: Ref(EVENT, id, title)
opportunity_id              related: Ref(OPPORTUNITY, id)
type_id, show_on_calendar   raw only (the shared model has no such fields)
==========================  ==================================================

The table is declared once, as :class:`TaskProjections` (per zone, built once per
client): single tasks are mapped from native models, and pulls go from each
batch's payloads straight to shared records in one generated pass, reading and
checking every field as :meth:`AdministrateClient.list_tasks` does.

Times: Administrate's task times are not time-zone aware (no offset on the wire).
They are read in the client's ``timezone=`` (default UTC) and carried as aware UTC;
on the way back (filters, writes) they are converted to that zone and sent
without an offset.

Unified filters, all applied by the server:

=================  ==========================================================
created_after      created_on__gte
created_before     created_on__lt
scheduled_after    start_datetime__gte  (the scheduled time is the start)
scheduled_before   start_datetime__lt
assigned_to        user_id__eq  (a user id or Ref(USER, id))
status             status__in   (NOT_STARTED/COMPLETED as their words; other
                   strings as the vendor's own words)
related_to         account_id__eq / contact_id__eq / event_id__eq /
                   opportunity_id__eq, by the Ref's kind
=================  ==========================================================

``updated_after``/``updated_before`` are not supported (no change time in v2).

Writes: ``tasks.create`` needs ``status``, ``assignee``, ``related`` with the
task's ``Ref(ACCOUNT, ...)``, and a task type: Administrate requires ``type_id``,
which the shared model has no field for, so it comes from the ``task_type_id``
setting of ``crmclients.connect``. ``related`` on update replaces the links: the
kinds given are set, the optional ones left out (contact, event, opportunity)
are cleared, and the account must be among them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timezone, tzinfo
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import attrs

from crmclients import errors
from crmclients._client import (
    CollectionAdapter,
    Listing,
    ListQuery,
    Mode,
    VendorAdapter,
)
from crmclients._converter import naive_to_utc
from crmclients._paging import Page, SinglePage
from crmclients._projection import REFS, AsString, Call, Copy, Projection, Raw, Source
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
from crmclients.vendors.administrate._paging import tasks_paging
from crmclients.vendors.administrate.client import AdministrateClient
from crmclients.vendors.administrate.filters import Operator, TaskFilter
from crmclients.vendors.administrate.models import (
    AdministrateAccount,
    AdministrateContact,
    AdministrateEvent,
    AdministrateTask,
    AdministrateUser,
)

VENDOR = "administrate"

_FROM_VENDOR: Mapping[str, ActivityStatus] = {
    "not started": ActivityStatus.NOT_STARTED,
    "completed": ActivityStatus.COMPLETED,
}
_TO_VENDOR: Mapping[ActivityStatus, str] = {
    ActivityStatus.NOT_STARTED: "Not Started",
    ActivityStatus.COMPLETED: "Completed",
}
#: Ref kind -> the task field that links it.
RELATED_FIELDS: Mapping[RefKind, str] = {
    RefKind.ACCOUNT: "account_id",
    RefKind.CONTACT: "contact_id",
    RefKind.EVENT: "event_id",
    RefKind.OPPORTUNITY: "opportunity_id",
}
#: Native field -> shared field, to name the caller's field in error messages.
_SHARED_NAMES: Mapping[str, str] = {
    "description": "body",
    "start_datetime": "starts_at",
    "end_datetime": "ends_at",
    "user_id": "assignee",
    "account_id": "related",
    "contact_id": "related",
    "event_id": "related",
    "opportunity_id": "related",
    "type_id": "task_type_id",
}
_NATIVE_FILTERS = frozenset(
    {
        "created_after",
        "created_before",
        "scheduled_after",
        "scheduled_before",
        "assigned_to",
        "status",
        "related_to",
    }
)
_NO_CHANGE_TIME = frozenset({"updated_after", "updated_before"})

M = TypeVar("M")


# -- native -> shared ------------------------------------------------------------------


def status_from_vendor(word: str | None) -> ActivityStatus | None:
    """The shared status for an Administrate status word (None for other words)."""
    if word is None:
        return None
    return _FROM_VENDOR.get(word.strip().lower())


#: The same, remembered per word: an instance has a handful of status words, and
#: a pull repeats them on every record.
_status = functools.lru_cache(maxsize=256)(status_from_vendor)

_NAIVE_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: IANA names of UTC itself: no offset, ever (the client's default is "UTC").
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Zulu"})


def utc_reader(zone: tzinfo) -> Callable[[datetime | None], datetime | None]:
    """A function reading a native time as aware UTC, naive times in ``zone``.

    Built once per zone, the same as :func:`~crmclients._converter.naive_to_utc`
    for every time: UTC and fixed offsets become one addition per time; other
    zones take the offset at that moment (summer time and folds included).
    Aware times are converted to UTC; None stays None.
    """
    if zone is UTC or (isinstance(zone, ZoneInfo) and zone.key in _UTC_NAMES):
        base = _UTC_EPOCH
    elif isinstance(zone, timezone):  # a fixed offset (timezone has no subclasses)
        base = _UTC_EPOCH - zone.utcoffset(None)
    else:

        def zoned(moment: datetime | None) -> datetime | None:
            if moment is None:
                return None
            if moment.tzinfo is None:
                return naive_to_utc(moment, zone)
            return moment if moment.tzinfo is UTC else moment.astimezone(UTC)

        return zoned

    def fixed(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        if moment.tzinfo is None:
            return base + (moment - _NAIVE_EPOCH)
        return moment if moment.tzinfo is UTC else moment.astimezone(UTC)

    return fixed


#: The shared Ref tables (id, name) -> Ref, read directly on the hot path.
_USERS = REFS.table(RefKind.USER)
_ACCOUNTS = REFS.table(RefKind.ACCOUNT)
_CONTACTS = REFS.table(RefKind.CONTACT)
_EVENTS = REFS.table(RefKind.EVENT)
_OPPORTUNITIES = REFS.table(RefKind.OPPORTUNITY)


def _new_ref(kind: RefKind, ident: int, name: str | None) -> Ref:
    """A Ref the shared tables do not hold yet (REFS makes and keeps it).

    Ids here are ints, for which REFS always gives a Ref.
    """
    return cast(Ref, REFS(kind, ident, name))


def _assignee(user_id: int | None, user: AdministrateUser | None) -> Ref | None:
    """Ref(USER, user_id, the embedded user's name), or None without a user id."""
    if user_id is None:
        return None
    name = user.name if user is not None else None
    ref = _USERS.get((user_id, name))
    return ref if ref is not None else _new_ref(RefKind.USER, user_id, name)


def _related(
    account_id: int | None,
    account: AdministrateAccount | None,
    contact_id: int | None,
    contact: AdministrateContact | None,
    event_id: int | None,
    event: AdministrateEvent | None,
    opportunity_id: int | None,
    opportunity: Mapping[str, Any] | None,
) -> tuple[Ref, ...]:
    """The task's links, in the order account, contact, event, opportunity.

    The account id is ``account_id``, else the embedded account's (single-task
    answers only embed the account). Refs come from the shared tables.
    """
    related: list[Ref] = []
    if account_id is None and account is not None:
        account_id = account.id
    if account_id is not None:
        name = account.name if account is not None else None
        ref = _ACCOUNTS.get((account_id, name))
        related.append(ref or _new_ref(RefKind.ACCOUNT, account_id, name))
    if contact_id is not None:
        name = contact.full_name if contact is not None else None
        ref = _CONTACTS.get((contact_id, name))
        related.append(ref or _new_ref(RefKind.CONTACT, contact_id, name))
    if event_id is not None:
        name = event.title if event is not None else None
        ref = _EVENTS.get((event_id, name))
        related.append(ref or _new_ref(RefKind.EVENT, event_id, name))
    if opportunity_id is not None:
        found = (opportunity or {}).get("name")
        name = found if isinstance(found, str) else None
        ref = _OPPORTUNITIES.get((opportunity_id, name))
        related.append(ref or _new_ref(RefKind.OPPORTUNITY, opportunity_id, name))
    return tuple(related)


def _task_fields(zone: tzinfo) -> dict[str, Source]:
    """Shared attribute -> source for a task whose naive times are in ``zone``."""
    utc = utc_reader(zone)
    return {
        "id": AsString("id"),
        "created_at": Call(utc, "created_on"),
        "raw": Raw(),
        "subject": Copy("subject"),
        "body": Copy("description"),
        "status": Call(_status, "status"),
        "vendor_status": Copy("status"),
        "starts_at": Call(utc, "start_datetime"),
        "ends_at": Call(utc, "end_datetime"),
        "due_at": Call(utc, "start_datetime"),  # the scheduled time is the start
        "assignee": Call(_assignee, "user_id", "user"),
        "related": Call(
            _related,
            "account_id",
            "account",
            "contact_id",
            "contact",
            "event_id",
            "event",
            "opportunity_id",
            "opportunity",
        ),
    }


@attrs.frozen
class TaskProjections:
    """The native -> shared mappings of tasks whose naive times are in one zone.

    Each is declared once (see the module's mapping table) and used two ways:
    ``from_native`` for single tasks, and compiled into one pass over the
    payloads of a pull (``Structurer.project_many``).

    Attributes:
        zone: The zone naive Administrate times are read in.
        task: AdministrateTask -> Task.
        activity: AdministrateTask -> Activity of kind TASK (the same fields).
    """

    zone: tzinfo
    task: Projection
    activity: Projection

    @classmethod
    def build(cls, zone: tzinfo) -> TaskProjections:
        """Declare the projections for ``zone`` (a client builds its own once)."""
        fields = _task_fields(zone)
        # checked="all": a pull also reads and checks the fields no shared field
        # shows (type_id, type, show_on_calendar), so it refuses exactly the
        # answers list_tasks refuses, with the same error.
        return cls(
            zone=zone,
            task=Projection(Task, fields, checked="all", vendor=VENDOR),
            activity=Projection(
                Activity,
                fields,
                checked="all",
                vendor=VENDOR,
                kind=ActivityKind.TASK,
            ),
        )


@functools.lru_cache(maxsize=32)
def _cached_projections(zone: tzinfo) -> TaskProjections:
    return TaskProjections.build(zone)


def projections_for(zone: tzinfo) -> TaskProjections:
    """The projections for ``zone``, built once per zone (for single tasks)."""
    try:
        return _cached_projections(zone)
    except TypeError:  # an unhashable tzinfo: build them for this call
        return TaskProjections.build(zone)


def task_from_native(task: AdministrateTask, tz: tzinfo = UTC) -> Task:
    """Map an Administrate task onto the shared model.

    Args:
        task: The native task.
        tz: The zone its naive times are in (the client's ``timezone=``).
    """
    result: Task = projections_for(tz).task.from_native(task)
    return result


def activity_from_native(task: AdministrateTask, tz: tzinfo = UTC) -> Activity:
    """Map an Administrate task onto the shared Activity model (kind TASK).

    The same fields as :func:`task_from_native`, as the ``activities`` collection's
    own model.
    """
    result: Activity = projections_for(tz).activity.from_native(task)
    return result


# -- shared -> native ------------------------------------------------------------------


def _local(value: Any, tz: tzinfo) -> Any:
    """An aware datetime as naive local time in ``tz``; anything else unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def _user_id(rules: Rules, field: str, value: Any) -> int:
    if isinstance(value, Ref):
        if value.kind is not RefKind.USER:
            rules.fail(field, f"must be a Ref of kind user, got {value.kind.value}")
        value = value.id
    return rules.id(field, value)


def _related_field(rules: Rules, field: str, ref: Any) -> tuple[str, int]:
    if not isinstance(ref, Ref):
        rules.fail(field, "must hold Refs, e.g. Ref(RefKind.ACCOUNT, '1')")
    target = RELATED_FIELDS.get(ref.kind)
    if target is None:
        kinds = ", ".join(kind.value for kind in RELATED_FIELDS)
        rules.fail(
            field,
            f"cannot link a {ref.kind.value} on Administrate tasks; kinds: {kinds}",
        )
    return target, rules.id(field, ref.id)


def _status_word(rules: Rules, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and not isinstance(value, ActivityStatus):
        word: str = value
        try:
            value = ActivityStatus(word.strip().lower())
        except ValueError:
            return word  # the instance's own word
    if isinstance(value, ActivityStatus):
        known = _TO_VENDOR.get(value)
        if known is None:
            rules.fail(
                "status",
                f"has no Administrate word for {value.value}; the known words are "
                "'Not Started' and 'Completed' (pass your instance's own word as a "
                "string)",
            )
        return known
    rules.fail("status", "must be an ActivityStatus or the vendor's status word")


def _query_filter(query: ListQuery, tz: tzinfo, operation: str) -> TaskFilter | None:
    """The v2 filter for the unified filters; None when nothing can match."""
    rules = Rules(VENDOR, operation)
    result = TaskFilter()
    for name, value in query.filters.items():
        if name in ("created_after", "created_before"):
            op = Operator.GTE if name.endswith("after") else Operator.LT
            result = result.where("created_on", op, _local(value, tz))
        elif name in ("scheduled_after", "scheduled_before"):
            op = Operator.GTE if name.endswith("after") else Operator.LT
            result = result.where("start_datetime", op, _local(value, tz))
        elif name == "assigned_to":
            result = result.where("user_id", Operator.EQ, _user_id(rules, name, value))
        elif name == "related_to":
            field, ident = _related_field(rules, name, value)
            result = result.where(field, Operator.EQ, ident)
        elif name == "status":
            words = []
            for item in value:
                word = (
                    _TO_VENDOR.get(item) if isinstance(item, ActivityStatus) else item
                )
                if word is not None and word not in words:
                    words.append(word)
            if not words:
                return None  # only statuses Administrate has no word for
            result = result.where("status", Operator.IN, words)
    return result


def _record_key(record: Any) -> int:
    """The task id of a shared record (its ``id`` is the native int, as a string)."""
    return int(record.id)


def _as_pulled(records: Sequence[M]) -> Sequence[M]:
    """A batch as the paging spec gives it: already shared records."""
    return records


def _task_listing(
    native: AdministrateClient,
    query: ListQuery,
    tz: tzinfo,
    projection: Projection,
    operation: str,
) -> Listing[Any]:
    """The keyset pull of ``/crm/tasks``, payloads mapped by ``projection``.

    Each batch goes from the answer's payloads to shared records in one
    generated pass (no native model in between), read and checked exactly as
    :meth:`AdministrateClient.list_tasks` reads them.
    """
    query_filter = _query_filter(query, tz, operation)
    if query_filter is None:
        return Listing(spec=SinglePage(fetch=lambda: Page([])), convert=_as_pulled)
    wire, keep_raw = native._wire, query.include_raw

    def list_batch(batch: TaskFilter) -> list[Any]:
        return wire.project_many(
            native._tasks_page(batch),
            AdministrateTask,
            projection,
            operation="tasks.list",
            keep_raw=keep_raw,
        )

    return Listing(
        spec=tasks_paging(list_batch, query_filter, key=_record_key),
        convert=_as_pulled,
    )


def _native_id(collection: str, operation: str, id: str) -> int:
    return Rules(VENDOR, f"{collection}.{operation}").id("id", id)


def _translated(call: Callable[[], Any], operation: str) -> Any:
    """Run ``call``, renaming native fields to shared ones in validation errors."""
    try:
        return call()
    except errors.ValidationError as exc:
        raise errors.ValidationError(
            field=_SHARED_NAMES.get(exc.field, exc.field),
            rule=exc.rule,
            vendor=VENDOR,
            operation=operation,
        ) from None


class TasksAdapter(CollectionAdapter[Task]):
    """``client.tasks`` on Administrate: list, get, create, update, delete."""

    name = "tasks"
    native_filters = _NATIVE_FILTERS
    writable = frozenset(
        {
            "subject",
            "body",
            "status",
            "starts_at",
            "due_at",
            "ends_at",
            "assignee",
            "related",
        }
    )
    required_on_create = frozenset({"status", "assignee", "related"})

    @classmethod
    def filter_mode(cls, name: str) -> Mode:
        """v2 tasks have no change time: updated_after/before are unsupported."""
        if name in _NO_CHANGE_TIME:
            return "unsupported"
        return super().filter_mode(name)

    @property
    def native(self) -> AdministrateClient:
        """The Administrate client."""
        client: AdministrateClient = self.adapter.native
        return client

    @property
    def projection(self) -> Projection:
        """AdministrateTask -> Task, in the client's zone."""
        adapter: AdministrateAdapter = self.adapter  # type: ignore[assignment]
        return adapter.projections.task

    def list(self, query: ListQuery) -> Listing[Task]:
        """Every task matching the query: v2 filters on the server, keyset paging."""
        return _task_listing(
            self.native, query, self.adapter.timezone, self.projection, "tasks.list"
        )

    def get(self, id: str) -> Task:
        """One task by id (``GET /api/v2/crm/tasks/:id``)."""
        task = self.native.get_task(_native_id(self.name, "get", id))
        return self._shared(task)

    def _shared(self, task: AdministrateTask) -> Task:
        result: Task = self.projection.from_native(task)
        return result

    def create(self, fields: Mapping[str, Any]) -> Task:
        """Create a task; needs an ACCOUNT Ref in ``related`` and the ``task_type_id`` setting."""
        adapter: AdministrateAdapter = self.adapter  # type: ignore[assignment]
        values = self._to_native(fields, "create")
        if "account_id" not in values:
            Rules(VENDOR, "tasks.create").fail(
                "related",
                "must include the task's account, Ref(RefKind.ACCOUNT, id): "
                "Administrate requires account_id",
            )
        if adapter.task_type_id is None:
            Rules(VENDOR, "tasks.create").fail(
                "task_type_id",
                "is needed to create tasks (Administrate requires type_id, which "
                "the shared model has no field for): pass task_type_id=... to "
                "crmclients.connect() or set CRMCLIENTS_ADMINISTRATE_TASK_TYPE_ID",
            )
        values["type_id"] = adapter.task_type_id
        task = _translated(lambda: self.native.create_task(**values), "tasks.create")
        return self._shared(task)

    def update(self, id: str, changes: Mapping[str, Any]) -> Task:
        """Change the given fields of a task (a partial ``PUT``)."""
        tid = _native_id(self.name, "update", id)
        values = self._to_native(changes, "update")
        if not values:
            return self.get(str(tid))
        task = _translated(
            lambda: self.native.update_task(tid, **values), "tasks.update"
        )
        return self._shared(task)

    def delete(self, id: str) -> None:
        """Delete a task (``DELETE /api/v2/crm/tasks/:id``)."""
        self.native.delete_task(_native_id(self.name, "delete", id))

    def _to_native(self, fields: Mapping[str, Any], operation: str) -> dict[str, Any]:
        rules = Rules(VENDOR, f"tasks.{operation}")
        tz = self.adapter.timezone
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "subject":
                out["subject"] = value
            elif name == "body":
                out["description"] = value
            elif name == "status":
                out["status"] = _status_word(rules, value)
            elif name in ("starts_at", "due_at"):
                moment = _local(value, tz)
                if "start_datetime" in out and out["start_datetime"] != moment:
                    rules.fail(
                        "due_at",
                        "is the start time on Administrate (start_datetime); it "
                        "must equal starts_at when both are given",
                    )
                out["start_datetime"] = moment
            elif name == "ends_at":
                out["end_datetime"] = _local(value, tz)
            elif name == "assignee":
                out["user_id"] = (
                    None if value is None else _user_id(rules, "assignee", value)
                )
            elif name == "related":
                out.update(self._links(rules, value, operation))
        return out

    @staticmethod
    def _links(rules: Rules, value: Any, operation: str) -> dict[str, Any]:
        refs = (value,) if isinstance(value, Ref) else value
        if refs is None or isinstance(refs, str) or not isinstance(refs, Sequence):
            rules.fail("related", "must be a Ref or a sequence of Refs")
        links: dict[str, Any] = {}
        for ref in refs:
            field, ident = _related_field(rules, "related", ref)
            if field in links:
                rules.fail("related", f"links one {ref.kind.value} at most")
            links[field] = ident
        if operation == "update":
            if "account_id" not in links:
                rules.fail(
                    "related",
                    "replaces the task's links and must include its account, "
                    "Ref(RefKind.ACCOUNT, id): Administrate requires account_id",
                )
            for field in RELATED_FIELDS.values():
                links.setdefault(field, None)
        return links


class ActivitiesAdapter(CollectionAdapter[Activity]):
    """``client.activities`` on Administrate: its tasks, as activities of kind TASK."""

    name = "activities"
    native_filters = _NATIVE_FILTERS

    @classmethod
    def filter_mode(cls, name: str) -> Mode:
        """v2 tasks have no change time: updated_after/before are unsupported."""
        if name in _NO_CHANGE_TIME:
            return "unsupported"
        return super().filter_mode(name)

    @property
    def projection(self) -> Projection:
        """AdministrateTask -> Activity of kind TASK, in the client's zone."""
        adapter: AdministrateAdapter = self.adapter  # type: ignore[assignment]
        return adapter.projections.activity

    def list(self, query: ListQuery) -> Listing[Activity]:
        """Every task as an activity of kind TASK, with the same filters as ``tasks``."""
        native: AdministrateClient = self.adapter.native
        return _task_listing(
            native, query, self.adapter.timezone, self.projection, "activities.list"
        )

    def get(self, id: str) -> Activity:
        """One task, as an activity of kind TASK."""
        native: AdministrateClient = self.adapter.native
        task = native.get_task(_native_id(self.name, "get", id))
        result: Activity = self.projection.from_native(task)
        return result


class AdministrateAdapter(VendorAdapter):
    """Administrate (legacy REST API v2): CRM tasks, also listed as activities.

    Args:
        native: The native client.
        task_type_id: The task type for ``tasks.create`` (Administrate requires
            one; the shared model has no field for it).

    Raises:
        ConfigurationError: ``task_type_id`` is not a positive integer.
    """

    vendor = VENDOR
    settings = (
        Setting(
            "subdomain",
            doc="acme for https://acme.administrateapp.com (or give base_url)",
        ),
        Setting(
            "username",
            required=True,
            doc="login of a web user whose Product is 'REST API'",
        ),
        Setting("password", required=True, secret=True, doc="that user's password"),
        Setting(
            "task_type_id",
            int,
            doc="task type id used by tasks.create (Administrate requires type_id)",
        ),
    )
    collections = {"tasks": TasksAdapter, "activities": ActivitiesAdapter}

    def __init__(
        self, native: AdministrateClient, *, task_type_id: int | None = None
    ) -> None:
        super().__init__(native, timezone=native.timezone)
        given: object = task_type_id
        if given is not None and (
            isinstance(given, bool) or not isinstance(given, int) or given < 1
        ):
            raise errors.ConfigurationError(
                f"task_type_id must be a positive integer, got {task_type_id!r}",
                vendor=VENDOR,
            )
        self.task_type_id = task_type_id
        self._projections = TaskProjections.build(self.timezone)

    @property
    def projections(self) -> TaskProjections:
        """This client's native -> shared projections, for its ``timezone``.

        Built once per client: their compiled pull functions belong to this
        client's structurer and go away with it.
        """
        built = self._projections
        if built.zone is not self.timezone:  # the zone was changed after connect
            built = self._projections = TaskProjections.build(self.timezone)
        return built

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> AdministrateAdapter:
        """Build the native client (and the create task type) from resolved settings."""
        values = dict(settings)
        task_type_id = values.pop("task_type_id", None)
        return cls(AdministrateClient(**values), task_type_id=task_type_id)
