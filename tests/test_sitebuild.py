"""When a chapter fails, ``cnslbp build`` names it with a one-line reason and keeps the full log; no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import cnslbp_lib as cl
from cnslbp_lib.publish.build.sitebuild import build_site, failure_summary

from .conftest import COHORT_CSV, ROOT

# what jupyter-book prints when a chapter raises (shortened; colour codes as in a terminal)
FAILED_BUILD = """\
\x1b[01mreading sources... \x1b[39;49;00m[ 15%] \x1b[35mbook/association\x1b[39;49;00m
/project/book/association.ipynb: Executing notebook using local CWD [mystnb]

\x1b[91mException occurred:\x1b[39;49;00m
    raise ExecutionError(str(self.path)) from result.err
myst_nb.core.execute.base.ExecutionError: /project/book/association.ipynb
Traceback (most recent call last):
nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:
\x1b[31mNotEnoughDataError\x1b[39m                        Traceback (most recent call last)
\x1b[31mNotEnoughDataError\x1b[39m: A correlation needs at least 3 participants with both scores; this cohort has 1
RuntimeError: There was an error in building your book. Look above for the cause.
"""


def test_the_summary_names_the_chapter_and_the_error():
    summary = failure_summary(FAILED_BUILD.splitlines(), Path("/project"))
    assert summary == (
        "the chapter book/association.ipynb failed: NotEnoughDataError: A correlation needs at least 3 participants "
        "with both scores; this cohort has 1"
    )


def test_the_books_own_executor_is_understood_too(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "stages.ipynb").write_text("{}", encoding="utf-8")
    lines = [
        "\x1b[91mExtension error:\x1b[39;49;00m",
        "stages.ipynb failed while executing:",
        "An error occurred while executing the following cell:",
        "ValueError: x and y must be one-dimensional",
    ]
    summary = failure_summary(lines, tmp_path)
    assert summary == "the chapter book/stages.ipynb failed: ValueError: x and y must be one-dimensional"


def test_a_warning_treated_as_an_error_is_named_too():
    lines = ["/project/book/design.ipynb:12: WARNING: undefined label: 'nowhere'", "build finished with problems."]
    summary = failure_summary(lines, Path("/project"))
    assert summary == "the chapter book/design.ipynb failed: undefined label: 'nowhere'"


@pytest.fixture
def broken_book(tmp_path):
    """A one-chapter copy of the book whose chapter raises, as a chapter the data defeat would."""
    root = tmp_path / "book-root"
    (root / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", root)
    shutil.copy(ROOT / "book" / "references.bib", root / "book")
    shutil.copytree(ROOT / "book" / "_static", root / "book" / "_static")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/broken\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Broken"),
        nbformat.v4.new_code_cell(
            "import cnslbp_lib as cl\nraise cl.NotEnoughDataError('A test', needed=3, available=1)"
        ),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "book" / "broken.ipynb")
    return root


def test_a_failing_chapter_stops_the_build_with_one_line_and_a_log(broken_book, tmp_path, capfd):
    out = tmp_path / "site"
    with pytest.raises(cl.BuildError) as raised:
        build_site(COHORT_CSV, out, root=broken_book)
    message = str(raised.value)
    first, second = message.splitlines()
    assert first == (
        "the chapter book/broken.ipynb failed: NotEnoughDataError: A test needs at least 3 participants with both "
        "scores; this cohort has 1"
    )
    log = Path(second.rsplit(" ", 1)[-1])
    try:
        assert "nothing was written" in second
        assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    finally:
        log.unlink()
    shown = capfd.readouterr()
    assert "reading sources" in shown.err  # progress is shown ...
    assert "Traceback" not in shown.out + shown.err  # ... but no traceback
    assert not out.exists()
