"""Checks of a paired t-test's printed numbers against each other: mean change, CI, t, df, p.

Each check takes a read result and a :class:`~.paired_intervals.Reading`
and returns an :class:`~.paired_intervals.Outcome` (consistent or not, with
the interval it computed and a sentence) or an
:class:`~.paired_intervals.Unavailable` naming what it needs. The driver in
:mod:`cnslbp_lib.paper.paired_checks` runs them and tries variants.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from scipy import special

from .formatting import format_number
from .paired_intervals import (
    Estimate,
    Outcome,
    Reading,
    Unavailable,
    change_size,
    ci_half_width,
    ci_midpoint,
    critical_value,
    describe,
    p_from_t,
    ratio,
    scaled,
    spread,
    value,
)
from .paired_result import ParsedResult
from .printed import Interval

__all__ = ["T_TEST_CHECKS", "CheckSpec", "implied_n", "p_places"]

Evaluate = Callable[[ParsedResult, Reading], Outcome | Unavailable]

_SOURCE_WORDS = {"mean_change": "the printed mean change", "ci": "the CI's midpoint", "means": "post − pre"}
_REVERSED = "the mean change is printed as pre − post, or without its sign"


@dataclass(frozen=True)
class CheckSpec:
    """One check: its name, the printed column it tests, its function and the variant dimensions it tries."""

    name: str
    subject: str
    evaluate: Evaluate
    dimensions: tuple[str, ...]


def _places(row: ParsedResult, column: str, extra: int = 2) -> int:
    return row.values[column].decimals + extra


def p_places(interval: Interval, printed_decimals: int) -> int:
    """Decimals that show a p-value interval against a printed p: two more than printed, two significant at least."""
    top = interval.high if math.isfinite(interval.high) else 1.0
    significant = 1 - math.floor(math.log10(top)) if top > 0 else 0
    return min(max(printed_decimals + 2, significant), 8)


def _p_words(interval: Interval, places: int) -> str:
    """A p-value interval in words; one too small for ``places`` decimals is "below 10^−places"."""
    if interval.high < 10.0**-places / 2:
        return f"below {format_number(10.0**-places, places)}"
    return describe(interval, places)


def _size_words(size: Estimate) -> str:
    sources = " and ".join(_SOURCE_WORDS[source] for source in size.sources)
    return f"the mean change ({describe(size.interval, 3)} in size, from {sources})"


def _spread_words(row: ParsedResult, reading: Reading) -> str:
    return f"change {'SEM' if reading.sem else 'SD'} {row.values['change_sd'].text}"


def _quantile_words(row: ParsedResult, reading: Reading, critical: float) -> str:
    level = f"{row.ci_level * 100:g}%"
    if reading.ci_z:
        return f"a {level} CI uses the normal quantile {critical:.4f}"
    df = "?" if row.n is None else row.n - reading.ci_df_drop
    return f"a {level} CI uses t on {df} degrees of freedom, {critical:.4f}"


def _signed_match(printed: Interval, computed: Interval, base: str, reversed_note: str) -> Outcome:
    if printed.intersects(computed):
        return Outcome(True, base + " They agree.", computed)
    if printed.intersects(computed.negated()):
        return Outcome(True, base + " They agree with the sign reversed.", computed.negated(), note=reversed_note)
    return Outcome(False, base + " They cannot both hold, with either sign.", computed)


def mean_change(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed mean change against post − pre of the printed means."""
    change, pre, post = (value(row, column, reading) for column in ("mean_change", "pre_mean", "post_mean"))
    if change is None or pre is None or post is None:
        return Unavailable("needs mean_change, pre_mean and post_mean")
    difference = Interval(post.low - pre.high, post.high - pre.low)
    places = _places(row, "mean_change", 1)
    base = (
        f"Post − pre of the printed means lies in {describe(difference, places)}; the printed mean change "
        f"{row.values['mean_change'].text} stands for {describe(change, places)}."
    )
    return _signed_match(change, difference, base, _REVERSED)


