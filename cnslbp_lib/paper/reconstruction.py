"""Reconstruct integer scores that reproduce the abstract's reproducible numbers.

Only summary statistics were published. This module searches, deterministically
and with a fixed seed, for whole-number scores of n participants at three
stages that print exactly as the abstract does wherever a paired t-test can
reproduce the abstract, in the spirit of SPRITE (Heathers et al. 2018).

What is fixed by the paper and what is chosen here:

- the targets come from :mod:`cnslbp_lib.paper.reported`: the sample size, each mean
  change (via GRIM), the CI, p and dz of each stage 2 → 3 change, and the
  responder counts implied by the percentages. A printed number that the
  data-free checks contradict (it is the subject of an inconsistent check) is
  not a target; the audit shows it disagreeing;
- everything else is a documented choice in :data:`ASSUMPTIONS`, shown in the
  book's appendix.

The output is a reconstruction, not patient data.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..data.instruments import (
    BASELINE_STAGE,
    FOLLOW_UP_STAGE,
    GLOBAL_CHANGE,
    INSTRUMENTS,
    PRE_EDUCATION_STAGE,
    Instrument,
    get_instrument,
)
from ..exceptions import ReconstructionError
from ..stats.change import paired_change
from ..stats.correlation import association
from ..stats.responder_analysis import pe_nonresponse, responders
from .consistency import consistency_checks, grim_sums, percentage_counts
from .formatting import format_number
from .reported import REPORTED, reported_for, reported_n

__all__ = [
    "ASSUMPTIONS",
    "Assumptions",
    "ChangeTarget",
    "assumptions_table",
    "change_targets",
    "reconstruct",
    "reconstruction_csv",
    "targets_table",
    "write_reconstruction",
]


@dataclass(frozen=True)
class Assumptions:
    """Every choice the abstract leaves open, in one place.

    Attributes
    ----------
    seed : int
        Seed of the search; the same seed always gives the same file.
    worsen_fraction, improve_fraction : float
        No participant's stage 2 → 3 change worsens by more than
        ``worsen_fraction`` of the scale range or improves by more than
        ``improve_fraction`` of it.
    strict_responders : bool
        Keep every change off the threshold itself, so that reading the
        abstract's "exceeded" as ≥ or as > gives the same responder counts.
    correlations : dict
        Target window of the Pearson correlation between two instruments'
        stage 2 → 3 changes. ΔPSEQ with ΔPIQ is inverse as reported, of a
        strength the abstract does not give; ΔPSQ moves with ΔPIQ.
    baseline_levels : dict
        Mean and SD (points) of each instrument's stage 2 score. PSEQ sits in
        the 'moderate' band (20–30) of pain-clinic norms (Nicholas et al.
        2019); PIQ and PSQ in the upper middle of their ranges, as expected of
        people referred to specialist care after first-line care failed
        (a choice, not a sourced value).
    stage_correlation : tuple
        Window for the correlation between each instrument's stage 2 and
        stage 3 scores. Repeated measures of the same people correlate
        positively; with changes as large and varied as the abstract's, a
        moderate window is plausible. Stage 2 levels are swapped between
        participants (keeping every score inside its scale) to reach it.
    scale_margin : int
        Points kept clear of each end of a scale at every stage where the
        changes allow it, so few people sit exactly at a floor or ceiling.
    education_change : dict
        Mean and SD of the stage 1 → 2 improvement (points, positive =
        better) before clipping below each rule instrument's threshold, so
        every participant is a pain-education non-responder.
    global_cutpoints : tuple
        Global rating of change from the average improvement over all
        instruments, each expressed in units of its threshold: at least
        3 → +3, 1 → +2, 0.4 → +1, above −0.4 → 0, above −1 → −1,
        above −2 → −2, else −3. Stage 2 ratings use the same scale.
    id_prefix : str
        Participant ids are the prefix and a number: R01, R02, … (R for
        reconstructed).
    """

    seed: int = 20240611
    worsen_fraction: float = 0.25
    improve_fraction: float = 0.6
    strict_responders: bool = True
    correlations: dict[tuple[str, str], tuple[float, float]] = field(
        default_factory=lambda: {("pseq", "piq"): (-0.65, -0.55), ("psq", "piq"): (0.45, 0.60)}
    )
    baseline_levels: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"piq": (44.0, 10.0), "pseq": (24.0, 7.0), "psq": (24.0, 5.0)}
    )
    stage_correlation: tuple[float, float] = (0.25, 0.55)
    scale_margin: int = 3
    education_change: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"piq": (1.5, 3.0), "pseq": (2.0, 4.0), "psq": (0.5, 3.0)}
    )
    global_cutpoints: tuple[tuple[float, int], ...] = (
        (3.0, 3),
        (1.0, 2),
        (0.4, 1),
        (-0.4, 0),
        (-1.0, -1),
        (-2.0, -2),
    )
    id_prefix: str = "R"
    max_attempts: int = 200


ASSUMPTIONS = Assumptions()


@dataclass(frozen=True)
class ChangeTarget:
    """What one instrument's stage 2 → 3 changes must satisfy.

    ``total`` is the sum of the n changes (from GRIM), ``sum_of_squares`` the
    inclusive range of their sum of squares that reproduces every printed
    target, ``responders`` the count at or beyond the threshold (None if the
    paper gives none), ``targets`` the records reproduced and ``not_targets``
    those the data-free checks contradict.
    """

    instrument: str
    total: int
    sum_of_squares: tuple[int, int]
    responders: int | None
    targets: tuple[str, ...]
    not_targets: tuple[str, ...]


def _contradicted_keys() -> set[str]:
    """Printed numbers that a data-free check finds inconsistent with the others."""
    checks = consistency_checks()
    return set(checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"])


def change_targets(n: int | None = None) -> list[ChangeTarget]:
    """Derive each instrument's targets from the reported numbers.

    For the sum fixed by GRIM, every sum of squares is tried and kept when
    the resulting mean, CI, p and dz all print as in the abstract.
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
        squares = np.arange(math.ceil(total**2 / n), n * span**2 + 1)
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
        responder_record = reported_for(instrument.key, "responder_pct")
        responders = None
        if responder_record is not None and responder_record.decimals is not None:
            counts = percentage_counts(responder_record.printed, n, responder_record.decimals)
            candidates = counts["rounded"] or counts["truncated"]
            if not candidates:
                raise ReconstructionError(
                    f"{responder_record.key}: no count out of {n} gives {responder_record.printed}%"
                )
            responders = candidates[0]
        targets.append(
            ChangeTarget(
                instrument=instrument.key,
                total=total,
                sum_of_squares=(int(squares[keep].min()), int(squares[keep].max())),
                responders=responders,
                targets=tuple(record.key for record in usable),
                not_targets=tuple(record.key for record in records if record.key in contradicted),
            )
        )
    return targets


