"""False alarms and detection rates of the paired-result checks on random datasets; print the figures.

    python benchmarks/check_rates.py [ROWS]      (default: 2000)

Each row is printed from a random integer dataset (n from 3 to 300, scales
0–4 to 0–100, score steps 1 and 1/k) by tests/paired_datasets.py, with half-up
or half-even rounding at 1–3 decimals and either sign convention, every
column printed. False alarms: how many checks call a faithfully printed row
inconsistent (it must be none). Detection: one printed number of the row is
moved by 1, 2 or 10 units of its last printed digit, or by 10% of its value;
for each check that could run on the faithful row and uses that number, the
share of such moves it calls inconsistent. A move of one unit can land the
true value on the new interval's edge, so its rate is the floor, not a goal.
Seeded: the same figures on every run.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnslbp_lib.paper.paired_checks import CHECK_NAMES, check_paired_result
from cnslbp_lib.paper.paired_result import PairedResult
from cnslbp_lib.paper.printed import parse_printed_value
from tests.paired_datasets import printed_row, random_dataset

CHECK_INPUTS = {
    "mean_change": ("mean_change", "pre_mean", "post_mean"),
    "ci_midpoint": ("ci_low", "ci_high", "mean_change"),
    "ci_width": ("ci_low", "ci_high", "change_sd", "n"),
    "df": ("df", "n"),
    "t_vs_mean_sd": ("t", "change_sd", "mean_change", "n"),
    "t_vs_ci": ("t", "ci_low", "ci_high", "n"),
    "p_vs_t": ("p", "t"),
    "p_vs_ci": ("p", "ci_low", "ci_high", "n"),
    "p_vs_change_sd": ("p", "change_sd", "mean_change", "n"),
    "effect_size": ("effect_size",),
    "correlation": ("pre_sd", "post_sd", "change_sd"),
    "grim_pre_mean": ("pre_mean",),
    "grim_post_mean": ("post_mean",),
    "grim_mean_change": ("mean_change",),
    "grimmer_pre": ("pre_sd",),
    "grimmer_post": ("post_sd",),
    "grimmer_change": ("change_sd",),
    "scale_limits": ("pre_mean", "post_mean", "pre_sd", "post_sd", "change_sd"),
    "responder": ("responder_pct", "responder_k"),
}
MOVABLE = tuple(sorted({column for columns in CHECK_INPUTS.values() for column in columns}))
SHIFTS = ("1 unit", "2 units", "10 units", "10%")
SEED = 20240611


def moved(text: str, column: str, shift: str, rng: np.random.Generator) -> str | None:
    """``text`` moved by ``shift``, away from where it was; None when it cannot move (an inequality, a domain edge)."""
    value = parse_printed_value(text, integer=column in ("n", "df", "responder_k"))
    if value.relation != "=":
        return None
    unit = value.unit
    step = {"1 unit": unit, "2 units": 2 * unit, "10 units": 10 * unit}.get(shift)
    if step is None:
        step = max(abs(value.value) / 10, 2 * unit).quantize(unit) if value.decimals >= 0 else unit
    for sign in (1, -1) if rng.random() < 0.5 else (-1, 1):
        new = value.value + sign * step
        bounded = column in ("n", "df", "responder_k", "p") or "sd" in column
        low_ok = new >= (2 if column == "n" else 0) if bounded else True
        if low_ok and not (column == "p" and new > 1) and not (column == "responder_pct" and not 0 <= new <= 100):
            return str(new.quantize(unit) if value.decimals > 0 else new.to_integral_value())
    return None


def main(rows: int) -> None:
    rng = np.random.default_rng(SEED)
    false_alarms: Counter[str] = Counter()
    ran: Counter[str] = Counter()
    tried: Counter[tuple[str, str]] = Counter()
    caught: Counter[tuple[str, str]] = Counter()
    for index in range(rows):
        data = random_dataset(rng)
        rounding = str(rng.choice(["half_up", "half_even"]))
        row = printed_row(data, rng, rounding=rounding, orientation=int(rng.choice([1, -1, 0])), blank_share=0.0)
        faithful = check_paired_result(PairedResult.from_mapping(row))
        runnable = {check.name for check in faithful.checks if check.verdict != "not checkable"}
        ran.update(runnable)
        false_alarms.update(check.name for check in faithful.checks if check.verdict == "inconsistent")
        column = MOVABLE[index % len(MOVABLE)]
        for shift in SHIFTS:
            text = moved(row[column], column, shift, rng) if row.get(column) else None
            if text is None:
                continue
            result = check_paired_result(PairedResult.from_mapping({**row, column: text}))
            for check in result.checks:
                if check.name in runnable and column in CHECK_INPUTS[check.name]:
                    tried[check.name, shift] += 1
                    caught[check.name, shift] += check.verdict == "inconsistent"
    print(f"{rows} faithfully printed rows (seed {SEED}): {sum(false_alarms.values())} false alarms")
    print(f"\n{'check':<18}{'ran on':>8}{'false':>7}" + "".join(f"{shift:>11}" for shift in SHIFTS))
    for name in CHECK_NAMES:
        rates = []
        for shift in SHIFTS:
            count = tried[name, shift]
            rates.append(f"{caught[name, shift] / count:>10.0%}" if count else f"{'—':>10}")
        print(f"{name:<18}{ran[name]:>8}{false_alarms[name]:>7} " + " ".join(rates))
    print("\nDetection: share of moves of one of the check's own numbers that it calls inconsistent.")
    print(f"Moves tried per check and shift: {min(tried.values())} to {max(tried.values())}.")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
