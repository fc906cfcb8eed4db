"""Checks of one printed paired result: hand calculations, outside implementations, properties."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cnslbp_lib.paper.effect_size_checks import correlation_range, d_rm_range
from cnslbp_lib.paper.paired_checks import CHECK_NAMES, check_paired_result
from cnslbp_lib.paper.paired_result import PairedResult, parse_paired_result
from cnslbp_lib.paper.printed import Interval

from .paired_datasets import printed_row, random_dataset

# R's sleep data: extra sleep (hours) under two drugs in the same 10 people.
# R 4.x: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE)) gives
# t = 4.0621, df = 9, p-value = 0.002833, 95% CI 0.7001142 to 2.4598858, mean difference 1.58;
# sd(extra[group == 1]) = 1.789010, sd(extra[group == 2]) = 2.002249, sd of the differences 1.229995,
# cor(group 1, group 2) = 0.7951702.
SLEEP_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
SLEEP = PairedResult(
    id="sleep", n="10", score_step="0.1", pre_mean="0.75", pre_sd="1.79", post_mean="2.33", post_sd="2.00",
    mean_change="1.58", change_sd="1.23", ci_low="0.70", ci_high="2.46", p=".003", t="4.06", df="9",
    effect_size="1.28", effect_size_type="dz",
)  # fmt: skip

# An invented 0–10 pain rating in 24 people (data/examples/results_table_example.csv, row "nrs"): scipy's
# ttest_rel gives t = −5.5919, p = 1.09e-05, CI −2.5115 to −1.1551; means 6.1667 and 4.3333, SDs 2.1803 and
# 2.4613, SD of the changes 1.6061, d_av = 0.790, 15 of 24 improve by 2 points or more.
NRS = PairedResult(
    id="nrs", n="24", scale_min="0", scale_max="10", score_step="1", pre_mean="6.17", pre_sd="2.18",
    post_mean="4.33", post_sd="2.46", mean_change="\u22121.83", change_sd="1.61", ci_low="\u22122.51",
    ci_high="\u22121.16", p="<0.001", t="\u22125.59", df="23", effect_size="0.79", responder_k="15",
    responder_n="24", responder_pct="62.5",
)  # fmt: skip

# This project's abstract, n = 14 (whole-point scales: PIQ 0–70, PSEQ 0–60, PSQ 0–40).
ABSTRACT = (
    PairedResult(
        id="piq", n="14", scale_min="0", scale_max="70", score_step="1", mean_change="\u221218.79",
        ci_low="\u221229.87", ci_high="\u22127.70", p="0.003", effect_size="0.98", effect_size_type="dz",
        responder_pct="78.5",
    ),
    PairedResult(
        id="pseq", n="14", scale_min="0", scale_max="60", score_step="1", mean_change="+17.93", ci_low="6.03",
        ci_high="29.83", p="0.007", effect_size="0.87", effect_size_type="dz", responder_pct="64.3",
    ),
    PairedResult(id="psq", n="14", scale_min="0", scale_max="40", score_step="1", mean_change="\u22124.64", p="0.096"),
)  # fmt: skip


def verdicts(result: PairedResult) -> dict[str, str]:
    return {check.name: check.verdict for check in check_paired_result(result).checks}


def test_the_sleep_data_are_consistent_and_every_interval_holds_rs_figures():
    checked = check_paired_result(SLEEP)
    assert checked.verdict == "consistent"
    ran = {check.name for check in checked.checks if check.verdict == "consistent"}
    assert {"mean_change", "ci_midpoint", "ci_width", "df", "t_vs_mean_sd", "t_vs_ci", "p_vs_t", "p_vs_ci"} <= ran
    assert {"p_vs_change_sd", "effect_size", "correlation"} <= ran
    assert checked.check("p_vs_t").interval.contains(0.002833)  # R's p-value
    assert checked.check("t_vs_mean_sd").interval.contains(4.0621)  # R's t
    assert checked.check("correlation").interval.contains(0.7951702)  # R's cor()
    assert checked.check("ci_width").interval.contains(1.229995)  # R's sd of the differences
    assert "fit together for n = 10" in checked.check("ci_width").detail


def test_the_abstract_pseq_p_disagrees_with_its_ci_on_13_df_and_is_reproduced_on_12():
    # by hand with scipy: half-width 11.90, SE = 11.90 / t(0.975, 13) = 5.5083, t = 17.93 / 5.5083 = 3.2551;
    # two-sided p on 13 df = 0.00627 (prints 0.006), on 12 df = 0.00689 (prints 0.007)
    t = 17.93 / (11.90 / stats.t.ppf(0.975, 13))
    assert round(2 * stats.t.sf(t, 13), 3) == 0.006
    assert round(2 * stats.t.sf(t, 12), 3) == 0.007
    check = check_paired_result(ABSTRACT[1]).check("p_vs_ci")
    assert check.verdict == "inconsistent"
    assert check.interval.contains(2 * stats.t.sf(t, 13))
    assert "p_df_n_minus_2" in check.explained_by
    assert "p was computed on n − 2 = 12 degrees of freedom" in check.detail


def test_the_abstract_piq_percentage_is_eleven_of_fourteen_truncated():
    # 11/14 = 78.571…%: rounds to 78.6, truncates to 78.5; 10/14 = 71.4%
    assert math.floor(1000 * 11 / 14) / 10 == 78.5
    check = check_paired_result(ABSTRACT[0]).check("responder")
    assert check.verdict == "inconsistent"
    assert check.explained_by == ("truncation",)
    assert "11/14 = 78.571%" in check.detail


def test_everything_else_in_the_abstract_is_consistent():
    found = {result.id: check_paired_result(result) for result in ABSTRACT}
    flagged = {
        (row, check.name) for row, result in found.items() for check in result.checks if check.verdict == "inconsistent"
    }
    assert flagged == {("piq", "responder"), ("pseq", "p_vs_ci")}
    assert found["psq"].verdict == "consistent"
    for row in ("piq", "pseq"):
        assert {"ci_midpoint", "effect_size", "grim_mean_change"} <= {
            check.name for check in found[row].checks if check.verdict == "consistent"
        }
    assert found["pseq"].check("responder").verdict == "consistent"  # 9/14 = 64.29%
    assert "the effect size is printed without the sign of the mean change (as a size)" in found["piq"].notes


def test_a_one_sided_p_is_named_as_the_explanation():
    one_sided = stats.t.sf(4.0621, 9)  # 0.0014 instead of R's two-sided 0.002833
    check = check_paired_result(replace(SLEEP, p=f"{one_sided:.4f}")).check("p_vs_t")
    assert check.verdict == "inconsistent"
    assert check.explained_by == ("one_sided_p",)


def test_a_z_interval_is_named_as_the_explanation():
    half = 1.959964 * 1.229995 / math.sqrt(10)  # the CI with the normal quantile instead of t on 9 df
    row = replace(SLEEP, ci_low=f"{1.58 - half:.2f}", ci_high=f"{1.58 + half:.2f}", change_sd="1.230")
    check = check_paired_result(row).check("ci_width")
    assert check.verdict == "inconsistent"
    assert "ci_z" in check.explained_by


def test_an_sem_printed_as_the_sd_is_named_as_the_explanation():
    row = replace(SLEEP, change_sd=f"{1.229995 / math.sqrt(10):.2f}")  # 0.39, the SEM
    checked = check_paired_result(row)
    for name in ("ci_width", "t_vs_mean_sd"):
        assert checked.check(name).verdict == "inconsistent"
        assert checked.check(name).explained_by == ("sem_printed_as_sd",)


def test_declared_sem_is_turned_into_an_sd():
    row = replace(SLEEP, dispersion="sem", change_sd="0.389", pre_sd="0.566", post_sd="0.633")
    checked = check_paired_result(row)
    assert checked.check("ci_width").verdict == "consistent"
    assert checked.check("correlation").interval.contains(0.7951702)


def test_a_declared_effect_size_type_that_does_not_match_names_the_one_that_does():
    # pingouin.compute_effsize(group 2, group 1, paired=True, eftype="cohen") = 0.8322: d on the pooled SD
    row = replace(SLEEP, effect_size="0.83", effect_size_type="dz")
    check = check_paired_result(row).check("effect_size")
    assert check.verdict == "inconsistent"
    assert "effect_size_d_pooled" in check.explained_by


@pytest.mark.parametrize(
    ("printed", "kind", "matches"),
    [
        ("1.28", "dz", "dz"),  # 1.58 / 1.229995 = 1.2846
        ("0.83", "d", "d on the pooled SD"),  # pingouin's paired "cohen": 0.8322
        ("0.80", "g", "Hedges' g of d on the pooled SD"),  # pingouin's paired "hedges": 0.7970
        ("0.83", "d_av", "d_av"),  # 1.58 / ((1.789 + 2.002) / 2) = 0.8335
        ("1.28", "", "dz"),
    ],
)
def test_effect_sizes_from_pingouin_are_recognised(printed, kind, matches):
    check = check_paired_result(replace(SLEEP, effect_size=printed, effect_size_type=kind)).check("effect_size")
    assert check.verdict == "consistent"
    assert matches in check.detail


def test_an_undeclared_effect_size_that_could_be_an_uncomputable_type_is_not_checkable():
    row = PairedResult(id="x", n="14", mean_change="10", ci_low="4.00", ci_high="16.00", effect_size="0.40")
    check = check_paired_result(row).check("effect_size")
    assert check.verdict == "not checkable"
    assert "pre_sd and post_sd" in check.detail


def test_the_pre_minus_post_convention_is_a_note_not_an_inconsistency():
    row = replace(SLEEP, mean_change="\u22121.58", ci_low="\u22122.46", ci_high="\u22120.70", t="\u22124.06")
    checked = check_paired_result(row)
    assert checked.verdict == "consistent"
    assert "the mean change is printed as pre − post, or without its sign" in checked.notes


def test_an_unsigned_change_beside_a_signed_ci_is_a_note():
    row = replace(SLEEP, mean_change="1.58", ci_low="\u22122.46", ci_high="\u22120.70", pre_mean=None)
    checked = check_paired_result(row)
    assert checked.check("ci_midpoint").verdict == "consistent"
    assert "the mean change is printed with the opposite sign to its CI" in checked.notes


def test_an_unreadable_value_is_a_note_and_the_row_goes_on():
    checked = check_paired_result(replace(SLEEP, p="0.0.3", t="n.s."))
    assert checked.verdict == "consistent"
    assert checked.check("p_vs_t").verdict == "not checkable"
    assert any(note.startswith("p: '0.0.3' is not a number as printed") for note in checked.notes)
    assert checked.check("ci_width").verdict == "consistent"


def test_n_is_taken_from_df_when_it_is_not_printed():
    checked = check_paired_result(replace(SLEEP, n=None))
    assert "n is not printed; taken as df + 1 = 10" in checked.notes
    assert checked.check("df").verdict == "not checkable"
    assert checked.check("ci_width").verdict == "consistent"


def test_a_ci_printed_high_to_low_is_read_the_right_way_round():
    checked = check_paired_result(replace(SLEEP, ci_low="2.46", ci_high="0.70"))
    assert checked.verdict == "consistent"
    assert any("ci_low is above ci_high" in note for note in checked.notes)


def test_a_ci_width_without_n_still_says_which_n_fits():
    row = PairedResult(id="x", mean_change="1.58", change_sd="1.23", ci_low="0.70", ci_high="2.46")
    check = check_paired_result(row).check("ci_width")
    assert check.verdict == "not checkable"
    assert "fit together for n = 10" in check.detail  # t(0.975, 9)·1.23/√10 = 0.880, the printed half-width


def test_a_row_with_nothing_to_compare_is_not_checkable():
    checked = check_paired_result(PairedResult(id="x", n="20", p="0.04"))
    assert checked.verdict == "not checkable"
    assert all(check.verdict == "not checkable" for check in checked.checks)
    assert [check.name for check in checked.checks] == list(CHECK_NAMES)


# Every check catches a clear-cut moved value (a typo far outside the rounding interval).
MOVED = [
    ("mean_change", SLEEP, {"mean_change": "1.85"}),
    ("ci_midpoint", SLEEP, {"ci_low": "0.90"}),
    ("ci_width", SLEEP, {"change_sd": "1.53"}),
    ("df", SLEEP, {"df": "8"}),
    ("t_vs_mean_sd", SLEEP, {"t": "4.60"}),
    ("t_vs_ci", SLEEP, {"t": "4.60"}),
    ("p_vs_t", SLEEP, {"p": ".030"}),
    ("p_vs_ci", SLEEP, {"p": ".030"}),
    ("p_vs_change_sd", SLEEP, {"p": ".030"}),
    ("effect_size", SLEEP, {"effect_size": "1.58"}),
    ("correlation", SLEEP, {"change_sd": "3.90", "ci_low": None, "ci_high": None}),  # above 1.79 + 2.00
    ("grim_pre_mean", NRS, {"pre_mean": "6.19"}),  # 6.19 × 24 = 148.56: no whole total gives it
    ("grim_post_mean", NRS, {"post_mean": "4.35"}),  # 104.4
    ("grim_mean_change", NRS, {"mean_change": "\u22121.85"}),  # −44.4
    # scrutipy.grimmer(["6.17"], ["2.19"], [24]) is False too (likewise for the other two)
    ("grimmer_pre", NRS, {"pre_sd": "2.19"}),
    ("grimmer_post", NRS, {"post_sd": "2.47"}),
    ("grimmer_change", NRS, {"change_sd": "1.62", "ci_low": None, "t": None, "p": None}),
    # a 0–10 variable with mean 6.165 has an SD of at most √(24/23 · 6.165 · 3.835) = 4.97
    ("scale_limits", NRS, {"pre_sd": "5.10"}),
    ("responder", NRS, {"responder_k": "16"}),  # 16/24 is 66.7%
]


def test_every_check_has_a_clear_cut_moved_value():
    assert sorted(name for name, _, _ in MOVED) == sorted(CHECK_NAMES)


@pytest.mark.parametrize(("name", "faithful", "changes"), MOVED, ids=[name for name, _, _ in MOVED])
def test_every_check_catches_a_clear_cut_moved_value(name, faithful, changes):
    assert verdicts(faithful)[name] == "consistent"
    assert verdicts(replace(faithful, **changes))[name] == "inconsistent"


# Outside implementations: scrutipy (GRIM, GRIMMER; a port of the R package scrutiny) and statcheck (p from t).


@pytest.mark.parametrize("items", [1, 2, 3])
def test_grim_agrees_with_scrutipy(items):
    scrutipy = pytest.importorskip("scrutipy")
    for n, decimals in itertools.product(range(2, 41, 3), (1, 2)):
        for hundredths in range(0, 500, 7):
            text = f"{hundredths / 100 + 1:.{decimals}f}"
            row = PairedResult(id="x", n=str(n), score_step=f"1/{items}", pre_mean=text)
            ours = verdicts(row)["grim_pre_mean"]
            theirs = scrutipy.grim_scalar(text, n, items=items, rounding="up_or_down")
            assert (ours != "inconsistent") == theirs, (text, n, items)


def test_grimmer_agrees_with_scrutipy():
    scrutipy = pytest.importorskip("scrutipy")
    rng = np.random.default_rng(3)
    compared = 0
    for _ in range(1000):
        n = int(rng.integers(3, 30))
        mean, sd = f"{rng.uniform(1, 5):.2f}", f"{rng.uniform(0.3, 2):.2f}"
        row = PairedResult(id="x", n=str(n), score_step="1", pre_mean=mean, pre_sd=sd)
        ours = verdicts(row)
        if ours["grim_pre_mean"] != "consistent" or ours["grimmer_pre"] == "not checkable":
            continue  # scrutipy's GRIMMER also fails a GRIM-inconsistent mean; we report that under GRIM
        theirs = scrutipy.grimmer([mean], [sd], [n], rounding="up_or_down")[0]
        assert (ours["grimmer_pre"] == "consistent") == theirs, (mean, sd, n)
        compared += 1
    assert compared > 100


def test_p_from_t_agrees_with_statcheck():
    error_test = pytest.importorskip("statcheck.error_test").error_test
    rng = np.random.default_rng(4)
    for _ in range(500):
        df = int(rng.integers(2, 60))
        t = round(float(rng.uniform(0.2, 5)), 2)
        true_p = 2 * stats.t.sf(t, df)
        p = round(true_p * float(rng.choice([1, 1, 1.3, 0.7])), 3)
        if not 0 < p <= 1:
            continue  # our reader refuses a p above 1 (a note), statcheck calls it an error
        row = PairedResult(id="x", n=str(df + 1), t=f"{t:.2f}", df=str(df), p=f"{p:.3f}")
        ours = verdicts(row)["p_vs_t"]
        theirs = error_test(p, "t", t, None, df, "=", "=", 3, 2, True, 0.05, False)
        assert (ours == "inconsistent") == bool(theirs), (t, df, p)


# Interval bounds against brute force.


_SD = st.tuples(st.floats(0.5, 20), st.floats(0.01, 2))


@given(_SD, _SD, st.tuples(st.floats(0.1, 30), st.floats(0.01, 3)))
@settings(max_examples=60)
def test_the_correlation_range_is_exact_on_a_grid(pre_sd, post_sd, change_sd):
    (pre, pre_width), (post, post_width), (change, change_width) = pre_sd, post_sd, change_sd
    boxes = [Interval(pre, pre + pre_width), Interval(post, post + post_width), Interval(change, change + change_width)]
    found = correlation_range(*boxes)
    a, b, c = (np.linspace(box.low, box.high, 41) for box in boxes)
    grid = (a[:, None, None] ** 2 + b[None, :, None] ** 2 - c[None, None, :] ** 2) / (
        2 * a[:, None, None] * b[None, :, None]
    )
    assert found.low <= grid.min() + 1e-9 and grid.max() <= found.high + 1e-9
    assert found.high - grid.max() < 1e-9  # the maximum is at a corner
    assert grid.min() - found.low < 0.05 * (grid.max() - grid.min()) + 1e-6  # the grid approaches the exact minimum


@given(st.floats(0.5, 5), st.floats(0.5, 5), st.floats(0.3, 8), st.floats(0.1, 4))
@settings(max_examples=60)
def test_the_d_rm_range_holds_every_value_on_a_grid(pre, post, change, size):
    boxes = [Interval(pre, pre * 1.05), Interval(post, post * 1.05), Interval(change, change * 1.05)]
    found = d_rm_range(Interval(size, size * 1.02), *boxes)
    a, b, c = (np.linspace(box.low, box.high, 21) for box in boxes)
    r = (a[:, None, None] ** 2 + b[None, :, None] ** 2 - c[None, None, :] ** 2) / (
        2 * a[:, None, None] * b[None, :, None]
    )
    possible = r <= 1
    if found is None:
        assert not possible.any()
        return
    d_rm = (size / c[None, None, :]) * np.sqrt(2 * (1 - np.minimum(r, 1)))
    for scale in (1.0, 1.02):
        values = (d_rm * scale)[possible]
        assert found.low <= values.min() + 1e-9 and values.max() <= found.high + 1e-9


# Properties: faithfully printed random datasets are never inconsistent; clear moves are always caught.


@st.composite
def faithful_rows(draw, *, blank_share=0.3, n=None):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    size = n if n is not None else draw(st.sampled_from([3, 4, 5, 7, 10, 14, 25, 60, 150, 300]))
    data = random_dataset(rng, size)
    rounding = draw(st.sampled_from(["half_up", "half_even"]))
    orientation = draw(st.sampled_from([1, -1, 0]))
    return printed_row(data, rng, rounding=rounding, orientation=orientation, blank_share=blank_share)


@given(faithful_rows())
@settings(max_examples=300)
def test_faithfully_printed_results_are_never_inconsistent(row):
    checked = check_paired_result(PairedResult.from_mapping(row))
    assert [check.detail for check in checked.checks if check.verdict == "inconsistent"] == []


@given(faithful_rows(blank_share=0.0))
@settings(max_examples=150)
def test_faithfully_printed_complete_results_are_never_inconsistent(row):
    checked = check_paired_result(PairedResult.from_mapping(row))
    assert checked.verdict == "consistent"


def _moved(text: str, units: int) -> str:
    printed = parse_paired_result(PairedResult(id="x", pre_mean=text)).values["pre_mean"]
    return str(printed.value + units * printed.unit)


@given(faithful_rows(blank_share=0.0), st.sampled_from([-5, -3, 3, 5]))
@settings(max_examples=100)
def test_a_mean_change_moved_by_three_units_is_always_caught(row, units):
    size = abs(float(row["mean_change"].replace("\u2212", "-")))
    unit = float(parse_paired_result(PairedResult(id="x", mean_change=row["mean_change"])).values["mean_change"].unit)
    if size < 10 * unit:  # near zero a moved value can match the reversed sign, which is a convention
        return
    result = verdicts(PairedResult.from_mapping({**row, "mean_change": _moved(row["mean_change"], units)}))
    assert result["mean_change"] == "inconsistent"
    assert result["ci_midpoint"] == "inconsistent"


@given(faithful_rows(blank_share=0.0), st.sampled_from([-2, 2]))
@settings(max_examples=100)
def test_a_mean_moved_by_two_units_is_always_caught_by_grim_when_means_are_coarse(row, units):
    n, unit = int(row["n"]), 10.0 ** -len(row["pre_mean"].split(".")[1])
    step = 1 / int(row["score_step"].removeprefix("1/")) if row["score_step"] != "1" else 1.0
    if step / n <= 4 * unit:
        return  # GRIM can only catch a move when means lie further apart than the printed digits
    result = verdicts(PairedResult.from_mapping({**row, "pre_mean": _moved(row["pre_mean"], units)}))
    assert result["grim_pre_mean"] == "inconsistent"


@given(faithful_rows(blank_share=0.0), st.sampled_from([-1, 1]))
@settings(max_examples=50)
def test_a_moved_df_and_a_moved_percentage_are_always_caught(row, units):
    assert verdicts(PairedResult.from_mapping({**row, "df": str(int(row["df"]) + units)}))["df"] == "inconsistent"
    if int(row["n"]) <= 100:  # k/n then lies at least 1 point apart, so 0.3 away is no count
        inward = 3 if float(row["responder_pct"]) < 50 else -3
        moved = PairedResult.from_mapping({**row, "responder_pct": _moved(row["responder_pct"], inward)})
        assert verdicts(moved)["responder"] == "inconsistent"


ODD_TOKENS = [
    "", "0", "1", "3", "14", "1000000", "0.0", "-0.0", "\u22121.5", "1e-300", "1e300", "<0.001", ">0.5", "≤1",
    "0.5", "1/7", "1/0", "x", "NA", "100.0", "101", "-3", "99.99%", ".5", "1,5", "1,234", "t(3)=2", "p = 0",
    "dz", "sem", "z", "90", "1.0000000000001",
]  # fmt: skip


@given(st.fixed_dictionaries({column: st.sampled_from(ODD_TOKENS) for column in PairedResult.__dataclass_fields__}))
@settings(max_examples=300)
def test_any_row_of_printed_strings_gets_every_check_without_an_error(cells):
    checked = check_paired_result(PairedResult.from_mapping({**cells, "id": "odd"}))
    assert [check.name for check in checked.checks] == list(CHECK_NAMES)
    assert all(check.detail for check in checked.checks)


def test_the_abstract_psq_mean_and_p_imply_its_sd_dz_and_ci():
    # by hand with scipy: t = t⁻¹(1 − 0.096/2, 13) = 1.7943, SE = 4.64/1.7943 = 2.586, SD = SE·√14 = 9.675,
    # dz = 0.4795, CI = −4.64 ± 2.1604·2.586 = −10.227 to 0.947
    t = stats.t.isf(0.096 / 2, 13)
    se = 4.64 / t
    implied = {item.name: item for item in check_paired_result(ABSTRACT[2]).implied}
    assert implied["change_sd"].interval.contains(se * math.sqrt(14))
    assert implied["dz"].interval.contains(t / math.sqrt(14))
    assert implied["ci_low"].interval.contains(-4.64 - stats.t.ppf(0.975, 13) * se)
    assert implied["ci_high"].interval.contains(-4.64 + stats.t.ppf(0.975, 13) * se)
    assert implied["change_sd"].sources == ("p",)


def test_the_implied_correlation_of_the_sleep_data_holds_rs_value():
    implied = {item.name: item for item in check_paired_result(SLEEP).implied}
    assert implied["correlation"].interval.contains(0.7951702)  # R: cor(extra[group == 1], extra[group == 2])
    assert implied["p"].interval.contains(0.002833)


def test_a_p_printed_without_its_decimal_point_is_read_with_one_and_set_beside_the_implied_p():
    # scipy, independently: the PIQ row's t from its CI midpoint and half-width on 13 df, and its p
    half_width = (29.87 - 7.70) / 2
    t = 18.79 / (half_width / stats.t.ppf(0.975, 13))
    digits = f"{2 * stats.t.sf(t, 13):.3f}".removeprefix("0.")  # the p's three digits, printed without "0."
    fitting = PairedResult(id="piq", n="14", mean_change="−18.79", ci_low="−29.87", ci_high="−7.70", p=digits)
    far = PairedResult(id="piq", n="14", mean_change="−18.79", ci_low="−29.87", ci_high="−7.70", p="090")
    [near_note] = [note for note in check_paired_result(fitting).notes if "dropped decimal point" in note]
    [far_note] = [note for note in check_paired_result(far).notes if "dropped decimal point" in note]
    assert f"would be .{digits}, which lies within" in near_note
    assert "would be .090, which lies outside" in far_note
    assert not [note for note in check_paired_result(replace(far, p="1")).notes if "dropped" in note]
