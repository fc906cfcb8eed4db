"""Checks that use what scores can be: GRIM, GRIMMER, the scale's limits and a responder count.

Scores move in steps (``score_step``: 1 for whole points, 1/k for the mean
of k whole-point items), so a mean of n of them moves in steps of step/n, and
a sum of squares has the parity of the sum. These checks are exact: they
work in fractions, never in floating point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from .formatting import MINUS, format_number
from .paired_intervals import Outcome, Reading, Unavailable, change_size, describe, spread, value
from .paired_result import ParsedResult
from .printed import Interval
from .t_test_checks import CheckSpec

__all__ = ["GRANULARITY_CHECKS", "grim_totals", "grimmer_sums"]

_SEARCH_LIMIT = 10_000


def grim_totals(low: Fraction, high: Fraction, n: int, step: Fraction, offset: Fraction = Fraction(0)) -> range:
    """Whole totals S (counted in steps) whose mean ``offset + step·S/n`` lies in [low, high].

    >>> grim_totals(Fraction("-18.795"), Fraction("-18.785"), 14, Fraction(1))
    range(-263, -262)
    """
    return range(math.ceil((low - offset) * n / step), math.floor((high - offset) * n / step) + 1)


def grimmer_sums(totals: range, variance: tuple[Fraction, Fraction], n: int) -> tuple[int, int] | None:
    """A (sum, sum of squares) of n whole numbers with a sum in ``totals`` and a variance in ``variance``.

    Notes
    -----
    With sum S and sum of squares Q of whole numbers, the sample variance is
    :math:`(Q - S^2/n)/(n-1)`, so Q must be a whole number in
    :math:`[S^2/n + (n-1)v_{lo},\\ S^2/n + (n-1)v_{hi}]`, and since
    :math:`y^2 \\equiv y \\pmod 2`, Q has the parity of S (A-GRIMMER).
    Returns the first pair found, or None when there is none.

    References
    ----------
    Anaya J. The GRIMMER test. PeerJ Preprints 2016;4:e2400v1. Allard A.
    A-GRIMMER (2018), as implemented in the R package scrutiny.

    Examples
    --------
    Two whole numbers summing to 4 can have variance 2 ({1, 3}: Q = 10), but
    none summing to 5 can (Q would be 16.5):

    >>> grimmer_sums(range(4, 5), (Fraction(2), Fraction(2)), 2)
    (4, 10)
    >>> grimmer_sums(range(5, 6), (Fraction(2), Fraction(2)), 2) is None
    True
    """
    for total in totals:
        base = Fraction(total * total, n)
        first = math.ceil(base + (n - 1) * variance[0])
        first += (first - total) % 2
        if first <= base + (n - 1) * variance[1]:
            return total, first
    return None


def _lattice(row: ParsedResult, column: str) -> tuple[Fraction, Fraction]:
    """The step of scores and where their lattice starts (a stage's scale minimum; 0 for changes)."""
    step = row.score_step or Fraction(1)
    if column == "mean_change" or row.scale is None:
        return step, Fraction(0)
    return step, row.scale[0] % step


def _fraction_words(number: Fraction) -> str:
    sign = MINUS if number < 0 else ""
    size = abs(number)
    return sign + (str(size.numerator) if size.denominator == 1 else f"{size.numerator}/{size.denominator}")


def grim(column: str) -> Callable[[ParsedResult, Reading], Outcome | Unavailable]:
    """GRIM for one printed mean: some whole total over n must print as the mean."""

    def evaluate(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
        printed = row.values.get(column)
        if printed is None or row.n is None or row.score_step is None:
            return Unavailable(f"needs {column}, n and score_step")
        low, high = printed.bounds(reading.rounding)
        if low is None or high is None:  # pragma: no cover - means are never inequalities
            return Unavailable(f"needs {column} printed as a number")
        step, offset = _lattice(row, column)
        n = row.n
        spacing = step / n
        if high - low >= spacing:
            return Unavailable(
                f"cannot fail: means of {n} scores in steps of {_fraction_words(step)} lie "
                f"{float(spacing):.4g} apart, closer than {printed.decimals} printed decimals can tell"
            )
        totals = grim_totals(low, high, n, step, offset)
        head = f"A mean of {n} scores in steps of {_fraction_words(step)} is a multiple of {_fraction_words(spacing)}"
        head += f" from {_fraction_words(offset)}. " if offset else ". "
        if totals:
            mean = offset + step * totals[0] / n
            detail = head + f"{_fraction_words(mean)} = {format_number(float(mean), 4)} prints as {printed.text}."
            return Outcome(True, detail, Interval.point(float(mean)))
        below = offset + spacing * math.floor((low - offset) / spacing)
        above = below + spacing
        detail = head + (
            f"No such mean prints as {printed.text}: the nearest, {float(below):.4f} and {float(above):.4f}, do not."
        )
        return Outcome(False, detail, Interval(float(below), float(above)))

    return evaluate


def grimmer(mean_column: str, sd_column: str) -> Callable[[ParsedResult, Reading], Outcome | Unavailable]:
    """GRIMMER for one printed mean and SD: some whole data must give both."""

    def evaluate(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
        mean, sd = row.values.get(mean_column), row.values.get(sd_column)
        if mean is None or sd is None or row.n is None or row.score_step is None:
            return Unavailable(f"needs {mean_column}, {sd_column}, n and score_step")
        n = row.n
        step, offset = _lattice(row, mean_column)
        (low, high), (sd_low, sd_high) = mean.bounds(reading.rounding), sd.bounds(reading.rounding)
        if low is None or high is None or sd_low is None or sd_high is None:  # pragma: no cover
            return Unavailable("needs the mean and SD printed as numbers")
        totals = grim_totals(low, high, n, step, offset)
        scale = Fraction(n) if reading.sem else Fraction(1)  # SD² = SEM²·n
        variance = (max(sd_low, Fraction(0)) ** 2 * scale / step**2, sd_high**2 * scale / step**2)
        if not totals:
            return Unavailable(f"needs a mean that passes GRIM ({mean_column} does not)")
        if (n - 1) * (variance[1] - variance[0]) >= 2 or len(totals) > _SEARCH_LIMIT:
            return Unavailable(
                f"cannot fail: with n = {n} an SD printed to {sd.decimals} decimals spans every possible sum of squares"
            )
        found = grimmer_sums(totals, variance, n)
        words = "SEM" if reading.sem else "SD"
        if found is not None:
            total, squares = found
            value_sd = float(step) * math.sqrt(float((squares - Fraction(total * total, n)) / (n - 1)))
            shown = value_sd / math.sqrt(n) if reading.sem else value_sd
            shown_mean, shown_total = format_number(float(offset + step * total / n), 4), format_number(total, 0)
            detail = (
                f"{n} scores in steps of {_fraction_words(step)} with a sum of {shown_total} steps and a sum of "
                f"squares of {squares} give the mean {shown_mean} and the {words} {shown:.4f}, which print as "
                f"{mean.text} and {sd.text}."
            )
            return Outcome(True, detail, Interval.point(shown))
        detail = (
            f"No {n} scores in steps of {_fraction_words(step)} with a mean that prints as {mean.text} have an "
            f"{words} that prints as {sd.text}: each possible sum needs a sum of squares of its own parity in a "
            f"range that holds none."
        )
        return Outcome(False, detail, None)

    return evaluate


def _largest_variance(low: float, high: float, a: float, b: float) -> float:
    """max of (μ − a)(b − μ) for μ in [low, high] ∩ [a, b]: the largest population variance on [a, b]."""
    centre = min(max((a + b) / 2, low), high)
    return max((centre - a) * (b - centre), 0.0)


def _sd_limits(row: ParsedResult, reading: Reading, a: float, b: float) -> tuple[list[str], list[str]]:
    """The SDs checked against the largest SD a variable on [a, b] can have, and those that exceed it."""
    found: list[str] = []
    problems: list[str] = []
    if row.n is None:
        return found, problems
    reach = b - a
    size = change_size(row, reading)
    for sd_column, mean_column in (("pre_sd", "pre_mean"), ("post_sd", "post_mean"), ("change_sd", "mean_change")):
        sd, mean = spread(row, sd_column, reading), value(row, mean_column, reading)
        if sd is None or mean is None:
            continue
        if mean_column == "mean_change":
            least = size.interval.low if size is not None else 0.0
            variance = max(reach * reach - least * least, 0.0)
        else:
            variance = _largest_variance(mean.low, mean.high, a, b)
        largest = math.sqrt(row.n / (row.n - 1) * variance)
        found.append(sd_column)
        if sd.low > largest * (1 + 1e-9):
            text = row.values[sd_column].text
            problems.append(f"{sd_column} {text} exceeds the largest SD possible there, {largest:.3f}")
    return found, problems


def scale_limits(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """Means inside the scale, the change inside ± its range, each SD at most what a bounded variable allows.

    Notes
    -----
    A variable on [a, b] with mean μ has population variance at most
    (μ − a)(b − μ), so its sample SD (n − 1) is at most
    :math:`\\sqrt{n/(n-1)\\,(\\mu-a)(b-\\mu)}`; a change lies on [−R, R] with
    R = b − a. The bound is taken at the μ in the printed mean's interval that
    allows most.
    """
    if row.scale is None:
        return Unavailable("needs scale_min and scale_max")
    a, b = float(row.scale[0]), float(row.scale[1])
    found: list[str] = []
    problems: list[str] = []
    for column in ("pre_mean", "post_mean"):
        interval = value(row, column, reading)
        if interval is not None:
            found.append(column)
            if not interval.intersects(Interval(a, b)):
                problems.append(f"{column} {row.values[column].text} lies outside the scale")
    size = change_size(row, reading)
    if size is not None:
        found.append("the mean change")
        if size.interval.low > (b - a) * (1 + 1e-9):
            shown = describe(size.interval, 2)
            problems.append(f"the mean change ({shown} in size) exceeds the scale's range {b - a:g}")
    sds_found, sd_problems = _sd_limits(row, reading, a, b)
    found, problems = found + sds_found, problems + sd_problems
    if not found:
        return Unavailable("needs a mean, a mean change or an SD beside the scale")
    head = f"On the scale {row.scale[0]} to {row.scale[1]}, checked: {', '.join(found)}. "
    if problems:
        return Outcome(False, head + "; ".join(problems).capitalize() + ".", Interval(a, b))
    return Outcome(True, head + "Every value fits.", Interval(a, b))


def _percentage(row: ParsedResult, reading: Reading, k: int | None, total: int, note: str) -> Outcome | Unavailable:
    """The printed responder percentage against k of ``total`` (any k when k is not printed)."""
    printed = row.values["responder_pct"]
    low, high = printed.bounds(reading.rounding)
    if low is None or high is None:  # pragma: no cover - percentages are never inequalities
        return Unavailable("needs responder_pct printed as a number")
    first, last = max(math.ceil(low * total / 100), 0), min(math.floor(high * total / 100), total)
    counts = [k] if k is not None else range(first, last + 1)
    matching = [count for count in counts if low <= Fraction(100 * count, total) <= high]
    shown = printed.text if printed.percent else f"{printed.text}%"
    if matching:
        share = 100 * matching[0] / total
        detail = f"{matching[0]}/{total} = {share:.3f}%, which prints as {shown}."
        return Outcome(True, detail, Interval.point(share), note=note)
    nearest = k if k is not None else round(float(low + high) / 200 * total)
    share = 100 * nearest / total
    detail = (
        f"No count out of {total} gives {shown}: {nearest}/{total} = {share:.3f}%, which rounds to "
        f"{format_number(share, min(printed.decimals, 12))}%."
    )
    return Outcome(False, detail, Interval.point(share), note=note)


def responder(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The responder percentage against k of n (and k ≤ n, responder_n ≤ n)."""
    total = row.responder_n if row.responder_n is not None else row.n
    k = row.responder_k
    if total is None or (k is None and "responder_pct" not in row.values):
        return Unavailable("needs responder_pct or responder_k, with responder_n or n")
    note = ""
    if row.responder_n is not None and row.n is not None:
        if row.responder_n > row.n:
            return Outcome(False, f"responder_n {row.responder_n} exceeds n {row.n}.", None)
        if row.responder_n < row.n:
            note = f"the responder percentage is of responder_n = {row.responder_n}, fewer than n = {row.n}"
    if k is not None and k > total:
        return Outcome(False, f"responder_k {k} exceeds the {total} people it counts.", None, note=note)
    if "responder_pct" not in row.values:
        return Outcome(True, f"{k} of {total} is possible.", Interval.point(100 * (k or 0) / total), note=note)
    return _percentage(row, reading, k, total, note)


GRANULARITY_CHECKS = (
    CheckSpec("grim_pre_mean", "pre_mean", grim("pre_mean"), ("rounding",)),
    CheckSpec("grim_post_mean", "post_mean", grim("post_mean"), ("rounding",)),
    CheckSpec("grim_mean_change", "mean_change", grim("mean_change"), ("rounding",)),
    CheckSpec("grimmer_pre", "pre_sd", grimmer("pre_mean", "pre_sd"), ("rounding", "dispersion")),
    CheckSpec("grimmer_post", "post_sd", grimmer("post_mean", "post_sd"), ("rounding", "dispersion")),
    CheckSpec("grimmer_change", "change_sd", grimmer("mean_change", "change_sd"), ("rounding", "dispersion")),
    CheckSpec("scale_limits", "scale_max", scale_limits, ("rounding", "dispersion")),
    CheckSpec("responder", "responder_pct", responder, ("rounding",)),
)
"""GRIM, GRIMMER, scale limits and the responder count, in the order they are reported."""
