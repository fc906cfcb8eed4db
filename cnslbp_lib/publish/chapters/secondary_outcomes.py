"""The text of the chapter "Secondary outcomes" (``book/secondary_outcomes.ipynb``): PSQ and the global ratings."""

from __future__ import annotations

from typing import Any

from ...data.instruments import get_instrument
from ...paper.consistency import derived_interval, interval_from_printed_p
from ...paper.formatting import format_number
from .. import charts, sentences, tables, words
from ..myst import md as _md
from ..myst import role as _role
from ..page import Page
from ..study import Study
from ..words import ChangeWords

__all__ = ["page"]


def interval_sentence(words: ChangeWords) -> str:
    """``Recomputed from the data it is a to b (dz d), which includes zero.``, or why it cannot be."""
    if words.interval == "cannot be computed":
        return _md(f"It cannot be recomputed from these data either: {words.note}.")
    prefix = words.prefix
    return (
        f"Recomputed from the data it is {_role(f'{prefix}_ci')} (dz {_role(f'{prefix}_dz')}), "
        f"which {_role(f'{prefix}_interval')}."
    )


def _back_calculated(study: Study) -> dict[str, Any]:
    """The PSQ interval worked back from the printed mean and p alone."""
    back = interval_from_printed_p("psq")

    def shown(quantity: str, decimals: int, label: str) -> Any:
        return study.marks.from_abstract(
            format_number(back[quantity], decimals), f"{label}, back-calculated from the printed PSQ mean and p"
        )

    return {
        "psq_back_t": shown("t", 2, "t"),
        "psq_back_critical": shown("critical", 2, "the 97.5% quantile of t on 13 degrees of freedom"),
        "psq_back_se": shown("se", 2, "the standard error of the mean change"),
        "psq_back_half": shown("half_width", 1, "the half-width of the 95% CI"),
        "psq_back_low": shown("ci_low", 1, "the 95% CI lower limit"),
        "psq_back_high": shown("ci_high", 1, "the 95% CI upper limit"),
    }


def page(study: Study) -> Page:
    data = study.data
    psq = words.change_words(data, "psq", marks=study.marks)
    rating = study.cohort.has_global_change and not study.provenance.is_reconstruction
    not_collected = (
        tables.note("the abstract reports no global ratings, so none are drawn here")
        if study.provenance.is_reconstruction
        else tables.not_collected("Global perceived change")
    )
    ratings = words.global_change_words(data, study.marks)
    return Page(
        study,
        printed=("psq_mean_change", "psq_p_val"),
        values={
            "psq_23_direction": psq.direction,
            "psq_23_excluded": psq.excluded,
            "psq_23_change_p": psq.change_p,
            "psq_23_ci": psq.ci,
            "psq_23_dz": psq.dz,
            "psq_23_interval": psq.interval,
            "psq_23_reading": sentences.change_reading(data, "psq", study.marks),
            "global_sentence": ratings.sentence,
            "global_summary": ratings.summary,
            "psq_derivation": study.marks.block(derived_interval("psq"), "Worked out from the printed numbers alone"),
            "psq_rule": get_instrument("psq").improvement_rule,
            **_back_calculated(study),
        },
        sentences={
            "psq_23_result": sentences.change_result(study, "psq"),
            "psq_23_ci_sentence": interval_sentence(psq),
        },
        shown={
            "psq_estimation": charts.estimation_plot(data, "psq"),
            "global_chart": charts.global_change_chart(data) if rating else not_collected,
            # the chart's place already says why there is nothing: the table's stays empty
            "global_table": tables.global_change_table(data) if rating else tables.HtmlTable(""),
        },
    )
