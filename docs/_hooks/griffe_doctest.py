"""A griffe extension: doctest examples in docstrings render as ``pycon`` code.

Docstrings hold runnable ``>>>`` examples (``pytest --doctest-modules`` runs them).
Markdown would read ``>>>`` as nested quotes and ``['1001']`` as a link, so each
run of doctest lines (from a ``>>>`` line to the next blank line) is wrapped in a
```` ```pycon ```` fence before mkdocstrings renders it. Loaded by mkdocstrings
(``extensions:`` in ``mkdocs.yml``).
"""

from __future__ import annotations

from typing import Any

try:
    from griffe import Extension
except ImportError:  # tests/docs load fence_doctests without the docs extra
    Extension = object  # type: ignore[assignment,misc]


def fence_doctests(text: str) -> str:
    """Wrap every run of doctest lines in a ```` ```pycon ```` fence."""
    out: list[str] = []
    in_fence = False
    in_doctest = False
    indent = ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if in_doctest and not stripped:
            out.append(f"{indent}```")
            in_doctest = False
        if not in_doctest and stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and not in_doctest and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            in_doctest = True
        out.append(line)
    if in_doctest:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(Extension):  # type: ignore[misc]
    """Fence the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        """Rewrite the object's docstring before it is parsed."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
