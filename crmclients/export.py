"""Write records to JSONL, CSV, Parquet, DataFrames or a text table.

Files are written atomically: into a temporary file in the destination's directory
(anonymous on Linux, so not even ``kill -9`` leaves it behind), which replaces the
destination only once everything is written and flushed. An interrupted pull never
leaves a half file that looks complete. The destination is checked and opened
before the first record is fetched, so a path that cannot be written fails before
any request: with a ``ConfigurationError`` naming the path and the reason, never a
bare ``OSError``.

Destinations: ``"-"`` is standard output; a device, FIFO or socket is written in
place; a symbolic link is followed (its target is replaced, the link stays); a
directory is an error. A new file gets the umask's mode (``0o666 & ~umask``), a
replaced one keeps its mode.

CSV cells that a spreadsheet would run as a formula (text starting with ``=``,
``+``, ``-``, ``@``...) are written with a leading ``'`` unless
``escape_formulas=False`` (see :func:`write_csv`).

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
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar

import attrs
import orjson

from crmclients import _files, errors
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

    For code that writes by file name; the ``write_*`` functions do better (an
    anonymous temporary file on Linux).

    Args:
        destination: The file to write (its directory must exist).

    Returns:
        A context manager yielding a hidden ``.part`` path next to the
        destination (symlinks followed), with the destination's mode when it
        exists; on a clean exit it is flushed to disk and renamed over the
        destination, on an exception it is removed and the destination is left
        as it was. A device, FIFO or socket is yielded as it is (written in place).

    Raises:
        ConfigurationError: The destination is a directory, ``"-"``, or cannot be
            created (the message names the path and the reason).
    """
    with _files.atomic_path(destination) as path:
        yield path


_Destination = str | os.PathLike[str] | IO[Any] | _files.Output | None


def _open(destination: _Destination, *, text: bool = False) -> _files.Output:
    """The output for a destination: a path, ``"-"``/None, a file object, or opened.

    ``text``: what a file object that does not say takes (CSV writes text).
    """
    if isinstance(destination, _files.Output):
        return destination
    if destination is None or isinstance(destination, str | os.PathLike):
        return _files.open_output(destination)
    return _files.borrowed(destination, text=text)


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
        destination: A path (written atomically), ``"-"`` for standard output,
            or a binary file object.
        include_raw: Add each vendor payload under ``"raw"``.
        on_record: Called with each record as it is written (progress bars).

    Returns:
        The number of records written.

    Raises:
        ConfigurationError: The destination cannot be written (checked before
            the first record is read).
    """
    with _open(destination) as output:
        return _jsonl(records, output, include_raw=include_raw, on_record=on_record)


def _jsonl(
    records: Iterable[Any],
    output: _files.Output,
    *,
    include_raw: bool = False,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    count = 0
    batch: list[bytes] = []
    for record in records:
        batch.append(record_to_json(record, include_raw=include_raw))
        count += 1
        if on_record is not None:
            on_record(record)
        if len(batch) >= _BATCH:
            output.write(b"\n".join(batch) + b"\n", len(batch))
            batch.clear()
    if batch:
        output.write(b"\n".join(batch) + b"\n", len(batch))
    return count


#: Records per write: each write is whole (signals wait for it), so a partial
#: stream ends on a record boundary.
_BATCH = 500


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# Text cells a spreadsheet may run as a formula: OWASP's = + - @ tab CR, plus LF,
# defusedcsv's | and %, and the full-width forms of = + - @; also = + - @ after
# leading whitespace. Plain numbers written as text (-5, -1,234.5) stay as they
# are, as in defusedcsv.
_FORMULA_START = frozenset("=+-@|%\t\r\n\uff1d\uff0b\uff0d\uff20")
_FORMULA_AFTER_SPACE = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"-?[0-9,.]+")


def _escape_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet could read it as a formula."""
    first = text[:1]
    if first in _FORMULA_START:
        if _PLAIN_NUMBER.fullmatch(text):
            return text
        return "'" + text
    if first.isspace():
        rest = text.lstrip()
        if rest[:1] and rest[0] in _FORMULA_AFTER_SPACE:
            return "'" + text
    return text


