"""Sound interval arithmetic for the numbers of a paired t-test, under one reading of the paper.

Every printed value stands for an interval of true values. The functions here
carry those intervals through the formulas of a paired t-test (its t, p, CI,
change SD and dz) so that the result holds every value the printed numbers
allow. Each formula is monotone in each argument over the magnitudes used, so
evaluating it at the ends of its arguments' intervals bounds it exactly; the
few that are not (the implied correlation, d_rm) are bounded in their own
modules. A :class:`Reading` says how the paper may have computed and printed
the numbers (rounding rule, degrees of freedom, sidedness, z or t, SD or SEM);
the checks run under the row's declared reading first and under variants when
that fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from scipy import special

from .formatting import format_number
from .paired_result import ParsedResult
from .printed import Interval, Rounding

__all__ = [
    "Estimate",
    "Outcome",
    "Reading",
    "Unavailable",
    "change_sd_estimate",
    "change_size",
    "ci_half_width",
    "ci_midpoint",
    "critical_value",
    "default_reading",
    "describe",
    "dz_estimate",
    "p_from_t",
    "pooled",
    "ratio",
    "scaled",
    "spread",
    "t_from_p",
    "value",
    "variant_words",
    "variants",
]


@dataclass(frozen=True)
class Reading:
    """How a paper may have computed and printed one result.

    ``rounding`` applies to every printed value; ``p_df_drop`` and
    ``ci_df_drop`` give the degrees of freedom of p and of the CI's t
    quantile as n minus that number; ``ci_z`` uses the normal quantile for the
    CI; ``one_sided`` halves p; ``sem`` reads pre_sd, post_sd and change_sd as
    standard errors (SD = SEM·√n).
    """

    rounding: Rounding = "nearest"
    p_df_drop: int = 1
    ci_df_drop: int = 1
    ci_z: bool = False
    one_sided: bool = False
    sem: bool = False


@dataclass(frozen=True)
class Outcome:
    """A check that could run: whether the printed values agree, and what it computed.

    ``explained_by`` and ``explanation`` carry alternatives the check found
    itself (another effect-size type); ``note`` is a sign-convention remark
    for the row.
    """

    consistent: bool
    detail: str
    computed: Interval | None = None
    explained_by: tuple[str, ...] = ()
    explanation: str = ""
    note: str = ""


@dataclass(frozen=True)
class Unavailable:
    """A check that could not run: ``reason`` names what it needs; ``detail`` says what can still be said."""

    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Estimate:
    """An interval of an unprinted quantity and the printed values it comes from.

    ``agree`` is False when the sources' intervals do not meet (the estimate
    is then their hull, which still holds the true value of each).
    """

    interval: Interval
    sources: tuple[str, ...]
    agree: bool = True


def default_reading(row: ParsedResult) -> Reading:
    """The reading a row declares: nearest rounding, n − 1 df, two-sided p, its ci_method and dispersion."""
    return Reading(ci_z=row.ci_method == "z", sem=row.dispersion == "sem")


def variants(default: Reading, dimensions: tuple[str, ...]) -> list[tuple[str, str, Reading]]:
    """The single departures from ``default`` along ``dimensions``: (name, dimension, reading).

    Dimensions: ``rounding`` (truncation, rounding up), ``p_df`` and
    ``ci_df`` (n − 2), ``ci_dist`` (z for t, or t for z), ``sides`` (one-sided
    p), ``dispersion`` (SEM printed as SD, or SD printed as SEM).

    >>> [name for name, _, _ in variants(Reading(), ("rounding", "sides"))]
    ['truncation', 'rounding_up', 'one_sided_p']
    """
    table = {
        "rounding": [
            ("truncation", replace(default, rounding="truncation")),
            ("rounding_up", replace(default, rounding="up")),
        ],
        "p_df": [("p_df_n_minus_2", replace(default, p_df_drop=2))],
        "ci_df": [] if default.ci_z else [("ci_df_n_minus_2", replace(default, ci_df_drop=2))],
        "ci_dist": [("ci_t" if default.ci_z else "ci_z", replace(default, ci_z=not default.ci_z))],
        "sides": [("one_sided_p", replace(default, one_sided=True))],
        "dispersion": [
            ("sd_printed_as_sem" if default.sem else "sem_printed_as_sd", replace(default, sem=not default.sem))
        ],
    }
    return [(name, dimension, reading) for dimension in dimensions for name, reading in table[dimension]]


def variant_words(name: str, n: int | None) -> str:
    """A variant's name in words, for "reproduced if …".

    >>> variant_words("p_df_n_minus_2", 14)
    'p was computed on n − 2 = 12 degrees of freedom'
    """
    df = f" = {n - 2}" if n is not None else ""
    words = {
        "truncation": "the printed values were truncated (digits cut off) instead of rounded",
        "rounding_up": "the printed values were rounded up",
        "p_df_n_minus_2": f"p was computed on n − 2{df} degrees of freedom",
        "ci_df_n_minus_2": f"the CI used a t quantile on n − 2{df} degrees of freedom",
        "ci_z": "the CI used the normal quantile (1.96 for 95%) instead of t",
        "ci_t": "the CI used a t quantile on n − 1 degrees of freedom instead of the normal one",
        "one_sided_p": "p was one-sided",
        "sem_printed_as_sd": "the printed SDs are standard errors (SD = SEM·√n)",
        "sd_printed_as_sem": "the printed SEMs are SDs",
    }
    if name.startswith("effect_size_"):
        return f"the effect size is {name.removeprefix('effect_size_')}"
    return words[name]


def value(row: ParsedResult, column: str, reading: Reading) -> Interval | None:
    """The interval of true values of a printed column under the reading's rounding (None if not printed)."""
    printed = row.values.get(column)
    return None if printed is None else printed.interval(reading.rounding)


