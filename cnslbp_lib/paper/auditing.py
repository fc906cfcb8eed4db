"""The number audit: every reported number beside its recomputation from a cohort."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.load import Cohort
from ..exceptions import NotEnoughDataError
from ..stats.change import paired_change
from ..stats.core import PairedT, Proportion
from ..stats.correlation import association
from ..stats.responder_analysis import responders
from .consistency import consistency_checks
from .reported import REPORTED

__all__ = ["Recomputed", "audit", "recompute"]


@dataclass(frozen=True)
class Recomputed:
    """One reported quantity recomputed from a cohort: its value, or why there is none."""

    value: float
    reason: str = ""


def recompute(cohort: Cohort) -> dict[str, Recomputed]:
    """Recompute every reported quantity from ``cohort`` at full precision.

    Returns a mapping from record key to :class:`Recomputed`. A quantity the
    cohort cannot support is NaN with the reason in words (from
    :class:`~cnslbp_lib.exceptions.NotEnoughDataError` or the result's note).
    """
    data = cohort.data
    results: dict[tuple[str, str], Recomputed | PairedT | Proportion] = {}

    def result(kind: str, instrument: str) -> Recomputed | PairedT | Proportion:
        if (kind, instrument) not in results:
            try:
                results[kind, instrument] = (
                    paired_change(data, instrument) if kind == "change" else responders(data, instrument)
                )
            except NotEnoughDataError as error:
                results[kind, instrument] = Recomputed(float("nan"), str(error))
        return results[kind, instrument]

    incomplete_participants = cohort.incomplete["participant"].nunique()
    values: dict[str, Recomputed] = {}
    for record in REPORTED:
        match record.quantity:
            case "participants":
                values[record.key] = Recomputed(float(cohort.n_participants - incomplete_participants))
            case "missing":
                values[record.key] = Recomputed(float(len(cohort.incomplete)))
            case "association":
                try:
                    pearson = association(data, "pseq", "piq").pearson
                    values[record.key] = Recomputed(pearson.r, pearson.note)
                except NotEnoughDataError as error:
                    values[record.key] = Recomputed(float("nan"), str(error))
            case quantity:
                found = result("change" if quantity != "responder_pct" else "responders", record.instrument or "")
                if isinstance(found, Recomputed):
                    values[record.key] = found
                else:
                    value = float(getattr(found, "pct" if quantity == "responder_pct" else quantity))
                    values[record.key] = Recomputed(value, "" if np.isfinite(value) else getattr(found, "note", ""))
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
        - ``verdict``: ``agrees``, ``disagrees``, or ``not computable`` (the
          cohort cannot support the statistic; not counted as disagreeing)
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
        printed = record.as_printed(value.value)
        agrees = printed == record.printed
        explanation = ""
        if not np.isfinite(value.value):
            explanation = f"Not computable from this cohort: {value.reason or 'the data do not define it'}."
        elif not agrees:
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
                "recomputed": value.value,
                "recomputed_printed": printed,
                "agrees": agrees,
                "verdict": "agrees" if agrees else "not computable" if not np.isfinite(value.value) else "disagrees",
                "explanation": explanation,
            }
        )
    return pd.DataFrame(rows)
