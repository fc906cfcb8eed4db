import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cnslbp_lib as cl

from .conftest import tidy_pairs


def test_responder_counts_match_the_abstract_counts(cohort):
    piq = cl.responders(cohort.data, "piq")
    pseq = cl.responders(cohort.data, "pseq")
    assert (piq.k, piq.n, pseq.k, pseq.n) == (11, 14, 9, 14)
    assert piq.pct == pytest.approx(100 * 11 / 14)


def test_wilson_interval_matches_the_closed_form():
    # Wilson (1927): centre (k + z²/2)/(n + z²), half-width z·sqrt(k(n−k)/n + z²/4)/(n + z²)
    data = tidy_pairs(np.full(14, 40.0), np.array([20.0] * 11 + [39.0] * 3))
    row = cl.responders(data, "piq")
    z, k, n = stats.norm.ppf(0.975), 11, 14
    centre = (k + z**2 / 2) / (n + z**2)
    half = z * np.sqrt(k * (n - k) / n + z**2 / 4) / (n + z**2)
    assert (row.ci_low, row.ci_high) == pytest.approx((100 * (centre - half), 100 * (centre + half)), rel=1e-9)


def test_threshold_is_inclusive_and_follows_the_direction_of_improvement():
    data = tidy_pairs(np.array([40.0, 40, 40]), np.array([33.0, 34, 47]))
    table = cl.responder_table(data, "piq")
    assert table["responder"].tolist() == [True, False, False]
    assert cl.responders(data, "piq", threshold=6).k == 2


def test_sweep_agrees_with_the_single_threshold_count_everywhere(cohort):
    sweep = cl.responder_sweep(cohort.data, "pseq")
    for threshold in (0, 5, 11, 12, 30, 60):
        expected = cl.responders(cohort.data, "pseq", threshold=threshold).k
        assert sweep.loc[sweep["threshold"] == threshold, "k"].item() == expected
    assert sweep.loc[sweep["is_registry_threshold"], "threshold"].tolist() == [11]


def test_every_reconstructed_participant_is_a_pain_education_non_responder(cohort):
    table = cl.pe_nonresponse(cohort.data)
    assert len(table) == 14
    assert table["non_responder"].all()
    assert (table["piq_change"] > -7).all() and (table["pseq_change"] < 11).all()


def test_non_response_is_undecided_when_a_score_is_missing():
    data = tidy_pairs(np.array([40.0, 40]), np.array([38.0, np.nan]), column="piq").assign(pseq=[20.0, 20, 22, 35])
    data["stage"] = data["stage"] - 1  # stages 1 and 2
    table = cl.pe_nonresponse(data).set_index("participant")
    assert bool(table.loc["s00", "non_responder"]) is True
    assert table.loc["s01", "non_responder"] is pd.NA
    assert not table.loc["s01", "complete"]


def test_counts_of_changes_never_mix_responders_and_non_responders_in_a_bin(cohort):
    from cnslbp_lib.stats.responder_analysis import improvement_quantiles, responder_counts

    for instrument in ("piq", "pseq"):
        table = cl.responder_table(cohort.data, instrument)
        for step in (1, 3, 5):
            counts = responder_counts(cohort.data, instrument, step=step)
            assert counts["count"].sum() == len(table)
            assert not counts.duplicated(["low"]).any()  # one status per bin: bins start at the threshold
            assert counts.loc[counts["responder"], "count"].sum() == table["responder"].sum()
    curve = improvement_quantiles(cohort.data, "piq")
    improvement = cl.responder_table(cohort.data, "piq")["improvement"]
    assert curve["improvement"].iloc[0] == improvement.max() and curve["improvement"].iloc[-1] == improvement.min()
    assert curve["improvement"].is_monotonic_decreasing
