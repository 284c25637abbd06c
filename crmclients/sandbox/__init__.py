"""Local emulators of the five vendors, over real HTTP on 127.0.0.1.

Each emulator is written from the vendor's docs, is stateful (an in-memory store
seeded deterministically) and enforces what the vendor enforces: auth, envelopes,
error codes, paging, validation and lifecycle rules. It imports nothing from the
client code, so tests against it are an independent second opinion.

>>> import crmclients
>>> from crmclients.sandbox import Sandbox
>>> with Sandbox("tactile", records=5, seed=1) as sb:
...     client = crmclients.connect("tactile", **sb.settings)
...     [o.id for o in client.opportunities.list()]
['1001', '1002', '1003', '1004', '1005']

Fault injection (``sb.inject_faults(rate=0.2, kinds=("503", "reset"), seed=7)``),
a movable clock (``sb.emulator.advance(seconds)``), the received requests
(``sb.emulator.requests``; ``sb.emulator.received`` includes the faulted ones),
the tokens issued (``sb.emulator.issued_tokens``) and drift hooks that change a
list while a pull runs (``sb.emulator.insert_records(n)``,
``sb.emulator.delete_records(n)``, called from ``sb.emulator.hooks``) support
reliability tests.
"""

from __future__ import annotations

import importlib
from typing import Any

from crmclients.sandbox._app import FAULT_KINDS, Emulator, FaultPlan
from crmclients.sandbox._server import ServerThread

__all__ = [
    "EMULATORS",
    "FAULT_KINDS",
    "Emulator",
    "FaultPlan",
    "Sandbox",
    "ServerThread",
    "emulator",
]

#: Vendor name -> "module:EmulatorClass".
EMULATORS: dict[str, str] = {
    "administrate": "crmclients.sandbox.administrate:AdministrateEmulator",
    "crmcom": "crmclients.sandbox.crmcom:CrmcomEmulator",
    "ivvy": "crmclients.sandbox.ivvy:IvvyEmulator",
    "opentaps": "crmclients.sandbox.opentaps:OpentapsEmulator",
    "tactile": "crmclients.sandbox.tactile:TactileEmulator",
}


def emulator(vendor: str, **options: Any) -> Emulator:
    """A new emulator for ``vendor`` (not serving; see :class:`Sandbox`).

    Raises:
        ValueError: Unknown vendor.
    """
    target = EMULATORS.get(vendor)
    if target is None:
        raise ValueError(
            f"no sandbox for {vendor!r}; choose one of {', '.join(sorted(EMULATORS))}"
        )
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    instance: Emulator = cls(**options)
    return instance


class Sandbox:
    """A vendor emulator served over HTTP on 127.0.0.1 (a free port by default).

    Args:
        vendor: The vendor to emulate.
        records: How many records to seed.
        seed: Seed for the deterministic data.
        port: The port (0: any free port).
        latency: Seconds added to every answer.
        **options: Vendor-specific emulator options.

    Attributes:
        base_url: Where the emulator listens (``http://127.0.0.1:PORT``).
        credentials: The credentials the emulator accepts, as connect() keywords.
        settings: ``base_url`` plus ``credentials``: ``connect(vendor, **sb.settings)``.
        emulator: The emulator (state, clock, recorded requests, faults).
    """

    def __init__(
        self,
        vendor: str,
        *,
        records: int = 100,
        seed: int = 0,
        port: int = 0,
        latency: float = 0.0,
        **options: Any,
    ) -> None:
        self.vendor = vendor
        self.emulator = emulator(
            vendor, records=records, seed=seed, latency=latency, **options
        )
        self._port = port
        self._server: ServerThread | None = None

    def start(self) -> Sandbox:
        """Start serving (the context manager does this)."""
        if self._server is None:
            self._server = ServerThread(self.emulator, port=self._port)
            self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the vendor path prefix is added by the client)."""
        if self._server is None:
            raise RuntimeError(
                "the sandbox is not running; use it as a context manager"
            )
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def credentials(self) -> dict[str, str]:
        """The credentials this emulator accepts."""
        return dict(self.emulator.credentials)

    @property
    def settings(self) -> dict[str, Any]:
        """Everything ``crmclients.connect`` needs to reach this sandbox."""
        return {"base_url": self.base_url, **self.credentials}

    def inject_faults(self, **plan: Any) -> FaultPlan:
        """Inject faults (see :class:`FaultPlan`): rate+kinds+seed, or a script."""
        return self.emulator.inject_faults(**plan)

    def clear_faults(self) -> None:
        """Stop injecting faults."""
        self.emulator.clear_faults()

    def __repr__(self) -> str:
        where = self.base_url if self._server else "stopped"
        return f"<Sandbox {self.vendor} {where}>"
