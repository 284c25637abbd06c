"""iVvy request signing, exactly as developer.ivvy.com documents it. Strictly private.

For every attempt (so each retry carries a fresh date)::

    Content-MD5     = hex md5 of the exact body bytes (md5 of "" for no body)
    IVVY-Date       = the signing time in UTC, "yyyy-mm-dd HH:MM:SS"
    stringToSign    = lower(method + contentMd5 + contentType + date
                            + requestString + apiVersion + ivvyHeaders)
    signature       = hex(HMAC-SHA1(apiSecret, stringToSign))
    X-Api-Authorization: IWS <apiKey>:<signature>

``date`` is empty because the date travels in ``IVVY-Date``; ``contentType`` is the
Content-Type header as sent; ``requestString`` is path + query (no host);
``ivvyHeaders`` is every ``IVVY*`` header as ``name=value`` with ``-`` and ``_``
removed from the name, sorted and joined with ``&`` (here ``IVVYDate=...``).

The requestor serialises a JSON body once and calls :meth:`IvvySigner.apply` for
every attempt, so the bytes hashed are the bytes sent.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import attrs

from crmclients._redact import REDACTED, Redactor
from crmclients._transport import Request

#: The only API version iVvy serves.
API_VERSION = "1.0"
#: The only content type iVvy accepts.
CONTENT_TYPE = "application/json"
#: iVvy's timestamp format (UTC).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_now() -> datetime:
    """The current time, aware UTC (the default signing clock)."""
    return datetime.now(UTC)


def content_md5(body: bytes | None) -> str:
    """Hex MD5 of the exact body bytes (of ``b""`` when there is no body)."""
    return hashlib.md5(body or b"", usedforsecurity=False).hexdigest()


def ivvy_timestamp(moment: datetime) -> str:
    """``moment`` as an iVvy timestamp: UTC, ``yyyy-mm-dd HH:MM:SS``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def canonical_ivvy_headers(headers: Mapping[str, str]) -> str:
    """The ``ivvyHeaders`` part: ``IVVY*`` headers as sorted ``name=value`` pairs.

    Names lose their ``-`` and ``_``; the sort ignores case (the whole string to
    sign is lower-cased anyway).

    >>> canonical_ivvy_headers({"IVVY-Date": "2012-04-03 22:23:24", "Accept": "x"})
    'IVVYDate=2012-04-03 22:23:24'
    """
    pairs = sorted(
        (
            (name.replace("-", "").replace("_", ""), value)
            for name, value in headers.items()
            if name.upper().startswith("IVVY")
        ),
        key=lambda pair: pair[0].lower(),
    )
    return "&".join(f"{name}={value}" for name, value in pairs)


def string_to_sign(
    *,
    method: str,
    content_md5: str,
    content_type: str,
    request_string: str,
    ivvy_headers: str,
    date: str = "",
    api_version: str = API_VERSION,
) -> str:
    """The lower-cased string iVvy signs.

    >>> string_to_sign(
    ...     method="POST",
    ...     content_md5="a09f600c77a6dbd947db24c61e8935ca",
    ...     content_type="application/json",
    ...     request_string="/api/1.0/test?action=ping",
    ...     ivvy_headers="IVVYDate=2012-04-03 22:23:24",
    ... )
    'posta09f600c77a6dbd947db24c61e8935caapplication/json/api/1.0/test?action=ping1.0ivvydate=2012-04-03 22:23:24'
    """
    initial = (
        f"{method}{content_md5}{content_type}{date}"
        f"{request_string}{api_version}{ivvy_headers}"
    )
    return initial.lower()


def sign(secret: str, text: str) -> str:
    """Lower-case hex HMAC-SHA1 of ``text`` keyed with ``secret``.

    >>> sign("my secret key", "string to sign")
    'a993876ea1218921a1c8551923473da7b310dfae'
    """
    return hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest()


def request_string(request: Request) -> str:
    """Path and query of ``request`` as sent (no scheme, no host)."""
    parts = urlsplit(request.url)
    query = parts.query
    if request.params:
        extra = urlencode(list(request.params))
        query = f"{query}&{extra}" if query else extra
    return f"{parts.path}?{query}" if query else parts.path


class SigningRedactor(Redactor):
    """A :class:`Redactor` that also scrubs the most recent request signatures.

    Signatures change with every request, so remembering them all would grow
    without end; only the last ``keep`` are kept (a signature is useless to anyone
    once its 5-minute window has passed).
    """

    def __init__(self, secrets: Iterable[str | None] = (), *, keep: int = 256) -> None:
        super().__init__(secrets)
        self._recent: deque[str] = deque(maxlen=keep)
        self._recent_lock = threading.Lock()

    def add_transient(self, *values: str) -> None:
        """Remember per-request secret values (signatures, authorization headers)."""
        with self._recent_lock:
            self._recent.extend(v for v in values if v and len(v) >= self._MIN_LENGTH)

    def scrub(self, text: str) -> str:
        """Scrub recent signatures, then the permanent secrets and tagged ones."""
        with self._recent_lock:
            recent = sorted(self._recent, key=len, reverse=True)
        for value in recent:
            if value in text:
                text = text.replace(value, REDACTED)
        return super().scrub(text)


class IvvySigner:
    """Signs each attempt of a request with a fresh ``IVVY-Date``.

    Args:
        api_key: The API key (sent in ``X-Api-Authorization``).
        api_secret: The API secret (only ever used as the HMAC key).
        redactor: Told about every signature and authorization value produced.
        clock: Returns the current time (aware UTC); injectable for tests.
    """

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        redactor: SigningRedactor,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._key = api_key
        self._secret = api_secret
        self._redactor = redactor
        self.clock = clock
        self._local = threading.local()

    @property
    def last_signed_at(self) -> datetime | None:
        """When this thread last signed a request (None if it never did)."""
        value: datetime | None = getattr(self._local, "signed_at", None)
        return value

    def apply(self, request: Request) -> Request:
        """Return ``request`` with Content-MD5, IVVY-Date and X-Api-Authorization."""
        headers = dict(request.headers)
        content_type = headers.setdefault("Content-Type", CONTENT_TYPE)
        signed_at = self.clock()
        headers["Content-MD5"] = content_md5(request.content)
        headers["IVVY-Date"] = ivvy_timestamp(signed_at)
        headers["X-Api-Version"] = API_VERSION
        text = string_to_sign(
            method=request.method,
            content_md5=headers["Content-MD5"],
            content_type=content_type,
            request_string=request_string(request),
            ivvy_headers=canonical_ivvy_headers(headers),
        )
        signature = sign(self._secret, text)
        authorization = f"IWS {self._key}:{signature}"
        self._redactor.add_transient(signature, authorization)
        headers["X-Api-Authorization"] = authorization
        self._local.signed_at = signed_at
        return attrs.evolve(request, headers=headers)

    def refresh(self) -> bool:
        """iVvy keys cannot be renewed by the client; a fresh date is per attempt."""
        return False

    def __repr__(self) -> str:
        return "IvvySigner(api_key=[secure], api_secret=[secure])"
