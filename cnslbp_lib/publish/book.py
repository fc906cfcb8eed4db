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

import altair as alt
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from ..data.instruments import (
    BASELINE_STAGE,
    FOLLOW_UP_STAGE,
    GLOBAL_CHANGE,
    INSTRUMENTS,
    NON_RESPONSE,
    PRE_EDUCATION_STAGE,
    STAGES,
    Instrument,
    get_instrument,
)
from ..data.load import Cohort, load_cohort
from ..data.source import Provenance, cohort_path, provenance
from ..paper.auditing import audit
from ..paper.consistency import consistency_checks
from ..paper.formatting import count_in_words, format_ci, format_number, format_p
from ..paper.reported import REPORTED
from ..stats.change import StageChange, paired_change, stage_change
from ..stats.correlation import association
from ..stats.flow import severity_bands, stage_summary
from ..stats.global_change import global_change_distribution, rating_against_responders
from ..stats.responder_analysis import pe_nonresponse, responders
from ..stats.rtm import (
    DEFAULT_RELIABILITY,
    expected_null_improvement,
    null_improvement_grid,
    reliability_explaining,
    simulate_null_improvement,
)
from ..stats.sensitivity import effect_size_summary, sensitivity_summary
from . import charts

__all__ = [
    "AUDIT_PAGE",
    "CheckedNumber",
    "Study",
    "association_sentence",
    "change_verb",
    "exclusion_sentence",
    "html_table",
    "improvement_word",
    "instruments_markdown",
    "interval_phrase",
    "not_collected",
    "open_book",
    "p_text",
    "rule_verdict",
    "stages_markdown",
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


def p_text(p_val: float) -> str:
    """``p = 0.003``, ``p < 0.001``, or a note that p could not be computed."""
    if not np.isfinite(p_val):
        return "p not computable"
    printed = format_p(p_val)
    return f"p {printed[0]} {printed[1:]}" if printed.startswith("<") else f"p = {printed}"


def exclusion_sentence(change: StageChange, *, limit: int = 8) -> str:
    """Say who had both scores and name anyone excluded, with the reason."""
    total = change.n + len(change.excluded)
    if change.excluded.empty:
        return f"All {total} participants had both scores."
    listed = [f"{row.participant} ({row.reason})" for row in change.excluded.head(limit).itertuples(index=False)]
    more = len(change.excluded) - len(listed)
    tail = f", and {more} more listed in the design chapter" if more > 0 else ""
    return f"{change.n} of {total} participants had both scores; excluded: {'; '.join(listed)}{tail}."


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


def association_sentence(r: float, x: str = "pseq", y: str = "piq") -> str:
    """What the sign of a change–change correlation means, in the instruments' own terms."""
    x_entry, y_entry = get_instrument(x), get_instrument(y)
    if not np.isfinite(r) or r == 0:
        return f"the changes in {x_entry.construct} and {y_entry.construct} were unrelated"
    x_better = "rose" if x_entry.improvement_sign > 0 else "fell"
    same_way = (r > 0) == (x_entry.improvement_sign == y_entry.improvement_sign)
    y_word = "improved more" if same_way else "improved less (or worsened more)"
    size = abs(r)
    strength = "a weak" if size < 0.3 else "a moderate" if size < 0.5 else "a strong"
    return (
        f"there was {strength} tendency for participants whose {x_entry.construct} {x_better} more "
        f"to be those whose {y_entry.construct} {y_word}"
    )


def not_collected(name: str) -> HTML:
    """A short note shown where an outcome is absent from the cohort file."""
    return HTML(
        f'<p class="cnslbp-not-collected"><em>{html.escape(name)} was not collected in this cohort file.</em></p>'
    )


def rule_verdict(instrument: str, change: float) -> str:
    """Whether one participant's change meets the instrument's threshold, in words."""
    entry = get_instrument(instrument)
    movement = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    size = f" by {format_number(abs(change), 0)} points" if change else ""
    meets = change * entry.improvement_sign >= entry.threshold
    return (
        f"the {entry.abbreviation} {movement}{size}, which {'meets' if meets else 'falls short of'} "
        f"{entry.improvement_rule}"
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


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    row_ids: list[str] | None = None,
    row_classes: list[str] | None = None,
) -> HTML:
    """A plain, accessible HTML table with a caption and optional row anchors and classes.

    Deterministic (no generated ids) and without an index column, so no empty
    header cell.
    """
    head = "".join(f'<th scope="col">{html.escape(str(column))}</th>' for column in frame.columns)
    body = []
    for position, row in enumerate(frame.itertuples(index=False)):
        anchor = f' id="{row_ids[position]}"' if row_ids else ""
        anchor += f' class="{row_classes[position]}"' if row_classes and row_classes[position] else ""
        cells = "".join(f"<td>{cell if isinstance(cell, HTMLText) else html.escape(str(cell))}</td>" for cell in row)
        body.append(f"<tr{anchor}>{cells}</tr>")
    return HTML(
        f'<table class="cnslbp-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class HTMLText(str):
    """A table cell that is already HTML and must not be escaped."""


class Text(str):
    """Glued prose: its plain-text form is the text itself, without the quotes of ``repr``."""

    def __repr__(self) -> str:
        return str(self)


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
        """Glue every reported number under its registry key, as an in-place check.

        Also glues each record's printed text as ``<key>_printed``, and
        ``n_participants`` (digits) and ``n_words`` (in words).
        """
        for record in REPORTED:
            glue(record.key, self.checked(record.key), display=False)
            glue(f"{record.key}_printed", Text(record.printed), display=False)
        glue("n_participants", Text(str(self.cohort.n_participants)), display=False)
        glue("n_words", Text(count_in_words(self.cohort.n_participants)), display=False)
        agreeing = int(self.audit["agrees"].sum())
        glue("audit_agree", Text(count_in_words(agreeing)), display=False)
        glue("audit_total", Text(count_in_words(len(self.audit))), display=False)
        disagreeing = self.audit.loc[~self.audit["agrees"], "label"].tolist()
        listed = "; ".join(disagreeing) if disagreeing else "none"
        glue("audit_disagreements", Text(listed), display=False)
        checks = consistency_checks()
        conflicts = checks.loc[(checks["verdict"] == "inconsistent") & checks["subject"].notna(), "subject"]
        labels = {record.key: record.label for record in REPORTED}
        glue("conflict_count", Text(count_in_words(len(conflicts))), display=False)
        glue("conflict_count_cap", Text(count_in_words(len(conflicts), capital=True)), display=False)
        glue("conflict_list", Text("; ".join(labels[key] for key in conflicts) or "none"), display=False)

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
        glue(key, Text(text), display=False)

    def headline_table(self) -> HTML:
        """The abstract's results at a glance, every number a checked number."""
        rows = []
        for instrument in ("piq", "pseq", "psq"):
            entry = get_instrument(instrument)
            cells = []
            for quantity in ("mean_change", "ci_low", "ci_high", "p_val", "dz", "responders"):
                key = f"{instrument}_{quantity}"
                known = any(record.key == key for record in REPORTED)
                cells.append(HTMLText(self.checked(key)._repr_html_()) if known else "not reported")
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

    def glue_markdown(self, key: str, text: str) -> None:
        """Glue MyST Markdown for a ``{glue:md}`` directive (tables, citations)."""
        glue(key, Markdown(text), display=False)

    def glue_association(self, x: str = "pseq", y: str = "piq") -> None:
        """Glue ``assoc_n``, ``assoc_r``, ``assoc_r_ci``, ``assoc_r_p``, ``assoc_rho``,
        ``assoc_rho_ci``, ``assoc_rho_p`` and ``assoc_sentence``."""
        table = association(self.data, x, y).set_index("method")
        phrases = {"assoc_n": str(int(table.loc["pearson", "n"]))}
        for method, short in (("pearson", "r"), ("spearman", "rho")):
            row = table.loc[method]
            phrases[f"assoc_{short}"] = format_number(row.r, 2)
            phrases[f"assoc_{short}_ci"] = (
                "not computable" if not np.isfinite(row.ci_low) else format_ci(row.ci_low, row.ci_high, 2)
            )
            phrases[f"assoc_{short}_p"] = p_text(row.p_val)
        phrases["assoc_sentence"] = association_sentence(float(table.loc["pearson", "r"]), x, y)
        for key, text in phrases.items():
            glue(key, Text(text), display=False)

    def glue_inclusion(self) -> None:
        """Glue ``inclusion_sentence``: who met the non-response rule, named if not everyone."""
        table = pe_nonresponse(self.data)
        met = table["non_responder"].fillna(False).astype(bool)
        undecided = table["non_responder"].isna()
        total = len(table)
        if met.all():
            sentence = f"Every participant ({total}) met the inclusion rule."
        else:
            responded = table.loc[~met & ~undecided, "participant"].astype(str).tolist()
            unknown = table.loc[undecided, "participant"].astype(str).tolist()
            parts = [f"{int(met.sum())} of {total} participants met the inclusion rule."]
            if responded:
                parts.append(
                    f"{', '.join(responded[:10])}{' and others' if len(responded) > 10 else ''} improved during "
                    "education and would not have been eligible for the study; the analyses keep them, "
                    "because the cohort file defines the cohort."
                )
            if unknown:
                parts.append(f"For {', '.join(unknown[:10])} the rule cannot be decided: a score is missing.")
            sentence = " ".join(parts)
        glue("inclusion_sentence", Text(sentence), display=False)

    def inclusion_table(self) -> HTML:
        """The inclusion rule applied to each participant, in words."""
        table = pe_nonresponse(self.data)

        def words(flag: object) -> str:
            return "not known" if flag is pd.NA or pd.isna(flag) else "yes" if flag else "no"

        shown = pd.DataFrame({"Participant": table["participant"].astype(str)})
        for key in NON_RESPONSE.instruments:
            entry = get_instrument(key)
            shown[f"{entry.abbreviation} change, stage 1 → 2"] = [
                "missing" if pd.isna(value) else format_number(value, 0, plus=True) for value in table[f"{key}_change"]
            ]
            shown[f"{entry.abbreviation}: {entry.improvement_rule}?"] = [
                words(flag) for flag in table[f"{key}_improved"]
            ]
        shown["Non-responder (entered the study)"] = [words(flag) for flag in table["non_responder"]]
        return html_table(shown, "The inclusion rule applied to each participant (stage 1 → 2)")

    def stage_table(self, stage: int = BASELINE_STAGE) -> HTML:
        """Each outcome's mean, SD and range at one stage, beside the scale."""
        table = stage_summary(self.data, stage=stage)
        shown = pd.DataFrame(
            {
                "Outcome": [
                    f"{get_instrument(key).abbreviation} ({get_instrument(key).direction})"
                    for key in table["instrument"]
                ],
                "n": table["n"],
                "Mean": [format_number(value, 1) for value in table["mean"]],
                "SD": [format_number(value, 1) for value in table["sd"]],
                "Lowest to highest": [
                    f"{format_number(low, 0)} to {format_number(high, 0)}"
                    for low, high in zip(table["minimum"], table["maximum"], strict=True)
                ],
                "Scale": [
                    f"{low} to {high}" for low, high in zip(table["range_low"], table["range_high"], strict=True)
                ],
            }
        )
        name = next(item.name for item in STAGES if item.number == stage)
        return html_table(shown, f"Scores at stage {stage} ({name})")

    def bands_table(self, instrument: str, stage: int = BASELINE_STAGE) -> HTML:
        """Participants in each published severity band of an instrument at one stage."""
        table = severity_bands(self.data, instrument, stage=stage)
        shown = pd.DataFrame(
            {
                "Band": table["band"],
                "Scores": [f"{low} to {high}" for low, high in zip(table["low"], table["high"], strict=True)],
                "Participants": table["count"],
            }
        )
        return html_table(shown, f"{get_instrument(instrument).abbreviation} at stage {stage} by clinic severity band")

    def sensitivity_table(self, instrument: str) -> HTML:
        """The paired t-test beside its sensitivity analyses, formatted the paper's way."""
        table = sensitivity_summary(self.data, instrument)

        def number(value: float) -> str:
            return "" if not np.isfinite(value) else format_number(value, 2)

        shown = pd.DataFrame(
            {
                "Analysis": table["analysis"],
                "Mean change": [number(value) for value in table["estimate"]],
                "95% interval": [
                    "" if not np.isfinite(low) else format_ci(low, high, 2)
                    for low, high in zip(table["ci_low"], table["ci_high"], strict=True)
                ],
                "p": ["" if not np.isfinite(value) else format_p(value) for value in table["p_val"]],
                "Note": table["note"],
            }
        )
        name = get_instrument(instrument).abbreviation
        return html_table(shown, f"{name}, stage 2 → 3: the paired t-test and checks that do not share its assumptions")

    def effect_size_table(self, instruments: tuple[str, ...] = ("piq", "pseq")) -> HTML:
        """dz beside what it means for individuals, one row per instrument."""
        rows = pd.concat([effect_size_summary(self.data, key) for key in instruments], ignore_index=True)
        shown = pd.DataFrame(
            {
                "Outcome": [get_instrument(key).abbreviation for key in rows["instrument"]],
                "dz (positive = better)": [format_number(value, 2) for value in rows["dz"]],
                "d_av": [format_number(value, 2) for value in rows["d_av"]],
                "r, stage 2 with 3": [format_number(value, 2) for value in rows["r_stages"]],
                "Improved (observed)": [f"{format_number(100 * value, 0)}%" for value in rows["share_improved"]],
                "Improved if normal, Φ(dz)": [
                    f"{format_number(100 * value, 0)}%" for value in rows["share_improved_normal"]
                ],
                "Overlap of stage 2 and 3": [f"{format_number(100 * value, 0)}%" for value in rows["overlap"]],
            }
        )
        return html_table(shown, "What the standardised changes mean for individuals")

    def glue_global_change(self) -> None:
        """Glue ``global_sentence`` and ``global_summary``, saying so when the rating was not collected."""
        if not self.cohort.has_global_change:
            sentence = (
                f"{GLOBAL_CHANGE.name} was not collected in this cohort file: the column is absent, "
                "so this section has nothing to show."
            )
            glue("global_sentence", Text(sentence), display=False)
            glue("global_summary", Text(f"{GLOBAL_CHANGE.name} was not collected in this cohort file."), display=False)
            return
        counts = {}
        for stage in (BASELINE_STAGE, FOLLOW_UP_STAGE):
            table = global_change_distribution(self.data, stage=stage)
            counts[stage] = (int(table.loc[table["improved"], "count"].sum()), int(table["n"].iloc[0]))
        (k2, n2), (k3, n3) = counts[BASELINE_STAGE], counts[FOLLOW_UP_STAGE]
        sentence = (
            f"After the MRI explanation (stage {FOLLOW_UP_STAGE}), {k3} of {n3} participants who gave a rating "
            f"called themselves much or very much improved since stage {BASELINE_STAGE}; after education "
            f"(stage {BASELINE_STAGE}), {k2} of {n2} had said the same about the education phase."
        )
        glue("global_sentence", Text(sentence), display=False)
        summary = f"{k3} of {n3} participants rated themselves much or very much improved after the MRI explanation."
        glue("global_summary", Text(summary), display=False)

    def global_change_table(self) -> HTML:
        """Stage 3 global ratings beside the primary outcomes' responder status."""
        table = rating_against_responders(self.data)
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

    def audit_table(self) -> HTML:
        """The number audit, one anchored row per reported number (the in-place checks link here)."""
        table = self.audit
        shown = pd.DataFrame(
            {
                "Number": table["label"],
                "Paper": table["reported"],
                "Recomputed": [
                    "not computable" if not np.isfinite(value) else f"{value:.6g}".replace("-", "\u2212")
                    for value in table["recomputed"]
                ],
                "As the paper would print it": table["recomputed_printed"],
                "Verdict": table["agrees"].map({True: "agrees", False: "DISAGREES"}),
            }
        )
        return html_table(
            shown,
            "Every number in the abstract: printed, recomputed, and whether they agree",
            row_ids=[f"audit-{key}" for key in table["key"]],
            row_classes=["" if agrees else "cnslbp-row--disagrees" for agrees in table["agrees"]],
        )

    def disagreements_markdown(self) -> str:
        """One paragraph per disagreeing number, with the library's explanation."""
        rows = self.audit[~self.audit["agrees"]]
        if rows.empty:
            return "Every number in the abstract agrees with its recomputation from this dataset.\n"
        return (
            "\n".join(
                f"- **{row.label}** (paper {row.reported}, recomputed {row.recomputed_printed}): {row.explanation}"
                for row in rows.itertuples(index=False)
            )
            + "\n"
        )

    def checks_table(self) -> HTML:
        """The data-free consistency checks with their verdicts."""
        checks = consistency_checks()
        labels = {record.key: record.label for record in REPORTED}
        shown = pd.DataFrame(
            {
                "Check": checks["check"],
                "Numbers used": ["; ".join(labels[key.strip()] for key in keys.split(",")) for keys in checks["keys"]],
                "Verdict": checks["verdict"],
                "What it shows": checks["detail"],
            }
        )
        return html_table(
            shown,
            "Checks a reviewer can run on the abstract alone",
            row_classes=["cnslbp-row--disagrees" if verdict == "inconsistent" else "" for verdict in checks["verdict"]],
        )

    def _rtm_inputs(self, instrument: str) -> tuple[Instrument, float, float]:
        """The instrument, its between-person SD at baseline, and the observed mean improvement."""
        entry = get_instrument(instrument)
        sd = float(stage_summary(self.data, stage=BASELINE_STAGE).set_index("instrument").loc[instrument, "sd"])
        observed = float(paired_change(self.data, instrument).iloc[0]["mean_change"]) * entry.improvement_sign
        return entry, sd, observed

    def glue_rtm(self, instrument: str, *, reliability: float = DEFAULT_RELIABILITY) -> pd.DataFrame:
        """Glue the regression-to-the-mean quantities for one instrument; return the simulator grid.

        Keys ``rtm_<instrument>_`` + ``sd``, ``expected``, ``observed``, ``share``,
        ``low``, ``high``, ``responders``, ``reliability``, ``at_60`` (the
        expectation at reliability 0.60) and ``explain_all`` (a sentence on the
        reliability that would explain the whole observed change).
        """
        entry, sd, observed = self._rtm_inputs(instrument)
        grid = null_improvement_grid(sd, entry.threshold, cohort_size=self.cohort.n_participants)
        row = simulate_null_improvement(
            np.array([reliability]), np.array([entry.threshold]), sd, cohort_size=self.cohort.n_participants
        ).iloc[0]
        expected = float(expected_null_improvement(reliability, entry.threshold, sd))
        share = "not defined" if observed <= 0 else f"{format_number(100 * expected / observed, 0)}%"
        needed = reliability_explaining(observed, entry.threshold, sd)
        if observed <= 0:
            explain_all = "there is no observed improvement to explain"
        elif not np.isfinite(needed):
            explain_all = "no reliability between 0 and 1 would make regression to the mean explain all of it"
        else:
            explain_all = f"it would take a reliability of about {format_number(needed, 2)} to explain all of it"
        phrases = {
            "sd": format_number(sd, 1),
            "expected": format_number(expected, 2),
            "observed": format_number(observed, 2),
            "share": share,
            "low": format_number(row.cohort_low, 1),
            "high": format_number(row.cohort_high, 1),
            "responders": format_number(row.responder_pct, 0),
            "reliability": format_number(reliability, 2),
            "at_60": format_number(float(expected_null_improvement(0.60, entry.threshold, sd)), 2),
            "explain_all": explain_all,
        }
        for name, text in phrases.items():
            glue(f"rtm_{instrument}_{name}", Text(text), display=False)
        return grid

    def rtm_chart(self, instrument: str, grid: pd.DataFrame) -> alt.LayerChart:
        """The interactive regression-to-the-mean simulator for one instrument."""
        _, sd, observed = self._rtm_inputs(instrument)
        return charts.rtm_simulator(
            grid,
            instrument=instrument,
            sd=sd,
            observed=observed,
            cohort_size=self.cohort.n_participants,
            reliability=DEFAULT_RELIABILITY,
        )

    def rows_table(self, *, limit: int = 60) -> HTML:
        """The cohort's rows as the book shows them (labels, not ids), up to ``limit`` rows."""
        rows = self.data.head(limit).astype("object").where(self.data.head(limit).notna(), "")
        more = len(self.data) - len(rows)
        caption = f"The cohort file's rows with participants relabelled ({len(self.data)} rows"
        caption += f"; the first {limit} shown)" if more > 0 else ")"
        return html_table(rows, caption)

    def association_table(self, x: str = "pseq", y: str = "piq") -> HTML:
        """Pearson and Spearman correlations of two changes, formatted."""
        table = association(self.data, x, y)
        shown = pd.DataFrame(
            {
                "Method": table["method"].str.capitalize(),
                "n": table["n"],
                "Correlation": [format_number(value, 2) for value in table["r"]],
                "95% CI": [
                    "not computable" if not np.isfinite(low) else format_ci(low, high, 2)
                    for low, high in zip(table["ci_low"], table["ci_high"], strict=True)
                ],
                "p": [p_text(value).removeprefix("p ").removeprefix("= ") for value in table["p_val"]],
            }
        )
        caption = (
            f"Correlation between the stage 2 → 3 changes in {get_instrument(x).abbreviation} "
            f"and {get_instrument(y).abbreviation}"
        )
        return html_table(shown, caption)

    def glue_change(
        self, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
    ) -> pd.Series:
        """Glue the words and numbers that describe one paired change.

        Keys are ``<instrument>_<from><to>_<name>`` with names ``n``, ``mean``,
        ``size``, ``sd``, ``ci``, ``p``, ``dz``, ``verb`` (fell/rose),
        ``direction`` (improved/worsened), ``interval`` (excludes/includes
        zero) and ``excluded`` (a sentence naming anyone left out).
        """
        row = paired_change(self.data, instrument, from_stage=from_stage, to_stage=to_stage).iloc[0]
        change = stage_change(self.data, instrument, from_stage=from_stage, to_stage=to_stage)
        phrases = {
            "n": str(row.n),
            "mean": format_number(row.mean_change, 2, plus=True),
            "size": format_number(abs(row.mean_change), 2),
            "sd": format_number(row.sd_change, 2),
            "ci": format_ci(row.ci_low, row.ci_high, 2),
            "p": p_text(row.p_val),
            "dz": "not computable" if not np.isfinite(row.dz) else format_number(abs(row.dz), 2),
            "verb": change_verb(row.mean_change),
            "direction": improvement_word(row.mean_change, instrument),
            "interval": interval_phrase(row.ci_low, row.ci_high),
            "excluded": exclusion_sentence(change),
        }
        for name, text in phrases.items():
            glue(f"{instrument}_{from_stage}{to_stage}_{name}", Text(text), display=False)
        return row

    def glue_responders(self, instrument: str) -> pd.Series:
        """Glue ``<instrument>_resp_k``, ``_n``, ``_ci`` (Wilson, %) and ``_rule``."""
        row = responders(self.data, instrument).iloc[0]
        phrases = {
            "k": str(row.k),
            "n": str(row.n),
            "ci": format_ci(row.ci_low, row.ci_high, 1),
            "rule": str(row.rule),
        }
        for name, text in phrases.items():
            glue(f"{instrument}_resp_{name}", Text(text), display=False)
        return row


def open_book() -> Study:
    """Load the book's cohort, hide participant ids, and enable the chart renderer."""
    charts.enable()
    cohort = load_cohort(cohort_path())
    return Study(cohort=cohort.pseudonymised(), provenance=provenance(cohort))
