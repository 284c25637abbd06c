"""iVvy behind the common Client: CRM activities and tasks.

Activities (native -> shared):

=========================  ===============================================
iVvy (getActivityList)     crmclients.models.Activity
=========================  ===============================================
id                         id (string)
subType 1 / 2 / 3          kind MEETING / CALL / EMAIL (other values: OTHER)
name                       subject
description                body
startDatetime              starts_at, and due_at (its scheduled time)
endDatetime                ends_at
location                   location
priority                   priority (when the server sends it)
assignedUserId,            assignee: Ref(USER, id, name)
assignedUserFullName
contactId                  related: Ref(CONTACT, id)
companyId                  related: Ref(COMPANY, id)
leadId                     related: Ref(LEAD, id)
venueId                    related: Ref(VENUE, id)
createdDate                created_at (aware UTC)
modifiedDate               updated_at (aware UTC)
purposeName/Type,          raw only (``client.native`` has them typed)
companyContactId,
assignedUserEmail
=========================  ===============================================

Tasks (native -> shared):

=========================  ===============================================
iVvy (getTaskList)         crmclients.models.Task
=========================  ===============================================
id                         id (string)
name, description          subject, body
status 0 / 1 / 2 / 3 / 4   status NOT_STARTED / IN_PROGRESS / ON_HOLD /
                           CANCELLED / COMPLETED; vendor_status the iVvy
                           word ("Not Started"...)
startDatetime              starts_at
endDatetime                due_at (the task's due time)
priority                   priority
assignedUserId, ...Name    assignee: Ref(USER, id, name)
contactId, companyId,      related: Ref(CONTACT / COMPANY / LEAD / VENUE)
leadId, venueId
createdDate, modifiedDate  created_at, updated_at
bookingId, progress,       raw only
userFullName, userEmail
=========================  ===============================================

Both tables are declared once, as the projections ``ACTIVITY`` and ``TASK``:
``get``, ``create`` and ``update`` map a native model with ``from_native``; pulls
compile them into one pass from the page payloads to shared records (no native
model in between), which reads and checks every native field as the native model
does, so both paths give the same records and the same errors.

Writes go the other way through ``crm?action=addOrUpdateActivity`` /
``addOrUpdateTask``; ``related`` takes one contact, company or lead Ref (a company
plus a contact is allowed and attaches the contact to the company), a LEAD or
OPPORTUNITY Ref needs a VENUE Ref beside it. ``get`` reads one record through the
list action filtered on ``id``.
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from crmclients import errors
from crmclients._client import CollectionAdapter, Listing, ListQuery, VendorAdapter
from crmclients._projection import (
    REFS,
    AsString,
    Call,
    Copy,
    Projection,
    Raw,
)
from crmclients._rules import Rules
from crmclients.config import Setting
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Priority,
    Record,
    Ref,
    RefKind,
    Task,
)
from crmclients.vendors.ivvy import _wire
from crmclients.vendors.ivvy._auth import ivvy_timestamp
from crmclients.vendors.ivvy._paging import list_paging
from crmclients.vendors.ivvy.client import IvvyClient
from crmclients.vendors.ivvy.models import (
    ActivityList,
    IvvyActivity,
    IvvyTask,
    ListMeta,
    SubType,
    TaskList,
    TaskStatus,
)

VENDOR = "ivvy"
M = TypeVar("M", bound=Record)

KINDS: Mapping[int, ActivityKind] = {
    SubType.MEETING: ActivityKind.MEETING,
    SubType.CALL: ActivityKind.CALL,
    SubType.EMAIL: ActivityKind.EMAIL,
}
SUB_TYPES: Mapping[ActivityKind, SubType] = {
    kind: SubType(number) for number, kind in KINDS.items()
}
STATUSES: Mapping[int, ActivityStatus] = {
    TaskStatus.NOT_STARTED: ActivityStatus.NOT_STARTED,
    TaskStatus.IN_PROGRESS: ActivityStatus.IN_PROGRESS,
    TaskStatus.ON_HOLD: ActivityStatus.ON_HOLD,
    TaskStatus.CANCELLED: ActivityStatus.CANCELLED,
    TaskStatus.COMPLETED: ActivityStatus.COMPLETED,
}
TASK_STATUSES: Mapping[ActivityStatus, TaskStatus] = {
    status: TaskStatus(number) for number, status in STATUSES.items()
}
#: Ref kind -> the native parameter it fills (reads give LEAD for leadId).
RELATION_PARAMS: Mapping[RefKind, str] = {
    RefKind.CONTACT: "contact_id",
    RefKind.COMPANY: "company_id",
    RefKind.LEAD: "lead_id",
    RefKind.OPPORTUNITY: "lead_id",
    RefKind.VENUE: "venue_id",
}
#: Native parameter -> shared field, for messages about native rules.
_SHARED_NAMES: Mapping[str, str] = {
    "name": "subject",
    "description": "body",
    "sub_type": "kind",
    "start_datetime": "starts_at",
    "end_datetime": "ends_at",
    "assigned_user_id": "assignee",
    "contact_id": "related",
    "company_id": "related",
    "lead_id": "related",
    "venue_id": "related",
}

# Pulls map every record, so the per-record lookups are precomputed: plain dicts
# for the enumerations, and the shared Ref tables read directly (a hit is a dict
# lookup; a miss goes through REFS, which builds and stores the Ref).
_KIND_OF: Mapping[int | None, ActivityKind] = {
    int(number): kind for number, kind in KINDS.items()
}
_STATUS_OF: Mapping[int | None, ActivityStatus] = {
    int(number): status for number, status in STATUSES.items()
}
_WORD_OF: Mapping[int | None, str] = {
    int(number): TaskStatus(number).label for number in STATUSES
}
_PRIORITIES: Mapping[str, Priority] = {p.value: p for p in Priority}
_USERS = REFS.table(RefKind.USER)
_CONTACTS = REFS.table(RefKind.CONTACT)
_COMPANIES = REFS.table(RefKind.COMPANY)
_LEADS = REFS.table(RefKind.LEAD)
_VENUES = REFS.table(RefKind.VENUE)


def _new_ref(kind: RefKind, id: int, name: str | None = None) -> Ref:
    """A Ref missing from the shared tables: REFS makes and keeps it.

    REFS gives None for an empty id, which an iVvy integer id never is; a record
    built by hand with one still gets its Ref, as it always did.
    """
    return REFS(kind, id, name) or Ref(kind, str(id), name=name)


def _assignee(id: int | None, name: str | None) -> Ref | None:
    """The (shared) USER Ref of ``assignedUserId`` and ``assignedUserFullName``."""
    if id is None:
        return None
    return _USERS.get((id, name)) or _new_ref(RefKind.USER, id, name)


def _related(
    contact: int | None, company: int | None, lead: int | None, venue: int | None
) -> tuple[Ref, ...]:
    """CONTACT, COMPANY, LEAD and VENUE Refs, in that order, for the ids present."""
    refs: list[Ref] = []
    if contact is not None:
        refs.append(
            _CONTACTS.get((contact, None)) or _new_ref(RefKind.CONTACT, contact)
        )
    if company is not None:
        refs.append(
            _COMPANIES.get((company, None)) or _new_ref(RefKind.COMPANY, company)
        )
    if lead is not None:
        refs.append(_LEADS.get((lead, None)) or _new_ref(RefKind.LEAD, lead))
    if venue is not None:
        refs.append(_VENUES.get((venue, None)) or _new_ref(RefKind.VENUE, venue))
    return tuple(refs)


def _kind(sub_type: int | None) -> ActivityKind:
    """``subType`` 1 / 2 / 3 as MEETING / CALL / EMAIL; anything else is OTHER."""
    return _KIND_OF.get(sub_type, ActivityKind.OTHER)


def _status(status: int | None) -> ActivityStatus | None:
    """A task ``status`` 0-4 on the shared lifecycle; other values give None."""
    return _STATUS_OF.get(status)


def _vendor_status(status: int | None) -> str | None:
    """iVvy's word for a task ``status`` ("Not Started"...), or the number as text."""
    word = _WORD_OF.get(status)
    if word is None and status is not None:
        return str(status)
    return word


