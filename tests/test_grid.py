"""Typed cells become text without losing a digit; a header may not repeat a name."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnslbp_lib.data.grid import Origin, cell_text, column_texts, reject_repeated_columns
from cnslbp_lib.exceptions import CohortValidationError


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (40, "40"),
        (np.int8(-3), "-3"),
        (40.0, "40"),  # a whole number stored as a float has no decimals to show
        (np.float32(22.0), "22"),
        (-0.0, "0"),
        (40.5, "40.5"),
        (0.1 + 0.2, "0.30000000000000004"),  # Python's shortest repr, which reads back as the same double
        (1e20, "100000000000000000000"),
        (2.0**63, "9223372036854775808"),  # beyond int64, still exact
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, None),
        (None, None),
        (pd.NA, None),
        ("", None),
        ("  ", "  "),  # spaces are text: blank for a number, refused as an id
        ("40.00", "40.00"),  # text keeps its decimals, so the loader counts it
        (True, "TRUE"),
        (datetime.datetime(2024, 3, 1, 9, 30), "2024-03-01 09:30:00"),
        (datetime.date(2024, 3, 1), "2024-03-01"),
    ],
)
def test_a_typed_cell_becomes_its_exact_shortest_text(value, text):
    assert cell_text(value) == text


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**53), 2**53).map(float))))
def test_a_float_column_gives_the_same_texts_as_each_cell_and_every_text_reads_back_exactly(values):
    texts = column_texts(pd.Series(values, dtype="float64")).tolist()
    assert texts == [cell_text(value) for value in values]
    for value, text in zip(values, texts, strict=True):
        if text is None:
            assert math.isnan(value)
        else:
            assert float(text) == value  # Python's own parser is the reference
            assert ("." in text or "e" in text) == (math.isfinite(value) and not value.is_integer())


def test_integer_and_text_columns_keep_their_values():
    assert column_texts(pd.Series([1, -2, 300], dtype="int16")).tolist() == ["1", "-2", "300"]
    assert column_texts(pd.Series(["a", "", None, "7.0"], dtype=object)).tolist() == ["a", None, None, "7.0"]


def test_a_repeated_column_name_is_refused_where_the_header_is():
    origin = Origin("clinic.xlsx", "Excel workbook", "row", sheet="Scores")
    with pytest.raises(CohortValidationError) as caught:
        reject_repeated_columns(["id", "piq_1", "piq_1", "id"], origin, 3)
    assert [str(problem) for problem in caught.value.problems] == [
        "clinic.xlsx, sheet 'Scores', row 3, column 'piq_1': column appears more than once in the header",
        "clinic.xlsx, sheet 'Scores', row 3, column 'id': column appears more than once in the header",
    ]
    reject_repeated_columns(["id", "piq_1"], origin, 3)  # no repeat, no error
