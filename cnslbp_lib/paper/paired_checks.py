"""Check the printed numbers of one single-group paired (pre–post) result together.

:func:`check_paired_result` reads a :class:`~.paired_result.PairedResult`
(every value as printed), runs every check on rounding intervals and returns
a :class:`CheckedResult`: one :class:`Check` per check, each ``consistent``,
``inconsistent`` or ``not checkable`` with the interval it computed and a
sentence, and the row's notes (values that could not be read, sign
conventions). A check that fails under the row's declared reading is tried
again under the variants a paper plausibly used (n − 2 degrees of freedom, a
one-sided p, z for t, SEM printed as SD, truncation, rounding up); those that
reproduce the printed value are named in ``explained_by``, and the verdict
stays ``inconsistent``: the printed numbers still do not hold together as
declared. Sign conventions are never inconsistencies; they are notes.

A flagged inconsistency means the printed numbers cannot all come from one
paired t-test on n people as the row describes it: a typo, a different test,
a wrong n, another rounding rule. It is never, by itself, evidence of
misconduct.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Literal

from .effect_size_checks import EFFECT_SIZE_CHECKS, effect_size_holds
from .granularity_checks import GRANULARITY_CHECKS
from .paired_implied import Implied, implied_values
from .paired_intervals import Outcome, Reading, Unavailable, default_reading, variant_words, variants
from .paired_result import PairedResult, ParsedResult, parse_paired_result
from .printed import Interval
from .t_test_checks import T_TEST_CHECKS, CheckSpec

__all__ = [
    "CHECKS",
    "CHECK_COLUMNS",
    "CHECK_NAMES",
    "VERDICTS",
    "Check",
    "CheckedResult",
    "Verdict",
    "check_paired_result",
    "check_paired_results",
    "holds_under",
]

Verdict = Literal["consistent", "inconsistent", "not checkable"]
VERDICTS: tuple[Verdict, ...] = ("consistent", "inconsistent", "not checkable")

CHECKS: tuple[CheckSpec, ...] = T_TEST_CHECKS + EFFECT_SIZE_CHECKS + GRANULARITY_CHECKS
"""Every check, in the order results list them."""
CHECK_NAMES = tuple(spec.name for spec in CHECKS)
# every dimension along which a paper may depart from the declared reading (see paired_intervals.variants)
ALL_DIMENSIONS = ("rounding", "p_df", "ci_df", "ci_dist", "sides", "dispersion")


@dataclass(frozen=True)
class Check:
    """The outcome of one check of one printed result.

    ``interval`` is what the check computed from the other printed values
    (the quantity named by ``subject``, or for the correlation check, r), or
    None. ``explained_by`` names the variants that reproduce a value the
    check found inconsistent: each entry is one explanation, an entry joined
    with ``+`` needs all its parts.
    """

    name: str
    verdict: Verdict
    detail: str
    subject: str
    interval: Interval | None = None
    explained_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckedResult:
    """Every check of one printed result, its verdict and its notes.

    ``verdict`` is ``inconsistent`` when any check is, else ``consistent``
    when at least one check could run, else ``not checkable``. ``implied``
    holds what the printed values fix about unprinted ones (the change SD,
    dz, t, p, a CI, the pre–post correlation), as intervals.
    """

    id: str
    verdict: Verdict
    checks: tuple[Check, ...]
    notes: tuple[str, ...]
    implied: tuple[Implied, ...] = ()

    def check(self, name: str) -> Check:
        """The check called ``name`` (one of :data:`CHECK_NAMES`)."""
        for check in self.checks:
            if check.name == name:
                return check
        raise ValueError(f"name must be one of {', '.join(CHECK_NAMES)}; got {name!r}")


# the printed columns each check uses (n aside, which every check shares)
CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "mean_change": ("mean_change", "pre_mean", "post_mean"),
    "ci_midpoint": ("mean_change", "ci_low", "ci_high"),
    "ci_width": ("ci_low", "ci_high", "change_sd", "n"),
    "df": ("df", "n"),
    "t_vs_mean_sd": ("t", "mean_change", "change_sd", "n"),
    "t_vs_ci": ("t", "ci_low", "ci_high", "mean_change", "n"),
    "p_vs_t": ("p", "t", "df", "n"),
    "p_vs_ci": ("p", "mean_change", "ci_low", "ci_high", "n"),
    "p_vs_change_sd": ("p", "mean_change", "change_sd", "n"),
    "effect_size": ("effect_size", "mean_change", "ci_low", "ci_high", "change_sd", "pre_sd", "post_sd", "n"),
    "correlation": ("pre_sd", "post_sd", "change_sd", "ci_low", "ci_high", "n"),
    "grim_pre_mean": ("pre_mean", "n"),
    "grim_post_mean": ("post_mean", "n"),
    "grim_mean_change": ("mean_change", "n"),
    "grimmer_pre": ("pre_mean", "pre_sd", "n"),
    "grimmer_post": ("post_mean", "post_sd", "n"),
    "grimmer_change": ("mean_change", "change_sd", "n"),
    "scale_limits": ("pre_mean", "post_mean", "mean_change", "pre_sd", "post_sd", "change_sd"),
    "responder": ("responder_pct", "responder_k", "responder_n", "n"),
}


def _reproduces(spec: CheckSpec, row: ParsedResult, reading: Reading) -> bool:
    outcome = spec.evaluate(row, reading)
    return isinstance(outcome, Outcome) and outcome.consistent


def _merged(default: Reading, first: Reading, second: Reading) -> Reading:
    changed = {field.name: getattr(second, field.name) for field in fields(Reading)}
    return replace(first, **{name: value for name, value in changed.items() if value != getattr(default, name)})


def _explanations(spec: CheckSpec, row: ParsedResult, default: Reading) -> tuple[list[str], list[str]]:
    """Names and words of the variants that reproduce the printed value: single departures, else pairs."""
    singles = variants(default, spec.dimensions)
    found = [(name, variant_words(name, row.n)) for name, _, reading in singles if _reproduces(spec, row, reading)]
    if not found:
        for (first, kind, one), (second, other_kind, other) in itertools.combinations(singles, 2):
            if kind != other_kind and _reproduces(spec, row, _merged(default, one, other)):
                words = f"{variant_words(first, row.n)} and {variant_words(second, row.n)}"
                found.append((f"{first}+{second}", words))
    return [name for name, _ in found], [words for _, words in found]


def _run(
    spec: CheckSpec, row: ParsedResult, default: Reading, outcome: Outcome | Unavailable, keeps: Callable[[str], bool]
) -> tuple[Check, str]:
    """One check under the row's reading, with the variants (that ``keeps``) when it fails; returns it and its note."""
    if isinstance(outcome, Unavailable):
        detail = f"Not checkable: {outcome.reason}." + (f" {outcome.detail}" if outcome.detail else "")
        return Check(spec.name, "not checkable", detail, spec.subject), ""
    if outcome.consistent:
        return Check(spec.name, "consistent", outcome.detail, spec.subject, outcome.computed), outcome.note
    names, words = _explanations(spec, row, default)
    found = [(name, word) for name, word in zip(names, words, strict=True) if keeps(name)]
    own = [name for name in outcome.explained_by if keeps(name)]
    names = own + [name for name, _ in found]
    words = ([outcome.explanation] if outcome.explanation and own else []) + [word for _, word in found]
    detail = outcome.detail + (f" Reproduced if {'; or if '.join(words)}." if words else "")
    return Check(spec.name, "inconsistent", detail, spec.subject, outcome.computed, tuple(names)), outcome.note