def _priority(value: str | None) -> Priority | None:
    """``low`` / ``medium`` / ``high``, read loosely; other words give None."""
    if value is None:
        return None
    known = _PRIORITIES.get(value) if value.__class__ is str else None
    if known is not None:
        return known
    try:
        return Priority(value.strip().lower())
    except ValueError:
        return None


#: iVvy activity -> shared Activity (the table above), declared once: used for
#: single records (``from_native``) and compiled into one pass over payloads for
#: pulls.
ACTIVITY = Projection(
    Activity,
    checked="all",
    vendor=VENDOR,
    fields={
        "id": AsString("id"),
        "created_at": Copy("created_date"),
        "updated_at": Copy("modified_date"),
        "raw": Raw(),
        "kind": Call(_kind, "sub_type"),
        "subject": Copy("name"),
        "body": Copy("description"),
        "starts_at": Copy("start_datetime"),
        "ends_at": Copy("end_datetime"),
        "due_at": Copy("start_datetime"),
        "priority": Call(_priority, "priority"),
        "location": Copy("location"),
        "assignee": Call(_assignee, "assigned_user_id", "assigned_user_full_name"),
        "related": Call(_related, "contact_id", "company_id", "lead_id", "venue_id"),
    },
)

#: iVvy task -> shared Task (the table above), declared once like ACTIVITY.
TASK = Projection(
    Task,
    checked="all",
    vendor=VENDOR,
    fields={
        "id": AsString("id"),
        "created_at": Copy("created_date"),
        "updated_at": Copy("modified_date"),
        "raw": Raw(),
        "subject": Copy("name"),
        "body": Copy("description"),
        "status": Call(_status, "status"),
        "vendor_status": Call(_vendor_status, "status"),
        "starts_at": Copy("start_datetime"),
        "due_at": Copy("end_datetime"),
        "priority": Call(_priority, "priority"),
        "assignee": Call(_assignee, "assigned_user_id", "assigned_user_full_name"),
        "related": Call(_related, "contact_id", "company_id", "lead_id", "venue_id"),
    },
)


