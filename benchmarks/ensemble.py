"""Time the ensemble: members per second, whole process, as `cnslbp ensemble` runs it; print the figures.

    python benchmarks/ensemble.py [MEMBERS ...]      (default: 2000 10000)

Each size runs `cnslbp ensemble --members N --out FILE` in a fresh process (so the
time includes starting Python and importing the library) three times and reports
the median wall time, members per second and the peak memory of the process.
Also times the stored summary (`member_summary` of 2,000 members: every derived
quantity, bootstrap included) in this process.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnslbp_lib.paper.derived import member_summary
from cnslbp_lib.paper.ensemble import sample_ensemble

COMMAND = Path(sys.executable).with_name("cnslbp")


def run(members: int, out: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one `cnslbp ensemble` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [str(COMMAND), "ensemble", "--members", str(members), "--out", str(out)], check=True, capture_output=True
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    sizes = [int(value) for value in sys.argv[1:]] or [2000, 10_000]
    print(f"{'members':>8} {'median s':>9} {'members/s':>10} {'peak MB':>8} {'target s':>9}")
    targets = {2000: 30, 10_000: 120}
    with tempfile.TemporaryDirectory() as folder:
        for members in sizes:
            runs = [run(members, Path(folder) / f"e{members}.csv") for _ in range(3)]
            median = statistics.median(seconds for seconds, _ in runs)
            peak = max(memory for _, memory in runs)
            target = targets.get(members)
            print(f"{members:>8} {median:>9.2f} {members / median:>10.0f} {peak:>8.0f} {target if target else '':>9}")
    start = time.perf_counter()
    ensemble = sample_ensemble(2000)
    sampled = time.perf_counter() - start
    start = time.perf_counter()
    member_summary(ensemble)
    summarised = time.perf_counter() - start
    print(f"\nin one process: sampling 2,000 members {sampled:.2f} s; their summary {summarised:.2f} s")


if __name__ == "__main__":
    main()
