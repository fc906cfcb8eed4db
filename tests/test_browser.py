"""The website in a real browser: Debian's Chromium, offline, accessible, printable.

The built site is served on 127.0.0.1 and every request to any other host is
refused. Skipped, with a message, only when Chromium is not installed; CI
installs it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnslbp_lib.publish.pdf import chapter_order, find_chromium, serve

from .conftest import ROOT

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium): browser tests skipped"
)
SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


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
        self.tab.wait_for_function(
            "[...document.querySelectorAll('.cnslbp-chart')].every(chart => chart.querySelector('svg'))"
        )

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
    assert page.errors == []
    assert page.failed == []
    assert page.outside == []


CHART_PAGES = ["book/design.html", "book/stages.html", "book/primary_outcomes.html", "book/secondary_outcomes.html",
               "book/association.html", "book/limitations.html", "book/number_audit.html"]  # fmt: skip


@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_renders_and_shows_a_tooltip_on_hover(visit, path):
    page = visit(path)
    charts = page.tab.locator(".cnslbp-chart")
    assert charts.count() > 0
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.locator("svg").count() == 1
        assert chart.locator("svg").get_attribute("aria-label"), "chart has no text alternative"
        shown = False
        for mark in chart.locator('[role="graphics-symbol"]').all()[:40]:
            box = mark.bounding_box()
            if not box or box["width"] * box["height"] == 0:
                continue
            mark.hover(force=True)
            tooltip = page.tab.locator("#vg-tooltip-element.visible")
            if tooltip.count() and tooltip.inner_text().strip():
                shown = True
                break
        assert shown, f"chart {index + 1} on {path} showed no tooltip"


@pytest.mark.parametrize("path", ["book/design.html", "book/primary_outcomes.html"])
def test_math_is_typeset_from_the_sites_own_mathjax(visit, path):
    page = visit(path)
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
        number.focus()
        tip = number.locator(".cnslbp-tip")
        assert tip.is_visible()
        text = tip.inner_text()
        assert "datasets the abstract allows" in text
        assert number.get_attribute("aria-describedby") == tip.get_attribute("id")
        if "fixed by the abstract" not in text.lower():
            assert number.locator(".cnslbp-range").inner_text().startswith(" [90%: ")


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
    assert "DISAGREES" in row.inner_text()


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
    results = Axe().run(page.tab)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


@pytest.mark.parametrize("path", site_pages())
@pytest.mark.parametrize("width", WIDTHS)
def test_screenshot_at_desktop_and_phone_width(visit, path, width):
    page = visit(path, WIDTHS[width])
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
    page.tab.screenshot(path=str(target), full_page=True)
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
    # every chart the site's pages hold is printed as a vector drawing
    charts = sum(
        page.read_text(encoding="utf-8").count('class="cnslbp-chart"') for page in reconstruction_site.rglob("*.html")
    )
    assert f", {charts} charts, " in result.stdout
    reader = PdfReader(out)
    assert len(reader.pages) == pages
    assert "Page 1 of" in reader.pages[0].extract_text()
    body = "\n".join(page.extract_text() for page in reader.pages[1:])
    positions = [body.find(title) for title in ("Start here", "Background:", "Design:", "Number audit", "Glossary")]
    assert -1 not in positions and positions == sorted(positions)
    assert "PIQ score (points, higher = worse)" in body  # chart text is in the PDF as vectors
