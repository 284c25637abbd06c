"""One paging engine, driven by per-vendor specs.

A vendor describes *how* it pages with a spec (page numbers, record offsets, a
keyset, or a single response) whose ``fetch`` returns a :class:`Page`. The engine
does the rest, the same way for every vendor:

* lazily: one page is fetched when the consumer needs it (constant memory);
* exactly once: items already seen on the previous pages are dropped (records that
  shift across a page boundary while a pull runs), and a vendor that ignores the
  paging parameters is detected instead of looping for ever;
* in parallel where the first page reports the total (``workers=N`` or ``"auto"``):
  the remaining pages go to a bounded thread pool and come back in order;
* never trusting the requested page size: offsets advance by what was received.

Strictly private; :class:`Pager` is public through ``crmclients``.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import math
import operator
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import attrs

from crmclients import errors

if TYPE_CHECKING:
    import pandas

T = TypeVar("T")
U = TypeVar("U")

Workers = int | Literal["auto"]
MAX_AUTO_WORKERS = 16


@attrs.frozen(slots=True)
class Page(Generic[T]):
    """One page of results as the vendor returned it.

    Attributes:
        items: The records on this page.
        total_items: Total records across all pages, when the vendor says.
        total_pages: Total pages at this page size, when the vendor says.
        page_size: The page size the server actually used, when it says.
    """

    items: Sequence[T]
    total_items: int | None = None
    total_pages: int | None = None
    page_size: int | None = None


@attrs.frozen
class PageNumberPaging:
    """Pages numbered from ``first`` (Tactile: ``page``/``limit``, ``num_pages``).

    ``fetch(number, page_size)`` returns that page.
    """

    fetch: Callable[[int, int | None], Page[Any]]
    first: int = 1


@attrs.frozen
class OffsetPaging:
    """Record offsets (iVvy ``start``/``perPage``, CRM.COM ``offset``, Opentaps).

    ``fetch(offset, page_size)`` returns the records from ``offset``. ``anchor(item)``
    gives an item's id; give it when the vendor reports no total, so that a pull
    can see records inserted or deleted ahead of it: each page is then read from
    one record earlier and must start with the last record read.
    """

    fetch: Callable[[int, int | None], Page[Any]]
    anchor: Callable[[Any], Any] | None = None


@attrs.frozen
class KeysetPaging:
    """Keyset paging (Administrate ``id__gt`` + ``_order=id``): stop on an empty page.

    ``fetch(after, page_size)`` returns records after key ``after`` (None: from the
    start); ``key(item)`` gives an item's key.
    """

    fetch: Callable[[Any, int | None], Page[Any]]
    key: Callable[[Any], Any]


@attrs.frozen
class SinglePage:
    """The vendor returns everything in one response."""

    fetch: Callable[[], Page[Any]]


PagingSpec = PageNumberPaging | OffsetPaging | KeysetPaging | SinglePage


@attrs.define
class PagerStats:
    """What a pull did: pages fetched, records yielded, duplicates dropped..."""

    pages: int = 0
    records: int = 0
    duplicates: int = 0
    filtered_out: int = 0
    workers: int = 1
    drift: int = 0


def _default_id(item: Any) -> Any:
    try:
        return item.id
    except AttributeError:
        return None


_ID = operator.attrgetter("id")


def _distinct_ids(records: Sequence[Any]) -> set[Any] | None:
    """The records' ids as a set, or None unless every record has a distinct id."""
    try:
        ids = set(map(_ID, records))
    except (AttributeError, TypeError):  # no id, or an unhashable one
        return None
    if len(ids) != len(records) or None in ids:
        return None
    return ids


