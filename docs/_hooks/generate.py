"""MkDocs hooks: the pages generated from the code, never written by hand.

Registered in ``mkdocs.yml`` (``hooks:``). At build time they

* add ``capabilities.md`` (from ``crmclients.capabilities(vendor)``), ``errors.md``
  (from the classes in ``crmclients.errors``), ``examples.md`` (from the header
  docstrings and sources of ``examples/``) and ``api/vendors.md`` (one mkdocstrings
  section per registered vendor);
* refill the capability table of every vendor page (between
  ``<!-- capabilities:start -->`` and ``<!-- capabilities:end -->``) from the code;
* turn the Sphinx roles of docstrings (``:class:`Client```, ``:calls:``) into
  plain inline code, since Markdown has no roles.

Every generator is a plain function of the code, so ``tests/docs`` checks them
without running MkDocs.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

import crmclients
from crmclients import errors

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

_CAPS = re.compile(
    r"(<!-- capabilities:start -->\n)(.*?)(\n?<!-- capabilities:end -->)", re.DOTALL
)
_ROLE = re.compile(
    r":(?:class|func|meth|mod|attr|exc|data|obj|py:\w+):<code>~?([^<]+)</code>"
)
_CALLS = re.compile(r"(<p>|\s):calls:")
_SYMBOL = {"native": "yes", "emulated": "emulated", "unsupported": "-"}
_OPERATIONS = ("list", "get", "create", "update", "delete")


# -- capability matrix --------------------------------------------------------------


def capability_matrix_page() -> str:
    """The capability matrix page, from ``crmclients.capabilities(vendor)``."""
    vendors = crmclients.vendor_names()
    caps = {v: crmclients.capabilities(v) for v in vendors}
    rows = list(caps[vendors[0]])
    collections = list(dict.fromkeys(row.collection for row in rows))
    features = list(dict.fromkeys(row.feature for row in rows))
    kinds = {row.feature: row.kind for row in rows}
    out = [
        "# Capability matrix",
        "",
        "Generated at build time from `crmclients.capabilities(vendor)`, the same",
        "object as `client.capabilities`; nothing here is written by hand. A test",
        "(`tests/contract`) checks it against behaviour: every supported operation",
        "works on the sandbox, every unsupported one raises `NotSupportedError`",
        "before any request is sent.",
        "",
        "- **yes**: the vendor does it natively (a filter is applied by the server);",
        "- **emulated**: crmclients composes other calls (an operation) or applies",
        "  the filter to each record itself (reported in `pager.client_side_filters`);",
        "- **-**: not supported: `NotSupportedError`, nothing is sent.",
        "",
        "```pycon",
        ">>> import crmclients",
        '>>> caps = crmclients.capabilities("tactile")',
        '>>> caps.supports("opportunities", "create"), caps.mode("notes", "related_to")',
        "(True, 'native')",
        "```",
        "",
        "## Collections per vendor",
        "",
        "| vendor | " + " | ".join(collections) + " |",
        "|---|" + "---|" * len(collections),
    ]
    for vendor in vendors:
        cells = []
        for collection in collections:
            ops = [op for op in _OPERATIONS if caps[vendor].supports(collection, op)]
            cells.append(", ".join(ops) if ops else "-")
        out.append(f"| [{vendor}](vendors/{vendor}.md) | " + " | ".join(cells) + " |")
    for collection in collections:
        offered = [v for v in vendors if collection in caps[v].collections()]
        out += ["", f"## `{collection}`", ""]
        if not offered:
            out.append("No vendor offers this collection yet.")
            continue
        out.append(
            f"Vendors with `client.{collection}`: "
            + ", ".join(f"[{v}](vendors/{v}.md)" for v in offered)
            + "."
        )
        out += [
            "",
            "| | kind | " + " | ".join(offered) + " |",
            "|---|---|" + "---|" * len(offered),
        ]
        for feature in features:
            cells = [_SYMBOL[caps[v].mode(collection, feature)] for v in offered]
            out.append(
                f"| `{feature}` | {kinds[feature]} | " + " | ".join(cells) + " |"
            )
    out += ["", "## Per vendor (`Capabilities.to_markdown()`)", ""]
    for vendor in vendors:
        out += [f"### {vendor}", "", caps[vendor].to_markdown(), ""]
    return "\n".join(out) + "\n"


def fill_capabilities(markdown: str, vendor: str) -> str:
    """Replace a vendor page's capability table with the one the code gives."""
    table = crmclients.capabilities(vendor).to_markdown()
    return _CAPS.sub(lambda m: m.group(1) + table + m.group(3), markdown)


