"""Bootstrap intervals of a mean change: percentile and BCa, from one set of seeded draws.

Part of the statistics core (:mod:`cnslbp_lib.stats.core`): arrays in, a frozen
result out. The batch version for many datasets at once is
:func:`cnslbp_lib.stats.batch_resampling.bootstrap_ci_batch`, equal member by member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from .core import DEFAULT_SEED, check_confidence, paired_differences, require

__all__ = ["BootstrapInterval", "bca_limits", "bootstrap_mean_change"]


@dataclass(frozen=True)
class BootstrapInterval:
    """A seeded bootstrap interval of the mean change, percentile or BCa.

    ``note`` is empty unless a limit is NaN, and then says why.
    """

    n: int
    mean_change: float
    ci_low: float
    ci_high: float
    n_resamples: int
    seed: int
    method: Literal["percentile", "bca"] = "percentile"
    note: str = ""


def bca_limits(
    means: np.ndarray,
    observed: np.ndarray,
    acceleration: np.ndarray,
    tail: float,
    *,
    ties_within: float | np.ndarray = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """BCa limits from bootstrap means, one row per dataset (Efron & Tibshirani 1993, 14.3).

    Parameters
    ----------
    means : numpy.ndarray, shape (datasets, resamples)
        Bootstrap means.
    observed : numpy.ndarray, shape (datasets,)
        The observed mean of each dataset, computed the way ``means`` are
        (so that a resample equal to the sample compares as equal).
    acceleration : numpy.ndarray, shape (datasets,)
        The jackknife acceleration :math:`\\hat a` of each dataset.
    tail : float
        ``(1 − confidence) / 2``.
    ties_within : float or numpy.ndarray, shape (datasets,)
        A bootstrap mean this close to the observed mean counts as equal to
        it (see Notes); 0 compares exactly.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits, NaN for a dataset whose bias correction is
        infinite (no bootstrap mean on one side of the observed mean).

    Notes
    -----
    The formulas are in :func:`bootstrap_mean_change`. Quantiles interpolate
    linearly between order statistics, as ``np.quantile`` does by default.

    Many resamples have a mean mathematically equal to the observed one (any
    resample whose counts give the same sum). With whole numbers every such
    sum is exact; with decimals the same sum reached in a different order can
    differ in its last bits, and an exact comparison would then count a tie
    as "below" or "above" depending on rounding, moving :math:`\\hat z_0`.
    ``ties_within`` absorbs that rounding; :func:`bootstrap_mean_change`
    sets it far below the smallest gap between two different means.
    """
    resamples = means.shape[1]
    gap = means - observed[:, np.newaxis]
    tied = np.abs(gap) <= np.broadcast_to(np.asarray(ties_within, dtype=float), observed.shape)[:, np.newaxis]
    below = 2 * np.count_nonzero((gap < 0) & ~tied, axis=1) + np.count_nonzero(tied, axis=1)
    z0 = special.ndtri(below / (2 * resamples))
    z_tail = special.ndtri(np.array([tail, 1 - tail]))
    shifted = z0[:, np.newaxis] + z_tail
    with np.errstate(invalid="ignore", divide="ignore"):
        levels = special.ndtr(z0[:, np.newaxis] + shifted / (1 - acceleration[:, np.newaxis] * shifted))
    finite = np.isfinite(levels)
    position = (resamples - 1) * np.where(finite, levels, 0.0)
    lower = np.floor(position).astype(np.intp)
    upper = np.minimum(lower + 1, resamples - 1)
    ordered = np.sort(means, axis=1)
    left = np.take_along_axis(ordered, lower, axis=1)
    right = np.take_along_axis(ordered, upper, axis=1)
    limits = np.where(finite, left + (right - left) * (position - lower), np.nan)
    return limits[:, 0], limits[:, 1]


def bootstrap_mean_change(
    before: ArrayLike,
    after: ArrayLike,
    *,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
    method: Literal["percentile", "bca"] = "percentile",
) -> BootstrapInterval:
    """Seeded bootstrap confidence interval of the mean of ``after − before``: percentile or BCa.

    Parameters
    ----------
    before, after : array_like
        Paired scores, one pair per participant, no missing values.
    confidence : float
        Confidence level of the interval.
    n_resamples : int
        Bootstrap resamples (at least 100).
    seed : int
        Seed of the generator that draws the resamples.
    method : {"percentile", "bca"}
        Percentile interval, or bias-corrected and accelerated (BCa) interval.
        Both use the same resamples, so with the same seed the percentile
        interval is unchanged by the existence of this option.

    Returns
    -------
    BootstrapInterval
        ``n``, ``mean_change``, ``ci_low``, ``ci_high``, ``n_resamples``,
        ``seed``, ``method`` and ``note`` (why a limit is NaN).

    Notes
    -----
    **Resampling.** Resampling n participants with replacement only changes
    how many times each distinct change value :math:`v_j` is drawn, and those
    counts :math:`N_j` follow a multinomial distribution with the observed
    frequencies :math:`c_j/n`. Drawing the counts directly gives exactly the
    ordinary bootstrap distribution of the mean,
    :math:`\\bar d^* = \\sum_j N_j v_j / n`, at a cost that depends on the number
    of distinct values, not on n.

    **Percentile.** The limits are the :math:`(1-c)/2` and :math:`(1+c)/2`
    quantiles (linear interpolation) of the :math:`B` bootstrap means.

    **BCa** (Efron & Tibshirani 1993, ch. 14) corrects the percentile
    interval for the bootstrap distribution's median bias and for skewness.
    With :math:`\\hat\\theta` the observed mean, the bias correction is

    .. math:: \\hat z_0 = \\Phi^{-1}\\left(\\frac{\\#\\{\\bar d^* < \\hat\\theta\\}
              + \\#\\{\\bar d^* \\le \\hat\\theta\\}}{2B}\\right),

    ties counted as half (as ``scipy.stats.bootstrap`` counts them: with
    whole-number scores a resampled mean often equals the observed one; a
    mean within rounding error of the observed one counts as a tie, see
    :func:`bca_limits`). The
    acceleration, from the jackknife means
    :math:`\\hat\\theta_{(i)}`, is for the mean

    .. math:: \\hat a = \\frac{\\sum_i (\\hat\\theta_{(\\cdot)} - \\hat\\theta_{(i)})^3}
              {6\\,[\\sum_i (\\hat\\theta_{(\\cdot)} - \\hat\\theta_{(i)})^2]^{3/2}}
              = \\frac{\\sum_i (d_i - \\bar d)^3}{6\\,[\\sum_i (d_i - \\bar d)^2]^{3/2}},

    because :math:`\\hat\\theta_{(\\cdot)} - \\hat\\theta_{(i)} = (d_i - \\bar d)/(n-1)`.
    The limits are the bootstrap quantiles at the levels

    .. math:: \\alpha_{1,2} = \\Phi\\left(\\hat z_0 + \\frac{\\hat z_0 + z_{(1\\mp c)/2}}
              {1 - \\hat a(\\hat z_0 + z_{(1\\mp c)/2})}\\right).

    With :math:`\\hat z_0 = \\hat a = 0` these are the percentile levels. When
    every change is equal, every resample has the same mean and the interval
    has zero width there, for both methods. The ensemble version,
    :func:`cnslbp_lib.stats.batch_resampling.bootstrap_ci_batch`, draws the
    same counts with the same seed and gives each member exactly this
    function's interval when the changes are whole numbers.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 pairs.

    References
    ----------
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993.

    Examples
    --------
    >>> before = [0] * 8
    >>> after = [-3, -3, 0, 1, 1, 1, 4, 9]
    >>> percentile = bootstrap_mean_change(before, after, n_resamples=2_000, seed=3)
    >>> bca = bootstrap_mean_change(before, after, n_resamples=2_000, seed=3, method="bca")
    >>> bca.method, bca.ci_high > percentile.ci_high  # the long upper tail pulls BCa up
    ('bca', True)
    """
    check_confidence(confidence)
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100; got {n_resamples!r}")
    if method not in ("percentile", "bca"):
        raise ValueError(f"method must be 'percentile' or 'bca'; got {method!r}")
    changes = paired_differences(before, after)
    n = changes.size
    require(n, 2, "A bootstrap interval")
    distinct, counts = np.unique(changes, return_counts=True)
    mean = float(changes.mean())
    if method == "bca" and distinct.size == 1:
        # every resample is the sample itself; the acceleration would be 0/0
        value = float(distinct[0])
        return BootstrapInterval(n, mean, value, value, n_resamples, seed, method)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, counts / n, size=n_resamples)
    means = draws @ distinct / n
    tail = (1 - confidence) / 2
    if method == "percentile":
        low, high = np.quantile(means, [tail, 1 - tail])
        return BootstrapInterval(n, mean, float(low), float(high), n_resamples, seed, method)
    # as rows of one, through the same expressions as the ensemble version, so the two agree to the last bit
    row = changes[np.newaxis, :]
    deviations = row - row.mean(axis=1, keepdims=True)
    acceleration = (deviations**3).sum(axis=1) / (6 * ((deviations**2).sum(axis=1)) ** 1.5)
    observed = (counts[np.newaxis, :] @ distinct / n)[:1]  # the observed mean as a resample equal to the sample
    # sums of n values of at most max|v| carry rounding below n·eps·max|v|; different means of whole
    # numbers (or of decimals with few places) lie at least 1/n (or 10^-places/n) apart, far beyond it
    ties_within = 4 * n * np.finfo(float).eps * float(np.abs(distinct).max())
    lows, highs = bca_limits(means[np.newaxis, :], observed, acceleration, tail, ties_within=ties_within)
    low, high = float(lows[0]), float(highs[0])
    note = ""
    if np.isnan(low) or np.isnan(high):
        note = "every bootstrap mean lies on one side of the observed mean, so the BCa bias correction is infinite"
    return BootstrapInterval(n, mean, low, high, n_resamples, seed, method, note)
