"""CRM.COM behind the common Client: mapping, unified operations and capabilities."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import responses

import crmclients
from crmclients import errors
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
from crmclients.vendors.crmcom.adapter import (
    CrmcomAdapter,
    activity_from_native,
    communication_from_native,
)
from crmclients.vendors.crmcom.models import (
    ContactInformation,
    CrmcomCommunication,
    LogInformation,
    Reference,
)
from tests.vendors.crmcom.conftest import API, BASE, EXAMPLES, TOKEN, body, ok, query

KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"


@pytest.fixture
def unified(rsps: responses.RequestsMock) -> crmclients.Client:
    """A common Client over CRM.COM with a given token."""
    return crmclients.connect("crmcom", base_url=BASE, token=TOKEN)


def test_a_communication_maps_every_field() -> None:
    """Each native field lands on its shared counterpart; referring_to becomes refs."""
    native = CrmcomCommunication(
        id="ID1",
        number="CM000680",
        subject="Subject",
        content="Body",
        media="PHONE",
        direction="INCOMING",
        to="+357",
        life_cycle_state="COMPLETED",
        viewed_on=datetime(2017, 5, 22, 9, 42, 3, tzinfo=UTC),
        contact_information=ContactInformation(
            id=KATHY, first_name="Kathy", last_name="Clark"
        ),
        category=Reference(id="C", name="Customer Care Information"),
        referring_to={
            "lead": {"id": "L1", "number": "60"},
            "subscription": {"id": "S1", "number": "S60302"},
            "bill": {"id": "B1", "number": "BL1"},
            "payment": None,
            "job": {"number": "no id"},
        },
        log_information=LogInformation(
            created_date=datetime(2015, 1, 1, tzinfo=UTC),
            updated_date=datetime(2015, 1, 2, tzinfo=UTC),
        ),
        raw={"id": "ID1"},
    )

    shared = communication_from_native(native)

    assert shared == Communication(
        id="ID1",
        vendor="crmcom",
        created_at=datetime(2015, 1, 1, tzinfo=UTC),
        updated_at=datetime(2015, 1, 2, tzinfo=UTC),
        kind=ActivityKind.CALL,
        subject="Subject",
        body="Body",
        status=ActivityStatus.COMPLETED,
        vendor_status="COMPLETED",
        related=(
            Ref(RefKind.CONTACT, KATHY, name="Kathy Clark"),
            Ref(RefKind.LEAD, "L1", name="60", role="lead"),
            Ref(RefKind.OTHER, "S1", name="S60302", role="subscription"),
            Ref(RefKind.INVOICE, "B1", name="BL1", role="bill"),
        ),
        media=Media.PHONE,
        direction=Direction.INCOMING,
        to="+357",
        number="CM000680",
        category="Customer Care Information",
        viewed_at=datetime(2017, 5, 22, 9, 42, 3, tzinfo=UTC),
    )
    assert shared.raw == {"id": "ID1"}


def test_activities_are_plain_activities_with_the_same_common_fields() -> None:
    """client.activities yields Activity records: the communication's common fields."""
    native = CrmcomCommunication(
        id="ID1",
        subject="S",
        media="SMS",
        life_cycle_state="DRAFT",
        contact_information=ContactInformation(id=KATHY, name="Clark Kathy"),
    )

    activity = activity_from_native(native)

    assert type(activity) is Activity
    assert activity == Activity(
        id="ID1",
        vendor="crmcom",
        kind=ActivityKind.SMS,
        subject="S",
        status=ActivityStatus.DRAFT,
        vendor_status="DRAFT",
        related=(Ref(RefKind.CONTACT, KATHY, name="Clark Kathy"),),
    )


@pytest.mark.parametrize(
    ("media", "kind", "shared"),
    [
        ("EMAIL", ActivityKind.EMAIL, Media.EMAIL),
        ("SMS", ActivityKind.SMS, Media.SMS),
        ("PHONE", ActivityKind.CALL, Media.PHONE),
        ("LETTER", ActivityKind.LETTER, Media.LETTER),
        ("FACE_TO_FACE", ActivityKind.FACE_TO_FACE, Media.FACE_TO_FACE),
        ("CARRIER_PIGEON", ActivityKind.OTHER, None),
        (None, ActivityKind.OTHER, None),
    ],
)
def test_media_decides_the_kind(
    media: str | None, kind: ActivityKind, shared: Media | None
) -> None:
    """EMAIL/SMS/LETTER/FACE_TO_FACE keep their name, PHONE is a CALL, others OTHER."""
    c = communication_from_native(CrmcomCommunication(id="X", media=media))

    assert (c.kind, c.media) == (kind, shared)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("DRAFT", ActivityStatus.DRAFT),
        ("COMPLETED", ActivityStatus.COMPLETED),
        ("COMPLETE", ActivityStatus.COMPLETED),
        ("ARCHIVED", None),
        (None, None),
    ],
)
def test_life_cycle_state_maps_to_status(
    state: str | None, status: ActivityStatus | None
) -> None:
    """DRAFT and COMPLETE(D) map; the vendor's word is always kept."""
    c = communication_from_native(CrmcomCommunication(id="X", life_cycle_state=state))

    assert (c.status, c.vendor_status) == (status, state)


