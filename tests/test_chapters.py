"""The chapters: stored with outputs (so strict nbval is not vacuous), and free of typed results."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from cnslbp_lib.paper.reported import REPORTED

from .conftest import ROOT

CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")


def code_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


def test_every_chapter_in_the_toc_exists_and_every_notebook_is_in_the_toc():
    listed = set(re.findall(r"(?:file|root): (book/\w+)", TOC))
    on_disk = {f"book/{path.stem}" for path in (ROOT / "book").glob("*") if path.suffix in {".ipynb", ".md"}}
    assert listed == on_disk


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_cell_that_displays_something_has_stored_output(chapter):
    for cell in code_cells(chapter):
        source = "".join(cell["source"])
        tree = ast.parse(source)
        displays = (tree.body and isinstance(tree.body[-1], ast.Expr)) or "glue" in source or "notice()" in source
        if displays:
            assert cell["outputs"], f"{chapter.name}: a cell that displays something has no stored output:\n{source}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_stored_outputs_have_no_memory_addresses_or_random_ids(chapter):
    text = chapter.read_text(encoding="utf-8")
    assert not re.search(r" at 0x[0-9a-f]{6,}", text)
    assert "altair-viz-" not in text
    assert not re.search(r'id="T_[0-9a-f]{5}', text)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_cells_carry_no_execution_timestamps(chapter):
    # timestamps would make every re-execution change the committed notebook
    for cell in code_cells(chapter):
        assert "execution" not in cell["metadata"], f"{chapter.name} stores execution timing"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_no_reported_result_is_typed_into_the_prose(chapter):
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    prose = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    for record in REPORTED:
        if record.decimals:  # words and directions are ordinary English
            assert record.printed not in prose, f"{chapter.name} types {record.printed} ({record.key}) by hand"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_setup_cells_show_nothing_but_their_glued_values(chapter):
    for cell in code_cells(chapter):
        if ".glue" in "".join(cell["source"]):
            stray = [output for output in cell["outputs"] if "scrapbook" not in output.get("metadata", {})]
            assert not stray, f"{chapter.name}: a setup cell displays more than glued values"


# a role's key may carry a format (`key:myst`); a glued MyST sentence may quote further keys itself
GLUE_REFERENCE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::\w+)?`|```\{glue(?::\w+)?\}\s+(\S+)")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_each_chapter_glues_exactly_the_keys_its_text_uses(chapter):
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    prose = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    glued_outputs = [
        output
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if "scrapbook" in output.get("metadata", {})
    ]
    glued_markdown = "\n".join(
        "".join(value)
        for output in glued_outputs
        for mime, value in output["data"].items()
        if mime.endswith("/markdown")
    )
    referenced = {role or directive for role, directive in GLUE_REFERENCE.findall(prose + "\n" + glued_markdown)}
    glued = {output["metadata"]["scrapbook"]["name"] for output in glued_outputs}
    assert referenced - glued == set(), f"{chapter.name} quotes keys it never glues"
    assert glued - referenced == set(), f"{chapter.name} glues keys its text never uses"


def test_only_the_glue_module_calls_myst_nb_glue():
    callers = [
        path.relative_to(ROOT)
        for path in (ROOT / "cnslbp_lib").rglob("*.py")
        if "myst_nb import glue" in path.read_text(encoding="utf-8")
    ]
    assert callers == [Path("cnslbp_lib/publish/glue.py")]
    for chapter in CHAPTERS:
        assert "myst_nb" not in chapter.read_text(encoding="utf-8"), f"{chapter.name} calls myst_nb directly"


RESULTS_CHAPTERS = ("design", "stages", "primary_outcomes", "secondary_outcomes", "association")


@pytest.mark.parametrize("name", RESULTS_CHAPTERS)
def test_results_chapters_show_their_analysis_calls_and_fold_no_code_behind_a_toggle(name):
    for cell in code_cells(ROOT / "book" / f"{name}.ipynb"):
        source, tags = "".join(cell["source"]), set(cell["metadata"].get("tags", []))
        if "page." in source or "notice(" in source:  # plumbing: the source is removed, not folded
            assert tags == {"remove-input"}, f"{name}: {source!r} is tagged {tags}"
        else:  # a library call a reader learns from: shown as it is
            assert not tags and "study.run(" in source, f"{name}: {source!r} is tagged {tags}"


def test_every_key_a_chapter_glues_is_written_out_in_its_text_module(cohort, tmp_path):
    """A search for any key a page quotes finds where its value is made: the chapter's module names it whole.

    Reported numbers are glued under their keys in the paper file (``papers/*.yaml``), the other
    numbers, sentences, tables and charts under keys written in ``publish/chapters/<chapter>.py``.
    Run on the reconstruction and on a cohort of the user's own (whose pages glue a few more keys).
    """
    import inspect

    from cnslbp_lib.data.source import provenance
    from cnslbp_lib.publish import chapters
    from cnslbp_lib.publish.chapters import check_another_paper
    from cnslbp_lib.publish.study import Study

    reported = {record.key for record in REPORTED}
    own = cohort.data.copy()
    own.loc[own.index[0], "piq"] = 69 if own["piq"].iloc[0] != 69 else 68  # not the reconstruction any more
    own_file = tmp_path / "own.csv"
    own.to_csv(own_file, index=False)
    import cnslbp_lib as cl

    missing = []
    for data in (cohort, cl.load_cohort(own_file)):
        study = Study(cohort=data.pseudonymised(), provenance=provenance(data))
        assert study.provenance.is_reconstruction == (data is cohort)
        for name, build in chapters.CHAPTERS.items():
            source = inspect.getsource(getattr(chapters, name))
            page = build(study)
            keys = [*page.values, *page.markdown, *page.sentences, *page.shown, *page.checked, *page.printed]
            missing += [f"{name}: {key}" for key in keys if key not in reported and f'"{key}"' not in source]
    source = inspect.getsource(check_another_paper)
    missing += [f"check_another_paper: {key}" for key in check_another_paper.page().values if f'"{key}"' not in source]
    assert missing == []


def test_every_stored_chapter_output_is_one_strict_nbval_compares():
    """The tests build the reconstruction's site from the chapters' stored outputs, trusting strict nbval to
    compare them whole with a fresh run (conftest.py); nbval would not look at a cell stored unrun or marked
    to skip or not compare, nor at a widget's or an error's output."""
    import nbformat

    from cnslbp_lib.publish.build.outputs import chapter_notebooks

    for path in chapter_notebooks():
        notebook = nbformat.read(path, as_version=4)
        for number, cell in enumerate(notebook.cells):
            where = f"{path.name}, cell {number}"
            if cell.cell_type != "code":
                continue
            assert cell.execution_count is not None, f"{where} is stored unrun: run make outputs"
            assert not [tag for tag in cell.metadata.get("tags", []) if tag.startswith("nbval")], where
            assert "NBVAL_" not in cell.source, where
            for output in cell.get("outputs", []):
                assert output.output_type != "error", where
                assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {}), where
