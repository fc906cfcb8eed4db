import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import cnslbp_lib as cl


@pytest.fixture(autouse=True)
def _unrounded_pingouin():
    pg.options["round"] = None
    pg.options["round.column.CI95"] = None


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_association_matches_pingouin(cohort, method):
    pairs = cl.change_pairs(cohort.data, "pseq", "piq")
    ours = getattr(cl.association(cohort.data, "pseq", "piq"), method)
    theirs = pg.corr(pairs["pseq_change"], pairs["piq_change"], method=method).iloc[0]
    assert ours.r == pytest.approx(theirs["r"], rel=1e-12)
    assert ours.p_val == pytest.approx(theirs["p_val"], rel=1e-9)
    # pingouin.corr rounds its interval to 6 decimals (compute_esci(..., decimals=6))
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(theirs["CI95"]), abs=5e-7)


def test_reconstructed_association_is_inverse_as_reported(cohort):
    result = cl.association(cohort.data, "piq", "pseq")
    assert result.pearson.r < 0 and result.spearman.r < 0
    assert result.n == 14


def test_association_needs_distinct_instruments_and_three_pairs(cohort):
    with pytest.raises(ValueError, match="x and y must be different instruments"):
        cl.association(cohort.data, "piq", "piq")
    few = cohort.data[cohort.data["participant"].isin(["R01", "R02"])]
    with pytest.raises(
        cl.NotEnoughDataError, match="needs at least 3 participants with both scores; this cohort has 2"
    ):
        cl.association(few, "piq", "pseq")


def test_perfect_correlation_has_no_interval():
    frame = pd.DataFrame(
        {
            "participant": ["a", "b", "c", "d"] * 2,
            "stage": [2] * 4 + [3] * 4,
            "piq": [10.0, 10, 10, 10, 9, 8, 7, 6],
            "pseq": [10.0, 10, 10, 10, 11, 12, 13, 14],
        }
    )
    row = cl.association(frame, "piq", "pseq").pearson
    assert row.r == pytest.approx(-1.0)
    assert np.isnan(row.ci_low)


def test_least_squares_line_and_binned_pairs():
    from cnslbp_lib.stats.correlation import binned_pairs, least_squares_line

    x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 2.0, 2.0, 5.0])
    slope, intercept = least_squares_line(x, y)
    assert (slope, intercept) == pytest.approx(np.polyfit(x, y, 1))
    assert np.isnan(least_squares_line(np.ones(3), y[:3])[0])
    with pytest.raises(cl.NotEnoughDataError):
        least_squares_line(x[:1], y[:1])
    cells = binned_pairs(np.array([0, 1, 2, 5]), np.array([0, 1, 2, 5]), step=2)
    assert cells[["x", "y", "count"]].to_numpy().tolist() == [[0, 0, 2], [2, 2, 1], [4, 4, 1]]
