"""Whole sites built from degenerate cohorts: every page is there and says in words what cannot be computed.

The five cohorts (see ``tests/degenerate.py``) are split over two test files so
that pytest-xdist builds them on both workers; each site is built once per run.
This file has the cohorts whose statistics collapse: identical changes, no
change at all, and a single participant.
"""

from __future__ import annotations

import pytest

from .degenerate import (
    assert_complete_and_finite,
    assert_ids_never_appear,
    build_cohorts,
    chart_descriptions,
    page_text,
)

NAMES = ("identical-changes", "no-change", "one-participant")


@pytest.fixture(scope="module")
def sites(tmp_path_factory, worker_id):
    return build_cohorts(NAMES, tmp_path_factory, worker_id)


@pytest.mark.parametrize("name", NAMES)
def test_every_page_is_built_and_shows_no_nan(sites, name):
    site, ids = sites[name]
    assert_complete_and_finite(site)
    assert_ids_never_appear(site, ids)


def test_identical_changes_say_their_sd_is_zero(sites):
    site, _ = sites["identical-changes"]
    primary = page_text(site, "primary_outcomes")
    assert "p = not computable (all 8 changes are equal, so their SD is 0)" in primary
    assert "dz = not computable (all 8 changes are equal, so their SD is 0)" in primary
    assert "The 95% interval has no width, because all 8 changes are equal" in primary
    start = page_text(site, "start_here")
    assert "The two primary changes could not be related: one of the two variables takes a " \
        "single value in all 8 pairs, so it cannot correlate" in start  # fmt: skip
    association = page_text(site, "association")
    assert "no correlation can be computed: one of the two variables takes a single value in all 8 pairs" in association


def test_no_change_reads_as_no_change(sites):
    site, _ = sites["no-change"]
    start = page_text(site, "start_here")
    assert (
        "Pain interference did not change on average and pain self-efficacy did not change: on both measures the "
        "group did not change." in start
    )
    primary = page_text(site, "primary_outcomes")
    assert "not computable: all 6 changes are 0, so there is nothing to rank" in primary
    assert "Pain interference did not change and self-efficacy did not change from stage 2 to stage 3" in primary


def test_one_participant_says_how_many_are_needed(sites):
    site, _ = sites["one-participant"]
    primary = page_text(site, "primary_outcomes")
    assert (
        "the mean change in PIQ could not be computed (a paired t-test needs at least 2 participants with both "
        "scores; this cohort has 1)" in primary
    )
    assert "With 1 participant a paired t-test cannot be run at all: it needs at least 2 participants" in primary
    assert "The only participant had both scores." in primary
    association = page_text(site, "association")
    assert "needs at least 3 participants with both scores; this cohort has 1" in association
    limitations = page_text(site, "limitations")
    assert "regression to the mean cannot be estimated from this cohort: needs at least 2 stage 2 scores" in limitations
    descriptions = " ".join(chart_descriptions(site, "primary_outcomes"))
    assert "The mean change and its 95% CI are not computable: needs at least 2 participants" in descriptions
