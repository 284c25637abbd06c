"""Settings resolution: kwargs > environment > profile file."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmclients
from crmclients import errors
from crmclients.config import Setting, env_var, resolve_settings

DECLARED = (Setting("api_token", required=True, secret=True), Setting("account"))


def write_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("CRMCLIENTS_CONFIG", str(path))
    return path


def test_keyword_arguments_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kwargs beat the environment, which beats the profile file."""
    write_profile(
        tmp_path,
        monkeypatch,
        '[default.tactile]\napi_token = "from-file"\naccount = "file"\n',
    )
    monkeypatch.setenv("CRMCLIENTS_TACTILE_API_TOKEN", "from-env")

    assert (
        resolve_settings("tactile", DECLARED, {"api_token": "from-kwargs"})["api_token"]
        == "from-kwargs"
    )
    assert resolve_settings("tactile", DECLARED, {})["api_token"] == "from-env"
    assert resolve_settings("tactile", DECLARED, {})["account"] == "file"


def test_named_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """profile= picks a table; CRMCLIENTS_PROFILE does the same by default."""
    write_profile(
        tmp_path, monkeypatch, '[prod.tactile]\napi_token = "p"\ntimeout = 9\n'
    )

    assert resolve_settings("tactile", DECLARED, {}, profile="prod") == {
        "api_token": "p",
        "timeout": 9.0,
    }
    monkeypatch.setenv("CRMCLIENTS_PROFILE", "prod")
    assert resolve_settings("tactile", DECLARED, {})["api_token"] == "p"


def test_missing_profile_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asking for a profile that is not there says where it looked."""
    write_profile(tmp_path, monkeypatch, "[other.tactile]\n")

    with pytest.raises(errors.ConfigurationError, match=r"\[prod.tactile\]"):
        resolve_settings("tactile", DECLARED, {}, profile="prod")


def test_missing_credential_names_the_environment_variable() -> None:
    """The error says which env var would supply the missing setting."""
    with pytest.raises(errors.ConfigurationError) as info:
        crmclients.connect("tactile", account="acme")

    assert "api_token" in str(info.value)
    assert "CRMCLIENTS_TACTILE_API_TOKEN" in str(info.value)
    assert env_var("tactile", "api_token") == "CRMCLIENTS_TACTILE_API_TOKEN"


def test_unknown_vendor_and_unknown_setting() -> None:
    """Typos fail early with the list of valid choices."""
    with pytest.raises(
        errors.ConfigurationError, match=r"unknown vendor 'tactil'.*tactile"
    ):
        crmclients.connect("tactil")
    with pytest.raises(errors.ConfigurationError, match="unknown setting 'api_tokn'"):
        crmclients.connect("tactile", api_tokn="x", account="a")


def test_environment_values_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Numbers and booleans from the environment are converted; junk is refused."""
    monkeypatch.setenv("CRMCLIENTS_TACTILE_TIMEOUT", "12.5")
    monkeypatch.setenv("CRMCLIENTS_TACTILE_VERIFY", "false")
    settings = resolve_settings("tactile", DECLARED, {"api_token": "x"})

    assert (settings["timeout"], settings["verify"]) == (12.5, False)
    monkeypatch.setenv("CRMCLIENTS_TACTILE_TIMEOUT", "soon")
    with pytest.raises(errors.ConfigurationError, match="timeout"):
        resolve_settings("tactile", DECLARED, {"api_token": "x"})


def test_secret_values_are_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed secret setting is reported without its value."""
    with pytest.raises(errors.ConfigurationError) as info:
        resolve_settings("tactile", DECLARED, {"api_token": 12345678})

    assert "12345678" not in str(info.value)
