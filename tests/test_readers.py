"""Workbooks, SPSS and Stata files written by the real tools are read cell for cell, located as those tools count."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnslbp_lib as cl
from cnslbp_lib.data.instruments import GLOBAL_CHANGE
from cnslbp_lib.data.readers import sniff_kind
from cnslbp_lib.data.schema import WHOLE_NUMBER_RULE
from cnslbp_lib.exceptions import CohortValidationError

from . import clinic_files
from .conftest import COHORT_CSV


def problems_of(path, **options):
    with pytest.raises(CohortValidationError) as caught:
        cl.load_cohort(path, **options)
    return caught.value.problems


def test_each_format_is_told_from_its_first_bytes_whatever_its_name(tmp_path):
    workbook = clinic_files.write_wide_workbook(COHORT_CSV, tmp_path / "saved-as.csv")  # a workbook named .csv
    spss = clinic_files.write_wide_spss(COHORT_CSV, tmp_path / "wide.sav")
    stata = clinic_files.write_stata(COHORT_CSV, tmp_path / "long.dta")
    stata_new = tmp_path / "new.dta"
    pyreadstat.write_dta(pd.read_csv(COHORT_CSV), str(stata_new))  # format 118, an XML-like header
    kinds = [sniff_kind(path.read_bytes()) for path in (COHORT_CSV, workbook, spss, stata, stata_new)]
    assert kinds == ["CSV file", "Excel workbook", "SPSS data file", "Stata data file", "Stata data file"]
    assert cl.load_cohort(workbook).file_reading.origin.kind == "Excel workbook"


# --- workbooks -------------------------------------------------------------------------------------------


def test_a_wide_workbook_gives_the_same_cohort_as_the_long_csv(tmp_path):
    workbook = clinic_files.write_wide_workbook(COHORT_CSV, tmp_path / "wide.xlsx")
    cohort, reference = cl.load_cohort(workbook), cl.load_cohort(COHORT_CSV)
    pd.testing.assert_frame_equal(cohort.data, reference.data)
    pd.testing.assert_frame_equal(cohort.incomplete, reference.incomplete)
    assert (cohort.file_reading.origin.sheet, cohort.file_reading.layout.kind) == ("Scores", "wide")


def test_the_first_sheet_is_read_unless_another_is_named(tmp_path):
    workbook = clinic_files.write_wide_workbook(COHORT_CSV, tmp_path / "two.xlsx", first_sheet="About")
    problems = problems_of(workbook)
    assert problems[0].sheet == "About"
    assert str(problems[-1]) == (
        f"{workbook}, sheet 'About': the header is the sheet's first row that is not empty (row 1); "
        "the workbook's sheets are 'About', 'Scores': choose one with --sheet"
    )
    cohort = cl.load_cohort(workbook, sheet="Scores")
    assert cohort.n_participants == 14
    assert cohort.file_reading.notes[0] == (
        "read the sheet 'Scores', the one named of the workbook's 2 sheets ('About', 'Scores'); "
        "choose another with --sheet"
    )
    [missing] = problems_of(workbook, sheet="Results")
    assert str(missing) == (
        f"{workbook}, value 'Results': the workbook has no sheet of this name; its sheets are 'About', 'Scores'"
    )
    [not_a_workbook] = problems_of(COHORT_CSV, sheet="Scores")
    assert not_a_workbook.rule == "a sheet was named, but a CSV file has no sheets"


def clinic_sheet(path, rows, *, top=1, left=1):
    """A sheet written cell by cell with openpyxl, its header at row ``top`` and column ``left``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Clinic"
    for offset, values in enumerate(rows):
        for column, value in enumerate(values):
            if value is not None:
                sheet.cell(row=top + offset, column=left + column, value=value)
    book.save(path)
    return path


