"""The text of the chapter "Start here" (``book/start_here.ipynb``): its glued values, sentences and tables."""

from __future__ import annotations

import pandas as pd

from ...data.instruments import get_instrument
from ...paper.consistency import consistency_checks
from ...paper.formatting import count_in_words
from .. import sentences, tables, words
from ..myst import md as _md
from ..myst import role as _role
from ..page import Page
from ..provenance_tables import legend_table
from ..study import Study
from ..words import AssociationWords, ChangeWords
from .shared import association_words, audit_words

__all__ = ["page"]


def example_check(study: Study) -> str:
    """The first reported number this cohort can recompute, quoted as an in-place check."""
    for key in ("piq_mean_change", "pseq_mean_change", "psq_mean_change", "piq_responders"):
        if study.checked(key).computable:
            return _role(key)
    return _role("participants_completed")


def _labels(frame: pd.DataFrame) -> str:
    """``the PSEQ paired p-value and the PIQ responders``: audit labels in a sentence.

    A label loses its unit in brackets and, unless it starts with an abbreviation, its capital;
    labels that hold commas themselves are separated by semicolons.
    """
    named = []
    for label in frame["label"].astype(str):
        bare = label.split(" (")[0]
        first = bare.split(" ")[0]
        named.append(f"the {bare if first.isupper() else bare[:1].lower() + bare[1:]}")
    if any("," in name for name in named) and len(named) > 1:
        return f"{'; '.join(named[:-1])}; and {named[-1]}"
    return sentences.series(named)


def audit_summary(study: Study) -> str:
    """How many reported numbers agree, and which do not and why, naming each number once.

    Quotes ``audit_agree`` and ``audit_total``. A disagreeing number that the
    data-free checks show to conflict with the abstract's other numbers is
    said to be one; any other is a difference of this cohort.
    """
    audit, checks = study.audit, consistency_checks()
    conflicting = set(checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"])
    disagreeing = audit[audit["verdict"] == "disagrees"]
    in_conflict = disagreeing[disagreeing["key"].isin(conflicting)]
    others = disagreeing[~disagreeing["key"].isin(conflicting)]
    parts = [f"In this build, {_role('audit_agree')} of the abstract's {_role('audit_total')} numbers agree."]
    one = len(in_conflict) == 1
    count = count_in_words(len(in_conflict))
    conflict = (
        f"{'conflicts' if one else 'conflict'} with the abstract's own other numbers ({_labels(in_conflict)}), so "
        f"{'it' if one else 'they'} would be flagged even on data built to reproduce the paper"
    )
    if not in_conflict.empty and others.empty:
        parts.append(f"The {count} that {'disagrees' if one else 'disagree'} {conflict}.")
    elif not in_conflict.empty:
        parts.append(
            f"Of those that do not, {count} {conflict}; this cohort also differs from the paper on {_labels(others)}."
        )
    elif not others.empty:
        parts.append(f"This cohort differs from the paper on {_labels(others)}.")
    missing = audit[audit["verdict"] == "not computable"]
    if not missing.empty:
        parts.append(f"It cannot give {_labels(missing)}.")
    return " ".join([parts[0], *(_md(part) for part in parts[1:])])


def changes_in_words(words: dict[str, ChangeWords]) -> str:
    """The mean changes of two instruments and which way each moved the group, in one sentence.

    ``Pain interference fell by 18.79 points on average and pain self-efficacy rose by
    17.93 points: on both measures the group improved.`` The changes are
    quoted with ``{glue}`` roles of the words' ``average`` (first) and
    ``change`` (second) fields; a change that could not be compared says so
    and has no direction.
    """
    (first, said), (second, other) = words.items()
    names = [get_instrument(key).construct for key in (first, second)]
    average, change = _role(f"{said.prefix}_average"), _role(f"{other.prefix}_change")
    moved = f"{names[0].capitalize()} {average} and {names[1]} {change}"
    assessed = zip(names, (said, other), strict=True)
    known = {name: entry.direction for name, entry in assessed if entry.direction != "could not be assessed"}
    if len(known) == 2 and len(set(known.values())) == 1:
        return f"{moved}: on both measures the group {said.direction}."
    if not known:
        return f"{moved}."
    return f"{moved}: the group {' and '.join(f'{way} on {name}' for name, way in known.items())}."


def association_relation(study: Study, words: AssociationWords) -> str:
    """``were related in the inverse direction: …``, or why they could not be related."""
    direction = study.checked("association_direction")
    if not direction.computable:
        return _md(f"could not be related: {direction.reason}")
    return f"were related in the {_role(direction.key)} direction: {_md(words.sentence)}"


def page(study: Study) -> Page:
    data, marks = study.data, study.marks
    piq, pseq, psq = (words.change_words(data, key, marks=marks) for key in ("piq", "pseq", "psq"))
    audit = audit_words(study)
    return Page(
        study,
        values={
            # the fields the sentence on the primary changes quotes
            "piq_23_average": piq.average,
            "pseq_23_change": pseq.change,
            "psq_23_change_p": psq.change_p,
            "piq_23_reading": sentences.change_reading(data, "piq", marks),
            "pseq_23_reading": sentences.change_reading(data, "pseq", marks),
            "psq_23_reading": sentences.change_reading(data, "psq", marks),
            "n_words": words.cohort_words(study.cohort.n_participants).words,
            "audit_agree": audit.agree,
            "audit_total": audit.total,
        },
        sentences={
            "example_check": example_check(study),
            "audit_summary": audit_summary(study),
            "primary_changes": changes_in_words({"piq": piq, "pseq": pseq}),
            "assoc_relation": association_relation(study, association_words(study)),
        },
        shown={"headline": tables.headline_table(study), "legend": legend_table()},
    )
