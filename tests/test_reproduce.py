"""Rerunning the book from its site: the source's address, the README's commands, the notebooks, the
lock file, the library reference and the study's citation, on the shared reconstruction build."""

from __future__ import annotations

import html
import inspect
import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
import yaml
from sphinx.errors import ConfigError

from cnslbp_lib.publish.build import reference, reproduce
from cnslbp_lib.stats import rtm, rtm_joint

from .conftest import ROOT

CHAPTERS = reproduce.book_chapters()
REPRODUCE_HTML = "book/reproduce.html"


def text_of(page: str) -> str:
    """A page's article as a reader reads it: tags dropped, entities decoded, spaces collapsed."""
    article = page[page.index("<article") : page.index("</article>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", article)).split())


def configured_repository() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def readme_commands() -> list[str]:
    """The command lines of the README's "two commands" block, read from README.md itself."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = re.search(r"<!-- two-commands .*?-->(.*?)<!-- /two-commands -->", readme, re.S).group(1)
    block = re.search(r"```sh\n(.*?)```", part, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def href_to(page: Path, pattern: str) -> Path:
    found = re.search(rf'href="([^"]*{pattern})"', page.read_text(encoding="utf-8"))
    assert found, f"{page.name} has no link matching {pattern}"
    return (page.parent / unquote(found.group(1))).resolve()


# --- the site ---------------------------------------------------------------------------------------
def test_the_reproduce_page_shows_the_configured_address_and_the_readmes_two_commands(reconstruction_site):
    text = text_of((reconstruction_site / REPRODUCE_HTML).read_text(encoding="utf-8"))
    url = configured_repository()
    assert f"The source repository: {url}. Clone it and enter its folder: git clone {url} cd cnslbp-book" in text
    commands = readme_commands()
    assert [command.split("#")[0].split() for command in commands] == [["make", "book"], ["make", "test"]]
    for command in commands:
        assert " ".join(command.split()) in text


def test_every_page_names_the_source_in_its_footer_and_links_to_the_reproduce_page(reconstruction_site):
    url = configured_repository()
    reproduce_page = (reconstruction_site / REPRODUCE_HTML).resolve()
    pages = [page for page in reconstruction_site.rglob("*.html") if page.name != "index.html"]  # index: a redirect
    assert len(pages) > len(CHAPTERS) + 5  # the chapters, the reproduce and reference pages, search, index
    for page in pages:
        footer = page.read_text(encoding="utf-8").split('<footer class="bd-footer-content">', 1)[1]
        assert f'Source: <a href="{url}">{url}</a>' in footer, page.name
        link = re.search(r'To rerun it: <a href="([^"]*)">Reproduce this book</a>', footer).group(1)
        assert link == "#" if page.resolve() == reproduce_page else (page.parent / link).resolve() == reproduce_page


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: Path(chapter).name)
def test_every_chapter_has_a_downloadable_notebook_that_is_that_chapter(reconstruction_site, chapter):
    name = Path(chapter).name
    page = reconstruction_site / f"{chapter}.html"
    notebook_file = href_to(page, rf"{name}\.ipynb")  # the chapter's download menu
    assert notebook_file == href_to(reconstruction_site / REPRODUCE_HTML, rf"/{name}\.ipynb")
    notebook = nbformat.reads(notebook_file.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(notebook)
    source = ROOT / f"{chapter}.ipynb"
    if source.exists():
        committed = nbformat.reads(source.read_text(encoding="utf-8"), as_version=4)
        # on the reconstruction, the chapter as shown is the committed one with its stored outputs (which
        # strict nbval compares whole with a fresh run's), without per-cell execution timestamps
        assert notebook.cells == committed.cells
        assert any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    else:
        text = (ROOT / f"{chapter}.md").read_text(encoding="utf-8")
        assert [cell.cell_type for cell in notebook.cells] == ["markdown"]
        assert notebook.cells[0].source.strip() == text.strip()


def test_no_page_outside_the_chapters_offers_a_notebook(reconstruction_site):
    offered = {path.stem for path in (reconstruction_site / reproduce.NOTEBOOKS).glob("*.ipynb")}
    assert offered == {Path(chapter).name for chapter in CHAPTERS}
    for name in ("reproduce", "reference_stats", "start_here"):
        menu = "btn-download-notebook-button" in (reconstruction_site / "book" / f"{name}.html").read_text("utf-8")
        assert menu == (name == "start_here"), name


def test_no_page_or_notebook_shows_where_the_book_was_built(reconstruction_site):
    # a default argument or a constant that is a path would otherwise print this checkout's folder
    for path in [*reconstruction_site.rglob("*.html"), *reconstruction_site.rglob("*.ipynb")]:
        assert str(ROOT) not in path.read_text(encoding="utf-8"), path.relative_to(reconstruction_site)


def test_the_lock_file_download_is_the_lock_file_byte_for_byte(reconstruction_site):
    download = href_to(reconstruction_site / REPRODUCE_HTML, r"requirements\.lock")
    assert download.read_bytes() == (ROOT / "requirements.lock").read_bytes()


def test_the_library_reference_derives_regression_to_the_mean_in_typeset_math(reconstruction_site):
    page = (reconstruction_site / "book" / "reference_stats.html").read_text(encoding="utf-8")
    for function in (rtm.expected_null_improvement, rtm_joint.expected_joint_null_improvement):
        anchor = f'id="{function.__module__}.{function.__name__}"'
        assert anchor in page
        entry = page[page.index(anchor) :].split("</dd></dl>", 1)[0]
        # every display formula of the docstring's Notes, as MathJax reads it
        formulas = re.findall(r"\.\. math:: (.*?)(?:\n\s*\n|\Z)", inspect.getdoc(function), re.S)
        assert formulas
        for formula in formulas:
            shown = re.search(r'<div class="math notranslate nohighlight">\s*\\\[(.*?)\\\]</div>', entry, re.S)
            assert shown, f"{function.__name__}: no display math"
            assert " ".join(formula.split()) in " ".join(html.unescape(entry).split())
    assert "window.CNSLBP_MATHJAX" in page  # typeset by the site's own MathJax


def test_where_the_book_needs_the_derivation_it_links_to_it(reconstruction_site):
    target = "reference_stats.html#cnslbp_lib.stats.rtm.expected_null_improvement"
    for page in ("limitations", "reproduce", "reference_stats"):
        text = (reconstruction_site / "book" / f"{page}.html").read_text(encoding="utf-8")
        assert f'href="{target}"' in text or f'href="#{target.split("#")[1]}"' in text, page
    assert "library's documentation" not in text_of(
        (reconstruction_site / "book" / "limitations.html").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("layer", "beside"),
    [("data", ["cnslbp_lib.exceptions"]), ("stats", []), ("paper", []), ("publish", ["cnslbp_lib.cli"])],
)
def test_each_layer_page_documents_every_public_name_of_every_module(reconstruction_site, layer, beside):
    import importlib

    page = (reconstruction_site / "book" / f"reference_{layer}.html").read_text(encoding="utf-8")
    folder = ROOT / "cnslbp_lib" / layer
    # every module on disk, found independently of the directive's own walk
    modules = sorted(
        "cnslbp_lib." + ".".join(path.relative_to(ROOT).with_suffix("").parts[1:])
        for path in folder.rglob("*.py")
        if path.name != "__init__.py"
    )
    assert len(modules) >= 5
    modules += beside
    for name in modules:
        module = importlib.import_module(name)
        assert f'id="module-{name}"' in page, f"{name} has no section"
        moved = reference.reexported(module)
        for public in module.__all__:
            target = moved.get(public, f"{name}.{public}")
            assert f'id="{target}"' in page or f"#{target}" in page, f"{name}.{public} is not documented"


def test_the_studys_citation_says_what_the_abstract_does_not_give(reconstruction_site):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    entry = bib[bib.index("@misc{studyabstract") :].split("\n}", 1)[0]
    missing = re.search(r"year = \{(.*)\}", entry).group(1)
    assert all(fact in missing for fact in ("authors", "journal", "year", "not given in the abstract"))
    bibliography = text_of((reconstruction_site / "book" / "bibliography.html").read_text(encoding="utf-8"))
    assert f"a cohort study. Published abstract, {missing}." in bibliography
    for chapter in ("bottom_line", "risk_of_bias"):  # the chapters that cite the study
        assert f"a cohort study, {missing}]" in text_of(
            (reconstruction_site / "book" / f"{chapter}.html").read_text(encoding="utf-8")
        )
    for page in reconstruction_site.rglob("*.html"):
        assert "n.d." not in page.read_text(encoding="utf-8"), page.name
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    [study] = citation["references"]
    assert missing in " ".join(study["notes"].split())
    assert study["authors"] == [{"name": "not given in the abstract"}]


def test_the_publishing_workflow_builds_with_its_own_repository_address():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    build = next(step for step in workflow["jobs"]["build"]["steps"] if step.get("run") == "make book")
    assert build["env"] == {reproduce.REPOSITORY_ENV: "${{ github.server_url }}/${{ github.repository }}"}


# --- the pieces -------------------------------------------------------------------------------------
def test_the_repository_address_comes_from_the_environment_before_the_config(monkeypatch):
    monkeypatch.delenv(reproduce.REPOSITORY_ENV, raising=False)
    assert reproduce.repository_url("https://example.org/group/book/") == "https://example.org/group/book"
    monkeypatch.setenv(reproduce.REPOSITORY_ENV, "https://codeberg.org/someone/fork.git")
    assert reproduce.repository_url("https://example.org/group/book") == "https://codeberg.org/someone/fork.git"
    assert reproduce._clone_folder("https://codeberg.org/someone/fork.git") == "fork"


@pytest.mark.parametrize(
    ("environment", "configured", "message"),
    [
        ("", None, r"no source repository: set 'repository: url:' in _config.yml or \$CNSLBP_REPOSITORY_URL"),
        ("", "github.com/a/b", r"'repository: url:' must be an http\(s\) address .* got 'github.com/a/b'"),
        ("file:///tmp/book", "https://example.org/b", r"\$CNSLBP_REPOSITORY_URL must be an http\(s\) address"),
    ],
)
def test_a_missing_or_malformed_repository_address_stops_the_build_saying_which(
    monkeypatch, environment, configured, message
):
    monkeypatch.setenv(reproduce.REPOSITORY_ENV, environment)
    with pytest.raises(ConfigError, match=message):
        reproduce.repository_url(configured)


def test_a_downloaded_notebook_carries_no_execution_timestamps_and_keeps_everything_else():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", metadata={"tags": ["hide-input"]})
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00.000000Z"}
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    text = reproduce.downloadable_notebook(nbformat.writes(notebook), ".ipynb")
    assert "2026-01-01" not in text and text.endswith("}\n")
    written = nbformat.reads(text, as_version=4)
    assert written.cells[1].metadata == {"tags": ["hide-input"]}
    assert written.cells[1].outputs[0]["data"] == {"text/plain": "2"}
    assert written.cells[0].source == "# Title"


def test_the_chapters_are_the_toc_without_the_reproduce_part(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/a\nparts:\n"
        "  - caption: One\n    chapters:\n      - file: book/b\n"
        "  - caption: Source\n    chapters:\n      - file: book/reproduce\n      - file: book/reference_x\n"
        "  - caption: Two\n    chapters:\n      - file: book/c\n",
        encoding="utf-8",
    )
    assert reproduce.book_chapters(toc) == ["book/a", "book/b", "book/c"]


def test_every_module_of_a_layer_is_on_its_page_and_nothing_is_described_twice():
    from cnslbp_lib import publish

    on_disk = {
        "cnslbp_lib." + ".".join(path.relative_to(ROOT).with_suffix("").parts[1:]).removesuffix(".__init__")
        for path in Path(publish.__file__).parent.rglob("*.py")
    }
    assert set(reference.layer_modules(["cnslbp_lib.publish"])) == on_disk
    from cnslbp_lib.publish.build import site

    lines = reference.member_directives(site)
    assert not any("vega_lite_version" in line and line.startswith("..") for line in lines)
    assert "`vega_lite_version <cnslbp_lib.publish.charts.render.vega_lite_version>`" in lines[-1]


def test_bars_in_docstring_prose_become_math_but_not_in_code_or_math_blocks():
    lines = [
        "It needs |r| < 1 and n x |V_j| look-ups;",
        "``a |b| c`` and :math:`(|V_j| - 1)u` stay.",
        "",
        ".. math:: p = 2\\Phi(-|z|),",
        "          q = |w|",
        "",
        "after |z|.",
    ]
    reference._absolute_values(None, "function", "f", None, None, lines)
    assert lines == [
        "It needs :math:`|r|` < 1 and n x :math:`|V_j|` look-ups;",
        "``a |b| c`` and :math:`(|V_j| - 1)u` stay.",
        "",
        ".. math:: p = 2\\Phi(-|z|),",
        "          q = |w|",
        "",
        "after :math:`|z|`.",
    ]


def test_a_returns_field_that_lists_columns_is_not_a_list_inside_a_paragraph():
    from docutils import nodes

    # the shape Sphinx's Field.make_field gives a Returns section whose description holds a list
    listing = nodes.bullet_list("", nodes.list_item("", nodes.paragraph("", "key: the record")))
    body = nodes.field_body("", nodes.paragraph("", "", nodes.inline("", "", nodes.paragraph("", "One row:"), listing)))
    document = nodes.document(None, None)
    document += nodes.field_list("", nodes.field("", nodes.field_name("", "Returns"), body))
    reference._unnest_field_paragraphs(None, document)
    assert [child.tagname for child in body.children] == ["paragraph", "bullet_list"]
    assert body.children[0].astext() == "One row:" and body.children[1].astext() == "key: the record"
    plain = nodes.field_body("", nodes.paragraph("", "", nodes.strong("", "x"), nodes.Text(" – y")))
    document += nodes.field_list("", nodes.field("", nodes.field_name("", "Parameters"), plain))
    reference._unnest_field_paragraphs(None, document)
    assert plain.astext() == "x – y" and [child.tagname for child in plain.children] == ["paragraph"]
