"""crmclients: one typed Python client for five CRM vendor APIs.

>>> import crmclients
>>> "tactile" in crmclients.vendor_names()
True

Connect with :func:`connect`, then use the collections of the returned
:class:`Client` (``client.opportunities.list()``...), or ``client.native`` for every
endpoint of the vendor. Errors are in :mod:`crmclients.errors`, records in
:mod:`crmclients.models`.
"""

from __future__ import annotations

from typing import Any

from crmclients import errors, models
from crmclients._client import Capabilities, Client, Collection
from crmclients._paging import Pager
from crmclients._registry import capabilities, connect, vendor_names
from crmclients._retry import RetryPolicy
from crmclients._types import NOT_SET

__all__ = [
    "NOT_SET",
    "Capabilities",
    "Client",
    "Collection",
    "Pager",
    "RetryPolicy",
    "__version__",
    "capabilities",
    "connect",
    "errors",
    "models",
    "vendor_names",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("crmclients")
        except PackageNotFoundError:  # running from a source tree
            return "0.0.0+unknown"
    raise AttributeError(f"module 'crmclients' has no attribute {name!r}")
