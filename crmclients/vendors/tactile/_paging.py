"""Tactile paging: ``page`` from 1 and ``limit`` up to 100; ``num_pages`` and ``total``
come with every page, so pages 2..N can be fetched in parallel. Strictly private."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from crmclients._paging import Page, PageNumberPaging
from crmclients.vendors.tactile._wire import PageMeta

#: The largest page Tactile serves (and what pulls use unless told otherwise).
MAX_LIMIT = 100

PageFetch = Callable[[int, int], tuple[PageMeta, Sequence[Any]]]


def opportunities_paging(fetch: PageFetch) -> PageNumberPaging:
    """The spec for pulling ``/opportunities``: ``fetch(page, limit)`` gives one page
    (its paging fields and its items, native models or payloads)."""

    def page(number: int, size: int | None) -> Page[Any]:
        meta, items = fetch(number, size or MAX_LIMIT)
        return Page(
            items,
            total_items=meta.total,
            total_pages=meta.num_pages,
            page_size=meta.per_page,
        )

    return PageNumberPaging(fetch=page)
