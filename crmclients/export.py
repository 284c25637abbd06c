"""Write records to JSONL, CSV, Parquet, DataFrames or a text table.

Files are written atomically: into a temporary file next to the destination, which
replaces the destination only once everything is written and flushed. An interrupted
pull never leaves a half file that looks complete.

pandas and pyarrow are imported only by the functions that need them
(``pip install 'crmclients[pandas]'``).

>>> from crmclients.models import Opportunity
>>> print(format_table([Opportunity(id="1", vendor="tactile", name="Boats")], columns=["id", "name"]))
id  name
--  -----
1   Boats
"""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar

import attrs
import orjson

from crmclients import errors
from crmclients._frames import flat_columns, flat_row, records_to_dataframe, schema
from crmclients.models import Ref

if TYPE_CHECKING:
    import pandas

__all__ = [
    "FORMATS",
    "atomic_path",
    "format_table",
    "read_jsonl",
    "record_to_json",
    "to_dataframe",
    "write",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]

T = TypeVar("T")
Format = Literal["jsonl", "csv", "parquet", "table"]
FORMATS: tuple[str, ...] = ("table", "jsonl", "csv", "parquet")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Ref):
        return {k: v for k, v in attrs.asdict(value).items() if v is not None}
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


_REF_JSON: dict[Ref, dict[str, Any]] = {}


def _ref_json(ref: Ref | None) -> dict[str, Any] | None:
    """A Ref as a JSON object (cached: pulls repeat the same refs)."""
    if ref is None:
        return None
    data = _REF_JSON.get(ref)
    if data is None:
        if len(_REF_JSON) > 50_000:
            _REF_JSON.clear()
        data = _REF_JSON[ref] = {
            k: v for k, v in attrs.asdict(ref).items() if v is not None
        }
    return data


def _refs_json(refs: tuple[Ref, ...]) -> list[dict[str, Any] | None]:
    return [_ref_json(ref) for ref in refs]


