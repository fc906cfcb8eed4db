"""What the abstract fixes about the stage 2 → 3 changes: totals, sums of squares, responder counts.

For each outcome with a printed mean change, the GRIM total is the only whole
number of points over n participants that prints as the mean; every sum of
squares of the changes is then tried and kept when the mean, CI, p and dz it
implies all print as the abstract prints them. A printed number that a
data-free check contradicts (it is the subject of an inconsistent check) is
not used. Responder counts come from the printed percentages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..data.instruments import INSTRUMENTS, get_instrument
from ..exceptions import ReconstructionError
from .consistency import consistency_checks, grim_sums, percentage_counts
from .formatting import format_number
from .reported import REPORTED, reported_for, reported_n

__all__ = ["ChangeTarget", "change_targets", "targets_table"]


@dataclass(frozen=True)
class ChangeTarget:
    """What one instrument's stage 2 → 3 changes must satisfy.

    ``total`` is the sum of the n changes (from GRIM); ``sums_of_squares`` every
    sum of squares of the changes that reproduces every printed target (only
    values of the same parity as the total can occur); ``responders`` the count
    of responders (None if the paper gives none); ``targets`` the records
    reproduced and ``not_targets`` those the data-free checks contradict.
    """

    instrument: str
    total: int
    sums_of_squares: tuple[int, ...]
    responders: int | None
    targets: tuple[str, ...]
    not_targets: tuple[str, ...]


def _contradicted_keys() -> set[str]:
    checks = consistency_checks()
    return set(checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"])


def _responder_count(instrument: str, n: int) -> int | None:
    record = reported_for(instrument, "responder_pct")
    if record is None or record.decimals is None:
        return None
    counts = percentage_counts(record.printed, n, record.decimals)
    # a percentage no count rounds to (the PIQ's 78.5) is read as truncated, the only rule that gives a count
    candidates = counts["rounded"] or counts["truncated"]
    if not candidates:
        raise ReconstructionError(f"{record.key}: no count out of {n} gives {record.printed}%")
    return int(candidates[0])


def change_targets(n: int | None = None) -> list[ChangeTarget]:
    """Derive each instrument's targets from the reported numbers.

    Examples
    --------
    >>> piq = change_targets()[0]
    >>> piq.instrument, piq.total, piq.sums_of_squares, piq.responders
    ('piq', -263, (9729, 9731, 9733, 9735), 11)
    """
    n = reported_n() if n is None else n
    contradicted = _contradicted_keys()
    critical = float(stats.t.ppf(0.975, n - 1))
    targets = []
    for instrument in INSTRUMENTS:
        mean_record = reported_for(instrument.key, "mean_change")
        if mean_record is None or mean_record.decimals is None:
            continue
        sums = grim_sums(mean_record.printed, n, mean_record.decimals)
        if not sums:
            raise ReconstructionError(f"{mean_record.key}: no whole-number total over {n} gives {mean_record.printed}")
        total = min(sums, key=lambda candidate: abs(candidate / n - float(mean_record.value or 0)))
        records = [
            record
            for quantity in ("mean_change", "ci_low", "ci_high", "p_val", "dz")
            if (record := reported_for(instrument.key, quantity)) is not None
        ]
        usable = [record for record in records if record.key not in contradicted]
        span = instrument.maximum - instrument.minimum
        # a sum of squares has the parity of the sum (v² ≡ v mod 2)
        first = math.ceil(total**2 / n)
        first += (first - total) % 2
        squares = np.arange(first, n * span**2 + 1, 2)
        variance = (squares - total**2 / n) / (n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = np.sqrt(variance)
            mean = total / n
            se = sd / math.sqrt(n)
            computed = {
                "mean_change": np.full(squares.size, mean),
                "ci_low": mean - critical * se,
                "ci_high": mean + critical * se,
                "p_val": 2 * stats.t.sf(np.abs(mean / se), n - 1),
                "dz": mean / sd,
            }
        keep = np.isfinite(computed["dz"])
        for record in usable:
            printed = [record.as_printed(value) for value in np.nan_to_num(computed[record.quantity])]
            keep &= np.array(printed) == record.printed
        if not keep.any():
            raise ReconstructionError(
                f"{instrument.abbreviation}: no sum of squares reproduces {[r.key for r in usable]}"
            )
        targets.append(
            ChangeTarget(
                instrument=instrument.key,
                total=total,
                sums_of_squares=tuple(int(value) for value in squares[keep]),
                responders=_responder_count(instrument.key, n),
                targets=tuple(record.key for record in usable),
                not_targets=tuple(record.key for record in records if record.key in contradicted),
            )
        )
    return targets


def targets_table(n: int | None = None) -> pd.DataFrame:
    """The targets in words, one row per outcome, for the book."""
    labels = {record.key: record.label for record in REPORTED}
    rows = []
    for target in change_targets(n):
        entry = get_instrument(target.instrument)
        squares = target.sums_of_squares
        rows.append(
            {
                "outcome": entry.abbreviation,
                "total change": format_number(target.total, 0),
                "sum of squares": f"{squares[0]} to {squares[-1]} ({len(squares)} possible values)",
                "responders": "not reported" if target.responders is None else str(target.responders),
                "reproduced": "; ".join(labels[key] for key in target.targets),
                "not a target": "; ".join(labels[key] for key in target.not_targets) or "none",
            }
        )
    return pd.DataFrame(rows)
