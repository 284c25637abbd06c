"""Per-vendor sample data for the contract suite: one module per vendor.

Each module defines ``SAMPLES``: collection -> options, where options may hold

* ``list``: keyword arguments every list() call needs (Tactile notes need a
  ``related_to``);
* ``create``: shared fields for a valid create; ``update``: changes for an update
  (the first key is checked after the update);
* ``missing_id``: an id that does not exist;
* ``filters``: values for unified filters that need vendor data (``related_to``);
* ``transition``, ``link``...: arguments for the extra lifecycle operations.
"""

from __future__ import annotations

import importlib
from typing import Any


def samples(vendor: str) -> dict[str, dict[str, Any]]:
    """The SAMPLES of a vendor (empty when it has no module yet)."""
    try:
        module = importlib.import_module(f"tests.contract.samples.{vendor}")
    except ModuleNotFoundError:
        return {}
    result: dict[str, dict[str, Any]] = module.SAMPLES
    return result
