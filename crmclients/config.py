"""Settings and credentials: keyword arguments, environment variables, profile file.

For every setting of a vendor, the first of these that has a value wins:

1. the keyword argument to :func:`crmclients.connect`;
2. the environment variable ``CRMCLIENTS_<VENDOR>_<SETTING>``
   (for example ``CRMCLIENTS_TACTILE_API_TOKEN``);
3. the profile file: TOML at ``$CRMCLIENTS_CONFIG``, else
   ``~/.config/crmclients/config.toml``, with one table per profile and vendor::

       [default.tactile]
       account = "acme"
       api_token = "..."

       [prod.ivvy]
       api_key = "..."
       api_secret = "..."
       region = "uk"

   The profile is the ``profile=`` argument, else ``$CRMCLIENTS_PROFILE``, else
   ``default`` (when the file has it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from crmclients import errors

__all__ = [
    "COMMON_SETTINGS",
    "Setting",
    "env_var",
    "missing_setting",
    "profile_path",
    "resolve_settings",
]


@attrs.frozen
class Setting:
    """One setting a vendor accepts.

    Attributes:
        name: The keyword argument name.
        kind: ``str``, ``float``, ``int`` or ``bool`` (environment values are
            converted), or ``object`` for values that cannot come from text.
        required: Whether connect() fails without it.
        secret: Whether it is a credential (never logged or shown).
        doc: One line for the docs.
    """

    name: str
    kind: type = str
    required: bool = False
    secret: bool = False
    doc: str = ""


#: Settings every vendor accepts.
COMMON_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_url",
        doc="scheme://host[:port] overriding the vendor host (path prefix kept)",
    ),
    Setting(
        "timeout", float, doc="seconds, or a (connect, read) pair; default (5, 30)"
    ),
    Setting("retry", object, doc="a crmclients.RetryPolicy"),
    Setting(
        "rate_limit", float, doc="requests per second, client-side (None: no limit)"
    ),
    Setting("session", object, doc="a requests.Session to reuse"),
    Setting("timezone", str, doc="IANA zone for naive vendor timestamps"),
    Setting(
        "verify",
        bool,
        doc="TLS verification, or a CA bundle path (on unless turned off explicitly)",
    ),
    Setting("allow_http", bool, doc="allow plain http to non-loopback hosts"),
)


def env_var(vendor: str, name: str) -> str:
    """The environment variable that supplies a setting.

    Args:
        vendor: The vendor name.
        name: The setting name.

    Returns:
        ``CRMCLIENTS_<VENDOR>_<NAME>``, e.g. ``CRMCLIENTS_TACTILE_API_TOKEN``.
    """
    return f"CRMCLIENTS_{vendor.upper()}_{name.upper()}"


def profile_path() -> Path:
    """Where the profile file is read from.

    Returns:
        ``$CRMCLIENTS_CONFIG``, else ``$XDG_CONFIG_HOME/crmclients/config.toml``,
        else ``~/.config/crmclients/config.toml``.
    """
    configured = os.environ.get("CRMCLIENTS_CONFIG")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "crmclients" / "config.toml"


def _load_profile(vendor: str, profile: str | None) -> Mapping[str, Any]:
    path = profile_path()
    chosen = profile or os.environ.get("CRMCLIENTS_PROFILE")
    if not path.is_file():
        if chosen:
            raise errors.ConfigurationError(
                f"profile {chosen!r} was asked for but {path} does not exist",
                vendor=vendor,
                hint="create it, or set CRMCLIENTS_CONFIG to the profile file",
            )
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise errors.ConfigurationError(
            f"cannot read the profile file {path}: {exc}", vendor=vendor
        ) from None
    name = chosen or "default"
    section = document.get(name, {})
    if not isinstance(section, Mapping):
        section = {}
    values = section.get(vendor)
    if values is None:
        if chosen:
            raise errors.ConfigurationError(
                f"profile {name!r} has no [{name}.{vendor}] table in {path}",
                vendor=vendor,
            )
        return {}
    if not isinstance(values, Mapping):
        raise errors.ConfigurationError(
            f"[{name}.{vendor}] in {path} must be a table", vendor=vendor
        )
    return values


def _convert(vendor: str, setting: Setting, value: Any, source: str) -> Any:
    if (
        setting.name == "timeout"
        and isinstance(value, tuple | list)
        and len(value) == 2
    ):
        return tuple(value)  # (connect, read); checked by the transport
    if setting.name == "verify" and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        return value.strip()  # a CA bundle path
    if setting.kind is object or value is None or isinstance(value, setting.kind):
        if (
            setting.kind is float
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            return float(value)
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if setting.kind is bool:
                lowered = text.lower()
                if lowered in ("1", "true", "yes", "on"):
                    return True
                if lowered in ("0", "false", "no", "off"):
                    return False
                raise ValueError(text)
            if setting.kind in (int, float):
                return setting.kind(text)
        except ValueError:
            pass
        else:
            if setting.kind is str:
                return text
    if (
        setting.kind is float
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return float(value)
    shown = "<hidden>" if setting.secret else repr(value)
    raise errors.ConfigurationError(
        f"{setting.name} from {source} must be {setting.kind.__name__}, got {shown}",
        vendor=vendor,
    )


def resolve_settings(
    vendor: str,
    declared: Sequence[Setting],
    kwargs: Mapping[str, Any],
    *,
    profile: str | None = None,
) -> dict[str, Any]:
    """Resolve a vendor's settings: kwargs > environment > profile file.

    Args:
        vendor: The vendor name.
        declared: The vendor's own settings (the common ones are added).
        kwargs: The keyword arguments given to ``connect()``.
        profile: The profile to read (default: ``$CRMCLIENTS_PROFILE``, then
            ``default``).

    Returns:
        Setting name -> value, for every setting that has one.

    Raises:
        ConfigurationError: An unknown setting, a value of the wrong type, or a
            required setting with no value (the message names the env var).
    """
    settings = {s.name: s for s in (*COMMON_SETTINGS, *declared)}
    unknown = sorted(set(kwargs) - set(settings))
    if unknown:
        raise errors.ConfigurationError(
            f"unknown setting {unknown[0]!r}; {vendor} accepts {', '.join(sorted(settings))}",
            vendor=vendor,
        )
    file_values = _load_profile(vendor, profile)
    resolved: dict[str, Any] = {}
    for name, setting in settings.items():
        if name in kwargs:
            value = _convert(vendor, setting, kwargs[name], "the arguments")
        elif env_var(vendor, name) in os.environ and setting.kind is not object:
            value = _convert(
                vendor,
                setting,
                os.environ[env_var(vendor, name)],
                env_var(vendor, name),
            )
        elif name in file_values and setting.kind is not object:
            value = _convert(vendor, setting, file_values[name], str(profile_path()))
        else:
            continue
        if value is not None or (name == "rate_limit" and name in kwargs):
            resolved[name] = value  # rate_limit=None given explicitly: no limit
    for setting in declared:
        if setting.required and resolved.get(setting.name) in (None, ""):
            raise missing_setting(vendor, setting.name)
    return resolved


def missing_setting(
    vendor: str, name: str, alternatives: Iterable[str] = ()
) -> errors.ConfigurationError:
    """The error for a missing setting, naming the env var that would supply it.

    Args:
        vendor: The vendor name.
        name: The missing setting.
        alternatives: Settings that would do instead (``base_url`` for
            ``account``...).

    Returns:
        The error, to raise.
    """
    others = "".join(f" or {alt}=" for alt in alternatives)
    return errors.ConfigurationError(
        f"missing {name}",
        vendor=vendor,
        hint=(
            f"pass {name}=...{others} to crmclients.connect(), set {env_var(vendor, name)}, "
            f"or add it to a profile in {profile_path()}"
        ),
    )
