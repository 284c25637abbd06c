"""Records inserted or deleted while a pull runs (the emulators' drift hooks).

What each vendor can promise depends on how it pages (see docs/reliability.md):

* keyset (Administrate): immune, whatever moves;
* a single answer (Opentaps tasks, Tactile notes): nothing can move between pages;
* pages or offsets with a total (Tactile, iVvy): insertions are dropped as repeats
  (up to the dedupe window: 3 pages), deletions are seen through the total and
  mended by reading again (up to 2 pages' worth), larger deletions raise
  PaginationDriftError;
* offsets without a total (Opentaps activities, CRM.COM): each page overlaps the
  last by one record, so a pull sees the last record it read move: insertions are
  skipped to it, deletions are followed back to the latest record read that is
  still listed (up to the dedupe window either way), anything larger raises
  PaginationDriftError.

The change happens as the emulator receives the pull's second list request, i.e.
after the first page was read, before the second is answered.
"""

from __future__ import annotations

import pytest

import crmclients
from crmclients import errors
from tests.reliability import _support
from tests.reliability.conftest import Figures

PAGE = 10
RECORDS = 60
WITH_TOTAL = ("ivvy", "tactile")
WITHOUT_TOTAL = ("crmcom", "opentaps")


def drift_pull(
    vendor: str, collection: str, change: str, n: int, at: str = "start"
) -> tuple[list[str], list[str], list[str]]:
    """Pull with ``n`` records inserted/deleted after the first page.

    Returns:
        The ids before the pull, the ids changed, and the ids pulled.
    """
    with (
        _support.sandbox(vendor, RECORDS) as sb,
        crmclients.connect(vendor, **sb.settings) as client,
    ):
        _support.warm_up(client)
        name = _support.drift_name(vendor, collection)
        before = sb.emulator.record_ids(name)
        changed: list[str] = []

        def act(number: int) -> None:
            if number == 2:
                method = getattr(sb.emulator, f"{change}_records")
                changed.extend(method(n, collection=name, at=at))

        with _support.on_list_request(sb, act) as seen:
            got = _support.pull_ids(client, collection, page_size=PAGE)
    assert seen["requests"] >= 2 and changed, "the drift must happen mid-pull"
    return before, changed, got


def throughout(before: list[str], changed: list[str]) -> list[str]:
    """The records that existed during the whole pull."""
    gone = set(changed)
    return [i for i in before if i not in gone]


def assert_exact(before: list[str], changed: list[str], got: list[str]) -> None:
    """Each record that existed throughout came once, in order; the records that
    came or went during the pull came at most once; nothing else came."""
    assert len(got) == len(set(got)), "no record twice"
    stayed = throughout(before, changed)
    assert [i for i in got if i in set(stayed)] == stayed
    assert set(got) <= set(before) | set(changed)


@pytest.mark.parametrize(("vendor", "collection"), _support.PAGED)
@pytest.mark.parametrize("at", ["start", "end"])
def test_records_inserted_mid_pull_do_not_repeat_or_hide_others(
    vendor: str, collection: str, at: str, figures: Figures
) -> None:
    """Every record that existed throughout comes exactly once; new ones at most once."""
    before, inserted, got = drift_pull(vendor, collection, "insert", 2 * PAGE, at)
    figures.add(
        "drift",
        vendor=vendor,
        collection=collection,
        change=f"insert {2 * PAGE} at {at}",
        duplicated=len(got) - len(set(got)),
        missed=len(set(before) - set(got)),
        outcome="exact",
    )

    assert_exact(before, inserted, got)


@pytest.mark.parametrize(("vendor", "collection"), _support.PAGED)
def test_records_deleted_at_the_end_mid_pull_lose_nothing(
    vendor: str, collection: str
) -> None:
    """Deleting records not yet read moves nothing onto pages already read."""
    before, deleted, got = drift_pull(vendor, collection, "delete", 5, "end")

    assert_exact(before, deleted, got)


