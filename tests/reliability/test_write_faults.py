"""Writes under faults: a non-idempotent write is sent at most once, idempotent ones
recover, and the one table the code uses says which is which.

Every case is one write operation of one vendor (every key of every ``WRITES``
table) with one fault, aimed at that write request after the client has warmed up
(token vendors have logged in), so the fault hits the write and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import crmclients
from crmclients import errors
from crmclients.sandbox import FAULT_KINDS, Sandbox
from tests.reliability import _support
from tests.reliability._writes import (
    ALL_CASES,
    CASES,
    POLICY,
    SLOW_SECONDS,
    TIMEOUT,
    WriteCase,
    writes_markdown,
    writes_table,
)
from tests.reliability.conftest import Figures

ROOT = Path(__file__).resolve().parents[2]
#: The server said it did not process the request: even a create is resent.
UNPROCESSED = frozenset({"429", "503", "503-retry-after"})
#: Faults injected after the emulator processed the write.
PROCESSED = frozenset({"reset-after", "timeout", "truncated"})
#: Writes for which an empty 200 is a documented answer (Administrate: "an empty
#: 200 to a DELETE is a success"): the ``empty`` fault cannot be told from it.
EMPTY_IS_AN_ANSWER = frozenset({("administrate", "tasks.delete")})
CREATES = [c for c in ALL_CASES if not c.idempotent]
IDEMPOTENT = [c for c in ALL_CASES if c.idempotent]


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, Sandbox]]:
    """One sandbox per vendor for the module."""
    started = {
        v: _support.sandbox(v, records=30, seed=4).start() for v in _support.VENDORS
    }
    try:
        yield started
    finally:
        for sb in started.values():
            sb.stop()


def run_case(
    case: WriteCase, kind: str, sb: Sandbox
) -> tuple[BaseException | None, int, int]:
    """Prepare, fault the write with ``kind``, perform it.

    Returns:
        The error raised (or None), the write requests the emulator received, and
        how many times the write shows in the emulator's state.
    """
    with crmclients.connect(
        case.vendor, retry=POLICY, timeout=TIMEOUT, **sb.settings
    ) as client:
        _support.warm_up(client)
        target = case.prepare(client, sb)
        before = len(sb.emulator.received)
        sb.inject_faults(script=[kind], match=case.matches, slow_seconds=SLOW_SECONDS)
        raised: BaseException | None = None
        try:
            case.perform(client, sb, target)
        except errors.CRMError as exc:
            raised = exc
        finally:
            sb.clear_faults()
        received = list(sb.emulator.received)[before:]
        writes = [r for r in received if case.is_write(r)]
        assert writes and writes[0].fault == kind, "the fault must hit the write"
        return raised, len(writes), case.applied(sb, target)


def test_every_write_of_every_vendor_has_a_case() -> None:
    """The cases cover every key of every vendor's WRITES table, and nothing else."""
    for vendor in _support.VENDORS:
        assert {c.operation for c in CASES[vendor]} == set(writes_table(vendor))


def test_the_writes_table_in_the_docs_is_generated_from_the_code() -> None:
    """docs/reliability.md shows exactly the table the WRITES dicts produce."""
    text = (ROOT / "docs" / "reliability.md").read_text()

    assert writes_markdown() in text


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("case", CREATES, ids=str)
def test_a_non_idempotent_write_is_sent_at_most_once(
    case: WriteCase, kind: str, sandboxes: dict[str, Sandbox], figures: Figures
) -> None:
    """An ambiguous failure raises AmbiguousWriteError after exactly one request;
    only a refusal that proves nothing was processed (429/503) is resent."""
    raised, sent, applied = run_case(case, kind, sandboxes[case.vendor])
    figures.add(
        "writes",
        vendor=case.vendor,
        operation=case.operation,
        idempotent=False,
        fault=kind,
        sent=sent,
        applied=applied,
        outcome=type(raised).__name__ if raised else "ok",
    )

    if kind in UNPROCESSED:
        assert (raised, sent, applied) == (None, 2, 1)
    else:
        assert isinstance(raised, errors.AmbiguousWriteError), raised
        assert sent == 1
        assert applied == (1 if kind in PROCESSED else 0)
        assert case.vendor in str(raised) and "unknown" in str(raised)


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("case", IDEMPOTENT, ids=str)
def test_an_idempotent_write_recovers_from_a_fault(
    case: WriteCase, kind: str, sandboxes: dict[str, Sandbox], figures: Figures
) -> None:
    """The write is resent after the fault and the final state is right."""
    raised, sent, applied = run_case(case, kind, sandboxes[case.vendor])
    figures.add(
        "writes",
        vendor=case.vendor,
        operation=case.operation,
        idempotent=True,
        fault=kind,
        sent=sent,
        applied=applied,
        outcome=type(raised).__name__ if raised else "ok",
    )

    if kind == "empty" and (case.vendor, case.operation) in EMPTY_IS_AN_ANSWER:
        # Taken as the documented success: not resent; the emulator, whose
        # fault came before processing, still holds the record.
        assert (raised, sent, applied) == (None, 1, 0)
        return
    assert raised is None, f"{type(raised).__name__}: {raised}"
    assert sent == 2
    assert applied == 1


def test_the_writes_table_names_every_vendor() -> None:
    """The generated table has one row per (vendor, write) and says idempotent or not."""
    rows = [line for line in writes_markdown().splitlines()[2:] if line]

    assert len(rows) == len(ALL_CASES)
    assert all(re.search(r"\| (yes|no) \|", row) for row in rows)


def _lost_then(*replies: object) -> tuple[object, ...]:
    return (errors.RequestTimeoutError("read timed out", request_sent=True), *replies)


def test_a_replay_refused_after_a_lost_answer_goes_to_the_replayed_handler() -> None:
    """A timed-out delete replayed into a 404 is done: the handler's answer is used."""
    from crmclients._requestor import absent_means_done
    from tests.helpers import requestor, response

    client, transport = requestor(_lost_then(response(404, {"error": "gone"})))

    answer = client.request(
        "DELETE", "/x/1", operation="x.delete", replayed=absent_means_done
    )

    assert answer is None
    assert len(transport.sent) == 2


def test_a_refusal_without_a_lost_answer_is_raised_as_is() -> None:
    """A 404 after a 503 (not processed) is a real "not found", not a replay."""
    from crmclients._requestor import absent_means_done
    from tests.helpers import requestor, response

    client, transport = requestor([response(503), response(404, {"error": "no"})])

    with pytest.raises(errors.NotFoundError):
        client.request(
            "DELETE", "/x/1", operation="x.delete", replayed=absent_means_done
        )
    assert len(transport.sent) == 2


def test_the_replayed_handler_never_applies_to_a_non_idempotent_write() -> None:
    """A create whose answer was lost is ambiguous, whatever the handler says."""
    from crmclients._requestor import absent_means_done
    from tests.helpers import requestor

    client, transport = requestor(_lost_then())

    with pytest.raises(errors.AmbiguousWriteError):
        client.request(
            "POST", "/x", operation="x.create", json={}, replayed=absent_means_done
        )
    assert len(transport.sent) == 1


def test_the_replayed_handler_raises_other_errors() -> None:
    """Only "not found" counts as done for a delete; a 409 on the replay is raised."""
    from crmclients._requestor import absent_means_done
    from tests.helpers import requestor, response

    client, _ = requestor(_lost_then(response(409, {"error": "conflict"})))

    with pytest.raises(errors.ConflictError):
        client.request(
            "DELETE", "/x/1", operation="x.delete", replayed=absent_means_done
        )
