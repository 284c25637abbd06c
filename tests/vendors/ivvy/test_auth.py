"""iVvy request signing: the published worked example, headers, re-signing, hosts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import responses
from responses import matchers

import crmclients
from crmclients import errors
from crmclients._transport import Request
from crmclients.vendors.ivvy import IvvyClient
from crmclients.vendors.ivvy._auth import (
    IvvySigner,
    SigningRedactor,
    canonical_ivvy_headers,
    content_md5,
    sign,
    string_to_sign,
)
from tests.vendors.ivvy.conftest import (
    BASE,
    KEY,
    NOW,
    SECRET,
    expected_signature,
    sent_json,
    url,
)

EXAMPLE_BODY = b'{"example":"body"}'
EXAMPLE_MD5 = "a09f600c77a6dbd947db24c61e8935ca"
EXAMPLE_STRING = (
    "posta09f600c77a6dbd947db24c61e8935caapplication/json/api/1.0/test?action=ping"
    "1.0ivvydate=2012-04-03 22:23:24"
)
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_published_worked_example_md5_and_string_to_sign() -> None:
    """The vendor's example body hashes to its Content-MD5 and signs as published."""
    md5 = content_md5(EXAMPLE_BODY)
    text = string_to_sign(
        method="POST",
        content_md5=md5,
        content_type="application/json",
        request_string="/api/1.0/test?action=ping",
        ivvy_headers=canonical_ivvy_headers({"IVVY-Date": "2012-04-03 22:23:24"}),
    )

    assert len(EXAMPLE_BODY) == 18
    assert md5 == EXAMPLE_MD5
    assert text == EXAMPLE_STRING


def test_published_hmac_test_vector() -> None:
    """HMAC-SHA1("my secret key", "string to sign") is the vendor's value."""
    assert sign("my secret key", "string to sign") == (
        "a993876ea1218921a1c8551923473da7b310dfae"
    )


def test_signer_reproduces_the_worked_example_end_to_end() -> None:
    """Signing the example request yields its MD5, its IVVY-Date and its signature."""
    signer = IvvySigner(
        "example-key",
        "my secret key",
        redactor=SigningRedactor(),
        clock=lambda: datetime(2012, 4, 3, 22, 23, 24, tzinfo=UTC),
    )
    request = Request(
        method="POST",
        url="https://api.ap-southeast-2.ivvy.com/api/1.0/test?action=ping",
        headers={"Content-Type": "application/json"},
        content=EXAMPLE_BODY,
    )

    signed = signer.apply(request)

    assert signed.content == EXAMPLE_BODY
    assert signed.headers["Content-MD5"] == EXAMPLE_MD5
    assert signed.headers["IVVY-Date"] == "2012-04-03 22:23:24"
    assert signed.headers["X-Api-Version"] == "1.0"
    # HMAC-SHA1 of the published string with the published key (derived locally).
    assert signed.headers["X-Api-Authorization"] == (
        "IWS example-key:74af7ec6fec55dc88543e05096c69cebaf391eb9"
    )
    assert signer.last_signed_at == datetime(2012, 4, 3, 22, 23, 24, tzinfo=UTC)


