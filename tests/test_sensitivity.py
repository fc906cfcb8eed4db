import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import cnslbp_lib as cl
from cnslbp_lib.stats.sensitivity import effect_size_summary, holm, leave_one_out, minimum_detectable_dz

from .conftest import COHORT_CSV


def test_holm_doubles_the_smaller_p_and_keeps_order(cohort):
    table = holm(cohort.data).set_index("instrument")
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
