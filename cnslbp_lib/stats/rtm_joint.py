"""Regression to the mean when the study's rule selects on both instruments, and at a flare.

The study's rule selects on *both* the PIQ and the PSEQ, whose errors at one
sitting may correlate (a bad day shows on both), and people may also be more
likely to enter when their stage 2 score is unusually bad (referral at a
flare). The one-instrument model of :mod:`cnslbp_lib.stats.rtm` is the special
case with uncorrelated errors and no flare selection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from .core import DEFAULT_SEED
from .rtm import MIN_SIMULATED_COHORTS, _error_sd

__all__ = [
    "JointNullImprovement",
    "expected_joint_null_improvement",
    "simulate_joint_null_improvement",
]


def _pair(value: float | ArrayLike, name: str) -> tuple[float, float]:
    array = np.asarray(value, dtype=float)
    if array.shape not in ((), (1,), (2,)) or not np.isfinite(array).all():
        raise ValueError(f"{name} must be one finite number or two (one per instrument); got {value!r}")
    first, second = np.broadcast_to(array, (2,))
    return float(first), float(second)


def _check_joint(error_correlation: float, flare_strength: float) -> None:
    if not -1 < error_correlation < 1:
        raise ValueError(f"error_correlation must lie strictly between -1 and 1; got {error_correlation!r}")
    if not 0 <= flare_strength < np.inf:
        raise ValueError(f"flare_strength must be 0 or more; got {flare_strength!r}")


@dataclass(frozen=True)
class JointNullImprovement:
    """Regression to the mean with selection on two instruments, in closed form.

    ``expected`` holds the expected stage 2 → 3 improvement of each
    instrument with no effect (points, positive = better); ``selected_share``
    is the share of the (referred) population that meets the non-response
    rule; ``flare_shift`` is the mean stage 2 measurement error that
    selection at a flare gives each instrument among those referred (points,
    negative = worse; 0 without it).
    """

    expected: tuple[float, float]
    selected_share: float
    flare_shift: tuple[float, float]
    reliability: tuple[float, float]
    threshold: tuple[float, float]
    sd: tuple[float, float]
    error_correlation: float
    flare_strength: float


def expected_joint_null_improvement(
    reliability: float | ArrayLike,
    threshold: ArrayLike,
    sd: ArrayLike,
    *,
    error_correlation: float = 0.0,
    flare_strength: float = 0.0,
) -> JointNullImprovement:
    """Expected stage 2 → 3 improvement with no effect, selecting on two instruments at once.

    Parameters
    ----------
    reliability : float or pair of floats
        Test–retest reliability of each instrument, in (0, 1); one number
        applies to both.
    threshold : pair of floats
        Improvement (points) that counts as a response to education, per
        instrument; people below *both* were selected.
    sd : pair of floats
        Between-person SD of observed scores (points), per instrument.
    error_correlation : float
        Correlation between the two instruments' measurement errors at the
        same sitting, in improvement units (positive: a bad day looks bad on
        both), in (−1, 1).
    flare_strength : float
        λ ≥ 0, the strength of selection at a flare: a person whose stage 2
        measurement is one SD worse than their usual level (on the flare
        index below) is :math:`e^{\\lambda}` times as likely to be referred. 0
        means no such selection.

    Returns
    -------
    JointNullImprovement
        ``expected`` (points, one per instrument), ``selected_share``,
        ``flare_shift`` and the parameters.

    Notes
    -----
    **Model.** For instrument :math:`k \\in \\{1, 2\\}`, in improvement units,
    the score at stage :math:`s` is :math:`X_{ks} = T_k + e_{ks}`: a stable
    true score and an error :math:`e_{ks} \\sim N(0, \\sigma_k^2)` with
    :math:`\\sigma_k = \\mathrm{sd}_k\\sqrt{1-\\rho_k}`, independent between
    stages, correlated :math:`r` between instruments within a stage. Nothing
    changes truly, so every change is a difference of errors and the true
    scores cancel. The education changes are
    :math:`D_k = e_{k2} - e_{k1}`, and the rule selects
    :math:`D_1 < t_1` and :math:`D_2 < t_2`.

    **Selection at a flare.** The flare index is the standardised stage 2
    error, :math:`h = (e_{12}/\\sigma_1 + e_{22}/\\sigma_2)/(2s)` with
    :math:`s = \\sqrt{(1+r)/2}`, so :math:`h \\sim N(0,1)` and :math:`h < 0`
    means worse than usual. Referral has relative propensity
    :math:`\\exp(-\\lambda h)`. Weighting a normal vector :math:`z` by
    :math:`\\exp(-\\lambda a^\\top z)` gives again a normal vector with the same
    covariance and its mean moved by :math:`-\\lambda\\,\\mathrm{Cov}(z, a^\\top z)`
    (complete the square in the exponent). Only the stage 2 errors correlate
    with :math:`h`, :math:`\\mathrm{Cov}(e_{k2}, h) = \\sigma_k s`, so among
    those referred :math:`E[e_{k2}] = \\mu_k = -\\lambda \\sigma_k s`
    (``flare_shift``) and everything else is unchanged.

    **Regression.** :math:`e_{\\cdot 2}` and :math:`e_{\\cdot 1}` have the same
    covariance :math:`C`, so :math:`\\mathrm{Cov}(e_{\\cdot 2}, D) = C` and
    :math:`\\mathrm{Var}(D) = 2C`, and the regression of the stage 2 errors on
    the changes is

    .. math:: E[e_{k2} \\mid D] = \\mu_k + \\tfrac12 (D_k - \\mu_k) = \\tfrac12 (D_k + \\mu_k).

    The stage 3 error is independent of the selection and has mean 0, so the
    expected improvement after selection :math:`A` is

    .. math:: E[e_{k3} - e_{k2} \\mid A] = -\\tfrac12 \\bigl(E[D_k \\mid A] + \\mu_k\\bigr).

    **Truncated bivariate normal.** :math:`D \\sim N(\\mu, \\Sigma)` with
    :math:`\\Sigma_{kk} = 2\\sigma_k^2`, :math:`\\Sigma_{12} = 2r\\sigma_1\\sigma_2`
    (so :math:`D_1, D_2` correlate :math:`r`). With :math:`b = t - \\mu`,
    :math:`\\omega_k = \\sqrt{\\Sigma_{kk}}` and :math:`\\beta_k = b_k/\\omega_k`,
    Tallis's (1961) formula for the mean of a normal vector truncated above gives

    .. math:: E[D_k \\mid A] = \\mu_k - \\frac{\\Sigma_{k1} F_1 + \\Sigma_{k2} F_2}{P},
              \\qquad F_j = \\frac{\\varphi(\\beta_j)}{\\omega_j}
              \\Phi\\!\\left(\\frac{\\beta_{j'} - r\\beta_j}{\\sqrt{1-r^2}}\\right),

    where :math:`j'` is the other instrument and
    :math:`P = \\Phi_2(\\beta_1, \\beta_2; r)` is the selected share, a
    bivariate normal probability computed by numerical integration (Genz's
    algorithm in ``scipy.stats.multivariate_normal``, accurate to about
    :math:`10^{-15}` in two dimensions and deterministic).

    **Special cases.** With :math:`r = 0` and :math:`\\lambda = 0` the two
    selections are independent and each instrument's expectation is
    :func:`expected_null_improvement`'s. With :math:`r > 0` a bad stage 2 on
    one instrument makes the other's non-response likelier too; a positively
    correlated bivariate normal is positively dependent, so requiring both
    changes to be low never raises either one's conditional mean, and
    regression to the mean is at least the one-instrument amount. It is not
    monotone in :math:`r`, though: as :math:`r \\to 1` the two standardised
    changes coincide, only the stricter standardised cut
    :math:`\\min_k t_k/\\omega_k` selects, and the instrument that owns that
    cut falls back to its one-instrument value. The expectation rises with
    :math:`\\lambda` for every :math:`r`. With no selection on the changes
    (:math:`t \\to \\infty`) the improvement is
    :math:`-\\mu_k = \\lambda\\sigma_k s`: the flare simply passes.

    References
    ----------
    Barnett AG, van der Pols JC, Dobson AJ. Regression to the mean: what it is
    and how to deal with it. Int J Epidemiol 2005;34(1):215–220.

    Tallis GM. The moment generating function of the truncated multi-normal
    distribution. J R Stat Soc Series B 1961;23(1):223–229.

    Examples
    --------
    >>> from cnslbp_lib.stats.rtm import expected_null_improvement
    >>> single = float(expected_null_improvement(0.75, 7, 8.0))
    >>> joint = expected_joint_null_improvement(0.75, (7, 11), (8.0, 12.0))
    >>> round(joint.expected[0], 6) == round(single, 6)  # uncorrelated, no flare: as for one instrument
    True
    >>> correlated = expected_joint_null_improvement(0.75, (7, 11), (8.0, 12.0), error_correlation=0.5)
    >>> correlated.expected[0] > single
    True
    """
    first_reliability, second_reliability = _pair(reliability, "reliability")
    thresholds = _pair(threshold, "threshold")
    sds = _pair(sd, "sd")
    _check_joint(error_correlation, flare_strength)
    sigma = np.array([float(_error_sd(sds[0], first_reliability)), float(_error_sd(sds[1], second_reliability))])
    r = error_correlation
    shift = -flare_strength * sigma * np.sqrt((1 + r) / 2)
    omega = sigma * np.sqrt(2)
    covariance = 2 * np.array([[sigma[0] ** 2, r * sigma[0] * sigma[1]], [r * sigma[0] * sigma[1], sigma[1] ** 2]])
    beta = (np.array(thresholds) - shift) / omega
    conditional = np.sqrt(1 - r**2)
    density = np.array(
        [
            stats.norm.pdf(beta[0]) / omega[0] * stats.norm.cdf((beta[1] - r * beta[0]) / conditional),
            stats.norm.pdf(beta[1]) / omega[1] * stats.norm.cdf((beta[0] - r * beta[1]) / conditional),
        ]
    )
    share = float(stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]]).cdf(beta))
    mean_change = shift - covariance @ density / share
    expected = -(mean_change + shift) / 2
    return JointNullImprovement(
        expected=(float(expected[0]), float(expected[1])),
        selected_share=share,
        flare_shift=(float(shift[0]), float(shift[1])),
        reliability=(first_reliability, second_reliability),
        threshold=thresholds,
        sd=sds,
        error_correlation=float(r),
        flare_strength=float(flare_strength),
    )


def simulate_joint_null_improvement(
    reliabilities: ArrayLike,
    thresholds: ArrayLike,
    sds: ArrayLike,
    *,
    error_correlations: ArrayLike = (0.0,),
    flare_strengths: ArrayLike = (0.0,),
    names: tuple[str, str] = ("first", "second"),
    cohort_size: int = 14,
    people: int = 400_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Simulate the study with no effect, selecting on both instruments, for every combination of the grids.

    Parameters
    ----------
    reliabilities : array_like
        Reliabilities to try (each applies to both instruments).
    thresholds, sds : pair of floats
        Per instrument, as in :func:`expected_joint_null_improvement`.
    error_correlations, flare_strengths : array_like
        Values of :math:`r` and :math:`\\lambda` to try.
    names : pair of str
        Labels of the two instruments in the ``instrument`` column.
    cohort_size : int
        Size of the simulated cohorts whose mean improvement gives
        ``cohort_low`` and ``cohort_high``.
    people, seed : int
        Size of the simulated population and the seed of its draws.

    Returns
    -------
    pandas.DataFrame
        One row per combination and instrument: ``reliability``,
        ``error_correlation``, ``flare_strength``, ``instrument``,
        ``selected_pct`` (share who would enter), ``mean_improvement``
        (among them, stage 2 → 3, points), ``cohort_low`` and ``cohort_high``
        (2.5th and 97.5th percentiles of a cohort's mean improvement; from the
        normal approximation when fewer than :data:`MIN_SIMULATED_COHORTS`
        cohorts fit, as in :func:`simulate_null_improvement`),
        ``responder_pct`` (share crossing the instrument's threshold by
        chance) and ``expected`` (closed form,
        :func:`expected_joint_null_improvement`).

    Notes
    -----
    Common random numbers: one set of standard normal draws serves every
    combination. The errors of the second instrument are
    :math:`r z_1 + \\sqrt{1-r^2}\\,z_2` for the first instrument's standardised
    error :math:`z_1` and an independent :math:`z_2`, so changing
    :math:`r`, :math:`\\lambda` or the reliability moves each simulated person
    smoothly and differences between combinations are not noise. Selection
    at a flare is drawn as the shift of the stage 2 errors that it is
    exactly equivalent to (:func:`expected_joint_null_improvement`, Notes);
    the tests check that equivalence against importance weighting by
    :math:`\\exp(-\\lambda h)`.
    """
    if people < cohort_size:
        raise ValueError(f"people must be at least cohort_size ({cohort_size}); got {people!r}")
    threshold_pair = np.array(_pair(thresholds, "thresholds"))
    sd_pair = np.array(_pair(sds, "sds"))
    rng = np.random.default_rng(seed)
    # errors in SD units: [instrument][stage 1, 2, 3]; the second instrument's own part is mixed in below
    first = rng.standard_normal((3, people))
    own = rng.standard_normal((3, people))
    rows = []
    for r in np.asarray(error_correlations, dtype=float).ravel():
        second = r * first + np.sqrt(max(1 - r**2, 0.0)) * own
        for strength in np.asarray(flare_strengths, dtype=float).ravel():
            _check_joint(float(r), float(strength))
            shift = strength * np.sqrt((1 + r) / 2)  # in error-SD units, towards worse
            education = np.stack([first[1] - shift - first[0], second[1] - shift - second[0]])
            later = np.stack([first[2] - first[1] + shift, second[2] - second[1] + shift])
            for reliability in np.asarray(reliabilities, dtype=float).ravel():
                error_sd = np.array([float(_error_sd(value, reliability)) for value in sd_pair])
                selected = np.all(education * error_sd[:, np.newaxis] < threshold_pair[:, np.newaxis], axis=0)
                improvement = later[:, selected] * error_sd[:, np.newaxis]
                cohorts = improvement.shape[1] // cohort_size
                closed = expected_joint_null_improvement(
                    reliability, threshold_pair, sd_pair, error_correlation=float(r), flare_strength=float(strength)
                )
                for index, name in enumerate(names):
                    values = improvement[index]
                    if cohorts >= MIN_SIMULATED_COHORTS:
                        means = values[: cohorts * cohort_size].reshape(cohorts, cohort_size).mean(axis=1)
                        low, high = np.quantile(means, [0.025, 0.975])
                    elif values.size > 1:
                        half_width = stats.norm.ppf(0.975) * values.std(ddof=1) / np.sqrt(cohort_size)
                        low, high = values.mean() - half_width, values.mean() + half_width
                    else:
                        low = high = np.nan
                    rows.append(
                        {
                            "reliability": round(float(reliability), 4),
                            "error_correlation": round(float(r), 4),
                            "flare_strength": round(float(strength), 4),
                            "instrument": name,
                            "selected_pct": 100 * values.size / people,
                            "mean_improvement": float(values.mean()) if values.size else np.nan,
                            "cohort_low": float(low),
                            "cohort_high": float(high),
                            "responder_pct": 100 * float((values >= threshold_pair[index]).mean())
                            if values.size
                            else np.nan,
                            "expected": closed.expected[index],
                        }
                    )
    return pd.DataFrame(rows)
