"""Each page's weight and the time until all its charts are drawn, in Debian's Chromium.

    python benchmarks/pages.py [SITE]        (default: _build/html; build it with 'make book')

For every page: its own HTML, the page-specific assets it loads (the Vega bundle
only on chart pages, MathJax only on pages with math), and the time from
navigation start until every chart is drawn, as the median of three loads in
two conditions: cold (a fresh browser profile, nothing cached) and warm (the
same page opened again in the same profile, as when a reader moves between
chapters). Target: under 1 s per page on this machine.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from cnslbp_lib.data.source import PROJECT_ROOT
from cnslbp_lib.publish.pdf import chapter_order, find_chromium, serve

TARGET_S = 1.0
LOADS = 3
# Installed before the page loads: records the moment the last chart gets its SVG (or, on a page
# without charts, when the document is parsed). Reading the clock later, at the next animation
# frame, would also count whatever runs after the charts, such as MathJax typesetting.
RECORD_DRAWN = """
(() => {
  const check = () => {
    const charts = [...document.querySelectorAll('.cnslbp-chart')];
    if (window.__drawn === undefined && document.readyState !== 'loading'
        && charts.every(chart => chart.querySelector('svg'))) {
      window.__drawn = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true});
  document.addEventListener('DOMContentLoaded', check);
})();
"""


def main(site: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    pages = [f"{chapter}.html" for chapter in chapter_order()]
    print(f"{'page':40} {'HTML kB':>8} {'own assets kB':>14} {'charts':>6} {'cold s':>7} {'warm s':>7}")
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for path in pages:
            cold, warm, assets, charts = [], [], 0, 0
            for _ in range(LOADS):
                context = browser.new_context()
                loaded: dict[str, int] = {}
                for attempt in range(2):  # the first load is cold, the second warm
                    tab = context.new_page()
                    if attempt == 0:
                        tab.on(
                            "response",
                            lambda response, seen=loaded: (
                                seen.__setitem__(response.url, len(response.body()))
                                if response.ok and ("_vendor/" in response.url or "/mathjax/" in response.url)
                                else None
                            ),
                        )
                    tab.add_init_script(RECORD_DRAWN)
                    tab.goto(f"{base}/{path}")
                    drawn = float(tab.wait_for_function("window.__drawn", timeout=30_000).json_value()) / 1000
                    (cold if attempt == 0 else warm).append(drawn)
                    charts = tab.locator(".cnslbp-chart").count()
                    tab.wait_for_load_state("networkidle")
                    tab.close()
                assets = sum(loaded.values())
                context.close()
            html_kb = (site / path).stat().st_size / 1024
            flag = "" if statistics.median(warm) < TARGET_S and statistics.median(cold) < TARGET_S else "  OVER TARGET"
            print(
                f"{path:40} {html_kb:8.1f} {assets / 1024:14.0f} {charts:6d} "
                f"{statistics.median(cold):7.2f} {statistics.median(warm):7.2f}{flag}"
            )
        browser.close()
    print(f"\ntarget: every page's charts drawn in under {TARGET_S:.0f} s (medians of {LOADS} cold and warm loads)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "_build" / "html")
