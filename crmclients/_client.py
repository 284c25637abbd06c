"""The common Client, its collections, and capabilities generated from code.

A vendor adapter is a :class:`VendorAdapter` holding one :class:`CollectionAdapter`
per collection it serves. Capabilities are *derived*, never hand-written: an
operation is supported when the collection adapter overrides it (``native``, or
``emulated`` when it says it composes other calls), and a filter is ``native`` when
the vendor applies it server-side, ``emulated`` when the shared model lets
crmclients apply it to each record, and ``unsupported`` otherwise.

:class:`Collection` is what users touch (``client.tasks``): it validates filters,
raises :class:`~crmclients.errors.NotSupportedError` before any request, splits
filters into server-side and client-side ones, and builds the :class:`Pager`.

Strictly private; ``Client`` and ``Capabilities`` are public through ``crmclients``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any, ClassVar, Generic, Literal, TypeVar

import attrs

from crmclients import errors
from crmclients._paging import Pager, PagingSpec, Workers
from crmclients._rules import INT64_MAX, INT64_MIN, Rules, shown
from crmclients.config import Setting
from crmclients.models import (
    Activity,
    ActivityStatus,
    Communication,
    Note,
    Opportunity,
    Record,
    Ref,
    Task,
)

M = TypeVar("M", bound=Record)
Mode = Literal["native", "emulated", "unsupported"]

COLLECTIONS: tuple[str, ...] = (
    "activities",
    "tasks",
    "communications",
    "opportunities",
    "notes",
)
OPERATIONS: tuple[str, ...] = (
    "list",
    "get",
    "create",
    "update",
    "delete",
    "transition",
    "link",
    "unlink",
    "complete",
    "mark_viewed",
)
FILTERS: tuple[str, ...] = (
    "created_after",
    "created_before",
    "updated_after",
    "updated_before",
    "assigned_to",
    "scheduled_after",
    "scheduled_before",
    "status",
    "related_to",
)
COLLECTION_MODELS: Mapping[str, type[Record]] = {
    "activities": Activity,
    "tasks": Task,
    "communications": Communication,
    "opportunities": Opportunity,
    "notes": Note,
}
_TIME_FILTERS = {
    "created_after": ("created_at", True),
    "created_before": ("created_at", False),
    "updated_after": ("updated_at", True),
    "updated_before": ("updated_at", False),
    "scheduled_after": ("due_at", True),
    "scheduled_before": ("due_at", False),
}


# -- filters ---------------------------------------------------------------------------


def filters_for(model: type[Record]) -> frozenset[str]:
    """The unified filters crmclients can apply client-side to ``model`` records."""
    fields = attrs.fields_dict(model)
    usable = set()
    for name, (attr, _) in _TIME_FILTERS.items():
        if attr in fields:
            usable.add(name)
    if "assignee" in fields:
        usable.add("assigned_to")
    if "status" in fields:
        usable.add("status")
    if "related" in fields or "organisation" in fields:
        usable.add("related_to")
    return frozenset(usable)


def normalise_time(value: Any, *, field: str, tz: tzinfo, vendor: str) -> datetime:
    """A filter's time value as an aware UTC datetime.

    Naive datetimes and dates are read in the client's time zone.

    Raises:
        ValidationError: Not a datetime, a date or an ISO 8601 string.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise errors.ValidationError(
                field=field,
                rule="must be a datetime, a date or an ISO 8601 string such as '2024-03-01T12:00:00+00:00'",
                vendor=vendor,
            ) from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=tz)
    else:
        raise errors.ValidationError(
            field=field,
            rule="must be a datetime, a date or an ISO 8601 string",
            vendor=vendor,
        )
    return moment.astimezone(UTC)


def _status_values(value: Any) -> tuple[ActivityStatus | str, ...]:
    items = value if isinstance(value, list | tuple | set | frozenset) else (value,)
    out: list[ActivityStatus | str] = []
    for item in items:
        if isinstance(item, ActivityStatus):
            out.append(item)
        else:
            text = str(item)
            try:
                out.append(ActivityStatus(text.lower()))
            except ValueError:
                out.append(text)
    return tuple(out)


