"""TLS verification stays on unless turned off explicitly; plain http only to
loopback hosts unless allowed; settings that switch protections off do so only
when asked.

The TLS server is each vendor's emulator behind a test certificate issued by a
test CA (``tls/``, valid 2020-2120, for 127.0.0.1 and localhost only).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3
from werkzeug.serving import make_server

import crmclients
from crmclients import errors
from crmclients._registry import adapter_class
from crmclients.config import resolve_settings
from crmclients.sandbox import emulator
from crmclients.sandbox._server import _QuietHandler
from tests.reliability import _support

TLS = Path(__file__).parent / "tls"
CA = str(TLS / "ca.pem")


@contextmanager
def tls_sandbox(vendor: str) -> Iterator[tuple[Any, str]]:
    """The vendor's emulator served over HTTPS on 127.0.0.1 (test certificate)."""
    em = emulator(vendor, records=10, **_support.SANDBOX_OPTIONS.get(vendor, {}))
    server = make_server(
        "127.0.0.1",
        0,
        em,
        threaded=True,
        request_handler=_QuietHandler,
        ssl_context=(str(TLS / "server.pem"), str(TLS / "server.key")),
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield em, f"https://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def first_read(client: crmclients.Client) -> list[Any]:
    """A small read of the vendor's first listable collection."""
    collection = next(c for v, c in _support.PULLABLE if v == client.vendor)
    return (
        getattr(client, collection)
        .list(**_support.list_kwargs(client.vendor, collection))
        .first(2)
    )


def native_options(vendor: str, **options: Any) -> crmclients.Client:
    """A client built from settings plus options connect() does not take as given."""
    cls = adapter_class(vendor)
    return crmclients.Client(cls.from_settings(options))


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_tls_verification_is_on_by_default(vendor: str) -> None:
    """An untrusted certificate fails the connection; nothing reaches the server."""
    with (
        tls_sandbox(vendor) as (em, url),
        crmclients.connect(vendor, base_url=url, **em.credentials) as client,
    ):
        assert client.native._requestor.transport.verify is True
        with pytest.raises(errors.TransportError) as info:
            first_read(client)

        assert "TLS failed" in str(info.value) or "certificate" in str(info.value)
        assert info.value.request_sent is False
        assert len(em.received) == 0


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_a_ca_bundle_passed_as_verify_is_trusted(vendor: str) -> None:
    """verify='/path/to/ca.pem' (the native clients' option) verifies against it."""
    with tls_sandbox(vendor) as (em, url):
        settings = resolve_settings(
            vendor, adapter_class(vendor).settings, {"base_url": url, **em.credentials}
        )
        with native_options(vendor, **settings, verify=CA) as client:
            assert first_read(client)
            assert len(em.received) > 0


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_verification_is_off_only_when_turned_off(vendor: str) -> None:
    """verify=False connects to the untrusted server, and urllib3 warns about it."""
    with (
        tls_sandbox(vendor) as (em, url),
        pytest.warns(urllib3.exceptions.InsecureRequestWarning),
        crmclients.connect(
            vendor, base_url=url, verify=False, **em.credentials
        ) as client,
    ):
        assert first_read(client)


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_a_session_of_your_own_keeps_verification_on(vendor: str) -> None:
    """session= (a caller's requests.Session) does not switch verification off."""
    with (
        tls_sandbox(vendor) as (em, url),
        requests.Session() as session,
        crmclients.connect(
            vendor, base_url=url, session=session, **em.credentials
        ) as client,
        pytest.raises(errors.TransportError, match=r"TLS|certificate"),
    ):
        first_read(client)


def test_an_empty_ca_bundle_variable_does_not_switch_verification_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CURL_CA_BUNDLE='' (a known requests quirk elsewhere) leaves verification on;
    REQUESTS_CA_BUNDLE pointing at a CA is honoured."""
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    with tls_sandbox("tactile") as (em, url):
        with crmclients.connect("tactile", base_url=url, **em.credentials) as client:
            with pytest.raises(errors.TransportError, match=r"TLS|certificate"):
                first_read(client)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", CA)
        with crmclients.connect("tactile", base_url=url, **em.credentials) as client:
            assert first_read(client)


LOOPBACK = [
    "http://127.0.0.1:8765",
    "http://127.9.8.7",
    "http://localhost:8080",
    "http://[::1]:8765",
]
REMOTE = [
    "http://example.com",
    "http://10.0.0.1:8080",
    "http://0.0.0.0:8765",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
    "http://user:pass@example.com",
]


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_plain_http_is_refused_for_remote_hosts_unless_allowed(vendor: str) -> None:
    """http:// to anything but loopback is a ConfigurationError; allow_http=True permits it."""
    credentials = emulator(vendor, records=1).credentials
    for url in REMOTE:
        with pytest.raises(errors.ConfigurationError, match="allow_http") as info:
            crmclients.connect(vendor, base_url=url, **credentials)
        assert "pass" not in str(info.value).replace("pass allow_http", "")
        with crmclients.connect(
            vendor, base_url=url, allow_http=True, **credentials
        ) as client:
            assert client.native.base_url.startswith("http://")
    for url in LOOPBACK:
        with crmclients.connect(vendor, base_url=url, **credentials) as client:
            assert client.native.base_url.startswith(url.rstrip("/"))


@pytest.mark.parametrize("vendor", _support.VENDORS)
def test_the_default_hosts_are_https(vendor: str) -> None:
    """Without base_url every vendor talks https to its own host."""
    values = {
        "administrate": {"subdomain": "acme", "username": "u", "password": "p-1234"},
        "crmcom": {"username": "u", "password": "p-1234", "organisation": "o"},
        "ivvy": {"api_key": "k-1234", "api_secret": "s-1234"},
        "opentaps": {"auth_token": "t-1234", "client_domain": "acme.com"},
        "tactile": {"account": "acme", "api_token": "t-1234"},
    }
    if vendor == "crmcom":  # CRM.COM has no default host: base_url is required
        with pytest.raises(errors.ConfigurationError):
            crmclients.connect(vendor, **values[vendor])
        return
    with crmclients.connect(vendor, **values[vendor]) as client:
        assert client.native.base_url.startswith("https://")
        assert client.native._requestor.transport.verify is True


def test_rate_limit_none_turns_the_client_side_limit_off() -> None:
    """connect(rate_limit=None) means no client-side limit, for every vendor."""
    with crmclients.connect(
        "administrate",
        subdomain="acme",
        username="u",
        password="p-1234",
        rate_limit=None,
    ) as client:
        assert client.native._requestor.limiter is None


def test_connect_accepts_a_ca_bundle_path_for_verify() -> None:
    """connect(verify='/path/ca.pem') reaches the transport as that path."""
    with crmclients.connect(
        "tactile", account="acme", api_token="t-1234", verify=CA
    ) as client:
        assert client.native._requestor.transport.verify == CA
