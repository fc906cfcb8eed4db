"""What a chapter's prose can quote about one result: pure functions, no display, no glue.

Each ``*Words`` dataclass is what a chapter's prose can quote about one
result, every field already formatted, its numbers carrying their marks; the
plain phrases they are built from (a verb for a change, a p in words, who was
excluded) are in :mod:`cnslbp_lib.publish.phrases`. :mod:`cnslbp_lib.publish.glue` glues a
chosen set of fields under the object's ``prefix``: the field ``direction`` of
the stage 2 → 3 PIQ change becomes the key ``piq_23_direction``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, GLOBAL_CHANGE, PRE_EDUCATION_STAGE, get_instrument
from ..exceptions import NotEnoughDataError
from ..paper.derived import DERIVED
from ..paper.formatting import count_in_words, format_ci, format_number, format_p
from ..paper.reported import REPORTED
from ..stats.change import StageChange, stage_change
from ..stats.core import Correlation, PairedT, Proportion, paired_t
from ..stats.correlation import Association
from ..stats.global_change import global_change_distribution
from .myst import REPORTED_KEYS
from .phrases import (
    association_sentence,
    change_verb,
    exclusion_sentence,
    improvement_word,
    interval_phrase,
    not_computable,
    p_text,
)
from .provenance import Displayable, MarkedInterval, MarkedNumber, MarkedP, Marks, Phrase

DERIVED_KEYS = frozenset(item.key for item in DERIVED)

__all__ = [
    "AssociationWords",
    "AuditWords",
    "ChangeWords",
    "CohortWords",
    "GlobalChangeWords",
    "ResponderWords",
    "association_words",
    "audit_words",
    "change_words",
    "cohort_words",
    "global_change_words",
    "quote_number",
    "responder_words",
]


Quoted = str | Displayable
"""A value the prose quotes: plain text, or a number (or phrase) that carries its mark."""


@dataclass(frozen=True)
class ChangeWords:
    """What the prose says about one paired change; glued as ``<instrument>_<from><to>_<field>``.

    With the study's marks every number carries its mark: a reported number is
    its in-place check, any other its class (and, on the reconstruction, its spread).

    ``change`` is the movement in points ("fell by 18.79 points"), ``average``
    the same with "on average", ``change_p`` adds the p-value. When the change
    cannot be computed these say so with the reason, the number fields say "not
    computable" with it, and ``note`` is that reason (empty when all is computable).
    """

    prefix: str
    n: str
    mean: Quoted
    ci: Quoted
    p: Quoted
    dz: Quoted
    verb: str
    direction: str
    interval: str
    excluded: str
    change: Quoted
    average: Quoted
    change_p: Quoted
    note: str


def _not_compared(prefix: str, change: StageChange, reason: str) -> ChangeWords:
    missing = not_computable(reason)
    compared = f"could not be compared ({reason})"
    return ChangeWords(
        prefix=prefix,
        n=str(change.n),
        mean=missing,
        ci=missing,
        p=f"p {missing}",
        dz=missing,
        verb="could not be compared",
        direction="could not be assessed",
        interval="cannot be computed",
        excluded=exclusion_sentence(change),
        change=compared,
        average=compared,
        change_p=compared,
        note=reason,
    )


def _movement(mean_change: float, size: Quoted) -> Quoted:
    """``fell by 18.79 points``, ``did not change``; a change that prints as 0.00 is said to be below 0.01."""
    verb = change_verb(mean_change)
    if verb == "did not change":
        return verb
    if format_number(abs(mean_change), 2) == format_number(0, 2):
        return f"{verb} by less than {format_number(0.01, 2)} points"
    return Phrase((f"{verb} by ", size, " points"))


def _stage_keys(instrument: str, from_stage: int, to_stage: int) -> dict[str, str]:
    """The registry or reported keys of one change's mean, limits, p and dz, where the book has them."""
    if (from_stage, to_stage) == (PRE_EDUCATION_STAGE, BASELINE_STAGE):
        return {name: f"{instrument}_12_{name}" for name in ("mean", "low", "high", "p")}
    if (from_stage, to_stage) != (BASELINE_STAGE, FOLLOW_UP_STAGE):
        return {}
    keys = {"mean": f"{instrument}_mean_change", "size": f"{instrument}_improvement"}
    for name, reported, derived in (
        ("low", "ci_low", "ci_low"),
        ("high", "ci_high", "ci_high"),
        ("p", "p_val", ""),
        ("dz", "dz", "dz"),
    ):
        if f"{instrument}_{reported}" in REPORTED_KEYS:
            keys[name] = f"{instrument}_{reported}"
        elif derived and f"{instrument}_{derived}" in DERIVED_KEYS:
            keys[name] = f"{instrument}_{derived}"
    return keys


