"""Batch statistics: the core's tests for thousands of datasets at once.

Every function takes 2-D arrays of shape ``(members, n)``: one row per dataset
of an ensemble (each a possible version of the study that satisfies its
abstract), one column per participant, complete data. Each returns 1-D arrays
of length ``members``, or a frozen dataclass of such arrays, and row ``i`` of
the answer is what the single-dataset function in :mod:`cnslbp_lib.stats.core`
gives for row ``i`` alone (the tests check this member by member). As in the
core, a statistic that exists but is undefined for a member's data (a t
statistic when every change is equal) is NaN for that member; a shape the
statistic cannot use at all (too few participants) raises
:class:`~cnslbp_lib.exceptions.NotEnoughDataError` for the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike
from scipy import special, stats

from .core import check_confidence, require
from .rtm import expected_null_improvement

__all__ = [
    "CorrelationBatch",
    "FloatArray",
    "IndexArray",
    "PairedTBatch",
    "StageSummaryBatch",
    "as_pair",
    "as_rows",
    "check_confidence",
    "correlation_batch",
    "holm_batch",
    "paired_t_batch",
    "paired_t_changes",
    "per_member",
    "require",
    "responder_share_batch",
    "rtm_share_batch",
    "stage_summary_batch",
]


FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]


def as_rows(values: ArrayLike, name: str) -> FloatArray:
    """``values`` as a float (members, n) array of finite numbers."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (members, participants); got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers only; every member must be complete")
    return array


def as_pair(first: ArrayLike, second: ArrayLike, names: tuple[str, str]) -> tuple[FloatArray, FloatArray]:
    one, two = as_rows(first, names[0]), as_rows(second, names[1])
    if one.shape != two.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape; got {one.shape} and {two.shape}")
    return one, two


