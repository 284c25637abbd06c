"""No credential ever reaches a log line, an error message or a repr (Tactile).

The full cross-vendor suite (every failure path of every vendor, CLI files) lives
with the reliability work; this one covers the foundation's promise for Tactile.
"""

from __future__ import annotations

import logging

import pytest
import requests
import responses

import crmclients
from crmclients import errors
from crmclients.sandbox import Sandbox

TOKEN = "tactile-sandbox-9f2c4e7a1b"


def test_api_token_never_leaks_on_success_or_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Across successes, retries, auth failures, bad input and broken answers."""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with Sandbox("tactile", records=30, seed=2) as sb:
        client = crmclients.connect(
            "tactile", retry=crmclients.RetryPolicy(attempts=6), **sb.settings
        )
        texts.append(repr(client) + repr(client.native))
        texts.extend(repr(o) for o in client.opportunities.list())
        sb.inject_faults(script=["500", "reset", "html", "truncated", "429"])
        client.opportunities.list().first(3)
        for call in (
            lambda: crmclients.connect(
                "tactile", base_url=sb.base_url, api_token="wrong-but-secret"
            ).opportunities.get("1001"),
            lambda: client.opportunities.get("999999"),
            lambda: client.opportunities.create(name="x"),
            lambda: client.native._requestor.request(
                "GET", "/nowhere", operation="nowhere"
            ),
        ):
            try:
                call()
            except errors.CRMError as exc:
                texts.append(str(exc))
                texts.append(repr(exc))
                texts.append(repr(exc.__dict__))
        sb.inject_faults(script=["reset-after"])
        with pytest.raises(errors.AmbiguousWriteError) as info:
            client.native.create_opportunity(name="y", enddate="2025-01-01")
        texts.append(str(info.value) + str(info.value.__cause__))
    texts.append(caplog.text)

    everything = "\n".join(texts)
    assert TOKEN not in everything
    assert "wrong-but-secret" not in everything
    assert "api_token=[secure]" in caplog.text  # the URL is logged, redacted


@responses.activate
def test_a_vendor_echoing_the_token_is_scrubbed() -> None:
    """Even when the vendor repeats the token in an error, the message hides it."""
    responses.get(
        "https://acme.tactilecrm.com/opportunities/options",
        json={"status": "error", "messages": [f"token {TOKEN} is not valid"]},
    )
    responses.get(
        "https://acme.tactilecrm.com/opportunities/view/1",
        body=requests.ConnectionError(f"refused ?api_token={TOKEN}"),
    )
    client = crmclients.connect("tactile", account="acme", api_token=TOKEN)

    with pytest.raises(errors.APIError) as info:
        client.native.get_options()
    with pytest.raises(errors.TransportError) as transport_info:
        client.opportunities.get("1")

    assert TOKEN not in str(info.value) + repr(info.value.messages)
    assert TOKEN not in str(transport_info.value)
