"""The MyST roles for numbers in Markdown: a threshold marked as an assumption, arithmetic on printed numbers."""

from __future__ import annotations

from fractions import Fraction

import pytest
import yaml

from cnslbp_lib.publish.build.roles import threshold_role, worked_out

from .conftest import ROOT

PAPER = yaml.safe_load((ROOT / "papers" / "lumbar-mri-after-pain-education.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("instrument", PAPER["instruments"], ids=lambda entry: entry["key"])
def test_a_threshold_is_the_paper_files_and_is_marked_as_an_assumption(instrument):
    [node], problems = threshold_role("threshold", "", instrument["key"], 1, None)
    markup = node.astext()
    assert problems == []
    assert f'data-key="{instrument["key"]}_threshold">{instrument["threshold"]["points"]:g}<' in markup
    assert "cnslbp-prov--assumption" in markup
    assert "Set by an assumption" in markup  # the tip says so, and where the number comes from


@pytest.mark.parametrize(
    ("text", "shown", "reading"),
    [
        # the printed values, worked by hand: 2 × 0.003; 78.5 × 14 ÷ 100 = 10.99; −4.64 × 14 = −64.96
        ("2 * piq_p_val | 3", "0.006", "2 × 0.003"),
        ("piq_responders * participants_completed / 100 | 2", "10.99", "78.5 × 14 ÷ 100"),
        ("psq_mean_change * participants_completed | 0", "−65", "−4.64 × 14"),
        ("pseq_mean_change - piq_mean_change | 2", "36.72", "+17.93 − (−18.79)"),
        ("10 - (2 - 3) | 0", "11", "10 − (2 − 3)"),
        ("-(1 + 2) * 3 | 0", "−9", "−(1 + 2) × 3"),
        ("1 / (2 * 4) | 3", "0.125", "1 ÷ (2 × 4)"),
    ],
)
def test_worked_arithmetic_gives_the_value_and_reads_as_written(text, shown, reading):
    assert worked_out(text) == (shown, reading)


def test_worked_arithmetic_rounds_half_up_on_exact_values():
    # 0.0025 × 1 is exactly half a step at three places: binary floats would round it down
    assert Fraction("0.0025") * 1 == Fraction(1, 400)
    assert worked_out("0.0025 * 1 | 3") == ("0.003", "0.0025 × 1")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("14", "then | and the decimal places"),
        ("1 / 0 | 1", "division by zero"),
        ("abs(-1) | 0", "is not arithmetic on numbers and printed keys"),
        ("True | 0", "is not arithmetic on numbers and printed keys"),
        ("piq_mean | 1", "key must be one of"),
        ("association_direction * 2 | 1", "is not a number"),
        ("1 + | 0", "is not arithmetic"),
    ],
)
def test_anything_but_arithmetic_on_numbers_and_printed_keys_is_refused_with_the_rule(text, rule):
    with pytest.raises(ValueError, match=rule):
        worked_out(text)
