"""Rerunning the book from its site: the source's address, the chapters as notebooks, the lock file.

Part of the Sphinx extension (:mod:`cnslbp_lib.publish.build.site` sets it up):

- **The source's address** is Jupyter Book's ``repository: url:`` in
  ``_config.yml``; ``$CNSLBP_REPOSITORY_URL`` overrides it for one build (the
  publishing workflow sets it to the repository it runs in). Every page's
  footer links to it and to the page "Reproduce this book", which shows it
  with the commands to clone it (directive ``cnslbp-repository``).
- **The chapters as notebooks**, as they ran for this build: when Sphinx reads
  a chapter, the executed notebook it reads (from :mod:`.execution`, so from
  this build's cohort file) is also written to ``notebooks/<name>.ipynb`` in
  the site, without per-cell execution timestamps. A chapter written in
  MyST Markdown becomes a notebook of its text (it has no code). Each chapter's
  download menu offers its notebook; the directive ``cnslbp-notebooks`` lists
  them all.

The pages of the part that holds the page "Reproduce this book" (that page and
the library reference) are about the source, not chapters of the book: they
get no notebook.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import nbformat
import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from ...data.source import PROJECT_ROOT

__all__ = [
    "NOTEBOOKS",
    "REPOSITORY_ENV",
    "REPRODUCE_PAGE",
    "book_chapters",
    "downloadable_notebook",
    "repository_url",
    "setup",
]

REPOSITORY_ENV = "CNSLBP_REPOSITORY_URL"
REPRODUCE_PAGE = "book/reproduce"
NOTEBOOKS = "notebooks"  # the folder of the site that holds the chapters' notebooks


def book_chapters(toc: Path = PROJECT_ROOT / "_toc.yml") -> list[str]:
    """The book's chapters (files without suffix) in ToC order: every page but the reproduce part's.

    >>> book_chapters()[:2]
    ['book/start_here', 'book/background']
    >>> REPRODUCE_PAGE in book_chapters()
    False
    """
    table = yaml.safe_load(toc.read_text(encoding="utf-8"))
    chapters = [table["root"]]
    for part in table.get("parts", []):
        files = [entry["file"] for entry in part.get("chapters", [])]
        if REPRODUCE_PAGE not in files:
            chapters += files
    chapters += [entry["file"] for entry in table.get("chapters", [])]
    return chapters


def repository_url(configured: str | None) -> str:
    """The source repository's address: ``$CNSLBP_REPOSITORY_URL`` if set, else ``configured``.

    Raises
    ------
    sphinx.errors.ConfigError
        If there is no address, or it is not an http(s) URL.
    """
    url = os.environ.get(REPOSITORY_ENV, "").strip() or (configured or "").strip()
    if not url:
        raise ConfigError(
            f"no source repository: set 'repository: url:' in _config.yml or ${REPOSITORY_ENV}; "
            "the site links to it from every page"
        )
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        where = f"${REPOSITORY_ENV}" if os.environ.get(REPOSITORY_ENV, "").strip() else "'repository: url:'"
        raise ConfigError(f"{where} must be an http(s) address of the source repository; got {url!r}")
    return url.rstrip("/")


def _clone_folder(url: str) -> str:
    """The folder ``git clone`` makes for ``url``."""
    name = PurePosixPath(urlsplit(url).path).name
    return re.sub(r"\.git$", "", name) or "cnslbp-book"


def downloadable_notebook(text: str, suffix: str) -> str:
    """A chapter as a notebook file: a notebook without execution timestamps, or MyST text as a notebook.

    ``text`` is the chapter as Sphinx read it (for a notebook, executed); ``suffix``
    its file's suffix.

    >>> import json
    >>> notebook = json.loads(downloadable_notebook("# Title\\n\\nSome prose.\\n", ".md"))
    >>> [cell["cell_type"] for cell in notebook["cells"]], notebook["nbformat"], notebook["cells"][0]["id"]
    (['markdown'], 4, 'cell-0')
    """
    if suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        for cell in notebook.cells:
            cell.metadata.pop("execution", None)  # per-cell timestamps: the same chapter, other bytes
    else:
        from myst_nb.core.read import read_myst_markdown_notebook  # noqa: PLC0415

        notebook = read_myst_markdown_notebook(text)
        # the reader gives each cell a random id: number them, so every build writes the same bytes
        for position, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{position}"
    nbformat.validate(notebook)
    return str(nbformat.writes(notebook)).rstrip("\n") + "\n"  # type: ignore[no-untyped-call]


def _chapters(app: Sphinx) -> list[str]:
    return book_chapters(Path(app.srcdir) / "_toc.yml")


def _notebook_uri(docname: str) -> str:
    return f"{NOTEBOOKS}/{PurePosixPath(docname).name}.ipynb"


# --- Sphinx events --------------------------------------------------------------------------------
def _configure(app: Sphinx, config: Any) -> None:
    """The address from ``repository: url:`` in ``_config.yml`` (or ``$CNSLBP_REPOSITORY_URL``).

    Read from the file: Jupyter Book maps it to the theme's options only when
    ``sphinx: config:`` sets no ``html_theme_options``, which this book's does.
    The theme never gets it: the book shows no repository buttons, and the
    theme would guess a hosting provider from it and stop the build for any
    host but GitHub, GitLab or Bitbucket.
    """
    book = Path(app.srcdir) / "_config.yml"
    settings = yaml.safe_load(book.read_text(encoding="utf-8")) if book.is_file() else {}
    configured = ((settings or {}).get("repository") or {}).get("url")
    # an "env" value: the pages that show it are read again when it changes
    config.cnslbp_repository_url = repository_url(configured)


def _write_notebook(app: Sphinx, docname: str, source: list[str]) -> None:
    """Write the chapter Sphinx is reading (executed, for a notebook) to the site's notebooks folder."""
    if app.builder.format != "html" or docname not in _chapters(app):
        return
    suffix = Path(app.env.doc2path(docname)).suffix
    target = Path(app.outdir) / _notebook_uri(docname)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(downloadable_notebook(source[0], suffix), encoding="utf-8")
    partial.replace(target)


