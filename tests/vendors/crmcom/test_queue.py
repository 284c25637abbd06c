"""CRM.COM communications/queue/*: every method, its rules, and the docs' examples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from crmclients import errors
from crmclients.vendors.crmcom import CrmcomClient, Identifier, Reference
from tests.vendors.crmcom.conftest import (
    API,
    EXAMPLES,
    TOKEN,
    body,
    failure,
    ok,
    query,
    raw_query,
)

QUEUE_STATE = (
    "COM.CRM.EXCEPTION.COMMUNICATIONS.INVALIDCOMMUNICATIONQUEUELIFECYCLESTATEEXCEPTION"
)


def test_queue_show_parses_the_docs_example_field_by_field(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """communication_queue_identifier=number=1 -> every field of the example."""
    rsps.get(f"{API}/communications/queue/show", json=EXAMPLES["queue_show"])

    entry = client.show_queue_entry(Identifier.by_number("1"), fields_set=["id"])

    assert "communication_queue_identifier=number=1" in raw_query(rsps.calls[0])
    assert query(rsps.calls[0])["token"] == TOKEN
    assert (entry.id, entry.number, entry.life_cycle_state) == (
        "BE4C746D2894889EF68DD79323D8CE88",
        "1",
        "COMPLETED",
    )
    assert (entry.error_code, entry.error_description) == (
        "05",
        "Error with life cycle state.",
    )
    assert entry.communication_queue_external_system is None
    assert entry.communication is not None
    assert (entry.communication.number, entry.communication.life_cycle_state) == (
        "50",
        "COMPLETED",
    )
    assert entry.communication.contact_information is not None
    assert entry.communication.contact_information.last_name == "Ioannou47"
    assert entry.log_information is not None
    assert entry.log_information.updated_date == datetime(
        2014, 10, 7, 16, 48, 1, tzinfo=UTC
    )
    assert entry.log_information.created_date is None
    assert entry.log_information.created_by_user is not None
    assert entry.log_information.created_by_user.email == "mp@ministrator.com"
    assert entry.raw == EXAMPLES["queue_show"]["data"]


def test_queue_list_sends_its_filters_and_parses_the_docs_example(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """External system, contact, state, paging and fields_set go in the query."""
    rsps.get(f"{API}/communications/queue/list", json=EXAMPLES["queue_list"])

    entries = client.list_queue(
        communication_queue_external_system_identifier=Identifier.by_alternative_code(
            "CW5 MAIL"
        ),
        contact_information_identifier=Identifier.by_id(
            "02B4928EE8C9A170F888264D686927DD"
        ),
        life_cycle_state="completed",
        number_of_results=3,
        offset=0,
        fields_set=["number"],
    )

    assert query(rsps.calls[0]) == {
        "communication_queue_external_system_identifier": "alternative_code=CW5 MAIL",
        "contact_information_identifier": "id=02B4928EE8C9A170F888264D686927DD",
        "life_cycle_state": "COMPLETED",
        "number_of_results": "3",
        "offset": "0",
        "fields_set": "number",
        "token": TOKEN,
    }
    assert [e.number for e in entries] == ["2", "6", "7"]
    assert [e.communication.number for e in entries if e.communication] == [
        "58",
        "65",
        "65",
    ]
    assert entries[0].log_information is not None
    assert entries[0].log_information.updated_date is None
    assert entries[1].log_information is not None
    assert entries[1].log_information.updated_date == datetime(
        2014, 10, 7, 14, 58, 5, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({}, "communication_queue_external_system_identifier", "or media is required"),
        (
            {
                "media": "SMS",
                "communication_queue_external_system_identifier": {"name": "EXT 1"},
            },
            "communication_queue_external_system_identifier",
            "exactly one",
        ),
        ({"media": "FAX"}, "media", "EMAIL, SMS"),
        ({"media": "SMS", "life_cycle_state": "DONE"}, "life_cycle_state", "PENDING"),
        ({"media": "SMS", "number_of_results": -3}, "number_of_results", "at least 1"),
    ],
)
def test_queue_list_rules_are_checked_before_sending(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Exactly one of external system and media; documented values only."""
    with pytest.raises(errors.ValidationError) as info:
        client.list_queue(**kwargs)

    assert (info.value.field, rule in info.value.rule) == (field, True)
    assert len(rsps.calls) == 0


