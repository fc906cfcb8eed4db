"""What the book's chapters call: the dataset, in-place number checks, wording and tables.

Chapters narrate and display; everything they show is computed here or in the
analysis modules. :func:`open_book` loads the cohort named by ``$CNSLBP_DATA``
(default ``data/cohort.csv``), replaces participant ids by labels and runs the
number audit once, so every page agrees with the audit chapter.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
from IPython.display import HTML, display
from myst_nb import glue

from . import charts
from .audit import audit
from .formatting import count_in_words
from .instruments import get_instrument
from .load import Cohort, load_cohort
from .provenance import Provenance, cohort_path, provenance
from .reported import REPORTED, get_reported

__all__ = [
    "AUDIT_PAGE",
    "CheckedNumber",
    "Study",
    "change_verb",
    "html_table",
    "improvement_word",
    "interval_phrase",
    "open_book",
]

AUDIT_PAGE = "number_audit.html"


@dataclass(frozen=True)
class CheckedNumber:
    """A recomputed number that knows what the paper printed.

    In HTML it is a link to its row in the number audit whose tooltip (on
    hover and on keyboard focus) gives the printed value, the recomputed value
    and the verdict; a disagreement is flagged visibly in the text.
    """

    key: str
    label: str
    reported: str
    recomputed: float
    shown: str
    agrees: bool

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return self.shown

    def _repr_html_(self) -> str:
        verdict = "agrees with the paper" if self.agrees else "differs from the paper"
        state = "agrees" if self.agrees else "disagrees"
        flag = "" if self.agrees else f'<span class="cnslbp-flag">≠ paper {html.escape(self.reported)}</span>'
        full = "not computable" if pd.isna(self.recomputed) else f"{self.recomputed:.6g}".replace("-", "\u2212")
        tip = (
            f"{html.escape(self.label)}. Paper: {html.escape(self.reported)}. "
            f"Recomputed: {html.escape(full)}, printed {html.escape(self.shown)}. "
            f"Verdict: {verdict}. Select to open its row in the number audit."
        )
        return (
            f'<a class="cnslbp-num cnslbp-num--{state}" href="{AUDIT_PAGE}#audit-{self.key}" '
            f'data-key="{self.key}">{html.escape(self.shown)}{flag}'
            f'<span class="cnslbp-tip" role="tooltip">{tip}</span></a>'
        )


def change_verb(mean_change: float) -> str:
    """``fell``, ``rose`` or ``did not change`` for a mean change."""
    return "fell" if mean_change < 0 else "rose" if mean_change > 0 else "did not change"


def improvement_word(mean_change: float, instrument: str) -> str:
    """``improved``, ``worsened`` or ``did not change``, in the instrument's direction."""
    signed = mean_change * get_instrument(instrument).improvement_sign
    return "improved" if signed > 0 else "worsened" if signed < 0 else "did not change"


def interval_phrase(low: float, high: float) -> str:
    """Whether an interval excludes zero, in words."""
    return "includes zero" if low <= 0 <= high else "excludes zero"


def html_table(frame: pd.DataFrame, caption: str, *, row_ids: list[str] | None = None) -> HTML:
    """A plain, accessible HTML table with a caption and optional row anchors.

    Deterministic (no generated ids) and without an index column, so no empty
    header cell.
    """
    head = "".join(f'<th scope="col">{html.escape(str(column))}</th>' for column in frame.columns)
    body = []
    for position, row in enumerate(frame.itertuples(index=False)):
        anchor = f' id="{row_ids[position]}"' if row_ids else ""
        cells = "".join(f"<td>{cell if isinstance(cell, HTMLText) else html.escape(str(cell))}</td>" for cell in row)
        body.append(f"<tr{anchor}>{cells}</tr>")
    return HTML(
        f'<table class="cnslbp-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class HTMLText(str):
    """A table cell that is already HTML and must not be escaped."""


@dataclass(frozen=True, eq=False)
class Study:
    """The book's dataset and everything derived once from it."""

    cohort: Cohort
    provenance: Provenance

    @property
    def data(self) -> pd.DataFrame:
        return self.cohort.data

    @cached_property
    def audit(self) -> pd.DataFrame:
        return audit(self.cohort)

    def checked(self, key: str) -> CheckedNumber:
        """The in-place check of one reported number."""
        row = self.audit.set_index("key").loc[key]
        return CheckedNumber(
            key=key,
            label=str(row["label"]),
            reported=str(row["reported"]),
            recomputed=float(row["recomputed"]),
            shown=str(row["recomputed_printed"]),
            agrees=bool(row["agrees"]),
        )

    def glue_reported(self) -> None:
        """Glue every reported number under its registry key, as an in-place check."""
        for record in REPORTED:
            glue(record.key, self.checked(record.key), display=False)

    def notice(self) -> None:
        """Show, at the top of a chapter, what the data are (and are not)."""
        source = self.provenance
        kind = "Reconstructed data" if source.is_reconstruction else "User-supplied data"
        display(
            HTML(
                f'<div class="admonition cnslbp-dataset cnslbp-dataset--{source.kind}" role="note">'
                f'<p class="admonition-title">{kind}</p>'
                f"<p>{html.escape(source.notice)} "
                f"{count_in_words(self.cohort.n_participants, capital=True)} participants; "
                f"file SHA-256 <code>{source.sha256[:16]}…</code>.</p></div>"
            )
        )

    def glue_text(self, key: str, text: str) -> None:
        """Glue a computed phrase or number for use in the prose."""
        glue(key, text, display=False)


def open_book() -> Study:
    """Load the book's cohort, hide participant ids, and enable the chart renderer."""
    charts.enable()
    cohort = load_cohort(cohort_path())
    return Study(cohort=cohort.pseudonymised(), provenance=provenance(cohort))


def reported_label(key: str) -> str:
    """What a reported number measures, for captions."""
    return get_reported(key).label