def per_member(values: ArrayLike, members: int, name: str) -> FloatArray:
    """A scalar or a length-``members`` vector, as a float vector of length ``members``."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim > 1 or (array.ndim == 1 and array.size != members):
        raise ValueError(f"{name} must be a number or one value per member ({members}); got shape {array.shape}")
    return np.broadcast_to(array, (members,)).astype(np.float64)


# ----------------------------------------------------------------------------------------------------------------------
# 1. Paired t-test


@dataclass(frozen=True)
class PairedTBatch:
    """Paired t-tests of ``after − before``, one entry per member.

    ``n`` is the number of participants (the same for every member); the
    arrays are those of :class:`~cnslbp_lib.stats.core.PairedT`. Where a
    member's changes are all equal, ``sd_change`` is 0, the interval shrinks
    to the mean and ``t``, ``p_val`` and ``dz`` are NaN.
    """

    n: int
    mean_change: FloatArray
    sd_change: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    t: FloatArray
    p_val: FloatArray
    dz: FloatArray


def paired_t_changes(changes: FloatArray, confidence: float) -> PairedTBatch:
    members, n = changes.shape
    require(n, 2, "A paired t-test")
    mean = changes.mean(axis=1)
    sd = changes.std(axis=1, ddof=1)
    ci_low, ci_high = mean.copy(), mean.copy()
    t_stat, p_val, dz = (np.full(members, np.nan) for _ in range(3))
    varies = sd != 0
    if varies.any():
        # the same scipy call as core.paired_t, along rows: scipy reduces each row exactly as it
        # reduces a 1-D array, so every member gets core's numbers to the last bit
        result = stats.ttest_1samp(changes[varies], 0.0, axis=1)
        interval = result.confidence_interval(confidence_level=confidence)
        ci_low[varies] = interval.low
        ci_high[varies] = interval.high
        t_stat[varies] = result.statistic
        p_val[varies] = result.pvalue
        dz[varies] = mean[varies] / sd[varies]
    return PairedTBatch(n, mean, sd, ci_low, ci_high, t_stat, p_val, dz)


def paired_t_batch(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95) -> PairedTBatch:
    """Paired t-test of ``after − before`` with its t interval and Cohen's dz, for every member.

    Parameters
    ----------
    before, after : array_like, shape (members, n)
        Paired scores: one row per member, one column per participant.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    PairedTBatch
        ``mean_change``, ``sd_change`` (SD with n − 1), ``ci_low``,
        ``ci_high``, ``t``, two-sided ``p_val`` (n − 1 degrees of freedom) and
        ``dz``, each of length ``members``.

    Notes
    -----
    Per member, with changes :math:`d_i`, mean :math:`\\bar d` and SD :math:`s_d`,

    .. math:: t = \\frac{\\bar d}{s_d/\\sqrt n}, \\qquad
              \\bar d \\pm t_{n-1,\\,(1+c)/2}\\,\\frac{s_d}{\\sqrt n}, \\qquad
              d_z = \\frac{\\bar d}{s_d},

    exactly as :func:`cnslbp_lib.stats.core.paired_t`, including NaN for
    ``t``, ``p_val`` and ``dz`` (and an interval of zero width) where
    :math:`s_d = 0`.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 participants.

    Examples
    --------
    >>> result = paired_t_batch([[1, 2, 3], [1, 2, 3]], [[2, 4, 5], [2, 3, 4]])
    >>> [round(float(value), 4) for value in result.t]
    [5.0, nan]
    """
    check_confidence(confidence)
    first, second = as_pair(before, after, ("before", "after"))
    return paired_t_changes(second - first, confidence)


# ----------------------------------------------------------------------------------------------------------------------
# 2. Correlation


@dataclass(frozen=True)
class CorrelationBatch:
    """Correlation coefficients with their Fisher-z intervals and two-sided p, one entry per member."""

    method: Literal["pearson", "spearman"]
    n: int
    r: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    p_val: FloatArray


def _spearman_r(first: FloatArray, second: FloatArray) -> FloatArray:
    """Spearman's rho per row, computed as scipy.stats.spearmanr does (``np.corrcoef`` of average ranks)."""
    n = first.shape[1]
    ranked = [stats.rankdata(values, method="average", axis=1) for values in (first, second)]
    centred = [values - values.mean(axis=1, keepdims=True) for values in ranked]
    # np.cov scales the cross-products by 1/(n − 1) and np.corrcoef divides the [1, 0] element that
    # spearmanr returns by the second SD, then the first; with ranks (multiples of 1/2) every sum is
    # exact, so repeating those steps gives spearmanr's rho to the last bit
    factor = np.true_divide(1, n - 1)
    cross = (centred[0] * centred[1]).sum(axis=1) * factor
    sd_first = np.sqrt((centred[0] ** 2).sum(axis=1) * factor)
    sd_second = np.sqrt((centred[1] ** 2).sum(axis=1) * factor)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cross / sd_second / sd_first
    return np.asarray(np.clip(rho, -1.0, 1.0), dtype=np.float64)


def correlation_batch(
    x: ArrayLike,
    y: ArrayLike,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    confidence: float = 0.95,
) -> CorrelationBatch:
    """Pearson's r or Spearman's rho of ``x`` and ``y`` with a Fisher-z interval, for every member.

    Parameters
    ----------
    x, y : array_like, shape (members, n)
        Paired values, one row per member.
    method : {"pearson", "spearman"}
        Spearman's rho is Pearson's r of the average ranks (ties share the
        mean of their ranks), as in ``scipy.stats.spearmanr``.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    CorrelationBatch
        ``r``, ``ci_low``, ``ci_high`` and two-sided ``p_val``, each of length
        ``members``.

    Notes
    -----
    The interval is :math:`\\tanh(\\operatorname{atanh} r \\pm
    z_{(1+c)/2}/\\sqrt{n-3})`, NaN when n ≤ 3 or |r| = 1. The p-value is
    two-sided from :math:`t = r\\sqrt{(n-2)/(1-r^2)}` on n − 2 degrees of
    freedom; for Pearson's r it is computed as ``scipy.stats.pearsonr`` does,
    from the equivalent null distribution of r itself, Beta(n/2 − 1, n/2 − 1)
    on (−1, 1): :math:`p = 2\\,\\bar I_{(1+|r|)/2}(n/2-1, n/2-1)`. A member
    where x or y takes a single value has no correlation: its r, interval and
    p are NaN. Each member matches :func:`cnslbp_lib.stats.core.correlation`.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 participants.
    """
    check_confidence(confidence)
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method must be 'pearson' or 'spearman'; got {method!r}")
    first, second = as_pair(x, y, ("x", "y"))
    members, n = first.shape
    require(n, 3, "A correlation")
    constant = (np.ptp(first, axis=1) == 0) | (np.ptp(second, axis=1) == 0)
    r = np.full(members, np.nan)
    p_val = np.full(members, np.nan)
    varies = ~constant
    if varies.any():
        if method == "pearson":
            # scipy's own vectorised pearsonr: the code core.correlation runs, along rows
            result = stats.pearsonr(first[varies], second[varies], axis=1)
            r[varies] = result.statistic
            p_val[varies] = result.pvalue
        else:
            rho = _spearman_r(first[varies], second[varies])
            dof = n - 2
            with np.errstate(divide="ignore"):
                t_stat = rho * np.sqrt((dof / ((rho + 1.0) * (1.0 - rho))).clip(0))
            r[varies] = rho
            p_val[varies] = 2 * special.stdtr(dof, -np.abs(t_stat))
    ci_low = np.full(members, np.nan)
    ci_high = np.full(members, np.nan)
    if n > 3:
        usable = np.abs(r) < 1  # False for NaN too
        half_width = stats.norm.ppf((1 + confidence) / 2) / np.sqrt(n - 3)
        centre = np.arctanh(r[usable])
        ci_low[usable] = np.tanh(centre - half_width)
        ci_high[usable] = np.tanh(centre + half_width)
    return CorrelationBatch(method, n, r, ci_low, ci_high, p_val)


