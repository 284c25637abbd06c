"""Docstrings of the native clients: every method that calls the vendor says which call.

A method "calls the vendor" when its body sends a request through a requestor
(``self._requestor.request(...)``, ``self._session_requestor.request(...)``...) or
uses, directly or through other methods of the class, one that does. Every such
public method must carry ``:calls: METHOD /path`` in its docstring (PyGithub's
convention), so the API reference and the vendor pages can say what it costs.
Docstring coverage of all public names is checked by ``interrogate`` in CI.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap

import pytest

import crmclients

_CALLS = re.compile(r":calls: ``(GET|POST|PUT|DELETE|PATCH) /[^`]+``")


def _native_class(vendor: str) -> type:
    package = importlib.import_module(f"crmclients.vendors.{vendor}")
    (name,) = [n for n in package.__all__ if n.endswith("Client")]
    cls: type = getattr(package, name)
    return cls


def _uses(function: ast.FunctionDef) -> tuple[bool, set[str]]:
    """Whether the body sends a request itself, and the ``self.x`` names it uses."""
    sends = False
    names: set[str] = set()
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "request"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr.endswith("requestor")
        ):
            sends = True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            names.add(node.attr)
    return sends, names


def calling_methods(cls: type) -> dict[str, str]:
    """Public methods of ``cls`` that reach the vendor -> their docstrings."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    (klass,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    functions = {
        node.name: node for node in klass.body if isinstance(node, ast.FunctionDef)
    }
    direct: dict[str, bool] = {}
    uses: dict[str, set[str]] = {}
    for name, node in functions.items():
        direct[name], uses[name] = _uses(node)
    reaches = {name for name, sends in direct.items() if sends}
    changed = True
    while changed:
        changed = False
        for name in functions:
            if name not in reaches and uses[name] & reaches:
                reaches.add(name)
                changed = True
    return {
        name: ast.get_docstring(functions[name]) or ""
        for name in sorted(reaches)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("vendor", crmclients.vendor_names())
def test_every_native_method_that_calls_the_vendor_names_the_call(vendor: str) -> None:
    """``:calls: ``METHOD /path``` on each public method that reaches the vendor."""
    methods = calling_methods(_native_class(vendor))
    # close() only releases resources; where it ends a session (CRM.COM's token
    # release) it delegates to a method that carries its own :calls:.
    methods.pop("close", None)
    missing = [name for name, doc in methods.items() if not _CALLS.search(doc)]

    assert len(methods) >= 5
    assert missing == []


def test_the_call_graph_follows_helpers_and_sees_plain_methods() -> None:
    """A public method that sends through a private helper counts; one that does not, does not."""

    class Native:
        def __init__(self, requestor: object) -> None:
            self._requestor = requestor

        def direct(self) -> None:
            """:calls: ``GET /x``"""
            self._requestor.request("GET", "/x")  # type: ignore[attr-defined]

        def through_helper(self) -> None:
            self._send()

        def local(self) -> int:
            return 1

        def _send(self) -> None:
            self._requestor.request("GET", "/y")  # type: ignore[attr-defined]

    assert sorted(calling_methods(Native)) == ["direct", "through_helper"]


# -- Google style on the public surface -------------------------------------------------


def _public_functions() -> list[tuple[str, object]]:
    """The functions and methods users call, outside the native clients."""
    from crmclients import config, export, models, sync, testing
    from crmclients._client import Capabilities, Client, Collection

    found: list[tuple[str, object]] = [
        (f"crmclients.{name}", getattr(crmclients, name))
        for name in ("connect", "capabilities", "vendor_names")
    ]
    classes = [Client, Collection, Capabilities, crmclients.RetryPolicy, models.Task]
    for module in (export, sync, testing, config):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.append((f"{module.__name__}.{name}", obj))
            elif inspect.isclass(obj):
                classes.append(obj)
    for cls in classes:
        for name, member in vars(cls).items():
            function = getattr(member, "__func__", member)
            if not name.startswith("_") and inspect.isfunction(function):
                found.append((f"{cls.__qualname__}.{name}", function))
    return found


def _section(doc: str, title: str) -> str:
    match = re.search(rf"^{title}:\n((?:    .*\n?|\n)*)", doc, re.MULTILINE)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("name", "function"), _public_functions(), ids=[n for n, _ in _public_functions()]
)
def test_public_functions_document_arguments_and_results(
    name: str, function: object
) -> None:
    """Google style: every parameter under ``Args:``, a ``Returns:`` for a result."""
    doc = inspect.getdoc(function) or ""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    args = _section(doc, "Args")
    undocumented = []
    for parameter in signature.parameters.values():
        if parameter.name in ("self", "cls"):
            continue
        stars = {parameter.VAR_KEYWORD: "**", parameter.VAR_POSITIONAL: "*"}
        label = stars.get(parameter.kind, "") + parameter.name
        if not re.search(rf"^    {re.escape(label)}:", args, re.MULTILINE):
            undocumented.append(label)
    returns = signature.return_annotation not in ("None", None, signature.empty)

    assert doc.splitlines()[0].strip()
    assert undocumented == []
    assert not returns or _section(doc, "Returns") or _section(doc, "Yields")
