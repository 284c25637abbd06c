"""The Opentaps CRM-2 native client: every Activities and Task API operation, 1:1.

Docs: https://docs.opentaps.org/docs/index.php?title=CRM-2_Activities_API (the
seed), CRM-2_Security_Model for the token exchange, and the vendor's own scripts
summarised in VENDORS.md (form-encoded bodies, ``partial=Yes`` updates, upper-case
statuses, comma-joined multi-values).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Unpack

from crmclients import errors
from crmclients._paging import Pager, Workers
from crmclients._redact import Redactor
from crmclients._requestor import (
    CommonOptions,
    NativeClient,
    Requestor,
    absent_means_done,
    build_requestor,
    resolve_timezone,
)
from crmclients._retry import RetryPolicy
from crmclients._rules import NOT_SET, Rules
from crmclients.config import missing_setting
from crmclients.vendors.opentaps import _wire
from crmclients.vendors.opentaps._auth import TokenAuth
from crmclients.vendors.opentaps._errors import OpentapsEnvelope
from crmclients.vendors.opentaps._paging import DEFAULT_PAGE_SIZE, activities_paging
from crmclients.vendors.opentaps.models import (
    STATUSES,
    OpentapsActivity,
    TempToken,
)

__all__ = [
    "DEFAULT_ROOT",
    "FIELD_PREFIX",
    "OBJECT_ID",
    "READ_ONLY_FIELDS",
    "WRITES",
    "OpentapsClient",
]

VENDOR = "opentaps"
#: The vendor's host; ``base_url=`` replaces it (the API has no path prefix).
DEFAULT_ROOT = "https://crm2.opentaps.com"
DEFAULT_TIMEZONE = "UTC"
#: Activity fields in ``POST /activities`` and ``POST /task`` carry this prefix.
FIELD_PREFIX = "note_field_"
#: Fields the server sets; writing them is refused before sending.
READ_ONLY_FIELDS = frozenset(
    {
        "_id",
        "clientDomain",
        "createdDate",
        "lastModifiedDate",
        "contacts",
        "assignedToContact",
        "authToken",
        "partial",
        "activityId",
    }
)
#: Every write this client sends, and whether replaying it is safe. The requestor
#: retries an ambiguous failure only for the idempotent ones; the others raise
#: AmbiguousWriteError instead of risking a duplicate.
WRITES: Mapping[str, bool] = {
    # Asking again only yields another temporary token; the first one just expires.
    "oauth.temp_token": True,
    # Checks a token and changes nothing.
    "oauth.validate": True,
    # A replay would create a second activity.
    "activities.save (create)": False,
    # Same activityId, same fields: the same result however often it is applied.
    "activities.save (update)": True,
    # PUT by id sets the same fields to the same values again.
    "activities.update": True,
    # By id: once deleted it stays deleted (a replay may answer "not found").
    "activities.delete": True,
    # The (activity, contact, role) association exists once, however often added.
    "activities.contact.add": True,
    # Removing an association that is already gone changes nothing.
    "activities.contact.remove": True,
    # A replay would create a second task.
    "task.create": False,
}

#: An Opentaps id: 24 hex digits (a Mongo-style ObjectId such as 5166b967e4b0f6e6cd09e653).
#: An Opentaps ``_id``: a Mongo-style ObjectId, 24 hexadecimal digits (nothing else:
#: ``\Z``, not ``$``, so a trailing newline does not match).
OBJECT_ID = re.compile(r"\A[0-9a-fA-F]{24}\Z")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_WIRE_TIME = "%Y-%m-%dT%H:%M:%SZ"
_RECORD_KEYS = ("activity", "task")
_LIST_KEYS = ("activities", "tasks")
_ID_LIST_FIELDS = frozenset({"assignedToContactId"})
_ID_FIELDS = frozenset({"responsibleContactId"})
_TYPE_FIELDS = frozenset({"activityTypeId", "activityType"})


class OpentapsClient(NativeClient):
    """Opentaps CRM-2 activities and tasks, operation by operation, with its models.

    Args:
        auth_token: Your permanent auth token (treat it like a password).
        client_domain: Your client domain, e.g. ``acme.com``; sent with every call.
        token_exchange: Exchange the permanent token for 60-minute temporary tokens
            (``POST /oauth/temp-token``), as the vendor recommends; renewed before
            they expire and once after the server refuses one. False sends the
            permanent token itself.
        clock: Monotonic seconds used for temporary-token expiry (for tests).
        **options: ``base_url``, ``timeout``, ``retry``, ``rate_limit``, ``session``,
            ``timezone`` (for naive vendor timestamps; default UTC), ``verify``,
            ``allow_http``, ``transport``.

    Raises:
        ConfigurationError: Missing token or client domain, or a malformed domain.
    """

    vendor = VENDOR

    def __init__(
        self,
        *,
        auth_token: str,
        client_domain: str,
        token_exchange: bool = True,
        clock: Callable[[], float] | None = None,
        **options: Unpack[CommonOptions],
    ) -> None:
        if not auth_token:
            raise missing_setting(VENDOR, "auth_token")
        token: object = auth_token
        if not isinstance(token, str):
            raise errors.ConfigurationError(
                "auth_token must be a string", vendor=VENDOR
            )
        if not client_domain:
            raise missing_setting(VENDOR, "client_domain")
        domain: object = client_domain
        if not isinstance(domain, str) or not _DOMAIN.match(domain):
            raise errors.ConfigurationError(
                "client_domain must be your Opentaps client domain, such as 'acme.com'",
                vendor=VENDOR,
            )
        exchange: object = token_exchange
        if not isinstance(exchange, bool):
            raise errors.ConfigurationError(
                "token_exchange must be True or False", vendor=VENDOR
            )
        self.client_domain = client_domain
        self.token_exchange = token_exchange
        self.redactor = Redactor([auth_token])
        self.timezone = resolve_timezone(
            options.get("timezone"), DEFAULT_TIMEZONE, vendor=VENDOR
        )
        self._wire = _wire.structurer(self.timezone)
        self._permanent = auth_token
        self._auth = TokenAuth(
            permanent=auth_token,
            client_domain=client_domain,
            exchange=self._exchange if token_exchange else None,
            clock=clock or time.monotonic,
        )
        envelope = OpentapsEnvelope()
        self._requestor = build_requestor(
            vendor=VENDOR,
            root_url=options.get("base_url") or DEFAULT_ROOT,
            envelope=envelope,
            auth=self._auth,
            redactor=self.redactor,
            credential_key=auth_token,
            options=options,
        )
        # The token endpoints carry the permanent token themselves: same transport,
        # retries, limiter and redactor, but no auth (and so no recursion).
        main = self._requestor

        def token_requestor(retry: RetryPolicy) -> Requestor:
            return Requestor(
                vendor=VENDOR,
                base_url=main.base_url,
                transport=main.transport,
                envelope=envelope,
                auth=None,
                retry=retry,
                limiter=main.limiter,
                redactor=self.redactor,
                timeout=main.timeout,
            )

        self._token_requestor = token_requestor(main.retry)
        # The exchange the client does by itself makes one attempt: a failure
        # surfaces in the call that needed the token, as "not sent", and that
        # call's own retries try again (so attempts do not multiply).
        self._login_requestor = token_requestor(RetryPolicy.none())
        self.base_url = main.base_url

    def __repr__(self) -> str:
        mode = "temporary tokens" if self.token_exchange else "permanent token"
        return (
            f"OpentapsClient(base_url={self.base_url!r}, auth_token=[secure], {mode})"
        )

    @property
    def token_exchanges(self) -> int:
        """How many temporary tokens this client has obtained."""
        return self._auth.exchanges

    # -- /oauth ------------------------------------------------------------------------

    def get_temp_token(self) -> TempToken:
        """Exchange the permanent token for a temporary one (valid 60 minutes).

        The client does this by itself when ``token_exchange`` is on; the token
        obtained is registered with the client's redactor either way.

        :calls: ``POST /oauth/temp-token`` with the form field ``authToken``

        Returns:
            The temporary token (hidden in its repr).

        Raises:
            AuthenticationError: The permanent token was refused.
            ResponseShapeError: The answer has no ``authToken`` string.
        """
        return self._temp_token(self._token_requestor)

    def _temp_token(self, requestor: Requestor) -> TempToken:
        operation = "oauth.temp_token"
        body = requestor.request(
            "POST",
            "/oauth/temp-token",
            form={"authToken": self._permanent},
            operation=operation,
            idempotent=WRITES[operation],
        )
        token = body.get("authToken") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token.strip():
            raise errors.ResponseShapeError(
                "the temp-token answer has no authToken string",
                path="$.authToken",
                snippet=type(token).__name__,
                vendor=VENDOR,
                operation=operation,
            )
        self.redactor.add(token)
        return TempToken(auth_token=token)

    def validate_token(self, token: str | TempToken | None = None) -> bool:
        """Ask the server whether a temporary token is still valid.

        :calls: ``POST /oauth/validate`` with JSON ``{"authToken": ...}``

        Args:
            token: The token to check; by default the one this client would send
                next (exchanging first if it has none).

        Returns:
            The ``authenticated`` flag of the answer.

        Raises:
            ValidationError: ``token`` is not a string.
            ResponseShapeError: The answer has no boolean ``authenticated``.
        """
        operation = "oauth.validate"
        value = token.auth_token if isinstance(token, TempToken) else token
        if value is None:
            value = self._auth.current()
        value = Rules(VENDOR, operation).text("token", value, required=True)
        body = self._token_requestor.request(
            "POST",
            "/oauth/validate",
            json={"authToken": value},
            operation=operation,
            idempotent=WRITES[operation],
        )
        flag = body.get("authenticated") if isinstance(body, Mapping) else None
        return self._wire.structure(
            flag, bool, path="$.authenticated", operation=operation
        )

    # -- /activities -------------------------------------------------------------------

    def list_activities(
        self,
        number_of_activities: int,
        start_from: int | None = None,
        *,
        include_raw: bool = True,
    ) -> list[OpentapsActivity]:
        """Up to ``number_of_activities`` activities (tasks included), in order.

        :calls: ``GET /activities/{numberOfActivities}/{startFrom}``, or
            ``GET /activities/{numberOfActivities}`` without ``start_from``

        Args:
            number_of_activities: How many to return (at least 1).
            start_from: The sequence number (0-based offset) to start from; without
                it the server starts at the beginning.
            include_raw: Keep each payload in ``raw``.

        Raises:
            ValidationError: A count below 1 or a negative offset; nothing was sent.
        """
        items, path = self._activities_page(number_of_activities, start_from)
        return self._wire.structure_many(
            items,
            OpentapsActivity,
            path=path,
            operation="activities.list",
            keep_raw=include_raw,
        )

    def _activities_page(
        self, number_of_activities: int, start_from: int | None = None
    ) -> tuple[Any, str]:
        """One ``GET /activities`` page: its records' payloads (unstructured) and
        their path in the answer.

        Shared by :meth:`list_activities` (native models) and the adapter (which
        maps payloads straight to shared records). Strictly private.
        """
        operation = "activities.list"
        rules = Rules(VENDOR, operation)
        count = rules.integer("number_of_activities", number_of_activities, minimum=1)
        path = f"/activities/{count}"
        if start_from is not None:
            path += f"/{rules.integer('start_from', start_from, minimum=0)}"
        return _listed(self._requestor.request("GET", path, operation=operation))

    def iter_activities(
        self,
        *,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        workers: Workers = 1,
        include_raw: bool = True,
    ) -> Pager[OpentapsActivity]:
        """Every activity, page after page (lazy); each page starts where the last ended.

        :calls: ``GET /activities/{numberOfActivities}/{startFrom}`` (repeatedly)

        Args:
            page_size: Activities per request.
            workers: Accepted for symmetry; Opentaps reports no total, so pages are
                read one after another.
            include_raw: Keep each payload in ``raw``.
        """
        if page_size is not None:
            Rules(VENDOR, "activities.list").integer("page_size", page_size, minimum=1)
        return Pager(
            activities_paging(self.list_activities, include_raw),
            page_size=page_size,
            workers=workers,
            name="opentaps.activities",
            vendor=VENDOR,
        )

    def find_activity(
        self, activity_id: str, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> OpentapsActivity:
        """One activity (or task) by id, found by reading the activity list.

        The API has no "get one activity" operation, so this scans.

        :calls: ``GET /activities/{numberOfActivities}/{startFrom}`` (until found)

        Raises:
            ValidationError: Not a 24-hex id; nothing was sent.
            NotFoundError: No activity has this id.
        """
        wanted = _object_id(
            Rules(VENDOR, "activities.find"), "activity_id", activity_id
        )
        for record in self.iter_activities(page_size=page_size):
            if record.id.lower() == wanted.lower():
                return record
        raise errors.NotFoundError(
            f"no activity with _id {wanted}",
            vendor=VENDOR,
            operation="activities.find",
        )

    def save_activity(
        self, fields: Mapping[str, Any], *, activity_id: str | None = None
    ) -> OpentapsActivity:
        """Create an activity, or update one when ``activity_id`` is given.

        :calls: ``POST /activities`` (fields as ``note_field_<name>``, form-encoded)

        Args:
            fields: Activity fields by their wire names: ``activityTypeId``,
                ``noteText``, ``status`` (CREATED, STARTED, COMPLETED, CANCELLED;
                any case), ``scheduledDateTime`` (a datetime; naive ones are read
                in the client's time zone), ``responsibleContactId``, or any other
                attribute name. NOT_SET values are left out, None is sent empty,
                lists are comma-joined.
            activity_id: The activity to update (sent as ``activityId``).

        Returns:
            The activity as the server stored it.

        Raises:
            ValidationError: A bad field name or value, or a field the server sets
                (``_id``, ``createdDate``...); nothing was sent.
            RejectedError: Opentaps refused the data.
            AmbiguousWriteError: A create's outcome is unknown (never retried).
        """
        rules = Rules(VENDOR, "activities.save")
        form = _form(rules, fields, prefix=FIELD_PREFIX, task=False, tz=self.timezone)
        updating = activity_id is not None
        if updating:
            form.insert(
                0, ("activityId", _object_id(rules, "activity_id", activity_id))
            )
        payload = self._requestor.request(
            "POST",
            "/activities",
            form=form,
            operation="activities.save",
            idempotent=WRITES[
                "activities.save (update)" if updating else "activities.save (create)"
            ],
        )
        return self._record(payload, "activities.save")

    def update_activity(
        self,
        activity_id: str,
        fields: Mapping[str, Any],
        *,
        partial: bool = True,
    ) -> OpentapsActivity | None:
        """Change an activity's fields in place (``partial=Yes`` keeps the others).

        :calls: ``PUT /activities/{activityId}`` (form-encoded, unprefixed fields)

        Args:
            activity_id: The activity (or task) to change.
            fields: Wire-named fields as in :meth:`save_activity`.
            partial: Send ``partial=Yes``: fields not given are kept. False replaces
                the activity's fields with those given.

        Returns:
            The updated activity, or None when the server answers without it.

        Raises:
            ValidationError: A bad id, field name or value; nothing was sent.
            NotFoundError: No such activity.
        """
        rules = Rules(VENDOR, "activities.update")
        aid = _object_id(rules, "activity_id", activity_id)
        form = _form(rules, fields, prefix="", task=False, tz=self.timezone)
        if not form:
            rules.fail("fields", "must name at least one field to change")
        if rules.boolean("partial", partial):
            form.insert(0, ("partial", "Yes"))
        payload = self._requestor.request(
            "PUT",
            f"/activities/{aid}",
            form=form,
            operation="activities.update",
            idempotent=WRITES["activities.update"],
        )
        return self._maybe_record(payload, "activities.update")

    def delete_activity(self, activity_id: str) -> None:
        """Delete an activity (or task).

        :calls: ``DELETE /activities/{activityId}``

        Raises:
            ValidationError: Not a 24-hex id; nothing was sent.
            NotFoundError: No such activity.
        """
        aid = _object_id(Rules(VENDOR, "activities.delete"), "activity_id", activity_id)
        self._requestor.request(
            "DELETE",
            f"/activities/{aid}",
            form=(),
            operation="activities.delete",
            idempotent=WRITES["activities.delete"],
            replayed=absent_means_done,  # a lost answer, then 404: it was deleted
        )

    def add_contact(
        self, activity_id: str, contact_id: str, role: str | None = None
    ) -> OpentapsActivity | None:
        """Associate a contact with an activity, in an optional role.

        :calls: ``POST /activities/contact/add``

        Args:
            activity_id: The activity (or task).
            contact_id: The contact.
            role: A role, an arbitrary string.

        Returns:
            The activity with its associations, or None when the server answers
            without it.

        Raises:
            ValidationError: A bad id or a blank role; nothing was sent.
            NotFoundError: No such activity or contact.
        """
        return self._contact("add", activity_id, contact_id, role)

    def remove_contact(
        self, activity_id: str, contact_id: str, role: str | None = None
    ) -> OpentapsActivity | None:
        """Remove a contact association (only the one in ``role`` when given).

        :calls: ``POST /activities/contact/remove``

        Args:
            activity_id: The activity (or task).
            contact_id: The contact.
            role: Remove only the association in this role.

        Returns:
            The activity with its remaining associations, or None when the server
            answers without it.

        Raises:
            ValidationError: A bad id or a blank role; nothing was sent.
            NotFoundError: No such activity.
        """
        return self._contact("remove", activity_id, contact_id, role)

    def _contact(
        self, action: str, activity_id: str, contact_id: str, role: str | None
    ) -> OpentapsActivity | None:
        operation = f"activities.contact.{action}"
        rules = Rules(VENDOR, operation)
        form = [
            ("activityId", _object_id(rules, "activity_id", activity_id)),
            ("contactId", _object_id(rules, "contact_id", contact_id)),
        ]
        if role is not None:
            form.append(("role", rules.text("role", role, required=True) or ""))
        payload = self._requestor.request(
            "POST",
            f"/activities/contact/{action}",
            form=form,
            operation=operation,
            idempotent=WRITES[operation],
        )
        return self._maybe_record(payload, operation)

    # -- /task ---------------------------------------------------------------------------

    def create_task(self, fields: Mapping[str, Any]) -> OpentapsActivity:
        """Create a task: an activity of type TASK with a schedule and an assignee.

        :calls: ``POST /task`` (fields as ``note_field_<name>``, form-encoded)

        Args:
            fields: The activity fields of :meth:`save_activity` (``noteText``,
                ``status``...) plus ``scheduledDateTime`` and
                ``assignedToContactId`` (one contact id or a list).
                ``activityTypeId`` is not allowed: every task is of type TASK.

        Returns:
            The task as the server stored it.

        Raises:
            ValidationError: ``activityTypeId`` given, or a bad field; nothing was
                sent.
            AmbiguousWriteError: The create's outcome is unknown (never retried).
        """
        rules = Rules(VENDOR, "task.create")
        form = _form(rules, fields, prefix=FIELD_PREFIX, task=True, tz=self.timezone)
        payload = self._requestor.request(
            "POST",
            "/task",
            form=form,
            operation="task.create",
            idempotent=WRITES["task.create"],
        )
        return self._record(payload, "task.create")

    def search_tasks(
        self,
        *,
        assigned_to_contact_ids: str | Sequence[str] | None = None,
        from_scheduled_date_time: datetime | date | str | None = None,
        to_scheduled_date_time: datetime | date | str | None = None,
        statuses: str | Sequence[str] | None = None,
        per_page: int | None = None,
        include_raw: bool = True,
    ) -> list[OpentapsActivity]:
        """Search tasks by assignee, scheduled range and status.

        :calls: ``GET /task``

        Args:
            assigned_to_contact_ids: Contact ids the tasks are assigned to (any of
                them); None or empty for any. Sent comma-joined.
            from_scheduled_date_time: Scheduled at or after (naive datetimes and
                dates are read in the client's time zone).
            to_scheduled_date_time: Scheduled at or before.
            statuses: CREATED, STARTED, COMPLETED and/or CANCELLED (any case); sent
                comma-joined.
            per_page: The most tasks to return (the vendor's own script sends 9999
                to get every match).
            include_raw: Keep each payload in ``raw``.

        Raises:
            ValidationError: A bad id, status, date or range; nothing was sent.
        """
        items, path = self._task_search(
            assigned_to_contact_ids=assigned_to_contact_ids,
            from_scheduled_date_time=from_scheduled_date_time,
            to_scheduled_date_time=to_scheduled_date_time,
            statuses=statuses,
            per_page=per_page,
        )
        return self._wire.structure_many(
            items,
            OpentapsActivity,
            path=path,
            operation="task.search",
            keep_raw=include_raw,
        )

    def _task_search(
        self,
        *,
        assigned_to_contact_ids: str | Sequence[str] | None = None,
        from_scheduled_date_time: datetime | date | str | None = None,
        to_scheduled_date_time: datetime | date | str | None = None,
        statuses: str | Sequence[str] | None = None,
        per_page: int | None = None,
    ) -> tuple[Any, str]:
        """One ``GET /task`` search: the tasks' payloads (unstructured) and their
        path in the answer.

        Shared by :meth:`search_tasks` (native models) and the adapter (which maps
        payloads straight to shared records). Strictly private.
        """
        operation = "task.search"
        rules = Rules(VENDOR, operation)
        params: list[tuple[str, str]] = []
        ids = _many(assigned_to_contact_ids)
        if ids:
            joined = ",".join(
                _object_id(rules, "assigned_to_contact_ids", i) for i in ids
            )
            params.append(("assignedToContactId", joined))
        start = end = None
        if from_scheduled_date_time is not None:
            start = rules.moment(
                "from_scheduled_date_time", from_scheduled_date_time, tz=self.timezone
            )
            params.append(("fromScheduledDateTime", _wire_time(start)))
        if to_scheduled_date_time is not None:
            end = rules.moment(
                "to_scheduled_date_time", to_scheduled_date_time, tz=self.timezone
            )
            params.append(("toScheduledDateTime", _wire_time(end)))
        if start is not None and end is not None and end < start:
            rules.fail(
                "to_scheduled_date_time", "must not be before from_scheduled_date_time"
            )
        wanted = _many(statuses)
        if wanted:
            params.append(
                ("status", ",".join(_status(rules, "statuses", s) for s in wanted))
            )
        if per_page is not None:
            params.append(
                ("per_page", str(rules.integer("per_page", per_page, minimum=1)))
            )
        return _listed(
            self._requestor.request("GET", "/task", params=params, operation=operation)
        )

    # -- answers ---------------------------------------------------------------------------

    def _record(self, payload: Any, operation: str) -> OpentapsActivity:
        record, path = payload, "$.result.resultValue"
        if isinstance(payload, Mapping) and "_id" not in payload:
            for key in _RECORD_KEYS:
                if isinstance(payload.get(key), Mapping):
                    record, path = payload[key], f"{path}.{key}"
                    break
        return self._wire.structure(
            record, OpentapsActivity, path=path, operation=operation
        )

    def _maybe_record(self, payload: Any, operation: str) -> OpentapsActivity | None:
        if isinstance(payload, Mapping) and (
            "_id" in payload
            or "activityId" in payload
            or any(isinstance(payload.get(k), Mapping) for k in _RECORD_KEYS)
        ):
            return self._record(payload, operation)
        return None

    def _exchange(self) -> str:
        return self._temp_token(self._login_requestor).auth_token


def _listed(payload: Any) -> tuple[Any, str]:
    """The records of a list answer (a bare list, or under ``activities`` or
    ``tasks``) and their path, for error messages."""
    items, path = payload, "$.result.resultValue"
    if isinstance(payload, Mapping):
        for key in _LIST_KEYS:
            if isinstance(payload.get(key), list):
                items, path = payload[key], f"{path}.{key}"
                break
    return items, path


# -- rules -----------------------------------------------------------------------------


def _object_id(rules: Rules, field: str, value: Any, *, what: str = "Opentaps") -> str:
    """A 24-hex Opentaps id, exactly (nothing stripped), for every id argument.

    Raises:
        ValidationError: Naming ``field``; nothing was sent.
    """
    return rules.string_id(
        field,
        value,
        pattern=OBJECT_ID,
        form=f"a 24-character hexadecimal {what} id",
        max_length=24,
    )


def _many(value: str | Sequence[str] | None) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def _status(rules: Rules, field: str, value: Any) -> str:
    word = value.strip().upper() if isinstance(value, str) else None
    if word not in STATUSES:
        rules.fail(
            field, f"must be one of {', '.join(STATUSES)} (any case), got {value!r:.40}"
        )
    return word


def _wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_WIRE_TIME)


def _scalar(rules: Rules, name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return str(rules.number(name, value))
    if isinstance(value, datetime):
        return _wire_time(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return value.isoformat()
    rules.fail(
        name, f"must be text, a number, a boolean or a date, got {type(value).__name__}"
    )


def _form(
    rules: Rules,
    fields: Mapping[str, Any],
    *,
    prefix: str,
    task: bool,
    tz: Any,
) -> list[tuple[str, str]]:
    """Check activity fields and turn them into form pairs (``prefix`` + name)."""
    if not isinstance(fields, Mapping):
        rules.fail("fields", "must be a mapping of wire field names to values")
    out: list[tuple[str, str]] = []
    for key, value in fields.items():
        if value is NOT_SET:
            continue
        name: object = key
        if name in READ_ONLY_FIELDS:
            rules.fail(str(name), "is set by Opentaps and cannot be written")
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            rules.fail(
                str(name),
                "is not a valid field name (a letter, then letters, digits, '_' or '.')",
            )
        if name.startswith(FIELD_PREFIX):
            rules.fail(name, f"must be given without the {FIELD_PREFIX!r} prefix")
        if name == "attributes":
            rules.fail(
                name,
                "is the server's free attribute map and cannot be form-encoded; "
                "send each value as a field of its own",
            )
        if name in _TYPE_FIELDS:
            if task:
                rules.fail(
                    name,
                    "is not allowed on tasks: POST /task always creates activityTypeId TASK",
                )
            text = rules.text(name, value, required=True) or ""
        elif name == "status":
            text = _status(rules, name, value)
        elif name == "scheduledDateTime":
            text = "" if value is None else _wire_time(rules.moment(name, value, tz=tz))
        elif name in _ID_LIST_FIELDS:
            ids = [] if value is None else _many(value)
            text = ",".join(_object_id(rules, name, i) for i in ids)
        elif name in _ID_FIELDS:
            text = "" if value is None else _object_id(rules, name, value)
        elif isinstance(value, list | tuple):
            text = ",".join(_scalar(rules, name, v) for v in value)
        else:
            text = _scalar(rules, name, value)
        out.append((f"{prefix}{name}", text))
    return out
