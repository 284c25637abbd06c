"""iVvy paging: ``perPage`` and ``start`` (a zero-based *record offset*, not a page
number) in the JSON body; ``meta.totalResults`` comes with every page, so pages
after the first can be fetched in parallel.

iVvy caps ``perPage`` without documenting the cap ("will not have any effect"), so
nothing here trusts the size asked for: the engine advances by the records
received, and each page reports ``meta.perPage`` as the size the server used.
Strictly private.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from crmclients._paging import OffsetPaging, Page
from crmclients.vendors.ivvy.models import ActivityList, TaskList

#: The page size asked for unless told otherwise (what the vendor samples show).
DEFAULT_PER_PAGE = 100


def list_paging(
    list_page: Callable[..., ActivityList | TaskList],
    *,
    venue_id: int | None,
    filter: Mapping[str, Any] | None,
    include_raw: bool,
) -> OffsetPaging:
    """The spec that pulls one iVvy list action page by page.

    Args:
        list_page: The native list method (``get_activity_list``...).
        venue_id: The documented ``venueId`` parameter, or None.
        filter: The ``filter`` object (already checked), or None.
        include_raw: Keep each payload in ``raw``.
    """

    def fetch(offset: int, size: int | None) -> Page[Any]:
        result = list_page(
            venue_id=venue_id,
            filter=filter,
            per_page=size or DEFAULT_PER_PAGE,
            start=offset,
            include_raw=include_raw,
        )
        return Page(
            result.results,
            total_items=result.meta.total_results,
            page_size=result.meta.per_page,
        )

    # Each page overlaps the last by one record: drift is seen even when the
    # total stays the same (a deletion and an insertion cancelling out).
    return OffsetPaging(fetch=fetch, anchor=attrgetter("id"))
