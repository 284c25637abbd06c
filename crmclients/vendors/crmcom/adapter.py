"""CRM.COM behind the common Client: communications (and the same records as activities).

Mapping (native -> shared ``Communication``):

=====================================  ==============================================
CRM.COM                                crmclients.models.Communication
=====================================  ==============================================
id                                     id
number                                 number
subject                                subject
content                                body
media EMAIL/SMS/PHONE/LETTER/F2F       media; kind EMAIL/SMS/CALL/LETTER/FACE_TO_FACE
direction INCOMING/OUTGOING            direction
to                                     to
life_cycle_state DRAFT                 status DRAFT (vendor_status "DRAFT")
life_cycle_state COMPLETED/COMPLETE    status COMPLETED (vendor_status kept)
category.name                          category
viewed_on                              viewed_at (aware UTC)
contact_information                    related: Ref(CONTACT, id, name)
referring_to.<type>                    related: Ref(kind, id, number or name, role=type)
log_information.created_date           created_at (aware UTC)
log_information.updated_date           updated_at (aware UTC)
=====================================  ==============================================

``referring_to`` types map to RefKind as: lead -> LEAD, accounts_receivable ->
ACCOUNT, payment -> PAYMENT, bill -> INVOICE, anything else -> OTHER (the CRM.COM
type is the Ref's ``role``).

``client.activities`` yields the same records as plain ``Activity`` objects (the
communication-only fields stay on ``client.communications``).

The mapping is declared once, as the projections :data:`COMMUNICATION` and
:data:`ACTIVITY`: get, create and update map the native model with them
(``from_native``); pulls compile them into one pass from each page's payloads to
shared records, with no native model in between. That pass reads every field of a
communication, mapped or not, as the native model does, so a malformed one (a UDF
date, a privacy level) fails a pull with the same ResponseShapeError naming it.

``client.communications``: list (needs ``related_to=Ref(RefKind.CONTACT, id)``:
CRM.COM lists communications per contact or category), get, create, update,
``complete`` and ``mark_viewed``. ``client.activities``: list and get of the same
records, for cross-vendor activity reports. The communication queue stays on the
native client (``client.native.list_queue(...)``...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from crmclients import errors
from crmclients._client import CollectionAdapter, Listing, ListQuery, VendorAdapter
from crmclients._projection import REFS, Call, Copy, Projection, Raw, Source
from crmclients._rules import Rules
from crmclients.config import Setting
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Communication,
    Direction,
    Media,
    Ref,
    RefKind,
)
from crmclients.vendors.crmcom.client import (
    DIRECTIONS,
    MEDIA,
    CrmcomClient,
    _crmcom_id,
)
from crmclients.vendors.crmcom.models import (
    ContactInformation,
    CrmcomCommunication,
    Identifier,
    LogInformation,
    Reference,
)

VENDOR = "crmcom"
R = TypeVar("R")
T = TypeVar("T")

_KINDS = {
    "EMAIL": ActivityKind.EMAIL,
    "SMS": ActivityKind.SMS,
    "PHONE": ActivityKind.CALL,
    "LETTER": ActivityKind.LETTER,
    "FACE_TO_FACE": ActivityKind.FACE_TO_FACE,
}
_STATUSES = {
    "DRAFT": ActivityStatus.DRAFT,
    "COMPLETED": ActivityStatus.COMPLETED,
    "COMPLETE": ActivityStatus.COMPLETED,
}
_REFERRING_KINDS = {
    "lead": RefKind.LEAD,
    "accounts_receivable": RefKind.ACCOUNT,
    "payment": RefKind.PAYMENT,
    "bill": RefKind.INVOICE,
}
_REFERRING_TYPES = {kind: name for name, kind in _REFERRING_KINDS.items()}
#: Native create/update argument -> shared field, for messages about native rules.
_SHARED_NAMES = {
    "content": "body",
    "contact_information_identifier": "related",
    "category_identifier": "category",
    "life_cycle_state": "status",
    "communication_identifier": "id",
}


#: Native media / direction word, lower-cased -> shared enum (``Media(word.lower())``).
_MEDIA = {member.value: member for member in Media}
_DIRECTIONS = {member.value: member for member in Direction}
_NO_ENTITIES: Mapping[str, Any] = {}


def _precomputed(
    words: Iterable[str],
) -> Callable[[Callable[[str | None], T]], Callable[[str | None], T]]:
    """Decorate a word -> enum reading: its answers for ``words`` looked up.

    Each word as documented, upper- and lower-cased, with None and "", is read
    once, when the module loads; any other value (an odd case, an unknown word)
    still goes through the function, so the answer is always what it gives.
    """

    def decorate(read: Callable[[str | None], T]) -> Callable[[str | None], T]:
        known: dict[str | None, T] = {None: read(None), "": read("")}
        for word in words:
            for spelling in (word, word.upper(), word.lower()):
                known[spelling] = read(spelling)
        lookup = known.get
        missing: Any = object()

        @functools.wraps(read)
        def precomputed(word: str | None) -> T:
            answer = lookup(word, missing)
            return read(word) if answer is missing else answer

        return precomputed

    return decorate


@_precomputed(MEDIA)
def _kind(media: str | None) -> ActivityKind:
    """The activity kind of a media word, any case: PHONE is a CALL; else OTHER."""
    if not media:
        return ActivityKind.OTHER
    return _KINDS.get(media.upper(), ActivityKind.OTHER)


@_precomputed(MEDIA)
def _media(media: str | None) -> Media | None:
    """The shared Media of a media word, any case; None for none or an unknown one."""
    return _MEDIA.get(media.lower()) if media else None


@_precomputed(DIRECTIONS)
def _direction(direction: str | None) -> Direction | None:
    """The shared Direction of a direction word, any case; None if unknown."""
    return _DIRECTIONS.get(direction.lower()) if direction else None


@_precomputed(_STATUSES)
def _activity_status(state: str | None) -> ActivityStatus | None:
    """The shared status of a life_cycle_state, any case: DRAFT, COMPLETE(D)."""
    return _STATUSES.get((state or "").upper())


def _created(log: LogInformation | None) -> datetime | None:
    """``log_information.created_date`` (None without log information)."""
    return None if log is None else log.created_date


def _updated(log: LogInformation | None) -> datetime | None:
    """``log_information.updated_date`` (None without log information)."""
    return None if log is None else log.updated_date


def _category(category: Reference | None) -> str | None:
    """The category's name."""
    return None if category is None else category.name


