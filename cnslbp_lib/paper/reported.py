"""The numbers printed in the study's abstract, one record each.

This is the only place the paper's results are written down. The audit, the
consistency checks, the reconstruction and the book's in-place checks all
read these records; nothing else types a reported value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .formatting import count_in_words, format_number, format_p, parse_count_word, parse_printed

__all__ = ["REPORTED", "ReportedNumber", "get_reported", "reported_for", "reported_n"]

Quantity = Literal[
    "participants",
    "missing",
    "mean_change",
    "ci_low",
    "ci_high",
    "p_val",
    "dz",
    "responder_pct",
    "association",
]
Style = Literal["word", "phrase", "signed", "plus", "magnitude", "p", "percent", "direction"]


@dataclass(frozen=True)
class ReportedNumber:
    """One number as the abstract prints it.

    Attributes
    ----------
    key : str
        Stable identifier, also the anchor of its row in the number audit.
    label : str
        What it measures, in words.
    quantity : str
        Which statistic it is; the audit recomputes it by this name.
    instrument : str or None
        Registry key of the outcome it describes, if any.
    printed : str
        The value exactly as printed (true minus sign, plus sign, words).
    decimals : int or None
        Printed decimals; None for counts, words and directions.
    style : str
        How the paper prints this kind of number: ``signed`` (minus only),
        ``plus`` (explicit + for a rise), ``magnitude`` (no sign, as for dz),
        ``p``, ``percent``, ``word`` (a count spelt out), ``phrase``,
        ``direction`` (a qualitative claim about a sign).
    rounding : str
        The rounding convention assumed: half-up to ``decimals`` unless stated.
    """

    key: str
    label: str
    quantity: Quantity
    instrument: str | None
    printed: str
    decimals: int | None
    style: Style
    rounding: str = "half-up"

    @property
    def value(self) -> Decimal | None:
        """The printed value as a number, or None for words and directions."""
        if self.style in ("word", "phrase", "direction"):
            return None
        return parse_printed(self.printed)

    def as_printed(self, value: float) -> str:  # noqa: PLR0911 (one return per style)
        """Print a recomputed value the way the abstract prints this record.

        >>> get_reported("pseq_mean_change").as_printed(251 / 14)
        '+17.93'
        >>> get_reported("piq_dz").as_printed(-0.97849)
        '0.98'
        """
        if not math.isfinite(value):
            return "not computable"
        decimals = self.decimals or 0
        match self.style:
            case "word":
                return count_in_words(int(value), capital=self.printed[:1].isupper())
            case "phrase":
                count = int(value)
                return "no missing data" if count == 0 else f"{count} missing values or stage rows"
            case "direction":
                return "inverse" if value < 0 else "positive" if value > 0 else "none"
            case "p":
                return format_p(value, decimals)
            case "magnitude":
                return format_number(abs(value), decimals)
            case "plus":
                return format_number(value, decimals, plus=True)
            case _:
                return format_number(value, decimals)


def _change_records(
    instrument: str, *, mean: str, style: Style, low: str, high: str, p: str, dz: str
) -> tuple[ReportedNumber, ...]:
    """The five records of one paired change (mean, CI limits, p, dz)."""
    abbreviation = instrument.upper()
    stage_span = "stage 2 → 3"
    return (
        ReportedNumber(
            f"{instrument}_mean_change",
            f"{abbreviation} mean change, {stage_span}",
            "mean_change",
            instrument,
            mean,
            2,
            style,
        ),
        ReportedNumber(
            f"{instrument}_ci_low", f"{abbreviation} 95% CI, lower limit", "ci_low", instrument, low, 2, "signed"
        ),
        ReportedNumber(
            f"{instrument}_ci_high", f"{abbreviation} 95% CI, upper limit", "ci_high", instrument, high, 2, "signed"
        ),
        ReportedNumber(f"{instrument}_p_val", f"{abbreviation} paired p-value", "p_val", instrument, p, 3, "p"),
        ReportedNumber(
            f"{instrument}_dz", f"{abbreviation} Cohen's dz (size, unsigned)", "dz", instrument, dz, 2, "magnitude"
        ),
    )


REPORTED: tuple[ReportedNumber, ...] = (
    ReportedNumber(
        "participants_completed",
        "Participants who completed all stages",
        "participants",
        None,
        "Fourteen",
        None,
        "word",
        rounding="exact",
    ),
    ReportedNumber(
        "missing_data",
        "Missing values or stage rows",
        "missing",
        None,
        "no missing data",
        None,
        "phrase",
        rounding="exact",
    ),
    *_change_records("piq", mean="−18.79", style="signed", low="−29.87", high="−7.70", p="0.003", dz="0.98"),
    *_change_records("pseq", mean="+17.93", style="plus", low="6.03", high="29.83", p="0.007", dz="0.87"),
    ReportedNumber(
        "piq_responders", "PIQ responders (% of participants)", "responder_pct", "piq", "78.5", 1, "percent"
    ),
    ReportedNumber(
        "pseq_responders", "PSEQ responders (% of participants)", "responder_pct", "pseq", "64.3", 1, "percent"
    ),
    ReportedNumber("psq_mean_change", "PSQ mean change, stage 2 → 3", "mean_change", "psq", "−4.64", 2, "signed"),
    ReportedNumber("psq_p_val", "PSQ paired p-value", "p_val", "psq", "0.096", 3, "p"),
    ReportedNumber(
        "association_direction",
        "Direction of the association between ΔPSEQ and ΔPIQ",
        "association",
        None,
        "inverse",
        None,
        "direction",
        rounding="sign",
    ),
)

_BY_KEY = {record.key: record for record in REPORTED}


def get_reported(key: str) -> ReportedNumber:
    """Return one record by key, with the known keys in the error otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"key must be one of {', '.join(_BY_KEY)}; got {key!r}") from None


def reported_for(instrument: str, quantity: Quantity) -> ReportedNumber | None:
    """The record of ``quantity`` for ``instrument``, or None if the paper gives none."""
    for record in REPORTED:
        if record.instrument == instrument and record.quantity == quantity:
            return record
    return None


def reported_n() -> int:
    """The sample size the abstract reports (participants who completed all stages)."""
    return parse_count_word(get_reported("participants_completed").printed)
