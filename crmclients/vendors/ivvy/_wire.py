"""iVvy wire format: renames and hooks for the native models. Strictly private.

iVvy timestamps are UTC, written ``Y-m-d H:i:s`` with or without a trailing
`` UTC``; naive ones are read in UTC. The docs spell the activity times both
``startDatetime`` (parameter table, list answers, the .NET SDK) and
``startDateTime`` (the "Add Activity" example), so both are accepted on input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any

import cattrs

from crmclients._converter import Structurer, make_converter, register_model
from crmclients._types import EMPTY_RAW
from crmclients.vendors.ivvy.models import IvvyActivity, IvvyPing, IvvyTask, ListMeta

VENDOR = "ivvy"

#: Native attribute -> wire key, for every key that differs.
COMMON_RENAMES: Mapping[str, str] = {
    "venue_id": "venueId",
    "lead_id": "leadId",
    "contact_id": "contactId",
    "company_id": "companyId",
    "company_contact_id": "companyContactId",
    "assigned_user_id": "assignedUserId",
    "assigned_user_full_name": "assignedUserFullName",
    "assigned_user_email": "assignedUserEmail",
    "start_datetime": "startDatetime",
    "end_datetime": "endDatetime",
    "created_date": "createdDate",
    "modified_date": "modifiedDate",
}
ACTIVITY_RENAMES: Mapping[str, str] = {
    **COMMON_RENAMES,
    "sub_type": "subType",
    "purpose_name": "purposeName",
    "purpose_type": "purposeType",
}
TASK_RENAMES: Mapping[str, str] = {
    **COMMON_RENAMES,
    "booking_id": "bookingId",
    "user_full_name": "userFullName",
    "user_email": "userEmail",
}
META_RENAMES: Mapping[str, str] = {
    "total_results": "totalResults",
    "per_page": "perPage",
}
#: Documented key -> the other spelling seen in the vendor's own examples.
ALTERNATE_KEYS: Mapping[str, str] = {
    "startDatetime": "startDateTime",
    "endDatetime": "endDateTime",
}


def normalise_keys(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """``payload`` with ``startDateTime``/``endDateTime`` read as the documented keys.

    The documented spelling wins when both are present; the payload itself is
    never changed.
    """
    missing = [
        (key, other)
        for key, other in ALTERNATE_KEYS.items()
        if key not in payload and other in payload
    ]
    if not missing:
        return payload
    copy = dict(payload)
    for key, other in missing:
        copy[key] = copy.pop(other)
    return copy


def documented_spelling(payloads: list[Any]) -> bool:
    """Whether every payload is a dict without the alternate time spellings.

    Such payloads can be read by functions that know only the documented keys
    (the projections straight onto shared records); any other page is read
    through the native models' hooks, which accept both spellings.
    """
    first, second = ALTERNATE_KEYS.values()
    for payload in payloads:
        if payload.__class__ is not dict or first in payload or second in payload:
            return False
    return True


def _tolerant(
    conv: cattrs.Converter, cls: type[Any], keep_raw: bool
) -> Callable[[Any, Any], Any]:
    """Wrap the registered hook of ``cls`` so both time spellings are accepted."""
    inner = conv.get_structure_hook(cls)
    first, second = ALTERNATE_KEYS.values()

    def structure(payload: Any, kind: Any) -> Any:
        if payload.__class__ is dict and first not in payload and second not in payload:
            # Nothing to rename (nearly every payload): the generated hook sets
            # ``raw`` to this very payload (or EMPTY_RAW) itself.
            return inner(payload, kind)
        if not isinstance(payload, Mapping):
            raise TypeError(f"expected an object, got {type(payload).__name__}")
        obj = inner(normalise_keys(payload), kind)
        object.__setattr__(obj, "raw", payload if keep_raw else EMPTY_RAW)
        return obj

    return structure


def _make(*, detailed: bool, keep_raw: bool) -> cattrs.Converter:
    conv = make_converter(detailed=detailed, default_tz=UTC)
    register_model(conv, ListMeta, META_RENAMES)
    register_model(conv, IvvyActivity, ACTIVITY_RENAMES, keep_raw=keep_raw)
    register_model(conv, IvvyTask, TASK_RENAMES, keep_raw=keep_raw)
    register_model(conv, IvvyPing, keep_raw=keep_raw)
    for cls in (IvvyActivity, IvvyTask):
        conv.register_structure_hook(cls, _tolerant(conv, cls, keep_raw))
    return conv


def structurer() -> Structurer:
    """The iVvy structurer (naive timestamps are UTC, as iVvy documents)."""
    return Structurer(VENDOR, _make)
