"""Whole sentences several chapters share, whose shape depends on the data: what is said when a number is missing.

A sentence like "the mean PIQ score changed by −18.79 points (95% CI …)" has no
sensible form with its numbers taken out, so when the cohort cannot give them
the library writes another sentence, with the reason. Sentences are MyST
Markdown, pasted with ``{glue:md}`key:myst```: the numbers in them are
``{glue}`` roles of their own, so a reported number stays an in-place check
and a ranged number keeps its spread, exactly as in the chapter's prose.
:func:`~cnslbp_lib.publish.myst.quoted_keys` lists the keys a sentence quotes, and the page glues them
(:attr:`~cnslbp_lib.publish.page.Page.checks`). A sentence only one chapter says
lives in that chapter's text module (:mod:`cnslbp_lib.publish.chapters`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..data.instruments import get_instrument
from ..exceptions import NotEnoughDataError
from ..paper.formatting import format_number
from ..stats.change import paired_change
from ..stats.sensitivity import minimum_detectable_dz
from .myst import REPORTED_KEYS
from .myst import md as _md
from .myst import role as _role
from .phrases import participants
from .provenance import Displayable, Marks, Phrase
from .study import Study
from .words import DERIVED_KEYS

__all__ = [
    "change_reading",
    "change_result",
    "interval_reading",
    "power_sentence",
    "series",
]


def change_result(study: Study, instrument: str, *, capital: bool = False) -> str:
    """``the mean PIQ score changed by −18.79 points (95% CI …; p = …; dz = …)``, or why it could not be computed.

    ``capital`` starts it with "The", for the start of a sentence.
    """
    abbreviation = get_instrument(instrument).abbreviation
    article = "The" if capital else "the"
    mean = study.checked(f"{instrument}_mean_change")
    if not mean.computable:
        return _md(f"{article} mean change in {abbreviation} could not be computed ({mean.reason})")
    parts = []
    if f"{instrument}_ci_low" in REPORTED_KEYS:
        parts.append(f"95% CI {_role(f'{instrument}_ci_low')} to {_role(f'{instrument}_ci_high')}")
    for name, quantity in (("p", "p_val"), ("dz", "dz")):
        if f"{instrument}_{quantity}" in REPORTED_KEYS:
            parts.append(f"{name} = {_role(f'{instrument}_{quantity}')}")
    return f"{article} mean {abbreviation} score changed by {_role(mean.key)} points ({'; '.join(parts)})"


def power_sentence(n: int, *, brief: bool, marks: Marks | None = None) -> Phrase | str:
    """What a paired t-test on ``n`` people can detect with 80% power, in one or two sentences.

    With ``marks`` the detectable dz carries its mark (a function of n alone).
    """
    try:
        detectable = minimum_detectable_dz(n)
    except NotEnoughDataError as error:
        return f"With {participants(n)}{'' if brief else ','} a paired t-test cannot be run at all: it {error.reason}."
    size: str | Displayable = format_number(detectable, 2)
    if marks is not None:
        size = marks.number("power_dz", detectable)
    if brief:
        return Phrase(
            (
                f"With {n} participants a paired t-test has 80% power only for standardised effects of dz = ",
                size,
                " or more.",
            )
        )
    sentence = (
        f"With {n} participants, a two-sided paired t-test at the 5% level has 80% power only for effects of dz = ",
        size,
        " or larger.",
    )
    if detectable >= 0.8:
        reach = "large standardised changes and little else"
    elif detectable >= 0.5:
        reach = "large and moderate standardised changes, but not small ones"
    elif detectable >= 0.2:
        reach = "standardised changes down to small ones"
    else:
        reach = "even standardised changes smaller than small ones"
    return Phrase((*sentence, f" A study this size can detect {reach}."))


Quote = Callable[[float], "str | Displayable"]
"""Prints one end of an interval (in points of improvement, one decimal), with its mark if it has one."""


def _plain(size: float) -> str:
    return format_number(size, 1)


def _points(size: float, quote: Quote) -> Phrase | str:
    """``10.2 points``, ``1.0 point``, ``less than 0.1 points`` (a size that prints as 0.0)."""
    printed = format_number(size, 1)
    if printed == format_number(0, 1):
        return f"less than {format_number(0.1, 1)} points"
    return Phrase((quote(size), f" point{'' if printed == format_number(1, 1) else 's'}"))


def _up_to(size: float, quote: Quote) -> Phrase | str:
    """``up to 10.2 points``, or ``less than 0.1 points`` when that is all there is."""
    points = _points(size, quote)
    return points if isinstance(points, str) else Phrase(("up to ", points))


def _span(smaller: float, larger: float, quote: Quote) -> Phrase:
    """``7.7 to 29.9 points``."""
    return Phrase((quote(smaller), " to ", _points(larger, quote)))


def series(parts: list[str]) -> str:
    """``a and b``, ``a, b, and c``; with a comma inside a part, ``a, and b`` so the parts stay apart."""
    if len(parts) <= 1:
        return "".join(parts)
    serial = len(parts) > 2 or any("," in part for part in parts)
    return f"{', '.join(parts[:-1])}{',' if serial else ''} and {parts[-1]}"


def _phrase_series(parts: list[Phrase | str]) -> Phrase:
    """:func:`series` of phrases that carry marked numbers."""
    if len(parts) <= 1:
        return Phrase(tuple(parts))
    serial = len(parts) > 2 or any("," in str(part) for part in parts)
    joined: list[str | Displayable] = []
    for position, part in enumerate(parts[:-1]):
        joined += [part, ", " if position < len(parts) - 2 else ("," if serial else "")]
    return Phrase((*joined, " and ", parts[-1]))


def _reading(least: float, most: float, threshold: float, quote: Quote) -> Phrase:
    """:func:`interval_reading` of a finite interval of positive width, in improvement units."""
    line = f"the book's assumed {threshold}-point threshold"
    if most < 0:
        return Phrase(
            (
                "is compatible with worsening, of ",
                _span(-most, -least, quote),
                ", and excludes no change and any improvement",
            )
        )
    if least >= threshold:
        # outside a 95% interval means less compatible with the data, not impossible
        return Phrase(
            (
                f"lies wholly above {line}: it fits mean improvements of ",
                _span(least, most, quote),
                ", and smaller ones fit the data less well (a threshold for one person's change is only a "
                "yardstick for a group's mean)",
            )
        )
    if least > 0 and most < threshold:
        return Phrase(
            (
                f"is compatible with improvements smaller than {line}, of ",
                _span(least, most, quote),
                ", and excludes no change",
            )
        )
    if least > 0:
        return Phrase(
            (
                "is compatible with improvements from ",
                _points(least, quote),
                f", short of {line}, to ",
                _points(most, quote),
                ", beyond it; it excludes no change and worsening",
            )
        )
    parts: list[Phrase | str] = []
    if most > 0:
        side = "beyond" if most > threshold else "reaching" if most == threshold else "short of"
        parts.append(Phrase(("with improvements of ", _up_to(most, quote), f", {side} {line}")))
    parts.append("with no change")
    if least < 0:
        parts.append(Phrase(("with a worsening of ", _up_to(-least, quote))))
    return Phrase(("is compatible ", _phrase_series(parts)))


def interval_reading(
    instrument: str,
    low: float,
    high: float,
    *,
    n: int | None = None,
    reason: str = "",
    quote: Quote | None = None,
) -> Phrase | str:
    """How a change's 95% interval reads against the instrument's clinically important threshold.

    The one rule the book uses wherever it reads an interval: which of
    improvements beyond the registry threshold, improvements short of it, no
    change and worsening the interval includes, each with its size in points
    (one decimal), in the instrument's own direction. The result follows "the
    interval", e.g. "is compatible with improvements of up to 10.2 points,
    beyond the book's 8-point threshold, with no change, and with a worsening
    of up to 1.0 point". An interval of zero width (``n`` equal changes) or
    one that cannot be computed (``reason`` says why) is said to be so.
    ``quote`` prints each end with its mark (plain by default). Values outside
    the interval are called less compatible with the data, never impossible.
    """
    entry = get_instrument(instrument)
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"cannot be computed: {reason}" if reason else "cannot be computed"
    if low == high:
        every = f"all {n} changes" if n is not None else "all the changes"
        return f"has no width, because {every} are equal"
    least, most = sorted((low * entry.improvement_sign, high * entry.improvement_sign))
    return _reading(least, most, entry.threshold, quote or _plain)


def _interval_quote(marks: Marks | None, instrument: str, low: float, high: float) -> Quote:
    """How a reading marks the ends of an instrument's stage 2 → 3 interval ``low`` to ``high``.

    On the reconstruction a printed limit is marked as printed, a limit the
    abstract does not print by its registry class; on own data they are results, shown plainly.
    """
    if marks is None or marks.summary is None:
        return _plain

    def quote(size: float) -> str | Displayable:
        text = format_number(size, 1)
        end = "low" if math.isclose(abs(size), abs(low)) else "high"
        key = f"{instrument}_ci_{end}"
        if key in REPORTED_KEYS:
            return marks.printed(key, shown=text, note="in points of improvement, to one decimal")
        if key in DERIVED_KEYS:
            return marks.number(key, low if end == "low" else high, shown=text)
        return text

    return quote


def change_reading(data: pd.DataFrame, instrument: str, marks: Marks | None = None) -> Phrase | str:
    """:func:`interval_reading` of a cohort's stage 2 → 3 change, or why its interval cannot be read."""
    try:
        result = paired_change(data, instrument)
    except NotEnoughDataError as error:
        return f"cannot be computed: {error.reason}"
    quote = _interval_quote(marks, instrument, result.ci_low, result.ci_high)
    return interval_reading(instrument, result.ci_low, result.ci_high, n=result.n, reason=result.note, quote=quote)
