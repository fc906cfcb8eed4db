"""Charts of the outcomes: scores by stage, changes against thresholds, global ratings."""

from __future__ import annotations

from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from ...data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, GLOBAL_CHANGE, STAGES, get_instrument
from ...exceptions import NotEnoughDataError
from ...paper.formatting import format_ci, format_number
from ...stats.change import paired_change
from ...stats.core import PairedT
from ...stats.global_change import global_change_distribution
from ...stats.responder_analysis import responder_sweep, responder_table
from ..limits import MARKED_LINES_LIMIT, PER_PARTICIPANT_LIMIT, SAMPLED_LINES
from .large import change_histogram, improvement_curve
from .render import (
    MAX_LINES,
    OKABE_ITO,
    STAGE_COLOURS,
    WIDTH,
    form_note,
    message_chart,
    responder_colour,
    stage_label,
    threshold_rules,
    with_controls,
    with_note,
)

Chart = alt.Chart | alt.LayerChart

__all__ = ["estimation_plot", "global_change_chart", "responder_chart", "threshold_sweep", "trajectories"]


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
            "stage": scores["stage"].map(stage_label).to_numpy(),
            "score": scores[instrument].astype(float).to_numpy(),
        }
    )


def trajectories(data: pd.DataFrame, instrument: str, *, seed: int = 1) -> Chart:
    """One line per participant across the three stages, with the stage means.

    With more than :data:`~cnslbp_lib.publish.limits.PER_PARTICIPANT_LIMIT`
    participants a seeded random sample of
    :data:`~cnslbp_lib.publish.limits.SAMPLED_LINES` lines is drawn (the means
    use everyone) so the page stays light, and a note under the chart says so.
    """
    entry = get_instrument(instrument)
    scores = _long_scores(data, instrument)
    if scores.empty:
        return message_chart(f"No {entry.abbreviation} score was recorded at any stage, so there are no lines to draw.")
    participants = scores["participant"].unique()
    shown = participants
    if participants.size > MAX_LINES:
        shown = np.random.default_rng(seed).choice(participants, SAMPLED_LINES, replace=False)
    lines_data = scores[scores["participant"].isin(shown)]
    means = scores.groupby("stage", as_index=False)["score"].mean()
    stage_order = [stage_label(stage.number) for stage in STAGES]
    x_axis = alt.X("stage:N", title="Stage", sort=stage_order, axis=alt.Axis(labelAngle=0))
    marks = alt.OverlayMarkDef(size=30, color=OKABE_ITO["grey"]) if shown.size <= MARKED_LINES_LIMIT else False
    lines = (
        alt.Chart(lines_data)
        .mark_line(point=marks, strokeWidth=1, opacity=0.55, color=OKABE_ITO["grey"])
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
        f" (a random sample of {SAMPLED_LINES} of {participants.size} participants)"
        if shown is not participants
        else ""
    )
    description = (
        f"Line chart of {entry.abbreviation} scores at the three stages, one grey line per participant"
        f"{sample_note}, with the mean in blue. Means by stage: {means_text}. {entry.direction.capitalize()}."
    )
    chart: alt.LayerChart = (lines + mean_line).properties(width=WIDTH, height=300, description=description)
    if shown is participants:
        return chart
    sample = f"a random sample of {SAMPLED_LINES} participants' lines (the blue means use all {participants.size:,})"
    result: alt.LayerChart = with_note(chart, form_note(int(participants.size), sample))
    return result


def _spread(values: np.ndarray, step: float = 0.12) -> np.ndarray:
    """Horizontal offsets that fan out equal values symmetrically (deterministic jitter)."""
    offsets = np.zeros(values.size)
    for value in np.unique(values):
        where = np.flatnonzero(values == value)
        offsets[where] = (np.arange(where.size) - (where.size - 1) / 2) * step
    return offsets


