"""Interactive teaching charts: how dz depends on the stages' correlation; regression to the mean."""

from __future__ import annotations

from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from ...data.instruments import get_instrument
from ...paper.formatting import format_number
from ...stats.rtm import RtmFigures
from ...stats.sensitivity import EffectSizes, dz_curve
from .render import OKABE_ITO, WIDTH, message_chart, with_controls

__all__ = ["dz_explorer", "rtm_simulator"]

STAGE_CORRELATION = 0.5  # where the dz explorer's slider starts, and so what its static drawing shows
RELIABILITIES = (0.5, 0.95)  # the regression-to-the-mean simulator's reliability axis and slider


def dz_explorer(summaries: list[EffectSizes], *, missing: str = "") -> alt.Chart | alt.LayerChart:
    """How dz would change with the correlation between stages, for the same mean change and SDs.

    ``summaries`` holds one :class:`~cnslbp_lib.stats.sensitivity.EffectSizes`
    per instrument; each curve is :func:`cnslbp_lib.stats.sensitivity.dz_curve`,
    which passes through the observed point. A slider picks a correlation
    (:func:`~cnslbp_lib.publish.charts.render.with_controls` says so, and what the static drawing shows).
    An instrument whose dz or stage correlation is undefined has no curve;
    with none left, the chart is a message saying why (``missing`` adds
    instruments the caller could not summarise at all).
    """
    drawable = [summary for summary in summaries if np.isfinite(summary.dz) and np.isfinite(summary.r_stages)]
    if not drawable:
        reasons = [f"{get_instrument(summary.instrument).abbreviation}: {summary.note}" for summary in summaries]
        reasons += [missing] if missing else []
        return message_chart(
            "No outcome has both a dz and a correlation between its stages, so there is no curve to draw ("
            + "; ".join(reasons)
            + ")."
        )
    dropped = [
        f" {get_instrument(summary.instrument).abbreviation} has no curve: {summary.note}."
        for summary in summaries
        if summary not in drawable
    ] + ([f" {missing}."] if missing else [])
    summaries = drawable
    lowest = min(-0.5, float(np.floor(min(summary.r_stages for summary in summaries) * 10) / 10))
    grid = np.round(np.arange(lowest, 0.951, 0.01), 2)
    curves = pd.concat(
        [
            dz_curve(summary, grid).assign(instrument=get_instrument(summary.instrument).abbreviation)
            for summary in summaries
        ],
        ignore_index=True,
    )
    # rounded for the page: the chart shows two decimals and the JSON stays small
    curves = pd.DataFrame(
        {
            "instrument": curves["instrument"],
            "r": curves["r"],
            "dz": [round(float(value), 4) for value in curves["dz"]],
            "share": [round(float(value), 2) for value in curves["share"]],
        }
    )
    observed = pd.DataFrame(
        {
            "instrument": [get_instrument(summary.instrument).abbreviation for summary in summaries],
            "r": np.round([summary.r_stages for summary in summaries], 3),
            "dz": np.round([summary.dz for summary in summaries], 3),
        }
    )
    slider = alt.param(
        name="stage_correlation",
        value=STAGE_CORRELATION,
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
    points = chosen.mark_point(filled=True, size=50).encode(x="r:Q", y="dz:Q", color=colour)
    # the readout sits in the plot's top left corner, one line per outcome, where the rising curves never are; next
    # to the point it ran off the right edge at high r
    readouts = [
        chosen.transform_filter(alt.datum.instrument == name)
        .transform_calculate(
            label=(
                "'r ' + format(datum.r, '.2f') + ', ' + datum.instrument + ': dz ' + format(datum.dz, '.2f') + ', '"
                " + format(datum.share, '.0f') + '% expected to improve'"
            )
        )
        .mark_text(align="left", baseline="top", fontSize=12)
        .encode(x=alt.value(6), y=alt.value(6 + 17 * line), text="label:N", color=colour)
        for line, name in enumerate(observed["instrument"])
    ]
    description = (
        "Line chart of the dz each primary outcome would have if its two stages correlated differently, keeping "
        "its mean change and stage SDs; diamonds mark the observed values ("
        + "; ".join(
            f"{row.instrument}: r {format_number(row.r, 2)}, dz {format_number(row.dz, 2)}"
            for row in observed.itertuples()
        )
        + "). The same mean change gives a larger dz the more the stages correlate."
        + "".join(dropped)
    )
    layered = alt.layer(lines, dots, marker, points, *readouts).add_params(slider)
    return cast(
        alt.LayerChart,
        with_controls(
            layered.properties(width=WIDTH, height=300, description=description),
            live="A slider picks a correlation.",
            still=f"A grey line and the text in its corner mark r = {format_number(STAGE_CORRELATION, 2)}.",
        ),
    )


def rtm_simulator(figures: RtmFigures, grid: pd.DataFrame, curve_grid: pd.DataFrame) -> alt.LayerChart:
    """Regression to the mean with no MRI effect: closed form, simulation, and the observed change.

    ``grid`` and ``curve_grid`` come from :func:`cnslbp_lib.stats.rtm.simulator_grids`: the
    closed form is computed once, in Python, and the browser only looks values
    up. Two sliders set the reliability and the non-response threshold.
    """
    instrument, observed, cohort_size = figures.instrument, figures.observed, figures.cohort_size
    entry = get_instrument(instrument)
    prefix = instrument
    reliability_param = alt.param(
        name=f"{prefix}_reliability",
        value=figures.reliability,
        bind=alt.binding_range(
            min=RELIABILITIES[0],
            max=RELIABILITIES[1],
            step=0.01,
            name=f"{entry.abbreviation} test–retest reliability: ",
        ),
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
    x_axis = alt.X("reliability:Q", title="Test–retest reliability", scale=alt.Scale(domain=list(RELIABILITIES)))
    y_title = f"Stage 2 → 3 improvement in {entry.abbreviation} with no effect (points)"
    upper = max(observed, float(grid["cohort_high"].max())) * 1.1
    lower = min(0.0, float(grid["cohort_low"].min()), observed) * 1.1
    y_axis = alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[lower, upper]))
    closed_form = curve_grid.assign(value=curve_grid["expected"].round(4))[["reliability", "threshold", "value"]]
    at_threshold = alt.Chart(closed_form).transform_filter(f"datum.threshold == {prefix}_threshold")
    curve = at_threshold.mark_line(color=OKABE_ITO["blue"], strokeWidth=2).encode(
        x=x_axis,
        y=y_axis,
        tooltip=[
            alt.Tooltip("reliability:Q", format=".2f", title="Reliability"),
            alt.Tooltip("value:Q", format=".2f", title="Expected (closed form)"),
        ],
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
    pointer = at_threshold.transform_filter(
        f"abs(datum.reliability - {prefix}_reliability) < 0.001"
    ).transform_calculate(label="'expected with no effect: ' + format(datum.value, '.2f') + ' points'")
    marker = pointer.mark_point(size=160, filled=True, shape="diamond", color=OKABE_ITO["blue"]).encode(
        x="reliability:Q", y="value:Q"
    )
    # the readout sits in the plot's top left corner, above the band and the curve (which fall as reliability
    # rises) and the observed line (the top of the scale is a tenth above the highest of them); next to the
    # marker it ran into the axis on a phone's narrow chart
    readout = pointer.mark_text(align="left", baseline="top", fontSize=13).encode(
        x=alt.value(6), y=alt.value(6), text="label:N"
    )
    description = (
        f"Line chart of the stage 2 → 3 improvement in {entry.abbreviation} expected from regression to the mean "
        "alone, with no effect of the MRI, across test–retest reliabilities from 0.50 to 0.95. Dots show the "
        f"simulated mean and the shaded band the range (2.5th to 97.5th percentile) of a {cohort_size}-person "
        f"cohort's mean; the dashed line is the observed mean improvement, {format_number(observed, 2)} points."
    )
    layered = alt.layer(band, curve, dots, observed_rule, marker, readout).add_params(
        reliability_param, threshold_param
    )
    reliability = format_number(figures.reliability, 2)
    return cast(
        alt.LayerChart,
        with_controls(
            layered.properties(width=WIDTH, height=320, description=description),
            live=f"Sliders set the reliability and the non-response threshold (default {entry.threshold} points).",
            still=(
                f"It is drawn for the non-response threshold of {entry.threshold} points; the diamond marks a "
                f"reliability of {reliability}, and the text in the corner the improvement expected there."
            ),
        ),
    )
