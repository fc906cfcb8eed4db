"""Charts of the cohort and the audit: participant flow, the education phase, the association, the audit."""

from __future__ import annotations

from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from ...data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, NON_RESPONSE, get_instrument
from ...exceptions import NotEnoughDataError
from ...paper.formatting import format_number
from ...paper.reported import REPORTED
from ...stats.correlation import association, change_pairs, least_squares_line
from ...stats.responder_analysis import pe_nonresponse
from ..limits import PER_PARTICIPANT_LIMIT
from .large import bubbles
from .render import OKABE_ITO, WIDTH, form_note, message_chart, with_note

Chart = alt.Chart | alt.LayerChart

__all__ = ["association_scatter", "audit_overview", "education_phase_chart", "flow_chart", "pairings_scatter"]


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


def education_phase_chart(data: pd.DataFrame) -> Chart:
    """Each participant's stage 1 → 2 change in the two rule instruments, against the response region.

    Above :data:`~cnslbp_lib.publish.limits.PER_PARTICIPANT_LIMIT` participants,
    counts on a grid of the two changes instead; with nobody to plot, a message.
    """
    table = pe_nonresponse(data).dropna(subset=["piq_change", "pseq_change"])
    piq, pseq = get_instrument("piq"), get_instrument("pseq")
    if table.empty:
        return message_chart(
            f"No participant has both PIQ and PSEQ scores at stages {NON_RESPONSE.from_stage} and "
            f"{NON_RESPONSE.to_stage}, so there is no change during education to plot."
        )
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
    x_title = "Change in PSEQ, stage 1 → 2 (points, higher = better)"
    y_title = "Change in PIQ, stage 1 → 2 (points, higher = worse)"
    outside = int((frame["status"] == "non-responder").sum())
    regions_text = (
        f"Shaded areas mark a clinically important response ({pseq.improvement_rule} in PSEQ, or "
        f"{piq.improvement_rule} in PIQ). {outside} of {len(frame)} participants lie outside them: non-responders."
    )
    if len(frame) > PER_PARTICIPANT_LIMIT:
        counts, step = bubbles(
            frame["pseq_change"].to_numpy(),
            frame["piq_change"].to_numpy(),
            groups=frame["status"].to_numpy(),
            titles=(x_title, y_title),
        )
        circles = counts.encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(domain=x_span)),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=y_span)),
            color=alt.Color(
                "group:N",
                title="During education",
                scale=alt.Scale(
                    domain=["non-responder", "responded to education"],
                    range=[OKABE_ITO["blue"], OKABE_ITO["vermillion"]],
                ),
            ),
        )
        grid = "each point of change" if step == 1 else f"each {step} × {step}-point square of change"
        description = (
            f"Bubble chart of how many participants had each pair of changes during pain education ({grid}): "
            f"PSEQ on the horizontal axis, PIQ on the vertical, circles sized by count. {regions_text}"
        )
        binned: alt.LayerChart = (shaded + circles).properties(width=WIDTH, height=320, description=description)
        note = form_note(len(frame), "how many participants had each pair of changes, as circles sized by count")
        result: alt.LayerChart = with_note(binned, note)
        return result
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X("pseq_change:Q", title=x_title, scale=alt.Scale(domain=x_span)),
            y=alt.Y("piq_change:Q", title=y_title, scale=alt.Scale(domain=y_span)),
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
    description = (
        "Scatter plot of each participant's change during pain education: PSEQ on the horizontal axis, PIQ on the "
        f"vertical. {regions_text}"
    )
    chart: alt.LayerChart = (shaded + points).properties(width=WIDTH, height=320, description=description)
    return chart


