"""Charts of the ensemble: how a number spreads across every dataset the abstract allows."""

from __future__ import annotations

from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from ...data.instruments import get_instrument
from ...paper.derived import Derived
from .render import OKABE_ITO, WIDTH

__all__ = ["readings_chart", "responder_band_chart", "spread_histogram"]


def spread_histogram(
    item: Derived,
    values: np.ndarray,
    this_dataset: float | None,
    *,
    bins: int = 30,
    population: str = "datasets the abstract allows",
    members: str = "Datasets",
) -> alt.Chart | alt.LayerChart:
    """Histogram of one derived quantity across members, with this book's dataset marked (unless None).

    ``population`` names what the members are, for the chart's description;
    ``members`` titles the count axis.
    """
    finite = values[np.isfinite(values)]
    counts, edges = np.histogram(finite, bins=bins)
    frame = pd.DataFrame({"start": edges[:-1].round(6), "end": edges[1:].round(6), "members": counts})
    x_axis = alt.X("start:Q", bin="binned", title=item.label)
    bars = (
        alt.Chart(frame)
        .mark_bar(color=OKABE_ITO["sky"])
        .encode(
            x=x_axis,
            x2="end:Q",
            y=alt.Y("members:Q", title=members),
            tooltip=[
                alt.Tooltip("start:Q", title="From", format=".3~f"),
                alt.Tooltip("end:Q", title="To", format=".3~f"),
                alt.Tooltip("members:Q", title=members),
            ],
        )
    )
    low, median, high = (item.printed(float(value)) for value in np.quantile(finite, [0.05, 0.5, 0.95]))
    description = (
        f"Histogram of {item.label} across {finite.size:,} {population}. "
        f"Median {median}; 90% between {low} and {high}; "
        f"all between {item.printed(float(finite.min()))} and {item.printed(float(finite.max()))}."
    )
    if this_dataset is None:
        return cast(alt.Chart, bars.properties(width=WIDTH, height=200, description=description))
    marker = (
        alt.Chart(pd.DataFrame([{"value": round(float(this_dataset), 6), "label": "this book's dataset"}]))
        .mark_rule(color=OKABE_ITO["vermillion"], strokeWidth=2, strokeDash=[6, 3])
        .encode(x="value:Q", tooltip=[alt.Tooltip("label:N", title="Marked"), alt.Tooltip("value:Q", title="Value")])
    )
    description += f" A dashed line marks this book's dataset, {item.printed(float(this_dataset))}."
    return cast(alt.LayerChart, (bars + marker).properties(width=WIDTH, height=200, description=description))


def readings_chart(quantiles: dict[str, dict[str, float]]) -> alt.LayerChart:
    """The PSEQ–PIQ correlation across members under each reading of the abstract, as box plots of quantiles.

    ``quantiles`` maps each reading to its ``min``, ``q05``, ``q25``, ``median``,
    ``q75``, ``q95`` and ``max`` (see :func:`cnslbp_lib.paper.reconstruction.load_summary`).
    """
    frame = pd.DataFrame([{"reading": name, **row} for name, row in quantiles.items()])
    order = list(quantiles)
    y_axis = alt.Y("reading:N", sort=order, title="Reading of the abstract")
    x_scale = alt.Scale(domain=[-1, 1])
    tooltip = [
        alt.Tooltip("reading:N", title="Reading"),
        alt.Tooltip("median:Q", title="Median r", format=".2f"),
        alt.Tooltip("q05:Q", title="5th percentile", format=".2f"),
        alt.Tooltip("q95:Q", title="95th percentile", format=".2f"),
        alt.Tooltip("min:Q", title="Lowest", format=".2f"),
        alt.Tooltip("max:Q", title="Highest", format=".2f"),
    ]
    base = alt.Chart(frame)
    whiskers = base.mark_rule(color=OKABE_ITO["grey"]).encode(
        x=alt.X("min:Q", title="Pearson r between the PSEQ and PIQ changes", scale=x_scale), x2="max:Q", y=y_axis
    )
    middle = base.mark_bar(color=OKABE_ITO["sky"], size=18).encode(
        x=alt.X("q05:Q", scale=x_scale), x2="q95:Q", y=y_axis, tooltip=tooltip
    )
    median = base.mark_tick(color=OKABE_ITO["blue"], thickness=3, size=22).encode(
        x=alt.X("median:Q", scale=x_scale), y=y_axis, tooltip=tooltip
    )
    zero = alt.Chart(pd.DataFrame([{"r": 0.0}])).mark_rule(color=OKABE_ITO["black"], strokeDash=[3, 3]).encode(x="r:Q")
    parts = [
        f"{name}: 90% of datasets between {row['q05']:.2f} and {row['q95']:.2f}, all between {row['min']:.2f} "
        f"and {row['max']:.2f}".replace("-", "\u2212")
        for name, row in quantiles.items()
    ]
    description = (
        "Range chart of the correlation between the PSEQ and PIQ changes across datasets the abstract allows, one "
        "row per reading of its sentence on the association (bar: middle 90%; line: all; tick: median): "
        + "; ".join(parts)
        + "."
    )
    layered = alt.layer(whiskers, middle, median, zero)
    return cast(alt.LayerChart, layered.properties(width=WIDTH, height=alt.Step(34), description=description))


