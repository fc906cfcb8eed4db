"""Printed numbers as intervals: every true value that prints as what a paper shows.

A paper prints ``4.0``; the number behind it was anything that rounds to 4.0.
This module reads a value as printed (with whatever a table or a sentence
wraps around it) into its exact decimal, its number of printed decimals and
its relation (``=``, ``<``, ``≤``, ``>``, ``≥``), and turns it into the closed
:class:`Interval` of true values under a rounding rule.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from functools import cached_property
from typing import Literal

from ..exceptions import PrintedValueError

__all__ = [
    "MISSING_TOKENS",
    "ROUNDINGS",
    "SLACK",
    "Interval",
    "PrintedValue",
    "Relation",
    "Rounding",
    "is_missing",
    "parse_printed_value",
]

Relation = Literal["=", "<", "≤", ">", "≥"]
Rounding = Literal["nearest", "truncation", "up"]
ROUNDINGS: tuple[Rounding, ...] = ("nearest", "truncation", "up")

SLACK = 1e-9
"""The relative slack when two intervals are compared (it absorbs floating-point error, never a printed digit)."""

MISSING_TOKENS = frozenset({"", "na", "n/a", "nr", "n.r.", "nan", "none", "-", "–", "—", "−", "."})
"""Texts read as "not printed" (compared without case and surrounding spaces)."""

_STARS = "*†‡"
_EXACT = Context(prec=100)  # printed values have far fewer digits: their bounds are exact
_RELATIONS: dict[str, Relation] = {
    "=": "=",
    "<": "<",
    ">": ">",
    "≤": "≤",
    "⩽": "≤",
    "<=": "≤",
    "=<": "≤",
    "≥": "≥",
    "⩾": "≥",
    ">=": "≥",
    "=>": "≥",
}
# an optional name (p, P, t, t(13), dz, n ...) is dropped only when a relation follows it
_PREFIX = re.compile(r"(?:[A-Za-z][A-Za-z_]*\s*(?:\(\s*\d+(?:\.\d+)?\s*\))?\s*)?(<=|>=|=<|=>|[=<>≤≥⩽⩾])\s*")
_NUMBER = re.compile(
    r"(?P<sign>[+\-\u2212\u2013])?\s*(?P<digits>\d[\d,]*(?:\.\d*)?|\.\d+|,\d+)"
    r"(?P<exponent>[eE][+\-\u2212]?\d+)?\s*(?P<percent>%)?"
)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


@dataclass(frozen=True)
class Interval:
    """A closed interval of real numbers; either end may be infinite.

    Examples
    --------
    >>> Interval(-2.5, 1.0).magnitude()
    Interval(low=0.0, high=2.5)
    >>> Interval(0.0065, 0.0075).intersects(Interval(0.00625, 0.00628))
    False
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        if math.isnan(self.low) or math.isnan(self.high) or self.low > self.high:
            raise ValueError(f"an interval needs low <= high; got low={self.low!r}, high={self.high!r}")

    @classmethod
    def point(cls, value: float) -> Interval:
        """The interval holding ``value`` alone."""
        return cls(value, value)

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def intersects(self, other: Interval) -> bool:
        """Whether the two intervals share a point (up to a relative slack of :data:`SLACK`)."""
        finite = [abs(bound) for bound in (self.low, self.high, other.low, other.high) if math.isfinite(bound)]
        tolerance = SLACK * max(finite, default=0.0)
        return self.low <= other.high + tolerance and other.low <= self.high + tolerance

    def intersection(self, other: Interval) -> Interval | None:
        """The common part, or None when they do not meet (touching within the slack counts as meeting)."""
        if not self.intersects(other):
            return None
        low, high = max(self.low, other.low), min(self.high, other.high)
        return Interval(min(low, high), max(low, high))

    def hull(self, other: Interval) -> Interval:
        """The smallest interval holding both."""
        return Interval(min(self.low, other.low), max(self.high, other.high))

    def magnitude(self) -> Interval:
        """The interval of ``|x|`` for x in this interval."""
        if self.low >= 0:
            return self
        if self.high <= 0:
            return Interval(-self.high, -self.low)
        return Interval(0.0, max(-self.low, self.high))

    def negated(self) -> Interval:
        return Interval(-self.high, -self.low)

    def contains(self, value: float) -> bool:
        return self.intersects(Interval.point(value))


