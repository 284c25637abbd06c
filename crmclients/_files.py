"""Output files that are whole or absent: where an export writes, and how.

A destination is resolved and opened before any record is fetched
(:func:`open_output`), so a path that cannot be written fails before a request is
sent. The rules, in order:

``-`` (or ``None``)
    Standard output, written as the records come; what was written stays written.
A path ending in ``/``, or naming a directory
    An error.
A symbolic link
    Followed to its final target, to which these rules apply; the link itself stays.
    ``/dev/stdout``, ``/dev/fd/N`` and ``/proc/self/fd/N`` write to the process's
    own descriptor ``N`` (never reopened, so ``>> log`` keeps appending).
A character or block device, a FIFO, a Unix socket
    Written in place: no temporary file, no rename (``/dev/null``, a named pipe a
    reader waits on, a socket a collector listens on).
Anything else (a regular file, or nothing yet)
    Written to a temporary file in the target's directory, which replaces the target
    in one rename once complete and flushed to disk. On Linux the temporary file is
    anonymous (``O_TMPFILE``): until the rename it has no name, so even ``kill -9``
    leaves nothing behind. Where the OS or the filesystem has no ``O_TMPFILE``, it
    is a hidden ``.NAME.PID-HOST.XXXXXXXX.part`` next to the target, and each write
    to the target first removes the parts that dead processes of this host left (or
    that nobody touched for :data:`STALE_AFTER` seconds), never those of a write
    still running.

A new file gets the mode the umask allows (``0o666 & ~umask``, or the directory's
default ACL); a replaced file keeps its mode (and, where permitted, its owner and
group).

Every failure is an :class:`OutputError` (a ``ConfigurationError``) whose message
names the path and the operating system's reason.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import socket
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, ClassVar

from crmclients import _signals, errors

__all__ = [
    "STALE_AFTER",
    "Output",
    "OutputError",
    "atomic_path",
    "borrowed",
    "open_output",
    "sweep_parts",
]

#: Seconds after which a ``.part`` file nobody writes to is stale, whoever made it.
STALE_AFTER = 24 * 3600.0

# os.open(dir, O_TMPFILE) answers these where the kernel or filesystem lacks it.
_NO_TMPFILE = frozenset(
    {errno.EOPNOTSUPP, errno.ENOTSUP, errno.EISDIR, errno.EINVAL, errno.ENOSYS}
)
_FD_DIR = re.compile(r"/proc/(\d+)(?:/task/\d+)?/fd")
_PART = re.compile(r"(?P<pid>[0-9]+)-(?P<host>[0-9a-f]{8})\.[0-9a-f]{8,}\.part")
_LEGACY_PART = re.compile(r"[a-z0-9_]{8}\.part")  # tempfile.mkstemp's, before 0.2
_HINTS = {
    errno.ENOSPC: "free some space, or write somewhere else",
    errno.EDQUOT: "free some space, or write somewhere else",
    errno.EPIPE: "the reader of the output went away",
}
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _shown(path: str) -> str:
    """A path for a one-line message (quoted when it holds control characters)."""
    return path if path.isprintable() else repr(path)


#: Kept here too: the writers raise it (it lives in the public error tree).
OutputError = errors.OutputError


def _failure(path: str, exc: OSError, doing: str = "") -> OutputError:
    reason = exc.strerror or str(exc)
    return OutputError(
        path=path,
        reason=f"{doing}: {reason}" if doing else reason,
        hint=_HINTS.get(exc.errno or 0),
    )


class Output:
    """A destination open for writing (see the module docstring for the kinds).

    Use it as a context manager, or call :meth:`commit` once everything is
    written (a file replaces its target then) and :meth:`discard` on failure;
    both are idempotent, and after either the output is closed.

    Attributes:
        name: The destination as given (``"-"`` for standard output).
        kind: ``"stdout"``, ``"in_place"`` (a device, FIFO, socket or descriptor),
            ``"file"`` (replaced atomically) or ``"stream"`` (a file object the
            caller opened).
        existed: A file was there before (``"file"`` outputs).
        records: Records written so far (for ``stdout`` and ``in_place``: handed
            to the operating system, so they cannot be taken back).
        torn: A write was cut short by a second signal: the last record may be
            incomplete.
        committed: :meth:`commit` finished: everything is out (and a file is in
            place).
    """

    kind: ClassVar[str] = ""
    _flush_each = True  # streams: each batch goes out before it is counted

    def __init__(self, name: str, stream: IO[bytes]) -> None:
        self.name = name
        self.existed = False
        self.records = 0
        self.torn = False
        self.committed = False
        self.closed = False
        self._stream = stream

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.kind} {self.name!r} records={self.records}>"
        )

    def write(self, data: bytes, records: int = 0) -> None:
        """Write ``data``, which completes ``records`` more records.

        A SIGINT or SIGTERM (see :mod:`crmclients._signals`) waits for the write to
        finish, so :attr:`records` is exact.

        Args:
            data: The bytes.
            records: How many records ``data`` completes.

        Raises:
            OutputError: The OS refused the write (disk full, reader gone...).
        """
        if self.closed:
            raise OutputError(path=self.name, reason="the output is already closed")
        with _signals.deferred():
            self.torn = True
            try:
                self._stream.write(data)
                if self._flush_each:
                    self._stream.flush()
            except OSError as exc:
                self._failed(exc)
                raise _failure(self.name, exc) from exc
            self.torn = False
            self.records += records

    def commit(self) -> None:
        """Finish: flush everything out and, for a file, move it into place.

        Raises:
            OutputError: The last flush, the sync or the rename failed; the
                target is left as it was.
        """
        if self.closed:
            return
        with _signals.deferred():
            try:
                self._finish()
            except OSError as exc:
                self._failed(exc)
                self.discard()
                raise _failure(self.name, exc) from exc
            self.committed = True
            self.closed = True

    def discard(self) -> None:
        """Give up: a file's temporary data is dropped, its target left as it was.

        What a stream already received stays there.
        """
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self._abort()

    def __enter__(self) -> Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def _finish(self) -> None:
        self._stream.flush()
        self._stream.close()

    def _abort(self) -> None:
        self._stream.close()

    def _failed(self, exc: OSError) -> None:
        """Called when the OS refused a write or a flush."""


class _TextBridge:
    """Bytes to a text stream without a ``buffer`` (a replaced ``sys.stdout``)."""

    def __init__(self, text: Any) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        self._text.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()

    def close(self) -> None:
        self._text.flush()


class _Borrowed(Output):
    """A file object the caller opened: written and flushed, never closed."""

    kind = "stream"
    _flush_each = False

    def __init__(self, handle: Any, *, text: bool) -> None:
        mode = getattr(handle, "mode", None)
        if isinstance(handle, io.TextIOBase):
            text = True
        elif isinstance(handle, io.BufferedIOBase | io.RawIOBase):
            text = False
        elif isinstance(mode, str) and mode:
            text = "b" not in mode
        name = getattr(handle, "name", None)
        stream: Any = _TextBridge(handle) if text else handle
        super().__init__(name if isinstance(name, str) else repr(handle), stream)

    def _finish(self) -> None:
        self._stream.flush()

    def _abort(self) -> None:
        """The caller's file stays open; what it received stays there."""


