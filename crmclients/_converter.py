"""The base cattrs converter and a structure() that names the bad field.

Vendor ``_wire.py`` modules start from :func:`make_converter`, add their renames and
hooks, and wrap the result in a :class:`Structurer`. The structurer uses a fast
converter for the hot path; when a payload does not fit, it re-runs that one payload
through a converter with cattrs' detailed validation, so the
:class:`~crmclients.errors.ResponseShapeError` names the exact field path
(``$.opportunities[3].created``) at no cost to the records that are fine.

Strictly private.
"""

from __future__ import annotations

import decimal
import enum
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from crmclients import errors
from crmclients._redact import redact_text
from crmclients._rules import INT64_MAX, INT64_MIN, ascii_int, shown
from crmclients._types import EMPTY_RAW

T = TypeVar("T")


#: What a hook may raise on bad input; anything else is a bug and propagates.
SHAPE_ERRORS: tuple[type[BaseException], ...] = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
    ArithmeticError,
    decimal.InvalidOperation,
    RecursionError,
    cattrs.BaseValidationError,
    cattrs.StructureHandlerNotFoundError,
)


def parse_datetime(value: Any, default_tz: tzinfo = UTC) -> datetime:
    """Parse a vendor timestamp into an aware UTC datetime.

    Accepts ISO 8601 with ``T`` or a space, offsets as ``+01:00``, ``+0100`` or
    ``Z``, and a trailing `` UTC``. A naive value is read in ``default_tz``.
    """
    if value.__class__ is str:
        if value.endswith("UTC"):
            value = value.removesuffix("UTC")
            default_tz = UTC
        parsed = datetime.fromisoformat(value.strip())
    elif isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        return parse_datetime(str(value), default_tz)
    else:
        raise TypeError(f"expected a timestamp string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        return naive_to_utc(parsed, default_tz)
    if parsed.tzinfo is UTC:
        return parsed
    return parsed.astimezone(UTC)


_NAIVE_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def naive_to_utc(moment: datetime, zone: tzinfo) -> datetime:
    """A naive wall time read in ``zone``, as an aware UTC datetime.

    The same as ``moment.replace(tzinfo=zone).astimezone(UTC)`` (a wall time in a
    DST gap or overlap included: its ``fold`` picks the offset). For UTC, fixed
    offsets and IANA zones it is done by timedelta arithmetic, about ten times
    faster (``datetime.replace`` alone costs about 0.57 µs on CPython 3.11, and
    pulls do this for every naive vendor timestamp).
    """
    if zone is UTC:
        return _UTC_EPOCH + (moment - _NAIVE_EPOCH)
    if zone.__class__ is timezone or isinstance(zone, ZoneInfo):
        offset = zone.utcoffset(moment)
        if offset is not None:
            return _UTC_EPOCH + (moment - _NAIVE_EPOCH - offset)
    return moment.replace(tzinfo=zone).astimezone(UTC)


def parse_date(value: Any) -> date:
    """Parse ``YYYY-MM-DD`` (a timestamp's date part is accepted too)."""
    if value.__class__ is str and len(value) == 10:
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        return (
            date.fromisoformat(text[:10])
            if len(text) > 10
            else date.fromisoformat(text)
        )
    raise TypeError(f"expected a date string, got {type(value).__name__}")


_INF = float("inf")


def to_decimal(value: Any) -> Decimal:
    """Exact decimal from a JSON number or numeric string (floats via their repr)."""
    kind = value.__class__
    if kind is int:
        return Decimal(value)
    if kind is float:
        if value != value or value in (_INF, -_INF):
            raise ValueError(f"expected a finite number, got {value!r}")
        return Decimal(repr(value))
    if isinstance(value, bool):
        raise TypeError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | str):
        result = Decimal(str(value).strip())
        if not result.is_finite():
            raise ValueError(f"expected a finite number, got {value!r}")
        return result
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _datetime_hook(default_tz: tzinfo) -> Callable[[Any, Any], datetime]:
    """The datetime hook: ISO strings in one step, everything else via parse_datetime."""
    fromisoformat = datetime.fromisoformat

    def structure(value: Any, _: Any) -> datetime:
        if value.__class__ is str and value[-1:] == "Z":
            try:
                return fromisoformat(value)  # UTC (Python 3.11+ reads the Z)
            except ValueError:
                return parse_datetime(value, default_tz)
        if (
            value.__class__ is str
            and value[-4:] == " UTC"
            and value[-5:-4].isdigit()
            and value[:1].isdigit()
        ):
            # iVvy's "Y-m-d H:i:s UTC": what parse_datetime does, with nothing
            # to strip (so the same result and the same errors).
            parsed = fromisoformat(value[:-4])
            zone = parsed.tzinfo
            if zone is None:
                return naive_to_utc(parsed, UTC)
            return parsed if zone is UTC else parsed.astimezone(UTC)
        if value.__class__ is str and value[-1:].isdigit():
            try:
                parsed = fromisoformat(value)
            except ValueError:
                return parse_datetime(value, default_tz)
            zone = parsed.tzinfo
            if zone is None:
                return naive_to_utc(parsed, default_tz)
            if value[-6:] not in SHIFTS:
                learn_shift(value, parsed)
            return parsed if zone is UTC else parsed.astimezone(UTC)
        return parse_datetime(value, default_tz)

    setattr(structure, _DATETIME_HOOK, True)  # lets Codegen inline the common case
    return structure


