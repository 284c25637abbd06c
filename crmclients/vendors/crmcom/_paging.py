"""CRM.COM paging: ``number_of_results`` + ``offset`` from R13, one answer before.

No list answer says how many records there are, so an offset pull reads until an
empty page; before R13 a list call returns everything at once. Strictly private.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from crmclients._paging import OffsetPaging, Page, SinglePage

#: Records per request when the caller does not choose (the docs give no default
#: or maximum for number_of_results).
DEFAULT_PAGE_SIZE = 100


def list_paging(
    list_page: Callable[..., Sequence[Any]],
    filters: dict[str, Any],
    *,
    paged: bool,
    include_raw: bool,
) -> OffsetPaging | SinglePage:
    """The spec for pulling a list method with ``filters``.

    Args:
        list_page: The native list method (``list_communications``...).
        filters: Its filter arguments.
        paged: Whether the server release has number_of_results/offset (R13+).
        include_raw: Keep each payload in ``raw``.
    """
    if not paged:

        def fetch_all() -> Page[Any]:
            return Page(list_page(include_raw=include_raw, **filters))

        return SinglePage(fetch=fetch_all)

    def fetch(offset: int, size: int | None) -> Page[Any]:
        items = list_page(
            number_of_results=size or DEFAULT_PAGE_SIZE,
            offset=offset,
            include_raw=include_raw,
            **filters,
        )
        return Page(items, page_size=size or DEFAULT_PAGE_SIZE)

    # No total: each page overlaps the last by one record, to see drift.
    return OffsetPaging(fetch=fetch, anchor=attrgetter("id"))