def association_scatter(
    data: pd.DataFrame,
    x: str = "pseq",
    y: str = "piq",
    *,
    from_stage: int = BASELINE_STAGE,
    to_stage: int = FOLLOW_UP_STAGE,
) -> Chart:
    """Change in ``y`` against change in ``x``, with a least-squares line where there is one.

    Above :data:`~cnslbp_lib.publish.limits.PER_PARTICIPANT_LIMIT` participants,
    counts on a grid of the two changes instead; with nobody to plot, a message.
    """
    x_entry, y_entry = get_instrument(x), get_instrument(y)
    pairs = change_pairs(data, x, y, from_stage=from_stage, to_stage=to_stage)
    frame = pd.DataFrame(
        {
            "participant": pairs["participant"].astype("str").to_numpy(),
            "x": pairs[f"{x}_change"].to_numpy(),
            "y": pairs[f"{y}_change"].to_numpy(),
        }
    )
    if frame.empty:
        return message_chart(
            f"No participant has both changes (in {x_entry.abbreviation} and {y_entry.abbreviation}, stage "
            f"{from_stage} to {to_stage}), so there is nothing to plot."
        )
    x_title = f"Change in {x_entry.abbreviation} (points, {x_entry.direction})"
    y_title = f"Change in {y_entry.abbreviation} (points, {y_entry.direction})"
    try:
        pearson = association(data, x, y, from_stage=from_stage, to_stage=to_stage).pearson
    except NotEnoughDataError as error:
        r_text = f"Pearson r is not computable: {error.reason}."
    else:
        finite = np.isfinite(pearson.r)
        r_text = (
            f"Pearson r = {format_number(pearson.r, 2)}." if finite else f"Pearson r is not computable: {pearson.note}."
        )
    varies = bool(np.ptp(frame["x"].to_numpy(float)) > 0 and np.ptp(frame["y"].to_numpy(float)) > 0)
    if len(frame) > PER_PARTICIPANT_LIMIT:
        circles, step = bubbles(frame["x"].to_numpy(), frame["y"].to_numpy(), titles=(x_title, y_title))
        layers = [circles.encode(color=alt.value(OKABE_ITO["blue"]))]
        if varies:
            slope, intercept = least_squares_line(frame["x"].to_numpy(float), frame["y"].to_numpy(float))
            ends = pd.DataFrame({"x": [frame["x"].min(), frame["x"].max()]})
            ends["y"] = intercept + slope * ends["x"]
            layers.append(
                alt.Chart(ends).mark_line(color=OKABE_ITO["vermillion"], strokeWidth=2).encode(x="x:Q", y="y:Q")
            )
        grid = "each point of change" if step == 1 else f"each {step} × {step}-point square of change"
        description = (
            f"Bubble chart of how many of the {len(frame):,} participants had each pair of changes ({grid}): "
            f"the change in {y_entry.abbreviation} against the change in {x_entry.abbreviation} from stage "
            f"{from_stage} to {to_stage}, circles sized by count, with a least-squares line. {r_text}"
        )
        binned = cast(alt.LayerChart, alt.layer(*layers).properties(width=WIDTH, height=320, description=description))
        note = form_note(len(frame), "how many participants had each pair of changes, as circles sized by count")
        result: alt.LayerChart = with_note(binned, note)
        return result
    x_axis = alt.X("x:Q", title=x_title)
    y_axis = alt.Y("y:Q", title=y_title)
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
    if not varies:
        description = (
            f"Scatter plot of the change in {y_entry.abbreviation} against the change in {x_entry.abbreviation} "
            f"from stage {from_stage} to {to_stage}, one dot per participant ({len(frame)}); no line is drawn, "
            f"because one of the changes takes a single value. {r_text}"
        )
        alone = cast(alt.LayerChart, alt.layer(points).properties(width=WIDTH, height=320, description=description))
        return alone
    fit = (
        alt.Chart(frame)
        .transform_regression("x", "y")
        .mark_line(color=OKABE_ITO["vermillion"], strokeWidth=2)
        .encode(x="x:Q", y="y:Q")
    )
    description = (
        f"Scatter plot of the change in {y_entry.abbreviation} against the change in {x_entry.abbreviation} "
        f"from stage {from_stage} to {to_stage}, one dot per participant ({len(frame)}), with a least-squares line. "
        f"{r_text}"
    )
    chart: alt.LayerChart = (points + fit).properties(width=WIDTH, height=320, description=description)
    return chart


