"""Degenerate cohorts whose statistics collapse: every page is there and says in words what cannot be computed.

Identical changes, a single participant and nobody followed up yet (kinds the
README names), no change at all, and every score at a scale limit are checked
on every value their chapters show, each chart drawn to its static SVG as the
site build draws it (see ``tests/degenerate.py``), with the same glued keys as
the reconstruction, which is built as a whole site: what a whole build adds to
these values is the same for every cohort, and is checked on the two cohorts
built as whole sites (the reconstruction, and a clinic's workbook with lost
follow-ups in ``test_site_own_data.py``).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

import cnslbp_lib as cl
from cnslbp_lib.publish.chapters import chapter_values
from cnslbp_lib.publish.myst import REPORTED_KEYS

from . import clinic_files
from .degenerate import (
    assert_ids_never_in,
    assert_values_complete_and_finite,
    cohort_values,
    value_text,
)

pytestmark = pytest.mark.slow(seconds=25, reason="every chapter's values for five cohorts, each chart drawn")

NAMES = ("identical-changes", "one-participant", "no-follow-up", "no-change", "scale-limits")


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory):
    return {name: cohort_values(name, tmp_path_factory.mktemp(name)) for name in NAMES}


@pytest.fixture(scope="module")
def built_keys(tmp_path_factory):
    """The keys a cohort of one's own glues, computed for the clinic's cohort that test_site_own_data.py builds
    whole (a build fails on a {glue} reference without its value). That build's paper file has one more printed
    number, which adds only reported numbers' keys, left out of the comparison like the others."""
    long = tmp_path_factory.mktemp("clinic") / "clinic.csv"
    clinic_files.write_clinic_cohort(long)
    return own_keys(chapter_values(cl.load_cohort(long)))


def chapter_text(values: dict[str, str], chapter: str) -> str:
    """Everything a chapter's glued values, tables and charts say (the words around them are the chapter's own)."""
    shown = [value_text(value) for key, value in values.items() if key.startswith(f"{chapter}:")]
    charts = [
        element["data-description"]
        for key, value in values.items()
        if key.startswith(f"{chapter}:")
        for element in BeautifulSoup(value, "html.parser").select("[data-description]")
    ]
    return " ".join(shown + charts)


def own_keys(values: dict[str, str]) -> set[str]:
    """The keys a chapter glues whatever the data, leaving out the reported numbers its sentences quote."""
    return {key for key in values if key.split(":", 1)[1] not in REPORTED_KEYS}


@pytest.mark.parametrize("name", NAMES)
def test_every_value_is_there_and_shows_no_nan(cohorts, built_keys, name):
    values, ids = cohorts[name]
    assert_values_complete_and_finite(values)
    assert_ids_never_in(values, ids)
    # the same keys as a cohort of one's own built as a whole site, so each page's {glue} references find their
    # values here too (a sentence glues the reported numbers it quotes, which follow the data)
    assert own_keys(values) - {key for key in values if key.startswith("abstract_determines:")} == built_keys


def test_identical_changes_say_their_sd_is_zero(cohorts):
    values, _ = cohorts["identical-changes"]
    for key in ("piq_p_val", "piq_dz", "pseq_p_val", "pseq_dz"):  # "p = {glue}`piq_p_val`", "dz = ..."
        assert (
            value_text(values[f"primary_outcomes:{key}"])
            == "not computable (all 8 changes are equal, so their SD is 0)"
        )
    primary = chapter_text(values, "primary_outcomes")
    assert "has no width, because all 8 changes are equal" in primary
    start = chapter_text(values, "start_here")
    single = "one of the two variables takes a single value in all 8 pairs, so it cannot correlate"
    assert f"could not be related: {single}" in start
    association = chapter_text(values, "association")
    assert "no correlation can be computed: one of the two variables takes a single value in all 8 pairs" in association


def test_one_participant_says_how_many_are_needed(cohorts):
    values, _ = cohorts["one-participant"]
    primary = chapter_text(values, "primary_outcomes")
    assert (
        "the mean change in PIQ could not be computed (a paired t-test needs at least 2 participants with both "
        "scores; this cohort has 1)" in primary
    )
    assert "With 1 participant a paired t-test cannot be run at all: it needs at least 2 participants" in primary
    assert "The only participant had both scores." in primary
    association = chapter_text(values, "association")
    assert "needs at least 3 participants with both scores; this cohort has 1" in association
    limitations = chapter_text(values, "limitations")
    assert "regression to the mean cannot be estimated from this cohort: needs at least 2 stage 2 scores" in limitations
    descriptions = chapter_text(
        {key: value for key, value in values.items() if key.endswith("_estimation")}, "primary_outcomes"
    )
    assert "The mean change and its 95% CI are not computable: needs at least 2 participants" in descriptions


def test_no_change_reads_as_no_change(cohorts):
    values, _ = cohorts["no-change"]
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


def test_no_follow_up_says_nobody_has_stage_3(cohorts):
    values, _ = cohorts["no-follow-up"]
    start = chapter_text(values, "start_here")
    # glued into "Pain interference {piq_23_average} ...": the value itself says why
    assert "could not be compared (needs at least 2 participants with both scores; this cohort has 0)" in start
    primary = chapter_text(values, "primary_outcomes")
    assert "0 of 5 participants had both scores; excluded: P01 (no stage 3 row)" in primary
    assert "not computable (a proportion needs at least 1 participant with both scores; this cohort has 0)" in primary
    assert "No participant has both a stage 2 and a stage 3 PIQ score, so there is no change to plot." in primary
    secondary = chapter_text(values, "secondary_outcomes")
    assert "Global perceived change was not collected in this cohort file" in secondary
    assert "It cannot be recomputed from these data either: needs at least 2 participants" in secondary
    audit = chapter_text(values, "number_audit")
    assert "Not computable from this cohort: a paired t-test needs at least 2 participants" in audit


def test_scale_limits_build_with_what_can_be_said(cohorts):
    values, _ = cohorts["scale-limits"]
    table = value_text(values["association:table"])
    # both rows (Pearson and Spearman) give the reason in their interval's cell
    assert table.count("not computable: the correlation is perfect, so the Fisher-z interval is undefined") == 2
    assert "not computable: the scores at one stage take a single value, so the stages cannot correlate" in (
        value_text(values["primary_outcomes:effect_sizes"])
    )
