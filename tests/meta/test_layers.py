"""Import layers: lower layers never import higher ones; vendors never import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import crmclients

PACKAGE = Path(crmclients.__file__).parent

# Module (or package prefix) -> layer. A module may import crmclients modules of
# its own layer or below. See ARCHITECTURE.md.
LAYERS: dict[str, int] = {
    "crmclients.errors": 0,
    "crmclients._redact": 0,
    "crmclients._types": 0,
    "crmclients._signals": 0,
    "crmclients.models": 1,
    "crmclients._deadline": 1,
    "crmclients._files": 1,
    "crmclients._transport": 1,
    "crmclients._retry": 1,
    "crmclients._ratelimit": 1,
    "crmclients._rules": 1,
    "crmclients.config": 1,
    "crmclients._converter": 2,
    "crmclients._paging": 2,
    "crmclients._frames": 2,
    "crmclients._projection": 2,
    "crmclients._redirect": 2,
    "crmclients._requestor": 2,
    "crmclients._client": 3,
    "crmclients.vendors": 4,
    "crmclients._registry": 5,
    "crmclients": 5,
    "crmclients.export": 6,
    "crmclients.sync": 6,
    "crmclients.cli": 6,
    "crmclients.testing": 6,
    "crmclients.__main__": 6,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for prefix, layer in LAYERS.items():
        matches = module == prefix or module.startswith(prefix + ".")
        if matches and (best is None or len(prefix) > best[0]):
            best = (len(prefix), layer)
    return None if best is None else best[1]


def imports_of(path: Path) -> list[str]:
    """crmclients modules imported at module level (lazy imports inside functions count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("crmclients"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.append(candidate if _is_module(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found.extend(
                alias.name
                for alias in node.names
                if alias.name.startswith("crmclients")
            )
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


SOURCES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    "path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE.parent))
)
def test_no_upward_or_cross_vendor_import(path: Path) -> None:
    """Each module imports only its own layer or lower; vendors stay apart."""
    me = module_name(path)
    bad = []
    for target in imports_of(path):
        if me.startswith("crmclients.sandbox"):
            if not target.startswith("crmclients.sandbox"):
                bad.append(f"{target} (the sandbox must not use client code)")
            continue
        if target.startswith("crmclients.sandbox"):
            if layer_of(me) != 6:
                bad.append(
                    f"{target} (only export/sync/cli/testing may use the sandbox)"
                )
            continue
        mine, theirs = layer_of(me), layer_of(target)
        assert mine is not None, f"{me} has no layer in LAYERS"
        assert theirs is not None, f"{target} has no layer in LAYERS"
        if theirs > mine:
            bad.append(f"{target} (layer {theirs} > {mine})")
        if (
            me.startswith("crmclients.vendors.")
            and target.startswith("crmclients.vendors.")
            and me.split(".")[2] != target.split(".")[2]
        ):
            bad.append(f"{target} (another vendor)")
        if (
            me.startswith("crmclients.vendors.")
            and not me.endswith(".adapter")
            and me.count(".") >= 3
        ) and target.startswith(("crmclients.models", "crmclients._client")):
            bad.append(f"{target} (only adapter.py maps onto the shared model)")

    assert bad == [], f"{me} imports: {bad}"


def test_import_crmclients_stays_light() -> None:
    """Importing crmclients loads no vendor, server, CLI, pandas or retry machinery."""
    code = (
        "import sys, crmclients; "
        "heavy = ('crmclients.vendors.', 'crmclients.sandbox', 'werkzeug', 'pandas', 'pyarrow', 'tqdm', "
        "'click', 'tenacity', 'responses'); "
        "print(sorted({m for m in sys.modules if m.startswith(heavy)}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert output.strip() == "[]"
