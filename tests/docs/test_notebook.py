"""examples/explore.ipynb runs from top to bottom, and shows what a notebook user needs.

The notebook is executed with nbclient in a fresh ``python3`` kernel started with
this interpreter (whatever ``python`` a system-wide kernelspec would name), from the
examples folder, as a user would open it. Its records and pagers render as HTML
without ``raw`` payloads or credentials, and the plot is drawn.
"""

from __future__ import annotations

import gc
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from crmclients.sandbox import EMULATORS, emulator

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "explore.ipynb"


def _secrets() -> list[str]:
    """Every credential value the sandboxes accept."""
    values: list[str] = []
    for vendor in EMULATORS:
        credentials = emulator(vendor, records=1).credentials
        values += [v for k, v in credentials.items() if k != "base_url" and len(v) > 6]
    return values


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook after a full run in a kernel on this interpreter."""
    kernels = tmp_path_factory.mktemp("kernels")
    spec = kernels / "python3"
    spec.mkdir()
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "Python 3 (this interpreter)",
                "language": "python",
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        km=manager,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    # jupyter_client leaves two zmq sockets of the finished kernel for the garbage
    # collector; collect them now, where their ResourceWarning means nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        del client, manager
        gc.collect()
    return notebook


def _outputs(notebook: Any, mime: str) -> list[str]:
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                found.append(data[mime])
    return found


def test_the_notebook_is_stored_without_outputs() -> None:
    """The committed notebook has no outputs or execution counts (clean diffs)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]

    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


def test_every_cell_runs_without_an_error(executed: Any) -> None:
    """No cell raised, and every code cell ran."""
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]

    assert errors == []
    assert all(cell.execution_count for cell in code)


def test_records_and_pagers_render_as_html_without_raw_or_secrets(
    executed: Any,
) -> None:
    """The record and the pager cells show HTML tables; no payload, no credential."""
    html = _outputs(executed, "text/html")
    record = next(h for h in html if "<caption>Opportunity</caption>" in h)
    pager = next(h for h in html if "<caption>Pager</caption>" in h)
    shown = "\n".join(html + _outputs(executed, "text/plain"))

    assert ">raw</th>" not in record and ">raw</th>" not in pager
    assert "tactile.opportunities" in pager
    assert [secret for secret in _secrets() if secret in shown] == []


def test_the_dataframes_and_the_weekly_plot_are_shown(executed: Any) -> None:
    """DataFrames render as tables; the plot of activities per week is a PNG."""
    html = "\n".join(_outputs(executed, "text/html"))
    images = _outputs(executed, "image/png")

    assert "organisation_name" in html
    assert all(vendor in html for vendor in EMULATORS)
    assert len(images) == 1 and len(images[0]) > 10_000