def quote_number(marks: Marks | None, key: str | None, value: float, plain: str, *, shown: str | None = None) -> Quoted:
    """A number as its in-place check (a reported key), its registry mark, or plain text."""
    if marks is None or key is None or not np.isfinite(value):
        return plain
    if key in REPORTED_KEYS:
        return marks.reported(key)
    return marks.number(key, value, shown=shown)


def change_words(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    marks: Marks | None = None,
) -> ChangeWords:
    """The words and numbers that describe one paired change.

    With ``marks`` (the study's) every number carries its mark: a number the
    abstract reports is its in-place check, a number it does not report its class.
    Without enough pairs, every field says why the change cannot be computed.
    """
    change = stage_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    prefix = f"{instrument}_{from_stage}{to_stage}"
    try:
        result: PairedT = paired_t(change.before, change.after)
    except NotEnoughDataError as error:
        return _not_compared(prefix, change, error.reason)
    keys = _stage_keys(instrument, from_stage, to_stage)
    sign = get_instrument(instrument).improvement_sign
    mean = quote_number(marks, keys.get("mean"), result.mean_change, format_number(result.mean_change, 2, plus=True))
    low = quote_number(marks, keys.get("low"), result.ci_low, format_number(result.ci_low, 2))
    high = quote_number(marks, keys.get("high"), result.ci_high, format_number(result.ci_high, 2))
    ci: Quoted = format_ci(result.ci_low, result.ci_high, 2) if isinstance(low, str) else MarkedInterval(low, high)
    p: Quoted = p_text(result.p_val, result.note)
    if marks is not None and "p" in keys and np.isfinite(result.p_val):
        p = MarkedP(quote_number(marks, keys["p"], result.p_val, format_p(result.p_val)), result.p_val)
    dz: Quoted = not_computable(result.note) if not np.isfinite(result.dz) else format_number(abs(result.dz), 2)
    if np.isfinite(result.dz):
        dz = quote_number(marks, keys.get("dz"), abs(result.dz), str(dz))
    size_key = keys.get("size", keys.get("mean"))
    size_value = result.mean_change * sign if "size" in keys else result.mean_change
    size: Quoted = format_number(abs(result.mean_change), 2)
    if marks is not None and size_key is not None and size_key not in REPORTED_KEYS:
        size = marks.number(size_key, size_value, shown=str(size))
    movement = _movement(result.mean_change, size)
    return ChangeWords(
        prefix=prefix,
        n=str(result.n),
        mean=mean,
        ci=ci,
        p=p,
        dz=dz,
        verb=change_verb(result.mean_change),
        direction=improvement_word(result.mean_change, instrument),
        interval=interval_phrase(result.ci_low, result.ci_high, n=result.n),
        excluded=exclusion_sentence(change),
        change=movement,
        average=Phrase((movement, " on average")),
        change_p=Phrase((movement, " (", p, ")")),
        note=result.note,
    )


@dataclass(frozen=True)
class ResponderWords:
    """A responder count in words; glued as ``<instrument>_resp_<field>``.

    Without a count (nobody has both scores) every number field says "not
    computable" and ``note`` says why.
    """

    prefix: str
    k: str
    n: str
    ci: Quoted
    rule: str
    note: str = ""


