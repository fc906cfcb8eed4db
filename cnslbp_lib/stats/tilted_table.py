"""The tilt and the table over sums behind :mod:`~cnslbp_lib.stats.tilted`.

Which sums of squares a row's entries can have at all, the tilt (a, b) that
centres tilted entries on the printed total and spread, and the table of
:math:`\\log F_j` over sums that the backward draw walks. The symbols are those
of :mod:`~cnslbp_lib.stats.tilted`'s Notes.

Notes
-----
**Which sums of squares can occur.** Integers in [lo, hi] summing to S have the
least sum of squares :math:`m(S)` when spread evenly (lattice Notes) and the most,
:math:`M(S)`, with every entry at lo or hi but one: two entries
:math:`lo < x \\le y < hi` could become :math:`x - 1, y + 1`, keeping the sum and adding
:math:`2(y - x) + 2 > 0`. With a cut and k entries in :math:`V^+`,
:math:`q_{\\min} = \\min_S\\, m^+_k(S) + m^-_{n-k}(T - S)` over the ways S of splitting T
between the two groups, and :math:`q_{\\max}` likewise with M. A total outside the
box sums, or allowed sums of squares that all miss :math:`[q_{\\min}, q_{\\max}]` or the
parity of T (:math:`v^2 \\equiv v \\pmod 2`), mean an empty set, exactly. Values
inside the range can still be unreachable near its ends; no tilted draw then
lands in the set, and the draw budget ends the search.

**Choosing the tilt.** Any (a, b) keeps the draws exact; they set only the cost.
:func:`saddle_tilt` minimises the convex
:math:`\\Lambda(a, b) = \\sum_j \\log Z_j(a, b) - aT - bq^*`, with :math:`q^*` the centre of
the allowed sums of squares. Its gradient vanishes where
:math:`\\sum_j \\mathbb{E}_{w_j}[v] = T` and :math:`\\sum_j \\mathbb{E}_{w_j}[v^2] = q^*`: the
unconditioned tilted entries have sum T and sum of squares :math:`q^*` on average
(a saddle point), so conditioning on the sum is cheap. It moves the mean of q by
O(1) against a spread of order :math:`\\sqrt{n}` (measured: 0.15 sd for n = 14, 0.07
sd for n = 100), and the keep rate is about
:math:`2|\\mathcal{Q}^*| / (\\sqrt{2\\pi}\\,\\mathrm{sd}(q))`, the 2 because q has the parity of
T. The minimum is found on standardised values :math:`u = (v - T/n)/h`, h half the
box width, where the Hessian is well scaled.

**The table.** Layer j holds :math:`\\log F_j(s)` for the sums s of the first j
entries that lie on some sequence with sum T (the box sums of the first j and of
the last :math:`n - j` positions bound them, as in the lattice), so it never
underflows, and the window maxima :math:`\\log M_j(s)` the rejection step needs.
Building it costs :math:`\\sum_j |V_j| \\times` (sums at layer j) log-sum-exp terms, about
:math:`|V|^2 n^2 / 4` (:math:`10^8` for n = 100 on [-100, 100], a quarter of a second);
:data:`MAX_TERMS` bounds that, and :data:`MAX_CELLS` the sums stored (16 bytes each).

Examples
--------
>>> constraints = VectorConstraints(n=3, low=-2, high=2, total=1, sums_of_squares=(3,))
>>> reachable_squares(constraints)
(1, 9)
>>> a, b = saddle_tilt(spans(constraints), 1, 5.0)
>>> values = np.arange(-2, 3)
>>> weights = np.exp(a * values + b * values**2)
>>> [round(float(3 * weights @ values**power / weights.sum()), 6) for power in (1, 2)]
[1.0, 5.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from scipy import optimize, special

from ..exceptions import EmptyLatticeError

# the lattice's helpers are shared, not copied; lattice.py stays untouched (the ensemble's stamp hashes it)
from .lattice import VectorConstraints, _least_squares, _position_ranges

__all__ = [
    "MAX_CELLS",
    "MAX_TERMS",
    "Layer",
    "Span",
    "cut_words",
    "reachable_squares",
    "saddle_tilt",
    "spans",
    "sum_table",
    "table_size",
]

# log-sum-exp terms in the table over sums: about 5 s to build
MAX_TERMS = 2 * 10**9
# sums stored over all layers (with their padding): 320 MB
MAX_CELLS = 2 * 10**7
_CHUNK_CELLS = 2**21  # cells of one (sums x values) temporary while building the table

Span = tuple[int, int, int]  # (positions, lo, hi): a run of positions sharing one range of values


@dataclass(frozen=True)
class Layer:
    """What the backward step at position j needs.

    ``group`` indexes the span of position j; ``log_max[s - s_lo]`` is
    :math:`\\log M_j(s)`; ``padded[t - pad_lo]`` is :math:`\\log F_{j-1}(t)` (-inf where t
    lies on no sequence with sum T), covering every ``s - v`` the step can ask for.
    """

    group: int
    s_lo: int
    log_max: NDArray[np.float64]
    padded: NDArray[np.float64]
    pad_lo: int


def cut_words(c: VectorConstraints) -> str:
    """`` with k entries >= cut=c`` when there is a cut, for messages."""
    return "" if c.cut is None else f" with {c.count_at_least} entries >= cut={c.cut}"


def spans(constraints: VectorConstraints) -> list[Span]:
    """The runs of equal value ranges in the lattice's order (V+ first), after checking the cut and the total.

    Raises :class:`EmptyLatticeError` naming the cut or the total when no vector can have them.
    """
    runs: list[Span] = []
    for lo, hi in _position_ranges(constraints):
        if runs and runs[-1][1:] == (lo, hi):
            runs[-1] = (runs[-1][0] + 1, lo, hi)
        else:
            runs.append((1, lo, hi))
    low, high = sum(m * lo for m, lo, _ in runs), sum(m * hi for m, _, hi in runs)
    if not low <= constraints.total <= high:
        raise EmptyLatticeError(
            f"total={constraints.total} lies outside [{low}, {high}], the sums reachable in the box "
            f"[{constraints.low}, {constraints.high}]" + cut_words(constraints)
        )
    return runs


def _most_squares(m: int, lo: int, hi: int, sums: NDArray[np.int64]) -> NDArray[np.int64]:
    """Largest sum of squares of m integers in [lo, hi] summing to each of ``sums`` (all at a bound but one)."""
    if m == 0 or lo == hi:
        return np.full_like(sums, m * lo * lo)
    excess = sums - m * lo
    top = np.minimum(excess // (hi - lo), m)
    middle = lo + excess - top * (hi - lo)
    return np.asarray(top * hi * hi + np.where(top < m, middle * middle + (m - top - 1) * lo * lo, 0), dtype=np.int64)


def reachable_squares(constraints: VectorConstraints) -> tuple[int, int]:
    """Least and largest sum of squares of a vector in the box with the total (and cut count), exactly.

    Every sum of squares of such a vector lies in this range and has the parity
    of the total; not every such value need occur. Raises
    :class:`EmptyLatticeError` naming the cut or the total when no vector has them.
    """
    runs = spans(constraints)
    (m1, lo1, hi1), (m2, lo2, hi2) = runs[0], (runs[1] if len(runs) > 1 else (0, 0, 0))
    total = constraints.total
    first = np.arange(max(m1 * lo1, total - m2 * hi2), min(m1 * hi1, total - m2 * lo2) + 1, dtype=np.int64)
    least = _least_squares(m1, first) + _least_squares(m2, total - first)
    most = _most_squares(m1, lo1, hi1, first) + _most_squares(m2, lo2, hi2, total - first)
    return int(least.min()), int(most.max())


def saddle_tilt(runs: list[Span], total: int, target: float) -> tuple[float, float]:
    """The (a, b) at which independent tilted entries have sum ``total`` and sum of squares ``target`` on average.

    Minimises :math:`\\Lambda` of the module Notes with scipy's trust-region
    Newton method; when the target lies on the edge of what the box allows (no
    finite minimum), the last iterate is returned, which keeps the draws exact.
    """
    n = sum(m for m, _, _ in runs)
    centre = total / n
    scale = max(1.0, (max(hi for _, _, hi in runs) - min(lo for _, lo, _ in runs)) / 2)
    features = [(m, np.stack([(v := (np.arange(lo, hi + 1) - centre) / scale), v * v])) for m, lo, hi in runs]
    goal = np.array([0.0, (target - total * total / n) / scale**2])  # sum(u) is 0 at the total

    def objective(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        value, gradient, hessian = -float(theta @ goal), -goal.copy(), np.zeros((2, 2))
        for m, phi in features:
            exponent = theta @ phi
            log_z = float(special.logsumexp(exponent))
            p = np.exp(exponent - log_z)
            mean = phi @ p
            value += m * log_z
            gradient += m * mean
            hessian += m * ((phi * p) @ phi.T - np.outer(mean, mean))
        return value, gradient, hessian

    result = optimize.minimize(
        lambda t: objective(t)[0],
        np.zeros(2),
        jac=lambda t: objective(t)[1],
        hess=lambda t: objective(t)[2],
        method="trust-exact",
        options={"maxiter": 200, "gtol": 1e-10},
    )
    alpha, beta = (float(x) for x in result.x) if np.all(np.isfinite(result.x)) else (0.0, 0.0)
    # alpha u + beta u^2 = a v + b v^2 + constant
    return alpha / scale - 2 * beta * centre / scale**2, beta / scale**2


def _sum_ranges(bounds: NDArray[np.int64], total: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each layer j = 1..n, the least and largest sum of x_1..x_j on some sequence with sum ``total``."""
    lows, highs = np.cumsum(bounds[:, 0]), np.cumsum(bounds[:, 1])
    return np.maximum(lows, total - (highs[-1] - highs)), np.minimum(highs, total - (lows[-1] - lows))


