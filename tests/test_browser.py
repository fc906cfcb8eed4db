"""The website in a real browser: Debian's Chromium, offline, accessible, printable.

The built site is served on 127.0.0.1 and every request to any other host is
refused. Skipped, with a message, only when Chromium is not installed; CI
installs it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnslbp_lib.publish.pdf import chapter_order, find_chromium, serve
from cnslbp_lib.publish.reproduce import book_chapters

from .conftest import ROOT

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium): browser tests skipped"
)
SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOT_HEIGHT = 16_000


@pytest.fixture(scope="module")
def base_url(reconstruction_site: Path) -> Iterator[str]:
    with serve(reconstruction_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield launched
        launched.close()


class Visit:
    """One page in a fresh tab, with everything that went wrong while it loaded."""

    def __init__(self, browser, base_url: str, path: str, viewport: dict[str, int] | None = None) -> None:
        self.tab = browser.new_page(viewport=viewport or WIDTHS["desktop"])
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []
        self.tab.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.on("requestfailed", lambda request: self.failed.append(request.url))

        def route(handle) -> None:
            if handle.request.url.startswith(base_url):
                handle.continue_()
            else:
                self.outside.append(handle.request.url)
                handle.abort()

        self.tab.route("**/*", route)
        self.tab.goto(f"{base_url}/{path}", wait_until="networkidle")

    def draw_all(self) -> None:
        """Draw every interactive chart live and typeset all math now, as printing and tests need."""
        self.tab.evaluate("window.cnslbpDrawAll()")

    def close(self) -> None:
        self.tab.close()


@pytest.fixture
def visit(browser, base_url) -> Iterator[object]:
    opened: list[Visit] = []

    def open_page(path: str, viewport: dict[str, int] | None = None) -> Visit:
        opened.append(Visit(browser, base_url, path, viewport))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def site_pages() -> list[str]:
    return [f"{chapter}.html" for chapter in chapter_order()] + ["search.html", "genindex.html"]


@pytest.mark.parametrize("path", site_pages())
def test_page_loads_with_no_errors_failed_or_outside_requests(visit, path):
    page = visit(path)
    page.draw_all()
    assert page.errors == []
    assert page.failed == []
    assert page.outside == []


CHAPTERS = [f"{chapter}.html" for chapter in chapter_order()]
# the pages that can hold charts: the reproduce page and the library reference draw none
CHART_PAGES = [f"{chapter}.html" for chapter in book_chapters()]


def test_only_the_books_chapters_draw_charts(reconstruction_site):
    for path in sorted(set(CHAPTERS) - set(CHART_PAGES)):
        assert 'class="cnslbp-chart' not in (reconstruction_site / path).read_text(encoding="utf-8"), path


def interactive_chapters(site: Path) -> list[str]:
    """The chapters that have an interactive chart, in the order of the book."""
    return [path for path in CHART_PAGES if "cnslbp-chart--interactive" in (site / path).read_text(encoding="utf-8")]


def test_most_chapters_with_results_have_interactive_charts(reconstruction_site):
    assert len(interactive_chapters(reconstruction_site)) >= 5


@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_renders_and_shows_a_tooltip_on_hover(visit, path):
    page = visit(path)
    page.draw_all()
    charts = page.tab.locator(".cnslbp-chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.locator(".cnslbp-chart-live svg").count() == 1
        # the static drawings stay in the page, for print, hidden
        assert chart.locator("svg.cnslbp-static:visible").count() == 0, "the live chart did not replace the static one"
        assert chart.locator(".cnslbp-chart-live svg").get_attribute("aria-label"), "chart has no text alternative"
        shown = False
        for mark in chart.locator('[role="graphics-symbol"]').all()[:40]:
            box = mark.bounding_box()
            if not box or box["width"] * box["height"] == 0:
                continue
            tooltip = page.tab.locator("#vg-tooltip-element.visible")
            # a dotted rule is hit only on its dashes: its centre may fall in a gap, so try a few points along it
            for share in (0.5, 0.25, 0.75):
                mark.hover(force=True, position={"x": box["width"] * share, "y": box["height"] * share})
                if tooltip.count() and tooltip.inner_text().strip():
                    shown = True
                    break
            if shown:
                break
        assert shown, f"chart {index + 1} on {path} showed no tooltip"


@pytest.mark.parametrize("path", ["book/design.html", "book/primary_outcomes.html"])
def test_math_is_typeset_from_the_sites_own_mathjax(visit, path):
    page = visit(path)
    page.draw_all()
    page.tab.wait_for_function("document.querySelectorAll('.math:not(:has(mjx-container))').length === 0")
    assert page.tab.locator("mjx-container").count() > 0


CHECK_PAGES = ["book/start_here.html", "book/design.html", "book/primary_outcomes.html",
               "book/secondary_outcomes.html", "book/association.html", "book/limitations.html"]  # fmt: skip


@pytest.mark.parametrize("path", CHECK_PAGES)
def test_every_number_check_opens_with_the_paper_and_the_recomputed_value(visit, path):
    page = visit(path)
    checks = page.tab.locator("a.cnslbp-num:not(.cnslbp-prov)")
    assert checks.count() > 0
    for index in range(checks.count()):
        check = checks.nth(index)
        check.focus()
        tip = check.locator(".cnslbp-tip")
        assert tip.is_visible()
        text = tip.inner_text()
        assert "Paper:" in text and "Recomputed:" in text and "Verdict:" in text
        assert check.get_attribute("aria-describedby") == tip.get_attribute("id")


@pytest.mark.parametrize("path", ["book/primary_outcomes.html", "book/association.html", "book/stages.html"])
def test_every_ranged_number_opens_with_its_class_and_its_spread_across_datasets(visit, path):
    page = visit(path)
    ranged = page.tab.locator("a.cnslbp-prov")
    assert ranged.count() > 0
    for index in range(ranged.count()):
        number = ranged.nth(index)
        if not number.is_visible():  # inside a closed solution: a reader opens it first
            continue
        number.focus()
        tip = number.locator(".cnslbp-tip")
        assert tip.is_visible()
        text = tip.inner_text()
        # its basis said: drawn datasets (a sample, so named), exact bounds, or what it is computed from
        said = (
            "drawn dataset",
            "Allowed by the abstract",
            "every dataset the abstract allows",
            "computed from",
            "printed in the abstract",
            "an assumption of this book",
        )
        assert any(words in text for words in said), text
        assert number.get_attribute("aria-describedby") == tip.get_attribute("id")
        shown = number.locator(".cnslbp-range")
        if shown.count():  # a range says whether it is a bound or a sample
            assert shown.inner_text().startswith((" [drawn 90%: ", " [allowed: "))


def test_keyboard_focus_reaches_the_number_checks_and_escape_hides_the_tooltip(visit):
    page = visit("book/start_here.html")
    for _ in range(150):
        page.tab.keyboard.press("Tab")
        if page.tab.evaluate("document.activeElement.classList.contains('cnslbp-num')"):
            break
    else:
        pytest.fail("Tab never reached a number check")
    tip = page.tab.locator(":focus .cnslbp-tip")
    assert tip.is_visible()
    page.tab.keyboard.press("Escape")
    assert not tip.is_visible()


def test_a_number_check_leads_to_its_row_in_the_audit(visit):
    page = visit("book/primary_outcomes.html")
    page.tab.locator('a.cnslbp-num[data-key="pseq_p_val"]').first.click()
    page.tab.wait_for_url(re.compile(r"number_audit\.html#audit-pseq_p_val$"))
    row = page.tab.locator("#audit-pseq_p_val")
    assert "DIFFERS" in row.inner_text()


def test_on_a_touch_screen_the_first_tap_opens_the_note_and_the_second_follows_the_link(browser, base_url):
    context = browser.new_context(viewport=WIDTHS["phone"], has_touch=True, is_mobile=True)
    tab = context.new_page()
    try:
        tab.goto(f"{base_url}/book/primary_outcomes.html", wait_until="networkidle")
        number = tab.locator('a.cnslbp-num[data-key="pseq_p_val"]').first
        number.scroll_into_view_if_needed()
        number.tap()
        tab.wait_for_timeout(200)
        assert tab.url.endswith("primary_outcomes.html")
        assert number.locator(".cnslbp-tip").is_visible()
        number.tap()
        tab.wait_for_url(re.compile(r"number_audit\.html#audit-pseq_p_val$"))
    finally:
        context.close()


def test_next_link_and_glossary_links_navigate(visit):
    page = visit("book/start_here.html")
    page.tab.locator("a.right-next").click()
    page.tab.wait_for_url(re.compile(r"background\.html$"))
    page.tab.goto(page.tab.url.replace("background.html", "design.html"))
    term = page.tab.locator('a[href^="glossary.html#term-"]').first
    target = term.get_attribute("href").split("#")[1]
    term.click()
    page.tab.wait_for_url(re.compile(r"glossary\.html#"))
    assert page.tab.locator(f"#{target}").is_visible()


def test_search_finds_pages_offline(visit):
    page = visit("search.html?q=regression")
    page.tab.wait_for_selector("#search-results ul li", timeout=10_000)
    assert "limitations" in page.tab.locator("#search-results").inner_html()


@pytest.mark.parametrize(
    ("path", "slider", "readout"),
    [
        ("book/primary_outcomes.html", "PIQ threshold (points)", "% ("),
        ("book/limitations.html", "PIQ test–retest reliability", "expected with no effect"),
        ("book/primary_outcomes.html", "Correlation between stage 2 and stage 3 scores", "expected to improve"),
    ],
)
def test_sliders_change_the_chart(visit, path, slider, readout):
    page = visit(path)
    page.draw_all()
    control = page.tab.locator(".vega-bind", has_text=slider).locator("input[type=range]")
    chart = control.locator("xpath=ancestor::div[contains(@class,'cnslbp-chart')]")

    def shown() -> str:
        texts = chart.locator("svg text").evaluate_all("nodes => nodes.map(node => node.textContent)")
        return " | ".join(text for text in texts if readout in text)

    before = shown()
    assert before, f"no readout containing {readout!r}"
    low, high = float(control.get_attribute("min")), float(control.get_attribute("max"))
    control.fill(str(round(low + (high - low) * 0.85, 2)))
    page.tab.wait_for_timeout(200)
    assert shown() != before


@pytest.mark.parametrize("path", site_pages())
def test_no_serious_or_critical_accessibility_violations(visit, path):
    from axe_playwright_python.sync_playwright import Axe

    page = visit(path)
    page.draw_all()  # the live charts and their controls are checked too
    results = Axe().run(page.tab)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


def save_screenshot(tab, target: Path) -> None:
    """The page from its top, down to SCREENSHOT_HEIGHT pixels: a library reference page is some
    60,000 (the layout checks cover all of it)."""
    height = tab.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": tab.viewport_size["width"], "height": min(height, SCREENSHOT_HEIGHT)}
    tab.screenshot(path=str(target), full_page=True, clip=clip)


@pytest.mark.parametrize("path", site_pages())
@pytest.mark.parametrize("width", WIDTHS)
def test_screenshot_at_desktop_and_phone_width(visit, path, width):
    page = visit(path, WIDTHS[width])
    page.draw_all()
    # layout checks first: a full-page screenshot briefly resizes the viewport
    overflow = page.tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways at {width} width"
    too_wide = page.tab.evaluate(
        "[...document.querySelectorAll('.cnslbp-chart')].filter(chart =>"
        " chart.querySelector('svg').getBoundingClientRect().width > chart.getBoundingClientRect().width + 1).length"
    )
    assert too_wide == 0, f"{too_wide} charts on {path} are wider than their container at {width} width"
    page.tab.wait_for_function("document.querySelectorAll('.math:not(:has(mjx-container))').length === 0")
    target = SCREENSHOTS / width / (path.replace("/", "_").split("?")[0] + ".png")
    target.parent.mkdir(parents=True, exist_ok=True)
    save_screenshot(page.tab, target)
    assert target.stat().st_size > 10_000


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
def test_static_and_live_charts_draw_the_same_marks_axes_and_labels(visit, without_javascript, base_url, path):
    static_page = without_javascript.new_page()
    static_page.goto(f"{base_url}/{path}")
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
    target = SCREENSHOTS / f"{width}-no-javascript" / (path.replace("/", "_") + ".png")
    target.parent.mkdir(parents=True, exist_ok=True)
    save_screenshot(tab, target)
    context.close()


def test_vega_is_loaded_only_once_a_chart_nears_the_viewport(visit, reconstruction_site):
    short = {"width": 1280, "height": 500}
    for path in interactive_chapters(reconstruction_site):  # the first whose charts start below the first screen
        page = visit(path, short)
        top = page.tab.evaluate("document.querySelector('.cnslbp-chart--interactive').getBoundingClientRect().top")
        if top > short["height"] + 300:
            break
    else:
        pytest.fail("every chapter with charts has one on its first screen")
    fetched = "performance.getEntriesByType('resource').some(entry => entry.name.includes('vega-bundle'))"
    page.tab.wait_for_timeout(1500)  # the page has loaded and the browser has been idle
    assert not page.tab.evaluate(fetched)
    assert page.tab.locator(".cnslbp-chart--live").count() == 0
    assert page.tab.locator(".cnslbp-chart svg.cnslbp-static").count() > 0
    chart = page.tab.locator(".cnslbp-chart--interactive").first
    chart.scroll_into_view_if_needed()
    page.tab.wait_for_function(
        "document.querySelector('.cnslbp-chart--interactive').classList.contains('cnslbp-chart--live')"
    )
    assert page.tab.evaluate(fetched)
    assert page.errors == []


def test_the_regression_to_the_mean_simulators_read_out_the_closed_form(visit, cohort):
    from cnslbp_lib.data.instruments import get_instrument
    from cnslbp_lib.stats.rtm import expected_null_improvement, rtm_figures

    page = visit("book/limitations.html")
    page.draw_all()
    for instrument in ("piq", "pseq"):
        entry = get_instrument(instrument)
        sd = rtm_figures(cohort.data, instrument, cohort_size=cohort.n_participants).sd
        reliability = page.tab.locator(".vega-bind", has_text=f"{entry.abbreviation} test–retest reliability")
        threshold = page.tab.locator(".vega-bind", has_text=f"{entry.abbreviation} non-response threshold")
        chart = reliability.locator("xpath=ancestor::div[contains(@class,'cnslbp-chart ')]")
        low, high = (float(threshold.locator("input").get_attribute(bound)) for bound in ("min", "max"))
        for points in (low, float(entry.threshold), high):
            threshold.locator("input").fill(str(int(points)))
            for rho in (0.5, 0.63, 0.75, 0.88, 0.95):
                reliability.locator("input").fill(f"{rho:.2f}")
                expected = f"expected with no effect: {float(expected_null_improvement(rho, points, sd)):.2f} points"
                readout = chart.locator(".cnslbp-chart-live svg text", has_text="expected with no effect")
                page.tab.wait_for_function(
                    "([node, text]) => node.textContent === text", arg=[readout.element_handle(), expected]
                )
                assert readout.text_content() == expected, f"{instrument}: reliability {rho}, threshold {points}"


# --- self-checks: the script answers back; without it, the page says what it needs -----------------
def self_check_feedback(tab, check: str) -> str:
    """Press the check's button and read its live region once the script has filled it."""
    tab.click(f"#selfcheck-{check} .cnslbp-selfcheck__check")
    region = tab.locator(f"#selfcheck-{check} [role=status]")
    region.locator("p").wait_for()
    return region.inner_text()


