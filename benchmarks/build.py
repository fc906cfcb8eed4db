"""Time the book's builds and print each page's size; compare with the targets.

    python benchmarks/build.py

In one run, each into a fresh folder and with a fresh execution cache (so "clean"
means nothing is reused):

- a build with execution off (CNSLBP_EXECUTE=0: the outputs stored in the notebooks);
- a clean build (every chapter executed: in parallel, in warm kernels);
- the same build repeated (every chapter from the execution cache);
- Jupyter Book's own incremental build, first and with nothing changed.

Targets on a 2-core machine: a clean build at most 2.5 times the build with
execution off, and each page's own HTML under 300 kB (shared static assets
excluded, since the browser caches them).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cnslbp_lib.data.source import PROJECT_ROOT
from cnslbp_lib.publish.build.execution import CACHE_ENV
from cnslbp_lib.publish.build.site import EXECUTE_ENV
from cnslbp_lib.publish.build.sitebuild import build_site

PAGE_BUDGET_KB = 300
RATIO_TARGET = 2.5


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with environment(**{EXECUTE_ENV: "0", CACHE_ENV: str(work / "unused-cache")}):
            off = timed(lambda: build_site(out=work / "off", quiet=True))
        with environment(**{CACHE_ENV: str(work / "cache")}):
            clean = timed(lambda: build_site(out=work / "site", quiet=True))
            repeated = timed(lambda: build_site(out=work / "site", quiet=True))
        with environment(**{CACHE_ENV: str(work / "jupyter-book-cache"), "PYTHONWARNINGS": "ignore"}):
            jupyter_book = str(Path(sys.executable).with_name("jupyter-book"))
            command = [jupyter_book, "build", str(PROJECT_ROOT), "--path-output", str(work / "incremental"), "-q"]
            first = timed(lambda: subprocess.run(command, check=True, capture_output=True))
            unchanged = timed(lambda: subprocess.run(command, check=True, capture_output=True))
        ratio = clean / off
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores (other processes slow every build alike)")
        print(f"build with execution off (CNSLBP_EXECUTE=0):   {off:6.1f} s")
        print(f"clean build (every chapter executed):          {clean:6.1f} s")
        flag = "" if ratio <= RATIO_TARGET else "  OVER TARGET"
        print(f"  ratio clean / execution off:                 {ratio:6.2f}   target <= {RATIO_TARGET}{flag}")
        print(f"repeat build (chapters from the cache):        {repeated:6.1f} s")
        print(f"jupyter-book, first incremental build:         {first:6.1f} s")
        print(f"jupyter-book, rebuild with no changes:         {unchanged:6.1f} s")
        print()
        site = work / "site"
        print(f"{'page':40} {'HTML kB':>8}  budget {PAGE_BUDGET_KB} kB")
        for page in sorted(site.rglob("*.html")):
            size = page.stat().st_size / 1024
            flag = "" if size < PAGE_BUDGET_KB else "  OVER BUDGET"
            print(f"{page.relative_to(site)!s:40} {size:8.1f}{flag}")
        shared = sum(path.stat().st_size for path in (site / "_static").rglob("*") if path.is_file())
        vega = (site / "_vendor" / "vega-bundle.js").stat().st_size
        print(
            f"\nshared assets: _static {shared / 1e6:.1f} MB (MathJax included); Vega bundle {vega / 1e3:.0f} kB, "
            "loaded only on pages with interactive charts, when a chart nears the viewport or is touched"
        )


if __name__ == "__main__":
    main()
