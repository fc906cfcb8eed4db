"""The text of the chapter "Limitations" (``book/limitations.ipynb``): regression to the mean, the noise bound, power.

Regression to the mean and the noise bound in words are in
:mod:`cnslbp_lib.publish.chapters.regression_words`; this module builds the page
(and says the Holm adjustment and the responder rates).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...data.instruments import NON_RESPONSE, get_instrument
from ...exceptions import NotEnoughDataError
from ...paper.formatting import format_p
from ...stats import flow, rtm, rtm_joint_figures, rtm_noise
from ...stats.change import paired_change
from ...stats.responder_analysis import pe_nonresponse
from ...stats.sensitivity import holm
from .. import charts, sentences
from ..myst import role as _role
from ..page import Page
from ..provenance import Displayable, Marks, Phrase
from ..study import PRIMARY, Study
from ..words import ResponderWords
from .regression_words import (
    JointRtmWords,
    NoiseWords,
    RtmWords,
    joint_rtm_words,
    noise_sentence,
    noise_words,
    rtm_at_60,
    rtm_bullet,
    rtm_joint,
    rtm_sd,
    rtm_share,
    rtm_words,
)
from .shared import audit_words, responder_words

__all__ = [
    "page",
]


def holm_result(data: pd.DataFrame, marks: Marks | None = None) -> Phrase | str:
    """``gives p = 0.006 for the PIQ and p = 0.012 for the PSEQ``, or why (part of) it cannot be computed."""
    try:
        table = holm(data, PRIMARY).set_index("instrument")
    except NotEnoughDataError as error:
        return f"cannot be computed: a paired t-test {error.reason}"
    given: list[Phrase] = []
    missing = []
    for instrument, row in table.iterrows():
        name = get_instrument(str(instrument)).abbreviation
        if np.isfinite(row["p_holm"]):
            printed: str | Displayable = format_p(row["p_holm"])
            if marks is not None:
                printed = marks.number(f"{instrument}_holm_p", float(row["p_holm"]))
            given.append(Phrase(("p = ", printed, f" for the {name}")))
        else:
            missing.append(f"the {name} p-value is not computable ({paired_change(data, str(instrument)).note})")
    if not given:
        return "cannot be computed: " + "; ".join(missing)
    joined: list[str | Displayable] = ["gives "]
    for position, part in enumerate(given):
        joined += [" and " if position else "", part]
    return Phrase((*joined, "; " + "; ".join(missing) if missing else ""))


def responder_rates(study: Study, words: dict[str, ResponderWords]) -> str:
    """``the responder rates of a% and b% come with Wilson intervals of …``, or what can be said."""
    computable = {key: study.checked(f"{key}_responders").computable for key in ("piq", "pseq")}
    if all(computable.values()):
        return (
            f"the responder rates of {_role('piq_responders')} and {_role('pseq_responders')} come with Wilson "
            f"intervals of {_role(words['piq'].prefix + '_ci')}% and {_role(words['pseq'].prefix + '_ci')}%"
        )
    parts = []
    for key in ("piq", "pseq"):
        name, role = get_instrument(key).abbreviation, _role(f"{key}_responders")
        if computable[key]:
            parts.append(
                f"the {name} responder rate of {role} comes with a Wilson interval of "
                f"{_role(words[key].prefix + '_ci')}%"
            )
        else:
            parts.append(f"the {name} responder rate is {role}")
    return "; ".join(parts)


def _regression(study: Study) -> tuple[dict[str, RtmWords], dict[str, rtm.RtmFigures]]:
    said, figures = {}, {}
    baseline = flow.stage_summary(study.data, stage=2).set_index("instrument")["sd"]
    for key in ("piq", "pseq"):
        try:
            figures[key] = rtm.rtm_figures(study.data, key, cohort_size=study.cohort.n_participants)
        except NotEnoughDataError as error:
            said[key] = rtm_words(key, None, study.marks, reason=error.reason, baseline_sd=float(baseline[key]))
        else:
            said[key] = rtm_words(key, figures[key], study.marks)
    return said, figures


def _joint_regression(study: Study) -> dict[str, JointRtmWords]:
    """The joint model's words at the illustrative setting (or why there are none)."""
    keys = NON_RESPONSE.instruments
    try:
        figures = rtm_joint_figures.joint_rtm_figures(
            study.data,
            cohort_size=study.cohort.n_participants,
            error_correlation=rtm_joint_figures.ILLUSTRATIVE_ERROR_CORRELATION,
            flare_strength=rtm_joint_figures.ILLUSTRATIVE_FLARE_STRENGTH,
        )
    except NotEnoughDataError as error:
        return {key: joint_rtm_words(key, None, reason=error.reason) for key in keys}
    return {key: joint_rtm_words(key, figures[key], study.marks) for key in keys}