def _related(
    contact: ContactInformation | None, referring_to: Mapping[str, Any] | None
) -> tuple[Ref, ...]:
    """The contact's Ref, then one Ref per entity referred to (with an id)."""
    # One shared Ref per contact (None without an id), not one per record.
    ref = (
        None
        if contact is None
        else REFS(RefKind.CONTACT, contact.id, contact.display_name)
    )
    refs: list[Ref] = [] if ref is None else [ref]
    for key, entity in (referring_to or _NO_ENTITIES).items():
        # Most entity types are null: skip them before the (slower) Mapping check.
        if entity is None or not isinstance(entity, Mapping) or not entity.get("id"):
            continue
        label = entity.get("number") or entity.get("name")
        refs.append(
            Ref(
                _REFERRING_KINDS.get(key, RefKind.OTHER),
                str(entity["id"]),
                name=str(label) if label is not None else None,
                role=key,
            )
        )
    return tuple(refs)


#: The fields a communication shares with an Activity (one declaration for both).
_ACTIVITY_FIELDS: Mapping[str, Source] = {
    "id": Copy("id"),
    "created_at": Call(_created, "log_information"),
    "updated_at": Call(_updated, "log_information"),
    "raw": Raw(),
    "kind": Call(_kind, "media"),
    "subject": Copy("subject"),
    "body": Copy("content"),
    "status": Call(_activity_status, "life_cycle_state"),
    "vendor_status": Copy("life_cycle_state"),
    "related": Call(_related, "contact_information", "referring_to"),
}

#: CRM.COM communication -> shared Communication, declared once: used for single
#: records (``from_native``) and compiled into one pass over payloads for pulls.
#: Pulls read and check every native field (``checked="all"``), mapped or not, as
#: the native model does: a malformed UDF date fails a pull, naming the field.
COMMUNICATION = Projection(
    Communication,
    {
        **_ACTIVITY_FIELDS,
        "media": Call(_media, "media"),
        "direction": Call(_direction, "direction"),
        "to": Copy("to"),
        "number": Copy("number"),
        "category": Call(_category, "category"),
        "viewed_at": Copy("viewed_on"),
    },
    checked="all",
    vendor=VENDOR,
)

#: CRM.COM communication -> shared Activity (for cross-vendor activity reports):
#: the fields of :data:`COMMUNICATION` an Activity has.
ACTIVITY = Projection(Activity, _ACTIVITY_FIELDS, checked="all", vendor=VENDOR)


def communication_from_native(c: CrmcomCommunication) -> Communication:
    """Map a CRM.COM communication onto the shared model."""
    result: Communication = COMMUNICATION.from_native(c)
    return result


def activity_from_native(c: CrmcomCommunication) -> Activity:
    """Map a CRM.COM communication onto the shared Activity (for activity reports).

    The fields an Activity has are those of :func:`communication_from_native`;
    media, direction, to, number, category and viewed_at stay on communications.
    """
    result: Activity = ACTIVITY.from_native(c)
    return result


def _copy(projection: Projection) -> Projection:
    """The same declaration, with nothing compiled yet."""
    return Projection(
        projection.target,
        projection.fields,
        checked=projection.checked,
        **projection.constants,
    )


