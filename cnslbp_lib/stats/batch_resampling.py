"""Batch resampling and influence: bootstrap intervals and the least favourable leave-one-out, per dataset.

Split from :mod:`cnslbp_lib.stats.batch` (same conventions: arrays of shape ``(members, n)`` in,
one value per member out); each member's answer equals the single-dataset function's.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from .batch import FloatArray, IndexArray, as_rows, check_confidence, paired_t_changes, require
from .bootstrap import bca_limits
from .core import DEFAULT_SEED

__all__ = ["BootstrapBatch", "LeaveOneOutBatch", "bootstrap_ci_batch", "least_favourable_leave_one_out"]


@dataclass(frozen=True)
class BootstrapBatch:
    """Seeded bootstrap intervals of the mean change, one entry per member."""

    method: Literal["percentile", "bca"]
    n_resamples: int
    seed: int
    mean_change: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


# Members whose bootstrap means are held in memory at once (128 × 10,000 doubles = 10 MB).
_CHUNK = 128
# While (largest |value|) × n stays below this, every bootstrap sum of whole numbers is exact in double precision.
_EXACT_SUM_LIMIT = 2.0**52


def _bootstrap_means(draws: npt.NDArray[np.int64], distinct: FloatArray, n: int) -> FloatArray:
    """Bootstrap means (members × resamples) of members that share ``draws``, as the core computes them.

    The core computes ``draws @ distinct / n`` for one member. For whole-number
    changes every such sum is an exact integer whatever the order of the
    additions, so summing all members at once gives the same numbers to the
    last bit; otherwise the core's own expression is repeated member by member.
    """
    if np.all(distinct == np.round(distinct)) and np.abs(distinct).max() * n < _EXACT_SUM_LIMIT:
        # summed value by value rather than by a matrix product: waking threaded BLAS for these small
        # products costs milliseconds per call on a busy machine
        columns = np.ascontiguousarray(draws.T, dtype=np.float64)
        sums = np.zeros((distinct.shape[0], draws.shape[0]))
        for value, column in zip(distinct.T, columns, strict=True):
            sums += value[:, np.newaxis] * column
        return sums / n
    return np.stack([draws @ row / n for row in distinct])


def bootstrap_ci_batch(
    changes: ArrayLike,
    *,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
    method: Literal["percentile", "bca"] = "percentile",
    workers: int = 1,
) -> BootstrapBatch:
    """Bootstrap confidence interval of the mean change, for every member.

    Parameters
    ----------
    changes : array_like, shape (members, n)
        Changes (``after − before``), one row per member.
    confidence : float
        Confidence level of the interval.
    n_resamples : int
        Bootstrap resamples per member (at least 100).
    seed : int
        Seed of every member's generator (see Notes).
    method : {"percentile", "bca"}
        Percentile interval, or bias-corrected and accelerated interval.
    workers : int
        Threads drawing the resamples (one tie pattern at a time each). The
        answer does not depend on it; 2 can nearly halve the time when two
        cores are free.

    Returns
    -------
    BootstrapBatch
        ``mean_change``, ``ci_low`` and ``ci_high``, each of length
        ``members``.

    Notes
    -----
    **Resampling.** As in :func:`cnslbp_lib.stats.bootstrap.bootstrap_mean_change`,
    a resample of n participants is drawn as multinomial counts over the
    member's distinct change values :math:`v_j` with probabilities
    :math:`c_j/n` (their observed frequencies); its mean is
    :math:`\\bar d^* = \\sum_j N_j v_j / n`.

    **Seeding.** Every member gets its own fresh
    ``np.random.default_rng(seed)`` with the *same* ``seed`` and draws its
    counts exactly as the core does, so member i's percentile interval is
    ``core.bootstrap_mean_change`` of row i alone with this seed, to the last
    bit. The counts depend only on the frequencies :math:`c_j` (not on the
    values), so members whose sorted values have the same pattern of ties
    share their draws, and those draws are made once per pattern (the draws
    are the cost: :math:`B(k-1)` binomial variates for k distinct values).
    Members therefore share their random numbers (common random numbers): the Monte
    Carlo error of different members is correlated, not independent.

    **Percentile.** The limits are the :math:`(1-c)/2` and :math:`(1+c)/2`
    quantiles (linear interpolation) of the :math:`B` bootstrap means.

    **BCa** (Efron & Tibshirani 1993, ch. 14). With :math:`\\hat\\theta` the
    observed mean, the bias correction is

    .. math:: \\hat z_0 = \\Phi^{-1}\\left(\\frac{\\#\\{\\bar d^* < \\hat\\theta\\}
              + \\#\\{\\bar d^* \\le \\hat\\theta\\}}{2B}\\right),

    the share of bootstrap means below the observed mean with ties counted
    as half (as ``scipy.stats.bootstrap`` counts them: with integer scores a
    resampled mean equals the observed one often enough that counting ties
    as "not below" would bias :math:`\\hat z_0` downwards). A mean within
    rounding error of the observed one counts as a tie, by the core's own rule
    (:func:`cnslbp_lib.stats.bootstrap.bca_limits`), so with decimal changes a
    member's limits do not depend on the other members of its batch. The acceleration
    from the jackknife means :math:`\\hat\\theta_{(i)}` is

    .. math:: \\hat a = \\frac{\\sum_i (\\hat\\theta_{(\\cdot)} - \\hat\\theta_{(i)})^3}
              {6\\,[\\sum_i (\\hat\\theta_{(\\cdot)} - \\hat\\theta_{(i)})^2]^{3/2}}
              = \\frac{\\sum_i (d_i - \\bar d)^3}{6\\,[\\sum_i (d_i - \\bar d)^2]^{3/2}},

    the second form because for the mean
    :math:`\\hat\\theta_{(\\cdot)} - \\hat\\theta_{(i)} = (d_i - \\bar d)/(n-1)`.
    The limits are the bootstrap quantiles at

    .. math:: \\alpha_{1,2} = \\Phi\\left(\\hat z_0 + \\frac{\\hat z_0 + z_{(1\\mp c)/2}}
              {1 - \\hat a(\\hat z_0 + z_{(1\\mp c)/2})}\\right).

    Both methods use the same draws. A member whose changes are all equal
    gets an interval of zero width at its mean.

    Raises
    ------
    NotEnoughDataError
        With fewer than 2 participants.

    References
    ----------
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993.
    """
    check_confidence(confidence)
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100; got {n_resamples!r}")
    if method not in ("percentile", "bca"):
        raise ValueError(f"method must be 'percentile' or 'bca'; got {method!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1; got {workers!r}")
    values = as_rows(changes, "changes")
    members, n = values.shape
    require(n, 2, "A bootstrap interval")
    tail = (1 - confidence) / 2
    ordered = np.sort(values, axis=1)
    starts = np.ones((members, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    deviations = values - values.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        acceleration = (deviations**3).sum(axis=1) / (6 * ((deviations**2).sum(axis=1)) ** 1.5)
    ci_low = np.empty(members)
    ci_high = np.empty(members)
    # one group per pattern of ties: the pattern fixes the counts, and the counts fix the draws
    patterns, group = np.unique(starts, axis=0, return_inverse=True)
    by_pattern = np.split(np.argsort(group, kind="stable"), np.cumsum(np.bincount(group))[:-1])

    def one_pattern(which: int) -> None:
        rows = by_pattern[which]
        first = np.flatnonzero(patterns[which])
        counts = np.diff(np.append(first, n))
        if counts.size == 1:  # all changes equal: every resample has the same mean
            ci_low[rows] = ci_high[rows] = ordered[rows, 0]
            return
        draws = np.random.default_rng(seed).multinomial(n, counts / n, size=n_resamples)
        for chunk in np.array_split(rows, -(-rows.size // _CHUNK)):
            distinct = ordered[chunk][:, first]
            means = _bootstrap_means(draws, distinct, n)
            if method == "percentile":
                # row by row: np.quantile along the contiguous axis, exactly the core's call
                for row, member_means in zip(chunk, means, strict=True):
                    ci_low[row], ci_high[row] = np.quantile(member_means, [tail, 1 - tail])
            else:
                # the observed mean as a resample equal to the sample gives it, so the two compare exactly
                observed = _bootstrap_means(counts[np.newaxis, :], distinct, n)[:, 0]
                # decimals summed in another order (or at another memory alignment) can differ in the last bits;
                # a mean within that rounding of the observed one is a tie, exactly as the core counts it
                ties_within = 4 * n * np.finfo(float).eps * np.abs(distinct).max(axis=1)
                ci_low[chunk], ci_high[chunk] = bca_limits(
                    means, observed, acceleration[chunk], tail, ties_within=ties_within
                )

    if workers == 1:
        for which in range(len(patterns)):
            one_pattern(which)
    else:
        # numpy releases the GIL while it draws, so patterns can run side by side; each writes only its own rows
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one_pattern, range(len(patterns))))
    return BootstrapBatch(method, n_resamples, seed, values.mean(axis=1), ci_low, ci_high)


# ----------------------------------------------------------------------------------------------------------------------
# 5. Leave one out, least favourably


@dataclass(frozen=True)
class LeaveOneOutBatch:
    """For each member, the paired t-test without its least favourable participant.

    ``n`` is the number of participants remaining (n − 1); ``index`` is the
    column of the participant left out and ``change`` their change; the other
    arrays are the paired t-test of the remaining n − 1 (as in
    :class:`PairedTBatch`), all for that same participant.
    """

    n: int
    index: IndexArray
    change: FloatArray
    mean_change: FloatArray
    sd_change: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    t: FloatArray
    p_val: FloatArray
    dz: FloatArray


def least_favourable_leave_one_out(
    changes: ArrayLike, *, improvement_sign: int, confidence: float = 0.95
) -> LeaveOneOutBatch:
    """The paired t-test of each member without the one participant whose removal hurts the effect most.

    Parameters
    ----------
    changes : array_like, shape (members, n)
        Changes (``after − before``), one row per member.
    improvement_sign : {1, -1}
        +1 if a higher score is better, −1 if lower is better (the
        instrument's ``improvement_sign``).
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    LeaveOneOutBatch
        ``index`` of the participant left out, their ``change``, and
        ``mean_change``, ``sd_change``, ``ci_low``, ``ci_high``, ``t``,
        ``p_val`` and ``dz`` of the remaining n − 1, each of length
        ``members``.

    Notes
    -----
    Leaving out :math:`d_i` leaves the mean :math:`(S - d_i)/(n-1)`, with
    :math:`S = \\sum_j d_j`, so the improvement that remains,
    :math:`s\\,(S - d_i)/(n-1)` for improvement sign :math:`s`, is smallest
    when :math:`s\\,d_i` is largest: the participant left out is the one who
    improved most, :math:`i^* = \\arg\\max_i s\\,d_i` (the first such column
    if several tie; tied participants have equal changes, so the result is
    the same whichever is left out). Every figure returned is for that one
    participant, so the mean, interval, p and dz describe the same
    reduced dataset; the largest p over participants may belong to another
    participant, since p also depends on the SD of what remains.

    Raises
    ------
    NotEnoughDataError
        With fewer than 3 participants (the remaining 2 are the fewest a
        paired t-test can use).
    """
    check_confidence(confidence)
    if improvement_sign not in (1, -1):
        raise ValueError(f"improvement_sign must be 1 or -1; got {improvement_sign!r}")
    values = as_rows(changes, "changes")
    members, n = values.shape
    require(n, 3, "Leave-one-out")
    index = np.argmax(values * improvement_sign, axis=1).astype(np.intp)
    rows = np.arange(members)
    keep = np.ones((members, n), dtype=bool)
    keep[rows, index] = False
    remaining = values[keep].reshape(members, n - 1)  # row-major: each member's others, in their order
    result = paired_t_changes(remaining, confidence)
    return LeaveOneOutBatch(
        n=n - 1,
        index=index,
        change=values[rows, index],
        mean_change=result.mean_change,
        sd_change=result.sd_change,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        t=result.t,
        p_val=result.p_val,
        dz=result.dz,
    )


# ----------------------------------------------------------------------------------------------------------------------
# 6.–8. Responders, stage summary, regression to the mean
