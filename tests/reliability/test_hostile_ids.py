"""Hostile ids, on every vendor and every path that takes one (security review, class 5).

``str.isdigit()`` is True for ``'²'`` (and ``int('²')`` raises), ``int()`` reads
Arabic-Indic ``'١٢'`` and fullwidth digits as 12, strips ``' 12\\n'``, and a
5,000-digit string hits Python's int-conversion limit. The rule, in
``crmclients._rules``: integer ids (Tactile, iVvy, Administrate) are ASCII digits
``0-9``, 1 to 2**63 - 1, nothing stripped; string ids are exact tokens (Opentaps
a 24-hex ObjectId, CRM.COM printable ASCII without spaces). A broken rule is a
ValidationError naming the argument, raised before anything is sent.

Each path below is called over a ``responses`` mock with no stub at all: a
request would be a connection error, and ``calls`` must stay empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import unquote

import pytest
import responses

import crmclients
from crmclients import errors
from crmclients.models import ActivityStatus, Ref, RefKind
from crmclients.vendors.administrate.filters import Operator, TaskFilter
from crmclients.vendors.crmcom import Identifier
from tests.reliability import _support

OID = "5166b967e4b0f6e6cd09e653"  # an Opentaps ObjectId
KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"  # a CRM.COM id
FULLWIDTH_12 = "\uff11\uff12"
HUGE = "1" * 5000

#: Hostile to every vendor's id rule.
ALWAYS: list[Any] = ["²", "١٢", FULLWIDTH_12, HUGE, "12\n", " 12", "", "\x00"]
#: Not integer ids; opaque but well-formed CRM.COM ids.
NUMERIC_FORMS: list[Any] = ["-1", "0", "1e3", "0x10", "12abc"]
#: Not ids at all (a Ref turns them into the strings "True" and "1.5").
NOT_STRINGS: list[Any] = [True, 1.5]
#: Integers out of range (a Ref cannot even hold 10**5000: str() refuses it).
BAD_INTS: list[Any] = [0, -1, 2**63]
HUGE_INT = 10**5000

CONNECT: dict[str, dict[str, Any]] = {
    "administrate": {
        "subdomain": "acme",
        "username": "api.user@acme.test",
        "password": "pw-3d9f0b7c51e2",
        "task_type_id": 3,
        "rate_limit": None,
    },
    "crmcom": {"base_url": "https://crm.example.com", "token": "tok-3f9a1c7e5b2d"},
    "ivvy": {"api_key": "ivvy-key-7f3a91c2", "api_secret": "ivvy-secret-0d5e88b4"},
    "opentaps": {
        "auth_token": "perm-token-3f9a7c21d8e4",
        "client_domain": "acme.com",
        "token_exchange": False,
    },
    "tactile": {"api_token": "tok-8c1f2e9d77", "account": "acme"},
}


class IdPath(NamedTuple):
    """One way an id reaches a vendor, and the field its error must name."""

    vendor: str
    name: str
    call: Callable[[crmclients.Client, Any], Any]
    field: str
    #: The id travels in a Ref (which takes a string or an int, and refuses any
    #: other value itself, naming its own field ``id``).
    in_ref: bool = False
    #: A well-formed id appears in the request (not when the vendor cannot read
    #: by id and crmclients scans or filters client-side).
    carried: bool = True


def _first(pager: Any) -> Any:
    return pager.first(1)


PATHS: list[IdPath] = [
    # -- tactile: integer ids ------------------------------------------------------
    IdPath("tactile", "get", lambda c, v: c.opportunities.get(v), "id"),
    IdPath("tactile", "update", lambda c, v: c.opportunities.update(v, name="n"), "id"),
    IdPath(
        "tactile",
        "notes related_to",
        lambda c, v: _first(c.notes.list(related_to=Ref(RefKind.OPPORTUNITY, v))),
        "related_to",
        in_ref=True,
    ),
    IdPath(
        "tactile",
        "opportunities related_to (client-side)",
        lambda c, v: _first(c.opportunities.list(related_to=Ref(RefKind.COMPANY, v))),
        "related_to",
        in_ref=True,
        carried=False,
    ),
    IdPath(
        "tactile",
        "create person",
        lambda c, v: c.opportunities.create(
            name="n", close_date=date(2025, 1, 31), person=Ref(RefKind.CONTACT, v)
        ),
        "person",
        in_ref=True,
    ),
    IdPath(
        "tactile",
        "native get_opportunity",
        lambda c, v: c.native.get_opportunity(v),
        "id",
    ),
    IdPath(
        "tactile", "native get_timeline", lambda c, v: c.native.get_timeline(v), "id"
    ),
    IdPath("tactile", "native add_tag", lambda c, v: c.native.add_tag(v, "vip"), "id"),
    IdPath(
        "tactile",
        "native update_opportunity",
        lambda c, v: c.native.update_opportunity(v, name="n"),
        "id",
    ),
    IdPath(
        "tactile",
        "native organisation_id",
        lambda c, v: c.native.create_opportunity(
            name="n", enddate="2025-01-31", organisation_id=v
        ),
        "organisation_id",
    ),
    # -- ivvy: integer ids ---------------------------------------------------------
    IdPath("ivvy", "activities.get", lambda c, v: c.activities.get(v), "id"),
    IdPath("ivvy", "tasks.get", lambda c, v: c.tasks.get(v), "id"),
    IdPath(
        "ivvy",
        "activities.update",
        lambda c, v: c.activities.update(v, subject="s"),
        "id",
    ),
    IdPath("ivvy", "tasks.update", lambda c, v: c.tasks.update(v, subject="s"), "id"),
    IdPath(
        "ivvy",
        "related_to contact",
        lambda c, v: _first(c.activities.list(related_to=Ref(RefKind.CONTACT, v))),
        "related_to",
        in_ref=True,
    ),
    IdPath(
        "ivvy",
        "related_to venue",
        lambda c, v: _first(c.tasks.list(related_to=Ref(RefKind.VENUE, v))),
        "related_to",
        in_ref=True,
    ),
    IdPath(
        "ivvy",
        "assigned_to user",
        lambda c, v: _first(c.tasks.list(assigned_to=Ref(RefKind.USER, v))),
        "assigned_to",
        in_ref=True,
    ),
    IdPath(
        "ivvy",
        "create related",
        lambda c, v: c.activities.create(
            kind="call", subject="s", body="b", related=(Ref(RefKind.CONTACT, v),)
        ),
        "related",
        in_ref=True,
    ),
    IdPath(
        "ivvy",
        "native venue_id",
        lambda c, v: c.native.get_activity_list(venue_id=v),
        "venue_id",
    ),
    IdPath(
        "ivvy",
        "native filter id",
        lambda c, v: c.native.get_task_list(filter={"id": v}),
        "filter.id",
    ),
    IdPath(
        "ivvy",
        "native add_or_update_activity id",
        lambda c, v: c.native.add_or_update_activity(id=v, name="n"),
        "id",
    ),
    IdPath(
        "ivvy",
        "native add_or_update_task id",
        lambda c, v: c.native.add_or_update_task(id=v, name="n"),
        "id",
    ),
    IdPath(
        "ivvy",
        "native contact_id",
        lambda c, v: c.native.add_or_update_activity(
            name="n", description="d", sub_type=1, contact_id=v
        ),
        "contact_id",
    ),
    # -- administrate: integer ids -------------------------------------------------
    IdPath("administrate", "tasks.get", lambda c, v: c.tasks.get(v), "id"),
    IdPath("administrate", "activities.get", lambda c, v: c.activities.get(v), "id"),
    IdPath(
        "administrate",
        "tasks.update",
        lambda c, v: c.tasks.update(v, subject="s"),
        "id",
    ),
    IdPath("administrate", "tasks.delete", lambda c, v: c.tasks.delete(v), "id"),
    IdPath(
        "administrate",
        "related_to account",
        lambda c, v: _first(c.tasks.list(related_to=Ref(RefKind.ACCOUNT, v))),
        "related_to",
        in_ref=True,
    ),
    IdPath(
        "administrate",
        "assigned_to user",
        lambda c, v: _first(c.activities.list(assigned_to=Ref(RefKind.USER, v))),
        "assigned_to",
        in_ref=True,
    ),
    IdPath(
        "administrate",
        "assigned_to id",
        lambda c, v: _first(c.tasks.list(assigned_to=v)),
        "assigned_to",
    ),
    IdPath(
        "administrate",
        "create related",
        lambda c, v: c.tasks.create(
            subject="s",
            status=ActivityStatus.NOT_STARTED,
            assignee=Ref(RefKind.USER, "1"),
            related=(Ref(RefKind.ACCOUNT, v),),
        ),
        "related",
        in_ref=True,
    ),
    IdPath("administrate", "native get_task", lambda c, v: c.native.get_task(v), "id"),
    IdPath(
        "administrate",
        "native update_task",
        lambda c, v: c.native.update_task(v, subject="s"),
        "id",
    ),
    IdPath(
        "administrate", "native delete_task", lambda c, v: c.native.delete_task(v), "id"
    ),
    IdPath(
        "administrate",
        "native opportunity_id",
        lambda c, v: c.native.create_task(
            status="Not Started", user_id=1, account_id=1, type_id=1, opportunity_id=v
        ),
        "opportunity_id",
    ),
    IdPath(
        "administrate",
        "native filter user_id",
        lambda c, v: c.native.list_tasks(TaskFilter().where("user_id", Operator.EQ, v)),
        "user_id__eq",
    ),
    IdPath(
        "administrate",
        "native filter mapping",
        lambda c, v: c.native.list_tasks({"contact_id__in": [v]}),
        "contact_id__in",
    ),
    # -- opentaps: 24-hex ObjectIds ------------------------------------------------
    IdPath(
        "opentaps",
        "activities.get",
        lambda c, v: c.activities.get(v),
        "id",
        carried=False,
    ),
    IdPath("opentaps", "tasks.get", lambda c, v: c.tasks.get(v), "id", carried=False),
    IdPath(
        "opentaps",
        "activities.update",
        lambda c, v: c.activities.update(v, body="b"),
        "id",
    ),
    IdPath("opentaps", "tasks.delete", lambda c, v: c.tasks.delete(v), "id"),
    IdPath(
        "opentaps",
        "tasks.transition",
        lambda c, v: c.tasks.transition(v, ActivityStatus.COMPLETED, strict=False),
        "id",
        carried=False,
    ),
    IdPath(
        "opentaps",
        "link record",
        lambda c, v: c.activities.link(v, Ref(RefKind.CONTACT, OID, role="billing")),
        "id",
    ),
    IdPath(
        "opentaps",
        "link contact",
        lambda c, v: c.tasks.link(OID, Ref(RefKind.CONTACT, v, role="billing")),
        "ref",
        in_ref=True,
    ),
    IdPath(
        "opentaps",
        "unlink contact",
        lambda c, v: c.activities.unlink(OID, Ref(RefKind.CONTACT, v)),
        "ref",
        in_ref=True,
    ),
    IdPath(
        "opentaps",
        "assigned_to contact",
        lambda c, v: _first(c.tasks.list(assigned_to=Ref(RefKind.CONTACT, v))),
        "assigned_to",
        in_ref=True,
    ),
    IdPath(
        "opentaps",
        "related_to (client-side)",
        lambda c, v: _first(c.activities.list(related_to=Ref(RefKind.CONTACT, v))),
        "related_to",
        in_ref=True,
        carried=False,
    ),
    IdPath(
        "opentaps",
        "update assignee",
        lambda c, v: c.tasks.update(OID, assignee=Ref(RefKind.CONTACT, v)),
        "assignee",
        in_ref=True,
    ),
    IdPath(
        "opentaps",
        "native find_activity",
        lambda c, v: c.native.find_activity(v),
        "activity_id",
        carried=False,
    ),
    IdPath(
        "opentaps",
        "native update_activity",
        lambda c, v: c.native.update_activity(v, {"status": "STARTED"}),
        "activity_id",
    ),
    IdPath(
        "opentaps",
        "native delete_activity",
        lambda c, v: c.native.delete_activity(v),
        "activity_id",
    ),
    IdPath(
        "opentaps",
        "native add_contact",
        lambda c, v: c.native.add_contact(OID, v),
        "contact_id",
    ),
    IdPath(
        "opentaps",
        "native search_tasks",
        lambda c, v: c.native.search_tasks(assigned_to_contact_ids=[v]),
        "assigned_to_contact_ids",
    ),
    # -- crmcom: opaque string ids -------------------------------------------------
    IdPath("crmcom", "communications.get", lambda c, v: c.communications.get(v), "id"),
    IdPath("crmcom", "activities.get", lambda c, v: c.activities.get(v), "id"),
    IdPath(
        "crmcom",
        "communications.update",
        lambda c, v: c.communications.update(v, subject="s"),
        "id",
    ),
    IdPath("crmcom", "complete", lambda c, v: c.communications.complete(v), "id"),
    IdPath("crmcom", "mark_viewed", lambda c, v: c.communications.mark_viewed(v), "id"),
    IdPath(
        "crmcom",
        "related_to contact",
        lambda c, v: _first(c.communications.list(related_to=Ref(RefKind.CONTACT, v))),
        "related_to",
        in_ref=True,
    ),
    IdPath(
        "crmcom",
        "create related",
        lambda c, v: c.communications.create(
            subject="s",
            body="b",
            media="EMAIL",
            direction="OUTGOING",
            to="kathy@example.com",
            related=Ref(RefKind.CONTACT, v),
        ),
        "related",
        in_ref=True,
    ),
    IdPath(
        "crmcom",
        "native show by_id",
        lambda c, v: c.native.show_communication(Identifier.by_id(v)),
        "communication_identifier",
    ),
    IdPath(
        "crmcom",
        "native show mapping",
        lambda c, v: c.native.show_communication({"id": v}),
        "communication_identifier",
    ),
    IdPath(
        "crmcom",
        "native complete",
        lambda c, v: c.native.complete_communication(Identifier.by_id(v)),
        "communication_identifier",
    ),
    IdPath(
        "crmcom",
        "native list contact",
        lambda c, v: c.native.list_communications(
            contact_information_identifier=Identifier.by_id(v)
        ),
        "contact_information_identifier",
    ),
]


def hostile_ids(vendor: str, in_ref: bool) -> list[Any]:
    """The values ``vendor``'s id rule must refuse on a path of this kind."""
    ints = [*BAD_INTS] if in_ref else [*BAD_INTS, HUGE_INT]
    if vendor == "crmcom":
        # Opaque strings: numeric-looking ones are ids too; "True" (a Ref's) as well.
        return [*ALWAYS, f"{KATHY}\n", "CM 1"] + ([] if in_ref else NOT_STRINGS)
    hostile = [*ALWAYS, *NUMERIC_FORMS, *NOT_STRINGS, *ints]
    if vendor == "opentaps":
        hostile += ["12", 12, f"{OID}\n", f" {OID}", OID[:-1] + "g", OID + "0"]
        hostile += [OID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})]
    return hostile


