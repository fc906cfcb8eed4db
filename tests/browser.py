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

    def idle(self) -> None:
        """Wait until the browser has been idle once: the page's own after-load work (it runs in an idle
        callback queued at load: drawing the charts near the viewport, watching the math) has run."""
        self.tab.evaluate("new Promise(done => requestIdleCallback(done, { timeout: 3000 }))")

    def settle(self, quiet: float = 0.2, timeout: float = 30) -> None:
        """Wait until nothing the page asked for is still on its way, for ``quiet`` seconds on end (every
        request finished or failed): networkidle's rule, with a shorter quiet spell."""
        still = 0.0
        for _ in range(int(timeout / 0.02)):
            still = still + 0.02 if self.in_flight == 0 else 0.0
            if still >= quiet:
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
    assert_drawn(target)


def assert_drawn(target: Path) -> None:
    """The screenshot shows a page, not a blank one: its first screen's grey levels vary (a blank page's
    JPEG is as large as a short page's, so its size says nothing)."""
    from PIL import Image, ImageStat

    with Image.open(target) as image:
        first_screen = image.convert("L").crop((0, 0, image.width, min(image.height, 900)))
        assert ImageStat.Stat(first_screen).stddev[0] > 10, f"{target.name} is blank"


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