def _sprite(target: ChangeTarget, n: int, rng: np.random.Generator, assumptions: Assumptions) -> np.ndarray:
    """Whole-number improvements with the target sum, sum of squares and responder count.

    Works in improvement units (positive = better). Starts from random values
    within each participant's bounds with the right total, then moves one
    point from one participant to another at a time, which keeps the total,
    until the sum of squares falls inside its window.
    """
    instrument = get_instrument(target.instrument)
    span = instrument.maximum - instrument.minimum
    low = np.full(n, -math.floor(assumptions.worsen_fraction * span))
    high = np.full(n, math.floor(assumptions.improve_fraction * span))
    if target.responders is not None:
        margin = 1 if assumptions.strict_responders else 0
        is_responder = np.zeros(n, dtype=bool)
        is_responder[rng.choice(n, size=target.responders, replace=False)] = True
        low = np.where(is_responder, instrument.threshold + margin, low)
        high = np.where(is_responder, high, instrument.threshold - 1)
    total = target.total * instrument.improvement_sign
    if not low.sum() <= total <= high.sum():
        raise ReconstructionError(f"{instrument.abbreviation}: the bounds cannot give a total of {total}")
    values = rng.integers(low, high + 1)
    while (gap := total - int(values.sum())) != 0:
        movable = np.flatnonzero(values < high) if gap > 0 else np.flatnonzero(values > low)
        values[rng.choice(movable)] += 1 if gap > 0 else -1
    square_low, square_high = target.sum_of_squares
    for _ in range(20_000):
        squares = int((values**2).sum())
        if square_low <= squares <= square_high:
            return values
        # moving one point from j to i changes the sum of squares by 2(v_i − v_j) + 2
        gain = 2 * (values[:, None] - values[None, :]) + 2
        allowed = (values[:, None] < high[:, None]) & (values[None, :] > low[None, :])
        np.fill_diagonal(allowed, False)
        after = squares + gain
        if squares < square_low:
            towards = allowed & (gain > 0) & (after <= square_high)
        else:
            towards = allowed & (gain < 0) & (after >= square_low)
        if not towards.any():
            break
        i, j = np.argwhere(towards)[rng.integers(int(towards.sum()))]
        values[i] += 1
        values[j] -= 1
    raise ReconstructionError(f"{instrument.abbreviation}: the search did not reach the sum-of-squares window")


