"""The statistics core: plain arrays in, frozen results out.

Every function here takes numbers (paired scores, two samples, a count) and
knows nothing of cohort files, instruments or stages; the cohort-frame
functions in :mod:`cnslbp_lib.stats.change` and its neighbours are thin
adapters on top. A statistic that the data cannot support raises
:class:`~cnslbp_lib.exceptions.NotEnoughDataError`; a statistic that exists but
is undefined for these data (a t statistic when every change is equal) is NaN,
and the result's ``note`` says why in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ..exceptions import NotEnoughDataError

__all__ = [
    "DEFAULT_SEED",
    "Correlation",
    "PairedT",
    "Proportion",
    "SignedRank",
    "check_confidence",
    "correlation",
    "critical_correlation",
    "dz_for_correlation",
    "paired_differences",
    "paired_t",
    "proportion",
    "require",
    "signed_rank",
]

DEFAULT_SEED = 20240611


def check_confidence(confidence: float) -> None:
    """Raise a ValueError naming ``confidence`` unless it lies strictly between 0 and 1."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")


def paired_differences(before: ArrayLike, after: ArrayLike) -> np.ndarray:
    first = np.asarray(before, dtype=float)
    second = np.asarray(after, dtype=float)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError(
            f"before and after must be one-dimensional and of equal length; got shapes {first.shape} and {second.shape}"
        )
    if not (np.isfinite(first).all() and np.isfinite(second).all()):
        raise ValueError("before and after must hold finite numbers only; drop incomplete pairs first")
    return np.asarray(second - first)


def require(n: int, minimum: int, analysis: str) -> None:
    """Raise :class:`NotEnoughDataError` when ``n`` is below what ``analysis`` needs."""
    if n < minimum:
        raise NotEnoughDataError(analysis, needed=minimum, available=n)


def _all_equal_note(n: int) -> str:
    return f"all {n} changes are equal, so their SD is 0"


@dataclass(frozen=True)
class PairedT:
    """A paired t-test of ``after − before``.

    ``note`` is empty unless some field is NaN, and then says why.
    """

    n: int
    mean_change: float
    sd_change: float
    ci_low: float
    ci_high: float
    t: float
    dof: int
    p_val: float
    dz: float
    note: str = ""


def paired_t(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95) -> PairedT:
    """Paired t-test with the t-based interval of the mean change and Cohen's dz.

    Parameters
    ----------
    before, after : array_like
        Paired scores, one pair per participant, no missing values.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    PairedT
        ``n``; ``mean_change`` and ``sd_change`` (SD with n − 1) of
        ``after − before``; ``ci_low``, ``ci_high``; ``t``, ``dof`` (n − 1) and
        two-sided ``p_val``; ``dz`` (signed: mean change / SD of changes);
        ``note`` (why any field is NaN).

    Notes
    -----
    With changes :math:`d_i`, mean :math:`\\bar d` and SD :math:`s_d`,

    .. math:: t = \\bar d / (s_d/\\sqrt{n}), \\qquad d_z = \\bar d / s_d = t/\\sqrt{n}.

    dz is the standardised mean *change*, not a between-group effect size: it
    grows as the two occasions correlate more (Lakens 2013). When every change
    is equal the SD is 0: the interval shrinks to the mean and ``t``, ``p_val``
    and ``dz`` are NaN.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 pairs.

    References
    ----------
    Lakens D. Calculating and reporting effect sizes to facilitate cumulative
    science. Front Psychol 2013;4:863.

    Examples
    --------
    Student's sleep data (R: ``t.test(extra ~ group, data = sleep, paired = TRUE)``):

    >>> drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> result = paired_t(drug2, drug1)
    >>> round(result.t, 4), round(result.p_val, 6), result.dof
    (-4.0621, 0.002833, 9)
    """
    check_confidence(confidence)
    changes = paired_differences(before, after)
    n = changes.size
    require(n, 2, "A paired t-test")
    mean = float(changes.mean())
    sd = float(changes.std(ddof=1))
    if sd == 0:
        return PairedT(n, mean, 0.0, mean, mean, np.nan, n - 1, np.nan, np.nan, _all_equal_note(n))
    result = stats.ttest_1samp(changes, 0.0)
    interval = result.confidence_interval(confidence_level=confidence)
    return PairedT(
        n=n,
        mean_change=mean,
        sd_change=sd,
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        t=float(result.statistic),
        dof=n - 1,
        p_val=float(result.pvalue),
        dz=mean / sd,
    )


@dataclass(frozen=True)
class SignedRank:
    """A Wilcoxon signed-rank test of ``after − before``."""

    n: int
    n_zero: int
    w_val: float
    p_val: float
    method: Literal["exact", "approx", "none"]
    note: str = ""


