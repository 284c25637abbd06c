"""The same Client behaviour for every registered vendor, checked on its sandbox.

Capabilities are checked against behaviour: every supported operation works on the
sandbox, every unsupported one raises NotSupportedError before any request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import crmclients
from crmclients import errors
from crmclients._client import (
    COLLECTION_MODELS,
    COLLECTIONS,
    FILTERS,
    OPERATIONS,
    normalise_filters,
    predicate_for,
)
from crmclients.models import ActivityStatus, Ref, RefKind
from crmclients.sandbox import Sandbox
from tests.contract.samples import samples

VENDORS = crmclients.vendor_names()
GENERIC_FILTERS: dict[str, Any] = {
    "created_after": datetime(2000, 1, 1, tzinfo=UTC),
    "created_before": datetime(2100, 1, 1, tzinfo=UTC),
    "updated_after": datetime(2000, 1, 1, tzinfo=UTC),
    "updated_before": datetime(2100, 1, 1, tzinfo=UTC),
    "scheduled_after": datetime(2000, 1, 1, tzinfo=UTC),
    "scheduled_before": datetime(2100, 1, 1, tzinfo=UTC),
    "assigned_to": "1",
    "status": [ActivityStatus.NOT_STARTED, ActivityStatus.IN_PROGRESS],
    "related_to": Ref(RefKind.CONTACT, "1"),
}
DUMMY_ARGS: dict[str, tuple[Any, ...]] = {
    "list": (),
    "get": ("1",),
    "create": ({},),
    "update": ("1",),
    "delete": ("1",),
    "transition": ("1", ActivityStatus.IN_PROGRESS),
    "link": ("1", Ref(RefKind.CONTACT, "1")),
    "unlink": ("1", Ref(RefKind.CONTACT, "1")),
    "complete": ("1",),
    "mark_viewed": ("1",),
}


@pytest.fixture(scope="module", params=VENDORS)
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """One sandbox per vendor for the module (records are only added by the tests)."""
    with Sandbox(request.param, records=60, seed=3) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[crmclients.Client]:
    """A client of the sandbox's vendor."""
    with crmclients.connect(sandbox.vendor, **sandbox.settings) as c:
        yield c


def supported(client: crmclients.Client, operation: str) -> list[str]:
    return [c for c in COLLECTIONS if client.capabilities.supports(c, operation)]


def list_kwargs(vendor: str, collection: str) -> dict[str, Any]:
    return dict(samples(vendor).get(collection, {}).get("list", {}))


def test_capability_matrix_is_complete(client: crmclients.Client) -> None:
    """Every collection x (operation or filter) has a mode, and rows iterate."""
    rows = list(client.capabilities)

    assert len(rows) == len(COLLECTIONS) * (len(OPERATIONS) + len(FILTERS))
    assert {row.mode for row in rows} <= {"native", "emulated", "unsupported"}
    assert client.capabilities.collections()
    assert "|" in client.capabilities.to_markdown()
    assert crmclients.capabilities(client.vendor).mode(
        "notes", "list"
    ) == client.capabilities.mode("notes", "list")


def test_unsupported_operations_raise_before_any_request(
    client: crmclients.Client, sandbox: Sandbox
) -> None:
    """Each unsupported operation raises NotSupportedError and sends nothing."""
    before = len(sandbox.emulator.requests)
    checked = 0
    for collection in COLLECTIONS:
        for operation in OPERATIONS:
            if client.capabilities.supports(collection, operation):
                continue
            with pytest.raises(errors.NotSupportedError) as info:
                getattr(getattr(client, collection), operation)(*DUMMY_ARGS[operation])
            assert info.value.vendor == client.vendor
            assert f"{collection}.{operation}" in str(info.value)
            checked += 1

    assert checked > 0
    assert len(sandbox.emulator.requests) == before


def test_unsupported_filters_raise_before_any_request(
    client: crmclients.Client, sandbox: Sandbox
) -> None:
    """A filter the vendor cannot apply at all raises NotSupportedError at list()."""
    before = len(sandbox.emulator.requests)
    for collection in supported(client, "list"):
        for name in FILTERS:
            if client.capabilities.mode(collection, name) == "unsupported":
                with pytest.raises(errors.NotSupportedError, match=name):
                    getattr(client, collection).list(
                        **list_kwargs(client.vendor, collection),
                        **{name: GENERIC_FILTERS[name]},
                    )

    assert len(sandbox.emulator.requests) == before