class Pager(Generic[T]):
    """A lazy, re-iterable pull of records.

    Iterating fetches pages as they are needed; every record is yielded exactly once
    per pull. Iterating again starts a new pull.

    Attributes:
        client_side_filters: Unified filters this vendor cannot apply server-side,
            applied here to each record instead.
        stats: Counters for the last pull.
    """

    def __init__(
        self,
        spec: PagingSpec,
        *,
        convert: Callable[[Sequence[Any]], Sequence[T]] | None = None,
        page_size: int | None = None,
        workers: Workers = 1,
        id_of: Callable[[Any], Any] = _default_id,
        predicate: Callable[[T], bool] | None = None,
        client_side_filters: Iterable[str] = (),
        progress: bool = False,
        name: str = "",
        vendor: str = "",
        dedupe_window: int = 3,
    ) -> None:
        given: object = workers
        if given != "auto" and (
            not isinstance(given, int) or isinstance(given, bool) or given < 1
        ):
            raise errors.ValidationError(
                field="workers",
                rule="must be a positive integer or 'auto'",
                vendor=vendor,
            )
        self._spec = spec
        self._convert = convert
        self.page_size = page_size
        self.workers: Workers = workers
        self._id_of = id_of
        self._predicate = predicate
        self.client_side_filters: tuple[str, ...] = tuple(client_side_filters)
        self.progress = progress
        self.name = name
        self.vendor = vendor
        self._dedupe_window = max(1, dedupe_window)
        self._repeats = 0
        self._first: tuple[Page[Any], float, float] | None = None
        self._total: int | None = None
        self._total_known = False
        self.stats = PagerStats()

    # -- public API ------------------------------------------------------------------

    def __iter__(self) -> Iterator[T]:
        if not self.progress:
            # chain runs in C: no Python frame is resumed per record.
            return chain.from_iterable(self.pages())
        return self._iter_with_progress()

    def _iter_with_progress(self) -> Iterator[T]:
        pages = self.pages()
        bar = _progress_bar(self)
        try:
            for page in pages:
                bar.update(len(page))
                yield from page
        finally:
            bar.close()

    def pages(self) -> Iterator[list[T]]:
        """Iterate page by page (each a list of records, after dedupe and filters)."""
        self.stats = PagerStats()
        self._repeats = 0
        seen: deque[set[Any]] = deque(maxlen=self._dedupe_window)
        id_of, predicate, stats = self._id_of, self._predicate, self.stats
        for raw_page in self._raw_pages():
            stats.pages += 1
            records = self._convert(raw_page.items) if self._convert else raw_page.items
            ids = _distinct_ids(records) if id_of is _default_id else None
            fresh: list[T]
            if ids is not None and all(ids.isdisjoint(old) for old in seen):
                # The common case, checked in C: every id present, none repeated.
                if predicate is None:
                    fresh = records if isinstance(records, list) else list(records)
                else:
                    fresh = [record for record in records if predicate(record)]
                    stats.filtered_out += len(ids) - len(fresh)
            else:
                fresh, ids = self._dedupe(records, seen)
            seen.append(ids)
            stats.records += len(fresh)
            yield fresh

    def _dedupe(
        self, records: Sequence[T], seen: Iterable[set[Any]]
    ) -> tuple[list[T], set[Any]]:
        """Record by record: drop ids seen in this page or the window; filter."""
        id_of, predicate, stats = self._id_of, self._predicate, self.stats
        recent: set[Any] = set().union(*seen)
        ids: set[Any] = set()
        fresh: list[T] = []
        for record in records:
            key = id_of(record)
            if key is not None:
                if key in ids or key in recent:
                    stats.duplicates += 1
                    continue
                ids.add(key)
            if predicate is not None and not predicate(record):
                stats.filtered_out += 1
                continue
            fresh.append(record)
        return fresh, ids

    def first(self, n: int = 1) -> list[T]:
        """The first ``n`` records (fetches only the pages needed)."""
        out: list[T] = []
        if n <= 0:
            return out
        for record in self:
            out.append(record)
            if len(out) >= n:
                break
        return out

    def to_list(self) -> list[T]:
        """Every record, in a list."""
        return list(self)

    def to_dataframe(self, **options: Any) -> pandas.DataFrame:
        """Every record in a pandas DataFrame (refs flattened, dtypes kept).

        Needs the ``pandas`` extra: ``pip install 'crmclients[pandas]'``.
        """
        from crmclients._frames import records_to_dataframe

        return records_to_dataframe(self, **options)

    @property
    def total(self) -> int | None:
        """Total records the vendor reports (fetches the first page if needed).

        None when the vendor does not say. Client-side filters are not reflected.
        """
        if not self._total_known:
            self._first = self._timed_fetch_first()
            self._note_total(self._first[0])
        return self._total

    def map(self, fn: Callable[[T], U]) -> Pager[U]:
        """A pager yielding ``fn(record)`` for each record (a new, lazy pull)."""
        inner = self._convert

        def convert(items: Sequence[Any]) -> Sequence[U]:
            converted = inner(items) if inner else items
            return [fn(item) for item in converted]

        return Pager(
            self._spec,
            convert=convert,
            page_size=self.page_size,
            workers=self.workers,
            id_of=self._id_of,
            client_side_filters=self.client_side_filters,
            progress=self.progress,
            name=self.name,
            vendor=self.vendor,
            dedupe_window=self._dedupe_window,
        )

    def __repr__(self) -> str:
        parts = [self.name or self.vendor or "records"]
        if self.page_size:
            parts.append(f"page_size={self.page_size}")
        if self.workers != 1:
            parts.append(f"workers={self.workers}")
        if self.client_side_filters:
            parts.append(f"client_side_filters={list(self.client_side_filters)}")
        if self._total_known:
            parts.append(f"total={self._total}")
        return f"<Pager {' '.join(parts)}>"

    def _repr_html_(self) -> str:
        """A small summary table for notebooks (never fetches anything)."""
        import html

        rows = [("records", self.name or self.vendor or "")]
        if self.page_size:
            rows.append(("page size", str(self.page_size)))
        if self.workers != 1:
            rows.append(("workers", str(self.workers)))
        if self.client_side_filters:
            rows.append(("client-side filters", ", ".join(self.client_side_filters)))
        rows.append(
            ("total", str(self._total) if self._total_known else "not fetched yet")
        )
        if self.stats.pages:
            rows.append(
                ("last pull", f"{self.stats.records} records, {self.stats.pages} pages")
            )
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table><caption>Pager</caption>{body}</table>"

    # -- engine --------------------------------------------------------------------------

    def _note_total(self, page: Page[Any]) -> None:
        self._total_known = True
        self._total = page.total_items

    def _timed_fetch_first(self) -> tuple[Page[Any], float, float]:
        wall, cpu = time.perf_counter(), time.thread_time()
        page = self._fetch_first()
        return page, time.perf_counter() - wall, time.thread_time() - cpu

    def _fetch_first(self) -> Page[Any]:
        spec = self._spec
        if isinstance(spec, PageNumberPaging):
            return spec.fetch(spec.first, self.page_size)
        if isinstance(spec, OffsetPaging):
            return spec.fetch(0, self.page_size)
        if isinstance(spec, KeysetPaging):
            return spec.fetch(None, self.page_size)
        return spec.fetch()

    def _raw_pages(self) -> Iterator[Page[Any]]:
        if self._first is not None:
            first, wall, cpu = self._first
            self._first = None
        else:
            first, wall, cpu = self._timed_fetch_first()
        self._note_total(first)
        yield first
        spec = self._spec
        workers = self._resolve_workers(wall, cpu)
        self.stats.workers = workers
        if isinstance(spec, SinglePage):
            return
        if isinstance(spec, PageNumberPaging):
            yield from self._page_numbers(spec, first, workers)
        elif isinstance(spec, OffsetPaging):
            yield from self._offsets(spec, first, workers)
        else:
            yield from self._keyset(spec, first)

    def _resolve_workers(self, wall: float, cpu: float) -> int:
        if self.workers != "auto":
            return self.workers
        # The share of the first round trip spent waiting rather than computing
        # tells how many requests can usefully be in flight at once.
        return max(1, min(MAX_AUTO_WORKERS, math.ceil(wall / max(cpu, 1e-4))))

    # Drift: records inserted or deleted while a page/offset pull runs shift the
    # positions of the records after them. A page whose total differs from the
    # one before tells. Deletions make records slide back onto pages already read,
    # where they would be skipped: the pull steps back by that many records and
    # reads them again. Insertions push records forward, so some come again: the
    # dedupe (ids of the last pages) drops them. Either way a change larger than
    # the dedupe window can cover raises PaginationDriftError rather than return a
    # silently short or repeated pull. Parallel pulls compare every page with the
    # first one and finish sequentially from the first page that differs.

    def _drift(
        self, before: int | None, after: int | None, step: int, where: str
    ) -> int | None:
        """None when the total held; else how many records to step back (0: none)."""
        if before is None or after is None or before == after:
            return None
        self.stats.drift += 1
        limit = step * (self._dedupe_window - 1)
        change = after - before
        if -change > limit:
            raise errors.PaginationDriftError(
                f"{-change} records disappeared while the pull ran (at {where}); "
                "records after them moved onto pages already read",
                vendor=self.vendor,
                operation=self.name,
            )
        if change > limit:
            raise errors.PaginationDriftError(
                f"{change} records appeared while the pull ran (at {where}); records "
                "already read may come again beyond what the pull can check for repeats",
                vendor=self.vendor,
                operation=self.name,
            )
        return max(0, -change)

    def _page_numbers(
        self, spec: PageNumberPaging, first: Page[Any], workers: int
    ) -> Iterator[Page[Any]]:
        if not first.items:
            return
        size = self.page_size
        step = len(first.items)
        number, previous = spec.first, first
        if first.total_pages is not None and workers > 1:
            numbers = range(spec.first + 1, spec.first + first.total_pages)
            pages = self._parallel(lambda n: spec.fetch(n, size), numbers, workers)
            number = spec.first + first.total_pages - 1
            try:
                for slot, page in zip(numbers, pages, strict=False):
                    back = self._drift(
                        first.total_items, page.total_items, step, f"page {slot}"
                    )
                    if back is not None:
                        # read on sequentially from the first page that differs
                        number = self._restart_page(spec, slot, back, step)
                        previous = page
                        break
                    yield page
                    previous = page
            finally:
                pages.close()
        yield from self._page_numbers_from(spec, number, previous, step)

    def _page_numbers_from(
        self, spec: PageNumberPaging, number: int, previous: Page[Any], step: int
    ) -> Iterator[Page[Any]]:
        """Sequential page-number paging after page ``number`` (already read)."""
        size = self.page_size
        while True:
            total_pages = previous.total_pages
            if total_pages is not None and number - spec.first + 1 >= total_pages:
                return
            number += 1
            page = spec.fetch(number, size)
            back = self._drift(
                previous.total_items, page.total_items, step, f"page {number}"
            )
            if back:
                number = self._restart_page(spec, number, back, step)
                previous = page
                continue
            if not page.items:
                return
            if back is None:
                self._guard_progress(previous, page, f"page {number}")
            yield page
            previous = page

    @staticmethod
    def _restart_page(
        spec: PageNumberPaging, number: int, removed: int, step: int
    ) -> int:
        """The page after which to read again, ``removed`` records having gone before
        page ``number`` (0: re-read page ``number`` itself)."""
        first_unread = (number - spec.first) * step - removed  # in the new numbering
        return spec.first + max(0, first_unread) // step - 1

    def _offsets(
        self, spec: OffsetPaging, first: Page[Any], workers: int
    ) -> Iterator[Page[Any]]:
        size = self.page_size
        step = len(first.items)
        if step == 0:
            return
        total = first.total_items
        if spec.anchor is not None:
            yield from self._anchored(spec, first, spec.anchor, workers)
            return
        offset, previous = step, first
        if total is not None and workers > 1 and step < total:
            offsets = range(step, total, step)
            pages = self._parallel(lambda o: spec.fetch(o, size), offsets, workers)
            try:
                for slot, page in zip(offsets, pages, strict=False):
                    back = self._drift(total, page.total_items, step, f"offset {slot}")
                    if back is not None:
                        # read on sequentially from the first page that differs
                        offset, previous = max(0, slot - back), page
                        break
                    yield page
                    got = len(page.items)
                    expected = min(step, total - slot)
                    # A short page (the server capped it): read the rest of its
                    # slot sequentially so nothing is skipped.
                    while 0 < got < expected:
                        extra = spec.fetch(slot + got, size)
                        if not extra.items:
                            break
                        yield extra
                        got += len(extra.items)
                    offset, previous = slot + got, page
                    if not page.items:
                        break
            finally:
                pages.close()
        yield from self._offsets_from(spec, offset, previous, step)

    def _offsets_from(
        self, spec: OffsetPaging, offset: int, previous: Page[Any], step: int
    ) -> Iterator[Page[Any]]:
        """Sequential offset paging from ``offset``, following the latest total."""
        size = self.page_size
        total = previous.total_items
        while total is None or offset < total:
            page = spec.fetch(offset, size)
            back = self._drift(
                previous.total_items, page.total_items, step, f"offset {offset}"
            )
            if back:
                offset, previous, total = max(0, offset - back), page, page.total_items
                continue
            if not page.items:
                return
            if back is None:
                self._guard_progress(previous, page, f"offset {offset}")
            yield page
            offset += len(page.items)
            total = page.total_items if page.total_items is not None else total
            previous = page

    # Offsets without a total: every page is read from one record before where the
    # pull got to, and must start with the last record read (the anchor). If it
    # does not, records were inserted or deleted before the read position. A page
    # holding records read already means insertions pushed them forward: skip
    # ahead to the anchor (what comes before it was read already or arrived during
    # the pull). A page holding nothing read means deletions (of the anchor,
    # perhaps) pulled records back: go on after the latest record read that is
    # still listed, in the pages just behind, and never yield again the records
    # read after it should they turn up further on. Nothing found within the
    # dedupe window: PaginationDriftError, never a silently short or repeated pull.

    def _anchored(
        self,
        spec: OffsetPaging,
        first: Page[Any],
        key: Callable[[Any], Any],
        workers: int,
    ) -> Iterator[Page[Any]]:
        """Offset paging anchored on the last record read.

        With a total and workers, pages 2..N are fetched in parallel at offsets one
        record apart from a page's length, so that each starts with the last record
        of the one before; the first page that does not (or comes short) hands over
        to the sequential reading, which follows any drift from there.
        """
        step, window = len(first.items), self._dedupe_window
        order: dict[Any, int] = {}  # ids of the records read lately -> read order
        counter = itertools.count()
        keep = window * max(step, self.page_size or 0)

        def remember(items: Sequence[Any]) -> None:
            for item in items:
                k = key(item)
                order.pop(k, None)  # a record read again moves to the end
                order[k] = next(counter)
            while len(order) > keep:
                del order[next(iter(order))]

        remember(first.items)
        anchor, offset = key(first.items[-1]), len(first.items)
        total = first.total_items
        if workers > 1 and total is not None and 1 < step < total:
            slots = range(step - 1, total, step - 1)
            pages = self._parallel(
                lambda at: spec.fetch(at, self.page_size), slots, workers
            )
            try:
                for slot, page in zip(slots, pages, strict=False):
                    items = page.items
                    if slot != offset - 1 or not items or key(items[0]) != anchor:
                        break  # drift, or a short page: read on one page at a time
                    run = items[1:]
                    if run:
                        yield Page(run)
                        remember(run)
                        anchor, offset = key(run[-1]), offset + len(run)
                    total = page.total_items
                    if len(items) < step:
                        break
            finally:
                pages.close()
        if total is not None and offset >= total:
            return  # the last page read held the last record
        yield from self._anchored_from(
            spec, key, anchor, offset, order, remember, step, keep
        )

    def _anchored_from(
        self,
        spec: OffsetPaging,
        key: Callable[[Any], Any],
        anchor: Any,
        offset: int,
        order: Mapping[Any, int],
        remember: Callable[[Sequence[Any]], None],
        step: int,
        keep: int,
    ) -> Iterator[Page[Any]]:
        """Sequential anchored paging from just after ``anchor`` (at ``offset - 1``);
        ``order`` holds the ids of up to ``keep`` records read lately."""
        # One record more than the page size: each page overlaps the last by one.
        ask = self.page_size + 1 if self.page_size else None
        capped_at_one = step == 1 and self.page_size != 1
        stalled = 0
        # Ids read after the record a deletion made the pull go back to: gone, or
        # pushed further on by insertions; kept until seen, so they never come twice.
        pending: set[Any] = set()
        while True:
            run: Sequence[Any]  # the records listed after the anchor, in order
            page = spec.fetch(offset - 1, ask)
            ids = [key(item) for item in page.items]
            if ids and ids[0] == anchor:
                run = page.items[1:]
                if not run and capped_at_one:
                    # The first page came back with one record although more were
                    # asked for: the server may give one at a time. Look past it.
                    run = spec.fetch(offset, ask).items
                if not run:
                    return  # only the anchor: nothing after it
                # A page showing the last of the total needs no request after it.
                last = page.total_items is not None and (
                    offset + len(run) >= page.total_items
                )
            else:
                last = False
                self.stats.drift += 1
                anchor, offset, run, later = self._reanchor(
                    spec, key, offset - 1, page, ids, anchor, order, step
                )
                pending.update(later)
            # Records read already that insertions pushed past the anchor: not again.
            fresh = [item for item in run if key(item) not in order]
            if pending:
                fresh = [item for item in fresh if key(item) not in pending]
                pending.difference_update(key(item) for item in run)
            # Records passed without a new one: more than the pull remembers means
            # the same records keep coming back (the vendor ignores the offset).
            stalled = 0 if fresh else stalled + max(1, len(run))
            if stalled > 2 * keep:
                raise self._not_advancing(f"offset {offset} gave nothing new")
            if run:
                anchor, offset = key(run[-1]), offset + len(run)
                remember(run)
            if fresh:
                yield Page(fresh)
            if last:
                return

    def _reanchor(
        self,
        spec: OffsetPaging,
        key: Callable[[Any], Any],
        position: int,
        page: Page[Any],
        ids: list[Any],
        anchor: Any,
        order: Mapping[Any, int],
        step: int,
    ) -> tuple[Any, int, Sequence[Any], set[Any]]:
        """Find where to go on when ``page`` (read at ``position``) does not start
        with the anchor: (the latest record read that is still listed, the offset
        just after it, the records listed from there, the ids read after that
        record, which may yet come further on).

        Raises:
            PaginationDriftError: No record read lately is within the dedupe window
                of where it was (every one deleted, or too many inserted).
        """
        window = self._dedupe_window
        ahead = anchor in ids or any(i in order for i in ids)
        if not ahead:
            # Nothing read so far is here: records before it were deleted (or the
            # anchor itself). Go on after the latest record read still listed.
            start = position
            for _ in range(window):
                if start == 0:
                    break
                start = max(0, start - step)
                behind = spec.fetch(start, self.page_size)
                known = [
                    (order[k], at)
                    for at, k in enumerate(key(item) for item in behind.items)
                    if k in order
                ]
                if known:
                    read, at = max(known)
                    later = {k for k, n in order.items() if n > read}
                    latest = key(behind.items[at])
                    return latest, start + at + 1, behind.items[at + 1 :], later
        # Records read already are further on (records were inserted before them):
        # skip to the anchor; what comes before it was read already or arrived
        # during the pull.
        for _ in range(window + 1):
            if anchor in ids:
                at = ids.index(anchor)
                return anchor, position + at + 1, page.items[at + 1 :], set()
            if not ids:
                break
            position += len(ids)
            page = spec.fetch(position, self.page_size)
            ids = [key(item) for item in page.items]
        raise errors.PaginationDriftError(
            f"records {'appeared' if ahead else 'appeared or disappeared'} while the "
            "pull ran, more than it can follow: the last record read is not within "
            f"{window} pages of where it was",
            vendor=self.vendor,
            operation=self.name,
        )

    def _keyset(self, spec: KeysetPaging, first: Page[Any]) -> Iterator[Page[Any]]:
        page = first
        cursor: Any = None
        while page.items:
            next_cursor = spec.key(page.items[-1])
            if cursor is not None and next_cursor == cursor:
                raise errors.ResponseShapeError(
                    "keyset paging did not advance (the same last key twice)",
                    path="$",
                    snippet=repr(next_cursor),
                    vendor=self.vendor,
                    operation=self.name,
                )
            cursor = next_cursor
            page = spec.fetch(cursor, self.page_size)
            if page.items:
                yield page

    def _guard_progress(self, previous: Page[Any], page: Page[Any], where: str) -> None:
        """Refuse to loop when the vendor keeps returning the same page.

        One repeat can be records sliding forward (an insertion the vendor's total
        does not show); two in a row means the vendor ignores the paging.
        """
        if not page.items or len(page.items) != len(previous.items):
            self._repeats = 0
            return
        id_of = self._id_of
        ends = (id_of(page.items[0]), id_of(page.items[-1]))
        if None in ends or ends != (
            id_of(previous.items[0]),
            id_of(previous.items[-1]),
        ):
            self._repeats = 0
            return
        self._repeats += 1
        if self._repeats >= 2:
            raise self._not_advancing(f"{where} repeated the previous page")

    def _not_advancing(self, what: str) -> errors.ResponseShapeError:
        """The error for a vendor that keeps answering the same records."""
        return errors.ResponseShapeError(
            f"paging did not advance: {what}",
            path="$",
            vendor=self.vendor,
            operation=self.name,
            hint="the vendor seems to ignore the paging parameters",
        )

    def _parallel(
        self, fetch: Callable[[Any], Page[Any]], keys: Sequence[Any], workers: int
    ) -> Generator[Page[Any], None, None]:
        """Fetch ``keys`` with a bounded pool; yield pages in order."""
        if not keys:
            return
        ahead = workers * 2
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=min(workers, len(keys)), thread_name_prefix="crmclients-page"
        ) as pool:
            pending: deque[concurrent.futures.Future[Page[Any]]] = deque()
            upcoming = iter(keys)
            try:
                for key in upcoming:
                    pending.append(pool.submit(fetch, key))
                    if len(pending) >= ahead:
                        break
                while pending:
                    page = pending.popleft().result()
                    for key in upcoming:
                        pending.append(pool.submit(fetch, key))
                        break
                    yield page
            finally:
                for future in pending:
                    future.cancel()


def _progress_bar(pager: Pager[Any]) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise errors.ConfigurationError(
            "progress bars need tqdm",
            hint="pip install 'crmclients[cli]'",
        ) from exc
    return tqdm(
        total=pager.total, desc=pager.name or "records", unit="rec", leave=False
    )
