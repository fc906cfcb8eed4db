"""Sphinx extension for the book website: executed chapters, static charts, fast and valid pages.

- Validates the cohort file before anything is read or written; a bad file
  stops the build with the validator's full message.
- Puts the dataset's provenance and SHA-256 in the announcement bar of every page.
- Prints under each chapter's title its reading time, measured from the built
  page when the build has finished (:mod:`.reading`), and the readers' paths
  with theirs on the start page (:mod:`.reader_paths`).
- Executes the chapters before Sphinx reads them, in parallel and cached on
  every input (:mod:`.execution`); myst-nb's own execution stays off.
- Draws every chart to a static SVG at build time, with its accessible name and
  description, from the spec already in the page (stored notebook outputs do
  not change), and a second one for phones, as wide as a phone's column with
  type that stays legible there. ``cnslbp.js`` draws the interactive chart from the same spec only
  when it comes near the viewport or is touched, with the site's own Vega bundle
  (written from vl-convert, matching Altair's Vega-Lite version): no CDN, no
  request to any other host.
- Blocks nothing before the first paint: every script deferred, MathJax only on
  pages with math and loaded by ``cnslbp.js`` after the text (or, in its SVG
  form, when the page is printed first, so a print never shows raw TeX); the templates in
  ``book/_templates`` drop the theme's Font Awesome script and its search
  scripts (the search page loads its own).
- On a phone, wide tables of words stack, one block per row, every cell
  under its column's name (:func:`~cnslbp_lib.publish.build.site_pages.phone_tables`).
- Valid markup: MyST-NB's hidden-cell summaries without ``<p>``, no repeated
  sphinx-exercise ids, one viewport meta tag, a meta description per page (its
  Overview paragraph), a valid ``index.html`` redirect page, no thebe.
"""

from __future__ import annotations

import html
import os
import re
import threading
from pathlib import Path
from typing import Any

import vl_convert
from docutils import nodes
from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

from ...data.load import load_cohort
from ...data.source import PROJECT_ROOT, cohort_path, cohort_sheet, provenance
from ...exceptions import CohortValidationError, NotebookExecutionError
from ..charts.render import (
    CHART_CLASS,
    find_charts,
    has_narrow_form,
    static_chart_html,
    static_svg,
    vega_lite_version,
)
from .execution import ChapterRunner, cache_folder, inputs_digest
from .reading import fill_reading_times
from .reproduce import REPRODUCE_PAGE, book_chapters
from .roles import derived_role, external_role, live_role, printed_role, still_role, threshold_role, worked_role
from .site_pages import bundled, page_description, phone_tables, subset_icon_font

__all__ = ["EXECUTE_ENV", "VEGA_BUNDLE", "setup", "vega_lite_version"]

VEGA_BUNDLE = "_vendor/vega-bundle.js"
FAVICON = "_static/favicon.svg"
EXECUTE_ENV = "CNSLBP_EXECUTE"  # "0": do not execute, show the outputs stored in the notebooks
INTERACTIVE_MARKER = f"{CHART_CLASS}--interactive"
# MathJax on screen (HTML and web fonts), and when a page is printed before its math was typeset: SVG
# glyphs need no font to arrive before the print is laid out (both files come with sphinx-mathjax-offline)
MATHJAX_SCREEN, MATHJAX_PRINT = "tex-chtml.js", "tex-svg.js"
DESCRIPTION_LENGTH = 160
logger = logging.getLogger(__name__)


def _executes() -> bool:
    return os.environ.get(EXECUTE_ENV, "1").strip() != "0"


