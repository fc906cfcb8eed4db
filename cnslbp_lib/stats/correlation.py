"""Association between two participants' changes, e.g. ΔPSEQ against ΔPIQ."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE
from .change import participants_of, stage_change

__all__ = ["association", "paired_changes"]


def paired_changes(
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


def association(
    data: pd.DataFrame,
    x: str = "pseq",
    y: str = "piq",
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Pearson and Spearman correlation between the changes in ``x`` and ``y``.

    Returns
    -------
    pandas.DataFrame
        Two rows (``method`` = ``pearson``, ``spearman``): ``x``, ``y``, ``n``,
        ``n_excluded``, ``r``, ``ci_low``, ``ci_high``, ``p_val`` (two-sided).

    Notes
    -----
    Both intervals use Fisher's z transform, :math:`\\tanh(\\operatorname{atanh} r
    \\pm z_{1-\\alpha/2}/\\sqrt{n-3})`; for Spearman's rho this is the usual
    approximation (as in pingouin). With fewer than 4 participants the
    interval is undefined (NaN).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
    pairs = paired_changes(data, x, y, from_stage=from_stage, to_stage=to_stage)
    n = len(pairs)
    if n < 3:
        raise ValueError(
            f"association of {x} and {y} changes needs at least 3 participants with both; this cohort has {n}"
        )
    n_excluded = len(participants_of(data)) - n
    x_values = pairs[f"{x}_change"].to_numpy(float)
    y_values = pairs[f"{y}_change"].to_numpy(float)
    rows = []
    for method, test in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        result = test(x_values, y_values)
        r, p_val = float(result.statistic), float(result.pvalue)
        if n > 3 and abs(r) < 1:
            half_width = stats.norm.ppf((1 + confidence) / 2) / np.sqrt(n - 3)
            ci_low, ci_high = np.tanh(np.arctanh(r) - half_width), np.tanh(np.arctanh(r) + half_width)
        else:
            ci_low = ci_high = np.nan
        rows.append(
            {
                "method": method,
                "x": x,
                "y": y,
                "n": n,
                "n_excluded": n_excluded,
                "r": r,
                "ci_low": float(ci_low),
                "ci_high": float(ci_high),
                "p_val": p_val,
            }
        )
    return pd.DataFrame(rows)
