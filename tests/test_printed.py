"""Reading printed values and turning them into intervals of true values."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnslbp_lib.exceptions import PrintedValueError
from cnslbp_lib.paper.printed import Interval, is_missing, parse_printed_value


@pytest.mark.parametrize(
    ("text", "value", "decimals", "relation"),
    [
        ("0.003", "0.003", 3, "="),
        ("\u221218.79", "-18.79", 2, "="),  # true minus sign
        ("-18.79", "-18.79", 2, "="),
        ("\u201318.79", "-18.79", 2, "="),  # an en dash used as a minus
        ("+17.93", "17.93", 2, "="),
        (".008", "0.008", 3, "="),
        ("<0.001", "0.001", 3, "<"),
        ("< .001", "0.001", 3, "<"),
        ("≤ 0.05", "0.05", 2, "≤"),
        ("<=0.05", "0.05", 2, "≤"),
        ("> .05", "0.05", 2, ">"),
        ("≥0.2", "0.2", 1, "≥"),
        ("P = 0.003", "0.003", 3, "="),
        ("p=.03", "0.03", 2, "="),
        ("p < .001", "0.001", 3, "<"),
        ("t(13) = \u22123.26", "-3.26", 2, "="),
        ("dz=0.98", "0.98", 2, "="),
        ("  0.003*  ", "0.003", 3, "="),
        ("<.001***", "0.001", 3, "<"),
        ("0.04†", "0.04", 2, "="),
        ("78.5%", "78.5", 1, "="),
        ("14", "14", 0, "="),
        ("1.2e-5", "0.000012", 6, "="),
        ("0,003", "0.003", 3, "="),
        ("4,5", "4.5", 1, "="),
        ("12,75", "12.75", 2, "="),
        ("1,234.5", "1234.5", 1, "="),
        ("1,234,567", "1234567", 0, "="),
    ],
)
def test_printed_values_are_read_with_their_decimals_and_relation(text, value, decimals, relation):
    printed = parse_printed_value(text)
    assert printed.value == Decimal(value)
    assert printed.decimals == decimals
    assert printed.relation == relation
    assert printed.text == text


def test_a_percent_sign_is_recorded_and_the_value_kept_as_printed():
    printed = parse_printed_value("64.3%")
    assert printed.percent and printed.value == Decimal("64.3")
    assert not parse_printed_value("64.3").percent


def test_a_comma_that_could_separate_thousands_is_ambiguous_except_in_counts():
    with pytest.raises(PrintedValueError, match="ambiguous: the comma could separate thousands"):
        parse_printed_value("1,234")
    assert parse_printed_value("1,234", integer=True).value == 1234


@pytest.mark.parametrize("text", ["", "  ", "abc", "1.2.3", "0.3 to 0.5", "1,2,3.4", "−", "12 ± 3"])
def test_text_that_is_not_one_number_is_refused_with_its_text_in_the_message(text):
    with pytest.raises(PrintedValueError) as raised:
        parse_printed_value(text)
    assert repr(text) in str(raised.value)


@pytest.mark.parametrize("text", [None, "", " NA ", "n/a", "NR", "-", "–", "—", ".", "nan"])
def test_missing_markers_mean_not_printed(text):
    assert is_missing(text)


def test_a_number_is_not_a_missing_marker():
    assert not is_missing("0")
    assert not is_missing("−0.5")


def test_nearest_rounding_gives_half_a_unit_either_side():
    # 4.0 printed: anything in [3.95, 4.05] rounds to it
    assert parse_printed_value("4.0").bounds() == (Fraction("3.95"), Fraction("4.05"))
    assert parse_printed_value("\u221218.79").interval() == Interval(-18.795, -18.785)


def test_truncation_and_rounding_up_shift_the_interval():
    # 11/14 = 78.571…% truncates to 78.5 and rounds up to 78.6
    assert parse_printed_value("78.5").bounds("truncation") == (Fraction("78.5"), Fraction("78.6"))
    assert parse_printed_value("78.6").bounds("up") == (Fraction("78.5"), Fraction("78.6"))
    # truncation is toward zero, so a negative printed value stands for values below it
    assert parse_printed_value("\u22121.2").bounds("truncation") == (Fraction("-1.3"), Fraction("-1.2"))
    assert parse_printed_value("0.0").bounds("truncation") == (Fraction("-0.1"), Fraction("0.1"))


def test_inequalities_are_open_ended_whatever_the_rounding():
    assert parse_printed_value("<0.001").interval("truncation") == Interval(-math.inf, 0.001)
    assert parse_printed_value("p > .05").interval() == Interval(0.05, math.inf)


def test_an_unknown_rounding_rule_is_refused():
    with pytest.raises(ValueError, match="rounding must be one of nearest, truncation, up"):
        parse_printed_value("1.0").bounds("banker's")  # type: ignore[arg-type]


def test_interval_helpers():
    assert Interval(-2.5, 1.0).magnitude() == Interval(0.0, 2.5)
    assert Interval(-3.0, -1.0).magnitude() == Interval(1.0, 3.0)
    assert Interval(1.0, 2.0).intersection(Interval(1.5, 4.0)) == Interval(1.5, 2.0)
    assert Interval(1.0, 2.0).intersection(Interval(2.5, 4.0)) is None
    assert Interval(1.0, 2.0).hull(Interval(2.5, 4.0)) == Interval(1.0, 4.0)
    with pytest.raises(ValueError, match="needs low <= high"):
        Interval(2.0, 1.0)


@given(
    st.fractions(min_value=-1000, max_value=1000, max_denominator=10**6),
    st.integers(min_value=0, max_value=4),
    st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]),
)
def test_every_value_lies_in_the_interval_of_what_it_prints_as(value, decimals, mode):
    # the true value, printed half up or half to even, always lies in the printed value's nearest interval
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=mode))
    low, high = parse_printed_value(text).bounds()
    assert low is not None and high is not None
    assert low <= Fraction(exact) <= high
