"""Tactile CRM behind the common Client: opportunities and their notes.

Mapping (native -> shared):

================  ======================================
Tactile           crmclients.models.Opportunity
================  ======================================
id                id (string)
name, description name, description
organisation(_id) organisation: Ref(COMPANY, id, name)
person(_id)       person: Ref(CONTACT, id, name)
cost              value (Decimal)
probability       probability
status/type/source status/type/source (option names)
owner             owner: Ref(USER, username)
assigned_to       assignee: Ref(USER, username)
enddate           close_date
archived, tags    archived, tags
created           created_at (aware UTC)
lastupdated       updated_at (aware UTC)
================  ======================================

Notes are the ``note`` items of an opportunity's timeline:
``client.notes.list(related_to=Ref(RefKind.OPPORTUNITY, id))``. Emails on the
timeline are not notes; the native client returns them (``get_timeline``).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from crmclients import errors
from crmclients._client import CollectionAdapter, Listing, ListQuery, VendorAdapter
from crmclients._paging import Page, SinglePage
from crmclients._projection import (
    REFS,
    AsString,
    Call,
    Copy,
    MakeRef,
    Projection,
    Raw,
)
from crmclients._rules import Rules
from crmclients.config import Setting
from crmclients.models import Note, Opportunity, Ref, RefKind
from crmclients.vendors.tactile._paging import opportunities_paging
from crmclients.vendors.tactile.client import TactileClient
from crmclients.vendors.tactile.models import (
    OpportunityOptions,
    TactileNote,
    TactileOpportunity,
)

VENDOR = "tactile"

#: Shared field -> native save field (for messages about native rules).
_SHARED_NAMES = {
    "cost": "value",
    "enddate": "close_date",
    "organisation_id": "organisation",
    "person_id": "person",
    "assigned_to": "assignee",
    "status_id": "status",
    "type_id": "type",
    "source_id": "source",
}


#: Tactile opportunity -> shared Opportunity, declared once: used for single
#: records (``from_native``) and compiled into one pass over payloads for pulls.
OPPORTUNITY = Projection(
    Opportunity,
    vendor=VENDOR,
    fields={
        "id": AsString("id"),
        "created_at": Copy("created"),
        "updated_at": Copy("last_updated"),
        "raw": Raw(),
        "name": Copy("name"),
        "description": Copy("description"),
        "organisation": MakeRef(RefKind.COMPANY, "organisation_id", "organisation"),
        "person": MakeRef(RefKind.CONTACT, "person_id", "person"),
        "value": Copy("cost"),
        "probability": Copy("probability"),
        "status": Copy("status"),
        "type": Copy("type"),
        "source": Copy("source"),
        "owner": MakeRef(RefKind.USER, "owner", "owner"),
        "assignee": MakeRef(RefKind.USER, "assigned_to", "assigned_to"),
        "close_date": Copy("end_date"),
        "archived": Copy("archived"),
        "tags": Copy("tags"),
    },
)


def opportunity_from_native(o: TactileOpportunity) -> Opportunity:
    """Map a Tactile opportunity onto the shared model."""
    result: Opportunity = OPPORTUNITY.from_native(o)
    return result


def _note_related(
    opportunity_id: Any,
    opportunity: Any,
    organisation_id: Any,
    organisation: Any,
    person_id: Any,
    person: Any,
) -> tuple[Ref, ...]:
    """The records a note is about: its opportunity, organisation and person."""
    refs = (
        REFS(RefKind.OPPORTUNITY, opportunity_id, opportunity),
        REFS(RefKind.COMPANY, organisation_id, organisation),
        REFS(RefKind.CONTACT, person_id, person),
    )
    return tuple(ref for ref in refs if ref is not None)


#: Tactile timeline note -> shared Note, declared once.
NOTE = Projection(
    Note,
    vendor=VENDOR,
    fields={
        "id": AsString("id"),
        "created_at": Copy("created"),
        "updated_at": Copy("last_updated"),
        "raw": Raw(),
        "title": Copy("title"),
        "body": Copy("body"),
        "author": MakeRef(RefKind.USER, "owner", "owner"),
        "related": Call(
            _note_related,
            "opportunity_id",
            "opportunity",
            "organisation_id",
            "organisation",
            "person_id",
            "person",
        ),
        "private": Copy("private"),
    },
)


def note_from_native(n: TactileNote) -> Note:
    """Map a Tactile timeline note onto the shared model."""
    result: Note = NOTE.from_native(n)
    return result


class OpportunitiesAdapter(CollectionAdapter[Opportunity]):
    """``client.opportunities`` on Tactile."""

    name = "opportunities"
    native_filters = frozenset(
        {"created_after", "created_before", "updated_after", "updated_before"}
    )
    writable = frozenset(
        {
            "name",
            "description",
            "organisation",
            "person",
            "value",
            "probability",
            "status",
            "type",
            "source",
            "assignee",
            "close_date",
            "tags",
        }
    )
    required_on_create = frozenset({"name", "close_date"})

    @property
    def native(self) -> TactileClient:
        """The Tactile client."""
        client: TactileClient = self.adapter.native
        return client

    def list(self, query: ListQuery) -> Listing[Opportunity]:
        """Every non-archived opportunity; time filters applied by Tactile."""
        related = query.all_filters.get("related_to")
        if isinstance(related, Ref) and related.kind is not RefKind.USER:
            # Applied client-side, but a malformed id is still the caller's error.
            Rules(VENDOR, "opportunities.list").id("related_to", related.id)
        native = self.native
        filters = dict(query.filters)

        def fetch(number: int, size: int) -> tuple[Any, Any]:
            return native._opportunities_page(limit=size, page=number, **filters)

        def convert(payloads: Sequence[Any]) -> builtins.list[Opportunity]:
            return native._wire.project_many(
                payloads,
                TactileOpportunity,
                OPPORTUNITY,
                path="$.opportunities",
                operation="opportunities.list",
                keep_raw=query.include_raw,
            )

        return Listing(spec=opportunities_paging(fetch), convert=convert)

    def get(self, id: str) -> Opportunity:
        """One opportunity by id, archived ones included."""
        oid = Rules(VENDOR, "opportunities.get").id("id", id)
        return opportunity_from_native(self.native.get_opportunity(oid))

    def create(self, fields: Mapping[str, Any]) -> Opportunity:
        """Save a new opportunity, add its tags, and read it back."""
        native, tags = self._to_native(fields, "create")
        new_id = self._translate(lambda: self.native.save_opportunity(native), "create")
        self._tag(new_id, tags)
        return self.get(str(new_id))

    def update(self, id: str, changes: Mapping[str, Any]) -> Opportunity:
        """Save the given fields (and add the given tags), then read it back."""
        oid = Rules(VENDOR, "opportunities.update").id("id", id)
        native, tags = self._to_native(changes, "update")
        if native:
            self._translate(
                lambda: self.native.save_opportunity({"id": oid, **native}), "update"
            )
        self._tag(oid, tags)
        return self.get(str(oid))

    def _tag(self, oid: int, tags: Sequence[str]) -> None:
        for tag in tags:
            self.native.add_tag(oid, tag)

    def _translate(self, call: Any, operation: str) -> int:
        try:
            result: int = call()
        except errors.ValidationError as exc:
            raise errors.ValidationError(
                field=_SHARED_NAMES.get(exc.field, exc.field),
                rule=exc.rule,
                vendor=VENDOR,
                operation=f"opportunities.{operation}",
            ) from None
        return result

    def _options(self) -> OpportunityOptions:
        adapter: TactileAdapter = self.adapter  # type: ignore[assignment]
        if adapter.options_cache is None:
            adapter.options_cache = self.native.get_options()
        return adapter.options_cache

    def _to_native(
        self, fields: Mapping[str, Any], operation: str
    ) -> tuple[dict[str, Any], builtins.list[str]]:
        rules = Rules(VENDOR, f"opportunities.{operation}")
        out: dict[str, Any] = {}
        tags: builtins.list[str] = []
        for name, value in fields.items():
            if name in ("name", "description", "probability"):
                out[name] = value
            elif name == "value":
                out["cost"] = value
            elif name == "close_date":
                out["enddate"] = value.isoformat() if isinstance(value, date) else value
            elif name in ("organisation", "person"):
                out[f"{name}_id"] = _ref_id(
                    rules,
                    name,
                    value,
                    RefKind.COMPANY if name == "organisation" else RefKind.CONTACT,
                )
            elif name == "assignee":
                out["assigned_to"] = value.id if isinstance(value, Ref) else value
            elif name in ("status", "type", "source"):
                if value is None:
                    out[f"{name}_id"] = None
                    continue
                option = self._options().id_for(name, value)
                if option is None:
                    known = ", ".join(sorted(getattr(self._options(), name).values()))
                    rules.fail(
                        name, f"must be one of the account's {name} options: {known}"
                    )
                out[f"{name}_id"] = option
            elif name == "tags":
                if isinstance(value, str) or not isinstance(value, Sequence):
                    rules.fail("tags", "must be a list of tag names")
                tags = [rules.text("tags", t, required=True) or "" for t in value]
        return out, tags


def _ref_id(rules: Rules, field: str, value: Any, kind: RefKind) -> int | None:
    if value is None:
        return None
    if isinstance(value, Ref):
        if value.kind != kind:
            rules.fail(
                field, f"must be a Ref of kind {kind.value}, got {value.kind.value}"
            )
        value = value.id
    return rules.id(field, value)


class NotesAdapter(CollectionAdapter[Note]):
    """``client.notes`` on Tactile: the notes on an opportunity's timeline."""

    name = "notes"
    native_filters = frozenset({"related_to"})

    def list(self, query: ListQuery) -> Listing[Note]:
        """The notes on one opportunity's timeline (``related_to`` is required)."""
        related = query.filters.get("related_to")
        if not isinstance(related, Ref) or related.kind is not RefKind.OPPORTUNITY:
            raise errors.ValidationError(
                field="related_to",
                rule="is required: Tactile lists notes per opportunity; pass "
                "related_to=Ref(RefKind.OPPORTUNITY, id)",
                vendor=VENDOR,
                operation="notes.list",
            )
        native: TactileClient = self.adapter.native
        oid = Rules(VENDOR, "notes.list").id("related_to", related.id)

        def fetch() -> Page[Any]:
            entries = native.get_timeline(oid, include_raw=query.include_raw)
            return Page([e.note for e in entries if e.note is not None])

        return Listing(
            spec=SinglePage(fetch=fetch),
            convert=lambda items: [note_from_native(n) for n in items],
        )


class TactileAdapter(VendorAdapter):
    """Tactile CRM: opportunities (list, get, create, update) and their notes."""

    vendor = VENDOR
    settings = (
        Setting(
            "api_token",
            required=True,
            secret=True,
            doc="API token from User Preferences",
        ),
        Setting("account", doc="site address: acme for https://acme.tactilecrm.com"),
    )
    collections = {"opportunities": OpportunitiesAdapter, "notes": NotesAdapter}

    def __init__(self, native: TactileClient) -> None:
        super().__init__(native, timezone=native.timezone)
        self.options_cache: OpportunityOptions | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> TactileAdapter:
        """Build the Tactile client from resolved settings."""
        return cls(TactileClient(**settings))
