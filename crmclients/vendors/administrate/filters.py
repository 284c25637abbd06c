"""A typed builder for Administrate's legacy v2 list filters.

The v2 filter syntax (``docs/legacy/Behaviour/apiv2.md``) is one query parameter
per condition, ``attribute__operator=value``, with exactly these operators:

========  =====================  =================================
operator  meaning                 query parameter
========  =====================  =================================
lt        less than               ``attribute__lt=value``
lte       less than or equal      ``attribute__lte=value``
gt        greater than            ``attribute__gt=value``
gte       greater than or equal   ``attribute__gte=value``
eq        equals                  ``attribute__eq=value``
in        belongs to              ``attribute__in=v1,v2``
notin     does not belong to      ``attribute__notin=v1,v2``
========  =====================  =================================

plus ``_order=field1,-field2`` (a leading ``-`` sorts descending) and
``_limit=N``. The v2.5 operators (``__ne``, ``__le``, ``__ge``, ``__lk``...) and
``_page`` belong to another API version and are refused.

Date-times are ISO 8601. Most fields are not time-zone aware and must be sent
*without* an offset (``2017-12-20T18:00:00``); time-zone-aware fields *require*
one (``2017-12-20T18:00:00+01:00``). The task's date-time fields
(``created_on``, ``start_datetime``, ``end_datetime``) come back without an offset
in every documented answer, so they are treated as not time-zone aware; declare
others with ``zone_aware=``. A datetime of the wrong kind is refused with a
:class:`~crmclients.errors.ValidationError` before anything is sent.

>>> from datetime import datetime
>>> f = (
...     TaskFilter()
...     .where("created_on", "gte", datetime(2024, 1, 1))
...     .where("status", "in", ["Not Started", "Completed"])
...     .order_by("-created_on", "id")
...     .limit(50)
... )
>>> f.params()
[('created_on__gte', '2024-01-01T00:00:00'), ('status__in', 'Not Started,Completed'), ('_order', '-created_on,id'), ('_limit', '50')]
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NoReturn

import attrs

from crmclients._rules import Rules

__all__ = [
    "TASK_FIELDS",
    "Condition",
    "FieldKind",
    "Operator",
    "TaskFilter",
]

VENDOR = "administrate"
OPERATION = "tasks.list"


class Operator(enum.StrEnum):
    """The v2 filter operators (and nothing else)."""

    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    EQ = "eq"
    IN = "in"
    NOTIN = "notin"


class FieldKind(enum.StrEnum):
    """How a filterable attribute's values are written."""

    INTEGER = "integer"
    TEXT = "text"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


#: The task attributes a v2 filter or ``_order`` may name, and their kinds.
TASK_FIELDS: Mapping[str, FieldKind] = MappingProxyType(
    {
        "id": FieldKind.INTEGER,
        "status": FieldKind.TEXT,
        "subject": FieldKind.TEXT,
        "description": FieldKind.TEXT,
        "user_id": FieldKind.INTEGER,
        "type_id": FieldKind.INTEGER,
        "account_id": FieldKind.INTEGER,
        "contact_id": FieldKind.INTEGER,
        "event_id": FieldKind.INTEGER,
        "opportunity_id": FieldKind.INTEGER,
        "start_datetime": FieldKind.DATETIME,
        "end_datetime": FieldKind.DATETIME,
        "created_on": FieldKind.DATETIME,
        "show_on_calendar": FieldKind.BOOLEAN,
    }
)
_LIST_OPERATORS = frozenset({Operator.IN, Operator.NOTIN})


def _rules() -> Rules:
    return Rules(VENDOR, OPERATION)


@attrs.frozen
class Condition:
    """One ``attribute__operator=value`` condition, its value already in wire form.

    Built by :meth:`TaskFilter.where`, which checks the value.

    Attributes:
        field: The task attribute.
        operator: The v2 operator.
        value: The value as sent (``in``/``notin`` values comma-joined).
    """

    field: str
    operator: Operator
    value: str

    @property
    def param(self) -> str:
        """The query parameter name (``created_on__gte``)."""
        return f"{self.field}__{self.operator.value}"


def _known_field(rules: Rules, name: str, what: str) -> FieldKind:
    kind = TASK_FIELDS.get(name)
    if kind is None:
        rules.fail(
            name,
            f"is not a task attribute {what}; known: {', '.join(sorted(TASK_FIELDS))}",
        )
    return kind


