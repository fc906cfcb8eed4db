"""Time drawing 2,000 uniform members for a study row (n = 14) and a row of 100 on a 0-100 scale; print the figures.

    python benchmarks/sampler.py [MEMBERS]      (default: 2000)

Rows:

- ``PIQ n=14``: the study's PIQ changes as ``change_targets()`` fixes them, in
  improvement units with responders at or beyond the threshold (the book's
  reading), as ``paper/ensemble.py`` builds them. The entry point picks the
  lattice; the same row is also run through the tilted sampler, whose count
  estimate can then be read against the exact count.
- ``n=100``: a made-up but realistic row on a 0-100 scale: mean change -8.30 and
  SD of the changes 15.20, both printed to 2 decimals, and 45% of participants
  improving by 10 points or more. The total and the window of sums of squares are
  derived below from the intervals those printed numbers stand for.

Each row runs in a fresh process, so its peak memory (ru_maxrss, which includes
the interpreter, numpy and scipy) is its own. Times are single runs on a shared
machine: "build" makes the sampler (the lattice's tables or the table over sums);
"build+draw" is one call of ``sample_vectors``, which builds it again and draws
the members. ``z`` is (estimate - exact count) / SE where an estimate can be read against
the exact integer count.
"""

from __future__ import annotations

import math
import resource
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

from cnslbp_lib.data.instruments import get_instrument
from cnslbp_lib.paper.targets import change_targets
from cnslbp_lib.stats.lattice import VectorConstraints, count_exact
from cnslbp_lib.stats.vectors import Method, sample_vectors, vector_sampler

SEED = 20240611


def study_row(instrument: str = "piq") -> VectorConstraints:
    """The study's changes for one outcome, in improvement units (larger is better), cut at the threshold."""
    target = next(t for t in change_targets() if t.instrument == instrument)
    entry = get_instrument(instrument)
    span = entry.maximum - entry.minimum
    return VectorConstraints(
        n=14,
        low=-span,
        high=span,
        total=target.total * entry.improvement_sign,
        sums_of_squares=target.sums_of_squares,
        cut=entry.threshold,
        count_at_least=target.responders,
    )


def printed_interval(printed: str) -> tuple[Fraction, Fraction]:
    """Every value that prints as ``printed`` lies in this closed interval (either rounding of a tie)."""
    half = Fraction(1, 2 * 10 ** len(printed.partition(".")[2]))
    return Fraction(printed) - half, Fraction(printed) + half


def wide_row(n: int = 100, mean: str = "-8.30", sd: str = "15.20", responders: int = 45) -> VectorConstraints:
    """Totals whose mean prints as ``mean``; sums of squares whose SD (on n - 1) prints as ``sd``."""
    mean_lo, mean_hi = printed_interval(mean)
    totals = range(math.ceil(n * mean_lo), math.floor(n * mean_hi) + 1)
    if len(totals) != 1:
        raise SystemExit(f"mean {mean} over n={n} allows totals {list(totals)}; pick one")
    total = totals[0]
    sd_lo, sd_hi = printed_interval(sd)
    # q = (n - 1) SD^2 + total^2 / n, and q has the parity of the total
    q_lo, q_hi = ((n - 1) * bound**2 + Fraction(total**2, n) for bound in (sd_lo, sd_hi))
    squares = [q for q in range(math.ceil(q_lo), math.floor(q_hi) + 1) if (q - total) % 2 == 0]
    # improvement units: a fall of 10 points or more on the 0-100 scale is a response
    return VectorConstraints(n, -100, 100, -total, squares, cut=10, count_at_least=responders)


ROWS = {"PIQ n=14": study_row, "n=100": wide_row}


def run_one(row: str, method: Method, members: int) -> None:
    """Runs in the child process: build, then build and draw, then report one line of numbers."""
    constraints = ROWS[row]()
    started = time.perf_counter()
    vector_sampler(constraints, method=method)
    built = time.perf_counter()
    result = sample_vectors(constraints, members, np.random.default_rng(SEED), method=method)
    drawn = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = result.count
    # the n = 14 rows have an exact integer count to read the estimate against
    z = (
        (count.count - count_exact(constraints)) / count.standard_error
        if row != "n=100" and not count.exact
        else math.nan
    )
    print(
        result.method, built - started, drawn - built, result.keep_rate, count.count, count.standard_error, z, peak_mb
    )


def main(members: int) -> None:
    wide = wide_row()
    print(
        f"n=100 row: total {wide.total} (improvement units), sums of squares {wide.sums_of_squares[0]} to "
        f"{wide.sums_of_squares[-1]} ({len(wide.sums_of_squares)} values), {wide.count_at_least} entries >= {wide.cut}"
    )
    headings = ("row", "method", "build s", f"build+draw {members:,} s", "keep rate", "count", "± SE", "z", "peak MB")
    widths = (9, 8, 8, 20, 10, 10, 9, 6, 8)
    print(" ".join(f"{heading:>{width}}" for heading, width in zip(headings, widths, strict=True)))
    for row, method in (("PIQ n=14", "auto"), ("PIQ n=14", "tilted"), ("n=100", "auto")):
        child = subprocess.run(
            [sys.executable, __file__, "--child", row, method, str(members)], capture_output=True, text=True, check=True
        )
        chosen, build_s, total_s, keep, count, error, z, peak = child.stdout.split()
        z = "—" if z == "nan" else f"{float(z):.2f}"
        print(
            f"{row:>9} {chosen:>8} {float(build_s):>8.2f} {float(total_s):>20.2f} {float(keep):>10.4f} "
            f"{float(count):>10.3e} {float(error):>9.1e} {z:>6} {float(peak):>8.0f}"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        run_one(sys.argv[2], "tilted" if sys.argv[3] == "tilted" else "auto", int(sys.argv[4]))
    else:
        main(int(sys.argv[1]) if sys.argv[1:] else 2_000)
