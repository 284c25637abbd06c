"""benchmarks/reliability.py renders every table from the suite's figures."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "reliability.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_report_has_every_table_the_issue_asks_for() -> None:
    """Faults per kind, records, writes, drift, secrets, examples, rate limit."""
    script = _script()
    figures = {
        "sections": {
            "pulls": [
                {
                    "vendor": "tactile",
                    "collection": "opportunities",
                    "expected": 10,
                    "received": 10,
                    "duplicated": 0,
                    "missing": 0,
                    "calls": 2,
                    "http_requests": 3,
                    "retries": 1,
                    "faults": {"500": 1},
                    "seconds": 0.1,
                    "backoff_seconds": 0.5,
                }
            ],
            "writes": [
                {
                    "vendor": "tactile",
                    "operation": "opportunities.save (create)",
                    "idempotent": False,
                    "fault": "500",
                    "sent": 1,
                    "applied": 0,
                    "outcome": "AmbiguousWriteError",
                }
            ],
            "secrets": [
                {
                    "vendor": "tactile",
                    "credentials": 2,
                    "log_records": 9,
                    "texts": 3,
                    "characters": 99,
                    "tokens_renewed": 0,
                    "found": 0,
                }
            ],
            "decoders": [
                {
                    "vendor": "tactile",
                    "decoder": "get_options",
                    "examples": 5,
                    "models": 1,
                    "errors": 4,
                    "damaged_answers": 7,
                }
            ],
        }
    }

    text = script.render(figures, [], "meta")

    for heading in (
        "Pulls under 20% faults",
        "Faults injected per kind",
        "Writes under faults",
        "The WRITES table",
        "Records moving during a pull",
        "Secrets",
        "damaged answers, per decoder",
        "8 threads, one client",
    ):
        assert heading in text
    assert "| 500 | 1 | 1 |" in text
    assert "| tactile | no | 1 | 1 | 0 | 1 | 0 | 1 | 0 |" in text


def test_the_script_documents_its_one_command() -> None:
    """`python benchmarks/reliability.py --help` explains the full and quick runs."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--size" in done.stdout
