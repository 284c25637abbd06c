"""Each vendor page is complete and stays true to the code.

A page has the sections a user needs (connecting, authentication, what is covered,
quirks, the rules enforced before sending, the native -> shared mapping, the
capabilities), its capability table equals the code's, and it names every native
method that calls the vendor, with the call, and every write of its WRITES table.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import crmclients

ROOT = Path(__file__).resolve().parents[2]
VENDORS = crmclients.vendor_names()

#: Section -> words one of the page's headings must contain (case-insensitive).
SECTIONS = {
    "connecting": ("connecting",),
    "authentication": ("authentication",),
    "coverage": ("coverage",),
    "quirks": ("quirks",),
    "enforced rules": ("rules",),
    "mapping": ("mapping",),
    "capabilities": ("capabilities",),
    "sandbox": ("sandbox",),
}


def _page(vendor: str) -> str:
    return (ROOT / "docs" / "vendors" / f"{vendor}.md").read_text(encoding="utf-8")


def _native_client(vendor: str) -> type:
    package = importlib.import_module(f"crmclients.vendors.{vendor}")
    classes = [
        getattr(package, name)
        for name in package.__all__
        if name.endswith("Client") and inspect.isclass(getattr(package, name))
    ]
    assert len(classes) == 1, classes
    cls: type = classes[0]
    return cls


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_page_has_every_section(vendor: str) -> None:
    """Connecting, auth, coverage, quirks, rules, mapping, capabilities, sandbox."""
    headings = [
        line.lower() for line in _page(vendor).splitlines() if line.startswith("## ")
    ]
    missing = [
        section
        for section, words in SECTIONS.items()
        if not any(any(word in heading for word in words) for heading in headings)
    ]

    assert missing == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_page_has_a_mapping_table_from_native_to_shared(vendor: str) -> None:
    """The mapping section holds a Markdown table whose rows name shared fields."""
    text = _page(vendor)
    section = re.split(r"\n## [^\n]*[Mm]apping[^\n]*\n", text, maxsplit=1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]

    assert len(rows) >= 5
    assert any("created_at" in row for row in rows)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_capability_table_is_the_one_the_code_gives(vendor: str) -> None:
    """The table between the markers equals capabilities(vendor).to_markdown()."""
    block = (
        _page(vendor)
        .split("<!-- capabilities:start -->")[1]
        .split("<!-- capabilities:end -->")[0]
    )

    assert block.strip() == crmclients.capabilities(vendor).to_markdown()


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_native_call_and_write_is_on_the_page(vendor: str) -> None:
    """Each method with :calls: is named with its call; each WRITES entry appears."""
    text = _page(vendor)
    client = _native_client(vendor)
    calls = {
        name: re.findall(r":calls: ``([A-Z]+ /[^`?]*)", method.__doc__ or "")
        for name, method in inspect.getmembers(client, inspect.isfunction)
        if ":calls:" in (method.__doc__ or "")
    }
    writes = importlib.import_module(f"crmclients.vendors.{vendor}.client").WRITES

    assert calls
    for name, paths in calls.items():
        assert f"`{name}(" in text, name
        for call in paths:
            path = call.split(" ", 1)[1].strip()
            # CRM.COM's page writes its methods without the common /crmapi/rest/v2/.
            assert path in text or path.split("/rest/v2/")[-1] in text, (name, call)
    for operation in writes:
        assert re.search(rf"`{re.escape(operation)}`|{re.escape(operation)}", text), (
            operation
        )


def test_every_vendor_page_is_in_the_site_navigation() -> None:
    """mkdocs.yml lists one page per registered vendor."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")

    assert all(f"vendors/{vendor}.md" in nav for vendor in VENDORS)
