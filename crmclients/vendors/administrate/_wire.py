"""Administrate wire format: hooks for the native models. Strictly private.

Wire names are already Python names, so there are no renames. Two hooks differ
from the base converter:

* timestamps keep what Administrate sent: a value without an offset (most fields
  are not time-zone aware) stays a naive datetime, one with an offset stays aware;
  ISO 8601 with ``T`` or a space (the docs' own write examples use a space);
* ``user.roles`` may come as null: it becomes an empty tuple.

Both are hooks on the type (not per-attribute overrides), so every model keeps the
generated fast structure function of :func:`~crmclients._converter.register_model`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import cattrs

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


def _structure_timestamp(value: Any, _: Any) -> datetime:
    if value.__class__ is str:  # what the wire sends: no detour
        return datetime.fromisoformat(value.strip())
    return parse_timestamp(value)


_ROLES = tuple[AdministrateRole, ...]
_ANY_TUPLE = tuple[Any, ...]


def _factory(*, detailed: bool, keep_raw: bool) -> cattrs.Converter:
    conv = make_converter(detailed=detailed)
    conv.register_structure_hook(datetime, _structure_timestamp)
    # What cattrs does for tuple[Any, ...] (account.industries), without its
    # per-call dispatch (detailed or not, cattrs' own is tuple(value) too).
    conv.register_structure_hook_func(
        lambda t: t == _ANY_TUPLE, lambda value, _: tuple(value)
    )
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
    if detailed:
        # cattrs' own: its errors name the bad role by index.
        roles: Callable[[Any, Any], tuple[AdministrateRole, ...]] = (
            conv.get_structure_hook(_ROLES)
        )
    else:
        role = conv.get_structure_hook(AdministrateRole)

        def roles(value: Any, _: Any) -> tuple[AdministrateRole, ...]:
            # What cattrs' tuple hook does, without its per-call dispatch.
            return tuple([role(item, AdministrateRole) for item in value])

    def structure_roles(value: Any, kind: Any) -> tuple[AdministrateRole, ...]:
        # None is a null on the wire; () is the field's default, which the
        # generated structure function passes on for a null or missing key.
        if value is None or value == ():
            return ()
        if not isinstance(value, list):
            raise TypeError(f"expected a list of roles, got {type(value).__name__}")
        result: tuple[AdministrateRole, ...] = roles(value, kind)
        return result

    conv.register_structure_hook_func(lambda t: t == _ROLES, structure_roles)
    register_model(conv, AdministrateUser, keep_raw=keep_raw)
    register_model(conv, AdministrateTask, keep_raw=keep_raw)
    return conv


def structurer() -> Structurer:
    """The Administrate structurer."""
    return Structurer(VENDOR, _factory)