def test_iter_queue_reads_every_page(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """iter_queue pages by offset with the filters kept on every page."""
    for offset, asked, count in ((0, 2, 2), (1, 3, 2), (2, 3, 1)):
        rsps.get(
            f"{API}/communications/queue/list",
            json=ok(
                [
                    {"id": f"Q{offset + i}", "number": str(offset + i)}
                    for i in range(count)
                ]
            ),
            match=[
                responses.matchers.query_param_matcher(
                    {
                        "media": "SMS",
                        "life_cycle_state": "PENDING",
                        "number_of_results": str(asked),
                        "offset": str(offset),
                        "token": TOKEN,
                    }
                )
            ],
        )

    entries = client.iter_queue(
        media="SMS", life_cycle_state="PENDING", page_size=2
    ).to_list()

    assert [e.id for e in entries] == ["Q0", "Q1", "Q2"]


def test_get_latest_sends_number_and_parses_the_docs_example(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """number is mandatory; the example's entries and external systems parse."""
    rsps.get(
        f"{API}/communications/queue/get_latest", json=EXAMPLES["queue_get_latest"]
    )

    entries = client.get_latest_queue_entries(number=2, media="EMAIL")

    assert query(rsps.calls[0]) == {"media": "EMAIL", "number": "2", "token": TOKEN}
    assert [e.number for e in entries] == ["57", "50"]
    assert [e.life_cycle_state for e in entries] == ["PENDING", "PENDING"]
    assert entries[0].communication_queue_external_system == Reference(
        id="CD7D178AA593D7FF4A4D1BB2A8B576E2",
        name="CONAX Mail message",
        alternative_code="CW5 MAIL",
    )
    assert entries[0].log_information is not None
    assert entries[0].log_information.created_date == datetime(
        2014, 10, 29, 18, 33, 14, tzinfo=UTC
    )


@pytest.mark.parametrize("number", [0, -1, "many", None])
def test_get_latest_needs_a_positive_number(
    client: CrmcomClient, rsps: responses.RequestsMock, number: Any
) -> None:
    """number must be an integer of at least 1."""
    with pytest.raises(errors.ValidationError) as info:
        client.get_latest_queue_entries(number=number, media="SMS")

    assert info.value.field == "number"
    assert len(rsps.calls) == 0


def test_process_sends_the_identifier_and_parses_the_docs_answers(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Both process examples: the full entry, and a fields_set subset."""
    rsps.post(f"{API}/communications/queue/process", json=EXAMPLES["queue_process"])
    rsps.post(
        f"{API}/communications/queue/process", json=EXAMPLES["queue_process_fields_set"]
    )

    full = client.process_queue_entry(Identifier.by_number("1"))
    subset = client.process_queue_entry(
        Identifier.by_number("2"), fields_set=["number", "id", "communication"]
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_queue_identifier": {"number": "1"},
    }
    assert body(rsps.calls[1]) == {
        "token": TOKEN,
        "communication_queue_identifier": {"number": "2"},
        "fields_set": "number,id,communication",
    }
    assert (full.number, full.life_cycle_state) == ("1", "COMPLETED")
    assert (
        full.log_information is not None
        and full.log_information.updated_by_user is not None
    )
    assert full.log_information.updated_by_user.person_name == "Marios Lannister"
    assert (subset.id, subset.number, subset.life_cycle_state) == (
        "A7F5966C72935844FCE7192E62BE141B",
        "2",
        None,
    )
    assert subset.communication is not None
    assert (
        subset.communication.subject
        == " Information for subscription #subscription.number"
    )


def test_reject_sends_the_reason_and_parses_the_docs_answers(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """error_code and error_description are sent; the entry comes back REJECTED."""
    rsps.post(f"{API}/communications/queue/reject", json=EXAMPLES["queue_reject"])
    rsps.post(
        f"{API}/communications/queue/reject", json=EXAMPLES["queue_reject_fields_set"]
    )

    entry = client.reject_queue_entry(
        Identifier.by_number("9"),
        error_code="01",
        error_description="Communication definition is not configured.",
    )
    subset = client.reject_queue_entry(
        {"number": "10"},
        error_code="01",
        error_description="Communication definition is not configured.",
        fields_set=["number", "id", "communication"],
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_queue_identifier": {"number": "9"},
        "error_code": "01",
        "error_description": "Communication definition is not configured.",
    }
    assert (entry.life_cycle_state, entry.error_code) == ("REJECTED", "01")
    assert entry.error_description == "Communication definition is not configured."
    assert entry.communication is not None and entry.communication.number == "70"
    assert (subset.number, subset.communication and subset.communication.subject) == (
        "10",
        "#activity.number",
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"error_code": "", "error_description": "d"}, "error_code"),
        ({"error_code": None, "error_description": "d"}, "error_code"),
        ({"error_code": "01", "error_description": "  "}, "error_description"),
        ({"error_code": "01", "error_description": None}, "error_description"),
    ],
)
def test_reject_needs_error_code_and_description(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """Both are mandatory and non-blank; nothing is sent without them."""
    with pytest.raises(errors.ValidationError) as info:
        client.reject_queue_entry(Identifier.by_number("9"), **kwargs)

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_remove_parses_the_docs_answer(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """The entry comes back COMPLETED_AND_REMOVED with its external system."""
    rsps.post(f"{API}/communications/queue/remove", json=EXAMPLES["queue_remove"])

    entry = client.remove_queue_entry(Identifier.by_number("2700"))

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_queue_identifier": {"number": "2700"},
    }
    assert (entry.number, entry.life_cycle_state) == ("2700", "COMPLETED_AND_REMOVED")
    assert entry.communication_queue_external_system == Reference(
        id="DC30CF64A5F4426A84F1E9E76281443A", name="EXT 1", alternative_code="E1"
    )
    assert entry.communication is not None
    assert (entry.communication.number, entry.communication.subject) == (
        "CM003004",
        "Testing",
    )
    assert entry.log_information is not None
    assert entry.log_information.created_date == datetime(
        2016, 8, 2, 12, 0, 29, tzinfo=UTC
    )


@pytest.mark.parametrize("method", ["process_queue_entry", "remove_queue_entry"])
def test_a_queue_move_from_the_wrong_state_is_a_conflict(
    client: CrmcomClient, rsps: responses.RequestsMock, method: str
) -> None:
    """The server's life cycle code for queue entries is ConflictError."""
    action = method.split("_")[0]
    rsps.post(
        f"{API}/communications/queue/{action}", json=failure(QUEUE_STATE, "Not pending")
    )

    with pytest.raises(errors.ConflictError) as info:
        getattr(client, method)(Identifier.by_number("1"))

    assert info.value.code == QUEUE_STATE


def test_get_pending_completed_r13_sends_number_of_results_and_offset(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """From R13 the count is number_of_results, with offset; both docs examples parse."""
    rsps.get(
        f"{API}/communications/queue/get_pending_completed",
        json=EXAMPLES["queue_get_pending_completed"],
    )
    rsps.get(
        f"{API}/communications/queue/get_pending_completed",
        json=EXAMPLES["queue_get_pending_completed_2"],
    )

    first = client.get_pending_completed_queue_entries(
        communication_queue_external_system_identifier=Identifier.by_name("EXT 1"),
        contact_information_identifier=Identifier.by_id(
            "3358197AD0334CE2834DB60933B2CE88"
        ),
        number_of_results=3,
        offset=0,
    )
    second = client.get_pending_completed_queue_entries(media="SMS", number=4)

    assert query(rsps.calls[0]) == {
        "communication_queue_external_system_identifier": "name=EXT 1",
        "contact_information_identifier": "id=3358197AD0334CE2834DB60933B2CE88",
        "number_of_results": "3",
        "offset": "0",
        "token": TOKEN,
    }
    assert query(rsps.calls[1]) == {
        "media": "SMS",
        "number_of_results": "4",
        "token": TOKEN,
    }
    assert [e.number for e in first] == ["2701", "2700", "2699"]
    assert [e.life_cycle_state for e in first] == ["PENDING", "PENDING", "COMPLETED"]
    assert [e.number for e in second] == ["2231", "2230", "2229", "986"]
    assert second[0].communication is not None
    assert second[0].communication.subject is None
    assert second[0].communication.contact_information is not None
    assert second[0].communication.contact_information.life_cycle_state == "MARKETING"
    assert second[3].communication_queue_external_system is not None
    assert second[3].communication_queue_external_system.alternative_code == "ESMSS"


def test_get_pending_completed_refuses_number_and_number_of_results_together(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """number is the old name of number_of_results: one or the other."""
    with pytest.raises(errors.ValidationError, match="number"):
        client.get_pending_completed_queue_entries(
            media="SMS", number=1, number_of_results=2
        )

    assert len(rsps.calls) == 0