def test_list_yields_typed_records_exactly_once(client: crmclients.Client) -> None:
    """Records are the collection's model, carry the vendor, and come once each."""
    for collection in supported(client, "list"):
        records = (
            getattr(client, collection)
            .list(**list_kwargs(client.vendor, collection))
            .to_list()
        )
        model = COLLECTION_MODELS[collection]

        assert records, f"{collection}: the sandbox should have records"
        assert all(isinstance(r, model) for r in records)
        assert {r.vendor for r in records} == {client.vendor}
        ids = [r.id for r in records]
        assert all(isinstance(i, str) and i for i in ids)
        assert len(ids) == len(set(ids))
        for record in records:
            for moment in (record.created_at, record.updated_at):
                assert moment is None or moment.utcoffset() is not None
            assert "raw" not in repr(record)


def test_first_and_pages_agree_with_to_list(client: crmclients.Client) -> None:
    """first(n), pages() and iteration give the same records in the same order."""
    for collection in supported(client, "list"):
        kwargs = list_kwargs(client.vendor, collection)
        everything = [r.id for r in getattr(client, collection).list(**kwargs)]
        paged = [
            r.id
            for page in getattr(client, collection).list(**kwargs).pages()
            for r in page
        ]

        assert [
            r.id for r in getattr(client, collection).list(**kwargs).first(3)
        ] == everything[:3]
        assert paged == everything


def test_include_raw_false_drops_payloads(client: crmclients.Client) -> None:
    """include_raw=False keeps records small: raw is empty."""
    for collection in supported(client, "list"):
        records = (
            getattr(client, collection)
            .list(include_raw=False, **list_kwargs(client.vendor, collection))
            .first(5)
        )

        assert records and all(len(r.raw) == 0 for r in records)
        assert all(
            len(r.raw) > 0
            for r in getattr(client, collection)
            .list(**list_kwargs(client.vendor, collection))
            .first(5)
        )


def test_parallel_pull_matches_sequential(client: crmclients.Client) -> None:
    """workers=4 returns the same records in the same order as workers=1."""
    for collection in supported(client, "list"):
        kwargs = list_kwargs(client.vendor, collection)
        sequential = [
            r.id for r in getattr(client, collection).list(page_size=7, **kwargs)
        ]
        parallel = [
            r.id
            for r in getattr(client, collection).list(page_size=7, workers=4, **kwargs)
        ]

        assert parallel == sequential


def test_every_supported_filter_is_applied(client: crmclients.Client) -> None:
    """Native filters go to the vendor; emulated ones are applied and reported."""
    for collection in supported(client, "list"):
        options = samples(client.vendor).get(collection, {})
        for name in FILTERS:
            mode = client.capabilities.mode(collection, name)
            if mode == "unsupported":
                continue
            value = options.get("filters", {}).get(name, GENERIC_FILTERS[name])
            kwargs = {**list_kwargs(client.vendor, collection), name: value}
            pager = getattr(client, collection).list(**kwargs)
            records = pager.to_list()

            assert (name in pager.client_side_filters) == (mode == "emulated"), (
                collection,
                name,
            )
            normal = normalise_filters({name: value}, vendor=client.vendor, tz=UTC)[
                name
            ]
            check = predicate_for(name, normal)
            assert all(check(r) for r in records), (collection, name)


def test_unknown_filter_is_a_validation_error(client: crmclients.Client) -> None:
    """A misspelt filter names itself and the valid ones."""
    for collection in supported(client, "list"):
        with pytest.raises(errors.ValidationError, match="created_afterr"):
            getattr(client, collection).list(
                created_afterr=datetime(2020, 1, 1, tzinfo=UTC)
            )


def test_get_returns_a_listed_record(client: crmclients.Client) -> None:
    """get(id) of a listed record returns that record."""
    for collection in supported(client, "get"):
        target = getattr(client, collection)
        first = target.list(**list_kwargs(client.vendor, collection)).first(1)[0]

        fetched = target.get(first.id)

        assert fetched.id == first.id
        assert type(fetched) is type(first)


