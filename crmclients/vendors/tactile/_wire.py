"""Tactile wire format: renames and hooks for the native models. Strictly private."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

import attrs
import cattrs

from crmclients._converter import Structurer, make_converter, register_model
from crmclients._types import EMPTY_RAW
from crmclients.vendors.tactile.models import (
    OpportunityOptions,
    TactileEmail,
    TactileNote,
    TactileOpportunity,
    TimelineEntry,
)


@attrs.frozen
class PageMeta:
    """The paging fields of a list answer."""

    cur_page: int
    num_pages: int
    per_page: int
    total: int


def _factory(tz: tzinfo) -> Any:
    def make(*, detailed: bool, keep_raw: bool) -> cattrs.Converter:
        conv = make_converter(detailed=detailed, default_tz=tz)
        register_model(
            conv,
            TactileOpportunity,
            {
                "altered_by": "alteredby",
                "last_updated": "lastupdated",
                "end_date": "enddate",
            },
            keep_raw=keep_raw,
        )
        register_model(
            conv,
            TactileNote,
            {"body": "note", "last_updated": "lastupdated"},
            keep_raw=keep_raw,
        )
        register_model(conv, TactileEmail, {"sender": "from"}, keep_raw=keep_raw)
        register_model(conv, OpportunityOptions, keep_raw=keep_raw)

        def entry(payload: Any, _: Any) -> TimelineEntry:
            if not isinstance(payload, Mapping) or not payload:
                raise TypeError("expected an object with one key: note or email")
            raw = payload if keep_raw else EMPTY_RAW
            if "note" in payload:
                return TimelineEntry(
                    kind="note",
                    note=conv.structure(payload["note"], TactileNote),
                    raw=raw,
                )
            if "email" in payload:
                return TimelineEntry(
                    kind="email",
                    email=conv.structure(payload["email"], TactileEmail),
                    raw=raw,
                )
            return TimelineEntry(kind=str(next(iter(payload))), raw=raw)

        conv.register_structure_hook(TimelineEntry, entry)
        return conv

    return make


def structurer(tz: tzinfo) -> Structurer:
    """The Tactile structurer; naive timestamps are read in ``tz``."""
    return Structurer("tactile", _factory(tz))
