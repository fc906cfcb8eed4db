"""pa11y (WCAG 2 AA) errors on every page of the built book, served as a static host serves it.

    python benchmarks/pa11y.py [SITE] [--runner htmlcs] [--runner axe] [--page SUBSTRING ...]

SITE defaults to _build/html. Needs the npm tools once:
    cd benchmarks && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts
pa11y's puppeteer is pointed at Debian's Chromium (/usr/bin/chromium, or CHROME_PATH) with
--no-sandbox through a config file under /tmp. Pages are checked one after the other with
pa11y's defaults (runner HTML_CodeSniffer, 1280x1024 viewport, errors only) plus a short wait
after the load event (charts are static SVGs from the first paint; those near the viewport are
then drawn live). Prints each page's error count, then each distinct
error (code, selector, message) with its count. Exit status 1 when there is any error.
Target: 0 errors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from static_host import book_pages, serve, site_argument

HERE = Path(__file__).resolve().parent
PA11Y = HERE / "node_modules" / ".bin" / "pa11y"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
WAIT_MS = 1500  # after "load": charts are static SVGs already; MathJax and live charts come when idle


def pa11y_config(path: Path) -> Path:
    """Write pa11y's --config file (Chromium path and flags) to ``path``."""
    config = {
        "chromeLaunchConfig": {
            "executablePath": CHROME,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        },
        "standard": "WCAG2AA",
        "wait": WAIT_MS,
        "timeout": 60000,
    }
    path.write_text(json.dumps(config, indent=1))
    return path


def run_pa11y(url: str, config: Path, runners: list[str]) -> list[dict]:
    """pa11y's issues for ``url`` (errors only), as dicts with code, selector, message, runner."""
    command = [str(PA11Y), "--config", str(config), "--standard", "WCAG2AA", "--reporter", "json"]
    for runner in runners:
        command += ["--runner", runner]
    command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    # exit codes: 0 no issues, 2 issues found, 1 a technical failure
    if result.returncode not in (0, 2):
        raise RuntimeError(f"pa11y failed on {url}:\n{result.stderr[-2000:] or result.stdout[-2000:]}")
    issues = json.loads(result.stdout or "[]")
    return [issue for issue in issues if issue.get("type") == "error"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?")
    parser.add_argument("--runner", action="append", default=[], help="htmlcs (default) and/or axe")
    parser.add_argument("--page", action="append", default=[], help="only pages whose path contains this")
    args = parser.parse_args()
    if not PA11Y.exists():
        sys.exit(f"{PA11Y} is missing: cd benchmarks && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts")
    site = site_argument([sys.argv[0], args.site] if args.site else [sys.argv[0]])
    pages = [page for page in book_pages(site) if not args.page or any(part in page for part in args.page)]
    runners = args.runner or ["htmlcs"]
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="pa11y-") as scratch, serve(site) as base:
        config = pa11y_config(Path(scratch) / "pa11y.json")
        for number, page in enumerate(pages, 1):
            print(f"[{number}/{len(pages)}] {page} ...", end="", flush=True)
            results[page] = run_pa11y(f"{base}/{page}", config, runners)
            print(f" {len(results[page])} errors", flush=True)

    print(f"\n{'page':36} {'errors':>6}")
    for page, issues in results.items():
        print(f"{page:36} {len(issues):6d}")
    total = sum(len(issues) for issues in results.values())
    print(f"{'total':36} {total:6d}")
    for page, issues in results.items():
        if not issues:
            continue
        print(f"\n{page}:")
        distinct = Counter((issue["code"], issue.get("selector", ""), issue["message"]) for issue in issues)
        for (code, selector, message), count in distinct.most_common():
            print(f"  {count:3d} x {code}\n        selector: {selector}\n        message: {message}")
    overall = Counter((issue["code"], issue["message"]) for issues in results.values() for issue in issues)
    if overall:
        print("\nall pages, by code and message:")
        for (code, message), count in overall.most_common():
            pages_with = sum(1 for issues in results.values() if any(i["code"] == code for i in issues))
            print(f"  {count:3d} x ({pages_with} pages) {code}: {message}")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
