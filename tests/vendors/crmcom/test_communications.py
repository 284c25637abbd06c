"""CRM.COM communications/*: every method, its rules, and the docs' examples field by field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import responses

from crmclients import errors
from crmclients._rules import NOT_SET
from crmclients.vendors.crmcom import (
    ContactInformation,
    Country,
    CrmcomClient,
    Identifier,
    PartialDate,
    Reference,
    UnrestrictedChange,
    UnrestrictedValue,
    UserInfo,
)
from tests.vendors.crmcom.conftest import (
    API,
    BASE,
    EXAMPLES,
    TOKEN,
    body,
    failure,
    ok,
    query,
    raw_query,
)

KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"
ADMIN_UNIT = Reference(
    id="48305F8849E3C18B227C5BE3A27BA6DF",
    name="Admin Unit",
    group_name="Main Group",
    description="r1 Test Description for resource request tab.Test Description for resource request tab.",
    alternative_code="MG",
)


# -- GET communications/show ---------------------------------------------------------------


def test_show_flattens_the_identifier_and_sends_the_token_in_the_query(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """communication_identifier=number=CM000680 goes out with a raw inner '=' and the token."""
    rsps.get(f"{API}/communications/show", json=EXAMPLES["show"])

    client.show_communication(
        Identifier.by_number("CM000680"), fields_set=["id", "number", "subject"]
    )

    call = rsps.calls[0]
    assert "communication_identifier=number=CM000680" in raw_query(call)
    assert query(call) == {
        "communication_identifier": "number=CM000680",
        "fields_set": "id,number,subject",
        "token": TOKEN,
    }


def test_show_parses_the_docs_example_field_by_field(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Every field of the communications/show example lands in the native model."""
    rsps.get(f"{API}/communications/show", json=EXAMPLES["show"])

    c = client.show_communication({"id": "AFC7A8F8F2174A099CDC3AD168B85B3E"})

    assert (c.id, c.number, c.code) == (
        "AFC7A8F8F2174A099CDC3AD168B85B3E",
        "CM000680",
        "657",
    )
    assert c.subject == " Information for your STRIPE Payment Registered Card"
    assert c.content is not None and c.content.startswith("Dear Kathy Clark We would")
    assert (c.media, c.direction, c.life_cycle_state) == ("EMAIL", "OUTGOING", "DRAFT")
    assert (c.sender, c.to, c.notes) == (
        "e_michailidou@crm.com",
        "eleni.sites@gmail.com",
        None,
    )
    assert c.follow_up_set == ()
    assert (c.communication_queue_external_system, c.privacy_level) == (None, None)
    assert (c.viewed, c.viewed_on, c.unrestricted_parameter_set) == (None, None, None)
    assert all(getattr(c, f"udf_string_{n}") is None for n in range(1, 9))
    assert all(getattr(c, f"udf_float_{n}") is None for n in range(1, 5))
    assert all(getattr(c, f"udf_date_{n}") is None for n in range(1, 5))
    contact = c.contact_information
    assert contact == ContactInformation(
        id=KATHY,
        type="PERSON",
        name="Clark Kathy",
        title="Mrs",
        first_name="Kathy",
        middle_name="S.",
        last_name="Clark",
        company_name=None,
        company_profile=None,
        life_cycle_state="FINANCIAL",
        demographics=contact.demographics if contact else None,
    )
    assert contact is not None and contact.demographics is not None
    demographics = contact.demographics
    assert (demographics.gender, demographics.id_number) == ("FEMALE", "87878000")
    assert (demographics.passport_number, demographics.social_security_number) == (
        "4564455",
        "88996633",
    )
    assert demographics.country_of_residence == Country(
        id="127",
        name="UNITED STATES",
        two_character_code="US",
        three_character_code="USA",
        alternative_code=None,
    )
    assert demographics.name_day == PartialDate(month=1, day=1)
    assert demographics.date_of_birth == PartialDate(year=1980, month=1, day=1)
    assert (demographics.industry, demographics.industry_sector) == (None, None)
    assert c.referring_to is not None
    assert c.referring_to["payment"]["number"] == "182"
    assert c.referring_to["payment_gateway_card"]["brand"] == "Visa"
    assert c.referring_to["payment_gateway_request"]["bill"]["number"] == "BL000102"
    log = c.log_information
    assert log is not None
    assert log.created_date == datetime(2015, 2, 19, 9, 48, tzinfo=UTC)
    assert log.updated_date == datetime(2015, 4, 30, 13, 23, 51, tzinfo=UTC)
    assert log.created_by_unit == log.updated_by_unit == ADMIN_UNIT
    assert log.created_by_user == UserInfo(
        id="63ACDBBC5B39AD2DF5B167FA70EE57DD",
        username="emichailidou",
        person_name="emichailidou",
    )
    assert log.updated_by_user == UserInfo(
        id="1", username="MPAdministrator", person_name="MPAdministrator"
    )
    assert c.owned_by_group == Reference(
        id="84F33366CB592BAAE7E2044D93611C6A",
        name="Main Group",
        description="Main Group",
        alternative_code="MG1",
    )
    assert c.category == Reference(
        id="E7A5682FD665927F9C04723E9E79C42D",
        name="Customer Care Information",
        description="Customer Care Information",
        code="cci",
    )
    assert c.raw == EXAMPLES["show"]["data"]


