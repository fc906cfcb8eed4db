import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import cnslbp_lib as cl
from cnslbp_lib.stats.sensitivity import (
    effect_size_summary,
    holm,
    leave_one_out,
    minimum_detectable_dz,
    sensitivity_summary,
)

from .conftest import COHORT_CSV, tidy_pairs


def test_holm_doubles_the_smaller_p_and_keeps_order(cohort):
    table = holm(cohort.data, ("piq", "pseq")).set_index("instrument")
    p_piq = cl.paired_change(cohort.data, "piq").p_val
    p_pseq = cl.paired_change(cohort.data, "pseq").p_val
    # by hand, two tests: the smaller p times 2, the larger times 1, then made monotone
    smaller, larger = sorted([p_piq, p_pseq])
    assert sorted(table["p_holm"]) == pytest.approx([2 * smaller, max(2 * smaller, larger)])
    assert table.loc["piq", "rank"] == (1 if p_piq < p_pseq else 2)


def test_holm_needs_two_outcomes(cohort):
    with pytest.raises(ValueError, match="at least two outcomes"):
        holm(cohort.data, ("piq",))


def test_leave_one_out_matches_refitting_without_each_participant(cohort):
    table = leave_one_out(cohort.data, "pseq")
    assert len(table) == 14
    for position in (0, 7, 13):
        left_out = table.iloc[position]
        rest = cohort.data[cohort.data["participant"] != left_out.participant]
        refit = cl.paired_change(rest, "pseq")
        assert (left_out.mean_change, left_out.ci_low, left_out.ci_high, left_out.p_val, left_out.dz) == pytest.approx(
            (refit.mean_change, refit.ci_low, refit.ci_high, refit.p_val, refit.dz), rel=1e-10
        )


def test_minimum_detectable_dz_matches_pingouin():
    # pingouin.power_ttest(n=14, power=0.8, contrast="paired") solves for d = 0.8101
    assert minimum_detectable_dz(14) == pytest.approx(pg.power_ttest(n=14, power=0.8, contrast="paired"), rel=1e-4)
    assert minimum_detectable_dz(100) < minimum_detectable_dz(14)


def test_effect_size_summary_links_dz_d_av_and_correlation(cohort):
    row = effect_size_summary(cohort.data, "piq")
    assert row.dz == pytest.approx(-cl.paired_change(cohort.data, "piq").dz)
    change = cl.stage_change(cohort.data, "piq").changes
    sd_before, sd_after = change["before"].std(), change["after"].std()
    # dz = mean / sqrt(sd1² + sd2² − 2 r sd1 sd2): the identity behind "dz grows with r"
    mean = -(change["after"] - change["before"]).mean()
    expected = mean / np.sqrt(sd_before**2 + sd_after**2 - 2 * row.r_stages * sd_before * sd_after)
    assert row.dz == pytest.approx(expected)
    wide = pd.read_csv(COHORT_CSV).pivot_table(index="participant", columns="stage", values="piq")
    assert row.share_improved == pytest.approx(((wide[3] - wide[2]) < 0).mean())


def test_sensitivity_summary_can_show_a_bca_bootstrap_row(cohort):
    # the reference is bootstrap_change with method="bca"; the default row stays the percentile interval
    default = sensitivity_summary(cohort.data, "piq").set_index("kind").loc["bootstrap"]
    bca = sensitivity_summary(cohort.data, "piq", bootstrap_method="bca").set_index("kind").loc["bootstrap"]
    expected = cl.bootstrap_change(cohort.data, "piq", method="bca")
    assert default["analysis"] == "Percentile bootstrap" and bca["analysis"] == "BCa bootstrap"
    assert (bca["ci_low"], bca["ci_high"]) == (expected.ci_low, expected.ci_high)
    assert (default["ci_low"], default["ci_high"]) != (bca["ci_low"], bca["ci_high"])


def test_too_few_participants_raise_not_enough_data_by_name():
    two = tidy_pairs(np.array([40.0, 42.0]), np.array([30.0, 35.0]))
    with pytest.raises(
        cl.NotEnoughDataError, match="needs at least 3 participants with both scores; this cohort has 2"
    ):
        leave_one_out(two, "piq")
    with pytest.raises(cl.NotEnoughDataError, match="needs at least 2 participants; this cohort has 1"):
        minimum_detectable_dz(1)
    with pytest.raises(cl.NotEnoughDataError, match="this cohort has 1"):
        effect_size_summary(tidy_pairs(np.array([40.0]), np.array([30.0])), "piq")


def test_identical_changes_leave_dz_undefined_with_a_note():
    data = tidy_pairs(np.array([40.0, 50.0, 45.0]), np.array([35.0, 45.0, 40.0]))
    sizes = effect_size_summary(data, "piq")
    assert np.isnan(sizes.dz) and np.isnan(sizes.share_improved_normal)
    assert sizes.mean_improvement == 5.0 and np.isfinite(sizes.d_av)
    assert "all 3 changes are equal, so their SD is 0" in sizes.note


def test_holm_keeps_an_undefined_p_undefined_and_still_counts_it():
    data = pd.concat(
        [
            tidy_pairs(np.array([40.0, 50.0, 45.0]), np.array([35.0, 45.0, 40.0])),  # PIQ: every change −5
            tidy_pairs(np.array([20.0, 25.0, 30.0]), np.array([30.0, 28.0, 45.0]), column="pseq")[["pseq"]],
        ],
        axis=1,
    )
    table = holm(data, ("piq", "pseq")).set_index("instrument")
    assert np.isnan(table.loc["piq", "p_holm"])
    assert table.loc["pseq", "p_holm"] == pytest.approx(min(1.0, 2 * table.loc["pseq", "p_val"]))


def test_the_sensitivity_table_gives_every_analysis_a_row_and_a_reason():
    from cnslbp_lib.stats.sensitivity import sensitivity_summary

    one = tidy_pairs(np.array([40.0]), np.array([30.0])).assign(pseq=[20, 25], psq=[20, 20])
    table = sensitivity_summary(one, "piq", others=("piq", "pseq")).set_index("analysis")
    assert len(table) == 5
    assert table.loc["Paired t-test", "reason"] == "needs at least 2 participants with both scores; this cohort has 1"
    assert table.loc["Leave one participant out (least favourable)", "reason"].endswith("this cohort has 1")
    assert table.loc["Wilcoxon signed-rank test", "reason"] == ""  # one non-zero change can be ranked
