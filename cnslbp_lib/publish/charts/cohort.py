"""Charts of the cohort and the audit: participant flow, the education phase, the association, the audit."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ...data.instruments import BASELINE_STAGE, FOLLOW_UP_STAGE, get_instrument
from ...paper.formatting import format_number
from ...paper.reported import REPORTED
from ...stats.correlation import association, paired_changes
from ...stats.responder_analysis import pe_nonresponse
from .render import OKABE_ITO, WIDTH

__all__ = ["association_scatter", "audit_overview", "education_phase_chart", "flow_chart"]


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
    r = association(data, x, y, from_stage=from_stage, to_stage=to_stage).pearson.r
    description = (
        f"Scatter plot of the change in {y_entry.abbreviation} against the change in {x_entry.abbreviation} "
        f"from stage {from_stage} to {to_stage}, one dot per participant ({len(frame)}), with a least-squares line. "
        f"Pearson r = {format_number(r, 2)}."
    )
    chart: alt.LayerChart = (points + fit).properties(width=WIDTH, height=320, description=description)
    return chart


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
