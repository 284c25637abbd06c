"""No iVvy key, secret or signature in logs, error messages or reprs."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import responses

import crmclients
from crmclients import errors
from crmclients.models import ActivityKind, Ref, RefKind
from crmclients.sandbox import Sandbox
from crmclients.vendors.ivvy import IvvyClient
from tests.vendors.ivvy.conftest import KEY, SECRET, url

WRONG_SECRET = "wrong-secret-4c7d9e1f"


def _capture_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="crmclients")
    caplog.set_level(logging.DEBUG, logger="urllib3")


def test_no_secret_or_signature_in_debug_logs_errors_or_reprs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Across successes and failures over real HTTP, no credential or signature leaks."""
    _capture_debug(caplog)
    texts: list[str] = []

    def failure(call: Any, cls: type[Exception]) -> None:
        with pytest.raises(cls) as info:
            call()
        texts.extend([str(info.value), repr(info.value), repr(info.value.__cause__)])

    with Sandbox("ivvy", records=30, seed=2) as sb:
        emulator = sb.emulator
        with crmclients.connect("ivvy", **sb.settings) as client:
            native: IvvyClient = client.native
            # successes
            native.ping()
            pager = client.activities.list(workers=2, page_size=7)
            records = pager.to_list()
            created = client.activities.create(
                kind=ActivityKind.EMAIL,
                subject="Leak test",
                body="b",
                related=(Ref(RefKind.CONTACT, "45200"),),
            )
            client.activities.update(created.id, subject="Leak test 2")
            texts.extend([repr(client), repr(native), repr(pager), repr(records[:3])])
            texts.append(repr(native._signer))
            # failures: rejected, missing, stale, server error, ambiguous write
            failure(
                lambda: native.add_or_update_activity(id=1001, contact_id=1),
                errors.NotFoundError,
            )
            failure(lambda: client.tasks.get("999999"), errors.NotFoundError)
            emulator.advance(400)
            failure(native.ping, errors.ClockSkewError)
            emulator.advance(-400)
            emulator.inject_faults(script=["500"] * 4)
            failure(native.get_task_list, errors.ServerError)
            emulator.inject_faults(script=["reset-after"])
            failure(
                lambda: native.add_or_update_task(
                    name="t", end_datetime="2025-01-01 00:00:00"
                ),
                errors.AmbiguousWriteError,
            )
            emulator.clear_faults()
        wrong = {**sb.settings, "api_secret": WRONG_SECRET}
        with crmclients.connect("ivvy", **wrong) as bad:
            failure(lambda: bad.tasks.list().first(1), errors.AuthenticationError)
            texts.append(repr(bad.native))
        authorizations = [
            r.headers.get("X-Api-Authorization", "") for r in list(emulator.requests)
        ]

    signatures = [a.rsplit(":", 1)[-1] for a in authorizations if ":" in a]
    secrets = [sb.credentials["api_key"], sb.credentials["api_secret"], WRONG_SECRET]
    haystack = caplog.text + "\n".join(texts)

    assert len(signatures) >= 15 and all(len(s) == 40 for s in signatures)
    assert "POST" in caplog.text and "/api/1.0/crm" in caplog.text  # logs were on
    for value in [*secrets, *authorizations, *signatures]:
        assert value not in haystack


def test_a_signature_echoed_by_the_server_is_scrubbed_from_the_error(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    """Even if an answer quotes the Authorization header, the error does not."""
    _capture_debug(caplog)

    def echo(request: Any) -> tuple[int, dict[str, str], str]:
        header = request.headers["X-Api-Authorization"]
        body = {
            "errorCode": 401,
            "message": f"Signature {header.rsplit(':', 1)[-1]} rejected for key {KEY}",
            "additionalMessages": [f"got {header}", f"secret was {SECRET}"],
        }
        return 401, {}, json.dumps(body)

    rsps.add_callback(responses.POST, url("test", "ping"), callback=echo)
    client = IvvyClient(api_key=KEY, api_secret=SECRET)

    with pytest.raises(errors.AuthenticationError) as info:
        client.ping()

    header = rsps.calls[0].request.headers["X-Api-Authorization"]
    signature = header.rsplit(":", 1)[-1]
    shown = " ".join(
        [
            str(info.value),
            repr(info.value),
            *info.value.messages,
            repr(info.value.details),
        ]
    )
    assert "rejected" in shown
    for value in (signature, header, KEY, SECRET):
        assert value not in shown
        assert value not in caplog.text