def _neighbours(name: str, consistent: list[str]) -> list[str]:
    """The consistent checks that share a printed number (other than n) with check ``name``."""
    mine = set(CHECK_COLUMNS.get(name, ())) - {"n"}
    return [other for other in consistent if mine & (set(CHECK_COLUMNS.get(other, ())) - {"n"})]


def check_paired_result(result: PairedResult) -> CheckedResult:
    """Check the printed numbers of one paired result together.

    Parameters
    ----------
    result : PairedResult
        The printed strings of one result (None where not printed).

    Returns
    -------
    CheckedResult
        ``id``, ``verdict``, ``checks`` (one :class:`Check` per entry of
        :data:`CHECK_NAMES`, in that order), ``notes`` and ``implied``.

    Notes
    -----
    Every printed value is the interval of values that round to it. A check
    computes its subject's interval from the other printed values with sound
    interval arithmetic and is consistent when that interval meets the
    printed one; see ``data/results_table.md`` for each check's formula.

    Examples
    --------
    The PSEQ result of this project's abstract (n = 14):

    >>> pseq = PairedResult(id="pseq", n="14", mean_change="+17.93", ci_low="6.03", ci_high="29.83", p="0.007")
    >>> checked = check_paired_result(pseq)
    >>> checked.verdict, checked.check("p_vs_ci").explained_by
    ('inconsistent', ('rounding_up', 'p_df_n_minus_2'))
    >>> checked.check("ci_midpoint").verdict
    'consistent'
    """
    row = parse_paired_result(result)
    default = default_reading(row)
    checks: list[Check] = []
    notes = list(row.notes)
    outcomes = {spec.name: spec.evaluate(row, default) for spec in CHECKS}
    consistent = [name for name, found in outcomes.items() if isinstance(found, Outcome) and found.consistent]
    for spec in CHECKS:
        # a reading explains a printed number only if it breaks no check that holds on the same printed numbers
        names = [spec.name, *_neighbours(spec.name, consistent)]

        def keeps(variant: str, names: list[str] = names) -> bool:
            return holds_under(result, variant, names)

        check, note = _run(spec, row, default, outcomes[spec.name], keeps)
        checks.append(check)
        if note and note not in notes:
            notes.append(note)
    verdicts = {check.verdict for check in checks}
    verdict: Verdict = (
        "inconsistent" if "inconsistent" in verdicts else "consistent" if "consistent" in verdicts else "not checkable"
    )
    implied = implied_values(row, default)
    dropped = _dropped_decimal_point(result.p, implied)
    if dropped:
        notes.append(dropped)
    return CheckedResult(result.id, verdict, tuple(checks), tuple(notes), implied)


