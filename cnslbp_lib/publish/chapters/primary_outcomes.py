"""The text of the chapter "Primary outcomes" (``book/primary_outcomes.ipynb``): PIQ and PSEQ, changes, responders."""

from __future__ import annotations

from typing import Any

from ...data.instruments import get_instrument
from ...exceptions import NotEnoughDataError
from ...paper.consistency import dz_from_printed_ci
from ...paper.formatting import format_number
from ...stats import sensitivity
from ...stats.core import Proportion
from .. import charts, sentences, tables, words
from ..myst import md as _md
from ..myst import role as _role
from ..page import Page
from ..study import Study
from ..words import ResponderWords
from .shared import responder_words

__all__ = ["page"]


def responder_result(
    study: Study, words: ResponderWords, instrument: str, share: Proportion | None, *, long: bool
) -> str:
    """The responder share, count and Wilson interval in one or two sentences, or why there are none.

    ``long`` adds a sentence on the width of the interval.
    """
    key = f"{instrument}_responders"
    rule = _md(f"({words.rule})")
    if share is None or not study.checked(key).computable:
        return f"The share of participants who reached the book's assumed threshold {rule} is {_role(key)}."
    counted = f"{_role(key)} of participants reached the book's assumed threshold {rule}: {words.k} of {words.n}"
    interval = _role(f"{words.prefix}_ci")
    if not long:
        return f"{counted} (Wilson 95% interval {interval}%)."
    sentence = f"{counted}, with a Wilson 95% interval of {interval}%."
    if share.ci_high - share.ci_low < 20:
        return f"{sentence} With {share.n:,} people the interval is narrow."
    few = "it rests on one person" if share.n == 1 else f"{share.n} people are few"
    return f"{sentence} The interval is wide because {few}."


def _dz_explorer(study: Study) -> Any:
    summaries, missing = [], []
    for key in ("piq", "pseq"):
        try:
            summaries.append(sensitivity.effect_size_summary(study.data, key))
        except NotEnoughDataError as error:
            missing.append(f"{get_instrument(key).abbreviation} has no curve: {error.reason}")
    return charts.dz_explorer(summaries, missing="; ".join(missing))


def _worked(study: Study) -> dict[str, Any]:
    """The PIQ dz worked out from the printed mean and CI alone."""
    worked = dz_from_printed_ci("piq")

    def shown(name: str, decimals: int, label: str) -> Any:
        return study.marks.from_abstract(format_number(worked[name], decimals), label)

    return {
        "worked_critical": shown("critical", 3, "the 97.5% quantile of t on n − 1 degrees of freedom"),
        "worked_half_width": shown("half_width", 3, "half the width of the printed PIQ 95% CI"),
        "worked_sd": shown("sd", 2, "the SD of the PIQ changes that the printed CI implies"),
        "worked_dz": shown("dz", 2, "the PIQ dz that the printed mean and CI imply"),
        "worked_df": str(worked["n"] - 1),
        "worked_n": str(worked["n"]),
    }


def page(study: Study) -> Page:
    data, marks = study.data, study.marks
    piq, pseq = (words.change_words(data, key, marks=marks) for key in ("piq", "pseq"))
    (piq_counted, piq_share), (pseq_counted, pseq_share) = (responder_words(study, key) for key in ("piq", "pseq"))
    return Page(
        study,
        printed=(
            "piq_mean_change",
            "piq_ci_low",
            "piq_ci_high",
            "piq_dz",
            "pseq_mean_change",
            "pseq_ci_low",
            "pseq_ci_high",
            "pseq_dz",
            "piq_responders",
            "pseq_responders",
        ),
        values={
            "piq_23_reading": sentences.change_reading(data, "piq", marks),
            "pseq_23_reading": sentences.change_reading(data, "pseq", marks),
            "piq_23_direction": piq.direction,
            "piq_23_excluded": piq.excluded,
            "piq_23_change": piq.change,
            "piq_resp_rule": piq_counted.rule,
            "piq_resp_ci": piq_counted.ci,
            "pseq_23_direction": pseq.direction,
            "pseq_23_excluded": pseq.excluded,
            "pseq_23_change": pseq.change,
            "pseq_resp_rule": pseq_counted.rule,
            "pseq_resp_ci": pseq_counted.ci,
            "power_sentence": sentences.power_sentence(study.cohort.n_participants, brief=True, marks=marks),
            **_worked(study),
        },
        sentences={
            "piq_23_result": sentences.change_result(study, "piq"),
            "piq_resp_result": responder_result(study, piq_counted, "piq", piq_share, long=True),
            "pseq_23_result": sentences.change_result(study, "pseq", capital=True),
            "pseq_resp_result": responder_result(study, pseq_counted, "pseq", pseq_share, long=False),
        },
        shown={
            "piq_estimation": charts.estimation_plot(data, "piq"),
            "pseq_estimation": charts.estimation_plot(data, "pseq"),
            "piq_sensitivity": tables.sensitivity_table(data, "piq", marks, bootstrap_method="bca"),
            "pseq_sensitivity": tables.sensitivity_table(data, "pseq", marks, bootstrap_method="bca"),
            "effect_sizes": tables.effect_size_table(data, marks=marks),
            "dz_explorer": _dz_explorer(study),
            "piq_sweep": charts.threshold_sweep(data, "piq"),
            "pseq_sweep": charts.threshold_sweep(data, "pseq"),
        },
    )
