"""The number audit: every reported number beside its recomputation from a cohort."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..data.load import Cohort
from ..stats.change import paired_change
from ..stats.correlation import association
from ..stats.responder_analysis import responders
from .consistency import consistency_checks
from .formatting import count_in_words, format_number, format_p
from .reported import REPORTED, ReportedNumber

__all__ = ["audit", "print_as_paper", "recompute"]


def print_as_paper(record: ReportedNumber, value: float) -> str:  # noqa: PLR0911 (one return per style)
    """Print a recomputed value the way the abstract prints ``record``.

    >>> from cnslbp_lib.paper.reported import get_reported
    >>> print_as_paper(get_reported("pseq_mean_change"), 251 / 14)
    '+17.93'
    >>> print_as_paper(get_reported("piq_dz"), -0.97849)
    '0.98'
    """
    if not np.isfinite(value):
        return "not computable"
    decimals = record.decimals or 0
    match record.style:
        case "word":
            return count_in_words(int(value), capital=record.printed[:1].isupper())
        case "phrase":
            count = int(value)
            return "no missing data" if count == 0 else f"{count} missing values or stage rows"
        case "direction":
            return "inverse" if value < 0 else "positive" if value > 0 else "none"
        case "p":
            return format_p(value, decimals)
        case "magnitude":
            return format_number(abs(value), decimals)
        case "plus":
            return format_number(value, decimals, plus=True)
        case _:
            return format_number(value, decimals)


def recompute(cohort: Cohort) -> dict[str, float]:
    """Recompute every reported quantity from ``cohort`` at full precision.

    Returns a mapping from record key to value. A quantity the cohort cannot
    support (too few complete pairs, say) is NaN.
    """
    data = cohort.data
    cache: dict[tuple[str, str], pd.Series] = {}

    def row(kind: str, instrument: str) -> pd.Series:
        if (kind, instrument) not in cache:
            compute: Callable[..., pd.DataFrame] = paired_change if kind == "change" else responders
            try:
                cache[kind, instrument] = compute(data, instrument).iloc[0]
            except ValueError:
                cache[kind, instrument] = pd.Series(dtype=float)
        return cache[kind, instrument]

    incomplete_participants = cohort.incomplete["participant"].nunique()
    values: dict[str, float] = {}
    for record in REPORTED:
        match record.quantity:
            case "participants":
                value = float(cohort.n_participants - incomplete_participants)
            case "missing":
                value = float(len(cohort.incomplete))
            case "responder_pct":
                value = float(row("responders", record.instrument or "").get("pct", np.nan))
            case "association":
                try:
                    table = association(data, "pseq", "piq").set_index("method")
                    value = float(table.loc["pearson", "r"])
                except ValueError:
                    value = np.nan
            case quantity:
                value = float(row("change", record.instrument or "").get(quantity, np.nan))
        values[record.key] = value
    return values


def audit(cohort: Cohort) -> pd.DataFrame:
    """Compare every number in the abstract with its value in ``cohort``.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort (the reconstruction or anyone's own file).

    Returns
    -------
    pandas.DataFrame
        One row per reported number, in the abstract's order:

        - ``key``, ``label``: the record and what it measures
        - ``reported``: the value exactly as the abstract prints it
        - ``recomputed``: the value from this cohort, full precision
        - ``recomputed_printed``: that value printed as the abstract would
        - ``agrees``: whether the two printed forms are identical
        - ``explanation``: empty when they agree; otherwise why not, using
          the data-free checks where they already show a contradiction

    Examples
    --------
    >>> from cnslbp_lib import load_cohort
    >>> table = audit(load_cohort("data/cohort.csv"))
    >>> table.loc[~table["agrees"], "key"].tolist()
    ['pseq_p_val', 'piq_responders']
    """
    values = recompute(cohort)
    checks = consistency_checks()
    contradictions = checks[checks["verdict"] == "inconsistent"]
    rows = []
    for record in REPORTED:
        value = values[record.key]
        printed = print_as_paper(record, value)
        agrees = printed == record.printed
        explanation = ""
        if not agrees:
            found = contradictions.loc[contradictions["subject"] == record.key, "detail"].tolist()
            ours = f"This cohort gives {printed}; the abstract prints {record.printed}."
            explanation = (
                " ".join([*found, ours])
                if found
                else ours
                + " The data-free checks find nothing wrong with the printed value, so the difference lies in the data."
            )
        rows.append(
            {
                "key": record.key,
                "label": record.label,
                "reported": record.printed,
                "recomputed": value,
                "recomputed_printed": printed,
                "agrees": agrees,
                "explanation": explanation,
            }
        )
    return pd.DataFrame(rows)
