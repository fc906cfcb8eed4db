"""Lighthouse scores of every page of the built book, as readers get it (gzip, cache headers).

    python benchmarks/lighthouse.py [SITE] [--preset mobile|desktop|both] [--page SUBSTRING ...]
                                    [--out /tmp/lighthouse]

SITE defaults to _build/html. Needs the npm tools once:
    cd benchmarks && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts
and Debian's Chromium at /usr/bin/chromium (or CHROME_PATH).

The site is served by ``static_host.serve`` (gzip, ``immutable`` assets, ``no-cache`` HTML).
Each page is audited alone, one after the other (Lighthouse's simulated throttling is
sensitive to CPU contention), with the mobile preset (Lighthouse's default: Moto G Power,
slow 4G, 4x CPU slowdown) and the desktop preset. JSON reports are written under --out
(default /tmp/lighthouse), never into the repository. Target: performance >= 90 (mobile),
accessibility, best practices and SEO 100.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from static_host import book_pages, serve, site_argument

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
METRICS = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint", "TBT": "total-blocking-time"}
TARGET = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}


def run_lighthouse(url: str, preset: str, report: Path) -> dict:
    """Run Lighthouse on ``url`` with ``preset`` ("mobile" or "desktop"); return the parsed JSON report."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROME}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url} ({preset}):\n{result.stderr[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, int | None]:
    """Category scores 0-100 (None when Lighthouse could not score the category)."""
    out: dict[str, int | None] = {}
    for category in CATEGORIES:
        score = report["categories"].get(category, {}).get("score")
        out[category] = None if score is None else round(score * 100)
    return out


def metrics(report: dict) -> dict[str, float | None]:
    """FCP, LCP, TBT in milliseconds."""
    return {name: report["audits"].get(audit_id, {}).get("numericValue") for name, audit_id in METRICS.items()}


def failed_audits(report: dict) -> dict[str, list[str]]:
    """For each category under 100: its audits that did not pass.

    Accessibility, best practices and SEO: every weighted or binary audit scoring below 1.
    Performance: metrics and insights/opportunities scoring below 0.9 (Lighthouse's "pass").
    Informative, manual and not-applicable audits are left out; audits of weight 0 (shown as
    failed by Lighthouse, not counted in the score) are marked with a trailing "*".
    """
    failed: dict[str, list[str]] = {}
    for category in CATEGORIES:
        data = report["categories"].get(category)
        if not data or data.get("score") is None or data["score"] >= 1:
            continue
        threshold = 0.9 if category == "performance" else 1
        ids = []
        for ref in data["auditRefs"]:
            audit = report["audits"].get(ref["id"], {})
            if audit.get("scoreDisplayMode") in ("informative", "manual", "notApplicable", "error"):
                continue
            score = audit.get("score")
            if score is not None and score < threshold:
                # weight 0: shown as failed by Lighthouse but not counted in the category score
                ids.append(ref["id"] + ("" if ref.get("weight") else "*"))
        failed[category] = ids
    return failed


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def _score(value: int | None) -> str:
    return "-" if value is None else str(value)


Row = tuple[str, str, dict[str, int | None], dict[str, float | None], dict[str, list[str]]]


