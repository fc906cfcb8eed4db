"""Re-execute the chapters and store their outputs in the notebooks (what strict nbval compares).

Jupyter Book executes chapters when it builds but never writes the outputs
back; the committed notebooks carry them so that ``pytest --nbval`` has
something to compare. After editing a chapter's prose or code, or anything
its output depends on, run ``make outputs`` (or ``cnslbp outputs``).
Per-cell execution timestamps are dropped, so re-running on unchanged inputs
leaves the files byte for byte the same.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from ...data.source import DATA_ENV, DEFAULT_DATA, PROJECT_ROOT, SHEET_ENV
from ...exceptions import BuildError

__all__ = ["chapter_notebooks", "store_outputs"]


def chapter_notebooks(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every chapter stored as a notebook, in name order."""
    return sorted((root / "book").glob("*.ipynb"))


def store_outputs(notebooks: list[Path], *, timeout: int = 300) -> list[Path]:
    """Execute each notebook on the reconstruction and write it back with its outputs; return those changed.

    Raises
    ------
    BuildError
        Naming the chapter and the error when a cell fails; that chapter is not rewritten.
    """
    changed = []
    previous = os.environ.get(DATA_ENV)
    previous_sheet = os.environ.pop(SHEET_ENV, None)
    os.environ[DATA_ENV] = str(DEFAULT_DATA)  # stored outputs always show the reconstruction
    try:
        for path in notebooks:
            before = path.read_text(encoding="utf-8")
            notebook = nbformat.reads(before, as_version=4)
            client = NotebookClient(
                notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            )
            try:
                client.execute()
            except CellExecutionError as error:
                # one line a reader can act on; the chapter file is left as it was
                raise BuildError(f"{path.name} did not execute: {error.ename}: {error.evalue}") from None
            for cell in notebook.cells:
                cell.metadata.pop("execution", None)
            after = nbformat.writes(notebook).rstrip("\n") + "\n"
            if after != before:
                path.write_text(after, encoding="utf-8")
                changed.append(path)
    finally:
        if previous is None:
            os.environ.pop(DATA_ENV, None)
        else:
            os.environ[DATA_ENV] = previous
        if previous_sheet is not None:
            os.environ[SHEET_ENV] = previous_sheet
    return changed
