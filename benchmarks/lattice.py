"""Time building, counting and sampling the study's three change-vector lattices; print the figures.

    python benchmarks/lattice.py [SAMPLES]      (default: 10000)

Each outcome runs in a fresh process, so its peak memory (ru_maxrss, which
includes the interpreter and numpy) is its own. Times are the best of three
runs. The last two columns check the float64 count against the exact integer
count from ``count_exact``.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import numpy as np

from cnslbp_lib.stats.lattice import VectorConstraints, VectorLattice, count_exact

# n = 14; PIQ is negated so that improvement is positive, as callers must do before passing a cut.
OUTCOMES = {
    "PIQ": VectorConstraints(14, -70, 70, 263, tuple(range(9729, 9737)), cut=7, count_at_least=11),
    "PSEQ": VectorConstraints(14, -60, 60, 251, tuple(range(10019, 10026)), cut=11, count_at_least=9),
    "PSQ": VectorConstraints(14, -40, 40, -65, tuple(range(1516, 1525))),
}
REPEATS = 3


def run_one(name: str, samples: int) -> None:
    """Runs in the child process: build, sample and count exactly, then report."""
    constraints = OUTCOMES[name]
    build_s = sample_s = float("inf")
    for seed in range(REPEATS):
        started = time.perf_counter()
        lattice = VectorLattice(constraints)
        built = time.perf_counter()
        lattice.sample(samples, np.random.default_rng(seed))
        sampled = time.perf_counter()
        build_s, sample_s = min(build_s, built - started), min(sample_s, sampled - built)
    started = time.perf_counter()
    exact = count_exact(constraints)
    exact_s = time.perf_counter() - started
    error = abs(lattice.count() - exact) / exact
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{build_s} {lattice.count()} {sample_s} {peak_mb} {exact_s} {error}")


def main(samples: int) -> None:
    headings = ("outcome", "build s", "count", f"sample {samples:,} s", "vectors/s", "peak MB", "exact s", "rel. error")
    widths = (8, 8, 9, 17, 11, 8, 8, 10)
    print(" ".join(f"{heading:>{width}}" for heading, width in zip(headings, widths, strict=True)))
    for name in OUTCOMES:
        child = subprocess.run(
            [sys.executable, __file__, "--child", name, str(samples)], capture_output=True, text=True, check=True
        )
        build_s, count, sample_s, peak, exact_s, error = map(float, child.stdout.split())
        print(
            f"{name:>8} {build_s:>8.3f} {count:>9.1e} {sample_s:>17.3f} {samples / sample_s:>11,.0f} "
            f"{peak:>8.0f} {exact_s:>8.3f} {error:>10.1e}"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        run_one(sys.argv[2], int(sys.argv[3]))
    else:
        main(int(sys.argv[1]) if sys.argv[1:] else 10_000)