def spread(row: ParsedResult, column: str, reading: Reading) -> Interval | None:
    """The SD interval of pre_sd, post_sd or change_sd: SEM·√n when the reading says SEM (needs n)."""
    printed = value(row, column, reading)
    if printed is None:
        return None
    printed = Interval(max(printed.low, 0.0), max(printed.high, 0.0))
    if not reading.sem:
        return printed
    return None if row.n is None else scaled(printed, math.sqrt(row.n))


def scaled(interval: Interval, factor: float) -> Interval:
    """``interval`` times a positive constant."""
    return Interval(interval.low * factor, interval.high * factor)


def ratio(numerator: Interval, denominator: Interval) -> Interval:
    """The range of a / b for a, b ≥ 0 in the two intervals (a zero denominator gives ∞).

    >>> ratio(Interval(1.0, 2.0), Interval(0.0, 4.0))
    Interval(low=0.25, high=inf)
    """
    low = 0.0 if numerator.low == 0 else (numerator.low / denominator.high if denominator.high > 0 else math.inf)
    high = 0.0 if numerator.high == 0 else (numerator.high / denominator.low if denominator.low > 0 else math.inf)
    return Interval(low, high)


def critical_value(row: ParsedResult, reading: Reading) -> float | None:
    """The CI's quantile: t on n − ``ci_df_drop`` df, or z (None when n is unknown or df < 1)."""
    upper = (1 + row.ci_level) / 2
    if reading.ci_z:
        return float(special.ndtri(upper))
    if row.n is None or row.n - reading.ci_df_drop < 1:
        return None
    return float(special.stdtrit(row.n - reading.ci_df_drop, upper))


def p_from_t(size: Interval, df: float, *, one_sided: bool = False) -> Interval:
    """The p-values of |t| in ``size`` on ``df`` degrees of freedom (p falls as |t| grows).

    Notes
    -----
    Two-sided :math:`p = 2\\,F_{df}(-|t|)`, one-sided :math:`p = F_{df}(-|t|)`.

    Examples
    --------
    >>> p = p_from_t(Interval.point(4.0621), 9)  # R: t.test(extra ~ 1, paired sleep data) gives p = 0.002833
    >>> round(p.low, 6)
    0.002833
    """
    factor = 1.0 if one_sided else 2.0
    return Interval(factor * float(special.stdtr(df, -size.high)), factor * float(special.stdtr(df, -size.low)))


def t_from_p(p: Interval, df: float, *, one_sided: bool = False) -> Interval:
    """The |t| on ``df`` df whose p lies in ``p`` (clipped to [0, 1]): the inverse of :func:`p_from_t`."""
    factor = 1.0 if one_sided else 2.0
    low, high = min(max(p.low, 0.0), 1.0), min(max(p.high, 0.0), 1.0)
    signed = Interval(-_t_quantile(df, high / factor), -_t_quantile(df, low / factor))
    return signed.magnitude()


def _t_quantile(df: float, probability: float) -> float:
    """The t quantile, with its ends made explicit (scipy's stdtrit gives +∞ at probability 0)."""
    if probability <= 0:
        return -math.inf
    if probability >= 1:
        return math.inf
    return float(special.stdtrit(df, probability))


def ci_midpoint(row: ParsedResult, reading: Reading) -> Interval | None:
    low, high = value(row, "ci_low", reading), value(row, "ci_high", reading)
    if low is None or high is None:
        return None
    return Interval((low.low + high.low) / 2, (low.high + high.high) / 2)


def ci_half_width(row: ParsedResult, reading: Reading) -> Interval | None:
    low, high = value(row, "ci_low", reading), value(row, "ci_high", reading)
    if low is None or high is None:
        return None
    return Interval(max((high.low - low.high) / 2, 0.0), max((high.high - low.low) / 2, 0.0))


def pooled(parts: list[tuple[str, Interval]]) -> Estimate | None:
    """The intersection of the parts' intervals, or their hull (``agree`` False) when they do not meet."""
    if not parts:
        return None
    names = tuple(name for name, _ in parts)
    common: Interval | None = parts[0][1]
    hull = parts[0][1]
    for _, interval in parts[1:]:
        common = None if common is None else common.intersection(interval)
        hull = hull.hull(interval)
    return Estimate(common, names) if common is not None else Estimate(hull, names, agree=False)


