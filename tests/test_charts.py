"""Charts: accessible, labelled, colour-blind safe, deterministic and free of outside hosts."""

import re

import numpy as np
import pandas as pd
import pytest

from cnslbp_lib.paper.auditing import audit
from cnslbp_lib.publish import charts

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


def test_trajectories_sample_two_hundred_lines_for_large_cohorts():
    rng = np.random.default_rng(0)
    ids = np.repeat([f"id{i}" for i in range(300)], 3)
    data = pd.DataFrame({"participant": ids, "stage": np.tile([1, 2, 3], 300), "piq": rng.integers(0, 70, 900)})
    spec = charts.trajectories(data, "piq").to_dict()
    assert "a random sample of 200 of 300 participants" in spec["description"]


def test_audit_overview_marks_the_disagreements(cohort):
    spec = charts.audit_overview(audit(cohort)).to_dict()
    assert "15 agree" in spec["description"]
    assert "PSEQ paired p-value" in spec["description"]


def test_renderer_returns_html_and_a_plain_text_alternative(cohort):
    charts.enable()
    bundle = charts.trajectories(cohort.data, "psq")._repr_mimebundle_()
    mimes = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(mimes) == {"text/html", "text/plain"}
    assert mimes["text/plain"].startswith("Line chart of PSQ scores")
