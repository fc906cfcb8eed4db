"""Degenerate cohorts whose statistics collapse: every page is there and says in words what cannot be computed.

Identical changes and a single participant (kinds the README names) are built
as whole sites; no change at all is checked on every value its chapters show
(see ``tests/degenerate.py``). The cohorts with gaps are in
``test_site_incomplete.py``, so that pytest-xdist builds on both workers.
"""

from __future__ import annotations

import pytest

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

pytestmark = pytest.mark.slow(seconds=120, reason="builds two whole sites")

NAMES = ("identical-changes", "one-participant")


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


@pytest.fixture(scope="module")
def no_change(tmp_path_factory):
    return cohort_values("no-change", tmp_path_factory.mktemp("no-change"))


def test_no_change_shows_every_value_with_no_nan_and_no_id(no_change):
    values, ids = no_change
    assert_values_complete_and_finite(values)
    assert_ids_never_in(values, ids)


def test_no_change_reads_as_no_change(no_change):
    values, _ = no_change
    # "Pain interference {piq_23_average} and pain self-efficacy {pseq_23_change}: on both measures ..."
    assert "on both measures the group did not change." in values["start_here:primary_changes"]
    assert value_text(values["start_here:piq_23_average"]).startswith("did not change on average")
    assert value_text(values["start_here:pseq_23_change"]).startswith("did not change")
    assert "not computable: all 6 changes are 0, so there is nothing to rank" in value_text(
        values["primary_outcomes:piq_sensitivity"]
    )
    # "Pain interference {piq_23_change} and self-efficacy {pseq_23_change} from stage 2 to stage 3"
    for key in ("piq_23_change", "pseq_23_change"):
        assert value_text(values[f"primary_outcomes:{key}"]).startswith("did not change"), key
