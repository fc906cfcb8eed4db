"""Checks a reviewer can run on the abstract alone, without any data.

Each printed number stands for an interval of true values (whatever rounds to
it). The checks below carry those intervals through the formulas of a paired
t-test and of a percentage of n people, and say whether the printed numbers
can all be true at once. They use only :mod:`cnslbp_lib.paper.reported`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pandas as pd
from scipy import stats

from .formatting import format_number, format_p, round_half_up, truncate
from .reported import STUDY, Paper, ReportedNumber

__all__ = [
    "Finding",
    "consistency_checks",
    "dz_from_printed_ci",
    "grim_sums",
    "interval_from_printed_p",
    "percentage_counts",
    "printed_range",
    "t_test_implied_by_ci",
]

Verdict = Literal["consistent", "inconsistent", "derived"]


@dataclass(frozen=True)
class Finding:
    """The outcome of one data-free check.

    ``subject`` is the printed number the check tests (None when it tests
    several alike); ``keys`` are all the numbers it uses. ``verdict`` is
    ``consistent``, ``inconsistent``, or ``derived`` (the check only derives
    something the abstract does not print, such as an SD).
    """

    check: str
    subject: str | None
    keys: tuple[str, ...]
    verdict: Verdict
    detail: str


def printed_range(record: ReportedNumber) -> tuple[float, float]:
    """The interval of true values that print as ``record.printed``.

    Rounding half-up to d decimals means the true value lies within half a
    unit of the last printed digit.
    """
    if record.value is None or record.decimals is None:
        raise ValueError(f"record {record.key!r} is not a printed number")
    half = 0.5 * 10.0**-record.decimals
    value = float(record.value)
    return value - half, value + half


def grim_sums(printed: str, n: int, decimals: int) -> tuple[int, ...]:
    """Whole-number totals whose mean over ``n`` prints as ``printed`` (GRIM).

    A mean of n whole numbers is a multiple of 1/n; if no total gives the
    printed mean, the mean cannot be right.

    References
    ----------
    Brown NJL, Heathers JAJ. The GRIM test. Soc Psychol Personal Sci 2017;8(4):363–369.

    Examples
    --------
    >>> grim_sums("−18.79", 14, 2)
    (-263,)
    """
    target = Decimal(printed.replace("\u2212", "-").lstrip("+"))
    half = 0.5 * 10.0**-decimals
    low = math.floor((float(target) - half) * n) - 1
    high = math.ceil((float(target) + half) * n) + 1
    return tuple(total for total in range(low, high + 1) if round_half_up(total / n, decimals) == target)


def percentage_counts(printed: str, n: int, decimals: int) -> dict[str, tuple[int, ...]]:
    """Counts k for which 100·k/n prints as ``printed``, by rounding rule.

    >>> percentage_counts("78.5", 14, 1)
    {'rounded': (), 'truncated': (11,)}
    """
    target = Decimal(printed)
    shares = [(k, 100 * k / n) for k in range(n + 1)]
    return {
        "rounded": tuple(k for k, share in shares if round_half_up(share, decimals) == target),
        "truncated": tuple(k for k, share in shares if truncate(share, decimals) == target),
    }


@dataclass(frozen=True)
class ImpliedTTest:
    """Ranges of paired-t quantities consistent with a printed mean and CI."""

    midpoint: tuple[float, float]
    sd: tuple[float, float]
    t: tuple[float, float]
    p_val: tuple[float, float]
    dz: tuple[float, float]


def t_test_implied_by_ci(
    mean: ReportedNumber, low: ReportedNumber, high: ReportedNumber, n: int, confidence: float = 0.95
) -> ImpliedTTest:
    """What a printed mean and t-based CI imply for SD, t, p and dz.

    Notes
    -----
    A paired t interval is :math:`\\bar d \\pm t_{crit}\\,s_d/\\sqrt n` with
    :math:`t_{crit}` the :math:`(1+c)/2` quantile of t on n − 1 df, so its
    half-width w gives :math:`s_d = w\\sqrt n / t_{crit}`,
    :math:`t = |\\bar d|\\,t_{crit}/w` and :math:`d_z = t/\\sqrt n`.
    Every printed value is widened to its rounding interval first.
    """
    critical = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    mean_low, mean_high = printed_range(mean)
    low_low, low_high = printed_range(low)
    high_low, high_high = printed_range(high)
    midpoint = ((low_low + high_low) / 2, (low_high + high_high) / 2)
    width = ((high_low - low_high) / 2, (high_high - low_low) / 2)
    # the true mean is the interval's midpoint, so it lies in both ranges
    centre = (max(mean_low, midpoint[0]), min(mean_high, midpoint[1]))
    size = sorted(abs(value) for value in centre)
    if centre[0] <= 0 <= centre[1]:
        size = [0.0, size[1]]
    t_range = (size[0] * critical / width[1], size[1] * critical / width[0])
    p_range = (float(2 * stats.t.sf(t_range[1], n - 1)), float(2 * stats.t.sf(t_range[0], n - 1)))
    root_n = math.sqrt(n)
    return ImpliedTTest(
        midpoint=midpoint,
        sd=(width[0] * root_n / critical, width[1] * root_n / critical),
        t=t_range,
        p_val=p_range,
        dz=(t_range[0] / root_n, t_range[1] / root_n),
    )


def dz_from_printed_ci(instrument: str, paper: Paper = STUDY) -> dict[str, float]:
    """Work out the SD of the changes and dz from a printed mean and CI, step by step.

    Uses the printed values as if exact (the teaching version of
    :func:`t_test_implied_by_ci`, which carries rounding intervals).

    Returns
    -------
    dict
        ``n``, ``critical`` (t quantile), ``half_width``, ``sd`` and ``dz``.
    """
    mean, low, high = (paper.find(quantity, instrument) for quantity in ("mean_change", "ci_low", "ci_high"))
    if mean is None or low is None or high is None:
        raise ValueError(f"instrument {instrument!r} has no printed mean and CI in the abstract")
    n = paper.n
    critical = float(stats.t.ppf(0.975, n - 1))
    half_width = (float(high.value or 0) - float(low.value or 0)) / 2
    sd = half_width * math.sqrt(n) / critical
    return {"n": n, "critical": critical, "half_width": half_width, "sd": sd, "dz": abs(float(mean.value or 0)) / sd}


def interval_from_printed_p(instrument: str, paper: Paper = STUDY) -> dict[str, float]:
    """Back-calculate the 95% CI of a change from its printed mean and p, step by step.

    Uses the printed values as if exact (the teaching version of the "CI from
    p" check, which carries rounding intervals), assuming a two-sided paired
    t-test on n − 1 degrees of freedom.

    Returns
    -------
    dict
        ``n``, ``t`` (the t that gives the printed p), ``critical`` (the 97.5%
        t quantile), ``se`` (standard error, ``|mean| / t``), ``half_width``
        (``critical × se``), ``ci_low`` and ``ci_high``.

    Examples
    --------
    >>> found = interval_from_printed_p("psq")
    >>> round(found["t"], 2), round(found["ci_low"], 1), round(found["ci_high"], 1)
    (1.79, -10.2, 0.9)
    """
    mean, p_record = (paper.find(quantity, instrument) for quantity in ("mean_change", "p_val"))
    if mean is None or p_record is None or mean.value is None or p_record.value is None:
        raise ValueError(f"instrument {instrument!r} has no printed mean and p in the abstract")
    n = paper.n
    t = float(stats.t.isf(float(p_record.value) / 2, n - 1))
    critical = float(stats.t.ppf(0.975, n - 1))
    centre = float(mean.value)
    se = abs(centre) / t
    half_width = critical * se
    return {
        "n": n,
        "t": t,
        "critical": critical,
        "se": se,
        "half_width": half_width,
        "ci_low": centre - half_width,
        "ci_high": centre + half_width,
    }


def _overlaps(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return first[0] <= second[1] and second[0] <= first[1]


def _span(values: tuple[float, float], decimals: int) -> str:
    low, high = (format_number(value, decimals) for value in values)
    return low if low == high else f"{low} to {high}"


def _grim_findings(paper: Paper, n: int) -> list[Finding]:
    findings = []
    for record in paper.reported:
        if record.quantity != "mean_change" or record.decimals is None:
            continue
        sums = grim_sums(record.printed, n, record.decimals)
        name = paper.instrument(record.instrument or "").abbreviation
        if sums:
            total = sums[0]
            detail = (
                f"A mean of whole-number changes in {n} people is a multiple of 1/{n}. "
                f"A total change of {format_number(total, 0)} gives {format_number(total / n, 4)}, "
                f"which prints as {record.printed}, so the {name} mean is possible."
            )
        else:
            detail = (
                f"No whole-number total divided by {n} prints as {record.printed}: the {name} "
                f"mean cannot come from {n} whole-number changes."
            )
        findings.append(Finding("GRIM", record.key, (record.key,), "consistent" if sums else "inconsistent", detail))
    return findings


def _t_test_findings(paper: Paper, n: int) -> list[Finding]:
    findings = []
    groups = [(entry.key, pair) for entry in paper.design.instruments for pair in paper.comparisons(entry.key)]
    for instrument, pair in groups:
        mean, low, high, p_record, dz_record = (
            paper.find(quantity, instrument, pair) for quantity in ("mean_change", "ci_low", "ci_high", "p_val", "dz")
        )
        name = paper.instrument(instrument).abbreviation
        if mean is None:
            continue
        if low is None or high is None:
            if p_record is not None:
                findings.append(_implied_by_p(mean, p_record, n, name))
            continue
        implied = t_test_implied_by_ci(mean, low, high, n)
        keys = (mean.key, low.key, high.key)
        midpoint_ok = _overlaps(implied.midpoint, printed_range(mean))
        findings.append(
            Finding(
                "CI midpoint",
                mean.key,
                keys,
                "consistent" if midpoint_ok else "inconsistent",
                f"A t interval is centred on its mean. The {name} interval {low.printed} to "
                f"{high.printed} has midpoint {_span(implied.midpoint, 3)}, "
                + ("which rounds to the printed mean." if midpoint_ok else f"which does not round to {mean.printed}."),
            )
        )
        if p_record is not None:
            ok = _overlaps(implied.p_val, printed_range(p_record))
            findings.append(
                Finding(
                    "p from CI",
                    p_record.key,
                    (*keys, p_record.key),
                    "consistent" if ok else "inconsistent",
                    f"With {n - 1} degrees of freedom, the {name} mean and 95% CI imply "
                    f"t = {_span(implied.t, 3)} and p = {_span(implied.p_val, 5)}, which prints as "
                    f"{format_p(sum(implied.p_val) / 2)}; the abstract prints p = {p_record.printed}. "
                    + (
                        "They agree."
                        if ok
                        else "They cannot both come from the same paired t-test: either the p-value "
                        "comes from a different test or a number was misprinted. The abstract does "
                        "not say which."
                    ),
                )
            )
        if dz_record is not None:
            ok = _overlaps(implied.dz, printed_range(dz_record))
            findings.append(
                Finding(
                    "dz from CI",
                    dz_record.key,
                    (*keys, dz_record.key),
                    "consistent" if ok else "inconsistent",
                    f"dz is the mean change over the SD of the changes. The {name} CI implies an SD of "
                    f"{_span(implied.sd, 2)} and so dz = {_span(implied.dz, 3)} in size; the abstract "
                    f"prints {dz_record.printed}. " + ("They agree." if ok else "They disagree."),
                )
            )
    return findings


def _implied_by_p(mean: ReportedNumber, p_record: ReportedNumber, n: int, name: str) -> Finding:
    """Derive the SD, dz and CI that a printed mean and p imply (nothing to contradict)."""
    critical = float(stats.t.ppf(0.975, n - 1))
    p_low, p_high = printed_range(p_record)
    t_range = (float(stats.t.isf(p_high / 2, n - 1)), float(stats.t.isf(p_low / 2, n - 1)))
    size = abs(float(mean.value or 0))
    root_n = math.sqrt(n)
    sd = (size * root_n / t_range[1], size * root_n / t_range[0])
    half_width = (critical * sd[0] / root_n, critical * sd[1] / root_n)
    centre = float(mean.value or 0)
    ci = (centre - sum(half_width) / 2, centre + sum(half_width) / 2)
    zero = "includes" if ci[0] <= 0 <= ci[1] else "excludes"
    return Finding(
        "CI from p",
        None,
        (mean.key, p_record.key),
        "derived",
        f"The abstract gives no CI or dz for {name}. A mean of {mean.printed} with p = "
        f"{p_record.printed} on {n - 1} degrees of freedom implies t = {_span(t_range, 2)}, an SD of "
        f"the changes of {_span(sd, 2)}, dz = {_span((t_range[0] / root_n, t_range[1] / root_n), 2)} "
        f"in size, and a 95% CI of about {format_number(ci[0], 2)} to {format_number(ci[1], 2)}, "
        f"which {zero} zero.",
    )


def _percentage_findings(paper: Paper, n: int) -> list[Finding]:
    findings = []
    conventions: dict[str, str] = {}
    for record in paper.reported:
        if record.quantity != "responder_pct" or record.decimals is None:
            continue
        counts = percentage_counts(record.printed, n, record.decimals)
        name = paper.instrument(record.instrument or "").abbreviation
        if counts["rounded"]:
            k = counts["rounded"][0]
            conventions[f"{name} ({record.printed}%)"] = "rounded"
            detail = f"{k}/{n} = {format_number(100 * k / n, 3)}%, which rounds to {record.printed}%."
            verdict: Verdict = "consistent"
        elif counts["truncated"]:
            k = counts["truncated"][0]
            conventions[f"{name} ({record.printed}%)"] = "truncated"
            detail = (
                f"No count out of {n} rounds to {record.printed}%. The nearest, {k}/{n} = "
                f"{format_number(100 * k / n, 3)}%, rounds to {format_number(100 * k / n, record.decimals)}%; "
                f"{record.printed}% is what cutting off (truncating) the digits gives."
            )
            verdict = "inconsistent"
        else:
            detail = f"No count out of {n} gives {record.printed}% by rounding or truncation."
            verdict = "inconsistent"
        findings.append(Finding(f"{name} % as k/{n}", record.key, (record.key,), verdict, detail))
    if len(set(conventions.values())) > 1:
        rounded = [name for name, rule in conventions.items() if rule == "rounded"]
        truncated = [name for name, rule in conventions.items() if rule == "truncated"]
        keys = tuple(record.key for record in paper.reported if record.quantity == "responder_pct")
        findings.append(
            Finding(
                "Same rounding rule",
                None,
                keys,
                "inconsistent",
                "The responder percentages follow different rules: "
                + ", ".join(rounded)
                + " is rounded while "
                + ", ".join(truncated)
                + " is truncated. One of them departs from the abstract's convention.",
            )
        )
    return findings


def consistency_checks(paper: Paper = STUDY) -> pd.DataFrame:
    """Run every data-free check on the reported numbers.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check``, ``subject`` (the record it tests, or
        None), ``keys`` (a tuple of all records involved), ``verdict``
        and ``detail`` (a plain-language explanation).

    Examples
    --------
    >>> table = consistency_checks()
    >>> table.loc[table["verdict"] == "inconsistent", "check"].tolist()
    ['p from CI', 'PIQ % as k/14', 'Same rounding rule']
    """
    n = paper.n
    findings = _grim_findings(paper, n) + _t_test_findings(paper, n) + _percentage_findings(paper, n)
    return pd.DataFrame(
        {
            "check": [finding.check for finding in findings],
            "subject": [finding.subject for finding in findings],
            "keys": [finding.keys for finding in findings],
            "verdict": [finding.verdict for finding in findings],
            "detail": [finding.detail for finding in findings],
        }
    )
