"""Responder analyses against the registry's clinically important thresholds.

A responder is a participant whose change, in the instrument's direction of
improvement, is at least its threshold. Thresholds come from
:mod:`cnslbp_lib.data.instruments` unless a caller passes another one on purpose
(the threshold sweep does).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, NON_RESPONSE, Instrument, as_instrument
from .change import participants_of, stage_change
from .core import Proportion, proportion

__all__ = [
    "improvement_quantiles",
    "pe_nonresponse",
    "responder_counts",
    "responder_sweep",
    "responder_table",
    "responders",
]


def responder_table(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Per-participant change and responder status.

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``before``, ``after``, ``change``, ``improvement``
        (the change signed so that positive is better) and ``responder``.
        Participants without both scores are absent; see :func:`stage_change`.
    """
    entry = as_instrument(instrument)
    limit = entry.threshold if threshold is None else threshold
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage).changes
    improvement = change["change"] * entry.improvement_sign
    return change.assign(improvement=improvement, responder=improvement >= limit)


def responders(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    threshold: float | None = None,
    confidence: float = 0.95,
) -> Proportion:
    """Count and share of responders with a Wilson interval (:func:`cnslbp_lib.stats.core.proportion`).

    ``threshold`` is the points of improvement needed; it defaults to the
    instrument's, whose rule in words is ``instrument.rule(threshold)``.

    Raises
    ------
    NotEnoughDataError
        When nobody has both scores.
    """
    entry = as_instrument(instrument)
    limit = entry.threshold if threshold is None else threshold
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    k = int((change.change_values * entry.improvement_sign >= limit).sum())
    return proportion(k, change.n, confidence=confidence)


def responder_sweep(
    data: pd.DataFrame,
    instrument: str | Instrument,
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
    entry = as_instrument(instrument)
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


def responder_counts(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    step: int = 1,
) -> pd.DataFrame:
    """How many participants had each change, split by responder status: a histogram's counts.

    Parameters
    ----------
    step : int
        Width of each bin in points; a bin holds changes from ``low`` to
        ``low + step - 1`` (changes are whole numbers). Bins are aligned on
        the threshold, so no bin holds both responders and non-responders.

    Returns
    -------
    pandas.DataFrame
        ``low``, ``high`` (the bin's first and last change), ``responder`` and
        ``count``, one row per occupied bin, in order of change.
    """
    if step < 1:
        raise ValueError(f"step must be a positive whole number; got {step!r}")
    entry = as_instrument(instrument)
    table = responder_table(data, instrument, from_stage=from_stage, to_stage=to_stage)
    # the first change on the far side of the threshold starts a bin
    origin = entry.threshold if entry.improvement_sign > 0 else 1 - entry.threshold
    low = origin + np.floor((table["change"].to_numpy(float) - origin) / step) * step
    counts = (
        pd.DataFrame({"low": low, "responder": table["responder"].to_numpy(bool)})
        .value_counts()
        .rename("count")
        .reset_index()
        .sort_values(["low", "responder"], ignore_index=True)
    )
    counts.insert(1, "high", counts["low"] + step - 1)
    return counts


def improvement_quantiles(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    points: int = 101,
) -> pd.DataFrame:
    """Improvement against rank: the sorted bar chart of every participant, summarised by quantiles.

    Returns
    -------
    pandas.DataFrame
        ``percent`` (share of participants, ranked from most to least
        improved, from 0 to 100) and ``improvement`` (points, positive =
        better) at that rank, ``points`` rows; empty when nobody has both scores.
    """
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    improvement = change.change_values * as_instrument(instrument).improvement_sign
    percent = np.linspace(0, 100, points)
    if improvement.size == 0:
        return pd.DataFrame({"percent": np.array([], dtype=float), "improvement": np.array([], dtype=float)})
    return pd.DataFrame({"percent": percent, "improvement": np.quantile(improvement, 1 - percent / 100)})


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
