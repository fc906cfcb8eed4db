"""What several chapters' text modules build alike: a result's words from the study, or why there are none."""

from __future__ import annotations

from ...exceptions import NotEnoughDataError
from ...paper.consistency import consistency_checks
from ...stats.core import Proportion
from ...stats.correlation import association
from ...stats.responder_analysis import responders
from .. import words
from ..study import ASSOCIATION, Study

__all__ = ["association_words", "audit_words", "responder_words"]


def responder_words(study: Study, instrument: str) -> tuple[words.ResponderWords, Proportion | None]:
    """The responder count of ``instrument`` in words, and the share itself (None when it cannot be counted)."""
    try:
        share = responders(study.data, instrument)
    except NotEnoughDataError as error:
        return words.responder_words(instrument, None, reason=error.reason), None
    return words.responder_words(instrument, share, marks=study.marks), share


def association_words(study: Study, marks: bool = False) -> words.AssociationWords:
    """The association the paper reports, in words; with ``marks``, every number carries its mark."""
    scale = study.marks if marks else None
    try:
        return words.association_words(association(study.data, *ASSOCIATION), scale)
    except NotEnoughDataError as error:
        return words.association_words(None, scale, reason=error.reason)


def audit_words(study: Study) -> words.AuditWords:
    """The number audit and the data-free checks in words."""
    return words.audit_words(study.audit, consistency_checks())