@dataclass(frozen=True)
class PrintedValue:
    """One value as printed: its text, exact decimal, printed decimals and relation.

    ``decimals`` counts the printed digits after the decimal point (``.008``
    has 3, ``14`` has 0; ``1.2e-5`` has 6). ``percent`` says whether the text
    ended in ``%`` (the value itself is kept as printed: ``78.5%`` is 78.5).
    """

    text: str
    value: Decimal
    decimals: int
    relation: Relation = "="
    percent: bool = False

    @property
    def unit(self) -> Decimal:
        """One unit of the last printed digit, 10^−decimals."""
        return Decimal(1).scaleb(-self.decimals)

    def bounds(self, rounding: Rounding = "nearest") -> tuple[Fraction | None, Fraction | None]:
        """The exact ends of the interval of true values (None for an open-ended side).

        Notes
        -----
        With printed value X, d decimals and u = 10^−d:

        - ``nearest``: [X − u/2, X + u/2]. Rounding half up and half to even
          give the same closed interval (they differ only on which end a tie goes to).
        - ``truncation`` (digits cut off, toward zero): [X, X + u] for X > 0,
          [X − u, X] for a negative X and [−u, u] for an unsigned 0.
        - ``up`` (rounded toward +∞): [X − u, X].

        Every interval is closed, which never excludes a true value an open
        one would allow. ``<`` and ``≤`` give (−∞, X], ``>`` and ``≥`` give
        [X, ∞): a printed inequality is taken literally, whatever the rounding.

        Examples
        --------
        >>> parse_printed_value("78.5%").bounds("truncation")
        (Fraction(157, 2), Fraction(393, 5))
        """
        low, high = self._decimal_bounds(rounding)
        return (None if low is None else Fraction(low)), (None if high is None else Fraction(high))

    def _decimal_bounds(self, rounding: Rounding) -> tuple[Decimal | None, Decimal | None]:
        if rounding not in ROUNDINGS:
            raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}; got {rounding!r}")
        value = self.value
        if self.relation != "=":
            return (None, value) if self.relation in ("<", "≤") else (value, None)
        unit = self.unit
        with localcontext(_EXACT):
            if rounding == "nearest":
                return value - unit / 2, value + unit / 2
            if rounding == "up" or value.is_signed():  # up, or truncation of a negative value
                return value - unit, value
            return (-unit, unit) if value == 0 else (value, value + unit)

    @cached_property
    def _intervals(self) -> dict[Rounding, Interval]:
        """Intervals already computed, by rounding (a check asks for the same one many times)."""
        return {}

    def interval(self, rounding: Rounding = "nearest") -> Interval:
        """The closed interval of true values, as floats (see :meth:`bounds`).

        Examples
        --------
        >>> parse_printed_value("−18.79").interval()
        Interval(low=-18.795, high=-18.785)
        >>> parse_printed_value("p < .001").interval()
        Interval(low=-inf, high=0.001)
        """
        found = self._intervals.get(rounding)
        if found is None:
            low, high = self._decimal_bounds(rounding)
            found = Interval(-math.inf if low is None else float(low), math.inf if high is None else float(high))
            self._intervals[rounding] = found
        return found


def is_missing(text: str | None) -> bool:
    """Whether a cell means "not printed": empty, ``NA``, ``n/a``, ``NR``, a lone dash or dot.

    >>> is_missing(" NA "), is_missing("—"), is_missing("0")
    (True, True, False)
    """
    return text is None or text.strip().lower() in MISSING_TOKENS


