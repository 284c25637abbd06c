"""Opentaps wire format: the fast structuring paths agree with the tolerant ones."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from crmclients import errors
from crmclients.models import EMPTY_RAW
from crmclients.vendors.opentaps import ContactRole, OpentapsActivity
from crmclients.vendors.opentaps._wire import structurer
from tests.vendors.opentaps.conftest import ACTIVITY, C1, C2, ID

PATH = "$.result.resultValue"


def structure_page(payloads: list[Any], *, keep_raw: bool = True) -> Any:
    """Structure a list page as the client does."""
    return structurer(UTC).structure_many(
        payloads, OpentapsActivity, path=PATH, keep_raw=keep_raw
    )


@pytest.mark.parametrize(
    ("payload", "path", "message"),
    [
        ({"_id": ID, "contacts": [C1, 5]}, "contacts[1]", "contact link object"),
        (
            {"_id": ID, "contacts": [{"contactId": C1, "role": 3}]},
            "contacts[0]",
            "role as a string",
        ),
        ({"_id": ID, "assignedToContact": [C1, 5]}, "assignedToContact", "string id"),
    ],
)
def test_a_bad_link_names_its_path(
    payload: dict[str, Any], path: str, message: str
) -> None:
    """A bad contact link or assignee id fails the page, naming the item's path."""
    with pytest.raises(errors.ResponseShapeError, match=message) as info:
        structure_page([ACTIVITY, payload])

    assert info.value.path == f"{PATH}[1].{path}"


def test_contacts_and_assignees_in_every_shape() -> None:
    """Lists of ids (tuple or list) and link objects of every form are read alike."""
    payload = {
        "_id": ID,
        "assignedToContact": (C1, C2),
        "contacts": [C1, {"_id": C2, "role": ""}, {"contactId": C1, "role": "cc"}],
    }

    [record] = structure_page([payload])

    assert record.assigned_to_contact == (C1, C2)
    assert record.contacts == (
        ContactRole(contact_id=C1),
        ContactRole(contact_id=C2),
        ContactRole(contact_id=C1, role="cc"),
    )


@pytest.mark.parametrize(
    "payload",
    [
        ACTIVITY,
        {"activityId": ID, "activityType": "EMAIL"},
        {"_id": ID, "activityType": "EMAIL"},
    ],
)
def test_raw_is_the_payload_as_received(payload: dict[str, Any]) -> None:
    """raw is the very payload given, aliased keys or not; empty without include_raw."""
    [kept] = structure_page([payload])
    [dropped] = structure_page([payload], keep_raw=False)

    assert kept.raw is payload
    assert dropped.raw is EMPTY_RAW
    assert kept.id == dropped.id == ID


def test_contact_links_are_shared_between_records() -> None:
    """Equal contact links are one (frozen) object, in every shape they come in."""
    first, second = structure_page(
        [
            {"_id": ID, "contacts": [C1, {"contactId": C2, "role": "cc"}]},
            {
                "_id": ID,
                "contacts": [{"_id": C1, "role": ""}, {"contactId": C2, "role": "cc"}],
            },
        ]
    )

    assert (
        first.contacts
        == second.contacts
        == (
            ContactRole(contact_id=C1),
            ContactRole(contact_id=C2, role="cc"),
        )
    )
    assert all(a is b for a, b in zip(first.contacts, second.contacts, strict=True))


def test_contact_links_stay_right_when_the_table_restarts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full table is emptied and refilled; the links are the same values."""
    from crmclients.vendors.opentaps import _wire

    monkeypatch.setattr(_wire, "_LINKS_LIMIT", 1)
    monkeypatch.setattr(_wire, "_links", {})

    [record] = structure_page(
        [{"_id": ID, "contacts": [C1, {"contactId": C2, "role": "cc"}, C1]}]
    )

    assert record.contacts == (
        ContactRole(contact_id=C1),
        ContactRole(contact_id=C2, role="cc"),
        ContactRole(contact_id=C1),
    )
    assert len(_wire._links) == 1
