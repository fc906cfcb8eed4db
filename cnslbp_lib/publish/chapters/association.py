"""The text of the chapter "Association" (``book/association.ipynb``): how the two primary changes go together."""

from __future__ import annotations

from typing import Any

from ...exceptions import NotEnoughDataError
from ...paper.bounds import extreme_pairings
from ...paper.formatting import format_number
from ...paper.reported import reported_n
from ...stats.core import critical_correlation
from ...stats.correlation import association, change_pairs
from .. import charts, tables
from ..myst import md as _md
from ..myst import role as _role
from ..page import Page
from ..phrases import participants
from ..study import Study
from ..words import AssociationWords
from .shared import association_words

__all__ = ["page"]


def association_summary(words: AssociationWords) -> str:
    """What the correlations beside it say, in words, or why there is no correlation.

    The numbers themselves are in the chapter's table; this quotes ``assoc_sentence``.
    """
    if words.note:
        n = int(words.n)
        if n < 3:
            return _md(f"No correlation can be computed from these data: it {words.note}.")
        return _md(f"Across the {participants(n)} with both changes, no correlation can be computed: {words.note}.")
    return f"In words, {_role('assoc_sentence')}."


def association_recomputed(study: Study, words: AssociationWords) -> str:
    """The recomputed direction of the association and what it means, or why there is none."""
    direction = study.checked("association_direction")
    if not direction.computable:
        return _md(f"The association cannot be recomputed from this cohort: {direction.reason}.")
    return f"The association recomputed here is {_role(direction.key)}; {_md(words.sentence)}."


def _pairings(study: Study, x: str = "pseq", y: str = "piq") -> Any:
    """This dataset's two sets of changes paired as they are, and in the orders that give the extreme correlations."""
    pairs = change_pairs(study.data, x, y)
    first, second = (pairs[f"{key}_change"].to_numpy(float) for key in (x, y))
    try:
        lowest, highest = extreme_pairings(first.reshape(1, -1), second.reshape(1, -1))
        actual = association(study.data, x, y).pearson
    except (ValueError, NotEnoughDataError):
        return charts.association_scatter(study.data, x, y)
    shown = (
        ("paired in opposite order", lowest.x, lowest.y, lowest.r),
        ("this dataset's pairing", first, second, actual.r),
        ("paired in the same order", highest.x, highest.y, highest.r),
    )
    return charts.pairings_scatter(
        [(f"{label}: r = {format_number(r, 2)}", left, right) for label, left, right, r in shown], x, y
    )


def page(study: Study) -> Page:
    said = association_words(study, marks=True)
    return Page(
        study,
        checked=("association_direction",),
        values={
            "assoc_sentence": said.sentence,
            "r_significant": study.marks.from_abstract(
                format_number(-critical_correlation(reported_n()), 2),
                "the weakest negative Pearson r that gives p below .05 with the abstract's n",
            ),
        },
        sentences={
            "assoc_summary": association_summary(said),
            "assoc_recomputed": association_recomputed(study, said),
        },
        shown={
            "scatter": _pairings(study)
            if study.provenance.is_reconstruction
            else charts.association_scatter(study.data),
            "table": tables.association_table(study.data, marks=study.marks),
        },
    )
