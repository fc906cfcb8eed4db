"""The statistics core against independent references: R's published output, scipy, pingouin and the batch versions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cnslbp_lib.exceptions import NotEnoughDataError
from cnslbp_lib.stats.batch_resampling import bootstrap_ci_batch
from cnslbp_lib.stats.bootstrap import bootstrap_mean_change
from cnslbp_lib.stats.core import (
    correlation,
    dz_for_correlation,
    paired_t,
    proportion,
    signed_rank,
)

# Student's sleep data (Cushny & Peebles 1905; R's `sleep` dataset): extra hours of sleep
# in ten patients under two drugs.
SLEEP_DRUG_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_DRUG_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])


def test_paired_t_reproduces_r_published_result_for_the_sleep_data():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) prints
    # t = -4.0621, df = 9, p-value = 0.002833,
    # 95 percent confidence interval: -2.4598858 -0.7001142, mean difference -1.58
    row = paired_t(SLEEP_DRUG_2, SLEEP_DRUG_1)
    assert row.n == 10
    assert row.dof == 9
    assert row.mean_change == pytest.approx(-1.58)
    assert row.t == pytest.approx(-4.0621, abs=5e-5)
    assert row.p_val == pytest.approx(0.002833, abs=5e-7)
    assert (row.ci_low, row.ci_high) == pytest.approx((-2.4598858, -0.7001142), abs=5e-8)


def test_wilson_interval_matches_the_published_formula():
    # Wilson (1927) score interval for 11 of 14 at 95%, computed from the formula by hand:
    # centre (k + z²/2)/(n + z²), half-width z/(n + z²)·sqrt(k(n−k)/n + z²/4), z = 1.959964
    z = 1.959963984540054
    k, n = 11, 14
    centre = (k + z**2 / 2) / (n + z**2)
    half = z / (n + z**2) * np.sqrt(k * (n - k) / n + z**2 / 4)
    share = proportion(k, n)
    assert (share.ci_low, share.ci_high) == pytest.approx((100 * (centre - half), 100 * (centre + half)), rel=1e-12)


def test_too_few_pairs_raise_the_named_not_enough_data_error():
    with pytest.raises(NotEnoughDataError, match="needs at least 2 participants with both scores; this cohort has 1"):
        paired_t([1.0], [2.0])
    with pytest.raises(NotEnoughDataError, match="this cohort has 2") as raised:
        correlation([1.0, 2.0], [3.0, 1.0])
    assert isinstance(raised.value, ValueError)
    assert (raised.value.needed, raised.value.available) == (3, 2)


def test_undefined_statistics_are_nan_and_say_why():
    equal = paired_t([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert np.isnan(equal.p_val) and equal.note == "all 3 changes are equal, so their SD is 0"
    zeros = signed_rank([1.0, 2.0], [1.0, 2.0])
    assert zeros.method == "none" and "all 2 changes are 0" in zeros.note
    flat = correlation([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0])
    assert np.isnan(flat.r) and "single value" in flat.note


def test_dz_curve_passes_through_the_observed_dz():
    rng = np.random.default_rng(5)
    before = rng.normal(40, 8, 30)
    after = before - 5 + rng.normal(0, 6, 30)
    observed = paired_t(before, after)
    r = np.corrcoef(before, after)[0, 1]
    curve = dz_for_correlation(observed.mean_change, before.std(ddof=1), after.std(ddof=1), [r])
    assert curve[0] == pytest.approx(observed.dz, rel=1e-12)


def test_arrays_must_pair_up():
    with pytest.raises(ValueError, match="equal length"):
        paired_t([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="finite numbers only"):
        paired_t([1.0, np.nan], [1.0, 2.0])


# ----------------------------------------------------------------------------------------------------------------------
# Bootstrap: percentile and BCa from the same seeded draws

# Changes with a long upper tail: BCa should move the interval towards it (Efron & Tibshirani 1993, ch. 14).
SKEWED = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 8, 15, 40], dtype=float)


def test_bca_option_leaves_the_percentile_interval_exactly_as_before():
    # the reference is the percentile computation written out from the docstring: multinomial counts over the
    # distinct values drawn by default_rng(seed), their means, and np.quantile
    values = np.array([-12.0, -3, -3, 0, 2, 5, 5, 5, 9, 14, -20, 1, 7, -1])
    distinct, counts = np.unique(values, return_counts=True)
    draws = np.random.default_rng(11).multinomial(values.size, counts / values.size, size=3_000)
    expected = np.quantile(draws @ distinct / values.size, [0.025, 0.975])
    default = bootstrap_mean_change(np.zeros(values.size), values, n_resamples=3_000, seed=11)
    named = bootstrap_mean_change(np.zeros(values.size), values, n_resamples=3_000, seed=11, method="percentile")
    assert (default.ci_low, default.ci_high) == (named.ci_low, named.ci_high) == tuple(expected)
    assert default.method == "percentile" and default.note == ""


def test_bca_equals_the_ensemble_version_member_by_member_to_the_last_bit():
    # the reference is batch_resampling.bootstrap_ci_batch, which draws the same counts with the same seed;
    # 40 whole-number members, including ties, a constant row and all-improving/all-worsening rows
    rng = np.random.default_rng(20240611)
    before = rng.integers(10, 70, size=(40, 14)).astype(float)
    changes = rng.integers(-40, 41, size=(40, 14))
    changes[1:8] = rng.integers(-4, 5, size=(7, 14))  # many ties
    changes[8] = 6  # every change equal
    changes[9] = np.arange(1, 15)
    changes[10] = -3 * np.arange(1, 15)
    after = before + changes
    for confidence in (0.95, 0.9):
        batch = bootstrap_ci_batch(after - before, method="bca", n_resamples=2_000, seed=11, confidence=confidence)
        for row in range(40):
            single = bootstrap_mean_change(
                before[row], after[row], method="bca", n_resamples=2_000, seed=11, confidence=confidence
            )
            assert (single.ci_low, single.ci_high) == (batch.ci_low[row], batch.ci_high[row]), (confidence, row)
    assert single.method == "bca"
    assert bootstrap_mean_change(before[8], after[8], method="bca").ci_low == 6.0


@pytest.mark.parametrize("row", range(4))
def test_bca_agrees_with_scipy_within_monte_carlo_error(row):
    # the reference is scipy.stats.bootstrap(method="BCa"), with its own independent resamples; both use 40,000
    # resamples, so the limits differ only by Monte Carlo error (a few per cent of the width at most)
    rng = np.random.default_rng(row)
    values = [SKEWED, np.round(rng.normal(-18.8, 19.2, 14)), np.round(rng.exponential(6.0, 14)), rng.normal(0, 3, 25)][
        row
    ]
    ours = bootstrap_mean_change(np.zeros(values.size), values, method="bca", n_resamples=40_000)
    reference = stats.bootstrap(
        (values,), np.mean, method="BCa", n_resamples=40_000, rng=np.random.default_rng(100 + row)
    ).confidence_interval
    width = reference.high - reference.low
    assert ours.ci_low == pytest.approx(reference.low, abs=0.03 * width)
    assert ours.ci_high == pytest.approx(reference.high, abs=0.03 * width)


def test_bca_moves_the_interval_towards_the_long_tail():
    # Efron & Tibshirani (1993, 14.3): with positive skew the acceleration is positive and both limits move up
    percentile = bootstrap_mean_change(np.zeros(14), SKEWED)
    bca = bootstrap_mean_change(np.zeros(14), SKEWED, method="bca")
    assert bca.ci_low > percentile.ci_low and bca.ci_high > percentile.ci_high
    assert bca.mean_change == percentile.mean_change == pytest.approx(SKEWED.mean())


def test_bca_is_scale_equivariant_for_decimal_changes():
    # a property of the BCa interval (Efron & Tibshirani 1993, 14.3): multiplying the data by 10 multiplies the
    # limits by 10. With decimals a resampled mean that equals the observed one can differ from it in the last
    # bit; counting such means as ties keeps the property, an exact comparison would not.
    rng = np.random.default_rng(3)
    for _ in range(6):
        decimals = np.round(rng.normal(0, 5, 14), 1)
        tenths = bootstrap_mean_change(np.zeros(14), decimals, method="bca", n_resamples=1_000, confidence=0.9)
        whole = bootstrap_mean_change(np.zeros(14), 10 * decimals, method="bca", n_resamples=1_000, confidence=0.9)
        assert (tenths.ci_low, tenths.ci_high) == pytest.approx((whole.ci_low / 10, whole.ci_high / 10), abs=1e-12)


def test_bootstrap_method_is_checked_by_name():
    with pytest.raises(ValueError, match="method must be 'percentile' or 'bca'; got 'basic'"):
        bootstrap_mean_change([1.0, 2.0, 3.0], [2.0, 2.0, 5.0], method="basic")  # type: ignore[arg-type]