def test_naive_dates_are_read_in_the_client_time_zone(
    rsps: responses.RequestsMock,
) -> None:
    """timezone='Europe/Nicosia' moves the example's naive dates by the EET/EEST offset."""
    nicosia = CrmcomClient(base_url=BASE, token=TOKEN, timezone="Europe/Nicosia")
    rsps.get(f"{API}/communications/show", json=EXAMPLES["show"])

    c = nicosia.show_communication(Identifier.by_number("CM000680"))

    assert c.log_information is not None
    assert c.log_information.created_date == datetime(2015, 2, 19, 7, 48, tzinfo=UTC)
    assert c.log_information.updated_date == datetime(
        2015, 4, 30, 10, 23, 51, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("identifier", "rule"),
    [
        ({"id": "A", "number": "B"}, "exactly one identifying field, got 2"),
        ({}, "exactly one identifying field, got 0"),
        (Identifier.by_number(""), "non-blank value"),
        (Identifier.by_id("   "), "non-blank value"),
        (Identifier("Number Field", "1"), "invalid field name"),
        ("CM000680", "must be an Identifier"),
        ({"number": None}, "must be an Identifier"),
        ({"number": True}, "must be an Identifier"),
        (None, "is required"),
    ],
)
def test_identifier_rules_are_checked_before_sending(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    identifier: Any,
    rule: str,
) -> None:
    """An identifier names exactly one non-blank field; otherwise nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.show_communication(identifier)

    assert info.value.field == "communication_identifier"
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("fields_set", "rule"),
    [
        ("id,number", "must be a list"),
        ([], "at least one"),
        (["id", "bad field"], "invalid field name"),
        (["id", 3], "invalid field name"),
    ],
)
def test_fields_set_must_be_a_list_of_names(
    client: CrmcomClient, rsps: responses.RequestsMock, fields_set: Any, rule: str
) -> None:
    """fields_set is a list of field names (sent comma-joined), checked before sending."""
    with pytest.raises(errors.ValidationError) as info:
        client.show_communication(Identifier.by_number("1"), fields_set=fields_set)

    assert (info.value.field, rule in info.value.rule) == ("fields_set", True)
    assert len(rsps.calls) == 0


def test_show_of_an_unknown_communication_is_not_found(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """A *NOTFOUND* code is NotFoundError with code, message and description kept."""
    code = "COM.CRM.EXCEPTION.COMMUNICATIONS.COMMUNICATIONNOTFOUNDEXCEPTION"
    rsps.get(
        f"{API}/communications/show",
        json=failure(
            code, "Communication not found", "No communication with number X1"
        ),
    )

    with pytest.raises(errors.NotFoundError) as info:
        client.show_communication(Identifier.by_number("X1"))

    assert info.value.code == code
    assert info.value.status_code == 200
    assert info.value.messages == [
        "Communication not found",
        "No communication with number X1",
    ]
    assert info.value.details == {
        "code": code,
        "message": "Communication not found",
        "description": "No communication with number X1",
    }
    assert code in str(info.value)


# -- GET communications/list --------------------------------------------------------------


def test_list_sends_every_filter_and_parses_the_docs_example(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Both identifiers, direction, media, paging and fields_set go in the query."""
    rsps.get(f"{API}/communications/list", json=EXAMPLES["list"])

    [c] = client.list_communications(
        contact_information_identifier=Identifier.by_id(
            "2A3FD24CF1586E31D9DC7CAF43C38A96"
        ),
        category_identifier=Identifier.by_code("000"),
        direction="outgoing",
        media="EMAIL",
        number_of_results=10,
        offset=20,
        fields_set=("id", "number"),
    )

    assert query(rsps.calls[0]) == {
        "contact_information_identifier": "id=2A3FD24CF1586E31D9DC7CAF43C38A96",
        "category_identifier": "code=000",
        "direction": "OUTGOING",
        "media": "EMAIL",
        "number_of_results": "10",
        "offset": "20",
        "fields_set": "id,number",
        "token": TOKEN,
    }
    assert (c.id, c.number, c.code) == ("49EFA6FADA3FA0C1562B5DBC16C512FA", "77", "63")
    assert (c.subject, c.content, c.life_cycle_state) == (
        "Template",
        "Content",
        "COMPLETED",
    )
    assert (c.sender, c.to, c.follow_up_set) == (
        "test@gmail.com",
        "e_michael@crm.com",
        None,
    )
    assert c.contact_information is not None
    assert c.contact_information.display_name == "Elena Michael"
    assert c.category == Reference(
        id="85ED9457795B97D0AD826E1D8EBBB8AF", name="000", description="000", code="000"
    )
    assert c.owned_by_group is not None and c.owned_by_group.alternative_code == "das"
    assert c.log_information is not None
    assert c.log_information.created_date == datetime(
        2014, 9, 19, 12, 45, 56, tzinfo=UTC
    )
    assert c.log_information.created_by_user == UserInfo(
        id="1", username="MPAdministrator", person_name="MPAdministrator", email=None
    )
    assert c.referring_to is not None
    assert c.referring_to["notification"]["accounts_receivable"]["number"] == "195"


