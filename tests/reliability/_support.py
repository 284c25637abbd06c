"""Shared pieces of the reliability suite (issue 8), parametrised over the registry.

Sizes come from the environment so that ``benchmarks/reliability.py`` can run the
very same tests at full size:

* ``CRMCLIENTS_RELIABILITY_SIZE``: records per pull under faults (CI: 300);
* ``CRMCLIENTS_RELIABILITY_EXAMPLES``: hypothesis examples per decoder (CI: 25);
* ``CRMCLIENTS_RELIABILITY_REPORT``: a JSON file the measured figures go to.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import crmclients
from crmclients._client import COLLECTIONS
from crmclients._redact import is_secret_name
from crmclients._registry import adapter_class
from crmclients.sandbox import Sandbox
from tests.contract.samples import samples

SIZE = int(os.environ.get("CRMCLIENTS_RELIABILITY_SIZE", "300"))
EXAMPLES = int(os.environ.get("CRMCLIENTS_RELIABILITY_EXAMPLES", "25"))
REPORT = os.environ.get("CRMCLIENTS_RELIABILITY_REPORT")

VENDORS: list[str] = crmclients.vendor_names()
PULLABLE: list[tuple[str, str]] = [
    (vendor, collection)
    for vendor in VENDORS
    for collection in COLLECTIONS
    if crmclients.capabilities(vendor).supports(collection, "list")
]
#: Collections whose pull is one request (nothing can move between two pages).
SINGLE_ANSWER: frozenset[tuple[str, str]] = frozenset(
    {("opentaps", "tasks"), ("tactile", "notes")}
)
PAGED: list[tuple[str, str]] = [p for p in PULLABLE if p not in SINGLE_ANSWER]
#: How each vendor pages, and so what it can promise when records move mid-pull.
PAGING_KIND: dict[str, str] = {
    "administrate": "keyset",
    "crmcom": "offset, no total",
    "ivvy": "offset with total",
    "opentaps": "offset, no total",
    "tactile": "page number with total",
}
#: A client-side rate limit high enough never to wait: ``connect(rate_limit=None)``
#: does not turn Administrate's default limit off (config.resolve_settings drops the
#: None; see test_tls_and_config.py), so tests that must not be throttled pass this.
NO_LIMIT = 1_000_000.0
#: Emulator options: CRM.COM lists per contact, so one contact holds every record.
SANDBOX_OPTIONS: dict[str, dict[str, Any]] = {"crmcom": {"contacts": 1}}
#: The emulator's drift collection behind a shared (vendor, collection).
_DRIFT_NAMES: dict[tuple[str, str], str] = {
    ("administrate", "activities"): "tasks",
    ("crmcom", "activities"): "communications",
}


#: The path of each vendor's list request (a regular expression, matched whole).
LIST_PATHS: dict[str, str] = {
    "administrate": r"/api/v2/crm/tasks",
    "crmcom": r"/crmapi/rest/v2/communications/list",
    "ivvy": r"/api/1\.0/crm",
    "opentaps": r"/activities/\d+(/\d+)?|/task",
    "tactile": r"/opportunities|/opportunities/timeline",
}


def drift_name(vendor: str, collection: str) -> str:
    """The emulator's name for the list behind ``vendor``'s ``collection``."""
    return _DRIFT_NAMES.get((vendor, collection), collection)


def list_kwargs(vendor: str, collection: str) -> dict[str, Any]:
    """Arguments every list() of this collection needs (CRM.COM: a contact...)."""
    return dict(samples(vendor).get(collection, {}).get("list", {}))


def sandbox(vendor: str, records: int, seed: int = 8, **options: Any) -> Sandbox:
    """A (not yet started) sandbox with every record reachable by one pull."""
    return Sandbox(
        vendor,
        records=records,
        seed=seed,
        **{**SANDBOX_OPTIONS.get(vendor, {}), **options},
    )


def secret_settings(vendor: str) -> list[str]:
    """The names of the vendor's settings marked ``secret=True``."""
    return [s.name for s in adapter_class(vendor).settings if s.secret]


def pull_ids(client: crmclients.Client, collection: str, **options: Any) -> list[str]:
    """Every id of a full pull, in the order received."""
    kwargs = {**list_kwargs(client.vendor, collection), **options}
    return [str(r.id) for r in getattr(client, collection).list(**kwargs)]


def warm_up(client: crmclients.Client) -> None:
    """One read, so token vendors have logged in before the requests under test."""
    collection = next(c for v, c in PULLABLE if v == client.vendor)
    getattr(client, collection).list(**list_kwargs(client.vendor, collection)).first(1)


@contextmanager
def on_list_request(
    sb: Sandbox, action: Callable[[int], None]
) -> Iterator[Counter[str]]:
    """Call ``action(n)`` as the emulator receives its n-th list request (1-based),
    before answering it."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()
    pattern = re.compile(LIST_PATHS[sb.vendor])

    def hook(request: Any) -> None:
        if not pattern.fullmatch(request.path):
            return
        with lock:
            seen["requests"] += 1
            number = seen["requests"]
        action(number)

    sb.emulator.hooks.append(hook)
    try:
        yield seen
    finally:
        sb.emulator.hooks.remove(hook)


def sent_credentials(sb: Sandbox) -> set[str]:
    """Every credential the emulator saw or issued, and the sandbox's secrets.

    From each received request: secret-named headers (and the parts of ``Basic``
    and ``IWS key:signature`` values), secret-named query and form parameters and
    JSON body fields; plus every token the emulator issued, and the values of the
    vendor's ``secret=True`` settings.
    """
    import base64
    import json

    found: set[str] = set(sb.emulator.issued_tokens)
    for name in secret_settings(sb.vendor):
        value = sb.credentials.get(name)
        if value:
            found.add(value)
    for request in list(sb.emulator.received):
        for name, value in request.headers.items():
            if not is_secret_name(name) or not value:
                continue
            found.add(value)
            scheme, _, rest = value.partition(" ")
            if rest:
                found.add(rest)
                if scheme.lower() == "basic":
                    try:
                        decoded = base64.b64decode(rest).decode()
                    except ValueError:
                        decoded = ""
                    found.update(p for p in decoded.split(":") if p)
                if scheme.upper() == "IWS":
                    found.update(p for p in rest.split(":") if p)
        pairs = parse_qsl(request.query, keep_blank_values=True)
        body = request.body.decode("utf-8", "replace")
        if "=" in body and not body.lstrip().startswith(("{", "[")):
            pairs += parse_qsl(body, keep_blank_values=True)
        elif body.strip():
            try:
                document = json.loads(body)
            except ValueError:
                document = None
            pairs += list(_secret_fields(document))
        found.update(v for k, v in pairs if is_secret_name(k) and v)
    # A Basic header's user part is a secret for CRM.COM (the Web API key) but a
    # plain login name for Administrate: settings not marked secret are dropped.
    # Very short values would match ordinary text.
    secret = set(secret_settings(sb.vendor))
    public = {v for k, v in sb.credentials.items() if k not in secret}
    return {value for value in found - public if len(value) >= 6}


def _secret_fields(document: Any) -> Iterator[tuple[str, str]]:
    if isinstance(document, Mapping):
        for key, value in document.items():
            if isinstance(value, str):
                yield str(key), value
            else:
                yield from _secret_fields(value)
    elif isinstance(document, list):
        for item in document:
            yield from _secret_fields(item)


class Stopwatch:
    """Wall time of a block, in seconds."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self.started