def test_a_choice_self_check_says_why_a_wrong_and_the_right_answer_are_so(visit):
    page = visit("book/primary_outcomes.html")
    holm = page.tab.locator("#selfcheck-primary-holm")
    assert holm.locator(".cnslbp-selfcheck__check").is_visible()
    assert not holm.locator(".cnslbp-selfcheck__needs-js").is_visible()
    page.tab.check("#selfcheck-primary-holm-a")  # "that the MRI package improved both outcomes"
    said = self_check_feedback(page.tab, "primary-holm")
    assert said.startswith("A is not right.")
    assert "cannot say what caused a change" in said
    assert holm.get_attribute("data-state") == "wrong"
    page.tab.check("#selfcheck-primary-holm-d")  # changing the answer clears the feedback
    assert page.tab.locator("#selfcheck-primary-holm [role=status]").inner_text() == ""
    said = self_check_feedback(page.tab, "primary-holm")
    assert said.startswith("D is right.")
    assert "no adjustment removes them" in said
    assert holm.get_attribute("data-state") == "right"
    assert page.errors == []


def test_a_numeric_self_check_accepts_the_answer_and_names_a_known_slip(visit):
    page = visit("book/number_audit.html")
    field = "#selfcheck-audit-responder-count-answer"
    # 78.5% of 14 people is 10.99 people, so 11 (worked by hand)
    for typed, opening, words in [
        ("11", "Right.", "the share was cut off, not rounded"),
        ("11,0", "Right.", "cut off, not rounded"),  # a decimal comma is a decimal point
        ("10", "Not right.", "cuts 10.99 down instead of rounding it"),  # the listed slip
        ("10.99", "Close, but not right.", "people come whole"),
        ("\u22123", "Not right.", "Multiply the share by the number of people"),  # a true minus, far off
    ]:
        page.tab.fill(field, typed)
        said = self_check_feedback(page.tab, "audit-responder-count")
        assert said.startswith(opening), (typed, said)
        assert words in said, (typed, said)
    page.tab.fill(field, "eleven")
    assert self_check_feedback(page.tab, "audit-responder-count").startswith("Type a number")
    assert page.errors == []


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
    """At 390 px: each page as it first paints (static charts) and once every chart is live."""
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
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_dataset_banner_is_one_line_on_a_phone_and_keeps_the_whole_hash(visit):
    page = visit("book/start_here.html", WIDTHS["phone"])
    banner = page.tab.locator(".cnslbp-provenance")
    line = page.tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.cnslbp-provenance')).lineHeight)")
    assert banner.bounding_box()["height"] <= line * 1.5
    assert cl_hash() in banner.inner_html()


def cl_hash() -> str:
    from cnslbp_lib.data.source import reconstruction_sha256

    return reconstruction_sha256()


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
