"""Public namespaces: __all__ sorted, complete and importable."""

from __future__ import annotations

import importlib
import inspect

import pytest

import crmclients

PUBLIC_MODULES = [
    "crmclients",
    "crmclients.errors",
    "crmclients.models",
    "crmclients.config",
    "crmclients.export",
    "crmclients.testing",
    "crmclients.sandbox",
    *[f"crmclients.vendors.{name}" for name in crmclients.vendor_names()],
]


def isort_key(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions (ruff's RUF022 order)."""
    if name.isupper():
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_complete(name: str) -> None:
    """__all__ is sorted, names only things that exist, and misses no public class or function."""
    module = importlib.import_module(name)
    exported = list(module.__all__)

    assert exported == sorted(exported, key=isort_key)
    assert all(hasattr(module, n) for n in exported)
    defined = {
        n
        for n, value in vars(module).items()
        if not n.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", "").startswith(name)
    }
    assert defined <= set(exported), sorted(defined - set(exported))


def test_top_level_names() -> None:
    """The contract: connect, Client, errors, models, __version__."""
    for name in (
        "connect",
        "Client",
        "errors",
        "models",
        "__version__",
        "Pager",
        "RetryPolicy",
    ):
        assert hasattr(crmclients, name)
    assert isinstance(crmclients.__version__, str)


def test_every_registered_vendor_has_an_adapter_and_a_sandbox() -> None:
    """Each vendor in the registry has an adapter class and an emulator."""
    from crmclients._client import VendorAdapter
    from crmclients._registry import adapter_class
    from crmclients.sandbox import EMULATORS

    for vendor in crmclients.vendor_names():
        cls = adapter_class(vendor)
        assert issubclass(cls, VendorAdapter)
        assert cls.vendor == vendor
        assert vendor in EMULATORS
        assert any(s.secret for s in cls.settings), (
            f"{vendor} declares no secret setting"
        )
