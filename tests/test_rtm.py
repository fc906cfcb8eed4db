"""Regression to the mean: closed forms against simulation and limits by hand; the noise bound against the truth."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cnslbp_lib.exceptions import NotEnoughDataError
from cnslbp_lib.stats.rtm import (
    RtmFigures,
    expected_null_improvement,
    null_improvement_grid,
    reliability_explaining,
    rtm_figures,
    simulate_null_improvement,
)
from cnslbp_lib.stats.rtm_joint import expected_joint_null_improvement, simulate_joint_null_improvement
from cnslbp_lib.stats.rtm_joint_figures import JointRtmFigures, joint_rtm_figures, joint_rtm_grid
from cnslbp_lib.stats.rtm_noise import noise_bound, noise_bound_from_changes


def test_closed_form_and_simulation_agree_across_the_grid():
    grid = simulate_null_improvement(
        np.array([0.5, 0.73, 0.9]), np.array([3, 7, 11]), 8.0, cohort_size=14, people=400_000
    )
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
    first = simulate_null_improvement(np.array([0.7]), np.array([7]), 8.0, cohort_size=14, people=20_000, seed=3)
    second = simulate_null_improvement(np.array([0.7]), np.array([7]), 8.0, cohort_size=14, people=20_000, seed=3)
    assert first.equals(second)


def test_grid_spans_the_slider_ranges():
    grid = null_improvement_grid(8.0, 7, cohort_size=14)
    assert grid["reliability"].min() == 0.5 and grid["reliability"].max() == 0.95
    assert grid["threshold"].min() == 2 and grid["threshold"].max() == 14


def test_reliability_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="reliability must lie strictly between 0 and 1"):
        expected_null_improvement(1.0, 7, 8.0)


def test_reliability_explaining_inverts_the_closed_form():
    needed = reliability_explaining(1.0, 7, 8.0)
    assert float(expected_null_improvement(needed, 7, 8.0)) == pytest.approx(1.0)
    assert np.isnan(reliability_explaining(50.0, 7, 8.0))  # far beyond what noise can produce
    assert np.isnan(reliability_explaining(-1.0, 7, 8.0))


# ----------------------------------------------------------------------------------------------------------------------
# Selection on both instruments, correlated errors, selection at a flare


SDS = (8.0, 12.0)
THRESHOLDS = (7, 11)


def test_joint_closed_form_agrees_with_the_simulation_across_the_grid():
    # the reference is the simulation of the model itself (common random numbers, 400,000 people); its Monte Carlo
    # standard error is at most the SD of one later improvement, sd·sqrt(2(1−ρ))·(1 + flare shift), over sqrt(selected)
    grid = simulate_joint_null_improvement(
        [0.6, 0.75, 0.9],
        THRESHOLDS,
        SDS,
        error_correlations=[0.0, 0.5, 0.8],
        flare_strengths=[0.0, 0.5, 1.0],
        names=("piq", "pseq"),
    )
    assert len(grid) == 3 * 3 * 3 * 2
    for row in grid.itertuples():
        sd = SDS[0] if row.instrument == "piq" else SDS[1]
        spread = sd * np.sqrt(2 * (1 - row.reliability))
        error = spread / np.sqrt(400_000 * row.selected_pct / 100)
        assert row.mean_improvement == pytest.approx(row.expected, abs=4 * error), row


def test_uncorrelated_errors_without_a_flare_reduce_to_the_one_instrument_formula():
    # the reference is the one-instrument closed form (Barnett et al. 2005): with r = 0 the two selections are
    # independent, so selecting on the other instrument changes nothing
    for reliability in (0.5, 0.75, 0.9):
        joint = expected_joint_null_improvement(reliability, THRESHOLDS, SDS)
        for index in (0, 1):
            single = float(expected_null_improvement(reliability, THRESHOLDS[index], SDS[index]))
            assert joint.expected[index] == pytest.approx(single, rel=1e-12)
        # and the share selected is the product of the two one-instrument shares
        shares = [
            stats.norm.cdf(t / (s * np.sqrt(2 * (1 - reliability)))) for t, s in zip(THRESHOLDS, SDS, strict=True)
        ]
        assert joint.selected_share == pytest.approx(shares[0] * shares[1], rel=1e-12)


def test_without_selection_on_the_other_instrument_correlation_does_not_matter():
    # the reference is again the one-instrument formula: a threshold far above any change selects everyone on the
    # second instrument, whatever its errors' correlation with the first
    single = float(expected_null_improvement(0.7, 7, 8.0))
    for r in (-0.6, 0.3, 0.9):
        joint = expected_joint_null_improvement(0.7, (7, 1e6), (8.0, 12.0), error_correlation=r)
        assert joint.expected[0] == pytest.approx(single, rel=1e-9)


def test_a_flare_with_no_selection_on_the_changes_simply_passes():
    # by hand: with no non-response rule the stage 2 errors of the referred average −λσs and stage 3 averages 0,
    # so the improvement is λσs, with σ = sd·sqrt(1−ρ) and s = sqrt((1+r)/2)
    joint = expected_joint_null_improvement(0.75, (1e6, 1e6), SDS, error_correlation=0.5, flare_strength=0.8)
    for index, sd in enumerate(SDS):
        assert joint.expected[index] == pytest.approx(0.8 * sd * 0.5 * np.sqrt(0.75), rel=1e-9)
        assert joint.flare_shift[index] == pytest.approx(-joint.expected[index])


def test_selection_at_a_flare_is_the_importance_weighted_model():
    # the reference is a brute-force simulation that does not use the shift: people drawn with no flare, weighted
    # by their referral propensity exp(−λh); the closed form derives the shift instead
    rng = np.random.default_rng(8)
    people, r, strength, reliability = 1_000_000, 0.4, 0.7, 0.7
    z1 = rng.standard_normal((3, people))
    z2 = r * z1 + np.sqrt(1 - r**2) * rng.standard_normal((3, people))
    sigma = np.array(SDS) * np.sqrt(1 - reliability)
    flare = (z1[1] + z2[1]) / (2 * np.sqrt((1 + r) / 2))
    weight = np.exp(-strength * flare)
    selected = ((z1[1] - z1[0]) * sigma[0] < THRESHOLDS[0]) & ((z2[1] - z2[0]) * sigma[1] < THRESHOLDS[1])
    closed = expected_joint_null_improvement(reliability, THRESHOLDS, SDS, error_correlation=r, flare_strength=strength)
    for index, z in enumerate((z1, z2)):
        improvement = (z[2] - z[1]) * sigma[index]
        weighted = np.average(improvement[selected], weights=weight[selected])
        assert weighted == pytest.approx(closed.expected[index], abs=0.03)
    assert np.average(selected, weights=weight) == pytest.approx(closed.selected_share, abs=0.003)


def test_positively_correlated_errors_and_flares_never_reduce_regression_to_the_mean():
    # the reference is the one-instrument formula (r = 0, no flare). For r ≥ 0 a bivariate normal is positively
    # dependent, so also requiring the other change to be low can only lower this one (more regression to the mean);
    # a flare only moves stage 2 further down. The book's stage 2 SDs (about 17 and 16 points) are used.
    sds = (17.15, 16.43)
    for reliability in (0.6, 0.75, 0.9):
        single = [float(expected_null_improvement(reliability, t, sd)) for t, sd in zip(THRESHOLDS, sds, strict=True)]
        for r in (0.0, 0.2, 0.5, 0.8, 0.95):
            by_flare = [
                expected_joint_null_improvement(
                    reliability, THRESHOLDS, sds, error_correlation=r, flare_strength=strength
                ).expected
                for strength in (0.0, 0.25, 0.5, 1.0)
            ]
            assert np.all(np.array(by_flare[0]) >= np.array(single) - 1e-12), (reliability, r)
            assert np.all(np.diff(np.array(by_flare), axis=0) > 0), (reliability, r)


def test_with_errors_almost_perfectly_correlated_the_stricter_rule_selects_alone():
    # by hand: with r → 1 the two standardised changes coincide, so only the stricter standardised cut
    # b = min(t_k / ω_k) selects, and each instrument regresses as if selected at b: (ω_k / 2)·φ(b)/Φ(b).
    # The expectation is therefore not monotone in r: it rises from r = 0 and falls back for the stricter instrument.
    sds, reliability = (17.15, 16.43), 0.75
    omega = np.array(sds) * np.sqrt(1 - reliability) * np.sqrt(2)
    cut = min(t / w for t, w in zip(THRESHOLDS, omega, strict=True))
    limit = expected_joint_null_improvement(reliability, THRESHOLDS, sds, error_correlation=0.99999).expected
    assert limit == pytest.approx(tuple(omega / 2 * stats.norm.pdf(cut) / stats.norm.cdf(cut)), rel=1e-4)
    middle = expected_joint_null_improvement(reliability, THRESHOLDS, sds, error_correlation=0.5).expected
    assert middle[0] > limit[0] == pytest.approx(float(expected_null_improvement(reliability, 7, sds[0])), rel=1e-4)


def test_joint_simulation_is_seeded_and_checks_its_arguments():
    first = simulate_joint_null_improvement([0.7], THRESHOLDS, SDS, error_correlations=[0.3], people=20_000, seed=3)
    second = simulate_joint_null_improvement([0.7], THRESHOLDS, SDS, error_correlations=[0.3], people=20_000, seed=3)
    assert first.equals(second)
    with pytest.raises(ValueError, match="error_correlation must lie strictly between -1 and 1"):
        expected_joint_null_improvement(0.7, THRESHOLDS, SDS, error_correlation=1.0)
    with pytest.raises(ValueError, match="flare_strength must be 0 or more"):
        expected_joint_null_improvement(0.7, THRESHOLDS, SDS, flare_strength=-0.1)
    with pytest.raises(ValueError, match="threshold must be one finite number or two"):
        expected_joint_null_improvement(0.7, (7, 11, 3), SDS)


def test_joint_figures_of_a_cohort_match_the_one_instrument_figures_when_the_extras_are_off(cohort):
    # the reference is rtm_figures (one instrument): with r = 0 and no flare the closed forms coincide
    joint = joint_rtm_figures(cohort.data, cohort_size=14, people=40_000)
    assert set(joint) == {"piq", "pseq"}
    for key, figures in joint.items():
        assert isinstance(figures, JointRtmFigures) and isinstance(figures, RtmFigures)
        single = rtm_figures(cohort.data, key, cohort_size=14)
        assert figures.expected == pytest.approx(single.expected, rel=1e-12)
        assert figures.expected_single == pytest.approx(single.expected, rel=1e-12)
        assert (figures.sd, figures.observed, figures.threshold) == (single.sd, single.observed, single.threshold)
        assert figures.reliability_explaining == pytest.approx(single.reliability_explaining, abs=1e-6, nan_ok=True)
    worse = joint_rtm_figures(cohort.data, cohort_size=14, error_correlation=0.5, flare_strength=0.5, people=40_000)
    for key in joint:
        assert worse[key].expected > joint[key].expected
        assert worse[key].flare_shift < 0 == joint[key].flare_shift


# ----------------------------------------------------------------------------------------------------------------------
# The noise bound from the stage 1 → 2 changes


def test_noise_bound_recovers_the_error_sd_when_nobody_truly_changes():
    # the reference is the simulated truth: error SD 4, between-person SD 10, so reliability 1 − 16/100 = 0.84
    rng = np.random.default_rng(1)
    people = 200_000
    changes = 4 * (rng.standard_normal(people) - rng.standard_normal(people))
    bound = noise_bound_from_changes(changes, sd_between=10.0)
    assert bound.error_sd_max == pytest.approx(4.0, rel=0.01)
    assert bound.reliability_min == pytest.approx(0.84, abs=0.005)
    assert bound.error_sd_max_upper > bound.error_sd_max


def test_noise_bound_is_conservative_when_people_truly_change():
    # Var(D) = Var(true change) + 2σe²: with true changes of SD 5 the bound (sqrt((25 + 32)/2) ≈ 5.34) exceeds σe = 4
    rng = np.random.default_rng(2)
    people = 200_000
    changes = rng.normal(0, 5, people) + 4 * (rng.standard_normal(people) - rng.standard_normal(people))
    bound = noise_bound_from_changes(changes, sd_between=10.0)
    assert bound.error_sd_max == pytest.approx(np.sqrt((25 + 32) / 2), rel=0.01)
    assert bound.reliability_min < 0.84


def test_noise_bound_upper_confidence_limit_covers_at_its_level_in_small_cohorts():
    # the reference is the coverage of a one-sided 95% chi-square limit: in 4,000 simulated cohorts of 14 with no
    # true change, the upper limit should lie above the true error SD (4) in about 95% of them
    rng = np.random.default_rng(3)
    covered = [
        noise_bound_from_changes(4 * (rng.standard_normal(14) - rng.standard_normal(14)), 10.0).error_sd_max_upper > 4
        for _ in range(4_000)
    ]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.012)


def test_selection_on_the_changes_narrows_them_and_the_correction_undoes_it():
    # the reference is the simulated truth: changes N(1, 6²) before selection, seen only below 5 (the non-responders)
    rng = np.random.default_rng(4)
    changes = rng.normal(1.0, 6.0, 400_000)
    kept = changes[changes < 5]
    plain = noise_bound_from_changes(kept, sd_between=10.0)
    corrected = noise_bound_from_changes(kept, sd_between=10.0, selected_below=5)
    assert plain.sd_unselected < 0.8 * 6.0  # selection narrows the changes, so the plain bound is too tight
    assert corrected.sd_unselected == pytest.approx(6.0, rel=0.01)
    assert corrected.error_sd_max == pytest.approx(6.0 / np.sqrt(2), rel=0.01)
    with pytest.raises(ValueError, match="selected_below must exceed every change; 1 of 3"):
        noise_bound_from_changes([1.0, 2.0, 6.0], 10.0, selected_below=5)


def _simulated_cohort(rng: np.random.Generator, people: int, error_sd: dict[str, float]) -> pd.DataFrame:
    """Whole-number scores at stages 1–3 with no true change, kept if neither PIQ nor PSEQ improved by its threshold."""
    level = {"piq": 40.0, "pseq": 30.0, "psq": 20.0}
    spread = {"piq": 10.0, "pseq": 12.0, "psq": 6.0}
    true = {key: rng.normal(level[key], spread[key], people) for key in level}
    scores = {key: [np.round(true[key] + rng.normal(0, error_sd[key], people)) for _ in range(3)] for key in level}
    # improvement units: a fall is better on the PIQ, a rise on the PSEQ (registry thresholds 7 and 11)
    keep = (-(scores["piq"][1] - scores["piq"][0]) < 7) & (scores["pseq"][1] - scores["pseq"][0] < 11)
    ids = np.flatnonzero(keep)
    frames = [
        pd.DataFrame(
            {"participant": [f"p{i:06d}" for i in ids], "stage": stage + 1}
            | {key: scores[key][stage][keep] for key in level}
        )
        for stage in range(3)
    ]
    return pd.concat(frames, ignore_index=True)


def test_noise_bound_of_a_selected_cohort_recovers_the_error_sd_that_generated_it():
    # the reference is the simulated truth (error SDs 4 and 5, no true change); the cohort was selected by the
    # study's rule, so only the selection-corrected bound finds them (whole-number rounding adds 1/12 to each variance)
    rng = np.random.default_rng(5)
    data = _simulated_cohort(rng, 60_000, {"piq": 4.0, "pseq": 5.0, "psq": 3.0})
    for key, error_sd in (("piq", 4.0), ("pseq", 5.0)):
        truth = np.sqrt(error_sd**2 + 1 / 12)
        corrected = noise_bound(data, key)
        plain = noise_bound(data, key, selected=False)
        assert corrected.error_sd_max == pytest.approx(truth, rel=0.03), key
        assert plain.error_sd_max < 0.95 * truth, key
        assert corrected.sd_between == pytest.approx(data.loc[data["stage"] == 2, key].std(), rel=1e-12)


def test_noise_bound_of_the_reconstruction_runs_and_refuses_a_cohort_the_rule_did_not_select(cohort):
    bound = noise_bound(cohort.data, "pseq")
    assert bound.n == 14 and 0 <= bound.reliability_min_lower <= bound.reliability_min <= 1
    rng = np.random.default_rng(6)
    unselected = _simulated_cohort(rng, 200, {"piq": 4.0, "pseq": 5.0, "psq": 3.0})
    unselected.loc[(unselected["stage"] == 2) & (unselected.index % 3 == 0), "pseq"] += 30
    with pytest.raises(ValueError, match="pass selected=False"):
        noise_bound(unselected, "pseq")


def test_joint_grid_of_a_cohort_is_the_closed_form_at_each_point(cohort):
    # the reference is expected_joint_null_improvement called point by point, and at r = 0 without a flare the
    # one-instrument rtm_figures (Barnett et al. 2005)
    grid = joint_rtm_grid(cohort.data, error_correlations=[0.0, 0.6], flare_strengths=[0.0, 0.7])
    assert len(grid) == 8
    plain = grid[(grid["error_correlation"] == 0) & (grid["flare_strength"] == 0)].set_index("instrument")
    for key in ("piq", "pseq"):
        single = rtm_figures(cohort.data, key, cohort_size=14)
        assert plain.loc[key, "expected"] == pytest.approx(single.expected, rel=1e-12)
        assert plain.loc[key, "share"] == pytest.approx(single.expected / single.observed, rel=1e-12)
    row = grid[(grid["error_correlation"] == 0.6) & (grid["flare_strength"] == 0.7)].set_index("instrument")
    sds = tuple(rtm_figures(cohort.data, key, cohort_size=14).sd for key in ("piq", "pseq"))
    direct = expected_joint_null_improvement(0.75, THRESHOLDS, sds, error_correlation=0.6, flare_strength=0.7)
    assert (row.loc["piq", "expected"], row.loc["pseq", "expected"]) == pytest.approx(direct.expected, rel=1e-12)


def test_rtm_figures_say_why_when_the_cohort_cannot_support_them(cohort):
    import cnslbp_lib as cl
    from cnslbp_lib.stats.rtm import rtm_figures

    flat = cohort.data.assign(piq=cohort.data["piq"].where(cohort.data["stage"] != 2, 40))
    figures = rtm_figures(flat, "piq", cohort_size=14)
    assert figures.sd == 0 and np.isnan(figures.expected)
    assert figures.note == "all 14 stage 2 scores are equal, so the model has no spread between people"
    baseline_only = cohort.data[cohort.data["stage"] < 3]
    with pytest.raises(cl.NotEnoughDataError, match="this cohort has 0"):
        rtm_figures(baseline_only, "piq", cohort_size=14)


def test_large_cohorts_use_the_normal_approximation_for_the_range_of_their_mean():
    from cnslbp_lib.stats.rtm import MIN_SIMULATED_COHORTS

    size = 400_000 // MIN_SIMULATED_COHORTS + 1000  # too few simulated cohorts of this size
    row = simulate_null_improvement(np.array([0.75]), np.array([7]), 8.0, cohort_size=size).iloc[0]
    assert row.cohort_low < row.mean_improvement < row.cohort_high
    # the SD of one improvement is about 8·sqrt(2·0.25) = 5.7 points, so the 95% range is about ±1.96·5.7/sqrt(size)
    assert row.cohort_high - row.cohort_low == pytest.approx(2 * 1.96 * 8 * np.sqrt(0.5) / np.sqrt(size), rel=0.1)


def test_joint_figures_and_noise_bound_say_why_when_a_cohort_cannot_support_them():
    # the rules are rtm_figures': fewer than 2 stage 2 scores is not enough data; equal stage 2 scores leave the
    # model no spread between people, so every figure but sd and observed is NaN and the note says why
    rng = np.random.default_rng(7)
    data = _simulated_cohort(rng, 300, {"piq": 4.0, "pseq": 5.0, "psq": 3.0})
    flat = data.copy()
    flat.loc[flat["stage"] == 2, "piq"] = 30.0
    figures = joint_rtm_figures(flat, cohort_size=14, people=20_000)
    assert np.isnan(figures["pseq"].expected) and np.isnan(figures["piq"].cohort_low)
    assert figures["piq"].sd == 0 and "PIQ stage 2 scores are all equal" in figures["pseq"].note
    assert joint_rtm_grid(flat)["expected"].isna().all()
    bound = noise_bound(flat, "piq", selected=False)
    assert np.isnan(bound.reliability_min) and "reliability is not defined" in bound.note
    one = data[data["participant"].isin(data["participant"].unique()[:1])]
    with pytest.raises(NotEnoughDataError, match="needs at least 2 stage 2 scores; this cohort has 1"):
        joint_rtm_figures(one, cohort_size=14)
    with pytest.raises(NotEnoughDataError, match="needs at least 2 stage 2 scores; this cohort has 1"):
        noise_bound(one, "piq")


def test_joint_simulation_uses_the_normal_approximation_when_few_cohorts_fit():
    # the reference is the normal approximation the one-instrument simulation uses (mean ± 1.96·SD/√size) when
    # fewer than MIN_SIMULATED_COHORTS cohorts fit; with a cohort of 500 from 20,000 people, about 30 fit
    grid = simulate_joint_null_improvement([0.75], THRESHOLDS, SDS, cohort_size=500, people=20_000)
    for row in grid.itertuples():
        assert np.isfinite(row.cohort_low) and row.cohort_low < row.mean_improvement < row.cohort_high
        assert (row.cohort_high - row.cohort_low) / 2 == pytest.approx(
            (row.cohort_high - row.mean_improvement), rel=1e-9
        )