def test_the_docs_example_maps_to_a_shared_communication(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """get(id) reads communications/show by id and maps the example."""
    rsps.get(f"{API}/communications/show", json=EXAMPLES["show"])

    c = unified.communications.get("AFC7A8F8F2174A099CDC3AD168B85B3E")

    assert (
        query(rsps.calls[0])["communication_identifier"]
        == "id=AFC7A8F8F2174A099CDC3AD168B85B3E"
    )
    assert (c.number, c.status, c.kind, c.category) == (
        "CM000680",
        ActivityStatus.DRAFT,
        ActivityKind.EMAIL,
        "Customer Care Information",
    )
    assert c.related[0] == Ref(RefKind.CONTACT, KATHY, name="Clark Kathy")
    assert (
        Ref(
            RefKind.PAYMENT,
            "21AAC918C91E0295113CEA1FC550E85C",
            name="182",
            role="payment",
        )
        in c.related
    )
    assert c.created_at == datetime(2015, 2, 19, 9, 48, tzinfo=UTC)


def test_list_needs_a_contact(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """CRM.COM lists per contact: without related_to=Ref(CONTACT) nothing is sent."""
    for kwargs in ({}, {"related_to": Ref(RefKind.COMPANY, "1")}):
        with pytest.raises(errors.ValidationError, match="related_to"):
            unified.communications.list(**kwargs)
        with pytest.raises(errors.ValidationError, match="related_to"):
            unified.activities.list(**kwargs)

    assert len(rsps.calls) == 0


def test_list_pages_through_a_contact(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """related_to becomes contact_information_identifier; page_size number_of_results."""
    rsps.get(f"{API}/communications/list", json=ok([{"id": "A"}, {"id": "B"}]))
    rsps.get(f"{API}/communications/list", json=ok([{"id": "B"}]))  # from B: the end

    records = unified.communications.list(
        related_to=Ref(RefKind.CONTACT, KATHY), page_size=2, status="draft"
    ).to_list()

    assert records == []  # neither has a DRAFT status: filtered client-side
    assert query(rsps.calls[0]) == {
        "contact_information_identifier": f"id={KATHY}",
        "number_of_results": "2",
        "offset": "0",
        "token": TOKEN,
    }


def test_create_maps_shared_fields_to_the_native_body(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """body -> content, related -> contact and referring_to, status -> life_cycle_state."""
    rsps.post(f"{API}/communications/create", json=EXAMPLES["create_unrestricted"])

    created = unified.communications.create(
        subject="Unbound Test",
        body="Hello",
        media=Media.EMAIL,
        direction="outgoing",
        to="m_michael@crm.com",
        status=ActivityStatus.DRAFT,
        category="Customer Care Information",
        related=[
            Ref(RefKind.CONTACT, "531C8308457947EFAFA91776AA4F4B4E"),
            Ref(RefKind.LEAD, "L1"),
            Ref(RefKind.OTHER, "S1", role="subscription"),
        ],
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "contact_information_identifier": {"id": "531C8308457947EFAFA91776AA4F4B4E"},
        "category_identifier": {"name": "Customer Care Information"},
        "direction": "OUTGOING",
        "media": "EMAIL",
        "life_cycle_state": "DRAFT",
        "subject": "Unbound Test",
        "content": "Hello",
        "to": "m_michael@crm.com",
        "referring_to": {
            "lead_identifier": {"id": "L1"},
            "subscription_identifier": {"id": "S1"},
        },
    }
    assert (created.number, created.status) == ("CM001634", ActivityStatus.DRAFT)


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"subject": "s", "media": "SMS", "direction": "INCOMING"}, "body", "required"),
        (
            {"body": "b", "media": "EMAIL", "direction": "INCOMING", "subject": "s"},
            "to",
            "EMAIL",
        ),
        (
            {
                "body": "b",
                "media": "SMS",
                "direction": "INCOMING",
                "subject": "s",
                "status": "cancelled",
            },
            "status",
            "DRAFT or COMPLETED",
        ),
        (
            {"body": "b", "media": 7, "direction": "INCOMING", "subject": "s"},
            "media",
            "Media",
        ),
        (
            {
                "body": "b",
                "media": "SMS",
                "direction": "INCOMING",
                "subject": "s",
                "related": [Ref(RefKind.USER, "u")],
            },
            "related",
            "role=",
        ),
        (
            {
                "body": "b",
                "media": "SMS",
                "direction": "INCOMING",
                "subject": "s",
                "related": [Ref(RefKind.CONTACT, "1"), Ref(RefKind.CONTACT, "2")],
            },
            "related",
            "only one CONTACT",
        ),
        (
            {
                "body": "b",
                "media": "SMS",
                "direction": "INCOMING",
                "subject": "s",
                "related": [Ref(RefKind.LEAD, "1")],
            },
            "related",
            "CONTACT",
        ),
        (
            {
                "body": "b",
                "media": "SMS",
                "direction": "INCOMING",
                "subject": "s",
                "related": "Kathy",
            },
            "related",
            "Ref",
        ),
    ],
)
def test_create_rules_name_shared_fields(
    unified: crmclients.Client,
    rsps: responses.RequestsMock,
    fields: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Native rules come back under the shared field names; nothing is sent."""
    fields.setdefault("related", (Ref(RefKind.CONTACT, KATHY),))

    with pytest.raises(errors.ValidationError) as info:
        unified.communications.create(**fields)

    assert (info.value.field, rule in info.value.rule) == (field, True)
    assert len(rsps.calls) == 0


def test_update_sends_only_the_changes(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """update(id, subject=...) -> communications/update by id with that field."""
    rsps.post(f"{API}/communications/update", json=EXAMPLES["update_template"])

    updated = unified.communications.update(
        "BE46BADA62B8E7710C91EC9ED5373EF9", subject="New", to=None
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_identifier": {"id": "BE46BADA62B8E7710C91EC9ED5373EF9"},
        "subject": "New",
        "to": None,
    }
    assert updated.number == "290"


def test_update_cannot_move_a_communication_to_another_contact(
    unified: crmclients.Client, rsps: responses.RequestsMock
) -> None:
    """The contact is fixed once created."""
    with pytest.raises(errors.ValidationError, match="contact"):
        unified.communications.update("X", related=[Ref(RefKind.CONTACT, KATHY)])

    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("operation", "path"),
    [
        ("complete", "communications/complete"),
        ("mark_viewed", "communications/set_as_viewed"),
    ],
)
def test_lifecycle_operations_post_then_read_back(
    unified: crmclients.Client, rsps: responses.RequestsMock, operation: str, path: str
) -> None:
    """complete and mark_viewed call their method by id, then return the full record."""
    rsps.post(f"{API}/{path}", json=EXAMPLES["set_as_viewed"])
    rsps.get(f"{API}/communications/show", json=EXAMPLES["show"])

    result = getattr(unified.communications, operation)(
        "AFC7A8F8F2174A099CDC3AD168B85B3E"
    )

    assert body(rsps.calls[0])["communication_identifier"] == {
        "id": "AFC7A8F8F2174A099CDC3AD168B85B3E"
    }
    assert result.number == "CM000680"


def test_mark_viewed_before_r12_2_is_not_supported(
    rsps: responses.RequestsMock,
) -> None:
    """On an older release the unified operation says so before any request."""
    client = crmclients.connect("crmcom", base_url=BASE, token=TOKEN, release="R12")

    with pytest.raises(errors.NotSupportedError, match=r"R12\.2\.0"):
        client.communications.mark_viewed("X")

    assert len(rsps.calls) == 0


def test_capabilities() -> None:
    """Communications: list/get/create/update/complete/mark_viewed; activities: list/get."""
    caps = crmclients.capabilities("crmcom")

    assert [
        op
        for op in (
            "list",
            "get",
            "create",
            "update",
            "complete",
            "mark_viewed",
            "delete",
            "transition",
        )
        if caps.supports("communications", op)
    ] == [
        "list",
        "get",
        "create",
        "update",
        "complete",
        "mark_viewed",
    ]
    assert [
        op
        for op in ("list", "get", "create", "update")
        if caps.supports("activities", op)
    ] == ["list", "get"]
    assert caps.mode("communications", "related_to") == "native"
    assert caps.mode("communications", "created_after") == "emulated"
    assert not caps.supports("tasks", "list") and not caps.supports(
        "opportunities", "list"
    )


def test_settings_and_secret_flags() -> None:
    """password, web_api_key and token are secrets; connect needs a base_url."""
    secrets = {s.name for s in CrmcomAdapter.settings if s.secret}

    assert secrets == {"password", "web_api_key", "token"}
    with pytest.raises(errors.ConfigurationError, match="CRMCLIENTS_CRMCOM_BASE_URL"):
        crmclients.connect("crmcom", token=TOKEN)


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock
) -> None:
    """CRMCLIENTS_CRMCOM_* variables supply the settings, release included."""
    monkeypatch.setenv("CRMCLIENTS_CRMCOM_BASE_URL", BASE)
    monkeypatch.setenv("CRMCLIENTS_CRMCOM_WEB_API_KEY", "K" * 32)
    monkeypatch.setenv("CRMCLIENTS_CRMCOM_RELEASE", "R12.2")

    client = crmclients.connect("crmcom")

    assert (client.native.auth_flavour, str(client.native.release)) == (
        "web_api_key",
        "R12.2.0",
    )
    assert "K" * 32 not in repr(client) + repr(client.native)
