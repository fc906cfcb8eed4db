"""The book's dataset, opened once per chapter, and the in-place checks of reported numbers.

:func:`open_book` loads the cohort named by ``$CNSLBP_DATA`` (default
``data/cohort.csv``), replaces participant ids by labels and runs the number
audit once, so every page agrees with the audit chapter.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
from IPython.core.getipython import get_ipython

from ..data.load import Cohort, load_cohort
from ..data.source import Provenance, cohort_path, cohort_sheet, provenance
from ..exceptions import NotEnoughDataError
from ..paper.auditing import Recomputed, audit, recompute
from ..paper.formatting import MINUS, count_in_words
from ..paper.reconstruction import load_summary
from ..paper.reported import STUDY, get_reported
from ..stats.bootstrap import BootstrapInterval
from ..stats.core import Correlation, PairedT, Proportion, SignedRank
from ..stats.correlation import Association
from ..stats.sensitivity import EffectSizes
from . import charts
from .provenance import AUDIT_PAGE, KEY_LINE, OWN_DATA_NOTE, SAMPLING_SENTENCE, Marks

__all__ = ["ASSOCIATION", "PRIMARY", "CheckedNumber", "NotComputable", "Notice", "Study", "open_book"]

# the start page's key to the marks, which a brief notice links to instead of repeating it
KEY_PAGE = "start_here.html#how-numbers-are-marked"

# the book's study as its paper file describes it: the primary outcomes and the claimed association's pair
PRIMARY: tuple[str, ...] = tuple(entry.key for entry in STUDY.design.instruments if entry.role == "primary")
ASSOCIATION: tuple[str, str] = STUDY.associations[0].pair or ("", "")


@dataclass(frozen=True)
class CheckedNumber:
    """A recomputed number that knows what the paper printed.

    In HTML it is a link to its row in the number audit whose tooltip (on
    hover and on keyboard focus) gives the printed value, the recomputed value
    and the verdict; a disagreement is flagged visibly in the text. On the
    reconstruction, ``construction`` is True: the data were built to reproduce
    the abstract, so agreement is *reproduced by construction*, not a check of
    the paper (only the data-free checks check the paper there). A number
    this cohort cannot give reads "not computable" followed by ``reason``, and
    is not flagged as disagreeing. ``unit`` ("%" for a percentage) is part of
    the number: it stays inside the link, before any flag, and the flag and
    tooltip give the paper's value with it.
    """

    key: str
    label: str
    reported: str
    recomputed: float
    shown: str
    agrees: bool
    reason: str = ""
    unit: str = ""
    construction: bool = False

    @property
    def verdict_words(self) -> str:
        """``reproduced by construction`` or ``agrees with the paper``; ``differs from the paper``."""
        if not self.agrees:
            return "differs from the paper"
        return "reproduced by construction" if self.construction else "agrees with the paper"

    @property
    def computable(self) -> bool:
        return not pd.isna(self.recomputed)

    def __str__(self) -> str:
        return f"{self.shown}{self.unit}" if self.computable else f"{self.shown} ({self.reason})"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return self.html()

    def html(self, *, reason: bool = True) -> str:
        """The link with its tooltip; ``reason=False`` leaves out the visible reason of a number not computable."""
        if not self.computable:
            tip = (
                f"{html.escape(self.label)}. Paper: {html.escape(self.reported)}. Not computable from this cohort: "
                f"{html.escape(self.reason)}. Select to open its row in the number audit."
            )
            after = f" ({html.escape(self.reason)})" if reason else ""
            return (
                f'<a class="cnslbp-num cnslbp-num--not-computable" href="{AUDIT_PAGE}#audit-{self.key}" '
                f'data-key="{self.key}">{html.escape(self.shown)}'
                f'<span class="cnslbp-tip" role="tooltip">{tip}</span></a>{after}'
            )
        verdict = self.verdict_words
        if self.construction and self.agrees:
            verdict += " (the dataset was built to reproduce the abstract, so this checks the dataset, not the paper)"
        state = "agrees" if self.agrees else "disagrees"
        paper, shown = html.escape(self.reported + self.unit), html.escape(self.shown + self.unit)
        flag = "" if self.agrees else f'<span class="cnslbp-flag">≠ paper {paper}</span>'
        full = f"{self.recomputed:.6g}".replace("-", MINUS)
        tip = (
            f"{html.escape(self.label)}. Paper: {paper}. "
            f"Recomputed: {html.escape(full + self.unit)}, printed {shown}. "
            f"Verdict: {verdict}. Select to open its row in the number audit."
        )
        return (
            f'<a class="cnslbp-num cnslbp-num--{state}" href="{AUDIT_PAGE}#audit-{self.key}" '
            f'data-key="{self.key}">{shown}{flag}'
            f'<span class="cnslbp-tip" role="tooltip">{tip}</span></a>'
        )


@dataclass(frozen=True)
class Notice:
    """The box at the top of each chapter saying what the data are (and are not).

    In full it carries the key to the marks and what the ranges describe; ``brief``
    links to the start page's key instead, for pages after the first; ``key_line=False``
    leaves the key out (a page that explains the marks itself, or shows none).
    """

    provenance: Provenance
    n_participants: int
    members: int = 0
    key_line: bool = True
    brief: bool = False

    def _repr_html_(self) -> str:
        source = self.provenance
        kind = "Reconstructed data" if source.is_reconstruction else "User-supplied data"
        # the file's full SHA-256 is in every page's announcement bar and in the data appendix
        count = (
            f"{count_in_words(self.n_participants, capital=True)} participant{'' if self.n_participants == 1 else 's'}"
        )
        if self.brief or not self.key_line:
            # the announcement bar names the file on every page; this says what it holds and where the key is
            said = f"{count}, invented: not patient data." if source.is_reconstruction else f"{count}."
            key = f' <span class="cnslbp-key">What the marks on numbers mean: <a href="{KEY_PAGE}">the key</a>.</span>'
            return (
                f'<div class="admonition cnslbp-dataset cnslbp-dataset--{source.kind}" role="note">'
                f'<p class="admonition-title">{kind}</p>'
                f"<p>{html.escape(said)}{key if self.key_line else ''}</p></div>"
            )
        said = KEY_LINE if source.is_reconstruction else OWN_DATA_NOTE
        if source.is_reconstruction and self.members:
            said += " " + SAMPLING_SENTENCE.format(members=f"{self.members:,}")
        return (
            f'<div class="admonition cnslbp-dataset cnslbp-dataset--{source.kind}" role="note">'
            f'<p class="admonition-title">{kind}</p>'
            f"<p>{html.escape(source.notice)} {count}.</p>"
            f'<p class="cnslbp-key">{html.escape(said)}</p></div>'
        )

    def __repr__(self) -> str:
        return f"{self.provenance.notice} {self.n_participants} participants."


@dataclass(frozen=True)
class NotComputable:
    """What a chapter's analysis cell shows where this cohort cannot support the analysis: the reason."""

    analysis: str
    reason: str

    def __repr__(self) -> str:
        return f"{self.analysis}: not computable ({self.reason})"


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

    @cached_property
    def marks(self) -> Marks:
        """Marked numbers with classes and spreads on the reconstruction (the stored ensemble), plain on own data."""
        return Marks(load_summary() if self.provenance.is_reconstruction else None, check=self.checked)

    @cached_property
    def _recomputed(self) -> dict[str, Recomputed]:
        return recompute(self.cohort)

    def checked(self, key: str) -> CheckedNumber:
        """The in-place check of one reported number (or why this cohort cannot give it)."""
        row = self.audit.set_index("key").loc[key]
        missing = pd.isna(row["recomputed"])
        reason = self._recomputed[key].reason or "the data do not define it"
        # "A correlation needs …" reads as part of the sentence it is quoted in
        reason = reason[0].lower() + reason[1:] if reason.startswith(("A ", "An ")) else reason
        return CheckedNumber(
            key=key,
            label=str(row["label"]),
            reported=str(row["reported"]),
            recomputed=float(row["recomputed"]),
            shown=str(row["recomputed_printed"]),
            agrees=bool(row["agrees"]),
            reason=reason if missing else "",
            unit="%" if get_reported(key).style == "percent" else "",
            construction=self.provenance.is_reconstruction,
        )

    def notice(self, *, brief: bool = False, key_line: bool = True) -> Notice:
        """What the data are, for the top of a chapter.

        ``brief``: with a link to the start page's key, not the key; ``key_line=False``: no key at
        all, for a page that explains the marks itself (what the abstract determines) or shows no
        marked numbers (the data appendix).
        """
        summary = self.marks.summary
        members = summary.members if summary is not None else 0
        return Notice(self.provenance, self.cohort.n_participants, members, key_line=key_line, brief=brief)

    def run(self, analysis: Callable[..., Any], *args: Any, **options: Any) -> Any:
        """``analysis(self.data, *args, **options)``, or why this cohort cannot support it.

        A chapter shows an analysis call a reader can learn from through this, so
        that the chapter still builds, saying why, on a cohort too small for it
        (:class:`~cnslbp_lib.exceptions.NotEnoughDataError`, caught by name).

        Examples
        --------
        >>> import pandas as pd
        >>> from cnslbp_lib import paired_change
        >>> one = pd.DataFrame({"participant": "a", "stage": [1, 2, 3], "piq": [40, 41, 30], "pseq": 20, "psq": 20})
        >>> cohort = Cohort.from_frame(one, "one person")
        >>> Study(cohort, provenance(cohort)).run(paired_change, "piq")
        A paired t-test: not computable (needs at least 2 participants with both scores; this cohort has 1)
        """
        try:
            return analysis(self.data, *args, **options)
        except NotEnoughDataError as error:
            return NotComputable(error.analysis, error.reason)


