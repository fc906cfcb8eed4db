"""Where each number on a page comes from, shown in place.

Every number the book shows carries a mark that says what fixed it, decided by
one function, :func:`cnslbp_lib.paper.derived.classify`:

- a reported number recomputed from the dataset is a
  :class:`~cnslbp_lib.publish.study.CheckedNumber` (on the reconstruction it is
  *reproduced by construction*; on anyone's own data it is checked against the paper);
- every other number is a :class:`MarkedNumber`: a number the abstract prints,
  arithmetic on printed numbers alone, a constant the book assumes, or a
  quantity of the dataset with its class and, where it varies, its spread
  across the drawn datasets or its exact bounds over everything the abstract allows.

On a user's own cohort the dataset's quantities are results, not one choice
among many: they are shown plainly, and :data:`OWN_DATA_NOTE` says why no
ranges appear. Numbers about the paper (printed, arithmetic on printed
numbers, the book's assumptions) keep their marks on every build.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..paper.derived import CLASS_WORDS, Bounds, Derived, Spread, classify, get_derived
from ..paper.reconstruction import EnsembleSummary
from ..paper.reported import get_reported

__all__ = [
    "AUDIT_PAGE",
    "DERIVED_PAGE",
    "KEY_LINE",
    "LEGEND",
    "OWN_DATA_NOTE",
    "SAMPLING_SENTENCE",
    "Displayable",
    "MarkedBlock",
    "MarkedInterval",
    "MarkedNumber",
    "MarkedP",
    "Marks",
    "Phrase",
    "bound_text",
    "bounds_words",
    "css_class",
]

DERIVED_PAGE = "abstract_determines.html"
AUDIT_PAGE = "number_audit.html"
OWN_DATA_NOTE = (
    "These are your cohort's own data, so each number is a result, not one choice among the many "
    "datasets the abstract allows: no ranges are shown."
)
SAMPLING_SENTENCE = (
    "Ranges marked “drawn” describe {members} datasets drawn at random from those consistent with the abstract "
    "(each outcome's changes with equal chances among all that reproduce its printed numbers at the book's "
    "assumed thresholds, outcomes paired at random, levels and ratings from stated priors), not the limits of "
    "what it allows; “allowed” marks limits that were computed."
)
KEY_LINE = (
    "Key: grey underline, from the abstract (printed, or worked out from its numbers read as a paired t-test); "
    "blue dotted, a printed number recomputed here; orange dashed, depends on this book's invented dataset (do "
    "not quote it); green dashed, reads the same in every drawn dataset; purple dotted, an assumption of this "
    "book. Tap or hover for details; the start page has the full legend."
)
LEGEND: tuple[tuple[str, str, str], ...] = (
    (
        "checked",
        "reported and recomputed",
        "the abstract prints it; on the reconstruction it is reproduced by construction (the data were built to "
        "reproduce it), on your own data it is checked against the print",
    ),
    (
        "fixed",
        CLASS_WORDS["fixed"],
        "printed in the abstract, computed from its printed numbers alone (read, as the abstract's own intervals "
        "are, as a paired t-test on n − 1 degrees of freedom), or the same at printed precision (to within one "
        "unit of the last digit) over everything the abstract allows",
    ),
    (
        "same-verdict",
        CLASS_WORDS["same verdict"],
        "it varies between datasets, but its reading (p below .05, an interval excluding zero) is the same in "
        "every drawn dataset (a sample of those the abstract allows, not a proof for all of them)",
    ),
    (
        "depends",
        CLASS_WORDS["depends"],
        "datasets consistent with the abstract give values that read differently; this book's is one arbitrary choice",
    ),
    (
        "assumption",
        CLASS_WORDS["assumption"],
        "one of the book's stated assumptions (a threshold, a reliability), or it varies only because of a prior "
        "the abstract says nothing about (stage levels, ratings)",
    ),
)


def css_class(spread: Spread) -> str:
    """The class of a marked number or a table row: ``cnslbp-prov--<class>``, ``cnslbp-row--<class>``."""
    return spread.derived_class.replace(" ", "-")


def bound_text(item: Derived, interval: tuple[float, float]) -> str:
    """One end of a :class:`~cnslbp_lib.paper.derived.Bounds` in print: a value, or the interval it lies in."""
    low, high = (item.printed(value) for value in interval)
    return low if low == high else f"between {low} and {high}"


def bounds_words(item: Derived, bounds: Bounds) -> str:
    """Exact bounds in print: ``low to high``, each end a value or the interval it lies in."""
    return f"{bound_text(item, bounds.low)} to {bound_text(item, bounds.high)}"


@dataclass(frozen=True)
class MarkedNumber:
    """A number with the mark of its class, a note on hover and keyboard focus, and (when it varies) its range."""

    item: Derived
    shown: str
    spread: Spread
    show_range: bool = True
    role: str = "this dataset"

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return self.shown

    @property
    def range_text(self) -> str:
        """What follows the number in grey (``allowed: a to b`` for exact bounds, ``drawn 90%: a to b``), or nothing."""
        spread, item = self.spread, self.item
        if not self.show_range or spread.derived_class == "fixed" or spread.basis not in ("drawn", "exact"):
            return ""
        if spread.bounds is not None:
            low, high = (item.printed(value) for value in (spread.bounds.low[0], spread.bounds.high[1]))
            return f"allowed: {low} to {high}"
        return f"drawn 90%: {item.printed(spread.low)} to {item.printed(spread.high)}"

    @property
    def href(self) -> str:
        if self.spread.basis == "printed":
            return f"{AUDIT_PAGE}#audit-{self.item.key}"
        if self.spread.basis in ("drawn", "exact", "inputs"):
            return f"{DERIVED_PAGE}#derived-{self.item.key}"
        return ""

    def detail(self) -> str:
        """The note: what the number is, its class and what the class rests on, its spread or bounds."""
        spread, item = self.spread, self.item
        words = f"{item.label}. {spread.class_words.capitalize()}"
        match spread.basis:
            case "printed" | "abstract":
                words += f": {spread.basis_words}."
            case "assumed":
                words += f": {item.assumption}." if item.assumption else "."
            case "inputs":
                names = ", ".join(get_derived(key).label for key in item.inputs)
                words += f": computed from {names}."
            case _:
                words += self._spread_words()
        if spread.given:
            words += f" It holds {spread.given}."
        if spread.basis in ("drawn", "exact") and spread.assumption and spread.derived_class == "assumption":
            words += f" Assumption: {spread.assumption}."
        return words

    def _spread_words(self) -> str:
        spread, item = self.spread, self.item
        words = ""
        if spread.derived_class == "fixed":
            where = "every dataset the abstract allows" if spread.basis == "exact" else "every drawn dataset"
            within = " to within one unit of its last digit" if spread.within_last_digit else ""
            words += f": it prints as {self.shown}{within} in {where}."
        else:
            words += f". {self.role.capitalize()}: {self.shown}."
        if spread.verdict:
            where = "everything the abstract allows" if spread.basis == "exact" else "every drawn dataset"
            words += f" In {where}: {spread.verdict}."
        if spread.bounds is not None:
            words += f" Allowed by the abstract: {bounds_words(item, spread.bounds)} ({spread.bounds.method})."
            if spread.bounds.note:
                words += f" Note: {spread.bounds.note}."
        if spread.members and spread.derived_class != "fixed":
            median, low, high, least, most = (
                item.printed(value)
                for value in (spread.median, spread.low, spread.high, spread.minimum, spread.maximum)
            )
            words += (
                f" Across {spread.members:,} drawn datasets: median {median}, middle 90% {low} to {high}, "
                f"lowest and highest drawn {least} and {most}."
            )
        return words

    def _repr_html_(self) -> str:
        detail = self.detail()
        if self.href:
            detail += " Select to open its row."
        visible = f'<span class="cnslbp-range"> [{html.escape(self.range_text)}]</span>' if self.range_text else ""
        body = f"{html.escape(self.shown)}{visible}"
        tip = f'<span class="cnslbp-tip" role="tooltip">{html.escape(detail)}</span>'
        classes = f"cnslbp-num cnslbp-prov cnslbp-prov--{css_class(self.spread)}"
        if self.href:
            return f'<a class="{classes}" href="{self.href}" data-key="{self.item.key}">{body}{tip}</a>'
        return f'<span class="{classes}" tabindex="0" data-key="{self.item.key}">{body}{tip}</span>'


class Displayable(Protocol):
    """Anything a page shows as HTML and reads as text: a marked or checked number, an interval, a phrase."""

    def _repr_html_(self) -> str: ...


def _html(value: str | Displayable) -> str:
    return html.escape(value) if isinstance(value, str) else value._repr_html_()


@dataclass(frozen=True)
class Phrase:
    """Words with marked numbers inside them: plain text when read, each number with its mark when shown.

    >>> str(Phrase(("fell by ", "18.79", " points")))
    'fell by 18.79 points'
    """

    parts: tuple[str | Displayable, ...]

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return "".join(_html(part) for part in self.parts)


@dataclass(frozen=True)
class MarkedBlock:
    """A passage whose numbers all come from the abstract's printed numbers alone: marked once, as a whole."""

    text: str
    label: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return (
            f'<span class="cnslbp-block cnslbp-block--fixed"><span class="cnslbp-block-label">'
            f"{html.escape(self.label)}:</span> {html.escape(self.text)}</span>"
        )