class _Stdout(Output):
    kind = "stdout"

    def __init__(self) -> None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        stream: Any = buffer if buffer is not None else _TextBridge(sys.stdout)
        super().__init__("-", stream)

    def _finish(self) -> None:
        self._stream.flush()

    def _abort(self) -> None:
        self._stream.flush()


class _InPlace(Output):
    kind = "in_place"

    def __init__(self, name: str, stream: IO[bytes], sock: socket.socket | None):
        super().__init__(name, stream)
        self._socket = sock

    def _finish(self) -> None:
        try:
            self._stream.flush()
        finally:
            self._abort()

    def _abort(self) -> None:
        try:
            self._stream.close()
        finally:
            if self._socket is not None:
                self._socket.close()


class _Replacement(Output):
    kind = "file"
    _flush_each = False

    def __init__(self, name: str, target: str, existing: os.stat_result | None):
        directory, base = os.path.split(target)
        sweep_parts(directory, base)
        fd, part = _create_temp(name, directory, base, existing)
        try:
            if existing is not None:
                _keep_owner_and_mode(fd, existing)
            stream = open(fd, "wb", buffering=1 << 16, closefd=True)  # noqa: SIM115 - closed by commit/discard
        except BaseException as exc:
            os.close(fd)
            if part is not None:
                with contextlib.suppress(OSError):
                    os.unlink(part)
            if isinstance(exc, OSError):
                raise _failure(name, exc) from exc
            raise
        super().__init__(name, stream)
        self.existed = existing is not None
        self.target = target
        self._directory = directory
        self._base = base
        self._part = part

    def _finish(self) -> None:
        self._stream.flush()
        os.fsync(self._stream.fileno())
        if self._part is None:
            self._part = _link_anonymous(
                self._stream.fileno(), self._directory, self._base
            )
        os.replace(self._part, self.target)
        self._part = None
        self._stream.close()
        _sync_directory(self._directory)

    def _abort(self) -> None:
        try:
            self._stream.close()
        finally:
            if self._part is not None:
                part, self._part = self._part, None
                os.unlink(part)


