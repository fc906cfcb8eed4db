"""Pure functions that turn analysis results into tables: HTML for the page, MyST for registries.

Nothing here computes a statistic or displays anything; each function returns
an :class:`HtmlTable` (a string that notebooks render as HTML) or Markdown text.
Tables are deterministic (no generated ids) and have no index column, so no
empty header cell.
"""

from __future__ import annotations

import dataclasses
import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..data.instruments import (
    BASELINE_STAGE,
    FOLLOW_UP_STAGE,
    GLOBAL_CHANGE,
    INSTRUMENTS,
    NON_RESPONSE,
    PRE_EDUCATION_STAGE,
    STAGES,
    get_instrument,
    get_stage,
)
from ..paper.consistency import consistency_checks
from ..paper.formatting import MINUS, format_ci, format_number, format_p
from ..paper.reported import REPORTED
from ..stats.correlation import association
from ..stats.flow import severity_bands, stage_summary
from ..stats.global_change import rating_against_responders
from ..stats.responder_analysis import pe_nonresponse
from ..stats.sensitivity import effect_size_summary, sensitivity_summary
from .html import HtmlTable, HTMLText, html_table
from .words import p_text

if TYPE_CHECKING:  # types only: both modules import this one
    from .provenance import Ranges
    from .study import Study

__all__ = [
    "HTMLText",
    "HtmlTable",
    "association_table",
    "audit_table",
    "bands_table",
    "checks_table",
    "disagreements_markdown",
    "effect_size_table",
    "global_change_table",
    "headline_table",
    "html_table",
    "inclusion_table",
    "instruments_markdown",
    "not_collected",
    "rows_table",
    "sensitivity_table",
    "stage_table",
    "stages_markdown",
]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cites(keys: tuple[str, ...] | list[str]) -> str:
    return "; ".join(f"{{cite:t}}`{key}`" for key in keys)


def instruments_markdown() -> str:
    """The instrument registry as a MyST table with live citations, and its assumptions."""
    lines = [
        "| Outcome | Measures | Scoring | Range, direction | Important change | Sources |",
        "|---|---|---|---|---|---|",
    ]
    for entry in INSTRUMENTS:
        lines.append(
            f"| {entry.abbreviation}: {entry.name} ({entry.role}) | {entry.construct} | {_cell(entry.structure)} "
            f"| {entry.scale}, {entry.direction} | {entry.improvement_rule} "
            f"| {_cites(entry.citations)} |"
        )
    scale = GLOBAL_CHANGE
    labels = ", ".join(f"{format_number(value, 0, plus=True)} {label}" for value, label in scale.labels)
    lines.append(
        f"| {scale.name} (secondary) | change as the participant sees it | one rating: {labels} | "
        f"{format_number(scale.minimum, 0)} to +{scale.maximum}, higher = better | {scale.improved_rule} | "
        f"{_cites(scale.citations)} |"
    )
    notes = [
        f"- **{entry.abbreviation}**: {entry.assumption} Threshold basis: {entry.threshold_source}."
        for entry in INSTRUMENTS
    ]
    notes.append(f"- **{scale.name}**: {scale.assumption}")
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def stages_markdown() -> str:
    """The three stages as a MyST table."""
    lines = ["| Stage | Name | When | Role in the analysis |", "|---|---|---|---|"]
    roles = {
        PRE_EDUCATION_STAGE: "defines who did not respond to education",
        BASELINE_STAGE: "analytic baseline",
        FOLLOW_UP_STAGE: "outcome",
    }
    for stage in STAGES:
        lines.append(f"| {stage.number} | {stage.name} | {stage.description} | {roles.get(stage.number, '')} |")
    return "\n".join(lines) + "\n"


def not_collected(name: str) -> HtmlTable:
    """A short note shown where an outcome is absent from the cohort file."""
    return HtmlTable(
        f'<p class="cnslbp-not-collected"><em>{html.escape(name)} was not collected in this cohort file.</em></p>'
    )


