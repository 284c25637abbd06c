"""Opentaps wire format: renames and hooks for the native models. Strictly private.

Tolerances (accept both on input, as DESIGN.md asks):

* ``activityTypeId`` (the docs) or ``activityType`` (the vendor's own widgets);
* ``_id``, or ``activityId`` in an older create/update answer;
* ``assignedToContact`` as a list of ids, one id, or a comma-joined string;
* each ``contacts`` item as ``{"contactId": ..., "role": ...}``, ``{"_id": ...}``
  or a bare contact id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

import cattrs

from crmclients._converter import Structurer, make_converter, register_model
from crmclients._types import EMPTY_RAW
from crmclients.vendors.opentaps.models import ContactRole, OpentapsActivity

VENDOR = "opentaps"

_ACTIVITY_RENAMES = {
    "id": "_id",
    "activity_type_id": "activityTypeId",
    "note_text": "noteText",
    "scheduled_date_time": "scheduledDateTime",
    "responsible_contact_id": "responsibleContactId",
    "assigned_to_contact": "assignedToContact",
    "client_domain": "clientDomain",
    "created_date": "createdDate",
    "last_modified_date": "lastModifiedDate",
}


#: (key, the older name the API also answers with), in the order they are applied.
_ALIASES = (("activityTypeId", "activityType"), ("_id", "activityId"))


def aliased(payloads: Any) -> bool:
    """True when a payload of the list has a key under its older name only.

    The native model's hook reads ``activityType`` and ``activityId`` for the
    missing keys; a projection straight from the payload reads the keys alone, so
    a page with such a payload is structured into native models first.
    """
    if not isinstance(payloads, list):
        return False
    for payload in payloads:
        if payload.__class__ is not dict and not isinstance(payload, Mapping):
            continue
        if "_id" in payload and "activityTypeId" in payload:
            continue  # the usual payload: nothing to rename
        for key, alias in _ALIASES:
            if key not in payload and alias in payload:
                return True
    return False


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string id, got {type(value).__name__}")


def _ids(value: Any, _: Any) -> tuple[str, ...]:
    """A list of ids: a JSON list, one id, a comma-joined string, or null."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple):
        try:
            "".join(value)  # in C: succeeds only when every item is a string
        except TypeError:
            return tuple(_text(item) for item in value)  # names the bad item
        return tuple(value)
    raise TypeError(f"expected a list of contact ids, got {type(value).__name__}")


#: The most contact links kept for sharing between records (then the table restarts).
_LINKS_LIMIT = 50_000
#: (contact id, role) -> its link. ContactRole is frozen, so records share them: the
#: same few contacts recur on every page, and building one costs several times
#: more than looking it up.
_links: dict[tuple[str, str | None], ContactRole] = {}


def _contact(value: Any, _: Any) -> ContactRole:
    if value.__class__ is str:
        contact_id, role = value, None
    elif isinstance(value, str):
        return ContactRole(contact_id=value)
    elif value.__class__ is not dict and not isinstance(value, Mapping):
        raise TypeError(f"expected a contact link object, got {type(value).__name__}")
    else:
        contact_id = value.get("contactId", value.get("_id"))
        role = value.get("role")
        if role is not None and not isinstance(role, str):
            raise TypeError(f"expected the role as a string, got {type(role).__name__}")
        role = role or None
        if contact_id.__class__ is not str or not (
            role is None or role.__class__ is str
        ):
            return ContactRole(contact_id=_text(contact_id), role=role)
    link = _links.get((contact_id, role))
    if link is None:
        if len(_links) >= _LINKS_LIMIT:
            _links.clear()
        link = _links[contact_id, role] = ContactRole(contact_id=contact_id, role=role)
    return link


def _contacts(value: Any, _: Any) -> tuple[ContactRole, ...]:
    """The ``contacts`` list, as cattrs structures ``tuple[ContactRole, ...]``.

    Registered on the fast converter only: it skips cattrs' per-call type
    inspection; the detailed converter keeps cattrs' own, which names the bad item.
    """
    return tuple([_contact(item, None) for item in value])


def _factory(tz: tzinfo) -> Any:
    def make(*, detailed: bool, keep_raw: bool) -> cattrs.Converter:
        conv = make_converter(detailed=detailed, default_tz=tz)
        conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _ids)
        conv.register_structure_hook(ContactRole, _contact)
        if not detailed:
            conv.register_structure_hook_func(
                lambda t: t == tuple[ContactRole, ...], _contacts
            )
        register_model(conv, OpentapsActivity, _ACTIVITY_RENAMES, keep_raw=keep_raw)
        inner = conv.get_structure_hook(OpentapsActivity)

        def activity(payload: Any, cls: Any) -> OpentapsActivity:
            if isinstance(payload, Mapping) and not (
                "_id" in payload and "activityTypeId" in payload
            ):
                aliases = {
                    key: payload[alias]
                    for key, alias in _ALIASES
                    if key not in payload and alias in payload
                }
                if aliases:
                    record: OpentapsActivity = inner({**payload, **aliases}, cls)
                    object.__setattr__(
                        record, "raw", payload if keep_raw else EMPTY_RAW
                    )
                    return record
            # No alias to apply: ``inner`` keeps the payload itself in ``raw``.
            result: OpentapsActivity = inner(payload, cls)
            return result

        conv.register_structure_hook(OpentapsActivity, activity)
        return conv

    return make


def structurer(tz: tzinfo) -> Structurer:
    """The Opentaps structurer; naive timestamps are read in ``tz``."""
    return Structurer(VENDOR, _factory(tz))