def valid_ids(vendor: str, in_ref: bool) -> list[Any]:
    """Ids ``vendor``'s rule accepts on a path of this kind, and sends as given."""
    if vendor == "opentaps":
        return [OID, OID.upper()]
    if vendor == "crmcom":
        return [KATHY, "12", *NUMERIC_FORMS]
    return ["12", 12]


def _label(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 64:
        return f"int{value.bit_length()}bits"
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:12]}...len{len(text)}"


HOSTILE_CASES = [
    pytest.param(path, value, id=f"{path.vendor}:{path.name}:{_label(value)}")
    for path in PATHS
    for value in hostile_ids(path.vendor, path.in_ref)
]
VALID_CASES = [
    pytest.param(path, value, id=f"{path.vendor}:{path.name}:{_label(value)}")
    for path in PATHS
    for value in valid_ids(path.vendor, path.in_ref)
]


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A responses mock with no stub: any request fails (and is recorded)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _connect(vendor: str) -> crmclients.Client:
    return crmclients.connect(vendor, **CONNECT[vendor])


def _sent_text(mock: responses.RequestsMock) -> str:
    parts = []
    for call in mock.calls:
        body = call.request.body or b""
        parts.append(unquote(call.request.url or ""))
        parts.append(body.decode() if isinstance(body, bytes) else unquote(body))
    return "\n".join(parts)


