"""CRM.COM projections: payloads straight to shared records agree with the native path.

``COMMUNICATION`` and ``ACTIVITY`` are declared once in the adapter; pulls compile
them into one pass over the payloads, get/create/update go through the native model.
These tests hold the two paths to the same records, the same ``raw`` and the same
errors, for the fields the shared model maps and for those it does not.
"""

from __future__ import annotations

import copy
import functools
import gc
import inspect
from collections.abc import Callable, Iterator
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st

import crmclients
from crmclients import errors
from crmclients._converter import Structurer
from crmclients._projection import Projection
from crmclients.models import EMPTY_RAW, Activity, Communication, Ref, RefKind
from crmclients.sandbox.crmcom import CrmcomEmulator
from crmclients.vendors.crmcom import CrmcomCommunication, _wire
from crmclients.vendors.crmcom.adapter import (
    ACTIVITY,
    COMMUNICATION,
    _activity_status,
    _direction,
    _kind,
    _media,
)
from tests.vendors.crmcom.conftest import API, BASE, EXAMPLES, TOKEN, ok

PATH = "$.data"
PROJECTIONS = {"communication": COMMUNICATION, "activity": ACTIVITY}
ZONES: list[tzinfo] = [ZoneInfo("UTC"), ZoneInfo("Europe/Nicosia")]
KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"
#: Values that fit no field, or only some: each is tried in every field.
BAD = [5, 2.5, True, "", "soon", [5], ["x", 5], {"a": 1}, {}, None]
#: The documented answers that hold communications, whole or in part.
DOCUMENTED = (
    "show",
    "create",
    "create_unrestricted",
    "create_fields_set",
    "update_template",
    "update_unrestricted",
    "complete",
    "set_as_viewed",
)


def sandbox_payloads() -> list[dict[str, Any]]:
    """Every communication of a seeded sandbox as communications/list shows it."""
    em = CrmcomEmulator(records=300, seed=9)
    return [em.communication_out(r, None) for r in em.communications.values()]


def documented_payloads() -> list[dict[str, Any]]:
    """The communications of the vendor docs' examples."""
    items = [EXAMPLES[name]["data"] for name in DOCUMENTED]
    return [*items, *EXAMPLES["list"]["data"]]


#: A communication with every field set: the docs' show example (entities referred
#: to, a category), with unrestricted parameters, a privacy level, an external
#: system, follow-ups, UDFs and viewing.
FULL: dict[str, Any] = {
    **EXAMPLES["show"]["data"],
    "unrestricted_parameter_set": EXAMPLES["create_unrestricted"]["data"][
        "unrestricted_parameter_set"
    ],
    "privacy_level": {"id": "A9B8C7D6E5F40312213243546576879A", "name": "Restricted"},
    "communication_queue_external_system": {"id": "DC30CF64", "name": "EXT 1"},
    "follow_up_set": [{"id": "F1", "life_cycle_state": "PENDING"}],
    "notes": "Call back",
    "udf_string_1": "s",
    "udf_float_1": 2.5,
    "udf_date_1": "2015-04-30T13:23:51",
    "viewed": True,
    "viewed_on": EXAMPLES["set_as_viewed"]["data"]["viewed_on"],
}


def native_then_shared(
    wire: Structurer, projection: Projection, payloads: Any, *, keep_raw: bool = True
) -> list[Any]:
    """The reference path: native models first (as list_communications), then
    ``from_native``."""
    natives = wire.structure_many(
        payloads, CrmcomCommunication, path=PATH, operation="x", keep_raw=keep_raw
    )
    return [projection.from_native(n) for n in natives]


def compiled(
    wire: Structurer, projection: Projection, payloads: Any, *, keep_raw: bool = True
) -> list[Any]:
    """The pull path: one generated pass from payloads to shared records."""
    return wire.project_many(
        payloads,
        CrmcomCommunication,
        projection,
        path=PATH,
        operation="x",
        keep_raw=keep_raw,
    )


def outcome(call: Callable[[], list[Any]]) -> tuple[Any, ...]:
    """What a conversion gave: the records and their raw, or the error it raised."""
    try:
        records = call()
    except errors.ResponseShapeError as exc:
        return ("error", exc.path, str(exc), exc.snippet)
    return ("ok", records, [r.raw for r in records])


