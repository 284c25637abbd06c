"""Redaction of secrets by name and by value."""

from __future__ import annotations

from crmclients._redact import (
    REDACTED,
    Redactor,
    is_secret_name,
    redact_data,
    redact_headers,
    redact_text,
    redact_url,
)


def test_secret_query_values_are_redacted_in_urls() -> None:
    """api_token, token and authToken never appear in a logged URL."""
    url = "https://acme.tactilecrm.com/opportunities?limit=5&api_token=s3cr3t&token=t0k&authToken=a"

    assert redact_url(url) == (
        "https://acme.tactilecrm.com/opportunities?limit=5&api_token=[secure]&token=[secure]&authToken=[secure]"
    )


def test_passwords_in_url_userinfo_are_redacted() -> None:
    """user:password@host loses the credentials."""
    assert redact_url("https://me:pw@host/x") == "https://[secure]@host/x"


def test_headers_by_name() -> None:
    """Authorization and X-Api-Authorization are hidden, others kept."""
    headers = {
        "Authorization": "Basic abc",
        "X-Api-Authorization": "IWS k:sig",
        "Accept": "application/json",
    }

    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "X-Api-Authorization": REDACTED,
        "Accept": "application/json",
    }


def test_body_fields_by_name_recursively() -> None:
    """password/token/api_secret are hidden at any depth."""
    body = {
        "username": "u",
        "password": "p",
        "nested": [{"token": "t", "keep": 1}],
        "api_secret": "s",
    }

    assert redact_data(body) == {
        "username": "u",
        "password": REDACTED,
        "nested": [{"token": REDACTED, "keep": 1}],
        "api_secret": REDACTED,
    }


def test_text_patterns() -> None:
    """Query pairs, JSON pairs and auth headers written out in text are hidden."""
    text = (
        'GET /x?api_token=abc {"password": "hunter2"} Authorization: Basic dXNlcjpwYXNz'
    )

    assert redact_text(text) == (
        'GET /x?api_token=[secure] {"password": "[secure]"} Authorization: Basic [secure]'
    )


def test_redactor_scrubs_known_values_anywhere() -> None:
    """A secret value is removed wherever it appears, even without a name."""
    redactor = Redactor(["tok-123456", None, "ab"])

    assert redactor.scrub("echo tok-123456 here") == "echo [secure] here"
    assert (
        redactor.scrub("ab stays: too short to be a secret")
        == "ab stays: too short to be a secret"
    )
    assert "tok-123456" not in repr(redactor)


def test_redactor_learns_secrets_at_run_time() -> None:
    """Tokens obtained after construction are scrubbed too."""
    redactor = Redactor()
    redactor.add("late-token-99")

    assert redactor.scrub_data({"x": ["late-token-99"]}) == {"x": ["[secure]"]}


def test_secret_names_ignore_case_and_separators() -> None:
    """API-Token, api_token and apiToken are the same name."""
    assert (
        is_secret_name("API-Token")
        and is_secret_name("apiToken")
        and is_secret_name("X-Api-Authorization")
    )
    assert not is_secret_name("limit")
