"""What one printed paired result allows: every vector of individual changes, drawn exactly uniformly.

CLOSURE and SPRITE ask which samples a printed mean and SD allow; this module
asks it of a paired result, with its CI, p, t and dz as well. A row of a
results table (:class:`~cnslbp_lib.paper.paired_result.PairedResult`) fixes:

- **the total change** (GRIM): the changes are whole multiples of the score
  step, so their total is a whole number of steps whose mean over n prints as
  the printed mean change;
- **the sum of squares**: a paired t-test's mean, SD, CI, t, p and dz depend on
  the changes only through their total and sum of squares, so each candidate
  sum of squares is kept when every one of those numbers that is printed lies
  in its printed value's rounding interval;
- **the bounds**: no change can exceed the scale's range.

Within those sets every participant-labelled vector is equally likely
(:func:`cnslbp_lib.stats.vectors.sample_vectors`: the lattice where its tables
fit, the tilted sampler otherwise). When several totals fit, each is drawn in
proportion to its count, so the mixture is uniform exactly when the counts are
exact and approximately when they are estimates (the result says which).
Responder counts are not used: a results table prints no threshold.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

from ..exceptions import EmptyLatticeError
from ..stats.lattice import VectorConstraints
from ..stats.vectors import VectorCount, count_vectors, sample_vectors
from .paired_checks import check_paired_result
from .paired_result import PairedResult, ParsedResult, parse_paired_result
from .printed import Interval

__all__ = ["RowEnsemble", "RowSet", "conflicting_columns", "row_ensemble", "row_set", "suspects"]

# the printed numbers a total and a sum of squares determine, in the order a message names them
_T_COLUMNS = ("mean_change", "change_sd", "ci_low", "ci_high", "t", "p", "effect_size")


@dataclass(frozen=True)
class RowSet:
    """What a printed result fixes about its changes: the step, the bounds, and the (total, sums of squares) pairs.

    Totals and sums of squares are in steps of the score; ``used`` names the printed columns that constrained them.
    """

    id: str
    n: int
    step: Fraction
    low: int
    high: int
    candidates: tuple[tuple[int, tuple[int, ...]], ...]
    used: tuple[str, ...]

    def constraints(self, total: int, squares: tuple[int, ...]) -> VectorConstraints:
        return VectorConstraints(n=self.n, low=self.low, high=self.high, total=total, sums_of_squares=squares)


def _interval(row: ParsedResult, column: str) -> Interval | None:
    printed = row.values.get(column)
    return None if printed is None else printed.interval("nearest")


def _needs(row: ParsedResult) -> str:
    missing = [name for name, ok in (("n", row.n), ("score_step", row.score_step), ("scale", row.scale)) if not ok]
    if "mean_change" not in row.values and not ("ci_low" in row.values and "ci_high" in row.values):
        missing.append("mean_change (or a CI)")
    return ", ".join(missing)


def _statistics(row: ParsedResult, n: int, total: int, squares: np.ndarray, step: float) -> dict[str, np.ndarray]:
    """Every t-based printed quantity for each sum of squares (changes in steps of ``step`` summing to ``total``).

    p is not among them: :func:`_candidates` turns a printed p into the |t| it allows (p falls as |t| rises),
    which costs two quantiles instead of a t tail area for every sum of squares.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n * step
        sd = np.sqrt((squares - total**2 / n) / (n - 1)) * step
        se = sd / math.sqrt(n)
        level = row.ci_level
        quantile = stats.norm.ppf((1 + level) / 2) if row.ci_method == "z" else stats.t.ppf((1 + level) / 2, n - 1)
        t = mean / se
        found = {
            "mean_change": np.full(squares.size, mean),
            "change_sd": sd * math.sqrt(n) if row.dispersion == "sem" else sd,
            "ci_low": mean - quantile * se,
            "ci_high": mean + quantile * se,
            "t": t,
        }
        if row.dispersion == "sem":
            found["change_sd"] = se  # the printed "SD" holds the standard error
        if row.effect_size_type in (None, "dz", "srm"):
            found["effect_size"] = mean / sd
    return found


