"""Administrate v2 paging: a keyset, not pages. Strictly private.

As ``docs/legacy/Behaviour/apiv2.md`` describes: ask for ``id__gt=0&_order=id&
_limit=100``, then again with ``id__gt=<last id of the previous batch>``, until a
batch comes back empty. v2 gives no page numbers and no total.

A batch must come back sorted by id and above the cursor; if it does not (the
server ignored ``_order=id``), continuing could skip records, so the pull stops
with a :class:`~crmclients.errors.ResponseShapeError` instead.

The same spec pages native tasks (:meth:`AdministrateClient.iter_tasks`) and the
shared records the adapter makes straight from the payloads: ``key`` reads a
batch item's task id either way.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from crmclients import errors
from crmclients._paging import KeysetPaging, Page
from crmclients.vendors.administrate.filters import Operator, TaskFilter

#: ``_limit`` per batch unless told otherwise (the docs' own example).
DEFAULT_PAGE_SIZE = 100

#: The task id of a native task (:class:`~.models.AdministrateTask`).
native_key: Callable[[Any], int] = operator.attrgetter("id")


def start_cursor(base: TaskFilter) -> tuple[int, TaskFilter]:
    """The first ``id__gt`` (the caller's own, else 0) and the filter without it."""
    given = base.condition("id", Operator.GT)
    if given is None:
        return 0, base
    return int(given.value), base.without("id", Operator.GT)


def check_batch(ids: Sequence[int], cursor: int, operation: str) -> None:
    """Refuse a batch whose task ids are not strictly ascending above ``cursor``."""
    if not ids or (
        ids[0] > cursor and all(map(operator.lt, ids, islice(ids, 1, None)))
    ):
        return  # the common case, checked in C
    previous = cursor
    for index, ident in enumerate(ids):
        if ident <= previous:
            raise errors.ResponseShapeError(
                f"keyset paging needs ids above {cursor} in ascending order "
                f"(_order=id), but item {index} has id {ident} after {previous}",
                path=f"$[{index}].id",
                snippet=repr(ident),
                vendor="administrate",
                operation=operation,
                hint="the server seems to ignore _order=id; records could be skipped",
            )
        previous = ident


def tasks_paging(
    list_batch: Callable[[TaskFilter], Sequence[Any]],
    base: TaskFilter,
    *,
    key: Callable[[Any], int] = native_key,
) -> KeysetPaging:
    """The keyset spec for pulling ``/crm/tasks`` with ``base`` conditions.

    Args:
        list_batch: ``list_batch(filter)``: one request, its tasks converted (native
            models, or shared records).
        base: Conditions to apply (no ``_order``/``_limit``; an ``id__gt`` is
            where the pull starts).
        key: The task id (an int) of one item of a batch.
    """
    start, rest = start_cursor(base)

    def fetch(after: Any, size: int | None) -> Page[Any]:
        cursor = start if after is None else int(after)
        batch_filter = (
            rest.where("id", Operator.GT, cursor)
            .order_by("id")
            .limit(size or DEFAULT_PAGE_SIZE)
        )
        items = list_batch(batch_filter)
        check_batch(list(map(key, items)), cursor, "tasks.list")
        return Page(items)

    return KeysetPaging(fetch=fetch, key=key)
