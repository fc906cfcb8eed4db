"""Incomplete cohorts: nobody followed up yet (a whole site), and every score at a scale limit.

Nobody with a stage 3 row yet is a kind the README names, built as a whole
site, and built with the book's paper file plus one more printed number (the
PSQ change from stage 1 to 2 with its CI): on this cohort that change exists
and every stage 2 → 3 one does not, so the build shows each printed number
audited against its own comparison. Scores at the scale limits are checked on
every value its chapters show (see ``tests/degenerate.py``). The other degenerate cohorts are in
``test_site_degenerate.py``; the split lets pytest-xdist build on both workers.
"""

from __future__ import annotations

import re

import pytest

from . import papers
from .degenerate import (
    assert_complete_and_finite,
    assert_ids_never_appear,
    assert_ids_never_in,
    assert_values_complete_and_finite,
    build_cohorts,
    chart_descriptions,
    cohort_values,
    page_text,
    value_text,
)

pytestmark = pytest.mark.slow(seconds=60, reason="builds a whole site")

NAMES = ("no-follow-up",)


@pytest.fixture(scope="module")
def sites(tmp_path_factory, worker_id):
    paper = papers.study_with_one_more_number(tmp_path_factory.mktemp("paper"))
    return build_cohorts(NAMES, tmp_path_factory, worker_id, paper=paper)


@pytest.mark.parametrize("name", NAMES)
def test_every_page_is_built_and_shows_no_nan(sites, name):
    site, ids = sites[name]
    assert_complete_and_finite(site)
    assert_ids_never_appear(site, ids)


def test_no_follow_up_says_nobody_has_stage_3(sites):
    site, _ = sites["no-follow-up"]
    start = page_text(site, "start_here")
    assert (
        "Pain interference could not be compared (needs at least 2 participants with both scores; this cohort has 0)"
        in start
    )
    primary = page_text(site, "primary_outcomes")
    assert "0 of 5 participants had both scores; excluded: P01 (no stage 3 row)" in primary
    expected = (
        "The share of participants who reached the book’s assumed threshold (a fall of at least 7 points) is not "
        "computable (a proportion needs at least 1 participant with both scores; this cohort has 0)"
    )
    assert expected in primary
    charts = " ".join(chart_descriptions(site, "primary_outcomes"))
    assert "No participant has both a stage 2 and a stage 3 PIQ score, so there is no change to plot." in charts
    secondary = page_text(site, "secondary_outcomes")
    assert "Global perceived change was not collected in this cohort file" in secondary
    assert "It cannot be recomputed from these data either: needs at least 2 participants" in secondary
    audit = page_text(site, "number_audit")
    assert "Not computable from this cohort: a paired t-test needs at least 2 participants" in audit


def test_the_book_builds_with_one_more_printed_number_audited_against_its_own_stages(sites):
    site, _ = sites["no-follow-up"]
    audit = page_text(site, "number_audit")
    html = (site / "book" / "number_audit.html").read_text(encoding="utf-8")
    for key in ("psq_12_mean_change", "psq_12_ci_low", "psq_12_ci_high"):
        assert f'id="audit-{key}"' in html
    row = re.search(r'<tr id="audit-psq_12_mean_change".*?</tr>', html, re.S).group(0)
    # recomputed from the cohort's stage 1 → 2 changes (all five have both), where every stage 2 → 3 number is not
    assert "Not computable" not in re.sub(r"<[^>]+>", " ", row) and "not computable" not in row
    assert "PSQ mean change, stage 1 → 2" in audit


@pytest.fixture(scope="module")
def scale_limits(tmp_path_factory):
    return cohort_values("scale-limits", tmp_path_factory.mktemp("scale-limits"))


def test_scale_limits_show_every_value_with_no_nan_and_no_id(scale_limits):
    values, ids = scale_limits
    assert_values_complete_and_finite(values)
    assert_ids_never_in(values, ids)


def test_scale_limits_build_with_what_can_be_said(scale_limits):
    values, _ = scale_limits
    table = value_text(values["association:table"])
    # both rows (Pearson and Spearman) give the reason in their interval's cell
    assert table.count("not computable: the correlation is perfect, so the Fisher-z interval is undefined") == 2
    assert "not computable: the scores at one stage take a single value, so the stages cannot correlate" in (
        value_text(values["primary_outcomes:effect_sizes"])
    )
