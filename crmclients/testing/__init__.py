"""Helpers for testing your own code against crmclients, without a network.

* :func:`mock_vendor` routes every request for a vendor to the same emulator the
  sandbox serves, in-process through ``responses`` (no sockets; needs the
  ``testing`` extra: ``pip install 'crmclients[testing]'``);
* :func:`instant_retries` keeps retries but skips the waiting between them;
* :func:`no_retries` makes every request a single attempt.

>>> import crmclients
>>> from crmclients.testing import mock_vendor
>>> with mock_vendor("tactile", records=3) as mock:
...     client = crmclients.connect("tactile", **mock.settings)
...     len(client.opportunities.list().to_list())
3
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crmclients import errors
from crmclients._retry import TESTING, set_testing
from crmclients.sandbox import FaultPlan, emulator
from crmclients.sandbox._app import SandboxConnectionReset, SandboxSlowAnswer

if TYPE_CHECKING:
    import requests
    import responses

    from crmclients.sandbox import Emulator

__all__ = [
    "MockVendor",
    "instant_retries",
    "mock_vendor",
    "no_retries",
    "recorded_waits",
]

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")


class MockVendor:
    """An emulator reached through ``responses`` at a fake https base URL.

    Attributes:
        emulator: The emulator (state, recorded requests, faults, clock).
        base_url: The fake base URL the client should use.
        credentials: The credentials the emulator accepts.
        settings: ``base_url`` + ``credentials``, for ``crmclients.connect``.
        responses: The active ``responses.RequestsMock``.
    """

    def __init__(
        self, vendor: str, *, base_url: str | None = None, **options: Any
    ) -> None:
        self.vendor = vendor
        self.emulator: Emulator = emulator(vendor, **options)
        self.base_url = (
            base_url or f"https://{vendor}.mock.crmclients.invalid"
        ).rstrip("/")
        self.responses: responses.RequestsMock | None = None

    @property
    def credentials(self) -> dict[str, str]:
        """The credentials this emulator accepts."""
        return dict(self.emulator.credentials)

    @property
    def settings(self) -> dict[str, Any]:
        """Everything ``crmclients.connect`` needs to reach this mock."""
        return {"base_url": self.base_url, **self.credentials}

    def inject_faults(self, **plan: Any) -> FaultPlan:
        """Inject faults (reset -> ConnectionError, timeout -> ReadTimeout).

        Args:
            **plan: ``rate``, ``kinds``, ``seed``, ``script``, ``match``... as for
                :class:`crmclients.sandbox.FaultPlan`.

        Returns:
            The plan now in force (its ``injected`` counter tells what happened).
        """
        return self.emulator.inject_faults(**plan)

    def __enter__(self) -> MockVendor:
        try:
            import responses as responses_lib
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise errors.ConfigurationError(
                "mock_vendor needs the responses package",
                hint="pip install 'crmclients[testing]'",
            ) from exc
        mock = responses_lib.RequestsMock(assert_all_requests_are_fired=False)
        pattern = re.compile(re.escape(self.base_url) + r"(/.*)?(\?.*)?$")
        for method in _METHODS:
            mock.add_callback(method, pattern, callback=self._callback)
        mock.start()
        self.responses = mock
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.responses is not None:
            self.responses.stop()
            self.responses.reset()
            self.responses = None

    def _callback(self, request: requests.PreparedRequest) -> Any:
        import requests as requests_lib
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        url = urlsplit(request.url or "")
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        builder = EnvironBuilder(
            path=url.path or "/",
            query_string=url.query,
            method=request.method or "GET",
            headers=list(request.headers.items()),
            data=body or b"",
            base_url=f"{url.scheme}://{url.netloc}",
        )
        environ = builder.get_environ()
        # A real server reports the request line's target, query included.
        target = f"{url.path or '/'}?{url.query}" if url.query else (url.path or "/")
        environ["REQUEST_URI"] = environ["RAW_URI"] = target
        try:
            app_iter, status, headers = run_wsgi_app(self.emulator, environ)
            content = b"".join(app_iter)
        except SandboxConnectionReset:
            return requests_lib.ConnectionError(
                "Connection reset by peer (mock_vendor fault)"
            )
        except SandboxSlowAnswer:
            return requests_lib.ReadTimeout("Read timed out (mock_vendor fault)")
        finally:
            builder.close()
        code = int(status.split(" ", 1)[0])
        return (
            code,
            {k: v for k, v in headers.items() if k.lower() != "content-length"},
            content,
        )


def mock_vendor(vendor: str, **options: Any) -> MockVendor:
    """Route a vendor's requests to its emulator in-process (use as a context manager).

    Args:
        vendor: The vendor to emulate.
        **options: ``records``, ``seed``, ``base_url`` and emulator options.

    Returns:
        A :class:`MockVendor`; ``connect(vendor, **mock.settings)`` inside its
        ``with`` block reaches the emulator, and nothing else is mocked.
    """
    return MockVendor(vendor, **options)


@contextmanager
def instant_retries() -> Iterator[None]:
    """Retry as configured, but without waiting between attempts.

    Returns:
        A context manager; the previous setting comes back on exit.
    """
    previous = (TESTING.instant, TESTING.max_attempts)
    set_testing(instant=True, max_attempts=previous[1])
    try:
        yield
    finally:
        set_testing(instant=previous[0], max_attempts=previous[1])


@contextmanager
def recorded_waits() -> Iterator[list[float]]:
    """Record the waits between retries instead of sleeping (to test backoff).

    >>> from crmclients.testing import recorded_waits
    >>> with recorded_waits() as waits:
    ...     pass  # code that retries
    >>> waits
    []

    Returns:
        A context manager yielding the list the waits (seconds) are appended to.
    """
    waits: list[float] = []
    with TESTING.lock:
        previous = TESTING.waits
        TESTING.waits = waits
    try:
        yield waits
    finally:
        with TESTING.lock:
            TESTING.waits = previous


@contextmanager
def no_retries() -> Iterator[None]:
    """Make every request a single attempt (errors surface at once).

    Returns:
        A context manager; the previous setting comes back on exit.
    """
    previous = (TESTING.instant, TESTING.max_attempts)
    set_testing(instant=previous[0], max_attempts=1)
    try:
        yield
    finally:
        set_testing(instant=previous[0], max_attempts=previous[1])
