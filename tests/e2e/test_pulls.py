"""Data pulls to files: formats round-trip, atomic writes, incremental state."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crmclients
from crmclients import errors, export, sync
from crmclients._client import COLLECTION_MODELS, COLLECTIONS
from crmclients._frames import flat_row
from crmclients.sandbox import Sandbox
from tests.contract.samples import samples

PULLABLE = [
    (vendor, collection)
    for vendor in crmclients.vendor_names()
    for collection in COLLECTIONS
    if crmclients.capabilities(vendor).supports(collection, "list")
]


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, Sandbox]]:
    """One 40-record sandbox per vendor."""
    started = {
        v: Sandbox(v, records=40, seed=5).start() for v in crmclients.vendor_names()
    }
    try:
        yield started
    finally:
        for sb in started.values():
            sb.stop()


def pull(sandboxes: dict[str, Sandbox], vendor: str, collection: str) -> list[Any]:
    options = samples(vendor).get(collection, {}).get("list", {})
    with crmclients.connect(vendor, **sandboxes[vendor].settings) as client:
        return list(getattr(client, collection).list(**options))


@pytest.mark.parametrize(("vendor", "collection"), PULLABLE)
def test_jsonl_round_trips(
    sandboxes: dict[str, Sandbox], vendor: str, collection: str, tmp_path: Path
) -> None:
    """Records written as JSONL read back equal (raw aside)."""
    records = pull(sandboxes, vendor, collection)
    path = tmp_path / "out.jsonl"

    assert export.write_jsonl(records, path) == len(records) > 0
    assert list(export.read_jsonl(path, COLLECTION_MODELS[collection])) == records


@pytest.mark.parametrize(("vendor", "collection"), PULLABLE)
def test_csv_round_trips(
    sandboxes: dict[str, Sandbox], vendor: str, collection: str, tmp_path: Path
) -> None:
    """CSV rows carry every flattened field of every record (raw: no formula escaping)."""
    records = pull(sandboxes, vendor, collection)
    path = tmp_path / "out.csv"
    export.write_csv(records, path, escape_formulas=False)

    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = [
        {k: export._csv_value(v) for k, v in flat_row(r).items()} for r in records
    ]
    assert rows == [{k: str(v) for k, v in row.items()} for row in expected]


@pytest.mark.parametrize(("vendor", "collection"), PULLABLE)
def test_parquet_round_trips(
    sandboxes: dict[str, Sandbox], vendor: str, collection: str, tmp_path: Path
) -> None:
    """Parquet keeps ids, timestamps (tz-aware) and values."""
    import pandas as pd

    records = pull(sandboxes, vendor, collection)
    path = tmp_path / "out.parquet"
    export.write_parquet(records, path)
    frame = pd.read_parquet(path)
    expected = export.to_dataframe(records)

    assert list(frame["id"]) == [r.id for r in records]
    pd.testing.assert_frame_equal(
        frame, expected, check_dtype=False, check_categorical=False
    )
    if "updated_at" in frame and frame["updated_at"].notna().any():
        assert str(frame["updated_at"].dt.tz) == "UTC"


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    """A write that fails half-way leaves neither a partial file nor a temp file."""
    destination = tmp_path / "out.jsonl"
    destination.write_text("previous complete export\n")

    def broken() -> Iterator[Any]:
        from crmclients.models import Note

        yield Note(id="1", vendor="x")
        raise errors.TransportError("connection lost mid-pull")

    with pytest.raises(errors.TransportError):
        export.write_jsonl(broken(), destination)

    assert destination.read_text() == "previous complete export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_incremental_pull_resumes_after_an_interruption(tmp_path: Path) -> None:
    """Run, change data, interrupt a run, run again: every version written exactly once."""
    state = tmp_path / "state.json"
    with (
        Sandbox("tactile", records=120, seed=8) as sb,
        crmclients.connect("tactile", **sb.settings) as client,
    ):
        first = tmp_path / "run1.jsonl"
        assert (
            sync.pull_to_file(client, "opportunities", first, "jsonl", state_path=state)
            == 120
        )
        mark = json.loads(state.read_text())["marks"]["tactile/opportunities"]

        new_ids = [
            str(client.native.create_opportunity(name=f"New {i}", enddate="2025-01-01"))
            for i in range(3)
        ]
        changed = ["1005", "1042"]
        for oid in changed:
            client.native.update_opportunity(oid, probability=95)

        interrupted = tmp_path / "run2.jsonl"

        def stop_after_two(record: Any, seen: list[Any] = []) -> None:  # noqa: B006
            seen.append(record)
            if len(seen) == 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            sync.pull_to_file(
                client,
                "opportunities",
                interrupted,
                "jsonl",
                state_path=state,
                on_record=stop_after_two,
            )
        assert not interrupted.exists()
        assert json.loads(state.read_text())["marks"]["tactile/opportunities"] == mark

        resumed = tmp_path / "run3.jsonl"
        assert (
            sync.pull_to_file(
                client, "opportunities", resumed, "jsonl", state_path=state
            )
            == 5
        )
        quiet = tmp_path / "run4.jsonl"
        assert (
            sync.pull_to_file(client, "opportunities", quiet, "jsonl", state_path=state)
            == 0
        )

    run1 = [json.loads(line)["id"] for line in first.read_text().splitlines()]
    run3 = [json.loads(line) for line in resumed.read_text().splitlines()]
    assert len(run1) == len(set(run1)) == 120
    assert sorted(r["id"] for r in run3) == sorted(new_ids + changed)
    assert all(r["probability"] == 95 for r in run3 if r["id"] in changed)


def test_since_without_state(tmp_path: Path) -> None:
    """--since alone pulls only what changed after the given time."""
    from datetime import UTC, datetime

    since = datetime(2024, 6, 1, tzinfo=UTC)
    with (
        Sandbox("tactile", records=200, seed=8) as sb,
        crmclients.connect("tactile", **sb.settings) as client,
    ):
        everything = client.opportunities.list().to_list()
        count = sync.pull_to_file(
            client, "opportunities", tmp_path / "x.jsonl", "jsonl", since=since
        )

    assert (
        count
        == sum(1 for r in everything if r.updated_at and r.updated_at >= since)
        > 0
    )


def test_state_file_garbage_is_a_clear_error(tmp_path: Path) -> None:
    """A state file crmclients did not write is refused with a hint."""
    path = tmp_path / "state.json"
    path.write_text("{not json")

    with pytest.raises(errors.ConfigurationError, match="not a crmclients state file"):
        sync.SyncState.load(path)


def test_cli_incremental_pull(tmp_path: Path) -> None:
    """The CLI's --state: a second run with no changes writes nothing new."""
    from click.testing import CliRunner

    from crmclients.cli import cli

    runner = CliRunner()
    args = [
        "pull",
        "tactile",
        "opportunities",
        "--sandbox",
        "--records",
        "25",
        "--format",
        "jsonl",
        "--state",
        str(tmp_path / "s.json"),
    ]
    first = runner.invoke(cli, [*args, "--out", str(tmp_path / "a.jsonl")])
    second = runner.invoke(cli, [*args, "--out", str(tmp_path / "b.jsonl")])

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 25
    assert (tmp_path / "b.jsonl").read_text() == ""
