"""The public API used as a user would; type-checked by mypy in CI, never run."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import crmclients
from crmclients import errors
from crmclients.models import Opportunity, Ref, RefKind, Task


def pull_opportunities() -> list[Opportunity]:
    with crmclients.connect("tactile", account="acme", api_token="t") as client:
        pager: crmclients.Pager[Opportunity] = client.opportunities.list(
            created_after=datetime(2024, 1, 1, tzinfo=UTC),
            workers="auto",
            include_raw=False,
        )
        total: int | None = pager.total
        first: list[Opportunity] = pager.first(10)
        assert total is None or total >= len(first)
        return pager.to_list()


def write_one(client: crmclients.Client) -> str | None:
    try:
        created = client.opportunities.create(
            name="x", close_date="2025-01-01", value=Decimal("1")
        )
    except errors.ValidationError as exc:
        field: str = exc.field
        rule: str = exc.rule
        raise RuntimeError(field + rule) from exc
    except errors.AmbiguousWriteError:
        return None
    updated: Opportunity = client.opportunities.update(created.id or "", probability=50)
    return updated.id


def tasks(client: crmclients.Client) -> list[Task]:
    ref = Ref(RefKind.CONTACT, "42", role="owner")
    if client.capabilities.supports("tasks", "link"):
        client.tasks.link("1", ref)
    mode: str = client.capabilities.mode("tasks", "transition")
    assert mode in ("native", "emulated", "unsupported")
    return client.tasks.list(assigned_to="42").to_list()


policy = crmclients.RetryPolicy(attempts=3, deadline=10)
names: list[str] = crmclients.vendor_names()