def _as_is(records: Sequence[R]) -> Sequence[R]:
    """Pages that are shared records already (made so by the page fetch)."""
    return records


def _native_id(id: str, operation: str, field: str = "id") -> Identifier:
    """A record id given to the common interface, checked, as an Identifier."""
    return Identifier.by_id(_crmcom_id(Rules(VENDOR, operation), field, id))


def _translate(call: Callable[[], R], operation: str) -> R:
    """Run a native call; name shared fields in its ValidationErrors."""
    try:
        return call()
    except errors.ValidationError as exc:
        raise errors.ValidationError(
            field=_SHARED_NAMES.get(exc.field, exc.field),
            rule=exc.rule,
            vendor=VENDOR,
            operation=f"communications.{operation}",
        ) from None


class _CommunicationReads:
    """list and get, shared by ``communications`` and ``activities``."""

    adapter: VendorAdapter

    @property
    def native(self) -> CrmcomClient:
        """The CRM.COM client."""
        client: CrmcomClient = self.adapter.native
        return client

    def _listing(self, query: ListQuery, collection: str) -> Listing[Any]:
        related = query.filters.get("related_to")
        if not isinstance(related, Ref) or related.kind is not RefKind.CONTACT:
            raise errors.ValidationError(
                field="related_to",
                rule="is required: CRM.COM lists communications per contact; pass "
                "related_to=Ref(RefKind.CONTACT, id) (or use client.native."
                "iter_communications(category_identifier=...) for a category)",
                vendor=VENDOR,
                operation=f"{collection}.list",
            )
        native = self.native
        adapter: CrmcomAdapter = self.adapter  # type: ignore[assignment]
        projection = adapter.projections[collection]

        def page(*, include_raw: bool, **arguments: Any) -> list[Any]:
            # Shared records as the page is fetched, so that the overlap between
            # pages is checked (and a bad payload fails) where it did with
            # native models: before the next page is asked for.
            return native._wire.project_many(
                native._communications_page(**arguments),
                CrmcomCommunication,
                projection,
                path="$.data",
                operation="communications.list",
                keep_raw=include_raw,
            )

        spec, _ = native._communications_paging(
            page,
            contact_information_identifier=_native_id(
                related.id, f"{collection}.list", "related_to"
            ),
            # Before R13 a list is one answer: the page size cannot be chosen.
            page_size=query.page_size if native.paged else None,
            include_raw=query.include_raw,
        )
        return Listing(spec=spec, convert=_as_is)

    def _get(self, id: str) -> Communication:
        return communication_from_native(
            self.native.show_communication(_native_id(id, "communications.get"))
        )


class CommunicationsAdapter(_CommunicationReads, CollectionAdapter[Communication]):
    """``client.communications`` on CRM.COM."""

    name = "communications"
    native_filters = frozenset({"related_to"})
    writable = frozenset(
        {"subject", "body", "media", "direction", "to", "related", "category", "status"}
    )
    required_on_create = frozenset({"related"})

    def list(self, query: ListQuery) -> Listing[Communication]:
        """A contact's communications (communications/list, paged from R13)."""
        return self._listing(query, "communications")

    def get(self, id: str) -> Communication:
        """One communication by its id (communications/show)."""
        return self._get(id)

    def create(self, fields: Mapping[str, Any]) -> Communication:
        """Create one (communications/create); COMPLETED unless status=DRAFT."""
        native = self._to_native(fields, "create")
        created = _translate(
            lambda: self.native.create_communication(**native), "create"
        )
        return communication_from_native(created)

    def update(self, id: str, changes: Mapping[str, Any]) -> Communication:
        """Change a DRAFT (communications/update); only the given fields are sent."""
        ident = _native_id(id, "communications.update")
        native = self._to_native(changes, "update")
        if "contact_information_identifier" in native:
            Rules(VENDOR, "communications.update").fail(
                "related", "cannot change the contact of a communication"
            )
        updated = _translate(
            lambda: self.native.update_communication(ident, **native),
            "update",
        )
        return communication_from_native(updated)

    def complete(self, id: str) -> Communication:
        """Complete a DRAFT (communications/complete), then read it back whole."""
        ident = _native_id(id, "communications.complete")
        _translate(lambda: self.native.complete_communication(ident), "complete")
        return self._get(id)

    def mark_viewed(self, id: str) -> Communication:
        """Set a COMPLETED one as viewed now (communications/set_as_viewed, R12.2+)."""
        ident = _native_id(id, "communications.mark_viewed")
        _translate(
            lambda: self.native.set_communication_as_viewed(ident), "mark_viewed"
        )
        return self._get(id)

    def _to_native(self, fields: Mapping[str, Any], operation: str) -> dict[str, Any]:
        rules = Rules(VENDOR, f"communications.{operation}")
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "subject":
                out["subject"] = value
            elif name == "body":
                out["content"] = value
            elif name == "to":
                out["to"] = value
            elif name in ("media", "direction"):
                out[name] = _word(rules, name, value)
            elif name == "status":
                status = _status(rules, value)
                out["life_cycle_state"] = status
            elif name == "category":
                if value is None:
                    out["category_identifier"] = None
                else:
                    out["category_identifier"] = Identifier.by_name(
                        rules.text("category", value, required=True) or ""
                    )
            elif name == "related":
                contact, referring = _split_related(rules, value)
                if contact is not None:
                    out["contact_information_identifier"] = contact
                if referring:
                    out["referring_to"] = referring
        if operation == "create" and "contact_information_identifier" not in out:
            rules.fail("related", "must include a Ref(RefKind.CONTACT, id)")
        if operation == "create":
            out = {k: v for k, v in out.items() if v is not None}
        return out


