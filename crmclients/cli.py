"""The ``crmclients`` command: pull records to files, list vendors, serve sandboxes.

Needs the ``cli`` extra (``pip install 'crmclients[cli]'``: click and tqdm).

Exit codes: 0 success; 1 the vendor or the network failed; 2 bad usage or
configuration; 3 authentication refused; 4 the vendor does not support it;
5 the output cannot be written (``--out`` or ``--state``: a directory, a
missing or read-only directory, a full disk); 130 interrupted by SIGINT (Ctrl-C);
143 stopped by SIGTERM. Every failure is one line on stderr.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import click

import crmclients
from crmclients import _files, _signals, errors, export, sync
from crmclients._rules import ascii_int

_TABLE_COLUMNS = (
    "id",
    "kind",
    "name",
    "subject",
    "title",
    "status",
    "vendor_status",
    "organisation_name",
    "value",
    "probability",
    "due_at",
    "starts_at",
    "close_date",
    "assignee_name",
    "updated_at",
)

EXIT_ERROR, EXIT_USAGE, EXIT_AUTH, EXIT_UNSUPPORTED, EXIT_OUTPUT = 1, 2, 3, 4, 5


def _exit_code(exc: errors.CRMError) -> int:
    if isinstance(exc, errors.OutputError):
        return EXIT_OUTPUT
    if isinstance(exc, errors.ConfigurationError | errors.ValidationError):
        return EXIT_USAGE
    if isinstance(exc, errors.AuthenticationError | errors.PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(exc, errors.NotSupportedError):
        return EXIT_UNSUPPORTED
    return EXIT_ERROR


def _fail(exc: errors.CRMError) -> None:
    if isinstance(exc, errors.OutputError) and exc.path == "-":
        _silence_stdout()
    click.echo(f"crmclients: error: {exc}", err=True)
    raise SystemExit(_exit_code(exc))


def _silence_stdout() -> None:
    """After stdout failed (a full disk, a closed pipe): what is still buffered can
    never go out, so point the descriptor at devnull and the interpreter's final
    flush does not print a second error (the recipe of Python's signal docs)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def _client(
    vendor: str,
    *,
    sandbox: bool,
    records: int,
    seed: int,
    profile: str | None,
    latency: float = 0.0,
) -> Iterator[crmclients.Client]:
    crmclients.capabilities(vendor)  # an unknown vendor fails here, as a usage error
    if sandbox:
        from crmclients.sandbox import Sandbox

        with (
            Sandbox(vendor, records=records, seed=seed, latency=latency) as sb,
            crmclients.connect(vendor, **sb.settings) as client,
        ):
            yield client
    else:
        with crmclients.connect(vendor, profile=profile) as client:
            yield client