# -- error reference ----------------------------------------------------------------


def _error_classes() -> list[type[BaseException]]:
    return [
        obj
        for name in errors.__all__
        if isinstance(obj := getattr(errors, name), type)
        and issubclass(obj, BaseException)
    ]


def _tree(root: type, members: list[type], depth: int = 0) -> list[tuple[int, type]]:
    """``root`` and its subclasses among ``members``, depth first, in source order."""
    lines = [(depth, root)]
    children = [c for c in members if root in c.__bases__]
    for child in sorted(children, key=lambda c: inspect.getsourcelines(c)[1]):
        lines += _tree(child, members, depth + 1)
    return lines


def _summary(cls: type) -> str:
    """The first paragraph of a docstring, on one line."""
    paragraph = (inspect.getdoc(cls) or "").split("\n\n")[0]
    return " ".join(paragraph.split())


def _docstring_markdown(obj: Any) -> str:
    """A Google-style docstring as Markdown: sections become bullet lists."""
    doc = inspect.getdoc(obj) or ""
    out: list[str] = []
    section: str | None = None
    for line in doc.splitlines():
        header = re.fullmatch(r"(Attributes|Args|Raises|Returns):", line.strip())
        if header and not line.startswith(" "):
            section = header.group(1)
            out += ["", f"**{section}**", ""]
            continue
        if section and line.startswith("    "):
            item = re.match(r"    (\w[\w, ]*?):\s+(.*)", line)
            if item and not line.startswith("        "):
                out.append(f"- `{item.group(1)}`: {item.group(2)}")
            else:
                out[-1] += " " + line.strip()
            continue
        if section and line.strip():
            section = None
        out.append(line)
    text = "\n".join(out).strip()
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return re.sub(r":(?:class|func|meth|mod|attr|exc):`~?([^`]+)`", r"`\1`", text)


def _exit_code(cls: type[BaseException]) -> int | None:
    """The exit code of the ``crmclients`` command for an error of ``cls``."""
    if not issubclass(cls, errors.CRMError):
        return None
    try:
        from crmclients import cli
    except ImportError:  # pragma: no cover - the docs extra installs click
        return None
    return cli._exit_code(cls.__new__(cls))


def error_reference_page() -> str:
    """The error reference page, from the classes in ``crmclients.errors``."""
    classes = _error_classes()
    out = [
        "# Error reference",
        "",
        "Generated at build time from `crmclients.errors`. Every exception crmclients",
        "raises is one of these; catch by meaning (`NotFoundError`, `RateLimitError`)",
        "or broadly (`CRMError`, `APIError`). Every message names the vendor, the",
        "operation and what to do next, never a credential, and every error pickles.",
        "See [Concepts: errors](concepts.md#errors) for how to handle them.",
        "",
        "```text",
    ]
    for base in (errors.CRMError, errors.CRMWarning):
        for depth, cls in _tree(base, classes):
            out.append(
                f"{' ' * 4 * depth}{cls.__name__:<{34 - 4 * depth}} {_summary(cls)}"
            )
        out.append("")
    out[-1] = "```"
    out += [
        "",
        "## What the `crmclients` command exits with",
        "",
        "| Error | Subclass of | Exit code |",
        "|---|---|---|",
    ]
    for _, cls in _tree(errors.CRMError, classes):
        parent = cls.__bases__[0].__name__
        out.append(f"| `{cls.__name__}` | `{parent}` | {_exit_code(cls)} |")
    out += [
        "",
        "Exit code 0 is success, 130 an interruption (Ctrl-C, SIGINT) and 143 a",
        "termination (SIGTERM, as `timeout`, cron and Airflow send); click's own",
        "usage errors exit with 2.",
        "",
    ]
    for base in (errors.CRMError, errors.CRMWarning):
        for _, cls in _tree(base, classes):
            out += [f"## `{cls.__name__}`", ""]
            bases = ", ".join(
                f"`{b.__name__}`" for b in cls.__bases__ if b is not object
            )
            out += [f"*Bases:* {bases}", ""]
            out += [_docstring_markdown(cls), ""]
            hint = getattr(cls, "default_hint", "")
            if hint:
                out += [f"*Default hint in the message:* {hint}.", ""]
    return "\n".join(out).rstrip() + "\n"