def _configure(app: Sphinx, config: Any) -> None:
    path, sheet = cohort_path(), cohort_sheet()
    try:
        cohort = load_cohort(path, sheet=sheet)
    except CohortValidationError as error:
        raise ConfigError(f"the cohort file is not valid, so nothing was built.\n{error}") from None
    source = provenance(cohort)
    kind = "reconstructed dataset (not patient data)" if source.is_reconstruction else "user-supplied cohort file"
    # a phone shows the short form on one line, its hash cut short (the whole hash is still there to copy)
    short = "Reconstruction, not patient data" if source.is_reconstruction else "Your cohort file"
    announcement = (
        f'<span class="cnslbp-provenance" data-kind="{source.kind}">'
        f'<span class="cnslbp-provenance-long">Built from the {kind} <code>{html.escape(source.file_name)}</code>,'
        f'</span><span class="cnslbp-provenance-short">{short}:</span> SHA-256 '
        f'<code class="cnslbp-sha">{source.sha256}</code></span>'
    )
    config.html_theme_options = {**config.html_theme_options, "announcement": announcement}
    # "env" config values: when the data or anything else a chapter's output depends on change,
    # Sphinx re-reads (so re-executes) every chapter, even in an incremental build
    config.cnslbp_dataset_sha256 = source.sha256
    # the extension executes the chapters itself (see .execution); myst-nb only reads the results
    config.nb_execution_mode = "off"
    if _executes():
        config.cnslbp_execution_inputs = inputs_digest(PROJECT_ROOT, path, sheet)
    elif not source.is_reconstruction:
        # the stored outputs were computed from the reconstruction: never show them for other data
        raise ConfigError(
            f"{EXECUTE_ENV}=0 shows the outputs stored in the chapters, which come from the "
            "reconstruction; a build from another cohort file must execute them"
        )
    logger.info("cnslbp: building from %s (%s, SHA-256 %s)", path, source.kind, source.sha256)