def audit_pages(base: str, runs: list[tuple[str, str]], out: Path, repeat: int) -> list[Row]:
    """Run Lighthouse on each (page, preset) one after the other; keep the median of ``repeat`` runs."""
    rows: list[Row] = []
    for number, (page, preset) in enumerate(runs, 1):
        started = time.monotonic()
        print(f"[{number}/{len(runs)}] {preset:7} {page} ...", end="", flush=True)
        stem = f"{page.replace('/', '__').removesuffix('.html')}.{preset}"
        reports = []
        for attempt in range(repeat):
            suffix = "" if repeat == 1 else f".run{attempt + 1}"
            report = run_lighthouse(f"{base}/{page}", preset, out / f"{stem}{suffix}.json")
            if report.get("runtimeError"):
                print(f" runtime error: {report['runtimeError']}", end="", flush=True)
            reports.append(report)
        # the median run by performance score (Lighthouse's own advice for noisy machines)
        reports.sort(key=lambda r: r["categories"]["performance"].get("score") or 0)
        report = reports[len(reports) // 2]
        print(f" {time.monotonic() - started:.0f} s (load average {os.getloadavg()[0]:.1f})", flush=True)
        rows.append((page, preset, scores(report), metrics(report), failed_audits(report)))
    return rows


def print_report(rows: list[Row], presets: list[str]) -> int:
    """Print the table, the failed audits and the summary; return the number of missed targets."""
    header = f"{'page':34} {'preset':7} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'FCP':>8} {'LCP':>8} {'TBT':>8}"
    print("\n" + header + "\n" + "-" * len(header))
    for page, preset, score, metric, _ in rows:
        print(
            f"{page:34} {preset:7} "
            + " ".join(f"{_score(score[c]):>4}" for c in CATEGORIES)
            + " "
            + " ".join(f"{_ms(metric[m]):>8}" for m in METRICS)
        )
    print("\nfailed audits (categories under 100; * = weight 0, not counted in the score):")
    for page, preset, score, _, failed in rows:
        for category, ids in failed.items():
            print(f"  {page} [{preset}] {SHORT[category]} {score[category]}: {', '.join(ids) or '(none listed)'}")
    print("\nsummary (worst / median):")
    for preset in presets:
        chosen = [row for row in rows if row[1] == preset]
        parts = []
        for category in CATEGORIES:
            values = [value for row in chosen if (value := row[2][category]) is not None]
            if values:
                parts.append(f"{SHORT[category]} {min(values)} / {statistics.median(values):g}")
        if parts:
            print(f"  {preset:7} ({len(chosen)} pages): " + ", ".join(parts))
    # targets: mobile performance >= 90; accessibility, best practices, SEO 100 in both presets
    return sum(
        1
        for _, preset, score, _, _ in rows
        for category in CATEGORIES
        if (value := score[category]) is not None
        and (preset == "mobile" or category != "performance")
        and value < TARGET[category]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", help="built site folder (default: _build/html)")
    parser.add_argument("--preset", choices=("mobile", "desktop", "both"), default="both")
    parser.add_argument("--page", action="append", default=[], help="only pages whose path contains this")
    parser.add_argument("--desktop-pages", type=int, default=None, help="run desktop on only the first N pages")
    parser.add_argument("--runs", type=int, default=1, help="runs per page and preset; the median one is kept")
    parser.add_argument("--out", type=Path, default=Path("/tmp/lighthouse"), help="folder for JSON reports")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: cd benchmarks && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts")
    if not Path(CHROME).exists():
        sys.exit(f"no Chromium at {CHROME}: apt-get install chromium (or set CHROME_PATH)")
    site = site_argument([sys.argv[0], args.site] if args.site else [sys.argv[0]])
    pages = [page for page in book_pages(site) if not args.page or any(part in page for part in args.page)]
    presets = ["mobile", "desktop"] if args.preset == "both" else [args.preset]
    runs = [(page, preset) for preset in presets for page in pages]
    if args.desktop_pages is not None:
        desktop = [page for page in pages if page != "index.html"][: args.desktop_pages]
        runs = [(page, preset) for page, preset in runs if preset == "mobile" or page in desktop]
    args.out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1) / 2:
        print(
            f"warning: load average {load:.1f} on {os.cpu_count()} cores; Lighthouse multiplies observed CPU "
            "time (4x on mobile), so scores will be low and noisy. Use an idle machine or --runs 3.",
            flush=True,
        )
    with serve(site) as base:
        rows = audit_pages(base, runs, args.out, args.runs)
    missed = print_report(rows, presets)
    summary = args.out / "summary.json"
    records = [{"page": p, "preset": s, "scores": sc, "metrics": m, "failed": f} for p, s, sc, m, f in rows]
    summary.write_text(json.dumps(records, indent=1))
    print(f"\nreports: {args.out}/*.json (table data: {summary})")
    print(f"target (mobile perf >= 90; a11y, bp, seo 100): {'met' if not missed else f'{missed} misses'}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
