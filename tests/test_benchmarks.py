"""The benchmark runs end to end at a tiny size (it is not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_quick(script: str) -> subprocess.CompletedProcess[str]:
    """``python benchmarks/<script> --quick``; asserts it exited 0."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_benchmark_quick_run_prints_its_table(tmp_path: Path) -> None:
    """`python benchmarks/run.py --quick` measures every figure and writes its results."""
    result = run_quick("run.py")

    assert "sequential typed pull vs raw loop" in result.stdout
    assert "16 workers at latency" in result.stdout
    data = json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text())
    assert data["cli_records_written"] == data["records"]
    assert {"raw dicts list", "to_list() without raw"} <= set(data["memory_mb"])


def test_vendor_benchmark_quick_run_covers_every_vendor() -> None:
    """`python benchmarks/vendors.py --quick` replays a pull of every vendor's collections."""
    result = run_quick("vendors.py")

    rows = json.loads((ROOT / "benchmarks" / "results" / "vendors.json").read_text())
    assert {row["vendor"] for row in rows} == {
        "tactile",
        "opentaps",
        "ivvy",
        "administrate",
        "crmcom",
    }
    assert all(row["records"] > 0 and row["sdk_us"] > 0 for row in rows)
    assert "| crmcom | communications |" in result.stdout
