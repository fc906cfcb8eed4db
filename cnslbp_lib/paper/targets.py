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
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats

from ..exceptions import ReconstructionError
from .consistency import consistency_checks, grim_sums, percentage_counts
from .formatting import format_number
from .reported import STUDY, Paper, ReportedNumber

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


def _contradicted_keys(paper: Paper) -> set[str]:
    """Printed numbers that are no target: those the checks find inconsistent, and p-values that are no p."""
    checks = consistency_checks(paper)
    found = set(checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"])
    unreadable = {
        record.key
        for record in paper.reported
        if record.quantity == "p_val"
        and not record.printed.strip().startswith(("<", ">", "≤", "≥"))
        and not (record.value is not None and 0 <= record.value <= 1)
    }
    return found | unreadable


def _responder_count(paper: Paper, instrument: str, n: int) -> int | None:
    record = paper.find("responder_pct", instrument)
    if record is None or record.decimals is None:
        counted = paper.find("responder_k", instrument)
        return None if counted is None or counted.value is None else int(counted.value)
    counts = percentage_counts(record.printed, n, record.decimals)
    # a percentage no count rounds to (the PIQ's 78.5) is read as truncated, the only rule that gives a count
    candidates = counts["rounded"] or counts["truncated"]
    if not candidates:
        raise ReconstructionError(f"{record.key}: no count out of {n} gives {record.printed}%")
    return int(candidates[0])


# the quantities of a paired t-test that depend on the changes only through their sum and sum of squares
T_QUANTITIES = ("mean_change", "change_sd", "ci_low", "ci_high", "t", "p_val", "dz", "effect_size")


def _t_values(  # noqa: PLR0911 (one return per quantity)
    record: ReportedNumber, total: int, squares: np.ndarray, n: int, step: float
) -> np.ndarray:
    """What ``record`` would be for each sum of squares (changes in units of ``step`` points, summing to ``total``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt((squares - total**2 / n) / (n - 1)) * step
        mean = total / n * step
        se = sd / math.sqrt(n)
        critical = float(stats.t.ppf((1 + record.level) / 2, n - 1))
        match record.computed_quantity:
            case "mean_change":
                return np.full(squares.size, mean)
            case "change_sd":
                return np.asarray(sd)
            case "ci_low":
                return np.asarray(mean - critical * se)
            case "ci_high":
                return np.asarray(mean + critical * se)
            case "t":
                return np.asarray(mean / se)
            case "p_val":
                return np.asarray(2 * stats.t.sf(np.abs(mean / se), n - 1))
            case _:  # dz, and an effect size printed as dz or SRM
                return np.asarray(mean / sd)


def _fixes_changes(record: ReportedNumber) -> bool:
    """Whether a printed number is a function of the changes' sum and sum of squares (a t-based quantity)."""
    if record.quantity == "effect_size":
        return (record.label_printed or "").lower() in ("dz", "srm")
    return record.quantity in T_QUANTITIES


def change_targets(paper: Paper = STUDY, n: int | None = None) -> list[ChangeTarget]:
    """Derive each instrument's targets for the analysed comparison from the paper's printed numbers.

    Changes are counted in units of the instrument's score step (whole points for a
    total, 1/k point for a mean of k items), so GRIM and the sums of squares are
    whole numbers whatever the scoring. Numbers printed about other comparisons are
    audited and checked but are not targets.

    Raises
    ------
    ReconstructionError
        When an instrument has no printed mean change for the analysed comparison,
        or its printed numbers admit no whole-number total or sum of squares.

    Examples
    --------
    >>> piq = change_targets()[0]
    >>> piq.instrument, piq.total, piq.sums_of_squares, piq.responders
    ('piq', -263, (9729, 9731, 9733, 9735), 11)
    """
    n = paper.n if n is None else n
    contradicted = _contradicted_keys(paper)
    targets = []
    for instrument in paper.design.instruments:
        mean_record = paper.find("mean_change", instrument.key)
        if mean_record is None or mean_record.decimals is None:
            raise ReconstructionError(
                f"{instrument.abbreviation}: the paper prints no mean change for stages "
                f"{paper.analysis[0]} → {paper.analysis[1]}, so its changes cannot be reconstructed"
            )
        if instrument.step != Fraction(1, instrument.items):
            raise ReconstructionError(
                f"{instrument.abbreviation}: its scores move in steps of {instrument.step} points, and the joint "
                "ensemble counts scores in whole points or 1/k of a point; draw each printed result by itself "
                "with cnslbp ensemble --table FILE --row ID, or see cnslbp report PAPER"
            )
        units = n * instrument.items  # a mean of n scores, each a whole number of 1/items points
        sums = grim_sums(mean_record.printed, units, mean_record.decimals)
        sign = -1 if mean_record.reversed else 1  # totals are later minus earlier
        sums = tuple(sign * candidate for candidate in sums)
        if not sums:
            raise ReconstructionError(
                f"{mean_record.key}: no whole-number total over {units} gives {mean_record.printed}"
            )
        records = [
            record
            for record in paper.reported
            if record.instrument == instrument.key
            and record.comparison in (None, paper.analysis)
            and _fixes_changes(record)
        ]
        usable = [record for record in records if record.key not in contradicted]
        span = (instrument.maximum - instrument.minimum) * instrument.items
        step = 1 / instrument.items
        # each whole total the printed mean allows (in steps of 1/items point), with the sums of squares
        # that reproduce every other printed number; the joint ensemble needs exactly one total to fit
        fitting = {}
        printed_mean = sign * float(mean_record.value or 0)
        for total in sorted(sums, key=lambda candidate: abs(candidate / units - printed_mean)):
            # a sum of squares has the parity of the sum (v² ≡ v mod 2)
            first = math.ceil(total**2 / n)
            first += (first - total) % 2
            squares = np.arange(first, n * span**2 + 1, 2)
            keep = np.isfinite(_t_values(mean_record, total, squares, n, step)) & (squares * n > total**2)
            for record in usable:
                computed = np.nan_to_num(_t_values(record, total, squares, n, step))
                keep &= np.array([record.as_printed(value) for value in computed]) == record.printed
            if keep.any():
                fitting[total] = squares[keep]
        if not fitting:
            raise ReconstructionError(
                f"{instrument.abbreviation}: no sum of squares reproduces {[r.key for r in usable]}"
            )
        if len(fitting) > 1:
            raise ReconstructionError(
                f"{instrument.abbreviation}: the printed {mean_record.key} {mean_record.printed} allows "
                f"{len(fitting)} different totals of {n} changes (GRIM does not fix it at this n and score step), "
                "and the joint ensemble draws one total per outcome; draw each printed result by itself with "
                "cnslbp ensemble --table FILE --row ID, or see cnslbp report PAPER"
            )
        total, kept = next(iter(fitting.items()))
        targets.append(
            ChangeTarget(
                instrument=instrument.key,
                total=total,
                sums_of_squares=tuple(int(value) for value in kept),
                responders=_responder_count(paper, instrument.key, n),
                targets=tuple(record.key for record in usable),
                not_targets=tuple(record.key for record in records if record.key in contradicted),
            )
        )
    return targets


def targets_table(paper: Paper = STUDY, n: int | None = None) -> pd.DataFrame:
    """The targets in words, one row per outcome, for the book."""
    labels = {record.key: record.label for record in paper.reported}
    rows = []
    for target in change_targets(paper, n):
        entry = paper.instrument(target.instrument)
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