def _decimal_json(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


_JSON_BUILDERS: dict[type[Any], Callable[[Any], dict[str, Any]]] = {}


def _json_builder(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
    """A generated record -> dict function for ``cls`` (orjson does the rest)."""
    builder = _JSON_BUILDERS.get(cls)
    if builder is not None:
        return builder
    import typing

    shape = schema(cls)
    hints = typing.get_type_hints(cls)
    items = []
    for name in shape.names:
        hint = str(hints[name])
        if name in shape.refs:
            items.append(f"{name!r}: ref(r.{name})")
        elif "Ref" in hint and "tuple" in hint:
            items.append(f"{name!r}: refs(r.{name})")
        elif "Decimal" in hint:
            items.append(f"{name!r}: dec(r.{name})")
        else:
            items.append(f"{name!r}: r.{name}")
    namespace: dict[str, Any] = {
        "ref": _ref_json,
        "refs": _refs_json,
        "dec": _decimal_json,
    }
    source = "def build(r):\n    return {" + ", ".join(items) + "}"
    exec(compile(source, f"<crmclients json {cls.__qualname__}>", "exec"), namespace)  # noqa: S102 - from the class's own fields
    built: Callable[[Any], dict[str, Any]] = namespace["build"]
    _JSON_BUILDERS[cls] = built
    return built


def record_to_json(record: Any, *, include_raw: bool = False) -> bytes:
    """One record as a JSON object (refs nested, Decimals as strings, no ``raw``).

    Args:
        record: A shared record.
        include_raw: Add the vendor payload under ``"raw"``.

    Returns:
        The UTF-8 JSON bytes, without a newline.
    """
    data = _json_builder(type(record))(record)
    if include_raw:
        data["raw"] = dict(getattr(record, "raw", {}))
    return orjson.dumps(data, default=_default)


_READERS: dict[type[Any], Callable[[Any], Any]] = {}


def read_jsonl(source: str | os.PathLike[str], model: type[T]) -> Iterator[T]:
    """Read records written by :func:`write_jsonl` back into ``model`` instances.

    Args:
        source: The JSONL file.
        model: The record class (``Opportunity``, ``Task``...).

    Returns:
        An iterator of records, read lazily line by line (blank lines skipped).

    Raises:
        ResponseShapeError: A line is not a record of ``model`` (names the line).
    """
    from crmclients._converter import SHAPE_ERRORS, make_converter

    failures: tuple[type[BaseException], ...] = (orjson.JSONDecodeError, *SHAPE_ERRORS)

    reader = _READERS.get(model)
    if reader is None:
        converter = make_converter()
        reader = _READERS[model] = lambda data: converter.structure(data, model)
    with open(source, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield reader(orjson.loads(line))
            except failures as exc:
                raise errors.ResponseShapeError(
                    f"line {number} of {source} is not a {model.__name__} record: {exc}",
                    path=f"line {number}",
                ) from None


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path that replaces ``destination`` only on success.

    Args:
        destination: The file to write.

    Returns:
        A context manager yielding the temporary path, next to ``destination``;
        on a clean exit it is flushed to disk and renamed over ``destination``, on
        an exception it is removed and ``destination`` is left as it was.
    """
    target = Path(destination)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


@contextlib.contextmanager
def _sink(
    destination: str | os.PathLike[str] | IO[Any], mode: str
) -> Iterator[IO[Any]]:
    if isinstance(destination, str | os.PathLike):
        with (
            atomic_path(destination) as temp,
            open(temp, mode, newline="" if "b" not in mode else None) as handle,
        ):
            yield handle
    else:
        yield destination


def write_jsonl(
    records: Iterable[Any],
    destination: str | os.PathLike[str] | IO[bytes],
    *,
    include_raw: bool = False,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    """Write one JSON object per line (see :func:`record_to_json`).

    Args:
        records: The records (consumed lazily: a pager streams page by page).
        destination: A path (written atomically) or a binary file object.
        include_raw: Add each vendor payload under ``"raw"``.
        on_record: Called with each record as it is written (progress bars).

    Returns:
        The number of records written.
    """
    count = 0
    batch: list[bytes] = []
    with _sink(destination, "wb") as out:
        for record in records:
            batch.append(record_to_json(record, include_raw=include_raw))
            count += 1
            if on_record is not None:
                on_record(record)
            if len(batch) >= 500:
                out.write(b"\n".join(batch) + b"\n")
                batch.clear()
        if batch:
            out.write(b"\n".join(batch) + b"\n")
    return count


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_csv(
    records: Iterable[Any],
    destination: str | os.PathLike[str] | IO[str],
    *,
    columns: Sequence[str] | None = None,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    """Write flat rows (refs as ``x_id``/``x_name``) with a header line.

    Args:
        records: The records (consumed lazily).
        destination: A path (written atomically) or a text file object.
        columns: The columns, in order (default: every column of the record type).
        on_record: Called with each record as it is written.

    Returns:
        The number of records written.
    """
    count = 0
    with _sink(destination, "w") as out:
        writer: Any = None
        for record in records:
            row = flat_row(record)
            if writer is None:
                fields = list(columns) if columns else flat_columns(type(record))
                writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
            count += 1
            if on_record is not None:
                on_record(record)
        if writer is None and columns:
            csv.writer(out).writerow(columns)
    return count


def to_dataframe(records: Iterable[Any], **options: Any) -> pandas.DataFrame:
    """A DataFrame of records (see ``Pager.to_dataframe``).

    Args:
        records: The records.
        **options: Passed to the DataFrame builder.

    Returns:
        One row per record; refs flattened into ``x_id``/``x_name`` columns, aware
        UTC datetimes, dates and numbers with their dtypes.
    """
    return records_to_dataframe(records, **options)


def write_parquet(
    records: Iterable[Any],
    destination: str | os.PathLike[str],
    *,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    """Write a Parquet file (needs ``crmclients[pandas]``: pandas + pyarrow).

    Args:
        records: The records.
        destination: The file (written atomically).
        on_record: Called with each record as it is read.

    Returns:
        The number of records written.

    Raises:
        ConfigurationError: pyarrow is not installed.
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise errors.ConfigurationError(
            "Parquet needs pyarrow", hint="pip install 'crmclients[pandas]'"
        ) from exc

    def counted() -> Iterator[Any]:
        for record in records:
            if on_record is not None:
                on_record(record)
            yield record

    frame = records_to_dataframe(counted())
    with atomic_path(destination) as temp:
        frame.to_parquet(temp, index=False)
    return len(frame)


def format_table(
    records: Iterable[Any],
    *,
    columns: Sequence[str] | None = None,
    max_width: int = 40,
) -> str:
    """A plain-text table (for terminals).

    Args:
        records: The records.
        columns: The columns, in order (default: those with a value in some row).
        max_width: Longer cells are cut, with an ellipsis.

    Returns:
        The table, or ``"(no records)"``.
    """
    rows = [flat_row(r) for r in records]
    if not rows:
        return "(no records)"
    names = (
        list(columns)
        if columns
        else [c for c in rows[0] if any(r.get(c) not in (None, "") for r in rows)]
    )
    cells = [[_cell(row.get(c), max_width) for c in names] for row in rows]
    widths = [max(len(n), *(len(r[i]) for r in cells)) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in cells
    )
    return "\n".join(lines)


def _cell(value: Any, width: int) -> str:
    if value is None:
        return ""
    text = value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def write(
    records: Iterable[Any],
    destination: str | os.PathLike[str] | None,
    fmt: Format,
    *,
    on_record: Callable[[Any], None] | None = None,
    table_columns: Sequence[str] | None = None,
) -> int:
    """Write ``records`` in ``fmt`` to ``destination`` (None: standard output).

    Args:
        records: The records.
        destination: A path (written atomically), or None for standard output.
        fmt: ``table``, ``jsonl``, ``csv`` or ``parquet`` (parquet needs a path).
        on_record: Called with each record as it is written (progress bars).
        table_columns: Preferred columns for ``table``, in order; those the
            records do not have are skipped.

    Returns:
        The number of records written.
    """
    if fmt == "jsonl":
        if destination is None:
            sys.stdout.flush()
            return write_jsonl(records, sys.stdout.buffer, on_record=on_record)
        return write_jsonl(records, destination, on_record=on_record)
    if fmt == "csv":
        return write_csv(
            records,
            sys.stdout if destination is None else destination,
            on_record=on_record,
        )
    if fmt == "parquet":
        if destination is None:
            raise errors.ConfigurationError("parquet needs a file to write to")
        return write_parquet(records, destination, on_record=on_record)
    rows = []
    for record in records:
        rows.append(record)
        if on_record is not None:
            on_record(record)
    columns = None
    if rows and table_columns:
        available = set(flat_columns(type(rows[0])))
        columns = [c for c in table_columns if c in available] or None
    text = format_table(rows, columns=columns) + "\n"
    if destination is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        with atomic_path(destination) as temp:
            temp.write_text(text, encoding="utf-8")
    return len(rows)
