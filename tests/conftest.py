"""Suite-wide fixtures: instant retries, no real network, shared sandboxes."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from crmclients._retry import set_testing
from crmclients.sandbox import Sandbox

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise OSError(f"tests must not reach the network (tried {host})")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network_and_instant_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Retries keep their attempts but never sleep; only loopback sockets connect."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    set_testing(instant=True)
    yield
    set_testing(instant=False)


@pytest.fixture(autouse=True)
def _isolated_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's real profile file or CRMCLIENTS_* variables."""
    import os

    for name in list(os.environ):
        if name.startswith("CRMCLIENTS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv(
        "CRMCLIENTS_CONFIG", str(tmp_path_factory.mktemp("cfg") / "none.toml")
    )


@pytest.fixture
def tactile_sandbox() -> Iterator[Sandbox]:
    """A fresh Tactile sandbox with 100 records."""
    with Sandbox("tactile", records=100, seed=1) as sb:
        yield sb
