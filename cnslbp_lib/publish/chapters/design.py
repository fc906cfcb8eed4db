"""The text of the chapter "Design" (``book/design.ipynb``): the worked example of the inclusion rule, the flow."""

from __future__ import annotations

import pandas as pd

from ...data.instruments import get_instrument
from ...stats import flow
from .. import charts, phrases, tables
from ..page import Page
from ..study import Study

__all__ = ["page"]


def flow_figure(flow: pd.DataFrame) -> tuple[str, str]:
    """The sentence that introduces the participant-flow figure, and what to show instead when it would say nothing.

    ``flow`` is :func:`cnslbp_lib.stats.flow.participant_flow`. When every step
    keeps everyone, a chart would be bars of one length: the second sentence
    says so and replaces it (it is empty when the chart is drawn).
    """
    counts = flow["n"].astype(int)
    if (counts != counts.iloc[0]).any():
        return (
            "The same counts as a figure, one bar per step from the cohort file to an analysis, so a step that loses "
            "people stands out:",
            "",
        )
    steps = len(counts)
    return ("Nobody is lost at any step.", f"No figure is drawn: it would show {steps} equal bars.")


def page(study: Study) -> Page:
    # a worked example built from the registry thresholds, so it stays right if they change
    piq_before, pseq_before = 40, 22
    piq_after = piq_before - get_instrument("piq").threshold - 2
    pseq_after = pseq_before + get_instrument("pseq").threshold - 3
    participant_flow = flow.participant_flow(study.cohort)
    flow_lead, instead = flow_figure(participant_flow)
    return Page(
        study,
        checked=("participants_completed", "missing_data"),
        values={
            "example_piq": f"{piq_before} to {piq_after}",
            "example_piq_verdict": phrases.rule_verdict("piq", piq_after - piq_before),
            "example_pseq": f"{pseq_before} to {pseq_after}",
            "example_pseq_verdict": phrases.rule_verdict("pseq", pseq_after - pseq_before),
            "flow_lead": flow_lead,
        },
        markdown={"instruments_table": tables.instruments_markdown()},
        shown={
            "flow_table": tables.html_table(participant_flow, "Participant flow: how many reach each analysis"),
            "flow_chart": tables.note(instead) if instead else charts.flow_chart(participant_flow),
            "incomplete": tables.incomplete_table(study.cohort),
        },
    )
