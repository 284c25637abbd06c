"""The reliability suite's figures: collected by the tests, written once at the end."""

from __future__ import annotations

import json
import platform
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import _support


class Figures:
    """Thread-safe tables of measured figures: section -> rows (dicts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sections: dict[str, list[dict[str, Any]]] = {}

    def add(self, section: str, **row: Any) -> None:
        """Record one row of ``section``."""
        with self._lock:
            self.sections.setdefault(section, []).append(row)

    def as_json(self) -> dict[str, Any]:
        """Everything recorded, with the sizes and machine it was measured on."""
        return {
            "size": _support.SIZE,
            "examples": _support.EXAMPLES,
            "python": platform.python_version(),
            "sections": self.sections,
        }


@pytest.fixture(scope="session")
def figures() -> Iterator[Figures]:
    """Where tests record what they measured (written to the report file if set)."""
    recorder = Figures()
    yield recorder
    if _support.REPORT:
        Path(_support.REPORT).write_text(json.dumps(recorder.as_json(), indent=2))
