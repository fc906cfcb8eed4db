"""Time checking a results table of generated rows; print rows per second.

    python benchmarks/check_table.py [ROWS]      (default: 5000)

The rows are printed from random integer datasets by tests/paired_datasets.py
(n from 3 to 300, every column printed in half the rows, about a third blank
in the rest), written to a temporary CSV, then read, checked and written as
text, JSON and CSV as ``cnslbp check --table`` does. Times are the best of
three runs; the table itself is generated once, seeded.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnslbp_lib.paper.paired_result import COLUMNS
from cnslbp_lib.paper.results_table import (
    check_results_table,
    read_results_table,
    results_to_csv,
    results_to_json,
    results_to_text,
)
from tests.paired_datasets import printed_row, random_dataset

SEED = 20240611
REPEATS = 3


def write_table(path: Path, rows: int) -> None:
    rng = np.random.default_rng(SEED)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        for index in range(rows):
            data = random_dataset(rng)
            row = printed_row(
                data,
                rng,
                rounding="half_up" if index % 2 else "half_even",
                orientation=(1, -1, 0)[index % 3],
                blank_share=0.0 if index % 2 else 0.3,
                identifier=f"row{index}",
            )
            writer.writerow(row)


def best(function: object, *arguments: object) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function(*arguments)  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        write_table(path, rows)
        read_time, table = best(read_results_table, path)
        check_time, results = best(check_results_table, table)
        json_time, _ = best(results_to_json, table, results)
        csv_time, _ = best(results_to_csv, table, results)
        text_time, _ = best(results_to_text, results)
    verdicts = [result.verdict for result in results]  # type: ignore[attr-defined]
    total = read_time + check_time + json_time
    print(f"{rows} generated rows (seed {SEED}); best of {REPEATS} runs")
    print(f"  read      {read_time:7.2f} s")
    print(f"  check     {check_time:7.2f} s   {rows / check_time:8.0f} rows/s")
    print(f"  JSON      {json_time:7.2f} s   CSV {csv_time:.2f} s   text {text_time:.2f} s")
    print(f"  read + check + JSON: {total:.2f} s, {rows / total:.0f} rows/s")
    print(f"  inconsistent rows: {verdicts.count('inconsistent')} of {rows} (all rows are printed faithfully)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