def test_workbook_problems_name_the_sheet_and_the_row_as_the_spreadsheet_numbers_it(tmp_path):
    rows = [
        ["id", "piq_1", "piq_2", "pseq_1", "pseq_2", "psq_1", "psq_2"],
        ["a", 40, 40.5, 20, "22.00", 10, 10],
        ["b", "abc", 30, 20, 22, "1e3", 10],
        [None, None, None, None, None, None, None],  # a blank row inside the data
        [None, 30, 30, 20, 22, 10, 99],
    ]
    path = clinic_sheet(tmp_path / "clinic.xlsx", rows, top=3, left=2)  # two empty rows and column A above and left
    assert [str(problem) for problem in problems_of(path)] == [
        f"{path}, sheet 'Clinic', row 4, column 'piq_2', value '40.5': {WHOLE_NUMBER_RULE}",
        f"{path}, sheet 'Clinic', row 5, column 'piq_1', value 'abc': {WHOLE_NUMBER_RULE}",
        f"{path}, sheet 'Clinic', row 5, column 'psq_1', value '1e3': {WHOLE_NUMBER_RULE}",
        f"{path}, sheet 'Clinic', row 7, column 'id': participant must not be blank",
        f"{path}, sheet 'Clinic', row 7, column 'psq_2', value '99': PSQ total must be a whole number from 0 to 40",
    ]


def test_text_written_as_a_decimal_is_counted_and_numbers_stored_as_numbers_are_not(tmp_path):
    rows = [["id", "piq_1", "pseq_1", "psq_1"], ["a", 40.0, "22.00", 10], ["b", 41, 23, "+10.0"], [], ["c", 1, 2, 3]]
    path = clinic_sheet(tmp_path / "clinic.xlsx", rows)
    cohort = cl.load_cohort(path)
    scores = cohort.data[["piq", "pseq", "psq"]].astype(int).to_numpy().tolist()
    assert scores == [[40, 22, 10], [41, 23, 10], [1, 2, 3]]
    assert (cohort.file_reading.decimal_cells, cohort.file_reading.decimal_example) == (2, "22.00")
    assert cohort.warnings[-1] == f"{path}, sheet 'Clinic', row 4: blank row skipped"


def test_a_spreadsheet_error_value_is_refused_at_its_cell_not_read_as_a_blank(tmp_path):
    rows = [["id", "piq_1", "pseq_1", "psq_1"], ["a", "#DIV/0!", 20, 10], ["b", 30, "#N/A", 10]]
    path = clinic_sheet(tmp_path / "clinic.xlsx", rows)
    book = openpyxl.load_workbook(path)
    assert book["Clinic"]["B2"].data_type == "e"  # openpyxl stored an error value, as Excel does for a failed formula
    assert pd.read_excel(path).loc[0, "piq_1"] != pd.read_excel(path).loc[0, "piq_1"]  # which pandas reads as NaN
    assert [(p.line, p.column, p.value) for p in problems_of(path)] == [(2, "piq_1", "#DIV/0!"), (3, "pseq_1", "#N/A")]


def test_a_column_with_values_but_no_header_is_refused_by_its_letter(tmp_path):
    rows = [["id", "piq_1", None, "pseq_1", "psq_1"], ["a", 40, 7, 20, 10]]
    path = clinic_sheet(tmp_path / "clinic.xlsx", rows)
    assert [str(problem) for problem in problems_of(path)] == [
        f"{path}, sheet 'Clinic': column C holds values but no name in the header (row 1, the sheet's first row "
        "that is not empty)"
    ]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (
            b"PK\x03\x04not a zip archive",
            "file cannot be read as an Excel workbook (BadZipFile: File is not a zip file)",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "old Excel workbooks (.xls) are not read; save the sheet as an Excel workbook (.xlsx) or as CSV UTF-8",
        ),
    ],
)
def test_a_damaged_or_old_workbook_is_one_clear_problem(tmp_path, content, rule):
    path = tmp_path / "clinic.xlsx"
    path.write_bytes(content)
    assert [(problem.line, problem.column, problem.rule) for problem in problems_of(path)] == [(None, None, rule)]


def test_an_empty_sheet_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert [problem.rule for problem in problems_of(path)] == ["the sheet is empty"]


# --- SPSS and Stata -------------------------------------------------------------------------------------


def test_an_spss_file_with_value_labels_is_read_by_its_codes_with_a_note(tmp_path):
    spss = clinic_files.write_wide_spss(COHORT_CSV, tmp_path / "wide.sav")
    # pyreadstat, applying the labels, sees the words: the loader must not
    labelled, _ = pyreadstat.read_sav(str(spss), apply_value_formats=True)
    assert set(labelled["global_change_2"].dropna()) <= {label for _, label in GLOBAL_CHANGE.labels}
    cohort = cl.load_cohort(spss)
    pd.testing.assert_frame_equal(cohort.data, cl.load_cohort(COHORT_CSV).data)
    assert cohort.file_reading.notes[0] == (
        "value labels (global_change_2, global_change_3) are not used: each cell is read as its code "
        "(such as -1 in global_change_2, not 'a little worse')"
    )


