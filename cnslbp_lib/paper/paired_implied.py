"""What the printed numbers of a paired result imply about the numbers it does not print.

A paper that prints a mean change and p, say, has fixed the SD of the
changes, dz and the CI up to rounding, though it prints none of them. These
intervals come from the same sound arithmetic as the checks, under the row's
declared reading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .effect_size_checks import correlation_range
from .paired_intervals import (
    Reading,
    change_sd_estimate,
    change_size,
    critical_value,
    dz_estimate,
    p_from_t,
    ratio,
    scaled,
    spread,
    value,
)
from .paired_result import ParsedResult
from .printed import Interval

__all__ = ["IMPLIED_NAMES", "Implied", "implied_values"]

IMPLIED_NAMES = ("mean_change_size", "change_sd", "dz", "t_size", "p", "ci_low", "ci_high", "correlation")
"""The quantities :func:`implied_values` can give, in order."""


@dataclass(frozen=True)
class Implied:
    """One quantity the printed values imply: its name, interval and the printed values it comes from.

    ``mean_change_size``, ``dz`` and ``t_size`` are sizes (the sign is a
    convention); ``ci_low`` and ``ci_high`` follow the printed mean change's sign.
    """

    name: str
    interval: Interval
    sources: tuple[str, ...]


def implied_values(row: ParsedResult, reading: Reading) -> tuple[Implied, ...]:
    """The unprinted quantities the printed ones fix, as intervals.

    Notes
    -----
    With :math:`|\\bar d|` and :math:`s_d` as pooled by
    :func:`~.paired_intervals.change_size` and
    :func:`~.paired_intervals.change_sd_estimate`:
    :math:`|t| = |\\bar d|\\sqrt n / s_d`, p two-sided on n − 1 df, the CI
    :math:`\\bar d \\pm q\\,s_d/\\sqrt n`, and r from the three SDs
    (:func:`~.effect_size_checks.correlation_range`). A CI is given only when
    none is printed.

    Examples
    --------
    This project's PSQ result prints only a mean change of −4.64 and p = 0.096 (n = 14):

    >>> from cnslbp_lib.paper.paired_result import PairedResult, parse_paired_result
    >>> from cnslbp_lib.paper.paired_intervals import default_reading, describe
    >>> row = parse_paired_result(PairedResult(id="psq", n="14", mean_change="−4.64", p="0.096"))
    >>> found = {item.name: item for item in implied_values(row, default_reading(row))}
    >>> describe(found["ci_low"].interval, 1), describe(found["ci_high"].interval, 1)
    ('−10.2', '0.9 to 1.0')
    """
    found: list[Implied] = []
    size = change_size(row, reading)
    if size is not None:
        found.append(Implied("mean_change_size", size.interval, size.sources))
    sd = change_sd_estimate(row, reading)
    if sd is not None:
        found.append(Implied("change_sd", sd.interval, sd.sources))
    dz = dz_estimate(row, reading)
    if dz is not None:
        found.append(Implied("dz", dz.interval, dz.sources))
    if size is not None and sd is not None and row.n is not None:
        sources = tuple(dict.fromkeys(size.sources + sd.sources))
        t_size = scaled(ratio(size.interval, sd.interval), math.sqrt(row.n))
        found.append(Implied("t_size", t_size, sources))
        found.append(Implied("p", p_from_t(t_size, row.n - 1), sources))
        found += _interval_limits(row, reading, sd.interval, sources)
    pre, post = spread(row, "pre_sd", reading), spread(row, "post_sd", reading)
    if pre is not None and post is not None and sd is not None:
        found.append(
            Implied("correlation", correlation_range(pre, post, sd.interval), ("pre_sd", "post_sd", *sd.sources))
        )
    return tuple(found)


def _interval_limits(row: ParsedResult, reading: Reading, sd: Interval, sources: tuple[str, ...]) -> list[Implied]:
    """The CI's limits when the paper prints a mean change but no CI."""
    change, critical = value(row, "mean_change", reading), critical_value(row, reading)
    if change is None or critical is None or row.n is None or "ci_low" in row.values or "ci_high" in row.values:
        return []
    width = scaled(sd, critical / math.sqrt(row.n))
    return [
        Implied("ci_low", Interval(change.low - width.high, change.high - width.low), sources),
        Implied("ci_high", Interval(change.low + width.low, change.high + width.high), sources),
    ]
