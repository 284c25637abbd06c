"""The code in the docs runs: every ```pycon block is a doctest, every ``$ crmclients``
line of a ```console block a command whose output is checked.

The ``pycon`` blocks of one page run in order in one namespace (a page reads like
one interpreter session), against the sandbox; line numbers in failures are the
Markdown file's. Console blocks run ``python -m crmclients`` with the same
arguments; other commands there (``pip``, ``git``...) are installation steps that
``.ci/run`` exercises through the README's commands.
"""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [
        *(p for p in (ROOT / "docs").rglob("*.md") if "_hooks" not in p.parts),
        ROOT / "README.md",
        ROOT / "examples" / "README.md",
    ]
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_FENCE = re.compile(r"^(\s*)```(\w*)")


def fenced(text: str, language: str) -> list[tuple[int, list[str]]]:
    """The blocks fenced as ``language``: (first line number, lines), 1-based."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    indent = ""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if current is None:
            if match and match.group(2) == language:
                current, start, indent = [], number + 1, match.group(1)
        elif match and not match.group(2):
            blocks.append((start, current))
            current = None
        else:
            current.append(line[len(indent) :] if line.startswith(indent) else line)
    return blocks


def doctest_source(text: str) -> str:
    """The page with everything but its pycon blocks blanked (line numbers kept)."""
    lines = [""] * (len(text.splitlines()) + 1)
    for start, block in fenced(text, "pycon"):
        for offset, line in enumerate(block):
            lines[start - 1 + offset] = line
    return "\n".join(lines)


def _cleanup(namespace: dict[str, Any]) -> None:
    """Stop the sandboxes and close the clients a page left open."""
    from crmclients import Client
    from crmclients.sandbox import Sandbox

    for value in namespace.values():
        if isinstance(value, Client):
            value.close()
        elif isinstance(value, Sandbox):
            value.stop()


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_the_python_examples_of_the_page_run(page: Path) -> None:
    """Every >>> example of the page gives the output the page shows."""
    text = page.read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    test = doctest.DocTestParser().get_doctest(
        doctest_source(text), namespace, _id(page), str(page), 0
    )
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    try:
        result = runner.run(test, out=report.append, clear_globs=False)
    finally:
        _cleanup(namespace)

    assert result.failed == 0, "".join(report)


def console_blocks(text: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """Console blocks with ``$ crmclients ...`` commands: (line, [(command, output)]).

    The commands of one block run in order in one folder (a later one may read
    what an earlier one wrote); other commands (``pip``, ``git``) are skipped.
    """
    found: list[tuple[int, list[tuple[str, str]]]] = []
    for start, block in fenced(text, "console"):
        commands: list[tuple[str, list[str]]] = []
        for line in block:
            if line.startswith("$ "):
                commands.append((line[2:].strip(), []))
            elif commands:
                commands[-1][1].append(line)
        runnable = [
            (command, "\n".join(output))
            for command, output in commands
            if command.startswith("crmclients ")
        ]
        if runnable:
            found.append((start, runnable))
    return found


CONSOLE = [
    (page, line, commands)
    for page in PAGES
    for line, commands in console_blocks(page.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(
    ("page", "line", "commands"),
    CONSOLE,
    ids=[f"{_id(c[0])}:{c[1]}" for c in CONSOLE],
)
def test_the_commands_of_the_page_run(
    page: Path, line: int, commands: list[tuple[str, str]], tmp_path: Path
) -> None:
    """Each documented crmclients command exits 0 and prints what the page shows."""
    checker = doctest.OutputChecker()
    for command, output in commands:
        done = subprocess.run(
            [sys.executable, "-m", "crmclients", *shlex.split(command)[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        printed = done.stdout + done.stderr

        assert done.returncode == 0, f"{page.name}:{line}: {command}\n{printed}"
        assert checker.check_output(output.strip() + "\n", printed, FLAGS), (
            f"{page.name}:{line}: {command}\nexpected:\n{output}\ngot:\n{printed}"
        )


def test_the_guides_have_runnable_examples() -> None:
    """The pages a new user follows carry examples that run (not just prose)."""
    counts = {
        name: len(
            doctest.DocTestParser().get_examples(
                doctest_source((ROOT / "docs" / name).read_text(encoding="utf-8"))
            )
        )
        for name in ("quickstart.md", "concepts.md", "testing.md", "pulls.md")
    }

    assert all(count >= 5 for count in counts.values()), counts
    assert console_blocks((ROOT / "docs" / "quickstart.md").read_text("utf-8"))


def test_fenced_blocks_keep_the_markdown_line_numbers() -> None:
    """A failure points at the line of the Markdown file."""
    text = "# Title\n\n```pycon\n>>> 1 + 1\n2\n```\n\ntext\n"

    assert doctest_source(text).splitlines()[3] == ">>> 1 + 1"
    assert fenced(text, "pycon") == [(4, [">>> 1 + 1", "2"])]


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_the_illustrative_python_blocks_are_valid_python(page: Path) -> None:
    """```python blocks (real credentials, not runnable here) at least parse."""
    for start, block in fenced(page.read_text(encoding="utf-8"), "python"):
        source = "\n".join(block)
        if source.lstrip().startswith("--8<--"):
            continue  # an included file: tests/docs/test_testing_guide.py runs it
        try:
            compile(source, f"{page}:{start}", "exec")
        except SyntaxError as exc:
            pytest.fail(f"{_id(page)}:{start + (exc.lineno or 1) - 1}: {exc.msg}")