@pytest.mark.parametrize(("path", "value"), HOSTILE_CASES)
def test_a_hostile_id_is_a_validation_error_naming_the_field_and_nothing_is_sent(
    path: IdPath, value: Any, rsps: responses.RequestsMock
) -> None:
    """Every id-taking path refuses a hostile id before any request, naming its field."""
    client = _connect(path.vendor)

    with pytest.raises(errors.ValidationError) as info:
        path.call(client, value)

    assert len(rsps.calls) == 0, "nothing may be sent"
    assert isinstance(info.value, errors.ValidationError)
    refused_by_ref = path.in_ref and not (
        isinstance(value, str) or (type(value) is int and value.bit_length() < 64)
    )
    assert ("id" if refused_by_ref else path.field) == info.value.field
    assert info.value.rule and (refused_by_ref or path.vendor in str(info.value))
    assert "nothing was sent" in str(info.value)


@pytest.mark.parametrize(("path", "value"), VALID_CASES)
def test_a_well_formed_id_passes_the_checks_and_is_sent_as_given(
    path: IdPath, value: Any, rsps: responses.RequestsMock
) -> None:
    """A well-formed id gets past every check: the request is sent (and fails here)."""
    client = _connect(path.vendor)

    with pytest.raises(errors.CRMError) as info:
        path.call(client, value)

    assert not isinstance(info.value, errors.ValidationError), info.value
    assert len(rsps.calls) >= 1
    if path.carried:
        assert str(value) in _sent_text(rsps)