def signed_rank(before: ArrayLike, after: ArrayLike) -> SignedRank:
    """Wilcoxon signed-rank test: a check on the paired t-test that needs no normality.

    Returns
    -------
    SignedRank
        ``n``; ``n_zero`` (changes of 0, dropped by the test); ``w_val`` (the
        smaller rank sum); two-sided ``p_val``; ``method`` (``exact`` or
        ``approx`` as chosen for the data, ``none`` when every change is 0);
        ``note``.

    Notes
    -----
    Zero changes are dropped (Wilcoxon's convention). The exact null
    distribution is used with at most 50 non-zero changes and no ties, the
    normal approximation with tie correction otherwise.

    References
    ----------
    Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bulletin
    1945;1(6):80–83.
    """
    changes = paired_differences(before, after)
    require(changes.size, 1, "A Wilcoxon signed-rank test")
    nonzero = changes[changes != 0]
    n_zero = int(changes.size - nonzero.size)
    if nonzero.size == 0:
        note = f"all {changes.size} changes are 0, so there is nothing to rank"
        return SignedRank(changes.size, n_zero, np.nan, np.nan, "none", note)
    has_ties = np.unique(np.abs(nonzero)).size < nonzero.size
    method: Literal["exact", "approx"] = "exact" if nonzero.size <= 50 and not has_ties else "approx"
    result = stats.wilcoxon(nonzero, method=method)
    return SignedRank(changes.size, n_zero, float(result.statistic), float(result.pvalue), method)


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with its Fisher-z interval and two-sided p."""

    method: Literal["pearson", "spearman"]
    n: int
    r: float
    ci_low: float
    ci_high: float
    p_val: float
    note: str = ""


def correlation(
    x: ArrayLike, y: ArrayLike, *, method: Literal["pearson", "spearman"] = "pearson", confidence: float = 0.95
) -> Correlation:
    """Pearson's r or Spearman's rho with a Fisher-z confidence interval.

    Notes
    -----
    The interval is :math:`\\tanh(\\operatorname{atanh} r \\pm
    z_{1-\\alpha/2}/\\sqrt{n-3})`; for Spearman's rho this is the usual
    approximation (as in pingouin). It needs n ≥ 4 and |r| < 1; otherwise it is
    NaN and ``note`` says why. A variable that does not vary has no
    correlation: r and p are NaN.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 pairs.
    """
    check_confidence(confidence)
    first = np.asarray(x, dtype=float)
    second = np.asarray(y, dtype=float)
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError(f"x and y must be one-dimensional and of equal length; got {first.shape} and {second.shape}")
    n = first.size
    require(n, 3, "A correlation")
    if np.ptp(first) == 0 or np.ptp(second) == 0:
        note = f"one of the two variables takes a single value in all {n} pairs, so it cannot correlate"
        return Correlation(method, n, np.nan, np.nan, np.nan, np.nan, note)
    test = stats.pearsonr if method == "pearson" else stats.spearmanr
    result = test(first, second)
    r, p_val = float(result.statistic), float(result.pvalue)
    note = ""
    if n <= 3:
        low = high = np.nan
        note = f"the interval needs at least 4 pairs; there are {n}"
    elif abs(r) >= 1:
        low = high = np.nan
        note = "the correlation is perfect, so the Fisher-z interval is undefined"
    else:
        half_width = stats.norm.ppf((1 + confidence) / 2) / np.sqrt(n - 3)
        low, high = float(np.tanh(np.arctanh(r) - half_width)), float(np.tanh(np.arctanh(r) + half_width))
    return Correlation(method, n, r, float(low), float(high), p_val, note)


def critical_correlation(n: int, *, alpha: float = 0.05) -> float:
    """The smallest Pearson r (in size) that a two-sided test on ``n`` pairs calls significant at ``alpha``.

    Notes
    -----
    The test of r uses :math:`t = r\\sqrt{(n-2)/(1-r^2)}` on n − 2 degrees of
    freedom, so the critical r is :math:`t_c/\\sqrt{t_c^2 + n - 2}` with
    :math:`t_c` the :math:`1 - \\alpha/2` quantile of t.

    Examples
    --------
    >>> round(critical_correlation(14), 4)
    0.5324
    """
    require(n, 3, "A test of a correlation")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1; got {alpha!r}")
    critical_t = float(stats.t.ppf(1 - alpha / 2, n - 2))
    return critical_t / float(np.sqrt(critical_t**2 + n - 2))


@dataclass(frozen=True)
class Proportion:
    """A count out of n with its Wilson score interval (in percent)."""

    k: int
    n: int
    pct: float
    ci_low: float
    ci_high: float


def proportion(k: int, n: int, *, confidence: float = 0.95) -> Proportion:
    """Share ``k`` of ``n`` in percent, with the Wilson score interval.

    Notes
    -----
    The Wilson interval keeps sensible coverage for small n and for shares
    near 0 or 100%, where the Wald interval fails.

    References
    ----------
    Wilson EB. Probable inference, the law of succession, and statistical
    inference. J Am Stat Assoc 1927;22(158):209–212.

    Examples
    --------
    >>> share = proportion(11, 14)
    >>> round(share.pct, 3), round(share.ci_low, 1), round(share.ci_high, 1)
    (78.571, 52.4, 92.4)
    """
    check_confidence(confidence)
    require(n, 1, "A proportion")
    if not 0 <= k <= n:
        raise ValueError(f"k must lie between 0 and n = {n}; got {k!r}")
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return Proportion(k, n, 100 * k / n, 100 * float(interval.low), 100 * float(interval.high))


def dz_for_correlation(mean_change: float, sd_before: float, sd_after: float, r: ArrayLike) -> np.ndarray:
    """The dz the same mean change would have if the two occasions correlated ``r``.

    Notes
    -----
    The SD of the changes is :math:`\\sqrt{s_1^2 + s_2^2 - 2 r s_1 s_2}`, so
    :math:`d_z(r) = \\bar d / \\sqrt{s_1^2 + s_2^2 - 2 r s_1 s_2}`: for the
    same mean change, dz grows as r grows (Lakens 2013).

    >>> [round(float(value), 3) for value in dz_for_correlation(5.0, 10.0, 10.0, [0.0, 0.5])]
    [0.354, 0.5]
    """
    correlations = np.asarray(r, dtype=float)
    sd_change = np.sqrt(sd_before**2 + sd_after**2 - 2 * correlations * sd_before * sd_after)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(mean_change / sd_change)