# ----------------------------------------------------------------------------------------------------------------------
# 3. Wilcoxon signed-rank test


def responder_share_batch(improvement: ArrayLike, threshold: ArrayLike, *, strict: bool = False) -> FloatArray:
    """Percentage of each member's participants whose improvement reaches the threshold.

    Parameters
    ----------
    improvement : array_like, shape (members, n)
        Signed improvement, positive = better (the change times the
        instrument's improvement sign).
    threshold : float or array_like of shape (members,)
        Improvement that counts as a response (points), one for all members
        or one per member.
    strict : bool
        Count improvement strictly above the threshold instead of at or above.

    Returns
    -------
    numpy.ndarray
        Percent (0–100), length ``members``.

    Notes
    -----
    :math:`100\\,\\#\\{i : x_i \\ge T\\}/n` (or :math:`x_i > T` when strict).

    Examples
    --------
    >>> responder_share_batch([[0, 5, 7, 9], [7, 7, 1, 2]], 7).tolist()
    [50.0, 50.0]
    >>> responder_share_batch([[0, 5, 7, 9], [7, 7, 1, 2]], 7, strict=True).tolist()
    [25.0, 0.0]
    """
    values = as_rows(improvement, "improvement")
    limit = per_member(threshold, values.shape[0], "threshold")[:, np.newaxis]
    reached = values > limit if strict else values >= limit
    return np.asarray(100 * reached.mean(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class StageSummaryBatch:
    """Effect size on the between-person scale and the two stages' correlation, one entry per member."""

    d_av: FloatArray
    r_stages: FloatArray
    sd_before: FloatArray
    sd_after: FloatArray


def stage_summary_batch(before: ArrayLike, after: ArrayLike) -> StageSummaryBatch:
    """d_av, the correlation of the two stages and their SDs, for every member.

    Parameters
    ----------
    before, after : array_like, shape (members, n)
        Scores at the two stages, one row per member.

    Returns
    -------
    StageSummaryBatch
        ``d_av``, ``r_stages``, ``sd_before`` and ``sd_after`` (SDs with
        n − 1), each of length ``members``.

    Notes
    -----
    .. math:: d_{av} = \\frac{\\overline{\\text{after} - \\text{before}}}{(s_\\text{before} + s_\\text{after})/2},

    signed as the raw change (multiply by the instrument's improvement sign
    for positive = better, as
    :func:`~cnslbp_lib.stats.sensitivity.effect_size_summary` reports it);
    NaN where both SDs are 0. ``r_stages`` is Pearson's r of before and
    after, NaN where either stage takes a single value.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 participants.
    """
    first, second = as_pair(before, after, ("before", "after"))
    sd_before = first.std(axis=1, ddof=1)
    sd_after = second.std(axis=1, ddof=1)
    average_sd = (sd_before + sd_after) / 2
    mean_change = (second - first).mean(axis=1)
    d_av = np.full(first.shape[0], np.nan)
    spread = average_sd > 0
    d_av[spread] = mean_change[spread] / average_sd[spread]
    r_stages = correlation_batch(first, second, method="pearson").r
    return StageSummaryBatch(d_av, r_stages, sd_before, sd_after)


def rtm_share_batch(
    observed_improvement: ArrayLike, baseline_sd: ArrayLike, threshold: ArrayLike, reliability: ArrayLike
) -> FloatArray:
    """Share of each member's observed mean improvement that regression to the mean alone would produce.

    Parameters
    ----------
    observed_improvement : array_like, shape (members,)
        Observed mean improvement (points, positive = better).
    baseline_sd : array_like, shape (members,)
        Between-person SD of the scores at baseline.
    threshold : float or array_like of shape (members,)
        Improvement that counted as a response to education (people below
        it were selected).
    reliability : float or array_like of shape (members,)
        Test–retest reliability, in (0, 1).

    Returns
    -------
    numpy.ndarray
        Share in [0, 1], length ``members``; NaN where the observed
        improvement is not positive or the baseline SD is not positive.

    Notes
    -----
    With :math:`E(\\rho, T, s)` the expected improvement with no effect
    (:func:`cnslbp_lib.stats.rtm.expected_null_improvement`),

    .. math:: \\text{share} = \\min\\{1,\\ E(\\rho, T, s)/\\bar x\\},

    capped at 1 because regression to the mean cannot explain more than all
    of the observed improvement (a value of 1 means it explains all of it or
    more). ``expected_null_improvement`` takes a single SD, so the members'
    SDs enter through its scale invariance,
    :math:`E(\\rho, T, s) = s\\,E(\\rho, T/s, 1)` (both the error SD and the
    threshold's position scale with s), which is exact up to rounding.

    Examples
    --------
    >>> [round(float(x), 3) for x in rtm_share_batch([1.308, 0.5, -1.0], [8.0, 8.0, 8.0], 7, 0.73)]
    [0.5, 1.0, nan]
    """
    observed = np.asarray(observed_improvement, dtype=np.float64)
    if observed.ndim != 1:
        raise ValueError(f"observed_improvement must be one-dimensional (members,); got shape {observed.shape}")
    members = observed.size
    sd = per_member(baseline_sd, members, "baseline_sd")
    limit = per_member(threshold, members, "threshold")
    rho = per_member(reliability, members, "reliability")
    if np.any((rho <= 0) | (rho >= 1)):
        raise ValueError(f"reliability must lie strictly between 0 and 1; got {reliability!r}")
    share = np.full(members, np.nan)
    usable = (observed > 0) & (sd > 0) & np.isfinite(sd)
    if usable.any():
        expected = sd[usable] * expected_null_improvement(rho[usable], limit[usable] / sd[usable], 1.0)
        share[usable] = np.minimum(1.0, expected / observed[usable])
    return share


def holm_batch(p_values: ArrayLike) -> FloatArray:
    """Holm-adjusted p-values of m tests, for every member at once.

    Parameters
    ----------
    p_values : array_like, shape (members, m)
        Each member's m unadjusted p-values.

    Returns
    -------
    numpy.ndarray, shape (members, m)
        The adjusted p-values, in the same columns. A NaN p-value sorts last and stays NaN.

    Notes
    -----
    Holm's step-down method: the k-th smallest of m p-values is multiplied by
    m − k + 1, the products are made non-decreasing in that order, and capped at 1
    (as statsmodels' ``multipletests(method="holm")`` computes it).

    Examples
    --------
    >>> holm_batch([[0.01, 0.04, 0.03], [0.2, 0.001, 0.5]]).round(3).tolist()
    [[0.03, 0.06, 0.06], [0.4, 0.003, 0.5]]
    """
    values = np.atleast_2d(np.asarray(p_values, dtype=float))
    m = values.shape[1]
    order = np.argsort(np.where(np.isnan(values), np.inf, values), axis=1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=1) * np.arange(m, 0, -1)
    stepped = np.minimum(np.fmax.accumulate(ordered, axis=1), 1.0)
    stepped[np.isnan(ordered)] = np.nan
    adjusted = np.empty_like(stepped)
    np.put_along_axis(adjusted, order, stepped, axis=1)
    return np.asarray(adjusted)