def normalise_filters(
    filters: Mapping[str, Any], *, vendor: str, tz: tzinfo
) -> dict[str, Any]:
    """Validate unified filter values and bring them to one canonical form.

    Time filters become aware UTC datetimes; ``status`` a tuple of ActivityStatus
    or vendor words; ``assigned_to`` a string id or a Ref; ``related_to`` a Ref.

    Raises:
        ValidationError: An unknown filter or an unusable value.
    """
    out: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if name not in FILTERS:
            raise errors.ValidationError(
                field=name,
                rule=f"is not a filter; the filters are {', '.join(FILTERS)}",
                vendor=vendor,
            )
        if name in _TIME_FILTERS:
            out[name] = normalise_time(value, field=name, tz=tz, vendor=vendor)
        elif name == "status":
            out[name] = _status_values(value)
        elif name == "related_to":
            if not isinstance(value, Ref):
                raise errors.ValidationError(
                    field=name,
                    rule="must be a Ref, e.g. Ref(RefKind.CONTACT, '42')",
                    vendor=vendor,
                )
            out[name] = _ref(value, name, vendor)
        elif name == "assigned_to":
            if isinstance(value, Ref):
                out[name] = _ref(value, name, vendor)
            elif isinstance(value, int) and not isinstance(value, bool):
                out[name] = _id(value, vendor, None, field=name)
            elif isinstance(value, str):
                out[name] = value
            else:
                raise errors.ValidationError(
                    field=name,
                    rule="must be a user/contact id, a username or a Ref",
                    vendor=vendor,
                )
    return out


def _ref(ref: Ref, field: str, vendor: str) -> Ref:
    """A filter's Ref, its id given the first check every id gets (see ``_id``)."""
    _id(ref.id, vendor, None, field=field)
    return ref


def _ref_matches(ref: Ref | None, wanted: Ref | str) -> bool:
    if ref is None:
        return False
    if isinstance(wanted, Ref):
        return ref.kind == wanted.kind and ref.id == wanted.id
    return wanted in (ref.id, ref.name)


def predicate_for(name: str, value: Any) -> Callable[[Any], bool]:
    """A record predicate implementing one unified filter client-side."""
    if name in _TIME_FILTERS:
        attr, after = _TIME_FILTERS[name]

        def in_range(record: Any) -> bool:
            moment = getattr(record, attr, None)
            if moment is None:
                return False
            return bool(moment >= value) if after else bool(moment < value)

        return in_range
    if name == "status":
        wanted = {v for v in value if isinstance(v, ActivityStatus)}
        words = {
            v.lower()
            for v in value
            if isinstance(v, str) and not isinstance(v, ActivityStatus)
        }

        def status_matches(record: Any) -> bool:
            status = getattr(record, "status", None)
            if isinstance(status, ActivityStatus) and status in wanted:
                return True
            word = getattr(record, "vendor_status", None) or (
                status
                if isinstance(status, str) and not isinstance(status, ActivityStatus)
                else None
            )
            return word is not None and word.lower() in words

        return status_matches
    if name == "assigned_to":
        return lambda record: _ref_matches(getattr(record, "assignee", None), value)
    if name == "related_to":

        def related(record: Any) -> bool:
            refs: list[Ref] = list(getattr(record, "related", ()))
            for attr in ("organisation", "person"):
                ref = getattr(record, attr, None)
                if ref is not None:
                    refs.append(ref)
            return any(_ref_matches(ref, value) for ref in refs)

        return related
    raise AssertionError(
        f"no predicate for {name}"
    )  # pragma: no cover - FILTERS is closed


def _all_of(
    predicates: Sequence[Callable[[Any], bool]],
) -> Callable[[Any], bool] | None:
    if not predicates:
        return None
    if len(predicates) == 1:
        return predicates[0]
    return lambda record: all(p(record) for p in predicates)


