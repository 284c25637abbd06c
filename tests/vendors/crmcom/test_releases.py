"""Release gates: what a CRM.COM release lacks is refused before sending, or paged its way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses

from crmclients import errors
from crmclients.vendors.crmcom import (
    CrmcomClient,
    Identifier,
    Release,
    UnrestrictedValue,
)
from tests.vendors.crmcom.conftest import API, BASE, TOKEN, ok, query

Call = Callable[[CrmcomClient], Any]
CATEGORY = Identifier.by_name("Billing")
CREATE = {
    "contact_information_identifier": Identifier.by_id("C1"),
    "direction": "OUTGOING",
    "media": "SMS",
    "subject": "s",
    "content": "c",
}


def at(release: str) -> CrmcomClient:
    """A client targeting ``release``."""
    return CrmcomClient(base_url=BASE, token=TOKEN, release=release)


@pytest.mark.parametrize(
    ("release", "call", "field", "since"),
    [
        (
            "R12.2",
            lambda c: c.list_communications(
                category_identifier=CATEGORY, number_of_results=5
            ),
            "number_of_results",
            "R13.0.0",
        ),
        (
            "R12.2",
            lambda c: c.list_communications(category_identifier=CATEGORY, offset=5),
            "offset",
            "R13.0.0",
        ),
        (
            "R12",
            lambda c: c.list_queue(media="SMS", number_of_results=5),
            "number_of_results",
            "R13.0.0",
        ),
        ("R12", lambda c: c.list_queue(media="SMS", offset=0), "offset", "R13.0.0"),
        (
            "R12.2",
            lambda c: c.iter_communications(category_identifier=CATEGORY, page_size=10),
            "page_size",
            "R13.0.0",
        ),
        (
            "R11",
            lambda c: c.iter_queue(media="SMS", page_size=10),
            "page_size",
            "R13.0.0",
        ),
        (
            "R12.2",
            lambda c: c.get_pending_completed_queue_entries(media="SMS", offset=2),
            "offset",
            "R13.0.0",
        ),
        (
            "R10",
            lambda c: c.list_queue(
                media="SMS", life_cycle_state="COMPLETED_AND_REMOVED"
            ),
            "life_cycle_state",
            "R10.1.0",
        ),
        (
            "R10",
            lambda c: c.iter_queue(
                media="SMS", life_cycle_state="COMPLETED_AND_REMOVED"
            ),
            "life_cycle_state",
            "R10.1.0",
        ),
        (
            "R9",
            lambda c: c.create_communication(**CREATE, fields_set=["id"]),
            "fields_set",
            "R10.0.0",
        ),
        (
            "R9.5",
            lambda c: c.process_queue_entry(
                Identifier.by_number("1"), fields_set=["id"]
            ),
            "fields_set",
            "R10.0.0",
        ),
        (
            "R8",
            lambda c: c.create_communication(
                **CREATE,
                unrestricted_parameter_set=[UnrestrictedValue.string("a", "b")],
            ),
            "unrestricted_parameter_set",
            "R9.0.0",
        ),
        (
            "R4",
            lambda c: c.list_queue(
                media="SMS", contact_information_identifier=Identifier.by_id("C1")
            ),
            "contact_information_identifier",
            "R5.0.0",
        ),
        (
            "R4.2",
            lambda c: c.get_latest_queue_entries(
                number=1,
                media="SMS",
                contact_information_identifier=Identifier.by_id("C1"),
            ),
            "contact_information_identifier",
            "R5.0.0",
        ),
    ],
)
def test_parameters_newer_than_the_release_are_refused(
    rsps: responses.RequestsMock, release: str, call: Call, field: str, since: str
) -> None:
    """The ValidationError names the parameter, the release it needs and the client's."""
    client = at(release)

    with pytest.raises(errors.ValidationError) as info:
        call(client)

    assert info.value.field == field
    assert since in info.value.rule
    assert str(Release.parse(release)) in info.value.rule
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("release", "call", "operation", "since"),
    [
        (
            "R12.1",
            lambda c: c.set_communication_as_viewed(Identifier.by_id("X")),
            "communications.set_as_viewed",
            "R12.2.0",
        ),
        (
            "R10.1",
            lambda c: c.remove_queue_entry(Identifier.by_number("1")),
            "communications.queue.remove",
            "R11.0.0",
        ),
        (
            "R10",
            lambda c: c.get_pending_completed_queue_entries(media="SMS"),
            "communications.queue.get_pending_completed",
            "R10.1.0",
        ),
    ],
)
def test_methods_newer_than_the_release_are_not_supported(
    rsps: responses.RequestsMock, release: str, call: Call, operation: str, since: str
) -> None:
    """A whole method the release lacks is NotSupportedError naming both releases."""
    with pytest.raises(errors.NotSupportedError) as info:
        call(at(release))

    assert info.value.feature == operation
    assert since in str(info.value) and str(Release.parse(release)) in str(info.value)
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("release", "call", "path"),
    [
        (
            "R12.2",
            lambda c: c.set_communication_as_viewed(Identifier.by_id("X")),
            "communications/set_as_viewed",
        ),
        (
            "R11",
            lambda c: c.remove_queue_entry(Identifier.by_number("1")),
            "communications/queue/remove",
        ),
        (
            "R10.1",
            lambda c: c.list_queue(
                media="SMS", life_cycle_state="COMPLETED_AND_REMOVED"
            ),
            "communications/queue/list",
        ),
        (
            "R10",
            lambda c: c.process_queue_entry(
                Identifier.by_number("1"), fields_set=["id"]
            ),
            "communications/queue/process",
        ),
        (
            "R5",
            lambda c: c.list_queue(
                media="SMS", contact_information_identifier={"id": "C1"}
            ),
            "communications/queue/list",
        ),
    ],
)
def test_features_are_sent_from_their_release(
    rsps: responses.RequestsMock, release: str, call: Call, path: str
) -> None:
    """At the release that introduced them, the same calls go out."""
    method = "GET" if "list" in path else "POST"
    rsps.add(method, f"{API}/{path}", json=ok([] if method == "GET" else {"id": "X"}))

    call(at(release))

    assert len(rsps.calls) == 1


