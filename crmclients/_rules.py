"""Client-side checks of documented vendor rules, before anything is sent.

Native clients bind a :class:`Rules` to their vendor and operation and check each
argument; a broken rule raises :class:`~crmclients.errors.ValidationError` naming
the field and the rule. Also home of :data:`NOT_SET`, which tells "not given"
(leave the field alone) from ``None`` (send null) in partial updates.

Ids and integers are read here and nowhere else (:func:`ascii_int`,
:meth:`Rules.integer`, :meth:`Rules.id`, :meth:`Rules.string_id`): only ASCII
digits ``0-9`` count as digits. ``str.isdigit()`` and ``int()`` are not used on
input, because ``'²'.isdigit()`` is True while ``int('²')`` raises; ``int('١٢')``,
fullwidth ``int('\\uff11\\uff12')`` and ``int(' 12\\n')`` are all 12; and a
5,000-digit string raises Python's int-conversion ``ValueError`` instead of a
ValidationError. Whitespace around an id or an integer is refused, never
stripped, the same way for every vendor.

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

__all__ = ["INT64_MAX", "INT64_MIN", "NOT_SET", "Rules", "ascii_int", "shown"]

#: The bounds of every integer and id crmclients reads or sends: a signed 64-bit
#: integer, which every vendor's integer ids fit.
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
#: The longest string id crmclients sends when a vendor documents no form.
MAX_STRING_ID = 64

_ASCII_INT = re.compile(r"-?[0-9]{1,19}")
_ASCII_ID = re.compile(r"[0-9]{1,19}")
_ASCII_NUMBER = re.compile(
    r"-?(?:[0-9]{1,400}(?:\.[0-9]{0,400})?|\.[0-9]{1,400})(?:[eE][-+]?[0-9]{1,4})?"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def ascii_int(text: str) -> int | None:
    """The integer ``text`` spells in plain ASCII decimal, else None.

    Plain means exactly an optional ``-`` and 1 to 19 ASCII digits ``0-9``, and a
    value within a signed 64-bit integer. Nothing is stripped or normalised: a
    space, a tab or a trailing newline (``'12\\n'``), ``+``, ``_``, an exponent or a
    base prefix (``'1e3'``, ``'0x10'``), superscripts (``'²'``) and the digits of
    other scripts (``'١٢'``, fullwidth ``'\\uff11\\uff12'``) all give None, never a
    surprise number or an exception.

    >>> ascii_int("12"), ascii_int("-7"), ascii_int(" 12"), ascii_int("١٢")
    (12, -7, None, None)
    """
    if _ASCII_INT.fullmatch(text) is None:
        return None
    number = int(text)
    return number if INT64_MIN <= number <= INT64_MAX else None


def shown(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages.

    Safe for integers too long to print: Python refuses to turn one of more than
    4,300 digits into text, so those are described by their size instead.
    """
    if isinstance(value, int) and value.bit_length() > 256:
        return f"an integer of {value.bit_length()} bits"
    return f"{value!r:.{limit}}"