def _bounds(runs: list[Span]) -> tuple[list[int], NDArray[np.int64]]:
    positions = [g for g, (m, _, _) in enumerate(runs) for _ in range(m)]
    return positions, np.array([runs[g][1:] for g in positions], dtype=np.int64).reshape(-1, 2)


def table_size(runs: list[Span], total: int) -> tuple[int, int]:
    """How many sums :func:`sum_table` stores over all layers (with padding) and how many terms it computes."""
    _, bounds = _bounds(runs)
    starts, stops = _sum_ranges(bounds, total)
    rows, widths = stops - starts + 1, bounds[:, 1] - bounds[:, 0] + 1
    return int((2 * rows + widths - 1).sum()), int((rows * widths).sum())


def sum_table(runs: list[Span], log_weights: list[NDArray[np.float64]], total: int) -> tuple[list[Layer], float]:
    """Every layer of the table over sums (module Notes) and :math:`\\log F_n(T)`.

    ``log_weights[g]`` holds :math:`\\log w(v)` for v = lo, ..., hi of span g.
    """
    positions, bounds = _bounds(runs)
    starts, stops = _sum_ranges(bounds, total)
    log_f, f_lo, layers = np.zeros(1), 0, []
    for g, (lo, hi), s_lo, s_hi in zip(positions, bounds.tolist(), starts.tolist(), stops.tolist(), strict=True):
        pad_lo = s_lo - hi
        padded = np.full(s_hi - lo - pad_lo + 1, -np.inf)
        first, last = max(f_lo, pad_lo), min(f_lo + log_f.size - 1, s_hi - lo)
        padded[first - pad_lo : last - pad_lo + 1] = log_f[first - f_lo : last - f_lo + 1]
        windows = sliding_window_view(padded, hi - lo + 1)[:, ::-1]  # row s - s_lo, column v - lo
        log_f, log_max = np.empty(s_hi - s_lo + 1), np.empty(s_hi - s_lo + 1)
        step = max(1, _CHUNK_CELLS // (hi - lo + 1))
        for start in range(0, log_f.size, step):
            block = windows[start : start + step]
            log_max[start : start + step] = block.max(axis=1)
            terms = block + log_weights[g]
            top = terms.max(axis=1)
            log_f[start : start + step] = top + np.log(np.exp(terms - top[:, None]).sum(axis=1))
        layers.append(Layer(g, s_lo, log_max, padded, pad_lo))
        f_lo = s_lo
    return layers, float(log_f[0])
