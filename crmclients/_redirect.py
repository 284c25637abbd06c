"""Redirects: which ones crmclients follows, and where to.

Decided here, sans-I/O, and nowhere else; the transport never follows a redirect
on its own (neither on its urllib3 fast path nor through ``requests``), so every
3xx answer comes back to the requestor, which asks :func:`follow`.

The rules:

* never to another origin (scheme, host or port, default ports made explicit), so
  a credential can never travel to a host the caller did not name, and an answer
  from elsewhere is never read as vendor data;
* never from https to http (a change of scheme is a change of origin);
* only for reads: a write is never re-sent to a redirect target. A GET or HEAD
  follows any redirect status; a read sent as a POST (iVvy's RPC calls) only a
  307 or 308, which keep the method and body (301/302/303 would turn it into a
  GET the vendor does not serve);
* at most :data:`MAX_HOPS` hops;
* the new request is built from the target URL *without* any credential the
  target carries (a ``Location`` that copies the query string copies the token):
  the vendor's auth adds the credential afresh, as for any request.

Anything else raises :class:`~crmclients.errors.RedirectError`, naming both
origins with every credential masked.

Strictly private.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crmclients import errors
from crmclients._redact import is_secret_name, redact_url
from crmclients._transport import Request, Response

#: The statuses that redirect (304 Not Modified is an answer, not a redirect).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: Same-origin hops followed for one request before giving up.
MAX_HOPS = 5

_DEFAULT_PORTS = {"http": 80, "https": 443}
_READS = frozenset({"GET", "HEAD"})
_KEEP_METHOD = frozenset({307, 308})


def is_redirect(response: Response) -> bool:
    """Tell whether ``response`` asks the client to go elsewhere."""
    return response.status_code in REDIRECT_STATUSES


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL, lower-cased, with the default port explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: no origin matches it
        return f"{scheme}://{parts.netloc.lower()}"
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or _DEFAULT_PORTS.get(scheme, 0)}"


def follow(
    request: Request,
    response: Response,
    *,
    hops: int,
    read: bool,
    added: frozenset[str] = frozenset(),
    scrub: Callable[[str], str],
    vendor: str,
    operation: str,
) -> Request:
    """The request to send for a redirect answer, or raise.

    Args:
        request: The request that was answered with a redirect, as it was
            *before* the vendor's auth added credentials.
        response: The redirect answer.
        hops: Redirects already followed for this request.
        read: The call only reads (see the module docstring).
        added: Names of the query parameters the vendor's auth adds
            (``clientDomain``...): removed from the target with the secrets, so
            that auth adds them afresh instead of twice.
        scrub: The client's redactor, for the error message.
        vendor: Vendor name, for the error.
        operation: Operation name, for the error.

    Returns:
        The request to send next: same method, headers, body and timeouts, the
        target URL with any credential removed from its query (the vendor's auth
        adds it afresh), no separate query parameters.

    Raises:
        RedirectError: Another origin, a downgrade, a write, no ``Location``, or
            too many hops.
    """
    source = _full_url(request)
    location = response.headers.get("Location", "")
    target = urljoin(source, location.strip()) if location.strip() else ""
    here, there = origin(source), origin(target) if target else ""
    shown = scrub(redact_url(target)) if target else "(no Location header)"

    def refuse(why: str, hint: str | None = None) -> errors.RedirectError:
        return errors.RedirectError(
            f"HTTP {response.status_code} redirect from {here} to {shown} not "
            f"followed: {why}",
            status_code=response.status_code,
            origin=here,
            target=shown,
            vendor=vendor,
            operation=operation,
            hint=hint,
        )

    same_origin_hint = (
        "the server moved this call; check base_url, or whether the write "
        "happened, before trying again"
    )

    if not target:
        raise refuse("the answer names no target")
    if urlsplit(target).scheme.lower() not in _DEFAULT_PORTS:
        raise refuse("the target is not an http(s) URL")
    if here != there:
        if here.startswith("https:") and there.startswith("http:"):
            raise refuse("it would downgrade https to plain http")
        raise refuse("credentials are never sent to another origin")
    if not read:
        raise refuse(
            f"a write ({request.method}) is never re-sent to a redirect target",
            same_origin_hint,
        )
    if request.method not in _READS and response.status_code not in _KEEP_METHOD:
        raise refuse(
            f"a {request.method} read follows only 307/308, which keep the method",
            same_origin_hint,
        )
    if hops >= MAX_HOPS:
        raise refuse(f"more than {MAX_HOPS} redirects", same_origin_hint)
    return Request(
        request.method,
        _without_credentials(target, added),
        (),
        request.headers,
        request.content,
        request.timeout,
        request.attempt,
        request.deadline,
    )


def _full_url(request: Request) -> str:
    if not request.params:
        return request.url
    parts = urlsplit(request.url)
    extra = urlencode(request.params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _without_credentials(url: str, added: frozenset[str]) -> str:
    """``url`` without user info, fragment, secret-named or auth-added parameters."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_secret_name(name) and name not in added
    ]
    return urlunsplit((parts.scheme, host, parts.path, urlencode(pairs), ""))
