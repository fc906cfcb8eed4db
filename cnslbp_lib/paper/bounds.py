"""Bounds over everything the abstract allows, computed rather than sampled.

The ensemble (:mod:`cnslbp_lib.paper.ensemble`) describes a quantity by the
values it takes in a few thousand drawn datasets. Its extremes are the extremes
of a sample: a quantity that every drawn dataset puts between −0.81 and 0 may
reach −0.97 in a dataset nobody drew. Where a quantity's bounds over the whole
allowed set can be computed, this module computes them, and the book shows
those instead of (or beside) the drawn range.

Two kinds are computed:

- **Quantities fixed by each outcome's total and sum of squares.** A paired
  t-test's mean, interval, p and dz depend on the changes only through their
  sum and their sum of squares. The abstract fixes the sum (GRIM) and a short
  list of sums of squares (:func:`cnslbp_lib.paper.targets.change_targets`),
  so evaluating them on that list gives their exact bounds. Wilson intervals
  depend on the responder count alone, which the abstract fixes once the
  threshold is assumed.
- **The association between two outcomes' changes.** The abstract constrains
  each outcome's changes on its own and says nothing about which participant's
  change in one goes with which in the other. For two fixed vectors, the
  correlation is largest when both are sorted the same way and smallest when
  sorted in opposite ways (the rearrangement inequality), so pairing drawn
  vectors in opposite order gives allowed datasets with the most negative
  correlations any of them can reach. The smallest allowed r therefore lies
  between −1 and the most negative such pairing: an interval known to contain
  it, with a dataset that reaches its upper end. Under the book's reading of
  the abstract (an inverse association, sign only) r can come as close to 0
  as one likes, so the largest allowed r lies between the largest drawn value
  and 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..stats.batch import correlation_batch, holm_batch
from ..stats.core import proportion
from .derived import Bounds, get_derived
from .ensemble import Ensemble
from .reported import STUDY, Paper
from .targets import ChangeTarget

__all__ = ["Pairing", "association_bounds", "change_bounds", "extreme_pairings"]

_T_METHOD = (
    "exact: a paired t-test depends on the changes only through their sum and sum of squares; the abstract "
    "fixes the sum and {count} possible sums of squares, and this is the range over all of them"
)
_WILSON_METHOD = (
    "exact: the Wilson interval depends only on the responder count, which the abstract fixes once the "
    "threshold is assumed"
)


def _known(key: str) -> bool:
    try:
        get_derived(key)
    except ValueError:
        return False
    return True


def _span(values: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    low, high = float(np.min(values)), float(np.max(values))
    return (low, low), (high, high)


def change_bounds(targets: list[ChangeTarget], n: int, paper: Paper = STUDY) -> dict[str, Bounds]:
    """Exact bounds of every registry quantity fixed by an outcome's total, sums of squares or responder count.

    Parameters
    ----------
    targets : list of ChangeTarget
        What the abstract fixes about each outcome's changes.
    n : int
        Participants.

    Returns
    -------
    dict
        :class:`~cnslbp_lib.paper.derived.Bounds` by registry key, for the keys the
        registry has: ``<outcome>_ci_low``/``_ci_high``/``_dz`` (PSQ, whose interval
        the abstract does not print), ``<outcome>_dz_improvement`` and ``_improved_normal``
        (improvement-signed), ``<outcome>_improvement``, ``<outcome>_resp_low``/``_high``,
        and the Holm-adjusted p of the primary outcomes.

    Examples
    --------
    >>> from cnslbp_lib.paper.targets import change_targets
    >>> found = change_bounds(change_targets(), 14)
    >>> [round(value, 4) for value in (*found["psq_ci_low"].low, *found["psq_ci_low"].high)]
    [-10.239, -10.239, -10.2252, -10.2252]
    """
    found: dict[str, Bounds] = {}
    critical = float(stats.t.ppf(0.975, n - 1))
    p_values: dict[str, np.ndarray] = {}
    for target in targets:
        entry = paper.instrument(target.instrument)
        key, sign = entry.key, entry.improvement_sign
        squares = np.asarray(target.sums_of_squares, dtype=float)
        step = 1 / entry.items  # targets count changes in steps of the score
        mean = target.total / n * step
        sd = np.sqrt((squares - target.total**2 / n) / (n - 1)) * step
        half = critical * sd / math.sqrt(n)
        method = _T_METHOD.format(count=squares.size)
        dz = mean / sd
        p_values[key] = 2 * stats.t.sf(np.abs(mean) / (sd / math.sqrt(n)), n - 1)
        candidates = {
            f"{key}_ci_low": mean - half,
            f"{key}_ci_high": mean + half,
            f"{key}_dz_improvement": dz * sign,
            f"{key}_improved_normal": 100 * stats.norm.cdf(dz * sign),
            f"{key}_improvement": np.full(squares.size, mean * sign),
        }
        if entry.responder_reported is False:  # the registry keeps the size of dz for an outcome without a CI
            candidates[f"{key}_dz"] = np.abs(dz)
        for name, values in candidates.items():
            if _known(name) and get_derived(name).basis == "drawn":
                found[name] = Bounds(*_span(values), method)
        if target.responders is not None and _known(f"{key}_resp_low"):
            share = proportion(target.responders, n)
            found[f"{key}_resp_low"] = Bounds(*_span(np.array([share.ci_low])), _WILSON_METHOD)
            found[f"{key}_resp_high"] = Bounds(*_span(np.array([share.ci_high])), _WILSON_METHOD)
    primary = [entry.key for entry in paper.design.instruments if entry.role == "primary" and entry.key in p_values]
    if len(primary) >= 2:
        grids = np.meshgrid(*(p_values[key] for key in primary), indexing="ij")
        adjusted = holm_batch(np.column_stack([grid.ravel() for grid in grids]))
        for position, key in enumerate(primary):
            if _known(f"{key}_holm_p"):
                found[f"{key}_holm_p"] = Bounds(
                    *_span(adjusted[:, position]),
                    "exact: Holm's adjustment of the primary outcomes' p-values, over every pair of sums of "
                    "squares the abstract allows",
                )
    return found


@dataclass(frozen=True)
class Pairing:
    """Two outcomes' changes paired so that their correlation is as extreme as the drawn vectors allow.

    ``x`` and ``y`` are the changes (after − before) of one allowed dataset;
    ``r`` is their Pearson r and ``rho`` their Spearman rho.
    """

    x: np.ndarray
    y: np.ndarray
    r: float
    rho: float


def _standardised(values: np.ndarray) -> np.ndarray:
    centred = values - values.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1, keepdims=True))
    return np.asarray(centred / norms)


def extreme_pairings(x: np.ndarray, y: np.ndarray) -> tuple[Pairing, Pairing]:
    """The most negative and the most positive correlation reachable by re-pairing drawn change vectors.

    Parameters
    ----------
    x, y : numpy.ndarray, shape (members, n)
        Allowed change vectors of two outcomes, one per row (any row of ``x``
        may go with any row of ``y``, in any order, without changing a printed number).

    Returns
    -------
    tuple of Pairing
        The pairing with the smallest Pearson r (one vector sorted up, the
        other down) and the one with the largest (both sorted up), over every
        combination of a row of ``x`` with a row of ``y``.

    Notes
    -----
    For fixed vectors :math:`\\sum_i x_i y_{\\pi(i)}` is largest when both are
    sorted alike and smallest when sorted oppositely (rearrangement
    inequality), and the means and sums of squares do not depend on the order,
    so these pairings reach the extremes of r for each combination. Spearman's
    rho is reported for the same pairings (they are its extremes too, since the
    average ranks follow the same order).

    Examples
    --------
    >>> low, high = extreme_pairings(np.array([[1, 2, 4], [0, 3, 3]]), np.array([[5, 1, 0]]))
    >>> round(low.r, 3), round(high.r, 3)  # by hand: −9/√84 for (0, 3, 3), 8/√(14·14/3) for (1, 2, 4)
    (-0.982, 0.99)
    """
    xs = np.sort(np.asarray(x, dtype=float), axis=1)
    ys = np.sort(np.asarray(y, dtype=float), axis=1)
    spread_x, spread_y = np.ptp(xs, axis=1) > 0, np.ptp(ys, axis=1) > 0
    xs, ys = xs[spread_x], ys[spread_y]
    if not (xs.size and ys.size):
        raise ValueError("x and y must each have a row whose values vary")
    same = _standardised(xs) @ _standardised(ys).T
    opposite = _standardised(xs) @ _standardised(ys[:, ::-1]).T
    found = []
    for products, flip in ((opposite, True), (same, False)):
        row, column = np.unravel_index(np.argmin(products) if flip else np.argmax(products), products.shape)
        first, second = xs[row], ys[column][::-1] if flip else ys[column]
        pearson = correlation_batch(first[np.newaxis], second[np.newaxis], method="pearson")
        spearman = correlation_batch(first[np.newaxis], second[np.newaxis], method="spearman")
        found.append(Pairing(first, second, float(pearson.r[0]), float(spearman.r[0])))
    return found[0], found[1]


def association_bounds(ensemble: Ensemble, x: str, y: str) -> tuple[dict[str, Bounds], Pairing]:
    """Bounds of the association quantities over everything the abstract allows, under the ensemble's reading.

    The smallest r lies between −1 and the most negative re-pairing of drawn
    vectors (:func:`extreme_pairings`); under an inverse reading (sign only) the
    largest lies between the largest drawn value and 0, which it approaches but
    never reaches. The interval limits and p-value follow r monotonically for a
    fixed n, so their bounds are those of the same datasets. Returns the bounds by
    registry key and the most negative pairing (a dataset that reaches it).
    """
    changes_x = ensemble.changes(x).astype(float)
    changes_y = ensemble.changes(y).astype(float)
    lowest, _ = extreme_pairings(changes_x, changes_y)
    drawn = correlation_batch(changes_x, changes_y, method="pearson")
    drawn_rho = correlation_batch(changes_x, changes_y, method="spearman")
    top = int(np.nanargmax(drawn.r))
    top_rho = int(np.nanargmax(drawn_rho.r))
    witness = correlation_batch(lowest.x[np.newaxis], lowest.y[np.newaxis], method="pearson")
    witness_rho = correlation_batch(lowest.x[np.newaxis], lowest.y[np.newaxis], method="spearman")
    names = [ensemble.paper.instrument(key).abbreviation for key in (x, y)]
    method = (
        f"the smallest value lies between the trivial limit and a dataset built by pairing drawn {names[0]} and "
        f"{names[1]} changes in opposite order (rearrangement), which reproduces every printed number; the "
        "largest lies between the largest drawn value and the limit the reading allows"
    )
    reading = ensemble.reading
    if reading.association != "as_read" or reading.significant:
        raise ValueError(f"association bounds are worked out for the sign-only inverse reading; got {reading.name!r}")
    note = "under the book's reading r is negative, so it can come as close to 0 as one likes without reaching it"
    found = {
        "assoc_r": Bounds((-1.0, lowest.r), (float(drawn.r[top]), 0.0), method, note),
        "assoc_r_low": Bounds((-1.0, float(witness.ci_low[0])), (float(drawn.ci_low[top]), 0.0), method, note),
        "assoc_r_high": Bounds((-1.0, float(witness.ci_high[0])), (float(drawn.ci_high[top]), 1.0), method, note),
        "assoc_r_p": Bounds((0.0, float(witness.p_val[0])), (float(drawn.p_val[top]), 1.0), method, note),
        "assoc_rho": Bounds((-1.0, lowest.rho), (float(drawn_rho.r[top_rho]), 1.0), method),
        # rho's p is largest where rho is nearest 0, smallest where |rho| is largest
        "assoc_rho_p": Bounds(
            (0.0, min(float(witness_rho.p_val[0]), float(np.nanmin(drawn_rho.p_val)))),
            (float(np.nanmax(drawn_rho.p_val)), 1.0),
            method,
        ),
    }
    return found, lowest
