"""`crmclients pull` works for every collection of every vendor, on its sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import crmclients
from crmclients._client import COLLECTIONS
from crmclients.cli import _Progress, cli
from crmclients.models import Ref
from tests.contract.samples import samples

PULLABLE = [
    (vendor, collection)
    for vendor in crmclients.vendor_names()
    for collection in COLLECTIONS
    if crmclients.capabilities(vendor).supports(collection, "list")
]


def filter_options(vendor: str, collection: str) -> list[str]:
    """The sample's required list arguments as --filter options."""
    options: list[str] = []
    for name, value in samples(vendor).get(collection, {}).get("list", {}).items():
        text = (
            f"{value.kind.value}:{value.id}" if isinstance(value, Ref) else str(value)
        )
        options += ["--filter", f"{name}={text}"]
    return options


@pytest.mark.parametrize(("vendor", "collection"), PULLABLE)
def test_pull_every_collection_to_jsonl(
    vendor: str, collection: str, tmp_path: Path
) -> None:
    """Every listable collection pulls from the sandbox into a JSONL file."""
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        [
            "pull",
            vendor,
            collection,
            "--sandbox",
            "--records",
            "25",
            "--format",
            "jsonl",
            "--out",
            str(out),
            *filter_options(vendor, collection),
        ],
    )

    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all(row["vendor"] == vendor for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    assert f"{len(rows)} {collection} from {vendor}" in result.stderr


def test_bad_filter_syntax_is_a_usage_error() -> None:
    """--filter needs NAME=VALUE and refs need KIND:ID."""
    runner = CliRunner()

    assert (
        runner.invoke(
            cli, ["pull", "tactile", "notes", "--sandbox", "--filter", "related_to"]
        ).exit_code
        == 2
    )
    bad = runner.invoke(
        cli, ["pull", "tactile", "notes", "--sandbox", "--filter", "related_to=opp:1"]
    )
    assert bad.exit_code == 2
    assert "KIND:ID" in bad.stderr


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar appears when stderr is a TTY (and not with --quiet); never otherwise."""
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    shown = _Progress(True, "tactile.opportunities")
    quiet = _Progress(False, "tactile.opportunities")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    piped = _Progress(True, "tactile.opportunities")
    for record in range(3):
        shown(record)

    assert shown.bar is not None and shown.bar.n == 3
    assert quiet.bar is None and piped.bar is None
    shown.close()


def test_dataframe_dtypes(tmp_path: Path) -> None:
    """to_dataframe(): tz-aware UTC datetimes, dates, floats for money, categoricals for enums."""
    from crmclients.testing import mock_vendor

    with mock_vendor("tactile", records=20) as mock:
        frame = (
            crmclients.connect("tactile", **mock.settings)
            .opportunities.list()
            .to_dataframe()
        )
    with mock_vendor("ivvy", records=20) as mock:
        tasks = crmclients.connect("ivvy", **mock.settings).tasks.list().to_dataframe()

    assert str(frame["updated_at"].dtype) in (
        "datetime64[us, UTC]",
        "datetime64[ns, UTC]",
    )
    assert frame["value"].dtype == "float64"
    assert frame["close_date"].dtype.kind == "M"
    assert {"organisation_id", "organisation_name", "assignee_id"} <= set(frame.columns)
    assert "raw" not in frame.columns
    assert tasks["status"].dtype == "category"
    assert "completed" in list(tasks["status"].cat.categories)


def test_dataframe_keeps_decimals_when_asked() -> None:
    """decimals='decimal' keeps money exact."""
    from decimal import Decimal

    from crmclients.testing import mock_vendor

    with mock_vendor("tactile", records=5) as mock:
        frame = (
            crmclients.connect("tactile", **mock.settings)
            .opportunities.list()
            .to_dataframe(decimals="decimal")
        )

    assert all(isinstance(v, Decimal) for v in frame["value"].dropna())