def headline_table(study: Study) -> HtmlTable:
    """The abstract's results at a glance, every number a checked number."""
    rows = []
    for instrument in ("piq", "pseq", "psq"):
        entry = get_instrument(instrument)
        cells = []
        for quantity in ("mean_change", "ci_low", "ci_high", "p_val", "dz", "responders"):
            key = f"{instrument}_{quantity}"
            known = any(record.key == key for record in REPORTED)
            cells.append(HTMLText(study.checked(key)._repr_html_()) if known else "not reported")
        low, high = cells[1], cells[2]
        interval = HTMLText(f"{low} to {high}") if isinstance(low, HTMLText) else "not reported"
        responders_cell = HTMLText(f"{cells[5]}%") if isinstance(cells[5], HTMLText) else cells[5]
        rows.append(
            [
                f"{entry.abbreviation} ({entry.construct}, {entry.direction})",
                cells[0],
                interval,
                cells[3],
                cells[4],
                responders_cell,
            ]
        )
    frame = pd.DataFrame(rows, columns=["Outcome", "Mean change", "95% CI", "p", "dz (size)", "Responders"])
    return html_table(frame, "Stage 2 → 3 results as the abstract reports them, recomputed from this dataset")


def inclusion_table(data: pd.DataFrame) -> HtmlTable:
    """The inclusion rule applied to each participant, in words."""
    table = pe_nonresponse(data)

    def words(flag: object) -> str:
        return "not known" if flag is pd.NA or pd.isna(flag) else "yes" if flag else "no"

    shown = pd.DataFrame({"Participant": table["participant"].astype(str)})
    for key in NON_RESPONSE.instruments:
        entry = get_instrument(key)
        shown[f"{entry.abbreviation} change, stage 1 → 2"] = [
            "missing" if pd.isna(value) else format_number(value, 0, plus=True) for value in table[f"{key}_change"]
        ]
        shown[f"{entry.abbreviation}: {entry.improvement_rule}?"] = [words(flag) for flag in table[f"{key}_improved"]]
    shown["Non-responder (entered the study)"] = [words(flag) for flag in table["non_responder"]]
    return html_table(shown, "The inclusion rule applied to each participant (stage 1 → 2)")


def stage_table(data: pd.DataFrame, stage: int = BASELINE_STAGE) -> HtmlTable:
    """Each outcome's mean, SD and range at one stage, beside the scale."""
    table = stage_summary(data, stage=stage)
    shown = pd.DataFrame(
        {
            "Outcome": [
                f"{get_instrument(key).abbreviation} ({get_instrument(key).direction})" for key in table["instrument"]
            ],
            "n": table["n"],
            "Mean": [format_number(value, 1) for value in table["mean"]],
            "SD": [format_number(value, 1) for value in table["sd"]],
            "Lowest to highest": [
                f"{format_number(low, 0)} to {format_number(high, 0)}"
                for low, high in zip(table["minimum"], table["maximum"], strict=True)
            ],
            "Scale": [f"{low} to {high}" for low, high in zip(table["range_low"], table["range_high"], strict=True)],
        }
    )
    return html_table(shown, f"Scores at stage {stage} ({get_stage(stage).name})")


def bands_table(data: pd.DataFrame, instrument: str, stage: int = BASELINE_STAGE) -> HtmlTable:
    """Participants in each published severity band of an instrument at one stage."""
    table = severity_bands(data, instrument, stage=stage)
    shown = pd.DataFrame(
        {
            "Band": table["band"],
            "Scores": [f"{low} to {high}" for low, high in zip(table["low"], table["high"], strict=True)],
            "Participants": table["count"],
        }
    )
    return html_table(shown, f"{get_instrument(instrument).abbreviation} at stage {stage} by clinic severity band")


def _html_cell(value: object) -> object:
    """A table cell: ranged numbers render as HTML, everything else as escaped text."""
    return HTMLText(value._repr_html_()) if hasattr(value, "_repr_html_") else value


