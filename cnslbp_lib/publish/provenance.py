"""Where each number on a page comes from, shown in place.

Reported numbers are checked against the paper (:class:`~cnslbp_lib.publish.study.CheckedNumber`).
Every other number the book shows about the reconstruction is a
:class:`RangedNumber`: its value in this dataset, with how the ensemble of all
datasets the abstract allows spreads it (see :mod:`cnslbp_lib.paper.derived`).
On a user's own cohort the numbers are data, not one choice among many: they
are shown plainly, and :data:`OWN_DATA_NOTE` says why no ranges appear.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from ..paper.derived import CLASS_WORDS, DERIVED, Derived, Spread, get_derived
from ..paper.reconstruction import EnsembleSummary
from .html import HtmlTable, html_table

__all__ = ["DERIVED_PAGE", "KEY_LINE", "LEGEND", "OWN_DATA_NOTE", "RangedInterval", "RangedNumber", "RangedP", "Ranges"]

DERIVED_PAGE = "abstract_determines.html"
OWN_DATA_NOTE = (
    "These are your cohort's own data, so each number is a result, not one choice among the many "
    "datasets the abstract allows: no ranges are shown."
)
KEY_LINE = (
    "Key: a number with a dotted blue underline is checked against the paper (a wavy orange one disagrees "
    "with it); a grey range after a number "
    "gives where 90% of the datasets the abstract allows put it (dashed orange: it depends on the "
    "reconstruction; dashed green: every dataset reads the same; dotted purple: an assumption sets "
    "it); a solid grey underline marks a number the abstract fixes. Hover over or tab to any of "
    "them for details."
)
LEGEND: tuple[tuple[str, str, str], ...] = (
    ("checked", "reported and checked", "the abstract prints it; recomputed here and compared with the print"),
    (
        "fixed",
        CLASS_WORDS["fixed"],
        "not printed, but the same at printed precision in every dataset the abstract allows",
    ),
    (
        "same-verdict",
        CLASS_WORDS["same verdict"],
        "it varies between datasets, but the reading (p below .05, a sign, an interval excluding zero) never changes",
    ),
    (
        "depends",
        CLASS_WORDS["depends"],
        "datasets the abstract allows give values that read differently; this book's is one arbitrary choice",
    ),
    (
        "assumption",
        CLASS_WORDS["assumption"],
        "it varies only because of a prior the abstract says nothing about (levels, ratings, a reliability)",
    ),
)


def _css_class(spread: Spread) -> str:
    return spread.derived_class.replace(" ", "-")


@dataclass(frozen=True)
class RangedNumber:
    """A number about the reconstruction with its spread across the ensemble, shown in place."""

    item: Derived
    shown: str
    spread: Spread
    members: int

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return self.shown

    @property
    def range_text(self) -> str:
        """The 90% range in words, e.g. ``90%: −0.78 to −0.07``; empty for a fixed number."""
        if self.spread.derived_class == "fixed":
            return ""
        return f"90%: {self.item.printed(self.spread.low)} to {self.item.printed(self.spread.high)}"

    def _repr_html_(self) -> str:
        spread, item = self.spread, self.item
        median, low, high, least, most = (
            item.printed(value) for value in (spread.median, spread.low, spread.high, spread.minimum, spread.maximum)
        )
        detail = f"{item.label}. {spread.class_words.capitalize()}"
        if spread.derived_class == "fixed":
            detail += f": every one of the {self.members:,} datasets the abstract allows prints it as {self.shown}."
        else:
            detail += (
                f". This dataset: {self.shown}. Across {self.members:,} datasets the abstract allows: median {median}, "
                f"90% between {low} and {high}, all between {least} and {most}."
            )
            if spread.verdict:
                detail += f" In every one: {spread.verdict}."
            if item.assumption:
                detail += f" Assumption: {item.assumption}."
        detail = html.escape(detail + " Select to open its row in ‘What the abstract determines’.")
        visible = f'<span class="cnslbp-range"> [{html.escape(self.range_text)}]</span>' if self.range_text else ""
        return (
            f'<a class="cnslbp-num cnslbp-prov cnslbp-prov--{_css_class(spread)}" '
            f'href="{DERIVED_PAGE}#derived-{item.key}" data-key="{item.key}">{html.escape(self.shown)}{visible}'
            f'<span class="cnslbp-tip" role="tooltip">{detail}</span></a>'
        )


@dataclass(frozen=True)
class RangedInterval:
    """An interval whose two limits are quoted separately (each may carry its spread)."""

    low: RangedNumber | str
    high: RangedNumber | str

    def __str__(self) -> str:
        return f"{self.low} to {self.high}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"{_html(self.low)} to {_html(self.high)}"


@dataclass(frozen=True)
class RangedP:
    """``p = 0.012`` or ``p < 0.001`` whose number may carry its spread."""

    number: RangedNumber | str
    value: float

    def __str__(self) -> str:
        return f"p {self.number}" if str(self.number).startswith("<") else f"p = {self.number}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        sign = "" if str(self.number).startswith("<") else "= "
        return f"p {sign}{_html(self.number)}"


def _html(value: RangedNumber | str) -> str:
    return value._repr_html_() if isinstance(value, RangedNumber) else html.escape(value)


@dataclass(frozen=True)
class Ranges:
    """Turns values into :class:`RangedNumber` on the reconstruction, and leaves own data plain."""

    summary: EnsembleSummary | None

    def number(self, key: str, value: float) -> RangedNumber | str:
        """``value`` printed as the registry entry ``key`` prints it, with its spread when there is one."""
        item = get_derived(key)
        shown = item.printed(value)
        if self.summary is None or not math.isfinite(value):
            return shown
        return RangedNumber(item, shown, self.summary.spread(key), self.summary.members)


def spread_table(summary: EnsembleSummary) -> HtmlTable:
    """Every derived quantity with its class and spread across the ensemble, one anchored row each.

    "This dataset" is the worked member's value (the member ``data/cohort.csv`` holds).
    """
    worked = summary.frame.set_index("member").loc[summary.worked]
    rows = []
    for item in DERIVED:
        spread = summary.spread(item.key)
        what = spread.class_words
        if spread.verdict:
            what += f" ({spread.verdict})"
        if spread.derived_class == "assumption":
            what += f": {item.assumption}"
        rows.append(
            {
                "Quantity": item.label,
                "What the abstract says": what,
                "This dataset": item.printed(float(worked[item.key])),
                "Median": item.printed(spread.median),
                "90% of datasets": f"{item.printed(spread.low)} to {item.printed(spread.high)}",
                "All datasets": f"{item.printed(spread.minimum)} to {item.printed(spread.maximum)}",
            }
        )
    return html_table(
        pd.DataFrame(rows),
        f"Numbers the abstract does not print, across {summary.members:,} datasets it allows",
        row_ids=[f"derived-{item.key}" for item in DERIVED],
        row_classes=[f"cnslbp-row--{_css_class(summary.spread(item.key))}" for item in DERIVED],
    )


def legend_table() -> HtmlTable:
    """What each way of marking a number means, for the start page."""
    frame = pd.DataFrame([(words, meaning) for _, words, meaning in LEGEND], columns=["Marked as", "Meaning"])
    return html_table(
        frame, "How numbers are marked in this book", row_classes=[f"cnslbp-row--{key}" for key, _, _ in LEGEND]
    )
