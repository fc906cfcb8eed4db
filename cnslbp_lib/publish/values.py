"""Everything each chapter shows, computed by one call per chapter: glued values, tables and charts.

Each chapter's setup cell is ``page = values.<chapter>(study)`` then
``page.glue()``, and its display cells show ``page.shown[name]``.
:func:`chapter_values` runs every chapter's builder on a cohort and returns
every glued value and every rendered table and chart, so tests can feed it any
valid cohort. Nothing here may fail on a valid cohort: a statistic the data
cannot support is stated as such, with the reason, by the words, sentences,
tables and charts this module calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from ..data.instruments import NON_RESPONSE, get_instrument
from ..data.load import Cohort
from ..data.source import provenance
from ..exceptions import NotEnoughDataError
from ..paper.bounds import extreme_pairings
from ..paper.consistency import (
    consistency_checks,
    derived_interval,
    dz_from_printed_ci,
    grim_sums,
    interval_from_printed_p,
)
from ..paper.formatting import format_number
from ..paper.reported import get_reported, reported_n
from ..stats import flow, rtm, rtm_joint_figures, rtm_noise, sensitivity
from ..stats.core import Proportion, critical_correlation
from ..stats.correlation import association, change_pairs
from ..stats.responder_analysis import pe_nonresponse, responders
from . import audit_tables, charts, glue, rtm_words, sentences, tables, words
from .provenance import Marks, legend_table
from .rtm_words import JointRtmWords, NoiseWords, RtmWords
from .study import ASSOCIATION, Study

__all__ = ["CHAPTERS", "Page", "chapter_values"]


@dataclass(frozen=True, eq=False)
class Page:
    """What one chapter shows: reported numbers checked in place, glued values and sentences, tables and charts.

    ``values`` are glued as they are (plain text, or numbers that carry their
    spread); ``sentences`` are MyST Markdown pasted with ``{glue:md}`key:myst```,
    whose own ``{glue}`` roles quote reported numbers (glued as checks) or values.
    """

    study: Study
    checked: tuple[str, ...] = ()
    printed: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    markdown: dict[str, str] = field(default_factory=dict)
    sentences: dict[str, str] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)

    @property
    def checks(self) -> tuple[str, ...]:
        """Every reported number the page checks in place, its own and those its sentences quote."""
        quoted = [
            key
            for sentence in self.sentences.values()
            for key in sentences.quoted_keys(sentence)
            if key in sentences.REPORTED_KEYS
        ]
        return tuple(dict.fromkeys([*self.checked, *quoted]))

    def glue(self) -> None:
        """Glue every value of the page under its key (what the chapter's ``{glue}`` roles quote)."""
        glue.checked(self.study, *self.checks)
        glue.printed(*self.printed)
        for key, value in self.values.items():
            glue.number(key, value)
        for key, markdown in (self.markdown | self.sentences).items():
            glue.markdown(key, markdown)


def _fields(source: Any, *names: str) -> dict[str, Any]:
    """Fields of a words object under ``<prefix>_<field>``, as :func:`glue.fields` names them."""
    known = {item.name for item in fields(source)}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"{type(source).__name__} has no field {unknown[0]!r}")
    return {f"{source.prefix}_{name}": getattr(source, name) for name in names}


def _responders(study: Study, instrument: str) -> tuple[words.ResponderWords, Proportion | None]:
    try:
        share = responders(study.data, instrument)
    except NotEnoughDataError as error:
        return words.responder_words(instrument, None, reason=error.reason), None
    return words.responder_words(instrument, share, marks=study.marks), share


def _association(study: Study, marks: bool = False) -> words.AssociationWords:
    scale = study.marks if marks else None
    try:
        return words.association_words(association(study.data, *ASSOCIATION), scale)
    except NotEnoughDataError as error:
        return words.association_words(None, scale, reason=error.reason)


def _discrepancies(study: Study) -> Any:
    """The abstract's own discrepancies and what reproduces them, marked as worked out from the printed numbers."""
    return study.marks.block(sentences.discrepancies(study), "Worked out from the printed numbers alone")


def _audit_words(study: Study) -> words.AuditWords:
    return words.audit_words(study.audit, consistency_checks())


def _readings(study: Study, *instruments: str) -> dict[str, object]:
    """Each instrument's stage 2 → 3 interval read against its threshold, as ``<instrument>_23_reading``."""
    return {f"{key}_23_reading": sentences.change_reading(study.data, key, study.marks) for key in instruments}


