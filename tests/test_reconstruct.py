"""The reconstruction: reproducible byte for byte, and faithful to the abstract where it can be."""

import hashlib

import numpy as np
import pytest

import cnslbp_lib as cl
from cnslbp_lib.data.source import reconstruction_sha256
from cnslbp_lib.paper.reconstruction import ASSUMPTIONS, Assumptions, change_targets, reconstruction_csv

from .conftest import COHORT_CSV


@pytest.fixture(scope="module")
def csv_text():
    return reconstruction_csv()


def test_reconstruction_regenerates_the_committed_file_byte_for_byte(csv_text):
    assert csv_text.encode("utf-8") == COHORT_CSV.read_bytes()
    assert hashlib.sha256(csv_text.encode()).hexdigest() == reconstruction_sha256()


def test_targets_come_from_the_printed_numbers():
    targets = {target.instrument: target for target in change_targets()}
    assert targets["piq"].total == -263 and targets["piq"].responders == 11
    assert targets["pseq"].total == 251 and targets["pseq"].responders == 9
    assert targets["pseq"].not_targets == ("pseq_p_val",)
    assert targets["psq"].targets == ("psq_mean_change", "psq_p_val")
    low, high = targets["piq"].sum_of_squares
    # the window's SD range contains the SD implied by the printed CI (19.1987, by hand)
    assert np.sqrt((low - 263**2 / 14) / 13) <= 19.1987 <= np.sqrt((high - 263**2 / 14) / 13)


def test_scores_are_whole_numbers_inside_each_scale(cohort):
    for instrument in cl.INSTRUMENTS:
        scores = cohort.data[instrument.key]
        assert scores.between(instrument.minimum, instrument.maximum).all()
        assert scores.dtype.name == "Int64"


def test_no_change_sits_exactly_on_a_threshold(cohort):
    for key in ("piq", "pseq"):
        table = cl.responder_table(cohort.data, key)
        assert (table["improvement"] != cl.get_instrument(key).threshold).all()


def test_association_strength_is_within_the_documented_window(cohort):
    r = cl.association(cohort.data).pearson.r
    low, high = ASSUMPTIONS.correlations[("pseq", "piq")]
    assert low <= r <= high


def test_global_change_tracks_the_changes(cohort):
    improvement = cl.responder_table(cohort.data, "piq").set_index("participant")["improvement"]
    ratings = cohort.data[cohort.data["stage"] == 3].set_index("participant")["global_change"].astype(float)
    rho = np.corrcoef(improvement.loc[ratings.index].to_numpy(float), ratings.to_numpy())[0, 1]
    assert rho > 0.5
    stage_two = cohort.data.loc[cohort.data["stage"] == 2, "global_change"]
    assert stage_two.abs().max() <= 1  # nobody felt much changed by pain education


def test_another_seed_gives_another_valid_reconstruction():
    other = cl.reconstruct(Assumptions(seed=1))
    assert other.to_csv(index=False) != COHORT_CSV.read_text(encoding="utf-8")
    row = cl.paired_change(other, "piq")
    assert cl.format_ci(row.ci_low, row.ci_high, 2) == "\u221229.87 to \u22127.70"


def test_impossible_constraints_fail_with_a_reconstruction_error():
    with pytest.raises(cl.ReconstructionError, match="no reconstruction met every target in 3 attempts"):
        cl.reconstruct(Assumptions(correlations={("pseq", "piq"): (0.9, 0.95)}, max_attempts=3))


def test_stage_two_and_three_scores_correlate_positively_within_the_window(cohort):
    low, high = ASSUMPTIONS.stage_correlation
    for instrument in cl.INSTRUMENTS:
        pairs = cl.stage_change(cohort.data, instrument.key).changes
        r = np.corrcoef(pairs["before"], pairs["after"])[0, 1]
        assert low <= r <= high, instrument.key
