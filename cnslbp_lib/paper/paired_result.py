"""One single-group paired (pre–post) result as printed, and what its printed values say.

A :class:`PairedResult` holds the printed strings of one result (a row of a
results table, or one outcome of a paper file), None where nothing was
printed. :func:`parse_paired_result` reads them into a :class:`ParsedResult`:
numbers as :class:`~cnslbp_lib.paper.printed.PrintedValue`, counts as whole
numbers, options as their keywords, and a note for every value that could not
be read (that value is then treated as not printed, and the row goes on).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ..exceptions import PrintedValueError
from .printed import PrintedValue, is_missing, parse_printed_value

__all__ = [
    "COLUMNS",
    "EFFECT_SIZE_TYPES",
    "OPTIONAL_COLUMNS",
    "EffectSizeType",
    "PairedResult",
    "ParsedResult",
    "parse_paired_result",
]

COLUMNS = (
    "id", "n", "scale_min", "scale_max", "score_step", "pre_mean", "pre_sd", "post_mean", "post_sd",
    "dispersion", "mean_change", "change_sd", "ci_low", "ci_high", "ci_method", "p", "t", "df",
    "effect_size", "effect_size_type", "responder_k", "responder_n", "responder_pct",
)  # fmt: skip
"""The fixed columns of a results table, in their documented order."""

OPTIONAL_COLUMNS = ("ci_level",)
"""The columns this package adds to the fixed set (``ci_level``, default 95)."""

EffectSizeType = Literal["d", "dz", "d_av", "d_rm", "g", "srm"]
EFFECT_SIZE_TYPES: tuple[EffectSizeType, ...] = ("d", "dz", "d_av", "d_rm", "g", "srm")

_NUMERIC = (
    "pre_mean", "pre_sd", "post_mean", "post_sd", "mean_change", "change_sd",
    "ci_low", "ci_high", "p", "t", "df", "effect_size", "responder_pct",
)  # fmt: skip
_SPREADS = ("pre_sd", "post_sd", "change_sd")
_COUNTS = ("n", "df", "responder_k", "responder_n")
_LARGEST = 10**15  # squares of larger values overflow floating point; no paper prints one
_MOST_PEOPLE = 10**9  # a count beyond this is a misprint (and would make the exact checks slow)
_MAY_BE_INEQUALITY = frozenset({"p", "t", "effect_size"})
_SPELLINGS: dict[str, dict[str, str]] = {
    "dispersion": {"sd": "sd", "sem": "sem", "se": "sem"},
    "ci_method": {"t": "t", "z": "z", "normal": "z"},
    "effect_size_type": {
        "d": "d", "cohensd": "d", "cohend": "d", "dz": "dz", "d_z": "dz", "dav": "d_av", "d_av": "d_av",
        "drm": "d_rm", "d_rm": "d_rm", "g": "g", "hedgesg": "g", "srm": "srm",
    },
}  # fmt: skip


@dataclass(frozen=True)
class PairedResult:
    """One paired (pre–post) result, every field the string as printed (None where not printed).

    Field names are the results table's fixed columns (:data:`COLUMNS`) plus
    ``ci_level``; see ``data/results_table.md`` for what each holds.

    Examples
    --------
    >>> PairedResult.from_mapping({"id": "a", "n": "14", "p": " ", "extra": "kept elsewhere"}).p is None
    True
    """

    id: str
    n: str | None = None
    scale_min: str | None = None
    scale_max: str | None = None
    score_step: str | None = None
    pre_mean: str | None = None
    pre_sd: str | None = None
    post_mean: str | None = None
    post_sd: str | None = None
    dispersion: str | None = None
    mean_change: str | None = None
    change_sd: str | None = None
    ci_low: str | None = None
    ci_high: str | None = None
    ci_method: str | None = None
    p: str | None = None
    t: str | None = None
    df: str | None = None
    effect_size: str | None = None
    effect_size_type: str | None = None
    responder_k: str | None = None
    responder_n: str | None = None
    responder_pct: str | None = None
    ci_level: str | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, str | None]) -> PairedResult:
        """Build from a mapping of column to text; blank cells become None, unknown keys are ignored."""
        known = {field.name for field in fields(cls)}
        chosen = {key: (None if value is None or not value.strip() else value) for key, value in values.items()}
        return cls(id=(chosen.get("id") or "").strip(), **{k: v for k, v in chosen.items() if k in known and k != "id"})


@dataclass(frozen=True)
class ParsedResult:
    """The printed values of one result, read; what could not be read is absent and named in ``notes``.

    ``values`` maps each printed numeric column (pre_mean … responder_pct,
    df) to its :class:`PrintedValue`; ``n``, ``responder_k`` and
    ``responder_n`` are whole numbers (``n_from_df`` when n was not printed
    and is taken as df + 1); ``scale`` is (min, max) when both
    limits were printed; ``ci_level`` is the confidence level as a fraction.
    """

    id: str
    n: int | None
    n_from_df: bool
    values: Mapping[str, PrintedValue]
    score_step: Fraction | None
    scale: tuple[Fraction, Fraction] | None
    dispersion: Literal["sd", "sem"]
    ci_method: Literal["t", "z"]
    ci_level: float
    effect_size_type: EffectSizeType | None
    responder_k: int | None
    responder_n: int | None
    notes: tuple[str, ...]
    # pooled estimates already computed for this row, by name and reading (many checks ask for the same)
    memo: dict[tuple[str, object], object] = field(default_factory=dict, compare=False, repr=False)

    def has(self, *columns: str) -> bool:
        """Whether every one of ``columns`` was printed and read."""
        return all(column in self.values for column in columns)


def parse_paired_result(result: PairedResult) -> ParsedResult:
    """Read the printed strings of one result; never raises for a value, notes it instead.

    Examples
    --------
    >>> parsed = parse_paired_result(PairedResult(id="a", n="14", p="P = 0.003", t="x"))
    >>> parsed.n, parsed.values["p"].value, "t" in parsed.values
    (14, Decimal('0.003'), False)
    >>> print(parsed.notes[0])
    t: 'x' is not a number as printed (one number, with an optional sign and relation); treated as not printed
    """
    notes: list[str] = []

    def read(column: str, *, integer: bool = False) -> PrintedValue | None:
        text = getattr(result, column)
        if is_missing(text):
            return None
        try:
            value = parse_printed_value(text, integer=integer)
        except PrintedValueError as error:
            notes.append(f"{column}: {error}; treated as not printed")
            return None
        problem = _domain_problem(column, value)
        if problem:
            notes.append(f"{column}: {text!r} {problem}; treated as not printed")
            return None
        return value

    values = {column: value for column in _NUMERIC if (value := read(column)) is not None}
    n, responder_k, responder_n = (
        _count(read(column, integer=True), column, notes) for column in ("n", "responder_k", "responder_n")
    )
    if n is not None and n < 2:
        notes.append(f"n: a paired result needs at least 2 people; got {n}; treated as not printed")
        n = None
    if responder_n == 0:
        notes.append("responder_n: a percentage of 0 people is not one; treated as not printed")
        responder_n = None
    n_from_df = n is None and "df" in values and values["df"].value == values["df"].value.to_integral_value()
    if n_from_df:
        n = int(values["df"].value) + 1
        notes.append(f"n is not printed; taken as df + 1 = {n}")
    if "ci_low" in values and "ci_high" in values and values["ci_low"].value > values["ci_high"].value:
        values["ci_low"], values["ci_high"] = values["ci_high"], values["ci_low"]
        notes.append("ci_low is above ci_high; read as the interval from the smaller to the larger limit")
    return ParsedResult(
        id=result.id,
        n=n,
        n_from_df=n_from_df,
        values=values,
        score_step=_score_step(result.score_step, notes),
        scale=_scale(read("scale_min"), read("scale_max"), notes),
        dispersion="sem" if _keyword(result, "dispersion", notes) == "sem" else "sd",
        ci_method="z" if _keyword(result, "ci_method", notes) == "z" else "t",
        ci_level=_ci_level(result.ci_level, notes),
        effect_size_type=_effect_size_type(_keyword(result, "effect_size_type", notes)),
        responder_k=responder_k,
        responder_n=responder_n,
        notes=tuple(notes),
    )


def _domain_problem(column: str, value: PrintedValue) -> str:
    """Why a read value cannot be what its column holds ("" when it can)."""
    rules = (
        (abs(value.value) >= _LARGEST, "is too large to be a printed statistic"),
        (value.percent and column != "responder_pct", "has a percent sign; only responder_pct is a percentage"),
        (
            value.relation != "=" and column not in _MAY_BE_INEQUALITY,
            "is an inequality; only p, t and effect_size may be printed with <, ≤, > or ≥",
        ),
        (column in _SPREADS and value.value < 0, "is negative; an SD or SEM cannot be"),
        (column == "p" and not 0 <= value.value <= 1, "is not a probability between 0 and 1"),
        (column == "df" and value.value <= 0, "must be positive"),
        (column in _COUNTS and value.value > _MOST_PEOPLE, f"is more than {_MOST_PEOPLE:,} people"),
        (column == "responder_pct" and not 0 <= value.value <= 100, "is not a percentage between 0 and 100"),
    )
    return next((rule for broken, rule in rules if broken), "")


def _count(value: PrintedValue | None, column: str, notes: list[str]) -> int | None:
    if value is None:
        return None
    if value.value != value.value.to_integral_value() or value.value < 0:
        notes.append(f"{column}: {value.text!r} is not a whole number of people; treated as not printed")
        return None
    return int(value.value)


def _keyword(result: PairedResult, column: str, notes: list[str]) -> str | None:
    text = getattr(result, column)
    if text is None or is_missing(text):
        return None
    key = "".join(char for char in text.strip().lower() if char not in " '’.-_")
    spellings = _SPELLINGS[column]
    spelling = spellings.get(key) or spellings.get(
        key.removeprefix("cohens").removeprefix("cohen").removeprefix("hedges")
    )
    if spelling is None:
        choices = ", ".join(sorted(set(_SPELLINGS[column].values())))
        notes.append(f"{column}: {text!r} is not one of {choices}; the default is used")
    return spelling


def _effect_size_type(keyword: str | None) -> EffectSizeType | None:
    for kind in EFFECT_SIZE_TYPES:
        if kind == keyword:
            return kind
    return None


def _score_step(text: str | None, notes: list[str]) -> Fraction | None:
    """``1``, ``0.5`` or ``1/7``; a rounded 1/k such as ``0.333`` is read as 1/k, with a note."""
    if text is None or is_missing(text):
        return None
    cleaned = text.strip().replace(" ", "")
    try:
        if "/" in cleaned:
            top, bottom = cleaned.split("/")
            step = Fraction(int(top), int(bottom))
        else:
            printed = parse_printed_value(cleaned)
            step = Fraction(printed.value)
            if printed.decimals >= 2 and step < 1 and (1 / step).denominator != 1:
                k = round(1 / step)
                if k > 0 and abs(Fraction(1, k) - step) <= Fraction(printed.unit) / 2:
                    notes.append(f"score_step: {text!r} read as 1/{k}")
                    step = Fraction(1, k)
    except (ValueError, ZeroDivisionError, PrintedValueError):
        notes.append(f"score_step: {text!r} is not a step such as 1, 0.5 or 1/7; treated as unknown")
        return None
    if step <= 0:
        notes.append(f"score_step: {text!r} must be positive; treated as unknown")
        return None
    return step


def _scale(low: PrintedValue | None, high: PrintedValue | None, notes: list[str]) -> tuple[Fraction, Fraction] | None:
    if low is None or high is None:
        if (low is None) != (high is None):
            notes.append("only one scale limit is printed; the scale is treated as unknown")
        return None
    if low.value >= high.value:
        notes.append(f"scale_min {low.text!r} is not below scale_max {high.text!r}; the scale is treated as unknown")
        return None
    return Fraction(low.value), Fraction(high.value)


def _ci_level(text: str | None, notes: list[str]) -> float:
    if text is None or is_missing(text):
        return 0.95
    try:
        level = parse_printed_value(text).value
    except PrintedValueError:
        level = Decimal(-1)
    level = level / 100 if level > 1 else level
    if not Decimal("0.5") <= level < 1:
        notes.append(f"ci_level: {text!r} is not a confidence level such as 95 or 0.95; 95% is used")
        return 0.95
    return float(level)
