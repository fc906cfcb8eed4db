"""Regression to the mean and the noise bound in words: what the chapter "Limitations" quotes about them.

Every field already formatted, glued as ``rtm_<instrument>_<field>`` (the keys are
written out in :func:`cnslbp_lib.publish.chapters.limitations.page`); a figure the
cohort cannot support says "not computable" with the reason. The sentences
(``rtm_bullet`` and the others) are MyST Markdown that quotes those fields with
``{glue}`` roles, or says why a figure cannot be given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...data.instruments import get_instrument
from ...paper.formatting import format_number
from ...stats.rtm import DEFAULT_RELIABILITY, RELIABILITY_60, RtmFigures
from ...stats.rtm_joint_figures import ILLUSTRATIVE_ERROR_CORRELATION, ILLUSTRATIVE_FLARE_STRENGTH, JointRtmFigures
from ...stats.rtm_noise import NoiseBound
from ..myst import md as _md
from ..myst import role as _role
from ..phrases import not_computable
from ..provenance import Marks, Phrase
from ..study import Study
from ..words import Quoted

__all__ = [
    "JointRtmWords",
    "NoiseWords",
    "RtmWords",
    "joint_rtm_words",
    "noise_sentence",
    "noise_words",
    "rtm_at_60",
    "rtm_bullet",
    "rtm_joint",
    "rtm_sd",
    "rtm_share",
    "rtm_words",
]


@dataclass(frozen=True)
class RtmWords:
    """Regression to the mean for one instrument in words; glued as ``rtm_<instrument>_<field>``."""

    prefix: str
    sd: Quoted
    expected: Quoted
    observed: Quoted
    share: Quoted
    low: Quoted
    high: Quoted
    responders: Quoted
    reliability: Quoted
    reliability_60: Quoted
    at_60: Quoted
    explain_all: Quoted
    note: str = ""


def rtm_words(
    instrument: str,
    figures: RtmFigures | None,
    marks: Marks | None = None,
    *,
    reason: str = "",
    baseline_sd: float = float("nan"),
    reliability: float = DEFAULT_RELIABILITY,
) -> RtmWords:
    """The regression-to-the-mean figures of :func:`cnslbp_lib.stats.rtm.rtm_figures`, formatted.

    With ``marks``, the stage 2 SD, the expected improvement and its share carry
    their spread: the abstract reports no stage 2 levels, so they rest on an assumption.
    ``figures`` is None when the cohort cannot support them (``reason`` says
    why; ``baseline_sd`` is the stage 2 SD if there is one); then, as when the stage 2
    scores do not vary, the numbers say "not computable" and ``note`` says why.
    """
    if figures is None or not np.isfinite(figures.expected):
        why = reason if figures is None else figures.note
        missing = not_computable(why)
        spread = figures.sd if figures is not None else baseline_sd
        return RtmWords(
            prefix=f"rtm_{instrument}",
            sd=format_number(spread, 1) if np.isfinite(spread) else missing,
            expected=missing,
            observed=format_number(figures.observed, 2) if figures is not None else missing,
            share=missing,
            low=missing,
            high=missing,
            responders=missing,
            reliability=format_number(figures.reliability if figures is not None else reliability, 2),
            reliability_60=format_number(RELIABILITY_60, 2),
            at_60=missing,
            explain_all="no reliability can be named, because the model cannot be fitted to these data",
            note=why,
        )
    observed = figures.observed

    def mark(key: str, value: float, text: str) -> Quoted:
        return text if marks is None else marks.number(key, value, shown=text)

    explain_all: Quoted
    if observed <= 0:
        explain_all = "there is no observed improvement to explain"
    elif not np.isfinite(figures.reliability_explaining):
        explain_all = "no reliability between 0 and 1 would make regression to the mean explain all of it"
    else:
        needed = mark(
            f"{instrument}_rtm_reliability_explaining",
            figures.reliability_explaining,
            format_number(figures.reliability_explaining, 2),
        )
        explain_all = Phrase(("it would take a reliability of about ", needed, " to explain all of it"))
    share: Quoted = "not defined" if observed <= 0 else f"{format_number(100 * figures.expected / observed, 0)}%"
    if observed > 0:
        share = mark(f"{instrument}_rtm_share", 100 * figures.expected / observed, str(share))
    constant = Marks(None) if marks is None else marks
    return RtmWords(
        prefix=f"rtm_{instrument}",
        sd=mark(f"{instrument}_sd_2", figures.sd, format_number(figures.sd, 1)),
        expected=mark(f"{instrument}_rtm_expected", figures.expected, format_number(figures.expected, 2)),
        observed=mark(f"{instrument}_improvement", observed, format_number(observed, 2)),
        share=share,
        low=mark(f"{instrument}_rtm_low", figures.cohort_low, format_number(figures.cohort_low, 1)),
        high=mark(f"{instrument}_rtm_high", figures.cohort_high, format_number(figures.cohort_high, 1)),
        responders=mark(f"{instrument}_rtm_chance", figures.responder_pct, format_number(figures.responder_pct, 0)),
        reliability=constant.assumed("rtm_reliability", format_number(figures.reliability, 2))
        if figures.reliability == DEFAULT_RELIABILITY
        else format_number(figures.reliability, 2),
        reliability_60=constant.assumed("rtm_reliability_60", format_number(RELIABILITY_60, 2)),
        at_60=mark(f"{instrument}_rtm_expected_60", figures.expected_at_60, format_number(figures.expected_at_60, 2)),
        explain_all=explain_all,
    )


@dataclass(frozen=True)
class JointRtmWords:
    """Regression to the mean with selection on both instruments, in words; glued as ``rtm_joint_<instrument>_<field>``.

    ``expected`` and ``share`` are the joint model's (with marks on the
    reconstruction: they rest on the stage 2 SDs, which the abstract does not
    report), ``single`` the one-instrument expectation at the same reliability;
    ``correlation`` and ``flare`` are the illustrative parameters and
    ``per_sd`` how many times likelier referral is per SD worse on the day
    (:math:`e^{\\lambda}`). When the figures cannot be computed the numbers say
    "not computable" and ``note`` says why.
    """

    prefix: str
    expected: Quoted
    share: Quoted
    single: Quoted
    correlation: Quoted
    flare: Quoted
    per_sd: Quoted
    note: str = ""


def joint_rtm_words(
    instrument: str,
    figures: JointRtmFigures | None,
    marks: Marks | None = None,
    *,
    reason: str = "",
    error_correlation: float = ILLUSTRATIVE_ERROR_CORRELATION,
    flare_strength: float = ILLUSTRATIVE_FLARE_STRENGTH,
) -> JointRtmWords:
    """The joint figures of :func:`cnslbp_lib.stats.rtm_joint_figures.joint_rtm_figures` for one instrument, formatted.

    ``figures`` is None when the cohort cannot support them (``reason`` says
    why); the parameters are then those the caller would have used.
    """
    if figures is not None:
        error_correlation, flare_strength = figures.error_correlation, figures.flare_strength
    constant = Marks(None) if marks is None else marks
    illustrative = (error_correlation, flare_strength) == (ILLUSTRATIVE_ERROR_CORRELATION, ILLUSTRATIVE_FLARE_STRENGTH)
    texts = {
        "correlation": ("rtm_error_correlation", format_number(error_correlation, 1)),
        "flare": ("rtm_flare_strength", format_number(flare_strength, 1)),
        "per_sd": ("rtm_flare_ratio", format_number(float(np.exp(flare_strength)), 2)),
    }
    parameters: dict[str, Any] = {
        name: constant.assumed(key, text) if illustrative else text for name, (key, text) in texts.items()
    }
    prefix = f"rtm_joint_{instrument}"
    if figures is None or not np.isfinite(figures.expected):
        why = reason if figures is None else figures.note
        missing = not_computable(why)
        return JointRtmWords(prefix, missing, missing, missing, **parameters, note=why)
    observed = figures.observed
    expected: Quoted = format_number(figures.expected, 2)
    share: Quoted = "not defined" if observed <= 0 else f"{format_number(100 * figures.expected / observed, 0)}%"
    single: Quoted = format_number(figures.expected_single, 2)
    if marks is not None:
        expected = marks.number(f"{instrument}_rtm_joint_expected", figures.expected)
        single = marks.number(f"{instrument}_rtm_expected", figures.expected_single)
        if observed > 0:
            share = marks.number(f"{instrument}_rtm_joint_share", 100 * figures.expected / observed)
    return JointRtmWords(prefix, expected, share, single, **parameters)


@dataclass(frozen=True)
class NoiseWords:
    """The noise bound of one instrument in words; glued as ``noise_<instrument>_<field>``.

    ``reliability_min`` is the lowest test–retest reliability the cohort's
    stage 1 → 2 changes allow, ``reliability_min_lower`` the same at the
    one-sided 95% limit (allowing for the sample's size), ``error_sd_max`` the
    largest measurement-error SD (points). A bound that cannot be given says
    why in every field, and ``note`` holds the reason.
    """

    prefix: str
    reliability_min: str
    reliability_min_lower: str
    error_sd_max: str
    note: str = ""


def noise_words(instrument: str, bound: NoiseBound | None, *, reason: str = "") -> NoiseWords:
    """A :class:`~cnslbp_lib.stats.rtm_noise.NoiseBound` formatted, or why there is none (``bound`` None)."""
    prefix = f"noise_{instrument}"
    why = reason if bound is None else bound.note
    if bound is None or not np.isfinite(bound.reliability_min):
        missing = not_computable(why)
        return NoiseWords(prefix, missing, missing, missing, why)
    return NoiseWords(
        prefix,
        format_number(bound.reliability_min, 2),
        format_number(bound.reliability_min_lower, 2),
        format_number(bound.error_sd_max, 1) if np.isfinite(bound.error_sd_max) else "not bounded",
        why,
    )


def _fitted(words: RtmWords) -> bool:
    return not words.note


def rtm_sd(words: dict[str, RtmWords]) -> str:
    """``11.2 points for the PIQ, 9.4 for the PSEQ``: the stage 2 SDs the model uses, or why there is none."""
    has_sd = {key: not str(entry.sd).startswith("not computable") for key, entry in words.items()}
    if all(has_sd.values()):
        return f"{_role('rtm_piq_sd')} points for the PIQ, {_role('rtm_pseq_sd')} for the PSEQ"
    return "; ".join(
        f"{_role(f'rtm_{key}_sd')} points for the {get_instrument(key).abbreviation}"
        if has_sd[key]
        else _md(f"none for the {get_instrument(key).abbreviation}: {words[key].note}")
        for key in ("piq", "pseq")
    )


def rtm_bullet(instrument: str, words: RtmWords, *, long: bool) -> str:
    """What regression to the mean alone would produce for one instrument, or why it cannot be estimated."""
    name = get_instrument(instrument).abbreviation
    if not _fitted(words):
        return _md(f"For the {name}, regression to the mean cannot be estimated from this cohort: {words.note}.")
    role = {field: _role(f"rtm_{instrument}_{field}") for field in ("expected", "observed", "share", "low", "high")}
    responders = _role(f"rtm_{instrument}_responders")
    improved = not str(words.share).startswith("not defined")
    about = f"about {role['share']}" if improved else "no improvement for it to explain"
    if long:
        return (
            f"{name}: {role['expected']} points expected with no effect, against {role['observed']} observed "
            f"({about}). With no effect, a cohort of this size would show a mean improvement between {role['low']} "
            f"and {role['high']} points 95% of the time, and {responders}% of its members would cross the responder "
            "threshold by chance."
        )
    return (
        f"{name}: {role['expected']} points against {role['observed']} ({about}); with no effect, a mean between "
        f"{role['low']} and {role['high']}, and {responders}% crossing the threshold by chance."
    )


def rtm_at_60(instrument: str, words: RtmWords) -> str:
    """The expected improvement at reliability 0.60 against the observed one, or why there is none."""
    if not _fitted(words):
        name = get_instrument(instrument).abbreviation
        return _md(f"For the {name}, regression to the mean cannot be estimated from this cohort: {words.note}.")
    return (
        f"At a reliability of {_role(f'rtm_{instrument}_reliability_60')} the expected improvement from regression "
        f"to the mean is {_role(f'rtm_{instrument}_at_60')} points, against an observed "
        f"{_role(f'rtm_{instrument}_observed')}."
    )


def rtm_share(words: dict[str, RtmWords]) -> str:
    """``it accounts for about 14% of the PIQ improvement and 9% of the PSEQ improvement``, or what it can say."""
    shares = {key: _fitted(entry) and not str(entry.share).startswith("not defined") for key, entry in words.items()}
    if all(shares.values()):
        return (
            f"it accounts for about {_role('rtm_piq_share')} of the PIQ improvement and {_role('rtm_pseq_share')} "
            "of the PSEQ improvement"
        )
    parts = []
    for key in ("piq", "pseq"):
        name, entry = get_instrument(key).abbreviation, words[key]
        if shares[key]:
            parts.append(f"it accounts for about {_role(f'rtm_{key}_share')} of the {name} improvement")
        elif entry.note:
            parts.append(_md(f"for the {name} it cannot be estimated ({entry.note})"))
        else:
            parts.append(f"the {name} shows no improvement for it to account for")
    return "; ".join(parts)


def rtm_joint(words: dict[str, JointRtmWords]) -> str:
    """What regression to the mean alone would give with selection on both questionnaires, or why it cannot be said."""
    piq, pseq = words["piq"], words["pseq"]
    if piq.note or pseq.note:
        return _md(
            f"With selection on both questionnaires it cannot be estimated from this cohort: {piq.note or pseq.note}."
        )
    role = {f"{key}_{field}": _role(f"rtm_joint_{key}_{field}") for key in words for field in ("expected", "share")}

    def share(key: str) -> str:
        if str(words[key].share).startswith("not defined"):
            return f"with no observed {get_instrument(key).abbreviation} improvement to explain"
        return f"about {role[f'{key}_share']} of the observed"

    return (
        f"Regression to the mean alone would then give {role['piq_expected']} points of PIQ improvement "
        f"({share('piq')}) and {role['pseq_expected']} points of PSEQ improvement ({share('pseq')})."
    )


def noise_sentence(study: Study, words: dict[str, NoiseWords]) -> str:
    """What the stage 1 → 2 changes say about measurement noise: the bound on own data, or why the book shows none."""
    if study.provenance.is_reconstruction:
        return "On the reconstruction the changes during education cannot bound the noise: they come from a prior."
    parts = []
    for key, said in words.items():
        name = get_instrument(key).abbreviation
        if said.note and said.reliability_min.startswith("not computable"):
            parts.append(_md(f"for the {name} no bound can be given ({said.note})"))
        elif said.note:
            parts.append(_md(f"for the {name} they bound nothing useful ({said.note})"))
        else:
            parts.append(
                f"for the {name} a test–retest reliability of at least {_role(f'noise_{key}_reliability_min')} "
                f"({_role(f'noise_{key}_reliability_min_lower')} allowing for the sample's size)"
            )
    return (
        "On this cohort the changes during education bound the measurement noise, after correcting for the "
        f"selection on those same changes: {'; '.join(parts)}."
    )
