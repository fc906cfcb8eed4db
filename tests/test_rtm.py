import numpy as np
import pytest
from scipy import stats

from cnslbp_lib.stats.rtm import expected_null_improvement, null_improvement_grid, simulate_null_improvement


def test_closed_form_and_simulation_agree_across_the_grid():
    grid = simulate_null_improvement(np.array([0.5, 0.73, 0.9]), np.array([3, 7, 11]), 8.0, people=400_000)
    # Monte Carlo standard error of the simulated mean is at most about sd·sqrt(2(1−ρ))/sqrt(selected)
    for row in grid.itertuples():
        error = 8.0 * np.sqrt(2 * (1 - row.reliability)) / np.sqrt(400_000 * row.selected_pct / 100)
        assert row.mean_improvement == pytest.approx(row.expected, abs=4 * error)


def test_closed_form_by_hand_for_one_case():
    # sd 10, reliability 0.5: error SD sqrt(50), D has SD 10; T = 10 gives (10/2)·φ(1)/Φ(1)
    assert float(expected_null_improvement(0.5, 10, 10.0)) == pytest.approx(5 * stats.norm.pdf(1) / stats.norm.cdf(1))


def test_regression_to_the_mean_shrinks_as_reliability_rises():
    values = expected_null_improvement(np.array([0.5, 0.7, 0.9]), 7, 8.0)
    assert np.all(np.diff(values) < 0)
    assert np.all(values > 0)


def test_simulation_is_seeded():
    first = simulate_null_improvement(np.array([0.7]), np.array([7]), 8.0, people=20_000, seed=3)
    second = simulate_null_improvement(np.array([0.7]), np.array([7]), 8.0, people=20_000, seed=3)
    assert first.equals(second)


def test_grid_spans_the_slider_ranges():
    grid = null_improvement_grid(8.0, 7, cohort_size=14)
    assert grid["reliability"].min() == 0.5 and grid["reliability"].max() == 0.95
    assert grid["threshold"].min() == 2 and grid["threshold"].max() == 14


def test_reliability_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="reliability must lie strictly between 0 and 1"):
        expected_null_improvement(1.0, 7, 8.0)


def test_reliability_explaining_inverts_the_closed_form():
    from cnslbp_lib.stats.rtm import reliability_explaining

    needed = reliability_explaining(1.0, 7, 8.0)
    assert float(expected_null_improvement(needed, 7, 8.0)) == pytest.approx(1.0)
    assert np.isnan(reliability_explaining(50.0, 7, 8.0))  # far beyond what noise can produce
    assert np.isnan(reliability_explaining(-1.0, 7, 8.0))
