"""Responder analyses against the registry's clinically important thresholds.

A responder is a participant whose change, in the instrument's direction of
improvement, is at least its threshold. Thresholds come from
:mod:`cnslbp_lib.data.instruments` unless a caller passes another one on purpose
(the threshold sweep does).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, NON_RESPONSE, get_instrument
from .change import participants_of, stage_change
from .core import Proportion, proportion

__all__ = ["pe_nonresponse", "responder_sweep", "responder_table", "responders"]


def responder_table(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Per-participant change and responder status.

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``before``, ``after``, ``change``, ``improvement``
        (the change signed so that positive is better) and ``responder``.
        Participants without both scores are absent; see :func:`stage_change`.
    """
    entry = get_instrument(instrument)
    limit = entry.threshold if threshold is None else threshold
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage).changes
    improvement = change["change"] * entry.improvement_sign
    return change.assign(improvement=improvement, responder=improvement >= limit)


def responders(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    threshold: int | None = None,
    confidence: float = 0.95,
) -> Proportion:
    """Count and share of responders with a Wilson interval (:func:`cnslbp_lib.stats.core.proportion`).

    ``threshold`` is the points of improvement needed; it defaults to the
    registry's, whose rule in words is ``get_instrument(instrument).rule(threshold)``.

    Raises
    ------
    NotEnoughDataError
        When nobody has both scores.
    """
    entry = get_instrument(instrument)
    limit = entry.threshold if threshold is None else threshold
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    k = int((change.change_values * entry.improvement_sign >= limit).sum())
    return proportion(k, change.n, confidence=confidence)


def responder_sweep(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    thresholds: np.ndarray | None = None,
) -> pd.DataFrame:
    """Share of responders at each threshold, to show how much the rate depends on it.

    Parameters
    ----------
    thresholds : array of int, optional
        Points of improvement to try; by default every whole number from 0 up
        to the instrument's full range.

    Returns
    -------
    pandas.DataFrame
        ``threshold``, ``k``, ``n``, ``pct`` and ``is_registry_threshold``.
    """
    entry = get_instrument(instrument)
    grid = np.arange(0, entry.maximum - entry.minimum + 1) if thresholds is None else np.asarray(thresholds)
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    improvement = np.sort(change.change_values * entry.improvement_sign)
    # responders at threshold c: changes >= c, counted for every c at once by binary search
    k = improvement.size - np.searchsorted(improvement, grid, side="left")
    return pd.DataFrame(
        {
            "threshold": grid,
            "k": k,
            "n": improvement.size,
            "pct": 100 * k / max(improvement.size, 1),
            "is_registry_threshold": grid == entry.threshold,
        }
    )


def pe_nonresponse(data: pd.DataFrame) -> pd.DataFrame:
    """Apply the inclusion rule (no important improvement during pain education).

    Returns
    -------
    pandas.DataFrame
        One row per participant: for each rule instrument ``<key>_change`` and
        ``<key>_improved``, then ``non_responder`` (True when no instrument
        improved by its threshold) and ``complete`` (False when a score needed
        by the rule is missing; ``non_responder`` is then undecided, NA).
    """
    columns = {}
    for instrument in NON_RESPONSE.instruments:
        table = responder_table(data, instrument, from_stage=NON_RESPONSE.from_stage, to_stage=NON_RESPONSE.to_stage)
        codes = pd.Series(table["participant"]).cat.codes.to_numpy()
        columns[f"{instrument}_change"] = pd.Series(table["change"].to_numpy(), index=codes)
        columns[f"{instrument}_improved"] = pd.Series(table["responder"].to_numpy(), index=codes)
    participants = participants_of(data)
    result = pd.DataFrame(columns).reindex(participants.codes)
    improved = result[[f"{key}_improved" for key in NON_RESPONSE.instruments]]
    complete = improved.notna().all(axis=1)
    non_responder = (~improved.fillna(False).astype(bool).any(axis=1)).astype("boolean")
    result["non_responder"] = non_responder.where(complete, pd.NA)
    result["complete"] = complete
    for key in NON_RESPONSE.instruments:
        result[f"{key}_improved"] = result[f"{key}_improved"].astype("boolean")
    result.insert(0, "participant", participants)
    return result.reset_index(drop=True)
