"""Charts: accessible, labelled, colour-blind safe, deterministic and free of outside hosts."""

import re

import numpy as np
import pandas as pd
import pytest

from cnslbp_lib.paper.auditing import audit
from cnslbp_lib.publish import charts
from cnslbp_lib.publish.limits import SAMPLED_LINES

CHARTS = {
    "trajectories": lambda data: charts.trajectories(data, "piq"),
    "estimation": lambda data: charts.estimation_plot(data, "pseq"),
    "responders": lambda data: charts.responder_chart(data, "piq"),
    "association": charts.association_scatter,
    "global": charts.global_change_chart,
}


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_has_a_text_alternative_tooltips_and_axis_titles(cohort, name):
    spec = CHARTS[name](cohort.data).to_dict()
    assert len(spec["description"]) > 60
    text = str(spec)
    assert "'tooltip'" in text
    assert text.count("'title'") >= 2


def test_chart_html_is_deterministic_and_uses_no_outside_host(cohort):
    first = charts.to_html(charts.trajectories(cohort.data, "piq").to_dict())
    second = charts.to_html(charts.trajectories(cohort.data, "piq").to_dict())
    assert first == second
    assert re.search(r'id="cnslbp-chart-[0-9a-f]{16}"', first)
    assert "http" not in first
    assert "window.vegaEmbed(element, spec" in first


def test_axis_titles_state_units_and_direction(cohort):
    spec = charts.trajectories(cohort.data, "piq").to_dict()
    assert "PIQ score (points, higher = worse)" in str(spec)
    spec = charts.association_scatter(cohort.data).to_dict()
    assert "Change in PSEQ (points, higher = better)" in str(spec)


def test_palette_is_okabe_ito(cohort):
    spec = str(charts.estimation_plot(cohort.data, "piq").to_dict())
    assert charts.OKABE_ITO["blue"] in spec and charts.OKABE_ITO["orange"] in spec


def test_trajectories_sample_a_few_lines_for_large_cohorts():
    rng = np.random.default_rng(0)
    ids = np.repeat([f"id{i}" for i in range(300)], 3)
    data = pd.DataFrame({"participant": ids, "stage": np.tile([1, 2, 3], 300), "piq": rng.integers(0, 70, 900)})
    spec = charts.trajectories(data, "piq").to_dict()
    assert f"a random sample of {SAMPLED_LINES} of 300 participants" in spec["description"]
    lines = next(layer for layer in spec["layer"] if layer.get("encoding", {}).get("detail"))
    assert len({row["participant"] for row in spec["datasets"][lines["data"]["name"]]}) == SAMPLED_LINES


def test_audit_overview_marks_the_disagreements(cohort):
    spec = charts.audit_overview(audit(cohort)).to_dict()
    # the abstract's 17 numbers less its count, its missing-data phrase and the association's direction
    # (no last digit to measure in) leave 14 values; the PSEQ p and the PIQ percentage differ
    assert "of the 14 numeric values" in spec["description"] and "12 agree;" in spec["description"]
    assert "PSEQ paired p-value" in spec["description"]


def test_renderer_returns_html_and_a_plain_text_alternative(cohort):
    charts.enable()
    bundle = charts.trajectories(cohort.data, "psq")._repr_mimebundle_()
    mimes = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(mimes) == {"text/html", "text/plain"}
    assert mimes["text/plain"].startswith("Line chart of PSQ scores")


def test_a_chart_with_nothing_to_draw_says_why():
    data = pd.DataFrame({"participant": ["a", "b"], "stage": [2, 2], "piq": [40, 41], "pseq": [20, 22], "psq": [9, 9]})
    spec = charts.estimation_plot(data, "piq").to_dict()
    assert spec["description"] == (
        "No participant has both a stage 2 and a stage 3 PIQ score, so there is no change to plot."
    )
    assert spec["mark"]["type"] == "text"


def test_large_cohorts_get_charts_that_do_not_grow_with_a_note_under_them():
    from cnslbp_lib.publish.limits import PER_PARTICIPANT_LIMIT

    from .conftest import tidy_pairs

    rng = np.random.default_rng(1)
    participants = 10 * PER_PARTICIPANT_LIMIT
    data = tidy_pairs(rng.integers(20, 70, participants).astype(float), rng.integers(0, 60, participants).astype(float))
    histogram = charts.estimation_plot(data, "piq").to_dict()
    curve = charts.responder_chart(data, "piq").to_dict()
    assert histogram["description"].startswith(
        f"Histogram of the change in PIQ from stage 2 to 3 for all {participants:,}"
    )
    assert curve["description"].startswith("Curve of the improvement in PIQ")
    for spec in (histogram, curve):
        assert "one mark per participant would be unreadable" in spec["usermeta"]["note"]
        markup = charts.to_html(spec)
        assert '<p class="cnslbp-chart-note">With 2,000 participants' in markup
        assert len(markup) < 40_000
        assert "usermeta" not in markup
