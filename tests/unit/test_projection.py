"""Projections: the compiled payload path agrees with the native-object path."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from crmclients import errors
from crmclients._projection import REFS, AsString, Call, Copy, MakeRef, Projection, Raw
from crmclients.models import Note, Ref, RefKind
from crmclients.sandbox.tactile import TactileEmulator
from crmclients.vendors.tactile import _wire
from crmclients.vendors.tactile.adapter import OPPORTUNITY
from crmclients.vendors.tactile.models import TactileNote, TactileOpportunity


def payloads() -> list[dict[str, object]]:
    emulator = TactileEmulator(records=300, seed=9)
    return [emulator._public(r) for r in emulator.opportunities.values()]


@pytest.mark.parametrize("keep_raw", [True, False])
def test_compiled_projection_equals_structure_then_map(keep_raw: bool) -> None:
    """For every sandbox payload, payload->shared equals payload->native->shared."""
    structurer = _wire.structurer(ZoneInfo("Europe/London"))
    items = payloads()

    fast = structurer.project_many(
        items, TactileOpportunity, OPPORTUNITY, keep_raw=keep_raw
    )
    slow = [
        OPPORTUNITY.from_native(n)
        for n in structurer.structure_many(items, TactileOpportunity, keep_raw=keep_raw)
    ]

    assert fast == slow
    assert [r.raw for r in fast] == [r.raw for r in slow]


def test_projection_errors_name_the_field() -> None:
    """A bad payload on the fast path raises the same path-naming error."""
    structurer = _wire.structurer(ZoneInfo("Europe/London"))

    with pytest.raises(errors.ResponseShapeError) as info:
        structurer.project_many(
            [{"id": 1}, {"id": 2, "enddate": "soon"}],
            TactileOpportunity,
            OPPORTUNITY,
            path="$.o",
        )

    assert info.value.path == "$.o[1].enddate"


def test_refs_are_shared_between_records() -> None:
    """Equal refs are the same object (memory and time saved on big pulls)."""
    a = REFS(RefKind.USER, "paul", "paul")

    assert a is REFS(RefKind.USER, "paul", "paul")
    assert a == Ref(RefKind.USER, "paul", name="paul")
    assert REFS(RefKind.USER, None) is None and REFS(RefKind.USER, "") is None


def test_call_and_unknown_attributes() -> None:
    """Call maps with any function; a projection naming a missing attribute fails early."""
    projection = Projection(
        Note,
        vendor="x",
        fields={
            "id": AsString("id"),
            "title": Call(str.upper, "title"),
            "raw": Raw(),
            "author": MakeRef(RefKind.USER, "owner"),
            "private": Copy("private"),
        },
    )
    structurer = _wire.structurer(ZoneInfo("UTC"))
    [note] = structurer.project_many(
        [{"id": 7, "title": "hi", "owner": "me"}], TactileNote, projection
    )

    assert (note.id, note.title, note.author, note.private) == (
        "7",
        "HI",
        Ref(RefKind.USER, "me"),
        False,
    )
    with pytest.raises(TypeError, match="no attributes"):
        Projection(Note, fields={"nope": Copy("id")})


def test_refs_keep_the_id_they_were_made_from() -> None:
    """1, 1.0 and True hash alike: only int and str ids are shared, so a float or
    boolean id never picks up (or leaves behind) another id's Ref."""
    from crmclients._projection import RefCache

    cache = RefCache()
    one = cache(RefKind.CONTACT, 1, "Ann")

    assert one.id == "1" and cache(RefKind.CONTACT, 1, "Ann") is one
    assert cache(RefKind.CONTACT, 1.0, "Ann").id == "1.0"
    assert cache(RefKind.CONTACT, True, "Ann").id == "True"
    assert cache(RefKind.CONTACT, "1", "Ann").id == "1"
