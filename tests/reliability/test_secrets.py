"""No credential leaks, for any vendor, on success or on any failure path.

One run per vendor on its sandbox, with DEBUG logging captured for every logger
(``crmclients``, ``urllib3``, the root): successes, wrong credentials, server
errors, every fault kind, client-side validation errors, not found, ambiguous
writes, faulted writes that are retried, token renewal where the vendor has
tokens, and the files the CLI writes. The credentials looked for are the values of
the vendor's ``secret=True`` settings, every token the emulator issued, and every
secret-named header, query parameter and body field it received (signatures,
Authorization values, tokens), plus the wrong values tried.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import crmclients
from crmclients import errors
from crmclients._client import COLLECTIONS
from crmclients.cli import cli
from crmclients.sandbox import FAULT_KINDS, Sandbox
from tests.contract.samples import samples
from tests.helpers import reachable_texts
from tests.reliability import _support
from tests.reliability._writes import CASES, POLICY, SLOW_SECONDS, TIMEOUT
from tests.reliability.conftest import Figures


class Texts:
    """Everything a user could see: messages, reprs, payloads, files."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, *values: Any) -> None:
        self.items.extend(v if isinstance(v, str) else repr(v) for v in values)

    def error(self, exc: BaseException) -> None:
        """Everything reachable from the error: causes *and* contexts, args,
        attributes, and the locals of crmclients frames on its tracebacks."""
        self.items.extend(reachable_texts(exc))

    def attempt(self, call: Callable[[], Any]) -> BaseException | None:
        """Run ``call``; keep its result's repr or its error."""
        try:
            result = call()
        except errors.CRMError as exc:
            self.error(exc)
            return exc
        self.add(result)
        return None

    def records(self, records: list[Any]) -> None:
        """Reprs and raw payloads of records."""
        for record in records:
            self.add(record, json.dumps(dict(record.raw), default=str))


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """DEBUG for crmclients, urllib3 and the root logger."""
    caplog.set_level(logging.DEBUG)
    for name in ("crmclients", "urllib3", "urllib3.connectionpool"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def formatted_logs(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as a handler would write it (tracebacks included)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def wrong(value: str) -> str:
    """A wrong credential of the same shape (it is still a secret)."""
    return value[::-1] + "x9"


def successes(client: crmclients.Client, texts: Texts) -> None:
    """Every supported operation once, on sample data."""
    texts.add(client, client.native, client.capabilities)
    for collection in COLLECTIONS:
        caps = client.capabilities
        if not caps.supports(collection, "list"):
            continue
        target = getattr(client, collection)
        options = samples(client.vendor).get(collection, {})
        pager = target.list(**options.get("list", {}))
        records = pager.first(5)
        texts.add(pager)
        texts.records(records)
        if caps.supports(collection, "get") and records:
            texts.records([target.get(records[0].id)])
        if caps.supports(collection, "create") and "create" in options:
            created = target.create(options["create"])
            texts.records([created])
            if caps.supports(collection, "update") and "update" in options:
                texts.records([target.update(created.id, **options["update"])])


def failures(vendor: str, sb: Sandbox, client: crmclients.Client, texts: Texts) -> None:
    """Every failure path the vendor has, each kept as the user would see it."""
    first = next(c for v, c in _support.PULLABLE if v == vendor)
    options = samples(vendor).get(first, {})
    target = getattr(client, first)
    listing = options.get("list", {})
    # validation (client side), unknown filter, not found
    texts.attempt(lambda: target.list(created_afterr="2020-01-01", **listing))
    for collection in COLLECTIONS:
        if client.capabilities.supports(collection, "create"):
            texts.attempt(lambda c=collection: getattr(client, c).create(bogus=1))
        missing = samples(vendor).get(collection, {}).get("missing_id")
        if missing and client.capabilities.supports(collection, "get"):
            texts.attempt(lambda c=collection, m=missing: getattr(client, c).get(m))
    # every fault kind on reads (retried), then server errors until attempts run out
    for kind in FAULT_KINDS:
        sb.inject_faults(script=[kind], slow_seconds=SLOW_SECONDS)
        texts.attempt(lambda: target.list(**listing).first(2))
    sb.inject_faults(rate=1.0, kinds=("500", "502", "503"), seed=1)
    texts.attempt(lambda: target.list(**listing).first(2))
    sb.inject_faults(rate=1.0, kinds=("reset", "truncated", "html"), seed=2)
    texts.attempt(lambda: target.list(**listing).first(2))
    sb.clear_faults()
    # every write: ambiguous (non-idempotent) or retried (idempotent) after a fault
    for case in CASES[vendor]:
        for kind in ("reset-after", "500", "truncated"):
            prepared = case.prepare(client, sb)
            sb.inject_faults(script=[kind], match=case.matches)
            texts.attempt(lambda c=case, p=prepared: c.perform(client, sb, p))
            sb.clear_faults()
    # a request whose route does not exist
    texts.attempt(
        lambda: client.native._requestor.request(
            "GET", "/no/such/route", operation="nowhere"
        )
    )


def renew_tokens(
    vendor: str, sb: Sandbox, client: crmclients.Client, texts: Texts
) -> int:
    """Token vendors: let the server expire the token, and call again (renewal)."""
    if vendor not in ("crmcom", "opentaps"):
        return 0
    first = next(c for v, c in _support.PULLABLE if v == vendor)
    listing = samples(vendor).get(first, {}).get("list", {})
    issued = len(sb.emulator.issued_tokens)
    sb.emulator.advance(3 * 3600)
    texts.records(getattr(client, first).list(**listing).first(2))
    # a login that fails on the way (faulted), then succeeds on the retry
    sb.emulator.advance(3 * 3600)
    login = "/crmapi/rest/v2/authentication/token" if vendor == "crmcom" else "/oauth"
    sb.inject_faults(script=["truncated"], match=lambda m, p: p.startswith(login))
    texts.records(getattr(client, first).list(**listing).first(2))
    sb.clear_faults()
    renewed = len(sb.emulator.issued_tokens) - issued
    assert renewed >= 2, "the token was renewed after each expiry"
    return renewed


def wrong_credentials(vendor: str, sb: Sandbox, texts: Texts) -> set[str]:
    """Each secret setting wrong in turn: AuthenticationError, never the value."""
    tried: set[str] = set()
    first = next(c for v, c in _support.PULLABLE if v == vendor)
    listing = samples(vendor).get(first, {}).get("list", {})
    for name in _support.secret_settings(vendor):
        value = sb.credentials.get(name)
        if not value:
            continue
        bad = wrong(value)
        tried.add(bad)
        with crmclients.connect(vendor, **{**sb.settings, name: bad}) as client:
            texts.add(client, client.native)
            raised = texts.attempt(
                lambda c=client: getattr(c, first).list(**listing).first(1)
            )
        assert isinstance(raised, errors.AuthenticationError), raised
    return tried


def cli_files(
    vendor: str, tmp_path: Path, texts: Texts, monkeypatch: pytest.MonkeyPatch
) -> list[Sandbox]:
    """``crmclients pull ... --sandbox --format F --out file`` for every collection."""
    started: list[Sandbox] = []
    original = Sandbox.start

    def start(self: Sandbox) -> Sandbox:
        started.append(self)
        return original(self)

    monkeypatch.setattr(Sandbox, "start", start)
    runner = CliRunner()
    for v, collection in _support.PULLABLE:
        if v != vendor:
            continue
        filters = [
            f"--filter=related_to={ref.kind.value}:{ref.id}"
            for ref in samples(vendor).get(collection, {}).get("list", {}).values()
        ]
        for fmt in ("jsonl", "csv", "table"):
            out = tmp_path / f"{vendor}-{collection}.{fmt}"
            result = runner.invoke(
                cli,
                [
                    "pull",
                    vendor,
                    collection,
                    "--sandbox",
                    "--records",
                    "15",
                    "--format",
                    fmt,
                    "--out",
                    str(out),
                    "-q",
                    *filters,
                ],
            )
            assert result.exit_code == 0, result.output
            texts.add(out.read_text(), result.output)
    # and a failing one: the message must not carry a credential either
    failing = runner.invoke(cli, ["pull", vendor, "nosuchcollection", "--sandbox"])
    texts.add(failing.output)
    monkeypatch.undo()
    return started


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_no_credential_appears_anywhere_a_user_could_see_it(
    vendor: str,
    debug_logs: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    figures: Figures,
) -> None:
    """Logs, error strings and chains, reprs, raw payloads and CLI files hold none."""
    texts = Texts()
    with (
        _support.sandbox(vendor, 40, seed=6) as sb,
        crmclients.connect(
            vendor, retry=POLICY, timeout=TIMEOUT, **sb.settings
        ) as client,
    ):
        successes(client, texts)
        failures(vendor, sb, client, texts)
        renewed = renew_tokens(vendor, sb, client, texts)
        tried = wrong_credentials(vendor, sb, texts)
        needles = _support.sent_credentials(sb) | tried
    for other in cli_files(vendor, tmp_path, texts, monkeypatch):
        needles |= _support.sent_credentials(other)
    texts.add(formatted_logs(debug_logs))

    haystack = "\n".join(texts.items)
    found = sorted(n for n in needles if n in haystack)
    figures.add(
        "secrets",
        vendor=vendor,
        credentials=len(needles),
        log_records=len(debug_logs.records),
        texts=len(texts.items),
        characters=len(haystack),
        tokens_renewed=renewed,
        found=len(found),
    )

    assert len(needles) >= len(_support.secret_settings(vendor)) > 0
    assert any(" -> " in r.getMessage() for r in debug_logs.records), "request lines"
    assert found == [], f"{len(found)} credential(s) leaked"
