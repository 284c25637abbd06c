"""The vendor registry: name -> adapter class, imported only when first used.

Adding a vendor is one line here plus its folder under ``crmclients/vendors/``
(see ARCHITECTURE.md). Importing crmclients imports no vendor code.

Strictly private; ``connect``, ``vendors`` and ``capabilities`` are public.
"""

from __future__ import annotations

import importlib
from typing import Any

from crmclients import errors
from crmclients._client import Capabilities, Client, VendorAdapter
from crmclients.config import resolve_settings

#: Vendor name -> "module:AdapterClass". Sorted; one line per vendor.
VENDORS: dict[str, str] = {
    "administrate": "crmclients.vendors.administrate.adapter:AdministrateAdapter",
    "crmcom": "crmclients.vendors.crmcom.adapter:CrmcomAdapter",
    "ivvy": "crmclients.vendors.ivvy.adapter:IvvyAdapter",
    "opentaps": "crmclients.vendors.opentaps.adapter:OpentapsAdapter",
    "tactile": "crmclients.vendors.tactile.adapter:TactileAdapter",
}

_loaded: dict[str, type[VendorAdapter]] = {}


def vendor_names() -> list[str]:
    """The registered vendor names, sorted.

    Returns:
        Names to pass to :func:`connect`: ``administrate``, ``crmcom``, ``ivvy``,
        ``opentaps``, ``tactile``.
    """
    return sorted(VENDORS)


def adapter_class(vendor: str) -> type[VendorAdapter]:
    """The adapter class of a vendor, importing its module on first use.

    Raises:
        ConfigurationError: Unknown vendor.
    """
    cls = _loaded.get(vendor)
    if cls is not None:
        return cls
    target = VENDORS.get(vendor)
    if target is None:
        raise errors.ConfigurationError(
            f"unknown vendor {vendor!r}",
            hint=f"choose one of {', '.join(vendor_names())}",
        )
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name)
    _loaded[vendor] = cls
    return cls  # type: ignore[no-any-return]


def connect(vendor: str, *, profile: str | None = None, **settings: Any) -> Client:
    """Connect to a vendor and return a :class:`~crmclients.Client`.

    Settings come from the keyword arguments, then the environment
    (``CRMCLIENTS_<VENDOR>_<SETTING>``), then the profile file.

    Args:
        vendor: One of ``opentaps``, ``ivvy``, ``administrate``, ``crmcom``,
            ``tactile``.
        profile: The profile to read from the profile file.
        **settings: Credentials and options: ``base_url``, ``timeout``, ``retry``,
            ``rate_limit``, ``session``, ``timezone``, ``verify``, ``allow_http``
            and the vendor's own (``api_token``, ``account``...).

    Returns:
        A client; use it as a context manager to release connections.

    Raises:
        ConfigurationError: Unknown vendor, unknown setting or missing credential
            (the message names the environment variable that would supply it).

    >>> import crmclients
    >>> crmclients.connect("nosuchcrm")
    Traceback (most recent call last):
    ...
    crmclients.errors.ConfigurationError: unknown vendor 'nosuchcrm' (choose one of ...)
    """
    cls = adapter_class(vendor)
    resolved = resolve_settings(vendor, cls.settings, settings, profile=profile)
    return Client(cls.from_settings(resolved))


def capabilities(vendor: str) -> Capabilities:
    """What a vendor supports, without connecting.

    Args:
        vendor: A registered vendor name.

    Returns:
        The same :class:`~crmclients.Capabilities` as ``client.capabilities``.

    Raises:
        ConfigurationError: Unknown vendor.
    """
    return adapter_class(vendor).capabilities()
