"""Output files: CSV formula escaping, path kinds, modes, unwritable paths, debris.

One section per class of hole the security review found in how ``export.write_*``
and ``crmclients pull --out`` write files:

* CSV cells a spreadsheet would run as formulas are escaped (every text column of
  every shared model, every vendor's sandbox data), with an opt-out.
* ``-`` is stdout; devices, FIFOs and sockets are written in place; symlinks are
  followed and stay; directories are errors.
* New files get the umask's mode, replaced files keep theirs.
* A path that cannot be written is a one-line ``ConfigurationError`` (CLI: exit 5)
  raised before any record is fetched; a full disk too.
* Temporary files: anonymous on Linux; where that is unavailable, named parts that
  the next write sweeps when their writer is dead (never a live writer's).

The signal cases (SIGINT, SIGTERM, SIGKILL of a real pull) are in
``tests/cli/test_signals.py``.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

import crmclients
from crmclients import _files, cli, errors, export, sync
from crmclients._client import COLLECTION_MODELS
from crmclients.models import Note, Opportunity, Ref, RefKind
from tests.contract.samples import samples

Writer = Callable[[Any, Any], int]
#: Every public way to write records to a destination.
WRITERS: dict[str, Writer] = {
    "jsonl": lambda records, dest: export.write_jsonl(records, dest),
    "csv": lambda records, dest: export.write_csv(records, dest),
    "parquet": lambda records, dest: export.write_parquet(records, dest),
    "table": lambda records, dest: export.write(records, dest, "table"),
}

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://x.test","y")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "|calc",
    "%0A=1",
    "\uff1d1+1",  # full-width =
    "\uff0b1",  # full-width +
    "\uff0d1+1",  # full-width -
    "\uff20SUM(1)",  # full-width @
    " =1+1",
    "\u00a0 @SUM(1)",
    "-",
    "+",
    "+35791603077",
]
HARMLESS = ["plain", "1+1", "a=b", "-5", "-1,234.50", "'=already quoted", "", "café"]


def opportunities(count: int = 3) -> list[Opportunity]:
    """A few ordinary records."""
    return [
        Opportunity(id=str(i), vendor="tactile", name=f"Deal {i}", value=Decimal(i))
        for i in range(1, count + 1)
    ]


def watched(records: list[Any]) -> tuple[Iterator[Any], list[bool]]:
    """``records`` as a generator, and a flag set once the first one is asked for."""
    started: list[bool] = []

    def generate() -> Iterator[Any]:
        started.append(True)
        yield from records

    return generate(), started


def csv_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file, header first."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def poisoned(model: type[Any], payload: str) -> Any:
    """A record of ``model`` with ``payload`` in every text field, ref and tag."""
    hints = typing.get_type_hints(model)
    values: dict[str, Any] = {}
    for field in attrs.fields(model):
        hint = str(hints[field.name])
        if field.name in {"raw"}:
            continue
        if hint in {"<class 'str'>", "str | None", "typing.Optional[str]"}:
            values[field.name] = payload
        elif "Ref" in hint and "tuple" in hint:
            values[field.name] = (Ref(RefKind.CONTACT, payload, name=payload),)
        elif "Ref" in hint:
            values[field.name] = Ref(RefKind.CONTACT, payload, name=payload)
        elif hint.startswith("tuple[str"):
            values[field.name] = (payload, "b")
    return model(**values)


# --- 6. CSV formula injection -------------------------------------------------


@pytest.mark.parametrize("payload", FORMULAS)
@pytest.mark.parametrize("collection", sorted(COLLECTION_MODELS))
def test_csv_escapes_formulas_in_every_text_column(
    collection: str, payload: str, tmp_path: Path
) -> None:
    """Every text cell of every model that a spreadsheet would run gets a leading '."""
    record = poisoned(COLLECTION_MODELS[collection], payload)
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    export.write_csv([record], safe)
    export.write_csv([record], raw, escape_formulas=False)

    header, row = csv_rows(safe)
    raw_cells = dict(zip(*csv_rows(raw), strict=True))
    changed = {
        name: cell
        for name, cell in zip(header, row, strict=True)
        if raw_cells[name] != cell
    }
    text_columns = {
        name for name, cell in raw_cells.items() if cell.startswith(payload)
    }
    assert len(text_columns) > 3
    assert set(changed) == text_columns
    assert all(changed[name] == "'" + raw_cells[name] for name in changed)