def _noise(study: Study) -> dict[str, NoiseWords]:
    """The noise bound of each rule instrument, corrected for the rule wherever the whole cohort met it."""
    said = {}
    improved = pe_nonresponse(study.data)
    for key in NON_RESPONSE.instruments:
        selected = not bool(improved[f"{key}_improved"].fillna(False).any())
        try:
            said[key] = noise_words(key, rtm_noise.noise_bound(study.data, key, selected=selected))
        except NotEnoughDataError as error:
            said[key] = noise_words(key, None, reason=error.reason)
    return said


def _simulator(study: Study, instrument: str, said: RtmWords, figures: rtm.RtmFigures | None) -> Any:
    """The regression-to-the-mean simulator for one instrument, or a chart-sized note saying why there is none."""
    if figures is not None and not said.note:
        return charts.rtm_simulator(figures, *rtm.simulator_grids(figures))
    return charts.message_chart(
        f"For the {get_instrument(instrument).abbreviation}, regression to the mean cannot be estimated from this "
        f"cohort: {said.note}."
    )


def page(study: Study) -> Page:
    data, n, marks = study.data, study.cohort.n_participants, study.marks
    regression, figures = _regression(study)
    piq, pseq = regression["piq"], regression["pseq"]
    joint = _joint_regression(study)
    # on the reconstruction the stage 1 scores come from a prior, so the bound would describe the prior: not shown
    said_noise = {} if study.provenance.is_reconstruction else _noise(study)
    noise = (
        {
            "noise_piq_reliability_min": said_noise["piq"].reliability_min,
            "noise_piq_reliability_min_lower": said_noise["piq"].reliability_min_lower,
            "noise_pseq_reliability_min": said_noise["pseq"].reliability_min,
            "noise_pseq_reliability_min_lower": said_noise["pseq"].reliability_min_lower,
        }
        if said_noise
        else {}
    )
    audit = audit_words(study)
    piq_counted, pseq_counted = (responder_words(study, key)[0] for key in ("piq", "pseq"))
    return Page(
        study,
        values={
            "audit_conflict_count": audit.conflict_count,
            "audit_conflict_count_cap": audit.conflict_count_cap,
            "audit_conflict_list": audit.conflict_list,
            "rtm_piq_sd": piq.sd,
            "rtm_piq_expected": piq.expected,
            "rtm_piq_observed": piq.observed,
            "rtm_piq_share": piq.share,
            "rtm_piq_low": piq.low,
            "rtm_piq_high": piq.high,
            "rtm_piq_responders": piq.responders,
            "rtm_piq_reliability": piq.reliability,
            "rtm_piq_reliability_60": piq.reliability_60,
            "rtm_piq_at_60": piq.at_60,
            "rtm_piq_explain_all": piq.explain_all,
            "rtm_pseq_sd": pseq.sd,
            "rtm_pseq_expected": pseq.expected,
            "rtm_pseq_observed": pseq.observed,
            "rtm_pseq_share": pseq.share,
            "rtm_pseq_low": pseq.low,
            "rtm_pseq_high": pseq.high,
            "rtm_pseq_responders": pseq.responders,
            "rtm_joint_piq_expected": joint["piq"].expected,
            "rtm_joint_piq_share": joint["piq"].share,
            "rtm_joint_piq_correlation": joint["piq"].correlation,
            "rtm_joint_piq_flare": joint["piq"].flare,
            "rtm_joint_piq_per_sd": joint["piq"].per_sd,
            "rtm_joint_pseq_expected": joint["pseq"].expected,
            "rtm_joint_pseq_share": joint["pseq"].share,
            **noise,
            "power_brief": sentences.power_sentence(n, brief=True, marks=marks),
            "piq_resp_ci": piq_counted.ci,
            "pseq_resp_ci": pseq_counted.ci,
            "holm_result": holm_result(data, marks),
        },
        sentences={
            "rtm_sd": rtm_sd(regression),
            "rtm_piq_bullet": rtm_bullet("piq", piq, long=True),
            "rtm_pseq_bullet": rtm_bullet("pseq", pseq, long=False),
            "rtm_piq_at_60_sentence": rtm_at_60("piq", piq),
            "rtm_share": rtm_share(regression),
            "rtm_joint_sentence": rtm_joint(joint),
            "noise_sentence": noise_sentence(study, said_noise),
            "responder_rates": responder_rates(study, {"piq": piq_counted, "pseq": pseq_counted}),
        },
        shown={
            "rtm_piq": _simulator(study, "piq", piq, figures.get("piq")),
            "rtm_pseq": _simulator(study, "pseq", pseq, figures.get("pseq")),
        },
    )