def _t_for_p(printed: Interval, df: int) -> Interval:
    """The |t| on ``df`` degrees of freedom whose two-sided p lies in ``printed`` (an open end where p reaches 0)."""
    low_p, high_p = max(printed.low, 0.0), min(printed.high, 1.0)
    smallest = float(stats.t.isf(high_p / 2, df)) if high_p < 1 else 0.0
    largest = float(stats.t.isf(low_p / 2, df)) if low_p > 0 else math.inf
    return Interval(smallest, largest)


def _fits(printed: Interval, values: np.ndarray, *, sign_free: bool) -> np.ndarray:
    """Which values lie in the printed interval (for a size printed without its sign, either sign)."""
    low, high = printed.low, printed.high
    inside = (values >= low - 1e-12 * abs(low)) & (values <= high + 1e-12 * abs(high))
    if sign_free:
        inside |= (-values >= low - 1e-12 * abs(low)) & (-values <= high + 1e-12 * abs(high))
    return np.asarray(inside & np.isfinite(values))


def row_set(result: PairedResult) -> RowSet:
    """The totals and sums of squares a printed result allows, in steps of its score.

    Raises
    ------
    EmptyLatticeError
        When the row lacks what a set needs (n, the score step, the scale, a mean
        change), or when its printed numbers cannot hold together: the message
        names the printed numbers involved.

    Examples
    --------
    >>> found = row_set(PairedResult(id="piq", n="14", scale_min="0", scale_max="70", score_step="1",
    ...                              mean_change="−18.79", ci_low="−29.87", ci_high="−7.70", p="0.003"))
    >>> found.candidates, found.used
    (((-263, (9729, 9731, 9733, 9735)),), ('mean_change', 'ci_low', 'ci_high', 'p'))
    """
    row = parse_paired_result(result)
    missing = _needs(row)
    if missing or row.n is None or row.score_step is None or row.scale is None:
        raise EmptyLatticeError(f"row {result.id!r}: drawing its changes needs {missing}")
    n, step = row.n, row.score_step
    span = int((row.scale[1] - row.scale[0]) / step)
    mean = _mean_interval(row)
    assert mean is not None  # _needs checked a mean change or a CI is printed
    totals = _totals(row, span, mean)
    if not totals:
        raise EmptyLatticeError(
            f"row {result.id!r}: no total of {n} changes in steps of {step} has a mean in the printed interval "
            f"{mean.low:g} to {mean.high:g} (GRIM)"
        )
    used = tuple(column for column in _T_COLUMNS if column in row.values)
    candidates = _candidates(row, totals, span, used)
    if not candidates:
        raise EmptyLatticeError(f"row {result.id!r}: {_conflict(row, totals, span, used)}")
    return RowSet(result.id, n, step, -span, span, tuple(candidates), used)


def _mean_interval(row: ParsedResult, *, use_mean: bool = True) -> Interval | None:
    """The mean change's interval: as printed (``use_mean``), else the CI's midpoint; None without either.

    A mean change printed without its sign (its size, beside a CI on the other side of zero) takes the CI's sign.
    """
    low, high = _interval(row, "ci_low"), _interval(row, "ci_high")
    midpoint = None if low is None or high is None else Interval((low.low + high.low) / 2, (low.high + high.high) / 2)
    mean = _interval(row, "mean_change") if use_mean else None
    if mean is None:
        return midpoint
    turned = Interval(-mean.high, -mean.low)
    if midpoint is not None and not mean.intersects(midpoint) and turned.intersects(midpoint):
        return turned
    return mean


