"""The Opentaps docs page stays true to the code (capabilities, endpoints, writes)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import crmclients
from crmclients.vendors.opentaps import OpentapsClient
from crmclients.vendors.opentaps.client import WRITES

DOC = Path(__file__).resolve().parents[3] / "docs" / "vendors" / "opentaps.md"


def test_the_capability_matrix_in_the_docs_is_generated_from_the_code() -> None:
    """The table between the markers equals capabilities("opentaps").to_markdown()."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- capabilities:start -->")[1].split(
        "<!-- capabilities:end -->"
    )[0]

    assert block.strip() == crmclients.capabilities("opentaps").to_markdown()


def test_every_native_method_and_write_is_in_the_coverage_table() -> None:
    """Each method with a :calls: line, its vendor call, and each WRITES entry is documented."""
    text = DOC.read_text(encoding="utf-8")
    methods = {
        name: re.findall(r":calls: ``([A-Z]+ /[^`]*)``", method.__doc__ or "")
        for name, method in inspect.getmembers(OpentapsClient, inspect.isfunction)
        if ":calls:" in (method.__doc__ or "")
    }

    assert len(methods) == 12
    for name, calls in methods.items():
        assert f"`{name}(" in text, name
        assert all(f"`{call}" in text for call in calls), (name, calls)
    for operation in WRITES:
        assert f"`{operation}`" in text, operation