# -- adapters --------------------------------------------------------------------------


@attrs.frozen
class ListQuery:
    """A list request as a collection adapter receives it.

    Attributes:
        filters: The unified filters to apply server-side (normalised values).
        all_filters: Every unified filter the caller gave (some may be applied
            client-side as well).
        page_size: Requested page size (None: the vendor's default).
        include_raw: Keep vendor payloads in ``raw``.
    """

    filters: Mapping[str, Any]
    all_filters: Mapping[str, Any]
    page_size: int | None = None
    include_raw: bool = True


@attrs.frozen
class Listing(Generic[M]):
    """How a collection adapter pulls: a paging spec and a page converter."""

    spec: PagingSpec
    convert: Callable[[Sequence[Any]], Sequence[M]]


class CollectionAdapter(Generic[M]):
    """One collection of one vendor. Override the operations the vendor has.

    Attributes:
        name: The collection (``"tasks"``...).
        native_filters: Unified filters the vendor applies server-side.
        emulated: Operations implemented by composing other native calls.
        writable: Shared field names accepted by create/update.
        required_on_create: Shared field names create needs.
    """

    name: ClassVar[str]
    native_filters: ClassVar[frozenset[str]] = frozenset()
    emulated: ClassVar[frozenset[str]] = frozenset()
    writable: ClassVar[frozenset[str]] = frozenset()
    required_on_create: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, adapter: VendorAdapter) -> None:
        self.adapter = adapter

    @property
    def vendor(self) -> str:
        """The vendor name."""
        return self.adapter.vendor

    def list(self, query: ListQuery) -> Listing[M]:
        """How to pull the collection with these server-side filters."""
        raise NotImplementedError

    def get(self, id: str) -> M:
        """One record by id."""
        raise NotImplementedError

    def create(self, fields: Mapping[str, Any]) -> M:
        """Create a record from shared field values."""
        raise NotImplementedError

    def update(self, id: str, changes: Mapping[str, Any]) -> M:
        """Change some shared fields of a record."""
        raise NotImplementedError

    def delete(self, id: str) -> None:
        """Delete a record."""
        raise NotImplementedError

    def transition(self, id: str, status: ActivityStatus, *, strict: bool) -> M:
        """Move a task to another status."""
        raise NotImplementedError

    def link(self, id: str, ref: Ref) -> M:
        """Link a record to another (a contact in a role...)."""
        raise NotImplementedError

    def unlink(self, id: str, ref: Ref) -> M:
        """Remove a link."""
        raise NotImplementedError

    def complete(self, id: str) -> M:
        """Complete a draft (CRM.COM communications)."""
        raise NotImplementedError

    def mark_viewed(self, id: str) -> M:
        """Mark a completed communication as viewed."""
        raise NotImplementedError

    @classmethod
    def operation_mode(cls, operation: str) -> Mode:
        """``native``, ``emulated`` or ``unsupported`` for one operation."""
        overridden = getattr(cls, operation) is not getattr(
            CollectionAdapter, operation
        )
        if not overridden:
            return "unsupported"
        return "emulated" if operation in cls.emulated else "native"

    @classmethod
    def filter_mode(cls, name: str) -> Mode:
        """``native``, ``emulated`` or ``unsupported`` for one unified filter."""
        if cls.operation_mode("list") == "unsupported":
            return "unsupported"
        if name in cls.native_filters:
            return "native"
        if name in filters_for(COLLECTION_MODELS[cls.name]):
            return "emulated"
        return "unsupported"


