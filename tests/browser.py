"""What the browser tests share: Debian's Chromium, the pages to visit, one visit with everything that went wrong.

The fixtures that open the browser and serve the site are in ``conftest.py``;
the tests are in ``test_browser.py`` (with JavaScript, at desktop width) and
``test_browser_static.py`` (without JavaScript, at phone width, on paper), so
that pytest-xdist runs the two halves on both workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnslbp_lib.publish.build.pdf import chapter_order, find_chromium
from cnslbp_lib.publish.build.reproduce import book_chapters

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium): browser tests skipped"
)
SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOT_HEIGHT = 16_000


class Visit:
    """One page in a fresh tab, with everything that went wrong while it loaded."""

    def __init__(
        self, browser, base_url: str, path: str, viewport: dict[str, int] | None = None, wait_until: str = "load"
    ) -> None:
        """Open ``path``; ``wait_until`` is Playwright's: "load" (the page and its scripts have run; what a
        test does next waits for what it needs) or "networkidle" (nothing requested for half a second)."""
        self.path = path
        self.tab = browser.new_page(viewport=viewport or WIDTHS["desktop"])
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []
        self.in_flight = 0
        self.tab.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.on("requestfailed", lambda request: self.failed.append(request.url))
        self.tab.on("request", lambda request: self._count(1))
        self.tab.on("requestfinished", lambda request: self._count(-1))
        self.tab.on("requestfailed", lambda request: self._count(-1))

        def route(handle) -> None:
            if handle.request.url.startswith(base_url):
                handle.continue_()
            else:
                self.outside.append(handle.request.url)
                handle.abort()

        self.tab.route("**/*", route)
        self.tab.goto(f"{base_url}/{path}", wait_until=wait_until)

    def _count(self, step: int) -> None:
        self.in_flight += step

    def draw_all(self) -> None:
        """Draw every interactive chart live and typeset all math now, as printing and tests need."""
        self.tab.evaluate("window.cnslbpDrawAll()")

    def settle(self, timeout: float = 30) -> None:
        """Wait until every request the page has made has finished or failed (without networkidle's
        half-second of quiet: the page has nothing left to request once it is loaded and drawn)."""
        for _ in range(int(timeout / 0.02)):
            if self.in_flight == 0:
                return
            self.tab.wait_for_timeout(20)  # Playwright delivers the page's events while it waits
        raise AssertionError(f"{self.path}: {self.in_flight} requests still unfinished after {timeout} s")

    def close(self) -> None:
        self.tab.close()


def site_pages() -> list[str]:
    return [f"{chapter}.html" for chapter in chapter_order()] + ["search.html", "genindex.html"]


CHAPTERS = [f"{chapter}.html" for chapter in chapter_order()]
# the pages that can hold charts: the reproduce page and the library reference draw none
CHART_PAGES = [f"{chapter}.html" for chapter in book_chapters()]


def interactive_chapters(site: Path) -> list[str]:
    """The chapters that have an interactive chart, in the order of the book."""
    return [path for path in CHART_PAGES if "cnslbp-chart--interactive" in (site / path).read_text(encoding="utf-8")]


def save_screenshot(tab, target: Path) -> None:
    """The page from its top, down to SCREENSHOT_HEIGHT pixels: a library reference page is some
    60,000 (the layout checks cover all of it)."""
    height = tab.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": tab.viewport_size["width"], "height": min(height, SCREENSHOT_HEIGHT)}
    # JPEG: pages tens of thousands of pixels tall encode in about half PNG's time, and read as well
    tab.screenshot(path=str(target), full_page=True, clip=clip, type="jpeg", quality=85)


def screenshot_at_width(page: Visit, width: str) -> None:
    """Layout checks at ``width`` (no sideways scrolling, no chart wider than its column, math typeset), then
    the screenshot under ``_build/screenshots/<width>/``."""
    path = page.path
    # layout checks first: a full-page screenshot briefly resizes the viewport
    overflow = page.tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways at {width} width"
    too_wide = page.tab.evaluate(
        "[...document.querySelectorAll('.cnslbp-chart')].filter(chart =>"
        " chart.querySelector('svg').getBoundingClientRect().width > chart.getBoundingClientRect().width + 1).length"
    )
    assert too_wide == 0, f"{too_wide} charts on {path} are wider than their container at {width} width"
    page.tab.wait_for_function("document.querySelectorAll('.math:not(:has(mjx-container))').length === 0")
    target = SCREENSHOTS / width / (path.replace("/", "_").split("?")[0] + ".jpg")
    target.parent.mkdir(parents=True, exist_ok=True)
    save_screenshot(page.tab, target)
    assert target.stat().st_size > 10_000
