"""How long `cnslbp ensemble --table FILE --row ID` takes: change vectors one printed result allows.

Prints, for the study's PIQ row (n = 14) and for a row of 100 changes on a 0–100 scale, the time to
draw 2,000 members, the sampler that ran, and the size of the allowed set. Target: at most 30 s for
the n = 100 row. Run: .venv/bin/python benchmarks/row_ensemble.py
"""

from __future__ import annotations

import time

from cnslbp_lib.paper.paired_result import PairedResult
from cnslbp_lib.paper.row_ensemble import row_ensemble

ROWS = {
    "study PIQ, n = 14": PairedResult(
        id="piq", n="14", scale_min="0", scale_max="70", score_step="1",
        mean_change="−18.79", ci_low="−29.87", ci_high="−7.70", p="0.003", effect_size="0.98", effect_size_type="dz",
    ),
    "n = 100, 0–100 scale": PairedResult(
        id="big", n="100", scale_min="0", scale_max="100", score_step="1",
        mean_change="−8.30", change_sd="15.20", ci_low="−11.32", ci_high="−5.28", p="<0.001",
    ),
}  # fmt: skip


def main() -> None:
    print(f"{'row':<24} {'members':>7} {'seconds':>8}  {'sampler':<8} {'allowed vectors':>16}  exact")
    for name, row in ROWS.items():
        start = time.perf_counter()
        drawn = row_ensemble(row, 2000, seed=20240611)
        elapsed = time.perf_counter() - start
        print(
            f"{name:<24} {len(drawn.changes):>7} {elapsed:>8.2f}  {drawn.method:<8} "
            f"{'10^' + format(drawn.log10_count, '.2f'):>16}  {drawn.exact}"
        )


if __name__ == "__main__":
    main()
