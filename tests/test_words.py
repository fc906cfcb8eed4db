"""Wording that follows the numbers."""

import pytest

from cnslbp_lib.publish import words


@pytest.mark.parametrize(
    ("change", "instrument", "word"),
    [(-3.0, "piq", "improved"), (3.0, "piq", "worsened"), (3.0, "pseq", "improved"), (0.0, "pseq", "did not change")],
)
def test_improvement_word_follows_the_instrument_direction(change, instrument, word):
    assert words.improvement_word(change, instrument) == word


def test_phrases_follow_the_numbers():
    assert words.change_verb(-1.0) == "fell"
    assert words.interval_phrase(-2.0, 1.0) == "includes zero"
    assert words.interval_phrase(0.5, 1.0) == "excludes zero"