def activity_from_native(a: IvvyActivity) -> Activity:
    """Map an iVvy activity onto the shared model."""
    result: Activity = ACTIVITY.from_native(a)
    return result


def task_from_native(t: IvvyTask) -> Task:
    """Map an iVvy task onto the shared model."""
    result: Task = TASK.from_native(t)
    return result


def _as_converted(records: Sequence[M]) -> Sequence[M]:
    """A pull's pages, already shared records (made in the page fetch)."""
    return records


def _seconds_up(moment: datetime) -> datetime:
    """``moment`` rounded up to a whole second (iVvy times have no fractions)."""
    whole = moment.replace(microsecond=0)
    return whole + timedelta(seconds=1) if moment.microsecond else whole


def _native_id(id: str, operation: str) -> int:
    return Rules(VENDOR, operation).id("id", id)


def _ref_id(rules: Rules, field: str, ref: Ref) -> int:
    return rules.id(field, ref.id)


def _looks_like_id(text: str) -> bool:
    """Digits only (of any script, blanks around): meant as a user id, not a name.

    Such an ``assigned_to`` is then checked strictly as an id, so ``'١٢'`` or
    ``' 12'`` is an error rather than a search for a user of that full name.
    """
    stripped = text.strip()
    return bool(stripped) and all(c.isdigit() for c in stripped)


def _enum_value(rules: Rules, field: str, value: Any, cls: type[enum.Enum]) -> Any:
    if isinstance(value, cls):
        return value
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        rules.fail(field, f"must be one of {allowed}, got {value!r:.40}")


