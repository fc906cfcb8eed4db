"""The website in a real browser, without JavaScript, at phone width and on paper.

Every chapter reads fully with JavaScript off (its charts as static drawings
the size of the column), the static drawings show what the live charts show,
each page fits a phone's width, and the whole book prints to one PDF. The
checks with JavaScript are in ``test_browser.py``; each file starts its own
Chromium, so pytest-xdist runs the two on both workers.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from .browser import (
    CHAPTERS,
    CHART_PAGES,
    CHROMIUM,
    SCREENSHOTS,
    WIDTHS,
    needs_chromium,
    save_screenshot,
    screenshot_at_width,
    site_pages,
)

pytestmark = [
    needs_chromium,
    pytest.mark.slow(seconds=75, reason="drives Chromium over every page without JavaScript and prints the book"),
]


def test_the_whole_book_prints_to_one_pdf_in_toc_order(reconstruction_site, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "book.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "cnslbp_lib.cli", "pdf", "--site", str(reconstruction_site), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pages = int(re.search(r": (\d+) pages, [\d.]+ MB", result.stdout).group(1))
    assert pages > 40
    # every chart the site's pages hold is printed, as its static vector drawing
    charts = sum(
        len(re.findall(r'class="cnslbp-chart[ "]', page.read_text(encoding="utf-8")))
        for page in reconstruction_site.rglob("*.html")
    )
    assert f", {charts} charts, " in result.stdout
    reader = PdfReader(out)
    assert len(reader.pages) == pages
    assert "Page 1 of" in reader.pages[0].extract_text()
    body = "\n".join(page.extract_text() for page in reader.pages[1:])
    titles = ("Start here", "Background:", "Design:", "Number audit", "Glossary", "Reproduce this book")
    # each title after the one before it (a title may also be quoted earlier, as a link's text)
    positions = [0]
    for title in titles:
        positions.append(body.find(title, positions[-1]))
    assert -1 not in positions
    assert "git clone" in body  # how to get the source, on paper too
    assert "Library reference:" not in body  # the reference pages stay on the site
    assert "PIQ score (points, higher = worse)" in body  # chart text is in the PDF as vectors
    # where the site folds a chapter's code behind a toggle (the results chapters show their analysis
    # calls and remove the rest, so none of theirs does), on paper the toggle would only repeat
    assert "Show code cell source" not in (reconstruction_site / "book" / "stages.html").read_text(encoding="utf-8")
    assert "Show code cell source" not in body


# What a chart's SVG shows: how many items each mark draws, its axis and legend titles and labels.
SVG_SUMMARY = """svg => {
  const text = selector => [...svg.querySelectorAll(selector)].map(node => node.textContent);
  const marks = [...svg.querySelectorAll('g[class*="mark-"]')].map(group => {
    const kinds = group.getAttribute('class').split(' ').filter(name => /^(mark|role)-/.test(name)).join(' ');
    const items = [...group.children].filter(child => !child.classList.contains('background')).length;
    return kinds + ': ' + items;
  });
  return {
    marks,
    titles: text('.role-axis-title text, .role-legend-title text, .role-title-text text'),
    labels: text('.role-axis-label text, .role-legend-label text'),
  };
}"""


@pytest.fixture(scope="module")
def without_javascript(browser, base_url) -> Iterator[object]:
    context = browser.new_context(viewport=WIDTHS["desktop"], java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
    yield context
    context.close()


@pytest.mark.parametrize("path", CHART_PAGES)
def test_a_page_reads_fully_without_javascript_and_its_static_charts_draw_what_the_live_ones_do(
    visit, without_javascript, base_url, path
):
    static_page = without_javascript.new_page()
    static_page.goto(f"{base_url}/{path}")
    assert_reads_fully_without_javascript(static_page, path, "desktop")
    static_charts = static_page.locator(".cnslbp-chart svg.cnslbp-static:not(.cnslbp-static--narrow)")
    static = [static_charts.nth(index).evaluate(SVG_SUMMARY) for index in range(static_charts.count())]
    widths = [static_charts.nth(index).get_attribute("width") for index in range(static_charts.count())]
    static_page.close()
    page = visit(path)
    # as wide as the static drawing (a page without a contents sidebar has a wider column); taken from the
    # page without JavaScript, since a chart near the top is drawn live, replacing it, as soon as it loads
    page.tab.evaluate(
        "widths => document.querySelectorAll('.cnslbp-chart').forEach("
        "(chart, index) => { chart.style.width = widths[index] + 'px'; })",
        widths,
    )
    page.draw_all()
    live_charts = page.tab.locator(
        ".cnslbp-chart-live svg, .cnslbp-chart:not(.cnslbp-chart--live) svg.cnslbp-static:not(.cnslbp-static--narrow)"
    )
    live = [live_charts.nth(index).evaluate(SVG_SUMMARY) for index in range(live_charts.count())]
    assert len(static) == len(live)
    for number, (drawn, shown) in enumerate(zip(static, live, strict=True), start=1):
        where = f"chart {number} on {path}"
        assert drawn["titles"], f"{where} has no axis titles"
        assert (drawn["marks"], drawn["titles"]) == (shown["marks"], shown["titles"]), (
            f"{where}: marks or titles differ"
        )
        assert len(drawn["labels"]) == len(shown["labels"]), f"{where}: a different number of labels"
        for label, other in zip(drawn["labels"], shown["labels"], strict=True):
            # a label cut to its limit ("…") may be cut a letter apart: the browser measures text with
            # its own fonts, vl-convert with its own
            if label.endswith("…") or other.endswith("…"):
                short, long = sorted((label.rstrip("…"), other.rstrip("…")), key=len)
                assert long.startswith(short) and len(long) - len(short) <= 2, f"{where}: {label!r} != {other!r}"
            else:
                assert label == other, f"{where}: {label!r} != {other!r}"


def assert_reads_fully_without_javascript(tab, path: str, width: str) -> None:
    """A page opened without JavaScript: its title and text, every chart as its static drawing for this
    width (the column's size, no room kept below it), no sideways scrolling; then its screenshot."""
    assert tab.locator("article.bd-article h1").first.is_visible()
    assert len(tab.locator("article.bd-article").inner_text()) > 1000
    charts = tab.locator(".cnslbp-chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        drawing = chart.locator("svg.cnslbp-static:visible")  # the phone's own drawing at phone width
        assert drawing.count() == 1, f"chart {index + 1} on {path} is not drawn"
        narrow = "cnslbp-static--narrow" in drawing.get_attribute("class")
        assert narrow == (width == "phone"), f"chart {index + 1} on {path} shows the other width's drawing"
        assert drawing.get_attribute("aria-label"), f"chart {index + 1} on {path} has no accessible name"
        box, frame = drawing.bounding_box(), chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 30, f"chart {index + 1} on {path} is drawn too small"
        assert box["width"] <= frame["width"] + 1, f"chart {index + 1} on {path} is wider than the column"
        # no room is kept for a live chart that will never come
        assert frame["height"] <= box["height"] + 8, f"chart {index + 1} on {path} keeps empty room below it"
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways at {width} width without JavaScript"
    target = SCREENSHOTS / f"{width}-no-javascript" / (path.replace("/", "_") + ".jpg")
    target.parent.mkdir(parents=True, exist_ok=True)
    save_screenshot(tab, target)


# Every page that can hold a chart or a self-check, at phone width here and at desktop width in
# test_a_page_reads_fully_without_javascript_and_its_static_charts_draw_what_the_live_ones_do (which opens it);
# the other pages (the reproduce page and the library reference) hold nothing that needs JavaScript
# (test_nothing_on_the_other_pages_needs_javascript)
@pytest.mark.parametrize("path", CHART_PAGES)
def test_a_page_reads_fully_without_javascript_on_a_phone(browser, base_url, path):
    context = browser.new_context(viewport=WIDTHS["phone"], java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
    tab = context.new_page()
    tab.goto(f"{base_url}/{path}")
    assert_reads_fully_without_javascript(tab, path, "phone")
    context.close()


def test_without_javascript_a_self_check_says_what_it_needs_and_keeps_every_reason(without_javascript, base_url):
    tab = without_javascript.new_page()
    tab.goto(f"{base_url}/book/primary_outcomes.html")
    check = tab.locator("#selfcheck-primary-dz-vs-d")
    note = check.locator(".cnslbp-selfcheck__needs-js")
    assert note.is_visible()
    assert "needs JavaScript to answer back" in note.inner_text()
    assert not check.locator(".cnslbp-selfcheck__check").is_visible()
    check.locator("details summary").click()  # a native disclosure: no script needed
    reasons = check.locator("details li")
    assert reasons.count() == check.locator("input[type=radio]").count() == 4
    assert all(reasons.nth(index).is_visible() for index in range(reasons.count()))
    tab.close()


# Everything on a page at phone width that a reader could not see or read: the page scrolling sideways;
# a box whose content is wider than it and that gives no sign of it (a scroll box shows a shadow at the
# edge where more is hidden: cnslbp.css's cue; a box that cuts text ends it with an ellipsis); and text,
# in HTML or in a chart's SVG, drawn smaller than MIN_TEXT_PX (its font size times the SVG's scale).
PHONE_PROBLEMS = """minimum => {
  const problems = [];
  const name = element => {
    const classes = [...element.classList].slice(0, 3).join('.');
    const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `<${element.tagName.toLowerCase()}${classes ? '.' + classes : ''}> "${text}"`;
  };
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${page.scrollWidth} px wide in ${page.clientWidth} px`);
  }
  const shown = element => {
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(element).visibility !== 'hidden';
  };
  // MathJax's text for assistive technology is clipped to nothing, but counts in a formula's scrollWidth
  const width = element => element.matches('.math, mjx-container')
    ? Math.max(0, ...[...element.querySelectorAll('mjx-math')].map(math => math.getBoundingClientRect().width))
    : element.scrollWidth;
  for (const element of document.body.querySelectorAll('*')) {
    if (/^MJX-(?!CONTAINER)/.test(element.tagName)) continue;  // inside a formula: MathJax's own layout
    if (width(element) <= element.clientWidth + 1 || !shown(element)) continue;
    const style = getComputedStyle(element);
    if (style.overflowX === 'visible' || style.display === 'inline') continue;
    const cue = ['auto', 'scroll'].includes(style.overflowX)
      ? style.backgroundAttachment.includes('local') && style.backgroundImage.includes('gradient')
      : style.textOverflow === 'ellipsis';
    const hidden = Math.round(width(element) - element.clientWidth);
    if (!cue) problems.push(`${name(element)} hides ${hidden} px of its content with no cue`);
  }
  for (const chart of document.querySelectorAll('.cnslbp-chart')) {
    const drawn = [...chart.querySelectorAll('svg')].some(svg => svg.getBoundingClientRect().width > 200);
    if (!drawn) problems.push(`${name(chart)} shows no drawing`);
  }
  const small = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    const unseen = 'script, style, desc, title, .visually-hidden, mjx-assistive-mml';  // clipped to nothing
    if (!node.textContent.trim() || !element || element.closest(unseen)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const boxes = [...range.getClientRects()].filter(box => box.width > 1 && box.height > 1);
    const style = getComputedStyle(element);
    if (!boxes.length || style.visibility === 'hidden' || style.opacity === '0') continue;
    let size = parseFloat(style.fontSize);
    if (element instanceof SVGElement) {
      const matrix = element.getScreenCTM();
      size *= matrix ? Math.hypot(matrix.a, matrix.b) : 1;
    }
    if (size < minimum - 0.05) {
      const key = `${name(element).split(' ')[0]} at ${size.toFixed(1)} px`;
      small.set(key, small.get(key) || node.textContent.trim().slice(0, 40));
    }
  }
  for (const [key, text] of small) problems.push(`text ${key}, such as "${text}"`);
  return problems;
}"""
MIN_TEXT_PX = 11


def test_every_page_fits_a_phone_with_no_hidden_column_and_no_text_under_11_px(browser, base_url):
    """At 390 px: each page as it first paints (static charts) and once every chart is live; then its screenshot
    under ``_build/screenshots/phone/``, all but the library reference's (up to 70,000 px tall on a phone: this
    test checks them, the desktop screenshots show them)."""
    context = browser.new_context(viewport=WIDTHS["phone"])
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
    tab = context.new_page()
    problems = []
    try:
        for path in site_pages():
            tab.goto(f"{base_url}/{path}", wait_until="load")
            found = tab.evaluate(PHONE_PROBLEMS, MIN_TEXT_PX)
            tab.evaluate("window.cnslbpDrawAll()")
            found += [f"{problem} (live)" for problem in tab.evaluate(PHONE_PROBLEMS, MIN_TEXT_PX)]
            problems += [f"{path}: {problem}" for problem in dict.fromkeys(found)]
            if not path.startswith("book/reference_"):
                screenshot_at_width(SimpleNamespace(tab=tab, path=path), "phone")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def letters(text: str) -> str:
    """Text without its spacing and typographic ligatures ("ﬃ" in a PDF is "ffi"), to compare reading order."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# TeX as MathJax reads it from the page: a delimiter or a command such as \frac, \sqrt, \bar
RAW_TEX = re.compile(r"\\[()\[\]]|\\[a-zA-Z]{2,}")


def most(site: Path, marker: str) -> str:
    """The book's chapter whose page holds ``marker`` most often."""
    return max(CHART_PAGES, key=lambda path: (site / path).read_text(encoding="utf-8").count(marker))


def test_a_page_printed_straight_after_loading_shows_every_formula_typeset(
    visit, base_url, reconstruction_site, tmp_path
):
    """A reader's print (here Chromium's own print to PDF) comes before any formula has been scrolled to."""
    path = most(reconstruction_site, 'class="math')
    page = visit(path)
    math = page.tab.locator(".math")
    assert RAW_TEX.search(math.first.text_content())  # the page holds TeX until it is typeset
    below = page.tab.evaluate("[...document.querySelectorAll('.math')].at(-1).getBoundingClientRect().top")
    assert below > 2 * WIDTHS["desktop"]["height"]  # far below the first screen: never near the viewport
    title = letters(page.tab.locator("article h1").first.inner_text().rstrip("#"))
    out = tmp_path / "printed.pdf"
    page.tab.pdf(path=str(out), format="A4")
    assert page.tab.evaluate("document.querySelectorAll('.math:not(:has(mjx-container))').length") == 0
    text = pdf_text(out)
    assert title in letters(text)
    assert RAW_TEX.findall(text) == []
    # Chromium's command-line print: load, then print, with nothing else run
    cli = tmp_path / "cli.pdf"
    subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={cli}", f"{base_url}/{path}"],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    printed = pdf_text(cli)
    assert title in letters(printed)
    assert RAW_TEX.findall(printed) == []


def test_on_paper_numbers_stay_in_their_sentences_with_no_notes_and_charts_as_their_captions_say(
    visit, reconstruction_site, tmp_path
):
    page = visit(most(reconstruction_site, "cnslbp-when-still"))
    page.draw_all()  # every chart live, as a reader who scrolled through would have it
    page.tab.locator("a.cnslbp-num").first.focus()  # a number's note open on screen
    out = tmp_path / "printed.pdf"
    page.tab.pdf(path=str(out), format="A4")
    printed = letters(pdf_text(out))
    page.tab.emulate_media(media="print")
    marked = "a.cnslbp-num):not(:has(.math)):visible"  # MathJax's text for assistive technology is not printed
    sentences = page.tab.locator(f"article p:has({marked}, article li:has({marked}")
    assert sentences.count() > 5
    for index in range(sentences.count()):
        words = letters(sentences.nth(index).inner_text())
        assert words in printed, f"on paper, this sentence reads differently: {sentences.nth(index).inner_text()!r}"
    notes = page.tab.locator("a.cnslbp-num .cnslbp-tip").all_text_contents()
    assert notes and not any(letters(note) in printed for note in notes)
    # a chart with sliders is printed as its static drawing, and its caption says what that shows
    still = page.tab.locator("figure .cnslbp-when-still")
    live = page.tab.locator("figure .cnslbp-when-live")
    assert still.count() >= 1 and still.count() == live.count()
    for index in range(still.count()):
        assert letters(still.nth(index).inner_text()) in printed
        assert letters(live.nth(index).text_content()) not in printed
    page.tab.emulate_media(media="screen")
    assert live.first.is_visible() and not still.first.is_visible()  # on screen, the live chart's words


def test_nothing_on_the_other_pages_needs_javascript(reconstruction_site):
    from bs4 import BeautifulSoup

    for path in sorted(set(CHAPTERS) - set(CHART_PAGES)):
        page = BeautifulSoup((reconstruction_site / path).read_text(encoding="utf-8"), "html.parser")
        assert page.select(".cnslbp-chart, .cnslbp-selfcheck") == [], path
