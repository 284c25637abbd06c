"""Client-side validation, the same way for every vendor.

Each vendor's own suite checks each of its documented rules in detail
(``tests/vendors/<vendor>/test_*.py``: "..._rules_are_checked_before_sending").
Here, across vendors:

* a table of documented rules, at the native and the shared level: each broken
  rule is a ValidationError naming the field and the rule, and the emulator
  receives nothing;
* a property: whatever arguments a write gets (wrong types, empty, huge, naive
  or aware times, None...), the result is a model, a ValidationError with nothing
  sent, or the server's own refusal as a CRMError, never another exception.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crmclients
from crmclients import errors
from crmclients.models import ActivityStatus, Ref, RefKind
from crmclients.sandbox import Sandbox
from tests.reliability import _support
from tests.reliability.conftest import Figures

Call = Callable[[crmclients.Client], Any]
KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"


def _crmcom_id(value: str) -> Any:
    from crmclients.vendors.crmcom import Identifier

    return Identifier.by_id(value)


#: (vendor, what is wrong, the call, the field the error must name)
RULES: list[tuple[str, str, Call, str]] = [
    # administrate
    (
        "administrate",
        "id not a positive integer",
        lambda c: c.native.get_task("abc"),
        "id",
    ),
    (
        "administrate",
        "_limit below 1",
        lambda c: c.native.list_tasks(limit=0),
        "_limit",
    ),
    (
        "administrate",
        "an update that changes nothing",
        lambda c: c.native.update_task(1),
        "fields",
    ),
    (
        "administrate",
        "user_id not an integer",
        lambda c: c.native.create_task(
            status="Not Started", user_id="me", account_id=1, type_id=1
        ),
        "user_id",
    ),
    (
        "administrate",
        "shared: unknown field",
        lambda c: c.tasks.create(colour="red"),
        "colour",
    ),
    (
        "administrate",
        "shared: page_size 0",
        lambda c: c.tasks.list(page_size=0).first(1),
        "page_size",
    ),
    # crmcom
    (
        "crmcom",
        "EMAIL without to",
        lambda c: c.native.create_communication(
            contact_information_identifier=_crmcom_id(KATHY),
            subject="s",
            content="c",
            media="EMAIL",
            direction="OUTGOING",
        ),
        "to",
    ),
    (
        "crmcom",
        "unknown media",
        lambda c: c.native.create_communication(
            contact_information_identifier=_crmcom_id(KATHY),
            subject="s",
            content="c",
            media="PIGEON",
            direction="OUTGOING",
        ),
        "media",
    ),
    (
        "crmcom",
        "identifier with two fields",
        lambda c: c.native.show_communication({"id": "A", "number": "B"}),
        "communication_identifier",
    ),
    (
        "crmcom",
        "number_of_results 0",
        lambda c: c.native.list_communications(
            contact_information_identifier=_crmcom_id(KATHY), number_of_results=0
        ),
        "number_of_results",
    ),
    (
        "crmcom",
        "queue list needs a system or media",
        lambda c: c.native.list_queue(),
        "communication_queue_external_system_identifier",
    ),
    (
        "crmcom",
        "shared: create without a contact",
        lambda c: c.communications.create(subject="s", body="b"),
        "related",
    ),
    # ivvy
    ("ivvy", "perPage 0", lambda c: c.native.get_activity_list(per_page=0), "per_page"),
    ("ivvy", "start below 0", lambda c: c.native.get_task_list(start=-1), "start"),
    (
        "ivvy",
        "unknown filter field",
        lambda c: c.native.get_activity_list(filter={"colour": "red"}),
        "filter.colour",
    ),
    (
        "ivvy",
        "unknown task status",
        lambda c: c.native.add_or_update_task(
            name="n", end_datetime=datetime(2025, 1, 1, tzinfo=UTC), status=9
        ),
        "status",
    ),
    (
        "ivvy",
        "venue_id not an id",
        lambda c: c.native.get_activity_list(venue_id="hall"),
        "venue_id",
    ),
    (
        "ivvy",
        "shared: unknown field",
        lambda c: c.activities.create(colour="red"),
        "colour",
    ),
    # opentaps
    (
        "opentaps",
        "numberOfActivities 0",
        lambda c: c.native.list_activities(0),
        "number_of_activities",
    ),
    (
        "opentaps",
        "unknown status",
        lambda c: c.native.save_activity({"noteText": "n", "status": "SLEEPING"}),
        "status",
    ),
    ("opentaps", "per_page 0", lambda c: c.native.search_tasks(per_page=0), "per_page"),
    (
        "opentaps",
        "shared: task without a body",
        lambda c: c.tasks.create(due_at=datetime(2025, 1, 1, tzinfo=UTC)),
        "body",
    ),
    (
        "opentaps",
        "shared: status it has no word for",
        lambda c: c.tasks.create(body="b", status=ActivityStatus.ON_HOLD),
        "status",
    ),
    # tactile
    (
        "tactile",
        "probability not a multiple of 5",
        lambda c: c.native.update_opportunity(1001, probability=42),
        "probability",
    ),
    (
        "tactile",
        "enddate not a date",
        lambda c: c.native.create_opportunity(name="n", enddate="tomorrow-ish"),
        "enddate",
    ),
    (
        "tactile",
        "limit above 100",
        lambda c: c.native.list_opportunities(limit=101),
        "limit",
    ),
    (
        "tactile",
        "cost not a number",
        lambda c: c.native.update_opportunity(1001, cost="lots"),
        "cost",
    ),
    (
        "tactile",
        "unknown save field",
        lambda c: c.native.update_opportunity(1001, colour="red"),
        "colour",
    ),
    (
        "tactile",
        "shared: notes without an opportunity",
        lambda c: c.notes.list().first(1),
        "related_to",
    ),
]


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, Sandbox]]:
    """One sandbox per vendor."""
    started = {v: _support.sandbox(v, 20).start() for v in _support.VENDORS}
    try:
        yield started
    finally:
        for sb in started.values():
            sb.stop()


@pytest.mark.parametrize(
    ("vendor", "what", "call", "field"), RULES, ids=[f"{r[0]}:{r[1]}" for r in RULES]
)
def test_a_broken_rule_is_a_validation_error_naming_field_and_rule(
    vendor: str,
    what: str,
    call: Call,
    field: str,
    sandboxes: dict[str, Sandbox],
) -> None:
    """Raised before sending: the error names the field and the rule."""
    sb = sandboxes[vendor]
    with crmclients.connect(vendor, **sb.settings) as client:
        _support.warm_up(client)
        before = len(sb.emulator.received)
        with pytest.raises(errors.ValidationError) as info:
            call(client)
        sent = len(sb.emulator.received) - before

    error = info.value
    assert sent == 0, "nothing may be sent"
    assert error.field == field
    assert error.rule and error.rule in str(error)
    assert field in str(error) and vendor in str(error)
    assert "nothing was sent" in str(error)


def test_the_rule_table_covers_every_vendor() -> None:
    """At least five rules per vendor, at both levels where it has writes."""
    counts = Counter(vendor for vendor, *_ in RULES)

    assert set(counts) == set(_support.VENDORS)
    assert min(counts.values()) >= 5
    assert {v for v, what, *_ in RULES if what.startswith("shared:")} == set(
        _support.VENDORS
    )


# -- any argument ------------------------------------------------------------------

ARGUMENT = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.just(""),
    st.just("   "),
    st.just("x" * 100_000),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from([Ref(RefKind.CONTACT, "1"), ActivityStatus.COMPLETED, object()]),
)

#: (vendor, name, call taking keyword arguments, parameter -> a valid value).
#: Each parameter gets its valid value, nothing, or anything at all, so most
#: examples break one or two rules and some reach the server.
_DUE = datetime(2025, 2, 14, 16, 0, tzinfo=UTC)
_LOCAL = datetime(2025, 2, 14, 16, 0)  # Administrate's times are naive (local)
WRITES: list[tuple[str, str, Callable[..., Any], dict[str, Any]]] = [
    (
        "administrate",
        "create_task",
        lambda c, **k: c.native.create_task(**k),
        {
            "status": "Not Started",
            "user_id": 1,
            "account_id": 1,
            "type_id": 1,
            "subject": "s",
            "start_datetime": _LOCAL,
        },
    ),
    (
        "administrate",
        "update_task",
        lambda c, **k: c.native.update_task(k.pop("id", 6), **k),
        {
            "id": 6,  # the first task of the seed-8 sandbox
            "status": "Completed",
            "subject": "s",
            "end_datetime": _LOCAL,
            "show_on_calendar": True,
        },
    ),
    (
        "crmcom",
        "create_communication",
        lambda c, **k: c.native.create_communication(
            contact_information_identifier=_crmcom_id(KATHY), **k
        ),
        {
            "media": "EMAIL",
            "direction": "OUTGOING",
            "subject": "s",
            "content": "c",
            "to": "k@example.com",
            "life_cycle_state": "DRAFT",
        },
    ),
    (
        "ivvy",
        "add_or_update_activity",
        lambda c, **k: c.native.add_or_update_activity(**k),
        {
            "name": "n",
            "description": "d",
            "sub_type": 1,
            "start_datetime": _DUE,
            "venue_id": 2,
        },
    ),
    (
        "ivvy",
        "add_or_update_task",
        lambda c, **k: c.native.add_or_update_task(**k),
        {
            "id": 5001,
            "name": "n",
            "end_datetime": _DUE,
            "status": 1,
            "priority": "high",
        },
    ),
    (
        "opentaps",
        "save_activity",
        lambda c, **k: c.native.save_activity(k),
        {
            "noteText": "n",
            "status": "STARTED",
            "activityTypeId": "CALL",
            "scheduledDateTime": _DUE,
        },
    ),
    (
        "tactile",
        "create_opportunity",
        lambda c, **k: c.native.create_opportunity(**k),
        {
            "name": "n",
            "enddate": date(2025, 1, 31),
            "probability": 20,
            "cost": 100,
            "status_id": 1,
        },
    ),
    (
        "tactile",
        "opportunities.create",
        lambda c, **k: c.opportunities.create(**k),
        {
            "name": "n",
            "close_date": date(2025, 1, 31),
            "value": Decimal("12.5"),
            "probability": 20,
            "description": "d",
        },
    ),
    (
        "ivvy",
        "tasks.create",
        lambda c, **k: c.tasks.create(**k),
        {
            "subject": "s",
            "due_at": _DUE,
            "status": ActivityStatus.IN_PROGRESS,
            "related": (Ref(RefKind.LEAD, "2605"), Ref(RefKind.VENUE, "3")),
        },
    ),
    (
        "opentaps",
        "tasks.create",
        lambda c, **k: c.tasks.create(**k),
        {"body": "b", "due_at": _DUE, "status": ActivityStatus.NOT_STARTED},
    ),
]

_UNSET = object()


def _mostly(valid: Any) -> st.SearchStrategy[Any]:
    """The valid value 6 times in 10, left out 1 in 10, anything 3 in 10."""
    return st.integers(0, 9).flatmap(
        lambda i: st.just(valid) if i < 6 else st.just(_UNSET) if i < 7 else ARGUMENT
    )


@pytest.mark.parametrize(
    ("vendor", "name", "call", "valid"), WRITES, ids=[f"{w[0]}:{w[1]}" for w in WRITES]
)
def test_any_argument_gives_a_model_a_validation_error_or_a_refusal(
    vendor: str,
    name: str,
    call: Callable[..., Any],
    valid: dict[str, Any],
    sandboxes: dict[str, Sandbox],
    figures: Figures,
) -> None:
    """Wrong types, empty or huge values, any time: never an unexpected exception;
    a ValidationError names one of the arguments and nothing was sent."""
    sb = sandboxes[vendor]
    outcomes: Counter[str] = Counter()
    with crmclients.connect(vendor, **sb.settings) as client:
        _support.warm_up(client)

        @settings(
            max_examples=_support.EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(values=st.fixed_dictionaries({p: _mostly(v) for p, v in valid.items()}))
        def check(values: dict[str, Any]) -> None:
            kwargs = {k: v for k, v in values.items() if v is not _UNSET}
            before = len(sb.emulator.received)
            raised: BaseException | None = None
            try:
                call(client, **kwargs)
            except (errors.CRMError, TypeError) as exc:
                raised = exc
            sent = len(sb.emulator.received) - before
            if raised is None:
                outcomes["accepted"] += 1
            elif isinstance(raised, errors.ValidationError):
                outcomes["ValidationError"] += 1
                assert sent == 0, "nothing may be sent"
                assert raised.field and raised.rule
            elif isinstance(raised, TypeError):
                # A missing required keyword argument is Python's own check.
                assert "required" in str(raised) and "argument" in str(raised), raised
                outcomes["missing argument"] += 1
            else:
                outcomes[f"server: {type(raised).__name__}"] += 1

        check()
    figures.add(
        "arguments",
        vendor=vendor,
        call=name,
        examples=sum(outcomes.values()),
        **{k.replace(" ", "_").replace(":", ""): v for k, v in outcomes.items()},
    )

    assert sum(outcomes.values()) >= _support.EXAMPLES
    assert outcomes["ValidationError"] > 0


@pytest.mark.parametrize(
    ("vendor", "name", "call", "valid"), WRITES, ids=[f"{w[0]}:{w[1]}" for w in WRITES]
)
def test_the_valid_arguments_are_accepted(
    vendor: str,
    name: str,
    call: Callable[..., Any],
    valid: dict[str, Any],
    sandboxes: dict[str, Sandbox],
) -> None:
    """The control for the property: the valid values alone are sent and accepted."""
    with crmclients.connect(vendor, **sandboxes[vendor].settings) as client:
        result = call(client, **dict(valid))

    assert result is not None
