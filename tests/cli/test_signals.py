"""Signals during a real `crmclients pull`: what is left, what is said, the exit code.

Each test starts ``python -m crmclients pull ... --sandbox --latency`` as a
subprocess, waits (bounded) until the pull has written records, signals it, and
checks the exit status, the one-line message and the directory:

* SIGINT -> 130, SIGTERM -> 143: a file output is left as it was, with no
  partial file; a stdout output keeps what was written and the message says how
  many records that is (checked against the file stdout was redirected to).
* SIGKILL: nothing can run, and still no partial file is visible (O_TMPFILE);
  where O_TMPFILE is unavailable the named part left behind is swept by the
  next run.

The writer and its signal handling do not depend on the vendor (CSV cells do:
those tests run per vendor in ``tests/reliability/test_output_files.py``).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

import crmclients
from crmclients import _files, _signals

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/PID/fd to see the pull"
)

#: Enough records, small pages and latency that a pull runs for seconds after its
#: first write (500 records), so the signal always lands mid-pull.
PULL = [
    "pull",
    "tactile",
    "opportunities",
    "--sandbox",
    "--records",
    "3000",
    "--page-size",
    "50",
    "--latency",
    "0.05",
    "-q",
]
WAIT = 30.0  # seconds: a bound on startup, never a speed assertion
EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}
PREVIOUS = b"previous complete export\n"


@contextlib.contextmanager
def _signals_not_ignored() -> Iterator[None]:
    """Children inherit ignored signals: make sure SIGINT/SIGTERM are not (nohup, CI)."""
    saved = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is signal.SIG_IGN:
            saved[signum] = signal.signal(signum, signal.SIG_DFL)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def start(
    *args: str, cwd: Path, stdout: IO[Any] | int = subprocess.DEVNULL, code: str = ""
) -> subprocess.Popen[bytes]:
    """``python -m crmclients ARGS`` (or ``python -c CODE ARGS``) in ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(Path(crmclients.__file__).parents[1])}
    command = ["-c", code, *args] if code else ["-m", "crmclients", *args]
    with _signals_not_ignored():
        return subprocess.Popen(
            [sys.executable, *command],
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
        )


def written_into(process: subprocess.Popen[bytes], folder: Path) -> int:
    """Bytes the process has written to open files in ``folder`` (anonymous ones too)."""
    total = 0
    fds = Path(f"/proc/{process.pid}/fd")
    with contextlib.suppress(OSError):
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd).startswith(f"{folder}/"):
                    total += os.stat(fd).st_size
    return total


