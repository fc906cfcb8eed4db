"""The number audit: every number a paper prints beside its recomputation from a cohort.

Each record says what it is and which comparison it describes, so the audit
recomputes it by those fields: a stage 1 → 2 change is audited against the
stage 1 → 2 change of the cohort, an association against the correlation of
the two changes it names, a mean at a stage against that stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.load import Cohort
from ..exceptions import NotEnoughDataError
from ..stats.change import paired_change, stage_change, stage_values
from ..stats.core import PairedT, Proportion
from ..stats.correlation import association
from ..stats.responder_analysis import responders
from .consistency import consistency_checks
from .reported import STUDY, Paper, ReportedNumber

__all__ = ["RECOMPUTED_EFFECT_SIZES", "Recomputed", "audit", "recompute"]

# the effect sizes a cohort can give from its own scores, by the name a paper prints (lower case)
RECOMPUTED_EFFECT_SIZES = ("dz", "srm", "d_av", "d")


@dataclass(frozen=True)
class Recomputed:
    """One reported quantity recomputed from a cohort: its value, or why there is none."""

    value: float
    reason: str = ""


def _effect_size(data: pd.DataFrame, paper: Paper, record: ReportedNumber) -> Recomputed:
    """An effect size by its printed name: dz (= SRM), d_av (over the stages' average SD), d (over the baseline SD)."""
    label = (record.label_printed or "dz").lower().replace(" ", "_")
    entry = paper.instrument(record.instrument or "")
    from_stage, to_stage = record.comparison or paper.analysis
    change = stage_change(data, entry, from_stage=from_stage, to_stage=to_stage)
    if label in ("dz", "srm"):
        return _field(paired_change(data, entry, from_stage=from_stage, to_stage=to_stage), "dz")
    if label not in RECOMPUTED_EFFECT_SIZES:
        names = ", ".join(RECOMPUTED_EFFECT_SIZES)
        return Recomputed(float("nan"), f"the audit recomputes only {names}; this one is printed as {label!r}")
    if change.n < 2:
        raise NotEnoughDataError("An effect size", needed=2, available=change.n)
    spread = (
        (np.std(change.before, ddof=1) + np.std(change.after, ddof=1)) / 2
        if label == "d_av"
        else np.std(change.before, ddof=1)
    )
    if spread == 0:
        return Recomputed(float("nan"), "the scores do not vary, so there is no SD to divide by")
    return Recomputed(float(np.mean(change.after - change.before) / spread))


def _field(result: PairedT | Proportion, name: str) -> Recomputed:
    value = float(getattr(result, name))
    return Recomputed(value, "" if np.isfinite(value) else getattr(result, "note", ""))


def _recompute_one(cohort: Cohort, paper: Paper, record: ReportedNumber) -> Recomputed:  # noqa: PLR0911
    data = cohort.data
    match record.quantity:
        case "participants":
            incomplete = cohort.incomplete["participant"].nunique()
            return Recomputed(float(cohort.n_participants - incomplete))
        case "missing":
            return Recomputed(float(len(cohort.incomplete)))
        case "association":
            x, y = record.pair or ("", "")
            from_stage, to_stage = record.comparison or paper.analysis
            pearson = association(data, x, y, from_stage=from_stage, to_stage=to_stage).pearson
            return Recomputed(pearson.r, pearson.note)
        case "mean" | "sd":
            values = stage_values(data, paper.instrument(record.instrument or ""), record.stage or paper.analysis[0])
            needed = 1 if record.quantity == "mean" else 2
            if values.size < needed:
                unit = f"scores at stage {record.stage}"
                raise NotEnoughDataError(f"A {record.quantity}", needed=needed, available=values.size, unit=unit)
            return Recomputed(float(values.mean() if record.quantity == "mean" else values.std(ddof=1)))
        case "effect_size":
            return _effect_size(data, paper, record)
    entry = paper.instrument(record.instrument or "")
    from_stage, to_stage = record.comparison or paper.analysis
    if record.quantity in ("responder_pct", "responder_k"):
        share = responders(data, entry, from_stage=from_stage, to_stage=to_stage)
        return Recomputed(float(share.pct if record.quantity == "responder_pct" else share.k))
    result = paired_change(data, entry, from_stage=from_stage, to_stage=to_stage, confidence=record.level)
    name = {"change_sd": "sd_change", "df": "dof"}.get(record.computed_quantity, record.computed_quantity)
    return _field(result, name)


def recompute(cohort: Cohort, paper: Paper = STUDY) -> dict[str, Recomputed]:
    """Recompute every number ``paper`` prints from ``cohort``, at full precision.

    Returns a mapping from record key to :class:`Recomputed`. A quantity the
    cohort cannot support is NaN with the reason in words (from
    :class:`~cnslbp_lib.exceptions.NotEnoughDataError` or the result's note).
    """
    values: dict[str, Recomputed] = {}
    for record in paper.reported:
        try:
            values[record.key] = _recompute_one(cohort, paper, record)
        except NotEnoughDataError as error:
            said = str(error)  # "A paired t-test needs …": the analysis named, as the page's parenthesis reads it
            values[record.key] = Recomputed(float("nan"), said[:1].lower() + said[1:])
    return values


def audit(cohort: Cohort, paper: Paper = STUDY) -> pd.DataFrame:
    """Compare every number ``paper`` prints with its value in ``cohort``.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort (the reconstruction or anyone's own file).
    paper : Paper
        The paper whose printed numbers are audited (the book's study by default).

    Returns
    -------
    pandas.DataFrame
        One row per reported number, in the paper file's order:

        - ``key``, ``label``: the record and what it measures
        - ``reported``: the value exactly as the paper prints it
        - ``recomputed``: the value from this cohort, full precision
        - ``recomputed_printed``: that value printed as the paper would
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
    values = recompute(cohort, paper)
    checks = consistency_checks(paper)
    contradictions = checks[checks["verdict"] == "inconsistent"]
    rows = []
    for record in paper.reported:
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
