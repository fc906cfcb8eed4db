"""Time the book's builds and print each page's size; compare with the targets.

    python benchmarks/build.py

Targets on a 2-core machine: a clean build under 60 s, and each page's own HTML
under 300 kB (shared static assets excluded, since the browser caches them).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnslbp_lib.data.source import PROJECT_ROOT
from cnslbp_lib.publish.sitebuild import build_site

PAGE_BUDGET_KB = 300
CLEAN_BUILD_TARGET_S = 60


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        clean = timed(lambda: build_site(out=site, quiet=True))
        repeated = timed(lambda: build_site(out=site, quiet=True))
        work = Path(folder) / "incremental"
        jupyter_book = str(Path(sys.executable).with_name("jupyter-book"))
        command = [jupyter_book, "build", str(PROJECT_ROOT), "--path-output", str(work), "-q"]
        environment = {**os.environ, "PYTHONWARNINGS": "ignore"}
        first = timed(lambda: subprocess.run(command, check=True, capture_output=True, env=environment))
        unchanged = timed(lambda: subprocess.run(command, check=True, capture_output=True, env=environment))
        print(f"clean build (cnslbp build):               {clean:6.1f} s   target < {CLEAN_BUILD_TARGET_S} s")
        print(f"repeat build (cnslbp build re-executes):  {repeated:6.1f} s")
        print(f"jupyter-book, first incremental build:     {first:6.1f} s")
        print(f"jupyter-book, rebuild with no changes:     {unchanged:6.1f} s")
        print()
        print(f"{'page':40} {'HTML kB':>8}  budget {PAGE_BUDGET_KB} kB")
        for page in sorted(site.rglob("*.html")):
            size = page.stat().st_size / 1024
            flag = "" if size < PAGE_BUDGET_KB else "  OVER BUDGET"
            print(f"{page.relative_to(site)!s:40} {size:8.1f}{flag}")
        shared = sum(path.stat().st_size for path in (site / "_static").rglob("*") if path.is_file())
        vega = (site / "_vendor" / "vega-bundle.js").stat().st_size
        print(
            f"\nshared assets: _static {shared / 1e6:.1f} MB (MathJax included); Vega bundle {vega / 1e3:.0f} kB, "
            "loaded only on pages with charts"
        )


if __name__ == "__main__":
    main()
