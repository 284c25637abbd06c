"""Full-field pages: recorded sandbox answers with every documented field filled in.

The sandboxes leave out the fields a vendor sends only sometimes (descriptions,
costs, nested contact data...), so a record of theirs is cheaper to convert than a
real one. This fills each record of a recorded list answer with every field of
the vendor's native model (its documented fields) that the record lacks or holds
as null, each in the form the vendor sends it:

* a value of the same wire type already seen for that kind of field elsewhere in
  the answer (so timestamps keep the vendor's own format);
* else a value made from the field's type (text, a number, a boolean, an enum
  member, a list or a nested object of the same rules).

A filled record is checked by structuring it with the native model; a key the
model does not accept filled that way is left as the sandbox had it, so the
pages stay valid answers. Strictly part of the benchmarks.
"""

from __future__ import annotations

import enum
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import orjson

#: (vendor, collection) -> the native model of one listed record.
NATIVE: dict[tuple[str, str], str] = {
    (
        "tactile",
        "opportunities",
    ): "crmclients.vendors.tactile.models:TactileOpportunity",
    ("opentaps", "activities"): "crmclients.vendors.opentaps.models:OpentapsActivity",
    ("opentaps", "tasks"): "crmclients.vendors.opentaps.models:OpentapsActivity",
    ("ivvy", "activities"): "crmclients.vendors.ivvy.models:IvvyActivity",
    ("ivvy", "tasks"): "crmclients.vendors.ivvy.models:IvvyTask",
    (
        "administrate",
        "tasks",
    ): "crmclients.vendors.administrate.models:AdministrateTask",
    ("administrate", "activities"): (
        "crmclients.vendors.administrate.models:AdministrateTask"
    ),
    ("crmcom", "communications"): (
        "crmclients.vendors.crmcom.models:CrmcomCommunication"
    ),
    ("crmcom", "activities"): "crmclients.vendors.crmcom.models:CrmcomCommunication",
}


def native_class(vendor: str, collection: str) -> type[Any]:
    """The native model class of one record of ``vendor``'s ``collection``."""
    import importlib

    module, _, name = NATIVE[(vendor, collection)].partition(":")
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls


def records_in(body: Any) -> list[dict[str, Any]]:
    """The largest list of objects in an answer: its records."""
    best: list[dict[str, Any]] = []
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            if (
                value
                and all(isinstance(v, dict) for v in value)
                and len(value) > len(best)
            ):
                best = value
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return best


class Filler:
    """Fills records of one native model, learning the vendor's forms as it goes."""

    def __init__(self, cls: type[Any], structure: Any) -> None:
        from crmclients._converter import wire_names

        self.cls = cls
        self.structure = structure
        self.wire_names = wire_names
        self.seen: dict[tuple[type[Any], str], Any] = {}
        self.filled = 0
        self.kept = 0

    def learn(self, record: dict[str, Any], cls: type[Any] | None = None) -> None:
        """Remember the non-null values of a record, per (model, key)."""
        cls = cls or self.cls
        for key, value in record.items():
            if value is not None and value != [] and value != {}:
                self.seen.setdefault((cls, key), value)

    def fill(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` with every field of the model present and non-null."""
        full = self._complete(record, self.cls, depth=0)
        try:
            self.structure(full)
        except Exception:  # noqa: BLE001 - keep the page a valid answer
            self.kept += 1
            return self._field_by_field(record)
        self.filled += 1
        return full

    def _field_by_field(self, record: dict[str, Any]) -> dict[str, Any]:
        """Add the fields one at a time, keeping those the model accepts."""
        current = dict(record)
        for key, value in self._complete(record, self.cls, depth=0).items():
            if key in record and record[key] is not None:
                continue
            trial = {**current, key: value}
            try:
                self.structure(trial)
            except Exception:  # noqa: BLE001, S112 - this field stays as it was
                continue
            current = trial
        return current

    def _complete(self, record: dict[str, Any], cls: type[Any], depth: int) -> dict:
        out = dict(record)
        if not attrs.has(cls) or depth > 3:
            return out
        hints = typing.get_type_hints(cls)
        renames = self.wire_names(cls)
        for field in attrs.fields(cls):
            if field.name == "raw":
                continue
            key = renames.get(field.name, field.name)
            if out.get(key) not in (None, [], {}):
                if isinstance(out[key], dict):
                    out[key] = self._complete(
                        out[key], _base(hints[field.name]), depth + 1
                    )
                continue
            value = self._value(cls, key, hints[field.name], depth)
            if value is not None:
                out[key] = value
        return out

    def _value(self, cls: type[Any], key: str, hint: Any, depth: int) -> Any:
        known = self.seen.get((cls, key))
        if known is not None:
            return known
        return self._make(_base(hint), depth, key)

    def _make(self, base: Any, depth: int, key: str) -> Any:
        origin = typing.get_origin(base)
        if origin in (tuple, list, typing.Union) or origin is not None:
            args = [a for a in typing.get_args(base) if a is not Ellipsis]
            if origin in (tuple, list) and args:
                item = self._make(_base(args[0]), depth + 1, key)
                return [] if item is None else [item]
            return None
        if isinstance(base, type) and issubclass(base, enum.Enum):
            return next(iter(base)).value
        if base is bool:
            return True
        if base is int:
            return 4242
        if base in (float, Decimal):
            return 1234.5
        if base is str:
            return f"{key} text of a realistic length"
        if base is datetime:
            return next(
                (v for (c, _), v in self.seen.items() if _looks_like_time(v)), None
            )
        if base is date:
            return "2024-03-01"
        if attrs.has(base):
            return self._complete({}, base, depth + 1) or None
        return None


def _base(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union,) or type(hint).__name__ == "UnionType":
        return args[0] if len(args) == 1 else hint
    return hint


def _looks_like_time(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) >= 19
        and value[:4].isascii()
        and (value[4:5] == "-" and value[10:11] in ("T", " "))
    )


def full_pages(
    vendor: str, collection: str, bodies: list[bytes], structure: Any
) -> tuple[list[bytes], Filler]:
    """The recorded answers with every record filled (same order, same ids)."""
    filler = Filler(native_class(vendor, collection), structure)
    documents = [orjson.loads(body) if body else None for body in bodies]
    for document in documents:
        for record in records_in(document):
            filler.learn(record)
    out = []
    for body, document in zip(bodies, documents, strict=True):
        records = records_in(document)
        if not records:
            out.append(body)
            continue
        records[:] = [filler.fill(record) for record in records]
        out.append(orjson.dumps(document))
    return out, filler
