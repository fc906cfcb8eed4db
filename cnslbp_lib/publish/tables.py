"""Pure functions that turn analysis results into tables: HTML for the page, MyST for registries.

Nothing here computes a statistic or displays anything; each function returns
an :class:`HtmlTable` (a string that notebooks render as HTML) or Markdown text.
Tables are deterministic (no generated ids) and have no index column, so no
empty header cell.
"""

from __future__ import annotations

import dataclasses
import html
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..data.instruments import (
    GLOBAL_CHANGE,
    INSTRUMENTS,
    get_instrument,
)
from ..data.load import Cohort
from ..exceptions import NotEnoughDataError
from ..paper.formatting import format_ci, format_number, format_p
from ..paper.reported import REPORTED
from ..stats.correlation import association
from ..stats.global_change import rating_against_responders
from ..stats.sensitivity import EffectSizes, effect_size_summary, sensitivity_summary
from .html import HtmlTable, HTMLText, html_table
from .limits import PER_PARTICIPANT_LIMIT, more_participants
from .myst import REPORTED_KEYS
from .phrases import not_computable, p_text
from .study import PRIMARY
from .words import DERIVED_KEYS, quote_number

if TYPE_CHECKING:  # types only: both modules import this one
    from .provenance import Marks
    from .study import Study

__all__ = [
    "HTMLText",
    "HtmlTable",
    "association_table",
    "effect_size_table",
    "global_change_table",
    "headline_table",
    "html_table",
    "incomplete_table",
    "instruments_markdown",
    "not_collected",
    "note",
    "sensitivity_table",
]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cites(keys: tuple[str, ...] | list[str]) -> str:
    return "; ".join(f"{{cite:t}}`{key}`" for key in keys)


def instruments_markdown() -> str:
    """The instrument registry as a MyST table with live citations, and what of it is assumed.

    Where each threshold comes from is the registry's ``threshold_source``, shown
    with the other assumptions in the chapter on what the abstract determines.
    """
    lines = [
        "| Outcome | Scoring | Range | Important change | Sources |",
        "|---|---|---|---|---|",
    ]
    for entry in INSTRUMENTS:
        lines.append(
            f"| {entry.abbreviation}, {entry.construct} ({entry.role}) | {_cell(entry.structure)} "
            f"| {entry.scale}, {entry.direction} | {entry.improvement_rule} | {_cites(entry.citations)} |"
        )
    scale = GLOBAL_CHANGE
    ends = [f"{format_number(value, 0, plus=True)} {label}" for value, label in (scale.labels[0], scale.labels[-1])]
    lines.append(
        f"| {scale.name} (secondary) | one rating, {len(scale.labels)} points from {ends[0]} to {ends[1]} | "
        f"{format_number(scale.minimum, 0)} to +{scale.maximum}, higher = better | {scale.improved_rule} | "
        f"{_cites(scale.citations)} |"
    )
    notes = [f"- **{entry.abbreviation}**: {entry.assumption}" for entry in INSTRUMENTS]
    notes.append(f"- **{scale.name}**: {scale.assumption}")
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def not_collected(name: str) -> HtmlTable:
    """A short note shown where an outcome is absent from the cohort file."""
    return HtmlTable(
        f'<p class="cnslbp-not-collected"><em>{html.escape(name)} was not collected in this cohort file.</em></p>'
    )


def note(sentence: str) -> HtmlTable:
    """A sentence shown in place of a chart or table that would say nothing (capitalised here)."""
    return HtmlTable(f'<p class="cnslbp-note">{html.escape(sentence[:1].upper() + sentence[1:])}</p>')


def headline_table(study: Study) -> HtmlTable:
    """The abstract's results at a glance, every number a checked number (or why it is not computable)."""
    reported = {record.key for record in REPORTED}

    def cell(key: str) -> str:
        # a percentage carries its own sign, inside the checked number
        return HTMLText(study.checked(key).html()) if key in reported else "not reported"

    rows = []
    for instrument in ("piq", "pseq", "psq"):
        entry = get_instrument(instrument)
        interval = "not reported"
        if f"{instrument}_ci_low" in reported:
            lower, upper = study.checked(f"{instrument}_ci_low"), study.checked(f"{instrument}_ci_high")
            interval = HTMLText(f"{lower.html()} to {upper.html()}" if lower.computable else lower.html())
        rows.append(
            [
                f"{entry.abbreviation} ({entry.construct}, {entry.direction})",
                cell(f"{instrument}_mean_change"),
                interval,
                cell(f"{instrument}_p_val"),
                cell(f"{instrument}_dz"),
                cell(f"{instrument}_responders"),
            ]
        )
    frame = pd.DataFrame(rows, columns=["Outcome", "Mean change", "95% CI", "p", "dz (size)", "Responders"])
    return html_table(frame, "Stage 2 → 3 results as the abstract reports them, recomputed from this dataset")


