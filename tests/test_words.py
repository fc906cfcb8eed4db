"""Wording that follows the numbers."""

import numpy as np
import pytest

from cnslbp_lib.publish import phrases, words


@pytest.mark.parametrize(
    ("change", "instrument", "word"),
    [(-3.0, "piq", "improved"), (3.0, "piq", "worsened"), (3.0, "pseq", "improved"), (0.0, "pseq", "did not change")],
)
def test_improvement_word_follows_the_instrument_direction(change, instrument, word):
    assert phrases.improvement_word(change, instrument) == word


def test_phrases_follow_the_numbers():
    assert phrases.change_verb(-1.0) == "fell"
    assert phrases.interval_phrase(-2.0, 1.0) == "includes zero"
    assert phrases.interval_phrase(0.5, 1.0) == "excludes zero"


def test_intervals_and_p_values_that_cannot_be_computed_say_so():
    assert phrases.interval_phrase(2.0, 2.0, n=8) == "has no width, because all 8 changes are equal"
    assert phrases.interval_phrase(float("nan"), float("nan")) == "cannot be computed"
    assert phrases.p_text(float("nan"), "all 8 changes are equal") == "p not computable: all 8 changes are equal"


def test_change_words_follow_identical_and_missing_changes():
    from .conftest import tidy_pairs

    same = words.change_words(tidy_pairs(np.array([40.0, 50.0]), np.array([35.0, 45.0])), "piq")
    assert str(same.change) == "fell by 5.00 points"
    assert str(same.change_p) == "fell by 5.00 points (p not computable: all 2 changes are equal, so their SD is 0)"
    assert same.dz == "not computable: all 2 changes are equal, so their SD is 0"
    none = words.change_words(tidy_pairs(np.array([40.0]), np.array([35.0])), "piq")
    assert none.change == "could not be compared (needs at least 2 participants with both scores; this cohort has 1)"
    assert none.direction == "could not be assessed" and none.interval == "cannot be computed"
    still = words.change_words(tidy_pairs(np.array([40.0, 50.0]), np.array([40.0, 50.0])), "piq")
    assert still.change == "did not change" and str(still.average) == "did not change on average"
