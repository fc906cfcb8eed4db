"""How noisy the measurements can be, from a real cohort's stage 1 → 2 changes.

Turns the changes during education into an upper bound on the measurement-error
SD, and so a lower bound on reliability, to set beside the reliability the
regression-to-the-mean models assume (:mod:`cnslbp_lib.stats.rtm`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from ..data.instruments import BASELINE_STAGE, PRE_EDUCATION_STAGE, get_instrument
from ..exceptions import NotEnoughDataError
from .change import stage_change
from .flow import stage_summary

__all__ = [
    "NoiseBound",
    "noise_bound",
    "noise_bound_from_changes",
]


@dataclass(frozen=True)
class NoiseBound:
    """The measurement-error SD that a cohort's stage 1 → 2 changes allow at most, and the reliability that implies.

    ``n``; ``sd_changes`` (SD of the changes, n − 1); ``sd_unselected``
    (the SD the changes would have had before selection: ``sd_changes``
    corrected for truncation when ``selected_below`` is given, otherwise
    ``sd_changes``); ``error_sd_max`` (:math:`\\mathrm{sd\\_unselected}/\\sqrt2`)
    and ``error_sd_max_upper`` (the same from a one-sided upper confidence
    limit of the SD); ``sd_between`` (between-person SD of scores);
    ``reliability_min`` and ``reliability_min_lower`` (the reliabilities those
    two error SDs imply, floored at 0); ``confidence``; ``selected_below``;
    ``note`` (why a bound is uninformative, if it is).
    """

    n: int
    sd_changes: float
    sd_unselected: float
    error_sd_max: float
    error_sd_max_upper: float
    sd_between: float
    reliability_min: float
    reliability_min_lower: float
    confidence: float
    selected_below: float | None
    note: str = ""


def _truncated_sd(mean: float, sd: float, cut: float) -> float:
    """The SD before truncation of a normal sample seen only below ``cut`` (method of moments)."""
    distance = cut - mean
    ratio = sd**2 / distance**2

    def excess(beta: float) -> float:
        hazard = float(np.exp(stats.norm.logpdf(beta) - special.log_ndtr(beta)))
        return (1 - beta * hazard - hazard**2) / (beta + hazard) ** 2 - ratio

    # excess falls from 1 − ratio (β → −∞, an exponential tail) to −ratio (β → ∞, no truncation)
    beta = float(optimize.brentq(excess, -30.0, 1e6 if ratio < 1e-12 else 60.0))
    hazard = float(np.exp(stats.norm.logpdf(beta) - special.log_ndtr(beta)))
    return distance / (beta + hazard)


def noise_bound_from_changes(
    changes: ArrayLike,
    sd_between: float,
    *,
    selected_below: float | None = None,
    confidence: float = 0.95,
) -> NoiseBound:
    """Upper bound on the measurement-error SD, and lower bound on reliability, from repeated measurements.

    Parameters
    ----------
    changes : array_like
        Each person's change between two measurements (stage 1 → 2), in
        improvement units (positive = better) when ``selected_below`` is given.
    sd_between : float
        Between-person SD of observed scores (e.g. at stage 2). With 0 the
        reliabilities are NaN and ``note`` says why.
    selected_below : float, optional
        If the people were *selected* because their change fell below this
        value (as non-responders were), the SD of the changes before that
        selection is estimated first (see Notes). Every change must lie below it.
    confidence : float
        Level of the one-sided confidence limit in ``error_sd_max_upper``.

    Returns
    -------
    NoiseBound

    Notes
    -----
    **The bound.** A change between two measurements is
    :math:`D = \\Delta T + e_2 - e_1`, a true change plus two independent
    errors of SD :math:`\\sigma_e`, so

    .. math:: \\operatorname{Var}(D) = \\operatorname{Var}(\\Delta T) + 2\\sigma_e^2 \\ge 2\\sigma_e^2,
              \\qquad \\sigma_e \\le \\mathrm{SD}(D)/\\sqrt 2,

    with equality when nobody truly changed. Reliability is the share of the
    between-person variance that is not error,
    :math:`\\rho = 1 - \\sigma_e^2/\\mathrm{sd}_{between}^2`, so

    .. math:: \\rho \\ge 1 - \\frac{\\mathrm{SD}(D)^2}{2\\,\\mathrm{sd}_{between}^2}.

    The bound is an *estimate* from n changes: ``error_sd_max_upper`` uses
    instead the one-sided upper confidence limit
    :math:`\\mathrm{SD}(D)\\sqrt{(n-1)/\\chi^2_{1-c,\\,n-1}}` (normal changes),
    which with 14 people is about 1.5 times the estimate.

    **Selected cohorts.** Selecting people because their change fell below
    :math:`c` cuts off the upper tail of the changes, so the selected
    changes vary *less* than the changes did, and the plain bound would be
    too tight (too small an error SD, too high a reliability). If the
    changes were normal, :math:`N(\\mu, \\omega^2)`, before selection, the
    selected ones follow a normal truncated above at :math:`c`; with
    :math:`\\beta = (c-\\mu)/\\omega` and :math:`\\eta = \\varphi(\\beta)/\\Phi(\\beta)`,

    .. math:: c - E[D \\mid D<c] = \\omega(\\beta + \\eta), \\qquad
              \\operatorname{Var}(D \\mid D<c) = \\omega^2(1 - \\beta\\eta - \\eta^2),

    so the sample's :math:`\\mathrm{SD}^2/(c - \\bar D)^2` fixes :math:`\\beta`
    (the ratio falls from 1 to 0 as :math:`\\beta` rises) and then
    :math:`\\omega`, which replaces :math:`\\mathrm{SD}(D)` above. A ratio of 1
    or more (changes spread as widely as an exponential tail) is consistent
    with any :math:`\\omega`: then nothing is bounded. The correction assumes
    normal changes and selection on this change alone; the study also
    selected on the other instrument, which narrows these changes a little
    more when the errors correlate, so even the corrected bound may be
    slightly too tight. The confidence limit treats the correction as exact.

    References
    ----------
    Johnson NL, Kotz S, Balakrishnan N. Continuous Univariate Distributions,
    vol. 1, 2nd ed. Wiley; 1994 (the truncated normal's moments).

    Examples
    --------
    >>> bound = noise_bound_from_changes([-6, 2, 0, 4, -3, 1, 5, -2, 3, 0], sd_between=10.0)
    >>> round(bound.error_sd_max, 2), round(bound.reliability_min, 3)
    (2.39, 0.943)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
    values = np.asarray(changes, dtype=float)
    if values.ndim != 1 or not np.isfinite(values).all():
        raise ValueError("changes must be one-dimensional and hold finite numbers only")
    if not sd_between >= 0:
        raise ValueError(f"sd_between must be 0 or more; got {sd_between!r}")
    n = values.size
    if n < 3:
        raise NotEnoughDataError("A noise bound", needed=3, available=n)
    sd_changes = float(values.std(ddof=1))
    note = ""
    sd_unselected = sd_changes
    if selected_below is not None:
        above = int(np.count_nonzero(values >= selected_below))
        if above:
            raise ValueError(
                f"selected_below must exceed every change; {above} of {n} changes are at or above {selected_below!r}"
            )
        ratio = sd_changes**2 / (selected_below - values.mean()) ** 2
        if ratio >= 1:
            sd_unselected = float("inf")
            note = (
                "the selected changes spread as widely as their distance from the cut allows, so the SD before "
                "selection is not bounded"
            )
        elif sd_changes > 0:
            sd_unselected = _truncated_sd(float(values.mean()), sd_changes, float(selected_below))
    inflate = np.sqrt((n - 1) / stats.chi2.ppf(1 - confidence, n - 1))
    error_sd_max = sd_unselected / np.sqrt(2)
    error_sd_max_upper = error_sd_max * inflate

    def reliability_floor(error_sd: float) -> float:
        if sd_between == 0:
            return float("nan")
        return float(max(0.0, 1 - error_sd**2 / sd_between**2)) if np.isfinite(error_sd) else 0.0

    reliability_min = reliability_floor(error_sd_max)
    if sd_between == 0:
        note = "the scores do not vary between people, so reliability is not defined"
    elif not note and reliability_min == 0.0:
        note = "the changes vary as much as the scores do between people, so no reliability above 0 is implied"
    return NoiseBound(
        n=n,
        sd_changes=sd_changes,
        sd_unselected=float(sd_unselected),
        error_sd_max=float(error_sd_max),
        error_sd_max_upper=float(error_sd_max_upper),
        sd_between=float(sd_between),
        reliability_min=reliability_min,
        reliability_min_lower=reliability_floor(float(error_sd_max_upper)),
        confidence=confidence,
        selected_below=selected_below,
        note=note,
    )


def noise_bound(
    data: pd.DataFrame,
    instrument: str,
    *,
    selected: bool = True,
    confidence: float = 0.95,
) -> NoiseBound:
    """The noise bound that a cohort's own stage 1 → 2 changes imply for one instrument.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy cohort frame (``Cohort.data``) with stages 1 and 2.
    instrument : str
        Registry key, e.g. ``"piq"``.
    selected : bool
        True (the default) when the cohort was selected by the non-response
        rule, as this study's was: the changes are then corrected for the
        selection before the bound is taken (see
        :func:`noise_bound_from_changes`). The cut is the registry threshold
        minus half a point: whole-number changes below a threshold of T
        points are at most T − 1, i.e. below T − ½ before rounding.
    confidence : float
        Level of the one-sided confidence limit.

    Returns
    -------
    NoiseBound
        With ``sd_between`` the instrument's stage 2 SD.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 stage 2 scores, or fewer than 3 participants with
        both stage 1 and stage 2 scores.

    Notes
    -----
    On the book's reconstructed dataset the stage 1 scores come from a prior,
    not from the abstract, so this bound describes the prior. On a real
    cohort it is the data's own answer to "how noisy can this questionnaire
    be here?", to set beside the reliability assumed for regression to the mean.
    """
    entry = get_instrument(instrument)
    baseline = stage_summary(data, stage=BASELINE_STAGE).set_index("instrument").loc[instrument]
    if baseline["n"] < 2:
        raise NotEnoughDataError("A noise bound", needed=2, available=int(baseline["n"]), unit="stage 2 scores")
    change = stage_change(data, instrument, from_stage=PRE_EDUCATION_STAGE, to_stage=BASELINE_STAGE)
    improvements = change.change_values * entry.improvement_sign
    sd_between = float(baseline["sd"])
    cut = entry.threshold - 0.5 if selected else None
    if cut is not None and np.any(improvements >= cut):
        raise ValueError(
            f"selected=True needs every {entry.abbreviation} stage 1 → 2 improvement below {cut:g} "
            "(the non-response rule); this cohort has some at or above it, so pass selected=False"
        )
    return noise_bound_from_changes(improvements, sd_between, selected_below=cut, confidence=confidence)