def _html_cell(value: object) -> object:
    """A table cell: ranged numbers render as HTML, everything else as escaped text."""
    return HTMLText(value._repr_html_()) if hasattr(value, "_repr_html_") else value


def _markup(value: object) -> str:
    """A cell's value as markup: a marked number's HTML (or a cell already HTML), anything else escaped."""
    if isinstance(value, HTMLText):
        return str(value)
    return str(value._repr_html_()) if hasattr(value, "_repr_html_") else html.escape(str(value))


def _sensitivity_keys(instrument: str, bootstrap_method: str) -> dict[str, dict[str, str]]:
    """The reported or registry key of every number in each row of the sensitivity table."""
    boot = "boot" if bootstrap_method == "percentile" else "bca"
    reported = {
        "estimate": f"{instrument}_mean_change",
        "low": f"{instrument}_ci_low",
        "high": f"{instrument}_ci_high",
        "p": f"{instrument}_p_val",
    }
    return {
        "t": reported,
        "wilcoxon": {"p": f"{instrument}_wilcoxon_p"},
        "bootstrap": {
            "estimate": reported["estimate"],
            "low": f"{instrument}_{boot}_low",
            "high": f"{instrument}_{boot}_high",
        },
        "holm": {"p": f"{instrument}_holm_p"},
        "leave_one_out": {
            "estimate": f"{instrument}_loo_mean",
            "low": f"{instrument}_loo_low",
            "high": f"{instrument}_loo_high",
            "p": f"{instrument}_loo_p",
        },
    }


def sensitivity_table(
    data: pd.DataFrame,
    instrument: str,
    marks: Marks | None = None,
    *,
    bootstrap_method: Literal["percentile", "bca"] = "percentile",
) -> HtmlTable:
    """The paired t-test beside its sensitivity analyses, formatted the paper's way.

    With ``marks`` (the study's) every number carries its mark: the t-test's
    are reported numbers (in-place checks), the others their class and spread.
    A value an analysis gives but could not give here reads "not computable",
    and the note says why. ``bootstrap_method`` chooses the bootstrap row's
    interval (percentile or BCa).
    """
    table = sensitivity_summary(data, instrument, bootstrap_method=bootstrap_method, others=PRIMARY)
    keys = _sensitivity_keys(instrument, bootstrap_method)

    def shown(kind: str, part: str, value: float, printed: str) -> object:
        key = keys.get(kind, {}).get(part)
        known = key is not None and (key in REPORTED_KEYS or key in DERIVED_KEYS)
        return _html_cell(quote_number(marks, key if known else None, value, printed))

    rows = []
    for row in table.itertuples(index=False):
        gives = row.gives.split()
        missing = {part: "not computable" if part in gives else "" for part in ("estimate", "ci", "p")}
        estimate = missing["estimate"] if not np.isfinite(row.estimate) else format_number(row.estimate, 2)
        p_printed = missing["p"] if not np.isfinite(row.p_val) else format_p(row.p_val)
        if not np.isfinite(row.ci_low):
            interval: object = missing["ci"]
        else:
            low = shown(row.kind, "low", row.ci_low, format_number(row.ci_low, 2))
            high = shown(row.kind, "high", row.ci_high, format_number(row.ci_high, 2))
            interval = HTMLText(f"{_markup(low)} to {_markup(high)}")
        rows.append(
            {
                "Analysis": row.analysis,
                "Mean change": shown(row.kind, "estimate", row.estimate, estimate),
                "95% interval": interval,
                "p": shown(row.kind, "p", row.p_val, p_printed),
                "Note": f"{row.note}; not computable: {row.reason}" if row.reason else row.note,
            }
        )
    name = get_instrument(instrument).abbreviation
    return html_table(pd.DataFrame(rows), f"{name}, stage 2 → 3: the paired t-test and its checks")


