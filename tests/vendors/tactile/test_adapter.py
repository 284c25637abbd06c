"""Tactile -> shared model mapping (pure functions, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from crmclients.models import Note, Opportunity, Ref, RefKind
from crmclients.vendors.tactile.adapter import note_from_native, opportunity_from_native
from crmclients.vendors.tactile.models import TactileNote, TactileOpportunity


def test_opportunity_maps_every_field() -> None:
    """Each native field lands on its shared counterpart; refs carry names."""
    native = TactileOpportunity(
        id=1234,
        name="Boats",
        description="d",
        organisation="Acme",
        organisation_id=9876,
        person="Bill",
        person_id=87254,
        probability=70,
        cost=Decimal("100000"),
        archived=True,
        status="New",
        type="T",
        source="S",
        owner="paul",
        assigned_to="greg",
        created=datetime(2009, 2, 2, tzinfo=UTC),
        last_updated=datetime(2009, 2, 3, tzinfo=UTC),
        end_date=date(2009, 3, 6),
        tags=("a",),
        raw={"id": 1234},
    )

    shared = opportunity_from_native(native)

    assert shared == Opportunity(
        id="1234",
        vendor="tactile",
        created_at=datetime(2009, 2, 2, tzinfo=UTC),
        updated_at=datetime(2009, 2, 3, tzinfo=UTC),
        name="Boats",
        description="d",
        organisation=Ref(RefKind.COMPANY, "9876", name="Acme"),
        person=Ref(RefKind.CONTACT, "87254", name="Bill"),
        value=Decimal("100000"),
        probability=70,
        status="New",
        type="T",
        source="S",
        owner=Ref(RefKind.USER, "paul", name="paul"),
        assignee=Ref(RefKind.USER, "greg", name="greg"),
        close_date=date(2009, 3, 6),
        archived=True,
        tags=("a",),
    )
    assert shared.raw == {"id": 1234}


def test_missing_refs_stay_none() -> None:
    """No organisation id means no organisation ref (not a ref to 'None')."""
    shared = opportunity_from_native(TactileOpportunity(id=1))

    assert (shared.organisation, shared.person, shared.owner, shared.assignee) == (
        None,
        None,
        None,
        None,
    )


def test_note_maps_related_records() -> None:
    """A timeline note relates to its opportunity, organisation and person."""
    native = TactileNote(
        id=885,
        title="t",
        body="b",
        opportunity="Chase",
        opportunity_id=1234,
        organisation="Acme",
        organisation_id=12676,
        private=True,
        owner="george",
    )

    assert note_from_native(native) == Note(
        id="885",
        vendor="tactile",
        title="t",
        body="b",
        author=Ref(RefKind.USER, "george", name="george"),
        related=(
            Ref(RefKind.OPPORTUNITY, "1234", name="Chase"),
            Ref(RefKind.COMPANY, "12676", name="Acme"),
        ),
        private=True,
    )
