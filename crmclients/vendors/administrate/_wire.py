"""Administrate wire format: hooks for the native models. Strictly private.

Wire names are already Python names, so there are no renames. Two hooks differ
from the base converter:

* timestamps keep what Administrate sent: a value without an offset (most fields
  are not time-zone aware) stays a naive datetime, one with an offset stays aware;
  ISO 8601 with ``T`` or a space (the docs' own write examples use a space);
* ``user.roles`` may come as null: it becomes an empty tuple.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import cattrs
from cattrs.gen import override

from crmclients._converter import Structurer, make_converter, register_model
from crmclients.vendors.administrate.models import (
    AdministrateAccount,
    AdministrateCompany,
    AdministrateCompanySettings,
    AdministrateContact,
    AdministrateCurrency,
    AdministrateEvent,
    AdministrateRole,
    AdministrateTask,
    AdministrateTaskType,
    AdministrateUser,
)

VENDOR = "administrate"


def parse_timestamp(value: Any) -> datetime:
    """An Administrate timestamp as sent: naive stays naive, an offset stays aware.

    Raises:
        TypeError: Not a string.
        ValueError: Not ISO 8601.
    """
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a timestamp string, got {type(value).__name__}")
    return datetime.fromisoformat(value.strip())


def _factory(*, detailed: bool, keep_raw: bool) -> cattrs.Converter:
    conv = make_converter(detailed=detailed)
    conv.register_structure_hook(datetime, lambda v, _: parse_timestamp(v))
    # Leaves first: a model's hook is generated from the hooks of its fields.
    for leaf in (
        AdministrateCompanySettings,
        AdministrateCurrency,
        AdministrateRole,
        AdministrateTaskType,
        AdministrateContact,
        AdministrateEvent,
        AdministrateCompany,
        AdministrateAccount,
    ):
        register_model(conv, leaf, keep_raw=keep_raw)
    roles = conv.get_structure_hook(tuple[AdministrateRole, ...])

    def structure_roles(value: Any, kind: Any) -> tuple[AdministrateRole, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise TypeError(f"expected a list of roles, got {type(value).__name__}")
        result: tuple[AdministrateRole, ...] = roles(value, kind)
        return result

    register_model(
        conv,
        AdministrateUser,
        keep_raw=keep_raw,
        roles=override(struct_hook=structure_roles),
    )
    register_model(conv, AdministrateTask, keep_raw=keep_raw)
    return conv


def structurer() -> Structurer:
    """The Administrate structurer."""
    return Structurer(VENDOR, _factory)