def _totals(row: ParsedResult, span: int, mean: Interval) -> list[int]:
    """GRIM: the whole totals of steps whose mean over n lies in ``mean``, within the scale."""
    n, step = row.n or 0, float(row.score_step or 1)
    first, last = math.ceil(mean.low * n / step - 1e-9), math.floor(mean.high * n / step + 1e-9)
    return [total for total in range(first, last + 1) if abs(total) <= n * span]


def _conflict(row: ParsedResult, totals: list[int], span: int, used: tuple[str, ...]) -> str:
    """Which printed numbers cannot hold together, in words: those whose removal would leave changes allowed."""
    culprits = _culprits(row, totals, span, used)
    texts = {column: row.values[column].text for column in used}
    named = ", ".join(f"{column} {texts[column]}" for column in used)
    if not culprits:
        return f"no set of {row.n} changes reproduces {named} together, nor any of them without one other"
    alone = " or ".join(f"{column} ({texts[column]})" for column in culprits)
    return (
        f"no set of {row.n} changes reproduces {named} together; without {alone} some do, so "
        f"{'that number does' if len(culprits) == 1 else 'one of those numbers does'} not hold with the others"
    )


def conflicting_columns(result: PairedResult) -> tuple[str, ...]:
    """The printed columns without any one of which the result's changes could be drawn (empty if none helps).

    Only meaningful for a result whose printed numbers cannot hold together;
    for one that can, every column qualifies trivially and the answer is empty.

    Examples
    --------
    >>> conflicting_columns(PairedResult(id="pseq", n="14", scale_min="0", scale_max="60", score_step="1",
    ...                                  mean_change="17.93", ci_low="6.03", ci_high="29.83", p="0.007"))
    ('p',)
    """
    row = parse_paired_result(result)
    if _needs(row) or row.n is None or row.score_step is None or row.scale is None:
        return ()
    span = int((row.scale[1] - row.scale[0]) / row.score_step)
    mean = _mean_interval(row)
    if mean is None:
        return ()
    totals = _totals(row, span, mean)
    used = tuple(column for column in _T_COLUMNS if column in row.values)
    if not totals or _candidates(row, totals, span, used):
        return ()
    return _culprits(row, totals, span, used)


def _culprits(row: ParsedResult, totals: list[int], span: int, used: tuple[str, ...]) -> tuple[str, ...]:
    """The columns in ``used`` without any one of which some sum of squares fits the rest.

    Without the mean change, the totals come from the CI's midpoint (when a CI is printed).
    """
    found = []
    for column in used:
        rest = tuple(other for other in used if other != column)
        if column == "mean_change":
            midpoint = _mean_interval(row, use_mean=False)
            if midpoint is not None and _candidates(row, _totals(row, span, midpoint), span, rest):
                found.append(column)
        elif _candidates(row, totals, span, rest):
            found.append(column)
    return tuple(found)


def _candidates(
    row: ParsedResult, totals: list[int], span: int, used: tuple[str, ...]
) -> list[tuple[int, tuple[int, ...]]]:
    """Each total with the sums of squares that reproduce every printed column in ``used``."""
    n, step = row.n or 0, float(row.score_step or 1)
    candidates = []
    for total in totals:
        start = math.ceil(total**2 / n)
        start += (start - total) % 2  # a sum of squares has the parity of the total
        squares = np.arange(start, n * span**2 + 1, 2, dtype=np.int64)
        computed = _statistics(row, n, total, squares.astype(float), step)
        keep = np.ones(squares.size, dtype=bool)
        for column in used:
            printed = _interval(row, column)
            if printed is not None and column == "p":
                keep &= _fits(_t_for_p(printed, n - 1), np.abs(computed["t"]), sign_free=False)
            elif printed is not None and column in computed:
                # sizes: an effect size, a t printed without its sign, a mean change printed as a size (the totals
                # already carry the sign the CI gives it)
                sign_free = column in ("effect_size", "mean_change") or (
                    column == "t" and row.values[column].value >= 0
                )
                keep &= _fits(printed, computed[column], sign_free=sign_free)
        if keep.any():
            candidates.append((total, tuple(int(value) for value in squares[keep])))
    return candidates


