"""The paging engine: lazy, exactly once, parallel where totals are known."""

from __future__ import annotations

import threading
import time
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclients import errors
from crmclients._paging import (
    KeysetPaging,
    OffsetPaging,
    Page,
    PageNumberPaging,
    Pager,
    SinglePage,
)


@attrs.frozen
class Item:
    id: str


def items(start: int, stop: int) -> list[Item]:
    return [Item(str(i)) for i in range(start, stop)]


class PagedServer:
    """A fake vendor: ``total`` records, pages of ``cap`` whatever is asked."""

    def __init__(self, total: int, cap: int = 10, latency: float = 0.0) -> None:
        self.total = total
        self.cap = cap
        self.latency = latency
        self.calls: list[Any] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def _track(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.latency)
        with self.lock:
            self.in_flight -= 1

    def page(self, number: int, size: int | None) -> Page[Item]:
        self.calls.append(number)
        self._track()
        per = min(size or self.cap, self.cap)
        start = (number - 1) * per
        return Page(
            items(start, min(start + per, self.total)),
            total_items=self.total,
            total_pages=-(-self.total // per),
        )

    def offset(self, offset: int, size: int | None) -> Page[Item]:
        self.calls.append(offset)
        self._track()
        per = min(size or self.cap, self.cap)
        return Page(
            items(offset, min(offset + per, self.total)), total_items=self.total
        )

    def keyset(self, after: Any, size: int | None) -> Page[Item]:
        self.calls.append(after)
        start = 0 if after is None else int(after) + 1
        return Page(items(start, min(start + (size or self.cap), self.total)))


def ids(pager: Pager[Any]) -> list[str]:
    return [item.id for item in pager]


def test_page_numbers_yield_every_record_once() -> None:
    """Page-number paging walks 1..num_pages."""
    server = PagedServer(95)

    assert ids(Pager(PageNumberPaging(server.page), page_size=10)) == [
        str(i) for i in range(95)
    ]
    assert server.calls == list(range(1, 11))


def test_offsets_advance_by_what_was_received_not_what_was_asked() -> None:
    """A server that caps the page size below the request loses nothing."""
    server = PagedServer(95, cap=7)

    assert ids(Pager(OffsetPaging(server.offset), page_size=50)) == [
        str(i) for i in range(95)
    ]
    assert server.calls[:3] == [0, 7, 14]


def test_keyset_stops_on_an_empty_page() -> None:
    """Keyset paging asks for records after the last key until a page is empty."""
    server = PagedServer(25)
    pager = Pager(KeysetPaging(server.keyset, key=lambda item: item.id), page_size=10)

    assert ids(pager) == [str(i) for i in range(25)]
    assert server.calls == [None, "9", "19", "24"]


def test_keyset_that_does_not_advance_is_refused() -> None:
    """The same last key twice means the vendor ignores the cursor: raise, don't loop."""
    spec = KeysetPaging(lambda after, size: Page(items(0, 3)), key=lambda item: item.id)

    with pytest.raises(errors.ResponseShapeError, match="did not advance"):
        list(Pager(spec))


def test_repeated_page_is_refused() -> None:
    """A vendor that ignores `page` would loop for ever: detected and raised."""
    spec = PageNumberPaging(lambda number, size: Page(items(0, 3)))

    with pytest.raises(errors.ResponseShapeError, match="did not advance"):
        list(Pager(spec))


def test_records_shifting_across_a_page_boundary_are_yielded_once() -> None:
    """An insert during the pull shifts a record onto the next page: deduped."""
    pages = {0: items(0, 10), 10: items(9, 19), 20: items(19, 22), 23: []}
    spec = OffsetPaging(lambda offset, size: Page(pages[offset]))
    pager = Pager(spec)

    assert ids(pager) == [str(i) for i in range(22)]
    assert pager.stats.duplicates == 1


def test_parallel_pages_come_back_in_order() -> None:
    """workers=N fetches pages concurrently but yields them in page order."""
    server = PagedServer(200, cap=10, latency=0.01)
    pager = Pager(PageNumberPaging(server.page), page_size=10, workers=4)

    assert ids(pager) == [str(i) for i in range(200)]
    assert 1 < server.max_in_flight <= 4
    assert pager.stats.workers == 4


def test_parallel_offsets_fill_short_pages() -> None:
    """With offsets in parallel, a page shorter than its slot is completed sequentially."""
    total = 50
    calls: list[int] = []

    def fetch(offset: int, size: int | None) -> Page[Item]:
        calls.append(offset)
        cap = 4 if offset == 10 else 10  # one page comes back short
        return Page(items(offset, min(offset + cap, total)), total_items=total)

    pager = Pager(OffsetPaging(fetch), page_size=10, workers=3)

    assert ids(pager) == [str(i) for i in range(total)]
    assert 14 in calls


def test_pager_is_lazy() -> None:
    """first(n) fetches only the pages it needs."""
    server = PagedServer(1000)

    assert [
        i.id for i in Pager(PageNumberPaging(server.page), page_size=10).first(15)
    ] == [str(i) for i in range(15)]
    assert server.calls == [1, 2]


def test_total_is_known_after_the_first_page_and_reused() -> None:
    """.total fetches page 1 once; iterating afterwards does not fetch it again."""
    server = PagedServer(42)
    pager = Pager(PageNumberPaging(server.page), page_size=10)

    assert pager.total == 42
    assert len(list(pager)) == 42
    assert server.calls == [1, 2, 3, 4, 5]
    assert "total=42" in repr(pager)


def test_single_page() -> None:
    """A vendor that answers everything at once still goes through the engine."""
    pager = Pager(SinglePage(lambda: Page(items(0, 3))))

    assert ids(pager) == ["0", "1", "2"]


def test_client_side_predicate_and_conversion() -> None:
    """Conversion happens per page; the predicate drops what the vendor could not filter."""
    server = PagedServer(30)
    pager = Pager(
        PageNumberPaging(server.page),
        convert=lambda page: [Item(f"x{i.id}") for i in page],
        predicate=lambda item: int(item.id[1:]) % 2 == 0,
        client_side_filters=["status"],
    )

    assert ids(pager)[:3] == ["x0", "x2", "x4"]
    assert pager.stats.filtered_out == 15
    assert pager.client_side_filters == ("status",)


def test_auto_workers_follow_the_round_trip() -> None:
    """workers='auto' uses more workers when the first page waited on the network."""
    server = PagedServer(100, cap=10, latency=0.05)
    pager = Pager(PageNumberPaging(server.page), workers="auto")

    assert len(ids(pager)) == 100
    assert pager.stats.workers > 1


def test_bad_workers_value_is_a_validation_error() -> None:
    """workers must be a positive integer or 'auto'."""
    with pytest.raises(errors.ValidationError, match="workers"):
        Pager(SinglePage(lambda: Page([])), workers=0)


def test_map_composes_conversions() -> None:
    """map() returns a new lazy pager."""
    pager = Pager(SinglePage(lambda: Page(items(0, 3)))).map(lambda item: item.id)

    assert list(pager) == ["0", "1", "2"]


def test_errors_in_parallel_fetch_propagate() -> None:
    """A failing page in the pool raises in the consumer, not silently."""

    def fetch(number: int, size: int | None) -> Page[Item]:
        if number == 3:
            raise errors.ServerError("down", status_code=503)
        return Page(
            items((number - 1) * 10, number * 10), total_items=100, total_pages=10
        )

    with pytest.raises(errors.ServerError):
        list(Pager(PageNumberPaging(fetch), workers=4))


class DriftingServer:
    """A fake vendor whose records change while it is paged (ordered by id)."""

    def __init__(self, total: int, cap: int = 10) -> None:
        self.rows = [str(i) for i in range(1000, 1000 + total)]
        self.cap = cap
        self.calls = 0
        self.on_call: dict[int, Any] = {}
        self.lock = threading.Lock()

    def _tick(self) -> None:
        with self.lock:
            self.calls += 1
            action = self.on_call.get(self.calls)
            if action:
                action(self)

    def offset(self, offset: int, size: int | None) -> Page[Item]:
        self._tick()
        chunk = self.rows[offset : offset + self.cap]
        return Page([Item(r) for r in chunk], total_items=len(self.rows))

    def page(self, number: int, size: int | None) -> Page[Item]:
        self._tick()
        start = (number - 1) * self.cap
        chunk = self.rows[start : start + self.cap]
        return Page(
            [Item(r) for r in chunk],
            total_items=len(self.rows),
            total_pages=max(1, -(-len(self.rows) // self.cap)),
        )


def delete_front(count: int) -> Any:
    def act(server: DriftingServer) -> None:
        del server.rows[:count]

    return act


def insert_front(count: int) -> Any:
    def act(server: DriftingServer) -> None:
        server.rows[:0] = [f"new{i}-{server.calls}" for i in range(count)]

    return act


@pytest.mark.parametrize("kind", ["offset", "page"])
@pytest.mark.parametrize("workers", [1, 3])
def test_deletions_during_a_pull_lose_nothing(kind: str, workers: int) -> None:
    """Records deleted mid-pull shift the rest back; the pull re-reads, none is skipped."""
    server = DriftingServer(95)
    survivors = set(server.rows[5:])
    server.on_call = {3: delete_front(5)}  # after two pages, five early records vanish
    spec = (
        OffsetPaging(server.offset)
        if kind == "offset"
        else PageNumberPaging(server.page)
    )
    pager = Pager(spec, workers=workers)

    got = ids(pager)

    assert len(got) == len(set(got))
    assert survivors <= set(got)
    assert pager.stats.drift >= 1


@pytest.mark.parametrize("kind", ["offset", "page"])
@pytest.mark.parametrize("workers", [1, 3])
def test_insertions_during_a_pull_repeat_nothing(kind: str, workers: int) -> None:
    """Records inserted ahead of the cursor push others forward: no repeats, no loss."""
    server = DriftingServer(60)
    before = set(server.rows)
    server.on_call = {2: insert_front(3), 4: insert_front(2)}
    spec = (
        OffsetPaging(server.offset)
        if kind == "offset"
        else PageNumberPaging(server.page)
    )

    got = ids(Pager(spec, workers=workers))

    assert len(got) == len(set(got))
    assert before <= set(got)


def test_a_drift_larger_than_the_window_is_an_error_not_a_short_pull() -> None:
    """When more records vanish than the pull can re-read, it says so."""
    server = DriftingServer(200)
    server.on_call = {4: delete_front(60)}

    with pytest.raises(errors.PaginationDriftError, match="60 records disappeared"):
        ids(Pager(OffsetPaging(server.offset)))


def test_repr_and_html_never_fetch() -> None:
    """Showing a pager in a notebook does not start a pull."""
    server = PagedServer(30)
    pager = Pager(
        PageNumberPaging(server.page),
        name="tactile.opportunities",
        client_side_filters=["status"],
    )

    text, html = repr(pager), pager._repr_html_()

    assert server.calls == []
    assert "tactile.opportunities" in text and "status" in text
    assert "not fetched yet" in html and "<table>" in html


def test_an_insertion_larger_than_the_window_is_an_error_not_repeats() -> None:
    """When more records appear than the dedupe can cover, the pull says so."""
    server = DriftingServer(200)
    server.on_call = {4: insert_front(60)}

    with pytest.raises(errors.PaginationDriftError, match="60 records appeared"):
        ids(Pager(OffsetPaging(server.offset)))


def test_one_repeated_page_is_read_on_two_are_refused() -> None:
    """A single repeat can be records sliding forward; two in a row is a loop."""
    server = DriftingServer(50)
    server.on_call = {2: insert_front(10)}  # page 2 repeats page 1
    looping = OffsetPaging(lambda offset, size: Page([Item(str(i)) for i in range(5)]))

    got = ids(Pager(OffsetPaging(server.offset)))

    assert sorted(got) == [str(i) for i in range(1000, 1050)]  # each once, none lost
    with pytest.raises(errors.ResponseShapeError, match="did not advance"):
        ids(Pager(looping))


@attrs.frozen
class Loose:
    """A record whose id may be missing (None) or repeated."""

    id: str | None
    n: int


@settings(max_examples=200, deadline=None)
@given(
    layout=st.lists(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", None]), max_size=6),
        min_size=1,
        max_size=7,
    ),
    keep_odd=st.booleans(),
)
def test_dedupe_matches_the_rule_whatever_the_pages(
    layout: list[list[str | None]], keep_odd: bool
) -> None:
    """Every page, fast path or not: a record whose id was seen in this page or the
    last three is dropped; records without an id are always kept; the predicate
    and the counters agree."""
    pages = [
        [Loose(key, n * 10 + i) for i, key in enumerate(keys)]
        + [Loose(f"end{n}", n * 10 + 9)]  # every page ends differently
        for n, keys in enumerate(layout)
    ]
    spec = PageNumberPaging(
        lambda number, size: Page(pages[number - 1], total_pages=len(pages))
    )
    predicate = (lambda r: r.n % 2 == 1) if keep_odd else None
    pager = Pager(spec, predicate=predicate)

    expected, duplicates, filtered, window = [], 0, 0, []
    for page in pages:
        seen = set().union(*window[-3:])
        mine: set[str] = set()
        for record in page:
            if record.id is not None:
                if record.id in seen or record.id in mine:
                    duplicates += 1
                    continue
                mine.add(record.id)
            if predicate is not None and not predicate(record):
                filtered += 1
                continue
            expected.append(record.n)
        window.append(mine)

    assert [r.n for r in pager] == expected
    assert (pager.stats.duplicates, pager.stats.filtered_out) == (duplicates, filtered)
    assert pager.stats.records == len(expected)


def test_records_without_an_id_attribute_are_never_deduped() -> None:
    """Plain values (no .id) pass through, repeats included."""
    spec = SinglePage(lambda: Page([1, 1, 2]))

    assert list(Pager(spec)) == [1, 1, 2]


class ShiftingList:
    """An offset-paged list with no total, changed between requests.

    ``changes`` maps a request number to (kind, position, count): records inserted
    at, or deleted from, ``position`` (clamped to the list) just before that request
    is answered. New records get ids no record had before.
    """

    def __init__(
        self,
        n: int,
        changes: dict[int, tuple[str, int, int]],
        *,
        with_total: bool = False,
    ) -> None:
        self.records = [Item(f"r{i}") for i in range(n)]
        self.changes = changes
        self.with_total = with_total
        self.requests = 0
        self.changed: set[str] = set()
        self.fresh = n
        self.lock = threading.Lock()

    def fetch(self, offset: int, size: int | None) -> Page[Item]:
        with self.lock:
            return self._fetch(offset, size)

    def _fetch(self, offset: int, size: int | None) -> Page[Item]:
        self.requests += 1
        change = self.changes.get(self.requests)
        if change is not None:
            kind, position, count = change
            position = min(position, len(self.records))
            if kind == "insert":
                new = [Item(f"r{self.fresh + i}") for i in range(count)]
                self.fresh += count
                self.records[position:position] = new
                self.changed.update(item.id for item in new)
            else:
                gone = self.records[position : position + count]
                del self.records[position : position + count]
                self.changed.update(item.id for item in gone)
        total = len(self.records) if self.with_total else None
        return Page(self.records[offset : offset + (size or 10)], total_items=total)


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=80),
    size=st.integers(min_value=1, max_value=15),
    cap=st.integers(min_value=2, max_value=15),
    with_total=st.booleans(),
    workers=st.sampled_from([1, 3]),
    changes=st.dictionaries(
        st.integers(min_value=1, max_value=20),
        st.tuples(
            st.sampled_from(["insert", "delete"]),
            st.integers(min_value=0, max_value=80),
            st.integers(min_value=1, max_value=40),
        ),
        max_size=5,
    ),
)
def test_anchored_offsets_are_exact_or_raise_whatever_moves(
    n: int,
    size: int,
    cap: int,
    with_total: bool,
    workers: int,
    changes: dict[int, tuple[str, int, int]],
) -> None:
    """Records inserted and deleted anywhere between requests, any page size, a
    server that caps pages, with or without a total, sequential or parallel: every
    record that was there throughout comes exactly once and in order, the others
    at most once; or the pull raises PaginationDriftError. Never a silent loss
    (a deletion and an insertion cancelling out in the total included).

    (A server that returns one record per page is left out: two requests cannot
    show that nothing moved between them.)
    """
    server = ShiftingList(n, changes, with_total=with_total)
    before = [item.id for item in server.records]

    def fetch(offset: int, asked: int | None) -> Page[Item]:
        return Page(server.fetch(offset, asked).items[:cap])

    spec = OffsetPaging(fetch, anchor=lambda item: item.id)
    try:
        got = ids(Pager(spec, page_size=size, workers=workers))
    except errors.PaginationDriftError:
        return
    stayed = [i for i in before if i not in server.changed]
    assert len(got) == len(set(got))
    assert [i for i in got if i in set(stayed)] == stayed
    assert set(got) <= set(before) | server.changed


def test_offsets_without_a_total_follow_a_deleted_anchor() -> None:
    """The last record read is deleted: the pull goes on from the one before it."""
    server = ShiftingList(30, {2: ("delete", 9, 1)})
    pager = Pager(OffsetPaging(server.fetch, anchor=lambda i: i.id), page_size=10)

    assert ids(pager) == [f"r{i}" for i in range(30)]  # r9 was read before it went
    assert pager.stats.drift == 1


def test_offsets_without_a_total_skip_to_the_anchor_after_insertions() -> None:
    """Fifteen records inserted at the start: the pull skips ahead to where it was."""
    server = ShiftingList(30, {2: ("insert", 0, 15)})
    pager = Pager(OffsetPaging(server.fetch, anchor=lambda i: i.id), page_size=10)

    assert ids(pager) == [f"r{i}" for i in range(30)]


def test_offsets_without_a_total_raise_when_everything_read_is_gone() -> None:
    """Every record read deleted: nowhere to go on from, so PaginationDriftError."""
    server = ShiftingList(40, {2: ("delete", 0, 12)})
    pager = Pager(OffsetPaging(server.fetch, anchor=lambda i: i.id), page_size=10)

    with pytest.raises(errors.PaginationDriftError, match="disappeared"):
        list(pager)


def test_offsets_without_a_total_refuse_a_vendor_that_ignores_the_offset() -> None:
    """The same page for every offset: an error, not an endless pull."""
    spec = OffsetPaging(lambda offset, size: Page(items(0, 10)), anchor=lambda i: i.id)

    with pytest.raises(errors.ResponseShapeError, match="did not advance"):
        list(Pager(spec, page_size=10))
