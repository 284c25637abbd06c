"""Which redirects crmclients follows, and where to (``_redirect.follow``)."""

from __future__ import annotations

import pytest
import responses

from crmclients import errors
from crmclients._redirect import follow, origin
from crmclients._transport import Request, RequestsTransport
from tests.helpers import response

BASE = "https://acme.example.com/api/opportunities"


def redirect_to(location: str | None, status: int = 302) -> object:
    headers = {} if location is None else {"Location": location}
    return response(status, headers=headers)


def go(
    location: str | None,
    *,
    method: str = "GET",
    status: int = 302,
    hops: int = 0,
    read: bool | None = None,
    url: str = BASE,
    params: tuple[tuple[str, str], ...] = (("page", "2"),),
    added: frozenset[str] = frozenset(),
) -> Request:
    return follow(
        Request(method, url, params, {"Accept": "application/json"}, None),
        redirect_to(location, status),  # type: ignore[arg-type]
        hops=hops,
        read=method in ("GET", "HEAD") if read is None else read,
        added=added,
        scrub=lambda text: text.replace("s3cret", "[secure]"),
        vendor="tactile",
        operation="opportunities.list",
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://h.example/x", "https://H.EXAMPLE:443/y"),
        ("http://h.example/x", "http://h.example:80/"),
        ("https://[::1]:8443/x", "https://[::1]:8443/y?z=1"),
    ],
)
def test_origins_compare_scheme_host_and_port_with_defaults_made_explicit(
    a: str, b: str
) -> None:
    """Case and default ports do not make two URLs different origins."""
    assert origin(a) == origin(b)


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("https://evil.example/api/opportunities?api_token=s3cret", "another origin"),
        ("https://acme.example.com:8443/api/opportunities", "another origin"),
        ("http://acme.example.com/api/opportunities", "downgrade https"),
        ("//evil.example/api", "another origin"),
        ("https://acme.example.com.evil.example/", "another origin"),
        ("https://acme.example.com@evil.example/", "another origin"),
        ("ftp://acme.example.com/file", r"not an http\(s\) URL"),
        (None, "names no target"),
        ("   ", "names no target"),
    ],
)
def test_a_redirect_elsewhere_is_refused_naming_both_origins(
    location: str | None, why: str
) -> None:
    """Another scheme, host or port (or no target) raises RedirectError, secrets
    masked, both origins named."""
    with pytest.raises(errors.RedirectError, match=why) as info:
        go(location)

    error = info.value
    assert error.origin == "https://acme.example.com:443"
    assert "https://acme.example.com:443" in str(error)
    assert "s3cret" not in str(error) + repr(vars(error))


@pytest.mark.parametrize(
    ("method", "status", "read"),
    [
        ("POST", 307, False),
        ("PUT", 308, False),
        ("DELETE", 301, False),
        ("PATCH", 302, False),
        ("POST", 301, True),  # a POST read: 301 would turn it into a GET
        ("POST", 303, True),
    ],
)
def test_writes_and_method_changing_redirects_are_not_followed(
    method: str, status: int, read: bool
) -> None:
    """A write is never re-sent; a POST read follows only 307/308."""
    with pytest.raises(errors.RedirectError, match=r"never re-sent|only 307/308"):
        go("/api/elsewhere", method=method, status=status, read=read)


def test_a_post_read_follows_a_307_with_its_body() -> None:
    """iVvy-style POST reads keep method and body through a 307."""
    sent = follow(
        Request("POST", BASE, (), {"Content-Type": "application/json"}, b"{}"),
        redirect_to("/api/v2", 307),  # type: ignore[arg-type]
        hops=0,
        read=True,
        scrub=str,
        vendor="ivvy",
        operation="crm.getActivityList",
    )

    assert (
        sent.method,
        sent.url,
        sent.content,
    ) == ("POST", "https://acme.example.com/api/v2", b"{}")


def test_a_same_origin_redirect_drops_credentials_for_auth_to_add_afresh() -> None:
    """Secret-named and auth-added parameters, user info and fragments of the target
    are dropped; everything else in its query is kept; the old params go."""
    sent = go(
        "https://user:pw@acme.example.com/api/v2/opportunities"
        "?api_token=s3cret&page=2&clientDomain=acme&authToken=t0k3n#frag",
        added=frozenset({"clientDomain"}),
    )

    assert sent.url == "https://acme.example.com/api/v2/opportunities?page=2"
    assert sent.params == ()
    assert dict(sent.headers) == {"Accept": "application/json"}


def test_a_relative_location_resolves_against_the_request_url() -> None:
    """``Location: next`` and ``/x`` resolve like a browser would."""
    assert go("next").url == "https://acme.example.com/api/next"
    assert go("/x?y=1").url == "https://acme.example.com/x?y=1"


def test_redirect_loops_stop_after_a_few_hops() -> None:
    """The sixth hop of one request raises instead of looping for ever."""
    go("/again", hops=4)
    with pytest.raises(errors.RedirectError, match="more than 5 redirects"):
        go("/again", hops=5)


@responses.activate
@pytest.mark.parametrize("own_session", [True, False])
def test_the_transport_never_follows_a_redirect_itself(own_session: bool) -> None:
    """A 3xx comes back to the requestor as the answer, on every transport path."""
    import requests

    responses.get(
        "https://acme.example.com/a",
        status=301,
        headers={"Location": "https://evil.example/a"},
    )
    evil = responses.get("https://evil.example/a", json={"stolen": True})
    transport = RequestsTransport(session=None if own_session else requests.Session())

    answer = transport.send(Request("GET", "https://acme.example.com/a"))

    assert (answer.status_code, evil.call_count) == (301, 0)
