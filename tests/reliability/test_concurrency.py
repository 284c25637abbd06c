"""One Client shared by 8 threads: every write applied once, reads consistent, and
the client-side rate limit held under that load (measured, not asserted).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import crmclients
from crmclients._client import COLLECTIONS
from tests.contract.samples import samples
from tests.reliability import _support
from tests.reliability.conftest import Figures

THREADS = 8
#: Rounds per thread; each round is a create, an update, a get and a list.
ROUNDS = max(4, _support.SIZE // 40)
RATE = 100.0
_TEXT_FIELDS = ("name", "subject", "body")


def writable(vendor: str) -> tuple[str, str]:
    """The first collection the vendor can create in, and a text field to mark."""
    caps = crmclients.capabilities(vendor)
    collection = next(c for c in COLLECTIONS if caps.supports(c, "create"))
    fields = samples(vendor)[collection]["create"]
    return collection, next(f for f in _TEXT_FIELDS if f in fields)


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_eight_threads_share_one_client_safely(vendor: str, figures: Figures) -> None:
    """Mixed reads and writes from 8 threads: each write lands once, reads agree."""
    collection, field = writable(vendor)
    options = samples(vendor)[collection]
    caps = crmclients.capabilities(vendor)
    stamps: list[float] = []
    lock = threading.Lock()

    def stamp(request: Any) -> None:
        with lock:
            stamps.append(time.monotonic())

    with (
        _support.sandbox(vendor, 40, seed=12) as sb,
        crmclients.connect(vendor, rate_limit=RATE, **sb.settings) as client,
    ):
        target = getattr(client, collection)
        listing = options.get("list", {})
        sb.emulator.hooks.append(stamp)

        def work(thread: int) -> list[tuple[str, str]]:
            mine: list[tuple[str, str]] = []
            for round_ in range(ROUNDS):
                text = f"t{thread}-r{round_}"
                created = target.create({**options["create"], field: text})
                assert getattr(created, field) == text
                final = text
                if caps.supports(collection, "update"):
                    final = f"{text}-updated"
                    updated = target.update(created.id, **{field: final})
                    assert getattr(updated, field) == final
                if caps.supports(collection, "get"):
                    assert getattr(target.get(created.id), field) == final
                page = target.list(**listing).first(20)
                assert len({r.id for r in page}) == len(page)
                mine.append((str(created.id), final))
            return mine

        with _support.Stopwatch() as clock, ThreadPoolExecutor(THREADS) as pool:
            results = [r for rs in pool.map(work, range(THREADS)) for r in rs]
        limiter = client.native._requestor.limiter
        everything = {str(r.id): getattr(r, field) for r in target.list(**listing)}
        sb.emulator.hooks.remove(stamp)

    texts = Counter(everything.values())
    expected = {f"t{t}-r{r}" for t in range(THREADS) for r in range(ROUNDS)}
    wanted = (
        {f"{e}-updated" for e in expected}
        if caps.supports(collection, "update")
        else expected
    )
    rates = _rates(stamps, RATE)
    figures.add(
        "concurrency",
        vendor=vendor,
        collection=collection,
        threads=THREADS,
        writes=len(results),
        writes_seen_once=sum(1 for w in wanted if texts[w] == 1),
        duplicated=sum(1 for w in wanted if texts[w] > 1),
        requests=len(stamps),
        seconds=round(clock.seconds, 3),
        configured_rate=RATE,
        **rates,
        limiter_waited_seconds=round(limiter.waited, 3),
    )

    assert len(results) == THREADS * ROUNDS
    assert {final for _, final in results} == wanted
    assert all(texts[w] == 1 for w in wanted), "every write applied exactly once"
    assert all(everything[i] == final for i, final in results), "reads agree"
    assert limiter is not None and limiter.acquired >= len(stamps)


def _rates(stamps: list[float], rate: float) -> dict[str, float]:
    """Request rates as the server saw them.

    The bucket starts full, so one second's worth (``burst``) may go at once; after
    that requests can only come as fast as tokens refill. ``sustained_rate`` is
    ``(requests - burst) / span``: what the refill allowed, to compare with the
    configured rate. ``busiest_second`` is the most requests in any 1-second window
    (at most burst + rate).
    """
    if len(stamps) < 2:
        return {"overall_rate": 0.0, "sustained_rate": 0.0, "busiest_second": 0.0}
    stamps = sorted(stamps)
    span = max(stamps[-1] - stamps[0], 1e-9)
    burst = int(rate)
    busiest, start = 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] > 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    return {
        "overall_rate": round((len(stamps) - 1) / span, 1),
        "sustained_rate": round(max(len(stamps) - burst, 0) / span, 1),
        "busiest_second": float(busiest),
    }