def wait_until_writing(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Return once the pull has written records into ``folder`` (bounded wait)."""
    deadline = time.monotonic() + WAIT
    while written_into(process, folder) == 0:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"the pull ended before writing: {process.returncode} {stderr}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the pull wrote nothing within {WAIT} s")
        time.sleep(0.02)


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Wait (bounded) for the process; its exit status and stderr."""
    try:
        _, stderr = process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("the pull did not stop after the signal")
    return process.returncode, stderr.decode()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize(
    "signum",
    [signal.SIGINT, signal.SIGTERM, signal.SIGKILL],
    ids=["SIGINT", "SIGTERM", "SIGKILL"],
)
def test_a_signal_leaves_the_file_as_it_was(
    signum: signal.Signals, fmt: str, tmp_path: Path
) -> None:
    """Mid-pull: exit 130/143 (or killed), the old file intact, no partial file at all."""
    out = tmp_path / f"out.{fmt}"
    out.write_bytes(PREVIOUS)
    process = start(*PULL, "--format", fmt, "--out", str(out), cwd=tmp_path)
    wait_until_writing(process, tmp_path)
    process.send_signal(signum)
    returncode, stderr = finish(process)

    assert returncode == EXIT[signum], stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    assert out.read_bytes() == PREVIOUS
    if signum != signal.SIGKILL:
        assert stderr == (
            f"crmclients: interrupted by {signum.name}; {out} was left as it was "
            "and no partial file was left behind\n"
        )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_creates_no_new_file(signum: signal.Signals, tmp_path: Path) -> None:
    """A new --out and --state: neither appears, and the message says so."""
    out, state = tmp_path / "new.jsonl", tmp_path / "state.json"
    process = start(
        *PULL,
        "--format",
        "jsonl",
        "--out",
        str(out),
        "--state",
        str(state),
        cwd=tmp_path,
    )
    wait_until_writing(process, tmp_path)
    process.send_signal(signum)
    returncode, stderr = finish(process)

    assert returncode == EXIT[signum], stderr
    assert list(tmp_path.iterdir()) == []
    assert stderr == (
        f"crmclients: interrupted by {signum.name}; {out} was not created and no "
        "partial file was left behind; the state file was not changed\n"
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_with_stdout_redirected_says_what_is_there(
    signum: signal.Signals, fmt: str, tmp_path: Path
) -> None:
    """stdout cannot be taken back: the message counts exactly the records it holds."""
    redirected = tmp_path / "stdout.txt"
    with open(redirected, "wb") as stdout:
        process = start(*PULL, "--format", fmt, cwd=tmp_path, stdout=stdout)
        wait_until_writing(process, tmp_path)
        process.send_signal(signum)
        returncode, stderr = finish(process)

    lines = redirected.read_bytes().splitlines()
    records = len(lines) - (fmt == "csv")
    match = re.fullmatch(
        rf"crmclients: interrupted by {signum.name}; the output on stdout is partial: "
        r"(\d+) records were written and cannot be taken back\n",
        stderr,
    )
    assert returncode == EXIT[signum], stderr
    assert match is not None, stderr
    assert int(match.group(1)) == records
    assert 0 < records < 3000
    assert redirected.read_bytes().endswith(b"\n")


def test_after_sigkill_without_o_tmpfile_the_next_run_sweeps_the_part(
    tmp_path: Path,
) -> None:
    """Without O_TMPFILE a killed pull leaves its named part; the next pull removes it."""
    code = (
        "import os, sys; del os.O_TMPFILE; from crmclients.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    out = tmp_path / "out.jsonl"
    args = ["--format", "jsonl", "--out", str(out)]
    killed = start(*PULL, *args, cwd=tmp_path, code=code)
    wait_until_writing(killed, tmp_path)
    killed.kill()
    finish(killed)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 1 and re.fullmatch(
        rf"\.out\.jsonl\.{killed.pid}-{_files._host_tag()}\.[0-9a-f]+\.part", left[0]
    ), left

    quick = ["pull", "tactile", "opportunities", "--sandbox", "--records", "5", "-q"]
    again = start(*quick, *args, cwd=tmp_path, code=code)
    returncode, stderr = finish(again)

    assert returncode == 0, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert len(out.read_bytes().splitlines()) == 5


# --- The mechanism, in process (main thread, real signals) ---------------------


class _Stream:
    """A binary stream that receives ``signals`` while it is written to."""

    def __init__(self, *signals: signal.Signals) -> None:
        self.signals = signals
        self.data = bytearray()

    def write(self, data: bytes) -> int:
        for signum in self.signals:
            signal.raise_signal(signum)
        self.data.extend(data)
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""

    def close(self) -> None:
        """Nothing to close."""


def _stream_output(stream: _Stream) -> _files.Output:
    output = _files.borrowed(stream)  # a duck-typed binary stream
    output._flush_each = True  # flushed and counted per write, as stdout is
    return output


def test_a_signal_during_a_write_waits_for_the_write() -> None:
    """SIGTERM mid-write: the batch is written and counted, then Interrupted (143)."""
    stream = _Stream(signal.SIGTERM)
    output = _stream_output(stream)
    with _signals.stop_on_signals(), pytest.raises(_signals.Interrupted) as caught:
        output.write(b"a\nb\n", 2)

    assert (caught.value.name, caught.value.exit_code) == ("SIGTERM", 143)
    assert (bytes(stream.data), output.records, output.torn) == (b"a\nb\n", 2, False)


def test_a_second_signal_stops_a_write_at_once() -> None:
    """Two signals mid-write (a write blocked on a full pipe): raised at once, marked torn."""
    stream = _Stream(signal.SIGINT, signal.SIGINT)
    output = _stream_output(stream)
    with _signals.stop_on_signals(), pytest.raises(_signals.Interrupted) as caught:
        output.write(b"a\n", 1)

    assert caught.value.exit_code == 130
    assert (output.records, output.torn) == (0, True)


def test_an_ignored_signal_stays_ignored_and_handlers_come_back() -> None:
    """SIG_IGN from the parent (nohup) is kept; the previous handlers return after."""
    before_int = signal.getsignal(signal.SIGINT)
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with _signals.stop_on_signals():
            signal.raise_signal(signal.SIGTERM)  # ignored: nothing happens
            assert signal.getsignal(signal.SIGINT) is not before_int
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is before_int
    finally:
        signal.signal(signal.SIGTERM, previous)