class _IvvyCollection(CollectionAdapter[M]):
    """What activities and tasks share: filters, get, writes and messages."""

    #: The field iVvy schedules on (activities start, tasks are due).
    scheduled_field: ClassVar[str]
    #: "activity" or "task", for messages.
    noun: ClassVar[str]
    #: Native parameter -> shared field, for messages about native rules.
    shared_names: ClassVar[Mapping[str, str]] = _SHARED_NAMES

    native_filters = frozenset(
        {
            "created_after",
            "created_before",
            "updated_after",
            "updated_before",
            "scheduled_after",
            "scheduled_before",
            "assigned_to",
            "related_to",
        }
    )
    emulated = frozenset({"get"})

    @property
    def native(self) -> IvvyClient:
        """The iVvy client."""
        client: IvvyClient = self.adapter.native
        return client

    # -- to override -----------------------------------------------------------------

    #: The native model of the list action's results.
    native_cls: ClassVar[type[IvvyActivity | IvvyTask]]
    #: Native model -> shared record.
    projection: ClassVar[Projection]
    #: The list action, as errors name it (``crm.getActivityList``).
    list_operation: ClassVar[str]

    def list_page(self, **kwargs: Any) -> ActivityList | TaskList:
        """One page of the native list action."""
        raise NotImplementedError

    def payload_page(self, **kwargs: Any) -> tuple[ListMeta, builtins.list[Any]]:
        """One page of the native list action: its meta and the result payloads."""
        raise NotImplementedError

    def save(self, **kwargs: Any) -> int:
        """The native addOrUpdate action."""
        raise NotImplementedError

    def to_native(self, rules: Rules, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Shared fields -> native arguments (relations excluded)."""
        raise NotImplementedError

    # -- mapping -------------------------------------------------------------------

    def convert(self, items: Sequence[Any]) -> builtins.list[M]:
        """Native records -> shared records."""
        from_native = self.projection.from_native
        return [from_native(item) for item in items]

    def project(self, payloads: builtins.list[Any], keep_raw: bool) -> builtins.list[M]:
        """Result payloads -> shared records, in one generated pass.

        A page where some payload spells a time ``startDateTime`` /
        ``endDateTime`` (or is not a dict) is read as native models first, whose
        hook accepts both spellings; the records and errors are the same.
        """
        wire = self.native._wire
        if _wire.documented_spelling(payloads):
            records: builtins.list[M] = wire.project_many(
                payloads,
                self.native_cls,
                self.projection,
                path="$.results",
                operation=self.list_operation,
                keep_raw=keep_raw,
            )
            return records
        natives = wire.structure_many(
            payloads,
            self.native_cls,
            path="$.results",
            operation=self.list_operation,
            keep_raw=keep_raw,
        )
        return self.convert(natives)

    # -- operations ----------------------------------------------------------------

    def list(self, query: ListQuery) -> Listing[M]:
        """Pull through the native list action with the server-side filters.

        Each page goes from the payloads straight to shared records, inside the
        page fetch: the paging engine checks the pages' overlap on those records'
        ids (as it did on the native models'), and errors come when the page is
        read, as they did.
        """
        filter, venue = self.server_filters(query.filters)
        keep_raw = query.include_raw

        def fetch(**kwargs: Any) -> tuple[ListMeta, builtins.list[M]]:
            meta, payloads = self.payload_page(**kwargs)
            return meta, self.project(payloads, keep_raw)

        spec = list_paging(fetch, venue_id=venue, filter=filter or None)
        return Listing(spec=spec, convert=_as_converted)

    def get(self, id: str) -> M:
        """One record, read through the list action filtered on ``id``.

        Raises:
            NotFoundError: No record has this id.
        """
        operation = f"{self.name}.get"
        nid = _native_id(id, operation)
        page = self.list_page(filter={"id": nid}, per_page=1)
        for record in page.results:
            if record.id == nid:
                return self.convert([record])[0]
        raise errors.NotFoundError(
            f"no {self.noun} with id {nid}",
            vendor=VENDOR,
            operation=operation,
            details={"filter": {"id": nid}},
        )

    def create(self, fields: Mapping[str, Any]) -> M:
        """Create through addOrUpdate (no id) and read the record back."""
        native = self._native_fields(fields, "create")
        new_id = self._translate(lambda: self.save(**native), "create")
        return self.get(str(new_id))

    def update(self, id: str, changes: Mapping[str, Any]) -> M:
        """Update through addOrUpdate (with the id) and read the record back."""
        operation = f"{self.name}.update"
        nid = _native_id(id, operation)
        native = self._native_fields(changes, "update")
        if native:
            self._translate(lambda: self.save(id=nid, **native), "update")
        return self.get(str(nid))

    # -- helpers ---------------------------------------------------------------------

    def server_filters(
        self, filters: Mapping[str, Any]
    ) -> tuple[dict[str, Any], int | None]:
        """Unified filters -> the iVvy ``filter`` object and ``venueId``.

        LESSTHAN and GREATERTHAN include the bound, and iVvy times are whole
        seconds, so ``x_before=t`` becomes ``<= ceil(t) - 1 s`` and ``x_after=t``
        becomes ``>= ceil(t)``: exactly the unified ``<`` and ``>=``.
        """
        rules = Rules(VENDOR, f"{self.name}.list")
        out: dict[str, Any] = {}
        venue: int | None = None
        fields = {
            "created": "createdDate",
            "updated": "modifiedDate",
            "scheduled": self.scheduled_field,
        }
        for name, value in filters.items():
            prefix, _, side = name.partition("_")
            if side in ("after", "before"):
                bound = _seconds_up(value)
                if side == "after":
                    out[f"{fields[prefix]}__GREATERTHAN"] = ivvy_timestamp(bound)
                else:
                    out[f"{fields[prefix]}__LESSTHAN"] = ivvy_timestamp(
                        bound - timedelta(seconds=1)
                    )
            elif name == "assigned_to":
                if isinstance(value, Ref):
                    if value.kind is not RefKind.USER:
                        rules.fail(name, "must be a USER Ref (iVvy assigns to users)")
                    out["assignedUserId"] = _ref_id(rules, name, value)
                elif _looks_like_id(value):
                    out["assignedUserId"] = rules.id(name, value)
                else:
                    out["assignedUserFullName"] = rules.text(name, value, required=True)
            elif name == "related_to":
                param = RELATION_PARAMS.get(value.kind)
                if param is None:
                    rules.fail(
                        name,
                        "must be a CONTACT, COMPANY, LEAD, OPPORTUNITY or VENUE Ref "
                        f"on iVvy, got {value.kind.value}",
                    )
                if param == "venue_id":
                    venue = _ref_id(rules, name, value)
                else:
                    wire = {
                        "contact_id": "contactId",
                        "company_id": "companyId",
                        "lead_id": "leadId",
                    }
                    out[wire[param]] = _ref_id(rules, name, value)
        return out, venue

    def _native_fields(
        self, fields: Mapping[str, Any], operation: str
    ) -> dict[str, Any]:
        rules = Rules(VENDOR, f"{self.name}.{operation}")
        native = self.to_native(rules, fields)
        if "assignee" in fields:
            value = fields["assignee"]
            if value is None:
                native["assigned_user_id"] = None
            elif isinstance(value, Ref):
                if value.kind is not RefKind.USER:
                    rules.fail("assignee", "must be a USER Ref (iVvy assigns to users)")
                native["assigned_user_id"] = _ref_id(rules, "assignee", value)
            else:
                native["assigned_user_id"] = value
        if "priority" in fields:
            value = fields["priority"]
            native["priority"] = (
                None
                if value is None
                else _enum_value(rules, "priority", value, Priority).value
            )
        if "related" in fields:
            native.update(self._relations(rules, fields["related"], operation))
        return native

    def _relations(self, rules: Rules, value: Any, operation: str) -> dict[str, Any]:
        if value is None or isinstance(value, Ref):
            value = () if value is None else (value,)
        if not isinstance(value, Sequence) or isinstance(value, str):
            rules.fail("related", "must be a sequence of Refs")
        out: dict[str, Any] = {}
        for ref in value:
            if not isinstance(ref, Ref):
                rules.fail("related", f"must hold Refs, got {type(ref).__name__}")
            param = RELATION_PARAMS.get(ref.kind)
            if param is None:
                rules.fail(
                    "related",
                    "can only hold CONTACT, COMPANY, LEAD, OPPORTUNITY and VENUE Refs "
                    f"on iVvy, got {ref.kind.value}",
                )
            if param in out:
                rules.fail("related", f"holds more than one {param[:-3]}")
            out[param] = _ref_id(rules, "related", ref)
        if not out and operation == "update":
            rules.fail(
                "related",
                f"cannot be emptied: an iVvy {self.noun} stays attached to what it "
                "belongs to",
            )
        owners = [p for p in ("contact_id", "company_id", "lead_id") if p in out]
        if len(owners) > 1 and set(owners) != {"contact_id", "company_id"}:
            rules.fail(
                "related",
                "can hold only one of a contact, a company or a lead/opportunity "
                "(a company plus a contact is allowed: iVvy attaches the contact to "
                "the company)",
            )
        if "lead_id" in out and "venue_id" not in out:
            rules.fail(
                "related",
                "needs a VENUE Ref beside a LEAD/OPPORTUNITY Ref (iVvy requires "
                "venueId with leadId)",
            )
        return out

    def _translate(self, call: Callable[[], int], operation: str) -> int:
        try:
            return call()
        except errors.ValidationError as exc:
            raise errors.ValidationError(
                field=self.shared_names.get(exc.field, exc.field),
                rule=exc.rule,
                vendor=VENDOR,
                operation=f"{self.name}.{operation}",
            ) from None


class ActivitiesAdapter(_IvvyCollection[Activity]):
    """``client.activities`` on iVvy: meetings, calls and emails."""

    name = "activities"
    noun = "activity"
    scheduled_field = "startDatetime"
    writable = frozenset(
        {
            "kind",
            "subject",
            "body",
            "starts_at",
            "ends_at",
            "location",
            "priority",
            "assignee",
            "related",
        }
    )
    required_on_create = frozenset({"kind", "subject", "body"})

    native_cls = IvvyActivity
    projection = ACTIVITY
    list_operation = "crm.getActivityList"

    def list_page(self, **kwargs: Any) -> ActivityList:
        """One page of ``crm?action=getActivityList``."""
        return self.native.get_activity_list(**kwargs)

    def payload_page(self, **kwargs: Any) -> tuple[ListMeta, builtins.list[Any]]:
        """One page of ``crm?action=getActivityList``, its results unstructured."""
        return self.native._activity_page(**kwargs)

    def save(self, **kwargs: Any) -> int:
        """``crm?action=addOrUpdateActivity``."""
        return self.native.add_or_update_activity(**kwargs)

    def to_native(self, rules: Rules, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Shared activity fields -> addOrUpdateActivity arguments."""
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "kind":
                kind = _enum_value(rules, "kind", value, ActivityKind)
                if kind not in SUB_TYPES:
                    rules.fail(
                        "kind",
                        "must be meeting, call or email on iVvy (subType 1, 2, 3), "
                        f"got {kind.value}",
                    )
                out["sub_type"] = SUB_TYPES[kind]
            elif name == "subject":
                out["name"] = value
            elif name == "body":
                out["description"] = value
            elif name == "starts_at":
                out["start_datetime"] = value
            elif name == "ends_at":
                out["end_datetime"] = value
            elif name == "location":
                out["location"] = value
        return out


class TasksAdapter(_IvvyCollection[Task]):
    """``client.tasks`` on iVvy."""

    name = "tasks"
    noun = "task"
    scheduled_field = "endDatetime"
    shared_names = {**_SHARED_NAMES, "end_datetime": "due_at"}
    writable = frozenset(
        {"subject", "body", "status", "due_at", "priority", "assignee", "related"}
    )
    required_on_create = frozenset({"subject", "due_at"})

    native_cls = IvvyTask
    projection = TASK
    list_operation = "crm.getTaskList"

    def list_page(self, **kwargs: Any) -> TaskList:
        """One page of ``crm?action=getTaskList``."""
        return self.native.get_task_list(**kwargs)

    def payload_page(self, **kwargs: Any) -> tuple[ListMeta, builtins.list[Any]]:
        """One page of ``crm?action=getTaskList``, its results unstructured."""
        return self.native._task_page(**kwargs)

    def save(self, **kwargs: Any) -> int:
        """``crm?action=addOrUpdateTask``."""
        return self.native.add_or_update_task(**kwargs)

    def to_native(self, rules: Rules, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Shared task fields -> addOrUpdateTask arguments."""
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "subject":
                out["name"] = value
            elif name == "body":
                out["description"] = value
            elif name == "due_at":
                out["end_datetime"] = value
            elif name == "status":
                if value is None:
                    out["status"] = None
                    continue
                status = _enum_value(rules, "status", value, ActivityStatus)
                if status not in TASK_STATUSES:
                    rules.fail(
                        "status",
                        "must be not_started, in_progress, on_hold, cancelled or "
                        f"completed on iVvy, got {status.value}",
                    )
                out["status"] = TASK_STATUSES[status]
        return out


class IvvyAdapter(VendorAdapter):
    """iVvy: CRM activities and tasks (list, get, create, update)."""

    vendor = VENDOR
    settings = (
        Setting(
            "api_key",
            required=True,
            secret=True,
            doc="API key issued by iVvy support",
        ),
        Setting(
            "api_secret",
            required=True,
            secret=True,
            doc="API secret (signs every request; never sent)",
        ),
        Setting("region", doc="au (default), us or uk: the iVvy platform host"),
    )
    collections = {"activities": ActivitiesAdapter, "tasks": TasksAdapter}

    def __init__(self, native: IvvyClient) -> None:
        super().__init__(native, timezone=native.timezone)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> IvvyAdapter:
        """Build the iVvy client from resolved settings."""
        return cls(IvvyClient(**settings))
