"""The Administrate native client: the CRM tasks endpoints of the legacy REST API v2, 1:1.

Docs: ``docs/legacy/CRM/tasks.md`` (the seed) and ``docs/legacy/Behaviour/apiv2.md``
(filters, ordering, limiting, keyset paging); see also VENDORS.md.

Administrate has announced that this legacy REST API will be retired on May 12,
2026. Creating a client says so once per process, as a
:class:`~crmclients.errors.VendorDeprecationWarning`; the client keeps working
against the documented contract.
"""

from __future__ import annotations

import re
import sys
import threading
import warnings
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import FrameType
from typing import Any, Unpack

from crmclients import errors
from crmclients._paging import Pager, Workers
from crmclients._redact import Redactor
from crmclients._requestor import (
    CommonOptions,
    NativeClient,
    absent_means_done,
    build_requestor,
    resolve_timezone,
)
from crmclients._rules import NOT_SET, Rules
from crmclients._types import _NotSet as NotSetType
from crmclients.config import missing_setting
from crmclients.vendors.administrate import _wire
from crmclients.vendors.administrate._auth import BasicAuth
from crmclients.vendors.administrate._errors import AdministrateEnvelope
from crmclients.vendors.administrate._paging import DEFAULT_PAGE_SIZE, tasks_paging
from crmclients.vendors.administrate.filters import TaskFilter
from crmclients.vendors.administrate.models import AdministrateTask

__all__ = [
    "DEFAULT_RATE_LIMIT",
    "REQUIRED_ON_CREATE",
    "RETIREMENT_DATE",
    "TASK_FIELDS_WRITABLE",
    "WRITES",
    "AdministrateClient",
    "announce_retirement",
    "retirement_notice",
]

VENDOR = "administrate"
PREFIX = "/api/v2"
#: 6,000 requests per 5 minutes per IP address (the platform's documented limit).
DEFAULT_RATE_LIMIT = 6000 / 300
#: The day Administrate announced the legacy REST API will be retired.
RETIREMENT_DATE = date(2026, 5, 12)
#: Fields a task create or update may send (the documented task record, minus
#: ``id`` and the embedded objects).
TASK_FIELDS_WRITABLE: tuple[str, ...] = (
    "status",
    "user_id",
    "account_id",
    "type_id",
    "contact_id",
    "event_id",
    "opportunity_id",
    "subject",
    "description",
    "start_datetime",
    "end_datetime",
    "show_on_calendar",
    "created_on",
)
#: Documented required fields of ``POST /api/v2/crm/tasks``.
REQUIRED_ON_CREATE: tuple[str, ...] = ("status", "user_id", "account_id", "type_id")
#: Every write this client sends, and whether replaying it is safe. The requestor
#: retries an ambiguous failure only for the idempotent ones; the others raise
#: AmbiguousWriteError.
WRITES: Mapping[str, bool] = {
    "tasks.create": False,  # POST: a replay would create a second task
    "tasks.update": True,  # PUT by id: same fields, same result
    "tasks.delete": True,  # DELETE by id: gone is gone
}
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)
_IDS = ("user_id", "account_id", "type_id", "contact_id", "event_id", "opportunity_id")
_TIMES = ("start_datetime", "end_datetime", "created_on")


# -- the retirement announcement ------------------------------------------------------