# -- examples -----------------------------------------------------------------------


def examples_page(root: Path = EXAMPLES) -> str:
    """The examples page: each script's header docstring and its source."""
    out = [
        "# Examples",
        "",
        "Runnable scripts in the `examples/` folder of the repository. Each starts",
        "its own sandbox, needs no credentials, and is run by",
        "the test suite (`tests/docs/test_examples.py`), so what you read here works.",
        "Generated from the scripts' header docstrings and sources.",
        "",
    ]
    for path in sorted(root.glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        title, _, body = doc.partition("\n")
        out += [f"## `{path.name}`", "", f"**{title.strip()}**", ""]
        text = textwrap.dedent(body).strip()
        out += [re.sub(r"::$", ":", text, flags=re.MULTILINE), ""]
        out += [
            f'??? example "Source of {path.name}"',
            "",
            "    ```python",
            textwrap.indent(path.read_text(encoding="utf-8").rstrip(), "    "),
            "    ```",
            "",
        ]
    notebook = root / "explore.ipynb"
    if notebook.exists():
        out += [
            "## `explore.ipynb`",
            "",
            "A notebook exploring the sandbox data of all five vendors: the records'",
            "readable reprs, DataFrames, and a plot of activities per week per",
            "vendor. Open it with `jupyter lab examples/explore.ipynb`; the test",
            "suite executes it from top to bottom.",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


# -- native API pages ---------------------------------------------------------------


def vendor_api_page() -> str:
    """One mkdocstrings section per registered vendor's native package."""
    out = [
        "# Native vendor clients",
        "",
        "Each vendor's native client covers its documented endpoints one method per",
        "endpoint; every method that calls the vendor names the call (`:calls:`).",
        "Reach it as `client.native`, or build it directly. Generated from the",
        "registry: one section per vendor.",
        "",
    ]
    for vendor in crmclients.vendor_names():
        out += [
            f"::: crmclients.vendors.{vendor}",
            "    options:",
            "      show_submodules: false",
            "      members_order: source",
            "",
        ]
    return "\n".join(out)


def roles_to_code(html: str) -> str:
    """Sphinx roles left in rendered docstrings become plain inline code."""
    html = _ROLE.sub(lambda m: f"<code>{m.group(1)}</code>", html)
    return _CALLS.sub(r"\1<strong>Calls:</strong>", html)


GENERATED = {
    "capabilities.md": capability_matrix_page,
    "errors.md": error_reference_page,
    "examples.md": examples_page,
    "api/vendors.md": vendor_api_page,
}


# -- MkDocs events ------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages."""
    from mkdocs.structure.files import File

    for src_uri, build in GENERATED.items():
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=build()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Regenerate the capability table of a vendor page."""
    match = re.fullmatch(r"vendors/(\w+)\.md", page.file.src_uri)
    if match and match.group(1) in crmclients.vendor_names():
        return fill_capabilities(markdown, match.group(1))
    return markdown


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Clean Sphinx roles out of rendered docstrings; tidy the CLI tables."""
    if page.file.src_uri == "cli.md":
        # click >= 8.3 gives flags without an explicit default a sentinel, which
        # mkdocs-click prints as is.
        html = html.replace("<code>Sentinel.UNSET</code>", "-")
    return roles_to_code(html)
