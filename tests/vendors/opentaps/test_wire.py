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
