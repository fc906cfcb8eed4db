"""Checks a reviewer can run on a paper's printed numbers alone, without any data.

Each printed number stands for an interval of true values (whatever rounds to
it). :func:`paper_results` gathers a paper's numbers into one engine row per
instrument and comparison (:class:`~cnslbp_lib.paper.paired_result.PairedResult`),
and the check engine (:mod:`cnslbp_lib.paper.paired_checks`) checks each row's
numbers together: whether they can all be true at once, and where they cannot,
which ordinary variant (p on n − 2 degrees of freedom, truncation, a one-sided
p) would reproduce them. :func:`explanations` asks that of the paper as a whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pandas as pd
from scipy import stats

from .formatting import format_number, round_half_up, truncate
from .paired_checks import CHECK_COLUMNS, Check, CheckedResult, check_paired_result, holds_under
from .paired_intervals import variant_words
from .paired_result import PairedResult
from .printed import Interval
from .reported import STUDY, Paper
from .results_table import ResultsTable, TableRow

__all__ = [
    "CHECK_WORDS",
    "Explanation",
    "Finding",
    "PaperResult",
    "check_paper",
    "consistency_checks",
    "derived_interval",
    "dz_from_printed_ci",
    "explanations",
    "grim_sums",
    "interval_from_printed_p",
    "paper_results",
    "paper_summary",
    "paper_table",
    "percentage_counts",
]


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


def dz_from_printed_ci(instrument: str, paper: Paper = STUDY) -> dict[str, float]:
    """Work out the SD of the changes and dz from a printed mean and CI, step by step.

    Uses the printed values as if exact (the teaching version of the check
    engine's ``ci_width`` and ``effect_size`` checks, which carry rounding intervals).

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


# the book's names for the engine's checks, and the printed columns each one reads
CHECK_WORDS: dict[str, str] = {
    "mean_change": "Mean change from the stage means",
    "ci_midpoint": "CI midpoint",
    "ci_width": "CI width from the SD",
    "df": "Degrees of freedom",
    "t_vs_mean_sd": "t from the mean and SD",
    "t_vs_ci": "t from the CI",
    "p_vs_t": "p from t",
    "p_vs_ci": "p from CI",
    "p_vs_change_sd": "p from the SD",
    "effect_size": "Effect size",
    "correlation": "Pre–post correlation",
    "grim_pre_mean": "GRIM (earlier mean)",
    "grim_post_mean": "GRIM (later mean)",
    "grim_mean_change": "GRIM",
    "grimmer_pre": "GRIMMER (earlier SD)",
    "grimmer_post": "GRIMMER (later SD)",
    "grimmer_change": "GRIMMER (SD of the changes)",
    "scale_limits": "Scale limits",
    "responder": "Responders as k of n",
}


@dataclass(frozen=True)
class Finding:
    """The outcome of one data-free check of a paper's printed numbers.

    ``subject`` is the record the check tests (None when it tests a whole
    result); ``keys`` are every record it uses. ``verdict`` is
    ``consistent``, ``inconsistent``, or ``derived`` (the check only works
    out something the paper does not print, such as an interval);
    ``explained_by`` names the ordinary variants that reproduce an
    inconsistent value (see :func:`cnslbp_lib.paper.paired_intervals.variant_words`).
    """

    check: str
    subject: str | None
    keys: tuple[str, ...]
    verdict: Literal["consistent", "inconsistent", "derived"]
    detail: str
    explained_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaperResult:
    """One instrument's printed result for one comparison, as the check engine reads it.

    ``result`` holds the printed strings; ``keys`` maps each of its columns to
    the paper record it came from.
    """

    instrument: str
    comparison: tuple[int, int]
    result: PairedResult
    keys: dict[str, str]


_COLUMN_OF: dict[str, str] = {
    "mean_change": "mean_change",
    "change_sd": "change_sd",
    "ci_low": "ci_low",
    "ci_high": "ci_high",
    "p_val": "p",
    "t": "t",
    "df": "df",
    "dz": "effect_size",
    "effect_size": "effect_size",
    "responder_pct": "responder_pct",
    "responder_k": "responder_k",
}


def _turned(text: str) -> str:
    """A printed signed number with its sign turned, every digit kept: ``4.0`` → ``−4.0``, ``−0.6`` → ``0.6``.

    >>> _turned("4.0"), _turned("\u22120.6"), _turned("+1.25"), _turned("0.0")
    ('−4.0', '0.6', '−1.25', '0.0')
    """
    body = text.strip()
    if body[:1] in ("\u2212", "-", "\u2013"):
        return body[1:]
    body = body.removeprefix("+")
    return body if not any(digit in "123456789" for digit in body) else "\u2212" + body


def paper_results(paper: Paper = STUDY) -> list[PaperResult]:
    """Every instrument's printed result for each comparison it is printed for, as engine rows.

    Examples
    --------
    >>> [(found.result.id, found.result.p) for found in paper_results()]
    [('piq', '0.003'), ('pseq', '0.007'), ('psq', '0.096')]
    """
    found = []
    participants = next((record for record in paper.reported if record.quantity == "participants"), None)
    for entry in paper.design.instruments:
        for comparison in paper.comparisons(entry.key):
            columns: dict[str, str] = {
                "n": str(paper.n),
                "scale_min": str(entry.minimum),
                "scale_max": str(entry.maximum),
                "score_step": str(entry.step),
            }
            keys: dict[str, str] = {"n": participants.key} if participants is not None else {}
            for record in paper.reported:
                if record.instrument != entry.key:
                    continue
                column = None
                if record.comparison == comparison and record.quantity in _COLUMN_OF:
                    column = _COLUMN_OF[record.quantity]
                elif record.quantity in ("mean", "sd") and record.stage in comparison:
                    column = f"{'pre' if record.stage == comparison[0] else 'post'}_{record.quantity}"
                if column is None:
                    continue
                printed = record.printed
                if record.reversed and column in ("mean_change", "ci_low", "ci_high", "t"):
                    # printed earlier minus later: the engine reads later minus earlier, as the stage means do
                    column = {"ci_low": "ci_high", "ci_high": "ci_low"}.get(column, column)
                    printed = _turned(printed)
                columns[column], keys[column] = printed, record.key
                if record.quantity in ("dz", "effect_size"):
                    # the printed name as printed: the results table's reader knows its spellings
                    columns["effect_size_type"] = "dz" if record.quantity == "dz" else (record.label_printed or "")
                if record.quantity in ("ci_low", "ci_high") and record.level != 0.95:
                    columns["ci_level"] = format_number(100 * record.level, 0)
            name = entry.key if comparison == paper.analysis else f"{entry.key}_{comparison[0]}{comparison[1]}"
            found.append(PaperResult(entry.key, comparison, PairedResult.from_mapping({"id": name, **columns}), keys))
    return found


def check_paper(paper: Paper = STUDY) -> list[tuple[PaperResult, CheckedResult]]:
    """Every printed result of ``paper`` checked together by the engine, in the paper's order."""
    return [(found, check_paired_result(found.result)) for found in paper_results(paper)]


def _finding(paper: Paper, found: PaperResult, check: Check) -> Finding:
    name = paper.instrument(found.instrument).abbreviation
    label = CHECK_WORDS.get(check.name, check.name)
    keys = tuple(
        dict.fromkeys(found.keys[column] for column in CHECK_COLUMNS.get(check.name, ()) if column in found.keys)
    )
    subject = found.keys.get(check.subject)
    verdict: Literal["consistent", "inconsistent"] = "inconsistent" if check.verdict == "inconsistent" else "consistent"
    return Finding(f"{label} ({name})", subject, keys, verdict, check.detail, check.explained_by)


def _between(span: str) -> str:
    """``a to b`` as ``between a and b``; ``at least a`` and ``at most b`` as they are."""
    low, _, high = span.partition(" to ")
    return f"between {low} and {high}" if high else span


def _derived_interval(paper: Paper, found: PaperResult, checked: CheckedResult) -> Finding | None:
    """What a printed mean and p imply about the CI, SD, t and dz, when the paper prints no CI."""
    implied = {value.name: value.interval for value in checked.implied}
    if "ci_low" not in implied or found.result.ci_low is not None or found.result.p is None:
        return None
    name = paper.instrument(found.instrument).abbreviation

    def span(interval: Interval, decimals: int) -> str:
        low, high = (
            format_number(end, decimals) if math.isfinite(end) else "" for end in (interval.low, interval.high)
        )
        if not low or not high:  # a p printed as an inequality leaves one side open
            return f"at least {low}" if low else f"at most {high}"
        return low if low == high else f"{low} to {high}"

    def equals(name: str, interval: Interval, *, of: bool = False) -> str:
        said = span(interval, 2)
        return f"{name} {'of' if of or said.startswith('at ') else '='} {said}"

    def end(which: str, interval: Interval) -> str:
        said = span(interval, 2)
        return f"whose {which} end is {said}" if " " not in said else f"whose {which} end lies {_between(said)}"

    low, high = implied["ci_low"], implied["ci_high"]
    zero = (
        "includes"
        if low.high <= 0 <= high.low
        else "excludes"
        if low.low > 0 or high.high < 0
        else "may or may not include"
    )
    printed_p = found.result.p.strip()
    relation = "" if printed_p[:1] in "<>≤≥" else "= "
    detail = (
        f"No CI or dz is printed for {name}. A mean of {found.result.mean_change} with p {relation}"
        f"{printed_p} on {paper.n - 1} degrees of freedom implies {equals('t', implied['t_size'])}, "
        f"{equals('an SD of the changes', implied['change_sd'], of=True)}, {equals('dz', implied['dz'])} in size, "
        "and a 95% CI "
        f"{end('lower', implied['ci_low'])} and {end('upper', implied['ci_high'])}, which {zero} zero."
    )
    keys = tuple(found.keys[column] for column in ("mean_change", "p") if column in found.keys)
    return Finding(f"CI from p ({name})", None, keys, "derived", detail)


def derived_interval(instrument: str, paper: Paper = STUDY) -> str:
    """What ``paper``'s printed mean and p imply for an unprinted CI of ``instrument``, in words (or empty)."""
    for found, checked in check_paper(paper):
        if found.instrument == instrument and found.comparison == paper.analysis:
            derived = _derived_interval(paper, found, checked)
            return derived.detail if derived is not None else ""
    return ""


def consistency_checks(paper: Paper = STUDY) -> pd.DataFrame:
    """Every data-free check of ``paper``'s printed numbers that can run, by the check engine.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check`` (its name and outcome), ``subject`` (the
        record it tests, or None), ``keys`` (a tuple of all records involved),
        ``verdict``, ``detail`` (a plain-language explanation) and
        ``explained_by`` (variants that reproduce an inconsistent value).

    Examples
    --------
    >>> table = consistency_checks()
    >>> table.loc[table["verdict"] == "inconsistent", ["check", "explained_by"]].values.tolist()
    [['Responders as k of n (PIQ)', ('truncation',)], ['p from CI (PSEQ)', ('rounding_up', 'p_df_n_minus_2')]]
    """
    findings: list[Finding] = []
    for found, checked in check_paper(paper):
        findings += [_finding(paper, found, check) for check in checked.checks if check.verdict != "not checkable"]
        derived = _derived_interval(paper, found, checked)
        if derived is not None:
            findings.append(derived)
    return pd.DataFrame(
        {
            "check": [finding.check for finding in findings],
            "subject": [finding.subject for finding in findings],
            "keys": [finding.keys for finding in findings],
            "verdict": [finding.verdict for finding in findings],
            "detail": [finding.detail for finding in findings],
            "explained_by": [finding.explained_by for finding in findings],
        }
    )


@dataclass(frozen=True)
class Explanation:
    """One ordinary variant, and which of a paper's printed numbers it reproduces.

    ``explains`` are the records a check found inconsistent that the variant
    reproduces; ``all_agree`` says whether, read that way, every check of the
    same kind agrees in every result (so the one variant accounts for every
    such number in the paper, those that already agreed included).
    """

    variant: str
    words: str
    explains: tuple[str, ...]
    all_agree: bool


def explanations(paper: Paper = STUDY) -> list[Explanation]:
    """Each variant that explains an inconsistency, and whether it leaves the whole paper consistent.

    Examples
    --------
    >>> [(found.variant, found.explains, found.all_agree) for found in explanations()][1:]
    [('rounding_up', ('pseq_p_val',), True), ('p_df_n_minus_2', ('pseq_p_val',), True)]
    """
    checked = check_paper(paper)
    variants: dict[str, tuple[list[str], set[str]]] = {}
    for found, result in checked:
        for check in result.checks:
            if check.verdict == "inconsistent":
                for variant in check.explained_by:
                    keys, names = variants.setdefault(variant, ([], set()))
                    keys.append(found.keys.get(check.subject, check.subject))
                    names.add(check.name)
    found_all = []
    for variant, (keys, names) in variants.items():
        agree = all(holds_under(found.result, variant, names) for found, _ in checked)
        words = " and ".join(variant_words(part, paper.n) for part in variant.split("+"))
        found_all.append(Explanation(variant, words, tuple(keys), agree))
    return found_all


def paper_table(paper: Paper = STUDY) -> ResultsTable:
    """A paper's printed results as a results table (what ``cnslbp check PAPER`` checks and writes).

    Each row's extra columns name its instrument and comparison; its "line" is its place in the paper.
    """
    rows = tuple(
        TableRow(
            position,
            found.result,
            (("instrument", found.instrument), ("from_stage", str(found.comparison[0])),
             ("to_stage", str(found.comparison[1]))),
        )
        for position, found in enumerate(paper_results(paper), start=1)
    )  # fmt: skip
    return ResultsTable(str(paper.path), rows, ("instrument", "from_stage", "to_stage"), ())


def paper_summary(paper: Paper = STUDY) -> str:
    """What the whole paper's checks add to its rows, in text: explanations across results, and unchecked claims."""
    lines = ["", f"Paper: {paper.file.citation.title}"]
    for found in explanations(paper):
        labels = ", ".join(paper.get(key).key for key in found.explains)
        reach = (
            "and fits every number of that kind in the paper"
            if found.all_agree
            else "but not every number of that kind in the paper"
        )
        lines.append(f"  - {labels}: reproduced if {found.words}, {reach}")
    for claim in paper.associations:
        x, y = claim.pair or ("", "")
        lines.append(
            f"  - {claim.key}: an association between the changes in {x} and {y} ({claim.printed!r}) prints no "
            "number, so nothing checks it; its sign is a reading of the wording"
        )
    return "\n".join(lines) + "\n"
