"""Declarative native -> shared mappings, usable two ways from one declaration.

An adapter declares how a shared record is made from a native one::

    OPPORTUNITY = Projection(
        Opportunity,
        vendor="tactile",
        fields={
            "id": AsString("id"),
            "name": Copy("name"),
            "organisation": MakeRef(RefKind.COMPANY, "organisation_id", "organisation"),
            "raw": Raw(),
            ...
        },
    )

* ``OPPORTUNITY.from_native(native)`` maps a native model (get, create, update);
* ``Structurer.project_many(payloads, native_cls, OPPORTUNITY)`` maps vendor payloads
  straight to shared records in one generated pass — no intermediate native object —
  for pulls, where every microsecond is paid a hundred thousand times.

Both are driven by the same declaration, so they cannot drift apart (a test checks
them against each other for every vendor that uses one).

Strictly private.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from crmclients._converter import Codegen, factory_of, keys_to_relearn, wire_names
from crmclients._types import EMPTY_RAW
from crmclients.models import Ref, RefKind


@attrs.frozen
class Copy:
    """The native attribute's value, as the native model would hold it."""

    attr: str


@attrs.frozen
class AsString:
    """The native attribute's value as a string (ids), None stays None."""

    attr: str


@attrs.frozen
class MakeRef:
    """A :class:`~crmclients.models.Ref` of ``kind`` from an id and a name attribute.

    No id (None or "") gives None. Equal refs are shared between records.
    """

    kind: RefKind
    id_attr: str
    name_attr: str | None = None


@attrs.frozen(init=False)
class Call:
    """``fn(*values of attrs)``: any other mapping (enums, kinds, composite refs)."""

    fn: Callable[..., Any]
    attrs: tuple[str, ...]

    def __init__(self, fn: Callable[..., Any], *names: str) -> None:
        object.__setattr__(self, "fn", fn)
        object.__setattr__(self, "attrs", tuple(names))


@attrs.frozen
class Raw:
    """The vendor payload (``raw``), or the empty mapping when it is not kept."""


Source = Copy | AsString | MakeRef | Call | Raw