def parse_printed_value(text: str, *, integer: bool = False) -> PrintedValue:
    """Read one value as printed.

    Parameters
    ----------
    text : str
        The value as printed. Accepted: a true minus (U+2212), a hyphen or an
        en dash as minus; a leading ``+``; leading-dot decimals (``.008``);
        ``e`` notation (``1.2e-5``); a relation ``=``, ``<``, ``≤`` (or
        ``<=``), ``>``, ``≥`` (or ``>=``), optionally after a name (``P =
        0.003``, ``p<.001``, ``t(13) = 3.2``, ``dz = 0.98``); a trailing
        ``%``; surrounding spaces and stars or daggers (``0.003*``).
    integer : bool
        The column holds counts (n, df, k): a comma before groups of three
        digits then separates thousands (``1,234`` is 1234).

    Returns
    -------
    PrintedValue

    Raises
    ------
    PrintedValueError
        When the text is not one number as above, or when a comma could be a
        decimal separator or a thousands separator.

    Notes
    -----
    A comma is read as a decimal point only when that is the one possible
    reading: a single comma, no point, and not exactly three digits after it
    unless the part before it is empty or 0 (``0,003``, ``4,5`` and ``12,75``
    are decimals). Groups of three digits before a point (``1,234.5``), or
    several groups (``1,234,567``), are thousands. ``1,234`` alone is
    ambiguous outside count columns and is refused with a message saying so.

    Examples
    --------
    >>> parse_printed_value("P = 0.003")
    PrintedValue(text='P = 0.003', value=Decimal('0.003'), decimals=3, relation='=', percent=False)
    >>> value = parse_printed_value("< .001***")
    >>> value.value, value.decimals, value.relation
    (Decimal('0.001'), 3, '<')
    >>> parse_printed_value("−4,64").value
    Decimal('-4.64')
    """
    body = text.strip().strip(_STARS).strip()
    if not body:
        raise PrintedValueError(f"{text!r} holds no number")
    relation: Relation = "="
    prefix = _PREFIX.match(body)
    if prefix is not None:
        relation = _RELATIONS[prefix.group(1)]
        body = body[prefix.end() :]
    number = _NUMBER.fullmatch(body)
    if number is None:
        raise PrintedValueError(f"{text!r} is not a number as printed (one number, with an optional sign and relation)")
    digits = _with_decimal_point(number["digits"], text, integer=integer)
    sign = "-" if number["sign"] in ("-", "\u2212", "\u2013") else ""
    exponent = (number["exponent"] or "").replace("\u2212", "-")
    try:
        value = Decimal(sign + digits + exponent)
    except InvalidOperation:
        raise PrintedValueError(f"{text!r} is not a number as printed") from None
    places = value.as_tuple().exponent
    if not isinstance(places, int):  # pragma: no cover - the pattern admits no NaN or infinity
        raise PrintedValueError(f"{text!r} is not a finite number")
    return PrintedValue(text, value, -places, relation, number["percent"] is not None)


def _with_decimal_point(digits: str, text: str, *, integer: bool) -> str:
    """The digits with any comma resolved to a decimal point or dropped as a thousands separator."""
    if "," not in digits:
        return digits
    if _GROUPED.fullmatch(digits) and ("." in digits or digits.count(",") > 1):
        return digits.replace(",", "")
    if "." in digits or digits.count(",") > 1:
        raise PrintedValueError(f"{text!r} mixes commas and points in a way that is not a number")
    whole, fraction = digits.split(",")
    if len(fraction) == 3 and whole not in ("", "0"):
        if integer:
            return whole + fraction
        raise PrintedValueError(
            f"{text!r} is ambiguous: the comma could separate thousands ({whole}{fraction}) "
            f"or decimals ({whole}.{fraction}); write a decimal point"
        )
    return f"{whole or '0'}.{fraction}"