@pytest.mark.parametrize("payload", HARMLESS)
def test_csv_leaves_harmless_text_alone(payload: str, tmp_path: Path) -> None:
    """Text no spreadsheet runs (plain numbers included, as in defusedcsv) is written as it is."""
    path = tmp_path / "out.csv"
    export.write_csv([Note(id="1", vendor="x", title=payload)], path, columns=["title"])

    assert csv_rows(path) == [["title"], [payload]]


def test_csv_numbers_are_not_escaped(tmp_path: Path) -> None:
    """Negative numbers are numbers, not text: they stay usable in a spreadsheet."""
    path = tmp_path / "out.csv"
    record = Opportunity(
        id="1", vendor="x", name="-loss", value=Decimal("-1200.50"), probability=-5
    )
    export.write_csv([record], path, columns=["name", "value", "probability"])

    assert csv_rows(path)[1] == ["'-loss", "-1200.50", "-5"]


def test_csv_escapes_header_cells(tmp_path: Path) -> None:
    """Column names chosen by the caller are cells too: they are escaped alike."""
    path = tmp_path / "out.csv"
    export.write_csv([], path, columns=["=evil", "id"])

    assert csv_rows(path) == [["'=evil", "id"]]


def test_csv_escaping_can_be_turned_off(tmp_path: Path) -> None:
    """escape_formulas=False writes every cell raw, for programs that read the file."""
    path = tmp_path / "out.csv"
    record = Note(id="1", vendor="x", title="=1+1", body="+44 20")
    export.write_csv([record], path, columns=["title", "body"], escape_formulas=False)

    assert csv_rows(path) == [["title", "body"], ["=1+1", "+44 20"]]


def test_csv_to_a_file_object_is_escaped_too(tmp_path: Path) -> None:
    """Text and binary file objects get the same cells as a path."""
    text, binary = io.StringIO(), io.BytesIO()
    record = Note(id="1", vendor="x", title="@SUM(1)")
    export.write_csv([record], text, columns=["title"])
    export.write_csv([record], binary, columns=["title"])

    assert text.getvalue() == binary.getvalue().decode() == "title\r\n'@SUM(1)\r\n"


def _filter_args(vendor: str, collection: str) -> list[str]:
    args: list[str] = []
    for name, value in samples(vendor).get(collection, {}).get("list", {}).items():
        text = f"{value.kind.value}:{value.id}" if isinstance(value, Ref) else value
        args += ["--filter", f"{name}={text}"]
    return args


SPREADSHEET_STARTS = tuple("=+-@|%\t\r\n\uff1d\uff0b\uff0d\uff20")


@pytest.mark.parametrize("vendor", crmclients.vendor_names())
def test_cli_csv_of_every_vendor_is_spreadsheet_safe(
    vendor: str, tmp_path: Path
) -> None:
    """`pull --format csv` of each vendor's sandbox: no cell would run; --no-escape-formulas is raw."""
    collection = crmclients.capabilities(vendor).collections()[0]
    base = ["pull", vendor, collection, "--sandbox", "--records", "30", "-q"]
    base += ["--format", "csv", *_filter_args(vendor, collection)]
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    runner = CliRunner()
    first = runner.invoke(cli.cli, [*base, "--out", str(safe)])
    second = runner.invoke(cli.cli, [*base, "--out", str(raw), "--no-escape-formulas"])

    assert first.exit_code == 0 == second.exit_code, first.output + second.output
    safe_rows, raw_rows = csv_rows(safe), csv_rows(raw)
    assert len(safe_rows) == len(raw_rows) > 1
    for safe_row, raw_row in zip(safe_rows, raw_rows, strict=True):
        for safe_cell, raw_cell in zip(safe_row, raw_row, strict=True):
            assert safe_cell == export._escape_formula(raw_cell)
            assert not safe_cell.startswith(SPREADSHEET_STARTS) or (
                export._PLAIN_NUMBER.fullmatch(safe_cell)
            )


# --- 8. What --out may name ---------------------------------------------------