def responder_band_chart(band: pd.DataFrame, this_dataset: pd.DataFrame, instrument: str) -> alt.LayerChart:
    """Responders at every threshold: the ensemble's median and 90% band, and this book's dataset."""
    entry = get_instrument(instrument)
    band = band.assign(median=band["median"].round(3), low=band["low"].round(3), high=band["high"].round(3))
    x_axis = alt.X("threshold:Q", title=f"Threshold: improvement in {entry.abbreviation} needed to count (points)")
    y_axis = alt.Y("median:Q", title="Responders (% of participants)", scale=alt.Scale(domain=[0, 100]))
    area = (
        alt.Chart(band)
        .mark_area(opacity=0.3, color=OKABE_ITO["sky"], interpolate="step-after")
        .encode(x=x_axis, y=alt.Y("low:Q", title="Responders (% of participants)"), y2="high:Q")
    )
    median = (
        alt.Chart(band)
        .mark_line(color=OKABE_ITO["blue"], interpolate="step-after")
        .encode(
            x=x_axis,
            y=y_axis,
            tooltip=[
                alt.Tooltip("threshold:Q", title="Threshold"),
                alt.Tooltip("median:Q", title="Median %", format=".1f"),
                alt.Tooltip("low:Q", title="5th percentile %", format=".1f"),
                alt.Tooltip("high:Q", title="95th percentile %", format=".1f"),
            ],
        )
    )
    ours = (
        alt.Chart(this_dataset.assign(pct=this_dataset["pct"].round(3)))
        .mark_line(color=OKABE_ITO["vermillion"], strokeDash=[6, 3], interpolate="step-after")
        .encode(x="threshold:Q", y="pct:Q")
    )
    registry = (
        alt.Chart(
            pd.DataFrame([{"threshold": entry.threshold, "label": f"the book's threshold: {entry.improvement_rule}"}])
        )
        .mark_rule(color=OKABE_ITO["black"], strokeDash=[2, 2])
        .encode(x="threshold:Q", tooltip=[alt.Tooltip("label:N", title="Marked")])
    )
    widest = band.assign(width=band["high"] - band["low"]).sort_values("width", ascending=False).iloc[0]
    description = (
        f"Step chart of the share of {entry.abbreviation} responders at every threshold, across datasets the "
        f"abstract allows: the blue line is the median, the shaded band holds 90% of datasets, the dashed red line "
        f"is this book's dataset. At the book's threshold every dataset agrees, as the abstract fixes it; the band "
        f"is widest at {int(widest['threshold'])} points, from {widest['low']:.0f}% to {widest['high']:.0f}%."
    )
    layered = alt.layer(area, median, ours, registry)
    return cast(alt.LayerChart, layered.properties(width=WIDTH, height=280, description=description))