def _pair(fixed: np.ndarray, movable: np.ndarray, window: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """Reorder ``movable`` so its Pearson correlation with ``fixed`` falls in ``window``.

    Reordering keeps each instrument's own summary statistics unchanged.
    """
    order = rng.permutation(movable.size)
    aim = sum(window) / 2
    for _ in range(5_000):
        r = float(np.corrcoef(fixed, movable[order])[0, 1])
        if window[0] <= r <= window[1]:
            return movable[order]
        i, j = rng.choice(movable.size, size=2, replace=False)
        swapped = order.copy()
        swapped[[i, j]] = swapped[[j, i]]
        if abs(float(np.corrcoef(fixed, movable[swapped])[0, 1]) - aim) < abs(r - aim):
            order = swapped
    raise ReconstructionError(f"no ordering reached a correlation within {window}")


def _stage_two_bounds(
    instrument: Instrument, change_12: np.ndarray, change_23: np.ndarray, margin: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stage 2 scores that keep stages 1, 2 and 3 at least ``margin`` points inside the scale."""
    floor, ceiling = instrument.minimum + margin, instrument.maximum - margin
    size = change_12.size
    low = np.maximum.reduce([np.full(size, floor), floor - change_23, floor + change_12])
    high = np.minimum.reduce([np.full(size, ceiling), ceiling - change_23, ceiling + change_12])
    return low, high


def _assign_within_bounds(values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Give each participant one of ``values`` inside their own [low, high], keeping the values' spread.

    Participants are served in order of their upper bound, each taking the
    smallest unused value that fits; for matching points to intervals this
    greedy order finds an assignment whenever one exists.
    """
    pool = sorted(values.tolist())
    assigned = np.empty(values.size, dtype=int)
    for participant in np.argsort(high, kind="stable"):
        fitting = [position for position, value in enumerate(pool) if low[participant] <= value <= high[participant]]
        if not fitting:
            raise ReconstructionError("the drawn stage 2 levels cannot all be placed inside the scale")
        assigned[participant] = pool.pop(fitting[0])
    return assigned


def _match_stage_correlation(
    baseline: np.ndarray,
    change: np.ndarray,
    *,
    low: np.ndarray,
    high: np.ndarray,
    window: tuple[float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    """Swap stage 2 levels between participants until stage 2 and 3 correlate within ``window``.

    A swap is kept only if both participants stay inside their allowed range
    and the correlation moves towards the window's centre.
    """
    values = baseline.copy()
    aim = sum(window) / 2

    def correlation(levels: np.ndarray) -> float:
        return float(np.corrcoef(levels, levels + change)[0, 1])

    for _ in range(5_000):
        r = correlation(values)
        if window[0] <= r <= window[1]:
            return values
        i, j = rng.choice(values.size, size=2, replace=False)
        if not (low[i] <= values[j] <= high[i] and low[j] <= values[i] <= high[j]):
            continue
        swapped = values.copy()
        swapped[[i, j]] = swapped[[j, i]]
        if abs(correlation(swapped) - aim) < abs(r - aim):
            values = swapped
    raise ReconstructionError(f"no arrangement of stage 2 levels reached a stage 2–3 correlation within {window}")


def _global_rating(composite: np.ndarray, assumptions: Assumptions) -> np.ndarray:
    rating = np.full(composite.shape, GLOBAL_CHANGE.minimum)
    for cut, value in reversed(assumptions.global_cutpoints):
        rating = np.where(composite > cut if value <= 0 else composite >= cut, value, rating)
    return rating


def _attempt(targets: list[ChangeTarget], n: int, rng: np.random.Generator, assumptions: Assumptions) -> pd.DataFrame:
    improvement = {target.instrument: _sprite(target, n, rng, assumptions) for target in targets}
    for (movable, fixed), window in assumptions.correlations.items():
        sign = get_instrument(movable).improvement_sign * get_instrument(fixed).improvement_sign
        # the window is for the raw changes; improvements differ from them by each sign
        improvement[movable] = _pair(
            improvement[fixed],
            improvement[movable],
            (min(w * sign for w in window), max(w * sign for w in window)),
            rng,
        )
    scores: dict[str, np.ndarray] = {}
    education: dict[str, np.ndarray] = {}
    for instrument in INSTRUMENTS:
        key = instrument.key
        mean, sd = assumptions.education_change[key]
        ceiling = instrument.threshold - 1
        early = np.clip(np.rint(rng.normal(mean, sd, n)), -ceiling, ceiling).astype(int)
        education[key] = early
        later = improvement[key]
        change_12 = early * instrument.improvement_sign
        change_23 = later * instrument.improvement_sign
        # stage 2 must leave stages 1 and 3 inside the scale, clear of its ends where possible
        low, high = _stage_two_bounds(instrument, change_12, change_23, assumptions.scale_margin)
        hard_low, hard_high = _stage_two_bounds(instrument, change_12, change_23, 0)
        if (hard_low > hard_high).any():
            raise ReconstructionError(f"{instrument.abbreviation}: a participant's changes do not fit the scale")
        tight = low > high
        low = np.where(tight, hard_low, low)
        high = np.where(tight, hard_high, high)
        level_mean, level_sd = assumptions.baseline_levels[key]
        drawn = _assign_within_bounds(np.rint(rng.normal(level_mean, level_sd, n)).astype(int), low, high)
        baseline = _match_stage_correlation(
            drawn, change_23, low=low, high=high, window=assumptions.stage_correlation, rng=rng
        )
        scores[key] = np.stack([baseline - change_12, baseline, baseline + change_23], axis=1)
    ratings = {
        stage: _global_rating(np.mean([source[item.key] / item.threshold for item in INSTRUMENTS], axis=0), assumptions)
        for stage, source in ((BASELINE_STAGE, education), (FOLLOW_UP_STAGE, improvement))
    }
    width = max(2, len(str(n)))
    ids = [f"{assumptions.id_prefix}{number:0{width}d}" for number in range(1, n + 1)]
    stages = (PRE_EDUCATION_STAGE, BASELINE_STAGE, FOLLOW_UP_STAGE)
    rows = {
        "participant": np.repeat(ids, len(stages)),
        "stage": np.tile(stages, n),
        **{instrument.key: scores[instrument.key].reshape(-1) for instrument in INSTRUMENTS},
        GLOBAL_CHANGE.key: np.stack(
            [np.full(n, -99), ratings[BASELINE_STAGE], ratings[FOLLOW_UP_STAGE]], axis=1
        ).reshape(-1),
    }
    frame = pd.DataFrame(rows)
    frame[GLOBAL_CHANGE.key] = frame[GLOBAL_CHANGE.key].astype("Int64").mask(frame["stage"] == PRE_EDUCATION_STAGE)
    return frame


def _meets_targets(frame: pd.DataFrame, targets: list[ChangeTarget], assumptions: Assumptions) -> bool:
    for target in targets:
        row = paired_change(frame, target.instrument)
        for key in target.targets:
            record = next(record for record in REPORTED if record.key == key)
            if record.as_printed(float(getattr(row, record.quantity))) != record.printed:
                return False
        if target.responders is not None and responders(frame, target.instrument).k != target.responders:
            return False
    for (x, y), window in assumptions.correlations.items():
        r = association(frame, x, y).pearson.r
        if not window[0] <= r <= window[1]:
            return False
    return bool(pe_nonresponse(frame)["non_responder"].all())


def reconstruct(assumptions: Assumptions = ASSUMPTIONS) -> pd.DataFrame:
    """Search for a cohort that reproduces the abstract; deterministic for a seed.

    Returns
    -------
    pandas.DataFrame
        Tidy rows in the cohort file's columns, sorted by participant and stage.

    Raises
    ------
    ReconstructionError
        When no attempt within ``assumptions.max_attempts`` meets every target.
    """
    n = reported_n()
    targets = change_targets(n)
    rng = np.random.default_rng(assumptions.seed)
    for _ in range(assumptions.max_attempts):
        try:
            frame = _attempt(targets, n, rng, assumptions)
        except ReconstructionError:
            continue
        if _meets_targets(frame, targets, assumptions):
            return frame
    raise ReconstructionError(f"no reconstruction met every target in {assumptions.max_attempts} attempts")


def reconstruction_csv(assumptions: Assumptions = ASSUMPTIONS) -> str:
    """The reconstruction as the exact text of ``data/cohort.csv``."""
    return str(reconstruct(assumptions).to_csv(index=False, lineterminator="\n"))


def write_reconstruction(path: str | Path, assumptions: Assumptions = ASSUMPTIONS) -> str:
    """Write the reconstruction to ``path`` atomically (never a half-written file).

    Returns the SHA-256 of what was written.
    """
    text = reconstruction_csv(assumptions)
    destination = Path(path)
    handle, temporary = tempfile.mkstemp(dir=destination.parent or Path("."), prefix=".cohort-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assumptions_table(assumptions: Assumptions = ASSUMPTIONS) -> pd.DataFrame:
    """Every open choice of the reconstruction with its value, for the book's appendix.

    Returns
    -------
    pandas.DataFrame
        ``choice`` and ``value``, in the order of :class:`Assumptions`.
    """

    def instrument_pairs(values: dict[str, tuple[float, float]], unit: str) -> str:
        return "; ".join(
            f"{get_instrument(key).abbreviation} {format_number(mean, 1)} {unit} (SD {format_number(sd, 1)})"
            for key, (mean, sd) in values.items()
        )

    windows = "; ".join(
        f"Δ{get_instrument(x).abbreviation} with Δ{get_instrument(y).abbreviation}: r from "
        f"{format_number(low, 2)} to {format_number(high, 2)}"
        for (x, y), (low, high) in assumptions.correlations.items()
    )
    cutpoints = ", ".join(
        f"{'≥' if value > 0 else '>'} {format_number(cut, 1)} → {format_number(value, 0, plus=True)}"
        for cut, value in assumptions.global_cutpoints
    )
    rows = [
        ("Seed of the search", str(assumptions.seed)),
        ("Largest worsening from stage 2 to 3", f"{format_number(100 * assumptions.worsen_fraction, 0)}% of the scale"),
        (
            "Largest improvement from stage 2 to 3",
            f"{format_number(100 * assumptions.improve_fraction, 0)}% of the scale",
        ),
        ("No change exactly on a threshold", "yes" if assumptions.strict_responders else "no"),
        ("Correlation between changes (not reported)", windows),
        ("Stage 2 levels", instrument_pairs(assumptions.baseline_levels, "points")),
        (
            "Correlation of stage 2 with stage 3 scores",
            f"r from {format_number(assumptions.stage_correlation[0], 2)} "
            f"to {format_number(assumptions.stage_correlation[1], 2)}",
        ),
        ("Points kept clear of each end of a scale", str(assumptions.scale_margin)),
        ("Improvement during education, before clipping", instrument_pairs(assumptions.education_change, "points")),
        ("Global rating from the average improvement in threshold units", cutpoints + ", otherwise −3"),
        ("Participant ids", f"{assumptions.id_prefix}01, {assumptions.id_prefix}02, …"),
    ]
    return pd.DataFrame(rows, columns=["choice", "value"])


def targets_table(n: int | None = None) -> pd.DataFrame:
    """The reconstruction targets in words, one row per outcome, for the book's appendix."""
    labels = {record.key: record.label for record in REPORTED}
    rows = []
    for target in change_targets(n):
        entry = get_instrument(target.instrument)
        rows.append(
            {
                "outcome": entry.abbreviation,
                "total change": format_number(target.total, 0),
                "sum of squares": f"{target.sum_of_squares[0]} to {target.sum_of_squares[1]}",
                "responders": "not reported" if target.responders is None else str(target.responders),
                "reproduced": "; ".join(labels[key] for key in target.targets),
                "not a target": "; ".join(labels[key] for key in target.not_targets) or "none",
            }
        )
    return pd.DataFrame(rows)