class _Once:
    """A process-wide "already said" flag. Strictly private."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False


_RETIREMENT_ANNOUNCED = _Once()


def retirement_notice(today: date) -> str:
    """The text of the retirement warning, as of ``today``."""
    silence = (
        "To silence this: warnings.filterwarnings('ignore', "
        "category=crmclients.errors.VendorDeprecationWarning)."
    )
    if today < RETIREMENT_DATE:
        return (
            "Administrate has announced that its legacy REST API (/api/v2), which the "
            "crmclients 'administrate' adapter uses, will be retired on May 12, 2026. "
            "The adapter keeps working against the documented contract until then; "
            f"plan a move to Administrate's GraphQL API. {silence}"
        )
    return (
        "Administrate announced that its legacy REST API (/api/v2), which the "
        "crmclients 'administrate' adapter uses, was to be retired on May 12, 2026 "
        "(that date has passed). The adapter keeps working against the documented "
        "contract, but the server may now answer 404 or 410; migrate to "
        f"Administrate's GraphQL API. {silence}"
    )


def announce_retirement(*, today: date | None = None) -> bool:
    """Warn once per process that the legacy REST API is being retired.

    The warning points at the first caller outside crmclients (your
    ``connect(...)`` or ``AdministrateClient(...)`` line).

    Args:
        today: The date to word the notice for (default: today).

    Returns:
        True if this call emitted the warning, False if it was already emitted.
    """
    with _RETIREMENT_ANNOUNCED.lock:
        if _RETIREMENT_ANNOUNCED.done:
            return False
        _RETIREMENT_ANNOUNCED.done = True
    warnings.warn(
        retirement_notice(today or date.today()),
        errors.VendorDeprecationWarning,
        stacklevel=_outside_crmclients(),
    )
    return True


def _outside_crmclients() -> int:
    """The warnings stacklevel of the first frame outside the crmclients package."""
    level = 2  # 1 is announce_retirement itself
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module != "crmclients" and not module.startswith("crmclients."):
            break
        frame = frame.f_back
        level += 1
    return level


# -- the client -----------------------------------------------------------------------


class AdministrateClient(NativeClient):
    """Administrate's legacy REST API v2, CRM tasks, endpoint by endpoint.

    Args:
        username: The login of a TMS web user whose Product is "REST API".
        password: Its password (sent with HTTP Basic; never logged or shown).
        subdomain: ``acme`` for ``https://acme.administrateapp.com``. Not needed
            with ``base_url``.
        **options: ``base_url`` (scheme+host[:port]; ``/api/v2`` is kept),
            ``timeout``, ``retry``, ``rate_limit`` (default 20 requests/second,
            the documented 6,000 per 5 minutes; None turns it off), ``session``,
            ``timezone`` (for the adapter's reading of naive times; default UTC),
            ``verify``, ``allow_http``.

    Raises:
        ConfigurationError: Missing username or password, a username with ``:``,
            or neither a valid subdomain nor base_url.

    Warns:
        VendorDeprecationWarning: Once per process: the legacy REST API is
            announced to retire on May 12, 2026.
    """

    vendor = VENDOR

    def __init__(
        self,
        *,
        username: str,
        password: str,
        subdomain: str | None = None,
        **options: Unpack[CommonOptions],
    ) -> None:
        if not username:
            raise missing_setting(VENDOR, "username")
        if ":" in username:
            raise errors.ConfigurationError(
                "username must not contain ':' (HTTP Basic cannot carry it)",
                vendor=VENDOR,
            )
        if not password:
            raise missing_setting(VENDOR, "password")
        root = options.get("base_url")
        if not root:
            if not subdomain:
                raise missing_setting(VENDOR, "subdomain", alternatives=("base_url",))
            if not _SUBDOMAIN.match(subdomain):
                raise errors.ConfigurationError(
                    "subdomain must be your Administrate subdomain (letters, digits, "
                    f"'-'), as in https://SUBDOMAIN.administrateapp.com; got {subdomain!r}",
                    vendor=VENDOR,
                )
            root = f"https://{subdomain}.administrateapp.com"
        auth = BasicAuth(username, password)
        self.redactor = Redactor([password, auth.header_value, auth.token])
        self.username = username
        self.timezone = resolve_timezone(options.get("timezone"), "UTC", vendor=VENDOR)
        self._wire = _wire.structurer()
        self._requestor = build_requestor(
            vendor=VENDOR,
            root_url=root,
            prefix=PREFIX,
            envelope=AdministrateEnvelope(),
            auth=auth,
            redactor=self.redactor,
            # Administrate counts per IP address, not per credential: every client
            # of this process talking to the same host shares one bucket.
            credential_key="per-ip",
            options=options,
            default_rate_limit=DEFAULT_RATE_LIMIT,
        )
        self.base_url = self._requestor.base_url
        announce_retirement()

    def __repr__(self) -> str:
        return (
            f"AdministrateClient(base_url={self.base_url!r}, "
            "username=[hidden], password=[secure])"
        )

    # -- /crm/tasks ----------------------------------------------------------------------

    def get_task(self, id: int | str, *, include_raw: bool = True) -> AdministrateTask:
        """One task, with its embedded account, user, type, contact and event.

        :calls: ``GET /api/v2/crm/tasks/:id``

        Args:
            id: The task id.
            include_raw: Keep the payload in ``raw``.

        Returns:
            The task.

        Raises:
            ValidationError: ``id`` is not a positive integer (nothing was sent).
            NotFoundError: No task with this id (HTTP 404).
        """
        tid = Rules(VENDOR, "tasks.get").id("id", id)
        body = self._requestor.request(
            "GET", f"/crm/tasks/{tid}", operation="tasks.get"
        )
        return self._wire.structure(
            body, AdministrateTask, operation="tasks.get", keep_raw=include_raw
        )

    def list_tasks(
        self,
        filters: TaskFilter | Mapping[str, Any] | None = None,
        *,
        order: str | Sequence[str] | None = None,
        limit: int | None = None,
        include_raw: bool = True,
    ) -> list[AdministrateTask]:
        """Tasks matching v2 filters, in one request.

        :calls: ``GET /api/v2/crm/tasks``

        Args:
            filters: A :class:`~.filters.TaskFilter`, or a mapping such as
                ``{"created_on__gte": datetime(2024, 1, 1), "status__in":
                ["Completed"]}`` (checked the same way).
            order: ``_order``: ``"-created_on,id"`` or ``["-created_on", "id"]``.
            limit: ``_limit``: at most this many tasks.
            include_raw: Keep each payload in ``raw``.

        Returns:
            The tasks the server returned (v2 has no page numbers or totals; use
            :meth:`iter_tasks` to pull everything).

        Raises:
            ValidationError: A bad filter, order or limit (nothing was sent).
        """
        body = self._tasks_page(filters, order=order, limit=limit)
        return self._wire.structure_many(
            body, AdministrateTask, operation="tasks.list", keep_raw=include_raw
        )

    def _tasks_page(
        self,
        filters: TaskFilter | Mapping[str, Any] | None = None,
        *,
        order: str | Sequence[str] | None = None,
        limit: int | None = None,
    ) -> Any:
        """One ``GET /crm/tasks``: the answer as decoded, its tasks unstructured.

        Shared by :meth:`list_tasks` (native models) and the adapter (which maps
        the payloads straight to shared records); the arguments are checked as
        :meth:`list_tasks` documents, before anything is sent. Strictly private.
        """
        rules = Rules(VENDOR, "tasks.list")
        query = self._filter(rules, filters)
        if order is not None:
            if query.ordering:
                rules.fail("_order", "is given twice (in filters and as order=)")
            fields = order.split(",") if isinstance(order, str) else list(order)
            query = query.order_by(*fields)
        if limit is not None:
            if query.max_results is not None:
                rules.fail("_limit", "is given twice (in filters and as limit=)")
            query = query.limit(limit)
        return self._requestor.request(
            "GET", "/crm/tasks", params=query.params(), operation="tasks.list"
        )

    def iter_tasks(
        self,
        filters: TaskFilter | Mapping[str, Any] | None = None,
        *,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        workers: Workers = 1,
        include_raw: bool = True,
    ) -> Pager[AdministrateTask]:
        """Every task matching ``filters``, batch after batch (lazy keyset paging).

        Sends ``id__gt=<last id>&_order=id&_limit=<page_size>`` until a batch comes
        back empty, starting from ``id__gt=0`` (or the filter's own ``id__gt``).

        :calls: ``GET /api/v2/crm/tasks`` (repeatedly)

        Args:
            filters: Conditions as for :meth:`list_tasks`, without ``_order`` or
                ``_limit`` (paging sets them).
            page_size: ``_limit`` per request (default 100).
            workers: Accepted for symmetry; keyset batches are fetched one after
                the other (each needs the previous batch's last id).
            include_raw: Keep each payload in ``raw``.

        Returns:
            A lazy :class:`~crmclients.Pager`; every task comes exactly once.

        Raises:
            ValidationError: A bad filter, an ``_order``/``_limit`` in the
                filter, or a page size below 1 (nothing was sent).
        """
        rules = Rules(VENDOR, "tasks.list")
        query = self._filter(rules, filters)
        if query.ordering:
            rules.fail(
                "_order",
                "is set by keyset paging (_order=id); iter_tasks cannot reorder",
            )
        if query.max_results is not None:
            rules.fail("_limit", "is set per batch by keyset paging; use page_size=")
        if page_size is not None:
            rules.integer("page_size", page_size, minimum=1)

        def list_batch(batch: TaskFilter) -> list[AdministrateTask]:
            return self.list_tasks(batch, include_raw=include_raw)

        return Pager(
            tasks_paging(list_batch, query),
            page_size=page_size,
            workers=workers,
            name="administrate.tasks",
            vendor=VENDOR,
        )

    def create_task(
        self,
        *,
        status: str,
        user_id: int,
        account_id: int,
        type_id: int,
        subject: str | NotSetType | None = NOT_SET,
        description: str | NotSetType | None = NOT_SET,
        contact_id: int | NotSetType | None = NOT_SET,
        event_id: int | NotSetType | None = NOT_SET,
        opportunity_id: int | NotSetType | None = NOT_SET,
        start_datetime: datetime | date | str | NotSetType | None = NOT_SET,
        end_datetime: datetime | date | str | NotSetType | None = NOT_SET,
        show_on_calendar: bool | NotSetType | None = NOT_SET,
        created_on: datetime | date | str | NotSetType | None = NOT_SET,
        include_raw: bool = True,
        **undocumented: Any,
    ) -> AdministrateTask:
        """Create a task.

        :calls: ``POST /api/v2/crm/tasks``

        Args:
            status: The status word (``"Not Started"``, ``"Completed"``...).
            user_id: The assigned user.
            account_id: The account.
            type_id: The task type.
            subject: The subject text.
            description: The description text.
            contact_id: The linked contact.
            event_id: The linked event.
            opportunity_id: The linked opportunity.
            start_datetime: A naive datetime (the account's local time; these
                fields are not time-zone aware), a date, or an ISO string; sent as
                ``YYYY-MM-DD HH:MM:SS`` (dates as ``YYYY-MM-DD``), the docs' own
                form. Seconds are the finest unit.
            end_datetime: As ``start_datetime``.
            created_on: As ``start_datetime``.
            show_on_calendar: Whether it shows on the calendar.
            include_raw: Keep the answer in ``raw``.
            **undocumented: Refused: any other name is a ValidationError.

        Returns:
            The created task, as Administrate returns it.

        Raises:
            ValidationError: A required field missing (status, user_id,
                account_id, type_id), an id below 1, a wrong type, an aware
                datetime, or an undocumented field (nothing was sent).
            RejectedError: Administrate could not create it (documented as
                HTTP 404 "could not create").
            AmbiguousWriteError: The outcome is unknown (never retried blindly).
        """
        fields: dict[str, Any] = {
            "status": status,
            "user_id": user_id,
            "account_id": account_id,
            "type_id": type_id,
            "subject": subject,
            "description": description,
            "contact_id": contact_id,
            "event_id": event_id,
            "opportunity_id": opportunity_id,
            "start_datetime": start_datetime,
            "end_datetime": end_datetime,
            "show_on_calendar": show_on_calendar,
            "created_on": created_on,
            **undocumented,
        }
        body = _task_body(Rules(VENDOR, "tasks.create"), fields, creating=True)
        answer = self._requestor.request(
            "POST",
            "/crm/tasks",
            json=body,
            operation="tasks.create",
            idempotent=WRITES["tasks.create"],
        )
        return self._wire.structure(
            answer, AdministrateTask, operation="tasks.create", keep_raw=include_raw
        )

    def update_task(
        self,
        id: int | str,
        *,
        status: str | NotSetType = NOT_SET,
        user_id: int | NotSetType = NOT_SET,
        account_id: int | NotSetType = NOT_SET,
        type_id: int | NotSetType = NOT_SET,
        subject: str | NotSetType | None = NOT_SET,
        description: str | NotSetType | None = NOT_SET,
        contact_id: int | NotSetType | None = NOT_SET,
        event_id: int | NotSetType | None = NOT_SET,
        opportunity_id: int | NotSetType | None = NOT_SET,
        start_datetime: datetime | date | str | NotSetType | None = NOT_SET,
        end_datetime: datetime | date | str | NotSetType | None = NOT_SET,
        show_on_calendar: bool | NotSetType | None = NOT_SET,
        created_on: datetime | date | str | NotSetType | None = NOT_SET,
        include_raw: bool = True,
        **undocumented: Any,
    ) -> AdministrateTask:
        """Change some fields of a task: only the fields given are sent.

        A field left out (NOT_SET) is not sent and stays as it is; an explicit
        ``None`` is sent as ``null`` and clears it.

        :calls: ``PUT /api/v2/crm/tasks/:id``

        Args:
            id: The task id.
            status: As for :meth:`create_task`; required by Administrate, so it
                cannot be set to None (nor can ``user_id``, ``account_id`` and
                ``type_id``).
            user_id: As for :meth:`create_task`; cannot be None.
            account_id: As for :meth:`create_task`; cannot be None.
            type_id: As for :meth:`create_task`; cannot be None.
            subject: As for :meth:`create_task`; None clears the field (and so
                for every field below).
            description: As for :meth:`create_task`.
            contact_id: As for :meth:`create_task`.
            event_id: As for :meth:`create_task`.
            opportunity_id: As for :meth:`create_task`.
            start_datetime: As for :meth:`create_task`.
            end_datetime: As for :meth:`create_task`.
            show_on_calendar: As for :meth:`create_task`.
            created_on: As for :meth:`create_task`.
            include_raw: Keep the answer in ``raw``.
            **undocumented: Refused: any other name is a ValidationError.

        Returns:
            The updated task, as Administrate returns it.

        Raises:
            ValidationError: No field given, a required field set to None, a
                bad value, or an undocumented field (nothing was sent).
            NotFoundError: No task with this id.
            RejectedError: Administrate refused the data.
        """
        rules = Rules(VENDOR, "tasks.update")
        tid = rules.id("id", id)
        fields: dict[str, Any] = {
            "status": status,
            "user_id": user_id,
            "account_id": account_id,
            "type_id": type_id,
            "subject": subject,
            "description": description,
            "contact_id": contact_id,
            "event_id": event_id,
            "opportunity_id": opportunity_id,
            "start_datetime": start_datetime,
            "end_datetime": end_datetime,
            "show_on_calendar": show_on_calendar,
            "created_on": created_on,
            **undocumented,
        }
        body = _task_body(rules, fields, creating=False)
        answer = self._requestor.request(
            "PUT",
            f"/crm/tasks/{tid}",
            json=body,
            operation="tasks.update",
            idempotent=WRITES["tasks.update"],
        )
        return self._wire.structure(
            answer, AdministrateTask, operation="tasks.update", keep_raw=include_raw
        )

    def delete_task(
        self, id: int | str, *, include_raw: bool = True
    ) -> AdministrateTask | None:
        """Delete a task.

        :calls: ``DELETE /api/v2/crm/tasks/:id``

        Args:
            id: The task id.
            include_raw: Keep the answer in ``raw``.

        Returns:
            The deleted task as Administrate echoes it, or None if it answers with
            an empty body.

        Raises:
            ValidationError: ``id`` is not a positive integer (nothing was sent).
            NotFoundError: No task with this id (HTTP 404 "entity not found").
        """
        tid = Rules(VENDOR, "tasks.delete").id("id", id)
        answer = self._requestor.request(
            "DELETE",
            f"/crm/tasks/{tid}",
            operation="tasks.delete",
            idempotent=WRITES["tasks.delete"],
            replayed=absent_means_done,  # a lost answer, then 404: it was deleted
        )
        if answer is None:
            return None
        return self._wire.structure(
            answer, AdministrateTask, operation="tasks.delete", keep_raw=include_raw
        )

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _filter(rules: Rules, filters: Any) -> TaskFilter:
        if filters is None:
            return TaskFilter()
        if isinstance(filters, TaskFilter):
            return filters
        if isinstance(filters, Mapping):
            return TaskFilter.from_params(filters)
        rules.fail(
            "filters",
            "must be a TaskFilter or a mapping of attribute__operator -> value",
        )


def _task_body(
    rules: Rules, fields: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Check task fields and build the JSON body (NOT_SET fields are left out).

    Raises:
        ValidationError: An undocumented field, a missing or null required field,
            a bad value, or (on update) no field at all.
    """
    given = {k: v for k, v in fields.items() if v is not NOT_SET}
    rules.only_known(given, TASK_FIELDS_WRITABLE, "task")
    if creating:
        for name in REQUIRED_ON_CREATE:
            rules.required(name, given.get(name))
    elif not given:
        rules.fail("fields", "give at least one field to change")
    body: dict[str, Any] = {}
    for name in TASK_FIELDS_WRITABLE:
        if name not in given:
            continue
        value = given[name]
        if value is None:
            if name in REQUIRED_ON_CREATE:
                rules.fail(name, "is required by Administrate and cannot be null")
            body[name] = None
        elif name == "status":
            body[name] = rules.text(name, value, required=True)
        elif name in _IDS:
            body[name] = rules.id(name, value)
        elif name in ("subject", "description"):
            body[name] = rules.text(name, value)
        elif name == "show_on_calendar":
            body[name] = rules.boolean(name, value)
        else:
            body[name] = _write_moment(rules, name, value)
    return body


def _write_moment(rules: Rules, name: str, value: Any) -> str:
    """A not-time-zone-aware moment as the docs write it: ``YYYY-MM-DD HH:MM:SS``.

    Dates (and date-only strings) are sent as ``YYYY-MM-DD``.

    Raises:
        ValidationError: Not a naive datetime, a date or an ISO string without an
            offset.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            rules.fail(
                name,
                "must be a naive datetime, a date, or an ISO string such as "
                f"'2009-01-25 14:15:16', got {value!r:.40}",
            )
        if len(text) == 10 and parsed.tzinfo is None:
            return parsed.date().isoformat()
        value = parsed
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            rules.fail(
                name,
                "is not time-zone aware on Administrate: give a naive datetime (the "
                "account's local time, no offset); convert with "
                "value.astimezone(zone).replace(tzinfo=None)",
            )
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    rules.fail(name, f"must be a naive datetime or a date, got {type(value).__name__}")
