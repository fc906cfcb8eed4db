"""Compare two builds of the website as a reader meets them: every page's text, numbers, links and chart specs.

    python benchmarks/compare_sites.py BEFORE AFTER        # two built sites (cnslbp build --out ...)

For every HTML page in either site, four things are compared: the article's
visible text (spaces collapsed), the numbers in it (in order), the links
(each ``href``, in order) and each chart's Vega-Lite specifications (the JSON
the page stores for the live chart and for a phone's). Printed: how many pages were compared, how many
differ in each respect, and for each differing page the first differences
(a unified diff of the text, capped). Exit 0 when nothing differs, 1 otherwise.
Use it before and after a refactor that must not change what readers see; the
note of that change names every difference it leaves and why.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

NUMBER = re.compile(r"[−-]?\d+(?:[.,]\d+)*%?")
SHOWN_LINES = 12


def page_parts(path: Path) -> dict[str, object]:
    """What a reader meets on one page: text, numbers, links, chart specifications."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    # each chart's specification as the built page stores it, and the phone's form of it
    charts = [
        json.dumps(json.loads(script.string or "null"), sort_keys=True)
        for script in soup.select('script[type="application/json"][id^="cnslbp-chart-"]')
    ]
    article = soup.select_one("article") or soup.body or soup
    for hidden in article.select("script, style"):
        hidden.decompose()
    text = re.sub(r"\s+", " ", article.get_text(" ")).strip()
    return {
        "text": text,
        "numbers": NUMBER.findall(text),
        "links": [anchor.get("href", "") for anchor in soup.select("a[href]")],
        "charts": charts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    options = parser.parse_args()
    pages = sorted(
        {str(path.relative_to(site)) for site in (options.before, options.after) for path in site.rglob("*.html")}
    )
    differing: dict[str, list[str]] = {}
    for page in pages:
        first, second = options.before / page, options.after / page
        if not first.exists() or not second.exists():
            differing[page] = ["only in " + ("the second build" if second.exists() else "the first build")]
            continue
        before, after = page_parts(first), page_parts(second)
        kinds = [kind for kind in before if before[kind] != after[kind]]
        if kinds:
            differing[page] = kinds
    print(f"pages compared: {len(pages)}; pages that differ: {len(differing)}")
    for kind in ("text", "numbers", "links", "charts"):
        print(f"  differ in {kind}: {sum(kind in kinds for kinds in differing.values())}")
    for page, kinds in differing.items():
        print(f"\n{page}: {', '.join(kinds)}")
        if "text" in kinds:
            words = [
                page_parts(site / page)["text"].replace(". ", ".\n").splitlines()
                for site in (options.before, options.after)
            ]  # type: ignore[union-attr]
            diff = [
                line
                for line in difflib.unified_diff(*words, lineterm="", n=0)
                if not line.startswith(("---", "+++", "@@"))
            ]
            for line in diff[:SHOWN_LINES]:
                print(f"    {line[:160]}")
            if len(diff) > SHOWN_LINES:
                print(f"    … {len(diff) - SHOWN_LINES} more lines")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
