"""Build the whole site for cohorts of growing size; print build time and page weight for each.

    python benchmarks/cohort_sizes.py [SIZES ...]      (default: 14 400 20000 100000)

Each cohort is synthetic, seeded and valid: three stages, scores spread over
each scale with some improvement after the MRI, a few blank scores and a few
participants lost to follow-up. Above ``PER_PARTICIPANT_LIMIT`` participants the
charts switch to forms that do not grow with the cohort and tables list only
the first rows, so the largest page should stay under 300 kB and the build
within twice the time of the 14-participant one.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cnslbp_lib.publish.build.sitebuild import build_site
from cnslbp_lib.publish.limits import PER_PARTICIPANT_LIMIT

PAGE_BUDGET_KB = 300
DEFAULT_SIZES = (14, 400, 20_000, 100_000)


def write_cohort(path: Path, participants: int, seed: int = 7) -> None:
    """A valid cohort file of ``participants`` people, the same for the same size and seed."""
    rng = np.random.default_rng(seed + participants)
    ids = np.char.add("clinic-", rng.permutation(participants * 10)[:participants].astype(str))
    base = {"piq": rng.integers(25, 66, participants), "pseq": rng.integers(5, 41, participants)}
    base["psq"] = rng.integers(10, 36, participants)
    shift = {"piq": -12, "pseq": 10, "psq": -3}
    limits = {"piq": 70, "pseq": 60, "psq": 40}
    frames = []
    for stage in (1, 2, 3):
        frame = {"participant": ids, "stage": np.full(participants, stage)}
        for key, level in base.items():
            moved = level + (shift[key] * rng.uniform(0, 2, participants) if stage == 3 else 0)
            noisy = np.rint(moved + rng.normal(0, 4, participants)).clip(0, limits[key]).astype(int)
            frame[key] = pd.array(noisy, dtype="Int64")
        frame["global_change"] = (
            pd.array([pd.NA] * participants, dtype="Int64")
            if stage == 1
            else pd.array(rng.integers(-1, 4 if stage == 3 else 2, participants), dtype="Int64")
        )
        frames.append(pd.DataFrame(frame))
    data = pd.concat(frames, ignore_index=True)
    blank = rng.random(len(data)) < 0.01
    data.loc[blank, "psq"] = pd.NA
    lost = (data["stage"] == 3) & (rng.random(len(data)) < 0.05)
    data[~lost].to_csv(path, index=False)


def measure(size: int, folder: Path) -> tuple[float, str, float, float]:
    """Build the site for a cohort of ``size``; return seconds, largest page, its kB and all pages' kB."""
    data = folder / f"cohort-{size}.csv"
    write_cohort(data, size)
    site = folder / f"site-{size}"
    started = time.perf_counter()
    build_site(data, site, quiet=True)
    seconds = time.perf_counter() - started
    pages = {page: page.stat().st_size / 1024 for page in site.rglob("*.html")}
    largest = max(pages, key=pages.__getitem__)
    return seconds, str(largest.relative_to(site)), pages[largest], sum(pages.values())


def main(sizes: list[int]) -> None:
    print(f"charts draw every participant up to {PER_PARTICIPANT_LIMIT}; page budget {PAGE_BUDGET_KB} kB\n")
    print(f"{'participants':>12} {'build s':>8} {'× 14':>6}  {'largest page':32} {'kB':>7} {'all HTML kB':>12}")
    reference = None
    with tempfile.TemporaryDirectory(prefix="cnslbp-sizes-") as folder:
        for size in sizes:
            seconds, largest, largest_kb, total_kb = measure(size, Path(folder))
            reference = reference or seconds
            flag = "" if largest_kb <= PAGE_BUDGET_KB else "  OVER BUDGET"
            print(
                f"{size:>12,} {seconds:>8.1f} {seconds / reference:>6.2f}  {largest:32} {largest_kb:>7.1f} "
                f"{total_kb:>12.1f}{flag}",
                flush=True,
            )


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]] or list(DEFAULT_SIZES))