def start_here(study: Study) -> Page:
    data = study.data
    piq, pseq, psq = (words.change_words(data, key, marks=study.marks) for key in ("piq", "pseq", "psq"))
    return Page(
        study,
        values={
            # the fields the sentence on the primary changes quotes
            **_fields(piq, "average"),
            **_fields(pseq, "change"),
            **_fields(psq, "change_p"),
            **_readings(study, "piq", "pseq", "psq"),
            **_fields(words.cohort_words(study.cohort.n_participants), "words"),
            **_fields(_audit_words(study), "agree", "total"),
        },
        sentences={
            "example_check": sentences.example_check(study),
            "audit_summary": sentences.audit_summary(study),
            "primary_changes": sentences.changes_in_words({"piq": piq, "pseq": pseq}),
            "assoc_relation": sentences.association_relation(study, _association(study)),
        },
        shown={"headline": tables.headline_table(study), "legend": legend_table()},
    )


def design(study: Study) -> Page:
    values: dict[str, Any] = {}
    # a worked example built from the registry thresholds, so it stays right if they change
    piq_entry, pseq_entry = get_instrument("piq"), get_instrument("pseq")
    example = {"piq": (40, 40 - piq_entry.threshold - 2), "pseq": (22, 22 + pseq_entry.threshold - 3)}
    for instrument, (before, after) in example.items():
        values[f"example_{instrument}"] = f"{before} to {after}"
        values[f"example_{instrument}_verdict"] = words.rule_verdict(instrument, after - before)
    participant_flow = flow.participant_flow(study.cohort)
    values["flow_lead"], instead = sentences.flow_figure(participant_flow)
    return Page(
        study,
        checked=("participants_completed", "missing_data"),
        values=values,
        markdown={"instruments_table": tables.instruments_markdown()},
        shown={
            "flow_table": tables.html_table(participant_flow, "Participant flow: how many reach each analysis"),
            "flow_chart": tables.note(instead) if instead else charts.flow_chart(participant_flow),
            "incomplete": tables.incomplete_table(study.cohort),
        },
    )


def stages(study: Study) -> Page:
    data = study.data
    education = {
        key: words.change_words(data, key, from_stage=1, to_stage=2, marks=study.marks)
        for key in ("piq", "pseq", "psq")
    }
    # on the reconstruction the stage 1 scores come wholly from a prior: their intervals and p-values
    # would only test the prior, so the means are shown (with marks) and no inference
    inference = not study.provenance.is_reconstruction
    values: dict[str, Any] = {}
    for key in ("piq", "pseq"):
        values |= _fields(education[key], "mean", *(("ci", "p") if inference else ()))
    values |= _fields(education["psq"], "mean")
    values |= {"non_response_rule": NON_RESPONSE.description, "inclusion_sentence": words.inclusion_sentence(data)}
    # a participant just short of both thresholds, built from the registry
    near = {
        "piq": (50, 50 - (get_instrument("piq").threshold - 1)),
        "pseq": (20, 20 + get_instrument("pseq").threshold - 1),
    }
    for instrument, (before, after) in near.items():
        values[f"near_{instrument}"] = f"{before} to {after}"
        values[f"near_{instrument}_verdict"] = words.rule_verdict(instrument, after - before)
    return Page(
        study,
        values=values,
        sentences={"education_changes": sentences.education_changes(education, inference=inference)},
        shown={
            "education": charts.education_phase_chart(data),
            **{f"{key}_trajectories": charts.trajectories(data, key) for key in ("piq", "pseq", "psq")},
        },
    )


def _dz_explorer(study: Study) -> Any:
    summaries, missing = [], []
    for key in ("piq", "pseq"):
        try:
            summaries.append(sensitivity.effect_size_summary(study.data, key))
        except NotEnoughDataError as error:
            missing.append(f"{get_instrument(key).abbreviation} has no curve: {error.reason}")
    return charts.dz_explorer(summaries, missing="; ".join(missing))


