"""The generated pages of the documentation site say what the code says.

The MkDocs hooks in docs/_hooks build the capability matrix, the error reference,
the examples page and the native API page from the code at build time (``.ci/run``
builds the site with ``--strict``); these tests check the generators themselves,
and that every page is reachable from the navigation.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

import crmclients
from crmclients import errors

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "docs" / "_hooks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return _load("generate")


def test_the_capability_matrix_holds_every_vendor_table(generate: ModuleType) -> None:
    """Each vendor's to_markdown() appears whole, and each vendor has a row."""
    page = generate.capability_matrix_page()

    for vendor in crmclients.vendor_names():
        assert crmclients.capabilities(vendor).to_markdown() in page
        assert f"| [{vendor}](vendors/{vendor}.md) |" in page


def test_the_matrix_cells_follow_the_modes(generate: ModuleType) -> None:
    """A cell of the per-collection tables is the mode of that vendor's feature."""
    page = generate.capability_matrix_page()
    section = page.split("## `opportunities`")[1].split("\n## ")[0]
    row = next(line for line in section.splitlines() if line.startswith("| `delete` |"))

    assert row == "| `delete` | operation | - |"
    assert (
        crmclients.capabilities("tactile").mode("opportunities", "delete")
        == "unsupported"
    )


def test_the_error_reference_covers_every_error_and_warning(
    generate: ModuleType,
) -> None:
    """Every class of crmclients.errors has a section, a place in the tree and a hint."""
    page = generate.error_reference_page()
    tree = page.split("```text")[1].split("```")[0]

    for name in errors.__all__:
        assert f"## `{name}`" in page
        assert re.search(rf"^\s*{name}\s", tree, re.MULTILINE), name
    assert "| `NotSupportedError` | `CRMError` | 4 |" in page
    assert "| `AuthenticationError` | `APIError` | 3 |" in page
    assert "- `retry_after`: Seconds the vendor asked us to wait" in page


def test_the_tree_nests_subclasses_under_their_base(generate: ModuleType) -> None:
    """ClockSkewError sits under AuthenticationError, under APIError."""
    tree = generate.error_reference_page().split("```text")[1].split("```")[0]
    indent = {
        line.split()[0]: len(line) - len(line.lstrip())
        for line in tree.splitlines()
        if line.strip()
    }

    assert indent["CRMError"] < indent["APIError"] < indent["AuthenticationError"]
    assert indent["AuthenticationError"] < indent["ClockSkewError"]


def test_the_examples_page_shows_every_script(generate: ModuleType) -> None:
    """Each example's summary line and source are on the page."""
    page = generate.examples_page()

    for script in sorted((ROOT / "examples").glob("*.py")):
        assert f"## `{script.name}`" in page
        assert "def main(" in page.split(f"## `{script.name}`")[1]
    assert "## `explore.ipynb`" in page


def test_the_native_api_page_has_one_section_per_vendor(generate: ModuleType) -> None:
    """A sixth vendor gets its API section without editing the docs."""
    page = generate.vendor_api_page()

    sections = re.findall(r"^::: crmclients\.vendors\.(\w+)$", page, re.M)

    assert sections == crmclients.vendor_names()


def test_vendor_pages_get_the_table_of_the_code(generate: ModuleType) -> None:
    """A stale table between the markers is replaced at build time."""
    stale = (
        "intro\n<!-- capabilities:start -->\n| old |\n<!-- capabilities:end -->\nend"
    )

    filled = generate.fill_capabilities(stale, "ivvy")

    assert crmclients.capabilities("ivvy").to_markdown() in filled
    assert "| old |" not in filled and filled.endswith("end")


def test_sphinx_roles_become_inline_code(generate: ModuleType) -> None:
    """Rendered docstrings lose ':class:' prefixes; ':calls:' becomes a label."""
    html = "<p>See :class:<code>~crmclients.Client</code>.</p><p>:calls: <code>GET /x</code></p>"

    assert generate.roles_to_code(html) == (
        "<p>See <code>crmclients.Client</code>.</p>"
        "<p><strong>Calls:</strong> <code>GET /x</code></p>"
    )


def test_doctest_examples_in_docstrings_are_fenced() -> None:
    """``>>>`` runs become pycon code blocks; text and existing fences stay."""
    fence = _load("griffe_doctest").fence_doctests
    text = "Intro.\n\n>>> 1 + 1\n2\n\nMore.\n```python\n>>> not a doctest\n```"

    assert fence(text) == (
        "Intro.\n\n```pycon\n>>> 1 + 1\n2\n```\n\nMore.\n```python\n>>> not a doctest\n```"
    )


def test_every_page_is_in_the_navigation() -> None:
    """No page of docs/ is orphaned; every generated page is linked."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [
        str(p.relative_to(ROOT / "docs"))
        for p in (ROOT / "docs").rglob("*.md")
        if "_hooks" not in p.parts
    ]
    generate = _load("generate")

    assert [p for p in pages if f" {p}" not in nav] == []
    assert all(f" {p}" in nav for p in generate.GENERATED)


@pytest.mark.parametrize("page", ["capabilities.md", "errors.md", "examples.md"])
def test_the_examples_of_generated_pages_run(generate: ModuleType, page: str) -> None:
    """Generated pages are not on disk for test_snippets: their >>> blocks run here."""
    text = generate.GENERATED[page]()
    blocks = re.findall(r"^```pycon\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    test = doctest.DocTestParser().get_doctest("\n\n".join(blocks), {}, page, page, 0)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report: list[str] = []

    result = runner.run(test, out=report.append)

    assert result.failed == 0, "".join(report)
    assert page != "capabilities.md" or result.attempted >= 3