def responder_words(
    instrument: str,
    share: Proportion | None,
    threshold: float | None = None,
    *,
    reason: str = "",
    marks: Marks | None = None,
) -> ResponderWords:
    """The count, the n, the Wilson interval (%) and the rule in words; ``share`` is None when there is none.

    With ``marks`` the interval's limits carry their marks (at the registry threshold only).
    """
    entry = get_instrument(instrument)
    if share is None:
        missing = not_computable(reason)
        rule = entry.rule(entry.threshold if threshold is None else threshold)
        return ResponderWords(f"{instrument}_resp", missing, missing, missing, rule, reason)
    ci: Quoted = format_ci(share.ci_low, share.ci_high, 1)
    if marks is not None and threshold in (None, entry.threshold) and f"{instrument}_resp_low" in DERIVED_KEYS:
        ci = marks.interval(f"{instrument}_resp_low", f"{instrument}_resp_high", share.ci_low, share.ci_high)
        if isinstance(ci.low, MarkedNumber) and isinstance(ci.high, MarkedNumber):
            # the sentence puts one % after the interval
            low = marks.number(f"{instrument}_resp_low", share.ci_low, shown=format_number(share.ci_low, 1))
            high = marks.number(f"{instrument}_resp_high", share.ci_high, shown=format_number(share.ci_high, 1))
            ci = MarkedInterval(low, high)
    return ResponderWords(
        prefix=f"{instrument}_resp",
        k=str(share.k),
        n=str(share.n),
        ci=ci,
        rule=entry.rule(entry.threshold if threshold is None else threshold),
    )


@dataclass(frozen=True)
class AssociationWords:
    """The association between two changes in words; glued as ``assoc_<field>``."""

    prefix: str
    n: str
    r: Quoted
    r_ci: Quoted
    r_p: Quoted
    rho: Quoted
    rho_ci: Quoted
    rho_p: Quoted
    sentence: str
    note: str = ""


def _interval(result: Correlation, marks: Marks | None, prefix: str) -> Quoted:
    if not np.isfinite(result.ci_low):
        return not_computable(result.note)
    if marks is None:
        return format_ci(result.ci_low, result.ci_high, 2)
    return marks.interval(f"{prefix}_low", f"{prefix}_high", result.ci_low, result.ci_high)


def _number(marks: Marks | None, key: str, value: float) -> Quoted:
    return format_number(value, 2) if marks is None else marks.number(key, value)


def _p(marks: Marks | None, key: str, value: float, reason: str = "") -> Quoted:
    if marks is None or not np.isfinite(value):
        return p_text(value, reason)
    return marks.p(key, value)


def association_words(
    result: Association | None, marks: Marks | None = None, *, reason: str = "", x: str = "pseq", y: str = "piq"
) -> AssociationWords:
    """Pearson and Spearman with their intervals and p, and what the sign means.

    ``marks`` (the study's) marks each number with its spread across the
    datasets the abstract allows: the abstract reports only the sign.
    ``result`` is None when the data cannot support a correlation; ``reason``
    then says why, as do the numbers when a variable does not vary.
    """
    if result is None or not np.isfinite(result.pearson.r):
        why = reason if result is None else result.pearson.note
        missing = not_computable(why)
        n = "0" if result is None else str(result.n)
        sentence = association_sentence(float("nan"), x, y)
        return AssociationWords("assoc", n, missing, missing, missing, missing, missing, missing, sentence, why)
    return AssociationWords(
        prefix="assoc",
        n=str(result.n),
        r=_number(marks, "assoc_r", result.pearson.r),
        r_ci=_interval(result.pearson, marks, "assoc_r"),
        r_p=_p(marks, "assoc_r_p", result.pearson.p_val, result.pearson.note),
        rho=_number(marks, "assoc_rho", result.spearman.r),
        rho_ci=_interval(result.spearman, marks, "assoc_rho"),
        rho_p=_p(marks, "assoc_rho_p", result.spearman.p_val, result.spearman.note),
        sentence=association_sentence(result.pearson.r, result.x, result.y),
    )


@dataclass(frozen=True)
class GlobalChangeWords:
    """The global perceived change in words; glued as ``global_<field>``."""

    prefix: str
    sentence: str
    summary: str