def test_get_pending_completed_before_r13_sends_number(
    rsps: responses.RequestsMock,
) -> None:
    """Before R13 the count parameter is called number (number_of_results is accepted)."""
    url = f"{API}/communications/queue/get_pending_completed"
    rsps.get(url, json=ok([]))
    rsps.get(url, json=ok([]))
    client = at("R12.2")

    client.get_pending_completed_queue_entries(media="EMAIL", number_of_results=5)
    client.get_pending_completed_queue_entries(media="EMAIL", number=6)

    assert query(rsps.calls[0]) == {"media": "EMAIL", "number": "5", "token": TOKEN}
    assert query(rsps.calls[1]) == {"media": "EMAIL", "number": "6", "token": TOKEN}


def test_before_r13_a_pull_is_one_request_without_paging_parameters(
    rsps: responses.RequestsMock,
) -> None:
    """iter_communications on R12.2: a single list call returns everything."""
    rsps.get(
        f"{API}/communications/list",
        json=ok([{"id": f"C{i}"} for i in range(250)]),
        match=[
            responses.matchers.query_param_matcher(
                {"category_identifier": "name=Billing", "token": TOKEN}
            )
        ],
    )

    pager = at("R12.2").iter_communications(category_identifier=CATEGORY)

    assert len(pager.to_list()) == 250
    assert pager.page_size is None
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("R13", Release(13)),
        ("r12.2", Release(12, 2)),
        ("R10.1.0", Release(10, 1)),
        ("13.0", Release(13)),
        (" R4 ", Release(4)),
        (Release(11), Release(11)),
    ],
)
def test_release_labels_are_read(given: Any, expected: Release) -> None:
    """The documented release labels, with or without R and patch numbers."""
    assert CrmcomClient(base_url=BASE, token=TOKEN, release=given).release == expected


@pytest.mark.parametrize("given", ["thirteen", "", "R", "R13.x", 13, "R3.9"])
def test_bad_or_too_old_releases_are_configuration_errors(given: Any) -> None:
    """Anything that is not R<major>[.<minor>[.<patch>]] from R4 is refused at once."""
    with pytest.raises(
        errors.ConfigurationError, match=r"release|communications exist"
    ):
        CrmcomClient(base_url=BASE, token=TOKEN, release=given)


def test_releases_order_and_print() -> None:
    """Releases compare numerically and print in full."""
    assert (
        Release.parse("R9")
        < Release.parse("R10.1")
        < Release.parse("R12.2")
        < Release(13)
    )
    assert str(Release.parse("R12.2")) == "R12.2.0"