def test_the_table_covers_every_vendor_and_every_kind_of_path() -> None:
    """Each vendor has shared by-id paths, Ref paths and native-method paths."""
    for vendor in _support.VENDORS:
        names = [p.name for p in PATHS if p.vendor == vendor]
        assert any(p.in_ref for p in PATHS if p.vendor == vendor), vendor
        assert any(n.startswith("native") for n in names), vendor
        assert any(n.endswith(".get") or n == "get" for n in names), vendor


# -- ids the server sends --------------------------------------------------------

#: Integer ids a server might send that are not plain ASCII integers.
SERVER_HOSTILE: list[Any] = [
    "²",
    "١٢",
    FULLWIDTH_12,
    HUGE,
    " 12",
    "12\n",
    "1e3",
    "-",
    True,
    1.5,
    1e300,
]
_TACTILE = "https://acme.tactilecrm.com"
_ADMINISTRATE = "https://acme.administrateapp.com/api/v2"
_IVVY = "https://api.ap-southeast-2.ivvy.com/api/1.0"


class ServerRead(NamedTuple):
    """A read whose answer carries an integer id, and where the error must point."""

    vendor: str
    name: str
    stub: Callable[[responses.RequestsMock, Any], None]
    call: Callable[[crmclients.Client], Any]
    path: str
    #: The id in what the call returns.
    id_of: Callable[[Any], Any] = lambda result: result.id


