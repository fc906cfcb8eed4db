"""Altair charts for the book, and the renderer that makes them work offline.

Every chart uses the Okabe–Ito colour-blind-safe palette, labels its axes with
units and direction, shows participant label, stage and score on hover, and
carries a text alternative in its ``description`` (Vega puts it on the SVG as
its accessible name). :func:`enable` registers a renderer whose HTML calls the
page's own ``vegaEmbed`` (served from the site, never a CDN) and whose element
ids come from a hash of the spec, so re-executing a chapter gives identical
output.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any, cast

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

from ..data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, GLOBAL_CHANGE, STAGES, get_instrument
from ..paper.formatting import format_ci, format_number
from ..paper.reported import REPORTED
from ..stats.change import paired_change
from ..stats.correlation import association, paired_changes
from ..stats.global_change import global_change_distribution
from ..stats.responder_analysis import pe_nonresponse, responder_sweep, responder_table

__all__ = [
    "CHART_CLASS",
    "OKABE_ITO",
    "association_scatter",
    "audit_overview",
    "enable",
    "estimation_plot",
    "global_change_chart",
    "responder_chart",
    "to_html",
    "trajectories",
]

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#6B6B6B",
}
STAGE_COLOURS = [OKABE_ITO["sky"], OKABE_ITO["orange"], OKABE_ITO["blue"]]
RESPONDER_COLOURS = {"responder": OKABE_ITO["blue"], "not a responder": OKABE_ITO["orange"]}
MAX_LINES = 200
# charts fill their container, so they fit a phone and a desktop page alike
WIDTH = "container"
CHART_CLASS = "cnslbp-chart"
EMBED_OPTIONS = {"renderer": "svg", "actions": False, "mode": "vega-lite"}


def _stage_label(number: int) -> str:
    stage = next(stage for stage in STAGES if stage.number == number)
    return f"{number}: {stage.name}"


def _spec_id(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    return "cnslbp-chart-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def to_html(spec: dict[str, Any]) -> str:
    """HTML that draws ``spec`` with the page's ``vegaEmbed``; deterministic.

    Once drawn, the SVG gets ``role="img"`` and the chart's description as its
    accessible name; if drawing fails, the description is shown in its place.
    """
    # the $schema URL only names the format; leaving it out keeps every page free of outside hosts
    spec = {key: value for key, value in spec.items() if key != "$schema"}
    element = _spec_id(spec)
    description = html.escape(str(spec.get("description", "Chart")))
    payload = json.dumps(spec, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    options = json.dumps(EMBED_OPTIONS, sort_keys=True)
    return (
        f'<div class="{CHART_CLASS}" id="{element}" data-description="{description}"></div>\n'
        "<script>\n"
        "(function () {\n"
        f'  var element = document.getElementById("{element}");\n'
        f"  var spec = {payload};\n"
        "  function draw() {\n"
        f"    window.vegaEmbed(element, spec, {options}).then(function () {{\n"
        "      var drawing = element.querySelector('svg');\n"
        "      drawing.setAttribute('role', 'img');\n"
        "      drawing.setAttribute('aria-label', element.dataset.description);\n"
        "    }).catch(function (error) {\n"
        "      element.textContent = element.dataset.description +\n"
        '        " (The chart could not be drawn: " + error.message + ")";\n'
        "      console.error(error);\n"
        "    });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); } else { window.addEventListener('load', draw); }\n"
        "})();\n"
        "</script>"
    )


def _render(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    return {"text/html": to_html(spec), "text/plain": str(spec.get("description", "Chart"))}


def enable() -> None:
    """Make Altair charts display through the offline, deterministic renderer."""
    alt.renderers.register("cnslbp", _render)
    alt.renderers.enable("cnslbp")
    alt.data_transformers.disable_max_rows()


def _score_axis(instrument: str) -> alt.Y:
    entry = get_instrument(instrument)
    return alt.Y(
        "score:Q",
        title=f"{entry.abbreviation} score (points, {entry.direction})",
        scale=alt.Scale(domain=[entry.minimum, entry.maximum]),
    )


def _long_scores(data: pd.DataFrame, instrument: str) -> pd.DataFrame:
    scores = data[["participant", "stage", instrument]].dropna()
    return pd.DataFrame(
        {
            "participant": scores["participant"].astype("str").to_numpy(),
            "stage": scores["stage"].map(_stage_label).to_numpy(),
            "score": scores[instrument].astype(float).to_numpy(),
        }
    )


def trajectories(data: pd.DataFrame, instrument: str, *, seed: int = 1) -> alt.LayerChart:
    """One line per participant across the three stages, with the stage means.

    With more than 200 participants a seeded random sample of 200 lines is
    drawn (the means use everyone) so the page stays light.
    """
    entry = get_instrument(instrument)
    scores = _long_scores(data, instrument)
    participants = scores["participant"].unique()
    shown = participants
    if participants.size > MAX_LINES:
        shown = np.random.default_rng(seed).choice(participants, MAX_LINES, replace=False)
    lines_data = scores[scores["participant"].isin(shown)]
    means = scores.groupby("stage", as_index=False)["score"].mean()
    stage_order = [_stage_label(stage.number) for stage in STAGES]
    x_axis = alt.X("stage:N", title="Stage", sort=stage_order, axis=alt.Axis(labelAngle=0))
    lines = (
        alt.Chart(lines_data)
        .mark_line(
            point=alt.OverlayMarkDef(size=30, color=OKABE_ITO["grey"]),
            strokeWidth=1,
            opacity=0.55,
            color=OKABE_ITO["grey"],
        )
        .encode(
            x=x_axis,
            y=_score_axis(instrument),
            detail="participant:N",
            tooltip=[
                alt.Tooltip("participant:N", title="Participant"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("score:Q", title=entry.abbreviation),
            ],
        )
    )
    mean_line = (
        alt.Chart(means)
        .mark_line(point=alt.OverlayMarkDef(size=90, filled=True), strokeWidth=3, color=OKABE_ITO["blue"])
        .encode(
            x=x_axis,
            y=_score_axis(instrument),
            tooltip=[alt.Tooltip("stage:N", title="Stage"), alt.Tooltip("score:Q", title="Mean", format=".1f")],
        )
    )
    means_text = ", ".join(f"{row.stage} {format_number(row.score, 1)}" for row in means.itertuples())
    sample_note = (
        f" (a random sample of {MAX_LINES} of {participants.size} participants)" if shown is not participants else ""
    )
    description = (
        f"Line chart of {entry.abbreviation} scores at the three stages, one grey line per participant"
        f"{sample_note}, with the mean in blue. Means by stage: {means_text}. {entry.direction.capitalize()}."
    )
    chart: alt.LayerChart = (lines + mean_line).properties(width=WIDTH, height=300, description=description)
    return chart


def _spread(values: np.ndarray, step: float = 0.12) -> np.ndarray:
    """Horizontal offsets that fan out equal values symmetrically (deterministic jitter)."""
    offsets = np.zeros(values.size)
    for value in np.unique(values):
        where = np.flatnonzero(values == value)
        offsets[where] = (np.arange(where.size) - (where.size - 1) / 2) * step
    return offsets


def estimation_plot(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> alt.LayerChart:
    """Each participant's change, the mean change with its 95% CI, zero and the threshold."""
    entry = get_instrument(instrument)
    table = responder_table(data, instrument, from_stage=from_stage, to_stage=to_stage)
    summary = paired_change(data, instrument, from_stage=from_stage, to_stage=to_stage).iloc[0]
    points = pd.DataFrame(
        {
            "participant": table["participant"].astype("str").to_numpy(),
            "change": table["change"].to_numpy(),
            "offset": _spread(table["change"].to_numpy()),
            "status": np.where(table["responder"], "responder", "not a responder"),
            "before": table["before"].to_numpy(),
            "after": table["after"].to_numpy(),
        }
    )
    y_title = f"Change in {entry.abbreviation}, stage {from_stage} → {to_stage} (points; a {entry.movement} = better)"
    y_axis = alt.Y("change:Q", title=y_title)
    colour = alt.Color(
        "status:N",
        title="Against the threshold",
        scale=alt.Scale(domain=list(RESPONDER_COLOURS), range=list(RESPONDER_COLOURS.values())),
        legend=alt.Legend(orient="bottom"),
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=70, opacity=0.85)
        .encode(
            x=alt.X("offset:Q", axis=None, scale=alt.Scale(domain=[-1.2, 1.6])),
            y=y_axis,
            color=colour,
            tooltip=[
                alt.Tooltip("participant:N", title="Participant"),
                alt.Tooltip("before:Q", title=f"Stage {from_stage}"),
                alt.Tooltip("after:Q", title=f"Stage {to_stage}"),
                alt.Tooltip("change:Q", title="Change"),
            ],
        )
    )
    mean = pd.DataFrame(
        [
            {
                "offset": 1.2,
                "change": summary.mean_change,
                "ci_low": summary.ci_low,
                "ci_high": summary.ci_high,
                "label": "mean change and 95% CI",
            }
        ]
    )
    interval = (
        alt.Chart(mean)
        .mark_rule(strokeWidth=3, color=OKABE_ITO["black"])
        .encode(x="offset:Q", y="ci_low:Q", y2="ci_high:Q")
    )
    centre = (
        alt.Chart(mean)
        .mark_point(shape="diamond", size=160, filled=True, color=OKABE_ITO["black"])
        .encode(
            x="offset:Q",
            y="change:Q",
            tooltip=[
                alt.Tooltip("label:N", title="Summary"),
                alt.Tooltip("change:Q", title="Mean change", format=".2f"),
                alt.Tooltip("ci_low:Q", title="95% CI from", format=".2f"),
                alt.Tooltip("ci_high:Q", title="95% CI to", format=".2f"),
            ],
        )
    )
    references = pd.DataFrame(
        [
            {"change": 0.0, "label": "no change"},
            {"change": float(entry.threshold * entry.improvement_sign), "label": "important improvement"},
        ]
    )
    rules = (
        alt.Chart(references)
        .mark_rule(strokeDash=[4, 4], color=OKABE_ITO["grey"])
        .encode(y="change:Q", tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("change:Q", title="Points")])
    )
    description = (
        f"Dot plot of each participant's change in {entry.abbreviation} from stage {from_stage} to {to_stage}, "
        f"coloured by whether it reached {entry.improvement_rule}. The black diamond and bar show the mean change, "
        f"{format_number(summary.mean_change, 2)} points, and its 95% CI, "
        f"{format_ci(summary.ci_low, summary.ci_high, 2)}. Dashed lines mark no change and the threshold."
    )
    chart: alt.LayerChart = (rules + dots + interval + centre).properties(
        width=WIDTH, height=320, description=description
    )
    return chart