class RefCache:
    """Builds Refs, handing out the same object for the same (kind, id, name).

    Refs are frozen, so sharing is safe; pulls repeat the same owners and
    organisations on every page, which this turns into dictionary hits.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self._tables: dict[RefKind, dict[tuple[Any, Any], Ref]] = {
            kind: {} for kind in RefKind
        }
        self._limit = limit

    def table(self, kind: RefKind) -> dict[tuple[Any, Any], Ref]:
        """The (id, name) -> Ref table of one kind (generated code reads it directly)."""
        return self._tables[kind]

    def __call__(self, kind: RefKind, id: Any, name: Any = None) -> Ref | None:
        if id is None or id == "":
            return None
        if id.__class__ is not int and id.__class__ is not str:
            # 1, 1.0 and True are one dict key: only ints and strings are shared
            # (the ids vendors give), so a Ref always shows the id it was made from.
            return Ref(kind, str(id), name=name)
        table = self._tables[kind]
        ref = table.get((id, name))
        if ref is None:
            if len(table) >= self._limit:
                table.clear()  # bounded memory; the table refills as refs recur
            ref = table[(id, name)] = Ref(kind, str(id), name=name)
        return ref


REFS = RefCache()


class Projection:
    """How one shared model is made from one native model.

    Args:
        target: The shared model class.
        fields: Shared attribute -> source; attributes left out keep their default.
        checked: Native attributes no shared field shows that pulls still read and
            check as the native model does, so a pull refuses the payloads the
            native model refuses (the same ResponseShapeError naming the field);
            ``"all"`` for every field of the native model.
        **constants: Shared attributes with a fixed value (``vendor="tactile"``).
    """

    def __init__(
        self,
        target: type[Any],
        fields: Mapping[str, Source],
        *,
        checked: tuple[str, ...] | str = (),
        **constants: Any,
    ) -> None:
        known = attrs.fields_dict(target)
        unknown = sorted((set(fields) | set(constants)) - set(known))
        if unknown:
            raise TypeError(f"{target.__name__} has no attributes {unknown}")
        self.target = target
        self.fields = dict(fields)
        self.constants = dict(constants)
        self.checked = checked

    def native_attrs(self, native_cls: type[Any] | None = None) -> list[str]:
        """The native attributes this projection reads (with ``native_cls``, the
        ``checked`` ones too)."""
        names: list[str] = []
        for source in self.fields.values():
            if isinstance(source, Copy | AsString):
                names.append(source.attr)
            elif isinstance(source, MakeRef):
                names.extend(n for n in (source.id_attr, source.name_attr) if n)
            elif isinstance(source, Call):
                names.extend(source.attrs)
        if native_cls is not None:
            if self.checked == "all":
                names.extend(
                    f.name for f in attrs.fields(native_cls) if f.name != "raw"
                )
            else:
                names.extend(self.checked)
        return list(dict.fromkeys(names))

    # -- from a native object ------------------------------------------------------

    def from_native(self, native: Any) -> Any:
        """Map a native model instance onto the shared model."""
        values: dict[str, Any] = dict(self.constants)
        for name, source in self.fields.items():
            values[name] = self._evaluate(source, native)
        return self.target(**values)

    @staticmethod
    def _evaluate(source: Source, native: Any) -> Any:
        if isinstance(source, Copy):
            return getattr(native, source.attr)
        if isinstance(source, AsString):
            value = getattr(native, source.attr)
            return None if value is None else str(value)
        if isinstance(source, MakeRef):
            name = getattr(native, source.name_attr) if source.name_attr else None
            return REFS(source.kind, getattr(native, source.id_attr), name)
        if isinstance(source, Call):
            return source.fn(*(getattr(native, a) for a in source.attrs))
        return getattr(native, "raw", EMPTY_RAW)

    # -- straight from payloads ---------------------------------------------------------

    def compiled(
        self,
        native_cls: type[Any],
        converter: cattrs.Converter,
        *,
        keep_raw: bool,
        cache: dict[Any, tuple[Callable[[Any], Any], frozenset[str]]] | None = None,
    ) -> Callable[[Any], Any]:
        """A function payload -> shared record, reading fields as ``native_cls`` does.

        Only the native fields the projection uses (and ``checked``) are read and
        converted. ``cache`` belongs to the caller (the :class:`Structurer` of one
        client): compiled functions hold that client's converter, so they live and
        die with it, never in this module-level declaration.
        """
        if cache is None:
            return self._compile(native_cls, converter, keep_raw, frozenset())
        key = (self, native_cls, keep_raw)
        known = cache.get(key)
        if known is None:
            absent: frozenset[str] = frozenset()
            function = self._compile(native_cls, converter, keep_raw, absent)
        else:
            function, absent = known
            learnt = keys_to_relearn(function, absent)
            if learnt is absent:
                return function
            # The vendor leaves these keys out: read them with .get() and the
            # rest by subscript (compiled once per change, not per page).
            function = self._compile(native_cls, converter, keep_raw, learnt)
            absent = learnt
        cache[key] = (function, absent)
        return function

    @staticmethod
    def _ref_code(code: Codegen, source: MakeRef, variables: Mapping[str, str]) -> str:
        """Inline lookup in the shared Ref table; build the Ref only the first time."""
        ident = variables[source.id_attr]
        label = variables[source.name_attr] if source.name_attr else "None"
        table = code.constant(REFS.table(source.kind))
        build = code.constant(REFS)
        kind = code.constant(source.kind)
        ref = f"r{len(code.lines)}"
        code.lines.append(
            f"    {ref} = {table}.get(({ident}, {label})) if {ident} is not None else None"
        )
        code.lines.append(
            f"    if {ref} is None and {ident} is not None: {ref} = {build}({kind}, {ident}, {label})"
        )
        return ref

    def _compile(
        self,
        native_cls: type[Any],
        converter: cattrs.Converter,
        keep_raw: bool,
        absent: frozenset[str],
    ) -> Callable[[Any], Any]:
        hints = typing.get_type_hints(native_cls)
        fields = attrs.fields_dict(native_cls)
        renames = wire_names(native_cls)
        code = Codegen(
            "project", f"project {native_cls.__qualname__} -> {self.target.__name__}"
        )
        variables = {
            name: code.read(
                converter, fields[name], hints[name], renames.get(name, name)
            )
            for name in self.native_attrs(native_cls)
        }
        values: list[tuple[str, str]] = []
        for name in attrs.fields_dict(self.target):
            if name in self.constants:
                values.append((name, code.constant(self.constants[name])))
                continue
            source = self.fields.get(name)
            if source is None:
                default = attrs.fields_dict(self.target)[name].default
                if default is attrs.NOTHING:
                    raise TypeError(f"{self.target.__name__}.{name} needs a source")
                factory = factory_of(default)
                values.append(
                    (
                        name,
                        f"{code.constant(factory)}()"
                        if factory
                        else code.constant(default),
                    )
                )
            elif isinstance(source, Copy):
                values.append((name, variables[source.attr]))
            elif isinstance(source, AsString):
                var = variables[source.attr]
                values.append(
                    (
                        name,
                        f"(None if {var} is None else {var} if {var}.__class__ is str else str({var}))",
                    )
                )
            elif isinstance(source, MakeRef):
                values.append((name, self._ref_code(code, source, variables)))
            elif isinstance(source, Call):
                arguments = ", ".join(variables[a] for a in source.attrs)
                values.append((name, f"{code.constant(source.fn)}({arguments})"))
            else:
                values.append((name, "o" if keep_raw else "EMPTY_RAW"))
        code.build(self.target, values)
        return code.compile_adaptive(absent)