def primary_outcomes(study: Study) -> Page:
    data = study.data
    values: dict[str, Any] = {}
    said: dict[str, str] = {}
    values |= _readings(study, "piq", "pseq")
    for instrument in ("piq", "pseq"):
        values |= _fields(words.change_words(data, instrument, marks=study.marks), "direction", "excluded", "change")
        counted, share = _responders(study, instrument)
        values |= _fields(counted, "rule", "ci")
        said[f"{instrument}_23_result"] = sentences.change_result(study, instrument, capital=instrument == "pseq")
        said[f"{instrument}_resp_result"] = sentences.responder_result(
            study, counted, instrument, share, long=instrument == "piq"
        )
    values["power_sentence"] = sentences.power_sentence(study.cohort.n_participants, brief=True, marks=study.marks)
    worked = dz_from_printed_ci("piq")
    labels = {
        "critical": "the 97.5% quantile of t on n − 1 degrees of freedom",
        "half_width": "half the width of the printed PIQ 95% CI",
        "sd": "the SD of the PIQ changes that the printed CI implies",
        "dz": "the PIQ dz that the printed mean and CI imply",
    }
    for name, decimals in (("critical", 3), ("half_width", 3), ("sd", 2), ("dz", 2)):
        values[f"worked_{name}"] = study.marks.from_abstract(format_number(worked[name], decimals), labels[name])
    values["worked_df"] = str(worked["n"] - 1)
    values["worked_n"] = str(worked["n"])
    return Page(
        study,
        printed=(
            *(
                f"{key}_{quantity}"
                for key in ("piq", "pseq")
                for quantity in ("mean_change", "ci_low", "ci_high", "dz")
            ),
            "piq_responders",
            "pseq_responders",
        ),
        values=values,
        sentences=said,
        shown={
            "piq_estimation": charts.estimation_plot(data, "piq"),
            "pseq_estimation": charts.estimation_plot(data, "pseq"),
            **{
                f"{key}_sensitivity": tables.sensitivity_table(data, key, study.marks, bootstrap_method="bca")
                for key in ("piq", "pseq")
            },
            "effect_sizes": tables.effect_size_table(data, marks=study.marks),
            "dz_explorer": _dz_explorer(study),
            "piq_sweep": charts.threshold_sweep(data, "piq"),
            "pseq_sweep": charts.threshold_sweep(data, "pseq"),
        },
    )


def secondary_outcomes(study: Study) -> Page:
    data = study.data
    psq = words.change_words(data, "psq", marks=study.marks)
    rating = study.cohort.has_global_change and not study.provenance.is_reconstruction
    not_collected = (
        tables.note("the abstract reports no global ratings, so none are drawn here")
        if study.provenance.is_reconstruction
        else tables.not_collected("Global perceived change")
    )
    back = interval_from_printed_p("psq")
    return Page(
        study,
        printed=("psq_mean_change", "psq_p_val"),
        values={
            **_fields(psq, "direction", "excluded", "change_p", "ci", "dz", "interval"),
            **_readings(study, "psq"),
            **_fields(words.global_change_words(data, study.marks), "sentence", "summary"),
            "psq_derivation": study.marks.block(derived_interval("psq"), "Worked out from the printed numbers alone"),
            "psq_rule": get_instrument("psq").improvement_rule,
            **{
                f"psq_back_{name}": study.marks.from_abstract(
                    format_number(back[quantity], decimals), f"{label}, back-calculated from the printed PSQ mean and p"
                )
                for name, quantity, decimals, label in (
                    ("t", "t", 2, "t"),
                    ("critical", "critical", 2, "the 97.5% quantile of t on 13 degrees of freedom"),
                    ("se", "se", 2, "the standard error of the mean change"),
                    ("half", "half_width", 1, "the half-width of the 95% CI"),
                    ("low", "ci_low", 1, "the 95% CI lower limit"),
                    ("high", "ci_high", 1, "the 95% CI upper limit"),
                )
            },
        },
        sentences={
            "psq_23_result": sentences.change_result(study, "psq"),
            "psq_23_ci_sentence": sentences.interval_sentence(psq),
        },
        shown={
            "psq_estimation": charts.estimation_plot(data, "psq"),
            "global_chart": charts.global_change_chart(data) if rating else not_collected,
            # the chart's place already says why there is nothing: the table's stays empty
            "global_table": tables.global_change_table(data) if rating else tables.HtmlTable(""),
        },
    )


def _pairings(study: Study, x: str = "pseq", y: str = "piq") -> Any:
    """This dataset's two sets of changes paired as they are, and in the orders that give the extreme correlations."""
    pairs = change_pairs(study.data, x, y)
    first, second = (pairs[f"{key}_change"].to_numpy(float) for key in (x, y))
    try:
        lowest, highest = extreme_pairings(first.reshape(1, -1), second.reshape(1, -1))
        actual = association(study.data, x, y).pearson
    except (ValueError, NotEnoughDataError):
        return charts.association_scatter(study.data, x, y)
    shown = (
        ("paired in opposite order", lowest.x, lowest.y, lowest.r),
        ("this dataset's pairing", first, second, actual.r),
        ("paired in the same order", highest.x, highest.y, highest.r),
    )
    return charts.pairings_scatter(
        [(f"{label}: r = {format_number(r, 2)}", left, right) for label, left, right, r in shown], x, y
    )


