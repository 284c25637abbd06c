"""Client-side checks of documented vendor rules, before anything is sent.

Native clients bind a :class:`Rules` to their vendor and operation and check each
argument; a broken rule raises :class:`~crmclients.errors.ValidationError` naming
the field and the rule. Also home of :data:`NOT_SET`, which tells "not given"
(leave the field alone) from ``None`` (send null) in partial updates.

Strictly private.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, NoReturn

from crmclients import errors
from crmclients._types import NOT_SET

__all__ = ["NOT_SET", "Rules"]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Rules:
    """Checks bound to one vendor operation.

    >>> Rules("tactile", "opportunities.save").integer("probability", 42, multiple_of=5)
    Traceback (most recent call last):
    ...
    crmclients.errors.ValidationError: tactile: opportunities.save: 'probability' must be a multiple of 5, got 42 (fix the value and call again; nothing was sent)
    """

    def __init__(self, vendor: str, operation: str) -> None:
        self.vendor = vendor
        self.operation = operation

    def fail(self, field: str, rule: str) -> NoReturn:
        """Raise the ValidationError for ``field`` breaking ``rule``."""
        raise errors.ValidationError(
            field=field, rule=rule, vendor=self.vendor, operation=self.operation
        )

    def required(self, field: str, value: Any) -> None:
        """The field must be given (not None, not blank)."""
        if (
            value is None
            or value is NOT_SET
            or (isinstance(value, str) and not value.strip())
        ):
            self.fail(field, "is required")

    def text(
        self,
        field: str,
        value: Any,
        *,
        required: bool = False,
        max_length: int | None = None,
    ) -> str | None:
        """A string (or None when optional)."""
        if value is None or value is NOT_SET:
            if required:
                self.fail(field, "is required")
            return None
        if not isinstance(value, str):
            self.fail(field, f"must be a string, got {type(value).__name__}")
        if required and not value.strip():
            self.fail(field, "is required and must not be blank")
        if max_length is not None and len(value) > max_length:
            self.fail(field, f"must be at most {max_length} characters")
        return value

    def integer(
        self,
        field: str,
        value: Any,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        multiple_of: int | None = None,
    ) -> int:
        """An integer within bounds (numeric strings are accepted)."""
        if isinstance(value, bool):
            self.fail(field, "must be an integer, got a boolean")
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            self.fail(field, f"must be an integer, got {value!r:.40}")
        if (
            minimum is not None
            and maximum is not None
            and not minimum <= value <= maximum
        ):
            self.fail(
                field,
                f"must be between {minimum} and {maximum} (inclusive), got {value}",
            )
        if minimum is not None and value < minimum:
            self.fail(field, f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            self.fail(field, f"must be at most {maximum}, got {value}")
        if multiple_of is not None and value % multiple_of:
            self.fail(field, f"must be a multiple of {multiple_of}, got {value}")
        return value

    def id(self, field: str, value: Any) -> int:
        """A positive integer id."""
        return self.integer(field, value, minimum=1)

    def number(self, field: str, value: Any) -> int | float:
        """A finite number, for JSON (Decimal becomes float, numeric strings parse)."""
        if isinstance(value, bool):
            self.fail(field, "must be a number, got a boolean")
        if isinstance(value, str):
            try:
                value = Decimal(value.strip())
            except ArithmeticError:
                self.fail(field, f"must be a number, got {value!r:.40}")
        if isinstance(value, Decimal):
            if not value.is_finite():
                self.fail(field, "must be a finite number")
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                self.fail(field, "must be a finite number")
            return value
        self.fail(field, f"must be a number, got {type(value).__name__}")

    def boolean(self, field: str, value: Any) -> bool:
        """A real boolean."""
        if not isinstance(value, bool):
            self.fail(field, f"must be true or false, got {value!r:.40}")
        return value

    def choice(self, field: str, value: Any, choices: Collection[Any]) -> Any:
        """One of ``choices``."""
        if value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            self.fail(field, f"must be one of {shown}, got {value!r:.40}")
        return value

    def day(self, field: str, value: Any) -> str:
        """A date as ``YYYY-MM-DD`` (a date object or a string in that form)."""
        if isinstance(value, datetime):
            self.fail(field, "must be a date (YYYY-MM-DD), not a datetime")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        self.fail(field, f"must be a date formatted as YYYY-MM-DD, got {value!r:.40}")

    def hhmm(self, field: str, value: Any) -> str:
        """A time of day as ``HH:MM``."""
        if hasattr(value, "strftime") and not isinstance(value, date):
            return str(value.strftime("%H:%M"))
        if isinstance(value, str) and _HHMM.match(value.strip()):
            return value.strip()
        self.fail(field, f"must be a time formatted as HH:MM, got {value!r:.40}")

    def moment(self, field: str, value: Any, *, tz: tzinfo) -> datetime:
        """An aware datetime (naive ones and dates are read in ``tz``)."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.fail(
                    field,
                    f"must be a datetime or an ISO 8601 string, got {value!r:.40}",
                )
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=tz)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=tz)
        self.fail(field, f"must be a datetime, got {type(value).__name__}")

    def utc(
        self,
        field: str,
        value: Any,
        *,
        tz: tzinfo = UTC,
        fmt: str = "%Y-%m-%d %H:%M:%S",
    ) -> str:
        """A moment formatted in UTC (default ``Y-m-d H:i:s``)."""
        return self.moment(field, value, tz=tz).astimezone(UTC).strftime(fmt)

    def only_known(
        self, fields: Iterable[str], known: Collection[str], what: str
    ) -> None:
        """Every field name must be documented."""
        for name in fields:
            if name not in known:
                self.fail(
                    name,
                    f"is not a documented {what} field; known: {', '.join(sorted(known))}",
                )