def _page(mock: responses.RequestsMock, id: Any) -> None:
    mock.get(
        f"{_TACTILE}/opportunities",
        json={
            "status": "success",
            "opportunities": [{"id": id, "name": "n"}],
            "cur_page": 1,
            "num_pages": 1,
            "per_page": 100,
            "total": 1,
        },
    )


SERVER_READS: list[ServerRead] = [
    ServerRead(
        "tactile",
        "native get_opportunity",
        lambda m, id: m.get(
            f"{_TACTILE}/opportunities/view/12",
            json={"status": "success", "opportunity": {"id": id, "name": "n"}},
        ),
        lambda c: c.native.get_opportunity(12),
        "$.opportunity.id",
    ),
    ServerRead(
        "tactile",
        "a pull (generated projection)",
        _page,
        lambda c: c.opportunities.list().first(1),
        "$.opportunities[0].id",
        lambda records: records[0].id,
    ),
    ServerRead(
        "tactile",
        "the id of a save",
        lambda m, id: m.post(
            f"{_TACTILE}/opportunities/save", json={"status": "success", "id": id}
        ),
        lambda c: c.native.update_opportunity(12, name="n"),
        "$.id",
        lambda saved: saved,
    ),
    ServerRead(
        "administrate",
        "native get_task",
        lambda m, id: m.get(f"{_ADMINISTRATE}/crm/tasks/12", json={"id": id}),
        lambda c: c.native.get_task(12),
        "$.id",
    ),
    ServerRead(
        "ivvy",
        "native get_activity_list",
        lambda m, id: m.post(
            f"{_IVVY}/crm?action=getActivityList",
            json={
                "meta": {"totalResults": 1, "start": 0, "perPage": 100, "count": 1},
                "results": [{"id": id, "name": "n"}],
            },
        ),
        lambda c: c.native.get_activity_list(),
        "$.results[0].id",
        lambda page: page.results[0].id,
    ),
]


