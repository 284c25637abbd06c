"""SIGINT and SIGTERM as an exception that waits for a write in progress.

:func:`stop_on_signals` turns SIGINT (Ctrl-C) and SIGTERM (what ``timeout``, cron,
systemd and Airflow send) into :class:`Interrupted`, raised in the main thread
like ``KeyboardInterrupt``, so ``finally`` blocks and context managers clean up.
Inside :func:`deferred` (a batch of records being written, a file being renamed
into place) the exception waits until the block ends, so what was written is
known exactly; a second signal during the block raises at once (a write blocked
on a full pipe must not make the process unstoppable).

A signal the parent set to be ignored (``nohup``, a background job) stays
ignored, as Python itself does for SIGINT.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["SIGNALS", "Interrupted", "deferred", "stop_on_signals"]

#: The signals :func:`stop_on_signals` handles.
SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The process was asked to stop by a signal.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that no
    ``except Exception`` on the way up swallows it.

    Attributes:
        signum: The signal number.
        name: The signal's name (``"SIGINT"``, ``"SIGTERM"``).
        exit_code: The conventional exit status, 128 + the signal number
            (130 for SIGINT, 143 for SIGTERM).
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {self.name}")


class _State:
    """What the handler needs: are we inside deferred(), and was a signal held."""

    depth = 0
    pending: int | None = None


_STATE = _State()


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _STATE.depth and _STATE.pending is None:
        _STATE.pending = signum
        return
    _STATE.pending = None
    raise Interrupted(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted`.

    The previous handlers come back when the block ends. Outside the main thread
    (where Python cannot set handlers) this does nothing.

    Returns:
        A context manager.
    """
    if not _main_thread():
        yield
        return
    previous: dict[signal.Signals, object] = {}
    try:
        for signum in SIGNALS:
            current = signal.getsignal(signum)
            if current is signal.SIG_IGN:
                continue
            previous[signum] = current
            signal.signal(signum, _handler)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type] # getsignal's own value
        _STATE.pending = None


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold an :class:`Interrupted` until the block ends (main thread only).

    The first signal that arrives during the block is raised when it ends; a
    second one is raised at once.

    Returns:
        A context manager.
    """
    if not _main_thread():
        yield
        return
    _STATE.depth += 1
    try:
        yield
    finally:
        _STATE.depth -= 1
        if _STATE.depth == 0 and _STATE.pending is not None:
            # The signal wins over an error the block raised meanwhile.
            signum, _STATE.pending = _STATE.pending, None
            raise Interrupted(signum)
