"""Sentences whose shape follows the data: reading an interval against a threshold, the flow figure, the audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnslbp_lib.data.source import DATA_ENV
from cnslbp_lib.publish import open_book, sentences, words

from .conftest import COHORT_CSV, tidy_pairs

# The thresholds these cases assume are the registry's: PIQ a fall of 7, PSEQ a rise of 11, PSQ a fall of 8.


@pytest.mark.parametrize(
    ("instrument", "low", "high", "reading"),
    [
        # wholly beyond the threshold (the PIQ is better when it falls, so its limits are negative)
        (
            "piq",
            -29.87,
            -7.70,
            "lies wholly above the book's assumed 7-point threshold: it fits mean improvements of 7.7 to 29.9 points, "
            "and smaller ones fit the data less well (a threshold for one person's change is only a yardstick for a "
            "group's mean)",
        ),
        # improvements on both sides of the threshold, no change excluded
        (
            "pseq",
            6.03,
            29.83,
            "is compatible with improvements from 6.0 points, short of the book's assumed 11-point threshold, to 29.8 "
            "points, beyond it; it excludes no change and worsening",
        ),
        # improvements only, all of them within the threshold
        (
            "psq",
            -5.0,
            -1.0,
            "is compatible with improvements smaller than the book's assumed 8-point threshold, of 1.0 to 5.0 points, "
            "and excludes no change",
        ),
        # wholly worse
        (
            "psq",
            1.0,
            5.0,
            "is compatible with worsening, of 1.0 to 5.0 points, and excludes no change and any improvement",
        ),
        # straddling zero, reaching beyond the threshold on the better side
        (
            "psq",
            -10.23,
            0.95,
            "is compatible with improvements of up to 10.2 points, beyond the book's assumed 8-point threshold, "
            "with no change, and with a worsening of up to 1.0 point",
        ),
        # straddling zero, short of the threshold on the better side
        (
            "pseq",
            -2.0,
            4.0,
            "is compatible with improvements of up to 4.0 points, short of the book's assumed 11-point threshold, "
            "with no change, and with a worsening of up to 2.0 points",
        ),
        # ending exactly at zero: no change, and worsening only
        ("psq", 0.0, 2.0, "is compatible with no change and with a worsening of up to 2.0 points"),
    ],
)
def test_an_interval_is_read_against_the_instruments_threshold(instrument, low, high, reading):
    assert str(sentences.interval_reading(instrument, low, high)) == reading


def test_the_reading_follows_each_instruments_direction():
    # the same numbers read as improvement on the PSEQ and as worsening on the PSQ
    assert str(sentences.interval_reading("pseq", 12.0, 20.0)).startswith("lies wholly above the book's assumed 11")
    assert str(sentences.interval_reading("psq", 12.0, 20.0)).startswith("is compatible with worsening")


def test_a_limit_exactly_at_the_threshold_reaches_it_and_a_tiny_side_is_not_called_zero():
    assert str(sentences.interval_reading("psq", -8.0, 1.0)).startswith(
        "is compatible with improvements of up to 8.0 points, reaching the book's assumed 8-point threshold,"
    )
    tiny = str(sentences.interval_reading("pseq", -0.5, 0.04))
    assert "improvements of less than 0.1 points" in tiny and "up to 0.0" not in tiny


def test_an_interval_without_width_or_without_limits_says_why():
    assert sentences.interval_reading("piq", -3.0, -3.0, n=8) == "has no width, because all 8 changes are equal"
    reason = "a paired t-test needs at least 2 participants with both scores; this cohort has 1"
    assert sentences.interval_reading("piq", np.nan, np.nan, reason=reason) == f"cannot be computed: {reason}"


def test_a_cohorts_change_is_read_from_its_own_paired_interval():
    # changes −20, −15, −10, −5, 0 in PIQ: mean −10, SD 7.906, t(0.975, 4) = 2.776, so −19.82 to −0.18
    data = tidy_pairs(np.full(5, 40.0), np.array([20.0, 25.0, 30.0, 35.0, 40.0]))
    assert str(sentences.change_reading(data, "piq")) == (
        "is compatible with improvements from 0.2 points, short of the book's assumed 7-point threshold, "
        "to 19.8 points, beyond it; it excludes no change and worsening"
    )
    one = tidy_pairs(np.array([40.0]), np.array([30.0]))
    assert str(sentences.change_reading(one, "piq")).startswith("cannot be computed: ")


def test_the_flow_figure_is_replaced_by_a_sentence_when_every_step_keeps_everyone():
    equal = pd.DataFrame({"step": [f"step {index}" for index in range(7)], "n": [14] * 7, "excluded": [0] * 7})
    lead, instead = sentences.flow_figure(equal)
    assert lead == "Nobody is lost at any step."
    assert instead == "No figure is drawn: it would show 7 equal bars."
    losing = equal.assign(n=[14, 14, 13, 13, 13, 12, 12])
    lead, instead = sentences.flow_figure(losing)
    assert instead == "" and lead.startswith("The same counts as a figure")


def test_two_changes_in_one_sentence_name_a_shared_direction_once():
    falls = np.array([40.0, 50.0, 45.0]), np.array([30.0, 41.0, 38.0])
    piq = words.change_words(tidy_pairs(*falls), "piq")
    # a fall improves the PIQ and worsens the PSEQ, so the sentence names each direction
    fell = words.change_words(tidy_pairs(*falls, column="pseq"), "pseq")
    mixed = sentences.changes_in_words({"piq": piq, "pseq": fell})
    assert mixed.endswith(": the group improved on pain interference and worsened on pain self-efficacy.")
    rose = words.change_words(tidy_pairs(*falls[::-1], column="pseq"), "pseq")
    same = sentences.changes_in_words({"piq": piq, "pseq": rose})
    assert same == (
        "Pain interference {glue}`piq_23_average` and pain self-efficacy {glue}`pseq_23_change`: on both measures "
        "the group improved."
    )


@pytest.fixture
def study(monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(COHORT_CSV))
    return open_book()


def test_the_audit_summary_names_each_disagreement_once_and_says_why(study):
    summary = sentences.audit_summary(study)
    assert summary.count("PSEQ paired p") == 1 and summary.count("PIQ responders") == 1
    assert "conflict with the abstract's own other numbers" in summary