class VendorAdapter:
    """A vendor's native client behind the common interface.

    Subclasses set ``vendor``, ``settings``, ``collections`` and implement
    :meth:`from_settings`.
    """

    vendor: ClassVar[str]
    settings: ClassVar[Sequence[Setting]] = ()
    collections: ClassVar[Mapping[str, type[CollectionAdapter[Any]]]] = {}

    def __init__(self, native: Any, *, timezone: tzinfo = UTC) -> None:
        self.native = native
        self.timezone = timezone
        self._handlers = {name: cls(self) for name, cls in self.collections.items()}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> VendorAdapter:
        """Build the native client from resolved settings."""
        raise NotImplementedError

    def handler(self, collection: str) -> CollectionAdapter[Any] | None:
        """The collection adapter, or None when the vendor has no such collection."""
        return self._handlers.get(collection)

    def close(self) -> None:
        """Release the native client's resources."""
        close = getattr(self.native, "close", None)
        if callable(close):
            close()

    @classmethod
    def capabilities(cls) -> Capabilities:
        """What this vendor supports, derived from the collection adapters."""
        rows = []
        for collection in COLLECTIONS:
            handler = cls.collections.get(collection)
            for operation in OPERATIONS:
                mode: Mode = (
                    handler.operation_mode(operation) if handler else "unsupported"
                )
                rows.append(CapabilityRow(collection, operation, mode, "operation"))
            for name in FILTERS:
                mode = handler.filter_mode(name) if handler else "unsupported"
                rows.append(CapabilityRow(collection, name, mode, "filter"))
        return Capabilities(cls.vendor, rows)


# -- capabilities ----------------------------------------------------------------------


@attrs.frozen
class CapabilityRow:
    """One line of the capability matrix."""

    collection: str
    feature: str
    mode: Mode
    kind: Literal["operation", "filter"]


