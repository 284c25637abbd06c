"""Opentaps paging. Strictly private.

* ``GET /activities/{numberOfActivities}/{startFrom}``: record offsets. The answer
  carries no total, so pages are read one after another, each starting where the
  records received so far end, until an empty page (a short page is not taken as
  the end: the server may cap the page size).
* ``GET /task``: one answer with every match; ``per_page`` caps it (the vendor's
  own script asks for 9999 to get everything).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from crmclients._paging import OffsetPaging, Page, SinglePage

#: Activities per request unless told otherwise.
DEFAULT_PAGE_SIZE = 100
#: ``per_page`` for task searches that should return every match (as the vendor's
#: own daily-report script does).
ALL_TASKS = 9999


def activities_paging(
    list_page: Callable[..., Sequence[Any]], include_raw: bool
) -> OffsetPaging:
    """The spec for pulling ``/activities/{n}/{startFrom}``.

    ``list_page(count, start_from, include_raw=...)`` reads one page as records with
    an ``id``: native models, or shared records made straight from the payloads.
    The overlap is checked on those ids, so a page is converted before its ids are
    read (a payload is only known to carry a string ``_id`` once it has been).
    """

    def fetch(offset: int, size: int | None) -> Page[Any]:
        items = list_page(size or DEFAULT_PAGE_SIZE, offset, include_raw=include_raw)
        return Page(items)

    # No total: each page overlaps the last by one record, to see drift.
    return OffsetPaging(fetch=fetch, anchor=attrgetter("id"))


def tasks_paging(
    search: Callable[..., Sequence[Any]],
    filters: dict[str, Any],
    include_raw: bool,
) -> SinglePage:
    """The spec for one ``GET /task`` search with ``filters``.

    ``search(per_page=..., include_raw=..., **filters)`` gives the tasks: native
    models, or shared records made straight from the payloads.
    """

    def fetch() -> Page[Any]:
        return Page(search(per_page=ALL_TASKS, include_raw=include_raw, **filters))

    return SinglePage(fetch=fetch)
