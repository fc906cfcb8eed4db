"""The ensemble: every member reproduces the abstract, the draw is reproducible, and readings switch what they say."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cnslbp_lib as cl
from cnslbp_lib.cli import main
from cnslbp_lib.paper.ensemble import READINGS, get_reading, sample_ensemble
from cnslbp_lib.paper.reported import get_reported
from cnslbp_lib.paper.targets import change_targets

MEMBERS = 300


@pytest.fixture(scope="module")
def ensemble() -> cl.paper.ensemble.Ensemble:
    return sample_ensemble(MEMBERS, seed=11)


def test_every_member_prints_the_abstracts_t_based_numbers(ensemble):
    # reference: scipy's one-sample t-test on each member's changes, printed by the registry's own rules
    for target in change_targets():
        changes = ensemble.changes(target.instrument).astype(float)
        assert (changes.sum(axis=1) == target.total).all()
        assert np.isin((changes**2).sum(axis=1), target.sums_of_squares).all()
        result = stats.ttest_1samp(changes, 0.0, axis=1)
        interval = result.confidence_interval()
        values = {
            "mean_change": changes.mean(axis=1),
            "ci_low": interval.low,
            "ci_high": interval.high,
            "p_val": result.pvalue,
            "dz": changes.mean(axis=1) / changes.std(axis=1, ddof=1),
        }
        for key in target.targets:
            record = get_reported(key)
            printed = {record.as_printed(float(value)) for value in values[record.quantity]}
            assert printed == {record.printed}, key


def test_every_member_has_the_reported_responder_counts_and_stays_in_range(ensemble):
    for position, entry in enumerate(cl.INSTRUMENTS):
        scores = ensemble.scores[:, :, :, position]
        assert scores.min() >= entry.minimum and scores.max() <= entry.maximum
        target = next(item for item in change_targets() if item.instrument == entry.key)
        if target.responders is not None:
            improvement = ensemble.changes(entry.key) * entry.improvement_sign
            assert ((improvement >= entry.threshold).sum(axis=1) == target.responders).all()


def test_every_member_is_a_pain_education_non_responder_and_inverse(ensemble):
    for key in cl.NON_RESPONSE.instruments:
        entry = cl.get_instrument(key)
        education = ensemble.changes(key, from_stage=1, to_stage=2) * entry.improvement_sign
        assert (education < entry.threshold).all()
    pseq, piq = ensemble.changes("pseq").astype(float), ensemble.changes("piq").astype(float)
    r = np.array([np.corrcoef(x, y)[0, 1] for x, y in zip(pseq, piq, strict=True)])
    assert (r < 0).all()


def test_education_changes_stay_inside_the_unimportant_band_in_both_directions(ensemble):
    # the stage 1 prior neither favours nor penalises education: a clinically important
    # worsening is as excluded as a clinically important improvement, and both signs occur
    for entry in cl.INSTRUMENTS:
        education = ensemble.changes(entry.key, from_stage=1, to_stage=2) * entry.improvement_sign
        assert (np.abs(education) < entry.threshold).all(), entry.key
        assert (education > 0).any() and (education < 0).any(), entry.key
        # away from the scale's ends the band is symmetric, so the average sits near zero
        assert abs(education.mean()) < entry.threshold / 4, entry.key


def test_members_pass_the_same_audit_as_the_worked_dataset(ensemble, tmp_path, cohort):
    expected = cl.audit(cohort).set_index("key")["verdict"]
    for member in (0, 1, MEMBERS // 2, MEMBERS - 1):
        path = tmp_path / f"member{member}.csv"
        path.write_text(ensemble.member_csv(member), encoding="utf-8")
        verdicts = cl.audit(cl.load_cohort(path)).set_index("key")["verdict"]
        assert verdicts.equals(expected), member


def test_members_are_distinct_and_the_draw_repeats_for_a_seed(ensemble):
    signatures = {ensemble.scores[member].tobytes() for member in range(MEMBERS)}
    assert len(signatures) == MEMBERS
    again = sample_ensemble(MEMBERS, seed=11)
    assert again.to_csv() == ensemble.to_csv()
    assert sample_ensemble(MEMBERS, seed=12).to_csv() != ensemble.to_csv()


def test_global_ratings_are_not_derived_from_the_changes(ensemble):
    # independent uniform priors: the rating's correlation with the PIQ improvement is near zero across members
    improvement = -ensemble.changes("piq").ravel()
    ratings = ensemble.global_change[:, :, 1].ravel()
    assert abs(np.corrcoef(improvement, ratings)[0, 1]) < 0.05
    assert set(np.unique(ratings)) == set(range(cl.GLOBAL_CHANGE.minimum, cl.GLOBAL_CHANGE.maximum + 1))


@pytest.mark.parametrize("name", [reading.name for reading in READINGS])
def test_each_reading_holds_in_every_member(name):
    reading = get_reading(name)
    ensemble = sample_ensemble(60, seed=3, reading=name)
    pseq, piq = ensemble.changes("pseq").astype(float), ensemble.changes("piq").astype(float)
    tests = [stats.pearsonr(x, y) for x, y in zip(pseq, piq, strict=True)]
    r = np.array([test.statistic for test in tests])
    assert (r < 0).all() if reading.association == "as_read" else (r > 0).all()
    if reading.significant:
        assert all(test.pvalue < 0.05 for test in tests)
    entry = cl.get_instrument("piq")
    improvement = -ensemble.changes("piq")
    cut = entry.threshold if reading.exceeded == "at_least" else entry.threshold + 1
    assert ((improvement >= cut).sum(axis=1) == 11).all()


def test_unknown_readings_and_sizes_are_refused_by_name():
    with pytest.raises(ValueError, match="reading must be one of book, book-significant"):
        sample_ensemble(1, reading="nope")
    with pytest.raises(ValueError, match="members must be at least 1"):
        sample_ensemble(0)


def test_command_writes_the_cohort_format_with_a_member_column_byte_for_byte(tmp_path, capsys):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["ensemble", "--members", "4", "--seed", "5", "--out", str(first)]) == 0
    assert main(["ensemble", "--members", "4", "--seed", "5", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "member,participant,stage,piq,pseq,psq,global_change"
    assert len(lines) == 1 + 4 * 14 * 3
    assert lines[1].startswith("0,R01,1,") and lines[1].endswith(",")
    assert "4 members drawn uniformly" in capsys.readouterr().out