class Capabilities:
    """What a vendor supports, per collection, operation and filter.

    >>> import crmclients
    >>> caps = crmclients.capabilities("tactile")
    >>> caps.supports("opportunities", "create"), caps.mode("opportunities", "delete")
    (True, 'unsupported')
    """

    def __init__(self, vendor: str, rows: Iterable[CapabilityRow]) -> None:
        self.vendor = vendor
        self._rows = {(row.collection, row.feature): row for row in rows}

    def mode(self, collection: str, feature: str) -> Mode:
        """How a collection's operation or filter works on this vendor.

        Args:
            collection: ``activities``, ``tasks``, ``communications``,
                ``opportunities`` or ``notes``.
            feature: An operation (``list``, ``create``...) or a unified filter
                (``updated_after``, ``status``...).

        Returns:
            ``"native"`` (the vendor does it), ``"emulated"`` (crmclients composes
            calls or filters each record) or ``"unsupported"``.

        Raises:
            ValidationError: Unknown collection, operation or filter.
        """
        row = self._rows.get((collection, feature))
        if row is None:
            raise errors.ValidationError(
                field="collection" if collection not in COLLECTIONS else "feature",
                rule=(
                    f"must be one of {', '.join(COLLECTIONS)}"
                    if collection not in COLLECTIONS
                    else f"must be an operation ({', '.join(OPERATIONS)}) or a filter "
                    f"({', '.join(FILTERS)})"
                ),
                vendor=self.vendor,
            )
        return row.mode

    def supports(self, collection: str, feature: str) -> bool:
        """Tell whether an operation or filter works (natively or emulated).

        Args:
            collection: The collection, as for :meth:`mode`.
            feature: The operation or filter, as for :meth:`mode`.

        Returns:
            False when using it would raise ``NotSupportedError``.

        Raises:
            ValidationError: Unknown collection, operation or filter.
        """
        return self.mode(collection, feature) != "unsupported"

    def collections(self) -> list[str]:
        """Collections with at least one supported operation.

        Returns:
            Collection names, in the order of the shared model.
        """
        return [
            c for c in COLLECTIONS if any(self.supports(c, op) for op in OPERATIONS)
        ]

    def __iter__(self) -> Iterator[CapabilityRow]:
        return iter(self._rows.values())

    def to_markdown(self) -> str:
        """A Markdown table: supported collections x operations and filters.

        Returns:
            The table (``yes``, ``emulated`` or ``-`` in each cell), as the docs show it.
        """
        features = [*OPERATIONS, *FILTERS]
        collections = self.collections()
        lines = [
            f"| {self.vendor} | " + " | ".join(collections) + " |",
            "|---|" + "---|" * len(collections),
        ]
        symbol = {"native": "yes", "emulated": "emulated", "unsupported": "-"}
        for feature in features:
            cells = [symbol[self.mode(c, feature)] for c in collections]
            lines.append(f"| {feature} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def __repr__(self) -> str:
        supported = sum(1 for row in self._rows.values() if row.mode != "unsupported")
        return f"<Capabilities {self.vendor}: {supported} supported features>"


# -- public surface --------------------------------------------------------------------


class Collection(Generic[M]):
    """One collection of a client (``client.tasks``...): list, get, create, update...

    Operations the vendor lacks raise :class:`~crmclients.errors.NotSupportedError`
    before any request is sent.
    """

    def __init__(self, client: Client, name: str) -> None:
        self._client = client
        self.name = name
        self._handler = client._adapter.handler(name)

    def _require(self, operation: str) -> CollectionAdapter[M]:
        handler = self._handler
        if handler is None or handler.operation_mode(operation) == "unsupported":
            raise errors.NotSupportedError(
                self._client.vendor, f"{self.name}.{operation}"
            )
        return handler

    def list(
        self,
        *,
        page_size: int | None = None,
        workers: Workers = 1,
        include_raw: bool = True,
        progress: bool = False,
        **filters: Any,
    ) -> Pager[M]:
        """A lazy pull of the collection.

        Args:
            page_size: Records per request (None: the vendor's default).
            workers: Pages fetched in parallel where the vendor reports the total
                up front; ``"auto"`` picks from the first round trip.
            include_raw: Keep vendor payloads in ``raw`` (turn off for big pulls).
            progress: Show a progress bar (needs the ``cli`` extra).
            **filters: Unified filters: created_after, created_before,
                updated_after, updated_before, assigned_to, scheduled_after,
                scheduled_before, status, related_to.

        Returns:
            A :class:`~crmclients.Pager`; nothing is fetched until it is iterated.

        Raises:
            NotSupportedError: The vendor cannot list this collection, or cannot
                apply one of the filters at all.
            ValidationError: An unknown filter or a bad value.
        """
        handler = self._require("list")
        vendor = self._client.vendor
        normalised = normalise_filters(
            filters, vendor=vendor, tz=self._client._adapter.timezone
        )
        server: dict[str, Any] = {}
        client_side: list[str] = []
        predicates = []
        for name, value in normalised.items():
            mode = handler.filter_mode(name)
            if mode == "unsupported":
                raise errors.NotSupportedError(
                    vendor, f"{self.name}.list(filter {name})"
                )
            if mode == "native":
                server[name] = value
            else:
                client_side.append(name)
                predicates.append(predicate_for(name, value))
        size: object = page_size
        if size is not None and (
            not isinstance(size, int) or isinstance(size, bool) or size < 1
        ):
            raise errors.ValidationError(
                field="page_size", rule="must be a positive integer", vendor=vendor
            )
        listing = handler.list(
            ListQuery(
                filters=server,
                all_filters=normalised,
                page_size=page_size,
                include_raw=include_raw,
            )
        )
        return Pager(
            listing.spec,
            convert=listing.convert,
            page_size=page_size,
            workers=workers,
            predicate=_all_of(predicates),
            client_side_filters=client_side,
            progress=progress,
            name=f"{vendor}.{self.name}",
            vendor=vendor,
        )

    def get(self, id: str | int) -> M:
        """One record by id.

        Args:
            id: The vendor's id (a string, or an integer for vendors with numeric ids).

        Returns:
            The record.

        Raises:
            NotFoundError: No such record.
            NotSupportedError: The vendor cannot read this collection by id.
            ValidationError: The id is empty or malformed.
        """
        return self._require("get").get(self._id(id, "get"))

    def create(self, obj: M | Mapping[str, Any] | None = None, /, **fields: Any) -> M:
        """Create a record from a model instance or shared field values.

        Args:
            obj: A record of the collection's model (its writable fields that are set
                are used), or a mapping of shared field names to values.
            **fields: Shared field values (they override ``obj``).

        Returns:
            The created record, as the vendor stored it.

        Raises:
            ValidationError: A field the vendor cannot write, a missing required field,
                or a documented rule broken; nothing was sent.
            NotSupportedError: The vendor cannot create in this collection.
            AmbiguousWriteError: The request was sent but its outcome is unknown; it
                was not replayed (look the record up before trying again).
        """
        handler = self._require("create")
        values = self._fields(handler, obj, fields, operation="create")
        missing = sorted(
            name for name in handler.required_on_create if values.get(name) is None
        )
        if missing:
            raise errors.ValidationError(
                field=missing[0],
                rule=f"is required to create {self.name} on {self._client.vendor}",
                vendor=self._client.vendor,
                operation=f"{self.name}.create",
            )
        return handler.create(values)

    def update(self, id: str | int, /, **changes: Any) -> M:
        """Change some fields of a record; only the fields given are sent.

        Args:
            id: The record's id.
            **changes: Shared field names and their new values (``None`` clears a
                field where the vendor allows it).

        Returns:
            The updated record.

        Raises:
            ValidationError: A field the vendor cannot write, or a rule broken;
                nothing was sent.
            NotFoundError: No such record.
            NotSupportedError: The vendor cannot update this collection.
        """
        handler = self._require("update")
        values = self._fields(handler, None, changes, operation="update")
        return handler.update(self._id(id, "update"), values)

    def delete(self, id: str | int) -> None:
        """Delete a record.

        Args:
            id: The record's id.

        Raises:
            NotFoundError: No such record.
            NotSupportedError: The vendor cannot delete in this collection.
        """
        self._require("delete").delete(self._id(id, "delete"))

    def transition(
        self, id: str | int, status: ActivityStatus | str, *, strict: bool = True
    ) -> M:
        """Move a task to ``status``, refusing an abnormal move unless ``strict=False``.

        Args:
            id: The task's id.
            status: The target status (an ``ActivityStatus`` or its value).
            strict: Refuse moves off the normal lifecycle (see
                ``Task.can_transition_to``) before sending anything.

        Returns:
            The task after the move.

        Raises:
            ValidationError: An unknown status, a status the vendor lacks, or (strict)
                a move that breaks the task lifecycle.
            NotSupportedError: The vendor has no task lifecycle here.
        """
        handler = self._require("transition")
        try:
            target = ActivityStatus(status)
        except ValueError:
            raise errors.ValidationError(
                field="status",
                rule=f"must be one of {', '.join(s.value for s in ActivityStatus)}, got {status!r}",
                vendor=self._client.vendor,
                operation=f"{self.name}.transition",
            ) from None
        return handler.transition(self._id(id, "transition"), target, strict=strict)

    def link(self, id: str | int, ref: Ref) -> M:
        """Link the record to another one (for example a contact in a role).

        Args:
            id: The record's id.
            ref: What to link, e.g. ``Ref(RefKind.CONTACT, "42", role="ATTENDEE")``.

        Returns:
            The record with its new link.

        Raises:
            NotSupportedError: The vendor cannot link records of this collection.
        """
        return self._require("link").link(self._id(id, "link"), ref)

    def unlink(self, id: str | int, ref: Ref) -> M:
        """Remove a link made with :meth:`link`.

        Args:
            id: The record's id.
            ref: The link to remove.

        Returns:
            The record without the link.

        Raises:
            NotSupportedError: The vendor cannot unlink records of this collection.
        """
        return self._require("unlink").unlink(self._id(id, "unlink"), ref)

    def complete(self, id: str | int) -> M:
        """Complete a draft (lifecycle operation).

        Args:
            id: The record's id.

        Returns:
            The completed record, read back.

        Raises:
            ConflictError: The record is not a draft.
            NotSupportedError: The vendor has no such operation.
        """
        return self._require("complete").complete(self._id(id, "complete"))

    def mark_viewed(self, id: str | int) -> M:
        """Mark a completed record as viewed (lifecycle operation).

        Args:
            id: The record's id.

        Returns:
            The record, read back, with ``viewed_at`` set.

        Raises:
            ConflictError: The record is not completed.
            NotSupportedError: The vendor has no such operation.
        """
        return self._require("mark_viewed").mark_viewed(self._id(id, "mark_viewed"))

    def _fields(
        self,
        handler: CollectionAdapter[M],
        obj: Any,
        fields: Mapping[str, Any],
        *,
        operation: str,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if obj is not None:
            if isinstance(obj, Record):
                values.update(
                    (f.name, getattr(obj, f.name))
                    for f in attrs.fields(type(obj))
                    if f.name in handler.writable
                    and getattr(obj, f.name) not in (None, ())
                )
            elif isinstance(obj, Mapping):
                values.update(obj)
            else:
                raise errors.ValidationError(
                    field="obj",
                    rule="must be a model instance or a mapping of fields",
                    vendor=self._client.vendor,
                    operation=f"{self.name}.{operation}",
                )
        values.update(fields)
        for name in values:
            if name not in handler.writable:
                raise errors.ValidationError(
                    field=name,
                    rule=(
                        f"cannot be written on {self._client.vendor} {self.name}; writable: "
                        f"{', '.join(sorted(handler.writable)) or 'none'}"
                    ),
                    vendor=self._client.vendor,
                    operation=f"{self.name}.{operation}",
                )
        return values

    def _id(self, value: str | int, operation: str) -> str:
        return _id(value, self._client.vendor, f"{self.name}.{operation}")

    def __repr__(self) -> str:
        return f"<Collection {self._client.vendor}.{self.name}>"


def _id(
    value: str | int, vendor: str, operation: str | None, *, field: str = "id"
) -> str:
    """An id given to the common interface, checked, as adapters take it: a string.

    The same first check for every vendor, before the adapter checks its own
    documented form (:meth:`~crmclients._rules.Rules.id` for integer ids,
    :meth:`~crmclients._rules.Rules.string_id` for string ones): an ``int`` (not
    a boolean) within a signed 64-bit integer, or a string of 1 to 64 printable
    characters without whitespace. Nothing is stripped.

    Raises:
        ValidationError: Naming ``field``; nothing was sent.
    """
    rules = Rules(vendor, operation)
    given: object = value
    if isinstance(given, int) and not isinstance(given, bool):
        if not INT64_MIN <= given <= INT64_MAX:
            rules.fail(
                field, f"must fit in a signed 64-bit integer, got {shown(given)}"
            )
        return str(given)
    return rules.string_id(field, given, form="a non-empty string id or an integer id")


class Client:
    """One vendor behind the common interface. Use :func:`crmclients.connect`.

    Attributes:
        vendor: The vendor name.
        native: The vendor-native client (every endpoint, the vendor's own models).
        capabilities: What this vendor supports.
        activities: The activities (notes, calls, meetings, tasks...).
        tasks: The tasks.
        communications: The communications (CRM.COM).
        opportunities: The opportunities (Tactile).
        notes: The notes (Tactile).

    Every vendor has the five collections; one the vendor lacks raises
    ``NotSupportedError`` on use (see ``capabilities``).
    """

    def __init__(self, adapter: VendorAdapter) -> None:
        self._adapter = adapter
        self.vendor = adapter.vendor
        self.native = adapter.native
        self.capabilities = type(adapter).capabilities()
        self.activities: Collection[Activity] = Collection(self, "activities")
        self.tasks: Collection[Task] = Collection(self, "tasks")
        self.communications: Collection[Communication] = Collection(
            self, "communications"
        )
        self.opportunities: Collection[Opportunity] = Collection(self, "opportunities")
        self.notes: Collection[Note] = Collection(self, "notes")

    def close(self) -> None:
        """Release connections (and vendor sessions, such as CRM.COM tokens)."""
        self._adapter.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        base = getattr(self.native, "base_url", None)
        where = f" base_url={base!r}" if base else ""
        return f"<crmclients.Client vendor={self.vendor!r}{where}>"