@pytest.mark.parametrize(
    ("read", "value"),
    [
        pytest.param(read, value, id=f"{read.vendor}:{read.name}:{_label(value)}")
        for read in SERVER_READS
        for value in SERVER_HOSTILE
    ],
)
def test_a_hostile_id_from_the_server_is_a_response_shape_error_naming_the_path(
    read: ServerRead, value: Any, rsps: responses.RequestsMock
) -> None:
    """'١٢' or 5,000 digits in an answer is a ResponseShapeError, not 12 or a ValueError."""
    read.stub(rsps, value)
    client = _connect(read.vendor)

    with pytest.raises(errors.ResponseShapeError) as info:
        read.call(client)

    assert read.path == info.value.path
    assert read.vendor in str(info.value)


@pytest.mark.parametrize("read", SERVER_READS, ids=lambda r: f"{r.vendor}:{r.name}")
@pytest.mark.parametrize("value", ["12", 12])
def test_a_plain_integer_id_from_the_server_is_read(
    read: ServerRead, value: Any, rsps: responses.RequestsMock
) -> None:
    """ASCII digits or a JSON integer still read as the id 12."""
    read.stub(rsps, value)
    client = _connect(read.vendor)

    found = read.id_of(read.call(client))

    assert found in (12, "12")


@pytest.mark.parametrize(
    ("digits", "path"),
    [
        (30, "$.opportunity.id"),  # decoded as a float beyond 64 bits
        (300, "$.opportunity.id"),
        (5000, "$"),  # beyond a double: the answer is not JSON the decoder reads
    ],
)
def test_a_json_number_too_long_for_an_id_is_a_response_shape_error(
    digits: int, path: str, rsps: responses.RequestsMock
) -> None:
    """A JSON number of many digits in place of an id is refused as a shape, never 10**n."""
    rsps.get(
        f"{_TACTILE}/opportunities/view/12",
        body=b'{"status": "success", "opportunity": {"id": ' + b"9" * digits + b"}}",
        content_type="application/json",
    )
    client = _connect("tactile")

    with pytest.raises(errors.ResponseShapeError) as info:
        client.native.get_opportunity(12)

    assert path == info.value.path


# -- the command line --------------------------------------------------------------


@pytest.mark.parametrize("ident", ["١٢", FULLWIDTH_12, "²", HUGE, "0", "12abc"])
def test_a_hostile_id_in_a_cli_filter_is_a_usage_error_naming_the_filter(
    ident: str,
) -> None:
    """``--filter related_to=opportunity:١٢`` exits with the usage code, naming the filter."""
    from click.testing import CliRunner

    from crmclients.cli import EXIT_USAGE, cli

    result = CliRunner().invoke(
        cli,
        [
            "pull",
            "tactile",
            "notes",
            "--sandbox",
            "--records",
            "3",
            "--filter",
            f"related_to=opportunity:{ident}",
        ],
    )

    assert result.exit_code == EXIT_USAGE, result.output
    assert "related_to" in result.output
    assert "nothing was sent" in result.output


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        (RefKind.CONTACT, lambda: 10**5000, "id"),
        (RefKind.CONTACT, lambda: 2**64, "id"),
        (RefKind.CONTACT, lambda: True, "id"),
        (RefKind.CONTACT, lambda: 1.5, "id"),
        (RefKind.CONTACT, lambda: None, "id"),
        ("no-such-kind", lambda: "1", "kind"),
    ],
    ids=["5000 digits", "2**64", "bool", "float", "None", "unknown kind"],
)
def test_a_ref_of_a_hostile_id_or_kind_is_a_validation_error(
    kind: object, value: Callable[[], object], field: str
) -> None:
    """Ref(kind, id) takes a string or an int within 64 bits, and a known kind;
    anything else names the field (never a bare ValueError)."""
    with pytest.raises(errors.ValidationError) as info:
        Ref(kind, value())  # type: ignore[arg-type]

    assert field == info.value.field
