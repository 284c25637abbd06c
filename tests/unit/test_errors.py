"""The error tree: messages, hierarchy, pickling, redaction."""

from __future__ import annotations

import pickle

import pytest

from crmclients import errors

ALL_ERRORS = [
    errors.ConfigurationError("missing api_token", vendor="tactile"),
    errors.ValidationError(
        field="limit",
        rule="must be between 1 and 100",
        vendor="tactile",
        operation="opportunities.list",
    ),
    errors.NotSupportedError("tactile", "tasks.list"),
    errors.TransportError("could not connect", request_sent=False, vendor="ivvy"),
    errors.RequestTimeoutError("read timed out", request_sent=True, vendor="ivvy"),
    errors.AmbiguousWriteError(
        "unknown outcome", vendor="tactile", operation="opportunities.save"
    ),
    errors.ResponseShapeError(
        "bad", path="$.a[1].b", snippet="x" * 500, transient=True, vendor="crmcom"
    ),
    errors.APIError(
        "no",
        status_code=400,
        code="X",
        messages=["no"],
        request_id="r1",
        details={"a": 1},
    ),
    errors.AuthenticationError("bad token", status_code=401, vendor="tactile"),
    errors.ClockSkewError(
        "stale", skew_seconds=-400.0, status_code=401, code=23005, vendor="ivvy"
    ),
    errors.PermissionDeniedError("nope", status_code=403),
    errors.NotFoundError("gone", status_code=404),
    errors.RejectedError(
        "invalid", field_errors={"name": ["required"]}, status_code=400
    ),
    errors.ConflictError("conflict", status_code=409),
    errors.RateLimitError("slow down", retry_after=2.5, status_code=429),
    errors.ServerError("boom", status_code=503, retry_after=1.0),
    errors.OutputError(path="/x/y.csv", reason="Permission denied"),
    errors.RedirectError(
        "elsewhere",
        status_code=302,
        origin="https://a.example:443",
        target="https://b.example/x",
    ),
]


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_every_error_pickles_with_its_attributes(error: errors.CRMError) -> None:
    """Errors cross process boundaries intact (process pools, multiprocessing)."""
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert dict(vars(copy).items()) == dict(vars(error).items())


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_every_error_is_a_crm_error_with_a_hint(error: errors.CRMError) -> None:
    """Callers can catch CRMError, and every message tells what to do."""
    assert isinstance(error, errors.CRMError)
    assert error.hint
    assert error.hint in str(error)


def test_message_names_vendor_operation_and_hint() -> None:
    """The message says who failed, doing what, and what to do about it."""
    error = errors.ValidationError(
        field="limit",
        rule="must be between 1 and 100",
        vendor="tactile",
        operation="opportunities.list",
    )

    assert str(error) == (
        "tactile: opportunities.list: 'limit' must be between 1 and 100 "
        "(fix the value and call again; nothing was sent)"
    )
    assert (error.field, error.rule) == ("limit", "must be between 1 and 100")
    assert isinstance(error, ValueError)


def test_clock_skew_is_an_authentication_error() -> None:
    """A stale iVvy request is caught by `except AuthenticationError`."""
    assert issubclass(errors.ClockSkewError, errors.AuthenticationError)
    assert issubclass(errors.RequestTimeoutError, errors.TransportError)


def test_redacted_scrubs_every_text_attribute() -> None:
    """redacted() removes a secret from the message, messages and details alike."""
    error = errors.AuthenticationError(
        "token abc123secret refused",
        messages=["bad abc123secret"],
        details={"echo": "abc123secret"},
        vendor="x",
    )

    clean = error.redacted(lambda text: text.replace("abc123secret", "[secure]"))

    assert "abc123secret" not in str(clean)
    assert clean.messages == ["bad [secure]"]
    assert clean.details == {"echo": "[secure]"}
    assert "abc123secret" not in repr(pickle.loads(pickle.dumps(clean)).__dict__)


def test_shape_error_snippet_is_bounded() -> None:
    """A huge vendor value never floods an error message."""
    error = errors.ResponseShapeError("bad", snippet="x" * 10_000)

    assert len(error.snippet) == 200


def test_warning_category_can_be_filtered() -> None:
    """Vendor deprecation warnings are DeprecationWarnings of their own category."""
    assert issubclass(errors.VendorDeprecationWarning, DeprecationWarning)
    assert issubclass(errors.VendorDeprecationWarning, errors.CRMWarning)


def test_an_error_built_anywhere_holds_no_secret_a_live_client_holds() -> None:
    """Message, args and attributes (lists, dicts) are scrubbed at creation."""
    from crmclients._redact import Redactor

    holder = Redactor(["live-secret-1234"])
    error = errors.APIError(
        "token live-secret-1234 refused",
        messages=["echo live-secret-1234"],
        details={"answer": {"token": ["live-secret-1234"]}},
        vendor="tactile",
    )

    assert "live-secret-1234" not in repr(vars(error)) + str(error) + repr(error.args)
    assert holder.holds_secrets()


def test_a_redacted_copy_is_detached_with_only_redacted_causes() -> None:
    """redacted(): no traceback, no __context__, the crmclients cause redacted too,
    a third-party cause dropped."""

    def scrub(text: str) -> str:
        return text.replace("s3cret", "[secure]")

    cause = errors.TransportError("reset ?token=s3cret", request_sent=None)
    cause.__cause__ = OSError("s3cret")
    try:
        try:
            raise cause
        except errors.TransportError as inner:
            raise errors.AmbiguousWriteError("unknown s3cret") from inner
    except errors.AmbiguousWriteError as outer:
        copy = outer.redacted(scrub)

    assert copy.__traceback__ is None and copy.__context__ is None
    assert isinstance(copy.__cause__, errors.TransportError)
    assert copy.__cause__.__cause__ is None
    assert "s3cret" not in str(copy) + str(copy.__cause__)