def write_csv(
    records: Iterable[Any],
    destination: str | os.PathLike[str] | IO[str],
    *,
    columns: Sequence[str] | None = None,
    on_record: Callable[[Any], None] | None = None,
    escape_formulas: bool = True,
) -> int:
    """Write flat rows (refs as ``x_id``/``x_name``) with a header line, in UTF-8.

    Formula escaping (on by default): a text cell (header cells included) that
    starts with ``=``, ``+``, ``-``, ``@``, ``|``, ``%``, a tab, CR or LF, or
    with the full-width forms of ``= + - @`` (U+FF1D, U+FF0B, U+FF0D, U+FF20), or
    with whitespace followed by one of ``= + - @`` (either width), is written with
    a leading ``'``, so Excel, LibreOffice and Google Sheets show it as text
    instead of running it. Text that is a plain number (``-5``, ``-1,234.50``)
    and numbers, dates and booleans are written as they are. Pass
    ``escape_formulas=False`` when the file is for a program, not a spreadsheet.

    >>> import io
    >>> from crmclients.models import Note
    >>> out = io.StringIO()
    >>> write_csv([Note(id="1", vendor="x", body="=HYPERLINK(0)")], out, columns=["id", "body"])
    1
    >>> print(out.getvalue().splitlines()[1])
    1,'=HYPERLINK(0)

    Args:
        records: The records (consumed lazily).
        destination: A path (written atomically), ``"-"`` for standard output,
            or a file object (text or binary).
        columns: The columns, in order (default: every column of the record type).
        on_record: Called with each record as it is written.
        escape_formulas: Neutralise cells a spreadsheet would run as formulas.

    Returns:
        The number of records written.

    Raises:
        ConfigurationError: The destination cannot be written (checked before
            the first record is read).
    """
    with _open(destination, text=True) as output:
        return _csv(
            records,
            output,
            columns=columns,
            on_record=on_record,
            escape_formulas=escape_formulas,
        )


def _csv(
    records: Iterable[Any],
    output: _files.Output,
    *,
    columns: Sequence[str] | None = None,
    on_record: Callable[[Any], None] | None = None,
    escape_formulas: bool = True,
) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    escape = _escape_formula if escape_formulas else None

    def cells(values: Iterable[Any]) -> list[Any]:
        row = [_csv_value(v) for v in values]
        if escape is None:
            return row
        return [escape(v) if isinstance(v, str) and v else v for v in row]

    def flush(count: int) -> None:
        text = buffer.getvalue()
        if text:
            output.write(text.encode("utf-8"), count)
        buffer.seek(0)
        buffer.truncate()

    count = pending = 0
    fields: list[str] | None = None
    for record in records:
        row = flat_row(record)
        if fields is None:
            fields = list(columns) if columns else flat_columns(type(record))
            writer.writerow(cells(fields))
        writer.writerow(cells(row.get(name) for name in fields))
        count += 1
        pending += 1
        if on_record is not None:
            on_record(record)
        if pending >= _BATCH:
            flush(pending)
            pending = 0
    if fields is None and columns:
        writer.writerow(cells(columns))
    flush(pending)
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
    destination: str | os.PathLike[str] | IO[bytes],
    *,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    """Write a Parquet file (needs ``crmclients[pandas]``: pandas + pyarrow).

    Args:
        records: The records.
        destination: The file (written atomically), ``"-"`` for standard output,
            or a binary file object.
        on_record: Called with each record as it is read.

    Returns:
        The number of records written.

    Raises:
        ConfigurationError: pyarrow is not installed, or the destination cannot be
            written (checked before the first record is read).
    """
    _need_pyarrow()
    with _open(destination) as output:
        return _parquet(records, output, on_record=on_record)


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise errors.ConfigurationError(
            "Parquet needs pyarrow", hint="pip install 'crmclients[pandas]'"
        ) from exc


def _parquet(
    records: Iterable[Any],
    output: _files.Output,
    *,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    def counted() -> Iterator[Any]:
        for record in records:
            if on_record is not None:
                on_record(record)
            yield record

    frame = records_to_dataframe(counted())
    data = io.BytesIO()
    frame.to_parquet(data, index=False)
    output.write(data.getvalue(), len(frame))
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
    escape_formulas: bool = True,
) -> int:
    """Write ``records`` in ``fmt`` to ``destination`` (None or ``"-"``: stdout).

    Args:
        records: The records.
        destination: A path (written atomically), or None or ``"-"`` for
            standard output.
        fmt: ``table``, ``jsonl``, ``csv`` or ``parquet`` (parquet needs a path,
            or an explicit ``"-"``).
        on_record: Called with each record as it is written (progress bars).
        table_columns: Preferred columns for ``table``, in order; those the
            records do not have are skipped.
        escape_formulas: For ``csv``: see :func:`write_csv`.

    Returns:
        The number of records written.

    Raises:
        ConfigurationError: The destination cannot be written (checked before
            the first record is read), or parquet without a destination.
    """
    if fmt == "parquet":
        if destination is None:
            raise errors.ConfigurationError("parquet needs a file to write to")
        _need_pyarrow()
    with _open(destination) as output:
        return _write(
            records,
            output,
            fmt,
            on_record=on_record,
            table_columns=table_columns,
            escape_formulas=escape_formulas,
        )


def _write(
    records: Iterable[Any],
    output: _files.Output,
    fmt: Format,
    *,
    on_record: Callable[[Any], None] | None = None,
    table_columns: Sequence[str] | None = None,
    escape_formulas: bool = True,
) -> int:
    """Write ``records`` in ``fmt`` to an open output (not committed: the caller
    commits or discards it)."""
    if fmt == "jsonl":
        return _jsonl(records, output, on_record=on_record)
    if fmt == "csv":
        return _csv(
            records, output, on_record=on_record, escape_formulas=escape_formulas
        )
    if fmt == "parquet":
        return _parquet(records, output, on_record=on_record)
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
    output.write(text.encode("utf-8"), len(rows))
    return len(rows)
