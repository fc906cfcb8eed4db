"""How numbers are printed: the paper's conventions, in one place.

The abstract rounds half away from zero ("half-up"), writes a true minus sign
(U+2212), gives some changes an explicit plus, writes confidence intervals as
"a to b", p to three decimals and percentages to one.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

__all__ = [
    "MINUS",
    "count_in_words",
    "format_ci",
    "format_number",
    "format_p",
    "parse_count_word",
    "parse_printed",
    "round_half_up",
    "truncate",
]

MINUS = "\u2212"


def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_half_up(value: float, decimals: int) -> Decimal:
    """Round as a person would: halves away from zero, on the printed digits.

    ``Decimal(repr(value))`` keeps the shortest decimal that round-trips, so
    2.675 rounds to 2.68 (Python's ``round`` gives 2.67: the binary double
    nearest 2.675 lies just below it).

    Examples
    --------
    >>> round_half_up(2.675, 2)
    Decimal('2.68')
    >>> round_half_up(-18.785714, 2)
    Decimal('-18.79')
    """
    if not math.isfinite(value):
        raise ValueError(f"value must be finite; got {value!r}")
    return Decimal(repr(float(value))).quantize(_quantum(decimals), rounding=ROUND_HALF_UP)


def truncate(value: float, decimals: int) -> Decimal:
    """Drop digits beyond ``decimals`` without rounding (toward zero).

    >>> truncate(78.571428, 1)
    Decimal('78.5')
    """
    if not math.isfinite(value):
        raise ValueError(f"value must be finite; got {value!r}")
    return Decimal(repr(float(value))).quantize(_quantum(decimals), rounding=ROUND_DOWN)


def _signed(text: str, negative: bool, plus: bool) -> str:
    if negative:
        return MINUS + text
    return ("+" + text) if plus else text


def format_number(value: float, decimals: int, *, plus: bool = False) -> str:
    """Format like the abstract: half-up rounding and a true minus sign.

    A value that rounds to zero is printed without a sign.

    >>> format_number(-263 / 14, 2)
    '−18.79'
    >>> format_number(251 / 14, 2, plus=True)
    '+17.93'
    """
    rounded = round_half_up(value, decimals)
    text = f"{abs(rounded):.{decimals}f}"
    return _signed(text, rounded < 0, plus and rounded > 0)


def format_ci(low: float, high: float, decimals: int) -> str:
    """Format a confidence interval as the abstract does: ``low to high``.

    >>> format_ci(-29.872, -7.699, 2)
    '−29.87 to −7.70'
    """
    return f"{format_number(low, decimals)} to {format_number(high, decimals)}"


def format_p(p_val: float, decimals: int = 3) -> str:
    """Format a p-value to ``decimals`` places, or as ``<0.001`` when it rounds to 0.

    >>> format_p(0.0028753)
    '0.003'
    >>> format_p(0.00002)
    '<0.001'
    """
    if not 0.0 <= p_val <= 1.0:
        raise ValueError(f"p_val must lie in [0, 1]; got {p_val!r}")
    rounded = round_half_up(p_val, decimals)
    if rounded == 0:
        return f"<{_quantum(decimals)}"
    return f"{rounded:.{decimals}f}"


def parse_printed(text: str) -> Decimal:
    """Read a number as printed (true minus, optional plus, optional %).

    >>> parse_printed("−18.79")
    Decimal('-18.79')
    """
    cleaned = text.strip().replace(MINUS, "-").replace("\u2013", "-").removesuffix("%").lstrip("+")
    return Decimal(cleaned)


_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip


def count_in_words(count: int, *, capital: bool = False) -> str:
    """Spell a count as the abstract does ("Fourteen"); digits above twenty.

    >>> count_in_words(14, capital=True)
    'Fourteen'
    >>> count_in_words(140)
    '140'
    """
    if count < 0:
        raise ValueError(f"count must not be negative; got {count!r}")
    word = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else str(count)
    return word.capitalize() if capital else word


def parse_count_word(text: str) -> int:
    """Inverse of :func:`count_in_words`.

    >>> parse_count_word("Fourteen")
    14
    """
    cleaned = text.strip().lower()
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned not in _NUMBER_WORDS:
        raise ValueError(f"text must be a count in words or digits; got {text!r}")
    return _NUMBER_WORDS.index(cleaned)