def _remembered(
    row: ParsedResult, name: str, reading: Reading, compute: Callable[[], Estimate | None]
) -> Estimate | None:
    """``compute()``, once per row, name and reading."""
    key = (name, reading)
    if key not in row.memo:
        row.memo[key] = compute()
    found = row.memo[key]
    return found if isinstance(found, Estimate) else None


def change_size(row: ParsedResult, reading: Reading) -> Estimate | None:
    """|mean change| from the printed mean change, the CI's midpoint and post − pre, pooled.

    Sizes, not signed values: the sign convention (post − pre or pre − post)
    is a note of its own and never decides a check.
    """
    return _remembered(row, "change_size", reading, lambda: _change_size(row, reading))


def _change_size(row: ParsedResult, reading: Reading) -> Estimate | None:
    parts = []
    change = value(row, "mean_change", reading)
    if change is not None:
        parts.append(("mean_change", change.magnitude()))
    midpoint = ci_midpoint(row, reading)
    if midpoint is not None:
        parts.append(("ci", midpoint.magnitude()))
    pre, post = value(row, "pre_mean", reading), value(row, "post_mean", reading)
    if pre is not None and post is not None:
        parts.append(("means", Interval(post.low - pre.high, post.high - pre.low).magnitude()))
    return pooled(parts)


def _tiers(row: ParsedResult, reading: Reading, *, of_dz: bool) -> list[list[tuple[str, Interval]]]:
    """Sources of the change SD (or of dz), strongest first: printed SD and CI, then t, then p."""
    if row.n is None:
        return []
    root_n = math.sqrt(row.n)
    size = change_size(row, reading)

    def from_sd(sd: Interval) -> Interval | None:
        if not of_dz:
            return sd
        return None if size is None else ratio(size.interval, sd)

    def from_t(t_size: Interval) -> Interval | None:
        if of_dz:
            return scaled(t_size, 1 / root_n)
        return None if size is None else scaled(ratio(size.interval, t_size), root_n)

    first: list[tuple[str, Interval]] = []
    sd = spread(row, "change_sd", reading)
    if sd is not None and (part := from_sd(sd)) is not None:
        first.append(("change_sd", part))
    width, critical = ci_half_width(row, reading), critical_value(row, reading)
    if width is not None and critical is not None and (part := from_sd(scaled(width, root_n / critical))):
        first.append(("ci", part))
    tiers = [first]
    t = value(row, "t", reading)
    if t is not None and (part := from_t(t.magnitude())) is not None:
        tiers.append([("t", part)])
    p, df = value(row, "p", reading), row.n - reading.p_df_drop
    if p is not None and df >= 1 and (part := from_t(t_from_p(p, df, one_sided=reading.one_sided))) is not None:
        tiers.append([("p", part)])
    return [tier for tier in tiers if tier]


def change_sd_estimate(row: ParsedResult, reading: Reading) -> Estimate | None:
    """The SD of the changes: from the printed change SD and the CI (pooled), else from t, else from p.

    Notes
    -----
    From the CI: :math:`s_d = w\\sqrt n / q` with half-width w and quantile q;
    from t: :math:`s_d = |\\bar d|\\sqrt n / |t|`; from p, t is the quantile
    that gives p.
    """

    def compute() -> Estimate | None:
        tiers = _tiers(row, reading, of_dz=False)
        return pooled(tiers[0]) if tiers else None

    return _remembered(row, "change_sd", reading, compute)


def dz_estimate(row: ParsedResult, reading: Reading) -> Estimate | None:
    """|dz| = |mean change| / SD of the changes, from the same sources as :func:`change_sd_estimate`.

    From t (or p) it is :math:`|t|/\\sqrt n` directly, which is tighter than
    dividing the two intervals.
    """

    def compute() -> Estimate | None:
        tiers = _tiers(row, reading, of_dz=True)
        return pooled(tiers[0]) if tiers else None

    return _remembered(row, "dz", reading, compute)


def describe(interval: Interval, decimals: int) -> str:
    """An interval in words at ``decimals`` places: "a to b", "a" when both print alike, "at most b".

    >>> describe(Interval(0.0062502, 0.0062832), 5)
    '0.00625 to 0.00628'
    >>> describe(Interval(-math.inf, 0.001), 3)
    'at most 0.001'
    """
    places = min(max(decimals, 0), 12)

    def shown(number: float) -> str:
        if abs(number) >= 1e12:  # beyond what fixed decimals can show: a misprint or an unbounded ratio
            return f"{number:.6g}".replace("-", "\u2212")
        return format_number(number, places)

    if math.isinf(interval.low) and math.isinf(interval.high):
        return "any value"
    if math.isinf(interval.low):
        return f"at most {shown(interval.high)}"
    if math.isinf(interval.high):
        return f"at least {shown(interval.low)}"
    low, high = shown(interval.low), shown(interval.high)
    return low if low == high else f"{low} to {high}"
