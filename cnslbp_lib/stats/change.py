"""Paired change between two stages of a cohort: adapters from the cohort frame to the core.

All functions take the tidy cohort frame (``data``), an ``instrument`` key from
the registry and the two stages. :func:`stage_change` pairs the scores and
names everyone without both in :attr:`StageChange.excluded`, so no exclusion
is silent; the others hand the pairs to :mod:`cnslbp_lib.stats.core` and
return its frozen results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, Instrument, as_instrument
from .bootstrap import BootstrapInterval, bootstrap_mean_change
from .core import (
    DEFAULT_SEED,
    PairedT,
    SignedRank,
    paired_t,
    signed_rank,
)

__all__ = [
    "StageChange",
    "bootstrap_change",
    "paired_change",
    "stage_change",
    "stage_values",
    "wilcoxon_change",
]


@dataclass(frozen=True, eq=False)
class StageChange:
    """Per-participant scores at two stages and their difference.

    Attributes
    ----------
    changes : pandas.DataFrame
        ``participant``, ``before``, ``after`` and ``change`` (after − before)
        for every participant with both scores, sorted by participant.
    excluded : pandas.DataFrame
        ``participant`` and ``reason`` for everyone else in the file.
    """

    instrument: str
    from_stage: int
    to_stage: int
    changes: pd.DataFrame
    excluded: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.changes)

    @property
    def change_values(self) -> np.ndarray:
        """The changes as a float array."""
        return np.asarray(self.changes["change"], dtype=float)

    @property
    def before(self) -> np.ndarray:
        """Scores at ``from_stage`` as a float array."""
        return np.asarray(self.changes["before"], dtype=float)

    @property
    def after(self) -> np.ndarray:
        """Scores at ``to_stage`` as a float array."""
        return np.asarray(self.changes["after"], dtype=float)

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def _check_stages(from_stage: int, to_stage: int) -> None:
    for name, stage in (("from_stage", from_stage), ("to_stage", to_stage)):
        if isinstance(stage, bool) or not isinstance(stage, int | np.integer) or stage < 1:
            raise ValueError(f"{name} must be a stage number (a whole number from 1); got {stage!r}")
    if from_stage == to_stage:
        raise ValueError(f"from_stage and to_stage must differ; both are {from_stage}")


def _participant_codes(data: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    participant = data["participant"]
    if isinstance(participant.dtype, pd.CategoricalDtype):
        return participant.cat.codes.to_numpy(), participant.cat.categories
    codes, labels = pd.factorize(participant.astype("str"), sort=True)
    return codes, pd.Index(labels)


def participants_of(data: pd.DataFrame) -> pd.Categorical:
    """Every participant in ``data`` once, in sorted order, as a categorical."""
    codes, labels = _participant_codes(data)
    used = np.flatnonzero(np.bincount(codes, minlength=len(labels)) > 0)
    return pd.Categorical.from_codes(used, categories=labels)


def stage_scores(
    data: pd.DataFrame, column: str, stages: tuple[int, ...]
) -> tuple[pd.Categorical, np.ndarray, np.ndarray]:
    """Scores of one column as a participants × stages array.

    Returns the participants (a categorical, one entry per participant in
    ``data``), the float scores (NaN where blank or absent) and a boolean
    array saying which stage rows exist. Vectorised: the cost is linear in
    the number of rows.
    """
    codes, labels = _participant_codes(data)
    recorded = np.asarray(data["stage"], dtype=float)
    # stage numbers are whole numbers, so stage − the first is the slot within a participant
    finite = recorded[np.isfinite(recorded)]
    first = int(min(*stages, finite.min() if finite.size else stages[0]))
    width = int(max(*stages, finite.max() if finite.size else stages[0])) - first + 1
    offset = recorded - first
    known = (offset >= 0) & (offset < width)
    slot = codes * width + offset.astype(np.int64, copy=False)
    values = data[column].to_numpy(dtype=float, na_value=np.nan)
    if not known.all():
        slot, values = slot[known], values[known]
    flat_scores = np.full(len(labels) * width, np.nan)
    flat_scores[slot] = values
    flat_present = np.zeros(flat_scores.size, dtype=bool)
    flat_present[slot] = True
    columns = [number - first for number in stages]
    participants = participants_of(data)
    scores = flat_scores.reshape(-1, width)[:, columns]
    present = flat_present.reshape(-1, width)[:, columns]
    if len(participants) < len(labels):
        scores, present = scores[participants.codes], present[participants.codes]
    return participants, scores, present


def stage_change(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> StageChange:
    """Per-participant change in ``instrument`` from ``from_stage`` to ``to_stage``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy cohort frame (``Cohort.data``).
    instrument : str or Instrument
        The instrument, or its key in the book's registry (e.g. ``"piq"``).
    from_stage, to_stage : int
        Stages to compare; the change is ``to_stage − from_stage``.

    Returns
    -------
    StageChange
    """
    entry = as_instrument(instrument)
    abbreviation = entry.abbreviation
    _check_stages(from_stage, to_stage)
    participants, scores, present = stage_scores(data, entry.key, (from_stage, to_stage))
    complete = ~np.isnan(scores).any(axis=1)
    changes = pd.DataFrame(
        {
            "participant": participants[complete],
            "before": scores[complete, 0],
            "after": scores[complete, 1],
            "change": scores[complete, 1] - scores[complete, 0],
        }
    )
    # reasons are written only for the excluded, usually few, participants
    reasons = []
    for row in np.flatnonzero(~complete):
        parts = []
        for position, stage in enumerate((from_stage, to_stage)):
            if not present[row, position]:
                parts.append(f"no stage {stage} row")
            elif np.isnan(scores[row, position]):
                parts.append(f"{abbreviation} blank at stage {stage}")
        reasons.append("; ".join(parts))
    excluded = pd.DataFrame({"participant": participants[~complete], "reason": pd.Series(reasons, dtype="str")})
    return StageChange(entry.key, from_stage, to_stage, changes, excluded)


def stage_values(data: pd.DataFrame, instrument: str | Instrument, stage: int) -> np.ndarray:
    """Every recorded score of ``instrument`` at ``stage`` (blanks left out), as a float array."""
    key = as_instrument(instrument).key
    return np.asarray(data.loc[data["stage"] == stage, key].dropna(), dtype=float)


def paired_change(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
) -> PairedT:
    """Paired t-test of the change in one instrument between two stages.

    The cohort-frame form of :func:`cnslbp_lib.stats.core.paired_t`: pairs the
    scores with :func:`stage_change` (which names anyone excluded) and returns
    the core's result.

    Examples
    --------
    >>> from cnslbp_lib import format_ci, format_number, load_cohort
    >>> result = paired_change(load_cohort("data/cohort.csv").data, "piq")
    >>> result.n, format_number(result.mean_change, 2), format_ci(result.ci_low, result.ci_high, 2)
    (14, '−18.79', '−29.87 to −7.70')
    """
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    return paired_t(change.before, change.after, confidence=confidence)


def wilcoxon_change(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> SignedRank:
    """Wilcoxon signed-rank test of the change (:func:`cnslbp_lib.stats.core.signed_rank`)."""
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    return signed_rank(change.before, change.after)


def bootstrap_change(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
    method: Literal["percentile", "bca"] = "percentile",
) -> BootstrapInterval:
    """Seeded bootstrap interval of the mean change, percentile or BCa.

    The cohort-frame form of :func:`cnslbp_lib.stats.bootstrap.bootstrap_mean_change`
    (which documents both methods): pairs the scores with :func:`stage_change`
    and returns the core's result. With the same seed, ``method="bca"`` uses
    the same resamples as the percentile interval.
    """
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    return bootstrap_mean_change(
        change.before, change.after, confidence=confidence, n_resamples=n_resamples, seed=seed, method=method
    )
