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
from collections.abc import Iterator

import pytest

from .browser import (
    CHAPTERS,
    CHART_PAGES,
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


@pytest.mark.parametrize("path", site_pages())
def test_screenshot_at_phone_width(visit, path):
    page = visit(path, WIDTHS["phone"])
    page.draw_all()
    screenshot_at_width(page, "phone")


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
    # the site folds every chapter's code behind a toggle; on paper the toggles would only repeat
    assert "Show code cell source" in (reconstruction_site / "book" / "stages.html").read_text(encoding="utf-8")
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
def test_static_and_live_charts_draw_the_same_marks_axes_and_labels(visit, without_javascript, base_url, path):
    static_page = without_javascript.new_page()
    static_page.goto(f"{base_url}/{path}")
    static_charts = static_page.locator(".cnslbp-chart svg.cnslbp-static")
    static = [static_charts.nth(index).evaluate(SVG_SUMMARY) for index in range(static_charts.count())]
    static_page.close()
    page = visit(path)
    # as wide as the static drawing (a page without a contents sidebar has a wider column)
    page.tab.evaluate(
        "for (const chart of document.querySelectorAll('.cnslbp-chart')) {"
        " chart.style.width = chart.querySelector('svg.cnslbp-static').getAttribute('width') + 'px'; }"
    )
    page.draw_all()
    live_charts = page.tab.locator(".cnslbp-chart svg")
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


@pytest.mark.parametrize("path", CHAPTERS)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_page_reads_fully_without_javascript(browser, base_url, path, width):
    context = browser.new_context(viewport=WIDTHS[width], java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
    tab = context.new_page()
    tab.goto(f"{base_url}/{path}")
    assert tab.locator("article.bd-article h1").first.is_visible()
    assert len(tab.locator("article.bd-article").inner_text()) > 1000
    charts = tab.locator(".cnslbp-chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        drawing = chart.locator("svg.cnslbp-static")
        assert drawing.count() == 1 and drawing.is_visible(), f"chart {index + 1} on {path} is not drawn"
        assert drawing.get_attribute("aria-label"), f"chart {index + 1} on {path} has no accessible name"
        box, frame = drawing.bounding_box(), chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 30, f"chart {index + 1} on {path} is drawn too small"
        assert box["width"] <= frame["width"] + 1, f"chart {index + 1} on {path} is wider than the column"
        # no room is kept for a live chart that will never come
        assert frame["height"] <= box["height"] + 8, f"chart {index + 1} on {path} keeps empty room below it"
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways at {width} width without JavaScript"
    target = SCREENSHOTS / f"{width}-no-javascript" / (path.replace("/", "_") + ".png")
    target.parent.mkdir(parents=True, exist_ok=True)
    save_screenshot(tab, target)
    context.close()
