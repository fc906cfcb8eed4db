"""The numbers a paper prints, one record each, read from its paper file.

This is where the paper layer meets a study's paper file
(:mod:`cnslbp_lib.data.paper_file`): :func:`load_paper` reads one into a
:class:`Paper`, its design and its :class:`ReportedNumber` records, and
:data:`STUDY` is the book's own study. Every record says what it is and which
comparison it describes (the stages, or the pair of changes for an
association), so the audit, the data-free checks, the targets and the ensemble
dispatch on those fields; nothing else types a reported value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from ..data.instruments import DESIGN, STUDY_PAPER, Design, Instrument, design_from_paper_file
from ..data.paper_file import PaperFile, ReportedSpec, load_paper_file
from .formatting import count_in_words, format_number, format_p, parse_count_word, parse_printed

__all__ = [
    "REPORTED",
    "STUDY",
    "Paper",
    "ReportedNumber",
    "get_reported",
    "load_paper",
    "reported_for",
    "reported_n",
]

_NO_LEADING_ZERO = re.compile(r"^[<>≤≥]?\s*[−–+-]?\.\d")
_LEADING_ZERO = re.compile(r"^([<>≤≥]?\s*[−–+-]?)0\.")

Quantity = Literal[
    "participants",
    "missing",
    "mean",
    "sd",
    "mean_change",
    "change_sd",
    "ci_low",
    "ci_high",
    "p_val",
    "t",
    "df",
    "dz",
    "effect_size",
    "responder_pct",
    "responder_k",
    "association",
]
Style = Literal["word", "phrase", "signed", "plus", "magnitude", "p", "percent", "direction", "count"]


@dataclass(frozen=True)
class ReportedNumber:
    """One number as a paper prints it, and what it describes.

    Attributes
    ----------
    key : str
        Stable identifier, also the anchor of its row in the number audit.
    label : str
        What it measures, in words.
    quantity : str
        Which statistic it is; the audit recomputes it by this name.
    instrument : str or None
        Key of the outcome it describes, if any.
    printed : str
        The value exactly as printed (true minus sign, plus sign, words).
    decimals : int or None
        Printed decimals; None for counts, words and directions.
    style : str
        How the paper prints this kind of number: ``signed`` (minus only),
        ``plus`` (explicit + for a rise), ``magnitude`` (no sign, as for dz),
        ``p``, ``percent``, ``word`` (a count spelt out), ``count``, ``phrase``,
        ``direction`` (a qualitative claim about a sign).
    rounding : str
        The rounding convention assumed: half-up to ``decimals`` unless stated.
    from_stage : int or None
        The earlier stage of the comparison a change (or an association between changes) describes.
    to_stage : int or None
        Its later stage.
    stage : int or None
        The stage a mean or SD describes.
    pair : tuple of str or None
        For an association, the two outcomes whose changes it relates (x, y).
    direction : str or None
        For an association, the sign of r(Δx, Δy) the paper's wording is read to claim.
    level : float
        A confidence interval's level.
    label_printed : str or None
        An effect size's printed name (``dz``, ``d``, ``g``…).
    wording : str or None
        An association's sentence, as printed.
    reversed : bool
        For a mean change, its CI limits or t: the source subtracts earlier
        minus later (its ``difference``); values are computed later minus
        earlier and printed negated (a CI's limits swap).
    """

    key: str
    label: str
    quantity: Quantity
    instrument: str | None
    printed: str
    decimals: int | None
    style: Style
    rounding: str = "half-up"
    from_stage: int | None = None
    to_stage: int | None = None
    stage: int | None = None
    pair: tuple[str, str] | None = None
    direction: Literal["negative", "positive"] | None = None
    level: float = 0.95
    label_printed: str | None = None
    wording: str | None = None
    reversed: bool = False

    @property
    def computed_quantity(self) -> str:
        """The quantity to compute, later minus earlier, for this record (a reversed CI's lower limit is the upper)."""
        if self.reversed:
            return {"ci_low": "ci_high", "ci_high": "ci_low"}.get(self.quantity, self.quantity)
        return self.quantity

    @property
    def value(self) -> Decimal | None:
        """The printed value as a number, or None for words and directions."""
        if self.style in ("word", "phrase", "direction"):
            return None
        return parse_printed(self.printed)

    @property
    def comparison(self) -> tuple[int, int] | None:
        """``(from_stage, to_stage)`` of a change, or None."""
        if self.from_stage is None or self.to_stage is None:
            return None
        return self.from_stage, self.to_stage

    def as_printed(self, value: float) -> str:
        """Print a recomputed value the way the paper prints this record.

        >>> get_reported("pseq_mean_change").as_printed(251 / 14)
        '+17.93'
        >>> get_reported("piq_dz").as_printed(-0.97849)
        '0.98'
        >>> from dataclasses import replace
        >>> replace(get_reported("piq_p_val"), printed=".003").as_printed(0.0028753)
        '.003'
        """
        if not math.isfinite(value):
            return "not computable"
        if self.reversed and self.quantity in ("mean_change", "ci_low", "ci_high", "t"):
            value = -value  # the source subtracts the other way (earlier minus later)
        text = self._styled(value)
        # a paper that drops the leading zero (".31", "<.001") has its recomputed values printed the same way
        if _NO_LEADING_ZERO.match(self.printed.strip()):
            text = _LEADING_ZERO.sub(r"\1.", text, count=1)
        if self.printed.strip().startswith("\u2013"):  # a minus typeset as an en dash is reprinted as one
            text = text.replace("\u2212", "\u2013", 1)
        return text

    def _styled(self, value: float) -> str:  # noqa: PLR0911 (one return per style)
        decimals = self.decimals or 0
        match self.style:
            case "word":
                return count_in_words(int(value), capital=self.printed[:1].isupper())
            case "count":
                return format_number(value, 0)
            case "phrase":
                # a phrase prints a count of nothing in the paper's own words ("no missing data")
                count = int(value)
                return self.printed if count == 0 else f"{count} missing values or stage rows"
            case "direction":
                # the paper's word for the sign it claims; the other sign is named against it
                if value == 0:
                    return "none"
                claimed = -1 if self.direction == "negative" else 1
                return self.printed if (value > 0) == (claimed > 0) else f"the opposite of {self.printed}"
            case "p":
                return format_p(value, decimals)
            case "magnitude":
                return format_number(abs(value), decimals)
            case "plus":
                return format_number(value, decimals, plus=True)
            case _:
                return format_number(value, decimals)


def _record(spec: ReportedSpec) -> ReportedNumber:
    style = spec.inferred_style
    rounding = (
        "exact" if spec.quantity in ("participants", "missing") else "sign" if style == "direction" else "half-up"
    )
    return ReportedNumber(
        key=spec.key,
        label=spec.label,
        quantity=spec.quantity,
        instrument=spec.instrument,
        printed=spec.printed,
        decimals=spec.decimals,
        style=style,
        rounding=rounding,
        from_stage=spec.from_stage,
        to_stage=spec.to_stage,
        stage=spec.stage,
        pair=spec.pair,
        direction=spec.direction,
        level=spec.level if spec.level is not None else 0.95,
        label_printed=spec.label_printed,
        wording=spec.wording,
        reversed=spec.difference == "earlier minus later",
    )


@dataclass(frozen=True, eq=False)
class Paper:
    """A study as the paper layer sees it: its file, its design and its printed numbers."""

    path: Path
    file: PaperFile
    design: Design
    reported: tuple[ReportedNumber, ...]

    def get(self, key: str) -> ReportedNumber:
        """One record by key, naming the known keys otherwise."""
        for record in self.reported:
            if record.key == key:
                return record
        raise ValueError(f"key must be one of {', '.join(record.key for record in self.reported)}; got {key!r}")

    def find(
        self, quantity: Quantity, instrument: str | None = None, comparison: tuple[int, int] | None = None
    ) -> ReportedNumber | None:
        """The record of ``quantity`` for ``instrument`` and ``comparison`` (the analysed one by default), or None."""
        wanted = comparison if comparison is not None else self.analysis
        for record in self.reported:
            if record.quantity != quantity or record.instrument != instrument:
                continue
            if record.comparison is None or record.comparison == wanted:
                return record
        return None

    @property
    def analysis(self) -> tuple[int, int]:
        """The comparison the results are about, as (baseline, follow-up)."""
        return self.design.baseline, self.design.follow_up

    @property
    def n(self) -> int:
        """The participants analysed (the printed count, or the design's ``analysed`` when nothing prints it)."""
        for record in self.reported:
            if record.quantity == "participants":
                return parse_count_word(record.printed)
        if self.file.design.analysis.analysed is not None:
            return self.file.design.analysis.analysed
        raise ValueError(f"{self.path}: the paper prints no number of participants and design.analysis has none")

    @property
    def associations(self) -> tuple[ReportedNumber, ...]:
        """The association claims, each between two named changes."""
        return tuple(record for record in self.reported if record.quantity == "association")

    def comparisons(self, instrument: str) -> tuple[tuple[int, int], ...]:
        """Every comparison the paper prints a number about for ``instrument``, the analysed one first."""
        found = {record.comparison for record in self.reported if record.instrument == instrument and record.comparison}
        return tuple(sorted(found, key=lambda pair: (pair != self.analysis, pair)))

    def instrument(self, key: str) -> Instrument:
        return self.design.instrument(key)


def load_paper(path: str | Path) -> Paper:
    """Read, validate and index a paper file.

    Raises
    ------
    PaperFileError
        Naming the file, the key path and the rule when the file breaks one.
    """
    source = Path(path)
    file = load_paper_file(source)
    design = DESIGN if source.resolve() == STUDY_PAPER.resolve() else design_from_paper_file(file)
    return Paper(source, file, design, tuple(_record(spec) for spec in file.reported))


STUDY: Paper = load_paper(STUDY_PAPER)
REPORTED: tuple[ReportedNumber, ...] = STUDY.reported


def get_reported(key: str) -> ReportedNumber:
    """Return one of the book's records by key, with the known keys in the error otherwise."""
    return STUDY.get(key)


def reported_for(instrument: str, quantity: Quantity) -> ReportedNumber | None:
    """The book's record of ``quantity`` for ``instrument`` in the analysed comparison, or None."""
    return STUDY.find(quantity, instrument)


def reported_n() -> int:
    """The sample size the book's abstract reports (participants who completed all stages)."""
    return STUDY.n