class Rules:
    """Checks bound to one vendor operation.

    >>> Rules("tactile", "opportunities.save").integer("probability", 42, multiple_of=5)
    Traceback (most recent call last):
    ...
    crmclients.errors.ValidationError: tactile: opportunities.save: 'probability' must be a multiple of 5, got 42 (fix the value and call again; nothing was sent)
    """

    def __init__(self, vendor: str, operation: str | None = None) -> None:
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
        """An integer within bounds and within a signed 64-bit integer.

        Accepts an ``int``, an integral ``float``, or a string of plain ASCII
        decimal as :func:`ascii_int` reads it (no surrounding whitespace, no digits
        of other scripts). Booleans are refused.
        """
        if isinstance(value, bool):
            self.fail(field, "must be an integer, got a boolean")
        if isinstance(value, str):
            number = ascii_int(value)
            if number is None:
                self.fail(
                    field,
                    "must be an integer written with the ASCII digits 0-9 (an "
                    f"optional leading '-', nothing else), got {shown(value)}",
                )
            value = number
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            self.fail(field, f"must be an integer, got {shown(value)}")
        if not INT64_MIN <= value <= INT64_MAX:
            self.fail(field, f"must fit in a signed 64-bit integer, got {shown(value)}")
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
        """A positive integer id (Tactile, iVvy, Administrate), checked strictly.

        The one parser of integer ids, for every argument, filter and Ref that
        carries one. An id is an ``int`` from 1 to :data:`INT64_MAX`, or a string of
        1 to 19 ASCII digits ``0-9`` with that value. Whitespace is refused, not
        stripped (``' 12'`` and ``'12\\n'`` are errors: an id is an exact token, and
        a stray blank usually means the id was cut from text wrongly); so are
        signs, ``0``, booleans, floats (``1.5``, even ``12.0``), exponents,
        superscripts and the digits of other scripts.

        Raises:
            ValidationError: Naming ``field``; nothing was sent.
        """
        if isinstance(value, bool):
            self.fail(field, "must be a positive integer id, got a boolean")
        number: int | None = None
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and _ASCII_ID.fullmatch(value):
            number = int(value)
        if number is None or not 1 <= number <= INT64_MAX:
            self.fail(
                field,
                f"must be a positive integer id: at least 1 and at most {INT64_MAX}, "
                "given as an int or as ASCII digits 0-9 (no sign, spaces or other "
                f"characters), got {shown(value)}",
            )
        return number

    def string_id(
        self,
        field: str,
        value: Any,
        *,
        pattern: re.Pattern[str] | None = None,
        form: str = "an id",
        max_length: int = MAX_STRING_ID,
    ) -> str:
        """A string id (Opentaps, CRM.COM), checked strictly.

        Always: a ``str`` of 1 to ``max_length`` characters, every one printable
        and none whitespace (no control, format or separator characters), and
        nothing stripped (``' ab'`` is refused like ``' 12'`` is by :meth:`id`).
        Where the vendor documents the form, ``pattern`` must match the whole id
        (``fullmatch``: a trailing newline does not slip past ``$``).

        Args:
            field: The argument, filter or field name, for the error.
            value: The id.
            pattern: The documented form, if there is one.
            form: The form in words, for the error (``"a 24-character
                hexadecimal Opentaps id"``).
            max_length: The longest id accepted.

        Raises:
            ValidationError: Naming ``field``; nothing was sent.
        """
        if (
            not isinstance(value, str)
            or not 0 < len(value) <= max_length
            or not value.isprintable()
            or any(c.isspace() for c in value)
            or (pattern is not None and pattern.fullmatch(value) is None)
        ):
            shape = (
                ""
                if pattern is not None
                else f": 1 to {max_length} printable characters, no whitespace or "
                "control characters"
            )
            self.fail(field, f"must be {form}{shape}, got {shown(value)}")
        return value

    def number(self, field: str, value: Any) -> int | float:
        """A finite number, for JSON (Decimal becomes float, numeric strings parse).

        A string must be plain ASCII decimal (``-12``, ``12.5``, ``1.2e3``), with
        nothing stripped, as for :meth:`integer`; ``'١٢'`` is refused, not read as
        12. Integral values within a signed 64-bit integer come back as ``int``,
        others as ``float``; anything that overflows a float is refused.
        """
        if isinstance(value, bool):
            self.fail(field, "must be a number, got a boolean")
        if isinstance(value, str):
            if _ASCII_NUMBER.fullmatch(value) is None:
                self.fail(
                    field,
                    "must be a number written with the ASCII digits 0-9 (such as "
                    f"-12, 12.5 or 1.2e3), got {shown(value)}",
                )
            value = Decimal(value)
        if isinstance(value, Decimal):
            if not value.is_finite():
                self.fail(field, "must be a finite number")
            if INT64_MIN <= value <= INT64_MAX and value == value.to_integral_value():
                return int(value)
            value = float(value)
        if isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                self.fail(
                    field, f"must fit in a signed 64-bit integer, got {shown(value)}"
                )
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
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        self.fail(field, f"must be a date formatted as YYYY-MM-DD, got {value!r:.40}")

    def hhmm(self, field: str, value: Any) -> str:
        """A time of day as ``HH:MM``."""
        if hasattr(value, "strftime") and not isinstance(value, date):
            return str(value.strftime("%H:%M"))
        if isinstance(value, str) and _HHMM.fullmatch(value.strip()):
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
