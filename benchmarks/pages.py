"""Each page's weight, its first paint and the time until its charts are interactive, in Debian's Chromium.

    python benchmarks/pages.py [SITE]        (default: _build/html; build it with 'make book')

For every page: its own HTML, the page-specific assets it loads on demand (the
Vega bundle on pages with interactive charts, MathJax on pages with math), the
number of charts, and two times from navigation start, as the median of three
loads in two conditions, cold (a fresh browser profile, nothing cached) and
warm (the same page opened again in the same profile, as when a reader moves
between chapters):

- first paint: the first contentful paint. Every chart is a static SVG in the
  HTML, so the charts are on screen from the first paint;
- live: every interactive chart drawn live and all math typeset, when
  ``cnslbpDrawAll()`` is called as soon as the page has loaded (readers get
  this per chart, when it nears the viewport or is touched).

Target: the first paint under 1 s on this machine.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright
from static_host import serve  # as a static host serves it: gzip, cache headers

from cnslbp_lib.data.source import PROJECT_ROOT
from cnslbp_lib.publish.build.pdf import chapter_order, find_chromium

TARGET_S = 1.0
LOADS = 3
FIRST_PAINT = """
new Promise(resolve => {
  const seen = () => performance.getEntriesByName('first-contentful-paint')[0];
  if (seen()) { resolve(seen().startTime); return; }
  new PerformanceObserver(() => seen() && resolve(seen().startTime)).observe({type: 'paint', buffered: true});
})
"""
ALL_LIVE = "window.cnslbpDrawAll().then(() => performance.now())"


def main(site: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    pages = [f"{chapter}.html" for chapter in chapter_order() if (site / f"{chapter}.html").is_file()]
    print(
        f"{'page':36} {'HTML kB':>8} {'on demand kB':>12} {'charts':>6} "
        f"{'paint cold':>10} {'warm':>6} {'live cold':>9} {'warm':>6}"
    )
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for path in pages:
            times: dict[str, list[float]] = {"paint0": [], "paint1": [], "live0": [], "live1": []}
            assets, charts = 0, 0
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
                    tab.goto(f"{base}/{path}", wait_until="load")
                    times[f"paint{attempt}"].append(float(tab.evaluate(FIRST_PAINT)) / 1000)
                    tab.wait_for_function("window.cnslbpDrawAll")
                    times[f"live{attempt}"].append(float(tab.evaluate(ALL_LIVE)) / 1000)
                    charts = tab.locator(".cnslbp-chart").count()
                    tab.wait_for_load_state("networkidle")
                    tab.close()
                assets = sum(loaded.values())
                context.close()
            html_kb = (site / path).stat().st_size / 1024
            median = {name: statistics.median(values) for name, values in times.items()}
            flag = "" if max(median["paint0"], median["paint1"]) < TARGET_S else "  OVER TARGET"
            print(
                f"{path:36} {html_kb:8.1f} {assets / 1024:12.0f} {charts:6d} {median['paint0']:10.2f} "
                f"{median['paint1']:6.2f} {median['live0']:9.2f} {median['live1']:6.2f}{flag}"
            )
        browser.close()
    print(f"\ntarget: every page's first paint (static charts included) under {TARGET_S:.0f} s, cold and warm")
    print(f"(medians of {LOADS} loads; 'live' draws every interactive chart and typesets all math at load)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "_build" / "html")
