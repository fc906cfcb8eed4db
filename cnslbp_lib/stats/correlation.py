"""Association between two participants' changes, e.g. ΔPSEQ against ΔPIQ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE
from ..exceptions import NotEnoughDataError
from .change import participants_of, stage_change
from .core import Correlation, correlation

__all__ = ["Association", "association", "binned_pairs", "change_pairs", "least_squares_line"]


def change_pairs(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> pd.DataFrame:
    """Changes in two instruments side by side, for participants who have both.

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``<x>_change``, ``<y>_change``.
    """
    if x == y:
        raise ValueError(f"x and y must be different instruments; both are {x!r}")
    left = stage_change(data, x, from_stage=from_stage, to_stage=to_stage).changes
    right = stage_change(data, y, from_stage=from_stage, to_stage=to_stage).changes
    # both tables list participants in the same categorical order, so align on the codes
    left_codes = pd.Series(left["participant"]).cat.codes.to_numpy()
    right_codes = pd.Series(right["participant"]).cat.codes.to_numpy()
    _, in_left, in_right = np.intersect1d(left_codes, right_codes, assume_unique=True, return_indices=True)
    return pd.DataFrame(
        {
            "participant": left["participant"].to_numpy()[in_left],
            f"{x}_change": left["change"].to_numpy()[in_left],
            f"{y}_change": right["change"].to_numpy()[in_right],
        }
    )


@dataclass(frozen=True)
class Association:
    """Pearson and Spearman correlations of two changes, and who was left out."""

    x: str
    y: str
    pearson: Correlation
    spearman: Correlation
    n_excluded: int

    @property
    def n(self) -> int:
        return self.pearson.n


def association(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
) -> Association:
    """Pearson and Spearman correlation between the changes in ``x`` and ``y``.

    The cohort-frame form of :func:`cnslbp_lib.stats.core.correlation`, for
    participants with both changes.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 participants who have both changes.
    """
    pairs = change_pairs(data, x, y, from_stage=from_stage, to_stage=to_stage)
    x_values = pairs[f"{x}_change"].to_numpy(float)
    y_values = pairs[f"{y}_change"].to_numpy(float)
    return Association(
        x=x,
        y=y,
        pearson=correlation(x_values, y_values, method="pearson", confidence=confidence),
        spearman=correlation(x_values, y_values, method="spearman", confidence=confidence),
        n_excluded=len(participants_of(data)) - len(pairs),
    )


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the least-squares line of ``y`` on ``x``.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 pairs.

    Notes
    -----
    When ``x`` takes a single value the slope is undefined: both are NaN.

    >>> least_squares_line(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]))
    (2.0, 1.0)
    """
    first, second = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if first.size < 2:
        raise NotEnoughDataError("A least-squares line", needed=2, available=first.size)
    spread = first - first.mean()
    denominator = float((spread**2).sum())
    if denominator == 0:
        return float("nan"), float("nan")
    slope = float((spread * (second - second.mean())).sum()) / denominator
    return slope, float(second.mean() - slope * first.mean())


def binned_pairs(x: np.ndarray, y: np.ndarray, *, step: int = 1, groups: np.ndarray | None = None) -> pd.DataFrame:
    """How many pairs fall in each ``step`` × ``step`` cell (and group): a scatter plot's counts.

    Returns
    -------
    pandas.DataFrame
        ``x`` and ``y`` (the cell's lowest values), ``group`` (``""`` without
        groups) and ``count``, one row per occupied cell and group.
    """
    if step < 1:
        raise ValueError(f"step must be a positive whole number; got {step!r}")
    first, second = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    labels = np.full(first.size, "", dtype=object) if groups is None else np.asarray(groups, dtype=object)
    cells = pd.DataFrame({"x": np.floor(first / step) * step, "y": np.floor(second / step) * step, "group": labels})
    return cells.value_counts().rename("count").reset_index().sort_values(["x", "y", "group"], ignore_index=True)
