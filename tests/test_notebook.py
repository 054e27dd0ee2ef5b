"""examples/market.ipynb runs from top to bottom in a fresh kernel (nbclient), and its saved
outputs are what it prints today, so the notebook a researcher opens shows true answers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

#: a Jupyter kernel
pytestmark = [pytest.mark.slow, pytest.mark.external]

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "market.ipynb"


def _text_outputs(cell: dict) -> list[str]:  # type: ignore[type-arg]
    """What a reader sees of a code cell, as text: streams and the plain-text form of results."""
    texts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            texts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            texts.append(output["data"].get("text/plain", ""))
        elif output["output_type"] == "error":
            texts.append(f"{output['ename']}: {output['evalue']}")
    return texts


def test_the_market_notebook_runs_and_its_saved_outputs_are_current() -> None:
    saved = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in saved.cells if cell.cell_type == "code"]
    assert code_cells and all(cell.outputs for cell in code_cells), (
        "run the notebook and save its outputs"
    )
    fresh = copy.deepcopy(saved)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = nbclient.NotebookClient(
        fresh,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    ran = [cell for cell in fresh.cells if cell.cell_type == "code"]
    for number, (before, now) in enumerate(zip(code_cells, ran, strict=True), start=1):
        assert _text_outputs(now) == _text_outputs(before), (
            f"code cell {number}: output changed; re-run and save the notebook"
        )


def test_the_notebook_uses_only_the_public_api() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "import kg" in source
    assert "from kg." not in source and "kg._" not in source