_DATETIME_HOOK = "_crmclients_datetime_hook"

#: The last six characters of timestamps seen with a numeric UTC offset ("7+0100",
#: "+01:00") -> (where the offset starts, the offset); None for other endings.
#: Generated code uses it to parse the wall time as UTC and subtract the offset,
#: which gives the same instant as ``fromisoformat(text).astimezone(UTC)`` in half
#: the time. Filled by the datetime hook, bounded by ``_SHIFTS_LIMIT``.
SHIFTS: dict[str, tuple[int, timedelta] | None] = {}
_SHIFTS_LIMIT = 4096
_OFFSET_ENDING = re.compile(r"\d[+-]\d{4}|[+-]\d\d:\d\d")


def learn_shift(text: str, parsed: datetime) -> None:
    """Remember how ``text`` (parsed, aware) ends, for the generated fast path."""
    key = text[-6:]
    if len(SHIFTS) >= _SHIFTS_LIMIT:
        return
    offset = parsed.utcoffset()
    if offset is None or not _OFFSET_ENDING.fullmatch(key):
        SHIFTS[key] = None
        return
    SHIFTS[key] = (-6 if key[0] in "+-" else -5, offset)


#: Payloads missing a key after which a generated function reads only with .get().
_FAST_READ_MISSES = 16


def _structure_decimal(value: Any, _: Any) -> Decimal:
    return to_decimal(value)


def _structure_date(value: Any, _: Any) -> date:
    return parse_date(value)


def _structure_strings(value: Any, _: Any) -> tuple[str, ...]:
    if value.__class__ is list or value.__class__ is tuple:
        try:
            "".join(value)  # in C: succeeds only when every item is a string
        except TypeError:
            return tuple(_structure_str(item, None) for item in value)
        return tuple(value)
    raise TypeError(f"expected a list of strings, got {type(value).__name__}")


