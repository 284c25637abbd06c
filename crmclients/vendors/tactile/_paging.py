"""Tactile paging: ``page`` from 1 and ``limit`` up to 100; ``num_pages`` and ``total``
come with every page, so pages 2..N can be fetched in parallel. Strictly private."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crmclients._paging import Page, PageNumberPaging
from crmclients.vendors.tactile.models import OpportunityList, TactileOpportunity

#: The largest page Tactile serves (and what pulls use unless told otherwise).
MAX_LIMIT = 100


def opportunities_paging(
    list_page: Callable[..., OpportunityList],
    filters: dict[str, Any],
    include_raw: bool,
) -> PageNumberPaging:
    """The spec for pulling ``/opportunities`` with ``filters``."""

    def fetch(page: int, size: int | None) -> Page[TactileOpportunity]:
        result = list_page(
            limit=size or MAX_LIMIT, page=page, include_raw=include_raw, **filters
        )
        return Page(
            result.opportunities,
            total_items=result.total,
            total_pages=result.num_pages,
            page_size=result.per_page,
        )

    return PageNumberPaging(fetch=fetch)
