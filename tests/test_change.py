"""Paired change from a cohort frame: pairing, exclusions, and agreement with scipy and pingouin."""

from __future__ import annotations

import numpy as np
import pingouin as pg
import pytest
from scipy import stats

import cnslbp_lib as cl

from .conftest import tidy_pairs


@pytest.fixture(autouse=True)
def _unrounded_pingouin():
    pg.options["round"] = None
    pg.options["round.column.CI95"] = None


def test_paired_change_matches_pingouin_including_signed_dz(cohort):
    change = cl.stage_change(cohort.data, "pseq")
    ours = cl.paired_change(cohort.data, "pseq")
    theirs = pg.ttest(change.changes["after"], change.changes["before"], paired=True).iloc[0]
    dz = pg.compute_effsize(change.changes["after"], change.changes["before"], paired=True, eftype="cohen_dz")
    assert ours.t == pytest.approx(theirs["T"], rel=1e-12)
    assert ours.p_val == pytest.approx(theirs["p_val"], rel=1e-12)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(theirs["CI95"]), rel=1e-12)
    assert ours.dz == pytest.approx(dz, rel=1e-12)
    assert ours.dz == pytest.approx(ours.t / np.sqrt(ours.n), rel=1e-12)


def test_reconstruction_prints_the_abstract_piq_result(cohort):
    row = cl.paired_change(cohort.data, "piq")
    printed = (
        cl.format_number(row.mean_change, 2),
        cl.format_ci(row.ci_low, row.ci_high, 2),
        cl.format_p(row.p_val),
        cl.format_number(abs(row.dz), 2),
    )
    assert printed == ("\u221218.79", "\u221229.87 to \u22127.70", "0.003", "0.98")


def test_participants_without_both_scores_are_excluded_by_name():
    data = tidy_pairs(np.array([10.0, 12, 14, 16]), np.array([8.0, 9, np.nan, 15]))
    data = data[~((data["participant"] == "s03") & (data["stage"] == 3))]
    change = cl.stage_change(data, "piq")
    assert change.excluded.to_dict("records") == [
        {"participant": "s02", "reason": "PIQ blank at stage 3"},
        {"participant": "s03", "reason": "no stage 3 row"},
    ]
    assert (cl.paired_change(data, "piq").n, change.n_excluded) == (2, 2)


def test_identical_changes_give_a_zero_width_interval_and_no_test():
    row = cl.paired_change(tidy_pairs(np.array([5.0, 6, 7]), np.array([3.0, 4, 5])), "piq")
    assert (row.mean_change, row.sd_change, row.ci_low, row.ci_high) == (-2.0, 0.0, -2.0, -2.0)
    assert np.isnan(row.t) and np.isnan(row.p_val) and np.isnan(row.dz)


def test_arguments_are_checked_with_named_rules(cohort):
    with pytest.raises(ValueError, match="from_stage must be a stage number"):
        cl.paired_change(cohort.data, "piq", from_stage=0)
    with pytest.raises(ValueError, match="from_stage and to_stage must differ"):
        cl.paired_change(cohort.data, "piq", from_stage=2, to_stage=2)
    with pytest.raises(ValueError, match="confidence must lie strictly between 0 and 1"):
        cl.paired_change(cohort.data, "piq", confidence=95)
    one_pair = tidy_pairs(np.array([1.0]), np.array([2.0]))
    with pytest.raises(ValueError, match="needs at least 2 participants with both scores; this cohort has 1"):
        cl.paired_change(one_pair, "piq")


def test_wilcoxon_on_tied_integer_changes_uses_the_normal_approximation_as_scipy_does(cohort):
    change = cl.stage_change(cohort.data, "piq")
    ours = cl.wilcoxon_change(cohort.data, "piq")
    reference = stats.wilcoxon(change.change_values, method="approx")
    assert ours.method == "approx"
    assert ours.p_val == pytest.approx(reference.pvalue, rel=1e-12)
    assert ours.w_val == reference.statistic


def test_wilcoxon_without_ties_is_exact_and_matches_pingouin():
    before = np.array([30.0, 31, 32, 33, 34, 35, 36, 37])
    after = before + np.array([-9.0, -7, -6, -4, -3, 2, -1, -12])
    ours = cl.wilcoxon_change(tidy_pairs(before, after), "piq")
    theirs = pg.wilcoxon(after, before).iloc[0]
    assert ours.method == "exact"
    assert (ours.w_val, ours.p_val) == pytest.approx((theirs["W_val"], theirs["p_val"]), rel=1e-12)
    # by hand: W = 2 (the +2 change has rank 2); rank subsets of 1..8 summing to <= 2 are {}, {1}, {2}
    assert ours.p_val == pytest.approx(2 * 3 / 256)


def test_wilcoxon_drops_zero_changes_and_says_so():
    row = cl.wilcoxon_change(tidy_pairs(np.array([5.0, 6, 7, 8]), np.array([5.0, 4, 9, 2])), "piq")
    assert (row.n, row.n_zero) == (4, 1)


def test_bootstrap_is_seeded_and_matches_scipy_percentile_interval(cohort):
    first = cl.bootstrap_change(cohort.data, "psq", seed=7)
    again = cl.bootstrap_change(cohort.data, "psq", seed=7)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    values = cl.stage_change(cohort.data, "psq").change_values
    reference = stats.bootstrap(
        (values,), np.mean, n_resamples=20_000, method="percentile", rng=np.random.default_rng(1)
    ).confidence_interval
    # same distribution, different random draws: agree within Monte Carlo error
    assert first.ci_low == pytest.approx(reference.low, abs=0.25)
    assert first.ci_high == pytest.approx(reference.high, abs=0.25)


def test_multinomial_bootstrap_has_the_ordinary_bootstrap_distribution():
    values = np.array([-3.0, -3, 0, 1, 1, 1, 4, 9])
    ours = cl.bootstrap_change(tidy_pairs(np.zeros(8), values), "piq", n_resamples=50_000, seed=3)
    rng = np.random.default_rng(4)
    classic = values[rng.integers(0, 8, size=(50_000, 8))].mean(axis=1)
    assert ours.ci_low == pytest.approx(np.quantile(classic, 0.025), abs=0.15)
    assert ours.ci_high == pytest.approx(np.quantile(classic, 0.975), abs=0.15)


def test_bootstrap_change_passes_the_method_to_the_core(cohort):
    # the reference is the core function on the same pairs; the percentile interval does not move when BCa is asked for
    change = cl.stage_change(cohort.data, "pseq")
    bca = cl.bootstrap_change(cohort.data, "pseq", method="bca", seed=5)
    core = cl.bootstrap_mean_change(change.before, change.after, method="bca", seed=5)
    assert (bca.method, bca.ci_low, bca.ci_high) == ("bca", core.ci_low, core.ci_high)
    percentile = cl.bootstrap_change(cohort.data, "pseq", seed=5)
    assert percentile == cl.bootstrap_change(cohort.data, "pseq", method="percentile", seed=5)
    assert percentile.method == "percentile"
