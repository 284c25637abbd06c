"""``python -m crmclients`` and the ``crmclients`` command."""

from __future__ import annotations

import sys


def main() -> int:
    """Run the CLI, or explain how to install it."""
    try:
        from crmclients.cli import main as run
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "a dependency"
        sys.stderr.write(
            f"crmclients: the command line needs {missing}: pip install 'crmclients[cli]'\n"
        )
        return 2
    return run()


if __name__ == "__main__":
    sys.exit(main())