def test_spss_problems_name_the_case_and_user_missing_values_are_blank(tmp_path):
    frame = pd.DataFrame(
        {
            "participant": ["a", "a", "b"],
            "stage": [1.0, 2.0, 2.5],
            "piq": [40.0, 99.0, 80.0],
            "pseq": [20.0, 20.0, np.nan],
            "psq": [10.0, 10.0, 10.0],
        }
    )
    path = tmp_path / "long.sav"
    pyreadstat.write_sav(frame, str(path), missing_ranges={"piq": [99]})
    assert [str(problem) for problem in problems_of(path)] == [
        f"{path}, case 3, column 'piq', value '80': PIQ total must be a whole number from 0 to 70",
        f"{path}, case 3, column 'stage', value '2.5': {WHOLE_NUMBER_RULE}",
    ]
    frame.loc[2, ["stage", "piq"]] = [3.0, 30.0]
    pyreadstat.write_sav(frame, str(path), missing_ranges={"piq": [99]})
    cohort = cl.load_cohort(path)
    assert cohort.data["piq"].astype(object).tolist() == [40, pd.NA, 30]  # 99 is SPSS's "missing" here
    assert cohort.file_reading.notes == ("SPSS data file's user-defined missing values are read as blank: piq (99)",)


def test_a_stata_file_written_by_pandas_gives_the_same_cohort_and_names_observations(tmp_path):
    stata = clinic_files.write_stata(COHORT_CSV, tmp_path / "long.dta")
    pd.testing.assert_frame_equal(cl.load_cohort(stata).data, cl.load_cohort(COHORT_CSV).data)
    frame = pd.read_csv(COHORT_CSV)
    frame.loc[4, "pseq"] = 61
    frame.to_stata(tmp_path / "bad.dta", write_index=False)
    [problem] = problems_of(tmp_path / "bad.dta")
    assert str(problem) == (
        f"{tmp_path / 'bad.dta'}, observation 5, column 'pseq', value '61': "
        "PSEQ total must be a whole number from 0 to 60"
    )


def test_a_damaged_statistics_file_is_one_clear_problem(tmp_path):
    path = tmp_path / "cut.sav"
    path.write_bytes(clinic_files.write_wide_spss(COHORT_CSV, tmp_path / "whole.sav").read_bytes()[:300])
    [problem] = problems_of(path)
    assert (problem.line, problem.column) == (None, None)
    assert problem.rule.startswith("file cannot be read as an SPSS data file (")


TYPED_CELLS = st.one_of(
    st.integers(-5, 75),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(0, 70).map(float),
    st.text(st.characters(min_codepoint=32, blacklist_categories=["Cs"]), max_size=5),  # what a cell may hold
    st.booleans(),
    st.dates(),
    st.sampled_from(["40.0", "40.00", "+3.0", "7.5", "nan", "#DIV/0!", " ", "1e3"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 3), st.integers(1, 6), TYPED_CELLS), min_size=1, max_size=4, unique_by=lambda c: c[:2]
    )
)
def test_any_typed_value_in_a_workbook_gives_a_cohort_or_problems_at_that_cell(tmp_path, cells):
    header = ["id", "piq_1", "piq_2", "pseq_1", "pseq_2", "psq_1", "psq_2"]
    rows = [[f"p{i}", 40, 35, 20, 30, 10, 12] for i in range(4)]
    for row, column, value in cells:
        rows[row][column] = value
    path = clinic_sheet(tmp_path / "typed.xlsx", [header, *rows])
    corrupted = {(row + 2, header[column]) for row, column, _ in cells}
    try:
        cohort = cl.load_cohort(path)
    except CohortValidationError as error:
        for problem in error.problems:
            assert (problem.sheet, problem.unit) == ("Clinic", "row")
            assert (problem.line, problem.column) in corrupted, problem
    else:
        # every accepted cell holds the whole number it was written or stored as, or is blank
        for row, column, value in cells:
            measure, stage = header[column].split("_")
            held = cohort.data.set_index(["participant", "stage"]).loc[(f"p{row}", int(stage)), measure]
            if pd.isna(held):
                assert isinstance(value, str) and not value.strip(" \t")
            else:
                assert float(held) == float(value)
