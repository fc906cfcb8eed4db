"""Chart forms for large cohorts, whose size does not grow with the number of participants.

Above :data:`~cnslbp_lib.publish.limits.PER_PARTICIPANT_LIMIT` participants the
per-participant charts switch to these: a histogram of changes instead of one
dot per participant, a curve of improvement by rank instead of one bar per
participant, and counts on a grid instead of one point per participant. Each
carries a note (shown under the chart) saying which form it is and why.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ...data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, get_instrument
from ...paper.formatting import format_ci, format_number
from ...stats.change import paired_change
from ...stats.correlation import binned_pairs
from ...stats.responder_analysis import improvement_quantiles, responder_counts, responders
from ..limits import GRID_CELLS_PER_AXIS
from .render import OKABE_ITO, WIDTH, form_note, responder_colour, threshold_rules, with_note

__all__ = ["bins_for", "bubbles", "change_histogram", "improvement_curve"]

MAX_BINS = 50


def bins_for(values: np.ndarray, most: int = MAX_BINS) -> int:
    """The smallest whole-point bin width that keeps the number of bins at or under ``most``."""
    if values.size == 0:
        return 1
    span = float(np.nanmax(values) - np.nanmin(values)) + 1
    return max(1, math.ceil(span / most))


def _status(flags: pd.Series) -> np.ndarray:
    return np.where(flags.to_numpy(bool), "responder", "not a responder")


def _range_label(low: float, high: float) -> str:
    first, last = format_number(low, 0, plus=True), format_number(high, 0, plus=True)
    return first if low == high else f"{first} to {last}"


def change_histogram(
    data: pd.DataFrame,
    instrument: str,
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
    y_title: str = "",
) -> alt.LayerChart:
    """How many participants had each change, coloured by responder status, with the mean and its CI."""
    entry = get_instrument(instrument)
    summary = paired_change(data, instrument, from_stage=from_stage, to_stage=to_stage)
    probe = responder_counts(data, instrument, from_stage=from_stage, to_stage=to_stage)
    step = bins_for(np.concatenate([probe["low"].to_numpy(float), probe["high"].to_numpy(float)]))
    counts = responder_counts(data, instrument, from_stage=from_stage, to_stage=to_stage, step=step)
    frame = pd.DataFrame(
        {
            "bottom": counts["low"] - 0.5,
            "top": counts["high"] + 0.5,
            "count": counts["count"],
            "status": _status(counts["responder"]),
            "changes": [_range_label(low, high) for low, high in zip(counts["low"], counts["high"], strict=True)],
        }
    )
    y_axis = alt.Y("bottom:Q", title=y_title or f"Change in {entry.abbreviation} (points)")
    bars = (
        alt.Chart(frame)
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("count:Q", title="Participants"),
            y=y_axis,
            y2="top:Q",
            color=responder_colour(),
            tooltip=[
                alt.Tooltip("changes:N", title="Change (points)"),
                alt.Tooltip("count:Q", title="Participants", format=","),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    mean = pd.DataFrame(
        [{"change": summary.mean_change, "low": summary.ci_low, "high": summary.ci_high, "label": "mean change"}]
    )
    band = alt.Chart(mean).mark_rect(opacity=0.25, color=OKABE_ITO["black"]).encode(y="low:Q", y2="high:Q")
    centre = (
        alt.Chart(mean)
        .mark_rule(strokeWidth=2, color=OKABE_ITO["black"])
        .encode(
            y="change:Q",
            tooltip=[
                alt.Tooltip("label:N", title="Line"),
                alt.Tooltip("change:Q", title="Mean change", format=".2f"),
                alt.Tooltip("low:Q", title="95% CI from", format=".2f"),
                alt.Tooltip("high:Q", title="95% CI to", format=".2f"),
            ],
        )
    )
    rules = threshold_rules(entry)
    width = "1-point" if step == 1 else f"{step}-point"
    description = (
        f"Histogram of the change in {entry.abbreviation} from stage {from_stage} to {to_stage} for all "
        f"{summary.n:,} participants with both scores, in {width} bins, coloured by whether the change reached "
        f"{entry.improvement_rule}. The black line is the mean change, {format_number(summary.mean_change, 2)} "
        f"points, and the grey band its 95% CI, {format_ci(summary.ci_low, summary.ci_high, 2)}. Dashed lines mark "
        "no change and the threshold."
    )
    chart: alt.LayerChart = (rules + bars + band + centre).properties(width=WIDTH, height=320, description=description)
    note = form_note(summary.n, "a histogram: how many participants had each change")
    result: alt.LayerChart = with_note(chart, note)
    return result


def improvement_curve(
    data: pd.DataFrame, instrument: str, *, from_stage: int = BASELINE_STAGE, to_stage: int = FOLLOW_UP_STAGE
) -> alt.LayerChart:
    """Improvement against rank at 101 percentiles: the sorted bar chart of every participant, summarised."""
    entry = get_instrument(instrument)
    curve = improvement_quantiles(data, instrument, from_stage=from_stage, to_stage=to_stage)
    share = responders(data, instrument, from_stage=from_stage, to_stage=to_stage)
    frame = curve.assign(
        improvement=curve["improvement"].round(2),
        status=np.where(curve["improvement"] >= entry.threshold, "responder", "not a responder"),
    )
    x_axis = alt.X("percent:Q", title="Participants ranked from most to least improved (%)")
    y_axis = alt.Y("improvement:Q", title=f"Improvement in {entry.abbreviation} (points, positive = better)")
    line = alt.Chart(frame).mark_line(color=OKABE_ITO["grey"], strokeWidth=2).encode(x=x_axis, y=y_axis)
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=28)
        .encode(
            x="percent:Q",
            y="improvement:Q",
            color=responder_colour(),
            tooltip=[
                alt.Tooltip("percent:Q", title="Percentile (most improved = 0)", format=".0f"),
                alt.Tooltip("improvement:Q", title="Improvement"),
            ],
        )
    )
    threshold = (
        alt.Chart(pd.DataFrame([{"improvement": float(entry.threshold), "label": entry.improvement_rule}]))
        .mark_rule(strokeDash=[6, 3], color=OKABE_ITO["black"])
        .encode(y="improvement:Q", tooltip=[alt.Tooltip("label:N", title="Threshold")])
    )
    description = (
        f"Curve of the improvement in {entry.abbreviation} from stage {from_stage} to {to_stage} of all "
        f"{share.n:,} participants with both scores, ranked from largest to smallest and drawn at every "
        f"percentile, with a dashed line at the threshold ({entry.improvement_rule}). {share.k:,} of {share.n:,} "
        f"participants ({format_number(share.pct, 1)}%) reach it."
    )
    chart: alt.LayerChart = (line + points + threshold).properties(width=WIDTH, height=260, description=description)
    note = form_note(share.n, "the improvement at each percentile of participants ranked from most to least improved")
    result: alt.LayerChart = with_note(chart, note)
    return result


def bubbles(
    x: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None, titles: tuple[str, str]
) -> tuple[alt.Chart, int]:
    """Counts of participants on a grid of two changes, as circles sized by count; and the grid step."""
    step = max(bins_for(np.asarray(x, float), GRID_CELLS_PER_AXIS), bins_for(np.asarray(y, float), GRID_CELLS_PER_AXIS))
    cells = binned_pairs(x, y, step=step, groups=groups)
    half = (step - 1) / 2
    frame = pd.DataFrame(
        {
            "x": cells["x"] + half,
            "y": cells["y"] + half,
            "x_range": [_range_label(low, low + step - 1) for low in cells["x"]],
            "y_range": [_range_label(low, low + step - 1) for low in cells["y"]],
            "group": cells["group"].astype(str),
            "count": cells["count"],
        }
    )
    chart = (
        alt.Chart(frame)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("x:Q", title=titles[0]),
            y=alt.Y("y:Q", title=titles[1]),
            size=alt.Size("count:Q", title="Participants", scale=alt.Scale(range=[15, 600])),
            tooltip=[
                alt.Tooltip("x_range:N", title=titles[0].split(" (")[0]),
                alt.Tooltip("y_range:N", title=titles[1].split(" (")[0]),
                alt.Tooltip("count:Q", title="Participants", format=","),
            ],
        )
    )
    return chart, step