def association_chapter(study: Study) -> Page:
    said = _association(study, marks=True)
    return Page(
        study,
        checked=("association_direction",),
        values={
            **_fields(said, "sentence"),
            "r_significant": study.marks.from_abstract(
                format_number(-critical_correlation(reported_n()), 2),
                "the weakest negative Pearson r that gives p below .05 with the abstract's n",
            ),
        },
        sentences={
            "assoc_summary": sentences.association_summary(said),
            "assoc_recomputed": sentences.association_recomputed(study, said),
        },
        shown={
            "scatter": _pairings(study)
            if study.provenance.is_reconstruction
            else charts.association_scatter(study.data),
            "table": tables.association_table(study.data, marks=study.marks),
        },
    )


def _regression(study: Study) -> tuple[dict[str, RtmWords], dict[str, rtm.RtmFigures]]:
    said, figures = {}, {}
    baseline = flow.stage_summary(study.data, stage=2).set_index("instrument")["sd"]
    for key in ("piq", "pseq"):
        try:
            figures[key] = rtm.rtm_figures(study.data, key, cohort_size=study.cohort.n_participants)
        except NotEnoughDataError as error:
            said[key] = rtm_words.rtm_words(
                key, None, study.marks, reason=error.reason, baseline_sd=float(baseline[key])
            )
        else:
            said[key] = rtm_words.rtm_words(key, figures[key], study.marks)
    return said, figures


def _joint_regression(study: Study) -> dict[str, JointRtmWords]:
    """The joint model's words at the illustrative setting (or why there are none)."""
    keys = NON_RESPONSE.instruments
    try:
        figures = rtm_joint_figures.joint_rtm_figures(
            study.data,
            cohort_size=study.cohort.n_participants,
            error_correlation=rtm_joint_figures.ILLUSTRATIVE_ERROR_CORRELATION,
            flare_strength=rtm_joint_figures.ILLUSTRATIVE_FLARE_STRENGTH,
        )
    except NotEnoughDataError as error:
        return {key: rtm_words.joint_rtm_words(key, None, reason=error.reason) for key in keys}
    return {key: rtm_words.joint_rtm_words(key, figures[key], study.marks) for key in keys}


def _noise(study: Study) -> dict[str, NoiseWords]:
    """The noise bound of each rule instrument, corrected for the rule wherever the whole cohort met it."""
    said = {}
    improved = pe_nonresponse(study.data)
    for key in NON_RESPONSE.instruments:
        selected = not bool(improved[f"{key}_improved"].fillna(False).any())
        try:
            said[key] = rtm_words.noise_words(key, rtm_noise.noise_bound(study.data, key, selected=selected))
        except NotEnoughDataError as error:
            said[key] = rtm_words.noise_words(key, None, reason=error.reason)
    return said


def limitations(study: Study) -> Page:
    data, n = study.data, study.cohort.n_participants
    regression, figures = _regression(study)
    joint = _joint_regression(study)
    # on the reconstruction the stage 1 scores come from a prior, so the bound would describe the prior: not shown
    noise = {} if study.provenance.is_reconstruction else _noise(study)
    shares = {key: _responders(study, key)[0] for key in ("piq", "pseq")}
    simulators: dict[str, Any] = {}
    for key in ("piq", "pseq"):
        if key in figures and not regression[key].note:
            simulators[f"rtm_{key}"] = charts.rtm_simulator(figures[key], *rtm.simulator_grids(figures[key]))
        else:
            simulators[f"rtm_{key}"] = charts.message_chart(
                f"For the {get_instrument(key).abbreviation}, regression to the mean cannot be estimated from this "
                f"cohort: {regression[key].note}."
            )
    figures_shown = ("sd", "expected", "observed", "share", "low", "high", "responders")
    return Page(
        study,
        values={
            **_fields(_audit_words(study), "conflict_count", "conflict_count_cap", "conflict_list"),
            **_fields(regression["piq"], *figures_shown, "reliability", "reliability_60", "at_60", "explain_all"),
            **_fields(regression["pseq"], *figures_shown),
            **_fields(joint["piq"], "expected", "share", "correlation", "flare", "per_sd"),
            **_fields(joint["pseq"], "expected", "share"),
            **{
                field: value
                for said in noise.values()
                for field, value in _fields(said, "reliability_min", "reliability_min_lower").items()
            },
            "power_brief": sentences.power_sentence(n, brief=True, marks=study.marks),
            **{field: value for said in shares.values() for field, value in _fields(said, "ci").items()},
            "holm_result": sentences.holm_result(data, study.marks),
        },
        sentences={
            "rtm_sd": rtm_words.rtm_sd(regression),
            "rtm_piq_bullet": rtm_words.rtm_bullet("piq", regression["piq"], long=True),
            "rtm_pseq_bullet": rtm_words.rtm_bullet("pseq", regression["pseq"], long=False),
            "rtm_piq_at_60_sentence": rtm_words.rtm_at_60("piq", regression["piq"]),
            "rtm_share": rtm_words.rtm_share(regression),
            "rtm_joint_sentence": rtm_words.rtm_joint(joint),
            "noise_sentence": rtm_words.noise_sentence(study, noise),
            "responder_rates": sentences.responder_rates(study, shares),
        },
        shown=simulators,
    )