@pytest.mark.parametrize(("vendor", "collection"), _support.PAGED)
@pytest.mark.parametrize("at", ["start", "random"])
def test_small_deletions_mid_pull_are_mended(
    vendor: str, collection: str, at: str, figures: Figures
) -> None:
    """Deletions before the read position are seen (total, keyset or the overlap
    with the last record read) and mended."""
    before, deleted, got = drift_pull(vendor, collection, "delete", PAGE // 2, at)
    figures.add(
        "drift",
        vendor=vendor,
        collection=collection,
        change=f"delete {PAGE // 2} at {at}",
        duplicated=len(got) - len(set(got)),
        missed=len(set(throughout(before, deleted)) - set(got)),
        outcome="exact",
    )

    assert_exact(before, deleted, got)


@pytest.mark.parametrize("vendor", WITH_TOTAL + WITHOUT_TOTAL)
def test_deletions_too_large_to_mend_raise_pagination_drift_error(
    vendor: str, figures: Figures
) -> None:
    """More than two pages deleted behind the pull (with no total: every record
    read): a clear error, not a short pull."""
    collection = next(c for v, c in _support.PAGED if v == vendor)
    with pytest.raises(errors.PaginationDriftError) as info:
        drift_pull(vendor, collection, "delete", 2 * PAGE + 5)
    figures.add(
        "drift",
        vendor=vendor,
        collection=collection,
        change=f"delete {2 * PAGE + 5} at start",
        duplicated=0,
        missed=0,
        outcome="PaginationDriftError",
    )

    assert info.value.vendor == vendor
    assert "disappeared while the pull ran" in str(info.value)


@pytest.mark.parametrize("collection", ["activities", "tasks"])
@pytest.mark.parametrize("change", ["insert", "delete"])
def test_keyset_pulls_are_immune_to_any_drift(collection: str, change: str) -> None:
    """Administrate pages by id: five pages inserted or deleted change nothing read."""
    before, changed, got = drift_pull(
        "administrate",
        collection,
        change,
        5 * PAGE,
        "random" if change == "delete" else "start",
    )

    assert_exact(before, changed, got)


@pytest.mark.parametrize(
    ("vendor", "collection"), [p for p in _support.PAGED if p[0] in WITHOUT_TOTAL]
)
@pytest.mark.parametrize(
    ("n", "at"),
    [(1, "start"), (5, "start"), (9, "start"), (5, "random"), (2 * PAGE, "random")],
)
def test_without_a_total_deletions_behind_the_pull_lose_nothing(
    vendor: str, collection: str, n: int, at: str, figures: Figures
) -> None:
    """With no total, records deleted before the read position (the last record
    read among them, at times) still leave every other record read once: the next
    page no longer starts with the last record read, so the pull goes back to the
    latest record read that is still listed."""
    before, deleted, got = drift_pull(vendor, collection, "delete", n, at)
    missed = [i for i in throughout(before, deleted) if i not in set(got)]
    figures.add(
        "drift",
        vendor=vendor,
        collection=collection,
        change=f"delete {n} at {at}",
        duplicated=len(got) - len(set(got)),
        missed=len(missed),
        outcome="exact",
    )

    assert_exact(before, deleted, got)


@pytest.mark.parametrize(("vendor", "collection"), sorted(_support.SINGLE_ANSWER))
def test_single_answer_collections_cannot_drift(vendor: str, collection: str) -> None:
    """These pulls are one request: there is no second page for records to move to."""
    with (
        _support.sandbox(vendor, RECORDS) as sb,
        crmclients.connect(vendor, **sb.settings) as client,
    ):
        _support.warm_up(client)
        with _support.on_list_request(sb, lambda n: None) as seen:
            got = _support.pull_ids(client, collection, page_size=2)

    assert seen["requests"] == 1
    assert got and len(got) == len(set(got))


def test_drift_hooks_validate_their_arguments() -> None:
    """Unknown collections, positions and oversized deletions are refused."""
    from crmclients.sandbox import emulator

    em = emulator("tactile", records=5)
    with pytest.raises(ValueError, match="no drift hooks for"):
        em.insert_records(1, collection="tasks")
    with pytest.raises(ValueError, match="at must be one of"):
        em.insert_records(1, at="random")
    with pytest.raises(ValueError, match="cannot delete 9"):
        em.delete_records(9)
    with pytest.raises(NotImplementedError):
        crmclients.sandbox.Emulator.record_ids(em)


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_drift_hooks_change_the_stores_in_place(vendor: str) -> None:
    """The emulator's stores stay the same objects (a handler may hold one)."""
    from crmclients.sandbox import emulator

    em = emulator(vendor, records=30, **_support.SANDBOX_OPTIONS.get(vendor, {}))
    stores = {k: v for k, v in vars(em).items() if isinstance(v, dict)}
    for name in em.drift_collections:
        em.insert_records(2, collection=name, at="start")
        em.delete_records(1, collection=name, at="random")

    assert all(getattr(em, k) is v for k, v in stores.items())


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_drift_hooks_change_what_the_api_lists(vendor: str) -> None:
    """insert_records/delete_records return the ids the API then shows or hides."""
    from crmclients.sandbox import emulator

    em = emulator(vendor, records=30, **_support.SANDBOX_OPTIONS.get(vendor, {}))
    for name in em.drift_collections:
        before = em.record_ids(name)
        first = em.insert_records(3, collection=name, at="start")
        last = em.insert_records(2, collection=name, at="end")
        now = em.record_ids(name)
        if vendor == "administrate":  # ids order the list: "start" fills low gaps
            assert sorted(now, key=int) == sorted([*first, *before, *last], key=int)
            assert now[-2:] == last
        else:
            assert now == [*first, *before, *last]
        gone = em.delete_records(4, collection=name, at="start")
        assert gone == now[:4]
        assert em.record_ids(name) == now[4:]
        assert em.delete_records(1, collection=name, at="end") == now[-1:]
        assert em.record_ids(name) == now[4:-1]


# -- large insertions: with a total, the engine raises PaginationDriftError when
# more records appeared than its dedupe window covers; without one, it skips ahead
# to the last record read (within the window) or raises.


@pytest.mark.parametrize(
    ("vendor", "collection"),
    [(v, c) for v, c in _support.PAGED if v != "administrate"],
)
def test_insertions_beyond_the_dedupe_window_are_not_repeated(
    vendor: str, collection: str
) -> None:
    """Four pages inserted at the start: exactly once, or PaginationDriftError."""
    try:
        before, inserted, got = drift_pull(vendor, collection, "insert", 4 * PAGE)
    except errors.PaginationDriftError:
        return
    assert_exact(before, inserted, got)


@pytest.mark.parametrize(("vendor", "collection"), _support.PAGED)
def test_one_page_inserted_mid_pull_is_read_on(vendor: str, collection: str) -> None:
    """Exactly one page inserted at the start makes page 2 repeat page 1: read on."""
    before, inserted, got = drift_pull(vendor, collection, "insert", PAGE)

    assert_exact(before, inserted, got)