def midpoint(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The CI's midpoint against the printed mean change (or post − pre when no change is printed)."""
    centre = ci_midpoint(row, reading)
    if centre is None:
        return Unavailable("needs ci_low and ci_high")
    change, pre, post = (value(row, column, reading) for column in ("mean_change", "pre_mean", "post_mean"))
    if change is not None:
        subject, words, places = change, f"the printed mean change {row.values['mean_change'].text}", 1
    elif pre is not None and post is not None:
        subject, words, places = Interval(post.low - pre.high, post.high - pre.low), "post − pre of the means", 1
    else:
        return Unavailable("needs mean_change (or pre_mean and post_mean) beside the CI")
    places += max(row.values["ci_low"].decimals, row.values["ci_high"].decimals)
    base = (
        f"A t or z interval is centred on its mean change. The CI {row.values['ci_low'].text} to "
        f"{row.values['ci_high'].text} has its midpoint in {describe(centre, places)}; {words} stands for "
        f"{describe(subject, places)}."
    )
    return _signed_match(subject, centre, base, "the mean change is printed with the opposite sign to its CI")


def implied_n(row: ParsedResult, reading: Reading, width: Interval, printed_spread: Interval) -> tuple[int, int] | None:
    """The sample sizes for which a CI half-width and a printed SD (or SEM) agree; None when none does.

    Notes
    -----
    The half-width is :math:`q_{n}\\,s/\\sqrt n` (SD) or :math:`q_n\\,\\mathrm{SEM}`,
    with :math:`q_n` the t quantile on n − 1 df; both fall as n grows, so the
    sizes that fit form one run of whole numbers, found by bisection. The
    upper end is capped at 10⁷.
    """
    upper = (1 + row.ci_level) / 2
    smallest, cap = reading.ci_df_drop + 1, 10**7

    def scale(n: int) -> float:
        quantile = (
            float(special.ndtri(upper)) if reading.ci_z else float(special.stdtrit(n - reading.ci_df_drop, upper))
        )
        return quantile if reading.sem else quantile / math.sqrt(n)

    def first(predicate: Callable[[int], bool]) -> int:
        low, high = smallest, cap + 1
        while low < high:
            middle = (low + high) // 2
            low, high = (low, middle) if predicate(middle) else (middle + 1, high)
        return low

    from_n = first(lambda n: scale(n) * printed_spread.low <= width.high * (1 + 1e-9))
    past_n = first(lambda n: scale(n) * printed_spread.high < width.low * (1 - 1e-9))
    return (from_n, min(past_n - 1, cap)) if from_n <= past_n - 1 else None


def _implied_n_words(found: tuple[int, int] | None) -> str:
    """The sample sizes that fit a CI's width and an SD, as a sentence."""
    if found is None:
        return "No sample size fits the CI's width and the change SD."
    low, high = found
    sizes = f"{low} or more" if high >= 10**7 else (f"= {low}" if low == high else f"from {low} to {high}")
    return f"The CI's width and the change SD fit together for n {sizes}."


def ci_width(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The CI's half-width against the printed change SD and n (and the n they imply)."""
    width, printed = ci_half_width(row, reading), value(row, "change_sd", reading)
    if width is None or printed is None:
        return Unavailable("needs ci_low, ci_high and change_sd")
    printed = Interval(max(printed.low, 0.0), max(printed.high, 0.0))
    # with z and an SEM the half-width is 1.96·SEM whatever n is, so no n is implied
    implied = "" if reading.ci_z and reading.sem else " " + _implied_n_words(implied_n(row, reading, width, printed))
    sd, critical = spread(row, "change_sd", reading), critical_value(row, reading)
    if row.n is None or sd is None or critical is None:
        return Unavailable("needs n", implied.strip())
    implied_sd = scaled(width, math.sqrt(row.n) / critical)
    places = _places(row, "change_sd")
    detail = (
        f"The half-width of a CI is q·SD/√n, and {_quantile_words(row, reading, critical)}. The printed CI's "
        f"half-width, {describe(width, places)}, implies a change SD of {describe(implied_sd, places)} with "
        f"n = {row.n}; the printed {_spread_words(row, reading)} gives {describe(sd, places)}.{implied}"
    )
    return Outcome(implied_sd.intersects(sd), detail, implied_sd)


def df_matches_n(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed df against n − 1."""
    if "df" not in row.values:
        return Unavailable("needs df")
    if row.n is None or row.n_from_df:
        return Unavailable("needs n printed beside df")
    df, n = row.values["df"].value, row.n
    base = f"A paired t-test on {n} people has n − 1 = {n - 1} degrees of freedom"
    if df == n - 1:
        return Outcome(True, base + ", as printed.", Interval.point(n - 1))
    if df != df.to_integral_value():
        words = "is not a whole number (a fractional df comes from Welch's test of two independent groups)"
    elif df == n - 2:
        words = "is n − 2"
    elif df == 2 * n - 2:
        words = "is 2n − 2, the df of a test of two independent groups of n"
    else:
        words = "differs"
    return Outcome(False, f"{base}; the printed df {row.values['df'].text} {words}.", Interval.point(n - 1))


def t_from_mean_and_sd(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed t against mean change / (change SD / √n)."""
    size, sd, t = change_size(row, reading), spread(row, "change_sd", reading), value(row, "t", reading)
    if t is None or sd is None or size is None or row.n is None:
        return Unavailable("needs t, change_sd, n and a mean change (printed, from the CI or from the means)")
    computed = scaled(ratio(size.interval, sd), math.sqrt(row.n))
    places = _places(row, "t")
    detail = (
        f"t is the mean change over SD/√n: {_size_words(size)} with the printed {_spread_words(row, reading)} "
        f"and n = {row.n} gives |t| = {describe(computed, places)}; the printed t {row.values['t'].text} stands "
        f"for {describe(t.magnitude(), places)} in size."
    )
    return Outcome(computed.intersects(t.magnitude()), detail, computed)


def t_from_ci(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed t against q·|mean change| / CI half-width."""
    size, width, t = change_size(row, reading), ci_half_width(row, reading), value(row, "t", reading)
    critical = critical_value(row, reading)
    if t is None or width is None or size is None or critical is None:
        return Unavailable("needs t, ci_low, ci_high and n")
    computed = scaled(ratio(size.interval, width), critical)
    places = _places(row, "t")
    detail = (
        f"The CI's half-width is q·SE, so |t| = q·|mean change|/half-width; {_quantile_words(row, reading, critical)}. "
        f"With {_size_words(size)} that gives |t| = {describe(computed, places)}; the printed t "
        f"{row.values['t'].text} stands for {describe(t.magnitude(), places)} in size."
    )
    return Outcome(computed.intersects(t.magnitude()), detail, computed)


def _p_outcome(row: ParsedResult, reading: Reading, t_size: Interval, df: float, lead: str) -> Outcome:
    computed = p_from_t(t_size, df, one_sided=reading.one_sided)
    p = value(row, "p", reading)
    if p is None:  # pragma: no cover - callers check p first
        raise ValueError("p must be printed")
    printed = row.values["p"]
    places = p_places(computed, printed.decimals)
    sides = "one" if reading.one_sided else "two"
    detail = (
        f"{lead} |t| = {describe(t_size, 3)} and, on {df:g} degrees of freedom, a {sides}-sided p of "
        f"{_p_words(computed, places)}; the printed p {printed.text} allows {describe(p, printed.decimals + 1)}."
    )
    return Outcome(computed.intersects(p), detail, computed)


def p_from_printed_t(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed p against the p of the printed t on the printed df (else n − 1)."""
    t = value(row, "t", reading)
    if t is None or "p" not in row.values:
        return Unavailable("needs p and t, with df or n")
    if "df" in row.values:
        df = float(row.values["df"].value)
    elif row.n is not None and row.n - reading.p_df_drop >= 1:
        df = row.n - reading.p_df_drop
    else:
        return Unavailable("needs p and t, with df or n")
    return _p_outcome(row, reading, t.magnitude(), df, f"The printed t {row.values['t'].text} gives")


def p_from_ci(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed p against the p that the mean change and its CI imply."""
    size, width, critical = change_size(row, reading), ci_half_width(row, reading), critical_value(row, reading)
    if "p" not in row.values or width is None or size is None or critical is None or row.n is None:
        return Unavailable("needs p, ci_low, ci_high and n")
    if row.n - reading.p_df_drop < 1:
        return Unavailable("needs n of at least 3 for p on n − 2 degrees of freedom")
    t_size = scaled(ratio(size.interval, width), critical)
    lead = f"As {_quantile_words(row, reading, critical)}, {_size_words(size)} and the CI imply"
    return _p_outcome(row, reading, t_size, row.n - reading.p_df_drop, lead)


def p_from_change_sd(row: ParsedResult, reading: Reading) -> Outcome | Unavailable:
    """The printed p against the p of mean change / (change SD / √n)."""
    size, sd = change_size(row, reading), spread(row, "change_sd", reading)
    if "p" not in row.values or sd is None or size is None or row.n is None:
        return Unavailable("needs p, change_sd, n and a mean change")
    if row.n - reading.p_df_drop < 1:
        return Unavailable("needs n of at least 3 for p on n − 2 degrees of freedom")
    t_size = scaled(ratio(size.interval, sd), math.sqrt(row.n))
    words = _size_words(size)
    lead = f"{words[0].upper()}{words[1:]} with the printed {_spread_words(row, reading)} and n = {row.n} give"
    return _p_outcome(row, reading, t_size, row.n - reading.p_df_drop, lead)


T_TEST_CHECKS = (
    CheckSpec("mean_change", "mean_change", mean_change, ("rounding",)),
    CheckSpec("ci_midpoint", "mean_change", midpoint, ("rounding",)),
    CheckSpec("ci_width", "change_sd", ci_width, ("rounding", "ci_df", "ci_dist", "dispersion")),
    CheckSpec("df", "df", df_matches_n, ()),
    CheckSpec("t_vs_mean_sd", "t", t_from_mean_and_sd, ("rounding", "dispersion")),
    CheckSpec("t_vs_ci", "t", t_from_ci, ("rounding", "ci_df", "ci_dist")),
    CheckSpec("p_vs_t", "p", p_from_printed_t, ("rounding", "p_df", "sides")),
    CheckSpec("p_vs_ci", "p", p_from_ci, ("rounding", "p_df", "ci_df", "ci_dist", "sides")),
    CheckSpec("p_vs_change_sd", "p", p_from_change_sd, ("rounding", "p_df", "sides", "dispersion")),
)
"""The t-test checks in the order they are reported."""
