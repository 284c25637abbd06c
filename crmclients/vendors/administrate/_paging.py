"""Administrate v2 paging: a keyset, not pages. Strictly private.

As ``docs/legacy/Behaviour/apiv2.md`` describes: ask for ``id__gt=0&_order=id&
_limit=100``, then again with ``id__gt=<last id of the previous batch>``, until a
batch comes back empty. v2 gives no page numbers and no total.

A batch must come back sorted by id and above the cursor; if it does not (the
server ignored ``_order=id``), continuing could skip records, so the pull stops
with a :class:`~crmclients.errors.ResponseShapeError` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from crmclients import errors
from crmclients._paging import KeysetPaging, Page
from crmclients.vendors.administrate.filters import Operator, TaskFilter
from crmclients.vendors.administrate.models import AdministrateTask

#: ``_limit`` per batch unless told otherwise (the docs' own example).
DEFAULT_PAGE_SIZE = 100


def start_cursor(base: TaskFilter) -> tuple[int, TaskFilter]:
    """The first ``id__gt`` (the caller's own, else 0) and the filter without it."""
    given = base.condition("id", Operator.GT)
    if given is None:
        return 0, base
    return int(given.value), base.without("id", Operator.GT)


def check_batch(items: Sequence[AdministrateTask], cursor: int, operation: str) -> None:
    """Refuse a batch that is not strictly ascending by id above ``cursor``."""
    previous = cursor
    for index, item in enumerate(items):
        if item.id <= previous:
            raise errors.ResponseShapeError(
                f"keyset paging needs ids above {cursor} in ascending order "
                f"(_order=id), but item {index} has id {item.id} after {previous}",
                path=f"$[{index}].id",
                snippet=repr(item.id),
                vendor="administrate",
                operation=operation,
                hint="the server seems to ignore _order=id; records could be skipped",
            )
        previous = item.id


def tasks_paging(
    list_batch: Callable[..., list[AdministrateTask]],
    base: TaskFilter,
    include_raw: bool,
) -> KeysetPaging:
    """The keyset spec for pulling ``/crm/tasks`` with ``base`` conditions.

    Args:
        list_batch: ``list_batch(filter, include_raw=...)``, one request.
        base: Conditions to apply (no ``_order``/``_limit``; an ``id__gt`` is
            where the pull starts).
        include_raw: Keep each payload in ``raw``.
    """
    start, rest = start_cursor(base)

    def fetch(after: Any, size: int | None) -> Page[AdministrateTask]:
        cursor = start if after is None else int(after)
        batch_filter = (
            rest.where("id", Operator.GT, cursor)
            .order_by("id")
            .limit(size or DEFAULT_PAGE_SIZE)
        )
        items = list_batch(batch_filter, include_raw=include_raw)
        check_batch(items, cursor, "tasks.list")
        return Page(items)

    return KeysetPaging(fetch=fetch, key=lambda task: task.id)