def test_list_needs_a_contact_or_a_category(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """At least one of the two semi-optional identifiers, before sending."""
    with pytest.raises(errors.ValidationError, match="at least one") as info:
        client.list_communications(media="EMAIL")

    assert info.value.field == "contact_information_identifier"
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"direction": "SIDEWAYS"}, "direction"),
        ({"media": "PIGEON"}, "media"),
        ({"media": 3}, "media"),
        ({"number_of_results": 0}, "number_of_results"),
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_list_values_are_checked_before_sending(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """Documented enumerations and paging bounds fail before any request."""
    with pytest.raises(errors.ValidationError) as info:
        client.list_communications(
            category_identifier=Identifier.by_name("x"), **kwargs
        )

    assert info.value.field == field
    assert len(rsps.calls) == 0


def test_list_with_null_data_is_empty(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """An empty list that comes back as null data is an empty list."""
    rsps.get(f"{API}/communications/list", json=ok(None))

    assert client.list_communications(category_identifier=Identifier.by_name("x")) == []


def test_list_data_that_is_not_a_list_is_a_shape_error(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """An object where a list belongs is ResponseShapeError at $.data."""
    rsps.get(f"{API}/communications/list", json=ok({"id": "1"}))

    with pytest.raises(errors.ResponseShapeError) as info:
        client.list_communications(category_identifier=Identifier.by_name("x"))

    assert info.value.path == "$.data"


def test_iter_communications_reads_pages_by_offset_until_an_empty_one(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """R13: number_of_results/offset pages, each record once. No total, so after
    the first page each starts at the last record read (one more asked for) and the
    pull stops when nothing comes after it."""
    for offset, asked, count in ((0, 3, 3), (2, 4, 4), (5, 4, 2), (6, 4, 1)):
        rsps.get(
            f"{API}/communications/list",
            json=ok([{"id": f"ID{offset + i}"} for i in range(count)]),
            match=[
                responses.matchers.query_param_matcher(
                    {
                        "contact_information_identifier": f"id={KATHY}",
                        "number_of_results": str(asked),
                        "offset": str(offset),
                        "token": TOKEN,
                    }
                )
            ],
        )

    ids = [
        c.id
        for c in client.iter_communications(
            contact_information_identifier=Identifier.by_id(KATHY), page_size=3
        )
    ]

    assert ids == [f"ID{i}" for i in range(7)]


def test_iter_communications_checks_filters_before_any_request(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """The pager refuses missing identifiers when it is built, not when iterated."""
    with pytest.raises(errors.ValidationError):
        client.iter_communications(media="SMS")
    with pytest.raises(errors.ValidationError, match="page_size"):
        client.iter_communications(category_identifier={"name": "x"}, page_size=0)

    assert len(rsps.calls) == 0


# -- POST communications/create -------------------------------------------------------------


def test_create_sends_the_docs_example_body_with_the_token_in_it(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Identifiers as objects, referring_to by entity type, the token in the JSON body."""
    rsps.post(f"{API}/communications/create", json=EXAMPLES["create"])

    c = client.create_communication(
        contact_information_identifier=Identifier.by_id(
            "31260911295E70BB660EBEB0C4F941AC"
        ),
        direction="OUTGOING",
        media="EMAIL",
        subject="Subscription Notice",
        to="mariosmichael88@gmail.com",
        content="We would like to remind you that your Subscription #subscription.number is overdue.",
        referring_to={"subscription": Identifier.by_number("S60302")},
    )

    call = rsps.calls[0]
    assert call.request.headers["Content-Type"] == "application/json"
    assert "token" not in query(call)
    assert body(call) == {
        "token": TOKEN,
        "contact_information_identifier": {"id": "31260911295E70BB660EBEB0C4F941AC"},
        "direction": "OUTGOING",
        "media": "EMAIL",
        "subject": "Subscription Notice",
        "to": "mariosmichael88@gmail.com",
        "content": "We would like to remind you that your Subscription #subscription.number is overdue.",
        "referring_to": {"subscription_identifier": {"number": "S60302"}},
    }
    assert (c.id, c.number, c.code) == (
        "74570FC2E74547F78AFD82D63F010A92",
        "554",
        "534",
    )
    assert (c.life_cycle_state, c.sender, c.category) == (
        "COMPLETED",
        "info@crm.com",
        None,
    )
    assert c.content == (
        "We would like to remind you that your Subscription S60302 is overdue. "
        "Please pay by 23-January to avoid disconnections."
    )
    assert c.contact_information is not None and c.contact_information.demographics
    assert c.contact_information.demographics.passport_issued_by_country == Country(
        id="126", name="UNITED KINGDOM"
    )
    assert c.owned_by_group is not None
    assert (c.owned_by_group.community_name, c.owned_by_group.name) == (
        "Main Community",
        "Collaboration Group 1",
    )
    assert c.referring_to is not None
    subscription = c.referring_to["subscription"]
    assert (subscription["number"], subscription["type"]["description"]) == (
        "S60302",
        "For Subscribers residing in London\n",
    )
    assert c.log_information is not None
    assert c.log_information.created_by_user == UserInfo(
        id="1", username="mpadministrator", person_name="Marios Lannister"
    )


def test_create_a_draft_with_unrestricted_parameters(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Typed unrestricted values are sent as the docs show; EEST dates come back parsed."""
    rsps.post(f"{API}/communications/create", json=EXAMPLES["create_unrestricted"])

    c = client.create_communication(
        contact_information_identifier={"id": "531C8308457947EFAFA91776AA4F4B4E"},
        direction="OUTGOING",
        media="EMAIL",
        subject="Unbound Test",
        to="m_michael@crm.com",
        life_cycle_state="DRAFT",
        content="We would like to remind you that #unrestricted_string.name left.",
        unrestricted_parameter_set=[
            UnrestrictedValue.string("name", "Marios"),
            UnrestrictedValue.string("test", "test2"),
            UnrestrictedValue.number("float", Decimal("10")),
            UnrestrictedValue.moment("date", datetime(2014, 5, 5, 15, 49, 59)),
            UnrestrictedValue.integer("count", 3),
        ],
    )

    sent = body(rsps.calls[0])
    assert sent["life_cycle_state"] == "DRAFT"
    assert sent["unrestricted_parameter_set"] == [
        {"type": "STRING", "string_value": "Marios", "name": "name"},
        {"type": "STRING", "string_value": "test2", "name": "test"},
        {"type": "FLOAT", "float_value": 10, "name": "float"},
        {"type": "DATE", "date_value": "2014-05-05T15:49:59", "name": "date"},
        {"type": "INTEGER", "integer_value": 3, "name": "count"},
    ]
    assert (c.number, c.life_cycle_state) == ("CM001634", "DRAFT")
    params = {p.name: p for p in c.unrestricted_parameter_set or ()}
    assert params["float"].float_value == 10.0
    assert params["float"].key == "unrestricted_float.float"
    assert params["date"].date_value == datetime(2014, 5, 5, 12, 49, 59, tzinfo=UTC)
    assert params["name"].string_value == "Marios"
    assert params["test"].id == "A5CE0C3898E44D9E9D8F9A459AC61500"
    assert (
        c.referring_to is not None and c.referring_to["buy_in_advance_request"] is None
    )
    assert c.log_information is not None
    assert c.log_information.created_by_unit is not None
    assert c.log_information.created_by_unit.community_name == "Internal Community"


def test_create_with_fields_set_parses_a_partial_answer(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """fields_set is sent comma-joined; an answer without id still parses."""
    rsps.post(f"{API}/communications/create", json=EXAMPLES["create_fields_set"])

    c = client.create_communication(
        contact_information_identifier=Identifier.by_id(
            "475904FB959FE8D3DDAEB22FBFEC5FFB"
        ),
        direction="OUTGOING",
        media="EMAIL",
        subject="Subscription Notice",
        to="mariosmichael88@gmail.com",
        content="c",
        referring_to={"subscription_identifier": Identifier.by_number("S60105")},
        fields_set=["contact_information", "media", "subject", "subscription"],
    )

    sent = body(rsps.calls[0])
    assert sent["fields_set"] == "contact_information,media,subject,subscription"
    assert sent["referring_to"] == {"subscription_identifier": {"number": "S60105"}}
    assert (c.id, c.media, c.subject) == (None, "EMAIL", "Subscription Notice")
    assert c.contact_information is not None and c.contact_information.demographics
    demographics = c.contact_information.demographics
    assert demographics.industry == Reference(
        id="31BC2070C79EAE5455BFAD41599C5190", name="Marketing1", code="MK"
    )
    assert demographics.id_issued_by_country is not None
    assert demographics.id_issued_by_country.three_character_code == "DZA"


def test_create_with_a_template_needs_no_direction_media_subject_or_content(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """With template_identifier only the contact is mandatory."""
    rsps.post(f"{API}/communications/create", json=ok({"id": "N1"}))

    c = client.create_communication(
        contact_information_identifier=Identifier.by_number("CI000111"),
        template_identifier=Identifier.by_name("Subscription Information"),
        category_identifier=Identifier.by_name("Contact Category"),
        communication_queue_external_system_identifier=Identifier.by_alternative_code(
            "E1"
        ),
        owned_by_group_identifier=Identifier.by_id("84F33366CB592BAAE7E2044D93611C6A"),
        privacy_level_identifier=Identifier.by_number("8"),
        notes="n",
    )

    assert c.id == "N1"
    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "contact_information_identifier": {"number": "CI000111"},
        "template_identifier": {"name": "Subscription Information"},
        "category_identifier": {"name": "Contact Category"},
        "communication_queue_external_system_identifier": {"alternative_code": "E1"},
        "owned_by_group_identifier": {"id": "84F33366CB592BAAE7E2044D93611C6A"},
        "privacy_level_identifier": {"number": "8"},
        "notes": "n",
    }


def test_create_sends_user_defined_fields_typed(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """udf strings as text, floats as numbers, dates as YYYY-MM-DDTHH:MM:SS in the client zone."""
    rsps.post(
        f"{API}/communications/create",
        json=ok({"udf_date_1": "2024-03-01T10:00:00", "udf_float_2": 2.5}),
    )

    c = client.create_communication(
        contact_information_identifier=Identifier.by_id(KATHY),
        direction="INCOMING",
        media="PHONE",
        subject="s",
        content="c",
        udf_string_1="one",
        udf_float_2=Decimal("2.5"),
        udf_date_1=datetime(2024, 3, 1, 11, 0, tzinfo=UTC).astimezone(),
        udf_date_2=date(2024, 3, 2),
        udf_string_3=None,
    )

    sent = body(rsps.calls[0])
    assert {k: v for k, v in sent.items() if k.startswith("udf")} == {
        "udf_string_1": "one",
        "udf_float_2": 2.5,
        "udf_date_1": "2024-03-01T11:00:00",
        "udf_date_2": "2024-03-02",
    }
    assert c.udf_date_1 == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert c.udf_float_2 == 2.5


_CREATE = {
    "contact_information_identifier": Identifier.by_id(KATHY),
    "direction": "OUTGOING",
    "media": "SMS",
    "subject": "s",
    "content": "c",
}


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"direction": None}, "direction", "unless template_identifier"),
        ({"media": None}, "media", "unless template_identifier"),
        ({"subject": None}, "subject", "unless template_identifier"),
        ({"content": None}, "content", "unless template_identifier"),
        ({"media": "EMAIL"}, "to", "when media is EMAIL"),
        ({"media": "EMAIL", "to": "  "}, "to", "when media is EMAIL"),
        (
            {"contact_information_identifier": None},
            "contact_information_identifier",
            "required",
        ),
        ({"life_cycle_state": "CANCELLED"}, "life_cycle_state", "DRAFT, COMPLETED"),
        ({"direction": "UP"}, "direction", "INCOMING, OUTGOING"),
        ({"subject": " "}, "subject", "blank"),
        ({"udf_string_9": "x"}, "udf_string_9", "not a documented"),
        ({"udf_float_1": "lots"}, "udf_float_1", "number"),
        ({"udf_date_1": "next tuesday"}, "udf_date_1", "datetime"),
        ({"referring_to": ["lead"]}, "referring_to", "map entity types"),
        (
            {"referring_to": {"Lead!": {"number": "1"}}},
            "referring_to",
            "invalid entity type",
        ),
        ({"referring_to": {"lead": {"number": ""}}}, "referring_to.lead", "non-blank"),
        (
            {"unrestricted_parameter_set": [{"name": "x"}]},
            "unrestricted_parameter_set",
            "UnrestrictedValue",
        ),
        ({"unrestricted_parameter_set": "x"}, "unrestricted_parameter_set", "list"),
        (
            {"unrestricted_parameter_set": [UnrestrictedValue("n", "BLOB", 1)]},
            "unrestricted_parameter_set.type",
            "STRING, INTEGER, FLOAT, DATE",
        ),
        (
            {"unrestricted_parameter_set": [UnrestrictedValue.integer("n", "two")]},  # type: ignore[arg-type]
            "unrestricted_parameter_set.n",
            "integer",
        ),
        (
            {"category_identifier": {"name": "a", "code": "b"}},
            "category_identifier",
            "exactly one",
        ),
    ],
)
def test_create_rules_are_checked_before_sending(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    changes: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Each documented create rule fails with field and rule named; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.create_communication(**{**_CREATE, **changes})

    assert info.value.field == field
    assert rule in info.value.rule
    assert len(rsps.calls) == 0


def test_create_refused_by_the_server_is_rejected(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """A validation code comes back as RejectedError with its code."""
    code = "COM.CRM.EXCEPTION.WEBAPI.MANDATORYPARAMETERMISSINGEXCEPTION"
    rsps.post(f"{API}/communications/create", json=failure(code, "to is mandatory"))

    with pytest.raises(errors.RejectedError) as info:
        client.create_communication(**_CREATE)

    assert info.value.code == code


def test_create_is_never_replayed_after_an_ambiguous_failure(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """A reset after sending a create raises AmbiguousWriteError; it was sent once."""
    import requests

    rsps.post(f"{API}/communications/create", body=requests.ConnectionError("reset"))

    with pytest.raises(errors.AmbiguousWriteError):
        client.create_communication(**_CREATE)

    assert len(rsps.calls) == 1


# -- POST communications/update -------------------------------------------------------------


def test_update_sends_the_docs_example_and_parses_its_answer(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """communication_identifier, template and referring_to as objects; the rest untouched."""
    rsps.post(f"{API}/communications/update", json=EXAMPLES["update_template"])

    c = client.update_communication(
        Identifier.by_number("290"),
        template_identifier=Identifier.by_name("Subscription Information"),
        content="Dear #contact_information.first_name we would like to inform you",
        referring_to={"lead": Identifier.by_number("60")},
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_identifier": {"number": "290"},
        "template_identifier": {"name": "Subscription Information"},
        "content": "Dear #contact_information.first_name we would like to inform you",
        "referring_to": {"lead_identifier": {"number": "60"}},
    }
    assert (c.number, c.life_cycle_state, c.to) == ("290", "DRAFT", "paulos@crm.com")
    assert c.content == (
        "Dear Paulos we would like to inform you that the subscription S60052 is "
        "CANCELLED subscription"
    )
    assert c.referring_to is not None
    assert c.referring_to["lead"]["life_cycle_state"] == "PENDING"
    assert c.referring_to["subscription"]["number"] == "S60052"
    assert c.contact_information is not None
    assert c.contact_information.demographics is not None
    assert c.contact_information.demographics.country_of_residence == Country(
        id="237", name="JAPAN"
    )


def test_update_changes_unrestricted_parameters(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """add/update/remove actions are sent as the docs' second update example."""
    rsps.post(f"{API}/communications/update", json=EXAMPLES["update_unrestricted"])

    c = client.update_communication(
        {"number": "CM001642"},
        life_cycle_state="DRAFT",
        subject="We would like to #unrestricted_string.test remind you",
        unrestricted_parameter_set=[
            UnrestrictedChange.add(UnrestrictedValue.string("test_string", "test")),
            UnrestrictedChange.update(
                Identifier.by_name("test"), UnrestrictedValue.string("update", "update")
            ),
            UnrestrictedChange.remove(Identifier.by("key", "unrestricted_float.float")),
        ],
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_identifier": {"number": "CM001642"},
        "life_cycle_state": "DRAFT",
        "subject": "We would like to #unrestricted_string.test remind you",
        "unrestricted_parameter_set": [
            {
                "action": "add",
                "type": "STRING",
                "string_value": "test",
                "name": "test_string",
            },
            {
                "action": "update",
                "unrestricted_parameter_identifier": {"name": "test"},
                "string_value": "update",
                "name": "update",
            },
            {
                "action": "remove",
                "unrestricted_parameter_identifier": {
                    "key": "unrestricted_float.float"
                },
            },
        ],
    }
    assert c.number == "CM001642"
    assert [p.name for p in c.unrestricted_parameter_set or ()] == [
        "test_string",
        "name",
        "update",
        "date",
    ]


def test_update_sends_only_given_fields_and_null_for_none(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """NOT_SET leaves a field out; None sends null (clears it)."""
    rsps.post(f"{API}/communications/update", json=ok({"id": "X"}))

    client.update_communication(
        Identifier.by_id("X"),
        notes=None,
        to=None,
        category_identifier=None,
        subject=NOT_SET,
        udf_string_1=None,
        udf_float_1=3,
    )

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_identifier": {"id": "X"},
        "category_identifier": None,
        "to": None,
        "notes": None,
        "udf_string_1": None,
        "udf_float_1": 3,
    }


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"subject": None}, "subject", "cannot be set to null"),
        ({"content": None}, "content", "cannot be set to null"),
        ({"media": None}, "media", "cannot be set to null"),
        ({"direction": None}, "direction", "cannot be set to null"),
        ({"media": "EMAIL", "to": None}, "to", "mandatory when media is EMAIL"),
        ({"life_cycle_state": "VOID"}, "life_cycle_state", "DRAFT, COMPLETED"),
        (
            {"unrestricted_parameter_set": [UnrestrictedChange.remove(None)]},  # type: ignore[arg-type]
            "unrestricted_parameter_set.identifier",
            "required",
        ),
        (
            {"unrestricted_parameter_set": [UnrestrictedChange("add")]},
            "unrestricted_parameter_set.value",
            "required",
        ),
        (
            {"unrestricted_parameter_set": [UnrestrictedChange("rename")]},
            "unrestricted_parameter_set.action",
            "one of",
        ),
        (
            {"unrestricted_parameter_set": [UnrestrictedValue.string("a", "b")]},
            "unrestricted_parameter_set",
            "UnrestrictedChange",
        ),
    ],
)
def test_update_rules_are_checked_before_sending(
    client: CrmcomClient,
    rsps: responses.RequestsMock,
    changes: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    """Mandatory fields cannot be cleared, enumerations hold; nothing is sent."""
    with pytest.raises(errors.ValidationError) as info:
        client.update_communication(Identifier.by_id("X"), **changes)

    assert (info.value.field, rule in info.value.rule) == (field, True)
    assert len(rsps.calls) == 0


def test_update_of_a_completed_communication_is_a_conflict(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Only drafts can be updated: the server's life cycle code is ConflictError."""
    code = (
        "COM.CRM.EXCEPTION.COMMUNICATIONS.ONLYDRAFTCOMMUNICATIONSCANBEUPDATEDEXCEPTION"
    )
    rsps.post(
        f"{API}/communications/update",
        json=failure(code, "Only draft communications can be updated"),
    )

    with pytest.raises(errors.ConflictError) as info:
        client.update_communication(Identifier.by_id("X"), subject="s")

    assert (info.value.code, info.value.messages) == (
        code,
        ["Only draft communications can be updated"],
    )


def test_update_is_retried_after_a_reset(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """update by identifier is idempotent: a connection reset is retried."""
    import requests

    rsps.post(f"{API}/communications/update", body=requests.ConnectionError("reset"))
    rsps.post(f"{API}/communications/update", json=ok({"id": "X", "subject": "s"}))

    assert (
        client.update_communication(Identifier.by_id("X"), subject="s").subject == "s"
    )
    assert len(rsps.calls) == 2


# -- POST communications/complete and set_as_viewed -------------------------------------------


def test_complete_sends_the_identifier_and_parses_the_docs_answer(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """{"communication_identifier": {"number": "41"}} -> the completed communication."""
    rsps.post(f"{API}/communications/complete", json=EXAMPLES["complete"])

    c = client.complete_communication(Identifier.by_number("41"), fields_set=["id"])

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_identifier": {"number": "41"},
        "fields_set": "id",
    }
    assert (c.id, c.number, c.life_cycle_state) == (
        "252F3A1A87C26866A1E1A1B18D6043EA",
        "41",
        "COMPLETED",
    )
    assert c.contact_information is not None
    assert c.contact_information.display_name == "Stephane Spector"
    assert c.contact_information.demographics is not None
    assert c.contact_information.demographics.passport_number == "121212"


def test_complete_of_a_non_draft_is_a_conflict(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Only drafts can be completed (server rule, ConflictError)."""
    rsps.post(
        f"{API}/communications/complete",
        json=failure(
            "COM.CRM.EXCEPTION.COMMUNICATIONS.ONLYDRAFTCOMMUNICATIONSCANBECOMPLETEDEXCEPTION"
        ),
    )

    with pytest.raises(errors.ConflictError):
        client.complete_communication(Identifier.by_number("41"))


def test_set_as_viewed_parses_the_docs_answer_with_its_eest_date(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """viewed_on "Mon May 22 12:42:03 EEST 2017" is 09:42:03 UTC; viewed 1 is True."""
    rsps.post(f"{API}/communications/set_as_viewed", json=EXAMPLES["set_as_viewed"])

    c = client.set_communication_as_viewed(Identifier.by_number("2781"))

    assert body(rsps.calls[0]) == {
        "token": TOKEN,
        "communication_identifier": {"number": "2781"},
    }
    assert c.viewed_on == datetime(2017, 5, 22, 9, 42, 3, tzinfo=UTC)
    assert (c.viewed, c.number, c.subject, c.life_cycle_state) == (
        True,
        "2781",
        "Access Details",
        "COMPLETED",
    )
    assert c.contact_information is not None
    assert c.contact_information.display_name == "Persia Xenopoulou"


@pytest.mark.parametrize(
    ("viewed_on", "sent"),
    [
        (datetime(2017, 5, 22, 12, 42, 3), "2017-05-22T12:42:03"),
        (datetime(2017, 5, 22, 9, 42, 3, tzinfo=UTC), "2017-05-22T09:42:03"),
        (date(2017, 5, 22), "2017-05-22"),
        ("2017-05-22T12:42:03", "2017-05-22T12:42:03"),
        ("Mon May 22 12:42:03 EEST 2017", "Mon May 22 12:42:03 EEST 2017"),
    ],
)
def test_set_as_viewed_sends_viewed_on(
    client: CrmcomClient, rsps: responses.RequestsMock, viewed_on: Any, sent: str
) -> None:
    """viewed_on accepts datetimes, dates and the documented string forms."""
    rsps.post(f"{API}/communications/set_as_viewed", json=ok({"id": "X", "viewed": 1}))

    client.set_communication_as_viewed(Identifier.by_id("X"), viewed_on=viewed_on)

    assert body(rsps.calls[0])["viewed_on"] == sent


def test_set_as_viewed_refuses_an_unreadable_date(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """A viewed_on that is no date form is refused before sending."""
    with pytest.raises(errors.ValidationError, match="viewed_on"):
        client.set_communication_as_viewed(Identifier.by_id("X"), viewed_on="yesterday")

    assert len(rsps.calls) == 0


def test_set_as_viewed_of_a_draft_is_a_conflict(
    client: CrmcomClient, rsps: responses.RequestsMock
) -> None:
    """Only completed communications can be set as viewed (server rule)."""
    rsps.post(
        f"{API}/communications/set_as_viewed",
        json=failure(
            "COM.CRM.EXCEPTION.COMMUNICATIONS.ONLYCOMPLETEDCOMMUNICATIONSCANBESETASVIEWEDEXCEPTION"
        ),
    )

    with pytest.raises(errors.ConflictError):
        client.set_communication_as_viewed(Identifier.by_id("X"))
