"""Batch Wilcoxon signed-rank tests: one p-value per dataset, as :func:`cnslbp_lib.stats.core.signed_rank` gives.

Split from :mod:`cnslbp_lib.stats.batch` (same conventions: arrays of shape ``(members, n)`` in,
one value per member out).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike
from scipy import special

from .batch import FloatArray, as_rows

__all__ = ["signed_rank_p_batch"]

# The exact null distribution of the signed-rank statistic is used up to this many non-zero changes
# (scipy's limit, and core.signed_rank's).
_EXACT_SIGNED_RANK_LIMIT = 50


@cache
def _signed_rank_cdf(count: int) -> FloatArray:
    """P(R+ ≤ k), k = 0 … count(count + 1)/2, under the null, for ``count`` untied non-zero changes.

    Each subset of ranks is equally likely, so the probabilities are integers
    over :math:`2^{count}`; scipy builds the same table by the same recursion.
    For ``count`` ≤ 50 every probability and every partial sum is a multiple of
    :math:`2^{-count}` in [0, 1] and so exact in double precision: the table
    agrees with scipy's sums to the last bit whatever the order of summation.
    """
    pmf = np.ones(1)
    for size in range(1, count + 1):
        previous = pmf
        pmf = np.zeros(size * (size + 1) // 2 + 1)
        pmf[: previous.size] = previous * 0.5
        pmf[-previous.size :] += previous * 0.5
    cdf = np.cumsum(pmf)
    cdf.flags.writeable = False
    return cdf


def _absolute_ranks(changes: FloatArray) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Average ranks of |change| among each row's non-zero changes, and the size of each one's tie group.

    Zeros are sent to the end (as +inf) so they do not disturb the ranks of
    the others; their ranks and tie sizes are meaningless and must be masked
    with the returned ``nonzero``.
    """
    members, n = changes.shape
    nonzero = changes != 0
    magnitude = np.where(nonzero, np.abs(changes), np.inf)
    order = np.argsort(magnitude, axis=1, kind="stable")
    ordered = np.take_along_axis(magnitude, order, axis=1)
    positions = np.broadcast_to(np.arange(n), (members, n))
    starts = np.ones((members, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ends = np.ones((members, n), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, positions, n)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty((members, n))
    sizes = np.empty((members, n))
    np.put_along_axis(ranks, order, (first + last) / 2 + 1, axis=1)
    np.put_along_axis(sizes, order, (last - first + 1).astype(np.float64), axis=1)
    return ranks, sizes, nonzero


def signed_rank_p_batch(changes: ArrayLike) -> FloatArray:
    """Two-sided p-value of the Wilcoxon signed-rank test of each member's changes.

    Parameters
    ----------
    changes : array_like, shape (members, n)
        Changes (``after − before``), one row per member.

    Returns
    -------
    numpy.ndarray
        Length ``members``; NaN where every change of a member is 0.

    Notes
    -----
    Per member, zero changes are dropped (Wilcoxon's convention), leaving
    :math:`m` changes whose absolute values get average ranks; :math:`R^+` is
    the sum of the ranks of the positive changes. With :math:`m` ≤ 50 and no
    tied absolute values the null distribution is exact (every sign pattern
    equally likely) and

    .. math:: p = \\min\\{1,\\ 2\\min[P(R^+ \\le r^+),\\ P(R^+ \\ge r^+)]\\}.

    Otherwise the normal approximation with tie correction and without
    continuity correction (scipy 1.17's ``wilcoxon`` default,
    ``correction=False``) is used:

    .. math:: z = \\frac{r^+ - m(m+1)/4}{\\sqrt{[m(m+1)(2m+1) - \\tfrac12\\sum_g (t_g^3 - t_g)]/24}},
              \\qquad p = 2\\Phi(-|z|),

    where :math:`t_g` are the sizes of the groups of tied absolute values.
    The choice is made per member, exactly as
    :func:`cnslbp_lib.stats.core.signed_rank` makes it, and every operation
    repeats scipy's, so each p equals core's to the last bit.

    Examples
    --------
    >>> [round(float(p), 4) for p in signed_rank_p_batch([[1, 2, 3, 4, 5], [1, -2, 3, 3, 0], [0, 0, 0, 0, 0]])]
    [0.0625, 0.2693, nan]
    """
    values = as_rows(changes, "changes")
    members = values.shape[0]
    ranks, sizes, nonzero = _absolute_ranks(values)
    count = nonzero.sum(axis=1)
    r_plus = np.where(values > 0, ranks, 0.0).sum(axis=1)
    tied = (np.where(nonzero, sizes, 1.0) > 1).any(axis=1)
    # sum over tie groups of t³ − t = sum over tied values of t² − 1 (each of a group's t members adds t² − 1)
    tie_correction = np.where(nonzero, sizes**2 - 1, 0.0).sum(axis=1)
    p_val = np.full(members, np.nan)

    exact = (count > 0) & (count <= _EXACT_SIGNED_RANK_LIMIT) & ~tied
    for size in np.unique(count[exact]):
        rows = np.flatnonzero(exact & (count == size))
        cdf = _signed_rank_cdf(int(size))
        k = r_plus[rows].astype(np.intp)  # integral: untied ranks are integers
        lower = cdf[k]
        upper = np.where(k > 0, 1 - cdf[np.maximum(k - 1, 0)], 1.0)
        p_val[rows] = np.clip(2 * np.minimum(upper, lower), 0, 1)

    approx = (count > 0) & ~exact
    if approx.any():
        m = count[approx].astype(np.float64)
        mean = m * (m + 1.0) * 0.25
        se = np.sqrt((m * (m + 1.0) * (2.0 * m + 1.0) - tie_correction[approx] / 2) / 24)
        z = (r_plus[approx] - mean) / se
        p_val[approx] = 2 * special.ndtr(-np.abs(z))
    return p_val


# ----------------------------------------------------------------------------------------------------------------------
# 4. Bootstrap interval of the mean change