# --- executing chapters ---------------------------------------------------------------------------
def _submit_chapters(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Start executing every notebook Sphinx is about to read, in the order it reads them."""
    if not _executes():
        return
    chapters = [Path(env.doc2path(name)) for name in sorted(docnames)]
    chapters = [path for path in chapters if path.suffix == ".ipynb"]
    if not chapters:
        return
    runner = ChapterRunner(
        app.config.cnslbp_execution_inputs,
        cache_folder(PROJECT_ROOT),
        cwd=PROJECT_ROOT,
        timeout=int(app.config.nb_execution_timeout or 300),
    )
    app.cnslbp_runner = runner  # type: ignore[attr-defined]
    for path in chapters:
        runner.submit(path, path.read_text(encoding="utf-8"))
    logger.info(
        "cnslbp: %d chapters, %d from the execution cache, the others executed by %d workers in warm kernels",
        len(chapters),
        runner.cache_hits,
        runner.workers,
    )
    if app.parallel > 1:  # forked readers could not wait on this process's threads: finish first
        for path in chapters:
            _executed(runner, path)


def _executed(runner: ChapterRunner, path: Path) -> str:
    try:
        result = runner.result(path)
    except NotebookExecutionError as error:
        raise ExtensionError(str(error)) from None
    how = "from the execution cache" if result.cached else f"executed in {result.seconds:.1f} s"
    logger.info("cnslbp: %s %s", path.name, how)
    return result.text


def _read_executed(app: Sphinx, docname: str, source: list[str]) -> None:
    """Give Sphinx the executed notebook in place of the file on disk."""
    runner: ChapterRunner | None = getattr(app, "cnslbp_runner", None)
    path = Path(app.env.doc2path(docname))
    if runner is not None and path in runner:
        source[0] = _executed(runner, path)


def _stop_runner(app: Sphinx, exception: Exception | None) -> None:
    runner: ChapterRunner | None = getattr(app, "cnslbp_runner", None)
    if runner is not None:
        runner.close()
        app.cnslbp_runner = None  # type: ignore[attr-defined]
        logger.info("cnslbp: chapters ready %.1f s after Sphinx began reading", runner.ready_after)


# --- markup ---------------------------------------------------------------------------------------
def _visit_hidden_cell(self: Any, node: nodes.Element) -> None:
    """MyST-NB's hidden code cell, with ``<span>`` titles: a ``<summary>`` may not hold a ``<p>``.

    No ``aria-label`` on the summary either: it would hide the visible text from
    assistive technology and fail axe's label-content-name-mismatch.
    """
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<span class="collapsed admonition-title">{html.escape(node["prompt_show"])}</span>\n')
    self.body.append(f'<span class="expanded admonition-title">{html.escape(node["prompt_hide"])}</span>\n')
    self.body.append("</summary>\n")


def _depart_hidden_cell(self: Any, node: nodes.Element) -> None:
    self.body.append("</details>\n")


_EXERCISE_IDS = {"exercise-content", "solution-content"}


def _unrepeat_exercise_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """sphinx-exercise gives every exercise body the same id; make each a plain ``div`` with a class."""
    for section in list(doctree.findall(nodes.section)):
        if set(section["ids"]) & _EXERCISE_IDS and not any(isinstance(c, nodes.title) for c in section.children):
            box = nodes.container(classes=[*section["ids"], *section["classes"]])
            box.extend(section.children)
            section.parent.replace(section, box)  # not replace_self, which would copy the ids over


class _SvgCache:
    """Static SVGs by element id (a hash of the spec): a chart shown on two pages is drawn once."""

    def __init__(self) -> None:
        self._svgs: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, element: str, spec: dict[str, Any], *, narrow: bool = False) -> str:
        key = f"{element}-narrow" if narrow else element
        with self._lock:
            if key not in self._svgs:
                self._svgs[key] = static_svg(spec, element=element, narrow=narrow)
            return self._svgs[key]


_SVGS = _SvgCache()


def _draw_static_charts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put a static SVG, drawn now, in place of each chart's script (HTML builds only)."""
    if app.builder.format != "html":
        return
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "html" not in raw.get("format", "").split() or CHART_CLASS not in text:
            continue
        charts = find_charts(text)
        if not charts:
            continue
        pieces, position = [], 0
        for chart in charts:
            svg = _SVGS.get(chart.element, chart.spec)
            narrow = _SVGS.get(chart.element, chart.spec, narrow=True) if has_narrow_form(chart.spec) else ""
            pieces += [text[position : chart.start], static_chart_html(chart, svg, narrow)]
            position = chart.end
        pieces.append(text[position:])
        raw.replace_self(nodes.raw("", "".join(pieces), format="html"))


def _timed_pages() -> list[str]:
    """The pages that show a reading time: every chapter and "Reproduce this book" (not the library reference)."""
    return [*book_chapters(), REPRODUCE_PAGE]


def _reading_line(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A line under each timed page's title, where the reading time measured after the build goes."""
    if app.builder.format != "html" or docname not in _timed_pages():
        return
    section = doctree.next_node(nodes.section)
    if section is not None and isinstance(section[0], nodes.title):
        section.insert(1, nodes.raw("", '<p class="cnslbp-reading"></p>', format="html"))


def _write_reading_times(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        fill_reading_times(Path(app.outdir), _timed_pages())


def _warm_up_vl_convert(app: Sphinx) -> None:
    """vl-convert's first drawing starts its JavaScript engine (about 0.5 s): do that while Sphinx reads."""
    if app.builder.format == "html":
        empty = {"mark": "point", "data": {"values": []}}
        threading.Thread(target=vl_convert.vegalite_to_svg, args=(empty, vega_lite_version()), daemon=True).start()


# --- descriptions ---------------------------------------------------------------------------------
_THEBE_BLOCKS = re.compile(
    r'\s*<script type="text/x-thebe-config">.*?</script>|\s*<script>kernelName = .*?</script>', re.S
)
_VIEWPORT = re.compile(r'\s*<meta (?:content="[^"]*" name="viewport"|name="viewport" content="[^"]*") ?/?>')


def _is_thebe(asset: Any) -> bool:
    text = f"{asset.filename} {asset.attributes.get('body', '')}"
    return "thebe" in text.lower()


def _deferred(script: Any) -> Any:
    """A script that no longer blocks parsing: files get ``defer``; inline code that uses what a
    deferred file defines (``DOCUMENTATION_OPTIONS``) becomes a module script, which runs in order
    with the deferred files."""
    from sphinx.builders.html._assets import _JavaScript  # noqa: PLC0415

    attributes = dict(script.attributes)
    if script.filename:
        if "async" in attributes or "defer" in attributes:
            return script
        attributes["defer"] = "defer"
    elif "DOCUMENTATION_OPTIONS" in attributes.get("body", "") and "type" not in attributes:
        attributes["type"] = "module"
    else:
        return script
    return _JavaScript(script.filename, priority=script.priority, **attributes)


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """What each page loads, and how: nothing before the first paint that the page does not need.

    Runs after the themes' own handlers (priority 900), so it sees and defers
    the scripts they add for the page. The lists are changed in place: Sphinx's
    builder renders from the same list objects.
    """
    body = context.get("body", "")
    pathto = context["pathto"]
    has_math = 'class="math' in body
    extra = []
    scripts = context.get("script_files", [])
    kept = []
    for script in scripts:
        filename = os.fspath(script.filename or "")
        inline = script.attributes.get("body", "")
        if _is_thebe(script):  # Jupyter Book always adds sphinx-thebe; a static book runs no kernels
            continue
        if "mathjax" in filename.lower():  # MathJax: loaded by cnslbp.js, after the text, where math is
            if has_math:
                extra.append(f"<script>window.CNSLBP_MATHJAX = {pathto(filename, 1)!r};</script>")
                # the form cnslbp.js loads when a page is printed before its math was typeset
                printed = filename.replace(MATHJAX_SCREEN, MATHJAX_PRINT)
                extra.append(f"<script>window.CNSLBP_MATHJAX_PRINT = {pathto(printed, 1)!r};</script>")
            continue
        if "MathJax" in inline and not has_math:
            continue
        if "design-tabs" in filename and "sd-tab" not in body:
            continue
        kept.append(_deferred(script))
    scripts[:] = kept
    sheets = context.get("css_files", [])
    sheets[:] = bundled(
        app,
        [
            sheet
            for sheet in sheets
            if not _is_thebe(sheet) and not ("sphinx-design" in os.fspath(sheet.filename) and "sd-" not in body)
        ],
    )
    if INTERACTIVE_MARKER in body:
        extra.append(f"<script>window.CNSLBP_VEGA = {pathto(VEGA_BUNDLE, 1)!r};</script>")
    # docutils adds a second viewport tag (the layout already has one)
    metatags = _VIEWPORT.sub("", context.get("metatags", ""))
    fallback = f"{context.get('title') or pagename}: {app.config.html_title or app.config.project}."
    description = page_description(doctree, html.unescape(re.sub(r"<[^>]+>", "", fallback)))
    metatags += f'\n    <meta name="description" content="{html.escape(description)}" />'
    context["metatags"] = metatags + "".join(f"\n    {tag}" for tag in extra)
    _drop_missing_source_links(app, context)
    # docutils marks bibliography entries as doc-biblioentry inside role="list", which
    # ARIA does not allow (a list's children must be list items)
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    context["body"] = phone_tables(_THEBE_BLOCKS.sub("", body))


def _drop_missing_source_links(app: Sphinx, context: dict[str, Any]) -> None:
    """The theme's "download source" button links to _sources/, which html_copy_source: false never
    writes (and Jupyter Book ignores use_download_button); keep the group's print-to-PDF button."""
    if app.config.html_copy_source:
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"] = [
                inner for inner in button.get("buttons", []) if "_sources" not in str(inner.get("url", ""))
            ]


def _template_filters(app: Sphinx) -> None:
    """Jinja filters for book/_templates: the theme's head, without what blocks the first paint."""
    if app.builder.format != "html" or not hasattr(app.builder, "templates"):
        return
    filters = app.builder.templates.environment.filters
    filters["cnslbp_without_fontawesome"] = _without_fontawesome
    filters["cnslbp_basic_css_direct"] = _basic_css_direct
    filters["cnslbp_deferred"] = _deferred_markup


def _without_fontawesome(markup: str) -> Markup:
    """The theme's head scripts without Font Awesome's 1.5 MB script: its CSS already draws the icons."""
    markup = re.sub(r"\s*<!-- So that users can add custom icons -->", "", str(markup))
    return Markup(re.sub(r'\s*<script[^>]*src="[^"]*fontawesome\.js[^"]*"[^>]*></script>', "", markup))


def _deferred_markup(markup: str) -> Markup:
    """Script tags with a src that neither defer nor are async, deferred (in order, after parsing)."""
    return Markup(re.sub(r"<script (?![^>]*\b(?:defer|async)\b)([^>]*\bsrc=)", r"<script defer \1", str(markup)))


def _basic_css_direct(markup: str) -> Markup:
    """The theme's stylesheets with Sphinx's basic.css linked directly, not through theme.css's @import."""
    return Markup(re.sub(r"_static/styles/theme\.css\?", "_static/basic.css?", str(markup)))


# --- files written after the build ----------------------------------------------------------------
def _write_vega_bundle(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / VEGA_BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    # the bundle declares top-level names (such as `_`) that clash with the theme's scripts
    # when loaded as a classic script; a function scope keeps them private
    exports = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    bundle = vl_convert.javascript_bundle(exports, vl_version=vega_lite_version())
    bundle = "(function () {\n" + bundle + "\n})();\n"
    if not target.exists() or target.read_text(encoding="utf-8") != bundle:
        target.write_text(bundle, encoding="utf-8")


_INDEX = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
<meta name="description" content="{description}" />
<link rel="icon" href="{favicon}" type="image/svg+xml" />
<meta http-equiv="refresh" content="0; url={first}" />
</head>
<body>
<p><a href="{first}">{title}</a></p>
</body>
</html>
"""


def _write_index(app: Sphinx, exception: Exception | None) -> None:
    """A valid page at the site's root that sends readers to the first chapter.

    Runs before sphinx-external-toc's handler (priority 500), which writes a bare
    meta refresh (no doctype, no title) only when there is no index.html yet.
    """
    if exception is not None or app.builder.format != "html":
        return
    index = Path(app.outdir) / "index.html"
    root_doc = app.config.root_doc
    if root_doc == "index":
        return
    first = f"{root_doc}.html"
    page = Path(app.outdir) / first
    found = re.search(r'<meta name="description" content="([^"]*)"', page.read_text(encoding="utf-8"))
    description = html.unescape(found.group(1)) if found else app.config.project
    index.write_text(
        _INDEX.format(
            language=html.escape(app.config.language or "en"),
            title=html.escape(app.config.html_title or app.config.project),
            description=html.escape(description),
            favicon=FAVICON,
            first=html.escape(first),
        ),
        encoding="utf-8",
    )


def _drop_template_sources(app: Sphinx, exception: Exception | None) -> None:
    """The themes copy their Jinja macro files into _static with their assets; they are not pages."""
    if exception is not None or app.builder.format != "html":
        return
    for path in (Path(app.outdir) / "_static").glob("*macros.html"):
        if "{% macro" in path.read_text(encoding="utf-8"):
            path.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    from myst_nb.sphinx_ import HideCodeCellNode  # noqa: PLC0415

    app.setup_extension("myst_nb")
    app.setup_extension("cnslbp_lib.publish.build.reproduce")
    app.setup_extension("cnslbp_lib.publish.build.reference")
    app.setup_extension("cnslbp_lib.publish.build.reader_paths")
    app.setup_extension("cnslbp_lib.publish.build.self_check")
    app.add_config_value("cnslbp_dataset_sha256", "", "env")
    app.add_config_value("cnslbp_execution_inputs", "", "env")
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, _depart_hidden_cell))
    app.add_role("printed", printed_role)
    app.add_role("derived", derived_role)
    app.add_role("external", external_role)
    app.add_role("threshold", threshold_role)
    app.add_role("worked", worked_role)
    app.add_role("live", live_role)
    app.add_role("still", still_role)
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _template_filters)
    app.connect("builder-inited", _warm_up_vl_convert)
    app.connect("env-before-read-docs", _submit_chapters)
    app.connect("source-read", _read_executed)
    app.connect("doctree-resolved", _unrepeat_exercise_ids)
    app.connect("doctree-resolved", _draw_static_charts)
    app.connect("doctree-resolved", _reading_line)
    app.connect("html-page-context", _page_assets, priority=900)
    app.connect("build-finished", _stop_runner, priority=100)
    app.connect("build-finished", _write_vega_bundle)
    app.connect("build-finished", _write_index, priority=400)
    app.connect("build-finished", _write_reading_times, priority=450)
    app.connect("build-finished", _drop_template_sources, priority=900)
    app.connect("build-finished", subset_icon_font, priority=950)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