@pytest.fixture
def devices(tmp_path: Path) -> dict[str, Path]:
    """A null and a full character device: made in tmp_path where allowed, else /dev's.

    Made ones keep a regression from turning the real /dev/full into a file.
    """
    found: dict[str, Path] = {}
    for name, minor in (("null", 3), ("full", 7)):
        path = tmp_path / f"dev-{name}"
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
            os.close(os.open(path, os.O_WRONLY))
        except OSError:
            with_path = Path(f"/dev/{name}")
            if path.exists():
                path.unlink()
            path = with_path
        found[name] = path
    return found


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_dash_is_standard_output(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: Any
) -> None:
    """'-' writes to stdout and never creates a file named '-'."""
    monkeypatch.chdir(tmp_path)
    count = WRITERS[fmt](opportunities(), "-")

    assert count == 3
    assert capfdbinary.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_cli_out_dash_is_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out -` prints the records and creates no file."""
    monkeypatch.chdir(tmp_path)
    args = ["pull", "tactile", "opportunities", "--sandbox", "--records", "4"]
    result = CliRunner().invoke(cli.cli, [*args, "--format", "jsonl", "--out", "-"])

    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 4
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_device_is_written_in_place(fmt: str, devices: dict[str, Path]) -> None:
    """A character device stays a device: no temporary file, no rename."""
    count = WRITERS[fmt](opportunities(), devices["null"])

    assert count == 3
    assert stat.S_ISCHR(os.lstat(devices["null"]).st_mode)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_fifo_is_written_in_place(fmt: str, tmp_path: Path) -> None:
    """A named pipe is opened and written like `cat > fifo`: its reader gets every record."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(
        target=lambda: received.append(fifo.read_bytes()), daemon=True
    )
    reader.start()
    try:
        count = WRITERS[fmt](opportunities(), fifo)
    finally:
        reader.join(timeout=10)

    assert count == 3
    assert received[0].count(b"\n") == 3 + (fmt == "csv")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_unix_socket_is_written_in_place() -> None:
    """A Unix socket is connected to and written; it stays a socket."""
    # A short path: socket addresses allow about 100 bytes.
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"crm-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    path = folder / "s"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    received = bytearray()
    try:
        server.bind(str(path))
        server.listen(1)

        def serve() -> None:
            connection, _ = server.accept()
            with connection:
                while chunk := connection.recv(65536):
                    received.extend(chunk)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        count = export.write_jsonl(opportunities(), path)
        thread.join(timeout=10)

        assert count == 3
        assert received.count(b"\n") == 3
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()
        path.unlink(missing_ok=True)
        folder.rmdir()


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_symlink_is_followed_and_stays(fmt: str, tmp_path: Path) -> None:
    """Writing through a link replaces its target atomically; the link itself stays."""
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "real"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link"
    link.symlink_to("data/real")
    chain = tmp_path / "chain"
    chain.symlink_to("link")
    WRITERS[fmt](opportunities(), chain)

    assert chain.is_symlink() and os.readlink(chain) == "link"
    assert link.is_symlink() and os.readlink(link) == "data/real"
    assert target.read_bytes() != b"old\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "chain",
        "data",
        "link",
        "real",
    ]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    """A link to nothing yet: the target is created, the link stays."""
    link = tmp_path / "link"
    link.symlink_to("new.jsonl")
    export.write_jsonl(opportunities(), link)

    assert link.is_symlink()
    assert len((tmp_path / "new.jsonl").read_text().splitlines()) == 3


def test_a_link_to_stdout_writes_to_the_descriptor(
    tmp_path: Path, capfdbinary: Any
) -> None:
    """/dev/stdout-style links write to fd 1 itself (dup, never reopen or replace)."""
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    export.write_jsonl(opportunities(), link)

    assert capfdbinary.readouterr().out.count(b"\n") == 3
    assert link.is_symlink()


def test_a_descriptor_opened_for_append_keeps_appending(tmp_path: Path) -> None:
    """`--out /dev/fd/N` with N opened `>>`: the records go after what is there."""
    log = tmp_path / "log"
    log.write_text("before\n")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        export.write_jsonl(opportunities(), f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)

    lines = log.read_text().splitlines()
    assert lines[0] == "before" and len(lines) == 4


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_directory_is_an_error(fmt: str, tmp_path: Path) -> None:
    """A directory (or a path ending in /) is refused, naming the path."""
    for destination in (tmp_path, f"{tmp_path}/"):
        with pytest.raises(errors.ConfigurationError, match="directory") as caught:
            WRITERS[fmt](opportunities(), destination)
        assert str(tmp_path) in str(caught.value)

    assert tmp_path.is_dir() and list(tmp_path.iterdir()) == []


# --- 9. File modes ------------------------------------------------------------


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process umask for the test; the old one comes back after."""
    previous = os.umask(0o022)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(previous)


@pytest.fixture(params=["O_TMPFILE", "named part"])
def temp_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with anonymous temporary files, and again with named parts."""
    if request.param == "named part":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    elif not _files._tmpfile_possible():
        pytest.skip("no O_TMPFILE on this system")
    return str(request.param)


STATE_WRITERS: dict[str, Writer] = {
    **WRITERS,
    "state": lambda records, dest: sync.SyncState().save(dest) or 0,
    "atomic_path": lambda records, dest: _write_by_name(dest),
}


def _write_by_name(destination: Path) -> int:
    with export.atomic_path(destination) as temp:
        temp.write_text("by name\n")
    return 0


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027])
@pytest.mark.parametrize("fmt", sorted(STATE_WRITERS))
def test_a_new_file_gets_the_umask_mode(
    fmt: str,
    mask: int,
    temp_kind: str,
    tmp_path: Path,
    umask: Callable[[int], None],
) -> None:
    """A new file is 0666 & ~umask (0644 under 022), whatever the temporary file was."""
    umask(mask)
    path = tmp_path / "new"
    STATE_WRITERS[fmt](opportunities(), path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640, 0o664, 0o755])
@pytest.mark.parametrize("fmt", sorted(STATE_WRITERS))
def test_a_replaced_file_keeps_its_mode(
    fmt: str,
    mode: int,
    temp_kind: str,
    tmp_path: Path,
    umask: Callable[[int], None],
) -> None:
    """Overwriting keeps the file's mode, even under umask 077."""
    umask(0o077)
    path = tmp_path / "old"
    path.write_text("previous\n")
    path.chmod(mode)
    STATE_WRITERS[fmt](opportunities(), path)

    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() != b"previous\n"


def test_cli_output_files_follow_the_same_modes(
    tmp_path: Path, umask: Callable[[int], None]
) -> None:
    """`pull --out --state`: a new data file 0644 under umask 022, an old state file keeps 0600."""
    umask(0o022)
    out, state = tmp_path / "out.jsonl", tmp_path / "state.json"
    sync.SyncState().save(state)
    state.chmod(0o600)
    args = ["pull", "tactile", "opportunities", "--sandbox", "--records", "5", "-q"]
    result = CliRunner().invoke(
        cli.cli, [*args, "--format", "jsonl", "--out", str(out), "--state", str(state)]
    )

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert json.loads(state.read_text())["marks"]


# --- 10. Unwritable destinations ----------------------------------------------


def _unwritable(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Destination -> (what the message must say) for paths no one can write."""
    (tmp_path / "afile").write_text("x")
    return {
        "/proc/x.out": ("/proc/x.out", "/proc"),
        "missing dir": (str(tmp_path / "missing" / "x.out"), "does not exist"),
        "file as dir": (str(tmp_path / "afile" / "x.out"), "not a directory"),
        "directory": (str(tmp_path), "directory"),
        "empty": ("", "empty"),
    }


CASES = ["/proc/x.out", "missing dir", "file as dir", "directory", "empty"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", sorted(STATE_WRITERS))
def test_an_unwritable_path_is_a_configuration_error_before_any_record(
    fmt: str, case: str, tmp_path: Path
) -> None:
    """A crmclients error naming the path and the reason, raised before a record is read."""
    destination, reason = _unwritable(tmp_path)[case]
    records, started = watched(opportunities())

    with pytest.raises(errors.ConfigurationError) as caught:
        STATE_WRITERS[fmt](records, destination)

    message = str(caught.value)
    assert "\n" not in message
    assert destination in message and reason.lower() in message.lower()
    assert started == []
    assert not isinstance(caught.value, OSError)


_AS_NOBODY = """
import os, sys
from crmclients import errors, export
from crmclients.models import Opportunity
import pyarrow, pyarrow.parquet  # loaded before the privileges go
os.setgid(65534)
os.setuid(65534)
fmt, destination = sys.argv[1], sys.argv[2]
writer = {"jsonl": export.write_jsonl, "csv": export.write_csv,
          "parquet": export.write_parquet,
          "table": lambda r, d: export.write(r, d, "table")}[fmt]
try:
    writer([Opportunity(id="1", vendor="tactile", name="x")], destination)
except errors.ConfigurationError as exc:
    print(type(exc).__name__, str(exc))
"""


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_read_only_directory_is_a_configuration_error(
    fmt: str, tmp_path: Path
) -> None:
    """A directory without write permission: the message says permission was denied.

    Root may write anywhere, so as root the writer runs in a subprocess that has
    dropped to the unprivileged ``nobody`` first."""
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    try:
        if os.geteuid() == 0:
            tmp_path.chmod(0o755)
            answer = subprocess.run(
                [sys.executable, "-c", _AS_NOBODY, fmt, str(folder / "x.out")],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            message = answer.stdout + answer.stderr
            assert message.startswith("OutputError "), message
            assert "Permission denied" in message
        else:
            with pytest.raises(errors.ConfigurationError, match="Permission denied"):
                WRITERS[fmt](opportunities(), folder / "x.out")
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_full_disk_is_a_configuration_error(
    fmt: str, devices: dict[str, Path]
) -> None:
    """ENOSPC (here /dev/full) is a clean error naming the path, and the device stays."""
    with pytest.raises(errors.ConfigurationError, match="No space left") as caught:
        WRITERS[fmt](opportunities(), devices["full"])

    assert str(devices["full"]) in str(caught.value)
    assert stat.S_ISCHR(os.lstat(devices["full"]).st_mode)


def test_a_failing_file_object_is_a_configuration_error() -> None:
    """An OSError from the caller's own file object is reported the same way."""

    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(errors.ConfigurationError, match="No space left"):
        export.write_jsonl(opportunities(), Full())


@pytest.mark.parametrize("option", ["--out", "--state"])
@pytest.mark.parametrize("case", CASES)
def test_cli_unwritable_path_exits_5_before_any_request(
    option: str, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One line naming the path, exit 5, and the vendor is never contacted."""
    destination, reason = _unwritable(tmp_path)[case]

    def no_client(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("connected before checking the output")

    monkeypatch.setattr(cli, "_client", no_client)
    args = ["pull", "tactile", "opportunities", "--sandbox", "--format", "jsonl"]
    out = [] if option == "--out" else ["--out", str(tmp_path / "ok.jsonl")]
    result = CliRunner().invoke(cli.cli, [*args, *out, option, destination])

    assert result.exit_code == 5, result.output
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("crmclients: error: cannot write")
    assert destination in result.stderr
    assert reason.lower() in result.stderr.lower()
    assert "Traceback" not in result.output
    assert not (tmp_path / "ok.jsonl").exists()


def _run(*args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(crmclients.__file__).parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "crmclients", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_cli_full_device_is_one_line_not_a_traceback(
    fmt: str, devices: dict[str, Path]
) -> None:
    """`--out /dev/full` and `> /dev/full`: exit 5, one line naming the output and ENOSPC."""
    args = ["pull", "tactile", "opportunities", "--sandbox", "--records", "5"]
    as_out = _run(*args, "--format", fmt, "--out", str(devices["full"]))
    with open(devices["full"], "wb") as full:
        as_stdout = _run(*args, "--format", fmt, stdout=full)

    for result, name in (
        (as_out, str(devices["full"])),
        (as_stdout, "standard output"),
    ):
        assert result.returncode == 5, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"cannot write {name}: No space left on device" in result.stderr
    assert stat.S_ISCHR(os.lstat(devices["full"]).st_mode)


# --- 7. Temporary files and their debris --------------------------------------


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_no_temporary_file_is_visible_while_writing(fmt: str, tmp_path: Path) -> None:
    """On Linux the data goes to an anonymous O_TMPFILE: nothing shows in the directory."""
    if not _files._tmpfile_possible():
        pytest.skip("no O_TMPFILE on this system")
    seen: list[list[str]] = []
    (tmp_path / "out").write_text("previous\n")
    records = opportunities(1200)
    writer = export.write_jsonl if fmt == "jsonl" else export.write_csv
    writer(
        records, tmp_path / "out", on_record=lambda _r: seen.append(_entries(tmp_path))
    )

    assert all(entries == ["out"] for entries in seen)
    assert len(seen) == 1200


@pytest.mark.parametrize(
    "unsupported",
    ["no O_TMPFILE", errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL],
    ids=["no-constant", "EOPNOTSUPP", "EISDIR", "EINVAL"],
)
def test_without_o_tmpfile_a_named_part_is_used_and_removed(
    unsupported: str | int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where O_TMPFILE fails, a .NAME.PID-HOST.X.part is written, renamed on success, removed on failure."""
    if unsupported == "no O_TMPFILE" or not hasattr(os, "O_TMPFILE"):
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    else:
        real_open = os.open
        tmpfile = os.O_TMPFILE

        def refusing(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & tmpfile == tmpfile:
                raise OSError(unsupported, os.strerror(int(unsupported)))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    seen: list[list[str]] = []
    out = tmp_path / "out.jsonl"
    export.write_jsonl(
        opportunities(2), out, on_record=lambda _r: seen.append(_entries(tmp_path))
    )

    part = seen[0][0]
    assert part.startswith(f".out.jsonl.{os.getpid()}-") and part.endswith(".part")
    assert _entries(tmp_path) == ["out.jsonl"]

    def broken() -> Iterator[Any]:
        yield from opportunities(2)
        raise errors.TransportError("connection lost mid-pull")

    with pytest.raises(errors.TransportError):
        export.write_jsonl(broken(), out)
    assert _entries(tmp_path) == ["out.jsonl"]
    assert len(out.read_text().splitlines()) == 2


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    probe = subprocess.Popen([sys.executable, "-c", "pass"])
    probe.wait(timeout=30)
    return probe.pid


def test_stale_parts_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    """Only parts of this target whose writer is dead here, or untouched for a day, go."""
    host = _files._host_tag()
    other_host = "00000000" if host != "00000000" else "11111111"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _dead_pid()
        names = {
            "dead": f".out.jsonl.{dead}-{host}.aaaaaaaa.part",
            "live": f".out.jsonl.{live.pid}-{host}.bbbbbbbb.part",
            "mine": f".out.jsonl.{os.getpid()}-{host}.cccccccc.part",
            "other host, dead pid": f".out.jsonl.{dead}-{other_host}.dddddddd.part",
            "old, live": f".out.jsonl.{live.pid}-{host}.eeeeeeee.part",
            "legacy old": ".out.jsonl.abc_1234.part",
            "legacy new": ".out.jsonl.xyz_9876.part",
            "other target": f".out.jsonl.bak.{dead}-{host}.ffffffff.part",
            "not a part": ".out.jsonl.notes",
        }
        for name in names.values():
            (tmp_path / name).write_text("partial")
        day_old = time.time() - _files.STALE_AFTER - 60
        for key in ("old, live", "legacy old"):
            os.utime(tmp_path / names[key], (day_old, day_old))
        export.write_jsonl(opportunities(), tmp_path / "out.jsonl")
    finally:
        live.kill()
        live.wait(timeout=30)

    swept = {"dead", "old, live", "legacy old"}
    kept = sorted(["out.jsonl", *(names[k] for k in names if k not in swept)])
    assert _entries(tmp_path) == kept


def test_cli_never_removes_a_running_pulls_part(tmp_path: Path) -> None:
    """Two pulls of one target: the second leaves the first's (live) part alone."""
    host = _files._host_tag()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    part = tmp_path / f".out.jsonl.{live.pid}-{host}.0123abcd.part"
    part.write_text("in progress")
    try:
        args = ["pull", "tactile", "opportunities", "--sandbox", "--records", "3"]
        result = CliRunner().invoke(
            cli.cli,
            [*args, "-q", "--format", "jsonl", "--out", str(tmp_path / "out.jsonl")],
        )
    finally:
        live.kill()
        live.wait(timeout=30)

    assert result.exit_code == 0, result.output
    assert part.read_text() == "in progress"


def test_output_error_pickles_and_names_its_path() -> None:
    """The error the writers raise is a ConfigurationError that survives pickling."""
    import pickle

    error = errors.OutputError(path="/x/y.csv", reason="Permission denied")
    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(copy, errors.ConfigurationError)
    assert (copy.path, copy.reason, str(copy)) == (
        "/x/y.csv",
        "Permission denied",
        str(error),
    )
    assert str(error).startswith("cannot write /x/y.csv: Permission denied")


def test_atomic_path_refuses_dash(tmp_path: Path) -> None:
    """atomic_path needs a file name: '-' is a configuration error, not a file."""
    with pytest.raises(errors.ConfigurationError, match="'-'"):
        with export.atomic_path("-"):
            pass


def test_stdout_without_a_buffer_gets_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replaced sys.stdout (a StringIO) receives the records as text."""
    fake = io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake)
    export.write(opportunities(), None, "jsonl")

    assert len(fake.getvalue().splitlines()) == 3


def test_poisoned_records_set_every_text_field() -> None:
    """The helper above puts the payload in the id and vendor of every model too."""
    for model in COLLECTION_MODELS.values():
        record = poisoned(model, "=x")
        assert record.vendor == "=x" and record.id == "=x"
