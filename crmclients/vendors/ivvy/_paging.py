"""iVvy paging: ``perPage`` and ``start`` (a zero-based *record offset*, not a page
number) in the JSON body; ``meta.totalResults`` comes with every page, so pages
after the first can be fetched in parallel.

iVvy caps ``perPage`` without documenting the cap ("will not have any effect"), so
nothing here trusts the size asked for: the engine advances by the records
received, and each page reports ``meta.perPage`` as the size the server used.
Strictly private.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from crmclients._paging import OffsetPaging, Page
from crmclients.vendors.ivvy.models import ListMeta

#: The page size asked for unless told otherwise (what the vendor samples show).
DEFAULT_PER_PAGE = 100

#: ``fetch(venue_id=, filter=, per_page=, start=)`` -> (the page's meta, its records).
PageFetch = Callable[..., tuple[ListMeta, Sequence[Any]]]


def list_paging(
    fetch: PageFetch,
    *,
    venue_id: int | None,
    filter: Mapping[str, Any] | None,
) -> OffsetPaging:
    """The spec that pulls one iVvy list action page by page.

    Args:
        fetch: Reads one page of the list action (``get_activity_list``...):
            ``fetch(venue_id=..., filter=..., per_page=..., start=...)`` gives its
            ``meta`` and its records, each with an ``id``: native models, or
            shared records made straight from the payloads. Pages overlap by one
            record, checked on those ids, so a page is converted before its ids
            are read (a payload's ``id`` is only known to be an integer once it
            has been), exactly as when every page was read as native models.
        venue_id: The documented ``venueId`` parameter, or None.
        filter: The ``filter`` object (already checked), or None.
    """

    def page(offset: int, size: int | None) -> Page[Any]:
        meta, items = fetch(
            venue_id=venue_id,
            filter=filter,
            per_page=size or DEFAULT_PER_PAGE,
            start=offset,
        )
        return Page(items, total_items=meta.total_results, page_size=meta.per_page)

    # Each page overlaps the last by one record: drift is seen even when the
    # total stays the same (a deletion and an insertion cancelling out).
    return OffsetPaging(fetch=page, anchor=attrgetter("id"))