def test_empty_body_is_signed_with_the_md5_of_nothing(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """ping has no body: Content-MD5 is md5(""), Content-Type is still JSON."""
    rsps.post(
        url("test", "ping"),
        json={"message": "ack", "timestamp": "2024-05-01 12:00:00 UTC"},
        match=[
            matchers.header_matcher(
                {
                    "Content-MD5": EMPTY_MD5,
                    "Content-Type": "application/json",
                    "IVVY-Date": "2024-05-01 12:00:00",
                    "X-Api-Version": "1.0",
                }
            )
        ],
    )

    client.ping()

    request = rsps.calls[0].request
    assert not request.body
    assert request.headers["X-Api-Authorization"] == (
        f"IWS {KEY}:{expected_signature(request)}"
    )


def test_the_exact_bytes_sent_are_the_bytes_signed(
    client: IvvyClient, rsps: responses.RequestsMock
) -> None:
    """The JSON body is serialised once: its MD5 and signature match what went out."""
    rsps.post(url("crm", "addOrUpdateActivity"), json={"success": True, "id": 9})

    client.add_or_update_activity(id=9, name="Café ünïcode", location="Zürich")

    request = rsps.calls[0].request
    assert request.headers["Content-MD5"] == content_md5(request.body)
    assert request.headers["X-Api-Authorization"].endswith(
        ":" + expected_signature(request)
    )
    assert sent_json(rsps.calls[0]) == {
        "id": 9,
        "name": "Café ünïcode",
        "location": "Zürich",
    }


def test_every_retry_is_re_signed_with_a_fresh_date(
    rsps: responses.RequestsMock,
) -> None:
    """After a 503 the retry carries a new IVVY-Date and a new, valid signature."""
    ticks = itertools.count()
    client = IvvyClient(
        api_key=KEY,
        api_secret=SECRET,
        clock=lambda: NOW + timedelta(seconds=7 * next(ticks)),
    )
    rsps.post(url("crm", "addOrUpdateTask"), status=503)
    rsps.post(url("crm", "addOrUpdateTask"), json={"success": True, "id": 3})

    assert client.add_or_update_task(name="Call back", end_datetime=NOW) == 3

    first, second = (call.request for call in rsps.calls)
    assert first.body == second.body
    assert first.headers["Content-MD5"] == second.headers["Content-MD5"]
    assert (first.headers["IVVY-Date"], second.headers["IVVY-Date"]) == (
        "2024-05-01 12:00:00",
        "2024-05-01 12:00:07",
    )
    assert first.headers["X-Api-Authorization"] != second.headers["X-Api-Authorization"]
    for request in (first, second):
        assert request.headers["X-Api-Authorization"] == (
            f"IWS {KEY}:{expected_signature(request)}"
        )


def test_ivvy_headers_are_canonicalised_and_sorted() -> None:
    """IVVY* headers lose - and _, are sorted, joined with &; others are ignored."""
    headers = {
        "IVVY_Zone": "z",
        "Accept": "application/json",
        "IVVY-Date": "2012-04-03 22:23:24",
    }

    assert canonical_ivvy_headers(headers) == "IVVYDate=2012-04-03 22:23:24&IVVYZone=z"


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("au", "api.ap-southeast-2.ivvy.com"),
        ("us", "api.us-west-2.ivvy.com"),
        ("uk", "api.eu-west-2.ivvy.com"),
        ("UK", "api.eu-west-2.ivvy.com"),
    ],
)
def test_regions_select_the_platform_host(region: str, host: str) -> None:
    """au/us/uk pick the documented HTTPS hosts under /api/1.0."""
    client = IvvyClient(api_key=KEY, api_secret=SECRET, region=region)

    assert client.base_url == f"https://{host}/api/1.0"


def test_base_url_replaces_the_host_and_keeps_the_prefix(
    rsps: responses.RequestsMock,
) -> None:
    """base_url overrides scheme and host; the signed path keeps /api/1.0."""
    client = IvvyClient(
        api_key=KEY, api_secret=SECRET, base_url="https://proxy.example.com:8443/"
    )
    rsps.post(
        "https://proxy.example.com:8443/api/1.0/test?action=ping",
        json={"message": "ack"},
    )

    client.ping()

    request = rsps.calls[0].request
    assert request.headers["X-Api-Authorization"].endswith(
        ":" + expected_signature(request)
    )


def test_connect_builds_the_client_from_settings() -> None:
    """connect("ivvy", api_key=..., api_secret=..., region=...) picks the region."""
    with crmclients.connect(
        "ivvy", api_key=KEY, api_secret=SECRET, region="us"
    ) as client:
        assert client.native.base_url == "https://api.us-west-2.ivvy.com/api/1.0"
        assert client.capabilities.supports("activities", "create")


def test_unknown_region_and_missing_credentials_are_configuration_errors() -> None:
    """A bad region or a missing key/secret fails before any request."""
    with pytest.raises(errors.ConfigurationError, match="unknown region 'eu'"):
        IvvyClient(api_key=KEY, api_secret=SECRET, region="eu")
    with pytest.raises(errors.ConfigurationError, match="CRMCLIENTS_IVVY_API_KEY"):
        IvvyClient(api_key="", api_secret=SECRET)
    with pytest.raises(errors.ConfigurationError, match="CRMCLIENTS_IVVY_API_SECRET"):
        crmclients.connect("ivvy", api_key=KEY)


def test_signing_redactor_scrubs_recent_signatures_and_stays_bounded() -> None:
    """Signatures are scrubbed, and only the most recent ones are remembered."""
    redactor = SigningRedactor([SECRET], keep=4)
    signatures = [f"{n:040x}" for n in range(10)]
    redactor.add_transient(*signatures)

    assert redactor.scrub(f"sig {signatures[-1]} and {SECRET}") == (
        "sig [secure] and [secure]"
    )
    assert redactor.scrub(signatures[0]) == signatures[0]  # forgotten: bounded
    assert len(redactor._recent) == 4


def test_clients_share_nothing_but_sign_independently(
    rsps: responses.RequestsMock,
) -> None:
    """Two clients with different secrets produce different, individually valid signatures."""
    other_secret = "another-secret-9a8b7c"
    one = IvvyClient(api_key=KEY, api_secret=SECRET, clock=lambda: NOW)
    two = IvvyClient(api_key=KEY, api_secret=other_secret, clock=lambda: NOW)
    rsps.post(url("test", "ping"), json={"message": "ack"})
    rsps.post(url("test", "ping"), json={"message": "ack"})

    one.ping()
    two.ping()

    first, second = (call.request for call in rsps.calls)
    assert first.headers["X-Api-Authorization"].endswith(expected_signature(first))
    assert second.headers["X-Api-Authorization"].endswith(
        expected_signature(second, other_secret)
    )
    assert BASE in first.url
