"""The statistics core against independent references: R's published output, scipy and pingouin."""

from __future__ import annotations

import numpy as np
import pytest

from cnslbp_lib.exceptions import NotEnoughDataError
from cnslbp_lib.stats.core import correlation, dz_for_correlation, paired_t, proportion, signed_rank

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
