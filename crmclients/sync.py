"""Incremental pulls: only what changed since the last run, with a state file.

The state file records a high-water mark per vendor and collection: the largest
``updated_at`` (or ``created_at`` where the vendor has no update time) among the
records written, and the ids written *at* that instant. The next run asks the vendor
for records changed at or after the mark (a small overlap absorbs vendors whose
"after" is strict or whose clocks are coarse), then drops what it already wrote:
nothing is lost and nothing is repeated. A record changed again since is a new
version, and is written again.

The state is written (atomically) only after the data is safely written, so an
interrupted run changes nothing and the next run starts from the same mark. Both
files are opened before the first request (a path that cannot be written fails
first), and the data file's rename and the state's are one step that a SIGINT or
SIGTERM waits for: after an interruption either both moved or neither did.

>>> from crmclients.sync import SyncState
>>> SyncState().mark("tactile", "opportunities") is None
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

import crmclients
from crmclients import _files, _signals, errors, export

__all__ = ["OVERLAP", "Mark", "SyncState", "incremental", "pull_to_file"]

#: How far before the mark each run looks again (absorbs strict "after" filters and
#: vendors that store whole seconds).
OVERLAP = timedelta(seconds=2)
_VERSION = 1


@attrs.frozen
class Mark:
    """Where a collection's last run ended.

    Attributes:
        field: ``"updated_at"`` or ``"created_at"``.
        at: The largest value of ``field`` written.
        ids: Ids written with exactly that value.
    """

    field: str
    at: datetime
    ids: frozenset[str] = frozenset()


@attrs.define
class SyncState:
    """High-water marks per ``vendor/collection``, stored as JSON."""

    marks: dict[str, Mark] = attrs.field(factory=dict)

    @staticmethod
    def key(vendor: str, collection: str) -> str:
        """The state key of a vendor's collection.

        Args:
            vendor: The vendor name.
            collection: The collection name.

        Returns:
            ``"vendor/collection"``.
        """
        return f"{vendor}/{collection}"

    def mark(self, vendor: str, collection: str) -> Mark | None:
        """The mark of a collection, or None before its first run.

        Args:
            vendor: The vendor name.
            collection: The collection name.

        Returns:
            Where the last run ended, or None.
        """
        return self.marks.get(self.key(vendor, collection))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SyncState:
        """Read a state file (a missing file is an empty state).

        Args:
            path: The state file.

        Returns:
            The state.

        Raises:
            ConfigurationError: The file is not a crmclients state file.
        """
        target = Path(path)
        if not target.exists():
            return cls()
        try:
            document = json.loads(target.read_text(encoding="utf-8"))
            marks = {
                key: Mark(
                    field=value["field"],
                    at=datetime.fromisoformat(value["at"]),
                    ids=frozenset(value.get("ids", ())),
                )
                for key, value in document["marks"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise errors.ConfigurationError(
                f"{target} is not a crmclients state file ({type(exc).__name__}: {exc})",
                hint="point --state at a file written by crmclients, or remove it to start over",
            ) from None
        return cls(marks)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state atomically (the rules of :func:`crmclients.export.write`).

        Args:
            path: The state file.

        Raises:
            ConfigurationError: The file cannot be written (names the path and
                the reason).
        """
        self._save_to(_files.open_output(path))

    def _save_to(self, output: _files.Output) -> None:
        """Write the state into an open output and commit it."""
        document = {
            "version": _VERSION,
            "marks": {
                key: {"field": m.field, "at": m.at.isoformat(), "ids": sorted(m.ids)}
                for key, m in sorted(self.marks.items())
            },
        }
        with output:
            output.write((json.dumps(document, indent=2) + "\n").encode("utf-8"))


def _cursor_field(client: crmclients.Client, collection: str) -> str:
    caps = client.capabilities
    if caps.supports(collection, "updated_after"):
        return "updated_at"
    if caps.supports(collection, "created_after"):
        return "created_at"
    raise errors.NotSupportedError(
        client.vendor,
        f"{collection} incremental pulls",
        f"{client.vendor} {collection} can be filtered by neither update nor creation time",
        hint="pull everything instead (no --state / --since)",
    )


class _Tracker:
    """Follows the records written and computes the next mark."""

    def __init__(self, field: str, previous: Mark | None) -> None:
        self.field = field
        self.previous = previous
        self.best: datetime | None = previous.at if previous else None
        self.ids: set[str] = set(previous.ids) if previous else set()

    def fresh(self, record: Any) -> bool:
        """False for a record the previous run already wrote."""
        moment: datetime | None = getattr(record, self.field, None)
        previous = self.previous
        if previous is None or moment is None:
            return True
        if moment < previous.at:
            return False
        return not (moment == previous.at and record.id in previous.ids)

    def seen(self, record: Any) -> None:
        moment: datetime | None = getattr(record, self.field, None)
        if moment is None:
            return
        if self.best is None or moment > self.best:
            self.best = moment
            self.ids = {record.id}
        elif moment == self.best:
            self.ids.add(record.id)

    def mark(self) -> Mark | None:
        if self.best is None:
            return None
        return Mark(self.field, self.best, frozenset(self.ids))