SENSITIVITY_KEYS = {
    "wilcoxon": {"p": "wilcoxon_p"},
    "bootstrap": {"low": "boot_low", "high": "boot_high"},
    "leave_one_out": {"estimate": "loo_mean", "p": "loo_p"},
}


def sensitivity_table(data: pd.DataFrame, instrument: str, ranges: Ranges | None = None) -> HtmlTable:
    """The paired t-test beside its sensitivity analyses, formatted the paper's way.

    With ``ranges`` (the study's), numbers the abstract does not fix carry their spread
    across the datasets it allows.
    """
    table = sensitivity_summary(data, instrument)

    def shown(kind: str, part: str, value: float, printed: str) -> object:
        key = SENSITIVITY_KEYS.get(kind, {}).get(part)
        if ranges is None or key is None or not np.isfinite(value):
            return printed
        return _html_cell(ranges.number(f"{instrument}_{key}", value))

    rows = []
    for row in table.itertuples(index=False):
        estimate = "" if not np.isfinite(row.estimate) else format_number(row.estimate, 2)
        p_printed = "" if not np.isfinite(row.p_val) else format_p(row.p_val)
        if not np.isfinite(row.ci_low):
            interval: object = ""
        elif row.kind == "bootstrap" and ranges is not None:
            low = shown(row.kind, "low", row.ci_low, format_number(row.ci_low, 2))
            high = shown(row.kind, "high", row.ci_high, format_number(row.ci_high, 2))
            interval = HTMLText(f"{low} to {high}")
        else:
            interval = format_ci(row.ci_low, row.ci_high, 2)
        rows.append(
            {
                "Analysis": row.analysis,
                "Mean change": shown(row.kind, "estimate", row.estimate, estimate),
                "95% interval": interval,
                "p": shown(row.kind, "p", row.p_val, p_printed),
                "Note": row.note,
            }
        )
    name = get_instrument(instrument).abbreviation
    return html_table(
        pd.DataFrame(rows), f"{name}, stage 2 → 3: the paired t-test and checks of its assumptions and reading"
    )


def effect_size_table(
    data: pd.DataFrame, instruments: tuple[str, ...] = ("piq", "pseq"), ranges: Ranges | None = None
) -> HtmlTable:
    """dz beside what it means for individuals, one row per instrument; d_av and r carry ranges when given."""
    rows = pd.DataFrame([dataclasses.asdict(effect_size_summary(data, key)) for key in instruments])
    shown = pd.DataFrame(
        {
            "Outcome": [get_instrument(key).abbreviation for key in rows["instrument"]],
            "dz (positive = better)": [format_number(value, 2) for value in rows["dz"]],
            "d_av": [
                _html_cell(ranges.number(f"{key}_d_av", value)) if ranges is not None else format_number(value, 2)
                for key, value in zip(rows["instrument"], rows["d_av"], strict=True)
            ],
            "r, stage 2 with 3": [
                _html_cell(ranges.number(f"{key}_r_stages", value)) if ranges is not None else format_number(value, 2)
                for key, value in zip(rows["instrument"], rows["r_stages"], strict=True)
            ],
            "Improved (observed)": [f"{format_number(100 * value, 0)}%" for value in rows["share_improved"]],
            "Improved if normal, Φ(dz)": [
                f"{format_number(100 * value, 0)}%" for value in rows["share_improved_normal"]
            ],
            "Overlap of stage 2 and 3": [f"{format_number(100 * value, 0)}%" for value in rows["overlap"]],
        }
    )
    return html_table(shown, "What the standardised changes mean for individuals")


def global_change_table(data: pd.DataFrame) -> HtmlTable:
    """Stage 3 global ratings beside the primary outcomes' responder status."""
    table = rating_against_responders(data)
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
    return html_table(shown, "Global perceived change at stage 3 and responder status on the primary outcomes")


