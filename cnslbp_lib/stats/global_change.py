"""Distribution of the global perceived change rating."""

from __future__ import annotations

import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, GLOBAL_CHANGE, PRE_EDUCATION_STAGE
from .responder_analysis import responder_table

__all__ = ["global_change_distribution", "rating_against_responders"]


def global_change_distribution(data: pd.DataFrame, *, stage: int = FOLLOW_UP_STAGE) -> pd.DataFrame:
    """Count of each rating at one stage, including ratings nobody gave.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy cohort frame with a ``global_change`` column.
    stage : int
        Stage whose ratings to count (2 or 3; there is no rating at stage 1).

    Returns
    -------
    pandas.DataFrame
        One row per rating from −3 to +3: ``rating``, ``label``, ``count``,
        ``pct`` (of those who answered), ``improved`` (rating at or above the
        registry cut-off), plus ``n`` (answered) and ``n_blank`` (stage row
        present but rating blank) repeated on each row.
    """
    if GLOBAL_CHANGE.key not in data.columns:
        raise ValueError("data has no global_change column: global perceived change was not collected")
    if stage == PRE_EDUCATION_STAGE:
        raise ValueError(f"stage must be a stage with a rating; stage {stage} has none by design")
    ratings = data.loc[data["stage"] == stage, GLOBAL_CHANGE.key]
    answered = ratings.dropna().astype(int)
    counts = answered.value_counts().reindex(range(GLOBAL_CHANGE.minimum, GLOBAL_CHANGE.maximum + 1), fill_value=0)
    n = int(answered.size)
    return pd.DataFrame(
        {
            "rating": counts.index,
            "label": [GLOBAL_CHANGE.label(value) for value in counts.index],
            "count": counts.to_numpy(),
            "pct": 100 * counts.to_numpy() / n if n else 0.0,
            "improved": counts.index >= GLOBAL_CHANGE.improved_from,
            "n": n,
            "n_blank": int(ratings.isna().sum()),
        }
    )


def rating_against_responders(
    data: pd.DataFrame, instruments: tuple[str, ...], *, stage: int = FOLLOW_UP_STAGE
) -> pd.DataFrame:
    """Each participant's global rating beside whether their scores crossed the thresholds.

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``rating``, ``label``, then ``<instrument>_responder``
        for each instrument (NA where the change could not be computed).
    """
    if GLOBAL_CHANGE.key not in data.columns:
        raise ValueError("data has no global_change column: global perceived change was not collected")
    ratings = data.loc[data["stage"] == stage, ["participant", GLOBAL_CHANGE.key]].dropna()
    table = pd.DataFrame(
        {
            "participant": ratings["participant"].astype("str").to_numpy(),
            "rating": ratings[GLOBAL_CHANGE.key].astype(int).to_numpy(),
        }
    )
    table["label"] = [GLOBAL_CHANGE.label(value) for value in table["rating"]]
    for instrument in instruments:
        flags = responder_table(data, instrument, from_stage=BASELINE_STAGE, to_stage=stage)
        lookup = dict(zip(flags["participant"].astype("str"), flags["responder"], strict=True))
        table[f"{instrument}_responder"] = pd.array([lookup.get(key) for key in table["participant"]], dtype="boolean")
    return table
