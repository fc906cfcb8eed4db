"""The batch statistics against the single-dataset core, member by member.

The reference for every batch function is the matching function of
:mod:`cnslbp_lib.stats.core` applied to one row at a time (``core.paired_t``,
``core.correlation``, ``core.signed_rank``, ``core.bootstrap_mean_change``);
pingouin, ``scipy.stats.bootstrap`` and brute-force loops are independent
checks on top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from cnslbp_lib.exceptions import NotEnoughDataError
from cnslbp_lib.stats import bootstrap, core
from cnslbp_lib.stats.batch import (
    correlation_batch,
    paired_t_batch,
    responder_share_batch,
    rtm_share_batch,
    stage_summary_batch,
)
from cnslbp_lib.stats.batch_ranks import signed_rank_p_batch
from cnslbp_lib.stats.batch_resampling import bootstrap_ci_batch, least_favourable_leave_one_out
from cnslbp_lib.stats.rtm import expected_null_improvement

MEMBERS, N = 40, 14


def _ensemble() -> tuple[np.ndarray, np.ndarray]:
    """40 members × 14 participants of integer scores, with the awkward rows put in on purpose."""
    rng = np.random.default_rng(20240611)
    before = rng.integers(10, 70, size=(MEMBERS, N))
    changes = rng.integers(-40, 41, size=(MEMBERS, N))
    changes[1:8] = rng.integers(-4, 5, size=(7, N))  # many zeros and tied |change|
    changes[8] = 6  # every change equal: SD 0
    changes[9] = 0  # every change 0: nothing to rank
    changes[10, :13] = 0  # a single non-zero change
    changes[11] = [3, -3, 3, -3, 5, 5, -5, 1, 2, 0, 0, 7, -7, 7]  # ties of |change| with both signs
    changes[12] = np.arange(1, N + 1)  # untied, all improving
    changes[13] = -np.arange(1, N + 1) * 3  # untied, all worsening
    before[14] = 30  # constant stage: no correlation
    before[15] = 5 * np.arange(N)
    changes[15] = -before[15] // 5  # after = 4 × before: a perfect correlation
    before[16] = np.arange(N)
    changes[16] = np.arange(N)  # after = 2 × before, ranks tie-free
    return before.astype(float), (before + changes).astype(float)


BEFORE, AFTER = _ensemble()
CHANGES = AFTER - BEFORE


def _same(actual: float, expected: float, *, tol: float = 0.0) -> bool:
    if np.isnan(expected):
        return bool(np.isnan(actual))
    return bool(abs(actual - expected) <= tol * max(1.0, abs(expected)))


def test_paired_t_batch_equals_core_paired_t_for_every_member():
    batch = paired_t_batch(BEFORE, AFTER)
    assert batch.n == N
    for row in range(MEMBERS):
        single = core.paired_t(BEFORE[row], AFTER[row], confidence=0.95)  # the reference
        for field in ("mean_change", "sd_change", "ci_low", "ci_high", "t", "p_val", "dz"):
            assert _same(getattr(batch, field)[row], getattr(single, field), tol=1e-12), (row, field)


def test_paired_t_batch_is_nan_where_every_change_is_equal_and_honours_the_confidence():
    batch = paired_t_batch(BEFORE, AFTER, confidence=0.9)
    assert np.isnan(batch.t[8]) and np.isnan(batch.p_val[8]) and np.isnan(batch.dz[8])
    assert batch.sd_change[8] == 0 and batch.ci_low[8] == batch.ci_high[8] == 6
    single = core.paired_t(BEFORE[0], AFTER[0], confidence=0.9)
    assert (batch.ci_low[0], batch.ci_high[0]) == pytest.approx((single.ci_low, single.ci_high), rel=1e-12)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlation_batch_equals_core_correlation_for_every_member(method):
    batch = correlation_batch(BEFORE, AFTER, method=method)
    assert (batch.method, batch.n) == (method, N)
    for row in range(MEMBERS):
        single = core.correlation(BEFORE[row], AFTER[row], method=method)  # the reference
        for field in ("r", "ci_low", "ci_high", "p_val"):
            assert _same(getattr(batch, field)[row], getattr(single, field), tol=1e-10), (row, field)


def test_correlation_batch_is_nan_for_a_constant_row_and_has_no_interval_for_a_perfect_one():
    for method in ("pearson", "spearman"):
        batch = correlation_batch(BEFORE, AFTER, method=method)
        assert np.isnan([batch.r[14], batch.p_val[14], batch.ci_low[14], batch.ci_high[14]]).all()
        assert batch.r[15] == pytest.approx(1.0) and np.isnan(batch.ci_low[15]) and np.isnan(batch.ci_high[15])


def test_correlation_batch_agrees_with_pingouin_on_a_few_members():
    for method in ("pearson", "spearman"):
        batch = correlation_batch(BEFORE, AFTER, method=method)
        for row in (0, 3, 20):
            table = pg.corr(pd.Series(BEFORE[row]), pd.Series(AFTER[row]), method=method)
            assert batch.r[row] == pytest.approx(table["r"].iloc[0], rel=1e-10)
            assert batch.p_val[row] == pytest.approx(table["p_val"].iloc[0], rel=1e-8)
            # pingouin rounds its interval to two decimals
            low, high = table["CI95"].iloc[0]
            assert (batch.ci_low[row], batch.ci_high[row]) == pytest.approx((low, high), abs=0.0051)


def test_correlation_batch_with_three_participants_has_r_and_p_but_no_interval():
    batch = correlation_batch([[1, 2, 4], [3, 1, 2]], [[2, 3, 3], [1, 2, 3]])
    single = core.correlation([1, 2, 4], [2, 3, 3])
    assert batch.r[0] == pytest.approx(single.r, rel=1e-12)
    assert batch.p_val[0] == pytest.approx(single.p_val, rel=1e-12)
    assert np.isnan(batch.ci_low).all() and np.isnan(batch.ci_high).all()


def test_signed_rank_p_batch_equals_core_signed_rank_for_every_member_exactly():
    p_values = signed_rank_p_batch(CHANGES)
    methods = set()
    for row in range(MEMBERS):
        single = core.signed_rank(BEFORE[row], AFTER[row])  # the reference
        methods.add(single.method)
        assert _same(p_values[row], single.p_val), (row, single.method, p_values[row], single.p_val)
    assert methods == {"exact", "approx", "none"}  # every branch was exercised
    assert np.isnan(p_values[9])


def test_signed_rank_p_batch_handles_more_than_fifty_changes_and_integer_input():
    rng = np.random.default_rng(7)
    changes = rng.normal(0.3, 1, size=(5, 60))
    changes[0, :10] = 0  # 50 non-zero: still exact
    p_values = signed_rank_p_batch(changes)
    for row in range(5):
        assert p_values[row] == core.signed_rank(np.zeros(60), changes[row]).p_val
    integers = rng.integers(-3, 4, size=(6, 9))
    assert np.array_equal(
        signed_rank_p_batch(integers),
        [core.signed_rank(np.zeros(9), row).p_val for row in integers],
        equal_nan=True,
    )


def test_percentile_bootstrap_batch_reproduces_core_bootstrap_row_by_row():
    batch = bootstrap_ci_batch(CHANGES, n_resamples=2_000, seed=11)
    for row in range(MEMBERS):
        single = bootstrap.bootstrap_mean_change(BEFORE[row], AFTER[row], n_resamples=2_000, seed=11)  # the reference
        assert (batch.ci_low[row], batch.ci_high[row]) == (single.ci_low, single.ci_high), row
        assert batch.mean_change[row] == pytest.approx(single.mean_change, rel=1e-12)
    assert batch.ci_low[8] == batch.ci_high[8] == 6


def test_percentile_bootstrap_batch_reproduces_core_for_non_integer_changes_and_any_number_of_workers():
    rng = np.random.default_rng(3)
    changes = np.round(rng.normal(0, 5, size=(6, N)), 1)
    changes[1, :4] = changes[1, 4]  # ties in decimal values
    serial = bootstrap_ci_batch(changes, n_resamples=1_000, confidence=0.9)
    threaded = bootstrap_ci_batch(changes, n_resamples=1_000, confidence=0.9, workers=2)
    assert np.array_equal(serial.ci_low, threaded.ci_low) and np.array_equal(serial.ci_high, threaded.ci_high)
    for row in range(6):
        single = bootstrap.bootstrap_mean_change(np.zeros(N), changes[row], n_resamples=1_000, confidence=0.9)
        assert (serial.ci_low[row], serial.ci_high[row]) == (single.ci_low, single.ci_high)


def test_bca_bootstrap_batch_agrees_with_scipy_within_monte_carlo_error():
    batch = bootstrap_ci_batch(CHANGES, method="bca")
    assert batch.method == "bca"
    for row in (0, 2, 11, 20, 33):
        reference = stats.bootstrap(
            (CHANGES[row],), np.mean, method="BCa", n_resamples=10_000, rng=np.random.default_rng(row)
        ).confidence_interval
        width = reference.high - reference.low
        assert batch.ci_low[row] == pytest.approx(reference.low, abs=0.05 * width), row
        assert batch.ci_high[row] == pytest.approx(reference.high, abs=0.05 * width), row
    assert batch.ci_low[8] == batch.ci_high[8] == 6


def test_bca_shifts_the_percentile_interval_towards_the_long_tail():
    skewed = np.array([[0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 8, 15, 40]], dtype=float)
    percentile = bootstrap_ci_batch(skewed)
    bca = bootstrap_ci_batch(skewed, method="bca")
    assert bca.ci_low[0] > percentile.ci_low[0] and bca.ci_high[0] > percentile.ci_high[0]


def test_bca_of_decimal_changes_does_not_depend_on_the_other_members_of_the_batch():
    # decimal changes: the observed mean and a tied resample's mean can differ in the last bit depending on the
    # row's memory alignment in a chunk; ties are counted within rounding, as the core counts them
    rng = np.random.default_rng(20240611)
    rng.integers(10, 70, (MEMBERS, N)), rng.integers(-40, 41, (MEMBERS, N))  # a state known to hit such a tie
    decimals = np.round(rng.normal(0, 5, (6, N)), 1)
    options = {"method": "bca", "n_resamples": 1_000, "confidence": 0.9}
    alone = bootstrap_ci_batch(decimals[[5]], **options)
    together = bootstrap_ci_batch(decimals, **options)
    single = bootstrap.bootstrap_mean_change(np.zeros(N), decimals[5], **options)
    assert alone.ci_low[0] == together.ci_low[5] == single.ci_low
    assert alone.ci_high[0] == together.ci_high[5] == single.ci_high


@pytest.mark.parametrize("sign", [1, -1])
def test_least_favourable_leave_one_out_matches_a_brute_force_refit(sign):
    batch = least_favourable_leave_one_out(CHANGES, improvement_sign=sign)
    assert batch.n == N - 1
    for row in range(MEMBERS):
        # brute force: refit core.paired_t without each participant, keep the smallest improvement
        refits = [
            core.paired_t(np.delete(BEFORE[row], left_out), np.delete(AFTER[row], left_out)) for left_out in range(N)
        ]
        improvements = [refit.mean_change * sign for refit in refits]
        worst = min(improvements)
        assert improvements[batch.index[row]] == worst  # the same participant (or one with the same change)
        chosen = refits[batch.index[row]]
        assert batch.change[row] == CHANGES[row, batch.index[row]]
        for field in ("mean_change", "sd_change", "ci_low", "ci_high", "t", "p_val", "dz"):
            assert _same(getattr(batch, field)[row], getattr(chosen, field), tol=1e-12), (row, field)


def test_least_favourable_leave_one_out_takes_out_the_first_of_tied_participants():
    changes = np.array([[-9.0, 1, -9, 4, 2], [5, 5, 1, 0, 2]])
    lower_is_better = least_favourable_leave_one_out(changes, improvement_sign=-1)
    higher_is_better = least_favourable_leave_one_out(changes, improvement_sign=1)
    assert lower_is_better.index.tolist() == [0, 3]
    assert higher_is_better.index.tolist() == [3, 0]


def test_responder_share_batch_counts_at_or_above_the_threshold_unless_strict():
    improvement = np.array([[7, 8, 6, -1], [7, 7, 7, 7], [0, 0, 0, 0]])
    assert responder_share_batch(improvement, 7).tolist() == [50.0, 100.0, 0.0]
    assert responder_share_batch(improvement, 7, strict=True).tolist() == [25.0, 0.0, 0.0]
    assert responder_share_batch(improvement, [7, 8, -1]).tolist() == [50.0, 0.0, 100.0]
    for row in range(MEMBERS):
        share = responder_share_batch(-CHANGES, 5)[row]
        assert share == pytest.approx(core.proportion(int((-CHANGES[row] >= 5).sum()), N).pct, rel=1e-12)


def test_stage_summary_batch_matches_the_formulas_member_by_member():
    summary = stage_summary_batch(BEFORE, AFTER)
    for row in range(MEMBERS):
        sd_before, sd_after = BEFORE[row].std(ddof=1), AFTER[row].std(ddof=1)
        assert summary.sd_before[row] == pytest.approx(sd_before, rel=1e-12)
        assert summary.sd_after[row] == pytest.approx(sd_after, rel=1e-12)
        assert _same(summary.d_av[row], CHANGES[row].mean() / ((sd_before + sd_after) / 2), tol=1e-12)
        assert _same(summary.r_stages[row], core.correlation(BEFORE[row], AFTER[row]).r, tol=1e-12)
    assert np.isnan(summary.r_stages[14])
    flat = stage_summary_batch(np.full((1, 5), 3.0), np.full((1, 5), 4.0))
    assert np.isnan(flat.d_av[0]) and np.isnan(flat.r_stages[0])


def test_rtm_share_batch_is_the_closed_form_over_the_observed_improvement():
    observed = np.array([1.308, 0.2, 3.0, 0.0, -1.0, 2.0])
    sd = np.array([8.0, 8.0, 12.5, 8.0, 8.0, 0.0])
    shares = rtm_share_batch(observed, sd, 7, 0.73)
    for row in range(3):
        expected = float(expected_null_improvement(0.73, 7, sd[row])) / observed[row]
        assert shares[row] == pytest.approx(min(1.0, expected), rel=1e-12)
    assert shares[1] == 1.0  # regression to the mean alone would more than explain it
    assert np.isnan(shares[3:]).all()  # no improvement, or no spread at baseline
    per_member = rtm_share_batch(observed[:3], sd[:3], [7, 5, 9], [0.6, 0.75, 0.9])
    assert per_member[2] == pytest.approx(float(expected_null_improvement(0.9, 9, 12.5)) / 3.0, rel=1e-12)


def test_batch_functions_reject_bad_shapes_and_too_few_participants():
    with pytest.raises(ValueError, match="two-dimensional"):
        paired_t_batch([1.0, 2.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="same shape"):
        correlation_batch(BEFORE, AFTER[:, :5])
    with pytest.raises(ValueError, match="finite numbers only"):
        signed_rank_p_batch([[1.0, np.nan]])
    with pytest.raises(NotEnoughDataError, match="this cohort has 2"):
        correlation_batch([[1.0, 2.0]], [[2.0, 1.0]])
    with pytest.raises(NotEnoughDataError):
        least_favourable_leave_one_out([[1.0, 2.0]], improvement_sign=1)
    with pytest.raises(ValueError, match="improvement_sign"):
        least_favourable_leave_one_out(CHANGES, improvement_sign=0)
    with pytest.raises(ValueError, match="one value per member"):
        responder_share_batch(CHANGES, [1.0, 2.0])
    with pytest.raises(ValueError, match="reliability"):
        rtm_share_batch([1.0, 2.0], 8.0, 7, 1.0)
    with pytest.raises(ValueError, match="method"):
        bootstrap_ci_batch(CHANGES, method="basic")  # type: ignore[arg-type]