def _dropped_decimal_point(printed: str | None, implied: tuple[Implied, ...]) -> str:
    """For a p printed as digits above 1 ("019"): the p it reads as with a leading decimal point, set beside
    the p the row's other numbers imply; "" when that does not apply."""
    text = (printed or "").strip()
    if not text.isdigit() or int(text) <= 1:
        return ""
    value, half = int(text) / 10 ** len(text), 0.5 / 10 ** len(text)
    shown = "." + text
    found = next((item.interval for item in implied if item.name == "p"), None)
    if found is None:
        return f"p: read with a dropped decimal point, {text!r} would be {shown}; no other numbers imply a p to compare"
    fits = "lies within" if value + half >= found.low and value - half <= found.high else "lies outside"
    return (
        f"p: read with a dropped decimal point, {text!r} would be {shown}, which {fits} the p the row's other "
        f"numbers imply ({found.low:.4g} to {found.high:.4g})"
    )


def holds_under(result: PairedResult, variant: str, names: Iterable[str] | None = None) -> bool:
    """Whether the checks ``names`` (every check by default) that can run agree when ``result`` is read as ``variant``.

    ``variant`` is a name from :func:`~cnslbp_lib.paper.paired_intervals.variants`, or
    names joined by ``+``; an effect-size variant (``effect_size_dz``) reads the printed effect size as
    that type.

    Examples
    --------
    >>> piq = PairedResult(id="piq", n="14", mean_change="−18.79", ci_low="−29.87", ci_high="−7.70", p="0.003")
    >>> holds_under(piq, "p_df_n_minus_2", ["p_vs_ci"]), holds_under(piq, "ci_z", ["p_vs_ci"])
    (True, False)
    """
    parts = variant.split("+")
    row = parse_paired_result(result)
    default = default_reading(row)
    known = {name: reading for name, _, reading in variants(default, ALL_DIMENSIONS)}
    reading = default
    for part in parts:
        if part in known:
            reading = _merged(default, reading, known[part])
        elif not part.startswith("effect_size_"):
            raise ValueError(f"variant must be one of {', '.join(known)} (or effect_size_<type>); got {part!r}")
    # an effect size read as another standardised change: that one must fit, whatever type the row declares
    kinds = [part.removeprefix("effect_size_") for part in parts if part.startswith("effect_size_")]
    chosen = set(CHECK_NAMES if names is None else names)
    for spec in CHECKS:
        if spec.name == "effect_size" and kinds and spec.name in chosen:
            if not all(effect_size_holds(row, reading, kind) for kind in kinds):
                return False
        elif spec.name in chosen:
            outcome = spec.evaluate(row, reading)
            if isinstance(outcome, Outcome) and not outcome.consistent:
                return False
    return True


def check_paired_results(results: Iterable[PairedResult]) -> list[CheckedResult]:
    """:func:`check_paired_result` for each result, in order."""
    return [check_paired_result(result) for result in results]