def estimation_plot(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> Chart:
    """Each participant's change, the mean change with its 95% CI, zero and the threshold.

    Above :data:`~cnslbp_lib.publish.limits.PER_PARTICIPANT_LIMIT` participants,
    a histogram of the changes instead; with nobody to plot, a message.
    """
    entry = get_instrument(instrument)
    table = responder_table(data, instrument, from_stage=from_stage, to_stage=to_stage)
    y_title = f"Change in {entry.abbreviation}, stage {from_stage} → {to_stage} (points; a {entry.movement} = better)"
    if table.empty:
        return message_chart(
            f"No participant has both a stage {from_stage} and a stage {to_stage} {entry.abbreviation} score, "
            "so there is no change to plot."
        )
    if len(table) > PER_PARTICIPANT_LIMIT:
        return change_histogram(data, instrument, from_stage=from_stage, to_stage=to_stage, y_title=y_title)
    summary: PairedT | None
    try:
        summary = paired_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    except NotEnoughDataError as error:
        summary, missing = None, error.reason
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
    y_axis = alt.Y("change:Q", title=y_title)
    colour = responder_colour()
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
    rules = threshold_rules(entry)
    what = (
        f"Dot plot of each participant's change in {entry.abbreviation} from stage {from_stage} to {to_stage}, "
        f"coloured by whether it reached {entry.improvement_rule}."
    )
    if summary is None:
        description = (
            f"{what} The mean change and its 95% CI are not computable: {missing}. Dashed lines mark no change and "
            "the threshold."
        )
        alone: alt.LayerChart = (rules + dots).properties(width=WIDTH, height=320, description=description)
        return alone
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
    description = (
        f"{what} The black diamond and bar show the mean change, "
        f"{format_number(summary.mean_change, 2)} points, and its 95% CI, "
        f"{format_ci(summary.ci_low, summary.ci_high, 2)}. Dashed lines mark no change and the threshold."
    )
    chart: alt.LayerChart = (rules + dots + interval + centre).properties(
        width=WIDTH, height=320, description=description
    )
    return chart


def responder_chart(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> Chart:
    """Each participant's improvement as a bar, sorted, against the threshold.

    Above :data:`~cnslbp_lib.publish.limits.PER_PARTICIPANT_LIMIT` participants,
    the sorted improvement at each percentile instead; with nobody to plot, a message.
    """
    entry = get_instrument(instrument)
    table = responder_table(data, instrument, from_stage=from_stage, to_stage=to_stage)
    if table.empty:
        return message_chart(
            f"No participant has both a stage {from_stage} and a stage {to_stage} {entry.abbreviation} score, "
            "so nobody can be compared with the threshold."
        )
    if len(table) > PER_PARTICIPANT_LIMIT:
        return improvement_curve(data, instrument, from_stage=from_stage, to_stage=to_stage)
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
            color=responder_colour(),
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


def threshold_sweep(data: pd.DataFrame, instrument: str) -> Chart:
    """Share of responders as the threshold moves, with a slider and the registry threshold marked."""
    entry = get_instrument(instrument)
    sweep = responder_sweep(data, instrument)
    if int(sweep["n"].iloc[0]) == 0:
        return message_chart(
            f"No participant has both a stage {BASELINE_STAGE} and a stage {FOLLOW_UP_STAGE} {entry.abbreviation} "
            "score, so there are no responders to count at any threshold."
        )
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
    # the book's threshold is drawn last, dashed and heavier, so the slider's marker (thin, behind it) never hides it
    registry = (
        alt.Chart(
            pd.DataFrame([{"threshold": entry.threshold, "label": f"the book's threshold: {entry.improvement_rule}"}])
        )
        .mark_rule(strokeDash=[6, 3], strokeWidth=2, color=OKABE_ITO["black"])
        .encode(x="threshold:Q", tooltip=[alt.Tooltip("label:N", title="Marked")])
    )
    chosen = alt.Chart(sweep).transform_filter(f"datum.threshold == {name}")
    marker = chosen.mark_rule(color=OKABE_ITO["vermillion"], strokeWidth=1).encode(x="threshold:Q")
    point = chosen.mark_point(filled=True, size=60, color=OKABE_ITO["vermillion"]).encode(x="threshold:Q", y="pct:Q")
    # right of the marker in the left half, left of it in the right half, so the text never runs off the chart
    right_half = f"{name} > {int(sweep['threshold'].max()) / 2}"
    readout = (
        chosen.mark_text(
            align=alt.expr(f"{right_half} ? 'right' : 'left'"),
            dx=alt.expr(f"{right_half} ? -6 : 6"),
            dy=-8,
            fontSize=13,
            color=OKABE_ITO["black"],
        )
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
        f"{format_number(registry_row.pct, 1)}%."
    )
    layered = alt.layer(line, marker, point, registry, readout).add_params(slider)
    return cast(
        alt.LayerChart,
        with_controls(
            layered.properties(width=WIDTH, height=280, description=description),
            live="A slider moves a marker and shows the share at any threshold.",
            still="A red marker and its label show that share.",
        ),
    )


def global_change_chart(data: pd.DataFrame) -> alt.Chart:
    """Counts of each global perceived change rating after education and after the MRI."""
    tables = []
    for stage in (BASELINE_STAGE, FOLLOW_UP_STAGE):
        table = global_change_distribution(data, stage=stage)
        tables.append(table.assign(stage=stage_label(stage)))
    frame = pd.concat(tables, ignore_index=True)
    if int(frame["n"].sum()) == 0:
        return message_chart(
            f"Nobody gave a {GLOBAL_CHANGE.name.lower()} rating at stage {BASELINE_STAGE} or {FOLLOW_UP_STAGE}, "
            "so there is nothing to count."
        )
    frame["rating_label"] = [
        f"{format_number(rating, 0, plus=True)} {label}"
        for rating, label in zip(frame["rating"], frame["label"], strict=True)
    ]
    order = frame.drop_duplicates("rating").sort_values("rating")["rating_label"].tolist()
    stages = [stage_label(BASELINE_STAGE), stage_label(FOLLOW_UP_STAGE)]
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
