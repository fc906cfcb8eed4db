"""The text of the chapter "Stages" (``book/stages.ipynb``): the education phase's changes and each person's path."""

from __future__ import annotations

from typing import Any

from ...data.instruments import NON_RESPONSE, get_instrument
from .. import charts, phrases, words
from ..myst import md as _md
from ..myst import role as _role
from ..page import Page
from ..study import Study
from ..words import ChangeWords

__all__ = ["page"]


def education_changes(words: dict[str, ChangeWords], *, inference: bool = True) -> str:
    """The three stage 1 → 2 changes, each or why it could not be computed.

    With ``inference`` the primary outcomes carry their 95% CI and p; without it only the means are
    quoted (on the reconstruction stage 1 comes from a prior, and a test of it would test the prior).
    """

    def part(key: str, name: str, *, verb: str = "changed ", detail: bool = True) -> str:
        said = words[key]
        if said.note and said.interval == "cannot be computed":
            return _md(f"{name} could not be compared ({said.note})")
        prefix = said.prefix
        numbers = f" (95% CI {_role(f'{prefix}_ci')}, {_role(f'{prefix}_p')})" if detail else ""
        return f"{name} {verb}by {_role(f'{prefix}_mean')} points{numbers}"

    interference = part("piq", "pain interference", detail=inference)
    compared = not interference.startswith("pain interference could not")
    efficacy = part("pseq", "self-efficacy", verb="" if compared else "changed ", detail=inference)
    return f"{interference} and {efficacy}; {part('psq', 'pain severity', detail=False)}"


def page(study: Study) -> Page:
    data, marks = study.data, study.marks
    piq, pseq, psq = (
        words.change_words(data, key, from_stage=1, to_stage=2, marks=marks) for key in ("piq", "pseq", "psq")
    )
    # on the reconstruction the stage 1 scores come wholly from a prior: their intervals and p-values
    # would only test the prior, so the means are shown (with marks) and no inference
    inference = not study.provenance.is_reconstruction
    values: dict[str, Any] = {"piq_12_mean": piq.mean}
    if inference:
        values |= {"piq_12_ci": piq.ci, "piq_12_p": piq.p}
    values["pseq_12_mean"] = pseq.mean
    if inference:
        values |= {"pseq_12_ci": pseq.ci, "pseq_12_p": pseq.p}
    # a participant just short of both thresholds, built from the registry
    piq_before, pseq_before = 50, 20
    piq_after = piq_before - (get_instrument("piq").threshold - 1)
    pseq_after = pseq_before + get_instrument("pseq").threshold - 1
    values |= {
        "psq_12_mean": psq.mean,
        "non_response_rule": NON_RESPONSE.description,
        "inclusion_sentence": phrases.inclusion_sentence(data),
        "near_piq": f"{piq_before} to {piq_after}",
        "near_piq_verdict": phrases.rule_verdict("piq", piq_after - piq_before),
        "near_pseq": f"{pseq_before} to {pseq_after}",
        "near_pseq_verdict": phrases.rule_verdict("pseq", pseq_after - pseq_before),
    }
    return Page(
        study,
        values=values,
        sentences={"education_changes": education_changes({"piq": piq, "pseq": pseq, "psq": psq}, inference=inference)},
        shown={
            "education": charts.education_phase_chart(data),
            "piq_trajectories": charts.trajectories(data, "piq"),
            "pseq_trajectories": charts.trajectories(data, "pseq"),
            "psq_trajectories": charts.trajectories(data, "psq"),
        },
    )