@dataclass(frozen=True)
class MarkedInterval:
    """An interval whose two limits are quoted separately (each may carry its mark)."""

    low: str | Displayable
    high: str | Displayable

    def __str__(self) -> str:
        return f"{self.low} to {self.high}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"{_html(self.low)} to {_html(self.high)}"


@dataclass(frozen=True)
class MarkedP:
    """``p = 0.012`` or ``p < 0.001`` whose number may carry its mark."""

    number: str | Displayable
    value: float

    def __str__(self) -> str:
        return f"p {self.number}" if str(self.number).startswith("<") else f"p = {self.number}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        sign = "" if str(self.number).startswith("<") else "= "
        return f"p {sign}{_html(self.number)}"


@dataclass(frozen=True)
class Marks:
    """Marks every number a page shows.

    ``summary`` is the stored ensemble on the reconstruction and None on own
    data; ``check`` turns a reported number's key into its in-place check
    (:meth:`cnslbp_lib.publish.study.Study.checked`), when there is a dataset.
    """

    summary: EnsembleSummary | None
    check: Callable[[str], Displayable] | None = field(default=None, compare=False)

    def number(
        self, key: str, value: float, *, shown: str | None = None, show_range: bool = True, role: str = "this dataset"
    ) -> MarkedNumber | str:
        """``value`` of the registry quantity ``key``, printed as the registry prints it (or as ``shown``).

        On the reconstruction it carries its class and (unless ``show_range`` is False, as for a
        number that is itself an end of a range) its spread; on own data it is a plain result.
        ``role`` says what the value is (this dataset's, by default; "lowest drawn", say).
        """
        item = get_derived(key)
        text = item.printed(value) if shown is None else shown
        if self.summary is None or not math.isfinite(value):
            return text
        return MarkedNumber(item, text, self.summary.spread(key), show_range, role)

    def block(self, text: str, label: str) -> MarkedBlock:
        """A sentence whose every number is worked out from the abstract's printed numbers alone (on every build)."""
        return MarkedBlock(text, label)

    def reported(self, key: str) -> str | Displayable:
        """A reported number recomputed from the dataset, as its in-place check (its printed text without one)."""
        return self.check(key) if self.check is not None else get_reported(key).printed

    def interval(self, low_key: str, high_key: str, low: float, high: float) -> MarkedInterval:
        """Two registry quantities quoted as ``low to high``."""
        return MarkedInterval(self.number(low_key, low), self.number(high_key, high))

    def p(self, key: str, value: float) -> MarkedP:
        """A registry p-value quoted as ``p = …``."""
        return MarkedP(self.number(key, value), value)

    def printed(self, key: str, *, shown: str | None = None, note: str = "") -> MarkedNumber:
        """A reported number as the abstract prints it (or as ``shown``, said in ``note``), marked as printed."""
        record = get_reported(key)
        label = record.label if shown is None else f"{record.label}, printed {record.printed} ({note})"
        item = Derived(key, label, "number", basis="printed")
        return MarkedNumber(item, record.printed if shown is None else shown, classify(item))

    def from_abstract(self, text: str, label: str) -> MarkedNumber:
        """A number worked out from the abstract's printed numbers alone, marked fixed (on every build)."""
        item = Derived("", label, "number", basis="abstract")
        return MarkedNumber(item, text, classify(item))

    def assumed(self, key: str, text: str) -> MarkedNumber:
        """One of the book's assumed constants (registry ``key``, shown as ``text``), marked as an assumption."""
        item = get_derived(key)
        if item.basis != "assumed":
            raise ValueError(f"key must name an assumed constant of the registry; {key!r} is {item.basis}")
        return MarkedNumber(item, text, classify(item))