class ActivitiesAdapter(_CommunicationReads, CollectionAdapter[Activity]):
    """``client.activities`` on CRM.COM: the communications, read-only."""

    name = "activities"
    native_filters = frozenset({"related_to"})

    def list(self, query: ListQuery) -> Listing[Activity]:
        """A contact's communications, as activities."""
        return self._listing(query, "activities")

    def get(self, id: str) -> Activity:
        """One communication, as an activity."""
        return activity_from_native(
            self.native.show_communication(_native_id(id, "activities.get"))
        )


def _word(rules: Rules, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Media | Direction):
        return value.value.upper()
    if isinstance(value, str):
        return value.upper()
    rules.fail(name, f"must be a {name.title()} or its name, got {value!r:.40}")


def _status(rules: Rules, value: Any) -> str:
    try:
        status = ActivityStatus(value.lower() if isinstance(value, str) else value)
    except ValueError:
        status = None
    if status is ActivityStatus.DRAFT:
        return "DRAFT"
    if status is ActivityStatus.COMPLETED:
        return "COMPLETED"
    rules.fail("status", "must be DRAFT or COMPLETED on CRM.COM communications")


def _split_related(
    rules: Rules, value: Any
) -> tuple[Identifier | None, dict[str, Identifier]]:
    refs: Iterable[Any] = (value,) if isinstance(value, Ref) else value
    if value is None or isinstance(value, str) or not isinstance(refs, Iterable):
        rules.fail("related", "must be a Ref or a list of Refs")
    contact: Identifier | None = None
    referring: dict[str, Identifier] = {}
    for ref in refs:
        if not isinstance(ref, Ref):
            rules.fail("related", f"must hold Refs, got {ref!r:.40}")
        if ref.kind is RefKind.CONTACT:
            if contact is not None:
                rules.fail(
                    "related", "can hold only one CONTACT (the communication's contact)"
                )
            contact = Identifier.by_id(_crmcom_id(rules, "related", ref.id))
        else:
            entity = ref.role or _REFERRING_TYPES.get(ref.kind)
            if not entity:
                rules.fail(
                    "related",
                    f"a {ref.kind.value} Ref needs role= the CRM.COM entity type "
                    "(subscription, job, service_request...)",
                )
            referring[entity] = Identifier.by_id(_crmcom_id(rules, "related", ref.id))
    return contact, referring


class CrmcomAdapter(VendorAdapter):
    """CRM.COM: communications (list, get, create, update, complete, mark_viewed)."""

    vendor = VENDOR
    settings = (
        Setting("username", doc="Web API user (with password and organisation)"),
        Setting("password", secret=True, doc="that user's password"),
        Setting("organisation", doc="the organisation to sign in to"),
        Setting("unit", doc="optional organisational unit id for the login"),
        Setting(
            "web_api_key",
            secret=True,
            doc="a Web API key (R10+), instead of username/password",
        ),
        Setting("token", secret=True, doc="a token you obtained (never renewed)"),
        Setting("release", doc="the server release: R13 (default), R12.2, R10.1..."),
    )
    collections = {
        "communications": CommunicationsAdapter,
        "activities": ActivitiesAdapter,
    }

    def __init__(self, native: CrmcomClient) -> None:
        super().__init__(native, timezone=native.timezone)
        #: Collection -> this client's copy of its projection. A projection keeps
        #: what it compiles, and what the pull pass compiles holds the client's
        #: converter (its time zone): the module's COMMUNICATION and ACTIVITY would
        #: keep every client's converter alive (about 300 KB each), these go with
        #: the client.
        self.projections: dict[str, Projection] = {
            "communications": _copy(COMMUNICATION),
            "activities": _copy(ACTIVITY),
        }

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> CrmcomAdapter:
        """Build the native client from resolved settings."""
        return cls(CrmcomClient(**settings))