def _page_links(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Every page's footer names the source; each chapter's download menu offers its notebook."""
    pathto = context["pathto"]
    url = html.escape(app.config.cnslbp_repository_url)
    context["theme_extra_footer"] = (
        f'<p class="cnslbp-source">Source: <a href="{url}">{url}</a>. '
        f'To rerun it: <a href="{pathto(REPRODUCE_PAGE)}">Reproduce this book</a>.</p>'
    )
    if pagename not in _chapters(app):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            notebook = {
                "type": "link",
                "url": pathto(_notebook_uri(pagename), 1),
                "text": ".ipynb",
                "icon": "fas fa-code",
                "tooltip": "Download this chapter's notebook, with the outputs this page shows",
                "label": "download-notebook-button",
            }
            group["buttons"] = [notebook, *group.get("buttons", [])]


# --- directives -----------------------------------------------------------------------------------
class RepositoryDirective(SphinxDirective):
    """``cnslbp-repository``: the source's address, and the commands that clone it."""

    def run(self) -> list[nodes.Node]:
        url = self.config.cnslbp_repository_url
        paragraph = nodes.paragraph()
        paragraph += nodes.Text("The source repository: ")
        # the address as code: the theme would shorten a GitHub link whose text is its address
        paragraph += nodes.reference("", "", nodes.literal(url, url), refuri=url)
        paragraph += nodes.Text(". Clone it and enter its folder:")
        commands = f"git clone {url}\ncd {_clone_folder(url)}"
        block = nodes.literal_block(commands, commands, language="sh")
        return [paragraph, block]


class NotebooksDirective(SphinxDirective):
    """``cnslbp-notebooks``: a list of every chapter, each with its notebook as run for this build."""

    def run(self) -> list[nodes.Node]:
        toc = Path(self.env.srcdir) / "_toc.yml"
        self.env.note_dependency(str(toc))
        here = self.env.app.builder.get_target_uri(self.env.docname)
        listing = nodes.bullet_list(classes=["cnslbp-notebooks"])
        for docname in book_chapters(toc):
            executed = Path(self.env.doc2path(docname)).suffix == ".ipynb"
            item = nodes.paragraph()
            title = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{docname}", refexplicit=False, refwarn=True
            )
            title += nodes.inline(docname, docname)
            item += title
            item += nodes.Text(": ")
            name = f"{PurePosixPath(docname).name}.ipynb"
            item += nodes.reference(
                name, "", nodes.literal(name, name), refuri=relative_uri(here, _notebook_uri(docname))
            )
            item += nodes.Text(" (code and outputs)" if executed else " (text only: no code)")
            listing += nodes.list_item("", item)
        return [listing]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("cnslbp_repository_url", "", "env")
    app.connect("config-inited", _configure)
    app.connect("source-read", _write_notebook, priority=600)  # after the executed chapter replaced the file's
    app.connect("html-page-context", _page_links, priority=910)
    app.add_directive("cnslbp-repository", RepositoryDirective)
    app.add_directive("cnslbp-notebooks", NotebooksDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