def responder_chart(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> alt.LayerChart:
    """Each participant's improvement as a bar, sorted, against the threshold."""
    entry = get_instrument(instrument)
    table = responder_table(data, instrument, from_stage=from_stage, to_stage=to_stage)
    bars_data = pd.DataFrame(
        {
            "participant": table["participant"].astype("str").to_numpy(),
            "improvement": table["improvement"].to_numpy(),
            "status": np.where(table["responder"], "responder", "not a responder"),
        }
    )
    order = bars_data.sort_values(["improvement", "participant"], ascending=[False, True])["participant"].tolist()
    bars = (
        alt.Chart(bars_data)
        .mark_bar()
        .encode(
            x=alt.X("participant:N", sort=order, title="Participant (sorted by improvement)"),
            y=alt.Y("improvement:Q", title=f"Improvement in {entry.abbreviation} (points, positive = better)"),
            color=alt.Color(
                "status:N",
                title="Against the threshold",
                scale=alt.Scale(domain=list(RESPONDER_COLOURS), range=list(RESPONDER_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("participant:N", title="Participant"),
                alt.Tooltip("improvement:Q", title="Improvement"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    threshold = (
        alt.Chart(pd.DataFrame([{"improvement": float(entry.threshold), "label": entry.improvement_rule}]))
        .mark_rule(strokeDash=[6, 3], color=OKABE_ITO["black"])
        .encode(y="improvement:Q", tooltip=[alt.Tooltip("label:N", title="Threshold")])
    )
    k = int(table["responder"].sum())
    description = (
        f"Bar chart of each participant's improvement in {entry.abbreviation} from stage {from_stage} to {to_stage}, "
        f"sorted from largest to smallest, with a dashed line at the threshold ({entry.improvement_rule}). "
        f"{k} of {len(table)} bars reach it."
    )
    chart: alt.LayerChart = (bars + threshold).properties(width=WIDTH, height=260, description=description)
    return chart


def association_scatter(
    data: pd.DataFrame,
    x: str = "pseq",
    y: str = "piq",
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> alt.LayerChart:
    """Change in ``y`` against change in ``x``, with a least-squares line."""
    x_entry, y_entry = get_instrument(x), get_instrument(y)
    pairs = paired_changes(data, x, y, from_stage=from_stage, to_stage=to_stage)
    frame = pd.DataFrame(
        {
            "participant": pairs["participant"].astype("str").to_numpy(),
            "x": pairs[f"{x}_change"].to_numpy(),
            "y": pairs[f"{y}_change"].to_numpy(),
        }
    )
    x_axis = alt.X("x:Q", title=f"Change in {x_entry.abbreviation} (points, {x_entry.direction})")
    y_axis = alt.Y("y:Q", title=f"Change in {y_entry.abbreviation} (points, {y_entry.direction})")
    points = (
        alt.Chart(frame)
        .mark_circle(size=80, color=OKABE_ITO["blue"], opacity=0.85)
        .encode(
            x=x_axis,
            y=y_axis,
            tooltip=[
                alt.Tooltip("participant:N", title="Participant"),
                alt.Tooltip("x:Q", title=f"Change in {x_entry.abbreviation}"),
                alt.Tooltip("y:Q", title=f"Change in {y_entry.abbreviation}"),
            ],
        )
    )
    fit = (
        alt.Chart(frame)
        .transform_regression("x", "y")
        .mark_line(color=OKABE_ITO["vermillion"], strokeWidth=2)
        .encode(x="x:Q", y="y:Q")
    )
    r = float(association(data, x, y, from_stage=from_stage, to_stage=to_stage).loc[0, "r"])
    description = (
        f"Scatter plot of the change in {y_entry.abbreviation} against the change in {x_entry.abbreviation} "
        f"from stage {from_stage} to {to_stage}, one dot per participant ({len(frame)}), with a least-squares line. "
        f"Pearson r = {format_number(r, 2)}."
    )
    chart: alt.LayerChart = (points + fit).properties(width=WIDTH, height=320, description=description)
    return chart


def global_change_chart(data: pd.DataFrame) -> alt.Chart:
    """Counts of each global perceived change rating after education and after the MRI."""
    tables = []
    for stage in (BASELINE_STAGE, FOLLOW_UP_STAGE):
        table = global_change_distribution(data, stage=stage)
        tables.append(table.assign(stage=_stage_label(stage)))
    frame = pd.concat(tables, ignore_index=True)
    frame["rating_label"] = [
        f"{format_number(rating, 0, plus=True)} {label}"
        for rating, label in zip(frame["rating"], frame["label"], strict=True)
    ]
    order = frame.drop_duplicates("rating").sort_values("rating")["rating_label"].tolist()
    stages = [_stage_label(BASELINE_STAGE), _stage_label(FOLLOW_UP_STAGE)]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "rating_label:N",
                sort=order,
                title="Global perceived change since the previous stage",
                axis=alt.Axis(labelAngle=-30),
            ),
            xOffset=alt.XOffset("stage:N", sort=stages),
            y=alt.Y("count:Q", title="Participants", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "stage:N",
                title="Rated at stage",
                sort=stages,
                scale=alt.Scale(range=STAGE_COLOURS[1:]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("rating_label:N", title="Rating"),
                alt.Tooltip("count:Q", title="Participants"),
                alt.Tooltip("pct:Q", title="Percent", format=".1f"),
            ],
        )
    )
    improved = {stage: int(frame.loc[(frame["stage"] == stage) & frame["improved"], "count"].sum()) for stage in stages}
    answered = {stage: int(frame.loc[frame["stage"] == stage, "n"].iloc[0]) for stage in stages}
    description = (
        f"Grouped bar chart of {GLOBAL_CHANGE.name.lower()} ratings from very much worse to very much improved. "
        + " ".join(
            f"At stage {stage}, {improved[stage]} of {answered[stage]} rated themselves much or very much improved."
            for stage in stages
        )
    )
    result: alt.Chart = chart.properties(width=WIDTH, height=280, description=description)
    return result


def audit_overview(table: pd.DataFrame) -> alt.Chart:
    """Each reported number's recomputed value relative to the printed one, coloured by verdict."""
    records = {record.key: record for record in REPORTED}
    rows = []
    for row in table.itertuples(index=False):
        printed = records[row.key].value
        if printed is None or not np.isfinite(row.recomputed):
            difference = 0.0 if row.agrees else float("nan")
        else:
            reference = float(printed)
            value = abs(row.recomputed) if records[row.key].style == "magnitude" else row.recomputed
            difference = 100 * (value - reference) / abs(reference) if reference else 0.0
        rows.append(
            {
                "label": row.label,
                "difference": difference,
                "verdict": "agrees" if row.agrees else "disagrees",
                "reported": row.reported,
                "recomputed": row.recomputed_printed,
            }
        )
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame)
        .mark_point(filled=True, size=110)
        .encode(
            y=alt.Y("label:N", sort=frame["label"].tolist(), title=None),
            x=alt.X("difference:Q", title="Recomputed minus printed (% of the printed value)"),
            color=alt.Color(
                "verdict:N",
                title="Verdict",
                scale=alt.Scale(domain=["agrees", "disagrees"], range=[OKABE_ITO["blue"], OKABE_ITO["vermillion"]]),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape(
                "verdict:N",
                scale=alt.Scale(domain=["agrees", "disagrees"], range=["circle", "cross"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Number"),
                alt.Tooltip("reported:N", title="Paper"),
                alt.Tooltip("recomputed:N", title="Recomputed, printed as the paper would"),
                alt.Tooltip("verdict:N", title="Verdict"),
            ],
        )
    )
    disagreeing = frame.loc[frame["verdict"] == "disagrees", "label"].tolist()
    description = (
        f"Dot chart of the {len(frame)} numbers in the abstract, each placed at the difference between its "
        f"recomputed and printed value. {len(frame) - len(disagreeing)} agree when printed the paper's way"
        + (f"; these disagree: {'; '.join(disagreeing)}." if disagreeing else ".")
    )
    result: alt.Chart = chart.properties(width=WIDTH, height=alt.Step(22), description=description)
    return result


def education_phase_chart(data: pd.DataFrame) -> alt.LayerChart:
    """Each participant's stage 1 → 2 change in the two rule instruments, against the response region."""
    table = pe_nonresponse(data).dropna(subset=["piq_change", "pseq_change"])
    piq, pseq = get_instrument("piq"), get_instrument("pseq")
    frame = pd.DataFrame(
        {
            "participant": table["participant"].astype("str").to_numpy(),
            "pseq_change": table["pseq_change"].to_numpy(float),
            "piq_change": table["piq_change"].to_numpy(float),
            "status": np.where(table["non_responder"].astype(bool), "non-responder", "responded to education"),
        }
    )
    x_span = [min(-15.0, frame["pseq_change"].min() - 2), max(25.0, frame["pseq_change"].max() + 2)]
    y_span = [min(-20.0, frame["piq_change"].min() - 2), max(15.0, frame["piq_change"].max() + 2)]
    regions = pd.DataFrame(
        [
            {
                "x": pseq.threshold,
                "x2": x_span[1],
                "y": y_span[0],
                "y2": y_span[1],
                "label": f"PSEQ {pseq.improvement_rule}",
            },
            {
                "x": x_span[0],
                "x2": x_span[1],
                "y": y_span[0],
                "y2": -piq.threshold,
                "label": f"PIQ {piq.improvement_rule}",
            },
        ]
    )
    shaded = (
        alt.Chart(regions)
        .mark_rect(opacity=0.15, color=OKABE_ITO["vermillion"])
        .encode(x="x:Q", x2="x2:Q", y="y:Q", y2="y2:Q", tooltip=[alt.Tooltip("label:N", title="Response region")])
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X(
                "pseq_change:Q",
                title="Change in PSEQ, stage 1 → 2 (points, higher = better)",
                scale=alt.Scale(domain=x_span),
            ),
            y=alt.Y(
                "piq_change:Q",
                title="Change in PIQ, stage 1 → 2 (points, higher = worse)",
                scale=alt.Scale(domain=y_span),
            ),
            color=alt.Color(
                "status:N",
                title="During education",
                scale=alt.Scale(
                    domain=["non-responder", "responded to education"],
                    range=[OKABE_ITO["blue"], OKABE_ITO["vermillion"]],
                ),
            ),
            shape=alt.Shape(
                "status:N",
                scale=alt.Scale(domain=["non-responder", "responded to education"], range=["circle", "triangle"]),
            ),
            tooltip=[
                alt.Tooltip("participant:N", title="Participant"),
                alt.Tooltip("pseq_change:Q", title="PSEQ change"),
                alt.Tooltip("piq_change:Q", title="PIQ change"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    outside = int((frame["status"] == "non-responder").sum())
    description = (
        f"Scatter plot of each participant's change during pain education: PSEQ on the horizontal axis, PIQ on the "
        f"vertical. Shaded areas mark a clinically important response ({pseq.improvement_rule} in PSEQ, or "
        f"{piq.improvement_rule} in PIQ). {outside} of {len(frame)} participants lie outside them: non-responders."
    )
    chart: alt.LayerChart = (shaded + points).properties(width=WIDTH, height=320, description=description)
    return chart


def flow_chart(flow: pd.DataFrame) -> alt.LayerChart:
    """Participant flow as horizontal bars, one per step, with counts."""
    order = flow["step"].tolist()
    base = alt.Chart(flow).encode(
        y=alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("n:Q", title="Participants", axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("step:N", title="Step"),
            alt.Tooltip("n:Q", title="Participants"),
            alt.Tooltip("excluded:Q", title="Not included"),
        ],
    )
    bars = base.mark_bar(color=OKABE_ITO["sky"])
    labels = base.mark_text(align="left", dx=4, color=OKABE_ITO["black"]).encode(text="n:Q")
    description = (
        "Participant flow, one bar per step: " + "; ".join(f"{row.step}: {row.n}" for row in flow.itertuples()) + "."
    )
    chart: alt.LayerChart = (bars + labels).properties(width=WIDTH, height=alt.Step(26), description=description)
    return chart


def threshold_sweep(data: pd.DataFrame, instrument: str) -> alt.LayerChart:
    """Share of responders as the threshold moves, with a slider and the registry threshold marked."""
    entry = get_instrument(instrument)
    sweep = responder_sweep(data, instrument)
    sweep = sweep.assign(pct=sweep["pct"].round(2))
    name = f"{instrument}_threshold"
    slider = alt.param(
        name=name,
        value=entry.threshold,
        bind=alt.binding_range(
            min=0, max=int(sweep["threshold"].max()), step=1, name=f"{entry.abbreviation} threshold (points): "
        ),
    )
    x_axis = alt.X("threshold:Q", title=f"Threshold: improvement in {entry.abbreviation} needed to count (points)")
    y_axis = alt.Y("pct:Q", title="Responders (% of participants)", scale=alt.Scale(domain=[0, 100]))
    line = (
        alt.Chart(sweep)
        .mark_line(
            interpolate="step-after",
            color=OKABE_ITO["blue"],
            strokeWidth=2,
            point=alt.OverlayMarkDef(size=18, color=OKABE_ITO["blue"]),
        )
        .encode(
            x=x_axis,
            y=y_axis,
            tooltip=[
                alt.Tooltip("threshold:Q", title="Threshold"),
                alt.Tooltip("pct:Q", title="Responders %"),
                alt.Tooltip("k:Q", title="Responders"),
            ],
        )
    )
    registry = (
        alt.Chart(
            pd.DataFrame([{"threshold": entry.threshold, "label": f"the book's threshold: {entry.improvement_rule}"}])
        )
        .mark_rule(strokeDash=[6, 3], color=OKABE_ITO["black"])
        .encode(x="threshold:Q", tooltip=[alt.Tooltip("label:N", title="Marked")])
    )
    chosen = alt.Chart(sweep).transform_filter(f"datum.threshold == {name}")
    marker = chosen.mark_rule(color=OKABE_ITO["vermillion"], strokeWidth=2).encode(x="threshold:Q")
    readout = (
        chosen.mark_text(align="left", dx=6, dy=-8, fontSize=13, color=OKABE_ITO["black"])
        .encode(
            x="threshold:Q",
            y="pct:Q",
            text=alt.Text("label:N"),
        )
        .transform_calculate(label="format(datum.pct, '.1f') + '% (' + datum.k + ' of ' + datum.n + ')'")
    )
    registry_row = sweep.loc[sweep["is_registry_threshold"]].iloc[0]
    description = (
        f"Step chart of the share of participants counted as {entry.abbreviation} responders for every threshold "
        "from 0 to "
        f"{int(sweep['threshold'].max())} points. At the book's threshold of {entry.threshold} points it is "
        f"{format_number(registry_row.pct, 1)}%. A slider moves a marker and shows the share at any threshold."
    )
    layered = alt.layer(line, registry, marker, readout).add_params(slider)
    return cast(alt.LayerChart, layered.properties(width=WIDTH, height=280, description=description))


def dz_explorer(summaries: pd.DataFrame) -> alt.LayerChart:
    """How dz would change with the correlation between stages, for the same mean change and SDs.

    ``summaries`` is one row per instrument from
    :func:`cnslbp_lib.stats.sensitivity.effect_size_summary`. Each curve is
    dz(r) = mean / √(s₂² + s₃² − 2·r·s₂·s₃), which passes through the observed
    point; a slider picks a correlation.
    """
    lowest = min(-0.5, float(np.floor(summaries["r_stages"].min() * 10) / 10))
    grid = np.round(np.arange(lowest, 0.951, 0.01), 2)
    rows = []
    for summary in summaries.itertuples(index=False):
        name = get_instrument(summary.instrument).abbreviation
        sd_change = np.sqrt(
            summary.sd_before**2 + summary.sd_after**2 - 2 * grid * summary.sd_before * summary.sd_after
        )
        dz = summary.mean_improvement / sd_change
        for r, value in zip(grid, dz, strict=True):
            rows.append(
                {
                    "instrument": name,
                    "r": float(r),
                    "dz": round(float(value), 4),
                    "share": round(100 * float(stats.norm.cdf(value)), 2),
                }
            )
    curves = pd.DataFrame(rows)
    observed = pd.DataFrame(
        {
            "instrument": [get_instrument(key).abbreviation for key in summaries["instrument"]],
            "r": summaries["r_stages"].round(3).to_numpy(),
            "dz": summaries["dz"].round(3).to_numpy(),
        }
    )
    slider = alt.param(
        name="stage_correlation",
        value=0.5,
        bind=alt.binding_range(
            min=float(lowest), max=0.95, step=0.01, name="Correlation between stage 2 and stage 3 scores: "
        ),
    )
    colour = alt.Color(
        "instrument:N",
        title="Outcome",
        scale=alt.Scale(range=[OKABE_ITO["blue"], OKABE_ITO["orange"]]),
        legend=alt.Legend(orient="bottom"),
    )
    x_axis = alt.X("r:Q", title="Correlation between the two stages' scores (r)")
    y_axis = alt.Y("dz:Q", title="dz for the same mean change and stage SDs")
    lines = (
        alt.Chart(curves)
        .mark_line(strokeWidth=2)
        .encode(
            x=x_axis,
            y=y_axis,
            color=colour,
            tooltip=[
                alt.Tooltip("instrument:N", title="Outcome"),
                alt.Tooltip("r:Q", title="r"),
                alt.Tooltip("dz:Q", title="dz", format=".2f"),
            ],
        )
    )
    dots = (
        alt.Chart(observed)
        .mark_point(filled=True, size=140, shape="diamond")
        .encode(
            x="r:Q",
            y="dz:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("instrument:N", title="Observed"),
                alt.Tooltip("r:Q", title="r", format=".2f"),
                alt.Tooltip("dz:Q", title="dz", format=".2f"),
            ],
        )
    )
    chosen = alt.Chart(curves).transform_filter("abs(datum.r - stage_correlation) < 0.001")
    marker = chosen.mark_rule(color=OKABE_ITO["grey"]).encode(x="r:Q")
    readout = (
        chosen.transform_calculate(
            label=(
                "datum.instrument + ': dz ' + format(datum.dz, '.2f') + ', '"
                " + format(datum.share, '.0f') + '% expected to improve'"
            )
        )
        .mark_text(align="left", dx=6, dy=-10, fontSize=12)
        .encode(x="r:Q", y="dz:Q", text="label:N", color=colour)
    )
    description = (
        "Line chart of the dz each primary outcome would have if its two stages correlated differently, keeping "
        "its mean change and stage SDs; diamonds mark the observed values ("
        + "; ".join(
            f"{row.instrument}: r {format_number(row.r, 2)}, dz {format_number(row.dz, 2)}"
            for row in observed.itertuples()
        )
        + "). The same mean change gives a larger dz the more the stages correlate. A slider picks a correlation."
    )
    layered = alt.layer(lines, dots, marker, readout).add_params(slider)
    return cast(alt.LayerChart, layered.properties(width=WIDTH, height=300, description=description))


def rtm_simulator(
    grid: pd.DataFrame, *, instrument: str, sd: float, observed: float, cohort_size: int, reliability: float
) -> alt.LayerChart:
    """Regression to the mean with no MRI effect: closed form, simulation, and the observed change.

    ``grid`` comes from :func:`cnslbp_lib.stats.rtm.null_improvement_grid`. Two
    sliders set the reliability and the non-response threshold; the closed
    form is evaluated in the browser, the simulated cohort range is read from
    the grid.
    """
    entry = get_instrument(instrument)
    prefix = instrument
    reliability_param = alt.param(
        name=f"{prefix}_reliability",
        value=reliability,
        bind=alt.binding_range(min=0.5, max=0.95, step=0.01, name=f"{entry.abbreviation} test–retest reliability: "),
    )
    thresholds = sorted(grid["threshold"].unique())
    threshold_param = alt.param(
        name=f"{prefix}_threshold",
        value=float(entry.threshold),
        bind=alt.binding_range(
            min=float(thresholds[0]),
            max=float(thresholds[-1]),
            step=1,
            name=f"{entry.abbreviation} non-response threshold (points): ",
        ),
    )
    sigma = f"{sd!r} * sqrt(1 - datum.reliability) * sqrt(2)"
    ratio = f"{prefix}_threshold / datum.sigma"
    expected = f"(datum.sigma / 2) * densityNormal({ratio}, 0, 1) / cumulativeNormal({ratio}, 0, 1)"
    x_axis = alt.X("reliability:Q", title="Test–retest reliability", scale=alt.Scale(domain=[0.5, 0.95]))
    y_title = f"Stage 2 → 3 improvement in {entry.abbreviation} with no effect (points)"
    upper = max(observed, float(grid["cohort_high"].max())) * 1.1
    lower = min(0.0, float(grid["cohort_low"].min()), observed) * 1.1
    y_axis = alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[lower, upper]))
    curve = (
        alt.Chart(alt.sequence(0.5, 0.9501, 0.01, as_="reliability"))
        .transform_calculate(sigma=sigma)
        .transform_calculate(value=expected)
        .mark_line(color=OKABE_ITO["blue"], strokeWidth=2)
        .encode(
            x=x_axis,
            y=y_axis,
            tooltip=[
                alt.Tooltip("reliability:Q", format=".2f", title="Reliability"),
                alt.Tooltip("value:Q", format=".2f", title="Expected (closed form)"),
            ],
        )
    )
    simulated = grid.assign(
        value=grid["mean_improvement"].round(3), low=grid["cohort_low"].round(3), high=grid["cohort_high"].round(3)
    )[["reliability", "threshold", "value", "low", "high", "responder_pct"]]
    selected = alt.Chart(simulated).transform_filter(f"datum.threshold == {prefix}_threshold")
    band = selected.mark_area(opacity=0.2, color=OKABE_ITO["sky"]).encode(
        x=x_axis, y=alt.Y("low:Q", title=y_title), y2="high:Q"
    )
    dots = selected.mark_point(filled=True, size=50, color=OKABE_ITO["black"]).encode(
        x="reliability:Q",
        y="value:Q",
        tooltip=[
            alt.Tooltip("reliability:Q", title="Reliability"),
            alt.Tooltip("value:Q", title="Simulated mean", format=".2f"),
            alt.Tooltip("low:Q", title=f"Cohort of {cohort_size}: 2.5%", format=".2f"),
            alt.Tooltip("high:Q", title=f"Cohort of {cohort_size}: 97.5%", format=".2f"),
            alt.Tooltip("responder_pct:Q", title="Responders by chance %", format=".1f"),
        ],
    )
    observed_rule = (
        alt.Chart(
            pd.DataFrame(
                [{"value": observed, "label": f"observed mean improvement: {format_number(observed, 2)} points"}]
            )
        )
        .mark_rule(color=OKABE_ITO["vermillion"], strokeWidth=2, strokeDash=[6, 3])
        .encode(y="value:Q", tooltip=[alt.Tooltip("label:N", title="Observed")])
    )
    pointer = (
        alt.Chart(pd.DataFrame([{"row": 0}]))
        .transform_calculate(reliability=f"{prefix}_reliability")
        .transform_calculate(sigma=sigma)
        .transform_calculate(value=expected)
        .transform_calculate(label="'expected with no effect: ' + format(datum.value, '.2f') + ' points'")
    )
    marker = pointer.mark_point(size=160, filled=True, shape="diamond", color=OKABE_ITO["blue"]).encode(
        x="reliability:Q", y="value:Q"
    )
    readout = pointer.mark_text(align="left", dx=8, dy=-12, fontSize=13).encode(
        x="reliability:Q", y="value:Q", text="label:N"
    )
    description = (
        f"Line chart of the stage 2 → 3 improvement in {entry.abbreviation} expected from regression to the mean "
        "alone, with no effect of the MRI, across test–retest reliabilities from 0.50 to 0.95. Dots show the "
        f"simulated mean and the shaded band the range (2.5th to 97.5th percentile) of a {cohort_size}-person "
        f"cohort's mean; the dashed line is the observed mean improvement, {format_number(observed, 2)} points. "
        f"Sliders set the reliability and the non-response threshold (default {entry.threshold} points)."
    )
    layered = alt.layer(band, curve, dots, observed_rule, marker, readout).add_params(
        reliability_param, threshold_param
    )
    return cast(alt.LayerChart, layered.properties(width=WIDTH, height=320, description=description))
