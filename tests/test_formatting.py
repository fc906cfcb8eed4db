from decimal import Decimal

import pytest

from cnslbp_lib.paper.formatting import (
    count_in_words,
    format_ci,
    format_number,
    format_p,
    parse_count_word,
    parse_printed,
    round_half_up,
    truncate,
)


def test_rounding_is_half_up_on_the_printed_digits_not_binary_floats():
    assert round(2.675, 2) == 2.67  # what Python's binary rounding gives
    assert round_half_up(2.675, 2) == Decimal("2.68")
    assert round_half_up(-0.125, 2) == Decimal("-0.13")


def test_truncation_cuts_toward_zero():
    assert truncate(100 * 11 / 14, 1) == Decimal("78.5")
    assert truncate(-2.79, 1) == Decimal("-2.7")


def test_numbers_use_a_true_minus_and_an_optional_plus():
    assert format_number(-263 / 14, 2) == "\u221218.79"
    assert format_number(251 / 14, 2, plus=True) == "+17.93"
    assert format_number(-0.001, 2) == "0.00"


def test_confidence_interval_reads_low_to_high():
    assert format_ci(-29.8669, -7.7045, 2) == "\u221229.87 to \u22127.70"


def test_p_values_print_three_decimals_or_a_bound():
    assert format_p(0.0962) == "0.096"
    assert format_p(0.0004) == "<0.001"
    with pytest.raises(ValueError, match=r"p_val must lie in \[0, 1\]"):
        format_p(1.5)


def test_printed_values_parse_back():
    assert parse_printed("\u221218.79") == Decimal("-18.79")
    assert parse_printed("+17.93") == Decimal("17.93")
    assert parse_printed("78.5%") == Decimal("78.5")


def test_counts_spell_out_up_to_twenty():
    assert count_in_words(14, capital=True) == "Fourteen"
    assert count_in_words(21) == "21"
    assert parse_count_word("Fourteen") == 14
    with pytest.raises(ValueError, match="count in words"):
        parse_count_word("many")