# the library's results a chapter may show from an analysis cell
RESULTS: tuple[type, ...] = (PairedT, SignedRank, Correlation, Proportion, Association, EffectSizes, BootstrapInterval)


def fields_a_line(result: Any, printer: Any, cycle: bool) -> None:
    """IPython's plain-text form of a result: one field a line, so a phone's narrow screen shows every field.

    ``printer`` is IPython's pretty printer; a result nested in another
    (an :class:`~cnslbp_lib.stats.correlation.Association`'s correlations) is
    indented under it. Fields the data leave undefined (NaN) are named on one
    line with the result's ``note``, the reason in words, as the book says it
    everywhere else; an empty ``note`` is left out.
    """
    name = type(result).__name__
    if cycle:
        printer.text(f"{name}(...)")
        return
    values = {item.name: getattr(result, item.name) for item in dataclasses.fields(result)}
    note = values.pop("note", "")
    undefined = [key for key, value in values.items() if isinstance(value, float) and math.isnan(value)]
    with printer.group(4, f"{name}(", ""):
        for index, (key, value) in enumerate((key, value) for key, value in values.items() if key not in undefined):
            if index:
                printer.text(",")
            printer.break_()
            printer.text(f"{key}=")
            printer.pretty(value)
        if undefined:
            printer.text(",")
            printer.break_()
            printer.text(f"{', '.join(undefined)}: not computable" + (f" ({note})" if note else ""))
        elif note:
            printer.text(",")
            printer.break_()
            printer.text("note=")
            printer.pretty(note)
    printer.break_()
    printer.text(")")


def _show_results_a_field_a_line() -> None:
    shell = get_ipython()
    formatter = shell.display_formatter if shell is not None else None
    if formatter is None:  # a script or a test, not a kernel: nothing is displayed
        return
    for kind in RESULTS:
        formatter.formatters["text/plain"].for_type(kind, fields_a_line)


def open_book() -> Study:
    """Load the book's cohort, hide participant ids, enable the chart renderer, and print results a field a line."""
    charts.enable()
    _show_results_a_field_a_line()
    cohort = load_cohort(cohort_path(), sheet=cohort_sheet())
    return Study(cohort=cohort.pseudonymised(), provenance=provenance(cohort))