def test_every_native_field_is_read() -> None:
    """Both projections read every field of the native model, mapped or not."""
    expected = {f.name for f in attrs.fields(CrmcomCommunication)} - {"raw"}

    assert expected == set(COMMUNICATION.native_attrs(CrmcomCommunication))
    assert expected == set(ACTIVITY.native_attrs(CrmcomCommunication))


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("keep_raw", [True, False])
@pytest.mark.parametrize("name", sorted(PROJECTIONS))
def test_compiled_projection_equals_structure_then_map(
    name: str, keep_raw: bool, zone: tzinfo
) -> None:
    """For every sandbox and documented payload, payload->shared equals
    payload->native->shared."""
    wire = _wire.structurer(zone)
    projection = PROJECTIONS[name]
    items = [*sandbox_payloads(), *documented_payloads(), FULL]

    fast = compiled(wire, projection, items, keep_raw=keep_raw)
    slow = native_then_shared(wire, projection, items, keep_raw=keep_raw)

    assert slow == fast
    assert [r.raw for r in slow] == [r.raw for r in fast]
    assert all(
        r.raw is (p if keep_raw else EMPTY_RAW)
        for r, p in zip(fast, items, strict=True)
    )
    assert {type(r) for r in fast} == {projection.target}


def damaged(key: str) -> Iterator[Any]:
    """A full payload with ``key`` left out, then with each bad value in it."""
    yield {k: v for k, v in FULL.items() if k != key}
    for value in BAD:
        yield {**FULL, key: value}


def nested_damage() -> Iterator[tuple[str, Any]]:
    """(description, payload): fields inside the nested records broken."""
    nested = {
        "contact_information": ["id", "name", "first_name", "demographics"],
        "log_information": ["created_date", "updated_date", "created_by_user"],
        "category": ["id", "name"],
        "privacy_level": ["name"],
        "owned_by_group": ["alternative_code"],
    }
    for outer, inner in nested.items():
        for key in inner:
            for value in BAD:
                payload = copy.deepcopy(FULL)
                payload[outer][key] = value
                yield f"{outer}.{key}={value!r}", payload
    for value in BAD:
        payload = copy.deepcopy(FULL)
        payload["unrestricted_parameter_set"][0]["date_value"] = value
        yield f"unrestricted_parameter_set[0].date_value={value!r}", payload
        payload = copy.deepcopy(FULL)
        payload["referring_to"]["lead"] = value
        yield f"referring_to.lead={value!r}", payload
        payload = copy.deepcopy(FULL)
        payload["referring_to"]["payment"]["id"] = value
        yield f"referring_to.payment.id={value!r}", payload
    yield "not an object", "AFC7A8F8F2174A099CDC3AD168B85B3E"
    yield (
        "a Java date in an unknown zone",
        {
            **FULL,
            "viewed_on": "Mon May 22 12:42:03 XYZT 2017",
        },
    )


@pytest.mark.parametrize("name", sorted(PROJECTIONS))
@pytest.mark.parametrize("key", sorted(FULL))
def test_a_damaged_field_fails_or_maps_as_the_native_model_does(
    name: str, key: str
) -> None:
    """Each field left out or broken (unmapped ones too: a UDF, a privacy level):
    the same records or the same path-naming error as native models first."""
    wire = _wire.structurer(ZoneInfo("UTC"))
    projection = PROJECTIONS[name]

    for payload in damaged(key):
        items = [FULL, payload]
        expected = outcome(
            functools.partial(native_then_shared, wire, projection, items)
        )
        actual = outcome(functools.partial(compiled, wire, projection, items))

        assert expected == actual, payload.get(key, "(left out)")


@pytest.mark.parametrize("name", sorted(PROJECTIONS))
@pytest.mark.parametrize("payload", [pytest.param(p, id=c) for c, p in nested_damage()])
def test_a_damaged_nested_field_fails_or_maps_as_the_native_model_does(
    name: str, payload: Any
) -> None:
    """Inside the contact, the log information and the references: the same too."""
    wire = _wire.structurer(ZoneInfo("UTC"))
    projection = PROJECTIONS[name]
    items = [FULL, payload]

    expected = outcome(lambda: native_then_shared(wire, projection, items))
    actual = outcome(lambda: compiled(wire, projection, items))

    assert expected == actual


@pytest.mark.parametrize("page", [{"a": 1}, "x", 5], ids=repr)
def test_a_page_that_is_not_a_list_fails_alike(page: Any) -> None:
    """An answer whose data is not a list is the same error on both paths."""
    wire = _wire.structurer(ZoneInfo("UTC"))

    expected = outcome(lambda: native_then_shared(wire, COMMUNICATION, page))
    actual = outcome(lambda: compiled(wire, COMMUNICATION, page))

    assert expected == actual
    assert expected[0] == "error"


