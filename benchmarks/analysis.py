"""Time load + validation + the full analysis for growing cohorts; print the figures.

    python benchmarks/analysis.py [SIZES ...]      (default: 14 10000 100000 1000000)

Each size runs in a fresh process, so its peak memory is its own. The synthetic
cohorts are random but valid, with every score and rating in range.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import cnslbp_lib as cl


def write_cohort(path: Path, participants: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    rows = participants * 3
    stage = np.tile([1, 2, 3], participants)
    change = rng.integers(-3, 4, rows).astype(object)
    change[stage == 1] = ""
    pd.DataFrame(
        {
            "participant": np.repeat(np.char.add("id", np.arange(participants).astype(str)), 3),
            "stage": stage,
            "piq": rng.integers(0, 71, rows),
            "pseq": rng.integers(0, 61, rows),
            "psq": rng.integers(0, 41, rows),
            "global_change": change,
        }
    ).to_csv(path, index=False)


def run_one(path: str) -> None:
    """Runs in the child process: load, validate and analyse, then report."""
    started = time.perf_counter()
    cohort = cl.load_cohort(path)
    loaded = time.perf_counter()
    data = cohort.data
    for instrument in ("piq", "pseq", "psq"):
        for stages in ((1, 2), (2, 3)):
            cl.paired_change(data, instrument, from_stage=stages[0], to_stage=stages[1])
        cl.wilcoxon_change(data, instrument)
        cl.bootstrap_change(data, instrument)
        cl.responder_sweep(data, instrument)
    for instrument in ("piq", "pseq"):
        cl.responders(data, instrument)
    cl.association(data)
    cl.pe_nonresponse(data)
    cl.global_change_distribution(data)
    cl.audit(cohort)
    finished = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{loaded - started:.2f} {finished - loaded:.2f} {peak_mb:.0f}")


def main(sizes: list[int]) -> None:
    headings = ("participants", "rows", "file MB", "load+validate s", "analysis s", "total s", "peak MB")
    widths = (12, 9, 8, 16, 11, 8, 8)
    print(" ".join(f"{heading:>{width}}" for heading, width in zip(headings, widths, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"cohort-{size}.csv"
            write_cohort(path, size)
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
            )
            load_s, analysis_s, peak = child.stdout.split()
            total = float(load_s) + float(analysis_s)
            megabytes = path.stat().st_size / 1e6
            print(
                f"{size:>12,} {3 * size:>9,} {megabytes:>8.1f} {float(load_s):>16.2f} {float(analysis_s):>11.2f} "
                f"{total:>8.2f} {float(peak):>8.0f}"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        run_one(sys.argv[2])
    else:
        main([int(size) for size in sys.argv[1:]] or [14, 10_000, 100_000, 1_000_000])
