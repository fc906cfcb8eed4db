"""Data-free checks, against values worked out by hand from the abstract."""

import pytest
from scipy import stats

from cnslbp_lib.paper.consistency import check_paper, consistency_checks, grim_sums, percentage_counts


def test_grim_finds_the_only_totals_over_fourteen():
    assert grim_sums("\u221218.79", 14, 2) == (-263,)
    assert grim_sums("+17.93", 14, 2) == (251,)
    assert grim_sums("\u22124.64", 14, 2) == (-65,)
    assert grim_sums("5.19", 14, 2) == ()  # 72/14 = 5.1429 and 73/14 = 5.2143: 5.19 is impossible


def test_percentages_as_counts_out_of_fourteen():
    assert percentage_counts("78.5", 14, 1) == {"rounded": (), "truncated": (11,)}
    assert percentage_counts("64.3", 14, 1) == {"rounded": (9,), "truncated": ()}


def test_pseq_interval_implies_a_p_value_that_prints_as_0_006():
    # By hand: half-width (29.83 − 6.03)/2 = 11.90, SE = 11.90/t(0.975, 13) = 5.5083,
    # t = 17.93/5.5083 = 3.2551, two-sided p = 0.00627.
    pseq = next(checked for found, checked in check_paper() if found.instrument == "pseq")
    implied = {value.name: value.interval for value in pseq.implied}
    by_hand_t = 17.93 / (11.90 / stats.t.ppf(0.975, 13))
    assert implied["t_size"].low <= by_hand_t <= implied["t_size"].high
    assert 0.0062 < implied["p"].low <= implied["p"].high < 0.0063
    assert implied["dz"].low <= 0.87 <= implied["dz"].high + 0.005


def test_verdicts_single_out_the_pseq_p_value_and_the_piq_percentage():
    table = consistency_checks()
    inconsistent = table[table["verdict"] == "inconsistent"]
    assert inconsistent["subject"].tolist() == ["piq_responders", "pseq_p_val"]
    assert inconsistent["check"].tolist() == ["Responders as k of n (PIQ)", "p from CI (PSEQ)"]
    assert table.loc[table["verdict"] == "derived", "check"].tolist() == ["CI from p (PSQ)"]


def test_psq_derivation_says_whether_its_interval_includes_zero():
    detail = consistency_checks().set_index("check").loc["CI from p (PSQ)", "detail"]
    assert "which includes zero" in detail
    assert detail.startswith("No CI or dz is printed for PSQ. A mean of −4.64 with p = 0.096 on 13 degrees of freedom")
    # by hand (see below): about −10.23 to 0.95, so each end's interval must hold those values
    assert "lower end lies between −10.25 and −10.21" in detail and "upper end lies between 0.93 and 0.97" in detail


@pytest.mark.parametrize("check", ["GRIM", "CI midpoint", "Effect size", "Scale limits"])
def test_checks_that_pass_for_every_outcome(check):
    table = consistency_checks()
    verdicts = table.loc[table["check"].str.startswith(f"{check} ("), "verdict"]
    assert len(verdicts) >= 2 and set(verdicts) == {"consistent"}


def test_worked_dz_from_the_printed_piq_interval():
    from cnslbp_lib.paper.consistency import dz_from_printed_ci

    steps = dz_from_printed_ci("piq")
    # by hand: (−7.70 − (−29.87)) / 2 = 11.085; SD = 11.085·√14 / 2.1604 = 19.199; dz = 18.79 / 19.199 = 0.979
    assert steps["half_width"] == pytest.approx(11.085)
    assert steps["sd"] == pytest.approx(19.199, abs=5e-4)
    assert steps["dz"] == pytest.approx(0.9787, abs=5e-4)


def test_psq_interval_back_calculated_from_the_printed_mean_and_p():
    from cnslbp_lib.paper.consistency import interval_from_printed_p

    steps = interval_from_printed_p("psq")
    # by hand, from t tables on 13 df: t(0.952) = 1.7946, t(0.975) = 2.1604; SE = 4.64 / 1.7946 = 2.5856;
    # half-width 2.1604 × 2.5856 = 5.5858; −4.64 ± 5.5858 = −10.2258 to 0.9458
    assert steps["t"] == pytest.approx(1.7946, abs=5e-4)
    assert steps["critical"] == pytest.approx(2.1604, abs=5e-4)
    assert steps["se"] == pytest.approx(2.5856, abs=5e-4)
    assert (steps["ci_low"], steps["ci_high"]) == pytest.approx((-10.2258, 0.9458), abs=5e-4)
    # the interval's centre is the printed mean, and the t of its own half-width gives back the printed p
    assert (steps["ci_low"] + steps["ci_high"]) / 2 == pytest.approx(-4.64)
    assert 2 * stats.t.sf(4.64 / steps["se"], 13) == pytest.approx(0.096)


def test_back_calculation_needs_a_printed_p():
    from cnslbp_lib.paper.consistency import interval_from_printed_p

    with pytest.raises(ValueError, match="no printed mean and p"):
        interval_from_printed_p("global_change")