#: Media, direction and status words: documented, in odd cases, with letters whose
#: case folds differently (dotless and dotted I, sharp s), and any text.
WORDS = (
    st.none()
    | st.text(max_size=14)
    | st.sampled_from(["EMAIL", "email", "Email", "PHONE", "face_to_face"])
    | st.sampled_from(["INCOMING", "outgoing", "Draft", "COMPLETE", "completed"])
    | st.sampled_from(["ema\u0131l", "EMA\u0130L", "\u00df", "Face_To_Face"])
)


@given(word=WORDS)
def test_precomputed_words_read_as_the_plain_functions(word: str | None) -> None:
    """The looked-up media, direction and status words give what the functions
    work out, for any text in any case."""
    for lookup in (_kind, _media, _direction, _activity_status):
        plain = inspect.unwrap(lookup)

        assert plain(word) == lookup(word)


# -- the pulls ---------------------------------------------------------------------------


@pytest.fixture
def unified(rsps: responses.RequestsMock) -> Iterator[crmclients.Client]:
    """A common Client over CRM.COM with a given token."""
    with crmclients.connect("crmcom", base_url=BASE, token=TOKEN) as c:
        yield c


def no_native_models(
    client: crmclients.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make structuring a native model fail the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a shared pull built native models")

    monkeypatch.setattr(client.native._wire, "structure_many", refuse)
    monkeypatch.setattr(client.native._wire, "structure", refuse)


@pytest.mark.parametrize("include_raw", [True, False])
@pytest.mark.parametrize(
    ("collection", "cls"),
    [("communications", Communication), ("activities", Activity)],
)
def test_pulls_build_no_native_models(
    unified: crmclients.Client,
    rsps: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    collection: str,
    cls: type[Any],
    include_raw: bool,
) -> None:
    """communications.list and activities.list map payloads straight to shared
    records, keeping the payloads only when asked."""
    first, second = FULL, {**FULL, "id": "B" * 32, "number": "CM000681"}
    rsps.get(f"{API}/communications/list", json=ok([first, second]))
    rsps.get(f"{API}/communications/list", json=ok([second]))  # from B: the end
    no_native_models(unified, monkeypatch)

    records = (
        getattr(unified, collection)
        .list(
            related_to=Ref(RefKind.CONTACT, KATHY), page_size=2, include_raw=include_raw
        )
        .to_list()
    )

    assert [r.id for r in records] == [first["id"], second["id"]]
    assert {type(r) for r in records} == {cls}
    assert [r.raw for r in records] == (
        [first, second] if include_raw else [EMPTY_RAW] * 2
    )


def test_a_malformed_unmapped_field_fails_the_pull_naming_it(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """A UDF date no shared field takes is still checked: ResponseShapeError at it."""
    bad = {**FULL, "id": "B" * 32, "udf_date_1": "soon"}
    rsps.get(f"{API}/communications/list", json=ok([FULL, bad]))

    with pytest.raises(errors.ResponseShapeError) as info:
        unified.communications.list(related_to=Ref(RefKind.CONTACT, KATHY)).to_list()

    assert (info.value.path, info.value.operation) == (
        "$.data[1].udf_date_1",
        "communications.list",
    )


def test_a_null_page_is_an_empty_pull(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """``data: null`` (CRM.COM's empty list) ends the pull with no records."""
    rsps.get(f"{API}/communications/list", json=ok(None))

    records = unified.activities.list(related_to=Ref(RefKind.CONTACT, KATHY)).to_list()

    assert records == []


def converters() -> int:
    """How many cattrs converters are alive."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, cattrs.Converter))


def test_a_client_that_pulled_leaves_no_converter_behind(
    rsps: responses.RequestsMock,
) -> None:
    """What a pull compiles goes with its client: the declared projections keep no
    client's converter (each holds the client's time zone) alive."""
    rsps.get(f"{API}/communications/list", json=ok(None))
    before = converters()

    for zone in ("UTC", "Europe/Nicosia", "America/New_York"):
        with crmclients.connect(
            "crmcom", base_url=BASE, token=TOKEN, timezone=zone
        ) as client:
            for include_raw in (True, False):
                client.communications.list(
                    related_to=Ref(RefKind.CONTACT, KATHY), include_raw=include_raw
                ).to_list()
                client.activities.list(
                    related_to=Ref(RefKind.CONTACT, KATHY), include_raw=include_raw
                ).to_list()
        del client

    assert before == converters()