def _zone_aware(value: Iterable[str]) -> frozenset[str]:
    names = frozenset([value] if isinstance(value, str) else value)
    rules = _rules()
    for name in sorted(names):
        if _known_field(rules, name, "v2 can filter on") is not FieldKind.DATETIME:
            rules.fail(name, "is not a date-time attribute, so it has no time zone")
    return names


@attrs.frozen
class TaskFilter:
    """An immutable v2 filter for ``GET /api/v2/crm/tasks``: conditions, order, limit.

    Every method returns a new filter; bad input raises
    :class:`~crmclients.errors.ValidationError` naming the query parameter and
    the rule, before anything is sent.

    Attributes:
        conditions: The conditions (build them with :meth:`where`).
        ordering: ``_order`` fields (build with :meth:`order_by`).
        max_results: ``_limit`` (build with :meth:`limit`).
        zone_aware: Date-time attributes this instance treats as time-zone aware
            (values need an offset). None of the task's are by default.

    Raises:
        ValidationError: ``zone_aware`` names an unknown or non-date-time field.
    """

    conditions: tuple[Condition, ...] = ()
    ordering: tuple[str, ...] = ()
    max_results: int | None = None
    zone_aware: frozenset[str] = attrs.field(default=frozenset(), converter=_zone_aware)

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], *, zone_aware: Iterable[str] = ()
    ) -> TaskFilter:
        """A filter from ``{"created_on__gte": ..., "_order": "-id", "_limit": 10}``.

        Values are checked exactly as :meth:`where` checks them.

        Args:
            params: Parameter name -> value; ``_order`` may be a string
                (``"-created_on,id"``) or a sequence of field names.
            zone_aware: As for the constructor.

        Raises:
            ValidationError: A malformed name, an unknown field or operator, or a
                bad value.
        """
        result = cls(zone_aware=frozenset(zone_aware))
        rules = _rules()
        for name, value in params.items():
            if name == "_order":
                fields = value.split(",") if isinstance(value, str) else value
                if not isinstance(fields, Iterable):
                    rules.fail("_order", "must be a string or a list of field names")
                result = result.order_by(*fields)
            elif name == "_limit":
                result = result.limit(value)
            elif "__" not in name.strip("_"):
                rules.fail(
                    name,
                    "must be written attribute__operator (e.g. created_on__gte); "
                    "the operators are lt, lte, gt, gte, eq, in, notin",
                )
            else:
                field, _, operator = name.rpartition("__")
                result = result.where(field, operator, value)
        return result

    def where(self, field: str, operator: Operator | str, value: Any) -> TaskFilter:
        """Add the condition ``field__operator=value``.

        Args:
            field: A task attribute (see :data:`TASK_FIELDS`).
            operator: ``lt``, ``lte``, ``gt``, ``gte``, ``eq``, ``in`` or ``notin``
                (an :class:`Operator`, or its name with or without ``__``).
            value: An int for ids, a str for text, a bool for flags, a datetime
                (or date, or ISO string) for date-times; a non-empty list of those
                for ``in``/``notin``.

        Returns:
            A new filter with the condition added.

        Raises:
            ValidationError: Unknown field or operator, the same condition twice,
                a value of the wrong type, a text value with ``,`` in a list, or a
                datetime of the wrong kind (naive vs offset).
        """
        rules = _rules()
        kind = _known_field(rules, field, "v2 can filter on")
        op = _operator(rules, field, operator)
        param = f"{field}__{op.value}"
        if any(c.field == field and c.operator is op for c in self.conditions):
            rules.fail(param, "is given twice; give each condition once")
        text = self._format(rules, param, field, kind, op, value)
        return attrs.evolve(
            self, conditions=(*self.conditions, Condition(field, op, text))
        )

    def order_by(self, *fields: str) -> TaskFilter:
        """Set ``_order``: fields in priority order, ``-field`` for descending.

        Raises:
            ValidationError: No field, an unknown field, or a field twice.
        """
        rules = _rules()
        if not fields:
            rules.fail("_order", "needs at least one field")
        seen: set[str] = set()
        cleaned: list[str] = []
        for entry in fields:
            given: object = entry
            if not isinstance(given, str) or not given.strip():
                rules.fail("_order", f"fields must be non-empty strings, got {given!r}")
            text = given.strip()
            name = text[1:] if text.startswith("-") else text
            _known_field(rules, name, "v2 can order by")
            if name in seen:
                rules.fail("_order", f"names {name!r} twice")
            seen.add(name)
            cleaned.append(text)
        return attrs.evolve(self, ordering=tuple(cleaned))

    def limit(self, n: int) -> TaskFilter:
        """Set ``_limit``: at most ``n`` records (n >= 1).

        Raises:
            ValidationError: Not a positive integer.
        """
        return attrs.evolve(self, max_results=_rules().integer("_limit", n, minimum=1))

    def condition(self, field: str, operator: Operator | str) -> Condition | None:
        """The condition on ``field`` with ``operator``, if there is one."""
        op = _operator(_rules(), field, operator)
        for c in self.conditions:
            if c.field == field and c.operator is op:
                return c
        return None

    def without(self, field: str, operator: Operator | str) -> TaskFilter:
        """A copy without the condition on ``field`` with ``operator``."""
        op = _operator(_rules(), field, operator)
        kept = tuple(
            c for c in self.conditions if not (c.field == field and c.operator is op)
        )
        return attrs.evolve(self, conditions=kept)

    def params(self) -> list[tuple[str, str]]:
        """The query parameters, in order: conditions, then ``_order``, ``_limit``."""
        out = [(c.param, c.value) for c in self.conditions]
        if self.ordering:
            out.append(("_order", ",".join(self.ordering)))
        if self.max_results is not None:
            out.append(("_limit", str(self.max_results)))
        return out

    # -- values ------------------------------------------------------------------------

    def _format(
        self,
        rules: Rules,
        param: str,
        field: str,
        kind: FieldKind,
        op: Operator,
        value: Any,
    ) -> str:
        if op not in _LIST_OPERATORS:
            return self._one(rules, param, field, kind, value, op)
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            rules.fail(param, "needs a list of values (sent as v1,v2,...)")
        texts = [self._one(rules, param, field, kind, item, op) for item in value]
        if not texts:
            rules.fail(param, "needs at least one value")
        if any("," in text for text in texts):
            rules.fail(param, "values must not contain ',' (it separates the values)")
        return ",".join(texts)

    def _one(
        self,
        rules: Rules,
        param: str,
        field: str,
        kind: FieldKind,
        value: Any,
        op: Operator,
    ) -> str:
        if value is None:
            rules.fail(param, "cannot be None: the v2 filters do not match null")
        if kind is FieldKind.INTEGER:
            # Every integer attribute is an id: matched, it must be one; a bound
            # (id__gt=0 starts a pull) need only be an integer.
            if op in (Operator.EQ, *_LIST_OPERATORS):
                return str(rules.id(param, value))
            return str(rules.integer(param, value))
        if kind is FieldKind.BOOLEAN:
            return "true" if rules.boolean(param, value) else "false"
        if kind is FieldKind.TEXT:
            if not isinstance(value, str):
                rules.fail(param, f"must be a string, got {type(value).__name__}")
            return value
        return self._moment(rules, param, field, value)

    def _moment(self, rules: Rules, param: str, field: str, value: Any) -> str:
        aware = field in self.zone_aware
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                _bad_moment(rules, param, aware, f"got {value!r:.40}")
        if isinstance(value, datetime):
            if aware and value.tzinfo is None:
                rules.fail(
                    param,
                    f"{field} is time-zone aware: give a datetime with an offset, "
                    "such as 2017-12-20T18:00:00+01:00",
                )
            if not aware and value.tzinfo is not None:
                rules.fail(
                    param,
                    f"{field} is not time-zone aware: give a naive datetime (the "
                    "account's local time, no offset), such as 2017-12-20T18:00:00; "
                    "convert with value.astimezone(zone).replace(tzinfo=None)",
                )
            return value.isoformat()
        if isinstance(value, date):
            if aware:
                rules.fail(
                    param,
                    f"{field} is time-zone aware: give a datetime with an offset, "
                    "not a date",
                )
            return datetime(value.year, value.month, value.day).isoformat()
        _bad_moment(rules, param, aware, f"got {type(value).__name__}")


def _bad_moment(rules: Rules, param: str, aware: bool, got: str) -> NoReturn:
    example = "2017-12-20T18:00:00+01:00" if aware else "2017-12-20T18:00:00"
    rules.fail(param, f"must be an ISO 8601 date-time such as {example}, {got}")


def _operator(rules: Rules, field: str, operator: Operator | str) -> Operator:
    given: object = operator
    if isinstance(given, Operator):
        return given
    text = given.strip().lstrip("_").lower() if isinstance(given, str) else ""
    try:
        return Operator(text)
    except ValueError:
        rules.fail(
            f"{field}__{text if text else repr(given)}",
            "has an unknown operator; v2 has lt, lte, gt, gte, eq, in, notin "
            "(v2.5 operators such as ne, le, ge, lk are not accepted)",
        )