class _Progress:
    """A tqdm bar on stderr when it is a terminal and not --quiet."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.bar: Any = None
        if enabled and sys.stderr.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(desc=label, unit="rec", file=sys.stderr, leave=False)

    def __call__(self, _record: Any) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crmclients")
def cli() -> None:
    """Pull CRM records from five vendors through one typed model."""


@cli.command()
@click.option("--markdown", is_flag=True, help="Print full Markdown capability tables.")
def vendors(markdown: bool) -> None:
    """List the vendors and what each supports."""
    for name in crmclients.vendor_names():
        caps = crmclients.capabilities(name)
        if markdown:
            click.echo(caps.to_markdown() + "\n")
            continue
        parts = []
        for collection in caps.collections():
            ops = [
                op
                for op in ("list", "get", "create", "update", "delete")
                if caps.supports(collection, op)
            ]
            parts.append(f"{collection}({','.join(ops)})")
        click.echo(f"{name:<13} {' '.join(parts)}")


@cli.command()
@click.argument("vendor")
@click.argument("collection")
@click.option(
    "--sandbox", is_flag=True, help="Pull from a built-in sandbox (no credentials)."
)
@click.option(
    "--records", default=100, show_default=True, help="Records in the sandbox."
)
@click.option("--seed", default=1, show_default=True, help="Seed of the sandbox data.")
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds the sandbox adds to every answer (with --sandbox).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(export.FORMATS),
    default="table",
    help="table for the terminal; jsonl, csv or parquet (parquet needs --out) for files.",
    show_default=True,
)
@click.option(
    "--out",
    metavar="PATH",
    help="Write here instead of stdout: a file is replaced atomically once complete "
    "(a symlink is followed; the link stays); a device, FIFO or socket is written "
    "in place; '-' is stdout.",
)
@click.option(
    "--escape-formulas/--no-escape-formulas",
    default=True,
    show_default=True,
    help="CSV: prefix text cells a spreadsheet would run as a formula "
    "(=, +, -, @, ...) with '. Turn off for files read by programs.",
)
@click.option(
    "--since", help="Only records changed since this ISO date/time (UTC if no zone)."
)
@click.option(
    "--state",
    "state_path",
    metavar="PATH",
    help="State file for incremental pulls: each run resumes where the last one ended.",
)
@click.option(
    "--workers",
    default="1",
    show_default=True,
    help="Parallel page fetches, or 'auto'.",
)
@click.option(
    "--page-size", type=int, help="Records per request (default: the vendor's maximum)."
)
@click.option("--limit", type=int, help="Stop after this many records.")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="NAME=VALUE",
    help="A unified filter, repeatable: created_after=2024-01-01, status=completed, "
    "assigned_to=42, related_to=opportunity:1234.",
)
@click.option("--profile", help="Profile from the profile file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def pull(
    vendor: str,
    collection: str,
    sandbox: bool,
    records: int,
    seed: int,
    latency: float,
    fmt: export.Format,
    out: str | None,
    escape_formulas: bool,
    since: str | None,
    state_path: str | None,
    workers: str,
    page_size: int | None,
    limit: int | None,
    filters: tuple[str, ...],
    profile: str | None,
    quiet: bool,
) -> None:
    """Pull every record of COLLECTION from VENDOR.

    With --state FILE (or --since), only what changed since the last run is pulled;
    the state file is updated only after the output is safely written. --out and
    --state are checked and opened before any request is sent.

    Exit codes: 0 success, 1 vendor or network failure, 2 bad usage or
    configuration, 3 credentials refused, 4 not supported by the vendor, 5 the
    output cannot be written, 130 SIGINT (Ctrl-C), 143 SIGTERM. On SIGINT or
    SIGTERM a file output is left as it was (no partial file); what already went
    to stdout, a device or a FIFO stays there, and the message says how many
    records that is.
    """
    worker_count: int | str = (
        workers if workers == "auto" else _positive(workers, "--workers")
    )
    since_at = _since(since)
    incremental = state_path is not None or since_at is not None
    if incremental and limit is not None:
        raise click.BadParameter(
            "cannot be combined with --state or --since", param_hint="--limit"
        )
    if fmt == "parquet" and out is None:
        raise click.BadParameter("parquet needs --out FILE", param_hint="--format")
    outputs: list[_files.Output] = []
    try:
        with _signals.stop_on_signals():
            try:
                count = _pull(
                    outputs,
                    vendor=vendor,
                    collection=collection,
                    client_options={
                        "sandbox": sandbox,
                        "records": records,
                        "seed": seed,
                        "profile": profile,
                        "latency": latency,
                    },
                    fmt=fmt,
                    out=out,
                    escape_formulas=escape_formulas,
                    since_at=since_at,
                    state_path=state_path,
                    limit=limit,
                    quiet=quiet,
                    list_options={
                        "page_size": page_size,
                        "workers": worker_count,
                        **_filters(filters),
                    },
                )
            finally:
                for output in outputs:
                    output.discard()  # a no-op once committed
        where = f" written to {out}" if out and out != "-" else ""
        click.echo(f"{count} {collection} from {vendor}{where}", err=True)
    except errors.CRMError as exc:
        _fail(exc)
    except (_signals.Interrupted, KeyboardInterrupt) as exc:
        stop = exc if isinstance(exc, _signals.Interrupted) else None
        name = stop.name if stop is not None else "SIGINT"
        click.echo(
            f"crmclients: interrupted by {name}; {_left_behind(outputs, state_path)}",
            err=True,
        )
        raise SystemExit(stop.exit_code if stop is not None else 130) from None


def _pull(
    outputs: list[_files.Output],
    *,
    vendor: str,
    collection: str,
    client_options: dict[str, Any],
    fmt: export.Format,
    out: str | None,
    escape_formulas: bool,
    since_at: datetime | None,
    state_path: str | None,
    limit: int | None,
    quiet: bool,
    list_options: dict[str, Any],
) -> int:
    """The pull itself: outputs first (appended to ``outputs``), then the vendor."""
    output = _files.open_output(out)
    outputs.append(output)
    state_output = None if state_path is None else _files.open_output(state_path)
    if state_output is not None:
        outputs.append(state_output)
    state = sync.SyncState.load(state_path) if state_path is not None else None
    with _client(vendor, **client_options) as client:
        target = getattr(client, collection, None)
        if not isinstance(target, crmclients.Collection):
            raise errors.ValidationError(
                field="COLLECTION",
                rule=f"must be one of {', '.join(client.capabilities.collections())}",
                vendor=vendor,
            )
        progress = _Progress(not quiet, f"{vendor}.{collection}")
        try:
            if state is not None or since_at is not None:
                return sync._pull(
                    client,
                    collection,
                    output,
                    fmt,
                    state=state,
                    state_output=state_output,
                    since=since_at,
                    on_record=progress,
                    table_columns=_TABLE_COLUMNS,
                    escape_formulas=escape_formulas,
                    **list_options,
                )
            pager = target.list(**list_options)
            count = export._write(
                pager if limit is None else pager.first(limit),
                output,
                fmt,
                on_record=progress,
                table_columns=_TABLE_COLUMNS,
                escape_formulas=escape_formulas,
            )
            output.commit()
            return count
        finally:
            progress.close()


def _left_behind(outputs: list[_files.Output], state_path: str | None) -> str:
    """What an interrupted pull left behind, truthfully, for the one-line message."""
    if not outputs:
        return "nothing was written"
    output = outputs[0]
    where = output.name if output.kind != "stdout" else "stdout"
    if output.committed:
        saved = ""
        if state_path is not None:
            saved = (
                " and the state file was updated"
                if outputs[-1].committed
                else "; the state file was not updated (the next run pulls them again)"
            )
        return (
            f"the pull had finished: {where} holds all {output.records} records{saved}"
        )
    state = "; the state file was not changed" if state_path is not None else ""
    if output.kind == "file":
        was = "left as it was" if output.existed else "not created"
        return f"{where} was {was} and no partial file was left behind{state}"
    if output.records == 0 and not output.torn:
        return f"nothing was written to {where}{state}"
    cut = ", the last one possibly cut short," if output.torn else ""
    return (
        f"the output on {where} is partial: {output.records} records were written"
        f"{cut} and cannot be taken back{state}"
    )


@cli.command()
@click.argument("vendor")
@click.option("--port", default=8765, show_default=True, help="Port on 127.0.0.1.")
@click.option("--records", default=100, show_default=True, help="Records to seed.")
@click.option("--seed", default=1, show_default=True, help="Seed of the data.")
@click.option(
    "--latency", default=0.0, show_default=True, help="Seconds added to every answer."
)
def sandbox(vendor: str, port: int, records: int, seed: int, latency: float) -> None:
    """Serve a vendor emulator on 127.0.0.1 for local development."""
    from crmclients.sandbox import emulator
    from crmclients.sandbox._server import ServerThread

    try:
        app = emulator(vendor, records=records, seed=seed, latency=latency)
    except ValueError as exc:
        click.echo(f"crmclients: error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    server = ServerThread(app, port=port)
    settings = ", ".join(f"{k}={v!r}" for k, v in app.credentials.items())
    click.echo(
        f"{vendor} sandbox on http://127.0.0.1:{server.port} ({records} records)"
    )
    click.echo(
        f"connect with: crmclients.connect({vendor!r}, base_url='http://127.0.0.1:{server.port}', {settings})"
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def _filters(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``name=value`` options -> unified filter values (refs as ``kind:id``)."""
    from crmclients.models import Ref, RefKind

    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name or not value:
            raise click.BadParameter(
                f"expected NAME=VALUE, got {pair!r}", param_hint="--filter"
            )
        if name == "related_to" or (name == "assigned_to" and ":" in value):
            kind, colon, ident = value.partition(":")
            try:
                out[name] = (
                    Ref(RefKind(kind.lower()), ident) if colon and ident else None
                )
            except ValueError:
                out[name] = None
            if out[name] is None:
                kinds = ", ".join(k.value for k in RefKind)
                raise click.BadParameter(
                    f"{name} needs KIND:ID with KIND one of {kinds}, got {value!r}",
                    param_hint="--filter",
                )
        elif name == "status":
            out[name] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            out[name] = value
    return out


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            "must be an ISO date or date-time, e.g. 2024-03-01T00:00:00+00:00",
            param_hint="--since",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _positive(text: str, name: str) -> int:
    # ASCII digits only: int() would read '١٢' as 12 and fail on '²'.
    value = ascii_int(text) or 0
    if value < 1:
        raise click.BadParameter(
            "must be a positive integer or 'auto'", param_hint=name
        )
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        cli.main(args=argv, prog_name="crmclients", standalone_mode=True)
    except SystemExit as exc:
        code: object = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
