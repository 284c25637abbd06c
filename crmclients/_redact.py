"""Keep credentials out of logs, error messages, reprs and files.

Two complementary mechanisms:

* by *name*: query parameters, headers and body fields whose names are known to hold
  secrets (``api_token``, ``authToken``, ``Authorization``, ``password``...) are
  replaced by ``[secure]``;
* by *value*: every client registers the secret values it holds (tokens it was given
  or obtained, passwords, keys, signatures) with its :class:`Redactor`, which scrubs
  them from any text, wherever they appear.

Every live :class:`Redactor` is also known process-wide (weakly), so that
:func:`scrub_live` can take every secret any client holds out of a text that was
built far from a client: each :class:`~crmclients.errors.CRMError` passes its
message and attributes through it when it is created, wherever that is (a native
method reading an answer, an adapter mapping a record, a pager).

Strictly private.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[secure]"

_SECRET_NAMES = frozenset(
    name.replace("-", "").replace("_", "").lower()
    for name in (
        "api_token",
        "token",
        "authToken",
        "password",
        "passwd",
        "api_secret",
        "secret",
        "api_key",
        "web_api_key",
        "signature",
        "authorization",
        "x-api-authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "jwt",
        "access_token",
        "refresh_token",
        "client_secret",
    )
)

_NAMES_RE = "|".join(
    [
        "api_token",
        "authToken",
        "auth_token",
        "token",
        "password",
        "api_secret",
        "api_key",
        "web_api_key",
        "signature",
        "access_token",
        "jwt",
    ]
)
# name=value in URLs and form bodies
_QUERY_RE = re.compile(rf"(?i)(?<![A-Za-z0-9])({_NAMES_RE})=([^&\s\"'<>]+)")
# "name": "value" in JSON text
_JSON_RE = re.compile(rf"(?i)(\"(?:{_NAMES_RE})\"\s*:\s*)\"(?:[^\"\\]|\\.)*\"")
# Authorization-style headers written out in text
_AUTH_RE = re.compile(r"(?i)\b(Basic|Bearer|IWS)\s+[A-Za-z0-9+/=._:~-]{6,}")


def is_secret_name(name: str) -> bool:
    """Tell whether a parameter, header or field name holds a secret."""
    return name.replace("-", "").replace("_", "").lower() in _SECRET_NAMES


def redact_url(url: str) -> str:
    """Return ``url`` with secret query values and any password replaced."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, REDACTED if is_secret_name(k) else v) for k, v in pairs], safe="[]=,:"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return a copy of ``headers`` with secret values replaced."""
    return {k: REDACTED if is_secret_name(k) else v for k, v in headers.items()}


def redact_data(value: Any) -> Any:
    """Return ``value`` (JSON-like) with the values of secret-named keys replaced."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and is_secret_name(k) else redact_data(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_data(v) for v in value]
    return value


def redact_text(text: str) -> str:
    """Replace name-tagged secrets (``token=...``, ``"password": "..."``) in text."""
    text = _QUERY_RE.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    text = _JSON_RE.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return _AUTH_RE.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


class Redactor:
    """Scrubs a client's known secret values, and name-tagged secrets, from text.

    Thread-safe: tokens obtained at run time (CRM.COM, Opentaps) are added while
    other threads scrub.
    """

    _MIN_LENGTH = 4  # shorter values would scrub ordinary words

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(*secrets)
        with _LIVE_LOCK:
            _LIVE.add(self)

    def add(self, *secrets: str | None) -> None:
        """Remember more secret values (None and very short values are ignored)."""
        with self._lock:
            known = set(self._secrets)
            for secret in secrets:
                if secret and len(secret) >= self._MIN_LENGTH:
                    known.add(secret)
            # longest first, so a secret containing another is replaced whole
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """Return ``text`` with every known secret and name-tagged secret replaced."""
        return redact_text(self.scrub_values(text))

    def scrub_values(self, text: str) -> str:
        """Return ``text`` with every secret value this redactor knows replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def holds_secrets(self) -> bool:
        """Tell whether this redactor knows any secret value."""
        return bool(self._secrets)

    def scrub_data(self, value: Any) -> Any:
        """Scrub a JSON-like value: secret-named keys and known secret values."""
        value = redact_data(value)
        if not self._secrets:
            return value
        return _scrub_values(value, self)

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._secrets)} secrets>)"


_LIVE: weakref.WeakSet[Redactor] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


def live_redactors() -> list[Redactor]:
    """The redactors of the clients alive now that hold a secret."""
    with _LIVE_LOCK:
        redactors = list(_LIVE)
    return [r for r in redactors if r.holds_secrets()]


def scrub_live(text: str) -> str:
    """``text`` without any secret value a live client holds, nor name-tagged ones."""
    for redactor in live_redactors():
        text = redactor.scrub_values(text)
    return redact_text(text)


def _scrub_values(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.scrub(value)
    if isinstance(value, Mapping):
        return {k: _scrub_values(v, redactor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_values(v, redactor) for v in value]
    return value