def incremental(
    client: crmclients.Client,
    collection: str,
    *,
    state: SyncState,
    since: datetime | None = None,
    **list_options: Any,
) -> tuple[Iterator[Any], Callable[[], None]]:
    """Records changed since the collection's mark (or ``since``), and a commit.

    Args:
        client: A connected client.
        collection: The collection to pull (``"opportunities"``...).
        state: The state holding the marks; only ``commit()`` changes it.
        since: Where to start when the state has no mark yet (naive: UTC).
        **list_options: Passed to ``list()``: filters such as ``related_to``,
            ``page_size``, ``workers``, ``include_raw``.

    Returns:
        ``(records, commit)``: iterate ``records`` and write them; then call
        ``commit()`` to move the mark in ``state`` (save the state afterwards).

    Raises:
        NotSupportedError: The collection has no time the vendor can filter on.
    """
    field = _cursor_field(client, collection)
    previous = state.mark(client.vendor, collection)
    if previous is not None and previous.field != field:
        previous = None
    if previous is not None:
        start: datetime | None = previous.at - OVERLAP
    elif since is not None:
        start = since if since.tzinfo else since.replace(tzinfo=UTC)
    else:
        start = None
    filter_name = "updated_after" if field == "updated_at" else "created_after"
    filters = {filter_name: start} if start is not None else {}
    pager = getattr(client, collection).list(**filters, **list_options)
    tracker = _Tracker(field, previous)

    def records() -> Iterator[Any]:
        for record in pager:
            if tracker.fresh(record):
                tracker.seen(record)
                yield record

    def commit() -> None:
        mark = tracker.mark()
        if mark is not None:
            state.marks[SyncState.key(client.vendor, collection)] = mark

    return records(), commit


def pull_to_file(
    client: crmclients.Client,
    collection: str,
    destination: str | os.PathLike[str] | None,
    fmt: export.Format,
    *,
    state_path: str | os.PathLike[str] | None = None,
    since: datetime | None = None,
    on_record: Callable[[Any], None] | None = None,
    table_columns: Sequence[str] | None = None,
    escape_formulas: bool = True,
    **list_options: Any,
) -> int:
    """Pull (incrementally when ``state_path`` is given) into a file, atomically.

    The data file is replaced only once complete; the state file is written only
    after that. Both are checked and opened before the first request.

    Args:
        client: A connected client.
        collection: The collection to pull.
        destination: The output file, or None or ``"-"`` for standard output.
        fmt: ``jsonl``, ``csv``, ``parquet`` or ``table``.
        state_path: A state file: pull only what changed since the last run, and
            record where this one ended.
        since: Without a state (or before its first run): only records changed
            since then.
        on_record: Called with each record as it is written (progress bars).
        table_columns: Preferred columns for ``table``.
        escape_formulas: For ``csv``: see :func:`crmclients.export.write_csv`.
        **list_options: Passed to ``list()`` (filters, ``page_size``, ``workers``).

    Returns:
        The number of records written.

    Raises:
        NotSupportedError: An incremental pull of a collection with no time the
            vendor can filter on.
        ConfigurationError: The state file is not one crmclients wrote, or a
            file cannot be written (names the path and the reason).
    """
    if fmt == "parquet" and destination is None:
        raise errors.ConfigurationError("parquet needs a file to write to")
    state = SyncState.load(state_path) if state_path is not None else None
    state_output = _files.open_output(state_path) if state_path is not None else None
    try:
        output = _files.open_output(destination)
    except BaseException:
        if state_output is not None:
            state_output.discard()
        raise
    return _pull(
        client,
        collection,
        output,
        fmt,
        state=state,
        state_output=state_output,
        since=since,
        on_record=on_record,
        table_columns=table_columns,
        escape_formulas=escape_formulas,
        **list_options,
    )


def _pull(
    client: crmclients.Client,
    collection: str,
    output: _files.Output,
    fmt: export.Format,
    *,
    state: SyncState | None = None,
    state_output: _files.Output | None = None,
    since: datetime | None = None,
    on_record: Callable[[Any], None] | None = None,
    table_columns: Sequence[str] | None = None,
    escape_formulas: bool = True,
    **list_options: Any,
) -> int:
    """:func:`pull_to_file` into outputs already open (the CLI opens them first).

    Both outputs are committed on success and discarded on any failure or signal.
    """
    try:
        if state is None and since is None:
            records: Iterator[Any] = iter(
                getattr(client, collection).list(**list_options)
            )
            mark: Callable[[], None] = lambda: None  # noqa: E731 - nothing to record
        else:
            records, mark = incremental(
                client,
                collection,
                state=state if state is not None else SyncState(),
                since=since,
                **list_options,
            )
        count = export._write(
            records,
            output,
            fmt,
            on_record=on_record,
            table_columns=table_columns,
            escape_formulas=escape_formulas,
        )
        with _signals.deferred():  # both files move, or neither
            output.commit()
            if state is not None and state_output is not None:
                mark()
                state._save_to(state_output)
    except BaseException:
        output.discard()
        if state_output is not None:
            state_output.discard()
        raise
    return count
