"""Regression to the mean and the noise bound in words: joint figures, parameters, and what is not shown."""

from __future__ import annotations

import numpy as np
import pytest

import cnslbp_lib as cl
from cnslbp_lib.data.source import DATA_ENV
from cnslbp_lib.publish import open_book
from cnslbp_lib.publish.chapters import regression_words
from cnslbp_lib.stats.rtm_joint_figures import joint_rtm_figures
from cnslbp_lib.stats.rtm_noise import noise_bound_from_changes

from .conftest import COHORT_CSV


def test_joint_words_give_the_illustrative_parameters_and_the_one_instrument_figure():
    data = cl.load_cohort(COHORT_CSV).data
    figures = joint_rtm_figures(data, cohort_size=14, error_correlation=0.5, flare_strength=0.5, people=20_000)
    said = regression_words.joint_rtm_words("piq", figures["piq"])
    assert (str(said.correlation), str(said.flare)) == ("0.5", "0.5")
    assert str(said.per_sd) == "1.65"  # e^0.5 = 1.6487
    assert "cnslbp-prov--assumption" in said.per_sd._repr_html_()  # the book's illustrative assumption
    assert said.expected == f"{figures['piq'].expected:.2f}"
    assert said.single == f"{figures['piq'].expected_single:.2f}"
    assert float(said.expected) > float(said.single)
    sentence = regression_words.rtm_joint(
        {"piq": said, "pseq": regression_words.joint_rtm_words("pseq", figures["pseq"])}
    )
    assert "{glue}`rtm_joint_piq_expected` points of PIQ improvement" in sentence


def test_joint_words_without_figures_say_why_and_keep_the_parameters():
    said = regression_words.joint_rtm_words("piq", None, reason="needs at least 2 stage 2 scores")
    assert said.expected == "not computable: needs at least 2 stage 2 scores"
    assert str(said.per_sd) == "1.65"
    sentence = regression_words.rtm_joint({"piq": said, "pseq": said})
    assert "{glue}" not in sentence and "needs at least 2 stage 2 scores" in sentence


def test_the_noise_bound_is_worded_on_own_data_and_withheld_on_the_reconstruction(monkeypatch):
    bound = noise_bound_from_changes([-6, 2, 0, 4, -3, 1, 5, -2, 3, 0], sd_between=10.0)
    said = regression_words.noise_words("piq", bound)
    assert said.reliability_min == "0.94" and said.note == ""
    monkeypatch.setenv(DATA_ENV, str(COHORT_CSV))
    sentence = regression_words.noise_sentence(open_book(), {"piq": said})
    assert "{glue}" not in sentence and "cannot bound the noise: they come from a prior" in sentence


def test_an_unbounded_or_undefined_noise_bound_says_so():
    flat = regression_words.noise_words("pseq", noise_bound_from_changes([1, 2, 3, 4], sd_between=0.0))
    assert flat.reliability_min.startswith("not computable: the scores do not vary")
    missing = regression_words.noise_words("pseq", None, reason="needs at least 3 participants")
    assert missing.reliability_min == "not computable: needs at least 3 participants"
    assert np.isnan(noise_bound_from_changes([1, 2, 3, 4], sd_between=0.0).reliability_min)


@pytest.mark.parametrize("instrument", ["piq", "pseq"])
def test_joint_words_on_the_reconstruction_carry_their_spread(instrument, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(COHORT_CSV))
    study = open_book()
    figures = joint_rtm_figures(study.data, cohort_size=14, error_correlation=0.5, flare_strength=0.5, people=20_000)
    said = regression_words.joint_rtm_words(instrument, figures[instrument], study.marks)
    assert f'data-key="{instrument}_rtm_joint_expected"' in said.expected._repr_html_()
    assert f'data-key="{instrument}_rtm_expected"' in said.single._repr_html_()
