"""Records -> flat rows -> pandas DataFrames. pandas is imported only when used.

Refs are flattened to ``<field>_id`` and ``<field>_name`` (``organisation_id``,
``organisation_name``); tuples of refs become ``kind:id`` labels joined by ``; ``;
enums become their values (categoricals in a DataFrame); ``raw`` is left out.

Strictly private; use ``Pager.to_dataframe()`` or ``crmclients.export``.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from crmclients import errors
from crmclients.models import Ref

if TYPE_CHECKING:
    import pandas


@attrs.frozen
class _Schema:
    names: tuple[str, ...]
    refs: frozenset[str]
    enums: dict[str, type[enum.Enum]]


def _members(hint: Any) -> tuple[Any, ...]:
    """The members of a union (``X | None`` -> X, None); anything else alone."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


_SCHEMAS: dict[type[Any], _Schema] = {}


def schema(cls: type[Any]) -> _Schema:
    """Field names (without ``raw``), Ref-typed fields and enum-typed fields (cached)."""
    known = _SCHEMAS.get(cls)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in attrs.fields(cls) if f.name != "raw")
    refs = frozenset(n for n in names if Ref in _members(hints.get(n)))
    enums = {
        n: m
        for n in names
        for m in _members(hints.get(n))
        if isinstance(m, type) and issubclass(m, enum.Enum)
    }
    result = _SCHEMAS[cls] = _Schema(names, refs, enums)
    return result


def flat_row(record: Any) -> dict[str, Any]:
    """One record as a flat dict of scalars (no ``raw``)."""
    shape = schema(type(record))
    row: dict[str, Any] = {}
    for name in shape.names:
        value = getattr(record, name)
        if name in shape.refs:
            row[f"{name}_id"] = value.id if value is not None else None
            row[f"{name}_name"] = value.name if value is not None else None
        elif isinstance(value, tuple):
            row[name] = "; ".join(
                v.label if isinstance(v, Ref) else str(v) for v in value
            )
        elif isinstance(value, enum.Enum):
            row[name] = value.value
        else:
            row[name] = value
    return row


def flat_columns(cls: type[Any]) -> list[str]:
    """The columns :func:`flat_row` produces for records of ``cls``."""
    shape = schema(cls)
    columns: list[str] = []
    for name in shape.names:
        columns.extend(
            (f"{name}_id", f"{name}_name") if name in shape.refs else (name,)
        )
    return columns


def records_to_dataframe(
    records: Iterable[Any],
    *,
    decimals: Literal["float", "decimal"] = "float",
) -> pandas.DataFrame:
    """A DataFrame of records with useful dtypes.

    Timestamps become tz-aware (UTC) datetime64 columns, dates datetime64, enums
    categoricals, and Decimal values floats (``decimals="decimal"`` keeps them
    exact, as object columns).

    Raises:
        ConfigurationError: pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise errors.ConfigurationError(
            "DataFrames need pandas", hint="pip install 'crmclients[pandas]'"
        ) from exc
    rows: list[dict[str, Any]] = []
    cls: type[Any] | None = None
    for record in records:
        cls = type(record)
        rows.append(flat_row(record))
    if cls is None:
        return pd.DataFrame()
    frame = pd.DataFrame(rows, columns=flat_columns(cls))
    enums = schema(cls).enums
    for column in frame.columns:
        values = frame[column].dropna()
        if column in enums:
            # every value of the enum is a category, present in this pull or not
            categories = [member.value for member in enums[column]]
            frame[column] = frame[column].astype(pd.CategoricalDtype(categories))
            continue
        if values.empty:
            continue
        first = values.iloc[0]
        if isinstance(first, datetime):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif isinstance(first, date):
            frame[column] = pd.to_datetime(frame[column])
        elif isinstance(first, Decimal) and decimals == "float":
            frame[column] = frame[column].astype("float64")
    return frame