def global_change_words(data: pd.DataFrame, marks: Marks | None = None) -> GlobalChangeWords:
    """Who rated themselves much or very much improved, or that the rating was not collected.

    On the reconstruction (``marks`` with a summary) the ratings are random placeholders:
    the sentence says the abstract reports none and nothing is counted.
    """
    if GLOBAL_CHANGE.key not in data.columns:
        return GlobalChangeWords(
            prefix="global",
            sentence=(
                f"{GLOBAL_CHANGE.name} was not collected in this cohort file: the column is absent, "
                "so this section has nothing to show."
            ),
            summary=f"{GLOBAL_CHANGE.name} was not collected in this cohort file.",
        )
    counts = {}
    for stage in (BASELINE_STAGE, FOLLOW_UP_STAGE):
        table = global_change_distribution(data, stage=stage)
        counts[stage] = (int(table.loc[table["improved"], "count"].sum()), int(table["n"].iloc[0]))
    (k2, n2), (k3, n3) = counts[BASELINE_STAGE], counts[FOLLOW_UP_STAGE]
    sentence = (
        f"After the MRI explanation (stage {FOLLOW_UP_STAGE}), {k3} of {n3} participants who gave a rating "
        f"called themselves much or very much improved since stage {BASELINE_STAGE}; after education "
        f"(stage {BASELINE_STAGE}), {k2} of {n2} had said the same about the education phase."
    )
    if not (n2 and n3):
        after_mri = _rated_improved(k3, n3, since=f"since stage {BASELINE_STAGE}")
        after_education = _rated_improved(k2, n2, since="during the education phase")
        sentence = (
            f"After the MRI explanation (stage {FOLLOW_UP_STAGE}), {after_mri}; after education "
            f"(stage {BASELINE_STAGE}), {after_education}."
        )
    summary = (
        f"{k3} of {n3} participants rated themselves much or very much improved after the MRI explanation."
        if n3
        else f"Nobody gave a {GLOBAL_CHANGE.name.lower()} rating after the MRI explanation."
    )
    if marks is not None and marks.summary is not None:
        # the reconstruction's ratings are draws from a prior: shown, they would look like a finding
        sentence = (
            "The abstract names this outcome but reports no result for it. The reconstruction's ratings are random "
            "placeholders, there only so that the file has the column, and are neither shown nor counted."
        )
        summary = "The abstract reports no global ratings, so the book shows none."
    return GlobalChangeWords(prefix="global", sentence=sentence, summary=summary)


def _rated_improved(k: int, n: int, *, since: str) -> str:
    if n == 0:
        return "nobody gave a rating"
    return f"{k} of {n} participants who gave a rating called themselves much or very much improved {since}"


@dataclass(frozen=True)
class CohortWords:
    """The cohort's size; glued as ``n_participants`` and ``n_words``."""

    prefix: str
    participants: str
    words: str


def cohort_words(n_participants: int) -> CohortWords:
    return CohortWords(prefix="n", participants=str(n_participants), words=count_in_words(n_participants))


@dataclass(frozen=True)
class AuditWords:
    """The number audit and the data-free checks in words; glued as ``audit_<field>``."""

    prefix: str
    agree: str
    total: str
    disagreements: str
    conflict_count: str
    conflict_count_cap: str
    conflict_list: str


def audit_words(audit: pd.DataFrame, checks: pd.DataFrame) -> AuditWords:
    """How many reported numbers agree, which do not (or cannot be computed), and the abstract's own conflicts."""
    disagreeing = audit.loc[audit["verdict"] == "disagrees", "label"].tolist()
    missing = audit.loc[audit["verdict"] == "not computable", "label"].tolist()
    disagreements = "; ".join(disagreeing) if disagreeing else "none"
    if missing:
        disagreements += f" (and not computable from this cohort: {'; '.join(missing)})"
    conflicts = checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"]
    labels = {record.key: record.label for record in REPORTED}
    return AuditWords(
        prefix="audit",
        agree=count_in_words(int(audit["agrees"].sum())),
        total=count_in_words(len(audit)),
        disagreements=disagreements,
        conflict_count=count_in_words(len(conflicts)),
        conflict_count_cap=count_in_words(len(conflicts), capital=True),
        conflict_list="; ".join(labels[key] for key in conflicts) or "none",
    )
