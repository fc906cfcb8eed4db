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

import pandas as pd

from ..paper.derived import CLASS_WORDS, DERIVED, Bounds, Derived, DerivedClass, Spread, classify, get_derived
from ..paper.reconstruction import EnsembleSummary
from ..paper.reported import STUDY, Paper, get_reported
from .html import HtmlTable, html_table

__all__ = [
    "AUDIT_PAGE",
    "DERIVED_PAGE",
    "KEY_LINE",
    "LEGEND",
    "OWN_DATA_NOTE",
    "SAMPLING_SENTENCE",
    "SPREAD_CAPTIONS",
    "Displayable",
    "MarkedBlock",
    "MarkedInterval",
    "MarkedNumber",
    "MarkedP",
    "Marks",
    "Phrase",
    "assumptions_table",
    "bound_text",
    "legend_table",
    "spread_table",
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


def _css_class(spread: Spread) -> str:
    return spread.derived_class.replace(" ", "-")


def bound_text(item: Derived, interval: tuple[float, float]) -> str:
    """One end of a :class:`~cnslbp_lib.paper.derived.Bounds` in print: a value, or the interval it lies in."""
    low, high = (item.printed(value) for value in interval)
    return low if low == high else f"between {low} and {high}"


def _bounds_words(item: Derived, bounds: Bounds) -> str:
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
            words += f" Allowed by the abstract: {_bounds_words(item, spread.bounds)} ({spread.bounds.method})."
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
        classes = f"cnslbp-num cnslbp-prov cnslbp-prov--{_css_class(self.spread)}"
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


def _range_cell(spread: Spread, item: Derived, *, extremes: bool = False) -> str:
    """``[middle 90%]`` of the drawn values (with ``extremes``, then ``(lowest, highest)``), or a dash."""
    if not spread.members:
        return "—"
    ends = (spread.low, spread.high, spread.minimum, spread.maximum)
    low, high, least, most = (item.printed(value) for value in ends)
    middle = f"[{low}, {high}]"
    return f"{middle} ({least}, {most})" if extremes else middle


def _allowed_cell(spread: Spread, item: Derived) -> str:
    """The bounds over everything the abstract allows (one value when both ends print alike), or a dash."""
    bounds = spread.bounds
    if bounds is None:
        return "—"
    if bounds.exact:
        low, high = (item.printed(value) for value in (bounds.low[0], bounds.high[0]))
        return (low if low == high else f"{low} to {high}") + " (exact)"
    return _bounds_words(item, bounds)


def _fixed_cell(spread: Spread, item: Derived) -> str:
    """A fixed number's value: over everything the abstract allows, else over every drawn dataset, else where shown."""
    if spread.bounds is not None:
        return _allowed_cell(spread, item).removesuffix(" (exact)")
    if spread.members:
        ends = dict.fromkeys(item.printed(value) for value in (spread.minimum, spread.maximum))
        return " to ".join(ends) + " in every drawn dataset"
    return "in its chapter"


def _shown_in_table(item: Derived) -> bool:
    return item.basis in ("drawn", "inputs", "abstract")


def _short_names(paper: Paper) -> list[tuple[str, str]]:
    """Each outcome quantity's key suffix and its name in the tables, in the order they list them.

    The tables name the outcome first, say once that a change is stage baseline → follow-up
    unless named and that intervals are 95%; what a quantity assumes is in its row, so its name
    leaves it out. A blank name keeps the registry's label.
    """
    design = paper.design
    base, follow = design.baseline, design.follow_up
    names = [
        ("improvement", "mean improvement (points)"),
        ("dz_improvement", "dz (positive = improvement)"),
        ("dz", "dz (size)"),
        ("ci_low", "CI, lower"),
        ("ci_high", "CI, upper"),
        ("holm_p", "Holm-adjusted p"),
        ("improved_normal", "share expected to improve, Φ(dz)"),
        ("resp_low", "responders, Wilson CI, lower"),
        ("resp_high", "responders, Wilson CI, upper"),
        ("wilcoxon_p", "Wilcoxon signed-rank p"),
        ("loo_mean", "leave-one-out mean change"),
        ("loo_p", "leave-one-out p"),
        ("loo_low", "leave-one-out CI, lower"),
        ("loo_high", "leave-one-out CI, upper"),
        ("boot_low", "percentile bootstrap CI, lower"),
        ("boot_high", "percentile bootstrap CI, upper"),
        ("bca_low", "BCa bootstrap CI, lower"),
        ("bca_high", "BCa bootstrap CI, upper"),
        ("improved_share", "share who improved at all"),
        ("resp_minus2", ""),
        ("resp_plus2", ""),
        ("d_av", "d_av"),
        ("r_stages", f"correlation of stage {base} with stage {follow}"),
        ("overlap", f"overlap of stage {base} and {follow} distributions"),
        (f"mean_{base}", f"stage {base} mean"),
        (f"sd_{base}", f"stage {base} SD"),
        (f"min_{base}", f"stage {base} lowest score"),
        (f"max_{base}", f"stage {base} highest score"),
    ]
    rule = design.non_response
    if rule is not None and rule.to_stage == base:
        early, span = f"{rule.from_stage}{base}", f"stage {rule.from_stage} → {base}"
        names += [
            (f"{early}_mean", f"mean change, {span}"),
            (f"{early}_low", f"{span} CI, lower"),
            (f"{early}_high", f"{span} CI, upper"),
            (f"{early}_p", f"{span} paired p"),
        ]
    names += [
        ("rtm_expected", "expected from regression to the mean (points)"),
        ("rtm_share", "share regression to the mean explains"),
        ("rtm_joint_expected", "expected from regression to the mean, selection on both (points)"),
        ("rtm_joint_share", "share regression to the mean explains, selection on both"),
        ("rtm_low", "regression to the mean alone: 95% range, lower end"),
        ("rtm_high", "regression to the mean alone: 95% range, upper end"),
        ("rtm_chance", "responders expected by chance"),
        ("rtm_expected_60", "expected from regression to the mean at the lower reliability (points)"),
        ("rtm_reliability_explaining", "reliability at which regression to the mean explains it all"),
    ]
    return names


def _table_order(paper: Paper) -> list[tuple[Derived, str, str]]:
    """The tables' rows: each quantity with its group and its name in the group.

    Outcome by outcome (named once, as the group), in a fixed order; then everything else as
    registered, in a group of its own, under its full label.
    """
    items = [item for item in DERIVED if _shown_in_table(item)]
    rows: list[tuple[Derived, str, str]] = []
    for entry in paper.design.instruments:
        group = f"{entry.name} ({entry.abbreviation})"
        prefix = f"{entry.abbreviation} "
        for suffix, name in _short_names(paper):
            item = next((item for item in items if item.key == f"{entry.key}_{suffix}"), None)
            if item is not None:
                rows.append((item, group, name or item.label.removeprefix(prefix)))
    listed = {item.key for item, _, _ in rows}
    rows += [(item, "Other numbers", item.label) for item in items if item.key not in listed]
    return rows


def _letters_of(item: Derived, letters: dict[str, str]) -> str:
    """The letters of the assumptions a quantity rests on (its prior, or what it is computed from)."""
    named = [item.assumption] if item.basis != "inputs" else [get_derived(key).assumption for key in item.inputs]
    return ", ".join(sorted({letters[text] for text in named if text in letters}))


SPREAD_CAPTIONS: dict[DerivedClass, str] = {
    "fixed": "Fixed by the abstract: the same at printed precision in every dataset it allows",
    "same verdict": "Same verdict: varies, but reads the same in every drawn dataset (a sample, not a proof)",
    "depends": "Depends on the reconstruction: allowed datasets read differently; the book's value is one choice",
    "assumption": "Assumed: set by the lettered assumptions, not by the abstract",
}


def spread_table(summary: EnsembleSummary, derived_class: DerivedClass, paper: Paper = STUDY) -> HtmlTable:
    """The numbers of one class that the book shows and the abstract does not print, with their ranges.

    One row per number, anchored ``derived-<key>`` (each mark links to its row), outcome by
    outcome. A fixed number shows its value over everything the abstract allows; the others the
    middle 90% of the drawn datasets, with the lowest and highest drawn where the verdict is what
    is claimed, the computed bounds where there are any, and the letters of the assumptions
    (:func:`assumptions_table`) an assumed number rests on. A dash: not drawn, or not computed.
    """
    letters = _assumption_letters()
    drawn = f"Drawn ({summary.members:,}): [middle 90%]"
    rows: list[dict[str, str]] = []
    ids: list[str] = []
    classes: list[str] = []
    groups: dict[int, str] = {}
    for item, group, name in _table_order(paper):
        spread = summary.spread(item.key)
        if spread.derived_class != derived_class:
            continue
        if group not in groups.values():
            groups[len(rows)] = group
        row = {"Quantity": name + (" (at the assumed threshold)" if spread.given else "")}
        match derived_class:
            case "fixed":
                row["Value"] = _fixed_cell(spread, item)
            case "same verdict":
                row["Verdict"] = spread.verdict
                row[f"{drawn} (lowest, highest)"] = _range_cell(spread, item, extremes=True)
            case "depends":
                row[drawn] = _range_cell(spread, item)
                row["Allowed by the abstract"] = _allowed_cell(spread, item)
            case "assumption":
                row["Assumptions"] = _letters_of(item, letters)
                row[drawn] = _range_cell(spread, item)
        rows.append(row)
        ids.append(f"derived-{item.key}")
        classes.append(f"cnslbp-row--{_css_class(spread)}")
    frame = pd.DataFrame(rows)
    # a column of dashes says nothing
    frame = frame.loc[:, [column for column in frame.columns if not (frame[column] == "—").all()]]
    return html_table(frame, SPREAD_CAPTIONS[derived_class], row_ids=ids, row_classes=classes, groups=groups)


def _assumption_letters() -> dict[str, str]:
    """A letter for each prior behind a drawn number, then for each assumed constant a number is computed from."""
    texts = [item.assumption for item in DERIVED if item.basis in ("drawn", "exact") and item.assumption]
    used = {key for item in DERIVED if item.basis == "inputs" for key in item.inputs}
    texts += [item.assumption for item in DERIVED if item.basis == "assumed" and item.key in used]
    named: dict[str, str] = {}
    for text in texts:
        if text not in named:
            named[text] = "abcdefghijklmnopqrstuvwxyz"[len(named)]
    return named


def _said_once(text: str, earlier: dict[str, str]) -> str:
    """An assumption that extends an earlier one (``earlier text; more``), written as ``(letter); more``."""
    longest = max((found for found in earlier if text.startswith(found + "; ")), key=len, default="")
    return f"({earlier[longest]}){text[len(longest) :]}" if longest else text


def assumptions_table() -> HtmlTable:
    """The assumptions the spread tables name by letter, each once: priors in full, constants by name.

    A constant's source is given where the book uses it (and in its mark's note).
    """
    constants = {item.assumption: item.label for item in DERIVED if item.basis == "assumed"}
    rows: list[dict[str, str]] = []
    earlier: dict[str, str] = {}
    for text, letter in _assumption_letters().items():
        rows.append({"Assumption": f"({letter})", "What it says": constants.get(text) or _said_once(text, earlier)})
        earlier[text] = letter
    return html_table(
        pd.DataFrame(rows),
        "The assumptions behind the numbers marked assumed",
        row_classes=["cnslbp-row--assumption"] * len(rows),
    )


def legend_table() -> HtmlTable:
    """What each way of marking a number means, for the start page."""
    frame = pd.DataFrame([(words, meaning) for _, words, meaning in LEGEND], columns=["Marked as", "Meaning"])
    return html_table(
        frame, "How numbers are marked in this book", row_classes=[f"cnslbp-row--{key}" for key, _, _ in LEGEND]
    )