def _grim_example(key: str, marks: Marks) -> dict[str, object]:
    """The GRIM working for one printed mean, from the abstract alone (glued as ``grim_<field>``).

    ``grim_total`` is the whole-number total change that gives the printed
    mean, ``grim_mean`` that total over n (four decimals); ``grim_below`` and
    ``grim_above`` are the next totals and ``grim_below_mean`` and
    ``grim_above_mean`` their means as the paper would print them.
    """
    record, n = get_reported(key), reported_n()
    totals = grim_sums(record.printed, n, record.decimals or 0)
    if not totals:  # the data-free checks flag such a mean; the exercise then has no total to name
        names = ("total", "mean", "below", "above", "below_mean", "above_mean")
        return {f"grim_{name}": "none" for name in names}
    total = totals[0]
    mean = marks.from_abstract(format_number(total / n, 4), f"the mean of a total change of {total} over n = {n}")
    found: dict[str, object] = {"grim_total": format_number(total, 0), "grim_mean": mean}
    for name, other in (("below", total + 1), ("above", total - 1)):
        found[f"grim_{name}"] = format_number(other, 0)
        found[f"grim_{name}_mean"] = marks.from_abstract(
            record.as_printed(other / n), f"a total change of {other} over n = {n}, printed as the abstract prints"
        )
    return found


def number_audit(study: Study) -> Page:
    return Page(
        study,
        printed=("piq_responders", "psq_mean_change"),
        values={
            **_fields(words.cohort_words(study.cohort.n_participants), "participants"),
            **_fields(_audit_words(study), "agree", "total"),
            **_grim_example("psq_mean_change", study.marks),
            "discrepancies": _discrepancies(study),
        },
        shown={
            "disagreements": audit_tables.disagreements(study.audit),
            "audit": audit_tables.audit_table(study.audit, construction=study.provenance.is_reconstruction),
            "overview": charts.audit_overview(study.audit, construction=study.provenance.is_reconstruction),
            "checks": audit_tables.checks_table(),
        },
    )


def cohort_appendices(study: Study) -> Page:
    """What the appendices show of the cohort itself (their other values describe the reconstruction)."""
    return Page(study, shown={"rows": tables.rows_table(study.data, reconstruction=study.provenance.is_reconstruction)})


CHAPTERS: dict[str, Callable[[Study], Page]] = {
    "start_here": start_here,
    "design": design,
    "stages": stages,
    "primary_outcomes": primary_outcomes,
    "secondary_outcomes": secondary_outcomes,
    "association": association_chapter,
    "limitations": limitations,
    "number_audit": number_audit,
    "appendices": cohort_appendices,
}


def _rendered(shown: Any) -> str:
    if hasattr(shown, "to_dict"):
        return charts.to_html(shown.to_dict())
    return str(shown._repr_html_())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else f"{value} {value._repr_html_()}"


def chapter_values(cohort: Cohort) -> dict[str, str]:
    """Every value the chapters show for ``cohort``, keyed ``<chapter>:<key>``.

    Glued values as text (and HTML, for numbers that carry their spread),
    sentences and Markdown as glued, checked numbers as their text (the number,
    or "not computable (reason)"), tables and charts as the HTML the page gets.
    Participant ids are replaced by labels first, as in the book.
    """
    study = Study(cohort=cohort.pseudonymised(), provenance=provenance(cohort))
    found: dict[str, str] = {}
    for chapter, build in CHAPTERS.items():
        page = build(study)
        found |= {f"{chapter}:{key}": str(study.checked(key)) for key in page.checks}
        found |= {f"{chapter}:{key}": _text(value) for key, value in page.values.items()}
        found |= {f"{chapter}:{key}": text for key, text in (page.markdown | page.sentences).items()}
        found |= {f"{chapter}:{key}": _rendered(shown) for key, shown in page.shown.items()}
    return found