@dataclass(frozen=True)
class RowEnsemble:
    """Change vectors drawn uniformly from what a printed result allows (in points), and how many there are.

    ``counts`` are the sizes of each total's set (exact or estimated); ``exact``
    says whether every count is exact (so the mixture over totals is exactly uniform).
    """

    set: RowSet
    changes: np.ndarray
    method: str
    counts: tuple[VectorCount, ...]

    @property
    def exact(self) -> bool:
        return all(count.exact for count in self.counts)

    @property
    def log10_count(self) -> float:
        """log10 of the number of vectors allowed (the sum over totals)."""
        logs = [count.log10_count for count in self.counts]
        top = max(logs)
        return top + math.log10(sum(10 ** (value - top) for value in logs))

    def to_csv(self) -> str:
        """``member,participant,change`` lines, one per participant of each member (changes in points)."""
        width = max(2, len(str(self.set.n)))
        lines = ["member,participant,change"]
        for member, row in enumerate(self.changes):
            lines += [f"{member},P{position:0{width}d},{_points(value)}" for position, value in enumerate(row, 1)]
        return "\n".join(lines) + "\n"


def _points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def row_ensemble(result: PairedResult, members: int, *, seed: int) -> RowEnsemble:
    """Draw ``members`` change vectors uniformly from everything one printed result allows.

    Raises
    ------
    EmptyLatticeError
        When the row allows nothing (the message names the printed numbers that
        cannot hold together) or lacks what drawing needs.
    SamplingBudgetError
        When the allowed set is too thin to draw from within the sampler's budget.

    Examples
    --------
    >>> drawn = row_ensemble(PairedResult(id="x", n="5", scale_min="0", scale_max="10", score_step="1",
    ...                                   mean_change="2.00", change_sd="1.58"), 3, seed=1)
    >>> drawn.changes.sum(axis=1).tolist(), drawn.method, drawn.exact
    ([10.0, 10.0, 10.0], 'lattice', True)
    """
    if members < 1:
        raise ValueError(f"members must be at least 1; got {members!r}")
    found = row_set(result)
    rng = np.random.default_rng(seed)
    counts = tuple(count_vectors(found.constraints(total, squares), rng) for total, squares in found.candidates)
    weights = np.array([count.count for count in counts], dtype=float)
    chosen = (
        rng.choice(len(counts), size=members, p=weights / weights.sum())
        if len(counts) > 1
        else np.zeros(members, dtype=int)
    )
    changes = np.zeros((members, found.n))
    methods = set()
    for index, (total, squares) in enumerate(found.candidates):
        rows = np.flatnonzero(chosen == index)
        if rows.size:
            drawn = sample_vectors(found.constraints(total, squares), int(rows.size), rng)
            changes[rows] = drawn.vectors * float(found.step)
            methods.add(drawn.method)
    return RowEnsemble(found, changes, " and ".join(sorted(methods)), counts)


# the printed numbers of a paired t-test, in the order a results table gives them
_TABLE_COLUMNS = ("mean_change", "ci_low", "ci_high", "change_sd", "t", "p", "effect_size")


def _without(result: PairedResult, column: str) -> PairedResult:
    return PairedResult.from_mapping({**asdict(result), column: None})


def suspects(result: PairedResult) -> tuple[str, ...]:
    """The printed t-test numbers any one of which, set aside, lets the rest of the row hold together.

    Exactly, where the row's changes can be enumerated (whole totals and sums of squares on the score's grid:
    :func:`conflicting_columns`); otherwise by the engine's interval checks,
    which do not use the grid and so may name more numbers.
    """
    exact = conflicting_columns(result)
    if exact:
        return exact
    printed = [column for column in _TABLE_COLUMNS if getattr(result, column) is not None]
    return tuple(column for column in printed if check_paired_result(_without(result, column)).verdict == "consistent")
