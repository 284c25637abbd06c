"""The crmclients command: pull, vendors, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmclients.cli import cli, main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_pull_sandbox_prints_a_table(runner: CliRunner) -> None:
    """The README's main job: sandbox opportunities as a table, no credentials needed."""
    result = runner.invoke(
        cli, ["pull", "tactile", "opportunities", "--sandbox", "--records", "12"]
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "status"]
    assert len(lines) == 2 + 12
    assert "12 opportunities from tactile" in result.stderr


def test_pull_jsonl_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    """--format jsonl --out writes one JSON object per record."""
    out = tmp_path / "opps.jsonl"
    result = runner.invoke(
        cli,
        [
            "pull",
            "tactile",
            "opportunities",
            "--sandbox",
            "--records",
            "30",
            "--format",
            "jsonl",
            "--out",
            str(out),
            "--workers",
            "3",
            "--page-size",
            "7",
        ],
    )

    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 30 == len({r["id"] for r in rows})
    assert rows[0]["vendor"] == "tactile"
    assert "raw" not in rows[0]
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_pull_csv_to_stdout_with_limit(runner: CliRunner) -> None:
    """--limit stops early; CSV has a header and flattened refs."""
    result = runner.invoke(
        cli,
        [
            "pull",
            "tactile",
            "opportunities",
            "--sandbox",
            "--format",
            "csv",
            "--limit",
            "5",
        ],
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 6
    assert "organisation_id" in lines[0] and "organisation_name" in lines[0]


def test_unsupported_collection_exits_4_with_one_line(runner: CliRunner) -> None:
    """A collection the vendor lacks: exit code 4 and a single line saying so."""
    result = runner.invoke(cli, ["pull", "tactile", "tasks", "--sandbox"])

    assert result.exit_code == 4
    assert result.stderr.strip().count("\n") == 0
    assert "tactile does not support tasks.list" in result.stderr


def test_missing_credentials_exit_2_and_name_the_variable(runner: CliRunner) -> None:
    """Without --sandbox or credentials, the message says which variable to set."""
    result = runner.invoke(cli, ["pull", "tactile", "opportunities"])

    assert result.exit_code == 2
    assert "CRMCLIENTS_TACTILE_API_TOKEN" in result.stderr


def test_unknown_vendor_exits_2(runner: CliRunner) -> None:
    """A typo in the vendor name is a usage error listing the vendors."""
    result = runner.invoke(cli, ["pull", "tactil", "opportunities", "--sandbox"])

    assert result.exit_code == 2
    assert "tactile" in result.stderr


@pytest.mark.parametrize(
    "value", ["zero", "0", "-2", "\u0661\u0662", "\u00b2", "1" * 5000]
)
def test_bad_workers_value(runner: CliRunner, value: str) -> None:
    """--workers must be a positive integer (ASCII digits) or auto."""
    result = runner.invoke(
        cli, ["pull", "tactile", "opportunities", "--sandbox", "--workers", value]
    )

    assert result.exit_code == 2
    assert "--workers" in result.stderr


def test_vendors_lists_capabilities(runner: CliRunner) -> None:
    """`crmclients vendors` shows each vendor with its collections and operations."""
    result = runner.invoke(cli, ["vendors"])

    assert result.exit_code == 0
    assert (
        "tactile" in result.stdout
        and "opportunities(list,get,create,update)" in result.stdout
    )
    markdown = runner.invoke(cli, ["vendors", "--markdown"])
    assert "| tactile |" in markdown.stdout


def test_main_returns_the_exit_code() -> None:
    """main() (the console script) returns codes instead of raising."""
    assert main(["pull", "tactile", "tasks", "--sandbox", "-q"]) == 4
    assert main(["--help"]) == 0


def test_sandbox_command_serves_a_vendor(tmp_path: Path) -> None:
    """`crmclients sandbox tactile --port N` serves the emulator until stopped."""
    import socket
    import subprocess
    import sys
    import time

    import crmclients

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crmclients",
            "sandbox",
            "tactile",
            "--port",
            str(port),
            "--records",
            "7",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline() if process.stdout else ""
        assert f"http://127.0.0.1:{port}" in banner
        from crmclients.sandbox.tactile import TOKEN

        deadline = time.monotonic() + 10
        while True:
            try:
                client = crmclients.connect(
                    "tactile", base_url=f"http://127.0.0.1:{port}", api_token=TOKEN
                )
                assert len(client.opportunities.list().to_list()) == 7
                break
            except crmclients.errors.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.communicate(timeout=10)
