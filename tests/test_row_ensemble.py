"""What one printed result allows: its totals and sums of squares, and uniform draws from them."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from cnslbp_lib.exceptions import EmptyLatticeError
from cnslbp_lib.paper.paired_result import PairedResult
from cnslbp_lib.paper.row_ensemble import row_ensemble, row_set
from cnslbp_lib.paper.targets import change_targets


def _printed(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f}".replace("-", "\u2212")


def test_the_studys_piq_row_allows_what_the_books_targets_allow():
    row = PairedResult(
        id="piq", n="14", scale_min="0", scale_max="70", score_step="1",
        mean_change="−18.79", ci_low="−29.87", ci_high="−7.70", p="0.003", effect_size="0.98", effect_size_type="dz",
    )  # fmt: skip
    found = row_set(row)
    target = next(target for target in change_targets() if target.instrument == "piq")
    assert found.candidates == ((target.total, target.sums_of_squares),)


def test_every_vector_a_small_row_allows_is_found_and_drawn_uniformly():
    # brute force: every vector of 4 changes in −3..3 whose mean and SD print as the row prints them
    n, values = 4, range(-3, 4)
    mean, sd = "0.75", "2.63"  # 36 vectors print so
    allowed = [
        vector
        for vector in itertools.product(values, repeat=n)
        if _printed(np.mean(vector)) == mean and _printed(np.std(vector, ddof=1)) == sd
    ]
    assert allowed  # the row is possible
    row = PairedResult(id="x", n=str(n), scale_min="0", scale_max="3", score_step="1", mean_change=mean, change_sd=sd)
    drawn = row_ensemble(row, 6000, seed=11)
    assert drawn.exact and drawn.method == "lattice"
    assert drawn.counts[0].count == pytest.approx(len(allowed))
    seen = Counter(tuple(int(value) for value in vector) for vector in drawn.changes)
    assert set(seen) == set(allowed)
    # every allowed vector is equally likely: a chi-square test of the counts
    observed = np.array([seen[vector] for vector in allowed])
    assert stats.chisquare(observed).pvalue > 0.001


def test_a_row_whose_numbers_cannot_hold_together_names_the_one_that_does_not():
    pseq = PairedResult(
        id="pseq", n="14", scale_min="0", scale_max="60", score_step="1",
        mean_change="+17.93", ci_low="6.03", ci_high="29.83", p="0.007",
    )  # fmt: skip
    with pytest.raises(EmptyLatticeError, match=r"without p \(0\.007\) some do, so that number does not hold"):
        row_set(pseq)


def test_a_mean_no_total_can_give_is_a_grim_failure_and_a_row_without_a_scale_says_what_it_needs():
    with pytest.raises(EmptyLatticeError, match=r"no total of 4 changes in steps of 1 .* \(GRIM\)"):
        row_set(PairedResult(id="g", n="4", scale_min="0", scale_max="9", score_step="1", mean_change="1.10"))
    with pytest.raises(EmptyLatticeError, match="needs scale"):
        row_set(PairedResult(id="s", n="10", score_step="1", mean_change="1.10"))


def test_draws_are_the_same_for_the_same_seed_and_keep_every_printed_number():
    row = PairedResult(id="r", n="20", scale_min="0", scale_max="10", score_step="1", mean_change="1.35", p="0.012")
    first, again = row_ensemble(row, 50, seed=4), row_ensemble(row, 50, seed=4)
    assert np.array_equal(first.changes, again.changes)
    for vector in first.changes:
        assert _printed(vector.mean()) == "1.35"
        assert f"{stats.ttest_1samp(vector, 0).pvalue:.3f}" == "0.012"  # scipy, independently
