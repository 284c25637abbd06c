"""The iVvy docs page stays true to the code (capabilities, endpoints, writes)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import crmclients
from crmclients.vendors.ivvy import IvvyClient
from crmclients.vendors.ivvy.client import WRITES

DOC = Path(__file__).resolve().parents[3] / "docs" / "vendors" / "ivvy.md"


def test_the_capability_matrix_in_the_docs_is_generated_from_the_code() -> None:
    """The table between the markers equals capabilities("ivvy").to_markdown()."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- capabilities:start -->")[1].split(
        "<!-- capabilities:end -->"
    )[0]

    assert block.strip() == crmclients.capabilities("ivvy").to_markdown()


def test_every_native_method_and_write_is_in_the_coverage_table() -> None:
    """Each method with a :calls: line, its vendor call, and each WRITES entry is documented."""
    text = DOC.read_text(encoding="utf-8")
    methods = {
        name: re.findall(r":calls: ``([A-Z]+ /[^`]*)``", method.__doc__ or "")
        for name, method in inspect.getmembers(IvvyClient, inspect.isfunction)
        if ":calls:" in (method.__doc__ or "")
    }

    assert sorted(methods) == [
        "add_or_update_activity",
        "add_or_update_task",
        "get_activity_list",
        "get_task_list",
        "iter_activities",
        "iter_tasks",
        "ping",
    ]
    for name, calls in methods.items():
        assert f"`{name}(" in text, name
        assert calls and all(f"`{call}" in text for call in calls), (name, calls)
    for operation in WRITES:
        assert f"`{operation}`" in text, operation
