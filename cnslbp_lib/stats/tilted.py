"""Exact uniform sampling of integer vectors with a fixed sum and sum of squares, for long rows.

:class:`~cnslbp_lib.stats.lattice.VectorLattice` tabulates every (sum, sum of
squares) state, which outgrows memory for long rows on wide scales (n = 100
changes in [-100, 100] need about 10^8 cells a layer). This module draws from
the same set, exactly uniformly, with a table over sums only: every entry is
tilted toward the printed spread, the sum is conditioned on exactly, and a draw
is kept with a probability that undoes the tilt across the allowed sums of
squares. The same draws estimate the size of the set, with a standard error.

Notes
-----
**Sequences.** As in :mod:`~cnslbp_lib.stats.lattice`, with a cut and a count k
the first k positions take values in :math:`V^+` and the others in :math:`V^-`;
a uniformly random permutation of the positions turns a uniform sequence into a
uniform labelled vector, and the labelled count is :math:`\\binom{n}{k}` times the
sequence count. Without a cut every :math:`V_j = [\\mathrm{low}, \\mathrm{high}]`.

**Tilt.** Give value v at position j the weight
:math:`w_j(v) = e^{av + bv^2} / Z_j` with :math:`Z_j = \\sum_{v \\in V_j} e^{av + bv^2}`.
With :math:`F_0(0) = 1` and :math:`F_j(s) = \\sum_{v \\in V_j} w_j(v) F_{j-1}(s - v)`, the
tilted law of a sequence x conditioned on its sum T is

.. math:: P(x) = \\frac{\\prod_j w_j(x_j)}{F_n(T)}
          = \\frac{e^{aT + b\\,q(x)}}{F_n(T) \\prod_j Z_j}, \\qquad q(x) = \\sum_j x_j^2,

proportional to :math:`e^{b\\,q(x)}` over the sequences with sum T: a cancels.

**Backward draw.** Given the sum s of :math:`x_1, \\dots, x_j`,
:math:`P(x_j = v \\mid s) = w_j(v) F_{j-1}(s - v) / F_j(s)`. A proposal v from
:math:`w_j` (an alias table: Devroye 1986, below) is accepted with probability
:math:`F_{j-1}(s - v) / M_j(s)`, :math:`M_j(s) = \\max_{u \\in V_j} F_{j-1}(s - u)`; an
accepted value has exactly that conditional law, whatever the round. A row still
refused after a few rounds draws from the conditional law directly, which
leaves the outcome's law unchanged.

**Keeping a draw.** Let :math:`\\mathcal{Q}^*` be the allowed sums of squares that
can occur (below), :math:`q_0 = \\min \\mathcal{Q}^*` if :math:`b \\ge 0` and
:math:`\\max \\mathcal{Q}^*` otherwise, and
:math:`\\alpha(q) = 1\\{q \\in \\mathcal{Q}\\}\\, e^{-b(q - q_0)} \\le 1`. Keeping a draw with
probability :math:`\\alpha(q(x))` gives every sequence of the set S the same
probability :math:`P(x)\\alpha(q(x)) = e^{aT + bq_0} / (F_n(T) \\prod_j Z_j)` and every
other sequence none: kept draws are exactly uniform.

**Count.** Summing that constant over S,

.. math:: |S| = F_n(T)\\, e^{L}\\, \\mathbb{E}_P[\\alpha(q)], \\qquad
          L = \\sum_j \\log \\sum_{v \\in V_j} e^{a(v - T/n) + b(v^2 - q_0/n)},

estimated by the mean of :math:`\\alpha` over N draws, with standard error
:math:`F_n(T) e^L \\mathrm{sd}(\\alpha) / \\sqrt{N}`, and the labelled count is
:math:`\\binom{n}{k}` times that. Averaging keep probabilities rather than
keep/drop outcomes is a Rao–Blackwell step: never a larger variance.

**Choosing the tilt and the table over sums.** See
:mod:`~cnslbp_lib.stats.tilted_table`, which also finds exactly when no vector
can meet the total or the sums of squares.

**Precision and cost.** The alias table (scipy's ``DiscreteAliasUrn``) holds
:math:`w_j` to float64 precision, so a value whose weight is below about
:math:`2^{-53}` of the total is almost never proposed; the direct draw after R
rounds still gives it its due, and each step's law is off by at most about
:math:`R\\,|V_j|\\,2^{-53}`, the order of float64 rounding in the lattice. A position
costs about 1.5 proposals; a draw is kept with probability about
:math:`2|\\mathcal{Q}^*| / (\\sqrt{2\\pi}\\,\\mathrm{sd}(q))` (0.35% for n = 100 on
[-100, 100] with 15 allowed sums of squares).

References
----------
Devroye, L. (1986). *Non-Uniform Random Variate Generation*. Springer:
the rejection method (II.3) and the alias method (III.4).

Examples
--------
>>> sampler = TiltedSampler(VectorConstraints(n=3, low=-2, high=2, total=0, sums_of_squares=(2,)))
>>> sorted({tuple(vector) for vector in sampler.sample(200, np.random.default_rng(0)).tolist()})
[(-1, 0, 1), (-1, 1, 0), (0, -1, 1), (0, 1, -1), (1, -1, 0), (1, 0, -1)]
>>> count = sampler.estimate_count(20_000, np.random.default_rng(0))  # the set has 6 members
>>> count.exact, round(count.count, 2), round(count.standard_error, 2)
(False, 5.93, 0.04)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats
from scipy.stats.sampling import DiscreteAliasUrn

from ..exceptions import EmptyLatticeError, SamplingBudgetError

# the lattice's helpers are shared, not copied; lattice.py stays untouched (the ensemble's stamp hashes it)
from .lattice import VectorConstraints, _choose, _integer
from .tilted_table import MAX_CELLS, MAX_TERMS, cut_words, reachable_squares, saddle_tilt, spans, sum_table, table_size

__all__ = ["TiltedDraws", "TiltedSampler", "VectorCount"]

# proposals per position before a refused row draws from its conditional law directly
_ROUNDS = 8
# default draw budget, in entries (draws x n): about 15 s of drawing on one core
_DRAW_BUDGET = 2 * 10**8
_FIRST_BLOCK = 4_096  # rows in the first block of draws, at most
_BLOCK_ENTRIES = 2**22  # entries in one block of draws (32 MB of int64), at least 16 rows
# the draw budget gives up early once even the 99.9% upper bound on the keep rate cannot finish in it
_GIVE_UP_CONFIDENCE = 0.999


@dataclass(frozen=True)
class VectorCount:
    """How many labelled vectors satisfy some :class:`VectorConstraints`, exactly or estimated.

    ``count`` is the number (``inf`` beyond float64: read ``log10_count``);
    ``standard_error`` is 0.0 when ``exact``; ``method`` is ``"lattice"`` or
    ``"tilted"``; ``draws`` is how many tilted draws the estimate averages (0 for
    the lattice); ``note`` says in words which it is.
    """

    count: float
    log10_count: float
    standard_error: float
    exact: bool
    method: str
    draws: int
    note: str


@dataclass(frozen=True)
class TiltedDraws:
    """Vectors from :meth:`TiltedSampler.draw`, the draws they took and the count those draws estimate."""

    vectors: NDArray[np.int64]
    draws: int
    kept: int
    count: VectorCount

    @property
    def keep_rate(self) -> float:
        """Share of the tilted draws kept."""
        return self.kept / self.draws


@dataclass
class _Tally:
    """Running sums of the keep probabilities, for the count (module Notes)."""

    draws: int = 0
    total: float = 0.0
    squares: float = 0.0

    def add(self, keep: NDArray[np.float64]) -> None:
        self.draws += keep.size
        self.total += float(keep.sum())
        self.squares += float(keep @ keep)


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")


def _size(size: object, least: int) -> int:
    checked = _integer("size", size)
    if checked < least:
        raise ValueError(f"size must be at least {least}; got {checked}")
    return checked


class TiltedSampler:
    """The labelled integer vectors satisfying some :class:`VectorConstraints`, drawn by tilted draws.

    The same set as :class:`~cnslbp_lib.stats.lattice.VectorLattice`, drawn
    exactly uniformly (module Notes) with a table over sums only; there is no
    exact count, only :meth:`estimate_count`. ``tilt`` holds (a, b).

    Raises
    ------
    EmptyLatticeError
        When no vector can satisfy the constraints for a reason found exactly:
        the cut count, the total, or allowed sums of squares all outside the
        reachable range or of the wrong parity; the message names which.
    SamplingBudgetError
        When the table over sums would exceed its limits (``MAX_CELLS`` sums
        stored, ``MAX_TERMS`` terms computed).
    ValueError
        When a sum of squares could overflow int64.
    """

    def __init__(self, constraints: VectorConstraints) -> None:
        c = self.constraints = constraints
        runs = spans(c)
        if c.n * max(c.low * c.low, c.high * c.high) >= 2**62:
            raise ValueError(f"low, high: sums of squares of {c.n} entries in [{c.low}, {c.high}] overflow int64")
        q_min, q_max = reachable_squares(c)
        squares = np.array([q for q in c.sums_of_squares if (q - c.total) % 2 == 0], dtype=np.int64)
        if squares.size == 0:
            raise EmptyLatticeError(f"sums_of_squares: none has the parity of total={c.total}, as any must")
        self._allowed = squares[(squares >= q_min) & (squares <= q_max)]
        if self._allowed.size == 0:
            raise EmptyLatticeError(
                f"sums_of_squares: every allowed value ({squares[0]} to {squares[-1]}) lies outside "
                f"[{q_min}, {q_max}], the sums of squares of {c.n} integers in [{c.low}, {c.high}] with "
                f"total={c.total}" + cut_words(c)
            )
        cells, terms = table_size(runs, c.total)
        if cells > MAX_CELLS or terms > MAX_TERMS:
            raise SamplingBudgetError(
                f"n, low, high: the table over sums for {c.n} entries in [{c.low}, {c.high}] would need "
                f"{cells:,} cells and {terms:,} terms, beyond the limits of {MAX_CELLS:,} and {MAX_TERMS:,}"
            )
        a, b = self.tilt = saddle_tilt(runs, c.total, (self._allowed[0] + self._allowed[-1]) / 2)
        self._reference = int(self._allowed[0] if b >= 0 else self._allowed[-1])
        self._values: list[NDArray[np.int64]] = []
        self._urns: list[DiscreteAliasUrn] = []
        log_weights: list[NDArray[np.float64]] = []
        log_scale = math.log(math.comb(c.n, c.count_at_least or 0))
        for m, lo, hi in runs:
            values = np.arange(lo, hi + 1, dtype=np.int64)
            squared = (values * values).astype(np.float64)
            log_w = a * values + b * squared
            log_w -= special.logsumexp(log_w)
            log_scale += m * float(
                special.logsumexp(a * (values - c.total / c.n) + b * (squared - self._reference / c.n))
            )
            self._values.append(values)
            log_weights.append(log_w)
            self._urns.append(DiscreteAliasUrn(np.exp(log_w - log_w.max()), random_state=np.random.default_rng(0)))
        self._log_weights = log_weights
        self._layers, log_f = sum_table(runs, log_weights, c.total)
        self._block_rows = max(16, _BLOCK_ENTRIES // c.n)
        self._first_block = min(_FIRST_BLOCK, self._block_rows)
        self._log_scale = log_scale + log_f  # log(binomial(n, k) F_n(T) e^L) of the module Notes

    def _step(self, j: int, s: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.int64]:
        """Each row's value at position j given the sum s of the positions up to it (module Notes)."""
        layer = self._layers[j - 1]
        values, urn = self._values[layer.group], self._urns[layer.group]
        index, ceiling = s - layer.pad_lo, layer.log_max[s - layer.s_lo]
        value = np.empty_like(s)
        pending: NDArray[np.intp] | None = None  # the rows still refused; None while that is every row
        for _ in range(_ROUNDS):
            proposal = values[0] + urn.rvs(index.size, random_state=rng).astype(np.int64)
            accepted = rng.standard_exponential(index.size) > ceiling - layer.padded[index - proposal]
            # refused rows are written too, and overwritten by the round that accepts them
            value[slice(None) if pending is None else pending] = proposal
            refused = np.flatnonzero(~accepted)
            pending = refused if pending is None else pending[refused]
            index, ceiling = index[refused], ceiling[refused]
            if pending.size == 0:
                return value
        terms = layer.padded[index[:, None] - values] + self._log_weights[layer.group]
        value[pending] = values[_choose(np.exp(terms - terms.max(axis=1, keepdims=True)), rng)]
        return value

    def _block(self, size: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """``size`` tilted sequences with sum T, and the probability of keeping each."""
        n = self.constraints.n
        sequences = np.empty((size, n), dtype=np.int64, order="F")  # filled a column at a time
        s = np.full(size, self.constraints.total, dtype=np.int64)
        for j in range(n, 1, -1):
            sequences[:, j - 1] = self._step(j, s, rng)
            s -= sequences[:, j - 1]
        sequences[:, 0] = s
        q = np.einsum("ij,ij->i", sequences, sequences)
        keep = np.where(np.isin(q, self._allowed), np.exp(-self.tilt[1] * (q - self._reference)), 0.0)
        return sequences, keep

    def _thin(self, found: str, draws: int, consequence: str) -> SamplingBudgetError:
        c = self.constraints
        return SamplingBudgetError(
            f"sums_of_squares: {found} of {draws:,} tilted draws with total={c.total} in [{c.low}, {c.high}]"
            f"{cut_words(c)} had an allowed sum of squares ({self._allowed[0]} to {self._allowed[-1]}); "
            f"{consequence}. The set may be empty or too thin to sample; the exact lattice decides when it fits"
        )

    def _estimate(self, tally: _Tally, kept: int | None) -> VectorCount:
        mean = tally.total / tally.draws
        if mean == 0:
            raise self._thin("none", tally.draws, "the count cannot be estimated")
        variance = max(0.0, tally.squares / tally.draws - mean * mean) * tally.draws / max(tally.draws - 1, 1)
        relative = math.sqrt(variance / tally.draws) / mean
        log_count = self._log_scale + math.log(mean)
        count = math.exp(log_count) if log_count < 709 else math.inf
        kept_words = "" if kept is None else f", {kept:,} kept"
        return VectorCount(
            count,
            log_count / math.log(10),
            count * relative,
            exact=False,
            method="tilted",
            draws=tally.draws,
            note=f"estimate from {tally.draws:,} tilted draws{kept_words}; relative standard error {relative:.1%}",
        )

    def _budget(self, max_draws: int | None) -> int:
        if max_draws is None:
            return max(self._first_block, math.ceil(_DRAW_BUDGET / self.constraints.n))
        budget = _integer("max_draws", max_draws)
        if budget < 1:
            raise ValueError(f"max_draws must be at least 1; got {budget}")
        return budget

    def draw(self, size: int, rng: np.random.Generator, *, max_draws: int | None = None) -> TiltedDraws:
        """Draw ``size`` >= 1 vectors exactly uniformly, with the count the same draws estimate.

        Raises :class:`SamplingBudgetError` when ``max_draws`` tilted draws
        (default: 2 x 10^8 / n) cannot give ``size`` vectors; it gives up as
        soon as even the 99.9% upper confidence bound on the keep rate would
        need more draws than remain.
        """
        size, budget, n = _size(size, 1), self._budget(max_draws), self.constraints.n
        _check_rng(rng)
        blocks: list[NDArray[np.int64]] = []
        kept, tally = 0, _Tally()
        while kept < size:
            # aim 20% past the draws the keep rate so far calls for; double while nothing is kept
            want = tally.draws if kept == 0 else math.ceil(1.2 * (size - kept) * tally.draws / kept)
            block = min(max(want, self._first_block), self._block_rows, budget - tally.draws)
            sequences, keep = self._block(block, rng)
            chosen = rng.random(block) < keep
            blocks.append(sequences[chosen])
            kept += int(chosen.sum())
            tally.add(keep)
            if kept < size:
                draws = tally.draws
                rate = 1.0 if kept == draws else float(stats.beta.ppf(_GIVE_UP_CONFIDENCE, kept + 1, draws - kept))
                if draws + (size - kept) / rate > budget:
                    more = f"{size - kept:,} more vectors would take at least {(size - kept) / rate:,.0f} more draws"
                    raise self._thin("none" if kept == 0 else f"only {kept:,}", draws, f"{more}, beyond {budget:,}")
        vectors = np.ascontiguousarray(np.concatenate(blocks)[:size])
        if self.constraints.cut is not None:
            # a uniformly random permutation spreads the k entries >= cut over a uniform k-subset (lattice Notes)
            positions = rng.permuted(np.tile(np.arange(n), (size, 1)), axis=1)
            spread = np.empty_like(vectors)
            spread[np.arange(size)[:, None], positions] = vectors
            vectors = spread
        return TiltedDraws(vectors, tally.draws, kept, self._estimate(tally, kept))

    def sample(self, size: int, rng: np.random.Generator, *, max_draws: int | None = None) -> NDArray[np.int64]:
        """Draw ``size`` vectors independently and exactly uniformly, as a (size, n) int64 array."""
        size = _size(size, 0)
        _check_rng(rng)
        if size == 0:
            return np.empty((0, self.constraints.n), dtype=np.int64)
        return self.draw(size, rng, max_draws=max_draws).vectors

    def estimate_count(self, draws: int, rng: np.random.Generator) -> VectorCount:
        """Estimate the number of labelled vectors from ``draws`` >= 2 tilted draws (module Notes, Count)."""
        draws = _integer("draws", draws)
        if draws < 2:
            raise ValueError(f"draws must be at least 2; got {draws}")
        _check_rng(rng)
        tally = _Tally()
        while tally.draws < draws:
            tally.add(self._block(min(self._block_rows, draws - tally.draws), rng)[1])
        return self._estimate(tally, None)