def _host_tag() -> str:
    """Eight hex digits naming this host (pids are only comparable on one host)."""
    return f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"


def _part_name(base: str) -> str:
    return f".{base}.{os.getpid()}-{_host_tag()}.{secrets.token_hex(4)}.part"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` (of this host) still runs; unsure means yes."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but is not ours (EPERM), or we cannot tell
    return True


def sweep_parts(directory: str, name: str, *, now: float | None = None) -> list[str]:
    """Remove the stale temporary parts of the target ``name`` in ``directory``.

    A part is stale when the process that wrote it (its pid is in the name) ran on
    this host and is gone, or when nobody touched it for :data:`STALE_AFTER`
    seconds. Parts of live writers and of other targets are left alone; errors
    (a part removed meanwhile, a directory we cannot list) are ignored.

    Args:
        directory: The target's directory.
        name: The target's file name.
        now: The current time (seconds since the epoch; tests pass their own).

    Returns:
        The names of the parts removed.
    """
    prefix = f".{name}."
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory or "."))
    except OSError:
        return removed
    moment = time.time() if now is None else now
    host = _host_tag()
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        rest = entry.name[len(prefix) :]
        ours = _PART.fullmatch(rest)
        if ours is None and _LEGACY_PART.fullmatch(rest) is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        dead = (
            ours is not None and ours["host"] == host and not _alive(int(ours["pid"]))
        )
        if dead or moment - info.st_mtime > STALE_AFTER:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def _tmpfile_possible() -> bool:
    return hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


def _create_temp(
    name: str, directory: str, base: str, existing: os.stat_result | None
) -> tuple[int, str | None]:
    """A new temporary file in ``directory``: (descriptor, its name or None)."""
    # Never wider than the final mode: a replaced file is fchmod-ed right after.
    mode = 0o600 if existing is not None else 0o666
    if _tmpfile_possible():
        try:
            return os.open(directory, os.O_TMPFILE | os.O_WRONLY | _CLOEXEC, mode), None
        except OSError as exc:
            if exc.errno not in _NO_TMPFILE:
                raise _failure(
                    name, exc, f"cannot create a file in {_shown(directory)}"
                ) from exc
    return _create_part(name, directory, base, mode)


def _create_part(name: str, directory: str, base: str, mode: int) -> tuple[int, str]:
    """A new hidden ``.part`` file next to the target."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC | getattr(os, "O_BINARY", 0)
    while True:
        part = os.path.join(directory, _part_name(base))
        try:
            return os.open(part, flags, mode), part
        except FileExistsError:  # 32 random bits: retry
            continue
        except OSError as exc:
            raise _failure(
                name, exc, f"cannot create a file in {_shown(directory)}"
            ) from exc


def _link_anonymous(fd: int, directory: str, base: str) -> str:
    """Give the ``O_TMPFILE`` file ``fd`` a hidden name in ``directory``."""
    # linkat(AT_SYMLINK_FOLLOW) on the /proc magic link (AT_EMPTY_PATH would need
    # CAP_DAC_READ_SEARCH). os.link calls plain link(2), which links the magic
    # link itself (EXDEV), unless a dir_fd is given: hence dst_dir_fd.
    folder = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        while True:
            name = _part_name(base)
            with contextlib.suppress(FileExistsError):  # 32 random bits: retry
                os.link(
                    f"/proc/self/fd/{fd}",
                    name,
                    dst_dir_fd=folder,
                    follow_symlinks=True,
                )
                return os.path.join(directory, name)
    finally:
        os.close(folder)


def _keep_owner_and_mode(fd: int, existing: os.stat_result) -> None:
    """Give the new file the replaced file's owner and group (where allowed) and mode."""
    if hasattr(os, "fchown"):
        mine = os.fstat(fd)
        if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.fchown(fd, existing.st_uid, existing.st_gid)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(existing.st_mode))


def _sync_directory(directory: str) -> None:
    """Flush the rename to disk (best effort: not every OS can open a directory)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _follow(name: str) -> tuple[str, int | None]:
    """The final target of ``name``'s symbolic links, and a descriptor it names.

    Returns:
        ``(path, fd)``: ``fd`` is set when the path is one of this process's own
        descriptors (``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``).
    """
    current = os.path.abspath(name)
    for _ in range(40):
        parent = os.path.realpath(os.path.dirname(current))
        base = os.path.basename(current)
        current = os.path.join(parent, base)
        fd_dir = _FD_DIR.fullmatch(parent)
        if fd_dir is not None:
            mine = int(fd_dir.group(1)) == os.getpid() and base.isdigit()
            return current, int(base) if mine else None
        try:
            link = os.readlink(current)
        except OSError:  # not a link (EINVAL), not there yet, or not reachable
            return current, None
        current = os.path.join(parent, link)
    raise OutputError(path=name, reason="too many levels of symbolic links")


def _resolve(name: str) -> tuple[str, str, os.stat_result | None, int | None]:
    """Apply the rules: (kind, final path, its stat or None, own descriptor or None)."""
    if not name:
        raise OutputError(path=name, reason="the path is empty")
    if name.endswith(("/", os.sep)):
        raise OutputError(path=name, reason="the path names a directory")
    final, own_fd = _follow(name)
    if own_fd is not None:
        return "in_place", final, None, own_fd
    try:
        info: os.stat_result | None = os.stat(final)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _failure(name, exc) from exc
    if info is None:
        directory = os.path.dirname(final)
        try:
            parent = os.stat(directory)
        except FileNotFoundError:
            raise OutputError(
                path=name, reason=f"the directory {_shown(directory)} does not exist"
            ) from None
        except OSError as exc:
            raise _failure(name, exc, _shown(directory)) from exc
        if not stat.S_ISDIR(parent.st_mode):
            raise OutputError(
                path=name, reason=f"{_shown(directory)} is not a directory"
            )
        return "file", final, None, None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(path=name, reason="it is a directory")
    if stat.S_ISREG(info.st_mode):
        return "file", final, info, None
    return "in_place", final, info, None


def _open_in_place(
    name: str, final: str, info: os.stat_result | None, own_fd: int | None
) -> Output:
    sock: socket.socket | None = None
    try:
        if own_fd is not None:
            fd = os.dup(own_fd)
        elif info is not None and stat.S_ISSOCK(info.st_mode):
            if not hasattr(socket, "AF_UNIX"):  # pragma: no cover - Windows
                raise OutputError(path=name, reason="it is a socket")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(final)
            except OSError:
                sock.close()
                raise
            stream: IO[bytes] = sock.makefile("wb")
            return _InPlace(name, stream, sock)
        else:
            # A FIFO blocks here until a reader opens it (as `cat > fifo` does).
            flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | _CLOEXEC
            fd = os.open(final, flags)
    except OSError as exc:
        raise _failure(name, exc) from exc
    return _InPlace(name, open(fd, "wb", closefd=True), None)


def open_output(destination: str | os.PathLike[str] | None) -> Output:
    """Open ``destination`` for writing, by the rules of the module docstring.

    Args:
        destination: A path, ``"-"`` or None (standard output).

    Returns:
        The open output; commit or discard it.

    Raises:
        OutputError: The destination is a directory, its directory does not
            exist, or the OS refused to create or open it.
    """
    if destination is None or os.fspath(destination) == "-":
        return _Stdout()
    name = os.fspath(destination)
    kind, final, info, own_fd = _resolve(name)
    if kind == "in_place":
        return _open_in_place(name, final, info, own_fd)
    return _Replacement(name, final, info)


def borrowed(handle: IO[Any], *, text: bool = False) -> Output:
    """An :class:`Output` over a file object the caller owns.

    Args:
        handle: An open file object; it is flushed on commit, never closed.
        text: Whether it takes ``str`` when it does not say (text files,
            ``io.StringIO`` and files opened with a ``mode`` say so themselves).

    Returns:
        The output (its OS errors become :class:`OutputError`).
    """
    return _Borrowed(handle, text=text)


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path that replaces ``destination`` only on success.

    The same rules as :func:`open_output`, for code that writes by file name: a
    device, FIFO or socket is yielded as it is (written in place); otherwise a
    hidden ``.part`` next to the (symlink-resolved) target, with the target's mode,
    renamed over it on a clean exit and removed on an exception.

    Args:
        destination: The file to write.

    Returns:
        A context manager yielding the path to write.

    Raises:
        OutputError: As :func:`open_output`; also when ``destination`` is ``"-"``.
    """
    name = os.fspath(destination)
    if name == "-":
        raise OutputError(path=name, reason="this needs a file name, not '-'")
    kind, final, info, _own_fd = _resolve(name)
    if kind == "in_place":
        yield Path(name)
        return
    directory, base = os.path.split(final)
    sweep_parts(directory, base)
    fd, part = _create_part(name, directory, base, 0o600 if info else 0o666)
    try:
        try:
            if info is not None:
                _keep_owner_and_mode(fd, info)
        finally:
            os.close(fd)
        yield Path(part)
        with _signals.deferred():
            try:
                with open(part, "rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(part, final)
            except OSError as exc:
                raise _failure(name, exc) from exc
            _sync_directory(directory)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(part)