def test_get_of_a_missing_id_is_not_found(client: crmclients.Client) -> None:
    """A missing record is NotFoundError, whatever the vendor's error shape."""
    for collection in supported(client, "get"):
        missing = samples(client.vendor).get(collection, {}).get("missing_id")
        assert missing is not None, (
            f"samples for {client.vendor} {collection} need a missing_id"
        )
        with pytest.raises(errors.NotFoundError):
            getattr(client, collection).get(missing)


def test_create_update_and_get_round_trip(client: crmclients.Client) -> None:
    """A created record can be fetched, and an update changes what it says."""
    for collection in supported(client, "create"):
        options = samples(client.vendor).get(collection, {})
        assert "create" in options, (
            f"samples for {client.vendor} {collection} need create fields"
        )
        target = getattr(client, collection)

        created = target.create(options["create"])

        assert created.id and created.vendor == client.vendor
        for name, value in options["create"].items():
            if not isinstance(value, Ref):
                assert getattr(created, name) == value, (collection, name)
        if client.capabilities.supports(collection, "update") and "update" in options:
            updated = target.update(created.id, **options["update"])
            name, value = next(iter(options["update"].items()))
            assert getattr(updated, name) == value
            if client.capabilities.supports(collection, "get"):
                assert getattr(target.get(created.id), name) == value


def test_create_refuses_unknown_fields_before_sending(
    client: crmclients.Client, sandbox: Sandbox
) -> None:
    """A field the vendor cannot write is a ValidationError naming it; nothing is sent."""
    before = len(sandbox.emulator.requests)
    for collection in supported(client, "create"):
        with pytest.raises(errors.ValidationError, match="no_such_field"):
            getattr(client, collection).create(no_such_field=1)

    assert len(sandbox.emulator.requests) == before


def test_delete_removes_the_record(client: crmclients.Client) -> None:
    """After delete, get says NotFound (or the record is no longer listed)."""
    for collection in supported(client, "delete"):
        options = samples(client.vendor).get(collection, {})
        target = getattr(client, collection)
        victim = (
            target.create(options["create"])
            if "create" in options
            else target.list().first(1)[0]
        )

        target.delete(victim.id)

        if client.capabilities.supports(collection, "get"):
            with pytest.raises(errors.NotFoundError):
                target.get(victim.id)
        else:
            assert victim.id not in {r.id for r in target.list()}


def test_client_repr_and_context_manager(sandbox: Sandbox) -> None:
    """The client closes cleanly and its repr never shows credentials."""
    with crmclients.connect(sandbox.vendor, **sandbox.settings) as client:
        text = repr(client) + repr(client.native) + repr(client.capabilities)
    secrets = [v for v in sandbox.credentials.values() if len(v) >= 4]

    assert all(secret not in text for secret in secrets)


LIFECYCLE = ("transition", "link", "unlink", "complete", "mark_viewed")


def test_lifecycle_operations_work_where_supported(client: crmclients.Client) -> None:
    """transition, link/unlink, complete and mark_viewed do what they say on a fresh record."""
    for collection in COLLECTIONS:
        operations = [
            op for op in LIFECYCLE if client.capabilities.supports(collection, op)
        ]
        if not operations:
            continue
        options = samples(client.vendor).get(collection, {})
        target = getattr(client, collection)
        record = target.create(options["create"])
        for operation in operations:
            arguments = options.get("link" if operation == "unlink" else operation, ())
            if operation in ("transition", "link", "unlink"):
                assert arguments, (
                    f"samples for {client.vendor} {collection} need {operation} arguments"
                )
            result = getattr(target, operation)(record.id, *arguments)

            assert result.id == record.id
            assert isinstance(result, COLLECTION_MODELS[collection])
            if operation == "link":
                assert any(r.id == arguments[0].id for r in result.related)
            if operation == "unlink":
                assert all(
                    r.id != arguments[0].id or r.role != arguments[0].role
                    for r in result.related
                )
            if operation == "transition":
                assert result.status == arguments[0]
