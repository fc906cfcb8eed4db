"""Plain phrases and sentences that follow one number or one table: text only, no marks, no glue.

A verb for a change (``fell``), a p in words, whether an interval excludes
zero, who was excluded and why, who met the inclusion rule, what the sign of a
correlation means in the instruments' own terms. The ``*Words`` objects of
:mod:`cnslbp_lib.publish.words` are built from them; chapters quote them
directly where a number carries no mark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instruments import get_instrument
from ..paper.formatting import format_number, format_p
from ..stats.change import StageChange
from ..stats.responder_analysis import pe_nonresponse

__all__ = [
    "association_sentence",
    "change_verb",
    "exclusion_sentence",
    "improvement_word",
    "inclusion_sentence",
    "interval_phrase",
    "not_computable",
    "p_text",
    "participants",
    "rule_verdict",
]


def not_computable(reason: str = "") -> str:
    """What the page prints in place of a number the data cannot give: ``not computable: <reason>``."""
    return f"not computable: {reason}" if reason else "not computable"


def participants(count: int) -> str:
    """``1 participant``, ``14 participants``."""
    return f"{count} participant{'' if count == 1 else 's'}"


def p_text(p_val: float, reason: str = "") -> str:
    """``p = 0.003``, ``p < 0.001``, or that p is not computable (and why, if ``reason`` says)."""
    if not np.isfinite(p_val):
        return f"p {not_computable(reason)}"
    printed = format_p(p_val)
    return f"p {printed[0]} {printed[1:]}" if printed.startswith("<") else f"p = {printed}"


def change_verb(mean_change: float) -> str:
    """``fell``, ``rose`` or ``did not change`` for a mean change."""
    return "fell" if mean_change < 0 else "rose" if mean_change > 0 else "did not change"


def improvement_word(mean_change: float, instrument: str) -> str:
    """``improved``, ``worsened`` or ``did not change``, in the instrument's direction."""
    signed = mean_change * get_instrument(instrument).improvement_sign
    return "improved" if signed > 0 else "worsened" if signed < 0 else "did not change"


def interval_phrase(low: float, high: float, *, n: int | None = None) -> str:
    """Whether an interval excludes zero, in words; or that it has no width, or cannot be computed.

    An interval of zero width comes from ``n`` equal changes (their SD is 0).
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return "cannot be computed"
    if low == high:
        every = f"all {n} changes" if n is not None else "all the changes"
        return f"has no width, because {every} are equal"
    return "includes zero" if low <= 0 <= high else "excludes zero"


def exclusion_sentence(change: StageChange, *, limit: int = 8) -> str:
    """Say who had both scores and name anyone excluded, with the reason."""
    total = change.n + len(change.excluded)
    if change.excluded.empty:
        return f"All {total} participants had both scores." if total > 1 else "The only participant had both scores."
    listed = [f"{row.participant} ({row.reason})" for row in change.excluded.head(limit).itertuples(index=False)]
    more = len(change.excluded) - len(listed)
    tail = f", and {more} more listed in the design chapter" if more > 0 else ""
    return f"{change.n} of {total} participants had both scores; excluded: {'; '.join(listed)}{tail}."


def rule_verdict(instrument: str, change: float) -> str:
    """Whether one participant's change meets the instrument's threshold, in words."""
    entry = get_instrument(instrument)
    movement = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    size = f" by {format_number(abs(change), 0)} points" if change else ""
    meets = change * entry.improvement_sign >= entry.threshold
    return (
        f"the {entry.abbreviation} {movement}{size}, which {'meets' if meets else 'falls short of'} "
        f"{entry.improvement_rule}"
    )


def association_sentence(r: float, x: str = "pseq", y: str = "piq") -> str:
    """What the sign of a change–change correlation means, in the instruments' own terms (never its strength).

    The abstract reports only a direction, so the book says what the sign means
    and leaves the strength to the ranged numbers beside it.
    """
    x_entry, y_entry = get_instrument(x), get_instrument(y)
    if not np.isfinite(r):
        return f"how the changes in {x_entry.construct} and {y_entry.construct} relate cannot be computed"
    if r == 0:
        return f"the changes in {x_entry.construct} and {y_entry.construct} were unrelated"
    x_better = "rose" if x_entry.improvement_sign > 0 else "fell"
    same_way = (r > 0) == (x_entry.improvement_sign == y_entry.improvement_sign)
    y_word = "improved more" if same_way else "improved less (or worsened more)"
    return (
        f"the sign means that participants whose {x_entry.construct} {x_better} more were those whose "
        f"{y_entry.construct} {y_word}"
    )


def inclusion_sentence(data: pd.DataFrame) -> str:
    """Who met the non-response rule, naming anyone who did not if not everyone did."""
    table = pe_nonresponse(data)
    met = table["non_responder"].fillna(False).astype(bool)
    undecided = table["non_responder"].isna()
    total = len(table)
    if met.all():
        return (
            "The only participant met the inclusion rule."
            if total == 1
            else f"All {total} participants met the inclusion rule."
        )
    responded = table.loc[~met & ~undecided, "participant"].astype(str).tolist()
    unknown = table.loc[undecided, "participant"].astype(str).tolist()
    parts = [f"{int(met.sum())} of {total} participants met the inclusion rule."]
    if responded:
        parts.append(
            f"{', '.join(responded[:10])}{' and others' if len(responded) > 10 else ''} improved during "
            "education and would not have been eligible for the study; the analyses keep them, "
            "because the cohort file defines the cohort."
        )
    if unknown:
        parts.append(f"For {', '.join(unknown[:10])} the rule cannot be decided: a score is missing.")
    return " ".join(parts)
