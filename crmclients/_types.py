"""Small shared values with no dependencies. Strictly private.

* :data:`EMPTY_RAW`: the ``raw`` of a record whose payload was not kept;
* :data:`NOT_SET`: "not given" (leave the field out), as opposed to ``None``
  (send null), for partial updates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final


class _EmptyRaw(Mapping[str, Any]):
    """The immutable, picklable empty ``raw`` shared by records without a payload."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"

    def __reduce__(self) -> str:
        return "EMPTY_RAW"


#: The ``raw`` of a record whose payload was not kept (``include_raw=False``).
EMPTY_RAW: Final[Mapping[str, Any]] = _EmptyRaw()


class _NotSet:
    """The type of :data:`NOT_SET`."""

    __slots__ = ()
    _instance: _NotSet | None = None

    def __new__(cls) -> _NotSet:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_SET"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "NOT_SET"


#: "Not given": the field is left out of the request (``None`` is sent as null).
NOT_SET: Final = _NotSet()
