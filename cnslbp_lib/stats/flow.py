"""Participant flow and per-stage summaries: who is in each analysis, and at what level."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, GLOBAL_CHANGE, INSTRUMENTS, STAGES, get_instrument
from ..data.load import Cohort
from .change import stage_change

__all__ = ["participant_flow", "severity_bands", "stage_summary"]


def participant_flow(cohort: Cohort) -> pd.DataFrame:
    """How many participants reach each analysis, and how many fall out at each step.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step``, ``n`` and ``excluded`` (relative to
        everyone in the file), in the order a flow diagram reads.
    """
    total = cohort.n_participants
    incomplete = cohort.incomplete
    missing_rows = incomplete.loc[incomplete["column"].isna(), "participant"].nunique()
    any_gap = incomplete["participant"].nunique()
    steps = [
        ("Participants in the file", total),
        ("With a row at every stage", total - missing_rows),
        ("With every value recorded at every stage", total - any_gap),
    ]
    for instrument in INSTRUMENTS:
        n = stage_change(cohort.data, instrument.key, from_stage=BASELINE_STAGE, to_stage=FOLLOW_UP_STAGE).n
        steps.append((f"Analysed for {instrument.abbreviation}, stage {BASELINE_STAGE} → {FOLLOW_UP_STAGE}", n))
    if cohort.has_global_change:
        rated = cohort.data.loc[cohort.data["stage"] == FOLLOW_UP_STAGE, GLOBAL_CHANGE.key].notna().sum()
        steps.append((f"With a global change rating at stage {FOLLOW_UP_STAGE}", int(rated)))
    return pd.DataFrame(
        {"step": [step for step, _ in steps], "n": [n for _, n in steps], "excluded": [total - n for _, n in steps]}
    )


def stage_summary(data: pd.DataFrame, *, stage: int = BASELINE_STAGE) -> pd.DataFrame:
    """Mean, SD, minimum and maximum of each instrument at one stage.

    Returns
    -------
    pandas.DataFrame
        One row per instrument: ``instrument``, ``n``, ``mean``, ``sd``,
        ``minimum``, ``maximum``, ``range_low``, ``range_high`` (the scale).
    """
    if stage not in {item.number for item in STAGES}:
        raise ValueError(f"stage must be one of {[item.number for item in STAGES]}; got {stage!r}")
    rows = []
    at_stage = data[data["stage"] == stage]
    for instrument in INSTRUMENTS:
        values = at_stage[instrument.key].dropna().to_numpy(dtype=float)
        rows.append(
            {
                "instrument": instrument.key,
                "n": values.size,
                "mean": float(values.mean()) if values.size else np.nan,
                "sd": float(values.std(ddof=1)) if values.size > 1 else np.nan,
                "minimum": float(values.min()) if values.size else np.nan,
                "maximum": float(values.max()) if values.size else np.nan,
                "range_low": instrument.minimum,
                "range_high": instrument.maximum,
            }
        )
    return pd.DataFrame(rows)


def severity_bands(data: pd.DataFrame, instrument: str, *, stage: int = BASELINE_STAGE) -> pd.DataFrame:
    """Participants in each of an instrument's published severity bands at one stage.

    Returns
    -------
    pandas.DataFrame
        ``band``, ``low``, ``high``, ``count``; empty when the registry gives
        the instrument no bands.
    """
    entry = get_instrument(instrument)
    values = data.loc[data["stage"] == stage, instrument].dropna().to_numpy(dtype=float)
    return pd.DataFrame(
        [
            {"band": name, "low": low, "high": high, "count": int(((values >= low) & (values <= high)).sum())}
            for name, low, high in entry.bands
        ],
        columns=["band", "low", "high", "count"],
    )