def audit_overview(table: pd.DataFrame, *, construction: bool = False) -> Chart:
    """Where each recomputed number falls against its printed value, in units of the printed last digit.

    A recomputed value within half a unit of the printed one prints the same
    (the shaded band), so the position shows the verdict and how near it came;
    percentages of the printed value would not (a p-value that agrees can sit
    4% away, a percentage that does not, 0.1%). Counts, words and directions
    have no last digit to measure in and are left to the table. ``construction`` names agreement on the
    reconstruction "reproduced by construction".
    """
    records = {record.key: record for record in REPORTED}
    agree = "reproduced by construction" if construction else "agrees"
    rows = []
    missing = table.loc[~np.isfinite(table["recomputed"].to_numpy(float)), "label"].tolist()
    unplaced = []  # a count or word that differs has no distance in digits: named in the description
    for row in table.itertuples(index=False):
        if not np.isfinite(row.recomputed):
            continue  # not computable from this cohort: named in the description instead
        record = records[row.key]
        printed = record.value
        if printed is None or record.decimals is None:
            continue  # a count, a word or a direction has no last digit to measure in: the table gives it
        else:
            value = abs(row.recomputed) if record.style == "magnitude" else row.recomputed
            units = (value - float(printed)) / 10.0**-record.decimals
        if not np.isfinite(units):
            unplaced.append(f"{row.label} (paper {row.reported}, here {row.recomputed_printed})")
            continue
        rows.append(
            {
                "label": row.label,
                "units": units,
                "verdict": agree if row.agrees else "differs",
                "reported": row.reported,
                "recomputed": row.recomputed_printed,
            }
        )
    if not rows:
        return message_chart(
            "None of the abstract's numbers can be placed against its printed value from this cohort: "
            + "; ".join([*(f"{label} is not computable" for label in missing), *unplaced])
            + "."
        )
    frame = pd.DataFrame(rows)
    band = alt.Chart(pd.DataFrame({"low": [-0.5], "high": [0.5]})).mark_rect(color=OKABE_ITO["sky"], opacity=0.25)
    band = band.encode(x="low:Q", x2="high:Q")
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=110)
        .encode(
            y=alt.Y("label:N", sort=frame["label"].tolist(), title=None),
            x=alt.X(
                "units:Q",
                title="Recomputed minus printed, in units of the printed last digit (within ±0.5 it prints the same)",
                scale=alt.Scale(domain=[-1.5, 1.5], clamp=True),
            ),
            color=alt.Color(
                "verdict:N",
                title="Verdict",
                scale=alt.Scale(domain=[agree, "differs"], range=[OKABE_ITO["blue"], OKABE_ITO["vermillion"]]),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape(
                "verdict:N",
                scale=alt.Scale(domain=[agree, "differs"], range=["circle", "cross"]),
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
    differing = frame.loc[frame["verdict"] == "differs", "label"].tolist()
    description = (
        f"Dot chart of the {len(frame)} numeric values in the abstract (counts, words and directions are in the "
        "table), each placed where its recomputed value falls against the printed one, in units of the printed "
        f"last digit; within half a unit it prints the same. {len(frame) - len(differing)} "
        + ("agree" if agree == "agrees" else f"are {agree}")
        + (f"; these differ: {'; '.join(differing)}." if differing else ".")
    )
    if missing or unplaced:
        description = description.replace(f"of the {len(frame)} numeric", f"of {len(frame)} numeric", 1)
    if missing:
        description += f" Not computable from this cohort, so not shown: {'; '.join(missing)}."
    if unplaced:
        description += f" Counts and words that differ, so not placed: {'; '.join(unplaced)}."
    result: alt.LayerChart = (band + points).properties(width=WIDTH, height=alt.Step(22), description=description)
    return result


def pairings_scatter(pairings: list[tuple[str, np.ndarray, np.ndarray]], x: str = "pseq", y: str = "piq") -> alt.Chart:
    """The same two sets of changes paired several ways: each pairing a colour, its r in the legend.

    ``pairings`` lists, in the order to show them, each pairing's label (which
    includes its r) and its ``x`` and ``y`` changes (points).
    """
    x_entry, y_entry = get_instrument(x), get_instrument(y)
    frame = pd.DataFrame(
        [
            {"pairing": label, "x": float(first), "y": float(second)}
            for label, xs, ys in pairings
            for first, second in zip(xs, ys, strict=True)
        ]
    )
    order = list(dict.fromkeys(frame["pairing"]))
    colours = [OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["green"]][: len(order)]
    shapes = ["triangle-down", "circle", "triangle-up"][: len(order)]
    chart = (
        alt.Chart(frame)
        .mark_point(filled=True, size=70, opacity=0.85)
        .encode(
            x=alt.X("x:Q", title=f"Change in {x_entry.abbreviation} (points, {x_entry.direction})"),
            y=alt.Y("y:Q", title=f"Change in {y_entry.abbreviation} (points, {y_entry.direction})"),
            color=alt.Color(
                "pairing:N",
                title="Pairing",
                scale=alt.Scale(domain=order, range=colours),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400),
            ),
            shape=alt.Shape("pairing:N", scale=alt.Scale(domain=order, range=shapes), legend=None),
            tooltip=[
                alt.Tooltip("pairing:N", title="Pairing"),
                alt.Tooltip("x:Q", title=f"Change in {x_entry.abbreviation}"),
                alt.Tooltip("y:Q", title=f"Change in {y_entry.abbreviation}"),
            ],
        )
    )
    description = (
        f"Scatter plot of the change in {y_entry.abbreviation} against the change in {x_entry.abbreviation}, the "
        "same changes paired three ways: " + "; ".join(order) + ". Every pairing reproduces every printed number; "
        "the book's reading of the sentence on the association allows only a negative r."
    )
    result: alt.Chart = chart.properties(width=WIDTH, height=340, description=description)
    return result