def _structure_str(value: Any, _: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_int(value: Any, _: Any) -> int:
    """A JSON integer, an integral float or a string of plain ASCII decimal.

    Strings are read by :func:`~crmclients._rules.ascii_int`: nothing stripped, no
    digits of other scripts (``'١٢'`` is not 12), at most a signed 64-bit value, so
    a 5,000-digit string is refused before Python's int-conversion limit is hit.
    Floats must be integral and within a signed 64-bit integer too. JSON integers
    are taken as decoded (the decoder bounds them; the generated structure
    functions take them without calling this hook). The ValueError and TypeError
    raised here become the Structurer's ResponseShapeError naming the field.
    """
    if value.__class__ is int:
        return int(value)
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a boolean")
    if isinstance(value, str):
        number = ascii_int(value)
        if number is None:
            raise ValueError(
                "expected an integer written with the ASCII digits 0-9, within a "
                f"signed 64-bit integer, got {shown(value)}"
            )
        return number
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(
                f"expected an integer within a signed 64-bit integer, got {value!r}"
            )
        return int(value)
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("expected a number, got a boolean")
    if isinstance(value, int | float | str):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


_TRUE = frozenset({"true", "1", "yes", "y", "t", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "off", ""})


def _structure_bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise TypeError(f"expected a boolean, got {value!r:.40}")


def _structure_time(value: Any, _: Any) -> time:
    if isinstance(value, str):
        return time.fromisoformat(value.strip())
    raise TypeError(f"expected a time string, got {type(value).__name__}")


def _structure_mapping(value: Any, _: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"expected an object, got {type(value).__name__}")


def make_converter(
    *, detailed: bool = False, default_tz: tzinfo = UTC
) -> cattrs.Converter:
    """A converter with crmclients' strict scalar hooks and timestamp parsing.

    Args:
        detailed: Use cattrs' detailed validation (slower; names the bad path).
        default_tz: The zone naive vendor timestamps are read in.
    """
    converter = cattrs.Converter(detailed_validation=detailed, forbid_extra_keys=False)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(datetime, _datetime_hook(default_tz))
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook_func(
        lambda t: t == tuple[str, ...], _structure_strings
    )
    converter.register_structure_hook(time, _structure_time)
    converter.register_structure_hook_func(
        lambda t: t == Mapping[str, Any], _structure_mapping
    )
    converter.register_structure_hook_func(
        lambda t: t == dict[str, Any], lambda v, t: dict(_structure_mapping(v, t))
    )
    converter.register_unstructure_hook(datetime, lambda v: v.isoformat())
    converter.register_unstructure_hook(date, lambda v: v.isoformat())
    converter.register_unstructure_hook(Decimal, str)
    converter.register_unstructure_hook(enum.Enum, lambda v: v.value)
    return converter


def register_model(
    converter: cattrs.Converter,
    cls: type[Any],
    renames: Mapping[str, str] | None = None,
    *,
    keep_raw: bool = True,
    **overrides: Any,
) -> None:
    """Register a native model: wire renames, and ``raw`` set to the payload.

    On a fast converter the structure function is generated for the class (the hot
    path of every pull); a detailed converter uses cattrs' own, which names the
    failing field. Both accept the same payloads.

    Args:
        converter: The vendor converter.
        cls: An attrs class; if it has a ``raw`` attribute it receives the payload
            (or :data:`EMPTY_RAW` when ``keep_raw`` is False).
        renames: Attribute name -> wire key, for the keys that differ.
        keep_raw: Keep the payload in ``raw``.
        **overrides: Further cattrs overrides by attribute name (these classes
            always use cattrs' generated function).
    """
    renames = dict(renames or {})
    _WIRE_NAMES[cls] = renames
    if not overrides and not converter.detailed_validation:
        converter.register_structure_hook(
            cls, _fast_structure_fn(cls, converter, renames, keep_raw)
        )
        return
    fields = attrs.fields_dict(cls)
    attr_overrides: dict[str, Any] = {
        name: override(rename=wire) for name, wire in renames.items()
    }
    attr_overrides.update(overrides)
    has_raw = "raw" in fields
    if has_raw:
        attr_overrides["raw"] = override(omit=True)
    inner = make_dict_structure_fn(cls, converter, **attr_overrides)
    if not has_raw:
        converter.register_structure_hook(cls, inner)
        return

    def structure(payload: Any, kind: Any) -> Any:
        if not isinstance(payload, Mapping):
            raise TypeError(f"expected an object, got {type(payload).__name__}")
        obj = inner(payload, kind)
        object.__setattr__(obj, "raw", payload if keep_raw else EMPTY_RAW)
        return obj

    converter.register_structure_hook(cls, structure)


_SCALARS: dict[Any, str] = {str: "str", int: "int", bool: "bool", float: "float"}
_MISSING = object()


def _optional_base(hint: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed) for ``X | None`` hints."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        if len(members) == 1:
            return members[0], optional
        return hint, False  # a real union: let the converter decide
    return hint, False


def factory_of(default: Any) -> Callable[[], Any] | None:
    """The factory of an attrs ``Factory`` default, else None."""
    factory = getattr(default, "factory", None)
    if callable(factory) and hasattr(default, "takes_self"):
        result: Callable[[], Any] = factory
        return result
    return None


class Codegen:
    """Builds one Python function from lines, for the hot path. Strictly private.

    Used for native model structure functions and for projections onto the shared
    model: a payload field is read, checked and converted inline, once per record,
    with every lookup (hooks, defaults, classes) resolved once per class.
    """

    def __init__(self, name: str, label: str) -> None:
        self.name = name
        self.label = label
        self.namespace: dict[str, Any] = {
            "Mapping": Mapping,
            "MISSING": _MISSING,
            "EMPTY_RAW": EMPTY_RAW,
            "dict": dict,
            "new": object.__new__,
            "put": object.__setattr__,
        }
        self.namespace["MISSES"] = 0
        self.namespace["MISSED"] = {}
        self.header = [
            f"def {name}(o, _=None):",
            "    global MISSES",
            "    if o.__class__ is not dict and not isinstance(o, Mapping):",
            "        raise TypeError('expected an object, got ' + type(o).__name__)",
        ]
        # Payload reads come in two versions: subscripts, for payloads that carry
        # every key (most do, nulls included), and .get() with defaults. A
        # function whose payloads keep missing keys stops trying the first
        # (compile()), or, compiled with ``absent=``, reads only the keys that
        # its payloads lack with .get() (compile_adaptive()).
        self.keys: list[str] = []
        self.fast_reads: list[str] = []
        self.safe_reads: list[str] = []
        self.lines: list[str] = []
        self._count = 0

    def constant(self, value: Any) -> str:
        """A name in the function's namespace bound to ``value``."""
        self._count += 1
        name = f"c{self._count}"
        self.namespace[name] = value
        return name

    def read(
        self,
        converter: cattrs.Converter,
        field: attrs.Attribute[Any],
        hint: Any,
        key: str,
    ) -> str:
        """Lines reading payload ``key`` as attrs ``field``; returns the variable."""
        self._count += 1
        var = f"v{self._count}"
        base, optional = _optional_base(hint)
        hook = self.constant(converter.get_structure_hook(base))
        kind = self.constant(base)
        self.keys.append(key)
        self.fast_reads.append(f"{var} = o[{key!r}]")
        defaulted = ""  # the test under which the default is used as it is
        if field.default is attrs.NOTHING:
            self.safe_reads.append(f"{var} = o[{key!r}]")
        else:
            default = field.default
            factory = factory_of(default)
            fallback = (
                f"{self.constant(factory)}()" if factory else self.constant(default)
            )
            if optional and default is None:
                self.safe_reads.append(
                    f"{var} = get({key!r})"
                )  # missing and null alike
            else:
                self.safe_reads.append(f"{var} = get({key!r}, MISSING)")
                defaulted = (
                    f"{var} is MISSING"
                    if optional
                    else f"{var} is MISSING or {var} is None"
                )
                self.lines.append(f"    if {defaulted}: {var} = {fallback}")
        convert = f"{var} = {hook}({var}, {kind})"
        inline = self._inline(converter.get_structure_hook(base), var, convert)
        lines: list[str] = []
        if inline:
            indent = "    "
            if optional:
                lines.append(f"    if {var} is not None:")
                indent = "        "
            lines.extend(indent + line for line in inline)
        elif base in _SCALARS:
            check = f"{var}.__class__ is not {kind}"
            if optional:
                check = f"{var} is not None and {check}"
            lines.append(f"    if {check}: {convert}")
        elif optional:
            lines.append(f"    if {var} is not None: {convert}")
        else:
            lines.append(f"    {convert}")
        if defaulted:
            # The default is already of the field's type: only a value that came
            # from the payload is converted.
            self.lines.append("    else:")
            self.lines.extend("    " + line for line in lines)
        else:
            self.lines.extend(lines)
        return var

    def _inline(self, hook: Any, var: str, convert: str) -> list[str]:
        """The common case of a crmclients hook written inline, else ``[]``.

        Only the shapes vendors actually send are inlined (a float for a Decimal,
        an ISO string for a date or timestamp); anything else still goes through
        the hook (``convert``), so the rules and errors are the hook's.
        """
        if hook is _structure_decimal:
            decimal_ = self.constant(Decimal)
            return [
                f"if {var}.__class__ is float and {var} - {var} == 0.0:",
                f"    {var} = {decimal_}(repr({var}))",
                f"elif {var}.__class__ is int: {var} = {decimal_}({var})",
                f"else: {convert}",
            ]
        if hook is _structure_date:
            parse = self.constant(date.fromisoformat)
            return [
                f"if {var}.__class__ is str and len({var}) == 10: {var} = {parse}({var})",
                f"else: {convert}",
            ]
        if getattr(hook, _DATETIME_HOOK, False):
            utc = self.constant(UTC)
            shifts = self.constant(SHIFTS)
            parse = self.constant(datetime.fromisoformat)
            return [
                # '+00:00' is UTC already, and iVvy's 'Y-m-d H:i:s UTC' the same
                # instant; a result that is not aware UTC (a date alone) is the
                # hook's to read.
                f"if {var}.__class__ is str and ({var}[-6:] == '+00:00' or {var}[-4:] == ' UTC'):",
                "    try:",
                f"        t = {parse}({var} if {var}[-1:] == '0' else {var}[:-4] + '+00:00')",
                "    except ValueError:",
                "        t = None",
                f"    if t is not None and t.tzinfo is {utc}: {var} = t",
                f"    else: {convert}",
                f"elif {var}.__class__ is str:",
                f"    shift = {shifts}.get({var}[-6:])",
                "    if shift is None:",
                f"        if {var}[-1:] != 'Z': {convert}",
                "        else:",
                "            try:",
                f"                {var} = {parse}({var})",
                "            except ValueError:",
                f"                {convert}",
                "    else:",
                "        try:",
                f"            {var} = {parse}({var}[:shift[0]] + '+00:00') - shift[1]",
                "        except ValueError:",
                f"            {convert}",
                f"else: {convert}",
            ]
        return []

    def build(self, cls: type[Any], values: Sequence[tuple[str, str]]) -> None:
        """Lines constructing ``cls`` from (attribute, expression) pairs and returning it."""
        target = self.constant(cls)
        plain = not hasattr(cls, "__attrs_post_init__") and all(
            f.converter is None and f.validator is None for f in attrs.fields(cls)
        )
        if plain and "__slots__" in vars(cls):
            # Frozen slotted classes set each slot through object.__setattr__
            # anyway; setting the slots directly here skips the keyword-argument
            # call and the attribute lookup.
            self.lines.append(f"    obj = new({target})")
            for name, expr in values:
                slot = inspect.getattr_static(cls, name, None)
                if isinstance(slot, types.MemberDescriptorType):
                    setter = self.constant(slot.__set__)
                    self.lines.append(f"    {setter}(obj, {expr})")
                else:  # pragma: no cover - attrs slotted classes use slots
                    self.lines.append(f"    put(obj, {name!r}, {expr})")
            self.lines.append("    return obj")
        else:
            arguments = ", ".join(f"{name}={expr}" for name, expr in values)
            self.lines.append(f"    return {target}({arguments})")

    def compile(self) -> Callable[..., Any]:
        """The function."""
        lines = list(self.header)
        if self.fast_reads:
            safe = ["get = o.get", *self.safe_reads]
            lines += [
                f"    if MISSES < {_FAST_READ_MISSES}:",
                "        try:",
                *("            " + line for line in self.fast_reads),
                "        except KeyError:",
                "            MISSES += 1",
                *("            " + line for line in safe),
                "    else:",
                *("        " + line for line in safe),
            ]
        return self._exec(lines + self.lines)

    def compile_adaptive(
        self, absent: frozenset[str] = frozenset()
    ) -> Callable[..., Any]:
        """The function, reading the keys in ``absent`` with .get() and the others
        by subscript; a payload that lacks one of the others is read whole with
        .get() and the key counted in ``MISSED`` (see :func:`keys_to_relearn`)."""
        lines = list(self.header)
        if self.fast_reads:
            present = [
                line
                for key, line in zip(self.keys, self.fast_reads, strict=True)
                if key not in absent
            ]
            gets = [
                line
                for key, line in zip(self.keys, self.safe_reads, strict=True)
                if key in absent
            ]
            lines += [
                "    try:",
                *("        " + line for line in present or ["pass"]),
                "    except KeyError as missing:",
                "        MISSED[missing.args[0]] = MISSED.get(missing.args[0], 0) + 1",
                "        get = o.get",
                *("        " + line for line in self.safe_reads),
            ]
            if gets:
                lines += ["    else:", "        get = o.get"]
                lines += ["        " + line for line in gets]
        return self._exec(lines + self.lines)

    def _exec(self, lines: list[str]) -> Callable[..., Any]:
        source = "\n".join(lines)
        code = compile(source, f"<crmclients {self.label}>", "exec")
        namespace = dict(self.namespace, MISSED={})
        exec(code, namespace)  # noqa: S102 - generated from attrs classes, never from input
        function: Callable[..., Any] = namespace[self.name]
        return function


#: Payloads lacking a key after which an adaptive function is compiled again with
#: that key read by .get().
_ABSENT_AFTER = 4


def keys_to_relearn(
    function: Callable[..., Any], absent: frozenset[str]
) -> frozenset[str]:
    """The keys an adaptive ``function`` (compiled with ``absent``) should read with
    .get() from now on: ``absent`` plus those its payloads lacked often enough;
    ``absent`` itself when nothing changed."""
    missed: dict[str, int] = function.__globals__["MISSED"]
    often = {key for key, count in missed.items() if count >= _ABSENT_AFTER}
    return absent | often if often - absent else absent


def _fast_structure_fn(
    cls: type[Any],
    converter: cattrs.Converter,
    renames: Mapping[str, str],
    keep_raw: bool,
) -> Callable[[Any, Any], Any]:
    """Generate a structure function for ``cls``: one pass, inline scalar checks.

    Strings, ints, floats and booleans already of the right type are taken as they
    are; anything else goes through the converter's (strict) hook for its type. A
    null where the field is not optional but has a default gives the default.
    Strictly private.
    """
    hints = typing.get_type_hints(cls)
    code = Codegen("structure", f"structure {cls.__qualname__}")
    values = []
    for field in attrs.fields(cls):
        if field.name == "raw":
            values.append(("raw", "o" if keep_raw else "EMPTY_RAW"))
            continue
        values.append(
            (
                field.name,
                code.read(
                    converter,
                    field,
                    hints[field.name],
                    renames.get(field.name, field.name),
                ),
            )
        )
    code.build(cls, values)
    return code.compile()


def wire_names(cls: type[Any]) -> Mapping[str, str]:
    """The renames registered for a native model (attribute -> wire key)."""
    return _WIRE_NAMES.get(cls, {})


ConverterFactory = Callable[..., cattrs.Converter]

#: Model class -> {attribute: wire key}, so error paths use the vendor's names.
_WIRE_NAMES: dict[type[Any], dict[str, str]] = {}


def _locate(exc: BaseException, path: str) -> tuple[str, str]:
    """Follow cattrs' detailed errors to the first failing leaf: (path, message).

    Paths use wire keys (``lastupdated``), not attribute names (``last_updated``).
    """
    if isinstance(exc, cattrs.ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            wire = _WIRE_NAMES.get(exc.cl, {}).get(note.name, note.name)
            return _locate(sub, f"{path}.{wire}")
        if without:
            return _locate(without[0], path)
    if isinstance(exc, cattrs.IterableValidationError):
        indexed, rest = exc.group_exceptions()
        for sub, index_note in indexed:
            return _locate(sub, f"{path}[{index_note.index}]")
        if rest:
            return _locate(rest[0], path)
    if isinstance(exc, KeyError):
        return path, "required field missing"
    return path, f"{type(exc).__name__}: {exc}"


class Structurer:
    """Turns vendor payloads into native models, or raises ResponseShapeError.

    Args:
        vendor: The vendor name, for messages.
        factory: ``factory(detailed=bool, keep_raw=bool) -> Converter``.
    """

    def __init__(self, vendor: str, factory: ConverterFactory) -> None:
        self.vendor = vendor
        self._factory = factory
        self._converters: dict[tuple[bool, bool], cattrs.Converter] = {}
        self._hooks: dict[tuple[type[Any], bool], Callable[[Any, Any], Any]] = {}
        #: Compiled projections of this structurer's converters (see project_many).
        self._projections: dict[Any, Any] = {}

    def converter(
        self, *, detailed: bool = False, keep_raw: bool = True
    ) -> cattrs.Converter:
        """The (cached) converter for these options."""
        key = (detailed, keep_raw)
        conv = self._converters.get(key)
        if conv is None:
            conv = self._converters[key] = self._factory(
                detailed=detailed, keep_raw=keep_raw
            )
        return conv

    def _hook(self, cls: type[T], keep_raw: bool) -> Callable[[Any, Any], T]:
        key = (cls, keep_raw)
        hook = self._hooks.get(key)
        if hook is None:
            hook = self._hooks[key] = self.converter(
                keep_raw=keep_raw
            ).get_structure_hook(cls)
        return hook

    def structure(
        self,
        payload: Any,
        cls: type[T],
        *,
        path: str = "$",
        operation: str | None = None,
        keep_raw: bool = True,
    ) -> T:
        """Structure one payload.

        Raises:
            ResponseShapeError: The payload does not fit ``cls``; names the path.
        """
        try:
            return self._hook(cls, keep_raw)(payload, cls)
        except SHAPE_ERRORS:
            pass
        # Raised outside the handler: the converter's own exception (it quotes the
        # answer's values) is not left on __context__.
        raise self.shape_error(payload, cls, path=path, operation=operation)

    def structure_many(
        self,
        payloads: Any,
        cls: type[T],
        *,
        path: str = "$",
        operation: str | None = None,
        keep_raw: bool = True,
    ) -> list[T]:
        """Structure a list of payloads (the hot path of every pull).

        Raises:
            ResponseShapeError: Not a list, or an item does not fit; names the path.
        """
        if not isinstance(payloads, list):
            raise errors.ResponseShapeError(
                f"expected a list, got {type(payloads).__name__}",
                path=path,
                snippet=self.snippet(payloads),
                vendor=self.vendor,
                operation=operation,
            )
        hook = self._hook(cls, keep_raw)
        try:
            return [hook(item, cls) for item in payloads]
        except SHAPE_ERRORS:
            pass
        index, item = self._first_failure(payloads, lambda item: hook(item, cls))
        raise self.shape_error(item, cls, path=f"{path}[{index}]", operation=operation)

    def project_many(
        self,
        payloads: Any,
        native_cls: type[Any],
        projection: Any,
        *,
        path: str = "$",
        operation: str | None = None,
        keep_raw: bool = True,
    ) -> list[Any]:
        """Map payloads straight to shared records through a projection (pulls).

        Fields are read exactly as ``native_cls`` reads them; a payload that does not
        fit raises the same path-naming ResponseShapeError as the native path.
        """
        if not isinstance(payloads, list):
            raise errors.ResponseShapeError(
                f"expected a list, got {type(payloads).__name__}",
                path=path,
                snippet=self.snippet(payloads),
                vendor=self.vendor,
                operation=operation,
            )
        function = projection.compiled(
            native_cls,
            self.converter(keep_raw=keep_raw),
            keep_raw=keep_raw,
            cache=self._projections,
        )
        try:
            return [function(payload) for payload in payloads]
        except SHAPE_ERRORS:
            pass
        index, payload = self._first_failure(payloads, function)
        raise self.shape_error(
            payload, native_cls, path=f"{path}[{index}]", operation=operation
        )

    @staticmethod
    def _first_failure(
        payloads: list[Any], convert: Callable[[Any], Any]
    ) -> tuple[int, Any]:
        """The index and payload of the first item ``convert`` cannot take."""
        for index, payload in enumerate(payloads):
            try:
                convert(payload)
            except SHAPE_ERRORS:
                return index, payload
        raise AssertionError("a conversion failed in bulk only")  # pragma: no cover

    def shape_error(
        self, payload: Any, cls: type[Any], *, path: str, operation: str | None
    ) -> errors.ResponseShapeError:
        """Build the error for a payload that does not fit, naming the bad field."""
        where, detail = path, f"does not match {cls.__name__}"
        try:
            self.converter(detailed=True).structure(payload, cls)
        except cattrs.BaseValidationError as exc:
            where, detail = _locate(exc, path)
        except SHAPE_ERRORS as exc:
            detail = f"{detail}: {type(exc).__name__}: {exc}"
        return errors.ResponseShapeError(
            f"unexpected answer from {self.vendor} at {where}: {detail}",
            path=where,
            snippet=self.snippet(_value_at(payload, where, path)),
            vendor=self.vendor,
            operation=operation,
        )

    @staticmethod
    def snippet(value: Any) -> str:
        """A short, redacted excerpt of a value for error messages."""
        return redact_text(repr(value)[:200])


def _value_at(payload: Any, where: str, base: str) -> Any:
    """Follow a ``$.a[1].b`` path (relative to ``base``) into ``payload``."""
    rest = where[len(base) :] if where.startswith(base) else ""
    value = payload
    for token in rest.replace("[", ".[").split("."):
        if not token:
            continue
        try:
            if token.startswith("["):
                value = value[int(token.strip("[]"))]
            else:
                value = value[token]
        except (KeyError, IndexError, TypeError, ValueError):
            return value
    return value


def require_mapping(
    value: Any, *, vendor: str, path: str, operation: str | None
) -> Mapping[str, Any]:
    """Return ``value`` if it is a JSON object, else raise ResponseShapeError."""
    if isinstance(value, Mapping):
        return value
    raise errors.ResponseShapeError(
        f"expected an object at {path}, got {type(value).__name__}",
        path=path,
        snippet=Structurer.snippet(value),
        vendor=vendor,
        operation=operation,
    )