def effect_size_table(
    data: pd.DataFrame, instruments: tuple[str, ...] = ("piq", "pseq"), marks: Marks | None = None
) -> HtmlTable:
    """dz beside what it means for individuals, one row per instrument; with ``marks`` every number carries its mark."""
    records = []
    for key in instruments:
        try:
            records.append(dataclasses.asdict(effect_size_summary(data, key)))
        except NotEnoughDataError as error:
            nan = float("nan")
            empty = dict.fromkeys(
                ("mean_improvement", "sd_before", "sd_after", "dz", "d_av", "r_stages", "share_improved"), nan
            )
            sizes = EffectSizes(key, **empty, share_improved_normal=nan, overlap=nan, note=error.reason)
            records.append(dataclasses.asdict(sizes))
    rows = pd.DataFrame(records)
    registry = {
        "dz": "dz_improvement",
        "d_av": "d_av",
        "r_stages": "r_stages",
        "share_improved": "improved_share",
        "share_improved_normal": "improved_normal",
    }

    def cells(column: str, percent: bool = False) -> list[object]:
        shown: list[object] = []
        for key, value, why in zip(rows["instrument"], rows[column], rows["note"], strict=True):
            if not np.isfinite(value):
                shown.append(not_computable(why))
                continue
            plain = f"{format_number(100 * value, 0)}%" if percent else format_number(value, 2)
            name = f"{key}_{registry[column]}"
            number = 100 * value if percent else value
            shown.append(_html_cell(quote_number(marks, name if name in DERIVED_KEYS else None, number, plain)))
        return shown

    shown = pd.DataFrame(
        {
            "Outcome": [get_instrument(key).abbreviation for key in rows["instrument"]],
            "dz (positive = better)": cells("dz"),
            "d_av": cells("d_av"),
            "r, stage 2 with 3": cells("r_stages"),
            "Improved (observed)": cells("share_improved", percent=True),
            "Improved if normal, Φ(dz)": cells("share_improved_normal", percent=True),
        }
    )
    return html_table(shown, "What the standardised changes mean for individuals")


def global_change_table(data: pd.DataFrame) -> HtmlTable:
    """Stage 3 global ratings beside the primary outcomes' responder status (the first 200 participants)."""
    full = rating_against_responders(data, PRIMARY)
    table = full.head(PER_PARTICIPANT_LIMIT)
    shown = pd.DataFrame(
        {
            "Participant": table["participant"],
            "Global rating, stage 3": [
                f"{format_number(value, 0, plus=True)} {label}"
                for value, label in zip(table["rating"], table["label"], strict=True)
            ],
            "PIQ responder": table["piq_responder"].map({True: "yes", False: "no"}).fillna("not computable"),
            "PSEQ responder": table["pseq_responder"].map({True: "yes", False: "no"}).fillna("not computable"),
        }
    )
    hidden = len(full) - len(table)
    more = more_participants(hidden) if hidden else ""
    if full.empty:
        more = "Nobody gave a global rating at stage 3, so there is nothing to list."
    return html_table(
        shown, "Global perceived change at stage 3 and responder status on the primary outcomes", more=more
    )


def association_table(data: pd.DataFrame, x: str = "pseq", y: str = "piq", marks: Marks | None = None) -> HtmlTable:
    """Pearson and Spearman correlations of two changes, formatted; with ``marks``, each number carries its spread.

    Without enough participants for a correlation, both rows say so with the reason.
    """
    caption = (
        f"Correlation between the stage 2 → 3 changes in {get_instrument(x).abbreviation} "
        f"and {get_instrument(y).abbreviation}"
    )
    columns = ["Method", "n", "Correlation", "95% CI", "p"]
    try:
        result = association(data, x, y)
    except NotEnoughDataError as error:
        missing = not_computable(error.reason)
        rows_missing = [
            [name, error.available, missing, "not computable", "not computable"] for name in ("Pearson", "Spearman")
        ]
        return html_table(pd.DataFrame(rows_missing, columns=columns), caption)

    def quoted(key: str, value: float, printed: str) -> object:
        if marks is None or not np.isfinite(value):
            return printed
        return _html_cell(marks.number(f"assoc_{key}", value))

    rows = []
    for method, short in ((result.pearson, "r"), (result.spearman, "rho")):
        if not np.isfinite(method.ci_low):
            interval: object = not_computable(method.note if np.isfinite(method.r) else "")
        elif marks is None:
            interval = format_ci(method.ci_low, method.ci_high, 2)
        else:
            low = quoted(f"{short}_low", method.ci_low, "")
            high = quoted(f"{short}_high", method.ci_high, "")
            interval = HTMLText(f"{low} to {high}")
        rows.append(
            {
                "Method": method.method.capitalize(),
                "n": method.n,
                "Correlation": quoted(short, method.r, format_number(method.r, 2))
                if np.isfinite(method.r)
                else not_computable(method.note),
                "95% CI": interval,
                "p": quoted(f"{short}_p", method.p_val, p_text(method.p_val).removeprefix("p ").removeprefix("= ")),
            }
        )
    return html_table(pd.DataFrame(rows), caption)


def incomplete_table(cohort: Cohort) -> HtmlTable:
    """Incomplete records (participant, stage, what is missing): the first 200, and a count of the rest.

    With none, one line says so (an empty table would leave the reader to guess).
    """
    if cohort.incomplete.empty:
        return note("no record is incomplete.")
    incomplete = cohort.incomplete.rename(columns={"column": "value"}).fillna("whole row")
    shown = incomplete.head(PER_PARTICIPANT_LIMIT)
    hidden = len(incomplete) - len(shown)
    more = f"… and {hidden:,} more incomplete record{'s' if hidden != 1 else ''}" if hidden else ""
    return html_table(shown, "Incomplete records (participant, stage, what is missing)", more=more)
