"""The iVvy native client: the crm activity and task actions, and ``test?action=ping``.

Every call is a signed ``POST /api/1.0/{namespace}?action={action}`` with a JSON
body (reads included). Docs: https://developer.ivvy.com/crm/add-or-update-activity
and VENDORS.md (section "2. iVvy").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Unpack

import attrs

from crmclients import errors
from crmclients._converter import require_mapping
from crmclients._paging import Pager, Workers
from crmclients._requestor import (
    CommonOptions,
    NativeClient,
    build_requestor,
    resolve_timezone,
)
from crmclients._rules import NOT_SET, Rules, ascii_int
from crmclients._types import _NotSet
from crmclients.config import missing_setting
from crmclients.vendors.ivvy import _wire
from crmclients.vendors.ivvy._auth import (
    TIMESTAMP_FORMAT,
    IvvySigner,
    SigningRedactor,
    ivvy_timestamp,
)
from crmclients.vendors.ivvy._errors import IvvyEnvelope
from crmclients.vendors.ivvy._paging import DEFAULT_PER_PAGE, list_paging
from crmclients.vendors.ivvy.models import (
    PRIORITIES,
    ActivityList,
    IvvyActivity,
    IvvyPing,
    IvvyTask,
    ListMeta,
    SubType,
    TaskList,
    TaskStatus,
)

__all__ = [
    "ACTIVITY_FILTER_FIELDS",
    "FILTER_MODIFIERS",
    "REGIONS",
    "TASK_FILTER_FIELDS",
    "WRITES",
    "IvvyClient",
]

VENDOR = "ivvy"
DEFAULT_TIMEZONE = "UTC"
API_PREFIX = "/api/1.0"

#: Region -> iVvy platform host (HTTPS only).
REGIONS: Mapping[str, str] = {
    "au": "api.ap-southeast-2.ivvy.com",
    "us": "api.us-west-2.ivvy.com",
    "uk": "api.eu-west-2.ivvy.com",
}
#: Every write this client sends, and whether replaying it is safe. An
#: addOrUpdate* with an id sets the same fields again; without one it creates a
#: record, so a replay could create a second one (AmbiguousWriteError instead).
WRITES: Mapping[str, bool] = {
    "crm.addOrUpdateActivity (create)": False,
    "crm.addOrUpdateActivity (update)": True,
    "crm.addOrUpdateTask (create)": False,
    "crm.addOrUpdateTask (update)": True,
}
#: The documented filter modifiers (appended to a field as ``field__MODIFIER``).
FILTER_MODIFIERS: frozenset[str] = frozenset(
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
#: The value iVvy documents for "is null" in a filter.
ISNULL = "ISNULL"
#: Filterable fields of getActivityList: the fields of its documented results.
ACTIVITY_FILTER_FIELDS: frozenset[str] = frozenset(
    {"id", "name", "description", "location", *_wire.ACTIVITY_RENAMES.values()}
)
#: Filterable fields of getTaskList: the fields of its documented results.
TASK_FILTER_FIELDS: frozenset[str] = frozenset(
    {"id", "name", "description", "status", "priority", "progress"}
    | set(_wire.TASK_RENAMES.values())
)
_TIMESTAMP_FIELDS = frozenset(
    {"startDatetime", "endDatetime", "createdDate", "modifiedDate"}
)
#: Python attribute names accepted in filters, as wire names.
_FILTER_ALIASES: Mapping[str, str] = {
    **_wire.ACTIVITY_RENAMES,
    **_wire.TASK_RENAMES,
}
#: Modifiers under which a timestamp field's value is a moment (normalised to UTC).
_COMPARISONS = frozenset({"", "NOT", "LESSTHAN", "GREATERTHAN"})
#: Both spellings of the null test the docs use (ISNULL in the text, __ISNULL__ in
#: the example); ISNULL is sent.
_NULL_VALUES = frozenset({"ISNULL", "__ISNULL__"})
#: Result fields holding integer ids: compared, their values are checked as ids.
_ID_FIELDS = frozenset(
    {"id"}
    | {
        wire
        for attr, wire in {**_wire.ACTIVITY_RENAMES, **_wire.TASK_RENAMES}.items()
        if attr.endswith("_id")
    }
)
_IVVY_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}( UTC)?")
_SUBTYPES = ", ".join(f"{s.value} ({s.label})" for s in SubType)
_STATUSES = ", ".join(f"{s.value} ({s.label})" for s in TaskStatus)


@attrs.frozen
class _Param:
    """A documented write parameter: its wire name and how to check it."""

    wire: str
    kind: str


_RELATIONS = ("contact_id", "company_id", "lead_id")
ACTIVITY_PARAMS: Mapping[str, _Param] = {
    "id": _Param("id", "id"),
    "venue_id": _Param("venueId", "id"),
    "lead_id": _Param("leadId", "id"),
    "contact_id": _Param("contactId", "id"),
    "company_id": _Param("companyId", "id"),
    "name": _Param("name", "text"),
    "description": _Param("description", "text"),
    "sub_type": _Param("subType", "sub_type"),
    "purpose_id": _Param("purposeId", "id"),
    "start_datetime": _Param("startDatetime", "timestamp"),
    "end_datetime": _Param("endDatetime", "timestamp"),
    "location": _Param("location", "text"),
    "priority": _Param("priority", "priority"),
    "assigned_user_id": _Param("assignedUserId", "id"),
}
TASK_PARAMS: Mapping[str, _Param] = {
    "id": _Param("id", "id"),
    "venue_id": _Param("venueId", "id"),
    "lead_id": _Param("leadId", "id"),
    "contact_id": _Param("contactId", "id"),
    "company_id": _Param("companyId", "id"),
    "name": _Param("name", "text"),
    "end_datetime": _Param("endDatetime", "timestamp"),
    "priority": _Param("priority", "priority"),
    "assigned_user_id": _Param("assignedUserId", "id"),
    "status": _Param("status", "status"),
    "description": _Param("description", "text"),
}
#: What addOrUpdate* needs when ``id`` is missing (a create).
ACTIVITY_REQUIRED = ("name", "description", "sub_type")
TASK_REQUIRED = ("name", "end_datetime")

IdArg = int | str | _NotSet | None
TextArg = str | _NotSet | None
TimeArg = datetime | str | _NotSet | None


class IvvyClient(NativeClient):
    """iVvy's CRM activities and tasks, action by action, with its own models.

    Args:
        api_key: The API key issued by iVvy support.
        api_secret: The API secret (only ever used to sign; never sent).
        region: ``au`` (default), ``us`` or ``uk``: the platform host
            (api.ap-southeast-2 / api.us-west-2 / api.eu-west-2 .ivvy.com).
        clock: Returns the current aware UTC time for ``IVVY-Date`` (tests).
        **options: ``base_url`` (replaces the region host; ``/api/1.0`` is kept),
            ``timeout``, ``retry``, ``rate_limit``, ``session``, ``timezone`` (for
            naive datetimes you pass; default UTC, iVvy's zone), ``verify``,
            ``allow_http``.

    Raises:
        ConfigurationError: A missing key or secret, or an unknown region.
    """

    vendor = VENDOR

    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str,
        region: str = "au",
        clock: Callable[[], datetime] | None = None,
        **options: Unpack[CommonOptions],
    ) -> None:
        if not api_key:
            raise missing_setting(VENDOR, "api_key")
        if not api_secret:
            raise missing_setting(VENDOR, "api_secret")
        root = options.get("base_url")
        if not root:
            host = REGIONS.get(str(region).strip().lower())
            if host is None:
                raise errors.ConfigurationError(
                    f"unknown region {region!r}",
                    vendor=VENDOR,
                    hint=f"choose one of {', '.join(REGIONS)}, or pass base_url=",
                )
            root = f"https://{host}"
        self.region = str(region).strip().lower()
        self.redactor = SigningRedactor([api_key, api_secret])
        self.timezone: tzinfo = resolve_timezone(
            options.get("timezone"), DEFAULT_TIMEZONE, vendor=VENDOR
        )
        signer_options = {} if clock is None else {"clock": clock}
        self._signer = IvvySigner(
            api_key, api_secret, redactor=self.redactor, **signer_options
        )
        self._wire = _wire.structurer()
        self._requestor = build_requestor(
            vendor=VENDOR,
            root_url=root,
            prefix=API_PREFIX,
            envelope=IvvyEnvelope(lambda: self._signer.last_signed_at),
            auth=self._signer,
            redactor=self.redactor,
            credential_key=api_key,
            options=options,
        )
        self.base_url = self._requestor.base_url

    def __repr__(self) -> str:
        return (
            f"IvvyClient(base_url={self.base_url!r}, api_key=[secure], "
            "api_secret=[secure])"
        )

    # -- test ----------------------------------------------------------------------------

    def ping(self) -> IvvyPing:
        """Check that the keys and the signature work.

        :calls: ``POST /api/1.0/test?action=ping`` (no parameters, empty body)

        Returns:
            The acknowledgement, with the server's timestamp when it sends one.

        Raises:
            AuthenticationError: The key, the secret or the signature was refused.
            ClockSkewError: The request was stale (the local clock is off).
        """
        answer = self._requestor.request(
            "POST", "/test?action=ping", operation="test.ping", read=True
        )
        if isinstance(answer, str):
            return IvvyPing(message=answer)
        return self._wire.structure(
            require_mapping(answer, vendor=VENDOR, path="$", operation="test.ping"),
            IvvyPing,
            operation="test.ping",
        )

    # -- crm: activities -------------------------------------------------------------------

    def add_or_update_activity(
        self,
        *,
        id: int | str | None = None,
        venue_id: IdArg = NOT_SET,
        lead_id: IdArg = NOT_SET,
        contact_id: IdArg = NOT_SET,
        company_id: IdArg = NOT_SET,
        name: TextArg = NOT_SET,
        description: TextArg = NOT_SET,
        sub_type: SubType | int | str | _NotSet | None = NOT_SET,
        purpose_id: IdArg = NOT_SET,
        start_datetime: TimeArg = NOT_SET,
        end_datetime: TimeArg = NOT_SET,
        location: TextArg = NOT_SET,
        priority: TextArg = NOT_SET,
        assigned_user_id: IdArg = NOT_SET,
    ) -> int:
        """Create (no ``id``) or update (with ``id``) an activity.

        An activity belongs to one of a contact, a company or a lead/opportunity;
        giving both ``company_id`` and ``contact_id`` attaches the contact to the
        company and the activity to the company. Parameters left at their default
        are not sent; ``None`` is sent as null.

        :calls: ``POST /api/1.0/crm?action=addOrUpdateActivity``

        Args:
            id: The activity to update; leave it out to create one.
            venue_id: ``venueId``; required with ``lead_id``.
            lead_id: ``leadId``: the lead/opportunity it belongs to.
            contact_id: ``contactId``: the contact it belongs to.
            company_id: ``companyId``: the company it belongs to.
            name: ``name``; required when creating.
            description: ``description``; required when creating.
            sub_type: ``subType``: 1 Meeting, 2 Call, 3 Email (:class:`SubType`);
                required when creating.
            purpose_id: ``purposeId``: the activity purpose.
            start_datetime: ``startDatetime``: sent as ``Y-m-d H:i:s`` in UTC (naive
                datetimes are read in the client's ``timezone``, UTC by default).
            end_datetime: ``endDatetime``, like ``start_datetime``.
            location: ``location``.
            priority: ``priority``: ``low``, ``medium`` or ``high``.
            assigned_user_id: ``assignedUserId``: the user it is assigned to.

        Returns:
            The id of the activity.

        Raises:
            ValidationError: A documented rule is broken; nothing was sent.
            NotFoundError: The activity, lead, contact or company does not exist
                (specific codes 24397-24400).
            RejectedError: iVvy refused the data (24402-24404, 23016, 23017).
            AmbiguousWriteError: A create's outcome is unknown (never retried).
        """
        data = {k: v for k, v in locals().items() if k in ACTIVITY_PARAMS}
        return self._save(
            "addOrUpdateActivity", ACTIVITY_PARAMS, ACTIVITY_REQUIRED, data
        )

    def get_activity_list(
        self,
        *,
        venue_id: int | str | None = None,
        per_page: int | None = None,
        start: int | None = None,
        filter: Mapping[str, Any] | None = None,
        include_raw: bool = True,
    ) -> ActivityList:
        """One page of the activities the user has access to.

        :calls: ``POST /api/1.0/crm?action=getActivityList``

        Args:
            venue_id: ``venueId``: only this venue's activities.
            per_page: ``perPage``: records asked for. iVvy caps it without saying
                where; ``meta.per_page`` tells what it used.
            start: ``start``: the zero-based offset of the first record (a record
                index, not a page number).
            filter: ``{"field": value, "field__MODIFIER": value}`` on the result
                fields (wire or Python names: ``createdDate`` or ``created_date``).
                Modifiers: CONTAINS, NOTCONTAINS, BEGINS, ENDS, LESSTHAN (<=),
                GREATERTHAN (>=), NOT, EMPTY. ``None`` means "is null"; datetimes
                are sent in iVvy's UTC format.
            include_raw: Keep each payload in ``raw``.

        Returns:
            The page: ``results`` and ``meta`` (totalResults, start, perPage, count).

        Raises:
            ValidationError: A bad paging value, filter field or modifier.
        """
        meta, payloads = self._activity_page(
            venue_id=venue_id, per_page=per_page, start=start, filter=filter
        )
        results = self._wire.structure_many(
            payloads,
            IvvyActivity,
            path="$.results",
            operation="crm.getActivityList",
            keep_raw=include_raw,
        )
        return ActivityList(results=results, meta=meta)

    def _activity_page(
        self,
        *,
        venue_id: int | str | None = None,
        per_page: int | None = None,
        start: int | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> tuple[ListMeta, list[Any]]:
        """One getActivityList page: its ``meta`` and the activities' payloads.

        Shared by :meth:`get_activity_list` (native models) and the adapter (which
        maps the payloads straight to shared records). Strictly private.
        """
        return self._list_page(
            "getActivityList", ACTIVITY_FILTER_FIELDS, venue_id, per_page, start, filter
        )

    def iter_activities(
        self,
        *,
        page_size: int | None = DEFAULT_PER_PAGE,
        workers: Workers = 1,
        include_raw: bool = True,
        venue_id: int | str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> Pager[IvvyActivity]:
        """Every activity, page after page (lazy), each exactly once.

        :calls: ``POST /api/1.0/crm?action=getActivityList`` (repeatedly)

        Args:
            page_size: ``perPage`` asked for (the server may serve fewer; offsets
                advance by what arrives).
            workers: Pages fetched in parallel (iVvy reports ``totalResults``).
            include_raw: Keep each payload in ``raw``.
            venue_id: As in :meth:`get_activity_list`.
            filter: As in :meth:`get_activity_list`.

        Raises:
            ValidationError: A bad page size, filter field or modifier (checked
                before anything is sent).
        """
        return self._pager(
            "crm.getActivityList",
            self.get_activity_list,
            ACTIVITY_FILTER_FIELDS,
            page_size=page_size,
            workers=workers,
            include_raw=include_raw,
            venue_id=venue_id,
            filter=filter,
            name="ivvy.activities",
        )

    # -- crm: tasks ------------------------------------------------------------------------

    def add_or_update_task(
        self,
        *,
        id: int | str | None = None,
        venue_id: IdArg = NOT_SET,
        lead_id: IdArg = NOT_SET,
        contact_id: IdArg = NOT_SET,
        company_id: IdArg = NOT_SET,
        name: TextArg = NOT_SET,
        end_datetime: TimeArg = NOT_SET,
        priority: TextArg = NOT_SET,
        assigned_user_id: IdArg = NOT_SET,
        status: TaskStatus | int | str | _NotSet | None = NOT_SET,
        description: TextArg = NOT_SET,
    ) -> int:
        """Create (no ``id``) or update (with ``id``) a task.

        A task belongs to one of a contact, a company or a lead/opportunity, with
        the same company + contact exception as activities. Parameters left at
        their default are not sent; ``None`` is sent as null.

        :calls: ``POST /api/1.0/crm?action=addOrUpdateTask``

        Args:
            id: The task to update; leave it out to create one.
            venue_id: ``venueId``; required with ``lead_id``.
            lead_id: ``leadId``: the lead/opportunity it belongs to.
            contact_id: ``contactId``: the contact it belongs to.
            company_id: ``companyId``: the company it belongs to.
            name: ``name``; required when creating.
            end_datetime: ``endDatetime``: when it is due, sent as ``Y-m-d H:i:s``
                in UTC; required when creating.
            priority: ``priority``: ``low``, ``medium`` or ``high``.
            assigned_user_id: ``assignedUserId``: the user it is assigned to.
            status: ``status``: 0 Not Started, 1 In Progress, 2 On Hold,
                3 Cancelled, 4 Completed (:class:`TaskStatus`).
            description: ``description``.

        Returns:
            The id of the task.

        Raises:
            ValidationError: A documented rule is broken; nothing was sent.
            NotFoundError: The task, lead, contact or company does not exist
                (specific codes 24389-24392).
            RejectedError: iVvy refused the data (24394-24396, 23016, 23017).
            AmbiguousWriteError: A create's outcome is unknown (never retried).
        """
        data = {k: v for k, v in locals().items() if k in TASK_PARAMS}
        return self._save("addOrUpdateTask", TASK_PARAMS, TASK_REQUIRED, data)

    def get_task_list(
        self,
        *,
        venue_id: int | str | None = None,
        per_page: int | None = None,
        start: int | None = None,
        filter: Mapping[str, Any] | None = None,
        include_raw: bool = True,
    ) -> TaskList:
        """One page of the tasks the user has access to.

        :calls: ``POST /api/1.0/crm?action=getTaskList``

        Args:
            venue_id: ``venueId``: only this venue's tasks.
            per_page: ``perPage``: records asked for (the server may cap it).
            start: ``start``: the zero-based offset of the first record.
            filter: As in :meth:`get_activity_list`, on the task result fields.
            include_raw: Keep each payload in ``raw``.

        Returns:
            The page: ``results`` and ``meta``.

        Raises:
            ValidationError: A bad paging value, filter field or modifier.
        """
        meta, payloads = self._task_page(
            venue_id=venue_id, per_page=per_page, start=start, filter=filter
        )
        results = self._wire.structure_many(
            payloads,
            IvvyTask,
            path="$.results",
            operation="crm.getTaskList",
            keep_raw=include_raw,
        )
        return TaskList(results=results, meta=meta)

    def _task_page(
        self,
        *,
        venue_id: int | str | None = None,
        per_page: int | None = None,
        start: int | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> tuple[ListMeta, list[Any]]:
        """One getTaskList page: its ``meta`` and the tasks' payloads.

        Shared by :meth:`get_task_list` (native models) and the adapter (which
        maps the payloads straight to shared records). Strictly private.
        """
        return self._list_page(
            "getTaskList", TASK_FILTER_FIELDS, venue_id, per_page, start, filter
        )

    def iter_tasks(
        self,
        *,
        page_size: int | None = DEFAULT_PER_PAGE,
        workers: Workers = 1,
        include_raw: bool = True,
        venue_id: int | str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> Pager[IvvyTask]:
        """Every task, page after page (lazy), each exactly once.

        :calls: ``POST /api/1.0/crm?action=getTaskList`` (repeatedly)

        Args:
            page_size: ``perPage`` asked for (the server may serve fewer).
            workers: Pages fetched in parallel (iVvy reports ``totalResults``).
            include_raw: Keep each payload in ``raw``.
            venue_id: As in :meth:`get_task_list`.
            filter: As in :meth:`get_task_list`.

        Raises:
            ValidationError: A bad page size, filter field or modifier.
        """
        return self._pager(
            "crm.getTaskList",
            self.get_task_list,
            TASK_FILTER_FIELDS,
            page_size=page_size,
            workers=workers,
            include_raw=include_raw,
            venue_id=venue_id,
            filter=filter,
            name="ivvy.tasks",
        )

    # -- helpers ---------------------------------------------------------------------------

    def _call(
        self,
        namespace: str,
        action: str,
        body: Mapping[str, Any],
        *,
        idempotent: bool = True,
        read: bool = False,
    ) -> Any:
        """One iVvy call (every call is a POST); ``read`` marks the calls that only
        read, which may follow a same-origin 307/308 like any read."""
        return self._requestor.request(
            "POST",
            f"/{namespace}?action={action}",
            json=dict(body),
            operation=f"{namespace}.{action}",
            idempotent=idempotent or read,
            read=read,
        )

    def _list_page(
        self,
        action: str,
        fields: frozenset[str],
        venue_id: int | str | None,
        per_page: int | None,
        start: int | None,
        filter: Mapping[str, Any] | None,
    ) -> tuple[ListMeta, list[Any]]:
        """Check a list action's arguments, call it, and split its answer into the
        structured ``meta`` and the list of result payloads (not structured)."""
        operation = f"crm.{action}"
        rules = Rules(VENDOR, operation)
        body = self._list_body(rules, venue_id, per_page, start, filter, fields)
        return self._collection(self._call("crm", action, body, read=True), operation)

    def _pager(
        self,
        operation: str,
        list_page: Callable[..., ActivityList | TaskList],
        fields: frozenset[str],
        *,
        page_size: int | None,
        workers: Workers,
        include_raw: bool,
        venue_id: int | str | None,
        filter: Mapping[str, Any] | None,
        name: str,
    ) -> Pager[Any]:
        rules = Rules(VENDOR, operation)
        if page_size is not None:
            rules.integer("page_size", page_size, minimum=1)
        venue = None if venue_id is None else rules.id("venue_id", venue_id)
        if filter is not None:
            self._filter(rules, filter, fields)

        def fetch(**kwargs: Any) -> tuple[ListMeta, list[Any]]:
            page = list_page(include_raw=include_raw, **kwargs)
            return page.meta, page.results

        return Pager(
            list_paging(fetch, venue_id=venue, filter=filter),
            page_size=page_size,
            workers=workers,
            name=name,
            vendor=VENDOR,
        )

    def _save(
        self,
        action: str,
        params: Mapping[str, _Param],
        required: tuple[str, ...],
        data: Mapping[str, Any],
    ) -> int:
        operation = f"crm.{action}"
        rules = Rules(VENDOR, operation)
        given = {k: v for k, v in data.items() if v is not NOT_SET}
        body = self._write_body(rules, params, required, given)
        creating = "id" not in body
        answer = self._call(
            "crm",
            action,
            body,
            idempotent=WRITES[f"{operation} ({'create' if creating else 'update'})"],
        )
        return _saved_id(answer, operation)

    def _write_body(
        self,
        rules: Rules,
        params: Mapping[str, _Param],
        required: tuple[str, ...],
        data: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Check an addOrUpdate* call's arguments and build its JSON body.

        Args:
            rules: The operation's rules.
            params: The documented parameters (Python name -> wire name and kind).
            required: The parameters a create needs.
            data: The arguments given (Python names; None means send null).

        Returns:
            The body, with wire names.

        Raises:
            ValidationError: An undocumented parameter or a broken rule.
        """
        rules.only_known(data, params, "parameter")
        creating = data.get("id") is None
        if creating:
            for name in required:
                rules.required(name, data.get(name))
        body: dict[str, Any] = {}
        if not creating:
            body["id"] = rules.id("id", data["id"])
        for name, value in data.items():
            if name == "id":
                continue
            param = params[name]
            if value is None:
                if name in required:
                    rules.fail(name, "cannot be null")
                body[param.wire] = None
                continue
            body[param.wire] = self._encode(rules, name, param.kind, value)
            if name in required and param.kind == "text":
                rules.text(name, value, required=True)
        relations = [name for name in _RELATIONS if data.get(name) is not None]
        if len(relations) > 1 and set(relations) != {"contact_id", "company_id"}:
            rules.fail(
                relations[-1],
                "cannot be combined with "
                + " and ".join(relations[:-1])
                + ": a record belongs to only one of contact, company or "
                "lead/opportunity (company_id + contact_id is the one exception: it "
                "attaches the contact to the company)",
            )
        if data.get("lead_id") is not None and data.get("venue_id") is None:
            rules.fail(
                "venue_id",
                "is required with lead_id (iVvy needs the venue of the "
                "lead/opportunity)",
            )
        return body

    def _encode(self, rules: Rules, name: str, kind: str, value: Any) -> Any:
        if kind == "id":
            return rules.id(name, value)
        if kind == "text":
            return rules.text(name, value)
        if kind == "timestamp":
            return self._timestamp(rules, name, value)
        if kind == "priority":
            text = rules.text(name, value) or ""
            return rules.choice(name, text.strip().lower(), PRIORITIES)
        if kind == "sub_type":
            number = _enum_number(rules, name, value)
            if number not in {s.value for s in SubType}:
                rules.fail(name, f"must be one of {_SUBTYPES}, got {value!r:.40}")
            return number
        if kind == "status":
            number = _enum_number(rules, name, value)
            if number not in {s.value for s in TaskStatus}:
                rules.fail(name, f"must be one of {_STATUSES}, got {value!r:.40}")
            return number
        raise AssertionError(f"unknown parameter kind {kind}")  # pragma: no cover

    def _timestamp(self, rules: Rules, name: str, value: Any) -> str:
        """A moment as iVvy's ``Y-m-d H:i:s`` in UTC.

        Accepts a datetime (naive ones are read in the client's ``timezone``), an
        iVvy timestamp (always UTC; the `` UTC`` suffix is optional) or an ISO 8601
        string.
        """
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=self.timezone)
            return ivvy_timestamp(moment)
        if isinstance(value, str):
            text = value.strip()
            if _IVVY_TIME.fullmatch(text):
                naive = datetime.strptime(text.removesuffix(" UTC"), TIMESTAMP_FORMAT)
                return ivvy_timestamp(naive.replace(tzinfo=UTC))
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                pass
            else:
                return self._timestamp(rules, name, parsed)
        rules.fail(
            name,
            "must be a datetime or a timestamp such as '2020-02-02 01:00:00' (UTC), "
            f"got {value!r:.40}",
        )

    def _list_body(
        self,
        rules: Rules,
        venue_id: int | str | None,
        per_page: int | None,
        start: int | None,
        filter: Mapping[str, Any] | None,
        fields: frozenset[str],
    ) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if venue_id is not None:
            body["venueId"] = rules.id("venue_id", venue_id)
        if per_page is not None:
            body["perPage"] = rules.integer("per_page", per_page, minimum=1)
        if start is not None:
            body["start"] = rules.integer("start", start, minimum=0)
        if filter is not None:
            encoded = self._filter(rules, filter, fields)
            if encoded:
                body["filter"] = encoded
        return body

    def _filter(
        self, rules: Rules, filter: Mapping[str, Any], fields: frozenset[str]
    ) -> dict[str, Any]:
        """Check a ``filter`` object and encode its values for the wire."""
        if not isinstance(filter, Mapping):
            rules.fail("filter", "must be a mapping of field[__MODIFIER] -> value")
        out: dict[str, Any] = {}
        for key, value in filter.items():
            given: object = key
            if not isinstance(given, str) or not given:
                rules.fail("filter", f"keys must be field names, got {key!r:.40}")
            field, _, modifier = key.partition("__")
            field = _FILTER_ALIASES.get(field, field)
            if field not in fields:
                rules.fail(
                    f"filter.{key}",
                    f"is not a documented result field; known: {', '.join(sorted(fields))}",
                )
            modifier = modifier.upper()
            if modifier and modifier not in FILTER_MODIFIERS:
                rules.fail(
                    f"filter.{key}",
                    f"has an unknown modifier; known: {', '.join(sorted(FILTER_MODIFIERS))}",
                )
            wire_key = f"{field}__{modifier}" if modifier else field
            out[wire_key] = self._filter_value(
                rules, f"filter.{key}", field, modifier, value
            )
        return out

    def _filter_value(
        self, rules: Rules, name: str, field: str, modifier: str, value: Any
    ) -> Any:
        if value is None or (isinstance(value, str) and value in _NULL_VALUES):
            return ISNULL
        if modifier == "EMPTY":
            return rules.boolean(name, value)
        if field in _ID_FIELDS and modifier in _COMPARISONS:
            # An id compared: equal or not to an id, or above/below a bound.
            if modifier in ("", "NOT"):
                return rules.id(name, value)
            return rules.integer(name, value)
        if isinstance(value, datetime):
            return self._timestamp(rules, name, value)
        if isinstance(value, date):
            return value.isoformat()
        if field in _TIMESTAMP_FIELDS and modifier in _COMPARISONS:
            return self._timestamp(rules, name, value)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return rules.integer(name, value)
        if isinstance(value, float | str):
            return value
        rules.fail(
            name,
            f"must be a string, a number, a datetime or None, got {type(value).__name__}",
        )

    def _collection(self, answer: Any, operation: str) -> tuple[ListMeta, list[Any]]:
        body = require_mapping(answer, vendor=VENDOR, path="$", operation=operation)
        meta = self._wire.structure(
            body.get("meta"), ListMeta, path="$.meta", operation=operation
        )
        results = body.get("results")
        if not isinstance(results, list):
            raise errors.ResponseShapeError(
                f"expected a list of results, got {type(results).__name__}",
                path="$.results",
                snippet=repr(results)[:80],
                vendor=VENDOR,
                operation=operation,
            )
        return meta, results


def _enum_number(rules: Rules, name: str, value: Any) -> int:
    if isinstance(value, str) and ascii_int(value) is None:
        rules.fail(name, f"must be a number, got {value!r:.40}")
    return rules.integer(name, value)


def _saved_id(answer: Any, operation: str) -> int:
    body = require_mapping(answer, vendor=VENDOR, path="$", operation=operation)
    if body.get("success") is False:
        raise errors.APIError(
            "iVvy answered success: false without an error code",
            status_code=200,
            vendor=VENDOR,
            operation=operation,
            details={"answer": dict(body)},
        )
    value = body.get("id")
    number = ascii_int(value) if isinstance(value, str) else value
    if isinstance(number, int) and not isinstance(number, bool) and number > 0:
        return number
    raise errors.ResponseShapeError(
        "the answer has no integer id",
        path="$.id",
        snippet=repr(value)[:80],
        vendor=VENDOR,
        operation=operation,
    )
