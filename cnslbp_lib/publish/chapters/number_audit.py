"""The text of the chapter "Number audit" (``book/number_audit.ipynb``): every printed number, checked; GRIM worked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...paper.consistency import explanations, grim_sums
from ...paper.formatting import format_number
from ...paper.reported import get_reported, reported_n
from .. import audit_tables, charts, words
from ..page import Page
from ..provenance import Marks
from ..study import Study
from .shared import audit_words

__all__ = ["page"]


def _p_side(value: float) -> str:
    return "below .05" if value < 0.05 else "at or above .05"


_KINDS = {"p_val": "p-value", "responder_pct": "percentage"}


def _named(label: str) -> str:
    """``the PSEQ paired p-value``: a record's label in a sentence, its unit in brackets dropped."""
    bare = label.split(" (", maxsplit=1)[0]
    return f"the {bare if bare.split(' ')[0].isupper() else bare[:1].lower() + bare[1:]}"


def _unchanged(key: str, audit: pd.DataFrame) -> str:
    """Why a discrepancy changes no inference (the same side of .05, the same count), or empty if it may."""
    record = get_reported(key)
    recomputed = float(audit.loc[key, "recomputed"]) if key in audit.index else float("nan")
    if record.value is None or not np.isfinite(recomputed):
        return ""
    if record.style == "p" and _p_side(float(record.value)) == _p_side(recomputed):
        return f"{_named(record.label)} is {_p_side(recomputed)} either way"
    if record.style == "percent":
        n = reported_n()
        counts = {round(float(record.value) * n / 100), round(recomputed * n / 100)}
        if len(counts) == 1:
            shown = format_number(recomputed, record.decimals or 0)
            return f"{record.printed}% and {shown}% are the same {counts.pop()} of {n} people"
    return ""


def discrepancies(study: Study) -> str:
    """The abstract's own discrepancies, each once: what ordinary reading reproduces it, and whether it matters.

    Built from the data-free checks (:func:`cnslbp_lib.paper.consistency.explanations`):
    which reading reproduces each inconsistent number, whether that reading also
    fits every other number of its kind, and whether the printed and recomputed
    values lead to the same conclusion (the same side of .05; the same count of people).
    """
    found = explanations()
    if not found:
        return "The data-free checks find no number in the abstract that disagrees with the others."
    readings: dict[str, list[tuple[str, bool]]] = {}
    for explanation in found:
        for key in explanation.explains:
            readings.setdefault(key, []).append((explanation.words, explanation.all_agree))
    parts, unchanged = [], []
    audit = study.audit.set_index("key")
    for key, ways in readings.items():
        record = get_reported(key)
        kind = _KINDS.get(record.quantity, "number of its kind")
        printed = record.printed + ("%" if record.style == "percent" else "")
        said = f"{printed} ({_named(record.label).removeprefix('the ')}) is reproduced if "
        said += ", or if ".join(words for words, _ in ways)
        if all(agree for _, agree in ways):
            said += f", and {'that reading reproduces' if len(ways) == 1 else 'each reading reproduces'} the "
            said += f"abstract's other {kind}s too"
        elif not any(agree for _, agree in ways):
            said += f", but the abstract's other {kind}s do not fit that reading, so it mixes conventions"
        if record.quantity == "p_val":
            # an exact rank-test p needs the data, so no data-free check can test it
            said += "; a rank test (an exact Wilcoxon p) might also give it, which no data-free check can test"
        parts.append(said)
        if reason := _unchanged(key, audit):
            unchanged.append(reason)
    sentence = "In the abstract's own numbers, " + "; ".join(parts) + "."
    if len(unchanged) == len(readings):
        sentence += (
            f" {'Neither' if len(readings) == 2 else 'None of them'} changes an inference: "
            + "; ".join(unchanged)
            + "."
        )
    return sentence


def _grim_example(key: str, marks: Marks) -> dict[str, object]:
    """The GRIM working for one printed mean, from the abstract alone.

    ``grim_total`` is the whole-number total change that gives the printed
    mean, ``grim_mean`` that total over n (four decimals); ``grim_below`` and
    ``grim_above`` are the next totals and ``grim_below_mean`` and
    ``grim_above_mean`` their means as the paper would print them.
    """
    record, n = get_reported(key), reported_n()
    totals = grim_sums(record.printed, n, record.decimals or 0)
    if not totals:  # the data-free checks flag such a mean; the exercise then has no total to name
        return dict.fromkeys(
            ("grim_total", "grim_mean", "grim_below", "grim_below_mean", "grim_above", "grim_above_mean"), "none"
        )
    total = totals[0]

    def printed_mean(other: int) -> object:
        return marks.from_abstract(
            record.as_printed(other / n), f"a total change of {other} over n = {n}, printed as the abstract prints"
        )

    return {
        "grim_total": format_number(total, 0),
        "grim_mean": marks.from_abstract(
            format_number(total / n, 4), f"the mean of a total change of {total} over n = {n}"
        ),
        "grim_below": format_number(total + 1, 0),
        "grim_below_mean": printed_mean(total + 1),
        "grim_above": format_number(total - 1, 0),
        "grim_above_mean": printed_mean(total - 1),
    }


def page(study: Study) -> Page:
    audit = audit_words(study)
    construction = study.provenance.is_reconstruction
    return Page(
        study,
        printed=("piq_responders", "psq_mean_change"),
        values={
            "n_participants": words.cohort_words(study.cohort.n_participants).participants,
            "audit_agree": audit.agree,
            "audit_total": audit.total,
            **_grim_example("psq_mean_change", study.marks),
            "discrepancies": study.marks.block(discrepancies(study), "Worked out from the printed numbers alone"),
        },
        shown={
            "disagreements": audit_tables.disagreements(study.audit),
            "audit": audit_tables.audit_table(study.audit, construction=construction),
            "overview": charts.audit_overview(study.audit, construction=construction),
            "checks": audit_tables.checks_table(),
        },
    )
