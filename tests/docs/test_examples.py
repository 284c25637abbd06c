"""Every script in examples/ runs by itself against the sandbox and says what it did.

Each example is run as a user would run it (``python examples/x.py``, from a fresh
folder, with no credentials in the environment); it must exit 0 and print the
lines that show its work was done. A new example needs an entry in EXPECTED.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: Example -> (arguments, regular expressions its output must match, in order).
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "app_administrate.py": (
        [],
        [
            r"it had landed as \d+: not creating it again",
            r"refused before sending: assignee is required",
            r"completed: 'Completed'",
            r"deleted task \d+",
            r"done: task \d+ created, updated, completed and deleted",
        ],
    ),
    "app_crmcom.py": (
        [],
        [
            r"refused before sending: to is required when media is EMAIL",
            r"it had landed as CM\d+: not creating it again",
            r"completed CM\d+: 'Your renewal is due' is COMPLETED",
            r"conflict: Only draft communications can be updated",
            r"done: communication CM\d+ sent and viewed",
        ],
    ),
    "app_ivvy.py": (
        [],
        [
            r"iVvy says 'ack'",
            r"it had landed as \d+: not creating it again",
            r"refused before sending: related can hold only one of",
            r"task \d+: In Progress, due 2025-03-05",
            r"not found: The task does not exist \(specific code 24392\)",
            r"done: follow-up task \d+ in progress",
        ],
    ),
    "app_opentaps.py": (
        [],
        [
            r"it had landed as [0-9a-f]{24}: not creating it again",
            r"started it and linked contact [0-9a-f]{24} as ATTENDEE",
            r"refused before sending: cannot move a task from in_progress",
            r"refused before sending: has no Opentaps equivalent for on_hold",
            r"logged call [0-9a-f]{24} \(call\)",
            r"done: task [0-9a-f]{24} is completed",
        ],
    ),
    "app_tactile.py": (
        [],
        [
            r"it had landed as \d+: not creating it again",
            r"refused before sending: probability must be a multiple of 5",
            r"updated \d+: 75% \(Negotiation\), tags \('boat-show',\)",
            r"not found: \['Invalid ID Specified'\]",
            r"Tactile cannot delete opportunities",
            r"done: opportunity \d+ 'Boat show stand' at 75%",
        ],
    ),
    "cross_vendor_report.py": (
        ["--records", "30", "--csv", "activities.csv"],
        [
            *(
                rf"{vendor}\s+\d+ activities"
                for vendor in ("administrate", "crmcom", "ivvy", "opentaps", "tactile")
            ),
            r"Activities per vendor and kind:",
            r"note\s+0\s+0\s+0\s+\d+\s+[1-9]\d*",
            r"wrote activities.csv",
            r"\d+ activities from 5 vendors",
        ],
    ),
    "incremental_pull.py": (
        ["--out", "pulls"],
        [
            *(
                rf"{vendor}: 40 records, then 1 changed"
                for vendor in ("administrate", "crmcom", "ivvy", "opentaps", "tactile")
            ),
        ],
    ),
}


def _scripts() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("*.py"))


def test_every_example_is_run_by_this_test() -> None:
    """No example escapes the suite."""
    assert _scripts() == sorted(EXPECTED)


@pytest.mark.parametrize("name", _scripts())
def test_the_example_has_a_header_docstring_and_is_listed(name: str) -> None:
    """A summary line, how to run it, and an entry in examples/README.md."""
    doc = ast.get_docstring(ast.parse((EXAMPLES / name).read_text(encoding="utf-8")))
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")

    assert doc and len(doc.splitlines()[0]) <= 88
    assert f"python examples/{name}" in doc
    assert f"`{name}`" in readme


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_example_runs_against_the_sandbox(name: str, tmp_path: Path) -> None:
    """Exit code 0, and the lines that show the work was done, in order."""
    arguments, patterns = EXPECTED[name]
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("CRMCLIENTS_")
    }
    environment["CRMCLIENTS_CONFIG"] = str(tmp_path / "no-profile.toml")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *arguments],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout

    assert done.returncode == 0, done.stdout + done.stderr
    position = 0
    for pattern in patterns:
        match = re.compile(pattern).search(output, position)
        assert match, f"{pattern!r} not found after position {position}:\n{output}"
        position = match.end()


def test_the_incremental_pull_leaves_data_and_state_files(tmp_path: Path) -> None:
    """Two runs per vendor: a full file, a file with the one change, a state file."""
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "incremental_pull.py"),
            "--vendor",
            "tactile",
            "--out",
            "out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    run1, run2 = (
        (tmp_path / "out" / f).read_text().splitlines() for f in files if "run" in f
    )

    assert done.returncode == 0, done.stderr
    assert files[-1] == "tactile-opportunities.state.json"
    assert (len(run1), len(run2)) == (40, 1)
    assert '"id":"1001"' in run2[0] and '"probability":90' in run2[0]
