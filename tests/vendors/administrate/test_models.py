"""The seed's example responses parse into the native models, field by field."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
import responses

from crmclients import errors
from crmclients.vendors.administrate import (
    AdministrateAccount,
    AdministrateClient,
    AdministrateContact,
    AdministrateEvent,
    AdministrateTask,
)
from crmclients.vendors.administrate._wire import structurer
from tests.vendors.administrate import seed_examples as seed
from tests.vendors.administrate.conftest import TASKS

WIRE = structurer()


def assert_same(model: Any, payload: Any, path: str = "$") -> None:
    """Every key of ``payload`` is an attribute of ``model`` holding the same value."""
    if isinstance(payload, dict):
        assert model is not None, path
        for key, value in payload.items():
            assert hasattr(model, key), f"{path}.{key} has no attribute"
            assert_same(getattr(model, key), value, f"{path}.{key}")
        assert model.raw == payload, f"{path}: raw is not the payload"
    elif isinstance(payload, list):
        assert len(model) == len(payload), path
        for index, (item, value) in enumerate(zip(model, payload, strict=True)):
            assert_same(item, value, f"{path}[{index}]")
    elif isinstance(model, datetime):
        assert model == datetime.fromisoformat(payload), path
        assert model.tzinfo is None, f"{path}: naive on the wire, naive here"
    elif isinstance(model, date):
        assert model == date.fromisoformat(payload), path
    else:
        assert model == payload, f"{path}: {model!r} != {payload!r}"


def check_account(account: AdministrateAccount | None) -> None:
    """The documented account, company, settings and currency of every example."""
    assert account is not None
    assert (account.id, account.name) == (1, "Acme Corporation")
    assert account.created == datetime(2016, 11, 8, 11, 4, 41)
    assert account.default_approver == 0
    assert account.industries == ()
    assert (account.is_customer, account.is_supplier, account.is_partner) == (
        False,
        False,
        False,
    )
    assert (account.is_employee, account.is_individual, account.is_deleted) == (
        False,
        False,
        False,
    )
    assert account.email is None and account.address_country is None
    company = account.company
    assert company is not None
    assert (company.id, company.code, company.name) == (1, "ACM", "Acme Corporation")
    assert (company.currency_code, company.account_id) == ("GBP", None)
    assert company.registration_numbers is None and company.bank_details is None
    assert company.settings is not None
    settings = company.settings
    assert (settings.time_format, settings.date_format, settings.locale) == (
        "H:i",
        "Y-m-d",
        "en_GB",
    )
    assert settings.week_starts is None and settings.non_working_days is None
    assert company.currency is not None
    currency = company.currency
    assert (currency.code, currency.name, currency.symbol) == (
        "GBP",
        "British Pound Sterling",
        "\u00a3",
    )
    assert (currency.html_code, currency.is_base) == (None, True)


def check_user_and_type(task: AdministrateTask) -> None:
    """The documented user (with roles) and task type of every example."""
    user = task.user
    assert user is not None
    assert (user.id, user.first_name, user.last_name, user.name) == (
        1,
        "John",
        "Smith",
        "John Smith",
    )
    assert (user.email, user.company_id, user.contact_id) == (
        "john@example.com",
        1,
        None,
    )
    assert (user.locale, user.signature, user.initials) == (None, None, None)
    [role] = user.roles
    assert (
        role.id,
        role.name,
        role.system_name,
        role.description,
        role.company_id,
    ) == (
        1,
        None,
        None,
        None,
        None,
    )
    assert task.type is not None
    assert (task.type.id, task.type.name) == (1, "My task type")


@pytest.mark.parametrize(
    ("example", "task_id", "created"),
    [
        (seed.GET_TASK, 4, datetime(2013, 9, 17)),
        (seed.CREATE_TASK, 4, datetime(2013, 9, 17)),
        (seed.UPDATE_TASK, 6, datetime(2009, 1, 25, 14, 15, 16)),
        (seed.DELETE_TASK, 1, datetime(2013, 9, 17)),
    ],
    ids=["get", "create", "update", "delete"],
)
def test_single_task_examples_parse_field_by_field(
    example: str, task_id: int, created: datetime
) -> None:
    """GET, POST, PUT and DELETE examples: every documented field lands in the model."""
    payload = json.loads(example)

    task = WIRE.structure(payload, AdministrateTask)

    assert task.id == task_id
    assert task.status == "Completed"
    assert (task.user_id, task.type_id) == (1, 1)
    assert task.account_id is None  # single-task answers only embed the account
    assert task.account_ref == 1
    assert (task.event_id, task.contact_id, task.opportunity_id) == (None, None, None)
    assert (task.event, task.contact, task.opportunity) == (None, None, None)
    assert (task.subject, task.description) == (None, None)
    assert (task.start_datetime, task.end_datetime) == (None, None)
    assert task.created_on == created
    assert task.show_on_calendar is True
    check_account(task.account)
    check_user_and_type(task)
    assert_same(task, payload)


def test_list_example_parses_field_by_field() -> None:
    """The list example: a bare array whose items also carry account_id and opportunity."""
    payload = json.loads(seed.LIST_TASKS)

    tasks = WIRE.structure_many(payload, AdministrateTask)

    assert [t.id for t in tasks] == [2, 3]
    assert [t.status for t in tasks] == ["Completed", "Not Started"]
    assert [t.created_on for t in tasks] == [
        datetime(2013, 9, 17),
        datetime(2013, 7, 20),
    ]
    for task, item in zip(tasks, payload, strict=True):
        assert task.account_id == task.account_ref == 1
        assert task.opportunity is None
        check_account(task.account)
        check_user_and_type(task)
        assert_same(task, item)


def test_unknown_fields_are_kept_in_raw_at_every_level() -> None:
    """Undocumented keys are not lost: each object keeps its own payload."""
    payload = json.loads(seed.GET_TASK)
    payload["priority"] = "high"
    payload["account"]["company"]["currency"]["decimals"] = 2
    payload["user"]["roles"][0]["scope"] = "crm"

    task = WIRE.structure(payload, AdministrateTask)

    assert task.raw["priority"] == "high"
    assert task.account is not None and task.account.company is not None
    assert task.account.company.currency is not None
    assert task.account.company.currency.raw["decimals"] == 2
    assert task.user is not None and task.user.roles[0].raw["scope"] == "crm"


def test_embedded_contact_and_event_are_typed() -> None:
    """A task with a contact and an event: both parse into their models."""
    payload = json.loads(seed.GET_TASK)
    payload.update(
        contact_id=7,
        contact={
            "id": 7,
            "first_name": "Kathy",
            "last_name": "Clark",
            "email": "kathy@example.com",
            "account_id": 1,
            "created_on": "2017-02-21T14:45:23",
            "inactive": False,
            "marketing_lists": [],
        },
        event_id=3,
        event={
            "id": 3,
            "code": "EV3",
            "title": "Python course",
            "start_date": "2024-05-01",
            "start_tz": "2024-05-01T09:00:00+01:00",
            "delegates_max": 12,
            "is_cancelled": False,
            "course": {"id": 9, "title": "Python"},
        },
        start_datetime="2024-05-01 09:00:00",
        end_datetime="2024-05-01T10:30:00",
    )

    task = WIRE.structure(payload, AdministrateTask)

    assert task.contact == AdministrateContact(
        id=7,
        first_name="Kathy",
        last_name="Clark",
        email="kathy@example.com",
        account_id=1,
        created_on=datetime(2017, 2, 21, 14, 45, 23),
        inactive=False,
        marketing_lists=[],
    )
    assert task.contact.full_name == "Kathy Clark"
    assert task.event == AdministrateEvent(
        id=3,
        code="EV3",
        title="Python course",
        start_date="2024-05-01",
        start_tz="2024-05-01T09:00:00+01:00",
        delegates_max=12,
        is_cancelled=False,
    )
    assert task.event.raw["course"] == {"id": 9, "title": "Python"}
    assert task.start_datetime == datetime(2024, 5, 1, 9, 0)
    assert task.end_datetime == datetime(2024, 5, 1, 10, 30)


def test_null_roles_become_an_empty_tuple() -> None:
    """A user whose roles are null has no roles (not a shape error)."""
    payload = {"id": 1, "user": {"id": 1, "roles": None}}

    task = WIRE.structure(payload, AdministrateTask)

    assert task.user is not None and task.user.roles == ()


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda p: p.update(id="four"), "$.id"),
        (lambda p: p.update(created_on="17/09/2013"), "$.created_on"),
        (
            lambda p: p["account"]["company"]["currency"].update(is_base="maybe"),
            "$.account.company.currency.is_base",
        ),
        (lambda p: p["user"].update(roles=[{"id": "x"}]), "$.user.roles[0].id"),
        (lambda p: p["user"].update(roles="admin"), "$.user.roles"),
        (lambda p: p.update(account=[1]), "$.account"),
        (lambda p: p.update(show_on_calendar="sometimes"), "$.show_on_calendar"),
    ],
    ids=["id", "created_on", "currency", "role-id", "roles", "account", "flag"],
)
def test_malformed_fields_name_their_path(mutate: Any, path: str) -> None:
    """A bad value anywhere in the nesting is a ResponseShapeError naming its path."""
    payload = json.loads(seed.GET_TASK)
    mutate(payload)

    with pytest.raises(errors.ResponseShapeError) as info:
        WIRE.structure(payload, AdministrateTask)

    assert info.value.path == path


def test_include_raw_false_keeps_nothing(
    client: AdministrateClient, rsps: responses.RequestsMock
) -> None:
    """include_raw=False drops the payload of the task and of its nested objects."""
    rsps.get(TASKS, body=seed.LIST_TASKS, content_type="application/json")

    tasks = client.list_tasks(include_raw=False)

    assert all(len(t.raw) == 0 for t in tasks)
    assert all(t.account is not None and len(t.account.raw) == 0 for t in tasks)


@pytest.mark.parametrize(
    "value",
    [
        [],
        [{"id": 1, "name": "Admin"}, {"id": 2}],
        [{"id": "x"}],
        [{"id": 1}, 5],
        ["ab"],
        ("a", "b"),
        "ab",
        {"a": 1},
        7,
        None,
    ],
    ids=repr,
)
def test_roles_and_industries_read_as_cattrs_reads_them(value: Any) -> None:
    """The fast hooks for user.roles and account.industries accept and refuse what
    cattrs' own tuple hooks do (the detailed converter keeps those), with the same
    values."""
    import cattrs

    from crmclients._converter import SHAPE_ERRORS
    from crmclients.vendors.administrate.models import AdministrateRole

    def outcome(converter: cattrs.Converter, kind: Any) -> Any:
        try:
            return converter.get_structure_hook(kind)(value, kind)
        except SHAPE_ERRORS:
            return "refused"

    roles = tuple[AdministrateRole, ...]
    industries = tuple[Any, ...]
    fast, detailed = WIRE.converter(), WIRE.converter(detailed=True)

    assert outcome(detailed, roles) == outcome(fast, roles)
    assert outcome(cattrs.Converter(), industries) == outcome(fast, industries)