def audit_table(audit: pd.DataFrame) -> HtmlTable:
    """The number audit, one anchored row per reported number (the in-place checks link here)."""
    table = audit
    shown = pd.DataFrame(
        {
            "Number": table["label"],
            "Paper": table["reported"],
            "Recomputed": [
                "not computable" if not np.isfinite(value) else f"{value:.6g}".replace("-", MINUS)
                for value in table["recomputed"]
            ],
            "As the paper would print it": table["recomputed_printed"],
            "Verdict": table["verdict"].map({"agrees": "agrees", "disagrees": "DISAGREES"}).fillna(table["verdict"]),
        }
    )
    return html_table(
        shown,
        "Every number in the abstract: printed, recomputed, and whether they agree",
        row_ids=[f"audit-{key}" for key in table["key"]],
        row_classes=["" if agrees else "cnslbp-row--disagrees" for agrees in table["agrees"]],
    )


def disagreements_markdown(audit: pd.DataFrame) -> str:
    """One paragraph per disagreeing number, with the library's explanation."""
    rows = audit[~audit["agrees"]]
    if rows.empty:
        return "Every number in the abstract agrees with its recomputation from this dataset.\n"
    return (
        "\n".join(
            f"- **{row.label}** (paper {row.reported}, recomputed {row.recomputed_printed}): {row.explanation}"
            for row in rows.itertuples(index=False)
        )
        + "\n"
    )


def checks_table() -> HtmlTable:
    """The data-free consistency checks with their verdicts."""
    checks = consistency_checks()
    labels = {record.key: record.label for record in REPORTED}
    shown = pd.DataFrame(
        {
            "Check": checks["check"],
            "Numbers used": ["; ".join(labels[key] for key in keys) for keys in checks["keys"]],
            "Verdict": checks["verdict"],
            "What it shows": checks["detail"],
        }
    )
    return html_table(
        shown,
        "Checks a reviewer can run on the abstract alone",
        row_classes=["cnslbp-row--disagrees" if verdict == "inconsistent" else "" for verdict in checks["verdict"]],
    )


def rows_table(data: pd.DataFrame, *, limit: int = 60) -> HtmlTable:
    """The cohort's rows as the book shows them (labels, not ids), up to ``limit`` rows."""
    rows = data.head(limit).astype("object").where(data.head(limit).notna(), "")
    more = len(data) - len(rows)
    caption = f"The cohort file's rows with participants relabelled ({len(data)} rows"
    caption += f"; the first {limit} shown)" if more > 0 else ")"
    return html_table(rows, caption)


def association_table(data: pd.DataFrame, x: str = "pseq", y: str = "piq", ranges: Ranges | None = None) -> HtmlTable:
    """Pearson and Spearman correlations of two changes, formatted; with ``ranges``, each number carries its spread."""
    result = association(data, x, y)

    def quoted(key: str, value: float, printed: str) -> object:
        if ranges is None or not np.isfinite(value):
            return printed
        return _html_cell(ranges.number(f"assoc_{key}", value))

    rows = []
    for method, short in ((result.pearson, "r"), (result.spearman, "rho")):
        if not np.isfinite(method.ci_low):
            interval: object = "not computable"
        elif ranges is None:
            interval = format_ci(method.ci_low, method.ci_high, 2)
        else:
            low = quoted(f"{short}_low", method.ci_low, "")
            high = quoted(f"{short}_high", method.ci_high, "")
            interval = HTMLText(f"{low} to {high}")
        rows.append(
            {
                "Method": method.method.capitalize(),
                "n": method.n,
                "Correlation": quoted(short, method.r, format_number(method.r, 2)),
                "95% CI": interval,
                "p": quoted(f"{short}_p", method.p_val, p_text(method.p_val).removeprefix("p ").removeprefix("= ")),
            }
        )
    caption = (
        f"Correlation between the stage 2 → 3 changes in {get_instrument(x).abbreviation} "
        f"and {get_instrument(y).abbreviation}"
    )
    return html_table(pd.DataFrame(rows), caption)
