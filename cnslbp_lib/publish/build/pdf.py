"""Print the built website as one PDF with Chromium, for reviewers who annotate on paper.

The chapters are joined into a single document in the order of ``_toc.yml``,
so page numbers run through the whole book; charts are the static SVGs drawn
when the site was built (vector text in the PDF), and math is typeset before
printing. The site is served on 127.0.0.1 and any request to another host is
refused, exactly as the browser tests do.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from pypdf import PdfReader

from ...data.source import PROJECT_ROOT
from ...exceptions import PrintError

__all__ = ["LocalServer", "PrintedBook", "chapter_order", "find_chromium", "print_book", "printed_chapters", "serve"]

CHROMIUM_ENV = "CNSLBP_CHROMIUM"
_PRINT_CSS = """
.bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, .header-article, .prev-next-area,
.bd-footer, .bd-footer-article, .bd-footer-content, .cnslbp-chart-controls, .toggle-button,
.search-button-field, .cnslbp-tip, .onlyprint, .headerlink { display: none !important; }
.cnslbp-chart { min-height: 0 !important; }
/* the theme hides an article's first h1 in print (it prints its own header, hidden above) */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
.cnslbp-cover h1 { font-size: 2.2rem; margin-top: 30mm; }
.cnslbp-cover ol { font-size: 1.05rem; line-height: 1.8; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width { max-width: 100% !important; }
.cnslbp-print-chapter { break-before: page; }
.cnslbp-print-chapter:first-child { break-before: auto; }
figure, table, .cnslbp-chart { break-inside: avoid; }
a.cnslbp-num { white-space: normal; }
/* code stays one click away on the site; on paper its folded toggles would only repeat */
details.hide.above-input { display: none !important; }
/* wide tables wrap onto the page instead of scrolling out of sight */
.pst-scrollable-table-container, .table-wrapper, .output_html, .cell_output { overflow: visible !important; }
table { width: 100% !important; max-width: 100% !important; table-layout: fixed; font-size: 0.72rem; }
.cnslbp-range { white-space: normal !important; }
table td, table th { white-space: normal !important; padding: 0.15rem 0.3rem !important; }
.cnslbp-print-chapter :is(h1, h2, h3) { break-after: avoid; break-inside: avoid; }
"""
_JOIN_CHAPTERS = """
async ({chapters, title}) => {
  const article = document.querySelector("article.bd-article");
  const sections = [];
  const titles = [];
  for (const url of chapters) {
    const text = await (await fetch(url)).text();
    const page = new DOMParser().parseFromString(text, "text/html");
    const content = page.querySelector("article.bd-article");
    titles.push(content.querySelector("h1").textContent.replace("#", "").trim());
    const section = document.createElement("section");
    section.className = "cnslbp-print-chapter";
    section.innerHTML = content.innerHTML;
    sections.push(section);
  }
  const cover = document.createElement("section");
  cover.className = "cnslbp-print-chapter cnslbp-cover";
  const heading = document.createElement("h1");
  heading.textContent = title;
  const list = document.createElement("ol");
  for (const name of titles) {
    const item = document.createElement("li");
    item.textContent = name;
    list.appendChild(item);
  }
  const intro = document.createElement("p");
  intro.textContent = "Chapters, in the order of the website:";
  const paper = document.createElement("p");
  paper.textContent = "On paper: a number's range is printed after it, and its details are on the website. " +
    "Where the text says to hover over or tab to a number, or to move a slider, that refers to the website; " +
    "each chart is printed as first drawn, at its default settings.";
  cover.append(heading, intro, list, paper);
  article.replaceChildren(cover, ...sections);
  document.title = title;
  // the charts are the static SVGs in the pages: nothing to draw, no Vega to load
  for (const script of article.querySelectorAll("script")) { script.remove(); }
  const load = (source) => new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = source; script.onload = resolve; script.onerror = reject;
    document.head.appendChild(script);
  });
  window.MathJax = {options: {processHtmlClass: "tex2jax_process|mathjax_process|math|output_area"}};
  await load("../_static/mathjax/tex-chtml.js");
  await window.MathJax.startup.promise;
  await window.MathJax.typesetPromise();
}
"""


@dataclass(frozen=True)
class PrintedBook:
    """Where the PDF went, with its page count and size."""

    path: Path
    pages: int
    size_bytes: int
    chapters: tuple[str, ...]
    charts: int
    formulas: int


def chapter_order(toc: Path = PROJECT_ROOT / "_toc.yml") -> list[str]:
    """Chapter files (without suffix) in the order of ``_toc.yml``: root, then each part."""
    table = yaml.safe_load(toc.read_text(encoding="utf-8"))
    order = [table["root"]]
    for part in table.get("parts", []):
        order += [entry["file"] for entry in part.get("chapters", [])]
    order += [entry["file"] for entry in table.get("chapters", [])]
    return order


def printed_chapters(toc: Path = PROJECT_ROOT / "_toc.yml") -> list[str]:
    """What the PDF prints, in ToC order: every chapter and "Reproduce this book".

    The library reference stays on the site: some two hundred pages of
    signatures are not read on paper.
    """
    from .reproduce import REPRODUCE_PAGE, book_chapters  # noqa: PLC0415 (it imports Sphinx)

    printed = {*book_chapters(toc), REPRODUCE_PAGE}
    return [chapter for chapter in chapter_order(toc) if chapter in printed]


def find_chromium() -> str | None:
    """Debian's Chromium, or the path in ``$CNSLBP_CHROMIUM``; None if neither exists."""
    for candidate in (os.environ.get(CHROMIUM_ENV), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class LocalServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server for a browser on this machine; a connection the browser drops is not an error."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # a browser that navigates away or cancels a fetch closes its connection mid-response
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) for the duration of the block; yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *arguments: object) -> None:
            pass

    server = LocalServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def print_book(
    site: Path = PROJECT_ROOT / "_build" / "html",
    out: Path = PROJECT_ROOT / "_build" / "pdf" / "book.pdf",
    *,
    chromium: str | None = None,
    title: str = "MRI after pain education: the numbers, checked",
) -> PrintedBook:
    """Print the built site ``site`` to one PDF at ``out``, with page numbers.

    Raises
    ------
    PrintError
        If Chromium or the built site is missing, or a page fails to render.
    """
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 (only this command needs a browser)

    executable = chromium or find_chromium()
    if executable is None:
        raise PrintError(f"Chromium was not found; install Debian's chromium or set {CHROMIUM_ENV}")
    if not (site / "index.html").exists():
        raise PrintError(f"no built site in {site}; run 'cnslbp build' first")
    chapters = printed_chapters()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".pdf.partial")
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(base) else route.abort(),
            )
            page.goto(f"{base}/{chapters[0]}.html", wait_until="networkidle")
            urls = [f"{base}/{chapter}.html" for chapter in chapters]
            page.evaluate(_JOIN_CHAPTERS, {"chapters": urls, "title": title})
            page.add_style_tag(content=_PRINT_CSS)
            charts = page.locator(".cnslbp-chart svg.cnslbp-static:not(.cnslbp-static--narrow)").count()
            if charts != page.locator(".cnslbp-chart").count():
                raise PrintError("a chart has no static drawing; was the site built with this version?")
            formulas = page.locator("mjx-container").count()
            untypeset = page.evaluate("document.querySelectorAll('.math:not(:has(mjx-container))').length")
            if untypeset:
                raise PrintError(f"{untypeset} formulas were not typeset; the PDF would show raw TeX")
            page.emulate_media(media="print")
            page.pdf(
                path=str(partial),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=f'<div style="font-size:8px;width:100%;text-align:center;color:#555">{title}</div>',
                footer_template=(
                    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                    'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
                ),
                margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
            )
        except Error as error:
            partial.unlink(missing_ok=True)
            raise PrintError(f"printing failed: {error}") from None
        finally:
            browser.close()
    partial.replace(out)
    return PrintedBook(out, len(PdfReader(out).pages), out.stat().st_size, tuple(chapters), charts, formulas)
